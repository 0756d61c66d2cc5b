/* wallet.h: Bittensor wallets as btcli / bittensor-wallet lay them out
 * (spec bittensor-chain.md §7):
 *
 *   <path>/<name>/coldkey               full coldkey keyfile, normally $NACL-encrypted
 *   <path>/<name>/coldkeypub.txt        public-only keyfile (plaintext JSON)
 *   <path>/<name>/hotkeys/<hotkey>      full hotkey keyfile, normally plaintext
 *   <path>/<name>/hotkeys/<hotkey>pub.txt  public-only hotkey file
 *
 * path defaults to $BT_WALLET_PATH or ~/.bittensor/wallets, name to
 * $BT_WALLET_NAME or "default", hotkey to $BT_WALLET_HOTKEY or "default".
 *
 * Keyfiles: plaintext JSON {accountId, publicKey, privateKey, secretPhrase,
 * secretSeed, ss58Address} (absent fields omitted; read with null too), a
 * bare "0x<64 hex>" public key (old Python), or "$NACL" || nonce(24) ||
 * secretbox(JSON) with the key from Argon2i (libsodium ALG_ARGON2I13,
 * OPSLIMIT/MEMLIMIT_SENSITIVE = 8 passes, 512 MiB, fixed salt). The
 * legacy ansible-vault and Fernet encryptions of older Bittensor releases
 * are read (never written). Files are written atomically with mode 0600.
 *
 * Secret material (keyfile plaintext, passwords) is kept in sodium_malloc
 * memory and wiped; see aif_crypto_keypair in crypto.h.
 */
#ifndef AIF_WALLET_H
#define AIF_WALLET_H

#include <stddef.h>
#include <stdint.h>

#include "aif/crypto.h"
#include "aif/err.h"

/* Argon2i limits for $NACL files. The file does not record them: a file
 * written with other limits can only be read back with the same ones (and
 * never by btcli). Only tests and throwaway wallets should change them. */
typedef struct aif_wallet_kdf {
    unsigned long long opslimit; /* 0: crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE (8) */
    size_t memlimit;             /* 0: crypto_pwhash_argon2i_MEMLIMIT_SENSITIVE (512 MiB) */
    uint32_t legacy_iterations;  /* PBKDF2 rounds of legacy Fernet files; 0: 10,000,000 */
} aif_wallet_kdf;
/* Parse "OPS,BYTES" (e.g. "3,65536") or "sensitive"; NULL or "" gives the
 * defaults. AIF_EINVAL outside libsodium's argon2i limits. */
aif_code aif_wallet_kdf_parse(const char *spec, aif_wallet_kdf *kdf, aif_err *err);

/* Keyfile bytes. */
int aif_wallet_keyfile_is_encrypted(const uint8_t *data, size_t len); /* $NACL, ansible, Fernet */
/* Decode a keyfile into a keypair (public-only for public files). password
 * is needed for encrypted files (AIF_EAUTH when NULL or wrong); kdf may be NULL. The
 * secret is taken from secretPhrase, else secretSeed, else privateKey, and
 * the public key must match publicKey/accountId/ss58Address if present. */
aif_code aif_wallet_keyfile_decode(const uint8_t *data, size_t len, const char *password, const aif_wallet_kdf *kdf,
                                   aif_crypto_keypair **out, aif_err *err);
/* Encode: the full keyfile (public_only 0) or the public one (1), $NACL
 * encrypted when password is not NULL. *out is sodium_malloc memory: free
 * it with aif_wallet_buf_free (which wipes it). */
aif_code aif_wallet_keyfile_encode(const aif_crypto_keypair *kp, int public_only, const char *password,
                                   const aif_wallet_kdf *kdf, uint8_t **out, size_t *out_len, aif_err *err);
void aif_wallet_buf_free(void *buf);
/* n zeroed bytes of guarded, locked memory for secrets (passwords,
 * phrases); NULL when out of memory. Free with aif_wallet_buf_free. */
void *aif_wallet_secure_alloc(size_t n);
/* Zero n bytes in a way the compiler keeps. */
void aif_wallet_wipe(void *p, size_t n);
/* Files: load wraps errors with the path; save writes path.tmp + rename
 * with mode 0600, creating parent directories (0700); AIF_EEXIST if the
 * file exists and overwrite is 0. */
aif_code aif_wallet_keyfile_load(const char *path, const char *password, const aif_wallet_kdf *kdf,
                                 aif_crypto_keypair **out, aif_err *err);
aif_code aif_wallet_keyfile_save(const char *path, const aif_crypto_keypair *kp, int public_only,
                                 const char *password, const aif_wallet_kdf *kdf, int overwrite, aif_err *err);
/* 1 if the file at path is encrypted, 0 if not, -1 if unreadable. */
int aif_wallet_keyfile_path_is_encrypted(const char *path);

/* btwallet's password variable for a keyfile: BT_PW_ + the path upper-cased
 * with '/' and '.' turned into '_'; its value is base64 of the password
 * XOR-ed with the variable name. Fills name (cap bytes) and, if the
 * variable is set, the password (a NUL-terminated string of at most cap-1
 * bytes); *found says whether it was set. */
aif_code aif_wallet_password_env_name(const char *keyfile_path, char *name, size_t cap, aif_err *err);
aif_code aif_wallet_password_from_env(const char *keyfile_path, char *password, size_t cap, int *found,
                                      aif_err *err);

/* A wallet's location. */
#define AIF_WALLET_PATH_MAX 1024
#define AIF_WALLET_NAME_MAX 128
typedef struct aif_wallet {
    char path[AIF_WALLET_PATH_MAX];   /* root, "~" expanded */
    char name[AIF_WALLET_NAME_MAX];
    char hotkey[AIF_WALLET_NAME_MAX];
} aif_wallet;

typedef enum aif_wallet_file {
    AIF_WALLET_COLDKEY,
    AIF_WALLET_COLDKEYPUB,
    AIF_WALLET_HOTKEY,
    AIF_WALLET_HOTKEYPUB,
} aif_wallet_file;

/* Any argument may be NULL for its default ($BT_WALLET_* or the built-in
 * one). Names must be non-empty, without '/', and not "." or "..". */
aif_code aif_wallet_init(aif_wallet *w, const char *path, const char *name, const char *hotkey, aif_err *err);
/* Path of one of the wallet's files. */
aif_code aif_wallet_file_path(const aif_wallet *w, aif_wallet_file which, char *out, size_t cap, aif_err *err);
/* Load or save one file of the wallet (the *PUB files are always public and
 * plaintext; password applies to COLDKEY and HOTKEY). */
aif_code aif_wallet_load(const aif_wallet *w, aif_wallet_file which, const char *password,
                         const aif_wallet_kdf *kdf, aif_crypto_keypair **out, aif_err *err);
aif_code aif_wallet_save(const aif_wallet *w, aif_wallet_file which, const aif_crypto_keypair *kp,
                         const char *password, const aif_wallet_kdf *kdf, int overwrite, aif_err *err);

/* Sorted names of the entries of a directory (wallets under the root, or
 * hotkeys under <wallet>/hotkeys, skipping "*pub.txt" there). A missing
 * directory gives an empty list. Free with aif_wallet_names_free. */
aif_code aif_wallet_list(const char *dir, int hotkeys, char ***names, size_t *n_names, aif_err *err);
void aif_wallet_names_free(char **names, size_t n_names);

#endif
