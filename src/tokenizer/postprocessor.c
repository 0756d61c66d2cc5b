/* postprocessor.c: TemplateProcessing (the "single" template), Roberta /
 * Bert processing ([cls] A [sep]), ByteLevel (adds nothing) and Sequence.
 * Only applied when special tokens are requested. */
#include <string.h>

#include "aif/alloc.h"
#include "tok_int.h"

static aif_code oom(aif_err *err)
{
    return aif_err_set(err, AIF_ENOMEM, "out of memory in the post-processor");
}

/* Wrap ids[start..n) as before ++ seq ++ after. */
static int wrap(aif_token_ids *ids, size_t start, const int32_t *before, size_t nb, const int32_t *after, size_t na)
{
    size_t len = ids->n - start;
    if (aif_tk_ids_reserve(ids, ids->n + nb + na))
        return -1;
    memmove(ids->v + start + nb, ids->v + start, len * sizeof *ids->v);
    memcpy(ids->v + start, before, nb * sizeof *ids->v);
    memcpy(ids->v + start + nb + len, after, na * sizeof *ids->v);
    ids->n += nb + na;
    return 0;
}

aif_code aif_tk_post_apply(const aif_tk_post *pp, aif_token_ids *ids, size_t start, aif_err *err)
{
    switch (pp->type) {
    case POST_NONE:
    case POST_BYTELEVEL:
        return AIF_OK;
    case POST_SEQUENCE:
        for (size_t i = 0; i < pp->n_sub; i++) {
            aif_code rc = aif_tk_post_apply(&pp->sub[i], ids, start, err);
            if (rc)
                return rc;
        }
        return AIF_OK;
    case POST_ROBERTA:
    case POST_BERT:
        return wrap(ids, start, &pp->cls_id, 1, &pp->sep_id, 1) ? oom(err) : AIF_OK;
    case POST_TEMPLATE: {
        size_t len = ids->n - start, total = 0;
        for (size_t i = 0; i < pp->n_items; i++)
            total += pp->items[i] < 0 ? len : pp->sp_n[i];
        int32_t *seq = aif_malloc((len ? len : 1) * sizeof *seq);
        if (!seq || aif_tk_ids_reserve(ids, start + total)) {
            aif_free(seq);
            return oom(err);
        }
        memcpy(seq, ids->v + start, len * sizeof *seq);
        size_t k = start;
        for (size_t i = 0; i < pp->n_items; i++) {
            if (pp->items[i] < 0) {
                memcpy(ids->v + k, seq, len * sizeof *seq);
                k += len;
            } else {
                memcpy(ids->v + k, pp->sp_ids[i], pp->sp_n[i] * sizeof *seq);
                k += pp->sp_n[i];
            }
        }
        ids->n = k;
        aif_free(seq);
        return AIF_OK;
    }
    }
    return aif_err_set(err, AIF_EINTERNAL, "bad post-processor type");
}

static void post_clear(aif_tk_post *pp)
{
    for (size_t i = 0; i < pp->n_sub; i++)
        post_clear(&pp->sub[i]);
    aif_free(pp->sub);
    if (pp->sp_ids)
        for (size_t i = 0; i < pp->n_items; i++)
            aif_free(pp->sp_ids[i]);
    aif_free(pp->sp_ids);
    aif_free(pp->sp_n);
    aif_free(pp->items);
    if (pp->psp_ids)
        for (size_t i = 0; i < pp->n_pitems; i++)
            aif_free(pp->psp_ids[i]);
    aif_free(pp->psp_ids);
    aif_free(pp->psp_n);
    aif_free(pp->pitems);
}

void aif_tk_post_free(aif_tk_post *pp)
{
    if (!pp)
        return;
    post_clear(pp);
    aif_free(pp);
}

/* The one processor of pp that adds tokens (NULL: none); -1 when a Sequence
 * holds more than one. */
static const aif_tk_post *adding_one(const aif_tk_post *pp, int *many)
{
    if (pp->type == POST_SEQUENCE) {
        const aif_tk_post *found = NULL;
        for (size_t i = 0; i < pp->n_sub; i++) {
            const aif_tk_post *f = adding_one(&pp->sub[i], many);
            if (f && found)
                *many = 1;
            if (f)
                found = f;
        }
        return found;
    }
    return pp->type == POST_NONE || pp->type == POST_BYTELEVEL ? NULL : pp;
}

static int push_ids(aif_token_ids *out, const int32_t *v, size_t n)
{
    if (aif_tk_ids_reserve(out, out->n + n))
        return -1;
    if (n)
        memcpy(out->v + out->n, v, n * sizeof *v);
    out->n += n;
    return 0;
}

aif_code aif_tk_post_apply_pair(const aif_tk_post *pp, const int32_t *a, size_t na, const int32_t *b, size_t nb,
                                aif_token_ids *out, aif_err *err)
{
    int many = 0;
    const aif_tk_post *p = pp ? adding_one(pp, &many) : NULL;
    if (many)
        return aif_err_set(err, AIF_ENOTSUP, "pair encoding: a post_processor Sequence with several token-adding processors");
    int fail = 0;
    if (!p) {
        fail = push_ids(out, a, na) || push_ids(out, b, nb);
    } else if (p->type == POST_ROBERTA || p->type == POST_BERT) {
        /* Roberta: <s> A </s> </s> B </s>; Bert: [CLS] A [SEP] B [SEP] */
        fail = push_ids(out, &p->cls_id, 1) || push_ids(out, a, na) || push_ids(out, &p->sep_id, 1) ||
               (p->type == POST_ROBERTA && push_ids(out, &p->sep_id, 1)) || push_ids(out, b, nb) ||
               push_ids(out, &p->sep_id, 1);
    } else {
        if (!p->has_pair)
            return aif_err_set(err, AIF_ENOTSUP, "pair encoding: TemplateProcessing without a \"pair\" template");
        for (size_t i = 0; i < p->n_pitems && !fail; i++) {
            int32_t it = p->pitems[i];
            fail = it == -1 ? push_ids(out, a, na) : it == -2 ? push_ids(out, b, nb)
                                                              : push_ids(out, p->psp_ids[i], p->psp_n[i]);
        }
    }
    return fail ? oom(err) : AIF_OK;
}
