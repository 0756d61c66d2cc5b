/* aif_sign.c: the aif side of the cross-check (built by run.sh, not by the
 * Makefile). Usage: aif_sign SURI MESSAGE_HEX RNG_HEX
 * prints "<public key hex> <secret x8 form hex> <signature hex>" made by
 * libaif with the given 32 witness bytes. */
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/crypto.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: aif_sign SURI MESSAGE_HEX RNG_HEX\n");
        return 2;
    }
    aif_err err;
    aif_crypto_keypair *kp = NULL;
    size_t cap = strlen(argv[2]) / 2 + 1, n = 0, nr = 0;
    uint8_t *msg = aif_malloc(cap), rng[32], sig[64], sec[64];
    char hex[2 * 64 + 1];
    if (aif_crypto_keypair_from_suri(argv[1], &kp, &err) || aif_crypto_hex_decode(argv[2], strlen(argv[2]), msg, cap, &n, &err) ||
        aif_crypto_hex_decode(argv[3], strlen(argv[3]), rng, 32, &nr, &err) || nr != 32 ||
        aif_crypto_sr25519_sign(kp, msg, n, rng, sig, &err) ||
        aif_crypto_keypair_secret(kp, AIF_SR25519_FORM_ED25519, sec, &err)) {
        fprintf(stderr, "aif_sign: %s\n", err.msg);
        return 1;
    }
    aif_crypto_hex_encode(aif_crypto_keypair_public(kp), 32, hex);
    printf("%s ", hex);
    aif_crypto_hex_encode(sec, 64, hex);
    printf("%s ", hex);
    aif_crypto_hex_encode(sig, 64, hex);
    printf("%s\n", hex);
    aif_crypto_keypair_free(kp);
    aif_free(msg);
    return 0;
}
