/* pool.h: one pthread pool, created by the command and passed down.
 *
 * aif_pool_run(pool, fn, arg) calls fn(arg, ith, nth) once on each of the
 * nth threads (the caller's thread is ith 0) and returns when all are done:
 * each kernel splits its own rows by ith/nth (ggml's pattern). Work is never
 * nested: fn must not call aif_pool_run on the same pool. A NULL pool runs
 * fn(arg, 0, 1) inline, so library code can accept an optional pool.
 */
#ifndef AIF_POOL_H
#define AIF_POOL_H

#include <stddef.h>
#include "aif/err.h"

typedef struct aif_pool aif_pool;
typedef void (*aif_pool_fn)(void *arg, int ith, int nth);

/* n_threads <= 0: the number of online CPUs. */
aif_code aif_pool_new(int n_threads, aif_pool **out, aif_err *err);
void aif_pool_free(aif_pool *pool);
int aif_pool_size(const aif_pool *pool);
void aif_pool_run(aif_pool *pool, aif_pool_fn fn, void *arg);

/* Split n items over nth workers: worker ith gets [*begin, *end). */
static inline void aif_pool_split(size_t n, int ith, int nth, size_t *begin, size_t *end)
{
    size_t per = n / (size_t)nth, extra = n % (size_t)nth, i = (size_t)ith;
    *begin = i * per + (i < extra ? i : extra);
    *end = *begin + per + (i < extra ? 1 : 0);
}

/* Number of online CPUs (at least 1). */
int aif_cpu_count(void);

#endif
