/* cache.c: the huggingface_hub cache layout (hub spec 2.5), shared by
 * every hub backend so Python tools and aif read one cache. */
#include "aif/hub.h"
#include "aif/alloc.h"
#include "aif/fs.h"
#include "hub_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

aif_code aif_hub_cache_repo_dir(const char *cache_dir, const char *repo_id, char *out, size_t cap, aif_err *err)
{
    const char *slash = strchr(repo_id, '/');
    int n = slash ? snprintf(out, cap, "%s/models--%.*s--%s", cache_dir, (int)(slash - repo_id), repo_id, slash + 1)
                  : snprintf(out, cap, "%s/models--%s", cache_dir, repo_id);
    if (n < 0 || (size_t)n >= cap)
        return aif_err_set(err, AIF_ERANGE, "cache path for %s is too long", repo_id);
    return AIF_OK;
}

int aif_hub_safe_path(const char *p)
{
    if (!p[0] || p[0] == '/' || strchr(p, '\\'))
        return 0;
    const char *s = p;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return 0;
        s += n + (e ? 1 : 0);
        if (e && !*s)
            return 0;
    }
    return 1;
}

aif_code aif_hub_cache_install(const char *cache_dir, const char *repo_id, const char *commit, const char *path,
                               const char *blob, const char *src_path, aif_err *err)
{
    char repo[PATH_MAX], dir[PATH_MAX], blob_path[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
    if (!aif_hub_safe_path(path))
        return aif_err_set(err, AIF_EFORMAT, "%s: unsafe file path '%s' in the listing", repo_id, path);
    if (!aif_hub_safe_path(blob) || strchr(blob, '/'))
        return aif_err_set(err, AIF_EFORMAT, "%s: unsafe blob name '%s'", repo_id, blob);
    aif_code rc = aif_hub_cache_repo_dir(cache_dir, repo_id, repo, sizeof repo, err);
    if (rc != AIF_OK)
        return rc;
    if (snprintf(dir, sizeof dir, "%s/blobs", repo) >= (int)sizeof dir ||
        snprintf(blob_path, sizeof blob_path, "%s/blobs/%s", repo, blob) >= (int)sizeof blob_path ||
        snprintf(link, sizeof link, "%s/snapshots/%s/%s", repo, commit, path) >= (int)sizeof link)
        return aif_err_set(err, AIF_ERANGE, "%s: cache path too long for %s", repo_id, path);
    if ((rc = aif_fs_mkdirs(dir, err)) != AIF_OK)
        return rc;
    if (rename(src_path, blob_path) != 0)
        return aif_err_set(err, AIF_EIO, "%s: cannot move %s into the cache: %s", repo_id, src_path, strerror(errno));
    /* snapshots/<commit>/<dirs of path>/ */
    char *slash = strrchr(link, '/');
    *slash = '\0';
    rc = aif_fs_mkdirs(link, err);
    *slash = '/';
    if (rc != AIF_OK)
        return rc;
    /* ../../blobs/<blob>, one more ../ per sub-folder of path */
    size_t depth = 0;
    for (const char *p = path; *p; p++)
        depth += *p == '/';
    size_t off = 0;
    for (size_t i = 0; i < depth + 2; i++)
        off += (size_t)snprintf(target + off, sizeof target - off, "../");
    snprintf(target + off, sizeof target - off, "blobs/%s", blob);
    unlink(link);
    if (symlink(target, link) != 0)
        return aif_err_set(err, AIF_EIO, "%s: symlink %s: %s", repo_id, link, strerror(errno));
    return AIF_OK;
}

aif_code aif_hub_cache_write_ref(const char *cache_dir, const char *repo_id, const char *revision,
                                 const char *commit, aif_err *err)
{
    char repo[PATH_MAX], ref[PATH_MAX];
    if (!aif_hub_safe_path(revision))
        return aif_err_set(err, AIF_EFORMAT, "%s: unsafe revision name '%s'", repo_id, revision);
    aif_code rc = aif_hub_cache_repo_dir(cache_dir, repo_id, repo, sizeof repo, err);
    if (rc != AIF_OK)
        return rc;
    if (snprintf(ref, sizeof ref, "%s/refs/%s", repo, revision) >= (int)sizeof ref)
        return aif_err_set(err, AIF_ERANGE, "%s: ref path too long", repo_id);
    char *slash = strrchr(ref, '/');
    *slash = '\0';
    rc = aif_fs_mkdirs(ref, err);
    *slash = '/';
    if (rc != AIF_OK)
        return rc;
    return aif_fs_write_file(ref, commit, strlen(commit), err);
}

/* Collected symlinks of a snapshot: path and resolved target. */
struct links {
    char (*path)[PATH_MAX];
    char (*target)[PATH_MAX];
    size_t n, cap;
};

static aif_code collect(const char *dir, struct links *L, int depth, aif_err *err)
{
    if (depth > 64)
        return aif_err_set(err, AIF_ERANGE, "%s: directories nested deeper than 64", dir);
    DIR *d = opendir(dir);
    if (!d)
        return aif_err_set(err, AIF_EIO, "%s: %s", dir, strerror(errno));
    struct dirent *e;
    aif_code rc = AIF_OK;
    while (rc == AIF_OK && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) {
            rc = aif_err_set(err, AIF_ERANGE, "%s: path too long", dir);
            break;
        }
        struct stat st;
        if (lstat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = collect(p, L, depth + 1, err);
        } else if (S_ISLNK(st.st_mode)) {
            char t[PATH_MAX];
            if (!realpath(p, t)) {
                rc = aif_err_set(err, AIF_EIO, "%s: dangling link: %s", p, strerror(errno));
                break;
            }
            if (L->n == L->cap) {
                size_t cap = L->cap ? 2 * L->cap : 16;
                void *np = aif_realloc(L->path, cap * sizeof *L->path);
                if (np)
                    L->path = np;
                void *nt = np ? aif_realloc(L->target, cap * sizeof *L->target) : NULL;
                if (nt)
                    L->target = nt;
                if (!np || !nt) {
                    rc = aif_err_set(err, AIF_ENOMEM, "out of memory listing %s", dir);
                    break;
                }
                L->cap = cap;
            }
            snprintf(L->path[L->n], PATH_MAX, "%s", p);
            snprintf(L->target[L->n], PATH_MAX, "%s", t);
            L->n++;
        }
    }
    closedir(d);
    return rc;
}

aif_code aif_hub_cache_realize(const char *snapshot_dir, aif_err *err)
{
    struct links L = {0};
    aif_code rc = collect(snapshot_dir, &L, 0, err);
    for (size_t i = 0; rc == AIF_OK && i < L.n; i++) {
        /* Move the blob onto the link (as the reference does), unless a
         * later link still needs the same blob: then copy. */
        int shared = 0;
        for (size_t j = i + 1; j < L.n; j++)
            shared |= !strcmp(L.target[i], L.target[j]);
        char tmp[PATH_MAX + 16];
        snprintf(tmp, sizeof tmp, "%s.realize", L.path[i]);
        if (shared)
            rc = aif_fs_copy_file(L.target[i], tmp, NULL, NULL, NULL, err);
        else if (rename(L.target[i], tmp) != 0)
            rc = aif_err_set(err, AIF_EIO, "%s: cannot move %s: %s", L.path[i], L.target[i], strerror(errno));
        if (rc == AIF_OK && rename(tmp, L.path[i]) != 0)
            rc = aif_err_set(err, AIF_EIO, "%s: %s", L.path[i], strerror(errno));
    }
    aif_free(L.path);
    aif_free(L.target);
    return rc;
}
