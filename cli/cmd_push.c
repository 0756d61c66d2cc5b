/* cmd_push.c: `aif push MODEL_DIR ...`, the reference upload script
 * (spec 9.1) over the library's push flow (aif_miner_push). */
#include "cli.h"

#include "aif/crypto.h"
#include "aif/fs.h"
#include "aif/json.h"
#include "aif/local.h"
#include "aif/miner.h"
#include "aif/subnet.h"
#include "aif/wallet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

AIF_COMMAND(push, "check a model, upload it, and commit its id on chain (miner)")

/* The hotkey's address from the wallet (public file first, then the
 * plaintext keyfile). */

int aif_cmd_push(int argc, char **argv, struct aif_cli *cli)
{
    const char *repo = NULL, *wname = NULL, *whotkey = NULL, *wpath = NULL, *hub_kind = "local", *hub_path = NULL,
               *chain_kind = "local", *chain_path = NULL, *schedule = NULL, *local = NULL, *comps_file = NULL,
               *model_dir_opt = NULL, *password_env = NULL;
    long long comp_id = -1, netuid = -1, max_attempts = 0;
    double retry_delay = 60;
    int make_public = 0;
    aif_opt opts[] = {
        {"hf_repo_id", AIF_OPT_STR, &repo, "NS/NAME", "repository to upload to"},
        {"competition_id", AIF_OPT_INT, &comp_id, "ID", "competition (1 on the network, 99 on the local subnet)"},
        {"load_model_dir", AIF_OPT_STR, &model_dir_opt, "DIR", "the model directory (or give it as MODEL_DIR)"},
        {"wallet.name", AIF_OPT_STR, &wname, "NAME", "wallet (default $BT_WALLET_NAME or \"default\")"},
        {"wallet.hotkey", AIF_OPT_STR, &whotkey, "NAME", "hotkey (default $BT_WALLET_HOTKEY or \"default\")"},
        {"wallet.path", AIF_OPT_STR, &wpath, "DIR", "wallets root (default ~/.bittensor/wallets)"},
        {"update_repo_visibility", AIF_OPT_FLAG, &make_public, NULL, "make the repository public after committing"},
        {"local", AIF_OPT_STR, &local, "DIR", "use the local subnet in DIR (its hub, chain, wallets and netuid)"},
        {"hub", AIF_OPT_STR, &hub_kind, "KIND", "hub backend: local (default) or hf (the Hugging Face Hub)"},
        {"hub.path", AIF_OPT_STR, &hub_path, "DIR", "root of the local hub"},
        {"chain", AIF_OPT_STR, &chain_kind, "KIND", "chain backend: local (default), or a subtensor network "
                                                    "(finney, test) or node URL"},
        {"chain.path", AIF_OPT_STR, &chain_path, "FILE", "the local chain database"},
        {"password-env", AIF_OPT_STR, &password_env, "VAR", "password of an encrypted hotkey from $VAR"},
        {"netuid", AIF_OPT_INT, &netuid, "N", "subnet (default 80, or the local subnet's)"},
        {"schedule", AIF_OPT_STR, &schedule, "NAME", "competition schedule: main or local (default: local for --chain "
                                                     "local)"},
        {"competitions", AIF_OPT_STR, &comps_file, "FILE", "competitions JSON replacing the bundled one"},
        {"retry-delay", AIF_OPT_DOUBLE, &retry_delay, "S", "seconds between commit attempts (default 60)"},
        {"max-attempts", AIF_OPT_INT, &max_attempts, "N", "give up after N commit attempts (default 0: never)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, prc = aif_cli_parse(cli,
                                   "aif push MODEL_DIR --hf_repo_id NS/NAME --competition_id ID --wallet.name W "
                                   "--wallet.hotkey H [--wallet.path P] [--local DIR | --hub.path DIR --chain.path "
                                   "FILE] [--update_repo_visibility]",
                                   opts, argc, argv, pos, 1, &n_pos);
    if (prc)
        return prc == 1 ? 0 : prc;
    const char *model_dir = n_pos ? pos[0] : model_dir_opt;
    if (!model_dir)
        return aif_cli_usage_error("push needs MODEL_DIR (or --load_model_dir)");
    if (!repo)
        return aif_cli_usage_error("push needs --hf_repo_id NS/NAME");
    if (comp_id < 0 || comp_id > 99)
        return aif_cli_usage_error("push needs --competition_id 0..99");
    if (!(retry_delay >= 0 && retry_delay <= 86400) || max_attempts < 0)
        return aif_cli_usage_error("--retry-delay must be 0..86400 s and --max-attempts >= 0");
    if (strcmp(hub_kind, "local") && strcmp(hub_kind, "hf"))
        return aif_cli_usage_error("--hub %s: use local or hf", hub_kind);
    int local_chain = !strcmp(chain_kind, "local");

    aif_err err = {0};
    aif_local_dir d;
    char wbuf[AIF_LOCAL_PATH_MAX];
    if (local) {
        if (aif_local_dir_load(local, &d, &err) != AIF_OK)
            return aif_cli_fail(&err);
        if (!hub_path)
            hub_path = d.hub;
        if (!chain_path)
            chain_path = d.chain;
        if (!wpath) {
            snprintf(wbuf, sizeof wbuf, "%s", d.wallets);
            wpath = wbuf;
        }
        if (netuid < 0)
            netuid = d.netuid;
    }
    if ((!strcmp(hub_kind, "local") && !hub_path) || (local_chain && !chain_path))
        return aif_cli_usage_error("push needs --local DIR, or --hub.path DIR and --chain.path FILE (or --hub hf "
                                   "and --chain finney)");
    if (netuid < 0)
        netuid = 80;
    if (netuid > 65535)
        return aif_cli_usage_error("--netuid must be 0..65535");
    if (!schedule)
        schedule = local_chain ? "local" : "main";

    /* The local chain needs only the hotkey's address; a real chain a signature. */
    aif_cli_signer sg;
    if (aif_cli_load_signer(wpath, wname, whotkey, password_env, !local_chain, &sg, &err) != AIF_OK)
        return aif_cli_fail(&err);
    const aif_chain_signer signer = sg.s;

    aif_subnet_competitions *comps = NULL;
    aif_local_chain *lc = NULL;
    aif_hub hub = {0};
    aif_local_chain_opts co = {local ? d.block_time : 12, NULL, NULL, 0};
    aif_chain ch = {0};
    aif_code rc = aif_subnet_competitions_open(comps_file, &comps, &err);
    if (rc == AIF_OK && local_chain && !aif_fs_exists(chain_path))
        rc = aif_err_set(&err, AIF_ENOTFOUND, "%s: no chain database (run `aif local init`)", chain_path);
    if (rc == AIF_OK && local_chain) {
        rc = aif_local_chain_open(chain_path, &co, &lc, &err);
        if (rc == AIF_OK)
            ch = aif_local_chain_as_chain(lc);
    } else if (rc == AIF_OK) {
        rc = aif_cli_open_chain(chain_kind, chain_path, &lc, &ch, &err);
    }
    if (rc == AIF_OK)
        rc = aif_cli_open_hub(hub_kind, hub_path, cli->quiet, &hub, &err);
    uint64_t block = 0;
    const aif_subnet_competition *c = NULL;
    if (rc == AIF_OK)
        rc = aif_chain_current_block(&ch, &block, &err);
    if (rc == AIF_OK) {
        c = aif_subnet_competition_at(comps, schedule, (int64_t)block, (int)comp_id);
        if (!c)
            rc = aif_err_set(&err, AIF_ENOTFOUND, "competition %lld is not in schedule \"%s\" at block %llu", comp_id,
                             schedule, (unsigned long long)block);
    }
    aif_miner_push_result r;
    if (rc == AIF_OK) {
        aif_miner_push_opts po = {(uint16_t)netuid, retry_delay, (int)max_attempts, make_public, NULL, NULL, NULL, NULL};
        /* the signer's sign callback points at sg, not at the copy */
        rc = aif_miner_push(&ch, &hub, &sg.s, model_dir, repo, c, &po, &r, &err);
    }
    if (hub.ops)
        aif_hub_close(&hub);
    if (lc)
        aif_local_chain_close(lc);
    else if (ch.ops)
        aif_chain_close(&ch);
    aif_cli_signer_release(&sg);
    aif_subnet_competitions_free(comps);
    if (rc != AIF_OK)
        return aif_cli_fail(&err);
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kint(&j, "uid", r.uid);
        aif_json_kstr(&j, "hotkey", signer.ss58);
        aif_json_kstr(&j, "repo", repo);
        aif_json_kstr(&j, "commit", r.commit);
        aif_json_kstr(&j, "hash", r.hash);
        aif_json_kstr(&j, "secure_hash", r.secure_hash);
        aif_json_kint(&j, "competition_id", comp_id);
        aif_json_kstr(&j, "commitment", r.commitment);
        aif_json_kint(&j, "block", (int64_t)r.block);
        aif_json_kint(&j, "attempts", r.attempts);
        aif_json_kstr(&j, "architecture", r.info.arch);
        aif_json_kint(&j, "parameters", r.info.n_parameters);
        aif_json_kint(&j, "bytes", r.info.total_bytes);
        aif_json_kbool(&j, "public", make_public);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("pushed %s (%s, %lld parameters, %lld bytes)\n", model_dir, r.info.arch, (long long)r.info.n_parameters,
               (long long)r.info.total_bytes);
        printf("  uid          %u (%s)\n", r.uid, signer.ss58);
        printf("  repo         %s (%s)\n", repo, make_public ? "public" : "private");
        printf("  commit       %s\n", r.commit);
        printf("  hash         %s\n", r.hash);
        printf("  secure hash  %s\n", r.secure_hash);
        printf("  commitment   %s\n", r.commitment);
        printf("  block        %llu (after %d attempt%s)\n", (unsigned long long)r.block, r.attempts,
               r.attempts == 1 ? "" : "s");
    }
    return 0;
}
