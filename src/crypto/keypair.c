/* keypair.c: sr25519 keypairs in guarded memory, the Ed25519-mode expansion
 * of a mini secret, and the two 64-byte secret encodings (spec §5.3). */
#include "crypto_int.h"

#include <sodium.h>
#include <string.h>

int aif_crypto_sodium_ready(void) { return sodium_init() < 0 ? -1 : 0; }

aif_crypto_keypair *aif_crypto_keypair_alloc(aif_err *err)
{
    if (aif_crypto_sodium_ready() != 0) {
        aif_err_set(err, AIF_ECRYPTO, "libsodium failed to initialize");
        return NULL;
    }
    aif_crypto_keypair *kp = sodium_malloc(sizeof *kp);
    if (!kp) {
        aif_err_set(err, AIF_ENOMEM, "out of memory allocating a keypair (sodium_malloc)");
        return NULL;
    }
    sodium_memzero(kp, sizeof *kp);
    return kp;
}

void aif_crypto_keypair_free(aif_crypto_keypair *kp)
{
    if (kp)
        sodium_free(kp); /* wipes before unmapping */
}

/* x / 8 as a 256-bit little-endian integer (schnorrkel
 * divide_scalar_bytes_by_cofactor); no branches on the value. */
static void div8(uint8_t s[32])
{
    uint8_t low = 0;
    for (int i = 31; i >= 0; i--) {
        uint8_t r = s[i] & 7;
        s[i] = (uint8_t)((s[i] >> 3) + low);
        low = (uint8_t)(r << 5);
    }
}

static void mul8(uint8_t s[32])
{
    uint8_t high = 0;
    for (int i = 0; i < 32; i++) {
        uint8_t r = s[i] & 0xe0;
        s[i] = (uint8_t)((s[i] << 3) + high);
        high = (uint8_t)(r >> 5);
    }
}

static int set_public(aif_crypto_keypair *kp)
{
    /* key*B; fails only for key == 0 (mod l). */
    return crypto_scalarmult_ristretto255_base(kp->pub, kp->key);
}

int aif_crypto_expand_ed25519(aif_crypto_keypair *kp, const uint8_t mini[32])
{
    uint8_t h[64];
    crypto_hash_sha512(h, mini, 32);
    memcpy(kp->key, h, 32);
    kp->key[0] &= 248;
    kp->key[31] &= 63;
    kp->key[31] |= 64;
    div8(kp->key); /* now in [2^251, 2^252): below l, so already reduced */
    memcpy(kp->nonce, h + 32, 32);
    sodium_memzero(h, sizeof h);
    kp->has_secret = 1;
    return set_public(kp);
}

aif_code aif_crypto_keypair_from_mini(const uint8_t mini[AIF_SR25519_MINI_BYTES], aif_crypto_keypair **out,
                                      aif_err *err)
{
    *out = NULL;
    aif_crypto_keypair *kp = aif_crypto_keypair_alloc(err);
    if (!kp)
        return err ? err->code : AIF_ENOMEM;
    if (aif_crypto_expand_ed25519(kp, mini) != 0) {
        aif_crypto_keypair_free(kp);
        return aif_err_set(err, AIF_ECRYPTO, "mini secret expands to the zero scalar");
    }
    memcpy(kp->mini, mini, 32);
    kp->has_mini = 1;
    *out = kp;
    return AIF_OK;
}

/* 1 if the 32-byte little-endian s is < l (reduce the zero-padded 64-byte
 * value and compare). Only the yes/no answer depends on s. */
static int scalar_is_canonical(const uint8_t s[32])
{
    uint8_t wide[64] = {0}, red[32];
    memcpy(wide, s, 32);
    crypto_core_ristretto255_scalar_reduce(red, wide);
    int ok = sodium_memcmp(red, s, 32) == 0;
    sodium_memzero(wide, sizeof wide);
    sodium_memzero(red, sizeof red);
    return ok;
}

aif_code aif_crypto_keypair_from_secret(const uint8_t secret[AIF_SR25519_SECRET_BYTES], int form,
                                        aif_crypto_keypair **out, aif_err *err)
{
    *out = NULL;
    aif_crypto_keypair *kp = aif_crypto_keypair_alloc(err);
    if (!kp)
        return err ? err->code : AIF_ENOMEM;
    uint8_t k8[32];
    memcpy(kp->key, secret, 32);
    memcpy(k8, secret, 32);
    div8(k8);
    /* mask = all ones when the x8 form applies; chosen without a branch on
     * the secret byte for AUTO. */
    unsigned auto_x8 = (((unsigned)secret[31] - 0x20u) >> 31) ^ 1u;
    unsigned x8 = form == AIF_SR25519_FORM_ED25519 ? 1u : form == AIF_SR25519_FORM_CANONICAL ? 0u : auto_x8;
    uint8_t mask = (uint8_t)(0u - x8);
    for (int i = 0; i < 32; i++)
        kp->key[i] = (uint8_t)((k8[i] & mask) | (kp->key[i] & (uint8_t)~mask));
    sodium_memzero(k8, sizeof k8);
    memcpy(kp->nonce, secret + 32, 32);
    kp->has_secret = 1;
    if (!scalar_is_canonical(kp->key)) {
        aif_crypto_keypair_free(kp);
        return aif_err_set(err, AIF_ECRYPTO, "secret key scalar is not canonical (not below the group order)");
    }
    if (set_public(kp) != 0) {
        aif_crypto_keypair_free(kp);
        return aif_err_set(err, AIF_ECRYPTO, "secret key scalar is zero");
    }
    *out = kp;
    return AIF_OK;
}

aif_code aif_crypto_keypair_from_public(const uint8_t pub[AIF_SR25519_PUBLIC_BYTES], aif_crypto_keypair **out,
                                        aif_err *err)
{
    *out = NULL;
    if (aif_crypto_sodium_ready() != 0)
        return aif_err_set(err, AIF_ECRYPTO, "libsodium failed to initialize");
    if (!crypto_core_ristretto255_is_valid_point(pub))
        return aif_err_set(err, AIF_ECRYPTO, "public key is not a valid ristretto255 point");
    aif_crypto_keypair *kp = aif_crypto_keypair_alloc(err);
    if (!kp)
        return err ? err->code : AIF_ENOMEM;
    memcpy(kp->pub, pub, 32);
    *out = kp;
    return AIF_OK;
}

int aif_crypto_keypair_has_secret(const aif_crypto_keypair *kp) { return kp->has_secret; }
const uint8_t *aif_crypto_keypair_public(const aif_crypto_keypair *kp) { return kp->pub; }
const uint8_t *aif_crypto_keypair_mini(const aif_crypto_keypair *kp) { return kp->has_mini ? kp->mini : NULL; }
const char *aif_crypto_keypair_phrase(const aif_crypto_keypair *kp) { return kp->phrase[0] ? kp->phrase : NULL; }

aif_code aif_crypto_keypair_secret(const aif_crypto_keypair *kp, int form, uint8_t out[AIF_SR25519_SECRET_BYTES],
                                   aif_err *err)
{
    if (!kp->has_secret)
        return aif_err_set(err, AIF_ESTATE, "keypair has only a public key");
    memcpy(out, kp->key, 32);
    if (form == AIF_SR25519_FORM_ED25519)
        mul8(out);
    memcpy(out + 32, kp->nonce, 32);
    return AIF_OK;
}
