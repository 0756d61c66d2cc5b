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

/* Normalize every piece without an id; empty results disappear. With al
 * (offsets only), al keeps one alignment per arena byte. */
static aif_code normalize_pieces(const aif_tokenizer *tok, aif_tk_buf *arena, aif_tk_pieces *ps, aif_tk_spans *al,
                                 aif_err *err)
{
    aif_tk_buf tmp = {0};
    aif_tk_spans tal = {0};
    size_t k = 0;
    aif_code rc = AIF_OK;
    for (size_t i = 0; i < ps->n; i++) {
        aif_tk_piece p = ps->v[i];
        if (p.id < 0) {
            if (al) {
                rc = aif_tk_norm_apply_al(tok->norm, arena->p + p.off, p.len, al->v + p.off, &tmp, &tal, err);
                if (rc == AIF_OK && tal.n != tmp.n)
                    rc = aif_err_set(err, AIF_EINTERNAL, "offsets: normalizer alignment of %zu bytes for %zu", tal.n,
                                     tmp.n);
                if (rc == AIF_OK && tal.n) {
                    size_t base = al->n;
                    if (aif_tk_spans_push(al, 0, 0, tal.n))
                        rc = oom(err);
                    else
                        memcpy(al->v + base, tal.v, tal.n * sizeof *tal.v);
                }
            } else {
                rc = aif_tk_norm_apply(tok->norm, arena->p + p.off, p.len, &tmp, err);
            }
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
    aif_tk_spans_release(&tal);
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
                         aif_tk_pieces *a, aif_tk_pieces *b, aif_tk_spans *al, aif_err *err)
{
    aif_code rc;
    if (aif_tk_buf_push(arena, text, len) || (len && aif_tk_pieces_push(a, 0, len, -1, PIECE_FIRST)))
        return oom(err);
    if (al) { /* each original byte: the range of its char */
        if (len > UINT32_MAX)
            return aif_err_set(err, AIF_ERANGE, "offsets: text of %zu bytes is over 4 GiB", len);
        size_t i = 0;
        while (i < len) {
            size_t l = (size_t)aif_tk_utf8_len((unsigned char)text[i]);
            if (aif_tk_spans_push(al, (uint32_t)i, (uint32_t)(i + l), l))
                return oom(err);
            i += l;
        }
    }
    if ((rc = aif_tk_added_split(tok, 0, split_special, arena, a, b, err)))
        return rc;
    if (tok->norm && (rc = normalize_pieces(tok, arena, b, al, err)))
        return rc;
    a->n = 0;
    if ((rc = aif_tk_added_split(tok, 1, split_special, arena, b, a, err)))
        return rc;
    size_t aligned = arena->n;
    if (tok->pre && (rc = aif_tk_pre_apply(tok->pre, arena, a, err)))
        return rc;
    if (al && arena->n != aligned)
        for (size_t i = 0; i < a->n; i++)
            if (a->v[i].off + a->v[i].len > aligned)
                return aif_err_set(err, AIF_ENOTSUP,
                                   "offsets: the pre-tokenizer rewrites the text (Metaspace, ByteLevel add_prefix_space "
                                   "or a split after ByteLevel); byte offsets are not tracked through it");
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
    rc = pipeline(tok, text, len, (flags & AIF_TOK_SPLIT_SPECIAL) != 0, &arena, &a, &b, NULL, err);
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

/* The post-processor (with AIF_TOK_ADD_SPECIAL) and truncation, on out[start..n). */
static aif_code finish(const aif_tokenizer *tok, unsigned flags, aif_token_ids *out, size_t start, aif_err *err)
{
    aif_code rc = AIF_OK;
    size_t lim = max_len(tok, flags);
    if (flags & AIF_TOK_ADD_SPECIAL) {
        size_t seq = out->n - start;
        int32_t *copy = NULL;
        if (lim && seq) { /* kept in case the result must be truncated */
            copy = aif_malloc(seq * sizeof *copy);
            if (!copy) {
                rc = oom(err);
                return rc;
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
    if ((rc = pipeline(tok, text, len, split_special, &arena, &a, &b, NULL, err)))
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
    rc = finish(tok, flags, out, start, err);
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

/* ------------------------------------------------------------------ offsets */

void aif_token_offsets_release(aif_token_offsets *o)
{
    if (!o)
        return;
    aif_free(o->v);
    memset(o, 0, sizeof *o);
}

static int offs_push(aif_token_offsets *o, uint32_t a, uint32_t b)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 16;
        uint32_t(*v)[2] = aif_realloc(o->v, cap * sizeof *v);
        if (!v)
            return -1;
        o->v = v;
        o->cap = cap;
    }
    o->v[o->n][0] = a;
    o->v[o->n][1] = b;
    o->n++;
    return 0;
}

static size_t count_cps(const char *t, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)t[i] & 0xC0) != 0x80;
    return c;
}

/* How many bytes of the piece s[pos..n) token id stands for: the model's
 * tokens spell their piece out (GPT-2 chars one byte each in byte-mapped
 * pieces), minus continuing_subword_prefix / end_of_word_suffix; a
 * byte-fallback token is one byte; an unknown token one char. */
static size_t token_bytes(const aif_tokenizer *tok, int32_t id, int first, int bytemapped, const char *s, size_t n,
                          size_t pos)
{
    const aif_tk_bpe *m = &tok->bpe;
    const char *t = aif_tokenizer_id_to_token(tok, id);
    size_t tl = t ? strlen(t) : 0;
    if (t && !first && m->prefix && *m->prefix && !strncmp(t, m->prefix, strlen(m->prefix))) {
        t += strlen(m->prefix);
        tl -= strlen(m->prefix);
    }
    if (t && m->suffix && *m->suffix) {
        size_t sl = strlen(m->suffix);
        if (tl >= sl && !memcmp(t + tl - sl, m->suffix, sl))
            tl -= sl;
    }
    size_t left = n - pos, k;
    if (!t || !left)
        k = 0;
    else if (bytemapped)
        k = count_cps(t, tl);
    else if (tl <= left && !memcmp(s + pos, t, tl))
        k = tl;
    else if (m->byte_fallback && tl == 6 && !memcmp(t, "<0x", 3) && t[5] == '>')
        k = 1;
    else
        k = (size_t)aif_tk_utf8_len((unsigned char)s[pos]);
    return k > left ? left : k;
}

/* The ids and offsets of one sequence (no post-processor). */
static aif_code encode_seq(const aif_tokenizer *tok, const char *text, size_t len, int split_special,
                           aif_token_ids *ids, aif_token_offsets *offs, aif_err *err)
{
    aif_tk_buf arena = {0};
    aif_tk_pieces a = {0}, b = {0};
    aif_tk_spans al = {0};
    aif_code rc = pipeline(tok, text, len, split_special, &arena, &a, &b, &al, err);
    for (size_t i = 0; i < a.n && rc == AIF_OK; i++) {
        aif_tk_piece *p = &a.v[i];
        const uint32_t(*pa)[2] = al.v + p->off;
        size_t k0 = ids->n;
        if (p->id >= 0) {
            if (aif_tk_ids_reserve(ids, ids->n + 1) || offs_push(offs, pa[0][0], pa[p->len - 1][1]))
                rc = oom(err);
            else
                ids->v[ids->n++] = p->id;
            continue;
        }
        int bm = (p->flags & PIECE_BYTEMAPPED) != 0;
        if (tok->bpe.unigram && bm)
            rc = aif_err_set(err, AIF_ENOTSUP, "offsets: a ByteLevel pre-tokenizer before a Unigram model");
        else if (tok->bpe.unigram)
            rc = aif_tk_unigram_tokenize(&tok->bpe, arena.p + p->off, p->len, ids, err);
        else
            rc = aif_tk_bpe_tokenize(&tok->bpe, arena.p + p->off, p->len, bm, ids, err);
        size_t pos = 0;
        for (size_t k = k0; k < ids->n && rc == AIF_OK; k++) {
            size_t nb = token_bytes(tok, ids->v[k], k == k0, bm, arena.p + p->off, p->len, pos);
            if (k + 1 == ids->n && pos + nb < p->len) /* the last token ends the piece */
                nb = p->len - pos;
            uint32_t o0, o1;
            if (nb) {
                o0 = pa[pos][0];
                o1 = pa[pos + nb - 1][1];
            } else {
                o0 = o1 = pos < p->len ? pa[pos][0] : pa[p->len - 1][1];
            }
            if (offs_push(offs, o0, o1))
                rc = oom(err);
            pos += nb;
        }
    }
    aif_tk_buf_release(&arena);
    aif_tk_pieces_release(&a);
    aif_tk_pieces_release(&b);
    aif_tk_spans_release(&al);
    return rc;
}

/* The ByteLevel / Roberta processor with trim_offsets in pp, or NULL. */
static const aif_tk_post *trimmer(const aif_tk_post *pp)
{
    if (!pp)
        return NULL;
    if (pp->type == POST_SEQUENCE) {
        for (size_t i = 0; i < pp->n_sub; i++) {
            const aif_tk_post *t = trimmer(&pp->sub[i]);
            if (t)
                return t;
        }
        return NULL;
    }
    return (pp->type == POST_BYTELEVEL || pp->type == POST_ROBERTA) && pp->trim_offsets ? pp : NULL;
}

static int space_like(int32_t cp)
{
    return cp == 0x120 || aif_tk_is_whitespace(cp); /* "Ġ" (the byte-level space) or whitespace */
}

/* trim_offsets of the ByteLevel post-processor (process_offsets), on the
 * offsets of one sequence o[0..n): leading / trailing space chars of each
 * token's string move its start / end inward. */
static void trim_offsets(const aif_tokenizer *tok, const aif_tk_post *tp, const int32_t *ids, uint32_t (*o)[2],
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *t = aif_tokenizer_id_to_token(tok, ids[i]);
        if (!t)
            continue;
        size_t tl = strlen(t), lead = 0, trail = 0, k = 0, chars = 0;
        int all = 1;
        while (k < tl) {
            int32_t cp;
            k += (size_t)aif_tk_utf8_decode(t + k, tl - k, &cp);
            chars++;
            if (space_like(cp)) {
                if (all)
                    lead++;
                trail++;
            } else {
                all = 0;
                trail = 0;
            }
        }
        if (all) /* a token of spaces only: take_while counts all of it from either side */
            trail = lead = chars;
        if (lead) {
            if ((i == 0 || o[i][0] == 0) && tp->add_prefix_space && lead == 1)
                lead = 0;
            uint32_t ns = o[i][0] + (uint32_t)lead;
            o[i][0] = ns < o[i][1] ? ns : o[i][1];
        }
        if (trail && o[i][1] >= trail) {
            uint32_t ne = o[i][1] - (uint32_t)trail;
            o[i][1] = ne > o[i][0] ? ne : o[i][0];
        }
    }
}

/* Marker ids -(i + 2) stand for sequence token i while the post-processor
 * runs; other ids it adds are special tokens: offsets (0, 0). */
static aif_code apply_markers(const aif_token_ids *seq, const aif_token_offsets *so, const aif_token_ids *marked,
                              aif_token_ids *ids, aif_token_offsets *offs, aif_err *err)
{
    for (size_t i = 0; i < marked->n; i++) {
        int32_t v = marked->v[i];
        int32_t id = v;
        uint32_t o0 = 0, o1 = 0;
        if (v <= -2) {
            size_t k = (size_t)(-(int64_t)v - 2);
            id = seq->v[k];
            o0 = so->v[k][0];
            o1 = so->v[k][1];
        }
        if (aif_tk_ids_reserve(ids, ids->n + 1) || offs_push(offs, o0, o1))
            return oom(err);
        ids->v[ids->n++] = id;
    }
    return AIF_OK;
}

static aif_code markers(size_t n, aif_token_ids *m, aif_err *err)
{
    if (n > INT32_MAX - 2)
        return aif_err_set(err, AIF_ERANGE, "offsets: %zu tokens", n);
    if (aif_tk_ids_reserve(m, m->n + n))
        return oom(err);
    for (size_t i = 0; i < n; i++)
        m->v[m->n++] = -(int32_t)i - 2;
    return AIF_OK;
}

static unsigned call_flags(const aif_tokenizer *tok, unsigned flags)
{
    if (flags & AIF_TOK_CALL)
        flags |= AIF_TOK_ADD_SPECIAL | (tok->split_special ? AIF_TOK_SPLIT_SPECIAL : 0);
    return flags;
}

aif_code aif_tokenizer_encode_offsets(const aif_tokenizer *tok, const char *text, size_t len, unsigned flags,
                                      aif_token_ids *ids, aif_token_offsets *offsets, aif_err *err)
{
    aif_code rc = check_utf8(text, len, err);
    if (rc)
        return rc;
    flags = call_flags(tok, flags);
    aif_token_ids seq = {0}, mk = {0};
    aif_token_offsets so = {0};
    size_t n0 = ids->n, o0 = offsets->n;
    rc = encode_seq(tok, text, len, (flags & AIF_TOK_SPLIT_SPECIAL) != 0, &seq, &so, err);
    const aif_tk_post *tp = trimmer(tok->post);
    if (rc == AIF_OK && tp)
        trim_offsets(tok, tp, seq.v, so.v, so.n);
    if (rc == AIF_OK)
        rc = markers(seq.n, &mk, err);
    if (rc == AIF_OK)
        rc = finish(tok, flags, &mk, 0, err);
    if (rc == AIF_OK)
        rc = apply_markers(&seq, &so, &mk, ids, offsets, err);
    if (rc) {
        ids->n = n0;
        offsets->n = o0;
    }
    aif_token_ids_release(&seq);
    aif_token_ids_release(&mk);
    aif_token_offsets_release(&so);
    return rc;
}

aif_code aif_tokenizer_encode_pair_offsets(const aif_tokenizer *tok, const char *a, size_t len_a, const char *b,
                                           size_t len_b, unsigned flags, aif_token_ids *ids,
                                           aif_token_offsets *offsets, aif_err *err)
{
    aif_code rc = check_utf8(a, len_a, err);
    if (rc)
        return aif_err_wrap(err, "first sequence");
    if ((rc = check_utf8(b, len_b, err)))
        return aif_err_wrap(err, "second sequence");
    flags = call_flags(tok, flags);
    int ss = (flags & AIF_TOK_SPLIT_SPECIAL) != 0;
    aif_token_ids seq = {0}, mk = {0};
    aif_token_offsets so = {0}, tmp = {0};
    size_t n0 = ids->n, o0 = offsets ? offsets->n : 0;
    rc = encode_seq(tok, a, len_a, ss, &seq, &so, err);
    size_t na = seq.n;
    if (rc == AIF_OK)
        rc = encode_seq(tok, b, len_b, ss, &seq, &so, err);
    const aif_tk_post *tp = trimmer(tok->post);
    if (rc == AIF_OK && tp && seq.n) { /* no pointer arithmetic on empty (NULL) lists */
        trim_offsets(tok, tp, seq.v, so.v, na);
        trim_offsets(tok, tp, seq.v + na, so.v + na, seq.n - na);
    }
    if (rc == AIF_OK)
        rc = markers(seq.n, &mk, err);
    if (rc == AIF_OK && (flags & AIF_TOK_ADD_SPECIAL)) {
        aif_token_ids out = {0};
        if ((flags & AIF_TOK_CALL) && tok->llama_class) {
            /* LlamaTokenizerFast pair template: bos? A eos? bos? B eos? */
            int32_t bos = tok->add_bos > 0 ? tok->bos_id : -1, eos = tok->add_eos > 0 ? tok->eos_id : -1;
            for (int s = 0; s < 2 && rc == AIF_OK; s++) {
                size_t lo = s ? na : 0, hi = s ? mk.n : na;
                if (aif_tk_ids_reserve(&out, out.n + hi - lo + 2)) {
                    rc = oom(err);
                    break;
                }
                if (bos >= 0)
                    out.v[out.n++] = bos;
                if (hi > lo)
                    memcpy(out.v + out.n, mk.v + lo, (hi - lo) * sizeof *mk.v);
                out.n += hi - lo;
                if (eos >= 0)
                    out.v[out.n++] = eos;
            }
        } else {
            rc = aif_tk_post_apply_pair(tok->post, mk.v, na, mk.n ? mk.v + na : NULL, mk.n - na, &out, err);
        }
        aif_token_ids_release(&mk);
        mk = out;
    }
    if (rc == AIF_OK)
        rc = apply_markers(&seq, &so, &mk, ids, offsets ? offsets : &tmp, err);
    if (rc) {
        ids->n = n0;
        if (offsets)
            offsets->n = o0;
    }
    aif_token_ids_release(&seq);
    aif_token_ids_release(&mk);
    aif_token_offsets_release(&so);
    aif_token_offsets_release(&tmp);
    return rc;
}

aif_code aif_tokenizer_encode_pair(const aif_tokenizer *tok, const char *a, size_t len_a, const char *b, size_t len_b,
                                   unsigned flags, aif_token_ids *ids, aif_err *err)
{
    return aif_tokenizer_encode_pair_offsets(tok, a, len_a, b, len_b, flags, ids, NULL, err);
}
