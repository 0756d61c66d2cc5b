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
 *
 * normalizers_offsets.jsonl (same script) tracks the alignment through the
 * other normalizers: the mistral tokenizer.json (byte-fallback BPE, so any
 * text encodes) with its normalizer replaced by 5 Sequences of NFD/NFKC/NFKD/
 * NFC, StripAccents, Lowercase (U+0130 included), Strip, Prepend and Replace
 * (String and Regex patterns, multi-char matches), 25 texts each.
 * postprocessors_offsets.jsonl: deepseek-v3 / gpt4-cl100k with a ByteLevel
 * post-processor with trim_offsets (add_prefix_space true / false), llama3
 * with RobertaProcessing (trim_offsets) and qwen3 with BertProcessing: texts
 * and pairs (<s> A </s></s> B </s>, [CLS] A [SEP] B [SEP]).
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

struct tally {
    size_t total, good, shown, pairs;
};

/* One record of a family / post-processor file: a text (without and with
 * special tokens) or a pair. */
static void check_record(const aif_tokenizer *tok, const char *fam, json_t *r, struct tally *c)
{
    aif_err err = {0};
    aif_token_ids ids = {0};
    aif_token_offsets offs = {0};
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
            c->total++;
            if (rc == AIF_OK && same(ji, jo, &ids, &offs))
                c->good++;
            else if (c->shown++ < 3)
                show(fam, sp ? "special" : "plain", t, &ids, &offs, ji, jo);
        }
    } else if (json_is_string(a)) {
        json_t *b = json_object_get(r, "b");
        aif_code rc = aif_tokenizer_encode_pair_offsets(tok, json_string_value(a), json_string_length(a),
                                                        json_string_value(b), json_string_length(b),
                                                        AIF_TOK_ADD_SPECIAL, &ids, &offs, &err);
        CHECK_OK(rc, err);
        json_t *ji = json_object_get(r, "ids"), *jo = json_object_get(r, "offsets");
        c->total++;
        c->pairs++;
        if (rc == AIF_OK && same(ji, jo, &ids, &offs)) {
            c->good++;
            /* the pair without offsets gives the same ids */
            aif_token_ids ids2 = {0};
            CHECK_OK(aif_tokenizer_encode_pair(tok, json_string_value(a), json_string_length(a), json_string_value(b),
                                               json_string_length(b), AIF_TOK_ADD_SPECIAL, &ids2, &err),
                     err);
            CHECK(ids2.n == ids.n && (!ids.n || !memcmp(ids2.v, ids.v, ids.n * sizeof *ids.v)));
            aif_token_ids_release(&ids2);
        } else if (c->shown++ < 3) {
            show(fam, "pair", json_string_value(a), &ids, &offs, ji, jo);
        }
    }
    aif_token_ids_release(&ids);
    aif_token_offsets_release(&offs);
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
    size_t cap = 0;
    ssize_t got;
    struct tally c = {0};
    while ((got = getline(&line, &cap, f)) > 0) {
        json_error_t je;
        json_t *r = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &je);
        CHECK(r != NULL);
        if (!r)
            break;
        check_record(tok, fam, r, &c);
        json_decref(r);
    }
    free(line);
    fclose(f);
    printf("  %s offsets: %zu/%zu records agree (%zu pairs)\n", fam, c.good, c.total, c.pairs);
    CHECK(c.total > 100);
    CHECK_EQ(c.good, c.total);
    aif_tokenizer_free(tok);
}

/* postprocessors_offsets.jsonl: families with their post_processor replaced
 * (ByteLevel trim_offsets with and without add_prefix_space, Roberta with
 * trim_offsets, Bert), texts and pairs. */
static void postprocessors(void)
{
    FILE *f = fopen("tests/vectors/tokenizer/postprocessors_offsets.jsonl", "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    json_t *posts = NULL;
    aif_tokenizer *tok = NULL;
    long cur = -1;
    struct tally c = {0};
    aif_err err = {0};
    while ((got = getline(&line, &cap, f)) > 0) {
        json_error_t je;
        json_t *r = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &je);
        CHECK(r != NULL);
        if (!r)
            break;
        if (!posts && json_is_array(json_object_get(r, "postprocessors"))) {
            posts = json_incref(json_object_get(r, "postprocessors"));
            json_decref(r);
            continue;
        }
        long pi = (long)json_integer_value(json_object_get(r, "post"));
        if (pi != cur && posts) {
            json_t *e = json_array_get(posts, (size_t)pi);
            char rel[256];
            snprintf(rel, sizeof rel, "tokenizers/%s/tokenizer.json", json_string_value(json_array_get(e, 0)));
            json_t *base = json_load_file(aif_test_path(rel), 0, &je);
            CHECK(base != NULL);
            aif_tokenizer_free(tok);
            tok = NULL;
            if (base) {
                json_object_set(base, "post_processor", json_array_get(e, 1));
                char *js = json_dumps(base, JSON_COMPACT);
                CHECK_OK(aif_tokenizer_load_mem(js, strlen(js), &tok, &err), err);
                free(js);
                json_decref(base);
            }
            cur = pi;
        }
        if (tok) {
            char name[32];
            snprintf(name, sizeof name, "post %ld", pi);
            check_record(tok, name, r, &c);
        }
        json_decref(r);
    }
    free(line);
    fclose(f);
    printf("  post-processors offsets: %zu/%zu records agree (%zu pairs)\n", c.good, c.total, c.pairs);
    CHECK(c.total > 300);
    CHECK_EQ(c.good, c.total);
    aif_tokenizer_free(tok);
    json_decref(posts);
}

/* The mistral tokenizer.json with its normalizer replaced by norm. */
static aif_tokenizer *with_normalizer(json_t *base, json_t *norm, aif_err *err)
{
    json_object_set(base, "normalizer", norm);
    char *js = json_dumps(base, JSON_COMPACT);
    aif_tokenizer *tok = NULL;
    if (!js || aif_tokenizer_load_mem(js, strlen(js), &tok, err) != AIF_OK)
        tok = NULL;
    free(js);
    return tok;
}

static void normalizers(void)
{
    json_error_t je;
    json_t *base = json_load_file(aif_test_path("tokenizers/mistral-7b-spm-bpe/tokenizer.json"), 0, &je);
    FILE *f = fopen("tests/vectors/tokenizer/normalizers_offsets.jsonl", "r");
    CHECK(base != NULL);
    CHECK(f != NULL);
    if (!base || !f) {
        if (f)
            fclose(f);
        json_decref(base);
        return;
    }
    char *line = NULL;
    size_t cap = 0, total = 0, good = 0, shown = 0;
    ssize_t got;
    json_t *norms = NULL;
    aif_tokenizer *tok = NULL;
    long cur = -1;
    aif_err err = {0};
    aif_token_ids ids = {0};
    aif_token_offsets offs = {0};
    while ((got = getline(&line, &cap, f)) > 0) {
        json_t *r = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &je);
        CHECK(r != NULL);
        if (!r)
            break;
        if (!norms && json_is_array(json_object_get(r, "normalizers"))) {
            norms = json_incref(json_object_get(r, "normalizers"));
            json_decref(r);
            continue;
        }
        long ni = (long)json_integer_value(json_object_get(r, "norm"));
        if (ni != cur && norms) {
            aif_tokenizer_free(tok);
            tok = with_normalizer(base, json_array_get(norms, (size_t)ni), &err);
            CHECK_OK(tok ? AIF_OK : err.code, err);
            cur = ni;
        }
        json_t *text = json_object_get(r, "text");
        if (tok && json_is_string(text)) {
            ids.n = offs.n = 0;
            aif_code rc = aif_tokenizer_encode_offsets(tok, json_string_value(text), json_string_length(text), 0, &ids,
                                                       &offs, &err);
            CHECK_OK(rc, err);
            json_t *ji = json_object_get(r, "ids"), *jo = json_object_get(r, "offsets");
            total++;
            if (rc == AIF_OK && same(ji, jo, &ids, &offs)) {
                good++;
            } else if (shown++ < 5) {
                char what[32];
                snprintf(what, sizeof what, "normalizer %ld", ni);
                show("mistral", what, json_string_value(text), &ids, &offs, ji, jo);
            }
        }
        json_decref(r);
    }
    free(line);
    fclose(f);
    printf("  normalizers offsets: %zu/%zu records agree\n", good, total);
    CHECK(total >= 100);
    CHECK_EQ(good, total);
    aif_token_ids_release(&ids);
    aif_token_offsets_release(&offs);
    aif_tokenizer_free(tok);
    json_decref(norms);
    json_decref(base);
}

/* Runs $AIF_BIN args with input on stdin; out gets stdout. Exit status. */
static int run_cli(const char *const *args, const char *input, char *out, size_t cap)
{
    const char *bin = getenv("AIF_BIN");
    if (!bin)
        bin = "build/test/aif";
    int pin[2], pout[2];
    if (pipe(pin) || pipe(pout))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pin[0], 0);
        dup2(pout[1], 1);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2);
        close(pin[1]);
        close(pout[0]);
        char *argv[16];
        size_t k = 0;
        argv[k++] = (char *)bin;
        for (; args[k - 1] && k < 15; k++)
            argv[k] = (char *)args[k - 1];
        argv[k] = NULL;
        execv(bin, argv);
        _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    if (write(pin[1], input, strlen(input)) < 0) {
    }
    close(pin[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(pout[0], out + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = 0;
    close(pout[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void cli_offsets(void)
{
    char out[4096];
    const char *file = aif_test_path("tokenizers/mistral-7b-spm-bpe/tokenizer.json");
    /* "Héllo wörld" (é, ö: 2 bytes each): the Prepend-ed "▁" belongs to "H" (0,1);
     * "▁w" is the space (byte 6, turned into "▁") and "w" (7): (6,8); <s> (0,0).
     * Worked out by hand; the reference gives the same split of ids. */
    const char *a1[] = {"tokenize", "--tokenizer", file, "--json", "--offsets", NULL};
    CHECK_EQ(run_cli(a1, "H\xC3\xA9llo w\xC3\xB6rld", out, sizeof out), 0);
    CHECK(strstr(out, "\"offsets\":[[0,0],[0,1],[1,3],[3,5],[5,6],[6,8],[8,11],[11,13]]") != NULL);
    const char *a2[] = {"tokenize", "--tokenizer", file, "--offsets", "--no-special", NULL};
    CHECK_EQ(run_cli(a2, "Hello world", out, sizeof out), 0);
    CHECK_STR(out, "22557\t\xE2\x96\x81Hello\t0\t5\n1526\t\xE2\x96\x81world\t5\t11\n");
    const char *a3[] = {"tokenize", "--tokenizer", file, "--offsets", "--ids", NULL};
    CHECK_EQ(run_cli(a3, "x", out, sizeof out), 2);
}

static void api_errors(void)
{
    aif_err err = {0};
    aif_tokenizer *tok = NULL;
    CHECK_OK(aif_tokenizer_load(aif_test_path("tokenizers/mistral-7b-spm-bpe/tokenizer.json"), &tok, &err), err);
    if (!tok)
        return;
    aif_token_ids ids = {0};
    aif_token_offsets offs = {0};
    /* invalid UTF-8: an error naming the byte; nothing appended */
    CHECK_ERR(aif_tokenizer_encode_offsets(tok, "ab\xFF", 3, 0, &ids, &offs, &err), AIF_EUTF8, err, "byte offset 2");
    CHECK_EQ(ids.n, 0);
    CHECK_EQ(offs.n, 0);
    CHECK_ERR(aif_tokenizer_encode_pair(tok, "ok", 2, "\xC3", 1, AIF_TOK_ADD_SPECIAL, &ids, &err), AIF_EUTF8, err,
              "second sequence");
    CHECK_EQ(ids.n, 0);
    /* offsets append: a second call continues both lists ("a" -> <s> "▁a", by hand: (0,0) (0,1)) */
    CHECK_OK(aif_tokenizer_encode_offsets(tok, "a", 1, AIF_TOK_ADD_SPECIAL, &ids, &offs, &err), err);
    CHECK_OK(aif_tokenizer_encode_offsets(tok, "a", 1, AIF_TOK_ADD_SPECIAL, &ids, &offs, &err), err);
    CHECK_EQ(ids.n, 4);
    CHECK_EQ(offs.n, 4);
    CHECK_EQ(ids.v[2], 1);
    CHECK_EQ(offs.v[3][0], 0);
    CHECK_EQ(offs.v[3][1], 1);
    aif_token_ids_release(&ids);
    aif_token_offsets_release(&offs);
    aif_tokenizer_free(tok);
    /* a Metaspace pre-tokenizer rewrites the text: offsets are refused, not guessed */
    json_error_t je;
    json_t *base = json_load_file(aif_test_path("tokenizers/mistral-7b-spm-bpe/tokenizer.json"), 0, &je);
    CHECK(base != NULL);
    if (!base)
        return;
    json_object_set_new(base, "normalizer", json_null());
    json_object_set_new(base, "pre_tokenizer",
                        json_pack("{s:s, s:s, s:s, s:b}", "type", "Metaspace", "replacement", "\xE2\x96\x81",
                                  "prepend_scheme", "always", "split", 0));
    char *js = json_dumps(base, JSON_COMPACT);
    json_decref(base);
    tok = NULL;
    CHECK_OK(aif_tokenizer_load_mem(js, strlen(js), &tok, &err), err);
    free(js);
    if (!tok)
        return;
    CHECK_ERR(aif_tokenizer_encode_offsets(tok, "a b", 3, 0, &ids, &offs, &err), AIF_ENOTSUP, err, "pre-tokenizer");
    CHECK_EQ(ids.n, 0);
    CHECK_OK(aif_tokenizer_encode(tok, "a b", 3, 0, &ids, &err), err); /* plain encode still works */
    CHECK(ids.n > 0);
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
    {"tokenizer/offsets_normalizers", normalizers},
    {"tokenizer/offsets_postprocessors", postprocessors},
    {"tokenizer/offsets_cli", cli_offsets},
    {"tokenizer/offsets_api_errors", api_errors},
    {NULL, NULL},
};
