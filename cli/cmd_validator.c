/* cmd_validator.c: `aif validator`: run the subnet validator (reference
 * spec section 8) against a chain and a hub, printing a table per
 * evaluation step (or one JSON document with --json). */
#include "cli.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "aif/local.h"
#include "aif/validator.h"
#include "aif/wallet.h"

AIF_COMMAND(validator, "run the subnet validator: download, check and score models, set weights")

static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

typedef struct out_ctx {
    aif_validator *v;
    int json;
    aif_json j;
    FILE *mem;
    char *buf;
    size_t len;
} out_ctx;

static void print_num(double v)
{
    if (isinf(v))
        printf(" %10s", "inf");
    else
        printf(" %10.6f", v);
}

/* Subnet weights above 0.001, largest first (spec 8.13). */
static void print_weights(aif_validator *v)
{
    float *w;
    size_t n;
    aif_err err;
    if (aif_validator_weights(v, &w, &n, &err) != AIF_OK)
        return;
    printf("subnet weights > 0.001:");
    for (;;) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (w[i] > 0.001f && (best == n || w[i] > w[best]))
                best = i;
        if (best == n)
            break;
        printf("  uid %zu: %.6f", best, (double)w[best]);
        w[best] = 0;
    }
    printf("\n");
    aif_free(w);
}

static void print_table(const aif_validator_step *s)
{
    printf("step %lld  block %llu  competition %d  (%zu evaluated", (long long)s->global_step,
           (unsigned long long)s->block, s->competition_id, s->n);
    if (s->n_dropped)
        printf(", %zu clones dropped", s->n_dropped);
    printf(")\n");
    printf("%5s  %-38s %10s %10s %10s %10s %10s  %s\n", "uid", "repo", "score", "eps_adv", "win_rate", "weight",
           "block", "note");
    for (size_t k = 0; k < s->n; k++) {
        const aif_validator_step_uid *u = &s->uids[k];
        printf("%5u  %-38.38s", u->uid, u->repo);
        print_num(u->score);
        printf(" %10.6f %10.6f %10.6f", u->epsilon_adv, u->win_rate, (double)u->weight);
        if (u->block == AIF_SUBNET_NO_BLOCK)
            printf(" %10s", "-");
        else
            printf(" %10lld", (long long)u->block);
        printf("  %s\n", u->note);
    }
    if (s->weights_attempted) {
        if (s->weights_rc == AIF_OK)
            printf("weights set on %zu uids\n", s->n_weights_set);
        else
            printf("weights not set: %s\n", s->weights_msg);
    }
}

static void json_step(aif_json *j, const aif_validator_step *s)
{
    aif_json_obj_begin(j);
    aif_json_kint(j, "step", s->global_step);
    aif_json_kint(j, "block", (int64_t)s->block);
    aif_json_kint(j, "competition_id", s->competition_id);
    aif_json_key(j, "seed");
    aif_json_uint(j, s->seed);
    aif_json_key(j, "uids");
    aif_json_arr_begin(j);
    for (size_t k = 0; k < s->n; k++) {
        const aif_validator_step_uid *u = &s->uids[k];
        aif_json_obj_begin(j);
        aif_json_kint(j, "uid", u->uid);
        aif_json_kstr(j, "hotkey", u->hotkey);
        aif_json_kstr(j, "repo", u->repo);
        aif_json_key(j, "block");
        if (u->block == AIF_SUBNET_NO_BLOCK)
            aif_json_null(j);
        else
            aif_json_int(j, u->block);
        aif_json_knum(j, "score", u->score); /* inf is written as null */
        aif_json_knum(j, "epsilon_adv", u->epsilon_adv);
        aif_json_knum(j, "win_rate", u->win_rate);
        aif_json_kint(j, "win_total", u->wins);
        aif_json_knum(j, "weight", u->weight);
        aif_json_knum(j, "comp_weight", u->comp_weight);
        aif_json_key(j, "tasks");
        aif_json_obj_begin(j);
        for (size_t t = 0; t < s->n_tasks; t++)
            aif_json_knum(j, s->task_names[t], s->task_scores[k * s->n_tasks + t]);
        aif_json_obj_end(j);
        if (u->note[0])
            aif_json_kstr(j, "note", u->note);
        aif_json_obj_end(j);
    }
    aif_json_arr_end(j);
    aif_json_key(j, "dropped");
    aif_json_arr_begin(j);
    for (size_t k = 0; k < s->n_dropped; k++)
        aif_json_int(j, s->dropped[k]);
    aif_json_arr_end(j);
    if (s->weights_attempted) {
        aif_json_kbool(j, "weights_set", s->weights_rc == AIF_OK);
        aif_json_kint(j, "n_weights_set", (int64_t)s->n_weights_set);
        if (s->weights_rc != AIF_OK)
            aif_json_kstr(j, "weights_error", s->weights_msg);
    }
    aif_json_obj_end(j);
}

static void on_step(void *ctx, const aif_validator_step *s)
{
    out_ctx *o = ctx;
    if (o->json) {
        json_step(&o->j, s);
    } else {
        print_table(s);
        print_weights(o->v);
        printf("\n");
        fflush(stdout);
    }
}

int aif_cmd_validator(int argc, char **argv, struct aif_cli *cli)
{
    long long netuid = -1, steps = 0, sample_min = 20, limit = 30, max_batches = 0;
    double score_timeout = 4300;
    const char *model_dir = NULL, *chain_kind = NULL, *chain_path = NULL, *hub_kind = NULL, *hub_path = NULL;
    const char *wallet_name = NULL, *wallet_hotkey = NULL, *wallet_path = NULL, *hotkey = NULL, *comps_path = NULL,
               *schedule = NULL, *local = NULL, *data_dir = NULL, *data_cache = NULL, *tokenizer = NULL,
               *password_env = NULL, *compute = NULL;
    int once = 0, dont_set = 0, offline = 0;
    const aif_opt opts[] = {
        {"local", AIF_OPT_STR, &local, "DIR", "run on the local subnet in DIR (its chain, hub, wallets, netuid; "
                                              "schedule local, data from the shipped corpus)"},
        {"netuid", AIF_OPT_INT, &netuid, "N", "subnet (80)"},
        {"model_dir", AIF_OPT_STR, &model_dir, "DIR", "model cache and state (vali-state/) directory"},
        {"chain", AIF_OPT_STR, &chain_kind, "KIND", "local (an aif local chain file), or a subtensor network "
                                                    "(finney, test) or node URL (default finney)"},
        {"password-env", AIF_OPT_STR, &password_env, "VAR", "password of an encrypted hotkey from $VAR"},
        {"chain.path", AIF_OPT_STR, &chain_path, "FILE", "the local chain database"},
        {"hub", AIF_OPT_STR, &hub_kind, "KIND", "hf (the Hugging Face Hub, default) or local (a directory hub)"},
        {"hub.path", AIF_OPT_STR, &hub_path, "DIR", "the local hub directory"},
        {"wallet.name", AIF_OPT_STR, &wallet_name, "W", "btcli wallet name"},
        {"wallet.hotkey", AIF_OPT_STR, &wallet_hotkey, "H", "btcli hotkey name"},
        {"wallet.path", AIF_OPT_STR, &wallet_path, "DIR", "wallets root (default $BT_WALLET_PATH or ~/.bittensor/wallets)"},
        {"hotkey", AIF_OPT_STR, &hotkey, "SS58", "the validator's hotkey address (enough for the local chain)"},
        {"once", AIF_OPT_FLAG, &once, NULL, "one update pass, one evaluation step, one weight pass, then exit"},
        {"steps", AIF_OPT_INT, &steps, "N", "stop after N evaluation steps (default: run forever)"},
        {"competitions", AIF_OPT_STR, &comps_path, "FILE", "competitions file (default: the bundled one)"},
        {"schedule", AIF_OPT_STR, &schedule, "NAME", "schedule in the competitions file: main or local"},
        {"data", AIF_OPT_STR, &data_dir, "DIR", "evaluation text from local JSONL files (<DIR>/<dataset>.jsonl)"},
        {"data-cache", AIF_OPT_STR, &data_cache, "DIR", "datasets-server page cache"},
        {"offline", AIF_OPT_FLAG, &offline, NULL, "read evaluation pages from the cache only"},
        {"tokenizer", AIF_OPT_STR, &tokenizer, "DIR", "the competition tokenizer's folder (needed for ai-factory/giant)"},
        {"max-batches", AIF_OPT_INT, &max_batches, "N", "cap on batches per task (default: the competition's)"},
        {"compute", AIF_OPT_STR, &compute, "MODE", "f32 (exact products, default) or bf16 (inputs rounded, as torch bf16)"},
        {"dont_set_weights", AIF_OPT_FLAG, &dont_set, NULL, "evaluate but never set weights"},
        {"sample_min", AIF_OPT_INT, &sample_min, "N", "models kept for the next step (20)"},
        {"updated_models_limit", AIF_OPT_INT, &limit, "N", "cap on pending + current models (30)"},
        {"score_timeout", AIF_OPT_DOUBLE, &score_timeout, "S", "time limit per model in seconds (4300)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli,
                                  "aif validator (--local DIR | --model_dir DIR --chain local --chain.path FILE "
                                  "[--hub local --hub.path DIR]) [--hotkey SS58 | --wallet.name W --wallet.hotkey H] "
                                  "[--once | --steps N]",
                                  opts, argc, argv, pos, 0, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    aif_err err;
    aif_err_clear(&err);
    /* --local DIR: everything from the local subnet's directory. */
    aif_local_dir d;
    char corpus[AIF_LOCAL_PATH_MAX], model_buf[AIF_LOCAL_PATH_MAX + 16];
    if (local) {
        if (aif_local_dir_load(local, &d, &err) != AIF_OK)
            return aif_cli_fail(&err);
        chain_kind = chain_kind ? chain_kind : "local";
        hub_kind = hub_kind ? hub_kind : "local";
        chain_path = chain_path ? chain_path : d.chain;
        hub_path = hub_path ? hub_path : d.hub;
        wallet_path = wallet_path ? wallet_path : d.wallets;
        if (!wallet_name && !hotkey) {
            wallet_name = "validator1";
            wallet_hotkey = wallet_hotkey ? wallet_hotkey : "default";
        }
        if (netuid < 0)
            netuid = d.netuid;
        schedule = schedule ? schedule : "local";
        if (!model_dir) {
            snprintf(model_buf, sizeof model_buf, "%s/validator", d.root);
            model_dir = model_buf;
        }
        if (!data_dir && !data_cache) {
            if (aif_fs_find_asset("corpus", corpus, sizeof corpus, &err) != AIF_OK)
                return aif_cli_fail(&err);
            data_dir = corpus;
        }
    }
    chain_kind = chain_kind ? chain_kind : "finney";
    hub_kind = hub_kind ? hub_kind : "hf";
    schedule = schedule ? schedule : "main";
    if (netuid < 0)
        netuid = 80;
    if (!model_dir)
        return aif_cli_usage_error("validator: --model_dir DIR (or --local DIR) is required");
    if (netuid > 65535)
        return aif_cli_usage_error("validator: --netuid %lld is out of range", netuid);
    if (steps < 0 || sample_min < 1 || sample_min > 65535 || limit < 1 || !(score_timeout > 0) || max_batches < 0)
        return aif_cli_usage_error("validator: --steps, --sample_min, --updated_models_limit, --max-batches and "
                                   "--score_timeout must be positive");
    if (once && steps)
        return aif_cli_usage_error("validator: --once and --steps exclude each other");
    if (!wallet_name && !hotkey)
        return aif_cli_usage_error("validator: give --wallet.name W --wallet.hotkey H or --hotkey SS58");
    if (offline && !data_cache)
        return aif_cli_usage_error("validator: --offline needs --data-cache DIR");

    int local_chain = !strcmp(chain_kind, "local");
    if (strcmp(hub_kind, "local") != 0 && strcmp(hub_kind, "hf") != 0)
        return aif_cli_usage_error("validator: --hub %s: use hf or local", hub_kind);
    if ((local_chain && !chain_path) || (!strcmp(hub_kind, "local") && !hub_path))
        return aif_cli_usage_error("validator: --chain.path FILE with --chain local, --hub.path DIR with --hub local");
    if (!local_chain && hotkey && !dont_set)
        return aif_cli_usage_error("validator: setting weights on a real chain needs --wallet.name/--wallet.hotkey "
                                   "(or --dont_set_weights)");
    /* The validator's hotkey: --hotkey, or the wallet. The local chain needs
     * only the address; a real chain signs with the hotkey's secret. */
    aif_cli_signer sg;
    memset(&sg, 0, sizeof sg);
    if (hotkey)
        snprintf(sg.s.ss58, sizeof sg.s.ss58, "%s", hotkey);
    else if (aif_cli_load_signer(wallet_path, wallet_name, wallet_hotkey, password_env, !local_chain && !dont_set, &sg,
                                 &err) != AIF_OK)
        return aif_cli_fail(&err);

    aif_subnet_competitions *comps = NULL;
    aif_local_chain *lc = NULL, *lc2 = NULL;
    aif_hub hub = {0}, hub2 = {0};
    aif_chain chain = {0}, chain2 = {0};
    aif_validator *v = NULL;
    aif_validator_evaluator evaluator = {0};
    int status = 1;
    const aif_subnet_schedule_entry *e;
    if (aif_subnet_competitions_open(comps_path, &comps, &err) != AIF_OK ||
        aif_subnet_schedule_at(comps, schedule, INT64_MAX, &e, &err) != AIF_OK)
        goto fail;
    if (aif_cli_open_chain(chain_kind, chain_path, &lc, &chain, &err) != AIF_OK ||
        aif_cli_open_hub(hub_kind, hub_path, cli->quiet, &hub, &err) != AIF_OK)
        goto fail;
    /* The update thread gets its own connections (with --once there is none). */
    if (!once && (aif_cli_open_chain(chain_kind, chain_path, &lc2, &chain2, &err) != AIF_OK ||
                  aif_cli_open_hub(hub_kind, hub_path, 1, &hub2, &err) != AIF_OK))
        goto fail;
    aif_validator_opts o;
    aif_validator_opts_default(&o);
    aif_eval_opts eo;
    aif_eval_opts_default(&eo);
    eo.data_dir = data_dir;
    eo.cache_dir = data_cache;
    eo.offline = offline;
    eo.tokenizer = tokenizer;
    eo.max_batches = (size_t)max_batches;
    eo.n_threads = cli->threads > 0 ? cli->threads : -1;
    eo.quiet = 1;
    eo.timeout_s = score_timeout;
    if (compute && aif_model_compute_parse(compute, &eo.compute, &err) != AIF_OK)
        goto fail;
    if (aif_validator_evaluator_default(&eo, &o.evaluator, &err) != AIF_OK)
        goto fail;
    evaluator = o.evaluator;
    o.netuid = (uint16_t)netuid;
    o.model_dir = model_dir;
    o.comps = comps;
    o.schedule = schedule;
    o.chain = &chain;
    o.hub = &hub;
    if (!once) {
        o.update_chain = &chain2;
        o.update_hub = &hub2;
    }
    o.signer = sg.s;
    o.dont_set_weights = dont_set;
    o.params.sample_min = (int)sample_min;
    o.updated_models_limit = (size_t)limit;
    o.score_timeout = score_timeout;
    if (aif_validator_new(&o, &v, &err) != AIF_OK)
        goto fail;

    out_ctx out = {0};
    out.json = cli->json;
    out.v = v;
    if (out.json) {
        out.mem = open_memstream(&out.buf, &out.len);
        if (!out.mem) {
            aif_err_set(&err, AIF_ENOMEM, "out of memory for the JSON output");
            goto fail;
        }
        aif_json_init(&out.j, out.mem, 1);
        aif_json_obj_begin(&out.j);
        aif_json_key(&out.j, "steps");
        aif_json_arr_begin(&out.j);
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    aif_code run_rc;
    if (once) {
        aif_validator_step s;
        run_rc = aif_validator_run_once(v, &s, &err);
        if (run_rc == AIF_OK && s.competition_id >= 0)
            on_step(&out, &s);
        else if (run_rc == AIF_OK && !out.json)
            printf("nothing to evaluate yet\n");
        aif_validator_step_release(&s);
    } else {
        run_rc = aif_validator_run(v, steps, &stop_flag, on_step, &out, &err);
    }
    if (out.json) {
        aif_json_arr_end(&out.j);
        aif_json_obj_end(&out.j);
        aif_json_end(&out.j);
        fclose(out.mem);
        if (run_rc == AIF_OK || run_rc == AIF_ECANCELED)
            fwrite(out.buf, 1, out.len, stdout);
        free(out.buf);
    }
    if (run_rc != AIF_OK)
        goto fail;
    status = 0;
    goto done;
fail:
    status = aif_cli_fail(&err);
done:
    aif_validator_free(v);
    aif_validator_evaluator_release(&evaluator);
    if (hub.ops)
        aif_hub_close(&hub);
    if (hub2.ops)
        aif_hub_close(&hub2);
    if (lc)
        aif_local_chain_close(lc);
    else if (chain.ops)
        aif_chain_close(&chain);
    if (lc2)
        aif_local_chain_close(lc2);
    else if (chain2.ops)
        aif_chain_close(&chain2);
    aif_cli_signer_release(&sg);
    aif_subnet_competitions_free(comps);
    return status;
}
