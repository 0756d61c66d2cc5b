/* encode.c: JSON -> SCALE for any registry type (call arguments, storage
 * map keys, test vectors). Accepts what value.c writes plus the looser
 * forms polkadot-js createType accepts: integers as decimal or "0x" hex
 * strings, byte strings as hex or arrays, accounts as SS58 or hex, enum
 * variants by exact/camelCase/case-insensitive name. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "aif/crypto.h"
#include <strings.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "scale_int.h"

typedef struct enc {
    const aif_scale_registry *reg;
    aif_scale_writer *w;
    aif_err *err;
} enc;

static aif_code encode(enc *e, uint32_t type, json_t *j, int depth);
static aif_code encode_map(enc *e, uint32_t vec_type, json_t *j, int depth);

static const char *jtype(json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: case JSON_REAL: return "a number";
    case JSON_TRUE: case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static aif_code bad(enc *e, uint32_t type, const char *want, json_t *j)
{
    return aif_err_set(e->err, AIF_EINVAL, "type %u: expected %s, got %s", type, want, jtype(j));
}

/* Magnitude and sign of a JSON integer (number, decimal or 0x-hex string).
 * *is_hex: the string was hex (a raw bit pattern). */
static aif_code json_int(enc *e, json_t *j, aif_u128 *mag, int *neg, int *is_hex)
{
    *neg = 0;
    *is_hex = 0;
    if (json_is_integer(j)) {
        long long v = json_integer_value(j);
        *neg = v < 0;
        *mag = v < 0 ? (aif_u128)(-(v + 1)) + 1 : (aif_u128)v;
        return AIF_OK;
    }
    if (json_is_real(j)) {
        double d = json_real_value(j);
        if (d != floor(d) || fabs(d) > 9007199254740992.0)
            return aif_err_set(e->err, AIF_EINVAL, "number %g is not an exact integer", d);
        *neg = d < 0;
        *mag = (aif_u128)fabs(d);
        return AIF_OK;
    }
    if (!json_is_string(j))
        return aif_err_set(e->err, AIF_EINVAL, "expected an integer, got %s", jtype(j));
    const char *s = json_string_value(j);
    aif_u128 v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        *is_hex = 1;
        s += 2;
        if (!*s)
            return aif_err_set(e->err, AIF_EINVAL, "empty hex integer");
        for (; *s; s++) {
            int dgt = (*s >= '0' && *s <= '9') ? *s - '0' : (*s >= 'a' && *s <= 'f') ? *s - 'a' + 10
                    : (*s >= 'A' && *s <= 'F') ? *s - 'A' + 10 : -1;
            if (dgt < 0)
                return aif_err_set(e->err, AIF_EINVAL, "bad hex digit '%c' in integer", *s);
            if (v >> 124)
                return aif_err_set(e->err, AIF_ERANGE, "hex integer exceeds 128 bits");
            v = (v << 4) | (aif_u128)dgt;
        }
    } else {
        if (*s == '-') {
            *neg = 1;
            s++;
        }
        if (!*s)
            return aif_err_set(e->err, AIF_EINVAL, "empty integer string");
        for (; *s; s++) {
            if (*s < '0' || *s > '9')
                return aif_err_set(e->err, AIF_EINVAL, "bad digit '%c' in integer string", *s);
            aif_u128 nv = v * 10 + (aif_u128)(*s - '0');
            if (v > (~(aif_u128)0) / 10 || nv < v * 10)
                return aif_err_set(e->err, AIF_ERANGE, "integer exceeds 128 bits");
            v = nv;
        }
    }
    *mag = v;
    return AIF_OK;
}

/* Encode an integer of nbytes (1..16), checking the range. */
static aif_code put_int(enc *e, json_t *j, size_t nbytes, int is_signed, int compact)
{
    aif_u128 mag = 0;
    int neg, hex;
    aif_code rc = json_int(e, j, &mag, &neg, &hex);
    if (rc)
        return rc;
    unsigned bits = (unsigned)nbytes * 8;
    aif_u128 v;
    if (hex || !is_signed) {
        if (neg && mag)
            return aif_err_set(e->err, AIF_ERANGE, "negative value for an unsigned integer");
        if (bits < 128 && (mag >> bits))
            return aif_err_set(e->err, AIF_ERANGE, "value does not fit in %u bits", bits);
        v = mag;
    } else {
        aif_u128 lim = (aif_u128)1 << (bits - 1);
        if (neg ? mag > lim : mag >= lim)
            return aif_err_set(e->err, AIF_ERANGE, "value does not fit in i%u", bits);
        v = neg ? (aif_u128)0 - mag : mag;
    }
    if (compact)
        return aif_scale_put_compact(e->w, v);
    return aif_scale_put_uint(e->w, v, nbytes);
}

static uint32_t scale_store(const aif_scale_registry *reg, uint32_t id)
{
    return aif_scale_i_registry_resolve(reg, id);
}

static int is_u8(const aif_scale_registry *reg, uint32_t id)
{
    const aif_scale_type *t = aif_scale_registry_get(reg, aif_scale_i_registry_resolve(reg, id));
    return t && t->def == AIF_SCALE_DEF_PRIMITIVE && t->prim == AIF_SCALE_PRIM_U8;
}

/* Bytes from a "0x" hex string, a plain string (UTF-8) or an array of numbers. */
static aif_code json_bytes(enc *e, json_t *j, uint8_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        size_t len = json_string_length(j);
        uint8_t *b = aif_malloc(len / 2 + 1);
        if (!b)
            return aif_err_set(e->err, AIF_ENOMEM, "out of memory");
        if (len >= 2 && s[0] == '0' && s[1] == 'x') {
            aif_code rc = aif_crypto_hex_decode(s, len, b, len / 2 + 1, n, e->err);
            if (rc) {
                aif_free(b);
                return rc;
            }
        } else {
            aif_free(b);
            b = aif_malloc(len + 1);
            if (!b)
                return aif_err_set(e->err, AIF_ENOMEM, "out of memory");
            memcpy(b, s, len);
            *n = len;
        }
        *out = b;
        return AIF_OK;
    }
    if (json_is_array(j)) {
        size_t len = json_array_size(j);
        uint8_t *b = aif_malloc(len + 1);
        if (!b)
            return aif_err_set(e->err, AIF_ENOMEM, "out of memory");
        for (size_t i = 0; i < len; i++) {
            json_t *x = json_array_get(j, i);
            if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 255) {
                aif_free(b);
                return aif_err_set(e->err, AIF_EINVAL, "byte %zu is not an integer 0..255", i);
            }
            b[i] = (uint8_t)json_integer_value(x);
        }
        *out = b;
        *n = len;
        return AIF_OK;
    }
    return aif_err_set(e->err, AIF_EINVAL, "expected bytes (hex string or array), got %s", jtype(j));
}

static int name_matches(const char *name, const char *key)
{
    if (!strcmp(name, key))
        return 1;
    char c[256];
    if (strlen(name) >= sizeof c)
        return 0;
    aif_scale_camel_case(name, c);
    return !strcmp(c, key) || !strcasecmp(name, key);
}

static aif_code encode_fields(enc *e, uint32_t type, const aif_scale_field *f, size_t n, json_t *j, int depth)
{
    aif_code rc = AIF_OK;
    if (n == 0)
        return AIF_OK; /* any value (null) */
    int named = f[0].name != NULL;
    if (named && json_is_object(j)) {
        for (size_t i = 0; i < n && !rc; i++) {
            json_t *x = NULL;
            const char *k;
            json_t *val;
            json_object_foreach(j, k, val) {
                if (name_matches(f[i].name, k)) {
                    x = val;
                    break;
                }
            }
            if (!x)
                return aif_err_set(e->err, AIF_EINVAL, "type %u: missing field '%s'", type, f[i].name);
            if ((rc = encode(e, f[i].type, x, depth + 1))) {
                aif_err_wrap(e->err, "%s", f[i].name);
                return rc;
            }
        }
        return AIF_OK;
    }
    if (n == 1)
        return encode(e, f[0].type, j, depth + 1);
    if (!json_is_array(j) || json_array_size(j) != n)
        return aif_err_set(e->err, AIF_EINVAL, "type %u: expected an array of %zu fields, got %s", type, n,
                           jtype(j));
    for (size_t i = 0; i < n && !rc; i++)
        rc = encode(e, f[i].type, json_array_get(j, i), depth + 1);
    return rc;
}

static aif_code encode_variant(enc *e, uint32_t type, const aif_scale_type *t, json_t *j, int depth)
{
    int is_opt = t->n_path == 1 && !strcmp(t->path[0], "Option");
    int is_res = t->n_path == 1 && !strcmp(t->path[0], "Result");
    const aif_scale_variant *v = NULL;
    json_t *inner = NULL;
    if (is_opt && t->n_variants == 2) {
        int some = !json_is_null(j);
        for (size_t i = 0; i < 2; i++)
            if (t->variants[i].index == some)
                v = &t->variants[i];
        inner = j;
    } else if (json_is_string(j)) {
        for (size_t i = 0; i < t->n_variants && !v; i++)
            if (name_matches(t->variants[i].name, json_string_value(j)))
                v = &t->variants[i];
    } else if (json_is_object(j) && json_object_size(j) == 1) {
        const char *k;
        json_t *val;
        json_object_foreach(j, k, val) {
            for (size_t i = 0; i < t->n_variants && !v; i++)
                if (name_matches(t->variants[i].name, k) ||
                    (is_res && !strcasecmp(k, "error") && !strcmp(t->variants[i].name, "Err")))
                    v = &t->variants[i];
            inner = val;
        }
    } else {
        return bad(e, type, "an enum variant (\"Name\" or {\"Name\": value})", j);
    }
    if (!v)
        return aif_err_set(e->err, AIF_EINVAL, "type %u: no matching enum variant", type);
    aif_scale_put_u8(e->w, v->index);
    if (!v->n_fields)
        return AIF_OK;
    if (!inner)
        return aif_err_set(e->err, AIF_EINVAL, "type %u: variant %s needs a value", type, v->name);
    return encode_fields(e, type, v->fields, v->n_fields, inner, depth);
}

/* BTreeMap written as a JSON object: the Vec<(K, V)> inside, keys given
 * as JSON strings to K (integers accept decimal strings). */
static aif_code encode_map(enc *e, uint32_t vec_type, json_t *j, int depth)
{
    const aif_scale_type *vt = aif_scale_registry_get(e->reg, vec_type);
    const aif_scale_type *kv = vt && vt->def == AIF_SCALE_DEF_SEQUENCE ? aif_scale_registry_get(e->reg, vt->elem)
                                                                       : NULL;
    if (!kv || kv->def != AIF_SCALE_DEF_TUPLE || kv->n_tuple != 2)
        return aif_err_set(e->err, AIF_EINVAL, "type %u: BTreeMap without a Vec<(K, V)> inside", vec_type);
    aif_scale_put_compact(e->w, json_object_size(j));
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
        json_t *key = json_string(k);
        aif_code rc = key ? encode(e, kv->tuple[0], key, depth + 1) : AIF_ENOMEM;
        json_decref(key);
        if (!rc)
            rc = encode(e, kv->tuple[1], v, depth + 1);
        if (rc)
            return rc;
    }
    return AIF_OK;
}

static aif_code encode(enc *e, uint32_t type, json_t *j, int depth)
{
    if (depth > AIF_SCALE_MAX_DEPTH)
        return aif_err_set(e->err, AIF_ERANGE, "value nested deeper than %d", AIF_SCALE_MAX_DEPTH);
    const aif_scale_type *t = aif_scale_registry_get(e->reg, type);
    if (!t)
        return aif_err_set(e->err, AIF_EINVAL, "type id %u is not in the registry", type);
    aif_code rc = AIF_OK;
    switch (t->def) {
    case AIF_SCALE_DEF_COMPOSITE:
        if (aif_scale_i_type_path_is(t, "sp_core::crypto::AccountId32") && json_is_string(j) &&
            strncmp(json_string_value(j), "0x", 2)) {
            uint8_t pk[32];
            if ((rc = aif_crypto_ss58_decode(json_string_value(j), pk, NULL, e->err)))
                return rc;
            return aif_scale_put_raw(e->w, pk, 32);
        }
        if (t->n_path == 2 && !strcmp(t->path[0], "primitive_types") && t->path[1][0] == 'U' && t->n_fields == 1 &&
            !json_is_array(j)) {
            /* U128/U256/U512 as one integer (up to 128 bits here) into [u64; N] limbs */
            const aif_scale_type *arr = aif_scale_registry_get(e->reg, t->fields[0].type);
            aif_u128 mag;
            int neg, hex;
            if (!arr || arr->def != AIF_SCALE_DEF_ARRAY || arr->len < 2 || arr->len > 8)
                return bad(e, type, "an array of limbs", j);
            if ((rc = json_int(e, j, &mag, &neg, &hex)))
                return rc;
            if (neg && mag)
                return aif_err_set(e->err, AIF_ERANGE, "negative value for %s", t->path[1]);
            for (uint32_t i = 0; i < arr->len; i++, mag = i < 3 ? mag >> 64 : 0)
                aif_scale_put_u64(e->w, (uint64_t)mag);
            return e->w->status;
        }
        if (t->n_path == 1 && !strcmp(t->path[0], "BTreeMap") && t->n_fields == 1 && json_is_object(j))
            return encode_map(e, t->fields[0].type, j, depth);
        return encode_fields(e, type, t->fields, t->n_fields, j, depth);
    case AIF_SCALE_DEF_VARIANT:
        return encode_variant(e, type, t, j, depth);
    case AIF_SCALE_DEF_SEQUENCE:
    case AIF_SCALE_DEF_ARRAY: {
        int fixed = t->def == AIF_SCALE_DEF_ARRAY;
        if (is_u8(e->reg, t->elem) && (json_is_string(j) || json_is_array(j))) {
            uint8_t *b;
            size_t n;
            if ((rc = json_bytes(e, j, &b, &n)))
                return rc;
            if (fixed && n != t->len)
                rc = aif_err_set(e->err, AIF_EINVAL, "type %u: expected %u bytes, got %zu", type, t->len, n);
            else if (fixed)
                rc = aif_scale_put_raw(e->w, b, n);
            else
                rc = aif_scale_put_bytes(e->w, b, n);
            aif_free(b);
            return rc;
        }
        if (!json_is_array(j))
            return bad(e, type, "an array", j);
        size_t n = json_array_size(j);
        if (fixed && n != t->len)
            return aif_err_set(e->err, AIF_EINVAL, "type %u: expected %u elements, got %zu", type, t->len, n);
        if (!fixed)
            aif_scale_put_compact(e->w, n);
        for (size_t i = 0; i < n && !rc; i++)
            rc = encode(e, t->elem, json_array_get(j, i), depth + 1);
        return rc;
    }
    case AIF_SCALE_DEF_TUPLE:
        if (t->n_tuple == 0)
            return AIF_OK;
        if (t->n_tuple == 1 && !(json_is_array(j) && json_array_size(j) == 1))
            return encode(e, t->tuple[0], j, depth + 1);
        if (!json_is_array(j) || json_array_size(j) != t->n_tuple)
            return aif_err_set(e->err, AIF_EINVAL, "type %u: expected an array of %zu, got %s", type, t->n_tuple,
                               jtype(j));
        for (size_t i = 0; i < t->n_tuple && !rc; i++)
            rc = encode(e, t->tuple[i], json_array_get(j, i), depth + 1);
        return rc;
    case AIF_SCALE_DEF_PRIMITIVE:
        switch (t->prim) {
        case AIF_SCALE_PRIM_BOOL:
            if (!json_is_boolean(j))
                return bad(e, type, "a boolean", j);
            return aif_scale_put_bool(e->w, json_is_true(j));
        case AIF_SCALE_PRIM_STR:
            if (!json_is_string(j))
                return bad(e, type, "a string", j);
            return aif_scale_put_str(e->w, json_string_value(j), json_string_length(j));
        case AIF_SCALE_PRIM_CHAR:
            return put_int(e, j, 4, 0, 0);
        case AIF_SCALE_PRIM_U256:
        case AIF_SCALE_PRIM_I256: {
            uint8_t b[32] = {0};
            aif_u128 mag;
            int neg, hex;
            if ((rc = json_int(e, j, &mag, &neg, &hex)))
                return rc;
            if (neg && mag)
                return aif_err_set(e->err, AIF_ENOTSUP, "negative 256-bit integers are not supported");
            for (int i = 0; i < 16; i++, mag >>= 8)
                b[i] = (uint8_t)mag;
            return aif_scale_put_raw(e->w, b, 32);
        }
        default:
            return put_int(e, j, aif_scale_i_prim_size(t->prim), aif_scale_i_prim_signed(t->prim), 0);
        }
    case AIF_SCALE_DEF_COMPACT: {
        const aif_scale_type *in = aif_scale_registry_get(e->reg, aif_scale_i_registry_resolve(e->reg, t->elem));
        size_t nb = in && in->def == AIF_SCALE_DEF_PRIMITIVE && aif_scale_i_prim_size(in->prim) <= 16 &&
                    aif_scale_i_prim_size(in->prim) ? aif_scale_i_prim_size(in->prim) : 16;
        if (in && in->def == AIF_SCALE_DEF_TUPLE && in->n_tuple == 0)
            return aif_scale_put_u8(e->w, 0);
        return put_int(e, j, nb, 0, 1);
    }
    case AIF_SCALE_DEF_BITSEQ: {
        /* "0x.." hex of the store bytes (what to_json writes; 8 bits per
         * byte, u8 store) or an array of booleans (Lsb0) */
        const aif_scale_type *st = aif_scale_registry_get(e->reg, scale_store(e->reg, t->elem));
        if (json_is_string(j)) {
            uint8_t *b;
            size_t n;
            if (!st || st->def != AIF_SCALE_DEF_PRIMITIVE || st->prim != AIF_SCALE_PRIM_U8)
                return aif_err_set(e->err, AIF_ENOTSUP, "type %u: hex bit sequences need a u8 store", type);
            if ((rc = json_bytes(e, j, &b, &n)))
                return rc;
            aif_scale_put_compact(e->w, (aif_u128)n * 8);
            aif_scale_put_raw(e->w, b, n);
            aif_free(b);
            return e->w->status;
        }
        if (!json_is_array(j))
            return bad(e, type, "an array of booleans or a hex string", j);
        size_t n = json_array_size(j);
        size_t wbytes = st && st->def == AIF_SCALE_DEF_PRIMITIVE ? aif_scale_i_prim_size(st->prim) : 1;
        if (!wbytes || wbytes > 8)
            wbytes = 1;
        aif_scale_put_compact(e->w, n);
        uint64_t cur = 0;
        size_t wbits = wbytes * 8;
        for (size_t i = 0; i < n; i++) {
            if (json_is_true(json_array_get(j, i)))
                cur |= (uint64_t)1 << (i % wbits);
            if (i % wbits == wbits - 1 || i + 1 == n) {
                aif_scale_put_uint(e->w, cur, wbytes);
                cur = 0;
            }
        }
        return e->w->status;
    }
    }
    return aif_err_set(e->err, AIF_EINVAL, "type %u has an unknown definition", type);
}

aif_code aif_scale_encode_json(const aif_scale_registry *reg, uint32_t type, const char *json, size_t len,
                               aif_scale_writer *w, aif_err *err)
{
    json_error_t jerr;
    json_t *j = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j)
        return aif_err_set(err, AIF_EFORMAT, "JSON value: %s at offset %d", jerr.text, jerr.position);
    enc e = {reg, w, err};
    size_t mark = w->len;
    aif_code rc = encode(&e, type, j, 0);
    json_decref(j);
    if (!rc && w->status)
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory encoding");
    if (rc)
        w->len = mark;
    return rc;
}

/* Call bytes: pallet index || call index || arguments in field order. */
aif_code aif_scale_encode_call(const aif_scale_metadata *md, const char *pallet, const char *call,
                               const char *args_json, aif_scale_writer *out, aif_err *err)
{
    aif_scale_call c;
    aif_code rc = aif_scale_metadata_find_call(md, pallet, call, &c, err);
    if (rc)
        return rc;
    json_error_t jerr;
    json_t *args = json_loads(args_json ? args_json : "{}", 0, &jerr);
    if (!args || !(json_is_object(args) || json_is_array(args))) {
        json_decref(args);
        return aif_err_set(err, AIF_EINVAL, "call %s.%s: arguments must be a JSON object or array", pallet, call);
    }
    const aif_scale_variant *v = c.variant;
    size_t n = json_is_object(args) ? json_object_size(args) : json_array_size(args);
    if (n != v->n_fields)
        rc = aif_err_set(err, AIF_EINVAL, "call %s.%s takes %zu arguments, got %zu", pallet, call, v->n_fields, n);
    size_t mark = out->len;
    aif_scale_put_u8(out, c.pallet_index);
    aif_scale_put_u8(out, c.call_index);
    for (size_t i = 0; i < v->n_fields && !rc; i++) {
        const char *name = v->fields[i].name;
        json_t *a = json_is_array(args) ? json_array_get(args, i) : name ? json_object_get(args, name) : NULL;
        if (!a) {
            rc = aif_err_set(err, AIF_EINVAL, "call %s.%s: missing argument %s", pallet, call, name ? name : "?");
            break;
        }
        char *text = json_dumps(a, JSON_ENCODE_ANY);
        rc = text ? aif_scale_encode_json(aif_scale_metadata_registry(md), v->fields[i].type, text, strlen(text), out,
                                          err)
                  : aif_err_set(err, AIF_ENOMEM, "out of memory");
        free(text);
        if (rc)
            aif_err_wrap(err, "call %s.%s: argument %s", pallet, call, name ? name : "?");
    }
    json_decref(args);
    if (!rc && out->status)
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
    if (rc)
        out->len = mark;
    return rc;
}
