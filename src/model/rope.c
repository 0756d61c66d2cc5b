/* rope.c: RoPE inverse frequencies exactly as transformers'
 * modeling_rope_utils.py computes them: in float32, from
 * inv_freq = 1 / base ** (arange(0, dim, 2) / dim), then scaled. */
#include "model_int.h"

#include <math.h>

static void default_inv_freq(float base, size_t dim, float *inv)
{
    for (size_t i = 0; i < dim / 2; i++) {
        float e = (float)(2 * i) / (float)dim;  /* arange(0, dim, 2).float() / dim */
        inv[i] = 1.0f / powf(base, e);          /* base ** e in float32, then 1.0 / x (reciprocal) */
    }
}

void aif_model_rope_inv_freq(const aif_model_config *c, size_t seq_len, float *inv)
{
    size_t dim = (size_t)c->head_dim, half = dim / 2;
    float base = (float)c->rope_theta;
    if (c->rope_type == AIF_ROPE_DYNAMIC && seq_len > (size_t)c->max_position_embeddings) {
        /* _compute_dynamic_ntk_parameters with seq_len = max(position_ids) + 1,
         * a tensor, so the base is computed in float32:
         * base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2)) */
        float f = (float)c->rope_factor;
        float t = f * (float)seq_len / (float)c->max_position_embeddings - (float)(c->rope_factor - 1);
        base = base * powf(t, (float)((double)dim / (double)(dim - 2)));
    }
    default_inv_freq(base, dim, inv);
    if (c->rope_type == AIF_ROPE_LINEAR) {
        for (size_t i = 0; i < half; i++)
            inv[i] = inv[i] / (float)c->rope_factor;
    } else if (c->rope_type == AIF_ROPE_LLAMA3) {
        /* _compute_llama3_parameters, tensor ops in float32 with python scalars. */
        float factor = (float)c->rope_factor, lo = (float)c->rope_low_freq_factor,
              old = (float)c->rope_original_max_pos;
        float low_wl = (float)((double)c->rope_original_max_pos / c->rope_low_freq_factor);
        float high_wl = (float)((double)c->rope_original_max_pos / c->rope_high_freq_factor);
        float span = (float)(c->rope_high_freq_factor - c->rope_low_freq_factor);
        float two_pi = (float)(2 * M_PI);
        for (size_t i = 0; i < half; i++) {
            /* python scalar / tensor is tensor.reciprocal() * scalar */
            float wl = (1.0f / inv[i]) * two_pi;
            float il = wl > low_wl ? inv[i] / factor : inv[i];
            float s = ((1.0f / wl) * old - lo) / span;
            float smoothed = (1.0f - s) * il / factor + s * il;
            int medium = !(wl < high_wl) && !(wl > low_wl);
            inv[i] = medium ? smoothed : il;
        }
    }
}
