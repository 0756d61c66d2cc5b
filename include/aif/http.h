/* http.h: the HTTP client every network module of aif shares (hub, data,
 * chain). It wraps libcurl; nothing of libcurl shows in this header.
 *
 * One aif_http object owns one curl easy handle (connection reuse, TLS
 * session), so an object is used by one thread at a time; make one per
 * thread. The only global state is curl_global_init, run once through
 * pthread_once.
 *
 * A request is tried up to opts.max_attempts times. Retried: connection
 * failures (AIF_ENET: refused, reset, closed mid-body), timeouts
 * (AIF_ETIMEOUT) and HTTP 408/429/5xx (AIF_EHTTP). The wait before attempt
 * k+1 is retry_delay_s * backoff^(k-1), capped at retry_max_delay_s; a 429
 * or 503 with `Retry-After: <seconds>` waits max(that, the backoff wait)
 * (capped at retry_max_delay_s, HTTP-date forms ignored). Other statuses >= 400
 * fail at once with AIF_EHTTP and err->status = the status. A response
 * body above opts.max_response_bytes fails with AIF_ERANGE (not retried).
 * A streaming request (on_data set) is retried only while nothing has been
 * handed to the callback yet.
 *
 * Error messages name the method, the URL, the status and a short excerpt
 * of the body: "GET http://h/rows?x=1: HTTP 500: {"error":"..."}".
 * Sleeping goes through opts.sleep_fn so tests can record the waits.
 */
#ifndef AIF_HTTP_H
#define AIF_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "aif/err.h"

#define AIF_HTTP_DEFAULT_MAX_BYTES (64u * 1024u * 1024u)
#define AIF_HTTP_HF_ENDPOINT "https://huggingface.co"

typedef struct aif_http aif_http;

/* Called with each piece of a streamed body; return nonzero to abort
 * (the request then fails with AIF_ECANCELED). */
typedef int (*aif_http_data_fn)(void *ctx, const void *data, size_t len);
/* Sleeps `seconds` (default: nanosleep). */
typedef void (*aif_http_sleep_fn)(void *ctx, double seconds);

typedef struct aif_http_opts {
    const char *user_agent;     /* NULL: "aif/<AIF_VERSION>" */
    const char *token;          /* sent as "Authorization: Bearer <token>"; NULL: none */
    double connect_timeout_s;   /* per attempt; default 10 */
    double timeout_s;           /* whole attempt, transfer included; 0: none; default 60 */
    double stall_timeout_s;     /* fail when under 1 byte/s for this long; 0: off (default) */
    int max_attempts;           /* >= 1; default 5 (1 = no retry) */
    double retry_delay_s;       /* wait before the 2nd attempt; default 1 */
    double backoff;             /* multiplier per further attempt; default 2 */
    double retry_max_delay_s;   /* cap of any wait, Retry-After included; default 60 */
    size_t max_response_bytes;  /* default AIF_HTTP_DEFAULT_MAX_BYTES */
    int follow_redirects;       /* default 1 (at most 10) */
    aif_http_sleep_fn sleep_fn; /* NULL: real sleep */
    void *sleep_ctx;
} aif_http_opts;

/* Fill opts with the defaults above. */
void aif_http_opts_default(aif_http_opts *opts);

/* opts NULL: defaults. Strings in opts are copied. */
aif_code aif_http_new(const aif_http_opts *opts, aif_http **out, aif_err *err);
void aif_http_free(aif_http *http);

typedef struct aif_http_request {
    const char *method;          /* NULL: "GET" ("POST" when body is set) */
    const char *url;
    const char *const *headers;  /* "Name: value" lines, NULL-terminated; NULL: none */
    const void *body;            /* request body (POST/PUT); NULL: none */
    size_t body_len;
    aif_http_data_fn on_data;    /* set: stream the body here instead of keeping it */
    void *on_data_ctx;
} aif_http_request;

typedef struct aif_http_response {
    int status;          /* final HTTP status */
    char *body;          /* NUL-terminated (NULL when streamed) */
    size_t body_len;
    char *headers;       /* raw header block of the final response, "\r\n" lines */
    char *url;           /* effective URL after redirects */
    int attempts;        /* attempts made (also filled when the call fails) */
} aif_http_response;

/* Perform req. On AIF_OK the status is < 400 and resp holds the result;
 * on failure resp->status/attempts still say what happened last and any
 * body of an HTTP error is kept in resp->body. Always release resp. */
aif_code aif_http_request_send(aif_http *http, const aif_http_request *req, aif_http_response *resp, aif_err *err);
/* Shorthands. */
aif_code aif_http_get(aif_http *http, const char *url, aif_http_response *resp, aif_err *err);
aif_code aif_http_post(aif_http *http, const char *url, const char *content_type, const void *body, size_t len,
                       aif_http_response *resp, aif_err *err);
void aif_http_response_release(aif_http_response *resp);

/* Value of the last header `name` (case-insensitive) of the final
 * response, copied to out (trimmed, truncated to cap-1). Returns 1 if
 * present, 0 if not. */
int aif_http_response_header(const aif_http_response *resp, const char *name, char *out, size_t cap);

/* Whether a failure with this code/status is worth another attempt. */
int aif_http_retryable(aif_code code, int status);

/* Percent-encode s for a query value (RFC 3986 unreserved kept). Returns
 * a heap string (aif_free), NULL on ENOMEM. */
char *aif_http_escape(const char *s);

/* The Hugging Face token as huggingface_hub finds it: $HF_TOKEN, else
 * $HUGGING_FACE_HUB_TOKEN, else the file $HF_TOKEN_PATH, else
 * $HF_HOME/token, else $XDG_CACHE_HOME/huggingface/token, else
 * ~/.cache/huggingface/token. \r and \n are removed and blanks trimmed;
 * an empty result counts as none. Returns 1 and fills out, or 0. */
int aif_http_hf_token(char *out, size_t cap);
/* $HF_ENDPOINT without trailing '/', else AIF_HTTP_HF_ENDPOINT. */
void aif_http_hf_endpoint(char *out, size_t cap);

#endif
