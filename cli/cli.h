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
#include "aif/chain.h"
#include "aif/crypto.h"
#include "aif/hub.h"
#include "aif/local.h"

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

/* --- backends shared by push, validator and chain (cli/backends.c) --- */

/* The chain a command names: kind "local" with `where` the chain database
 * (*lc set, close it after the chain), or a subtensor network name / URL
 * ("finney", "test", "local-node"... see aif_chain_subtensor_endpoint) with
 * `where` ignored when kind itself is the network. */
aif_code aif_cli_open_chain(const char *kind, const char *where, aif_local_chain **lc, aif_chain *out, aif_err *err);
/* Metadata cache of the subtensor client: $XDG_CACHE_HOME/aif/chain or
 * ~/.cache/aif/chain; "" when neither is known. */
void aif_cli_chain_cache_dir(char *out, size_t cap);
/* The hash of the sync block of `block` (reference 5.2: floor(block/150)*150)
 * from the chain the command names (kind as aif_cli_open_chain), for
 * --seed-block N without --block-hash. */
aif_code aif_cli_sync_block_hash(const char *kind, const char *where, uint64_t block, char out[67], aif_err *err);
/* Page cache of the evaluation data (data, eval): $AIF_DATA_CACHE, else
 * $XDG_CACHE_HOME/aif/datasets, else ~/.cache/aif/datasets (written into
 * buf unless it is $AIF_DATA_CACHE itself). */
const char *aif_cli_data_cache_dir(char *buf, size_t cap);
/* Whether the HF token may go to the datasets-server at endpoint (NULL:
 * $AIF_DATASETS_SERVER or the default): only to the Hugging Face one, never
 * to another host (the reference sends none; gated datasets need it). */
int aif_cli_data_send_token(const char *endpoint);
/* The competition of --competition comp_id (>= 0), else the first slot of
 * schedule sched (NULL: "main") now (check, eval). 0 with *out set, else
 * the exit code (usage error or failure, reported) with comps freed. */
int aif_cli_pick_competition(aif_subnet_competitions *comps, long long comp_id, const char *sched,
                             const aif_subnet_competition **out, aif_err *err);
/* The hub a command names: "local" (a directory) or "hf" (the Hugging Face Hub). */
aif_code aif_cli_open_hub(const char *kind, const char *path, int quiet, aif_hub *out, aif_err *err);

/* A wallet hotkey as a chain signer. With need_secret the hotkey file is
 * decrypted (password from $password_env or btwallet's BT_PW_<PATH>) and
 * the signer signs with sr25519; without, only the public hotkey file is
 * read (enough for the local chain). */
typedef struct aif_cli_signer {
    aif_chain_signer s;
    aif_chain_sr25519_ctx ctx;
    aif_crypto_keypair *kp;
    char wallet_dir[2048];  /* <path>/<name> */
} aif_cli_signer;
aif_code aif_cli_load_signer(const char *wpath, const char *wname, const char *whotkey, const char *password_env,
                             int need_secret, aif_cli_signer *out, aif_err *err);
void aif_cli_signer_release(aif_cli_signer *s);

#endif
