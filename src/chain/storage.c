/* storage.c: storage reads (spec 1.3, 4): single values, paged key
 * listing with values in chunks, and runtime-API calls (state_call). */
#include <string.h>

#include "aif/alloc.h"
#include "subtensor_int.h"

#define QUERY_CHUNK 256 /* keys per state_queryStorageAt */

static json_t *with_at(json_t *p, const char *at)
{
    if (p && at)
        json_array_append_new(p, json_string(at));
    return p;
}

aif_code aif_chain_i_storage_get(aif_chain_subtensor *st, const uint8_t *key, size_t key_len, const char *at, uint8_t **val,
                        size_t *n, int *found, aif_err *err)
{
    *val = NULL;
    *n = 0;
    *found = 0;
    json_t *p = json_array();
    if (p)
        json_array_append_new(p, aif_chain_i_hex_json(key, key_len));
    json_t *res = NULL;
    aif_code rc = aif_chain_i_rpc_call(&st->rpc, "state_getStorage", with_at(p, at), &res, err);
    if (rc)
        return rc;
    if (!json_is_null(res)) {
        rc = aif_chain_i_hex_bytes(res, "state_getStorage result", val, n, err);
        *found = rc == AIF_OK;
    }
    json_decref(res);
    return rc;
}

aif_code aif_chain_i_storage_entry(aif_chain_subtensor *st, const char *pallet, const char *entry, const aif_scale_bytes *keys,
                          size_t n_keys, const char *at, uint8_t **val, size_t *n, int *found, aif_err *err)
{
    *val = NULL;
    *n = 0;
    *found = 0;
    const aif_scale_storage_entry *e = NULL;
    aif_code rc = aif_scale_metadata_find_storage(st->rt.md, pallet, entry, &e, err);
    if (rc)
        return rc;
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    rc = aif_scale_storage_key(st->rt.md, pallet, entry, keys, n_keys, &w, err);
    if (!rc)
        rc = aif_chain_i_storage_get(st, w.buf, w.len, at, val, n, found, err);
    aif_scale_writer_release(&w);
    if (rc)
        return aif_err_wrap(err, "storage %s.%s", pallet, entry), rc;
    if (!*found && e->is_default) {
        *val = aif_malloc(e->default_len ? e->default_len : 1);
        if (!*val)
            return aif_err_set(err, AIF_ENOMEM, "out of memory");
        memcpy(*val, e->default_value, e->default_len);
        *n = e->default_len;
    }
    return AIF_OK;
}

void aif_chain_i_kv_free(st_kv *kv, size_t n)
{
    if (!kv)
        return;
    for (size_t i = 0; i < n; i++) {
        aif_free(kv[i].key);
        aif_free(kv[i].val);
    }
    aif_free(kv);
}

static aif_code fill_values(aif_chain_subtensor *st, st_kv *kv, size_t from, size_t to, const char *at, aif_err *err)
{
    json_t *keys = json_array();
    for (size_t i = from; i < to && keys; i++)
        json_array_append_new(keys, aif_chain_i_hex_json(kv[i].key, kv[i].key_len));
    json_t *p = json_array();
    if (p)
        json_array_append_new(p, keys);
    else
        json_decref(keys);
    json_t *res = NULL;
    aif_code rc = aif_chain_i_rpc_call(&st->rpc, "state_queryStorageAt", with_at(p, at), &res, err);
    if (rc)
        return rc;
    if (!json_is_array(res)) {
        json_decref(res);
        return aif_err_set(err, AIF_EFORMAT, "state_queryStorageAt: result is not an array");
    }
    size_t bi;
    json_t *blk;
    json_array_foreach(res, bi, blk) {
        json_t *changes = json_object_get(blk, "changes");
        if (!json_is_array(changes)) {
            rc = aif_err_set(err, AIF_EFORMAT, "state_queryStorageAt: entry %zu has no \"changes\" array", bi);
            break;
        }
        size_t ci;
        json_t *ch;
        json_array_foreach(changes, ci, ch) {
            if (!json_is_array(ch) || json_array_size(ch) != 2) {
                rc = aif_err_set(err, AIF_EFORMAT, "state_queryStorageAt: change %zu is not [key, value]", ci);
                break;
            }
            uint8_t *k = NULL;
            size_t kn = 0;
            rc = aif_chain_i_hex_bytes(json_array_get(ch, 0), "state_queryStorageAt key", &k, &kn, err);
            if (rc)
                break;
            size_t i = from;
            while (i < to && !(kv[i].key_len == kn && !memcmp(kv[i].key, k, kn)))
                i++;
            aif_free(k);
            if (i == to) /* a key we did not ask for: ignore */
                continue;
            json_t *v = json_array_get(ch, 1);
            aif_free(kv[i].val);
            kv[i].val = NULL;
            kv[i].val_len = 0;
            if (!json_is_null(v)) {
                rc = aif_chain_i_hex_bytes(v, "state_queryStorageAt value", &kv[i].val, &kv[i].val_len, err);
                if (rc)
                    break;
                if (!kv[i].val) /* empty value: keep it distinct from absent */
                    kv[i].val = aif_malloc(1);
            }
        }
        if (rc)
            break;
    }
    json_decref(res);
    return rc;
}

aif_code aif_chain_i_storage_multi(aif_chain_subtensor *st, st_kv *kv, size_t n, const char *at, aif_err *err)
{
    aif_code rc = AIF_OK;
    for (size_t from = 0; !rc && from < n; from += QUERY_CHUNK) {
        size_t to = from + QUERY_CHUNK < n ? from + QUERY_CHUNK : n;
        rc = fill_values(st, kv, from, to, at, err);
    }
    return rc;
}

aif_code aif_chain_i_storage_list(aif_chain_subtensor *st, const uint8_t *prefix, size_t prefix_len, const char *at,
                         st_kv **out, size_t *n_out, aif_err *err)
{
    *out = NULL;
    *n_out = 0;
    st_kv *kv = NULL;
    size_t n = 0, cap = 0;
    uint32_t page = st->o.keys_page ? st->o.keys_page : 1000;
    aif_code rc = AIF_OK;
    for (;;) {
        json_t *p = json_array();
        if (p) {
            json_array_append_new(p, aif_chain_i_hex_json(prefix, prefix_len));
            json_array_append_new(p, json_integer(page));
            if (n)
                json_array_append_new(p, aif_chain_i_hex_json(kv[n - 1].key, kv[n - 1].key_len));
            else
                json_array_append_new(p, json_null());
        }
        json_t *res = NULL;
        rc = aif_chain_i_rpc_call(&st->rpc, "state_getKeysPaged", with_at(p, at), &res, err);
        if (rc)
            break;
        if (!json_is_array(res)) {
            json_decref(res);
            rc = aif_err_set(err, AIF_EFORMAT, "state_getKeysPaged: result is not an array");
            break;
        }
        size_t got = json_array_size(res);
        if (got > page) {
            json_decref(res);
            rc = aif_err_set(err, AIF_EFORMAT, "state_getKeysPaged: %zu keys for a page of %u", got, page);
            break;
        }
        for (size_t i = 0; i < got && !rc; i++) {
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 64;
                st_kv *nk = aif_realloc(kv, nc * sizeof *nk);
                if (!nk) {
                    rc = aif_err_set(err, AIF_ENOMEM, "out of memory listing %zu storage keys", n);
                    break;
                }
                kv = nk;
                cap = nc;
            }
            memset(&kv[n], 0, sizeof kv[n]);
            rc = aif_chain_i_hex_bytes(json_array_get(res, i), "state_getKeysPaged key", &kv[n].key, &kv[n].key_len, err);
            if (rc)
                break;
            if (kv[n].key_len < prefix_len || memcmp(kv[n].key, prefix, prefix_len)) {
                aif_free(kv[n].key);
                rc = aif_err_set(err, AIF_EFORMAT, "state_getKeysPaged: key %zu is outside the requested prefix", n);
                break;
            }
            if (n && (kv[n].key_len == kv[n - 1].key_len && !memcmp(kv[n].key, kv[n - 1].key, kv[n].key_len))) {
                aif_free(kv[n].key);
                rc = aif_err_set(err, AIF_EFORMAT, "state_getKeysPaged: key %zu repeats the previous one", n);
                break;
            }
            n++;
        }
        json_decref(res);
        if (rc || got < page)
            break;
    }
    for (size_t from = 0; !rc && from < n; from += QUERY_CHUNK) {
        size_t to = from + QUERY_CHUNK < n ? from + QUERY_CHUNK : n;
        rc = fill_values(st, kv, from, to, at, err);
    }
    if (rc) {
        aif_chain_i_kv_free(kv, n);
        return rc;
    }
    *out = kv;
    *n_out = n;
    return AIF_OK;
}

aif_code aif_chain_i_state_call(aif_chain_subtensor *st, const char *method, const uint8_t *args, size_t n_args, const char *at,
                       uint8_t **out, size_t *n, aif_err *err)
{
    *out = NULL;
    *n = 0;
    json_t *p = json_array();
    if (p) {
        json_array_append_new(p, json_string(method));
        json_array_append_new(p, aif_chain_i_hex_json(args, n_args));
    }
    json_t *res = NULL;
    aif_code rc = aif_chain_i_rpc_call(&st->rpc, "state_call", with_at(p, at), &res, err);
    if (rc)
        return aif_err_wrap(err, "%s", method), rc;
    rc = aif_chain_i_hex_bytes(res, method, out, n, err);
    json_decref(res);
    return rc;
}
