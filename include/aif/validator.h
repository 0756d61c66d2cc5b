/* validator.h: the subnet 80 validator (reference spec section 8): it reads
 * the miners' commitments, downloads and checks their models, scores them
 * through an evaluator, turns scores into weights and sets them on chain.
 *
 * The outside world comes in through small tables, so that tests run many
 * steps in milliseconds: the chain (chain.h), the hub (hub.h), an evaluator
 * (the model runtime: inspect, prepare, score), and a clock (now + sleep).
 *
 * State lives in one SQLite file, <model_dir>/vali-state/state.db (WAL).
 * Each change (one uid of an update pass, one evaluation step, one weight
 * pass) is one transaction, so a kill -9 at any moment leaves the previous
 * consistent state and the next start carries on from it.
 *
 * One aif_validator is used by one thread. Model scoring and inspection run
 * in forked child processes with a time limit (aif_validator_isolate): a
 * model that crashes or hangs the runtime scores +inf and the validator
 * goes on.
 */
#ifndef AIF_VALIDATOR_H
#define AIF_VALIDATOR_H

#include <stddef.h>
#include <stdint.h>

#include "aif/chain.h"
#include "aif/err.h"
#include "aif/eval.h"
#include "aif/hub.h"
#include "aif/subnet.h"

#define AIF_VALIDATOR_STATE_VERSION 1   /* bump: a start wipes uid sets and the model tracker (spec 8.10) */
#define AIF_VALIDATOR_ARCH_MAX 128
#define AIF_VALIDATOR_REPO_MAX 260      /* "ns/name" from the chain string */
#define AIF_VALIDATOR_VERSION_KEY 9000000ULL /* bittensor 9.0.0 version_as_int (spec 7.5) */

/* ------------------------------------------------------------------------
 * Evaluator: what the validator needs from the model runtime.
 * ------------------------------------------------------------------------ */
typedef struct aif_validator_evaluator {
    void *ctx;
    /* Constraint inputs of the model in snapshot_dir: its architecture class
     * name ("LlamaForCausalLM") and parameter count (spec 2.4). Runs in a
     * child process. Any failure rejects the model as misconfigured. */
    aif_code (*inspect)(void *ctx, const char *snapshot_dir, char arch[AIF_VALIDATOR_ARCH_MAX], int64_t *n_params,
                        aif_err *err);
    /* Once per evaluation step, in the validator's process, before any
     * score: sample the step's data (spec 5.7). seed comes from the block
     * hash. A failure aborts the step (nothing is saved). May be NULL. */
    aif_code (*prepare)(void *ctx, const aif_subnet_competition *comp, uint64_t block, uint64_t seed, aif_err *err);
    /* Score one model: raw[t] for each of comp->n_tasks tasks, lower is
     * better, +inf failed (spec 6.1). Runs in a child process forked after
     * prepare, so it sees the memory prepare filled; but threads (an
     * aif_pool) and GPU contexts do not survive fork(): create them inside
     * score (or inspect), never in prepare. */
    aif_code (*score)(void *ctx, const char *snapshot_dir, const aif_subnet_competition *comp, double *raw,
                      aif_err *err);
} aif_validator_evaluator;

/* The evaluator libaif provides: an eval session (eval.h) with the given
 * options (data source, tokenizer, threads, batch cap). The session's pool
 * must be NULL (threads are made per call, after the fork). Release with
 * aif_validator_evaluator_release. */
aif_code aif_validator_evaluator_default(const aif_eval_opts *opts, aif_validator_evaluator *out, aif_err *err);
void aif_validator_evaluator_release(aif_validator_evaluator *ev);

/* Clock: wall-clock seconds (since the epoch) and sleep. NULL members: the
 * real ones. Cadences, the cleaner's grace period and the step record's time
 * use it; the child time limits always use the real monotonic clock. */
typedef struct aif_validator_clock {
    double (*now)(void *ctx);
    void (*sleep)(void *ctx, double seconds);
    void *ctx;
} aif_validator_clock;

/* ------------------------------------------------------------------------
 * Options
 * ------------------------------------------------------------------------ */
typedef struct aif_validator_opts {
    uint16_t netuid;                       /* 80 */
    const char *model_dir;                 /* models/ and vali-state/ go here */
    const aif_subnet_competitions *comps;  /* borrowed */
    const char *schedule;                  /* "main" */
    const aif_chain *chain;                /* borrowed */
    const aif_hub *hub;                    /* borrowed */
    /* A second chain and hub handle (their own connections) for an update
     * thread in aif_validator_run, so downloads go on while models are
     * scored (spec 8: the reference's update thread). NULL: run does the
     * update passes itself between steps. With a thread, the clock must be
     * thread-safe (the real one is), and the thread sleeps in real time. */
    const aif_chain *update_chain;
    const aif_hub *update_hub;
    aif_chain_signer signer;               /* the validator's hotkey */
    aif_validator_evaluator evaluator;
    aif_validator_clock clock;
    aif_subnet_params params;              /* spec constants (aif_subnet_params_default) */

    size_t updated_models_limit;           /* 30: cap on pending + current uids */
    double chain_update_cadence;           /* 1200 s between checks of one uid */
    /* top-model scan (spec 8.6) */
    double scan_top_model_cadence;         /* 1800 s between scans */
    int64_t model_retry_cadence;           /* 300 blocks since a top miner's last eval */
    double weight_sync_vali_min_stake;     /* 100000: validators whose weights count */
    double weight_sync_miner_min_percent;  /* 0.05 of a validator's weight sum */
    double score_timeout;                  /* 4300 s per model (spec 6.4) */
    double inspect_timeout;                /* 600 s */
    /* run loop cadences (spec 8.14) */
    double update_initial_delay;           /* 60 s */
    double update_poll;                    /* 60 s between update passes */
    double no_uids_sleep;                  /* 300 s */
    double weights_initial_delay;          /* 60 s */
    double weights_interval;               /* 3600 s after a success */
    double weights_retry;                  /* 120 s after a failure */
    double cleaner_initial_delay;          /* 3600 s */
    double cleaner_interval;               /* 300 s */
    double cleanup_grace;                  /* 600 s */
    int dont_set_weights;                  /* no weight pass */
    /* Workshop scores per uid (spec 7.5); NULL: none, the workshop share is
     * burned to uid 0. A length other than the metagraph's fails the weight
     * pass (13.15). Borrowed. */
    const float *workshop;
    size_t n_workshop;
    uint64_t version_key;                  /* AIF_VALIDATOR_VERSION_KEY */
} aif_validator_opts;

/* Defaults above; pointers NULL, netuid 80, schedule "main". */
void aif_validator_opts_default(aif_validator_opts *o);

/* ------------------------------------------------------------------------
 * Records
 * ------------------------------------------------------------------------ */

/* What the validator knows about a hotkey's model: the chain metadata
 * (ModelId and commit block, spec 3) and the hash of what was downloaded. */
typedef struct aif_validator_model {
    aif_subnet_model_id id;                /* as parsed from the chain (hash None in the 5-field form) */
    int64_t block;                         /* commitment block */
    char dir_hash[AIF_SUBNET_HASH_CHARS];  /* hash of the downloaded snapshot; "" if none */
} aif_validator_model;

/* One evaluated uid of a step. */
typedef struct aif_validator_step_uid {
    uint16_t uid;
    char hotkey[AIF_SS58_MAX];
    char repo[AIF_VALIDATOR_REPO_MAX];     /* "ns/name", or "Unknown" */
    int64_t block;                         /* commit block; AIF_SUBNET_NO_BLOCK if unknown */
    double score;                          /* +inf: failed */
    double epsilon_adv;                    /* eps(block, model block) */
    double win_rate;
    int64_t wins;
    float weight;                          /* subnet weight after the step */
    float comp_weight;                     /* competition EMA after the step */
    char note[160];                        /* why the score is inf; "" otherwise */
} aif_validator_step_uid;

typedef struct aif_validator_step {
    int64_t global_step;                   /* the step's number (0, 1, ...) */
    uint64_t block;
    int competition_id;                    /* -1: no step ran (no uids) */
    uint64_t seed;
    double time;                           /* clock at the end of the step */
    size_t n_tasks;
    char **task_names;                     /* n_tasks */
    size_t n;
    aif_validator_step_uid *uids;          /* ascending uid order */
    double *task_scores;                   /* n x n_tasks raw scores, row-major */
    size_t n_dropped;
    uint16_t *dropped;                     /* clones removed by dedupe (spec 8.8) */
    /* weight pass after the step (run_once only) */
    int weights_attempted;
    aif_code weights_rc;
    size_t n_weights_set;
    char weights_msg[256];
} aif_validator_step;
void aif_validator_step_release(aif_validator_step *s);

typedef struct aif_validator_update_report {
    size_t checked;                        /* uids looked at */
    size_t skipped_recent;                 /* checked less than chain_update_cadence ago */
    size_t too_young;                      /* commitment younger than eval_block_delay */
    size_t unchanged;
    size_t queued;                         /* downloaded, checked, added to pending */
    size_t misconfigured;                  /* inf recorded under competition 0 */
    size_t errors;                         /* transient: logged, retried on a later pass */
    int limit_reached;                     /* stopped at updated_models_limit */
    size_t scan_synced;                    /* top miners force-synced by the top-model scan (8.6) */
    size_t scan_queued;                    /* of which queued */
} aif_validator_update_report;

/* ------------------------------------------------------------------------
 * The validator
 * ------------------------------------------------------------------------ */
typedef struct aif_validator aif_validator;

/* Open the state under <model_dir>/vali-state/ (creating it), apply the
 * version reset rule (spec 8.10), load the competition tracker. opts is
 * copied; what it points to must outlive the validator. */
aif_code aif_validator_new(const aif_validator_opts *opts, aif_validator **out, aif_err *err);
void aif_validator_free(aif_validator *v);

/* One update pass over the metagraph (spec 8.4, 8.4.1, 8.4.2), preceded by
 * the top-model scan when due (8.6). Per-uid
 * failures are recorded and counted, never returned; an error is returned
 * only when the chain cannot be read. report may be NULL. */
aif_code aif_validator_update(aif_validator *v, aif_validator_update_report *report, aif_err *err);
/* One evaluation step (spec 8.7). With no uids to evaluate, step->n = 0 and
 * step->competition_id = -1, and nothing is saved. The caller releases
 * step. A failure of prepare or of the chain aborts the step unsaved. */
aif_code aif_validator_eval_step(aif_validator *v, aif_validator_step *step, aif_err *err);
/* One weight pass (spec 7.5): subnet weights, workshop, burn, set_weights. */
aif_code aif_validator_set_weights(aif_validator *v, size_t *n_set, aif_err *err);
/* Delete model directories no longer needed (spec 8.12); *n_removed may be NULL. */
aif_code aif_validator_cleanup(aif_validator *v, size_t *n_removed, aif_err *err);

/* update + step + weight pass (the weight pass is skipped with
 * dont_set_weights; its outcome goes into step->weights_*). */
aif_code aif_validator_run_once(aif_validator *v, aif_validator_step *step, aif_err *err);
/* Loop with the spec's cadences until max_steps evaluation steps have run
 * (0: forever) or *stop becomes non-zero. on_step (may be NULL) sees each
 * completed step. Errors of a pass are logged and the loop goes on. */
aif_code aif_validator_run(aif_validator *v, int64_t max_steps, volatile int *stop,
                           void (*on_step)(void *ctx, const aif_validator_step *step), void *on_step_ctx,
                           aif_err *err);

/* --- read access to the state (tests, status output) --- */
aif_code aif_validator_model_get(aif_validator *v, const char *hotkey, aif_validator_model *out, int *found,
                                 aif_err *err);
aif_code aif_validator_history_get(aif_validator *v, const char *hotkey, int competition_id, aif_subnet_history *out,
                                   aif_err *err);
/* Uids of the pending (pending = 1) or current set of a competition,
 * ascending; *uids is aif_malloc'ed (free with aif_free). */
aif_code aif_validator_uids_get(aif_validator *v, int pending, int competition_id, uint16_t **uids, size_t *n,
                                aif_err *err);
/* The last saved step (competition_id -1 if none). */
aif_code aif_validator_last_step(aif_validator *v, aif_validator_step *out, aif_err *err);
/* Subnet weights from the competition tracker at the current block;
 * *w is aif_malloc'ed, *n = tracker size. */
aif_code aif_validator_weights(aif_validator *v, float **w, size_t *n, aif_err *err);
int64_t aif_validator_global_step(const aif_validator *v);

/* ------------------------------------------------------------------------
 * Isolation: run fn in a forked child with a time limit (real seconds).
 * fn writes at most cap bytes to out and sets *len. The result, or the
 * error fn returned, comes back through a pipe. A child that crashes or
 * exits without a result gives AIF_EINTERNAL, one past the limit is killed
 * (SIGKILL) and gives AIF_ETIMEOUT. The child leaves with _exit.
 * ------------------------------------------------------------------------ */
typedef aif_code (*aif_validator_child_fn)(void *arg, void *out, size_t cap, size_t *len, aif_err *err);
aif_code aif_validator_isolate(aif_validator_child_fn fn, void *arg, double timeout_s, void *out, size_t cap,
                               size_t *len, aif_err *err);

#endif
