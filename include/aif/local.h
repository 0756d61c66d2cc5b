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

#endif
