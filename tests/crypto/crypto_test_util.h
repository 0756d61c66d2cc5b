/* crypto_test_util.h: small helpers shared by the tests of tests/crypto/. */
#ifndef AIF_CRYPTO_TEST_UTIL_H
#define AIF_CRYPTO_TEST_UTIL_H

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "aif/crypto.h"
#include "harness.h"

/* Decode hex (with or without 0x) that must be exactly n bytes. */
static inline int unhex(const char *hex, uint8_t *out, size_t n)
{
    size_t got = 0;
    aif_err err;
    if (!hex || aif_crypto_hex_decode(hex, strlen(hex), out, n, &got, &err) != AIF_OK || got != n)
        return -1;
    return 0;
}

/* "0x" + hex of n bytes into out (needs 2n+3). */
static inline const char *tohex(const uint8_t *d, size_t n, char *out)
{
    out[0] = '0';
    out[1] = 'x';
    aif_crypto_hex_encode(d, n, out + 2);
    return out;
}

#define CHECK_HEX(got, n, want) \
    do { char h_[2 * 128 + 3]; CHECK_STR(tohex((got), (n), h_), (want)); } while (0)

static inline json_t *load_json(const char *rel)
{
    json_error_t je;
    json_t *root = json_load_file(aif_test_path(rel), 0, &je);
    if (!root)
        aif_test_fail(__FILE__, __LINE__, "%s: %s (line %d)", rel, je.text, je.line);
    return root;
}

static inline const char *jstr(json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

#endif
