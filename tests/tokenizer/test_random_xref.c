/* test_random_xref.c: the C tokenizer against Hugging Face `tokenizers`
 * (Rust 0.22.2 through npm @anush008/tokenizers@0.6.0) on random strings.
 *
 * The vectors tests/vectors/tokenizer/<family>_random.jsonl and
 * <family>_split_special.jsonl were written by tests/xref/tokenizer/gen.js
 * (see its header): 400 (resp. 80) seeded random strings per family, mixed
 * scripts, emoji, combining marks, whitespace and digit runs, contractions,
 * code, LaTeX, zero-width and control characters, special-token text. Each
 * record holds the reference library's outputs:
 *   ids                  encode(text, add_special_tokens=false)
 *   ids_with_special     encode(text, add_special_tokens=true)
 *   decoded              decode(ids, skip_special_tokens=false)
 *   decoded_skip_special decode(ids_with_special, skip_special_tokens=true)
 * The split_special files are the same with split_special_tokens (special
 * added tokens encoded as plain text: AIF_TOK_SPLIT_SPECIAL). The
 * decode_random files hold 150 random id sequences each (byte tokens that
 * are not valid UTF-8 alone, added tokens anywhere) with the reference's
 * decode(ids, skip_special false / true). The random vectors are also
 * encoded by 4 threads at once on the shared tokenizer (its documented
 * thread safety; the word cache is shared). The datasets files name real
 * documents of ../shared/testdata/datasets/ (all of arxiv.jsonl, every 8th
 * line of stackexchange.jsonl and reasoning.jsonl) with the reference's id
 * count and SHA-256 prefix of the ids.
 *
 * For every family the tokenizer is loaded from the directory
 * ../shared/testdata/tokenizers/<family>/ (so tokenizer_config.json is read
 * too) and all four outputs must agree exactly. Each test prints
 * "<family>: N/M agree" and details of the first few disagreements.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/pool.h"
#include "aif/tokenizer.h"
#include "harness.h"

#ifndef SHOW_MISMATCHES
#define SHOW_MISMATCHES 3
#endif

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t k = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 && s[0] < 0xf0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
    if (!k || k > n) return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (k == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))) return 0;
    if (k == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))) return 0;
    return k;
}

/* Print s (n bytes) as a C-like escaped string, at most max bytes of it;
 * control characters and bytes that are not valid UTF-8 as \xNN. */
static void put_escaped(FILE *f, const char *s, size_t n, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    fputc('"', f);
    for (size_t i = 0; i < n && i < max; i++) {
        unsigned char c = u[i];
        size_t k;
        if (c == '\n') fputs("\\n", f);
        else if (c == '\r') fputs("\\r", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20 || c == 0x7f) fprintf(f, "\\x%02x", c);
        else if (c < 0x80) fputc(c, f);
        else if ((k = utf8_len(u + i, n - i)) != 0) {
            fwrite(u + i, 1, k, f);
            i += k - 1;
        } else {
            fprintf(f, "\\x%02x", c);
        }
    }
    fputc('"', f);
    if (n > max) fprintf(f, "... (%zu bytes)", n);
}

static void put_token(FILE *f, const aif_tokenizer *tok, long long id)
{
    const char *t = (id >= 0 && id <= INT32_MAX) ? aif_tokenizer_id_to_token(tok, (int32_t)id) : NULL;
    fprintf(f, "%lld", id);
    if (t) {
        fputc('=', f);
        put_escaped(f, t, strlen(t), 40);
    }
}

/* Print ids[from, to) with their token strings. */
static void put_ids(FILE *f, const aif_tokenizer *tok, const long long *ids, size_t n, size_t from, size_t to)
{
    if (from > 0) fputs("... ", f);
    for (size_t i = from; i < to && i < n; i++) {
        put_token(f, tok, ids[i]);
        fputc(' ', f);
    }
    if (to < n) fputs("...", f);
    fprintf(f, "(%zu ids)", n);
}

/* Compare expected JSON id array with got; on mismatch print a diff. */
static int ids_agree(const aif_tokenizer *tok, const char *what, const json_t *want, const aif_token_ids *got,
                     int verbose)
{
    size_t n = json_array_size(want);
    long long *w = calloc(n + 1, sizeof *w), *g = calloc(got->n + 1, sizeof *g);
    if (!w || !g) {
        free(w);
        free(g);
        return 0;
    }
    for (size_t i = 0; i < n; i++) w[i] = json_integer_value(json_array_get(want, i));
    for (size_t i = 0; i < got->n; i++) g[i] = got->v[i];
    size_t k = 0;
    while (k < n && k < got->n && w[k] == g[k]) k++;
    int same = (k == n && k == got->n);
    if (!same && verbose) {
        size_t from = k > 3 ? k - 3 : 0;
        fprintf(stderr, "    %s: first difference at id index %zu\n      want: ", what, k);
        put_ids(stderr, tok, w, n, from, k + 5);
        fputs("\n      got:  ", stderr);
        put_ids(stderr, tok, g, got->n, from, k + 5);
        fputc('\n', stderr);
    }
    free(w);
    free(g);
    return same;
}

static int text_agree(const char *what, const json_t *want, const char *got, size_t got_len, int verbose)
{
    const char *w = json_string_value(want);
    size_t wn = json_string_length(want);
    if (w && got && wn == got_len && !memcmp(w, got, wn)) return 1;
    if (verbose) {
        size_t k = 0;
        while (w && got && k < wn && k < got_len && w[k] == got[k]) k++;
        size_t from = k > 16 ? k - 16 : 0;
        fprintf(stderr, "    %s: first difference at byte %zu (want %zu bytes, got %zu)\n      want: ", what, k, wn,
                got_len);
        if (w) put_escaped(stderr, w + from, wn - from, 60);
        fputs("\n      got:  ", stderr);
        if (got) put_escaped(stderr, got + from, got_len > from ? got_len - from : 0, 60);
        else fputs("(error)", stderr);
        fputc('\n', stderr);
    }
    return 0;
}

/* One vector record; returns 0 if all four outputs agree, else a mask of
 * those that do not: 1 ids, 2 ids_with_special, 4 decoded, 8
 * decoded_skip_special (16: bad record). verbose: print why. */
static int check_record(const aif_tokenizer *tok, const json_t *rec, unsigned extra, int verbose, size_t line)
{
    const json_t *jt = json_object_get(rec, "text"), *jids = json_object_get(rec, "ids"),
                 *jids_s = json_object_get(rec, "ids_with_special"), *jdec = json_object_get(rec, "decoded"),
                 *jdec_s = json_object_get(rec, "decoded_skip_special");
    if (!json_is_string(jt) || !json_is_array(jids) || !json_is_array(jids_s) || !json_is_string(jdec) ||
        !json_is_string(jdec_s)) {
        fprintf(stderr, "  line %zu: malformed vector record\n", line);
        return 16;
    }
    const char *text = json_string_value(jt);
    size_t len = json_string_length(jt);
    if (verbose) {
        fprintf(stderr, "  line %zu: text ", line);
        put_escaped(stderr, text, len, 160);
        fputc('\n', stderr);
    }
    int bad = 0;
    aif_err err = {0};
    aif_token_ids ids = {0}, ids_s = {0};
    char *dec = NULL, *dec_s = NULL;
    size_t dec_n = 0, dec_s_n = 0;

    if (aif_tokenizer_encode(tok, text, len, extra, &ids, &err) != AIF_OK) {
        if (verbose) fprintf(stderr, "    ids: encode failed: %s\n", err.msg);
        bad |= 1;
    } else if (!ids_agree(tok, "ids", jids, &ids, verbose)) {
        bad |= 1;
    }
    if (aif_tokenizer_encode(tok, text, len, extra | AIF_TOK_ADD_SPECIAL, &ids_s, &err) != AIF_OK) {
        if (verbose) fprintf(stderr, "    ids_with_special: encode failed: %s\n", err.msg);
        bad |= 2;
    } else if (!ids_agree(tok, "ids_with_special", jids_s, &ids_s, verbose)) {
        bad |= 2;
    }

    /* Decode the reference ids, so that a decode check does not depend on
     * the encoder being right. */
    size_t n = json_array_size(jids), n_s = json_array_size(jids_s);
    int32_t *v = malloc((n + 1) * sizeof *v), *v_s = malloc((n_s + 1) * sizeof *v_s);
    if (!v || !v_s) {
        bad |= 16;
        goto out;
    }
    for (size_t i = 0; i < n; i++) v[i] = (int32_t)json_integer_value(json_array_get(jids, i));
    for (size_t i = 0; i < n_s; i++) v_s[i] = (int32_t)json_integer_value(json_array_get(jids_s, i));
    if (aif_tokenizer_decode(tok, v, n, 0, &dec, &dec_n, &err) != AIF_OK) {
        if (verbose) fprintf(stderr, "    decoded: decode failed: %s\n", err.msg);
        bad |= 4;
    } else if (!text_agree("decoded", jdec, dec, dec_n, verbose)) {
        bad |= 4;
    }
    if (aif_tokenizer_decode(tok, v_s, n_s, AIF_TOK_SKIP_SPECIAL, &dec_s, &dec_s_n, &err) != AIF_OK) {
        if (verbose) fprintf(stderr, "    decoded_skip_special: decode failed: %s\n", err.msg);
        bad |= 8;
    } else if (!text_agree("decoded_skip_special", jdec_s, dec_s, dec_s_n, verbose)) {
        bad |= 8;
    }
out:
    free(v);
    free(v_s);
    aif_free(dec);
    aif_free(dec_s);
    aif_token_ids_release(&ids);
    aif_token_ids_release(&ids_s);
    return bad;
}

/* Runs every record of one vector file; returns the number that agree, or -1
 * if the file cannot be read. *total gets the number of records, by_kind[k]
 * the number of records where output bit k of check_record disagrees. */
static long run_file(const aif_tokenizer *tok, const char *family, const char *path, unsigned extra, size_t *total,
                     long by_kind[5])
{
    FILE *f = fopen(path, "rb");
    *total = 0;
    if (!f) {
        fprintf(stderr, "  %s: cannot open %s\n", family, path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t got;
    long agree = 0, shown = 0;
    while ((got = getline(&line, &cap, f)) > 0) {
        lineno++;
        json_error_t je;
        json_t *rec = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &je);
        if (!rec) {
            fprintf(stderr, "  %s:%zu: bad JSON: %s\n", path, lineno, je.text);
            (*total)++;
            continue;
        }
        if (lineno == 1 && json_object_get(rec, "source")) { /* provenance line */
            json_decref(rec);
            continue;
        }
        (*total)++;
        int bad = check_record(tok, rec, extra, 0, lineno);
        for (int k = 0; k < 5; k++)
            if (bad & (1 << k)) by_kind[k]++;
        if (!bad) {
            agree++;
        } else if (shown < SHOW_MISMATCHES) {
            shown++;
            fprintf(stderr, "  %s: mismatch %ld:\n", family, shown);
            check_record(tok, rec, extra, 1, lineno);
        }
        json_decref(rec);
    }
    free(line);
    fclose(f);
    return agree;
}

/* <family>_decode_random.jsonl: decode random id sequences (byte tokens
 * that are not valid UTF-8 on their own, added tokens anywhere); returns the
 * number of records whose two decodings agree, -1 if unreadable. */
static long run_decode_file(const aif_tokenizer *tok, const char *family, const char *path, size_t *total)
{
    FILE *f = fopen(path, "rb");
    *total = 0;
    if (!f) {
        fprintf(stderr, "  %s: cannot open %s\n", family, path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t got;
    long agree = 0, shown = 0;
    while ((got = getline(&line, &cap, f)) > 0) {
        lineno++;
        json_error_t je;
        json_t *rec = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &je);
        if (lineno == 1 && rec && json_object_get(rec, "source")) {
            json_decref(rec);
            continue;
        }
        (*total)++;
        const json_t *jids = rec ? json_object_get(rec, "ids") : NULL;
        const json_t *want[2] = {rec ? json_object_get(rec, "decoded") : NULL,
                                 rec ? json_object_get(rec, "decoded_skip_special") : NULL};
        size_t n = json_array_size(jids);
        int32_t *v = malloc((n + 1) * sizeof *v);
        if (!json_is_array(jids) || !json_is_string(want[0]) || !json_is_string(want[1]) || !v) {
            fprintf(stderr, "  %s:%zu: malformed vector record\n", path, lineno);
            free(v);
            json_decref(rec);
            continue;
        }
        for (size_t i = 0; i < n; i++) v[i] = (int32_t)json_integer_value(json_array_get(jids, i));
        int ok = 1;
        char *dec[2] = {NULL, NULL};
        size_t dec_n[2] = {0, 0};
        aif_err err[2] = {{0}, {0}};
        for (int k = 0; k < 2; k++) {
            if (aif_tokenizer_decode(tok, v, n, k ? AIF_TOK_SKIP_SPECIAL : 0, &dec[k], &dec_n[k], &err[k]) != AIF_OK)
                ok = 0;
            else if (!text_agree("", want[k], dec[k], dec_n[k], 0))
                ok = 0;
        }
        if (ok) {
            agree++;
        } else if (shown++ < SHOW_MISMATCHES) {
            long long *w = malloc((n + 1) * sizeof *w);
            fprintf(stderr, "  %s: decode mismatch %ld: line %zu: ids ", family, shown, lineno);
            if (w) {
                for (size_t i = 0; i < n; i++) w[i] = v[i];
                put_ids(stderr, tok, w, n, 0, 12);
            }
            fputc('\n', stderr);
            free(w);
            for (int k = 0; k < 2; k++) {
                const char *what = k ? "decoded_skip_special" : "decoded";
                if (!dec[k]) fprintf(stderr, "    %s: decode failed: %s\n", what, err[k].msg);
                else text_agree(what, want[k], dec[k], dec_n[k], 1);
            }
        }
        aif_free(dec[0]);
        aif_free(dec[1]);
        free(v);
        json_decref(rec);
    }
    free(line);
    fclose(f);
    return agree;
}

/* The same random vectors encoded concurrently by 4 threads sharing one
 * tokenizer (twice: the first round fills the word cache from all threads at
 * once, the second reads it); returns the number of (record, round) pairs
 * whose ids agree, *total the number checked. */
typedef struct mt_job {
    const aif_tokenizer *tok;
    json_t **recs;
    size_t n;
    int *ok;
} mt_job;

static void mt_encode(void *arg, int ith, int nth)
{
    mt_job *j = arg;
    aif_token_ids ids = {0};
    aif_err err = {0};
    for (size_t i = (size_t)ith; i < j->n; i += (size_t)nth) {
        const json_t *jt = json_object_get(j->recs[i], "text"), *want = json_object_get(j->recs[i], "ids");
        ids.n = 0;
        int ok = aif_tokenizer_encode(j->tok, json_string_value(jt), json_string_length(jt), 0, &ids, &err) == AIF_OK &&
                 ids.n == json_array_size(want);
        for (size_t k = 0; ok && k < ids.n; k++)
            ok = ids.v[k] == json_integer_value(json_array_get(want, k));
        j->ok[i] = ok;
    }
    aif_token_ids_release(&ids);
}

static long run_threads(const aif_tokenizer *tok, const char *path, size_t *total)
{
    *total = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    json_t **recs = NULL;
    size_t n = 0, cap = 0, lcap = 0;
    char *line = NULL;
    ssize_t got;
    while ((got = getline(&line, &lcap, f)) > 0) {
        json_error_t je;
        json_t *rec = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &je);
        if (!json_is_string(json_object_get(rec, "text")) || !json_is_array(json_object_get(rec, "ids"))) {
            json_decref(rec);
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            json_t **r = realloc(recs, cap * sizeof *r);
            if (!r) {
                json_decref(rec);
                break;
            }
            recs = r;
        }
        recs[n++] = rec;
    }
    free(line);
    fclose(f);
    long agree = -1;
    aif_err err = {0};
    aif_pool *pool = NULL;
    int *ok = calloc(n + 1, sizeof *ok);
    if (ok && aif_pool_new(4, &pool, &err) == AIF_OK) {
        agree = 0;
        for (int round = 0; round < 2; round++) {
            mt_job j = {.tok = tok, .recs = recs, .n = n, .ok = ok};
            aif_pool_run(pool, mt_encode, &j);
            for (size_t i = 0; i < n; i++) agree += ok[i];
            *total += n;
        }
        aif_pool_free(pool);
    }
    free(ok);
    for (size_t i = 0; i < n; i++) json_decref(recs[i]);
    free(recs);
    return agree;
}

/* <family>_datasets.jsonl: real documents of ../shared/testdata/datasets/
 * given by file and line, with the reference's id count and the first 16 hex
 * digits of the SHA-256 of its ids as little-endian uint32. Returns the
 * number of documents that agree, -1 if the vector file is unreadable. */
typedef struct doc_lines {
    char name[64];
    char **v;
    size_t n;
} doc_lines;

static void doc_lines_free(doc_lines *d)
{
    for (size_t i = 0; i < d->n; i++) free(d->v[i]);
    free(d->v);
    memset(d, 0, sizeof *d);
}

static const char *doc_line(doc_lines *cache, size_t n_cache, const char *file, size_t line)
{
    doc_lines *d = NULL;
    for (size_t i = 0; i < n_cache && !d; i++)
        if (!strcmp(cache[i].name, file) || !cache[i].name[0]) d = &cache[i];
    if (!d) return NULL;
    if (!d->name[0]) {
        char rel[128];
        snprintf(d->name, sizeof d->name, "%s", file);
        snprintf(rel, sizeof rel, "datasets/%s", file);
        FILE *f = fopen(aif_test_path(rel), "rb");
        if (!f) return NULL;
        char *l = NULL;
        size_t cap = 0;
        ssize_t got;
        while ((got = getline(&l, &cap, f)) > 0) {
            char **v = realloc(d->v, (d->n + 1) * sizeof *v);
            if (!v) break;
            d->v = v;
            d->v[d->n++] = l;
            l = NULL;
            cap = 0;
        }
        free(l);
        fclose(f);
    }
    return line >= 1 && line <= d->n ? d->v[line - 1] : NULL;
}

static long run_datasets_file(const aif_tokenizer *tok, const char *family, const char *path, size_t *total)
{
    FILE *f = fopen(path, "rb");
    *total = 0;
    if (!f) {
        fprintf(stderr, "  %s: cannot open %s\n", family, path);
        return -1;
    }
    doc_lines cache[4];
    memset(cache, 0, sizeof cache);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t got;
    long agree = 0, shown = 0;
    aif_token_ids ids = {0};
    while ((got = getline(&line, &cap, f)) > 0) {
        lineno++;
        json_error_t je;
        json_t *rec = json_loadb(line, (size_t)got, 0, &je);
        if (lineno == 1 && rec && json_object_get(rec, "source")) {
            json_decref(rec);
            continue;
        }
        (*total)++;
        const char *file = json_string_value(json_object_get(rec, "f"));
        const char *want_h = json_string_value(json_object_get(rec, "h"));
        long long want_n = json_integer_value(json_object_get(rec, "n"));
        size_t l = (size_t)json_integer_value(json_object_get(rec, "l"));
        const char *doc = file ? doc_line(cache, 4, file, l) : NULL;
        json_t *jd = doc ? json_loads(doc, 0, &je) : NULL;
        const json_t *jt = json_object_get(jd, "text");
        char hex[2 * AIF_SHA256_BYTES + 1] = "";
        aif_err err = {0};
        ids.n = 0;
        int ok = want_h && json_is_string(jt) &&
                 aif_tokenizer_encode(tok, json_string_value(jt), json_string_length(jt), 0, &ids, &err) == AIF_OK;
        if (ok) {
            aif_sha256 h;
            uint8_t md[AIF_SHA256_BYTES];
            aif_sha256_init(&h);
            for (size_t i = 0; i < ids.n; i++) {
                uint32_t v = (uint32_t)ids.v[i];
                uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
                aif_sha256_update(&h, le, 4);
            }
            aif_sha256_final(&h, md);
            for (int i = 0; i < AIF_SHA256_BYTES; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
            ok = (long long)ids.n == want_n && !strncmp(hex, want_h, strlen(want_h)) && strlen(want_h) >= 16;
        }
        if (ok) {
            agree++;
        } else if (shown++ < SHOW_MISMATCHES) {
            fprintf(stderr, "  %s: datasets mismatch: %s line %zu: want %lld ids (sha256 %s...), got %zu ids (%.16s...)%s%s\n",
                    family, file ? file : "?", l, want_n, want_h ? want_h : "?", ids.n, hex, err.msg[0] ? ": " : "",
                    err.msg);
        }
        json_decref(jd);
        json_decref(rec);
    }
    aif_token_ids_release(&ids);
    for (int i = 0; i < 4; i++) doc_lines_free(&cache[i]);
    free(line);
    fclose(f);
    return agree;
}

static void xref_family(const char *family)
{
    char rel[256], vec[256];
    aif_err err = {0};
    aif_tokenizer *tok = NULL;
    snprintf(rel, sizeof rel, "tokenizers/%s", family);
    CHECK_OK(aif_tokenizer_load(aif_test_path(rel), &tok, &err), err);
    if (!tok) return;

    /* First, while the word cache is empty: 4 threads fill it at once. */
    size_t mt_total = 0;
    snprintf(vec, sizeof vec, "tests/vectors/tokenizer/%s_random.jsonl", family);
    long agree_mt = run_threads(tok, vec, &mt_total);
    fprintf(stderr, "  %s random, 4 threads sharing the tokenizer, 2 rounds: %ld/%zu agree\n", family,
            agree_mt < 0 ? 0 : agree_mt, mt_total);
    CHECK(mt_total >= 800);
    CHECK_EQ(agree_mt, (long long)mt_total);

    static const struct {
        const char *suffix;
        unsigned flags;
    } files[] = {{"random", 0}, {"split_special", AIF_TOK_SPLIT_SPECIAL}, {"unicode16", 0}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t total = 0;
        snprintf(vec, sizeof vec, "tests/vectors/tokenizer/%s_%s.jsonl", family, files[i].suffix);
        long by_kind[5] = {0};
        long agree = run_file(tok, family, vec, files[i].flags, &total, by_kind);
        fprintf(stderr,
                "  %s %s: %ld/%zu agree (disagreeing: ids %ld, ids_with_special %ld, decoded %ld, "
                "decoded_skip_special %ld, bad records %ld)\n",
                family, files[i].suffix, agree < 0 ? 0 : agree, total, by_kind[0], by_kind[1], by_kind[2], by_kind[3],
                by_kind[4]);
        CHECK(total >= 80); /* the file is there and whole */
        CHECK_EQ(agree, (long long)total);
    }
    size_t total = 0;
    snprintf(vec, sizeof vec, "tests/vectors/tokenizer/%s_decode_random.jsonl", family);
    long agree = run_decode_file(tok, family, vec, &total);
    fprintf(stderr, "  %s decode_random: %ld/%zu agree\n", family, agree < 0 ? 0 : agree, total);
    CHECK(total >= 100);
    CHECK_EQ(agree, (long long)total);

    snprintf(vec, sizeof vec, "tests/vectors/tokenizer/%s_datasets.jsonl", family);
    agree = run_datasets_file(tok, family, vec, &total);
    fprintf(stderr, "  %s datasets (arXiv, StackExchange, reasoning documents): %ld/%zu agree\n", family,
            agree < 0 ? 0 : agree, total);
    CHECK(total >= 80);
    CHECK_EQ(agree, (long long)total);
    aif_tokenizer_free(tok);
}

static void test_cl100k(void) { xref_family("gpt4-cl100k"); }
static void test_llama3(void) { xref_family("llama3"); }
static void test_qwen25(void) { xref_family("qwen2.5"); }
static void test_qwen3(void) { xref_family("qwen3"); }
static void test_deepseek_v3(void) { xref_family("deepseek-v3"); }
static void test_mistral(void) { xref_family("mistral-7b-spm-bpe"); }

AIF_TESTS(tokenizer_random_xref) = {
    {"tokenizer/random_xref_gpt4_cl100k", test_cl100k},
    {"tokenizer/random_xref_llama3", test_llama3},
    {"tokenizer/random_xref_qwen2_5", test_qwen25},
    {"tokenizer/random_xref_qwen3", test_qwen3},
    {"tokenizer/random_xref_deepseek_v3", test_deepseek_v3},
    {"tokenizer/random_xref_mistral_7b_spm_bpe", test_mistral},
    {NULL, NULL},
};
