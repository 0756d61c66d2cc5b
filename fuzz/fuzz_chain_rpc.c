/* fuzz_chain_rpc.c: JSON-RPC response bodies as the subtensor client reads
 * them (aif_chain_rpc_parse_response): result, error objects with any
 * code/message/data, malformed JSON. What parses must re-parse to the same
 * result text. */
#include <stdint.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    char *res = NULL;
    aif_err err;
    aif_code rc = aif_chain_rpc_parse_response("fuzz", (const char *)data, size, &res, &err);
    if (rc == AIF_OK) {
        if (!res)
            __builtin_trap();
        /* {"result": <res>} parses back to the same text */
        size_t n = strlen(res);
        char *doc = aif_malloc(n + 16);
        if (doc) {
            memcpy(doc, "{\"result\":", 10);
            memcpy(doc + 10, res, n);
            doc[10 + n] = '}';
            char *again = NULL;
            if (aif_chain_rpc_parse_response("fuzz", doc, n + 11, &again, &err) != AIF_OK || strcmp(again, res))
                __builtin_trap();
            aif_free(again);
            aif_free(doc);
        }
        aif_free(res);
    } else if (res || (rc != AIF_ERPC && rc != AIF_EFORMAT && rc != AIF_ENOMEM)) {
        __builtin_trap();
    }
    return 0;
}
