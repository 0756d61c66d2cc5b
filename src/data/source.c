/* source.c: where pages come from: the datasets-server (optionally through
 * an on-disk cache), the cache alone (offline), or a folder of JSONL files. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/log.h"
#include "data_int.h"

#define MAX_LOCAL_FILE ((size_t)2 << 30)
#define MAX_CACHE_FILE ((size_t)256 << 20)

enum kind { REMOTE, CACHE, LOCAL };

typedef struct local_file {
    const aif_data_dataset *ds;   /* NULL: not loaded yet */
    char path[1024];
    char *text;
    size_t *off, *len;            /* per non-blank line */
    size_t n;
} local_file;

struct aif_data_source {
    enum kind kind;
    aif_data_client *client;
    char *dir;
    local_file files[8];
};

static aif_code make(enum kind k, aif_data_client *c, const char *dir, aif_data_source **out, aif_err *err)
{
    *out = NULL;
    aif_data_source *s = aif_calloc_err(1, sizeof *s, "data source", err);
    if (!s)
        return AIF_ENOMEM;
    s->kind = k;
    s->client = c;
    if (dir && !(s->dir = aif_strdup(dir))) {
        aif_free(s);
        return aif_err_set(err, AIF_ENOMEM, "out of memory creating a data source");
    }
    *out = s;
    return AIF_OK;
}

aif_code aif_data_source_remote(aif_data_client *c, const char *cache_dir, aif_data_source **out, aif_err *err)
{
    if (!c)
        return aif_err_set(err, AIF_EINVAL, "remote data source: no client");
    return make(REMOTE, c, cache_dir, out, err);
}

aif_code aif_data_source_cache(const char *cache_dir, aif_data_source **out, aif_err *err)
{
    if (!cache_dir)
        return aif_err_set(err, AIF_EINVAL, "cache data source: no directory");
    if (!aif_fs_is_dir(cache_dir))
        return aif_err_set(err, AIF_ENOTFOUND, "%s: no such cache directory", cache_dir);
    return make(CACHE, NULL, cache_dir, out, err);
}

aif_code aif_data_source_local(const char *dir, aif_data_source **out, aif_err *err)
{
    if (!dir)
        return aif_err_set(err, AIF_EINVAL, "local data source: no directory");
    if (!aif_fs_is_dir(dir))
        return aif_err_set(err, AIF_ENOTFOUND, "%s: no such data directory", dir);
    return make(LOCAL, NULL, dir, out, err);
}

void aif_data_source_free(aif_data_source *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < sizeof s->files / sizeof s->files[0]; i++) {
        aif_free(s->files[i].text);
        aif_free(s->files[i].off);
        aif_free(s->files[i].len);
    }
    aif_free(s->dir);
    aif_free(s);
}

/* ------------------------------------------------------------ cache paths */

/* Copy a name component, keeping [A-Za-z0-9._-], '/' -> "--", others '_';
 * "" "." ".." become "_". */
static size_t component(char *out, size_t cap, const char *s)
{
    size_t k = 0;
    for (; *s && k + 3 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '/') {
            out[k++] = '-';
            out[k++] = '-';
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                   c == '_' || c == '-') {
            out[k++] = (char)c;
        } else {
            out[k++] = '_';
        }
    }
    out[k] = 0;
    if (!strcmp(out, "") || !strcmp(out, ".") || !strcmp(out, "..")) {
        snprintf(out, cap, "_");
        k = 1;
    }
    return k;
}

aif_code aif_data_cache_path(const char *dir, const char *dataset, const char *config, const char *split,
                             int64_t offset, int length, char *out, size_t cap, aif_err *err)
{
    char d[256], c[128], s[128];
    component(d, sizeof d, dataset);
    component(c, sizeof c, config);
    component(s, sizeof s, split);
    int n = snprintf(out, cap, "%s/%s/%s/%s/rows-%" PRId64 "-%d.json", dir, d, c, s, offset, length);
    if (n < 0 || (size_t)n >= cap)
        return aif_err_set(err, AIF_ERANGE, "cache path for %s offset %" PRId64 " is too long", dataset, offset);
    return AIF_OK;
}

static aif_code cache_read(const char *path, const char *dataset, int64_t offset, aif_data_page *out, aif_err *err)
{
    char *text;
    size_t len;
    aif_code rc = aif_fs_read_file(path, MAX_CACHE_FILE, &text, &len, err);
    if (rc)
        return rc;
    rc = aif_data_page_parse(text, len, dataset, offset, out, err);
    aif_free(text);
    if (rc)
        aif_err_wrap(err, "cache file %s", path);
    return rc;
}

static aif_code cache_write(const char *path, const char *raw, size_t len, aif_err *err)
{
    char dir[1400];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    aif_code rc = aif_fs_mkdirs(dir, err);
    if (!rc)
        rc = aif_fs_write_file(path, raw, len, err);
    return rc;
}

/* ------------------------------------------------------------ local JSONL */

static aif_code local_open(aif_data_source *s, const aif_data_dataset *ds, local_file **out, aif_err *err)
{
    size_t slots = sizeof s->files / sizeof s->files[0];
    for (size_t i = 0; i < slots; i++)
        if (s->files[i].ds == ds) {
            *out = &s->files[i];
            return AIF_OK;
        }
    local_file *f = NULL;
    for (size_t i = 0; i < slots && !f; i++)
        if (!s->files[i].ds)
            f = &s->files[i];
    if (!f)
        return aif_err_set(err, AIF_ERANGE, "local data source: too many datasets");
    char path[1024];
    if (snprintf(path, sizeof path, "%s/%s.jsonl", s->dir, ds->key) >= (int)sizeof path)
        return aif_err_set(err, AIF_ERANGE, "%s: path too long", s->dir);
    char *text;
    size_t len;
    aif_code rc = aif_fs_read_file(path, MAX_LOCAL_FILE, &text, &len, err);
    if (rc)
        return aif_err_wrap(err, "dataset %s", ds->key);
    size_t n_lines = 0;
    for (size_t i = 0; i < len; i++)
        n_lines += text[i] == '\n';
    n_lines++;
    size_t *off = aif_calloc(n_lines, sizeof *off), *ln = aif_calloc(n_lines, sizeof *ln);
    if (!off || !ln) {
        aif_free(off);
        aif_free(ln);
        aif_free(text);
        return aif_err_set(err, AIF_ENOMEM, "%s: out of memory indexing lines", path);
    }
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        int blank = 1;
        for (size_t j = i; j < e && blank; j++)
            blank = text[j] == ' ' || text[j] == '\t' || text[j] == '\r';
        if (!blank) {
            off[n] = i;
            ln[n] = e - i;
            n++;
        }
        i = e + 1;
    }
    f->ds = ds;
    snprintf(f->path, sizeof f->path, "%s", path);
    f->text = text;
    f->off = off;
    f->len = ln;
    f->n = n;
    *out = f;
    return AIF_OK;
}

static aif_code local_page(aif_data_source *s, const aif_data_dataset *ds, int64_t page, int length,
                           aif_data_page *out, aif_err *err)
{
    local_file *f;
    aif_code rc = local_open(s, ds, &f, err);
    if (rc)
        return rc;
    int64_t first = page - 1;
    json_t *root = json_object(), *rows = json_array();
    if (!root || !rows || json_object_set_new(root, "rows", rows)) {
        json_decref(root);
        if (!root)
            json_decref(rows);
        return aif_err_set(err, AIF_ENOMEM, "%s: out of memory", f->path);
    }
    for (int64_t i = first; i < first + length && i < (int64_t)f->n; i++) {
        if (i < 0)
            continue;
        json_error_t je;
        json_t *obj = aif_data_json_loads_(f->text + f->off[i], f->len[i], &je);
        if (!json_is_object(obj)) {
            json_decref(obj);
            json_decref(root);
            if (!obj)
                return aif_err_set(err, AIF_EFORMAT, "%s: row %" PRId64 ": invalid JSON at column %d: %s", f->path, i,
                                   je.column, je.text);
            return aif_err_set(err, AIF_EFORMAT, "%s: row %" PRId64 ": not a JSON object", f->path, i);
        }
        json_t *r = json_object();
        if (!r || json_object_set_new(r, "row_idx", json_integer(i)) || json_object_set_new(r, "row", obj) ||
            json_array_append_new(rows, r)) {
            json_decref(root);
            return aif_err_set(err, AIF_ENOMEM, "%s: out of memory", f->path);
        }
    }
    json_object_set_new(root, "num_rows_total", json_integer((json_int_t)f->n));
    rc = aif_data_page_from_json_(root, ds->hf_name, first, out, err);
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------ interface */

aif_code aif_data_source_max_pages(aif_data_source *s, const aif_data_dataset *ds, uint32_t *out, aif_err *err)
{
    if (!s || !ds)
        return aif_err_set(err, AIF_EINVAL, "data source: no source or dataset");
    if (s->kind != LOCAL) {
        *out = ds->max_pages;
        return AIF_OK;
    }
    local_file *f;
    aif_code rc = local_open(s, ds, &f, err);
    if (rc)
        return rc;
    if (f->n == 0)
        return aif_err_set(err, AIF_ENOTFOUND, "%s: no rows", f->path);
    *out = f->n > UINT32_MAX ? UINT32_MAX : (uint32_t)f->n;
    return AIF_OK;
}

static aif_code set_names(aif_data_page *p, const char *config, const char *split, aif_err *err)
{
    aif_free(p->config);
    aif_free(p->split);
    p->config = aif_strdup(config);
    p->split = aif_strdup(split);
    if (!p->config || !p->split) {
        aif_data_page_release(p);
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    }
    return AIF_OK;
}

aif_code aif_data_source_page(aif_data_source *s, const aif_data_dataset *ds, const char *config, const char *split,
                              int64_t page, int length, aif_data_page *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    if (!s || !ds)
        return aif_err_set(err, AIF_EINVAL, "data source: no source or dataset");
    if (!config)
        config = "default";
    if (!split)
        split = "train";
    if (s->kind == LOCAL) {
        aif_code rc = local_page(s, ds, page, length, out, err);
        return rc ? rc : set_names(out, config, split, err);
    }
    char path[1400];
    aif_code rc;
    if (s->dir && (rc = aif_data_cache_path(s->dir, ds->hf_name, config, split, page, length, path, sizeof path, err)))
        return rc;
    if (s->kind == CACHE) {
        if (!aif_fs_exists(path))
            return aif_err_set(err, AIF_ENOTFOUND,
                               "dataset %s offset %" PRId64 ": not in the cache (%s); fetch it first (aif data fetch)",
                               ds->hf_name, page, path);
        rc = cache_read(path, ds->hf_name, page, out, err);
        return rc ? rc : set_names(out, config, split, err);
    }
    if (s->dir && aif_fs_exists(path)) {
        aif_err e2;
        if (cache_read(path, ds->hf_name, page, out, &e2) == AIF_OK)
            return set_names(out, config, split, err);
        aif_log(AIF_LOG_WARN, "ignoring a bad cache file: %s", e2.msg);
    }
    char *raw = NULL;
    size_t raw_len = 0;
    rc = aif_data_client_rows(s->client, ds->hf_name, config, split, page, length, out, s->dir ? &raw : NULL,
                              &raw_len, err);
    if (rc == AIF_OK && s->dir) {
        rc = cache_write(path, raw, raw_len, err);
        if (rc)
            aif_data_page_release(out);
    }
    aif_free(raw);
    return rc;
}
