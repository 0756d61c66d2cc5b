/* weights.c: the weight pass (spec 7.5): training weights from the
 * competition tracker, the workshop share (burned to uid 0 when there are
 * no workshop scores), the conference burn, then set_weights for every uid
 * of the metagraph with the validator's hotkey. */
#include <string.h>

#include "aif/alloc.h"
#include "aif/log.h"
#include "validator_int.h"

aif_code aif_validator_set_weights(aif_validator *v, size_t *n_set, aif_err *err)
{
    *n_set = 0;
    uint64_t block;
    const aif_subnet_schedule_entry *e;
    aif_metagraph mg;
    aif_code rc = aif_chain_current_block(v->o.chain, &block, err);
    if (rc == AIF_OK)
        rc = aif_subnet_schedule_at(v->o.comps, v->o.schedule, (int64_t)block, &e, err);
    if (rc == AIF_OK)
        rc = aif_chain_metagraph(v->o.chain, v->o.netuid, &mg, err);
    if (rc)
        return rc;
    size_t n = mg.n, nn = aif_subnet_tracker_num_neurons(v->tracker);
    float *subnet = aif_calloc(nn ? nn : 1, sizeof *subnet);
    float *training = aif_calloc(n ? n : 1, sizeof *training);
    float *zeros = aif_calloc(n ? n : 1, sizeof *zeros);
    float *out = aif_calloc(n ? n : 1, sizeof *out);
    uint16_t *uids = aif_calloc(n ? n : 1, sizeof *uids);
    if (!subnet || !training || !zeros || !out || !uids) {
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory for %zu weights", n);
        goto done;
    }
    if (n == 0) {
        rc = aif_err_set(err, AIF_ESTATE, "subnet %u has no neurons", v->o.netuid);
        goto done;
    }
    /* The tracker may be shorter (new registrations) or longer (a shrunken
     * metagraph) than the metagraph: the vector follows the metagraph. */
    aif_subnet_tracker_subnet_weights(v->tracker, e, subnet);
    memcpy(training, subnet, (nn < n ? nn : n) * sizeof *training);
    for (size_t i = 0; i < n; i++)
        uids[i] = mg.neurons[i].uid;
    const float *workshop = v->o.workshop ? v->o.workshop : zeros;
    size_t n_workshop = v->o.workshop ? v->o.n_workshop : n;
    if ((rc = aif_subnet_chain_weights(training, n, workshop, n_workshop, &v->o.params, out, err)) != AIF_OK) {
        aif_err_wrap(err, "weights for %zu uids", n);
        goto done;
    }
    rc = aif_chain_set_weights(v->o.chain, &v->o.signer, v->o.netuid, uids, out, n, v->o.version_key, n_set, err);
done:
    aif_free(subnet);
    aif_free(training);
    aif_free(zeros);
    aif_free(out);
    aif_free(uids);
    aif_metagraph_release(&mg);
    return rc;
}
