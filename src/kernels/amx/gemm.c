/* amx/gemm.c: y = x W^T with bf16 weights on the AMX tile unit.
 *
 * One TDPBF16PS multiplies a 16 x 32 bf16 tile A by a 32 x 16 bf16 tile B
 * (stored as 16 rows of 16 column pairs, "VNNI" order) into a 16 x 16 f32
 * tile C. Here A is the activations (16 rows of x, 32 values of k), B the
 * weights (32 values of k for 16 output features) and C lands in y as it is
 * (rows = tokens, columns = features).
 *
 * Activations are packed once per product (w16_pack, shared by the
 * threads) into 1 KB tiles: for m-tile mt, k-chunk kc and part t, the
 * tile ((mt * KC + kc) * terms + t) holds 16 rows x 32 bf16, zero beyond M
 * and K. With terms = 3 each f32 value is split into three bf16 parts
 * x = p0 + p1 + p2 (p0 = bf16(x), p1 = bf16(x - p0), p2 = bf16(x - p0 - p1);
 * the two differences are exact in f32 and p2 takes the last 8 bits), so
 * the tile products are the exact products of the f32 activations with the
 * bf16 weights, only the f32 accumulation order differs from the FMA
 * kernels. Values below about 2^-110 lose bits: the conversion and the tile
 * unit flush bf16 denormals. terms = 1 is x rounded to bf16 (torch's bf16).
 *
 * Weights are read in place (any alignment) and packed per call, block by
 * block, into the caller's scratch: NB features x K values in 1 KB VNNI
 * tiles, reused from L2 by every row of x. Each y element is the sum over
 * k-chunks in order, and within a chunk over the parts in order, of one
 * TDPBF16PS each: the arithmetic depends on K and terms only, never on M,
 * N, the block sizes or the thread that computes it. */
#include "../kernels.h"
#include "../avx512/transpose.h"

#include <immintrin.h>
#include <string.h>

#define TK 32   /* bf16 values of k per tile row */
#define TILE 512 /* bf16 values per tile */

static size_t kchunks(size_t K) { return (K + TK - 1) / TK; }


/* Weights are packed in blocks of NB features x KB values of k (256 KB of
 * bf16, in L2 with the activation tiles that stream past them); the C tiles
 * of a block of k are stored to y and loaded back for the next block, which
 * leaves each element's arithmetic unchanged. */
#define NB 256
#define KBC 16 /* k-chunks per block: KB = 512 */
/* f32 weights are split in three bf16 parts like the activations (w32_*):
 * blocks of NB / 2 features keep their tiles within 384 KB. */
#define WP_BYTES ((size_t)(NB / 2) * KBC * TK * 2 * 3)

size_t aif_kamx_w16_pack_bytes(size_t M, size_t K, int terms)
{
    return ((M + 15) / 16) * kchunks(K) * (size_t)terms * TILE * 2;
}

size_t aif_kamx_w16_scratch_bytes(size_t M, size_t K)
{
    /* packed weight block | one f32 C tile for partial tiles | tile config |
     * non-finite flags | C accumulators (when K spans several blocks) */
    size_t acc = kchunks(K) > KBC ? ((M + 31) / 16) * (size_t)(NB / 16) * 1024 : 0;
    return WP_BYTES + 16 * 16 * 4 + 64 + NB + acc;
}

/* 32 f32 -> bf16 (round to nearest even) as one 512-bit vector, in order. */
static inline __m512i to_bf16x32(__m512 lo, __m512 hi)
{
    return (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
}

/* The f32 values of 16 bf16 (low or high half of v). */
static inline __m512 bf16_lo(__m512i v)
{
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_castsi512_si256(v)), 16));
}
static inline __m512 bf16_hi(__m512i v)
{
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(v, 1)), 16));
}

/* x - part, with inf/NaN differences (from inf/NaN x) made 0 so that the
 * further parts of a non-finite value are 0, not NaN. */
static inline __m512 residual(__m512 x, __m512 part)
{
    __m512 r = _mm512_sub_ps(x, part);
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_sub_ps(r, r), _mm512_setzero_ps(), _CMP_EQ_OQ), r);
}

void aif_kamx_w16_pack(size_t M, size_t K, const float *x, size_t ldx, int terms, void *packed, size_t m0,
                       size_t m1)
{
    size_t KC = kchunks(K);
    uint16_t *out = packed;
    for (size_t mt = m0 / 16; mt * 16 < m1; mt++)
        for (size_t kc = 0; kc < KC; kc++) {
            size_t k0 = kc * TK, kn = K - k0 < TK ? K - k0 : TK;
            __mmask16 mlo = (__mmask16)(kn >= 16 ? 0xffff : (1u << kn) - 1);
            __mmask16 mhi = (__mmask16)(kn >= 32 ? 0xffff : kn > 16 ? (1u << (kn - 16)) - 1 : 0);
            uint16_t *tile = out + (mt * KC + kc) * (size_t)terms * TILE;
            for (size_t i = 0; i < 16; i++) {
                size_t m = mt * 16 + i;
                __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
                if (m < M) {
                    lo = _mm512_maskz_loadu_ps(mlo, x + m * ldx + k0);
                    hi = _mm512_maskz_loadu_ps(mhi, x + m * ldx + k0 + 16);
                }
                for (int t = 0; t < terms; t++) {
                    __m512i p = to_bf16x32(lo, hi);
                    _mm512_storeu_si512(tile + (size_t)t * TILE + i * TK, p);
                    if (t + 1 < terms) {
                        lo = residual(lo, bf16_lo(p));
                        hi = residual(hi, bf16_hi(p));
                    }
                }
            }
        }
}


/* Pack features 0..nn and k-chunks kc0..kc0+kcn of w (bf16 with wparts 1,
 * f32 split into three bf16 parts with wparts 3) into VNNI tiles: tile
 * ((nt * kcn + kc - kc0) * wparts + j) holds, in row r, part j of the pairs
 * (w[n][k0 + 2r], w[n][k0 + 2r + 1]) of the 16 features n of the tile; zero
 * beyond nn and K. Features holding an inf or NaN get nonfinite[n] = 1. */
static void pack_weights(size_t K, const unsigned char *w, size_t ldw, int wparts, size_t nn, size_t kc0,
                         size_t kcn, uint16_t *out, uint8_t *nonfinite)
{
    const __m512i expo = _mm512_set1_epi16(0x7f80);
    const __m512i expo32 = _mm512_set1_epi32(0x7f800000);
    for (size_t nt = 0; nt * 16 < nn; nt++)
        for (size_t kc = kc0; kc < kc0 + kcn; kc++) {
            size_t k0 = kc * TK, kn = K - k0 < TK ? K - k0 : TK;
            __m512i r[3][16];
            for (size_t i = 0; i < 16; i++) {
                size_t n = nt * 16 + i;
                if (n >= nn) {
                    for (int j = 0; j < wparts; j++)
                        r[j][i] = _mm512_setzero_si512();
                } else if (wparts == 1) {
                    __mmask32 mk = kn >= 32 ? 0xffffffffu : (1u << kn) - 1;
                    r[0][i] = _mm512_maskz_loadu_epi16(mk, w + (n * ldw + k0) * 2);
                    /* inf/NaN weights: all exponent bits set */
                    if (_mm512_cmpeq_epi16_mask(_mm512_and_si512(r[0][i], expo), expo))
                        nonfinite[n] = 1;
                } else {
                    __mmask16 mlo = (__mmask16)(kn >= 16 ? 0xffff : (1u << kn) - 1);
                    __mmask16 mhi = (__mmask16)(kn >= 32 ? 0xffff : kn > 16 ? (1u << (kn - 16)) - 1 : 0);
                    const float *row = (const float *)(const void *)(w + (n * ldw + k0) * 4);
                    __m512 lo = _mm512_maskz_loadu_ps(mlo, row), hi = _mm512_maskz_loadu_ps(mhi, row + 16);
                    if (_mm512_cmpeq_epi32_mask(_mm512_and_si512(_mm512_castps_si512(lo), expo32), expo32) |
                        _mm512_cmpeq_epi32_mask(_mm512_and_si512(_mm512_castps_si512(hi), expo32), expo32))
                        nonfinite[n] = 1;
                    for (int j = 0; j < 3; j++) {
                        r[j][i] = to_bf16x32(lo, hi);
                        if (j < 2) {
                            lo = residual(lo, bf16_lo(r[j][i]));
                            hi = residual(hi, bf16_hi(r[j][i]));
                        }
                    }
                }
            }
            for (int j = 0; j < wparts; j++) {
                aif_kavx512_tr16i(r[j]);
                uint16_t *tile = out + ((nt * kcn + kc - kc0) * (size_t)wparts + (size_t)j) * TILE;
                for (int q = 0; q < 16; q++)
                    _mm512_storeu_si512(tile + q * TK, r[j][q]);
            }
        }
}

struct tilecfg {
    uint8_t palette, start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
};

/* Tiles 0-3: C (2 row tiles x 2 feature tiles), 4-5: A, 6-7: B; all 16 x 64 bytes. */
static void tiles_configure(void *mem)
{
    struct tilecfg *c = mem;
    memset(c, 0, sizeof *c);
    c->palette = 1;
    for (int i = 0; i < 8; i++) {
        c->colsb[i] = 64;
        c->rows[i] = 16;
    }
    _tile_loadconfig(c);
}

/* C tiles for MR (1-2) row tiles x NR (1-2) feature tiles over all k-chunks.
 * a0/a1: packed activation tiles of the row tiles at kc = 0; b0/b1: packed
 * weight tiles of the feature tiles at kc = 0. */
#define KERNEL(MR, NR)                                                                                      \
    do {                                                                                                   \
        LOADC(0, m0, n0);                                                                                  \
        if (NR == 2)                                                                                       \
            LOADC(1, m0, n1);                                                                              \
        if (MR == 2) {                                                                                     \
            LOADC(2, m1, n0);                                                                              \
            if (NR == 2)                                                                                   \
                LOADC(3, m1, n1);                                                                          \
        }                                                                                                  \
        for (size_t kc = 0; kc < kcn; kc++) {                                                              \
          if (kc + 1 < kcn)                                                                                \
              for (int l_ = 0; l_ < 16 * wparts; l_++) {                                                   \
                  _mm_prefetch((const char *)(b0 + (kc + 1) * wparts * TILE) + 64 * l_, _MM_HINT_T0);      \
                  if (NR == 2)                                                                             \
                      _mm_prefetch((const char *)(b1 + (kc + 1) * wparts * TILE) + 64 * l_, _MM_HINT_T0);  \
              }                                                                                            \
          for (int j = 0; j < wparts; j++) {                                                               \
            _tile_loadd(6, b0 + (kc * wparts + (size_t)j) * TILE, 64);                                     \
            if (NR == 2)                                                                                   \
                _tile_loadd(7, b1 + (kc * wparts + (size_t)j) * TILE, 64);                                 \
            /* parts i + j <= 2: the products below f32's last bit are left out */                        \
            for (int t = 0; t < terms && t + j <= 2; t++) {                                                \
                size_t off = (kc * (size_t)terms + (size_t)t) * TILE;                                      \
                _tile_loadd(4, a0 + off, 64);                                                              \
                if (MR == 2)                                                                               \
                    _tile_loadd(5, a1 + off, 64);                                                          \
                _tile_dpbf16ps(0, 4, 6);                                                                   \
                if (NR == 2)                                                                               \
                    _tile_dpbf16ps(1, 4, 7);                                                               \
                if (MR == 2) {                                                                             \
                    _tile_dpbf16ps(2, 5, 6);                                                               \
                    if (NR == 2)                                                                           \
                        _tile_dpbf16ps(3, 5, 7);                                                           \
                }                                                                                          \
            }                                                                                              \
          }                                                                                                \
        }                                                                                                  \
    } while (0)

/* C tile `tile` (rows m0.., features n0.. of the block at nb0): zero on the
 * first block of k, else what the previous block left in the accumulator
 * buffer cacc (1 KB tiles in (m-tile, feature tile) order, contiguous: a
 * strided C in y cost a page per row and a trip to memory per block). */
#define CACC(m0, n0) (cacc + (((m0) / 16) * (size_t)NTB + ((n0) - nb0) / 16) * 256)
#define LOADC(tile, m0, n0)                                                                                  \
    do {                                                                                                     \
        if (kc0 == 0)                                                                                        \
            _tile_zero(tile);                                                                                \
        else                                                                                                 \
            _tile_loadd(tile, CACC(m0, n0), 64);                                                             \
    } while (0)

/* Store C tile `tile` (rows m0.., features n0..): into the accumulator
 * buffer while blocks of k remain, else into y, clipped to M x N. */
#define STORE(tile, m0, n0)                                                                                  \
    do {                                                                                                     \
        if (kc0 + kcn < KC) {                                                                                \
            _tile_stored(tile, CACC(m0, n0), 64);                                                            \
        } else if ((m0) + 16 <= M && (n0) + 16 <= N) {                                                              \
            _tile_stored(tile, y + (m0) * ldy + (n0), (long)(ldy * 4));                                      \
        } else if ((m0) < M && (n0) < N) {                                                                   \
            _tile_stored(tile, cbuf, 64);                                                                    \
            size_t rows_ = M - (m0) < 16 ? M - (m0) : 16, cols_ = N - (n0) < 16 ? N - (n0) : 16;             \
            for (size_t i_ = 0; i_ < rows_; i_++)                                                            \
                memcpy(y + ((m0) + i_) * ldy + (n0), cbuf + i_ * 16, cols_ * 4);                              \
        }                                                                                                    \
    } while (0)

/* Feature n's outputs with each activation as one f32 value (the sum of its
 * parts) times the weights, summed in k order. Used for features holding an
 * inf or NaN weight: there a zero part times inf would make NaN where the
 * f32 product x * inf is +-inf. */
static void exact_feature(size_t M, size_t K, const uint16_t *ap, int terms, const unsigned char *w, int wparts,
                          float *y, size_t ldy)
{
    size_t KC = kchunks(K);
    for (size_t m = 0; m < M; m++) {
        float acc = 0;
        for (size_t k = 0; k < K; k++) {
            const uint16_t *p = ap + (((m / 16) * KC + k / TK) * (size_t)terms) * TILE + (m % 16) * TK + k % TK;
            float x = 0;
            for (int t = 0; t < terms; t++) {
                uint32_t b = (uint32_t)p[(size_t)t * TILE] << 16;
                float f;
                memcpy(&f, &b, 4);
                x += f;
            }
            float wf;
            if (wparts == 1) {
                uint16_t h;
                memcpy(&h, w + 2 * k, 2);
                uint32_t b = (uint32_t)h << 16;
                memcpy(&wf, &b, 4);
            } else {
                memcpy(&wf, w + 4 * k, 4);
            }
            acc += x * wf;
        }
        y[m * ldy] = acc;
    }
}

/* y = x W^T for weights of wparts bf16 parts (1: bf16, 3: f32 split). */
static void gemm(size_t M, size_t N, size_t K, const void *packed, int terms, const void *w, int wparts, size_t ldw,
                 float *y, size_t ldy, void *scratch)
{
    if (!M || !N)
        return;
    size_t KC = kchunks(K), MT = (M + 15) / 16, NBW = wparts == 1 ? NB : NB / 2, es = wparts == 1 ? 2 : 4;
    size_t NTB = NBW / 16;
    uint16_t *wp = scratch;
    float *cbuf = (float *)((unsigned char *)scratch + WP_BYTES);
    uint8_t *nonfinite = (uint8_t *)(cbuf + 256) + 64;
    float *cacc = (float *)(void *)(nonfinite + NB); /* 64-byte aligned: WP_BYTES, 1024 + 64 + NB are */
    tiles_configure(cbuf + 256);
    const uint16_t *ap = packed;
    size_t a_stride = KC * (size_t)terms * TILE; /* one m-tile's packed activations */
    for (size_t nb0 = 0; nb0 < N; nb0 += NBW) {
        size_t nn = N - nb0 < NBW ? N - nb0 : NBW, NT = (nn + 15) / 16;
        memset(nonfinite, 0, NB);
        for (size_t kc0 = 0; kc0 < KC; kc0 += KBC) {
            size_t kcn = KC - kc0 < KBC ? KC - kc0 : KBC;
            pack_weights(K, (const unsigned char *)w + nb0 * ldw * es, ldw, wparts, nn, kc0, kcn, wp, nonfinite);
            for (size_t mt = 0; mt < MT; mt += 2) {
                const uint16_t *a0 = ap + mt * a_stride + kc0 * (size_t)terms * TILE;
                const uint16_t *a1 = mt + 1 < MT ? a0 + a_stride : a0;
                size_t m0 = mt * 16, m1 = m0 + 16;
                for (size_t nt = 0; nt < NT; nt += 2) {
                    const uint16_t *b0 = wp + nt * kcn * wparts * TILE, *b1 = nt + 1 < NT ? b0 + kcn * wparts * TILE : b0;
                    size_t n0 = nb0 + nt * 16, n1 = n0 + 16;
                    if (mt + 1 < MT && nt + 1 < NT) {
                        KERNEL(2, 2);
                        STORE(0, m0, n0);
                        STORE(1, m0, n1);
                        STORE(2, m1, n0);
                        STORE(3, m1, n1);
                    } else if (mt + 1 < MT) {
                        KERNEL(2, 1);
                        STORE(0, m0, n0);
                        STORE(2, m1, n0);
                    } else if (nt + 1 < NT) {
                        KERNEL(1, 2);
                        STORE(0, m0, n0);
                        STORE(1, m0, n1);
                    } else {
                        KERNEL(1, 1);
                        STORE(0, m0, n0);
                    }
                }
            }
        }
        for (size_t n = 0; n < nn; n++)
            if (nonfinite[n])
                exact_feature(M, K, ap, terms, (const unsigned char *)w + (nb0 + n) * ldw * es, wparts, y + nb0 + n,
                              ldy);
    }
    _tile_release();
}

void aif_kamx_w16_gemm(size_t M, size_t N, size_t K, const void *packed, int terms, const void *w, size_t ldw,
                       float *y, size_t ldy, void *scratch)
{
    gemm(M, N, K, packed, terms, w, 1, ldw, y, ldy, scratch);
}

void aif_kamx_w32_gemm(size_t M, size_t N, size_t K, const void *packed, int terms, const float *w, size_t ldw,
                       float *y, size_t ldy, void *scratch)
{
    gemm(M, N, K, packed, terms, w, 3, ldw, y, ldy, scratch);
}
