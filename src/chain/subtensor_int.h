/* subtensor_int.h: what the files of the subtensor client share (rpc.c,
 * runtime.c, storage.c, extrinsic.c, submit.c, subtensor.c). Nothing
 * outside src/chain/ includes it. */
#ifndef AIF_SUBTENSOR_INT_H
#define AIF_SUBTENSOR_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "aif/chain.h"
#include "aif/http.h"
#include "aif/scale.h"

/* ------------------------------------------------------------------ rpc.c */

typedef struct st_rpc {
    aif_http *http;
    char *url;
    long next_id;
    unsigned calls;             /* JSON-RPC requests sent (tests, logs) */
} st_rpc;

aif_code aif_chain_i_rpc_init(st_rpc *r, const char *url, const aif_chain_subtensor_opts *o, aif_err *err);
void aif_chain_i_rpc_release(st_rpc *r);
/* One JSON-RPC call. params is stolen (NULL: []). On AIF_OK *result is a
 * new reference (JSON null included). A JSON-RPC error object gives
 * AIF_ERPC with err->status = its code and its message and data in the
 * text. */
aif_code aif_chain_i_rpc_call(st_rpc *r, const char *method, json_t *params, json_t **result, aif_err *err);
/* Parse a JSON-RPC response body (exposed for the fuzzer through
 * aif_chain_rpc_parse_response). */
aif_code aif_chain_i_rpc_parse(const char *method, const char *body, size_t len, json_t **result, aif_err *err);
/* "0x.." hex result -> malloc'd bytes. */
aif_code aif_chain_i_hex_bytes(const json_t *v, const char *what, uint8_t **out, size_t *n, aif_err *err);
aif_code aif_chain_i_hex_fixed(const json_t *v, const char *what, uint8_t *out, size_t n, aif_err *err);
/* bytes -> "0x..." heap string / json string */
char *aif_chain_i_hex_str(const uint8_t *p, size_t n);
json_t *aif_chain_i_hex_json(const uint8_t *p, size_t n);

/* -------------------------------------------------------------- runtime.c */

typedef struct st_runtime {
    uint32_t spec_version;
    uint32_t tx_version;
    aif_scale_metadata *md;     /* V15 when the node serves it, else V14 */
    uint8_t genesis[32];
    int have_genesis;
} st_runtime;

typedef struct aif_chain_subtensor aif_chain_subtensor;

/* Make sure rt holds the runtime of block `at` (NULL: best): reads
 * state_getRuntimeVersion and re-reads the metadata when the spec version
 * differs from the cached one. */
aif_code aif_chain_i_runtime_ensure(aif_chain_subtensor *st, const char *at, aif_err *err);

/* -------------------------------------------------------------- storage.c */

/* Raw storage value at block `at` (NULL: best); *found = 0 when absent. */
aif_code aif_chain_i_storage_get(aif_chain_subtensor *st, const uint8_t *key, size_t key_len, const char *at, uint8_t **val,
                        size_t *n, int *found, aif_err *err);
/* Value of an entry decoded through the metadata default when absent. The
 * keys are already SCALE-encoded. *val/n: the value bytes (malloc'd). */
aif_code aif_chain_i_storage_entry(aif_chain_subtensor *st, const char *pallet, const char *entry, const aif_scale_bytes *keys,
                          size_t n_keys, const char *at, uint8_t **val, size_t *n, int *found, aif_err *err);
/* All keys under prefix (paged by page_size) and their values at `at`. */
typedef struct st_kv {
    uint8_t *key;
    size_t key_len;
    uint8_t *val;               /* NULL when absent */
    size_t val_len;
} st_kv;
aif_code aif_chain_i_storage_list(aif_chain_subtensor *st, const uint8_t *prefix, size_t prefix_len, const char *at,
                         st_kv **out, size_t *n, aif_err *err);
void aif_chain_i_kv_free(st_kv *kv, size_t n);
/* Values of the keys kv[i].key at `at` (state_queryStorageAt in chunks). */
aif_code aif_chain_i_storage_multi(aif_chain_subtensor *st, st_kv *kv, size_t n, const char *at, aif_err *err);
/* state_call: SCALE result bytes. */
aif_code aif_chain_i_state_call(aif_chain_subtensor *st, const char *method, const uint8_t *args, size_t n_args, const char *at,
                       uint8_t **out, size_t *n, aif_err *err);

/* ------------------------------------------------------------ extrinsic.c */

/* aif_chain_extrinsic_sign and the era live in chain.h. */

/* ----------------------------------------------------------- subtensor.c */

struct aif_chain_subtensor {
    st_rpc rpc;
    aif_chain_subtensor_opts o;
    st_runtime rt;
    char endpoint[512];
    char *reveal_state_path;
    char *cache_dir;
    /* pending hash commits for reveal (commit/reveal path A) */
    struct st_pending *pending;
    size_t n_pending;
};

typedef struct st_pending {
    uint16_t netuid;
    uint8_t hotkey[32];
    uint16_t *uids, *values, *salt;
    size_t n, n_salt;
    uint64_t version_key;
    uint64_t commit_block;
    uint64_t reveal_epoch_from; /* first block at which a reveal is tried */
} st_pending;

double aif_chain_i_now(aif_chain_subtensor *st);
aif_code aif_chain_i_best_number(aif_chain_subtensor *st, uint64_t *out, aif_err *err);
aif_code aif_chain_i_block_hash_str(aif_chain_subtensor *st, uint64_t n, char out[67], aif_err *err);
/* submit.c: sign call with s, submit, and (opts.wait_for_inclusion) wait
 * until included; AIF_ERPC on a dispatch error, AIF_ETIMEOUT past the
 * deadline or the era's end. */
aif_code aif_chain_i_submit(aif_chain_subtensor *st, const aif_chain_signer *s, const uint8_t *call, size_t call_len,
                   const char *what, uint64_t *included_block, aif_err *err);
void aif_chain_i_sleep(aif_chain_subtensor *st, double s);

#endif
