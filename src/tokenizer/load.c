/* load.c: tokenizer.json (jansson) into the structures of tok_int.h, plus
 * tokenizer_config.json / special_tokens_map.json from the same folder,
 * and the small accessors of the public API. Anything the Rust library
 * would accept but this module does not implement is AIF_ENOTSUP naming
 * the component ("unsupported normalizer \"BertNormalizer\""). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "tok_int.h"

#define MAX_JSON_BYTES ((size_t)512 << 20)
#define MAX_VOCAB_ID (1 << 24)
#define MAX_DEPTH 16

static aif_code oom(aif_err *err)
{
    return aif_err_set(err, AIF_ENOMEM, "out of memory loading the tokenizer");
}

static const char *type_of(json_t *j)
{
    const char *t = json_string_value(json_object_get(j, "type"));
    return t ? t : "(no type)";
}

static int get_bool(json_t *j, const char *key, int dflt)
{
    json_t *v = json_object_get(j, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = aif_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* A "pattern": {"String": s} or {"Regex": r}. */
static aif_code parse_pattern(json_t *j, const char *what, aif_tk_regex **re, aif_err *err)
{
    json_t *s = json_object_get(j, "String"), *r = json_object_get(j, "Regex");
    if (json_is_string(s))
        return aif_tk_regex_new(json_string_value(s), json_string_length(s), 1, re, err);
    if (json_is_string(r))
        return aif_tk_regex_new(json_string_value(r), json_string_length(r), 0, re, err);
    return aif_err_set(err, AIF_EFORMAT, "%s: \"pattern\" must be {\"String\": ...} or {\"Regex\": ...}", what);
}

static int utf8_ok(json_t *s)
{
    return aif_tk_utf8_check(json_string_value(s), json_string_length(s)) == json_string_length(s);
}

/* A single char given as a JSON string (Metaspace replacement, Strip content). */
static aif_code one_char(json_t *s, const char *what, int32_t dflt, int32_t *cp, aif_err *err)
{
    if (!s || json_is_null(s)) {
        *cp = dflt;
        return AIF_OK;
    }
    if (!json_is_string(s) || !json_string_length(s) || !utf8_ok(s))
        return aif_err_set(err, AIF_EFORMAT, "%s: expected a one-character string", what);
    int l = aif_tk_utf8_decode(json_string_value(s), json_string_length(s), cp);
    if ((size_t)l != json_string_length(s))
        return aif_err_set(err, AIF_EFORMAT, "%s: expected one character, got \"%s\"", what, json_string_value(s));
    return AIF_OK;
}

/* ---------------------------------------------------------------- normalizers */

static aif_code parse_norm(json_t *j, aif_tk_norm *nm, int depth, aif_err *err)
{
    if (!json_is_object(j))
        return aif_err_set(err, AIF_EFORMAT, "normalizer: expected an object");
    if (depth > MAX_DEPTH)
        return aif_err_set(err, AIF_ERANGE, "normalizer: nesting deeper than %d", MAX_DEPTH);
    const char *t = type_of(j);
    if (!strcmp(t, "Sequence")) {
        json_t *arr = json_object_get(j, "normalizers");
        if (!json_is_array(arr))
            return aif_err_set(err, AIF_EFORMAT, "normalizer Sequence: \"normalizers\" must be an array");
        nm->type = NORM_SEQUENCE;
        nm->sub = aif_calloc(json_array_size(arr) + 1, sizeof *nm->sub);
        if (!nm->sub)
            return oom(err);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            aif_code rc = parse_norm(json_array_get(arr, i), &nm->sub[i], depth + 1, err);
            nm->n_sub = i + 1;
            if (rc)
                return rc;
        }
        return AIF_OK;
    }
    static const struct { const char *name; aif_tk_norm_type t; } simple[] = {
        {"NFC", NORM_NFC}, {"NFD", NORM_NFD}, {"NFKC", NORM_NFKC}, {"NFKD", NORM_NFKD}, {"Lowercase", NORM_LOWERCASE},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (!strcmp(t, simple[i].name)) {
            nm->type = simple[i].t;
            return AIF_OK;
        }
    if (!strcmp(t, "Strip")) {
        nm->type = NORM_STRIP;
        nm->strip_left = get_bool(j, "strip_left", 1);
        nm->strip_right = get_bool(j, "strip_right", 1);
        return AIF_OK;
    }
    if (!strcmp(t, "Prepend")) {
        json_t *p = json_object_get(j, "prepend");
        if (!json_is_string(p) || !utf8_ok(p))
            return aif_err_set(err, AIF_EFORMAT, "normalizer Prepend: \"prepend\" must be a string");
        nm->type = NORM_PREPEND;
        nm->str_len = json_string_length(p);
        nm->str = dup_n(json_string_value(p), nm->str_len);
        return nm->str ? AIF_OK : oom(err);
    }
    if (!strcmp(t, "Replace")) {
        json_t *c = json_object_get(j, "content");
        if (!json_is_string(c) || !utf8_ok(c))
            return aif_err_set(err, AIF_EFORMAT, "normalizer Replace: \"content\" must be a string");
        nm->type = NORM_REPLACE;
        nm->str_len = json_string_length(c);
        nm->str = dup_n(json_string_value(c), nm->str_len);
        if (!nm->str)
            return oom(err);
        aif_code rc = parse_pattern(json_object_get(j, "pattern"), "normalizer Replace", &nm->re, err);
        return rc;
    }
    return aif_err_set(err, AIF_ENOTSUP, "unsupported normalizer \"%s\"", t);
}

/* ------------------------------------------------------------ pre-tokenizers */

static aif_code parse_behavior(json_t *j, const char *what, aif_tk_behavior dflt, aif_tk_behavior *b, aif_err *err)
{
    json_t *v = json_object_get(j, "behavior");
    if (!v) {
        *b = dflt;
        return AIF_OK;
    }
    const char *s = json_string_value(v);
    static const struct { const char *name; aif_tk_behavior b; } tab[] = {
        {"Removed", BEH_REMOVED}, {"Isolated", BEH_ISOLATED}, {"MergedWithPrevious", BEH_MERGED_PREV},
        {"MergedWithNext", BEH_MERGED_NEXT}, {"Contiguous", BEH_CONTIGUOUS},
    };
    for (size_t i = 0; s && i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(s, tab[i].name)) {
            *b = tab[i].b;
            return AIF_OK;
        }
    return aif_err_set(err, AIF_EFORMAT, "%s: unknown behavior \"%s\"", what, s ? s : "(not a string)");
}

/* prepend_scheme "first"/"always"/"never", or the older add_prefix_space. */
static aif_code parse_prepend(json_t *j, const char *what, int *out, aif_err *err)
{
    const char *ps = json_string_value(json_object_get(j, "prepend_scheme"));
    if (ps) {
        if (!strcmp(ps, "always")) *out = 2;
        else if (!strcmp(ps, "first")) *out = 1;
        else if (!strcmp(ps, "never")) *out = 0;
        else return aif_err_set(err, AIF_EFORMAT, "%s: unknown prepend_scheme \"%s\"", what, ps);
        return AIF_OK;
    }
    *out = get_bool(j, "add_prefix_space", 1) ? 2 : 0;
    return AIF_OK;
}

static aif_code parse_pre(json_t *j, aif_tk_pre *pre, int depth, aif_err *err)
{
    if (!json_is_object(j))
        return aif_err_set(err, AIF_EFORMAT, "pre_tokenizer: expected an object");
    if (depth > MAX_DEPTH)
        return aif_err_set(err, AIF_ERANGE, "pre_tokenizer: nesting deeper than %d", MAX_DEPTH);
    const char *t = type_of(j);
    if (!strcmp(t, "Sequence")) {
        json_t *arr = json_object_get(j, "pretokenizers");
        if (!json_is_array(arr))
            return aif_err_set(err, AIF_EFORMAT, "pre_tokenizer Sequence: \"pretokenizers\" must be an array");
        pre->type = PRE_SEQUENCE;
        pre->sub = aif_calloc(json_array_size(arr) + 1, sizeof *pre->sub);
        if (!pre->sub)
            return oom(err);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            aif_code rc = parse_pre(json_array_get(arr, i), &pre->sub[i], depth + 1, err);
            pre->n_sub = i + 1;
            if (rc)
                return aif_err_wrap(err, "pre_tokenizer Sequence[%zu]", i);
        }
        return AIF_OK;
    }
    if (!strcmp(t, "Split")) {
        pre->type = PRE_SPLIT;
        pre->invert = get_bool(j, "invert", 0);
        aif_code rc = parse_behavior(j, "pre_tokenizer Split", BEH_ISOLATED, &pre->behavior, err);
        if (rc)
            return rc;
        return parse_pattern(json_object_get(j, "pattern"), "pre_tokenizer Split", &pre->re, err);
    }
    if (!strcmp(t, "ByteLevel")) {
        pre->type = PRE_BYTELEVEL;
        pre->add_prefix_space = get_bool(j, "add_prefix_space", 1);
        pre->use_regex = get_bool(j, "use_regex", 1);
        if (pre->use_regex)
            return aif_tk_regex_new(aif_tk_gpt2_regex, strlen(aif_tk_gpt2_regex), 0, &pre->re, err);
        return AIF_OK;
    }
    if (!strcmp(t, "Metaspace")) {
        pre->type = PRE_METASPACE;
        aif_code rc = one_char(json_object_get(j, "replacement"), "pre_tokenizer Metaspace", 0x2581, &pre->replacement,
                               err);
        if (rc)
            return rc;
        pre->rep_len = aif_tk_utf8_encode(pre->replacement, pre->rep);
        pre->split = get_bool(j, "split", 1);
        return parse_prepend(j, "pre_tokenizer Metaspace", &pre->prepend, err);
    }
    if (!strcmp(t, "Digits")) {
        pre->type = PRE_DIGITS;
        pre->individual = get_bool(j, "individual_digits", 0);
        return AIF_OK;
    }
    if (!strcmp(t, "Punctuation")) {
        pre->type = PRE_PUNCT;
        return parse_behavior(j, "pre_tokenizer Punctuation", BEH_ISOLATED, &pre->behavior, err);
    }
    if (!strcmp(t, "Whitespace")) {
        pre->type = PRE_WHITESPACE;
        static const char pat[] = "\\w+|[^\\w\\s]+";
        return aif_tk_regex_new(pat, strlen(pat), 0, &pre->re, err);
    }
    if (!strcmp(t, "WhitespaceSplit")) {
        pre->type = PRE_WHITESPACE_SPLIT;
        return AIF_OK;
    }
    return aif_err_set(err, AIF_ENOTSUP, "unsupported pre_tokenizer \"%s\"", t);
}

/* ------------------------------------------------------------------- decoders */

static aif_code parse_dec(json_t *j, aif_tk_dec *d, int depth, aif_err *err)
{
    if (!json_is_object(j))
        return aif_err_set(err, AIF_EFORMAT, "decoder: expected an object");
    if (depth > MAX_DEPTH)
        return aif_err_set(err, AIF_ERANGE, "decoder: nesting deeper than %d", MAX_DEPTH);
    const char *t = type_of(j);
    if (!strcmp(t, "Sequence")) {
        json_t *arr = json_object_get(j, "decoders");
        if (!json_is_array(arr))
            return aif_err_set(err, AIF_EFORMAT, "decoder Sequence: \"decoders\" must be an array");
        d->type = DEC_SEQUENCE;
        d->sub = aif_calloc(json_array_size(arr) + 1, sizeof *d->sub);
        if (!d->sub)
            return oom(err);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            aif_code rc = parse_dec(json_array_get(arr, i), &d->sub[i], depth + 1, err);
            d->n_sub = i + 1;
            if (rc)
                return rc;
        }
        return AIF_OK;
    }
    if (!strcmp(t, "ByteLevel")) { d->type = DEC_BYTELEVEL; return AIF_OK; }
    if (!strcmp(t, "ByteFallback")) { d->type = DEC_BYTEFALLBACK; return AIF_OK; }
    if (!strcmp(t, "Fuse")) { d->type = DEC_FUSE; return AIF_OK; }
    if (!strcmp(t, "Metaspace")) {
        d->type = DEC_METASPACE;
        aif_code rc = one_char(json_object_get(j, "replacement"), "decoder Metaspace", 0x2581, &d->ch, err);
        return rc ? rc : parse_prepend(j, "decoder Metaspace", &d->prepend, err);
    }
    if (!strcmp(t, "Strip")) {
        d->type = DEC_STRIP;
        json_t *st = json_object_get(j, "start"), *sp = json_object_get(j, "stop");
        if ((st && !json_is_integer(st)) || (sp && !json_is_integer(sp)) || json_integer_value(st) < 0 ||
            json_integer_value(sp) < 0 || json_integer_value(st) > 1 << 20 || json_integer_value(sp) > 1 << 20)
            return aif_err_set(err, AIF_EFORMAT, "decoder Strip: start/stop must be small non-negative integers");
        d->start = (int)json_integer_value(st);
        d->stop = (int)json_integer_value(sp);
        return one_char(json_object_get(j, "content"), "decoder Strip", ' ', &d->ch, err);
    }
    if (!strcmp(t, "Replace")) {
        json_t *c = json_object_get(j, "content");
        if (!json_is_string(c) || !utf8_ok(c))
            return aif_err_set(err, AIF_EFORMAT, "decoder Replace: \"content\" must be a string");
        d->type = DEC_REPLACE;
        d->str_len = json_string_length(c);
        d->str = dup_n(json_string_value(c), d->str_len);
        if (!d->str)
            return oom(err);
        return parse_pattern(json_object_get(j, "pattern"), "decoder Replace", &d->re, err);
    }
    if (!strcmp(t, "BPEDecoder") || !strcmp(t, "WordPiece")) {
        int wp = t[0] == 'W';
        json_t *s = json_object_get(j, wp ? "prefix" : "suffix");
        const char *v = json_is_string(s) ? json_string_value(s) : wp ? "##" : "</w>";
        d->type = wp ? DEC_WORDPIECE : DEC_BPE;
        d->cleanup = get_bool(j, "cleanup", 1);
        d->str_len = strlen(v);
        d->str = dup_n(v, d->str_len);
        return d->str ? AIF_OK : oom(err);
    }
    return aif_err_set(err, AIF_ENOTSUP, "unsupported decoder \"%s\"", t);
}

/* ------------------------------------------------------------ post-processors */

static aif_code template_special(aif_tokenizer *tok, json_t *specials, const char *name, int32_t **ids, size_t *n,
                                 aif_err *err)
{
    json_t *sp = json_object_get(specials, name);
    json_t *arr = json_object_get(sp, "ids");
    if (!json_is_array(arr))
        return aif_err_set(err, AIF_EFORMAT, "post_processor TemplateProcessing: special token \"%s\" is not defined",
                           name);
    (void)tok;
    *n = json_array_size(arr);
    *ids = aif_malloc((*n + 1) * sizeof **ids);
    if (!*ids)
        return oom(err);
    for (size_t i = 0; i < *n; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
            return aif_err_set(err, AIF_EFORMAT, "post_processor TemplateProcessing: bad id for \"%s\"", name);
        (*ids)[i] = (int32_t)json_integer_value(v);
    }
    return AIF_OK;
}

static aif_code parse_post(aif_tokenizer *tok, json_t *j, aif_tk_post *pp, int depth, aif_err *err)
{
    if (!json_is_object(j))
        return aif_err_set(err, AIF_EFORMAT, "post_processor: expected an object");
    if (depth > MAX_DEPTH)
        return aif_err_set(err, AIF_ERANGE, "post_processor: nesting deeper than %d", MAX_DEPTH);
    const char *t = type_of(j);
    if (!strcmp(t, "Sequence")) {
        json_t *arr = json_object_get(j, "processors");
        if (!json_is_array(arr))
            return aif_err_set(err, AIF_EFORMAT, "post_processor Sequence: \"processors\" must be an array");
        pp->type = POST_SEQUENCE;
        pp->sub = aif_calloc(json_array_size(arr) + 1, sizeof *pp->sub);
        if (!pp->sub)
            return oom(err);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            aif_code rc = parse_post(tok, json_array_get(arr, i), &pp->sub[i], depth + 1, err);
            pp->n_sub = i + 1;
            if (rc)
                return rc;
        }
        return AIF_OK;
    }
    if (!strcmp(t, "ByteLevel")) {
        pp->type = POST_BYTELEVEL;
        return AIF_OK;
    }
    if (!strcmp(t, "RobertaProcessing") || !strcmp(t, "BertProcessing")) {
        pp->type = t[0] == 'R' ? POST_ROBERTA : POST_BERT;
        json_t *cls = json_array_get(json_object_get(j, "cls"), 1), *sep = json_array_get(json_object_get(j, "sep"), 1);
        if (!json_is_integer(cls) || !json_is_integer(sep))
            return aif_err_set(err, AIF_EFORMAT, "post_processor %s: \"cls\"/\"sep\" must be [token, id]", t);
        pp->cls_id = (int32_t)json_integer_value(cls);
        pp->sep_id = (int32_t)json_integer_value(sep);
        return AIF_OK;
    }
    if (!strcmp(t, "TemplateProcessing")) {
        pp->type = POST_TEMPLATE;
        json_t *single = json_object_get(j, "single"), *specials = json_object_get(j, "special_tokens");
        if (!json_is_array(single))
            return aif_err_set(err, AIF_EFORMAT, "post_processor TemplateProcessing: \"single\" must be an array");
        size_t n = json_array_size(single);
        pp->items = aif_calloc(n + 1, sizeof *pp->items);
        pp->sp_ids = aif_calloc(n + 1, sizeof *pp->sp_ids);
        pp->sp_n = aif_calloc(n + 1, sizeof *pp->sp_n);
        if (!pp->items || !pp->sp_ids || !pp->sp_n)
            return oom(err);
        pp->n_items = n;
        for (size_t i = 0; i < n; i++) {
            json_t *it = json_array_get(single, i);
            json_t *st = json_object_get(it, "SpecialToken"), *sq = json_object_get(it, "Sequence");
            if (json_is_object(sq)) {
                pp->items[i] = -1;
            } else if (json_is_object(st) && json_is_string(json_object_get(st, "id"))) {
                pp->items[i] = (int32_t)i;
                aif_code rc = template_special(tok, specials, json_string_value(json_object_get(st, "id")),
                                               &pp->sp_ids[i], &pp->sp_n[i], err);
                if (rc)
                    return rc;
            } else {
                return aif_err_set(err, AIF_EFORMAT, "post_processor TemplateProcessing: bad item %zu of \"single\"", i);
            }
        }
        return AIF_OK;
    }
    return aif_err_set(err, AIF_ENOTSUP, "unsupported post_processor \"%s\"", t);
}

/* ---------------------------------------------------------------------- model */

static aif_code merges_insert(aif_tk_bpe *m, int32_t a, int32_t b, uint32_t rank, int32_t nid)
{
    uint64_t k = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    uint64_t h = k;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    size_t j = (size_t)h & m->mmask;
    while (m->mnew[j] >= 0 && m->mkey[j] != k)
        j = (j + 1) & m->mmask;
    if (m->mnew[j] < 0)
        m->n_merges++;
    m->mkey[j] = k;
    m->mrank[j] = rank;
    m->mnew[j] = nid;
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
        return oom(err);
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

static aif_code parse_model(json_t *j, aif_tk_bpe *m, aif_err *err)
{
    if (!json_is_object(j))
        return aif_err_set(err, AIF_EFORMAT, "\"model\" must be an object");
    json_t *ty = json_object_get(j, "type");
    if (ty && (!json_is_string(ty) || strcmp(json_string_value(ty), "BPE")))
        return aif_err_set(err, AIF_ENOTSUP, "unsupported model \"%s\" (only BPE)",
                           json_is_string(ty) ? json_string_value(ty) : "?");
    json_t *vocab = json_object_get(j, "vocab"), *merges = json_object_get(j, "merges");
    if (!json_is_object(vocab) || !json_is_array(merges))
        return aif_err_set(err, AIF_EFORMAT, "model: missing vocab (object) or merges (array)");
    json_t *dropout = json_object_get(j, "dropout");
    if (dropout && !json_is_null(dropout) && !(json_is_number(dropout) && json_number_value(dropout) == 0.0))
        return aif_err_set(err, AIF_ENOTSUP, "unsupported model.dropout (only null)");
    m->fuse_unk = get_bool(j, "fuse_unk", 0);
    m->byte_fallback = get_bool(j, "byte_fallback", 0);
    m->ignore_merges = get_bool(j, "ignore_merges", 0);
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
    m->id_tok = aif_calloc(m->n_id_tok + 1, sizeof *m->id_tok);
    if (!m->id_tok)
        return oom(err);
    void *iter = json_object_iter(vocab);
    while (iter) {
        const char *k = json_object_iter_key(iter);
        size_t kl = json_object_iter_key_len(iter);
        int32_t id = (int32_t)json_integer_value(json_object_iter_value(iter));
        if (aif_tk_utf8_check(k, kl) != kl)
            return aif_err_set(err, AIF_EUTF8, "model.vocab: token with invalid UTF-8");
        if (aif_tk_strmap_put(&m->vocab, k, kl, id))
            return oom(err);
        aif_free(m->id_tok[id]);
        if (!(m->id_tok[id] = dup_n(k, kl)))
            return oom(err);
        iter = json_object_iter_next(vocab, iter);
    }
    const char *unk = json_string_value(json_object_get(j, "unk_token"));
    m->unk_id = unk ? aif_tk_strmap_get(&m->vocab, unk, strlen(unk)) : -1;

    /* merges */
    size_t nm = json_array_size(merges), slots = 16;
    while (slots < 2 * nm + 2)
        slots *= 2;
    m->mkey = aif_malloc(slots * sizeof *m->mkey);
    m->mrank = aif_malloc(slots * sizeof *m->mrank);
    m->mnew = aif_malloc(slots * sizeof *m->mnew);
    if (!m->mkey || !m->mrank || !m->mnew)
        return oom(err);
    for (size_t i = 0; i < slots; i++)
        m->mnew[i] = -1;
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
    for (int b = 0; b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        m->byte_fb[b] = aif_tk_strmap_get(&m->vocab, name, 6);
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
            const char *s = m->vocab.pool.p + m->vocab.key_off[i];
            size_t n = m->vocab.key_len[i], k = 0;
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
            if (ok && aif_tk_strmap_put(&m->raw_vocab, raw.p, raw.n, m->vocab.val[i])) {
                aif_tk_buf_release(&raw);
                return oom(err);
            }
        }
        aif_tk_buf_release(&raw);
    }
    if (aif_tk_bpe_cache_init(m))
        return oom(err);
    return AIF_OK;
}

/* -------------------------------------------------------------- added tokens */

static aif_code add_token(aif_tokenizer *tok, json_t *t, size_t idx, aif_err *err)
{
    aif_tk_addedvocab *av = &tok->added;
    json_t *c = json_object_get(t, "content");
    if (!json_is_string(c) || !utf8_ok(c))
        return aif_err_set(err, AIF_EFORMAT, "added_tokens[%zu]: \"content\" must be a string", idx);
    const char *s = json_string_value(c);
    size_t n = json_string_length(c);
    if (!n)
        return AIF_OK;
    aif_tk_added a = {0};
    a.special = get_bool(t, "special", 0);
    a.single_word = get_bool(t, "single_word", 0);
    a.lstrip = get_bool(t, "lstrip", 0);
    a.rstrip = get_bool(t, "rstrip", 0);
    a.normalized = get_bool(t, "normalized", !a.special);
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
        int64_t vs = (int64_t)tok->bpe.vocab.n;
        id = (int32_t)(max < 0 ? vs : (max >= vs || vs == 0) ? max + 1 : vs);
        if (id >= MAX_VOCAB_ID)
            return aif_err_set(err, AIF_ERANGE, "added_tokens[%zu]: id beyond %d", idx, MAX_VOCAB_ID);
    }
    if (av->n == av->cap) {
        size_t cap = av->cap ? av->cap * 2 : 16;
        aif_tk_added *v = aif_realloc(av->tok, cap * sizeof *v);
        if (!v)
            return oom(err);
        av->tok = v;
        av->cap = cap;
    }
    a.content = dup_n(s, n);
    a.len = n;
    a.id = id;
    if (!a.content)
        return oom(err);
    if (existing >= 0) {
        /* same content, other properties: the entry is replaced */
        aif_free(av->tok[existing].content);
        av->tok[existing] = a;
        return AIF_OK;
    }
    av->tok[av->n] = a;
    if (aif_tk_strmap_put(&av->map, s, n, (int32_t)av->n))
        return oom(err);
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
        return oom(err);
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
    /* a token whose id another entry took over is no longer reachable by id */
    return AIF_OK;
fail:
    aif_tk_buf_release(&normed);
    return oom(err);
}

/* -------------------------------------------------------------------- loading */

static aif_code parse_root(aif_tokenizer *tok, json_t *root, aif_err *err)
{
    if (!json_is_object(root))
        return aif_err_set(err, AIF_EFORMAT, "top level must be an object");
    aif_code rc = parse_model(json_object_get(root, "model"), &tok->bpe, err);
    if (rc)
        return rc;
    json_t *j = json_object_get(root, "normalizer");
    if (j && !json_is_null(j)) {
        if (!(tok->norm = aif_calloc(1, sizeof *tok->norm)))
            return oom(err);
        if ((rc = parse_norm(j, tok->norm, 0, err)))
            return rc;
    }
    j = json_object_get(root, "pre_tokenizer");
    if (j && !json_is_null(j)) {
        if (!(tok->pre = aif_calloc(1, sizeof *tok->pre)))
            return oom(err);
        if ((rc = parse_pre(j, tok->pre, 0, err)))
            return rc;
    }
    j = json_object_get(root, "post_processor");
    if (j && !json_is_null(j)) {
        if (!(tok->post = aif_calloc(1, sizeof *tok->post)))
            return oom(err);
        if ((rc = parse_post(tok, j, tok->post, 0, err)))
            return rc;
    }
    j = json_object_get(root, "decoder");
    if (j && !json_is_null(j)) {
        if (!(tok->dec = aif_calloc(1, sizeof *tok->dec)))
            return oom(err);
        if ((rc = parse_dec(j, tok->dec, 0, err)))
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
        return oom(err);
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

/* A token setting of tokenizer_config.json / special_tokens_map.json: a
 * string or {"content": ...}; null: none. Returns 1 if the key is present. */
static int config_token(aif_tokenizer *tok, json_t *cfg, const char *key, int32_t *id)
{
    json_t *v = json_object_get(cfg, key);
    if (!v)
        return 0;
    if (json_is_object(v))
        v = json_object_get(v, "content");
    if (json_is_string(v))
        *id = aif_tokenizer_token_to_id(tok, json_string_value(v));
    else
        *id = -1;
    return 1;
}

static aif_code load_config(aif_tokenizer *tok, const char *path, int map_only, aif_err *err)
{
    char *text = NULL;
    size_t len = 0;
    aif_code rc = aif_fs_read_file(path, (size_t)64 << 20, &text, &len, err);
    if (rc)
        return rc;
    json_error_t je;
    json_t *cfg = json_loadb(text, len, JSON_DECODE_INT_AS_REAL, &je);
    aif_free(text);
    if (!cfg || !json_is_object(cfg)) {
        json_decref(cfg);
        return aif_err_set(err, AIF_EFORMAT, "%s: line %d column %d: %s", path, je.line, je.column,
                           cfg ? "expected an object" : je.text);
    }
    config_token(tok, cfg, "bos_token", &tok->bos_id);
    config_token(tok, cfg, "eos_token", &tok->eos_id);
    config_token(tok, cfg, "pad_token", &tok->pad_id);
    config_token(tok, cfg, "unk_token", &tok->unk_id);
    if (!map_only) {
        json_t *v;
        if (json_is_boolean(v = json_object_get(cfg, "add_bos_token")))
            tok->add_bos = json_is_true(v);
        if (json_is_boolean(v = json_object_get(cfg, "add_eos_token")))
            tok->add_eos = json_is_true(v);
        tok->clean_spaces = get_bool(cfg, "clean_up_tokenization_spaces", 0);
        tok->split_special = get_bool(cfg, "split_special_tokens", 0);
        v = json_object_get(cfg, "model_max_length");
        if (json_is_number(v) && json_number_value(v) >= 1 && json_number_value(v) < 1e15)
            tok->model_max_length = (size_t)json_number_value(v);
        const char *cls = json_string_value(json_object_get(cfg, "tokenizer_class"));
        static const char *const llama[] = {"LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer",
                                            "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast"};
        for (size_t i = 0; cls && i < sizeof llama / sizeof llama[0]; i++)
            if (!strcmp(cls, llama[i]))
                tok->llama_class = 1;
        if (tok->llama_class) { /* LlamaTokenizerFast defaults */
            if (tok->add_bos < 0)
                tok->add_bos = 1;
            if (tok->add_eos < 0)
                tok->add_eos = 0;
        }
    }
    json_decref(cfg);
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
        if (aif_fs_exists(cfg) && (rc = load_config(tok, cfg, 0, err)))
            goto fail;
        snprintf(cfg, sizeof cfg, "%s/special_tokens_map.json", dir);
        if (aif_fs_exists(cfg) && (rc = load_config(tok, cfg, 1, err)))
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
    if ((size_t)id < tok->bpe.n_id_tok)
        return tok->bpe.id_tok[id];
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
