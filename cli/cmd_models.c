/* cmd_models.c: `aif models` (every miner's commitment, parsed) and
 * `aif best` (best_uid of spec 9.3) over the chain. */
#include "cli.h"

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/json.h"
#include "aif/local.h"
#include "aif/miner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

AIF_COMMAND(models, "list every miner's committed model (uid, hotkey, repo, commit, competition, block)")
AIF_COMMAND(best, "the best uid by incentive for a competition (best_uid) and its repo")

typedef struct {
    const char *local, *chain_kind, *chain_path;
    long long netuid, competition;
} chain_args;

#define CHAIN_OPTS(a)                                                                                              \
    {"local", AIF_OPT_STR, &(a).local, "DIR", "the local subnet in DIR (default ./aif-local)"},                   \
        {"chain", AIF_OPT_STR, &(a).chain_kind, "KIND", "local (default) or a subtensor network/URL (finney, test)"}, \
        {"chain.path", AIF_OPT_STR, &(a).chain_path, "FILE", "the local chain database"},                          \
        {"netuid", AIF_OPT_INT, &(a).netuid, "N", "subnet (default: the local subnet's, else 80)"},                 \
        {"competition", AIF_OPT_INT, &(a).competition, "ID", "only this competition"}

/* Open the chain the options name (close with close_chain); fills *netuid. */
static int open_chain(chain_args *a, aif_local_chain **lc, aif_chain *ch, uint16_t *netuid, aif_err *err)
{
    *lc = NULL;
    if (strcmp(a->chain_kind, "local")) {
        if (a->netuid < 0)
            a->netuid = 80;
        if (a->netuid > 65535)
            return aif_cli_usage_error("--netuid must be 0..65535");
        *netuid = (uint16_t)a->netuid;
        return aif_cli_open_chain(a->chain_kind, NULL, lc, ch, err) != AIF_OK ? aif_cli_fail(err) : 0;
    }
    aif_local_dir d;
    double bt = 12;
    const char *path = a->chain_path;
    if (!path) {
        if (aif_local_dir_load(a->local ? a->local : "aif-local", &d, err) != AIF_OK)
            return aif_cli_fail(err);
        path = d.chain;
        bt = d.block_time;
        if (a->netuid < 0)
            a->netuid = d.netuid;
    }
    if (a->netuid < 0)
        a->netuid = 80;
    if (a->netuid > 65535)
        return aif_cli_usage_error("--netuid must be 0..65535");
    *netuid = (uint16_t)a->netuid;
    if (!aif_fs_exists(path)) {
        aif_err_set(err, AIF_ENOTFOUND, "%s: no chain database", path);
        return aif_cli_fail(err);
    }
    aif_local_chain_opts co = {bt, NULL, NULL, 0};
    if (aif_local_chain_open(path, &co, lc, err) != AIF_OK)
        return aif_cli_fail(err);
    *ch = aif_local_chain_as_chain(*lc);
    return 0;
}

static void close_chain(aif_local_chain *lc, aif_chain *ch)
{
    if (lc)
        aif_local_chain_close(lc);
    else
        aif_chain_close(ch);
}

/* Parse the chain options (usage: the usage line) and open that chain:
 * -1 to go on, else the exit code. */
static int parse_and_open(struct aif_cli *cli, const char *usage, int argc, char **argv, chain_args *a,
                          aif_local_chain **lc, aif_chain *ch, uint16_t *netuid, aif_err *err)
{
    aif_opt opts[] = {
        CHAIN_OPTS(*a),
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, prc = aif_cli_parse(cli, usage, opts, argc, argv, pos, 0, &n_pos);
    if (prc)
        return prc == 1 ? 0 : prc;
    int orc = open_chain(a, lc, ch, netuid, err);
    return orc ? orc : -1;
}

int aif_cmd_models(int argc, char **argv, struct aif_cli *cli)
{
    chain_args a = {NULL, "local", NULL, -1, -1};
    aif_err err = {0};
    aif_local_chain *lc = NULL;
    uint16_t netuid;
    aif_chain ch = {0};
    int orc = parse_and_open(cli, "aif models [--local DIR | --chain.path FILE] [--competition ID] [--json]", argc, argv, &a, &lc, &ch, &netuid, &err);
    if (orc >= 0)
        return orc;
    aif_miner_entry *e = NULL;
    size_t n = 0;
    uint64_t block = 0;
    aif_code rc = aif_chain_current_block(&ch, &block, &err);
    if (rc == AIF_OK)
        rc = aif_miner_list(&ch, netuid, &e, &n, &err);
    close_chain(lc, &ch);
    if (rc != AIF_OK)
        return aif_cli_fail(&err);
    aif_json j;
    if (cli->json) {
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kint(&j, "netuid", netuid);
        aif_json_kint(&j, "block", (int64_t)block);
        aif_json_key(&j, "models");
        aif_json_arr_begin(&j);
    } else {
        printf("%4s  %-48s  %-30s  %-40s  %4s  %8s\n", "uid", "hotkey", "repo", "commit", "comp", "block");
    }
    for (size_t i = 0; i < n; i++) {
        if (a.competition >= 0 && (!e[i].valid || e[i].id.competition_id != a.competition))
            continue;
        char repo[300];
        snprintf(repo, sizeof repo, "%s/%s", e[i].id.ns, e[i].id.name);
        if (cli->json) {
            aif_json_obj_begin(&j);
            aif_json_kint(&j, "uid", e[i].uid);
            aif_json_kstr(&j, "hotkey", e[i].hotkey);
            aif_json_kint(&j, "block", (int64_t)e[i].block);
            aif_json_kbool(&j, "valid", e[i].valid);
            if (e[i].valid) {
                aif_json_kstr(&j, "repo", repo);
                aif_json_kstr(&j, "commit", e[i].id.has_commit ? e[i].id.commit : NULL);
                aif_json_kstr(&j, "secure_hash", e[i].id.has_secure_hash ? e[i].id.secure_hash : NULL);
                aif_json_kint(&j, "competition_id", e[i].id.competition_id);
            } else {
                aif_json_kstr(&j, "raw", e[i].raw);
            }
            aif_json_knum(&j, "incentive", e[i].incentive);
            aif_json_obj_end(&j);
        } else if (e[i].valid) {
            printf("%4u  %-48s  %-30s  %-40s  %4d  %8llu\n", e[i].uid, e[i].hotkey, repo,
                   e[i].id.has_commit ? e[i].id.commit : "None", e[i].id.competition_id,
                   (unsigned long long)e[i].block);
        } else {
            printf("%4u  %-48s  (not a model id: %.60s)  %8llu\n", e[i].uid, e[i].hotkey, e[i].raw,
                   (unsigned long long)e[i].block);
        }
    }
    if (cli->json) {
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    }
    aif_free(e);
    return 0;
}

int aif_cmd_best(int argc, char **argv, struct aif_cli *cli)
{
    chain_args a = {NULL, "local", NULL, -1, -1};
    aif_err err = {0};
    aif_local_chain *lc = NULL;
    uint16_t netuid;
    aif_chain ch = {0};
    int orc = parse_and_open(cli, "aif best [--competition ID] [--local DIR | --chain.path FILE] [--json]", argc, argv, &a, &lc, &ch, &netuid, &err);
    if (orc >= 0)
        return orc;
    aif_metagraph mg = {0};
    aif_miner_entry *e = NULL;
    size_t n = 0;
    aif_code rc = aif_chain_metagraph(&ch, netuid, &mg, &err);
    if (rc == AIF_OK)
        rc = aif_miner_list(&ch, netuid, &e, &n, &err);
    close_chain(lc, &ch);
    if (rc != AIF_OK) {
        aif_metagraph_release(&mg);
        return aif_cli_fail(&err);
    }
    /* the competition: --competition, else the one most miners committed to */
    int comp = (int)a.competition;
    if (comp < 0) {
        int counts[100] = {0}, best_c = -1;
        for (size_t i = 0; i < n; i++)
            if (e[i].valid && e[i].id.competition_id >= 0 && e[i].id.competition_id < 100 &&
                ++counts[e[i].id.competition_id] > (best_c < 0 ? 0 : counts[best_c]))
                best_c = e[i].id.competition_id;
        comp = best_c < 0 ? 1 : best_c;
    }
    double *inc = aif_calloc(mg.n ? mg.n : 1, sizeof *inc);
    const char *source = "chain";
    int any = 0;
    for (size_t i = 0; inc && i < mg.n; i++)
        if ((inc[i] = mg.neurons[i].incentive) > 0)
            any = 1;
    if (inc && !any && mg.n_weights) {
        aif_miner_incentive_from_weights(&mg, inc);
        source = "weights";
    }
    int best = inc ? aif_miner_best_uid(inc, mg.n, e, n, comp) : -1;
    const aif_miner_entry *be = NULL;
    for (size_t i = 0; best >= 0 && i < n; i++)
        if (e[i].uid == best)
            be = &e[i];
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kint(&j, "competition_id", comp);
        aif_json_kstr(&j, "incentive_source", source);
        aif_json_key(&j, "uid");
        if (be)
            aif_json_int(&j, best);
        else
            aif_json_null(&j);
        if (be) {
            char repo[300];
            snprintf(repo, sizeof repo, "%s/%s", be->id.ns, be->id.name);
            aif_json_kstr(&j, "hotkey", be->hotkey);
            aif_json_kstr(&j, "repo", repo);
            aif_json_kstr(&j, "commit", be->id.has_commit ? be->id.commit : NULL);
            aif_json_knum(&j, "incentive", inc[best]);
            char url[700];
            snprintf(url, sizeof url, "https://huggingface.co/%s/tree/%s", repo,
                     be->id.has_commit ? be->id.commit : "main");
            aif_json_kstr(&j, "url", url);
        }
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else if (be) {
        printf("best uid for competition %d: %d (incentive %.6f, %s)\n", comp, best, inc[best],
               strcmp(source, "chain") ? "estimated from the weights: the local chain computes no incentive"
               : any ? "from the chain" : "every incentive is 0: ties go to the higher uid");
        printf("  hotkey  %s\n  repo    %s/%s\n  commit  %s\n", be->hotkey, be->id.ns, be->id.name,
               be->id.has_commit ? be->id.commit : "None");
    } else {
        printf("no best uid for competition %d (none of the top 5 by incentive committed a model for it)\n", comp);
    }
    aif_free(inc);
    aif_free(e);
    aif_metagraph_release(&mg);
    return be ? 0 : 1;
}
