/* gemm.c: AVX-512 matrix product, dot, axpy and conversions.
 * Each output element is one 16-lane FMA accumulator over k (the K % 16
 * tail through a zero-masked load) reduced by _mm512_reduce_add_ps: the
 * same operations whatever tile the element falls in, so results do not
 * depend on how callers split M or N. */
#include "../kernels.h"

#include <immintrin.h>
#include <string.h>

/* One tile of MT x NT outputs (MT, NT <= 4; constant at each call site so
 * the compiler unrolls it). */
static inline __attribute__((always_inline)) void tile(int MT, int NT, size_t K, const float *x, size_t ldx,
                                                       const float *w, size_t ldw, float *y, size_t ldy)
{
    __m512 acc[4][4];
    for (int i = 0; i < MT; i++)
        for (int j = 0; j < NT; j++)
            acc[i][j] = _mm512_setzero_ps();
    size_t k = 0;
    for (; k + 16 <= K; k += 16) {
        __m512 xv[4], wv[4];
        for (int i = 0; i < MT; i++)
            xv[i] = _mm512_loadu_ps(x + i * ldx + k);
        for (int j = 0; j < NT; j++)
            wv[j] = _mm512_loadu_ps(w + j * ldw + k);
        for (int i = 0; i < MT; i++)
            for (int j = 0; j < NT; j++)
                acc[i][j] = _mm512_fmadd_ps(xv[i], wv[j], acc[i][j]);
    }
    if (k < K) {
        __mmask16 mk = (__mmask16)((1u << (K - k)) - 1);
        __m512 xv[4], wv[4];
        for (int i = 0; i < MT; i++)
            xv[i] = _mm512_maskz_loadu_ps(mk, x + i * ldx + k);
        for (int j = 0; j < NT; j++)
            wv[j] = _mm512_maskz_loadu_ps(mk, w + j * ldw + k);
        for (int i = 0; i < MT; i++)
            for (int j = 0; j < NT; j++)
                acc[i][j] = _mm512_fmadd_ps(xv[i], wv[j], acc[i][j]);
    }
    for (int i = 0; i < MT; i++)
        for (int j = 0; j < NT; j++)
            y[i * ldy + j] = _mm512_reduce_add_ps(acc[i][j]);
}

static void rows(int MT, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                 size_t ldy)
{
    size_t n = 0;
    switch (MT) {
#define CASE(mt)                                                                                   \
    case mt:                                                                                       \
        for (; n + 4 <= N; n += 4)                                                                 \
            tile(mt, 4, K, x, ldx, w + n * ldw, ldw, y + n, ldy);                                  \
        for (; n < N; n++)                                                                         \
            tile(mt, 1, K, x, ldx, w + n * ldw, ldw, y + n, ldy);                                  \
        break;
        CASE(1)
        CASE(2)
        CASE(3)
        CASE(4)
#undef CASE
    }
}

void aif_kavx512_gemm(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                      size_t ldy)
{
    /* Blocks of 64 x rows (in L2) against groups of 4 weight rows (in L1). */
    const size_t MB = 64, NB = 4;
    for (size_t m0 = 0; m0 < M; m0 += MB) {
        size_t m1 = m0 + MB < M ? m0 + MB : M;
        for (size_t n0 = 0; n0 < N; n0 += NB) {
            size_t nn = n0 + NB < N ? NB : N - n0;
            size_t m = m0;
            for (; m + 4 <= m1; m += 4)
                rows(4, nn, K, x + m * ldx, ldx, w + n0 * ldw, ldw, y + m * ldy + n0, ldy);
            if (m < m1)
                rows((int)(m1 - m), nn, K, x + m * ldx, ldx, w + n0 * ldw, ldw, y + m * ldy + n0, ldy);
        }
    }
}

float aif_kavx512_dot(const float *a, const float *b, size_t n)
{
    float r;
    tile(1, 1, n, a, 0, b, 0, &r, 0);
    return r;
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
