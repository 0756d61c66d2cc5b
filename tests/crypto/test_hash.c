/* test_hash.c: hashes against vectors made by polkadot-js (and checked
 * with Python hashlib / python3-xxhash, see testdata README), and SHA-256 /
 * base64 against FIPS 180-2 and RFC 4648 examples. */
#include "harness.h"

#include <jansson.h>
#include <stdlib.h>

#include "aif/alloc.h"
#include "aif/crypto.h"

static void check_hex(const char *file, int line, const uint8_t *got, size_t n, const char *want)
{
    char hex[2 * 64 + 3] = "0x";
    aif_crypto_hex_encode(got, n, hex + 2);
    if (strcmp(hex, want))
        aif_test_fail(file, line, "%s != %s", hex, want);
}

static void polkadot_hash_vectors(void)
{
    json_error_t je;
    json_t *root = json_load_file(aif_test_path("chain/hashes_polkadotjs.json"), 0, &je);
    CHECK(root && json_is_array(root));
    if (!root)
        return;
    size_t i, checked = 0;
    json_t *rec;
    json_array_foreach(root, i, rec) {
        const char *in_hex = json_string_value(json_object_get(rec, "input_hex"));
        size_t n;
        aif_err err;
        uint8_t *in = aif_malloc(strlen(in_hex) / 2 + 1), out[64];
        CHECK_OK(aif_crypto_hex_decode(in_hex, strlen(in_hex), in, strlen(in_hex) / 2 + 1, &n, &err), err);
        static const struct { const char *key; int blake; size_t len; } kinds[] = {
            {"blake2b_128", 1, 16}, {"blake2b_256", 1, 32}, {"blake2b_512", 1, 64},
            {"twox64", 0, 8}, {"twox128", 0, 16}, {"twox256", 0, 32},
        };
        for (size_t k = 0; k < 6; k++) {
            if (kinds[k].blake)
                aif_crypto_blake2b(in, n, out, kinds[k].len);
            else
                aif_crypto_twox(in, n, out, kinds[k].len);
            check_hex(__FILE__, __LINE__, out, kinds[k].len, json_string_value(json_object_get(rec, kinds[k].key)));
            checked++;
        }
        aif_free(in);
    }
    CHECK(checked >= 40);
    json_decref(root);
}

static void sha256_and_base64(void)
{
    uint8_t d[32];
    aif_crypto_sha256("abc", 3, d);
    check_hex(__FILE__, __LINE__, d, 32, "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    aif_sha256 h;
    aif_sha256_init(&h);
    aif_sha256_update(&h, "a", 1);
    aif_sha256_update(&h, "bc", 2);
    uint8_t d2[32];
    aif_sha256_final(&h, d2);
    CHECK_MEM(d, d2, 32);
    char b64[16];
    aif_crypto_base64_encode("foob", 4, b64);
    CHECK_STR(b64, "Zm9vYg==");
    uint8_t back[8];
    size_t n;
    aif_err err;
    CHECK_OK(aif_crypto_base64_decode("Zm9vYg==", back, sizeof back, &n, &err), err);
    CHECK_EQ(n, 4);
    CHECK_MEM(back, "foob", 4);
    CHECK_ERR(aif_crypto_base64_decode("Zm9v*g==", back, sizeof back, &n, &err), AIF_EFORMAT, err, "offset");
    CHECK_ERR(aif_crypto_hex_decode("0xabc", 5, back, sizeof back, &n, &err), AIF_EFORMAT, err, "odd");
    CHECK_ERR(aif_crypto_hex_decode("zz", 2, back, sizeof back, &n, &err), AIF_EFORMAT, err, "offset 0");
}

AIF_TESTS(crypto_hash) = {
    {"crypto/polkadot_hash_vectors", polkadot_hash_vectors},
    {"crypto/sha256_and_base64", sha256_and_base64},
    {NULL, NULL},
};
