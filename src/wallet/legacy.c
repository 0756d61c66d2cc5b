/* legacy.c: read-only support for the keyfile encryptions of older
 * Bittensor releases (spec §7.3):
 *  - ansible-vault ("$ANSIBLE_VAULT;1.1;AES256"): hex of
 *    hex(salt) \n hex(hmac) \n hex(ciphertext); PBKDF2-HMAC-SHA256(password,
 *    salt, 10000) -> AES key 32 || HMAC key 32 || CTR counter block 16;
 *    HMAC-SHA256 over the ciphertext; AES-256-CTR; PKCS#7 padding
 *    (ansible lib/ansible/parsing/vault/__init__.py, VaultAES256).
 *  - Fernet ("gAAAAA..."): key = PBKDF2-HMAC-SHA256(password, fixed salt,
 *    10,000,000 rounds, 32 bytes); token = base64url(0x80 || time 8 || IV 16
 *    || AES-128-CBC ciphertext || HMAC-SHA256 with key[0..16]); AES key
 *    key[16..32] (bittensor 7.0 keyfile.py, the Fernet spec). */
#include "wallet_int.h"

#include <sodium.h>
#include <string.h>

static int hexval(uint8_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
        return (ch | 0x20) - 'a' + 10;
    return -1;
}

/* Hex digits of in[0..n) (whitespace skipped) into out; returns bytes or -1. */
static long unhex_ws(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0;
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '\n' || in[i] == '\r' || in[i] == ' ' || in[i] == '\t')
            continue;
        int v = hexval(in[i]);
        if (v < 0)
            return -1;
        if (hi < 0) {
            hi = v;
        } else {
            if (o == cap)
                return -1;
            out[o++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi < 0 ? (long)o : -1;
}

/* Strip PKCS#7 padding of a 16-byte block cipher; -1 if malformed. */
static long unpad(const uint8_t *p, size_t n)
{
    if (n == 0 || n % 16)
        return -1;
    unsigned k = p[n - 1], bad = (k == 0) | (k > 16);
    for (unsigned i = 1; i <= 16 && i <= n; i++)
        bad |= (i <= k) & (p[n - i] != k);
    return bad ? -1 : (long)(n - k);
}

static aif_code ansible(const uint8_t *data, size_t len, const char *password, uint8_t **plain, size_t *plain_len,
                        aif_err *err)
{
    const uint8_t *nl = memchr(data, '\n', len);
    if (!nl)
        return aif_err_set(err, AIF_EFORMAT, "ansible-vault keyfile: no line after the header");
    size_t hl = (size_t)(nl - data);
    if (!((hl >= 25 && !memcmp(data, "$ANSIBLE_VAULT;1.1;AES256", 25)) ||
          (hl >= 25 && !memcmp(data, "$ANSIBLE_VAULT;1.2;AES256", 25))))
        return aif_err_set(err, AIF_ENOTSUP, "ansible-vault keyfile: header \"%.*s\" is not 1.1/1.2 AES256",
                           (int)(hl < 60 ? hl : 60), (const char *)data);
    size_t body_len = len - hl - 1;
    uint8_t *outer = sodium_malloc(body_len / 2 + 1);
    if (!outer)
        return aif_err_set(err, AIF_ENOMEM, "out of memory (sodium_malloc)");
    long on = unhex_ws(nl + 1, body_len, outer, body_len / 2 + 1);
    aif_code rc = AIF_OK;
    /* outer = hex(salt) \n hex(hmac) \n hex(ciphertext) */
    const uint8_t *p1 = on > 0 ? memchr(outer, '\n', (size_t)on) : NULL;
    const uint8_t *p2 = p1 ? memchr(p1 + 1, '\n', (size_t)(outer + on - p1 - 1)) : NULL;
    uint8_t salt[64], mac[32], keys[80], check[32];
    uint8_t *ct = NULL, *pt = NULL;
    long sn = -1, mn = -1, cn = -1;
    if (!p2) {
        rc = aif_err_set(err, AIF_EFORMAT, "ansible-vault keyfile: body is not hex of salt, HMAC and ciphertext");
        goto out;
    }
    size_t ct_hex = (size_t)(outer + on - p2 - 1);
    ct = sodium_malloc(ct_hex / 2 + 1);
    pt = sodium_malloc(ct_hex / 2 + 1);
    if (!ct || !pt) {
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory (sodium_malloc)");
        goto out;
    }
    sn = unhex_ws(outer, (size_t)(p1 - outer), salt, sizeof salt);
    mn = unhex_ws(p1 + 1, (size_t)(p2 - p1 - 1), mac, sizeof mac);
    cn = unhex_ws(p2 + 1, ct_hex, ct, ct_hex / 2 + 1);
    if (sn <= 0 || mn != 32 || cn < 0 || cn % 16) {
        rc = aif_err_set(err, AIF_EFORMAT, "ansible-vault keyfile: bad salt, HMAC or ciphertext");
        goto out;
    }
    if (!password) {
        rc = aif_err_set(err, AIF_EAUTH, "keyfile is encrypted (ansible-vault): a password is needed");
        goto out;
    }
    aif_crypto_pbkdf2_sha256(password, strlen(password), salt, (size_t)sn, 10000, keys, sizeof keys);
    crypto_auth_hmacsha256(check, ct, (size_t)cn, keys + 32);
    if (sodium_memcmp(check, mac, 32) != 0) {
        rc = aif_err_set(err, AIF_EAUTH, "wrong password, or the keyfile is damaged (ansible-vault HMAC check failed)");
        goto out;
    }
    aif_aes aes;
    uint8_t ctr[16], ks[16];
    aif_crypto_aes_init(&aes, keys, 32);
    memcpy(ctr, keys + 64, 16);
    for (long i = 0; i < cn; i += 16) {
        aif_crypto_aes_encrypt(&aes, ctr, ks);
        for (int j = 0; j < 16 && i + j < cn; j++)
            pt[i + j] = ct[i + j] ^ ks[j];
        for (int j = 15; j >= 0 && ++ctr[j] == 0; j--) /* 128-bit big-endian increment */
            ;
    }
    sodium_memzero(&aes, sizeof aes);
    sodium_memzero(ks, sizeof ks);
    long n = unpad(pt, (size_t)cn);
    if (n < 0) {
        rc = aif_err_set(err, AIF_EFORMAT, "ansible-vault keyfile: bad padding after decryption");
        goto out;
    }
    *plain = pt;
    *plain_len = (size_t)n;
    pt = NULL;
out:
    sodium_memzero(keys, sizeof keys);
    aif_wallet_buf_free(outer);
    aif_wallet_buf_free(ct);
    aif_wallet_buf_free(pt);
    return rc;
}

static const char fernet_salt[] = "Iguesscyborgslikemyselfhaveatendencytobeparanoidaboutourorigins";

static aif_code fernet(const uint8_t *data, size_t len, const char *password, const aif_wallet_kdf *kdf,
                       uint8_t **plain, size_t *plain_len, aif_err *err)
{
    size_t tl = len;
    while (tl > 0 && (data[tl - 1] == '\n' || data[tl - 1] == '\r' || data[tl - 1] == ' '))
        tl--;
    uint8_t *tok = sodium_malloc(tl + 1);
    if (!tok)
        return aif_err_set(err, AIF_ENOMEM, "out of memory (sodium_malloc)");
    size_t n = 0;
    aif_code rc = AIF_OK;
    uint8_t *pt = NULL;
    if (sodium_base642bin(tok, tl + 1, (const char *)data, tl, NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE) != 0 ||
        n < 1 + 8 + 16 + 16 + 32 || (n - 57) % 16 || tok[0] != 0x80) {
        rc = aif_err_set(err, AIF_EFORMAT, "Fernet keyfile: not a Fernet token (base64url, version 0x80, "
                                           "whole AES blocks)");
        goto out;
    }
    if (!password) {
        rc = aif_err_set(err, AIF_EAUTH, "keyfile is encrypted (legacy Fernet): a password is needed");
        goto out;
    }
    uint8_t key[32], check[32];
    uint32_t iters = kdf && kdf->legacy_iterations ? kdf->legacy_iterations : 10000000u;
    aif_crypto_pbkdf2_sha256(password, strlen(password), fernet_salt, sizeof fernet_salt - 1, iters, key, 32);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, 16);
    crypto_auth_hmacsha256_update(&st, tok, n - 32);
    crypto_auth_hmacsha256_final(&st, check);
    if (sodium_memcmp(check, tok + n - 32, 32) != 0) {
        sodium_memzero(key, sizeof key);
        rc = aif_err_set(err, AIF_EAUTH, "wrong password, or the keyfile is damaged (Fernet HMAC check failed)");
        goto out;
    }
    size_t cn = n - 57;
    pt = sodium_malloc(cn ? cn : 1);
    if (!pt) {
        sodium_memzero(key, sizeof key);
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory (sodium_malloc)");
        goto out;
    }
    aif_aes aes;
    aif_crypto_aes_init(&aes, key + 16, 16);
    const uint8_t *prev = tok + 9, *ct = tok + 25;
    for (size_t i = 0; i < cn; i += 16) {
        aif_crypto_aes_decrypt(&aes, ct + i, pt + i);
        for (int j = 0; j < 16; j++)
            pt[i + (size_t)j] ^= prev[j];
        prev = ct + i;
    }
    sodium_memzero(&aes, sizeof aes);
    sodium_memzero(key, sizeof key);
    long m = unpad(pt, cn);
    if (m < 0) {
        rc = aif_err_set(err, AIF_EFORMAT, "Fernet keyfile: bad padding after decryption");
        goto out;
    }
    *plain = pt;
    *plain_len = (size_t)m;
    pt = NULL;
out:
    aif_wallet_buf_free(tok);
    aif_wallet_buf_free(pt);
    return rc;
}

aif_code aif_wallet_legacy_decrypt(const uint8_t *data, size_t len, const char *password, const aif_wallet_kdf *kdf,
                                   uint8_t **plain, size_t *plain_len, aif_err *err)
{
    *plain = NULL;
    *plain_len = 0;
    if (len >= 14 && !memcmp(data, "$ANSIBLE_VAULT", 14))
        return ansible(data, len, password, plain, plain_len, err);
    return fernet(data, len, password, kdf, plain, plain_len, err);
}
