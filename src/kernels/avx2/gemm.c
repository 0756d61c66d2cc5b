/* gemm.c: AVX2 + FMA matrix product, dot, axpy and conversions (for CPUs
 * without AVX-512). Each output element is one 8-lane FMA accumulator over
 * k (the K % 8 tail through a zero-masked load) reduced by a fixed tree:
 * the same operations whatever tile the element falls in, so results do
 * not depend on how callers split M or N. */
#include "../kernels.h"

#include <immintrin.h>
#include <string.h>

/* Lanes [0, n) set, n < 8. */
static inline __m256i tail_mask(size_t n)
{
    static const int32_t m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(m + 8 - n));
}

/* Fixed reduction tree of the 8 lanes. */
static inline float hsum(__m256 v)
{
    __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    a = _mm_add_ps(a, _mm_movehl_ps(a, a));
    a = _mm_add_ss(a, _mm_movehdup_ps(a));
    return _mm_cvtss_f32(a);
}

/* One output: an 8-lane FMA accumulator over k, masked tail, reduce. */
static inline float one(size_t K, const float *x, const float *w)
{
    __m256 acc = _mm256_setzero_ps();
    size_t k = 0;
    for (; k + 8 <= K; k += 8)
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(x + k), _mm256_loadu_ps(w + k), acc);
    if (k < K) {
        __m256i mk = tail_mask(K - k);
        acc = _mm256_fmadd_ps(_mm256_maskload_ps(x + k, mk), _mm256_maskload_ps(w + k, mk), acc);
    }
    return hsum(acc);
}

/* 4 x 4 outputs with the same per-element operations as one(): 16
 * accumulators in registers, 8 loads per 16 FMAs. */
static void tile4x4(size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y, size_t ldy)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00,
           c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    const float *x0 = x, *x1 = x + ldx, *x2 = x + 2 * ldx, *x3 = x + 3 * ldx;
    const float *w0 = w, *w1 = w + ldw, *w2 = w + 2 * ldw, *w3 = w + 3 * ldw;
    size_t k = 0;
    __m256i mk = _mm256_set1_epi32(-1);
#define STEP(LD)                                                                                                 \
    {                                                                                                            \
        __m256 a0 = LD(x0 + k), a1 = LD(x1 + k), a2 = LD(x2 + k), a3 = LD(x3 + k);                               \
        __m256 b = LD(w0 + k);                                                                                   \
        c00 = _mm256_fmadd_ps(a0, b, c00), c10 = _mm256_fmadd_ps(a1, b, c10);                                    \
        c20 = _mm256_fmadd_ps(a2, b, c20), c30 = _mm256_fmadd_ps(a3, b, c30);                                    \
        b = LD(w1 + k);                                                                                          \
        c01 = _mm256_fmadd_ps(a0, b, c01), c11 = _mm256_fmadd_ps(a1, b, c11);                                    \
        c21 = _mm256_fmadd_ps(a2, b, c21), c31 = _mm256_fmadd_ps(a3, b, c31);                                    \
        b = LD(w2 + k);                                                                                          \
        c02 = _mm256_fmadd_ps(a0, b, c02), c12 = _mm256_fmadd_ps(a1, b, c12);                                    \
        c22 = _mm256_fmadd_ps(a2, b, c22), c32 = _mm256_fmadd_ps(a3, b, c32);                                    \
        b = LD(w3 + k);                                                                                          \
        c03 = _mm256_fmadd_ps(a0, b, c03), c13 = _mm256_fmadd_ps(a1, b, c13);                                    \
        c23 = _mm256_fmadd_ps(a2, b, c23), c33 = _mm256_fmadd_ps(a3, b, c33);                                    \
    }
#define LDU(p) _mm256_loadu_ps(p)
#define LDM(p) _mm256_maskload_ps(p, mk)
    for (; k + 8 <= K; k += 8)
        STEP(LDU)
    if (k < K) {
        mk = tail_mask(K - k);
        STEP(LDM)
    }
#undef STEP
#undef LDU
#undef LDM
    y[0] = hsum(c00), y[1] = hsum(c01);
    y[2] = hsum(c02), y[3] = hsum(c03);
    y += ldy;
    y[0] = hsum(c10), y[1] = hsum(c11);
    y[2] = hsum(c12), y[3] = hsum(c13);
    y += ldy;
    y[0] = hsum(c20), y[1] = hsum(c21);
    y[2] = hsum(c22), y[3] = hsum(c23);
    y += ldy;
    y[0] = hsum(c30), y[1] = hsum(c31);
    y[2] = hsum(c32), y[3] = hsum(c33);
}

void aif_kavx2_gemm(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
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

void aif_kavx2_gemm_nn(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *b, size_t ldb, float *y,
                       size_t ldy)
{
    /* each element: an FMA chain over k (x broadcast, 8 columns of b at a time) */
    for (size_t m = 0; m < M; m++)
        for (size_t n0 = 0; n0 < N; n0 += 8) {
            size_t nn = N - n0 < 8 ? N - n0 : 8;
            __m256i mk = nn == 8 ? _mm256_set1_epi32(-1) : tail_mask(nn);
            __m256 acc = _mm256_setzero_ps();
            for (size_t k = 0; k < K; k++)
                acc = _mm256_fmadd_ps(_mm256_set1_ps(x[m * ldx + k]), _mm256_maskload_ps(b + k * ldb + n0, mk), acc);
            _mm256_maskstore_ps(y + m * ldy + n0, mk, acc);
        }
}

float aif_kavx2_dot(const float *a, const float *b, size_t n)
{
    return one(n, a, b);
}

void aif_kavx2_scale_axpy(size_t n, float s, float a, const float *x, float *y)
{
    __m256 sv = _mm256_set1_ps(s), av = _mm256_set1_ps(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(y + i), sv),
                                              _mm256_mul_ps(av, _mm256_loadu_ps(x + i))));
    for (; i < n; i++)
        y[i] = y[i] * s + a * x[i];
}

void aif_kavx2_to_f32(const void *src, aif_dtype t, float *dst, size_t n)
{
    const unsigned char *p = src;
    size_t i = 0;
    switch (t) {
    case AIF_DTYPE_F32:
        memcpy(dst, src, n * 4);
        return;
    case AIF_DTYPE_BF16:
        for (; i + 8 <= n; i += 8) {
            __m128i h = _mm_loadu_si128((const __m128i *)(p + 2 * i));
            __m256i u = _mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16);
            _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(u));
        }
        for (; i < n; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            dst[i] = aif_bf16_to_f32(h);
        }
        return;
    case AIF_DTYPE_F16:
        for (; i + 8 <= n; i += 8) {
            __m128i h = _mm_loadu_si128((const __m128i *)(p + 2 * i));
            _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
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
