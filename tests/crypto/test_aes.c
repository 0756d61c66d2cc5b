/* test_aes.c: AES against FIPS 197 appendix C and PBKDF2-HMAC-SHA256
 * against RFC 7914 section 11 (the PBKDF2-HMAC-SHA-256 vectors). */
#include "crypto_test_util.h"

static void aes_fips197(void)
{
    uint8_t key[32], pt[16], ct[16], back[16];
    aif_aes a;
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    CHECK(unhex("00112233445566778899aabbccddeeff", pt, 16) == 0);
    /* C.1 AES-128 */
    aif_crypto_aes_init(&a, key, 16);
    aif_crypto_aes_encrypt(&a, pt, ct);
    CHECK_HEX(ct, 16, "0x69c4e0d86a7b0430d8cdb78070b4c55a");
    aif_crypto_aes_decrypt(&a, ct, back);
    CHECK_MEM(back, pt, 16);
    /* C.3 AES-256 */
    aif_crypto_aes_init(&a, key, 32);
    aif_crypto_aes_encrypt(&a, pt, ct);
    CHECK_HEX(ct, 16, "0x8ea2b7ca516745bfeafc49904b496089");
    aif_crypto_aes_decrypt(&a, ct, back);
    CHECK_MEM(back, pt, 16);
}

static void pbkdf2_sha256(void)
{
    uint8_t out[64];
    /* RFC 7914 §11: P="passwd", S="salt", c=1, dkLen=64 */
    aif_crypto_pbkdf2_sha256("passwd", 6, "salt", 4, 1, out, 64);
    CHECK_HEX(out, 64, "0x55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                       "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
    /* P="Password", S="NaCl", c=80000, dkLen=64 */
    aif_crypto_pbkdf2_sha256("Password", 8, "NaCl", 4, 80000, out, 64);
    CHECK_HEX(out, 64, "0x4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                       "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

AIF_TESTS(crypto_aes) = {
    {"crypto/aes_fips197", aes_fips197},
    {"crypto/pbkdf2_sha256", pbkdf2_sha256},
    {NULL, NULL},
};
