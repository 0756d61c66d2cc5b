/* hub.h: what aif needs from a model hub, behind one small method table,
 * so that the directory-backed local hub (local.h) and the Hugging Face
 * Hub serve the miner and the validator alike; plus the huggingface_hub
 * cache layout both write into, and the file set a validator downloads
 * (hub spec 2.5, 4.2).
 *
 * Repo ids are "namespace/name"; commits are 40 hex digits.
 */
#ifndef AIF_HUB_H
#define AIF_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "aif/err.h"

typedef struct aif_hub_file {
    char *path;          /* relative path in the repo, '/'-separated */
    uint64_t size;
    char sha256[65];     /* hex of the content's SHA-256; "" if the hub does not say */
} aif_hub_file;

typedef struct aif_hub_listing {
    char commit[41];
    int is_private;
    size_t n;
    aif_hub_file *files; /* sorted by path */
} aif_hub_listing;
void aif_hub_listing_release(aif_hub_listing *l);
/* Sum of all file sizes (what max_bytes is checked against). */
uint64_t aif_hub_listing_bytes(const aif_hub_listing *l);
const aif_hub_file *aif_hub_listing_find(const aif_hub_listing *l, const char *path);

typedef struct aif_hub_ops {
    const char *name;
    /* Upload every regular file under dir as one new commit on main
     * (creating the repo, private if create_private, when it does not exist). */
    aif_code (*upload)(void *impl, const char *repo_id, const char *dir, int create_private, const char *message,
                       char commit_out[41], aif_err *err);
    /* List the files of a revision (a commit id or "main"). */
    aif_code (*list)(void *impl, const char *repo_id, const char *revision, aif_hub_listing *out, aif_err *err);
    /* Fetch one file of a commit into the cache layout rooted at cache_dir
     * (blob + snapshot link), verifying size and sha256 where known. */
    aif_code (*fetch)(void *impl, const char *repo_id, const char *commit, const aif_hub_file *file,
                      const char *cache_dir, aif_err *err);
    aif_code (*set_private)(void *impl, const char *repo_id, int is_private, aif_err *err);
    void (*close)(void *impl);
} aif_hub_ops;

typedef struct aif_hub {
    const aif_hub_ops *ops;
    void *impl;
} aif_hub;

aif_code aif_hub_upload(const aif_hub *h, const char *repo_id, const char *dir, int create_private,
                        const char *message, char commit_out[41], aif_err *err);
aif_code aif_hub_list(const aif_hub *h, const char *repo_id, const char *revision, aif_hub_listing *out,
                      aif_err *err);
aif_code aif_hub_set_private(const aif_hub *h, const char *repo_id, int is_private, aif_err *err);
void aif_hub_close(aif_hub *h);

/* Check a repo id as the miner's upload does (reference spec 3.1):
 * exactly one '/', 4..38 characters, no empty part; plus a path-safety
 * check (no "..", no leading '.', only [A-Za-z0-9._-] in each part). */
aif_code aif_hub_check_repo_id(const char *repo_id, aif_err *err);

/* Download what transformers would fetch for a model at a commit (hub
 * spec 4.2): config.json, generation_config.json, model.safetensors or the
 * index plus every shard its weight_map names, and the tokenizer files that
 * exist. Refuses before fetching anything when the listing's total size
 * exceeds max_bytes (0: no limit). Writes the snapshot directory path
 * (<cache>/models--ns--name/snapshots/<commit>) to snapshot_out. */
aif_code aif_hub_fetch_model(const aif_hub *h, const char *repo_id, const char *commit, const char *cache_dir,
                             uint64_t max_bytes, char *snapshot_out, size_t cap, aif_err *err);

/* --- cache layout shared with huggingface_hub (hub spec 2.5) --- */

/* <cache>/models--ns--name */
aif_code aif_hub_cache_repo_dir(const char *cache_dir, const char *repo_id, char *out, size_t cap, aif_err *err);
/* Install src_path (a complete, verified temporary file) as blobs/<blob>
 * (rename) and link snapshots/<commit>/<path> to it (relative symlink). */
aif_code aif_hub_cache_install(const char *cache_dir, const char *repo_id, const char *commit, const char *path,
                               const char *blob, const char *src_path, aif_err *err);
/* Write refs/<revision> = commit (atomic). */
aif_code aif_hub_cache_write_ref(const char *cache_dir, const char *repo_id, const char *revision,
                                 const char *commit, aif_err *err);
/* Replace every symlink under a snapshot directory by a copy of what it
 * points to (the validator does this before hashing, reference spec 4). */
aif_code aif_hub_cache_realize(const char *snapshot_dir, aif_err *err);

#endif
