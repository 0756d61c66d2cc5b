/* fs.c: see fs.h. */
#include "aif/fs.h"
#include "aif/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

aif_code aif_fs_read_file(const char *path, size_t max_bytes, char **out, size_t *out_len, aif_err *err)
{
    *out = NULL;
    if (out_len)
        *out_len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return aif_err_set(err, errno == ENOENT ? AIF_ENOTFOUND : AIF_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return aif_err_set(err, AIF_EIO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max_bytes) {
        close(fd);
        return aif_err_set(err, AIF_ERANGE, "%s: %lld bytes, above the limit of %zu", path,
                           (long long)st.st_size, max_bytes);
    }
    size_t n = (size_t)st.st_size;
    char *buf = aif_malloc_err(n + 1, path, err);
    if (!buf) {
        close(fd);
        return AIF_ENOMEM;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            aif_err_set(err, AIF_EIO, "%s: read failed at byte %zu: %s", path, got, r < 0 ? strerror(errno) : "file shrank");
            aif_free(buf);
            close(fd);
            return AIF_EIO;
        }
        got += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    if (out_len)
        *out_len = n;
    return AIF_OK;
}

aif_code aif_fs_write_file(const char *path, const void *data, size_t len, aif_err *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return aif_err_set(err, AIF_ERANGE, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return aif_err_set(err, AIF_EIO, "%s: %s", tmp, strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            aif_err_set(err, AIF_EIO, "%s: write failed: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return AIF_EIO;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        aif_err_set(err, AIF_EIO, "%s: %s", tmp, strerror(errno));
        unlink(tmp);
        return AIF_EIO;
    }
    if (rename(tmp, path) != 0) {
        aif_err_set(err, AIF_EIO, "%s: rename: %s", path, strerror(errno));
        unlink(tmp);
        return AIF_EIO;
    }
    return AIF_OK;
}

aif_code aif_fs_map_open(const char *path, aif_fs_map *map, aif_err *err)
{
    map->data = NULL;
    map->size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return aif_err_set(err, errno == ENOENT ? AIF_ENOTFOUND : AIF_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return aif_err_set(err, AIF_EIO, "%s: not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        return AIF_OK;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return aif_err_set(err, AIF_EIO, "%s: mmap: %s", path, strerror(errno));
    map->data = p;
    map->size = (size_t)st.st_size;
    return AIF_OK;
}

void aif_fs_map_close(aif_fs_map *map)
{
    if (map && map->data)
        munmap((void *)map->data, map->size);
    if (map) {
        map->data = NULL;
        map->size = 0;
    }
}

aif_code aif_fs_mkdirs(const char *path, aif_err *err)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return aif_err_set(err, AIF_EINVAL, "mkdir: bad path length %zu", n);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return aif_err_set(err, AIF_EIO, "mkdir %s: %s", buf, strerror(errno));
            buf[i] = c;
        }
    }
    if (!aif_fs_is_dir(path))
        return aif_err_set(err, AIF_EIO, "mkdir %s: exists and is not a directory", path);
    return AIF_OK;
}

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

aif_code aif_fs_remove_tree(const char *path, aif_err *err)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return AIF_OK;
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return aif_err_set(err, AIF_EIO, "remove %s: %s", path, strerror(errno));
    return AIF_OK;
}

int aif_fs_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int aif_fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int64_t aif_fs_file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    return (int64_t)st.st_size;
}

aif_code aif_fs_join(char *out, size_t cap, const char *a, const char *b, aif_err *err)
{
    size_t la = strlen(a);
    int slash = la > 0 && a[la - 1] != '/';
    int n = snprintf(out, cap, "%s%s%s", a, slash ? "/" : "", b);
    if (n < 0 || (size_t)n >= cap)
        return aif_err_set(err, AIF_ERANGE, "path %s/%s longer than %zu bytes", a, b, cap - 1);
    return AIF_OK;
}

aif_code aif_fs_path(char *out, size_t cap, aif_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap)
        return aif_err_set(err, AIF_ERANGE, "path %.60s... is longer than %zu bytes", out, cap - 1);
    return AIF_OK;
}

static int try_asset(const char *base, const char *name, char *out, size_t cap)
{
    char p[PATH_MAX + 256];
    if (snprintf(p, sizeof p, "%s/%s", base, name) >= (int)sizeof p || !aif_fs_exists(p))
        return 0;
    char real[PATH_MAX];
    const char *use = realpath(p, real) ? real : p;
    if (strlen(use) >= cap)
        return 0;
    strcpy(out, use);
    return 1;
}

aif_code aif_fs_find_asset(const char *name, char *out, size_t cap, aif_err *err)
{
    AIF_ASSERT(name && out && cap);
    const char *home = getenv("AIF_HOME");
    if (home && *home) {
        if (try_asset(home, name, out, cap))
            return AIF_OK;
        return aif_err_set(err, AIF_ENOTFOUND, "%s: not found under AIF_HOME=%s", name, home);
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            char up[PATH_MAX + 8];
            snprintf(up, sizeof up, "%s/..", exe);
            if (try_asset(up, name, out, cap))
                return AIF_OK;
            snprintf(up, sizeof up, "%s/../..", exe);
            if (try_asset(up, name, out, cap))
                return AIF_OK;
        }
    }
    if (try_asset(".", name, out, cap))
        return AIF_OK;
    return aif_err_set(err, AIF_ENOTFOUND,
                       "%s: not found next to the executable (<exe>/../%s) or in the current directory; set AIF_HOME "
                       "to the aif source tree",
                       name, name);
}


aif_code aif_fs_copy_file(const char *from, const char *to, void (*on_chunk)(void *ctx, const void *p, size_t n),
                          void *ctx, uint64_t *size, aif_err *err)
{
    if (size)
        *size = 0;
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return aif_err_set(err, AIF_EIO, "%s: %s", from, strerror(errno));
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return aif_err_set(err, AIF_EIO, "%s: %s", to, strerror(errno));
    }
    char *buf = aif_malloc(1 << 20);
    aif_code rc = buf ? AIF_OK : aif_err_set(err, AIF_ENOMEM, "out of memory copying %s", from);
    ssize_t r = 0;
    while (rc == AIF_OK && (r = read(in, buf, 1 << 20)) > 0) {
        if (on_chunk)
            on_chunk(ctx, buf, (size_t)r);
        if (size)
            *size += (uint64_t)r;
        if (write(out, buf, (size_t)r) != r)
            rc = aif_err_set(err, AIF_EIO, "%s: write: %s", to, strerror(errno));
    }
    if (rc == AIF_OK && r < 0)
        rc = aif_err_set(err, AIF_EIO, "%s: read: %s", from, strerror(errno));
    aif_free(buf);
    close(in);
    if (close(out) != 0 && rc == AIF_OK)
        rc = aif_err_set(err, AIF_EIO, "%s: %s", to, strerror(errno));
    return rc;
}

static aif_code walk_files(const char *base, const char *rel, const char *const *skip, aif_fs_walk_fn fn, void *ctx,
                           int depth, aif_err *err)
{
    char dir[PATH_MAX];
    if (aif_fs_path(dir, sizeof dir, err, "%s%s%s", base, rel[0] ? "/" : "", rel) != AIF_OK)
        return AIF_ERANGE;
    if (depth > 32)
        return aif_err_set(err, AIF_ERANGE, "%s: nested too deep", dir);
    DIR *d = opendir(dir);
    if (!d)
        return aif_err_set(err, AIF_EIO, "%s: %s", dir, strerror(errno));
    struct dirent *e;
    aif_code rc = AIF_OK;
    while (rc == AIF_OK && (e = readdir(d))) {
        int skipped = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
        for (size_t i = 0; skip && skip[i] && !skipped; i++)
            skipped = !strcmp(e->d_name, skip[i]);
        if (skipped)
            continue;
        char sub[PATH_MAX], full[PATH_MAX];
        if ((rc = aif_fs_path(sub, sizeof sub, err, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name)) != AIF_OK ||
            (rc = aif_fs_path(full, sizeof full, err, "%s/%s", base, sub)) != AIF_OK)
            break;
        struct stat st;
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk_files(base, sub, skip, fn, ctx, depth + 1, err);
        else if (S_ISREG(st.st_mode))
            rc = fn(ctx, sub, full, (uint64_t)st.st_size, err);
    }
    closedir(d);
    return rc;
}

aif_code aif_fs_walk_files(const char *base, const char *const *skip, aif_fs_walk_fn fn, void *ctx, aif_err *err)
{
    return walk_files(base, "", skip, fn, ctx, 0, err);
}
