/* stats.c: logits and next-token statistics. The LM head runs over blocks
 * of positions so that a long sequence never holds (T, V) logits. */
#include "model_int.h"

#include <math.h>
#include <string.h>

#define RB 256 /* positions per LM-head block */

/* Forward to final-normed hidden states: returns xn (R, D), owned by caller. */
static aif_code hidden(aif_model *m, aif_pool *pool, const int32_t *tokens, size_t B, size_t T, float **out,
                       aif_err *err)
{
    size_t D = (size_t)m->cfg.hidden_size, R;
    *out = NULL;
    if (__builtin_mul_overflow(B, T, &R) || R > AIF_MODEL_MAX_TOKENS || T > AIF_MODEL_MAX_POSITIONS)
        return aif_err_set(err, AIF_ERANGE, "%zu sequences of %zu tokens is too many for one call", B, T);
    aif_code rc = aif_model_check_ids(m, tokens, R, err);
    if (rc)
        return rc;
    float *x = aif_malloc_aligned(2 * R * D * sizeof(float));
    if (!x)
        return aif_err_set(err, AIF_ENOMEM, "out of memory for hidden states (%zu tokens)", R);
    aif_model_embed(m, tokens, R, x);
    if ((rc = aif_model_run_layers(m, pool, x, B, T, 0, NULL, err))) {
        aif_free_aligned(x);
        return rc;
    }
    aif_model_rmsnorm(m, pool, x, m->final_norm, R, x + R * D);
    memmove(x, x + R * D, R * D * sizeof(float));
    *out = x;
    return AIF_OK;
}

aif_code aif_model_logits(aif_model *m, aif_pool *pool, const int32_t *tokens, size_t n_seq, size_t seq_len,
                          float *logits, aif_err *err)
{
    float *xn;
    if (!n_seq || !seq_len)
        return AIF_OK;
    aif_code rc = hidden(m, pool, tokens, n_seq, seq_len, &xn, err);
    if (rc)
        return rc;
    rc = aif_model_linear(m, pool, &m->lm_head, xn, n_seq * seq_len, logits, (size_t)m->cfg.vocab_size, err);
    aif_free_aligned(xn);
    return rc;
}

struct stat_ctx {
    const float *logits; /* (rows, V) */
    size_t V, r0;        /* first global row of the block */
    size_t T;
    const int32_t *tokens;
    int bf16;
    double *ce;          /* per global row */
    int32_t *am;         /* per global row */
};

static void stat_rows(void *p, size_t a, size_t b)
{
    struct stat_ctx *c = p;
    for (size_t r = a; r < b; r++) {
        size_t gr = c->r0 + r;
        if (gr % c->T == c->T - 1)
            continue; /* last position: nothing to predict */
        const float *l = c->logits + r * c->V;
        int32_t label = c->tokens[gr + 1];
        /* argmax, first index on ties, optionally on bf16-rounded values */
        size_t best = 0;
        float bv = c->bf16 ? aif_bf16_to_f32(aif_f32_to_bf16(l[0])) : l[0];
        float mx = l[0];
        for (size_t v = 1; v < c->V; v++) {
            float x = c->bf16 ? aif_bf16_to_f32(aif_f32_to_bf16(l[v])) : l[v];
            if (x > bv || (isnan(x) && !isnan(bv))) { /* torch.argmax treats NaN as the maximum */
                bv = x;
                best = v;
            }
            if (l[v] > mx)
                mx = l[v];
        }
        /* cross-entropy = logsumexp - logit[label], accumulated in double */
        double s = 0;
        for (size_t v = 0; v < c->V; v++)
            s += exp((double)l[v] - (double)mx);
        c->ce[gr] = (double)mx + log(s) - (double)l[label];
        c->am[gr] = (int32_t)best;
    }
}

aif_code aif_model_score(aif_model *m, aif_pool *pool, const int32_t *tokens, size_t n_seq, size_t seq_len,
                         const aif_model_score_opts *opts, aif_model_seq_stats *stats, aif_err *err)
{
    aif_model_score_opts none;
    memset(&none, 0, sizeof none);
    if (!opts)
        opts = &none;
    if (seq_len < 2)
        return aif_err_set(err, AIF_EINVAL, "scoring needs sequences of at least 2 tokens (got %zu)", seq_len);
    if (!n_seq)
        return AIF_OK;
    size_t V = (size_t)m->cfg.vocab_size, R = n_seq * seq_len, D = (size_t)m->cfg.hidden_size;
    int bf16 = opts->argmax == AIF_MODEL_ARGMAX_BF16 ||
               (opts->argmax == AIF_MODEL_ARGMAX_AUTO && m->dtype == AIF_DTYPE_BF16);
    float *xn = NULL, *logits = NULL;
    double *ce = NULL;
    int32_t *am = NULL;
    aif_code rc = hidden(m, pool, tokens, n_seq, seq_len, &xn, err);
    if (rc)
        return rc;
    size_t rb = R < RB ? R : RB;
    logits = aif_malloc_aligned(rb * V * sizeof(float));
    ce = aif_calloc(R, sizeof *ce);
    am = aif_calloc(R, sizeof *am);
    if (!logits || !ce || !am) {
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory for logits (%zu x %zu)", rb, V);
        goto done;
    }
    for (size_t r0 = 0; r0 < R; r0 += rb) {
        size_t n = R - r0 < rb ? R - r0 : rb;
        if ((rc = aif_model_linear(m, pool, &m->lm_head, xn + r0 * D, n, logits, V, err)))
            goto done;
        struct stat_ctx sc = {logits, V, r0, seq_len, tokens, bf16, ce, am};
        aif_model_par_rows(pool, n, stat_rows, &sc);
        if (opts->last_logits)
            for (size_t r = r0; r < r0 + n; r++)
                if (r % seq_len == seq_len - 1)
                    memcpy(opts->last_logits + (r / seq_len) * V, logits + (r - r0) * V, V * sizeof(float));
        if (opts->progress)
            opts->progress(opts->progress_ctx, r0 + n, R);
    }
    for (size_t b = 0; b < n_seq; b++) {
        double sum = 0;
        size_t wrong = 0, np = seq_len - 1;
        for (size_t t = 0; t < np; t++) {
            size_t r = b * seq_len + t;
            sum += ce[r];
            wrong += am[r] != tokens[r + 1];
            if (opts->per_position_ce)
                opts->per_position_ce[b * np + t] = (float)ce[r];
            if (opts->argmax_ids)
                opts->argmax_ids[b * np + t] = am[r];
        }
        stats[b].mean_ce = sum / (double)np;
        stats[b].n_positions = np;
        stats[b].n_wrong = wrong;
        stats[b].error_rate = (double)wrong / (double)np;
    }
done:
    aif_free_aligned(xn);
    aif_free_aligned(logits);
    aif_free(ce);
    aif_free(am);
    return rc;
}
