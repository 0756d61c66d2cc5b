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

static aif_code map_form(aif_tk_norm_type t, const char *s, size_t n, aif_tk_buf *out, aif_err *err)
{
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

/* Code points that utf8proc (Unicode 15.0) normalizes but the reference
 * does not: its unicode-normalization-alignments 0.1.12 has tables from
 * before Unicode 12, where these are unassigned (combining class 0, no
 * decomposition, no composition). Found by probing the reference (npm
 * @anush008/tokenizers@0.6.0) with NFC and NFD tokenizers on every code point
 * utf8proc gives a combining class or a canonical decomposition (alone,
 * after "a" with U+0334 after it, after "a" U+0345, and decomposed), plus the
 * parts of the new decompositions. Sorted. */
static const int32_t opaque_cps[] = {
    0x7FD, 0x898, 0x899, 0x89A, 0x89B, 0x89C, 0x89D, 0x89E, 0x89F, 0x8CA, 0x8CB, 0x8CC, 0x8CD, 0x8CE, 0x8CF,
    0x8D0, 0x8D1, 0x8D2, 0x8D3, 0x9FE, 0xC3C, 0xD3B, 0xD3C, 0xEBA, 0x1715, 0x1ABF, 0x1AC0, 0x1AC1, 0x1AC2,
    0x1AC3, 0x1AC4, 0x1AC5, 0x1AC6, 0x1AC7, 0x1AC8, 0x1AC9, 0x1ACA, 0x1ACB, 0x1ACC, 0x1ACD, 0x1ACE, 0x1DF6,
    0x1DF7, 0x1DF8, 0x1DF9, 0x1DFA, 0xA82C, 0x10D24, 0x10D25, 0x10D26, 0x10D27, 0x10EAB, 0x10EAC, 0x10EFD,
    0x10EFE, 0x10EFF, 0x10F46, 0x10F47, 0x10F48, 0x10F49, 0x10F4A, 0x10F4B, 0x10F4C, 0x10F4D, 0x10F4E, 0x10F4F,
    0x10F50, 0x10F82, 0x10F83, 0x10F84, 0x10F85, 0x11070, 0x1133B, 0x1145E, 0x11839, 0x1183A, 0x11930, 0x11935,
    0x11938, 0x1193D, 0x1193E, 0x11943, 0x119E0, 0x11A34, 0x11A47, 0x11A99, 0x11D42, 0x11D44, 0x11D45, 0x11D97,
    0x11F41, 0x11F42, 0x16FF0, 0x16FF1, 0x1E08F, 0x1E130, 0x1E131, 0x1E132, 0x1E133, 0x1E134, 0x1E135, 0x1E136,
    0x1E2AE, 0x1E2EC, 0x1E2ED, 0x1E2EE, 0x1E2EF, 0x1E4EC, 0x1E4ED, 0x1E4EE, 0x1E4EF
};

static int opaque(int32_t cp)
{
    size_t lo = 0, hi = sizeof opaque_cps / sizeof opaque_cps[0];
    if (cp < opaque_cps[0] || cp > opaque_cps[hi - 1])
        return 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (opaque_cps[mid] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sizeof opaque_cps / sizeof opaque_cps[0] && opaque_cps[lo] == cp;
}

/* A non-ASCII run (with the starter before it): the code points the
 * reference does not know are copied as they are and cut the run, as
 * unassigned starters do in the reference. */
static aif_code run_form(aif_tk_norm_type t, const char *s, size_t n, aif_tk_buf *out, aif_err *err)
{
    size_t seg = 0, i = 0;
    while (i < n) {
        int32_t cp;
        int l = aif_tk_utf8_decode(s + i, n - i, &cp);
        if (cp >= 0x7FD && opaque(cp)) {
            aif_code rc = seg < i ? map_form(t, s + seg, i - seg, out, err) : AIF_OK;
            if (rc)
                return rc;
            if (aif_tk_buf_push(out, s + i, (size_t)l))
                return oom(err);
            seg = i + (size_t)l;
        }
        i += (size_t)l;
    }
    return seg < n ? map_form(t, s + seg, n - seg, out, err) : AIF_OK;
}

/* ASCII is invariant under every normal form, is never the second half of a
 * composition and has combining class 0: only the non-ASCII runs, each with
 * the ASCII char before it (a starter that may compose with what follows),
 * go through utf8proc. */
static aif_code unicode_form(aif_tk_norm_type t, const char *s, size_t n, aif_tk_buf *out, aif_err *err)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && (unsigned char)s[j] < 0x80)
            j++;
        if (j == n)
            return aif_tk_buf_push(out, s + i, n - i) ? oom(err) : AIF_OK;
        size_t start = j > i ? j - 1 : j; /* the starter before the run */
        if (aif_tk_buf_push(out, s + i, start - i))
            return oom(err);
        size_t end = j;
        while (end < n && (unsigned char)s[end] >= 0x80)
            end++;
        aif_code rc = run_form(t, s + start, end - start, out, err);
        if (rc)
            return rc;
        i = end;
    }
    return AIF_OK;
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

/* StripAccents: drop combining marks (Mn, Mc, Me). */
static aif_code strip_accents(const char *s, size_t n, aif_tk_buf *out, aif_err *err)
{
    size_t i = 0;
    while (i < n) {
        int32_t cp;
        int l = aif_tk_utf8_decode(s + i, n - i, &cp);
        utf8proc_category_t c = cp < 0x80 ? UTF8PROC_CATEGORY_LL : utf8proc_category(cp);
        if (c != UTF8PROC_CATEGORY_MN && c != UTF8PROC_CATEGORY_MC && c != UTF8PROC_CATEGORY_ME &&
            aif_tk_buf_push(out, s + i, (size_t)l))
            return oom(err);
        i += (size_t)l;
    }
    return AIF_OK;
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
    case NORM_STRIP_ACCENTS:
        return strip_accents(s, n, out, err);
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

/* ------------------------------------------------------------ alignments */

int aif_tk_spans_push(aif_tk_spans *a, uint32_t start, uint32_t end, size_t count)
{
    if (a->n + count > a->cap) {
        size_t cap = a->cap ? a->cap : 64;
        while (cap < a->n + count)
            cap *= 2;
        uint32_t(*v)[2] = aif_realloc(a->v, cap * sizeof *v);
        if (!v)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    for (size_t i = 0; i < count; i++) {
        a->v[a->n][0] = start;
        a->v[a->n][1] = end;
        a->n++;
    }
    return 0;
}

void aif_tk_spans_release(aif_tk_spans *a)
{
    aif_free(a->v);
    memset(a, 0, sizeof *a);
}

static int push_al(aif_tk_spans *a, const uint32_t sp[2], size_t count)
{
    return aif_tk_spans_push(a, sp[0], sp[1], count);
}

/* Output text o[0..on) made from input chars s[0..n) (alignment al), k
 * input chars giving m output chars. As the (char, change) stream of
 * unicode-normalization-alignments: a composition (m < k) gives the first
 * output char the first input char's alignment and consumes the k - m
 * chars after it; a decomposition (m > k) gives the first m - k + 1 output
 * chars the first input char's; after that, char by char. */
static int align_positional(const char *s, size_t n, const uint32_t (*al)[2], const char *o, size_t on,
                            aif_tk_spans *alout)
{
    size_t k = 0, m = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    for (size_t j = 0; j < on; j++)
        m += ((unsigned char)o[j] & 0xC0) != 0x80;
    size_t start[64];
    size_t *st = k <= 64 ? start : aif_malloc(k * sizeof *st);
    if (!st)
        return -1;
    for (size_t i = 0, c = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            st[c++] = i;
    size_t j = 0, oc = 0;
    int rc = 0;
    while (j < on && !rc) {
        int ol = aif_tk_utf8_len((unsigned char)o[j]);
        if (ol < 1 || j + (size_t)ol > on)
            ol = 1;
        size_t src;
        if (m < k)
            src = oc ? oc + (k - m) : 0;
        else
            src = oc > m - k ? oc - (m - k) : 0;
        if (src >= k)
            src = k ? k - 1 : 0;
        static const uint32_t zero[2] = {0, 0};
        rc = push_al(alout, k ? al[st[src]] : zero, (size_t)ol);
        j += (size_t)ol;
        oc++;
    }
    if (st != start)
        aif_free(st);
    return rc;
}

/* Start of a cluster for the normal forms: a char of combining class 0
 * that is not a Hangul vowel or trailing jamo (which compose with the
 * class-0 char before them). */
static int cluster_start(int32_t cp)
{
    if (cp < 0x300)
        return 1;
    if (cp >= 0x1160 && cp <= 0x11FF)
        return 0;
    return utf8proc_get_property(cp)->combining_class == 0;
}

static aif_code unicode_form_al(aif_tk_norm_type t, const char *s, size_t n, const uint32_t (*al)[2],
                                aif_tk_buf *out, aif_tk_spans *alout, aif_err *err)
{
    aif_code rc = unicode_form(t, s, n, out, err);
    if (rc)
        return rc;
    size_t mark = alout->n;
    if (out->n == n && (!n || !memcmp(out->p, s, n))) { /* unchanged: the same alignment */
        if (aif_tk_spans_push(alout, 0, 0, n))
            return oom(err);
        if (n)
            memcpy(alout->v + mark, al, n * sizeof *al);
        return AIF_OK;
    }
    /* normalize cluster by cluster; when that gives the same text, align within each */
    aif_tk_buf part = {0};
    size_t i = 0, done = 0;
    int ok = 1;
    while (i < n && ok) {
        size_t j = i;
        int32_t cp;
        j += (size_t)aif_tk_utf8_decode(s + j, n - j, &cp);
        while (j < n) {
            int l = aif_tk_utf8_decode(s + j, n - j, &cp);
            if (cluster_start(cp))
                break;
            j += (size_t)l;
        }
        part.n = 0;
        if ((rc = unicode_form(t, s + i, j - i, &part, err)))
            break;
        if (done + part.n > out->n || memcmp(out->p + done, part.p, part.n)) {
            ok = 0;
            break;
        }
        if (align_positional(s + i, j - i, al + i, part.p, part.n, alout)) {
            rc = oom(err);
            break;
        }
        done += part.n;
        i = j;
    }
    aif_tk_buf_release(&part);
    if (rc)
        return rc;
    if (!ok || done != out->n) {
        alout->n = mark;
        if (align_positional(s, n, al, out->p, out->n, alout))
            return oom(err);
    }
    return AIF_OK;
}

static aif_code per_char_al(const aif_tk_norm *nm, const char *s, size_t n, const uint32_t (*al)[2], aif_tk_buf *out,
                            aif_tk_spans *alout, aif_err *err)
{
    /* Lowercase / StripAccents: char by char, each output char from its input char */
    aif_tk_buf part = {0};
    aif_code rc = AIF_OK;
    size_t i = 0;
    while (i < n && rc == AIF_OK) {
        size_t l = (size_t)aif_tk_utf8_len((unsigned char)s[i]);
        part.n = 0;
        rc = nm->type == NORM_LOWERCASE ? lowercase(s + i, l, &part, err) : strip_accents(s + i, l, &part, err);
        if (rc == AIF_OK && (aif_tk_buf_push(out, part.p, part.n) || push_al(alout, al[i], part.n)))
            rc = oom(err);
        i += l;
    }
    aif_tk_buf_release(&part);
    return rc;
}

struct repl_al_ctx {
    const char *s;
    const uint32_t (*al)[2];
    size_t prev;
    const aif_tk_norm *nm;
    aif_tk_buf *out;
    aif_tk_spans *alout;
};

static int repl_al_cb(void *arg, size_t start, size_t end)
{
    struct repl_al_ctx *c = arg;
    if (aif_tk_buf_push(c->out, c->s + c->prev, start - c->prev) ||
        aif_tk_buf_push(c->out, c->nm->str, c->nm->str_len))
        return -1;
    size_t base = c->alout->n;
    if (aif_tk_spans_push(c->alout, 0, 0, start - c->prev))
        return -1;
    if (start > c->prev)
        memcpy(c->alout->v + base, c->al + c->prev, (start - c->prev) * sizeof *c->al);
    /* transform_range with every content char inserted after the match: the
     * alignment of the match's last byte (or (0, 0) for an empty match at 0) */
    static const uint32_t zero[2] = {0, 0};
    if (push_al(c->alout, end ? c->al[end - 1] : zero, c->nm->str_len))
        return -1;
    c->prev = end;
    return 0;
}

aif_code aif_tk_norm_apply_al(const aif_tk_norm *nm, const char *s, size_t n, const uint32_t (*al)[2],
                              aif_tk_buf *out, aif_tk_spans *alout, aif_err *err)
{
    out->n = 0;
    alout->n = 0;
    if (aif_tk_buf_reserve(out, 1))
        return oom(err);
    out->p[0] = 0;
    switch (nm->type) {
    case NORM_NFC: case NORM_NFD: case NORM_NFKC: case NORM_NFKD:
        return unicode_form_al(nm->type, s, n, al, out, alout, err);
    case NORM_LOWERCASE:
    case NORM_STRIP_ACCENTS:
        return per_char_al(nm, s, n, al, out, alout, err);
    case NORM_STRIP: {
        aif_code rc = strip(nm, s, n, out, err);
        if (rc)
            return rc;
        /* the kept bytes are one slice of s */
        size_t a = 0;
        while (a + out->n <= n && memcmp(s + a, out->p, out->n))
            a++;
        if (aif_tk_spans_push(alout, 0, 0, out->n))
            return oom(err);
        if (out->n)
            memcpy(alout->v, al + a, out->n * sizeof *al);
        return AIF_OK;
    }
    case NORM_PREPEND: {
        if (!n)
            return AIF_OK;
        /* prepend: the inserted text takes the alignment of the first char */
        size_t l = (size_t)aif_tk_utf8_len((unsigned char)s[0]);
        if (aif_tk_buf_push(out, nm->str, nm->str_len) || aif_tk_buf_push(out, s, n) ||
            push_al(alout, al[l - 1], nm->str_len) || aif_tk_spans_push(alout, 0, 0, n))
            return oom(err);
        memcpy(alout->v + nm->str_len, al, n * sizeof *al);
        return AIF_OK;
    }
    case NORM_REPLACE: {
        struct repl_al_ctx c = {s, al, 0, nm, out, alout};
        if (aif_tk_regex_find_iter(nm->re, s, n, repl_al_cb, &c) || aif_tk_buf_push(out, s + c.prev, n - c.prev) ||
            aif_tk_spans_push(alout, 0, 0, n - c.prev))
            return aif_err_set(err, AIF_ENOMEM, "Replace normalizer: matching failed");
        if (n > c.prev)
            memcpy(alout->v + alout->n - (n - c.prev), al + c.prev, (n - c.prev) * sizeof *al);
        return AIF_OK;
    }
    case NORM_SEQUENCE: {
        aif_tk_buf tmp = {0}, cur = {0};
        aif_tk_spans tal = {0}, cal = {0};
        aif_code rc = AIF_OK;
        if (aif_tk_buf_push(&cur, s, n) || aif_tk_spans_push(&cal, 0, 0, n))
            rc = oom(err);
        else if (n)
            memcpy(cal.v, al, n * sizeof *al);
        for (size_t i = 0; i < nm->n_sub && rc == AIF_OK; i++) {
            rc = aif_tk_norm_apply_al(&nm->sub[i], cur.p, cur.n, cal.v, &tmp, &tal, err);
            aif_tk_buf t = cur;
            cur = tmp;
            tmp = t;
            aif_tk_spans ta = cal;
            cal = tal;
            tal = ta;
        }
        if (rc == AIF_OK && (aif_tk_buf_push(out, cur.p, cur.n) || aif_tk_spans_push(alout, 0, 0, cal.n)))
            rc = oom(err);
        if (rc == AIF_OK && cal.n)
            memcpy(alout->v, cal.v, cal.n * sizeof *cal.v);
        aif_tk_buf_release(&tmp);
        aif_tk_buf_release(&cur);
        aif_tk_spans_release(&tal);
        aif_tk_spans_release(&cal);
        return rc;
    }
    }
    return aif_err_set(err, AIF_EINTERNAL, "bad normalizer type");
}
