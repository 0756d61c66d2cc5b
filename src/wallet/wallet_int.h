/* wallet_int.h: what the files of src/wallet share (not public). */
#ifndef AIF_WALLET_INT_H
#define AIF_WALLET_INT_H

#include "aif/wallet.h"

/* Decrypt a legacy keyfile: ansible-vault 1.1/1.2 AES256, or the Fernet
 * token of bittensor <= 7 ("gAAAAA..."). *plain is sodium_malloc memory
 * (free with aif_wallet_buf_free). AIF_EAUTH for a wrong password. */
aif_code aif_wallet_legacy_decrypt(const uint8_t *data, size_t len, const char *password, const aif_wallet_kdf *kdf,
                                   uint8_t **plain, size_t *plain_len, aif_err *err);

#endif
