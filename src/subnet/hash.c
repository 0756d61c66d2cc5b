/* hash.c: model hashes (spec 4; taoverse/model/storage/disk/utils.py and
 * taoverse/model/utils.py).
 *   file hash       base64(sha256(bytes)), read in 64 KiB blocks
 *   directory hash  base64(sha256(file hash || file hash || ...)) in the
 *                   order of Python's os.walk(top-down) with both the file
 *                   and the directory names sorted (strcmp on the bytes,
 *                   which is code-point order for UTF-8)
 *   secure hash     base64(sha256(model_hash || hotkey))
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "subnet_int.h"

#define BLOCK (64 * 1024)
#define MAX_DEPTH 128

static void to_b64(const uint8_t digest[AIF_SHA256_BYTES], char out[AIF_SUBNET_HASH_CHARS])
{
    aif_crypto_base64_encode(digest, AIF_SHA256_BYTES, out); /* 44 chars + NUL */
}

aif_code aif_subnet_hash_file(const char *path, char out[AIF_SUBNET_HASH_CHARS], aif_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return aif_err_set(err, AIF_EIO, "%s: cannot open: %s", path, strerror(errno));
    uint8_t *buf = aif_malloc_err(BLOCK, "hash buffer", err);
    if (!buf) {
        close(fd);
        return AIF_ENOMEM;
    }
    aif_sha256 h;
    aif_sha256_init(&h);
    for (;;) {
        ssize_t n = read(fd, buf, BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            aif_free(buf);
            close(fd);
            return aif_err_set(err, AIF_EIO, "%s: read failed: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        aif_sha256_update(&h, buf, (size_t)n);
    }
    aif_free(buf);
    close(fd);
    uint8_t d[AIF_SHA256_BYTES];
    aif_sha256_final(&h, d);
    to_b64(d, out);
    return AIF_OK;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        aif_free(names[i]);
    aif_free(names);
}

/* Sorted entry names of dir (without "." and ".."). */
static aif_code list_dir(const char *dir, char ***out, size_t *n_out, aif_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return aif_err_set(err, AIF_EIO, "%s: cannot open directory: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    aif_code rc = AIF_OK;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            char **nn = aif_realloc(names, nc * sizeof *names);
            if (!nn) {
                rc = aif_err_set(err, AIF_ENOMEM, "%s: out of memory listing the directory", dir);
                break;
            }
            names = nn;
            cap = nc;
        }
        if (!(names[n] = aif_strdup(de->d_name))) {
            rc = aif_err_set(err, AIF_ENOMEM, "%s: out of memory listing the directory", dir);
            break;
        }
        n++;
    }
    closedir(d);
    if (rc) {
        free_names(names, n);
        return rc;
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    *out = names;
    *n_out = n;
    return AIF_OK;
}

static aif_code walk(aif_sha256 *outer, const char *dir, int depth, aif_err *err)
{
    if (depth > MAX_DEPTH)
        return aif_err_set(err, AIF_ERANGE, "%s: directories nested deeper than %d", dir, MAX_DEPTH);
    char **names = NULL;
    size_t n = 0;
    aif_code rc = list_dir(dir, &names, &n, err);
    if (rc)
        return rc;
    /* kind[i]: 0 file, 1 directory to descend, 2 symlinked directory (skipped). */
    unsigned char *kind = aif_calloc_err(n ? n : 1, 1, "directory walk", err);
    char *path = NULL;
    size_t dlen = strlen(dir);
    if (!kind) {
        free_names(names, n);
        return AIF_ENOMEM;
    }
    for (size_t pass = 0; pass < 2 && !rc; pass++) {
        for (size_t i = 0; i < n && !rc; i++) {
            size_t need = dlen + 1 + strlen(names[i]) + 1;
            char *p = aif_realloc(path, need);
            if (!p) {
                rc = aif_err_set(err, AIF_ENOMEM, "%s: out of memory", dir);
                break;
            }
            path = p;
            memcpy(path, dir, dlen);
            path[dlen] = '/';
            strcpy(path + dlen + 1, names[i]);
            if (pass == 0) {
                /* os.walk: is_dir() follows links; everything else is a file. */
                struct stat st, lst;
                if (stat(path, &st) != 0) {
                    rc = aif_err_set(err, AIF_EIO, "%s: cannot stat: %s", path, strerror(errno));
                    break;
                }
                if (S_ISDIR(st.st_mode)) {
                    kind[i] = (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) ? 2 : 1;
                    continue;
                }
                if (!S_ISREG(st.st_mode)) {
                    rc = aif_err_set(err, AIF_EIO, "%s: not a regular file or directory", path);
                    break;
                }
                char h[AIF_SUBNET_HASH_CHARS];
                rc = aif_subnet_hash_file(path, h, err);
                if (!rc)
                    aif_sha256_update(outer, h, AIF_SUBNET_SHA256_BASE64_LENGTH);
            } else if (kind[i] == 1) {
                rc = walk(outer, path, depth + 1, err);
            }
        }
    }
    aif_free(path);
    aif_free(kind);
    free_names(names, n);
    return rc;
}

aif_code aif_subnet_hash_dir(const char *path, char out[AIF_SUBNET_HASH_CHARS], aif_err *err)
{
    aif_sha256 outer;
    aif_sha256_init(&outer);
    struct stat st;
    /* os.walk of a missing (or non-directory) top yields nothing. */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        aif_code rc = walk(&outer, path, 0, err);
        if (rc)
            return aif_err_wrap(err, "hashing %s", path);
    }
    uint8_t d[AIF_SHA256_BYTES];
    aif_sha256_final(&outer, d);
    to_b64(d, out);
    return AIF_OK;
}

void aif_subnet_secure_hash(const char *model_hash, const char *hotkey_ss58, char out[AIF_SUBNET_HASH_CHARS])
{
    aif_sha256 h;
    uint8_t d[AIF_SHA256_BYTES];
    aif_sha256_init(&h);
    aif_sha256_update(&h, model_hash, strlen(model_hash));
    aif_sha256_update(&h, hotkey_ss58, strlen(hotkey_ss58));
    aif_sha256_final(&h, d);
    to_b64(d, out);
}

aif_code aif_subnet_verify_secure_hash(const char *downloaded_hash, const char *hotkey_ss58,
                                       const aif_subnet_model_id *chain_id, aif_err *err)
{
    char sec[AIF_SUBNET_HASH_CHARS];
    if (!chain_id->has_secure_hash)
        return aif_err_set(err, AIF_EHASH, "%s/%s: hash mismatch: the commitment has no secure hash", chain_id->ns,
                           chain_id->name);
    aif_subnet_secure_hash(downloaded_hash, hotkey_ss58, sec);
    if (strcmp(sec, chain_id->secure_hash))
        return aif_err_set(err, AIF_EHASH, "%s/%s: hash mismatch: downloaded %s with hotkey %s gives %s, chain has %s",
                           chain_id->ns, chain_id->name, downloaded_hash, hotkey_ss58, sec, chain_id->secure_hash);
    return AIF_OK;
}
