/* loader.c: rows -> token stream -> batches (reference 5.4 to 5.7). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/log.h"
#include "data_int.h"

void aif_data_opts_default(aif_data_opts *o)
{
    memset(o, 0, sizeof *o);
    o->config = "default";
    o->split = "train";
    o->n_pages = AIF_DATA_PAGES_PER_TASK;
    o->rows_per_page = AIF_DATA_ROWS_PER_PAGE;
    o->seq_len = AIF_DATA_SEQ_LEN;
    o->chunk_len = AIF_DATA_CHUNK_LEN;
    o->page_set_attempts = AIF_DATA_PAGE_SET_ATTEMPTS;
    o->max_batches = AIF_DATA_MAX_BATCHES;
    o->shuffle = 1;
}

void aif_data_batches_release(aif_data_batches *b)
{
    if (!b)
        return;
    aif_free(b->ids);
    aif_free(b->window);
    aif_free(b->stream);
    aif_free(b->doc_end);
    aif_free(b->pages);
    memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------------ growable lists */

static void ids_free(aif_token_ids *v)
{
    aif_free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}

static int ids_push(aif_token_ids *v, const int32_t *x, size_t n)
{
    if (v->n + n > v->cap) {
        size_t cap = v->cap ? v->cap : 256;
        while (cap < v->n + n)
            cap *= 2;
        int32_t *p = aif_realloc(v->v, cap * sizeof *p);
        if (!p)
            return -1;
        v->v = p;
        v->cap = cap;
    }
    if (n)
        memcpy(v->v + v->n, x, n * sizeof *x);
    v->n += n;
    return 0;
}

typedef struct sizes {
    size_t *v, n, cap;
} sizes;

static int sizes_push(sizes *s, size_t x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        size_t *p = aif_realloc(s->v, cap * sizeof *p);
        if (!p)
            return -1;
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 0;
}

/* ------------------------------------------------------------ one document */

static aif_code tokenize_doc(const aif_data_tok *tok, const char *text, size_t len, size_t chunk_len,
                             aif_token_ids *out, sizes *ends, aif_err *err)
{
    if (!chunk_len)
        return aif_err_set(err, AIF_EINVAL, "chunk length 0");
    aif_token_ids all = {0};
    /* encode(text, add_special_tokens=False) */
    aif_code rc = tok->encode(tok->ctx, text, len, 0, &all, err);
    for (size_t at = 0; rc == AIF_OK && at < all.n; at += chunk_len) {
        size_t n = all.n - at < chunk_len ? all.n - at : chunk_len;
        char *chunk = NULL;
        size_t chunk_bytes = 0;
        /* decode(chunk, clean_up_tokenization_spaces=True), specials kept */
        rc = tok->decode(tok->ctx, all.v + at, n, AIF_TOK_CLEAN_SPACES, &chunk, &chunk_bytes, err);
        if (rc)
            break;
        /* tokenizer(chunk, truncation=True).input_ids, then EOS */
        rc = tok->encode(tok->ctx, chunk, chunk_bytes, AIF_TOK_CALL, out, err);
        aif_free(chunk);
        if (rc)
            break;
        if (ids_push(out, &tok->eos_id, 1) || (ends && sizes_push(ends, out->n)))
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory appending tokens");
    }
    ids_free(&all);
    return rc;
}

aif_code aif_data_tokenize_doc(const aif_data_tok *tok, const char *text, size_t len, size_t chunk_len,
                               aif_token_ids *out, aif_err *err)
{
    return tokenize_doc(tok, text, len, chunk_len, out, NULL, err);
}

/* ------------------------------------------------------------ packing */

aif_code aif_data_pack(const int32_t *stream, size_t n, size_t seq_len, size_t max_batches, aif_data_rng *rng,
                       aif_data_batches *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    if (!seq_len)
        return aif_err_set(err, AIF_EINVAL, "pack: sequence length 0");
    size_t n_win = n / seq_len; /* the partial tail is dropped */
    out->seq_len = seq_len;
    if (!n_win)
        return AIF_OK;
    size_t *w = aif_calloc_err(n_win, sizeof *w, "window order", err);
    if (!w)
        return AIF_ENOMEM;
    for (size_t i = 0; i < n_win; i++)
        w[i] = i;
    if (rng)
        aif_data_rng_shuffle(rng, w, n_win);
    size_t keep = max_batches && max_batches < n_win ? max_batches : n_win;
    int32_t *ids = aif_calloc_err(keep * seq_len, sizeof *ids, "batches", err);
    if (!ids) {
        aif_free(w);
        return AIF_ENOMEM;
    }
    for (size_t b = 0; b < keep; b++)
        memcpy(ids + b * seq_len, stream + w[b] * seq_len, seq_len * sizeof *ids);
    out->ids = ids;
    out->window = w;
    out->n_batches = keep;
    return AIF_OK;
}

/* ------------------------------------------------------------ rows in parallel */

typedef struct row_job {
    const char *text;
    size_t len;
    aif_token_ids ids;
    sizes ends;      /* positions in ids just after each EOS */
    aif_code rc;
    aif_err err;
} row_job;

typedef struct tok_work {
    const aif_data_tok *tok;
    size_t chunk_len;
    row_job *jobs;
    size_t n;
} tok_work;

static void tok_worker(void *arg, int ith, int nth)
{
    tok_work *w = arg;
    size_t b, e;
    aif_pool_split(w->n, ith, nth, &b, &e);
    for (size_t i = b; i < e; i++) {
        row_job *j = &w->jobs[i];
        aif_err_clear(&j->err);
        j->rc = tokenize_doc(w->tok, j->text, j->len, w->chunk_len, &j->ids, &j->ends, &j->err);
    }
}

/* Fetch one page set and tokenize it into a stream. */
static aif_code fill(aif_data_source *src, const aif_data_dataset *ds, const aif_data_tok *tok, const aif_data_opts *o,
                     const int64_t *pages, aif_token_ids *stream, sizes *doc_end, size_t *n_rows, aif_err *err)
{
    aif_data_page *pg = aif_calloc_err(o->n_pages, sizeof *pg, "pages", err);
    if (!pg)
        return AIF_ENOMEM;
    aif_code rc = AIF_OK;
    size_t total = 0, k = 0;
    row_job *jobs = NULL;
    for (size_t i = 0; i < o->n_pages && !rc; i++) {
        rc = aif_data_source_page(src, ds, o->config, o->split, pages[i], o->rows_per_page, &pg[i], err);
        if (rc) {
            aif_err_wrap(err, "%s page %zu of %zu (page number %" PRId64 ")", ds->task, i + 1, o->n_pages, pages[i]);
            break;
        }
        total += pg[i].n_rows;
    }
    if (!rc && total && !(jobs = aif_calloc(total, sizeof *jobs)))
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory for %zu rows", total);
    /* Every row must have text before any is tokenized (the reference fails
     * on the first such row; so does this, naming it). */
    for (size_t i = 0; !rc && i < o->n_pages; i++)
        for (size_t r = 0; !rc && r < pg[i].n_rows; r++, k++)
            rc = aif_data_row_text(&pg[i], r, &jobs[k].text, &jobs[k].len, err);
    if (!rc && total) {
        tok_work w = {tok, o->chunk_len, jobs, total};
        aif_pool_run(o->pool, tok_worker, &w);
        for (size_t i = 0; i < total && !rc; i++) {
            if (jobs[i].rc) {
                rc = jobs[i].rc;
                if (err)
                    *err = jobs[i].err;
                /* name the row: find its page */
                size_t at = i, p = 0;
                while (p < o->n_pages && at >= pg[p].n_rows)
                    at -= pg[p++].n_rows;
                if (p < o->n_pages)
                    aif_err_wrap(err, "dataset %s offset %" PRId64 " row %zu (row_idx %" PRId64 ")", ds->hf_name,
                                 pg[p].offset, at, pg[p].rows[at].row_idx);
            }
        }
        for (size_t i = 0; i < total && !rc; i++) {
            size_t base = stream->n;
            if (ids_push(stream, jobs[i].ids.v, jobs[i].ids.n)) {
                rc = aif_err_set(err, AIF_ENOMEM, "out of memory building the token stream");
                break;
            }
            for (size_t e = 0; e < jobs[i].ends.n && !rc; e++)
                if (sizes_push(doc_end, base + jobs[i].ends.v[e]))
                    rc = aif_err_set(err, AIF_ENOMEM, "out of memory building the token stream");
        }
    }
    for (size_t i = 0; jobs && i < total; i++) {
        ids_free(&jobs[i].ids);
        aif_free(jobs[i].ends.v);
    }
    aif_free(jobs);
    for (size_t i = 0; i < o->n_pages; i++)
        aif_data_page_release(&pg[i]);
    aif_free(pg);
    *n_rows = total;
    return rc;
}

aif_code aif_data_load(aif_data_source *src, const aif_data_dataset *ds, const aif_data_tok *tok,
                       const aif_data_opts *opts, aif_data_batches *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    aif_data_opts o;
    if (opts)
        o = *opts;
    else
        aif_data_opts_default(&o);
    if (!src || !ds || !tok || !tok->encode || !tok->decode)
        return aif_err_set(err, AIF_EINVAL, "data load: source, dataset and tokenizer are required");
    if (!o.n_pages || !o.seq_len || !o.chunk_len || o.rows_per_page < 0 || o.rows_per_page > AIF_DATA_MAX_ROWS_LENGTH ||
        o.page_set_attempts < 1)
        return aif_err_set(err, AIF_EINVAL, "data load %s: bad options (pages %zu, rows %d, seq %zu, chunk %zu)",
                           ds->task, o.n_pages, o.rows_per_page, o.seq_len, o.chunk_len);
    if (!o.config)
        o.config = "default";
    if (!o.split)
        o.split = "train";
    uint64_t seed = o.block_hash ? 0 : o.seed;
    aif_code rc;
    if (!o.block_hash && !o.have_seed && (rc = aif_data_seed_os(&seed, err)))
        return rc;
    aif_data_rng rng;
    if (o.block_hash)
        aif_data_rng_seed_block_hash(&rng, o.block_hash);
    else
        aif_data_rng_seed(&rng, seed);
    uint32_t max_pages;
    if ((rc = aif_data_source_max_pages(src, ds, &max_pages, err)))
        return rc;
    int64_t *pages = aif_calloc_err(o.n_pages, sizeof *pages, "page list", err);
    if (!pages)
        return AIF_ENOMEM;
    aif_token_ids stream = {0};
    sizes ends = {0};
    size_t n_rows = 0;
    int set;
    for (set = 1; set <= o.page_set_attempts; set++) {
        aif_data_sample_pages(&rng, max_pages, o.n_pages, pages);
        stream.n = 0;
        ends.n = 0;
        rc = fill(src, ds, tok, &o, pages, &stream, &ends, &n_rows, err);
        if (rc)
            goto fail;
        if (stream.n >= o.seq_len)
            break;
        aif_log(AIF_LOG_WARN, "%s: page set %d gave %zu tokens, fewer than %zu; sampling a new page set", ds->task, set,
                stream.n, o.seq_len);
    }
    if (stream.n < o.seq_len) {
        rc = aif_err_set(err, AIF_ERANGE,
                         "%s (%s): %d page sets tried, the last gave %zu tokens, fewer than one window of %zu",
                         ds->task, ds->hf_name, o.page_set_attempts, stream.n, o.seq_len);
        goto fail;
    }
    rc = aif_data_pack(stream.v, stream.n, o.seq_len, o.max_batches, o.shuffle ? &rng : NULL, out, err);
    if (rc)
        goto fail;
    out->stream = stream.v;
    out->n_stream = stream.n;
    out->doc_end = ends.v;
    out->n_docs = ends.n;
    out->pages = pages;
    out->n_pages = o.n_pages;
    out->page_sets = set;
    out->seed = seed;
    out->n_rows = n_rows;
    return AIF_OK;
fail:
    ids_free(&stream);
    aif_free(ends.v);
    aif_free(pages);
    aif_data_batches_release(out);
    return rc;
}
