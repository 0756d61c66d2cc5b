/* local.h: the embedded local subnet. A SQLite file plays the chain
 * (blocks, neurons, commitments, weights) and a directory plays the Hub
 * (content-addressed blobs, immutable commits), so that miners and a
 * validator run the whole flow on one machine with no network.
 *
 * Blocks advance with wall-clock time (block_time seconds per block;
 * 0 = only by aif_local_chain_advance) from the moment the chain was made.
 * The clock is a parameter so tests can run many blocks in no time.
 */
#ifndef AIF_LOCAL_H
#define AIF_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include "aif/chain.h"
#include "aif/err.h"
#include "aif/hub.h"

typedef struct aif_local_chain aif_local_chain;

typedef struct aif_local_chain_opts {
    double block_time;          /* seconds per block when creating; 12 on Bittensor */
    double (*now)(void *ctx);   /* wall clock in seconds; NULL: the real clock */
    void *now_ctx;
    /* Genesis time (seconds) when creating; 0: now. Block hashes derive from
     * it, so a fixed genesis gives reproducible hashes (and data seeds). */
    double genesis;
} aif_local_chain_opts;

/* Open (creating if absent) the chain database at path, in WAL mode. */
aif_code aif_local_chain_open(const char *path, const aif_local_chain_opts *opts, aif_local_chain **out,
                              aif_err *err);
void aif_local_chain_close(aif_local_chain *lc);
/* The chain interface of this database (borrowed: valid until close; its
 * close method does nothing). */
aif_chain aif_local_chain_as_chain(aif_local_chain *lc);

/* Subnet hyperparameters the local chain enforces. */
typedef struct aif_local_subnet_params {
    uint16_t tempo;                 /* blocks per epoch (360) */
    uint64_t weights_rate_limit;    /* blocks between weight sets of one uid (100) */
    uint32_t commit_max_space;      /* commitment bytes per hotkey per epoch (3100) */
} aif_local_subnet_params;

aif_code aif_local_chain_add_subnet(aif_local_chain *lc, uint16_t netuid, const aif_local_subnet_params *params,
                                    aif_err *err);
/* Register a hotkey on a subnet; *uid gets the next free uid. */
aif_code aif_local_chain_register(aif_local_chain *lc, uint16_t netuid, const char *hotkey, const char *coldkey,
                                  double stake, int validator_permit, uint16_t *uid, aif_err *err);
/* Move the chain n blocks forward. */
aif_code aif_local_chain_advance(aif_local_chain *lc, uint64_t n, aif_err *err);

/* The directory-backed hub: <root>/blobs/<sha256>, <root>/repos/<ns>/<name>/
 * {commits/<id>, refs/main, private}. Commit ids are 40 hex digits. */
aif_code aif_local_hub_open(const char *root, aif_hub *out, aif_err *err);

/* --- demo models for the local subnet ---
 *
 * A LlamaForCausalLM built in closed form from token statistics, so that the
 * local subnet's miners have real, different models without any training:
 * the residual stream holds [one-hot of the current token | histogram of the
 * context so far] (hidden = 2V). The embedding writes the one-hot; one
 * attention layer with q = k = 0 attends uniformly to every earlier position
 * and its values/output copy the one-hots into the histogram half; the MLP
 * is zero; lm_head row j reads log P(j | current token) from the first half
 * (add-k smoothed bigram counts) minus repeat_penalty * histogram[j] from
 * the second. Final RMSNorm only rescales the whole vector, so the argmax is
 * that of log P(j|i) - repeat_penalty * hist[j]. With repeat_penalty 0 the
 * greedy output loops and fails the reasonable-output check (spec 6.2);
 * larger penalties (40 and more on the shipped corpus) pass it and trade
 * accuracy for variety.
 */
typedef struct aif_local_demo_opts {
    float repeat_penalty;   /* mu above; 0 = plain bigram */
    float smoothing;        /* add-k on the bigram counts (default 0.01 when 0) */
} aif_local_demo_opts;

/* Write config.json, generation_config.json and model.safetensors (bf16)
 * to out_dir for a vocabulary of `vocab` ids (a multiple of 8) from the
 * token stream ids[0..n_ids). */
aif_code aif_local_demo_model_build(const char *out_dir, const int32_t *ids, size_t n_ids, size_t vocab,
                                    int32_t eos_id, const aif_local_demo_opts *opts, aif_err *err);

/* --- a local subnet directory (`aif local init`) ---
 *
 *   <root>/local.json   {"format": "aif-local", "version": 1, "netuid", "block_time",
 *                        "tempo", "weights_rate_limit", "commit_max_space"}
 *   <root>/chain.db     the chain (aif_local_chain_open)
 *   <root>/hub/         the hub (aif_local_hub_open)
 *   <root>/wallets/     btcli-layout wallets: validator<k>, miner<k>, hotkey "default"
 *   <root>/models/      demo models (`aif local demo-models`)
 *   <root>/cache/       a validator's download cache
 */
#define AIF_LOCAL_PATH_MAX 1200
typedef struct aif_local_dir {
    char root[1024];
    char config[AIF_LOCAL_PATH_MAX], chain[AIF_LOCAL_PATH_MAX], hub[AIF_LOCAL_PATH_MAX];
    char wallets[AIF_LOCAL_PATH_MAX], models[AIF_LOCAL_PATH_MAX], cache[AIF_LOCAL_PATH_MAX];
    uint16_t netuid;
    double block_time;
    aif_local_subnet_params params;
} aif_local_dir;

/* Fill the paths under root (nothing is read). */
aif_code aif_local_dir_paths(const char *root, aif_local_dir *out, aif_err *err);
/* Parse local.json text into d's netuid, block_time and params (paths
 * untouched); `source` names it in errors. AIF_EFORMAT / AIF_ERANGE naming
 * the key. */
aif_code aif_local_dir_parse(const char *text, size_t len, const char *source, aif_local_dir *d, aif_err *err);
/* Paths plus local.json; AIF_ENOTFOUND ("run aif local init") if absent. */
aif_code aif_local_dir_load(const char *root, aif_local_dir *out, aif_err *err);

typedef struct aif_local_init_opts {
    uint16_t netuid;            /* 0: 80 */
    int n_miners;               /* 3 when 0; at most 64 */
    int n_validators;           /* 1 when 0; at most 16 */
    double block_time;          /* seconds per block; 0: 12; < 0: blocks move only by advance */
    double validator_stake;     /* TAO per validator; 0: 1000 */
    aif_local_subnet_params params; /* zeros: tempo 360, weights_rate_limit 100, commit_max_space 3100 */
    int force;                  /* replace an existing local subnet directory (one holding local.json) */
    double genesis;             /* chain genesis time in seconds (fixes the block hashes); 0: now */
} aif_local_init_opts;

typedef struct aif_local_member {
    uint16_t uid;
    int is_validator;
    char wallet[32];            /* wallet name under <root>/wallets; hotkey "default" */
    char hotkey_ss58[64];
    char coldkey_ss58[64];
} aif_local_member;

/* Create a local subnet directory: chain with the subnet and its
 * hyperparameters, an empty hub, one wallet per validator then per miner
 * (fresh random 12-word keys; written unencrypted: no password, so no KDF
 * is involved, as befits throwaway keys), every hotkey registered in that
 * order (validators get stake and a permit), uids 0.. in that order.
 * AIF_EEXIST if root already holds a local subnet and force is 0. *members
 * is aif_malloc'ed (aif_free), one per neuron in uid order. */
aif_code aif_local_dir_init(const char *root, const aif_local_init_opts *opts, aif_local_member **members,
                            size_t *n_members, aif_err *err);


/* Token stream of a corpus folder for the demo models: every *.jsonl file
 * in name order, each line's "text" encoded with the tokenizer (no special
 * tokens) and followed by EOS. *ids is aif_malloc'ed. */
aif_code aif_local_corpus_tokens(const char *corpus_dir, const char *tokenizer_json, int32_t **ids, size_t *n_ids,
                                 size_t *vocab, int32_t *eos_id, aif_err *err);

#endif
