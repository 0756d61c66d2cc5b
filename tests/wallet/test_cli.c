/* test_cli.c: `aif wallet ...` run as a program ($AIF_BIN) against a temp
 * wallet directory; addresses and files checked against testdata
 * (keys_polkadotjs.json, chain/wallet/coldkeypub.txt from the btwallet
 * test mnemonic). */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/wallet.h"

static const aif_wallet_kdf fast_kdf = {3, 65536, 0}; /* AIF_WALLET_KDF below */

#define BTW_MNEMONIC "old leopard transfer rib spatial phone calm indicate online fire caution review"
#define BTW_SS58 "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX"

static void cli_regen_and_files(void)
{
    const char *dir = aif_test_tmpdir();
    char args[2048], out[8192], path[2048];
    setenv("AIF_WALLET_KDF", "3,65536", 1);
    setenv("AIF_TEST_WALLET_PW", "correct horse", 1);
    /* regen-coldkey, encrypted with the password from the environment */
    snprintf(args, sizeof args, "wallet regen-coldkey --wallet.path %s --wallet.name w1 --mnemonic \"" BTW_MNEMONIC
             "\" --password-env AIF_TEST_WALLET_PW", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    CHECK(strstr(out, BTW_SS58) != NULL);
    /* coldkeypub.txt is byte for byte the testdata one */
    char *got = NULL, *want = NULL;
    size_t gn = 0, wn = 0;
    aif_err err;
    snprintf(path, sizeof path, "%s/w1/coldkeypub.txt", dir);
    CHECK_OK(aif_fs_read_file(path, 4096, &got, &gn, &err), err);
    CHECK_OK(aif_fs_read_file(aif_test_path("chain/wallet/coldkeypub.txt"), 4096, &want, &wn, &err), err);
    CHECK(got && want && gn == wn && !memcmp(got, want, gn));
    aif_free(got);
    aif_free(want);
    /* the coldkey decrypts with that password (same KDF limits) and not without */
    aif_crypto_keypair *kp = NULL;
    snprintf(path, sizeof path, "%s/w1/coldkey", dir);
    CHECK_EQ(aif_wallet_keyfile_path_is_encrypted(path), 1);
    CHECK_OK(aif_wallet_keyfile_load(path, "correct horse", &fast_kdf, &kp, &err), err);
    if (kp)
        CHECK_STR(aif_crypto_keypair_phrase(kp), BTW_MNEMONIC);
    aif_crypto_keypair_free(kp);
    kp = NULL;
    CHECK_ERR(aif_wallet_keyfile_load(path, "wrong", &fast_kdf, &kp, &err), AIF_EAUTH, err, "wrong password");
    /* again without --overwrite: refused, exit 1; with it: fine */
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 1);
    strcat(args, " --overwrite");
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    /* regen-hotkey from the hard-derived //Alice seed (spec §9) gives Alice */
    snprintf(args, sizeof args, "wallet regen-hotkey --wallet.path %s --wallet.name w1 --wallet.hotkey hk "
             "--seed 0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    CHECK(strstr(out, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY") != NULL);
    snprintf(path, sizeof path, "%s/w1/hotkeys/hk", dir);
    CHECK_EQ(aif_wallet_keyfile_path_is_encrypted(path), 0);
    /* regen-coldkeypub from an address and from a public key (Bob) */
    snprintf(args, sizeof args, "wallet regen-coldkeypub --wallet.path %s --wallet.name w2 --ss58 "
             "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    snprintf(args, sizeof args, "wallet regen-coldkeypub --wallet.path %s --wallet.name w3 --public-key "
             "0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    CHECK(strstr(out, "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty") != NULL);
    /* list: every wallet with its addresses */
    snprintf(args, sizeof args, "wallet list --wallet.path %s", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    CHECK(strstr(out, "w1  " BTW_SS58 "  (coldkey encrypted)") != NULL);
    CHECK(strstr(out, "w2  5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty  (no coldkey file)") != NULL);
    CHECK(strstr(out, "hk") && strstr(out, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"));
    snprintf(args, sizeof args, "--json wallet show --wallet.path %s --wallet.name w1", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    CHECK(strstr(out, "\"coldkey\": \"" BTW_SS58 "\"") != NULL);
    CHECK(strstr(out, "\"coldkey_encrypted\": true") != NULL);
    /* usage errors exit 2; a bad mnemonic or address exits 1 */
    snprintf(args, sizeof args, "wallet regen-coldkey --wallet.path %s --wallet.name w4", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 2);
    snprintf(args, sizeof args, "wallet regen-coldkey --wallet.path %s --wallet.name w4 --no-password --mnemonic "
             "\"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon\"", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 1);
    snprintf(args, sizeof args, "wallet regen-coldkeypub --wallet.path %s --wallet.name w4 --ss58 5Grw", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 1);
    CHECK_EQ(aif_test_run_aif_ex("wallet frobnicate", NULL, 0, out, sizeof out), 2);
    /* no password source and no terminal: a clear failure, nothing written */
    snprintf(args, sizeof args, "wallet regen-coldkey --wallet.path %s --wallet.name w5 --mnemonic \"" BTW_MNEMONIC
             "\"", dir);
    int rc = aif_test_run_aif_ex(args, NULL, 0, out, sizeof out);
    CHECK(rc == 1);
    snprintf(path, sizeof path, "%s/w5/coldkey", dir);
    CHECK(!aif_fs_exists(path) || rc == 0);
    unsetenv("AIF_TEST_WALLET_PW");
    unsetenv("AIF_WALLET_KDF");
}

static void cli_new_keys(void)
{
    const char *dir = aif_test_tmpdir();
    char args[2048], out[8192];
    setenv("AIF_WALLET_KDF", "3,65536", 1);
    snprintf(args, sizeof args, "--json wallet new-coldkey --wallet.path %s --wallet.name fresh --no-password "
             "--n-words 24", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    /* the printed mnemonic has 24 words and gives the printed address */
    const char *m = strstr(out, "\"mnemonic\": \""), *a = strstr(out, "\"ss58Address\": \"");
    CHECK(m && a);
    if (m && a) {
        char phrase[AIF_MNEMONIC_MAX], ss58[AIF_SS58_MAX];
        m += 13;
        size_t n = (size_t)(strchr(m, '"') - m);
        CHECK(n < sizeof phrase);
        memcpy(phrase, m, n);
        phrase[n] = '\0';
        aif_crypto_keypair *kp = NULL;
        aif_err err;
        CHECK_OK(aif_crypto_keypair_from_mnemonic(phrase, NULL, &kp, &err), err);
        if (kp) {
            aif_crypto_ss58_encode(aif_crypto_keypair_public(kp), 42, ss58);
            CHECK(!strncmp(a + 16, ss58, strlen(ss58)));
        }
        aif_crypto_keypair_free(kp);
        int spaces = 0;
        for (size_t i = 0; i < n; i++)
            spaces += phrase[i] == ' ';
        CHECK_EQ(spaces, 23);
    }
    snprintf(args, sizeof args, "wallet new-hotkey --wallet.path %s --wallet.name fresh --wallet.hotkey h2", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    CHECK(strstr(out, "hotkey   5") != NULL && strstr(out, "mnemonic ") != NULL);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 1); /* exists */
    snprintf(args, sizeof args, "wallet new-hotkey --wallet.path %s --n-words 13", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 1);
    unsetenv("AIF_WALLET_KDF");
}

static void cli_sign_verify(void)
{
    /* The BT_PW_ variable name is made from the path; the test tmpdir has '-'
     * in it, which /bin/sh (popen) drops from the environment: use a link. */
    char dir[64], args[4096], out[8192], path[2048];
    snprintf(dir, sizeof dir, "/tmp/aifwallettest%ld", (long)getpid());
    unlink(dir);
    CHECK(symlink(aif_test_tmpdir(), dir) == 0);
    aif_err err;
    setenv("AIF_WALLET_KDF", "3,65536", 1);
    /* the testdata hotkey (plaintext) signs; the polkadot-js public key verifies */
    snprintf(args, sizeof args, "wallet sign --wallet.path %s --wallet.name wallet --use-hotkey --message hello",
             aif_test_path("chain"));
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    uint8_t sig[64], pk[32];
    size_t n = 0;
    out[strcspn(out, "\n")] = '\0';
    CHECK_OK(aif_crypto_hex_decode(out, strlen(out), sig, 64, &n, &err), err);
    CHECK_EQ(n, 64);
    CHECK_OK(aif_crypto_hex_decode("625e25364c7b68e0a83065ccb40afed43f8fe933e669b24f3d69a57eddb3b715", 64, pk, 32, &n,
                                   &err), err); /* keys_polkadotjs.json, "legal winner ..." */
    CHECK_OK(aif_crypto_sr25519_verify(pk, "hello", 5, sig, &err), err);
    /* an encrypted coldkey, password from btwallet's BT_PW_<PATH> variable */
    snprintf(args, sizeof args, "wallet regen-coldkey --wallet.path %s --wallet.name enc --mnemonic \"" BTW_MNEMONIC
             "\" --password-env AIF_TEST_PW", dir);
    setenv("AIF_TEST_PW", "pw", 1);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    unsetenv("AIF_TEST_PW");
    snprintf(path, sizeof path, "%s/enc/coldkey", dir);
    char name[2200], val[64];
    size_t k = (size_t)snprintf(name, sizeof name, "BT_PW_%s", path);
    for (size_t i = 6; i < k; i++)
        name[i] = name[i] == '/' || name[i] == '.' ? '_' : (name[i] >= 'a' && name[i] <= 'z') ? name[i] - 32 : name[i];
    uint8_t x[2] = {(uint8_t)('p' ^ name[0]), (uint8_t)('w' ^ name[1])};
    aif_crypto_base64_encode(x, 2, val);
    setenv(name, val, 1);
    snprintf(args, sizeof args, "wallet sign --wallet.path %s --wallet.name enc --message-hex 0x0102", dir);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    out[strcspn(out, "\n")] = '\0';
    CHECK_OK(aif_crypto_hex_decode(out, strlen(out), sig, 64, &n, &err), err);
    CHECK_OK(aif_crypto_hex_decode("e4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446", 64, pk, 32, &n,
                                   &err), err);
    CHECK_OK(aif_crypto_sr25519_verify(pk, "\x01\x02", 2, sig, &err), err);
    /* wrong password in the variable: exit 1 */
    x[0] ^= 1;
    aif_crypto_base64_encode(x, 2, val);
    setenv(name, val, 1);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 1);
    unsetenv(name);
    /* no password source, no terminal: exit 1 */
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 1);
    /* verify: polkadot-js signatures from testdata, valid and not */
    static const char *alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    static const char *sig_hello = "0xe67da3da1a9a5393b7a0cfdabb04a9cbe3ac15335626f089048b1c1a72777c329c33ea889ee67ed2"
                                   "871c71642f4e8c71b54a8011ee73c8919f69d96bc6854384";
    snprintf(args, sizeof args, "wallet verify --message hello --address %s --signature %s", alice, sig_hello);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    CHECK_STR(out, "valid\n");
    snprintf(args, sizeof args, "wallet verify --message-hex 0x68656c6c6f00 --address %s --signature %s", alice,
             sig_hello);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 1);
    CHECK_STR(out, "invalid\n");
    snprintf(args, sizeof args, "wallet verify --message hello --address %s --signature 0x12", alice);
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 1);
    CHECK_EQ(aif_test_run_aif_ex("wallet verify --message hello", NULL, 0, out, sizeof out), 2);
    unsetenv("AIF_WALLET_KDF");
    unlink(dir);
}

AIF_TESTS(wallet_cli) = {
    {"wallet/cli_regen_and_files", cli_regen_and_files},
    {"wallet/cli_new_keys", cli_new_keys},
    {"wallet/cli_sign_verify", cli_sign_verify},
    {NULL, NULL},
};
