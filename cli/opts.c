/* opts.c: option tables, usage errors and nested dispatch for cli/. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const aif_opt *find_opt(const aif_opt *opts, const char *name, size_t n)
{
    for (const aif_opt *o = opts; o && o->name; o++)
        if (strlen(o->name) == n && !strncmp(o->name, name, n))
            return o;
    return NULL;
}

void aif_cli_print_help(FILE *f, const char *usage, const aif_opt *opts)
{
    fprintf(f, "usage: %s\n", usage);
    for (const aif_opt *o = opts; o && o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->argname ? " " : "", o->argname ? o->argname : "");
        fprintf(f, "  %-28s %s\n", left, o->help);
    }
    fprintf(f, "  %-28s %s\n", "--json", "print one JSON document on stdout");
    fprintf(f, "  %-28s %s\n", "--threads N", "worker threads (default: all cores)");
    fprintf(f, "  %-28s %s\n", "-v, -q", "more logging / no progress, errors only");
}

int aif_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("aif: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

int aif_cli_fail(const aif_err *err)
{
    fprintf(stderr, "aif: error: %s\n", err->msg[0] ? err->msg : aif_code_text(err->code));
    return err->code == AIF_ECANCELED ? 130 : 1;
}

static int set_value(const aif_opt *o, const char *v, const char *usage)
{
    char *end;
    errno = 0;
    switch (o->type) {
    case AIF_OPT_FLAG:
        *(int *)o->target = 1;
        return 0;
    case AIF_OPT_INT: {
        long long x = strtoll(v, &end, 0);
        if (errno || end == v || *end)
            return aif_cli_usage_error("--%s: '%s' is not an integer (usage: %s)", o->name, v, usage);
        *(long long *)o->target = x;
        return 0;
    }
    case AIF_OPT_DOUBLE: {
        double x = strtod(v, &end);
        if (errno || end == v || *end)
            return aif_cli_usage_error("--%s: '%s' is not a number (usage: %s)", o->name, v, usage);
        *(double *)o->target = x;
        return 0;
    }
    case AIF_OPT_STR:
        *(const char **)o->target = v;
        return 0;
    }
    return 2;
}

int aif_cli_parse(struct aif_cli *cli, const char *usage, const aif_opt *opts, int argc, char **argv, char **pos,
                  int max_pos, int *n_pos)
{
    static int g_json;
    static long long g_threads = -1;
    const aif_opt globals[] = {
        {"json", AIF_OPT_FLAG, &g_json, NULL, ""},
        {"threads", AIF_OPT_INT, &g_threads, "N", ""},
        {NULL, 0, NULL, NULL, NULL},
    };
    g_json = cli->json;
    g_threads = -1;
    *n_pos = 0;
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (*n_pos >= max_pos)
                return aif_cli_usage_error("unexpected argument '%s' (usage: %s)", a, usage);
            pos[(*n_pos)++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) {
            only_pos = 1;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            aif_cli_print_help(stdout, usage, opts);
            return 1;
        }
        if (!strcmp(a, "-v")) {
            cli->verbose++;
            continue;
        }
        if (!strcmp(a, "-q")) {
            cli->quiet = 1;
            continue;
        }
        if (a[1] != '-')
            return aif_cli_usage_error("unknown option '%s' (usage: %s)", a, usage);
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        const aif_opt *o = find_opt(opts, name, n);
        if (!o)
            o = find_opt(globals, name, n);
        if (!o)
            return aif_cli_usage_error("unknown option '--%.*s' (try --help)", (int)n, name);
        const char *v = NULL;
        if (o->type == AIF_OPT_FLAG) {
            if (eq)
                return aif_cli_usage_error("--%s takes no value", o->name);
        } else if (eq) {
            v = eq + 1;
        } else if (i + 1 < argc) {
            v = argv[++i];
        } else {
            return aif_cli_usage_error("--%s needs a value (usage: %s)", o->name, usage);
        }
        if (set_value(o, v, usage))
            return 2;
    }
    cli->json = g_json;
    if (g_threads >= 0) {
        if (g_threads > 1024)
            return aif_cli_usage_error("--threads %lld is above 1024", g_threads);
        cli->threads = (int)g_threads;
    }
    if (cli->verbose)
        aif_log_set_level(cli->verbose > 1 ? AIF_LOG_DEBUG : AIF_LOG_INFO);
    if (cli->quiet)
        aif_log_set_level(AIF_LOG_ERROR);
    return 0;
}

int aif_cli_dispatch(const char *cmd, const aif_subcmd *subs, int argc, char **argv, struct aif_cli *cli)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        FILE *f = argc < 2 ? stderr : stdout;
        fprintf(f, "usage: aif %s <command> [options]\n\n", cmd);
        for (const aif_subcmd *s = subs; s->name; s++)
            fprintf(f, "  %-14s %s\n", s->name, s->help);
        return argc < 2 ? 2 : 0;
    }
    for (const aif_subcmd *s = subs; s->name; s++)
        if (!strcmp(s->name, argv[1]))
            return s->fn(argc - 1, argv + 1, cli);
    return aif_cli_usage_error("'%s %s' is not a command (see 'aif %s --help')", cmd, argv[1], cmd);
}
