/* alloc.h: every heap allocation in libaif goes through these, so that the
 * test build can fail the Nth allocation (SQLite's fault simulator, curl's
 * torture mode) and check that each failure ends in AIF_ENOMEM, not a crash.
 * The *_err variants fill err on failure. Large buffers (weights, KV caches)
 * come from aif_malloc_aligned, 64-byte aligned for AVX-512.
 */
#ifndef AIF_ALLOC_H
#define AIF_ALLOC_H

#include <stddef.h>
#include "aif/err.h"

void *aif_malloc(size_t n);
void *aif_calloc(size_t count, size_t size);   /* overflow-checked */
void *aif_realloc(void *p, size_t n);
void aif_free(void *p);
char *aif_strdup(const char *s);
char *aif_strndup(const char *s, size_t n);
void *aif_malloc_aligned(size_t n);            /* 64-byte aligned; free with aif_free_aligned */
void aif_free_aligned(void *p);

/* aif_malloc that also fills err ("out of memory allocating N bytes for WHAT"). */
void *aif_malloc_err(size_t n, const char *what, aif_err *err);
void *aif_calloc_err(size_t count, size_t size, const char *what, aif_err *err);

/* Fault injection (tests): fail the nth allocation from now on (1 = the next);
 * 0 disables. aif_alloc_failed() says whether an injected failure happened. */
void aif_alloc_fail_at(long nth);
int aif_alloc_failed(void);

#endif
