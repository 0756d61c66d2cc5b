/* dispatch.c: pick the kernel table once, from cpuid: AVX-512, else
 * AVX2 + FMA, else the reference (AIF_KERNELS=ref or =avx2 caps it). */
#include "kernels.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const struct aif_kernels ref_table = {
    "ref", aif_kref_gemm, aif_kref_gemm_nn, aif_kref_to_f32, aif_kref_dot, aif_kref_scale_axpy,
};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
static const struct aif_kernels avx2_table = {
    "avx2", aif_kavx2_gemm, aif_kavx2_gemm_nn, aif_kavx2_to_f32, aif_kavx2_dot, aif_kavx2_scale_axpy,
};
static const struct aif_kernels avx512_table = {
    "avx512", aif_kavx512_gemm, aif_kavx512_gemm_nn, aif_kavx512_to_f32, aif_kavx512_dot, aif_kavx512_scale_axpy,
};
#define HAVE_AVX512_TABLE 1
#endif

const struct aif_kernels *aif_kernels_ref(void) { return &ref_table; }

const struct aif_kernels *aif_kernels_avx2(void)
{
#ifdef HAVE_AVX512_TABLE
    __builtin_cpu_init();
    /* F16C (for f16 weights) ships with every AVX2 + FMA CPU; clang's builtin cannot name it */
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return &avx2_table;
#endif
    return NULL;
}

const struct aif_kernels *aif_kernels_avx512(void)
{
#ifdef HAVE_AVX512_TABLE
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("avx2"))
        return &avx512_table;
#endif
    return NULL;
}

static const struct aif_kernels *chosen;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void choose(void)
{
    const char *env = getenv("AIF_KERNELS");
    chosen = &ref_table;
    if (env && !strcmp(env, "ref"))
        return;
    const struct aif_kernels *k = NULL;
    if (!env || strcmp(env, "avx2"))
        k = aif_kernels_avx512();
    if (!k)
        k = aif_kernels_avx2();
    if (k)
        chosen = k;
}

const struct aif_kernels *aif_kernels_get(void)
{
    pthread_once(&once, choose);
    return chosen;
}
