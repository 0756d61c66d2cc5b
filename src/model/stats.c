/* stats.c: logits and next-token statistics.
 *
 * The LM head of aif_model_score is fused with log-softmax, argmax and
 * cross-entropy and streams over the vocabulary: the final hidden states
 * are prepared once (aif_model_act_prepare), then for each chunk of VC
 * vocabulary columns the (rows, VC) logits are computed and folded into
 * per-row running state (online logsumexp in double, argmax, the label's
 * logit), so the (T, V) logits never exist and every weight row is read
 * once per call (once per 8192 positions, BUF_BYTES / (4 VC), for longer
 * inputs). The fold adds each column's exp() in double, as before; only the
 * order of the sum (rescaled per chunk) differs from a single pass. Each
 * row is folded chunk after chunk in vocabulary order by one thread, and
 * VC is a constant, so results are bit-identical for any thread count. */
#include "model_int.h"

#include <math.h>
#include <string.h>

#define VC 2048                      /* vocabulary columns per chunk (fixed: results depend on it) */
#define BUF_BYTES ((size_t)64 << 20) /* logits buffer cap: rows per pass = BUF_BYTES / (4 VC) */

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

/* ------------------------------------------------------------ streaming fold */

/* Running statistics of one position over the columns [0, v) folded so far. */
struct row_state {
    double s;     /* sum of exp(l - m) over those columns (-inf logits left out while m == -inf) */
    float m;      /* max logit, scanned in column order with `>` (NaN at column 0 sticks) */
    float bv;     /* argmax value (bf16-rounded when asked) */
    float lab;    /* the label's logit */
    int32_t best; /* argmax column */
};

struct fold_ctx {
    const float *buf; /* (rows, n) logits of columns v0..v0+n of rows r0.. */
    size_t n, v0, r0, T, V;
    const int32_t *tokens;
    int bf16;
    struct row_state *st; /* per row of the pass */
    float *last_logits;   /* (n_seq, V) or NULL */
};

static inline float round_bf16(float x)
{
    return aif_bf16_to_f32(aif_f32_to_bf16(x));
}

/* Four floats (GCC/clang vector extension: SSE2 on x86-64, NEON on arm64). */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

/* The largest non-NaN value of l[0..n) (-inf when there is none) and
 * whether some value is NaN. The maximum does not depend on the order of
 * the comparisons (but for the sign of a zero, which no result uses). */
static float chunk_max(const float *l, size_t n, int *has_nan)
{
    const v4f ninf = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    v4f mx[4] = {ninf, ninf, ninf, ninf};
    v4i nan = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 4; j++) {
            v4f x;
            memcpy(&x, l + i + 4 * j, sizeof x);
            v4i gt = x > mx[j];
            mx[j] = (v4f)(((v4i)x & gt) | ((v4i)mx[j] & ~gt));
            nan |= x != x;
        }
    float m = -INFINITY;
    int any = 0;
    for (int k = 0; k < 4; k++) {
        for (int j = 0; j < 4; j++)
            m = mx[j][k] > m ? mx[j][k] : m;
        any |= nan[k] != 0;
    }
    for (; i < n; i++) {
        m = l[i] > m ? l[i] : m;
        any |= isnan(l[i]);
    }
    *has_nan = any;
    return m;
}

/* Fold columns v0..v0+n of one row (l) into st. */
static void fold_row(struct row_state *st, const float *l, size_t n, size_t v0, size_t label, int bf16)
{
    int has_nan;
    float cmax = chunk_max(l, n, &has_nan), m = st->m;
    if (v0 == 0) {
        st->s = 0;
        st->bv = bf16 ? round_bf16(l[0]) : l[0];
        st->best = 0;
        m = l[0];
    }
    /* argmax as a scan in column order would find it: the first column of
     * the largest value (bf16-rounded when asked: rounding is monotone, so
     * that is the first column whose rounded value equals the rounded
     * maximum), where NaN counts as the maximum (torch.argmax), so the first
     * NaN wins for good */
    if (!isnan(st->bv)) {
        if (has_nan) {
            size_t i = 0;
            while (i + 1 < n && !isnan(l[i]))
                i++;
            st->bv = l[i];
            st->best = (int32_t)(v0 + i);
        } else {
            float want = bf16 ? round_bf16(cmax) : cmax;
            if (want > st->bv) {
                size_t i = 0;
                while (i + 1 < n && (bf16 ? round_bf16(l[i]) : l[i]) != want)
                    i++;
                st->bv = want;
                st->best = (int32_t)(v0 + i);
            }
        }
    }
    /* the max, as a one-pass scan with `>` from column 0 had it: NaN never
     * replaces a value, a NaN at column 0 stays */
    float m_old = m;
    if (cmax > m) /* false when m is NaN */
        m = cmax;
    double s = st->s;
    if (v0 > 0 && m > m_old)
        s *= exp((double)m_old - (double)m); /* rescale; exp(-inf) = 0 when the old max was -inf */
    if (has_nan) {
        s = NAN; /* exp(NaN - m) */
    } else if (m == -INFINITY) {
        /* every column so far is -inf: exp(l - m) would be NaN, which is only
         * right if the max stays -inf (then the CE is NaN, set at the end) */
    } else {
        double md = (double)m;
        for (size_t i = 0; i < n; i++)
            s += exp((double)l[i] - md);
    }
    st->s = s;
    st->m = m;
    if (label >= v0 && label < v0 + n)
        st->lab = l[label - v0];
}

static void fold_rows(void *p, size_t a, size_t b)
{
    struct fold_ctx *c = p;
    for (size_t r = a; r < b; r++) {
        size_t gr = c->r0 + r;
        const float *l = c->buf + r * c->n;
        if (gr % c->T == c->T - 1) { /* last position: nothing to predict */
            if (c->last_logits)
                memcpy(c->last_logits + (gr / c->T) * c->V + c->v0, l, c->n * sizeof(float));
            continue;
        }
        fold_row(&c->st[r], l, c->n, c->v0, (size_t)c->tokens[gr + 1], c->bf16);
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
    float *xn = NULL, *buf = NULL;
    double *ce = NULL;
    int32_t *am = NULL;
    struct row_state *st = NULL;
    aif_code rc = hidden(m, pool, tokens, n_seq, seq_len, &xn, err);
    if (rc)
        return rc;
    size_t vc = V < VC ? V : VC, rows_max = BUF_BYTES / (VC * sizeof(float));
    size_t rp = R < rows_max ? R : rows_max; /* rows per pass */
    buf = aif_malloc_aligned(rp * vc * sizeof(float));
    st = aif_calloc(rp, sizeof *st);
    ce = aif_calloc(R, sizeof *ce);
    am = aif_calloc(R, sizeof *am);
    if (!buf || !st || !ce || !am) {
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory for logits (%zu x %zu)", rp, vc);
        goto done;
    }
    for (size_t r0 = 0; r0 < R; r0 += rp) {
        size_t n = R - r0 < rp ? R - r0 : rp;
        struct act a;
        if ((rc = aif_model_act_prepare(m, pool, xn + r0 * D, n, D, &a, err)))
            goto done;
        for (size_t v0 = 0; v0 < V; v0 += vc) {
            size_t v1 = V - v0 < vc ? V : v0 + vc;
            if ((rc = aif_model_linear_act(m, pool, &m->lm_head, &a, v0, v1, buf, v1 - v0, err))) {
                aif_model_act_release(&a);
                goto done;
            }
            struct fold_ctx fc = {buf, v1 - v0, v0, r0, seq_len, V, tokens, bf16, st, opts->last_logits};
            aif_model_par_rows(pool, n, fold_rows, &fc);
            if (opts->progress) /* positions done, counting a pass's chunks pro rata */
                opts->progress(opts->progress_ctx, r0 + (uint64_t)n * v1 / V, R);
        }
        aif_model_act_release(&a);
        for (size_t r = 0; r < n; r++) {
            const struct row_state *s = &st[r];
            if ((r0 + r) % seq_len == seq_len - 1)
                continue; /* last position: nothing predicted */
            /* cross-entropy = logsumexp - logit[label]; NaN when every logit is -inf (as exp(-inf - -inf)) */
            ce[r0 + r] = s->m == -INFINITY ? NAN : (double)s->m + log(s->s) - (double)s->lab;
            am[r0 + r] = s->best;
        }
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
    aif_free_aligned(buf);
    aif_free(st);
    aif_free(ce);
    aif_free(am);
    return rc;
}
