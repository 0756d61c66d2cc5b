/* test_demo_model.c: the closed-form demo model (local.h) run through the
 * real runtime: its logits equal the formula it is built from, computed
 * here in float64 from the same token stream, and its greedy output shows
 * the behaviour the repeat penalty is there for. */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

#include "aif/alloc.h"
#include "aif/local.h"
#include "aif/model.h"

#define V 16

/* A token stream with a strong bigram structure and a self-loop: after 3
 * comes 3 most often, so greedy decoding from 3 repeats it forever. */
static size_t make_stream(int32_t *ids, size_t cap)
{
    uint32_t x = 12345;
    size_t n = 0;
    int32_t cur = 0;
    while (n < cap) {
        ids[n++] = cur;
        x = x * 1103515245u + 12345u;
        int r = (int)((x >> 16) % 10);
        if (cur == 3)
            cur = r < 7 ? 3 : (r < 9 ? 4 : 5);
        else
            cur = r < 6 ? (cur + 1) % V : (int32_t)((x >> 8) % V);
    }
    return n;
}

static void demo_logits_follow_the_formula(void)
{
    static int32_t ids[4000];
    size_t n = make_stream(ids, 4000);
    const float mu = 4.0f;
    const char *dir = aif_test_tmpdir();
    aif_err err;
    aif_local_demo_opts o = {mu, 0.5f};
    CHECK_OK(aif_local_demo_model_build(dir, ids, n, V, V - 1, &o, &err), err);
    aif_model *m = NULL;
    CHECK_OK(aif_model_load(dir, &m, &err), err);
    if (!m)
        return;
    /* 2V x V twice (embed, lm_head), q/k/v (V x 2V) and o (2V x V), MLP 3 x 2V x 8, 3 norms of 2V */
    CHECK_EQ(aif_model_param_count(m), 2 * (2 * V * V) + 4 * (2 * V * V) + 3 * (2 * V * 8) + 3 * 2 * V);

    /* float64 expectation: log P(j|i) from add-0.5 counts, minus mu * hist_j,
     * over sqrt(1 + sum hist^2) (the final RMSNorm). */
    double counts[V][V] = {{0}};
    for (size_t t = 0; t + 1 < n; t++)
        counts[ids[t]][ids[t + 1]] += 1;
    enum { T = 40 };
    int32_t seq[T];
    for (int t = 0; t < T; t++)
        seq[t] = ids[100 + t];
    float *logits = aif_malloc(sizeof(float) * T * V);
    CHECK_OK(aif_model_logits(m, NULL, seq, 1, T, logits, &err), err);
    double hist[V] = {0}, worst = 0;
    int argmax_agree = 0;
    for (int t = 0; t < T; t++) {
        hist[seq[t]] += 1;
        double total = 0, ss = 0, want[V];
        for (int j = 0; j < V; j++) {
            total += counts[seq[t]][j] + 0.5;
            ss += (hist[j] / (t + 1)) * (hist[j] / (t + 1));
        }
        int best_w = 0, best_g = 0;
        for (int j = 0; j < V; j++) {
            want[j] = (log((counts[seq[t]][j] + 0.5) / total) - mu * hist[j] / (t + 1)) / sqrt(1 + ss);
            double d = fabs(want[j] - logits[t * V + j]);
            if (d > worst)
                worst = d;
            if (want[j] > want[best_w])
                best_w = j;
            if (logits[t * V + j] > logits[t * V + best_g])
                best_g = j;
        }
        argmax_agree += best_w == best_g;
    }
    /* bf16 weights: log-probs and mu carry ~2^-9 relative error, the norm
     * weight 1/sqrt(2V) too; logits here are below 6 in magnitude. */
    CHECK(worst < 0.05);
    CHECK(argmax_agree >= T - 2);
    aif_free(logits);
    aif_model_free(m);
}

static void demo_penalty_breaks_greedy_loops(void)
{
    static int32_t ids[4000];
    size_t n = make_stream(ids, 4000);
    int32_t prompt[8] = {0, 1, 2, 3, 3, 3, 3, 3};
    int reps[2];
    for (int k = 0; k < 2; k++) {
        const char *dir = aif_test_tmpdir();
        aif_err err;
        aif_local_demo_opts o = {k == 0 ? 0.0f : 8.0f, 0};
        CHECK_OK(aif_local_demo_model_build(dir, ids, n, V, V - 1, &o, &err), err);
        aif_model *m = NULL;
        CHECK_OK(aif_model_load(dir, &m, &err), err);
        if (!m)
            return;
        int32_t out[20];
        size_t n_out = 0;
        aif_model_gen_opts g = {0};
        g.max_new = 20;
        CHECK_OK(aif_model_generate(m, NULL, prompt, 8, &g, out, &n_out, &err), err);
        CHECK_EQ(n_out, 20);
        int c[V] = {0}, most = 0;
        for (size_t i = 0; i < n_out; i++)
            if (++c[out[i]] > most)
                most = c[out[i]];
        reps[k] = most;
        aif_model_free(m);
    }
    /* Plain bigram: 3 -> 3 forever. With the penalty no token fills half. */
    CHECK_EQ(reps[0], 20);
    CHECK(reps[1] <= 10);
}

static void demo_rejects_bad_input(void)
{
    int32_t ids[3] = {0, 1, 99};
    aif_err err;
    CHECK_ERR(aif_local_demo_model_build(aif_test_tmpdir(), ids, 3, V, 1, NULL, &err), AIF_ERANGE, err, "token 1");
    CHECK_ERR(aif_local_demo_model_build(aif_test_tmpdir(), ids, 2, 12, 1, NULL, &err), AIF_EINVAL, err, "multiple");
}

AIF_TESTS(local_demo_model) = {
    {"local/demo_logits_follow_the_formula", demo_logits_follow_the_formula},
    {"local/demo_penalty_breaks_greedy_loops", demo_penalty_breaks_greedy_loops},
    {"local/demo_rejects_bad_input", demo_rejects_bad_input},
    {NULL, NULL},
};
