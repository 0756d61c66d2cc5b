/* decoder.c: the decode chain of the Rust library (ByteLevel, Metaspace,
 * ByteFallback, Fuse, Strip, Replace, BPEDecoder, WordPiece, Sequence) on a
 * list of token strings, and the transformers clean_up_tokenization. */
#include <string.h>

#include "aif/alloc.h"
#include "tok_int.h"

int aif_tk_strs_push(aif_tk_strs *v, const char *s, size_t n)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        char **ns = aif_realloc(v->s, cap * sizeof *ns);
        if (!ns)
            return -1;
        v->s = ns;
        size_t *nl = aif_realloc(v->len, cap * sizeof *nl);
        if (!nl)
            return -1;
        v->len = nl;
        v->cap = cap;
    }
    char *c = aif_malloc(n + 1);
    if (!c)
        return -1;
    memcpy(c, s, n);
    c[n] = 0;
    v->s[v->n] = c;
    v->len[v->n++] = n;
    return 0;
}

void aif_tk_strs_release(aif_tk_strs *v)
{
    for (size_t i = 0; i < v->n; i++)
        aif_free(v->s[i]);
    aif_free(v->s);
    aif_free(v->len);
    memset(v, 0, sizeof *v);
}

/* Replace token i by the content of b (b is left empty). */
static int take(aif_tk_strs *v, size_t i, aif_tk_buf *b)
{
    if (!b->p && aif_tk_buf_push(b, "", 0))
        return -1;
    aif_free(v->s[i]);
    v->s[i] = b->p;
    v->len[i] = b->n;
    memset(b, 0, sizeof *b);
    return 0;
}

static aif_code oom(aif_err *err)
{
    return aif_err_set(err, AIF_ENOMEM, "out of memory decoding");
}

static int bytelevel(aif_tk_strs *v)
{
    aif_tk_buf raw = {0}, out = {0};
    for (size_t i = 0; i < v->n; i++) {
        const char *s = v->s[i];
        size_t n = v->len[i], mark = raw.n, k = 0;
        int ok = 1;
        while (k < n) {
            int32_t cp;
            k += (size_t)aif_tk_utf8_decode(s + k, n - k, &cp);
            int b = aif_tk_char_byte(cp);
            if (b < 0) {
                ok = 0;
                break;
            }
            unsigned char c = (unsigned char)b;
            if (aif_tk_buf_push(&raw, &c, 1))
                goto fail;
        }
        if (!ok) {
            raw.n = mark;
            if (aif_tk_buf_push(&raw, s, n))
                goto fail;
        }
    }
    if (aif_tk_utf8_lossy(raw.p ? raw.p : "", raw.n, &out))
        goto fail;
    aif_tk_buf_release(&raw);
    for (size_t i = 0; i < v->n; i++)
        aif_free(v->s[i]);
    v->n = 0;
    if (!out.p && aif_tk_buf_push(&out, "", 0))
        goto fail;
    v->s[0] = out.p;
    v->len[0] = out.n;
    v->n = 1;
    return 0;
fail:
    aif_tk_buf_release(&raw);
    aif_tk_buf_release(&out);
    return -1;
}

static int metaspace(const aif_tk_dec *d, aif_tk_strs *v)
{
    for (size_t i = 0; i < v->n; i++) {
        aif_tk_buf b = {0};
        const char *s = v->s[i];
        size_t n = v->len[i], k = 0;
        if (aif_tk_buf_push(&b, "", 0))
            return -1;
        while (k < n) {
            int32_t cp;
            int l = aif_tk_utf8_decode(s + k, n - k, &cp);
            if (cp == d->ch) {
                if (!(i == 0 && d->prepend) && aif_tk_buf_push(&b, " ", 1))
                    goto fail;
            } else if (aif_tk_buf_push(&b, s + k, (size_t)l)) {
                goto fail;
            }
            k += (size_t)l;
            continue;
        fail:
            aif_tk_buf_release(&b);
            return -1;
        }
        take(v, i, &b);
    }
    return 0;
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
        const char *s = v->s[i];
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
    aif_tk_strs_release(v);
    *v = out;
    return 0;
}

static int fuse(aif_tk_strs *v)
{
    aif_tk_buf b = {0};
    if (aif_tk_buf_push(&b, "", 0))
        return -1;
    for (size_t i = 0; i < v->n; i++)
        if (aif_tk_buf_push(&b, v->s[i], v->len[i])) {
            aif_tk_buf_release(&b);
            return -1;
        }
    for (size_t i = 0; i < v->n; i++)
        aif_free(v->s[i]);
    if (!v->cap) {
        aif_tk_buf_release(&b);
        return aif_tk_strs_push(v, "", 0);
    }
    v->s[0] = b.p;
    v->len[0] = b.n;
    v->n = 1;
    return 0;
}

static int strip(const aif_tk_dec *d, aif_tk_strs *v)
{
    char enc[4];
    size_t cl = (size_t)aif_tk_utf8_encode(d->ch, enc);
    for (size_t i = 0; i < v->n; i++) {
        char *s = v->s[i];
        size_t a = 0, b = v->len[i];
        for (int k = 0; k < d->start && a + cl <= b && !memcmp(s + a, enc, cl); k++)
            a += cl;
        for (int k = 0; k < d->stop && b >= a + cl && !memcmp(s + b - cl, enc, cl); k++)
            b -= cl;
        memmove(s, s + a, b - a);
        s[b - a] = 0;
        v->len[i] = b - a;
    }
    return 0;
}

struct repl_ctx {
    const char *s;
    size_t prev;
    const char *rep;
    size_t rep_len;
    aif_tk_buf *out;
};

static int repl_cb(void *arg, size_t start, size_t end)
{
    struct repl_ctx *c = arg;
    if (aif_tk_buf_push(c->out, c->s + c->prev, start - c->prev) || aif_tk_buf_push(c->out, c->rep, c->rep_len))
        return -1;
    c->prev = end;
    return 0;
}

static int replace(const aif_tk_dec *d, aif_tk_strs *v)
{
    for (size_t i = 0; i < v->n; i++) {
        aif_tk_buf b = {0};
        struct repl_ctx c = {v->s[i], 0, d->str, d->str_len, &b};
        if (aif_tk_buf_push(&b, "", 0) || aif_tk_regex_find_iter(d->re, v->s[i], v->len[i], repl_cb, &c) ||
            aif_tk_buf_push(&b, v->s[i] + c.prev, v->len[i] - c.prev)) {
            aif_tk_buf_release(&b);
            return -1;
        }
        take(v, i, &b);
    }
    return 0;
}

/* Python str.replace(a, b) in place; b is not longer than a. */
static size_t str_replace(char *s, size_t n, const char *a, const char *b)
{
    size_t al = strlen(a), bl = strlen(b), r = 0, w = 0;
    while (r < n) {
        if (r + al <= n && !memcmp(s + r, a, al)) {
            memmove(s + w, b, bl);
            w += bl;
            r += al;
        } else {
            s[w++] = s[r++];
        }
    }
    s[w] = 0;
    return w;
}

size_t aif_tk_clean_up_spaces(char *s, size_t n)
{
    static const char *const rules[][2] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
        {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        n = str_replace(s, n, rules[i][0], rules[i][1]);
    return n;
}

static int bpe_dec(const aif_tk_dec *d, aif_tk_strs *v)
{
    for (size_t i = 0; i < v->n; i++) {
        aif_tk_buf b = {0};
        const char *s = v->s[i];
        size_t n = v->len[i], k = 0;
        const char *rep = i + 1 == v->n ? "" : " ";
        if (aif_tk_buf_push(&b, "", 0))
            return -1;
        while (k < n) {
            if (d->str_len && k + d->str_len <= n && !memcmp(s + k, d->str, d->str_len)) {
                if (aif_tk_buf_push(&b, rep, strlen(rep)))
                    goto fail;
                k += d->str_len;
            } else if (aif_tk_buf_push(&b, s + k++, 1)) {
                goto fail;
            }
            continue;
        fail:
            aif_tk_buf_release(&b);
            return -1;
        }
        take(v, i, &b);
    }
    return 0;
}

static int wordpiece(const aif_tk_dec *d, aif_tk_strs *v)
{
    for (size_t i = 0; i < v->n; i++) {
        aif_tk_buf b = {0};
        const char *s = v->s[i];
        size_t n = v->len[i];
        int rc = 0;
        if (i != 0) {
            if (n >= d->str_len && !memcmp(s, d->str, d->str_len))
                rc = aif_tk_buf_push(&b, s + d->str_len, n - d->str_len);
            else
                rc = aif_tk_buf_push(&b, " ", 1) || aif_tk_buf_push(&b, s, n);
        } else {
            rc = aif_tk_buf_push(&b, s, n);
        }
        if (rc) {
            aif_tk_buf_release(&b);
            return -1;
        }
        if (d->cleanup) {
            b.n = aif_tk_clean_up_spaces(b.p, b.n);
            b.n = str_replace(b.p, b.n, " do not", " don't");
        }
        take(v, i, &b);
    }
    return 0;
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
    aif_tk_regex_free(d->re);
}

void aif_tk_dec_free(aif_tk_dec *d)
{
    if (!d)
        return;
    dec_clear(d);
    aif_free(d);
}
