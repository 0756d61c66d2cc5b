/* test_offsets.c: byte offsets and pair encoding against Hugging Face
 * `tokenizers` (Rust 0.22.2 through npm @anush008/tokenizers@0.6.0).
 *
 * tests/vectors/tokenizer/<family>_offsets.jsonl were written by
 * tests/xref/tokenizer/offsets.js (see its header): for the shipped corpus
 * (../shared/testdata/tokenizers/corpus.jsonl) plus 14 extra strings
 * (combining marks, CJK, Hangul jamo, ligatures, ZWJ emoji, special-token
 * text), the reference's ids and offsets of encode(text) without and with
 * special tokens, and for 8 pairs the ids and offsets of encode(a, b) with
 * special tokens. The binding's getOffsets() gives code point offsets; the
 * script converted them to UTF-8 byte offsets (what the Rust crate itself
 * returns). Every id and every offset must agree exactly; each family prints
 * "<family> offsets: N/M records agree".
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "aif/tokenizer.h"
#include "harness.h"

static int same(json_t *jids, json_t *joffs, const aif_token_ids *ids, const aif_token_offsets *offs)
{
    if (json_array_size(jids) != ids->n || json_array_size(joffs) != offs->n || ids->n != offs->n)
        return 0;
    for (size_t i = 0; i < ids->n; i++) {
        json_t *o = json_array_get(joffs, i);
        if (json_integer_value(json_array_get(jids, i)) != ids->v[i] ||
            json_integer_value(json_array_get(o, 0)) != offs->v[i][0] ||
            json_integer_value(json_array_get(o, 1)) != offs->v[i][1])
            return 0;
    }
    return 1;
}

static void show(const char *fam, const char *what, const char *text, const aif_token_ids *ids,
                 const aif_token_offsets *offs, json_t *jids, json_t *joffs)
{
    fprintf(stderr, "  %s %s mismatch on \"%.60s\"\n    got: ", fam, what, text);
    for (size_t i = 0; i < ids->n && i < 24; i++)
        fprintf(stderr, "%d(%u,%u) ", ids->v[i], offs->v[i][0], offs->v[i][1]);
    fprintf(stderr, "\n    ref: ");
    for (size_t i = 0; i < json_array_size(jids) && i < 24; i++) {
        json_t *o = json_array_get(joffs, i);
        fprintf(stderr, "%d(%d,%d) ", (int)json_integer_value(json_array_get(jids, i)),
                (int)json_integer_value(json_array_get(o, 0)), (int)json_integer_value(json_array_get(o, 1)));
    }
    fprintf(stderr, "\n");
}

static void run_family(const char *fam)
{
    char rel[256], vec[256];
    snprintf(rel, sizeof rel, "tokenizers/%s/tokenizer.json", fam);
    snprintf(vec, sizeof vec, "tests/vectors/tokenizer/%s_offsets.jsonl", fam);
    aif_err err = {0};
    aif_tokenizer *tok = NULL;
    CHECK_OK(aif_tokenizer_load(aif_test_path(rel), &tok, &err), err);
    FILE *f = fopen(vec, "r");
    CHECK(f != NULL);
    if (!tok || !f) {
        if (f)
            fclose(f);
        aif_tokenizer_free(tok);
        return;
    }
    char *line = NULL;
    size_t cap = 0, total = 0, good = 0, shown = 0, pairs = 0;
    ssize_t got;
    aif_token_ids ids = {0};
    aif_token_offsets offs = {0};
    while ((got = getline(&line, &cap, f)) > 0) {
        json_error_t je;
        json_t *r = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &je);
        CHECK(r != NULL);
        if (!r)
            break;
        json_t *text = json_object_get(r, "text"), *a = json_object_get(r, "a");
        if (json_is_string(text)) {
            const char *t = json_string_value(text);
            size_t tl = json_string_length(text);
            for (int sp = 0; sp < 2; sp++) {
                ids.n = offs.n = 0;
                aif_code rc = aif_tokenizer_encode_offsets(tok, t, tl, sp ? AIF_TOK_ADD_SPECIAL : 0, &ids, &offs, &err);
                CHECK_OK(rc, err);
                json_t *ji = json_object_get(r, sp ? "ids_special" : "ids"),
                       *jo = json_object_get(r, sp ? "offsets_special" : "offsets");
                total++;
                if (rc == AIF_OK && same(ji, jo, &ids, &offs))
                    good++;
                else if (shown++ < 3)
                    show(fam, sp ? "special" : "plain", t, &ids, &offs, ji, jo);
            }
        } else if (json_is_string(a)) {
            json_t *b = json_object_get(r, "b");
            ids.n = offs.n = 0;
            aif_code rc = aif_tokenizer_encode_pair_offsets(tok, json_string_value(a), json_string_length(a),
                                                            json_string_value(b), json_string_length(b),
                                                            AIF_TOK_ADD_SPECIAL, &ids, &offs, &err);
            CHECK_OK(rc, err);
            json_t *ji = json_object_get(r, "ids"), *jo = json_object_get(r, "offsets");
            total++;
            pairs++;
            if (rc == AIF_OK && same(ji, jo, &ids, &offs)) {
                good++;
                /* the pair without offsets gives the same ids */
                aif_token_ids ids2 = {0};
                CHECK_OK(aif_tokenizer_encode_pair(tok, json_string_value(a), json_string_length(a),
                                                   json_string_value(b), json_string_length(b), AIF_TOK_ADD_SPECIAL,
                                                   &ids2, &err), err);
                CHECK(ids2.n == ids.n && (!ids.n || !memcmp(ids2.v, ids.v, ids.n * sizeof *ids.v)));
                aif_token_ids_release(&ids2);
            } else if (shown++ < 3) {
                show(fam, "pair", json_string_value(a), &ids, &offs, ji, jo);
            }
        }
        json_decref(r);
    }
    free(line);
    fclose(f);
    printf("  %s offsets: %zu/%zu records agree (%zu pairs)\n", fam, good, total, pairs);
    CHECK(total > 100);
    CHECK_EQ(good, total);
    aif_token_ids_release(&ids);
    aif_token_offsets_release(&offs);
    aif_tokenizer_free(tok);
}

static void t_gpt4(void) { run_family("gpt4-cl100k"); }
static void t_llama3(void) { run_family("llama3"); }
static void t_qwen25(void) { run_family("qwen2.5"); }
static void t_qwen3(void) { run_family("qwen3"); }
static void t_deepseek(void) { run_family("deepseek-v3"); }
static void t_mistral(void) { run_family("mistral-7b-spm-bpe"); }

AIF_TESTS(tokenizer_offsets) = {
    {"tokenizer/offsets_gpt4_cl100k", t_gpt4},
    {"tokenizer/offsets_llama3", t_llama3},
    {"tokenizer/offsets_qwen2_5", t_qwen25},
    {"tokenizer/offsets_qwen3", t_qwen3},
    {"tokenizer/offsets_deepseek_v3", t_deepseek},
    {"tokenizer/offsets_mistral", t_mistral},
    {NULL, NULL},
};
