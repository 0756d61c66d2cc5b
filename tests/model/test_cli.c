/* test_cli.c: `aif model score|info|generate` ($AIF_BIN) on the f32
 * stories260K model against reference_runc.json (run.c). The
 * greedy_from_bos_32 sequence is run.c's own greedy output, so every
 * next token is run.c's argmax: error rate 0 and the validator score
 * 1 + float32(0 + 1e-8) = 1.00000001 (spec 6.3). */
#include "harness.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "aif/alloc.h"

static json_t *run_json(const char *cmdline)
{
    static char buf[1 << 18];
    int st = aif_test_run_sh(cmdline, buf, sizeof buf);
    json_error_t je;
    json_t *j = json_loads(buf, 0, &je);
    if (st != 0 || !j) {
        aif_test_fail(__FILE__, __LINE__, "'%s' exit %d, JSON: %s", cmdline, st, j ? "ok" : je.text);
        json_decref(j);
        return NULL;
    }
    return j;
}

static void cli_score_matches_runc(void)
{
    const char *bin = getenv("AIF_BIN");
    if (!bin || aif_test_injecting())
        return; /* only under `make test` */
    const char *dir = aif_test_path("models/stories260K-hf-f32");
    char path[512], cmd[2048];
    snprintf(path, sizeof path, "%s/reference_runc.json", dir);
    json_error_t je;
    json_t *ref = json_load_file(path, 0, &je);
    CHECK(ref != NULL);
    if (!ref)
        return;
    const char *names[] = {"greedy_from_bos_32", "lcg_seed42_len64", "lcg_seed7_len256"};
    char tokpath[512];
    snprintf(tokpath, sizeof tokpath, "%s/tokens.txt", aif_test_tmpdir());
    FILE *f = fopen(tokpath, "w");
    for (int s = 0; s < 3; s++) {
        json_t *ids = json_object_get(json_object_get(json_object_get(ref, "cross_entropy"), names[s]), "ids");
        for (size_t i = 0; i < json_array_size(ids); i++)
            fprintf(f, "%s%lld", i ? (i % 7 ? " " : "\t ") : "", (long long)json_integer_value(json_array_get(ids, i)));
        fprintf(f, "\n\n");
    }
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s -q model score %s --tokens %s --json --threads 2", bin, dir, tokpath);
    json_t *out = run_json(cmd);
    if (out) {
        json_t *seqs = json_object_get(out, "sequences");
        CHECK_EQ(json_array_size(seqs), 3);
        for (int s = 0; s < 3 && s < (int)json_array_size(seqs); s++) {
            json_t *r = json_object_get(json_object_get(ref, "cross_entropy"), names[s]);
            json_t *o = json_array_get(seqs, s);
            /* tolerances as in test_runc.c */
            CHECK_NEAR(json_number_value(json_object_get(o, "mean_ce")),
                       json_number_value(json_object_get(r, "mean_ce")), 2e-5);
            json_t *pp = json_object_get(o, "per_position_ce"), *rp = json_object_get(r, "per_position_ce");
            CHECK_EQ(json_array_size(pp), json_array_size(rp));
            size_t must_be_right = 0;
            for (size_t i = 0; i < json_array_size(pp) && i < json_array_size(rp); i++) {
                double rv = json_number_value(json_array_get(rp, i));
                CHECK_NEAR(json_number_value(json_array_get(pp, i)), rv, 1.5e-4);
                must_be_right += rv < 0.69; /* p > 1/2: the label is the argmax */
            }
            long long wrong = json_integer_value(json_object_get(o, "n_wrong"));
            CHECK(wrong <= (long long)(json_array_size(rp) - must_be_right));
            if (s == 0) {
                CHECK_EQ(wrong, 0);
                CHECK_NEAR(json_number_value(json_object_get(o, "error_rate")), 0, 0);
                /* float32(0 + 1e-8) = 9.99999993922529e-09 */
                CHECK_NEAR(json_number_value(json_object_get(o, "score")), 1.0 + 9.99999993922529e-09, 1e-16);
            }
        }
        json_decref(out);
    }
    /* --dtype bf16 on the f32 files = the bf16 files (made by the same rounding) */
    snprintf(cmd, sizeof cmd, "%s -q model score %s --tokens %s --json --dtype bf16", bin, dir, tokpath);
    json_t *c1 = run_json(cmd);
    snprintf(cmd, sizeof cmd, "%s -q model score %s --tokens %s --json", bin,
             aif_test_path("models/stories260K-hf-bf16"), tokpath);
    json_t *c2 = run_json(cmd);
    if (c1 && c2) {
        json_t *s1 = json_object_get(c1, "sequences"), *s2 = json_object_get(c2, "sequences");
        CHECK_EQ(json_array_size(s1), 3);
        for (size_t i = 0; i < json_array_size(s1) && i < json_array_size(s2); i++) {
            CHECK_NEAR(json_number_value(json_object_get(json_array_get(s1, i), "mean_ce")),
                       json_number_value(json_object_get(json_array_get(s2, i), "mean_ce")), 0);
            CHECK_EQ(json_integer_value(json_object_get(json_array_get(s1, i), "n_wrong")),
                     json_integer_value(json_object_get(json_array_get(s2, i), "n_wrong")));
        }
    }
    json_decref(c1);
    /* --compute bf16 (inputs rounded to bf16): close to run.c's f32 result,
     * within what bf16 rounding does (test_levels.c: 0.02), but not equal to
     * the f32-compute result; a bad mode is a usage error naming it */
    snprintf(cmd, sizeof cmd, "%s -q model score %s --tokens %s --json --compute bf16", bin,
             aif_test_path("models/stories260K-hf-bf16"), tokpath);
    c1 = run_json(cmd);
    if (c1 && c2) {
        json_t *s1 = json_object_get(c1, "sequences"), *s2 = json_object_get(c2, "sequences");
        CHECK_EQ(json_array_size(s1), 3);
        int differs = 0;
        for (size_t i = 0; i < json_array_size(s1) && i < json_array_size(s2); i++) {
            double a = json_number_value(json_object_get(json_array_get(s1, i), "mean_ce")),
                   b = json_number_value(json_object_get(json_array_get(s2, i), "mean_ce"));
            CHECK_NEAR(a, b, 0.02);
            differs |= a != b;
        }
        CHECK(differs);
    }
    json_decref(c1);
    json_decref(c2);
    snprintf(cmd, sizeof cmd, "%s model score %s --tokens %s --compute f16 2>&1", bin, dir, tokpath);
    char ebuf[1024] = {0};
    CHECK(aif_test_run_sh(cmd, ebuf, sizeof ebuf) != 0);
    CHECK(strstr(ebuf, "compute mode must be f32 or bf16 (got 'f16')") != NULL);
    /* info: parameter count by hand (see test_runc.c), file size from the testdata README */
    snprintf(cmd, sizeof cmd, "%s model info %s --json", bin, dir);
    out = run_json(cmd);
    if (out) {
        CHECK_EQ(json_integer_value(json_object_get(out, "parameters")), 292800);
        CHECK_EQ(json_integer_value(json_object_get(out, "file_bytes")), 1176152);
        CHECK_STR(json_string_value(json_object_get(out, "architecture")), "LlamaForCausalLM");
        json_decref(out);
    }
    /* generate: run.c's greedy continuation of [1, 461] */
    snprintf(cmd, sizeof cmd, "%s model generate %s --prompt-ids '1 461' --max-new 10 --json", bin, dir);
    out = run_json(cmd);
    if (out) {
        json_t *want = json_object_get(json_array_get(json_object_get(ref, "greedy"), 1), "generated_ids");
        json_t *got = json_object_get(out, "generated_ids");
        CHECK_EQ(json_array_size(got), 10);
        for (size_t i = 0; i < 10 && i < json_array_size(got); i++)
            CHECK_EQ(json_integer_value(json_array_get(got, i)), json_integer_value(json_array_get(want, i)));
        json_decref(out);
    }
    /* errors: bad token file, out-of-vocabulary id */
    f = fopen(tokpath, "w");
    fprintf(f, "1 2 3\n4 x 5\n");
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s model score %s --tokens %s 2>&1", bin, dir, tokpath);
    char buf[1024] = {0};
    CHECK(aif_test_run_sh(cmd, buf, sizeof buf) != 0);
    CHECK(strstr(buf, ":2: 'x' is not a token id") != NULL);
    f = fopen(tokpath, "w");
    fprintf(f, "1 2 512\n");
    fclose(f);
    CHECK(aif_test_run_sh(cmd, buf, sizeof buf) != 0);
    CHECK(strstr(buf, "id 512 is outside the vocabulary") != NULL);
    json_decref(ref);
}

AIF_TESTS(model_cli) = {
    {"model/cli_score_matches_runc", cli_score_matches_runc},
    {NULL, NULL},
};
