/* bench_data.c: the evaluation data path on the shipped corpus with a real
 * tokenizer (qwen2.5 from ../shared/testdata): rows -> split/re-encode ->
 * 4096-token batches, for 1 thread and all cores; and /rows decoding speed.
 * Run from the repository root (make bench). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/aif.h"
#include "aif/data.h"
#include "aif/tokenizer.h"

int main(void)
{
    aif_err err;
    aif_tokenizer *tk = NULL;
    const char *tok_path = "../shared/testdata/tokenizers/qwen2.5";
    double t0 = aif_time_now();
    if (aif_tokenizer_load(tok_path, &tk, &err)) {
        fprintf(stderr, "bench_data: %s\n", err.msg);
        return 1;
    }
    double t_load = aif_time_now() - t0;
    aif_data_tok tok;
    aif_data_source *src = NULL;
    if (aif_data_tok_init(&tok, tk, &err) || aif_data_source_local("corpus", &src, &err)) {
        fprintf(stderr, "bench_data: %s\n", err.msg);
        return 1;
    }
    printf("tokenizer qwen2.5 loaded in %.3f s\n", t_load);
    printf("%-14s %7s %5s %9s %8s %9s %12s\n", "dataset", "threads", "rows", "tokens", "batches", "seconds", "tokens/s");
    int ncpu = aif_cpu_count();
    for (size_t d = 0; d < aif_data_dataset_count(); d++) {
        const aif_data_dataset *ds = aif_data_dataset_at(d);
        for (int th = 1; th <= ncpu; th = th == ncpu ? ncpu + 1 : ncpu) {
            aif_pool *pool = NULL;
            if (aif_pool_new(th, &pool, &err))
                return 1;
            aif_data_opts o;
            aif_data_opts_default(&o);
            o.have_seed = 1;
            o.seed = 1;
            o.pool = pool;
            aif_data_batches b;
            double t = aif_time_now();
            if (aif_data_load(src, ds, &tok, &o, &b, &err)) {
                fprintf(stderr, "bench_data: %s\n", err.msg);
                return 1;
            }
            t = aif_time_now() - t;
            printf("%-14s %7d %5zu %9zu %8zu %9.3f %12.0f\n", ds->key, th, b.n_rows, b.n_stream, b.n_batches, t,
                   b.n_stream / t);
            aif_data_batches_release(&b);
            aif_pool_free(pool);
        }
    }
    /* /rows decoding: a 50-row page of corpus text built in memory */
    char *page = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&page, &len);
    fputs("{\"rows\":[", m);
    aif_data_page pg;
    if (aif_data_source_page(src, aif_data_dataset_find("reasoning"), NULL, NULL, 1, 50, &pg, &err))
        return 1;
    aif_json j;
    aif_json_init(&j, m, 0);
    for (size_t i = 0; i < pg.n_rows; i++) {
        fputs(i ? ",{\"row_idx\":" : "{\"row_idx\":", m);
        fprintf(m, "%zu,\"row\":{\"text\":", i);
        aif_json_strn(&j, pg.rows[i].text, pg.rows[i].text_len);
        fputs("},\"truncated_cells\":[]}", m);
    }
    fputs("]}", m);
    fclose(m);
    aif_data_page_release(&pg);
    int reps = 50;
    double t = aif_time_now();
    for (int r = 0; r < reps; r++) {
        if (aif_data_page_parse(page, len, "bench", 1, &pg, &err))
            return 1;
        aif_data_page_release(&pg);
    }
    t = aif_time_now() - t;
    printf("rows decode: %zu-byte page x %d in %.3f s = %.1f MB/s\n", len, reps, t, len * (double)reps / t / 1e6);
    free(page);
    aif_data_source_free(src);
    aif_tokenizer_free(tk);
    return 0;
}
