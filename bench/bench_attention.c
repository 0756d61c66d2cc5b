/* bench_attention.c: causal grouped-query attention alone
 * (src/model/attention.c, aif_model_attention) for a Llama-3.2-1B-shaped
 * layer (32 heads, 8 kv heads, head_dim 64) at several sequence lengths, on
 * one thread (no pool), timed in thread CPU time so that other processes on
 * the machine do not skew it (--threads N: a pool of N, wall time, against
 * the peak of N threads). GFLOP/s count the causal products only:
 * 4 x heads x head_dim x T^2 / 2 (Q K^T and P V), the way the forward
 * benchmark counts attention. Median of --reps runs, with min..max, and the
 * percentage of the single-thread vfmadd231ps peak measured in the same run.
 *
 * --compute bf16: the model's BF16 compute mode (attention stays f32);
 * bf16-attn: with bf16_attention too (q, k, v, p rounded to bf16: AMX attn16
 * where the level has it); the percentage stays against the f32 FMA peak.
 *
 *   bench_attention [--t 2048,4096] [--heads 32] [--kv 8] [--hd 64] [--reps 3] [--threads 1]
 *                   [--compute f32|bf16|bf16-attn] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peak.h"
#include "../src/model/model_int.h"

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static float rnd(unsigned long long *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((*s >> 40) & 0xffffff) / 8388608.0f - 1.0f; /* [-1, 1) */
}

int main(int argc, char **argv)
{
    const char *ts = "2048,4096";
    size_t H = 32, KV = 8, hd = 64;
    int reps = 3, threads = 1, bf16 = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--t")) ts = argv[i + 1];
        else if (!strcmp(argv[i], "--heads")) H = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--kv")) KV = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--hd")) hd = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--compute"))
            bf16 = !strcmp(argv[i + 1], "bf16") ? 1 : !strcmp(argv[i + 1], "bf16-attn") ? 2 : 0;
        else { fprintf(stderr, "bench_attention: unknown option %s\n", argv[i]); return 2; }
    }
    if (reps < 1 || reps > 1000 || threads < 1 || threads > 256 || !H || !KV || H % KV || !hd || hd > 1024) {
        fprintf(stderr, "bench_attention: bad sizes or --reps\n");
        return 2;
    }
    aif_model m;
    memset(&m, 0, sizeof m);
    m.cfg.n_heads = (int)H;
    m.cfg.n_kv_heads = (int)KV;
    m.cfg.head_dim = (int)hd;
    m.k = aif_kernels_get();
    m.compute = bf16 ? AIF_MODEL_COMPUTE_BF16 : AIF_MODEL_COMPUTE_F32;
    m.bf16_attention = bf16 == 2;
    aif_pool *pool = NULL;
    aif_err err;
    if (threads > 1 && aif_pool_new(threads, &pool, &err)) {
        fprintf(stderr, "bench_attention: %s\n", err.msg);
        return 1;
    }
    double peak = peak_gflops(pool, 0);
    printf("kernels %s, attention heads=%zu kv_heads=%zu head_dim=%zu, compute %s%s, %d thread%s (%s time), "
           "measured vfmadd231ps peak %.1f GFLOP/s\n", m.k->name, H, KV, hd, bf16 ? "bf16" : "f32",
           bf16 == 2 ? (m.k->attn16 ? ", bf16 attention (attn16)" : ", bf16 attention (rounded f32)") : "", threads,
           threads > 1 ? "s" : "",
           pool ? "wall" : "thread CPU", peak);
    printf("%6s %10s %10s %17s %7s\n", "T", "seconds", "GFLOP/s", "min..max", "%peak");
    for (const char *p = ts; *p;) {
        size_t T = (size_t)strtoul(p, (char **)&p, 10);
        if (*p == ',')
            p++;
        if (!T || T > (1u << 20))
            break;
        size_t Q = H * hd, KVd = KV * hd;
        float *q = aif_malloc_aligned(T * Q * 4), *k = aif_malloc_aligned(T * KVd * 4),
              *v = aif_malloc_aligned(T * KVd * 4), *o = aif_malloc_aligned(T * Q * 4);
        double *t = malloc((size_t)reps * sizeof *t);
        if (!q || !k || !v || !o || !t)
            return 1;
        unsigned long long s = 7;
        /* scores of a few units, as after RoPE in a trained model */
        for (size_t i = 0; i < T * Q; i++)
            q[i] = 2.0f * rnd(&s);
        for (size_t i = 0; i < T * KVd; i++)
            k[i] = 2.0f * rnd(&s), v[i] = rnd(&s);
        for (int r = 0; r < reps; r++) {
            double t0 = pool ? aif_time_now() : peak_thread_time();
            if (aif_model_attention(&m, pool, q, k, v, KVd, T, 1, T, 0, o, &err)) {
                fprintf(stderr, "bench_attention: %s\n", err.msg);
                return 1;
            }
            t[r] = (pool ? aif_time_now() : peak_thread_time()) - t0;
        }
        qsort(t, (size_t)reps, sizeof *t, cmpd);
        double fl = 4.0 * (double)H * (double)hd * (double)T * (double)T / 2, med = t[reps / 2];
        printf("%6zu %10.4f %10.1f %8.1f..%-8.1f %6.1f%%\n", T, med, fl / med / 1e9, fl / t[reps - 1] / 1e9,
               fl / t[0] / 1e9, peak > 0 ? 100.0 * fl / med / 1e9 / peak : 0.0);
        aif_free_aligned(q), aif_free_aligned(k), aif_free_aligned(v), aif_free_aligned(o), free(t);
    }
    aif_pool_free(pool);
    return 0;
}
