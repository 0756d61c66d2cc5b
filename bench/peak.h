/* peak.h (bench only): measured compute peak of this machine, register-only
 * loops with 12 independent 512-bit accumulators (enough to cover the FMA
 * latency on two ports), run on one thread and on every pool thread at once.
 *   vdpbf16ps: 32 bf16 pairs -> 16 f32 lanes, counted as 64 FLOP/instruction
 *   vfmadd231ps zmm: 16 lanes x 2 = 32 FLOP/instruction
 *   AMX tdpbf16ps on 16x64-byte tiles: C (16x16 f32) += A (16x32 bf16) B
 *     (32x16 bf16), 16 x 16 x 32 x 2 = 16384 FLOP/instruction; 4 independent
 *     accumulator tiles (tmm0..3) fed from tmm4..7, no memory operands.
 * Falls back to 0 (unknown) when the CPU lacks AVX-512F / AVX512_BF16 /
 * AMX-BF16 (or Linux refuses the AMX tile state to the process). */
#ifndef AIF_BENCH_PEAK_H
#define AIF_BENCH_PEAK_H

#include <immintrin.h>
#include <stdint.h>
#include <time.h>
#if defined(__linux__)
#endif

#include "aif/aif.h"
#include "../src/kernels/kernels.h"

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

#define PEAK_AMX_ITERS 20000000ull /* x 4 tdpbf16ps per thread */

/* AMX usable: the library's own probe (cpuid, then Linux's per-process
 * permission for the tile data). */
static int peak_amx_ok(void) { return aif_kernels_amx() != NULL; }

/* Palette 1, tiles 0..7 each 16 rows x 64 bytes; zeroed operands (the
 * units do not slow down on zeros). Inline assembly so that nothing is
 * loaded or stored inside the loop. */
__attribute__((noinline)) static float peak_amx_loop(uint64_t iters)
{
#if defined(__x86_64__)
    if (!iters)
        return 0;
    unsigned char cfg[64] __attribute__((aligned(64))) = {0};
    cfg[0] = 1;
    for (int t = 0; t < 8; t++) {
        cfg[16 + 2 * t] = 64; /* colsb[t] = 64 bytes */
        cfg[48 + t] = 16;     /* rows[t] */
    }
    __asm__ volatile("ldtilecfg %1\n\t"
                     "tilezero %%tmm0\n\ttilezero %%tmm1\n\ttilezero %%tmm2\n\ttilezero %%tmm3\n\t"
                     "tilezero %%tmm4\n\ttilezero %%tmm5\n\ttilezero %%tmm6\n\ttilezero %%tmm7\n\t"
                     "1:\n\t"
                     "tdpbf16ps %%tmm6, %%tmm4, %%tmm0\n\t"
                     "tdpbf16ps %%tmm7, %%tmm4, %%tmm1\n\t"
                     "tdpbf16ps %%tmm6, %%tmm5, %%tmm2\n\t"
                     "tdpbf16ps %%tmm7, %%tmm5, %%tmm3\n\t"
                     "dec %0\n\tjnz 1b\n\t"
                     "tilerelease\n\t"
                     : "+r"(iters)
                     : "m"(cfg)
                     : "cc", "memory");
#else
    (void)iters;
#endif
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

enum { PEAK_FMA = 0, PEAK_DPBF16 = 1, PEAK_AMX = 2 };

#define PEAK_MAX_THREADS 256

struct peak_job {
    int bf16; /* PEAK_FMA, PEAK_DPBF16 or PEAK_AMX */
    uint64_t iters;
    volatile float sink;
    double tcpu[PEAK_MAX_THREADS]; /* each worker's thread CPU seconds */
};

static void peak_worker(void *arg, int ith, int nth)
{
    struct peak_job *j = arg;
    (void)nth;
    double t0 = peak_thread_time();
    float r = j->bf16 == PEAK_AMX ? peak_amx_loop(j->iters)
              : j->bf16 ? peak_dpbf16_loop(j->iters) : peak_fma_loop(j->iters);
    if (ith < PEAK_MAX_THREADS)
        j->tcpu[ith] = peak_thread_time() - t0;
    if (ith == 0)
        j->sink = r;
}

/* GFLOP/s of the loop (PEAK_FMA: vfmadd231ps, PEAK_DPBF16: vdpbf16ps,
 * PEAK_AMX: tdpbf16ps; 1 is PEAK_DPBF16, as before) on one thread (pool
 * NULL) or on every thread of pool at once; best of 5 runs. Returned: the
 * sum over threads of each thread's rate in its own thread CPU time (what
 * the cores deliver while the threads run: not lowered when other
 * processes take turns on the cores). *wall (optional): the same work over
 * wall time (equal on an idle machine, lower on a shared one). */
static double peak_gflops_ex(aif_pool *pool, int bf16, double *wall)
{
    if (wall)
        *wall = 0;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f") || (bf16 == PEAK_DPBF16 && !__builtin_cpu_supports("avx512bf16")) ||
        (bf16 == PEAK_AMX && !peak_amx_ok()))
        return 0;
    uint64_t iters = bf16 == PEAK_AMX ? PEAK_AMX_ITERS : PEAK_ITERS;
    double per_iter = bf16 == PEAK_AMX ? 4.0 * 16384.0 : 12.0 * (bf16 ? 64.0 : 32.0);
    static struct peak_job j; /* tcpu[] is large: not on the stack */
    j.bf16 = bf16, j.iters = iters / 4;
    peak_worker(&j, 0, 1); /* warm up (frequency, page-in) */
    j.iters = iters;
    int nth = pool ? aif_pool_size(pool) : 1;
    nth = nth < PEAK_MAX_THREADS ? nth : PEAK_MAX_THREADS;
    double best = 0, best_wall = 0, work = (double)j.iters * per_iter / 1e9;
    for (int r = 0; r < 5; r++) {
        double t0 = aif_time_now();
        if (pool)
            aif_pool_run(pool, peak_worker, &j);
        else
            peak_worker(&j, 0, 1);
        double dt = aif_time_now() - t0, g = 0;
        for (int i = 0; i < nth; i++)
            g += work / j.tcpu[i];
        best = g > best ? g : best;
        best_wall = (double)nth * work / dt > best_wall ? (double)nth * work / dt : best_wall;
    }
    if (wall)
        *wall = best_wall;
    return best;
}

static inline double peak_gflops(aif_pool *pool, int bf16) { return peak_gflops_ex(pool, bf16, NULL); }

#endif
