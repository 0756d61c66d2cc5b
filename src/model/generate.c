/* generate.c: greedy decoding with a key/value cache. */
#include "model_int.h"

#include <math.h>
#include <string.h>

static int32_t pick(const float *l, size_t V, int bf16, const aif_model_gen_opts *o, int suppress)
{
    size_t best = V;
    float bv = 0;
    for (size_t v = 0; v < V; v++) {
        if (suppress) {
            int skip = 0;
            for (size_t s = 0; s < o->n_suppress && !skip; s++)
                skip = o->suppress_ids[s] == (int64_t)v;
            if (skip)
                continue; /* min_new_tokens: logit set to -inf */
        }
        float x = bf16 ? aif_bf16_to_f32(aif_f32_to_bf16(l[v])) : l[v];
        if (best == V || x > bv || (isnan(x) && !isnan(bv))) {
            best = v;
            bv = x;
        }
    }
    return (int32_t)(best == V ? 0 : best);
}

aif_code aif_model_generate(aif_model *m, aif_pool *pool, const int32_t *prompt, size_t n_prompt,
                            const aif_model_gen_opts *opts, int32_t *out, size_t *n_out, aif_err *err)
{
    const aif_model_config *c = &m->cfg;
    size_t D = (size_t)c->hidden_size, V = (size_t)c->vocab_size, L = (size_t)c->n_layers,
           KVd = (size_t)(c->n_kv_heads * c->head_dim);
    *n_out = 0;
    if (n_prompt == 0)
        return aif_err_set(err, AIF_EINVAL, "generation needs a prompt of at least one token");
    aif_code rc = aif_model_check_ids(m, prompt, n_prompt, err);
    if (rc)
        return aif_err_wrap(err, "prompt");
    if (opts->max_new == 0)
        return AIF_OK;
    if (n_prompt > (size_t)AIF_MODEL_MAX_TOKENS || opts->max_new > (size_t)AIF_MODEL_MAX_POSITIONS)
        return aif_err_set(err, AIF_ERANGE, "prompt of %zu plus %zu new tokens is too long", n_prompt, opts->max_new);
    int bf16 = opts->argmax == AIF_MODEL_ARGMAX_BF16 ||
               (opts->argmax == AIF_MODEL_ARGMAX_AUTO && m->dtype == AIF_DTYPE_BF16);
    struct kv_cache kv;
    kv.cap = n_prompt + opts->max_new;
    size_t cache_n = L * kv.cap * KVd;
    kv.k = aif_malloc_aligned(2 * cache_n * sizeof(float));
    kv.v = kv.k ? kv.k + cache_n : NULL;
    float *x = aif_malloc_aligned((n_prompt * D + D) * sizeof(float));
    float *logits = aif_malloc_aligned(V * sizeof(float));
    if (!kv.k || !x || !logits) {
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory for the KV cache (%zu positions)", kv.cap);
        goto done;
    }
    float *xn = x + n_prompt * D;
    aif_model_embed(m, prompt, n_prompt, x);
    if ((rc = aif_model_run_layers(m, pool, x, 1, n_prompt, 0, &kv, err)))
        goto done;
    for (size_t i = 0;; i++) {
        size_t last = i == 0 ? n_prompt - 1 : 0;
        aif_model_rmsnorm(m, pool, x + last * D, m->final_norm, 1, xn);
        if ((rc = aif_model_linear(m, pool, &m->lm_head, xn, 1, logits, V, err)))
            goto done;
        int32_t tok = pick(logits, V, bf16, opts, i < opts->suppress_steps);
        out[i] = tok;
        *n_out = i + 1;
        if (opts->stop_at_eos && i >= opts->suppress_steps) {
            int eos = 0;
            for (int e = 0; e < c->n_eos; e++)
                eos |= c->eos_token_ids[e] == tok;
            if (eos)
                break;
        }
        if (i + 1 == opts->max_new)
            break;
        aif_model_embed(m, &tok, 1, x);
        if ((rc = aif_model_run_layers(m, pool, x, 1, 1, n_prompt + i, &kv, err)))
            goto done;
    }
done:
    aif_free_aligned(kv.k);
    aif_free_aligned(x);
    aif_free_aligned(logits);
    return rc;
}
