/* test_cli.c: `aif chain ...` run as a program ($AIF_BIN) against the
 * played chain (chain_player.c), signing with the testdata wallet's
 * hotkey ("legal winner ... yellow", whose SS58 polkadot-js computed in
 * testdata/chain/keys_polkadotjs.json). */
#include "harness.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "chain/chain_player.h"

#define HOTKEY_SS58 "5EHgWw2Af1pnoc7f1A8bfmM97W3DAYW8xr82RfhLL9oAabAe"

static void cli_commit_query_block(void)
{
    setenv("XDG_CACHE_HOME", aif_test_tmpdir(), 1); /* the metadata cache goes to a temp dir */
    cp_player *p = cp_start(NULL);
    cp_set_spec(p, 343, 1);
    cp_set_best(p, 5000);
    cp_set_auto_advance(p, 1);
    char wroot[1024];
    snprintf(wroot, sizeof wroot, "%s", cp_path("chain"));
    char args[4096], out[16384];
    /* commit with the wallet hotkey */
    snprintf(args, sizeof args,
             "chain commit 'model:v1' --netuid 80 --subtensor.chain_endpoint %s --wallet.path %s "
             "--wallet.name wallet --wallet.hotkey default --json", cp_url(p), wroot);
    CHECK_EQ(aif_test_run_aif(args, out, sizeof out), 0);
    json_error_t je;
    const char *brace = strchr(out, '{');
    json_t *j = brace ? json_loads(brace, 0, &je) : NULL;
    CHECK(j != NULL);
    CHECK_STR(json_string_value(json_object_get(j, "hotkey")), HOTKEY_SS58);
    json_decref(j);
    CHECK_EQ(cp_submissions(p), 1);
    if (cp_submission_get(p, 0)) {
        CHECK(cp_submission_get(p, 0)->sig_ok);
        CHECK_EQ(cp_submission_get(p, 0)->nonce, 0);
    }
    /* read it back: Raw8 "model:v1" = 6d6f64656c3a7631 */
    snprintf(args, sizeof args, "chain query Commitments CommitmentOf '[80, \"%s\"]' --subtensor.chain_endpoint %s",
             HOTKEY_SS58, cp_url(p));
    CHECK_EQ(aif_test_run_aif(args, out, sizeof out), 0);
    CHECK(strstr(out, "\"raw8\":\"0x6d6f64656c3a7631\"") != NULL || strstr(out, "\"raw8\": \"0x6d6f64656c3a7631\""));
    /* block N -> its hash */
    snprintf(args, sizeof args, "chain block 0 --json --chain %s", cp_url(p));
    CHECK_EQ(aif_test_run_aif(args, out, sizeof out), 0);
    CHECK(strstr(out, "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03") != NULL);
    /* weights on a subnet without commit/reveal: spec 8.4 worked call */
    cp_storage_set(p, "0x658faa385070e074c85bf6b568cf05558fb0d3eb3d4ea01122652b09d1d43c655000", "0x00");
    snprintf(args, sizeof args,
             "chain weights --netuid 80 --uids 0,5 --weights 1,0.5 --version-key 9000000 --subtensor.chain_endpoint %s "
             "--wallet.path %s --wallet.name wallet --json", cp_url(p), wroot);
    CHECK_EQ(aif_test_run_aif(args, out, sizeof out), 0);
    CHECK(strstr(out, "\"weights_set\": 2") != NULL);
    CHECK_EQ(cp_submissions(p), 2);
    const cp_submission *ws = cp_submission_get(p, 1);
    if (ws) {
        static const uint8_t want[] = {0x07, 0x00, 0x50, 0x00, 0x08, 0x00, 0x00, 0x05, 0x00, 0x08, 0xff,
                                       0xff, 0x00, 0x80, 0x40, 0x54, 0x89, 0x00, 0x00, 0x00, 0x00, 0x00};
        CHECK(ws->sig_ok);
        CHECK_EQ(ws->nonce, 1);
        CHECK(ws->call_len == sizeof want && !memcmp(ws->call, want, sizeof want));
    }
    CHECK_EQ(aif_test_run_aif("chain weights --netuid 80 --uids 0,5 --weights 1 --subtensor.network local", out, sizeof out), 2);
    /* every command after the first read the metadata from the cache */
    CHECK_EQ(cp_count(p, "state_call"), 1);
    /* usage errors and an unreachable node */
    CHECK_EQ(aif_test_run_aif("chain metagraph --subtensor.network local", out, sizeof out), 2);
    CHECK_EQ(aif_test_run_aif("chain commitments --netuid 1 --subtensor.network nowhere", out, sizeof out), 1);
    CHECK(strstr(out, "unknown network") != NULL);
    CHECK_EQ(aif_test_run_aif("chain block --timeout 2 --attempts 1 --subtensor.chain_endpoint http://127.0.0.1:9", out, sizeof out), 1);
    CHECK(strstr(out, "aif: error:") != NULL);
    cp_stop(p);
}

/* metagraph and commitments of the recorded spec-343 subnet 1 */
static void cli_metagraph_recorded(void)
{
    setenv("XDG_CACHE_HOME", aif_test_tmpdir(), 1);
    const char *tests[] = {"metagraph", NULL};
    cp_player *p = cp_start(tests);
    static char out[1 << 20];
    char args[1024];
    snprintf(args, sizeof args, "chain metagraph --netuid 1 --json --subtensor.chain_endpoint %s", cp_url(p));
    CHECK_EQ(aif_test_run_aif(args, out, sizeof out), 0);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    CHECK(j != NULL);
    CHECK_EQ(json_integer_value(json_object_get(j, "block")), 6852690);
    json_t *ns = json_object_get(j, "neurons");
    CHECK_EQ(json_array_size(ns), 1024);
    /* uid 0 as polkadot-js decoded it (subtensor_state_call_decoded.json) */
    json_t *n0 = json_array_get(ns, 0);
    CHECK_STR(json_string_value(json_object_get(n0, "hotkey")), "5DkMmXtWf16RNdusZGCrJ7ca7ADPgRnZLVWCWbgA7s7sy1AQ");
    CHECK_EQ(json_integer_value(json_object_get(n0, "registration_block")), 6575900);
    json_decref(j);
    snprintf(args, sizeof args, "chain metagraph --netuid 1 --subtensor.chain_endpoint %s", cp_url(p));
    CHECK_EQ(aif_test_run_aif(args, out, sizeof out), 0);
    CHECK(strstr(out, "subnet 1 at block 6852690: 1024 neurons") != NULL);
    /* no CommitmentOf entries under subnet 1 on the played chain: [] */
    snprintf(args, sizeof args, "chain commitments --netuid 1 --json --subtensor.chain_endpoint %s", cp_url(p));
    CHECK_EQ(aif_test_run_aif(args, out, sizeof out), 0);
    CHECK(out[0] == '[' && strchr(out, ']') != NULL);
    cp_stop(p);
}

AIF_TESTS(chain_cli) = {
    {"chain/cli_metagraph_recorded", cli_metagraph_recorded},
    {"chain/cli_commit_query_block", cli_commit_query_block},
    {NULL, NULL},
};
