/* fuzz_tokenizer_encode.c: encode arbitrary bytes with two small
 * hand-made tokenizers built in code (a byte-level BPE with the GPT-4
 * split regex, NFKC, added tokens with lstrip/rstrip/single_word and a
 * template; a SentencePiece-style BPE with Metaspace, byte_fallback and
 * unk; a Unigram with StripAccents, BertPreTokenizer, byte_fallback), then
 * decode the ids. The first input byte picks the tokenizer and the flags;
 * the rest is the text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/tokenizer.h"

static aif_tokenizer *toks[3];

/* GPT-2 bytes_to_unicode for byte b, as UTF-8, JSON-escaped where needed. */
static int byte_token(int b, char *out)
{
    int keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF), n = 0;
    if (!keep) {
        n = 0;
        for (int k = 0; k < b; k++)
            if (!((k >= '!' && k <= '~') || (k >= 0xA1 && k <= 0xAC) || (k >= 0xAE && k <= 0xFF)))
                n++;
    }
    int cp = keep ? b : 256 + n;
    if (cp == '"' || cp == '\\')
        return sprintf(out, "\\%c", cp);
    if (cp < 0x80)
        return sprintf(out, "%c", cp);
    return sprintf(out, "%c%c", 0xC0 | (cp >> 6), 0x80 | (cp & 63));
}

static char *bytelevel_json(void)
{
    size_t cap = 1 << 16, n = 0;
    char *j = malloc(cap);
    n += (size_t)snprintf(j + n, cap - n,
        "{\"added_tokens\":["
        "{\"id\":300,\"content\":\"<|endoftext|>\",\"special\":true,\"normalized\":false},"
        "{\"id\":301,\"content\":\"<mask>\",\"special\":true,\"normalized\":false,\"lstrip\":true,\"rstrip\":true},"
        "{\"id\":302,\"content\":\"word\",\"special\":false,\"normalized\":true,\"single_word\":true}],"
        "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},{\"type\":\"Replace\","
        "\"pattern\":{\"Regex\":\"\\\\s{3,}\"},\"content\":\"  \"}]},"
        "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":{\"Regex\":"
        "\"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+"
        "[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+\"},\"behavior\":\"Isolated\",\"invert\":false},"
        "{\"type\":\"Digits\",\"individual_digits\":false},"
        "{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"use_regex\":false}]},"
        "\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<|endoftext|>\","
        "\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[],\"special_tokens\":{"
        "\"<|endoftext|>\":{\"id\":\"<|endoftext|>\",\"ids\":[300],\"tokens\":[\"<|endoftext|>\"]}}},"
        "\"decoder\":{\"type\":\"ByteLevel\"},"
        "\"model\":{\"type\":\"BPE\",\"ignore_merges\":true,\"vocab\":{");
    for (int b = 0; b < 256; b++) {
        char t[8];
        byte_token(b, t);
        n += (size_t)snprintf(j + n, cap - n, "\"%s\":%d,", t, b);
    }
    /* a few merges: "Ġ" + "t" etc. */
    n += (size_t)snprintf(j + n, cap - n,
        "\"\xC4\xA0t\":256,\"he\":257,\"\xC4\xA0the\":258,\"\xC4\xA0\xC4\xA0\":259,\"in\":260,\"\xC4\xA0th\":261},"
        "\"merges\":[\"\xC4\xA0 t\",\"h e\",\"\xC4\xA0 \xC4\xA0\",\"i n\",\"\xC4\xA0t h\",\"\xC4\xA0th e\"]}}");
    return j;
}

static const char spm_json[] =
    "{\"added_tokens\":[{\"id\":0,\"content\":\"<unk>\",\"special\":true,\"normalized\":false},"
    "{\"id\":1,\"content\":\"<s>\",\"special\":true,\"normalized\":false}],"
    "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Strip\",\"strip_left\":false,"
    "\"strip_right\":true},{\"type\":\"Lowercase\"}]},"
    "\"pre_tokenizer\":{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"first\","
    "\"split\":true},"
    "\"post_processor\":{\"type\":\"RobertaProcessing\",\"sep\":[\"<unk>\",0],\"cls\":[\"<s>\",1]},"
    "\"decoder\":{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},"
    "\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" \","
    "\"start\":1,\"stop\":0}]},"
    "\"model\":{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"fuse_unk\":true,\"byte_fallback\":true,"
    "\"vocab\":{\"<unk>\":0,\"<s>\":1,\"<0x41>\":2,\"<0xC3>\":3,\"<0xA9>\":4,\"\xE2\x96\x81\":5,\"a\":6,\"b\":7,"
    "\"ab\":8,\"\xE2\x96\x81" "a\":9,\"\xE2\x96\x81" "ab\":10},"
    "\"merges\":[\"a b\",\"\xE2\x96\x81 a\",\"\xE2\x96\x81" "a b\"]}}";

static const char unigram_json[] =
    "{\"added_tokens\":[{\"id\":1,\"content\":\"<s>\",\"special\":true,\"normalized\":false}],"
    "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFD\"},{\"type\":\"StripAccents\"}]},"
    "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"BertPreTokenizer\"},"
    "{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"always\",\"split\":true}]},"
    "\"decoder\":{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"always\"},"
    "\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"byte_fallback\":true,\"vocab\":[[\"<unk>\",0],[\"<s>\",0],"
    "[\"\xE2\x96\x81\",-2],[\"a\",-3],[\"b\",-3],[\"ab\",-4],[\"\xE2\x96\x81" "a\",-3.5],[\"<0xC3>\",-9],"
    "[\"<0xA9>\",-9],[\"<0x2E>\",-9],[\"b\",-2]]}}";

static void init(void)
{
    aif_err err;
    char *j = bytelevel_json();
    if (aif_tokenizer_load_mem(j, strlen(j), &toks[0], &err) != AIF_OK) {
        fprintf(stderr, "fuzz_tokenizer_encode: %s\n", err.msg);
        abort();
    }
    free(j);
    if (aif_tokenizer_load_mem(spm_json, strlen(spm_json), &toks[1], &err) != AIF_OK ||
        aif_tokenizer_load_mem(unigram_json, strlen(unigram_json), &toks[2], &err) != AIF_OK) {
        fprintf(stderr, "fuzz_tokenizer_encode: %s\n", err.msg);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!toks[0])
        init();
    if (!size)
        return 0;
    unsigned sel = data[0];
    const aif_tokenizer *tok = (sel & 1) ? toks[1] : ((sel >> 4) & 1) ? toks[2] : toks[0];
    unsigned flags = ((sel >> 1) & 1 ? AIF_TOK_ADD_SPECIAL : 0) | ((sel >> 2) & 1 ? AIF_TOK_SPLIT_SPECIAL : 0);
    aif_token_ids ids = {0};
    aif_err err;
    if (aif_tokenizer_encode(tok, (const char *)data + 1, size - 1, flags, &ids, &err) == AIF_OK) {
        char *text = NULL;
        size_t len = 0;
        if (aif_tokenizer_decode(tok, ids.v, ids.n, (sel >> 3) & 1 ? AIF_TOK_SKIP_SPECIAL | AIF_TOK_CLEAN_SPACES : 0,
                                 &text, &len, &err) == AIF_OK)
            aif_free(text);
    }
    /* offsets: the same ids, one [start, end) per id inside the text (or an
     * AIF_ENOTSUP for a pre-tokenizer that rewrites text); pairs too */
    aif_token_ids ids2 = {0}, ids3 = {0};
    aif_token_offsets offs = {0};
    aif_code orc = aif_tokenizer_encode_offsets(tok, (const char *)data + 1, size - 1, flags, &ids2, &offs, &err);
    if (orc == AIF_OK) {
        if (ids2.n != ids.n || ids2.n != offs.n || (ids.n && memcmp(ids.v, ids2.v, ids.n * sizeof *ids.v)))
            abort();
        for (size_t i = 0; i < offs.n; i++)
            if (offs.v[i][0] > offs.v[i][1] || offs.v[i][1] > size - 1)
                abort();
    }
    size_t half = (size - 1) / 2;
    aif_tokenizer_encode_pair(tok, (const char *)data + 1, half, (const char *)data + 1 + half, size - 1 - half, flags,
                              &ids3, &err);
    aif_token_ids_release(&ids2);
    aif_token_ids_release(&ids3);
    aif_token_offsets_release(&offs);
    aif_token_ids_release(&ids);
    /* the raw bytes as ids too: decoding must cope with any id */
    size_t n = (size - 1) / 4;
    int32_t *raw = malloc((n ? n : 1) * sizeof *raw);
    memcpy(raw, data + 1, n * sizeof *raw);
    char *text = NULL;
    size_t len = 0;
    if (aif_tokenizer_decode(tok, raw, n, 0, &text, &len, &err) == AIF_OK)
        aif_free(text);
    free(raw);
    return 0;
}
