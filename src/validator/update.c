/* update.c: the update pass (spec 8.4, 8.4.1, 8.4.2): read every
 * commitment, download new or retried models into
 * <model_dir>/models/<hotkey>/ (huggingface_hub cache layout), hash them,
 * verify the secure hash, check the constraints, and queue good ones for
 * evaluation. The slow part (download, hash, inspect) runs outside any
 * transaction; what it decided for the uid is then written in one
 * transaction. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/log.h"
#include "validator_int.h"

/* What syncing one uid decided. */
typedef struct sync_out {
    int too_young, unchanged, updated, misconfigured;
    int record_meta;          /* write meta (8.4.1 step 6) */
    int clear_history;        /* the metadata changed */
    aif_validator_model meta;
} sync_out;

static aif_code misconf(sync_out *s, aif_err *err, aif_code code, const char *fmt, const char *a, const char *b)
{
    s->misconfigured = 1;
    return aif_err_set(err, code, fmt, a, b);
}

static aif_code sync_model(aif_validator *v, uint16_t uid, const char *hotkey, int64_t c, const aif_commitment *cm,
                           int force, sync_out *s, aif_err *err)
{
    memset(s, 0, sizeof *s);
    char u[16];
    snprintf(u, sizeof u, "uid %u", uid);
    if (!aif_vali_hotkey_ok(hotkey))
        return misconf(s, err, AIF_EFORMAT, "%s: hotkey '%.64s' is not a plain SS58 address", u, hotkey);
    if (!cm)
        return misconf(s, err, AIF_ENOTFOUND, "%s: %s has no valid metadata (no commitment)", u, hotkey);
    aif_validator_model *m = &s->meta;
    aif_err pe;
    if (aif_subnet_model_id_parse(cm->data, cm->len, &m->id, &pe) != AIF_OK)
        return misconf(s, err, AIF_EFORMAT, "%s: no valid metadata: %s", u, pe.msg);
    m->block = (int64_t)cm->block;
    const aif_subnet_competition *comp =
        aif_subnet_competition_at(v->o.comps, v->o.schedule, m->block, m->id.competition_id);
    if (!comp) {
        char id[16];
        snprintf(id, sizeof id, "%d", m->id.competition_id);
        return misconf(s, err, AIF_ENOTFOUND, "%s: competition %s is not in the schedule at the commitment block", u,
                       id);
    }
    if (!aif_subnet_eval_delay_passed(comp, c, m->block)) {
        s->too_young = 1;
        return AIF_OK;
    }
    aif_validator_model old;
    int found;
    aif_code rc = aif_vali_model_get(v, hotkey, &old, &found, err);
    if (rc)
        return rc;
    int same = found && old.block == m->block && aif_subnet_model_id_equal(&old.id, &m->id);
    if (!force && same) {
        s->unchanged = 1;
        return AIF_OK;
    }
    if (!m->id.has_commit) /* 8.4.2 step 1: a plain error, retried */
        return aif_err_set(err, AIF_EFORMAT, "%s: the commitment of %s has no commit", u, hotkey);

    char snap[PATH_MAX], dir[PATH_MAX], fetched[PATH_MAX], repo[AIF_VALIDATOR_REPO_MAX];
    if (aif_vali_snapshot(v, hotkey, &m->id, snap, sizeof snap, &pe) != AIF_OK)
        return misconf(s, err, AIF_EFORMAT, "%s: %s", u, pe.msg);
    if ((rc = aif_vali_hotkey_dir(v, hotkey, dir, sizeof dir, err)) != AIF_OK)
        return rc;
    snprintf(repo, sizeof repo, "%s/%s", m->id.ns, m->id.name);
    rc = aif_hub_fetch_model(v->o.hub, repo, m->id.commit, dir, (uint64_t)comp->constraints.max_bytes, fetched,
                             sizeof fetched, &pe);
    if (rc == AIF_ECONSTRAINT || rc == AIF_ENOTFOUND) /* too big; repo, revision or weights missing */
        return misconf(s, err, rc, "%s: %s", u, pe.msg);
    if (rc) {
        *err = pe;
        return aif_err_wrap(err, "%s", u);
    }
    if ((rc = aif_hub_cache_realize(snap, err)) != AIF_OK ||
        (rc = aif_subnet_hash_dir(snap, m->dir_hash, err)) != AIF_OK)
        return aif_err_wrap(err, "%s", u);

    /* From here on the metadata is recorded even if a check fails, so an
     * unchanged bad model is not downloaded again unless forced. */
    s->record_meta = 1;
    s->clear_history = !same;
    if (!(m->id.has_hash && strcmp(m->id.hash, m->dir_hash) == 0) &&
        aif_subnet_verify_secure_hash(m->dir_hash, hotkey, &m->id, &pe) != AIF_OK)
        return misconf(s, err, AIF_EHASH, "%s: %s", u, pe.msg);
    char arch[AIF_VALIDATOR_ARCH_MAX];
    int64_t n_params;
    if (aif_vali_inspect(v, snap, arch, &n_params, &pe) != AIF_OK)
        return misconf(s, err, AIF_ECONSTRAINT, "%s: the model could not be loaded: %s", u, pe.msg);
    if ((rc = aif_subnet_check_model(comp, arch, n_params, -1, &pe)) != AIF_OK)
        return misconf(s, err, rc, "%s: %s", u, pe.msg);
    s->updated = 1;
    return AIF_OK;
}

/* Record an inf result under competition 0, as the reference does for a
 * MinerMisconfiguredError (8.4 step 3.6). */
static aif_code record_misconfigured(aif_validator *v, const char *hotkey, int64_t c, aif_err *err)
{
    aif_subnet_history h;
    aif_code rc = aif_vali_history_get(v, hotkey, 0, &h, err);
    if (rc)
        return rc;
    aif_subnet_eval_result r = {c, INFINITY, 0, 0.0};
    aif_subnet_history_add(&h, &r);
    return aif_vali_history_put(v, hotkey, 0, &h, err);
}

static aif_code apply(aif_validator *v, uint16_t uid, const char *hotkey, int64_t c, const sync_out *s,
                      aif_err *err)
{
    aif_code rc = aif_vali_begin(v, err);
    if (rc)
        return rc;
    if (s->record_meta && s->clear_history)
        rc = aif_vali_history_clear(v, hotkey, err);
    if (rc == AIF_OK && s->record_meta)
        rc = aif_vali_model_put(v, hotkey, &s->meta, err);
    if (rc == AIF_OK && s->misconfigured)
        rc = record_misconfigured(v, hotkey, c, err);
    if (rc == AIF_OK && s->updated)
        rc = aif_vali_uid_add(v, 1, s->meta.id.competition_id, uid, err);
    if (rc == AIF_OK)
        rc = aif_vali_commit(v, err);
    if (rc)
        aif_vali_rollback(v);
    return rc;
}

/* 8.4 step 3.5: force a re-download when the retry policy says so. */
static aif_code decide_force(aif_validator *v, uint16_t uid, const char *hotkey, int64_t c, int *force, aif_err *err)
{
    *force = 0;
    aif_validator_model m;
    int found, queued;
    aif_code rc = aif_vali_model_get(v, hotkey, &m, &found, err);
    if (rc || !found)
        return rc;
    const aif_subnet_competition *comp =
        aif_subnet_competition_at(v->o.comps, v->o.schedule, c, m.id.competition_id);
    if (!comp)
        return AIF_OK;
    if ((rc = aif_vali_uid_queued(v, m.id.competition_id, uid, &queued, err)) != AIF_OK || queued)
        return rc;
    aif_subnet_history h;
    if ((rc = aif_vali_history_get(v, hotkey, comp->id, &h, err)) != AIF_OK)
        return rc;
    *force = aif_subnet_should_retry(&h, &comp->constraints.epsilon, c);
    return AIF_OK;
}

static const aif_commitment *find_commitment(const aif_commitment *cms, size_t n, const aif_neuron *ne)
{
    for (size_t j = 0; j < n; j++)
        if (cms[j].uid == ne->uid && strcmp(cms[j].hotkey, ne->hotkey) == 0)
            return &cms[j];
    return NULL;
}

/* Top-model scan (8.6): miners that staked validators weight at >= 5 % of
 * their row are re-synced (forced) when they are in no uid set and have
 * not been evaluated for model_retry_cadence blocks; this ignores the
 * updated_models_limit, as the reference does. */
static aif_code top_model_scan(aif_validator *v, const aif_metagraph *mg, const aif_commitment *cms, size_t n_cm,
                               int64_t c, aif_validator_update_report *rep, aif_err *err)
{
    if (mg->n == 0)
        return AIF_OK;
    unsigned char *top = aif_calloc_err(mg->n, 1, "top miners", err);
    if (!top)
        return AIF_ENOMEM;
    for (size_t i = 0; i < mg->n_weights;) {
        size_t j = i;
        double sum = 0;
        while (j < mg->n_weights && mg->weights[j].src == mg->weights[i].src)
            sum += mg->weights[j++].weight;
        uint16_t src = mg->weights[i].src;
        if (src < mg->n && mg->neurons[src].stake >= v->o.weight_sync_vali_min_stake &&
            mg->neurons[src].validator_permit) {
            double thr = v->o.weight_sync_miner_min_percent * sum;
            for (size_t k = i; k < j; k++)
                if (mg->weights[k].dest < mg->n && (double)mg->weights[k].weight >= thr)
                    top[mg->weights[k].dest] = 1;
        }
        i = j;
    }
    aif_code rc = AIF_OK;
    uint16_t *queued = NULL;
    size_t n_queued = 0;
    if ((rc = aif_vali_uids_all(v, &queued, &n_queued, err)) != AIF_OK)
        goto out;
    for (size_t u = 0; u < mg->n && rc == AIF_OK; u++) {
        if (!top[u])
            continue;
        int in_set = 0;
        for (size_t q = 0; q < n_queued; q++)
            in_set |= queued[q] == u;
        if (in_set)
            continue;
        const aif_neuron *ne = &mg->neurons[u];
        int64_t last;
        if ((rc = aif_vali_last_eval_block(v, ne->hotkey, &last, err)) != AIF_OK)
            break;
        if (c - last < v->o.model_retry_cadence)
            continue;
        sync_out s;
        aif_err e;
        aif_err_clear(&e);
        aif_code src = sync_model(v, ne->uid, ne->hotkey, c, find_commitment(cms, n_cm, ne), 1, &s, &e);
        if ((rc = apply(v, ne->uid, ne->hotkey, c, &s, err)) != AIF_OK)
            break;
        rep->scan_synced++;
        rep->scan_queued += s.updated;
        if (src != AIF_OK)
            aif_log(AIF_LOG_DEBUG, "top-model scan: %s", e.msg);
    }
out:
    aif_free(queued);
    aif_free(top);
    return rc;
}

aif_code aif_validator_update(aif_validator *v, aif_validator_update_report *report, aif_err *err)
{
    aif_validator_update_report rep;
    memset(&rep, 0, sizeof rep);
    aif_metagraph mg;
    aif_commitment *cms = NULL;
    size_t n_cm = 0;
    uint64_t block;
    aif_code rc = aif_chain_metagraph(v->o.chain, v->o.netuid, &mg, err);
    if (rc)
        return rc;
    if ((rc = aif_chain_commitments(v->o.chain, v->o.netuid, &cms, &n_cm, err)) != AIF_OK ||
        (rc = aif_chain_current_block(v->o.chain, &block, err)) != AIF_OK)
        goto out;

    /* The metagraph listener (8.3): forget hotkeys that left. */
    const char **hks = aif_calloc_err(mg.n ? mg.n : 1, sizeof *hks, "hotkey list", err);
    if (!hks) {
        rc = AIF_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < mg.n; i++)
        hks[i] = mg.neurons[i].hotkey;
    if ((rc = aif_vali_begin(v, err)) == AIF_OK && (rc = aif_vali_forget_others(v, hks, mg.n, err)) == AIF_OK)
        rc = aif_vali_commit(v, err);
    if (rc)
        aif_vali_rollback(v);
    aif_free(hks);
    if (rc)
        goto out;

    if (v->n_checked_at < mg.n) {
        double *p = aif_realloc(v->checked_at, mg.n * sizeof *p);
        if (!p) {
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory for the update pass");
            goto out;
        }
        for (size_t i = v->n_checked_at; i < mg.n; i++)
            p[i] = -INFINITY;
        v->checked_at = p;
        v->n_checked_at = mg.n;
    }

    int64_t c = (int64_t)block;
    double t_scan = aif_vali_now(v);
    if (t_scan - v->last_scan >= v->o.scan_top_model_cadence) {
        v->last_scan = t_scan;
        if ((rc = top_model_scan(v, &mg, cms, n_cm, c, &rep, err)) != AIF_OK)
            goto out;
    }
    size_t start = mg.n ? v->cursor % mg.n : 0;
    for (size_t k = 0; k < mg.n; k++) {
        size_t i = (start + k) % mg.n;
        size_t queued_total;
        if ((rc = aif_vali_uids_count(v, &queued_total, err)) != AIF_OK)
            goto out;
        if (queued_total >= v->o.updated_models_limit) {
            rep.limit_reached = 1;
            v->cursor = i;
            break;
        }
        v->cursor = i + 1;
        const aif_neuron *ne = &mg.neurons[i];
        if (ne->uid >= v->n_checked_at) /* a chain breaking neurons[i].uid == i */
            continue;
        double now = aif_vali_now(v);
        if (now - v->checked_at[ne->uid] < v->o.chain_update_cadence) {
            rep.skipped_recent++;
            continue;
        }
        v->checked_at[ne->uid] = now;
        rep.checked++;
        const aif_commitment *cm = find_commitment(cms, n_cm, ne);
        int force = 0;
        aif_err e;
        aif_err_clear(&e);
        sync_out s;
        if ((rc = decide_force(v, ne->uid, ne->hotkey, c, &force, err)) != AIF_OK)
            goto out;
        aif_code src = sync_model(v, ne->uid, ne->hotkey, c, cm, force, &s, &e);
        if ((rc = apply(v, ne->uid, ne->hotkey, c, &s, err)) != AIF_OK)
            goto out;
        if (s.misconfigured) {
            rep.misconfigured++;
            aif_log(AIF_LOG_DEBUG, "misconfigured miner: %s", e.msg);
        } else if (src != AIF_OK) {
            rep.errors++;
            aif_log(AIF_LOG_WARN, "update: %s", e.msg);
        } else if (s.too_young) {
            rep.too_young++;
        } else if (s.unchanged) {
            rep.unchanged++;
        } else if (s.updated) {
            rep.queued++;
            aif_log(AIF_LOG_INFO, "uid %u: %s/%s queued for evaluation (competition %d)", ne->uid, s.meta.id.ns,
                    s.meta.id.name, s.meta.id.competition_id);
        }
    }
    if (mg.n)
        v->cursor %= mg.n;
out:
    aif_free(cms);
    aif_metagraph_release(&mg);
    if (report)
        *report = rep;
    return rc;
}
