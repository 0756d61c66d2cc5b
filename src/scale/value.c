/* value.c: the generic registry-driven decoder (a value tree, or a skip)
 * and its JSON form in polkadot-js toJSON conventions
 * (@polkadot/types-codec 16: AbstractInt.toJSON, Enum.toJSON, Struct.toJSON;
 * @polkadot/types PortableRegistry for how registry types map onto codecs):
 *
 *   integers      bit length <= 52 -> JSON number, else "0x" + big-endian
 *                 hex padded to the type width (two's complement if signed)
 *   Compact<T>    as T
 *   Vec<u8>, [u8; N] (element u8 through one-field wrappers) -> "0x" hex
 *   str           JSON string
 *   composite     no field -> null; one unnamed field -> that field (a
 *                 wrapper); several unnamed -> array; named -> object with
 *                 stringCamelCase keys
 *   tuple         () -> null; (T,) -> T; else array
 *   Option        null or the value;  Result -> {"ok": v} / {"err": e}
 *   enum          every variant without data -> "VariantName"; else
 *                 {"camelCaseName": fields} (fields as for a composite)
 *   AccountId32   (sp_core::crypto::AccountId32) SS58, prefix 42
 *   BTreeMap      object keyed by the key's string form
 *   BitVec        "0x" hex of the store bytes
 *   primitive_types::U128/U256/U512 ([u64; N]) as one integer, like u128
 *
 * Not reproduced: polkadot-js's own classes for RuntimeCall/RuntimeEvent
 * (GenericCall/GenericEvent), Era, identity Data; those print in the
 * generic enum form above.
 */
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "scale_int.h"

#define ARENA_LIMIT ((size_t)1 << 30)

typedef struct dec {
    const aif_scale_registry *reg;
    aif_scale_reader *r;
    scale_arena *arena;     /* NULL: skip only */
    size_t nodes;
    size_t max_nodes;       /* 32 per input byte + 65536, at most AIF_SCALE_MAX_NODES */
    aif_err *err;
} dec;

static size_t node_budget(const aif_scale_reader *r)
{
    size_t left = aif_scale_reader_left(r);
    size_t b = left > (AIF_SCALE_MAX_NODES - 65536) / 32 ? AIF_SCALE_MAX_NODES : left * 32 + 65536;
    return b;
}

typedef struct root {
    scale_arena arena;
    aif_scale_value v;
} root;

static aif_code decode(dec *d, uint32_t type, aif_scale_value *out, int depth);

static aif_code alloc_items(dec *d, aif_scale_value *out, size_t n)
{
    if (n > d->max_nodes - d->nodes)
        return aif_err_set(d->err, AIF_ERANGE, "offset %zu: more than %zu values from %zu input bytes", d->r->pos,
                           d->max_nodes, d->r->len);
    d->nodes += n;
    if (!out)
        return AIF_OK;
    out->n = n;
    if (!d->arena || !n)
        return AIF_OK;
    out->items = aif_scale_i_arena_alloc(d->arena, n * sizeof *out->items, d->err);
    return out->items ? AIF_OK : d->err ? d->err->code : AIF_ENOMEM;
}

static aif_code copy_bytes(dec *d, aif_scale_value *out, const uint8_t *p, size_t n)
{
    out->n = n;
    if (!d->arena || !n)
        return AIF_OK;
    uint8_t *c = aif_scale_i_arena_alloc(d->arena, n, d->err);
    if (!c)
        return d->err ? d->err->code : AIF_ENOMEM;
    memcpy(c, p, n);
    out->bytes = c;
    return AIF_OK;
}

static int is_u8(const aif_scale_registry *reg, uint32_t id)
{
    const aif_scale_type *t = aif_scale_registry_get(reg, aif_scale_i_registry_resolve(reg, id));
    return t && t->def == AIF_SCALE_DEF_PRIMITIVE && t->prim == AIF_SCALE_PRIM_U8;
}

/* Width in bits of the integer a compact wraps (128 if not an integer). */
static unsigned compact_bits(const aif_scale_registry *reg, uint32_t inner)
{
    const aif_scale_type *t = aif_scale_registry_get(reg, aif_scale_i_registry_resolve(reg, inner));
    if (t && t->def == AIF_SCALE_DEF_PRIMITIVE && !aif_scale_i_prim_signed(t->prim) && aif_scale_i_prim_size(t->prim) &&
        t->prim != AIF_SCALE_PRIM_BOOL && t->prim != AIF_SCALE_PRIM_CHAR)
        return (unsigned)aif_scale_i_prim_size(t->prim) * 8;
    return 128;
}

static aif_code decode_fields(dec *d, const aif_scale_field *f, size_t n, aif_scale_value *out, int depth)
{
    aif_code rc = alloc_items(d, out, n);
    for (size_t i = 0; i < n && !rc; i++) {
        aif_scale_value *c = d->arena ? &out->items[i] : NULL;
        if (c)
            c->name = f[i].name;
        rc = decode(d, f[i].type, c, depth + 1);
    }
    return rc;
}

static aif_code decode_prim(dec *d, const aif_scale_type *t, aif_scale_value *v)
{
    aif_scale_reader *r = d->r;
    aif_code rc;
    size_t at = r->pos;
    aif_scale_value tmp;
    if (!v)
        v = &tmp;
    switch (t->prim) {
    case AIF_SCALE_PRIM_BOOL:
        v->kind = AIF_SCALE_BOOL;
        return aif_scale_read_bool(r, &v->v.b, d->err);
    case AIF_SCALE_PRIM_CHAR: {
        uint32_t c;
        if ((rc = aif_scale_read_u32(r, &c, d->err)))
            return rc;
        if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return aif_err_set(d->err, AIF_EFORMAT, "offset %zu: char 0x%x is not a Unicode scalar value", at, c);
        v->kind = AIF_SCALE_CHAR;
        v->v.u = c;
        return AIF_OK;
    }
    case AIF_SCALE_PRIM_STR: {
        const char *s;
        size_t n;
        if ((rc = aif_scale_read_str(r, &s, &n, d->err)))
            return rc;
        v->kind = AIF_SCALE_STR;
        return copy_bytes(d, v, (const uint8_t *)s, n);
    }
    case AIF_SCALE_PRIM_U256:
    case AIF_SCALE_PRIM_I256: {
        const uint8_t *p;
        if ((rc = aif_scale_read_raw(r, 32, &p, d->err)))
            return rc;
        v->kind = AIF_SCALE_BIGINT;
        v->bits = 256;
        rc = copy_bytes(d, v, p, 32);
        return rc;
    }
    default: {
        size_t n = aif_scale_i_prim_size(t->prim);
        v->bits = (uint16_t)(n * 8);
        if (aif_scale_i_prim_signed(t->prim)) {
            v->kind = AIF_SCALE_INT;
            return aif_scale_read_int(r, n, &v->v.i, d->err);
        }
        v->kind = AIF_SCALE_UINT;
        return aif_scale_read_uint(r, n, &v->v.u, d->err);
    }
    }
}

static aif_code decode(dec *d, uint32_t type, aif_scale_value *out, int depth)
{
    aif_scale_reader *r = d->r;
    if (depth > AIF_SCALE_MAX_DEPTH)
        return aif_err_set(d->err, AIF_ERANGE, "offset %zu: values nested deeper than %d", r->pos,
                           AIF_SCALE_MAX_DEPTH);
    const aif_scale_type *t = aif_scale_registry_get(d->reg, type);
    if (!t)
        return aif_err_set(d->err, AIF_EFORMAT, "type id %u is not in the registry", type);
    if (out)
        out->type = type;
    aif_scale_value tmp;
    aif_scale_value *v = out ? out : &tmp;
    aif_code rc;
    size_t at = r->pos;
    switch (t->def) {
    case AIF_SCALE_DEF_COMPOSITE:
        v->kind = AIF_SCALE_COMPOSITE;
        return decode_fields(d, t->fields, t->n_fields, out, depth);
    case AIF_SCALE_DEF_VARIANT: {
        uint8_t idx;
        if ((rc = aif_scale_read_u8(r, &idx, d->err)))
            return rc;
        for (size_t i = 0; i < t->n_variants; i++) {
            const aif_scale_variant *var = &t->variants[i];
            if (var->index != idx)
                continue;
            v->kind = AIF_SCALE_VARIANT;
            v->variant = var->name;
            v->variant_index = idx;
            return decode_fields(d, var->fields, var->n_fields, out, depth);
        }
        return aif_err_set(d->err, AIF_EFORMAT, "offset %zu: variant index %u does not exist in type %u%s%s", at,
                           idx, type, t->n_path ? " " : "", t->n_path ? t->path[t->n_path - 1] : "");
    }
    case AIF_SCALE_DEF_SEQUENCE: {
        if (is_u8(d->reg, t->elem)) {
            const uint8_t *p;
            size_t n;
            if ((rc = aif_scale_read_bytes(r, &p, &n, d->err)))
                return rc;
            v->kind = AIF_SCALE_BYTES;
            return copy_bytes(d, v, p, n);
        }
        size_t n;
        if ((rc = aif_scale_read_count(r, aif_scale_registry_min_size(d->reg, t->elem), &n, d->err)))
            return rc;
        v->kind = AIF_SCALE_SEQUENCE;
        if ((rc = alloc_items(d, out, n)))
            return rc;
        for (size_t i = 0; i < n && !rc; i++)
            rc = decode(d, t->elem, out ? &out->items[i] : NULL, depth + 1);
        return rc;
    }
    case AIF_SCALE_DEF_ARRAY: {
        if (is_u8(d->reg, t->elem)) {
            const uint8_t *p;
            if ((rc = aif_scale_read_raw(r, t->len, &p, d->err)))
                return rc;
            v->kind = AIF_SCALE_BYTES;
            return copy_bytes(d, v, p, t->len);
        }
        size_t m = aif_scale_registry_min_size(d->reg, t->elem);
        if (m && t->len > aif_scale_reader_left(r) / m)
            return aif_err_set(d->err, AIF_EFORMAT, "offset %zu: array of %u elements needs more than the %zu bytes left",
                               at, t->len, aif_scale_reader_left(r));
        v->kind = AIF_SCALE_ARRAY;
        if ((rc = alloc_items(d, out, t->len)))
            return rc;
        for (size_t i = 0; i < t->len && !rc; i++)
            rc = decode(d, t->elem, out ? &out->items[i] : NULL, depth + 1);
        return rc;
    }
    case AIF_SCALE_DEF_TUPLE:
        v->kind = t->n_tuple ? AIF_SCALE_TUPLE : AIF_SCALE_NULL;
        if ((rc = alloc_items(d, out, t->n_tuple)))
            return rc;
        for (size_t i = 0; i < t->n_tuple && !rc; i++)
            rc = decode(d, t->tuple[i], out ? &out->items[i] : NULL, depth + 1);
        return rc;
    case AIF_SCALE_DEF_PRIMITIVE:
        return decode_prim(d, t, out);
    case AIF_SCALE_DEF_COMPACT: {
        aif_u128 x;
        if ((rc = aif_scale_read_compact(r, &x, d->err)))
            return rc;
        unsigned bits = compact_bits(d->reg, t->elem);
        if (bits < 128 && (x >> bits))
            return aif_err_set(d->err, AIF_ERANGE, "offset %zu: compact value does not fit in %u bits", at, bits);
        v->kind = AIF_SCALE_UINT;
        v->bits = (uint16_t)bits;
        v->v.u = x;
        return AIF_OK;
    }
    case AIF_SCALE_DEF_BITSEQ: {
        uint64_t bits;
        if ((rc = aif_scale_read_compact_u64(r, &bits, d->err)))
            return rc;
        const aif_scale_type *st = aif_scale_registry_get(d->reg, aif_scale_i_registry_resolve(d->reg, t->elem));
        size_t w = st && st->def == AIF_SCALE_DEF_PRIMITIVE ? aif_scale_i_prim_size(st->prim) : 0;
        if (!w || w > 8 || (st && st->prim == AIF_SCALE_PRIM_BOOL))
            return aif_err_set(d->err, AIF_ENOTSUP, "offset %zu: bit sequence store type %u is not u8..u64", at,
                               t->elem);
        uint64_t words = bits / (w * 8) + (bits % (w * 8) != 0);
        if (words > aif_scale_reader_left(r) / w)
            return aif_err_set(d->err, AIF_ERANGE, "offset %zu: bit sequence of %llu bits exceeds the bytes left",
                               at, (unsigned long long)bits);
        const uint8_t *p;
        if ((rc = aif_scale_read_raw(r, (size_t)words * w, &p, d->err)))
            return rc;
        v->kind = AIF_SCALE_BITS;
        if ((rc = copy_bytes(d, v, p, (size_t)words * w)))
            return rc;
        v->n = (size_t)bits;
        return AIF_OK;
    }
    }
    return aif_err_set(d->err, AIF_EFORMAT, "type %u has an unknown definition", type);
}

aif_code aif_scale_value_decode(const aif_scale_registry *reg, uint32_t type, aif_scale_reader *r,
                                aif_scale_value **out, aif_err *err)
{
    *out = NULL;
    root *rt = aif_calloc(1, sizeof *rt);
    if (!rt)
        return aif_err_set(err, AIF_ENOMEM, "out of memory decoding a value");
    aif_scale_i_arena_init(&rt->arena, ARENA_LIMIT);
    dec d = {reg, r, &rt->arena, 1, node_budget(r), err};
    aif_code rc = decode(&d, type, &rt->v, 0);
    if (rc) {
        aif_scale_i_arena_release(&rt->arena);
        aif_free(rt);
        return rc;
    }
    *out = &rt->v;
    return AIF_OK;
}

void aif_scale_value_free(aif_scale_value *v)
{
    if (!v)
        return;
    root *rt = (root *)((char *)v - offsetof(root, v));
    aif_scale_i_arena_release(&rt->arena);
    aif_free(rt);
}

aif_code aif_scale_skip(const aif_scale_registry *reg, uint32_t type, aif_scale_reader *r, aif_err *err)
{
    dec d = {reg, r, NULL, 0, node_budget(r), err};
    return decode(&d, type, NULL, 0);
}

const aif_scale_value *aif_scale_value_field(const aif_scale_value *v, const char *name)
{
    if (v->kind != AIF_SCALE_COMPOSITE && v->kind != AIF_SCALE_VARIANT)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i].name && !strcmp(v->items[i].name, name))
            return &v->items[i];
    return NULL;
}

/* ---------------------------------------------------------- camel, SS58 */

static int is_sep(char c) { return c == '-' || c == '_' || c == '.' || c == ',' || c == ' '; }
static int is_up_or_digit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }
static char upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 32) : c; }

/* @polkadot/util stringCamelCase: split on runs of [-_., ]; a word made only
 * of capitals/digits is lower-cased; a leading run of >= 2 capitals/digits
 * followed by a non-lower-case character is lower-cased except its last
 * character ("NFTOrder" -> "nftOrder"); then the first word starts lower
 * case and the others upper case. */
void aif_scale_camel_case(const char *in, char *out)
{
    size_t o = 0, i = 0, word = 0;
    while (in[i]) {
        while (in[i] && is_sep(in[i]))
            i++;
        if (!in[i])
            break;
        size_t s = i;
        while (in[i] && !is_sep(in[i]))
            i++;
        size_t n = i - s;
        char w[256];
        if (n >= sizeof w)
            n = sizeof w - 1;
        memcpy(w, in + s, n);
        w[n] = 0;
        int all = 1;
        for (size_t k = 0; k < n; k++)
            all &= is_up_or_digit(w[k]);
        if (all) {
            for (size_t k = 0; k < n; k++)
                w[k] = lower(w[k]);
        } else {
            /* ^[A-Z\d]{2,}[^a-z]: greedy run, then backtrack until the next char is not lower case */
            size_t run = 0;
            while (run < n && is_up_or_digit(w[run]))
                run++;
            size_t m = 0; /* match length, 0 = none */
            for (size_t k = run; k >= 2; k--)
                if (k < n && !(w[k] >= 'a' && w[k] <= 'z')) {
                    m = k + 1;
                    break;
                }
            for (size_t k = 0; k + 1 < m; k++)
                w[k] = lower(w[k]);
            if (m)
                w[m - 1] = upper(w[m - 1]);
        }
        w[0] = word ? upper(w[0]) : lower(w[0]);
        memcpy(out + o, w, n);
        o += n;
        word++;
    }
    out[o] = 0;
}


/* ------------------------------------------------------------------ JSON */

typedef struct jctx {
    const aif_scale_registry *reg;
    aif_scale_writer *w;
    unsigned flags;
    aif_err *err;
} jctx;

static void put_s(jctx *j, const char *s) { aif_scale_put_raw(j->w, s, strlen(s)); }

static void put_json_string(jctx *j, const char *s, size_t n)
{
    aif_scale_put_u8(j->w, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            aif_scale_put_raw(j->w, esc, 2);
        } else if (c < 0x20) {
            const char *sh = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == '\b' ? "\\b"
                           : c == '\f' ? "\\f" : NULL;
            if (sh)
                put_s(j, sh);
            else {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                put_s(j, esc);
            }
        } else {
            aif_scale_put_u8(j->w, c);
        }
    }
    aif_scale_put_u8(j->w, '"');
}

static void put_hex(jctx *j, const uint8_t *p, size_t n)
{
    static const char X[] = "0123456789abcdef";
    put_s(j, "\"0x");
    for (size_t i = 0; i < n; i++) {
        char c[2] = {X[p[i] >> 4], X[p[i] & 15]};
        aif_scale_put_raw(j->w, c, 2);
    }
    aif_scale_put_u8(j->w, '"');
}

static void put_u128_dec(jctx *j, aif_u128 v, int neg)
{
    char buf[48];
    size_t i = sizeof buf;
    buf[--i] = 0;
    do {
        buf[--i] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    if (neg)
        buf[--i] = '-';
    put_s(j, buf + i);
}

/* A little-endian integer of nbytes: number if its magnitude has at most 52
 * bits, else "0x" big-endian hex of all nbytes (two's complement). */
static void put_int_le(jctx *j, const uint8_t *le, size_t nbytes, int is_signed)
{
    int neg = is_signed && (le[nbytes - 1] & 0x80);
    uint8_t mag[64];
    memcpy(mag, le, nbytes);
    if (neg) { /* magnitude = two's complement negation */
        unsigned carry = 1;
        for (size_t i = 0; i < nbytes; i++) {
            unsigned x = (uint8_t)~mag[i] + carry;
            mag[i] = (uint8_t)x;
            carry = x >> 8;
        }
    }
    int small = 1;
    for (size_t i = 7; i < nbytes; i++)
        if (mag[i] || (i == 6 && (mag[i] & 0xf0)))
            small = 0;
    if (nbytes >= 7 && (mag[6] & 0xf0))
        small = 0;
    if (small) {
        aif_u128 v = 0;
        for (size_t i = nbytes < 7 ? nbytes : 7; i-- > 0;)
            v = (v << 8) | mag[i];
        put_u128_dec(j, v, neg && v);
        return;
    }
    uint8_t be[64];
    for (size_t i = 0; i < nbytes; i++)
        be[i] = le[nbytes - 1 - i];
    put_hex(j, be, nbytes);
}

/* primitive_types::U128/U256/U512 = [u64; N] limbs, least significant
 * first: polkadot-js maps them to its UInt of 64*N bits. */
static int put_big_uint(jctx *j, const aif_scale_type *t, const aif_scale_value *v)
{
    if (!t || t->n_path != 2 || strcmp(t->path[0], "primitive_types") || t->path[1][0] != 'U')
        return 0;
    const aif_scale_value *a = v->n == 1 ? &v->items[0] : NULL;
    if (!a || a->kind != AIF_SCALE_ARRAY || a->n == 0 || a->n > 8)
        return 0;
    uint8_t le[64];
    for (size_t i = 0; i < a->n; i++) {
        if (a->items[i].kind != AIF_SCALE_UINT || a->items[i].bits != 64)
            return 0;
        aif_u128 x = a->items[i].v.u;
        for (int k = 0; k < 8; k++, x >>= 8)
            le[i * 8 + k] = (uint8_t)x;
    }
    put_int_le(j, le, a->n * 8, 0);
    return 1;
}

static aif_code to_json(jctx *j, const aif_scale_value *v, int depth);

static int all_named(const aif_scale_value *v)
{
    for (size_t i = 0; i < v->n; i++)
        if (!v->items[i].name)
            return 0;
    return v->n > 0;
}

/* Fields of a composite or an enum variant. */
static aif_code fields_json(jctx *j, const aif_scale_value *v, int depth)
{
    aif_code rc = AIF_OK;
    if (v->n == 0) {
        put_s(j, "null");
    } else if (all_named(v)) {
        aif_scale_put_u8(j->w, '{');
        for (size_t i = 0; i < v->n && !rc; i++) {
            if (i)
                aif_scale_put_u8(j->w, ',');
            char key[256];
            size_t kn = strlen(v->items[i].name);
            if (kn >= sizeof key)
                return aif_err_set(j->err, AIF_ERANGE, "field name of %zu bytes", kn);
            aif_scale_camel_case(v->items[i].name, key);
            put_json_string(j, key, strlen(key));
            aif_scale_put_u8(j->w, ':');
            rc = to_json(j, &v->items[i], depth + 1);
        }
        aif_scale_put_u8(j->w, '}');
    } else if (v->n == 1) {
        rc = to_json(j, &v->items[0], depth + 1);
    } else {
        aif_scale_put_u8(j->w, '[');
        for (size_t i = 0; i < v->n && !rc; i++) {
            if (i)
                aif_scale_put_u8(j->w, ',');
            rc = to_json(j, &v->items[i], depth + 1);
        }
        aif_scale_put_u8(j->w, ']');
    }
    return rc;
}

/* The 32 bytes inside an AccountId32 value (through wrappers). */
static const aif_scale_value *inner_bytes(const aif_scale_value *v)
{
    for (int i = 0; i < 8 && v; i++) {
        if (v->kind == AIF_SCALE_BYTES)
            return v;
        v = (v->kind == AIF_SCALE_COMPOSITE || v->kind == AIF_SCALE_TUPLE) && v->n == 1 ? &v->items[0] : NULL;
    }
    return NULL;
}

/* BTreeMap key: a JSON string's content, else the JSON text itself. */
static aif_code map_json(jctx *j, const aif_scale_value *seq, int depth)
{
    aif_code rc = AIF_OK;
    aif_scale_put_u8(j->w, '{');
    for (size_t i = 0; i < seq->n && !rc; i++) {
        const aif_scale_value *kv = &seq->items[i];
        if (kv->kind != AIF_SCALE_TUPLE || kv->n != 2)
            return aif_err_set(j->err, AIF_EFORMAT, "BTreeMap entry is not a (key, value) pair");
        if (i)
            aif_scale_put_u8(j->w, ',');
        size_t mark = j->w->len;
        if ((rc = to_json(j, &kv->items[0], depth + 1)))
            return rc;
        if (j->w->status)
            return j->w->status;
        if (j->w->buf[mark] != '"') {
            /* wrap the key text in quotes */
            size_t n = j->w->len - mark;
            char *copy = aif_malloc(n ? n : 1);
            if (!copy)
                return aif_err_set(j->err, AIF_ENOMEM, "out of memory");
            memcpy(copy, j->w->buf + mark, n);
            j->w->len = mark;
            put_json_string(j, copy, n);
            aif_free(copy);
        }
        aif_scale_put_u8(j->w, ':');
        rc = to_json(j, &kv->items[1], depth + 1);
    }
    aif_scale_put_u8(j->w, '}');
    return rc;
}

static aif_code to_json(jctx *j, const aif_scale_value *v, int depth)
{
    if (depth > AIF_SCALE_MAX_DEPTH + 2)
        return aif_err_set(j->err, AIF_ERANGE, "value nested deeper than %d", AIF_SCALE_MAX_DEPTH);
    const aif_scale_type *t = aif_scale_registry_get(j->reg, v->type);
    aif_code rc = AIF_OK;
    uint8_t le[16];
    switch (v->kind) {
    case AIF_SCALE_NULL:
        put_s(j, "null");
        break;
    case AIF_SCALE_BOOL:
        put_s(j, v->v.b ? "true" : "false");
        break;
    case AIF_SCALE_CHAR:
        put_u128_dec(j, v->v.u, 0);
        break;
    case AIF_SCALE_UINT:
    case AIF_SCALE_INT: {
        aif_u128 x = v->v.u;
        for (int i = 0; i < 16; i++, x >>= 8)
            le[i] = (uint8_t)x;
        put_int_le(j, le, v->bits / 8, v->kind == AIF_SCALE_INT);
        break;
    }
    case AIF_SCALE_BIGINT:
        put_int_le(j, v->bytes, 32, t && t->prim == AIF_SCALE_PRIM_I256);
        break;
    case AIF_SCALE_STR:
        put_json_string(j, (const char *)v->bytes, v->n);
        break;
    case AIF_SCALE_BYTES:
        put_hex(j, v->bytes, v->n);
        break;
    case AIF_SCALE_BITS:
        put_hex(j, v->bytes, (v->n + 7) / 8);
        break;
    case AIF_SCALE_COMPOSITE:
        if (t && aif_scale_i_type_path_is(t, "sp_core::crypto::AccountId32")) {
            const aif_scale_value *b = inner_bytes(v);
            if (b && b->n == 32) {
                if (j->flags & AIF_SCALE_JSON_ACCOUNT_HEX) {
                    put_hex(j, b->bytes, 32);
                } else {
                    char ss58[AIF_SS58_MAX];
                    aif_crypto_ss58_encode(b->bytes, AIF_SS58_BITTENSOR, ss58);
                    put_json_string(j, ss58, strlen(ss58));
                }
                break;
            }
        }
        if (put_big_uint(j, t, v))
            break;
        if (t && t->n_path == 1 && !strcmp(t->path[0], "BTreeMap") && v->n == 1 &&
            v->items[0].kind == AIF_SCALE_SEQUENCE) {
            rc = map_json(j, &v->items[0], depth);
            break;
        }
        rc = fields_json(j, v, depth);
        break;
    case AIF_SCALE_VARIANT: {
        int is_opt = t && t->n_path == 1 && !strcmp(t->path[0], "Option");
        int is_res = t && t->n_path == 1 && !strcmp(t->path[0], "Result");
        if (is_opt) {
            if (v->n == 0)
                put_s(j, "null");
            else
                rc = fields_json(j, v, depth);
            break;
        }
        int basic = 1;
        for (size_t i = 0; t && i < t->n_variants; i++)
            basic &= t->variants[i].n_fields == 0;
        if (basic && !is_res) {
            put_json_string(j, v->variant, strlen(v->variant));
            break;
        }
        char key[256];
        const char *name = is_res ? (v->variant_index ? "err" : "ok") : v->variant;
        if (strlen(name) >= sizeof key)
            return aif_err_set(j->err, AIF_ERANGE, "variant name too long");
        aif_scale_camel_case(name, key);
        aif_scale_put_u8(j->w, '{');
        put_json_string(j, key, strlen(key));
        aif_scale_put_u8(j->w, ':');
        rc = fields_json(j, v, depth);
        aif_scale_put_u8(j->w, '}');
        break;
    }
    case AIF_SCALE_TUPLE:
        if (v->n == 1) {
            rc = to_json(j, &v->items[0], depth + 1);
            break;
        }
        /* fall through */
    case AIF_SCALE_SEQUENCE:
    case AIF_SCALE_ARRAY:
        aif_scale_put_u8(j->w, '[');
        for (size_t i = 0; i < v->n && !rc; i++) {
            if (i)
                aif_scale_put_u8(j->w, ',');
            rc = to_json(j, &v->items[i], depth + 1);
        }
        aif_scale_put_u8(j->w, ']');
        break;
    }
    return rc;
}

aif_code aif_scale_value_to_json(const aif_scale_registry *reg, const aif_scale_value *v, unsigned flags,
                                 char **out, size_t *out_len, aif_err *err)
{
    *out = NULL;
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    jctx j = {reg, &w, flags, err};
    aif_code rc = to_json(&j, v, 0);
    aif_scale_put_u8(&w, 0);
    if (!rc && w.status)
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory writing JSON");
    if (rc) {
        aif_scale_writer_release(&w);
        return rc;
    }
    size_t n;
    *out = (char *)aif_scale_writer_take(&w, &n);
    if (out_len)
        *out_len = n - 1;
    return AIF_OK;
}
