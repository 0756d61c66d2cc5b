/* crypto.h: hashes and encodings used across aif (model hashes, storage
 * keys, signing payloads), and later the sr25519 keys of the chain.
 * libsodium and xxhash do the work underneath. */
#ifndef AIF_CRYPTO_H
#define AIF_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "aif/err.h"

#define AIF_SHA256_BYTES 32

/* SHA-256 of one buffer. */
void aif_crypto_sha256(const void *data, size_t len, uint8_t out[AIF_SHA256_BYTES]);

/* Incremental SHA-256 (for files streamed in pieces). */
typedef struct aif_sha256 {
    uint64_t state[16]; /* holds libsodium's crypto_hash_sha256_state (104 bytes) */
} aif_sha256;
void aif_sha256_init(aif_sha256 *h);
void aif_sha256_update(aif_sha256 *h, const void *data, size_t len);
void aif_sha256_final(aif_sha256 *h, uint8_t out[AIF_SHA256_BYTES]);

/* Unkeyed BLAKE2b with out_len in 1..64 bytes (16: blake2_128, 32: blake2_256). */
void aif_crypto_blake2b(const void *data, size_t len, uint8_t *out, size_t out_len);

/* Substrate twox: little-endian XXH64 with seeds 0, 1, ... concatenated;
 * out_len 8, 16 or 32 (twox64, twox128, twox256). */
void aif_crypto_twox(const void *data, size_t len, uint8_t *out, size_t out_len);

/* Standard base64 with padding (as Python's base64.b64encode). out needs
 * aif_crypto_base64_len(len) bytes including the NUL. */
size_t aif_crypto_base64_len(size_t len);
void aif_crypto_base64_encode(const void *data, size_t len, char *out);
/* Decode standard base64 (padding required); AIF_EFORMAT on bad input. */
aif_code aif_crypto_base64_decode(const char *text, uint8_t *out, size_t cap, size_t *out_len, aif_err *err);

/* Lower-case hex, no prefix; out needs 2*len+1 bytes. */
void aif_crypto_hex_encode(const void *data, size_t len, char *out);
/* Hex with or without "0x"; AIF_EFORMAT on odd length or bad digits,
 * AIF_ERANGE if it does not fit in cap. */
aif_code aif_crypto_hex_decode(const char *text, size_t text_len, uint8_t *out, size_t cap, size_t *out_len,
                               aif_err *err);

#endif
