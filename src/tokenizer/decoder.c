/* decoder.c: the decode chain of the Rust library (ByteLevel, Metaspace,
 * ByteFallback, Fuse, Strip, Replace, BPEDecoder, WordPiece, Sequence) on a
 * flat list of token strings, and the transformers clean_up_tokenization.
 * Each step builds a new list and swaps it in; Strip only moves bounds. */
#include <string.h>

#include "aif/alloc.h"
#include "tok_int.h"

static int grow(aif_tk_strs *v)
{
    if (v->n < v->cap)
        return 0;
    size_t cap = v->cap ? v->cap * 2 : 64;
    size_t *o = aif_realloc(v->off, cap * sizeof *o);
    if (!o)
        return -1;
    v->off = o;
    size_t *l = aif_realloc(v->len, cap * sizeof *l);
    if (!l)
        return -1;
    v->len = l;
    v->cap = cap;
    return 0;
}

int aif_tk_strs_push(aif_tk_strs *v, const char *s, size_t n)
{
    if (grow(v))
        return -1;
    size_t off = v->text.n;
    if (aif_tk_buf_push(&v->text, s, n))
        return -1;
    v->off[v->n] = off;
    v->len[v->n++] = n;
    return 0;
}

/* Start a new token at the end of v->text; bytes appended to v->text
 * afterwards belong to it until the next begin. */
static int begin(aif_tk_strs *v)
{
    if (grow(v) || aif_tk_buf_reserve(&v->text, 1))
        return -1;
    v->off[v->n] = v->text.n;
    v->len[v->n++] = 0;
    return 0;
}

static int add(aif_tk_strs *v, const char *s, size_t n)
{
    if (aif_tk_buf_push(&v->text, s, n))
        return -1;
    v->len[v->n - 1] += n;
    return 0;
}

void aif_tk_strs_release(aif_tk_strs *v)
{
    aif_tk_buf_release(&v->text);
    aif_free(v->off);
    aif_free(v->len);
    memset(v, 0, sizeof *v);
}

static inline const char *tok_at(const aif_tk_strs *v, size_t i)
{
    return v->text.p + v->off[i];
}

static void swap_in(aif_tk_strs *v, aif_tk_strs *out)
{
    aif_tk_strs_release(v);
    *v = *out;
    memset(out, 0, sizeof *out);
}

static aif_code oom(aif_err *err)
{
    return aif_err_set(err, AIF_ENOMEM, "out of memory decoding");
}

/* GPT-2 chars back to bytes (a token with another char stays as it is),
 * then String::from_utf8_lossy: one string. */
static int bytelevel(aif_tk_strs *v)
{
    aif_tk_buf raw = {0};
    aif_tk_strs out = {0};
    if (aif_tk_buf_reserve(&raw, v->text.n + 1))
        return -1;
    for (size_t i = 0; i < v->n; i++) {
        const char *s = tok_at(v, i);
        size_t n = v->len[i], mark = raw.n, k = 0;
        while (k < n) {
            int32_t cp;
            k += (size_t)aif_tk_utf8_decode(s + k, n - k, &cp);
            int b = aif_tk_char_byte(cp);
            if (b < 0) {
                raw.n = mark;
                if (aif_tk_buf_push(&raw, s, n))
                    goto fail;
                break;
            }
            raw.p[raw.n++] = (char)b; /* at most one byte per char: fits the reservation */
        }
    }
    if (begin(&out) || aif_tk_utf8_lossy(raw.p, raw.n, &out.text))
        goto fail;
    out.len[0] = out.text.n;
    aif_tk_buf_release(&raw);
    swap_in(v, &out);
    return 0;
fail:
    aif_tk_buf_release(&raw);
    aif_tk_strs_release(&out);
    return -1;
}

static int metaspace(const aif_tk_dec *d, aif_tk_strs *v)
{
    aif_tk_strs out = {0};
    for (size_t i = 0; i < v->n; i++) {
        const char *s = tok_at(v, i);
        size_t n = v->len[i], k = 0;
        if (begin(&out))
            goto fail;
        while (k < n) {
            int32_t cp;
            int l = aif_tk_utf8_decode(s + k, n - k, &cp);
            if (cp == d->ch) {
                if (!(i == 0 && d->prepend) && add(&out, " ", 1))
                    goto fail;
            } else if (add(&out, s + k, (size_t)l)) {
                goto fail;
            }
            k += (size_t)l;
        }
    }
    swap_in(v, &out);
    return 0;
fail:
    aif_tk_strs_release(&out);
    return -1;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int flush_bytes(aif_tk_strs *out, aif_tk_buf *bytes)
{
    if (!bytes->n)
        return 0;
    int rc = 0;
    if (aif_tk_utf8_check(bytes->p, bytes->n) == bytes->n)
        rc = aif_tk_strs_push(out, bytes->p, bytes->n);
    else
        for (size_t i = 0; i < bytes->n && !rc; i++)
            rc = aif_tk_strs_push(out, "\xEF\xBF\xBD", 3);
    bytes->n = 0;
    return rc;
}

static int bytefallback(aif_tk_strs *v)
{
    aif_tk_strs out = {0};
    aif_tk_buf bytes = {0};
    int rc = 0;
    for (size_t i = 0; i < v->n && !rc; i++) {
        const char *s = tok_at(v, i);
        int b = -1;
        if (v->len[i] == 6 && !memcmp(s, "<0x", 3) && s[5] == '>') {
            int h = hexval(s[3]), l = hexval(s[4]);
            if (h >= 0 && l >= 0)
                b = h * 16 + l;
        }
        if (b >= 0) {
            unsigned char c = (unsigned char)b;
            rc = aif_tk_buf_push(&bytes, &c, 1);
        } else {
            rc = flush_bytes(&out, &bytes);
            if (!rc)
                rc = aif_tk_strs_push(&out, s, v->len[i]);
        }
    }
    if (!rc)
        rc = flush_bytes(&out, &bytes);
    aif_tk_buf_release(&bytes);
    if (rc) {
        aif_tk_strs_release(&out);
        return -1;
    }
    swap_in(v, &out);
    return 0;
}

static int fuse(aif_tk_strs *v)
{
    aif_tk_strs out = {0};
    if (begin(&out)) {
        aif_tk_strs_release(&out);
        return -1;
    }
    for (size_t i = 0; i < v->n; i++)
        if (add(&out, tok_at(v, i), v->len[i])) {
            aif_tk_strs_release(&out);
            return -1;
        }
    swap_in(v, &out);
    return 0;
}

static int strip(const aif_tk_dec *d, aif_tk_strs *v)
{
    char enc[4];
    size_t cl = (size_t)aif_tk_utf8_encode(d->ch, enc);
    for (size_t i = 0; i < v->n; i++) {
        const char *s = tok_at(v, i);
        size_t a = 0, b = v->len[i];
        for (int k = 0; k < d->start && a + cl <= b && !memcmp(s + a, enc, cl); k++)
            a += cl;
        for (int k = 0; k < d->stop && b >= a + cl && !memcmp(s + b - cl, enc, cl); k++)
            b -= cl;
        v->off[i] += a;
        v->len[i] = b - a;
    }
    return 0;
}

struct repl_ctx {
    const char *s;
    size_t prev;
    const aif_tk_dec *d;
    aif_tk_strs *out;
};

static int repl_cb(void *arg, size_t start, size_t end)
{
    struct repl_ctx *c = arg;
    if (add(c->out, c->s + c->prev, start - c->prev) || add(c->out, c->d->str, c->d->str_len))
        return -1;
    c->prev = end;
    return 0;
}

static int replace(const aif_tk_dec *d, aif_tk_strs *v)
{
    aif_tk_strs out = {0};
    for (size_t i = 0; i < v->n; i++) {
        const char *s = tok_at(v, i);
        size_t n = v->len[i];
        if (begin(&out))
            goto fail;
        if (d->pat) {
            /* a String pattern: non-overlapping occurrences, left to right */
            size_t k = 0, prev = 0;
            while (d->pat_len && k + d->pat_len <= n) {
                if (!memcmp(s + k, d->pat, d->pat_len)) {
                    if (add(&out, s + prev, k - prev) || add(&out, d->str, d->str_len))
                        goto fail;
                    k += d->pat_len;
                    prev = k;
                } else {
                    k++;
                }
            }
            if (add(&out, s + prev, n - prev))
                goto fail;
        } else {
            struct repl_ctx c = {s, 0, d, &out};
            if (aif_tk_regex_find_iter(d->re, s, n, repl_cb, &c) || add(&out, s + c.prev, n - c.prev))
                goto fail;
        }
    }
    swap_in(v, &out);
    return 0;
fail:
    aif_tk_strs_release(&out);
    return -1;
}

/* Python str.replace(a, b) in place; b is not longer than a and a starts
 * with a space (found with memchr). */
static size_t str_replace(char *s, size_t n, const char *a, const char *b)
{
    size_t al = strlen(a), bl = strlen(b), r = 0, w = 0;
    while (r < n) {
        const char *sp = memchr(s + r, a[0], n - r);
        size_t next = sp ? (size_t)(sp - s) : n;
        if (next > r) {
            if (w != r)
                memmove(s + w, s + r, next - r);
            w += next - r;
            r = next;
        }
        if (r >= n)
            break;
        if (r + al <= n && !memcmp(s + r, a, al)) {
            memmove(s + w, b, bl);
            w += bl;
            r += al;
        } else {
            s[w++] = s[r++];
        }
    }
    if (w < n)
        s[w] = 0;
    return w;
}

size_t aif_tk_clean_up_spaces(char *s, size_t n)
{
    static const char *const rules[][2] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
        {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
    };
    if (!memchr(s, ' ', n))
        return n;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        n = str_replace(s, n, rules[i][0], rules[i][1]);
    return n;
}

static int bpe_dec(const aif_tk_dec *d, aif_tk_strs *v)
{
    aif_tk_strs out = {0};
    for (size_t i = 0; i < v->n; i++) {
        const char *s = tok_at(v, i);
        size_t n = v->len[i], k = 0;
        const char *rep = i + 1 == v->n ? "" : " ";
        if (begin(&out))
            goto fail;
        while (k < n) {
            if (d->str_len && k + d->str_len <= n && !memcmp(s + k, d->str, d->str_len)) {
                if (add(&out, rep, strlen(rep)))
                    goto fail;
                k += d->str_len;
            } else if (add(&out, s + k++, 1)) {
                goto fail;
            }
        }
    }
    swap_in(v, &out);
    return 0;
fail:
    aif_tk_strs_release(&out);
    return -1;
}

static int wordpiece(const aif_tk_dec *d, aif_tk_strs *v)
{
    aif_tk_strs out = {0};
    for (size_t i = 0; i < v->n; i++) {
        const char *s = tok_at(v, i);
        size_t n = v->len[i];
        if (begin(&out))
            goto fail;
        int rc;
        if (i != 0) {
            if (n >= d->str_len && !memcmp(s, d->str, d->str_len))
                rc = add(&out, s + d->str_len, n - d->str_len);
            else
                rc = add(&out, " ", 1) || add(&out, s, n);
        } else {
            rc = add(&out, s, n);
        }
        if (rc)
            goto fail;
        if (d->cleanup) {
            char *t = out.text.p + out.off[i];
            size_t tl = aif_tk_clean_up_spaces(t, out.len[i]);
            tl = str_replace(t, tl, " do not", " don't");
            out.text.n = out.off[i] + tl;
            out.len[i] = tl;
        }
    }
    swap_in(v, &out);
    return 0;
fail:
    aif_tk_strs_release(&out);
    return -1;
}

aif_code aif_tk_dec_apply(const aif_tk_dec *d, aif_tk_strs *v, aif_err *err)
{
    int rc = 0;
    switch (d->type) {
    case DEC_SEQUENCE:
        for (size_t i = 0; i < d->n_sub; i++) {
            aif_code c = aif_tk_dec_apply(&d->sub[i], v, err);
            if (c)
                return c;
        }
        return AIF_OK;
    case DEC_BYTELEVEL: rc = v->n ? bytelevel(v) : 0; break;
    case DEC_METASPACE: rc = metaspace(d, v); break;
    case DEC_BYTEFALLBACK: rc = bytefallback(v); break;
    case DEC_FUSE: rc = fuse(v); break;
    case DEC_STRIP: rc = strip(d, v); break;
    case DEC_REPLACE: rc = replace(d, v); break;
    case DEC_BPE: rc = bpe_dec(d, v); break;
    case DEC_WORDPIECE: rc = wordpiece(d, v); break;
    }
    return rc ? oom(err) : AIF_OK;
}

static void dec_clear(aif_tk_dec *d)
{
    for (size_t i = 0; i < d->n_sub; i++)
        dec_clear(&d->sub[i]);
    aif_free(d->sub);
    aif_free(d->str);
    aif_free(d->pat);
    aif_tk_regex_free(d->re);
}

void aif_tk_dec_free(aif_tk_dec *d)
{
    if (!d)
        return;
    dec_clear(d);
    aif_free(d);
}
