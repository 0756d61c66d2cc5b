/* score.c: one task of spec 6.3 on one model: the reasonable-output check,
 * then 1 + float32 top-1 error (+1e-8) per batch, averaged. */
#include "eval_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/progress.h"

void aif_eval_score_opts_default(aif_eval_score_opts *o)
{
    memset(o, 0, sizeof *o);
    o->argmax = AIF_MODEL_ARGMAX_BF16;
    o->pad_id = -1;
}

void aif_eval_task_result_release(aif_eval_task_result *r)
{
    if (!r)
        return;
    aif_free(r->batch_loss);
    r->batch_loss = NULL;
}

struct prog {
    const aif_eval_score_opts *o;
    uint64_t base, total;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)total;
    struct prog *p = ctx;
    p->o->progress(p->o->progress_ctx, p->base + done, p->total);
}

aif_code aif_eval_score_task(aif_model *m, aif_pool *pool, const int32_t *ids, size_t n_batches, size_t seq_len,
                             const aif_eval_score_opts *opts, aif_eval_task_result *r, aif_err *err)
{
    aif_eval_score_opts def;
    if (!opts) {
        aif_eval_score_opts_default(&def);
        opts = &def;
    }
    double t0 = aif_time_now();
    char name[sizeof r->name];
    memcpy(name, r->name, sizeof name); /* the caller may have named the task */
    memset(r, 0, sizeof *r);
    memcpy(r->name, name, sizeof name);
    r->raw = INFINITY;
    const aif_model_config *cfg = aif_model_get_config(m);
    int64_t V = cfg->vocab_size;
    if (seq_len < 2) {
        snprintf(r->note, sizeof r->note, "sequence length %zu: nothing to predict", seq_len);
        return AIF_OK;
    }
    /* 6.2 step 1: fewer than 2 batches is an error in the reference: inf. */
    if (n_batches < 2 && !opts->skip_reasonable) {
        snprintf(r->note, sizeof r->note, "%zu batch%s: the reasonable-output check needs 2", n_batches,
                 n_batches == 1 ? "" : "es");
        r->n_batches = n_batches;
        r->seconds = aif_time_now() - t0;
        return AIF_OK;
    }
    /* Every id must be inside the model's vocabulary (the embedding lookup
     * and the discarded cross-entropy of the reference fail otherwise). */
    for (size_t b = 0; b < n_batches; b++)
        for (size_t p = 0; p < seq_len; p++) {
            int32_t id = ids[b * seq_len + p];
            if (id < 0 || id >= V) {
                snprintf(r->note, sizeof r->note,
                         "batch %zu position %zu: token id %d outside the model's vocabulary (vocab_size %" PRId64
                         "): a label outside [0, V) fails the task", b, p, (int)id, V);
                r->seconds = aif_time_now() - t0;
                return AIF_OK;
            }
        }
    aif_err e = {0};
    aif_code rc;
    if (!opts->skip_reasonable) {
        size_t np = seq_len < AIF_EVAL_PROMPT_TOKENS ? seq_len : AIF_EVAL_PROMPT_TOKENS;
        rc = aif_eval_reasonable_run(m, pool, ids, np, ids + seq_len, np, opts->eos_ids, opts->n_eos, opts->argmax,
                                     &r->reasonable, &e);
        if (rc == AIF_ENOMEM)
            return aif_err_set(err, rc, "%s", e.msg);
        if (rc) {
            snprintf(r->note, sizeof r->note, "%s", e.msg);
            r->seconds = aif_time_now() - t0;
            return AIF_OK;
        }
        r->reasonable_run = 1;
        if (!r->reasonable.pass) {
            snprintf(r->note, sizeof r->note, "%s", r->reasonable.reason);
            r->seconds = aif_time_now() - t0;
            return AIF_OK;
        }
    }

    size_t P = seq_len - 1;
    int32_t *pred = aif_malloc_err(P * sizeof *pred, "argmax ids", err);
    r->batch_loss = aif_calloc_err(n_batches ? n_batches : 1, sizeof *r->batch_loss, "batch losses", err);
    if (!pred || !r->batch_loss) {
        aif_free(pred);
        aif_eval_task_result_release(r);
        return AIF_ENOMEM;
    }
    struct prog pr = {.o = opts, .total = (uint64_t)n_batches * seq_len};
    aif_model_score_opts so = {.argmax = opts->argmax, .argmax_ids = pred};
    if (opts->progress) {
        so.progress = on_progress;
        so.progress_ctx = &pr;
    }
    double ce_sum = 0;
    int failed = 0;
    for (size_t b = 0; b < n_batches && !failed; b++) {
        if (opts->deadline > 0 && aif_time_now() > opts->deadline) {
            snprintf(r->note, sizeof r->note, "time limit reached before batch %zu of %zu", b, n_batches);
            failed = 1;
            break;
        }
        const int32_t *x = ids + b * seq_len;
        aif_model_seq_stats st;
        pr.base = (uint64_t)b * seq_len;
        rc = aif_model_score(m, pool, x, 1, seq_len, &so, &st, &e);
        if (rc == AIF_ENOMEM) {
            aif_free(pred);
            aif_eval_task_result_release(r);
            return aif_err_set(err, rc, "%s", e.msg);
        }
        if (rc) {
            snprintf(r->note, sizeof r->note, "batch %zu: %.480s", b, e.msg);
            failed = 1;
            break;
        }
        /* labels = x[1..L); mask = labels != pad */
        const int32_t *labels = x + 1;
        size_t n_masked = 0, n_wrong = 0;
        for (size_t p = 0; p < P; p++)
            if (labels[p] != opts->pad_id) {
                n_masked++;
                n_wrong += pred[p] != labels[p];
            }
        double loss = aif_subnet_batch_loss_tokens(pred, labels, P, opts->pad_id, (int32_t)V);
        r->batch_loss[b] = loss;
        r->n_batches = b + 1;
        r->n_positions += P;
        r->n_tokens += n_masked;
        r->n_wrong += n_wrong;
        ce_sum += st.mean_ce * (double)P;
        if (!n_masked) {
            snprintf(r->note, sizeof r->note, "batch %zu: every label is the pad id %d (spec 13.2: inf)", b,
                     (int)opts->pad_id);
            failed = 1;
        } else if (!isfinite(loss)) {
            snprintf(r->note, sizeof r->note, "batch %zu: score not finite", b);
            failed = 1;
        }
        if (opts->deadline > 0 && aif_time_now() > opts->deadline && !failed) {
            snprintf(r->note, sizeof r->note, "time limit reached after batch %zu of %zu", b + 1, n_batches);
            failed = 1;
        }
    }
    aif_free(pred);
    if (r->n_positions) {
        r->mean_ce = ce_sum / (double)r->n_positions;
        r->perplexity = exp(r->mean_ce);
    }
    if (r->n_tokens)
        r->error_rate = (double)r->n_wrong / (double)r->n_tokens;
    if (!failed) {
        r->raw = aif_subnet_task_loss(r->batch_loss, r->n_batches);
        if (!n_batches)
            snprintf(r->note, sizeof r->note, "no batches");
    } else {
        r->raw = INFINITY;
    }
    r->seconds = aif_time_now() - t0;
    return AIF_OK;
}
