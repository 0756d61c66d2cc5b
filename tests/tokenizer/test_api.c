/* test_api.c: accessors and tokenizer_config.json behaviour (values read
 * off the shipped tokenizer.json / tokenizer_config.json files), invalid
 * UTF-8, load errors, linear time on hostile inputs, batch and JSON Lines
 * encoding, and the `aif tokenize` / `aif detokenize` commands. */
#include "tok_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aif/fs.h"
#include "aif/pool.h"

static aif_tokenizer *family(const char *dir)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tokenizers/%s", dir);
    aif_tokenizer *tok = NULL;
    aif_err err = {0};
    CHECK_OK(aif_tokenizer_load(aif_test_path(rel), &tok, &err), err);
    return tok;
}

/* Expected values: the added_tokens ids of each tokenizer.json and the token
 * settings of its tokenizer_config.json. */
static void accessors(void)
{
    aif_tokenizer *tok = family("llama3");
    if (tok) {
        CHECK_EQ(aif_tokenizer_vocab_size(tok), 128256);
        CHECK_EQ(aif_tokenizer_token_to_id(tok, "<|begin_of_text|>"), 128000);
        CHECK_STR(aif_tokenizer_id_to_token(tok, 128255), "<|reserved_special_token_250|>");
        CHECK(aif_tokenizer_id_to_token(tok, 128256) == NULL);
        CHECK(aif_tokenizer_id_to_token(tok, -1) == NULL);
        CHECK_EQ(aif_tokenizer_token_to_id(tok, "no such token, surely"), -1);
        CHECK_EQ(aif_tokenizer_bos_id(tok), 128000);
        CHECK_EQ(aif_tokenizer_eos_id(tok), 128001);
        CHECK_EQ(aif_tokenizer_pad_id(tok), -1);
        CHECK_EQ(aif_tokenizer_model_max_length(tok), 0); /* 1e30 in the config: no limit */
    }
    aif_tokenizer_free(tok);
    tok = family("qwen2.5");
    if (tok) {
        CHECK_EQ(aif_tokenizer_vocab_size(tok), 151665);
        CHECK_EQ(aif_tokenizer_bos_id(tok), -1);
        CHECK_EQ(aif_tokenizer_eos_id(tok), 151645);
        CHECK_EQ(aif_tokenizer_pad_id(tok), 151643);
        CHECK_EQ(aif_tokenizer_model_max_length(tok), 131072);
    }
    aif_tokenizer_free(tok);
    tok = family("deepseek-v3");
    if (tok) {
        CHECK_EQ(aif_tokenizer_vocab_size(tok), 128815);
        CHECK_EQ(aif_tokenizer_bos_id(tok), 0);
        CHECK_EQ(aif_tokenizer_eos_id(tok), 1);
        CHECK_EQ(aif_tokenizer_pad_id(tok), 1);
    }
    aif_tokenizer_free(tok);
    tok = family("mistral-7b-spm-bpe");
    if (tok) {
        CHECK_EQ(aif_tokenizer_vocab_size(tok), 32000);
        CHECK_EQ(aif_tokenizer_bos_id(tok), 1);
        CHECK_EQ(aif_tokenizer_eos_id(tok), 2);
        CHECK_EQ(aif_tokenizer_token_to_id(tok, "<0x0A>"), 13);
    }
    aif_tokenizer_free(tok);
    /* a tokenizer.json given as a file still picks up its folder's config */
    aif_tokenizer *t2 = NULL;
    aif_err err = {0};
    CHECK_OK(aif_tokenizer_load(aif_test_path("tokenizers/qwen3/tokenizer.json"), &t2, &err), err);
    if (t2)
        CHECK_EQ(aif_tokenizer_eos_id(t2), 151645);
    aif_tokenizer_free(t2);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    aif_err err = {0};
    snprintf(path, sizeof path, "%s/%s", dir, name);
    CHECK_OK(aif_fs_write_file(path, text, strlen(text), &err), err);
}

/* transformers semantics, worked out by hand: LlamaTokenizerFast with
 * add_bos_token and add_eos_token builds "bos $A eos"; with truncation the
 * sequence is cut to model_max_length minus the special tokens. */
static void config_call_truncation(void)
{
    const char *dir = aif_test_tmpdir();
    char link[1024];
    snprintf(link, sizeof link, "%s/tokenizer.json", dir);
    const char *target = aif_test_path("tokenizers/mistral-7b-spm-bpe/tokenizer.json");
    char abs[4096];
    CHECK(realpath(target, abs) != NULL);
    CHECK(symlink(abs, link) == 0);
    write_file(dir, "tokenizer_config.json",
               "{\"tokenizer_class\":\"LlamaTokenizer\",\"add_bos_token\":true,\"add_eos_token\":true,"
               "\"bos_token\":\"<s>\",\"eos_token\":{\"content\":\"</s>\",\"__type\":\"AddedToken\"},"
               "\"model_max_length\":5,\"clean_up_tokenization_spaces\":true}");
    write_file(dir, "special_tokens_map.json", "{\"pad_token\":\"<unk>\"}");
    aif_tokenizer *tok = NULL;
    aif_err err = {0};
    CHECK_OK(aif_tokenizer_load(dir, &tok, &err), err);
    if (!tok)
        return;
    CHECK_EQ(aif_tokenizer_pad_id(tok), 0);
    CHECK_EQ(aif_tokenizer_model_max_length(tok), 5);
    char buf[512];
    /* plain ids of "Hello world" are 22557 1526 (testdata README) */
    CHECK_STR(tk_ids_str(tok, "Hello world", 11, 0, buf, sizeof buf), "22557 1526");
    CHECK_STR(tk_ids_str(tok, "Hello world", 11, AIF_TOK_ADD_SPECIAL, buf, sizeof buf), "1 22557 1526");
    CHECK_STR(tk_ids_str(tok, "Hello world", 11, AIF_TOK_CALL, buf, sizeof buf), "1 22557 1526 2");
    /* 8 plain tokens cut to 3 so that bos + 3 + eos = 5 */
    aif_token_ids plain = {0}, call = {0};
    const char *text = "Hello world Hello world Hello world Hello world";
    CHECK_OK(aif_tokenizer_encode(tok, text, strlen(text), 0, &plain, &err), err);
    CHECK_OK(aif_tokenizer_encode(tok, text, strlen(text), AIF_TOK_CALL, &call, &err), err);
    CHECK(plain.n > 5);
    CHECK_EQ(call.n, 5);
    if (call.n == 5 && plain.n > 5) {
        CHECK_EQ(call.v[0], 1);
        CHECK_MEM(call.v + 1, plain.v, 3 * sizeof *plain.v);
        CHECK_EQ(call.v[4], 2);
    }
    aif_token_ids_release(&plain);
    aif_token_ids_release(&call);
    /* decode with AIF_TOK_CALL: clean_up_tokenization_spaces true in this config;
     * 22557 = "\u2581Hello", 842 = "\u2581." (tokenizer.json vocab) */
    int32_t dec_ids[] = {1, 22557, 842};
    CHECK_STR(aif_tokenizer_id_to_token(tok, 842), "\xE2\x96\x81.");
    CHECK_STR(tk_decode_str(tok, dec_ids, 3, AIF_TOK_SKIP_SPECIAL, buf, sizeof buf), "Hello .");
    CHECK_STR(tk_decode_str(tok, dec_ids, 3, AIF_TOK_SKIP_SPECIAL | AIF_TOK_CALL, buf, sizeof buf), "Hello.");
    aif_tokenizer_free(tok);
}

static void invalid_utf8(void)
{
    aif_tokenizer *tok = family("gpt4-cl100k");
    if (!tok)
        return;
    static const struct { const char *s; size_t n; const char *where; } bad[] = {
        {"abc\xFF" "def", 7, "byte offset 3"},
        {"ab\xC3", 3, "byte offset 2"},                  /* truncated 2-byte sequence */
        {"\xC0\xAF", 2, "byte offset 0"},                /* overlong "/" */
        {"x\xED\xA0\x80", 4, "byte offset 1"},           /* UTF-16 surrogate */
        {"xy\xF4\x90\x80\x80", 6, "byte offset 2"},      /* above U+10FFFF */
        {"\xE2\x82", 2, "byte offset 0"},                /* cut 3-byte sequence */
        {"ok\x80", 3, "byte offset 2"},                  /* lone continuation byte */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        aif_token_ids ids = {0};
        aif_err err = {0};
        CHECK_ERR(aif_tokenizer_encode(tok, bad[i].s, bad[i].n, 0, &ids, &err), AIF_EUTF8, err, bad[i].where);
        CHECK_EQ(ids.n, 0);
        aif_token_ids_release(&ids);
    }
    /* valid: 4-byte emoji and a NUL character */
    aif_token_ids ids = {0};
    aif_err err = {0};
    CHECK_OK(aif_tokenizer_encode(tok, "\xF0\x9F\x98\x80\0a", 6, 0, &ids, &err), err);
    CHECK(ids.n > 0);
    aif_token_ids_release(&ids);
    aif_tokenizer_free(tok);
}

static void check_load_error(const char *qjson, aif_code code, const char *needle, int line)
{
    aif_err err = {0};
    aif_tokenizer *tok = tk_load_q(qjson, &err);
    if (tok) {
        aif_test_fail(__FILE__, line, "loaded: %s", qjson);
        aif_tokenizer_free(tok);
        return;
    }
    if (err.code != code || !strstr(err.msg, needle))
        aif_test_fail(__FILE__, line, "%s: got %s \"%s\", want %s with \"%s\"", qjson, aif_code_name(err.code), err.msg,
                      aif_code_name(code), needle);
}

#define M "'model':{'type':'BPE','vocab':{'a':0,'b':1,'ab':2},'merges':['a b']}"
static void load_errors(void)
{
    check_load_error("{", AIF_EFORMAT, "line 1", __LINE__);
    check_load_error("[]", AIF_EFORMAT, "top level", __LINE__);
    check_load_error("{'model':{'type':'WordPiece','vocab':{}}}", AIF_ENOTSUP, "unsupported model \"WordPiece\"", __LINE__);
    check_load_error("{'normalizer':{'type':'BertNormalizer'}," M "}", AIF_ENOTSUP,
                     "unsupported normalizer \"BertNormalizer\"", __LINE__);
    check_load_error("{'pre_tokenizer':{'type':'UnicodeScripts'}," M "}", AIF_ENOTSUP,
                     "unsupported pre_tokenizer \"UnicodeScripts\"", __LINE__);
    check_load_error("{'decoder':{'type':'CTC'}," M "}", AIF_ENOTSUP, "unsupported decoder \"CTC\"", __LINE__);
    check_load_error("{'post_processor':{'type':'Nope'}," M "}", AIF_ENOTSUP, "unsupported post_processor \"Nope\"",
                     __LINE__);
    check_load_error("{'pre_tokenizer':{'type':'Split','pattern':{'Regex':'(a'},'behavior':'Isolated'}," M "}",
                     AIF_ENOTSUP, "regex", __LINE__);
    check_load_error("{'pre_tokenizer':{'type':'Split','pattern':{'Regex':'a'},'behavior':'Sideways'}," M "}",
                     AIF_EFORMAT, "Sideways", __LINE__);
    check_load_error("{'model':{'type':'BPE','vocab':{'a':0},'merges':['a b']}}", AIF_EFORMAT,
                     "token \"b\" is not in the vocab", __LINE__);
    check_load_error("{'model':{'type':'BPE','vocab':{'a':0,'b':1},'merges':['a b']}}", AIF_EFORMAT,
                     "merged token \"ab\" is not in the vocab", __LINE__);
    check_load_error("{'model':{'type':'BPE','vocab':{'a':0,'b':1},'merges':['a b c']}}", AIF_EFORMAT, "merges[0]",
                     __LINE__);
    check_load_error("{'model':{'type':'BPE','vocab':{'a':-3},'merges':[]}}", AIF_EFORMAT, "model.vocab[\"a\"]",
                     __LINE__);
    check_load_error("{'model':{'type':'BPE','vocab':{'a':0},'merges':[],'dropout':0.5}}", AIF_ENOTSUP, "dropout",
                     __LINE__);
    check_load_error("{'model':{'type':'BPE','vocab':{'a':0}}}", AIF_EFORMAT, "missing vocab", __LINE__);
    check_load_error("{'padding':{'strategy':{'Fixed':8},'pad_id':0}," M "}", AIF_ENOTSUP, "padding", __LINE__);
    check_load_error("{'truncation':{'max_length':8,'direction':'Left'}," M "}", AIF_ENOTSUP, "truncation", __LINE__);
    aif_tokenizer *tok = NULL;
    aif_err err = {0};
    CHECK_ERR(aif_tokenizer_load("/nonexistent/dir/tokenizer.json", &tok, &err), AIF_ENOTFOUND, err, "/nonexistent");
    CHECK(tok == NULL);
}

/* Linear time: big hostile inputs complete (no timing assertion), and the
 * results are checked by counting (worked out by hand) or by round trip. */
static void linear_time(void)
{
    const size_t n = 1 << 20;
    char *s = aif_malloc(n + 1);
    aif_err err = {0};
    aif_tokenizer *tok = family("llama3");
    if (!tok || !s) {
        aif_free(s);
        aif_tokenizer_free(tok);
        return;
    }
    /* a megabyte of spaces: one \s+ piece; decoding gives it back */
    memset(s, ' ', n);
    aif_token_ids ids = {0};
    CHECK_OK(aif_tokenizer_encode(tok, s, n, 0, &ids, &err), err);
    char *back = NULL;
    size_t bl = 0;
    CHECK_OK(aif_tokenizer_decode(tok, ids.v, ids.n, 0, &back, &bl, &err), err);
    CHECK_EQ(bl, n);
    CHECK(back && !memcmp(back, s, n));
    aif_free(back);
    /* a megabyte of digits: \p{N}{1,3} makes ceil(n / 3) pieces, each one token */
    for (size_t i = 0; i < n; i++)
        s[i] = (char)('0' + i % 10);
    ids.n = 0;
    CHECK_OK(aif_tokenizer_encode(tok, s, n, 0, &ids, &err), err);
    CHECK_EQ(ids.n, (n + 2) / 3);
    /* spaces followed by a letter: \s+(?!\S) backtracks by one */
    memset(s, ' ', n);
    s[n - 1] = 'x';
    ids.n = 0;
    CHECK_OK(aif_tokenizer_encode(tok, s, n, 0, &ids, &err), err);
    CHECK_OK(aif_tokenizer_decode(tok, ids.v, ids.n, 0, &back, &bl, &err), err);
    CHECK(bl == n && back && !memcmp(back, s, n));
    aif_free(back);
    aif_tokenizer_free(tok);
    /* Mistral has no pre-tokenizer: 256 KiB without spaces is one BPE word */
    tok = family("mistral-7b-spm-bpe");
    const size_t m = n / 4;
    for (size_t i = 0; i < m; i++)
        s[i] = "abcdefgh"[i % 8];
    ids.n = 0;
    if (tok) {
        CHECK_OK(aif_tokenizer_encode(tok, s, m, 0, &ids, &err), err);
        CHECK_OK(aif_tokenizer_decode(tok, ids.v, ids.n, 0, &back, &bl, &err), err);
        CHECK(bl == m && back && !memcmp(back, s, m));
        aif_free(back);
    }
    aif_token_ids_release(&ids);
    aif_tokenizer_free(tok);
    aif_free(s);
}

static const char *const texts[] = {
    "Hello world", "", "<|im_start|>user\nHi<|im_end|>", "  spaces   and\ttabs\n\n", "\xE4\xBD\xA0\xE5\xA5\xBD 123456",
    "don't STOP", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD ok",
};
#define N_TEXTS (sizeof texts / sizeof texts[0])

/* The pool gives the same ids as encoding one text at a time. */
static void batch_and_jsonl(void)
{
    aif_tokenizer *tok = family("qwen2.5");
    aif_pool *pool = NULL;
    aif_err err = {0};
    CHECK_OK(aif_pool_new(3, &pool, &err), err);
    if (!tok || !pool) {
        aif_tokenizer_free(tok);
        aif_pool_free(pool);
        return;
    }
    size_t lens[N_TEXTS];
    aif_token_ids outs[N_TEXTS], one = {0};
    memset(outs, 0, sizeof outs);
    for (size_t i = 0; i < N_TEXTS; i++)
        lens[i] = strlen(texts[i]);
    CHECK_OK(aif_tokenizer_encode_batch(tok, texts, lens, N_TEXTS, AIF_TOK_ADD_SPECIAL, pool, outs, &err), err);
    char want[8192];
    size_t wl = 0;
    for (size_t i = 0; i < N_TEXTS; i++) {
        one.n = 0;
        CHECK_OK(aif_tokenizer_encode(tok, texts[i], lens[i], AIF_TOK_ADD_SPECIAL, &one, &err), err);
        CHECK_EQ(outs[i].n, one.n);
        if (outs[i].n == one.n && one.n)
            CHECK_MEM(outs[i].v, one.v, one.n * sizeof *one.v);
        wl += (size_t)snprintf(want + wl, sizeof want - wl, "{\"ids\":[");
        for (size_t k = 0; k < one.n; k++)
            wl += (size_t)snprintf(want + wl, sizeof want - wl, k ? ",%d" : "%d", one.v[k]);
        wl += (size_t)snprintf(want + wl, sizeof want - wl, "]}\n");
        aif_token_ids_release(&outs[i]);
    }
    aif_token_ids_release(&one);
    /* a failing text is named with its index and offset */
    const char *bad_texts[] = {"fine", "also fine", "bad \xC3("};
    size_t bad_lens[] = {4, 9, 6};
    aif_token_ids bad_outs[3];
    memset(bad_outs, 0, sizeof bad_outs);
    CHECK_ERR(aif_tokenizer_encode_batch(tok, bad_texts, bad_lens, 3, 0, pool, bad_outs, &err), AIF_EUTF8, err,
              "text 2: invalid UTF-8 at byte offset 4");
    for (size_t i = 0; i < 3; i++)
        aif_token_ids_release(&bad_outs[i]);
    /* the same texts as JSON Lines (written by hand with JSON escapes), a blank line skipped */
    const char *in_text =
        "{\"text\":\"Hello world\"}\n{\"text\":\"\"}\n\n{\"text\":\"<|im_start|>user\\nHi<|im_end|>\"}\n"
        "{\"text\":\"  spaces   and\\ttabs\\n\\n\"}\n{\"text\":\"\\u4f60\\u597d 123456\"}\n"
        "{\"id\":7,\"text\":\"don't STOP\"}\n{\"text\":\"\\ud83d\\udc4d\\ud83c\\udffd ok\"}\n";
    FILE *in = fmemopen((void *)in_text, strlen(in_text), "r");
    char *outbuf = NULL;
    size_t outlen = 0, n_lines = 0;
    FILE *out = open_memstream(&outbuf, &outlen);
    CHECK_OK(aif_tokenizer_encode_jsonl(tok, in, out, AIF_TOK_ADD_SPECIAL, pool, &n_lines, &err), err);
    fclose(out);
    fclose(in);
    CHECK_EQ(n_lines, N_TEXTS);
    CHECK_STR(outbuf, want);
    free(outbuf);
    /* a bad line is reported by its number */
    const char *bad = "{\"text\":\"a\"}\n{\"txt\":\"b\"}\n";
    in = fmemopen((void *)bad, strlen(bad), "r");
    out = open_memstream(&outbuf, &outlen);
    CHECK_ERR(aif_tokenizer_encode_jsonl(tok, in, out, 0, pool, NULL, &err), AIF_EFORMAT, err, "line 2");
    fclose(out);
    fclose(in);
    free(outbuf);
    aif_pool_free(pool);
    aif_tokenizer_free(tok);
}

static void cli_commands(void)
{
    char out[4096], a1[1024], a2[1024], a3[1024], a4[1024], a5[1024];
    const char *dir = aif_test_path("tokenizers/mistral-7b-spm-bpe");
    /* "Hello world" -> 22557 1526 (testdata README), <s> = 1 added by the template */
    snprintf(a1, sizeof a1, "tokenize --tokenizer %s --ids", dir);
    CHECK_EQ(aif_test_run_aif_ex(a1, "Hello world", 0, out, sizeof out), 0);
    CHECK_STR(out, "1 22557 1526\n");
    snprintf(a2, sizeof a2, "tokenize --tokenizer %s --ids --no-special", dir);
    CHECK_EQ(aif_test_run_aif_ex(a2, "Hello world", 0, out, sizeof out), 0);
    CHECK_STR(out, "22557 1526\n");
    snprintf(a3, sizeof a3, "tokenize --tokenizer %s --json --no-special", dir);
    CHECK_EQ(aif_test_run_aif_ex(a3, "Hello world", 0, out, sizeof out), 0);
    CHECK_STR(out, "{\"n_tokens\":2,\"ids\":[22557,1526],\"tokens\":[\"\xE2\x96\x81Hello\",\"\xE2\x96\x81world\"]}\n");
    snprintf(a4, sizeof a4, "detokenize --tokenizer %s --skip-special", dir);
    CHECK_EQ(aif_test_run_aif_ex(a4, "[1, 22557, 1526]\n", 0, out, sizeof out), 0);
    CHECK_STR(out, "Hello world");
    snprintf(a5, sizeof a5, "tokenize --tokenizer %s --jsonl --no-special", dir);
    CHECK_EQ(aif_test_run_aif_ex(a5, "{\"text\":\"Hello world\"}\n{\"text\":\"Hello\"}\n", 0, out, sizeof out), 0);
    CHECK_STR(out, "{\"ids\":[22557,1526]}\n{\"ids\":[22557]}\n");
    /* failures: invalid UTF-8 (exit 1), missing --tokenizer (exit 2), bad ids (exit 1) */
    CHECK_EQ(aif_test_run_aif_ex(a1, "a\xFF", 0, out, sizeof out), 1);
    const char *a6 = "tokenize --ids";
    CHECK_EQ(aif_test_run_aif_ex(a6, "x", 0, out, sizeof out), 2);
    CHECK_EQ(aif_test_run_aif_ex(a4, "1 two 3", 0, out, sizeof out), 1);
}

AIF_TESTS(tokenizer_api) = {
    {"tokenizer/accessors", accessors},
    {"tokenizer/config_call_truncation", config_call_truncation},
    {"tokenizer/invalid_utf8", invalid_utf8},
    {"tokenizer/load_errors", load_errors},
    {"tokenizer/linear_time", linear_time},
    {"tokenizer/batch_and_jsonl", batch_and_jsonl},
    {"tokenizer/cli_commands", cli_commands},
    {NULL, NULL},
};
