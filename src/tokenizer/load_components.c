/* load_components.c: normalizers, pre-tokenizers, decoders and
 * post-processors of tokenizer.json into their structures. Components the
 * module does not implement are AIF_ENOTSUP naming them. */
#include <string.h>

#include "aif/alloc.h"
#include "load_int.h"

/* ---------------------------------------------------------------- normalizers */

aif_code aif_tk_parse_norm(json_t *j, aif_tk_norm *nm, int depth, aif_err *err)
{
    if (!json_is_object(j))
        return aif_err_set(err, AIF_EFORMAT, "normalizer: expected an object");
    if (depth > MAX_DEPTH)
        return aif_err_set(err, AIF_ERANGE, "normalizer: nesting deeper than %d", MAX_DEPTH);
    const char *t = aif_tk_json_type(j);
    if (!strcmp(t, "Sequence")) {
        json_t *arr = json_object_get(j, "normalizers");
        if (!json_is_array(arr))
            return aif_err_set(err, AIF_EFORMAT, "normalizer Sequence: \"normalizers\" must be an array");
        nm->type = NORM_SEQUENCE;
        nm->sub = aif_calloc(json_array_size(arr) + 1, sizeof *nm->sub);
        if (!nm->sub)
            return aif_tk_load_oom(err);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            aif_code rc = aif_tk_parse_norm(json_array_get(arr, i), &nm->sub[i], depth + 1, err);
            nm->n_sub = i + 1;
            if (rc)
                return rc;
        }
        return AIF_OK;
    }
    static const struct { const char *name; aif_tk_norm_type t; } simple[] = {
        {"NFC", NORM_NFC}, {"NFD", NORM_NFD}, {"NFKC", NORM_NFKC}, {"NFKD", NORM_NFKD}, {"Lowercase", NORM_LOWERCASE},
        {"StripAccents", NORM_STRIP_ACCENTS},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (!strcmp(t, simple[i].name)) {
            nm->type = simple[i].t;
            return AIF_OK;
        }
    if (!strcmp(t, "Strip")) {
        nm->type = NORM_STRIP;
        nm->strip_left = aif_tk_json_bool(j, "strip_left", 1);
        nm->strip_right = aif_tk_json_bool(j, "strip_right", 1);
        return AIF_OK;
    }
    if (!strcmp(t, "Prepend")) {
        json_t *p = json_object_get(j, "prepend");
        if (!json_is_string(p) || !aif_tk_json_utf8(p))
            return aif_err_set(err, AIF_EFORMAT, "normalizer Prepend: \"prepend\" must be a string");
        nm->type = NORM_PREPEND;
        nm->str_len = json_string_length(p);
        nm->str = aif_tk_dup(json_string_value(p), nm->str_len);
        return nm->str ? AIF_OK : aif_tk_load_oom(err);
    }
    if (!strcmp(t, "Replace")) {
        json_t *c = json_object_get(j, "content");
        if (!json_is_string(c) || !aif_tk_json_utf8(c))
            return aif_err_set(err, AIF_EFORMAT, "normalizer Replace: \"content\" must be a string");
        nm->type = NORM_REPLACE;
        nm->str_len = json_string_length(c);
        nm->str = aif_tk_dup(json_string_value(c), nm->str_len);
        if (!nm->str)
            return aif_tk_load_oom(err);
        aif_code rc = aif_tk_json_pattern(json_object_get(j, "pattern"), "normalizer Replace", &nm->re, err);
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
    *out = aif_tk_json_bool(j, "add_prefix_space", 1) ? 2 : 0;
    return AIF_OK;
}

aif_code aif_tk_parse_pre(json_t *j, aif_tk_pre *pre, int depth, aif_err *err)
{
    if (!json_is_object(j))
        return aif_err_set(err, AIF_EFORMAT, "pre_tokenizer: expected an object");
    if (depth > MAX_DEPTH)
        return aif_err_set(err, AIF_ERANGE, "pre_tokenizer: nesting deeper than %d", MAX_DEPTH);
    const char *t = aif_tk_json_type(j);
    if (!strcmp(t, "Sequence")) {
        json_t *arr = json_object_get(j, "pretokenizers");
        if (!json_is_array(arr))
            return aif_err_set(err, AIF_EFORMAT, "pre_tokenizer Sequence: \"pretokenizers\" must be an array");
        pre->type = PRE_SEQUENCE;
        pre->sub = aif_calloc(json_array_size(arr) + 1, sizeof *pre->sub);
        if (!pre->sub)
            return aif_tk_load_oom(err);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            aif_code rc = aif_tk_parse_pre(json_array_get(arr, i), &pre->sub[i], depth + 1, err);
            pre->n_sub = i + 1;
            if (rc)
                return aif_err_wrap(err, "pre_tokenizer Sequence[%zu]", i);
        }
        return AIF_OK;
    }
    if (!strcmp(t, "Split")) {
        pre->type = PRE_SPLIT;
        pre->invert = aif_tk_json_bool(j, "invert", 0);
        aif_code rc = parse_behavior(j, "pre_tokenizer Split", BEH_ISOLATED, &pre->behavior, err);
        if (rc)
            return rc;
        return aif_tk_json_pattern(json_object_get(j, "pattern"), "pre_tokenizer Split", &pre->re, err);
    }
    if (!strcmp(t, "ByteLevel")) {
        pre->type = PRE_BYTELEVEL;
        pre->add_prefix_space = aif_tk_json_bool(j, "add_prefix_space", 1);
        pre->use_regex = aif_tk_json_bool(j, "use_regex", 1);
        if (pre->use_regex)
            return aif_tk_regex_new(aif_tk_gpt2_regex, strlen(aif_tk_gpt2_regex), 0, &pre->re, err);
        return AIF_OK;
    }
    if (!strcmp(t, "Metaspace")) {
        pre->type = PRE_METASPACE;
        aif_code rc = aif_tk_json_char(json_object_get(j, "replacement"), "pre_tokenizer Metaspace", 0x2581, &pre->replacement,
                               err);
        if (rc)
            return rc;
        pre->rep_len = aif_tk_utf8_encode(pre->replacement, pre->rep);
        pre->split = aif_tk_json_bool(j, "split", 1);
        return parse_prepend(j, "pre_tokenizer Metaspace", &pre->prepend, err);
    }
    if (!strcmp(t, "Digits")) {
        pre->type = PRE_DIGITS;
        pre->individual = aif_tk_json_bool(j, "individual_digits", 0);
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
    if (!strcmp(t, "BertPreTokenizer")) {
        pre->type = PRE_BERT;
        return AIF_OK;
    }
    if (!strcmp(t, "CharDelimiterSplit")) {
        pre->type = PRE_CHAR_DELIM;
        return aif_tk_json_char(json_object_get(j, "delimiter"), "pre_tokenizer CharDelimiterSplit", ' ', &pre->replacement, err);
    }
    return aif_err_set(err, AIF_ENOTSUP, "unsupported pre_tokenizer \"%s\"", t);
}

/* ------------------------------------------------------------------- decoders */

aif_code aif_tk_parse_dec(json_t *j, aif_tk_dec *d, int depth, aif_err *err)
{
    if (!json_is_object(j))
        return aif_err_set(err, AIF_EFORMAT, "decoder: expected an object");
    if (depth > MAX_DEPTH)
        return aif_err_set(err, AIF_ERANGE, "decoder: nesting deeper than %d", MAX_DEPTH);
    const char *t = aif_tk_json_type(j);
    if (!strcmp(t, "Sequence")) {
        json_t *arr = json_object_get(j, "decoders");
        if (!json_is_array(arr))
            return aif_err_set(err, AIF_EFORMAT, "decoder Sequence: \"decoders\" must be an array");
        d->type = DEC_SEQUENCE;
        d->sub = aif_calloc(json_array_size(arr) + 1, sizeof *d->sub);
        if (!d->sub)
            return aif_tk_load_oom(err);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            aif_code rc = aif_tk_parse_dec(json_array_get(arr, i), &d->sub[i], depth + 1, err);
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
        aif_code rc = aif_tk_json_char(json_object_get(j, "replacement"), "decoder Metaspace", 0x2581, &d->ch, err);
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
        return aif_tk_json_char(json_object_get(j, "content"), "decoder Strip", ' ', &d->ch, err);
    }
    if (!strcmp(t, "Replace")) {
        json_t *c = json_object_get(j, "content");
        if (!json_is_string(c) || !aif_tk_json_utf8(c))
            return aif_err_set(err, AIF_EFORMAT, "decoder Replace: \"content\" must be a string");
        d->type = DEC_REPLACE;
        d->str_len = json_string_length(c);
        d->str = aif_tk_dup(json_string_value(c), d->str_len);
        if (!d->str)
            return aif_tk_load_oom(err);
        json_t *lit = json_object_get(json_object_get(j, "pattern"), "String");
        if (json_is_string(lit) && aif_tk_json_utf8(lit)) { /* matched literally, without the regex engine */
            d->pat_len = json_string_length(lit);
            d->pat = aif_tk_dup(json_string_value(lit), d->pat_len);
            return d->pat ? AIF_OK : aif_tk_load_oom(err);
        }
        return aif_tk_json_pattern(json_object_get(j, "pattern"), "decoder Replace", &d->re, err);
    }
    if (!strcmp(t, "BPEDecoder") || !strcmp(t, "WordPiece")) {
        int wp = t[0] == 'W';
        json_t *s = json_object_get(j, wp ? "prefix" : "suffix");
        const char *v = json_is_string(s) ? json_string_value(s) : wp ? "##" : "</w>";
        d->type = wp ? DEC_WORDPIECE : DEC_BPE;
        d->cleanup = aif_tk_json_bool(j, "cleanup", 1);
        d->str_len = strlen(v);
        d->str = aif_tk_dup(v, d->str_len);
        return d->str ? AIF_OK : aif_tk_load_oom(err);
    }
    return aif_err_set(err, AIF_ENOTSUP, "unsupported decoder \"%s\"", t);
}

/* ------------------------------------------------------------ post-processors */

static aif_code template_special(json_t *specials, const char *name, int32_t **ids, size_t *n,
                                 aif_err *err)
{
    json_t *sp = json_object_get(specials, name);
    json_t *arr = json_object_get(sp, "ids");
    if (!json_is_array(arr))
        return aif_err_set(err, AIF_EFORMAT, "post_processor TemplateProcessing: special token \"%s\" is not defined",
                           name);
    *n = json_array_size(arr);
    *ids = aif_malloc((*n + 1) * sizeof **ids);
    if (!*ids)
        return aif_tk_load_oom(err);
    for (size_t i = 0; i < *n; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
            return aif_err_set(err, AIF_EFORMAT, "post_processor TemplateProcessing: bad id for \"%s\"", name);
        (*ids)[i] = (int32_t)json_integer_value(v);
    }
    return AIF_OK;
}

/* The items of a TemplateProcessing template: -1 sequence A, -2 sequence B
 * (pair templates only), i >= 0 the special token whose ids are in sp_ids[i]. */
static aif_code template_items(json_t *arr, json_t *specials, const char *name, int pair, int32_t **items,
                               int32_t ***sp_ids, size_t **sp_n, size_t *n_items, aif_err *err)
{
    size_t n = json_array_size(arr);
    *items = aif_calloc(n + 1, sizeof **items);
    *sp_ids = aif_calloc(n + 1, sizeof **sp_ids);
    *sp_n = aif_calloc(n + 1, sizeof **sp_n);
    if (!*items || !*sp_ids || !*sp_n)
        return aif_tk_load_oom(err);
    *n_items = n;
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(arr, i);
        json_t *st = json_object_get(it, "SpecialToken"), *sq = json_object_get(it, "Sequence");
        if (json_is_object(sq)) {
            const char *id = json_string_value(json_object_get(sq, "id"));
            (*items)[i] = pair && id && !strcmp(id, "B") ? -2 : -1;
        } else if (json_is_object(st) && json_is_string(json_object_get(st, "id"))) {
            (*items)[i] = (int32_t)i;
            aif_code rc = template_special(specials, json_string_value(json_object_get(st, "id")), &(*sp_ids)[i],
                                           &(*sp_n)[i], err);
            if (rc)
                return rc;
        } else {
            return aif_err_set(err, AIF_EFORMAT, "post_processor TemplateProcessing: bad item %zu of \"%s\"", i, name);
        }
    }
    return AIF_OK;
}

aif_code aif_tk_parse_post(json_t *j, aif_tk_post *pp, int depth, aif_err *err)
{
    if (!json_is_object(j))
        return aif_err_set(err, AIF_EFORMAT, "post_processor: expected an object");
    if (depth > MAX_DEPTH)
        return aif_err_set(err, AIF_ERANGE, "post_processor: nesting deeper than %d", MAX_DEPTH);
    const char *t = aif_tk_json_type(j);
    if (!strcmp(t, "Sequence")) {
        json_t *arr = json_object_get(j, "processors");
        if (!json_is_array(arr))
            return aif_err_set(err, AIF_EFORMAT, "post_processor Sequence: \"processors\" must be an array");
        pp->type = POST_SEQUENCE;
        pp->sub = aif_calloc(json_array_size(arr) + 1, sizeof *pp->sub);
        if (!pp->sub)
            return aif_tk_load_oom(err);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            aif_code rc = aif_tk_parse_post(json_array_get(arr, i), &pp->sub[i], depth + 1, err);
            pp->n_sub = i + 1;
            if (rc)
                return rc;
        }
        return AIF_OK;
    }
    if (!strcmp(t, "ByteLevel")) {
        pp->type = POST_BYTELEVEL;
        json_t *tr = json_object_get(j, "trim_offsets"), *ap = json_object_get(j, "add_prefix_space");
        pp->trim_offsets = !json_is_false(tr);
        pp->add_prefix_space = !json_is_false(ap);
        return AIF_OK;
    }
    if (!strcmp(t, "RobertaProcessing") || !strcmp(t, "BertProcessing")) {
        pp->type = t[0] == 'R' ? POST_ROBERTA : POST_BERT;
        if (pp->type == POST_ROBERTA) {
            pp->trim_offsets = !json_is_false(json_object_get(j, "trim_offsets"));
            pp->add_prefix_space = !json_is_false(json_object_get(j, "add_prefix_space"));
        }
        json_t *cls = json_array_get(json_object_get(j, "cls"), 1), *sep = json_array_get(json_object_get(j, "sep"), 1);
        if (!json_is_integer(cls) || !json_is_integer(sep))
            return aif_err_set(err, AIF_EFORMAT, "post_processor %s: \"cls\"/\"sep\" must be [token, id]", t);
        pp->cls_id = (int32_t)json_integer_value(cls);
        pp->sep_id = (int32_t)json_integer_value(sep);
        return AIF_OK;
    }
    if (!strcmp(t, "TemplateProcessing")) {
        pp->type = POST_TEMPLATE;
        json_t *single = json_object_get(j, "single"), *pair = json_object_get(j, "pair"),
               *specials = json_object_get(j, "special_tokens");
        if (!json_is_array(single))
            return aif_err_set(err, AIF_EFORMAT, "post_processor TemplateProcessing: \"single\" must be an array");
        aif_code rc = template_items(single, specials, "single", 0, &pp->items, &pp->sp_ids, &pp->sp_n, &pp->n_items, err);
        if (rc == AIF_OK && json_is_array(pair)) {
            rc = template_items(pair, specials, "pair", 1, &pp->pitems, &pp->psp_ids, &pp->psp_n, &pp->n_pitems, err);
            pp->has_pair = 1;
        }
        return rc;
    }
    return aif_err_set(err, AIF_ENOTSUP, "unsupported post_processor \"%s\"", t);
}
