/* test_reasonable.c: the reasonable-output check of spec 6.2: the verdict
 * rules on hand-made continuations, generation against run.c's greedy
 * continuations (testdata reference_runc.json), a constant model (final
 * norm zeroed: every logit 0, argmax always id 0). The closed-form demo
 * models of local.h (repeat_penalty 0 loops and fails, 20 passes; 4 still
 * falls into a newline loop on this corpus, measured) are checked end to
 * end in test_cli.c, verdicts re-derived from the generated ids. */
#include "eval_test.h"

#include <math.h>

/* The rules written out independently: overlap >= 10 fails; both most
 * frequent counts > 10 fails. */
static int rules(const int32_t *a, const int32_t *b, size_t n)
{
    int overlap = 0, ma = 0, mb = 0;
    for (size_t k = 0; k < n; k++) {
        overlap += a[k] == b[k];
        int ca = 0, cb = 0;
        for (size_t j = 0; j < n; j++) {
            ca += a[j] == a[k];
            cb += b[j] == b[k];
        }
        ma = ca > ma ? ca : ma;
        mb = cb > mb ? cb : mb;
    }
    return !(overlap >= 10 || (ma > 10 && mb > 10));
}

static void test_verdict(void)
{
    int32_t a[20], b[20];
    aif_eval_reasonable r;
    for (int k = 0; k < 20; k++)
        a[k] = k, b[k] = 100 + k;
    aif_eval_reasonable_verdict(a, b, 20, &r);
    CHECK(r.pass);
    CHECK_EQ(r.overlap, 0);
    CHECK_EQ(r.max_count[0], 1);
    CHECK_STR(r.reason, "");
    for (int k = 0; k < 9; k++)
        b[k] = a[k]; /* 9 equal positions: passes */
    aif_eval_reasonable_verdict(a, b, 20, &r);
    CHECK(r.pass);
    CHECK_EQ(r.overlap, 9);
    b[19] = a[19]; /* 10: fails */
    aif_eval_reasonable_verdict(a, b, 20, &r);
    CHECK(!r.pass);
    CHECK_EQ(r.overlap, 10);
    CHECK(strstr(r.reason, "agree at 10 of 20 positions") != NULL);
    /* repetition: 11 and 11 fails, 11 and 10 passes */
    for (int k = 0; k < 20; k++)
        a[k] = k < 11 ? 7 : 200 + k, b[k] = k >= 9 ? 8 : 300 + k;
    aif_eval_reasonable_verdict(a, b, 20, &r);
    CHECK_EQ(r.max_count[0], 11);
    CHECK_EQ(r.max_count[1], 11);
    CHECK_EQ(r.max_id[0], 7);
    CHECK_EQ(r.max_id[1], 8);
    CHECK(!r.pass);
    CHECK(strstr(r.reason, "repeat one token") != NULL);
    CHECK_EQ(rules(a, b, 20), 0);
    b[9] = 999;
    aif_eval_reasonable_verdict(a, b, 20, &r);
    CHECK_EQ(r.max_count[1], 10);
    CHECK(r.pass);
    CHECK_EQ(rules(a, b, 20), 1);
}

/* Generation from run.c's prompts reproduces its greedy ids (f32 argmax;
 * id 2 = EOS never occurs in them, so suppression changes nothing), and
 * the verdict equals the rules applied to the shipped ids. */
static void test_reference_greedy(void)
{
    json_t *ref = et_load_ref("stories260K-hf-f32");
    json_t *greedy = json_object_get(ref, "greedy");
    int32_t prompt[4][16], gen[4][128];
    size_t np[4], ng[4];
    for (size_t i = 0; i < 4; i++) {
        json_t *g = json_array_get(greedy, i);
        np[i] = et_ids(json_object_get(g, "prompt_ids"), prompt[i], 16);
        ng[i] = et_ids(json_object_get(g, "generated_ids"), gen[i], 128);
    }
    aif_err err = {0};
    aif_model *m = NULL;
    aif_code rc = aif_model_load(aif_test_path("models/stories260K-hf-f32"), &m, &err);
    if (rc) {
        if (!aif_test_injecting())
            CHECK_OK(rc, err);
        json_decref(ref);
        return;
    }
    /* pairs of runs: (0,1) continuations shifted by one, (0,3), (2,3) */
    static const int pairs[3][2] = {{0, 1}, {0, 3}, {2, 3}};
    for (int p = 0; p < 3; p++) {
        int a = pairs[p][0], b = pairs[p][1];
        aif_eval_reasonable r;
        rc = aif_eval_reasonable_run(m, NULL, prompt[a], np[a], prompt[b], np[b], NULL, 0, AIF_MODEL_ARGMAX_F32, &r,
                                     &err);
        if (rc) {
            if (!aif_test_injecting())
                CHECK_OK(rc, err);
            continue;
        }
        CHECK_EQ(r.n_gen, 20);
        /* run 2 stops after choosing id 1 at its 16th step; we go on */
        size_t na = ng[a] < 20 ? ng[a] : 20, nb = ng[b] < 20 ? ng[b] : 20;
        CHECK_MEM(r.gen[0], gen[a], na * sizeof(int32_t));
        CHECK_MEM(r.gen[1], gen[b], nb * sizeof(int32_t));
        if (na == 20 && nb == 20)
            CHECK_EQ(r.pass, rules(gen[a], gen[b], 20));
    }
    /* The pair (0,1): run 1 is run 0 shifted by one, overlap counted by hand
     * from the ids above: 461 461 401 401 401 461 378 ... vs 461 401 401 401
     * 461 378 ...: equal at k = 0 (461), 2, 3 (401) only. */
    aif_eval_reasonable r;
    aif_eval_reasonable_verdict(gen[0], gen[1], 20, &r);
    CHECK_EQ(r.overlap, 3);
    CHECK(r.pass);
    aif_model_free(m);
    json_decref(ref);
}

/* A model whose output is constant: zero model.norm.weight, so every
 * logit is 0 and the argmax is id 0 at every step for both prompts. */
static void test_constant_model(void)
{
    aif_err err = {0};
    aif_safetensors *st = NULL;
    aif_code rc = aif_safetensors_open_dir(aif_test_path("models/stories260K-hf-bf16"), &st, &err);
    if (rc) {
        if (!aif_test_injecting())
            CHECK_OK(rc, err);
        return;
    }
    char *cfg_text = NULL;
    size_t cfg_len = 0;
    aif_model_config cfg;
    size_t n = aif_safetensors_count(st);
    aif_st_tensor *t = aif_calloc(n, sizeof *t);
    uint16_t zeros[64] = {0};
    aif_model *m = NULL;
    if (!t || aif_fs_read_file(aif_test_path("models/stories260K-hf-bf16/config.json"), 1 << 20, &cfg_text, &cfg_len,
                               &err) ||
        aif_model_config_parse(cfg_text, cfg_len, "config.json", &cfg, &err))
        goto out;
    for (size_t i = 0; i < n; i++) {
        t[i] = *aif_safetensors_at(st, i);
        if (!strcmp(t[i].name, "model.norm.weight")) {
            CHECK_EQ(t[i].n_bytes, sizeof zeros);
            t[i].data = zeros;
        }
    }
    if (aif_model_new(&cfg, t, n, &m, &err))
        goto out;
    int32_t pa[5] = {1, 403, 407, 261, 378}, pb[8] = {1, 300, 301, 302, 303, 304, 305, 306};
    aif_eval_reasonable r;
    if (aif_eval_reasonable_run(m, NULL, pa, 5, pb, 8, NULL, 0, AIF_MODEL_ARGMAX_BF16, &r, &err) == AIF_OK) {
        for (int k = 0; k < 20; k++) {
            CHECK_EQ(r.gen[0][k], 0);
            CHECK_EQ(r.gen[1][k], 0);
        }
        CHECK_EQ(r.overlap, 20);
        CHECK_EQ(r.max_count[0], 20);
        CHECK(!r.pass);
        CHECK(strstr(r.reason, "agree at 20 of 20") != NULL);
    }
    /* EOS suppression: with id 0 declared an EOS it can never be chosen,
     * so the first index among the remaining (all 0.0) logits, id 1, is */
    int64_t eos0 = 0;
    if (aif_eval_reasonable_run(m, NULL, pa, 5, pb, 8, &eos0, 1, AIF_MODEL_ARGMAX_BF16, &r, &err) == AIF_OK) {
        CHECK_EQ(r.gen[0][0], 1);
        CHECK_EQ(r.gen[1][19], 1);
        CHECK(!r.pass);
    }
out:
    if (err.code && !aif_test_injecting())
        CHECK_OK(err.code, err);
    aif_model_free(m);
    aif_free(t);
    aif_free(cfg_text);
    aif_safetensors_close(st);
}

AIF_TESTS(eval_reasonable) = {
    {"eval/reasonable_verdict", test_verdict},
    {"eval/reasonable_reference_greedy", test_reference_greedy},
    {"eval/reasonable_constant_model", test_constant_model},
    {NULL, NULL},
};
