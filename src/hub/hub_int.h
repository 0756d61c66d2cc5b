/* hub_int.h: what the Hugging Face backend's files share (hf.c, hf_api.c,
 * hf_download.c, hf_upload.c, hf_sha1.c). Not part of the public API. */
#ifndef AIF_HUB_INT_H
#define AIF_HUB_INT_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "aif/hub.h"
#include "aif/http.h"
#include "aif/progress.h"

typedef struct aif_hf {
    char endpoint[512];
    char token[1024];           /* "" : anonymous */
    char cache_dir[PATH_MAX];
    char user_agent[256];
    int parallel, quiet;
    int max_attempts;
    double retry_delay_s, retry_max_delay_s, stall_timeout_s;
    aif_http *api;              /* with token, retries (guarded by mu) */
    aif_http *api_once;         /* with token, no retry: commit, create, delete, settings */
    pthread_mutex_t mu;
    char whoami[128];           /* cached name, "" until asked */
} aif_hf;

/* SHA-1 (git blob ids only; not for security). */
typedef struct aif_hf_sha1 {
    uint32_t h[5];
    uint64_t n;
    uint8_t buf[64];
    size_t k;
} aif_hf_sha1;
void aif_hf_sha1_init(aif_hf_sha1 *s);
void aif_hf_sha1_update(aif_hf_sha1 *s, const void *data, size_t len);
void aif_hf_sha1_final(aif_hf_sha1 *s, uint8_t out[20]);
/* Start a git blob id: feeds "blob <size>\0". */
void aif_hf_git_init(aif_hf_sha1 *s, uint64_t size);

/* aif_hf of a hub opened by aif_hub_hf_open; NULL (and err) otherwise. */
aif_hf *aif_hf_of(const aif_hub *h, aif_err *err);
/* A fresh HTTP client with the backend's settings. with_token: send the
 * token; attempts 0: the backend's max_attempts; streaming: no overall
 * timeout, stall timeout instead, no response limit; follow: redirects. */
aif_code aif_hf_http(const aif_hf *hf, int with_token, int attempts, int streaming, int follow, aif_http **out,
                     aif_err *err);
/* Turn an AIF_EHTTP failure into the Hub's meaning (hub spec 1.4): the
 * X-Error-Code, 401/403/404/409/412/429/5xx, with a hint of what to do.
 * what: "model info", repo/revision/path name what was asked (may be NULL). */
aif_code aif_hf_map_error(const aif_hf *hf, aif_code rc, const aif_http_response *resp, const char *what,
                          const char *repo_id, const char *revision, const char *path, aif_err *err);
/* AIF_EAUTH naming `what` when no token is configured (write calls). */
aif_code aif_hf_need_token(const aif_hf *hf, const char *what, aif_err *err);
/* Send with the shared API client (serialized by mu). */
aif_code aif_hf_api_send(aif_hf *hf, int once, const aif_http_request *req, aif_http_response *resp, aif_err *err);
/* scheme://host[:port] of url equals that of the endpoint. */
int aif_hf_same_origin(const char *a, const char *b);
/* Run fn(arg) on n threads (at most 64) and wait for them; when no thread
 * can be started and n > 0, run it once on this one. */
/* A repo-relative path is safe when it is relative, has no empty, "." or
 * ".." component and no backslash: hostile listings must not write
 * outside the snapshot (cache.c). */
int aif_hub_safe_path(const char *p);
void aif_hf_run_workers(void *(*fn)(void *), void *arg, int n);
/* Percent-encode for a path: keep_slash keeps '/'. Heap string or NULL. */
char *aif_hf_escape_path(const char *s, int keep_slash);

/* The ops of the hub interface (hf_api.c, hf_download.c, hf_upload.c). */
aif_code aif_hf_list(void *impl, const char *repo_id, const char *revision, aif_hub_listing *out, aif_err *err);
aif_code aif_hf_set_private(void *impl, const char *repo_id, int is_private, aif_err *err);
aif_code aif_hf_fetch(void *impl, const char *repo_id, const char *commit, const aif_hub_file *file,
                      const char *cache_dir, aif_err *err);
aif_code aif_hf_upload(void *impl, const char *repo_id, const char *dir, int create_private, const char *message,
                       char commit_out[41], aif_err *err);
aif_code aif_hf_create_repo(aif_hf *hf, const char *repo_id, int is_private, int exist_ok, aif_err *err);
aif_code aif_hf_model_info(aif_hf *hf, const char *repo_id, const char *revision, int blobs, aif_hub_hf_info *out,
                           aif_err *err);

/* One downloader (a thread's HTTP clients). */
typedef struct aif_hf_dl {
    aif_hf *hf;
    aif_http *tok;              /* token, no redirects followed */
    aif_http *anon;             /* no token, redirects followed */
    aif_progress *progress;     /* shared, may be NULL */
    pthread_mutex_t *progress_mu;
    uint64_t *progress_done;
} aif_hf_dl;
aif_code aif_hf_dl_init(aif_hf_dl *d, aif_hf *hf, aif_err *err);
void aif_hf_dl_release(aif_hf_dl *d);
/* Download repo_id@commit:path into the cache (expect_size UINT64_MAX and
 * expect_sha256 NULL/"" when unknown). */
aif_code aif_hf_dl_file(aif_hf_dl *d, const char *cache_dir, const char *repo_id, const char *commit,
                        const char *path, uint64_t expect_size, const char *expect_sha256, aif_err *err);

/* PUT [off, off+len) of path to a pre-signed URL (no token), streamed from
 * a mapping; retried on network errors and 408/429/5xx. etag: the answer's
 * ETag (NULL: not needed). (hf_lfs.c) */
aif_code aif_hf_put_range(aif_hf *hf, const char *url, const char *path, uint64_t off, uint64_t len, char *etag,
                          size_t etag_cap, aif_err *err);

#endif
