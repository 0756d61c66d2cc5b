/* test_rng.c: the MT19937 of src/data/rng.c against CPython's `random`
 * (tests/vectors/data/rng.txt, written by scripts/data_vectors.py). */
#include "harness.h"

#include "aif/crypto.h"
#include "aif/data.h"
#include "vec.h"

static char *vectors(void)
{
    char *v = vec_load("tests/vectors/data/rng.txt"); /* the runner starts in the repository root */
    if (!v)
        aif_test_fail(__FILE__, __LINE__, "tests/vectors/data/rng.txt is missing");
    return v;
}

static void check_pages(const char *v, const char *key, aif_data_rng *r, uint32_t max_pages)
{
    uint64_t want[16];
    size_t n = vec_u64s(v, key, want, 16);
    CHECK_EQ(n, 10);
    int64_t got[10];
    aif_data_sample_pages(r, max_pages, 10, got);
    for (size_t i = 0; i < n && i < 10; i++)
        if ((uint64_t)got[i] != want[i])
            aif_test_fail(__FILE__, __LINE__, "%s[%zu]: %lld != %llu", key, i, (long long)got[i],
                          (unsigned long long)want[i]);
}

static void python_draws(void)
{
    char *v = vectors();
    if (!v)
        return;
    aif_data_rng r;
    uint64_t want[64];

    aif_data_rng_seed(&r, 0);
    size_t n = vec_u64s(v, "seed0_u32", want, 64);
    CHECK_EQ(n, 8);
    for (size_t i = 0; i < n; i++)
        CHECK_EQ(aif_data_rng_u32(&r), want[i]);

    aif_data_rng_seed(&r, 42);
    check_pages(v, "seed42_arxiv_pages", &r, 15555);
    aif_data_rng_seed(&r, (1ull << 40) + 5);
    check_pages(v, "seed2p40p5_stackexchange_pages", &r, 252808);

    aif_data_rng_seed(&r, 7);
    CHECK_EQ(vec_u64s(v, "seed7_bits", want, 64), 5);
    CHECK(aif_data_rng_bits(&r, 1) == want[0]);
    CHECK(aif_data_rng_bits(&r, 17) == want[1]);
    CHECK(aif_data_rng_bits(&r, 33) == want[2]);
    CHECK(aif_data_rng_bits(&r, 40) == want[3]);
    CHECK(aif_data_rng_bits(&r, 64) == want[4]);

    char buf[256];
    CHECK(vec_get(v, "seed3_random", buf, sizeof buf));
    aif_data_rng_seed(&r, 3);
    char *p = buf;
    for (int i = 0; i < 3; i++) {
        double want_d = strtod(p, &p);
        CHECK(aif_data_rng_random(&r) == want_d); /* exact: 53-bit construction */
    }
    aif_free(v);
}

static void python_flows(void)
{
    char *v = vectors();
    if (!v)
        return;
    aif_data_rng r;
    uint64_t want[64];
    /* seed, 10 pages, then shuffle(range(37)) on the same generator */
    aif_data_rng_seed(&r, 12345);
    check_pages(v, "flow12345_reasoning_pages", &r, 221994);
    size_t w[37];
    for (size_t i = 0; i < 37; i++)
        w[i] = i;
    aif_data_rng_shuffle(&r, w, 37);
    CHECK_EQ(vec_u64s(v, "flow12345_shuffle37", want, 64), 37);
    for (size_t i = 0; i < 37; i++)
        CHECK_EQ(w[i], want[i]);

    /* seed from a block hash: sha256(hash string) as an integer */
    char hash[128], hex[80];
    CHECK(vec_get(v, "blockhash", hash, sizeof hash));
    CHECK(vec_get(v, "blockhash_seed_hex", hex, sizeof hex));
    uint8_t d[32];
    aif_crypto_sha256(hash, strlen(hash), d);
    char dhex[65];
    aif_crypto_hex_encode(d, 32, dhex);
    CHECK_STR(dhex, hex);
    aif_data_rng_seed_block_hash(&r, hash);
    check_pages(v, "blockhash_arxiv_pages", &r, 15555);

    /* a big integer with leading zero bytes */
    uint8_t lz[32] = {0, 0, 0, 0, 0xff};
    for (int i = 5; i < 32; i++)
        lz[i] = 0x11;
    aif_data_rng_seed_bigint(&r, lz, 32);
    CHECK_EQ(vec_u64s(v, "lz_seed_u32", want, 64), 4);
    for (int i = 0; i < 4; i++)
        CHECK_EQ(aif_data_rng_u32(&r), want[i]);

    /* seed N through seed_bigint equals seed(N) */
    aif_data_rng a, b;
    uint8_t be[8] = {0, 0, 1, 0, 0, 0, 0, 5}; /* 2^40 + 5 */
    aif_data_rng_seed_bigint(&a, be, 8);
    aif_data_rng_seed(&b, (1ull << 40) + 5);
    for (int i = 0; i < 10; i++)
        CHECK_EQ(aif_data_rng_u32(&a), aif_data_rng_u32(&b));
    aif_free(v);
}

static void sync_block_and_bounds(void)
{
    CHECK_EQ(aif_data_sync_block(0), 0);
    CHECK_EQ(aif_data_sync_block(149), 0);
    CHECK_EQ(aif_data_sync_block(150), 150);
    CHECK_EQ(aif_data_sync_block(4512345), 4512300); /* 4512345 = 30082*150 + 45 */
    aif_data_rng r;
    aif_data_rng_seed(&r, 1);
    int seen[9] = {0};
    for (int i = 0; i < 2000; i++) {
        int64_t x = aif_data_rng_randint(&r, 1, 8);
        CHECK(x >= 1 && x <= 8);
        if (x >= 1 && x <= 8)
            seen[x]++;
    }
    for (int i = 1; i <= 8; i++)
        CHECK(seen[i] > 150); /* 250 expected each */
    CHECK_EQ(aif_data_rng_randint(&r, 5, 5), 5);
    uint64_t s1 = 0, s2 = 0;
    aif_err err;
    CHECK_OK(aif_data_seed_os(&s1, &err), err);
    CHECK_OK(aif_data_seed_os(&s2, &err), err);
    CHECK(s1 != s2); /* 2^-64 chance of a false failure */
}

AIF_TESTS(data_rng) = {
    {"data/rng_python_draws", python_draws},
    {"data/rng_python_flows", python_flows},
    {"data/rng_sync_block_and_bounds", sync_block_and_bounds},
    {NULL, NULL},
};
