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

#include "aif/err.h"

#define AIF_CHAIN_MAX_COMMITMENT 128 /* bytes of one Raw commitment field */
#define AIF_SS58_MAX 64              /* SS58 text of a 32-byte account, NUL included */

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

#endif
