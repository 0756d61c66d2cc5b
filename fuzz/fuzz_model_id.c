/* fuzz_model_id.c: parse a commitment string; whatever parses must format
 * (when it fits) and parse back to the same id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aif/subnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_err err;
    aif_subnet_model_id id, back;
    if (aif_subnet_model_id_parse((const char *)data, size, &id, &err))
        return 0;
    (void)aif_subnet_model_id_check(&id, &err);
    char buf[AIF_SUBNET_MAX_METADATA_BYTES + 1];
    if (aif_subnet_model_id_format(&id, buf, sizeof buf, &err))
        return 0;
    if (aif_subnet_model_id_parse(buf, strlen(buf), &back, &err))
        abort();
    /* The 5-field form carries no plain hash. */
    id.hash[0] = 0;
    id.has_hash = 0;
    if (!aif_subnet_model_id_equal(&id, &back))
        abort();
    return 0;
}
