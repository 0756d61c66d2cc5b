/* eval.h: the scoring engine of the subnet (reference sections 2.4, 5.7,
 * 6 and 10): what the validator checks before it scores a model, and the
 * score itself.
 *
 *   check      every constraint of a competition on a model directory:
 *              architecture class, parameter count, repo bytes, safetensors
 *              only, dtype, sequence length, vocabulary, weights loadable,
 *              finite weights, and the file set of the model hash.
 *   reasonable the reasonable-output check (6.2): 20 greedy tokens after the
 *              first 100 tokens of batches 0 and 1, EOS suppressed; fails
 *              when >= 10 positions agree or both outputs have a token
 *              repeated more than 10 times.
 *   score      per batch 1 + float32(top-1 error over labels != pad) + 1e-8
 *              (6.3, argmax on bf16-rounded logits), averaged per task,
 *              weighted over tasks; +inf on a failed check, an error or a
 *              timeout.
 *   session    the tokenizer, the data source and the batches of one step,
 *              shared by every model scored in that step (the shape of the
 *              validator's evaluator: inspect, prepare, score).
 *
 * Decisions where the reference is ambiguous (spec 13): the score is the
 * reference formula, not a cross-entropy (13.1); a batch whose labels are
 * all pad scores +inf instead of NaN (13.2); the check decodes greedily
 * with EOS suppressed whatever generation_config.json says (13.16); ties
 * between models go to the lower uid / earlier position (13.13).
 *
 * Threads: every call takes an optional aif_pool (NULL: the caller's
 * thread); results do not depend on the number of threads.
 */
#ifndef AIF_EVAL_H
#define AIF_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "aif/err.h"
#include "aif/model.h"
#include "aif/pool.h"
#include "aif/subnet.h"
#include "aif/tokenizer.h"

#define AIF_EVAL_PROMPT_TOKENS 100   /* 6.2: prompt = first 100 tokens of batches 0 and 1 */
#define AIF_EVAL_GEN_TOKENS 20       /* 6.2: new tokens per prompt */
#define AIF_EVAL_OVERLAP_FAIL 10     /* 6.2: >= this many equal positions fails */
#define AIF_EVAL_REPEAT_FAIL 10      /* 6.2: both most-frequent counts > this fails */
#define AIF_EVAL_ARCH_MAX 128        /* architecture class name buffer */
#define AIF_EVAL_NOTE_MAX 512

/* ------------------------------------------------------------------------
 * Constraint checks (aif check)
 * ------------------------------------------------------------------------ */

typedef enum aif_eval_status {
    AIF_EVAL_PASS = 0,
    AIF_EVAL_FAIL = 1,
    AIF_EVAL_SKIP = 2,   /* not checkable (an earlier check failed, or no tokenizer given) */
} aif_eval_status;

/* The checks, in report order. */
typedef enum aif_eval_check_id {
    AIF_EVAL_CHECK_CONFIG,       /* config.json readable, a supported model_type */
    AIF_EVAL_CHECK_ARCH,         /* the class the auto-loader picks is in the allowed set */
    AIF_EVAL_CHECK_PARAMS,       /* parameters (PyTorch count, tied once) within [min, max] */
    AIF_EVAL_CHECK_BYTES,        /* all files of the directory <= max_bytes */
    AIF_EVAL_CHECK_FORMAT,       /* safetensors only: no pickle weights; index shards present */
    AIF_EVAL_CHECK_DTYPE,        /* weights stored in the competition dtype (bf16) */
    AIF_EVAL_CHECK_SEQLEN,       /* max_position_embeddings >= competition sequence length */
    AIF_EVAL_CHECK_VOCAB,        /* every id of the competition tokenizer < vocab_size */
    AIF_EVAL_CHECK_WEIGHTS,      /* tensors match the config (names, shapes) */
    AIF_EVAL_CHECK_FINITE,       /* no NaN/Inf in any tensor */
    AIF_EVAL_CHECK_HASH,         /* the files of the model hash, and the hash (informative) */
    AIF_EVAL_CHECK_COUNT
} aif_eval_check_id;

/* "config", "architecture", "parameters", "size", "format", "dtype",
 * "sequence_length", "vocabulary", "weights", "finite", "hash". */
const char *aif_eval_check_name(aif_eval_check_id id);

typedef struct aif_eval_check_item {
    aif_eval_status status;
    char value[160];                  /* the measured value ("3212749824", "bf16") */
    char message[AIF_EVAL_NOTE_MAX];  /* why it failed or was skipped; a note when it passed */
} aif_eval_check_item;

typedef struct aif_eval_check_report {
    aif_eval_check_item items[AIF_EVAL_CHECK_COUNT];
    int n_failed;
    char architecture[AIF_EVAL_ARCH_MAX]; /* class name ("LlamaForCausalLM"); "" if unknown */
    int64_t n_params;                     /* -1 if unknown */
    uint64_t repo_bytes;                  /* all regular files under the directory (.git excluded) */
    uint64_t n_nonfinite;                 /* NaN/Inf values found */
    char hash[AIF_SUBNET_HASH_CHARS];     /* hash of the download set (spec 4), "" if not computed */
    char dir_hash[AIF_SUBNET_HASH_CHARS]; /* aif_subnet_hash_dir of the whole directory */
    char **hash_files;                    /* relative paths of the download set, in walk order */
    size_t n_hash_files;
    char **other_files;                   /* files outside that set (counted in bytes, not hashed) */
    size_t n_other_files;
} aif_eval_check_report;

typedef struct aif_eval_check_opts {
    const aif_subnet_competition *competition; /* required */
    /* Largest id + 1 of the competition's tokenizer (aif_tokenizer_vocab_size);
     * 0: unknown, the vocabulary check is skipped. */
    size_t tokenizer_vocab;
    aif_pool *pool;                            /* NaN scan; NULL: inline */
} aif_eval_check_opts;

/* Run every check on model_dir. Check failures are reported in out (and
 * out->n_failed), not returned: the return is an error only for misuse or
 * out of memory. Release out with aif_eval_check_report_release. */
aif_code aif_eval_check(const char *model_dir, const aif_eval_check_opts *opts, aif_eval_check_report *out,
                        aif_err *err);
void aif_eval_check_report_release(aif_eval_check_report *r);

/* The class transformers' AutoModelForCausalLM loads for a config.json
 * (text, len bytes): it follows `model_type` ("llama" -> LlamaForCausalLM,
 * "qwen2" -> Qwen2ForCausalLM, "deepseek_v3" -> DeepseekV3ForCausalLM, ...),
 * not `architectures`. AIF_EFORMAT for invalid JSON or no model_type. */
aif_code aif_eval_arch_parse(const char *json, size_t len, const char *name, char arch[AIF_EVAL_ARCH_MAX],
                             aif_err *err);

/* The validator's inspect step: class name and parameter count of the model
 * in dir (config only, no weights read). */
aif_code aif_eval_inspect(const char *dir, char arch[AIF_EVAL_ARCH_MAX], int64_t *n_params, aif_err *err);

/* ------------------------------------------------------------------------
 * Reasonable-output check (spec 6.2)
 * ------------------------------------------------------------------------ */

typedef struct aif_eval_reasonable {
    int32_t gen[2][AIF_EVAL_GEN_TOKENS]; /* the two continuations */
    size_t n_gen;                        /* AIF_EVAL_GEN_TOKENS when generated */
    int overlap;                         /* positions k with gen[0][k] == gen[1][k] */
    int max_count[2];                    /* count of the most frequent id of each */
    int32_t max_id[2];                   /* that id (the smallest on ties) */
    int pass;                            /* 1: reasonable */
    char reason[160];                    /* why it failed; "" when it passed */
} aif_eval_reasonable;

/* The verdict of 6.2 steps 3-4 on two continuations of n ids each. */
void aif_eval_reasonable_verdict(const int32_t *a, const int32_t *b, size_t n, aif_eval_reasonable *out);

/* Generate AIF_EVAL_GEN_TOKENS greedy ids after each prompt (EOS ids of the
 * model's config and generation_config.json suppressed for every step) and
 * apply the verdict. `eos_ids` (n_eos) adds ids to suppress; may be NULL. */
aif_code aif_eval_reasonable_run(aif_model *m, aif_pool *pool, const int32_t *prompt_a, size_t n_a,
                                 const int32_t *prompt_b, size_t n_b, const int64_t *eos_ids, size_t n_eos,
                                 aif_model_argmax argmax, aif_eval_reasonable *out, aif_err *err);

/* ------------------------------------------------------------------------
 * Scoring one task on a model (spec 6.3)
 * ------------------------------------------------------------------------ */

typedef struct aif_eval_task_result {
    char name[32];                 /* "ARXIV" */
    double raw;                    /* mean batch loss; +inf failed */
    double norm;                   /* normalize(raw) */
    double weight;                 /* task weight */
    double weighted;               /* norm * weight */
    size_t n_batches;              /* batches scored */
    uint64_t n_tokens;             /* positions scored (labels != pad) */
    uint64_t n_positions;          /* positions predicted (seq_len - 1 per batch) */
    uint64_t n_wrong;              /* argmax != label over the scored positions */
    double error_rate;             /* n_wrong / n_tokens (all batches pooled) */
    double mean_ce;                /* mean cross-entropy over all positions (reported only) */
    double perplexity;             /* exp(mean_ce) */
    double *batch_loss;            /* n_batches values (owned) */
    aif_eval_reasonable reasonable;
    int reasonable_run;            /* 0: the check did not run (fewer than 2 batches, load error) */
    double seconds;
    char note[AIF_EVAL_NOTE_MAX];  /* why raw is +inf; "" otherwise */
} aif_eval_task_result;

typedef struct aif_eval_score_opts {
    aif_model_argmax argmax;       /* AIF_MODEL_ARGMAX_BF16 for parity (Llama/Qwen2 logits are bf16) */
    int32_t pad_id;                /* labels equal to it are not scored; -1: none */
    int skip_reasonable;           /* 1: skip the 6.2 check (tests, diagnostics) */
    const int64_t *eos_ids;        /* more ids to suppress in the check (generation_config.json); may be NULL */
    size_t n_eos;
    double deadline;               /* aif_time_now() value after which the task fails (0: none) */
    /* Optional progress: positions done of total within this task. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
} aif_eval_score_opts;

void aif_eval_score_opts_default(aif_eval_score_opts *o);

/* Score n_batches batches of seq_len ids (row-major) for one task: the
 * reasonable-output check, then each batch. Model failures (a failed check,
 * an id outside the vocabulary, an all-pad batch, a forward error, the
 * deadline) give raw = +inf with a note and return AIF_OK; the return is an
 * error only for misuse or out of memory. Release with
 * aif_eval_task_result_release. */
aif_code aif_eval_score_task(aif_model *m, aif_pool *pool, const int32_t *ids, size_t n_batches, size_t seq_len,
                             const aif_eval_score_opts *opts, aif_eval_task_result *out, aif_err *err);
void aif_eval_task_result_release(aif_eval_task_result *r);

/* ------------------------------------------------------------------------
 * Sessions: one step's data, many models (aif eval, the validator)
 * ------------------------------------------------------------------------ */

typedef struct aif_eval_opts {
    const char *data_dir;      /* local JSONL folder (<dir>/<key>.jsonl), e.g. the shipped corpus/ */
    const char *cache_dir;     /* datasets-server page cache (NULL: none) */
    int offline;               /* only the page cache (needs cache_dir) */
    const char *endpoint;      /* datasets-server URL (NULL: default) */
    const char *hf_token;      /* bearer token for the datasets-server (NULL: none) */
    const char *tokenizer;     /* tokenizer folder/file; NULL: found from the competition's name */
    size_t max_batches;        /* cap per task (0: the competition's max_batches_per_task) */
    const char *tasks;         /* comma-separated task names to run ("arxiv,reasoning"); NULL: all */
    aif_pool *pool;            /* borrowed; NULL: see n_threads */
    /* With pool NULL: 0 runs inline; otherwise each prepare and score call
     * makes its own pool of n_threads (<0: all CPUs) and frees it before
     * returning, so a session may be prepared in one process and scored in
     * a child forked after it (threads do not survive fork: the validator's
     * isolation). */
    int n_threads;
    aif_model_argmax argmax;   /* AIF_MODEL_ARGMAX_BF16 by default */
    aif_model_compute compute; /* matrix-product inputs (aif_model_set_compute); F32 by default */
    double timeout_s;          /* per model (spec 6.4: 4300); 0: none */
    int skip_reasonable;       /* diagnostics only */
    int quiet;                 /* no progress bars */
} aif_eval_opts;

void aif_eval_opts_default(aif_eval_opts *o);

/* Where the tokenizer of a competition lives: "local" is $AIF_LOCAL_TOKENIZER,
 * else the shipped assets/local-tokenizer (aif_fs_find_asset).
 * Other names (HF repos) need an explicit folder: AIF_ENOTFOUND saying so. */
aif_code aif_eval_find_tokenizer(const char *name, char *out, size_t cap, aif_err *err);

typedef struct aif_eval_session aif_eval_session;

/* opts is copied (its strings too); the pool stays borrowed. */
aif_code aif_eval_session_new(const aif_eval_opts *opts, aif_eval_session **out, aif_err *err);
void aif_eval_session_free(aif_eval_session *s);

/* Load the competition's tokenizer (once) and build the batches of every
 * selected task with aif_data_load (seed as given, the same for each task,
 * as the reference's loaders with random_seed set; block_hash non-NULL:
 * seed from that sync-block hash instead). Replaces earlier batches. */
aif_code aif_eval_session_prepare(aif_eval_session *s, const aif_subnet_competition *comp, uint64_t seed,
                                  const char *block_hash, aif_err *err);
/* The tokenizer in use (NULL before prepare). */
const aif_tokenizer *aif_eval_session_tokenizer(const aif_eval_session *s);
/* Prepared tasks: count, and the batches of task i (ids (n, seq_len)). */
size_t aif_eval_session_task_count(const aif_eval_session *s);
aif_code aif_eval_session_batches(const aif_eval_session *s, size_t i, const char **task, const int32_t **ids,
                                  size_t *n_batches, size_t *seq_len, uint64_t *seed, aif_err *err);

typedef struct aif_eval_result {
    double score;                  /* weighted sum over the competition's tasks; +inf failed */
    size_t n_tasks;                /* tasks run (a --tasks subset: those only) */
    aif_eval_task_result *tasks;
    int64_t n_params;
    double seconds;
    uint64_t n_positions;          /* positions run through the model (all tasks) */
    char note[AIF_EVAL_NOTE_MAX];  /* a model-level failure (load error) */
} aif_eval_result;
void aif_eval_result_release(aif_eval_result *r);

/* Score the model in model_dir on the prepared batches. A model that fails
 * (cannot load, a task inf) gets score +inf and notes; AIF_OK is returned.
 * With a task subset, score sums only the tasks run (weights as defined). */
aif_code aif_eval_session_score(aif_eval_session *s, const char *model_dir, aif_eval_result *out, aif_err *err);

/* The validator's evaluator callbacks (validator.h), with ctx = an
 * aif_eval_session made with pool NULL and n_threads set (fork-safe):
 * inspect = aif_eval_inspect; prepare samples the step's data with the
 * seed; score writes comp->n_tasks raw task scores (+inf for a task not
 * prepared). Wiring:
 *     ev.ctx = session; ev.inspect = aif_eval_validator_inspect;
 *     ev.prepare = aif_eval_validator_prepare; ev.score = aif_eval_validator_score; */
aif_code aif_eval_validator_inspect(void *ctx, const char *snapshot_dir, char arch[AIF_EVAL_ARCH_MAX],
                                    int64_t *n_params, aif_err *err);
aif_code aif_eval_validator_prepare(void *ctx, const aif_subnet_competition *comp, uint64_t block, uint64_t seed,
                                    aif_err *err);
aif_code aif_eval_validator_score(void *ctx, const char *snapshot_dir, const aif_subnet_competition *comp,
                                  double *raw, aif_err *err);

/* ------------------------------------------------------------------------
 * What the validator would do with the scores of several models (spec 7)
 * ------------------------------------------------------------------------ */

typedef struct aif_eval_ranking {
    int64_t *wins;     /* n */
    double *win_rate;  /* n */
    float *weight;     /* n: step weights (softmax of win rates, welcome mix) */
    size_t top;        /* index of the top model */
} aif_eval_ranking;

/* compute_wins and the step weights over n models with scores and commit
 * blocks (NULL: all equal, so no epsilon advantage) at current_block, as
 * uids 0..n-1 in the given order (ties: the first). */
aif_code aif_eval_rank(const aif_subnet_competition *comp, size_t n, const double *scores, const int64_t *blocks,
                       int64_t current_block, aif_eval_ranking *out, aif_err *err);
void aif_eval_ranking_release(aif_eval_ranking *r);

#endif
