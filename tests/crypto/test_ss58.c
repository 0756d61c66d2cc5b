/* test_ss58.c: SS58 decode of every address in testdata (polkadot-js
 * encodeAddress output) back to its public key, spec §5.8/§9 examples,
 * and hostile inputs. Encoding is covered by test_mnemonic.c (every
 * testdata address re-encoded) and by tests/vectors/crypto/ (prefixes
 * above 63, from polkadot-js). */
#include "crypto_test_util.h"

static void decode_testdata(void)
{
    json_t *root = load_json("chain/keys_polkadotjs.json");
    if (!root)
        return;
    json_t *accs = json_object_get(root, "dev_accounts"), *rec;
    const char *name;
    size_t n = 0;
    json_object_foreach(accs, name, rec) {
        static const struct { const char *key; unsigned prefix; } kinds[] = {{"ss58_42", 42}, {"ss58_0", 0}};
        for (int k = 0; k < 2; k++) {
            const char *addr = jstr(rec, kinds[k].key);
            if (!addr)
                continue;
            uint8_t pk[32];
            unsigned prefix = 99;
            aif_err err;
            CHECK_OK(aif_crypto_ss58_decode(addr, pk, &prefix, &err), err);
            CHECK_HEX(pk, 32, jstr(rec, "public_key"));
            CHECK_EQ(prefix, kinds[k].prefix);
            n++;
        }
    }
    CHECK_EQ(n, 18);
    json_decref(root);
}

static void decode_errors(void)
{
    uint8_t pk[32];
    aif_err err;
    /* btwallet tests/test_keyfile.py: the same key with prefix 0 */
    unsigned prefix = 99;
    CHECK_OK(aif_crypto_ss58_decode("16ADqpMa4yzfmWs3nuTSMhfZ2ckeGtvqhPWCNqECEGDcGgU2", pk, &prefix, &err), err);
    CHECK_HEX(pk, 32, "0xe4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446");
    CHECK_EQ(prefix, 0);
    /* last character changed: checksum */
    CHECK_ERR(aif_crypto_ss58_decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ", pk, NULL, &err), AIF_EFORMAT,
              err, "checksum");
    /* '0', 'O', 'I', 'l' are not Base58 */
    CHECK_ERR(aif_crypto_ss58_decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut0Y", pk, NULL, &err), AIF_EFORMAT,
              err, "offset 46");
    CHECK_ERR(aif_crypto_ss58_decode("", pk, NULL, &err), AIF_EFORMAT, err, "empty");
    CHECK_ERR(aif_crypto_ss58_decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut", pk, NULL, &err), AIF_EFORMAT, err,
              "expected 35");
    CHECK_ERR(aif_crypto_ss58_decode("111111111111111111111111111111111111111111111111", pk, NULL, &err), AIF_EFORMAT,
              err, "bytes");
    CHECK_ERR(aif_crypto_ss58_decode("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", pk, NULL,
                                     &err), AIF_EFORMAT, err, "too long");
}

AIF_TESTS(crypto_ss58) = {
    {"crypto/ss58_decode_testdata", decode_testdata},
    {"crypto/ss58_decode_errors", decode_errors},
    {NULL, NULL},
};
