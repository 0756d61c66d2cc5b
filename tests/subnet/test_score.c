/* test_score.c: the reference batch score 1 + err + 1e-8 (float32), task
 * means and the weighted model score (spec 6.1, 6.3, 13.1, 13.2).
 *
 * Expected values were worked out with Python's struct module (float32
 * rounding of IEEE doubles; the double sum of two float32 values here is
 * exact, so rounding it once to float32 is the float32 sum):
 *   f = lambda x: struct.unpack('f', struct.pack('f', x))[0]
 *   e = f(1e-8)                      -> 9.99999993922529e-09
 *   err, s = f(m/n), f(f(m/n) + e)
 *   m/n = 0/10: s = 9.99999993922529e-09     loss 1.00000001 (1.0 + s)
 *   m/n = 1/10: err 0.10000000149011612, s 0.10000000894069672 (+1 ulp,
 *        ulp = 2^-27 = 7.45e-9 in [1/16, 1/8); 1e-8 = 1.34 ulp -> 1 ulp)
 *   m/n = 2/10: err 0.20000000298023224, s 0.20000001788139343 (+1 ulp,
 *        ulp = 2^-26 = 1.49e-8 in [1/8, 1/4); 1e-8 = 0.67 ulp -> 1 ulp)
 *   m/n = 3/10: err 0.30000001192092896, s 0.30000001192092896 (ulp =
 *        2^-25 = 2.98e-8 in [1/4, 1/2); 1e-8 = 0.34 ulp < 1/2: vanishes)
 *   m/n = 1/8:  s 0.1250000149011612 (+1 ulp of [1/8, 1/4))
 *   m/n = 1/4:  s 0.25 (vanishes)
 * and the loss is 1.0 + s computed in double. */
#include "harness.h"

#include <math.h>

#include "aif/subnet.h"

static void float32_epsilon_term(void)
{
    CHECK(aif_subnet_batch_loss(0, 10) == 1.0 + 9.99999993922529e-09);
    CHECK(aif_subnet_batch_loss(0, 4095) == 1.0 + 9.99999993922529e-09);
    CHECK(aif_subnet_batch_loss(1, 10) == 1.0 + 0.10000000894069672);
    CHECK(aif_subnet_batch_loss(2, 10) == 1.0 + 0.20000001788139343);
    CHECK(aif_subnet_batch_loss(3, 10) == 1.0 + 0.30000001192092896);
    CHECK(aif_subnet_batch_loss(1, 8) == 1.0 + 0.1250000149011612);
    CHECK(aif_subnet_batch_loss(1, 4) == 1.25);
    CHECK(aif_subnet_batch_loss(10, 10) == 2.0); /* 1 + 1e-8 rounds to 1 in float32 */
    /* Not the naive double formula: 1 + 0.3 + 1e-8 differs. */
    CHECK(aif_subnet_batch_loss(3, 10) != 1.0 + 0.3 + 1e-8);
    /* All labels are pad: inf, not NaN (13.2). */
    CHECK(isinf(aif_subnet_batch_loss(0, 0)) && aif_subnet_batch_loss(0, 0) > 0);
}

static void tokens_mask_pad_and_vocab(void)
{
    /* labels 5 7 0 0 9 3 with pad 0: masked positions are 5 7 9 3 (4), the
     * predictions 5 1 . . 9 2 miss 2 of them: err = 0.5, 1e-8 vanishes
     * (ulp of [0.5, 1) is 5.96e-8): 1.5 exactly. */
    const int32_t labels[] = {5, 7, 0, 0, 9, 3};
    const int32_t pred[] = {5, 1, 4, 0, 9, 2};
    CHECK(aif_subnet_batch_loss_tokens(pred, labels, 6, 0, 16) == 1.5);
    /* With pad = 2 (not present) all 6 count; misses at 1, 2, 5 -> 3/6 =
     * 0.5 again; pad = 7 masks position 1: 5 positions, misses at 2, 5 ->
     * 2/5 = 0.4 -> f32 0.4000000059604645, 1e-8 = 0.34 ulp -> vanishes. */
    CHECK(aif_subnet_batch_loss_tokens(pred, labels, 6, 2, 16) == 1.5);
    CHECK(aif_subnet_batch_loss_tokens(pred, labels, 6, 7, 16) == 1.0 + 0.4000000059604645);
    /* A label outside [0, V) fails the batch (the CE call raised). */
    CHECK(isinf(aif_subnet_batch_loss_tokens(pred, labels, 6, 0, 9)));
    const int32_t neg[] = {-1, 1};
    CHECK(isinf(aif_subnet_batch_loss_tokens(pred, neg, 2, 0, 16)));
    /* Every label is pad. */
    const int32_t pads[] = {0, 0, 0};
    CHECK(isinf(aif_subnet_batch_loss_tokens(pred, pads, 3, 0, 16)));
}

static void task_mean_and_model_score(void)
{
    const double b[] = {1.25, 1.5, 1.0 + 0.10000000894069672};
    /* (1.25 + 1.5 + 1.10000000894069672) / 3 = 1.28333333631356557 */
    CHECK_NEAR(aif_subnet_task_loss(b, 3), 1.2833333363135656, 1e-15);
    CHECK(isinf(aif_subnet_task_loss(b, 0)));
    const double with_inf[] = {1.25, INFINITY};
    CHECK(isinf(aif_subnet_task_loss(with_inf, 2)));
    const double with_nan[] = {1.25, NAN};
    CHECK(isinf(aif_subnet_task_loss(with_nan, 2)));

    aif_err err = {0};
    aif_subnet_competitions *cs;
    CHECK_OK(aif_subnet_competitions_default(&cs, &err), err);
    if (!cs)
        return;
    const aif_subnet_competition *c = aif_subnet_competition_get(cs, 1);
    /* 0.4*1.1 + 0.3*1.2 + 0.3*1.3 = 0.44 + 0.36 + 0.39 = 1.19 */
    const double raw[] = {1.1, 1.2, 1.3};
    CHECK_NEAR(aif_subnet_model_score(c, raw), 1.19, 1e-12);
    /* Perfect prediction everywhere: 1 + 1e-8 (float32) per task, weights
     * sum to 1: 1.00000001 within rounding. */
    const double best[] = {1.00000001, 1.00000001, 1.00000001};
    CHECK_NEAR(aif_subnet_model_score(c, best), 1.00000001, 1e-15);
    /* A failed check (inf) in any task makes the model inf. */
    const double failed[] = {1.1, INFINITY, 1.3};
    CHECK(isinf(aif_subnet_model_score(c, failed)));
    aif_subnet_competitions_free(cs);
}

AIF_TESTS(subnet_score) = {
    {"subnet/score_float32_epsilon_term", float32_epsilon_term},
    {"subnet/score_tokens_mask_pad_and_vocab", tokens_mask_pad_and_vocab},
    {"subnet/score_task_mean_and_model_score", task_mean_and_model_score},
    {NULL, NULL},
};
