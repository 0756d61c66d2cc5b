/* hf_upload.c: a commit without git (hub spec 3.2-3.6): create the repo
 * (exist ok), preupload to learn which files go to LFS, sha256 of those,
 * the LFS batch API (basic single PUT, or multipart with the parts in
 * parallel and retried, then the completion call and verify; the PUTs
 * themselves are in hf_lfs.c), and the NDJSON commit carrying the parent
 * commit. Large files are never loaded whole. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"
#include "aif/log.h"
#include "hub_int.h"

#define BATCH 256
#define MAX_REGULAR_BYTES (512u << 20)

/* ------------------------------------------------------------ local files */

typedef struct lfile {
    char *rel, *full;
    uint64_t size;
    int lfs, skip;
    char sha256[65];
    char oid[41];             /* git blob id (regular files) */
    char *remote_oid;         /* preupload's oid when the path exists */
} lfile;

typedef struct upl {
    aif_hf *hf;
    const char *repo_id;
    lfile *f;
    size_t n, cap;
} upl;

static void upl_release(upl *u)
{
    for (size_t i = 0; i < u->n; i++) {
        aif_free(u->f[i].rel);
        aif_free(u->f[i].full);
        aif_free(u->f[i].remote_oid);
    }
    aif_free(u->f);
}

static int by_rel(const void *a, const void *b) { return strcmp(((const lfile *)a)->rel, ((const lfile *)b)->rel); }

/* aif_fs_walk_files callback: one regular file of the folder to upload. */
static aif_code add_file(void *ctx, const char *rel, const char *full, uint64_t size, aif_err *err)
{
    upl *u = ctx;
    if (u->n == u->cap) {
        size_t nc = u->cap ? u->cap * 2 : 16;
        lfile *p = aif_realloc(u->f, nc * sizeof *p);
        if (!p)
            return aif_err_set(err, AIF_ENOMEM, "out of memory");
        u->f = p;
        u->cap = nc;
    }
    lfile *f = &u->f[u->n];
    memset(f, 0, sizeof *f);
    f->rel = aif_strdup(rel);
    f->full = aif_strdup(full);
    f->size = size;
    u->n++;
    if (!f->rel || !f->full)
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    return AIF_OK;
}

/* Skipped while walking a folder to upload. */
static const char *const upload_skip[] = {".git", ".cache", NULL};

/* sha256 (and, for small files, the git blob id) by streaming reads. */
static aif_code hash_file(lfile *f, int git, aif_err *err)
{
    int fd = open(f->full, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return aif_err_set(err, AIF_EIO, "%s: %s", f->full, strerror(errno));
    size_t bs = 1 << 20;
    uint8_t *buf = aif_malloc(bs);
    if (!buf) {
        close(fd);
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    }
    aif_sha256 s;
    aif_hf_sha1 g;
    aif_sha256_init(&s);
    aif_hf_git_init(&g, f->size);
    uint64_t total = 0;
    ssize_t r;
    while ((r = read(fd, buf, bs)) > 0) {
        aif_sha256_update(&s, buf, (size_t)r);
        if (git)
            aif_hf_sha1_update(&g, buf, (size_t)r);
        total += (uint64_t)r;
    }
    int e = errno;
    aif_free(buf);
    close(fd);
    if (r < 0)
        return aif_err_set(err, AIF_EIO, "%s: read: %s", f->full, strerror(e));
    if (total != f->size)
        return aif_err_set(err, AIF_ECONFLICT, "%s changed size while being uploaded", f->full);
    uint8_t d[32];
    aif_sha256_final(&s, d);
    aif_crypto_hex_encode(d, 32, f->sha256);
    if (git) {
        aif_hf_sha1_final(&g, d);
        aif_crypto_hex_encode(d, 20, f->oid);
    }
    return AIF_OK;
}

/* ------------------------------------------------------------ preupload */

static aif_code preupload(upl *u, size_t from, size_t to, char head[41], aif_err *err)
{
    aif_hf *hf = u->hf;
    json_t *files = json_array();
    for (size_t i = from; i < to; i++) {
        lfile *f = &u->f[i];
        uint8_t sample[512];
        size_t k = 0;
        int fd = open(f->full, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t r = read(fd, sample, sizeof sample);
            k = r > 0 ? (size_t)r : 0;
            close(fd);
        }
        char b64[700];
        aif_crypto_base64_encode(sample, k, b64);
        json_array_append_new(files, json_pack("{s:s, s:s, s:I}", "path", f->rel, "sample", b64, "size",
                                               (json_int_t)f->size));
    }
    json_t *body = json_pack("{s:o}", "files", files);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char url[1024];
    snprintf(url, sizeof url, "%s/api/models/%s/preupload/main", hf->endpoint, u->repo_id);
    const char *hdrs[] = {"Content-Type: application/json", NULL};
    aif_http_request req = {.method = "POST", .url = url, .headers = hdrs, .body = text, .body_len = text ? strlen(text) : 0};
    aif_http_response resp;
    aif_code rc = text ? aif_hf_api_send(hf, 0, &req, &resp, err) : aif_err_set(err, AIF_ENOMEM, "out of memory");
    free(text);
    if (!text)
        return rc;
    if (rc != AIF_OK) {
        rc = aif_hf_map_error(hf, rc, &resp, "preupload", u->repo_id, "main", NULL, err);
        aif_http_response_release(&resp);
        return rc;
    }
    json_t *root = json_loadb(resp.body, resp.body_len, 0, NULL);
    json_t *arr = json_object_get(root, "files");
    const char *c = json_string_value(json_object_get(root, "commitOid"));
    if (!json_is_array(arr)) {
        rc = aif_err_set(err, AIF_EFORMAT, "preupload: the answer has no \"files\" array");
    } else {
        if (c && strlen(c) == 40)
            memcpy(head, c, 41);
        size_t i;
        json_t *o;
        json_array_foreach(arr, i, o) {
            const char *p = json_string_value(json_object_get(o, "path"));
            const char *mode = json_string_value(json_object_get(o, "uploadMode"));
            if (!p || !mode) {
                rc = aif_err_set(err, AIF_EFORMAT, "preupload: files[%zu] needs \"path\" and \"uploadMode\"", i);
                break;
            }
            for (size_t k = from; k < to; k++) {
                lfile *f = &u->f[k];
                if (strcmp(f->rel, p))
                    continue;
                f->lfs = !strcmp(mode, "lfs") && f->size > 0; /* empty files are always regular */
                f->skip = json_is_true(json_object_get(o, "shouldIgnore"));
                const char *ro = json_string_value(json_object_get(o, "oid"));
                if (ro && !(f->remote_oid = aif_strdup(ro)))
                    rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
            }
        }
    }
    json_decref(root);
    aif_http_response_release(&resp);
    return rc;
}

/* ------------------------------------------------------------ transfers */

typedef struct task {
    lfile *f;
    aif_hub_hf_lfs_object *o;
    size_t part;              /* multipart: 0-based part; basic: 0 */
    char etag[256];           /* a part's ETag */
} task;

typedef struct xfer {
    aif_hf *hf;
    task *t;
    size_t n;
    atomic_size_t next;
    atomic_int failed;
    pthread_mutex_t mu;
    aif_err err;
    aif_progress progress;
    uint64_t done;
} xfer;

static void *xfer_worker(void *arg)
{
    xfer *x = arg;
    aif_err e;
    aif_code rc = AIF_OK;
    while (!atomic_load(&x->failed)) {
        size_t i = atomic_fetch_add(&x->next, 1);
        if (i >= x->n)
            break;
        task *t = &x->t[i];
        uint64_t off = 0, len = t->f->size;
        const char *url = t->o->upload_href;
        if (t->o->chunk_size) {
            off = (uint64_t)t->part * t->o->chunk_size;
            len = t->f->size - off < t->o->chunk_size ? t->f->size - off : t->o->chunk_size;
            url = t->o->part_urls[t->part];
        }
        rc = aif_hf_put_range(x->hf, url, t->f->full, off, len, t->o->chunk_size ? t->etag : NULL, sizeof t->etag, &e);
        if (rc != AIF_OK) {
            aif_err_wrap(&e, "upload of %s%s", t->f->rel, t->o->chunk_size ? " (a part)" : "");
            break;
        }
        pthread_mutex_lock(&x->mu);
        x->done += len;
        aif_progress_update(&x->progress, x->done);
        pthread_mutex_unlock(&x->mu);
    }
    if (rc != AIF_OK) {
        pthread_mutex_lock(&x->mu);
        if (!atomic_exchange(&x->failed, 1))
            x->err = e;
        pthread_mutex_unlock(&x->mu);
    }
    return NULL;
}

static aif_code post_lfs_json(aif_hf *hf, aif_http *http, const char *url, json_t *body, aif_http_response *resp,
                              aif_err *err)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text)
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    const char *hdrs[] = {"Accept: application/vnd.git-lfs+json", "Content-Type: application/vnd.git-lfs+json", NULL};
    aif_http_request req = {.method = "POST", .url = url, .headers = hdrs, .body = text, .body_len = strlen(text)};
    aif_code rc = http ? aif_http_request_send(http, &req, resp, err) : aif_hf_api_send(hf, 0, &req, resp, err);
    free(text);
    return rc;
}

/* LFS batch for files[from..to) that need it, then the transfers. */
static aif_code lfs_upload(upl *u, lfile **lf, size_t nl, aif_err *err)
{
    aif_hf *hf = u->hf;
    json_t *objs = json_array();
    for (size_t i = 0; i < nl; i++)
        json_array_append_new(objs, json_pack("{s:s, s:I}", "oid", lf[i]->sha256, "size", (json_int_t)lf[i]->size));
    json_t *body = json_pack("{s:s, s:[s,s], s:o, s:s, s:{s:s}}", "operation", "upload", "transfers", "basic",
                             "multipart", "objects", objs, "hash_algo", "sha256", "ref", "name", "main");
    char url[1024];
    snprintf(url, sizeof url, "%s/%s.git/info/lfs/objects/batch", hf->endpoint, u->repo_id);
    aif_http_response resp;
    aif_code rc = post_lfs_json(hf, NULL, url, body, &resp, err);
    if (rc != AIF_OK) {
        rc = aif_hf_map_error(hf, rc, &resp, "LFS batch", u->repo_id, "main", NULL, err);
        aif_http_response_release(&resp);
        return rc;
    }
    aif_hub_hf_lfs_batch b;
    rc = aif_hub_hf_parse_lfs_batch(resp.body, resp.body_len, &b, err);
    aif_http_response_release(&resp);
    if (rc != AIF_OK)
        return rc;
    if (strcmp(b.transfer, "basic") && strcmp(b.transfer, "multipart")) {
        rc = aif_err_set(err, AIF_ENOTSUP,
                         "LFS batch: the Hub chose the \"%s\" transfer, which aif does not support (it offered only "
                         "basic and multipart; Xet uploads are not implemented)", b.transfer);
        goto done;
    }
    /* tasks: one per basic object, one per part */
    size_t nt = 0;
    for (size_t i = 0; i < b.n; i++) {
        aif_hub_hf_lfs_object *o = &b.objects[i];
        if (o->error_code) {
            rc = aif_err_set(err, AIF_EHTTP, "LFS batch refused object %s: %d %s", o->oid, o->error_code,
                             o->error_message);
            goto done;
        }
        if (o->upload_href)
            nt += o->chunk_size ? o->n_parts : 1;
    }
    xfer x = {.hf = hf};
    x.t = aif_calloc_err(nt ? nt : 1, sizeof *x.t, "upload tasks", err);
    if (!x.t) {
        rc = AIF_ENOMEM;
        goto done;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < b.n; i++) {
        aif_hub_hf_lfs_object *o = &b.objects[i];
        lfile *f = NULL;
        for (size_t k = 0; k < nl && !f; k++)
            if (!strcmp(lf[k]->sha256, o->oid))
                f = lf[k];
        if (!f) {
            rc = aif_err_set(err, AIF_EFORMAT, "LFS batch: answer names object %s that was not asked for", o->oid);
            aif_free(x.t);
            goto done;
        }
        if (o->size != f->size) {
            rc = aif_err_set(err, AIF_EFORMAT, "LFS batch: object %s has size %llu, expected %llu", o->oid,
                             (unsigned long long)o->size, (unsigned long long)f->size);
            aif_free(x.t);
            goto done;
        }
        if (!o->upload_href)
            continue;
        total += f->size;
        for (size_t k = 0; k < (o->chunk_size ? o->n_parts : 1); k++)
            x.t[x.n++] = (task){.f = f, .o = o, .part = k};
    }
    pthread_mutex_init(&x.mu, NULL);
    char label[64];
    snprintf(label, sizeof label, "upload %.50s", u->repo_id);
    aif_progress_init(&x.progress, label, total, "B", hf->quiet);
    int nth = hf->parallel < (int)x.n ? hf->parallel : (int)x.n;
    aif_hf_run_workers(xfer_worker, &x, nth);
    aif_progress_finish(&x.progress);
    pthread_mutex_destroy(&x.mu);
    if (atomic_load(&x.failed)) {
        if (err)
            *err = x.err;
        rc = x.err.code ? x.err.code : AIF_EINTERNAL;
        aif_free(x.t);
        goto done;
    }
    /* multipart completion (pre-signed, no token), then verify (token, Hub only) */
    aif_http *anon = NULL;
    rc = aif_hf_http(hf, 0, 0, 0, 1, &anon, err);
    for (size_t i = 0; i < b.n && rc == AIF_OK; i++) {
        aif_hub_hf_lfs_object *o = &b.objects[i];
        if (!o->upload_href)
            continue;
        if (o->chunk_size) {
            json_t *parts = json_array();
            for (size_t k = 0; k < x.n; k++)
                if (x.t[k].o == o)
                    json_array_append_new(parts, json_pack("{s:I, s:s}", "partNumber", (json_int_t)x.t[k].part + 1,
                                                           "etag", x.t[k].etag));
            aif_http_response r;
            rc = post_lfs_json(hf, anon, o->upload_href, json_pack("{s:s, s:o}", "oid", o->oid, "parts", parts), &r,
                               err);
            if (rc != AIF_OK)
                aif_err_wrap(err, "completing the multipart upload of %s", o->oid);
            aif_http_response_release(&r);
        }
        if (rc == AIF_OK && o->verify_href) {
            if (!aif_hf_same_origin(o->verify_href, hf->endpoint)) {
                rc = aif_err_set(err, AIF_EFORMAT, "LFS verify URL %s is not on the Hub; not sending the token",
                                 o->verify_href);
                break;
            }
            aif_http_response r;
            rc = post_lfs_json(hf, NULL, o->verify_href,
                               json_pack("{s:s, s:I}", "oid", o->oid, "size", (json_int_t)o->size), &r, err);
            if (rc != AIF_OK)
                rc = aif_hf_map_error(hf, rc, &r, "LFS verify", u->repo_id, "main", NULL, err);
            aif_http_response_release(&r);
        }
    }
    aif_http_free(anon);
    aif_free(x.t);
done:
    aif_hub_hf_lfs_batch_release(&b);
    return rc;
}

/* ------------------------------------------------------------ commit */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static int sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->n + n + 1)
            c *= 2;
        char *p = aif_realloc(b->p, c);
        if (!p)
            return -1;
        b->p = p;
        b->cap = c;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
    return 0;
}

static int sb_line(sbuf *b, json_t *o)
{
    char *t = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    int r = t ? sb_add(b, t, strlen(t)) || sb_add(b, "\n", 1) : -1;
    free(t);
    return r;
}

static aif_code commit(upl *u, const char *message, const char *parent, char commit_out[41], aif_err *err)
{
    aif_hf *hf = u->hf;
    sbuf b = {0};
    json_t *hv = json_pack("{s:s, s:s}", "summary", message, "description", "");
    if (parent[0])
        json_object_set_new(hv, "parentCommit", json_string(parent));
    aif_code rc = sb_line(&b, json_pack("{s:s, s:o}", "key", "header", "value", hv)) ? AIF_ENOMEM : AIF_OK;
    for (size_t i = 0; i < u->n && rc == AIF_OK; i++) {
        lfile *f = &u->f[i];
        if (f->skip)
            continue;
        if (f->lfs) {
            if (sb_line(&b, json_pack("{s:s, s:{s:s, s:s, s:s, s:I}}", "key", "lfsFile", "value", "path", f->rel,
                                      "algo", "sha256", "oid", f->sha256, "size", (json_int_t)f->size)))
                rc = AIF_ENOMEM;
            continue;
        }
        if (f->size > MAX_REGULAR_BYTES) {
            rc = aif_err_set(err, AIF_ERANGE, "%s: %llu bytes is too large for a regular (non-LFS) commit entry",
                             f->rel, (unsigned long long)f->size);
            break;
        }
        char *data = NULL;
        size_t len = 0;
        if ((rc = aif_fs_read_file(f->full, MAX_REGULAR_BYTES, &data, &len, err)) != AIF_OK)
            break;
        char *b64 = aif_malloc(aif_crypto_base64_len(len));
        if (!b64) {
            aif_free(data);
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
            break;
        }
        aif_crypto_base64_encode(data, len, b64);
        aif_free(data);
        if (sb_line(&b, json_pack("{s:s, s:{s:s, s:s, s:s}}", "key", "file", "value", "content", b64, "path", f->rel,
                                  "encoding", "base64")))
            rc = AIF_ENOMEM;
        aif_free(b64);
    }
    if (rc == AIF_ENOMEM && (!err || err->code != AIF_ENOMEM))
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory building the commit");
    if (rc != AIF_OK) {
        aif_free(b.p);
        return rc;
    }
    char url[1024];
    snprintf(url, sizeof url, "%s/api/models/%s/commit/main", hf->endpoint, u->repo_id);
    const char *hdrs[] = {"Content-Type: application/x-ndjson", NULL};
    aif_http_request req = {.method = "POST", .url = url, .headers = hdrs, .body = b.p, .body_len = b.n};
    aif_http_response resp;
    /* never blindly retried: a lost answer would make a second commit */
    rc = aif_hf_api_send(hf, 1, &req, &resp, err);
    aif_free(b.p);
    if (rc != AIF_OK) {
        int unknown = rc == AIF_ENET || rc == AIF_ETIMEOUT || (rc == AIF_EHTTP && resp.status >= 500);
        rc = aif_hf_map_error(hf, rc, &resp, "commit", u->repo_id, "main", NULL, err);
        if (unknown) {
            /* the answer was lost: did the commit land? (never retried blindly) */
            aif_hub_hf_info info;
            aif_err e2;
            if (aif_hf_model_info(hf, u->repo_id, "main", 0, &info, &e2) == AIF_OK) {
                if (parent[0] && strcmp(info.sha, parent))
                    aif_err_wrap(err, "the branch head is now %s (was %s): the commit may have been made; check it "
                                      "before uploading again", info.sha, parent);
                else
                    aif_err_wrap(err, "the branch head is still %s: no commit was made, upload again",
                                 parent[0] ? parent : info.sha);
                aif_hub_hf_info_release(&info);
            }
        }
    } else {
        json_t *root = json_loadb(resp.body, resp.body_len, 0, NULL);
        const char *c = json_string_value(json_object_get(root, "commitOid"));
        if (!c || strlen(c) != 40)
            rc = aif_err_set(err, AIF_EFORMAT, "commit: the answer has no 40-hex \"commitOid\"");
        else
            memcpy(commit_out, c, 41);
        json_decref(root);
    }
    aif_http_response_release(&resp);
    return rc;
}

/* ------------------------------------------------------------ the op */

typedef struct hashjob {
    upl *u;
    atomic_size_t next;
    atomic_int failed;
    pthread_mutex_t mu;
    aif_err err;
} hashjob;

static void *hash_worker(void *arg)
{
    hashjob *h = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&h->next, 1);
        if (i >= h->u->n || atomic_load(&h->failed))
            break;
        lfile *f = &h->u->f[i];
        if (f->skip)
            continue;
        aif_err e;
        if (hash_file(f, !f->lfs, &e) != AIF_OK) {
            pthread_mutex_lock(&h->mu);
            if (!atomic_exchange(&h->failed, 1))
                h->err = e;
            pthread_mutex_unlock(&h->mu);
        }
    }
    return NULL;
}

aif_code aif_hf_upload(void *impl, const char *repo_id, const char *dir, int create_private, const char *message,
                       char commit_out[41], aif_err *err)
{
    aif_hf *hf = impl;
    upl u = {.hf = hf, .repo_id = repo_id};
    char head[41] = "";
    if (!message || !message[0])
        message = "Upload model";
    aif_code rc = aif_hf_create_repo(hf, repo_id, create_private, 1, err);
    if (rc == AIF_OK)
        rc = aif_fs_walk_files(dir, upload_skip, add_file, &u, err);
    if (rc == AIF_OK && u.n == 0)
        rc = aif_err_set(err, AIF_ENOTFOUND, "%s holds no file to upload", dir);
    if (rc != AIF_OK)
        goto done;
    qsort(u.f, u.n, sizeof *u.f, by_rel);
    for (size_t i = 0; i < u.n && rc == AIF_OK; i += BATCH)
        rc = preupload(&u, i, i + BATCH < u.n ? i + BATCH : u.n, head, err);
    if (rc != AIF_OK)
        goto done;
    /* hashes, several files at once */
    hashjob hj = {.u = &u};
    pthread_mutex_init(&hj.mu, NULL);
    aif_hf_run_workers(hash_worker, &hj, hf->parallel < (int)u.n ? hf->parallel : (int)u.n);
    pthread_mutex_destroy(&hj.mu);
    if (atomic_load(&hj.failed)) {
        if (err)
            *err = hj.err;
        rc = hj.err.code;
        goto done;
    }
    /* unchanged files (preupload's oid equals ours) are left out */
    size_t changed = 0;
    lfile **lf = aif_calloc_err(u.n, sizeof *lf, "LFS list", err);
    if (!lf) {
        rc = AIF_ENOMEM;
        goto done;
    }
    size_t nl = 0;
    for (size_t i = 0; i < u.n; i++) {
        lfile *f = &u.f[i];
        if (f->skip)
            continue;
        if (f->remote_oid && !strcmp(f->remote_oid, f->lfs ? f->sha256 : f->oid)) {
            f->skip = 1;
            continue;
        }
        changed++;
        if (f->lfs) {
            int dup = 0;
            for (size_t k = 0; k < nl && !dup; k++)
                dup = !strcmp(lf[k]->sha256, f->sha256);
            if (!dup)
                lf[nl++] = f;
        }
    }
    for (size_t i = 0; i < nl && rc == AIF_OK; i += BATCH)
        rc = lfs_upload(&u, lf + i, nl - i < BATCH ? nl - i : BATCH, err);
    aif_free(lf);
    if (rc != AIF_OK)
        goto done;
    if (!changed) {
        aif_hub_hf_info info;
        if ((rc = aif_hf_model_info(hf, repo_id, "main", 0, &info, err)) == AIF_OK) {
            memcpy(commit_out, info.sha, 41);
            aif_hub_hf_info_release(&info);
        }
        aif_log(AIF_LOG_INFO, "hub: %s: nothing changed, no commit made", repo_id);
        goto done;
    }
    rc = commit(&u, message, head, commit_out, err);
done:
    upl_release(&u);
    return rc;
}
