/* log.c: see log.h. The level and sink are the process-wide log config,
 * set before work starts; the write path takes a lock so lines from
 * several threads never interleave. */
#include "aif/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    aif_log_level level;
    aif_log_fn fn;
    void *ctx;
    char trace[256];
    pthread_mutex_t lock;
} g = {AIF_LOG_WARN, NULL, NULL, "", PTHREAD_MUTEX_INITIALIZER};

static const char *names[] = {"error", "warn", "info", "debug"};

/* The validator forks children to score models while other threads may be
 * logging: hold the lock across fork() so a child never inherits it locked. */
static void before_fork(void) { pthread_mutex_lock(&g.lock); }
static void after_fork(void) { pthread_mutex_unlock(&g.lock); }
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static void install_atfork(void) { pthread_atfork(before_fork, after_fork, after_fork); }

void aif_log_set_level(aif_log_level level) { g.level = level; }
aif_log_level aif_log_get_level(void) { return g.level; }

void aif_log_init_from_env(void)
{
    const char *v = getenv("AIF_LOG");
    for (int i = 0; v && i < 4; i++)
        if (!strcmp(v, names[i]))
            g.level = (aif_log_level)i;
    const char *t = getenv("AIF_TRACE");
    if (t)
        snprintf(g.trace, sizeof g.trace, ",%s,", t);
}

void aif_log_set_callback(aif_log_fn fn, void *ctx)
{
    pthread_once(&atfork_once, install_atfork);
    pthread_mutex_lock(&g.lock);
    g.fn = fn;
    g.ctx = ctx;
    pthread_mutex_unlock(&g.lock);
}

int aif_log_trace(const char *component)
{
    char key[64];
    if (!g.trace[0])
        return 0;
    snprintf(key, sizeof key, ",%s,", component);
    return strstr(g.trace, key) != NULL || strstr(g.trace, ",all,") != NULL;
}

void aif_log_write(aif_log_level level, const char *fmt, ...)
{
    pthread_once(&atfork_once, install_atfork);
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&g.lock);
    if (g.fn)
        g.fn(g.ctx, level, line);
    else
        fprintf(stderr, "aif: %s: %s\n", names[level], line);
    pthread_mutex_unlock(&g.lock);
}
