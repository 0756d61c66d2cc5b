/* bench_peak.c: the machine's measured compute peak (see peak.h): vdpbf16ps
 * (bf16 dot products into f32) and vfmadd231ps (f32 FMA) on 512-bit
 * registers, and AMX tdpbf16ps on tiles, single thread and all pool
 * threads, in GFLOP/s: summed per-thread rates in thread CPU time, and
 * (column wall) the same work over wall time; they agree on an idle
 * machine.
 *
 *   bench_peak [--threads N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peak.h"

int main(int argc, char **argv)
{
    int threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else { fprintf(stderr, "bench_peak: unknown option %s\n", argv[i]); return 2; }
    }
    aif_err err = {0};
    aif_pool *pool = NULL;
    if (aif_pool_new(threads, &pool, &err)) {
        fprintf(stderr, "bench_peak: %s\n", err.msg);
        return 1;
    }
    int n = aif_pool_size(pool);
    printf("%-24s %8s %10s %14s %10s\n", "loop", "threads", "GFLOP/s", "GFLOP/s/thread", "wall");
    const char *names[3] = {"vfmadd231ps zmm (f32)", "vdpbf16ps zmm (bf16)", "tdpbf16ps AMX (bf16)"};
    for (int bf = PEAK_FMA; bf <= PEAK_AMX; bf++) {
        double w1, wn, g1 = peak_gflops_ex(NULL, bf, &w1), gn = peak_gflops_ex(pool, bf, &wn);
        printf("%-24s %8d %10.1f %14.1f %10.1f\n", names[bf], 1, g1, g1, w1);
        printf("%-24s %8d %10.1f %14.1f %10.1f\n", names[bf], n, gn, gn / n, wn);
    }
    aif_pool_free(pool);
    return 0;
}
