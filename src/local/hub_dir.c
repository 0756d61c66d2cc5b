/* hub_dir.c: the local hub, a directory of content-addressed blobs and
 * immutable commits:
 *
 *   <root>/blobs/<sha256 hex>
 *   <root>/repos/<ns>/<name>/commits/<commit>   manifest, see below
 *   <root>/repos/<ns>/<name>/refs/main          the head commit id
 *   <root>/repos/<ns>/<name>/private            "1" or "0"
 *
 * A manifest is text: "parent <id|none>\n", "message <text>\n", then one
 * "file <sha256> <size> <path>\n" per file sorted by path. A commit id is
 * the first 40 hex digits of the manifest's SHA-256. As on the Hugging
 * Face Hub, an upload adds or replaces files and keeps the others.
 */
#include "aif/local.h"
#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct local_hub {
    char root[PATH_MAX];
};

static aif_code repo_path(struct local_hub *hub, const char *repo_id, const char *rest, char *out, aif_err *err)
{
    aif_code rc = aif_hub_check_repo_id(repo_id, err);
    if (rc != AIF_OK)
        return rc;
    return aif_fs_path(out, PATH_MAX, err, "%s/repos/%s%s%s", hub->root, repo_id, rest[0] ? "/" : "", rest);
}

/* Copy a file to dst while hashing it; returns its sha256 hex and size. */
static void sha_chunk(void *ctx, const void *p, size_t n) { aif_sha256_update(ctx, p, n); }

static aif_code copy_hashing(const char *src, const char *dst, char sha_hex[65], uint64_t *size, aif_err *err)
{
    aif_sha256 h;
    aif_sha256_init(&h);
    aif_code rc = aif_fs_copy_file(src, dst, sha_chunk, &h, size, err);
    uint8_t d[32];
    aif_sha256_final(&h, d);
    aif_crypto_hex_encode(d, 32, sha_hex);
    return rc;
}

/* The file table of a commit being built. */
struct files {
    aif_hub_file *v;
    size_t n, cap;
};

static aif_code files_put(struct files *F, const char *path, uint64_t size, const char *sha, aif_err *err)
{
    for (size_t i = 0; i < F->n; i++)
        if (!strcmp(F->v[i].path, path)) {
            F->v[i].size = size;
            snprintf(F->v[i].sha256, sizeof F->v[i].sha256, "%s", sha);
            return AIF_OK;
        }
    if (F->n == F->cap) {
        size_t cap = F->cap ? 2 * F->cap : 16;
        aif_hub_file *nv = aif_realloc(F->v, cap * sizeof *nv);
        if (!nv)
            return aif_err_set(err, AIF_ENOMEM, "out of memory");
        F->v = nv;
        F->cap = cap;
    }
    aif_hub_file *f = &F->v[F->n];
    if (!(f->path = aif_strdup(path)))
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    f->size = size;
    snprintf(f->sha256, sizeof f->sha256, "%s", sha);
    F->n++;
    return AIF_OK;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const aif_hub_file *)a)->path, ((const aif_hub_file *)b)->path);
}

/* Parse a manifest into F; *parent gets the parent id ("" for none). */
static aif_code read_manifest(const char *path, struct files *F, char parent[41], aif_err *err)
{
    char *text;
    size_t len;
    aif_code rc = aif_fs_read_file(path, 64u << 20, &text, &len, err);
    if (rc != AIF_OK)
        return rc;
    parent[0] = '\0';
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && rc == AIF_OK; line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "parent ", 7)) {
            snprintf(parent, 41, "%s", strcmp(line + 7, "none") ? line + 7 : "");
        } else if (!strncmp(line, "file ", 5)) {
            char sha[65];
            uint64_t size;
            int off = 0;
            if (sscanf(line + 5, "%64s %" SCNu64 " %n", sha, &size, &off) != 2 || off == 0)
                rc = aif_err_set(err, AIF_EFORMAT, "%s: bad line '%.80s'", path, line);
            else
                rc = files_put(F, line + 5 + off, size, sha, err);
        }
    }
    aif_free(text);
    return rc;
}

static void files_release(struct files *F)
{
    aif_hub_listing l = {.n = F->n, .files = F->v};
    aif_hub_listing_release(&l);
    F->v = NULL;
    F->n = F->cap = 0;
}

static aif_code resolve(struct local_hub *hub, const char *repo_id, const char *revision, char commit[41],
                        aif_err *err)
{
    char p[PATH_MAX];
    int is_commit = strlen(revision) == 40 && strspn(revision, "0123456789abcdef") == 40;
    if (is_commit) {
        char rest[80];
        snprintf(rest, sizeof rest, "commits/%s", revision);
        aif_code rc = repo_path(hub, repo_id, rest, p, err);
        if (rc != AIF_OK)
            return rc;
        if (!aif_fs_exists(p))
            return aif_err_set(err, AIF_ENOTFOUND, "%s: revision %s not found", repo_id, revision);
        memcpy(commit, revision, 41);
        return AIF_OK;
    }
    if (strcmp(revision, "main"))
        return aif_err_set(err, AIF_ENOTFOUND, "%s: revision %s not found (the local hub has main and commit ids)",
                           repo_id, revision);
    aif_code rc = repo_path(hub, repo_id, "refs/main", p, err);
    if (rc != AIF_OK)
        return rc;
    char *text;
    size_t len;
    if (aif_fs_read_file(p, 64, &text, &len, NULL) != AIF_OK)
        return aif_err_set(err, AIF_ENOTFOUND, "%s: repository not found", repo_id);
    snprintf(commit, 41, "%s", text);
    aif_free(text);
    return AIF_OK;
}

struct add_ctx {
    struct local_hub *hub;
    struct files *F;
};

/* aif_fs_walk_files callback: store one file as a blob and list it. */
static aif_code add_file(void *ctx, const char *rel, const char *full, uint64_t st_size, aif_err *err)
{
    struct add_ctx *a = ctx;
    char tmp[PATH_MAX], blob[PATH_MAX], sha[65];
    uint64_t size;
    (void)st_size;
    aif_code rc = aif_fs_path(tmp, sizeof tmp, err, "%s/blobs/.upload.%ld", a->hub->root, (long)getpid());
    if (rc != AIF_OK)
        return rc;
    rc = copy_hashing(full, tmp, sha, &size, err);
    if (rc == AIF_OK)
        rc = aif_fs_path(blob, sizeof blob, err, "%s/blobs/%s", a->hub->root, sha);
    if (rc == AIF_OK && rename(tmp, blob) != 0)
        rc = aif_err_set(err, AIF_EIO, "%s: %s", blob, strerror(errno));
    if (rc == AIF_OK)
        rc = files_put(a->F, rel, size, sha, err);
    unlink(tmp);
    return rc;
}

/* Skipped while walking a folder to upload. */
static const char *const upload_skip[] = {".git", ".cache", NULL};

static aif_code upload(void *impl, const char *repo_id, const char *dir, int create_private, const char *message,
                       char commit_out[41], aif_err *err)
{
    struct local_hub *hub = impl;
    char p[PATH_MAX], blobs[PATH_MAX], parent[41] = "";
    struct files F = {0};
    aif_code rc = repo_path(hub, repo_id, "commits", p, err);
    if (rc != AIF_OK)
        return rc;
    if ((rc = aif_fs_path(blobs, sizeof blobs, err, "%s/blobs", hub->root)) != AIF_OK ||
        (rc = aif_fs_mkdirs(p, err)) != AIF_OK || (rc = aif_fs_mkdirs(blobs, err)) != AIF_OK)
        return rc;
    /* One writer per repo at a time. */
    char lock[PATH_MAX];
    repo_path(hub, repo_id, "lock", lock, err);
    int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lfd < 0 || flock(lfd, LOCK_EX) != 0) {
        if (lfd >= 0)
            close(lfd);
        return aif_err_set(err, AIF_EIO, "%s: cannot lock: %s", lock, strerror(errno));
    }
    char head[41];
    int exists = resolve(hub, repo_id, "main", head, NULL) == AIF_OK;
    if (exists) {
        char mp[PATH_MAX], rest[80], pp[41];
        snprintf(rest, sizeof rest, "commits/%s", head);
        repo_path(hub, repo_id, rest, mp, err);
        rc = read_manifest(mp, &F, pp, err);
        memcpy(parent, head, 41);
    } else {
        char vis[PATH_MAX];
        repo_path(hub, repo_id, "private", vis, err);
        rc = aif_fs_write_file(vis, create_private ? "1" : "0", 1, err);
    }
    if (rc == AIF_OK)
        rc = aif_fs_walk_files(dir, upload_skip, add_file, &(struct add_ctx){hub, &F}, err);
    char *manifest = NULL;
    size_t mlen = 0;
    if (rc == AIF_OK) {
        qsort(F.v, F.n, sizeof *F.v, by_path);
        FILE *m = open_memstream(&manifest, &mlen);
        fprintf(m, "parent %s\nmessage %s\n", parent[0] ? parent : "none", message ? message : "Upload");
        for (size_t i = 0; i < F.n; i++)
            fprintf(m, "file %s %" PRIu64 " %s\n", F.v[i].sha256, F.v[i].size, F.v[i].path);
        fclose(m);
        uint8_t d[32];
        char hex[65], rest[80], cp[PATH_MAX], ref[PATH_MAX];
        aif_crypto_sha256(manifest, mlen, d);
        aif_crypto_hex_encode(d, 32, hex);
        hex[40] = '\0';
        snprintf(rest, sizeof rest, "commits/%s", hex);
        repo_path(hub, repo_id, rest, cp, err);
        rc = aif_fs_write_file(cp, manifest, mlen, err);
        repo_path(hub, repo_id, "refs", ref, err);
        if (rc == AIF_OK)
            rc = aif_fs_mkdirs(ref, err);
        repo_path(hub, repo_id, "refs/main", ref, err);
        if (rc == AIF_OK)
            rc = aif_fs_write_file(ref, hex, 40, err);
        if (rc == AIF_OK)
            memcpy(commit_out, hex, 41);
    }
    free(manifest);
    files_release(&F);
    flock(lfd, LOCK_UN);
    close(lfd);
    return rc;
}

static aif_code list(void *impl, const char *repo_id, const char *revision, aif_hub_listing *out, aif_err *err)
{
    struct local_hub *hub = impl;
    char commit[41], rest[80], p[PATH_MAX], parent[41];
    aif_code rc = resolve(hub, repo_id, revision, commit, err);
    if (rc != AIF_OK)
        return rc;
    snprintf(rest, sizeof rest, "commits/%s", commit);
    repo_path(hub, repo_id, rest, p, err);
    struct files F = {0};
    if ((rc = read_manifest(p, &F, parent, err)) != AIF_OK) {
        files_release(&F);
        return rc;
    }
    memcpy(out->commit, commit, 41);
    out->files = F.v;
    out->n = F.n;
    char vis[PATH_MAX], *text;
    size_t len;
    repo_path(hub, repo_id, "private", vis, err);
    out->is_private = aif_fs_read_file(vis, 8, &text, &len, NULL) == AIF_OK ? text[0] == '1' : 0;
    if (out->is_private >= 0 && aif_fs_exists(vis))
        aif_free(text);
    return AIF_OK;
}

static aif_code fetch(void *impl, const char *repo_id, const char *commit, const aif_hub_file *file,
                      const char *cache_dir, aif_err *err)
{
    struct local_hub *hub = impl;
    char src[PATH_MAX], repo_dir[PATH_MAX], tmp[PATH_MAX], sha[65];
    uint64_t size;
    aif_code rc = aif_hub_cache_repo_dir(cache_dir, repo_id, repo_dir, sizeof repo_dir, err);
    if (rc != AIF_OK)
        return rc;
    if (strlen(file->sha256) != 64 || strspn(file->sha256, "0123456789abcdef") != 64)
        return aif_err_set(err, AIF_EFORMAT, "%s: %s: bad sha256 '%s' in the listing", repo_id, file->path, file->sha256);
    if ((rc = aif_fs_path(src, sizeof src, err, "%s/blobs/%s", hub->root, file->sha256)) != AIF_OK ||
        (rc = aif_fs_path(tmp, sizeof tmp, err, "%s/blobs", repo_dir)) != AIF_OK ||
        (rc = aif_fs_mkdirs(tmp, err)) != AIF_OK ||
        (rc = aif_fs_path(tmp, sizeof tmp, err, "%s/blobs/%s.%ld.incomplete", repo_dir, file->sha256, (long)getpid())) != AIF_OK)
        return rc;
    rc = copy_hashing(src, tmp, sha, &size, err);
    if (rc == AIF_OK && (size != file->size || strcmp(sha, file->sha256)))
        rc = aif_err_set(err, AIF_EHASH, "%s: %s: got %" PRIu64 " bytes with sha256 %s, expected %" PRIu64 " and %s",
                         repo_id, file->path, size, sha, file->size, file->sha256);
    if (rc == AIF_OK)
        rc = aif_hub_cache_install(cache_dir, repo_id, commit, file->path, file->sha256, tmp, err);
    if (rc != AIF_OK)
        unlink(tmp);
    return rc;
}

static aif_code set_private(void *impl, const char *repo_id, int is_private, aif_err *err)
{
    struct local_hub *hub = impl;
    char vis[PATH_MAX], head[41];
    aif_code rc = resolve(hub, repo_id, "main", head, err);
    if (rc != AIF_OK)
        return rc;
    repo_path(hub, repo_id, "private", vis, err);
    return aif_fs_write_file(vis, is_private ? "1" : "0", 1, err);
}

static void close_hub(void *impl) { aif_free(impl); }

static const aif_hub_ops local_hub_ops = {"local", upload, list, fetch, set_private, close_hub};

aif_code aif_local_hub_open(const char *root, aif_hub *out, aif_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    struct local_hub *hub = aif_calloc_err(1, sizeof *hub, "local hub", err);
    if (!hub)
        return AIF_ENOMEM;
    if (snprintf(hub->root, sizeof hub->root, "%s", root) >= (int)sizeof hub->root) {
        aif_free(hub);
        return aif_err_set(err, AIF_ERANGE, "hub root path too long");
    }
    char blobs[PATH_MAX];
    aif_code rc = aif_fs_path(blobs, sizeof blobs, err, "%s/blobs", root);
    if (rc == AIF_OK)
        rc = aif_fs_mkdirs(blobs, err);
    if (rc != AIF_OK) {
        aif_free(hub);
        return rc;
    }
    out->ops = &local_hub_ops;
    out->impl = hub;
    return AIF_OK;
}
