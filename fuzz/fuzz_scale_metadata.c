/* fuzz_scale_metadata.c: runtime metadata bytes (V14/V15, bare or in the
 * Option<OpaqueMetadata> wrapper) through aif_scale_metadata_parse; when
 * they parse, every constant and storage default is decoded with its type
 * and printed as JSON, and one storage key per entry is built and split. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/scale.h"

static void decode_blob(const aif_scale_registry *reg, uint32_t type, const uint8_t *p, size_t n)
{
    aif_scale_reader r;
    aif_scale_reader_init(&r, p, n);
    aif_scale_value *v = NULL;
    if (aif_scale_value_decode(reg, type, &r, &v, NULL) == AIF_OK) {
        char *json = NULL;
        if (aif_scale_value_to_json(reg, v, 0, &json, NULL, NULL) == AIF_OK)
            aif_free(json);
        aif_scale_value_free(v);
    }
    aif_scale_reader_init(&r, p, n);
    aif_scale_skip(reg, type, &r, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_scale_metadata *md = NULL;
    if (aif_scale_metadata_parse(data, size, &md, NULL) != AIF_OK)
        return 0;
    const aif_scale_registry *reg = aif_scale_metadata_registry(md);
    for (size_t i = 0; i < aif_scale_metadata_pallet_count(md); i++) {
        const aif_scale_pallet *p = aif_scale_metadata_pallet(md, i);
        const aif_scale_pallet *q = NULL;
        aif_scale_metadata_find_pallet(md, p->name, &q, NULL);
        for (size_t j = 0; j < p->n_constants; j++)
            decode_blob(reg, p->constants[j].type, p->constants[j].value, p->constants[j].value_len);
        for (size_t j = 0; j < p->n_storage; j++) {
            const aif_scale_storage_entry *e = &p->storage[j];
            decode_blob(reg, e->value_type, e->default_value, e->default_len);
            aif_scale_writer w;
            aif_scale_writer_init(&w);
            aif_scale_storage_key_json(md, p->name, e->name, "[]", &w, NULL);
            /* the entry prefix followed by the default bytes, split as a key */
            aif_scale_put_raw(&w, e->default_value, e->default_len);
            aif_scale_key_part parts[8];
            size_t np;
            if (w.len >= 32)
                aif_scale_storage_key_decode(md, p->name, e->name, w.buf, w.len, parts, 8, &np, NULL);
            aif_scale_writer_release(&w);
        }
        if (p->calls_type >= 0) {
            const aif_scale_type *t = aif_scale_registry_get(reg, (uint32_t)p->calls_type);
            for (size_t j = 0; t && j < t->n_variants; j++) {
                aif_scale_call c;
                aif_scale_metadata_find_call(md, p->name, t->variants[j].name, &c, NULL);
            }
        }
    }
    for (size_t i = 0; i < aif_scale_metadata_api_count(md); i++) {
        const aif_scale_runtime_api *a = aif_scale_metadata_api(md, i);
        for (size_t j = 0; j < a->n_methods; j++) {
            const aif_scale_api_method *m = NULL;
            aif_scale_metadata_find_runtime_api(md, a->name, a->methods[j].name, &m, NULL);
        }
    }
    aif_scale_metadata_free(md);
    return 0;
}
