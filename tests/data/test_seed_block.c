/* test_seed_block.c: --seed-block N reads the hash of N's sync block
 * (floor(N/150)*150, reference 5.2) from a chain and seeds the data with
 * it: the same as giving that hash with --block-hash, the same for every
 * block of one sync window, different for another window. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/local.h"

/* `aif data show ... --json` into dir/name; returns the exit status. */
static int show(const char *dir, const char *name, const char *seed_args)
{
    const char *bin = getenv("AIF_BIN");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s data show --data corpus --dataset reasoning --json %s > %s/%s 2>&1",
             bin ? bin : "build/aif", seed_args, dir, name);
    return system(cmd);
}

static char *slurp(const char *dir, const char *name)
{
    char p[1024], *text = NULL;
    size_t n;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    aif_fs_read_file(p, 1 << 24, &text, &n, NULL);
    return text;
}

static void seed_block_reads_the_sync_block_hash(void)
{
    if (aif_test_injecting())
        return;
    const char *dir = aif_test_tmpdir();
    char db[1024], args[2048], hash[67];
    snprintf(db, sizeof db, "%s/chain.db", dir);
    aif_local_chain_opts o = {0, NULL, NULL};
    aif_local_chain *lc;
    aif_err err;
    CHECK_OK(aif_local_chain_open(db, &o, &lc, &err), err);
    if (!lc)
        return;
    CHECK_OK(aif_local_chain_advance(lc, 500, &err), err);
    aif_chain c = aif_local_chain_as_chain(lc);
    CHECK_OK(aif_chain_block_hash(&c, 300, hash, &err), err);
    aif_local_chain_close(lc);

    snprintf(args, sizeof args, "--seed-block 310 --chain local --chain.path %s", db);
    CHECK_EQ(show(dir, "a.json", args), 0);
    snprintf(args, sizeof args, "--seed-block 449 --chain local --chain.path %s", db);
    CHECK_EQ(show(dir, "b.json", args), 0);
    snprintf(args, sizeof args, "--block-hash %s", hash);
    CHECK_EQ(show(dir, "c.json", args), 0);
    snprintf(args, sizeof args, "--seed-block 450 --chain local --chain.path %s", db);
    CHECK_EQ(show(dir, "d.json", args), 0);
    char *a = slurp(dir, "a.json"), *b = slurp(dir, "b.json"), *h = slurp(dir, "c.json"), *d = slurp(dir, "d.json");
    CHECK(a && b && h && d);
    if (a && b && h && d) {
        CHECK(strstr(a, "\"pages\"") != NULL);
        CHECK(strstr(a, hash) != NULL); /* the JSON names the hash it used */
        CHECK(!strcmp(a, b));           /* 310 and 449 share sync block 300 */
        CHECK(!strcmp(a, h));           /* ... whose hash the chain gave */
        CHECK(strcmp(a, d) != 0);       /* 450 starts the next window */
    }
    aif_free(a);
    aif_free(b);
    aif_free(h);
    aif_free(d);
    /* A block the chain does not have yet is an error naming it. */
    snprintf(args, sizeof args, "--seed-block 9000 --chain local --chain.path %s", db);
    CHECK(show(dir, "e.json", args) != 0);
    char *e = slurp(dir, "e.json");
    CHECK(e && strstr(e, "9000") != NULL);
    aif_free(e);
}

AIF_TESTS(data_seed_block) = {
    {"data/seed_block_reads_the_sync_block_hash", seed_block_reads_the_sync_block_hash},
    {NULL, NULL},
};
