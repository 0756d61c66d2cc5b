/* tracker.c: the competition tracker (spec 7.4, taoverse
 * CompetitionTracker): an exponential moving average of the step weights of
 * each competition, and the subnet weights mixed by reward share. Float32
 * vectors, like the torch tensors of the reference. */
#include <math.h>
#include <string.h>

#include "aif/alloc.h"
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
