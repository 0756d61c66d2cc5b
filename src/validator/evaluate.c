/* evaluate.c: one evaluation step (spec 8.7): take the pending and current
 * uids of the step's competition, prepare the data once, drop clones,
 * score each model in an isolated child, turn scores into win rates and
 * weights, keep the best for the next step, and save everything in one
 * transaction. Decisions against the reference's crash loops (spec 13.5):
 * a uid without metadata, or whose snapshot is gone, scores inf on its own
 * instead of aborting the step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/log.h"
#include "validator_int.h"

/* Per evaluated-or-dropped uid. */
typedef struct cand {
    uint16_t uid;
    char hotkey[AIF_SS58_MAX];
    int has_meta;
    aif_validator_model meta;
} cand;

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted union of two ascending uid lists into out (capacity na + nb). */
static size_t merge_uids(const uint16_t *a, size_t na, const uint16_t *b, size_t nb, uint16_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < na; i++)
        out[n++] = a[i];
    for (size_t i = 0; i < nb; i++)
        out[n++] = b[i];
    qsort(out, n, sizeof *out, cmp_u16);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || out[m - 1] != out[i])
            out[m++] = out[i];
    return m;
}

static uint64_t block_seed(aif_validator *v, uint64_t block)
{
    char h[67];
    aif_err e;
    if (aif_chain_block_hash(v->o.chain, block, h, &e) != AIF_OK || strlen(h) < 18) {
        aif_log(AIF_LOG_DEBUG, "no block hash for block %llu (%s); seeding with the block number",
                (unsigned long long)block, e.msg);
        return block;
    }
    uint64_t s = 0;
    for (int i = 2; i < 18; i++) {
        char c = h[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
        s = s << 4 | (uint64_t)d;
    }
    return s;
}

typedef struct step_work {
    uint16_t *pending, *current, *all;
    size_t n_pending, n_current, n_all;
    cand *cands;
    const char **hashes;
    int64_t *blocks;
    size_t *keep;
    size_t n_keep;
    uint16_t *ev_uids;
    double *scores, *win_rate;
    int64_t *ev_blocks, *wins;
    aif_subnet_eval_result *result; /* the EvalResult each evaluated uid gets */
    float *comp_w, *subnet_w;
    size_t *retained;
    uint16_t *retained_uids;
    aif_metagraph mg;
} step_work;

static void work_release(step_work *w)
{
    aif_free(w->pending);
    aif_free(w->current);
    aif_free(w->all);
    aif_free(w->cands);
    aif_free(w->hashes);
    aif_free(w->blocks);
    aif_free(w->keep);
    aif_free(w->ev_uids);
    aif_free(w->scores);
    aif_free(w->win_rate);
    aif_free(w->ev_blocks);
    aif_free(w->wins);
    aif_free(w->result);
    aif_free(w->comp_w);
    aif_free(w->subnet_w);
    aif_free(w->retained);
    aif_free(w->retained_uids);
    aif_metagraph_release(&w->mg);
}

/* Score one uid into step->uids[k] and its task row. */
static void score_one(aif_validator *v, const aif_subnet_competition *comp, const cand *cd, aif_validator_step *step,
                      size_t k)
{
    aif_validator_step_uid *u = &step->uids[k];
    double *raw = step->task_scores + k * step->n_tasks;
    for (size_t t = 0; t < step->n_tasks; t++)
        raw[t] = INFINITY;
    u->uid = cd->uid;
    snprintf(u->hotkey, sizeof u->hotkey, "%s", cd->hotkey);
    u->score = INFINITY;
    u->block = AIF_SUBNET_NO_BLOCK;
    snprintf(u->repo, sizeof u->repo, "Unknown");
    if (!cd->has_meta || cd->meta.id.competition_id != comp->id) {
        snprintf(u->note, sizeof u->note, cd->has_meta ? "model belongs to competition %d" : "no model metadata",
                 cd->meta.id.competition_id);
        return;
    }
    u->block = cd->meta.block;
    snprintf(u->repo, sizeof u->repo, "%s/%s", cd->meta.id.ns, cd->meta.id.name);
    char snap[PATH_MAX];
    aif_err e;
    aif_err_clear(&e);
    if (aif_vali_snapshot(v, cd->hotkey, &cd->meta.id, snap, sizeof snap, &e) != AIF_OK) {
        vcopy(u->note, sizeof u->note, e.msg);
        return;
    }
    if (!aif_fs_is_dir(snap)) {
        snprintf(u->note, sizeof u->note, "snapshot missing: %.120s", snap);
        return;
    }
    if (aif_vali_score(v, snap, comp, raw, &e) != AIF_OK) {
        for (size_t t = 0; t < step->n_tasks; t++)
            raw[t] = INFINITY;
        vcopy(u->note, sizeof u->note, e.msg);
        aif_log(AIF_LOG_WARN, "uid %u %s: scoring failed: %s", u->uid, u->repo, e.msg);
        return;
    }
    u->score = aif_subnet_model_score(comp, raw);
    if (isinf(u->score))
        snprintf(u->note, sizeof u->note, "a task failed");
}

static aif_code save_step(aif_validator *v, const aif_subnet_schedule_entry *e, const aif_subnet_competition *comp,
                          step_work *w, const aif_validator_step *step, aif_err *err)
{
    /* Each history is read, extended and written inside the transaction, so
     * a change made meanwhile (an update pass clearing it) is not undone. */
    aif_code rc = aif_vali_begin(v, err);
    for (size_t k = 0; k < step->n && rc == AIF_OK; k++) {
        const char *hk = step->uids[k].hotkey;
        if (!hk[0])
            continue;
        aif_subnet_history h;
        if ((rc = aif_vali_history_get(v, hk, comp->id, &h, err)) != AIF_OK)
            break;
        aif_subnet_history_add(&h, &w->result[k]);
        rc = aif_vali_history_put(v, hk, comp->id, &h, err);
    }
    if (rc == AIF_OK)
        rc = aif_vali_uids_set(v, 0, comp->id, w->retained_uids, w->n_keep, err);
    /* Pending keeps what arrived after we read it (nothing, single thread). */
    if (rc == AIF_OK) {
        uint16_t *now_pending;
        size_t n_now;
        if ((rc = aif_vali_uids_get(v, 1, comp->id, &now_pending, &n_now, err)) == AIF_OK) {
            size_t m = 0;
            for (size_t i = 0; i < n_now; i++)
                if (!w->n_pending || !bsearch(&now_pending[i], w->pending, w->n_pending, sizeof *w->pending, cmp_u16))
                    now_pending[m++] = now_pending[i];
            rc = aif_vali_uids_set(v, 1, comp->id, now_pending, m, err);
            aif_free(now_pending);
        }
    }
    if (rc == AIF_OK)
        rc = aif_vali_uids_keep_active(v, e, err);
    if (rc == AIF_OK)
        rc = aif_vali_tracker_save(v, err);
    if (rc == AIF_OK)
        rc = aif_vali_int_set(v, "global_step", v->global_step + 1, err);
    if (rc == AIF_OK)
        rc = aif_vali_step_save(v, step, err);
    if (rc == AIF_OK)
        rc = aif_vali_commit(v, err);
    if (rc)
        aif_vali_rollback(v);
    return rc;
}

aif_code aif_validator_eval_step(aif_validator *v, aif_validator_step *step, aif_err *err)
{
    memset(step, 0, sizeof *step);
    step->competition_id = -1;
    step_work w;
    memset(&w, 0, sizeof w);
    uint64_t block;
    const aif_subnet_schedule_entry *e;
    aif_code rc = aif_chain_current_block(v->o.chain, &block, err);
    if (rc == AIF_OK)
        rc = aif_subnet_schedule_at(v->o.comps, v->o.schedule, (int64_t)block, &e, err);
    if (rc)
        return rc;
    int64_t c = (int64_t)block;
    const aif_subnet_competition *comp = e->slots[(size_t)v->global_step % e->n_slots].competition;

    /* Pending joins current (8.7 steps 2-3), ascending uid order. */
    if ((rc = aif_vali_uids_get(v, 1, comp->id, &w.pending, &w.n_pending, err)) != AIF_OK ||
        (rc = aif_vali_uids_get(v, 0, comp->id, &w.current, &w.n_current, err)) != AIF_OK)
        goto out;
    if (!(w.all = aif_calloc_err(w.n_pending + w.n_current + 1, sizeof *w.all, "uid list", err))) {
        rc = AIF_ENOMEM;
        goto out;
    }
    w.n_all = merge_uids(w.pending, w.n_pending, w.current, w.n_current, w.all);
    if (w.n_all == 0) {
        v->global_step++; /* the reference counts the empty step and saves nothing */
        goto out;
    }
    if ((rc = aif_chain_metagraph(v->o.chain, v->o.netuid, &w.mg, err)) != AIF_OK)
        goto out;
    step->seed = block_seed(v, block);
    if (v->o.evaluator.prepare &&
        (rc = v->o.evaluator.prepare(v->o.evaluator.ctx, comp, block, step->seed, err)) != AIF_OK) {
        aif_err_wrap(err, "preparing the evaluation data");
        goto out;
    }

    size_t n = w.n_all;
    w.cands = aif_calloc(n, sizeof *w.cands);
    w.hashes = aif_calloc(n, sizeof *w.hashes);
    w.blocks = aif_calloc(n, sizeof *w.blocks);
    w.keep = aif_calloc(n, sizeof *w.keep);
    if (!w.cands || !w.hashes || !w.blocks || !w.keep) {
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory for %zu uids", n);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        cand *cd = &w.cands[i];
        cd->uid = w.all[i];
        if (cd->uid < w.mg.n)
            snprintf(cd->hotkey, sizeof cd->hotkey, "%s", w.mg.neurons[cd->uid].hotkey);
        if (cd->hotkey[0] && (rc = aif_vali_model_get(v, cd->hotkey, &cd->meta, &cd->has_meta, err)) != AIF_OK)
            goto out;
        /* A uid without metadata is kept alone (13.5); None secure hashes group as "None". */
        w.hashes[i] = !cd->has_meta ? NULL : cd->meta.id.has_secure_hash ? cd->meta.id.secure_hash : "None";
        w.blocks[i] = cd->has_meta ? cd->meta.block : AIF_SUBNET_NO_BLOCK;
    }
    if ((rc = aif_subnet_dedupe(n, w.hashes, w.blocks, w.keep, &w.n_keep, err)) != AIF_OK)
        goto out;
    qsort(w.keep, w.n_keep, sizeof *w.keep, cmp_size); /* ascending uid order (13.13) */

    size_t m = w.n_keep;
    step->competition_id = comp->id;
    step->block = block;
    step->global_step = v->global_step;
    step->n_tasks = comp->n_tasks;
    step->task_names = aif_calloc(comp->n_tasks ? comp->n_tasks : 1, sizeof *step->task_names);
    step->uids = aif_calloc(m ? m : 1, sizeof *step->uids);
    step->task_scores = aif_calloc(m * comp->n_tasks > 0 ? m * comp->n_tasks : 1, sizeof *step->task_scores);
    step->dropped = aif_calloc(n, sizeof *step->dropped);
    w.ev_uids = aif_calloc(m ? m : 1, sizeof *w.ev_uids);
    w.scores = aif_calloc(m ? m : 1, sizeof *w.scores);
    w.win_rate = aif_calloc(m ? m : 1, sizeof *w.win_rate);
    w.ev_blocks = aif_calloc(m ? m : 1, sizeof *w.ev_blocks);
    w.wins = aif_calloc(m ? m : 1, sizeof *w.wins);
    w.result = aif_calloc(m ? m : 1, sizeof *w.result);
    w.retained = aif_calloc(m ? m : 1, sizeof *w.retained);
    w.retained_uids = aif_calloc(m ? m : 1, sizeof *w.retained_uids);
    if (!step->task_names || !step->uids || !step->task_scores || !step->dropped || !w.ev_uids || !w.scores ||
        !w.win_rate || !w.ev_blocks || !w.wins || !w.result || !w.retained || !w.retained_uids) {
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory for the step record");
        goto out;
    }
    for (size_t t = 0; t < comp->n_tasks; t++) {
        if (!(step->task_names[t] = aif_strdup(comp->tasks[t].name))) {
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory for the step record");
            goto out;
        }
    }
    /* Clones leave this step (8.8 step 5). */
    for (size_t i = 0, j = 0; i < n; i++) {
        int kept = 0;
        for (j = 0; j < m; j++)
            kept |= w.keep[j] == i;
        if (!kept) {
            step->dropped[step->n_dropped++] = w.cands[i].uid;
            aif_log(AIF_LOG_INFO, "uid %u: a clone of an earlier model, not evaluated", w.cands[i].uid);
        }
    }

    /* Score every kept uid (8.7 step 8). */
    for (size_t k = 0; k < m; k++) {
        const cand *cd = &w.cands[w.keep[k]];
        score_one(v, comp, cd, step, k);
        step->n = k + 1;
        w.ev_uids[k] = step->uids[k].uid;
        w.scores[k] = step->uids[k].score;
        w.ev_blocks[k] = step->uids[k].block;
    }

    /* Wins, history, weights (8.7 steps 9-12). */
    const aif_subnet_epsilon *eps = &comp->constraints.epsilon;
    aif_subnet_compute_wins(m, w.scores, w.ev_blocks, eps, c, v->o.params.min_diff, v->o.params.max_diff, w.wins,
                            w.win_rate);
    size_t top = aif_subnet_top_index(m, w.win_rate);
    for (size_t k = 0; k < m; k++) {
        aif_validator_step_uid *u = &step->uids[k];
        u->win_rate = w.win_rate[k];
        u->wins = w.wins[k];
        u->epsilon_adv = aif_subnet_epsilon_at(eps, c, u->block);
        /* the EvalResult to append (8.7 step 10) */
        aif_subnet_eval_result r = {c, w.scores[k], w.ev_blocks[top], w.scores[top]};
        w.result[k] = r;
    }
    /* The vector covers the metagraph, the tracker and every evaluated uid,
     * so a shrunken metagraph cannot abort the step (spec 8.15 last row). */
    size_t nn = w.mg.n;
    if (aif_subnet_tracker_num_neurons(v->tracker) > nn)
        nn = aif_subnet_tracker_num_neurons(v->tracker);
    for (size_t k = 0; k < m; k++)
        if ((size_t)w.ev_uids[k] + 1 > nn)
            nn = (size_t)w.ev_uids[k] + 1;
    w.comp_w = aif_calloc(nn ? nn : 1, sizeof *w.comp_w);
    w.subnet_w = aif_calloc(nn ? nn : 1, sizeof *w.subnet_w);
    if (!w.comp_w || !w.subnet_w) {
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory for %zu weights", nn);
        goto out;
    }
    if ((rc = aif_subnet_step_weights(m, w.ev_uids, w.win_rate, w.ev_blocks, c, &v->o.params, w.comp_w, nn, err)) !=
            AIF_OK ||
        (rc = aif_subnet_tracker_record(v->tracker, comp->id, w.comp_w, nn, err)) != AIF_OK)
        goto out_reload;
    aif_subnet_tracker_drop_inactive(v->tracker, e);
    aif_subnet_tracker_subnet_weights(v->tracker, e, w.subnet_w);
    const float *ema = aif_subnet_tracker_get(v->tracker, comp->id);
    for (size_t k = 0; k < m; k++) {
        step->uids[k].weight = w.subnet_w[step->uids[k].uid];
        step->uids[k].comp_weight = ema ? ema[step->uids[k].uid] : 0.0f;
    }

    /* Retention (8.9) and save (8.7 steps 13-14). */
    if ((rc = aif_subnet_retain(m, w.ev_uids, w.win_rate, w.scores, ema, nn, &v->o.params, w.retained, &w.n_keep,
                                err)) != AIF_OK)
        goto out_reload;
    for (size_t k = 0; k < w.n_keep; k++)
        w.retained_uids[k] = w.ev_uids[w.retained[k]];
    step->time = aif_vali_now(v);
    if ((rc = save_step(v, e, comp, &w, step, err)) != AIF_OK)
        goto out_reload;
    v->global_step++;
    goto out;

out_reload:
    /* The in-memory tracker may have moved ahead of the saved one. */
    {
        aif_err e2;
        if (aif_vali_tracker_load(v, &e2) != AIF_OK)
            aif_log(AIF_LOG_ERROR, "reloading the competition tracker: %s", e2.msg);
    }
out:
    work_release(&w);
    if (rc) {
        aif_validator_step_release(step);
    }
    return rc;
}
