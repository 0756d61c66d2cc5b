/* normalizer.c: NFC/NFD/NFKC/NFKD (utf8proc), Lowercase, Strip, Prepend,
 * Replace and Sequence, on one piece of text at a time. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "aif/alloc.h"
#include "tok_int.h"

static aif_code oom(aif_err *err)
{
    return aif_err_set(err, AIF_ENOMEM, "out of memory normalizing text");
}

static int is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

static aif_code unicode_form(aif_tk_norm_type t, const char *s, size_t n, aif_tk_buf *out, aif_err *err)
{
    if (is_ascii(s, n)) /* every normal form leaves ASCII alone */
        return aif_tk_buf_push(out, s, n) ? oom(err) : AIF_OK;
    int opt = UTF8PROC_STABLE;
    switch (t) {
    case NORM_NFC: opt |= UTF8PROC_COMPOSE; break;
    case NORM_NFD: opt |= UTF8PROC_DECOMPOSE; break;
    case NORM_NFKC: opt |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT; break;
    default: opt |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT; break;
    }
    utf8proc_uint8_t *res = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &res, (utf8proc_option_t)opt);
    if (r < 0) {
        free(res);
        if (r == UTF8PROC_ERROR_NOMEM)
            return oom(err);
        return aif_err_set(err, AIF_EUTF8, "normalizer: %s", utf8proc_errmsg(r));
    }
    int fail = aif_tk_buf_push(out, res, (size_t)r);
    free(res);
    return fail ? oom(err) : AIF_OK;
}

static aif_code lowercase(const char *s, size_t n, aif_tk_buf *out, aif_err *err)
{
    if (aif_tk_buf_reserve(out, n + 1))
        return oom(err);
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            char l = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            if (aif_tk_buf_push(out, &l, 1))
                return oom(err);
            i++;
            continue;
        }
        int32_t cp;
        i += (size_t)aif_tk_utf8_decode(s + i, n - i, &cp);
        char enc[8];
        int el;
        if (cp == 0x130) { /* the one unconditional multi-char lowercase: "i" + U+0307 */
            memcpy(enc, "i\xCC\x87", 3);
            el = 3;
        } else {
            el = aif_tk_utf8_encode(utf8proc_tolower(cp), enc);
        }
        if (aif_tk_buf_push(out, enc, (size_t)el))
            return oom(err);
    }
    return AIF_OK;
}

static aif_code strip(const aif_tk_norm *nm, const char *s, size_t n, aif_tk_buf *out, aif_err *err)
{
    size_t a = 0, b = n;
    if (nm->strip_left)
        while (a < b) {
            int32_t cp;
            int l = aif_tk_utf8_decode(s + a, b - a, &cp);
            if (!aif_tk_is_whitespace(cp))
                break;
            a += (size_t)l;
        }
    if (nm->strip_right)
        while (b > a) {
            size_t k = b - 1;
            while (k > a && ((unsigned char)s[k] & 0xC0) == 0x80)
                k--;
            int32_t cp;
            aif_tk_utf8_decode(s + k, b - k, &cp);
            if (!aif_tk_is_whitespace(cp))
                break;
            b = k;
        }
    return aif_tk_buf_push(out, s + a, b - a) ? oom(err) : AIF_OK;
}

struct repl_ctx {
    const char *s;
    size_t prev;
    const aif_tk_norm *nm;
    aif_tk_buf *out;
};

static int repl_cb(void *arg, size_t start, size_t end)
{
    struct repl_ctx *c = arg;
    if (aif_tk_buf_push(c->out, c->s + c->prev, start - c->prev) || aif_tk_buf_push(c->out, c->nm->str, c->nm->str_len))
        return -1;
    c->prev = end;
    return 0;
}

/* Replace every match of re in s by content (shared with the Replace decoder). */
static aif_code replace(const aif_tk_norm *nm, const char *s, size_t n, aif_tk_buf *out, aif_err *err)
{
    struct repl_ctx c = {s, 0, nm, out};
    if (aif_tk_regex_find_iter(nm->re, s, n, repl_cb, &c) || aif_tk_buf_push(out, s + c.prev, n - c.prev))
        return aif_err_set(err, AIF_ENOMEM, "Replace normalizer: matching failed");
    return AIF_OK;
}

aif_code aif_tk_norm_apply(const aif_tk_norm *nm, const char *s, size_t n, aif_tk_buf *out, aif_err *err)
{
    out->n = 0;
    if (aif_tk_buf_reserve(out, 1))
        return oom(err);
    out->p[0] = 0;
    switch (nm->type) {
    case NORM_NFC: case NORM_NFD: case NORM_NFKC: case NORM_NFKD:
        return unicode_form(nm->type, s, n, out, err);
    case NORM_LOWERCASE:
        return lowercase(s, n, out, err);
    case NORM_STRIP:
        return strip(nm, s, n, out, err);
    case NORM_PREPEND:
        if (n && aif_tk_buf_push(out, nm->str, nm->str_len))
            return oom(err);
        return aif_tk_buf_push(out, s, n) ? oom(err) : AIF_OK;
    case NORM_REPLACE:
        return replace(nm, s, n, out, err);
    case NORM_SEQUENCE: {
        if (aif_tk_buf_push(out, s, n))
            return oom(err);
        aif_tk_buf tmp = {0};
        aif_code rc = AIF_OK;
        for (size_t i = 0; i < nm->n_sub && rc == AIF_OK; i++) {
            rc = aif_tk_norm_apply(&nm->sub[i], out->p, out->n, &tmp, err);
            aif_tk_buf t = *out;
            *out = tmp;
            tmp = t;
        }
        aif_tk_buf_release(&tmp);
        return rc;
    }
    }
    return aif_err_set(err, AIF_EINTERNAL, "bad normalizer type");
}

static void norm_clear(aif_tk_norm *nm)
{
    for (size_t i = 0; i < nm->n_sub; i++)
        norm_clear(&nm->sub[i]);
    aif_free(nm->sub);
    aif_free(nm->str);
    aif_tk_regex_free(nm->re);
}

void aif_tk_norm_free(aif_tk_norm *nm)
{
    if (!nm)
        return;
    norm_clear(nm);
    aif_free(nm);
}
