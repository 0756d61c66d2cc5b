/* tokenizer.h: Hugging Face tokenizer.json, bit-exact with the
 * `tokenizers` library (byte-level BPE, SentencePiece-style BPE and
 * Unigram models; added/special tokens; normalizers NFC/NFD/NFKC/NFKD,
 * Lowercase, Strip, StripAccents, Prepend, Replace, Sequence;
 * pre-tokenizers Split, ByteLevel, Metaspace, Digits, Punctuation,
 * Whitespace, WhitespaceSplit, BertPreTokenizer, CharDelimiterSplit,
 * Sequence; post-processors TemplateProcessing, ByteLevel, Roberta, Bert,
 * Sequence; decoders ByteLevel, Metaspace, ByteFallback, Fuse, Strip,
 * Replace, BPEDecoder, WordPiece, Sequence), plus the tokenizer_config.json
 * behaviour of `transformers`. Anything else fails to load with
 * AIF_ENOTSUP naming the component. Token ids are int32; -1 means "none".
 * A loaded tokenizer is immutable and may be shared by threads.
 */
#ifndef AIF_TOKENIZER_H
#define AIF_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aif/err.h"
#include "aif/pool.h"

typedef struct aif_tokenizer aif_tokenizer;

/* A growable id list; encode appends. Release frees the storage. */
typedef struct aif_token_ids {
    int32_t *v;
    size_t n, cap;
} aif_token_ids;
void aif_token_ids_release(aif_token_ids *ids);

enum {
    /* Apply the post-processor (TemplateProcessing etc.), as the
     * `tokenizers` library's encode(add_special_tokens=True) does. */
    AIF_TOK_ADD_SPECIAL = 1u << 0,
    /* Treat special-token text as plain text (split_special_tokens). */
    AIF_TOK_SPLIT_SPECIAL = 1u << 1,
    /* The `transformers` tokenizer __call__: AIF_TOK_ADD_SPECIAL plus the
     * add_bos_token/add_eos_token of tokenizer_config.json where the
     * tokenizer class applies them, and truncation to model_max_length.
     * Classes LlamaTokenizer(Fast), CodeLlamaTokenizer(Fast) and
     * GemmaTokenizer(Fast) rebuild the template as [bos] A [eos] from
     * add_bos_token (default true) / add_eos_token (default false); every
     * other class keeps the tokenizer.json post-processor. The sequence is
     * cut before the special tokens are added, so they survive truncation.
     * split_special_tokens of the config applies too. In decode, it applies
     * the config's clean_up_tokenization_spaces. */
    AIF_TOK_CALL = 1u << 2,
    /* decode: drop special tokens. */
    AIF_TOK_SKIP_SPECIAL = 1u << 3,
    /* decode: clean_up_tokenization_spaces. */
    AIF_TOK_CLEAN_SPACES = 1u << 4,
};

/* path: a tokenizer.json file, or a directory holding tokenizer.json and
 * optionally tokenizer_config.json / special_tokens_map.json. */
aif_code aif_tokenizer_load(const char *path, aif_tokenizer **out, aif_err *err);
/* From tokenizer.json text in memory (config files: none). */
aif_code aif_tokenizer_load_mem(const char *json, size_t len, aif_tokenizer **out, aif_err *err);
void aif_tokenizer_free(aif_tokenizer *tok);

/* Encode UTF-8 text (invalid UTF-8: AIF_EUTF8 naming the byte offset);
 * ids are appended to *out (on failure *out keeps its old length).
 * Thread-safe on a shared tokenizer. */
aif_code aif_tokenizer_encode(const aif_tokenizer *tok, const char *text, size_t len, unsigned flags,
                              aif_token_ids *out, aif_err *err);
/* Byte offsets: per id, the [start, end) range of the ORIGINAL text's bytes
 * it stands for, as the Rust library's Encoding offsets (byte offsets into
 * the input &str): normalizers map each normalized char back to the
 * original char it came from (inserted text such as Prepend to the char it
 * attaches to, a composed char to its first source char), byte-level and
 * byte-fallback tokens cover the whole chars their bytes belong to, added
 * tokens cover their match (lstrip/rstrip whitespace included), and the
 * special tokens of the post-processor get (0, 0). */
typedef struct aif_token_offsets {
    uint32_t (*v)[2];
    size_t n, cap;
} aif_token_offsets;
void aif_token_offsets_release(aif_token_offsets *o);
/* aif_tokenizer_encode plus offsets: appends ids->n - old entries to both
 * (on failure both keep their old lengths). AIF_ENOTSUP for a pre-tokenizer
 * that rewrites text (Metaspace, ByteLevel add_prefix_space) and for a
 * ByteLevel pre-tokenizer before a Unigram model. */
aif_code aif_tokenizer_encode_offsets(const aif_tokenizer *tok, const char *text, size_t len, unsigned flags,
                                      aif_token_ids *ids, aif_token_offsets *offsets, aif_err *err);
/* Encode a pair of texts as encode(a, b) of the Rust library: each text
 * alone, then (AIF_TOK_ADD_SPECIAL) the post-processor's pair form
 * (TemplateProcessing "pair", Roberta <s> A </s></s> B </s>, Bert
 * [CLS] A [SEP] B [SEP]; none / ByteLevel: A B); type ids are not kept, and
 * pairs are not truncated. With AIF_TOK_CALL and a Llama-class config:
 * bos? A eos? bos? B eos?. Offsets (may be NULL) of B's tokens are relative to b. */
aif_code aif_tokenizer_encode_pair(const aif_tokenizer *tok, const char *a, size_t len_a, const char *b, size_t len_b,
                                   unsigned flags, aif_token_ids *ids, aif_err *err);
aif_code aif_tokenizer_encode_pair_offsets(const aif_tokenizer *tok, const char *a, size_t len_a, const char *b,
                                           size_t len_b, unsigned flags, aif_token_ids *ids,
                                           aif_token_offsets *offsets, aif_err *err);

/* The pieces the model sees (after added tokens, normalizer and
 * pre-tokenizers), like pre_tokenize_str of the Rust library: fn gets each
 * piece's text (ByteLevel pieces in their GPT-2 characters) and its added
 * token id, or -1. A nonzero return from fn stops with AIF_ECANCELED. */
typedef int (*aif_tokenizer_piece_fn)(void *arg, const char *piece, size_t len, int32_t added_id);
aif_code aif_tokenizer_pieces(const aif_tokenizer *tok, const char *text, size_t len, unsigned flags,
                              aif_tokenizer_piece_fn fn, void *arg, aif_err *err);

/* Decode ids to a NUL-terminated heap string (free with aif_free); *len
 * (may be NULL) gets its length. Ids without a token are skipped, as the
 * Rust library does; invalid UTF-8 from byte tokens becomes U+FFFD. */
aif_code aif_tokenizer_decode(const aif_tokenizer *tok, const int32_t *ids, size_t n_ids, unsigned flags,
                              char **text, size_t *len, aif_err *err);

/* Encode n texts over the pool (NULL: on this thread); outs[i] (caller
 * storage, n entries) is reset and filled for text i. On failure the first
 * failing text's error is returned; outs stay valid to release. */
aif_code aif_tokenizer_encode_batch(const aif_tokenizer *tok, const char *const *texts, const size_t *lens, size_t n,
                                    unsigned flags, aif_pool *pool, aif_token_ids *outs, aif_err *err);

/* Read JSON Lines from in (each a JSON object with a string "text";
 * blank lines are skipped) and write one {"ids":[...]} line per input line
 * to out, in order, encoding batches over the pool. *n_lines (may be NULL)
 * gets the number of records. Errors name the input line. */
aif_code aif_tokenizer_encode_jsonl(const aif_tokenizer *tok, FILE *in, FILE *out, unsigned flags, aif_pool *pool,
                                    size_t *n_lines, aif_err *err);

/* Token id of a token string (added tokens first, then the model vocab), or -1. */
int32_t aif_tokenizer_token_to_id(const aif_tokenizer *tok, const char *token);
/* The token's string (borrowed, valid until aif_tokenizer_free), or NULL
 * for an id out of range. */
const char *aif_tokenizer_id_to_token(const aif_tokenizer *tok, int32_t id);
/* Largest id + 1, added tokens included. */
size_t aif_tokenizer_vocab_size(const aif_tokenizer *tok);
/* bos/eos/pad tokens of tokenizer_config.json (special_tokens_map.json
 * overrides), as ids; -1 when not set or when loaded without a config. */
int32_t aif_tokenizer_bos_id(const aif_tokenizer *tok);
int32_t aif_tokenizer_eos_id(const aif_tokenizer *tok);
int32_t aif_tokenizer_pad_id(const aif_tokenizer *tok);
/* model_max_length of tokenizer_config.json, or 0 if none. */
size_t aif_tokenizer_model_max_length(const aif_tokenizer *tok);

#endif
