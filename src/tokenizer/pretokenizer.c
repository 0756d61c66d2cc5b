/* pretokenizer.c: Split, ByteLevel, Metaspace, Digits, Punctuation,
 * Whitespace, WhitespaceSplit and Sequence. Each one rewrites the list of
 * pieces; pieces that already hold an added token are left alone. The
 * splitting follows NormalizedString::split of the Rust library: a pattern
 * gives (span, is_match) runs, the behaviour merges or drops them, and empty
 * pieces disappear. ByteLevel only flags pieces (PIECE_BYTEMAPPED): the BPE
 * model then works on the raw bytes, which is the same as working on their
 * GPT-2 characters; a later step that needs the text materializes it. */
#include <string.h>

#include "aif/alloc.h"
#include "tok_int.h"

const char aif_tk_gpt2_regex[] = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

typedef struct seg {
    size_t s, e;
    int m; /* is a match; after the behaviour: 1 = remove */
} seg;
typedef struct segs {
    seg *v;
    size_t n, cap;
} segs;

static int seg_push(segs *g, size_t s, size_t e, int m)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 32;
        seg *v = aif_realloc(g->v, cap * sizeof *v);
        if (!v)
            return -1;
        g->v = v;
        g->cap = cap;
    }
    g->v[g->n++] = (seg){s, e, m};
    return 0;
}

struct re_ctx {
    segs *g;
    size_t prev;
};

static int re_cb(void *arg, size_t start, size_t end)
{
    struct re_ctx *c = arg;
    if (c->prev != start && seg_push(c->g, c->prev, start, 0))
        return -1;
    if (seg_push(c->g, start, end, 1))
        return -1;
    c->prev = end;
    return 0;
}

/* Pattern::find_matches for a regex. */
static int find_regex(const aif_tk_regex *re, const char *s, size_t n, segs *g)
{
    g->n = 0;
    if (!n)
        return seg_push(g, 0, 0, 0);
    struct re_ctx c = {g, 0};
    if (aif_tk_regex_find_iter(re, s, n, re_cb, &c))
        return -1;
    if (c.prev != n && seg_push(g, c.prev, n, 0))
        return -1;
    return 0;
}

/* Pattern::find_matches for a char predicate. */
typedef int (*char_pred)(int32_t cp, const void *arg);
static int find_chars(char_pred pred, const void *arg, const char *s, size_t n, segs *g)
{
    g->n = 0;
    if (!n)
        return seg_push(g, 0, 0, 0);
    size_t last = 0, i = 0;
    while (i < n) {
        int32_t cp;
        int l = aif_tk_utf8_decode(s + i, n - i, &cp);
        if (pred(cp, arg)) {
            if (last < i && seg_push(g, last, i, 0))
                return -1;
            if (seg_push(g, i, i + (size_t)l, 1))
                return -1;
            last = i + (size_t)l;
        }
        i += (size_t)l;
    }
    if (n > last && seg_push(g, last, n, 0))
        return -1;
    return 0;
}

/* Apply a SplitDelimiterBehavior; afterwards m means "remove". */
static void behave(segs *g, aif_tk_behavior b, int invert)
{
    if (!g->n) /* nothing found (or finding failed: the caller reports it) */
        return;
    if (invert)
        for (size_t i = 0; i < g->n; i++)
            g->v[i].m = !g->v[i].m;
    size_t k = 0;
    int prev = 0;
    switch (b) {
    case BEH_REMOVED:
        return;
    case BEH_ISOLATED:
        for (size_t i = 0; i < g->n; i++)
            g->v[i].m = 0;
        return;
    case BEH_CONTIGUOUS:
        for (size_t i = 0; i < g->n; i++) {
            seg x = g->v[i];
            if (x.m == prev && k)
                g->v[k - 1].e = x.e;
            else
                g->v[k++] = (seg){x.s, x.e, 0};
            prev = x.m;
        }
        g->n = k;
        return;
    case BEH_MERGED_PREV:
        for (size_t i = 0; i < g->n; i++) {
            seg x = g->v[i];
            if (x.m && !prev && k)
                g->v[k - 1].e = x.e;
            else
                g->v[k++] = (seg){x.s, x.e, 0};
            prev = x.m;
        }
        g->n = k;
        return;
    case BEH_MERGED_NEXT: {
        /* fold from the end; results are written from the back */
        size_t w = g->n;
        for (size_t i = g->n; i-- > 0;) {
            seg x = g->v[i];
            if (x.m && !prev && w < g->n)
                g->v[w].s = x.s;
            else
                g->v[--w] = (seg){x.s, x.e, 0};
            prev = x.m;
        }
        memmove(g->v, g->v + w, (g->n - w) * sizeof *g->v);
        g->n -= w;
        return;
    }
    }
}

/* Emit the kept, non-empty segments of the piece p into out. */
static int emit(const segs *g, const aif_tk_piece *p, aif_tk_pieces *out)
{
    for (size_t i = 0; i < g->n; i++) {
        const seg *x = &g->v[i];
        if (x->m || x->e == x->s)
            continue;
        uint32_t fl = p->flags & ~(uint32_t)PIECE_FIRST;
        if (x->s == 0)
            fl |= p->flags & PIECE_FIRST;
        if (aif_tk_pieces_push(out, p->off + x->s, x->e - x->s, -1, fl))
            return -1;
    }
    return 0;
}

static aif_code oom(aif_err *err)
{
    return aif_err_set(err, AIF_ENOMEM, "out of memory in the pre-tokenizer");
}

/* Turn a bytemapped piece into the text of its GPT-2 chars. */
static int materialize(aif_tk_buf *arena, aif_tk_piece *p)
{
    if (!(p->flags & PIECE_BYTEMAPPED))
        return 0;
    if (aif_tk_buf_reserve(arena, p->len * 2 + 1))
        return -1;
    size_t off = arena->n;
    for (size_t i = 0; i < p->len; i++) {
        char enc[4];
        int l = aif_tk_utf8_encode(aif_tk_byte_char[(unsigned char)arena->p[p->off + i]], enc);
        memcpy(arena->p + arena->n, enc, (size_t)l);
        arena->n += (size_t)l;
    }
    arena->p[arena->n] = 0;
    p->off = off;
    p->len = arena->n - off;
    p->flags &= ~(uint32_t)PIECE_BYTEMAPPED;
    return 0;
}

static int pred_ws(int32_t cp, const void *a) { (void)a; return aif_tk_is_whitespace(cp); }
static int pred_punct(int32_t cp, const void *a) { (void)a; return aif_tk_is_punct(cp); }
static int pred_digit(int32_t cp, const void *a) { (void)a; return cp >= '0' && cp <= '9'; }
static int pred_eq(int32_t cp, const void *a) { return cp == *(const int32_t *)a; }

/* One pre-tokenizer (not a Sequence) on one piece. */
static aif_code one(const aif_tk_pre *pre, aif_tk_buf *arena, aif_tk_piece p, segs *g, aif_tk_pieces *out, aif_err *err)
{
    int r = 0;
    switch (pre->type) {
    case PRE_SPLIT:
        r = find_regex(pre->re, arena->p + p.off, p.len, g);
        if (r)
            return aif_err_set(err, AIF_ERANGE, "Split pre-tokenizer: regex matching failed");
        behave(g, pre->behavior, pre->invert);
        break;
    case PRE_WHITESPACE:
        r = find_regex(pre->re, arena->p + p.off, p.len, g);
        if (r)
            return aif_err_set(err, AIF_ERANGE, "Whitespace pre-tokenizer: regex matching failed");
        behave(g, BEH_REMOVED, 1);
        break;
    case PRE_WHITESPACE_SPLIT:
        r = find_chars(pred_ws, NULL, arena->p + p.off, p.len, g);
        behave(g, BEH_REMOVED, 0);
        break;
    case PRE_PUNCT:
        r = find_chars(pred_punct, NULL, arena->p + p.off, p.len, g);
        behave(g, pre->behavior, 0);
        break;
    case PRE_CHAR_DELIM:
        r = find_chars(pred_eq, &pre->replacement, arena->p + p.off, p.len, g);
        behave(g, BEH_REMOVED, 0);
        break;
    case PRE_BERT: {
        /* whitespace removed, then punctuation isolated in each part */
        r = find_chars(pred_ws, NULL, arena->p + p.off, p.len, g);
        behave(g, BEH_REMOVED, 0);
        aif_tk_pieces parts = {0};
        if (r || emit(g, &p, &parts)) {
            aif_tk_pieces_release(&parts);
            return oom(err);
        }
        for (size_t i = 0; i < parts.n && !r; i++) {
            r = find_chars(pred_punct, NULL, arena->p + parts.v[i].off, parts.v[i].len, g);
            if (!r) {
                behave(g, BEH_ISOLATED, 0);
                r = emit(g, &parts.v[i], out);
            }
        }
        aif_tk_pieces_release(&parts);
        return r ? oom(err) : AIF_OK;
    }
    case PRE_DIGITS:
        r = find_chars(pred_digit, NULL, arena->p + p.off, p.len, g);
        behave(g, pre->individual ? BEH_ISOLATED : BEH_CONTIGUOUS, 0);
        break;
    case PRE_BYTELEVEL: {
        if (pre->add_prefix_space && !(p.len && arena->p[p.off] == ' ')) {
            if (aif_tk_buf_reserve(arena, p.len + 2))
                return oom(err);
            size_t off = arena->n;
            arena->p[arena->n++] = ' ';
            memcpy(arena->p + arena->n, arena->p + p.off, p.len);
            arena->n += p.len;
            arena->p[arena->n] = 0;
            p.off = off;
            p.len++;
        }
        if (pre->use_regex) {
            r = find_regex(pre->re, arena->p + p.off, p.len, g);
            if (r)
                return aif_err_set(err, AIF_ERANGE, "ByteLevel pre-tokenizer: regex matching failed");
            behave(g, BEH_ISOLATED, 0);
        } else {
            g->n = 0;
            r = seg_push(g, 0, p.len, 0);
        }
        p.flags |= PIECE_BYTEMAPPED;
        break;
    }
    case PRE_METASPACE: {
        /* replace ' ' by the replacement, prepend it per the scheme */
        const char *s = arena->p + p.off;
        int starts = p.len && (s[0] == ' ' || (p.len >= (size_t)pre->rep_len && !memcmp(s, pre->rep, (size_t)pre->rep_len)));
        int pre_ = !starts && (pre->prepend == 2 || (pre->prepend == 1 && (p.flags & PIECE_FIRST)));
        size_t spaces = 0;
        for (size_t i = 0; i < p.len; i++)
            spaces += s[i] == ' ';
        if (spaces || pre_) {
            if (aif_tk_buf_reserve(arena, p.len + (spaces + 1) * (size_t)pre->rep_len + 1))
                return oom(err);
            s = arena->p + p.off;
            size_t off = arena->n;
            char *d = arena->p + arena->n;
            if (pre_ && p.len) { /* NormalizedString::prepend does nothing on an empty string */
                memcpy(d, pre->rep, (size_t)pre->rep_len);
                d += pre->rep_len;
            }
            for (size_t i = 0; i < p.len; i++) {
                if (s[i] == ' ') {
                    memcpy(d, pre->rep, (size_t)pre->rep_len);
                    d += pre->rep_len;
                } else {
                    *d++ = s[i];
                }
            }
            arena->n = (size_t)(d - arena->p);
            arena->p[arena->n] = 0;
            p.off = off;
            p.len = arena->n - off;
        }
        if (pre->split) {
            r = find_chars(pred_eq, &pre->replacement, arena->p + p.off, p.len, g);
            behave(g, BEH_MERGED_NEXT, 0);
        } else {
            g->n = 0;
            r = seg_push(g, 0, p.len, 0);
        }
        break;
    }
    case PRE_SEQUENCE:
        return aif_err_set(err, AIF_EINTERNAL, "nested sequence in one()");
    }
    if (r || emit(g, &p, out))
        return oom(err);
    return AIF_OK;
}

aif_code aif_tk_pre_apply(const aif_tk_pre *pre, aif_tk_buf *arena, aif_tk_pieces *pieces, aif_err *err)
{
    if (pre->type == PRE_SEQUENCE) {
        for (size_t i = 0; i < pre->n_sub; i++) {
            aif_code rc = aif_tk_pre_apply(&pre->sub[i], arena, pieces, err);
            if (rc)
                return rc;
        }
        return AIF_OK;
    }
    aif_tk_pieces out = {0};
    segs g = {0};
    aif_code rc = AIF_OK;
    for (size_t i = 0; i < pieces->n && rc == AIF_OK; i++) {
        aif_tk_piece p = pieces->v[i];
        if (p.id >= 0) {
            if (aif_tk_pieces_push(&out, p.off, p.len, p.id, p.flags))
                rc = oom(err);
            continue;
        }
        if (materialize(arena, &p)) {
            rc = oom(err);
            break;
        }
        rc = one(pre, arena, p, &g, &out, err);
    }
    aif_free(g.v);
    if (rc) {
        aif_tk_pieces_release(&out);
        return rc;
    }
    aif_tk_pieces_release(pieces);
    *pieces = out;
    return AIF_OK;
}

static void pre_clear(aif_tk_pre *p)
{
    for (size_t i = 0; i < p->n_sub; i++)
        pre_clear(&p->sub[i]);
    aif_free(p->sub);
    aif_tk_regex_free(p->re);
}

void aif_tk_pre_free(aif_tk_pre *pre)
{
    if (!pre)
        return;
    pre_clear(pre);
    aif_free(pre);
}
