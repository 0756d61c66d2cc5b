/* attention.c: AVX-512 causal attention for one block of query rows against
 * one key/value head (the contract is in kernels.h, attn).
 *
 * Query rows lie along the vector lanes: a group of up to 64 rows (4 zmm)
 * is transposed once into qt (hd x 64, pre-multiplied by scale * log2 e, so
 * that probabilities are 2^(s - m)), and for each tile of KT keys
 *   scores   st[j][lane] = sum_d k[j][d] * qt[d][lane]   (k[j][d] broadcast)
 *   softmax  per lane: m' = max(m, max_j st), c = 2^(m - m'), l = l c + sum p,
 *            p = 2^(st - m')                            (vector exp2)
 *   update   ot[d][lane] = ot[d][lane] c + sum_j v[j][d] * p[j][lane]
 * with k and v elements broadcast, so neither is transposed: rows that are
 * contiguous (ldkv == hd, as the model regroups them) are read in place,
 * others through a contiguous copy of the tile. A row's maximum and sum are
 * lane-wise (no horizontal reductions), and the only masked work is the
 * chunk of keys that crosses some row's causal limit. Register tiles: 6 keys
 * x 4 row vectors for the scores, 6 head dims x 4 row vectors for the update
 * (24 accumulators). With p16 the stored p are rounded to bf16 (l sums them
 * unrounded).
 *
 * Every lane runs the same instruction sequence whatever the other lanes
 * hold: key tiles start at multiples of KT from key 0, chunks at multiples of
 * JB inside them, the d and j sums run in ascending order, and keys beyond a
 * row's limit get probability exactly 0 (2^-inf; c = 2^0 = 1 is exact), so
 * they change neither m, l nor ot. A row's result therefore depends only on
 * (hd, scale, its position) and the data, never on the block it was computed
 * in: a single-token decode step gives the bits the full forward gave for
 * that position. */
#include "../kernels.h"
#include "transpose.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#define KT 72  /* keys per tile: whole chunks of JB (only the last tile pads a chunk) */
#define JB 6   /* keys per score register tile */
#define DB 6   /* head dims per update register tile */
#define LN 64  /* lanes (rows) per group: 4 vectors */
#define STR (KT + JB) /* score rows in scratch: a tile rounded up to whole chunks (the last one) */

/* 2^x = 2^floor(x) * 2^f, f = x - floor(x) in [0, 1] (one vreduceps),
 * 2^f by a degree-6 polynomial (Chebyshev fit of (2^f - 1)/f on [0, 1],
 * 5e-9 relative) and 2^floor(x) applied by vscalefps, which floors its
 * exponent itself: within 2 ulp over the normal range; x = 0 gives exactly
 * 1, -inf exactly 0 (so do x < -150 by underflow), NaN stays NaN. */
static inline __attribute__((always_inline)) __m512 exp2_ps(__m512 x)
{
    __m512 f = _mm512_reduce_ps(x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); /* x - floor(x); 0 for -inf */
    __m512 p = _mm512_set1_ps(2.081791502e-04f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.269216608e-03f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.652195055e-03f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.549602356e-02f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.402272042e-01f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.931471709e-01f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, x);
}

/* x rounded to the nearest bf16 value (even on ties), kept as f32; NaN
 * stays NaN (aif_f32_to_bf16's rule, in integer lanes: no AVX512_BF16). */
static inline __m512 bf16_round(__m512 x)
{
    __m512i u = _mm512_castps_si512(x);
    __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff)),
                                            _mm512_set1_epi32(0x7f800000));
    __m512i r = _mm512_add_epi32(u, _mm512_add_epi32(_mm512_set1_epi32(0x7fff),
                                                     _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1))));
    r = _mm512_mask_or_epi32(r, nan, u, _mm512_set1_epi32(0x400000));
    return _mm512_castsi512_ps(_mm512_and_si512(r, _mm512_set1_epi32((int)0xffff0000u)));
}

void aif_kavx512_exp2(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, exp2_ps(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 mk = (__mmask16)((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(y + i, mk, exp2_ps(_mm512_maskz_loadu_ps(mk, x + i)));
    }
}

size_t aif_kavx512_attn_scratch_bytes(size_t hd)
{
    /* qt, ot (hd x LN) | st (STR x LN) | m, l (LN) | lim (LN int32) | kv (STR x hd) | 64 bytes of alignment slack */
    return ((2 * hd + STR + 3) * LN + STR * hd) * sizeof(float) + 64;
}

/* dst rows 0..n (hd floats each, contiguous) = src rows ld apart. Keys and
 * values are read from this copy: their rows in the
 * caller's layout are often a multiple of 4 KB / 64 apart and would crowd a
 * few L1 sets, and the copy's independent loads fetch lines in parallel. */
static inline void copy_rows(float *dst, const float *src, size_t ld, size_t n, size_t hd)
{
    __mmask16 mk = (__mmask16)((1u << (hd % 16)) - 1);
    for (size_t j = 0; j < n; j++, src += ld, dst += hd) {
        size_t d = 0;
        for (; d + 16 <= hd; d += 16)
            _mm512_storeu_ps(dst + d, _mm512_loadu_ps(src + d));
        if (d < hd)
            _mm512_mask_storeu_ps(dst + d, mk, _mm512_maskz_loadu_ps(mk, src + d));
    }
}


/* dst[e * LN + lane] = c * rows[lane][d0 + e] for e < nd (<= 16). */
static inline void gather16(const float *const rows[16], size_t d0, size_t nd, float c, float *dst)
{
    __mmask16 mk = (__mmask16)((1u << nd) - 1);
    __m512 t[16];
    for (int i = 0; i < 16; i++)
        t[i] = _mm512_maskz_loadu_ps(mk, rows[i] + d0);
    aif_kavx512_tr16(t);
    for (size_t e = 0; e < nd; e++)
        _mm512_store_ps(dst + e * LN, _mm512_mul_ps(t[e], _mm512_set1_ps(c)));
}

/* rows[lane][d0 + e] = src[e * LN + lane] / l[lane] for e < nd (<= 16), lane < nl. */
static inline void scatter16(const float *src, size_t nd, __m512 l, float *const rows[16], size_t d0, size_t nl)
{
    __mmask16 mk = (__mmask16)((1u << nd) - 1);
    __m512 t[16];
    for (size_t e = 0; e < 16; e++)
        t[e] = e < nd ? _mm512_div_ps(_mm512_load_ps(src + e * LN), l) : _mm512_setzero_ps();
    aif_kavx512_tr16(t);
    for (size_t i = 0; i < nl; i++)
        _mm512_mask_storeu_ps(rows[i] + d0, mk, t[i]);
}

/* Scores of keys j0..j0+JB-1 (pointers kp) for NV row vectors: st rows
 * j0.., masked to -inf where key >= lim, and the running tile maximum. */
static inline __attribute__((always_inline)) void scores(const int NV, size_t hd, const float *qt,
                                                         const float *const *kp, float *st, int masked, size_t key0,
                                                         const int32_t *lim, __m512 *tmax)
{
    __m512 a[JB][4];
#pragma GCC unroll 8
    for (int jj = 0; jj < JB; jj++)
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
            a[jj][v] = _mm512_setzero_ps();
    for (size_t d = 0; d < hd; d++) {
        __m512 qv[4];
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
            qv[v] = _mm512_load_ps(qt + d * LN + 16 * v);
#pragma GCC unroll 8
        for (int jj = 0; jj < JB; jj++) {
            __m512 b = _mm512_set1_ps(kp[jj][d]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++)
                a[jj][v] = _mm512_fmadd_ps(b, qv[v], a[jj][v]);
        }
    }
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
#pragma GCC unroll 8
    for (int jj = 0; jj < JB; jj++)
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) {
            __m512 s = a[jj][v];
            if (masked) {
                __mmask16 ok = _mm512_cmpgt_epi32_mask(_mm512_load_si512(lim + 16 * v),
                                                       _mm512_set1_epi32((int32_t)(key0 + (size_t)jj)));
                s = _mm512_mask_mov_ps(ninf, ok, s);
            }
            _mm512_store_ps(st + (size_t)jj * LN + 16 * v, s);
            tmax[v] = _mm512_max_ps(tmax[v], s);
        }
}

/* ot[d0..d0+ND) = ot * c + sum_{j < kn} v[j][d] p[j] for NV row vectors. */
static inline __attribute__((always_inline)) void update(const int NV, const int ND, size_t d0, size_t kn,
                                                         const float *v, size_t ldkv, const float *st, const __m512 *c,
                                                         float *ot)
{
    __m512 a[DB][4];
#pragma GCC unroll 8
    for (int dd = 0; dd < ND; dd++)
#pragma GCC unroll 4
        for (int w = 0; w < NV; w++)
            a[dd][w] = _mm512_mul_ps(_mm512_load_ps(ot + (d0 + (size_t)dd) * LN + 16 * w), c[w]);
    const float *vr = v + d0;
    for (size_t j = 0; j < kn; j++, vr += ldkv) {
        __m512 p[4];
#pragma GCC unroll 4
        for (int w = 0; w < NV; w++)
            p[w] = _mm512_load_ps(st + j * LN + 16 * w);
#pragma GCC unroll 8
        for (int dd = 0; dd < ND; dd++) {
            __m512 b = _mm512_set1_ps(vr[dd]);
#pragma GCC unroll 4
            for (int w = 0; w < NV; w++)
                a[dd][w] = _mm512_fmadd_ps(b, p[w], a[dd][w]);
        }
    }
#pragma GCC unroll 8
    for (int dd = 0; dd < ND; dd++)
#pragma GCC unroll 4
        for (int w = 0; w < NV; w++)
            _mm512_store_ps(ot + (d0 + (size_t)dd) * LN + 16 * w, a[dd][w]);
}

/* One group of rows r0..r0+nr (nr <= 16 NV) of the block. */
static inline __attribute__((always_inline)) void group(const int NV, size_t G, size_t hd, float scale,
                                                        const float *q, size_t ldq, const float *k, const float *v,
                                                        size_t ldkv, size_t pos, float *out, size_t ldo, size_t r0,
                                                        size_t nr, int p16, float *ws)
{
    float *qt = ws, *ot = qt + hd * LN, *st = ot + hd * LN, *mx = st + STR * LN, *l = mx + LN;
    int32_t *lim = (int32_t *)(l + LN);
    float *kv = (float *)(lim + LN); /* the tile's keys, then its values */
    const float c = scale * 1.4426950408889634f; /* scores in log2 units */
    size_t n_keys = pos + (r0 + nr - 1) / G + 1, lim_min = pos + r0 / G + 1;
    for (size_t r = 0; r < nr; r++) { /* all q lines requested at once: they are rarely cached */
        const char *src = (const char *)(q + (r0 + r) / G * ldq + (r0 + r) % G * hd);
        for (size_t b = 0; b < hd * sizeof(float); b += 64)
            _mm_prefetch(src + b, _MM_HINT_T0);
        _mm_prefetch(src + hd * sizeof(float) - 1, _MM_HINT_T0);
    }
    for (int w = 0; w < NV; w++) {
        const float *rows[16];
        for (size_t r = 16 * (size_t)w; r < 16 * (size_t)w + 16; r++) {
            size_t rr = r0 + (r < nr ? r : nr - 1), i = rr / G; /* padding lanes repeat the last row */
            rows[r % 16] = q + i * ldq + (rr % G) * hd;
            lim[r] = (int32_t)(pos + i + 1);
        }
        for (size_t d0 = 0; d0 < hd; d0 += 16)
            gather16(rows, d0, hd - d0 < 16 ? hd - d0 : 16, c, qt + d0 * LN + 16 * w);
        _mm512_store_ps(mx + 16 * w, _mm512_set1_ps(-INFINITY));
        _mm512_store_ps(l + 16 * w, _mm512_setzero_ps());
        for (size_t d = 0; d < hd; d++)
            _mm512_store_ps(ot + d * LN + 16 * w, _mm512_setzero_ps());
    }
    for (size_t k0 = 0; k0 < n_keys; k0 += KT) {
        size_t kn = n_keys - k0 < KT ? n_keys - k0 : KT;
        __m512 tmax[4];
#pragma GCC unroll 4
        for (int w = 0; w < NV; w++)
            tmax[w] = _mm512_set1_ps(-INFINITY);
        /* contiguous rows (ldkv == hd) are read in place; others through a copy */
        int direct = ldkv == hd;
        const float *kt = direct ? k + k0 * hd : kv;
        if (!direct)
            copy_rows(kv, k + k0 * ldkv, ldkv, kn, hd);
        for (size_t j0 = 0; j0 < kn; j0 += JB) {
            const float *kp[JB];
            for (int jj = 0; jj < JB; jj++) /* past the last key: a real row again, masked */
                kp[jj] = kt + (j0 + (size_t)jj < kn ? j0 + (size_t)jj : kn - 1) * hd;
            /* the next tile's rows, into L2 while this one computes (the
             * copy below would otherwise wait on memory for each of them) */
            for (size_t jj = j0; !direct && jj < j0 + JB && k0 + KT + jj < n_keys; jj++) {
                const char *kr = (const char *)(k + (k0 + KT + jj) * ldkv),
                           *vr = (const char *)(v + (k0 + KT + jj) * ldkv);
                for (size_t b = 0; b < hd * sizeof(float); b += 64) {
                    _mm_prefetch(kr + b, _MM_HINT_T1);
                    _mm_prefetch(vr + b, _MM_HINT_T1);
                }
                _mm_prefetch(kr + hd * sizeof(float) - 1, _MM_HINT_T1);
                _mm_prefetch(vr + hd * sizeof(float) - 1, _MM_HINT_T1);
            }
            int masked = k0 + j0 + JB > lim_min;
            if (masked)
                scores(NV, hd, qt, kp, st + j0 * LN, 1, k0 + j0, lim, tmax);
            else
                scores(NV, hd, qt, kp, st + j0 * LN, 0, k0 + j0, lim, tmax);
        }
        __m512 corr[4], lsum[4], mn[4];
#pragma GCC unroll 4
        for (int w = 0; w < NV; w++) {
            __m512 mo = _mm512_load_ps(mx + 16 * w);
            mn[w] = _mm512_max_ps(mo, tmax[w]);
            corr[w] = exp2_ps(_mm512_sub_ps(mo, mn[w])); /* 0 on the first tile, 1 when m stays */
            lsum[w] = _mm512_mul_ps(_mm512_load_ps(l + 16 * w), corr[w]);
            _mm512_store_ps(mx + 16 * w, mn[w]);
        }
        for (size_t j = 0; j < kn; j++)
#pragma GCC unroll 4
            for (int w = 0; w < NV; w++) {
                __m512 p = exp2_ps(_mm512_sub_ps(_mm512_load_ps(st + j * LN + 16 * w), mn[w]));
                lsum[w] = _mm512_add_ps(lsum[w], p);
                _mm512_store_ps(st + j * LN + 16 * w, p16 ? bf16_round(p) : p);
            }
#pragma GCC unroll 4
        for (int w = 0; w < NV; w++)
            _mm512_store_ps(l + 16 * w, lsum[w]);
        const float *vt = direct ? v + k0 * hd : kv;
        if (!direct)
            copy_rows(kv, v + k0 * ldkv, ldkv, kn, hd);
        size_t d0 = 0;
        for (; d0 + DB <= hd; d0 += DB)
            update(NV, DB, d0, kn, vt, hd, st, corr, ot);
        switch (hd - d0) {
        case 5: update(NV, 5, d0, kn, vt, hd, st, corr, ot); break;
        case 4: update(NV, 4, d0, kn, vt, hd, st, corr, ot); break;
        case 3: update(NV, 3, d0, kn, vt, hd, st, corr, ot); break;
        case 2: update(NV, 2, d0, kn, vt, hd, st, corr, ot); break;
        case 1: update(NV, 1, d0, kn, vt, hd, st, corr, ot); break;
        default: break;
        }
    }
    for (int w = 0; w < NV && 16 * (size_t)w < nr; w++) {
        float *rows[16];
        for (size_t r = 16 * (size_t)w; r < 16 * (size_t)w + 16; r++) {
            size_t rr = r0 + (r < nr ? r : nr - 1);
            rows[r % 16] = out + rr / G * ldo + rr % G * hd;
        }
        size_t nl = nr - 16 * (size_t)w < 16 ? nr - 16 * (size_t)w : 16;
        __m512 rl = _mm512_load_ps(l + 16 * w);
        for (size_t d0 = 0; d0 < hd; d0 += 16)
            scatter16(ot + d0 * LN + 16 * w, hd - d0 < 16 ? hd - d0 : 16, rl, rows, d0, nl);
    }
}

static void group1(size_t G, size_t hd, float scale, const float *q, size_t ldq, const float *k, const float *v,
                   size_t ldkv, size_t pos, float *out, size_t ldo, size_t r0, size_t nr, int p16, float *ws)
{
    group(1, G, hd, scale, q, ldq, k, v, ldkv, pos, out, ldo, r0, nr, p16, ws);
}
static void group2(size_t G, size_t hd, float scale, const float *q, size_t ldq, const float *k, const float *v,
                   size_t ldkv, size_t pos, float *out, size_t ldo, size_t r0, size_t nr, int p16, float *ws)
{
    group(2, G, hd, scale, q, ldq, k, v, ldkv, pos, out, ldo, r0, nr, p16, ws);
}
static void group3(size_t G, size_t hd, float scale, const float *q, size_t ldq, const float *k, const float *v,
                   size_t ldkv, size_t pos, float *out, size_t ldo, size_t r0, size_t nr, int p16, float *ws)
{
    group(3, G, hd, scale, q, ldq, k, v, ldkv, pos, out, ldo, r0, nr, p16, ws);
}
static void group4(size_t G, size_t hd, float scale, const float *q, size_t ldq, const float *k, const float *v,
                   size_t ldkv, size_t pos, float *out, size_t ldo, size_t r0, size_t nr, int p16, float *ws)
{
    group(4, G, hd, scale, q, ldq, k, v, ldkv, pos, out, ldo, r0, nr, p16, ws);
}

void aif_kavx512_attn(size_t G, size_t nq, size_t hd, float scale, const float *q, size_t ldq, const float *k,
                      const float *v, size_t ldkv, size_t pos, float *out, size_t ldo, int p16, void *scratch)
{
    float *ws = (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    size_t R = G * nq;
    for (size_t r0 = 0; r0 < R; r0 += LN) {
        size_t nr = R - r0 < LN ? R - r0 : LN;
        switch ((nr + 15) / 16) {
        case 1: group1(G, hd, scale, q, ldq, k, v, ldkv, pos, out, ldo, r0, nr, p16, ws); break;
        case 2: group2(G, hd, scale, q, ldq, k, v, ldkv, pos, out, ldo, r0, nr, p16, ws); break;
        case 3: group3(G, hd, scale, q, ldq, k, v, ldkv, pos, out, ldo, r0, nr, p16, ws); break;
        default: group4(G, hd, scale, q, ldq, k, v, ldkv, pos, out, ldo, r0, nr, p16, ws); break;
        }
    }
}
