/* subtensor.c: the aif_chain_ops of a real subtensor node (chain spec 8):
 * current block and block hashes, metagraph (selective metagraph runtime
 * API + Weights storage), commitments (Commitments.CommitmentOf under the
 * subnet), commit (set_commitment with one Raw field), set_weights or the
 * hash commit/reveal path where CommitRevealWeightsEnabled, and the
 * hyperparameters of 8.3. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"
#include "aif/log.h"
#include "subtensor_int.h"

#define SELECTIVE_INDEXES 74 /* SelectiveMetagraphIndex 0..73 (spec 8.2), as the SDK requests */

/* ---------------------------------------------------------------- options */

void aif_chain_subtensor_opts_default(aif_chain_subtensor_opts *o)
{
    memset(o, 0, sizeof *o);
    o->timeout_s = 30;
    o->connect_timeout_s = 10;
    o->max_attempts = 3;
    o->retry_delay_s = 1;
    o->era_period = 128;
    o->wait_for_inclusion = 1;
    o->poll_interval_s = 3;
    o->keys_page = 1000;
    o->commit_reveal = AIF_CHAIN_CR_HASH;
    o->max_response_bytes = 64u << 20;
}

static const struct {
    const char *name, *url;
} networks[] = {
    {"finney", "https://entrypoint-finney.opentensor.ai:443"},
    {"main", "https://entrypoint-finney.opentensor.ai:443"},
    {"test", "https://test.finney.opentensor.ai:443"},
    {"archive", "https://archive.chain.opentensor.ai:443"},
    {"local", "http://127.0.0.1:9944"},
};

aif_code aif_chain_subtensor_endpoint(const char *net, char *out, size_t cap, aif_err *err)
{
    if (!net || !*net)
        net = "finney";
    for (size_t i = 0; i < sizeof networks / sizeof networks[0]; i++)
        if (!strcmp(net, networks[i].name)) {
            if ((size_t)snprintf(out, cap, "%s", networks[i].url) >= cap)
                return aif_err_set(err, AIF_ERANGE, "endpoint buffer too small");
            return AIF_OK;
        }
    const char *rest = NULL, *scheme = NULL;
    if (!strncmp(net, "wss://", 6))
        scheme = "https://", rest = net + 6;
    else if (!strncmp(net, "ws://", 5))
        scheme = "http://", rest = net + 5;
    else if (!strncmp(net, "https://", 8))
        scheme = "https://", rest = net + 8;
    else if (!strncmp(net, "http://", 7))
        scheme = "http://", rest = net + 7;
    if (!scheme || !*rest)
        return aif_err_set(err, AIF_EINVAL, "unknown network \"%s\" (expected finney, test, archive, local or a "
                                            "ws://, wss://, http:// or https:// URL)", net);
    if ((size_t)snprintf(out, cap, "%s%s", scheme, rest) >= cap)
        return aif_err_set(err, AIF_ERANGE, "endpoint \"%s\" is too long", net);
    return AIF_OK;
}

/* ------------------------------------------------------------------ clock */

double aif_chain_i_now(aif_chain_subtensor *st)
{
    if (st->o.now_fn)
        return st->o.now_fn(st->o.clock_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void aif_chain_i_sleep(aif_chain_subtensor *st, double s)
{
    if (st->o.sleep_fn) {
        st->o.sleep_fn(st->o.clock_ctx, s);
        return;
    }
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

/* ------------------------------------------------------------ value helpers */

/* Through Option::Some and one-field wrappers. NULL for None. */
static const aif_scale_value *unwrap(const aif_scale_value *v)
{
    for (int i = 0; v && i < 8; i++) {
        if (v->kind == AIF_SCALE_VARIANT && !strcmp(v->variant, "None") && v->n == 0)
            return NULL;
        if ((v->kind == AIF_SCALE_VARIANT && !strcmp(v->variant, "Some")) ||
            (v->kind == AIF_SCALE_COMPOSITE && v->n == 1)) {
            if (v->n != 1)
                return NULL;
            v = &v->items[0];
            continue;
        }
        break;
    }
    return v;
}

static int as_uint(const aif_scale_value *v, uint64_t *out)
{
    v = unwrap(v);
    if (!v)
        return 0;
    if (v->kind == AIF_SCALE_UINT && v->v.u <= UINT64_MAX) {
        *out = (uint64_t)v->v.u;
        return 1;
    }
    if (v->kind == AIF_SCALE_BOOL) {
        *out = (uint64_t)v->v.b;
        return 1;
    }
    return 0;
}

static int as_account(const aif_scale_value *v, uint8_t out[32])
{
    v = unwrap(v);
    if (!v)
        return 0;
    if (v->kind == AIF_SCALE_BYTES && v->n == 32) {
        memcpy(out, v->bytes, 32);
        return 1;
    }
    if (v->kind == AIF_SCALE_ARRAY && v->n == 32) {
        for (int i = 0; i < 32; i++)
            out[i] = (uint8_t)v->items[i].v.u;
        return 1;
    }
    return 0;
}

static const aif_scale_value *seq_field(const aif_scale_value *root, const char *name)
{
    const aif_scale_value *f = unwrap(aif_scale_value_field(root, name));
    return f && (f->kind == AIF_SCALE_SEQUENCE || f->kind == AIF_SCALE_ARRAY) ? f : NULL;
}

/* ---------------------------------------------------------------- blocks */

aif_code aif_chain_i_best_number(aif_chain_subtensor *st, uint64_t *out, aif_err *err)
{
    json_t *res = NULL;
    aif_code rc = aif_chain_i_rpc_call(&st->rpc, "chain_getHeader", json_array(), &res, err);
    if (rc)
        return rc;
    json_t *num = json_object_get(res, "number");
    const char *s = json_is_string(num) ? json_string_value(num) : NULL;
    char *end = NULL;
    errno = 0;
    unsigned long long v = s ? strtoull(s, &end, 16) : 0;
    int ok = s && !strncmp(s, "0x", 2) && s[2] && end && !*end && errno == 0;
    json_decref(res);
    if (!ok)
        return aif_err_set(err, AIF_EFORMAT, "chain_getHeader: \"number\" is not a 0x hex number");
    *out = v;
    return AIF_OK;
}

aif_code aif_chain_i_block_hash_str(aif_chain_subtensor *st, uint64_t n, char out[67], aif_err *err)
{
    json_t *res = NULL;
    aif_code rc = aif_chain_i_rpc_call(&st->rpc, "chain_getBlockHash", json_pack("[I]", (json_int_t)n), &res, err);
    if (rc)
        return rc;
    if (json_is_null(res)) {
        json_decref(res);
        return aif_err_set(err, AIF_ENOTFOUND, "chain_getBlockHash: block %llu does not exist (yet)",
                           (unsigned long long)n);
    }
    uint8_t h[32];
    rc = aif_chain_i_hex_fixed(res, "chain_getBlockHash result", h, 32, err);
    json_decref(res);
    if (rc)
        return rc;
    out[0] = '0';
    out[1] = 'x';
    aif_crypto_hex_encode(h, 32, out + 2);
    return AIF_OK;
}

static aif_code op_current_block(void *impl, uint64_t *out, aif_err *err)
{
    return aif_chain_i_best_number(impl, out, err);
}

static aif_code op_block_hash(void *impl, uint64_t block, char out[67], aif_err *err)
{
    return aif_chain_i_block_hash_str(impl, block, out, err);
}

/* Best block number and its hash, and the runtime at it. */
static aif_code pin_block(aif_chain_subtensor *st, uint64_t *block, char hash[67], aif_err *err)
{
    aif_code rc = aif_chain_i_best_number(st, block, err);
    if (!rc)
        rc = aif_chain_i_block_hash_str(st, *block, hash, err);
    if (!rc)
        rc = aif_chain_i_runtime_ensure(st, hash, err);
    return rc;
}

/* ------------------------------------------------------------- metagraph */

/* The selective metagraph value (Option<SelectiveMetagraph>) of netuid at
 * hash, all indexes requested. */
static aif_code selective_metagraph(aif_chain_subtensor *st, uint16_t netuid, const char *hash, aif_scale_value **out,
                                    aif_err *err)
{
    *out = NULL;
    const aif_scale_api_method *m = NULL;
    const char *name = "SubnetInfoRuntimeApi_get_selective_mechagraph";
    aif_err e1 = {0};
    aif_code rc = aif_scale_metadata_find_runtime_api(st->rt.md, name, NULL, &m, &e1);
    if (rc) {
        name = "SubnetInfoRuntimeApi_get_selective_metagraph";
        rc = aif_scale_metadata_find_runtime_api(st->rt.md, name, NULL, &m, err);
        if (rc)
            return aif_err_set(err, AIF_ENOTSUP, "metagraph: the runtime (spec %u) has neither "
                                                 "get_selective_mechagraph nor get_selective_metagraph "
                                                 "(metadata V%u)", st->rt.spec_version,
                               aif_scale_metadata_version(st->rt.md));
    }
    const aif_scale_registry *reg = aif_scale_metadata_registry(st->rt.md);
    char idx[SELECTIVE_INDEXES * 4 + 4];
    size_t k = 0;
    idx[k++] = '[';
    for (int i = 0; i < SELECTIVE_INDEXES; i++)
        k += (size_t)snprintf(idx + k, sizeof idx - k, i ? ",%d" : "%d", i);
    idx[k++] = ']';
    idx[k] = 0;
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    for (size_t i = 0; i < m->n_inputs && !rc; i++) {
        const char *in = m->inputs[i].name;
        char num[16];
        const char *arg;
        if (!strcmp(in, "netuid")) {
            snprintf(num, sizeof num, "%u", netuid);
            arg = num;
        } else if (!strcmp(in, "subid") || !strcmp(in, "mecid"))
            arg = "0";
        else if (!strcmp(in, "metagraph_indexes") || !strcmp(in, "indexes"))
            arg = idx;
        else {
            rc = aif_err_set(err, AIF_ENOTSUP, "metagraph: %s has an unknown input \"%s\"", name, in);
            break;
        }
        rc = aif_scale_encode_json(reg, m->inputs[i].type, arg, strlen(arg), &w, err);
    }
    uint8_t *b = NULL;
    size_t n = 0;
    if (!rc)
        rc = aif_chain_i_state_call(st, name, w.buf, w.len, hash, &b, &n, err);
    aif_scale_writer_release(&w);
    if (rc)
        return rc;
    aif_scale_reader r;
    aif_scale_reader_init(&r, b, n);
    rc = aif_scale_value_decode(reg, m->output, &r, out, err);
    if (!rc && aif_scale_reader_left(&r)) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: %zu bytes left after the value", name, aif_scale_reader_left(&r));
        aif_scale_value_free(*out);
        *out = NULL;
    }
    aif_free(b);
    if (rc)
        return aif_err_wrap(err, "%s(netuid %u)", name, netuid), rc;
    return AIF_OK;
}


/* Every key/value of a map whose first key is the netuid (Identity u16), at
 * block `hash`: the prefix is twox128(pallet) ++ twox128(item) ++ netuid LE;
 * *plen gets its length so callers can split the rest of each key. */
static aif_code list_by_netuid(aif_chain_subtensor *st, const char *pallet, const char *item, uint16_t netuid,
                               const char *hash, st_kv **kv, size_t *n, size_t *plen, aif_err *err)
{
    uint8_t nk[2] = {(uint8_t)netuid, (uint8_t)(netuid >> 8)};
    aif_scale_bytes key = {nk, 2};
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    aif_code rc = aif_scale_storage_key(st->rt.md, pallet, item, &key, 1, &w, err);
    if (!rc)
        rc = aif_chain_i_storage_list(st, w.buf, w.len, hash, kv, n, err);
    *plen = w.len;
    aif_scale_writer_release(&w);
    return rc;
}

static aif_code read_weights(aif_chain_subtensor *st, uint16_t netuid, const char *hash, aif_weight_entry **out,
                             size_t *n_out, aif_err *err)
{
    *out = NULL;
    *n_out = 0;
    const aif_scale_storage_entry *e = NULL;
    aif_code rc = aif_scale_metadata_find_storage(st->rt.md, "SubtensorModule", "Weights", &e, err);
    if (rc)
        return rc;
    st_kv *kv = NULL;
    size_t n = 0, plen = 0;
    rc = list_by_netuid(st, "SubtensorModule", "Weights", netuid, hash, &kv, &n, &plen, err);
    if (rc)
        return aif_err_wrap(err, "Weights(netuid %u)", netuid), rc;
    aif_weight_entry *ws = NULL;
    size_t nw = 0, cap = 0;
    const aif_scale_registry *reg = aif_scale_metadata_registry(st->rt.md);
    for (size_t i = 0; i < n && !rc; i++) {
        if (kv[i].key_len != plen + 2 || !kv[i].val)
            continue; /* not an (Identity u16) uid key, or no value */
        uint16_t src = (uint16_t)(kv[i].key[plen] | kv[i].key[plen + 1] << 8);
        aif_scale_reader r;
        aif_scale_reader_init(&r, kv[i].val, kv[i].val_len);
        aif_scale_value *v = NULL;
        rc = aif_scale_value_decode(reg, e->value_type, &r, &v, err);
        if (rc) {
            aif_err_wrap(err, "Weights(netuid %u, uid %u)", netuid, src);
            break;
        }
        for (size_t j = 0; v->kind == AIF_SCALE_SEQUENCE && j < v->n; j++) {
            const aif_scale_value *t = &v->items[j];
            uint64_t d, wt;
            if (t->n != 2 || !as_uint(&t->items[0], &d) || !as_uint(&t->items[1], &wt) || d > 65535 ||
                wt > 65535)
                continue;
            if (nw == cap) {
                size_t nc = cap ? 2 * cap : 256;
                aif_weight_entry *nn = aif_realloc(ws, nc * sizeof *nn);
                if (!nn) {
                    rc = aif_err_set(err, AIF_ENOMEM, "out of memory reading weights");
                    break;
                }
                ws = nn;
                cap = nc;
            }
            ws[nw++] = (aif_weight_entry){src, (uint16_t)d, (uint16_t)wt};
        }
        aif_scale_value_free(v);
    }
    aif_chain_i_kv_free(kv, n);
    if (rc) {
        aif_free(ws);
        return rc;
    }
    *out = ws;
    *n_out = nw;
    return AIF_OK;
}

/* ---------------------------------------------- metagraph from storage */

static aif_code decode_value(aif_chain_subtensor *st, const char *entry, const uint8_t *v, size_t n, aif_scale_value **out,
                             aif_err *err)
{
    *out = NULL;
    const aif_scale_storage_entry *e = NULL;
    aif_code rc = aif_scale_metadata_find_storage(st->rt.md, "SubtensorModule", entry, &e, err);
    if (rc)
        return rc;
    if (!v) { /* absent: the entry's default */
        v = e->default_value;
        n = e->default_len;
    }
    aif_scale_reader r;
    aif_scale_reader_init(&r, v, n);
    rc = aif_scale_value_decode(aif_scale_metadata_registry(st->rt.md), e->value_type, &r, out, err);
    if (rc)
        aif_err_wrap(err, "SubtensorModule.%s value", entry);
    return rc;
}

/* Entry keyed by netuid (Identity u16) decoded into *out. */
static aif_code netuid_value(aif_chain_subtensor *st, const char *entry, uint16_t netuid, const char *at,
                             aif_scale_value **out, aif_err *err)
{
    uint8_t nk[2] = {(uint8_t)netuid, (uint8_t)(netuid >> 8)};
    aif_scale_bytes key = {nk, 2};
    uint8_t *v = NULL;
    size_t n = 0;
    int found = 0;
    aif_code rc = aif_chain_i_storage_entry(st, "SubtensorModule", entry, &key, 1, at, &v, &n, &found, err);
    if (!rc)
        rc = decode_value(st, entry, v, n, out, err);
    aif_free(v);
    return rc;
}

/* Double map (netuid, uid u16 Identity): values by uid into vals[0..n). */
static aif_code by_uid(aif_chain_subtensor *st, const char *entry, uint16_t netuid, const char *at, size_t n_uids,
                       aif_scale_value **vals, aif_err *err)
{
    uint8_t nk[2] = {(uint8_t)netuid, (uint8_t)(netuid >> 8)};
    aif_scale_bytes key = {nk, 2};
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    aif_code rc = aif_scale_storage_key(st->rt.md, "SubtensorModule", entry, &key, 1, &w, err);
    st_kv *kv = NULL;
    size_t n = 0;
    if (!rc)
        rc = aif_chain_i_storage_list(st, w.buf, w.len, at, &kv, &n, err);
    size_t plen = w.len;
    aif_scale_writer_release(&w);
    for (size_t i = 0; i < n && !rc; i++) {
        if (kv[i].key_len != plen + 2 || !kv[i].val)
            continue;
        size_t uid = (size_t)(kv[i].key[plen] | kv[i].key[plen + 1] << 8);
        if (uid >= n_uids || vals[uid])
            continue;
        rc = decode_value(st, entry, kv[i].val, kv[i].val_len, &vals[uid], err);
    }
    aif_chain_i_kv_free(kv, n);
    if (rc)
        aif_err_wrap(err, "SubtensorModule.%s(netuid %u)", entry, netuid);
    return rc;
}

static aif_code metagraph_from_storage(aif_chain_subtensor *st, uint16_t netuid, const char *hash, aif_metagraph *mg,
                                       aif_err *err)
{
    aif_scale_value *nv = NULL, *vp = NULL, *lu = NULL, *inc = NULL;
    aif_scale_value **keys = NULL, **regs = NULL;
    st_kv *owners = NULL, *alpha = NULL;
    uint64_t n = 0;
    aif_code rc = netuid_value(st, "SubnetworkN", netuid, hash, &nv, err);
    if (!rc && !as_uint(nv, &n))
        rc = aif_err_set(err, AIF_EFORMAT, "SubtensorModule.SubnetworkN(%u) is not a number", netuid);
    if (!rc && n == 0)
        rc = aif_err_set(err, AIF_ENOTFOUND, "metagraph: subnet %u has no neurons (or does not exist)", netuid);
    if (!rc) {
        keys = aif_calloc(n, sizeof *keys);
        regs = aif_calloc(n, sizeof *regs);
        owners = aif_calloc(n, sizeof *owners);
        alpha = aif_calloc(n, sizeof *alpha);
        mg->neurons = aif_calloc(n, sizeof *mg->neurons);
        if (!keys || !regs || !owners || !alpha || !mg->neurons)
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory for %llu neurons", (unsigned long long)n);
    }
    if (!rc)
        rc = by_uid(st, "Keys", netuid, hash, n, keys, err);
    if (!rc)
        rc = by_uid(st, "BlockAtRegistration", netuid, hash, n, regs, err);
    if (!rc)
        rc = netuid_value(st, "ValidatorPermit", netuid, hash, &vp, err);
    if (!rc)
        rc = netuid_value(st, "LastUpdate", netuid, hash, &lu, err);
    if (!rc)
        rc = netuid_value(st, "Incentive", netuid, hash, &inc, err);
    /* Owner(hotkey) and TotalHotkeyAlpha(hotkey, netuid) for every hotkey */
    uint8_t nk[2] = {(uint8_t)netuid, (uint8_t)(netuid >> 8)};
    for (uint64_t i = 0; i < n && !rc; i++) {
        uint8_t pk[32];
        if (!keys[i] || !as_account(keys[i], pk))
            memset(pk, 0, 32);
        aif_scale_bytes k1[2] = {{pk, 32}, {nk, 2}};
        aif_scale_writer w;
        aif_scale_writer_init(&w);
        rc = aif_scale_storage_key(st->rt.md, "SubtensorModule", "Owner", k1, 1, &w, err);
        owners[i].key = aif_scale_writer_take(&w, &owners[i].key_len);
        if (!rc)
            rc = aif_scale_storage_key(st->rt.md, "SubtensorModule", "TotalHotkeyAlpha", k1, 2, &w, err);
        alpha[i].key = aif_scale_writer_take(&w, &alpha[i].key_len);
        if (!rc && (!owners[i].key || !alpha[i].key))
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
    }
    if (!rc)
        rc = aif_chain_i_storage_multi(st, owners, n, hash, err);
    if (!rc)
        rc = aif_chain_i_storage_multi(st, alpha, n, hash, err);
    const aif_scale_value *vps = unwrap(vp), *lus = unwrap(lu), *incs = unwrap(inc);
    for (uint64_t i = 0; i < n && !rc; i++) {
        aif_neuron *ne = &mg->neurons[i];
        uint8_t pk[32];
        uint64_t u;
        ne->uid = (uint16_t)i;
        if (keys[i] && as_account(keys[i], pk))
            aif_crypto_ss58_encode(pk, AIF_SS58_BITTENSOR, ne->hotkey);
        if (owners[i].val && owners[i].val_len == 32)
            aif_crypto_ss58_encode(owners[i].val, AIF_SS58_BITTENSOR, ne->coldkey);
        if (alpha[i].val && alpha[i].val_len == 8) {
            aif_scale_reader r;
            aif_scale_reader_init(&r, alpha[i].val, 8);
            aif_scale_read_u64(&r, &u, NULL);
            ne->stake = (double)u / 1e9;
        }
        if (regs[i] && as_uint(regs[i], &u))
            ne->registration_block = u;
        if (vps && i < vps->n && as_uint(&vps->items[i], &u))
            ne->validator_permit = u != 0;
        if (lus && i < lus->n && as_uint(&lus->items[i], &u))
            ne->last_update = u;
        if (incs && i < incs->n && as_uint(&incs->items[i], &u))
            ne->incentive = (double)u / 65535.0;
    }
    if (!rc)
        mg->n = (size_t)n;
    for (uint64_t i = 0; i < n; i++) {
        if (keys)
            aif_scale_value_free(keys[i]);
        if (regs)
            aif_scale_value_free(regs[i]);
    }
    aif_free(keys);
    aif_free(regs);
    aif_chain_i_kv_free(owners, owners ? n : 0);
    aif_chain_i_kv_free(alpha, alpha ? n : 0);
    aif_scale_value_free(nv);
    aif_scale_value_free(vp);
    aif_scale_value_free(lu);
    aif_scale_value_free(inc);
    return rc;
}

static int has_selective_api(aif_chain_subtensor *st)
{
    const aif_scale_api_method *m = NULL;
    return aif_scale_metadata_find_runtime_api(st->rt.md, "SubnetInfoRuntimeApi_get_selective_mechagraph", NULL, &m,
                                               NULL) == AIF_OK ||
           aif_scale_metadata_find_runtime_api(st->rt.md, "SubnetInfoRuntimeApi_get_selective_metagraph", NULL, &m,
                                               NULL) == AIF_OK;
}

static aif_code op_metagraph(void *impl, uint16_t netuid, aif_metagraph *mg, aif_err *err)
{
    aif_chain_subtensor *st = impl;
    memset(mg, 0, sizeof *mg);
    uint64_t block;
    char hash[67];
    aif_code rc = pin_block(st, &block, hash, err);
    if (rc)
        return rc;
    int use_storage = st->o.metagraph_source == AIF_CHAIN_MG_STORAGE ||
                      (st->o.metagraph_source == AIF_CHAIN_MG_AUTO && !has_selective_api(st));
    if (use_storage) {
        mg->netuid = netuid;
        mg->block = block;
        rc = metagraph_from_storage(st, netuid, hash, mg, err);
        if (!rc)
            rc = read_weights(st, netuid, hash, &mg->weights, &mg->n_weights, err);
        if (rc)
            aif_metagraph_release(mg);
        return rc;
    }
    aif_scale_value *root = NULL;
    rc = selective_metagraph(st, netuid, hash, &root, err);
    if (rc)
        return rc;
    const aif_scale_value *m = unwrap(root);
    if (!m) {
        aif_scale_value_free(root);
        return aif_err_set(err, AIF_ENOTFOUND, "metagraph: subnet %u does not exist at block %llu", netuid,
                           (unsigned long long)block);
    }
    const aif_scale_value *hk = seq_field(m, "hotkeys"), *ck = seq_field(m, "coldkeys"),
                          *vp = seq_field(m, "validator_permit"), *lu = seq_field(m, "last_update"),
                          *inc = seq_field(m, "incentives"), *reg = seq_field(m, "block_at_registration"),
                          *ts = seq_field(m, "total_stake");
    if (!hk) {
        aif_scale_value_free(root);
        return aif_err_set(err, AIF_EFORMAT, "metagraph: the selective metagraph of subnet %u has no hotkeys",
                           netuid);
    }
    mg->netuid = netuid;
    mg->block = block;
    mg->neurons = aif_calloc(hk->n ? hk->n : 1, sizeof *mg->neurons);
    if (!mg->neurons) {
        size_t want = hk->n;
        aif_scale_value_free(root);
        return aif_err_set(err, AIF_ENOMEM, "out of memory for %zu neurons", want);
    }
    mg->n = hk->n;
    for (size_t i = 0; i < hk->n; i++) {
        aif_neuron *ne = &mg->neurons[i];
        uint8_t pk[32];
        uint64_t u;
        ne->uid = (uint16_t)i;
        if (as_account(&hk->items[i], pk))
            aif_crypto_ss58_encode(pk, AIF_SS58_BITTENSOR, ne->hotkey);
        if (ck && i < ck->n && as_account(&ck->items[i], pk))
            aif_crypto_ss58_encode(pk, AIF_SS58_BITTENSOR, ne->coldkey);
        if (vp && i < vp->n && as_uint(&vp->items[i], &u))
            ne->validator_permit = u != 0;
        if (lu && i < lu->n && as_uint(&lu->items[i], &u))
            ne->last_update = u;
        if (inc && i < inc->n && as_uint(&inc->items[i], &u))
            ne->incentive = (double)u / 65535.0;
        if (reg && i < reg->n && as_uint(&reg->items[i], &u))
            ne->registration_block = u;
        if (ts && i < ts->n && as_uint(&ts->items[i], &u))
            ne->stake = (double)u / 1e9;
    }
    aif_scale_value_free(root);
    rc = read_weights(st, netuid, hash, &mg->weights, &mg->n_weights, err);
    if (rc) {
        aif_metagraph_release(mg);
        return rc;
    }
    return AIF_OK;
}

/* The hotkeys of a subnet by uid (32 bytes each; zeros for a gap): from
 * the selective metagraph, or Keys(netuid, uid) storage. */
static aif_code subnet_hotkeys(aif_chain_subtensor *st, uint16_t netuid, const char *hash, uint8_t **out, size_t *n_out,
                               aif_err *err)
{
    *out = NULL;
    *n_out = 0;
    int use_storage = st->o.metagraph_source == AIF_CHAIN_MG_STORAGE ||
                      (st->o.metagraph_source == AIF_CHAIN_MG_AUTO && !has_selective_api(st));
    aif_code rc;
    if (use_storage) {
        aif_scale_value *nv = NULL;
        uint64_t n = 0;
        rc = netuid_value(st, "SubnetworkN", netuid, hash, &nv, err);
        if (!rc && !as_uint(nv, &n))
            rc = aif_err_set(err, AIF_EFORMAT, "SubtensorModule.SubnetworkN(%u) is not a number", netuid);
        aif_scale_value_free(nv);
        if (rc)
            return rc;
        aif_scale_value **vals = aif_calloc(n ? n : 1, sizeof *vals);
        uint8_t *keys = aif_calloc(n ? n : 1, 32);
        if (!vals || !keys)
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
        if (!rc)
            rc = by_uid(st, "Keys", netuid, hash, n, vals, err);
        for (uint64_t i = 0; i < n && vals; i++) {
            if (!rc && vals[i])
                as_account(vals[i], keys + 32 * i);
            aif_scale_value_free(vals[i]);
        }
        aif_free(vals);
        if (rc) {
            aif_free(keys);
            return rc;
        }
        *out = keys;
        *n_out = (size_t)n;
        return AIF_OK;
    }
    aif_scale_value *root = NULL;
    rc = selective_metagraph(st, netuid, hash, &root, err);
    if (rc)
        return rc;
    const aif_scale_value *m = unwrap(root);
    const aif_scale_value *hk = m ? seq_field(m, "hotkeys") : NULL;
    if (!hk) {
        aif_scale_value_free(root);
        return aif_err_set(err, AIF_ENOTFOUND, "subnet %u has no hotkeys at %s", netuid, hash);
    }
    uint8_t *keys = aif_calloc(hk->n ? hk->n : 1, 32);
    if (!keys) {
        aif_scale_value_free(root);
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < hk->n; i++)
        as_account(&hk->items[i], keys + 32 * i);
    *n_out = hk->n;
    *out = keys;
    aif_scale_value_free(root);
    return AIF_OK;
}

/* ------------------------------------------------------------ commitments */

/* Registration value (spec 8.1): deposit u64, block u32, Compact(n), Data... */
static int parse_registration(const uint8_t *p, size_t n, aif_commitment *c)
{
    aif_scale_reader r;
    aif_scale_reader_init(&r, p, n);
    uint64_t deposit;
    uint32_t block;
    size_t nf;
    if (aif_scale_read_u64(&r, &deposit, NULL) || aif_scale_read_u32(&r, &block, NULL) ||
        aif_scale_read_count(&r, 1, &nf, NULL))
        return 0;
    c->block = block;
    c->len = 0;
    c->data[0] = 0;
    if (nf == 0)
        return 1;
    uint8_t tag;
    if (aif_scale_read_u8(&r, &tag, NULL))
        return 0;
    if (tag >= 1 && tag <= 129) {
        const uint8_t *d;
        if (aif_scale_read_raw(&r, tag - 1u, &d, NULL))
            return 0;
        size_t len = tag - 1u;
        if (len > AIF_CHAIN_MAX_COMMITMENT)
            len = AIF_CHAIN_MAX_COMMITMENT;
        memcpy(c->data, d, len);
        c->data[len] = 0;
        c->len = len;
    }
    return 1;
}

static int cmp_commit(const void *a, const void *b)
{
    const aif_commitment *x = a, *y = b;
    return (x->uid > y->uid) - (x->uid < y->uid);
}

static aif_code op_commitments(void *impl, uint16_t netuid, aif_commitment **out, size_t *n_out, aif_err *err)
{
    aif_chain_subtensor *st = impl;
    *out = NULL;
    *n_out = 0;
    uint64_t block;
    char hash[67];
    aif_code rc = pin_block(st, &block, hash, err);
    if (rc)
        return rc;
    uint8_t *keys = NULL;
    size_t nh = 0;
    rc = subnet_hotkeys(st, netuid, hash, &keys, &nh, err);
    if (rc)
        return rc;
    st_kv *kv = NULL;
    size_t n = 0, plen = 0;
    rc = list_by_netuid(st, "Commitments", "CommitmentOf", netuid, hash, &kv, &n, &plen, err);
    if (rc) {
        aif_free(keys);
        return aif_err_wrap(err, "Commitments.CommitmentOf(netuid %u)", netuid), rc;
    }
    aif_commitment *cs = aif_calloc(n ? n : 1, sizeof *cs);
    size_t nc = 0;
    if (!cs)
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && !rc; i++) {
        /* key = prefix || twox64(account) || account */
        if (kv[i].key_len != plen + 8 + 32 || !kv[i].val)
            continue;
        const uint8_t *acct = kv[i].key + plen + 8;
        size_t uid = 0;
        while (uid < nh && memcmp(keys + 32 * uid, acct, 32))
            uid++;
        if (uid == nh)
            continue; /* a hotkey no longer registered on the subnet */
        aif_commitment *c = &cs[nc];
        memset(c, 0, sizeof *c);
        if (!parse_registration(kv[i].val, kv[i].val_len, c)) {
            aif_log(AIF_LOG_WARN, "chain: CommitmentOf(%u, uid %zu): undecodable value of %zu bytes", netuid, uid,
                    kv[i].val_len);
            continue;
        }
        c->uid = (uint16_t)uid;
        aif_crypto_ss58_encode(acct, AIF_SS58_BITTENSOR, c->hotkey);
        nc++;
    }
    aif_chain_i_kv_free(kv, n);
    aif_free(keys);
    if (rc) {
        aif_free(cs);
        return rc;
    }
    qsort(cs, nc, sizeof *cs, cmp_commit);
    *out = cs;
    *n_out = nc;
    return AIF_OK;
}

/* ------------------------------------------------------------------ writes */

static aif_code encode_call(aif_chain_subtensor *st, const char *pallet, const char *call, const char *args,
                            aif_scale_writer *w, aif_err *err)
{
    aif_code rc = aif_scale_encode_call(st->rt.md, pallet, call, args, w, err);
    if (rc)
        aif_err_wrap(err, "%s.%s", pallet, call);
    return rc;
}

static aif_code op_commit(void *impl, const aif_chain_signer *hk, uint16_t netuid, const char *data, size_t len,
                          aif_err *err)
{
    aif_chain_subtensor *st = impl;
    if (len > AIF_CHAIN_MAX_COMMITMENT)
        return aif_err_set(err, AIF_ERANGE, "commitment of %zu bytes is above the %d-byte Raw limit", len,
                           AIF_CHAIN_MAX_COMMITMENT);
    aif_code rc = aif_chain_i_runtime_ensure(st, NULL, err);
    if (rc)
        return rc;
    char hex[2 * AIF_CHAIN_MAX_COMMITMENT + 1];
    aif_crypto_hex_encode(data, len, hex);
    char args[2 * AIF_CHAIN_MAX_COMMITMENT + 128];
    snprintf(args, sizeof args, "{\"netuid\": %u, \"info\": {\"fields\": [{\"Raw%zu\": \"0x%s\"}]}}", netuid, len,
             hex);
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    rc = encode_call(st, "Commitments", "set_commitment", args, &w, err);
    if (!rc)
        rc = aif_chain_i_submit(st, hk, w.buf, w.len, "Commitments.set_commitment", NULL, err);
    aif_scale_writer_release(&w);
    return rc;
}

/* "[a,b,c]" of n u16 into a heap string. */
static char *u16_list(const uint16_t *v, size_t n)
{
    char *s = aif_malloc(n * 7 + 3);
    if (!s)
        return NULL;
    size_t k = 0;
    s[k++] = '[';
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(s + k, i ? ",%u" : "%u", v[i]);
    s[k++] = ']';
    s[k] = 0;
    return s;
}

static aif_code weights_call(aif_chain_subtensor *st, const char *call, uint16_t netuid, const uint16_t *uids,
                             const uint16_t *values, size_t n, const uint16_t *salt, size_t n_salt, uint64_t version,
                             const uint8_t *hash, aif_scale_writer *w, aif_err *err)
{
    char *a = u16_list(uids, n), *b = u16_list(values, n), *c = salt ? u16_list(salt, n_salt) : NULL;
    size_t cap = (a ? strlen(a) : 0) + (b ? strlen(b) : 0) + (c ? strlen(c) : 0) + 128;
    char *args = aif_malloc(cap);
    aif_code rc = AIF_OK;
    if (!a || !b || (salt && !c) || !args)
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
    else if (hash) {
        char hh[65];
        aif_crypto_hex_encode(hash, 32, hh);
        snprintf(args, cap, "[%u, \"0x%s\"]", netuid, hh);
    } else if (salt)
        snprintf(args, cap, "[%u, %s, %s, %s, %llu]", netuid, a, b, c, (unsigned long long)version);
    else
        snprintf(args, cap, "[%u, %s, %s, %llu]", netuid, a, b, (unsigned long long)version);
    if (!rc)
        rc = encode_call(st, "SubtensorModule", call, args, w, err);
    aif_free(a);
    aif_free(b);
    aif_free(c);
    aif_free(args);
    return rc;
}

void aif_chain_weights_commit_hash(const uint8_t hotkey[32], uint16_t netuid, const uint16_t *uids,
                                   const uint16_t *values, size_t n, const uint16_t *salt, size_t n_salt,
                                   uint64_t version_key, uint8_t out[32])
{
    /* Streamed into blake2b through a writer; on ENOMEM the hash is of a
     * truncated preimage, which the chain then rejects: acceptable for a
     * void API, and the writer's status is checked by the callers' tests. */
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    aif_scale_put_raw(&w, hotkey, 32);
    aif_scale_put_u16(&w, netuid);
    aif_scale_put_compact(&w, n);
    for (size_t i = 0; i < n; i++)
        aif_scale_put_u16(&w, uids[i]);
    aif_scale_put_compact(&w, n);
    for (size_t i = 0; i < n; i++)
        aif_scale_put_u16(&w, values[i]);
    aif_scale_put_compact(&w, n_salt);
    for (size_t i = 0; i < n_salt; i++)
        aif_scale_put_u16(&w, salt[i]);
    aif_scale_put_u64(&w, version_key);
    aif_crypto_blake2b(w.buf, w.len, out, 32);
    aif_scale_writer_release(&w);
}

aif_code aif_chain_subtensor_commit_weights(aif_chain_subtensor *st, const aif_chain_signer *hotkey, uint16_t netuid,
                                      const uint16_t *uids, const uint16_t *values, size_t n, const uint16_t *salt,
                                      size_t n_salt, uint64_t version_key, aif_err *err)
{
    if (!st)
        return aif_err_set(err, AIF_EINVAL, "%s: no subtensor client (NULL; was the chain opened?)", __func__);
    aif_code rc = aif_chain_i_runtime_ensure(st, NULL, err);
    if (rc)
        return rc;
    uint8_t h[32];
    aif_chain_weights_commit_hash(hotkey->public_key, netuid, uids, values, n, salt, n_salt, version_key, h);
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    rc = weights_call(st, "commit_weights", netuid, NULL, NULL, 0, NULL, 0, 0, h, &w, err);
    if (!rc)
        rc = aif_chain_i_submit(st, hotkey, w.buf, w.len, "SubtensorModule.commit_weights", NULL, err);
    aif_scale_writer_release(&w);
    return rc;
}

aif_code aif_chain_subtensor_reveal_weights(aif_chain_subtensor *st, const aif_chain_signer *hotkey, uint16_t netuid,
                                      const uint16_t *uids, const uint16_t *values, size_t n, const uint16_t *salt,
                                      size_t n_salt, uint64_t version_key, aif_err *err)
{
    if (!st)
        return aif_err_set(err, AIF_EINVAL, "%s: no subtensor client (NULL; was the chain opened?)", __func__);
    aif_code rc = aif_chain_i_runtime_ensure(st, NULL, err);
    if (rc)
        return rc;
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    rc = weights_call(st, "reveal_weights", netuid, uids, values, n, salt, n_salt, version_key, NULL, &w, err);
    if (!rc)
        rc = aif_chain_i_submit(st, hotkey, w.buf, w.len, "SubtensorModule.reveal_weights", NULL, err);
    aif_scale_writer_release(&w);
    return rc;
}

static void pending_free(st_pending *p)
{
    aif_free(p->uids);
    aif_free(p->values);
    aif_free(p->salt);
}

static void pending_drop(aif_chain_subtensor *st, size_t i)
{
    pending_free(&st->pending[i]);
    st->pending[i] = st->pending[--st->n_pending];
}

static json_t *u16_json(const uint16_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

/* Write the pending commits to reveal_state_path (atomically). */
static aif_code pending_save(aif_chain_subtensor *st, aif_err *err)
{
    if (!st->reveal_state_path)
        return AIF_OK;
    json_t *a = json_array();
    for (size_t i = 0; a && i < st->n_pending; i++) {
        st_pending *p = &st->pending[i];
        char hk[65];
        aif_crypto_hex_encode(p->hotkey, 32, hk);
        json_array_append_new(a, json_pack("{s:i, s:s, s:o, s:o, s:o, s:I, s:I, s:I}", "netuid", p->netuid, "hotkey",
                                           hk, "uids", u16_json(p->uids, p->n), "values", u16_json(p->values, p->n),
                                           "salt", u16_json(p->salt, p->n_salt), "version_key",
                                           (json_int_t)p->version_key, "commit_block", (json_int_t)p->commit_block,
                                           "reveal_from", (json_int_t)p->reveal_epoch_from));
    }
    char *text = a ? json_dumps(a, JSON_INDENT(1)) : NULL;
    json_decref(a);
    if (!text)
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    aif_code rc = aif_fs_write_file(st->reveal_state_path, text, strlen(text), err);
    free(text);
    if (rc)
        aif_err_wrap(err, "saving weight commits to %s", st->reveal_state_path);
    return rc;
}

static int u16_array(json_t *a, uint16_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!json_is_array(a) || json_array_size(a) > 65536)
        return 0;
    *n = json_array_size(a);
    *out = aif_malloc((*n ? *n : 1) * sizeof **out);
    if (!*out)
        return 0;
    for (size_t i = 0; i < *n; i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 65535) {
            aif_free(*out);
            *out = NULL;
            return 0;
        }
        (*out)[i] = (uint16_t)json_integer_value(v);
    }
    return 1;
}

/* Read the pending commits of reveal_state_path (a missing file is empty). */
static aif_code pending_load(aif_chain_subtensor *st, aif_err *err)
{
    if (!st->reveal_state_path || !aif_fs_exists(st->reveal_state_path))
        return AIF_OK;
    char *buf = NULL;
    size_t len = 0;
    aif_code rc = aif_fs_read_file(st->reveal_state_path, 16u << 20, &buf, &len, err);
    if (rc)
        return rc;
    json_error_t je;
    json_t *a = json_loadb(buf, len, 0, &je);
    aif_free(buf);
    if (!json_is_array(a)) {
        json_decref(a);
        return aif_err_set(err, AIF_EFORMAT, "%s: not a JSON array of weight commits (line %d: %s)",
                           st->reveal_state_path, je.line, je.text);
    }
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) {
        st_pending p = {0};
        size_t n2 = 0;
        const char *hk = json_string_value(json_object_get(e, "hotkey"));
        size_t got = 0;
        json_t *nu = json_object_get(e, "netuid");
        int ok = hk && json_is_integer(nu) && json_integer_value(nu) >= 0 && json_integer_value(nu) <= 65535 &&
                 aif_crypto_hex_decode(hk, strlen(hk), p.hotkey, 32, &got, NULL) == AIF_OK && got == 32 &&
                 u16_array(json_object_get(e, "uids"), &p.uids, &p.n) &&
                 u16_array(json_object_get(e, "values"), &p.values, &n2) && n2 == p.n &&
                 u16_array(json_object_get(e, "salt"), &p.salt, &p.n_salt);
        if (!ok) {
            pending_free(&p);
            rc = aif_err_set(err, AIF_EFORMAT, "%s: weight commit %zu is malformed", st->reveal_state_path, i);
            break;
        }
        p.netuid = (uint16_t)json_integer_value(nu);
        p.version_key = (uint64_t)json_integer_value(json_object_get(e, "version_key"));
        p.commit_block = (uint64_t)json_integer_value(json_object_get(e, "commit_block"));
        p.reveal_epoch_from = (uint64_t)json_integer_value(json_object_get(e, "reveal_from"));
        st_pending *np = aif_realloc(st->pending, (st->n_pending + 1) * sizeof *np);
        if (!np) {
            pending_free(&p);
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
            break;
        }
        st->pending = np;
        st->pending[st->n_pending++] = p;
    }
    json_decref(a);
    return rc;
}

/* Reveal the pending commits of (netuid, hotkey) whose reveal epoch has
 * come; keep those that are too early. */
static void reveal_due(aif_chain_subtensor *st, const aif_chain_signer *hk, uint16_t netuid, uint64_t now)
{
    size_t before = st->n_pending;
    for (size_t i = 0; i < st->n_pending;) {
        st_pending *p = &st->pending[i];
        if (p->netuid != netuid || memcmp(p->hotkey, hk->public_key, 32) || now < p->reveal_epoch_from) {
            i++;
            continue;
        }
        aif_err e = {0};
        aif_code rc = aif_chain_subtensor_reveal_weights(st, hk, netuid, p->uids, p->values, p->n, p->salt, p->n_salt,
                                                   p->version_key, &e);
        if (rc == AIF_OK) {
            aif_log(AIF_LOG_INFO, "chain: revealed weights committed at block %llu", (unsigned long long)p->commit_block);
            pending_drop(st, i);
        } else if (strstr(e.msg, "RevealTooEarly") || rc == AIF_ENET || rc == AIF_ETIMEOUT || rc == AIF_EHTTP ||
                   rc == AIF_ENOMEM) {
            aif_log(AIF_LOG_INFO, "chain: reveal not accepted yet: %s", e.msg);
            i++;
        } else {
            aif_log(AIF_LOG_WARN, "chain: dropping the weight commit of block %llu: %s",
                    (unsigned long long)p->commit_block, e.msg);
            pending_drop(st, i);
        }
    }
    aif_err e = {0};
    if (st->n_pending != before && pending_save(st, &e))
        aif_log(AIF_LOG_WARN, "chain: %s", e.msg);
}

aif_code aif_chain_subtensor_reveal_pending(aif_chain_subtensor *st, const aif_chain_signer *hotkey, uint16_t netuid,
                                      size_t *n_left, aif_err *err)
{
    if (!st)
        return aif_err_set(err, AIF_EINVAL, "%s: no subtensor client (NULL; was the chain opened?)", __func__);
    *n_left = 0;
    uint64_t now = 0;
    aif_code rc = aif_chain_i_best_number(st, &now, err);
    if (rc)
        return rc;
    reveal_due(st, hotkey, netuid, now);
    for (size_t i = 0; i < st->n_pending; i++)
        *n_left += st->pending[i].netuid == netuid && !memcmp(st->pending[i].hotkey, hotkey->public_key, 32);
    return AIF_OK;
}

static aif_code op_set_weights(void *impl, const aif_chain_signer *hk, uint16_t netuid, const uint16_t *uids,
                               const uint16_t *weights, size_t n, uint64_t version_key, aif_err *err)
{
    aif_chain_subtensor *st = impl;
    aif_chain_hyperparams hp;
    aif_code rc = aif_chain_subtensor_hyperparams(st, netuid, &hp, err);
    if (rc)
        return rc;
    if (!hp.commit_reveal_enabled) {
        aif_scale_writer w;
        aif_scale_writer_init(&w);
        rc = weights_call(st, "set_weights", netuid, uids, weights, n, NULL, 0, version_key, NULL, &w, err);
        if (!rc)
            rc = aif_chain_i_submit(st, hk, w.buf, w.len, "SubtensorModule.set_weights", NULL, err);
        aif_scale_writer_release(&w);
        return rc;
    }
    if (st->o.commit_reveal == AIF_CHAIN_CR_TIMELOCK)
        return aif_err_set(err, AIF_ENOTSUP, "set_weights: subnet %u has CommitRevealWeightsEnabled and the "
                                             "timelocked commit (commit_timelocked_weights, drand) is not "
                                             "implemented; use the hash commit/reveal path", netuid);
    if (st->o.commit_reveal == AIF_CHAIN_CR_OFF)
        return aif_err_set(err, AIF_ENOTSUP, "set_weights: subnet %u has CommitRevealWeightsEnabled = true, so "
                                             "set_weights is refused by the chain; commit/reveal is turned off "
                                             "in the options", netuid);
    uint64_t now = 0;
    rc = aif_chain_i_best_number(st, &now, err);
    if (rc)
        return rc;
    reveal_due(st, hk, netuid, now);
    st_pending p = {.netuid = netuid, .n = n, .n_salt = 8, .version_key = version_key};
    memcpy(p.hotkey, hk->public_key, 32);
    p.uids = aif_malloc((n ? n : 1) * sizeof *p.uids);
    p.values = aif_malloc((n ? n : 1) * sizeof *p.values);
    p.salt = aif_malloc(8 * sizeof *p.salt);
    st_pending *np = aif_realloc(st->pending, (st->n_pending + 1) * sizeof *np);
    if (np)
        st->pending = np;
    if (!p.uids || !p.values || !p.salt || !np) {
        pending_free(&p);
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    }
    memcpy(p.uids, uids, n * sizeof *uids);
    memcpy(p.values, weights, n * sizeof *weights);
    if (getrandom(p.salt, 8 * sizeof *p.salt, 0) != (ssize_t)(8 * sizeof *p.salt)) {
        pending_free(&p);
        return aif_err_set(err, AIF_EIO, "getrandom failed for the commit salt");
    }
    rc = aif_chain_subtensor_commit_weights(st, hk, netuid, uids, weights, n, p.salt, p.n_salt, version_key, err);
    if (rc) {
        pending_free(&p);
        return rc;
    }
    /* epoch(b) = (b + netuid + 1) / (tempo + 1); reveal from the first block
     * of epoch(commit) + RevealPeriodEpochs (spec 8.5 A; retried while
     * RevealTooEarly on runtimes with a stored epoch counter). */
    uint64_t t1 = (uint64_t)hp.tempo + 1, e = (now + netuid + 1) / t1 + (hp.reveal_period_epochs ? hp.reveal_period_epochs : 1);
    p.commit_block = now;
    p.reveal_epoch_from = e * t1 > (uint64_t)netuid + 1 ? e * t1 - netuid - 1 : 0;
    st->pending[st->n_pending++] = p;
    aif_log(AIF_LOG_INFO, "chain: weights committed on subnet %u; reveal due from block %llu", netuid,
            (unsigned long long)p.reveal_epoch_from);
    return pending_save(st, err);
}

/* ------------------------------------------------------ hyperparameters */

/* A storage value as an unsigned number (bools as 0/1). keyed: netuid key. */
static aif_code read_uint(aif_chain_subtensor *st, const char *entry, int keyed, uint16_t netuid, const char *at,
                          int optional, uint64_t *out, aif_err *err)
{
    *out = 0;
    const aif_scale_storage_entry *e = NULL;
    aif_err e0 = {0};
    aif_code rc = aif_scale_metadata_find_storage(st->rt.md, "SubtensorModule", entry, &e, &e0);
    if (rc) {
        if (optional && rc == AIF_ENOTFOUND)
            return AIF_OK;
        if (err)
            *err = e0;
        return rc;
    }
    uint8_t nk[2] = {(uint8_t)netuid, (uint8_t)(netuid >> 8)};
    aif_scale_bytes key = {nk, 2};
    uint8_t *v = NULL;
    size_t n = 0;
    int found = 0;
    rc = aif_chain_i_storage_entry(st, "SubtensorModule", entry, keyed ? &key : NULL, keyed ? 1 : 0, at, &v, &n, &found, err);
    if (rc)
        return rc;
    if (!v)
        return AIF_OK;
    aif_scale_reader r;
    aif_scale_reader_init(&r, v, n);
    aif_scale_value *val = NULL;
    rc = aif_scale_value_decode(aif_scale_metadata_registry(st->rt.md), e->value_type, &r, &val, err);
    aif_free(v);
    if (rc)
        return aif_err_wrap(err, "SubtensorModule.%s", entry), rc;
    if (!as_uint(val, out))
        rc = aif_err_set(err, AIF_EFORMAT, "SubtensorModule.%s: value is not a number or bool", entry);
    aif_scale_value_free(val);
    return rc;
}

aif_code aif_chain_subtensor_hyperparams(aif_chain_subtensor *st, uint16_t netuid, aif_chain_hyperparams *out, aif_err *err)
{
    if (!st)
        return aif_err_set(err, AIF_EINVAL, "%s: no subtensor client (NULL; was the chain opened?)", __func__);
    memset(out, 0, sizeof *out);
    aif_code rc = aif_chain_i_runtime_ensure(st, NULL, err);
    if (rc)
        return rc;
    uint64_t v[10];
    static const struct {
        const char *entry;
        int keyed, optional;
    } rows[10] = {
        {"Tempo", 1, 0},
        {"SubnetworkN", 1, 0},
        {"WeightsSetRateLimit", 1, 0},
        {"WeightsVersionKey", 1, 0},
        {"CommitRevealWeightsEnabled", 1, 0},
        {"RevealPeriodEpochs", 1, 1},
        {"CommitRevealWeightsVersion", 0, 1},
        {"MinAllowedWeights", 1, 0},
        {"MaxWeightsLimit", 1, 0},
        {"StakeThreshold", 0, 1},
    };
    for (int i = 0; i < 10; i++) {
        rc = read_uint(st, rows[i].entry, rows[i].keyed, netuid, NULL, rows[i].optional, &v[i], err);
        if (rc)
            return aif_err_wrap(err, "hyperparameters of subnet %u", netuid), rc;
    }
    out->tempo = (uint16_t)v[0];
    out->subnetwork_n = (uint16_t)v[1];
    out->weights_rate_limit = v[2];
    out->weights_version_key = v[3];
    out->commit_reveal_enabled = v[4] != 0;
    out->reveal_period_epochs = v[5];
    out->commit_reveal_version = (uint16_t)v[6];
    out->min_allowed_weights = (uint16_t)v[7];
    out->max_weights_limit = (uint16_t)v[8];
    out->stake_threshold = v[9];
    return AIF_OK;
}

/* -------------------------------------------------------------- queries */

aif_code aif_chain_subtensor_uid_for_hotkey(aif_chain_subtensor *st, uint16_t netuid, const char *hotkey_ss58, int *found,
                                      uint16_t *uid, aif_err *err)
{
    if (!st)
        return aif_err_set(err, AIF_EINVAL, "%s: no subtensor client (NULL; was the chain opened?)", __func__);
    *found = 0;
    *uid = 0;
    uint8_t pk[32];
    unsigned prefix;
    aif_code rc = aif_crypto_ss58_decode(hotkey_ss58, pk, &prefix, err);
    if (rc)
        return rc;
    rc = aif_chain_i_runtime_ensure(st, NULL, err);
    if (rc)
        return rc;
    uint8_t nk[2] = {(uint8_t)netuid, (uint8_t)(netuid >> 8)};
    aif_scale_bytes keys[2] = {{nk, 2}, {pk, 32}};
    uint8_t *v = NULL;
    size_t n = 0;
    int f = 0;
    rc = aif_chain_i_storage_entry(st, "SubtensorModule", "Uids", keys, 2, NULL, &v, &n, &f, err);
    if (rc)
        return rc;
    if (f && n == 2) {
        *uid = (uint16_t)(v[0] | v[1] << 8);
        *found = 1;
    } else if (f)
        rc = aif_err_set(err, AIF_EFORMAT, "SubtensorModule.Uids: value of %zu bytes (expected u16)", n);
    aif_free(v);
    return rc;
}

aif_code aif_chain_subtensor_query(aif_chain_subtensor *st, const char *pallet, const char *entry, const char *keys_json,
                             uint64_t block, char **json_out, aif_err *err)
{
    if (!st)
        return aif_err_set(err, AIF_EINVAL, "%s: no subtensor client (NULL; was the chain opened?)", __func__);
    *json_out = NULL;
    char hash[67];
    const char *at = NULL;
    aif_code rc = AIF_OK;
    if (block != UINT64_MAX) {
        rc = aif_chain_i_block_hash_str(st, block, hash, err);
        if (rc)
            return rc;
        at = hash;
    }
    rc = aif_chain_i_runtime_ensure(st, at, err);
    if (rc)
        return rc;
    const aif_scale_storage_entry *e = NULL;
    rc = aif_scale_metadata_find_storage(st->rt.md, pallet, entry, &e, err);
    if (rc)
        return rc;
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    rc = aif_scale_storage_key_json(st->rt.md, pallet, entry, keys_json, &w, err);
    uint8_t *v = NULL;
    size_t n = 0;
    int found = 0;
    if (!rc)
        rc = aif_chain_i_storage_get(st, w.buf, w.len, at, &v, &n, &found, err);
    aif_scale_writer_release(&w);
    if (rc)
        return aif_err_wrap(err, "%s.%s", pallet, entry), rc;
    const uint8_t *src = found ? v : (e->is_default ? e->default_value : NULL);
    size_t slen = found ? n : e->default_len;
    if (!src) {
        aif_free(v);
        *json_out = aif_strdup("null");
        return *json_out ? AIF_OK : aif_err_set(err, AIF_ENOMEM, "out of memory");
    }
    aif_scale_reader r;
    aif_scale_reader_init(&r, src, slen);
    aif_scale_value *val = NULL;
    const aif_scale_registry *reg = aif_scale_metadata_registry(st->rt.md);
    rc = aif_scale_value_decode(reg, e->value_type, &r, &val, err);
    if (!rc)
        rc = aif_scale_value_to_json(reg, val, 0, json_out, NULL, err);
    aif_scale_value_free(val);
    aif_free(v);
    if (rc)
        aif_err_wrap(err, "%s.%s value", pallet, entry);
    return rc;
}

aif_code aif_chain_subtensor_rpc(aif_chain_subtensor *st, const char *method, const char *params_json, char **result_json,
                           aif_err *err)
{
    if (!st)
        return aif_err_set(err, AIF_EINVAL, "%s: no subtensor client (NULL; was the chain opened?)", __func__);
    *result_json = NULL;
    json_error_t je;
    json_t *p = json_loads(params_json ? params_json : "[]", 0, &je);
    if (!json_is_array(p)) {
        json_decref(p);
        return aif_err_set(err, AIF_EINVAL, "RPC %s: params must be a JSON array", method);
    }
    json_t *res = NULL;
    aif_code rc = aif_chain_i_rpc_call(&st->rpc, method, p, &res, err);
    if (rc)
        return rc;
    char *s = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(res);
    *result_json = s ? aif_strdup(s) : NULL;
    free(s);
    return *result_json ? AIF_OK : aif_err_set(err, AIF_ENOMEM, "out of memory");
}

/* ------------------------------------------------------------------ open */

static void op_close(void *impl)
{
    aif_chain_subtensor *st = impl;
    if (!st)
        return;
    aif_chain_i_rpc_release(&st->rpc);
    aif_scale_metadata_free(st->rt.md);
    for (size_t i = 0; i < st->n_pending; i++)
        pending_free(&st->pending[i]);
    aif_free(st->pending);
    aif_free(st->reveal_state_path);
    aif_free(st->cache_dir);
    aif_free(st);
}

static const aif_chain_ops subtensor_ops = {
    .name = "subtensor",
    .current_block = op_current_block,
    .block_hash = op_block_hash,
    .metagraph = op_metagraph,
    .commitments = op_commitments,
    .commit = op_commit,
    .set_weights = op_set_weights,
    .close = op_close,
};

aif_code aif_chain_subtensor_open(const char *endpoint_or_network, const aif_chain_subtensor_opts *opts,
                                  aif_chain *out, aif_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    aif_chain_subtensor *st = aif_calloc(1, sizeof *st);
    if (!st)
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    if (opts)
        st->o = *opts;
    else
        aif_chain_subtensor_opts_default(&st->o);
    st->o.reveal_state_path = NULL;
    aif_code rc = aif_chain_subtensor_endpoint(endpoint_or_network, st->endpoint, sizeof st->endpoint, err);
    st->o.cache_dir = NULL;
    if (!rc && opts && opts->reveal_state_path && !(st->reveal_state_path = aif_strdup(opts->reveal_state_path)))
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
    if (!rc && opts && opts->cache_dir && !(st->cache_dir = aif_strdup(opts->cache_dir)))
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
    if (!rc)
        rc = pending_load(st, err);
    if (!rc)
        rc = aif_chain_i_rpc_init(&st->rpc, st->endpoint, &st->o, err);
    if (rc) {
        for (size_t i = 0; i < st->n_pending; i++)
            pending_free(&st->pending[i]);
        aif_free(st->pending);
        aif_free(st->reveal_state_path);
        aif_free(st->cache_dir);
        aif_free(st);
        return rc;
    }
    out->ops = &subtensor_ops;
    out->impl = st;
    return AIF_OK;
}

aif_chain_subtensor *aif_chain_subtensor_from(const aif_chain *c)
{
    return c && c->ops == &subtensor_ops ? c->impl : NULL;
}
