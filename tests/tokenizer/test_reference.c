/* test_reference.c: every line of reference_hf_tokenizers.jsonl of the six
 * tokenizer.json families in ../shared/testdata/tokenizers (made by the Rust
 * `tokenizers` 0.22.2 through its NAPI bindings, see the testdata README):
 * ids (no special tokens), ids_with_special, decoded (skip_special false)
 * and decoded_skip_special (of ids_with_special) must match exactly. */
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

static void run_family(const char *dir)
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
        aif_token_ids ids = {0}, ids_sp = {0};
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
        json_decref(rec);
    }
    free(line);
    fclose(f);
    CHECK_EQ(lines, 55);
    CHECK_EQ(ok, lines);
    printf("     %s: %zu/%zu reference lines match (ids, ids_with_special, decoded, decoded_skip_special)\n", dir,
           ok, lines);
    aif_tokenizer_free(tok);
}

static void ref_cl100k(void) { run_family("gpt4-cl100k"); }
static void ref_llama3(void) { run_family("llama3"); }
static void ref_qwen25(void) { run_family("qwen2.5"); }
static void ref_qwen3(void) { run_family("qwen3"); }
static void ref_deepseek(void) { run_family("deepseek-v3"); }
static void ref_mistral(void) { run_family("mistral-7b-spm-bpe"); }

AIF_TESTS(tokenizer_reference) = {
    {"tokenizer/ref_gpt4_cl100k", ref_cl100k},
    {"tokenizer/ref_llama3", ref_llama3},
    {"tokenizer/ref_qwen2_5", ref_qwen25},
    {"tokenizer/ref_qwen3", ref_qwen3},
    {"tokenizer/ref_deepseek_v3", ref_deepseek},
    {"tokenizer/ref_mistral_spm_bpe", ref_mistral},
    {NULL, NULL},
};
