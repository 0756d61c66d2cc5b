/* added_tokens.c: AddedVocabulary of the Rust library: a byte trie of the
 * added tokens, matched leftmost-longest without overlaps, with the
 * single_word / lstrip / rstrip rules of find_matches. Two tries: tokens
 * with normalized=false are matched on the original text, the others (by
 * their normalized content) on each normalized piece. */
#include <string.h>

#include "aif/alloc.h"
#include "tok_int.h"

int aif_tk_trie_insert(aif_tk_trie *t, const char *s, size_t n, int32_t token)
{
    if (!t->nodes) {
        for (int i = 0; i < 256; i++)
            t->root[i] = -1;
    }
    if (!n)
        return 0;
    int32_t cur = -1; /* -1: the root */
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        int32_t child = cur < 0 ? t->root[b] : t->nodes[cur].first_child;
        if (cur >= 0)
            while (child >= 0 && t->nodes[child].byte != b)
                child = t->nodes[child].next_sibling;
        if (child < 0) {
            if (t->n == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 64;
                aif_tk_trie_node *v = aif_realloc(t->nodes, cap * sizeof *v);
                if (!v)
                    return -1;
                t->nodes = v;
                t->cap = cap;
            }
            child = (int32_t)t->n++;
            t->nodes[child] = (aif_tk_trie_node){-1, -1, -1, b};
            if (cur < 0) {
                t->root[b] = child;
            } else {
                t->nodes[child].next_sibling = t->nodes[cur].first_child;
                t->nodes[cur].first_child = child;
            }
        }
        cur = child;
    }
    t->nodes[cur].token = token;
    return 0;
}

/* Longest token starting at s: its length, or 0; *token gets its index. */
static size_t longest_at(const aif_tk_trie *t, const char *s, size_t n, int32_t *token)
{
    int32_t cur = t->root[(unsigned char)s[0]];
    size_t best = 0;
    for (size_t i = 1; cur >= 0; i++) {
        if (t->nodes[cur].token >= 0) {
            best = i;
            *token = t->nodes[cur].token;
        }
        if (i >= n)
            break;
        unsigned char b = (unsigned char)s[i];
        int32_t c = t->nodes[cur].first_child;
        while (c >= 0 && t->nodes[c].byte != b)
            c = t->nodes[c].next_sibling;
        cur = c;
    }
    return best;
}

static int32_t last_cp(const char *s, size_t n)
{
    size_t k = n - 1;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    int32_t cp;
    aif_tk_utf8_decode(s + k, n - k, &cp);
    return cp;
}

static aif_code oom(aif_err *err)
{
    return aif_err_set(err, AIF_ENOMEM, "out of memory splitting added tokens");
}

static int push_span(aif_tk_pieces *out, const aif_tk_piece *p, size_t s, size_t e, int32_t id)
{
    if (e <= s)
        return 0;
    uint32_t fl = s == 0 ? (p->flags & PIECE_FIRST) : 0;
    return aif_tk_pieces_push(out, p->off + s, e - s, id, fl);
}

aif_code aif_tk_added_split(const struct aif_tokenizer *tok, int norm, int split_special, aif_tk_buf *arena, aif_tk_pieces *in,
                        aif_tk_pieces *out, aif_err *err)
{
    const aif_tk_addedvocab *av = &tok->added;
    const aif_tk_trie *t = norm ? &av->trie_norm : &av->trie;
    int have = norm ? av->has_norm : av->has_plain;
    for (size_t pi = 0; pi < in->n; pi++) {
        aif_tk_piece p = in->v[pi];
        if (p.id >= 0 || !have || !p.len) {
            if (p.len && aif_tk_pieces_push(out, p.off, p.len, p.id, p.flags))
                return oom(err);
            continue;
        }
        const char *s = arena->p + p.off;
        size_t n = p.len, start_offset = 0, i = 0;
        while (i < n) {
            int32_t ti = -1;
            size_t ml = longest_at(t, s + i, n - i, &ti);
            if (!ml) {
                i++;
                continue;
            }
            size_t start = i, stop = i + ml;
            i = stop; /* the iterator moves past this match whatever happens to it */
            const aif_tk_added *a = &av->tok[ti];
            if (split_special && a->special)
                continue;
            if (a->single_word) {
                int start_space = start == 0 || !aif_tk_is_word(last_cp(s, start));
                int stop_space = stop == n;
                if (!stop_space) {
                    int32_t cp;
                    aif_tk_utf8_decode(s + stop, n - stop, &cp);
                    stop_space = !aif_tk_is_word(cp);
                }
                if (!start_space || !stop_space)
                    continue;
            }
            if (a->lstrip) {
                size_t ns = start;
                while (ns > 0) {
                    size_t k = ns - 1;
                    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
                        k--;
                    int32_t cp;
                    aif_tk_utf8_decode(s + k, ns - k, &cp);
                    if (!aif_tk_is_whitespace(cp))
                        break;
                    ns = k;
                }
                start = ns > start_offset ? ns : start_offset;
            }
            if (a->rstrip) {
                while (stop < n) {
                    int32_t cp;
                    int l = aif_tk_utf8_decode(s + stop, n - stop, &cp);
                    if (!aif_tk_is_whitespace(cp))
                        break;
                    stop += (size_t)l;
                }
            }
            if (start_offset < start && push_span(out, &p, start_offset, start, -1))
                return oom(err);
            if (push_span(out, &p, start, stop, a->id))
                return oom(err);
            start_offset = stop;
        }
        if (start_offset < n && push_span(out, &p, start_offset, n, -1))
            return oom(err);
    }
    return AIF_OK;
}

void aif_tk_added_release(aif_tk_addedvocab *av)
{
    for (size_t i = 0; i < av->n; i++)
        aif_free(av->tok[i].content);
    aif_free(av->tok);
    aif_tk_strmap_release(&av->map);
    aif_free(av->by_id);
    aif_free(av->trie.nodes);
    aif_free(av->trie_norm.nodes);
    memset(av, 0, sizeof *av);
}
