/* attention.c: causal grouped-query attention with an online softmax over
 * tiles of keys (no T x T matrix). One (sequence, head, query) row is
 * computed by one thread, keys in a fixed order, so results do not depend
 * on the thread count. */
#include "model_int.h"

#include <math.h>

#define KT 64 /* keys per tile */

struct att_job {
    aif_model *m;
    const float *q, *kbase, *vbase;
    size_t ld, seq_stride, B, T, pos0;
    float *out;
};

static void att_worker(void *arg, int ith, int nth)
{
    struct att_job *j = arg;
    const aif_model_config *c = &j->m->cfg;
    const struct aif_kernels *k = j->m->k;
    size_t hd = (size_t)c->head_dim, H = (size_t)c->n_heads, group = H / (size_t)c->n_kv_heads, Q = H * hd;
    float scale = (float)(1.0 / sqrt((double)hd));
    float acc[AIF_MODEL_MAX_HEAD_DIM], s[KT];
    size_t i0, i1;
    /* items ordered (b, h, t) with t fastest */
    aif_pool_split(j->B * H * j->T, ith, nth, &i0, &i1);
    for (size_t it = i0; it < i1; it++) {
        size_t t = it % j->T, h = (it / j->T) % H, b = it / (j->T * H);
        size_t g = h / group, n_keys = j->pos0 + t + 1;
        const float *qr = j->q + (b * j->T + t) * Q + h * hd;
        const float *kr = j->kbase + b * j->seq_stride * j->ld + g * hd;
        const float *vr = j->vbase + b * j->seq_stride * j->ld + g * hd;
        float mx = -INFINITY, l = 0.0f;
        for (size_t d = 0; d < hd; d++)
            acc[d] = 0.0f;
        for (size_t k0 = 0; k0 < n_keys; k0 += KT) {
            size_t kn = n_keys - k0 < KT ? n_keys - k0 : KT;
            float tmax = -INFINITY;
            for (size_t jj = 0; jj < kn; jj++) {
                s[jj] = k->dot(qr, kr + (k0 + jj) * j->ld, hd) * scale;
                if (s[jj] > tmax)
                    tmax = s[jj];
            }
            if (tmax > mx) {
                float corr = expf(mx - tmax); /* 0 on the first tile */
                for (size_t d = 0; d < hd; d++)
                    acc[d] *= corr;
                l *= corr;
                mx = tmax;
            }
            for (size_t jj = 0; jj < kn; jj++) {
                float p = expf(s[jj] - mx);
                l += p;
                k->scale_axpy(hd, 1.0f, p, vr + (k0 + jj) * j->ld, acc);
            }
        }
        float *o = j->out + (b * j->T + t) * Q + h * hd;
        for (size_t d = 0; d < hd; d++)
            o[d] = acc[d] / l;
    }
}

void aif_model_attention(aif_model *m, aif_pool *pool, const float *q, const float *kbase, const float *vbase,
                         size_t ld, size_t seq_stride, size_t B, size_t T, size_t pos0, float *out)
{
    struct att_job j = {m, q, kbase, vbase, ld, seq_stride, B, T, pos0, out};
    if (pool)
        aif_pool_run(pool, att_worker, &j);
    else
        att_worker(&j, 0, 1);
}
