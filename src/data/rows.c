/* rows.c: decoders of datasets-server bodies (/rows, /size, /splits, error
 * objects) and the text choice of the reference (5.4 step 1). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "data_int.h"

json_t *aif_data_json_loads_(const char *text, size_t len, json_error_t *jerr)
{
    return json_loadb(text, len, JSON_ALLOW_NUL, jerr);
}

int64_t aif_data_json_int_(json_t *obj, const char *key, int64_t dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static char *dup_str(json_t *v)
{
    return json_is_string(v) ? aif_strndup(json_string_value(v), json_string_length(v)) : NULL;
}

void aif_data_page_release(aif_data_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_rows; i++) {
        aif_free(p->rows[i].text);
        aif_free(p->rows[i].columns);
    }
    for (size_t i = 0; i < p->n_features; i++) {
        aif_free(p->features[i].name);
        aif_free(p->features[i].type);
        aif_free(p->features[i].dtype);
    }
    aif_free(p->rows);
    aif_free(p->features);
    aif_free(p->dataset);
    aif_free(p->config);
    aif_free(p->split);
    memset(p, 0, sizeof *p);
}

/* Comma-separated keys of obj, at most ~200 bytes. */
static char *column_list(json_t *obj)
{
    char buf[256];
    size_t n = 0;
    const char *key;
    json_t *v;
    buf[0] = 0;
    json_object_foreach(obj, key, v) {
        (void)v;
        int w = snprintf(buf + n, sizeof buf - n, "%s%s", n ? ", " : "", key);
        if (w < 0 || (size_t)w >= sizeof buf - n) {
            snprintf(buf + (n < sizeof buf - 5 ? n : sizeof buf - 5), 5, "...");
            break;
        }
        n += (size_t)w;
    }
    return aif_strdup(buf[0] ? buf : "none");
}

aif_code aif_data_page_from_json_(json_t *root, const char *dataset, int64_t offset, aif_data_page *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    const char *ds = dataset ? dataset : "?";
    if (!json_is_object(root))
        return aif_err_set(err, AIF_EFORMAT, "dataset %s offset %" PRId64 ": rows response is not a JSON object", ds,
                           offset);
    json_t *rows = json_object_get(root, "rows");
    if (!json_is_array(rows))
        return aif_err_set(err, AIF_EFORMAT, "dataset %s offset %" PRId64 ": rows response has no 'rows' array", ds,
                           offset);
    size_t n = json_array_size(rows);
    if (n > AIF_DATA_MAX_ROWS_PER_PAGE)
        return aif_err_set(err, AIF_ERANGE, "dataset %s offset %" PRId64 ": %zu rows, above the limit of %d", ds,
                           offset, n, AIF_DATA_MAX_ROWS_PER_PAGE);
    out->dataset = aif_strdup(ds);
    out->offset = offset;
    out->num_rows_total = aif_data_json_int_(root, "num_rows_total", -1);
    out->partial = json_is_true(json_object_get(root, "partial"));
    if (!out->dataset)
        goto nomem;
    if (n && !(out->rows = aif_calloc(n, sizeof *out->rows)))
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(rows, i);
        json_t *cols = json_object_get(r, "row");
        if (!json_is_object(r) || !json_is_object(cols)) {
            aif_data_page_release(out);
            return aif_err_set(err, AIF_EFORMAT, "dataset %s offset %" PRId64 " row %zu: not an object with a 'row' object",
                               ds, offset, i);
        }
        aif_data_row *row = &out->rows[i];
        out->n_rows = i + 1;
        row->row_idx = aif_data_json_int_(r, "row_idx", offset + (int64_t)i);
        /* row.get("text", row.get("content")): `text` wins when present, even if null */
        json_t *t = json_object_get(cols, "text");
        const char *field = "text";
        if (!t) {
            t = json_object_get(cols, "content");
            field = "content";
        }
        if (json_is_string(t)) {
            row->text = aif_strndup(json_string_value(t), json_string_length(t));
            row->text_len = json_string_length(t);
            row->field = field;
            if (!row->text)
                goto nomem;
        } else {
            row->columns = column_list(cols);
            if (!row->columns)
                goto nomem;
        }
    }
    json_t *feats = json_object_get(root, "features");
    if (json_is_array(feats) && json_array_size(feats) > 0 && json_array_size(feats) <= 100000) {
        size_t nf = json_array_size(feats);
        if (!(out->features = aif_calloc(nf, sizeof *out->features)))
            goto nomem;
        for (size_t i = 0; i < nf; i++) {
            json_t *f = json_array_get(feats, i);
            json_t *type = json_object_get(f, "type");
            aif_data_feature *o = &out->features[out->n_features++];
            o->name = dup_str(json_object_get(f, "name"));
            o->type = dup_str(json_object_get(type, "_type"));
            o->dtype = dup_str(json_object_get(type, "dtype"));
        }
    }
    return AIF_OK;
nomem:
    aif_data_page_release(out);
    return aif_err_set(err, AIF_ENOMEM, "dataset %s offset %" PRId64 ": out of memory decoding rows", ds, offset);
}

aif_code aif_data_page_parse(const char *json, size_t len, const char *dataset, int64_t offset, aif_data_page *out,
                             aif_err *err)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = aif_data_json_loads_(json, len, &je);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "dataset %s offset %" PRId64 ": invalid JSON at byte %d: %s",
                           dataset ? dataset : "?", offset, je.position, je.text);
    aif_code rc = aif_data_page_from_json_(root, dataset, offset, out, err);
    json_decref(root);
    return rc;
}

aif_code aif_data_row_text(const aif_data_page *p, size_t i, const char **text, size_t *len, aif_err *err)
{
    if (i >= p->n_rows)
        return aif_err_set(err, AIF_ERANGE, "dataset %s offset %" PRId64 ": row %zu of %zu", p->dataset, p->offset, i,
                           p->n_rows);
    const aif_data_row *r = &p->rows[i];
    if (!r->text)
        return aif_err_set(err, AIF_ENOTFOUND,
                           "dataset %s offset %" PRId64 " row %zu (row_idx %" PRId64
                           "): no string 'text' or 'content' column (columns: %s)",
                           p->dataset, p->offset, i, r->row_idx, r->columns ? r->columns : "?");
    *text = r->text;
    *len = r->text_len;
    return AIF_OK;
}

/* Copy s into out replacing control characters; returns bytes written. */
static size_t put_clean(char *out, size_t cap, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        out[k++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    out[k] = 0;
    return k;
}

int aif_data_error_message(const char *body, size_t len, char *out, size_t cap)
{
    if (!cap)
        return 0;
    out[0] = 0;
    json_error_t je;
    json_t *root = body ? aif_data_json_loads_(body, len, &je) : NULL;
    json_t *e = json_object_get(root, "error");
    if (!json_is_string(e)) {
        if (body)
            put_clean(out, cap, body, len < 200 ? len : 200);
        json_decref(root);
        return 0;
    }
    size_t k = put_clean(out, cap, json_string_value(e), json_string_length(e));
    json_t *cm = json_object_get(root, "cause_message");
    if (json_is_string(cm) && k + 10 < cap) {
        memcpy(out + k, " (cause: ", 9);
        k += 9;
        k += put_clean(out + k, cap - k, json_string_value(cm), json_string_length(cm));
        if (k + 1 < cap) {
            out[k++] = ')';
            out[k] = 0;
        }
    }
    json_decref(root);
    return 1;
}

/* ------------------------------------------------------------ /size, /splits */

static void split_free_one(aif_data_split *s)
{
    aif_free(s->dataset);
    aif_free(s->config);
    aif_free(s->split);
}

void aif_data_splits_free(aif_data_split *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        split_free_one(&v[i]);
    aif_free(v);
}

void aif_data_size_release(aif_data_size *s)
{
    if (!s)
        return;
    aif_data_splits_free(s->splits, s->n_splits);
    memset(s, 0, sizeof *s);
}

/* Decode an array of {dataset, config, split[, num_rows]}. */
static aif_code split_array(json_t *arr, const char *what, aif_data_split **out, size_t *n_out, aif_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (!json_is_array(arr))
        return aif_err_set(err, AIF_EFORMAT, "%s: no 'splits' array", what);
    size_t n = json_array_size(arr);
    if (n > 1000000)
        return aif_err_set(err, AIF_ERANGE, "%s: %zu splits, above the limit of 1000000", what, n);
    if (!n)
        return AIF_OK;
    aif_data_split *v = aif_calloc(n, sizeof *v);
    if (!v)
        return aif_err_set(err, AIF_ENOMEM, "%s: out of memory", what);
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(arr, i);
        json_t *d = json_object_get(s, "dataset"), *c = json_object_get(s, "config"), *sp = json_object_get(s, "split");
        if (!json_is_string(d) || !json_is_string(c) || !json_is_string(sp)) {
            aif_data_splits_free(v, n);
            return aif_err_set(err, AIF_EFORMAT, "%s: split %zu lacks string dataset/config/split", what, i);
        }
        v[i].dataset = dup_str(d);
        v[i].config = dup_str(c);
        v[i].split = dup_str(sp);
        v[i].num_rows = aif_data_json_int_(s, "num_rows", -1);
        if (!v[i].dataset || !v[i].config || !v[i].split) {
            aif_data_splits_free(v, n);
            return aif_err_set(err, AIF_ENOMEM, "%s: out of memory", what);
        }
    }
    *out = v;
    *n_out = n;
    return AIF_OK;
}

aif_code aif_data_splits_parse(const char *json, size_t len, aif_data_split **out, size_t *n_out, aif_err *err)
{
    *out = NULL;
    *n_out = 0;
    json_error_t je;
    json_t *root = aif_data_json_loads_(json, len, &je);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "splits response: invalid JSON at byte %d: %s", je.position, je.text);
    aif_code rc = split_array(json_object_get(root, "splits"), "splits response", out, n_out, err);
    json_decref(root);
    return rc;
}

aif_code aif_data_size_parse(const char *json, size_t len, aif_data_size *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = aif_data_json_loads_(json, len, &je);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "size response: invalid JSON at byte %d: %s", je.position, je.text);
    json_t *size = json_object_get(root, "size");
    json_t *total = json_object_get(size, "dataset");
    if (!total)
        total = json_object_get(size, "config");
    aif_code rc;
    if (!json_is_object(total)) {
        rc = aif_err_set(err, AIF_EFORMAT, "size response: no 'size.dataset' or 'size.config' object");
    } else {
        out->num_rows = aif_data_json_int_(total, "num_rows", -1);
        out->num_bytes_parquet = aif_data_json_int_(total, "num_bytes_parquet_files", -1);
        out->num_bytes_memory = aif_data_json_int_(total, "num_bytes_memory", -1);
        out->partial = json_is_true(json_object_get(root, "partial"));
        rc = split_array(json_object_get(size, "splits"), "size response", &out->splits, &out->n_splits, err);
    }
    json_decref(root);
    return rc;
}
