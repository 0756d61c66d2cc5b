/* competitions.c: the competitions document (spec 2.3-2.6): parsing with
 * jansson, validation with errors that name the JSON path, and lookups by
 * block and id.
 *
 * Document shape (src/subnet/competitions.json is the bundled one):
 *   { "format": "aif-competitions", "version": 1, "comment": "...",
 *     "datasets": [ {name, id, repo, config, split, max_pages}, ... ],
 *     "competitions": [ {id, name, constraints{...}, max_batches_per_task,
 *                        eval_tasks[ {name, method, dataset, normalization,
 *                                     batch_size, pages, weight} ]}, ... ],
 *     "schedules": { "<name>": [ {start_block, competitions[ {id, reward_share} ]} ] } }
 * Every object may carry a "comment" string; any other unknown key is an
 * error, so a typo never silently falls back to a default.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "subnet_int.h"

struct sched {
    const char *name;
    aif_subnet_schedule_entry *entries;
    size_t n_entries;
};

struct aif_subnet_competitions {
    json_t *root;                       /* keeps every borrowed string alive */
    aif_subnet_dataset *datasets;
    size_t n_datasets;
    aif_subnet_competition *comps;
    size_t n_comps;
    struct sched *scheds;
    size_t n_scheds;
};

/* ---- small typed getters; each error names source and path ---- */

typedef struct ctx {
    const char *src;
    aif_err *err;
} ctx;

static aif_code fail(ctx *c, aif_code code, const char *path, const char *what)
{
    return aif_err_set(c->err, code, "%s: %s: %s", c->src, path, what);
}

static aif_code check_keys(ctx *c, json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *v;
    if (!json_is_object(obj))
        return fail(c, AIF_EFORMAT, path, "expected an object");
    json_object_foreach(obj, key, v) {
        int ok = !strcmp(key, "comment");
        for (size_t i = 0; !ok && allowed[i]; i++)
            ok = !strcmp(key, allowed[i]);
        if (!ok)
            return aif_err_set(c->err, AIF_EFORMAT, "%s: %s: unknown key '%.64s'", c->src, path, key);
        if (!strcmp(key, "comment") && !json_is_string(v))
            return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.comment: expected a string", c->src, path);
    }
    return AIF_OK;
}

static aif_code get_str(ctx *c, json_t *obj, const char *path, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.%s: missing", c->src, path, key);
    if (!json_is_string(v))
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.%s: expected a string", c->src, path, key);
    const char *s = json_string_value(v);
    if (!s[0] || strlen(s) != json_string_length(v))
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.%s: empty or containing NUL", c->src, path, key);
    *out = s;
    return AIF_OK;
}

/* An integer in [lo, hi]; an integral real (3e9) is accepted too. */
static aif_code get_int(ctx *c, json_t *obj, const char *path, const char *key, int64_t lo, int64_t hi,
                        int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.%s: missing", c->src, path, key);
    int64_t x;
    if (json_is_integer(v)) {
        x = (int64_t)json_integer_value(v);
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!(d >= -9.2e18 && d <= 9.2e18) || d != floor(d))
            return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.%s: expected an integer, found %g", c->src, path,
                               key, d);
        x = (int64_t)d;
    } else {
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.%s: expected an integer", c->src, path, key);
    }
    if (x < lo || x > hi)
        return aif_err_set(c->err, AIF_ERANGE, "%s: %s.%s: %lld outside [%lld, %lld]", c->src, path, key,
                           (long long)x, (long long)lo, (long long)hi);
    *out = x;
    return AIF_OK;
}

static aif_code get_int32(ctx *c, json_t *obj, const char *path, const char *key, int64_t lo, int64_t hi, int *out)
{
    int64_t x;
    aif_code rc = get_int(c, obj, path, key, lo, hi, &x);
    if (!rc)
        *out = (int)x;
    return rc;
}

/* A finite number in [lo, hi] (open at lo when lo_open). */
static aif_code get_num(ctx *c, json_t *obj, const char *path, const char *key, double lo, int lo_open, double hi,
                        double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.%s: missing", c->src, path, key);
    if (!json_is_number(v))
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.%s: expected a number", c->src, path, key);
    double x = json_number_value(v);
    if (!isfinite(x) || x < lo || (lo_open && x == lo) || x > hi)
        return aif_err_set(c->err, AIF_ERANGE, "%s: %s.%s: %g outside %s%g, %g]", c->src, path, key, x,
                           lo_open ? "(" : "[", lo, hi);
    *out = x;
    return AIF_OK;
}

static aif_code get_array(ctx *c, json_t *obj, const char *path, const char *key, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.%s: missing", c->src, path, key);
    if (!json_is_array(v))
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.%s: expected an array", c->src, path, key);
    if (json_array_size(v) == 0)
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.%s: empty array", c->src, path, key);
    *out = v;
    return AIF_OK;
}

/* Python math.isclose(sum, 1.0, rel_tol=1e-9), the reference's assertion. */
static int sums_to_one(double s)
{
    return fabs(s - 1.0) <= 1e-9 * fmax(fabs(s), 1.0);
}

#define TRY(x) do { aif_code rc_ = (x); if (rc_) return rc_; } while (0)

/* ---- sections ---- */

static aif_code parse_dataset(ctx *c, json_t *o, const char *path, aif_subnet_dataset *d)
{
    static const char *const keys[] = {"name", "id", "repo", "config", "split", "max_pages", NULL};
    TRY(check_keys(c, o, path, keys));
    TRY(get_str(c, o, path, "name", &d->name));
    TRY(get_int32(c, o, path, "id", 0, 1000000, &d->id));
    TRY(get_str(c, o, path, "repo", &d->repo));
    TRY(get_str(c, o, path, "config", &d->config));
    TRY(get_str(c, o, path, "split", &d->split));
    TRY(get_int(c, o, path, "max_pages", 1, INT64_C(1) << 40, &d->max_pages));
    return AIF_OK;
}

static aif_code parse_epsilon(ctx *c, json_t *o, const char *path, aif_subnet_epsilon *e)
{
    const char *fn;
    if (!json_is_object(o))
        return fail(c, AIF_EFORMAT, path, "expected an object");
    TRY(get_str(c, o, path, "function", &fn));
    memset(e, 0, sizeof *e);
    if (!strcmp(fn, "linear_decay")) {
        static const char *const keys[] = {"function", "start", "end", "decay_blocks", NULL};
        TRY(check_keys(c, o, path, keys));
        e->kind = AIF_SUBNET_EPS_LINEAR_DECAY;
        TRY(get_num(c, o, path, "start", 0, 0, 1, &e->start));
        TRY(get_num(c, o, path, "end", 0, 0, 1, &e->end));
        TRY(get_int(c, o, path, "decay_blocks", 1, INT64_C(1) << 40, &e->decay_blocks));
        if (e->end > e->start)
            return aif_err_set(c->err, AIF_ERANGE, "%s: %s: end %g is above start %g", c->src, path, e->end,
                               e->start);
    } else if (!strcmp(fn, "fixed")) {
        static const char *const keys[] = {"function", "value", NULL};
        TRY(check_keys(c, o, path, keys));
        e->kind = AIF_SUBNET_EPS_FIXED;
        TRY(get_num(c, o, path, "value", 0, 0, 1, &e->value));
    } else {
        return aif_err_set(c->err, AIF_EFORMAT,
                           "%s: %s.function: unknown epsilon function '%.64s' (expected linear_decay or fixed)",
                           c->src, path, fn);
    }
    return AIF_OK;
}

static aif_code parse_constraints(ctx *c, json_t *o, const char *path, aif_subnet_constraints *k)
{
    static const char *const keys[] = {"min_parameters", "max_parameters", "sequence_length",
                                       "allowed_architectures", "tokenizer", "max_bytes", "dtype",
                                       "eval_block_delay", "epsilon", NULL};
    char sub[256];
    TRY(check_keys(c, o, path, keys));
    TRY(get_int(c, o, path, "min_parameters", 1, INT64_C(1) << 50, &k->min_parameters));
    TRY(get_int(c, o, path, "max_parameters", 1, INT64_C(1) << 50, &k->max_parameters));
    if (k->min_parameters > k->max_parameters)
        return aif_err_set(c->err, AIF_ERANGE, "%s: %s: min_parameters %lld above max_parameters %lld", c->src,
                           path, (long long)k->min_parameters, (long long)k->max_parameters);
    TRY(get_int32(c, o, path, "sequence_length", 2, 1 << 20, &k->sequence_length));
    TRY(get_str(c, o, path, "tokenizer", &k->tokenizer));
    TRY(get_int(c, o, path, "max_bytes", 1, INT64_C(1) << 50, &k->max_bytes));
    TRY(get_str(c, o, path, "dtype", &k->dtype));
    if (strcmp(k->dtype, "bf16") && strcmp(k->dtype, "f16") && strcmp(k->dtype, "f32"))
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.dtype: '%.32s' is not bf16, f16 or f32", c->src, path,
                           k->dtype);
    TRY(get_int(c, o, path, "eval_block_delay", 0, INT64_C(1) << 40, &k->eval_block_delay));
    json_t *e = json_object_get(o, "epsilon");
    snprintf(sub, sizeof sub, "%.180s.epsilon", path);
    if (!e)
        return fail(c, AIF_EFORMAT, sub, "missing");
    TRY(parse_epsilon(c, e, sub, &k->epsilon));

    json_t *arr;
    TRY(get_array(c, o, path, "allowed_architectures", &arr));
    size_t n = json_array_size(arr);
    aif_subnet_arch *archs = aif_calloc_err(n, sizeof *archs, "architectures", c->err);
    if (!archs)
        return AIF_ENOMEM;
    k->archs = archs; /* freed by aif_subnet_competitions_free even on failure */
    k->n_archs = n;
    for (size_t i = 0; i < n; i++) {
        static const char *const akeys[] = {"name", "runnable", NULL};
        json_t *a = json_array_get(arr, i);
        snprintf(sub, sizeof sub, "%.180s.allowed_architectures[%zu]", path, i);
        TRY(check_keys(c, a, sub, akeys));
        TRY(get_str(c, a, sub, "name", &archs[i].name));
        json_t *r = json_object_get(a, "runnable");
        if (r && !json_is_boolean(r))
            return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.runnable: expected true or false", c->src, sub);
        archs[i].runnable = r ? json_is_true(r) : 1;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(archs[j].name, archs[i].name))
                return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.name: duplicate architecture '%.64s'", c->src,
                                   sub, archs[i].name);
    }
    return AIF_OK;
}

static aif_code parse_task(ctx *c, const aif_subnet_competitions *cs, json_t *o, const char *path, aif_subnet_task *t)
{
    static const char *const keys[] = {"name", "method", "dataset", "normalization", "batch_size", "pages", "weight",
                                       NULL};
    char sub[256];
    const char *s;
    TRY(check_keys(c, o, path, keys));
    TRY(get_str(c, o, path, "name", &t->name));
    TRY(get_str(c, o, path, "method", &s));
    if (strcmp(s, "text_loss"))
        return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.method: unknown method '%.64s' (expected text_loss)",
                           c->src, path, s);
    t->method = AIF_SUBNET_METHOD_TEXT_LOSS;
    TRY(get_str(c, o, path, "dataset", &s));
    t->dataset = NULL;
    for (size_t i = 0; i < cs->n_datasets; i++)
        if (!strcmp(cs->datasets[i].name, s))
            t->dataset = &cs->datasets[i];
    if (!t->dataset)
        return aif_err_set(c->err, AIF_ENOTFOUND, "%s: %s.dataset: unknown dataset '%.64s'", c->src, path, s);

    json_t *n = json_object_get(o, "normalization");
    snprintf(sub, sizeof sub, "%.180s.normalization", path);
    if (!n)
        return fail(c, AIF_EFORMAT, sub, "missing");
    if (!json_is_object(n))
        return fail(c, AIF_EFORMAT, sub, "expected an object");
    TRY(get_str(c, n, sub, "id", &s));
    t->ceiling = 0;
    if (!strcmp(s, "none")) {
        /* NONE takes no kwargs (the reference's EvalTask validation). */
        static const char *const nkeys[] = {"id", NULL};
        TRY(check_keys(c, n, sub, nkeys));
        t->normalization = AIF_SUBNET_NORM_NONE;
    } else if (!strcmp(s, "inverse_exponential")) {
        static const char *const nkeys[] = {"id", "ceiling", NULL};
        TRY(check_keys(c, n, sub, nkeys));
        t->normalization = AIF_SUBNET_NORM_INVERSE_EXPONENTIAL;
        TRY(get_num(c, n, sub, "ceiling", 0, 1, 1e300, &t->ceiling));
    } else {
        return aif_err_set(c->err, AIF_EFORMAT,
                           "%s: %s.id: unknown normalization '%.64s' (expected none or inverse_exponential)", c->src,
                           sub, s);
    }
    TRY(get_int32(c, o, path, "batch_size", 1, 1 << 16, &t->batch_size));
    TRY(get_int32(c, o, path, "pages", 1, 1 << 16, &t->pages));
    TRY(get_num(c, o, path, "weight", 0, 1, 1, &t->weight));
    return AIF_OK;
}

static aif_code parse_competition(ctx *c, aif_subnet_competitions *cs, json_t *o, const char *path,
                                  aif_subnet_competition *k)
{
    static const char *const keys[] = {"id", "name", "constraints", "max_batches_per_task", "eval_tasks", NULL};
    char sub[256];
    TRY(check_keys(c, o, path, keys));
    TRY(get_int32(c, o, path, "id", 0, 99, &k->id));
    TRY(get_str(c, o, path, "name", &k->name));
    TRY(get_int32(c, o, path, "max_batches_per_task", 1, 1 << 20, &k->max_batches_per_task));
    json_t *con = json_object_get(o, "constraints");
    snprintf(sub, sizeof sub, "%.180s.constraints", path);
    if (!con)
        return fail(c, AIF_EFORMAT, sub, "missing");
    TRY(parse_constraints(c, con, sub, &k->constraints));

    json_t *arr;
    TRY(get_array(c, o, path, "eval_tasks", &arr));
    size_t n = json_array_size(arr);
    aif_subnet_task *tasks = aif_calloc_err(n, sizeof *tasks, "eval tasks", c->err);
    if (!tasks)
        return AIF_ENOMEM;
    k->tasks = tasks;
    k->n_tasks = n;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(sub, sizeof sub, "%.180s.eval_tasks[%zu]", path, i);
        TRY(parse_task(c, cs, json_array_get(arr, i), sub, &tasks[i]));
        for (size_t j = 0; j < i; j++)
            if (!strcmp(tasks[j].name, tasks[i].name))
                return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.name: duplicate task '%.64s'", c->src, sub,
                                   tasks[i].name);
        sum += tasks[i].weight;
    }
    if (!sums_to_one(sum))
        return aif_err_set(c->err, AIF_ERANGE, "%s: %s.eval_tasks: weights sum to %.12g, not 1", c->src, path, sum);
    return AIF_OK;
}

static aif_code parse_schedule(ctx *c, aif_subnet_competitions *cs, json_t *arr, const char *path, struct sched *s)
{
    char sub[256], sub2[300];
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(c, AIF_EFORMAT, path, "expected a non-empty array of entries");
    size_t n = json_array_size(arr);
    s->entries = aif_calloc_err(n, sizeof *s->entries, "schedule", c->err);
    if (!s->entries)
        return AIF_ENOMEM;
    s->n_entries = n;
    for (size_t i = 0; i < n; i++) {
        static const char *const keys[] = {"start_block", "competitions", NULL};
        aif_subnet_schedule_entry *e = &s->entries[i];
        json_t *o = json_array_get(arr, i), *slots;
        snprintf(sub, sizeof sub, "%.180s[%zu]", path, i);
        TRY(check_keys(c, o, sub, keys));
        TRY(get_int(c, o, sub, "start_block", 0, INT64_C(1) << 50, &e->start_block));
        if (i > 0 && e->start_block <= s->entries[i - 1].start_block)
            return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.start_block: %lld is not after the previous entry's %lld",
                               c->src, sub, (long long)e->start_block, (long long)s->entries[i - 1].start_block);
        TRY(get_array(c, o, sub, "competitions", &slots));
        size_t m = json_array_size(slots);
        aif_subnet_slot *sl = aif_calloc_err(m, sizeof *sl, "schedule slots", c->err);
        if (!sl)
            return AIF_ENOMEM;
        e->slots = sl;
        e->n_slots = m;
        double sum = 0;
        for (size_t j = 0; j < m; j++) {
            static const char *const skeys[] = {"id", "reward_share", NULL};
            json_t *so = json_array_get(slots, j);
            int id;
            snprintf(sub2, sizeof sub2, "%.220s.competitions[%zu]", sub, j);
            TRY(check_keys(c, so, sub2, skeys));
            TRY(get_int32(c, so, sub2, "id", 0, 99, &id));
            TRY(get_num(c, so, sub2, "reward_share", 0, 0, 1, &sl[j].reward_share));
            sl[j].competition = aif_subnet_competition_get(cs, id);
            if (!sl[j].competition)
                return aif_err_set(c->err, AIF_ENOTFOUND, "%s: %s.id: unknown competition %d", c->src, sub2, id);
            for (size_t q = 0; q < j; q++)
                if (sl[q].competition == sl[j].competition)
                    return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.id: competition %d listed twice", c->src, sub2,
                                       id);
            sum += sl[j].reward_share;
        }
        if (!sums_to_one(sum))
            return aif_err_set(c->err, AIF_ERANGE, "%s: %s.competitions: reward shares sum to %.12g, not 1", c->src,
                               sub, sum);
    }
    return AIF_OK;
}

static aif_code parse_doc(ctx *c, aif_subnet_competitions *cs)
{
    static const char *const keys[] = {"format", "version", "datasets", "competitions", "schedules", NULL};
    json_t *root = cs->root, *arr;
    const char *fmt;
    char sub[256];
    int64_t version;
    TRY(check_keys(c, root, "(root)", keys));
    TRY(get_str(c, root, "(root)", "format", &fmt));
    if (strcmp(fmt, "aif-competitions"))
        return aif_err_set(c->err, AIF_EFORMAT, "%s: format: '%.64s' is not aif-competitions", c->src, fmt);
    TRY(get_int(c, root, "(root)", "version", 1, 1, &version));

    TRY(get_array(c, root, "(root)", "datasets", &arr));
    cs->n_datasets = json_array_size(arr);
    cs->datasets = aif_calloc_err(cs->n_datasets, sizeof *cs->datasets, "datasets", c->err);
    if (!cs->datasets)
        return AIF_ENOMEM;
    for (size_t i = 0; i < cs->n_datasets; i++) {
        snprintf(sub, sizeof sub, "datasets[%zu]", i);
        TRY(parse_dataset(c, json_array_get(arr, i), sub, &cs->datasets[i]));
        for (size_t j = 0; j < i; j++)
            if (!strcmp(cs->datasets[j].name, cs->datasets[i].name) || cs->datasets[j].id == cs->datasets[i].id)
                return aif_err_set(c->err, AIF_EFORMAT, "%s: %s: duplicate dataset name or id ('%.64s', %d)", c->src,
                                   sub, cs->datasets[i].name, cs->datasets[i].id);
    }

    TRY(get_array(c, root, "(root)", "competitions", &arr));
    size_t n = json_array_size(arr);
    cs->comps = aif_calloc_err(n, sizeof *cs->comps, "competitions", c->err);
    if (!cs->comps)
        return AIF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        snprintf(sub, sizeof sub, "competitions[%zu]", i);
        cs->n_comps = i + 1; /* so that free() sees the partly built entry */
        TRY(parse_competition(c, cs, json_array_get(arr, i), sub, &cs->comps[i]));
        for (size_t j = 0; j < i; j++)
            if (cs->comps[j].id == cs->comps[i].id)
                return aif_err_set(c->err, AIF_EFORMAT, "%s: %s.id: duplicate competition id %d", c->src, sub,
                                   cs->comps[i].id);
    }

    json_t *scheds = json_object_get(root, "schedules");
    if (!scheds)
        return fail(c, AIF_EFORMAT, "schedules", "missing");
    if (!json_is_object(scheds) || json_object_size(scheds) == 0)
        return fail(c, AIF_EFORMAT, "schedules", "expected a non-empty object of name -> entries");
    cs->scheds = aif_calloc_err(json_object_size(scheds), sizeof *cs->scheds, "schedules", c->err);
    if (!cs->scheds)
        return AIF_ENOMEM;
    const char *key;
    json_t *v;
    json_object_foreach(scheds, key, v) {
        struct sched *s = &cs->scheds[cs->n_scheds++];
        s->name = key;
        if (!key[0])
            return fail(c, AIF_EFORMAT, "schedules", "empty schedule name");
        snprintf(sub, sizeof sub, "schedules.%.200s", key);
        TRY(parse_schedule(c, cs, v, sub, s));
    }
    return AIF_OK;
}

aif_code aif_subnet_competitions_parse(const char *text, size_t len, const char *source,
                                       aif_subnet_competitions **out, aif_err *err)
{
    ctx c = {source ? source : "competitions", err};
    *out = NULL;
    aif_subnet_competitions *cs = aif_calloc_err(1, sizeof *cs, "competitions", err);
    if (!cs)
        return AIF_ENOMEM;
    json_error_t je;
    /* JSON_PRESERVE_ORDER keeps the schedules in document order. */
    cs->root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_PRESERVE_ORDER, &je);
    if (!cs->root) {
        aif_subnet_competitions_free(cs);
        return aif_err_set(err, AIF_EFORMAT, "%s: line %d column %d (byte %d): %s", c.src, je.line, je.column,
                           je.position, je.text);
    }
    aif_code rc = parse_doc(&c, cs);
    if (rc) {
        aif_subnet_competitions_free(cs);
        return rc;
    }
    *out = cs;
    return AIF_OK;
}

aif_code aif_subnet_competitions_load(const char *path, aif_subnet_competitions **out, aif_err *err)
{
    char *text;
    size_t len;
    *out = NULL;
    aif_code rc = aif_fs_read_file(path, 16u << 20, &text, &len, err);
    if (rc)
        return rc;
    rc = aif_subnet_competitions_parse(text, len, path, out, err);
    aif_free(text);
    return rc;
}

const char *aif_subnet_competitions_default_json(size_t *len)
{
    if (len)
        *len = (size_t)aif_subnet_competitions_json_len;
    return aif_subnet_competitions_json;
}

aif_code aif_subnet_competitions_default(aif_subnet_competitions **out, aif_err *err)
{
    return aif_subnet_competitions_parse(aif_subnet_competitions_json, (size_t)aif_subnet_competitions_json_len,
                                         "bundled competitions.json", out, err);
}

aif_code aif_subnet_competitions_open(const char *path, aif_subnet_competitions **out, aif_err *err)
{
    return path ? aif_subnet_competitions_load(path, out, err) : aif_subnet_competitions_default(out, err);
}

void aif_subnet_competitions_free(aif_subnet_competitions *cs)
{
    if (!cs)
        return;
    for (size_t i = 0; i < cs->n_comps; i++) {
        aif_free((void *)cs->comps[i].constraints.archs);
        aif_free((void *)cs->comps[i].tasks);
    }
    for (size_t i = 0; i < cs->n_scheds; i++) {
        for (size_t j = 0; j < cs->scheds[i].n_entries; j++)
            aif_free((void *)cs->scheds[i].entries[j].slots);
        aif_free(cs->scheds[i].entries);
    }
    aif_free(cs->scheds);
    aif_free(cs->comps);
    aif_free(cs->datasets);
    if (cs->root)
        json_decref(cs->root);
    aif_free(cs);
}

/* ---- lookups ---- */

size_t aif_subnet_schedule_count(const aif_subnet_competitions *cs)
{
    return cs->n_scheds;
}

const char *aif_subnet_schedule_name(const aif_subnet_competitions *cs, size_t i)
{
    return i < cs->n_scheds ? cs->scheds[i].name : NULL;
}

aif_code aif_subnet_schedule_at(const aif_subnet_competitions *cs, const char *schedule, int64_t block,
                                const aif_subnet_schedule_entry **out, aif_err *err)
{
    if (!schedule)
        schedule = "main";
    *out = NULL;
    for (size_t i = 0; i < cs->n_scheds; i++) {
        const struct sched *s = &cs->scheds[i];
        if (strcmp(s->name, schedule))
            continue;
        for (size_t j = 0; j < s->n_entries; j++)
            if (s->entries[j].start_block <= block)
                *out = &s->entries[j]; /* entries ascend: the last qualifying one wins */
        if (!*out)
            return aif_err_set(err, AIF_ENOTFOUND, "schedule '%s': no entry starts at or before block %lld",
                               schedule, (long long)block);
        return AIF_OK;
    }
    return aif_err_set(err, AIF_ENOTFOUND, "no schedule named '%s'", schedule);
}

const aif_subnet_competition *aif_subnet_competition_at(const aif_subnet_competitions *cs, const char *schedule,
                                                        int64_t block, int id)
{
    const aif_subnet_schedule_entry *e;
    if (aif_subnet_schedule_at(cs, schedule, block, &e, NULL))
        return NULL;
    for (size_t i = 0; i < e->n_slots; i++)
        if (e->slots[i].competition->id == id)
            return e->slots[i].competition;
    return NULL;
}

const aif_subnet_competition *aif_subnet_competition_get(const aif_subnet_competitions *cs, int id)
{
    for (size_t i = 0; i < cs->n_comps; i++)
        if (cs->comps[i].id == id && cs->comps[i].tasks) /* tasks: fully parsed */
            return &cs->comps[i];
    return NULL;
}

int aif_subnet_arch_allowed(const aif_subnet_competition *c, const char *arch, int *runnable)
{
    for (size_t i = 0; i < c->constraints.n_archs; i++)
        if (!strcmp(c->constraints.archs[i].name, arch)) {
            if (runnable)
                *runnable = c->constraints.archs[i].runnable;
            return 1;
        }
    if (runnable)
        *runnable = 0;
    return 0;
}

aif_code aif_subnet_check_model(const aif_subnet_competition *c, const char *arch, int64_t n_parameters,
                                int64_t repo_bytes, aif_err *err)
{
    const aif_subnet_constraints *k = &c->constraints;
    if (repo_bytes >= 0 && repo_bytes > k->max_bytes)
        return aif_err_set(err, AIF_ECONSTRAINT, "competition %d: the repo holds %lld bytes, more than max_bytes %lld",
                           c->id, (long long)repo_bytes, (long long)k->max_bytes);
    if (arch) {
        int runnable;
        if (!aif_subnet_arch_allowed(c, arch, &runnable))
            return aif_err_set(err, AIF_ECONSTRAINT, "competition %d: architecture '%.64s' is not allowed", c->id,
                               arch);
        if (!runnable)
            return aif_err_set(err, AIF_ENOTSUP,
                               "competition %d: architecture '%.64s' is allowed but aif cannot evaluate it yet", c->id,
                               arch);
    }
    if (n_parameters >= 0 && (n_parameters < k->min_parameters || n_parameters > k->max_parameters))
        return aif_err_set(err, AIF_ECONSTRAINT, "competition %d: %lld parameters, outside [%lld, %lld]", c->id,
                           (long long)n_parameters, (long long)k->min_parameters, (long long)k->max_parameters);
    return AIF_OK;
}

int aif_subnet_eval_delay_passed(const aif_subnet_competition *c, int64_t current_block, int64_t commit_block)
{
    if (commit_block == AIF_SUBNET_NO_BLOCK || commit_block > current_block)
        return 0;
    return current_block - commit_block >= c->constraints.eval_block_delay;
}

double aif_subnet_normalize(const aif_subnet_task *t, double raw)
{
    if (t->normalization == AIF_SUBNET_NORM_INVERSE_EXPONENTIAL) {
        if (raw >= t->ceiling)
            return 1.0;
        return (1.0 - exp(-raw / t->ceiling)) / (1.0 - exp(-1.0));
    }
    return raw;
}

double aif_subnet_epsilon_at(const aif_subnet_epsilon *e, int64_t current_block, int64_t model_block)
{
    if (e->kind == AIF_SUBNET_EPS_FIXED)
        return e->value;
    /* d = max(c - m, 0) without overflow for the NO_BLOCK sentinel. */
    double d = current_block > model_block ? (double)current_block - (double)model_block : 0.0;
    double frac = fmin(d / (double)e->decay_blocks, 1.0);
    return e->start - frac * (e->start - e->end);
}
