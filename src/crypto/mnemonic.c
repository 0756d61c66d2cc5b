/* mnemonic.c: BIP39 English phrases and the substrate-bip39 mini secret
 * (spec §5.7): the PBKDF2 password is the entropy, not the sentence.
 * Word lookups scan the whole list with constant-time compares, so the
 * time taken does not depend on which words the (secret) phrase holds. */
#include "crypto_int.h"

#include <sodium.h>
#include <string.h>

static const char words[2048][8] = {
#include "bip39_en.inc"
};

/* Index of word (len <= 8) or -1, comparing against all 2048 rows. */
static int lookup(const char *word, size_t len)
{
    if (len == 0 || len > 8)
        return -1;
    uint8_t w[8] = {0};
    memcpy(w, word, len);
    unsigned found = 0, idx = 0;
    for (unsigned i = 0; i < 2048; i++) {
        unsigned diff = 0;
        for (int j = 0; j < 8; j++)
            diff |= (unsigned)(w[j] ^ (uint8_t)words[i][j]);
        unsigned eq = ((diff - 1u) >> 8) & 1u; /* 1 iff diff == 0 */
        idx |= (0u - eq) & i;
        found |= eq;
    }
    sodium_memzero(w, sizeof w);
    return found ? (int)idx : -1;
}

int aif_crypto_mnemonic_word_index(const char *word, size_t len) { return lookup(word, len); }

static int valid_count(size_t n) { return n == 12 || n == 15 || n == 18 || n == 21 || n == 24; }

aif_code aif_crypto_mnemonic_to_entropy(const char *phrase, uint8_t entropy[32], size_t *n_entropy, aif_err *err)
{
    /* bits: up to 24 words x 11 bits = 264 bits = 33 bytes */
    uint8_t bits[33] = {0};
    size_t n_words = 0, nbit = 0;
    const char *p = phrase;
    *n_entropy = 0;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ' ')
            p++;
        if (n_words == 24) {
            sodium_memzero(bits, sizeof bits);
            return aif_err_set(err, AIF_EFORMAT, "mnemonic: more than 24 words");
        }
        int idx = lookup(start, (size_t)(p - start));
        if (idx < 0) {
            sodium_memzero(bits, sizeof bits);
            return aif_err_set(err, AIF_EFORMAT, "mnemonic: word %zu is not in the BIP39 English list", n_words + 1);
        }
        for (int b = 10; b >= 0; b--, nbit++)
            bits[nbit / 8] |= (uint8_t)(((unsigned)idx >> b & 1u) << (7 - nbit % 8));
        n_words++;
    }
    if (!valid_count(n_words)) {
        sodium_memzero(bits, sizeof bits);
        return aif_err_set(err, AIF_EFORMAT, "mnemonic: %zu words, expected 12, 15, 18, 21 or 24", n_words);
    }
    size_t ent = n_words * 11 * 32 / 33 / 8, cs_bits = ent / 4; /* ENT bytes, ENT/32 checksum bits */
    uint8_t h[32];
    crypto_hash_sha256(h, bits, ent);
    unsigned mask = (0xffu << (8 - cs_bits)) & 0xffu;
    int bad = ((bits[ent] ^ h[0]) & mask) != 0;
    sodium_memzero(h, sizeof h);
    if (bad) {
        sodium_memzero(bits, sizeof bits);
        return aif_err_set(err, AIF_EFORMAT, "mnemonic: checksum does not match (a word is wrong or misplaced)");
    }
    memcpy(entropy, bits, ent);
    *n_entropy = ent;
    sodium_memzero(bits, sizeof bits);
    return AIF_OK;
}

aif_code aif_crypto_mnemonic_from_entropy(const uint8_t *entropy, size_t n_entropy, char out[AIF_MNEMONIC_MAX],
                                          aif_err *err)
{
    if (n_entropy < 16 || n_entropy > 32 || n_entropy % 4)
        return aif_err_set(err, AIF_EINVAL, "mnemonic: entropy of %zu bytes, expected 16, 20, 24, 28 or 32",
                           n_entropy);
    uint8_t bits[33] = {0}, h[32];
    memcpy(bits, entropy, n_entropy);
    crypto_hash_sha256(h, entropy, n_entropy);
    bits[n_entropy] = h[0];
    size_t n_words = n_entropy * 8 * 33 / 32 / 11, o = 0;
    for (size_t w = 0; w < n_words; w++) {
        unsigned idx = 0;
        for (size_t b = w * 11; b < w * 11 + 11; b++)
            idx = (idx << 1) | ((unsigned)bits[b / 8] >> (7 - b % 8) & 1u);
        /* constant-time select of row idx */
        uint8_t row[8] = {0};
        for (unsigned i = 0; i < 2048; i++) {
            uint8_t m = (uint8_t)(0u - ((((i ^ idx) - 1u) >> 16) & 1u));
            for (int j = 0; j < 8; j++)
                row[j] |= (uint8_t)words[i][j] & m;
        }
        if (w)
            out[o++] = ' ';
        for (int j = 0; j < 8; j++) {
            /* row is zero-padded: copy all 8 bytes, then advance by the length */
            out[o + (size_t)j] = (char)row[j];
        }
        size_t len = 0;
        for (int j = 0; j < 8; j++)
            len += (size_t)(row[j] != 0);
        o += len;
        sodium_memzero(row, sizeof row);
    }
    out[o] = '\0';
    sodium_memzero(bits, sizeof bits);
    sodium_memzero(h, sizeof h);
    return AIF_OK;
}

aif_code aif_crypto_mnemonic_generate(int n_words, char out[AIF_MNEMONIC_MAX], aif_err *err)
{
    if (n_words < 0 || !valid_count((size_t)n_words))
        return aif_err_set(err, AIF_EINVAL, "mnemonic: %d words, expected 12, 15, 18, 21 or 24", n_words);
    if (aif_crypto_sodium_ready() != 0)
        return aif_err_set(err, AIF_ECRYPTO, "libsodium failed to initialize");
    uint8_t ent[32];
    size_t n = (size_t)n_words * 11 * 32 / 33 / 8;
    randombytes_buf(ent, n);
    aif_code rc = aif_crypto_mnemonic_from_entropy(ent, n, out, err);
    sodium_memzero(ent, sizeof ent);
    return rc;
}

aif_code aif_crypto_mnemonic_to_mini(const char *phrase, const char *password, uint8_t mini[AIF_SR25519_MINI_BYTES],
                                     aif_err *err)
{
    uint8_t ent[32], seed[64];
    size_t n_ent;
    aif_code rc = aif_crypto_mnemonic_to_entropy(phrase, ent, &n_ent, err);
    if (rc)
        return rc;
    if (!password)
        password = "";
    size_t plen = strlen(password);
    if (plen > 1024) {
        sodium_memzero(ent, sizeof ent);
        return aif_err_set(err, AIF_ERANGE, "mnemonic password longer than 1024 bytes");
    }
    char salt[8 + 1024];
    memcpy(salt, "mnemonic", 8);
    memcpy(salt + 8, password, plen);
    aif_crypto_pbkdf2_sha512(ent, n_ent, salt, 8 + plen, 2048, seed, 64);
    memcpy(mini, seed, 32);
    sodium_memzero(ent, sizeof ent);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(salt, sizeof salt);
    return AIF_OK;
}
