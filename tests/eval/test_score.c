/* test_score.c: the batch score of spec 6.3 on the stories260K checkpoints,
 * checked against what the reference computation gives on the logits that
 * karpathy/llama2.c run.c printed (testdata/models/README: an independent
 * float32 implementation): argmax on bf16-rounded logits (first index on
 * ties), mask = labels != pad, err in float32 + 1e-8f, 1 + err; the mean
 * over batches; and +inf for an all-pad batch, an id outside the
 * vocabulary, fewer than 2 batches with the check on, and a timeout. */
#include "eval_test.h"

#include <math.h>

/* float -> bf16 -> float, round to nearest even (the README's formula). */
static float ref_bf16(float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    u = (u + 0x7FFFu + ((u >> 16) & 1u)) & 0xFFFF0000u;
    memcpy(&x, &u, 4);
    return x;
}

/* The reference batch loss written out: float32 mean of the mismatches,
 * + 1e-8 in float32, then 1.0 + (double). */
static double ref_loss(size_t wrong, size_t masked)
{
    float e = (float)wrong / (float)masked;
    e = e + 1e-8f;
    return 1.0 + (double)e;
}

static aif_model *load(const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "models/%s", name);
    aif_err err = {0};
    aif_model *m = NULL;
    aif_code rc = aif_model_load(aif_test_path(p), &m, &err);
    if (!aif_test_injecting())
        CHECK_OK(rc, err);
    return m;
}

/* all_position_logits: 8 ids, 8 x 512 logits from run.c. */
static void check_logits(const char *name, aif_model_argmax am, int bf16)
{
    json_t *ref = et_load_ref(name);
    json_t *apl = json_object_get(ref, "all_position_logits");
    int32_t ids[8];
    CHECK_EQ(et_ids(json_object_get(apl, "ids"), ids, 8), 8);
    json_t *rows = json_object_get(apl, "logits");
    size_t wrong = 0, wrong_pad = 0, masked_pad = 0;
    int32_t pad = ids[3]; /* 378: excluded as a label in the second pass */
    for (size_t p = 0; p < 7; p++) {
        json_t *row = json_array_get(rows, p);
        size_t best = 0;
        float bv = -INFINITY;
        for (size_t v = 0; v < json_array_size(row); v++) {
            float x = (float)json_real_value(json_array_get(row, v));
            if (bf16)
                x = ref_bf16(x);
            if (x > bv)
                bv = x, best = v;
        }
        wrong += (int32_t)best != ids[p + 1];
        if (ids[p + 1] != pad) {
            masked_pad++;
            wrong_pad += (int32_t)best != ids[p + 1];
        }
    }
    aif_model *m = load(name);
    if (!m) {
        json_decref(ref);
        return;
    }
    aif_err err = {0};
    aif_eval_score_opts o;
    aif_eval_score_opts_default(&o);
    o.argmax = am;
    o.skip_reasonable = 1;
    aif_eval_task_result r;
    aif_code rc = aif_eval_score_task(m, NULL, ids, 1, 8, &o, &r, &err);
    if (rc == AIF_OK) {
        CHECK_EQ(r.n_batches, 1);
        CHECK_EQ(r.n_tokens, 7);
        CHECK_EQ(r.n_wrong, wrong);
        CHECK(r.raw == ref_loss(wrong, 7));
        CHECK(r.batch_loss[0] == ref_loss(wrong, 7));
        CHECK_STR(r.note, "");
        aif_eval_task_result_release(&r);
    } else if (!aif_test_injecting()) {
        CHECK_OK(rc, err);
    }
    o.pad_id = pad;
    rc = aif_eval_score_task(m, NULL, ids, 1, 8, &o, &r, &err);
    if (rc == AIF_OK) {
        CHECK_EQ(r.n_tokens, masked_pad);
        CHECK_EQ(r.n_wrong, wrong_pad);
        CHECK(r.raw == ref_loss(wrong_pad, masked_pad));
        aif_eval_task_result_release(&r);
    }
    aif_model_free(m);
    json_decref(ref);
}

static void test_reference_logits_bf16(void) { check_logits("stories260K-hf-bf16", AIF_MODEL_ARGMAX_BF16, 1); }
static void test_reference_logits_f32(void) { check_logits("stories260K-hf-f32", AIF_MODEL_ARGMAX_F32, 0); }

/* run.c's own greedy continuations (f32 argmax) as two batches: every
 * prediction is the next id, so err = 0 and the score is 1 + float32(1e-8)
 * (≈ 1.00000001); with pad = 401 those labels drop out of the count. The
 * mean cross-entropy of greedy_from_bos_32 matches run.c's. */
static void test_greedy_batches(void)
{
    json_t *ref = et_load_ref("stories260K-hf-f32");
    json_t *greedy = json_object_get(ref, "greedy");
    int32_t ids[2][128];
    for (int b = 0; b < 2; b++) {
        json_t *g = json_array_get(greedy, (size_t)b);
        size_t np = et_ids(json_object_get(g, "prompt_ids"), ids[b], 128);
        size_t ng = et_ids(json_object_get(g, "generated_ids"), ids[b] + np, 128 - np);
        CHECK_EQ(np + ng, 128);
    }
    aif_model *m = load("stories260K-hf-f32");
    if (!m) {
        json_decref(ref);
        return;
    }
    aif_err err = {0};
    aif_eval_score_opts o;
    aif_eval_score_opts_default(&o);
    o.argmax = AIF_MODEL_ARGMAX_F32;
    o.skip_reasonable = 1;
    aif_eval_task_result r;
    if (aif_eval_score_task(m, NULL, &ids[0][0], 2, 128, &o, &r, &err) == AIF_OK) {
        CHECK_EQ(r.n_wrong, 0);
        CHECK_EQ(r.n_tokens, 254);
        CHECK(r.raw == 1.0 + (double)1e-8f);
        CHECK_NEAR(r.raw, 1.00000001, 1e-15);
        aif_eval_task_result_release(&r);
    }
    o.pad_id = 401;
    size_t masked = 0;
    for (int b = 0; b < 2; b++)
        for (int p = 1; p < 128; p++)
            masked += ids[b][p] != 401;
    if (aif_eval_score_task(m, NULL, &ids[0][0], 2, 128, &o, &r, &err) == AIF_OK) {
        CHECK_EQ(r.n_tokens, masked);
        CHECK_EQ(r.n_wrong, 0);
        CHECK(r.raw == 1.0 + (double)1e-8f);
        aif_eval_task_result_release(&r);
    }
    /* cross-entropy is reported (not ranked): run.c's mean over 31 positions */
    json_t *ce = json_object_get(json_object_get(ref, "cross_entropy"), "greedy_from_bos_32");
    int32_t seq[32];
    CHECK_EQ(et_ids(json_object_get(ce, "ids"), seq, 32), 32);
    o.pad_id = -1;
    if (aif_eval_score_task(m, NULL, seq, 1, 32, &o, &r, &err) == AIF_OK) {
        CHECK_NEAR(r.mean_ce, json_real_value(json_object_get(ce, "mean_ce")), 2e-5);
        CHECK_NEAR(r.perplexity, exp(json_real_value(json_object_get(ce, "mean_ce"))), 1e-4);
        aif_eval_task_result_release(&r);
    }
    aif_model_free(m);
    json_decref(ref);
}

/* Two batches with different error rates: the task score is the plain
 * mean of the two reference batch losses. */
static void test_mean_of_batches(void)
{
    json_t *ref = et_load_ref("stories260K-hf-f32");
    json_t *greedy = json_object_get(ref, "greedy");
    int32_t ids[2][16];
    size_t np = et_ids(json_object_get(json_array_get(greedy, 0), "prompt_ids"), ids[0], 16);
    et_ids(json_object_get(json_array_get(greedy, 0), "generated_ids"), ids[0] + np, 16 - np);
    /* batch 1: the same with three labels replaced by ids the model never
     * predicts there (argmax is the greedy id): 3 wrong of 15 */
    memcpy(ids[1], ids[0], sizeof ids[0]);
    ids[1][4] = ids[1][4] == 7 ? 8 : 7;
    ids[1][9] = ids[1][9] == 7 ? 8 : 7;
    ids[1][15] = ids[1][15] == 7 ? 8 : 7;
    aif_model *m = load("stories260K-hf-f32");
    if (m) {
        aif_err err = {0};
        aif_eval_score_opts o;
        aif_eval_score_opts_default(&o);
        o.argmax = AIF_MODEL_ARGMAX_F32;
        o.skip_reasonable = 1;
        aif_eval_task_result r;
        if (aif_eval_score_task(m, NULL, &ids[0][0], 2, 16, &o, &r, &err) == AIF_OK) {
            /* changing input ids 4 and 9 changes later predictions too; count
             * what the model predicts for batch 1 from its own result */
            CHECK(r.batch_loss[0] == ref_loss(0, 15));
            CHECK(r.batch_loss[1] == ref_loss(r.n_wrong, 15));
            CHECK(r.n_wrong >= 3);
            CHECK(r.raw == (r.batch_loss[0] + r.batch_loss[1]) / 2);
            aif_eval_task_result_release(&r);
        }
        aif_model_free(m);
    }
    json_decref(ref);
}

/* Failures that score +inf with a note (spec 6.2 step 1, 6.3 step 3.10,
 * 13.1, 13.2, 6.4). */
static void test_inf_cases(void)
{
    aif_model *m = load("stories260K-hf-bf16");
    if (!m)
        return;
    aif_err err = {0};
    aif_eval_score_opts o;
    aif_eval_score_opts_default(&o);
    o.skip_reasonable = 1;
    aif_eval_task_result r;
    int32_t pads[2][6] = {{1, 5, 5, 5, 5, 5}, {1, 461, 401, 378, 13, 300}};
    o.pad_id = 5; /* every label of batch 0 is pad: inf, not NaN */
    if (aif_eval_score_task(m, NULL, &pads[0][0], 2, 6, &o, &r, &err) == AIF_OK) {
        CHECK(isinf(r.raw) && r.raw > 0);
        CHECK(strstr(r.note, "every label is the pad id 5") != NULL);
        aif_eval_task_result_release(&r);
    }
    o.pad_id = -1;
    int32_t oov[2][6] = {{1, 461, 401, 378, 13, 300}, {1, 461, 512, 378, 13, 300}};
    if (aif_eval_score_task(m, NULL, &oov[0][0], 2, 6, &o, &r, &err) == AIF_OK) {
        CHECK(isinf(r.raw));
        CHECK(strstr(r.note, "batch 1 position 2: token id 512 outside the model's vocabulary (vocab_size 512)"));
        aif_eval_task_result_release(&r);
    }
    o.skip_reasonable = 0; /* one batch: the check cannot run */
    if (aif_eval_score_task(m, NULL, &oov[0][0], 1, 6, &o, &r, &err) == AIF_OK) {
        CHECK(isinf(r.raw));
        CHECK(strstr(r.note, "1 batch: the reasonable-output check needs 2") != NULL);
        CHECK_EQ(r.reasonable_run, 0);
        aif_eval_task_result_release(&r);
    }
    o.skip_reasonable = 1;
    o.deadline = 1e-9; /* long past */
    if (aif_eval_score_task(m, NULL, &oov[0][0], 1, 6, &o, &r, &err) == AIF_OK) {
        CHECK(isinf(r.raw));
        CHECK(strstr(r.note, "time limit") != NULL);
        aif_eval_task_result_release(&r);
    }
    aif_model_free(m);
}

AIF_TESTS(eval_score) = {
    {"eval/score_reference_logits_bf16", test_reference_logits_bf16},
    {"eval/score_reference_logits_f32", test_reference_logits_f32},
    {"eval/score_greedy_batches", test_greedy_batches},
    {"eval/score_mean_of_batches", test_mean_of_batches},
    {"eval/score_inf_cases", test_inf_cases},
    {NULL, NULL},
};
