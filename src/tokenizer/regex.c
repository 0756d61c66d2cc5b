/* regex.c: the patterns of Split / Replace, compiled with PCRE2 (UTF, UCP,
 * JIT when available) after rewriting the escapes whose meaning differs
 * from Oniguruma, the engine the Rust `tokenizers` library uses:
 *   \s \S  onig: Unicode White_Space; PCRE2 UCP also matches U+180E
 *   \w \W  onig: Letter | Mark | Decimal_Number | Connector_Punctuation
 *   \h \H  onig: hex digit; PCRE2: horizontal space
 *   \p{..} the reference's Oniguruma has Unicode 16.0 tables, PCRE2 10.42 has
 *          14.0: each general-category property gets the code points that
 *          15.0-16.0 assigned to it (table below) added to its class.
 * Matches are enumerated like the onig crate's find_iter (an empty match
 * right after the previous match is skipped by one character). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
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

/* Code points unassigned in Unicode 14.0 that Unicode 15.0, 15.1 and 16.0
 * assigned, with their 16.0 general category. Measured on the reference
 * library (its Oniguruma probed with Split(\p{Xx}) for every category) by the
 * tokxref helper (tests/xref/tokenizer/gen.js, UNICODE_NEW). */
static const struct { uint32_t first, last; char cat[3]; } new_cps[] = {
    {0x897, 0x897, "Mn"},
    {0xCF3, 0xCF3, "Mc"},
    {0xECE, 0xECE, "Mn"},
    {0x1B4E, 0x1B4F, "Po"},
    {0x1B7F, 0x1B7F, "Po"},
    {0x1C89, 0x1C89, "Lu"},
    {0x1C8A, 0x1C8A, "Ll"},
    {0x2427, 0x2429, "So"},
    {0x2FFC, 0x2FFF, "So"},
    {0x31E4, 0x31E5, "So"},
    {0x31EF, 0x31EF, "So"},
    {0xA7CB, 0xA7CC, "Lu"},
    {0xA7CD, 0xA7CD, "Ll"},
    {0xA7DA, 0xA7DA, "Lu"},
    {0xA7DB, 0xA7DB, "Ll"},
    {0xA7DC, 0xA7DC, "Lu"},
    {0x105C0, 0x105F3, "Lo"},
    {0x10D40, 0x10D49, "Nd"},
    {0x10D4A, 0x10D4D, "Lo"},
    {0x10D4E, 0x10D4E, "Lm"},
    {0x10D4F, 0x10D4F, "Lo"},
    {0x10D50, 0x10D65, "Lu"},
    {0x10D69, 0x10D6D, "Mn"},
    {0x10D6E, 0x10D6E, "Pd"},
    {0x10D6F, 0x10D6F, "Lm"},
    {0x10D70, 0x10D85, "Ll"},
    {0x10D8E, 0x10D8F, "Sm"},
    {0x10EC2, 0x10EC4, "Lo"},
    {0x10EFC, 0x10EFF, "Mn"},
    {0x1123F, 0x11240, "Lo"},
    {0x11241, 0x11241, "Mn"},
    {0x11380, 0x11389, "Lo"},
    {0x1138B, 0x1138B, "Lo"},
    {0x1138E, 0x1138E, "Lo"},
    {0x11390, 0x113B5, "Lo"},
    {0x113B7, 0x113B7, "Lo"},
    {0x113B8, 0x113BA, "Mc"},
    {0x113BB, 0x113C0, "Mn"},
    {0x113C2, 0x113C2, "Mc"},
    {0x113C5, 0x113C5, "Mc"},
    {0x113C7, 0x113CA, "Mc"},
    {0x113CC, 0x113CD, "Mc"},
    {0x113CE, 0x113CE, "Mn"},
    {0x113CF, 0x113CF, "Mc"},
    {0x113D0, 0x113D0, "Mn"},
    {0x113D1, 0x113D1, "Lo"},
    {0x113D2, 0x113D2, "Mn"},
    {0x113D3, 0x113D3, "Lo"},
    {0x113D4, 0x113D5, "Po"},
    {0x113D7, 0x113D8, "Po"},
    {0x113E1, 0x113E2, "Mn"},
    {0x116D0, 0x116E3, "Nd"},
    {0x11B00, 0x11B09, "Po"},
    {0x11BC0, 0x11BE0, "Lo"},
    {0x11BE1, 0x11BE1, "Po"},
    {0x11BF0, 0x11BF9, "Nd"},
    {0x11F00, 0x11F01, "Mn"},
    {0x11F02, 0x11F02, "Lo"},
    {0x11F03, 0x11F03, "Mc"},
    {0x11F04, 0x11F10, "Lo"},
    {0x11F12, 0x11F33, "Lo"},
    {0x11F34, 0x11F35, "Mc"},
    {0x11F36, 0x11F3A, "Mn"},
    {0x11F3E, 0x11F3F, "Mc"},
    {0x11F40, 0x11F40, "Mn"},
    {0x11F41, 0x11F41, "Mc"},
    {0x11F42, 0x11F42, "Mn"},
    {0x11F43, 0x11F4F, "Po"},
    {0x11F50, 0x11F59, "Nd"},
    {0x11F5A, 0x11F5A, "Mn"},
    {0x1342F, 0x1342F, "Lo"},
    {0x13440, 0x13440, "Mn"},
    {0x13441, 0x13446, "Lo"},
    {0x13447, 0x13455, "Mn"},
    {0x13460, 0x143FA, "Lo"},
    {0x16100, 0x1611D, "Lo"},
    {0x1611E, 0x16129, "Mn"},
    {0x1612A, 0x1612C, "Mc"},
    {0x1612D, 0x1612F, "Mn"},
    {0x16130, 0x16139, "Nd"},
    {0x16D40, 0x16D42, "Lm"},
    {0x16D43, 0x16D6A, "Lo"},
    {0x16D6B, 0x16D6C, "Lm"},
    {0x16D6D, 0x16D6F, "Po"},
    {0x16D70, 0x16D79, "Nd"},
    {0x18CFF, 0x18CFF, "Lo"},
    {0x1B132, 0x1B132, "Lo"},
    {0x1B155, 0x1B155, "Lo"},
    {0x1CC00, 0x1CCEF, "So"},
    {0x1CCF0, 0x1CCF9, "Nd"},
    {0x1CD00, 0x1CEB3, "So"},
    {0x1D2C0, 0x1D2D3, "No"},
    {0x1DF25, 0x1DF2A, "Ll"},
    {0x1E030, 0x1E06D, "Lm"},
    {0x1E08F, 0x1E08F, "Mn"},
    {0x1E4D0, 0x1E4EA, "Lo"},
    {0x1E4EB, 0x1E4EB, "Lm"},
    {0x1E4EC, 0x1E4EF, "Mn"},
    {0x1E4F0, 0x1E4F9, "Nd"},
    {0x1E5D0, 0x1E5ED, "Lo"},
    {0x1E5EE, 0x1E5EF, "Mn"},
    {0x1E5F0, 0x1E5F0, "Lo"},
    {0x1E5F1, 0x1E5FA, "Nd"},
    {0x1E5FF, 0x1E5FF, "Po"},
    {0x1F6DC, 0x1F6DC, "So"},
    {0x1F774, 0x1F776, "So"},
    {0x1F77B, 0x1F77F, "So"},
    {0x1F7D9, 0x1F7D9, "So"},
    {0x1F8B2, 0x1F8BB, "So"},
    {0x1F8C0, 0x1F8C1, "So"},
    {0x1FA75, 0x1FA77, "So"},
    {0x1FA87, 0x1FA89, "So"},
    {0x1FA8F, 0x1FA8F, "So"},
    {0x1FAAD, 0x1FAAF, "So"},
    {0x1FABB, 0x1FABF, "So"},
    {0x1FAC6, 0x1FAC6, "So"},
    {0x1FACE, 0x1FACF, "So"},
    {0x1FADA, 0x1FADC, "So"},
    {0x1FADF, 0x1FADF, "So"},
    {0x1FAE8, 0x1FAE9, "So"},
    {0x1FAF7, 0x1FAF8, "So"},
    {0x1FBCB, 0x1FBEF, "So"},
    {0x2B739, 0x2B739, "Lo"},
    {0x2EBF0, 0x2EE5D, "Lo"},
    {0x31350, 0x323AF, "Lo"},
};

/* The extra ranges of \p{name} ("L", "Lu", ...) as class items, appended to out. */
static int push_new_ranges(aif_tk_buf *out, const char *name, size_t n)
{
    if (n < 1 || n > 2)
        return 0;
    for (size_t i = 0; i < sizeof new_cps / sizeof new_cps[0]; i++) {
        if (new_cps[i].cat[0] != name[0] || (n == 2 && new_cps[i].cat[1] != name[1]))
            continue;
        char item[48];
        int l = snprintf(item, sizeof item, "\\x{%X}-\\x{%X}", (unsigned)new_cps[i].first, (unsigned)new_cps[i].last);
        if (aif_tk_buf_push(out, item, (size_t)l))
            return -1;
    }
    return 0;
}

/* \p{NAME} / \P{NAME} of a general category at p (p[0] == '\\'): its length, or 0. */
static size_t category_prop(const char *p, size_t n, const char **name, size_t *name_len)
{
    if (n < 5 || (p[1] != 'p' && p[1] != 'P') || p[2] != '{')
        return 0;
    const char *end = memchr(p + 3, '}', n - 3);
    if (!end)
        return 0;
    size_t l = (size_t)(end - (p + 3));
    static const char cats[] = "L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So";
    for (const char *c = cats; *c;) {
        size_t cl = strcspn(c, " ");
        if (cl == l && !memcmp(c, p + 3, l)) {
            *name = p + 3;
            *name_len = l;
            return l + 4;
        }
        c += cl + (c[cl] == ' ');
    }
    return 0;
}

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
        const char *cat;
        size_t cat_len, pl;
        if (c == '\\' && (pl = category_prop(p + i, n - i, &cat, &cat_len))) {
            int neg = p[i + 1] == 'P';
            if (in_class && neg) { /* rare: left as it is */
                if (aif_tk_buf_push(out, p + i, pl))
                    return -1;
            } else {
                if ((!in_class && push_s(out, neg ? "[^" : "[")) || aif_tk_buf_push(out, "\\p{", 3) ||
                    aif_tk_buf_push(out, cat, cat_len) || aif_tk_buf_push(out, "}", 1) ||
                    push_new_ranges(out, cat, cat_len) || (!in_class && push_s(out, "]")))
                    return -1;
            }
            i += pl - 1;
            continue;
        }
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
