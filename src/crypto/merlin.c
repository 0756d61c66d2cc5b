/* merlin.c: Merlin transcripts (dalek-cryptography/merlin src/transcript.rs)
 * on STROBE-128, the witness RNG, and schnorrkel's challenge scalars. */
#include "crypto_int.h"

#include <sodium.h>
#include <string.h>

static void le32(uint8_t out[4], size_t v)
{
    AIF_ASSERT(v <= 0xffffffffu);
    for (int i = 0; i < 4; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

void aif_crypto_merlin_init(aif_merlin *t, const char *label)
{
    static const char proto[] = "Merlin v1.0";
    aif_crypto_strobe_init(t, (const uint8_t *)proto, sizeof proto - 1);
    aif_crypto_merlin_append(t, "dom-sep", label, strlen(label));
}

void aif_crypto_merlin_append(aif_merlin *t, const char *label, const void *msg, size_t len)
{
    uint8_t n[4];
    le32(n, len);
    aif_crypto_strobe_meta_ad(t, (const uint8_t *)label, strlen(label), 0);
    aif_crypto_strobe_meta_ad(t, n, 4, 1);
    aif_crypto_strobe_ad(t, msg, len, 0);
}

void aif_crypto_merlin_challenge(aif_merlin *t, const char *label, uint8_t *out, size_t n)
{
    uint8_t nb[4];
    le32(nb, n);
    aif_crypto_strobe_meta_ad(t, (const uint8_t *)label, strlen(label), 0);
    aif_crypto_strobe_meta_ad(t, nb, 4, 1);
    aif_crypto_strobe_prf(t, out, n, 0);
}

void aif_crypto_merlin_wipe(aif_merlin *t) { sodium_memzero(t, sizeof *t); }

void aif_crypto_merlin_challenge_scalar(aif_merlin *t, const char *label, uint8_t scalar[32])
{
    uint8_t wide[64];
    aif_crypto_merlin_challenge(t, label, wide, sizeof wide);
    crypto_core_ristretto255_scalar_reduce(scalar, wide);
    sodium_memzero(wide, sizeof wide);
}

void aif_crypto_merlin_witness(const aif_merlin *t, const char *label, const uint8_t *const *seeds,
                               const size_t *seed_lens, size_t n_seeds, const uint8_t *rng32, uint8_t *out,
                               size_t n)
{
    static const char rng_label[] = "rng";
    aif_merlin c = *t;
    uint8_t nb[4], rnd[32];
    for (size_t i = 0; i < n_seeds; i++) {
        le32(nb, seed_lens[i]);
        aif_crypto_strobe_meta_ad(&c, (const uint8_t *)label, strlen(label), 0);
        aif_crypto_strobe_meta_ad(&c, nb, 4, 1);
        aif_crypto_strobe_key(&c, seeds[i], seed_lens[i], 0);
    }
    if (rng32)
        memcpy(rnd, rng32, 32);
    else
        randombytes_buf(rnd, sizeof rnd);
    aif_crypto_strobe_meta_ad(&c, (const uint8_t *)rng_label, 3, 0);
    aif_crypto_strobe_key(&c, rnd, 32, 0);
    le32(nb, n);
    aif_crypto_strobe_meta_ad(&c, nb, 4, 0);
    aif_crypto_strobe_prf(&c, out, n, 0);
    sodium_memzero(rnd, sizeof rnd);
    sodium_memzero(&c, sizeof c);
}
