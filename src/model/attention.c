/* attention.c: causal grouped-query attention with an online softmax over
 * tiles of keys (never a T x T matrix).
 *
 * Levels with an attn kernel (kernels.h) run it on items of (sequence, kv
 * head, block of positions); the others use the path below. With BF16
 * compute and m->bf16_attention, q, k, v and the probabilities (not their
 * sum) are rounded to bf16, as torch's bf16 attention does: levels with
 * attn16 (AMX) on bf16 tiles, the others on rounded f32 copies with attn's
 * p16 (or this file's path doing the same). Off by default: on the tiny
 * stories260K checkpoints (head_dim 8) it moves logits by up to 0.66 between
 * levels and 1.07 from F32 compute, past test_levels.c's bounds.
 *
 * Work items are (sequence, kv head, block of QB query positions): the
 * G = heads/kv_heads query heads sharing a kv head at QB positions form a
 * block of G*QB query rows that meets each key tile once, so the scores
 * S = Q K^T (gemm) and the update P V (gemm_nn, V rows used in place) are
 * two small matrix products. Items do not depend on
 * the thread count, and a row's arithmetic does not depend on its block
 * (gemm elements do not depend on tiling; keys beyond a row's causal limit
 * get probability exactly 0), so any thread count gives the same bits. */
#include "model_int.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

#define KT 64 /* keys per tile */
#define QBK 64 /* query rows (positions x heads of a kv head) per item with an attn kernel */

struct att_job {
    aif_model *m;
    const float *q, *kbase, *vbase;
    size_t ld, seq_stride, B, T, pos0, qb;
    int p16; /* probabilities rounded to bf16 before P V (kernels.h, attn) */
    float *out;
    float *scratch;     /* per thread: scratch_n floats */
    size_t scratch_n;
};

static void att_worker(void *arg, int ith, int nth)
{
    struct att_job *j = arg;
    const aif_model_config *c = &j->m->cfg;
    const struct aif_kernels *k = j->m->k;
    size_t hd = (size_t)c->head_dim, H = (size_t)c->n_heads, KVh = (size_t)c->n_kv_heads, G = H / KVh, Q = H * hd;
    size_t QB = j->qb, R = G * QB, n_tb = (j->T + QB - 1) / QB;
    float scale = (float)(1.0 / sqrt((double)hd));
    /* scratch: qblk (R, hd) | s (R, KT) | tmp (R, hd) | acc (R, hd) | mx, l (R) */
    float *qblk = j->scratch + (size_t)ith * j->scratch_n, *s = qblk + R * hd, *tmp = s + R * KT,
          *acc = tmp + R * hd, *mx = acc + R * hd, *l = mx + R;
    size_t i0, i1;
    aif_pool_split(j->B * KVh * n_tb, ith, nth, &i0, &i1); /* items (b, g, tb), tb fastest */
    for (size_t it = i0; it < i1; it++) {
        size_t tb = it % n_tb, g = (it / n_tb) % KVh, b = it / (n_tb * KVh);
        size_t t0 = tb * QB, t1 = t0 + QB < j->T ? t0 + QB : j->T, rows = (t1 - t0) * G;
        for (size_t ti = 0; ti < t1 - t0; ti++)
            for (size_t hh = 0; hh < G; hh++) {
                const float *src = j->q + (b * j->T + t0 + ti) * Q + (g * G + hh) * hd;
                float *dst = qblk + (ti * G + hh) * hd;
                for (size_t d = 0; d < hd; d++)
                    dst[d] = src[d];
            }
        for (size_t r = 0; r < rows; r++) {
            mx[r] = -INFINITY;
            l[r] = 0.0f;
            for (size_t d = 0; d < hd; d++)
                acc[r * hd + d] = 0.0f;
        }
        const float *kr = j->kbase + b * j->seq_stride * j->ld + g * hd;
        const float *vr = j->vbase + b * j->seq_stride * j->ld + g * hd;
        size_t n_keys = j->pos0 + t1; /* the block's last query sees keys 0..pos0+t1-1 */
        for (size_t k0 = 0; k0 < n_keys; k0 += KT) {
            size_t kn = n_keys - k0 < KT ? n_keys - k0 : KT;
            k->gemm(rows, kn, hd, qblk, hd, kr + k0 * j->ld, j->ld, s, KT); /* S = Q K^T */
            for (size_t r = 0; r < rows; r++) {
                size_t lim = j->pos0 + t0 + r / G + 1; /* keys this row may see */
                size_t valid = lim <= k0 ? 0 : lim - k0 < kn ? lim - k0 : kn;
                float *sr = s + r * KT;
                float tmax = -INFINITY;
                for (size_t jj = 0; jj < valid; jj++) {
                    sr[jj] *= scale;
                    if (sr[jj] > tmax)
                        tmax = sr[jj];
                }
                if (valid && tmax > mx[r]) {
                    float corr = expf(mx[r] - tmax); /* 0 on the first tile */
                    for (size_t d = 0; d < hd; d++)
                        acc[r * hd + d] *= corr;
                    l[r] *= corr;
                    mx[r] = tmax;
                }
                for (size_t jj = 0; jj < kn; jj++) {
                    float p = jj < valid ? expf(sr[jj] - mx[r]) : 0.0f;
                    sr[jj] = j->p16 ? aif_bf16_to_f32(aif_f32_to_bf16(p)) : p;
                    l[r] += p;
                }
            }
            k->gemm_nn(rows, hd, kn, s, KT, vr + k0 * j->ld, j->ld, tmp, hd); /* P V */
            for (size_t i = 0; i < rows * hd; i++)
                acc[i] += tmp[i];
        }
        for (size_t r = 0; r < rows; r++) {
            size_t ti = r / G, hh = r % G;
            float *o = j->out + (b * j->T + t0 + ti) * Q + (g * G + hh) * hd;
            for (size_t d = 0; d < hd; d++)
                o[d] = acc[r * hd + d] / l[r];
        }
    }
}

/* With the level's attn kernel: items (sequence, kv head, block of QBK
 * query rows) handed out by an atomic counter, a kv head's blocks together
 * (its keys and values stay in cache) and costliest (last) first, so that
 * the threads finish together; which thread runs an item changes no bit of
 * it (kernels.h, attn). Keys and values of sequence b, kv head g start at
 * kbase/vbase + b * sstride + g * hstride, rows ld apart. */
struct kat_job {
    aif_model *m;
    const float *q, *kbase, *vbase;
    size_t ld, sstride, hstride, B, T, pos0, qb, n_tb;
    const unsigned char *kp16, *vp16; /* attn16: packed heads, pack16 bytes each, (b, g) order; else NULL */
    size_t pack16;
    int p16; /* attn: probabilities rounded to bf16 */
    float *out;
    unsigned char *scratch; /* per thread: scratch_n bytes */
    size_t scratch_n;
    atomic_size_t next;
};

static void kat_worker(void *arg, int ith, int nth)
{
    struct kat_job *j = arg;
    const aif_model_config *c = &j->m->cfg;
    size_t hd = (size_t)c->head_dim, H = (size_t)c->n_heads, KVh = (size_t)c->n_kv_heads, G = H / KVh, Q = H * hd;
    size_t n_items = j->B * KVh * j->n_tb;
    float scale = (float)(1.0 / sqrt((double)hd));
    void *ws = j->scratch + (size_t)ith * j->scratch_n;
    (void)nth;
    for (size_t it; (it = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < n_items;) {
        size_t tb = j->n_tb - 1 - it % j->n_tb, bg = it / j->n_tb, b = bg / KVh, g = bg % KVh;
        size_t t0 = tb * j->qb, nq = j->T - t0 < j->qb ? j->T - t0 : j->qb, off = b * j->sstride + g * j->hstride;
        if (j->kp16) {
            j->m->k->attn16(G, nq, hd, scale, j->q + (b * j->T + t0) * Q + g * G * hd, Q, j->kp16 + bg * j->pack16,
                            j->vp16 + bg * j->pack16, j->pos0 + t0, j->out + (b * j->T + t0) * Q + g * G * hd, Q, ws);
            continue;
        }
        j->m->k->attn(G, nq, hd, scale, j->q + (b * j->T + t0) * Q + g * G * hd, Q, j->kbase + off, j->vbase + off,
                      j->ld, j->pos0 + t0, j->out + (b * j->T + t0) * Q + g * G * hd, Q, j->p16, ws);
    }
}

/* Keys and values regrouped head-major, (B, KV, nk, hd) each: in the
 * forward's layout a head's rows are KV * hd floats apart (2 KB for a
 * 1B Llama), so a head's keys crowd a fraction of the cache sets and
 * leave it between work items. */
struct pack_ctx {
    const float *k, *v;
    size_t ld, seq_stride, nk, KV, hd;
    float *kp, *vp;
};

static void pack_rows(void *p, size_t r0, size_t r1)
{
    struct pack_ctx *c = p;
    for (size_t r = r0; r < r1; r++) {
        size_t b = r / c->nk, jk = r % c->nk;
        const float *ks = c->k + (b * c->seq_stride + jk) * c->ld, *vs = c->v + (b * c->seq_stride + jk) * c->ld;
        for (size_t g = 0; g < c->KV; g++) {
            size_t o = ((b * c->KV + g) * c->nk + jk) * c->hd;
            memcpy(c->kp + o, ks + g * c->hd, c->hd * sizeof(float));
            memcpy(c->vp + o, vs + g * c->hd, c->hd * sizeof(float));
        }
    }
}

/* BF16 compute: each (sequence, kv head) packed by the level's attn16_pack. */
struct pack16_ctx {
    const struct aif_kernels *k;
    const float *kb, *vb;
    size_t ld, seq_stride, nk, KV, hd, bytes;
    unsigned char *kp, *vp;
};

static void pack16_heads(void *p, size_t r0, size_t r1)
{
    struct pack16_ctx *c = p;
    for (size_t bg = r0; bg < r1; bg++) {
        size_t off = bg / c->KV * c->seq_stride * c->ld + bg % c->KV * c->hd;
        c->k->attn16_pack(c->nk, c->hd, c->kb + off, c->vb + off, c->ld, c->kp + bg * c->bytes, c->vp + bg * c->bytes);
    }
}

static aif_code attention16(aif_model *m, aif_pool *pool, const float *q, const float *kbase, const float *vbase,
                            size_t ld, size_t seq_stride, size_t B, size_t T, size_t pos0, float *out, aif_err *err)
{
    const aif_model_config *c = &m->cfg;
    const struct aif_kernels *k = m->k;
    size_t hd = (size_t)c->head_dim, KV = (size_t)c->n_kv_heads, G = (size_t)c->n_heads / KV, nk = pos0 + T;
    size_t qb = G >= QBK ? 1 : QBK / G;
    if (qb > T)
        qb = T;
    size_t per = (k->attn16_scratch_bytes(hd) + 63) & ~(size_t)63;
    size_t bytes = (k->attn16_pack_bytes(nk, hd) + 63) & ~(size_t)63;
    int nth = pool ? aif_pool_size(pool) : 1;
    unsigned char *scratch = aif_malloc_aligned((size_t)nth * per);
    unsigned char *packed = B * KV <= SIZE_MAX / 2 / bytes ? aif_malloc_aligned(2 * B * KV * bytes) : NULL;
    if (!scratch || !packed) {
        aif_free_aligned(scratch);
        aif_free_aligned(packed);
        return aif_err_set(err, AIF_ENOMEM, "out of memory for attention (%zu keys)", nk);
    }
    struct pack16_ctx pc = {k, kbase, vbase, ld, seq_stride, nk, KV, hd, bytes, packed, packed + B * KV * bytes};
    aif_model_par_rows(pool, B * KV, pack16_heads, &pc);
    struct kat_job j = {m, q, NULL, NULL, 0, 0, 0, B, T, pos0, qb, (T + qb - 1) / qb, packed, packed + B * KV * bytes,
                        bytes, 0, out, scratch, per, 0};
    atomic_init(&j.next, 0);
    if (pool)
        aif_pool_run(pool, kat_worker, &j);
    else
        kat_worker(&j, 0, 1);
    aif_free_aligned(packed);
    aif_free_aligned(scratch);
    return AIF_OK;
}

/* Attention on f32 operands (p16: probabilities rounded to bf16). */
static aif_code attention32(aif_model *m, aif_pool *pool, const float *q, const float *kbase, const float *vbase,
                            size_t ld, size_t seq_stride, size_t B, size_t T, size_t pos0, int p16, float *out,
                            aif_err *err)
{
    const aif_model_config *c = &m->cfg;
    if (m->k->attn) {
        size_t hd = (size_t)c->head_dim, KV = (size_t)c->n_kv_heads, G = (size_t)c->n_heads / KV;
        size_t qb = G >= QBK ? 1 : QBK / G;
        if (qb > T)
            qb = T;
        size_t per = (m->k->attn_scratch_bytes(hd) + 63) & ~(size_t)63;
        int nth = pool ? aif_pool_size(pool) : 1;
        unsigned char *scratch = aif_malloc_aligned((size_t)nth * per);
        if (!scratch)
            return aif_err_set(err, AIF_ENOMEM, "out of memory for attention scratch");
        struct kat_job j = {m, q, kbase, vbase, ld, seq_stride * ld, hd, B, T, pos0, qb, (T + qb - 1) / qb, NULL,
                            NULL, 0, p16, out, scratch, per, 0};
        /* regroup when each key meets many queries (not for decode steps,
         * which read every key once); without the memory, run unpacked */
        size_t nk = pos0 + T;
        float *packed = NULL;
        if (KV > 1 && T >= 16 && B * nk <= SIZE_MAX / (2 * KV * hd * sizeof(float)))
            packed = aif_malloc_aligned(2 * B * nk * KV * hd * sizeof(float));
        if (packed) {
            struct pack_ctx pc = {kbase, vbase, ld, seq_stride, nk, KV, hd, packed, packed + B * nk * KV * hd};
            aif_model_par_rows(pool, B * nk, pack_rows, &pc);
            j.kbase = pc.kp, j.vbase = pc.vp, j.ld = hd, j.sstride = KV * nk * hd, j.hstride = nk * hd;
        }
        atomic_init(&j.next, 0);
        if (pool)
            aif_pool_run(pool, kat_worker, &j);
        else
            kat_worker(&j, 0, 1);
        aif_free_aligned(packed);
        aif_free_aligned(scratch);
        return AIF_OK;
    }
    size_t hd = (size_t)c->head_dim, G = (size_t)(c->n_heads / c->n_kv_heads);
    size_t qb = G >= 16 ? 1 : 16 / G;
    if (qb > T)
        qb = T;
    size_t R = G * qb, per = R * hd + R * KT + 2 * R * hd + 2 * R;
    per = (per + 15) & ~(size_t)15;
    int nth = pool ? aif_pool_size(pool) : 1;
    float *scratch = aif_malloc_aligned((size_t)nth * per * sizeof(float));
    if (!scratch)
        return aif_err_set(err, AIF_ENOMEM, "out of memory for attention scratch");
    struct att_job j = {m, q, kbase, vbase, ld, seq_stride, B, T, pos0, qb, p16, out, scratch, per};
    if (pool)
        aif_pool_run(pool, att_worker, &j);
    else
        att_worker(&j, 0, 1);
    aif_free_aligned(scratch);
    return AIF_OK;
}

/* BF16 compute without attn16: q and keys/values 0..pos0+T of each
 * sequence rounded to bf16 (as f32 copies, keys/values (B, nk, KV*hd)). */
struct round_ctx {
    const float *src;
    size_t ld, seq_stride, nk, w; /* source rows ld apart, seq_stride rows per sequence; w floats per row */
    float *dst;                   /* (B * nk, w) */
};

static void round_rows(void *p, size_t r0, size_t r1)
{
    struct round_ctx *c = p;
    for (size_t r = r0; r < r1; r++) {
        const float *s = c->src + (r / c->nk * c->seq_stride + r % c->nk) * c->ld;
        for (size_t i = 0; i < c->w; i++)
            c->dst[r * c->w + i] = aif_bf16_to_f32(aif_f32_to_bf16(s[i]));
    }
}

aif_code aif_model_attention(aif_model *m, aif_pool *pool, const float *q, const float *kbase, const float *vbase,
                             size_t ld, size_t seq_stride, size_t B, size_t T, size_t pos0, float *out, aif_err *err)
{
    if (m->compute != AIF_MODEL_COMPUTE_BF16 || !m->bf16_attention)
        return attention32(m, pool, q, kbase, vbase, ld, seq_stride, B, T, pos0, 0, out, err);
    if (m->k->attn16)
        return attention16(m, pool, q, kbase, vbase, ld, seq_stride, B, T, pos0, out, err);
    const aif_model_config *c = &m->cfg;
    size_t Q = (size_t)c->n_heads * (size_t)c->head_dim, KVd = (size_t)c->n_kv_heads * (size_t)c->head_dim;
    size_t nk = pos0 + T, n = B * T * Q + 2 * B * nk * KVd;
    float *buf = n <= SIZE_MAX / sizeof(float) ? aif_malloc_aligned(n * sizeof(float)) : NULL;
    if (!buf)
        return aif_err_set(err, AIF_ENOMEM, "out of memory for bf16 attention operands (%zu keys)", nk);
    float *qr = buf, *kr = qr + B * T * Q, *vr = kr + B * nk * KVd;
    struct round_ctx rq = {q, Q, T, T, Q, qr}, rk = {kbase, ld, seq_stride, nk, KVd, kr},
                     rv = {vbase, ld, seq_stride, nk, KVd, vr};
    aif_model_par_rows(pool, B * T, round_rows, &rq);
    aif_model_par_rows(pool, B * nk, round_rows, &rk);
    aif_model_par_rows(pool, B * nk, round_rows, &rv);
    aif_code rc = attention32(m, pool, qr, kr, vr, KVd, nk, B, T, pos0, 1, out, err);
    aif_free_aligned(buf);
    return rc;
}
