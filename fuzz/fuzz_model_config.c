/* fuzz_model_config.c: config.json parsing (aif_model_config_parse) on
 * arbitrary bytes; a parsed config must satisfy the invariants the model
 * code relies on. */
#include <stdint.h>
#include <stdlib.h>

#include "aif/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_model_config c;
    aif_err err;
    if (aif_model_config_parse((const char *)data, size, "fuzz", &c, &err) == AIF_OK) {
        if (c.hidden_size < 1 || c.n_heads < 1 || c.n_kv_heads < 1 || c.n_heads % c.n_kv_heads ||
            c.head_dim < 2 || c.head_dim % 2 || c.vocab_size < 1 || c.n_layers < 1 ||
            aif_model_config_param_count(&c) == 0 || aif_model_config_param_count(&c) > AIF_MODEL_MAX_PARAMS ||
            !(c.rms_norm_eps > 0) || !(c.rope_theta >= 1) || c.n_eos < 0 || c.n_eos > AIF_MODEL_MAX_EOS)
            abort();
    }
    return 0;
}
