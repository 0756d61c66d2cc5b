/* isolate.c: run one piece of model work in a forked child with a time
 * limit (spec 6.4), so that a model that crashes or hangs the runtime costs
 * that model an inf score and nothing else. The child inherits everything
 * prepared before the fork (the step's data batches), writes its result to
 * a pipe and leaves with _exit (no atexit handlers, no stdio flush of the
 * parent's buffers). The parent waits on the pipe with poll() against a
 * monotonic deadline, and kills the child with SIGKILL when it runs over.
 *
 * Pipe message: u32 code | u32 payload length | payload | u32 msg length | msg. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/log.h"
#include "validator_int.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static void child(int fd, aif_validator_child_fn fn, void *arg, size_t cap)
{
    aif_err e;
    aif_err_clear(&e);
    void *buf = aif_malloc(cap ? cap : 1);
    size_t len = 0;
    aif_code rc = buf ? fn(arg, buf, cap, &len, &e) : aif_err_set(&e, AIF_ENOMEM, "out of memory in the child");
    if (rc == AIF_OK && len > cap)
        rc = aif_err_set(&e, AIF_EINTERNAL, "child result of %zu bytes exceeds %zu", len, cap);
    if (rc != AIF_OK)
        len = 0;
    uint32_t hdr[2] = {(uint32_t)rc, (uint32_t)len};
    uint32_t ml = rc != AIF_OK ? (uint32_t)strnlen(e.msg, sizeof e.msg) : 0;
    int bad = write_all(fd, hdr, sizeof hdr) || (len && write_all(fd, buf, len)) || write_all(fd, &ml, sizeof ml) ||
              (ml && write_all(fd, e.msg, ml));
    _exit(bad ? 3 : 0);
}

aif_code aif_validator_isolate(aif_validator_child_fn fn, void *arg, double timeout_s, void *out, size_t cap,
                               size_t *len, aif_err *err)
{
    *len = 0;
    int fds[2];
    if (pipe(fds) != 0)
        return aif_err_set(err, AIF_EIO, "pipe: %s", strerror(errno));
    size_t total = 2 * sizeof(uint32_t) + cap + sizeof(uint32_t) + sizeof err->msg;
    unsigned char *msg = aif_malloc(total);
    if (!msg) {
        close(fds[0]);
        close(fds[1]);
        return aif_err_set(err, AIF_ENOMEM, "out of memory for a child result of %zu bytes", cap);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        aif_code rc = aif_err_set(err, AIF_EIO, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        aif_free(msg);
        return rc;
    }
    if (pid == 0) {
        close(fds[0]);
        signal(SIGPIPE, SIG_DFL);
        child(fds[1], fn, arg, cap);
    }
    close(fds[1]);

    /* Read until EOF, the deadline, or more than a full message. */
    size_t got = 0;
    int timed_out = 0, overflow = 0;
    double deadline = mono() + (timeout_s > 0 ? timeout_s : 0);
    for (;;) {
        double left = deadline - mono();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd p = {fds[0], POLLIN, 0};
        int ms = left > 1e6 ? 1000000000 : (int)(left * 1000.0) + 1;
        int r = poll(&p, 1, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        if (r == 0)
            continue;
        unsigned char extra;
        ssize_t n = got < total ? read(fds[0], msg + got, total - got) : read(fds[0], &extra, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (got == total) {
            overflow = 1;
            break;
        }
        got += (size_t)n;
        /* Stop at a complete message rather than at EOF: a child forked at
         * the same time by another thread may hold our pipe's write end. */
        if (got >= 2 * sizeof(uint32_t)) {
            uint32_t h[2], ml;
            memcpy(h, msg, sizeof h);
            size_t need = sizeof h + (size_t)h[1] + sizeof ml;
            if (h[1] <= cap && got >= need) {
                memcpy(&ml, msg + sizeof h + h[1], sizeof ml);
                if (ml < sizeof err->msg && got >= need + ml)
                    break;
            }
        }
    }
    close(fds[0]);
    if (timed_out || overflow)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }

    aif_code rc;
    if (timed_out) {
        rc = aif_err_set(err, AIF_ETIMEOUT, "child process ran past its %.3g s limit and was killed", timeout_s);
    } else if (overflow) {
        rc = aif_err_set(err, AIF_EINTERNAL, "child process wrote more than a result");
    } else if (WIFSIGNALED(status)) {
        rc = aif_err_set(err, AIF_EINTERNAL, "child process died of signal %d (%s)", WTERMSIG(status),
                         strsignal(WTERMSIG(status)));
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        rc = aif_err_set(err, AIF_EINTERNAL, "child process exited with status %d", WEXITSTATUS(status));
    } else {
        uint32_t hdr[2], ml = 0;
        if (got < sizeof hdr) {
            rc = aif_err_set(err, AIF_EINTERNAL, "child process exited without a result");
            goto out;
        }
        memcpy(hdr, msg, sizeof hdr);
        size_t off = sizeof hdr;
        if (hdr[1] > cap || got < off + hdr[1] + sizeof ml) {
            rc = aif_err_set(err, AIF_EINTERNAL, "child process sent a truncated result");
            goto out;
        }
        memcpy(&ml, msg + off + hdr[1], sizeof ml);
        if (ml >= sizeof err->msg || got != off + hdr[1] + sizeof ml + ml || hdr[0] >= AIF_CODE_COUNT) {
            rc = aif_err_set(err, AIF_EINTERNAL, "child process sent a malformed result");
            goto out;
        }
        if (hdr[0] != AIF_OK) {
            rc = aif_err_set(err, (aif_code)hdr[0], "%.*s", (int)ml, (const char *)(msg + off + hdr[1] + sizeof ml));
            goto out;
        }
        memcpy(out, msg + off, hdr[1]);
        *len = hdr[1];
        rc = AIF_OK;
    }
out:
    aif_free(msg);
    return rc;
}

/* ---- the evaluator's calls, isolated ---- */

struct inspect_arg {
    aif_validator *v;
    const char *snap;
};

struct inspect_out {
    int64_t n_params;
    char arch[AIF_VALIDATOR_ARCH_MAX];
};

static aif_code inspect_child(void *arg, void *out, size_t cap, size_t *len, aif_err *err)
{
    struct inspect_arg *a = arg;
    struct inspect_out *o = out;
    memset(o, 0, sizeof *o);
    aif_code rc = a->v->o.evaluator.inspect(a->v->o.evaluator.ctx, a->snap, o->arch, &o->n_params, err);
    o->arch[sizeof o->arch - 1] = '\0';
    *len = sizeof *o;
    (void)cap;
    return rc;
}

aif_code aif_vali_inspect(aif_validator *v, const char *snap, char arch[AIF_VALIDATOR_ARCH_MAX], int64_t *n_params,
                  aif_err *err)
{
    if (!v->o.evaluator.inspect)
        return aif_err_set(err, AIF_ENOTSUP, "the evaluator cannot inspect models");
    struct inspect_arg a = {v, snap};
    struct inspect_out o;
    size_t len;
    aif_code rc = aif_validator_isolate(inspect_child, &a, v->o.inspect_timeout, &o, sizeof o, &len, err);
    if (rc)
        return rc;
    if (len != sizeof o)
        return aif_err_set(err, AIF_EINTERNAL, "inspect returned %zu bytes", len);
    memcpy(arch, o.arch, AIF_VALIDATOR_ARCH_MAX);
    *n_params = o.n_params;
    return AIF_OK;
}

struct score_arg {
    aif_validator *v;
    const char *snap;
    const aif_subnet_competition *comp;
};

static aif_code score_child(void *arg, void *out, size_t cap, size_t *len, aif_err *err)
{
    struct score_arg *a = arg;
    double *raw = out;
    size_t n = a->comp->n_tasks;
    for (size_t t = 0; t < n; t++)
        raw[t] = INFINITY;
    aif_code rc = a->v->o.evaluator.score(a->v->o.evaluator.ctx, a->snap, a->comp, raw, err);
    *len = n * sizeof *raw;
    (void)cap;
    return rc;
}

aif_code aif_vali_score(aif_validator *v, const char *snap, const aif_subnet_competition *comp, double *raw, aif_err *err)
{
    if (!v->o.evaluator.score)
        return aif_err_set(err, AIF_ENOTSUP, "the evaluator cannot score models");
    struct score_arg a = {v, snap, comp};
    size_t cap = comp->n_tasks * sizeof(double), len;
    aif_code rc = aif_validator_isolate(score_child, &a, v->o.score_timeout, raw, cap, &len, err);
    if (rc == AIF_OK && len != cap)
        rc = aif_err_set(err, AIF_EINTERNAL, "score returned %zu bytes, expected %zu", len, cap);
    return rc;
}
