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

struct lin_job {
    aif_model *m;
    const struct linear *l;
    const float *x;
    size_t M;
    float *y;
    size_t ldy;
    float *scratch; /* nth * NB * n_in */
};

static void lin_worker(void *arg, int ith, int nth)
{
    struct lin_job *j = arg;
    const struct linear *l = j->l;
    const struct aif_kernels *k = j->m->k;
    size_t K = l->n_in, blocks = (l->n_out + 15) / 16, b0, b1;
    aif_pool_split(blocks, ith, nth, &b0, &b1);
    size_t n0 = b0 * 16, n1 = b1 * 16 < l->n_out ? b1 * 16 : l->n_out;
    int direct = l->dt == AIF_DTYPE_F32 && ((uintptr_t)l->w % 4) == 0;
    size_t NB = rows_per_block(K);
    float *scr = j->scratch ? j->scratch + (size_t)ith * NB * K : NULL; /* NULL: f32 weights used directly */
    size_t es = aif_dtype_size(l->dt);
    for (size_t nb = n0; nb < n1; nb += NB) {
        size_t cnt = n1 - nb < NB ? n1 - nb : NB;
        const float *w;
        if (direct) {
            w = (const float *)l->w + nb * K;
        } else {
            k->to_f32((const unsigned char *)l->w + nb * K * es, l->dt, scr, cnt * K);
            w = scr;
        }
        k->gemm(j->M, cnt, K, j->x, K, w, K, j->y + nb, j->ldy);
    }
    if (l->b.p)
        for (size_t n = n0; n < n1; n++) {
            float b = vec_at(l->b, n);
            for (size_t mm = 0; mm < j->M; mm++)
                j->y[mm * j->ldy + n] += b;
        }
}

aif_code aif_model_linear(aif_model *m, aif_pool *pool, const struct linear *l, const float *x, size_t M, float *y,
                          size_t ldy, aif_err *err)
{
    int nth = pool ? aif_pool_size(pool) : 1;
    float *scratch = NULL;
    if (!(l->dt == AIF_DTYPE_F32 && ((uintptr_t)l->w % 4) == 0)) {
        scratch = aif_malloc_aligned((size_t)nth * rows_per_block(l->n_in) * l->n_in * sizeof(float));
        if (!scratch)
            return aif_err_set(err, AIF_ENOMEM, "out of memory for weight conversion scratch");
    }
    struct lin_job j = {m, l, x, M, y, ldy, scratch};
    if (pool)
        aif_pool_run(pool, lin_worker, &j);
    else
        lin_worker(&j, 0, 1);
    aif_free_aligned(scratch);
    return AIF_OK;
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
        if ((rc = aif_model_linear(m, pool, &ly->q, xn, R, q, Q, err)) ||
            (rc = aif_model_linear(m, pool, &ly->k, xn, R, kdst, KVd, err)) ||
            (rc = aif_model_linear(m, pool, &ly->v, xn, R, vdst, KVd, err)))
            break;
        struct rope_ctx rq = {q, H, hd, T, pos0, cs, sn}, rk = {kdst, KV, hd, T, pos0, cs, sn};
        aif_model_par_rows(pool, R, rope_rows, &rq);
        aif_model_par_rows(pool, R, rope_rows, &rk);
        const float *kbase = cache ? cache->k + l * cache->cap * KVd : kb;
        const float *vbase = cache ? cache->v + l * cache->cap * KVd : vb;
        if ((rc = aif_model_attention(m, pool, q, kbase, vbase, ld, seq_stride, B, T, pos0, att, err)) ||
            (rc = aif_model_linear(m, pool, &ly->o, att, R, xn, D, err)))
            break;
        struct add_ctx a1 = {x, xn, D};
        aif_model_par_rows(pool, R, add_rows, &a1);
        aif_model_rmsnorm(m, pool, x, ly->ffn_norm, R, xn);
        if ((rc = aif_model_linear(m, pool, &ly->gate, xn, R, g, I, err)) ||
            (rc = aif_model_linear(m, pool, &ly->up, xn, R, u, I, err)))
            break;
        struct add_ctx sw = {g, u, I};
        aif_model_par_rows(pool, R, swiglu_rows, &sw);
        if ((rc = aif_model_linear(m, pool, &ly->down, g, R, xn, D, err)))
            break;
        struct add_ctx a2 = {x, xn, D};
        aif_model_par_rows(pool, R, add_rows, &a2);
    }
    aif_free_aligned(ws);
    return rc;
}
