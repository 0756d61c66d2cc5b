/* test_localdir.c: a local subnet directory (local.h): the wallets init
 * writes are read back by the wallet module and match the hotkeys the
 * chain registered, in uid order; local.json round-trips; assets are
 * found through AIF_HOME; the corpus token stream decodes back to the
 * corpus text. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"
#include "aif/local.h"
#include "aif/tokenizer.h"
#include "aif/wallet.h"

static void init_registers_wallets_in_uid_order(void)
{
    char root[1100];
    snprintf(root, sizeof root, "%s/net", aif_test_tmpdir());
    aif_local_init_opts o = {0};
    o.netuid = 7;
    o.n_miners = 3;
    o.n_validators = 2;
    o.block_time = -1;
    o.validator_stake = 250;
    aif_err err;
    aif_local_member *m = NULL;
    size_t n = 0;
    CHECK_OK(aif_local_dir_init(root, &o, &m, &n, &err), err);
    CHECK_EQ(n, 5);
    if (n != 5) {
        aif_free(m);
        return;
    }
    aif_local_dir d;
    CHECK_OK(aif_local_dir_load(root, &d, &err), err);
    CHECK_EQ(d.netuid, 7);
    CHECK_NEAR(d.block_time, 0, 0);
    CHECK_EQ(d.params.tempo, 360);
    CHECK_EQ(d.params.commit_max_space, 3100);

    aif_local_chain *lc = NULL;
    aif_local_chain_opts co = {0, NULL, NULL};
    CHECK_OK(aif_local_chain_open(d.chain, &co, &lc, &err), err);
    aif_chain ch = aif_local_chain_as_chain(lc);
    aif_metagraph mg;
    CHECK_OK(aif_chain_metagraph(&ch, 7, &mg, &err), err);
    CHECK_EQ(mg.n, 5);
    const char *names[5] = {"validator1", "validator2", "miner1", "miner2", "miner3"};
    for (size_t i = 0; i < n && i < mg.n; i++) {
        CHECK_EQ(m[i].uid, i);
        CHECK_STR(m[i].wallet, names[i]);
        CHECK_EQ(m[i].is_validator, i < 2);
        /* the wallet files, read by the wallet module without a password */
        aif_wallet w;
        CHECK_OK(aif_wallet_init(&w, d.wallets, names[i], "default", &err), err);
        aif_crypto_keypair *hot = NULL, *cold = NULL;
        CHECK_OK(aif_wallet_load(&w, AIF_WALLET_HOTKEY, NULL, NULL, &hot, &err), err);
        CHECK_OK(aif_wallet_load(&w, AIF_WALLET_COLDKEY, NULL, NULL, &cold, &err), err);
        char ss58[AIF_SS58_MAX];
        if (hot) {
            CHECK(aif_crypto_keypair_has_secret(hot));
            aif_crypto_ss58_encode(aif_crypto_keypair_public(hot), AIF_SS58_BITTENSOR, ss58);
            CHECK_STR(ss58, m[i].hotkey_ss58);
            CHECK_STR(mg.neurons[i].hotkey, ss58);
            /* the keys sign: a signature verifies under the registered address */
            uint8_t sig[64], pk[32], rnd[32] = {1};
            CHECK_OK(aif_crypto_sr25519_sign(hot, "hi", 2, rnd, sig, &err), err);
            CHECK_OK(aif_crypto_ss58_decode(mg.neurons[i].hotkey, pk, NULL, &err), err);
            CHECK_OK(aif_crypto_sr25519_verify(pk, "hi", 2, sig, &err), err);
        }
        if (cold) {
            aif_crypto_ss58_encode(aif_crypto_keypair_public(cold), AIF_SS58_BITTENSOR, ss58);
            CHECK_STR(ss58, m[i].coldkey_ss58);
            CHECK_STR(mg.neurons[i].coldkey, ss58);
        }
        aif_crypto_keypair_free(hot);
        aif_crypto_keypair_free(cold);
        /* plaintext keyfiles: no KDF involved */
        char path[2048];
        CHECK_OK(aif_wallet_file_path(&w, AIF_WALLET_COLDKEY, path, sizeof path, &err), err);
        CHECK_EQ(aif_wallet_keyfile_path_is_encrypted(path), 0);
        CHECK_NEAR(mg.neurons[i].stake, i < 2 ? 250.0 : 0.0, 0);
        CHECK_EQ(mg.neurons[i].validator_permit, i < 2);
    }
    /* every hotkey differs */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            CHECK(strcmp(m[i].hotkey_ss58, m[j].hotkey_ss58) != 0);
    aif_metagraph_release(&mg);
    aif_local_chain_close(lc);

    /* a second init refuses, --force replaces with new keys */
    aif_local_member *m2 = NULL;
    size_t n2 = 0;
    CHECK_ERR(aif_local_dir_init(root, &o, &m2, &n2, &err), AIF_EEXIST, err, "--force");
    o.force = 1;
    o.n_miners = 1;
    o.n_validators = 1;
    CHECK_OK(aif_local_dir_init(root, &o, &m2, &n2, &err), err);
    CHECK_EQ(n2, 2);
    if (n2 == 2)
        CHECK(strcmp(m2[0].hotkey_ss58, m[0].hotkey_ss58) != 0);
    char path[1300];
    snprintf(path, sizeof path, "%s/wallets/miner3", root);
    CHECK(!aif_fs_exists(path));
    aif_free(m);
    aif_free(m2);
}

static void dir_load_rejects_bad_config(void)
{
    const char *root = aif_test_tmpdir();
    aif_local_dir d;
    aif_err err;
    CHECK_ERR(aif_local_dir_load(root, &d, &err), AIF_ENOTFOUND, err, "aif local init");
    char path[1300];
    snprintf(path, sizeof path, "%s/local.json", root);
    const char *bad[] = {
        "[1]",
        "{\"format\": \"other\"}",
        "{\"format\": \"aif-local\", \"netuid\": 70000, \"block_time\": 1, \"tempo\": 1, \"weights_rate_limit\": 1, "
        "\"commit_max_space\": 1}",
        "{\"format\": \"aif-local\", \"netuid\": 1, \"block_time\": 1, \"tempo\": 0, \"weights_rate_limit\": 1, "
        "\"commit_max_space\": 1}",
        "{\"format\": \"aif-local\", \"netuid\": 1}",
    };
    const char *want[] = {"not a JSON object", "format", "netuid", "tempo", "block_time"};
    for (size_t i = 0; i < 5; i++) {
        CHECK_OK(aif_fs_write_file(path, bad[i], strlen(bad[i]), &err), err);
        aif_code rc = aif_local_dir_load(root, &d, &err);
        CHECK(rc != AIF_OK);
        CHECK(strstr(err.msg, want[i]) != NULL);
    }
}

static void find_asset_honours_aif_home(void)
{
    const char *home = aif_test_tmpdir();
    char dir[1300], out[4096];
    snprintf(dir, sizeof dir, "%s/corpus", home);
    aif_err err;
    CHECK_OK(aif_fs_mkdirs(dir, &err), err);
    char *old = getenv("AIF_HOME") ? aif_strdup(getenv("AIF_HOME")) : NULL;
    setenv("AIF_HOME", home, 1);
    CHECK_OK(aif_local_find_asset("corpus", out, sizeof out, &err), err);
    CHECK(strstr(out, "/corpus") != NULL);
    CHECK(aif_fs_is_dir(out));
    CHECK_ERR(aif_local_find_asset("assets/nothing-here", out, sizeof out, &err), AIF_ENOTFOUND, err, "AIF_HOME");
    if (old)
        setenv("AIF_HOME", old, 1);
    else
        unsetenv("AIF_HOME");
    aif_free(old);
    /* without AIF_HOME: the test binary is build/test/aif-test, the assets
     * are two levels up */
    if (!getenv("AIF_HOME")) {
        CHECK_OK(aif_local_find_asset("assets/local-tokenizer/tokenizer.json", out, sizeof out, &err), err);
        CHECK(aif_fs_exists(out));
    }
}

static void corpus_tokens_decode_to_the_texts(void)
{
    const char *tmp = aif_test_tmpdir();
    char dir[1300], path[1400], tok_path[4096];
    aif_err err;
    snprintf(dir, sizeof dir, "%s/corpus", tmp);
    CHECK_OK(aif_fs_mkdirs(dir, &err), err);
    /* b.jsonl sorts after a.jsonl; other files are ignored */
    snprintf(path, sizeof path, "%s/b.jsonl", dir);
    const char *b = "{\"text\": \"second file\"}\n";
    CHECK_OK(aif_fs_write_file(path, b, strlen(b), &err), err);
    snprintf(path, sizeof path, "%s/a.jsonl", dir);
    const char *a = "{\"text\": \"Hello world.\", \"meta\": 1}\n\n{\"text\": \"The cat sat\"}\n";
    CHECK_OK(aif_fs_write_file(path, a, strlen(a), &err), err);
    snprintf(path, sizeof path, "%s/README.md", dir);
    CHECK_OK(aif_fs_write_file(path, "x", 1, &err), err);
    if (aif_local_find_asset("assets/local-tokenizer/tokenizer.json", tok_path, sizeof tok_path, &err) != AIF_OK) {
        CHECK_OK(AIF_ENOTFOUND, err);
        return;
    }
    int32_t *ids = NULL, eos = -1;
    size_t n = 0, vocab = 0;
    CHECK_OK(aif_local_corpus_tokens(dir, tok_path, &ids, &n, &vocab, &eos, &err), err);
    CHECK_EQ(vocab, 1024); /* 1023 + <|endoftext|> in assets/local-tokenizer/tokenizer.json */
    CHECK_EQ(eos, 1023);
    /* three documents, each closed by EOS, decoding back to the texts in order */
    const char *texts[3] = {"Hello world.", "The cat sat", "second file"};
    size_t start = 0, doc = 0;
    aif_tokenizer *tok = NULL;
    CHECK_OK(aif_tokenizer_load(tok_path, &tok, &err), err);
    for (size_t i = 0; tok && i < n; i++) {
        if (ids[i] != eos)
            continue;
        CHECK(doc < 3);
        if (doc >= 3)
            break;
        char *text = NULL;
        size_t len = 0;
        CHECK_OK(aif_tokenizer_decode(tok, ids + start, i - start, 0, &text, &len, &err), err);
        if (text)
            CHECK_STR(text, texts[doc]);
        aif_free(text);
        doc++;
        start = i + 1;
    }
    CHECK_EQ(doc, 3);
    CHECK_EQ(start, n);
    aif_tokenizer_free(tok);
    aif_free(ids);
    /* a line that is not a row object names the file and the line */
    snprintf(path, sizeof path, "%s/c.jsonl", dir);
    CHECK_OK(aif_fs_write_file(path, "{\"text\": 1}\n", 12, &err), err);
    CHECK_ERR(aif_local_corpus_tokens(dir, tok_path, &ids, &n, &vocab, &eos, &err), AIF_EFORMAT, err,
              "c.jsonl: line 1");
    CHECK_ERR(aif_local_corpus_tokens("/nonexistent", tok_path, &ids, &n, &vocab, &eos, &err), AIF_ENOTFOUND, err,
              "/nonexistent");
}

AIF_TESTS(local_dir) = {
    {"local/init_registers_wallets_in_uid_order", init_registers_wallets_in_uid_order},
    {"local/dir_load_rejects_bad_config", dir_load_rejects_bad_config},
    {"local/find_asset_honours_aif_home", find_asset_honours_aif_home},
    {"local/corpus_tokens_decode_to_the_texts", corpus_tokens_decode_to_the_texts},
    {NULL, NULL},
};
