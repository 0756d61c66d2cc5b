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

/* ---------------------------------------------------------------------------
 * sr25519 keys (Substrate / Bittensor accounts): Keccak-f[1600], STROBE-128,
 * Merlin transcripts, schnorrkel signatures over ristretto255 (libsodium),
 * BIP39 mnemonics as substrate-bip39 reads them, derivation paths
 * ("//Alice", "/soft"), SS58 addresses. See spec bittensor-chain.md §5.
 * ------------------------------------------------------------------------- */

#define AIF_KECCAK_STATE_BYTES 200
/* The FIPS 202 permutation on 25 little-endian 64-bit lanes. */
void aif_crypto_keccakf1600(uint8_t state[AIF_KECCAK_STATE_BYTES]);

/* A Merlin transcript (dalek-cryptography/merlin), caller-owned storage.
 * Labels are NUL-terminated strings; messages are (ptr, len). */
typedef struct aif_merlin {
    uint8_t st[AIF_KECCAK_STATE_BYTES]; /* STROBE-128 state */
    uint8_t pos, pos_begin, cur_flags;
} aif_merlin;
void aif_crypto_merlin_init(aif_merlin *t, const char *label);
void aif_crypto_merlin_append(aif_merlin *t, const char *label, const void *msg, size_t len);
void aif_crypto_merlin_challenge(aif_merlin *t, const char *label, uint8_t *out, size_t n);
/* Wipe a transcript that saw secrets. */
void aif_crypto_merlin_wipe(aif_merlin *t);

#define AIF_SR25519_PUBLIC_BYTES 32
#define AIF_SR25519_SECRET_BYTES 64    /* key scalar (32) || nonce (32) */
#define AIF_SR25519_MINI_BYTES 32      /* MiniSecretKey, the "secretSeed" */
#define AIF_SR25519_SIGNATURE_BYTES 64 /* R (32) || s (32), s[31] |= 0x80 */
#define AIF_MNEMONIC_MAX 256           /* longest 24-word phrase + NUL fits */

/* An sr25519 keypair, or only a public key. Lives in sodium_malloc memory
 * (guarded, mlocked, wiped on free). Create with one of the
 * aif_crypto_keypair_from_* functions, free with aif_crypto_keypair_free. */
typedef struct aif_crypto_keypair aif_crypto_keypair;

/* Expand a mini secret with schnorrkel's ExpansionMode::Ed25519 (what
 * Substrate and Bittensor use): SHA-512, clamp, divide by the cofactor. */
aif_code aif_crypto_keypair_from_mini(const uint8_t mini[AIF_SR25519_MINI_BYTES], aif_crypto_keypair **out,
                                      aif_err *err);
/* The two 64-byte secret encodings of spec §5.3. */
enum {
    AIF_SR25519_FORM_AUTO = 0,      /* reading: byte 31 >= 0x20 means the x8 form */
    AIF_SR25519_FORM_CANONICAL = 1, /* key || nonce, key < l (sp_core, bittensor-wallet) */
    AIF_SR25519_FORM_ED25519 = 2,   /* 8*key || nonce (polkadot-js, schnorrkel to_ed25519_bytes) */
};
/* From a 64-byte secret in the given form (AUTO tells them apart by byte
 * 31: a canonical key is < 2^253). AIF_ECRYPTO for a non-canonical key. */
aif_code aif_crypto_keypair_from_secret(const uint8_t secret[AIF_SR25519_SECRET_BYTES], int form,
                                        aif_crypto_keypair **out, aif_err *err);
/* A public-only keypair (signing fails with AIF_ESTATE). AIF_ECRYPTO if
 * the bytes are not a valid ristretto255 encoding. */
aif_code aif_crypto_keypair_from_public(const uint8_t pub[AIF_SR25519_PUBLIC_BYTES], aif_crypto_keypair **out,
                                        aif_err *err);
/* BIP39 phrase (+ BIP39 password, may be NULL) -> mini secret -> keypair;
 * the phrase is kept (aif_crypto_keypair_phrase). */
aif_code aif_crypto_keypair_from_mnemonic(const char *phrase, const char *password, aif_crypto_keypair **out,
                                          aif_err *err);
/* A Substrate secret URI: [phrase | 0x<64 hex mini>][/soft|//hard]*[///password];
 * an empty phrase means the dev phrase ("//Alice"). */
aif_code aif_crypto_keypair_from_suri(const char *suri, aif_crypto_keypair **out, aif_err *err);
void aif_crypto_keypair_free(aif_crypto_keypair *kp);

int aif_crypto_keypair_has_secret(const aif_crypto_keypair *kp);
const uint8_t *aif_crypto_keypair_public(const aif_crypto_keypair *kp); /* 32 bytes, valid until free */
/* Copy out the 64-byte secret in form CANONICAL or ED25519. AIF_ESTATE for
 * a public-only keypair. */
aif_code aif_crypto_keypair_secret(const aif_crypto_keypair *kp, int form,
                                   uint8_t out[AIF_SR25519_SECRET_BYTES], aif_err *err);
/* The mini secret / phrase this keypair came from, or NULL when unknown
 * (from a raw secret or a derivation path). Valid until free. */
const uint8_t *aif_crypto_keypair_mini(const aif_crypto_keypair *kp);
const char *aif_crypto_keypair_phrase(const aif_crypto_keypair *kp);

/* Derivation (spec §5.6). cc is a 32-byte chain code
 * (aif_crypto_chain_code). Hard needs the secret; soft works on public-only
 * keys too (the derived nonce is random, as in schnorrkel). */
aif_code aif_crypto_keypair_derive(const aif_crypto_keypair *kp, const uint8_t cc[32], int hard,
                                   aif_crypto_keypair **out, aif_err *err);
/* Chain code of one junction: a decimal u64 as 8 LE bytes, else the SCALE
 * string; blake2b-256 if longer than 32 bytes, else zero-padded. */
void aif_crypto_chain_code(const char *junction, size_t len, uint8_t cc[32]);

/* schnorrkel signature with signing context "substrate". rng32: 32 bytes
 * mixed into the witness (the randomness of the signature); NULL takes
 * them from the OS. Tests pass a fixed seed for reproducible signatures. */
aif_code aif_crypto_sr25519_sign(const aif_crypto_keypair *kp, const void *msg, size_t len, const uint8_t *rng32,
                                 uint8_t sig[AIF_SR25519_SIGNATURE_BYTES], aif_err *err);
/* AIF_OK if sig is a valid marked schnorrkel signature of msg under pub
 * with context "substrate", else AIF_ECRYPTO ("signature does not verify"). */
aif_code aif_crypto_sr25519_verify(const uint8_t pub[AIF_SR25519_PUBLIC_BYTES], const void *msg, size_t len,
                                   const uint8_t sig[AIF_SR25519_SIGNATURE_BYTES], aif_err *err);

/* PBKDF2-HMAC-SHA512 and -SHA256 (RFC 8018). */
void aif_crypto_pbkdf2_sha512(const void *pw, size_t pw_len, const void *salt, size_t salt_len, uint32_t iters,
                              uint8_t *out, size_t out_len);
void aif_crypto_pbkdf2_sha256(const void *pw, size_t pw_len, const void *salt, size_t salt_len, uint32_t iters,
                              uint8_t *out, size_t out_len);

/* AES block cipher (FIPS 197), for reading legacy wallet keyfiles only.
 * The S-box is computed (GF(2^8) inversion), not looked up, so no table is
 * indexed with key or data bytes. key_len 16 or 32. */
typedef struct aif_aes {
    uint8_t rk[15][16]; /* round keys */
    int rounds;         /* 10 or 14 */
} aif_aes;
void aif_crypto_aes_init(aif_aes *a, const uint8_t *key, size_t key_len);
void aif_crypto_aes_encrypt(const aif_aes *a, const uint8_t in[16], uint8_t out[16]);
void aif_crypto_aes_decrypt(const aif_aes *a, const uint8_t in[16], uint8_t out[16]);
/* BIP39 English: phrase -> entropy (16/20/24/28/32 bytes; checksum
 * checked); words separated by single or repeated spaces. */
aif_code aif_crypto_mnemonic_to_entropy(const char *phrase, uint8_t entropy[32], size_t *n_entropy, aif_err *err);
/* entropy -> phrase (out needs AIF_MNEMONIC_MAX bytes). */
aif_code aif_crypto_mnemonic_from_entropy(const uint8_t *entropy, size_t n_entropy, char out[AIF_MNEMONIC_MAX],
                                          aif_err *err);
/* A new random phrase of 12, 15, 18, 21 or 24 words. */
aif_code aif_crypto_mnemonic_generate(int n_words, char out[AIF_MNEMONIC_MAX], aif_err *err);
/* substrate-bip39 mini secret: first 32 bytes of
 * PBKDF2-HMAC-SHA512(entropy, "mnemonic" || password, 2048). */
aif_code aif_crypto_mnemonic_to_mini(const char *phrase, const char *password, uint8_t mini[AIF_SR25519_MINI_BYTES],
                                     aif_err *err);
/* Index of a BIP39 English word, -1 if it is not in the list. */
int aif_crypto_mnemonic_word_index(const char *word, size_t len);

/* SS58 (spec §5.8). Prefixes 0..16383 (one byte below 64, two above);
 * Bittensor uses 42. out needs AIF_SS58_MAX bytes. */
#define AIF_SS58_MAX 64
#define AIF_SS58_BITTENSOR 42
void aif_crypto_ss58_encode(const uint8_t pub[AIF_SR25519_PUBLIC_BYTES], unsigned prefix, char out[AIF_SS58_MAX]);
/* Decode a 32-byte account address; AIF_EFORMAT naming the problem (bad
 * character at offset N, wrong length, bad checksum). prefix may be NULL. */
aif_code aif_crypto_ss58_decode(const char *text, uint8_t pub[AIF_SR25519_PUBLIC_BYTES], unsigned *prefix,
                                aif_err *err);

#endif
