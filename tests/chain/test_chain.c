/* test_chain.c: the SDK weight normalisation (chain spec 8.4) and the
 * local SQLite chain behind the chain interface. */
#include "harness.h"

#include "aif/alloc.h"
#include "aif/local.h"

static void normalize_weights_like_the_sdk(void)
{
    /* Spec 8.4 example: weights [1.0, 0.5] -> [65535, 32768]: 0.5*65535 =
     * 32767.5 rounds half to even -> 32768. A weight below 0.5/65535 of the
     * max rounds to 0 and is dropped with its uid. */
    uint16_t uids[4] = {0, 5, 7, 9}, ou[4], ow[4];
    float w[4] = {2.0f, 1.0f, 0.0f, 1e-6f};
    size_t n;
    aif_err err;
    CHECK_OK(aif_chain_normalize_weights(uids, w, 4, ou, ow, &n, &err), err);
    CHECK_EQ(n, 2);
    CHECK_EQ(ou[0], 0);
    CHECK_EQ(ow[0], 65535);
    CHECK_EQ(ou[1], 5);
    CHECK_EQ(ow[1], 32768);
    /* 2.5/65535 of the max: in float32 the ratio is 3.8147554732859135e-05,
     * times 65535 = 2.4999999994 (worked out with Python's struct float32
     * round trip), so 2, not 3. */
    float w2[2] = {65535.0f, 2.5f};
    CHECK_OK(aif_chain_normalize_weights(uids, w2, 2, ou, ow, &n, &err), err);
    CHECK_EQ(n, 2);
    CHECK_EQ(ow[1], 2);
    float zero[2] = {0, 0};
    CHECK_OK(aif_chain_normalize_weights(uids, zero, 2, ou, ow, &n, &err), err);
    CHECK_EQ(n, 0);
    float neg[2] = {1, -1};
    CHECK_ERR(aif_chain_normalize_weights(uids, neg, 2, ou, ow, &n, &err), AIF_EINVAL, err, "uid 5");
    float nan_[1] = {NAN};
    CHECK_ERR(aif_chain_normalize_weights(uids, nan_, 1, ou, ow, &n, &err), AIF_EINVAL, err, "finite");
}

static double fake_now(void *ctx) { return *(double *)ctx; }

static aif_chain_signer signer(const char *ss58)
{
    aif_chain_signer s;
    memset(&s, 0, sizeof s);
    snprintf(s.ss58, sizeof s.ss58, "%s", ss58);
    return s;
}

static void local_chain_blocks_and_commitments(void)
{
    double now = 1000.0;
    aif_local_chain_opts o = {12.0, fake_now, &now, 0};
    char path[512];
    snprintf(path, sizeof path, "%s/chain.db", aif_test_tmpdir());
    aif_local_chain *lc;
    aif_err err;
    CHECK_OK(aif_local_chain_open(path, &o, &lc, &err), err);
    if (!lc)
        return;
    aif_chain c = aif_local_chain_as_chain(lc);
    uint64_t b;
    CHECK_OK(aif_chain_current_block(&c, &b, &err), err);
    CHECK_EQ(b, 0);
    now += 12 * 10 + 5; /* 10 blocks and a bit */
    CHECK_OK(aif_chain_current_block(&c, &b, &err), err);
    CHECK_EQ(b, 10);
    CHECK_OK(aif_local_chain_advance(lc, 140, &err), err);
    CHECK_OK(aif_chain_current_block(&c, &b, &err), err);
    CHECK_EQ(b, 150);

    aif_local_subnet_params p = {360, 100, 300};
    CHECK_OK(aif_local_chain_add_subnet(lc, 80, &p, &err), err);
    CHECK_ERR(aif_local_chain_add_subnet(lc, 80, &p, &err), AIF_EEXIST, err, "subnet 80");
    uint16_t uid;
    CHECK_OK(aif_local_chain_register(lc, 80, "5Validator", "5Cold", 200000.0, 1, &uid, &err), err);
    CHECK_EQ(uid, 0);
    CHECK_OK(aif_local_chain_register(lc, 80, "5MinerA", "5Cold", 0, 0, &uid, &err), err);
    CHECK_EQ(uid, 1);
    CHECK_OK(aif_local_chain_register(lc, 80, "5MinerB", "5Cold", 0, 0, &uid, &err), err);
    CHECK_ERR(aif_local_chain_register(lc, 80, "5MinerB", "5Cold", 0, 0, &uid, &err), AIF_EEXIST, err, "5MinerB");

    aif_chain_signer a = signer("5MinerA"), stranger = signer("5Nobody");
    CHECK_OK(aif_chain_commit(&c, &a, 80, "alice:m:c:h:1", 13, &err), err);
    CHECK_ERR(aif_chain_commit(&c, &stranger, 80, "x", 1, &err), AIF_ESTATE, err, "AccountNotAllowedCommit");
    char big[200];
    memset(big, 'a', sizeof big);
    CHECK_ERR(aif_chain_commit(&c, &a, 80, big, sizeof big, &err), AIF_ERANGE, err, "128-byte");
    /* quota 300 per epoch, each commit costs max(100, len): 2 more fit, the 4th does not */
    CHECK_OK(aif_chain_commit(&c, &a, 80, "second", 6, &err), err);
    CHECK_OK(aif_chain_commit(&c, &a, 80, "third", 5, &err), err);
    CHECK_ERR(aif_chain_commit(&c, &a, 80, "fourth", 6, &err), AIF_ERANGE, err, "SpaceLimitExceeded");
    CHECK_OK(aif_local_chain_advance(lc, 360, &err), err); /* next epoch */
    CHECK_OK(aif_chain_commit(&c, &a, 80, "fourth", 6, &err), err);

    aif_commitment *cm;
    size_t n;
    CHECK_OK(aif_chain_commitments(&c, 80, &cm, &n, &err), err);
    CHECK_EQ(n, 1);
    if (n == 1) {
        CHECK_EQ(cm[0].uid, 1);
        CHECK_STR(cm[0].data, "fourth");
        CHECK_EQ(cm[0].len, 6);
        CHECK_EQ(cm[0].block, 510);
    }
    aif_free(cm);

    char h1[67], h2[67], h3[67];
    CHECK_OK(aif_chain_block_hash(&c, 5, h1, &err), err);
    CHECK_OK(aif_chain_block_hash(&c, 5, h2, &err), err);
    CHECK_OK(aif_chain_block_hash(&c, 6, h3, &err), err);
    CHECK_STR(h1, h2);
    CHECK(strcmp(h1, h3) != 0);
    CHECK_EQ(strlen(h1), 66);
    CHECK_ERR(aif_chain_block_hash(&c, 1000000, h1, &err), AIF_ENOTFOUND, err, "future");
    aif_local_chain_close(lc);

    /* Reopening keeps everything (the block keeps following the clock). */
    CHECK_OK(aif_local_chain_open(path, &o, &lc, &err), err);
    if (!lc)
        return;
    c = aif_local_chain_as_chain(lc);
    CHECK_OK(aif_chain_commitments(&c, 80, &cm, &n, &err), err);
    CHECK_EQ(n, 1);
    aif_free(cm);
    aif_local_chain_close(lc);
}

static void local_chain_weights(void)
{
    double now = 0;
    aif_local_chain_opts o = {0, fake_now, &now, 0};
    char path[512];
    snprintf(path, sizeof path, "%s/chain.db", aif_test_tmpdir());
    aif_local_chain *lc;
    aif_err err;
    CHECK_OK(aif_local_chain_open(path, &o, &lc, &err), err);
    if (!lc)
        return;
    aif_chain c = aif_local_chain_as_chain(lc);
    aif_local_subnet_params p = {360, 100, 3100};
    CHECK_OK(aif_local_chain_add_subnet(lc, 1, &p, &err), err);
    uint16_t uid;
    CHECK_OK(aif_local_chain_register(lc, 1, "5V", "5C", 1e5, 1, &uid, &err), err);
    CHECK_OK(aif_local_chain_register(lc, 1, "5M1", "5C", 0, 0, &uid, &err), err);
    CHECK_OK(aif_local_chain_register(lc, 1, "5M2", "5C", 0, 0, &uid, &err), err);
    CHECK_OK(aif_local_chain_advance(lc, 1, &err), err);
    aif_chain_signer v = signer("5V"), m = signer("5M1");
    uint16_t uids[3] = {0, 1, 2};
    float w[3] = {0.0f, 0.75f, 0.25f};
    size_t n_set;
    CHECK_OK(aif_chain_set_weights(&c, &v, 1, uids, w, 3, 0, &n_set, &err), err);
    CHECK_EQ(n_set, 2);
    CHECK_ERR(aif_chain_set_weights(&c, &v, 1, uids, w, 3, 0, &n_set, &err), AIF_ESTATE, err, "SettingWeightsTooFast");
    CHECK_ERR(aif_chain_set_weights(&c, &m, 1, uids, w, 3, 0, &n_set, &err), AIF_ESTATE, err, "NeuronNoValidatorPermit");
    uint16_t bad[2] = {1, 7};
    float w2[2] = {1, 1};
    CHECK_OK(aif_local_chain_advance(lc, 100, &err), err);
    CHECK_ERR(aif_chain_set_weights(&c, &v, 1, bad, w2, 2, 0, &n_set, &err), AIF_EINVAL, err, "uid 7");
    aif_metagraph mg;
    CHECK_OK(aif_chain_metagraph(&c, 1, &mg, &err), err);
    CHECK_EQ(mg.n, 3);
    CHECK_EQ(mg.block, 101);
    CHECK_EQ(mg.n_weights, 2);
    if (mg.n == 3 && mg.n_weights == 2) {
        CHECK_STR(mg.neurons[2].hotkey, "5M2");
        CHECK_EQ(mg.neurons[0].validator_permit, 1);
        CHECK_NEAR(mg.neurons[0].stake, 1e5, 0);
        CHECK_EQ(mg.neurons[0].last_update, 1);
        /* 0.75 -> 65535, 0.25 -> round(0.25/0.75*65535) = round(21845) */
        CHECK_EQ(mg.weights[0].dest, 1);
        CHECK_EQ(mg.weights[0].weight, 65535);
        CHECK_EQ(mg.weights[1].dest, 2);
        CHECK_EQ(mg.weights[1].weight, 21845);
    }
    aif_metagraph_release(&mg);
    CHECK_ERR(aif_chain_metagraph(&c, 9, &mg, &err), AIF_ENOTFOUND, err, "subnet 9");
    aif_local_chain_close(lc);
}

/* A fixed genesis gives the same block hashes in two separate databases
 * (reproducible local rounds), another genesis other hashes, and the clock
 * does not matter once the genesis is set. */
static void local_chain_fixed_genesis(void)
{
    char hashes[3][67];
    const double genesis[3] = {1700000000.0, 1700000000.0, 1700000001.0};
    double now[3] = {5.0, 99999.0, 5.0};
    for (int i = 0; i < 3; i++) {
        aif_local_chain_opts o = {0, fake_now, &now[i], genesis[i]};
        char path[512];
        snprintf(path, sizeof path, "%s/chain.db", aif_test_tmpdir());
        aif_local_chain *lc = NULL;
        aif_err err;
        hashes[i][0] = 0;
        CHECK_OK(aif_local_chain_open(path, &o, &lc, &err), err);
        if (!lc)
            return;
        aif_chain c = aif_local_chain_as_chain(lc);
        CHECK_OK(aif_local_chain_advance(lc, 300, &err), err);
        CHECK_OK(aif_chain_block_hash(&c, 300, hashes[i], &err), err);
        aif_local_chain_close(lc);
    }
    CHECK_STR(hashes[0], hashes[1]);
    CHECK(strcmp(hashes[0], hashes[2]) != 0);
    CHECK_EQ(strlen(hashes[0]), 66);
}

AIF_TESTS(chain_chain) = {
    {"chain/local_chain_fixed_genesis", local_chain_fixed_genesis},
    {"chain/normalize_weights_like_the_sdk", normalize_weights_like_the_sdk},
    {"chain/local_chain_blocks_and_commitments", local_chain_blocks_and_commitments},
    {"chain/local_chain_weights", local_chain_weights},
    {NULL, NULL},
};
