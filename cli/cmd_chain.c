/* cmd_chain.c: `aif chain ...`: read and write a subtensor chain over
 * JSON-RPC: metagraph, commitments, commit, weights, query, block.
 *
 * The node: --subtensor.chain_endpoint URL, else --subtensor.network NAME
 * (finney, test, archive, local), else $BT_SUBTENSOR_CHAIN_ENDPOINT, else
 * finney. Writes sign with the wallet hotkey (btcli's --wallet.name,
 * --wallet.hotkey, --wallet.path); an encrypted hotkey takes its password
 * from --password-env VAR or btwallet's BT_PW_<PATH> variable. */
#include "cli.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/chain.h"
#include "aif/json.h"
#include "aif/wallet.h"

AIF_COMMAND(chain, "subtensor chain over JSON-RPC: metagraph, commitments, commit, weights, query, block")

typedef struct copts {
    const char *network, *endpoint, *cache_dir;
    const char *wname, *whotkey, *wpath, *password_env, *reveal_state;
    char reveal_default[2400];
    long long netuid;
    long long era;
    long long attempts;
    double timeout;
    int no_wait;
} copts;

#define NODE_OPTS(o)                                                                                              \
    {"subtensor.network", AIF_OPT_STR, &(o).network, "NAME", "finney, test, archive or local (default finney)"}, \
    {"subtensor.chain_endpoint", AIF_OPT_STR, &(o).endpoint, "URL", "node URL (ws://, wss://, http://, https://)"}, \
    {"network", AIF_OPT_STR, &(o).network, "NAME", "same as --subtensor.network"},                                \
    {"chain", AIF_OPT_STR, &(o).endpoint, "URL", "same as --subtensor.chain_endpoint"},                           \
    {"timeout", AIF_OPT_DOUBLE, &(o).timeout, "S", "per-request timeout in seconds (default 30)"},              \
    {"attempts", AIF_OPT_INT, &(o).attempts, "N", "tries per request on connection failures (default 3)"},     \
    {"cache-dir", AIF_OPT_STR, &(o).cache_dir, "DIR", "metadata cache (default $XDG_CACHE_HOME/aif/chain)"}

#define WALLET_OPTS(o)                                                                                            \
    {"wallet.name", AIF_OPT_STR, &(o).wname, "NAME", "wallet name (default $BT_WALLET_NAME or \"default\")"},    \
    {"wallet.hotkey", AIF_OPT_STR, &(o).whotkey, "NAME", "hotkey name (default $BT_WALLET_HOTKEY or \"default\")"}, \
    {"wallet.path", AIF_OPT_STR, &(o).wpath, "DIR", "wallets root (default ~/.bittensor/wallets)"},              \
    {"wallet-name", AIF_OPT_STR, &(o).wname, "NAME", "same as --wallet.name"},                                   \
    {"wallet-hotkey", AIF_OPT_STR, &(o).whotkey, "NAME", "same as --wallet.hotkey"},                             \
    {"wallet-path", AIF_OPT_STR, &(o).wpath, "DIR", "same as --wallet.path"},                                    \
    {"password-env", AIF_OPT_STR, &(o).password_env, "VAR", "password of an encrypted hotkey from $VAR"},         \
    {"era", AIF_OPT_INT, &(o).era, "N", "mortal era period in blocks (default 128; 0: immortal)"},               \
    {"no-wait", AIF_OPT_FLAG, &(o).no_wait, NULL, "return once the node accepted the extrinsic"},                \
    {"reveal-state", AIF_OPT_STR, &(o).reveal_state, "FILE",                                                      \
     "where unrevealed weight commits are kept (default <wallet>/aif_weight_commits.json)"}

static aif_code open_chain(const copts *o, aif_chain *c, aif_err *err)
{
    aif_chain_subtensor_opts so;
    aif_chain_subtensor_opts_default(&so);
    if (o->timeout > 0)
        so.timeout_s = o->timeout;
    if (o->era >= 0)
        so.era_period = (uint32_t)o->era;
    if (o->attempts > 0)
        so.max_attempts = (int)o->attempts;
    so.wait_for_inclusion = !o->no_wait;
    so.reveal_state_path = o->reveal_state;
    char cache[2048];
    aif_cli_chain_cache_dir(cache, sizeof cache);
    if (o->cache_dir)
        so.cache_dir = o->cache_dir;
    else if (cache[0])
        so.cache_dir = cache;
    const char *where = o->endpoint ? o->endpoint : o->network;
    if (!where)
        where = getenv("BT_SUBTENSOR_CHAIN_ENDPOINT");
    return aif_chain_subtensor_open(where ? where : "finney", &so, c, err);
}

static int netuid_ok(const copts *o)
{
    if (o->netuid < 0 || o->netuid > 65535) {
        aif_cli_usage_error("--netuid N is required (0..65535)");
        return 0;
    }
    return 1;
}

/* The wallet hotkey as an sr25519 signer; the reveal-state file defaults
 * to <wallet>/aif_weight_commits.json. Release sg after use. */
static aif_code load_signer(copts *o, aif_cli_signer *sg, aif_err *err)
{
    aif_code rc = aif_cli_load_signer(o->wpath, o->wname, o->whotkey, o->password_env, 1, sg, err);
    if (rc == AIF_OK && !o->reveal_state) {
        snprintf(o->reveal_default, sizeof o->reveal_default, "%s/aif_weight_commits.json", sg->wallet_dir);
        o->reveal_state = o->reveal_default;
    }
    return rc;
}

#define COMMON_INIT(o)                                                                                            \
    copts o = {.netuid = -1, .era = -1};                                                                          \
    char *nopos[1];                                                                                               \
    int n_nopos = 0;                                                                                              \
    (void)nopos, (void)n_nopos

/* Parse --netuid N and the node options (no positionals): -1 to go on,
 * else the exit code. */
static int parse_netuid_only(struct aif_cli *cli, const char *usage, int argc, char **argv, copts *o)
{
    char *nopos[1];
    int n_nopos = 0;
    aif_opt opts[] = {{"netuid", AIF_OPT_INT, &o->netuid, "N", "subnet"}, NODE_OPTS(*o), {NULL}};
    int rc = aif_cli_parse(cli, usage, opts, argc, argv, nopos, 0, &n_nopos);
    if (rc)
        return rc == 1 ? 0 : rc;
    return netuid_ok(o) ? -1 : 2;
}

static int cmd_metagraph(int argc, char **argv, struct aif_cli *cli)
{
    copts o = {.netuid = -1, .era = -1};
    int prc = parse_netuid_only(cli, "aif chain metagraph --netuid N", argc, argv, &o);
    if (prc >= 0)
        return prc;
    aif_err err = {0};
    aif_chain c = {0};
    aif_metagraph mg = {0};
    if (open_chain(&o, &c, &err) || aif_chain_metagraph(&c, (uint16_t)o.netuid, &mg, &err)) {
        if (c.ops)
            aif_chain_close(&c);
        return aif_cli_fail(&err);
    }
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kint(&j, "netuid", mg.netuid);
        aif_json_kint(&j, "block", (int64_t)mg.block);
        aif_json_key(&j, "neurons");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < mg.n; i++) {
            const aif_neuron *n = &mg.neurons[i];
            aif_json_obj_begin(&j);
            aif_json_kint(&j, "uid", n->uid);
            aif_json_kstr(&j, "hotkey", n->hotkey);
            aif_json_kstr(&j, "coldkey", n->coldkey);
            aif_json_knum(&j, "stake", n->stake);
            aif_json_kbool(&j, "validator_permit", n->validator_permit);
            aif_json_kint(&j, "registration_block", (int64_t)n->registration_block);
            aif_json_kint(&j, "last_update", (int64_t)n->last_update);
            aif_json_knum(&j, "incentive", n->incentive);
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_key(&j, "weights");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < mg.n_weights; i++) {
            aif_json_arr_begin(&j);
            aif_json_uint(&j, mg.weights[i].src);
            aif_json_uint(&j, mg.weights[i].dest);
            aif_json_uint(&j, mg.weights[i].weight);
            aif_json_arr_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("subnet %u at block %llu: %zu neurons, %zu weights\n", mg.netuid, (unsigned long long)mg.block, mg.n,
               mg.n_weights);
        printf("%5s  %-48s  %-48s  %14s  %6s  %10s  %10s  %9s\n", "uid", "hotkey", "coldkey", "stake(TAO)", "permit",
               "registered", "updated", "incentive");
        for (size_t i = 0; i < mg.n; i++) {
            const aif_neuron *n = &mg.neurons[i];
            printf("%5u  %-48s  %-48s  %14.4f  %6s  %10llu  %10llu  %9.6f\n", n->uid, n->hotkey, n->coldkey, n->stake,
                   n->validator_permit ? "yes" : "no", (unsigned long long)n->registration_block,
                   (unsigned long long)n->last_update, n->incentive);
        }
    }
    aif_metagraph_release(&mg);
    aif_chain_close(&c);
    return 0;
}

static int cmd_commitments(int argc, char **argv, struct aif_cli *cli)
{
    copts o = {.netuid = -1, .era = -1};
    int prc = parse_netuid_only(cli, "aif chain commitments --netuid N", argc, argv, &o);
    if (prc >= 0)
        return prc;
    aif_err err = {0};
    aif_chain c = {0};
    aif_commitment *cs = NULL;
    size_t n = 0;
    if (open_chain(&o, &c, &err) || aif_chain_commitments(&c, (uint16_t)o.netuid, &cs, &n, &err)) {
        if (c.ops)
            aif_chain_close(&c);
        return aif_cli_fail(&err);
    }
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < n; i++) {
            aif_json_obj_begin(&j);
            aif_json_kint(&j, "uid", cs[i].uid);
            aif_json_kstr(&j, "hotkey", cs[i].hotkey);
            aif_json_kint(&j, "block", (int64_t)cs[i].block);
            aif_json_key(&j, "data");
            aif_json_strn(&j, cs[i].data, cs[i].len);
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_end(&j);
    } else {
        printf("%5s  %-48s  %10s  %s\n", "uid", "hotkey", "block", "data");
        for (size_t i = 0; i < n; i++)
            printf("%5u  %-48s  %10llu  %.*s\n", cs[i].uid, cs[i].hotkey, (unsigned long long)cs[i].block,
                   (int)cs[i].len, cs[i].data);
    }
    aif_free(cs);
    aif_chain_close(&c);
    return 0;
}

static int cmd_commit(int argc, char **argv, struct aif_cli *cli)
{
    COMMON_INIT(o);
    aif_opt opts[] = {{"netuid", AIF_OPT_INT, &o.netuid, "N", "subnet"}, NODE_OPTS(o), WALLET_OPTS(o), {NULL}};
    char *pos[1];
    int npos = 0;
    int rc = aif_cli_parse(cli, "aif chain commit TEXT --netuid N [--wallet.name W --wallet.hotkey H]", opts, argc,
                           argv, pos, 1, &npos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (npos != 1)
        return aif_cli_usage_error("commit takes the text to commit (up to %d bytes)", AIF_CHAIN_MAX_COMMITMENT);
    if (!netuid_ok(&o))
        return 2;
    aif_err err = {0};
    aif_chain c = {0};
    aif_cli_signer sg;
    const aif_chain_signer *s = &sg.s;
    if (load_signer(&o, &sg, &err) || open_chain(&o, &c, &err) ||
        aif_chain_commit(&c, s, (uint16_t)o.netuid, pos[0], strlen(pos[0]), &err)) {
        if (c.ops)
            aif_chain_close(&c);
        aif_cli_signer_release(&sg);
        return aif_cli_fail(&err);
    }
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "hotkey", s->ss58);
        aif_json_kint(&j, "netuid", o.netuid);
        aif_json_kstr(&j, "data", pos[0]);
        aif_json_kbool(&j, "included", !o.no_wait);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else
        printf("committed %zu bytes on subnet %lld as %s%s\n", strlen(pos[0]), o.netuid, s->ss58,
               o.no_wait ? " (submitted, not waited for)" : "");
    aif_chain_close(&c);
    aif_cli_signer_release(&sg);
    return 0;
}

/* "0,5,7" -> numbers; returns the count or -1. */
static long parse_list(const char *s, double *out, size_t cap)
{
    size_t n = 0;
    while (s && *s) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || n == cap || !isfinite(v))
            return -1;
        out[n++] = v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return (long)n;
}

static int cmd_weights(int argc, char **argv, struct aif_cli *cli)
{
    COMMON_INIT(o);
    const char *uids_s = NULL, *weights_s = NULL;
    long long version = 0;
    aif_opt opts[] = {{"netuid", AIF_OPT_INT, &o.netuid, "N", "subnet"},
                      {"uids", AIF_OPT_STR, &uids_s, "LIST", "comma-separated uids"},
                      {"weights", AIF_OPT_STR, &weights_s, "LIST", "comma-separated weights (normalised like the SDK)"},
                      {"version-key", AIF_OPT_INT, &version, "K", "weights version key (default 0)"},
                      NODE_OPTS(o), WALLET_OPTS(o), {NULL}};
    int rc = aif_cli_parse(cli, "aif chain weights --netuid N --uids 0,5 --weights 1,0.5", opts, argc, argv, nopos, 0,
                           &n_nopos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (!netuid_ok(&o))
        return 2;
    enum { MAXW = 65536 };
    double *u = malloc(MAXW * sizeof *u), *w = malloc(MAXW * sizeof *w);
    uint16_t *uids = malloc(MAXW * sizeof *uids);
    float *wf = malloc(MAXW * sizeof *wf);
    long nu = parse_list(uids_s, u, MAXW), nw = parse_list(weights_s, w, MAXW);
    int ret = 0;
    if (!u || !w || !uids || !wf || nu < 1 || nu != nw || version < 0) {
        ret = aif_cli_usage_error("--uids and --weights need the same number (>= 1) of comma-separated values");
        goto out;
    }
    for (long i = 0; i < nu; i++) {
        if (u[i] < 0 || u[i] > 65535 || u[i] != floor(u[i])) {
            ret = aif_cli_usage_error("uid %g is not in 0..65535", u[i]);
            goto out;
        }
        uids[i] = (uint16_t)u[i];
        wf[i] = (float)w[i];
    }
    aif_err err = {0};
    aif_chain c = {0};
    aif_cli_signer sg;
    const aif_chain_signer *s = &sg.s;
    size_t n_set = 0;
    if (load_signer(&o, &sg, &err) || open_chain(&o, &c, &err) ||
        aif_chain_set_weights(&c, s, (uint16_t)o.netuid, uids, wf, (size_t)nu, (uint64_t)version, &n_set, &err)) {
        if (c.ops)
            aif_chain_close(&c);
        aif_cli_signer_release(&sg);
        ret = aif_cli_fail(&err);
        goto out;
    }
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "hotkey", s->ss58);
        aif_json_kint(&j, "netuid", o.netuid);
        aif_json_kint(&j, "weights_set", (int64_t)n_set);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else
        printf("set %zu weights on subnet %lld as %s\n", n_set, o.netuid, s->ss58);
    aif_chain_close(&c);
    aif_cli_signer_release(&sg);
out:
    free(u);
    free(w);
    free(uids);
    free(wf);
    return ret;
}

static int cmd_reveal(int argc, char **argv, struct aif_cli *cli)
{
    COMMON_INIT(o);
    aif_opt opts[] = {{"netuid", AIF_OPT_INT, &o.netuid, "N", "subnet"}, NODE_OPTS(o), WALLET_OPTS(o), {NULL}};
    int rc = aif_cli_parse(cli, "aif chain reveal --netuid N [--wallet.name W --wallet.hotkey H]", opts, argc, argv,
                           nopos, 0, &n_nopos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (!netuid_ok(&o))
        return 2;
    aif_err err = {0};
    aif_chain c = {0};
    aif_cli_signer sg;
    const aif_chain_signer *s = &sg.s;
    size_t left = 0;
    if (load_signer(&o, &sg, &err) || open_chain(&o, &c, &err) ||
        aif_chain_subtensor_reveal_pending(aif_chain_subtensor_from(&c), s, (uint16_t)o.netuid, &left, &err)) {
        if (c.ops)
            aif_chain_close(&c);
        aif_cli_signer_release(&sg);
        return aif_cli_fail(&err);
    }
    if (cli->json)
        printf("{\"netuid\": %lld, \"hotkey\": \"%s\", \"commits_waiting\": %zu}\n", o.netuid, s->ss58, left);
    else
        printf("%zu weight commit(s) of %s on subnet %lld still waiting for their reveal epoch\n", left, s->ss58,
               o.netuid);
    aif_chain_close(&c);
    aif_cli_signer_release(&sg);
    return 0;
}

static int cmd_query(int argc, char **argv, struct aif_cli *cli)
{
    COMMON_INIT(o);
    long long block = -1;
    aif_opt opts[] = {{"block", AIF_OPT_INT, &block, "N", "read at block N (default: best)"}, NODE_OPTS(o), {NULL}};
    char *pos[3];
    int npos = 0;
    int rc = aif_cli_parse(cli, "aif chain query PALLET ENTRY ['[key, ...]']", opts, argc, argv, pos, 3, &npos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (npos < 2)
        return aif_cli_usage_error("query takes PALLET ENTRY and optionally the keys as a JSON array");
    aif_err err = {0};
    aif_chain c = {0};
    char *out = NULL;
    if (open_chain(&o, &c, &err) ||
        aif_chain_subtensor_query(aif_chain_subtensor_from(&c), pos[0], pos[1], npos == 3 ? pos[2] : "[]",
                            block < 0 ? UINT64_MAX : (uint64_t)block, &out, &err)) {
        if (c.ops)
            aif_chain_close(&c);
        return aif_cli_fail(&err);
    }
    printf("%s\n", out);
    aif_free(out);
    aif_chain_close(&c);
    return 0;
}

static int cmd_block(int argc, char **argv, struct aif_cli *cli)
{
    COMMON_INIT(o);
    aif_opt opts[] = {NODE_OPTS(o), {NULL}};
    char *pos[1];
    int npos = 0;
    int rc = aif_cli_parse(cli, "aif chain block [N]", opts, argc, argv, pos, 1, &npos);
    if (rc)
        return rc == 1 ? 0 : rc;
    aif_err err = {0};
    aif_chain c = {0};
    uint64_t n = 0;
    char hash[67];
    if (open_chain(&o, &c, &err))
        return aif_cli_fail(&err);
    if (npos) {
        char *end;
        n = strtoull(pos[0], &end, 10);
        if (*end || !*pos[0]) {
            aif_chain_close(&c);
            return aif_cli_usage_error("block number expected, got \"%s\"", pos[0]);
        }
    } else if (aif_chain_current_block(&c, &n, &err)) {
        aif_chain_close(&c);
        return aif_cli_fail(&err);
    }
    if (aif_chain_block_hash(&c, n, hash, &err)) {
        aif_chain_close(&c);
        return aif_cli_fail(&err);
    }
    if (cli->json)
        printf("{\"block\": %llu, \"hash\": \"%s\"}\n", (unsigned long long)n, hash);
    else
        printf("%llu %s\n", (unsigned long long)n, hash);
    aif_chain_close(&c);
    return 0;
}

static const aif_subcmd subs[] = {
    {"metagraph", cmd_metagraph, "neurons of a subnet (uid, keys, stake, permit, blocks, incentive) and weights"},
    {"commitments", cmd_commitments, "every registered hotkey's commitment on a subnet, with its block"},
    {"commit", cmd_commit, "set_commitment of TEXT (Raw, <= 128 bytes) signed by the wallet hotkey"},
    {"weights", cmd_weights, "set weights (commit/reveal where the subnet requires it)"},
    {"reveal", cmd_reveal, "reveal the hash weight commits whose reveal epoch has come"},
    {"query", cmd_query, "read any storage entry: PALLET ENTRY [KEYS_JSON] [--block N]"},
    {"block", cmd_block, "current block number and hash, or the hash of block N"},
    {NULL, NULL, NULL},
};

int aif_cmd_chain(int argc, char **argv, struct aif_cli *cli)
{
    return aif_cli_dispatch("chain", subs, argc, argv, cli);
}
