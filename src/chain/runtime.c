/* runtime.c: the runtime a block runs (spec 1.3, 3.1). The metadata is
 * fetched once per spec version: V15 through state_call
 * Metadata_metadata_at_version(15) (needed for runtime-API types), V14
 * through state_getMetadata when the node has no V15. The genesis hash is
 * read once with chain_getBlockHash(0). */
#include <string.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"
#include <stdio.h>
#include "aif/log.h"
#include "subtensor_int.h"

static json_t *at_params(const char *at)
{
    json_t *p = json_array();
    if (p && at)
        json_array_append_new(p, json_string(at));
    return p;
}

/* <cache_dir>/metadata-<genesis>-<spec>.scale */
static int cache_path(aif_chain_subtensor *st, uint32_t spec, char *out, size_t cap)
{
    if (!st->cache_dir || !st->rt.have_genesis)
        return 0;
    char g[65];
    aif_crypto_hex_encode(st->rt.genesis, 32, g);
    return (size_t)snprintf(out, cap, "%s/metadata-%.16s-%u.scale", st->cache_dir, g, spec) < cap;
}

static void cache_store(aif_chain_subtensor *st, uint32_t spec, const uint8_t *b, size_t n)
{
    char path[1200];
    aif_err e = {0};
    if (!cache_path(st, spec, path, sizeof path))
        return;
    if (aif_fs_mkdirs(st->cache_dir, &e) || aif_fs_write_file(path, b, n, &e))
        aif_log(AIF_LOG_WARN, "chain: metadata cache: %s", e.msg);
}

static aif_code fetch_metadata(aif_chain_subtensor *st, uint32_t spec, const char *at, aif_scale_metadata **out,
                               aif_err *err)
{
    *out = NULL;
    char path[1200];
    if (cache_path(st, spec, path, sizeof path) && aif_fs_exists(path)) {
        char *buf = NULL;
        size_t n = 0;
        aif_err e = {0};
        if (aif_fs_read_file(path, 64u << 20, &buf, &n, &e) == AIF_OK &&
            aif_scale_metadata_parse(buf, n, out, &e) == AIF_OK) {
            aif_free(buf);
            return AIF_OK;
        }
        aif_free(buf);
        aif_log(AIF_LOG_WARN, "chain: ignoring the metadata cache %s: %s", path, e.msg);
    }
    static const uint8_t v15[4] = {0x0f, 0, 0, 0};
    uint8_t *b = NULL;
    size_t n = 0;
    aif_err e15 = {0};
    aif_code rc = aif_chain_i_state_call(st, "Metadata_metadata_at_version", v15, 4, at, &b, &n, &e15);
    if (rc == AIF_OK && n > 1 && b[0] == 1) {
        rc = aif_scale_metadata_parse(b, n, out, err);
        if (!rc)
            cache_store(st, spec, b, n);
        aif_free(b);
        if (rc)
            aif_err_wrap(err, "metadata V15 (Metadata_metadata_at_version)");
        return rc;
    }
    aif_free(b);
    if (rc == AIF_ENET || rc == AIF_ETIMEOUT) {
        if (err)
            *err = e15;
        return rc;
    }
    aif_log(AIF_LOG_INFO, "chain: no metadata V15 (%s); reading V14", rc ? e15.msg : "None");
    json_t *res = NULL;
    rc = aif_chain_i_rpc_call(&st->rpc, "state_getMetadata", at_params(at), &res, err);
    if (rc)
        return rc;
    rc = aif_chain_i_hex_bytes(res, "state_getMetadata result", &b, &n, err);
    json_decref(res);
    if (rc)
        return rc;
    rc = aif_scale_metadata_parse(b, n, out, err);
    if (!rc)
        cache_store(st, spec, b, n);
    aif_free(b);
    if (rc)
        aif_err_wrap(err, "metadata V14 (state_getMetadata)");
    return rc;
}

aif_code aif_chain_i_runtime_ensure(aif_chain_subtensor *st, const char *at, aif_err *err)
{
    json_t *res = NULL;
    aif_code rc = aif_chain_i_rpc_call(&st->rpc, "state_getRuntimeVersion", at_params(at), &res, err);
    if (rc)
        return rc;
    json_t *sv = json_object_get(res, "specVersion");
    json_t *tv = json_object_get(res, "transactionVersion");
    if (!json_is_integer(sv) || !json_is_integer(tv) || json_integer_value(sv) < 0 ||
        json_integer_value(sv) > UINT32_MAX || json_integer_value(tv) < 0 || json_integer_value(tv) > UINT32_MAX) {
        json_decref(res);
        return aif_err_set(err, AIF_EFORMAT, "state_getRuntimeVersion: specVersion/transactionVersion missing or "
                                             "not u32");
    }
    uint32_t spec = (uint32_t)json_integer_value(sv), txv = (uint32_t)json_integer_value(tv);
    json_decref(res);
    if (!st->rt.have_genesis) {
        json_t *p = json_pack("[i]", 0);
        rc = aif_chain_i_rpc_call(&st->rpc, "chain_getBlockHash", p, &res, err);
        if (rc)
            return rc;
        rc = aif_chain_i_hex_fixed(res, "genesis hash (chain_getBlockHash 0)", st->rt.genesis, 32, err);
        json_decref(res);
        if (rc)
            return rc;
        st->rt.have_genesis = 1;
    }
    if (!st->rt.md || st->rt.spec_version != spec) {
        aif_scale_metadata *md = NULL;
        rc = fetch_metadata(st, spec, at, &md, err);
        if (rc)
            return aif_err_wrap(err, "runtime spec %u", spec), rc;
        if (st->rt.md)
            aif_log(AIF_LOG_INFO, "chain: runtime upgraded from spec %u to %u; metadata re-read",
                    st->rt.spec_version, spec);
        aif_scale_metadata_free(st->rt.md);
        st->rt.md = md;
        st->rt.spec_version = spec;
    }
    st->rt.tx_version = txv;
    return AIF_OK;
}
