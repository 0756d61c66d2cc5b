/* fuzz_ss58.c: SS58 decode (and re-encode of what decodes) on arbitrary
 * bytes; secret URIs (mnemonic + derivation path) on the same input. */
#include <stdint.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = aif_malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    uint8_t pk[32];
    unsigned prefix = 0;
    aif_err err;
    if (aif_crypto_ss58_decode(s, pk, &prefix, &err) == AIF_OK) {
        char again[AIF_SS58_MAX];
        aif_crypto_ss58_encode(pk, prefix, again);
        /* a decoded address re-encodes to itself */
        if (strcmp(again, s) != 0)
            __builtin_trap();
    }
    /* secret URIs: only short ones (each hard junction costs a PBKDF2) */
    if (size <= 300 && memchr(data, '/', size)) {
        aif_crypto_keypair *kp = NULL;
        if (aif_crypto_keypair_from_suri(s, &kp, &err) == AIF_OK)
            aif_crypto_keypair_free(kp);
    }
    size_t n = 0;
    uint8_t ent[32];
    (void)aif_crypto_mnemonic_to_entropy(s, ent, &n, &err);
    aif_free(s);
    return 0;
}
