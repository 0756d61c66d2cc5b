/* dispatch.c: pick the kernel table once, from cpuid: AVX-512 with AMX,
 * AVX-512, AVX2 + FMA, else the reference. AIF_CPU (or the older name
 * AIF_KERNELS) = ref|avx2|avx512|amx caps the level. */
#include "kernels.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

static const struct aif_kernels ref_table = {
    .name = "ref", .gemm = aif_kref_gemm, .gemm_nn = aif_kref_gemm_nn, .to_f32 = aif_kref_to_f32,
    .dot = aif_kref_dot, .scale_axpy = aif_kref_scale_axpy, .sum_exp = aif_kref_sum_exp,
    .attn_scratch_bytes = aif_kref_attn_scratch_bytes, .attn = aif_kref_attn,
};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
static const struct aif_kernels avx2_table = {
    .name = "avx2", .gemm = aif_kavx2_gemm, .gemm_nn = aif_kavx2_gemm_nn, .to_f32 = aif_kavx2_to_f32,
    .dot = aif_kavx2_dot, .scale_axpy = aif_kavx2_scale_axpy, .sum_exp = aif_kref_sum_exp,
    /* attention from gemm + gemm_nn */
};
static const struct aif_kernels avx512_table = {
    .name = "avx512", .gemm = aif_kavx512_gemm, .gemm_nn = aif_kavx512_gemm_nn, .to_f32 = aif_kavx512_to_f32,
    .dot = aif_kavx512_dot, .scale_axpy = aif_kavx512_scale_axpy, .sum_exp = aif_kavx512_sum_exp,
    .attn_scratch_bytes = aif_kavx512_attn_scratch_bytes, .attn = aif_kavx512_attn,
};
static const struct aif_kernels amx_table = {
    .name = "amx", .gemm = aif_kavx512_gemm, .gemm_nn = aif_kavx512_gemm_nn, .to_f32 = aif_kavx512_to_f32,
    .dot = aif_kavx512_dot, .scale_axpy = aif_kavx512_scale_axpy, .sum_exp = aif_kavx512_sum_exp,
    .w16_pack_bytes = aif_kamx_w16_pack_bytes, .w16_pack = aif_kamx_w16_pack,
    .w16_scratch_bytes = aif_kamx_w16_scratch_bytes, .w16_gemm = aif_kamx_w16_gemm, .w32_gemm = aif_kamx_w32_gemm,
    .attn_scratch_bytes = aif_kavx512_attn_scratch_bytes, .attn = aif_kavx512_attn,
    .attn16_pack_bytes = aif_kref_attn16_pack_bytes, .attn16_pack = aif_kamx_attn16_pack,
    .attn16_scratch_bytes = aif_kamx_attn16_scratch_bytes, .attn16 = aif_kamx_attn16,
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

#ifdef HAVE_AVX512_TABLE
/* AMX-BF16 and AMX-TILE (cpuid leaf 7: EDX bits 22 and 24), AVX512_BF16
 * (leaf 7 subleaf 1: EAX bit 5), and Linux's permission for the 8 KB tile
 * state (arch_prctl ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA, Linux 5.16+;
 * the permission is per process, so asking once covers every thread). */
static int amx_usable(void)
{
    unsigned a, b, c, d;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
    if (a < 7)
        return 0;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    if (!((d >> 22) & 1) || !((d >> 24) & 1))
        return 0;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(1));
    if (!((a >> 5) & 1))
        return 0;
#if defined(__linux__)
    return syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */) == 0;
#else
    return 0;
#endif
}
#endif

static int amx_ok;
static pthread_once_t amx_once = PTHREAD_ONCE_INIT;
static void amx_probe(void)
{
#ifdef HAVE_AVX512_TABLE
    amx_ok = aif_kernels_avx512() != NULL && amx_usable();
#endif
}

const struct aif_kernels *aif_kernels_amx(void)
{
    pthread_once(&amx_once, amx_probe);
#ifdef HAVE_AVX512_TABLE
    if (amx_ok)
        return &amx_table;
#endif
    return NULL;
}

static const struct aif_kernels *chosen;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void choose(void)
{
    const char *env = getenv("AIF_CPU");
    if (!env || !*env)
        env = getenv("AIF_KERNELS");
    int cap = 3; /* 0 ref, 1 avx2, 2 avx512, 3 amx */
    if (env && !strcmp(env, "ref"))
        cap = 0;
    else if (env && !strcmp(env, "avx2"))
        cap = 1;
    else if (env && !strcmp(env, "avx512"))
        cap = 2;
    const struct aif_kernels *k = NULL;
    if (cap >= 3)
        k = aif_kernels_amx();
    if (!k && cap >= 2)
        k = aif_kernels_avx512();
    if (!k && cap >= 1)
        k = aif_kernels_avx2();
    chosen = k ? k : &ref_table;
}

const struct aif_kernels *aif_kernels_get(void)
{
    pthread_once(&once, choose);
    return chosen;
}
