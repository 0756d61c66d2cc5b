/* cmd_hub.c: `aif hub info|download|upload`, the Hugging Face Hub from the
 * command line (token from $HF_TOKEN or the huggingface_hub token file,
 * endpoint from $HF_ENDPOINT, cache shared with huggingface_hub). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/hub.h"
#include "aif/json.h"
#include "cli.h"

AIF_COMMAND(hub, "Hugging Face Hub: show a repo, download it into the HF cache, upload a directory")

static int open_hub(struct aif_cli *cli, const char *cache, long long parallel, aif_hub *hub, aif_err *err)
{
    aif_hub_hf_opts o = {.cache_dir = cache, .parallel = (int)parallel, .quiet = cli->quiet || cli->json};
    return aif_hub_hf_open(&o, hub, err) == AIF_OK ? 0 : 1;
}

static int cmd_info(int argc, char **argv, struct aif_cli *cli)
{
    const char *revision = "main";
    int tree = 0;
    const aif_opt opts[] = {
        {"revision", AIF_OPT_STR, &revision, "REV", "branch, tag or commit (default main)"},
        {"tree", AIF_OPT_FLAG, &tree, NULL, "list files with the tree API (git ids, folders) instead of model info"},
        {NULL},
    };
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli, "aif hub info REPO [--revision REV] [--tree]", opts, argc, argv, pos, 1, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (n_pos != 1)
        return aif_cli_usage_error("hub info needs REPO (namespace/name)");
    aif_hub hub;
    aif_err err = {0};
    if (open_hub(cli, NULL, 0, &hub, &err))
        return aif_cli_fail(&err);
    aif_hub_hf_info info;
    aif_code c = tree ? aif_hub_hf_tree(&hub, pos[0], revision, &info, &err)
                      : aif_hub_hf_model_info(&hub, pos[0], revision, &info, &err);
    aif_hub_close(&hub);
    if (c != AIF_OK)
        return aif_cli_fail(&err);
    uint64_t total = aif_hub_hf_info_bytes(&info);
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 0);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "repo", info.id[0] ? info.id : pos[0]);
        aif_json_kstr(&j, "revision", revision);
        if (!tree) {
            aif_json_kstr(&j, "commit", info.sha);
            aif_json_kbool(&j, "private", info.is_private);
            aif_json_kstr(&j, "gated", info.gated);
            aif_json_kstr(&j, "last_modified", info.last_modified);
            aif_json_key(&j, "safetensors_params");
            aif_json_uint(&j, info.safetensors_params);
        }
        aif_json_key(&j, "total_bytes");
        aif_json_uint(&j, total);
        aif_json_key(&j, "files");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < info.n; i++) {
            const aif_hub_hf_entry *f = &info.files[i];
            aif_json_obj_begin(&j);
            aif_json_kstr(&j, "path", f->path);
            aif_json_kstr(&j, "type", f->is_dir ? "directory" : "file");
            aif_json_key(&j, "size");
            aif_json_uint(&j, f->size);
            if (f->oid[0])
                aif_json_kstr(&j, "oid", f->oid);
            if (f->is_lfs)
                aif_json_kstr(&j, "sha256", f->sha256);
            aif_json_obj_end(&j);
        }
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("repo      %s\n", info.id[0] ? info.id : pos[0]);
        if (!tree) {
            printf("commit    %s\n", info.sha);
            printf("private   %s\n", info.is_private ? "yes" : "no");
            printf("gated     %s\n", info.gated);
            if (info.safetensors_params)
                printf("params    %" PRIu64 " (safetensors)\n", info.safetensors_params);
        }
        printf("files     %zu, %" PRIu64 " bytes\n", info.n, total);
        for (size_t i = 0; i < info.n; i++) {
            const aif_hub_hf_entry *f = &info.files[i];
            printf("  %14" PRIu64 "  %-4s %s%s\n", f->size, f->is_dir ? "dir" : f->is_lfs ? "lfs" : "git", f->path,
                   f->is_dir ? "/" : "");
        }
    }
    aif_hub_hf_info_release(&info);
    return 0;
}

static int cmd_download(int argc, char **argv, struct aif_cli *cli)
{
    const char *revision = "main", *include = NULL, *cache = NULL;
    long long parallel = 0, max_bytes = 0;
    const aif_opt opts[] = {
        {"revision", AIF_OPT_STR, &revision, "REV", "branch, tag or commit (default main)"},
        {"include", AIF_OPT_STR, &include, "GLOB", "only paths matching these globs (comma-separated, e.g. '*.json,*.safetensors')"},
        {"cache", AIF_OPT_STR, &cache, "DIR", "cache root (default $HF_HUB_CACHE or ~/.cache/huggingface/hub)"},
        {"parallel", AIF_OPT_INT, &parallel, "N", "files downloaded at once (default 4)"},
        {"max-bytes", AIF_OPT_INT, &max_bytes, "N", "refuse before downloading when the files exceed N bytes"},
        {NULL},
    };
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli, "aif hub download REPO [--revision REV] [--include GLOB] [--cache DIR]", opts,
                                  argc, argv, pos, 1, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (n_pos != 1)
        return aif_cli_usage_error("hub download needs REPO (namespace/name)");
    if (parallel < 0 || parallel > 64 || max_bytes < 0)
        return aif_cli_usage_error("--parallel must be in 0..64 and --max-bytes >= 0");
    /* split --include on commas */
    char *globs_buf = include ? strdup(include) : NULL;
    const char *globs[65] = {NULL};
    int ng = 0;
    for (char *save = NULL, *t = globs_buf ? strtok_r(globs_buf, ",", &save) : NULL; t && ng < 64;
         t = strtok_r(NULL, ",", &save))
        globs[ng++] = t;
    aif_hub hub;
    aif_err err = {0};
    if (open_hub(cli, cache, parallel, &hub, &err)) {
        free(globs_buf);
        return aif_cli_fail(&err);
    }
    char snap[4096];
    aif_code c = aif_hub_hf_download(&hub, pos[0], revision, ng ? globs : NULL, (uint64_t)max_bytes, snap, sizeof snap,
                                     &err);
    aif_hub_close(&hub);
    free(globs_buf);
    if (c != AIF_OK)
        return aif_cli_fail(&err);
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 0);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "repo", pos[0]);
        aif_json_kstr(&j, "revision", revision);
        const char *slash = strrchr(snap, '/');
        aif_json_kstr(&j, "commit", slash ? slash + 1 : "");
        aif_json_kstr(&j, "snapshot", snap);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("%s\n", snap);
    }
    return 0;
}

static int cmd_upload(int argc, char **argv, struct aif_cli *cli)
{
    int is_private = 0, is_public = 0;
    const char *message = NULL;
    long long parallel = 0;
    const aif_opt opts[] = {
        {"private", AIF_OPT_FLAG, &is_private, NULL, "create the repo private when it does not exist yet (the default)"},
        {"public", AIF_OPT_FLAG, &is_public, NULL, "create it public instead"},
        {"message", AIF_OPT_STR, &message, "TEXT", "commit summary (default \"Upload model\")"},
        {"parallel", AIF_OPT_INT, &parallel, "N", "files hashed / parts uploaded at once (default 4)"},
        {NULL},
    };
    char *pos[2];
    int n_pos, rc = aif_cli_parse(cli, "aif hub upload DIR REPO [--private|--public] [--message TEXT]", opts, argc, argv, pos,
                                  2, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (n_pos != 2)
        return aif_cli_usage_error("hub upload needs DIR and REPO (namespace/name)");
    if (parallel < 0 || parallel > 64)
        return aif_cli_usage_error("--parallel must be in 0..64");
    if (is_private && is_public)
        return aif_cli_usage_error("--private and --public exclude each other");
    is_private = !is_public; /* a new repo is private unless asked (as the miner's push) */
    aif_hub hub;
    aif_err err = {0};
    if (open_hub(cli, NULL, parallel, &hub, &err))
        return aif_cli_fail(&err);
    char commit[41] = "";
    aif_code c = aif_hub_upload(&hub, pos[1], pos[0], is_private, message, commit, &err);
    aif_hub_close(&hub);
    if (c != AIF_OK)
        return aif_cli_fail(&err);
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 0);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "repo", pos[1]);
        aif_json_kstr(&j, "commit", commit);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("%s\n", commit);
    }
    return 0;
}

int aif_cmd_hub(int argc, char **argv, struct aif_cli *cli)
{
    static const aif_subcmd subs[] = {
        {"info", cmd_info, "commit, visibility and files of a repo at a revision"},
        {"download", cmd_download, "download a repo (or --include globs) into the huggingface_hub cache"},
        {"upload", cmd_upload, "upload every file of DIR as one commit (creates the repo)"},
        {NULL, NULL, NULL},
    };
    return aif_cli_dispatch("hub", subs, argc, argv, cli);
}
