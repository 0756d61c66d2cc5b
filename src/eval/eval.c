/* eval.c: evaluation sessions (one step's data, many models), the
 * validator's evaluator callbacks, and the ranking the validator would
 * compute from the scores (spec 5.7, 6.1, 7). */
#include "eval_int.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/data.h"
#include "aif/fs.h"
#include "aif/log.h"
#include "aif/progress.h"

struct task {
    const aif_subnet_task *task;   /* borrowed from the competition */
    size_t index;                  /* position in the competition's task list */
    aif_data_batches b;
};

struct aif_eval_session {
    aif_eval_opts o;
    char *data_dir, *cache_dir, *endpoint, *hf_token, *tokenizer, *tasks;
    aif_tokenizer *tok;
    char tok_name[256];            /* competition tokenizer name the loaded one stands for */
    aif_data_client *client;
    aif_data_source *src;
    const aif_subnet_competition *comp;
    struct task *t;
    size_t n_tasks;
};

void aif_eval_opts_default(aif_eval_opts *o)
{
    memset(o, 0, sizeof *o);
    o->argmax = AIF_MODEL_ARGMAX_BF16;
}

/* ------------------------------------------------------------ tokenizer */

aif_code aif_eval_find_tokenizer(const char *name, char *out, size_t cap, aif_err *err)
{
    if (!name || strcmp(name, "local"))
        return aif_err_set(err, AIF_ENOTFOUND,
                           "tokenizer '%s' of the competition: give its folder with --tokenizer DIR (aif does not "
                           "download it from the Hub yet)", name ? name : "(none)");
    const char *env = getenv("AIF_LOCAL_TOKENIZER");
    if (env && *env) {
        if (snprintf(out, cap, "%s", env) >= (int)cap)
            return aif_err_set(err, AIF_ERANGE, "AIF_LOCAL_TOKENIZER is longer than %zu bytes", cap - 1);
        return AIF_OK;
    }
    if (aif_fs_find_asset("assets/local-tokenizer", out, cap, err) != AIF_OK)
        return aif_err_wrap(err, "tokenizer 'local' (or give --tokenizer DIR)");
    return AIF_OK;
}

/* ------------------------------------------------------------ session */

static aif_code dup_opt(char **dst, const char *s, aif_err *err)
{
    *dst = NULL;
    if (s && !(*dst = aif_strdup(s)))
        return aif_err_set(err, AIF_ENOMEM, "out of memory copying options");
    return AIF_OK;
}

static void release_tasks(aif_eval_session *s)
{
    for (size_t i = 0; i < s->n_tasks; i++)
        aif_data_batches_release(&s->t[i].b);
    aif_free(s->t);
    s->t = NULL;
    s->n_tasks = 0;
    s->comp = NULL;
}

void aif_eval_session_free(aif_eval_session *s)
{
    if (!s)
        return;
    release_tasks(s);
    aif_tokenizer_free(s->tok);
    aif_data_source_free(s->src);
    aif_data_client_free(s->client);
    aif_free(s->data_dir);
    aif_free(s->cache_dir);
    aif_free(s->endpoint);
    aif_free(s->hf_token);
    aif_free(s->tokenizer);
    aif_free(s->tasks);
    aif_free(s);
}

aif_code aif_eval_session_new(const aif_eval_opts *opts, aif_eval_session **out, aif_err *err)
{
    *out = NULL;
    aif_eval_session *s = aif_calloc_err(1, sizeof *s, "eval session", err);
    if (!s)
        return AIF_ENOMEM;
    if (opts)
        s->o = *opts;
    else
        aif_eval_opts_default(&s->o);
    aif_code rc = dup_opt(&s->data_dir, s->o.data_dir, err);
    if (!rc) rc = dup_opt(&s->cache_dir, s->o.cache_dir, err);
    if (!rc) rc = dup_opt(&s->endpoint, s->o.endpoint, err);
    if (!rc) rc = dup_opt(&s->hf_token, s->o.hf_token, err);
    if (!rc) rc = dup_opt(&s->tokenizer, s->o.tokenizer, err);
    if (!rc) rc = dup_opt(&s->tasks, s->o.tasks, err);
    if (!rc && s->o.offline && !s->cache_dir && !s->data_dir)
        rc = aif_err_set(err, AIF_EINVAL, "offline evaluation needs a page cache or a data folder");
    if (rc) {
        aif_eval_session_free(s);
        return rc;
    }
    s->o.data_dir = s->data_dir;
    s->o.cache_dir = s->cache_dir;
    s->o.endpoint = s->endpoint;
    s->o.hf_token = s->hf_token;
    s->o.tokenizer = s->tokenizer;
    s->o.tasks = s->tasks;
    *out = s;
    return AIF_OK;
}

static aif_code open_source(aif_eval_session *s, aif_err *err)
{
    if (s->src)
        return AIF_OK;
    if (s->data_dir)
        return aif_data_source_local(s->data_dir, &s->src, err);
    if (s->o.offline)
        return aif_data_source_cache(s->cache_dir, &s->src, err);
    aif_data_client_opts co;
    aif_data_client_opts_default(&co);
    co.base_url = s->endpoint;
    co.token = s->hf_token;
    aif_code rc = aif_data_client_new(&co, &s->client, err);
    if (!rc)
        rc = aif_data_source_remote(s->client, s->cache_dir, &s->src, err);
    return rc;
}

static aif_code load_tokenizer(aif_eval_session *s, const char *name, aif_err *err)
{
    if (s->tok && (s->tokenizer || !strcmp(s->tok_name, name)))
        return AIF_OK; /* an explicit --tokenizer stands for every competition */
    char path[PATH_MAX];
    const char *p = s->tokenizer;
    aif_code rc = AIF_OK;
    if (!p) {
        if ((rc = aif_eval_find_tokenizer(name, path, sizeof path, err)))
            return rc;
        p = path;
    }
    aif_tokenizer_free(s->tok);
    s->tok = NULL;
    if ((rc = aif_tokenizer_load(p, &s->tok, err)))
        return aif_err_wrap(err, "tokenizer '%s'", name);
    snprintf(s->tok_name, sizeof s->tok_name, "%s", name);
    return AIF_OK;
}

/* Whether task t is selected by the comma-separated list (names or dataset keys). */
static int selected(const char *list, const aif_subnet_task *t)
{
    if (!list || !*list)
        return 1;
    const aif_data_dataset *ds = aif_data_dataset_find(t->dataset->name);
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if ((strlen(t->name) == n && !strncasecmp(p, t->name, n)) ||
            (ds && strlen(ds->key) == n && !strncasecmp(p, ds->key, n)))
            return 1;
        p += n + (e ? 1 : 0);
    }
    return 0;
}

/* Names in the list that match no task of the competition. */
static aif_code check_task_list(const char *list, const aif_subnet_competition *c, aif_err *err)
{
    if (!list)
        return AIF_OK;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int found = 0;
        for (size_t i = 0; i < c->n_tasks && !found; i++) {
            const aif_data_dataset *ds = aif_data_dataset_find(c->tasks[i].dataset->name);
            found = (strlen(c->tasks[i].name) == n && !strncasecmp(p, c->tasks[i].name, n)) ||
                    (ds && strlen(ds->key) == n && !strncasecmp(p, ds->key, n));
        }
        if (!found)
            return aif_err_set(err, AIF_ENOTFOUND, "task '%.*s' is not in competition %d", (int)n, p, c->id);
        p += n + (e ? 1 : 0);
    }
    return AIF_OK;
}

aif_code aif_eval_session_prepare(aif_eval_session *s, const aif_subnet_competition *comp, uint64_t seed,
                                  const char *block_hash, aif_err *err)
{
    release_tasks(s);
    aif_code rc = check_task_list(s->tasks, comp, err);
    if (!rc)
        rc = load_tokenizer(s, comp->constraints.tokenizer ? comp->constraints.tokenizer : "", err);
    if (!rc)
        rc = open_source(s, err);
    if (rc)
        return rc;
    aif_data_tok tok;
    if ((rc = aif_data_tok_init(&tok, s->tok, err)))
        return rc;
    aif_pool *pool = s->o.pool, *own = NULL;
    if (!pool && s->o.n_threads && (rc = aif_pool_new(s->o.n_threads, &own, err)))
        return rc;
    if (own)
        pool = own;
    if (!(s->t = aif_calloc_err(comp->n_tasks ? comp->n_tasks : 1, sizeof *s->t, "tasks", err))) {
        aif_pool_free(own);
        return AIF_ENOMEM;
    }
    for (size_t i = 0; i < comp->n_tasks; i++) {
        const aif_subnet_task *t = &comp->tasks[i];
        if (!selected(s->tasks, t))
            continue;
        const aif_data_dataset *ds = aif_data_dataset_find(t->dataset->repo);
        if (!ds)
            ds = aif_data_dataset_find(t->dataset->name);
        if (!ds) {
            rc = aif_err_set(err, AIF_ENOTSUP, "task %s: dataset %s has no loader", t->name, t->dataset->repo);
            break;
        }
        aif_data_opts o;
        aif_data_opts_default(&o);
        o.config = t->dataset->config ? t->dataset->config : "default";
        o.split = t->dataset->split ? t->dataset->split : "train";
        o.n_pages = t->pages > 0 ? (size_t)t->pages : AIF_DATA_PAGES_PER_TASK;
        o.seq_len = (size_t)comp->constraints.sequence_length;
        o.chunk_len = o.seq_len;
        o.max_batches = s->o.max_batches ? s->o.max_batches : (size_t)comp->max_batches_per_task;
        o.have_seed = 1;
        o.seed = seed;
        o.block_hash = block_hash;
        o.pool = pool;
        struct task *st = &s->t[s->n_tasks];
        st->task = t;
        st->index = i;
        aif_log(AIF_LOG_INFO, "eval: loading %s batches (%s, %zu pages, seq %zu)", t->name, ds->key, o.n_pages,
                o.seq_len);
        if ((rc = aif_data_load(s->src, ds, &tok, &o, &st->b, err))) {
            aif_err_wrap(err, "task %s", t->name);
            aif_data_batches_release(&st->b);
            break;
        }
        s->n_tasks++;
    }
    aif_pool_free(own);
    if (rc) {
        release_tasks(s);
        return rc;
    }
    s->comp = comp;
    return AIF_OK;
}

const aif_tokenizer *aif_eval_session_tokenizer(const aif_eval_session *s) { return s->comp ? s->tok : NULL; }

size_t aif_eval_session_task_count(const aif_eval_session *s) { return s->n_tasks; }

aif_code aif_eval_session_batches(const aif_eval_session *s, size_t i, const char **task, const int32_t **ids,
                                  size_t *n_batches, size_t *seq_len, uint64_t *seed, aif_err *err)
{
    if (i >= s->n_tasks)
        return aif_err_set(err, AIF_ERANGE, "task %zu of %zu prepared", i, s->n_tasks);
    const struct task *t = &s->t[i];
    if (task) *task = t->task->name;
    if (ids) *ids = t->b.ids;
    if (n_batches) *n_batches = t->b.n_batches;
    if (seq_len) *seq_len = t->b.seq_len;
    if (seed) *seed = t->b.seed;
    return AIF_OK;
}

void aif_eval_result_release(aif_eval_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_tasks; i++)
        aif_eval_task_result_release(&r->tasks[i]);
    aif_free(r->tasks);
    r->tasks = NULL;
    r->n_tasks = 0;
}

struct bar {
    aif_progress p;
};

static void bar_update(void *ctx, uint64_t done, uint64_t total)
{
    struct bar *b = ctx;
    b->p.total = total;
    aif_progress_update(&b->p, done);
}

static void set_inf(aif_eval_result *r, const char *msg)
{
    r->score = INFINITY;
    snprintf(r->note, sizeof r->note, "%s", msg);
    for (size_t i = 0; i < r->n_tasks; i++) {
        r->tasks[i].raw = r->tasks[i].norm = r->tasks[i].weighted = INFINITY;
        snprintf(r->tasks[i].note, sizeof r->tasks[i].note, "%s", msg);
    }
}

aif_code aif_eval_session_score(aif_eval_session *s, const char *model_dir, aif_eval_result *r, aif_err *err)
{
    memset(r, 0, sizeof *r);
    r->score = INFINITY;
    r->n_params = -1;
    if (!s->comp)
        return aif_err_set(err, AIF_ESTATE, "eval: score before prepare");
    double t0 = aif_time_now();
    if (!(r->tasks = aif_calloc_err(s->n_tasks ? s->n_tasks : 1, sizeof *r->tasks, "task results", err)))
        return AIF_ENOMEM;
    r->n_tasks = s->n_tasks;
    for (size_t i = 0; i < s->n_tasks; i++) {
        snprintf(r->tasks[i].name, sizeof r->tasks[i].name, "%s", s->t[i].task->name);
        r->tasks[i].weight = s->t[i].task->weight;
    }
    aif_model *m = NULL;
    aif_err e = {0};
    aif_pool *pool = s->o.pool, *own = NULL;
    aif_code prc = !pool && s->o.n_threads ? aif_pool_new(s->o.n_threads, &own, err) : AIF_OK;
    if (prc) {
        aif_eval_result_release(r);
        return prc;
    }
    if (own)
        pool = own;
    aif_code rc = aif_model_load(model_dir, &m, &e);
    if (rc == AIF_ENOMEM) {
        aif_pool_free(own);
        aif_eval_result_release(r);
        return aif_err_set(err, rc, "%s", e.msg);
    }
    if (rc) {
        aif_pool_free(own);
        set_inf(r, e.msg);
        r->seconds = aif_time_now() - t0;
        return AIF_OK;
    }
    r->n_params = (int64_t)aif_model_param_count(m);
    aif_model_set_compute(m, s->o.compute);
    int64_t eos[AIF_MODEL_MAX_EOS * 2];
    size_t n_eos = aif_eval_eos_ids(model_dir, aif_model_get_config(m), eos, sizeof eos / sizeof eos[0]);
    double deadline = s->o.timeout_s > 0 ? t0 + s->o.timeout_s : 0;
    int32_t pad = s->tok ? aif_tokenizer_pad_id(s->tok) : -1;
    const char *base = strrchr(model_dir, '/');
    base = base && base[1] ? base + 1 : model_dir;
    for (size_t i = 0; i < s->n_tasks; i++) {
        struct task *t = &s->t[i];
        aif_eval_task_result *tr = &r->tasks[i];
        struct bar bar;
        char label[64];
        snprintf(label, sizeof label, "%.40s %s", base, t->task->name);
        aif_progress_init(&bar.p, label, (uint64_t)t->b.n_batches * t->b.seq_len, "tok", s->o.quiet);
        aif_eval_score_opts so;
        aif_eval_score_opts_default(&so);
        so.argmax = s->o.argmax;
        so.pad_id = pad;
        so.skip_reasonable = s->o.skip_reasonable;
        so.deadline = deadline;
        so.eos_ids = eos;
        so.n_eos = n_eos;
        so.progress = bar_update;
        so.progress_ctx = &bar;
        rc = aif_eval_score_task(m, pool, t->b.ids, t->b.n_batches, t->b.seq_len, &so, tr, err);
        aif_progress_finish(&bar.p);
        if (rc) {
            aif_model_free(m);
            aif_pool_free(own);
            aif_eval_result_release(r);
            return rc;
        }
        tr->weight = t->task->weight;
        tr->norm = aif_subnet_normalize(t->task, tr->raw);
        tr->weighted = tr->norm * tr->weight;
        r->n_positions += tr->n_positions;
        if (tr->note[0])
            aif_log(AIF_LOG_INFO, "eval: %s %s: inf: %s", model_dir, tr->name, tr->note);
    }
    aif_model_free(m);
    aif_pool_free(own);
    double score = 0;
    for (size_t i = 0; i < r->n_tasks; i++) {
        if (!isfinite(r->tasks[i].weighted)) {
            score = INFINITY;
            break;
        }
        score += r->tasks[i].weighted;
    }
    r->score = score;
    r->seconds = aif_time_now() - t0;
    return AIF_OK;
}

/* ------------------------------------------------------------ validator */

aif_code aif_eval_validator_inspect(void *ctx, const char *snapshot_dir, char arch[AIF_EVAL_ARCH_MAX],
                                    int64_t *n_params, aif_err *err)
{
    (void)ctx;
    return aif_eval_inspect(snapshot_dir, arch, n_params, err);
}

aif_code aif_eval_validator_prepare(void *ctx, const aif_subnet_competition *comp, uint64_t block, uint64_t seed,
                                    aif_err *err)
{
    (void)block;
    return aif_eval_session_prepare(ctx, comp, seed, NULL, err);
}

aif_code aif_eval_validator_score(void *ctx, const char *snapshot_dir, const aif_subnet_competition *comp,
                                  double *raw, aif_err *err)
{
    aif_eval_session *s = ctx;
    if (!s->comp || s->comp->id != comp->id)
        return aif_err_set(err, AIF_ESTATE, "eval: the step's data were prepared for competition %d, not %d",
                           s->comp ? s->comp->id : -1, comp->id);
    for (size_t i = 0; i < comp->n_tasks; i++)
        raw[i] = INFINITY;
    aif_eval_result r;
    aif_code rc = aif_eval_session_score(s, snapshot_dir, &r, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < r.n_tasks && i < s->n_tasks; i++)
        if (s->t[i].index < comp->n_tasks)
            raw[s->t[i].index] = r.tasks[i].raw;
    aif_eval_result_release(&r);
    return AIF_OK;
}

/* ------------------------------------------------------------ ranking */

void aif_eval_ranking_release(aif_eval_ranking *r)
{
    if (!r)
        return;
    aif_free(r->wins);
    aif_free(r->win_rate);
    aif_free(r->weight);
    memset(r, 0, sizeof *r);
}

aif_code aif_eval_rank(const aif_subnet_competition *comp, size_t n, const double *scores, const int64_t *blocks,
                       int64_t current_block, aif_eval_ranking *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    if (n > UINT16_MAX)
        return aif_err_set(err, AIF_ERANGE, "%zu models: at most %d", n, UINT16_MAX);
    size_t m = n ? n : 1;
    out->wins = aif_calloc_err(m, sizeof *out->wins, "wins", err);
    out->win_rate = aif_calloc_err(m, sizeof *out->win_rate, "win rates", err);
    out->weight = aif_calloc_err(m, sizeof *out->weight, "weights", err);
    int64_t *bl = aif_calloc_err(m, sizeof *bl, "blocks", err);
    uint16_t *uids = aif_calloc_err(m, sizeof *uids, "uids", err);
    aif_code rc = AIF_OK;
    if (!out->wins || !out->win_rate || !out->weight || !bl || !uids) {
        rc = AIF_ENOMEM;
    } else {
        for (size_t i = 0; i < n; i++) {
            bl[i] = blocks ? blocks[i] : current_block;
            uids[i] = (uint16_t)i;
        }
        aif_subnet_params p;
        aif_subnet_params_default(&p);
        aif_subnet_compute_wins(n, scores, bl, &comp->constraints.epsilon, current_block, p.min_diff, p.max_diff,
                                out->wins, out->win_rate);
        out->top = aif_subnet_top_index(n, out->win_rate);
        rc = aif_subnet_step_weights(n, uids, out->win_rate, bl, current_block, &p, out->weight, n, err);
    }
    aif_free(bl);
    aif_free(uids);
    if (rc)
        aif_eval_ranking_release(out);
    return rc;
}
