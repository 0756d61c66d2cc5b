/* test_cli.c: `aif validator` option handling. Scoring is not wired into
 * the command yet, so a complete command line must stop with a clear
 * "not available" error before touching the model directory. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "aif/fs.h"
#include "aif/local.h"
#include "aif/wallet.h"

/* Run `$AIF_BIN args`, collecting stdout+stderr; returns the exit status. */
static int run_aif(const char *args, char *out, size_t cap)
{
    const char *bin = getenv("AIF_BIN");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin ? bin : "build/aif", args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void cli_validator_options(void)
{
    if (aif_test_injecting())
        return;
    static char out[65536];
    const char *dir = aif_test_tmpdir();
    char chain[512], hub[512], models[512], args[3000];
    snprintf(chain, sizeof chain, "%s/chain.db", dir);
    snprintf(hub, sizeof hub, "%s/hub", dir);
    snprintf(models, sizeof models, "%s/models", dir);
    aif_local_chain *lc;
    aif_err err;
    CHECK_OK(aif_local_chain_open(chain, NULL, &lc, &err), err);
    aif_local_chain_close(lc);

    CHECK_EQ(run_aif("validator --hotkey 5V", out, sizeof out), 2);
    CHECK(strstr(out, "--model_dir") != NULL);
    snprintf(args, sizeof args, "validator --model_dir %s", models);
    CHECK_EQ(run_aif(args, out, sizeof out), 2);
    CHECK(strstr(out, "--hotkey") != NULL);
    snprintf(args, sizeof args, "validator --model_dir %s --hotkey 5V --once --steps 2", models);
    CHECK_EQ(run_aif(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "validator --model_dir %s --hotkey 5V", models);
    CHECK_EQ(run_aif(args, out, sizeof out), 1);
    CHECK(strstr(out, "only the local chain") != NULL);
    snprintf(args, sizeof args,
             "validator --model_dir %s --chain local --chain.path %s --hub local --hub.path %s --wallet.name w "
             "--wallet.hotkey h",
             models, chain, hub);
    CHECK_EQ(run_aif(args, out, sizeof out), 1);
    CHECK(strstr(out, "hotkeys/hpub.txt") != NULL); /* no such wallet */
    /* A wallet with //Alice as hotkey: it loads, and the command goes on to
     * the evaluator (not available yet). */
    aif_crypto_keypair *kp;
    CHECK_OK(aif_crypto_keypair_from_suri("//Alice", &kp, &err), err);
    aif_wallet w;
    CHECK_OK(aif_wallet_init(&w, dir, "w", "h", &err), err);
    CHECK_OK(aif_wallet_save(&w, AIF_WALLET_HOTKEYPUB, kp, NULL, NULL, 0, &err), err);
    aif_crypto_keypair_free(kp);
    snprintf(args, sizeof args,
             "validator --model_dir %s --chain local --chain.path %s --hub local --hub.path %s --wallet.path %s "
             "--wallet.name w --wallet.hotkey h --once",
             models, chain, hub, dir);
    CHECK_EQ(run_aif(args, out, sizeof out), 1);
    CHECK(strstr(out, "not available yet") != NULL);
    snprintf(args, sizeof args,
             "validator --model_dir %s --chain local --chain.path %s --hub local --hub.path %s --hotkey 5V "
             "--schedule nope --once",
             models, chain, hub);
    CHECK_EQ(run_aif(args, out, sizeof out), 1);
    CHECK(strstr(out, "nope") != NULL);
    snprintf(args, sizeof args,
             "validator --model_dir %s --chain local --chain.path %s --hub local --hub.path %s --hotkey 5V "
             "--schedule local --once",
             models, chain, hub);
    CHECK_EQ(run_aif(args, out, sizeof out), 1);
    CHECK(strstr(out, "AIF_ENOTSUP") || strstr(out, "not available yet"));
    CHECK(!aif_fs_exists(models)); /* stopped before creating any state */
}

AIF_TESTS(validator_cli) = {
    {"validator/cli_validator_options", cli_validator_options},
    {NULL, NULL},
};
