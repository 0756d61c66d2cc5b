/* fuzz_local_dir.c: the local subnet's local.json parser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aif/local.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_local_dir d;
    aif_err err;
    memset(&d, 0, sizeof d);
    if (aif_local_dir_parse((const char *)data, size, "fuzz", &d, &err) == AIF_OK &&
        (d.params.tempo == 0 || d.block_time < 0))
        __builtin_trap(); /* the parser promised a usable configuration */
    return 0;
}
