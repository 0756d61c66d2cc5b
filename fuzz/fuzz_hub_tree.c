/* fuzz_hub_tree.c: a tree listing page (hub spec 2.2), parsed twice into
 * the same listing as pagination does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aif/hub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_err err;
    aif_hub_hf_info info;
    memset(&info, 0, sizeof info);
    for (int page = 0; page < 2; page++) {
        size_t before = info.n;
        if (aif_hub_hf_parse_tree((const char *)data, size, &info, &err) != AIF_OK)
            break;
        for (size_t i = before; i < info.n; i++)
            if (!info.files[i].path || (!info.files[i].is_dir && strlen(info.files[i].oid) != 40))
                abort();
    }
    aif_hub_hf_info_release(&info);
    return 0;
}
