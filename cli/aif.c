/* aif.c: main() and the command table. The table is generated from the
 * AIF_COMMAND(name, help) lines of cli/cmd_*.c (see the Makefile). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#undef AIF_COMMAND
#define AIF_COMMAND(name, help) int aif_cmd_##name(int argc, char **argv, struct aif_cli *cli);
#include "commands.inc"
#undef AIF_COMMAND

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv, struct aif_cli *cli);
    const char *help;
} commands[] = {
#define AIF_COMMAND(name, help) {#name, aif_cmd_##name, help},
#include "commands.inc"
#undef AIF_COMMAND
};

static void usage(FILE *f)
{
    fprintf(f, "usage: aif [-v|-q] [--json] [--threads N] <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "  %-14s %s\n", "help", "this list");
    fprintf(f, "\n'aif <command> --help' describes each command.\n");
}

/* Levenshtein distance, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];
    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t best = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

int main(int argc, char **argv)
{
    struct aif_cli cli = {0};
    aif_log_init_from_env();
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--json"))
            cli.json = 1;
        else if (!strcmp(argv[i], "-v"))
            cli.verbose++;
        else if (!strcmp(argv[i], "-q"))
            cli.quiet = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            cli.threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--version")) {
            printf("aif %s\n", AIF_VERSION);
            return 0;
        } else
            return aif_cli_usage_error("unknown option '%s' (see 'aif help')", argv[i]);
    }
    if (cli.verbose)
        aif_log_set_level(cli.verbose > 1 ? AIF_LOG_DEBUG : AIF_LOG_INFO);
    if (cli.quiet)
        aif_log_set_level(AIF_LOG_ERROR);
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[i], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (!strcmp(commands[c].name, argv[i]))
            return commands[c].fn(argc - i, argv + i, &cli);
    fprintf(stderr, "aif: '%s' is not an aif command.", argv[i]);
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (distance(argv[i], commands[c].name) <= 2) {
            fprintf(stderr, " Did you mean '%s'?", commands[c].name);
            break;
        }
    fprintf(stderr, " See 'aif help'.\n");
    return 2;
}
