/* chain.c: the chain wrappers and the SDK's weight normalisation. */
#include "aif/chain.h"
#include "aif/alloc.h"

#include <math.h>

void aif_metagraph_release(aif_metagraph *mg)
{
    if (!mg)
        return;
    aif_free(mg->neurons);
    aif_free(mg->weights);
    mg->neurons = NULL;
    mg->weights = NULL;
    mg->n = mg->n_weights = 0;
}

#define CALL(c, method, ...)                                                                        \
    do {                                                                                            \
        aif_code rc_ = (c)->ops->method((c)->impl, __VA_ARGS__);                                    \
        if (rc_ != AIF_OK)                                                                          \
            return aif_err_wrap(err, "%s chain: %s", (c)->ops->name, #method);                      \
        return AIF_OK;                                                                              \
    } while (0)

aif_code aif_chain_current_block(const aif_chain *c, uint64_t *out, aif_err *err) { CALL(c, current_block, out, err); }

aif_code aif_chain_block_hash(const aif_chain *c, uint64_t block, char out[67], aif_err *err)
{
    CALL(c, block_hash, block, out, err);
}

aif_code aif_chain_metagraph(const aif_chain *c, uint16_t netuid, aif_metagraph *out, aif_err *err)
{
    CALL(c, metagraph, netuid, out, err);
}

aif_code aif_chain_commitments(const aif_chain *c, uint16_t netuid, aif_commitment **out, size_t *n, aif_err *err)
{
    *out = NULL;
    *n = 0;
    CALL(c, commitments, netuid, out, n, err);
}

aif_code aif_chain_commit(const aif_chain *c, const aif_chain_signer *hotkey, uint16_t netuid, const char *data,
                          size_t len, aif_err *err)
{
    if (len > AIF_CHAIN_MAX_COMMITMENT)
        return aif_err_set(err, AIF_ERANGE, "commitment of %zu bytes is above the %d-byte limit", len,
                           AIF_CHAIN_MAX_COMMITMENT);
    CALL(c, commit, hotkey, netuid, data, len, err);
}

aif_code aif_chain_normalize_weights(const uint16_t *uids, const float *weights, size_t n, uint16_t *out_uids,
                                     uint16_t *out_w, size_t *n_out, aif_err *err)
{
    *n_out = 0;
    float max = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(weights[i]) || weights[i] < 0)
            return aif_err_set(err, AIF_EINVAL, "weight %zu (uid %u) is %g: weights must be finite and >= 0", i,
                               uids[i], (double)weights[i]);
        if (weights[i] > max)
            max = weights[i];
    }
    if (max == 0)
        return AIF_OK;
    for (size_t i = 0; i < n; i++) {
        /* float32 division as numpy does on a float32 array, then Python round (half to even) */
        float w = weights[i] / max;
        double u = nearbyint((double)w * 65535.0);
        if (u <= 0)
            continue;
        out_uids[*n_out] = uids[i];
        out_w[*n_out] = (uint16_t)u;
        (*n_out)++;
    }
    return AIF_OK;
}

aif_code aif_chain_set_weights(const aif_chain *c, const aif_chain_signer *hotkey, uint16_t netuid,
                               const uint16_t *uids, const float *weights, size_t n, uint64_t version_key,
                               size_t *n_set, aif_err *err)
{
    *n_set = 0;
    uint16_t *u = aif_calloc_err(n ? n : 1, sizeof *u, "weights", err);
    uint16_t *w = aif_calloc_err(n ? n : 1, sizeof *w, "weights", err);
    aif_code rc = (u && w) ? AIF_OK : AIF_ENOMEM;
    if (rc == AIF_OK)
        rc = aif_chain_normalize_weights(uids, weights, n, u, w, n_set, err);
    if (rc == AIF_OK && *n_set > 0) {
        rc = c->ops->set_weights(c->impl, hotkey, netuid, u, w, *n_set, version_key, err);
        if (rc != AIF_OK)
            aif_err_wrap(err, "%s chain: set_weights", c->ops->name);
    }
    aif_free(u);
    aif_free(w);
    return rc;
}

void aif_chain_close(aif_chain *c)
{
    if (c && c->ops && c->ops->close)
        c->ops->close(c->impl);
    if (c) {
        c->ops = NULL;
        c->impl = NULL;
    }
}
