/* bench_gemm.c: one thread, the model's linear-layer product alone
 * (y = x w^T, x (M, K) f32, w (N, K) f32, as src/kernels/ gemm), for the
 * kernel table picked for this CPU, in GFLOP/s (2 M N K / seconds) and as a
 * percentage of the single-thread vfmadd231ps peak measured in the same run
 * (peak.h). Median of --reps runs, with min..max; both timed in thread CPU
 * time, so that other processes on the machine do not skew the ratio.
 *
 *   bench_gemm [--m 512] [--n 2048] [--k 2048] [--reps 5] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peak.h"
#include "../src/kernels/kernels.h"

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    size_t M = 512, N = 2048, K = 2048;
    int reps = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--m")) M = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--n")) N = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--k")) K = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
        else { fprintf(stderr, "bench_gemm: unknown option %s\n", argv[i]); return 2; }
    }
    if (reps < 1 || reps > 1000 || !M || !N || !K) {
        fprintf(stderr, "bench_gemm: bad sizes or --reps\n");
        return 2;
    }
    const struct aif_kernels *k = aif_kernels_get();
    float *x = aif_malloc_aligned(M * K * 4), *w = aif_malloc_aligned(N * K * 4), *y = aif_malloc_aligned(M * N * 4);
    double *t = malloc((size_t)reps * sizeof *t);
    if (!x || !w || !y || !t)
        return 1;
    for (size_t i = 0; i < M * K; i++)
        x[i] = (float)((i * 7919u) % 1000u) / 1000.0f - 0.5f;
    for (size_t i = 0; i < N * K; i++)
        w[i] = (float)((i * 104729u) % 1000u) / 1000.0f - 0.5f;
    double peak = peak_gflops(NULL, 0), fl = 2.0 * (double)M * (double)N * (double)K;
    k->gemm(M, N, K, x, K, w, K, y, N); /* warm up */
    for (int r = 0; r < reps; r++) {
        double t0 = peak_thread_time();
        k->gemm(M, N, K, x, K, w, K, y, N);
        t[r] = peak_thread_time() - t0;
    }
    qsort(t, (size_t)reps, sizeof *t, cmpd);
    double med = t[reps / 2];
    printf("kernels %s, gemm M=%zu N=%zu K=%zu, 1 thread, measured vfmadd231ps peak %.1f GFLOP/s\n", k->name, M, N,
           K, peak);
    printf("%10s %10s %17s %7s\n", "seconds", "GFLOP/s", "min..max", "%peak");
    printf("%10.4f %10.1f %8.1f..%-8.1f %6.1f%%\n", med, fl / med / 1e9, fl / t[reps - 1] / 1e9, fl / t[0] / 1e9,
           peak > 0 ? 100.0 * fl / med / 1e9 / peak : 0.0);
    aif_free_aligned(x), aif_free_aligned(w), aif_free_aligned(y), free(t);
    return 0;
}
