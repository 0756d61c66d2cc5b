/* fuzz_model_load.c: config.json + safetensors image -> weight binding ->
 * a short forward, score and generation. Input: the config text, a NUL
 * byte, then the safetensors bytes. Any input that passes validation must
 * run without a crash or out-of-bounds read (weights are bounded by the
 * input size, so the forward stays small). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aif/model.h"
#include "aif/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    if (!nul)
        return 0;
    size_t clen = (size_t)(nul - data);
    aif_model_config c;
    aif_safetensors *st = NULL;
    aif_err err;
    if (aif_model_config_parse((const char *)data, clen, "fuzz config", &c, &err))
        return 0;
    if (aif_safetensors_parse(nul + 1, size - clen - 1, "fuzz weights", &st, &err))
        return 0;
    size_t n = aif_safetensors_count(st);
    aif_st_tensor *list = malloc((n ? n : 1) * sizeof *list);
    for (size_t i = 0; i < n; i++)
        list[i] = *aif_safetensors_at(st, i);
    aif_model *m = NULL;
    if (aif_model_new(&c, list, n, &m, &err) == AIF_OK) {
        int32_t tok[5];
        for (int i = 0; i < 5; i++)
            tok[i] = (int32_t)((i * 7 + 1) % c.vocab_size);
        float *lg = malloc(5 * (size_t)c.vocab_size * sizeof(float));
        aif_model_seq_stats s;
        int32_t gen[3];
        size_t no;
        int64_t sup = 0;
        aif_model_gen_opts go = {.max_new = 3, .suppress_ids = &sup, .n_suppress = 1, .suppress_steps = 1};
        if (aif_model_logits(m, NULL, tok, 1, 5, lg, &err) || aif_model_score(m, NULL, tok, 1, 5, NULL, &s, &err) ||
            aif_model_generate(m, NULL, tok, 2, &go, gen, &no, &err))
            abort(); /* only ENOMEM could fail here, and the sizes are tiny */
        if (no != 3 || (c.vocab_size > 1 && gen[0] == 0))
            abort();
        free(lg);
        aif_model_free(m);
    }
    free(list);
    aif_safetensors_close(st);
    return 0;
}
