/* encode.c: the encode pipeline (see tok_int.h), decode, and batch
 * encoding over an aif_pool. */
#include <string.h>

#include "aif/alloc.h"
#include "tok_int.h"

void aif_token_ids_release(aif_token_ids *ids)
{
    if (!ids)
        return;
    aif_free(ids->v);
    memset(ids, 0, sizeof *ids);
}

static aif_code oom(aif_err *err)
{
    return aif_err_set(err, AIF_ENOMEM, "out of memory encoding");
}

/* Normalize every piece without an id; empty results disappear. */
static aif_code normalize_pieces(const aif_tokenizer *tok, aif_tk_buf *arena, aif_tk_pieces *ps, aif_err *err)
{
    aif_tk_buf tmp = {0};
    size_t k = 0;
    aif_code rc = AIF_OK;
    for (size_t i = 0; i < ps->n; i++) {
        aif_tk_piece p = ps->v[i];
        if (p.id < 0) {
            rc = aif_tk_norm_apply(tok->norm, arena->p + p.off, p.len, &tmp, err);
            if (rc)
                break;
            p.off = arena->n;
            p.len = tmp.n;
            if (aif_tk_buf_push(arena, tmp.p, tmp.n)) {
                rc = oom(err);
                break;
            }
            if (!p.len)
                continue;
        }
        ps->v[k++] = p;
    }
    ps->n = k;
    aif_tk_buf_release(&tmp);
    return rc;
}

int aif_tk_ids_reserve(aif_token_ids *ids, size_t need)
{
    if (need <= ids->cap)
        return 0;
    size_t cap = ids->cap ? ids->cap : 16;
    while (cap < need)
        cap *= 2;
    int32_t *v = aif_realloc(ids->v, cap * sizeof *v);
    if (!v)
        return -1;
    ids->v = v;
    ids->cap = cap;
    return 0;
}

int aif_tk_ids_push(aif_token_ids *ids, int32_t id)
{
    if (aif_tk_ids_reserve(ids, ids->n + 1))
        return -1;
    ids->v[ids->n++] = id;
    return 0;
}

/* Special tokens of the selected post-processing around out[start..n). */
static aif_code add_special(const aif_tokenizer *tok, unsigned flags, aif_token_ids *out, size_t start, aif_err *err)
{
    if ((flags & AIF_TOK_CALL) && tok->llama_class) {
        /* LlamaTokenizerFast.update_post_processor: bos? $A eos? */
        int32_t before = tok->add_bos > 0 ? tok->bos_id : -1, after = tok->add_eos > 0 ? tok->eos_id : -1;
        size_t len = out->n - start;
        if (aif_tk_ids_reserve(out, out->n + 2))
            return oom(err);
        if (before >= 0) {
            memmove(out->v + start + 1, out->v + start, len * sizeof *out->v);
            out->v[start] = before;
            out->n++;
        }
        if (after >= 0)
            out->v[out->n++] = after;
        return AIF_OK;
    }
    if (tok->post)
        return aif_tk_post_apply(tok->post, out, start, err);
    return AIF_OK;
}

static size_t max_len(const aif_tokenizer *tok, unsigned flags)
{
    size_t m = tok->trunc_max;
    if ((flags & AIF_TOK_CALL) && tok->model_max_length && (!m || tok->model_max_length < m))
        m = tok->model_max_length;
    return m;
}

/* Added tokens, normalizer, pre-tokenizers: text -> pieces in *a (b is scratch). */
static aif_code pipeline(const aif_tokenizer *tok, const char *text, size_t len, int split_special, aif_tk_buf *arena,
                         aif_tk_pieces *a, aif_tk_pieces *b, aif_err *err)
{
    aif_code rc;
    if (aif_tk_buf_push(arena, text, len) || (len && aif_tk_pieces_push(a, 0, len, -1, PIECE_FIRST)))
        return oom(err);
    if ((rc = aif_tk_added_split(tok, 0, split_special, arena, a, b, err)))
        return rc;
    if (tok->norm && (rc = normalize_pieces(tok, arena, b, err)))
        return rc;
    a->n = 0;
    if ((rc = aif_tk_added_split(tok, 1, split_special, arena, b, a, err)))
        return rc;
    if (tok->pre && (rc = aif_tk_pre_apply(tok->pre, arena, a, err)))
        return rc;
    return AIF_OK;
}

static aif_code check_utf8(const char *text, size_t len, aif_err *err)
{
    size_t bad = aif_tk_utf8_check(text, len);
    if (bad != len)
        return aif_err_set(err, AIF_EUTF8, "invalid UTF-8 at byte offset %zu (byte 0x%02X)", bad,
                           (unsigned)(unsigned char)text[bad]);
    return AIF_OK;
}

aif_code aif_tokenizer_pieces(const aif_tokenizer *tok, const char *text, size_t len, unsigned flags,
                              aif_tokenizer_piece_fn fn, void *arg, aif_err *err)
{
    aif_code rc = check_utf8(text, len, err);
    if (rc)
        return rc;
    if ((flags & AIF_TOK_CALL) && tok->split_special)
        flags |= AIF_TOK_SPLIT_SPECIAL;
    aif_tk_buf arena = {0}, tmp = {0};
    aif_tk_pieces a = {0}, b = {0};
    rc = pipeline(tok, text, len, (flags & AIF_TOK_SPLIT_SPECIAL) != 0, &arena, &a, &b, err);
    for (size_t i = 0; i < a.n && rc == AIF_OK; i++) {
        aif_tk_piece *p = &a.v[i];
        const char *s = arena.p + p->off;
        size_t n = p->len;
        if (p->flags & PIECE_BYTEMAPPED) {
            tmp.n = 0;
            for (size_t k = 0; k < p->len; k++) {
                char enc[4];
                int l = aif_tk_utf8_encode(aif_tk_byte_char[(unsigned char)s[k]], enc);
                if (aif_tk_buf_push(&tmp, enc, (size_t)l)) {
                    rc = oom(err);
                    break;
                }
            }
            s = tmp.p;
            n = tmp.n;
        }
        if (rc == AIF_OK && fn(arg, s, n, p->id))
            rc = aif_err_set(err, AIF_ECANCELED, "stopped by the callback");
    }
    aif_tk_buf_release(&tmp);
    aif_tk_buf_release(&arena);
    aif_tk_pieces_release(&a);
    aif_tk_pieces_release(&b);
    return rc;
}

aif_code aif_tokenizer_encode(const aif_tokenizer *tok, const char *text, size_t len, unsigned flags,
                              aif_token_ids *out, aif_err *err)
{
    aif_code rc = check_utf8(text, len, err);
    if (rc)
        return rc;
    if (flags & AIF_TOK_CALL)
        flags |= AIF_TOK_ADD_SPECIAL | (tok->split_special ? AIF_TOK_SPLIT_SPECIAL : 0);
    int split_special = (flags & AIF_TOK_SPLIT_SPECIAL) != 0;
    aif_tk_buf arena = {0};
    aif_tk_pieces a = {0}, b = {0};
    size_t start = out->n;
    if ((rc = pipeline(tok, text, len, split_special, &arena, &a, &b, err)))
        goto done;
    for (size_t i = 0; i < a.n && rc == AIF_OK; i++) {
        aif_tk_piece *p = &a.v[i];
        if (p->id >= 0) {
            if (aif_tk_ids_reserve(out, out->n + 1))
                rc = oom(err);
            else
                out->v[out->n++] = p->id;
        } else if (tok->bpe.unigram) {
            if (p->flags & PIECE_BYTEMAPPED) {
                /* a ByteLevel pre-tokenizer before a Unigram model: the GPT-2 chars */
                aif_tk_buf m = {0};
                for (size_t k = 0; k < p->len && rc == AIF_OK; k++) {
                    char enc[4];
                    int l = aif_tk_utf8_encode(aif_tk_byte_char[(unsigned char)arena.p[p->off + k]], enc);
                    if (aif_tk_buf_push(&m, enc, (size_t)l))
                        rc = oom(err);
                }
                if (rc == AIF_OK)
                    rc = aif_tk_unigram_tokenize(&tok->bpe, m.p, m.n, out, err);
                aif_tk_buf_release(&m);
            } else {
                rc = aif_tk_unigram_tokenize(&tok->bpe, arena.p + p->off, p->len, out, err);
            }
        } else {
            rc = aif_tk_bpe_tokenize(&tok->bpe, arena.p + p->off, p->len, (p->flags & PIECE_BYTEMAPPED) != 0, out, err);
        }
    }
    if (rc)
        goto done;
    size_t lim = max_len(tok, flags);
    if (flags & AIF_TOK_ADD_SPECIAL) {
        size_t seq = out->n - start;
        int32_t *copy = NULL;
        if (lim && seq) { /* kept in case the result must be truncated */
            copy = aif_malloc(seq * sizeof *copy);
            if (!copy) {
                rc = oom(err);
                goto done;
            }
            memcpy(copy, out->v + start, seq * sizeof *copy);
        }
        rc = add_special(tok, flags, out, start, err);
        size_t added = out->n - start - seq;
        if (rc == AIF_OK && lim && out->n - start > lim) {
            /* truncate the sequence, keeping the special tokens (transformers / tokenizers order) */
            size_t keep = lim > added ? lim - added : 0;
            memcpy(out->v + start, copy, keep * sizeof *copy);
            out->n = start + keep;
            rc = add_special(tok, flags, out, start, err);
            if (rc == AIF_OK && out->n - start > lim)
                out->n = start + lim;
        }
        aif_free(copy);
    } else if (lim && out->n - start > lim) {
        out->n = start + lim;
    }
done:
    if (rc)
        out->n = start;
    aif_tk_buf_release(&arena);
    aif_tk_pieces_release(&a);
    aif_tk_pieces_release(&b);
    return rc;
}

static int is_special_id(const aif_tokenizer *tok, int32_t id)
{
    return (size_t)id < tok->n_special_ids && (tok->special_ids[id / 8] >> (id % 8) & 1);
}

aif_code aif_tokenizer_decode(const aif_tokenizer *tok, const int32_t *ids, size_t n_ids, unsigned flags, char **text,
                              size_t *len, aif_err *err)
{
    *text = NULL;
    if (len)
        *len = 0;
    int skip = (flags & AIF_TOK_SKIP_SPECIAL) != 0;
    aif_tk_strs toks = {0};
    aif_tk_buf out = {0};
    aif_code rc = AIF_OK;
    if (tok->dec && tok->dec->type == DEC_BYTELEVEL) {
        /* the usual byte-level decoder alone: map straight to bytes, then from_utf8_lossy */
        aif_tk_buf raw = {0};
        for (size_t i = 0; i < n_ids && rc == AIF_OK; i++) {
            const char *t = aif_tokenizer_id_to_token(tok, ids[i]);
            if (!t || (skip && is_special_id(tok, ids[i])))
                continue;
            size_t n = strlen(t), mark = raw.n, k = 0;
            if (aif_tk_buf_reserve(&raw, n + 1)) {
                rc = oom(err);
                break;
            }
            while (k < n) {
                int32_t cp;
                k += (size_t)aif_tk_utf8_decode(t + k, n - k, &cp);
                int b = aif_tk_char_byte(cp);
                if (b < 0) { /* not a byte-level token: its text as it is */
                    raw.n = mark;
                    memcpy(raw.p + raw.n, t, n);
                    raw.n += n;
                    break;
                }
                raw.p[raw.n++] = (char)b;
            }
        }
        if (rc == AIF_OK && (aif_tk_buf_push(&out, "", 0) || aif_tk_utf8_lossy(raw.p, raw.n, &out)))
            rc = oom(err);
        aif_tk_buf_release(&raw);
    } else {
        for (size_t i = 0; i < n_ids && rc == AIF_OK; i++) {
            const char *t = aif_tokenizer_id_to_token(tok, ids[i]);
            if (!t || (skip && is_special_id(tok, ids[i])))
                continue;
            if (aif_tk_strs_push(&toks, t, strlen(t)))
                rc = oom(err);
        }
        if (rc == AIF_OK && tok->dec)
            rc = aif_tk_dec_apply(tok->dec, &toks, err);
        if (rc == AIF_OK && aif_tk_buf_reserve(&out, toks.text.n + toks.n + 1))
            rc = oom(err);
        for (size_t i = 0; i < toks.n && rc == AIF_OK; i++)
            if ((!tok->dec && i && aif_tk_buf_push(&out, " ", 1)) ||
                aif_tk_buf_push(&out, toks.text.p + toks.off[i], toks.len[i]))
                rc = oom(err);
        if (rc == AIF_OK && !out.p && aif_tk_buf_push(&out, "", 0))
            rc = oom(err);
    }
    aif_tk_strs_release(&toks);
    if (rc) {
        aif_tk_buf_release(&out);
        return rc;
    }
    if ((flags & AIF_TOK_CLEAN_SPACES) || ((flags & AIF_TOK_CALL) && tok->clean_spaces))
        out.n = aif_tk_clean_up_spaces(out.p, out.n);
    out.p[out.n] = 0;
    *text = out.p;
    if (len)
        *len = out.n;
    return AIF_OK;
}

/* ------------------------------------------------------------------- batches */

struct batch {
    const aif_tokenizer *tok;
    const char *const *texts;
    const size_t *lens;
    size_t n;
    unsigned flags;
    aif_token_ids *outs;
    aif_code *codes;
    aif_err *errs; /* one per text */
};

static void batch_fn(void *arg, int ith, int nth)
{
    struct batch *b = arg;
    size_t lo, hi;
    aif_pool_split(b->n, ith, nth, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        b->outs[i].n = 0;
        b->codes[i] = aif_tokenizer_encode(b->tok, b->texts[i], b->lens[i], b->flags, &b->outs[i], &b->errs[i]);
        if (b->codes[i])
            aif_err_wrap(&b->errs[i], "text %zu", i);
    }
}

aif_code aif_tokenizer_encode_batch(const aif_tokenizer *tok, const char *const *texts, const size_t *lens, size_t n,
                                    unsigned flags, aif_pool *pool, aif_token_ids *outs, aif_err *err)
{
    aif_code *codes = aif_calloc(n + 1, sizeof *codes);
    aif_err *errs = aif_calloc(n + 1, sizeof *errs);
    if (!codes || !errs) {
        aif_free(codes);
        aif_free(errs);
        return aif_err_set(err, AIF_ENOMEM, "out of memory encoding a batch of %zu texts", n);
    }
    struct batch b = {tok, texts, lens, n, flags, outs, codes, errs};
    aif_pool_run(pool, batch_fn, &b);
    aif_code rc = AIF_OK;
    for (size_t i = 0; i < n && !rc; i++)
        if (codes[i]) {
            rc = codes[i];
            if (err)
                *err = errs[i];
        }
    aif_free(codes);
    aif_free(errs);
    return rc;
}
