/* vec.h: reading the files of tests/vectors/data/ ("key = value" lines) and small
 * helpers shared by the data tests. */
#ifndef AIF_TEST_DATA_VEC_H
#define AIF_TEST_DATA_VEC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/fs.h"

/* The whole vector file (aif_free), or NULL. */
static inline char *vec_load(const char *path)
{
    char *text = NULL;
    size_t len;
    if (aif_fs_read_file(path, 1 << 20, &text, &len, NULL) != AIF_OK)
        return NULL;
    return text;
}

/* Value of `key` copied into out; 1 if found. */
static inline int vec_get(const char *text, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *l = text; l && *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        if (len > kl + 3 && !strncmp(l, key, kl) && !strncmp(l + kl, " = ", 3)) {
            size_t n = len - kl - 3 < cap - 1 ? len - kl - 3 : cap - 1;
            memcpy(out, l + kl + 3, n);
            out[n] = 0;
            return 1;
        }
        l = e ? e + 1 : NULL;
    }
    return 0;
}

/* Parse up to cap unsigned integers of `key`; returns how many. */
static inline size_t vec_u64s(const char *text, const char *key, uint64_t *v, size_t cap)
{
    char buf[4096];
    if (!vec_get(text, key, buf, sizeof buf))
        return 0;
    size_t n = 0;
    for (char *p = buf; *p && n < cap;) {
        char *end;
        unsigned long long x = strtoull(p, &end, 10);
        if (end == p)
            break;
        v[n++] = x;
        p = end;
    }
    return n;
}

#endif
