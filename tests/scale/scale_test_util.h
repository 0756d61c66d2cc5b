/* scale_test_util.h: helpers shared by the tests of tests/scale/. */
#ifndef AIF_SCALE_TEST_UTIL_H
#define AIF_SCALE_TEST_UTIL_H

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"
#include "aif/scale.h"
#include "harness.h"

/* Hex text -> malloc'd bytes (NULL on bad hex). */
static inline uint8_t *st_unhex(const char *hex, size_t *n)
{
    size_t len = strlen(hex);
    uint8_t *b = malloc(len / 2 + 1);
    aif_err err = {0};
    if (!b || aif_crypto_hex_decode(hex, len, b, len / 2 + 1, n, &err)) {
        free(b);
        return NULL;
    }
    return b;
}

static inline char *st_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 3);
    s[0] = '0';
    s[1] = 'x';
    aif_crypto_hex_encode(p, n, s + 2);
    return s;
}

/* Load chain/<name> metadata hex from the shared testdata. */
static inline aif_scale_metadata *st_load_metadata(const char *rel)
{
    char *buf = NULL;
    size_t n = 0;
    aif_err err = {0};
    aif_scale_metadata *md = NULL;
    if (aif_fs_read_file(aif_test_path(rel), 8u << 20, &buf, &n, &err)) {
        aif_test_fail(__FILE__, __LINE__, "%s: %s", rel, err.msg);
        return NULL;
    }
    if (aif_scale_metadata_parse_hex(buf, n, &md, &err))
        aif_test_fail(__FILE__, __LINE__, "%s: %s", rel, err.msg);
    aif_free(buf);
    return md;
}

/* Decode hex with `type` (all bytes must be used), return the JSON parsed by jansson. */
static inline json_t *st_decode_json(const aif_scale_registry *reg, uint32_t type, const char *hex, unsigned flags,
                                     aif_err *err)
{
    size_t n = 0;
    uint8_t *b = st_unhex(hex, &n);
    if (!b) {
        aif_err_set(err, AIF_EFORMAT, "bad hex");
        return NULL;
    }
    aif_scale_reader r;
    aif_scale_reader_init(&r, b, n);
    aif_scale_value *v = NULL;
    json_t *j = NULL;
    if (!aif_scale_value_decode(reg, type, &r, &v, err)) {
        if (r.pos != r.len) {
            aif_err_set(err, AIF_EFORMAT, "decode used %zu of %zu bytes", r.pos, r.len);
        } else {
            char *text = NULL;
            if (!aif_scale_value_to_json(reg, v, flags, &text, NULL, err)) {
                json_error_t je;
                j = json_loads(text, JSON_DECODE_ANY, &je);
                if (!j)
                    aif_err_set(err, AIF_EFORMAT, "own JSON does not parse: %s", je.text);
            }
            aif_free(text);
        }
        aif_scale_value_free(v);
    }
    free(b);
    return j;
}

#endif
