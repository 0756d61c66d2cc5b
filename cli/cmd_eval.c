/* cmd_eval.c: `aif eval MODEL_DIR...`: score models the way the validator
 * does (reference section 6) on one set of batches, and with several
 * models show the wins, win rates and weights it would derive (section 7). */
#include "cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/data.h"
#include "aif/eval.h"
#include "aif/http.h"

AIF_COMMAND(eval, "score models as the validator does (reasonable-output check, top-1 error) and rank them")

#define MAX_MODELS 256

/* "B1,B2,..." into out (n values expected). */
static int parse_blocks(const char *s, int64_t *out, size_t n)
{
    size_t k = 0;
    const char *p = s;
    while (*p && k < n) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0)
            return -1;
        out[k++] = v;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return k == n && !*p ? 0 : -1;
}

static void fmt_score(char *buf, size_t cap, double v)
{
    if (isinf(v))
        snprintf(buf, cap, "inf");
    else
        snprintf(buf, cap, "%.6f", v);
}

static void json_task(aif_json *j, const aif_eval_task_result *t)
{
    aif_json_obj_begin(j);
    aif_json_kstr(j, "task", t->name);
    aif_json_knum(j, "raw", t->raw);
    aif_json_kbool(j, "failed", !isfinite(t->raw));
    aif_json_knum(j, "weight", t->weight);
    aif_json_knum(j, "weighted", t->weighted);
    aif_json_kint(j, "batches", (int64_t)t->n_batches);
    aif_json_kint(j, "tokens", (int64_t)t->n_tokens);
    aif_json_kint(j, "positions", (int64_t)t->n_positions);
    aif_json_kint(j, "wrong", (int64_t)t->n_wrong);
    aif_json_knum(j, "error_rate", t->error_rate);
    aif_json_knum(j, "mean_ce", t->mean_ce);
    aif_json_knum(j, "perplexity", t->perplexity);
    aif_json_key(j, "batch_loss");
    aif_json_arr_begin(j);
    for (size_t i = 0; i < t->n_batches && t->batch_loss; i++)
        aif_json_num(j, t->batch_loss[i]);
    aif_json_arr_end(j);
    aif_json_key(j, "reasonable");
    if (!t->reasonable_run) {
        aif_json_null(j);
    } else {
        const aif_eval_reasonable *r = &t->reasonable;
        aif_json_obj_begin(j);
        aif_json_kbool(j, "pass", r->pass);
        aif_json_kint(j, "overlap", r->overlap);
        aif_json_key(j, "max_count");
        aif_json_arr_begin(j);
        aif_json_int(j, r->max_count[0]);
        aif_json_int(j, r->max_count[1]);
        aif_json_arr_end(j);
        for (int g = 0; g < 2; g++) {
            aif_json_key(j, g ? "generated_b" : "generated_a");
            aif_json_arr_begin(j);
            for (size_t k = 0; k < r->n_gen; k++)
                aif_json_int(j, r->gen[g][k]);
            aif_json_arr_end(j);
        }
        aif_json_obj_end(j);
    }
    aif_json_knum(j, "seconds", t->seconds);
    aif_json_kstr(j, "note", t->note);
    aif_json_obj_end(j);
}

int aif_cmd_eval(int argc, char **argv, struct aif_cli *cli)
{
    long long comp_id = -1, seed = -1, seed_block = -1, max_batches = 0, block = -1;
    double timeout = 0;
    int offline = 0, no_check = 0;
    const char *sched = NULL, *file = NULL, *data = NULL, *cache = NULL, *tokenizer = NULL, *tasks = NULL;
    const char *block_of = NULL, *block_hash = NULL, *endpoint = NULL, *argmax = NULL, *compute = NULL, *chain_kind = "finney",
               *chain_path = NULL;
    const aif_opt opts[] = {
        {"competition", AIF_OPT_INT, &comp_id, "ID", "competition id (default: the schedule's first competition)"},
        {"schedule", AIF_OPT_STR, &sched, "NAME", "main (subnet 80, default) or local"},
        {"competitions", AIF_OPT_STR, &file, "FILE", "competitions JSON file replacing the bundled one"},
        {"seed", AIF_OPT_INT, &seed, "N", "seed of the page draw and batch shuffle (default: random, printed)"},
        {"seed-block", AIF_OPT_INT, &seed_block, "N", "seed the data from the hash of block N's sync block "
                                                      "floor(N/150)*150, read from --chain (reference 5.2)"},
        {"block-hash", AIF_OPT_STR, &block_hash, "H", "that sync block's hash, given instead of reading the chain"},
        {"chain", AIF_OPT_STR, &chain_kind, "KIND", "for --seed-block: local or a subtensor network/URL (finney)"},
        {"chain.path", AIF_OPT_STR, &chain_path, "FILE", "the local chain database (with --chain local)"},
        {"offline", AIF_OPT_FLAG, &offline, NULL, "read only the page cache (filled by aif data fetch)"},
        {"data", AIF_OPT_STR, &data, "DIR", "read <DIR>/<dataset>.jsonl (e.g. the shipped corpus/) instead"},
        {"cache", AIF_OPT_STR, &cache, "DIR", "page cache (default $AIF_DATA_CACHE or ~/.cache/aif/datasets)"},
        {"endpoint", AIF_OPT_STR, &endpoint, "URL", "datasets-server base URL"},
        {"tokenizer", AIF_OPT_STR, &tokenizer, "DIR", "the competition's tokenizer (needed for ai-factory/giant)"},
        {"max-batches", AIF_OPT_INT, &max_batches, "N", "batches per task (default: the competition's)"},
        {"tasks", AIF_OPT_STR, &tasks, "a,b", "only these tasks (names or dataset keys)"},
        {"block-of", AIF_OPT_STR, &block_of, "B1,B2,...", "commit block of each model (default: all equal)"},
        {"block", AIF_OPT_INT, &block, "N", "current block for epsilon and the welcome bonus (default: max commit block)"},
        {"timeout", AIF_OPT_DOUBLE, &timeout, "S", "per-model time limit in seconds (reference: 4300; default none)"},
        {"argmax", AIF_OPT_STR, &argmax, "MODE", "bf16 (default, as the validator's bf16 logits) or f32"},
        {"compute", AIF_OPT_STR, &compute, "MODE", "f32 (exact products, default) or bf16 (inputs rounded, as torch bf16)"},
        {"no-check", AIF_OPT_FLAG, &no_check, NULL, "skip the reasonable-output check (diagnostics only)"},
        {NULL},
    };
    const char *usage = "aif eval MODEL_DIR... [--competition ID] [--schedule main|local] [--seed N | --seed-block N "
                        "--block-hash H] [--offline] [--data DIR] [--tokenizer DIR] [--max-batches N] [--tasks a,b] "
                        "[--block-of B1,B2,...] [--block N] [--compute f32|bf16] [--json]";
    char *pos[MAX_MODELS];
    int n_pos, rc = aif_cli_parse(cli, usage, opts, argc, argv, pos, MAX_MODELS, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (n_pos < 1)
        return aif_cli_usage_error("usage: %s", usage);
    if (max_batches < 0 || timeout < 0)
        return aif_cli_usage_error("--max-batches and --timeout must not be negative");
    if (block_hash && seed_block < 0)
        return aif_cli_usage_error("--block-hash H goes with --seed-block N");
    if (seed >= 0 && seed_block >= 0)
        return aif_cli_usage_error("--seed and --seed-block are exclusive");
    aif_model_compute cm = AIF_MODEL_COMPUTE_F32;
    aif_err cerr = {0};
    if (compute && aif_model_compute_parse(compute, &cm, &cerr))
        return aif_cli_usage_error("--compute: %s", cerr.msg);
    aif_model_argmax am = AIF_MODEL_ARGMAX_BF16;
    if (argmax && !strcmp(argmax, "f32"))
        am = AIF_MODEL_ARGMAX_F32;
    else if (argmax && strcmp(argmax, "bf16"))
        return aif_cli_usage_error("--argmax must be bf16 or f32");
    size_t n = (size_t)n_pos;
    int64_t blocks[MAX_MODELS];
    if (block_of && parse_blocks(block_of, blocks, n))
        return aif_cli_usage_error("--block-of needs %zu non-negative blocks separated by commas", n);

    aif_err err = {0};
    aif_subnet_competitions *comps = NULL;
    if (aif_subnet_competitions_open(file, &comps, &err))
        return aif_cli_fail(&err);
    const aif_subnet_competition *comp = NULL;
    int pick = aif_cli_pick_competition(comps, comp_id, sched, &comp, &err);
    if (pick)
        return pick;
    char hash_buf[67];
    if (seed_block >= 0 && !block_hash) {
        if (aif_cli_sync_block_hash(chain_kind, chain_path, (uint64_t)seed_block, hash_buf, &err)) {
            aif_subnet_competitions_free(comps);
            return aif_cli_fail(&err);
        }
        block_hash = hash_buf;
    }
    uint64_t useed = (uint64_t)seed;
    if (seed < 0 && !block_hash && aif_data_seed_os(&useed, &err)) {
        aif_subnet_competitions_free(comps);
        return aif_cli_fail(&err);
    }

    char cbuf[1024], token[4096];
    aif_pool *pool = NULL;
    aif_eval_session *s = NULL;
    aif_eval_result *res = NULL;
    aif_eval_ranking rank = {0};
    aif_eval_opts eo;
    aif_eval_opts_default(&eo);
    eo.data_dir = data;
    eo.cache_dir = data ? NULL : cache ? cache : aif_cli_data_cache_dir(cbuf, sizeof cbuf);
    eo.offline = offline;
    eo.endpoint = endpoint;
    if (!data && !offline && aif_cli_data_send_token(endpoint) && aif_http_hf_token(token, sizeof token))
        eo.hf_token = token;
    eo.tokenizer = tokenizer;
    eo.max_batches = (size_t)max_batches;
    eo.tasks = tasks;
    eo.argmax = am;
    eo.compute = cm;
    eo.timeout_s = timeout;
    eo.skip_reasonable = no_check;
    eo.quiet = cli->quiet;
    if (aif_pool_new(cli->threads, &pool, &err)) {
        rc = aif_cli_fail(&err);
        goto out;
    }
    eo.pool = pool;
    if (aif_eval_session_new(&eo, &s, &err) || aif_eval_session_prepare(s, comp, useed, block_hash, &err)) {
        rc = aif_cli_fail(&err);
        goto out;
    }
    if (!(res = aif_calloc_err(n, sizeof *res, "results", &err))) {
        rc = aif_cli_fail(&err);
        goto out;
    }
    double scores[MAX_MODELS];
    for (size_t i = 0; i < n; i++) {
        if (aif_eval_session_score(s, pos[i], &res[i], &err)) {
            rc = aif_cli_fail(&err);
            goto out;
        }
        scores[i] = res[i].score;
    }
    int64_t cur = block;
    if (cur < 0) {
        cur = 0;
        for (size_t i = 0; block_of && i < n; i++)
            if (blocks[i] > cur)
                cur = blocks[i];
    }
    if (aif_eval_rank(comp, n, scores, block_of ? blocks : NULL, cur, &rank, &err)) {
        rc = aif_cli_fail(&err);
        goto out;
    }

    size_t nt = aif_eval_session_task_count(s);
    uint64_t data_seed = 0;
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kint(&j, "competition", comp->id);
        aif_json_kstr(&j, "competition_name", comp->name);
        if (block_hash) {
            aif_json_kint(&j, "seed_block", seed_block);
            aif_json_kstr(&j, "block_hash", block_hash);
        } else {
            aif_json_key(&j, "seed");
            aif_json_uint(&j, useed);
        }
        aif_json_key(&j, "tasks");
        aif_json_arr_begin(&j);
        for (size_t t = 0; t < nt; t++) {
            const char *name;
            size_t nb, sl;
            aif_eval_session_batches(s, t, &name, NULL, &nb, &sl, &data_seed, NULL);
            aif_json_obj_begin(&j);
            aif_json_kstr(&j, "task", name);
            aif_json_kint(&j, "batches", (int64_t)nb);
            aif_json_kint(&j, "seq_len", (int64_t)sl);
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_key(&j, "models");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < n; i++) {
            aif_json_obj_begin(&j);
            aif_json_kstr(&j, "dir", pos[i]);
            aif_json_knum(&j, "score", res[i].score);
            aif_json_kbool(&j, "failed", !isfinite(res[i].score));
            aif_json_kint(&j, "parameters", res[i].n_params);
            aif_json_kint(&j, "block", block_of ? blocks[i] : cur);
            aif_json_kint(&j, "wins", rank.wins[i]);
            aif_json_knum(&j, "win_rate", rank.win_rate[i]);
            aif_json_knum(&j, "weight", rank.weight[i]);
            aif_json_kbool(&j, "top", rank.top == i);
            aif_json_knum(&j, "seconds", res[i].seconds);
            aif_json_knum(&j, "tokens_per_s", res[i].seconds > 0 ? (double)res[i].n_positions / res[i].seconds : 0);
            aif_json_kstr(&j, "note", res[i].note);
            aif_json_key(&j, "tasks");
            aif_json_arr_begin(&j);
            for (size_t t = 0; t < res[i].n_tasks; t++)
                json_task(&j, &res[i].tasks[t]);
            aif_json_arr_end(&j);
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_kint(&j, "current_block", cur);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("competition %d (%s)", comp->id, comp->name);
        if (block_hash)
            printf(", data seeded from sync block %" PRIu64 " hash %s\n", aif_data_sync_block((uint64_t)seed_block),
                   block_hash);
        else
            printf(", seed %" PRIu64 "\n", useed);
        for (size_t t = 0; t < nt; t++) {
            const char *name;
            size_t nb, sl;
            aif_eval_session_batches(s, t, &name, NULL, &nb, &sl, &data_seed, NULL);
            printf("task %-14s %zu batches of %zu tokens\n", name, nb, sl);
        }
        for (size_t i = 0; i < n; i++) {
            char sc[32];
            fmt_score(sc, sizeof sc, res[i].score);
            printf("\nmodel %s  score %s  (%" PRId64 " parameters, %.1f s, %.0f tok/s)\n", pos[i], sc, res[i].n_params,
                   res[i].seconds, res[i].seconds > 0 ? (double)res[i].n_positions / res[i].seconds : 0.0);
            if (res[i].note[0])
                printf("  failed: %s\n", res[i].note);
            printf("  %-14s %10s %7s %10s %7s %8s %8s %8s %8s  %s\n", "task", "raw", "weight", "weighted", "batches",
                   "tokens", "err", "ce", "ppl", "check");
            for (size_t t = 0; t < res[i].n_tasks; t++) {
                const aif_eval_task_result *tr = &res[i].tasks[t];
                char raw[32], w[32];
                fmt_score(raw, sizeof raw, tr->raw);
                fmt_score(w, sizeof w, tr->weighted);
                printf("  %-14s %10s %7.3f %10s %7zu %8" PRIu64 " %8.4f %8.4f %8.2f  %s\n", tr->name, raw, tr->weight,
                       w, tr->n_batches, tr->n_tokens, tr->error_rate, tr->mean_ce, tr->perplexity,
                       !tr->reasonable_run ? "-"
                       : tr->reasonable.pass ? "pass"
                                             : "FAIL");
                if (tr->note[0])
                    printf("    %s\n", tr->note);
            }
        }
        if (n > 1) {
            printf("\nvalidator view at block %" PRId64 " (epsilon from commit blocks; ties: first model):\n", cur);
            printf("  %-40s %10s %10s %5s %8s %8s\n", "model", "block", "score", "wins", "win_rate", "weight");
            for (size_t i = 0; i < n; i++) {
                char sc[32];
                fmt_score(sc, sizeof sc, scores[i]);
                printf("  %-40.40s %10" PRId64 " %10s %5" PRId64 " %8.4f %8.4f%s\n", pos[i], block_of ? blocks[i] : cur,
                       sc, rank.wins[i], rank.win_rate[i], rank.weight[i], rank.top == i ? "  top" : "");
            }
        }
    }
    rc = 0; /* a model scoring inf is a result, not a failure of the command */
out:
    if (res)
        for (size_t i = 0; i < n; i++)
            aif_eval_result_release(&res[i]);
    aif_free(res);
    aif_eval_ranking_release(&rank);
    aif_eval_session_free(s);
    aif_pool_free(pool);
    aif_subnet_competitions_free(comps);
    return rc;
}
