/* fuzz_keyfile.c: wallet keyfile decoding on arbitrary bytes (JSON,
 * bare keys, $NACL with a cheap KDF so the fuzzer can reach the MAC check),
 * and re-encoding whatever decodes. */
#include <stdint.h>
#include <string.h>

#include "aif/wallet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const aif_wallet_kdf cheap = {3, 8192, 1};
    aif_crypto_keypair *kp = NULL;
    aif_err err;
    if (aif_wallet_keyfile_decode(data, size, "fuzz", &cheap, &kp, &err) == AIF_OK) {
        uint8_t *out;
        size_t n;
        int pub_only = !aif_crypto_keypair_has_secret(kp);
        if (aif_wallet_keyfile_encode(kp, pub_only, NULL, NULL, &out, &n, &err) == AIF_OK) {
            aif_crypto_keypair *back = NULL;
            /* what we write reads back to the same key */
            if (aif_wallet_keyfile_decode(out, n, NULL, NULL, &back, &err) != AIF_OK ||
                memcmp(aif_crypto_keypair_public(back), aif_crypto_keypair_public(kp), 32) != 0)
                __builtin_trap();
            aif_crypto_keypair_free(back);
            aif_wallet_buf_free(out);
        }
        aif_crypto_keypair_free(kp);
    }
    return 0;
}
