/* test_components.c: each normalizer, pre-tokenizer, model option, added
 * token rule, post-processor and decoder on small hand-written
 * tokenizer.json files. Expected values are those of the unit tests of the
 * Rust `tokenizers` library (file named at each test; huggingface/tokenizers,
 * tokenizers/src/...), or worked out by hand from its rules where noted; the
 * hand-worked BPE, CharDelimiterSplit, BPEDecoder, WordPiece and truncation
 * values were also confirmed with the Rust library itself (npm
 * @anush008/tokenizers@0.6.0, tokenizers 0.22.2) on the same JSON. */
#include "tok_util.h"

#define EMPTY_MODEL "'model':{'type':'BPE','vocab':{},'merges':[]}"

static aif_tokenizer *with_pre(const char *pre)
{
    char j[2048];
    snprintf(j, sizeof j, "{'pre_tokenizer':%s," EMPTY_MODEL "}", pre);
    aif_err err = {0};
    aif_tokenizer *tok = tk_load_q(j, &err);
    CHECK_OK(tok ? AIF_OK : err.code, err);
    return tok;
}

static void check_pre(const char *pre, const char *text, const char *want)
{
    struct tk_pieces_text t;
    aif_tokenizer *tok = with_pre(pre);
    const char *got = tk_pieces_str(tok, text, 0, &t);
    if (strcmp(got, want))
        aif_test_fail(__FILE__, __LINE__, "pre %s on \"%s\": \"%s\" != \"%s\"", pre, text, got, want);
    aif_tokenizer_free(tok);
}

/* pre_tokenizers/split.rs test `basic`: regex \w+|[^\w\s]+, invert. */
static void split_behaviors(void)
{
    static const char *const cases[][2] = {
        {"Removed", "How|are|you|doing|?"},
        {"Isolated", "How| |are| |you| |doing|?"},
        {"MergedWithPrevious", "How |are |you |doing|?"},
        {"MergedWithNext", "How| are| you| doing|?"},
        {"Contiguous", "How| |are| |you| |doing?"},
    };
    for (size_t i = 0; i < 5; i++) {
        char pre[256];
        snprintf(pre, sizeof pre, "{'type':'Split','pattern':{'Regex':'\\\\w+|[^\\\\w\\\\s]+'},'behavior':'%s','invert':true}",
                 cases[i][0]);
        check_pre(pre, "How are you doing?", cases[i][1]);
    }
    /* split.rs `invert`: splitting on " " equals keeping "Hello" inverted */
    check_pre("{'type':'Split','pattern':{'String':' '},'behavior':'Removed','invert':false}", "Hello Hello Hello",
              "Hello|Hello|Hello");
    check_pre("{'type':'Split','pattern':{'String':'Hello'},'behavior':'Removed','invert':true}", "Hello Hello Hello",
              "Hello|Hello|Hello");
    /* a String pattern is literal: '.' is not a wildcard (by hand) */
    check_pre("{'type':'Split','pattern':{'String':'.'},'behavior':'Isolated'}", "a.b", "a|.|b");
}

/* pre_tokenizers/metaspace.rs tests `basic`, `multiple_spaces`, `non_legacy_meta_space`. */
static void metaspace(void)
{
    const char *always = "{'type':'Metaspace','replacement':'\xE2\x96\x81','prepend_scheme':'always','split':true}";
    check_pre(always, "Hey friend!", "\xE2\x96\x81Hey|\xE2\x96\x81" "friend!");
    check_pre(always, "Hey   friend!", "\xE2\x96\x81Hey|\xE2\x96\x81|\xE2\x96\x81|\xE2\x96\x81" "friend!");
    const char *first = "{'type':'Sequence','pretokenizers':[{'type':'Split','pattern':{'String':'<s>'},"
                        "'behavior':'Isolated'},{'type':'Metaspace','replacement':'\xE2\x96\x81',"
                        "'prepend_scheme':'first','split':false}]}";
    check_pre(first, "Hey my friend <s>how\xE2\x96\x81" "are you",
              "\xE2\x96\x81Hey\xE2\x96\x81my\xE2\x96\x81" "friend\xE2\x96\x81|<s>|how\xE2\x96\x81" "are\xE2\x96\x81you");
    check_pre(first, " Hey <s>how", "\xE2\x96\x81Hey\xE2\x96\x81|<s>|how");
}

/* digits.rs, punctuation.rs, whitespace.rs, byte_level.rs tests. */
static void other_pretokenizers(void)
{
    check_pre("{'type':'Digits','individual_digits':false}", "Hey 123 friend!", "Hey |123| friend!");
    check_pre("{'type':'Digits','individual_digits':true}", "Hey 123 friend!", "Hey |1|2|3| friend!");
    check_pre("{'type':'Punctuation'}", "Hey friend!     How are you?!?", "Hey friend|!|     How are you|?|!|?");
    check_pre("{'type':'Whitespace'}", "Hey man!", "Hey|man|!");
    check_pre("{'type':'Whitespace'}", "How are you doing?", "How|are|you|doing|?");
    check_pre("{'type':'Whitespace'}", "\n", "");
    check_pre("{'type':'BertPreTokenizer'}", "Hey friend!     How are you?!?", "Hey|friend|!|How|are|you|?|!|?");
    check_pre("{'type':'CharDelimiterSplit','delimiter':'x'}", "axbxxc", "a|b|c"); /* by hand */
    check_pre("{'type':'WhitespaceSplit'}", "Hey man!", "Hey|man!");
    check_pre("{'type':'WhitespaceSplit'}", "Hey, man, Good?", "Hey,|man,|Good?");
    check_pre("{'type':'ByteLevel','add_prefix_space':false,'use_regex':true}",
              "Hello my friend, how is your day going?",
              "Hello|\xC4\xA0my|\xC4\xA0" "friend|,|\xC4\xA0how|\xC4\xA0is|\xC4\xA0your|\xC4\xA0" "day|\xC4\xA0going|?");
    /* add_prefix_space (by hand: a space is prepended when the piece lacks one) */
    check_pre("{'type':'ByteLevel','add_prefix_space':true,'use_regex':true}", "Hello", "\xC4\xA0Hello");
}

static void check_norm(const char *norm, const char *text, const char *want)
{
    char j[2048];
    snprintf(j, sizeof j, "{'normalizer':%s," EMPTY_MODEL "}", norm);
    aif_err err = {0};
    aif_tokenizer *tok = tk_load_q(j, &err);
    CHECK_OK(tok ? AIF_OK : err.code, err);
    struct tk_pieces_text t;
    const char *got = tk_pieces_str(tok, text, 0, &t);
    if (strcmp(got, want))
        aif_test_fail(__FILE__, __LINE__, "normalizer %s on \"%s\": \"%s\" != \"%s\"", norm, text, got, want);
    aif_tokenizer_free(tok);
}

/* Expected values from the Unicode data (UnicodeData.txt / SpecialCasing.txt). */
static void normalizers(void)
{
    /* U+0130 lowercases to "i" + U+0307 (SpecialCasing, unconditional) */
    check_norm("{'type':'Lowercase'}", "\xC4\xB0STANBUL \xC3\x89T\xC3\x89", "i\xCC\x87stanbul \xC3\xA9t\xC3\xA9");
    /* U+FB01 (fi ligature) NFKC -> "fi"; U+00E9 NFD -> e + U+0301; e + U+0301 NFC -> U+00E9 */
    check_norm("{'type':'NFKC'}", "\xEF\xAC\x81ne", "fine");
    check_norm("{'type':'NFKD'}", "\xE2\x91\xA0", "1");
    check_norm("{'type':'NFD'}", "\xC3\xA9", "e\xCC\x81");
    check_norm("{'type':'NFC'}", "e\xCC\x81", "\xC3\xA9");
    /* ASCII around the non-ASCII runs: A + U+030A + U+0301 -> U+01FA; a + U+0301 + U+0323 -> U+1EA1 U+0301
     * (canonical order puts the dot below, ccc 220, before the acute, ccc 230) */
    check_norm("{'type':'NFC'}", "xyA\xCC\x8A\xCC\x81z", "xy\xC7\xBAz");
    check_norm("{'type':'NFC'}", "ba\xCC\x81\xCC\xA3" "c", "b\xE1\xBA\xA1\xCC\x81" "c");
    check_norm("{'type':'NFD'}", "a\xCC\x81\xCC\xA3", "a\xCC\xA3\xCC\x81");
    check_norm("{'type':'NFC'}", "\xCC\x81" "a", "\xCC\x81" "a");
    check_norm("{'type':'NFKC'}", "x\xEF\xAC\x81\xE2\x91\xA0y", "xfi1y");
    /* characters the reference's pre-Unicode-12 tables do not know (its output, probed through npm
     * @anush008/tokenizers@0.6.0): U+07FD keeps its place before U+0334, U+11935 U+11930 do not compose
     * into U+11938, U+11938 does not decompose; the known e + U+0301 after them still composes */
    check_norm("{'type':'NFD'}", "a\xDF\xBD\xCC\xB4", "a\xDF\xBD\xCC\xB4");
    check_norm("{'type':'NFC'}", "\xF0\x91\xA4\xB5\xF0\x91\xA4\xB0", "\xF0\x91\xA4\xB5\xF0\x91\xA4\xB0");
    check_norm("{'type':'NFD'}", "\xF0\x91\xA4\xB8", "\xF0\x91\xA4\xB8");
    check_norm("{'type':'NFC'}", "\xDF\xBD" "e\xCC\x81", "\xDF\xBD\xC3\xA9");
    /* normalizers/strip.rs: NFKD then StripAccents */
    check_norm("{'type':'Sequence','normalizers':[{'type':'NFKD'},{'type':'StripAccents'}]}", "Me llam\xC3\xB3",
               "Me llamo");
    check_norm("{'type':'Strip','strip_left':true,'strip_right':true}", " \t hi there \xE3\x80\x80", "hi there");
    check_norm("{'type':'Strip','strip_left':false,'strip_right':true}", "  hi  ", "  hi");
    check_norm("{'type':'Prepend','prepend':'\xE2\x96\x81'}", "hi", "\xE2\x96\x81hi");
    check_norm("{'type':'Replace','pattern':{'String':' '},'content':'\xE2\x96\x81'}", "a b  c",
               "a\xE2\x96\x81" "b\xE2\x96\x81\xE2\x96\x81" "c");
    check_norm("{'type':'Replace','pattern':{'Regex':'\\\\s+'},'content':' '}", "a \t\n b", "a b");
    check_norm("{'type':'Sequence','normalizers':[{'type':'Lowercase'},{'type':'Prepend','prepend':'_'}]}", "AB",
               "_ab");
}

static aif_tokenizer *added_tok(const char *norm, const char *added)
{
    char j[4096];
    snprintf(j, sizeof j, "{'added_tokens':[%s],'normalizer':%s," EMPTY_MODEL "}", added, norm);
    aif_err err = {0};
    aif_tokenizer *tok = tk_load_q(j, &err);
    CHECK_OK(tok ? AIF_OK : err.code, err);
    return tok;
}

#define AT(id, c, sw, l, r, norm, sp) \
    "{'id':" #id ",'content':'" c "','single_word':" #sw ",'lstrip':" #l ",'rstrip':" #r ",'normalized':" #norm \
    ",'special':" #sp "}"

static void check_pieces(const aif_tokenizer *tok, const char *text, unsigned flags, const char *want, int line)
{
    struct tk_pieces_text t;
    const char *got = tk_pieces_str(tok, text, flags, &t);
    if (strcmp(got, want))
        aif_test_fail(__FILE__, line, "\"%s\": \"%s\" != \"%s\"", text, got, want);
}

/* tokenizer/added_vocabulary.rs tests (Lowercase normalizer, a model without vocab). */
static void added_tokens(void)
{
    const char *lc = "{'type':'Lowercase'}";
    /* options_use_cases */
    aif_tokenizer *tok = added_tok(lc, AT(0, "my", false, true, true, true, false) "," AT(1, "name", false, false, false,
                                   true, false) "," AT(2, "ony", true, false, false, true, false) ","
                                   AT(3, "[CLS]", false, false, false, false, true) ","
                                   AT(4, "[SEP]", false, false, false, false, true));
    check_pieces(tok, "[CLS] My name is Anthony [SEP]", 0, "[CLS]#3| my #0|name#1| is anthony |[SEP]#4", __LINE__);
    aif_tokenizer_free(tok);
    /* test_single_word_is_correct, test_single_word_is_unicode_correct */
    tok = added_tok(lc, AT(0, "<mask>", true, false, false, true, false));
    check_pieces(tok, "<mask> My name <mask> A<mask> <mask>ony <mask>", 0,
                 "<mask>#0| my name |<mask>#0| a<mask> <mask>ony |<mask>#0", __LINE__);
    check_pieces(tok, "<mask>, <mask>- \xE2\x97\x8C\xCC\xB0<mask>", 0,
                 "<mask>#0|, |<mask>#0|- \xE2\x97\x8C\xCC\xB0<mask>", __LINE__);
    aif_tokenizer_free(tok);
    /* test_lstrip_unicode_space */
    tok = added_tok(lc, AT(0, "<mask>", true, true, true, true, false));
    check_pieces(tok, "Hi <mask> there\t<mask>\t<mask>\xE2\x80\x80", 0,
                 "hi| <mask> #0|there|\t<mask>\t#0|<mask>\xE2\x80\x80#0", __LINE__);
    aif_tokenizer_free(tok);
    /* test_encode_special_tokens, both settings */
    tok = added_tok(lc, AT(0, "<mask>", true, true, true, false, true) "," AT(1, "ask>", false, false, false, true,
                    false) "," AT(2, "<pad>", false, false, false, false, true));
    const char *text = "Hi <mask> there\t<mask>\t<mask>\xE2\x80\x80 <pad> <mask><pad><pad>";
    check_pieces(tok, text, AIF_TOK_SPLIT_SPECIAL,
                 "hi <m|ask>#1| there\t<m|ask>#1|\t<m|ask>#1|\xE2\x80\x80 <pad> <m|ask>#1|<pad><pad>", __LINE__);
    check_pieces(tok, text, 0,
                 "hi| <mask> #0|there|\t<mask>\t#0|<mask>\xE2\x80\x80 #0|<pad>#2| <mask>#0|<pad>#2|<pad>#2", __LINE__);
    /* decode: special tokens dropped with AIF_TOK_SKIP_SPECIAL, kept otherwise (no decoder: joined by " ") */
    char buf[256];
    int32_t ids[] = {2, 1, 0};
    CHECK_STR(tk_decode_str(tok, ids, 3, 0, buf, sizeof buf), "<pad> ask> <mask>");
    CHECK_STR(tk_decode_str(tok, ids, 3, AIF_TOK_SKIP_SPECIAL, buf, sizeof buf), "ask>");
    aif_tokenizer_free(tok);
    /* longest match first (by hand): "<a>" and "<a><b>" */
    tok = added_tok("null", AT(0, "<a>", false, false, false, false, true) "," AT(1, "<a><b>", false, false, false,
                    false, true));
    check_pieces(tok, "x<a><b><a>y", 0, "x|<a><b>#1|<a>#0|y", __LINE__);
    aif_tokenizer_free(tok);
}

static aif_tokenizer *model_tok(const char *model, const char *extra)
{
    char j[4096];
    snprintf(j, sizeof j, "{%s'model':%s}", extra, model);
    aif_err err = {0};
    aif_tokenizer *tok = tk_load_q(j, &err);
    CHECK_OK(tok ? AIF_OK : err.code, err);
    return tok;
}

static void check_ids(const aif_tokenizer *tok, const char *text, unsigned flags, const char *want, int line)
{
    char buf[1024];
    const char *got = tk_ids_str(tok, text, strlen(text), flags, buf, sizeof buf);
    if (strcmp(got, want))
        aif_test_fail(__FILE__, line, "\"%s\": ids \"%s\" != \"%s\"", text, got, want);
}

/* models/bpe/model.rs tests. */
static void bpe_options(void)
{
    /* test_unk_not_fused / test_unk_get_fused */
    aif_tokenizer *tok = model_tok("{'type':'BPE','vocab':{'<unk>':0,'a':1,'b':2},'merges':[],'unk_token':'<unk>'}", "");
    check_ids(tok, "c", 0, "0", __LINE__);
    check_ids(tok, "cc", 0, "0 0", __LINE__);
    check_ids(tok, "accb", 0, "1 0 0 2", __LINE__);
    aif_tokenizer_free(tok);
    tok = model_tok("{'type':'BPE','vocab':{'<unk>':0,'a':1,'b':2},'merges':[],'unk_token':'<unk>','fuse_unk':true}",
                    "");
    check_ids(tok, "cc", 0, "0", __LINE__);
    check_ids(tok, "accb", 0, "1 0 2", __LINE__);
    aif_tokenizer_free(tok);
    /* test_bpe_byte_fallback, test_bpe_byte_fallback_newline */
    tok = model_tok("{'type':'BPE','vocab':{'<unk>':0,'<0x61>':1,'<0x0A>':2},'merges':[],'unk_token':'<unk>',"
                    "'byte_fallback':true}", "");
    check_ids(tok, "c", 0, "0", __LINE__);
    check_ids(tok, "a", 0, "1", __LINE__);
    check_ids(tok, "\n", 0, "2", __LINE__);
    aif_tokenizer_free(tok);
    /* test_ignore_merges, with and without ignore_merges */
    const char *vocab = "'vocab':{'.:.:':0,'\xC4\xA0" "belirtilen':1,'.':2,':':3,'bel':4,'irtilen':5,'\xC4\xA0':6,'.:':7,"
                        "'belirtilen':8,'.:.':9,'be':10,'l':11,'ir':12,'ti':13,'en':14,'irtil':15,'irti':16,'i':17,"
                        "'r':18,'t':19,'b':20,'e':21,'n':22},'merges':['. :','b e','be l','i r','t i','ir ti','e n',"
                        "'irti l']";
    char m[1024];
    snprintf(m, sizeof m, "{'type':'BPE',%s,'ignore_merges':true}", vocab);
    tok = model_tok(m, "");
    check_ids(tok, ".:.:", 0, "0", __LINE__);
    check_ids(tok, "\xC4\xA0" "belirtilen", 0, "1", __LINE__);
    aif_tokenizer_free(tok);
    snprintf(m, sizeof m, "{'type':'BPE',%s,'ignore_merges':false}", vocab);
    tok = model_tok(m, "");
    check_ids(tok, ".:.:", 0, "7 7", __LINE__);
    check_ids(tok, "\xC4\xA0" "belirtilen", 0, "6 4 15 14", __LINE__);
    aif_tokenizer_free(tok);
    /* merges as ["a","b"] pairs give the same result as "a b" strings */
    tok = model_tok("{'type':'BPE','vocab':{'a':0,'b':1,'ab':2,'c':3,'abc':4},'merges':[['a','b'],['ab','c']]}", "");
    check_ids(tok, "abcab", 0, "4 2", __LINE__);
    aif_tokenizer_free(tok);
    /* continuing_subword_prefix (by hand): "abc" -> a ##b ##c; merge (a, ##b) -> "ab" */
    tok = model_tok("{'type':'BPE','vocab':{'a':0,'##b':1,'##c':2,'ab':3},'merges':['a ##b'],"
                    "'continuing_subword_prefix':'##'}", "");
    check_ids(tok, "abc", 0, "3 2", __LINE__);
    aif_tokenizer_free(tok);
    /* end_of_word_suffix (by hand): "ab" -> a b</w>; merge -> ab</w> */
    tok = model_tok("{'type':'BPE','vocab':{'a':0,'b</w>':1,'ab</w>':2,'b':3},'merges':['a b</w>'],"
                    "'end_of_word_suffix':'</w>'}", "");
    check_ids(tok, "ab", 0, "2", __LINE__);
    aif_tokenizer_free(tok);
    /* a merge across the start of a U+2581 run (token "a\u2581"), by hand: a \u2581 b -> (a\u2581) b */
    tok = model_tok("{'type':'BPE','vocab':{'\xE2\x96\x81':0,'a':1,'b':2,'a\xE2\x96\x81':3,'\xE2\x96\x81" "b':4},"
                    "'merges':['a \xE2\x96\x81','\xE2\x96\x81 b']}", "");
    check_ids(tok, "a\xE2\x96\x81" "b", 0, "3 2", __LINE__);
    aif_tokenizer_free(tok);
    /* without such tokens the word is merged per U+2581 segment: same result as whole-word BPE (by hand) */
    tok = model_tok("{'type':'BPE','vocab':{'\xE2\x96\x81':0,'a':1,'b':2,'\xE2\x96\x81" "b':3,'ab':4},"
                    "'merges':['\xE2\x96\x81 b','a b']}", "");
    check_ids(tok, "ab\xE2\x96\x81" "bab\xE2\x96\x81\xE2\x96\x81" "b", 0, "4 3 4 0 3", __LINE__);
    aif_tokenizer_free(tok);
    /* lowest rank first, leftmost on ties (by hand): "aaa" with merge (a,a) -> aa a */
    tok = model_tok("{'type':'BPE','vocab':{'a':0,'aa':1},'merges':['a a']}", "");
    check_ids(tok, "aaa", 0, "1 0", __LINE__);
    check_ids(tok, "aaaa", 0, "1 1", __LINE__);
    aif_tokenizer_free(tok);
}

/* processors: TemplateProcessing, RobertaProcessing, BertProcessing (their documented templates). */
static void post_processors(void)
{
    const char *model = "{'type':'BPE','vocab':{'a':0,'b':1},'merges':[]}";
    aif_tokenizer *tok = model_tok(model,
        "'post_processor':{'type':'TemplateProcessing','single':[{'SpecialToken':{'id':'[CLS]','type_id':0}},"
        "{'Sequence':{'id':'A','type_id':0}},{'SpecialToken':{'id':'[SEP]','type_id':0}}],'pair':[],"
        "'special_tokens':{'[CLS]':{'id':'[CLS]','ids':[101],'tokens':['[CLS]']},"
        "'[SEP]':{'id':'[SEP]','ids':[102],'tokens':['[SEP]']}}},");
    check_ids(tok, "ab", AIF_TOK_ADD_SPECIAL, "101 0 1 102", __LINE__);
    check_ids(tok, "ab", 0, "0 1", __LINE__);
    check_ids(tok, "", AIF_TOK_ADD_SPECIAL, "101 102", __LINE__);
    aif_tokenizer_free(tok);
    /* tokenizer.json truncation (by hand from Tokenizer::encode: max_length counts the added tokens) */
    tok = model_tok(model,
        "'truncation':{'max_length':3,'direction':'Right','strategy':'LongestFirst','stride':0},"
        "'post_processor':{'type':'TemplateProcessing','single':[{'SpecialToken':{'id':'[CLS]','type_id':0}},"
        "{'Sequence':{'id':'A','type_id':0}},{'SpecialToken':{'id':'[SEP]','type_id':0}}],'pair':[],"
        "'special_tokens':{'[CLS]':{'id':'[CLS]','ids':[101],'tokens':['[CLS]']},"
        "'[SEP]':{'id':'[SEP]','ids':[102],'tokens':['[SEP]']}}},");
    check_ids(tok, "abab", 0, "0 1 0", __LINE__);
    check_ids(tok, "abab", AIF_TOK_ADD_SPECIAL, "101 0 102", __LINE__);
    aif_tokenizer_free(tok);
    tok = model_tok(model, "'post_processor':{'type':'RobertaProcessing','sep':['</s>',2],'cls':['<s>',0]},");
    check_ids(tok, "b", AIF_TOK_ADD_SPECIAL, "0 1 2", __LINE__);
    aif_tokenizer_free(tok);
    tok = model_tok(model, "'post_processor':{'type':'Sequence','processors':[{'type':'ByteLevel'},"
                           "{'type':'BertProcessing','sep':['[SEP]',7],'cls':['[CLS]',6]}]},");
    check_ids(tok, "b", AIF_TOK_ADD_SPECIAL, "6 1 7", __LINE__);
    aif_tokenizer_free(tok);
}

static aif_tokenizer *dec_tok(const char *vocab, const char *dec)
{
    char j[4096];
    snprintf(j, sizeof j, "{'decoder':%s,'model':{'type':'BPE','vocab':{%s},'merges':[]}}", dec, vocab);
    aif_err err = {0};
    aif_tokenizer *tok = tk_load_q(j, &err);
    CHECK_OK(tok ? AIF_OK : err.code, err);
    return tok;
}

#define DEC(tok, want, flags, ...) do { \
        int32_t ids_[] = {__VA_ARGS__}; char dbuf_[512]; \
        CHECK_STR(tk_decode_str(tok, ids_, sizeof ids_ / sizeof ids_[0], flags, dbuf_, sizeof dbuf_), want); } while (0)

/* tests of decoders/ in the Rust library. */
static void decoders(void)
{
    /* byte_fallback.rs */
    aif_tokenizer *tok = dec_tok("'<0xE5>':0,'<0x8f>':1,'<0xab>':2,'a':3,'Hey':4,'friend!':5", "{'type':'ByteFallback'}");
    DEC(tok, "Heyfriend!", 0, 4, 5);
    DEC(tok, "\xEF\xBF\xBD", 0, 0);
    DEC(tok, "\xEF\xBF\xBD\xEF\xBF\xBD", 0, 0, 1);
    DEC(tok, "\xE5\x8F\xAB", 0, 0, 1, 2);
    DEC(tok, "\xE5\x8F\xAB" "a", 0, 0, 1, 2, 3);
    DEC(tok, "\xEF\xBF\xBD\xEF\xBF\xBD" "a", 0, 0, 1, 3);
    aif_tokenizer_free(tok);
    /* strip.rs */
    tok = dec_tok("'Hey':0,' friend!':1,'HHH':2", "{'type':'Strip','content':'H','start':1,'stop':0}");
    DEC(tok, "ey friend!HH", 0, 0, 1, 2);
    aif_tokenizer_free(tok);
    tok = dec_tok("'Hey':0,' friend!':1", "{'type':'Strip','content':'y','start':0,'stop':1}");
    DEC(tok, "He friend!", 0, 0, 1);
    aif_tokenizer_free(tok);
    /* metaspace.rs `decode` */
    tok = dec_tok("'\xE2\x96\x81Hey':0,'\xE2\x96\x81" "friend!':1",
                  "{'type':'Metaspace','replacement':'\xE2\x96\x81','prepend_scheme':'always'}");
    DEC(tok, "Hey friend!", 0, 0, 1);
    aif_tokenizer_free(tok);
    tok = dec_tok("'\xE2\x96\x81Hey':0,'\xE2\x96\x81" "friend!':1",
                  "{'type':'Metaspace','replacement':'\xE2\x96\x81','prepend_scheme':'never'}");
    DEC(tok, " Hey friend!", 0, 0, 1);
    aif_tokenizer_free(tok);
    /* BPEDecoder (by hand): suffix -> " ", none after the last token */
    tok = dec_tok("'hel':0,'lo</w>':1,'world</w>':2", "{'type':'BPEDecoder','suffix':'</w>'}");
    DEC(tok, "hello world", 0, 0, 1, 2);
    aif_tokenizer_free(tok);
    /* WordPiece (by hand): "##" glues, others get a space; cleanup " !" -> "!" */
    tok = dec_tok("'Hey':0,'##friend':1,'!':2", "{'type':'WordPiece','prefix':'##','cleanup':false}");
    DEC(tok, "Heyfriend !", 0, 0, 1, 2);
    aif_tokenizer_free(tok);
    tok = dec_tok("'Hey':0,'##friend':1,'!':2", "{'type':'WordPiece','prefix':'##','cleanup':true}");
    DEC(tok, "Heyfriend!", 0, 0, 1, 2);
    aif_tokenizer_free(tok);
    /* Sequence of Replace + Fuse (the Mistral decoder's first steps) */
    tok = dec_tok("'\xE2\x96\x81" "a':0,'b':1",
                  "{'type':'Sequence','decoders':[{'type':'Replace','pattern':{'String':'\xE2\x96\x81'},'content':' '},"
                  "{'type':'Fuse'}]}");
    DEC(tok, " ab", 0, 0, 1);
    aif_tokenizer_free(tok);
    /* ByteLevel: invalid UTF-8 becomes U+FFFD as in String::from_utf8_lossy ("\xC3" alone: one U+FFFD) */
    tok = dec_tok("'\xC3\x83':0,'a':1", "{'type':'ByteLevel'}");
    DEC(tok, "\xEF\xBF\xBD" "a", 0, 0, 1);
    aif_tokenizer_free(tok);
    /* no decoder: tokens joined by " "; clean_up_tokenization_spaces rule of transformers (by hand) */
    tok = dec_tok("'Hello':0,',':1,'world':2,'!':3,'I':4,'\\u0027m':5,'here':6,'.':7,'do':8,'n\\u0027t':9", "null");
    DEC(tok, "Hello , world ! I 'm here .", 0, 0, 1, 2, 3, 4, 5, 6, 7);
    DEC(tok, "Hello, world! I'm here.", AIF_TOK_CLEAN_SPACES, 0, 1, 2, 3, 4, 5, 6, 7);
    DEC(tok, "don't", AIF_TOK_CLEAN_SPACES, 8, 9);
    /* ids out of range are skipped, as the Rust library does */
    DEC(tok, "Hello world", 0, 0, 12345, -1, 2);
    aif_tokenizer_free(tok);
}

AIF_TESTS(tokenizer_components) = {
    {"tokenizer/split_behaviors", split_behaviors},
    {"tokenizer/metaspace", metaspace},
    {"tokenizer/other_pretokenizers", other_pretokenizers},
    {"tokenizer/normalizers", normalizers},
    {"tokenizer/added_tokens", added_tokens},
    {"tokenizer/bpe_options", bpe_options},
    {"tokenizer/post_processors", post_processors},
    {"tokenizer/decoders", decoders},
    {NULL, NULL},
};
