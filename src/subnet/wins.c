/* wins.c: pairwise rules and compute_wins (spec 7.1, 7.2), the retry
 * policy (8.5), the clone filter (8.8) and retention (8.9). The IEEE
 * behaviour of the Python code (inf and NaN comparisons) is kept on
 * purpose: see the comments at each comparison. */
#include <math.h>
#include <string.h>

#include "aif/alloc.h"
#include "subnet_int.h"

void aif_subnet_params_default(aif_subnet_params *p)
{
    p->min_diff = 0.001;
    p->max_diff = 0.05;
    p->alpha = 0.5;
    p->welcome_blocks = 7200;
    p->welcome_share = 1.0 / 6.0;
    p->zero_logit = -999.0;
    p->sample_min = 20;
    p->retain_min_weight = 0.001;
    p->training_share = 0.3;
    p->workshop_share = 0.7;
    p->conference_share = 0.0;
}

int aif_subnet_iswin(double li, double lj, int64_t bi, int64_t bj, const aif_subnet_epsilon *eps, int64_t c)
{
    /* The earlier submission gets its loss scaled by (1 - eps); equal blocks
     * give no advantage. inf * (1 - eps) stays inf and inf < inf is false. */
    double a = bi < bj ? (1.0 - aif_subnet_epsilon_at(eps, c, bi)) * li : li;
    double b = bj < bi ? (1.0 - aif_subnet_epsilon_at(eps, c, bj)) * lj : lj;
    return a < b;
}

int aif_subnet_is_close(double li, double lj, int64_t bi, int64_t bj, double min_diff)
{
    /* |inf - inf| is NaN and NaN < min_diff is false. */
    return fabs(li - lj) < min_diff && bi > bj;
}

void aif_subnet_compute_wins(size_t n, const double *scores, const int64_t *blocks, const aif_subnet_epsilon *eps,
                             int64_t c, double min_diff, double max_diff, int64_t *wins, double *win_rate)
{
    double min_score = INFINITY;
    for (size_t k = 0; k < n; k++)
        if (scores[k] < min_score)
            min_score = scores[k];
    for (size_t i = 0; i < n; i++) {
        int64_t w = 0;
        double rate = 0.0;
        /* Rule 1: too far from the best. NaN > max_diff (inf - inf) is false,
         * so with min_score = inf nobody is skipped here. */
        if (fabs(scores[i] - min_score) > max_diff)
            goto done;
        /* Rule 2: within min_diff of an earlier model. */
        for (size_t j = 0; j < n; j++)
            if (j != i && aif_subnet_is_close(scores[i], scores[j], blocks[i], blocks[j], min_diff))
                goto done;
        size_t matches = 0;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            matches++;
            w += aif_subnet_iswin(scores[i], scores[j], blocks[i], blocks[j], eps, c);
        }
        rate = matches ? (double)w / (double)matches : 1.0; /* a lone model: 1.0 */
    done:
        if (wins)
            wins[i] = w;
        if (win_rate)
            win_rate[i] = rate;
    }
}

size_t aif_subnet_top_index(size_t n, const double *win_rate)
{
    size_t best = SIZE_MAX;
    for (size_t k = 0; k < n; k++)
        if (best == SIZE_MAX || win_rate[k] > win_rate[best])
            best = k;
    return best;
}

/* ---- eval history and retry policy (8.5) ---- */

void aif_subnet_history_add(aif_subnet_history *h, const aif_subnet_eval_result *r)
{
    /* Insert after every result with block <= r->block (stable), then keep
     * the newest AIF_SUBNET_HISTORY_MAX. */
    aif_subnet_eval_result tmp[AIF_SUBNET_HISTORY_MAX + 1];
    size_t n = 0, i = 0;
    for (; i < h->n && h->r[i].block <= r->block; i++)
        tmp[n++] = h->r[i];
    tmp[n++] = *r;
    for (; i < h->n; i++)
        tmp[n++] = h->r[i];
    size_t drop = n > AIF_SUBNET_HISTORY_MAX ? n - AIF_SUBNET_HISTORY_MAX : 0;
    h->n = n - drop;
    memcpy(h->r, tmp + drop, h->n * sizeof *tmp);
}

int aif_subnet_should_retry(const aif_subnet_history *h, const aif_subnet_epsilon *eps, int64_t c)
{
    if (h->n == 0)
        return 1;
    for (size_t k = h->n; k-- > 0;) {
        const aif_subnet_eval_result *r = &h->r[k];
        if (r->score == INFINITY)
            continue;
        /* The most recent finite result decides. */
        if (r->score > r->winning_model_score)
            return 0;
        return r->score < r->winning_model_score * (1.0 - aif_subnet_epsilon_at(eps, c, r->winning_model_block));
    }
    return h->n < 2; /* every result is inf */
}

/* ---- clone filter (8.8) ---- */

aif_code aif_subnet_dedupe(size_t n, const char *const *secure_hashes, const int64_t *blocks, size_t *keep,
                           size_t *n_keep, aif_err *err)
{
    /* O(n^2) over at most a few dozen uids: group g of position k is the
     * first position with the same hash. */
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        if (!secure_hashes[k]) {
            keep[m++] = k; /* no metadata: kept on its own (13.5) */
            continue;
        }
        size_t g = 0;
        for (; g < m; g++)
            if (secure_hashes[keep[g]] && !strcmp(secure_hashes[keep[g]], secure_hashes[k]))
                break;
        if (g == m)
            keep[m++] = k;                 /* first sight of this hash */
        else if (blocks[k] < blocks[keep[g]])
            keep[g] = k;                   /* strictly lower block replaces; order of first sight kept */
    }
    *n_keep = m;
    (void)err;
    return AIF_OK;
}

/* ---- retention (8.9) ---- */

aif_code aif_subnet_retain(size_t n, const uint16_t *uids, const double *win_rate, const double *scores,
                           const float *ema, size_t n_ema, const aif_subnet_params *p, size_t *keep, size_t *n_keep,
                           aif_err *err)
{
    *n_keep = 0;
    if (n == 0)
        return AIF_OK;
    double *prio = aif_calloc_err(n, sizeof *prio, "retention", err);
    size_t *order = aif_calloc_err(n, sizeof *order, "retention", err);
    unsigned char *taken = aif_calloc_err(n, 1, "retention", err);
    if (!prio || !order || !taken) {
        aif_free(prio);
        aif_free(order);
        aif_free(taken);
        return AIF_ENOMEM;
    }
    for (size_t k = 0; k < n; k++) {
        double w = (ema && uids[k] < n_ema) ? (double)ema[uids[k]] : 0.0;
        prio[k] = w >= p->retain_min_weight ? 1.0 + w : win_rate[k];
        order[k] = k;
    }
    /* Stable insertion sort, descending priority. */
    for (size_t i = 1; i < n; i++) {
        size_t v = order[i], j = i;
        while (j > 0 && prio[order[j - 1]] < prio[v]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    size_t limit = p->sample_min > 0 ? (size_t)p->sample_min : 0, m = 0;
    for (size_t i = 0; i < n && m < limit; i++) {
        keep[m++] = order[i];
        taken[order[i]] = 1;
    }
    if (m < limit) {
        /* Top up by ascending score (stable). */
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        for (size_t i = 1; i < n; i++) {
            size_t v = order[i], j = i;
            while (j > 0 && scores[order[j - 1]] > scores[v]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = v;
        }
        for (size_t i = 0; i < n && m < limit; i++)
            if (!taken[order[i]]) {
                keep[m++] = order[i];
                taken[order[i]] = 1;
            }
    }
    *n_keep = m;
    aif_free(prio);
    aif_free(order);
    aif_free(taken);
    return AIF_OK;
}
