/* json.h: a small streaming JSON writer for command output and file
 * headers (jansson parses; this writes with a fixed, compact layout).
 * Commas and nesting are tracked here; strings are escaped per RFC 8259
 * (input must be UTF-8; control characters become \u00XX). */
#ifndef AIF_JSON_H
#define AIF_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct aif_json {
    FILE *f;            /* destination (may be a memstream) */
    int depth;
    int pretty;         /* newline + indent per element */
    int after_key;      /* the next value follows a key: no comma */
    unsigned char first[64]; /* per depth: no element written yet */
} aif_json;

void aif_json_init(aif_json *j, FILE *f, int pretty);
void aif_json_obj_begin(aif_json *j);
void aif_json_obj_end(aif_json *j);
void aif_json_arr_begin(aif_json *j);
void aif_json_arr_end(aif_json *j);
void aif_json_key(aif_json *j, const char *key);       /* inside an object */
void aif_json_str(aif_json *j, const char *s);
void aif_json_strn(aif_json *j, const char *s, size_t n);
void aif_json_int(aif_json *j, int64_t v);
void aif_json_uint(aif_json *j, uint64_t v);
void aif_json_num(aif_json *j, double v);              /* %.17g; NaN/Inf written as null */
void aif_json_bool(aif_json *j, int v);
void aif_json_null(aif_json *j);
/* Shorthands for key + value. */
void aif_json_kstr(aif_json *j, const char *key, const char *s);
void aif_json_kint(aif_json *j, const char *key, int64_t v);
void aif_json_knum(aif_json *j, const char *key, double v);
void aif_json_kbool(aif_json *j, const char *key, int v);
/* Finish the document with a newline. */
void aif_json_end(aif_json *j);

#endif
