/* load.c: tokenizer.json (jansson) into the structures of tok_int.h, plus
 * tokenizer_config.json / special_tokens_map.json from the same folder,
 * and the small accessors of the public API. The components are parsed in
 * load_components.c, the model in load_model.c, the config files in
 * load_config.c. */
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "load_int.h"

/* -------------------------------------------------------------- added tokens */

static aif_code add_token(aif_tokenizer *tok, json_t *t, size_t idx, aif_err *err)
{
    aif_tk_addedvocab *av = &tok->added;
    json_t *c = json_object_get(t, "content");
    if (!json_is_string(c) || !aif_tk_json_utf8(c))
        return aif_err_set(err, AIF_EFORMAT, "added_tokens[%zu]: \"content\" must be a string", idx);
    const char *s = json_string_value(c);
    size_t n = json_string_length(c);
    if (!n)
        return AIF_OK;
    aif_tk_added a = {0};
    a.special = aif_tk_json_bool(t, "special", 0);
    a.single_word = aif_tk_json_bool(t, "single_word", 0);
    a.lstrip = aif_tk_json_bool(t, "lstrip", 0);
    a.rstrip = aif_tk_json_bool(t, "rstrip", 0);
    a.normalized = aif_tk_json_bool(t, "normalized", !a.special);
    int32_t existing = aif_tk_strmap_get(&av->map, s, n);
    if (existing >= 0) {
        aif_tk_added *e = &av->tok[existing];
        if (e->special == a.special && e->single_word == a.single_word && e->lstrip == a.lstrip &&
            e->rstrip == a.rstrip && e->normalized == a.normalized)
            return AIF_OK;
    }
    /* id: the existing one (added map first, then the model), else the next free one */
    int32_t id = existing >= 0 ? av->tok[existing].id : aif_tk_strmap_get(&tok->bpe.vocab, s, n);
    if (id < 0) {
        int64_t max = -1;
        for (size_t i = 0; i < av->n; i++)
            if (av->tok[i].id > max)
                max = av->tok[i].id;
        int64_t vs = (int64_t)tok->bpe.model_vocab_size;
        id = (int32_t)(max < 0 ? vs : (max >= vs || vs == 0) ? max + 1 : vs);
        if (id >= MAX_VOCAB_ID)
            return aif_err_set(err, AIF_ERANGE, "added_tokens[%zu]: id beyond %d", idx, MAX_VOCAB_ID);
    }
    if (av->n == av->cap) {
        size_t cap = av->cap ? av->cap * 2 : 16;
        aif_tk_added *v = aif_realloc(av->tok, cap * sizeof *v);
        if (!v)
            return aif_tk_load_oom(err);
        av->tok = v;
        av->cap = cap;
    }
    a.content = aif_tk_dup(s, n);
    a.len = n;
    a.id = id;
    if (!a.content)
        return aif_tk_load_oom(err);
    if (existing >= 0) {
        /* same content, other properties: the entry is replaced */
        aif_free(av->tok[existing].content);
        av->tok[existing] = a;
        return AIF_OK;
    }
    av->tok[av->n] = a;
    if (aif_tk_strmap_put(&av->map, s, n, (int32_t)av->n)) {
        aif_free(a.content);
        return aif_tk_load_oom(err);
    }
    av->n++;
    return AIF_OK;
}

/* The tries and the id index, after all tokens are known. */
static aif_code build_added(aif_tokenizer *tok, aif_err *err)
{
    aif_tk_addedvocab *av = &tok->added;
    int32_t max = -1;
    for (size_t i = 0; i < av->n; i++)
        if (av->tok[i].id > max)
            max = av->tok[i].id;
    av->n_by_id = (size_t)(max + 1);
    av->by_id = aif_calloc(av->n_by_id + 1, sizeof *av->by_id);
    if (!av->by_id)
        return aif_tk_load_oom(err);
    aif_tk_trie_insert(&av->trie, "", 0, -1);
    aif_tk_trie_insert(&av->trie_norm, "", 0, -1);
    aif_tk_buf normed = {0};
    for (size_t i = 0; i < av->n; i++) {
        aif_tk_added *a = &av->tok[i];
        /* id -> token: later entries with the same id win (a HashMap insert) */
        av->by_id[a->id] = (int32_t)i + 1;
        if (!a->normalized) {
            if (aif_tk_trie_insert(&av->trie, a->content, a->len, (int32_t)i))
                goto fail;
            av->has_plain = 1;
            continue;
        }
        const char *pat = a->content;
        size_t pl = a->len;
        if (tok->norm) {
            aif_code rc = aif_tk_norm_apply(tok->norm, a->content, a->len, &normed, err);
            if (rc) {
                aif_tk_buf_release(&normed);
                return rc;
            }
            pat = normed.p;
            pl = normed.n;
        }
        if (pl && aif_tk_trie_insert(&av->trie_norm, pat, pl, (int32_t)i))
            goto fail;
        av->has_norm = 1;
    }
    aif_tk_buf_release(&normed);
    /* decode's skip_special tests the token string of each id (Rust: is_special_token) */
    size_t nid = aif_tokenizer_vocab_size(tok);
    tok->special_ids = aif_calloc(nid / 8 + 1, 1);
    if (!tok->special_ids)
        return aif_tk_load_oom(err);
    tok->n_special_ids = nid;
    for (size_t i = 0; i < av->n; i++) {
        if (!av->tok[i].special)
            continue;
        int32_t vid = aif_tk_strmap_get(&tok->bpe.vocab, av->tok[i].content, av->tok[i].len);
        int32_t ids[2] = {av->tok[i].id, vid};
        for (int k = 0; k < 2; k++) {
            const char *t = ids[k] >= 0 ? aif_tokenizer_id_to_token(tok, ids[k]) : NULL;
            if (t && strlen(t) == av->tok[i].len && !memcmp(t, av->tok[i].content, av->tok[i].len))
                tok->special_ids[ids[k] / 8] |= (uint8_t)(1u << (ids[k] % 8));
        }
    }
    return AIF_OK;
fail:
    aif_tk_buf_release(&normed);
    return aif_tk_load_oom(err);
}

/* -------------------------------------------------------------------- loading */

static aif_code parse_root(aif_tokenizer *tok, json_t *root, aif_err *err)
{
    if (!json_is_object(root))
        return aif_err_set(err, AIF_EFORMAT, "top level must be an object");
    aif_code rc = aif_tk_parse_model(json_object_get(root, "model"), &tok->bpe, err);
    if (rc)
        return rc;
    json_t *j = json_object_get(root, "normalizer");
    if (j && !json_is_null(j)) {
        if (!(tok->norm = aif_calloc(1, sizeof *tok->norm)))
            return aif_tk_load_oom(err);
        if ((rc = aif_tk_parse_norm(j, tok->norm, 0, err)))
            return rc;
    }
    j = json_object_get(root, "pre_tokenizer");
    if (j && !json_is_null(j)) {
        if (!(tok->pre = aif_calloc(1, sizeof *tok->pre)))
            return aif_tk_load_oom(err);
        if ((rc = aif_tk_parse_pre(j, tok->pre, 0, err)))
            return rc;
    }
    j = json_object_get(root, "post_processor");
    if (j && !json_is_null(j)) {
        if (!(tok->post = aif_calloc(1, sizeof *tok->post)))
            return aif_tk_load_oom(err);
        if ((rc = aif_tk_parse_post(j, tok->post, 0, err)))
            return rc;
    }
    j = json_object_get(root, "decoder");
    if (j && !json_is_null(j)) {
        if (!(tok->dec = aif_calloc(1, sizeof *tok->dec)))
            return aif_tk_load_oom(err);
        if ((rc = aif_tk_parse_dec(j, tok->dec, 0, err)))
            return rc;
    }
    j = json_object_get(root, "truncation");
    if (j && !json_is_null(j)) {
        json_t *ml = json_object_get(j, "max_length");
        const char *dir = json_string_value(json_object_get(j, "direction"));
        if (!json_is_integer(ml) || json_integer_value(ml) <= 0 || (dir && strcmp(dir, "Right")))
            return aif_err_set(err, AIF_ENOTSUP, "unsupported truncation (only max_length, direction Right)");
        tok->trunc_max = (size_t)json_integer_value(ml);
    }
    j = json_object_get(root, "padding");
    if (j && !json_is_null(j) && json_is_object(json_object_get(j, "strategy")))
        return aif_err_set(err, AIF_ENOTSUP, "unsupported padding strategy Fixed (only BatchLongest or none)");
    j = json_object_get(root, "added_tokens");
    if (j && !json_is_null(j)) {
        if (!json_is_array(j))
            return aif_err_set(err, AIF_EFORMAT, "\"added_tokens\" must be an array");
        for (size_t i = 0; i < json_array_size(j); i++)
            if ((rc = add_token(tok, json_array_get(j, i), i, err)))
                return rc;
    }
    return build_added(tok, err);
}

static aif_tokenizer *tok_new(void)
{
    aif_tokenizer *tok = aif_calloc(1, sizeof *tok);
    if (!tok)
        return NULL;
    tok->bos_id = tok->eos_id = tok->pad_id = tok->unk_id = -1;
    tok->add_bos = tok->add_eos = -1;
    tok->bpe.unk_id = -1;
    return tok;
}

aif_code aif_tokenizer_load_mem(const char *json, size_t len, aif_tokenizer **out, aif_err *err)
{
    *out = NULL;
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_ALLOW_NUL, &je);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "tokenizer.json: line %d column %d: %s", je.line, je.column, je.text);
    aif_tokenizer *tok = tok_new();
    if (!tok) {
        json_decref(root);
        return aif_tk_load_oom(err);
    }
    aif_code rc = parse_root(tok, root, err);
    json_decref(root);
    if (rc) {
        aif_tokenizer_free(tok);
        return rc;
    }
    if (tok->bpe.unk_id >= 0)
        tok->unk_id = tok->bpe.unk_id;
    *out = tok;
    return AIF_OK;
}

aif_code aif_tokenizer_load(const char *path, aif_tokenizer **out, aif_err *err)
{
    *out = NULL;
    char file[4096], dir[4096];
    int is_dir = aif_fs_is_dir(path);
    aif_code rc;
    if (is_dir) {
        if ((rc = aif_fs_join(file, sizeof file, path, "tokenizer.json", err)))
            return rc;
        snprintf(dir, sizeof dir, "%s", path);
    } else {
        snprintf(file, sizeof file, "%s", path);
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = 0;
        else
            snprintf(dir, sizeof dir, ".");
    }
    char *text = NULL;
    size_t len = 0;
    if ((rc = aif_fs_read_file(file, MAX_JSON_BYTES, &text, &len, err)))
        return rc;
    aif_tokenizer *tok = NULL;
    rc = aif_tokenizer_load_mem(text, len, &tok, err);
    aif_free(text);
    if (rc)
        return aif_err_wrap(err, "%s", file);
    /* the config files only count next to a tokenizer.json */
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    if (!strcmp(base, "tokenizer.json")) {
        char cfg[4200];
        snprintf(cfg, sizeof cfg, "%s/tokenizer_config.json", dir);
        if (aif_fs_exists(cfg) && (rc = aif_tk_load_config(tok, cfg, 0, err)))
            goto fail;
        snprintf(cfg, sizeof cfg, "%s/special_tokens_map.json", dir);
        if (aif_fs_exists(cfg) && (rc = aif_tk_load_config(tok, cfg, 1, err)))
            goto fail;
    }
    *out = tok;
    return AIF_OK;
fail:
    aif_tokenizer_free(tok);
    return rc;
}

void aif_tokenizer_free(aif_tokenizer *tok)
{
    if (!tok)
        return;
    aif_tk_bpe_release(&tok->bpe);
    aif_tk_added_release(&tok->added);
    aif_tk_norm_free(tok->norm);
    aif_tk_pre_free(tok->pre);
    aif_tk_post_free(tok->post);
    aif_tk_dec_free(tok->dec);
    aif_free(tok->special_ids);
    aif_free(tok);
}

/* ------------------------------------------------------------------ accessors */

int32_t aif_tokenizer_token_to_id(const aif_tokenizer *tok, const char *token)
{
    size_t n = strlen(token);
    int32_t i = aif_tk_strmap_get(&tok->added.map, token, n);
    if (i >= 0)
        return tok->added.tok[i].id;
    return aif_tk_strmap_get(&tok->bpe.vocab, token, n);
}

const char *aif_tokenizer_id_to_token(const aif_tokenizer *tok, int32_t id)
{
    if (id < 0)
        return NULL;
    if ((size_t)id < tok->added.n_by_id && tok->added.by_id[id])
        return tok->added.tok[tok->added.by_id[id] - 1].content;
    if ((size_t)id < tok->bpe.n_id_tok && tok->bpe.id_off[id] >= 0)
        return tok->bpe.vocab.pool.p + tok->bpe.id_off[id];
    return NULL;
}

size_t aif_tokenizer_vocab_size(const aif_tokenizer *tok)
{
    size_t n = tok->bpe.n_id_tok;
    return tok->added.n_by_id > n ? tok->added.n_by_id : n;
}

int32_t aif_tokenizer_bos_id(const aif_tokenizer *tok) { return tok->bos_id; }
int32_t aif_tokenizer_eos_id(const aif_tokenizer *tok) { return tok->eos_id; }
int32_t aif_tokenizer_pad_id(const aif_tokenizer *tok) { return tok->pad_id; }
size_t aif_tokenizer_model_max_length(const aif_tokenizer *tok) { return tok->model_max_length; }
