/* fuzz_tokenizer_json.c: aif_tokenizer_load_mem on arbitrary bytes; when
 * a tokenizer loads, encode and decode a few fixed texts with it. */
#include <stdint.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_tokenizer *tok = NULL;
    aif_err err;
    if (aif_tokenizer_load_mem((const char *)data, size, &tok, &err) != AIF_OK)
        return 0;
    static const char *const texts[] = {"Hello world", "  a\tb\n\n", "<s>x</s>", "\xC3\xA9\xE4\xBD\xA0 123", ""};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        aif_token_ids ids = {0};
        if (aif_tokenizer_encode(tok, texts[i], strlen(texts[i]), AIF_TOK_ADD_SPECIAL, &ids, &err) == AIF_OK) {
            char *text = NULL;
            size_t len = 0;
            if (aif_tokenizer_decode(tok, ids.v, ids.n, AIF_TOK_SKIP_SPECIAL, &text, &len, &err) == AIF_OK)
                aif_free(text);
        }
        aif_token_ids_release(&ids);
    }
    for (int32_t id = -1; id < 8; id++)
        (void)aif_tokenizer_id_to_token(tok, id);
    (void)aif_tokenizer_vocab_size(tok);
    aif_tokenizer_free(tok);
    return 0;
}
