/* storage.c: storage keys (polkadot-sdk frame_support storage::generator):
 * twox128(pallet prefix) || twox128(entry) || hasher_i(SCALE(key_i))... */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aif/crypto.h"
#include "scale_int.h"

aif_code aif_scale_storage_hash(aif_scale_hasher h, const void *data, size_t len, aif_scale_writer *out)
{
    uint8_t d[32];
    switch (h) {
    case AIF_SCALE_HASH_BLAKE2_128:
    case AIF_SCALE_HASH_BLAKE2_128_CONCAT:
        aif_crypto_blake2b(data, len, d, 16);
        aif_scale_put_raw(out, d, 16);
        break;
    case AIF_SCALE_HASH_BLAKE2_256:
        aif_crypto_blake2b(data, len, d, 32);
        aif_scale_put_raw(out, d, 32);
        break;
    case AIF_SCALE_HASH_TWOX128:
        aif_crypto_twox(data, len, d, 16);
        aif_scale_put_raw(out, d, 16);
        break;
    case AIF_SCALE_HASH_TWOX256:
        aif_crypto_twox(data, len, d, 32);
        aif_scale_put_raw(out, d, 32);
        break;
    case AIF_SCALE_HASH_TWOX64_CONCAT:
        aif_crypto_twox(data, len, d, 8);
        aif_scale_put_raw(out, d, 8);
        break;
    case AIF_SCALE_HASH_IDENTITY:
        break;
    }
    if (h == AIF_SCALE_HASH_BLAKE2_128_CONCAT || h == AIF_SCALE_HASH_TWOX64_CONCAT || h == AIF_SCALE_HASH_IDENTITY)
        aif_scale_put_raw(out, data, len);
    return out->status;
}

static aif_code key_prefix(const aif_scale_metadata *md, const char *pallet, const char *entry,
                           const aif_scale_storage_entry **e, aif_scale_writer *out, aif_err *err)
{
    const aif_scale_pallet *p = NULL;
    aif_code rc = aif_scale_metadata_find_pallet(md, pallet, &p, err);
    if (rc)
        return rc;
    if ((rc = aif_scale_metadata_find_storage(md, pallet, entry, e, err)))
        return rc;
    aif_scale_storage_hash(AIF_SCALE_HASH_TWOX128, p->storage_prefix, strlen(p->storage_prefix), out);
    aif_scale_storage_hash(AIF_SCALE_HASH_TWOX128, entry, strlen(entry), out);
    return out->status ? aif_err_set(err, AIF_ENOMEM, "out of memory") : AIF_OK;
}

aif_code aif_scale_storage_key(const aif_scale_metadata *md, const char *pallet, const char *entry,
                               const aif_scale_bytes *keys, size_t n_keys, aif_scale_writer *out, aif_err *err)
{
    const aif_scale_storage_entry *e = NULL;
    aif_code rc = key_prefix(md, pallet, entry, &e, out, err);
    if (rc)
        return rc;
    if (n_keys > e->n_hashers)
        return aif_err_set(err, AIF_EINVAL, "storage %s.%s takes %zu keys, got %zu", pallet, entry, e->n_hashers,
                           n_keys);
    for (size_t i = 0; i < n_keys; i++)
        aif_scale_storage_hash(e->hashers[i], keys[i].p, keys[i].len, out);
    return out->status ? aif_err_set(err, AIF_ENOMEM, "out of memory") : AIF_OK;
}

aif_code aif_scale_storage_key_json(const aif_scale_metadata *md, const char *pallet, const char *entry,
                                    const char *args_json, aif_scale_writer *out, aif_err *err)
{
    json_error_t jerr;
    json_t *args = json_loads(args_json ? args_json : "[]", 0, &jerr);
    if (!args || !json_is_array(args)) {
        json_decref(args);
        return aif_err_set(err, AIF_EINVAL, "storage %s.%s: keys must be a JSON array", pallet, entry);
    }
    const aif_scale_storage_entry *e = NULL;
    const aif_scale_registry *reg = aif_scale_metadata_registry(md);
    aif_code rc = key_prefix(md, pallet, entry, &e, out, err);
    size_t n = json_array_size(args);
    if (!rc && n > e->n_hashers)
        rc = aif_err_set(err, AIF_EINVAL, "storage %s.%s takes %zu keys, got %zu", pallet, entry, e->n_hashers, n);
    const aif_scale_type *kt = rc ? NULL : aif_scale_registry_get(reg, e->key_type);
    if (!rc && e->n_hashers > 1 && (kt->def != AIF_SCALE_DEF_TUPLE || kt->n_tuple != e->n_hashers))
        rc = aif_err_set(err, AIF_EFORMAT, "storage %s.%s: key type %u is not a tuple of %zu", pallet, entry,
                         e->key_type, e->n_hashers);
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t ty = e->n_hashers > 1 ? kt->tuple[i] : e->key_type;
        char *text = json_dumps(json_array_get(args, i), JSON_ENCODE_ANY);
        aif_scale_writer kw;
        aif_scale_writer_init(&kw);
        rc = text ? aif_scale_encode_json(reg, ty, text, strlen(text), &kw, err)
                  : aif_err_set(err, AIF_ENOMEM, "out of memory");
        free(text);
        if (rc)
            aif_err_wrap(err, "storage %s.%s: key %zu", pallet, entry, i);
        else
            rc = aif_scale_storage_hash(e->hashers[i], kw.buf, kw.len, out);
        aif_scale_writer_release(&kw);
    }
    json_decref(args);
    return rc;
}

aif_code aif_scale_storage_decode(const aif_scale_metadata *md, const char *pallet, const char *entry,
                                  const uint8_t *value, size_t len, aif_scale_value **out, aif_err *err)
{
    *out = NULL;
    const aif_scale_storage_entry *e = NULL;
    aif_code rc = aif_scale_metadata_find_storage(md, pallet, entry, &e, err);
    if (rc)
        return rc;
    if (!value) {
        if (!e->is_default)
            return aif_err_set(err, AIF_ENOTFOUND, "storage %s.%s: no value stored", pallet, entry);
        value = e->default_value;
        len = e->default_len;
    }
    aif_scale_reader r;
    aif_scale_reader_init(&r, value, len);
    if ((rc = aif_scale_value_decode(aif_scale_metadata_registry(md), e->value_type, &r, out, err))) {
        aif_err_wrap(err, "storage %s.%s", pallet, entry);
        return rc;
    }
    if (r.pos != r.len) {
        aif_scale_value_free(*out);
        *out = NULL;
        return aif_err_set(err, AIF_EFORMAT, "storage %s.%s: %zu trailing bytes after the value at offset %zu",
                           pallet, entry, r.len - r.pos, r.pos);
    }
    return AIF_OK;
}

static size_t hash_len(aif_scale_hasher h)
{
    switch (h) {
    case AIF_SCALE_HASH_BLAKE2_128:
    case AIF_SCALE_HASH_BLAKE2_128_CONCAT:
    case AIF_SCALE_HASH_TWOX128:
        return 16;
    case AIF_SCALE_HASH_BLAKE2_256:
    case AIF_SCALE_HASH_TWOX256:
        return 32;
    case AIF_SCALE_HASH_TWOX64_CONCAT:
        return 8;
    default:
        return 0;
    }
}

aif_code aif_scale_storage_key_decode(const aif_scale_metadata *md, const char *pallet, const char *entry,
                                      const uint8_t *key, size_t len, aif_scale_key_part *parts, size_t cap,
                                      size_t *n_parts, aif_err *err)
{
    *n_parts = 0;
    const aif_scale_storage_entry *e = NULL;
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    aif_code rc = key_prefix(md, pallet, entry, &e, &w, err);
    if (!rc && (len < 32 || memcmp(key, w.buf, 32)))
        rc = aif_err_set(err, AIF_EFORMAT, "storage key is not under %s.%s", pallet, entry);
    aif_scale_writer_release(&w);
    if (rc)
        return rc;
    const aif_scale_registry *reg = aif_scale_metadata_registry(md);
    const aif_scale_type *kt = aif_scale_registry_get(reg, e->key_type);
    aif_scale_reader r;
    aif_scale_reader_init(&r, key, len);
    r.pos = 32;
    for (size_t i = 0; i < e->n_hashers && r.pos < len; i++) {
        if (i >= cap)
            return aif_err_set(err, AIF_ERANGE, "storage key %s.%s has more than %zu parts", pallet, entry, cap);
        aif_scale_key_part *p = &parts[i];
        memset(p, 0, sizeof *p);
        p->type = e->n_hashers > 1 && kt->def == AIF_SCALE_DEF_TUPLE && i < kt->n_tuple ? kt->tuple[i] : e->key_type;
        size_t hl = hash_len(e->hashers[i]);
        if ((rc = aif_scale_read_raw(&r, hl, &p->hash, err)))
            return aif_err_wrap(err, "storage key %s.%s part %zu", pallet, entry, i), rc;
        p->hash_len = hl;
        aif_scale_hasher h = e->hashers[i];
        if (h == AIF_SCALE_HASH_BLAKE2_128_CONCAT || h == AIF_SCALE_HASH_TWOX64_CONCAT ||
            h == AIF_SCALE_HASH_IDENTITY) {
            size_t at = r.pos;
            if ((rc = aif_scale_skip(reg, p->type, &r, err)))
                return aif_err_wrap(err, "storage key %s.%s part %zu", pallet, entry, i), rc;
            p->key = key + at;
            p->key_len = r.pos - at;
        }
        *n_parts = i + 1;
    }
    if (r.pos != len)
        return aif_err_set(err, AIF_EFORMAT, "storage key %s.%s: %zu bytes left after %zu parts", pallet, entry,
                           len - r.pos, *n_parts);
    return AIF_OK;
}
