/* sr25519.c: schnorrkel signatures (w3f/schnorrkel src/sign.rs) with the
 * Substrate signing context, over libsodium's ristretto255 (spec §5.4-5.5). */
#include "crypto_int.h"

#include <sodium.h>
#include <string.h>

/* Merlin("SigningContext"); append("", "substrate"); append("sign-bytes", m);
 * then the Schnorr protocol name and the signer's public key. */
static void signing_transcript(aif_merlin *t, const uint8_t pub[32], const void *msg, size_t len)
{
    aif_crypto_merlin_init(t, "SigningContext");
    aif_crypto_merlin_append(t, "", "substrate", 9);
    aif_crypto_merlin_append(t, "sign-bytes", msg, len);
    aif_crypto_merlin_append(t, "proto-name", "Schnorr-sig", 11);
    aif_crypto_merlin_append(t, "sign:pk", pub, 32);
}

aif_code aif_crypto_sr25519_sign(const aif_crypto_keypair *kp, const void *msg, size_t len, const uint8_t *rng32,
                                 uint8_t sig[AIF_SR25519_SIGNATURE_BYTES], aif_err *err)
{
    if (!kp->has_secret)
        return aif_err_set(err, AIF_ESTATE, "cannot sign: keypair has only a public key");
    if (aif_crypto_sodium_ready() != 0)
        return aif_err_set(err, AIF_ECRYPTO, "libsodium failed to initialize");
    aif_merlin t;
    uint8_t wide[64], r[32], k[32], kx[32];
    signing_transcript(&t, kp->pub, msg, len);
    const uint8_t *seeds[1] = {kp->nonce};
    const size_t lens[1] = {32};
    aif_crypto_merlin_witness(&t, "signing", seeds, lens, 1, rng32, wide, 64);
    crypto_core_ristretto255_scalar_reduce(r, wide);
    /* R = r*B; r == 0 has probability 2^-252 and would give the identity. */
    if (crypto_scalarmult_ristretto255_base(sig, r) != 0)
        memset(sig, 0, 32);
    aif_crypto_merlin_append(&t, "sign:R", sig, 32);
    aif_crypto_merlin_challenge_scalar(&t, "sign:c", k);
    crypto_core_ristretto255_scalar_mul(kx, k, kp->key);
    crypto_core_ristretto255_scalar_add(sig + 32, kx, r);
    sig[63] |= 0x80; /* schnorrkel marker: not an Ed25519 signature */
    sodium_memzero(wide, sizeof wide);
    sodium_memzero(r, sizeof r);
    sodium_memzero(kx, sizeof kx);
    aif_crypto_merlin_wipe(&t);
    return AIF_OK;
}

aif_code aif_crypto_sr25519_verify(const uint8_t pub[AIF_SR25519_PUBLIC_BYTES], const void *msg, size_t len,
                                   const uint8_t sig[AIF_SR25519_SIGNATURE_BYTES], aif_err *err)
{
    if (aif_crypto_sodium_ready() != 0)
        return aif_err_set(err, AIF_ECRYPTO, "libsodium failed to initialize");
    if (!(sig[63] & 0x80))
        return aif_err_set(err, AIF_ECRYPTO, "signature does not verify (no schnorrkel marker bit)");
    uint8_t s[32], wide[64] = {0}, red[32];
    memcpy(s, sig + 32, 32);
    s[31] &= 0x7f;
    memcpy(wide, s, 32);
    crypto_core_ristretto255_scalar_reduce(red, wide);
    if (memcmp(red, s, 32) != 0)
        return aif_err_set(err, AIF_ECRYPTO, "signature does not verify (s is not canonical)");
    if (!crypto_core_ristretto255_is_valid_point(pub))
        return aif_err_set(err, AIF_ECRYPTO, "signature does not verify (public key is not a ristretto255 point)");
    aif_merlin t;
    uint8_t k[32], sb[32], ka[32], rr[32];
    signing_transcript(&t, pub, msg, len);
    aif_crypto_merlin_append(&t, "sign:R", sig, 32);
    aif_crypto_merlin_challenge_scalar(&t, "sign:c", k);
    /* s*B - k*A; a zero product is the identity, encoded as 32 zero bytes. */
    if (crypto_scalarmult_ristretto255_base(sb, s) != 0)
        memset(sb, 0, 32);
    if (crypto_scalarmult_ristretto255(ka, k, pub) != 0)
        memset(ka, 0, 32);
    if (crypto_core_ristretto255_sub(rr, sb, ka) != 0 || sodium_memcmp(rr, sig, 32) != 0)
        return aif_err_set(err, AIF_ECRYPTO, "signature does not verify");
    return AIF_OK;
}
