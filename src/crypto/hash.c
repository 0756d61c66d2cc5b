/* hash.c: SHA-256, BLAKE2b and twox on libsodium and xxhash. */
#include "aif/crypto.h"

#include <sodium.h>
#include <string.h>
#include <xxhash.h>

_Static_assert(sizeof(aif_sha256) >= sizeof(crypto_hash_sha256_state), "aif_sha256 holds libsodium's state");

void aif_crypto_sha256(const void *data, size_t len, uint8_t out[AIF_SHA256_BYTES])
{
    crypto_hash_sha256(out, data, len);
}

void aif_sha256_init(aif_sha256 *h) { crypto_hash_sha256_init((crypto_hash_sha256_state *)h); }

void aif_sha256_update(aif_sha256 *h, const void *data, size_t len)
{
    crypto_hash_sha256_update((crypto_hash_sha256_state *)h, data, len);
}

void aif_sha256_final(aif_sha256 *h, uint8_t out[AIF_SHA256_BYTES])
{
    crypto_hash_sha256_final((crypto_hash_sha256_state *)h, out);
}

void aif_crypto_blake2b(const void *data, size_t len, uint8_t *out, size_t out_len)
{
    crypto_generichash(out, out_len, data, len, NULL, 0);
}

void aif_crypto_twox(const void *data, size_t len, uint8_t *out, size_t out_len)
{
    for (size_t i = 0; i * 8 < out_len; i++) {
        uint64_t h = XXH64(data, len, (XXH64_hash_t)i);
        for (int b = 0; b < 8; b++)
            out[i * 8 + (size_t)b] = (uint8_t)(h >> (8 * b));
    }
}

size_t aif_crypto_base64_len(size_t len)
{
    return sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
}

void aif_crypto_base64_encode(const void *data, size_t len, char *out)
{
    sodium_bin2base64(out, aif_crypto_base64_len(len), data, len, sodium_base64_VARIANT_ORIGINAL);
}

aif_code aif_crypto_base64_decode(const char *text, uint8_t *out, size_t cap, size_t *out_len, aif_err *err)
{
    const char *end = NULL;
    size_t n = 0;
    if (sodium_base642bin(out, cap, text, strlen(text), NULL, &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        (end && *end))
        return aif_err_set(err, AIF_EFORMAT, "invalid base64 at offset %zu", end ? (size_t)(end - text) : (size_t)0);
    *out_len = n;
    return AIF_OK;
}

void aif_crypto_hex_encode(const void *data, size_t len, char *out)
{
    sodium_bin2hex(out, 2 * len + 1, data, len);
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

aif_code aif_crypto_hex_decode(const char *text, size_t text_len, uint8_t *out, size_t cap, size_t *out_len,
                               aif_err *err)
{
    if (text_len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text += 2;
        text_len -= 2;
    }
    if (text_len % 2)
        return aif_err_set(err, AIF_EFORMAT, "hex string has odd length %zu", text_len);
    if (text_len / 2 > cap)
        return aif_err_set(err, AIF_ERANGE, "hex string of %zu bytes does not fit in %zu", text_len / 2, cap);
    for (size_t i = 0; i < text_len; i += 2) {
        int hi = nibble(text[i]), lo = nibble(text[i + 1]);
        if (hi < 0 || lo < 0)
            return aif_err_set(err, AIF_EFORMAT, "bad hex digit at offset %zu", hi < 0 ? i : i + 1);
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = text_len / 2;
    return AIF_OK;
}
