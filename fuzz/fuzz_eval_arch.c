/* fuzz_eval_arch.c: the auto-class lookup of config.json
 * (aif_eval_arch_parse) on arbitrary bytes: on success the class name is
 * a NUL-terminated string that fits its buffer; on failure it is empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aif/eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char arch[AIF_EVAL_ARCH_MAX];
    aif_err err;
    memset(arch, 'x', sizeof arch);
    aif_code rc = aif_eval_arch_parse((const char *)data, size, "fuzz", arch, &err);
    size_t n = strnlen(arch, sizeof arch);
    if (n == sizeof arch || (rc == AIF_OK && n == 0) || (rc != AIF_OK && n != 0))
        abort();
    return 0;
}
