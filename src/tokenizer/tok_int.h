/* tok_int.h: what the files of src/tokenizer/ share (nothing outside the
 * module includes this).
 *
 * Encode pipeline, as in the Rust `tokenizers` library:
 *   text -> added tokens split (non-normalized tokens, on the original text)
 *        -> normalizer on each remaining piece
 *        -> added tokens split (normalized tokens, on the normalized pieces)
 *        -> pre-tokenizers -> model (BPE) -> post-processor
 * Pieces are (offset, length) views into one growing byte arena per call;
 * transformations append new text to the arena, so offsets stay valid.
 */
#ifndef AIF_TOKENIZER_INT_H
#define AIF_TOKENIZER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aif/err.h"
#include "aif/tokenizer.h"

/* ---- byte buffer / arena ---- */
typedef struct aif_tk_buf {
    char *p;
    size_t n, cap;
} aif_tk_buf;
int aif_tk_buf_reserve(aif_tk_buf *b, size_t extra);          /* 0 ok, -1 ENOMEM */
int aif_tk_buf_push(aif_tk_buf *b, const void *s, size_t n);  /* s must not point into b */
void aif_tk_buf_release(aif_tk_buf *b);
/* Room for need ids in ids (capacity doubles from 16); 0 ok, -1 ENOMEM. */
int aif_tk_ids_reserve(aif_token_ids *ids, size_t need);
/* Append one id; 0 ok, -1 ENOMEM. */
int aif_tk_ids_push(aif_token_ids *ids, int32_t id);

/* ---- pieces ---- */
enum {
    PIECE_BYTEMAPPED = 1, /* ByteLevel applied lazily: bytes stand for their GPT-2 chars */
    PIECE_FIRST = 2,      /* starts at original offset 0 (Metaspace prepend_scheme "first") */
};
typedef struct aif_tk_piece {
    size_t off, len;
    int32_t id;      /* >= 0: already an (added) token */
    uint32_t flags;
} aif_tk_piece;
typedef struct aif_tk_pieces {
    aif_tk_piece *v;
    size_t n, cap;
} aif_tk_pieces;
int aif_tk_pieces_push(aif_tk_pieces *ps, size_t off, size_t len, int32_t id, uint32_t flags);
void aif_tk_pieces_release(aif_tk_pieces *ps);

/* ---- UTF-8 helpers (utf8.c) ---- */
/* Offset of the first invalid byte, or len when s is valid UTF-8. */
size_t aif_tk_utf8_check(const char *s, size_t len);
/* Decode one code point at s (valid UTF-8 assumed); returns its length. */
int aif_tk_utf8_decode(const char *s, size_t len, int32_t *cp);
int aif_tk_utf8_encode(int32_t cp, char out[4]);
int aif_tk_utf8_len(unsigned char lead);
/* Rust String::from_utf8_lossy: invalid sequences become U+FFFD. */
int aif_tk_utf8_lossy(const char *s, size_t n, aif_tk_buf *out);
int aif_tk_is_whitespace(int32_t cp); /* Unicode White_Space (Rust char::is_whitespace) */
int aif_tk_is_word(int32_t cp);       /* Rust regex \w (approximately: L, M, Nd, Nl, Pc, ZWJ/ZWNJ) */
int aif_tk_is_punct(int32_t cp);      /* ASCII punctuation or Unicode P* */
/* GPT-2 byte <-> char tables. */
extern int32_t aif_tk_byte_char[256];
int aif_tk_char_byte(int32_t cp); /* -1 if cp is not one of the 256 chars */
void aif_tk_bytelevel_init(void);

/* ---- string -> id hash map (vocab.c) ---- */
typedef struct aif_tk_strent {
    size_t off;        /* key offset in pool (keys are NUL-terminated there) */
    uint32_t len;
    int32_t val;
} aif_tk_strent;
typedef struct aif_tk_strmap {
    uint64_t *slots;   /* (entry index + 1) | hash tag << 32; 0 = empty */
    size_t mask;
    aif_tk_strent *ent;
    size_t n, cap;
    aif_tk_buf pool;
} aif_tk_strmap;
int aif_tk_strmap_put(aif_tk_strmap *m, const char *k, size_t n, int32_t v); /* overwrites */
int32_t aif_tk_strmap_get(const aif_tk_strmap *m, const char *k, size_t n);   /* -1 if absent */
int64_t aif_tk_strmap_key_off(const aif_tk_strmap *m, const char *k, size_t n); /* key offset in pool, or -1 */
void aif_tk_strmap_release(aif_tk_strmap *m);

/* ---- regex (regex.c): PCRE2 with Oniguruma-compatible \s ---- */
typedef struct aif_tk_regex aif_tk_regex;
aif_code aif_tk_regex_new(const char *pattern, size_t len, int literal, aif_tk_regex **out, aif_err *err);
void aif_tk_regex_free(aif_tk_regex *re);
/* Find the matches of re in s as onig's find_iter does; calls cb for each
 * (start, end). Returns 0, or -1 on a matching error. */
typedef int (*aif_tk_match_cb)(void *arg, size_t start, size_t end);
int aif_tk_regex_find_iter(const aif_tk_regex *re, const char *s, size_t n, aif_tk_match_cb cb, void *arg);

/* ---- split behaviour ---- */
typedef enum aif_tk_behavior {
    BEH_REMOVED, BEH_ISOLATED, BEH_MERGED_PREV, BEH_MERGED_NEXT, BEH_CONTIGUOUS
} aif_tk_behavior;

/* ---- normalizers (normalizer.c) ---- */
typedef enum aif_tk_norm_type {
    NORM_SEQUENCE, NORM_NFC, NORM_NFD, NORM_NFKC, NORM_NFKD, NORM_LOWERCASE, NORM_STRIP,
    NORM_PREPEND, NORM_REPLACE, NORM_STRIP_ACCENTS
} aif_tk_norm_type;
typedef struct aif_tk_norm {
    aif_tk_norm_type type;
    struct aif_tk_norm *sub;   /* Sequence */
    size_t n_sub;
    int strip_left, strip_right;
    char *str;             /* Prepend text / Replace content */
    size_t str_len;
    aif_tk_regex *re;          /* Replace pattern */
} aif_tk_norm;
/* Normalize s[0..n) into out (cleared first). */
aif_code aif_tk_norm_apply(const aif_tk_norm *nm, const char *s, size_t n, aif_tk_buf *out, aif_err *err);
/* Alignments (offsets only): for each byte of a text, the [start, end) byte
 * range of the original input it comes from (all the bytes of one char
 * share one range), as NormalizedString::alignments of the Rust library. */
typedef struct aif_tk_spans {
    uint32_t (*v)[2];
    size_t n, cap;
} aif_tk_spans;
int aif_tk_spans_push(aif_tk_spans *a, uint32_t start, uint32_t end, size_t count); /* 0 ok, -1 ENOMEM */
void aif_tk_spans_release(aif_tk_spans *a);
/* aif_tk_norm_apply that also appends the alignment of every output byte to
 * alout, from al (the alignment of s[0..n)). The text is the same. */
aif_code aif_tk_norm_apply_al(const aif_tk_norm *nm, const char *s, size_t n, const uint32_t (*al)[2],
                              aif_tk_buf *out, aif_tk_spans *alout, aif_err *err);
void aif_tk_norm_free(aif_tk_norm *nm);

/* ---- pre-tokenizers (pretokenizer.c) ---- */
typedef enum aif_tk_pre_type {
    PRE_SEQUENCE, PRE_SPLIT, PRE_BYTELEVEL, PRE_METASPACE, PRE_DIGITS, PRE_PUNCT, PRE_WHITESPACE,
    PRE_WHITESPACE_SPLIT, PRE_BERT, PRE_CHAR_DELIM
} aif_tk_pre_type;
typedef struct aif_tk_pre {
    aif_tk_pre_type type;
    struct aif_tk_pre *sub;
    size_t n_sub;
    aif_tk_regex *re;          /* Split / Whitespace */
    aif_tk_behavior behavior;  /* Split / Punctuation */
    int invert;
    int add_prefix_space, use_regex; /* ByteLevel */
    int32_t replacement;   /* Metaspace; CharDelimiterSplit delimiter */
    char rep[5];
    int rep_len;
    int prepend;           /* Metaspace: 0 never, 1 first, 2 always */
    int split;             /* Metaspace */
    int individual;        /* Digits */
} aif_tk_pre;
/* Apply pre to every piece without an id; the arena may grow. */
aif_code aif_tk_pre_apply(const aif_tk_pre *pre, aif_tk_buf *arena, aif_tk_pieces *pieces, aif_err *err);
void aif_tk_pre_free(aif_tk_pre *pre);
extern const char aif_tk_gpt2_regex[];

/* ---- BPE model (bpe.c) ---- */
/* Word cache: insert-only, lock-free open addressing. A record is
 * immutable once published (compare-and-swap into an empty slot), so
 * readers need no lock; nothing is removed until the tokenizer is freed. */
typedef struct aif_tk_crec {
    uint64_t hash;
    uint32_t klen, nids;
    int32_t ids[];   /* nids ids, then klen key bytes */
} aif_tk_crec;
typedef struct aif_tk_cache {
    _Atomic(aif_tk_crec *) *slots;
    size_t mask, cap;          /* cap: most records inserted */
    _Atomic size_t count;
} aif_tk_cache;
typedef struct aif_tk_bpe {
    int unigram;             /* the model is Unigram: scores/trie below, no merges */
    double *scores;          /* Unigram: score per id */
    double min_score;        /* Unigram: lowest score (unk score = min_score - 10) */
    struct aif_tk_trie *pieces; /* Unigram: byte trie of the pieces (token = id) */
    size_t model_vocab_size; /* Model::get_vocab_size (Unigram: pieces, duplicates included) */
    aif_tk_strmap vocab;         /* token -> id */
    int64_t *id_off;         /* id -> offset of its NUL-terminated key in vocab.pool, -1: none */
    size_t n_id_tok;
    /* merges: open addressing on (a << 32 | b) */
    struct aif_tk_merge { uint64_t key; uint32_t rank; int32_t new_id; } *mtab; /* new_id < 0: empty */
    size_t mmask;
    size_t n_merges;
    int32_t unk_id;          /* -1: none */
    char *prefix, *suffix;   /* continuing_subword_prefix / end_of_word_suffix (NULL: none) */
    int fuse_unk, byte_fallback, ignore_merges;
    int spm_split;           /* "\u2581" in the vocab and no token with x"\u2581" (x != "\u2581"): words split at \u2581 runs */
    int32_t byte_fb[256];    /* id of "<0xNN>" or -1 */
    /* byte-level fast path */
    int32_t byte_id[256];    /* id of the GPT-2 char of each byte, or -1 */
    int bytes_ok;            /* all 256 present */
    aif_tk_strmap raw_vocab;     /* decoded bytes -> id, for tokens made only of GPT-2 chars */
    aif_tk_cache *cache;         /* NULL: no cache */
} aif_tk_bpe;
/* Tokenize one piece (bytemapped: raw bytes standing for GPT-2 chars). */
aif_code aif_tk_bpe_tokenize(const aif_tk_bpe *m, const char *s, size_t n, int bytemapped, aif_token_ids *out,
                         aif_err *err);
static inline size_t aif_tk_merge_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k;
}
/* Unigram (unigram.c): Viterbi over the pieces, as encode_optimized. */
aif_code aif_tk_unigram_tokenize(const aif_tk_bpe *m, const char *s, size_t n, aif_token_ids *out, aif_err *err);
int aif_tk_merge_get(const aif_tk_bpe *m, int32_t a, int32_t b, uint32_t *rank, int32_t *new_id);
void aif_tk_bpe_release(aif_tk_bpe *m);
int aif_tk_bpe_cache_init(aif_tk_bpe *m);

/* ---- added tokens (added_tokens.c) ---- */
typedef struct aif_tk_added {
    char *content;
    size_t len;
    int32_t id;
    int single_word, lstrip, rstrip, normalized, special;
} aif_tk_added;
typedef struct aif_tk_trie_node {
    int32_t first_child, next_sibling;
    int32_t token;   /* index into added, or -1 */
    unsigned char byte;
} aif_tk_trie_node;
typedef struct aif_tk_trie {
    int32_t root[256];   /* child of the root per first byte, -1: none */
    aif_tk_trie_node *nodes;
    size_t n, cap;
} aif_tk_trie;
typedef struct aif_tk_addedvocab {
    aif_tk_added *tok;       /* in insertion order */
    size_t n, cap;
    aif_tk_strmap map;       /* content -> index in tok */
    int32_t *by_id;      /* id -> index in tok + 1 (0: none), size n_by_id */
    size_t n_by_id;
    aif_tk_trie trie, trie_norm; /* non-normalized / normalized (patterns: normalized content) */
    int has_plain, has_norm;
} aif_tk_addedvocab;
/* Split the pieces without ids on the trie (norm: the normalized one). */
aif_code aif_tk_added_split(const struct aif_tokenizer *tok, int norm, int split_special, aif_tk_buf *arena,
                        aif_tk_pieces *in, aif_tk_pieces *out, aif_err *err);
void aif_tk_added_release(aif_tk_addedvocab *av);
int aif_tk_trie_insert(aif_tk_trie *t, const char *s, size_t n, int32_t token);

/* ---- post-processors (postprocessor.c) ---- */
typedef enum aif_tk_post_type { POST_NONE, POST_SEQUENCE, POST_TEMPLATE, POST_BYTELEVEL, POST_ROBERTA, POST_BERT } aif_tk_post_type;
typedef struct aif_tk_post {
    aif_tk_post_type type;
    struct aif_tk_post *sub;
    size_t n_sub;
    /* Template single: items; item >= 0: index into special lists, -1: the sequence */
    int32_t *items;
    size_t n_items;
    int32_t **sp_ids;   /* per item: ids of that special token */
    size_t *sp_n;
    int32_t cls_id, sep_id; /* Roberta / Bert */
    int trim_offsets, add_prefix_space; /* ByteLevel / Roberta (offsets only) */
    /* Template pair (has_pair): items as above, -1 sequence A, -2 sequence B */
    int has_pair;
    int32_t *pitems;
    size_t n_pitems;
    int32_t **psp_ids;
    size_t *psp_n;
} aif_tk_post;
aif_code aif_tk_post_apply(const aif_tk_post *pp, aif_token_ids *ids, size_t start, aif_err *err);
/* Pair form (pp may be NULL): appends the processed a and b to out. */
aif_code aif_tk_post_apply_pair(const aif_tk_post *pp, const int32_t *a, size_t na, const int32_t *b, size_t nb,
                                aif_token_ids *out, aif_err *err);
void aif_tk_post_free(aif_tk_post *pp);

/* ---- decoders (decoder.c) ---- */
typedef enum aif_tk_dec_type {
    DEC_SEQUENCE, DEC_BYTELEVEL, DEC_METASPACE, DEC_BYTEFALLBACK, DEC_FUSE, DEC_STRIP, DEC_REPLACE,
    DEC_BPE, DEC_WORDPIECE
} aif_tk_dec_type;
typedef struct aif_tk_dec {
    aif_tk_dec_type type;
    struct aif_tk_dec *sub;
    size_t n_sub;
    int32_t ch;        /* Strip content / Metaspace replacement */
    int start, stop;   /* Strip */
    int prepend;       /* Metaspace: 0 never */
    aif_tk_regex *re;      /* Replace (a regex pattern) */
    char *pat;         /* Replace (a String pattern, matched literally), NULL: regex */
    size_t pat_len;
    char *str;         /* Replace content / BPEDecoder suffix / WordPiece prefix */
    size_t str_len;
    int cleanup;       /* WordPiece */
} aif_tk_dec;
/* A list of token strings (the decode chain works on it): token i is
 * text.p[off[i] .. off[i] + len[i]), not NUL-terminated. */
typedef struct aif_tk_strs {
    aif_tk_buf text;
    size_t *off, *len;
    size_t n, cap;
} aif_tk_strs;
/* Append a token (s must not point into v->text). */
int aif_tk_strs_push(aif_tk_strs *v, const char *s, size_t n);
void aif_tk_strs_release(aif_tk_strs *v);
aif_code aif_tk_dec_apply(const aif_tk_dec *d, aif_tk_strs *toks, aif_err *err);
void aif_tk_dec_free(aif_tk_dec *d);
/* transformers clean_up_tokenization in place. */
size_t aif_tk_clean_up_spaces(char *s, size_t n);

/* ---- the tokenizer ---- */
struct aif_tokenizer {
    aif_tk_bpe bpe;
    aif_tk_addedvocab added;
    aif_tk_norm *norm;        /* NULL: none */
    aif_tk_pre *pre;          /* NULL: none */
    aif_tk_post *post;        /* NULL: none */
    aif_tk_dec *dec;          /* NULL: none (decode joins with " ") */
    size_t trunc_max;     /* tokenizer.json truncation max_length, 0: none */
    /* tokenizer_config.json */
    int32_t bos_id, eos_id, pad_id, unk_id;
    int add_bos, add_eos;   /* -1: not given */
    int llama_class;        /* LlamaTokenizer(Fast)/Gemma: add_bos/add_eos rebuild the template */
    int clean_spaces;
    size_t model_max_length;
    int split_special;      /* split_special_tokens of the config */
    uint8_t *special_ids;   /* bitmap over ids: the token's string is a special added token */
    size_t n_special_ids;   /* bits */
};

#endif
