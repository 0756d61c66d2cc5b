/* test_unigram.c: the Unigram model against the Rust `tokenizers` library.
 * The table below is the output of tests/xref/tokenizer/unigram_xref.js
 * (npm @anush008/tokenizers@0.6.0 = tokenizers 0.22.2): two hand-written
 * Unigram tokenizers (Metaspace pre-tokenizer and decoder, duplicate
 * pieces, equal scores, unknown characters, byte_fallback off and on), the
 * ids of 40 texts each (add_special_tokens false) and their decoding. */
#include "tok_util.h"

static const char unigram_json_0[] = "{\042version\042:\0421.0\042,\042truncation\042:null,\042padding\042:null,\042added_tokens\042:[{\042id\042:1,\042content\042:\042<s>\042,\042single_word\042:false,\042lstrip\042:false,\042rstrip\042:false,\042normalized\042:false,\042special\042:true}],\042normalizer\042:null,\042pre_tokenizer\042:{\042type\042:\042Metaspace\042,\042replacement\042:\042\342\226\201\042,\042prepend_scheme\042:\042always\042,\042split\042:true},\042post_processor\042:null,\042decoder\042:{\042type\042:\042Metaspace\042,\042replacement\042:\042\342\226\201\042,\042prepend_scheme\042:\042always\042,\042split\042:true},\042model\042:{\042type\042:\042Unigram\042,\042unk_id\042:0,\042vocab\042:[[\042<unk>\042,0],[\042<s>\042,0],[\042</s>\042,0],[\042\342\226\201\042,-2],[\042a\042,-3],[\042b\042,-3],[\042c\042,-3.5],[\042ab\042,-4],[\042bc\042,-4],[\042abc\042,-5.5],[\042\342\226\201a\042,-3.2],[\042\342\226\201ab\042,-4.1],[\042\342\226\201abc\042,-6],[\042ca\042,-6.5],[\042cab\042,-6.5],[\042d\042,-5],[\042dd\042,-8],[\042<0xC3>\042,-9],[\042<0xA9>\042,-9],[\042<0xE4>\042,-9],[\042<0xBD>\042,-9],[\042<0xA0>\042,-9],[\042\303\251\042,-7],[\042a\042,-2.5]],\042byte_fallback\042:false}}";
static const char unigram_json_1[] = "{\042version\042:\0421.0\042,\042truncation\042:null,\042padding\042:null,\042added_tokens\042:[{\042id\042:1,\042content\042:\042<s>\042,\042single_word\042:false,\042lstrip\042:false,\042rstrip\042:false,\042normalized\042:false,\042special\042:true}],\042normalizer\042:null,\042pre_tokenizer\042:{\042type\042:\042Metaspace\042,\042replacement\042:\042\342\226\201\042,\042prepend_scheme\042:\042always\042,\042split\042:true},\042post_processor\042:null,\042decoder\042:{\042type\042:\042Metaspace\042,\042replacement\042:\042\342\226\201\042,\042prepend_scheme\042:\042always\042,\042split\042:true},\042model\042:{\042type\042:\042Unigram\042,\042unk_id\042:0,\042vocab\042:[[\042<unk>\042,0],[\042<s>\042,0],[\042</s>\042,0],[\042\342\226\201\042,-2],[\042a\042,-3],[\042b\042,-3],[\042c\042,-3.5],[\042ab\042,-4],[\042bc\042,-4],[\042abc\042,-5.5],[\042\342\226\201a\042,-3.2],[\042\342\226\201ab\042,-4.1],[\042\342\226\201abc\042,-6],[\042ca\042,-6.5],[\042cab\042,-6.5],[\042d\042,-5],[\042dd\042,-8],[\042<0xC3>\042,-9],[\042<0xA9>\042,-9],[\042<0xE4>\042,-9],[\042<0xBD>\042,-9],[\042<0xA0>\042,-9],[\042\303\251\042,-7],[\042a\042,-2.5]],\042byte_fallback\042:true}}";

static const struct {
    int byte_fallback;
    const char *text, *ids, *decoded;
} cases[] = {
    {0, "", "", ""},
    {0, "abc", "12", "abc"},
    {0, "ab c", "11 3 6", "ab c"},
    {0, "xx", "3 0", "<unk>"},
    {0, "\303\251\303\251", "3 22 22", "\303\251\303\251"},
    {0, "\344\275\240a", "3 0 23", "<unk>a"},
    {0, "dddd", "3 16 16", "dddd"},
    {0, "cab abc", "3 14 12", "cab abc"},
    {0, "dd\344\275\240dddxye\314\201", "3 16 0 15 16 0", "dd<unk>ddd<unk>"},
    {0, "bxe\314\201d\344\275\240b", "3 5 0 15 0 5", "b<unk>d<unk>b"},
    {0, "xyaca <s>e\314\201", "3 0 23 6 23 3 1 3 0", "<unk>aca <s> <unk>"},
    {0, "abcxx    ", "12 0 3 3 3 3", "abc<unk>    "},
    {0, "abe\314\201 ", "11 0 3", "ab<unk> "},
    {0, "ac", "10 6", "ac"},
    {0, "\344\275\240abcba\303\251  abc", "3 0 9 5 23 22 3 12", "<unk>abcba\303\251  abc"},
    {0, "addabc", "10 16 9", "addabc"},
    {0, "c", "3 6", "c"},
    {0, "d<s>\303\251\344\275\240<s>", "3 15 1 3 22 0 1", "d<s> \303\251<unk><s>"},
    {0, "aabcbba", "10 9 5 5 23", "aabcbba"},
    {0, "b<s>dd  ", "3 5 1 3 16 3 3", "b<s> dd  "},
    {0, "daa  cxy", "3 15 23 23 3 3 6 0", "daa  c<unk>"},
    {0, "<s>", "1", "<s>"},
    {0, "dx<s>", "3 15 0 1", "d<unk><s>"},
    {0, "\344\275\240ca\303\251", "3 0 6 23 22", "<unk>ca\303\251"},
    {0, "abcxyccax\303\251abcxy", "12 0 6 6 23 0 22 9 0", "abc<unk>cca<unk>\303\251abc<unk>"},
    {0, " xyxyab\344\275\240ca\344\275\240", "3 0 7 0 6 23 0", "<unk>ab<unk>ca<unk>"},
    {0, "dd", "3 16", "dd"},
    {0, "\344\275\240abc ", "3 0 9 3", "<unk>abc "},
    {0, "  xy\344\275\240b", "3 3 0 5", " <unk>b"},
    {0, "x  abc\344\275\240a\344\275\240", "3 0 3 12 0 23 0", "<unk>  abc<unk>a<unk>"},
    {0, " c", "3 6", "c"},
    {0, "abc   ", "12 3 3 3", "abc   "},
    {0, " xy ab", "3 0 11", "<unk> ab"},
    {0, "<s>c<s>  ", "1 3 6 1 3 3", "<s> c<s>  "},
    {0, "\303\251d\344\275\240  \303\251", "3 22 15 0 3 3 22", "\303\251d<unk>  \303\251"},
    {0, "ab", "11", "ab"},
    {0, "\344\275\240abcxyxy", "3 0 9 0", "<unk>abc<unk>"},
    {0, "aabcabddddabc", "10 9 7 16 16 9", "aabcabddddabc"},
    {0, "<s>xyxy\344\275\240\303\251", "1 3 0 22", "<s> <unk>\303\251"},
    {0, "<s>cddab ", "1 3 6 16 7 3", "<s> cddab "},
    {1, "", "", ""},
    {1, "abc", "12", "abc"},
    {1, "ab c", "11 3 6", "ab c"},
    {1, "xx", "3 0", "<unk>"},
    {1, "\303\251\303\251", "3 22 22", "\303\251\303\251"},
    {1, "\344\275\240a", "3 19 20 21 23", "<0xE4><0xBD><0xA0>a"},
    {1, "dddd", "3 16 16", "dddd"},
    {1, "cab abc", "3 14 12", "cab abc"},
    {1, "dd\344\275\240dddxye\314\201", "3 16 19 20 21 15 16 0", "dd<0xE4><0xBD><0xA0>ddd<unk>"},
    {1, "bxe\314\201d\344\275\240b", "3 5 0 15 19 20 21 5", "b<unk>d<0xE4><0xBD><0xA0>b"},
    {1, "xyaca <s>e\314\201", "3 0 23 6 23 3 1 3 0", "<unk>aca <s> <unk>"},
    {1, "abcxx    ", "12 0 3 3 3 3", "abc<unk>    "},
    {1, "abe\314\201 ", "11 0 3", "ab<unk> "},
    {1, "ac", "10 6", "ac"},
    {1, "\344\275\240abcba\303\251  abc", "3 19 20 21 9 5 23 22 3 12", "<0xE4><0xBD><0xA0>abcba\303\251  abc"},
    {1, "addabc", "10 16 9", "addabc"},
    {1, "c", "3 6", "c"},
    {1, "d<s>\303\251\344\275\240<s>", "3 15 1 3 22 19 20 21 1", "d<s> \303\251<0xE4><0xBD><0xA0><s>"},
    {1, "aabcbba", "10 9 5 5 23", "aabcbba"},
    {1, "b<s>dd  ", "3 5 1 3 16 3 3", "b<s> dd  "},
    {1, "daa  cxy", "3 15 23 23 3 3 6 0", "daa  c<unk>"},
    {1, "<s>", "1", "<s>"},
    {1, "dx<s>", "3 15 0 1", "d<unk><s>"},
    {1, "\344\275\240ca\303\251", "3 19 20 21 6 23 22", "<0xE4><0xBD><0xA0>ca\303\251"},
    {1, "abcxyccax\303\251abcxy", "12 0 6 6 23 0 22 9 0", "abc<unk>cca<unk>\303\251abc<unk>"},
    {1, " xyxyab\344\275\240ca\344\275\240", "3 0 7 19 20 21 6 23 19 20 21", "<unk>ab<0xE4><0xBD><0xA0>ca<0xE4><0xBD><0xA0>"},
    {1, "dd", "3 16", "dd"},
    {1, "\344\275\240abc ", "3 19 20 21 9 3", "<0xE4><0xBD><0xA0>abc "},
    {1, "  xy\344\275\240b", "3 3 0 5", " <unk>b"},
    {1, "x  abc\344\275\240a\344\275\240", "3 0 3 12 19 20 21 23 19 20 21", "<unk>  abc<0xE4><0xBD><0xA0>a<0xE4><0xBD><0xA0>"},
    {1, " c", "3 6", "c"},
    {1, "abc   ", "12 3 3 3", "abc   "},
    {1, " xy ab", "3 0 11", "<unk> ab"},
    {1, "<s>c<s>  ", "1 3 6 1 3 3", "<s> c<s>  "},
    {1, "\303\251d\344\275\240  \303\251", "3 22 15 19 20 21 3 3 22", "\303\251d<0xE4><0xBD><0xA0>  \303\251"},
    {1, "ab", "11", "ab"},
    {1, "\344\275\240abcxyxy", "3 19 20 21 9 0", "<0xE4><0xBD><0xA0>abc<unk>"},
    {1, "aabcabddddabc", "10 9 7 16 16 9", "aabcabddddabc"},
    {1, "<s>xyxy\344\275\240\303\251", "1 3 0 22", "<s> <unk>\303\251"},
    {1, "<s>cddab ", "1 3 6 16 7 3", "<s> cddab "},
};

static void unigram_reference(void)
{
    aif_tokenizer *toks[2] = {NULL, NULL};
    aif_err err = {0};
    CHECK_OK(aif_tokenizer_load_mem(unigram_json_0, strlen(unigram_json_0), &toks[0], &err), err);
    CHECK_OK(aif_tokenizer_load_mem(unigram_json_1, strlen(unigram_json_1), &toks[1], &err), err);
    if (!toks[0] || !toks[1]) {
        aif_tokenizer_free(toks[0]);
        aif_tokenizer_free(toks[1]);
        return;
    }
    size_t ok = 0, n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        const aif_tokenizer *tok = toks[cases[i].byte_fallback];
        char buf[1024], dbuf[1024];
        const char *got = tk_ids_str(tok, cases[i].text, strlen(cases[i].text), 0, buf, sizeof buf);
        int good = !strcmp(got, cases[i].ids);
        if (!good)
            aif_test_fail(__FILE__, __LINE__, "case %zu \"%s\": ids \"%s\" != \"%s\"", i, cases[i].text, got,
                          cases[i].ids);
        /* decode the reference ids */
        int32_t ids[64];
        size_t k = 0;
        for (const char *p = cases[i].ids; *p && k < 64;) {
            char *end;
            ids[k++] = (int32_t)strtol(p, &end, 10);
            p = *end ? end + 1 : end;
        }
        const char *dec = tk_decode_str(tok, ids, k, 0, dbuf, sizeof dbuf);
        if (strcmp(dec, cases[i].decoded)) {
            aif_test_fail(__FILE__, __LINE__, "case %zu: decoded \"%s\" != \"%s\"", i, dec, cases[i].decoded);
            good = 0;
        }
        ok += good;
    }
    printf("     unigram: %zu/%zu reference cases match\n", ok, n);
    CHECK_EQ(aif_tokenizer_vocab_size(toks[0]), 24);
    CHECK_EQ(aif_tokenizer_token_to_id(toks[0], "a"), 23); /* a duplicate piece: the last id wins */
    CHECK_STR(aif_tokenizer_id_to_token(toks[0], 4), "a");
    aif_tokenizer_free(toks[0]);
    aif_tokenizer_free(toks[1]);
}

static void unigram_errors(void)
{
    aif_err err = {0};
    aif_tokenizer *tok = tk_load_q("{'model':{'type':'Unigram','unk_id':5,'vocab':[['a',-1.0]]}}", &err);
    CHECK(tok == NULL);
    CHECK(strstr(err.msg, "unk_id") != NULL);
    tok = tk_load_q("{'model':{'type':'Unigram','vocab':[['a',-1.0],['b']]}}", &err);
    CHECK(tok == NULL);
    CHECK(strstr(err.msg, "model.vocab[1]") != NULL);
    /* no unk_id: an unknown character is an error, as in the Rust library (MissingUnkId) */
    tok = tk_load_q("{'model':{'type':'Unigram','vocab':[['a',-1.0]]}}", &err);
    CHECK(tok != NULL);
    if (!tok)
        return;
    aif_token_ids ids = {0};
    CHECK_ERR(aif_tokenizer_encode(tok, "ab", 2, 0, &ids, &err), AIF_EFORMAT, err, "no unk_id");
    CHECK_OK(aif_tokenizer_encode(tok, "aa", 2, 0, &ids, &err), err);
    CHECK_EQ(ids.n, 2);
    aif_token_ids_release(&ids);
    aif_tokenizer_free(tok);
}

AIF_TESTS(tokenizer_unigram) = {
    {"tokenizer/unigram_reference", unigram_reference},
    {"tokenizer/unigram_errors", unigram_errors},
    {NULL, NULL},
};
