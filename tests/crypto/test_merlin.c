/* test_merlin.c: Keccak-f[1600] through SHA3-256 (answers from Python
 * hashlib.sha3_256), and Merlin transcripts (hence STROBE-128) against the
 * published vectors of the merlin crate / curve25519-voi. */
#include "crypto_test_util.h"

/* SHA3-256 = Keccak sponge, rate 136, domain byte 0x06, final bit 0x80. */
static void sha3_256(const uint8_t *m, size_t n, uint8_t out[32])
{
    uint8_t st[200] = {0};
    size_t i = 0;
    for (; n - i >= 136; i += 136) {
        for (size_t j = 0; j < 136; j++)
            st[j] ^= m[i + j];
        aif_crypto_keccakf1600(st);
    }
    size_t rest = n - i;
    for (size_t j = 0; j < rest; j++)
        st[j] ^= m[i + j];
    st[rest] ^= 0x06;
    st[135] ^= 0x80;
    aif_crypto_keccakf1600(st);
    memcpy(out, st, 32);
}

static void keccak_sha3(void)
{
    uint8_t d[32], m[300];
    for (int i = 0; i < 300; i++)
        m[i] = (uint8_t)i;
    /* python3 -c "import hashlib; print(hashlib.sha3_256(b'').hexdigest())" etc. */
    sha3_256(NULL, 0, d);
    CHECK_HEX(d, 32, "0xa7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
    sha3_256((const uint8_t *)"abc", 3, d);
    CHECK_HEX(d, 32, "0x3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
    sha3_256(m, 300, d); /* three permutations */
    CHECK_HEX(d, 32, "0x815c06bbeb8520ce61add33a5f47bc558bf00e6361a5640c972d5d4634c58101");
}

static void merlin_simple(void)
{
    /* merlin src/transcript.rs equivalence_simple (curve25519-voi merlin_test.go TestSimpleTranscript) */
    aif_merlin t;
    uint8_t c[32];
    aif_crypto_merlin_init(&t, "test protocol");
    aif_crypto_merlin_append(&t, "some label", "some data", 9);
    aif_crypto_merlin_challenge(&t, "challenge", c, 32);
    CHECK_HEX(c, 32, "0xd5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615");
}

static void merlin_complex(void)
{
    /* merlin equivalence_complex (curve25519-voi TestComplexTranscript): 1024-byte
     * messages cross the 166-byte STROBE rate many times. */
    aif_merlin t;
    uint8_t c[32], big[1024];
    memset(big, 0x63, sizeof big);
    aif_crypto_merlin_init(&t, "test protocol");
    aif_crypto_merlin_append(&t, "step1", "some data", 9);
    for (int i = 0; i < 32; i++) {
        aif_crypto_merlin_challenge(&t, "challenge", c, 32);
        aif_crypto_merlin_append(&t, "bigdata", big, sizeof big);
        aif_crypto_merlin_append(&t, "challengedata", c, 32);
    }
    CHECK_HEX(c, 32, "0xa8c933f54fae76e3f9bea93648c1308e7dfa2152dd51674ff3ca438351cf003c");
}

AIF_TESTS(crypto_merlin) = {
    {"crypto/keccak_sha3", keccak_sha3},
    {"crypto/merlin_simple", merlin_simple},
    {"crypto/merlin_complex", merlin_complex},
    {NULL, NULL},
};
