/* gemm.c: AVX-512 matrix product, dot, axpy and conversions.
 * Each output element is one 16-lane FMA accumulator over k (the K % 16
 * tail through a zero-masked load) reduced by _mm512_reduce_add_ps: the
 * same operations whatever tile the element falls in, so results do not
 * depend on how callers split M or N. */
#include "../kernels.h"

#include <immintrin.h>
#include <string.h>

/* One output: a 16-lane FMA accumulator over k, masked tail, reduce. */
static inline float one(size_t K, const float *x, const float *w)
{
    __m512 acc = _mm512_setzero_ps();
    size_t k = 0;
    for (; k + 16 <= K; k += 16)
        acc = _mm512_fmadd_ps(_mm512_loadu_ps(x + k), _mm512_loadu_ps(w + k), acc);
    if (k < K) {
        __mmask16 mk = (__mmask16)((1u << (K - k)) - 1);
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mk, x + k), _mm512_maskz_loadu_ps(mk, w + k), acc);
    }
    return _mm512_reduce_add_ps(acc);
}

/* 4 x 4 outputs with the same per-element operations as one(): 16
 * accumulators in registers, 8 loads per 16 FMAs. */
static void tile4x4(size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y, size_t ldy)
{
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00,
           c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    const float *x0 = x, *x1 = x + ldx, *x2 = x + 2 * ldx, *x3 = x + 3 * ldx;
    const float *w0 = w, *w1 = w + ldw, *w2 = w + 2 * ldw, *w3 = w + 3 * ldw;
    size_t k = 0;
    __mmask16 mk = 0xffff;
#define STEP(LD)                                                                                                 \
    {                                                                                                            \
        __m512 a0 = LD(x0 + k), a1 = LD(x1 + k), a2 = LD(x2 + k), a3 = LD(x3 + k);                               \
        __m512 b = LD(w0 + k);                                                                                   \
        c00 = _mm512_fmadd_ps(a0, b, c00), c10 = _mm512_fmadd_ps(a1, b, c10);                                    \
        c20 = _mm512_fmadd_ps(a2, b, c20), c30 = _mm512_fmadd_ps(a3, b, c30);                                    \
        b = LD(w1 + k);                                                                                          \
        c01 = _mm512_fmadd_ps(a0, b, c01), c11 = _mm512_fmadd_ps(a1, b, c11);                                    \
        c21 = _mm512_fmadd_ps(a2, b, c21), c31 = _mm512_fmadd_ps(a3, b, c31);                                    \
        b = LD(w2 + k);                                                                                          \
        c02 = _mm512_fmadd_ps(a0, b, c02), c12 = _mm512_fmadd_ps(a1, b, c12);                                    \
        c22 = _mm512_fmadd_ps(a2, b, c22), c32 = _mm512_fmadd_ps(a3, b, c32);                                    \
        b = LD(w3 + k);                                                                                          \
        c03 = _mm512_fmadd_ps(a0, b, c03), c13 = _mm512_fmadd_ps(a1, b, c13);                                    \
        c23 = _mm512_fmadd_ps(a2, b, c23), c33 = _mm512_fmadd_ps(a3, b, c33);                                    \
    }
#define LDU(p) _mm512_loadu_ps(p)
#define LDM(p) _mm512_maskz_loadu_ps(mk, p)
    for (; k + 16 <= K; k += 16)
        STEP(LDU)
    if (k < K) {
        mk = (__mmask16)((1u << (K - k)) - 1);
        STEP(LDM)
    }
#undef STEP
#undef LDU
#undef LDM
    y[0] = _mm512_reduce_add_ps(c00), y[1] = _mm512_reduce_add_ps(c01);
    y[2] = _mm512_reduce_add_ps(c02), y[3] = _mm512_reduce_add_ps(c03);
    y += ldy;
    y[0] = _mm512_reduce_add_ps(c10), y[1] = _mm512_reduce_add_ps(c11);
    y[2] = _mm512_reduce_add_ps(c12), y[3] = _mm512_reduce_add_ps(c13);
    y += ldy;
    y[0] = _mm512_reduce_add_ps(c20), y[1] = _mm512_reduce_add_ps(c21);
    y[2] = _mm512_reduce_add_ps(c22), y[3] = _mm512_reduce_add_ps(c23);
    y += ldy;
    y[0] = _mm512_reduce_add_ps(c30), y[1] = _mm512_reduce_add_ps(c31);
    y[2] = _mm512_reduce_add_ps(c32), y[3] = _mm512_reduce_add_ps(c33);
}

void aif_kavx512_gemm(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                      size_t ldy)
{
    /* Blocks of 64 x rows (in L2) against groups of 4 weight rows (in L1). */
    const size_t MB = 64;
    for (size_t m0 = 0; m0 < M; m0 += MB) {
        size_t m1 = m0 + MB < M ? m0 + MB : M;
        size_t n = 0;
        for (; n + 4 <= N; n += 4) {
            size_t m = m0;
            for (; m + 4 <= m1; m += 4)
                tile4x4(K, x + m * ldx, ldx, w + n * ldw, ldw, y + m * ldy + n, ldy);
            for (; m < m1; m++)
                for (size_t j = n; j < n + 4; j++)
                    y[m * ldy + j] = one(K, x + m * ldx, w + j * ldw);
        }
        for (; n < N; n++)
            for (size_t m = m0; m < m1; m++)
                y[m * ldy + n] = one(K, x + m * ldx, w + n * ldw);
    }
}

float aif_kavx512_dot(const float *a, const float *b, size_t n)
{
    return one(n, a, b);
}

void aif_kavx512_scale_axpy(size_t n, float s, float a, const float *x, float *y)
{
    __m512 sv = _mm512_set1_ps(s), av = _mm512_set1_ps(a);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(y + i), sv),
                                              _mm512_mul_ps(av, _mm512_loadu_ps(x + i))));
    for (; i < n; i++)
        y[i] = y[i] * s + a * x[i];
}

void aif_kavx512_to_f32(const void *src, aif_dtype t, float *dst, size_t n)
{
    const unsigned char *p = src;
    size_t i = 0;
    switch (t) {
    case AIF_DTYPE_F32:
        memcpy(dst, src, n * 4);
        return;
    case AIF_DTYPE_BF16:
        for (; i + 16 <= n; i += 16) {
            __m256i h = _mm256_loadu_si256((const __m256i *)(p + 2 * i));
            __m512i u = _mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16);
            _mm512_storeu_ps(dst + i, _mm512_castsi512_ps(u));
        }
        for (; i < n; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            dst[i] = aif_bf16_to_f32(h);
        }
        return;
    case AIF_DTYPE_F16:
        for (; i + 16 <= n; i += 16) {
            __m256i h = _mm256_loadu_si256((const __m256i *)(p + 2 * i));
            _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(h));
        }
        for (; i < n; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            dst[i] = aif_f16_to_f32(h);
        }
        return;
    default:
        return;
    }
}
