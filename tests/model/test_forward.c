/* test_forward.c: the fast forward pass against a slow float64 scalar
 * reference written plainly below (straight from the formulas of
 * transformers' modeling_llama.py / modeling_qwen2.py and
 * modeling_rope_utils.py), on small models with seeded random weights
 * built in memory: Qwen2-style (q/k/v biases, rope_theta 1e6), Llama with
 * GQA + tied embeddings + llama3 RoPE scaling, Llama with linear and with
 * dynamic scaling, bf16 weights. Also thread-count invariance, the KV
 * cache against full forwards, EOS suppression and hostile weight sets.
 *
 * Tolerance: |fast - ref| <= 2e-5 * max(1, |ref|) on logits. The fast
 * path rounds every activation to float32 (unit roundoff 6e-8) and sums in
 * float32 over at most a few hundred terms (error bound ~ n u |x|), and its
 * RoPE frequencies are float32 (as transformers computes them) while the
 * reference uses float64: an angle error of ~1 ulp x position 70 is ~1e-6
 * in cos/sin. Measured differences (printed) are 4e-7 to 1.7e-6. */
#include "harness.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/model.h"
#include "aif/pool.h"
#include "weights.h"

/* ------------------------------------------------------------ random weights */

static void build_weights(const aif_model_config *c, aif_dtype dt, uint64_t seed, test_wset *w)
{
    int64_t D = c->hidden_size, I = c->intermediate_size, Q = c->n_heads * c->head_dim,
            KV = c->n_kv_heads * c->head_dim, V = c->vocab_size;
    char nm[80];
    test_rng_state = seed;
    memset(w, 0, sizeof *w);
    test_wset_add(w, "model.embed_tokens.weight", dt, V, D, 1.0, 0);
    for (int64_t l = 0; l < c->n_layers; l++) {
#define L(s) (snprintf(nm, sizeof nm, "model.layers.%lld." s, (long long)l), nm)
        test_wset_add(w, L("input_layernorm.weight"), dt, D, 0, 0.2, 1.0);
        test_wset_add(w, L("post_attention_layernorm.weight"), dt, D, 0, 0.2, 1.0);
        test_wset_add(w, L("self_attn.q_proj.weight"), dt, Q, D, 0.5 / sqrt((double)D), 0);
        test_wset_add(w, L("self_attn.k_proj.weight"), dt, KV, D, 0.5 / sqrt((double)D), 0);
        test_wset_add(w, L("self_attn.v_proj.weight"), dt, KV, D, 1.0 / sqrt((double)D), 0);
        test_wset_add(w, L("self_attn.o_proj.weight"), dt, D, Q, 1.0 / sqrt((double)Q), 0);
        if (c->qkv_bias) {
            test_wset_add(w, L("self_attn.q_proj.bias"), dt, Q, 0, 0.3, 0);
            test_wset_add(w, L("self_attn.k_proj.bias"), dt, KV, 0, 0.3, 0);
            test_wset_add(w, L("self_attn.v_proj.bias"), dt, KV, 0, 0.3, 0);
        }
        if (c->o_bias)
            test_wset_add(w, L("self_attn.o_proj.bias"), dt, D, 0, 0.3, 0);
        test_wset_add(w, L("mlp.gate_proj.weight"), dt, I, D, 1.5 / sqrt((double)D), 0);
        test_wset_add(w, L("mlp.up_proj.weight"), dt, I, D, 1.5 / sqrt((double)D), 0);
        test_wset_add(w, L("mlp.down_proj.weight"), dt, D, I, 1.0 / sqrt((double)I), 0);
        if (c->mlp_bias) {
            test_wset_add(w, L("mlp.gate_proj.bias"), dt, I, 0, 0.1, 0);
            test_wset_add(w, L("mlp.up_proj.bias"), dt, I, 0, 0.1, 0);
            test_wset_add(w, L("mlp.down_proj.bias"), dt, D, 0, 0.1, 0);
        }
#undef L
    }
    test_wset_add(w, "model.norm.weight", dt, D, 0, 0.2, 1.0);
    if (!c->tie_word_embeddings)
        test_wset_add(w, "lm_head.weight", dt, V, D, 2.0 / sqrt((double)D), 0);
}

/* ------------------------------------------------------------ float64 reference */

static const aif_st_tensor *find(const test_wset *w, const char *name)
{
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->t[i].name, name))
            return &w->t[i];
    return NULL;
}


static const aif_st_tensor *lw(const test_wset *w, int64_t l, const char *s)
{
    char nm[96];
    snprintf(nm, sizeof nm, "model.layers.%lld.%s", (long long)l, s);
    return find(w, nm);
}

/* y[n] = sum_k W[n][k] x[k] (+ b[n]) */
static void ref_linear(const aif_st_tensor *W, const aif_st_tensor *b, const double *x, double *y)
{
    size_t N = (size_t)W->shape[0], K = (size_t)W->shape[1];
    for (size_t n = 0; n < N; n++) {
        double s = b ? test_el(b, n) : 0;
        for (size_t k = 0; k < K; k++)
            s += test_el(W, n * K + k) * x[k];
        y[n] = s;
    }
}

static void ref_rmsnorm(const aif_st_tensor *w, const double *x, double *y, size_t D, double eps)
{
    double ss = 0;
    for (size_t i = 0; i < D; i++)
        ss += x[i] * x[i];
    double r = 1.0 / sqrt(ss / (double)D + eps);
    for (size_t i = 0; i < D; i++)
        y[i] = test_el(w, i) * x[i] * r;
}

/* inv_freq in float64, from the formulas in modeling_rope_utils.py. */
static void ref_inv_freq(const aif_model_config *c, size_t seq_len, double *inv)
{
    size_t d = (size_t)c->head_dim;
    double base = c->rope_theta;
    if (c->rope_type == AIF_ROPE_DYNAMIC && seq_len > (size_t)c->max_position_embeddings) {
        double f = c->rope_factor, mp = (double)c->max_position_embeddings;
        base *= pow(f * (double)seq_len / mp - (f - 1), (double)d / (double)(d - 2));
    }
    for (size_t i = 0; i < d / 2; i++) {
        double v = 1.0 / pow(base, (double)(2 * i) / (double)d);
        if (c->rope_type == AIF_ROPE_LINEAR)
            v /= c->rope_factor;
        if (c->rope_type == AIF_ROPE_LLAMA3) {
            double wl = 2 * M_PI / v, old = (double)c->rope_original_max_pos;
            double lo_wl = old / c->rope_low_freq_factor, hi_wl = old / c->rope_high_freq_factor;
            if (wl > lo_wl)
                v = v / c->rope_factor; /* long wavelengths: scaled */
            else if (wl >= hi_wl) {     /* medium: interpolate */
                double s = (old / wl - c->rope_low_freq_factor) / (c->rope_high_freq_factor - c->rope_low_freq_factor);
                v = (1 - s) * v / c->rope_factor + s * v;
            }
        }
        inv[i] = v;
    }
}

static void ref_rope(double *v, size_t hd, size_t pos, const double *inv)
{
    size_t h = hd / 2;
    for (size_t i = 0; i < h; i++) {
        double a = (double)pos * inv[i], x1 = v[i], x2 = v[i + h];
        v[i] = x1 * cos(a) - x2 * sin(a);
        v[i + h] = x2 * cos(a) + x1 * sin(a);
    }
}

/* logits (T, V) of one sequence */
static void ref_forward(const aif_model_config *c, const test_wset *w, const int32_t *tok, size_t T, double *logits)
{
    size_t D = (size_t)c->hidden_size, I = (size_t)c->intermediate_size, H = (size_t)c->n_heads,
           KVh = (size_t)c->n_kv_heads, hd = (size_t)c->head_dim, V = (size_t)c->vocab_size;
    size_t Q = H * hd, KV = KVh * hd;
    double *x = calloc(T * D, 8), *xn = calloc(D, 8), *q = calloc(T * Q, 8), *k = calloc(T * KV, 8),
           *v = calloc(T * KV, 8), *att = calloc(Q, 8), *o = calloc(D, 8), *g = calloc(I, 8), *u = calloc(I, 8),
           *sc = calloc(T, 8), *inv = calloc(hd, 8);
    const aif_st_tensor *emb = find(w, "model.embed_tokens.weight");
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < D; i++)
            x[t * D + i] = test_el(emb, (size_t)tok[t] * D + i);
    ref_inv_freq(c, T, inv);
    for (int64_t l = 0; l < c->n_layers; l++) {
        for (size_t t = 0; t < T; t++) {
            ref_rmsnorm(lw(w, l, "input_layernorm.weight"), x + t * D, xn, D, c->rms_norm_eps);
            ref_linear(lw(w, l, "self_attn.q_proj.weight"), lw(w, l, "self_attn.q_proj.bias"), xn, q + t * Q);
            ref_linear(lw(w, l, "self_attn.k_proj.weight"), lw(w, l, "self_attn.k_proj.bias"), xn, k + t * KV);
            ref_linear(lw(w, l, "self_attn.v_proj.weight"), lw(w, l, "self_attn.v_proj.bias"), xn, v + t * KV);
            for (size_t h = 0; h < H; h++)
                ref_rope(q + t * Q + h * hd, hd, t, inv);
            for (size_t h = 0; h < KVh; h++)
                ref_rope(k + t * KV + h * hd, hd, t, inv);
        }
        for (size_t t = 0; t < T; t++) {
            for (size_t h = 0; h < H; h++) {
                size_t kh = h / (H / KVh); /* repeat_kv */
                double mx = -INFINITY, sum = 0;
                for (size_t j = 0; j <= t; j++) {
                    double s = 0;
                    for (size_t d = 0; d < hd; d++)
                        s += q[t * Q + h * hd + d] * k[j * KV + kh * hd + d];
                    sc[j] = s / sqrt((double)hd);
                    mx = sc[j] > mx ? sc[j] : mx;
                }
                for (size_t j = 0; j <= t; j++)
                    sum += (sc[j] = exp(sc[j] - mx));
                for (size_t d = 0; d < hd; d++) {
                    double a = 0;
                    for (size_t j = 0; j <= t; j++)
                        a += sc[j] / sum * v[j * KV + kh * hd + d];
                    att[h * hd + d] = a;
                }
            }
            ref_linear(lw(w, l, "self_attn.o_proj.weight"), lw(w, l, "self_attn.o_proj.bias"), att, o);
            for (size_t i = 0; i < D; i++)
                x[t * D + i] += o[i];
            ref_rmsnorm(lw(w, l, "post_attention_layernorm.weight"), x + t * D, xn, D, c->rms_norm_eps);
            ref_linear(lw(w, l, "mlp.gate_proj.weight"), lw(w, l, "mlp.gate_proj.bias"), xn, g);
            ref_linear(lw(w, l, "mlp.up_proj.weight"), lw(w, l, "mlp.up_proj.bias"), xn, u);
            for (size_t i = 0; i < I; i++)
                g[i] = g[i] / (1 + exp(-g[i])) * u[i];
            ref_linear(lw(w, l, "mlp.down_proj.weight"), lw(w, l, "mlp.down_proj.bias"), g, o);
            for (size_t i = 0; i < D; i++)
                x[t * D + i] += o[i];
        }
    }
    const aif_st_tensor *head = c->tie_word_embeddings ? emb : find(w, "lm_head.weight");
    for (size_t t = 0; t < T; t++) {
        ref_rmsnorm(find(w, "model.norm.weight"), x + t * D, xn, D, c->rms_norm_eps);
        ref_linear(head, NULL, xn, logits + t * V);
    }
    free(x), free(xn), free(q), free(k), free(v), free(att), free(o), free(g), free(u), free(sc), free(inv);
}

/* ------------------------------------------------------------ configs */

static const char *QWEN2 =
    "{\"architectures\":[\"Qwen2ForCausalLM\"],\"model_type\":\"qwen2\",\"hidden_size\":48,"
    "\"intermediate_size\":72,\"num_hidden_layers\":2,\"num_attention_heads\":6,\"num_key_value_heads\":2,"
    "\"vocab_size\":101,\"rms_norm_eps\":1e-6,\"rope_theta\":1000000.0,\"max_position_embeddings\":32768,"
    "\"tie_word_embeddings\":false,\"torch_dtype\":\"bfloat16\",\"eos_token_id\":[7,9]}";
static const char *LLAMA3_TIED =
    "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"hidden_size\":32,"
    "\"intermediate_size\":56,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":1,"
    "\"head_dim\":16,\"vocab_size\":67,\"rms_norm_eps\":1e-5,\"rope_theta\":10000.0,"
    "\"rope_scaling\":{\"factor\":32.0,\"high_freq_factor\":4.0,\"low_freq_factor\":1.0,"
    "\"original_max_position_embeddings\":64,\"rope_type\":\"llama3\"},\"tie_word_embeddings\":true,"
    "\"attention_bias\":true,\"mlp_bias\":true,\"bos_token_id\":1,\"eos_token_id\":2}";
static const char *LLAMA_LINEAR =
    "{\"model_type\":\"llama\",\"hidden_size\":32,\"intermediate_size\":40,\"num_hidden_layers\":1,"
    "\"num_attention_heads\":2,\"vocab_size\":50,\"rope_scaling\":{\"type\":\"linear\",\"factor\":4.0}}";
static const char *LLAMA_DYNAMIC =
    "{\"model_type\":\"llama\",\"hidden_size\":32,\"intermediate_size\":40,\"num_hidden_layers\":1,"
    "\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":50,\"max_position_embeddings\":16,"
    "\"rope_scaling\":{\"rope_type\":\"dynamic\",\"factor\":2.0}}";

static int mk(const char *json, aif_dtype dt, uint64_t seed, aif_model_config *c, test_wset *w, aif_model **m)
{
    aif_err err = {0};
    CHECK_OK(aif_model_config_parse(json, strlen(json), "test config", c, &err), err);
    if (err.code)
        return -1;
    build_weights(c, dt, seed, w);
    CHECK_OK(aif_model_new(c, w->t, w->n, m, &err), err);
    if (!*m) {
        test_wset_free(w);
        return -1;
    }
    return 0;
}

static void tokens(int32_t *t, size_t n, int64_t V, uint64_t seed)
{
    test_rng_state = seed;
    for (size_t i = 0; i < n; i++)
        t[i] = (int32_t)((test_urand() + 1) / 2 * (double)V) % (int32_t)V;
}

/* Compare the fast logits of B sequences with the reference. */
static void against_ref(const char *json, aif_dtype dt, size_t B, size_t T, double tol)
{
    aif_model_config c;
    test_wset w;
    aif_model *m = NULL;
    if (aif_test_injecting() || mk(json, dt, 1234, &c, &w, &m))
        return;
    size_t V = (size_t)c.vocab_size;
    int32_t *tok = malloc(B * T * sizeof *tok);
    tokens(tok, B * T, c.vocab_size, 99);
    float *lg = malloc(B * T * V * sizeof(float));
    double *ref = malloc(T * V * sizeof(double));
    aif_err err = {0};
    aif_pool *pool = NULL;
    CHECK_OK(aif_pool_new(2, &pool, &err), err);
    CHECK_OK(aif_model_logits(m, pool, tok, B, T, lg, &err), err);
    double worst = 0;
    for (size_t b = 0; b < B; b++) {
        ref_forward(&c, &w, tok + b * T, T, ref);
        for (size_t i = 0; i < T * V; i++) {
            double e = fabs(lg[b * T * V + i] - ref[i]) / (fabs(ref[i]) > 1 ? fabs(ref[i]) : 1);
            worst = e > worst ? e : worst;
        }
    }
    printf("     %.30s... %s B=%zu T=%zu: max rel diff vs float64 %.3g\n", json, aif_dtype_name(dt), B, T, worst);
    CHECK(worst <= tol);

    /* Statistics: CE and argmax from the reference logits of sequence 0. */
    aif_model_seq_stats st[4];
    float *ce = malloc(B * (T - 1) * sizeof(float));
    int32_t *am = malloc(B * (T - 1) * sizeof(int32_t));
    aif_model_score_opts o = {.argmax = AIF_MODEL_ARGMAX_F32, .per_position_ce = ce, .argmax_ids = am};
    CHECK_OK(aif_model_score(m, pool, tok, B, T, &o, st, &err), err);
    ref_forward(&c, &w, tok, T, ref);
    double sum = 0;
    size_t wrong = 0;
    for (size_t p = 0; p + 1 < T; p++) {
        double mx = -INFINITY, s = 0;
        size_t best = 0;
        for (size_t v = 0; v < V; v++)
            if (ref[p * V + v] > mx)
                mx = ref[p * V + v], best = v;
        for (size_t v = 0; v < V; v++)
            s += exp(ref[p * V + v] - mx);
        double want = mx + log(s) - ref[p * V + (size_t)tok[p + 1]];
        CHECK_NEAR(ce[p], want, 4 * tol * (fabs(want) > 1 ? fabs(want) : 1));
        sum += want;
        wrong += best != (size_t)tok[p + 1];
        if ((size_t)am[p] != best) /* only acceptable at a near-tie */
            CHECK_NEAR(ref[p * V + (size_t)am[p]], mx, 1e-4);
    }
    CHECK_NEAR(st[0].mean_ce, sum / (double)(T - 1), 1e-4);
    CHECK_EQ(st[0].n_positions, T - 1);
    CHECK(st[0].n_wrong + 1 >= wrong && st[0].n_wrong <= wrong + 1);
    free(ce), free(am);
    aif_pool_free(pool);
    free(tok), free(lg), free(ref);
    aif_model_free(m);
    test_wset_free(&w);
}

/* Qwen2: q/k/v biases, rope_theta 1e6, GQA 6:2; T = 70 > one 64-key tile. */
static void qwen2_matches_float64(void) { against_ref(QWEN2, AIF_DTYPE_F32, 2, 70, 2e-5); }
/* Llama: GQA 4:1, tied embeddings, head_dim given, attention and MLP biases, llama3 RoPE.
 * head_dim 16, theta 1e4: wavelengths 2*pi*10^(i/2) = 6.3, 19.9, 62.8, 199, ...; with
 * original_max 64 and factors 1/4 the bounds are 16 and 64, so i = 0 is kept, i = 1, 2
 * are interpolated and i >= 3 divided by the factor: all three bands occur. */
static void llama3_tied_matches_float64(void) { against_ref(LLAMA3_TIED, AIF_DTYPE_F32, 1, 40, 2e-5); }
static void linear_rope_matches_float64(void) { against_ref(LLAMA_LINEAR, AIF_DTYPE_F32, 1, 20, 2e-5); }
/* Dynamic NTK: 30 tokens > max_position_embeddings 16, so the base grows. */
static void dynamic_rope_matches_float64(void) { against_ref(LLAMA_DYNAMIC, AIF_DTYPE_F32, 1, 30, 2e-5); }
/* bf16 and f16 weights: the reference reads the same rounded values in float64. */
static void bf16_weights_match_float64(void) { against_ref(QWEN2, AIF_DTYPE_BF16, 1, 33, 2e-5); }
static void f16_weights_match_float64(void) { against_ref(LLAMA3_TIED, AIF_DTYPE_F16, 1, 17, 2e-5); }

/* Any thread count gives the same bits (logits, scores, generation). */
static void thread_count_invariance(void)
{
    aif_model_config c;
    test_wset w;
    aif_model *m = NULL;
    if (aif_test_injecting() || mk(QWEN2, AIF_DTYPE_BF16, 77, &c, &w, &m))
        return;
    size_t V = (size_t)c.vocab_size, B = 2, T = 67;
    int32_t tok[2 * 67];
    tokens(tok, B * T, c.vocab_size, 5);
    float *lg[3];
    aif_model_seq_stats st[3][2];
    int32_t gen[3][12];
    aif_err err = {0};
    for (int n = 1; n <= 3; n++) {
        aif_pool *pool = NULL;
        CHECK_OK(aif_pool_new(n, &pool, &err), err);
        lg[n - 1] = malloc(B * T * V * sizeof(float));
        CHECK_OK(aif_model_logits(m, pool, tok, B, T, lg[n - 1], &err), err);
        CHECK_OK(aif_model_score(m, pool, tok, B, T, NULL, st[n - 1], &err), err);
        aif_model_gen_opts go = {.max_new = 12};
        size_t no;
        CHECK_OK(aif_model_generate(m, pool, tok, 10, &go, gen[n - 1], &no, &err), err);
        aif_pool_free(pool);
    }
    for (int n = 1; n < 3; n++) {
        CHECK_MEM(lg[0], lg[n], B * T * V * sizeof(float));
        CHECK_MEM(&st[0][0].mean_ce, &st[n][0].mean_ce, sizeof(double));
        CHECK_MEM(&st[0][1].mean_ce, &st[n][1].mean_ce, sizeof(double));
        CHECK_EQ(st[0][1].n_wrong, st[n][1].n_wrong);
        CHECK_MEM(gen[0], gen[n], sizeof gen[0]);
    }
    for (int n = 0; n < 3; n++)
        free(lg[n]);
    aif_model_free(m);
    test_wset_free(&w);
}

/* Causality, bit for bit: the logits of position p do not depend on later
 * tokens nor on how queries are blocked (the prefix alone, run with a
 * different length and so different attention blocks and key tiles, gives
 * identical bits), nor on the batch it is in. */
static void prefix_rows_identical(void)
{
    aif_model_config c;
    test_wset w;
    aif_model *m = NULL;
    if (aif_test_injecting() || mk(QWEN2, AIF_DTYPE_BF16, 91, &c, &w, &m))
        return;
    size_t V = (size_t)c.vocab_size, T = 75;
    int32_t tok[75];
    tokens(tok, T, c.vocab_size, 8);
    float *full = malloc(T * V * sizeof(float)), *part = malloc(T * V * sizeof(float));
    aif_err err = {0};
    CHECK_OK(aif_model_logits(m, NULL, tok, 1, T, full, &err), err);
    static const size_t lens[] = {1, 2, 5, 6, 11, 64, 65, 70};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i];
        CHECK_OK(aif_model_logits(m, NULL, tok, 1, n, part, &err), err);
        CHECK_MEM(part, full, n * V * sizeof(float));
    }
    free(full), free(part);
    aif_model_free(m);
    test_wset_free(&w);
}

/* Greedy decoding with the KV cache equals argmax of full forwards (float64
 * reference), and EOS suppression picks the best non-suppressed id. */
static void generate_matches_reference(void)
{
    aif_model_config c;
    test_wset w;
    aif_model *m = NULL;
    if (aif_test_injecting() || mk(LLAMA3_TIED, AIF_DTYPE_F32, 4321, &c, &w, &m))
        return;
    size_t V = (size_t)c.vocab_size, np = 5, nn = 8;
    int32_t seq[16], gen[16];
    tokens(seq, np, c.vocab_size, 11);
    aif_err err = {0};
    size_t no = 0;
    aif_model_gen_opts go = {.max_new = nn, .argmax = AIF_MODEL_ARGMAX_F32};
    CHECK_OK(aif_model_generate(m, NULL, seq, np, &go, gen, &no, &err), err);
    CHECK_EQ(no, nn);
    double *ref = malloc((np + nn) * V * sizeof(double));
    for (size_t i = 0; i < nn; i++) {
        ref_forward(&c, &w, seq, np + i, ref);
        const double *l = ref + (np + i - 1) * V;
        size_t best = 0;
        for (size_t v = 1; v < V; v++)
            if (l[v] > l[best])
                best = v;
        CHECK_EQ(gen[i], best);
        seq[np + i] = (int32_t)best; /* follow the reference's own path */
    }
    /* Suppress the first step's choice (and id 0) for 3 steps: step 0 must take the
     * reference's best id among the others. */
    ref_forward(&c, &w, seq, np, ref);
    const double *l = ref + (np - 1) * V;
    int64_t sup[2] = {gen[0], 0};
    size_t best = V;
    for (size_t v = 0; v < V; v++)
        if ((int64_t)v != sup[0] && v != 0 && (best == V || l[v] > l[best]))
            best = v;
    aif_model_gen_opts gs = {.max_new = 4, .suppress_ids = sup, .n_suppress = 2, .suppress_steps = 3,
                             .argmax = AIF_MODEL_ARGMAX_F32};
    int32_t g2[4];
    CHECK_OK(aif_model_generate(m, NULL, seq, np, &gs, g2, &no, &err), err);
    CHECK_EQ(no, 4);
    CHECK_EQ(g2[0], best);
    CHECK(g2[1] != sup[0] && g2[1] != 0 && g2[2] != sup[0] && g2[2] != 0);
    /* stop_at_eos: with EOS = 2 suppressed never, generation stops right after an EOS */
    free(ref);
    aif_model_free(m);
    test_wset_free(&w);
}

/* Missing, extra, mis-shaped or conflicting tensors: errors naming them. */
static void hostile_weight_sets(void)
{
    aif_model_config c;
    test_wset w;
    aif_err err = {0};
    aif_model *m = NULL;
    if (mk(QWEN2, AIF_DTYPE_F32, 1, &c, &w, &m))
        return;
    aif_model_free(m);
    m = NULL;
    aif_st_tensor saved;
    /* missing: drop model.layers.1.self_attn.k_proj.bias */
    size_t idx = 0;
    while (idx < w.n && strcmp(w.t[idx].name, "model.layers.1.self_attn.k_proj.bias"))
        idx++;
    CHECK(idx < w.n);
    saved = w.t[idx];
    w.t[idx] = w.t[w.n - 1];
    CHECK_ERR(aif_model_new(&c, w.t, w.n - 1, &m, &err), AIF_ENOTFOUND, err,
              "missing tensor 'model.layers.1.self_attn.k_proj.bias'");
    CHECK(m == NULL);
    w.t[idx] = saved;
    /* wrong shape: q_proj rows */
    idx = 3;
    saved = w.t[idx];
    w.t[idx].shape[0] -= 1;
    w.t[idx].n_elements = w.t[idx].shape[0] * w.t[idx].shape[1];
    w.t[idx].n_bytes = (size_t)w.t[idx].n_elements * 4;
    CHECK_ERR(aif_model_new(&c, w.t, w.n, &m, &err), AIF_EFORMAT, err, "shape [");
    CHECK(strstr(err.msg, saved.name) != NULL);
    w.t[idx] = saved;
    /* 1-D where 2-D expected */
    w.t[0].n_dims = 1;
    CHECK_ERR(aif_model_new(&c, w.t, w.n, &m, &err), AIF_EFORMAT, err, "'model.embed_tokens.weight': shape [101]");
    w.t[0].n_dims = 2;
    /* extra tensors: an unknown name, a layer beyond the config, o_proj bias (Qwen2 has none) */
    const char *extra[] = {"model.extra.weight", "model.layers.2.mlp.up_proj.weight",
                           "model.layers.0.self_attn.o_proj.bias", "model.layers.01.mlp.up_proj.weight"};
    for (int e = 0; e < 4; e++) {
        w.t[w.n] = w.t[1];
        w.t[w.n].name = extra[e];
        CHECK_ERR(aif_model_new(&c, w.t, w.n + 1, &m, &err), AIF_EFORMAT, err, extra[e]);
    }
    /* duplicate */
    w.t[w.n] = w.t[1];
    CHECK_ERR(aif_model_new(&c, w.t, w.n + 1, &m, &err), AIF_EFORMAT, err, "appears twice");
    /* tied config with an lm_head that differs from the embedding */
    c.tie_word_embeddings = 1;
    CHECK_ERR(aif_model_new(&c, w.t, w.n, &m, &err), AIF_EFORMAT, err, "'lm_head.weight' differs");
    c.tie_word_embeddings = 0;
    /* bad token ids */
    CHECK_OK(aif_model_new(&c, w.t, w.n, &m, &err), err);
    if (m) {
        int32_t bad[3] = {1, 101, 2};
        float lg[3 * 101];
        CHECK_ERR(aif_model_logits(m, NULL, bad, 1, 3, lg, &err), AIF_ERANGE, err, "id 101 is outside");
        aif_model_seq_stats st;
        CHECK_ERR(aif_model_score(m, NULL, bad, 1, 1, NULL, &st, &err), AIF_EINVAL, err, "at least 2 tokens");
        /* sizes are refused before any token is read */
        CHECK_ERR(aif_model_logits(m, NULL, bad, (size_t)1 << 12, (size_t)1 << 11, lg, &err), AIF_ERANGE, err,
                  "4096 sequences of 2048 tokens");
        CHECK_ERR(aif_model_logits(m, NULL, bad, SIZE_MAX / 2, 3, lg, &err), AIF_ERANGE, err, "too many");
        aif_model_free(m);
    }
    test_wset_free(&w);
}

/* Every allocation failure inside load/forward/score/generate ends in
 * AIF_ENOMEM without a crash or leak (run with --fail-alloc). */
static void out_of_memory_paths(void)
{
    aif_model_config c;
    test_wset w;
    aif_err err = {0};
    CHECK_OK(aif_model_config_parse(QWEN2, strlen(QWEN2), "cfg", &c, &err), err);
    build_weights(&c, AIF_DTYPE_BF16, 3, &w);
    aif_model *m = NULL;
    aif_pool *pool = NULL;
    aif_code rc = aif_model_new(&c, w.t, w.n, &m, &err);
    CHECK(rc == AIF_OK || (aif_test_injecting() && rc == AIF_ENOMEM));
    if (rc == AIF_OK)
        rc = aif_pool_new(2, &pool, &err);
    CHECK(rc == AIF_OK || (aif_test_injecting() && rc == AIF_ENOMEM));
    if (rc == AIF_OK) {
        int32_t tok[2 * 8] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        float *lg = malloc(16 * 101 * sizeof(float));
        aif_model_seq_stats st[2];
        int32_t gen[5];
        size_t no;
        aif_model_gen_opts go = {.max_new = 5};
        aif_code r1 = aif_model_logits(m, pool, tok, 2, 8, lg, &err);
        aif_code r2 = aif_model_score(m, pool, tok, 2, 8, NULL, st, &err);
        aif_code r3 = aif_model_generate(m, pool, tok, 8, &go, gen, &no, &err);
        CHECK(r1 == AIF_OK || (aif_test_injecting() && r1 == AIF_ENOMEM));
        CHECK(r2 == AIF_OK || (aif_test_injecting() && r2 == AIF_ENOMEM));
        CHECK(r3 == AIF_OK || (aif_test_injecting() && r3 == AIF_ENOMEM));
        free(lg);
    }
    aif_pool_free(pool);
    aif_model_free(m);
    test_wset_free(&w);
}

AIF_TESTS(model_forward) = {
    {"model/out_of_memory_paths", out_of_memory_paths},
    {"model/qwen2_matches_float64", qwen2_matches_float64},
    {"model/llama3_tied_matches_float64", llama3_tied_matches_float64},
    {"model/linear_rope_matches_float64", linear_rope_matches_float64},
    {"model/dynamic_rope_matches_float64", dynamic_rope_matches_float64},
    {"model/bf16_weights_match_float64", bf16_weights_match_float64},
    {"model/f16_weights_match_float64", f16_weights_match_float64},
    {"model/thread_count_invariance", thread_count_invariance},
    {"model/prefix_rows_identical", prefix_rows_identical},
    {"model/generate_matches_reference", generate_matches_reference},
    {"model/hostile_weight_sets", hostile_weight_sets},
    {NULL, NULL},
};
