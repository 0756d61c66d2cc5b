/* extrinsic.c: signed v4 extrinsics for subtensor (chain spec 6): mortal
 * era, signed extensions walked in metadata order, the signing payload
 * rule (blake2-256 above 256 bytes), and an sr25519 signer over a wallet
 * keypair. */
#include <string.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "subtensor_int.h"

size_t aif_chain_era_encode(uint64_t period, uint64_t current, uint8_t out[2], uint64_t *birth)
{
    if (period == 0) {
        out[0] = 0;
        if (birth)
            *birth = 0;
        return 1;
    }
    /* next power of two >= period, clamped to [4, 65536] */
    uint64_t p = 4;
    while (p < period && p < 65536)
        p <<= 1;
    uint64_t phase = current % p;
    uint64_t q = p >> 12 ? p >> 12 : 1;
    uint64_t quantized = phase / q * q;
    unsigned tz = 0;
    while (!((p >> tz) & 1))
        tz++;
    unsigned low = tz - 1 < 1 ? 1 : (tz - 1 > 15 ? 15 : tz - 1);
    uint16_t enc = (uint16_t)(low | ((quantized / q) << 4));
    out[0] = (uint8_t)(enc & 0xff);
    out[1] = (uint8_t)(enc >> 8);
    if (birth) {
        uint64_t m = current > quantized ? current : quantized;
        *birth = (m - quantized) / p * p + quantized;
    }
    return 2;
}

/* A type that encodes to no bytes: unit tuple, empty composite, or
 * composites/tuples/arrays of such. */
static int zero_sized(const aif_scale_registry *reg, uint32_t id, int depth)
{
    const aif_scale_type *t = aif_scale_registry_get(reg, id);
    if (!t || depth > 16)
        return 0;
    switch (t->def) {
    case AIF_SCALE_DEF_COMPOSITE:
        for (size_t i = 0; i < t->n_fields; i++)
            if (!zero_sized(reg, t->fields[i].type, depth + 1))
                return 0;
        return 1;
    case AIF_SCALE_DEF_TUPLE:
        for (size_t i = 0; i < t->n_tuple; i++)
            if (!zero_sized(reg, t->tuple[i], depth + 1))
                return 0;
        return 1;
    case AIF_SCALE_DEF_ARRAY:
        return t->len == 0 || zero_sized(reg, t->elem, depth + 1);
    default:
        return 0;
    }
}

aif_code aif_chain_extrinsic_sign(const aif_scale_metadata *md, const aif_chain_tx *tx, const uint8_t *call,
                                  size_t call_len, const aif_chain_signer *signer, uint8_t **out, size_t *out_len,
                                  aif_err *err)
{
    *out = NULL;
    *out_len = 0;
    if (!signer || !signer->sign)
        return aif_err_set(err, AIF_EINVAL, "extrinsic: the signer has no signing function");
    const aif_scale_extrinsic_info *xi = aif_scale_metadata_extrinsic(md);
    const aif_scale_registry *reg = aif_scale_metadata_registry(md);
    if (xi->version < 4)
        return aif_err_set(err, AIF_ENOTSUP, "extrinsic: metadata extrinsic version %u (need 4)", xi->version);
    aif_scale_writer extra, implicit;
    aif_scale_writer_init(&extra);
    aif_scale_writer_init(&implicit);
    aif_code rc = AIF_OK;
    for (size_t i = 0; i < xi->n_signed_exts && !rc; i++) {
        const aif_scale_signed_ext *x = &xi->signed_exts[i];
        const char *id = x->identifier;
        if (!strcmp(id, "CheckSpecVersion"))
            aif_scale_put_u32(&implicit, tx->spec_version);
        else if (!strcmp(id, "CheckTxVersion"))
            aif_scale_put_u32(&implicit, tx->tx_version);
        else if (!strcmp(id, "CheckGenesis"))
            aif_scale_put_raw(&implicit, tx->genesis, 32);
        else if (!strcmp(id, "CheckMortality") || !strcmp(id, "CheckEra")) {
            uint8_t era[2];
            size_t n = aif_chain_era_encode(tx->era_period, tx->era_current, era, NULL);
            aif_scale_put_raw(&extra, era, n);
            aif_scale_put_raw(&implicit, tx->era_period ? tx->birth_hash : tx->genesis, 32);
        } else if (!strcmp(id, "CheckNonce"))
            aif_scale_put_compact(&extra, tx->nonce);
        else if (!strcmp(id, "ChargeTransactionPayment"))
            aif_scale_put_compact(&extra, tx->tip);
        else if (!strcmp(id, "CheckMetadataHash")) {
            aif_scale_put_u8(&extra, 0);    /* mode Disabled */
            aif_scale_put_u8(&implicit, 0); /* Option<[u8;32]> None */
        } else if (!zero_sized(reg, x->type, 0) || !zero_sized(reg, x->additional_signed, 0))
            rc = aif_err_set(err, AIF_ENOTSUP,
                             "extrinsic: signed extension %zu \"%s\" carries data this client does not know how "
                             "to fill; refusing to sign",
                             i, id);
    }
    aif_scale_writer payload, body, ext;
    aif_scale_writer_init(&payload);
    aif_scale_writer_init(&body);
    aif_scale_writer_init(&ext);
    uint8_t sig[64];
    if (!rc) {
        aif_scale_put_raw(&payload, call, call_len);
        aif_scale_put_raw(&payload, extra.buf, extra.len);
        aif_scale_put_raw(&payload, implicit.buf, implicit.len);
        if (payload.status || extra.status || implicit.status)
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
    }
    if (!rc) {
        uint8_t h[32];
        const uint8_t *msg = payload.buf;
        size_t msg_len = payload.len;
        if (payload.len > 256) {
            aif_crypto_blake2b(payload.buf, payload.len, h, 32);
            msg = h;
            msg_len = 32;
        }
        rc = signer->sign(signer->ctx, msg, msg_len, sig, err);
        if (rc)
            aif_err_wrap(err, "extrinsic: signing");
    }
    if (!rc) {
        aif_scale_put_u8(&body, 0x84);
        aif_scale_put_u8(&body, 0x00); /* MultiAddress::Id */
        aif_scale_put_raw(&body, signer->public_key, 32);
        aif_scale_put_u8(&body, 0x01); /* MultiSignature::Sr25519 */
        aif_scale_put_raw(&body, sig, 64);
        aif_scale_put_raw(&body, extra.buf, extra.len);
        aif_scale_put_raw(&body, call, call_len);
        aif_scale_put_compact(&ext, body.len);
        aif_scale_put_raw(&ext, body.buf, body.len);
        if (body.status || ext.status)
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
    }
    if (!rc)
        *out = aif_scale_writer_take(&ext, out_len);
    aif_scale_writer_release(&extra);
    aif_scale_writer_release(&implicit);
    aif_scale_writer_release(&payload);
    aif_scale_writer_release(&body);
    aif_scale_writer_release(&ext);
    return rc;
}

static aif_code sr25519_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64], aif_err *err)
{
    aif_chain_sr25519_ctx *c = ctx;
    return aif_crypto_sr25519_sign(c->kp, msg, len, c->fixed_rng ? c->rng : NULL, sig, err);
}

aif_code aif_chain_signer_sr25519(aif_chain_signer *out, aif_chain_sr25519_ctx *ctx, const aif_crypto_keypair *kp,
                                  const uint8_t *rng32, aif_err *err)
{
    memset(out, 0, sizeof *out);
    memset(ctx, 0, sizeof *ctx);
    if (!kp || !aif_crypto_keypair_has_secret(kp))
        return aif_err_set(err, AIF_ESTATE, "signer: the hotkey has no secret key (public-only keyfile?)");
    ctx->kp = kp;
    if (rng32) {
        memcpy(ctx->rng, rng32, 32);
        ctx->fixed_rng = 1;
    }
    memcpy(out->public_key, aif_crypto_keypair_public(kp), 32);
    aif_crypto_ss58_encode(out->public_key, AIF_SS58_BITTENSOR, out->ss58);
    out->sign = sr25519_sign;
    out->ctx = ctx;
    return AIF_OK;
}
