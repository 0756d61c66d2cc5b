/* hf_download.c: /resolve downloads into the huggingface_hub cache (hub
 * spec 2.3-2.5): metadata HEAD without following redirects, the body from
 * the redirect target (no token to another host), Range resume of a cut
 * stream, size + sha256 / git sha1 verification, a temporary name then a
 * rename under an flock shared with Python, snapshot symlinks, refs and
 * .no_exist markers; several files at once with a progress bar. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"
#include "aif/log.h"
#include "hub_int.h"

#define MAX_STALLED_RESUMES 5

aif_code aif_hf_dl_init(aif_hf_dl *d, aif_hf *hf, aif_err *err)
{
    memset(d, 0, sizeof *d);
    d->hf = hf;
    aif_code rc = aif_hf_http(hf, 1, 0, 1, 0, &d->tok, err);
    if (rc == AIF_OK)
        rc = aif_hf_http(hf, 0, 0, 1, 1, &d->anon, err);
    if (rc != AIF_OK)
        aif_hf_dl_release(d);
    return rc;
}

void aif_hf_dl_release(aif_hf_dl *d)
{
    aif_http_free(d->tok);
    aif_http_free(d->anon);
    d->tok = d->anon = NULL;
}

static int all_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* A boolean variable (hub spec 1.1): 1, ON, YES or TRUE in any case. */
static int env_true(const char *name)
{
    const char *v = getenv(name);
    return v && (!strcasecmp(v, "1") || !strcasecmp(v, "on") || !strcasecmp(v, "yes") || !strcasecmp(v, "true"));
}

/* HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE. */
static int offline(void) { return env_true("HF_HUB_OFFLINE") || env_true("TRANSFORMERS_OFFLINE"); }

/* Replace the snapshot link by a copy of the blob (temporary name, rename). */
static aif_code copy_over_link(const char *blob, const char *snap, const char *label, aif_err *err)
{
    char tmp[PATH_MAX + 16];
    if (snprintf(tmp, sizeof tmp, "%s.copy", snap) >= (int)sizeof tmp)
        return aif_err_set(err, AIF_ERANGE, "%s: path too long", label);
    int in = open(blob, O_RDONLY | O_CLOEXEC);
    int out = in >= 0 ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
    aif_code rc = AIF_OK;
    char buf[1 << 16];
    ssize_t r = 0;
    while (out >= 0 && (r = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)r) != r) {
            r = -1;
            break;
        }
    if (in < 0 || out < 0 || r < 0)
        rc = aif_err_set(err, AIF_EIO, "%s: copying into the snapshot: %s", label, strerror(errno));
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0 && rc == AIF_OK)
        rc = aif_err_set(err, AIF_EIO, "%s: %s", tmp, strerror(errno));
    if (rc == AIF_OK && rename(tmp, snap) != 0)
        rc = aif_err_set(err, AIF_EIO, "%s: %s", snap, strerror(errno));
    if (rc != AIF_OK)
        unlink(tmp);
    return rc;
}

/* Normalized etag: X-Linked-Etag else ETag, without W/ and quotes, lower case. */
static void read_etag(const aif_http_response *r, char *out, size_t cap)
{
    char v[256] = "";
    if (!aif_http_response_header(r, "X-Linked-Etag", v, sizeof v))
        aif_http_response_header(r, "ETag", v, sizeof v);
    const char *p = v;
    if (!strncmp(p, "W/", 2))
        p += 2;
    size_t k = 0;
    for (; *p && k + 1 < cap; p++)
        if (*p != '"')
            out[k++] = (char)((*p >= 'A' && *p <= 'F') ? *p + 32 : *p);
    out[k] = 0;
}

static void touch_no_exist(const char *repo_dir, const char *commit, const char *path)
{
    char p[PATH_MAX];
    if (!aif_hub_safe_path(path) || !all_hex(commit, 40) ||
        snprintf(p, sizeof p, "%s/.no_exist/%s/%s", repo_dir, commit, path) >= (int)sizeof p)
        return;
    char *slash = strrchr(p, '/');
    *slash = 0;
    int ok = aif_fs_mkdirs(p, NULL) == AIF_OK;
    *slash = '/';
    if (ok) {
        int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0)
            close(fd);
    }
}

typedef struct sink {
    aif_hf_dl *d;
    int fd;
    uint64_t base, got, limit;
    aif_sha256 sha;
    aif_hf_sha1 sha1;
    int use_sha1, overflow, write_err;
} sink;

static int on_data(void *ctx, const void *data, size_t len)
{
    sink *s = ctx;
    if (s->base + s->got + len > s->limit) {
        s->overflow = 1;
        return 1;
    }
    const char *p = data;
    for (size_t left = len; left;) {
        ssize_t w = write(s->fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->write_err = errno ? errno : EIO;
            return 1;
        }
        p += w;
        left -= (size_t)w;
    }
    aif_sha256_update(&s->sha, data, len);
    if (s->use_sha1)
        aif_hf_sha1_update(&s->sha1, data, len);
    s->got += len;
    aif_hf_dl *d = s->d;
    if (d->progress) {
        pthread_mutex_lock(d->progress_mu);
        *d->progress_done += len;
        aif_progress_update(d->progress, *d->progress_done);
        pthread_mutex_unlock(d->progress_mu);
    }
    return 0;
}

static void nap(double s)
{
    if (s > 1)
        s = 1;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static void progress_sub(aif_hf_dl *d, uint64_t n)
{
    if (!d->progress)
        return;
    pthread_mutex_lock(d->progress_mu);
    *d->progress_done -= n < *d->progress_done ? n : *d->progress_done;
    pthread_mutex_unlock(d->progress_mu);
}

/* GET url into fd (empty, at offset 0), resuming with Range after a cut.
 * size: the announced size (UINT64_MAX: unknown). */
static aif_code get_body(aif_hf_dl *d, const char *url_in, int fd, uint64_t size, sink *s, const char *label,
                         aif_err *err)
{
    char url[4096];
    snprintf(url, sizeof url, "%s", url_in);
    uint64_t off = 0;
    int stalled = 0, restarts = 0, hops = 0;
    aif_sha256_init(&s->sha);
    for (;;) {
        /* the token goes to the Hub only; the token client follows no
         * redirect by itself, so a hop to another host is made here
         * without it (as huggingface_hub drops Authorization) */
        aif_http *http = aif_hf_same_origin(url, d->hf->endpoint) ? d->tok : d->anon;
        char range[64];
        snprintf(range, sizeof range, "Range: bytes=%llu-", (unsigned long long)off);
        const char *hdrs[] = {"Accept-Encoding: identity", off ? range : NULL, NULL};
        aif_http_request req = {.method = "GET", .url = url, .headers = hdrs, .on_data = on_data, .on_data_ctx = s};
        s->base = off;
        s->got = 0;
        s->overflow = s->write_err = 0;
        aif_http_response resp;
        aif_code rc = aif_http_request_send(http, &req, &resp, err);
        int restart = 0;
        char loc[4096];
        if (rc == AIF_OK && resp.status >= 300 && resp.status < 400) {
            if (++hops > 5 || !aif_http_response_header(&resp, "Location", loc, sizeof loc) || !loc[0]) {
                aif_http_response_release(&resp);
                return aif_err_set(err, AIF_EFORMAT, "%s: %s: bad or too many redirects", label, url);
            }
            int w = loc[0] == '/' ? snprintf(url, sizeof url, "%s%s", d->hf->endpoint, loc)
                                  : snprintf(url, sizeof url, "%s", loc);
            aif_http_response_release(&resp);
            if (w < 0 || (size_t)w >= sizeof url)
                return aif_err_set(err, AIF_ERANGE, "%s: redirect URL too long", label);
            continue;
        }
        if (rc == AIF_OK || (s->overflow && off > 0 && resp.status == 200)) {
            if (off > 0 && resp.status != 206) {
                restart = 1; /* Range ignored (CloudFront): start over */
            } else if (off > 0) {
                char cr[128] = "";
                aif_http_response_header(&resp, "Content-Range", cr, sizeof cr);
                unsigned long long a = 0;
                if (sscanf(cr, "bytes %llu-", &a) != 1 || a != off)
                    restart = 1;
            }
            if (!restart && rc == AIF_OK) {
                off += s->got;
                aif_http_response_release(&resp);
                break;
            }
        }
        if (restart) {
            aif_http_response_release(&resp);
            progress_sub(d, off + s->got);
            if (++restarts > 3)
                return aif_err_set(err, AIF_EHASH, "%s: %s: the server keeps answering resumes wrongly", label, url);
            if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
                return aif_err_set(err, AIF_EIO, "%s: truncate: %s", label, strerror(errno));
            off = 0;
            aif_sha256_init(&s->sha);
            if (s->use_sha1)
                aif_hf_git_init(&s->sha1, size);
            continue;
        }
        if (s->overflow) {
            aif_http_response_release(&resp);
            return aif_err_set(err, AIF_EHASH, "%s: %s: the server sent more than the %llu bytes announced; cut off",
                               label, url, (unsigned long long)s->limit);
        }
        if (s->write_err) {
            aif_http_response_release(&resp);
            return aif_err_set(err, AIF_EIO, "%s: writing the download: %s", label, strerror(s->write_err));
        }
        if ((rc == AIF_ENET || rc == AIF_ETIMEOUT) && s->got > 0 && stalled < MAX_STALLED_RESUMES) {
            off += s->got; /* stream cut: resume where it stopped */
            stalled = 0;
            aif_log(AIF_LOG_INFO, "hub: %s: connection cut at byte %llu, resuming", label, (unsigned long long)off);
            aif_http_response_release(&resp);
            nap(d->hf->retry_delay_s);
            continue;
        }
        if ((rc == AIF_ENET || rc == AIF_ETIMEOUT) && off > 0 && ++stalled < MAX_STALLED_RESUMES) {
            aif_http_response_release(&resp);
            nap(d->hf->retry_delay_s);
            continue;
        }
        rc = aif_hf_map_error(d->hf, rc, &resp, label, NULL, NULL, NULL, err);
        aif_http_response_release(&resp);
        return rc;
    }
    if (size != UINT64_MAX && off != size)
        return aif_err_set(err, AIF_EHASH, "%s: consistency check failed: got %llu bytes, expected %llu", label,
                           (unsigned long long)off, (unsigned long long)size);
    s->got = off;
    return AIF_OK;
}

aif_code aif_hf_dl_file(aif_hf_dl *d, const char *cache_dir, const char *repo_id, const char *commit,
                        const char *path, uint64_t expect_size, const char *expect_sha256, aif_err *err)
{
    aif_hf *hf = d->hf;
    char repo_dir[PATH_MAX], snap[PATH_MAX], label[512];
    snprintf(label, sizeof label, "%s@%.12s: %s", repo_id, commit, path);
    if (!aif_hub_safe_path(path))
        return aif_err_set(err, AIF_EFORMAT, "%s: unsafe file path in the listing", label);
    aif_code rc = aif_hub_cache_repo_dir(cache_dir, repo_id, repo_dir, sizeof repo_dir, err);
    if (rc != AIF_OK)
        return rc;
    if (snprintf(snap, sizeof snap, "%s/snapshots/%s/%s", repo_dir, commit, path) >= (int)sizeof snap)
        return aif_err_set(err, AIF_ERANGE, "%s: cache path too long", label);
    struct stat st;
    if (all_hex(commit, 40) && stat(snap, &st) == 0 && S_ISREG(st.st_mode) &&
        (expect_size == UINT64_MAX || (uint64_t)st.st_size == expect_size))
        return AIF_OK; /* a commit's snapshot file is immutable */
    if (offline())
        return aif_err_set(err, AIF_ENOTFOUND, "%s: not in the cache %s and HF_HUB_OFFLINE is set", label, cache_dir);

    /* 1. metadata: HEAD, same-host (relative) redirects re-issued as HEAD */
    char *rev = aif_hf_escape_path(commit, 0), *epath = aif_hf_escape_path(path, 1);
    size_t ulen = strlen(hf->endpoint) + strlen(repo_id) + (rev ? strlen(rev) : 0) + (epath ? strlen(epath) : 0) + 32;
    char *url = aif_malloc(ulen), *dl_url = NULL;
    if (!rev || !epath || !url) {
        aif_free(rev);
        aif_free(epath);
        aif_free(url);
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    }
    snprintf(url, ulen, "%s/%s/resolve/%s/%s", hf->endpoint, repo_id, rev, epath);
    aif_free(rev);
    aif_free(epath);
    aif_http_response resp = {0};
    const char *hdrs[] = {"Accept-Encoding: identity", NULL};
    for (int hop = 0;; hop++) {
        aif_http_request req = {.method = "HEAD", .url = url, .headers = hdrs};
        aif_http_response_release(&resp);
        rc = aif_http_request_send(d->tok, &req, &resp, err);
        if (rc != AIF_OK) {
            char rc_commit[64] = "", code[64] = "";
            aif_http_response_header(&resp, "X-Error-Code", code, sizeof code);
            if (resp.status == 404 && !strcmp(code, "EntryNotFound") &&
                aif_http_response_header(&resp, "X-Repo-Commit", rc_commit, sizeof rc_commit))
                touch_no_exist(repo_dir, rc_commit, path);
            rc = aif_hf_map_error(hf, rc, &resp, label, repo_id, commit, path, err);
            goto out;
        }
        char loc[4096] = "";
        if (resp.status >= 300 && resp.status < 400 && aif_http_response_header(&resp, "Location", loc, sizeof loc) &&
            loc[0] == '/' && loc[1] != '/' && hop < 5) {
            size_t n = strlen(hf->endpoint) + strlen(loc) + 1;
            char *u = aif_malloc(n);
            if (!u) {
                rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
                goto out;
            }
            snprintf(u, n, "%s%s", hf->endpoint, loc);
            aif_free(url);
            url = u;
            continue;
        }
        break;
    }
    char xcommit[64] = "", etag[128] = "", v[64] = "", loc[4096] = "";
    if (!aif_http_response_header(&resp, "X-Repo-Commit", xcommit, sizeof xcommit)) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: the answer has no X-Repo-Commit header: it did not come from the Hub "
                                           "(proxy?)", label);
        goto out;
    }
    if (all_hex(commit, 40) && strcasecmp(xcommit, commit)) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: the Hub answered for commit %s, not the one asked for", label, xcommit);
        goto out;
    }
    read_etag(&resp, etag, sizeof etag);
    int lfs = all_hex(etag, 64);
    if (!lfs && !all_hex(etag, 40)) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: etag '%s' is neither a sha256 nor a git sha1", label, etag);
        goto out;
    }
    int redirect = resp.status >= 300 && resp.status < 400;
    uint64_t size = UINT64_MAX;
    if (aif_http_response_header(&resp, "X-Linked-Size", v, sizeof v) ||
        (!redirect && aif_http_response_header(&resp, "Content-Length", v, sizeof v)))
        size = strtoull(v, NULL, 10);
    if (expect_size != UINT64_MAX && size != UINT64_MAX && size != expect_size) {
        rc = aif_err_set(err, AIF_EHASH, "%s: the Hub announces %llu bytes but the listing says %llu", label,
                         (unsigned long long)size, (unsigned long long)expect_size);
        goto out;
    }
    if (size == UINT64_MAX)
        size = expect_size;
    if (expect_sha256 && expect_sha256[0] && lfs && strcmp(expect_sha256, etag)) {
        rc = aif_err_set(err, AIF_EHASH, "%s: the Hub's etag %s differs from the listing's sha256 %s", label, etag,
                         expect_sha256);
        goto out;
    }
    if (!lfs && size == UINT64_MAX) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: no size announced for a regular file", label);
        goto out;
    }
    if (redirect) {
        if (!aif_http_response_header(&resp, "Location", loc, sizeof loc) || !loc[0]) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s: redirect without Location", label);
            goto out;
        }
        size_t n = strlen(hf->endpoint) + strlen(loc) + 1;
        dl_url = aif_malloc(n);
        if (dl_url)
            snprintf(dl_url, n, "%s%s", loc[0] == '/' ? hf->endpoint : "", loc);
    } else {
        dl_url = aif_strdup(url);
    }
    if (!dl_url) {
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
        goto out;
    }

    /* 2. lock .locks/<repo folder>/<etag>.lock as huggingface_hub does */
    const char *folder = strrchr(repo_dir, '/') ? strrchr(repo_dir, '/') + 1 : repo_dir;
    char lockdir[PATH_MAX], lockp[PATH_MAX], blobs[PATH_MAX], blob[PATH_MAX], tmp[PATH_MAX];
    if (snprintf(lockdir, sizeof lockdir, "%s/.locks/%s", cache_dir, folder) >= (int)sizeof lockdir ||
        snprintf(lockp, sizeof lockp, "%s/%s.lock", lockdir, etag) >= (int)sizeof lockp ||
        snprintf(blobs, sizeof blobs, "%s/blobs", repo_dir) >= (int)sizeof blobs ||
        snprintf(blob, sizeof blob, "%s/%s", blobs, etag) >= (int)sizeof blob) {
        rc = aif_err_set(err, AIF_ERANGE, "%s: cache path too long", label);
        goto out;
    }
    if ((rc = aif_fs_mkdirs(lockdir, err)) != AIF_OK || (rc = aif_fs_mkdirs(blobs, err)) != AIF_OK)
        goto out;
    int lfd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lfd < 0) {
        rc = aif_err_set(err, AIF_EIO, "%s: %s", lockp, strerror(errno));
        goto out;
    }
    while (flock(lfd, LOCK_EX) != 0 && errno == EINTR) {
    }
    if (stat(blob, &st) != 0 || (size != UINT64_MAX && (uint64_t)st.st_size != size)) {
        /* 3. download into a unique temporary name inside blobs/ */
        static atomic_uint counter;
        unsigned rnd = (unsigned)getpid() * 2654435761u ^ (unsigned)time(NULL) ^ (atomic_fetch_add(&counter, 1) << 20);
        int fd = snprintf(tmp, sizeof tmp, "%s.%08x.incomplete", blob, rnd) < (int)sizeof tmp
                     ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                     : -1;
        if (fd < 0) {
            rc = aif_err_set(err, AIF_EIO, "%s: %s", tmp, strerror(errno));
        } else {
            sink s = {.d = d, .fd = fd, .limit = size, .use_sha1 = !lfs};
            if (!lfs)
                aif_hf_git_init(&s.sha1, size);
            rc = get_body(d, dl_url, fd, size, &s, label, err);
            if (close(fd) != 0 && rc == AIF_OK)
                rc = aif_err_set(err, AIF_EIO, "%s: %s", tmp, strerror(errno));
            if (rc == AIF_OK) {
                uint8_t dg[32];
                char hex[65];
                if (lfs) {
                    aif_sha256_final(&s.sha, dg);
                    aif_crypto_hex_encode(dg, 32, hex);
                } else {
                    aif_hf_sha1_final(&s.sha1, dg);
                    aif_crypto_hex_encode(dg, 20, hex);
                }
                if (strcmp(hex, etag))
                    rc = aif_err_set(err, AIF_EHASH, "%s: downloaded content has %s %s, expected %s; discarded", label,
                                     lfs ? "sha256" : "git sha1", hex, etag);
                if (rc == AIF_OK && expect_sha256 && expect_sha256[0] && !lfs) {
                    aif_sha256_final(&s.sha, dg);
                    aif_crypto_hex_encode(dg, 32, hex);
                    if (strcmp(hex, expect_sha256))
                        rc = aif_err_set(err, AIF_EHASH, "%s: downloaded content has sha256 %s, the listing says %s",
                                         label, hex, expect_sha256);
                }
            }
            if (rc == AIF_OK && rename(tmp, blob) != 0)
                rc = aif_err_set(err, AIF_EIO, "%s: rename into the cache: %s", label, strerror(errno));
            if (rc != AIF_OK)
                unlink(tmp);
        }
    }
    /* 4. snapshot link (rename of the blob onto itself is a no-op); a copy
     * instead with HF_HUB_DISABLE_SYMLINKS, as huggingface_hub does */
    if (rc == AIF_OK)
        rc = aif_hub_cache_install(cache_dir, repo_id, commit, path, etag, blob, err);
    if (rc == AIF_OK && env_true("HF_HUB_DISABLE_SYMLINKS"))
        rc = copy_over_link(blob, snap, label, err);
    flock(lfd, LOCK_UN);
    close(lfd);
out:
    aif_http_response_release(&resp);
    aif_free(url);
    aif_free(dl_url);
    return rc;
}

aif_code aif_hf_fetch(void *impl, const char *repo_id, const char *commit, const aif_hub_file *file,
                      const char *cache_dir, aif_err *err)
{
    aif_hf_dl d;
    aif_code rc = aif_hf_dl_init(&d, impl, err);
    if (rc != AIF_OK)
        return rc;
    rc = aif_hf_dl_file(&d, cache_dir, repo_id, commit, file->path, file->size, file->sha256, err);
    aif_hf_dl_release(&d);
    return rc;
}

/* ------------------------------------------------------------ parallel */

typedef struct job {
    aif_hf *hf;
    const char *repo_id, *commit;
    aif_hub_hf_entry **files;
    size_t n;
    atomic_size_t next;
    atomic_int failed;
    pthread_mutex_t mu;
    aif_err err;
    aif_progress progress;
    uint64_t done;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    aif_hf_dl d;
    aif_err e;
    if (aif_hf_dl_init(&d, j->hf, &e) != AIF_OK) {
        pthread_mutex_lock(&j->mu);
        if (!atomic_exchange(&j->failed, 1))
            j->err = e;
        pthread_mutex_unlock(&j->mu);
        return NULL;
    }
    d.progress = &j->progress;
    d.progress_mu = &j->mu;
    d.progress_done = &j->done;
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n || atomic_load(&j->failed))
            break;
        aif_hub_hf_entry *f = j->files[i];
        if (aif_hf_dl_file(&d, j->hf->cache_dir, j->repo_id, j->commit, f->path, f->size, f->sha256, &e) != AIF_OK) {
            pthread_mutex_lock(&j->mu);
            if (!atomic_exchange(&j->failed, 1))
                j->err = e;
            pthread_mutex_unlock(&j->mu);
            break;
        }
    }
    aif_hf_dl_release(&d);
    return NULL;
}

/* Offline: the snapshot of revision (a commit, or a ref in refs/) if cached. */
static aif_code offline_snapshot(aif_hf *hf, const char *repo_id, const char *rev, char *snapshot_out, size_t cap,
                                 aif_err *err)
{
    char repo_dir[PATH_MAX], ref[PATH_MAX + 64], commit[64] = "";
    aif_code rc = aif_hub_cache_repo_dir(hf->cache_dir, repo_id, repo_dir, sizeof repo_dir, err);
    if (rc != AIF_OK)
        return rc;
    if (all_hex(rev, 40)) {
        snprintf(commit, sizeof commit, "%s", rev);
    } else if (aif_hub_safe_path(rev) && snprintf(ref, sizeof ref, "%s/refs/%s", repo_dir, rev) < (int)sizeof ref) {
        char *text = NULL;
        size_t len = 0;
        if (aif_fs_read_file(ref, 128, &text, &len, NULL) == AIF_OK && len >= 40) {
            memcpy(commit, text, 40);
            commit[40] = 0;
        }
        aif_free(text);
    }
    if (!all_hex(commit, 40) || snprintf(snapshot_out, cap, "%s/snapshots/%s", repo_dir, commit) >= (int)cap ||
        !aif_fs_is_dir(snapshot_out))
        return aif_err_set(err, AIF_ENOTFOUND,
                           "%s@%s is not in the cache %s and HF_HUB_OFFLINE is set: download it once online",
                           repo_id, rev, hf->cache_dir);
    return AIF_OK;
}

aif_code aif_hub_hf_download(const aif_hub *h, const char *repo_id, const char *revision,
                             const char *const *globs, uint64_t max_bytes, char *snapshot_out, size_t cap,
                             aif_err *err)
{
    aif_hf *hf = aif_hf_of(h, err);
    if (!hf)
        return AIF_EINVAL;
    aif_code rc = aif_hub_check_repo_id(repo_id, err);
    if (rc != AIF_OK)
        return rc;
    const char *rev = revision && revision[0] ? revision : "main";
    if (offline())
        return offline_snapshot(hf, repo_id, rev, snapshot_out, cap, err);
    aif_hub_hf_info info;
    if ((rc = aif_hf_model_info(hf, repo_id, rev, 1, &info, err)) != AIF_OK)
        return rc;
    job j = {.hf = hf, .repo_id = repo_id, .commit = info.sha};
    j.files = aif_calloc_err(info.n ? info.n : 1, sizeof *j.files, "file list", err);
    if (!j.files) {
        aif_hub_hf_info_release(&info);
        return AIF_ENOMEM;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < info.n; i++) {
        int match = !globs || !globs[0];
        for (size_t g = 0; globs && globs[g] && !match; g++)
            match = fnmatch(globs[g], info.files[i].path, 0) == 0;
        if (match) {
            j.files[j.n++] = &info.files[i];
            total += info.files[i].size;
        }
    }
    char repo_dir[PATH_MAX];
    if (max_bytes && total > max_bytes) {
        rc = aif_err_set(err, AIF_ECONSTRAINT, "%s@%s: the files to download hold %llu bytes, above max_bytes %llu",
                         repo_id, rev, (unsigned long long)total, (unsigned long long)max_bytes);
        goto done;
    }
    if ((rc = aif_hub_cache_repo_dir(hf->cache_dir, repo_id, repo_dir, sizeof repo_dir, err)) != AIF_OK)
        goto done;
    if (snprintf(snapshot_out, cap, "%s/snapshots/%s", repo_dir, info.sha) >= (int)cap) {
        rc = aif_err_set(err, AIF_ERANGE, "snapshot path too long");
        goto done;
    }
    if ((rc = aif_fs_mkdirs(snapshot_out, err)) != AIF_OK)
        goto done;
    pthread_mutex_init(&j.mu, NULL);
    char label[64];
    snprintf(label, sizeof label, "download %.50s", repo_id);
    aif_progress_init(&j.progress, label, total, "B", hf->quiet);
    int nt = hf->parallel < (int)j.n ? hf->parallel : (int)j.n;
    aif_hf_run_workers(worker, &j, nt);
    aif_progress_finish(&j.progress);
    pthread_mutex_destroy(&j.mu);
    if (atomic_load(&j.failed)) {
        if (err)
            *err = j.err;
        rc = j.err.code ? j.err.code : AIF_EINTERNAL;
        goto done;
    }
    if (strcmp(rev, info.sha))
        rc = aif_hub_cache_write_ref(hf->cache_dir, repo_id, rev, info.sha, err);
done:
    aif_free(j.files);
    aif_hub_hf_info_release(&info);
    return rc;
}
