/* kernels.h (internal): the table of compute primitives the model runs on.
 * One plain C reference implementation (ref/) and per-ISA ones (avx2/,
 * avx512/), picked once by dispatch.c from cpuid, or forced with
 * AIF_KERNELS=ref|avx2|avx512 (falling back when the CPU lacks it). Every primitive computes each output element with a
 * summation order that depends only on the sizes passed in (never on
 * how a caller tiles or threads the work), so splitting rows over threads
 * gives bit-identical results. Different levels may round differently. */
#ifndef AIF_KERNELS_H
#define AIF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "aif/tensor.h"

struct aif_kernels {
    const char *name; /* "ref", "avx2", "avx512" */
    /* y[m*ldy + n] = sum_k x[m*ldx + k] * w[n*ldw + k] for m < M, n < N.
     * x (M, K) f32 and w (N, K) f32, both row-major (rows may be unaligned). */
    void (*gemm)(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                 size_t ldy);
    /* y[m*ldy + n] = sum_k x[m*ldx + k] * b[k*ldb + n]: b (K, N) row-major.
     * Same tiling-independence contract as gemm. */
    void (*gemm_nn)(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *b, size_t ldb, float *y,
                    size_t ldy);
    /* dst[i] = (float)src[i] for n elements of dtype t (src may be unaligned). */
    void (*to_f32)(const void *src, aif_dtype t, float *dst, size_t n);
    /* sum_i a[i] * b[i] */
    float (*dot)(const float *a, const float *b, size_t n);
    /* y[i] = y[i] * s + a * x[i] */
    void (*scale_axpy)(size_t n, float s, float a, const float *x, float *y);
};

/* The best table for this CPU (chosen once, thread-safe). */
const struct aif_kernels *aif_kernels_get(void);
/* The plain C reference table. */
const struct aif_kernels *aif_kernels_ref(void);
/* The AVX2 + FMA table, or NULL when not compiled in or the CPU lacks it. */
const struct aif_kernels *aif_kernels_avx2(void);
/* The AVX-512 table, or NULL when not compiled in or the CPU lacks it. */
const struct aif_kernels *aif_kernels_avx512(void);

/* Reference primitives (src/kernels/ref/). */
void aif_kref_gemm(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                   size_t ldy);
void aif_kref_to_f32(const void *src, aif_dtype t, float *dst, size_t n);
void aif_kref_gemm_nn(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *b, size_t ldb, float *y,
                    size_t ldy);
float aif_kref_dot(const float *a, const float *b, size_t n);
void aif_kref_scale_axpy(size_t n, float s, float a, const float *x, float *y);

/* AVX2 + FMA primitives (src/kernels/avx2/), only called when the CPU has AVX2, FMA and F16C. */
void aif_kavx2_gemm(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                    size_t ldy);
void aif_kavx2_to_f32(const void *src, aif_dtype t, float *dst, size_t n);
void aif_kavx2_gemm_nn(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *b, size_t ldb, float *y,
                    size_t ldy);
float aif_kavx2_dot(const float *a, const float *b, size_t n);
void aif_kavx2_scale_axpy(size_t n, float s, float a, const float *x, float *y);

/* AVX-512 primitives (src/kernels/avx512/), only called when the CPU has AVX-512F/BW/VL/DQ. */
void aif_kavx512_gemm(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                      size_t ldy);
void aif_kavx512_to_f32(const void *src, aif_dtype t, float *dst, size_t n);
void aif_kavx512_gemm_nn(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *b, size_t ldb, float *y,
                    size_t ldy);
float aif_kavx512_dot(const float *a, const float *b, size_t n);
void aif_kavx512_scale_axpy(size_t n, float s, float a, const float *x, float *y);

#endif
