/* codec.c: SCALE primitives (parity-scale-codec): the bounded reader, the
 * growable writer, compact integers, and the arena the other files use. */
#include <string.h>

#include "aif/alloc.h"
#include "scale_int.h"

/* ------------------------------------------------------------------ arena */

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void aif_scale_i_arena_init(scale_arena *a, size_t limit)
{
    a->head = NULL;
    a->total = 0;
    a->limit = limit;
}

void aif_scale_i_arena_release(scale_arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        aif_free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

void *aif_scale_i_arena_alloc(scale_arena *a, size_t n, aif_err *err)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n)
        return aif_err_set(err, AIF_ERANGE, "allocation of %zu bytes overflows", n), NULL;
    if (a->limit && (need > a->limit || a->total > a->limit - need))
        return aif_err_set(err, AIF_ERANGE, "decoded data would exceed the limit of %zu bytes", a->limit), NULL;
    struct arena_chunk *c = a->head;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > 65536 ? need : 65536;
        c = aif_malloc(sizeof *c + cap);
        if (!c)
            return aif_err_set(err, AIF_ENOMEM, "out of memory allocating %zu bytes", cap), NULL;
        c->cap = cap;
        c->used = 0;
        /* Keep a partly used big chunk at the head only if it has more room. */
        if (a->head && need > 65536) {
            c->next = a->head->next;
            a->head->next = c;
            c->used = need;
            a->total += need;
            memset(c->data, 0, need);
            return c->data;
        }
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->total += need;
    memset(p, 0, need);
    return p;
}

char *aif_scale_i_arena_strndup(scale_arena *a, const char *s, size_t n, aif_err *err)
{
    char *p = aif_scale_i_arena_alloc(a, n + 1, err);
    if (p) {
        if (n)
            memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* ------------------------------------------------------------------- utf8 */

int aif_scale_i_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) { k = 1; cp = c & 0x1f; min = 0x80; }
        else if ((c & 0xf0) == 0xe0) { k = 2; cp = c & 0x0f; min = 0x800; }
        else if ((c & 0xf8) == 0xf0) { k = 3; cp = c & 0x07; min = 0x10000; }
        else return 0;
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* ----------------------------------------------------------------- reader */

void aif_scale_reader_init(aif_scale_reader *r, const void *p, size_t len)
{
    r->p = p;
    r->len = p ? len : 0;
    r->pos = 0;
}

aif_code aif_scale_read_raw(aif_scale_reader *r, size_t n, const uint8_t **out, aif_err *err)
{
    if (n > r->len - r->pos)
        return aif_err_set(err, AIF_EFORMAT, "offset %zu: need %zu bytes, only %zu left", r->pos, n,
                           r->len - r->pos);
    *out = r->p ? r->p + r->pos : r->p; /* an empty reader has no buffer */
    r->pos += n;
    return AIF_OK;
}

aif_code aif_scale_read_uint(aif_scale_reader *r, size_t nbytes, aif_u128 *out, aif_err *err)
{
    AIF_ASSERT(nbytes >= 1 && nbytes <= 16);
    const uint8_t *b = 0;
    aif_code rc = aif_scale_read_raw(r, nbytes, &b, err);
    if (rc)
        return rc;
    aif_u128 v = 0;
    for (size_t i = nbytes; i-- > 0;)
        v = (v << 8) | b[i];
    *out = v;
    return AIF_OK;
}

aif_code aif_scale_read_int(aif_scale_reader *r, size_t nbytes, aif_i128 *out, aif_err *err)
{
    aif_u128 u = 0;
    aif_code rc = aif_scale_read_uint(r, nbytes, &u, err);
    if (rc)
        return rc;
    if (nbytes < 16 && (u >> (nbytes * 8 - 1)) & 1)
        u |= ~(aif_u128)0 << (nbytes * 8);
    *out = (aif_i128)u;
    return AIF_OK;
}

aif_code aif_scale_read_u8(aif_scale_reader *r, uint8_t *out, aif_err *err)
{
    aif_u128 v = 0;
    aif_code rc = aif_scale_read_uint(r, 1, &v, err);
    if (!rc)
        *out = (uint8_t)v;
    return rc;
}

aif_code aif_scale_read_u16(aif_scale_reader *r, uint16_t *out, aif_err *err)
{
    aif_u128 v = 0;
    aif_code rc = aif_scale_read_uint(r, 2, &v, err);
    if (!rc)
        *out = (uint16_t)v;
    return rc;
}

aif_code aif_scale_read_u32(aif_scale_reader *r, uint32_t *out, aif_err *err)
{
    aif_u128 v = 0;
    aif_code rc = aif_scale_read_uint(r, 4, &v, err);
    if (!rc)
        *out = (uint32_t)v;
    return rc;
}

aif_code aif_scale_read_u64(aif_scale_reader *r, uint64_t *out, aif_err *err)
{
    aif_u128 v = 0;
    aif_code rc = aif_scale_read_uint(r, 8, &v, err);
    if (!rc)
        *out = (uint64_t)v;
    return rc;
}

aif_code aif_scale_read_u128(aif_scale_reader *r, aif_u128 *out, aif_err *err)
{
    return aif_scale_read_uint(r, 16, out, err);
}

aif_code aif_scale_read_bool(aif_scale_reader *r, int *out, aif_err *err)
{
    size_t at = r->pos;
    uint8_t b = 0;
    aif_code rc = aif_scale_read_u8(r, &b, err);
    if (rc)
        return rc;
    if (b > 1)
        return aif_err_set(err, AIF_EFORMAT, "offset %zu: bool byte 0x%02x is not 0 or 1", at, b);
    *out = b;
    return AIF_OK;
}

/* Compact modes (low two bits of the first byte): 00 one byte (0..63),
 * 01 two bytes (64..2^14-1), 10 four bytes (2^14..2^30-1), 11 big integer
 * of (b0 >> 2) + 4 bytes. parity-scale-codec rejects any value that a
 * shorter mode could hold, and a big integer with a zero top byte. */
aif_code aif_scale_read_compact(aif_scale_reader *r, aif_u128 *out, aif_err *err)
{
    size_t at = r->pos;
    uint8_t b0 = 0;
    aif_code rc = aif_scale_read_u8(r, &b0, err);
    if (rc)
        return rc;
    aif_u128 v = 0;
    switch (b0 & 3) {
    case 0:
        *out = b0 >> 2;
        return AIF_OK;
    case 1: {
        uint8_t b1 = 0;
        if ((rc = aif_scale_read_u8(r, &b1, err)))
            return rc;
        v = ((uint32_t)b0 | (uint32_t)b1 << 8) >> 2;
        if (v < 64)
            return aif_err_set(err, AIF_EFORMAT, "offset %zu: non-canonical compact (%u in two bytes)", at,
                               (unsigned)v);
        *out = v;
        return AIF_OK;
    }
    case 2: {
        r->pos = at;
        uint32_t w = 0;
        if ((rc = aif_scale_read_u32(r, &w, err)))
            return rc;
        v = w >> 2;
        if (v < (1u << 14))
            return aif_err_set(err, AIF_EFORMAT, "offset %zu: non-canonical compact (%u in four bytes)", at,
                               (unsigned)v);
        *out = v;
        return AIF_OK;
    }
    default: {
        size_t n = (size_t)(b0 >> 2) + 4;
        if (n > 16)
            return aif_err_set(err, AIF_ERANGE, "offset %zu: compact of %zu bytes exceeds 128 bits", at, n);
        if ((rc = aif_scale_read_uint(r, n, &v, err)))
            return rc;
        if ((v >> ((n - 1) * 8)) == 0)
            return aif_err_set(err, AIF_EFORMAT, "offset %zu: non-canonical compact (top byte of %zu is zero)",
                               at, n);
        if (n == 4 && v < (1u << 30))
            return aif_err_set(err, AIF_EFORMAT, "offset %zu: non-canonical compact (%u in big-integer mode)",
                               at, (unsigned)v);
        *out = v;
        return AIF_OK;
    }
    }
}

aif_code aif_scale_read_compact_u64(aif_scale_reader *r, uint64_t *out, aif_err *err)
{
    size_t at = r->pos;
    aif_u128 v = 0;
    aif_code rc = aif_scale_read_compact(r, &v, err);
    if (rc)
        return rc;
    if (v >> 64)
        return aif_err_set(err, AIF_ERANGE, "offset %zu: compact value exceeds 64 bits", at);
    *out = (uint64_t)v;
    return AIF_OK;
}

aif_code aif_scale_read_compact_u32(aif_scale_reader *r, uint32_t *out, aif_err *err)
{
    size_t at = r->pos;
    aif_u128 v = 0;
    aif_code rc = aif_scale_read_compact(r, &v, err);
    if (rc)
        return rc;
    if (v >> 32)
        return aif_err_set(err, AIF_ERANGE, "offset %zu: compact value exceeds 32 bits", at);
    *out = (uint32_t)v;
    return AIF_OK;
}

aif_code aif_scale_read_count(aif_scale_reader *r, size_t min_elem_size, size_t *out, aif_err *err)
{
    size_t at = r->pos;
    uint64_t n = 0;
    aif_code rc = aif_scale_read_compact_u64(r, &n, err);
    if (rc)
        return rc;
    size_t left = r->len - r->pos;
    size_t m = min_elem_size ? min_elem_size : 1;
    if (n > left / m)
        return aif_err_set(err, AIF_ERANGE, "offset %zu: length %llu exceeds the %zu bytes left", at,
                           (unsigned long long)n, left);
    *out = (size_t)n;
    return AIF_OK;
}

aif_code aif_scale_read_bytes(aif_scale_reader *r, const uint8_t **out, size_t *out_len, aif_err *err)
{
    size_t n = 0;
    aif_code rc = aif_scale_read_count(r, 1, &n, err);
    if (rc)
        return rc;
    *out_len = n;
    return aif_scale_read_raw(r, n, out, err);
}

aif_code aif_scale_read_str(aif_scale_reader *r, const char **out, size_t *out_len, aif_err *err)
{
    size_t at = r->pos;
    const uint8_t *p = 0;
    size_t n = 0;
    aif_code rc = aif_scale_read_bytes(r, &p, &n, err);
    if (rc)
        return rc;
    if (!aif_scale_i_utf8_valid(p, n))
        return aif_err_set(err, AIF_EUTF8, "offset %zu: string of %zu bytes is not valid UTF-8", at, n);
    *out = (const char *)p;
    *out_len = n;
    return AIF_OK;
}

aif_code aif_scale_read_option(aif_scale_reader *r, int *is_some, aif_err *err)
{
    size_t at = r->pos;
    uint8_t b = 0;
    aif_code rc = aif_scale_read_u8(r, &b, err);
    if (rc)
        return rc;
    if (b > 1)
        return aif_err_set(err, AIF_EFORMAT, "offset %zu: option tag 0x%02x is not 0 or 1", at, b);
    *is_some = b;
    return AIF_OK;
}

aif_code aif_scale_read_option_bool(aif_scale_reader *r, int *out, aif_err *err)
{
    size_t at = r->pos;
    uint8_t b = 0;
    aif_code rc = aif_scale_read_u8(r, &b, err);
    if (rc)
        return rc;
    if (b > 2)
        return aif_err_set(err, AIF_EFORMAT, "offset %zu: OptionBool byte 0x%02x is not 0, 1 or 2", at, b);
    *out = b == 0 ? -1 : b == 1 ? 1 : 0;
    return AIF_OK;
}

aif_code aif_scale_i_read_str_dup(aif_scale_reader *r, scale_arena *a, const char **out, aif_err *err)
{
    const char *s = 0;
    size_t n = 0;
    aif_code rc = aif_scale_read_str(r, &s, &n, err);
    if (rc)
        return rc;
    char *d = aif_scale_i_arena_strndup(a, s, n, err);
    if (!d)
        return err ? err->code : AIF_ENOMEM;
    *out = d;
    return AIF_OK;
}

aif_code aif_scale_i_skip_docs(aif_scale_reader *r, aif_err *err)
{
    size_t n = 0;
    aif_code rc = aif_scale_read_count(r, 1, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        const char *s = 0;
        size_t len = 0;
        rc = aif_scale_read_str(r, &s, &len, err);
    }
    return rc;
}

/* ----------------------------------------------------------------- writer */

void aif_scale_writer_init(aif_scale_writer *w)
{
    w->buf = NULL;
    w->len = w->cap = 0;
    w->status = AIF_OK;
}

void aif_scale_writer_release(aif_scale_writer *w)
{
    aif_free(w->buf);
    aif_scale_writer_init(w);
}

uint8_t *aif_scale_writer_take(aif_scale_writer *w, size_t *len)
{
    uint8_t *b = w->buf;
    if (len)
        *len = w->len;
    aif_scale_writer_init(w);
    return b;
}

aif_code aif_scale_put_raw(aif_scale_writer *w, const void *p, size_t n)
{
    if (w->status)
        return w->status;
    if (n > w->cap - w->len) {
        size_t cap = w->cap ? w->cap : 64;
        while (cap - w->len < n) {
            if (cap > SIZE_MAX / 2)
                return w->status = AIF_ENOMEM;
            cap *= 2;
        }
        uint8_t *b = aif_realloc(w->buf, cap);
        if (!b)
            return w->status = AIF_ENOMEM;
        w->buf = b;
        w->cap = cap;
    }
    if (n)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
    return AIF_OK;
}

aif_code aif_scale_put_uint(aif_scale_writer *w, aif_u128 v, size_t nbytes)
{
    AIF_ASSERT(nbytes >= 1 && nbytes <= 16);
    uint8_t b[16];
    for (size_t i = 0; i < nbytes; i++, v >>= 8)
        b[i] = (uint8_t)v;
    return aif_scale_put_raw(w, b, nbytes);
}

aif_code aif_scale_put_u8(aif_scale_writer *w, uint8_t v) { return aif_scale_put_uint(w, v, 1); }
aif_code aif_scale_put_u16(aif_scale_writer *w, uint16_t v) { return aif_scale_put_uint(w, v, 2); }
aif_code aif_scale_put_u32(aif_scale_writer *w, uint32_t v) { return aif_scale_put_uint(w, v, 4); }
aif_code aif_scale_put_u64(aif_scale_writer *w, uint64_t v) { return aif_scale_put_uint(w, v, 8); }
aif_code aif_scale_put_u128(aif_scale_writer *w, aif_u128 v) { return aif_scale_put_uint(w, v, 16); }
aif_code aif_scale_put_bool(aif_scale_writer *w, int v) { return aif_scale_put_uint(w, v ? 1 : 0, 1); }

aif_code aif_scale_put_compact(aif_scale_writer *w, aif_u128 v)
{
    if (v < 64)
        return aif_scale_put_uint(w, v << 2, 1);
    if (v < (1u << 14))
        return aif_scale_put_uint(w, (v << 2) | 1, 2);
    if (v < (1u << 30))
        return aif_scale_put_uint(w, (v << 2) | 2, 4);
    size_t n = 4;
    while (n < 16 && (v >> (n * 8)) != 0)
        n++;
    aif_scale_put_u8(w, (uint8_t)(((n - 4) << 2) | 3));
    return aif_scale_put_uint(w, v, n);
}

aif_code aif_scale_put_option_bool(aif_scale_writer *w, int v)
{
    return aif_scale_put_u8(w, (uint8_t)(v < 0 ? 0 : v ? 1 : 2));
}

aif_code aif_scale_put_bytes(aif_scale_writer *w, const void *p, size_t n)
{
    aif_scale_put_compact(w, n);
    return aif_scale_put_raw(w, p, n);
}

aif_code aif_scale_put_str(aif_scale_writer *w, const char *s, size_t n)
{
    return aif_scale_put_bytes(w, s, n);
}
