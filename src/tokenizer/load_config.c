/* load_config.c: tokenizer_config.json and special_tokens_map.json:
 * bos/eos/pad/unk tokens, add_bos_token/add_eos_token, the tokenizer class,
 * model_max_length, clean_up_tokenization_spaces, split_special_tokens. */
#include <string.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "load_int.h"

/* A token setting of tokenizer_config.json / special_tokens_map.json: a
 * string or {"content": ...}; null: none. Returns 1 if the key is present. */
static int config_token(aif_tokenizer *tok, json_t *cfg, const char *key, int32_t *id)
{
    json_t *v = json_object_get(cfg, key);
    if (!v)
        return 0;
    if (json_is_object(v))
        v = json_object_get(v, "content");
    if (json_is_string(v))
        *id = aif_tokenizer_token_to_id(tok, json_string_value(v));
    else
        *id = -1;
    return 1;
}

aif_code aif_tk_load_config(aif_tokenizer *tok, const char *path, int map_only, aif_err *err)
{
    char *text = NULL;
    size_t len = 0;
    aif_code rc = aif_fs_read_file(path, (size_t)64 << 20, &text, &len, err);
    if (rc)
        return rc;
    json_error_t je;
    json_t *cfg = json_loadb(text, len, JSON_DECODE_INT_AS_REAL, &je);
    aif_free(text);
    if (!cfg || !json_is_object(cfg)) {
        json_decref(cfg);
        return aif_err_set(err, AIF_EFORMAT, "%s: line %d column %d: %s", path, je.line, je.column,
                           cfg ? "expected an object" : je.text);
    }
    config_token(tok, cfg, "bos_token", &tok->bos_id);
    config_token(tok, cfg, "eos_token", &tok->eos_id);
    config_token(tok, cfg, "pad_token", &tok->pad_id);
    config_token(tok, cfg, "unk_token", &tok->unk_id);
    if (!map_only) {
        json_t *v;
        if (json_is_boolean(v = json_object_get(cfg, "add_bos_token")))
            tok->add_bos = json_is_true(v);
        if (json_is_boolean(v = json_object_get(cfg, "add_eos_token")))
            tok->add_eos = json_is_true(v);
        tok->clean_spaces = aif_tk_json_bool(cfg, "clean_up_tokenization_spaces", 0);
        tok->split_special = aif_tk_json_bool(cfg, "split_special_tokens", 0);
        v = json_object_get(cfg, "model_max_length");
        if (json_is_number(v) && json_number_value(v) >= 1 && json_number_value(v) < 1e15)
            tok->model_max_length = (size_t)json_number_value(v);
        const char *cls = json_string_value(json_object_get(cfg, "tokenizer_class"));
        static const char *const llama[] = {"LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer",
                                            "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast"};
        for (size_t i = 0; cls && i < sizeof llama / sizeof llama[0]; i++)
            if (!strcmp(cls, llama[i]))
                tok->llama_class = 1;
        if (tok->llama_class) { /* LlamaTokenizerFast defaults */
            if (tok->add_bos < 0)
                tok->add_bos = 1;
            if (tok->add_eos < 0)
                tok->add_eos = 0;
        }
    }
    json_decref(cfg);
    return AIF_OK;
}
