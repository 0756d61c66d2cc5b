/* file.c: the handle: open and map files, parse images held in memory,
 * close, and the lookups (by position, by name, metadata). */
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "safetensors_int.h"

aif_safetensors *aif_st_new(aif_err *err)
{
    aif_safetensors *st = aif_calloc(1, sizeof *st);
    if (!st)
        aif_err_set(err, AIF_ENOMEM, "out of memory for a safetensors handle");
    return st;
}

aif_code aif_st_add_file(aif_safetensors *st, const char *path, size_t *index, aif_err *err)
{
    if (st->n_files == st->cap_files) {
        size_t cap = st->cap_files ? st->cap_files * 2 : 4;
        st_file *f = aif_realloc(st->files, cap * sizeof *f);
        if (!f)
            return aif_err_set(err, AIF_ENOMEM, "%s: out of memory for the file table", path);
        st->files = f;
        st->cap_files = cap;
    }
    char *p = aif_strdup(path);
    if (!p)
        return aif_err_set(err, AIF_ENOMEM, "%s: out of memory for its path", path);
    st_file *f = &st->files[st->n_files];
    memset(f, 0, sizeof *f);
    f->path = p;
    *index = st->n_files++;
    return AIF_OK;
}

aif_code aif_st_open_into(aif_safetensors *st, const char *path, aif_err *err)
{
    size_t i = 0;
    aif_code rc = aif_st_add_file(st, path, &i, err);
    if (rc)
        return rc;
    rc = aif_fs_map_open(path, &st->files[i].map, err);
    if (rc)
        return rc;
    st->files[i].size = st->files[i].map.size;
    return aif_st_header_parse(st, i, st->files[i].map.data, st->files[i].map.size, err);
}

static int by_name(const void *a, const void *b)
{
    const aif_st_tensor *x = *(const aif_st_tensor *const *)a, *y = *(const aif_st_tensor *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x < y ? -1 : x > y); /* equal names: file order */
}

aif_code aif_st_finish(aif_safetensors *st, aif_err *err)
{
    aif_free(st->by_name);
    st->by_name = aif_malloc((st->n_tensors ? st->n_tensors : 1) * sizeof *st->by_name);
    if (!st->by_name)
        return aif_err_set(err, AIF_ENOMEM, "out of memory for the index of %zu tensors", st->n_tensors);
    for (size_t i = 0; i < st->n_tensors; i++)
        st->by_name[i] = &st->tensors[i];
    qsort(st->by_name, st->n_tensors, sizeof *st->by_name, by_name);
    for (size_t i = 1; i < st->n_tensors; i++) {
        const aif_st_tensor *a = st->by_name[i - 1], *b = st->by_name[i];
        if (!strcmp(a->name, b->name))
            return aif_err_set(err, AIF_EFORMAT, "tensor '%s' appears in two shards: %s and %s", a->name, a->file,
                               b->file);
    }
    return AIF_OK;
}

aif_code aif_safetensors_open(const char *path, aif_safetensors **out, aif_err *err)
{
    *out = NULL;
    aif_safetensors *st = aif_st_new(err);
    if (!st)
        return AIF_ENOMEM;
    aif_code rc = aif_st_open_into(st, path, err);
    if (!rc)
        rc = aif_st_finish(st, err);
    if (rc) {
        aif_safetensors_close(st);
        return rc;
    }
    *out = st;
    return AIF_OK;
}

aif_code aif_safetensors_parse(const uint8_t *buf, size_t len, const char *name, aif_safetensors **out, aif_err *err)
{
    *out = NULL;
    aif_safetensors *st = aif_st_new(err);
    if (!st)
        return AIF_ENOMEM;
    size_t i = 0;
    aif_code rc = aif_st_add_file(st, name ? name : "(memory)", &i, err);
    if (!rc) {
        st->files[i].size = len;
        rc = aif_st_header_parse(st, i, buf, len, err);
    }
    if (!rc)
        rc = aif_st_finish(st, err);
    if (rc) {
        aif_safetensors_close(st);
        return rc;
    }
    *out = st;
    return AIF_OK;
}

void aif_safetensors_close(aif_safetensors *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n_tensors; i++)
        aif_free((char *)st->tensors[i].name);
    aif_free(st->tensors);
    for (size_t i = 0; i < st->n_files; i++) {
        aif_fs_map_close(&st->files[i].map);
        aif_free(st->files[i].path);
    }
    aif_free(st->files);
    for (size_t i = 0; i < 2 * st->n_meta; i++)
        aif_free(st->meta[i]);
    aif_free(st->meta);
    aif_free(st->by_name);
    aif_free(st);
}

size_t aif_safetensors_count(const aif_safetensors *st) { return st->n_tensors; }

const aif_st_tensor *aif_safetensors_at(const aif_safetensors *st, size_t i)
{
    return i < st->n_tensors ? &st->tensors[i] : NULL;
}

const aif_st_tensor *aif_safetensors_find(const aif_safetensors *st, const char *name)
{
    size_t lo = 0, hi = st->n_tensors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const aif_st_tensor *t = st->by_name[mid];
        int c = strcmp(name, t->name);
        if (!c)
            return t;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *aif_safetensors_metadata(const aif_safetensors *st, const char *key)
{
    for (size_t i = 0; i < st->n_meta; i++)
        if (!strcmp(st->meta[2 * i], key))
            return st->meta[2 * i + 1];
    return NULL;
}

uint64_t aif_safetensors_total_bytes(const aif_safetensors *st)
{
    uint64_t n = 0;
    for (size_t i = 0; i < st->n_files; i++)
        n += st->files[i].size;
    return n;
}
