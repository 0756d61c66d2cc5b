/* fuzz_data_rows.c: the datasets-server body decoders on arbitrary bytes:
 * /rows pages (with every row's text choice), /size, /splits and error
 * bodies. The first byte picks the decoder so one corpus covers all. */
#include <stdint.h>
#include <string.h>

#include "aif/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *json = (const char *)data + 1;
    size_t len = size - 1;
    aif_err err;
    switch (data[0] % 4) {
    case 0: {
        aif_data_page p;
        if (aif_data_page_parse(json, len, "fuzz/ds", 1, &p, &err) == AIF_OK) {
            for (size_t i = 0; i < p.n_rows; i++) {
                const char *t;
                size_t n;
                if (aif_data_row_text(&p, i, &t, &n, &err) == AIF_OK && n)
                    (void)t[n - 1];
            }
            aif_data_page_release(&p);
        }
        break;
    }
    case 1: {
        aif_data_size s;
        if (aif_data_size_parse(json, len, &s, &err) == AIF_OK)
            aif_data_size_release(&s);
        break;
    }
    case 2: {
        aif_data_split *v;
        size_t n;
        if (aif_data_splits_parse(json, len, &v, &n, &err) == AIF_OK)
            aif_data_splits_free(v, n);
        break;
    }
    default: {
        char out[256];
        aif_data_error_message(json, len, out, sizeof out);
        break;
    }
    }
    return 0;
}
