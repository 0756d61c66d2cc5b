/* pool.c: a fixed set of worker threads woken by a generation counter.
 * The caller's thread does share 0 so a pool of 1 starts no thread. */
#include "aif/pool.h"
#include "aif/alloc.h"

#include <pthread.h>
#include <unistd.h>

struct aif_pool {
    int n;                 /* threads including the caller */
    pthread_t *threads;    /* n - 1 workers */
    pthread_mutex_t lock;
    pthread_cond_t wake;   /* workers wait here for a new generation */
    pthread_cond_t done;   /* the caller waits here for pending == 0 */
    unsigned long generation;
    int pending;           /* workers still running the current job */
    int quit;
    aif_pool_fn fn;
    void *arg;
};

struct worker_arg {
    aif_pool *pool;
    int ith;
};

int aif_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void *worker(void *p)
{
    struct worker_arg wa = *(struct worker_arg *)p;
    aif_free(p);
    aif_pool *pool = wa.pool;
    unsigned long seen = 0;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        while (pool->generation == seen && !pool->quit)
            pthread_cond_wait(&pool->wake, &pool->lock);
        if (pool->quit) {
            pthread_mutex_unlock(&pool->lock);
            return NULL;
        }
        seen = pool->generation;
        aif_pool_fn fn = pool->fn;
        void *arg = pool->arg;
        pthread_mutex_unlock(&pool->lock);

        fn(arg, wa.ith, pool->n);

        pthread_mutex_lock(&pool->lock);
        if (--pool->pending == 0)
            pthread_cond_signal(&pool->done);
        pthread_mutex_unlock(&pool->lock);
    }
}

aif_code aif_pool_new(int n_threads, aif_pool **out, aif_err *err)
{
    *out = NULL;
    if (n_threads <= 0)
        n_threads = aif_cpu_count();
    if (n_threads > 1024)
        return aif_err_set(err, AIF_ERANGE, "thread count %d above the limit of 1024", n_threads);
    aif_pool *pool = aif_calloc_err(1, sizeof *pool, "thread pool", err);
    if (!pool)
        return AIF_ENOMEM;
    pool->n = n_threads;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pthread_cond_init(&pool->done, NULL);
    if (n_threads > 1) {
        pool->threads = aif_calloc_err((size_t)n_threads - 1, sizeof *pool->threads, "thread pool", err);
        if (!pool->threads)
            goto fail;
    }
    for (int i = 1; i < n_threads; i++) {
        struct worker_arg *wa = aif_malloc_err(sizeof *wa, "thread pool", err);
        if (!wa) {
            pool->n = i;
            goto fail;
        }
        wa->pool = pool;
        wa->ith = i;
        if (pthread_create(&pool->threads[i - 1], NULL, worker, wa) != 0) {
            aif_free(wa);
            pool->n = i;
            aif_err_set(err, AIF_ENOMEM, "cannot start thread %d of %d", i, n_threads);
            goto fail;
        }
    }
    *out = pool;
    return AIF_OK;
fail:
    aif_pool_free(pool);
    return err ? err->code : AIF_ENOMEM;
}

void aif_pool_free(aif_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->quit = 1;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 1; i < pool->n && pool->threads; i++)
        pthread_join(pool->threads[i - 1], NULL);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->wake);
    pthread_cond_destroy(&pool->done);
    aif_free(pool->threads);
    aif_free(pool);
}

int aif_pool_size(const aif_pool *pool)
{
    return pool ? pool->n : 1;
}

void aif_pool_run(aif_pool *pool, aif_pool_fn fn, void *arg)
{
    if (!pool || pool->n == 1) {
        fn(arg, 0, 1);
        return;
    }
    pthread_mutex_lock(&pool->lock);
    pool->fn = fn;
    pool->arg = arg;
    pool->pending = pool->n - 1;
    pool->generation++;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);

    fn(arg, 0, pool->n);

    pthread_mutex_lock(&pool->lock);
    while (pool->pending > 0)
        pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}
