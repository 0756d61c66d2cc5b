/* test_reference.c: every line of reference_hf_tokenizers.jsonl of the six
 * tokenizer.json families in ../shared/testdata/tokenizers (made by the Rust
 * `tokenizers` 0.22.2 through its NAPI bindings, see the testdata README):
 * ids (no special tokens), ids_with_special, decoded (skip_special false)
 * and decoded_skip_special (of ids_with_special) must match exactly, and
 * id_to_token / token_to_id must agree with the "tokens" field.
 *
 * AIF_TOK_CALL (transformers __call__) is checked against the rule of the
 * tokenizer class named in tokenizer_config.json: LlamaTokenizer(Fast)
 * (DeepSeek-V3, Mistral; add_bos_token true, add_eos_token false) rebuilds
 * the template as bos + A, so the result is [bos] + ids; the other classes
 * (PreTrainedTokenizerFast, GPT2TokenizerFast, Qwen2TokenizerFast) keep the
 * tokenizer.json post-processor: ids_with_special. */
#include "harness.h"

#include <jansson.h>
#include <stdlib.h>

#include "aif/alloc.h"
#include "aif/tokenizer.h"

static int ids_equal(const aif_token_ids *ids, json_t *arr)
{
    if (!json_is_array(arr) || json_array_size(arr) != ids->n)
        return 0;
    for (size_t i = 0; i < ids->n; i++)
        if (json_integer_value(json_array_get(arr, i)) != ids->v[i])
            return 0;
    return 1;
}

static void print_ids(const char *what, const aif_token_ids *ids, json_t *want)
{
    fprintf(stderr, "    %s got:  [", what);
    for (size_t i = 0; i < ids->n; i++)
        fprintf(stderr, "%s%d", i ? "," : "", ids->v[i]);
    char *w = json_dumps(want, JSON_COMPACT);
    fprintf(stderr, "]\n    %s want: %s\n", what, w ? w : "?");
    free(w);
}

static void run_family(const char *dir, int32_t call_bos)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tokenizers/%s", dir);
    aif_tokenizer *tok = NULL;
    aif_err err = {0};
    CHECK_OK(aif_tokenizer_load(aif_test_path(rel), &tok, &err), err);
    if (!tok)
        return;
    snprintf(rel, sizeof rel, "tokenizers/%s/reference_hf_tokenizers.jsonl", dir);
    FILE *f = fopen(aif_test_path(rel), "r");
    CHECK(f != NULL);
    if (!f) {
        aif_tokenizer_free(tok);
        return;
    }
    char *line = NULL;
    size_t cap = 0, lines = 0, ok = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, f)) > 0) {
        json_error_t je;
        json_t *rec = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &je);
        CHECK(rec != NULL);
        if (!rec)
            continue;
        lines++;
        json_t *jt = json_object_get(rec, "text");
        const char *text = json_string_value(jt);
        size_t tl = json_string_length(jt);
        aif_token_ids ids = {0}, ids_sp = {0}, ids_call = {0};
        char *dec = NULL, *dec_skip = NULL;
        size_t dl = 0, dsl = 0;
        int good = 1;
        if (aif_tokenizer_encode(tok, text, tl, 0, &ids, &err) != AIF_OK ||
            aif_tokenizer_encode(tok, text, tl, AIF_TOK_ADD_SPECIAL, &ids_sp, &err) != AIF_OK) {
            aif_test_fail(__FILE__, __LINE__, "%s line %zu: encode: %s", dir, lines, err.msg);
            good = 0;
        } else {
            if (!ids_equal(&ids, json_object_get(rec, "ids"))) {
                aif_test_fail(__FILE__, __LINE__, "%s line %zu: ids differ", dir, lines);
                print_ids("ids", &ids, json_object_get(rec, "ids"));
                good = 0;
            }
            if (!ids_equal(&ids_sp, json_object_get(rec, "ids_with_special"))) {
                aif_test_fail(__FILE__, __LINE__, "%s line %zu: ids_with_special differ", dir, lines);
                print_ids("ids_with_special", &ids_sp, json_object_get(rec, "ids_with_special"));
                good = 0;
            }
            json_t *toks = json_object_get(rec, "tokens");
            for (size_t i = 0; i < ids.n && i < json_array_size(toks); i++) {
                const char *want = json_string_value(json_array_get(toks, i));
                const char *have = aif_tokenizer_id_to_token(tok, ids.v[i]);
                if (!have || strcmp(have, want) || aif_tokenizer_token_to_id(tok, want) != ids.v[i]) {
                    aif_test_fail(__FILE__, __LINE__, "%s line %zu: token %zu: id %d is \"%s\", want \"%s\"", dir,
                                  lines, i, ids.v[i], have ? have : "(null)", want);
                    good = 0;
                }
            }
            CHECK_OK(aif_tokenizer_encode(tok, text, tl, AIF_TOK_CALL, &ids_call, &err), err);
            aif_token_ids want_call = {0};
            if (call_bos >= 0) {
                want_call.v = malloc((ids.n + 1) * sizeof *want_call.v);
                want_call.v[0] = call_bos;
                if (ids.n)
                    memcpy(want_call.v + 1, ids.v, ids.n * sizeof *ids.v);
                want_call.n = ids.n + 1;
            } else {
                want_call.v = malloc((ids_sp.n + 1) * sizeof *want_call.v);
                if (ids_sp.n)
                    memcpy(want_call.v, ids_sp.v, ids_sp.n * sizeof *ids.v);
                want_call.n = ids_sp.n;
            }
            if (ids_call.n != want_call.n || (want_call.n && memcmp(ids_call.v, want_call.v, want_call.n * sizeof *ids.v))) {
                aif_test_fail(__FILE__, __LINE__, "%s line %zu: AIF_TOK_CALL ids differ (%zu vs %zu tokens)", dir, lines,
                              ids_call.n, want_call.n);
                good = 0;
            }
            free(want_call.v);
            /* decode the reference ids, so that decoding is checked on its own */
            json_t *rid = json_object_get(rec, "ids"), *rsp = json_object_get(rec, "ids_with_special");
            int32_t *v = malloc((json_array_size(rid) + json_array_size(rsp) + 1) * sizeof *v);
            for (size_t i = 0; i < json_array_size(rid); i++)
                v[i] = (int32_t)json_integer_value(json_array_get(rid, i));
            CHECK_OK(aif_tokenizer_decode(tok, v, json_array_size(rid), 0, &dec, &dl, &err), err);
            for (size_t i = 0; i < json_array_size(rsp); i++)
                v[i] = (int32_t)json_integer_value(json_array_get(rsp, i));
            CHECK_OK(aif_tokenizer_decode(tok, v, json_array_size(rsp), AIF_TOK_SKIP_SPECIAL, &dec_skip, &dsl, &err),
                     err);
            free(v);
            json_t *wd = json_object_get(rec, "decoded"), *wds = json_object_get(rec, "decoded_skip_special");
            if (!dec || dl != json_string_length(wd) || memcmp(dec, json_string_value(wd), dl)) {
                aif_test_fail(__FILE__, __LINE__, "%s line %zu: decoded \"%s\" != \"%s\"", dir, lines,
                              dec ? dec : "(null)", json_string_value(wd));
                good = 0;
            }
            if (!dec_skip || dsl != json_string_length(wds) || memcmp(dec_skip, json_string_value(wds), dsl)) {
                aif_test_fail(__FILE__, __LINE__, "%s line %zu: decoded_skip_special \"%s\" != \"%s\"", dir, lines,
                              dec_skip ? dec_skip : "(null)", json_string_value(wds));
                good = 0;
            }
        }
        ok += good;
        aif_free(dec);
        aif_free(dec_skip);
        aif_token_ids_release(&ids);
        aif_token_ids_release(&ids_sp);
        aif_token_ids_release(&ids_call);
        json_decref(rec);
    }
    free(line);
    fclose(f);
    CHECK_EQ(lines, 55);
    CHECK_EQ(ok, lines);
    printf("     %s: %zu/%zu reference lines match (ids, ids_with_special, tokens, decoded, decoded_skip_special, call)\n", dir,
           ok, lines);
    aif_tokenizer_free(tok);
}

static void ref_cl100k(void) { run_family("gpt4-cl100k", -1); }
static void ref_llama3(void) { run_family("llama3", -1); }
static void ref_qwen25(void) { run_family("qwen2.5", -1); }
static void ref_qwen3(void) { run_family("qwen3", -1); }
/* bos ids: <｜begin▁of▁sentence｜> = 0 and <s> = 1 in their tokenizer.json */
static void ref_deepseek(void) { run_family("deepseek-v3", 0); }
static void ref_mistral(void) { run_family("mistral-7b-spm-bpe", 1); }

/* Characters new in Unicode 15.0-16.0 inside the Split regexes (\p{L},
 * \p{N}, \p{P}, \p{S}): lines of tests/vectors/tokenizer/<family>_unicode16.jsonl
 * of the tokxref helper (npm @anush008/tokenizers@0.6.0, tokenizers 0.22.2,
 * `node tests/xref/tokenizer/gen.js --unicode-new`). */
static void unicode16_regex(void)
{
    static const struct { const char *family, *text, *ids; } cases[] = {
        {"llama3", "x \xE1\xAD\x8E\xE1\xAD\x8F\n", "87 87189 255 236 157 255 237 198"},
        {"llama3", " \xEA\x9F\x8D\xEA\x9F\x8D", "8790 253 235 166 253 235"},
        {"llama3", "1\xF0\x96\x84\xB6" "23", "16 172 244 226 114 17 18"},
        {"llama3", " \xF0\x96\xB5\xB4\xF0\x96\xB5\xB4", "220 172 244 113 112 172 244 113 112"},
        {"deepseek-v3", "x \xE1\xAD\x8E\xE1\xAD\x8F\n", "90 8751 258 239 160 258 240 201"},
        {"deepseek-v3", " \xEA\x9F\x8D\xEA\x9F\x8D", "2297 256 238 169 256 238"},
        {"deepseek-v3", "1\xF0\x96\x84\xB6" "23", "19 175 247 229 117 20 21"},
        {"deepseek-v3", " \xF0\x96\xB5\xB4\xF0\x96\xB5\xB4", "223 175 247 116 115 175 247 116 115"},
    };
    aif_tokenizer *tok = NULL;
    const char *loaded = "";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(loaded, cases[i].family)) {
            aif_tokenizer_free(tok);
            tok = NULL;
            char rel[256];
            aif_err err = {0};
            snprintf(rel, sizeof rel, "tokenizers/%s", cases[i].family);
            CHECK_OK(aif_tokenizer_load(aif_test_path(rel), &tok, &err), err);
            loaded = cases[i].family;
        }
        if (!tok)
            continue;
        aif_token_ids ids = {0};
        aif_err err = {0};
        char got[256] = "";
        size_t k = 0;
        CHECK_OK(aif_tokenizer_encode(tok, cases[i].text, strlen(cases[i].text), 0, &ids, &err), err);
        for (size_t j = 0; j < ids.n && k + 12 < sizeof got; j++)
            k += (size_t)snprintf(got + k, sizeof got - k, j ? " %d" : "%d", ids.v[j]);
        if (strcmp(got, cases[i].ids))
            aif_test_fail(__FILE__, __LINE__, "%s case %zu: %s != %s", cases[i].family, i, got, cases[i].ids);
        aif_token_ids_release(&ids);
    }
    aif_tokenizer_free(tok);
}

AIF_TESTS(tokenizer_reference) = {
    {"tokenizer/unicode16_regex", unicode16_regex},
    {"tokenizer/ref_gpt4_cl100k", ref_cl100k},
    {"tokenizer/ref_llama3", ref_llama3},
    {"tokenizer/ref_qwen2_5", ref_qwen25},
    {"tokenizer/ref_qwen3", ref_qwen3},
    {"tokenizer/ref_deepseek_v3", ref_deepseek},
    {"tokenizer/ref_mistral_spm_bpe", ref_mistral},
    {NULL, NULL},
};
