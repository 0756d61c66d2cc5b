/* writer.c: aif_safetensors_save, byte for byte what the Python
 * `safetensors` library (Rust core, safetensors/src/tensor.rs prepare() and
 * Metadata::serialize) writes for the same tensors and metadata:
 *   - tensors sorted by dtype descending in the library's Dtype enum order
 *     (..., F16 = 7, BF16 = 8, ..., F32 = 11), then by name (bytewise);
 *   - data written contiguously in that order, offsets from 0;
 *   - header: compact serde_json, `__metadata__` first when given, then
 *     "name":{"dtype":..,"shape":[..],"data_offsets":[b,e]} in that order,
 *     padded with spaces to a multiple of 8.
 * Metadata pairs are written in the order given (the library keeps them in
 * a Rust HashMap, whose order is random when there are several).
 * The file goes to "<path>.tmp.<pid>", is fsynced, then renamed. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "safetensors_int.h"

/* Position of each dtype in the reference library's Dtype enum. */
static const int dtype_rank[AIF_DTYPE_COUNT] = {
    [AIF_DTYPE_F32] = 11,
    [AIF_DTYPE_F16] = 7,
    [AIF_DTYPE_BF16] = 8,
};

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = aif_realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

static void putf(sbuf *b, const char *fmt, uint64_t v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, fmt, v);
    put(b, tmp, (size_t)n);
}

/* A JSON string as serde_json escapes it: \" \\ \b \f \n \r \t, other
 * controls as \u00xx (lower-case hex), everything else verbatim. */
static void put_json_str(sbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    put(b, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        char e[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (*c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default:
            if (*c < 0x20) {
                memcpy(e + 1, "u00", 3);
                e[4] = hex[*c >> 4];
                e[5] = hex[*c & 15];
                n = 6;
            } else {
                put(b, (const char *)c, 1);
                continue;
            }
        }
        put(b, e, n);
    }
    put(b, "\"", 1);
}

static int cmp_write(const void *a, const void *b)
{
    const aif_st_write *x = *(const aif_st_write *const *)a, *y = *(const aif_st_write *const *)b;
    if (x->dtype != y->dtype)
        return dtype_rank[y->dtype] - dtype_rank[x->dtype];
    return strcmp(x->name, y->name);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp((*(const aif_st_write *const *)a)->name, (*(const aif_st_write *const *)b)->name);
}

static int valid_utf8(const char *s) { return aif_st_utf8_check((const uint8_t *)s, strlen(s)) == strlen(s); }

/* Byte count of one tensor, or an error naming it. */
static aif_code tensor_bytes(const char *path, const aif_st_write *t, uint64_t *out, aif_err *err)
{
    if (!t->name)
        return aif_err_set(err, AIF_EINVAL, "%s: a tensor has no name", path);
    if (!valid_utf8(t->name))
        return aif_err_set(err, AIF_EUTF8, "%s: tensor name is not valid UTF-8", path);
    if (!strcmp(t->name, "__metadata__"))
        return aif_err_set(err, AIF_EINVAL, "%s: '__metadata__' is reserved and cannot name a tensor", path);
    if ((unsigned)t->dtype >= AIF_DTYPE_COUNT)
        return aif_err_set(err, AIF_EINVAL, "%s: tensor '%s': invalid dtype %d", path, t->name, (int)t->dtype);
    if (t->n_dims < 0 || t->n_dims > AIF_SAFETENSORS_MAX_DIMS || (t->n_dims && !t->shape))
        return aif_err_set(err, AIF_EINVAL, "%s: tensor '%s': %d dims, expected 0 to %d with a shape", path, t->name,
                           t->n_dims, AIF_SAFETENSORS_MAX_DIMS);
    uint64_t count = 1;
    int zero = 0, overflow = 0;
    for (int d = 0; d < t->n_dims; d++) {
        if (t->shape[d] < 0)
            return aif_err_set(err, AIF_EINVAL, "%s: tensor '%s': shape[%d] = %" PRId64 " is negative", path, t->name,
                               d, t->shape[d]);
        uint64_t v = (uint64_t)t->shape[d];
        if (v == 0)
            zero = 1;
        else if (count > (uint64_t)INT64_MAX / v)
            overflow = 1;
        else
            count *= v;
    }
    size_t es = aif_dtype_size(t->dtype);
    if (zero)
        count = 0;
    else if (overflow || count > (uint64_t)INT64_MAX / es)
        return aif_err_set(err, AIF_ERANGE, "%s: tensor '%s': shape overflows 64-bit byte counts", path, t->name);
    *out = count * es;
    if (*out && !t->data)
        return aif_err_set(err, AIF_EINVAL, "%s: tensor '%s': %" PRIu64 " bytes but no data", path, t->name, *out);
    return AIF_OK;
}

static aif_code write_all(int fd, const char *tmp, const void *p, uint64_t n, aif_err *err)
{
    const uint8_t *c = p;
    while (n) {
        size_t chunk = n > (1u << 30) ? (1u << 30) : (size_t)n;
        ssize_t w = write(fd, c, chunk);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return aif_err_set(err, AIF_EIO, "%s: write: %s", tmp, w < 0 ? strerror(errno) : "no progress");
        c += w;
        n -= (uint64_t)w;
    }
    return AIF_OK;
}

aif_code aif_safetensors_save(const char *path, const aif_st_write *tensors, size_t n_tensors,
                              const char *const *metadata_kv, size_t n_metadata, aif_err *err)
{
    const aif_st_write **order = NULL;
    sbuf h = {0};
    char *tmp = NULL;
    int fd = -1;
    aif_code rc = AIF_OK;
    uint64_t total = 0, *sizes = NULL;

    for (size_t i = 0; i < 2 * n_metadata; i++) {
        if (!metadata_kv[i])
            return aif_err_set(err, AIF_EINVAL, "%s: metadata %s %zu is NULL", path, i % 2 ? "value" : "key", i / 2);
        if (!valid_utf8(metadata_kv[i]))
            return aif_err_set(err, AIF_EUTF8, "%s: metadata %s %zu is not valid UTF-8", path, i % 2 ? "value" : "key",
                               i / 2);
    }
    for (size_t i = 0; i < n_metadata; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(metadata_kv[2 * i], metadata_kv[2 * j]))
                return aif_err_set(err, AIF_EINVAL, "%s: metadata key '%s' given twice", path, metadata_kv[2 * i]);

    order = aif_calloc(n_tensors ? n_tensors : 1, sizeof *order);
    sizes = aif_calloc(n_tensors ? n_tensors : 1, sizeof *sizes);
    if (!order || !sizes) {
        rc = aif_err_set(err, AIF_ENOMEM, "%s: out of memory for %zu tensors", path, n_tensors);
        goto out;
    }
    for (size_t i = 0; i < n_tensors; i++) {
        order[i] = &tensors[i];
        uint64_t nb;
        if ((rc = tensor_bytes(path, &tensors[i], &nb, err)))
            goto out;
    }
    if (n_tensors) {
        qsort(order, n_tensors, sizeof *order, cmp_name);
        for (size_t i = 1; i < n_tensors; i++)
            if (!strcmp(order[i - 1]->name, order[i]->name)) {
                rc = aif_err_set(err, AIF_EINVAL, "%s: tensor name '%s' given twice", path, order[i]->name);
                goto out;
            }
        qsort(order, n_tensors, sizeof *order, cmp_write);
    }

    puts_(&h, "{");
    if (n_metadata) {
        puts_(&h, "\"__metadata__\":{");
        for (size_t i = 0; i < n_metadata; i++) {
            if (i)
                puts_(&h, ",");
            put_json_str(&h, metadata_kv[2 * i]);
            puts_(&h, ":");
            put_json_str(&h, metadata_kv[2 * i + 1]);
        }
        puts_(&h, "}");
    }
    for (size_t i = 0; i < n_tensors; i++) {
        const aif_st_write *t = order[i];
        tensor_bytes(path, t, &sizes[i], NULL);
        if (i || n_metadata)
            puts_(&h, ",");
        put_json_str(&h, t->name);
        puts_(&h, ":{\"dtype\":\"");
        puts_(&h, aif_dtype_name(t->dtype));
        puts_(&h, "\",\"shape\":[");
        for (int d = 0; d < t->n_dims; d++)
            putf(&h, d ? ",%" PRIu64 : "%" PRIu64, (uint64_t)t->shape[d]);
        putf(&h, "],\"data_offsets\":[%" PRIu64, total);
        total += sizes[i];
        putf(&h, ",%" PRIu64 "]}", total);
    }
    puts_(&h, "}");
    while (h.len % 8 && !h.oom)
        puts_(&h, " ");
    if (h.oom) {
        rc = aif_err_set(err, AIF_ENOMEM, "%s: out of memory for the header", path);
        goto out;
    }
    if (h.len > AIF_SAFETENSORS_MAX_HEADER) {
        rc = aif_err_set(err, AIF_ERANGE, "%s: header of %zu bytes exceeds the limit of %u", path, h.len,
                         AIF_SAFETENSORS_MAX_HEADER);
        goto out;
    }

    size_t tl = strlen(path) + 32;
    tmp = aif_malloc(tl);
    if (!tmp) {
        rc = aif_err_set(err, AIF_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    snprintf(tmp, tl, "%s.tmp.%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = aif_err_set(err, AIF_EIO, "%s: cannot create: %s", tmp, strerror(errno));
        goto out;
    }
    uint8_t len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (uint8_t)((uint64_t)h.len >> (8 * i));
    if ((rc = write_all(fd, tmp, len8, 8, err)) || (rc = write_all(fd, tmp, h.p, h.len, err)))
        goto out;
    for (size_t i = 0; i < n_tensors; i++)
        if ((rc = write_all(fd, tmp, order[i]->data, sizes[i], err)))
            goto out;
    if (fsync(fd) != 0) {
        rc = aif_err_set(err, AIF_EIO, "%s: fsync: %s", tmp, strerror(errno));
        goto out;
    }
    int c = close(fd);
    fd = -1;
    if (c != 0) {
        rc = aif_err_set(err, AIF_EIO, "%s: close: %s", tmp, strerror(errno));
        goto out;
    }
    if (rename(tmp, path) != 0)
        rc = aif_err_set(err, AIF_EIO, "%s: rename to %s: %s", tmp, path, strerror(errno));
out:
    if (fd >= 0)
        close(fd);
    if (rc && tmp)
        unlink(tmp);
    aif_free(tmp);
    aif_free(h.p);
    aif_free(order);
    aif_free(sizes);
    return rc;
}
