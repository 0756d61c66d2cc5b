/* tracker.c: the competition tracker (spec 7.4, taoverse
 * CompetitionTracker): an exponential moving average of the step weights of
 * each competition, and the subnet weights mixed by reward share. Float32
 * vectors, like the torch tensors of the reference. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/json.h"
#include "subnet_int.h"

struct entry {
    int id;
    float *w; /* num_neurons */
};

struct aif_subnet_tracker {
    size_t num_neurons;
    double alpha;       /* weight of the stored vector */
    struct entry *e;
    size_t n;
};

aif_subnet_tracker *aif_subnet_tracker_new(size_t num_neurons, double alpha)
{
    aif_subnet_tracker *t = aif_calloc(1, sizeof *t);
    if (t) {
        t->num_neurons = num_neurons;
        t->alpha = alpha;
    }
    return t;
}

void aif_subnet_tracker_free(aif_subnet_tracker *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        aif_free(t->e[i].w);
    aif_free(t->e);
    aif_free(t);
}

size_t aif_subnet_tracker_num_neurons(const aif_subnet_tracker *t)
{
    return t->num_neurons;
}

size_t aif_subnet_tracker_count(const aif_subnet_tracker *t)
{
    return t->n;
}

int aif_subnet_tracker_id(const aif_subnet_tracker *t, size_t i)
{
    return i < t->n ? t->e[i].id : -1;
}

static struct entry *find(const aif_subnet_tracker *t, int id)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->e[i].id == id)
            return &t->e[i];
    return NULL;
}

const float *aif_subnet_tracker_get(const aif_subnet_tracker *t, int id)
{
    struct entry *e = find(t, id);
    return e ? e->w : NULL;
}

/* Grow every stored vector with zeros to n (n >= num_neurons). */
static aif_code resize(aif_subnet_tracker *t, size_t n, aif_err *err)
{
    if (n < t->num_neurons)
        return aif_err_set(err, AIF_ERANGE, "competition tracker: %zu weights for %zu neurons (cannot shrink)", n,
                           t->num_neurons);
    if (n == t->num_neurons)
        return AIF_OK;
    for (size_t i = 0; i < t->n; i++) {
        float *w = aif_realloc(t->e[i].w, (n ? n : 1) * sizeof *w);
        if (!w)
            return aif_err_set(err, AIF_ENOMEM, "competition tracker: out of memory");
        memset(w + t->num_neurons, 0, (n - t->num_neurons) * sizeof *w);
        t->e[i].w = w;
    }
    t->num_neurons = n;
    return AIF_OK;
}

/* A new entry (or the existing one) for id. */
static struct entry *slot(aif_subnet_tracker *t, int id, int *fresh, aif_err *err)
{
    struct entry *e = find(t, id);
    *fresh = 0;
    if (e)
        return e;
    float *w = aif_calloc(t->num_neurons ? t->num_neurons : 1, sizeof *w);
    struct entry *ne = w ? aif_realloc(t->e, (t->n + 1) * sizeof *ne) : NULL;
    if (!ne) {
        aif_free(w);
        aif_err_set(err, AIF_ENOMEM, "competition tracker: out of memory");
        return NULL;
    }
    t->e = ne;
    t->e[t->n].id = id;
    t->e[t->n].w = w;
    *fresh = 1;
    return &t->e[t->n++];
}

aif_code aif_subnet_tracker_record(aif_subnet_tracker *t, int id, const float *w, size_t n, aif_err *err)
{
    aif_code rc = resize(t, n, err);
    if (rc)
        return rc;
    int fresh;
    struct entry *e = slot(t, id, &fresh, err);
    if (!e)
        return AIF_ENOMEM;
    /* w / sum(w) in float32, NaN (0/0) -> 0. */
    float sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i];
    float a = (float)t->alpha, b = (float)(1.0 - t->alpha);
    for (size_t i = 0; i < n; i++) {
        float v = w[i] / sum;
        if (isnan(v))
            v = 0;
        e->w[i] = fresh ? v : a * e->w[i] + b * v;
    }
    return AIF_OK;
}

aif_code aif_subnet_tracker_set(aif_subnet_tracker *t, int id, const float *w, size_t n, aif_err *err)
{
    if (n != t->num_neurons) {
        aif_code rc = resize(t, n, err);
        if (rc)
            return rc;
    }
    int fresh;
    struct entry *e = slot(t, id, &fresh, err);
    if (!e)
        return AIF_ENOMEM;
    memcpy(e->w, w, n * sizeof *w);
    return AIF_OK;
}

void aif_subnet_tracker_drop_inactive(aif_subnet_tracker *t, const aif_subnet_schedule_entry *active)
{
    size_t m = 0;
    for (size_t i = 0; i < t->n; i++) {
        int keep = 0;
        for (size_t j = 0; active && j < active->n_slots; j++)
            keep |= active->slots[j].competition->id == t->e[i].id;
        if (keep)
            t->e[m++] = t->e[i];
        else
            aif_free(t->e[i].w);
    }
    t->n = m;
}

void aif_subnet_tracker_subnet_weights(const aif_subnet_tracker *t, const aif_subnet_schedule_entry *active,
                                       float *out)
{
    memset(out, 0, t->num_neurons * sizeof *out);
    for (size_t j = 0; active && j < active->n_slots; j++) {
        struct entry *e = find(t, active->slots[j].competition->id);
        if (!e)
            continue;
        float share = (float)active->slots[j].reward_share;
        for (size_t i = 0; i < t->num_neurons; i++)
            out[i] += e->w[i] * share;
    }
    float sum = 0;
    for (size_t i = 0; i < t->num_neurons; i++)
        sum += out[i];
    for (size_t i = 0; i < t->num_neurons; i++) {
        float v = out[i] / sum;
        out[i] = isnan(v) ? 0 : v;
    }
}

/* ---- persistence ---- */

aif_code aif_subnet_tracker_save(const aif_subnet_tracker *t, const char *path, aif_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return aif_err_set(err, AIF_ENOMEM, "%s: cannot build the tracker file", path);
    aif_json j;
    aif_json_init(&j, f, 0);
    aif_json_obj_begin(&j);
    aif_json_kstr(&j, "format", "aif-competition-tracker");
    aif_json_kint(&j, "version", 1);
    aif_json_kint(&j, "num_neurons", (int64_t)t->num_neurons);
    aif_json_knum(&j, "alpha", t->alpha);
    aif_json_key(&j, "weights");
    aif_json_obj_begin(&j);
    for (size_t i = 0; i < t->n; i++) {
        char key[16];
        snprintf(key, sizeof key, "%d", t->e[i].id);
        aif_json_key(&j, key);
        aif_json_arr_begin(&j);
        for (size_t k = 0; k < t->num_neurons; k++)
            aif_json_num(&j, (double)t->e[i].w[k]);
        aif_json_arr_end(&j);
    }
    aif_json_obj_end(&j);
    aif_json_obj_end(&j);
    aif_json_end(&j);
    int bad = fclose(f) != 0;
    aif_code rc = bad ? aif_err_set(err, AIF_ENOMEM, "%s: cannot build the tracker file", path)
                      : aif_fs_write_file(path, buf, len, err);
    free(buf); /* open_memstream's buffer comes from malloc */
    return rc;
}

aif_code aif_subnet_tracker_parse(const char *text, size_t len, const char *src, aif_subnet_tracker **out,
                                  aif_err *err)
{
    json_error_t je;
    *out = NULL;
    if (!src)
        src = "tracker";
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "%s: line %d column %d: %s", src, je.line, je.column, je.text);
    aif_code rc = AIF_OK;
    aif_subnet_tracker *t = NULL;
    json_t *fmt = json_object_get(root, "format"), *ver = json_object_get(root, "version"),
           *nn = json_object_get(root, "num_neurons"), *al = json_object_get(root, "alpha"),
           *ws = json_object_get(root, "weights");
    if (!json_is_object(root) || json_object_size(root) != 5) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: expected an object with format, version, num_neurons, alpha, weights",
                         src);
        goto out;
    }
    if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "aif-competition-tracker")) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: format: not aif-competition-tracker", src);
        goto out;
    }
    if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: version: expected 1", src);
        goto out;
    }
    if (!json_is_integer(nn) || json_integer_value(nn) < 0 || json_integer_value(nn) > 65536) {
        rc = aif_err_set(err, AIF_ERANGE, "%s: num_neurons: expected an integer in [0, 65536]", src);
        goto out;
    }
    if (!json_is_number(al) || !(json_number_value(al) >= 0 && json_number_value(al) <= 1)) {
        rc = aif_err_set(err, AIF_ERANGE, "%s: alpha: expected a number in [0, 1]", src);
        goto out;
    }
    if (!json_is_object(ws)) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: weights: expected an object", src);
        goto out;
    }
    size_t n = (size_t)json_integer_value(nn);
    t = aif_subnet_tracker_new(n, json_number_value(al));
    float *w = aif_calloc(n ? n : 1, sizeof *w);
    if (!t || !w) {
        aif_free(w);
        rc = aif_err_set(err, AIF_ENOMEM, "%s: out of memory", src);
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(ws, key, v) {
        char *end;
        long id = strtol(key, &end, 10);
        if (!key[0] || *end || id < 0 || id > 99) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s: weights.%.32s: key is not a competition id 0..99", src, key);
            break;
        }
        if (!json_is_array(v) || json_array_size(v) != n) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s: weights.%s: expected an array of %zu numbers", src, key, n);
            break;
        }
        for (size_t i = 0; i < n && !rc; i++) {
            json_t *x = json_array_get(v, i);
            double d = json_is_number(x) ? json_number_value(x) : -1;
            if (!(d >= 0 && d <= 3.4e38))
                rc = aif_err_set(err, AIF_ERANGE, "%s: weights.%s[%zu]: expected a finite number >= 0", src, key, i);
            else
                w[i] = (float)d;
        }
        if (!rc && aif_subnet_tracker_get(t, (int)id))
            rc = aif_err_set(err, AIF_EFORMAT, "%s: weights.%s: competition listed twice", src, key);
        if (!rc)
            rc = aif_subnet_tracker_set(t, (int)id, w, n, err);
        if (rc)
            break;
    }
    aif_free(w);
out:
    json_decref(root);
    if (rc) {
        aif_subnet_tracker_free(t);
        return rc;
    }
    *out = t;
    return AIF_OK;
}

aif_code aif_subnet_tracker_load(const char *path, aif_subnet_tracker **out, aif_err *err)
{
    char *text;
    size_t len;
    *out = NULL;
    aif_code rc = aif_fs_read_file(path, 64u << 20, &text, &len, err);
    if (rc)
        return rc;
    rc = aif_subnet_tracker_parse(text, len, path, out, err);
    aif_free(text);
    return rc;
}
