/* cmd_check.c: `aif check MODEL_DIR`: every constraint the validator
 * enforces before it scores a model, one line per check. */
#include "cli.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "aif/eval.h"

AIF_COMMAND(check, "check a model directory against a competition's constraints (exit 1 if any fails)")

static const char *status_name(aif_eval_status s)
{
    return s == AIF_EVAL_PASS ? "pass" : s == AIF_EVAL_FAIL ? "FAIL" : "skip";
}

int aif_cmd_check(int argc, char **argv, struct aif_cli *cli)
{
    long long comp_id = -1;
    const char *sched = NULL, *file = NULL, *tokenizer = NULL;
    const aif_opt opts[] = {
        {"competition", AIF_OPT_INT, &comp_id, "ID", "competition id (default: the schedule's first competition)"},
        {"schedule", AIF_OPT_STR, &sched, "NAME", "main (subnet 80, default) or local"},
        {"competitions", AIF_OPT_STR, &file, "FILE", "competitions JSON file replacing the bundled one"},
        {"tokenizer", AIF_OPT_STR, &tokenizer, "DIR", "the competition's tokenizer (for the vocabulary check)"},
        {NULL},
    };
    const char *usage = "aif check MODEL_DIR [--competition ID] [--schedule main|local] [--tokenizer DIR] [--json]";
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli, usage, opts, argc, argv, pos, 1, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (n_pos != 1)
        return aif_cli_usage_error("usage: %s", usage);
    aif_err err = {0};
    aif_subnet_competitions *comps = NULL;
    if (aif_subnet_competitions_open(file, &comps, &err))
        return aif_cli_fail(&err);
    const aif_subnet_competition *comp = NULL;
    int pick = aif_cli_pick_competition(comps, comp_id, sched, &comp, &err);
    if (pick)
        return pick;

    /* The competition's tokenizer, for the vocabulary check (optional). */
    aif_tokenizer *tok = NULL;
    char tpath[PATH_MAX];
    aif_err terr = {0};
    const char *tp = tokenizer;
    if (!tp && aif_eval_find_tokenizer(comp->constraints.tokenizer, tpath, sizeof tpath, &terr) == AIF_OK)
        tp = tpath;
    if (tp && aif_tokenizer_load(tp, &tok, &terr)) {
        aif_subnet_competitions_free(comps);
        return aif_cli_fail(&terr);
    }
    aif_pool *pool = NULL;
    if (aif_pool_new(cli->threads, &pool, &err)) {
        aif_tokenizer_free(tok);
        aif_subnet_competitions_free(comps);
        return aif_cli_fail(&err);
    }
    aif_eval_check_opts co = {.competition = comp, .tokenizer_vocab = tok ? aif_tokenizer_vocab_size(tok) : 0,
                              .pool = pool};
    aif_eval_check_report r;
    rc = aif_eval_check(pos[0], &co, &r, &err);
    if (rc) {
        rc = aif_cli_fail(&err);
        goto out;
    }
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "dir", pos[0]);
        aif_json_kint(&j, "competition", comp->id);
        aif_json_kstr(&j, "competition_name", comp->name);
        aif_json_kbool(&j, "ok", r.n_failed == 0);
        aif_json_kint(&j, "failed", r.n_failed);
        aif_json_kstr(&j, "architecture", r.architecture);
        aif_json_kint(&j, "parameters", r.n_params);
        aif_json_key(&j, "repo_bytes");
        aif_json_uint(&j, r.repo_bytes);
        aif_json_key(&j, "checks");
        aif_json_arr_begin(&j);
        for (int i = 0; i < AIF_EVAL_CHECK_COUNT; i++) {
            aif_json_obj_begin(&j);
            aif_json_kstr(&j, "check", aif_eval_check_name((aif_eval_check_id)i));
            aif_json_kstr(&j, "status", r.items[i].status == AIF_EVAL_PASS   ? "pass"
                                        : r.items[i].status == AIF_EVAL_FAIL ? "fail"
                                                                             : "skip");
            aif_json_kstr(&j, "value", r.items[i].value);
            aif_json_kstr(&j, "message", r.items[i].message);
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_kstr(&j, "hash", r.hash);
        aif_json_kstr(&j, "dir_hash", r.dir_hash);
        aif_json_key(&j, "hash_files");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < r.n_hash_files; i++)
            aif_json_str(&j, r.hash_files[i]);
        aif_json_arr_end(&j);
        aif_json_key(&j, "other_files");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < r.n_other_files; i++)
            aif_json_str(&j, r.other_files[i]);
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("model       %s\ncompetition %d (%s)\n", pos[0], comp->id, comp->name);
        for (int i = 0; i < AIF_EVAL_CHECK_COUNT; i++)
            printf("%s  %-16s %-22s %s\n", status_name(r.items[i].status), aif_eval_check_name((aif_eval_check_id)i),
                   r.items[i].value, r.items[i].message);
        if (r.n_hash_files) {
            printf("hashed files (download set, walk order):\n");
            for (size_t i = 0; i < r.n_hash_files; i++)
                printf("  %s\n", r.hash_files[i]);
        }
        if (r.n_other_files) {
            printf("other files (counted in size, not hashed):\n");
            for (size_t i = 0; i < r.n_other_files; i++)
                printf("  %s\n", r.other_files[i]);
        }
        if (r.dir_hash[0])
            printf("directory hash %s\n", r.dir_hash);
        printf("%s: %d check%s failed\n", r.n_failed ? "FAIL" : "ok", r.n_failed, r.n_failed == 1 ? "" : "s");
    }
    rc = r.n_failed ? 1 : 0;
    aif_eval_check_report_release(&r);
out:
    aif_pool_free(pool);
    aif_tokenizer_free(tok);
    aif_subnet_competitions_free(comps);
    return rc;
}
