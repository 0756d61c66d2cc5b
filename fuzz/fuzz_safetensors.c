/* fuzz_safetensors.c: aif_safetensors_parse on arbitrary bytes. On success
 * every tensor view is read end to end (ASan catches a view outside the
 * input) and the lookups are exercised. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aif/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_safetensors *st = NULL;
    aif_err err;
    if (aif_safetensors_parse(data, size, "fuzz", &st, &err) != AIF_OK)
        return 0;
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < aif_safetensors_count(st); i++) {
        const aif_st_tensor *t = aif_safetensors_at(st, i);
        const uint8_t *p = t->data;
        for (size_t k = 0; k < t->n_bytes; k++)
            sink ^= p[k];
        if (aif_safetensors_find(st, t->name) != t)
            __builtin_trap();
        if (t->n_bytes != (size_t)t->n_elements * aif_dtype_size(t->dtype))
            __builtin_trap();
    }
    (void)aif_safetensors_metadata(st, "format");
    (void)aif_safetensors_total_bytes(st);
    (void)sink;
    aif_safetensors_close(st);
    return 0;
}
