/* load_model.c: the "model" of tokenizer.json: BPE (vocab, merges in both
 * serialisations, byte-level and SentencePiece fast-path tables) or Unigram
 * (pieces with scores, their trie). */
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "load_int.h"

/* ---------------------------------------------------------------------- model */

static aif_code merges_insert(aif_tk_bpe *m, int32_t a, int32_t b, uint32_t rank, int32_t nid)
{
    uint64_t k = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    size_t j = aif_tk_merge_hash(k) & m->mmask;
    while (m->mtab[j].new_id >= 0 && m->mtab[j].key != k)
        j = (j + 1) & m->mmask;
    if (m->mtab[j].new_id < 0)
        m->n_merges++;
    m->mtab[j] = (struct aif_tk_merge){k, rank, nid}; /* a repeated pair: the later rank wins (HashMap insert) */
    return AIF_OK;
}

static aif_code add_merge(aif_tk_bpe *m, const char *a, size_t al, const char *b, size_t bl, uint32_t rank, aif_tk_buf *tmp,
                          aif_err *err)
{
    int32_t ia = aif_tk_strmap_get(&m->vocab, a, al), ib = aif_tk_strmap_get(&m->vocab, b, bl);
    if (ia < 0 || ib < 0) {
        const char *bad = ia < 0 ? a : b;
        int bn = (int)(ia < 0 ? al : bl);
        return aif_err_set(err, AIF_EFORMAT, "model.merges[%u]: token \"%.*s\" is not in the vocab", rank,
                           bn > 100 ? 100 : bn, bad);
    }
    size_t plen = m->prefix ? strlen(m->prefix) : 0;
    if (bl < plen)
        return aif_err_set(err, AIF_EFORMAT, "model.merges[%u]: \"%.*s\" is shorter than continuing_subword_prefix", rank,
                           (int)(bl > 100 ? 100 : bl), b);
    tmp->n = 0;
    if (aif_tk_buf_push(tmp, a, al) || aif_tk_buf_push(tmp, b + plen, bl - plen))
        return aif_tk_load_oom(err);
    int32_t nid = aif_tk_strmap_get(&m->vocab, tmp->p, tmp->n);
    if (nid < 0)
        return aif_err_set(err, AIF_EFORMAT, "model.merges[%u]: merged token \"%.*s\" is not in the vocab", rank,
                           (int)(tmp->n > 100 ? 100 : tmp->n), tmp->p);
    return merges_insert(m, ia, ib, rank, nid);
}

static char *opt_str(json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    if (!s || !*s)
        return NULL;
    return aif_strdup(s);
}

static void byte_fallback_ids(aif_tk_bpe *m)
{
    for (int b = 0; b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        m->byte_fb[b] = aif_tk_strmap_get(&m->vocab, name, 6);
    }
}

/* Unigram: "vocab": [[piece, score], ...], "unk_id", "byte_fallback". */
static aif_code parse_unigram(json_t *j, aif_tk_bpe *m, aif_err *err)
{
    json_t *vocab = json_object_get(j, "vocab"), *unk = json_object_get(j, "unk_id");
    if (!json_is_array(vocab))
        return aif_err_set(err, AIF_EFORMAT, "model (Unigram): missing vocab (array)");
    size_t n = json_array_size(vocab);
    if (n >= MAX_VOCAB_ID)
        return aif_err_set(err, AIF_ERANGE, "model (Unigram): %zu pieces, above %d", n, MAX_VOCAB_ID);
    m->unigram = 1;
    m->unk_id = -1;
    if (unk && !json_is_null(unk)) {
        if (!json_is_integer(unk) || json_integer_value(unk) < 0 || (size_t)json_integer_value(unk) >= n)
            return aif_err_set(err, AIF_EFORMAT, "model (Unigram): unk_id is not an index into vocab");
        m->unk_id = (int32_t)json_integer_value(unk);
    }
    m->byte_fallback = aif_tk_json_bool(j, "byte_fallback", 0);
    m->model_vocab_size = n;
    m->n_id_tok = n;
    m->scores = aif_malloc((n + 1) * sizeof *m->scores);
    m->id_off = aif_malloc((n + 1) * sizeof *m->id_off);
    m->pieces = aif_calloc(1, sizeof *m->pieces);
    if (!m->scores || !m->id_off || !m->pieces || aif_tk_trie_insert(m->pieces, "", 0, -1))
        return aif_tk_load_oom(err);
    m->min_score = 1.0 / 0.0;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(vocab, i), *p = json_array_get(e, 0), *sc = json_array_get(e, 1);
        if (!json_is_string(p) || !json_is_number(sc) || !aif_tk_json_utf8(p))
            return aif_err_set(err, AIF_EFORMAT, "model.vocab[%zu]: expected [piece, score]", i);
        const char *ps = json_string_value(p);
        size_t pl = json_string_length(p);
        m->scores[i] = json_number_value(sc);
        if (m->scores[i] < m->min_score)
            m->min_score = m->scores[i];
        if (aif_tk_strmap_put(&m->vocab, ps, pl, (int32_t)i) || aif_tk_trie_insert(m->pieces, ps, pl, (int32_t)i))
            return aif_tk_load_oom(err);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(json_array_get(vocab, i), 0);
        m->id_off[i] = aif_tk_strmap_key_off(&m->vocab, json_string_value(p), json_string_length(p));
    }
    byte_fallback_ids(m);
    return AIF_OK;
}

aif_code aif_tk_parse_model(json_t *j, aif_tk_bpe *m, aif_err *err)
{
    if (!json_is_object(j))
        return aif_err_set(err, AIF_EFORMAT, "\"model\" must be an object");
    json_t *ty = json_object_get(j, "type");
    if ((ty && json_is_string(ty) && !strcmp(json_string_value(ty), "Unigram")) ||
        (!ty && json_is_array(json_object_get(j, "vocab"))))
        return parse_unigram(j, m, err);
    if (ty && (!json_is_string(ty) || strcmp(json_string_value(ty), "BPE")))
        return aif_err_set(err, AIF_ENOTSUP, "unsupported model \"%s\" (only BPE and Unigram)",
                           json_is_string(ty) ? json_string_value(ty) : "?");
    json_t *vocab = json_object_get(j, "vocab"), *merges = json_object_get(j, "merges");
    if (!json_is_object(vocab) || !json_is_array(merges))
        return aif_err_set(err, AIF_EFORMAT, "model: missing vocab (object) or merges (array)");
    json_t *dropout = json_object_get(j, "dropout");
    if (dropout && !json_is_null(dropout) && !(json_is_number(dropout) && json_number_value(dropout) == 0.0))
        return aif_err_set(err, AIF_ENOTSUP, "unsupported model.dropout (only null)");
    m->fuse_unk = aif_tk_json_bool(j, "fuse_unk", 0);
    m->byte_fallback = aif_tk_json_bool(j, "byte_fallback", 0);
    m->ignore_merges = aif_tk_json_bool(j, "ignore_merges", 0);
    m->prefix = opt_str(j, "continuing_subword_prefix");
    m->suffix = opt_str(j, "end_of_word_suffix");

    /* vocab */
    const char *key;
    json_t *val;
    int64_t max_id = -1;
    json_object_foreach(vocab, key, val) {
        if (!json_is_integer(val) || json_integer_value(val) < 0 || json_integer_value(val) >= MAX_VOCAB_ID)
            return aif_err_set(err, AIF_EFORMAT, "model.vocab[\"%.100s\"]: id must be an integer in [0, %d)", key,
                               MAX_VOCAB_ID);
        if (json_integer_value(val) > max_id)
            max_id = json_integer_value(val);
    }
    m->n_id_tok = (size_t)(max_id + 1);
    m->id_off = aif_malloc((m->n_id_tok + 1) * sizeof *m->id_off);
    if (!m->id_off)
        return aif_tk_load_oom(err);
    for (size_t i = 0; i <= m->n_id_tok; i++)
        m->id_off[i] = -1;
    void *iter = json_object_iter(vocab);
    while (iter) {
        const char *k = json_object_iter_key(iter);
        size_t kl = json_object_iter_key_len(iter);
        int32_t id = (int32_t)json_integer_value(json_object_iter_value(iter));
        if (aif_tk_utf8_check(k, kl) != kl)
            return aif_err_set(err, AIF_EUTF8, "model.vocab: token with invalid UTF-8");
        if (aif_tk_strmap_put(&m->vocab, k, kl, id))
            return aif_tk_load_oom(err);
        iter = json_object_iter_next(vocab, iter);
    }
    m->model_vocab_size = m->vocab.n;
    /* id -> token: the keys are NUL-terminated in the pool, which no longer moves */
    for (size_t i = 0; i < m->vocab.n; i++)
        m->id_off[m->vocab.ent[i].val] = (int64_t)m->vocab.ent[i].off;
    const char *unk = json_string_value(json_object_get(j, "unk_token"));
    m->unk_id = unk ? aif_tk_strmap_get(&m->vocab, unk, strlen(unk)) : -1;

    /* merges */
    size_t nm = json_array_size(merges), slots = 16;
    while (slots < 2 * nm + 2)
        slots *= 2;
    m->mtab = aif_malloc(slots * sizeof *m->mtab);
    if (!m->mtab)
        return aif_tk_load_oom(err);
    for (size_t i = 0; i < slots; i++)
        m->mtab[i].new_id = -1;
    m->mmask = slots - 1;
    aif_tk_buf tmp = {0};
    uint32_t rank = 0;
    aif_code rc = AIF_OK;
    for (size_t i = 0; i < nm && rc == AIF_OK; i++) {
        json_t *e = json_array_get(merges, i);
        if (json_is_string(e)) {
            const char *s = json_string_value(e);
            size_t n = json_string_length(e);
            if (n >= 8 && !memcmp(s, "#version", 8))
                continue;
            const char *sp = memchr(s, ' ', n);
            if (!sp || memchr(sp + 1, ' ', n - (size_t)(sp + 1 - s)))
                rc = aif_err_set(err, AIF_EFORMAT, "model.merges[%zu]: \"%.100s\" is not two tokens separated by one space",
                                 i, s);
            else
                rc = add_merge(m, s, (size_t)(sp - s), sp + 1, n - (size_t)(sp + 1 - s), rank++, &tmp, err);
        } else if (json_is_array(e) && json_array_size(e) == 2 && json_is_string(json_array_get(e, 0)) &&
                   json_is_string(json_array_get(e, 1))) {
            json_t *a = json_array_get(e, 0), *b = json_array_get(e, 1);
            rc = add_merge(m, json_string_value(a), json_string_length(a), json_string_value(b), json_string_length(b),
                           rank++, &tmp, err);
        } else {
            rc = aif_err_set(err, AIF_EFORMAT, "model.merges[%zu]: expected \"a b\" or [\"a\", \"b\"]", i);
        }
    }
    aif_tk_buf_release(&tmp);
    if (rc)
        return rc;

    /* byte fallback ids and the byte-level fast path */
    aif_tk_bytelevel_init();
    byte_fallback_ids(m);
    for (int b = 0; b < 256; b++) {
        char enc[4];
        int l = aif_tk_utf8_encode(aif_tk_byte_char[b], enc);
        m->byte_id[b] = aif_tk_strmap_get(&m->vocab, enc, (size_t)l);
    }
    m->bytes_ok = !m->prefix && !m->suffix;
    for (int b = 0; b < 256; b++)
        if (m->byte_id[b] < 0)
            m->bytes_ok = 0;
    if (m->ignore_merges && m->bytes_ok) {
        aif_tk_buf raw = {0};
        for (size_t i = 0; i < m->vocab.n; i++) {
            const char *s = m->vocab.pool.p + m->vocab.ent[i].off;
            size_t n = m->vocab.ent[i].len, k = 0;
            int ok = 1;
            raw.n = 0;
            while (k < n && ok) {
                int32_t cp;
                k += (size_t)aif_tk_utf8_decode(s + k, n - k, &cp);
                int b = aif_tk_char_byte(cp);
                unsigned char c = (unsigned char)b;
                if (b < 0 || aif_tk_buf_push(&raw, &c, 1))
                    ok = 0;
            }
            if (ok && aif_tk_strmap_put(&m->raw_vocab, raw.p, raw.n, m->vocab.ent[i].val)) {
                aif_tk_buf_release(&raw);
                return aif_tk_load_oom(err);
            }
        }
        aif_tk_buf_release(&raw);
    }
    /* SentencePiece-style vocabularies: can a merge cross the start of a run of U+2581? */
    m->spm_split = !m->prefix && !m->suffix && aif_tk_strmap_get(&m->vocab, "\xE2\x96\x81", 3) >= 0;
    for (size_t i = 0; i < m->vocab.n && m->spm_split; i++) {
        const char *t = m->vocab.pool.p + m->vocab.ent[i].off;
        size_t n = m->vocab.ent[i].len;
        for (size_t k = 1; k + 3 <= n; k++)
            if (!memcmp(t + k, "\xE2\x96\x81", 3) && !(k >= 3 && !memcmp(t + k - 3, "\xE2\x96\x81", 3))) {
                m->spm_split = 0;
                break;
            }
    }
    if (aif_tk_bpe_cache_init(m))
        return aif_tk_load_oom(err);
    return AIF_OK;
}
