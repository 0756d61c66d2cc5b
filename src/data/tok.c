/* tok.c: the aif_data_tok table over a loaded aif_tokenizer. */
#include "aif/data.h"

static aif_code enc(void *ctx, const char *text, size_t len, unsigned flags, aif_token_ids *out, aif_err *err)
{
    return aif_tokenizer_encode(ctx, text, len, flags, out, err);
}

static aif_code dec(void *ctx, const int32_t *ids, size_t n, unsigned flags, char **text, size_t *len, aif_err *err)
{
    return aif_tokenizer_decode(ctx, ids, n, flags, text, len, err);
}

aif_code aif_data_tok_init(aif_data_tok *t, const aif_tokenizer *tok, aif_err *err)
{
    if (!tok)
        return aif_err_set(err, AIF_EINVAL, "data: no tokenizer");
    int32_t eos = aif_tokenizer_eos_id(tok);
    if (eos < 0)
        return aif_err_set(err, AIF_EINVAL, "data: the tokenizer has no EOS token (eos_token_id is needed to separate documents)");
    t->ctx = (void *)tok;
    t->encode = enc;
    t->decode = dec;
    t->eos_id = eos;
    return AIF_OK;
}
