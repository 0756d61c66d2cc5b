/* test_cli_local.c: `aif local init|status|advance|demo-models`, `aif
 * push`, `aif models` and `aif best` ($AIF_BIN) on a local subnet in a
 * temporary directory: one miner's push is followed through the chain, and
 * its secure hash is recomputed here with coreutils from the model files
 * and the hotkey that init printed. */
#include "harness.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "aif/alloc.h"
#include "aif/fs.h"

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        aif_test_fail(__FILE__, __LINE__, "not JSON (%s): %.300s", je.text, text);
    return j;
}

static void cli_local_round(void)
{
    const char *bin = getenv("AIF_BIN");
    if (!bin) {
        fprintf(stderr, "     (AIF_BIN not set: skipped)\n");
        return;
    }
    const char *tmp = aif_test_tmpdir();
    static char out[1 << 16];
    char cmd[8192];

    /* init: 1 validator (uid 0) and 2 miners (uids 1, 2) */
    snprintf(cmd, sizeof cmd, "local init --dir %s/net --miners 2 --block-time 0 --json", tmp);
    CHECK_EQ(aif_test_run_aif_ex(cmd, NULL, 0, out, sizeof out), 0);
    json_t *j = parse(out);
    json_t *ns = json_object_get(j, "neurons");
    CHECK_EQ(json_array_size(ns), 3);
    char miner1[64] = "";
    if (json_array_size(ns) == 3) {
        json_t *m1 = json_array_get(ns, 1);
        CHECK_STR(json_string_value(json_object_get(m1, "wallet")), "miner1");
        CHECK_EQ(json_integer_value(json_object_get(m1, "uid")), 1);
        CHECK_STR(json_string_value(json_object_get(json_array_get(ns, 0), "role")), "validator");
        snprintf(miner1, sizeof miner1, "%s", json_string_value(json_object_get(m1, "hotkey_ss58")));
    }
    json_decref(j);
    /* the same wallet through `aif wallet show` */
    snprintf(cmd, sizeof cmd, "wallet show --wallet.path %s/net/wallets --wallet.name miner1", tmp);
    CHECK_EQ(aif_test_run_aif(cmd, out, sizeof out), 0);
    CHECK(*miner1 && strstr(out, miner1) != NULL);
    /* init again without --force */
    snprintf(cmd, sizeof cmd, "local init --dir %s/net", tmp);
    CHECK_EQ(aif_test_run_aif(cmd, out, sizeof out), 1);
    CHECK(strstr(out, "--force") != NULL);

    /* advance and status */
    snprintf(cmd, sizeof cmd, "local advance 5 --dir %s/net", tmp);
    CHECK_EQ(aif_test_run_aif_ex(cmd, NULL, 0, out, sizeof out), 0);
    CHECK_STR(out, "block 5\n");
    snprintf(cmd, sizeof cmd, "local status --dir %s/net --json", tmp);
    CHECK_EQ(aif_test_run_aif_ex(cmd, NULL, 0, out, sizeof out), 0);
    j = parse(out);
    CHECK_EQ(json_integer_value(json_object_get(j, "block")), 5);
    CHECK_EQ(json_integer_value(json_object_get(json_object_get(j, "subnet"), "netuid")), 80);
    CHECK_EQ(json_array_size(json_object_get(j, "neurons")), 3);
    CHECK_EQ(json_array_size(json_object_get(j, "commitments")), 0);
    json_decref(j);

    /* demo-models: one model with repeat penalty 20 */
    snprintf(cmd, sizeof cmd, "local demo-models --dir %s/net --penalties 20 --json -q", tmp);
    CHECK_EQ(aif_test_run_aif_ex(cmd, NULL, 0, out, sizeof out), 0);
    j = parse(out);
    json_t *m0 = json_array_get(json_object_get(j, "models"), 0);
    /* V = 1024: 12 V^2 + 3 * 2V * 8 + 3 * 2V = 12582912 + 49152 + 6144 */
    CHECK_EQ(json_integer_value(json_object_get(m0, "parameters")), 12638208);
    json_decref(j);
    char model[1200];
    snprintf(model, sizeof model, "%s/net/models/demo-p20", tmp);
    CHECK(aif_fs_exists(model));

    /* push as miner1 */
    snprintf(cmd, sizeof cmd,
             "push %s --hf_repo_id bob/tiny --competition_id 99 --wallet.name miner1 --wallet.hotkey default "
             "--local %s/net --retry-delay 0 --max-attempts 2 --json -q", model, tmp);
    CHECK_EQ(aif_test_run_aif_ex(cmd, NULL, 0, out, sizeof out), 0);
    j = parse(out);
    CHECK_EQ(json_integer_value(json_object_get(j, "uid")), 1);
    CHECK_EQ(json_integer_value(json_object_get(j, "block")), 5);
    char secure[64] = "", commit[64] = "";
    snprintf(secure, sizeof secure, "%s", json_string_value(json_object_get(j, "secure_hash")));
    snprintf(commit, sizeof commit, "%s", json_string_value(json_object_get(j, "commit")));
    json_decref(j);
    char want[128];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && h=$(for f in config.json generation_config.json model.safetensors; do "
             "sha256sum \"$f\" | cut -c1-64 | xxd -r -p | base64; done | tr -d '\\n' | sha256sum | cut -c1-64 | "
             "xxd -r -p | base64) && printf %%s \"${h}%s\" | sha256sum | cut -c1-64 | xxd -r -p | base64",
             model, miner1);
    CHECK_EQ(aif_test_run_sh(cmd, want, sizeof want), 0);
    want[strcspn(want, "\n")] = 0;
    CHECK_EQ(strlen(want), 44);
    CHECK_STR(secure, want);

    /* models and best see it */
    snprintf(cmd, sizeof cmd, "models --local %s/net --json", tmp);
    CHECK_EQ(aif_test_run_aif_ex(cmd, NULL, 0, out, sizeof out), 0);
    j = parse(out);
    json_t *ms = json_object_get(j, "models");
    CHECK_EQ(json_array_size(ms), 1);
    json_t *e = json_array_get(ms, 0);
    CHECK_STR(json_string_value(json_object_get(e, "repo")), "bob/tiny");
    CHECK_STR(json_string_value(json_object_get(e, "commit")), commit);
    CHECK_STR(json_string_value(json_object_get(e, "hotkey")), miner1);
    CHECK_EQ(json_integer_value(json_object_get(e, "competition_id")), 99);
    json_decref(j);
    snprintf(cmd, sizeof cmd, "models --local %s/net --competition 1", tmp);
    CHECK_EQ(aif_test_run_aif_ex(cmd, NULL, 0, out, sizeof out), 0);
    CHECK(strstr(out, "bob/tiny") == NULL);
    snprintf(cmd, sizeof cmd, "best --local %s/net --competition 99", tmp);
    CHECK_EQ(aif_test_run_aif_ex(cmd, NULL, 0, out, sizeof out), 0);
    CHECK(strstr(out, "best uid for competition 99: 1") != NULL);
    CHECK(strstr(out, "bob/tiny") != NULL);
    snprintf(cmd, sizeof cmd, "best --local %s/net --competition 5", tmp);
    CHECK_EQ(aif_test_run_aif_ex(cmd, NULL, 0, out, sizeof out), 1);

    /* a pickle file: refused, nothing uploaded */
    char path[1400];
    snprintf(path, sizeof path, "%s/pytorch_model.bin", model);
    aif_err err;
    CHECK_OK(aif_fs_write_file(path, "x", 1, &err), err);
    snprintf(cmd, sizeof cmd,
             "push %s --hf_repo_id bob/pickled --competition_id 99 --wallet.name miner2 --local %s/net "
             "--retry-delay 0", model, tmp);
    CHECK_EQ(aif_test_run_aif(cmd, out, sizeof out), 1);
    CHECK(strstr(out, "refused before upload") != NULL);
    CHECK(strstr(out, "pytorch_model.bin") != NULL);
    snprintf(path, sizeof path, "%s/net/hub/repos/bob/pickled", tmp);
    CHECK(!aif_fs_exists(path));
    /* usage errors */
    snprintf(cmd, sizeof cmd, "push %s --competition_id 99 --local %s/net", model, tmp);
    CHECK_EQ(aif_test_run_aif(cmd, out, sizeof out), 2);
    CHECK(strstr(out, "--hf_repo_id") != NULL);
    snprintf(cmd, sizeof cmd, "local advance -3 --dir %s/net", tmp);
    CHECK_EQ(aif_test_run_aif(cmd, out, sizeof out), 2);
    snprintf(cmd, sizeof cmd, "local status --dir %s/nowhere", tmp);
    CHECK_EQ(aif_test_run_aif(cmd, out, sizeof out), 1);
    CHECK(strstr(out, "aif local init") != NULL);
}

AIF_TESTS(local_cli) = {
    {"local/cli_local_round", cli_local_round},
    {NULL, NULL},
};
