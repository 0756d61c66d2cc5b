/* reasonable.c: the reasonable-output check of spec 6.2. */
#include "eval_int.h"

#include <stdio.h>
#include <string.h>

/* Count of the most frequent id in v[0..n) and that id (smallest on ties). */
static int most_frequent(const int32_t *v, size_t n, int32_t *id)
{
    int best = 0;
    *id = -1;
    for (size_t i = 0; i < n; i++) {
        int c = 0;
        for (size_t j = 0; j < n; j++)
            c += v[j] == v[i];
        if (c > best || (c == best && v[i] < *id))
            best = c, *id = v[i];
    }
    return best;
}

void aif_eval_reasonable_verdict(const int32_t *a, const int32_t *b, size_t n, aif_eval_reasonable *out)
{
    AIF_ASSERT(n <= AIF_EVAL_GEN_TOKENS);
    memset(out, 0, sizeof *out);
    memcpy(out->gen[0], a, n * sizeof *a);
    memcpy(out->gen[1], b, n * sizeof *b);
    out->n_gen = n;
    for (size_t k = 0; k < n; k++)
        out->overlap += a[k] == b[k];
    out->max_count[0] = most_frequent(a, n, &out->max_id[0]);
    out->max_count[1] = most_frequent(b, n, &out->max_id[1]);
    out->pass = 1;
    if (out->overlap >= AIF_EVAL_OVERLAP_FAIL) {
        out->pass = 0;
        snprintf(out->reason, sizeof out->reason,
                 "unreasonable output: the two continuations agree at %d of %zu positions (>= %d)", out->overlap, n,
                 AIF_EVAL_OVERLAP_FAIL);
    } else if (out->max_count[0] > AIF_EVAL_REPEAT_FAIL && out->max_count[1] > AIF_EVAL_REPEAT_FAIL) {
        out->pass = 0;
        snprintf(out->reason, sizeof out->reason,
                 "unreasonable output: both continuations repeat one token (id %d x%d, id %d x%d; > %d each)",
                 (int)out->max_id[0], out->max_count[0], (int)out->max_id[1], out->max_count[1],
                 AIF_EVAL_REPEAT_FAIL);
    }
}

aif_code aif_eval_reasonable_run(aif_model *m, aif_pool *pool, const int32_t *prompt_a, size_t n_a,
                                 const int32_t *prompt_b, size_t n_b, const int64_t *eos_ids, size_t n_eos,
                                 aif_model_argmax argmax, aif_eval_reasonable *out, aif_err *err)
{
    const aif_model_config *cfg = aif_model_get_config(m);
    int64_t sup[2 * AIF_MODEL_MAX_EOS];
    size_t n_sup = 0;
    for (int i = 0; i < cfg->n_eos; i++)
        sup[n_sup++] = cfg->eos_token_ids[i];
    for (size_t i = 0; i < n_eos && n_sup < sizeof sup / sizeof sup[0]; i++) {
        int dup = 0;
        for (size_t k = 0; k < n_sup; k++)
            dup |= sup[k] == eos_ids[i];
        if (!dup)
            sup[n_sup++] = eos_ids[i];
    }
    /* min_new_tokens = max_new_tokens = 20: EOS never chosen in 20 steps. */
    aif_model_gen_opts g = {.max_new = AIF_EVAL_GEN_TOKENS, .suppress_ids = sup, .n_suppress = n_sup,
                            .suppress_steps = AIF_EVAL_GEN_TOKENS, .stop_at_eos = 0, .argmax = argmax};
    int32_t gen[2][AIF_EVAL_GEN_TOKENS];
    size_t n_out[2] = {0, 0};
    aif_code rc = aif_model_generate(m, pool, prompt_a, n_a, &g, gen[0], &n_out[0], err);
    if (rc == AIF_OK)
        rc = aif_model_generate(m, pool, prompt_b, n_b, &g, gen[1], &n_out[1], err);
    if (rc)
        return aif_err_wrap(err, "reasonable-output check");
    if (n_out[0] != AIF_EVAL_GEN_TOKENS || n_out[1] != AIF_EVAL_GEN_TOKENS)
        return aif_err_set(err, AIF_EINTERNAL, "reasonable-output check: generated %zu and %zu tokens, not %d",
                           n_out[0], n_out[1], AIF_EVAL_GEN_TOKENS);
    aif_eval_reasonable_verdict(gen[0], gen[1], AIF_EVAL_GEN_TOKENS, out);
    return AIF_OK;
}
