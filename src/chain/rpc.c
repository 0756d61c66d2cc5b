/* rpc.c: JSON-RPC 2.0 over HTTP POST (chain spec 1.2). Transport failures
 * (refused, reset, timeouts, 5xx) are retried a bounded number of times by
 * the http module; a JSON-RPC error object is final and becomes AIF_ERPC
 * with err->status = its code. */
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/log.h"
#include "subtensor_int.h"

aif_code aif_chain_i_rpc_init(st_rpc *r, const char *url, const aif_chain_subtensor_opts *o, aif_err *err)
{
    memset(r, 0, sizeof *r);
    aif_http_opts ho;
    aif_http_opts_default(&ho);
    ho.timeout_s = o->timeout_s;
    ho.connect_timeout_s = o->connect_timeout_s;
    ho.max_attempts = o->max_attempts < 1 ? 1 : o->max_attempts;
    ho.retry_delay_s = o->retry_delay_s;
    ho.retry_max_delay_s = 30;
    ho.max_response_bytes = o->max_response_bytes;
    ho.follow_redirects = 0;
    ho.sleep_fn = o->sleep_fn;
    ho.sleep_ctx = o->clock_ctx;
    r->url = aif_strdup(url);
    if (!r->url)
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    aif_code rc = aif_http_new(&ho, &r->http, err);
    if (rc) {
        aif_free(r->url);
        r->url = NULL;
    }
    r->next_id = 1;
    return rc;
}

void aif_chain_i_rpc_release(st_rpc *r)
{
    aif_http_free(r->http);
    aif_free(r->url);
    memset(r, 0, sizeof *r);
}

aif_code aif_chain_i_rpc_parse(const char *method, const char *body, size_t len, json_t **result, aif_err *err)
{
    *result = NULL;
    json_error_t je;
    json_t *doc = json_loadb(body, len, JSON_DECODE_ANY, &je);
    if (!doc)
        return aif_err_set(err, AIF_EFORMAT, "RPC %s: response is not JSON (line %d: %s)", method, je.line,
                           je.text);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return aif_err_set(err, AIF_EFORMAT, "RPC %s: response is not a JSON object", method);
    }
    json_t *e = json_object_get(doc, "error");
    if (e && !json_is_null(e)) {
        json_t *code = json_object_get(e, "code");
        json_t *msg = json_object_get(e, "message");
        json_t *data = json_object_get(e, "data");
        char dtext[200] = "";
        if (data && json_is_string(data))
            snprintf(dtext, sizeof dtext, " (%s)", json_string_value(data));
        else if (data && !json_is_null(data)) {
            char *d = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
            if (d)
                snprintf(dtext, sizeof dtext, " (%s)", d);
            free(d);
        }
        long long c = json_is_integer(code) ? json_integer_value(code) : 0;
        aif_code rc = aif_err_set(err, AIF_ERPC, "RPC %s: error %lld: %s%s", method, c,
                                  json_is_string(msg) ? json_string_value(msg) : "(no message)", dtext);
        if (err)
            err->status = (int)c;
        json_decref(doc);
        return rc;
    }
    json_t *res = json_object_get(doc, "result");
    if (!res) {
        json_decref(doc);
        return aif_err_set(err, AIF_EFORMAT, "RPC %s: response has neither \"result\" nor \"error\"", method);
    }
    json_incref(res);
    json_decref(doc);
    *result = res;
    return AIF_OK;
}

aif_code aif_chain_i_rpc_call(st_rpc *r, const char *method, json_t *params, json_t **result, aif_err *err)
{
    *result = NULL;
    json_t *req = json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id", (json_int_t)r->next_id++, "method",
                            method, "params", params ? params : json_array());
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body)
        return aif_err_set(err, AIF_ENOMEM, "RPC %s: out of memory", method);
    const char *headers[] = {"Content-Type: application/json", "Accept: application/json", NULL};
    aif_http_request hr = {.method = "POST", .url = r->url, .headers = headers, .body = body,
                           .body_len = strlen(body)};
    aif_http_response resp = {0};
    r->calls++;
    aif_log(AIF_LOG_DEBUG, "rpc: %s %.200s", method, body);
    aif_code rc = aif_http_request_send(r->http, &hr, &resp, err);
    free(body);
    if (rc) {
        /* A node answers JSON-RPC errors with HTTP 200, but proxies may use
         * 4xx/5xx with a JSON-RPC body; prefer that message. */
        if (resp.body && resp.body_len) {
            json_t *tmp = NULL;
            aif_err e2 = {0};
            if (aif_chain_i_rpc_parse(method, resp.body, resp.body_len, &tmp, &e2) == AIF_ERPC) {
                if (err)
                    *err = e2;
                rc = AIF_ERPC;
            }
            json_decref(tmp);
        }
        aif_http_response_release(&resp);
        if (rc != AIF_ERPC)
            aif_err_wrap(err, "RPC %s", method);
        return rc;
    }
    rc = aif_chain_i_rpc_parse(method, resp.body ? resp.body : "", resp.body_len, result, err);
    aif_http_response_release(&resp);
    return rc;
}

aif_code aif_chain_rpc_parse_response(const char *method, const char *body, size_t len, char **result_json,
                                      aif_err *err)
{
    *result_json = NULL;
    json_t *res = NULL;
    aif_code rc = aif_chain_i_rpc_parse(method ? method : "?", body, len, &res, err);
    if (rc)
        return rc;
    char *s = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(res);
    if (!s)
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    *result_json = aif_strdup(s);
    free(s);
    return *result_json ? AIF_OK : aif_err_set(err, AIF_ENOMEM, "out of memory");
}

/* ------------------------------------------------------------- hex helpers */

aif_code aif_chain_i_hex_bytes(const json_t *v, const char *what, uint8_t **out, size_t *n, aif_err *err)
{
    *out = NULL;
    *n = 0;
    if (!json_is_string(v))
        return aif_err_set(err, AIF_EFORMAT, "%s: expected a hex string", what);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    size_t cap = len / 2 + 1;
    uint8_t *b = aif_malloc(cap);
    if (!b)
        return aif_err_set(err, AIF_ENOMEM, "%s: out of memory for %zu bytes", what, cap);
    aif_code rc = aif_crypto_hex_decode(s, len, b, cap, n, err);
    if (rc) {
        aif_free(b);
        *n = 0;
        return aif_err_wrap(err, "%s", what), rc;
    }
    *out = b;
    return AIF_OK;
}

aif_code aif_chain_i_hex_fixed(const json_t *v, const char *what, uint8_t *out, size_t n, aif_err *err)
{
    uint8_t *b;
    size_t got;
    aif_code rc = aif_chain_i_hex_bytes(v, what, &b, &got, err);
    if (rc)
        return rc;
    if (got != n) {
        aif_free(b);
        return aif_err_set(err, AIF_EFORMAT, "%s: expected %zu bytes, got %zu", what, n, got);
    }
    memcpy(out, b, n);
    aif_free(b);
    return AIF_OK;
}

char *aif_chain_i_hex_str(const uint8_t *p, size_t n)
{
    char *s = aif_malloc(2 * n + 3);
    if (!s)
        return NULL;
    s[0] = '0';
    s[1] = 'x';
    aif_crypto_hex_encode(p, n, s + 2);
    return s;
}

json_t *aif_chain_i_hex_json(const uint8_t *p, size_t n)
{
    char *s = aif_chain_i_hex_str(p, n);
    json_t *j = s ? json_string(s) : NULL;
    aif_free(s);
    return j;
}
