/* jsonl.c: encode a JSON Lines stream ({"text": ...} per line) into
 * {"ids":[...]} lines in the same order, batch by batch over a pool: the
 * workers parse and encode, the caller's thread reads and writes. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "tok_int.h"

#define BATCH_LINES 4096

struct jl_batch {
    const aif_tokenizer *tok;
    unsigned flags;
    char **lines;
    size_t *lens;
    size_t *line_no;
    size_t n;
    aif_token_ids *outs;
    aif_code *codes;
    aif_err *errs; /* one per line */
};

static void jl_fn(void *arg, int ith, int nth)
{
    struct jl_batch *b = arg;
    size_t lo, hi;
    aif_pool_split(b->n, ith, nth, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        b->outs[i].n = 0;
        json_error_t je;
        json_t *rec = json_loadb(b->lines[i], b->lens[i], JSON_ALLOW_NUL, &je);
        json_t *t = json_object_get(rec, "text");
        if (!rec || !json_is_string(t)) {
            b->codes[i] = aif_err_set(&b->errs[i], AIF_EFORMAT, "line %zu: %s", b->line_no[i],
                                      rec ? "no string field \"text\"" : je.text);
        } else {
            b->codes[i] = aif_tokenizer_encode(b->tok, json_string_value(t), json_string_length(t), b->flags,
                                               &b->outs[i], &b->errs[i]);
            if (b->codes[i])
                aif_err_wrap(&b->errs[i], "line %zu", b->line_no[i]);
        }
        json_decref(rec);
    }
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

static aif_code flush(struct jl_batch *b, aif_pool *pool, FILE *out, aif_err *err)
{
    if (!b->n)
        return AIF_OK;
    aif_pool_run(pool, jl_fn, b);
    for (size_t i = 0; i < b->n; i++) {
        if (b->codes[i]) {
            if (err)
                *err = b->errs[i];
            return b->codes[i];
        }
        fputs("{\"ids\":[", out);
        for (size_t k = 0; k < b->outs[i].n; k++)
            fprintf(out, k ? ",%d" : "%d", b->outs[i].v[k]);
        fputs("]}\n", out);
    }
    if (ferror(out))
        return aif_err_set(err, AIF_EIO, "writing the output failed");
    for (size_t i = 0; i < b->n; i++)
        aif_free(b->lines[i]);
    b->n = 0;
    return AIF_OK;
}

aif_code aif_tokenizer_encode_jsonl(const aif_tokenizer *tok, FILE *in, FILE *out, unsigned flags, aif_pool *pool,
                                    size_t *n_lines, aif_err *err)
{
    struct jl_batch b = {tok, flags, NULL, NULL, NULL, 0, NULL, NULL, NULL};
    b.lines = aif_calloc(BATCH_LINES, sizeof *b.lines);
    b.lens = aif_calloc(BATCH_LINES, sizeof *b.lens);
    b.line_no = aif_calloc(BATCH_LINES, sizeof *b.line_no);
    b.outs = aif_calloc(BATCH_LINES, sizeof *b.outs);
    b.codes = aif_calloc(BATCH_LINES, sizeof *b.codes);
    b.errs = aif_calloc(BATCH_LINES, sizeof *b.errs);
    aif_code rc = AIF_OK;
    size_t count = 0, line_no = 0;
    if (!b.lines || !b.lens || !b.line_no || !b.outs || !b.codes || !b.errs) {
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory for a batch of lines");
        goto done;
    }
    json_object_seed(0); /* before any worker touches jansson */
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, in)) >= 0) {
        line_no++;
        if (blank(line, (size_t)got))
            continue;
        b.lines[b.n] = aif_strndup(line, (size_t)got);
        if (!b.lines[b.n]) {
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory reading line %zu", line_no);
            break;
        }
        b.lens[b.n] = (size_t)got;
        b.line_no[b.n] = line_no;
        b.n++;
        count++;
        if (b.n == BATCH_LINES && (rc = flush(&b, pool, out, err)))
            break;
    }
    free(line);
    if (rc == AIF_OK && ferror(in))
        rc = aif_err_set(err, AIF_EIO, "reading the input failed at line %zu", line_no);
    if (rc == AIF_OK)
        rc = flush(&b, pool, out, err);
done:
    if (b.lines)
        for (size_t i = 0; i < b.n; i++)
            aif_free(b.lines[i]);
    if (b.outs)
        for (size_t i = 0; i < BATCH_LINES; i++)
            aif_token_ids_release(&b.outs[i]);
    aif_free(b.lines);
    aif_free(b.lens);
    aif_free(b.line_no);
    aif_free(b.outs);
    aif_free(b.codes);
    aif_free(b.errs);
    if (n_lines)
        *n_lines = count;
    return rc;
}
