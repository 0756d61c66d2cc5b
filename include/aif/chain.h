/* chain.h: what aif needs from a Bittensor chain, behind one small method
 * table, so that the embedded local chain (local.h) and a real subtensor
 * node serve the miner and the validator alike.
 *
 * An aif_chain is a value: a method table and its implementation. The
 * wrappers below check arguments and add the method name to errors.
 * Accounts are SS58 strings; the signer carries the hotkey's address and,
 * for backends that submit extrinsics, a signing callback.
 */
#ifndef AIF_CHAIN_H
#define AIF_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "aif/crypto.h"
#include "aif/err.h"

#define AIF_CHAIN_MAX_COMMITMENT 128 /* bytes of one Raw commitment field */

typedef struct aif_chain_signer {
    char ss58[AIF_SS58_MAX];
    uint8_t public_key[32];
    /* Signs msg with the hotkey (sr25519); NULL for backends that need no signature. */
    aif_code (*sign)(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64], aif_err *err);
    void *ctx;
} aif_chain_signer;

typedef struct aif_neuron {
    uint16_t uid;
    char hotkey[AIF_SS58_MAX];
    char coldkey[AIF_SS58_MAX];
    double stake;               /* TAO, as metagraph.S */
    int validator_permit;
    uint64_t registration_block;
    uint64_t last_update;       /* block of the last weights set by this uid */
    double incentive;           /* 0..1 */
} aif_neuron;

typedef struct aif_weight_entry {
    uint16_t src, dest, weight; /* weight as stored on chain (max-upscaled u16) */
} aif_weight_entry;

typedef struct aif_metagraph {
    uint16_t netuid;
    uint64_t block;             /* the block it was read at */
    size_t n;
    aif_neuron *neurons;        /* neurons[i].uid == i */
    size_t n_weights;
    aif_weight_entry *weights;  /* every validator's weight row, by src then dest */
} aif_metagraph;
void aif_metagraph_release(aif_metagraph *mg);

typedef struct aif_commitment {
    uint16_t uid;
    char hotkey[AIF_SS58_MAX];
    uint64_t block;             /* block at which it was last set */
    size_t len;
    char data[AIF_CHAIN_MAX_COMMITMENT + 1]; /* the Raw bytes, NUL-terminated */
} aif_commitment;

typedef struct aif_chain_ops {
    const char *name;
    aif_code (*current_block)(void *impl, uint64_t *out, aif_err *err);
    /* "0x" + 64 hex digits of the block's hash. */
    aif_code (*block_hash)(void *impl, uint64_t block, char out[67], aif_err *err);
    aif_code (*metagraph)(void *impl, uint16_t netuid, aif_metagraph *out, aif_err *err);
    /* Every registered hotkey's commitment on the subnet, by uid; *out is
     * an aif_malloc'ed array (free with aif_free). */
    aif_code (*commitments)(void *impl, uint16_t netuid, aif_commitment **out, size_t *n, aif_err *err);
    aif_code (*commit)(void *impl, const aif_chain_signer *hotkey, uint16_t netuid, const char *data, size_t len,
                       aif_err *err);
    /* uids/weights already normalised to u16 as the SDK does (aif_chain_normalize_weights). */
    aif_code (*set_weights)(void *impl, const aif_chain_signer *hotkey, uint16_t netuid, const uint16_t *uids,
                            const uint16_t *weights, size_t n, uint64_t version_key, aif_err *err);
    void (*close)(void *impl);
} aif_chain_ops;

typedef struct aif_chain {
    const aif_chain_ops *ops;
    void *impl;
} aif_chain;

aif_code aif_chain_current_block(const aif_chain *c, uint64_t *out, aif_err *err);
aif_code aif_chain_block_hash(const aif_chain *c, uint64_t block, char out[67], aif_err *err);
aif_code aif_chain_metagraph(const aif_chain *c, uint16_t netuid, aif_metagraph *out, aif_err *err);
aif_code aif_chain_commitments(const aif_chain *c, uint16_t netuid, aif_commitment **out, size_t *n, aif_err *err);
/* Commit up to AIF_CHAIN_MAX_COMMITMENT bytes of text. */
aif_code aif_chain_commit(const aif_chain *c, const aif_chain_signer *hotkey, uint16_t netuid, const char *data,
                          size_t len, aif_err *err);
/* Set weights from floats: normalised as the SDK does, then submitted. An
 * all-zero vector sets nothing and returns AIF_OK with *n_set = 0. */
aif_code aif_chain_set_weights(const aif_chain *c, const aif_chain_signer *hotkey, uint16_t netuid,
                               const uint16_t *uids, const float *weights, size_t n, uint64_t version_key,
                               size_t *n_set, aif_err *err);
void aif_chain_close(aif_chain *c);

/* The SDK's convert_weights_and_uids_for_emit (chain spec 8.4): reject
 * negative or non-finite weights; Σw = 0 → *n_out = 0; else w /= max(w),
 * u16 = round-half-even(w·65535), entries that become 0 dropped. out_uids
 * and out_w hold n entries. */
aif_code aif_chain_normalize_weights(const uint16_t *uids, const float *weights, size_t n, uint16_t *out_uids,
                                     uint16_t *out_w, size_t *n_out, aif_err *err);

/* ------------------------------------------------------------------------
 * A real subtensor node over JSON-RPC (HTTP POST), chain spec sections 1-8.
 *
 *     aif_chain_subtensor_opts o;
 *     aif_chain_subtensor_opts_default(&o);
 *     aif_chain c;
 *     aif_chain_subtensor_open("finney", &o, &c, &err);   (or "test", "local", a URL)
 *     aif_chain_metagraph(&c, 80, &mg, &err);
 *     aif_chain_close(&c);
 *
 * Reads: metagraph through SubnetInfoRuntimeApi selective metagraph
 * (get_selective_mechagraph or get_selective_metagraph, whichever the
 * runtime has), or from the storage maps of spec 8.2 where the runtime has
 * neither, and Weights storage; commitments through
 * Commitments.CommitmentOf for every key under the subnet. Writes: signed
 * v4 extrinsics (mortal era, nonce from system_accountNextIndex), submitted
 * with author_submitExtrinsic and confirmed by polling blocks and decoding
 * System.Events until a deadline (AIF_ETIMEOUT when it passes). A dispatch
 * error gives AIF_ERPC naming the pallet error ("SubtensorModule.
 * CommitRevealEnabled"). Metadata is read once per runtime spec version.
 * ------------------------------------------------------------------------ */

#include "aif/scale.h"


enum {
    AIF_CHAIN_CR_HASH = 0,      /* commit_weights(hash) + reveal_weights (spec 8.5 A) */
    AIF_CHAIN_CR_OFF = 1,       /* refuse (AIF_ENOTSUP) where CommitRevealWeightsEnabled */
    AIF_CHAIN_CR_TIMELOCK = 2,  /* timelocked commit (8.5 B): not implemented, AIF_ENOTSUP */
};

enum {
    AIF_CHAIN_MG_AUTO = 0,      /* the runtime API where the metadata has it, else storage */
    AIF_CHAIN_MG_RUNTIME_API = 1, /* SubnetInfoRuntimeApi selective metagraph only */
    AIF_CHAIN_MG_STORAGE = 2,   /* SubtensorModule storage maps (spec 8.2 table); stake = alpha stake */
};

typedef struct aif_chain_subtensor_opts {
    double timeout_s;           /* per HTTP attempt; default 30 */
    double connect_timeout_s;   /* default 10 */
    int max_attempts;           /* attempts per RPC on transport failures; default 3 */
    double retry_delay_s;       /* wait before a retry (doubling); default 1 */
    uint32_t era_period;        /* mortal era period in blocks; default 128; 0: immortal */
    int wait_for_inclusion;     /* default 1: poll blocks until included (or the deadline) */
    double poll_interval_s;     /* default 3 */
    double inclusion_timeout_s; /* default 0: until the era ends (period x 12 s) + 30 s */
    uint32_t keys_page;         /* state_getKeysPaged count; default 1000 (the node's maximum) */
    int commit_reveal;          /* AIF_CHAIN_CR_*; default AIF_CHAIN_CR_HASH */
    int metagraph_source;       /* AIF_CHAIN_MG_*; default AIF_CHAIN_MG_AUTO */
    /* File that keeps unrevealed hash commits (uids, values, salt) across
     * processes, so a later run can reveal them; NULL: memory only. */
    const char *reveal_state_path;
    /* Directory for metadata per (genesis, spec version), so a new process
     * skips the ~600 KB download; NULL: no disk cache. */
    const char *cache_dir;
    size_t max_response_bytes;  /* default 64 MiB */
    /* Clock hooks for tests; NULL: real time and nanosleep. */
    void (*sleep_fn)(void *ctx, double seconds);
    double (*now_fn)(void *ctx);
    void *clock_ctx;
} aif_chain_subtensor_opts;

void aif_chain_subtensor_opts_default(aif_chain_subtensor_opts *o);
/* "finney", "test", "archive", "local" -> the spec's endpoint, with ws(s)://
 * turned into http(s):// (the node serves HTTP POST on the same port); a
 * ws://, wss://, http:// or https:// URL is kept (ws -> http). */
aif_code aif_chain_subtensor_endpoint(const char *network_or_url, char *out, size_t cap, aif_err *err);
/* Open a client (no request is made until the first call). opts NULL: defaults. */
aif_code aif_chain_subtensor_open(const char *endpoint_or_network, const aif_chain_subtensor_opts *opts,
                                  aif_chain *out, aif_err *err);

typedef struct aif_chain_subtensor aif_chain_subtensor;
/* The subtensor client behind c, or NULL when c is another backend. */
aif_chain_subtensor *aif_chain_subtensor_from(const aif_chain *c);

/* A raw JSON-RPC call: params as a JSON array text (NULL: []); *result_json
 * (aif_free) is the "result" member as JSON text. */
aif_code aif_chain_subtensor_rpc(aif_chain_subtensor *st, const char *method, const char *params_json, char **result_json,
                           aif_err *err);
/* Storage entry pallet.entry with keys as a JSON array ("[80, \"5Grw...\"]"),
 * at block `block` (UINT64_MAX: best). *json_out (aif_free): the value in
 * polkadot-js JSON, or "null" when absent from an Optional entry. */
aif_code aif_chain_subtensor_query(aif_chain_subtensor *st, const char *pallet, const char *entry, const char *keys_json,
                             uint64_t block, char **json_out, aif_err *err);
/* SubtensorModule.Uids(netuid, hotkey): *found = 0 when not registered. */
aif_code aif_chain_subtensor_uid_for_hotkey(aif_chain_subtensor *st, uint16_t netuid, const char *hotkey_ss58, int *found,
                                      uint16_t *uid, aif_err *err);

typedef struct aif_chain_hyperparams {
    uint16_t tempo;
    uint16_t subnetwork_n;
    uint64_t weights_rate_limit;
    uint64_t weights_version_key;
    int commit_reveal_enabled;
    uint64_t reveal_period_epochs;
    uint16_t commit_reveal_version;     /* 0 when the runtime has no such entry */
    uint16_t min_allowed_weights;
    uint16_t max_weights_limit;
    uint64_t stake_threshold;
} aif_chain_hyperparams;
/* The spec 8.3 hyperparameters from SubtensorModule storage. */
aif_code aif_chain_subtensor_hyperparams(aif_chain_subtensor *st, uint16_t netuid, aif_chain_hyperparams *out, aif_err *err);

/* blake2-256(SCALE(hotkey, netuid, uids, values, salt, version_key)) (spec 8.5 A). */
void aif_chain_weights_commit_hash(const uint8_t hotkey[32], uint16_t netuid, const uint16_t *uids,
                                   const uint16_t *values, size_t n, const uint16_t *salt, size_t n_salt,
                                   uint64_t version_key, uint8_t out[32]);
/* commit_weights(netuid, hash) and reveal_weights(netuid, uids, values, salt, version_key). */
aif_code aif_chain_subtensor_commit_weights(aif_chain_subtensor *st, const aif_chain_signer *hotkey, uint16_t netuid,
                                      const uint16_t *uids, const uint16_t *values, size_t n, const uint16_t *salt,
                                      size_t n_salt, uint64_t version_key, aif_err *err);
aif_code aif_chain_subtensor_reveal_weights(aif_chain_subtensor *st, const aif_chain_signer *hotkey, uint16_t netuid,
                                      const uint16_t *uids, const uint16_t *values, size_t n, const uint16_t *salt,
                                      size_t n_salt, uint64_t version_key, aif_err *err);

/* Reveal the hash commits of (netuid, hotkey) kept by set_weights (in
 * memory or reveal_state_path) whose reveal epoch has come; *n_left = the
 * commits of that pair still waiting. Commits the chain refuses for good
 * (expired, hash mismatch) are dropped with a warning. */
aif_code aif_chain_subtensor_reveal_pending(aif_chain_subtensor *st, const aif_chain_signer *hotkey, uint16_t netuid,
                                      size_t *n_left, aif_err *err);

/* What a signed extrinsic commits to besides the call (spec 6.2). */
typedef struct aif_chain_tx {
    uint32_t spec_version;
    uint32_t tx_version;
    uint8_t genesis[32];
    uint8_t birth_hash[32];     /* hash of the era's birth block (ignored when immortal) */
    uint32_t nonce;
    uint64_t tip;
    uint64_t era_period;        /* 0: immortal */
    uint64_t era_current;       /* block number the era starts from */
} aif_chain_tx;
/* Build the signed v4 extrinsic (length prefix included) for call bytes
 * under the signed extensions listed in md; refuses unknown extensions
 * that carry data. *out: aif_malloc'ed. */
aif_code aif_chain_extrinsic_sign(const aif_scale_metadata *md, const aif_chain_tx *tx, const uint8_t *call,
                                  size_t call_len, const aif_chain_signer *signer, uint8_t **out, size_t *out_len,
                                  aif_err *err);
/* The mortal era bytes of spec 6.3 (1 byte 00 when period is 0); returns
 * the byte count; *birth = the birth block. */
size_t aif_chain_era_encode(uint64_t period, uint64_t current, uint8_t out[2], uint64_t *birth);

/* An sr25519 signer over a keypair with a secret (the wallet hotkey).
 * ctx is caller storage that must outlive the signer. rng32 NULL: OS
 * randomness; else those 32 bytes are mixed into every signature (tests). */
typedef struct aif_chain_sr25519_ctx {
    const aif_crypto_keypair *kp;
    uint8_t rng[32];
    int fixed_rng;
} aif_chain_sr25519_ctx;
aif_code aif_chain_signer_sr25519(aif_chain_signer *out, aif_chain_sr25519_ctx *ctx, const aif_crypto_keypair *kp,
                                  const uint8_t *rng32, aif_err *err);

/* Parse one JSON-RPC response body as the client does (for the fuzzer):
 * *result_json (aif_free) is the result as JSON text. */
aif_code aif_chain_rpc_parse_response(const char *method, const char *body, size_t len, char **result_json,
                                      aif_err *err);

#endif
