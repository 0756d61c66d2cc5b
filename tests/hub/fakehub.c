/* fakehub.c: the test Hub of fakehub.h. */
#include "fakehub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aif/crypto.h"
#include "aif/hub.h"

#define MAX_BODY ((size_t)1 << 30)

typedef struct ffile {
    char *path;
    uint64_t size;
    char sha[65], git[41];
    int lfs;
} ffile;

typedef struct fcommit {
    char oid[41];
    ffile *f;
    size_t n;
} fcommit;

typedef struct frepo {
    char id[160];
    int private, alive;
    fcommit *c;
    size_t nc;
} frepo;

typedef struct ffault {
    char method[16], substr[256];
    int kind, status, count;
    char headers[256];
    long arg;
} ffault;

typedef struct fstatic {
    char method[16], prefix[256], headers[512];
    int status;
    const char *file, *text;
} fstatic;

typedef struct flog {
    char method[16];
    char *target, *body, *headers, auth[300];
    int cdn;
} flog;

struct fakehub {
    fakehub_opts o;
    char token[128], user[64], store[1024];
    int fd[2], port[2];
    char url[2][64];
    pthread_t th[2];
    atomic_int stop, active;
    pthread_mutex_t mu;
    frepo repos[64];
    int nrepos;
    ffault faults[32];
    int nfaults;
    fstatic statics[16];
    int nstatics;
    flog *log;
    int nlog, caplog;
    unsigned counter;
};

typedef struct conn {
    fakehub *h;
    int fd, cdn;
} conn;

static void die(const char *w)
{
    fprintf(stderr, "fakehub: %s: %s\n", w, strerror(errno));
    abort();
}

static int send_all(int fd, const void *b, size_t n)
{
    const char *p = b;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int hdr(const char *headers, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *l = headers; l && *l;) {
        const char *e = strstr(l, "\r\n");
        size_t len = e ? (size_t)(e - l) : strlen(l);
        if (len > nl && l[nl] == ':' && !strncasecmp(l, name, nl)) {
            const char *v = l + nl + 1;
            while (*v == ' ')
                v++;
            size_t k = (size_t)(l + len - v);
            if (k >= cap)
                k = cap - 1;
            memcpy(out, v, k);
            out[k] = 0;
            return 1;
        }
        if (!e)
            break;
        l = e + 2;
    }
    return 0;
}

/* ------------------------------------------------------------ responses */

typedef struct resp {
    int status;
    char headers[2048];
    char *body;           /* heap */
    size_t len;
    char file[1200];      /* or stream this blob */
    uint64_t file_size;
} resp;

static void set_body(resp *r, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        die("vasprintf");
    va_end(ap);
    free(r->body);
    r->status = status;
    r->body = s;
    r->len = strlen(s);
}

static void add_hdr(resp *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = strlen(r->headers);
    vsnprintf(r->headers + n, sizeof r->headers - n, fmt, ap);
    va_end(ap);
    n = strlen(r->headers);
    snprintf(r->headers + n, sizeof r->headers - n, "\r\n");
}

static void json_resp(resp *r, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    set_body(r, status, "%s", s);
    free(s);
    add_hdr(r, "Content-Type: application/json");
}

static void error_resp(resp *r, int status, const char *code, const char *msg)
{
    set_body(r, status, "{\"error\":\"%s\"}", msg);
    if (code)
        add_hdr(r, "X-Error-Code: %s", code);
    add_hdr(r, "X-Error-Message: %s", msg);
}

static const char *reason(int s)
{
    switch (s) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 302: return "Found";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    default: return "Status";
    }
}

/* ------------------------------------------------------------ state helpers (mu held) */

static frepo *find_repo(fakehub *h, const char *id)
{
    for (int i = 0; i < h->nrepos; i++)
        if (h->repos[i].alive && !strcmp(h->repos[i].id, id))
            return &h->repos[i];
    return NULL;
}

static fcommit *resolve_rev(frepo *r, const char *rev)
{
    if (!strcmp(rev, "main"))
        return r->nc ? &r->c[r->nc - 1] : NULL;
    for (size_t i = 0; i < r->nc; i++)
        if (!strcmp(r->c[i].oid, rev))
            return &r->c[i];
    return NULL;
}

static void new_commit(fakehub *h, frepo *r, const fcommit *base_in)
{
    long bi = base_in ? (long)(base_in - r->c) : -1; /* realloc moves r->c */
    r->c = realloc(r->c, (r->nc + 1) * sizeof *r->c);
    const fcommit *base = bi >= 0 ? &r->c[bi] : NULL;
    fcommit *c = &r->c[r->nc++];
    memset(c, 0, sizeof *c);
    char seed[256];
    snprintf(seed, sizeof seed, "%s:%u:%zu", r->id, ++h->counter, r->nc);
    aif_hub_git_blob_oid(seed, strlen(seed), c->oid);
    if (base && base->n) {
        c->f = calloc(base->n, sizeof *c->f);
        for (size_t i = 0; i < base->n; i++) {
            c->f[i] = base->f[i];
            c->f[i].path = strdup(base->f[i].path);
        }
        c->n = base->n;
    }
}

static void put_file(fcommit *c, const ffile *nf)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->f[i].path, nf->path)) {
            free(c->f[i].path);
            c->f[i] = *nf;
            return;
        }
    c->f = realloc(c->f, (c->n + 1) * sizeof *c->f);
    c->f[c->n++] = *nf;
}

static int by_path(const void *a, const void *b) { return strcmp(((const ffile *)a)->path, ((const ffile *)b)->path); }

static void blob_path(fakehub *h, const char *sha, char *out, size_t cap) { snprintf(out, cap, "%s/%s", h->store, sha); }

static int have_blob(fakehub *h, const char *sha)
{
    char p[1200];
    blob_path(h, sha, p, sizeof p);
    return access(p, F_OK) == 0;
}

/* Store data as a blob; fills sha and git. */
static void store_blob(fakehub *h, const void *data, size_t len, char sha[65], char git[41])
{
    uint8_t d[32];
    aif_crypto_sha256(data, len, d);
    aif_crypto_hex_encode(d, 32, sha);
    if (git)
        aif_hub_git_blob_oid(data, len, git);
    char p[1200], t[1300];
    blob_path(h, sha, p, sizeof p);
    snprintf(t, sizeof t, "%s.tmp%lu", p, (unsigned long)pthread_self());
    FILE *f = fopen(t, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f))
        die("store blob");
    rename(t, p);
}

/* ------------------------------------------------------------ auth */

typedef struct rq {
    char method[16];
    char *target, *path, *query, *headers, *body;
    size_t body_len;
    int cdn, authed, bad_token;
} rq;

/* 1 if the caller may read r; else fills resp (401 RepoNotFound). */
static int may_read(rq *q, frepo *r, resp *out)
{
    if (q->bad_token) {
        error_resp(out, 401, NULL, "Invalid credentials in Authorization header");
        return 0;
    }
    if (!r || (r->private && !q->authed)) {
        error_resp(out, q->authed ? 404 : 401, "RepoNotFound", "Repository not found");
        return 0;
    }
    return 1;
}

static int may_write(rq *q, resp *out)
{
    if (!q->authed) {
        error_resp(out, 401, NULL, q->bad_token ? "Invalid credentials in Authorization header" : "You must be authenticated");
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ endpoints */

static void url_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '%' && s[1] && s[2]) {
            char hx[3] = {s[1], s[2], 0};
            *o++ = (char)strtol(hx, NULL, 16);
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
}

static json_t *info_json(fakehub *h, frepo *r, fcommit *c, int blobs)
{
    json_t *sib = json_array();
    for (size_t i = 0; i < c->n; i++) {
        ffile *f = &c->f[i];
        json_t *o = json_pack("{s:s}", "rfilename", f->path);
        if (blobs) {
            json_object_set_new(o, "size", json_integer((json_int_t)f->size));
            json_object_set_new(o, "blobId", json_string(f->git));
            if (f->lfs)
                json_object_set_new(o, "lfs", json_pack("{s:s, s:I, s:i}", "sha256", f->sha, "size",
                                                        (json_int_t)f->size, "pointerSize", 134));
        }
        json_array_append_new(sib, o);
    }
    const char *slash = strchr(r->id, '/');
    char author[160];
    snprintf(author, sizeof author, "%.*s", slash ? (int)(slash - r->id) : 0, r->id);
    (void)h;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:s, s:o}", "_id", "621ffdc036468d709f174338", "id",
                     r->id, "modelId", r->id, "author", author, "sha", c->oid, "private", r->private, "gated", 0,
                     "disabled", 0, "lastModified", "2026-11-27T00:00:00.000Z", "siblings", sib);
}

/* /api/models/<ns>/<name>/<rest>: splits into repo id and rest. */
static int split_repo(const char *p, char *repo, size_t cap, const char **rest)
{
    const char *s1 = strchr(p, '/');
    if (!s1)
        return 0;
    const char *s2 = strchr(s1 + 1, '/');
    size_t n = s2 ? (size_t)(s2 - p) : strlen(p);
    if (n >= cap)
        return 0;
    memcpy(repo, p, n);
    repo[n] = 0;
    *rest = s2 ? s2 : "";
    return 1;
}

static void api_models(fakehub *h, rq *q, const char *p, resp *out)
{
    char repo[160];
    const char *rest;
    if (!split_repo(p, repo, sizeof repo, &rest)) {
        error_resp(out, 404, "RepoNotFound", "Repository not found");
        return;
    }
    frepo *r = find_repo(h, repo);
    if (!strcmp(rest, "/settings") && !strcmp(q->method, "PUT")) {
        if (!may_write(q, out) || !may_read(q, r, out))
            return;
        json_t *j = json_loadb(q->body, q->body_len, 0, NULL);
        json_t *pv = json_object_get(j, "private");
        if (json_is_boolean(pv))
            r->private = json_is_true(pv);
        json_decref(j);
        json_resp(out, 200, json_pack("{s:b}", "private", r->private));
        return;
    }
    if (!may_read(q, r, out))
        return;
    char rev[128] = "main";
    const char *tail = "";
    if (!strncmp(rest, "/revision/", 10) || !strncmp(rest, "/tree/", 6) || !strncmp(rest, "/preupload/", 11) ||
        !strncmp(rest, "/commit/", 8) || !strncmp(rest, "/paths-info/", 12)) {
        const char *s = strchr(rest + 1, '/') + 1;
        size_t n = strcspn(s, "/");
        snprintf(rev, sizeof rev, "%.*s", (int)n, s);
        url_decode(rev);
        tail = s + n;
    } else if (rest[0]) {
        error_resp(out, 404, NULL, "no such endpoint");
        return;
    }
    fcommit *c = resolve_rev(r, rev);
    if (!c && !(r->nc == 0 && !strcmp(rev, "main"))) {
        error_resp(out, 404, "RevisionNotFound", "Invalid rev id");
        return;
    }
    if (!strncmp(rest, "/preupload/", 11)) {
        json_t *j = json_loadb(q->body, q->body_len, 0, NULL);
        json_t *files = json_object_get(j, "files"), *ans = json_array(), *o;
        size_t i;
        json_array_foreach(files, i, o) {
            const char *path = json_string_value(json_object_get(o, "path"));
            json_int_t size = json_integer_value(json_object_get(o, "size"));
            if (!path)
                continue;
            size_t pl = strlen(path);
            int lfs = (uint64_t)size >= h->o.lfs_threshold || (pl > 12 && !strcmp(path + pl - 12, ".safetensors"));
            json_t *a = json_pack("{s:s, s:s, s:b}", "path", path, "uploadMode", lfs ? "lfs" : "regular",
                                  "shouldIgnore", 0);
            for (size_t k = 0; c && k < c->n; k++)
                if (!strcmp(c->f[k].path, path))
                    json_object_set_new(a, "oid", json_string(c->f[k].lfs ? c->f[k].sha : c->f[k].git));
            json_array_append_new(ans, a);
        }
        json_decref(j);
        json_resp(out, 200, json_pack("{s:o, s:s}", "files", ans, "commitOid",
                                      c ? c->oid : "0000000000000000000000000000000000000000"));
        return;
    }
    if (!strncmp(rest, "/commit/", 8)) {
        if (!may_write(q, out))
            return;
        char *save = NULL, *body = strndup(q->body, q->body_len);
        fcommit *base = c;
        int nc_before = (int)r->nc, bad = 0;
        for (char *line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            json_t *j = json_loads(line, 0, NULL);
            const char *key = json_string_value(json_object_get(j, "key"));
            json_t *v = json_object_get(j, "value");
            if (!key || !json_is_object(v)) {
                bad = 1;
            } else if (!strcmp(key, "header")) {
                const char *parent = json_string_value(json_object_get(v, "parentCommit"));
                const char *sum = json_string_value(json_object_get(v, "summary"));
                if (!sum || !sum[0])
                    bad = 1;
                if (parent && (!base || strcmp(parent, base->oid))) {
                    json_decref(j);
                    free(body);
                    error_resp(out, 412, NULL, "A commit has happened since. Please refresh and try again.");
                    return;
                }
                new_commit(h, r, base);
            } else if ((int)r->nc == nc_before) {
                bad = 1; /* header first */
            } else if (!strcmp(key, "file")) {
                const char *b64 = json_string_value(json_object_get(v, "content"));
                const char *path = json_string_value(json_object_get(v, "path"));
                size_t cap = b64 ? strlen(b64) : 0, len = 0;
                uint8_t *data = malloc(cap + 1);
                if (!path || !b64 || aif_crypto_base64_decode(b64, data, cap + 1, &len, NULL)) {
                    bad = 1;
                } else {
                    ffile f = {.path = strdup(path), .size = len};
                    store_blob(h, data, len, f.sha, f.git);
                    put_file(&r->c[r->nc - 1], &f);
                }
                free(data);
            } else if (!strcmp(key, "lfsFile")) {
                const char *path = json_string_value(json_object_get(v, "path"));
                const char *oid = json_string_value(json_object_get(v, "oid"));
                json_int_t size = json_integer_value(json_object_get(v, "size"));
                if (!path || !oid || strlen(oid) != 64 || !have_blob(h, oid)) {
                    json_decref(j);
                    free(body);
                    error_resp(out, 422, NULL, "LFS object not found");
                    return;
                }
                ffile f = {.path = strdup(path), .size = (uint64_t)size, .lfs = 1};
                memcpy(f.sha, oid, 65);
                char ptr[256];
                snprintf(ptr, sizeof ptr, "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %lld\n",
                         oid, (long long)size);
                aif_hub_git_blob_oid(ptr, strlen(ptr), f.git);
                put_file(&r->c[r->nc - 1], &f);
            } else {
                bad = 1;
            }
            json_decref(j);
        }
        free(body);
        if (bad || (int)r->nc == nc_before) {
            error_resp(out, 400, NULL, "bad commit payload");
            return;
        }
        fcommit *nc = &r->c[r->nc - 1];
        qsort(nc->f, nc->n, sizeof *nc->f, by_path);
        json_resp(out, 200, json_pack("{s:b, s:s, s:s, s:s}", "success", 1, "commitOid", nc->oid, "commitUrl",
                                      "https://huggingface.co/x/commit", "hookOutput", ""));
        return;
    }
    if (!c) {
        error_resp(out, 404, "RevisionNotFound", "Invalid rev id");
        return;
    }
    if (!strncmp(rest, "/paths-info/", 12)) { /* JSON {"paths": [...], "expand": bool} (hfjs) */
        json_t *j = json_loadb(q->body, q->body_len, 0, NULL), *pp, *ans = json_array();
        size_t i;
        int expand = json_is_true(json_object_get(j, "expand"));
        json_array_foreach(json_object_get(j, "paths"), i, pp) {
            for (size_t k = 0; k < c->n; k++) {
                ffile *f = &c->f[k];
                if (!json_is_string(pp) || strcmp(f->path, json_string_value(pp)))
                    continue;
                json_t *o = json_pack("{s:s, s:s, s:I, s:s}", "type", "file", "oid", f->git, "size",
                                      (json_int_t)f->size, "path", f->path);
                if (f->lfs)
                    json_object_set_new(o, "lfs", json_pack("{s:s, s:I, s:i}", "oid", f->sha, "size",
                                                            (json_int_t)f->size, "pointerSize", 134));
                if (expand)
                    json_object_set_new(o, "lastCommit", json_pack("{s:s, s:s, s:s}", "id", c->oid, "title", "x",
                                                                   "date", "2026-11-27T00:00:00.000Z"));
                json_array_append_new(ans, o);
            }
        }
        json_decref(j);
        json_resp(out, 200, ans);
        return;
    }
    if (!strncmp(rest, "/tree/", 6)) {
        (void)tail;
        long cursor = 0;
        const char *cp = q->query ? strstr(q->query, "cursor=") : NULL;
        if (cp)
            cursor = atol(cp + 7);
        /* entries: files, plus one directory entry per folder */
        json_t *all = json_array();
        for (size_t i = 0; i < c->n; i++) {
            ffile *f = &c->f[i];
            const char *sl = strrchr(f->path, '/');
            if (sl) {
                char d[512];
                snprintf(d, sizeof d, "%.*s", (int)(sl - f->path), f->path);
                int seen = 0;
                for (size_t k = 0; k < json_array_size(all) && !seen; k++)
                    seen = !strcmp(json_string_value(json_object_get(json_array_get(all, k), "path")), d);
                if (!seen)
                    json_array_append_new(all, json_pack("{s:s, s:s, s:s, s:i}", "type", "directory", "oid",
                                                         "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "path", d, "size",
                                                         0));
            }
            json_t *o = json_pack("{s:s, s:s, s:I, s:s}", "type", "file", "oid", f->git, "size", (json_int_t)f->size,
                                  "path", f->path);
            if (f->lfs)
                json_object_set_new(o, "lfs", json_pack("{s:s, s:I, s:i}", "oid", f->sha, "size", (json_int_t)f->size,
                                                        "pointerSize", 134));
            json_array_append_new(all, o);
        }
        json_t *page = json_array();
        size_t per = (size_t)h->o.tree_page, n = json_array_size(all);
        for (size_t k = (size_t)cursor; k < n && k < (size_t)cursor + per; k++)
            json_array_append(page, json_array_get(all, k));
        json_decref(all);
        if ((size_t)cursor + per < n)
            add_hdr(out, "Link: <%s/api/models/%s/tree/%s?recursive=true&expand=false&cursor=%zu>; rel=\"next\"",
                    h->url[0], r->id, c->oid, (size_t)cursor + per);
        json_resp(out, 200, page);
        return;
    }
    json_resp(out, 200, info_json(h, r, c, q->query && strstr(q->query, "blobs=true")));
}

static void resolve(fakehub *h, rq *q, const char *repo, const char *rest, resp *out)
{
    frepo *r = find_repo(h, repo);
    if (!may_read(q, r, out))
        return;
    char rev[128];
    size_t n = strcspn(rest, "/");
    snprintf(rev, sizeof rev, "%.*s", (int)n, rest);
    url_decode(rev);
    char path[1024];
    snprintf(path, sizeof path, "%s", rest[n] ? rest + n + 1 : "");
    url_decode(path);
    fcommit *c = resolve_rev(r, rev);
    if (!c) {
        error_resp(out, 404, "RevisionNotFound", "Invalid rev id");
        return;
    }
    ffile *f = NULL;
    for (size_t i = 0; i < c->n && !f; i++)
        if (!strcmp(c->f[i].path, path))
            f = &c->f[i];
    add_hdr(out, "X-Repo-Commit: %s", c->oid);
    if (!f) {
        error_resp(out, 404, "EntryNotFound", "Entry not found");
        return;
    }
    if (f->lfs) {
        set_body(out, 302, "Found. Redirecting to %s/cdn/%s?sig=x", h->url[1], f->sha);
        add_hdr(out, "Location: %s/cdn/%s?sig=x", h->url[1], f->sha);
        add_hdr(out, "X-Linked-Etag: \"%s\"", f->sha);
        add_hdr(out, "X-Linked-Size: %llu", (unsigned long long)f->size);
        add_hdr(out, "ETag: \"%s\"", f->git);
        return;
    }
    out->status = 200;
    add_hdr(out, "ETag: \"%s\"", f->git);
    blob_path(h, f->sha, out->file, sizeof out->file);
    out->file_size = f->size;
}

static void lfs_batch(fakehub *h, rq *q, const char *repo, resp *out)
{
    if (!may_write(q, out) || !may_read(q, find_repo(h, repo), out))
        return;
    json_t *j = json_loadb(q->body, q->body_len, 0, NULL), *o, *ans = json_array();
    size_t i;
    json_array_foreach(json_object_get(j, "objects"), i, o) {
        const char *oid = json_string_value(json_object_get(o, "oid"));
        json_int_t size = json_integer_value(json_object_get(o, "size"));
        if (!oid || strlen(oid) != 64) {
            json_array_append_new(ans, json_pack("{s:s, s:I, s:{s:i, s:s}}", "oid", oid ? oid : "", "size", size,
                                                 "error", "code", 422, "message", "bad oid"));
            continue;
        }
        json_t *a = json_pack("{s:s, s:I, s:b}", "oid", oid, "size", size, "authenticated", 1);
        if (!have_blob(h, oid)) {
            json_t *hdrs = json_object();
            char href[512];
            if ((uint64_t)size > h->o.chunk_size) {
                uint64_t cs = h->o.chunk_size, np = ((uint64_t)size + cs - 1) / cs;
                char v[32];
                snprintf(v, sizeof v, "%llu", (unsigned long long)cs);
                json_object_set_new(hdrs, "chunk_size", json_string(v));
                for (uint64_t k = 1; k <= np; k++) {
                    char key[16], u[512];
                    snprintf(key, sizeof key, "%05llu", (unsigned long long)k);
                    snprintf(u, sizeof u, "%s/part/%s/%llu?sig=x", h->url[1], oid, (unsigned long long)k);
                    json_object_set_new(hdrs, key, json_string(u));
                }
                snprintf(href, sizeof href, "%s/complete/%s?sig=x", h->url[1], oid);
            } else {
                snprintf(href, sizeof href, "%s/up/%s?sig=x", h->url[1], oid);
            }
            char vh[512];
            snprintf(vh, sizeof vh, "%s/%s.git/info/lfs/objects/verify", h->url[0], repo);
            json_object_set_new(a, "actions", json_pack("{s:{s:s, s:o, s:i}, s:{s:s, s:{}}}", "upload", "href", href,
                                                        "header", hdrs, "expires_in", 900, "verify", "href", vh,
                                                        "header"));
        }
        json_array_append_new(ans, a);
    }
    json_decref(j);
    json_resp(out, 200, json_pack("{s:s, s:o}", "transfer", "basic", "objects", ans));
}

static void cdn(fakehub *h, rq *q, resp *out)
{
    char oid[65] = "";
    const char *p = q->path;
    if (!strncmp(p, "/cdn/", 5) && !strcmp(q->method, "GET")) {
        snprintf(oid, sizeof oid, "%.64s", p + 5);
        if (!have_blob(h, oid)) {
            set_body(out, 404, "NoSuchKey");
            return;
        }
        out->status = 200;
        blob_path(h, oid, out->file, sizeof out->file);
        struct stat st;
        stat(out->file, &st);
        out->file_size = (uint64_t)st.st_size;
        add_hdr(out, "ETag: \"%s\"", oid); /* storage hosts send their own ETag */
        return;
    }
    if (!strncmp(p, "/up/", 4) && !strcmp(q->method, "PUT")) {
        char sha[65];
        store_blob(h, q->body, q->body_len, sha, NULL);
        if (strncmp(sha, p + 4, 64)) {
            char bp[1200];
            blob_path(h, sha, bp, sizeof bp);
            unlink(bp);
            set_body(out, 400, "BadDigest");
            return;
        }
        set_body(out, 200, "");
        add_hdr(out, "ETag: \"%s\"", sha);
        return;
    }
    if (!strncmp(p, "/part/", 6) && !strcmp(q->method, "PUT")) {
        snprintf(oid, sizeof oid, "%.64s", p + 6);
        long k = atol(p + 6 + 65);
        char pp[1300];
        snprintf(pp, sizeof pp, "%s/part-%s-%ld", h->store, oid, k);
        FILE *f = fopen(pp, "wb");
        if (!f || (q->body_len && fwrite(q->body, 1, q->body_len, f) != q->body_len) || fclose(f))
            die("part");
        uint8_t d[32];
        char hex[65];
        aif_crypto_sha256(q->body, q->body_len, d);
        aif_crypto_hex_encode(d, 32, hex);
        set_body(out, 200, "");
        add_hdr(out, "ETag: \"%.32s\"", hex);
        return;
    }
    if (!strncmp(p, "/complete/", 10) && !strcmp(q->method, "POST")) {
        snprintf(oid, sizeof oid, "%.64s", p + 10);
        json_t *j = json_loadb(q->body, q->body_len, 0, NULL), *o;
        json_t *parts = json_object_get(j, "parts");
        char tmp[1300];
        snprintf(tmp, sizeof tmp, "%s/assemble-%s", h->store, oid);
        FILE *w = fopen(tmp, "wb");
        aif_sha256 s;
        aif_sha256_init(&s);
        size_t i;
        int bad = !json_is_array(parts) || !w;
        char *buf = malloc(1 << 20);
        json_array_foreach(parts, i, o) {
            json_int_t k = json_integer_value(json_object_get(o, "partNumber"));
            const char *et = json_string_value(json_object_get(o, "etag"));
            char pp[1300];
            snprintf(pp, sizeof pp, "%s/part-%s-%lld", h->store, oid, (long long)k);
            FILE *f = fopen(pp, "rb");
            if (!f || k != (json_int_t)i + 1 || !et) {
                bad = 1;
                if (f)
                    fclose(f);
                break;
            }
            size_t r;
            while ((r = fread(buf, 1, 1 << 20, f)) > 0) {
                fwrite(buf, 1, r, w);
                aif_sha256_update(&s, buf, r);
            }
            fclose(f);
            unlink(pp);
        }
        free(buf);
        if (w)
            fclose(w);
        json_decref(j);
        uint8_t d[32];
        char hex[65];
        aif_sha256_final(&s, d);
        aif_crypto_hex_encode(d, 32, hex);
        if (bad || strcmp(hex, oid)) {
            unlink(tmp);
            set_body(out, 400, "{\"error\":\"bad multipart completion\"}");
            return;
        }
        char bp[1200];
        blob_path(h, oid, bp, sizeof bp);
        rename(tmp, bp);
        set_body(out, 200, "{}");
        return;
    }
    set_body(out, 404, "no route");
}

static void route(fakehub *h, rq *q, resp *out)
{
    if (q->cdn) {
        cdn(h, q, out);
        return;
    }
    const char *p = q->path;
    if (!strcmp(p, "/api/whoami-v2")) {
        if (!q->authed)
            error_resp(out, 401, NULL, q->bad_token ? "Invalid credentials in Authorization header" : "Unauthorized");
        else
            json_resp(out, 200, json_pack("{s:s, s:s, s:s, s:[]}", "type", "user", "id", "64a0", "name", h->user,
                                          "orgs"));
        return;
    }
    if (!strcmp(p, "/api/repos/create") || !strcmp(p, "/api/repos/delete")) {
        if (!may_write(q, out))
            return;
        json_t *j = json_loadb(q->body, q->body_len, 0, NULL);
        const char *name = json_string_value(json_object_get(j, "name"));
        const char *org = json_string_value(json_object_get(j, "organization"));
        char id[160];
        snprintf(id, sizeof id, "%s/%s", org ? org : h->user, name ? name : "");
        frepo *r = find_repo(h, id);
        if (!strcmp(p, "/api/repos/delete")) {
            if (!r)
                error_resp(out, 404, "RepoNotFound", "Repository not found");
            else {
                r->alive = 0;
                set_body(out, 200, "OK");
            }
        } else if (r) {
            set_body(out, 409, "{\"error\":\"You already created this model repo\",\"url\":\"https://huggingface.co/%s\"}", id);
        } else if (h->nrepos < 64) {
            r = &h->repos[h->nrepos++];
            memset(r, 0, sizeof *r);
            snprintf(r->id, sizeof r->id, "%s", id);
            r->alive = 1;
            r->private = json_is_true(json_object_get(j, "private"));
            /* like the Hub: a new repo starts with a commit holding .gitattributes */
            new_commit(h, r, NULL);
            static const char ga[] = "*.safetensors filter=lfs diff=lfs merge=lfs -text\n";
            ffile f = {.path = strdup(".gitattributes"), .size = sizeof ga - 1};
            store_blob(h, ga, sizeof ga - 1, f.sha, f.git);
            put_file(&r->c[0], &f);
            json_resp(out, 200, json_pack("{s:s, s:s, s:s}", "url", "https://huggingface.co/x", "name", id, "id",
                                          "67cae56f9b4f4ee4713c83e7"));
        }
        json_decref(j);
        return;
    }
    if (!strncmp(p, "/api/models/", 12)) {
        api_models(h, q, p + 12, out);
        return;
    }
    char repo[160];
    const char *rest;
    if (split_repo(p + 1, repo, sizeof repo, &rest)) {
        if (!strncmp(rest, "/resolve/", 9)) {
            resolve(h, q, repo, rest + 9, out);
            return;
        }
        size_t rl = strlen(repo);
        char *dot = rl > 4 ? strstr(repo, ".git") : NULL;
        if (dot && !strcmp(rest, "/info/lfs/objects/batch")) {
            *dot = 0;
            lfs_batch(h, q, repo, out);
            return;
        }
        if (dot && !strcmp(rest, "/info/lfs/objects/verify")) {
            json_t *j = json_loadb(q->body, q->body_len, 0, NULL);
            const char *oid = json_string_value(json_object_get(j, "oid"));
            if (!q->authed)
                error_resp(out, 401, NULL, "Unauthorized");
            else if (!oid || !have_blob(h, oid))
                error_resp(out, 404, NULL, "Object not found");
            else
                set_body(out, 200, "{}");
            json_decref(j);
            return;
        }
    }
    error_resp(out, 404, NULL, "no route");
}

/* ------------------------------------------------------------ connection */

static int read_req(conn *c, rq *q)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1), *end = NULL;
    while (!end) {
        if (n >= cap)
            goto fail;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0)
            goto fail;
        ssize_t k = recv(c->fd, buf + n, cap - n, 0);
        if (k <= 0)
            goto fail;
        n += (size_t)k;
        buf[n] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    size_t hl = (size_t)(end - buf) + 4;
    char *sp1 = strchr(buf, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL, *eol = strstr(buf, "\r\n");
    if (!sp1 || !sp2 || sp2 > eol || sp1 - buf >= 15)
        goto fail;
    memset(q, 0, sizeof *q);
    memcpy(q->method, buf, (size_t)(sp1 - buf));
    q->target = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
    q->headers = strndup(eol + 2, (size_t)(end + 2 - (eol + 2)));
    char v[64];
    size_t clen = hdr(q->headers, "Content-Length", v, sizeof v) ? strtoull(v, NULL, 10) : 0;
    if (clen > MAX_BODY)
        goto fail;
    q->body = malloc(clen + 1);
    size_t have = n - hl < clen ? n - hl : clen;
    memcpy(q->body, buf + hl, have);
    while (have < clen) {
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, 1, 10000) <= 0)
            goto fail;
        ssize_t k = recv(c->fd, q->body + have, clen - have, 0);
        if (k <= 0)
            goto fail;
        have += (size_t)k;
    }
    q->body[clen] = 0;
    q->body_len = clen;
    free(buf);
    q->path = strdup(q->target);
    char *qm = strchr(q->path, '?');
    if (qm) {
        *qm = 0;
        q->query = qm + 1;
    }
    return 0;
fail:
    free(buf);
    return -1;
}

static void send_resp(conn *c, rq *q, resp *r, ffault *f)
{
    int status = r->status ? r->status : 200;
    uint64_t len = r->file[0] ? r->file_size : r->len, a = 0, b = len ? len - 1 : 0;
    char extra[256] = "", range[128];
    int is_range = 0;
    if (r->file[0] && status == 200 && hdr(q->headers, "Range", range, sizeof range) && !strncmp(range, "bytes=", 6) &&
        !(f && f->kind == FH_IGNORE_RANGE)) {
        char *dash;
        a = strtoull(range + 6, &dash, 10);
        if (*dash == '-' && dash[1])
            b = strtoull(dash + 1, NULL, 10);
        if (a >= len || b < a) {
            snprintf(extra, sizeof extra, "Content-Range: bytes */%llu\r\n", (unsigned long long)len);
            status = 416;
            r->file[0] = 0;
            free(r->body);
            r->body = strdup("");
            r->len = 0;
            len = 0;
        } else {
            if (b >= len)
                b = len - 1;
            snprintf(extra, sizeof extra, "Content-Range: bytes %llu-%llu/%llu\r\n", (unsigned long long)a,
                     (unsigned long long)b, (unsigned long long)len);
            status = 206;
            is_range = 1;
        }
    }
    uint64_t send_len = r->file[0] ? (is_range ? b - a + 1 : len) : r->len;
    uint64_t over = f && f->kind == FH_OVERSIZE ? (uint64_t)f->arg : 0;
    char head[4096];
    int hn = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Length: %llu\r\nConnection: close\r\n%s%s%s\r\n",
                      status, reason(status), (unsigned long long)(send_len + over), r->file[0] ? "Accept-Ranges: bytes\r\n" : "",
                      extra, r->headers);
    if (send_all(c->fd, head, (size_t)hn) || !strcmp(q->method, "HEAD"))
        return;
    uint64_t limit = f && f->kind == FH_CUT ? (uint64_t)f->arg : UINT64_MAX;
    if (!r->file[0]) {
        send_all(c->fd, r->body ? r->body : "", r->len < limit ? r->len : limit);
        return;
    }
    int fd = open(r->file, O_RDONLY);
    if (fd < 0)
        return;
    char *buf = malloc(1 << 20);
    uint64_t off = is_range ? a : 0, sent = 0;
    while (sent < send_len && sent < limit) {
        size_t want = send_len - sent < (1 << 20) ? (size_t)(send_len - sent) : (1 << 20);
        if (limit - sent < want)
            want = (size_t)(limit - sent);
        ssize_t k = pread(fd, buf, want, (off_t)(off + sent));
        if (k <= 0)
            break;
        if (f && f->kind == FH_CORRUPT && (uint64_t)f->arg >= off + sent && (uint64_t)f->arg < off + sent + (uint64_t)k)
            buf[f->arg - (long)(off + sent)] ^= 0x55;
        if (send_all(c->fd, buf, (size_t)k))
            break;
        sent += (uint64_t)k;
    }
    if (over && sent == send_len) {
        memset(buf, 'X', over < (1 << 20) ? over : (1 << 20));
        send_all(c->fd, buf, over < (1 << 20) ? over : (1 << 20));
    }
    free(buf);
    close(fd);
}

static void *serve(void *arg)
{
    conn *c = arg;
    fakehub *h = c->h;
    rq q;
    if (read_req(c, &q) == 0) {
        char auth[300] = "";
        int has = hdr(q.headers, "Authorization", auth, sizeof auth);
        char want[200];
        snprintf(want, sizeof want, "Bearer %s", h->token);
        q.cdn = c->cdn;
        q.authed = has && !strcmp(auth, want);
        q.bad_token = has && !q.authed;
        resp r = {0};
        ffault fcopy, *f = NULL;
        pthread_mutex_lock(&h->mu);
        if (h->nlog == h->caplog) {
            h->caplog = h->caplog ? h->caplog * 2 : 64;
            h->log = realloc(h->log, (size_t)h->caplog * sizeof *h->log);
        }
        flog *l = &h->log[h->nlog++];
        memset(l, 0, sizeof *l);
        snprintf(l->method, sizeof l->method, "%s", q.method);
        l->target = strdup(q.target);
        l->body = q.body_len < (1 << 20) ? strndup(q.body, q.body_len) : strdup("(large)");
        l->cdn = c->cdn;
        l->headers = strdup(q.headers);
        if (has)
            snprintf(l->auth, sizeof l->auth, "%s", auth);
        for (int i = 0; i < h->nfaults; i++) {
            ffault *x = &h->faults[i];
            if (x->count > 0 && !strcmp(x->method, q.method) && strstr(q.target, x->substr)) {
                x->count--;
                fcopy = *x;
                f = &fcopy;
                break;
            }
        }
        int done = 0;
        if (f && f->kind == FH_BODY) {
            set_body(&r, f->status, "%s", f->headers);
            done = 1;
        }
        if (f && f->kind == FH_STATUS) {
            error_resp(&r, f->status, NULL, "injected");
            if (f->headers[0])
                add_hdr(&r, "%s", f->headers);
            done = 1;
        }
        for (int i = 0; i < h->nstatics && !done; i++) {
            fstatic *s = &h->statics[i];
            if (!strcmp(s->method, q.method) && !strncmp(q.target, s->prefix, strlen(s->prefix))) {
                r.status = s->status;
                snprintf(r.headers, sizeof r.headers, "%s", s->headers);
                if (s->file) {
                    FILE *fp = fopen(s->file, "rb");
                    struct stat st;
                    if (!fp || fstat(fileno(fp), &st))
                        die(s->file);
                    r.body = malloc((size_t)st.st_size + 1);
                    r.len = fread(r.body, 1, (size_t)st.st_size, fp);
                    fclose(fp);
                } else {
                    r.body = strdup(s->text ? s->text : "");
                    r.len = strlen(r.body);
                }
                done = 1;
            }
        }
        if (!done && !c->cdn)
            route(h, &q, &r);
        pthread_mutex_unlock(&h->mu);
        if (!done && c->cdn) /* storage: files only, no shared state */
            route(h, &q, &r);
        send_resp(c, &q, &r, f);
        free(r.body);
        free(q.target);
        free(q.path);
        free(q.headers);
        free(q.body);
    }
    shutdown(c->fd, SHUT_WR);
    close(c->fd);
    free(c);
    atomic_fetch_sub(&h->active, 1);
    return NULL;
}

typedef struct lst {
    fakehub *h;
    int which;
} lst;
static lst lsts[64][2];
static atomic_int nlst;

static void *accept_loop(void *arg)
{
    lst *L = arg;
    fakehub *h = L->h;
    while (!atomic_load(&h->stop)) {
        struct pollfd p = {.fd = h->fd[L->which], .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int fd = accept(h->fd[L->which], NULL, NULL);
        if (fd < 0)
            continue;
        conn *c = malloc(sizeof *c);
        c->h = h;
        c->fd = fd;
        c->cdn = L->which;
        atomic_fetch_add(&h->active, 1);
        pthread_t t;
        if (pthread_create(&t, NULL, serve, c)) {
            close(fd);
            free(c);
            atomic_fetch_sub(&h->active, 1);
            continue;
        }
        pthread_detach(t);
    }
    return NULL;
}

fakehub *fakehub_start(const fakehub_opts *o)
{
    fakehub *h = calloc(1, sizeof *h);
    h->o = *o;
    snprintf(h->token, sizeof h->token, "%s", o->token ? o->token : "hf_test");
    snprintf(h->user, sizeof h->user, "%s", o->user ? o->user : "alice");
    snprintf(h->store, sizeof h->store, "%s", o->store_dir);
    if (!h->o.lfs_threshold)
        h->o.lfs_threshold = 1024;
    if (!h->o.chunk_size)
        h->o.chunk_size = 1 << 20;
    if (!h->o.tree_page)
        h->o.tree_page = 1000;
    pthread_mutex_init(&h->mu, NULL);
    int slot = atomic_fetch_add(&nlst, 1) % 64;
    for (int i = 0; i < 2; i++) {
        h->fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(h->fd[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (h->fd[i] < 0 || bind(h->fd[i], (struct sockaddr *)&a, sizeof a) || listen(h->fd[i], 64))
            die("bind");
        socklen_t al = sizeof a;
        getsockname(h->fd[i], (struct sockaddr *)&a, &al);
        h->port[i] = ntohs(a.sin_port);
        snprintf(h->url[i], sizeof h->url[i], "http://127.0.0.1:%d", h->port[i]);
        lsts[slot][i] = (lst){h, i};
        if (pthread_create(&h->th[i], NULL, accept_loop, &lsts[slot][i]))
            die("thread");
    }
    return h;
}

void fakehub_stop(fakehub *h)
{
    atomic_store(&h->stop, 1);
    for (int i = 0; i < 2; i++) {
        pthread_join(h->th[i], NULL);
        close(h->fd[i]);
    }
    while (atomic_load(&h->active) > 0) {
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < h->nrepos; i++) {
        for (size_t k = 0; k < h->repos[i].nc; k++) {
            for (size_t j = 0; j < h->repos[i].c[k].n; j++)
                free(h->repos[i].c[k].f[j].path);
            free(h->repos[i].c[k].f);
        }
        free(h->repos[i].c);
    }
    for (int i = 0; i < h->nlog; i++) {
        free(h->log[i].target);
        free(h->log[i].body);
        free(h->log[i].headers);
    }
    free(h->log);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

const char *fakehub_url(const fakehub *h) { return h->url[0]; }
const char *fakehub_cdn_url(const fakehub *h) { return h->url[1]; }

void fakehub_fault(fakehub *h, const char *method, const char *substr, int kind, int status, const char *headers,
                   int count, long arg)
{
    pthread_mutex_lock(&h->mu);
    ffault *f = &h->faults[h->nfaults++ % 32];
    memset(f, 0, sizeof *f);
    snprintf(f->method, sizeof f->method, "%s", method);
    snprintf(f->substr, sizeof f->substr, "%s", substr);
    snprintf(f->headers, sizeof f->headers, "%s", headers ? headers : "");
    f->kind = kind;
    f->status = status;
    f->count = count;
    f->arg = arg;
    pthread_mutex_unlock(&h->mu);
}

void fakehub_static(fakehub *h, const char *method, const char *prefix, int status, const char *headers,
                    const char *body_file, const char *body_text)
{
    pthread_mutex_lock(&h->mu);
    fstatic *s = &h->statics[h->nstatics++ % 16];
    snprintf(s->method, sizeof s->method, "%s", method);
    snprintf(s->prefix, sizeof s->prefix, "%s", prefix);
    snprintf(s->headers, sizeof s->headers, "%s", headers ? headers : "");
    s->status = status;
    s->file = body_file;
    s->text = body_text;
    pthread_mutex_unlock(&h->mu);
}

int fakehub_count(fakehub *h, const char *method, const char *substr)
{
    pthread_mutex_lock(&h->mu);
    int n = 0;
    for (int i = 0; i < h->nlog; i++)
        n += (!method || !strcmp(method, h->log[i].method)) && strstr(h->log[i].target, substr) != NULL;
    pthread_mutex_unlock(&h->mu);
    return n;
}

int fakehub_cdn_auth_count(fakehub *h)
{
    pthread_mutex_lock(&h->mu);
    int n = 0;
    for (int i = 0; i < h->nlog; i++)
        n += h->log[i].cdn && h->log[i].auth[0];
    pthread_mutex_unlock(&h->mu);
    return n;
}

int fakehub_last_auth(fakehub *h, const char *method, const char *substr, char *out, size_t cap)
{
    pthread_mutex_lock(&h->mu);
    int r = 0;
    out[0] = 0;
    for (int i = h->nlog - 1; i >= 0; i--)
        if ((!method || !strcmp(method, h->log[i].method)) && strstr(h->log[i].target, substr)) {
            snprintf(out, cap, "%s", h->log[i].auth);
            r = h->log[i].auth[0] != 0;
            break;
        }
    pthread_mutex_unlock(&h->mu);
    return r;
}

char *fakehub_last_body(fakehub *h, const char *method, const char *substr)
{
    pthread_mutex_lock(&h->mu);
    char *r = NULL;
    for (int i = h->nlog - 1; i >= 0 && !r; i--)
        if ((!method || !strcmp(method, h->log[i].method)) && strstr(h->log[i].target, substr))
            r = strdup(h->log[i].body);
    pthread_mutex_unlock(&h->mu);
    return r;
}

void fakehub_bump(fakehub *h, const char *repo_id)
{
    pthread_mutex_lock(&h->mu);
    frepo *r = find_repo(h, repo_id);
    if (r && r->nc)
        new_commit(h, r, &r->c[r->nc - 1]);
    pthread_mutex_unlock(&h->mu);
}

int fakehub_last_header(fakehub *h, const char *method, const char *substr, const char *name, char *out, size_t cap)
{
    pthread_mutex_lock(&h->mu);
    int r = 0;
    out[0] = 0;
    for (int i = h->nlog - 1; i >= 0; i--)
        if ((!method || !strcmp(method, h->log[i].method)) && strstr(h->log[i].target, substr)) {
            r = hdr(h->log[i].headers, name, out, cap);
            break;
        }
    pthread_mutex_unlock(&h->mu);
    return r;
}
