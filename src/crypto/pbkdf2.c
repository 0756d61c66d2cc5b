/* pbkdf2.c: PBKDF2 (RFC 8018) over libsodium's HMAC-SHA512 and
 * HMAC-SHA256: substrate-bip39 uses the first, legacy wallet keyfiles
 * (ansible-vault, Fernet) the second. */
#include "aif/crypto.h"

#include <sodium.h>
#include <string.h>

#define PBKDF2(NAME, STATE, HLEN, INIT, UPDATE, FINAL)                                                        \
    void NAME(const void *pw, size_t pw_len, const void *salt, size_t salt_len, uint32_t iters, uint8_t *out, \
              size_t out_len)                                                                                 \
    {                                                                                                         \
        STATE base, st;                                                                                       \
        uint8_t u[HLEN], t[HLEN], ctr[4];                                                                     \
        INIT(&base, pw, pw_len);                                                                              \
        for (uint32_t block = 1; out_len > 0; block++) {                                                      \
            ctr[0] = (uint8_t)(block >> 24), ctr[1] = (uint8_t)(block >> 16);                                 \
            ctr[2] = (uint8_t)(block >> 8), ctr[3] = (uint8_t)block;                                          \
            st = base;                                                                                        \
            UPDATE(&st, salt, salt_len);                                                                      \
            UPDATE(&st, ctr, 4);                                                                              \
            FINAL(&st, u);                                                                                    \
            memcpy(t, u, HLEN);                                                                               \
            for (uint32_t i = 1; i < iters; i++) {                                                            \
                st = base;                                                                                    \
                UPDATE(&st, u, HLEN);                                                                         \
                FINAL(&st, u);                                                                                \
                for (int j = 0; j < HLEN; j++)                                                                \
                    t[j] ^= u[j];                                                                             \
            }                                                                                                 \
            size_t n = out_len < HLEN ? out_len : HLEN;                                                       \
            memcpy(out, t, n);                                                                                \
            out += n;                                                                                         \
            out_len -= n;                                                                                     \
        }                                                                                                     \
        sodium_memzero(&base, sizeof base);                                                                   \
        sodium_memzero(&st, sizeof st);                                                                       \
        sodium_memzero(u, sizeof u);                                                                          \
        sodium_memzero(t, sizeof t);                                                                          \
    }

PBKDF2(aif_crypto_pbkdf2_sha512, crypto_auth_hmacsha512_state, 64, crypto_auth_hmacsha512_init,
       crypto_auth_hmacsha512_update, crypto_auth_hmacsha512_final)
PBKDF2(aif_crypto_pbkdf2_sha256, crypto_auth_hmacsha256_state, 32, crypto_auth_hmacsha256_init,
       crypto_auth_hmacsha256_update, crypto_auth_hmacsha256_final)
