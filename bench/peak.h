/* peak.h (bench only): measured compute peak of this machine, register-only
 * loops with 12 independent 512-bit accumulators (enough to cover the FMA
 * latency on two ports), run on one thread and on every pool thread at once.
 *   vdpbf16ps: 32 bf16 pairs -> 16 f32 lanes, counted as 64 FLOP/instruction
 *   vfmadd231ps zmm: 16 lanes x 2 = 32 FLOP/instruction
 * Falls back to 0 (unknown) when the CPU lacks AVX-512F / AVX512_BF16. */
#ifndef AIF_BENCH_PEAK_H
#define AIF_BENCH_PEAK_H

#include <immintrin.h>
#include <stdint.h>
#include <time.h>

#include "aif/aif.h"

#define PEAK_ITERS 20000000ull /* x 12 instructions per thread */

/* The loops are inline assembly so that the compiler can neither spill the
 * accumulators nor drop the work: zmm0..zmm11 accumulate, zmm12/zmm13 are the
 * operands; 12 dependent chains, 12 instructions per iteration. */
#define PEAK_BODY(op)                                                                                          \
    op " %%zmm12, %%zmm13, %%zmm0\n\t" op " %%zmm12, %%zmm13, %%zmm1\n\t" op " %%zmm12, %%zmm13, %%zmm2\n\t" \
    op " %%zmm12, %%zmm13, %%zmm3\n\t" op " %%zmm12, %%zmm13, %%zmm4\n\t" op " %%zmm12, %%zmm13, %%zmm5\n\t" \
    op " %%zmm12, %%zmm13, %%zmm6\n\t" op " %%zmm12, %%zmm13, %%zmm7\n\t" op " %%zmm12, %%zmm13, %%zmm8\n\t" \
    op " %%zmm12, %%zmm13, %%zmm9\n\t" op " %%zmm12, %%zmm13, %%zmm10\n\t" op " %%zmm12, %%zmm13, %%zmm11\n\t"

#define PEAK_LOOP(op, iters)                                                                                   \
    __asm__ volatile("vpxord %%zmm0, %%zmm0, %%zmm0\n\tvmovdqa64 %%zmm0, %%zmm1\n\tvmovdqa64 %%zmm0, %%zmm2\n\t" \
                     "vmovdqa64 %%zmm0, %%zmm3\n\tvmovdqa64 %%zmm0, %%zmm4\n\tvmovdqa64 %%zmm0, %%zmm5\n\t"    \
                     "vmovdqa64 %%zmm0, %%zmm6\n\tvmovdqa64 %%zmm0, %%zmm7\n\tvmovdqa64 %%zmm0, %%zmm8\n\t"    \
                     "vmovdqa64 %%zmm0, %%zmm9\n\tvmovdqa64 %%zmm0, %%zmm10\n\tvmovdqa64 %%zmm0, %%zmm11\n\t"  \
                     "vmovdqa64 %%zmm0, %%zmm12\n\tvmovdqa64 %%zmm0, %%zmm13\n\t"                             \
                     "1:\n\t" PEAK_BODY(op) "dec %0\n\tjnz 1b\n\t"                                               \
                     : "+r"(iters)                                                                              \
                     :                                                                                          \
                     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",  \
                       "xmm11", "xmm12", "xmm13", "cc")

__attribute__((target("avx512f,avx512bf16"), noinline)) static float peak_dpbf16_loop(uint64_t iters)
{
    if (iters)
        PEAK_LOOP("vdpbf16ps", iters);
    return 0;
}

__attribute__((target("avx512f"), noinline)) static float peak_fma_loop(uint64_t iters)
{
    if (iters)
        PEAK_LOOP("vfmadd231ps", iters);
    return 0;
}

/* CPU seconds used by the calling thread: single-thread timings with it are
 * not inflated when other processes share the cores (wall time is). */
static double peak_thread_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct peak_job {
    int bf16;
    uint64_t iters;
    volatile float sink;
};

static void peak_worker(void *arg, int ith, int nth)
{
    struct peak_job *j = arg;
    (void)nth;
    float r = j->bf16 ? peak_dpbf16_loop(j->iters) : peak_fma_loop(j->iters);
    if (ith == 0)
        j->sink = r;
}

/* GFLOP/s of the loop (bf16: vdpbf16ps, else vfmadd231ps) on one thread
 * (pool NULL: thread CPU time) or on every thread of pool (wall time); best
 * of 3 runs. */
static double peak_gflops(aif_pool *pool, int bf16)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f") || (bf16 && !__builtin_cpu_supports("avx512bf16")))
        return 0;
    struct peak_job j = {bf16, PEAK_ITERS / 4, 0};
    peak_worker(&j, 0, 1); /* warm up (frequency, page-in) */
    j.iters = PEAK_ITERS;
    int nth = pool ? aif_pool_size(pool) : 1;
    double best = 0;
    for (int r = 0; r < 3; r++) {
        double t0 = pool ? aif_time_now() : peak_thread_time();
        if (pool)
            aif_pool_run(pool, peak_worker, &j);
        else
            peak_worker(&j, 0, 1);
        double dt = (pool ? aif_time_now() : peak_thread_time()) - t0;
        double g = (double)nth * (double)j.iters * 12.0 * (bf16 ? 64.0 : 32.0) / dt / 1e9;
        best = g > best ? g : best;
    }
    return best;
}

#endif
