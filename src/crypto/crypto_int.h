/* crypto_int.h: what the files of src/crypto share (not public). */
#ifndef AIF_CRYPTO_INT_H
#define AIF_CRYPTO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "aif/crypto.h"

/* ---- STROBE-128 (strobe.c), the subset Merlin uses. aif_merlin doubles as
 * the STROBE state: st, pos, pos_begin, cur_flags. ---- */
void aif_crypto_strobe_init(aif_merlin *s, const uint8_t *label, size_t len);
void aif_crypto_strobe_meta_ad(aif_merlin *s, const uint8_t *data, size_t len, int more);
void aif_crypto_strobe_ad(aif_merlin *s, const uint8_t *data, size_t len, int more);
void aif_crypto_strobe_prf(aif_merlin *s, uint8_t *out, size_t len, int more);
void aif_crypto_strobe_key(aif_merlin *s, const uint8_t *data, size_t len, int more);

/* ---- Witness RNG of a transcript (merlin TranscriptRng): a copy of t
 * rekeyed with each (label, seed), then finalized with rng32 (or 32 OS
 * bytes when rng32 is NULL); out gets n bytes. The copy is wiped. ---- */
void aif_crypto_merlin_witness(const aif_merlin *t, const char *label, const uint8_t *const *seeds,
                               const size_t *seed_lens, size_t n_seeds, const uint8_t *rng32, uint8_t *out,
                               size_t n);
/* challenge_scalar: 64 challenge bytes reduced mod l. */
void aif_crypto_merlin_challenge_scalar(aif_merlin *t, const char *label, uint8_t scalar[32]);

/* ---- Keypair internals (keypair.c) ---- */
struct aif_crypto_keypair {
    uint8_t key[32];      /* secret scalar, reduced (< l) */
    uint8_t nonce[32];    /* signing nonce seed */
    uint8_t pub[32];      /* compressed ristretto255 of key*B */
    uint8_t mini[32];     /* the mini secret, if has_mini */
    char phrase[AIF_MNEMONIC_MAX]; /* the mnemonic, if phrase[0] */
    int has_secret;
    int has_mini;
};
/* sodium_init once; 0 on success. */
int aif_crypto_sodium_ready(void);
/* A zeroed keypair in guarded memory; NULL (and err filled) when out of memory. */
aif_crypto_keypair *aif_crypto_keypair_alloc(aif_err *err);
/* Fill key/nonce/pub from a mini secret (ExpansionMode::Ed25519). */
int aif_crypto_expand_ed25519(aif_crypto_keypair *kp, const uint8_t mini[32]);

#endif
