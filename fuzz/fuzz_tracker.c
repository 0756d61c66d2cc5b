/* fuzz_tracker.c: the competition tracker state file, then one EMA step and
 * the subnet weights on whatever loads. */
#include <stdint.h>
#include <stdlib.h>

#include "aif/subnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_err err;
    aif_subnet_tracker *t;
    if (aif_subnet_tracker_parse((const char *)data, size, "fuzz", &t, &err))
        return 0;
    size_t n = aif_subnet_tracker_num_neurons(t);
    float *w = calloc(n + 1, sizeof *w), *out = calloc(n + 1, sizeof *out);
    if (w && out && n) {
        w[0] = 1;
        aif_subnet_tracker_record(t, 1, w, n, &err);
        aif_subnet_competition c = {0};
        c.id = 1;
        aif_subnet_slot slot = {&c, 1.0};
        aif_subnet_schedule_entry e = {0, &slot, 1};
        aif_subnet_tracker_subnet_weights(t, &e, out);
    }
    free(w);
    free(out);
    aif_subnet_tracker_free(t);
    return 0;
}
