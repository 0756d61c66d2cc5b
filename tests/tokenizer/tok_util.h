/* tok_util.h: helpers shared by the tokenizer tests: build a tokenizer
 * from JSON written with single quotes, and render pieces / ids as text. */
#ifndef AIF_TEST_TOK_UTIL_H
#define AIF_TEST_TOK_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/tokenizer.h"
#include "harness.h"

/* JSON with ' for " (the texts in these tests have no quote characters). */
static inline aif_tokenizer *tk_load_q(const char *qjson, aif_err *err)
{
    size_t n = strlen(qjson);
    char *j = malloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        j[i] = qjson[i] == '\'' ? '"' : qjson[i];
    aif_tokenizer *tok = NULL;
    if (aif_tokenizer_load_mem(j, n, &tok, err) != AIF_OK)
        tok = NULL;
    free(j);
    return tok;
}

struct tk_pieces_text {
    char buf[4096];
    size_t n;
};

static inline int tk_piece_cb(void *arg, const char *s, size_t len, int32_t id)
{
    struct tk_pieces_text *t = arg;
    char idbuf[24] = "";
    if (id >= 0)
        snprintf(idbuf, sizeof idbuf, "#%d", id);
    size_t need = (t->n ? 1 : 0) + len + strlen(idbuf);
    if (t->n + need + 1 > sizeof t->buf)
        return 1;
    if (t->n)
        t->buf[t->n++] = '|';
    memcpy(t->buf + t->n, s, len);
    t->n += len;
    memcpy(t->buf + t->n, idbuf, strlen(idbuf));
    t->n += strlen(idbuf);
    t->buf[t->n] = 0;
    return 0;
}

/* Pieces joined by '|', added tokens marked "#id". */
static inline const char *tk_pieces_str(const aif_tokenizer *tok, const char *text, unsigned flags,
                                        struct tk_pieces_text *t)
{
    aif_err err = {0};
    t->n = 0;
    t->buf[0] = 0;
    if (!tok || aif_tokenizer_pieces(tok, text, strlen(text), flags, tk_piece_cb, t, &err) != AIF_OK) {
        snprintf(t->buf, sizeof t->buf, "error: %s", err.msg[0] ? err.msg : "(no tokenizer)");
        t->n = strlen(t->buf);
    }
    return t->buf;
}

/* Encoded ids as "1 2 3". */
static inline const char *tk_ids_str(const aif_tokenizer *tok, const char *text, size_t len, unsigned flags,
                                     char *buf, size_t cap)
{
    aif_err err = {0};
    aif_token_ids ids = {0};
    buf[0] = 0;
    if (!tok || aif_tokenizer_encode(tok, text, len, flags, &ids, &err) != AIF_OK) {
        aif_token_ids_release(&ids);
        snprintf(buf, cap, "error: %.200s", err.msg);
        return buf;
    }
    size_t k = 0;
    for (size_t i = 0; i < ids.n && k + 16 < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, i ? " %d" : "%d", ids.v[i]);
    aif_token_ids_release(&ids);
    return buf;
}

/* Decoded text of ids (a static buffer per call site is fine in tests). */
static inline const char *tk_decode_str(const aif_tokenizer *tok, const int32_t *ids, size_t n, unsigned flags,
                                        char *buf, size_t cap)
{
    aif_err err = {0};
    char *text = NULL;
    size_t len = 0;
    if (!tok || aif_tokenizer_decode(tok, ids, n, flags, &text, &len, &err) != AIF_OK) {
        snprintf(buf, cap, "error: %.200s", err.msg);
        return buf;
    }
    snprintf(buf, cap, "%s", text);
    aif_free(text);
    return buf;
}

#endif
