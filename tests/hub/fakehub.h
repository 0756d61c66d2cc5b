/* fakehub.h: a small stateful Hugging Face Hub for tests and the
 * benchmark (no network): two listening ports on 127.0.0.1, the Hub API
 * ("hub") and a storage host ("cdn") that serves LFS content and takes
 * pre-signed uploads, so cross-host rules can be checked. It implements
 * what the client uses (hub spec 2-3): whoami, repo create/delete/settings,
 * model info (?blobs=true), paginated tree, preupload, LFS batch (basic and
 * multipart), NDJSON commit with parentCommit (412 when stale), /resolve
 * (regular files 200 + git-sha1 ETag; LFS 302 to the cdn with
 * X-Linked-Etag/Size), Range on content. Blobs live in files under
 * store_dir; everything else in memory. Each connection is one thread and
 * one request ("Connection: close").
 *
 * Faults are matched on method + substring of the target, each for
 * `count` requests. Static routes answer fixed recorded bodies first.
 * Test-only code: aborts on setup failures. */
#ifndef AIF_TEST_FAKEHUB_H
#define AIF_TEST_FAKEHUB_H

#include <stddef.h>
#include <stdint.h>

typedef struct fakehub fakehub;

typedef struct fakehub_opts {
    const char *token;          /* the one valid token; NULL: "hf_test" */
    const char *user;           /* whoami name; NULL: "alice" */
    const char *store_dir;      /* where blobs go (required) */
    uint64_t lfs_threshold;     /* preupload: size >= this or *.safetensors -> lfs; 0: 1024 */
    uint64_t chunk_size;        /* LFS objects above this go multipart; 0: 1 MiB */
    int tree_page;              /* tree entries per page; 0: 1000 */
} fakehub_opts;

enum {
    FH_STATUS = 1,    /* answer `status` with `headers` and {"error":"injected"} */
    FH_CUT,           /* send only `arg` bytes of the body, then close */
    FH_CORRUPT,       /* flip the byte at offset `arg` of the content */
    FH_OVERSIZE,      /* send `arg` bytes more than the content */
    FH_IGNORE_RANGE,  /* answer 200 with the whole body to a Range request */
    FH_BODY,          /* answer `status` with `headers` used as the body text */
};

fakehub *fakehub_start(const fakehub_opts *o);
void fakehub_stop(fakehub *h);
const char *fakehub_url(const fakehub *h);      /* "http://127.0.0.1:<hub port>" */
const char *fakehub_cdn_url(const fakehub *h);  /* "http://127.0.0.1:<cdn port>" */
void fakehub_fault(fakehub *h, const char *method, const char *substr, int kind, int status, const char *headers,
                   int count, long arg);
/* Fixed answer for requests whose target starts with prefix (body from a file or text). */
void fakehub_static(fakehub *h, const char *method, const char *prefix, int status, const char *headers,
                    const char *body_file, const char *body_text);

/* Requests seen: how many matched method (NULL: any) and substring. */
int fakehub_count(fakehub *h, const char *method, const char *substr);
/* How many requests that reached the cdn port carried an Authorization header. */
int fakehub_cdn_auth_count(fakehub *h);
/* Authorization value of the last request matching method+substr into out; 1 if it had one. */
int fakehub_last_auth(fakehub *h, const char *method, const char *substr, char *out, size_t cap);
/* Last request body matching method+substr (copied, free()); NULL if none. */
char *fakehub_last_body(fakehub *h, const char *method, const char *substr);
/* Header `name` of the last request matching method+substr; 1 if present. */
int fakehub_last_header(fakehub *h, const char *method, const char *substr, const char *name, char *out, size_t cap);
/* Move main of repo one commit ahead (as if someone else committed). */
void fakehub_bump(fakehub *h, const char *repo_id);

#endif
