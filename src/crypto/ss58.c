/* ss58.c: SS58 account addresses (spec §5.8): Base58 (Bitcoin alphabet) of
 * prefix || pubkey || blake2b-512("SS58PRE" || prefix || pubkey)[0..2].
 * Prefixes below 64 take one byte; 64..16383 take two (the "simple" and
 * "full" formats of sp_core ss58_codec). */
#include "crypto_int.h"

#include <sodium.h>
#include <string.h>

static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

static void checksum(const uint8_t *payload, size_t n, uint8_t out[2])
{
    crypto_generichash_state st;
    uint8_t h[64];
    crypto_generichash_init(&st, NULL, 0, 64);
    crypto_generichash_update(&st, (const uint8_t *)"SS58PRE", 7);
    crypto_generichash_update(&st, payload, n);
    crypto_generichash_final(&st, h, 64);
    out[0] = h[0];
    out[1] = h[1];
}

/* Base58 of n <= 40 bytes into out (cap >= 60). */
static void b58encode(const uint8_t *in, size_t n, char *out)
{
    uint8_t digits[64] = {0}; /* base-58 digits, least significant first */
    size_t nd = 0, zeros = 0;
    while (zeros < n && in[zeros] == 0)
        zeros++;
    for (size_t i = zeros; i < n; i++) {
        unsigned carry = in[i];
        for (size_t j = 0; j < nd; j++) {
            carry += (unsigned)digits[j] << 8;
            digits[j] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        while (carry) {
            digits[nd++] = (uint8_t)(carry % 58);
            carry /= 58;
        }
    }
    size_t o = 0;
    for (size_t i = 0; i < zeros; i++)
        out[o++] = '1';
    for (size_t i = nd; i > 0; i--)
        out[o++] = alphabet[digits[i - 1]];
    out[o] = '\0';
}

void aif_crypto_ss58_encode(const uint8_t pub[AIF_SR25519_PUBLIC_BYTES], unsigned prefix, char out[AIF_SS58_MAX])
{
    AIF_ASSERT(prefix < 16384);
    uint8_t buf[2 + 32 + 2];
    size_t np;
    if (prefix < 64) {
        buf[0] = (uint8_t)prefix;
        np = 1;
    } else {
        /* sp_core: first = ((ident & 0xfc) >> 2) | 0x40, second = (ident >> 8) | ((ident & 3) << 6) */
        buf[0] = (uint8_t)(((prefix & 0xfc) >> 2) | 0x40);
        buf[1] = (uint8_t)((prefix >> 8) | ((prefix & 3) << 6));
        np = 2;
    }
    memcpy(buf + np, pub, 32);
    checksum(buf, np + 32, buf + np + 32);
    b58encode(buf, np + 34, out);
}

aif_code aif_crypto_ss58_decode(const char *text, uint8_t pub[AIF_SR25519_PUBLIC_BYTES], unsigned *prefix,
                                aif_err *err)
{
    size_t len = strnlen(text, 128);
    if (len == 0)
        return aif_err_set(err, AIF_EFORMAT, "SS58 address is empty");
    if (len > 60)
        return aif_err_set(err, AIF_EFORMAT, "SS58 address too long (%zu characters)", len);
    uint8_t bytes[64] = {0}; /* big-endian number, least significant byte last */
    size_t nb = 0, zeros = 0;
    while (zeros < len && text[zeros] == '1')
        zeros++;
    for (size_t i = zeros; i < len; i++) {
        const char *p = strchr(alphabet, text[i]);
        if (!p || !text[i])
            return aif_err_set(err, AIF_EFORMAT, "SS58 address: character '%c' at offset %zu is not Base58",
                               (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?', i);
        unsigned carry = (unsigned)(p - alphabet);
        for (size_t j = 0; j < nb; j++) {
            carry += (unsigned)bytes[63 - j] * 58;
            bytes[63 - j] = (uint8_t)carry;
            carry >>= 8;
        }
        while (carry) {
            if (nb == 64)
                return aif_err_set(err, AIF_EFORMAT, "SS58 address: value too large");
            bytes[63 - nb++] = (uint8_t)carry;
            carry >>= 8;
        }
    }
    size_t total = zeros + nb;
    if (total > 64)
        return aif_err_set(err, AIF_EFORMAT, "SS58 address: value too large");
    const uint8_t *raw = bytes + 64 - total; /* leading '1's are the zero bytes before */
    size_t np = (total > 0 && (raw[0] & 0x40)) ? 2 : 1;
    if (total != np + 34)
        return aif_err_set(err, AIF_EFORMAT, "SS58 address decodes to %zu bytes, expected %zu (a 32-byte account)",
                           total, np + 34);
    unsigned pfx;
    if (np == 1) {
        pfx = raw[0];
    } else {
        if (raw[0] & 0x80)
            return aif_err_set(err, AIF_EFORMAT, "SS58 address: reserved prefix byte 0x%02x", raw[0]);
        unsigned lower = ((unsigned)raw[0] << 2) | (raw[1] >> 6);
        unsigned upper = raw[1] & 0x3f;
        pfx = (lower & 0xff) | (upper << 8);
    }
    uint8_t cs[2];
    checksum(raw, np + 32, cs);
    if (cs[0] != raw[np + 32] || cs[1] != raw[np + 33])
        return aif_err_set(err, AIF_EFORMAT, "SS58 address: checksum does not match");
    memcpy(pub, raw + np, 32);
    if (prefix)
        *prefix = pfx;
    return AIF_OK;
}
