/* weights.c: per-step competition weights (spec 7.3) and the on-chain
 * vector with the burn rules (7.5). Vectors are float32 like the torch
 * tensors of the reference. */
#include <math.h>
#include <string.h>

#include "aif/alloc.h"
#include "subnet_int.h"

aif_code aif_subnet_step_weights(size_t n, const uint16_t *uids, const double *win_rate, const int64_t *blocks,
                                 int64_t c, const aif_subnet_params *p, float *comp, size_t n_neurons, aif_err *err)
{
    for (size_t k = 0; k < n; k++)
        if (uids[k] >= n_neurons)
            return aif_err_set(err, AIF_ERANGE, "step weights: uid %u is not below the %zu neurons", uids[k],
                               n_neurons);
    memset(comp, 0, n_neurons * sizeof *comp);
    if (n == 0)
        return AIF_OK;
    /* v = float32(win_rate), 0 -> -999; softmax with no temperature. The exp
     * and the sum run in double and the result is rounded to float32 (torch
     * does this in float32: the two agree to about 1 ulp). */
    double vmax = -INFINITY, sum = 0;
    for (size_t k = 0; k < n; k++) {
        float v = (float)win_rate[k];
        double x = v == 0.0f ? p->zero_logit : (double)v;
        if (x > vmax)
            vmax = x;
    }
    for (size_t k = 0; k < n; k++) {
        float v = (float)win_rate[k];
        double x = v == 0.0f ? p->zero_logit : (double)v;
        sum += exp(x - vmax);
    }
    for (size_t k = 0; k < n; k++) {
        float v = (float)win_rate[k];
        double x = v == 0.0f ? p->zero_logit : (double)v;
        comp[uids[k]] = (float)(exp(x - vmax) / sum);
    }
    /* Welcome bonus: uids committed less than welcome_blocks ago. A uid with
     * no block (no metadata) does not qualify (13.6; the reference's
     * c - inf < 7200 let it in). */
    size_t n_welcome = 0;
    for (size_t k = 0; k < n; k++)
        if (blocks[k] != AIF_SUBNET_NO_BLOCK && (double)c - (double)blocks[k] < (double)p->welcome_blocks)
            n_welcome++;
    if (n_welcome) {
        float keep = (float)(1.0 - p->welcome_share), share = (float)p->welcome_share;
        float each = 1.0f / (float)n_welcome;
        for (size_t i = 0; i < n_neurons; i++)
            comp[i] = comp[i] * keep;
        for (size_t k = 0; k < n; k++)
            if (blocks[k] != AIF_SUBNET_NO_BLOCK && (double)c - (double)blocks[k] < (double)p->welcome_blocks)
                comp[uids[k]] += each * share;
    }
    return AIF_OK;
}

aif_code aif_subnet_chain_weights(const float *training, size_t n, const float *workshop, size_t n_workshop,
                                  const aif_subnet_params *p, float *out, aif_err *err)
{
    if (!workshop)
        return aif_err_set(err, AIF_ERANGE, "weights: no workshop scores (the fetch failed)");
    if (n_workshop != n)
        return aif_err_set(err, AIF_ERANGE, "weights: workshop scores have %zu entries, the metagraph has %zu",
                           n_workshop, n);
    if (n == 0)
        return aif_err_set(err, AIF_ERANGE, "weights: empty metagraph");
    double wsum = 0;
    for (size_t i = 0; i < n; i++)
        wsum += workshop[i];
    float tr = (float)p->training_share, ws = (float)p->workshop_share, cf = (float)p->conference_share;
    for (size_t i = 0; i < n; i++) {
        /* A workshop vector that sums to 0 is burned to uid 0 (the owner);
         * the conference share always is. */
        float w = wsum == 0 ? (i == 0 ? 1.0f : 0.0f) : workshop[i];
        float conf = i == 0 ? 1.0f : 0.0f;
        out[i] = tr * training[i] + ws * w + cf * conf;
    }
    return AIF_OK;
}

aif_code aif_subnet_weights_to_u16(const float *w, size_t n, uint16_t *uids_out, uint16_t *vals_out, size_t *n_out,
                                   aif_err *err)
{
    *n_out = 0;
    if (n > 65536)
        return aif_err_set(err, AIF_ERANGE, "weights: %zu uids, more than 65536", n);
    double max = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(w[i]) || w[i] < 0)
            return aif_err_set(err, AIF_ERANGE, "weights: uid %zu has weight %g (must be finite and >= 0)", i,
                               (double)w[i]);
        if (w[i] > max)
            max = w[i];
    }
    if (max == 0)
        return AIF_OK; /* all zero: nothing is set */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        /* Python round(): half to even, which nearbyint does in the default
         * rounding mode. */
        double v = nearbyint((double)w[i] / max * 65535.0);
        if (v != 0) {
            uids_out[m] = (uint16_t)i;
            vals_out[m] = (uint16_t)v;
            m++;
        }
    }
    *n_out = m;
    return AIF_OK;
}
