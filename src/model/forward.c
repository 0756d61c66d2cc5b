/* forward.c: embedding, RMSNorm, linear layers and the decoder stack.
 * Shapes: D hidden, Q = H*hd query width, KVd = KV*hd key/value width,
 * I intermediate; activations are (rows, width) f32 row-major. */
#include "model_int.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Weight rows converted to f32 at a time, per thread: up to 256, within 8 MB. */
static size_t rows_per_block(size_t K)
{
    size_t nb = ((size_t)2 << 20) / (K ? K : 1);
    nb = nb < 16 ? 16 : nb > 256 ? 256 : nb;
    return nb & ~(size_t)15;
}

/* ---------------------------------------------------------------- rows */

struct rows_job {
    void (*fn)(void *ctx, size_t r0, size_t r1);
    void *ctx;
    size_t n;
};

static void rows_worker(void *arg, int ith, int nth)
{
    struct rows_job *j = arg;
    size_t r0, r1;
    aif_pool_split(j->n, ith, nth, &r0, &r1);
    if (r0 < r1)
        j->fn(j->ctx, r0, r1);
}

/* Run fn over [0, n) rows split by thread (each row handled by one thread). */
void aif_model_par_rows(aif_pool *pool, size_t n, void (*fn)(void *, size_t, size_t), void *ctx)
{
    struct rows_job j = {fn, ctx, n};
    if (n < 4 || !pool)
        fn(ctx, 0, n);
    else
        aif_pool_run(pool, rows_worker, &j);
}

/* ---------------------------------------------------------------- embed, norm */

void aif_model_embed(aif_model *m, const int32_t *tokens, size_t n, float *x)
{
    size_t D = (size_t)m->cfg.hidden_size, es = aif_dtype_size(m->embed.dt);
    for (size_t i = 0; i < n; i++)
        m->k->to_f32((const unsigned char *)m->embed.w + (size_t)tokens[i] * D * es, m->embed.dt, x + i * D, D);
}

struct norm_ctx {
    const aif_model *m;
    const float *x;
    float *out;
    struct vec w;
};

static void norm_rows(void *p, size_t r0, size_t r1)
{
    struct norm_ctx *c = p;
    size_t D = (size_t)c->m->cfg.hidden_size;
    float eps = (float)c->m->cfg.rms_norm_eps;
    for (size_t r = r0; r < r1; r++) {
        const float *x = c->x + r * D;
        float *o = c->out + r * D;
        double ss = 0;
        for (size_t i = 0; i < D; i++)
            ss += (double)x[i] * x[i];
        /* LlamaRMSNorm: x * rsqrt(mean(x^2) + eps), then weight * that */
        float inv = 1.0f / sqrtf((float)(ss / (double)D) + eps);
        for (size_t i = 0; i < D; i++)
            o[i] = vec_at(c->w, i) * (x[i] * inv);
    }
}

void aif_model_rmsnorm(const aif_model *m, aif_pool *pool, const float *x, struct vec w, size_t n_rows, float *out)
{
    struct norm_ctx c = {m, x, out, w};
    aif_model_par_rows(pool, n_rows, norm_rows, &c);
}

/* ---------------------------------------------------------------- linear */

/* f32 weights the kernels can read in place (4-byte aligned in the file). */
static int f32_direct(const struct linear *l)
{
    return l->dt == AIF_DTYPE_F32 && ((uintptr_t)l->w % 4) == 0;
}

/* The bf16 matrix units take bf16 weights, and f32 ones split in three bf16 parts. */
static int on_units(const struct linear *l)
{
    return l->dt == AIF_DTYPE_BF16 || f32_direct(l);
}

static int uses_w16(const struct linear *l, const struct act *a)
{
    return a->packed && on_units(l);
}

/* Whether every matrix product of m runs on the bf16 units (then nothing
 * reads bf16-rounded f32 copies of the activations). */
static int all_on_units(const aif_model *m)
{
    if (!m->k->w16_gemm || !on_units(&m->lm_head))
        return 0;
    for (size_t i = 0; i < (size_t)m->cfg.n_layers; i++) {
        const struct layer *ly = &m->layers[i];
        const struct linear *ls[] = {&ly->q, &ly->k, &ly->v, &ly->o, &ly->gate, &ly->up, &ly->down};
        for (size_t j = 0; j < sizeof ls / sizeof ls[0]; j++)
            if (!on_units(ls[j]))
                return 0;
    }
    return 1;
}

struct pack_job {
    const struct aif_kernels *k;
    const struct act *a;
};

static void pack_rows(void *p, size_t t0, size_t t1)
{
    struct pack_job *j = p; /* rows in units of 16 */
    size_t m1 = t1 * 16 < j->a->M ? t1 * 16 : j->a->M;
    j->k->w16_pack(j->a->M, j->a->K, j->a->x, j->a->K, j->a->terms, j->a->packed, t0 * 16, m1);
}

struct round_job {
    const float *x;
    float *out;
    size_t K;
};

static void round_rows(void *p, size_t r0, size_t r1)
{
    struct round_job *j = p;
    for (size_t i = r0 * j->K; i < r1 * j->K; i++)
        j->out[i] = aif_bf16_to_f32(aif_f32_to_bf16(j->x[i]));
}

aif_code aif_model_act_prepare_in(aif_model *m, aif_pool *pool, const float *x, size_t M, size_t K,
                                  struct act_ws *ws, struct act *a, aif_err *err)
{
    memset(a, 0, sizeof *a);
    a->x = a->xr = x;
    a->M = M;
    a->K = K;
    a->terms = m->compute == AIF_MODEL_COMPUTE_BF16 ? 1 : 3;
    const struct aif_kernels *k = m->k;
    /* used for any M, one row included: a row's logits must not depend on
     * how many rows share the call (prefix and batch invariance) */
    size_t np = k->w16_gemm && M ? (k->w16_pack_bytes(M, K, a->terms) + 63) & ~(size_t)63 : 0;
    size_t nr = m->compute == AIF_MODEL_COMPUTE_BF16 && !(np && all_on_units(m)) ? M * K * sizeof(float) : 0;
    if (!np && !nr)
        return AIF_OK;
    unsigned char *buf;
    if (ws) {
        if (ws->cap < np + nr) {
            aif_free_aligned(ws->p);
            ws->cap = 0;
            if (!(ws->p = aif_malloc_aligned(np + nr)))
                return aif_err_set(err, AIF_ENOMEM, "out of memory preparing activations (%zu x %zu)", M, K);
            ws->cap = np + nr;
        }
        buf = ws->p;
    } else {
        if (!(buf = aif_malloc_aligned(np + nr + 1)))
            return aif_err_set(err, AIF_ENOMEM, "out of memory preparing activations (%zu x %zu)", M, K);
        a->owned_packed = buf;
    }
    if (np) {
        a->packed = buf;
        struct pack_job j = {k, a};
        aif_model_par_rows(pool, (M + 15) / 16, pack_rows, &j);
    }
    if (nr) {
        /* the f32 kernels (f16 or unaligned weights, levels without bf16 units) read rounded values */
        struct round_job j = {x, (float *)(void *)(buf + np), K};
        aif_model_par_rows(pool, M, round_rows, &j);
        a->xr = j.out;
    }
    return AIF_OK;
}

aif_code aif_model_act_prepare(aif_model *m, aif_pool *pool, const float *x, size_t M, size_t K, struct act *a,
                               aif_err *err)
{
    return aif_model_act_prepare_in(m, pool, x, M, K, NULL, a, err);
}

void aif_model_act_release(struct act *a)
{
    aif_free_aligned(a->owned_packed);
    a->owned_packed = NULL;
    a->packed = NULL;
}

void aif_model_act_ws_free(struct act_ws *ws)
{
    aif_free_aligned(ws->p);
    ws->p = NULL;
    ws->cap = 0;
}

struct lin_job {
    aif_model *m;
    const struct linear *l;
    const struct act *a;
    size_t n0, n1;
    float *y;
    size_t ldy;
    float *scratch; /* nth * per floats */
    size_t per;
};

static void lin_worker(void *arg, int ith, int nth)
{
    struct lin_job *j = arg;
    const struct linear *l = j->l;
    const struct aif_kernels *k = j->m->k;
    size_t K = l->n_in, M = j->a->M, blocks = (j->n1 - j->n0 + 15) / 16, b0, b1;
    aif_pool_split(blocks, ith, nth, &b0, &b1);
    size_t n0 = j->n0 + b0 * 16, n1 = j->n0 + b1 * 16 < j->n1 ? j->n0 + b1 * 16 : j->n1;
    if (n0 >= n1)
        return;
    float *y = j->y + (n0 - j->n0); /* column n0 of this thread's range */
    float *scr = j->scratch ? j->scratch + (size_t)ith * j->per : NULL;
    size_t es = aif_dtype_size(l->dt);
    const unsigned char *w = (const unsigned char *)l->w + n0 * K * es;
    if (uses_w16(l, j->a) && l->dt == AIF_DTYPE_BF16) {
        k->w16_gemm(M, n1 - n0, K, j->a->packed, j->a->terms, w, K, y, j->ldy, scr);
    } else if (uses_w16(l, j->a)) {
        k->w32_gemm(M, n1 - n0, K, j->a->packed, j->a->terms, (const float *)(const void *)w, K, y, j->ldy, scr);
    } else if (f32_direct(l)) {
        k->gemm(M, n1 - n0, K, j->a->xr, K, (const float *)(const void *)w, K, y, j->ldy);
    } else {
        size_t NB = rows_per_block(K);
        for (size_t nb = n0; nb < n1; nb += NB) {
            size_t cnt = n1 - nb < NB ? n1 - nb : NB;
            k->to_f32((const unsigned char *)l->w + nb * K * es, l->dt, scr, cnt * K);
            k->gemm(M, cnt, K, j->a->xr, K, scr, K, y + (nb - n0), j->ldy);
        }
    }
    if (l->b.p)
        for (size_t n = n0; n < n1; n++) {
            float b = vec_at(l->b, n);
            for (size_t mm = 0; mm < M; mm++)
                y[mm * j->ldy + (n - n0)] += b;
        }
}

aif_code aif_model_linear_act(aif_model *m, aif_pool *pool, const struct linear *l, const struct act *a, size_t n0,
                              size_t n1, float *y, size_t ldy, aif_err *err)
{
    AIF_ASSERT(a->K == l->n_in && n0 <= n1 && n1 <= l->n_out);
    int nth = pool ? aif_pool_size(pool) : 1;
    size_t per = 0;
    if (uses_w16(l, a))
        per = (m->k->w16_scratch_bytes(a->M, l->n_in) + 63) / sizeof(float);
    else if (!f32_direct(l))
        per = rows_per_block(l->n_in) * l->n_in;
    per = (per + 15) & ~(size_t)15;
    float *scratch = NULL;
    if (per && !(scratch = aif_malloc_aligned((size_t)nth * per * sizeof(float))))
        return aif_err_set(err, AIF_ENOMEM, "out of memory for weight conversion scratch");
    struct lin_job j = {m, l, a, n0, n1, y, ldy, scratch, per};
    if (pool && a->M * (n1 - n0) > 64)
        aif_pool_run(pool, lin_worker, &j);
    else
        lin_worker(&j, 0, 1);
    aif_free_aligned(scratch);
    return AIF_OK;
}

/* aif_model_linear with the activation buffers from ws (NULL: owned). */
static aif_code linear_in(aif_model *m, aif_pool *pool, const struct linear *l, const float *x, size_t M, float *y,
                          size_t ldy, struct act_ws *ws, aif_err *err)
{
    struct act a;
    aif_code rc = aif_model_act_prepare_in(m, pool, x, M, l->n_in, ws, &a, err);
    if (!rc)
        rc = aif_model_linear_act(m, pool, l, &a, 0, l->n_out, y, ldy, err);
    aif_model_act_release(&a);
    return rc;
}

aif_code aif_model_linear(aif_model *m, aif_pool *pool, const struct linear *l, const float *x, size_t M, float *y,
                          size_t ldy, aif_err *err)
{
    return linear_in(m, pool, l, x, M, y, ldy, NULL, err);
}

/* ---------------------------------------------------------------- decoder */

struct rope_ctx {
    float *buf;          /* rows of width n_heads * hd */
    size_t n_heads, hd, T, pos0;
    const float *cos, *sin; /* (T, hd/2) */
};

static void rope_rows(void *p, size_t r0, size_t r1)
{
    struct rope_ctx *c = p;
    size_t half = c->hd / 2;
    for (size_t r = r0; r < r1; r++) {
        const float *cs = c->cos + (r % c->T) * half, *sn = c->sin + (r % c->T) * half;
        for (size_t h = 0; h < c->n_heads; h++) {
            float *v = c->buf + (r * c->n_heads + h) * c->hd;
            /* q * cos + rotate_half(q) * sin, rotate_half(x) = cat(-x2, x1) */
            for (size_t i = 0; i < half; i++) {
                float x1 = v[i], x2 = v[i + half];
                v[i] = x1 * cs[i] - x2 * sn[i];
                v[i + half] = x2 * cs[i] + x1 * sn[i];
            }
        }
    }
}

struct add_ctx {
    float *x;
    const float *d;
    size_t w;
};

static void add_rows(void *p, size_t r0, size_t r1)
{
    struct add_ctx *c = p;
    for (size_t i = r0 * c->w; i < r1 * c->w; i++)
        c->x[i] += c->d[i];
}

static void swiglu_rows(void *p, size_t r0, size_t r1)
{
    struct add_ctx *c = p; /* x = gate (in/out), d = up */
    for (size_t i = r0 * c->w; i < r1 * c->w; i++) {
        float g = c->x[i];
        c->x[i] = (g / (1.0f + expf(-g))) * c->d[i]; /* silu(gate) * up */
    }
}

aif_code aif_model_run_layers(aif_model *m, aif_pool *pool, float *x, size_t B, size_t T, size_t pos0,
                              struct kv_cache *cache, aif_err *err)
{
    const aif_model_config *c = &m->cfg;
    size_t D = (size_t)c->hidden_size, hd = (size_t)c->head_dim, H = (size_t)c->n_heads,
           KV = (size_t)c->n_kv_heads, I = (size_t)c->intermediate_size, Q = H * hd, KVd = KV * hd, half = hd / 2;
    size_t R = B * T;
    AIF_ASSERT(!cache || B == 1);
    AIF_ASSERT(cache || pos0 == 0);

    /* One block: xn (R, max(D, Q... )) | q (R, Q) | k, v (R, KVd) | att (R, Q) | g, u (R, I) | cos, sin (T, half) */
    size_t wide = D > Q ? D : Q;
    /* R <= AIF_MODEL_MAX_TOKENS (2^22) and every width <= 2^20: the sum fits 64 bits */
    AIF_ASSERT(R <= AIF_MODEL_MAX_TOKENS && T <= AIF_MODEL_MAX_TOKENS);
    size_t n_f = R * wide + R * Q + (cache ? 0 : 2 * R * KVd) + R * Q + 2 * R * I + 2 * T * half + half;
    float *ws = n_f <= SIZE_MAX / sizeof(float) ? aif_malloc_aligned(n_f * sizeof(float)) : NULL;
    if (!ws)
        return aif_err_set(err, AIF_ENOMEM, "out of memory for activations (%zu tokens)", R);
    float *xn = ws, *q = xn + R * wide, *kb = q + R * Q, *vb = kb + (cache ? 0 : R * KVd);
    float *att = vb + (cache ? 0 : R * KVd), *g = att + R * Q, *u = g + R * I, *cs = u + R * I, *sn = cs + T * half,
          *inv = sn + T * half;

    aif_model_rope_inv_freq(c, pos0 + T, inv);
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < half; i++) {
            float f = inv[i] * (float)(pos0 + t); /* inv_freq @ position_ids in float32 */
            cs[t * half + i] = cosf(f);
            sn[t * half + i] = sinf(f);
        }

    aif_code rc = AIF_OK;
    struct act_ws aws = {NULL, 0};
    for (size_t l = 0; l < (size_t)c->n_layers && !rc; l++) {
        const struct layer *ly = &m->layers[l];
        float *kdst = kb, *vdst = vb;
        size_t ld = KVd, seq_stride = T;
        if (cache) {
            kdst = cache->k + (l * cache->cap + pos0) * KVd;
            vdst = cache->v + (l * cache->cap + pos0) * KVd;
            seq_stride = cache->cap;
        }
        aif_model_rmsnorm(m, pool, x, ly->attn_norm, R, xn);
        struct act a;
        if ((rc = aif_model_act_prepare_in(m, pool, xn, R, D, &aws, &a, err)))
            break;
        if ((rc = aif_model_linear_act(m, pool, &ly->q, &a, 0, Q, q, Q, err)) ||
            (rc = aif_model_linear_act(m, pool, &ly->k, &a, 0, KVd, kdst, KVd, err)) ||
            (rc = aif_model_linear_act(m, pool, &ly->v, &a, 0, KVd, vdst, KVd, err))) {
            aif_model_act_release(&a);
            break;
        }
        aif_model_act_release(&a);
        struct rope_ctx rq = {q, H, hd, T, pos0, cs, sn}, rk = {kdst, KV, hd, T, pos0, cs, sn};
        aif_model_par_rows(pool, R, rope_rows, &rq);
        aif_model_par_rows(pool, R, rope_rows, &rk);
        const float *kbase = cache ? cache->k + l * cache->cap * KVd : kb;
        const float *vbase = cache ? cache->v + l * cache->cap * KVd : vb;
        if ((rc = aif_model_attention(m, pool, q, kbase, vbase, ld, seq_stride, B, T, pos0, att, err)) ||
            (rc = linear_in(m, pool, &ly->o, att, R, xn, D, &aws, err)))
            break;
        struct add_ctx a1 = {x, xn, D};
        aif_model_par_rows(pool, R, add_rows, &a1);
        aif_model_rmsnorm(m, pool, x, ly->ffn_norm, R, xn);
        if ((rc = aif_model_act_prepare_in(m, pool, xn, R, D, &aws, &a, err)))
            break;
        if ((rc = aif_model_linear_act(m, pool, &ly->gate, &a, 0, I, g, I, err)) ||
            (rc = aif_model_linear_act(m, pool, &ly->up, &a, 0, I, u, I, err))) {
            aif_model_act_release(&a);
            break;
        }
        aif_model_act_release(&a);
        struct add_ctx sw = {g, u, I};
        aif_model_par_rows(pool, R, swiglu_rows, &sw);
        if ((rc = linear_in(m, pool, &ly->down, g, R, xn, D, &aws, err)))
            break;
        struct add_ctx a2 = {x, xn, D};
        aif_model_par_rows(pool, R, add_rows, &a2);
    }
    aif_free_aligned(ws);
    aif_model_act_ws_free(&aws);
    return rc;
}
