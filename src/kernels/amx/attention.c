/* attention.c: causal attention on AMX bf16 tiles, for BF16 compute (the
 * contract is in kernels.h, attn16): q, k, v and the probabilities rounded
 * to bf16, products accumulated in f32 by tdpbf16ps, the softmax in f32
 * with AVX-512.
 *
 * A head's keys and values are packed once (attn16_pack; ref/attention.c
 * defines the bytes, aif_kamx_attn16_pack writes the same) into the layouts
 * the B operand of tdpbf16ps reads, with head_dim padded to HP (a multiple
 * of 32) and the keys to a multiple of KT:
 *   kp: per 16 keys, HP/2 rows of 16 (k[key][2r], k[key][2r+1]) pairs
 *       (64 bytes), so S = Q K^T is Q (16 rows x 32 dims) times one such
 *       block of 16 rows;
 *   vp: per key pair (2p, 2p+1), HP (v[2p][d], v[2p+1][d]) pairs, so
 *       O += P V is P (16 rows x 32 keys) times 16 pair rows x 16 dims.
 * A work item's rows go by blocks of 16 (one tile's height); for each tile
 * of KT = 64 keys and each row block:
 *   S (16 x 64 f32) = Q K^T                 (tmm0, 1, 4, 5; issued before
 *                                            the previous block's softmax)
 *   per row: m' = max(m, c max_j s), f = 2^(m - m'), p = 2^(c s - m'),
 *            l (16 partial sums per row) = l f + p, P = bf16(p)
 *   O (16 x HP f32, in memory) = O f (rows whose f is not 1) + P V
 *                                           (tmm2, 3, 6, 7)
 * with c = scale * log2 e. Keys beyond a row's limit get s = -inf, p = 0.
 * Each row's arithmetic depends only on its position, hd and scale (tiles
 * start at key 0; keys past the row's limit add exact zeros), never on the
 * rows sharing its block or the thread count. (tdpbf16ps flushes denormal
 * sums to zero, so a tile of such zeros can flush a denormal partial
 * output: not a concern at the magnitudes attention produces.) */
#include "../kernels.h"
#include "../avx512/transpose.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define KT 64 /* keys per tile */
#define RB 16 /* rows per block (tile height) */
#define NB 4  /* row blocks per group (64 rows) */

static size_t padded_hd(size_t hd) { return (hd + 31) / 32 * 32; }

/* bf16 of each f32 lane, round to nearest even (NaN quieted), in the low
 * 16 bits of the 32-bit lane: aif_f32_to_bf16 lane by lane. */
static inline __m512i bf16_rne(__m512 x)
{
    __m512i u = _mm512_castps_si512(x);
    __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff)),
                                            _mm512_set1_epi32(0x7f800000));
    __m512i r = _mm512_add_epi32(u, _mm512_add_epi32(_mm512_set1_epi32(0x7fff),
                                                     _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1))));
    r = _mm512_mask_or_epi32(r, nan, u, _mm512_set1_epi32(0x400000));
    return _mm512_srli_epi32(r, 16);
}

static inline __mmask16 head_mask(size_t d, size_t hd)
{
    return (__mmask16)(d >= hd ? 0 : hd - d >= 16 ? 0xffff : (1u << (hd - d)) - 1);
}

/* aif_kref_attn16_pack with AVX-512 (the same bytes, checked by the tests):
 * keys by 16 x 16 transposes of bf16 pairs, values by interleaving rows. */
void aif_kamx_attn16_pack(size_t n, size_t hd, const float *k, const float *v, size_t ld, void *kp, void *vp)
{
    size_t HP = padded_hd(hd), NP = (n + KT - 1) / KT * KT;
    uint16_t *ko = kp, *vo = vp;
    const __m512i even = _mm512_set_epi16(62, 60, 58, 56, 54, 52, 50, 48, 46, 44, 42, 40, 38, 36, 34, 32, 30, 28, 26,
                                          24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    for (size_t k0 = 0; k0 < NP; k0 += 16)
        for (size_t d = 0; d < HP; d += 32) {
            __m512 t[16];
            for (size_t i = 0; i < 16; i++) {
                size_t key = k0 + i;
                if (key >= n) {
                    t[i] = _mm512_setzero_ps();
                    continue;
                }
                const float *src = k + key * ld + d;
                __m512i a = bf16_rne(_mm512_maskz_loadu_ps(head_mask(d, hd), src));
                __m512i b = bf16_rne(_mm512_maskz_loadu_ps(head_mask(d + 16, hd), src + 16));
                t[i] = _mm512_castsi512_ps(_mm512_permutex2var_epi16(a, even, b)); /* 16 pairs (d + 2r, d + 2r + 1) */
            }
            aif_kavx512_tr16(t);
            for (size_t r = 0; r < 16; r++)
                _mm512_store_si512(ko + (k0 / 16) * (HP * 16) + (d / 2 + r) * 32, _mm512_castps_si512(t[r]));
        }
    for (size_t key = 0; key < NP; key += 2)
        for (size_t d = 0; d < HP; d += 16) {
            __m512i a = _mm512_setzero_si512(), b = _mm512_setzero_si512();
            if (key < n)
                a = bf16_rne(_mm512_maskz_loadu_ps(head_mask(d, hd), v + key * ld + d));
            if (key + 1 < n)
                b = bf16_rne(_mm512_maskz_loadu_ps(head_mask(d, hd), v + (key + 1) * ld + d));
            _mm512_store_si512(vo + (key / 2) * (HP * 2) + d * 2, _mm512_or_si512(a, _mm512_slli_epi32(b, 16)));
        }
}

/* scratch: qb (NB*RB x HP bf16) | ob (NB*RB x HP f32) | 2 x sb (RB x KT f32) |
 * 2 x pb (RB x KT bf16) | lv (NB*RB x 16 f32) | mx, lim (NB*RB) | 64 B slack */
size_t aif_kamx_attn16_scratch_bytes(size_t hd)
{
    size_t HP = padded_hd(hd), R = NB * RB;
    return R * HP * 2 + R * HP * 4 + 2 * RB * KT * 4 + 2 * RB * KT * 2 + R * 16 * 4 + 2 * R * 4 + 64;
}

/* 2^x to 7.4e-6 relative (degree-4 Chebyshev fit of (2^f - 1)/f on
 * [0, 1]; otherwise as avx512/attention.c's exp2: 2^0 = 1, 2^-inf = 0):
 * the probabilities are rounded to bf16 (2^-9) and the same p is summed
 * into l, so the weights' relative error stays ~1e-5. */
static inline __m512 exp2_ps(__m512 x)
{
    __m512 f = _mm512_reduce_ps(x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512 p = _mm512_set1_ps(1.276311389e-02f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.344102927e-02f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.406470481e-01f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.931339926e-01f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, x);
}

struct tilecfg {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
};

/* S (RB x KT f32, row-major) = Q K^T for row block qr (RB x HP bf16) and
 * the tile's keys kt, on tmm0, tmm1 (accumulators), tmm4 (Q), tmm5 (K):
 * tiles the update never touches, so the next block's scores can run
 * while this block's softmax does (tile registers are not renamed). Blocks
 * of 16 keys past the group's last key (kq blocks remain) are skipped:
 * their scores are left as they were and masked to -inf (past every
 * row's limit). */
static inline void scores16(const uint16_t *qr, const uint16_t *kt, size_t HP, size_t kq, float *S)
{
    for (size_t kh = 0; kh < 2 && 2 * kh < kq; kh++) {
        _tile_zero(0);
        _tile_zero(1);
        for (size_t d = 0; d < HP; d += 32) {
            _tile_loadd(4, qr + d, (long)(HP * 2));
            _tile_loadd(5, kt + (2 * kh) * HP * 16 + d * 16, 64);
            _tile_dpbf16ps(0, 4, 5);
            if (2 * kh + 1 < kq) {
                _tile_loadd(5, kt + (2 * kh + 1) * HP * 16 + d * 16, 64);
                _tile_dpbf16ps(1, 4, 5);
            }
        }
        _tile_stored(0, S + 32 * kh, KT * 4);
        _tile_stored(1, S + 32 * kh + 16, KT * 4);
    }
}

/* O (RB x HP f32, in memory) += P (RB x KT bf16) V for the tile's values
 * vt, 32 output dims at a time on tmm2, tmm3 (accumulators), tmm6 (P),
 * tmm7 (V); 32-key halves past the group's last key (p = 0) skipped. */
static inline void update16(const uint16_t *P, const uint16_t *vt, size_t HP, size_t kv, float *O)
{
    for (size_t d = 0; d < HP; d += 32) {
        _tile_loadd(2, O + d, (long)(HP * 4));
        _tile_loadd(3, O + d + 16, (long)(HP * 4));
        for (size_t j = 0; j < KT && j < kv; j += 32) {
            const uint16_t *vj = vt + (j / 2) * HP * 2 + d * 2; /* pair rows j/2.., dims d.. */
            _tile_loadd(6, P + j, KT * 2);
            _tile_loadd(7, vj, (long)(HP * 4));
            _tile_dpbf16ps(2, 6, 7);
            _tile_loadd(7, vj + 32, (long)(HP * 4));
            _tile_dpbf16ps(3, 6, 7);
        }
        _tile_stored(2, O + d, (long)(HP * 4));
        _tile_stored(3, O + d + 16, (long)(HP * 4));
    }
}

/* One group of up to NB * RB rows r0..r0+nr. */
static void group(size_t G, size_t hd, float scale, const float *q, size_t ldq, const uint16_t *kp,
                  const uint16_t *vp, size_t pos, float *out, size_t ldo, size_t r0, size_t nr, unsigned char *ws)
{
    size_t HP = padded_hd(hd), R = NB * RB, nb = (nr + RB - 1) / RB;
    uint16_t *qb = (uint16_t *)ws;
    float *ob = (float *)(qb + R * HP), *sbuf = ob + R * HP; /* two score buffers */
    uint16_t *pbuf = (uint16_t *)(sbuf + 2 * RB * KT);       /* two probability buffers */
    float *lv = (float *)(pbuf + 2 * RB * KT), *mx = lv + R * 16;
    int32_t *lim = (int32_t *)(mx + R);
    const float c = scale * 1.4426950408889634f;
    /* q rows to bf16 (rows past nr repeat the last one), zero past hd;
     * first all their lines requested at once (they are rarely cached) */
    for (size_t r = 0; r < nr; r++) {
        const char *src = (const char *)(q + (r0 + r) / G * ldq + (r0 + r) % G * hd);
        for (size_t b = 0; b < hd * sizeof(float); b += 64)
            _mm_prefetch(src + b, _MM_HINT_T0);
        _mm_prefetch(src + hd * sizeof(float) - 1, _MM_HINT_T0);
    }
    for (size_t r = 0; r < nb * RB; r++) {
        size_t rr = r0 + (r < nr ? r : nr - 1), i = rr / G;
        const float *src = q + i * ldq + (rr % G) * hd;
        for (size_t d = 0; d < HP; d += 32) {
            __m512 a = _mm512_maskz_loadu_ps(head_mask(d, hd), src + d);
            __m512 b = _mm512_maskz_loadu_ps(head_mask(d + 16, hd), src + d + 16);
            _mm512_storeu_si512(qb + r * HP + d, (__m512i)_mm512_cvtne2ps_pbh(b, a));
        }
        for (size_t d = 0; d < HP; d += 16)
            _mm512_storeu_ps(ob + r * HP + d, _mm512_setzero_ps());
        _mm512_storeu_ps(lv + r * 16, _mm512_setzero_ps());
        mx[r] = -INFINITY;
        lim[r] = (int32_t)(pos + i + 1);
    }
    size_t n_keys = pos + (r0 + nr - 1) / G + 1;
    const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    for (size_t k0 = 0; k0 < n_keys; k0 += KT) {
        const uint16_t *kt = kp + k0 * HP, *vt = vp + k0 * HP; /* KT keys x HP values each */
        size_t kv = n_keys - k0, kq = kv >= KT ? KT / 16 : (kv + 15) / 16;
        scores16(qb, kt, HP, kq, sbuf);
        for (size_t b = 0; b < nb; b++) {
            size_t rb0 = b * RB;
            float *sb = sbuf + (b % 2) * RB * KT;
            uint16_t *pb = pbuf + (b % 2) * RB * KT;
            if (b + 1 < nb) /* the next block's scores, on tiles of their own */
                scores16(qb + (rb0 + RB) * HP, kt, HP, kq, sbuf + ((b + 1) % 2) * RB * KT);
            /* online softmax, one row at a time (keys along the lanes) */
            float corr[RB];
            int any = 0;
            for (size_t r = 0; r < RB; r++) {
                size_t row = rb0 + r;
                __m512 s[4];
                for (int w = 0; w < 4; w++)
                    s[w] = _mm512_loadu_ps(sb + r * KT + 16 * w);
                if (k0 + KT > (size_t)lim[row]) { /* keys >= lim: -inf */
                    int64_t lr = (int64_t)lim[row] - (int64_t)k0; /* in [0, KT) or below 0 */
                    __m512i rel = _mm512_set1_epi32((int32_t)(lr < 0 ? 0 : lr));
                    for (int w = 0; w < 4; w++) {
                        __mmask16 ok = _mm512_cmpgt_epi32_mask(rel, _mm512_add_epi32(iota, _mm512_set1_epi32(16 * w)));
                        s[w] = _mm512_mask_mov_ps(_mm512_set1_ps(-INFINITY), ok, s[w]);
                    }
                }
                float tmax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(s[0], s[1]), _mm512_max_ps(s[2], s[3])));
                float mo = mx[row], mn = fmaxf(mo, tmax * c);
                /* c > 0: max(c s) = c max(s) exactly; -inf stays -inf */
                /* 2^0 = 1 exactly: skip the exp when the maximum stays */
                __m512 f = mn == mo ? _mm512_set1_ps(1.0f) : exp2_ps(_mm512_set1_ps(mo - mn));
                __m512 nm = _mm512_set1_ps(-mn), cv = _mm512_set1_ps(c);
                mx[row] = mn;
                corr[r] = _mm512_cvtss_f32(f);
                any |= corr[r] != 1.0f;
                __m512 p[4];
                for (int w = 0; w < 4; w++)
                    p[w] = exp2_ps(_mm512_fmadd_ps(s[w], cv, nm));
                __m512 l = _mm512_mul_ps(_mm512_loadu_ps(lv + row * 16), f);
                l = _mm512_add_ps(l, _mm512_add_ps(_mm512_add_ps(p[0], p[1]), _mm512_add_ps(p[2], p[3])));
                _mm512_storeu_ps(lv + row * 16, l);
                _mm512_storeu_si512(pb + r * KT, (__m512i)_mm512_cvtne2ps_pbh(p[1], p[0]));
                _mm512_storeu_si512(pb + r * KT + 32, (__m512i)_mm512_cvtne2ps_pbh(p[3], p[2]));
            }
            /* O = O f (rows whose maximum moved) + P V */
            if (any)
                for (size_t r = 0; r < RB; r++)
                    if (corr[r] != 1.0f) {
                        __m512 f = _mm512_set1_ps(corr[r]);
                        for (size_t d = 0; d < HP; d += 16)
                            _mm512_storeu_ps(ob + (rb0 + r) * HP + d,
                                             _mm512_mul_ps(_mm512_loadu_ps(ob + (rb0 + r) * HP + d), f));
                    }
            update16(pb, vt, HP, kv, ob + rb0 * HP);
        }
    }
    for (size_t r = 0; r < nr; r++) {
        size_t rr = r0 + r;
        __m512 rl = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(_mm512_loadu_ps(lv + r * 16)));
        float *dst = out + rr / G * ldo + rr % G * hd;
        for (size_t d = 0; d < hd; d += 16)
            _mm512_mask_storeu_ps(dst + d, head_mask(d, hd), _mm512_mul_ps(_mm512_loadu_ps(ob + r * HP + d), rl));
    }
}

void aif_kamx_attn16(size_t G, size_t nq, size_t hd, float scale, const float *q, size_t ldq, const void *kp,
                     const void *vp, size_t pos, float *out, size_t ldo, void *scratch)
{
    struct tilecfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette = 1;
    for (int t = 0; t < 8; t++) {
        cfg.rows[t] = 16;
        cfg.colsb[t] = 64;
    }
    _tile_loadconfig(&cfg);
    unsigned char *ws = (unsigned char *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    size_t R = G * nq;
    for (size_t r0 = 0; r0 < R; r0 += NB * RB)
        group(G, hd, scale, q, ldq, kp, vp, pos, out, ldo, r0, R - r0 < NB * RB ? R - r0 : NB * RB, ws);
    _tile_release();
}
