/* data.h: the evaluation data path of the subnet (reference section 5):
 * datasets-server pages -> row text -> token stream -> 4096-token batches.
 *
 *   source (remote datasets-server, on-disk cache, local JSONL folder)
 *     -> pages: page numbers drawn uniform in [1, max_pages] (10 per task)
 *     -> rows: `text`, else `content`
 *     -> each document: encode without specials, cut into 4096-id chunks,
 *        decode each chunk (clean_up_tokenization_spaces), re-encode with
 *        the tokenizer's normal call (post-processor, truncation), + EOS
 *     -> stream = concatenation; repeat with a new page set while the
 *        stream is shorter than one window (at most 14 page sets)
 *     -> windows of 4096 ids, partial tail dropped, shuffled, first 64 kept.
 *
 * Randomness: one aif_data_rng per task, MT19937 exactly as CPython's
 * `random` module (seed(int) via init_by_array, getrandbits, randint,
 * shuffle), so a seeded run draws the same pages and batch order on every
 * machine and thread count, and matches Python's random.seed(seed). The
 * seeded flow is the reference's with `random_seed` set: seed, draw the
 * page sets, then shuffle the windows with the same generator. Without a
 * seed a 64-bit seed is drawn from getrandom() and reported, so any run can
 * be replayed.
 */
#ifndef AIF_DATA_H
#define AIF_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "aif/err.h"
#include "aif/http.h"
#include "aif/pool.h"
#include "aif/tokenizer.h"

#define AIF_DATA_SERVER_URL "https://datasets-server.huggingface.co"
#define AIF_DATA_ROWS_PER_PAGE 50        /* `length` of each /rows request */
#define AIF_DATA_PAGES_PER_TASK 10       /* PAGES_PER_EVAL_RES */
#define AIF_DATA_SEQ_LEN 4096            /* competition sequence_length */
#define AIF_DATA_CHUNK_LEN 4096          /* split_content chunk size */
#define AIF_DATA_MAX_BATCHES 64          /* MAX_BATCHES_PER_DATASET */
#define AIF_DATA_PAGE_SET_ATTEMPTS 14    /* 5.5 */
#define AIF_DATA_FETCH_ATTEMPTS 15       /* 5.3 */
#define AIF_DATA_RETRY_DELAY_S 5.0       /* 5.3 */
#define AIF_DATA_TIMEOUT_S 15.0          /* 5.3 */
#define AIF_DATA_MAX_ROWS_LENGTH 100     /* the API's upper bound of `length` */
#define AIF_DATA_SYNC_CADENCE 150        /* blocks; seed-from-block helper */
#define AIF_DATA_MAX_ROWS_PER_PAGE 10000 /* parser limit (AIF_ERANGE above) */

/* ------------------------------------------------------------ datasets */

typedef struct aif_data_dataset {
    const char *key;       /* "arxiv", "reasoning", "stackexchange" (also the local file name) */
    const char *task;      /* "ARXIV", "REASONING", "STACKEXCHANGE" */
    int id;                /* DatasetId: 9, 10, 11 */
    const char *hf_name;   /* "ai-factory/red_pajama_subset_arxiv_subset", ... */
    uint32_t max_pages;    /* 15555, 221994, 252808 */
} aif_data_dataset;

size_t aif_data_dataset_count(void);
/* In evaluation order (ARXIV, REASONING, STACKEXCHANGE); NULL past the end. */
const aif_data_dataset *aif_data_dataset_at(size_t i);
/* By key, task name (case-insensitive) or HF name; NULL if unknown. */
const aif_data_dataset *aif_data_dataset_find(const char *name);

/* ------------------------------------------------------------ pages */

typedef struct aif_data_feature {
    char *name;
    char *type;            /* `_type` ("Value", "ClassLabel", ...) */
    char *dtype;           /* Value's dtype ("string", "int64") or NULL */
} aif_data_feature;

typedef struct aif_data_row {
    int64_t row_idx;       /* global row index */
    char *text;            /* the `text` column, else `content`; NULL if neither is a string */
    size_t text_len;       /* bytes (the text may hold NUL bytes) */
    const char *field;     /* "text", "content" or NULL */
    char *columns;         /* the row's column names, comma-separated (for messages) */
} aif_data_row;

typedef struct aif_data_page {
    char *dataset, *config, *split;
    int64_t offset;            /* row offset requested */
    int64_t num_rows_total;    /* -1 if not given */
    int partial;
    aif_data_row *rows;
    size_t n_rows;
    aif_data_feature *features;
    size_t n_features;
} aif_data_page;

/* Decode a /rows response body (the rows JSON decoder; fuzzed). `dataset`
 * and `offset` name the page in messages and fill the page. Invalid JSON,
 * a missing `rows` array or malformed rows: AIF_EFORMAT naming dataset,
 * offset and row; more than AIF_DATA_MAX_ROWS_PER_PAGE rows: AIF_ERANGE.
 * A row without text is not an error here (see aif_data_row_text). */
aif_code aif_data_page_parse(const char *json, size_t len, const char *dataset, int64_t offset, aif_data_page *out,
                             aif_err *err);
void aif_data_page_release(aif_data_page *page);
/* The text of row i, or AIF_ENOTFOUND "dataset D offset O row i (row_idx R):
 * no string `text` or `content` column (columns: ...)". */
aif_code aif_data_row_text(const aif_data_page *page, size_t i, const char **text, size_t *len, aif_err *err);

/* An API error body ({"error": ..., "cause_message": ...}) as one line in
 * out. Returns 1 if body was such an object, else 0 (out gets an excerpt). */
int aif_data_error_message(const char *body, size_t len, char *out, size_t cap);

/* ------------------------------------------------------------ client */

typedef struct aif_data_client aif_data_client;

typedef struct aif_data_client_opts {
    const char *base_url;       /* NULL: $AIF_DATASETS_SERVER, else AIF_DATA_SERVER_URL */
    const char *token;          /* bearer token; NULL: none (the reference sends none) */
    int max_attempts;           /* AIF_DATA_FETCH_ATTEMPTS */
    double retry_delay_s;       /* AIF_DATA_RETRY_DELAY_S (fixed wait between attempts) */
    double timeout_s;           /* AIF_DATA_TIMEOUT_S: connect, and stall (no byte for that long) */
    double total_timeout_s;     /* whole attempt; default 300 */
    size_t max_response_bytes;  /* AIF_HTTP_DEFAULT_MAX_BYTES */
    aif_http_sleep_fn sleep_fn; /* NULL: real sleep */
    void *sleep_ctx;
} aif_data_client_opts;

void aif_data_client_opts_default(aif_data_client_opts *opts);
aif_code aif_data_client_new(const aif_data_client_opts *opts, aif_data_client **out, aif_err *err);
void aif_data_client_free(aif_data_client *c);

/* GET /rows?dataset&config&split&offset&length (length 0..100). Retry
 * policy of 5.3: any request error (connection, timeout, HTTP >= 400,
 * body not valid JSON) is retried up to max_attempts with retry_delay_s
 * between attempts (a 429 `Retry-After` longer than that is honoured);
 * structural errors (no `rows`) are not. raw/raw_len (may be NULL) receive
 * the body (aif_free). HTTP errors carry the API's decoded message and
 * err->status. */
aif_code aif_data_client_rows(aif_data_client *c, const char *dataset, const char *config, const char *split,
                              int64_t offset, int length, aif_data_page *out, char **raw, size_t *raw_len,
                              aif_err *err);
/* Attempts used by the last call. */
int aif_data_client_attempts(const aif_data_client *c);

typedef struct aif_data_split {
    char *dataset, *config, *split;
    int64_t num_rows;           /* /size only; -1 otherwise */
} aif_data_split;

typedef struct aif_data_size {
    int64_t num_rows;            /* of the dataset (or of the config when one is given) */
    int64_t num_bytes_parquet;
    int64_t num_bytes_memory;
    int partial;
    aif_data_split *splits;
    size_t n_splits;
} aif_data_size;

/* GET /size?dataset[&config]. */
aif_code aif_data_client_size(aif_data_client *c, const char *dataset, const char *config, aif_data_size *out,
                              aif_err *err);
void aif_data_size_release(aif_data_size *s);
/* GET /splits?dataset: out[i] for each split (num_rows -1). */
aif_code aif_data_client_splits(aif_data_client *c, const char *dataset, aif_data_split **out, size_t *n_out,
                                aif_err *err);
void aif_data_splits_free(aif_data_split *v, size_t n);
/* Decoders of those bodies (also used by the fuzz target). */
aif_code aif_data_size_parse(const char *json, size_t len, aif_data_size *out, aif_err *err);
aif_code aif_data_splits_parse(const char *json, size_t len, aif_data_split **out, size_t *n_out, aif_err *err);

/* ------------------------------------------------------------ sources */

/* Where pages come from. A page number p is what the sampler draws:
 * remote and cache sources read rows [p, p + length) (the reference uses
 * the number directly as the row offset); a local folder reads rows
 * [p - 1, p - 1 + length) of <dir>/<key>.jsonl, so that its max_pages is
 * its line count and every row can be read. */
typedef struct aif_data_source aif_data_source;

/* The datasets-server through c (borrowed). With cache_dir, every page
 * fetched is stored there and a page already stored is read from it. */
aif_code aif_data_source_remote(aif_data_client *c, const char *cache_dir, aif_data_source **out, aif_err *err);
/* Offline: only pages in cache_dir (missing: AIF_ENOTFOUND naming the file). */
aif_code aif_data_source_cache(const char *cache_dir, aif_data_source **out, aif_err *err);
/* A folder of <key>.jsonl files, one row object per line (the corpus). */
aif_code aif_data_source_local(const char *dir, aif_data_source **out, aif_err *err);
void aif_data_source_free(aif_data_source *src);

/* Largest page number for ds (remote/cache: ds->max_pages; local: lines). */
aif_code aif_data_source_max_pages(aif_data_source *src, const aif_data_dataset *ds, uint32_t *out, aif_err *err);
aif_code aif_data_source_page(aif_data_source *src, const aif_data_dataset *ds, const char *config, const char *split,
                              int64_t page, int length, aif_data_page *out, aif_err *err);
/* Cache file of a page: <dir>/<org>--<name>/<config>/<split>/rows-<offset>-<length>.json */
aif_code aif_data_cache_path(const char *dir, const char *dataset, const char *config, const char *split,
                             int64_t offset, int length, char *out, size_t cap, aif_err *err);

/* ------------------------------------------------------------ RNG */

/* MT19937 with CPython's seeding and derived draws. */
typedef struct aif_data_rng {
    uint32_t mt[624];
    int mti;
} aif_data_rng;

/* random.seed(seed) for a non-negative int. */
void aif_data_rng_seed(aif_data_rng *r, uint64_t seed);
/* random.seed(int.from_bytes(be, "big")) for any size of integer. */
void aif_data_rng_seed_bigint(aif_data_rng *r, const uint8_t *be, size_t n);
/* A fresh 64-bit seed from getrandom(). */
aif_code aif_data_seed_os(uint64_t *seed, aif_err *err);
uint32_t aif_data_rng_u32(aif_data_rng *r);            /* genrand_uint32 */
uint64_t aif_data_rng_bits(aif_data_rng *r, int k);    /* getrandbits(k), 1 <= k <= 64 */
uint64_t aif_data_rng_below(aif_data_rng *r, uint64_t n); /* _randbelow(n), n >= 1 */
int64_t aif_data_rng_randint(aif_data_rng *r, int64_t a, int64_t b); /* randint(a, b), a <= b */
double aif_data_rng_random(aif_data_rng *r);           /* random() */
/* random.shuffle(v) on an index array. */
void aif_data_rng_shuffle(aif_data_rng *r, size_t *v, size_t n);

/* Seed-from-block (5.2): the sync block floor(current/150)*150, and the
 * seed = SHA-256 of its hash string (as given, e.g. "0x4f1c...") read as a
 * big-endian integer; seeds r with it. */
uint64_t aif_data_sync_block(uint64_t current_block);
void aif_data_rng_seed_block_hash(aif_data_rng *r, const char *block_hash);

/* n page numbers uniform in [1, max_pages], in draw order (randint). */
void aif_data_sample_pages(aif_data_rng *r, uint32_t max_pages, size_t n, int64_t *out);

/* ------------------------------------------------------------ tokens */

/* The tokenizer as the data path uses it (a method table, so the packing
 * and splitting logic can be tested with a synthetic tokenizer). flags are
 * the AIF_TOK_* of tokenizer.h. */
typedef struct aif_data_tok {
    void *ctx;
    aif_code (*encode)(void *ctx, const char *text, size_t len, unsigned flags, aif_token_ids *out, aif_err *err);
    aif_code (*decode)(void *ctx, const int32_t *ids, size_t n, unsigned flags, char **text, size_t *len,
                       aif_err *err);
    int32_t eos_id;
} aif_data_tok;

/* A table over a loaded tokenizer (borrowed). AIF_EINVAL if it has no EOS. */
aif_code aif_data_tok_init(aif_data_tok *t, const aif_tokenizer *tok, aif_err *err);

/* 5.4 steps 2-3 for one document: encode without specials, cut into
 * chunk_len-id chunks, decode each with AIF_TOK_CLEAN_SPACES, re-encode
 * with AIF_TOK_CALL, append the ids and one EOS to out. Empty text adds
 * nothing. */
aif_code aif_data_tokenize_doc(const aif_data_tok *tok, const char *text, size_t len, size_t chunk_len,
                               aif_token_ids *out, aif_err *err);

/* ------------------------------------------------------------ batches */

typedef struct aif_data_batches {
    size_t n_batches, seq_len;
    int32_t *ids;          /* (n_batches, seq_len) int32, row-major */
    size_t *window;        /* per batch: its window index w (stream[w*seq_len, (w+1)*seq_len)) */
    int32_t *stream;       /* the whole token stream (NULL from aif_data_pack) */
    size_t n_stream;
    size_t *doc_end;       /* stream positions just after each appended EOS, ascending */
    size_t n_docs;
    int64_t *pages;        /* page numbers of the page set used, draw order */
    size_t n_pages;
    int page_sets;         /* page sets tried (1..14) */
    uint64_t seed;         /* the seed used (drawn from the OS if none was given; 0 with block_hash) */
    size_t n_rows;         /* rows tokenized */
} aif_data_batches;

void aif_data_batches_release(aif_data_batches *b);

/* 5.6: cut stream into floor(n / seq_len) windows; if rng is given,
 * shuffle the window order with it (random.shuffle); keep the first
 * max_batches (0: all). Fills ids, window, n_batches, seq_len. */
aif_code aif_data_pack(const int32_t *stream, size_t n, size_t seq_len, size_t max_batches, aif_data_rng *rng,
                       aif_data_batches *out, aif_err *err);

typedef struct aif_data_opts {
    const char *config;          /* "default" */
    const char *split;           /* "train" */
    size_t n_pages;              /* AIF_DATA_PAGES_PER_TASK */
    int rows_per_page;           /* AIF_DATA_ROWS_PER_PAGE */
    size_t seq_len;              /* AIF_DATA_SEQ_LEN */
    size_t chunk_len;            /* AIF_DATA_CHUNK_LEN */
    int page_set_attempts;       /* AIF_DATA_PAGE_SET_ATTEMPTS */
    size_t max_batches;          /* AIF_DATA_MAX_BATCHES (0: all) */
    int shuffle;                 /* 1: shuffle windows (5.7) */
    int have_seed;               /* 0: draw a seed with aif_data_seed_os */
    uint64_t seed;
    const char *block_hash;      /* set: seed from this sync-block hash string as 5.2
                                  * (aif_data_rng_seed_block_hash); overrides seed */
    aif_pool *pool;              /* tokenize rows in parallel (NULL: inline); results do not depend on it */
} aif_data_opts;

void aif_data_opts_default(aif_data_opts *o);

/* The whole of section 5 for one task: sample page sets from src until the
 * stream holds at least one window, tokenize, pack, shuffle, cap. Errors
 * name the dataset, page and row concerned. */
aif_code aif_data_load(aif_data_source *src, const aif_data_dataset *ds, const aif_data_tok *tok,
                       const aif_data_opts *opts, aif_data_batches *out, aif_err *err);

#endif
