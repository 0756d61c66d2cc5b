/* validator.c: the validator handle, its options, the clock, paths, the
 * read accessors, run_once and the run loop with the spec's cadences
 * (8.14). The reference runs update, evaluation, weights and cleaning on
 * four threads; here one thread interleaves them, each pass doing its part
 * when due. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/log.h"
#include "validator_int.h"

void aif_validator_opts_default(aif_validator_opts *o)
{
    memset(o, 0, sizeof *o);
    o->netuid = 80;
    o->schedule = "main";
    aif_subnet_params_default(&o->params);
    o->updated_models_limit = 30;
    o->chain_update_cadence = 20 * 60;
    o->scan_top_model_cadence = 30 * 60;
    o->model_retry_cadence = 300;
    o->weight_sync_vali_min_stake = 100000;
    o->weight_sync_miner_min_percent = 0.05;
    o->score_timeout = 4300;
    o->inspect_timeout = 600;
    o->update_initial_delay = 60;
    o->update_poll = 60;
    o->no_uids_sleep = 300;
    o->weights_initial_delay = 60;
    o->weights_interval = 3600;
    o->weights_retry = 120;
    o->cleaner_initial_delay = 3600;
    o->cleaner_interval = 300;
    o->cleanup_grace = 600;
    o->version_key = AIF_VALIDATOR_VERSION_KEY;
}

aif_code aif_validator_evaluator_default(const aif_eval_opts *opts, aif_validator_evaluator *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    if (opts->pool)
        return aif_err_set(err, AIF_EINVAL, "validator evaluator: the eval session must not share a thread pool "
                                            "(scoring runs in forked children)");
    aif_eval_session *s;
    aif_code rc = aif_eval_session_new(opts, &s, err);
    if (rc != AIF_OK)
        return rc;
    out->ctx = s;
    out->inspect = aif_eval_validator_inspect;
    out->prepare = aif_eval_validator_prepare;
    out->score = aif_eval_validator_score;
    return AIF_OK;
}

void aif_validator_evaluator_release(aif_validator_evaluator *ev)
{
    if (ev && ev->inspect == aif_eval_validator_inspect)
        aif_eval_session_free(ev->ctx);
    if (ev)
        memset(ev, 0, sizeof *ev);
}

double aif_vali_now(const aif_validator *v)
{
    if (v->o.clock.now)
        return v->o.clock.now(v->o.clock.ctx);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void aif_vali_sleep(const aif_validator *v, double s)
{
    if (s <= 0)
        return;
    if (v->o.clock.sleep) {
        v->o.clock.sleep(v->o.clock.ctx, s);
        return;
    }
    /* A signal (SIGINT setting the stop flag) ends the sleep early. */
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

int aif_vali_hotkey_ok(const char *hotkey)
{
    size_t n = strlen(hotkey);
    return n > 0 && n < AIF_SS58_MAX &&
           strspn(hotkey, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == n;
}

aif_code aif_vali_hotkey_dir(const aif_validator *v, const char *hotkey, char *out, size_t cap, aif_err *err)
{
    if (!aif_vali_hotkey_ok(hotkey))
        return aif_err_set(err, AIF_EFORMAT, "hotkey '%.64s' is not a plain SS58 address", hotkey);
    return aif_fs_path(out, cap, err, "%s/models/%s", v->model_dir, hotkey);
}

aif_code aif_vali_snapshot(const aif_validator *v, const char *hotkey, const aif_subnet_model_id *id, char *out,
                        size_t cap, aif_err *err)
{
    char dir[PATH_MAX], repo[AIF_VALIDATOR_REPO_MAX], rdir[PATH_MAX];
    aif_code rc = aif_vali_hotkey_dir(v, hotkey, dir, sizeof dir, err);
    if (rc)
        return rc;
    snprintf(repo, sizeof repo, "%s/%s", id->ns, id->name);
    if ((rc = aif_hub_check_repo_id(repo, err)) != AIF_OK)
        return rc;
    if (!id->has_commit || strlen(id->commit) != 40 || strspn(id->commit, "0123456789abcdef") != 40)
        return aif_err_set(err, AIF_EFORMAT, "%s: commit '%.64s' is not 40 lowercase hex digits", repo,
                           id->has_commit ? id->commit : "None");
    if ((rc = aif_hub_cache_repo_dir(dir, repo, rdir, sizeof rdir, err)) != AIF_OK)
        return rc;
    return aif_fs_path(out, cap, err, "%s/snapshots/%s", rdir, id->commit);
}

aif_code aif_validator_new(const aif_validator_opts *opts, aif_validator **out, aif_err *err)
{
    *out = NULL;
    if (!opts->model_dir || !opts->comps || !opts->chain || !opts->hub)
        return aif_err_set(err, AIF_EINVAL, "validator: model_dir, competitions, chain and hub are required");
    if (!opts->evaluator.score || !opts->evaluator.inspect)
        return aif_err_set(err, AIF_EINVAL, "validator: the evaluator needs inspect and score");
    const aif_subnet_schedule_entry *e;
    aif_code rc = aif_subnet_schedule_at(opts->comps, opts->schedule, INT64_MAX, &e, err);
    if (rc)
        return aif_err_wrap(err, "validator");
    aif_validator *v = aif_calloc_err(1, sizeof *v, "validator", err);
    if (!v)
        return AIF_ENOMEM;
    v->o = *opts;
    if (!v->o.schedule)
        v->o.schedule = "main";
    if ((rc = aif_fs_path(v->model_dir, sizeof v->model_dir, err, "%s", opts->model_dir)) != AIF_OK ||
        (rc = aif_fs_path(v->state_dir, sizeof v->state_dir, err, "%s/vali-state", opts->model_dir)) != AIF_OK ||
        (rc = aif_vali_open(v, err)) != AIF_OK || (rc = aif_vali_tracker_load(v, err)) != AIF_OK) {
        aif_validator_free(v);
        return rc;
    }
    char models[PATH_MAX];
    if ((rc = aif_fs_path(models, sizeof models, err, "%s/models", v->model_dir)) != AIF_OK ||
        (rc = aif_fs_mkdirs(models, err)) != AIF_OK) {
        aif_validator_free(v);
        return rc;
    }
    v->last_scan = -INFINITY;
    *out = v;
    return AIF_OK;
}

void aif_validator_free(aif_validator *v)
{
    if (!v)
        return;
    aif_vali_close(v);
    aif_subnet_tracker_free(v->tracker);
    aif_free(v->checked_at);
    aif_free(v);
}

void aif_validator_step_release(aif_validator_step *s)
{
    if (!s)
        return;
    for (size_t t = 0; s->task_names && t < s->n_tasks; t++)
        aif_free(s->task_names[t]);
    aif_free(s->task_names);
    aif_free(s->uids);
    aif_free(s->task_scores);
    aif_free(s->dropped);
    memset(s, 0, sizeof *s);
    s->competition_id = -1;
}

int64_t aif_validator_global_step(const aif_validator *v) { return v->global_step; }

aif_code aif_validator_model_get(aif_validator *v, const char *hotkey, aif_validator_model *out, int *found,
                                 aif_err *err)
{
    return aif_vali_model_get(v, hotkey, out, found, err);
}

aif_code aif_validator_history_get(aif_validator *v, const char *hotkey, int competition_id, aif_subnet_history *out,
                                   aif_err *err)
{
    return aif_vali_history_get(v, hotkey, competition_id, out, err);
}

aif_code aif_validator_uids_get(aif_validator *v, int pending, int competition_id, uint16_t **uids, size_t *n,
                                aif_err *err)
{
    return aif_vali_uids_get(v, pending ? 1 : 0, competition_id, uids, n, err);
}

aif_code aif_validator_last_step(aif_validator *v, aif_validator_step *out, aif_err *err)
{
    return aif_vali_step_load(v, out, err);
}

aif_code aif_validator_weights(aif_validator *v, float **w, size_t *n, aif_err *err)
{
    uint64_t block;
    const aif_subnet_schedule_entry *e;
    aif_code rc = aif_chain_current_block(v->o.chain, &block, err);
    if (rc == AIF_OK)
        rc = aif_subnet_schedule_at(v->o.comps, v->o.schedule, (int64_t)block, &e, err);
    if (rc)
        return rc;
    *n = aif_subnet_tracker_num_neurons(v->tracker);
    *w = aif_calloc_err(*n ? *n : 1, sizeof **w, "subnet weights", err);
    if (!*w)
        return AIF_ENOMEM;
    aif_subnet_tracker_subnet_weights(v->tracker, e, *w);
    return AIF_OK;
}

aif_code aif_validator_run_once(aif_validator *v, aif_validator_step *step, aif_err *err)
{
    memset(step, 0, sizeof *step);
    step->competition_id = -1;
    aif_code rc = aif_validator_update(v, NULL, err);
    if (rc)
        return aif_err_wrap(err, "update pass");
    if ((rc = aif_validator_eval_step(v, step, err)) != AIF_OK)
        return aif_err_wrap(err, "evaluation step");
    if (!v->o.dont_set_weights) {
        aif_err we;
        aif_err_clear(&we);
        step->weights_attempted = 1;
        step->weights_rc = aif_validator_set_weights(v, &step->n_weights_set, &we);
        vcopy(step->weights_msg, sizeof step->weights_msg, we.msg);
        if (step->weights_rc)
            aif_log(AIF_LOG_WARN, "weight pass: %s", we.msg);
    }
    return AIF_OK;
}

/* ---- the update thread (optional) ---- */

typedef struct update_worker {
    aif_validator *u;        /* own state connection, the update chain and hub */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int quit;
    pthread_t th;
} update_worker;

/* Sleep up to s real seconds; returns nonzero when asked to quit. */
static int worker_wait(update_worker *w, double s)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double t = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 + (s > 0 ? s : 0);
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    pthread_mutex_lock(&w->lock);
    while (!w->quit && pthread_cond_timedwait(&w->cond, &w->lock, &ts) == 0) {
    }
    int q = w->quit;
    pthread_mutex_unlock(&w->lock);
    return q;
}

static void *update_main(void *arg)
{
    update_worker *w = arg;
    if (worker_wait(w, w->u->o.update_initial_delay))
        return NULL;
    do {
        aif_err e;
        aif_err_clear(&e);
        if (aif_validator_update(w->u, NULL, &e))
            aif_log(AIF_LOG_ERROR, "update pass: %s", e.msg);
    } while (!worker_wait(w, w->u->o.update_poll));
    return NULL;
}

static aif_code worker_start(aif_validator *v, update_worker *w, aif_err *err)
{
    memset(w, 0, sizeof *w);
    aif_validator_opts o = v->o;
    o.chain = v->o.update_chain;
    o.hub = v->o.update_hub;
    o.update_chain = NULL;
    o.update_hub = NULL;
    aif_code rc = aif_validator_new(&o, &w->u, err);
    if (rc)
        return aif_err_wrap(err, "update thread");
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    if (pthread_create(&w->th, NULL, update_main, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        aif_validator_free(w->u);
        return aif_err_set(err, AIF_EINTERNAL, "cannot start the update thread");
    }
    return AIF_OK;
}

static void worker_stop(update_worker *w)
{
    pthread_mutex_lock(&w->lock);
    w->quit = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->th, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    aif_validator_free(w->u);
}

aif_code aif_validator_run(aif_validator *v, int64_t max_steps, volatile int *stop,
                           void (*on_step)(void *ctx, const aif_validator_step *step), void *on_step_ctx,
                           aif_err *err)
{
    const aif_validator_opts *o = &v->o;
    int threaded = o->update_chain && o->update_hub;
    update_worker worker;
    if (threaded) {
        aif_code rc = worker_start(v, &worker, err);
        if (rc)
            return rc;
    }
    double t0 = aif_vali_now(v);
    double next_update = threaded ? INFINITY : t0 + o->update_initial_delay;
    double next_weights = t0 + o->weights_initial_delay;
    double next_clean = t0 + o->cleaner_initial_delay, next_step = t0;
    int64_t steps = 0;
    while (!(stop && *stop) && (max_steps <= 0 || steps < max_steps)) {
        double now = aif_vali_now(v);
        aif_err e;
        aif_err_clear(&e);
        if (now >= next_update) {
            if (aif_validator_update(v, NULL, &e))
                aif_log(AIF_LOG_ERROR, "update pass: %s", e.msg);
            next_update = aif_vali_now(v) + o->update_poll;
        }
        if (now >= next_step) {
            aif_validator_step s;
            aif_code rc = aif_validator_eval_step(v, &s, &e);
            if (rc) {
                /* The reference logs and starts the next step at once; a
                 * short pause keeps a fast failure from spinning. */
                aif_log(AIF_LOG_ERROR, "evaluation step: %s", e.msg);
                next_step = aif_vali_now(v) + o->update_poll;
            } else if (s.competition_id < 0) {
                next_step = aif_vali_now(v) + o->no_uids_sleep;
            } else {
                steps++;
                if (on_step)
                    on_step(on_step_ctx, &s);
            }
            aif_validator_step_release(&s);
        }
        if (!o->dont_set_weights && aif_vali_now(v) >= next_weights) {
            size_t n_set;
            if (aif_validator_set_weights(v, &n_set, &e)) {
                aif_log(AIF_LOG_WARN, "weight pass: %s", e.msg);
                next_weights = aif_vali_now(v) + o->weights_retry;
            } else {
                aif_log(AIF_LOG_INFO, "set weights on %zu uids", n_set);
                next_weights = aif_vali_now(v) + o->weights_interval;
            }
        }
        if (aif_vali_now(v) >= next_clean) {
            size_t n_rm;
            if (aif_validator_cleanup(v, &n_rm, &e))
                aif_log(AIF_LOG_WARN, "cleaner: %s", e.msg);
            next_clean = aif_vali_now(v) + o->cleaner_interval;
        }
        if ((stop && *stop) || (max_steps > 0 && steps >= max_steps))
            break;
        /* Sleep until the next thing is due. */
        double due = next_update;
        if (next_step < due)
            due = next_step;
        if (!o->dont_set_weights && next_weights < due)
            due = next_weights;
        if (next_clean < due)
            due = next_clean;
        aif_vali_sleep(v, due - aif_vali_now(v));
    }
    if (threaded)
        worker_stop(&worker);
    if (stop && *stop)
        return aif_err_set(err, AIF_ECANCELED, "validator stopped after %lld steps", (long long)steps);
    return AIF_OK;
}
