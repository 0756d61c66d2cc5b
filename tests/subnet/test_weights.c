/* test_weights.c: from scores to weights (spec 7.1-7.5), the retry policy
 * (8.5), the clone filter (8.8) and retention (8.9). Every expected value
 * is worked out in the comment beside it (by hand, or with the python3
 * one-liner shown). */
#include "harness.h"

#include <math.h>

#include "aif/subnet.h"

static const aif_subnet_epsilon LINEAR = {AIF_SUBNET_EPS_LINEAR_DECAY, 0, 0.005, 0.0005, 72000};
static const aif_subnet_epsilon FIXED1 = {AIF_SUBNET_EPS_FIXED, 0.01, 0, 0, 1};

static void pairwise_rules(void)
{
    /* c = 1000, i committed at 0: eps = 0.005 - 1000/72000*0.0045 = 0.0049375;
     * i is earlier than j (500): Li' = (1 - 0.0049375) * 1.1 = 1.09456875 < 1.095. */
    CHECK(aif_subnet_iswin(1.1, 1.095, 0, 500, &LINEAR, 1000));
    CHECK(!aif_subnet_iswin(1.095, 1.1, 500, 0, &LINEAR, 1000)); /* 1.095 < 1.09456875 is false */
    /* Equal blocks: no advantage, plain comparison. */
    CHECK(!aif_subnet_iswin(1.1, 1.095, 500, 500, &LINEAR, 1000));
    CHECK(aif_subnet_iswin(1.095, 1.1, 500, 500, &LINEAR, 1000));
    CHECK(!aif_subnet_iswin(1.1, 1.1, 500, 500, &LINEAR, 1000)); /* strict */
    /* inf: (1 - eps) * inf = inf, and inf < inf is false. */
    CHECK(!aif_subnet_iswin(INFINITY, 1.5, 0, 10, &LINEAR, 1000));
    CHECK(aif_subnet_iswin(1.5, INFINITY, 10, 0, &LINEAR, 1000));
    CHECK(!aif_subnet_iswin(INFINITY, INFINITY, 0, 10, &LINEAR, 1000));
    /* A uid without a block (inf in Python) is never "earlier": j at 5 gets
     * eps(1000, 5) = 0.005 - 995/72000*0.0045 = 0.0049378125 and
     * Lj' = 1.1 * 0.9950621875 = 1.09456840625. */
    CHECK(!aif_subnet_iswin(1.099, 1.1, AIF_SUBNET_NO_BLOCK, 5, &LINEAR, 1000));
    CHECK(aif_subnet_iswin(1.0945, 1.1, AIF_SUBNET_NO_BLOCK, 5, &LINEAR, 1000));
    CHECK(!aif_subnet_iswin(1.0946, 1.1, AIF_SUBNET_NO_BLOCK, 5, &LINEAR, 1000));

    /* is_close: |Li - Lj| < 0.001 and i later than j (raw scores). */
    CHECK(aif_subnet_is_close(1.1005, 1.1, 20, 10, 0.001));   /* 0.0005, later */
    CHECK(!aif_subnet_is_close(1.1005, 1.1, 10, 20, 0.001));  /* earlier */
    CHECK(!aif_subnet_is_close(1.1005, 1.1, 10, 10, 0.001));  /* same block */
    CHECK(!aif_subnet_is_close(1.102, 1.1, 20, 10, 0.001));   /* 0.002 */
    CHECK(!aif_subnet_is_close(INFINITY, INFINITY, 20, 10, 0.001)); /* NaN < x is false */
}

static void compute_wins_cases(void)
{
    /* Fixed eps 0.01, c = 100. Scores and blocks:
     *   A 1.30 @10, B 1.31 @5, C 1.3005 @20, D 1.40 @1, E inf @2; min = 1.30.
     * A: not far, not close (C is within 0.0005 but later than A). Matches:
     *    vs B (B earlier): 1.30 < 0.99*1.31 = 1.2969? no
     *    vs C (A earlier): 0.99*1.30 = 1.287 < 1.3005 win
     *    vs D (D earlier): 1.30 < 0.99*1.40 = 1.386 win
     *    vs E: 1.30 < inf win                      -> 3/4 = 0.75
     * B: |1.31 - 1.30| = 0.01 <= 0.05; close to none. Matches:
     *    vs A: 1.2969 < 1.30 win; vs C: 1.2969 < 1.3005 win;
     *    vs D: 1.31 < 1.386 win; vs E win          -> 4/4 = 1.0
     * C: close to A (|0.0005| < 0.001, 20 > 10)    -> 0
     * D: |1.40 - 1.30| = 0.10 > 0.05               -> 0
     * E: |inf - 1.30| = inf > 0.05                 -> 0 */
    const double s[] = {1.30, 1.31, 1.3005, 1.40, INFINITY};
    const int64_t b[] = {10, 5, 20, 1, 2};
    int64_t wins[5];
    double rate[5];
    aif_subnet_compute_wins(5, s, b, &FIXED1, 100, 0.001, 0.05, wins, rate);
    CHECK_NEAR(rate[0], 0.75, 0);
    CHECK_NEAR(rate[1], 1.0, 0);
    CHECK_NEAR(rate[2], 0.0, 0);
    CHECK_NEAR(rate[3], 0.0, 0);
    CHECK_NEAR(rate[4], 0.0, 0);
    CHECK_EQ(wins[0], 3);
    CHECK_EQ(wins[1], 4);
    CHECK_EQ(wins[2], 0);
    CHECK_EQ(aif_subnet_top_index(5, rate), 1);

    /* A single model: no matches, win rate 1.0; a lone inf model too (|inf -
     * inf| = NaN, NaN > 0.05 is false). */
    const double one[] = {1.5}, inf1[] = {INFINITY};
    const int64_t b1[] = {7};
    aif_subnet_compute_wins(1, one, b1, &LINEAR, 100, 0.001, 0.05, wins, rate);
    CHECK_NEAR(rate[0], 1.0, 0);
    CHECK_EQ(wins[0], 0);
    aif_subnet_compute_wins(1, inf1, b1, &LINEAR, 100, 0.001, 0.05, NULL, rate);
    CHECK_NEAR(rate[0], 1.0, 0);
    /* Several all-inf models: every match is lost (inf < inf is false). */
    const double inf3[] = {INFINITY, INFINITY, INFINITY};
    const int64_t b3[] = {1, 2, 3};
    aif_subnet_compute_wins(3, inf3, b3, &LINEAR, 100, 0.001, 0.05, wins, rate);
    CHECK(rate[0] == 0 && rate[1] == 0 && rate[2] == 0);

    /* Ties at the same block: not close (needs a later block), neither wins
     * (strict): 0 and 0; the top is the first (lowest uid, 13.13). */
    const double tie[] = {1.3, 1.3};
    const int64_t bt[] = {5, 5};
    aif_subnet_compute_wins(2, tie, bt, &FIXED1, 100, 0.001, 0.05, wins, rate);
    CHECK(rate[0] == 0 && rate[1] == 0);
    CHECK_EQ(aif_subnet_top_index(2, rate), 0);
    /* Same score, different blocks: the later one is a close copy (0); the
     * earlier wins its match: 0.99*1.3 < 1.3 -> 1.0. */
    const int64_t bd[] = {10, 5};
    aif_subnet_compute_wins(2, tie, bd, &FIXED1, 100, 0.001, 0.05, wins, rate);
    CHECK(rate[0] == 0 && rate[1] == 1.0);
    CHECK_EQ(aif_subnet_top_index(2, rate), 1);
    CHECK_EQ(aif_subnet_top_index(0, rate), SIZE_MAX);
}

static void step_weights_softmax_and_welcome(void)
{
    aif_subnet_params p;
    aif_subnet_params_default(&p);
    aif_err err = {0};
    float comp[10];
    /* win rates {1.0, 0.5} on uids 3 and 7, old blocks (no welcome):
     * softmax = 1/(1+e^-0.5) = 0.6224593312, 1/(1+e^0.5) = 0.3775406688
     * (python3: 1/(1+math.exp(-0.5))). */
    const uint16_t u2[] = {3, 7};
    const double r2[] = {1.0, 0.5};
    const int64_t old[] = {0, 0};
    CHECK_OK(aif_subnet_step_weights(2, u2, r2, old, 100000, &p, comp, 10, &err), err);
    CHECK_NEAR(comp[3], 0.6224593312, 1e-7);
    CHECK_NEAR(comp[7], 0.3775406688, 1e-7);
    CHECK(comp[0] == 0 && comp[9] == 0);
    /* A zero win rate becomes -999: exactly 0 after the softmax. */
    const uint16_t u3[] = {1, 2, 3};
    const double r3[] = {1.0, 0.0, 0.5};
    const int64_t old3[] = {0, 0, 0};
    CHECK_OK(aif_subnet_step_weights(3, u3, r3, old3, 100000, &p, comp, 10, &err), err);
    CHECK(comp[2] == 0.0f);
    CHECK_NEAR(comp[1], 0.6224593312, 1e-7);
    /* Every win rate 0: all -999, uniform 1/3. */
    const double z3[] = {0, 0, 0};
    CHECK_OK(aif_subnet_step_weights(3, u3, z3, old3, 100000, &p, comp, 10, &err), err);
    CHECK_NEAR(comp[1], 1.0 / 3, 1e-7);
    CHECK_NEAR(comp[3], 1.0 / 3, 1e-7);
    /* Welcome: c = 10000, uid 7 committed at 9000 (1000 < 7200 blocks ago):
     * comp = 5/6 * softmax + 1/6 * welcome/sum(welcome):
     * uid 3: 5/6 * 0.6224593312 = 0.5187161093
     * uid 7: 5/6 * 0.3775406688 + 1/6 = 0.4812838907 */
    const int64_t mixed[] = {0, 9000};
    CHECK_OK(aif_subnet_step_weights(2, u2, r2, mixed, 10000, &p, comp, 10, &err), err);
    CHECK_NEAR(comp[3], 0.5187161093, 1e-7);
    CHECK_NEAR(comp[7], 0.4812838907, 1e-7);
    /* Exactly 7200 blocks old no longer qualifies (strict <). */
    const int64_t edge[] = {0, 2800};
    CHECK_OK(aif_subnet_step_weights(2, u2, r2, edge, 10000, &p, comp, 10, &err), err);
    CHECK_NEAR(comp[7], 0.3775406688, 1e-7);
    /* No block (no metadata) does not qualify (13.6); block 0 at c = 100 does:
     * uid 3 gets 5/6 * 0.6224593312 + 1/6 = 0.6853827760. */
    const int64_t nob[] = {0, AIF_SUBNET_NO_BLOCK};
    CHECK_OK(aif_subnet_step_weights(2, u2, r2, nob, 100, &p, comp, 10, &err), err);
    CHECK_NEAR(comp[3], 0.6853827760, 1e-7);
    CHECK_NEAR(comp[7], 5.0 / 6 * 0.3775406688, 1e-7);
    /* A uid outside the metagraph. */
    const uint16_t bad[] = {3, 10};
    CHECK_ERR(aif_subnet_step_weights(2, bad, r2, old, 100, &p, comp, 10, &err), AIF_ERANGE, err, "uid 10");
}

static void tracker_ema(void)
{
    aif_err err = {0};
    aif_subnet_competition c1 = {0}, c2 = {0};
    c1.id = 1;
    c2.id = 2;
    aif_subnet_tracker *t = aif_subnet_tracker_new(4, 0.5);
    CHECK(t != NULL);
    if (!t)
        return;
    /* First record is stored normalised: {1,1,2,0}/4 = {0.25, 0.25, 0.5, 0}. */
    const float w1[] = {1, 1, 2, 0};
    CHECK_OK(aif_subnet_tracker_record(t, 1, w1, 4, &err), err);
    const float *s = aif_subnet_tracker_get(t, 1);
    CHECK(s && s[0] == 0.25f && s[2] == 0.5f && s[3] == 0);
    /* Then 0.5*stored + 0.5*{0,0,0,1} = {0.125, 0.125, 0.25, 0.5}. */
    const float w2[] = {0, 0, 0, 4};
    CHECK_OK(aif_subnet_tracker_record(t, 1, w2, 4, &err), err);
    s = aif_subnet_tracker_get(t, 1);
    CHECK(s[0] == 0.125f && s[1] == 0.125f && s[2] == 0.25f && s[3] == 0.5f);
    /* A longer vector grows the stored ones with zeros:
     * 0.5*{.125,.125,.25,.5,0,0} + 0.5*{0,0,0,0,0,1} = {.0625,.0625,.125,.25,0,.5}. */
    const float w3[] = {0, 0, 0, 0, 0, 3};
    CHECK_OK(aif_subnet_tracker_record(t, 1, w3, 6, &err), err);
    CHECK_EQ(aif_subnet_tracker_num_neurons(t), 6);
    s = aif_subnet_tracker_get(t, 1);
    CHECK(s[0] == 0.0625f && s[2] == 0.125f && s[3] == 0.25f && s[4] == 0 && s[5] == 0.5f);
    /* A shorter one is refused (an assertion in the reference). */
    CHECK_ERR(aif_subnet_tracker_record(t, 1, w1, 4, &err), AIF_ERANGE, err, "4 weights for 6 neurons");
    /* All zero: 0/0 = NaN -> 0. */
    const float zero[6] = {0};
    CHECK_OK(aif_subnet_tracker_record(t, 2, zero, 6, &err), err);
    s = aif_subnet_tracker_get(t, 2);
    CHECK(s && s[0] == 0 && s[5] == 0);
    CHECK_EQ(aif_subnet_tracker_count(t), 2);
    /* Subnet weights with shares 0.8 / 0.2 where competition 2 is all zero:
     * 0.8 * comp1, renormalised by its sum (0.8) = comp1 again. */
    aif_subnet_slot slots[2] = {{&c1, 0.8}, {&c2, 0.2}};
    aif_subnet_schedule_entry both = {0, slots, 2}, only1 = {0, slots, 1};
    float out[6];
    aif_subnet_tracker_subnet_weights(t, &both, out);
    CHECK_NEAR(out[0], 0.0625, 1e-7);
    CHECK_NEAR(out[5], 0.5, 1e-7);
    /* Competition 2 is not in the schedule any more: dropped. */
    aif_subnet_tracker_drop_inactive(t, &only1);
    CHECK_EQ(aif_subnet_tracker_count(t), 1);
    CHECK_EQ(aif_subnet_tracker_id(t, 0), 1);
    CHECK(aif_subnet_tracker_get(t, 2) == NULL);
    /* Nothing tracked: subnet weights are 0/0 -> 0. */
    aif_subnet_tracker_drop_inactive(t, NULL);
    aif_subnet_tracker_subnet_weights(t, &both, out);
    CHECK(out[0] == 0 && out[5] == 0);
    /* Restoring a vector as saved. */
    const float saved[6] = {0.5f, 0.5f, 0, 0, 0, 0};
    CHECK_OK(aif_subnet_tracker_set(t, 1, saved, 6, &err), err);
    aif_subnet_tracker_subnet_weights(t, &only1, out);
    CHECK(out[0] == 0.5f && out[1] == 0.5f);
    aif_subnet_tracker_free(t);
}

static void chain_vector_and_u16(void)
{
    aif_subnet_params p;
    aif_subnet_params_default(&p);
    aif_err err = {0};
    float out[3];
    /* 0.3*{0.5,0.5,0} + 0.7*{0,0.2,0.8} = {0.15, 0.29, 0.56} (float32). */
    const float tr[] = {0.5f, 0.5f, 0}, ws[] = {0, 0.2f, 0.8f}, wz[] = {0, 0, 0};
    CHECK_OK(aif_subnet_chain_weights(tr, 3, ws, 3, &p, out, &err), err);
    CHECK_NEAR(out[0], 0.15, 1e-7);
    CHECK_NEAR(out[1], 0.29, 1e-7);
    CHECK_NEAR(out[2], 0.56, 1e-7);
    /* Workshop all zero: burned to uid 0: {0.15 + 0.7, 0.15, 0}. */
    CHECK_OK(aif_subnet_chain_weights(tr, 3, wz, 3, &p, out, &err), err);
    CHECK_NEAR(out[0], 0.85, 1e-7);
    CHECK_NEAR(out[1], 0.15, 1e-7);
    CHECK(out[2] == 0);
    /* A conference share goes to uid 0 too. */
    aif_subnet_params q = p;
    q.training_share = 0.3, q.workshop_share = 0.5, q.conference_share = 0.2;
    CHECK_OK(aif_subnet_chain_weights(tr, 3, ws, 3, &q, out, &err), err);
    CHECK_NEAR(out[0], 0.15 + 0.2, 1e-7);     /* 0.3*0.5 + 0.5*0 + 0.2 */
    CHECK_NEAR(out[2], 0.4, 1e-7);            /* 0.5*0.8 */
    CHECK_ERR(aif_subnet_chain_weights(tr, 3, ws, 2, &p, out, &err), AIF_ERANGE, err, "2 entries");
    CHECK_ERR(aif_subnet_chain_weights(tr, 3, NULL, 0, &p, out, &err), AIF_ERANGE, err, "workshop");

    /* u16: python3 (bittensor): [round(x / max(w) * 65535) for x in w] with
     * w the float32 values {0.85, 0.15, 0} -> [65535, 11565, 0]; zeros dropped. */
    uint16_t uids[4], vals[4];
    size_t n;
    const float v1[] = {0.85f, 0.15f, 0};
    CHECK_OK(aif_subnet_weights_to_u16(v1, 3, uids, vals, &n, &err), err);
    CHECK_EQ(n, 2);
    CHECK(uids[0] == 0 && vals[0] == 65535 && uids[1] == 1 && vals[1] == 11565);
    /* {0.15, 0.29, 0.56} (float32) -> [17554, 33938, 65535]. */
    const float v2[] = {0.15000000596046448f, 0.2900000214576721f, 0.5600000023841858f};
    CHECK_OK(aif_subnet_weights_to_u16(v2, 3, uids, vals, &n, &err), err);
    CHECK(n == 3 && vals[0] == 17554 && vals[1] == 33938 && vals[2] == 65535);
    /* Half to even: 1/2 * 65535 = 32767.5 -> 32768 (round(32767.5) == 32768);
     * 3/6*65535 same; a tiny weight rounding to 0 is dropped. */
    const float v3[] = {1, 2, 1e-6f};
    CHECK_OK(aif_subnet_weights_to_u16(v3, 3, uids, vals, &n, &err), err);
    CHECK(n == 2 && vals[0] == 32768 && vals[1] == 65535);
    const float v4[] = {0, 0};
    CHECK_OK(aif_subnet_weights_to_u16(v4, 2, uids, vals, &n, &err), err);
    CHECK_EQ(n, 0);
    const float v5[] = {1, -0.5f};
    CHECK_ERR(aif_subnet_weights_to_u16(v5, 2, uids, vals, &n, &err), AIF_ERANGE, err, "uid 1");
}

static void retry_policy(void)
{
    aif_subnet_history h = {0};
    /* Empty history: retry. */
    CHECK(aif_subnet_should_retry(&h, &LINEAR, 100));
    /* c = 100, winner at block 50: eps = 0.005 - 50/72000*0.0045 = 0.004996875,
     * threshold = 1.2 * (1 - 0.004996875) = 1.19400375. */
    aif_subnet_eval_result r = {90, 1.19, 50, 1.2};
    aif_subnet_history_add(&h, &r);
    CHECK(aif_subnet_should_retry(&h, &LINEAR, 100));           /* 1.19 < 1.19400375 */
    h.r[0].score = 1.195;
    CHECK(!aif_subnet_should_retry(&h, &LINEAR, 100));          /* 1.195 >= threshold */
    h.r[0].score = 1.2;
    CHECK(!aif_subnet_should_retry(&h, &LINEAR, 100));          /* equal to the winner */
    h.r[0].score = 1.3;
    CHECK(!aif_subnet_should_retry(&h, &LINEAR, 100));          /* worse than the winner */
    /* The most recent finite result decides; later inf ones are skipped. */
    h.r[0].score = 1.19;
    aif_subnet_eval_result inf = {95, INFINITY, 50, 1.2};
    aif_subnet_history_add(&h, &inf);
    CHECK(aif_subnet_should_retry(&h, &LINEAR, 100));
    /* All inf: retry only with fewer than 2 entries. */
    aif_subnet_history hi = {0};
    aif_subnet_history_add(&hi, &inf);
    CHECK(aif_subnet_should_retry(&hi, &LINEAR, 100));
    aif_subnet_history_add(&hi, &inf);
    CHECK(!aif_subnet_should_retry(&hi, &LINEAR, 100));
    /* At most 3, sorted by eval block, oldest dropped: add 5, 3, 9, 7 -> 5 7 9. */
    aif_subnet_history o = {0};
    const int64_t blocks[] = {5, 3, 9, 7};
    for (int i = 0; i < 4; i++) {
        aif_subnet_eval_result x = {blocks[i], 1.0, 0, 1.0};
        aif_subnet_history_add(&o, &x);
    }
    CHECK(o.n == 3 && o.r[0].block == 5 && o.r[1].block == 7 && o.r[2].block == 9);
    /* Adding an older one than all kept drops it at once. */
    aif_subnet_eval_result old = {1, 1.0, 0, 1.0};
    aif_subnet_history_add(&o, &old);
    CHECK(o.n == 3 && o.r[0].block == 5);
}

static void dedupe_clones(void)
{
    /* Positions: 0 h1@10, 1 h2@5, 2 h1@3, 3 no metadata, 4 h2@5, 5 h1@3.
     * h1: first seen at 0, replaced by 2 (3 < 10), not by 5 (3 == 3).
     * h2: 1 kept (4 has the same block). No metadata: kept on its own.
     * Output in order of first sight: h1 -> 2, h2 -> 1, then 3. */
    const char *hs[] = {"h1", "h2", "h1", NULL, "h2", "h1"};
    const int64_t b[] = {10, 5, 3, AIF_SUBNET_NO_BLOCK, 5, 3};
    size_t keep[6], n;
    aif_err err = {0};
    CHECK_OK(aif_subnet_dedupe(6, hs, b, keep, &n, &err), err);
    CHECK_EQ(n, 3);
    CHECK(keep[0] == 2 && keep[1] == 1 && keep[2] == 3);
    CHECK_OK(aif_subnet_dedupe(0, hs, b, keep, &n, &err), err);
    CHECK_EQ(n, 0);
}

static void retention(void)
{
    aif_subnet_params p;
    aif_subnet_params_default(&p);
    aif_err err = {0};
    /* uids 0..4; EMA weights {0.0005, 0.5, 0.002, 0, 0}; win rates
     * {0.9, 0.1, 0, 0.3, 0.3}. priority = 1 + w if w >= 0.001 else win rate:
     * {0.9, 1.5, 1.002, 0.3, 0.3}; descending, stable: 1, 2, 0, 3, 4. */
    const uint16_t uids[] = {0, 1, 2, 3, 4};
    const double rate[] = {0.9, 0.1, 0, 0.3, 0.3};
    const double score[] = {1.2, 1.3, 1.25, 1.4, 1.1};
    const float ema[] = {0.0005f, 0.5f, 0.002f, 0, 0};
    size_t keep[5], n;
    p.sample_min = 3;
    CHECK_OK(aif_subnet_retain(5, uids, rate, score, ema, 5, &p, keep, &n, &err), err);
    CHECK(n == 3 && keep[0] == 1 && keep[1] == 2 && keep[2] == 0);
    p.sample_min = 4; /* the tie 3/4 keeps input (ascending uid) order */
    CHECK_OK(aif_subnet_retain(5, uids, rate, score, ema, 5, &p, keep, &n, &err), err);
    CHECK(n == 4 && keep[3] == 3);
    p.sample_min = 20; /* fewer than sample_min: everyone */
    CHECK_OK(aif_subnet_retain(5, uids, rate, score, ema, 5, &p, keep, &n, &err), err);
    CHECK_EQ(n, 5);
    /* Without EMA weights the win rates decide: 0 (0.9), 3, 4 (0.3), 1 (0.1). */
    p.sample_min = 4;
    CHECK_OK(aif_subnet_retain(5, uids, rate, score, NULL, 0, &p, keep, &n, &err), err);
    CHECK(n == 4 && keep[0] == 0 && keep[1] == 3 && keep[2] == 4 && keep[3] == 1);
}

static void tracker_save_load(void)
{
    aif_err err = {0};
    aif_subnet_tracker *t = aif_subnet_tracker_new(3, 0.5), *back = NULL;
    if (!t)
        return;
    /* 1/3 is not a short decimal: the file must still round-trip exactly. */
    const float w1[] = {1, 1, 1}, w2[] = {0, 0, 7};
    CHECK_OK(aif_subnet_tracker_record(t, 1, w1, 3, &err), err);
    CHECK_OK(aif_subnet_tracker_record(t, 2, w2, 3, &err), err);
    char path[1024];
    snprintf(path, sizeof path, "%s/tracker.json", aif_test_tmpdir());
    CHECK_OK(aif_subnet_tracker_save(t, path, &err), err);
    CHECK_OK(aif_subnet_tracker_load(path, &back, &err), err);
    if (back) {
        CHECK_EQ(aif_subnet_tracker_count(back), 2);
        CHECK_EQ(aif_subnet_tracker_num_neurons(back), 3);
        const float *a = aif_subnet_tracker_get(back, 1), *b = aif_subnet_tracker_get(back, 2);
        CHECK(a && a[0] == 1.0f / 3 && a[2] == 1.0f / 3);
        CHECK(b && b[2] == 1.0f && b[0] == 0);
        /* The EMA goes on from the loaded state: 0.5*(1/3) + 0.5*1 = 2/3. */
        const float w3[] = {1, 0, 0};
        CHECK_OK(aif_subnet_tracker_record(back, 1, w3, 3, &err), err);
        CHECK_NEAR(aif_subnet_tracker_get(back, 1)[0], 2.0 / 3, 1e-7);
        aif_subnet_tracker_free(back);
    }
    aif_subnet_tracker_free(t);
    /* Bad files name the problem. */
    static const struct { const char *text, *needle; } bad[] = {
        {"{\"format\": \"aif-competition-tracker\", \"version\": 1, \"num_neurons\": 2, \"alpha\": 0.5,"
         " \"weights\": {\"1\": [0.5]}}", "weights.1: expected an array of 2 numbers"},
        {"{\"format\": \"aif-competition-tracker\", \"version\": 1, \"num_neurons\": 1, \"alpha\": 0.5,"
         " \"weights\": {\"x\": [0.5]}}", "weights.x: key is not a competition id"},
        {"{\"format\": \"aif-competition-tracker\", \"version\": 1, \"num_neurons\": 1, \"alpha\": 0.5,"
         " \"weights\": {\"1\": [-1]}}", "weights.1[0]: expected a finite number >= 0"},
        {"{\"format\": \"aif-competition-tracker\", \"version\": 2, \"num_neurons\": 1, \"alpha\": 0.5,"
         " \"weights\": {}}", "version: expected 1"},
        {"{\"format\": \"other\"}", "expected an object with format"},
        {"[1", "line 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        aif_subnet_tracker *x = NULL;
        aif_code rc = aif_subnet_tracker_parse(bad[i].text, strlen(bad[i].text), "t.json", &x, &err);
        CHECK(rc != AIF_OK && x == NULL);
        if (!aif_test_injecting())
            CHECK(strstr(err.msg, bad[i].needle) != NULL);
        aif_subnet_tracker_free(x);
    }
}

AIF_TESTS(subnet_weights) = {
    {"subnet/weights_tracker_save_load", tracker_save_load},
    {"subnet/weights_pairwise_rules", pairwise_rules},
    {"subnet/weights_compute_wins", compute_wins_cases},
    {"subnet/weights_step_softmax_and_welcome", step_weights_softmax_and_welcome},
    {"subnet/weights_tracker_ema", tracker_ema},
    {"subnet/weights_chain_vector_and_u16", chain_vector_and_u16},
    {"subnet/weights_retry_policy", retry_policy},
    {"subnet/weights_dedupe_clones", dedupe_clones},
    {"subnet/weights_retention", retention},
    {NULL, NULL},
};
