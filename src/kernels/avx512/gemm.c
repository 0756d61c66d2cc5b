/* gemm.c: AVX-512 matrix product, dot, axpy and conversions.
 * gemm packs 32 weight rows x 192 k into a k-major panel (16 x 16
 * in-register transposes) and runs a 12 x 32 register tile (24 accumulators,
 * x broadcast from a contiguous copy of the tile's rows); gemm_nn runs the
 * same tile (up to 8 rows) on b in place. Each output element
 * is the FMA chain over k = 0, 1, ..., K-1 starting from 0 (k chunks
 * resume from the stored partial sum), whatever tile it falls in, so
 * results do not depend on how callers split M or N, and dot() is that
 * same chain. */
#include "../kernels.h"

#include <immintrin.h>
#include <string.h>

/* ---- broadcast gemm: y[m][n] = fma chain over k (k ascending, from 0) ---- */
#define NR 32   /* weight rows per packed panel (2 vectors) */
#define KC 192  /* k per chunk: panel 24 KB + MRMAX x rows 9 KB stay in L1 (48 KB) */
#define MRMAX 12 /* x rows per register tile: 24 accumulators */

/* MR rows of x (MR <= MRMAX) against one packed panel pw (KC x 32, k-major) for
 * k in [0, kc); accumulators start from y (first chunk: zero) and go back
 * to y, so chunking leaves each element's FMA chain unchanged. */
static inline __attribute__((always_inline)) void micro(const int MR, const int DIRECT, size_t kc, const float *x,
                                                        size_t ldx, const float *pw, size_t ldp, float *y, size_t ldy,
                                                        __mmask16 m0, __mmask16 m1, int first)
{
    __m512 a[MRMAX][2];
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
        if (first) {
            a[i][0] = _mm512_setzero_ps();
            a[i][1] = _mm512_setzero_ps();
        } else {
            a[i][0] = _mm512_maskz_loadu_ps(m0, y + i * ldy);
            a[i][1] = _mm512_maskz_loadu_ps(m1, y + i * ldy + 16);
        }
    }
    for (size_t k = 0; k < kc; k++) {
        __m512 b0, b1;
        if (DIRECT) { /* b rows straight from the caller's (K, N) matrix */
            b0 = _mm512_maskz_loadu_ps(m0, pw + k * ldp);
            b1 = _mm512_maskz_loadu_ps(m1, pw + k * ldp + 16);
        } else {
            b0 = _mm512_load_ps(pw + k * NR);
            b1 = _mm512_load_ps(pw + k * NR + 16);
        }
#pragma GCC unroll 16
        for (int i = 0; i < MR; i++) {
            __m512 xv = _mm512_set1_ps(x[i * ldx + k]);
            a[i][0] = _mm512_fmadd_ps(xv, b0, a[i][0]);
            a[i][1] = _mm512_fmadd_ps(xv, b1, a[i][1]);
        }
    }
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
        _mm512_mask_storeu_ps(y + i * ldy, m0, a[i][0]);
        _mm512_mask_storeu_ps(y + i * ldy + 16, m1, a[i][1]);
    }
}

static void micro_any(int MR, int direct, size_t kc, const float *x, size_t ldx, const float *pw, size_t ldp, float *y,
                      size_t ldy, __mmask16 m0, __mmask16 m1, int first)
{
#define C(mr)                                                                      \
    case mr:                                                                       \
        if (direct)                                                                \
            micro(mr, 1, kc, x, ldx, pw, ldp, y, ldy, m0, m1, first);              \
        else                                                                       \
            micro(mr, 0, kc, x, ldx, pw, ldp, y, ldy, m0, m1, first);              \
        break;
    switch (MR) {
        C(12) C(11) C(10) C(9) C(8) C(7) C(6) C(5) C(4) C(3) C(2)
    default:
        if (direct)
            micro(1, 1, kc, x, ldx, pw, ldp, y, ldy, m0, m1, first);
        else
            micro(1, 0, kc, x, ldx, pw, ldp, y, ldy, m0, m1, first);
    }
#undef C
}

#define NSB 256 /* weight rows packed together per k chunk (192 KB, in L2) */

/* In-register transpose of 16 x 16 floats: r[i] lane c becomes r[c] lane i. */
static inline __attribute__((always_inline)) void transpose16(__m512 r[16])
{
    __m512 t[16];
    for (int i = 0; i < 8; i++) { /* per 128-bit lane: rows 2i, 2i+1 interleaved */
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) { /* r[4i+j] lane L: rows 4i..4i+3 of column 4L+j */
        r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int j = 0; j < 4; j++) { /* 4 x 4 transpose of 128-bit lanes over r[j], r[4+j], r[8+j], r[12+j] */
        __m512 u0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x44), u1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xEE);
        __m512 u2 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x44), u3 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xEE);
        t[j] = _mm512_shuffle_f32x4(u0, u2, 0x88);      /* column j */
        t[4 + j] = _mm512_shuffle_f32x4(u0, u2, 0xDD);  /* column 4 + j */
        t[8 + j] = _mm512_shuffle_f32x4(u1, u3, 0x88);  /* column 8 + j */
        t[12 + j] = _mm512_shuffle_f32x4(u1, u3, 0xDD); /* column 12 + j */
    }
    for (int i = 0; i < 16; i++)
        r[i] = t[i];
}

/* Pack weight rows [0, nn) (nn <= NR, rows beyond are zero) x k [0, kc) of w
 * into dst k-major: dst[k * NR + j] = w[j * ldw + k], 16 x 16 blocks at a time. */
static void pack_panel(float *dst, const float *w, size_t ldw, size_t nn, size_t kc)
{
    for (size_t h = 0; h < NR; h += 16)
        for (size_t k = 0; k < kc; k += 16) {
            size_t kk = kc - k < 16 ? kc - k : 16;
            __mmask16 km = (__mmask16)(kk == 16 ? 0xffff : (1u << kk) - 1);
            __m512 r[16];
            for (size_t i = 0; i < 16; i++)
                r[i] = h + i < nn ? _mm512_maskz_loadu_ps(km, w + (h + i) * ldw + k) : _mm512_setzero_ps();
            transpose16(r);
            for (size_t c = 0; c < kk; c++)
                _mm512_store_ps(dst + (k + c) * NR + h, r[c]);
        }
}

void aif_kavx512_gemm(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                      size_t ldy)
{
    /* panels of NSB/NR x (KC, 32), k-major; x rows are read once per k chunk
     * and reused from L1 across the packed panels (in L2) */
    float pw[NSB * KC] __attribute__((aligned(64)));
    float xp[MRMAX * KC] __attribute__((aligned(64)));
    if (K == 0) {
        for (size_t m = 0; m < M; m++)
            for (size_t n = 0; n < N; n++)
                y[m * ldy + n] = 0.0f;
        return;
    }
    for (size_t s0 = 0; s0 < N; s0 += NSB) {
        size_t sn = N - s0 < NSB ? N - s0 : NSB, np = (sn + NR - 1) / NR;
        for (size_t k0 = 0; k0 < K; k0 += KC) {
            size_t kc = K - k0 < KC ? K - k0 : KC;
            for (size_t p = 0; p < np; p++) {
                size_t n0 = s0 + p * NR, nn = N - n0 < NR ? N - n0 : NR;
                pack_panel(pw + p * KC * NR, w + n0 * ldw + k0, ldw, nn, kc);
            }
            for (size_t m = 0; m < M; m += MRMAX) {
                int mr = M - m < MRMAX ? (int)(M - m) : MRMAX;
                /* this tile's x rows, contiguous: rows ldx apart (often a
                 * multiple of 4 KB) would all share the same L1 sets */
                for (int i = 0; i < mr; i++)
                    memcpy(xp + (size_t)i * KC, x + (m + (size_t)i) * ldx + k0, kc * sizeof(float));
                for (size_t p = 0; p < np; p++) {
                    size_t n0 = s0 + p * NR, nn = N - n0 < NR ? N - n0 : NR;
                    __mmask16 m0 = (__mmask16)(nn >= 16 ? 0xffff : (1u << nn) - 1);
                    __mmask16 m1 = (__mmask16)(nn >= 32 ? 0xffff : nn > 16 ? (1u << (nn - 16)) - 1 : 0);
                    micro_any(mr, 0, kc, xp, KC, pw + p * KC * NR, NR, y + m * ldy + n0, ldy, m0, m1, k0 == 0);
                }
            }
        }
    }
}

void aif_kavx512_gemm_nn(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *b, size_t ldb,
                         float *y, size_t ldy)
{
    /* b (K, N) is already k-major: its rows are the panel, no packing */
    if (K == 0) {
        for (size_t m = 0; m < M; m++)
            for (size_t n = 0; n < N; n++)
                y[m * ldy + n] = 0.0f;
        return;
    }
    for (size_t n0 = 0; n0 < N; n0 += NR) {
        size_t nn = N - n0 < NR ? N - n0 : NR;
        __mmask16 m0 = (__mmask16)(nn >= 16 ? 0xffff : (1u << nn) - 1);
        __mmask16 m1 = (__mmask16)(nn >= 32 ? 0xffff : nn > 16 ? (1u << (nn - 16)) - 1 : 0);
        for (size_t k0 = 0; k0 < K; k0 += KC) {
            size_t kc = K - k0 < KC ? K - k0 : KC;
            for (size_t m = 0; m < M; m += 8) {
                int mr = M - m < 8 ? (int)(M - m) : 8;
                micro_any(mr, 1, kc, x + m * ldx + k0, ldx, b + k0 * ldb + n0, ldb, y + m * ldy + n0, ldy, m0, m1,
                          k0 == 0);
            }
        }
    }
}

float aif_kavx512_dot(const float *a, const float *b, size_t n)
{
    /* the same fma chain as one gemm element */
    __m128 acc = _mm_setzero_ps();
    for (size_t k = 0; k < n; k++)
        acc = _mm_fmadd_ss(_mm_set_ss(a[k]), _mm_set_ss(b[k]), acc);
    return _mm_cvtss_f32(acc);
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
