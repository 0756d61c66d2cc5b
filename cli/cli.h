/* cli.h: what the subcommands of `aif` share: the global options, an
 * option-table parser (git's parse-options idea) and error printing.
 *
 * A subcommand lives in cli/cmd_<name>.c, defines
 *     int aif_cmd_<name>(int argc, char **argv, struct aif_cli *cli)
 * and announces itself with one line at file scope:
 *     AIF_COMMAND(<name>, "one-line help")
 * The Makefile collects those lines into the command table of cli/aif.c.
 * argv[0] is the subcommand's name. Exit status: 0 success, 1 failure,
 * 2 usage error, 130 interrupted.
 */
#ifndef AIF_CLI_H
#define AIF_CLI_H

#include "aif/aif.h"

#define AIF_COMMAND(name, help)

struct aif_cli {
    int json;        /* --json: one JSON document on stdout */
    int threads;     /* --threads N (0: all cores) */
    int verbose;     /* -v */
    int quiet;       /* -q: no progress bars, errors only */
};

enum aif_opt_type {
    AIF_OPT_FLAG,    /* int: set to 1 */
    AIF_OPT_INT,     /* long long */
    AIF_OPT_DOUBLE,  /* double */
    AIF_OPT_STR,     /* const char * (points into argv) */
};

typedef struct aif_opt {
    const char *name;    /* long name without "--" (dots allowed: "wallet.name") */
    enum aif_opt_type type;
    void *target;
    const char *argname; /* shown in --help ("N", "FILE"); NULL for flags */
    const char *help;
} aif_opt;

/* Parse argv[1..argc): options from `opts` (terminated by a {NULL} row) and
 * the global ones (--json, --threads N, -v, -q, -h/--help), anywhere on the
 * line; `--name value` and `--name=value` both work; "--" ends options.
 * Positional arguments go to pos[0..max_pos). Returns 0 to go on, 1 when
 * --help was printed (the command returns 0), or 2 after printing a usage
 * error. `usage` is "aif model score DIR --tokens FILE" style text. */
int aif_cli_parse(struct aif_cli *cli, const char *usage, const aif_opt *opts, int argc, char **argv, char **pos,
                  int max_pos, int *n_pos);
/* Print the option table of a command. */
void aif_cli_print_help(FILE *f, const char *usage, const aif_opt *opts);
/* Print "aif: error: <msg>" to stderr and return 1 (130 for AIF_ECANCELED). */
int aif_cli_fail(const aif_err *err);
/* Print "aif: <fmt>" usage error and return 2. */
int aif_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Dispatch `aif <cmd> <sub> ...` to a table of nested subcommands. */
typedef struct aif_subcmd {
    const char *name;
    int (*fn)(int argc, char **argv, struct aif_cli *cli);
    const char *help;
} aif_subcmd;
int aif_cli_dispatch(const char *cmd, const aif_subcmd *subs, int argc, char **argv, struct aif_cli *cli);

#endif
