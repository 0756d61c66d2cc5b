/* test_sr25519.c: schnorrkel keys and signatures against polkadot-js
 * (testdata chain/keys_polkadotjs.json, made with @polkadot/util-crypto and
 * checked with @polkadot/wasm-crypto = Rust schnorrkel) and against the
 * vectors of curve25519-voi, sr25519-donna and schnorrkel quoted in spec §9. */
#include "crypto_test_util.h"

#include "aif/alloc.h"

#define DEV_PK "0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a"
#define ALICE_PK "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"

static void expand_ed25519_zero(void)
{
    /* curve25519-voi primitives/sr25519/keys_test.go, ExpandEd25519 of 32 zero bytes */
    uint8_t mini[32] = {0}, sec[64];
    aif_err err;
    aif_crypto_keypair *kp = NULL;
    CHECK_OK(aif_crypto_keypair_from_mini(mini, &kp, &err), err);
    if (!kp)
        return;
    CHECK_OK(aif_crypto_keypair_secret(kp, AIF_SR25519_FORM_CANONICAL, sec, &err), err);
    CHECK_HEX(sec, 32, "0xcaa835781b15c7706f65b71f7a58c807ab360faed6440fb23e0f4c52e930de0a");
    CHECK_HEX(sec + 32, 32, "0x0a6a85eaa642dac835424b5d7c8d637c00408c7a73da672b7f498521420b6dd3");
    CHECK_HEX(aif_crypto_keypair_public(kp), 32, "0xdef12e42f3e487e9b14095aa8d5cc16a33491f1b50dadcf8811d1480f3fa8627");
    CHECK(aif_crypto_keypair_mini(kp) && !memcmp(aif_crypto_keypair_mini(kp), mini, 32));
    CHECK(aif_crypto_keypair_phrase(kp) == NULL);
    aif_crypto_keypair_free(kp);
}

/* mnemonic_to_keypair records: mini secret -> public key and the 64-byte
 * secret in polkadot-js's x8 form; both encodings read back. */
static void keypair_from_mini_testdata(void)
{
    json_t *root = load_json("chain/keys_polkadotjs.json");
    if (!root)
        return;
    json_t *arr = json_object_get(root, "mnemonic_to_keypair"), *rec;
    size_t i, n = 0;
    json_array_foreach(arr, i, rec) {
        uint8_t mini[32], sec[64], canon[64], pk[32];
        aif_err err;
        aif_crypto_keypair *kp = NULL, *kp2 = NULL, *kp3 = NULL;
        CHECK(unhex(jstr(rec, "mini_secret"), mini, 32) == 0);
        CHECK_OK(aif_crypto_keypair_from_mini(mini, &kp, &err), err);
        if (!kp)
            continue;
        CHECK_HEX(aif_crypto_keypair_public(kp), 32, jstr(rec, "sr25519_public_key"));
        CHECK_OK(aif_crypto_keypair_secret(kp, AIF_SR25519_FORM_ED25519, sec, &err), err);
        CHECK_HEX(sec, 64, jstr(rec, "sr25519_secret_key_64"));
        /* the x8 form from testdata, read with AUTO and with the explicit form */
        CHECK(unhex(jstr(rec, "sr25519_secret_key_64"), sec, 64) == 0);
        CHECK(unhex(jstr(rec, "sr25519_public_key"), pk, 32) == 0);
        CHECK_OK(aif_crypto_keypair_from_secret(sec, AIF_SR25519_FORM_AUTO, &kp2, &err), err);
        if (kp2)
            CHECK_MEM(aif_crypto_keypair_public(kp2), pk, 32);
        /* canonical form: x8 divided by 8 must give a byte 31 below 0x20 */
        CHECK_OK(aif_crypto_keypair_secret(kp, AIF_SR25519_FORM_CANONICAL, canon, &err), err);
        CHECK(canon[31] < 0x20);
        CHECK_MEM(canon + 32, sec + 32, 32);
        CHECK_OK(aif_crypto_keypair_from_secret(canon, AIF_SR25519_FORM_AUTO, &kp3, &err), err);
        if (kp3)
            CHECK_MEM(aif_crypto_keypair_public(kp3), pk, 32);
        aif_crypto_keypair_free(kp);
        aif_crypto_keypair_free(kp2);
        aif_crypto_keypair_free(kp3);
        n++;
    }
    CHECK_EQ(n, 6);
    json_decref(root);
}

static void secret_forms(void)
{
    /* schnorrkel src/keys.rs from_ed25519_bytes doc test: x8-form secret of the dev seed */
    uint8_t sec[64];
    aif_err err;
    aif_crypto_keypair *kp = NULL;
    CHECK(unhex("28b0ae221c6bb06856b287f60d7ea0d98552ea5a16db16956849aa371db3eb51"
                "fd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34", sec, 64) == 0);
    CHECK_OK(aif_crypto_keypair_from_secret(sec, AIF_SR25519_FORM_ED25519, &kp, &err), err);
    if (kp)
        CHECK_HEX(aif_crypto_keypair_public(kp), 32, DEV_PK);
    aif_crypto_keypair_free(kp);
    /* the same bytes read as canonical: the scalar is >= l, so refused */
    kp = NULL;
    CHECK_ERR(aif_crypto_keypair_from_secret(sec, AIF_SR25519_FORM_CANONICAL, &kp, &err), AIF_ECRYPTO, err,
              "not canonical");
    CHECK(kp == NULL);
    /* a public-only keypair cannot sign or give a secret */
    uint8_t pk[32], sig[64];
    CHECK(unhex(DEV_PK, pk, 32) == 0);
    CHECK_OK(aif_crypto_keypair_from_public(pk, &kp, &err), err);
    if (kp) {
        CHECK(!aif_crypto_keypair_has_secret(kp));
        CHECK_ERR(aif_crypto_sr25519_sign(kp, "x", 1, NULL, sig, &err), AIF_ESTATE, err, "public key");
        CHECK_ERR(aif_crypto_keypair_secret(kp, AIF_SR25519_FORM_CANONICAL, sec, &err), AIF_ESTATE, err, NULL);
    }
    aif_crypto_keypair_free(kp);
    memset(pk, 0xff, 32); /* not a field element encoding */
    kp = NULL;
    CHECK_ERR(aif_crypto_keypair_from_public(pk, &kp, &err), AIF_ECRYPTO, err, "ristretto255");
}

/* Every record of sr25519_signatures: verify gives the recorded verdict. */
static void verify_testdata(void)
{
    json_t *root = load_json("chain/keys_polkadotjs.json");
    if (!root)
        return;
    json_t *arr = json_object_get(root, "sr25519_signatures"), *rec;
    size_t i, n = 0, n_valid = 0;
    json_array_foreach(arr, i, rec) {
        uint8_t pk[32], sig[64];
        const char *mhex = jstr(rec, "message_hex");
        size_t cap = strlen(mhex) / 2 + 1, mlen = 0;
        uint8_t *msg = aif_malloc(cap);
        aif_err err;
        if (!msg) { /* an injected allocation failure */
            CHECK(aif_test_injecting());
            break;
        }
        CHECK(unhex(jstr(rec, "public_key"), pk, 32) == 0);
        CHECK(unhex(jstr(rec, "signature"), sig, 64) == 0);
        CHECK_OK(aif_crypto_hex_decode(mhex, strlen(mhex), msg, cap, &mlen, &err), err);
        int want = json_is_true(json_object_get(rec, "valid"));
        aif_code rc = aif_crypto_sr25519_verify(pk, msg, mlen, sig, &err);
        if ((rc == AIF_OK) != want)
            aif_test_fail(__FILE__, __LINE__, "record %zu (%s): verify gave %s, polkadot-js says %s", i,
                          jstr(rec, "note") ? jstr(rec, "note") : "genuine", aif_code_name(rc),
                          want ? "valid" : "invalid");
        if (rc != AIF_OK)
            CHECK(strstr(err.msg, "does not verify") != NULL);
        n_valid += want;
        n++;
        aif_free(msg);
    }
    CHECK_EQ(n, 20);
    CHECK_EQ(n_valid, 5);
    json_decref(root);
}

static void verify_other_vectors(void)
{
    uint8_t pk[32], sig[64];
    aif_err err;
    /* curve25519-voi primitives/sr25519/sign_test.go */
    CHECK(unhex(DEV_PK, pk, 32) == 0);
    CHECK(unhex("4e172314444b8f820bb54c22e95076f220ed25373e5c178234aa6c211d292712"
                "44b947e3ff3418ff6b45fd1df1140c8cbff69fc58ee6dc96df70936a2bb74b82", sig, 64) == 0);
    CHECK_OK(aif_crypto_sr25519_verify(pk, "this is a message", 17, sig, &err), err);
    CHECK_ERR(aif_crypto_sr25519_verify(pk, "wrong message", 13, sig, &err), AIF_ECRYPTO, err, "does not verify");
    /* without the marker bit, sp_core rejects it */
    sig[63] &= 0x7f;
    CHECK_ERR(aif_crypto_sr25519_verify(pk, "this is a message", 17, sig, &err), AIF_ECRYPTO, err, "marker");
    /* sr25519-donna tests/test_check.c */
    static const char m[] = "I hereby verify that I control 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    CHECK(unhex(ALICE_PK, pk, 32) == 0);
    CHECK(unhex("1037eb7e51613d0dcf5930ae518819c87d655056605764840d9280984e1b7063"
                "c4566b55bf292fcab07b369d01095879b50517beca4d26e6a65866e25fec0d83", sig, 64) == 0);
    CHECK_OK(aif_crypto_sr25519_verify(pk, m, sizeof m - 1, sig, &err), err);
    /* non-canonical s (s + l) must be refused, not reduced */
    static const uint8_t l[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                  0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                  0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
    unsigned carry = 0;
    sig[63] &= 0x7f;
    for (int i = 0; i < 32; i++) {
        unsigned v = sig[32 + i] + l[i] + carry;
        sig[32 + i] = (uint8_t)v;
        carry = v >> 8;
    }
    CHECK(sig[63] < 0x80); /* s + l still fits in 255 bits */
    sig[63] |= 0x80;
    CHECK_ERR(aif_crypto_sr25519_verify(pk, m, sizeof m - 1, sig, &err), AIF_ECRYPTO, err, "canonical");
}

static void sign_roundtrip(void)
{
    uint8_t mini[32], sig[64], sig2[64], seed[32];
    aif_err err;
    aif_crypto_keypair *kp = NULL;
    CHECK(unhex("0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e", mini, 32) == 0);
    CHECK_OK(aif_crypto_keypair_from_mini(mini, &kp, &err), err);
    if (!kp)
        return;
    const uint8_t *pk = aif_crypto_keypair_public(kp);
    static const char *msgs[] = {"", "hello", "a longer message that spans more than one block of the STROBE rate "
                                              "because it is long enough to need two permutations of keccak; ok"};
    memset(seed, 7, 32);
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(msgs[i]);
        CHECK_OK(aif_crypto_sr25519_sign(kp, msgs[i], n, NULL, sig, &err), err);
        CHECK(sig[63] & 0x80);
        CHECK_OK(aif_crypto_sr25519_verify(pk, msgs[i], n, sig, &err), err);
        /* randomized: a second OS-random signature differs */
        CHECK_OK(aif_crypto_sr25519_sign(kp, msgs[i], n, NULL, sig2, &err), err);
        CHECK(memcmp(sig, sig2, 64) != 0);
        CHECK_OK(aif_crypto_sr25519_verify(pk, msgs[i], n, sig2, &err), err);
        /* seeded: reproducible */
        CHECK_OK(aif_crypto_sr25519_sign(kp, msgs[i], n, seed, sig, &err), err);
        CHECK_OK(aif_crypto_sr25519_sign(kp, msgs[i], n, seed, sig2, &err), err);
        CHECK_MEM(sig, sig2, 64);
        sig[5] ^= 1;
        CHECK_ERR(aif_crypto_sr25519_verify(pk, msgs[i], n, sig, &err), AIF_ECRYPTO, err, NULL);
    }
    aif_crypto_keypair_free(kp);
}

AIF_TESTS(crypto_sr25519) = {
    {"crypto/expand_ed25519_zero", expand_ed25519_zero},
    {"crypto/keypair_from_mini_testdata", keypair_from_mini_testdata},
    {"crypto/secret_forms", secret_forms},
    {"crypto/verify_testdata", verify_testdata},
    {"crypto/verify_other_vectors", verify_other_vectors},
    {"crypto/sign_roundtrip", sign_roundtrip},
    {NULL, NULL},
};
