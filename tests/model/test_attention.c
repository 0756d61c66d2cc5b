/* test_attention.c: causal grouped-query attention, the kernels' attn entry
 * (kernels.h) at every level the host has and the model's
 * aif_model_attention over it (and over gemm + gemm_nn for levels without
 * one), against a plain float64 two-pass softmax written here; the vector
 * exp2 of the AVX-512 kernel against exp2() in float64; the contracts the
 * forward relies on: a row's bits do not depend on the block it is computed
 * in (so decode steps repeat the forward's bits) nor on the thread count. */
#include "harness.h"

#include <float.h>
#include <stdlib.h>

#include "aif/pool.h"
#include "aif/tensor.h"
#include "../../src/model/model_int.h"

static float rnd(unsigned long long *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((*s >> 40) & 0xffffff) / 8388608.0f - 1.0f; /* [-1, 1) */
}

/* out (T, H*hd): query t of q (T, H*hd) at position pos + t against keys
 * 0..pos+t of k, v (rows ld apart), head h reading kv head h / G; softmax
 * in float64, two passes (maximum, then sum). */
static void ref_attention(size_t H, size_t G, size_t hd, size_t T, size_t pos, const float *q, const float *k,
                          const float *v, size_t ld, double *out)
{
    double scale = 1.0 / sqrt((double)hd), *s = malloc((pos + T) * sizeof *s);
    for (size_t t = 0; t < T; t++)
        for (size_t h = 0; h < H; h++) {
            const float *qr = q + t * H * hd + h * hd;
            size_t n = pos + t + 1, g = h / G;
            double mx = -INFINITY, sum = 0;
            for (size_t j = 0; j < n; j++) {
                double d = 0;
                for (size_t i = 0; i < hd; i++)
                    d += (double)qr[i] * k[j * ld + g * hd + i];
                s[j] = d * scale;
                mx = s[j] > mx ? s[j] : mx;
            }
            for (size_t j = 0; j < n; j++)
                sum += s[j] = exp(s[j] - mx);
            for (size_t i = 0; i < hd; i++) {
                double a = 0;
                for (size_t j = 0; j < n; j++)
                    a += s[j] * v[j * ld + g * hd + i];
                out[t * H * hd + h * hd + i] = a / sum;
            }
        }
    free(s);
}

struct shape {
    size_t T, hd, G, KV, pos; /* T queries at positions pos.., G query heads per kv head */
    float qmul;               /* query scale: larger makes a peakier softmax */
};

/* Awkward sizes: single rows, tails around the 64-key tile and the 6-key
 * chunk, head_dim 8 (< one vector), 64, 128 and odd ones, GQA 1, 4, 8, and
 * positions after a cache prefix. */
static const struct shape SHAPES[] = {
    {1, 64, 4, 2, 0, 1},    {7, 8, 1, 3, 0, 1},     {17, 64, 4, 1, 0, 1},  {63, 128, 8, 1, 0, 1},
    {64, 64, 1, 2, 0, 1},   {65, 8, 8, 1, 0, 1},    {300, 64, 4, 2, 0, 1}, {300, 8, 1, 1, 0, 4},
    {1, 128, 8, 1, 299, 1}, {7, 64, 4, 1, 130, 1},  {17, 37, 2, 1, 64, 1}, {65, 128, 1, 1, 63, 1},
    {30, 64, 4, 2, 70, 8},  {40, 13, 3, 1, 5, 1},   {5, 200, 16, 1, 6, 1}, {70, 64, 32, 1, 0, 1},
};

/* Worst |out - ref| allowed, times qmul. The outputs are convex
 * combinations of v (|v| < 1); float32 scores carry an absolute error of
 * about 1e-7 x sum_d |q k| x scale (a few units at qmul 1, tens at qmul 8),
 * which becomes the relative error of each probability, plus 2 ulp of exp2.
 * Seen: 1.2e-6 at qmul 1 and 4.6e-6 at qmul 8 (AVX-512), 6e-8 (ref). */
#define TOL 1e-5

static void data(const struct shape *sh, unsigned long long seed, float **q, float **k, float **v, size_t *ld)
{
    size_t H = sh->G * sh->KV, n = sh->pos + sh->T;
    *ld = sh->KV * sh->hd + 3; /* row stride beyond the heads: a cache-like layout, rows unaligned */
    *q = malloc(sh->T * H * sh->hd * sizeof(float));
    *k = malloc(n * *ld * sizeof(float));
    *v = malloc(n * *ld * sizeof(float));
    for (size_t i = 0; i < sh->T * H * sh->hd; i++)
        (*q)[i] = 2.0f * sh->qmul * rnd(&seed);
    for (size_t i = 0; i < n * *ld; i++)
        (*k)[i] = 2.0f * rnd(&seed), (*v)[i] = rnd(&seed);
}

/* One level's attn: whole blocks against float64; blocks of 5 positions
 * and single rows give the same bits as one call over all positions. */
static void check_attn(const struct aif_kernels *kt)
{
    for (size_t si = 0; si < sizeof SHAPES / sizeof SHAPES[0]; si++) {
        const struct shape *sh = &SHAPES[si];
        size_t H = sh->G * sh->KV, hd = sh->hd, Q = H * hd, ld;
        float *q, *k, *v;
        data(sh, 1000 + si, &q, &k, &v, &ld);
        double *ref = malloc(sh->T * Q * sizeof *ref);
        float *out = malloc(sh->T * Q * sizeof(float)), *blk = malloc(sh->T * Q * sizeof(float));
        void *ws = malloc(kt->attn_scratch_bytes(hd) + 1);
        ref_attention(H, sh->G, hd, sh->T, sh->pos, q, k, v, ld, ref);
        float scale = (float)(1.0 / sqrt((double)hd));
        for (size_t g = 0; g < sh->KV; g++)
            kt->attn(sh->G, sh->T, hd, scale, q + g * sh->G * hd, Q, k + g * hd, v + g * hd, ld, sh->pos,
                     out + g * sh->G * hd, Q, 0, (char *)ws + 1); /* unaligned scratch */
        double worst = 0;
        for (size_t i = 0; i < sh->T * Q; i++)
            worst = fmax(worst, fabs(out[i] - ref[i]));
        if (!(worst <= TOL * sh->qmul))
            aif_test_fail(__FILE__, __LINE__, "%s shape %zu (T=%zu hd=%zu G=%zu pos=%zu): worst %.3g > %g", kt->name,
                          si, sh->T, hd, sh->G, sh->pos, worst, TOL * sh->qmul);
        for (size_t step = 5; step; step = step == 5 ? 1 : 0) {
            for (size_t g = 0; g < sh->KV; g++)
                for (size_t t0 = 0; t0 < sh->T; t0 += step) {
                    size_t nq = sh->T - t0 < step ? sh->T - t0 : step;
                    kt->attn(sh->G, nq, hd, scale, q + t0 * Q + g * sh->G * hd, Q, k + g * hd, v + g * hd, ld,
                             sh->pos + t0, blk + t0 * Q + g * sh->G * hd, Q, 0, ws);
                }
            if (memcmp(out, blk, sh->T * Q * sizeof(float)))
                aif_test_fail(__FILE__, __LINE__, "%s shape %zu: blocks of %zu positions changed bits", kt->name, si,
                              step);
        }
        free(q), free(k), free(v), free(ref), free(out), free(blk), free(ws);
    }
}

static void attn_ref_level(void) { check_attn(aif_kernels_ref()); }

static void attn_avx512_level(void)
{
    const struct aif_kernels *k = aif_kernels_avx512();
    if (!k) {
        printf("skip attention/avx512: CPU lacks AVX-512\n");
        return;
    }
    CHECK(k->attn != NULL);
    if (k->attn)
        check_attn(k);
}

/* 2^x against float64 exp2 over [-150, 1) every 2^-11 and near 0 every
 * 2^-24: within 2 ulp where the result is a normal float, within one
 * denormal step (2^-149) below; exact at 0 (1), -inf and x <= -200 (0);
 * NaN stays NaN. */
static void attn_exp2(void)
{
    if (!aif_kernels_avx512()) {
        printf("skip attention/exp2: CPU lacks AVX-512\n");
        return;
    }
    size_t n = (size_t)151 << 11, nz = 1 << 16;
    float *x = malloc((n + nz + 8) * sizeof(float)), *y = malloc((n + nz + 8) * sizeof(float));
    for (size_t i = 0; i < n; i++)
        x[i] = -150.0f + (float)i / 2048.0f;
    for (size_t i = 0; i < nz; i++)
        x[n + i] = ((float)i - (float)(nz / 2)) / 16777216.0f;
    float sp[8] = {0.0f, -0.0f, -INFINITY, -200.0f, -1000.0f, NAN, -126.0f, -149.0f};
    memcpy(x + n + nz, sp, sizeof sp);
    aif_kavx512_exp2(x, y, n + nz + 8);
    double worst_ulp = 0, worst_sub = 0;
    for (size_t i = 0; i < n + nz; i++) {
        double want = exp2((double)x[i]);
        if (want >= FLT_MIN) {
            int e;
            frexp(want, &e);
            double ulp = ldexp(1.0, e - 24);
            worst_ulp = fmax(worst_ulp, fabs(y[i] - want) / ulp);
        } else
            worst_sub = fmax(worst_sub, fabs(y[i] - want));
    }
    CHECK(worst_ulp <= 2.0);
    CHECK(worst_sub <= ldexp(1.0, -149));
    if (!(worst_ulp <= 2.0))
        printf("  exp2 worst %.3g ulp\n", worst_ulp);
    float *s = y + n + nz;
    CHECK(s[0] == 1.0f && s[1] == 1.0f && s[2] == 0.0f && s[3] == 0.0f && s[4] == 0.0f);
    CHECK(isnan(s[5]));
    CHECK(s[6] == ldexpf(1.0f, -126) && s[7] == ldexpf(1.0f, -149));
    free(x), free(y);
}

/* aif_model_attention at every level (attn kernel or gemm path): against
 * float64, and identical bits for 1, 2 and 3 threads, for a batch of
 * sequences and for a cache layout (pos0 > 0, sequence stride beyond T);
 * a decode step gives the bits of the forward's last position. */
static void model_attention(void)
{
    if (aif_test_injecting())
        return;
    const struct aif_kernels *levels[3] = {aif_kernels_ref(), aif_kernels_avx2(), aif_kernels_avx512()};
    aif_pool *pools[3] = {NULL, NULL, NULL};
    aif_err err = {0};
    for (int n = 2; n <= 3; n++)
        CHECK_OK(aif_pool_new(n, &pools[n - 1], &err), err);
    /* {B, T, pos0, cap (sequence stride), H, KV, hd} */
    static const size_t cases[][7] = {
        {2, 150, 0, 150, 8, 2, 64}, {1, 37, 90, 200, 12, 3, 16}, {1, 1, 130, 131, 4, 4, 32}};
    for (size_t lv = 0; lv < 3; lv++) {
        if (!levels[lv])
            continue;
        for (size_t ci = 0; ci < 3; ci++) {
            size_t B = cases[ci][0], T = cases[ci][1], pos = cases[ci][2], cap = cases[ci][3], H = cases[ci][4],
                   KV = cases[ci][5], hd = cases[ci][6], Q = H * hd, ld = KV * hd;
            aif_model m;
            memset(&m, 0, sizeof m);
            m.cfg.n_heads = (int)H, m.cfg.n_kv_heads = (int)KV, m.cfg.head_dim = (int)hd;
            m.k = levels[lv];
            unsigned long long seed = 77 + ci;
            float *q = malloc(B * T * Q * 4), *k = malloc(B * cap * ld * 4), *v = malloc(B * cap * ld * 4);
            for (size_t i = 0; i < B * T * Q; i++)
                q[i] = 2.0f * rnd(&seed);
            for (size_t i = 0; i < B * cap * ld; i++)
                k[i] = 2.0f * rnd(&seed), v[i] = rnd(&seed);
            float *o[3];
            for (int n = 0; n < 3; n++) {
                o[n] = malloc(B * T * Q * 4);
                CHECK_OK(aif_model_attention(&m, pools[n], q, k, v, ld, cap, B, T, pos, o[n], &err), err);
            }
            CHECK_MEM(o[0], o[1], B * T * Q * 4);
            CHECK_MEM(o[0], o[2], B * T * Q * 4);
            /* each sequence's last query alone (a decode step: unpacked keys,
             * a one-position block) repeats the bits of the full call */
            float *last = malloc(Q * 4);
            for (size_t b = 0; b < B; b++) {
                CHECK_OK(aif_model_attention(&m, pools[2], q + (b * T + T - 1) * Q, k + b * cap * ld,
                                             v + b * cap * ld, ld, cap, 1, 1, pos + T - 1, last, &err), err);
                CHECK_MEM(last, o[0] + (b * T + T - 1) * Q, Q * 4);
            }
            free(last);
            double *ref = malloc(T * Q * sizeof *ref), worst = 0;
            for (size_t b = 0; b < B; b++) {
                ref_attention(H, H / KV, hd, T, pos, q + b * T * Q, k + b * cap * ld, v + b * cap * ld, ld, ref);
                for (size_t i = 0; i < T * Q; i++)
                    worst = fmax(worst, fabs(o[0][b * T * Q + i] - ref[i]));
            }
            if (!(worst <= TOL))
                aif_test_fail(__FILE__, __LINE__, "%s case %zu: worst %.3g > %g", levels[lv]->name, ci, worst, TOL);
            free(ref), free(q), free(k), free(v);
            for (int n = 0; n < 3; n++)
                free(o[n]);
        }
    }
    for (int n = 1; n < 3; n++)
        aif_pool_free(pools[n]);
}

/* ---- BF16 compute (attn16) ---- */

static float bf16r(float x) { return aif_bf16_to_f32(aif_f32_to_bf16(x)); }

/* Worst |out - ref| allowed against float64 attention on the bf16-rounded
 * q, k, v: the probabilities rounded to bf16 (relative error up to 2^-9
 * each, independent from key to key) move the weighted average of v
 * (|v| < 1) by up to 2^-9 in the worst case; f32 accumulation and the
 * score rounding add far less. Seen: about 1e-3 (AMX), 8e-4 (ref). */
#define TOL16 (1.0 / 256)

/* One attn16 implementation (pack + attention) on the shapes above:
 * against float64 on bf16-rounded inputs, and blocks of 5 positions and
 * single rows give the bits of one call over all positions. */
static void check_attn16(const char *name, void (*attn16)(size_t, size_t, size_t, float, const float *, size_t,
                                                          const void *, const void *, size_t, float *, size_t, void *),
                         size_t scratch_bytes)
{
    for (size_t si = 0; si < sizeof SHAPES / sizeof SHAPES[0]; si++) {
        const struct shape *sh = &SHAPES[si];
        size_t H = sh->G * sh->KV, hd = sh->hd, Q = H * hd, ld, n = sh->pos + sh->T;
        float *q, *k, *v;
        data(sh, 2000 + si, &q, &k, &v, &ld);
        float *qr = malloc(sh->T * Q * sizeof(float)), *kr = malloc(n * ld * sizeof(float)),
              *vr = malloc(n * ld * sizeof(float));
        for (size_t i = 0; i < sh->T * Q; i++)
            qr[i] = bf16r(q[i]);
        for (size_t i = 0; i < n * ld; i++)
            kr[i] = bf16r(k[i]), vr[i] = bf16r(v[i]);
        double *ref = malloc(sh->T * Q * sizeof *ref);
        ref_attention(H, sh->G, hd, sh->T, sh->pos, qr, kr, vr, ld, ref);
        size_t pb = aif_kref_attn16_pack_bytes(n, hd);
        void *kp = aif_malloc_aligned(pb), *vp = aif_malloc_aligned(pb), *ws = malloc(scratch_bytes + 1);
        float *out = malloc(sh->T * Q * sizeof(float)), *blk = malloc(sh->T * Q * sizeof(float));
        float scale = (float)(1.0 / sqrt((double)hd));
        double worst = 0;
        for (size_t g = 0; g < sh->KV; g++) {
            aif_kref_attn16_pack(n, hd, k + g * hd, v + g * hd, ld, kp, vp);
            attn16(sh->G, sh->T, hd, scale, q + g * sh->G * hd, Q, kp, vp, sh->pos, out + g * sh->G * hd, Q,
                   (char *)ws + 1);
            for (size_t step = 5; step; step = step == 5 ? 1 : 0) {
                for (size_t t0 = 0; t0 < sh->T; t0 += step) {
                    size_t nq = sh->T - t0 < step ? sh->T - t0 : step;
                    attn16(sh->G, nq, hd, scale, q + t0 * Q + g * sh->G * hd, Q, kp, vp, sh->pos + t0,
                           blk + t0 * Q + g * sh->G * hd, Q, ws);
                }
                for (size_t t = 0; t < sh->T; t++)
                    if (memcmp(out + t * Q + g * sh->G * hd, blk + t * Q + g * sh->G * hd,
                               sh->G * hd * sizeof(float))) {
                        aif_test_fail(__FILE__, __LINE__, "%s shape %zu: blocks of %zu positions changed bits (t=%zu)",
                                      name, si, step, t);
                        break;
                    }
            }
        }
        for (size_t i = 0; i < sh->T * Q; i++)
            worst = fmax(worst, fabs(out[i] - ref[i]));
        if (!(worst <= TOL16))
            aif_test_fail(__FILE__, __LINE__, "%s shape %zu (T=%zu hd=%zu G=%zu pos=%zu): worst %.3g > %g", name, si,
                          sh->T, hd, sh->G, sh->pos, worst, TOL16);
        free(q), free(k), free(v), free(qr), free(kr), free(vr), free(ref), free(out), free(blk), free(ws);
        aif_free_aligned(kp), aif_free_aligned(vp);
    }
}

static void attn16_ref(void)
{
    if (!aif_test_injecting()) /* the packed heads come from aif_malloc_aligned */
        check_attn16("ref", aif_kref_attn16, aif_kref_attn16_scratch_bytes(200));
}

static void attn16_amx(void)
{
    const struct aif_kernels *k = aif_kernels_amx();
    if (aif_test_injecting())
        return;
    if (!k) {
        printf("skip attention/attn16_amx: no AMX-BF16 (or no tile permission)\n");
        return;
    }
    CHECK(k->attn16 != NULL && k->attn16_pack != NULL);
    if (!k->attn16 || !k->attn16_pack)
        return;
    check_attn16("amx", k->attn16, k->attn16_scratch_bytes(200));
    /* the level's packer writes the reference packer's bytes: key and head
     * sizes around the 16-key, 64-key and 32-dim blocks, unaligned rows,
     * values that round both ways, ties, NaN, infinities, denormals */
    static const size_t ns[] = {1, 15, 16, 17, 64, 65, 130}, hds[] = {8, 13, 32, 37, 64, 128};
    unsigned long long seed = 5;
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
        for (size_t b = 0; b < sizeof hds / sizeof hds[0]; b++) {
            size_t n = ns[a], hd = hds[b], ld = hd + 5, pb = aif_kref_attn16_pack_bytes(n, hd);
            float *x = malloc((n * ld + 1) * sizeof(float));
            for (size_t i = 0; i < n * ld + 1; i++)
                x[i] = rnd(&seed) * 3.0f;
            static const uint32_t special[] = {0x7fc00001u, 0xff800000u, 0x7f800000u, 0x00000001u, 0x3f808000u,
                                               0x3f818000u, 0x7f7fffffu, 0x80000000u};
            for (size_t i = 0; i < 8 && i < n * ld; i++)
                memcpy(&x[1 + (i * 7) % (n * ld)], &special[i], 4);
            unsigned char *p[4];
            for (int i = 0; i < 4; i++)
                memset(p[i] = aif_malloc_aligned(pb), 0xa5, pb);
            aif_kref_attn16_pack(n, hd, x + 1, x + 1 + (n > 1), ld, p[0], p[1]);
            k->attn16_pack(n, hd, x + 1, x + 1 + (n > 1), ld, p[2], p[3]);
            if (memcmp(p[0], p[2], pb) || memcmp(p[1], p[3], pb))
                aif_test_fail(__FILE__, __LINE__, "amx pack differs from ref: n=%zu hd=%zu", n, hd);
            for (int i = 0; i < 4; i++)
                aif_free_aligned(p[i]);
            free(x);
        }
}

/* The model with BF16 compute and bf16_attention at every level (AMX:
 * attn16; others: rounded copies and attn's p16, or the gemm path doing the
 * same): identical bits for 1, 2 and 3 threads, a decode step repeats the
 * forward's last position, and within TOL16 of float64 on bf16-rounded
 * q, k, v. */
static void model_attention16(void)
{
    if (aif_test_injecting())
        return;
    const struct aif_kernels *levels[4] = {aif_kernels_ref(), aif_kernels_avx2(), aif_kernels_avx512(),
                                           aif_kernels_amx()};
    aif_pool *pools[3] = {NULL, NULL, NULL};
    aif_err err = {0};
    for (int n = 2; n <= 3; n++)
        CHECK_OK(aif_pool_new(n, &pools[n - 1], &err), err);
    static const size_t cases[][7] = {{2, 150, 0, 150, 8, 2, 64}, {1, 37, 90, 200, 12, 3, 16}};
    for (size_t lv = 0; lv < 4; lv++)
        for (size_t ci = 0; ci < 2 && levels[lv]; ci++) {
            size_t B = cases[ci][0], T = cases[ci][1], pos = cases[ci][2], cap = cases[ci][3], H = cases[ci][4],
                   KV = cases[ci][5], hd = cases[ci][6], Q = H * hd, ld = KV * hd;
            aif_model m;
            memset(&m, 0, sizeof m);
            m.cfg.n_heads = (int)H, m.cfg.n_kv_heads = (int)KV, m.cfg.head_dim = (int)hd;
            m.k = levels[lv];
            m.compute = AIF_MODEL_COMPUTE_BF16;
            m.bf16_attention = 1;
            unsigned long long seed = 99 + ci;
            float *q = malloc(B * T * Q * 4), *k = malloc(B * cap * ld * 4), *v = malloc(B * cap * ld * 4);
            for (size_t i = 0; i < B * T * Q; i++)
                q[i] = 2.0f * rnd(&seed);
            for (size_t i = 0; i < B * cap * ld; i++)
                k[i] = 2.0f * rnd(&seed), v[i] = rnd(&seed);
            float *o[3], *last = malloc(Q * 4);
            for (int n = 0; n < 3; n++) {
                o[n] = malloc(B * T * Q * 4);
                CHECK_OK(aif_model_attention(&m, pools[n], q, k, v, ld, cap, B, T, pos, o[n], &err), err);
            }
            CHECK_MEM(o[0], o[1], B * T * Q * 4);
            CHECK_MEM(o[0], o[2], B * T * Q * 4);
            for (size_t b = 0; b < B; b++) {
                CHECK_OK(aif_model_attention(&m, pools[1], q + (b * T + T - 1) * Q, k + b * cap * ld,
                                             v + b * cap * ld, ld, cap, 1, 1, pos + T - 1, last, &err), err);
                CHECK_MEM(last, o[0] + (b * T + T - 1) * Q, Q * 4);
            }
            for (size_t i = 0; i < B * T * Q; i++)
                q[i] = bf16r(q[i]);
            for (size_t i = 0; i < B * cap * ld; i++)
                k[i] = bf16r(k[i]), v[i] = bf16r(v[i]);
            double *ref = malloc(T * Q * sizeof *ref), worst = 0;
            for (size_t b = 0; b < B; b++) {
                ref_attention(H, H / KV, hd, T, pos, q + b * T * Q, k + b * cap * ld, v + b * cap * ld, ld, ref);
                for (size_t i = 0; i < T * Q; i++)
                    worst = fmax(worst, fabs(o[0][b * T * Q + i] - ref[i]));
            }
            if (!(worst <= TOL16))
                aif_test_fail(__FILE__, __LINE__, "%s bf16 case %zu: worst %.3g > %g", levels[lv]->name, ci, worst,
                              TOL16);
            free(ref), free(q), free(k), free(v), free(last);
            for (int n = 0; n < 3; n++)
                free(o[n]);
        }
    for (int n = 1; n < 3; n++)
        aif_pool_free(pools[n]);
}

/* Every allocation of aif_model_attention may fail (run with --fail-alloc):
 * each path returns AIF_ENOMEM or, where a buffer is only an optimisation
 * (the regrouped keys/values), the same result without it; nothing leaks. */
static void attention_out_of_memory(void)
{
    size_t B = 1, T = 40, H = 4, KV = 2, hd = 16, Q = H * hd, ld = KV * hd;
    const struct aif_kernels *levels[3] = {aif_kernels_ref(), aif_kernels_avx512(), aif_kernels_amx()};
    float *q = malloc(T * Q * 4), *k = malloc(T * ld * 4), *v = malloc(T * ld * 4), *o = malloc(T * Q * 4);
    unsigned long long seed = 3;
    for (size_t i = 0; i < T * Q; i++)
        q[i] = rnd(&seed);
    for (size_t i = 0; i < T * ld; i++)
        k[i] = rnd(&seed), v[i] = rnd(&seed);
    for (size_t lv = 0; lv < 3; lv++)
        for (int mode = 0; mode < 2 && levels[lv]; mode++) {
            aif_model m;
            memset(&m, 0, sizeof m);
            m.cfg.n_heads = (int)H, m.cfg.n_kv_heads = (int)KV, m.cfg.head_dim = (int)hd;
            m.k = levels[lv];
            m.compute = mode ? AIF_MODEL_COMPUTE_BF16 : AIF_MODEL_COMPUTE_F32;
            m.bf16_attention = mode;
            aif_err err = {0};
            aif_code rc = aif_model_attention(&m, NULL, q, k, v, ld, T, B, T, 0, o, &err);
            if (aif_test_injecting())
                CHECK(rc == AIF_OK || (rc == AIF_ENOMEM && strstr(err.msg, "out of memory")));
            else
                CHECK_OK(rc, err);
        }
    free(q), free(k), free(v), free(o);
}

AIF_TESTS(model_attention) = {
    {"model/attention_ref_level", attn_ref_level},
    {"model/attention_avx512_level", attn_avx512_level},
    {"model/attention_exp2", attn_exp2},
    {"model/attention_threads_and_levels", model_attention},
    {"model/attention_bf16_ref", attn16_ref},
    {"model/attention_bf16_amx", attn16_amx},
    {"model/attention_bf16_model", model_attention16},
    {"model/attention_out_of_memory", attention_out_of_memory},
    {NULL, NULL},
};
