/* test_tokens.c: the data path's split/re-encode (5.4) with real
 * tokenizers against Hugging Face tokenizers: tests/vectors/data/split_*.jsonl,
 * written by tests/xref/data/split.js (Rust tokenizers 0.22.2 via npm). */
#include "harness.h"

#include <jansson.h>

#include "aif/alloc.h"
#include "aif/data.h"
#include "aif/fs.h"

/* Text of line `line` of a corpus file (aif_free). */
static char *corpus_text(const char *file, int line, size_t *len)
{
    char *all = NULL;
    size_t n;
    aif_err err;
    if (aif_fs_read_file(file, 4 << 20, &all, &n, &err) != AIF_OK)
        return NULL;
    char *p = all, *out = NULL;
    for (int i = 0; i < line && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (p) {
        char *e = strchr(p, '\n');
        json_error_t je;
        json_t *o = json_loadb(p, e ? (size_t)(e - p) : strlen(p), JSON_ALLOW_NUL, &je);
        json_t *t = json_object_get(o, "text");
        if (json_is_string(t)) {
            *len = json_string_length(t);
            out = aif_strndup(json_string_value(t), *len);
        }
        json_decref(o);
    }
    aif_free(all);
    return out;
}

static void family(const char *fam)
{
    char dir[256], vec[256];
    snprintf(dir, sizeof dir, "tokenizers/%s", fam);
    snprintf(vec, sizeof vec, "tests/vectors/data/split_%s.jsonl", fam);
    aif_tokenizer *tk = NULL;
    aif_err err;
    CHECK_OK(aif_tokenizer_load(aif_test_path(dir), &tk, &err), err);
    if (!tk)
        return;
    aif_data_tok tok;
    CHECK_OK(aif_data_tok_init(&tok, tk, &err), err);
    char *text = NULL;
    size_t len = 0;
    CHECK_OK(aif_fs_read_file(vec, 1 << 20, &text, &len, &err), err);
    int cases = 0;
    for (char *line = text ? strchr(text, '\n') : NULL; line && line[1]; line = strchr(line + 1, '\n')) {
        json_error_t je;
        json_t *v = json_loads(line + 1, JSON_DISABLE_EOF_CHECK, &je);
        if (!v) {
            aif_test_fail(__FILE__, __LINE__, "%s: bad vector line: %s", vec, je.text);
            break;
        }
        const char *file = json_string_value(json_object_get(v, "file"));
        int ln = (int)json_integer_value(json_object_get(v, "line"));
        size_t bytes = (size_t)json_integer_value(json_object_get(v, "bytes"));
        size_t chunk = (size_t)json_integer_value(json_object_get(v, "chunk_len"));
        json_t *ids = json_object_get(v, "ids");
        CHECK_EQ(tok.eos_id, json_integer_value(json_object_get(v, "eos_id")));
        size_t doc_len = 0;
        char *doc = file ? corpus_text(file, ln, &doc_len) : NULL;
        CHECK(doc != NULL && bytes <= doc_len);
        if (doc && bytes <= doc_len) {
            aif_token_ids got = {0};
            CHECK_OK(aif_data_tokenize_doc(&tok, doc, bytes, chunk, &got, &err), err);
            size_t n = json_array_size(ids), bad = n;
            for (size_t i = 0; i < n && i < got.n; i++)
                if (got.v[i] != json_integer_value(json_array_get(ids, i))) {
                    bad = i;
                    break;
                }
            if (got.n != n || bad != n)
                aif_test_fail(__FILE__, __LINE__, "%s %s:%d chunk %zu: %zu ids vs %zu expected, first difference at %zu",
                              fam, file, ln, chunk, got.n, n, bad);
            aif_token_ids_release(&got);
            cases++;
        }
        aif_free(doc);
        json_decref(v);
    }
    CHECK_EQ(cases, 5);
    aif_free(text);
    aif_tokenizer_free(tk);
}

static void qwen25(void) { family("qwen2.5"); }
static void mistral(void) { family("mistral-7b-spm-bpe"); }

AIF_TESTS(data_tokens) = {
    {"data/tokens_qwen2.5_vs_hf", qwen25},
    {"data/tokens_mistral_vs_hf", mistral},
    {NULL, NULL},
};
