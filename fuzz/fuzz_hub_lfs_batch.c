/* fuzz_hub_lfs_batch.c: the LFS batch answer (hub spec 3.5). A multipart
 * object that parses has exactly ceil(size / chunk_size) part URLs. */
#include <stdint.h>
#include <stdlib.h>

#include "aif/hub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_err err;
    aif_hub_hf_lfs_batch b;
    if (aif_hub_hf_parse_lfs_batch((const char *)data, size, &b, &err) == AIF_OK) {
        for (size_t i = 0; i < b.n; i++) {
            const aif_hub_hf_lfs_object *o = &b.objects[i];
            if (o->chunk_size) {
                uint64_t want = o->size ? (o->size - 1) / o->chunk_size + 1 : 0;
                if (o->n_parts != want)
                    abort();
                for (size_t k = 0; k < o->n_parts; k++)
                    if (!o->part_urls[k])
                        abort();
            }
        }
        aif_hub_hf_lfs_batch_release(&b);
    }
    return 0;
}
