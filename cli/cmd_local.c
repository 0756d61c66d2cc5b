/* cmd_local.c: `aif local init|status|advance|demo-models`, the embedded
 * local subnet (SQLite chain + directory hub + throwaway wallets). */
#include "cli.h"

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/json.h"
#include "aif/local.h"
#include "aif/miner.h"
#include "aif/model.h"
#include "aif/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

AIF_COMMAND(local, "the local subnet: init, status, advance, demo-models")

#define DEFAULT_DIR "aif-local"

static int cmd_init(int argc, char **argv, struct aif_cli *cli)
{
    const char *dir = DEFAULT_DIR;
    long long miners = 3, validators = 1, netuid = 80, tempo = 360, wrl = 100, space = 3100;
    double block_time = 12, genesis = 0;
    int force = 0;
    aif_opt opts[] = {
        {"dir", AIF_OPT_STR, &dir, "DIR", "local subnet directory (default ./aif-local)"},
        {"miners", AIF_OPT_INT, &miners, "N", "miner wallets to create and register (default 3)"},
        {"validators", AIF_OPT_INT, &validators, "M", "validator wallets (stake 1000, permit; default 1)"},
        {"netuid", AIF_OPT_INT, &netuid, "N", "subnet id (default 80)"},
        {"block-time", AIF_OPT_DOUBLE, &block_time, "S", "seconds per block (default 12; 0: only `aif local advance`)"},
        {"tempo", AIF_OPT_INT, &tempo, "N", "blocks per epoch (default 360)"},
        {"weights-rate-limit", AIF_OPT_INT, &wrl, "N", "blocks between weight sets (default 100)"},
        {"commit-max-space", AIF_OPT_INT, &space, "BYTES", "commitment bytes per hotkey per epoch (default 3100)"},
        {"genesis", AIF_OPT_DOUBLE, &genesis, "T", "chain genesis time in Unix seconds (default now); a fixed value "
                                                 "gives the same block hashes and data seeds every time"},
        {"force", AIF_OPT_FLAG, &force, NULL, "replace an existing local subnet in DIR"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, prc = aif_cli_parse(cli, "aif local init [--dir DIR] [--miners N] [--validators M] [--netuid 80] "
                                        "[--block-time S] [--genesis T] [--force]",
                                   opts, argc, argv, pos, 0, &n_pos);
    if (prc)
        return prc == 1 ? 0 : prc;
    if (miners < 1 || miners > 64 || validators < 1 || validators > 16)
        return aif_cli_usage_error("--miners must be 1..64 and --validators 1..16");
    if (netuid < 1 || netuid > 65535 || tempo < 1 || tempo > 65535 || wrl < 0 || space < 0 || space > 4000000000LL)
        return aif_cli_usage_error("--netuid, --tempo, --weights-rate-limit or --commit-max-space out of range");
    if (!(block_time >= 0 && block_time <= 1e6))
        return aif_cli_usage_error("--block-time must be 0..1e6 seconds");
    aif_local_init_opts o = {0};
    o.netuid = (uint16_t)netuid;
    o.n_miners = (int)miners;
    o.n_validators = (int)validators;
    o.block_time = block_time > 0 ? block_time : -1;
    o.params.tempo = (uint16_t)tempo;
    o.params.weights_rate_limit = (uint64_t)wrl;
    o.params.commit_max_space = (uint32_t)space;
    o.force = force;
    if (!(genesis >= 0 && genesis <= 1e11))
        return aif_cli_usage_error("--genesis must be 0..1e11 seconds");
    o.genesis = genesis;
    aif_err err = {0};
    aif_local_member *m = NULL;
    size_t n = 0;
    if (aif_local_dir_init(dir, &o, &m, &n, &err) != AIF_OK)
        return aif_cli_fail(&err);
    aif_local_dir d;
    aif_local_dir_paths(dir, &d, NULL);
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "dir", dir);
        aif_json_kint(&j, "netuid", netuid);
        aif_json_knum(&j, "block_time", block_time);
        aif_json_kstr(&j, "chain", d.chain);
        aif_json_kstr(&j, "hub", d.hub);
        aif_json_kstr(&j, "wallets", d.wallets);
        aif_json_key(&j, "neurons");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < n; i++) {
            aif_json_obj_begin(&j);
            aif_json_kint(&j, "uid", m[i].uid);
            aif_json_kstr(&j, "role", m[i].is_validator ? "validator" : "miner");
            aif_json_kstr(&j, "wallet", m[i].wallet);
            aif_json_kstr(&j, "hotkey", "default");
            aif_json_kstr(&j, "hotkey_ss58", m[i].hotkey_ss58);
            aif_json_kstr(&j, "coldkey_ss58", m[i].coldkey_ss58);
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("local subnet %lld in %s (block time %g s; chain %s, hub %s)\n", netuid, dir, block_time, d.chain,
               d.hub);
        printf("wallets in %s (unencrypted throwaway keys, hotkey \"default\")\n\n", d.wallets);
        printf("%4s  %-9s  %-12s  %s\n", "uid", "role", "wallet", "hotkey ss58");
        for (size_t i = 0; i < n; i++)
            printf("%4u  %-9s  %-12s  %s\n", m[i].uid, m[i].is_validator ? "validator" : "miner", m[i].wallet,
                   m[i].hotkey_ss58);
    }
    aif_free(m);
    return 0;
}

static int open_dir(const char *dir, aif_local_dir *d, aif_local_chain **lc, aif_err *err)
{
    if (aif_local_dir_load(dir, d, err) != AIF_OK)
        return 1;
    aif_local_chain_opts co = {d->block_time, NULL, NULL, 0};
    return aif_local_chain_open(d->chain, &co, lc, err) != AIF_OK;
}

static int cmd_status(int argc, char **argv, struct aif_cli *cli)
{
    const char *dir = DEFAULT_DIR;
    aif_opt opts[] = {
        {"dir", AIF_OPT_STR, &dir, "DIR", "local subnet directory (default ./aif-local)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, prc = aif_cli_parse(cli, "aif local status [--dir DIR] [--json]", opts, argc, argv, pos, 0, &n_pos);
    if (prc)
        return prc == 1 ? 0 : prc;
    aif_err err = {0};
    aif_local_dir d;
    aif_local_chain *lc = NULL;
    if (open_dir(dir, &d, &lc, &err))
        return aif_cli_fail(&err);
    aif_chain ch = aif_local_chain_as_chain(lc);
    uint64_t block = 0;
    aif_metagraph mg = {0};
    aif_miner_entry *e = NULL;
    size_t ne = 0;
    aif_code rc = aif_chain_current_block(&ch, &block, &err);
    if (rc == AIF_OK)
        rc = aif_chain_metagraph(&ch, d.netuid, &mg, &err);
    if (rc == AIF_OK)
        rc = aif_miner_list(&ch, d.netuid, &e, &ne, &err);
    aif_local_chain_close(lc);
    if (rc != AIF_OK) {
        aif_metagraph_release(&mg);
        return aif_cli_fail(&err);
    }
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "dir", dir);
        aif_json_kint(&j, "block", (int64_t)block);
        aif_json_key(&j, "subnet");
        aif_json_obj_begin(&j);
        aif_json_kint(&j, "netuid", d.netuid);
        aif_json_knum(&j, "block_time", d.block_time);
        aif_json_kint(&j, "tempo", d.params.tempo);
        aif_json_kint(&j, "weights_rate_limit", (int64_t)d.params.weights_rate_limit);
        aif_json_kint(&j, "commit_max_space", d.params.commit_max_space);
        aif_json_obj_end(&j);
        aif_json_key(&j, "neurons");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < mg.n; i++) {
            const aif_neuron *ne_ = &mg.neurons[i];
            aif_json_obj_begin(&j);
            aif_json_kint(&j, "uid", ne_->uid);
            aif_json_kstr(&j, "hotkey", ne_->hotkey);
            aif_json_kstr(&j, "coldkey", ne_->coldkey);
            aif_json_knum(&j, "stake", ne_->stake);
            aif_json_kbool(&j, "validator_permit", ne_->validator_permit);
            aif_json_kint(&j, "registration_block", (int64_t)ne_->registration_block);
            aif_json_kint(&j, "last_update", (int64_t)ne_->last_update);
            aif_json_knum(&j, "incentive", ne_->incentive);
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_key(&j, "commitments");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < ne; i++) {
            aif_json_obj_begin(&j);
            aif_json_kint(&j, "uid", e[i].uid);
            aif_json_kint(&j, "block", (int64_t)e[i].block);
            aif_json_kstr(&j, "raw", e[i].raw);
            aif_json_kbool(&j, "valid", e[i].valid);
            if (e[i].valid) {
                char repo[300];
                snprintf(repo, sizeof repo, "%s/%s", e[i].id.ns, e[i].id.name);
                aif_json_kstr(&j, "repo", repo);
                aif_json_kstr(&j, "commit", e[i].id.has_commit ? e[i].id.commit : NULL);
                aif_json_kstr(&j, "secure_hash", e[i].id.has_secure_hash ? e[i].id.secure_hash : NULL);
                aif_json_kint(&j, "competition_id", e[i].id.competition_id);
            }
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_key(&j, "weights");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < mg.n_weights; i++) {
            aif_json_obj_begin(&j);
            aif_json_kint(&j, "src", mg.weights[i].src);
            aif_json_kint(&j, "dest", mg.weights[i].dest);
            aif_json_kint(&j, "weight", mg.weights[i].weight);
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("local subnet %u in %s at block %llu\n", d.netuid, dir, (unsigned long long)block);
        printf("block time %g s, tempo %u, weights rate limit %llu, commit space %u bytes/epoch\n\n", d.block_time,
               d.params.tempo, (unsigned long long)d.params.weights_rate_limit, d.params.commit_max_space);
        printf("%4s  %-48s  %9s  %6s  %11s  %9s\n", "uid", "hotkey", "stake", "permit", "last_update", "incentive");
        for (size_t i = 0; i < mg.n; i++)
            printf("%4u  %-48s  %9.2f  %6s  %11llu  %9.6f\n", mg.neurons[i].uid, mg.neurons[i].hotkey,
                   mg.neurons[i].stake, mg.neurons[i].validator_permit ? "yes" : "no",
                   (unsigned long long)mg.neurons[i].last_update, mg.neurons[i].incentive);
        printf("\ncommitments:\n");
        if (!ne)
            printf("  (none)\n");
        for (size_t i = 0; i < ne; i++) {
            if (e[i].valid)
                printf("  uid %-3u block %-8llu %s/%s @ %.12s competition %d\n", e[i].uid,
                       (unsigned long long)e[i].block, e[i].id.ns, e[i].id.name,
                       e[i].id.has_commit ? e[i].id.commit : "None", e[i].id.competition_id);
            else
                printf("  uid %-3u block %-8llu (not a model id) %s\n", e[i].uid, (unsigned long long)e[i].block,
                       e[i].raw);
        }
        printf("\nweights:\n");
        if (!mg.n_weights)
            printf("  (none)\n");
        for (size_t i = 0; i < mg.n_weights; i++)
            printf("  %u -> %u: %u (%.4f)\n", mg.weights[i].src, mg.weights[i].dest, mg.weights[i].weight,
                   mg.weights[i].weight / 65535.0);
    }
    aif_free(e);
    aif_metagraph_release(&mg);
    return 0;
}

static int cmd_advance(int argc, char **argv, struct aif_cli *cli)
{
    const char *dir = DEFAULT_DIR;
    aif_opt opts[] = {
        {"dir", AIF_OPT_STR, &dir, "DIR", "local subnet directory (default ./aif-local)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, prc = aif_cli_parse(cli, "aif local advance N [--dir DIR]", opts, argc, argv, pos, 1, &n_pos);
    if (prc)
        return prc == 1 ? 0 : prc;
    if (n_pos != 1)
        return aif_cli_usage_error("advance needs the number of blocks");
    char *end;
    unsigned long long n = strtoull(pos[0], &end, 10);
    if (*end || !*pos[0] || pos[0][0] == '-' || n > 1000000000ULL)
        return aif_cli_usage_error("advance: '%s' is not a block count (0..1e9)", pos[0]);
    aif_err err = {0};
    aif_local_dir d;
    aif_local_chain *lc = NULL;
    if (open_dir(dir, &d, &lc, &err))
        return aif_cli_fail(&err);
    aif_chain ch = aif_local_chain_as_chain(lc);
    uint64_t block = 0;
    aif_code rc = aif_local_chain_advance(lc, n, &err);
    if (rc == AIF_OK)
        rc = aif_chain_current_block(&ch, &block, &err);
    aif_local_chain_close(lc);
    if (rc != AIF_OK)
        return aif_cli_fail(&err);
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kint(&j, "block", (int64_t)block);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("block %llu\n", (unsigned long long)block);
    }
    return 0;
}

static int cmd_demo_models(int argc, char **argv, struct aif_cli *cli)
{
    const char *dir = DEFAULT_DIR, *out = NULL, *penalties = "0,40,80";
    aif_opt opts[] = {
        {"dir", AIF_OPT_STR, &dir, "DIR", "local subnet directory (models go to DIR/models)"},
        {"out", AIF_OPT_STR, &out, "DIR", "write the models here instead"},
        {"penalties", AIF_OPT_STR, &penalties, "LIST", "repeat penalties, one model each (default 0,40,80)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, prc = aif_cli_parse(cli, "aif local demo-models [--dir DIR] [--out DIR] [--penalties 0,40,80]", opts,
                                   argc, argv, pos, 0, &n_pos);
    if (prc)
        return prc == 1 ? 0 : prc;
    double mu[8];
    int n_mu = 0;
    for (const char *p = penalties; *p && n_mu < 8;) {
        char *end;
        mu[n_mu] = strtod(p, &end);
        if (end == p || !(mu[n_mu] >= 0 && mu[n_mu] <= 1e4) || (*end && *end != ','))
            return aif_cli_usage_error("--penalties: expected numbers 0..1e4 separated by commas");
        n_mu++;
        p = *end ? end + 1 : end;
    }
    if (!n_mu)
        return aif_cli_usage_error("--penalties: empty");
    aif_err err = {0};
    char outdir[1300];
    snprintf(outdir, sizeof outdir, "%s/models", dir);
    if (out)
        snprintf(outdir, sizeof outdir, "%s", out);
    char tok[4096], corpus[4096];
    if (aif_fs_find_asset("assets/local-tokenizer/tokenizer.json", tok, sizeof tok, &err) != AIF_OK ||
        aif_fs_find_asset("corpus", corpus, sizeof corpus, &err) != AIF_OK)
        return aif_cli_fail(&err);
    double t0 = aif_time_now();
    int32_t *ids = NULL;
    size_t n_ids = 0, vocab = 0;
    int32_t eos = -1;
    if (aif_local_corpus_tokens(corpus, tok, &ids, &n_ids, &vocab, &eos, &err) != AIF_OK)
        return aif_cli_fail(&err);
    if (!cli->quiet)
        fprintf(stderr, "corpus %s: %zu tokens (vocab %zu) in %.2f s\n", corpus, n_ids, vocab, aif_time_now() - t0);
    aif_json j;
    if (cli->json) {
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "out", outdir);
        aif_json_kint(&j, "corpus_tokens", (int64_t)n_ids);
        aif_json_key(&j, "models");
        aif_json_arr_begin(&j);
    } else {
        printf("%-10s  %14s  %12s  %12s  %s\n", "model", "repeat_penalty", "parameters", "bytes", "path");
    }
    aif_code rc = AIF_OK;
    for (int i = 0; i < n_mu && rc == AIF_OK; i++) {
        char name[64], path[1400], cfgp[1500];
        snprintf(name, sizeof name, "demo-p%g", mu[i]);
        snprintf(path, sizeof path, "%s/%s", outdir, name);
        aif_local_demo_opts o = {(float)mu[i], 0};
        rc = aif_fs_mkdirs(path, &err);
        if (rc == AIF_OK)
            rc = aif_local_demo_model_build(path, ids, n_ids, vocab, eos, &o, &err);
        char *cfg = NULL;
        size_t len = 0;
        aif_model_config mc;
        snprintf(cfgp, sizeof cfgp, "%s/config.json", path);
        if (rc == AIF_OK)
            rc = aif_fs_read_file(cfgp, 1 << 20, &cfg, &len, &err);
        if (rc == AIF_OK)
            rc = aif_model_config_parse(cfg, len, cfgp, &mc, &err);
        aif_free(cfg);
        if (rc != AIF_OK)
            break;
        snprintf(cfgp, sizeof cfgp, "%s/model.safetensors", path);
        long long bytes = (long long)aif_fs_file_size(cfgp);
        unsigned long long params = (unsigned long long)aif_model_config_param_count(&mc);
        if (cli->json) {
            aif_json_obj_begin(&j);
            aif_json_kstr(&j, "name", name);
            aif_json_kstr(&j, "path", path);
            aif_json_knum(&j, "repeat_penalty", mu[i]);
            aif_json_kint(&j, "parameters", (int64_t)params);
            aif_json_kint(&j, "safetensors_bytes", bytes);
            aif_json_obj_end(&j);
        } else {
            printf("%-10s  %14g  %12llu  %12lld  %s\n", name, mu[i], params, bytes, path);
        }
    }
    aif_free(ids);
    if (cli->json) {
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    }
    if (rc != AIF_OK)
        return aif_cli_fail(&err);
    if (!cli->quiet)
        fprintf(stderr, "built %d models in %.2f s\n", n_mu, aif_time_now() - t0);
    return 0;
}

static const aif_subcmd subs[] = {
    {"init", cmd_init, "create a local subnet: SQLite chain, directory hub, registered wallets"},
    {"status", cmd_status, "block, subnet parameters, neurons, commitments, weights"},
    {"advance", cmd_advance, "move the local chain N blocks forward"},
    {"demo-models", cmd_demo_models, "build the demo miners' models from the shipped corpus"},
    {NULL, NULL, NULL},
};

int aif_cmd_local(int argc, char **argv, struct aif_cli *cli)
{
    return aif_cli_dispatch("local", subs, argc, argv, cli);
}
