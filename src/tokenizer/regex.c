/* regex.c: the patterns of Split / Replace, compiled with PCRE2 (UTF, UCP,
 * JIT when available) after rewriting the escapes whose meaning differs
 * from Oniguruma, the engine the Rust `tokenizers` library uses:
 *   \s \S  onig: Unicode White_Space; PCRE2 UCP also matches U+180E
 *   \w \W  onig: Letter | Mark | Decimal_Number | Connector_Punctuation
 *   \h \H  onig: hex digit; PCRE2: horizontal space
 * Matches are enumerated like the onig crate's find_iter (an empty match
 * right after the previous match is skipped by one character). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "aif/alloc.h"
#include "tok_int.h"

struct aif_tk_regex {
    pcre2_code *code;
    int jit;
};

#define SP_ITEMS "\\t\\n\\x0B\\f\\r\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"
#define W_ITEMS "\\p{L}\\p{M}\\p{Nd}\\p{Pc}"
#define H_ITEMS "0-9a-fA-F"

static int push_s(aif_tk_buf *b, const char *s)
{
    return aif_tk_buf_push(b, s, strlen(s));
}

/* Rewrite an onig pattern for PCRE2 (see the file comment). */
static int rewrite(const char *p, size_t n, aif_tk_buf *out)
{
    int in_class = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            char e = p[i + 1];
            const char *items = e == 's' || e == 'S' ? SP_ITEMS : e == 'w' || e == 'W' ? W_ITEMS
                                : e == 'h' || e == 'H' ? H_ITEMS : NULL;
            int neg = e == 'S' || e == 'W' || e == 'H';
            if (items && !(in_class && neg)) {
                if (!in_class && (push_s(out, neg ? "[^" : "[") || push_s(out, items) || push_s(out, "]")))
                    return -1;
                if (in_class && push_s(out, items))
                    return -1;
                i++;
                continue;
            }
            if (aif_tk_buf_push(out, p + i, 2))
                return -1;
            i++;
            continue;
        }
        if (in_class && c == '[' && i + 1 < n && p[i + 1] == ':') {
            /* POSIX bracket [:name:] */
            const char *end = NULL;
            for (size_t k = i + 2; k + 1 < n; k++)
                if (p[k] == ':' && p[k + 1] == ']') { end = p + k + 2; break; }
            if (end) {
                if (aif_tk_buf_push(out, p + i, (size_t)(end - (p + i))))
                    return -1;
                i = (size_t)(end - p) - 1;
                continue;
            }
        }
        if (!in_class && c == '[') {
            in_class = 1;
            if (aif_tk_buf_push(out, p + i, 1))
                return -1;
            /* a ']' (after an optional '^') right after '[' is literal */
            if (i + 1 < n && p[i + 1] == '^') {
                if (aif_tk_buf_push(out, "^", 1))
                    return -1;
                i++;
            }
            if (i + 1 < n && p[i + 1] == ']') {
                if (aif_tk_buf_push(out, "\\]", 2))
                    return -1;
                i++;
            }
            continue;
        }
        if (in_class && c == ']')
            in_class = 0;
        if (aif_tk_buf_push(out, p + i, 1))
            return -1;
    }
    return 0;
}

aif_code aif_tk_regex_new(const char *pattern, size_t len, int literal, aif_tk_regex **out, aif_err *err)
{
    aif_tk_buf pat = {0};
    uint32_t opts = PCRE2_UTF | PCRE2_UCP;
    if (literal) {
        opts = PCRE2_UTF | PCRE2_LITERAL;
        if (aif_tk_buf_push(&pat, pattern, len))
            return aif_err_set(err, AIF_ENOMEM, "out of memory compiling a pattern");
    } else if (rewrite(pattern, len, &pat)) {
        aif_tk_buf_release(&pat);
        return aif_err_set(err, AIF_ENOMEM, "out of memory compiling a pattern");
    }
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)(pat.p ? pat.p : ""), pat.n, opts, &ec, &eo, NULL);
    aif_tk_buf_release(&pat);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof msg);
        return aif_err_set(err, AIF_ENOTSUP, "regex /%.*s/ not supported: %s", (int)(len > 200 ? 200 : len), pattern,
                           (const char *)msg);
    }
    aif_tk_regex *re = aif_calloc(1, sizeof *re);
    if (!re) {
        pcre2_code_free(code);
        return aif_err_set(err, AIF_ENOMEM, "out of memory compiling a pattern");
    }
    re->code = code;
    re->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    *out = re;
    return AIF_OK;
}

void aif_tk_regex_free(aif_tk_regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    aif_free(re);
}

int aif_tk_regex_find_iter(const aif_tk_regex *re, const char *s, size_t n, aif_tk_match_cb cb, void *arg)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!md)
        return -1;
    size_t last_end = 0;
    int have_last = 0, rc = 0;
    size_t last_match_end = 0;
    while (last_end <= n) {
        int r = pcre2_match(re->code, (PCRE2_SPTR)s, n, last_end, PCRE2_NO_UTF_CHECK, md, NULL);
        if (r == PCRE2_ERROR_JIT_STACKLIMIT)
            r = pcre2_match(re->code, (PCRE2_SPTR)s, n, last_end, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md, NULL);
        if (r == PCRE2_ERROR_NOMATCH)
            break;
        if (r < 0) {
            rc = -1;
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ms = ov[0], me = ov[1];
        if (me < ms) { /* \K tricks: not supported */
            rc = -1;
            break;
        }
        if (ms == me && have_last && last_match_end == me) {
            if (last_end >= n)
                break;
            int l = aif_tk_utf8_len((unsigned char)s[last_end]);
            last_end += l ? (size_t)l : 1;
            continue;
        }
        last_end = me;
        last_match_end = me;
        have_last = 1;
        if (cb(arg, ms, me)) {
            rc = -1;
            break;
        }
    }
    pcre2_match_data_free(md);
    return rc;
}
