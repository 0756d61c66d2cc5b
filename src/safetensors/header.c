/* header.c: validation of one safetensors image.
 *
 * Layout: u64 little-endian N, N bytes of UTF-8 JSON (an object, space
 * padded), then the data section. Each key except `__metadata__` is a
 * tensor {"dtype","shape","data_offsets":[begin,end]} with offsets
 * relative to the data section. As the reference library (huggingface/
 * safetensors, Metadata::validate) requires, the tensors sorted by offset
 * must tile the data section exactly: no overlap, no gap, no trailing
 * bytes. Everything is checked before a tensor is handed out; every
 * message names the file and, where there is one, the tensor.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aif/alloc.h"
#include "safetensors_int.h"

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* Deepest nesting of objects/arrays outside strings (stops counting at
 * `limit` + 1 so a hostile header cannot make it work hard). */
static int json_depth(const uint8_t *s, size_t n, int limit)
{
    int depth = 0, max = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > max)
                max = depth;
            if (max > limit)
                return max;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return max;
}

/* "[2, 3]" into out. */
static void shape_str(char *out, size_t cap, const int64_t *shape, int n_dims)
{
    size_t k = (size_t)snprintf(out, cap, "[");
    for (int i = 0; i < n_dims && k < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%" PRId64, i ? ", " : "", shape[i]);
    if (k < cap)
        snprintf(out + k, cap - k, "]");
}

/* jansson rejects duplicate keys without naming them: the key is the last
 * string literal that ends before the error position. */
static void duplicate_key(const uint8_t *h, size_t n, size_t pos, char *out, size_t cap)
{
    out[0] = 0;
    if (pos > n)
        pos = n;
    size_t end = pos;
    while (end > 0 && h[end - 1] != '"')
        end--;
    if (end == 0)
        return;
    end--; /* the closing quote */
    size_t start = end;
    while (start > 0 && !(h[start - 1] == '"' && (start < 2 || h[start - 2] != '\\')))
        start--;
    if (start == 0)
        return;
    size_t len = end - start;
    if (len >= cap)
        len = cap - 1;
    memcpy(out, h + start, len);
    out[len] = 0;
}

static aif_code grow_tensors(aif_safetensors *st, aif_err *err)
{
    if (st->n_tensors < st->cap_tensors)
        return AIF_OK;
    size_t cap = st->cap_tensors ? st->cap_tensors * 2 : 64;
    aif_st_tensor *t = aif_realloc(st->tensors, cap * sizeof *t);
    if (!t)
        return aif_err_set(err, AIF_ENOMEM, "out of memory for %zu tensor entries", cap);
    st->tensors = t;
    st->cap_tensors = cap;
    return AIF_OK;
}

static aif_code parse_metadata(aif_safetensors *st, const char *path, json_t *m, int keep, aif_err *err)
{
    if (!json_is_object(m))
        return aif_err_set(err, AIF_EFORMAT, "%s: __metadata__: expected an object of strings, found %s", path,
                           json_kind(m));
    const char *key;
    json_t *v;
    json_object_foreach(m, key, v) {
        if (!json_is_string(v))
            return aif_err_set(err, AIF_EFORMAT, "%s: __metadata__ key '%s': expected a string value, found %s", path,
                               key, json_kind(v));
    }
    if (!keep)
        return AIF_OK;
    size_t n = json_object_size(m);
    st->meta = aif_calloc(n ? 2 * n : 1, sizeof *st->meta);
    if (!st->meta)
        return aif_err_set(err, AIF_ENOMEM, "%s: out of memory for __metadata__", path);
    json_object_foreach(m, key, v) {
        char *k = aif_strdup(key), *s = aif_strdup(json_string_value(v));
        if (!k || !s) {
            aif_free(k);
            aif_free(s);
            return aif_err_set(err, AIF_ENOMEM, "%s: out of memory for __metadata__", path);
        }
        st->meta[2 * st->n_meta] = k;
        st->meta[2 * st->n_meta + 1] = s;
        st->n_meta++;
    }
    return AIF_OK;
}

/* One tensor entry; data points into the data section at `data`. */
static aif_code parse_tensor(aif_safetensors *st, const char *path, const char *name, json_t *v, const uint8_t *data,
                             uint64_t data_len, aif_err *err)
{
    if (!json_is_object(v))
        return aif_err_set(err, AIF_EFORMAT, "%s: tensor '%s': expected an object {dtype, shape, data_offsets}, found %s",
                           path, name, json_kind(v));
    json_t *jd = json_object_get(v, "dtype"), *js = json_object_get(v, "shape"), *jo = json_object_get(v, "data_offsets");
    if (!jd || !js || !jo)
        return aif_err_set(err, AIF_EFORMAT, "%s: tensor '%s': missing \"%s\"", path, name,
                           !jd ? "dtype" : !js ? "shape" : "data_offsets");
    if (!json_is_string(jd))
        return aif_err_set(err, AIF_EFORMAT, "%s: tensor '%s': dtype: expected a string, found %s", path, name,
                           json_kind(jd));
    aif_dtype dtype;
    if (aif_dtype_parse(json_string_value(jd), &dtype) != 0)
        return aif_err_set(err, AIF_ENOTSUP, "%s: unsupported dtype %s for tensor '%s' (supported: F32, BF16, F16)",
                           path, json_string_value(jd), name);
    if (!json_is_array(js))
        return aif_err_set(err, AIF_EFORMAT, "%s: tensor '%s': shape: expected an array, found %s", path, name,
                           json_kind(js));
    size_t n_dims = json_array_size(js);
    if (n_dims > AIF_SAFETENSORS_MAX_DIMS)
        return aif_err_set(err, AIF_ERANGE, "%s: tensor '%s': shape has %zu dims, at most %d are supported", path,
                           name, n_dims, AIF_SAFETENSORS_MAX_DIMS);
    int64_t shape[AIF_SAFETENSORS_MAX_DIMS];
    int64_t count = 1;
    int overflow = 0;
    for (size_t i = 0; i < n_dims; i++) {
        json_t *d = json_array_get(js, i);
        if (!json_is_integer(d) || json_integer_value(d) < 0)
            return aif_err_set(err, AIF_EFORMAT, "%s: tensor '%s': shape[%zu]: expected a non-negative integer, found %s",
                               path, name, i, json_is_integer(d) ? "a negative integer" : json_kind(d));
        shape[i] = (int64_t)json_integer_value(d);
        if (shape[i] != 0 && count > INT64_MAX / shape[i])
            overflow = 1;
        else
            count *= shape[i];
    }
    char sh[160];
    shape_str(sh, sizeof sh, shape, (int)n_dims);
    size_t esize = aif_dtype_size(dtype);
    /* A zero dim makes the product 0 even after an overflowing prefix. */
    for (size_t i = 0; i < n_dims; i++)
        if (shape[i] == 0)
            overflow = 0, count = 0;
    if (overflow || count > INT64_MAX / (int64_t)esize)
        return aif_err_set(err, AIF_ERANGE, "%s: tensor '%s': shape %s overflows 64-bit byte counts", path, name, sh);
    uint64_t n_bytes = (uint64_t)count * esize;

    if (!json_is_array(jo) || json_array_size(jo) != 2)
        return aif_err_set(err, AIF_EFORMAT, "%s: tensor '%s': data_offsets: expected [begin, end], found %s%s", path,
                           name, json_kind(jo), json_is_array(jo) ? " of another length" : "");
    json_int_t ob = json_integer_value(json_array_get(jo, 0)), oe = json_integer_value(json_array_get(jo, 1));
    if (!json_is_integer(json_array_get(jo, 0)) || !json_is_integer(json_array_get(jo, 1)) || ob < 0 || oe < 0)
        return aif_err_set(err, AIF_EFORMAT, "%s: tensor '%s': data_offsets: expected two non-negative integers", path,
                           name);
    uint64_t begin = (uint64_t)ob, end = (uint64_t)oe;
    if (begin > end)
        return aif_err_set(err, AIF_EFORMAT, "%s: tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "): begin after end",
                           path, name, begin, end);
    if (end > data_len)
        return aif_err_set(err, AIF_EFORMAT,
                           "%s: tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 ") outside the data section of %" PRIu64
                           " bytes",
                           path, name, begin, end, data_len);
    if (end - begin != n_bytes)
        return aif_err_set(err, AIF_EFORMAT,
                           "%s: tensor '%s': shape %s of %s needs %" PRIu64 " bytes but data_offsets [%" PRIu64
                           ", %" PRIu64 ") span %" PRIu64,
                           path, name, sh, aif_dtype_name(dtype), n_bytes, begin, end, end - begin);

    aif_code rc = grow_tensors(st, err);
    if (rc)
        return rc;
    char *nm = aif_strdup(name);
    if (!nm)
        return aif_err_set(err, AIF_ENOMEM, "%s: out of memory for tensor name '%s'", path, name);
    aif_st_tensor *t = &st->tensors[st->n_tensors++];
    memset(t, 0, sizeof *t);
    t->name = nm;
    t->dtype = dtype;
    t->n_dims = (int)n_dims;
    memcpy(t->shape, shape, n_dims * sizeof shape[0]);
    t->n_elements = count;
    t->data = data + begin;
    t->n_bytes = (size_t)n_bytes;
    return AIF_OK;
}

static int by_offset(const void *a, const void *b)
{
    const aif_st_tensor *x = a, *y = b;
    const uint8_t *px = x->data, *py = y->data;
    if (px != py)
        return px < py ? -1 : 1;
    if (x->n_bytes != y->n_bytes)
        return x->n_bytes < y->n_bytes ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Sorted by offset, the file's tensors must tile [0, data_len). */
static aif_code check_tiling(aif_safetensors *st, size_t first, const char *path, const uint8_t *data,
                             uint64_t data_len, aif_err *err)
{
    size_t n = st->n_tensors - first;
    uint64_t pos = 0;
    aif_st_tensor *t = n ? st->tensors + first : NULL;
    if (n)
        qsort(t, n, sizeof *t, by_offset);
    for (size_t i = 0; i < n; i++) {
        uint64_t b = (uint64_t)((const uint8_t *)t[i].data - data), e = b + t[i].n_bytes;
        if (b < pos) {
            uint64_t pb = (uint64_t)((const uint8_t *)t[i - 1].data - data);
            return aif_err_set(err, AIF_EFORMAT,
                               "%s: tensors '%s' [%" PRIu64 ", %" PRIu64 ") and '%s' [%" PRIu64 ", %" PRIu64 ") overlap",
                               path, t[i - 1].name, pb, pb + t[i - 1].n_bytes, t[i].name, b, e);
        }
        if (b > pos)
            return aif_err_set(err, AIF_EFORMAT,
                               "%s: tensor '%s' starts at data offset %" PRIu64 ", expected %" PRIu64
                               " (a gap after %s%s%s; data must be contiguous)",
                               path, t[i].name, b, pos, i ? "'" : "", i ? t[i - 1].name : "the start", i ? "'" : "");
        pos = e;
    }
    if (pos != data_len)
        return aif_err_set(err, AIF_EFORMAT,
                           "%s: tensors cover %" PRIu64 " bytes but the data section holds %" PRIu64
                           " (trailing bytes after the last tensor)",
                           path, pos, data_len);
    return AIF_OK;
}

aif_code aif_st_header_parse(aif_safetensors *st, size_t file_index, const uint8_t *buf, size_t len, aif_err *err)
{
    const char *path = st->files[file_index].path;
    if (len == 0)
        return aif_err_set(err, AIF_EFORMAT, "%s: empty file, expected an 8-byte header length then a JSON header", path);
    if (len < 8)
        return aif_err_set(err, AIF_EFORMAT, "%s: file is %zu bytes, shorter than the 8-byte header length", path, len);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = (n << 8) | buf[i];
    if (n > AIF_SAFETENSORS_MAX_HEADER)
        return aif_err_set(err, AIF_ERANGE, "%s: header length %" PRIu64 " exceeds the limit of %u bytes", path, n,
                           AIF_SAFETENSORS_MAX_HEADER);
    if (n > len - 8)
        return aif_err_set(err, AIF_EFORMAT,
                           "%s: header length %" PRIu64 " exceeds the %zu bytes that follow it (file size %zu)", path, n,
                           len - 8, len);
    const uint8_t *h = buf + 8;
    size_t bad = aif_st_utf8_check(h, (size_t)n);
    if (bad != n)
        return aif_err_set(err, AIF_EUTF8, "%s: header: invalid UTF-8 at header byte %zu (file offset %zu, byte 0x%02x)",
                           path, bad, bad + 8, h[bad]);
    int depth = json_depth(h, (size_t)n, ST_MAX_DEPTH);
    if (depth > ST_MAX_DEPTH)
        return aif_err_set(err, AIF_ERANGE, "%s: header: JSON nested deeper than %d levels", path, ST_MAX_DEPTH);

    json_error_t jerr;
    json_t *root = json_loadb((const char *)h, (size_t)n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!root) {
        if (json_error_code(&jerr) == json_error_duplicate_key) {
            char key[128];
            duplicate_key(h, (size_t)n, (size_t)jerr.position, key, sizeof key);
            return aif_err_set(err, AIF_EFORMAT, "%s: header: duplicate tensor name '%s' (header byte %d)", path, key,
                               jerr.position);
        }
        return aif_err_set(err, AIF_EFORMAT, "%s: header is not valid JSON: %s (line %d, column %d)", path, jerr.text,
                           jerr.line, jerr.column);
    }
    aif_code rc = AIF_OK;
    if (!json_is_object(root)) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: header is %s, expected a JSON object", path, json_kind(root));
        goto out;
    }
    const uint8_t *data = h + n;
    uint64_t data_len = (uint64_t)(len - 8 - n);
    size_t first = st->n_tensors;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (!strcmp(key, "__metadata__"))
            rc = parse_metadata(st, path, v, file_index == 0, err);
        else
            rc = parse_tensor(st, path, key, v, data, data_len, err);
        if (rc)
            goto out;
    }
    rc = check_tiling(st, first, path, data, data_len, err);
    if (rc)
        goto out;
    for (size_t i = first; i < st->n_tensors; i++)
        st->tensors[i].file = path;
out:
    json_decref(root);
    return rc;
}
