/* test_head.c: the streaming LM head of aif_model_score (vocabulary chunks
 * folded into an online logsumexp, argmax and the label's logit) against
 * plain references written below:
 *
 * - a float64 LM head: the test models have o_proj and down_proj all zero,
 *   so every decoder layer adds exactly 0 to the residual stream and the
 *   final hidden state of a position is RMSNorm(embedding of its token),
 *   which the test computes in float64 from the stored weights, then
 *   logits = xn W^T in float64, CE = logsumexp - logit[label] (two passes:
 *   max, then sum) and the argmax by torch's rule (first index of the
 *   maximum, NaN counts as the maximum, optionally on bf16-rounded logits);
 * - aif_model_logits on the same model (the full (T, V) logits): the
 *   argmax ids must be equal exactly, last_logits bit for bit, the CE
 *   within the rounding of a float;
 * - logits designed to be exact (hidden state all ones, lm_head rows with
 *   one or two nonzero bf16-representable entries) with ties across chunk
 *   boundaries, bf16 rounding ties, NaN, +inf and -inf.
 *
 * Vocabulary sizes 1, 7, VC-1, VC+1 and 3 VC+5 with VC = 2048, the chunk
 * width in stats.c; bf16 and f32 weights; both compute modes; 1, 2 and 3
 * threads (and no pool) give identical bits. */
#include "harness.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/model.h"
#include "aif/pool.h"
#include "../../src/model/model_int.h"
#include "weights.h"

#define VC 2048 /* stats.c's vocabulary chunk */

/* ------------------------------------------------------------ models */

enum fill { RANDOM, ZERO, ONE };

/* A (r, c) tensor (c == 0: a vector of r) with values scale * test_urand(), 0 or 1. */
static aif_st_tensor *add(test_wset *w, const char *name, aif_dtype dt, int64_t r, int64_t c, enum fill f, double scale)
{
    return test_wset_add(w, name, dt, r, c, f == RANDOM ? scale : 0, f == ONE ? 1.0 : 0.0);
}

typedef struct hmodel {
    aif_model_config c;
    test_wset w;
    aif_model *m;
    const aif_st_tensor *emb, *norm, *head;
} hmodel;

/* One Llama layer with o_proj = down_proj = 0 (so hidden = embedding), D =
 * hidden size, V vocab. RANDOM: embeddings and lm_head uniform, final norm
 * weight 1 + 0.2 u; ONE: embeddings and norm all 1, eps 1e-12 (hidden state
 * exactly 1: 1 + 1e-12 rounds to 1 in float), lm_head all 0 for the caller to fill before hm_build. */
static int hm_init(hmodel *h, size_t D, size_t V, aif_dtype dt, enum fill kind, uint64_t seed)
{
    char js[512];
    snprintf(js, sizeof js,
             "{\"model_type\":\"llama\",\"hidden_size\":%zu,\"intermediate_size\":12,\"num_hidden_layers\":1,"
             "\"num_attention_heads\":2,\"num_key_value_heads\":1,\"vocab_size\":%zu,\"rms_norm_eps\":%s,"
             "\"tie_word_embeddings\":false}",
             D, V, kind == ONE ? "1e-12" : "1e-5");
    aif_err err = {0};
    memset(h, 0, sizeof *h);
    CHECK_OK(aif_model_config_parse(js, strlen(js), "test config", &h->c, &err), err);
    if (err.code)
        return -1;
    int64_t d = (int64_t)D, v = (int64_t)V, hd = d / 2, I = 12;
    test_rng_state = seed;
    test_wset *w = &h->w;
    h->emb = add(w, "model.embed_tokens.weight", dt, v, d, kind, 1.0);
    add(w, "model.layers.0.input_layernorm.weight", dt, d, 0, ONE, 0);
    add(w, "model.layers.0.post_attention_layernorm.weight", dt, d, 0, ONE, 0);
    add(w, "model.layers.0.self_attn.q_proj.weight", dt, 2 * hd, d, RANDOM, 0.5);
    add(w, "model.layers.0.self_attn.k_proj.weight", dt, hd, d, RANDOM, 0.5);
    add(w, "model.layers.0.self_attn.v_proj.weight", dt, hd, d, RANDOM, 0.5);
    add(w, "model.layers.0.self_attn.o_proj.weight", dt, d, 2 * hd, ZERO, 0);
    add(w, "model.layers.0.mlp.gate_proj.weight", dt, I, d, RANDOM, 0.5);
    add(w, "model.layers.0.mlp.up_proj.weight", dt, I, d, RANDOM, 0.5);
    add(w, "model.layers.0.mlp.down_proj.weight", dt, d, I, ZERO, 0);
    h->norm = add(w, "model.norm.weight", dt, d, 0, kind == ONE ? ONE : RANDOM, 0.2);
    if (kind != ONE)
        for (size_t i = 0; i < D; i++)
            test_set_el((aif_st_tensor *)h->norm, i, (float)(1.0 + test_el(h->norm, i)));
    h->head = add(w, "lm_head.weight", dt, v, d, kind == ONE ? ZERO : RANDOM, kind == ONE ? 0 : 3.0 / sqrt((double)D));
    return 0;
}

static int hm_build(hmodel *h)
{
    aif_err err = {0};
    CHECK_OK(aif_model_new(&h->c, h->w.t, h->w.n, &h->m, &err), err);
    if (!h->m) {
        test_wset_free(&h->w);
        return -1;
    }
    return 0;
}

static void hm_free(hmodel *h)
{
    aif_model_free(h->m);
    test_wset_free(&h->w);
}

/* ------------------------------------------------------------ float64 reference */

/* The final hidden state of token id: RMSNorm(embedding) in float64. */
static void ref_hidden(const hmodel *h, int32_t id, double *xn)
{
    size_t D = (size_t)h->c.hidden_size;
    double ss = 0;
    for (size_t k = 0; k < D; k++) {
        double x = test_el(h->emb, (size_t)id * D + k);
        ss += x * x;
    }
    double inv = 1.0 / sqrt(ss / (double)D + h->c.rms_norm_eps);
    for (size_t k = 0; k < D; k++)
        xn[k] = test_el(h->norm, k) * (test_el(h->emb, (size_t)id * D + k) * inv);
}

/* logits (V) = xn W^T; *mag = max over v of sum_k |xn_k W_vk| (for error bounds). */
static void ref_logits(const hmodel *h, const double *xn, double *lg, double *mag)
{
    size_t D = (size_t)h->c.hidden_size, V = (size_t)h->c.vocab_size;
    *mag = 0;
    for (size_t v = 0; v < V; v++) {
        double s = 0, a = 0;
        for (size_t k = 0; k < D; k++) {
            double p = xn[k] * test_el(h->head, v * D + k);
            s += p;
            a += fabs(p);
        }
        lg[v] = s;
        if (a > *mag)
            *mag = a;
    }
}

/* torch.argmax: first index of the maximum, NaN is the maximum. */
static size_t ref_argmax(const double *l, size_t V, int bf16)
{
    size_t best = 0;
    double bv = bf16 ? aif_bf16_to_f32(aif_f32_to_bf16((float)l[0])) : l[0];
    for (size_t v = 1; v < V && !isnan(bv); v++) {
        double x = bf16 ? aif_bf16_to_f32(aif_f32_to_bf16((float)l[v])) : l[v];
        if (isnan(x) || x > bv) {
            bv = x;
            best = v;
        }
    }
    return best;
}

/* logsumexp - l[label], two passes in float64. Non-finite logits follow
 * exp() arithmetic: any NaN or +inf logit gives NaN (inf - inf), all -inf
 * gives NaN (-inf - -inf), a -inf label with some finite logit gives +inf. */
static double ref_ce(const double *l, size_t V, size_t label)
{
    double mx = -INFINITY;
    int any_nan = 0;
    for (size_t v = 0; v < V; v++) {
        any_nan |= isnan(l[v]);
        if (l[v] > mx)
            mx = l[v];
    }
    if (any_nan || mx == INFINITY || mx == -INFINITY)
        return NAN;
    double s = 0;
    for (size_t v = 0; v < V; v++)
        s += exp(l[v] - mx);
    return mx + log(s) - l[label];
}

static int same_float(double a, double b) /* equal, or both NaN */
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* ------------------------------------------------------------ runs */

struct prog {
    uint64_t last, total;
    int calls, monotone;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct prog *p = ctx;
    if (done < p->last || done > total || (p->calls && total != p->total))
        p->monotone = 0;
    p->last = done;
    p->total = total;
    p->calls++;
}

/* Outputs of one aif_model_score call. */
typedef struct run {
    aif_model_seq_stats st[8];
    float *ce, *last;
    int32_t *am;
} run;

static aif_code score(aif_model *m, aif_pool *pool, const int32_t *tok, size_t B, size_t T, aif_model_argmax mode,
                      run *r, struct prog *pg, aif_err *err)
{
    size_t V = (size_t)aif_model_get_config(m)->vocab_size;
    r->ce = malloc(B * (T - 1) * sizeof(float));
    r->am = malloc(B * (T - 1) * sizeof(int32_t));
    r->last = malloc(B * V * sizeof(float));
    aif_model_score_opts o = {.argmax = mode, .per_position_ce = r->ce, .argmax_ids = r->am, .last_logits = r->last};
    if (pg) {
        memset(pg, 0, sizeof *pg);
        pg->monotone = 1;
        o.progress = on_progress;
        o.progress_ctx = pg;
    }
    return aif_model_score(m, pool, tok, B, T, &o, r->st, err);
}

static void run_free(run *r)
{
    free(r->ce);
    free(r->am);
    free(r->last);
}

static void tokens(int32_t *t, size_t n, size_t V, uint64_t seed)
{
    test_rng_state = seed;
    for (size_t i = 0; i < n; i++)
        t[i] = (int32_t)((size_t)((test_urand() + 1.0) * 0.5 * (double)V) % V);
}

/* The score outputs against aif_model_logits in the same mode and pool:
 * last_logits bit for bit, argmax ids exactly (the rule applied to the
 * float logits), per-position CE within 3e-7 relative: both sides are the
 * float64 CE of the same float logits (the online rescaling and summation
 * order change it by ~1e-15 relative) rounded to float, so they differ by
 * at most one float ulp (2^-23 relative); mean CE within 1e-12 relative. */
static void check_vs_logits(aif_model *m, aif_pool *pool, const int32_t *tok, size_t B, size_t T, int bf16,
                            const run *r)
{
    size_t V = (size_t)aif_model_get_config(m)->vocab_size, np = T - 1;
    float *lg = malloc(B * T * V * sizeof(float));
    double *row = malloc(V * sizeof(double));
    aif_err err = {0};
    CHECK_OK(aif_model_logits(m, pool, tok, B, T, lg, &err), err);
    size_t bad_am = 0, bad_ce = 0;
    for (size_t b = 0; b < B; b++) {
        CHECK_MEM(r->last + b * V, lg + (b * T + T - 1) * V, V * sizeof(float));
        double sum = 0;
        for (size_t t = 0; t < np; t++) {
            for (size_t v = 0; v < V; v++)
                row[v] = lg[(b * T + t) * V + v];
            size_t lab = (size_t)tok[b * T + t + 1];
            double ce = ref_ce(row, V, lab);
            sum += ce;
            bad_am += (size_t)r->am[b * np + t] != ref_argmax(row, V, bf16);
            float got = r->ce[b * np + t];
            bad_ce += !(same_float(got, (float)ce) || fabs(got - ce) <= 3e-7 * fmax(1.0, fabs(ce)));
        }
        double mean = sum / (double)np;
        double mtol = m->k->sum_exp == aif_kref_sum_exp ? 1e-12 : 3e-7;
        CHECK(same_float(r->st[b].mean_ce, mean) || fabs(r->st[b].mean_ce - mean) <= mtol * fmax(1.0, fabs(mean)));
    }
    CHECK_EQ(bad_am, 0);
    CHECK_EQ(bad_ce, 0);
    free(row);
    free(lg);
}

static void check_same_bits(const run *a, const run *b, size_t B, size_t T, size_t V)
{
    CHECK_MEM(a->ce, b->ce, B * (T - 1) * sizeof(float));
    CHECK_MEM(a->am, b->am, B * (T - 1) * sizeof(int32_t));
    CHECK_MEM(a->last, b->last, B * V * sizeof(float));
    for (size_t s = 0; s < B; s++) {
        CHECK_MEM(&a->st[s].mean_ce, &b->st[s].mean_ce, sizeof(double));
        CHECK_EQ(a->st[s].n_wrong, b->st[s].n_wrong);
    }
}

/* ------------------------------------------------------------ random models */

/* Random models, every vocabulary size, both dtypes and compute modes:
 * CE and argmax against the float64 LM head, the outputs against
 * aif_model_logits, identical bits for no pool and 1, 2, 3 threads.
 *
 * Tolerance against float64: a float logit is a D-term dot product of the
 * float hidden state (RMSNorm in float: a few roundings, < 8 u relative)
 * with the weights, so |fast - exact| <= (D + 8) u sum_k |xn_k W_vk| with
 * u = 2^-24 (F32 compute); BF16 compute first rounds xn to bf16, adding
 * 2^-9 relative per term. The CE moves by at most twice the largest logit
 * error. The argmax must match the float64 one wherever the top two
 * float64 logits are further apart than twice that bound (elsewhere the
 * rounding may legitimately swap them; such rows are counted, not checked). */
static void random_models(void)
{
    if (aif_test_injecting())
        return;
    const size_t Vs[] = {1, 7, VC - 1, VC + 1, 3 * VC + 5};
    const size_t D = 24, B = 2, T = 9;
    aif_err err = {0};
    aif_pool *pools[4] = {NULL, NULL, NULL, NULL};
    for (int n = 1; n <= 3; n++)
        CHECK_OK(aif_pool_new(n, &pools[n], &err), err);
    double worst[2] = {0, 0};
    size_t close_rows = 0;
    for (size_t vi = 0; vi < sizeof Vs / sizeof Vs[0]; vi++)
        for (int di = 0; di < 2; di++) {
            size_t V = Vs[vi];
            aif_dtype dt = di ? AIF_DTYPE_BF16 : AIF_DTYPE_F32;
            hmodel h;
            if (hm_init(&h, D, V, dt, RANDOM, 1000 + vi * 2 + (size_t)di) || hm_build(&h))
                continue;
            int32_t tok[2 * 9];
            tokens(tok, B * T, V, 77 + vi);
            double *xn = malloc(D * sizeof(double)), *lg = malloc(V * sizeof(double));
            for (int mode = 0; mode < 2; mode++) {
                aif_model_set_compute(h.m, mode ? AIF_MODEL_COMPUTE_BF16 : AIF_MODEL_COMPUTE_F32);
                double unit = (double)(D + 8) / 16777216.0 + (mode ? 1.0 / 512 : 0);
                for (int am_mode = 0; am_mode < 2; am_mode++) {
                    /* AUTO: bf16 rounding for bf16 weights; F32 forced */
                    aif_model_argmax amx = am_mode ? AIF_MODEL_ARGMAX_F32 : AIF_MODEL_ARGMAX_AUTO;
                    int bf16 = !am_mode && dt == AIF_DTYPE_BF16;
                    run r[4];
                    struct prog pg;
                    for (int n = 0; n <= 3; n++) {
                        CHECK_OK(score(h.m, pools[n], tok, B, T, amx, &r[n], n == 2 ? &pg : NULL, &err), err);
                        if (n)
                            check_same_bits(&r[0], &r[n], B, T, V);
                    }
                    /* progress: once per vocabulary chunk, monotone, ending at the total */
                    CHECK(pg.calls == (int)((V + VC - 1) / VC) && pg.monotone && pg.last == B * T &&
                          pg.total == B * T);
                    check_vs_logits(h.m, pools[2], tok, B, T, bf16, &r[2]);
                    /* float64 */
                    for (size_t b = 0; b < B; b++)
                        for (size_t t = 0; t + 1 < T; t++) {
                            double mag;
                            ref_hidden(&h, tok[b * T + t], xn);
                            ref_logits(&h, xn, lg, &mag);
                            size_t lab = (size_t)tok[b * T + t + 1];
                            double ce = ref_ce(lg, V, lab), tol = 2 * unit * mag + 1e-12;
                            double got = r[0].ce[b * (T - 1) + t], d = fabs(got - ce);
                            /* + the float rounding of per_position_ce */
                            CHECK(d <= tol + 6e-8 * fabs(ce));
                            if (d / (unit * mag + 1e-300) > worst[mode])
                                worst[mode] = d / (unit * mag + 1e-300);
                            size_t best = ref_argmax(lg, V, 0);
                            double gap = INFINITY;
                            for (size_t v = 0; v < V; v++)
                                if (v != best && lg[best] - lg[v] < gap)
                                    gap = lg[best] - lg[v];
                            if (!bf16 && gap > 2 * unit * mag)
                                CHECK_EQ(r[0].am[b * (T - 1) + t], best);
                            else if (!bf16)
                                close_rows++;
                        }
                    for (int n = 0; n <= 3; n++)
                        run_free(&r[n]);
                }
            }
            free(xn);
            free(lg);
            hm_free(&h);
        }
    printf("     CE error vs float64 at most %.3g (F32 compute) and %.3g (BF16) of the stated bound; "
           "%zu near-tie rows not compared\n",
           worst[0] / 2, worst[1] / 2, close_rows);
    for (int n = 1; n <= 3; n++)
        aif_pool_free(pools[n]);
}

/* More positions than one pass of the logits buffer holds (stats.c: 64 MB
 * / (4 VC) = 8192 rows): a pass boundary inside a sequence and last_logits
 * from both passes, against aif_model_logits; 1 and 2 threads agree. */
static void many_positions(void)
{
    if (aif_test_injecting())
        return;
    hmodel h;
    const size_t B = 2740, T = 3, V = 7; /* 8220 rows: the boundary at 8192 falls at t = 2 of sequence 2730 */
    if (hm_init(&h, 8, V, AIF_DTYPE_BF16, RANDOM, 5) || hm_build(&h))
        return;
    int32_t *tok = malloc(B * T * sizeof *tok);
    tokens(tok, B * T, V, 9);
    aif_err err = {0};
    aif_pool *p1 = NULL, *p2 = NULL;
    CHECK_OK(aif_pool_new(1, &p1, &err), err);
    CHECK_OK(aif_pool_new(2, &p2, &err), err);
    aif_model_score_opts o1, o2;
    float *ce1 = malloc(B * (T - 1) * sizeof(float)), *ce2 = malloc(B * (T - 1) * sizeof(float));
    int32_t *am1 = malloc(B * (T - 1) * sizeof(int32_t)), *am2 = malloc(B * (T - 1) * sizeof(int32_t));
    float *l1 = malloc(B * V * sizeof(float)), *l2 = malloc(B * V * sizeof(float));
    aif_model_seq_stats *s1 = malloc(B * sizeof *s1), *s2 = malloc(B * sizeof *s2);
    o1 = (aif_model_score_opts){.per_position_ce = ce1, .argmax_ids = am1, .last_logits = l1};
    o2 = (aif_model_score_opts){.per_position_ce = ce2, .argmax_ids = am2, .last_logits = l2};
    CHECK_OK(aif_model_score(h.m, p1, tok, B, T, &o1, s1, &err), err);
    CHECK_OK(aif_model_score(h.m, p2, tok, B, T, &o2, s2, &err), err);
    CHECK_MEM(ce1, ce2, B * (T - 1) * sizeof(float));
    CHECK_MEM(am1, am2, B * (T - 1) * sizeof(int32_t));
    CHECK_MEM(l1, l2, B * V * sizeof(float));
    size_t bad = 0;
    for (size_t b = 0; b < B; b++)
        bad += memcmp(&s1[b].mean_ce, &s2[b].mean_ce, sizeof(double)) != 0;
    CHECK_EQ(bad, 0);
    float *lg = malloc(B * T * V * sizeof(float));
    CHECK_OK(aif_model_logits(h.m, p2, tok, B, T, lg, &err), err);
    size_t bad_am = 0, bad_ce = 0, bad_last = 0;
    double row[7];
    for (size_t b = 0; b < B; b++) {
        bad_last += memcmp(l1 + b * V, lg + (b * T + T - 1) * V, V * sizeof(float)) != 0;
        for (size_t t = 0; t + 1 < T; t++) {
            for (size_t v = 0; v < V; v++)
                row[v] = lg[(b * T + t) * V + v];
            double ce = ref_ce(row, V, (size_t)tok[b * T + t + 1]);
            bad_am += (size_t)am1[b * (T - 1) + t] != ref_argmax(row, V, 1);
            bad_ce += !(fabs(ce1[b * (T - 1) + t] - ce) <= 3e-7 * fmax(1.0, fabs(ce)));
        }
    }
    CHECK_EQ(bad_last, 0);
    CHECK_EQ(bad_am, 0);
    CHECK_EQ(bad_ce, 0);
    free(lg);
    free(ce1), free(ce2), free(am1), free(am2), free(l1), free(l2), free(s1), free(s2), free(tok);
    aif_pool_free(p1);
    aif_pool_free(p2);
    hm_free(&h);
}

/* ------------------------------------------------------------ exact logits */

/* Hidden state all ones (embeddings and norm 1, eps 1e-12: RMSNorm gives
 * exactly 1), lm_head row v = (a_v, b_v, 0, ...): logit v = a_v + b_v
 * exactly, in every compute mode (1 is a bf16 value). */
#define XV (3 * VC + 5)
#define XD 8

struct xcase {
    const char *name;
    void (*fill)(double *a, double *b, size_t V); /* a, b preset to the background */
};

static void bg(double *a, double *b, size_t V) /* background: integers -8..8, many ties at 8 */
{
    for (size_t v = 0; v < V; v++) {
        a[v] = (double)((v * 37 + 11) % 17) - 8.0;
        b[v] = 0;
    }
}
static void x_ties(double *a, double *b, size_t V) /* 9 at 100, 2048 (chunk 1), 4100 (chunk 2) */
{
    (void)b, (void)V;
    a[100] = a[VC] = a[4100] = 9;
}
static void x_bf16_tie(double *a, double *b, size_t V) /* 256 at 2050, 257 at 4200: bf16(257) = 256 */
{
    (void)V;
    a[2050] = 256;
    a[4200] = 256, b[4200] = 1;
}
static void x_nan_later(double *a, double *b, size_t V) /* +inf at 10, NaN at 3000 and 5000 */
{
    (void)b, (void)V;
    a[10] = INFINITY;
    a[3000] = a[5000] = NAN;
}
static void x_pinf(double *a, double *b, size_t V) /* +inf at 2100 and 6000 */
{
    (void)b, (void)V;
    a[2100] = a[6000] = INFINITY;
}
static void x_ninf_some(double *a, double *b, size_t V) /* -inf at 0, 2047, 2048, 3: labels 0 and 2048 give +inf */
{
    (void)b, (void)V;
    a[0] = a[VC - 1] = a[VC] = a[3] = -INFINITY;
}
static void x_first_chunk_ninf(double *a, double *b, size_t V) /* chunk 0 all -inf, later finite */
{
    (void)b, (void)V;
    for (size_t v = 0; v < VC; v++)
        a[v] = -INFINITY;
}
static void x_all_ninf(double *a, double *b, size_t V)
{
    (void)b;
    for (size_t v = 0; v < V; v++)
        a[v] = -INFINITY;
}
static void x_nan_first(double *a, double *b, size_t V) /* NaN at column 0 and a larger value later */
{
    (void)b, (void)V;
    a[0] = NAN;
    a[5000] = 100;
}
static void x_ninf_then_nan(double *a, double *b, size_t V) /* chunk 0 -inf with a NaN at 100, later finite */
{
    (void)b, (void)V;
    for (size_t v = 0; v < VC; v++)
        a[v] = -INFINITY;
    a[100] = NAN;
}
static void x_big(double *a, double *b, size_t V) /* logits near the float range (bf16 values) */
{
    (void)b;
    for (size_t v = 0; v < V; v++)
        a[v] = v % 3 ? -ldexp(1, 127) : ldexp(1, 126) * (1 + (double)(v % 5) / 128);
    a[4444] = ldexp(1, 127);
}

static const struct xcase xcases[] = {
    {"ties", x_ties},
    {"bf16_tie", x_bf16_tie},
    {"nan_later", x_nan_later},
    {"pinf", x_pinf},
    {"ninf_some", x_ninf_some},
    {"first_chunk_ninf", x_first_chunk_ninf},
    {"all_ninf", x_all_ninf},
    {"nan_first", x_nan_first},
    {"ninf_then_nan", x_ninf_then_nan},
    {"big", x_big},
};

/* Each case, both weight dtypes (values chosen bf16-representable), both
 * compute modes and argmax modes, 1 and 3 threads: the argmax equals torch's
 * rule on the designed logits and the CE the float64 two-pass value (NaN
 * where exp() arithmetic gives NaN) within 1e-6 relative (the logits are
 * exact; only the float64 exp/log and the float output round). Also checks
 * that aif_model_logits returns the designed logits (an infinite one may come
 * out NaN where a kernel splits activations into parts, 0 x inf), and
 * that score agrees with it. */
static void exact_logits(void)
{
    if (aif_test_injecting())
        return;
    const size_t V = XV, B = 1, T = 12;
    /* labels: 0, 2048 (-inf in ninf_some), 2050 / 4200 (the bf16 tie), 3000, 4444, 6000, 5 ... */
    const int32_t tok[12] = {1, 0, 2048, 2050, 4200, 3000, 4444, 6000, 5, 100, 6148, 2047};
    double *a = malloc(V * sizeof(double)), *b = malloc(V * sizeof(double)), *lg = malloc(V * sizeof(double));
    aif_err err = {0};
    aif_pool *p1 = NULL, *p3 = NULL;
    CHECK_OK(aif_pool_new(1, &p1, &err), err);
    CHECK_OK(aif_pool_new(3, &p3, &err), err);
    for (size_t ci = 0; ci < sizeof xcases / sizeof xcases[0]; ci++)
        for (int di = 0; di < 2; di++) {
            const struct xcase *xc = &xcases[ci];
            aif_dtype dt = di ? AIF_DTYPE_BF16 : AIF_DTYPE_F32;
            hmodel h;
            if (hm_init(&h, XD, V, dt, ONE, 1))
                continue;
            bg(a, b, V);
            xc->fill(a, b, V);
            for (size_t v = 0; v < V; v++) {
                test_set_el((aif_st_tensor *)h.head, v * XD, (float)a[v]);
                test_set_el((aif_st_tensor *)h.head, v * XD + 1, (float)b[v]);
                if (!same_float(test_el(h.head, v * XD), a[v]) || !same_float(test_el(h.head, v * XD + 1), b[v]))
                    aif_test_fail(__FILE__, __LINE__, "%s: weight of column %zu not representable", xc->name, v);
                lg[v] = a[v] + b[v];
            }
            if (hm_build(&h))
                continue;
            for (int mode = 0; mode < 2; mode++) {
                aif_model_set_compute(h.m, mode ? AIF_MODEL_COMPUTE_BF16 : AIF_MODEL_COMPUTE_F32);
                /* the logits as computed */
                float *fl = malloc(T * V * sizeof(float));
                CHECK_OK(aif_model_logits(h.m, p3, tok, B, T, fl, &err), err);
                size_t off = 0;
                for (size_t v = 0; v < V; v++)
                    off += !(same_float(fl[v], lg[v]) || (isinf(lg[v]) && isnan(fl[v])));
                if (off)
                    aif_test_fail(__FILE__, __LINE__, "%s: %zu logits differ from the designed ones", xc->name, off);
                free(fl);
                for (int am_mode = 0; am_mode < 2; am_mode++) {
                    int bf16 = am_mode;
                    aif_model_argmax amx = am_mode ? AIF_MODEL_ARGMAX_BF16 : AIF_MODEL_ARGMAX_F32;
                    run r1, r3;
                    CHECK_OK(score(h.m, p1, tok, B, T, amx, &r1, NULL, &err), err);
                    CHECK_OK(score(h.m, p3, tok, B, T, amx, &r3, NULL, &err), err);
                    check_same_bits(&r1, &r3, B, T, V);
                    check_vs_logits(h.m, p1, tok, B, T, bf16, &r1);
                    size_t want_am = ref_argmax(lg, V, bf16);
                    for (size_t t = 0; t + 1 < T; t++) {
                        double ce = ref_ce(lg, V, (size_t)tok[t + 1]);
                        float got = r1.ce[t];
                        if (!(same_float(got, (float)ce) || fabs(got - ce) <= 1e-6 * fmax(1.0, fabs(ce))))
                            aif_test_fail(__FILE__, __LINE__, "%s %s compute %d: CE at %zu (label %d) %.9g, want %.9g",
                                          xc->name, aif_dtype_name(dt), mode, t, tok[t + 1], got, ce);
                        if ((size_t)r1.am[t] != want_am)
                            aif_test_fail(__FILE__, __LINE__, "%s %s argmax %s: %d, want %zu", xc->name,
                                          aif_dtype_name(dt), bf16 ? "bf16" : "f32", r1.am[t], want_am);
                    }
                    run_free(&r1);
                    run_free(&r3);
                }
            }
            hm_free(&h);
        }
    /* the designed answers themselves (hand-checked), so a wrong reference cannot pass */
    bg(a, b, V);
    x_ties(a, b, V);
    for (size_t v = 0; v < V; v++)
        lg[v] = a[v] + b[v];
    CHECK_EQ(ref_argmax(lg, V, 0), 100);
    bg(a, b, V);
    x_bf16_tie(a, b, V);
    for (size_t v = 0; v < V; v++)
        lg[v] = a[v] + b[v];
    CHECK_EQ(ref_argmax(lg, V, 0), 4200);
    CHECK_EQ(ref_argmax(lg, V, 1), 2050);
    bg(a, b, V);
    x_nan_later(a, b, V);
    for (size_t v = 0; v < V; v++)
        lg[v] = a[v] + b[v];
    CHECK_EQ(ref_argmax(lg, V, 0), 3000);
    CHECK(isnan(ref_ce(lg, V, 5)));
    bg(a, b, V);
    x_ninf_some(a, b, V);
    for (size_t v = 0; v < V; v++)
        lg[v] = a[v] + b[v];
    CHECK(ref_ce(lg, V, 0) == INFINITY);
    CHECK(isfinite(ref_ce(lg, V, 5)));
    bg(a, b, V);
    x_first_chunk_ninf(a, b, V);
    for (size_t v = 0; v < V; v++)
        lg[v] = a[v] + b[v];
    CHECK(isfinite(ref_ce(lg, V, 4200)));
    free(a), free(b), free(lg);
    aif_pool_free(p1);
    aif_pool_free(p3);
}

AIF_TESTS(model_head) = {
    {"model/head_random_models", random_models},
    {"model/head_many_positions", many_positions},
    {"model/head_exact_logits", exact_logits},
    {NULL, NULL},
};
