/* models.c: reading the miners' commitments back (spec 3.3) and best_uid
 * (spec 9.3). */
#include "aif/miner.h"
#include "aif/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

aif_code aif_miner_list(const aif_chain *chain, uint16_t netuid, aif_miner_entry **out, size_t *n_out, aif_err *err)
{
    AIF_ASSERT(chain && out && n_out);
    *out = NULL;
    *n_out = 0;
    aif_metagraph mg;
    aif_code rc = aif_chain_metagraph(chain, netuid, &mg, err);
    if (rc != AIF_OK)
        return rc;
    aif_commitment *cs = NULL;
    size_t n = 0;
    if ((rc = aif_chain_commitments(chain, netuid, &cs, &n, err)) != AIF_OK) {
        aif_metagraph_release(&mg);
        return rc;
    }
    aif_miner_entry *v = n ? aif_calloc_err(n, sizeof *v, "commitments", err) : NULL;
    if (n && !v) {
        aif_free(cs);
        aif_metagraph_release(&mg);
        return AIF_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        aif_miner_entry *e = &v[i];
        e->uid = cs[i].uid;
        snprintf(e->hotkey, sizeof e->hotkey, "%s", cs[i].hotkey);
        e->block = cs[i].block;
        memcpy(e->raw, cs[i].data, cs[i].len);
        e->raw[cs[i].len] = 0;
        e->valid = aif_subnet_model_id_parse(cs[i].data, cs[i].len, &e->id, NULL) == AIF_OK;
        if (cs[i].uid < mg.n)
            e->incentive = mg.neurons[cs[i].uid].incentive;
    }
    aif_free(cs);
    aif_metagraph_release(&mg);
    *out = v;
    *n_out = n;
    return AIF_OK;
}

typedef struct {
    double inc;
    size_t uid;
} ranked;

static int by_pair_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->inc != y->inc)
        return x->inc < y->inc ? 1 : -1;
    return x->uid < y->uid ? 1 : (x->uid > y->uid ? -1 : 0);
}

int aif_miner_best_uid(const double *incentive, size_t n_uids, const aif_miner_entry *entries, size_t n_entries,
                       int competition_id)
{
    if (!n_uids)
        return -1;
    ranked *r = aif_malloc(n_uids * sizeof *r);
    if (!r)
        return -1;
    for (size_t i = 0; i < n_uids; i++) {
        r[i].inc = incentive[i];
        r[i].uid = i;
    }
    qsort(r, n_uids, sizeof *r, by_pair_desc);
    int best = -1;
    for (size_t k = 0; k < n_uids && k < 5 && best < 0; k++)
        for (size_t j = 0; j < n_entries; j++)
            if (entries[j].uid == r[k].uid && entries[j].valid && entries[j].id.competition_id == competition_id) {
                best = (int)r[k].uid;
                break;
            }
    aif_free(r);
    return best;
}

void aif_miner_incentive_from_weights(const aif_metagraph *mg, double *out)
{
    for (size_t i = 0; i < mg->n; i++)
        out[i] = 0;
    double total_stake = 0;
    for (size_t k = 0; k < mg->n_weights;) {
        uint16_t src = mg->weights[k].src;
        size_t end = k;
        double row = 0;
        while (end < mg->n_weights && mg->weights[end].src == src)
            row += mg->weights[end++].weight;
        double stake = src < mg->n ? mg->neurons[src].stake : 0;
        if (row > 0 && stake > 0) {
            for (size_t j = k; j < end; j++)
                if (mg->weights[j].dest < mg->n)
                    out[mg->weights[j].dest] += stake * mg->weights[j].weight / row;
            total_stake += stake;
        }
        k = end;
    }
    if (total_stake > 0)
        for (size_t i = 0; i < mg->n; i++)
            out[i] /= total_stake;
}
