/* test_mnemonic.c: BIP39 + substrate-bip39 and derivation paths against
 * polkadot-js (testdata chain/keys_polkadotjs.json), the substrate-bip39
 * and btwallet vectors quoted in spec §9, and RFC 6070-style PBKDF2 checks
 * (PBKDF2-HMAC-SHA512 answers from Python hashlib.pbkdf2_hmac). */
#include "crypto_test_util.h"

static void pbkdf2(void)
{
    uint8_t out[80];
    /* python3 -c "import hashlib;print(hashlib.pbkdf2_hmac('sha512',b'password',b'salt',1,64).hex())" */
    aif_crypto_pbkdf2_sha512("password", 8, "salt", 4, 1, out, 64);
    CHECK_HEX(out, 64, "0x867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252"
                       "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce");
    /* 2 blocks, 80 bytes, 4096 rounds: hashlib.pbkdf2_hmac('sha512',b'passwordPASSWORDpassword',
     * b'saltSALTsaltSALTsaltSALTsaltSALTsalt',4096,80) */
    aif_crypto_pbkdf2_sha512("passwordPASSWORDpassword", 24, "saltSALTsaltSALTsaltSALTsaltSALTsalt", 36, 4096, out,
                             80);
    CHECK_HEX(out, 80, "0x8c0511f4c6e597c6ac6315d8f0362e225f3c501495ba23b868c005174dc4ee71115b59f9e60cd953"
                       "2fa33e0f75aefe30225c583a186cd82bd4daea9724a3d3b804f75bdd41494fa324cab24bcc680fb3");
}

static void mnemonic_testdata(void)
{
    json_t *root = load_json("chain/keys_polkadotjs.json");
    if (!root)
        return;
    json_t *arr = json_object_get(root, "mnemonic_to_keypair"), *rec;
    size_t i, n = 0;
    json_array_foreach(arr, i, rec) {
        const char *m = jstr(rec, "mnemonic"), *pw = jstr(rec, "password");
        uint8_t ent[32], mini[32], sec[64];
        size_t n_ent = 0;
        char back[AIF_MNEMONIC_MAX], ss58[AIF_SS58_MAX];
        aif_err err;
        CHECK_OK(aif_crypto_mnemonic_to_entropy(m, ent, &n_ent, &err), err);
        CHECK_HEX(ent, n_ent, jstr(rec, "entropy"));
        CHECK_OK(aif_crypto_mnemonic_from_entropy(ent, n_ent, back, &err), err);
        CHECK_STR(back, m);
        CHECK_OK(aif_crypto_mnemonic_to_mini(m, pw, mini, &err), err);
        CHECK_HEX(mini, 32, jstr(rec, "mini_secret"));
        aif_crypto_keypair *kp = NULL;
        CHECK_OK(aif_crypto_keypair_from_mnemonic(m, pw, &kp, &err), err);
        if (!kp)
            continue;
        CHECK_HEX(aif_crypto_keypair_public(kp), 32, jstr(rec, "sr25519_public_key"));
        CHECK_OK(aif_crypto_keypair_secret(kp, AIF_SR25519_FORM_ED25519, sec, &err), err);
        CHECK_HEX(sec, 64, jstr(rec, "sr25519_secret_key_64"));
        CHECK_STR(aif_crypto_keypair_phrase(kp), m);
        aif_crypto_ss58_encode(aif_crypto_keypair_public(kp), 42, ss58);
        CHECK_STR(ss58, jstr(rec, "ss58_42"));
        aif_crypto_keypair_free(kp);
        n++;
    }
    CHECK_EQ(n, 6);
    json_decref(root);
}

static void mnemonic_substrate_bip39(void)
{
    /* paritytech/substrate-bip39 src/lib.rs: "abandon x11 about", password "Substrate" */
    uint8_t mini[32];
    aif_err err;
    CHECK_OK(aif_crypto_mnemonic_to_mini("abandon abandon abandon abandon abandon abandon abandon abandon abandon "
                                         "abandon abandon about", "Substrate", mini, &err), err);
    CHECK_HEX(mini, 32, "0x44e9d125f037ac1d51f0a7d3649689d422c2af8b1ec8e00d71db4d7bf6d127e3");
}

static void mnemonic_errors(void)
{
    uint8_t ent[32];
    size_t n;
    char out[AIF_MNEMONIC_MAX];
    aif_err err;
    /* last word changed: checksum (about -> above) */
    CHECK_ERR(aif_crypto_mnemonic_to_entropy("abandon abandon abandon abandon abandon abandon abandon abandon "
                                             "abandon abandon abandon above", ent, &n, &err), AIF_EFORMAT, err,
              "checksum");
    CHECK_ERR(aif_crypto_mnemonic_to_entropy("abandon abandon abandon abandon abandon abandon abandon abandon "
                                             "abandon abandon abandonx about", ent, &n, &err), AIF_EFORMAT, err,
              "word 11");
    CHECK_ERR(aif_crypto_mnemonic_to_entropy("abandon abandon about", ent, &n, &err), AIF_EFORMAT, err, "3 words");
    CHECK_ERR(aif_crypto_mnemonic_to_entropy("", ent, &n, &err), AIF_EFORMAT, err, "0 words");
    CHECK_ERR(aif_crypto_mnemonic_from_entropy(ent, 17, out, &err), AIF_EINVAL, err, "17 bytes");
    CHECK_ERR(aif_crypto_mnemonic_generate(13, out, &err), AIF_EINVAL, err, "13 words");
    /* extra spaces are tolerated (split on whitespace, as substrate-bip39) */
    CHECK_OK(aif_crypto_mnemonic_to_entropy("  legal winner thank year wave sausage worth useful legal winner "
                                            "thank   yellow ", ent, &n, &err), err);
    CHECK_EQ(n, 16);
    CHECK_EQ(aif_crypto_mnemonic_word_index("abandon", 7), 0);
    CHECK_EQ(aif_crypto_mnemonic_word_index("zoo", 3), 2047);
    CHECK_EQ(aif_crypto_mnemonic_word_index("abstract", 8), 7);
    CHECK_EQ(aif_crypto_mnemonic_word_index("abstrac", 7), -1);
    for (int w = 12; w <= 24; w += 3) {
        CHECK_OK(aif_crypto_mnemonic_generate(w, out, &err), err);
        int spaces = 0;
        for (const char *p = out; *p; p++)
            spaces += *p == ' ';
        CHECK_EQ(spaces, w - 1);
        CHECK_OK(aif_crypto_mnemonic_to_entropy(out, ent, &n, &err), err);
        CHECK_EQ(n, (size_t)w * 4 / 3);
    }
}

static void chain_codes(void)
{
    uint8_t cc[32];
    aif_crypto_chain_code("Alice", 5, cc); /* spec §5.6: 14416c696365 + zeros */
    CHECK_HEX(cc, 32, "0x14416c6963650000000000000000000000000000000000000000000000000000");
    aif_crypto_chain_code("42", 2, cc); /* u64 42 little-endian */
    CHECK_HEX(cc, 32, "0x2a00000000000000000000000000000000000000000000000000000000000000");
    aif_crypto_chain_code("foo", 3, cc);
    CHECK_HEX(cc, 32, "0x0c666f6f00000000000000000000000000000000000000000000000000000000");
    /* u64::MAX is a number; one more overflows u64 and is a string for sp_core
     * (str::parse::<u64> fails): compact(20) = 0x50, then the ASCII digits */
    aif_crypto_chain_code("18446744073709551615", 20, cc);
    CHECK_HEX(cc, 32, "0xffffffffffffffff000000000000000000000000000000000000000000000000");
    aif_crypto_chain_code("18446744073709551616", 20, cc);
    CHECK_HEX(cc, 32, "0x5031383434363734343037333730393535313631360000000000000000000000");
}

static void suri(const char *s, const char *want_ss58)
{
    aif_crypto_keypair *kp = NULL;
    aif_err err;
    char ss58[AIF_SS58_MAX];
    CHECK_OK(aif_crypto_keypair_from_suri(s, &kp, &err), err);
    if (!kp)
        return;
    aif_crypto_ss58_encode(aif_crypto_keypair_public(kp), 42, ss58);
    if (strcmp(ss58, want_ss58))
        aif_test_fail(__FILE__, __LINE__, "suri \"%s\": %s, expected %s", s, ss58, want_ss58);
    aif_crypto_keypair_free(kp);
}

static void derive_dev_accounts(void)
{
    json_t *root = load_json("chain/keys_polkadotjs.json");
    if (!root)
        return;
    const char *dev = jstr(root, "dev_phrase");
    json_t *accs = json_object_get(root, "dev_accounts"), *rec;
    const char *name;
    size_t n = 0;
    json_object_foreach(accs, name, rec) {
        aif_crypto_keypair *kp = NULL, *kp2 = NULL;
        aif_err err;
        char buf[512], ss58[AIF_SS58_MAX];
        CHECK_OK(aif_crypto_keypair_from_suri(jstr(rec, "suri"), &kp, &err), err);
        snprintf(buf, sizeof buf, "%s%s", dev, jstr(rec, "suri"));
        CHECK_OK(aif_crypto_keypair_from_suri(buf, &kp2, &err), err);
        if (kp && kp2) {
            CHECK_HEX(aif_crypto_keypair_public(kp), 32, jstr(rec, "public_key"));
            CHECK_MEM(aif_crypto_keypair_public(kp), aif_crypto_keypair_public(kp2), 32);
            aif_crypto_ss58_encode(aif_crypto_keypair_public(kp), 42, ss58);
            CHECK_STR(ss58, jstr(rec, "ss58_42"));
            if (jstr(rec, "ss58_0")) {
                aif_crypto_ss58_encode(aif_crypto_keypair_public(kp), 0, ss58);
                CHECK_STR(ss58, jstr(rec, "ss58_0"));
            }
        }
        aif_crypto_keypair_free(kp);
        aif_crypto_keypair_free(kp2);
        n++;
    }
    CHECK_EQ(n, 12);
    json_decref(root);
}

static void derive_other_vectors(void)
{
    /* opentensor/btwallet tests/test_keyfile.py */
    suri("old leopard transfer rib spatial phone calm indicate online fire caution review//Alice",
         "5FEiH8iuDUw271xbqWTWuB6WrDjv5dnCeDX1CyHubAniXDNN");
    suri("old leopard transfer rib spatial phone calm indicate online fire caution review/Alice",
         "5GNXbA46ma5dg19GXdiKi5JH3mnkZ8Yea3bBtZAvj7t99P9i");
    suri("//Bob/test", "5CJGwWiKXSE16WJaxBdPZhWqUYkotgenLUALv7ZvqQ4TXeqf");
    suri("bottom drive obey lake curtain smoke basket hold race lonely fit walk/Bob//test",
         "5Cwc8tShrshDJUp1P1M21dKUTcYQpV9GcfSa4hUBNmMdV3Cx");
    suri("//PathNameLongerThan32BytesWhichShouldBeHashed", "5GR5pfZeNs1uQiSWVxZaQiZou3wdZiX894eqgvfNfHbEh7W2");
    /* spec §9: dev root, and the hex mini seed form */
    suri("", "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV");
    suri("0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e//Alice",
         "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    /* curve25519-voi / sr25519-donna: soft derive of the dev public key with "/foo" */
    aif_crypto_keypair *kp = NULL, *pub = NULL, *d = NULL;
    aif_err err;
    uint8_t cc[32], pk[32];
    CHECK_OK(aif_crypto_keypair_from_suri("/foo", &kp, &err), err);
    if (kp)
        CHECK_HEX(aif_crypto_keypair_public(kp), 32,
                  "0x40b9675df90efa6069ff623b0fdfcf706cd47ca7452a5056c7ad58194d23440a");
    /* the same on a public-only key (soft derivation needs no secret) */
    CHECK(unhex("0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a", pk, 32) == 0);
    CHECK_OK(aif_crypto_keypair_from_public(pk, &pub, &err), err);
    aif_crypto_chain_code("foo", 3, cc);
    if (pub) {
        CHECK_OK(aif_crypto_keypair_derive(pub, cc, 0, &d, &err), err);
        if (d)
            CHECK_HEX(aif_crypto_keypair_public(d), 32,
                      "0x40b9675df90efa6069ff623b0fdfcf706cd47ca7452a5056c7ad58194d23440a");
        CHECK_ERR(aif_crypto_keypair_derive(pub, cc, 1, &d, &err), AIF_ESTATE, err, "secret");
    }
    /* a soft-derived secret signs for the derived public key */
    if (kp) {
        uint8_t sig[64];
        CHECK_OK(aif_crypto_sr25519_sign(kp, "m", 1, NULL, sig, &err), err);
        CHECK_OK(aif_crypto_sr25519_verify(aif_crypto_keypair_public(kp), "m", 1, sig, &err), err);
    }
    aif_crypto_keypair_free(kp);
    aif_crypto_keypair_free(pub);
    aif_crypto_keypair_free(d);
    kp = NULL;
    CHECK_ERR(aif_crypto_keypair_from_suri("//Alice//", &kp, &err), AIF_EFORMAT, err, "empty junction");
    CHECK_ERR(aif_crypto_keypair_from_suri("0x1234//Alice", &kp, &err), AIF_EFORMAT, err, "2 bytes");
    CHECK_ERR(aif_crypto_keypair_from_suri("not a mnemonic//Alice", &kp, &err), AIF_EFORMAT, err, "word 1");
    CHECK(kp == NULL);
}

AIF_TESTS(crypto_mnemonic) = {
    {"crypto/pbkdf2", pbkdf2},
    {"crypto/mnemonic_testdata", mnemonic_testdata},
    {"crypto/mnemonic_substrate_bip39", mnemonic_substrate_bip39},
    {"crypto/mnemonic_errors", mnemonic_errors},
    {"crypto/chain_codes", chain_codes},
    {"crypto/derive_dev_accounts", derive_dev_accounts},
    {"crypto/derive_other_vectors", derive_other_vectors},
    {NULL, NULL},
};
