/* load_int.h: what the tokenizer.json loading files share (load.c,
 * load_components.c, load_model.c, load_config.c): jansson helpers and the
 * component parsers. Nothing outside src/tokenizer includes this. */
#ifndef AIF_TOKENIZER_LOAD_INT_H
#define AIF_TOKENIZER_LOAD_INT_H

#include <jansson.h>

#include "tok_int.h"

#define MAX_JSON_BYTES ((size_t)512 << 20)
#define MAX_VOCAB_ID (1 << 22) /* largest real vocabularies: ~260k */
#define MAX_DEPTH 16

aif_code aif_tk_load_oom(aif_err *err);
const char *aif_tk_json_type(json_t *j);               /* "type", or "(no type)" */
int aif_tk_json_bool(json_t *j, const char *key, int dflt);
char *aif_tk_dup(const char *s, size_t n);            /* NUL-terminated copy (aif_free) */
int aif_tk_json_utf8(json_t *s);                      /* the string is valid UTF-8 */
/* A "pattern": {"String": s} or {"Regex": r}. */
aif_code aif_tk_json_pattern(json_t *j, const char *what, aif_tk_regex **re, aif_err *err);
/* A one-character string (null: dflt). */
aif_code aif_tk_json_char(json_t *s, const char *what, int32_t dflt, int32_t *cp, aif_err *err);

/* load_components.c */
aif_code aif_tk_parse_norm(json_t *j, aif_tk_norm *nm, int depth, aif_err *err);
aif_code aif_tk_parse_pre(json_t *j, aif_tk_pre *pre, int depth, aif_err *err);
aif_code aif_tk_parse_dec(json_t *j, aif_tk_dec *d, int depth, aif_err *err);
aif_code aif_tk_parse_post(json_t *j, aif_tk_post *pp, int depth, aif_err *err);
/* load_model.c: "model" (BPE or Unigram) */
aif_code aif_tk_parse_model(json_t *j, aif_tk_bpe *m, aif_err *err);
/* load_config.c: tokenizer_config.json (map_only: special_tokens_map.json) */
aif_code aif_tk_load_config(aif_tokenizer *tok, const char *path, int map_only, aif_err *err);

#endif
