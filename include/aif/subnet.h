/* subnet.h: the pure logic of the AI Factory subnet (netuid 80): the
 * competitions and their schedule, model ids (the chain commitment string),
 * model hashes, the scoring formulas and the way scores become weights.
 *
 * Nothing here touches the network or the chain: the validator and the
 * local subnet feed these functions with what they fetched. Section numbers
 * ("spec 7.2") refer to shared/spec/ai-factory-reference.md, which describes
 * star145s/ai_factory@7087f3e.
 *
 * Conventions:
 *   - Scores are doubles; lower is better; +inf means "failed".
 *   - Blocks are int64_t; AIF_SUBNET_NO_BLOCK (INT64_MAX) stands for the
 *     Python `inf` block of a uid without metadata: it compares later than
 *     every real block.
 *   - Functions over a set of models take parallel arrays indexed by
 *     position (uids[k], scores[k], blocks[k]); callers pass uids in
 *     ascending order (spec 13.13), so "first" means "lowest uid".
 */
#ifndef AIF_SUBNET_H
#define AIF_SUBNET_H

#include <stddef.h>
#include <stdint.h>

#include "aif/err.h"

#define AIF_SUBNET_NO_BLOCK INT64_MAX

/* ------------------------------------------------------------------------
 * Competitions (spec 2.3-2.6). Loaded from JSON: the bundled file
 * src/subnet/competitions.json is compiled into libaif; a file given with
 * `--competitions FILE` replaces it. Everything below is owned by the
 * aif_subnet_competitions handle and valid until aif_subnet_competitions_free.
 * ------------------------------------------------------------------------ */

typedef enum aif_subnet_eps_kind {
    AIF_SUBNET_EPS_FIXED = 0,        /* eps = value */
    AIF_SUBNET_EPS_LINEAR_DECAY = 1, /* start -> end over decay_blocks (spec 2.5) */
} aif_subnet_eps_kind;

typedef struct aif_subnet_epsilon {
    aif_subnet_eps_kind kind;
    double value;          /* FIXED */
    double start, end;     /* LINEAR_DECAY */
    int64_t decay_blocks;  /* LINEAR_DECAY, > 0 */
} aif_subnet_epsilon;

/* eps(c, m) for the current block c and a model committed at block m:
 * d = max(c - m, 0); eps = start - min(d / decay_blocks, 1) * (start - end). */
double aif_subnet_epsilon_at(const aif_subnet_epsilon *e, int64_t current_block, int64_t model_block);

typedef enum aif_subnet_norm {
    AIF_SUBNET_NORM_NONE = 0,
    AIF_SUBNET_NORM_INVERSE_EXPONENTIAL = 1, /* needs ceiling > 0 */
} aif_subnet_norm;

typedef enum aif_subnet_method {
    AIF_SUBNET_METHOD_TEXT_LOSS = 1,
} aif_subnet_method;

typedef struct aif_subnet_dataset {
    const char *name;      /* "ARXIV" */
    int id;                /* DatasetId (9) */
    const char *repo;      /* HF dataset repo */
    const char *config;    /* "default" */
    const char *split;     /* "train" */
    int64_t max_pages;     /* upper bound of the sampled row offset */
} aif_subnet_dataset;

typedef struct aif_subnet_task {
    const char *name;                 /* "ARXIV" */
    aif_subnet_method method;
    const aif_subnet_dataset *dataset;
    aif_subnet_norm normalization;
    double ceiling;                   /* INVERSE_EXPONENTIAL only */
    int batch_size;
    int pages;                        /* pages fetched per step */
    double weight;                    /* > 0; a competition's weights sum to 1 */
} aif_subnet_task;

typedef struct aif_subnet_arch {
    const char *name;      /* "LlamaForCausalLM" */
    int runnable;          /* 0: allowed by the rules but aif cannot evaluate it yet */
} aif_subnet_arch;

typedef struct aif_subnet_constraints {
    int64_t min_parameters;      /* inclusive */
    int64_t max_parameters;      /* inclusive */
    int sequence_length;
    const aif_subnet_arch *archs;
    size_t n_archs;
    const char *tokenizer;       /* HF repo ("ai-factory/giant") or "local" */
    int64_t max_bytes;           /* sum of all files of the repo revision */
    const char *dtype;           /* "bf16" */
    int64_t eval_block_delay;    /* minimum commitment age before download */
    aif_subnet_epsilon epsilon;
} aif_subnet_constraints;

typedef struct aif_subnet_competition {
    int id;                      /* 0..99 (two characters on chain) */
    const char *name;            /* "RES3B_MODEL" */
    aif_subnet_constraints constraints;
    int max_batches_per_task;
    const aif_subnet_task *tasks; /* in evaluation order */
    size_t n_tasks;
} aif_subnet_competition;

typedef struct aif_subnet_slot {
    const aif_subnet_competition *competition;
    double reward_share;         /* the shares of one entry sum to 1 */
} aif_subnet_slot;

typedef struct aif_subnet_schedule_entry {
    int64_t start_block;
    const aif_subnet_slot *slots;
    size_t n_slots;
} aif_subnet_schedule_entry;

typedef struct aif_subnet_competitions aif_subnet_competitions;

/* Parse and validate a competitions document. `source` names it in errors
 * ("competitions.json"). Errors name the JSON path: "competitions[0].
 * eval_tasks[1].weight: ...". Unknown keys are rejected (AIF_EFORMAT), as are
 * weights or shares that do not sum to 1 (relative tolerance 1e-9, as the
 * reference asserts), unknown competition or dataset references, duplicate
 * ids and out-of-range values (AIF_ERANGE). */
aif_code aif_subnet_competitions_parse(const char *text, size_t len, const char *source,
                                       aif_subnet_competitions **out, aif_err *err);
/* Read and parse a file (at most 16 MiB). */
aif_code aif_subnet_competitions_load(const char *path, aif_subnet_competitions **out, aif_err *err);
/* The bundled document (compiled in). */
aif_code aif_subnet_competitions_default(aif_subnet_competitions **out, aif_err *err);
/* path NULL: the bundled document; else load(path). */
aif_code aif_subnet_competitions_open(const char *path, aif_subnet_competitions **out, aif_err *err);
void aif_subnet_competitions_free(aif_subnet_competitions *comps);
/* The bundled JSON text (NUL-terminated, static). */
const char *aif_subnet_competitions_default_json(size_t *len);

/* Schedule names present ("main", "local"), in document order. */
size_t aif_subnet_schedule_count(const aif_subnet_competitions *comps);
const char *aif_subnet_schedule_name(const aif_subnet_competitions *comps, size_t i);
/* The entry in force at `block` in schedule `schedule` (NULL: "main"): the
 * last entry whose start block is <= block. AIF_ENOTFOUND if the schedule
 * does not exist or no entry starts at or before block. */
aif_code aif_subnet_schedule_at(const aif_subnet_competitions *comps, const char *schedule, int64_t block,
                                const aif_subnet_schedule_entry **out, aif_err *err);
/* The competition with `id` in the entry in force at block, or NULL (none). */
const aif_subnet_competition *aif_subnet_competition_at(const aif_subnet_competitions *comps, const char *schedule,
                                                        int64_t block, int id);
/* A competition definition by id regardless of the schedule, or NULL. */
const aif_subnet_competition *aif_subnet_competition_get(const aif_subnet_competitions *comps, int id);
/* Whether arch is in the competition's allowed list (exact, case-sensitive);
 * *runnable (may be NULL) tells whether aif can evaluate it. */
int aif_subnet_arch_allowed(const aif_subnet_competition *c, const char *arch, int *runnable);
/* Model constraints (spec 2.4, 8.4.1 step 8, 8.4.2 step 3); pass -1 (or
 * NULL arch) to skip a check not known yet. AIF_ECONSTRAINT naming the
 * value and the bound: repo bytes > max_bytes, parameters outside [min, max]
 * (inclusive), an architecture not in the allowed list (exact class name);
 * AIF_ENOTSUP for an allowed architecture aif cannot evaluate yet. */
aif_code aif_subnet_check_model(const aif_subnet_competition *c, const char *arch, int64_t n_parameters,
                                int64_t repo_bytes, aif_err *err);
/* Whether a commitment made at commit_block may be downloaded at
 * current_block: current - commit >= eval_block_delay (8.4.1 step 3). */
int aif_subnet_eval_delay_passed(const aif_subnet_competition *c, int64_t current_block, int64_t commit_block);
/* Apply a task's normalization to a raw score (spec 2.6). */
double aif_subnet_normalize(const aif_subnet_task *t, double raw);

/* ------------------------------------------------------------------------
 * Model ids and the chain commitment string (spec 3)
 *   "namespace:name:commit:secure_hash:competition_id", at most 128 bytes.
 * ------------------------------------------------------------------------ */

#define AIF_SUBNET_MAX_METADATA_BYTES 128
#define AIF_SUBNET_GIT_COMMIT_LENGTH 40
#define AIF_SUBNET_SHA256_BASE64_LENGTH 44
#define AIF_SUBNET_MAX_COMPETITION_ID_LENGTH 2
#define AIF_SUBNET_MAX_REPO_ID_LENGTH 38   /* 128 - 40 - 44 - 2 - 4 */
#define AIF_SUBNET_HASH_CHARS 45           /* 44 base64 characters + NUL */

typedef struct aif_subnet_model_id {
    char ns[AIF_SUBNET_MAX_METADATA_BYTES + 1];          /* HF user or organisation */
    char name[AIF_SUBNET_MAX_METADATA_BYTES + 1];        /* HF repo name */
    char commit[AIF_SUBNET_MAX_METADATA_BYTES + 1];      /* "" when has_commit is 0 (None) */
    char hash[AIF_SUBNET_MAX_METADATA_BYTES + 1];        /* directory hash; not on chain in the 5-field form */
    char secure_hash[AIF_SUBNET_MAX_METADATA_BYTES + 1];
    int has_commit, has_hash, has_secure_hash;           /* 0: the field is None */
    int competition_id;
} aif_subnet_model_id;

/* Parse a commitment string as the reference does (spec 3.2): split on
 * every ':'; 4 tokens: legacy form (competition 0, hash = secure_hash =
 * t[3]); 5 or more: competition_id = int(t[4]) (Python int(): surrounding
 * whitespace, a sign and '_' between digits accepted), extra tokens ignored,
 * hash None. "None" is the null field. AIF_EFORMAT where the reference
 * treats the record as absent (fewer than 4 tokens, bad integer, a NUL
 * byte); AIF_ERANGE for a text over 128 bytes or an id outside int. */
aif_code aif_subnet_model_id_parse(const char *text, size_t len, aif_subnet_model_id *out, aif_err *err);
/* Format the 5-field string into out (cap bytes, >= 129 suffices). Fails
 * with AIF_EFORMAT if a field contains ':' (it would not parse back) and
 * AIF_ERANGE if the result exceeds 128 bytes or cap. */
aif_code aif_subnet_model_id_format(const aif_subnet_model_id *id, char *out, size_t cap, aif_err *err);
/* Miner-side checks before committing (spec 3.1): repo id "ns/name" of 4..38
 * characters with exactly one '/', commit of 40 hex digits, secure hash of 44
 * base64 characters, competition id of 0..99. AIF_ERANGE / AIF_EFORMAT. */
aif_code aif_subnet_model_id_check(const aif_subnet_model_id *id, aif_err *err);
/* Field-wise equality (spec 3.1). */
int aif_subnet_model_id_equal(const aif_subnet_model_id *a, const aif_subnet_model_id *b);

/* ------------------------------------------------------------------------
 * Hashes (spec 4). All results are 44 base64 characters + NUL.
 * ------------------------------------------------------------------------ */

/* base64(SHA-256(file bytes)), streamed in 64 KiB blocks. */
aif_code aif_subnet_hash_file(const char *path, char out[AIF_SUBNET_HASH_CHARS], aif_err *err);
/* Directory hash: os.walk order (files of a directory by strcmp, then its
 * subdirectories by strcmp, depth first), feeding each file's 44-character
 * hash to one SHA-256. Symlinks to files are followed, symlinks to
 * directories are not descended. A missing directory hashes as empty
 * (47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=). */
aif_code aif_subnet_hash_dir(const char *path, char out[AIF_SUBNET_HASH_CHARS], aif_err *err);
/* base64(SHA-256(model_hash || hotkey)). */
void aif_subnet_secure_hash(const char *model_hash, const char *hotkey_ss58, char out[AIF_SUBNET_HASH_CHARS]);
/* The validator's check (8.4.1 step 7): secure_hash(downloaded_hash, hotkey)
 * must equal the chain's secure hash; AIF_EHASH ("hash mismatch") if not or
 * if the chain has none. */
aif_code aif_subnet_verify_secure_hash(const char *downloaded_hash, const char *hotkey_ss58,
                                       const aif_subnet_model_id *chain_id, aif_err *err);

/* ------------------------------------------------------------------------
 * Scoring (spec 6.1, 6.3, 13.1, 13.2)
 * ------------------------------------------------------------------------ */

/* The reference batch loss from counts: err = float32(n_mismatch) /
 * float32(n_masked); err += 1e-8 in float32; return 1.0 + (double)err.
 * n_masked == 0 (every label is pad) gives +inf (spec 13.2, not NaN). */
double aif_subnet_batch_loss(size_t n_mismatch, size_t n_masked);
/* The same from predictions and labels of one batch (n positions): labels
 * equal to pad_id are excluded; a label outside [0, vocab_size) makes the
 * batch fail (+inf), as the discarded cross-entropy call did (13.1). */
double aif_subnet_batch_loss_tokens(const int32_t *pred, const int32_t *labels, size_t n, int32_t pad_id,
                                    int32_t vocab_size);
/* Task loss: arithmetic mean of the batch losses; +inf if n == 0 or any is
 * +inf or NaN. */
double aif_subnet_task_loss(const double *batch_losses, size_t n);
/* Model score: sum over tasks of normalize(raw) * weight in task order; +inf
 * if any task is +inf or NaN (a failed check). raw has c->n_tasks values. */
double aif_subnet_model_score(const aif_subnet_competition *c, const double *raw);

/* ------------------------------------------------------------------------
 * From scores to weights (spec 7, 8.5, 8.8, 8.9)
 * ------------------------------------------------------------------------ */

typedef struct aif_subnet_params {
    double min_diff;          /* 0.001: "too close to an earlier model" */
    double max_diff;          /* 0.05: "too far from the best" */
    double alpha;             /* 0.5: EMA weight of the new step (7.4) */
    int64_t welcome_blocks;   /* 7200: newer models get the welcome share */
    double welcome_share;     /* 1/6 of the competition weights */
    double zero_logit;        /* -999: softmax input for a zero win rate */
    int sample_min;           /* 20: uids retained for the next step */
    double retain_min_weight; /* 0.001: retention priority threshold */
    double training_share;    /* 0.3 */
    double workshop_share;    /* 0.7 */
    double conference_share;  /* 0.0 */
} aif_subnet_params;

/* The constants of 7087f3e. */
void aif_subnet_params_default(aif_subnet_params *p);

/* Pairwise rules (spec 7.1). eps is the competition's epsilon function. */
int aif_subnet_iswin(double li, double lj, int64_t bi, int64_t bj, const aif_subnet_epsilon *eps, int64_t current_block);
int aif_subnet_is_close(double li, double lj, int64_t bi, int64_t bj, double min_diff);

/* compute_wins (spec 7.2) over n models: wins[k] and win_rate[k] (either may
 * be NULL). IEEE edge cases as the reference: a lone inf model gets 1.0,
 * several all-inf models get 0. */
void aif_subnet_compute_wins(size_t n, const double *scores, const int64_t *blocks, const aif_subnet_epsilon *eps,
                             int64_t current_block, double min_diff, double max_diff, int64_t *wins,
                             double *win_rate);
/* Index of the highest win rate, the first one on ties; SIZE_MAX if n == 0. */
size_t aif_subnet_top_index(size_t n, const double *win_rate);

/* Per-step competition weights (spec 7.3) into comp[0..n_neurons) (float32):
 * softmax over the evaluated uids of v = win_rate (0 -> -999, no
 * temperature), then the welcome mix for uids with a finite block and
 * current_block - block < welcome_blocks (13.6). Every uid must be <
 * n_neurons (AIF_ERANGE otherwise). */
aif_code aif_subnet_step_weights(size_t n, const uint16_t *uids, const double *win_rate, const int64_t *blocks,
                                 int64_t current_block, const aif_subnet_params *p, float *comp, size_t n_neurons,
                                 aif_err *err);

/* Competition tracker (spec 7.4): an EMA of the step weights per competition. */
typedef struct aif_subnet_tracker aif_subnet_tracker;
aif_subnet_tracker *aif_subnet_tracker_new(size_t num_neurons, double alpha);
void aif_subnet_tracker_free(aif_subnet_tracker *t);
size_t aif_subnet_tracker_num_neurons(const aif_subnet_tracker *t);
/* Record step weights w (n >= num_neurons, else AIF_ERANGE): stored vectors
 * grow with zeros to n; w is normalised by its sum (NaN -> 0); the first
 * record is stored, later ones give stored = alpha*stored + (1-alpha)*w
 * (taoverse CompetitionTracker; alpha = 0.5 at 7087f3e). */
aif_code aif_subnet_tracker_record(aif_subnet_tracker *t, int competition_id, const float *w, size_t n, aif_err *err);
/* The stored vector of a competition (length num_neurons), NULL if none;
 * valid until the next record/drop/set. */
const float *aif_subnet_tracker_get(const aif_subnet_tracker *t, int competition_id);
/* Store a vector as is (restoring saved state). */
aif_code aif_subnet_tracker_set(aif_subnet_tracker *t, int competition_id, const float *w, size_t n, aif_err *err);
/* Drop tracked competitions that are not in the schedule entry. */
void aif_subnet_tracker_drop_inactive(aif_subnet_tracker *t, const aif_subnet_schedule_entry *active);
/* Subnet weights: sum of stored_c * reward_share_c over the entry's slots,
 * normalised by its sum (NaN -> 0), into out[0..num_neurons). */
void aif_subnet_tracker_subnet_weights(const aif_subnet_tracker *t, const aif_subnet_schedule_entry *active, float *out);
/* Tracked competitions (for saving): count, and id of the i-th. */
size_t aif_subnet_tracker_count(const aif_subnet_tracker *t);
int aif_subnet_tracker_id(const aif_subnet_tracker *t, size_t i);

/* Persistence (spec 8.10): a JSON file {"format": "aif-competition-tracker",
 * "version": 1, "num_neurons": N, "alpha": a, "weights": {"<id>": [N floats]}}
 * written atomically; values round-trip exactly (float32 printed as
 * double). parse/load validate the shape and name the offending key. */
aif_code aif_subnet_tracker_save(const aif_subnet_tracker *t, const char *path, aif_err *err);
aif_code aif_subnet_tracker_load(const char *path, aif_subnet_tracker **out, aif_err *err);
aif_code aif_subnet_tracker_parse(const char *text, size_t len, const char *source, aif_subnet_tracker **out,
                                  aif_err *err);

/* The on-chain vector (spec 7.5): out = training_share*training +
 * workshop_share*workshop' + conference_share*conference, where
 * conference = e_0 (burn to uid 0) and workshop' = workshop, or e_0 if it
 * sums to 0. workshop NULL (fetch failed) or of another length: AIF_ERANGE
 * (the attempt fails, 13.15). Not normalised. */
aif_code aif_subnet_chain_weights(const float *training, size_t n, const float *workshop, size_t n_workshop,
                                  const aif_subnet_params *p, float *out, aif_err *err);
/* The chain client's conversion (bittensor convert_weights_and_uids_for_emit):
 * u16 = round_half_even(w / max(w) * 65535), zeros dropped. Writes the kept
 * (uid, value) pairs (at most n) and their count. Negative or non-finite
 * weights: AIF_ERANGE. All zero: count 0 (nothing is set). */
aif_code aif_subnet_weights_to_u16(const float *w, size_t n, uint16_t *uids_out, uint16_t *vals_out, size_t *n_out,
                                   aif_err *err);

/* Eval history of one (hotkey, competition) (spec 8.5): the 3 most recent
 * results sorted by eval block. */
#define AIF_SUBNET_HISTORY_MAX 3
typedef struct aif_subnet_eval_result {
    int64_t block;                /* eval block */
    double score;
    int64_t winning_model_block;
    double winning_model_score;
} aif_subnet_eval_result;
typedef struct aif_subnet_history {
    aif_subnet_eval_result r[AIF_SUBNET_HISTORY_MAX];
    size_t n;
} aif_subnet_history;
/* Insert keeping block order; the oldest is dropped beyond 3. */
void aif_subnet_history_add(aif_subnet_history *h, const aif_subnet_eval_result *r);
/* should_retry_model (spec 8.5). */
int aif_subnet_should_retry(const aif_subnet_history *h, const aif_subnet_epsilon *eps, int64_t current_block);

/* Clone filter (spec 8.8): group by secure hash, keep the strictly lowest
 * block of each group (first seen on equal blocks), output in order of first
 * sight. secure_hashes[k] NULL means "no metadata": such a uid is kept on its
 * own (13.5, it scores inf). Writes the kept positions (indexes into the
 * input arrays) to keep[] and returns their count. */
aif_code aif_subnet_dedupe(size_t n, const char *const *secure_hashes, const int64_t *blocks, size_t *keep,
                           size_t *n_keep, aif_err *err);

/* Retention (spec 8.9): priority(k) = 1 + w[uid] if w[uid] >= 0.001 else
 * win_rate[k]; the first sample_min by priority descending (stable), topped
 * up by ascending score. ema may be NULL (all zero); uids beyond n_ema count
 * as zero weight. Writes positions to keep[] and their count. */
aif_code aif_subnet_retain(size_t n, const uint16_t *uids, const double *win_rate, const double *scores,
                           const float *ema, size_t n_ema, const aif_subnet_params *p, size_t *keep, size_t *n_keep,
                           aif_err *err);

#endif
