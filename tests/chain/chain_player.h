/* chain_player.h: a JSON-RPC (HTTP POST) server for the subtensor client
 * tests. It answers from the recorded mainnet responses of
 * testdata/chain/subtensor_rpc_responses.json (read at test time) where a
 * request matches one (params compared after dropping trailing nulls and
 * "0x" prefixes), and otherwise plays a small chain: block numbers and
 * hashes, a storage map, nonces, author_submitExtrinsic with an
 * independent check of the v4 envelope and sr25519 signature, inclusion in
 * the next block with System.Events (success or a chosen module error),
 * and the effect of set_commitment on Commitments.CommitmentOf.
 * Test-only code: it aborts on setup failures. */
#ifndef AIF_TEST_CHAIN_PLAYER_H
#define AIF_TEST_CHAIN_PLAYER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cp_player cp_player;

enum cp_submit_mode {
    CP_INCLUDE = 0,    /* include in the next block, ExtrinsicSuccess */
    CP_FAIL,           /* include, ExtrinsicFailed with Module error (fail_pallet, fail_error) */
    CP_NEVER,          /* accept into the "pool", never include */
    CP_REJECT,         /* answer a JSON-RPC error 1010 */
};

typedef struct cp_submission {
    int sig_ok;                /* the player's own signature check */
    uint8_t signer[32];
    uint32_t nonce;
    uint64_t tip;
    uint8_t era[2];
    size_t era_len;
    uint8_t *call;             /* call bytes */
    size_t call_len;
    uint8_t *xt;               /* the whole extrinsic */
    size_t xt_len;
} cp_submission;

/* aif_test_path(rel), resolved once per process (rel must be a literal). */
const char *cp_path(const char *rel);

/* tests: recorded test names to answer from (NULL-terminated), or NULL. */
cp_player *cp_start(const char *const *tests);
void cp_stop(cp_player *p);
const char *cp_url(cp_player *p);

/* Chain state knobs (call between requests; a mutex guards them). */
void cp_set_best(cp_player *p, uint64_t best);
void cp_set_auto_advance(cp_player *p, int on);      /* each chain_getHeader adds one block */
void cp_set_spec(cp_player *p, uint32_t spec, uint32_t txv);
void cp_set_submit_mode(cp_player *p, enum cp_submit_mode m, uint8_t fail_pallet, uint8_t fail_error);
void cp_set_nonce(cp_player *p, const uint8_t account[32], uint32_t nonce);
/* Storage map: key and value as hex ("0x" optional); value NULL removes. */
void cp_storage_set(cp_player *p, const char *key_hex, const char *value_hex);
/* Next n requests: close the connection without answering / answer after delay_ms. */
void cp_fault_hangup(cp_player *p, int n);
void cp_fault_delay(cp_player *p, int n, int delay_ms);
/* After each accepted submission, drop the next n requests. */
void cp_fault_after_submit(cp_player *p, int n);

/* Counters and records. */
int cp_count(cp_player *p, const char *method);     /* requests of a method (NULL: all) */
int cp_submissions(cp_player *p);
const cp_submission *cp_submission_get(cp_player *p, int i);

#endif
