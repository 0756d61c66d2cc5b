/* bench_forward.c: forward throughput of a synthetic Llama-3.2-1B-shaped
 * model (hidden 2048, 16 layers, 32 heads, 8 kv heads, intermediate 8192,
 * vocab 128256, untied: 1.50 B parameters) with random weights made in
 * memory, scored (forward + LM head + CE/argmax) at sequence lengths 512
 * and 2048 with f32 and bf16 weights. Prints one table.
 *
 *   bench_forward [--layers N] [--seq 512,2048] [--dtypes f32,bf16] [--threads N] [--reps N] [--vocab V]
 *
 * GFLOP/s counts 2 x (matmul parameters incl. LM head) per token plus the
 * causal attention products (2 x 2 x layers x heads x head_dim x T^2 / 2).
 * Env BENCH_FORWARD_LAYERS overrides the default layer count.
 * Each row runs --reps times (default 3) and reports the median time, with
 * the min/max GFLOP/s as spread, and the median GFLOP/s as a percentage of
 * the peak measured at start-up on all pool threads (peak.h): the
 * vdpbf16ps loop for bf16 weights, the vfmadd231ps loop for f32 weights.
 * With --threads 1 both are timed in process CPU time instead of wall time,
 * so that other processes sharing the cores do not skew the numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/aif.h"
#include "aif/model.h"
#include "peak.h"

static uint64_t rs = 88172645463325252ull;
static inline float frand(float scale)
{
    rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
    return scale * ((float)(rs >> 40) / (float)(1 << 24) - 0.5f);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct { aif_st_tensor *t; void **bufs; size_t n; char (*names)[80]; } wset;

static int add(wset *w, const char *name, aif_dtype dt, int64_t r, int64_t c, float scale, float center)
{
    size_t n = (size_t)(r * (c ? c : 1)), es = aif_dtype_size(dt);
    unsigned char *d = aif_malloc_aligned(n * es);
    if (!d)
        return -1;
    if (dt == AIF_DTYPE_F32) {
        float *f = (float *)d;
        for (size_t i = 0; i < n; i++)
            f[i] = center + frand(scale);
    } else {
        uint16_t *h = (uint16_t *)d;
        for (size_t i = 0; i < n; i++)
            h[i] = aif_f32_to_bf16(center + frand(scale));
    }
    aif_st_tensor *t = &w->t[w->n];
    snprintf(w->names[w->n], 80, "%s", name);
    t->name = w->names[w->n];
    t->dtype = dt;
    t->n_dims = c ? 2 : 1;
    t->shape[0] = r;
    t->shape[1] = c;
    t->n_elements = (int64_t)n;
    t->data = d;
    t->n_bytes = n * es;
    w->bufs[w->n++] = d;
    return 0;
}

static void wfree(wset *w)
{
    for (size_t i = 0; i < w->n; i++)
        aif_free_aligned(w->bufs[i]);
    free(w->t), free(w->bufs), free(w->names);
}

static int build(const aif_model_config *c, aif_dtype dt, wset *w)
{
    size_t cap = 9 * (size_t)c->n_layers + 3;
    w->t = calloc(cap, sizeof *w->t), w->bufs = calloc(cap, sizeof *w->bufs), w->names = calloc(cap, 80);
    w->n = 0;
    int64_t D = c->hidden_size, I = c->intermediate_size, Q = c->n_heads * c->head_dim,
            KV = c->n_kv_heads * c->head_dim, V = c->vocab_size;
    char nm[80];
    float s = 0.05f;
    if (add(w, "model.embed_tokens.weight", dt, V, D, 1, 0) || add(w, "model.norm.weight", dt, D, 0, 0.1f, 1) ||
        add(w, "lm_head.weight", dt, V, D, s, 0))
        return -1;
    for (int64_t l = 0; l < c->n_layers; l++) {
#define L(x) (snprintf(nm, sizeof nm, "model.layers.%lld." x, (long long)l), nm)
        if (add(w, L("input_layernorm.weight"), dt, D, 0, 0.1f, 1) ||
            add(w, L("post_attention_layernorm.weight"), dt, D, 0, 0.1f, 1) ||
            add(w, L("self_attn.q_proj.weight"), dt, Q, D, s, 0) || add(w, L("self_attn.k_proj.weight"), dt, KV, D, s, 0) ||
            add(w, L("self_attn.v_proj.weight"), dt, KV, D, s, 0) || add(w, L("self_attn.o_proj.weight"), dt, D, Q, s, 0) ||
            add(w, L("mlp.gate_proj.weight"), dt, I, D, s, 0) || add(w, L("mlp.up_proj.weight"), dt, I, D, s, 0) ||
            add(w, L("mlp.down_proj.weight"), dt, D, I, s, 0))
            return -1;
#undef L
    }
    return 0;
}

int main(int argc, char **argv)
{
    int layers = 16, threads = 0, reps = 3, vocab = 128256;
    const char *seqs = "512,2048", *dtypes = "f32,bf16";
    if (getenv("BENCH_FORWARD_LAYERS"))
        layers = atoi(getenv("BENCH_FORWARD_LAYERS"));
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--layers")) layers = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seq")) seqs = argv[i + 1];
        else if (!strcmp(argv[i], "--dtypes")) dtypes = argv[i + 1];
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--vocab")) vocab = atoi(argv[i + 1]);
        else { fprintf(stderr, "bench_forward: unknown option %s\n", argv[i]); return 2; }
    }
    if (layers < 1 || reps < 1) {
        fprintf(stderr, "bench_forward: --layers and --reps must be >= 1\n");
        return 2;
    }
    char js[1024];
    snprintf(js, sizeof js,
             "{\"model_type\":\"llama\",\"hidden_size\":2048,\"intermediate_size\":8192,\"num_hidden_layers\":%d,"
             "\"num_attention_heads\":32,\"num_key_value_heads\":8,\"vocab_size\":%d,\"rope_theta\":500000.0,"
             "\"max_position_embeddings\":131072}", layers, vocab);
    aif_model_config cfg;
    aif_err err = {0};
    if (aif_model_config_parse(js, strlen(js), "bench", &cfg, &err)) {
        fprintf(stderr, "bench_forward: %s\n", err.msg);
        return 1;
    }
    aif_pool *pool = NULL;
    if (aif_pool_new(threads, &pool, &err)) {
        fprintf(stderr, "bench_forward: %s\n", err.msg);
        return 1;
    }
    double P = (double)aif_model_config_param_count(&cfg);
    double mm = P - (double)cfg.vocab_size * (double)cfg.hidden_size; /* all but the embedding lookup */
    printf("synthetic llama: hidden 2048, %d layers, 32/8 heads, intermediate 8192, vocab %d: %.3f B params; "
           "%d threads\n", layers, vocab, P / 1e9, aif_pool_size(pool));
    int cpu = aif_pool_size(pool) == 1; /* one thread: CPU time */
    double peak_f32 = peak_gflops(cpu ? NULL : pool, 0), peak_bf16 = peak_gflops(cpu ? NULL : pool, 1);
    printf("measured peak on %d threads: vfmadd231ps %.1f GFLOP/s, vdpbf16ps %.1f GFLOP/s; %d reps per row, %s\n",
           aif_pool_size(pool), peak_f32, peak_bf16, reps, cpu ? "process CPU time" : "wall time");
    printf("%-6s %6s %9s %10s %10s %17s %7s %9s\n", "dtype", "seq", "seconds", "tok/s", "GFLOP/s", "min..max",
           "%peak", "CE");
    char dbuf[64];
    snprintf(dbuf, sizeof dbuf, "%s", dtypes);
    for (char *dsave = NULL, *d = strtok_r(dbuf, ",", &dsave); d; d = strtok_r(NULL, ",", &dsave)) {
        aif_dtype dt = !strcmp(d, "f32") ? AIF_DTYPE_F32 : AIF_DTYPE_BF16;
        wset w;
        aif_model *m = NULL;
        if (build(&cfg, dt, &w) || aif_model_new(&cfg, w.t, w.n, &m, &err)) {
            fprintf(stderr, "bench_forward: building %s weights: %s\n", d, err.msg[0] ? err.msg : "out of memory");
            return 1;
        }
        char sbuf[64];
        snprintf(sbuf, sizeof sbuf, "%s", seqs);
        for (char *ssave = NULL, *s = strtok_r(sbuf, ",", &ssave); s; s = strtok_r(NULL, ",", &ssave)) {
            size_t T = (size_t)atol(s);
            if (T < 2)
                continue;
            int32_t *tok = malloc(T * sizeof *tok);
            for (size_t i = 0; i < T; i++)
                tok[i] = (int32_t)((i * 7919u + 13u) % (unsigned)vocab);
            double *tm = malloc((size_t)reps * sizeof *tm);
            aif_model_seq_stats st;
            for (int r = 0; r < reps; r++) {
                double t0 = cpu ? cpu_now() : aif_time_now();
                if (aif_model_score(m, pool, tok, 1, T, NULL, &st, &err)) {
                    fprintf(stderr, "bench_forward: %s\n", err.msg);
                    return 1;
                }
                tm[r] = (cpu ? cpu_now() : aif_time_now()) - t0;
            }
            for (int a = 1; a < reps; a++) /* insertion sort: median, min, max */
                for (int b = a; b > 0 && tm[b] < tm[b - 1]; b--) {
                    double t = tm[b];
                    tm[b] = tm[b - 1], tm[b - 1] = t;
                }
            double med = reps % 2 ? tm[reps / 2] : 0.5 * (tm[reps / 2 - 1] + tm[reps / 2]);
            double peak = dt == AIF_DTYPE_F32 ? peak_f32 : peak_bf16;
            double flops = 2.0 * mm * (double)T + 2.0 * (double)layers * 32.0 * 64.0 * (double)T * (double)T;
            char spread[40];
            snprintf(spread, sizeof spread, "%.1f..%.1f", flops / tm[reps - 1] / 1e9, flops / tm[0] / 1e9);
            printf("%-6s %6zu %9.3f %10.1f %10.1f %17s %6.1f%% %9.4f\n", d, T, med, (double)T / med,
                   flops / med / 1e9, spread, peak > 0 ? 100.0 * flops / med / 1e9 / peak : 0.0, st.mean_ce);
            free(tm);
            fflush(stdout);
            free(tok);
        }
        aif_model_free(m);
        wfree(&w);
    }
    aif_pool_free(pool);
    return 0;
}
