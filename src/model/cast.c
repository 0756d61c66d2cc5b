/* cast.c: aif_model_cast, owned copies of the weights in another dtype. */
#include "model_int.h"

#include <string.h>

/* Convert n elements at src (dtype from) into a new buffer of dtype to. */
static void *convert(const void *src, aif_dtype from, aif_dtype to, size_t n, const struct aif_kernels *k)
{
    unsigned char *dst = aif_malloc_aligned(n * aif_dtype_size(to) + 1);
    float buf[256];
    if (!dst)
        return NULL;
    for (size_t i = 0; i < n; i += 256) {
        size_t c = n - i < 256 ? n - i : 256;
        k->to_f32((const unsigned char *)src + i * aif_dtype_size(from), from, buf, c);
        for (size_t j = 0; j < c; j++) {
            if (to == AIF_DTYPE_F32) {
                memcpy(dst + 4 * (i + j), &buf[j], 4);
            } else {
                uint16_t h = to == AIF_DTYPE_BF16 ? aif_f32_to_bf16(buf[j]) : aif_f32_to_f16(buf[j]);
                memcpy(dst + 2 * (i + j), &h, 2);
            }
        }
    }
    return dst;
}


static aif_code keep(aif_model *m, void *p, aif_err *err)
{
    void **o = aif_realloc(m->owned, (m->n_owned + 1) * sizeof *o);
    if (!o) {
        aif_free_aligned(p);
        return aif_err_set(err, AIF_ENOMEM, "out of memory converting weights");
    }
    m->owned = o;
    m->owned[m->n_owned++] = p;
    return AIF_OK;
}

static aif_code cast_vec(aif_model *m, struct vec *v, size_t n, aif_dtype to, aif_err *err)
{
    if (!v->p || v->dt == to)
        return AIF_OK;
    void *p = convert(v->p, v->dt, to, n, m->k);
    if (!p)
        return aif_err_set(err, AIF_ENOMEM, "out of memory converting weights (%zu values)", n);
    aif_code rc = keep(m, p, err);
    if (!rc) {
        v->p = p;
        v->dt = to;
    }
    return rc;
}

static aif_code cast_linear(aif_model *m, struct linear *l, aif_dtype to, aif_err *err)
{
    aif_code rc = cast_vec(m, &l->b, l->n_out, to, err);
    if (rc || !l->w || l->dt == to)
        return rc;
    void *p = convert(l->w, l->dt, to, l->n_out * l->n_in, m->k);
    if (!p)
        return aif_err_set(err, AIF_ENOMEM, "out of memory converting weights (%zu x %zu)", l->n_out, l->n_in);
    if ((rc = keep(m, p, err)))
        return rc;
    l->w = p;
    l->dt = to;
    return AIF_OK;
}

aif_code aif_model_cast(aif_model *m, aif_dtype to, aif_err *err)
{
    if ((unsigned)to >= AIF_DTYPE_COUNT)
        return aif_err_set(err, AIF_EINVAL, "aif_model_cast: unknown dtype %d", (int)to);
    size_t D = (size_t)m->cfg.hidden_size;
    int tied = m->lm_head.w == m->embed.w;
    aif_code rc = cast_linear(m, &m->embed, to, err);
    if (!rc && tied)
        m->lm_head = m->embed;
    else if (!rc)
        rc = cast_linear(m, &m->lm_head, to, err);
    if (!rc)
        rc = cast_vec(m, &m->final_norm, D, to, err);
    for (size_t i = 0; i < (size_t)m->cfg.n_layers && !rc; i++) {
        struct layer *ly = &m->layers[i];
        if ((rc = cast_vec(m, &ly->attn_norm, D, to, err)) || (rc = cast_vec(m, &ly->ffn_norm, D, to, err)) ||
            (rc = cast_linear(m, &ly->q, to, err)) || (rc = cast_linear(m, &ly->k, to, err)) ||
            (rc = cast_linear(m, &ly->v, to, err)) || (rc = cast_linear(m, &ly->o, to, err)) ||
            (rc = cast_linear(m, &ly->gate, to, err)) || (rc = cast_linear(m, &ly->up, to, err)) ||
            (rc = cast_linear(m, &ly->down, to, err)))
            break;
    }
    /* On failure some tensors are converted and others not: the model stays
     * valid (each tensor carries its own dtype), only mixed. */
    if (!rc)
        m->dtype = to;
    else
        m->dtype = m->embed.dt;
    return rc;
}
