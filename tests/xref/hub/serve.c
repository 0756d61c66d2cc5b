/* serve.c: the C side of the hub cross-check (tests/xref/hub/run.sh).
 * Starts tests/hub/fakehub, uploads tests/vectors/hub/xref_repo/ with aif
 * (repo xref/tiny), downloads it with aif at the commit into CACHE_C, then
 * prints "<hub url> <commit>" and serves until stdin closes, so that
 * huggingface.js can download the same commit into its own cache and
 * upload a commit of its own. Each "download" line on stdin makes aif
 * download main (with what huggingface.js committed) into CACHE_C and
 * print the snapshot path. */
#include <stdio.h>
#include <string.h>

#include "aif/hub.h"
#include "../../hub/fakehub.c"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: serve SRC_DIR STORE_DIR CACHE_C\n");
        return 2;
    }
    fakehub_opts o = {.store_dir = argv[2], .lfs_threshold = 1024, .chunk_size = 4096};
    fakehub *fh = fakehub_start(&o);
    aif_hub hub;
    aif_err err;
    aif_hub_hf_opts ho = {.endpoint = fakehub_url(fh), .token = "hf_test", .cache_dir = argv[3], .quiet = 1};
    char commit[41], snap[4096];
    if (aif_hub_hf_open(&ho, &hub, &err) || aif_hub_upload(&hub, "xref/tiny", argv[1], 0, "xref", commit, &err) ||
        aif_hub_hf_download(&hub, "xref/tiny", commit, NULL, 0, snap, sizeof snap, &err)) {
        fprintf(stderr, "serve: %s\n", err.msg);
        return 1;
    }
    printf("%s %s\n", fakehub_url(fh), commit);
    fflush(stdout);
    char buf[64];
    while (fgets(buf, sizeof buf, stdin)) {
        if (strcmp(buf, "download\n"))
            continue;
        if (aif_hub_hf_download(&hub, "xref/tiny", "main", NULL, 0, snap, sizeof snap, &err))
            printf("error: %s\n", err.msg);
        else
            printf("%s\n", snap);
        fflush(stdout);
    }
    aif_hub_close(&hub);
    fakehub_stop(fh);
    return 0;
}
