/* unigram.c: the Unigram model (models/unigram of the Rust library):
 * Viterbi over the byte trie of the pieces (encode_optimized: best score
 * per end position, the first candidate kept on ties, an unknown char
 * scored min_score - 10), unk runs fused, then ids by token string with
 * byte_fallback to <0xNN>. Scores are float64 sums in the same order as the
 * reference, so ties break the same way. */
#include <string.h>

#include "aif/alloc.h"
#include "tok_int.h"

#define UNK_PENALTY 10.0

typedef struct node {
    double score;
    int64_t start; /* -1: no path ends here yet */
    int32_t id;
} node;

/* The ids of one result string (TokenizerImpl: Unigram::tokenize). */
static aif_code emit(const aif_tk_bpe *m, const char *s, size_t n, aif_token_ids *out, aif_err *err)
{
    int32_t id = aif_tk_strmap_get(&m->vocab, s, n);
    if (id < 0 && m->byte_fallback) {
        int all = 1;
        for (size_t k = 0; k < n; k++)
            if (m->byte_fb[(unsigned char)s[k]] < 0)
                all = 0;
        if (all) {
            for (size_t k = 0; k < n; k++)
                if (aif_tk_ids_push(out, m->byte_fb[(unsigned char)s[k]]))
                    return aif_err_set(err, AIF_ENOMEM, "out of memory in Unigram");
            return AIF_OK;
        }
    }
    if (id < 0)
        id = m->unk_id;
    if (id < 0)
        return aif_err_set(err, AIF_EFORMAT, "Unigram: unknown text \"%.*s\" and the model has no unk_id",
                           (int)(n > 40 ? 40 : n), s);
    return aif_tk_ids_push(out, id) ? aif_err_set(err, AIF_ENOMEM, "out of memory in Unigram") : AIF_OK;
}

aif_code aif_tk_unigram_tokenize(const aif_tk_bpe *m, const char *s, size_t n, aif_token_ids *out, aif_err *err)
{
    if (!n)
        return AIF_OK;
    node *best = aif_malloc((n + 1) * sizeof *best);
    size_t *ends = aif_malloc((n + 1) * sizeof *ends);
    if (!best || !ends) {
        aif_free(best);
        aif_free(ends);
        return aif_err_set(err, AIF_ENOMEM, "out of memory in Unigram");
    }
    for (size_t i = 0; i <= n; i++)
        best[i] = (node){0.0, -1, 0};
    const aif_tk_trie *t = m->pieces;
    double unk_score = m->min_score - UNK_PENALTY;
    aif_code rc = AIF_OK;
    size_t at = 0;
    while (at < n) {
        double here = best[at].score;
        int mblen = aif_tk_utf8_len((unsigned char)s[at]);
        if (!mblen || at + (size_t)mblen > n)
            mblen = 1;
        int single = 0;
        /* common prefix search: every piece that starts at `at` */
        int32_t cur = t->nodes ? t->root[(unsigned char)s[at]] : -1;
        for (size_t len = 1; cur >= 0; len++) {
            int32_t id = t->nodes[cur].token;
            if (id >= 0) {
                node *tg = &best[at + len];
                double cand = m->scores[id] + here;
                if (tg->start < 0 || cand > tg->score)
                    *tg = (node){cand, (int64_t)at, id};
                if (len == (size_t)mblen)
                    single = 1;
            }
            if (at + len >= n)
                break;
            unsigned char b = (unsigned char)s[at + len];
            int32_t c = t->nodes[cur].first_child;
            while (c >= 0 && t->nodes[c].byte != b)
                c = t->nodes[c].next_sibling;
            cur = c;
        }
        if (!single) {
            if (m->unk_id < 0) {
                rc = aif_err_set(err, AIF_EFORMAT, "Unigram: unknown character at byte %zu and the model has no unk_id",
                                 at);
                break;
            }
            node *tg = &best[at + (size_t)mblen];
            double cand = unk_score + here;
            if (tg->start < 0 || cand > tg->score)
                *tg = (node){cand, (int64_t)at, m->unk_id};
        }
        at += (size_t)mblen;
    }
    if (rc == AIF_OK) {
        /* back from the end: piece boundaries, unk runs fused */
        size_t k = 0, e = n;
        while (e > 0) {
            ends[k++] = e;
            e = (size_t)best[e].start;
        }
        size_t start = 0;
        while (k > 0 && rc == AIF_OK) {
            size_t end = ends[--k];
            if (best[end].id == m->unk_id && m->unk_id >= 0) {
                /* extend over the following unk nodes */
                while (k > 0 && best[ends[k - 1]].id == m->unk_id)
                    end = ends[--k];
            }
            rc = emit(m, s + start, end - start, out, err);
            start = end;
        }
    }
    aif_free(best);
    aif_free(ends);
    return rc;
}
