/* miner.h: the miner side of the subnet (reference spec 9): checking a
 * model against a competition before it leaves the machine, the push flow
 * (upload, hash as a validator would, commit, read back) and the helpers
 * that read the miners' commitments back (models listing, best_uid).
 *
 * Everything works over the aif_chain / aif_hub method tables, so the same
 * code pushes to the embedded local subnet (local.h) and to a real chain
 * and Hugging Face.
 */
#ifndef AIF_MINER_H
#define AIF_MINER_H

#include <stddef.h>
#include <stdint.h>

#include "aif/chain.h"
#include "aif/err.h"
#include "aif/hub.h"
#include "aif/subnet.h"

/* What aif_miner_check_model found out about a model directory. */
typedef struct aif_miner_model_info {
    char arch[128];           /* config.json architectures[0] */
    int64_t n_parameters;     /* from config.json, confirmed by loading the weights */
    int64_t total_bytes;      /* every regular file under the directory (what would be uploaded) */
    size_t n_files;
    char dtype[16];           /* "bf16", "f16", "f32" or "mixed" (of the safetensors tensors) */
} aif_miner_model_info;

/* Check a model directory against a competition's constraints, in this
 * order, stopping at the first failure (AIF_ECONSTRAINT naming the value
 * and the bound, or the file): only regular files and directories (no
 * symlinks), no pickle weights (*.bin, *.pt, *.pth, *.ckpt, *.pkl: the
 * validator loads safetensors only), total bytes <= max_bytes,
 * config.json's architectures[0] allowed (AIF_ENOTSUP for an allowed one
 * aif cannot run), parameters from config.json within [min, max], every
 * safetensors tensor of the competition's dtype, and finally the weights
 * load (aif_model_load) with the same parameter count. info may be NULL. */
aif_code aif_miner_check_model(const char *dir, const aif_subnet_competition *c, aif_miner_model_info *info,
                               aif_err *err);

typedef struct aif_miner_push_opts {
    uint16_t netuid;            /* 80 on the network */
    double retry_delay_s;       /* between commit attempts (60 in the reference) */
    int max_attempts;           /* commit attempts; 0: until it succeeds, as the reference */
    int make_public;            /* --update_repo_visibility */
    const char *tmp_dir;        /* parent of the temporary download; NULL: $TMPDIR or /tmp */
    const char *message;        /* hub commit message; NULL: "Upload model" */
    /* Called instead of sleeping between commit attempts (tests); NULL: sleep. */
    void (*sleep)(void *ctx, double seconds);
    void *sleep_ctx;
} aif_miner_push_opts;

typedef struct aif_miner_push_result {
    char commit[41];                            /* hub commit id */
    char hash[AIF_SUBNET_HASH_CHARS];           /* directory hash of the downloaded snapshot */
    char secure_hash[AIF_SUBNET_HASH_CHARS];    /* base64(sha256(hash + hotkey ss58)) */
    char commitment[AIF_SUBNET_MAX_METADATA_BYTES + 1]; /* the string committed */
    uint16_t uid;
    uint64_t block;                             /* block of the commitment read back */
    int attempts;                               /* commit attempts made */
    aif_miner_model_info info;
} aif_miner_push_result;

/* push (spec 9.2) of model_dir to repo_id for competition c:
 *   1. hotkey registered on opts->netuid (else AIF_ESTATE), repo id valid;
 *   2. aif_miner_check_model (nothing is uploaded if it fails);
 *   3. aif_hub_upload, repo created private;
 *   4. aif_hub_fetch_model at that commit into a temporary directory with the
 *      competition's max_bytes, realize, aif_subnet_hash_dir;
 *   5. secure hash with hotkey->ss58; format "ns:name:commit:secure:comp";
 *   6. commit; read the commitments back and compare with what was sent; on
 *      a commit error or a mismatch, wait retry_delay_s and commit again
 *      (max_attempts bounds it; the last error is returned);
 *   7. make the repo public if asked.
 * out may be NULL. */
aif_code aif_miner_push(const aif_chain *chain, const aif_hub *hub, const aif_chain_signer *hotkey,
                        const char *model_dir, const char *repo_id, const aif_subnet_competition *c,
                        const aif_miner_push_opts *opts, aif_miner_push_result *out, aif_err *err);

/* One miner's commitment as the validator reads it (spec 3.3). */
typedef struct aif_miner_entry {
    uint16_t uid;
    char hotkey[AIF_SS58_MAX];
    uint64_t block;
    double incentive;
    int valid;                  /* 0: the string does not parse (no metadata) */
    aif_subnet_model_id id;     /* when valid */
    char raw[AIF_CHAIN_MAX_COMMITMENT + 1];
} aif_miner_entry;

/* Every commitment on the subnet (by uid), parsed, with the neuron's
 * incentive from the metagraph. *out is aif_malloc'ed (aif_free). */
aif_code aif_miner_list(const aif_chain *chain, uint16_t netuid, aif_miner_entry **out, size_t *n, aif_err *err);

/* best_uid (spec 9.3): the 5 uids with the highest incentive (sorted on
 * (incentive, uid) descending, so ties go to the higher uid); the first
 * whose entry is valid and of competition_id. incentive[k] is uid k's;
 * entries (any order) give the commitments. -1 if none. */
int aif_miner_best_uid(const double *incentive, size_t n_uids, const aif_miner_entry *entries, size_t n_entries,
                       int competition_id);

/* The local chain keeps no Yuma consensus, so incentive stays 0 there. An
 * estimate from the weights: each validator's row normalised to sum 1,
 * averaged with stake as the weight, indexed by uid (n_uids = mg->n).
 * All zero when no weights are set. out has mg->n entries. */
void aif_miner_incentive_from_weights(const aif_metagraph *mg, double *out);

#endif
