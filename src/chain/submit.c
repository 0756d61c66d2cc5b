/* submit.c: sign, submit with author_submitExtrinsic, and confirm inclusion
 * without subscriptions (chain spec 1.5): poll the best block, look for the
 * extrinsic's blake2-256 among each new block's extrinsics, then decode
 * System.Events of that block for ExtrinsicSuccess / ExtrinsicFailed. A
 * dispatch error is decoded into "<Pallet>.<Error>" from the metadata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/log.h"
#include "subtensor_int.h"


/* The module error name of a DispatchError::Module{index, error}. */
static void module_error_name(const aif_scale_metadata *md, const aif_scale_value *modv, char *out, size_t cap)
{
    const aif_scale_value *idx = NULL, *er = NULL;
    if (modv->kind == AIF_SCALE_COMPOSITE || modv->kind == AIF_SCALE_TUPLE) {
        idx = aif_scale_value_field(modv, "index");
        er = aif_scale_value_field(modv, "error");
        if (!idx && modv->n >= 2) {
            idx = &modv->items[0];
            er = &modv->items[1];
        }
    }
    if (!idx || idx->kind != AIF_SCALE_UINT || !er) {
        snprintf(out, cap, "Module(?)");
        return;
    }
    unsigned pidx = (unsigned)idx->v.u, eidx = 0;
    if (er->kind == AIF_SCALE_BYTES && er->n >= 1)
        eidx = er->bytes[0];
    else if (er->kind == AIF_SCALE_UINT)
        eidx = (unsigned)(er->v.u & 0xff);
    else if ((er->kind == AIF_SCALE_ARRAY || er->kind == AIF_SCALE_SEQUENCE) && er->n >= 1)
        eidx = (unsigned)er->items[0].v.u;
    const aif_scale_registry *reg = aif_scale_metadata_registry(md);
    for (size_t i = 0; i < aif_scale_metadata_pallet_count(md); i++) {
        const aif_scale_pallet *p = aif_scale_metadata_pallet(md, i);
        if (p->index != pidx)
            continue;
        const aif_scale_type *t = p->error_type >= 0 ? aif_scale_registry_get(reg, (uint32_t)p->error_type) : NULL;
        for (size_t k = 0; t && t->def == AIF_SCALE_DEF_VARIANT && k < t->n_variants; k++)
            if (t->variants[k].index == eidx) {
                snprintf(out, cap, "%s.%s", p->name, t->variants[k].name);
                return;
            }
        snprintf(out, cap, "%s.<error %u>", p->name, eidx);
        return;
    }
    snprintf(out, cap, "Module{index %u, error %u}", pidx, eidx);
}

/* Name a DispatchError value: Module errors by pallet and error name, the
 * others by their variant (and inner variant: "Token.FundsUnavailable"). */
static void dispatch_error_name(const aif_scale_metadata *md, const aif_scale_value *de, char *out, size_t cap)
{
    if (de->kind != AIF_SCALE_VARIANT) {
        snprintf(out, cap, "(undecodable DispatchError)");
        return;
    }
    if (!strcmp(de->variant, "Module") && de->n >= 1) {
        module_error_name(md, &de->items[0], out, cap);
        return;
    }
    if (de->n >= 1 && de->items[0].kind == AIF_SCALE_VARIANT)
        snprintf(out, cap, "%s.%s", de->variant, de->items[0].variant);
    else
        snprintf(out, cap, "%s", de->variant);
}

/* Look at System.Events of block `hash` for extrinsic index xi. */
static aif_code check_events(aif_chain_subtensor *st, const char *hash, uint32_t xi, const char *what, aif_err *err)
{
    const aif_scale_metadata *md = st->rt.md;
    const aif_scale_storage_entry *e = NULL;
    aif_code rc = aif_scale_metadata_find_storage(md, "System", "Events", &e, err);
    if (rc)
        return rc;
    uint8_t *val = NULL;
    size_t n = 0;
    int found = 0;
    rc = aif_chain_i_storage_entry(st, "System", "Events", NULL, 0, hash, &val, &n, &found, err);
    if (rc)
        return rc;
    aif_scale_reader r;
    aif_scale_reader_init(&r, val, n);
    aif_scale_value *ev = NULL;
    rc = aif_scale_value_decode(aif_scale_metadata_registry(md), e->value_type, &r, &ev, err);
    aif_free(val);
    if (rc)
        return aif_err_wrap(err, "System.Events at %s", hash), rc;
    int success = 0, failed = 0;
    char name[160] = "";
    for (size_t i = 0; ev->kind == AIF_SCALE_SEQUENCE && i < ev->n; i++) {
        const aif_scale_value *rec = &ev->items[i];
        const aif_scale_value *phase = aif_scale_value_field(rec, "phase");
        const aif_scale_value *event = aif_scale_value_field(rec, "event");
        if (!phase || !event || phase->kind != AIF_SCALE_VARIANT || strcmp(phase->variant, "ApplyExtrinsic") ||
            phase->n < 1 || phase->items[0].kind != AIF_SCALE_UINT || phase->items[0].v.u != xi)
            continue;
        if (event->kind != AIF_SCALE_VARIANT || strcmp(event->variant, "System") || event->n < 1 ||
            event->items[0].kind != AIF_SCALE_VARIANT)
            continue;
        const aif_scale_value *se = &event->items[0];
        if (!strcmp(se->variant, "ExtrinsicSuccess"))
            success = 1;
        else if (!strcmp(se->variant, "ExtrinsicFailed")) {
            failed = 1;
            const aif_scale_value *de = aif_scale_value_field(se, "dispatch_error");
            if (!de && se->n >= 1)
                de = &se->items[0];
            if (de)
                dispatch_error_name(md, de, name, sizeof name);
        }
    }
    aif_scale_value_free(ev);
    if (failed) {
        rc = aif_err_set(err, AIF_ERPC, "%s: included in block %s but failed: dispatch error %s", what, hash,
                         name[0] ? name : "(unknown)");
        if (err)
            err->status = 0;
        return rc;
    }
    if (!success)
        return aif_err_set(err, AIF_EFORMAT, "%s: included in block %s as extrinsic %u but System.Events has no "
                                             "ExtrinsicSuccess/ExtrinsicFailed for it", what, hash, xi);
    return AIF_OK;
}

/* Index of the extrinsic with blake2-256 `h` in block `hash`, or -1. */
static aif_code find_in_block(aif_chain_subtensor *st, const char *hash, const uint8_t h[32], long *index, aif_err *err)
{
    *index = -1;
    json_t *res = NULL;
    aif_code rc = aif_chain_i_rpc_call(&st->rpc, "chain_getBlock", json_pack("[s]", hash), &res, err);
    if (rc)
        return rc;
    json_t *xs = json_object_get(json_object_get(res, "block"), "extrinsics");
    if (!json_is_array(xs)) {
        json_decref(res);
        return aif_err_set(err, AIF_EFORMAT, "chain_getBlock %s: no block.extrinsics array", hash);
    }
    size_t i;
    json_t *x;
    json_array_foreach(xs, i, x) {
        uint8_t *b = NULL;
        size_t n = 0;
        rc = aif_chain_i_hex_bytes(x, "chain_getBlock extrinsic", &b, &n, err);
        if (rc)
            break;
        uint8_t hx[32];
        aif_crypto_blake2b(b, n, hx, 32);
        aif_free(b);
        if (!memcmp(hx, h, 32)) {
            *index = (long)i;
            break;
        }
    }
    json_decref(res);
    return rc;
}

/* Number of the finalized head (chain_getFinalizedHead + chain_getHeader). */
static aif_code finalized_number(aif_chain_subtensor *st, uint64_t *out, aif_err *err)
{
    json_t *res = NULL;
    aif_code rc = aif_chain_i_rpc_call(&st->rpc, "chain_getFinalizedHead", json_array(), &res, err);
    if (rc)
        return rc;
    if (!json_is_string(res)) {
        json_decref(res);
        return aif_err_set(err, AIF_EFORMAT, "chain_getFinalizedHead: result is not a hash");
    }
    json_t *hdr = NULL;
    rc = aif_chain_i_rpc_call(&st->rpc, "chain_getHeader", json_pack("[O]", res), &hdr, err);
    json_decref(res);
    if (rc)
        return rc;
    json_t *num = json_object_get(hdr, "number");
    const char *s = json_is_string(num) ? json_string_value(num) : NULL;
    char *end = NULL;
    unsigned long long v = s && !strncmp(s, "0x", 2) && s[2] ? strtoull(s + 2, &end, 16) : 0;
    int ok = s && end && !*end;
    json_decref(hdr);
    if (!ok)
        return aif_err_set(err, AIF_EFORMAT, "chain_getHeader(finalized): \"number\" is not a 0x hex number");
    *out = v;
    return AIF_OK;
}

/* Transient failures while waiting for inclusion are retried until the deadline. */
static int transient(aif_code rc)
{
    return rc == AIF_ENET || rc == AIF_ETIMEOUT || rc == AIF_EHTTP;
}

aif_code aif_chain_i_submit(aif_chain_subtensor *st, const aif_chain_signer *s, const uint8_t *call, size_t call_len,
                   const char *what, uint64_t *included_block, aif_err *err)
{
    if (included_block)
        *included_block = 0;
    aif_code rc = aif_chain_i_runtime_ensure(st, NULL, err);
    if (rc)
        return rc;
    uint64_t n0 = 0;
    rc = aif_chain_i_best_number(st, &n0, err);
    if (rc)
        return rc;
    aif_chain_tx tx = {.spec_version = st->rt.spec_version, .tx_version = st->rt.tx_version};
    memcpy(tx.genesis, st->rt.genesis, 32);
    tx.era_period = st->o.era_period;
    uint8_t era[2];
    uint64_t birth = 0, period = 0;
    if (tx.era_period) {
        /* the era starts at the finalized head, as the SDK does: its hash
         * cannot be reorganised away */
        uint64_t fin = n0;
        rc = finalized_number(st, &fin, err);
        if (rc)
            return rc;
        tx.era_current = fin <= n0 ? fin : n0;
        aif_chain_era_encode(tx.era_period, tx.era_current, era, &birth);
        period = 4;
        while (period < tx.era_period && period < 65536)
            period <<= 1;
        char bh[67];
        rc = aif_chain_i_block_hash_str(st, birth, bh, err);
        if (rc)
            return rc;
        aif_crypto_hex_decode(bh, strlen(bh), tx.birth_hash, 32, &(size_t){0}, NULL);
    }
    json_t *res = NULL;
    rc = aif_chain_i_rpc_call(&st->rpc, "system_accountNextIndex", json_pack("[s]", s->ss58), &res, err);
    if (rc)
        return rc;
    if (!json_is_integer(res) || json_integer_value(res) < 0 || json_integer_value(res) > UINT32_MAX) {
        json_decref(res);
        return aif_err_set(err, AIF_EFORMAT, "system_accountNextIndex: not a u32 nonce");
    }
    tx.nonce = (uint32_t)json_integer_value(res);
    json_decref(res);
    uint8_t *xt = NULL;
    size_t xn = 0;
    rc = aif_chain_extrinsic_sign(st->rt.md, &tx, call, call_len, s, &xt, &xn, err);
    if (rc)
        return aif_err_wrap(err, "%s", what), rc;
    uint8_t h[32];
    aif_crypto_blake2b(xt, xn, h, 32);
    char hh[67] = "0x";
    aif_crypto_hex_encode(h, 32, hh + 2);
    json_t *p = json_array();
    if (p)
        json_array_append_new(p, aif_chain_i_hex_json(xt, xn));
    aif_free(xt);
    rc = aif_chain_i_rpc_call(&st->rpc, "author_submitExtrinsic", p, &res, err);
    if (rc)
        return aif_err_wrap(err, "%s rejected by the node (nonce %u)", what, tx.nonce), rc;
    if (!json_is_string(res) || strcasecmp(json_string_value(res), hh))
        aif_log(AIF_LOG_WARN, "chain: %s: node reported transaction hash %s, expected %s", what,
                json_is_string(res) ? json_string_value(res) : "(none)", hh);
    json_decref(res);
    aif_log(AIF_LOG_INFO, "chain: %s submitted (tx %s, nonce %u, block %llu)", what, hh, tx.nonce,
            (unsigned long long)n0);
    if (!st->o.wait_for_inclusion)
        return AIF_OK;
    double timeout = st->o.inclusion_timeout_s;
    if (timeout <= 0)
        timeout = (period ? (double)period : 600.0) * 12.0 + 30.0;
    double deadline = aif_chain_i_now(st) + timeout;
    uint64_t checked = n0; /* blocks up to here are known not to hold it */
    uint64_t best = n0;
    for (;;) {
        rc = aif_chain_i_best_number(st, &best, err);
        for (uint64_t b = checked + 1; !rc && b <= best; b++) {
            char bh[67];
            rc = aif_chain_i_block_hash_str(st, b, bh, err);
            long idx = -1;
            if (!rc)
                rc = find_in_block(st, bh, h, &idx, err);
            if (rc)
                break;
            if (idx >= 0) {
                if (included_block)
                    *included_block = b;
                aif_log(AIF_LOG_INFO, "chain: %s included in block %llu as extrinsic %ld", what,
                        (unsigned long long)b, idx);
                rc = aif_chain_i_runtime_ensure(st, bh, err);
                if (rc)
                    return rc;
                return check_events(st, bh, (uint32_t)idx, what, err);
            }
            checked = b;
        }
        if (rc) {
            if (!transient(rc) || aif_chain_i_now(st) >= deadline)
                return aif_err_wrap(err, "%s (tx %s) submitted; waiting for inclusion", what, hh), rc;
            aif_log(AIF_LOG_WARN, "chain: %s: %s (retrying until the deadline)", what, err ? err->msg : "");
            aif_chain_i_sleep(st, st->o.poll_interval_s);
            continue;
        }
        if (period && best >= birth + period)
            return aif_err_set(err, AIF_ETIMEOUT, "%s (tx %s) was not included before its era ended at block %llu",
                               what, hh, (unsigned long long)(birth + period));
        if (aif_chain_i_now(st) >= deadline)
            return aif_err_set(err, AIF_ETIMEOUT, "%s (tx %s) was not included within %.0f s (last block %llu)",
                               what, hh, timeout, (unsigned long long)best);
        aif_chain_i_sleep(st, st->o.poll_interval_s);
    }
}
