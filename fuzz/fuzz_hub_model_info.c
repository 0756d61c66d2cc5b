/* fuzz_hub_model_info.c: the Hub's model info answer (hub spec 2.1). What
 * parses must have a 40-hex commit or none, and safe sizes to sum. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aif/hub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_err err;
    aif_hub_hf_info info;
    if (aif_hub_hf_parse_model_info((const char *)data, size, &info, &err) == AIF_OK) {
        size_t n = strlen(info.sha);
        if (n != 0 && n != 40)
            abort();
        for (size_t i = 0; i < info.n; i++)
            if (!info.files[i].path || (info.files[i].is_lfs && strlen(info.files[i].sha256) != 64))
                abort();
        (void)aif_hub_hf_info_bytes(&info);
        aif_hub_hf_info_release(&info);
    }
    return 0;
}
