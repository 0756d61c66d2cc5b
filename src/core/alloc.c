/* alloc.c: allocation wrappers with fault injection for tests. */
#include "aif/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static _Atomic long fail_countdown; /* 0: off; otherwise allocations left before one fails */
static _Atomic int fail_happened;

void aif_alloc_fail_at(long nth)
{
    atomic_store(&fail_countdown, nth);
    atomic_store(&fail_happened, 0);
}

int aif_alloc_failed(void)
{
    return atomic_load(&fail_happened);
}

static int inject(void)
{
    if (atomic_load_explicit(&fail_countdown, memory_order_relaxed) == 0)
        return 0;
    if (atomic_fetch_sub(&fail_countdown, 1) == 1) {
        atomic_store(&fail_happened, 1);
        return 1;
    }
    return 0;
}

void *aif_malloc(size_t n)
{
    if (inject())
        return NULL;
    return malloc(n ? n : 1);
}

void *aif_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    if (inject())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *aif_realloc(void *p, size_t n)
{
    if (inject())
        return NULL;
    return realloc(p, n ? n : 1);
}

void aif_free(void *p)
{
    free(p);
}

char *aif_strndup(const char *s, size_t n)
{
    char *d = aif_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *aif_strdup(const char *s)
{
    return aif_strndup(s, strlen(s));
}

void *aif_malloc_aligned(size_t n)
{
    if (inject())
        return NULL;
    void *p = NULL;
    size_t rounded = (n + 63) & ~(size_t)63;
    if (rounded < n || posix_memalign(&p, 64, rounded ? rounded : 64) != 0)
        return NULL;
    return p;
}

void aif_free_aligned(void *p)
{
    free(p);
}

void *aif_malloc_err(size_t n, const char *what, aif_err *err)
{
    void *p = aif_malloc(n);
    if (!p)
        aif_err_set(err, AIF_ENOMEM, "out of memory allocating %zu bytes for %s", n, what);
    return p;
}

void *aif_calloc_err(size_t count, size_t size, const char *what, aif_err *err)
{
    void *p = aif_calloc(count, size);
    if (!p)
        aif_err_set(err, AIF_ENOMEM, "out of memory allocating %zu x %zu bytes for %s", count, size, what);
    return p;
}
