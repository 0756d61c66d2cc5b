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

/* --- the Hugging Face Hub backend (hub spec 1-3) ---
 *
 * aif_hub_hf_open gives an aif_hub whose ops talk to the Hub's HTTP API:
 * list = model info at a revision with per-file sizes and LFS sha256;
 * fetch = /resolve download into the huggingface_hub cache (2.5 write
 * protocol: flock on .locks/, blob named by etag, snapshot symlink),
 * verified by size and sha256 (LFS) or git blob sha1 (regular files);
 * upload = create repo (exist ok) + preupload + LFS batch (basic and
 * multipart) + NDJSON commit with the parent commit. The token is never
 * sent to another host (CDN redirects, pre-signed upload URLs). */

typedef struct aif_hub_hf_opts {
    const char *endpoint;      /* NULL: $HF_ENDPOINT or https://huggingface.co */
    const char *token;         /* NULL: $HF_TOKEN, then the token file (hub spec 1.2); "": anonymous */
    const char *cache_dir;     /* NULL: aif_hub_hf_cache_dir() */
    const char *user_agent;    /* NULL: "aif/<version>; hf_hub/c; libcurl" */
    int parallel;              /* files downloaded / parts uploaded at once; 0: 4 */
    int max_attempts;          /* per request, retrying 408/429/5xx and network errors; 0: 5 */
    double retry_delay_s;      /* first wait, doubled each time; 0: 1 */
    double retry_max_delay_s;  /* cap of a wait (Retry-After included); 0: 8 */
    double stall_timeout_s;    /* a transfer under 1 byte/s this long fails; 0: 60 */
    int quiet;                 /* no progress bar on stderr */
} aif_hub_hf_opts;

aif_code aif_hub_hf_open(const aif_hub_hf_opts *opts, aif_hub *out, aif_err *err);
/* $HF_HUB_CACHE, $HUGGINGFACE_HUB_CACHE, $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub,
 * else ~/.cache/huggingface/hub. */
void aif_hub_hf_cache_dir(char *out, size_t cap);

typedef struct aif_hub_hf_entry {
    char *path;
    uint64_t size;             /* content size (LFS: the real file, not the pointer) */
    char oid[41];              /* git blob id ("" if the response has none) */
    char sha256[65];           /* LFS content sha256, "" for regular files */
    char xet_hash[65];         /* "" unless the tree listing gives one */
    int is_lfs, is_dir;
} aif_hub_hf_entry;

typedef struct aif_hub_hf_info {
    char id[160];              /* "namespace/name" as the Hub spells it */
    char sha[41];              /* commit the revision resolved to ("" for a tree listing) */
    int is_private, disabled;
    char gated[16];            /* "false", "auto" or "manual" */
    char last_modified[40];
    uint64_t safetensors_params; /* safetensors.total, 0 if absent */
    size_t n;
    aif_hub_hf_entry *files;   /* in response order */
} aif_hub_hf_info;
void aif_hub_hf_info_release(aif_hub_hf_info *info);
uint64_t aif_hub_hf_info_bytes(const aif_hub_hf_info *info);

/* Parsers of the Hub's JSON answers (public for the fuzzers). Model info
 * (2.1) fills info; a tree page (2.2) appends its entries to info. */
aif_code aif_hub_hf_parse_model_info(const char *json, size_t len, aif_hub_hf_info *info, aif_err *err);
aif_code aif_hub_hf_parse_tree(const char *json, size_t len, aif_hub_hf_info *info, aif_err *err);

/* One object of an LFS batch answer (3.5). */
typedef struct aif_hub_hf_lfs_object {
    char oid[65];
    uint64_t size;
    int error_code;            /* 0: none */
    char *error_message;
    char *upload_href;         /* NULL: already stored, nothing to upload */
    char *verify_href;         /* NULL: no verify step */
    uint64_t chunk_size;       /* 0: basic single PUT to upload_href */
    size_t n_parts;            /* multipart: part URLs in part order */
    char **part_urls;
} aif_hub_hf_lfs_object;
typedef struct aif_hub_hf_lfs_batch {
    char transfer[16];         /* "basic", "multipart" (or what the server said) */
    size_t n;
    aif_hub_hf_lfs_object *objects;
} aif_hub_hf_lfs_batch;
aif_code aif_hub_hf_parse_lfs_batch(const char *json, size_t len, aif_hub_hf_lfs_batch *out, aif_err *err);
void aif_hub_hf_lfs_batch_release(aif_hub_hf_lfs_batch *b);

/* Operations beyond the hub interface (h must come from aif_hub_hf_open). */
aif_code aif_hub_hf_model_info(const aif_hub *h, const char *repo_id, const char *revision, aif_hub_hf_info *out,
                               aif_err *err);
/* Recursive tree listing, following Link rel="next" pages. */
aif_code aif_hub_hf_tree(const aif_hub *h, const char *repo_id, const char *revision, aif_hub_hf_info *out,
                         aif_err *err);
/* The token owner's name (asked once, then cached). */
aif_code aif_hub_hf_whoami(const aif_hub *h, char *name, size_t cap, aif_err *err);
/* exist_ok: a 409 counts as success. */
aif_code aif_hub_hf_create_repo(const aif_hub *h, const char *repo_id, int is_private, int exist_ok, aif_err *err);
aif_code aif_hub_hf_delete_repo(const aif_hub *h, const char *repo_id, aif_err *err);
/* Download every file of the revision whose path matches one of the
 * fnmatch globs (NULL: all) into the cache, several at once, with a
 * progress bar; writes refs/<revision> when it is not the commit id.
 * Refuses before the first byte when the matched files exceed max_bytes
 * (0: no limit). snapshot_out gets the snapshot directory. */
aif_code aif_hub_hf_download(const aif_hub *h, const char *repo_id, const char *revision,
                             const char *const *globs, uint64_t max_bytes, char *snapshot_out, size_t cap,
                             aif_err *err);
/* Git blob id (sha1 of "blob <size>\0" + content), 40 hex. */
void aif_hub_git_blob_oid(const void *data, size_t len, char out[41]);

#endif
