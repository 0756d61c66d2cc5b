/* derive.c: hard and soft derivation (schnorrkel src/derive.rs, sp_core
 * sr25519 derive), junction chain codes, and secret URIs
 * ("phrase//hard/soft///password", spec §5.6). */
#include "crypto_int.h"

#include <sodium.h>
#include <string.h>

static const char dev_phrase[] = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

void aif_crypto_chain_code(const char *junction, size_t len, uint8_t cc[32])
{
    memset(cc, 0, 32);
    /* A decimal u64 (Rust str::parse::<u64>: optional '+', digits, no overflow). */
    size_t i = (len > 0 && junction[0] == '+') ? 1 : 0;
    int numeric = i < len;
    uint64_t v = 0;
    for (; numeric && i < len; i++) {
        unsigned d = (unsigned)(unsigned char)junction[i] - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            numeric = 0;
        else
            v = v * 10 + d;
    }
    if (numeric) {
        for (int b = 0; b < 8; b++)
            cc[b] = (uint8_t)(v >> (8 * b));
        return;
    }
    /* SCALE string: compact length, then the bytes. */
    uint8_t pre[4];
    size_t np;
    if (len < 64) {
        pre[0] = (uint8_t)(len << 2), np = 1;
    } else if (len < (1u << 14)) {
        uint32_t c = (uint32_t)(len << 2) | 1u;
        pre[0] = (uint8_t)c, pre[1] = (uint8_t)(c >> 8), np = 2;
    } else {
        AIF_ASSERT(len < (1u << 30));
        uint32_t c = (uint32_t)(len << 2) | 2u;
        for (int b = 0; b < 4; b++)
            pre[b] = (uint8_t)(c >> (8 * b));
        np = 4;
    }
    if (np + len > 32) {
        crypto_generichash_state st;
        crypto_generichash_init(&st, NULL, 0, 32);
        crypto_generichash_update(&st, pre, np);
        crypto_generichash_update(&st, (const uint8_t *)junction, len);
        crypto_generichash_final(&st, cc, 32);
    } else {
        memcpy(cc, pre, np);
        memcpy(cc + np, junction, len);
    }
}

aif_code aif_crypto_keypair_derive(const aif_crypto_keypair *kp, const uint8_t cc[32], int hard,
                                   aif_crypto_keypair **out, aif_err *err)
{
    *out = NULL;
    if (hard && !kp->has_secret)
        return aif_err_set(err, AIF_ESTATE, "hard derivation needs a secret key");
    aif_crypto_keypair *nk = aif_crypto_keypair_alloc(err);
    if (!nk)
        return err ? err->code : AIF_ENOMEM;
    aif_merlin t;
    aif_crypto_merlin_init(&t, "SchnorrRistrettoHDKD");
    aif_crypto_merlin_append(&t, "sign-bytes", "", 0);
    aif_crypto_merlin_append(&t, "chain-code", cc, 32);
    if (hard) {
        uint8_t mini[32];
        aif_crypto_merlin_append(&t, "secret-key", kp->key, 32);
        aif_crypto_merlin_challenge(&t, "HDKD-hard", mini, 32);
        int bad = aif_crypto_expand_ed25519(nk, mini);
        memcpy(nk->mini, mini, 32);
        nk->has_mini = 1;
        sodium_memzero(mini, sizeof mini);
        aif_crypto_merlin_wipe(&t);
        if (bad) {
            aif_crypto_keypair_free(nk);
            return aif_err_set(err, AIF_ECRYPTO, "hard derivation gave the zero scalar");
        }
        *out = nk;
        return AIF_OK;
    }
    uint8_t delta[32], db[32], next_cc[32];
    aif_crypto_merlin_append(&t, "public-key", kp->pub, 32);
    aif_crypto_merlin_challenge_scalar(&t, "HDKD-scalar", delta);
    aif_crypto_merlin_challenge(&t, "HDKD-chaincode", next_cc, 32);
    aif_code rc = AIF_OK;
    if (crypto_scalarmult_ristretto255_base(db, delta) != 0 || crypto_core_ristretto255_add(nk->pub, kp->pub, db) != 0)
        rc = aif_err_set(err, AIF_ECRYPTO, "soft derivation failed (degenerate scalar or invalid public key)");
    if (!rc && kp->has_secret) {
        uint8_t both[64];
        memcpy(both, kp->key, 32);
        memcpy(both + 32, kp->nonce, 32);
        crypto_core_ristretto255_scalar_add(nk->key, kp->key, delta);
        const uint8_t *seeds[2] = {kp->nonce, both};
        const size_t lens[2] = {32, 64};
        aif_crypto_merlin_witness(&t, "HDKD-nonce", seeds, lens, 2, NULL, nk->nonce, 32);
        nk->has_secret = 1;
        sodium_memzero(both, sizeof both);
    }
    sodium_memzero(delta, sizeof delta);
    aif_crypto_merlin_wipe(&t);
    if (rc) {
        aif_crypto_keypair_free(nk);
        return rc;
    }
    *out = nk;
    return AIF_OK;
}

/* Copy the phrase with runs of spaces collapsed and ends trimmed. */
static aif_code normalize_phrase(const char *in, size_t len, char out[AIF_MNEMONIC_MAX], aif_err *err)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == ' ' && (o == 0 || out[o - 1] == ' '))
            continue;
        if (o + 1 >= AIF_MNEMONIC_MAX)
            return aif_err_set(err, AIF_ERANGE, "mnemonic longer than %d bytes", AIF_MNEMONIC_MAX - 1);
        out[o++] = in[i];
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    return AIF_OK;
}

static aif_code from_phrase_len(const char *phrase, size_t len, const char *password, aif_crypto_keypair **out,
                                aif_err *err)
{
    *out = NULL;
    char norm[AIF_MNEMONIC_MAX];
    uint8_t mini[32];
    aif_code rc = normalize_phrase(phrase, len, norm, err);
    if (!rc)
        rc = aif_crypto_mnemonic_to_mini(norm, password, mini, err);
    if (!rc)
        rc = aif_crypto_keypair_from_mini(mini, out, err);
    if (!rc)
        memcpy((*out)->phrase, norm, sizeof norm);
    sodium_memzero(norm, sizeof norm);
    sodium_memzero(mini, sizeof mini);
    return rc;
}

aif_code aif_crypto_keypair_from_mnemonic(const char *phrase, const char *password, aif_crypto_keypair **out,
                                          aif_err *err)
{
    return from_phrase_len(phrase, strlen(phrase), password, out, err);
}

aif_code aif_crypto_keypair_from_suri(const char *suri, aif_crypto_keypair **out, aif_err *err)
{
    *out = NULL;
    const char *slash = strchr(suri, '/');
    size_t phrase_len = slash ? (size_t)(slash - suri) : strlen(suri);
    const char *path = suri + phrase_len;
    const char *pw3 = strstr(path, "///");
    size_t path_len = pw3 ? (size_t)(pw3 - path) : strlen(path);
    char password[1025];
    password[0] = '\0';
    if (pw3) {
        size_t n = strlen(pw3 + 3);
        if (n >= sizeof password)
            return aif_err_set(err, AIF_ERANGE, "secret URI: password longer than 1024 bytes");
        memcpy(password, pw3 + 3, n + 1);
    }
    /* check the path before any expensive work: /junction or //junction, non-empty */
    for (size_t i = 0; i < path_len;) {
        size_t s = i + 1 + (i + 1 < path_len && path[i + 1] == '/');
        size_t e = s;
        while (e < path_len && path[e] != '/')
            e++;
        if (e == s) {
            sodium_memzero(password, sizeof password);
            return aif_err_set(err, AIF_EFORMAT, "secret URI: empty junction at offset %zu", phrase_len + i);
        }
        i = e;
    }
    size_t p0 = 0;
    while (p0 < phrase_len && suri[p0] == ' ')
        p0++;
    aif_crypto_keypair *kp = NULL;
    aif_code rc;
    if (p0 == phrase_len) {
        rc = aif_crypto_keypair_from_mnemonic(dev_phrase, password, &kp, err);
    } else if (phrase_len - p0 > 2 && suri[p0] == '0' && (suri[p0 + 1] == 'x' || suri[p0 + 1] == 'X')) {
        uint8_t mini[32];
        size_t n = 0;
        size_t hl = phrase_len - p0;
        while (hl > 0 && suri[p0 + hl - 1] == ' ')
            hl--;
        rc = aif_crypto_hex_decode(suri + p0, hl, mini, sizeof mini, &n, err);
        if (!rc && n != 32)
            rc = aif_err_set(err, AIF_EFORMAT, "secret URI: hex seed of %zu bytes, expected 32", n);
        if (rc)
            aif_err_wrap(err, "secret URI");
        else
            rc = aif_crypto_keypair_from_mini(mini, &kp, err);
        sodium_memzero(mini, sizeof mini);
    } else {
        rc = from_phrase_len(suri, phrase_len, password, &kp, err);
    }
    sodium_memzero(password, sizeof password);
    if (rc)
        return rc;
    for (size_t i = 0; i < path_len;) {
        int hard = i + 1 < path_len && path[i + 1] == '/';
        size_t s = i + 1 + (size_t)hard, e = s;
        while (e < path_len && path[e] != '/')
            e++;
        uint8_t cc[32];
        aif_crypto_chain_code(path + s, e - s, cc);
        aif_crypto_keypair *next = NULL;
        rc = aif_crypto_keypair_derive(kp, cc, hard, &next, err);
        aif_crypto_keypair_free(kp);
        if (rc)
            return aif_err_wrap(err, "secret URI: junction at offset %zu", phrase_len + i);
        kp = next;
        i = e;
    }
    *out = kp;
    return AIF_OK;
}
