/* http.c: the libcurl-based client of http.h (requests, retries, limits,
 * error messages). */
#include "aif/http.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "aif/aif.h"

#define MAX_HEADER_BYTES (256u * 1024u)
#define EXCERPT 200

struct aif_http {
    CURL *curl;
    aif_http_opts o;
    char *user_agent;
    char *auth;          /* "Authorization: Bearer ..." or NULL */
    char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void) { global_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

void aif_http_opts_default(aif_http_opts *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_s = 10;
    o->timeout_s = 60;
    o->max_attempts = 5;
    o->retry_delay_s = 1;
    o->backoff = 2;
    o->retry_max_delay_s = 60;
    o->max_response_bytes = AIF_HTTP_DEFAULT_MAX_BYTES;
    o->follow_redirects = 1;
}

aif_code aif_http_new(const aif_http_opts *opts, aif_http **out, aif_err *err)
{
    *out = NULL;
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return aif_err_set(err, AIF_ENET, "curl_global_init: %s", curl_easy_strerror(global_rc));
    aif_http *h = aif_calloc_err(1, sizeof *h, "http client", err);
    if (!h)
        return AIF_ENOMEM;
    if (opts)
        h->o = *opts;
    else
        aif_http_opts_default(&h->o);
    if (h->o.max_attempts < 1)
        h->o.max_attempts = 1;
    if (h->o.max_response_bytes == 0)
        h->o.max_response_bytes = AIF_HTTP_DEFAULT_MAX_BYTES;
    h->user_agent = aif_strdup(h->o.user_agent ? h->o.user_agent : "aif/" AIF_VERSION);
    if (h->o.token && h->o.token[0]) {
        size_t n = strlen(h->o.token) + 32;
        h->auth = aif_malloc(n);
        if (h->auth)
            snprintf(h->auth, n, "Authorization: Bearer %s", h->o.token);
    }
    h->o.user_agent = NULL;
    h->o.token = NULL;
    h->curl = curl_easy_init();
    if (!h->user_agent || (h->o.token && !h->auth) || !h->curl) {
        aif_http_free(h);
        return aif_err_set(err, AIF_ENOMEM, "out of memory creating the HTTP client");
    }
    *out = h;
    return AIF_OK;
}

void aif_http_free(aif_http *h)
{
    if (!h)
        return;
    if (h->curl)
        curl_easy_cleanup(h->curl);
    aif_free(h->user_agent);
    aif_free(h->auth);
    aif_free(h);
}

void aif_http_response_release(aif_http_response *r)
{
    if (!r)
        return;
    aif_free(r->body);
    aif_free(r->headers);
    aif_free(r->url);
    r->body = r->headers = r->url = NULL;
    r->body_len = 0;
}

/* ---------------------------------------------------------------- buffers */

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

/* Append; -1 on ENOMEM. Keeps a NUL after the data. */
static int buf_add(buf *b, const void *d, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = aif_realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
    b->p[b->n] = 0;
    return 0;
}

typedef struct xfer {
    aif_http *h;
    const aif_http_request *req;
    buf body, hdr;
    size_t delivered;    /* bytes handed to on_data */
    int too_big, canceled, nomem;
} xfer;

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb;
    long status = 0;
    curl_easy_getinfo(x->h->curl, CURLINFO_RESPONSE_CODE, &status);
    if (x->req->on_data && status < 300) {
        if (x->req->on_data(x->req->on_data_ctx, ptr, n)) {
            x->canceled = 1;
            return 0;
        }
        x->delivered += n;
        return n;
    }
    if (x->body.n + n > x->h->o.max_response_bytes) {
        x->too_big = 1;
        return 0;
    }
    if (buf_add(&x->body, ptr, n)) {
        x->nomem = 1;
        return 0;
    }
    return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb;
    if (n >= 5 && !memcmp(ptr, "HTTP/", 5)) /* a new response (redirect, 100) */
        x->hdr.n = 0;
    if (x->hdr.n + n > MAX_HEADER_BYTES)
        return n; /* drop the excess silently; the status line is kept */
    if (buf_add(&x->hdr, ptr, n)) {
        x->nomem = 1;
        return 0;
    }
    return n;
}

/* ---------------------------------------------------------------- helpers */

static int find_header(const char *block, const char *name, char *out, size_t cap)
{
    if (!block)
        return 0;
    size_t nl = strlen(name);
    int found = 0;
    for (const char *line = block; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > nl && line[nl] == ':' && !strncasecmp(line, name, nl)) {
            const char *v = line + nl + 1, *e = line + len;
            while (v < e && (*v == ' ' || *v == '\t'))
                v++;
            while (e > v && isspace((unsigned char)e[-1]))
                e--;
            if (cap) {
                size_t k = (size_t)(e - v) < cap - 1 ? (size_t)(e - v) : cap - 1;
                memcpy(out, v, k);
                out[k] = 0;
            }
            found = 1;
        }
        if (!end)
            break;
        line = end + 1;
    }
    return found;
}

int aif_http_response_header(const aif_http_response *r, const char *name, char *out, size_t cap)
{
    return find_header(r ? r->headers : NULL, name, out, cap);
}

int aif_http_retryable(aif_code code, int status)
{
    if (code == AIF_ENET || code == AIF_ETIMEOUT)
        return 1;
    if (code == AIF_EHTTP)
        return status == 408 || status == 429 || (status >= 500 && status <= 599);
    return 0;
}

/* Printable excerpt of a body for messages. */
static void excerpt(const char *body, size_t len, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < len && k + 4 < cap && i < EXCERPT; i++) {
        unsigned char c = (unsigned char)body[i];
        out[k++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    if (len > EXCERPT && k + 4 < cap) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
}

static void default_sleep(void *ctx, double s)
{
    (void)ctx;
    if (!(s > 0))
        return;
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static aif_code map_curl(CURLcode rc, const xfer *x, const char *method, const char *url, const char *detail,
                         aif_err *err)
{
    if (x->too_big)
        return aif_err_set(err, AIF_ERANGE, "%s %s: response body above the limit of %zu bytes", method, url,
                           x->h->o.max_response_bytes);
    if (x->canceled)
        return aif_err_set(err, AIF_ECANCELED, "%s %s: canceled by the data callback", method, url);
    if (x->nomem || rc == CURLE_OUT_OF_MEMORY)
        return aif_err_set(err, AIF_ENOMEM, "%s %s: out of memory", method, url);
    const char *what = detail && detail[0] ? detail : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return aif_err_set(err, AIF_ETIMEOUT, "%s %s: timed out: %s", method, url, what);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return aif_err_set(err, AIF_EINVAL, "%s %s: bad URL: %s", method, url, what);
    case CURLE_PARTIAL_FILE:
        return aif_err_set(err, AIF_ENET, "%s %s: connection closed mid-body: %s", method, url, what);
    default:
        return aif_err_set(err, AIF_ENET, "%s %s: %s", method, url, what);
    }
}

/* One attempt. Fills resp (status, headers, body) and err. */
static aif_code attempt(aif_http *h, const aif_http_request *req, const char *method, aif_http_response *resp,
                        int *delivered, aif_err *err)
{
    CURL *c = h->curl;
    *delivered = 0;
    curl_easy_reset(c);
    xfer x = {.h = h, .req = req};
    struct curl_slist *hl = NULL, *t;
    aif_code rc = AIF_OK;

    h->errbuf[0] = 0;
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, h->user_agent);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(h->o.connect_timeout_s * 1000));
    if (h->o.timeout_s > 0)
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(h->o.timeout_s * 1000));
    if (h->o.stall_timeout_s > 0) {
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)ceil(h->o.stall_timeout_s));
    }
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, h->o.follow_redirects ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* whatever curl can decode */
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    if (h->o.max_response_bytes < (size_t)INT64_MAX)
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->o.max_response_bytes);

    if (!strcmp(method, "HEAD")) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (!strcmp(method, "POST")) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
    } else if (strcmp(method, "GET")) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        if (req->body) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)req->body);
        }
    }
    for (const char *const *p = req->headers; p && *p; p++) {
        if (!(t = curl_slist_append(hl, *p)))
            goto nomem;
        hl = t;
    }
    if (h->auth) {
        if (!(t = curl_slist_append(hl, h->auth)))
            goto nomem;
        hl = t;
    }
    if (!(t = curl_slist_append(hl, "Expect:"))) /* no 100-continue round trip */
        goto nomem;
    hl = t;
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);

    CURLcode cr = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    resp->status = (int)status;
    char *eff = NULL;
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
    aif_free(resp->url);
    resp->url = aif_strdup(eff ? eff : req->url);
    aif_free(resp->headers);
    resp->headers = x.hdr.p;
    x.hdr.p = NULL;
    aif_free(resp->body);
    resp->body = x.body.p;
    resp->body_len = x.body.n;
    x.body.p = NULL;
    if (!resp->body && !req->on_data) {
        resp->body = aif_strdup("");
        if (!resp->body)
            x.nomem = 1;
    }

    if (cr == CURLE_FILESIZE_EXCEEDED)
        x.too_big = 1;
    if (cr != CURLE_OK || x.nomem) {
        rc = map_curl(cr, &x, method, req->url, h->errbuf, err);
    } else if (status >= 400) {
        char ex[EXCERPT + 8];
        excerpt(resp->body ? resp->body : "", resp->body_len, ex, sizeof ex);
        rc = aif_err_set(err, AIF_EHTTP, "%s %s: HTTP %ld%s%s", method, req->url, status, ex[0] ? ": " : "", ex);
        if (err)
            err->status = (int)status;
    }
    curl_slist_free_all(hl);
    *delivered = x.delivered > 0; /* a stream that delivered data cannot be replayed */
    return rc;

nomem:
    curl_slist_free_all(hl);
    return aif_err_set(err, AIF_ENOMEM, "%s %s: out of memory building headers", method, req->url);
}

static double retry_after(const aif_http_response *r)
{
    char v[64];
    if (!aif_http_response_header(r, "Retry-After", v, sizeof v))
        return -1;
    char *end;
    errno = 0;
    double s = strtod(v, &end);
    if (end == v || *end || errno || !(s >= 0))
        return -1; /* HTTP-date form: ignored */
    return s;
}

aif_code aif_http_request_send(aif_http *h, const aif_http_request *req, aif_http_response *resp, aif_err *err)
{
    memset(resp, 0, sizeof *resp);
    if (!h || !req || !req->url)
        return aif_err_set(err, AIF_EINVAL, "http: no client or no URL");
    const char *method = req->method ? req->method : req->body ? "POST" : "GET";
    aif_http_sleep_fn sleep_fn = h->o.sleep_fn ? h->o.sleep_fn : default_sleep;
    double wait = h->o.retry_delay_s;
    aif_code rc = AIF_OK;
    for (int k = 1; k <= h->o.max_attempts; k++) {
        resp->attempts = k;
        aif_err_clear(err);
        int streamed = 0;
        rc = attempt(h, req, method, resp, &streamed, err);
        if (rc == AIF_OK)
            return AIF_OK;
        if (streamed || k == h->o.max_attempts || !aif_http_retryable(rc, resp->status))
            break;
        double w = wait;
        if (resp->status == 429 || resp->status == 503) {
            double ra = retry_after(resp);
            if (ra > w)
                w = ra;
        }
        if (w > h->o.retry_max_delay_s)
            w = h->o.retry_max_delay_s;
        aif_log(AIF_LOG_DEBUG, "http: %s %s failed (%s), retrying in %.3g s (attempt %d of %d)", method, req->url,
                err ? err->msg : aif_code_name(rc), w, k + 1, h->o.max_attempts);
        sleep_fn(h->o.sleep_ctx, w);
        wait *= h->o.backoff > 0 ? h->o.backoff : 1;
    }
    if (resp->attempts > 1 && err)
        aif_err_wrap(err, "after %d attempts", resp->attempts);
    return rc;
}

aif_code aif_http_get(aif_http *h, const char *url, aif_http_response *resp, aif_err *err)
{
    aif_http_request req = {.method = "GET", .url = url};
    return aif_http_request_send(h, &req, resp, err);
}

aif_code aif_http_post(aif_http *h, const char *url, const char *content_type, const void *body, size_t len,
                       aif_http_response *resp, aif_err *err)
{
    char ct[256];
    snprintf(ct, sizeof ct, "Content-Type: %s", content_type ? content_type : "application/octet-stream");
    const char *hdrs[] = {ct, NULL};
    aif_http_request req = {.method = "POST", .url = url, .headers = hdrs, .body = body ? body : "", .body_len = len};
    return aif_http_request_send(h, &req, resp, err);
}

char *aif_http_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *o = aif_malloc(3 * n + 1), *p = o;
    if (!o)
        return NULL;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            *p++ = (char)c;
        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p = 0;
    return o;
}

/* ---------------------------------------------------------------- HF env */

static int token_from_file(const char *path, char *out, size_t cap)
{
    char *text = NULL;
    size_t len = 0;
    if (aif_fs_read_file(path, 64 * 1024, &text, &len, NULL) != AIF_OK)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] != '\r' && text[i] != '\n')
            text[k++] = text[i];
    text[k] = 0;
    char *b = text, *e = text + k;
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    int ok = e > b && (size_t)(e - b) < cap;
    if (ok) {
        memcpy(out, b, (size_t)(e - b));
        out[e - b] = 0;
    }
    aif_free(text);
    return ok;
}

static int token_from_env(const char *name, char *out, size_t cap)
{
    const char *v = getenv(name);
    if (!v)
        return 0;
    char tmp[4096];
    size_t k = 0;
    for (; *v && k + 1 < sizeof tmp; v++)
        if (*v != '\r' && *v != '\n')
            tmp[k++] = *v;
    tmp[k] = 0;
    char *b = tmp, *e = tmp + k;
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    if (e == b || (size_t)(e - b) >= cap)
        return 0;
    memcpy(out, b, (size_t)(e - b));
    out[e - b] = 0;
    return 1;
}

int aif_http_hf_token(char *out, size_t cap)
{
    if (!cap)
        return 0;
    if (token_from_env("HF_TOKEN", out, cap) || token_from_env("HUGGING_FACE_HUB_TOKEN", out, cap))
        return 1;
    char path[4096];
    const char *v;
    if ((v = getenv("HF_TOKEN_PATH")) && *v)
        return token_from_file(v, out, cap);
    if ((v = getenv("HF_HOME")) && *v)
        snprintf(path, sizeof path, "%s/token", v);
    else if ((v = getenv("XDG_CACHE_HOME")) && *v)
        snprintf(path, sizeof path, "%s/huggingface/token", v);
    else if ((v = getenv("HOME")) && *v)
        snprintf(path, sizeof path, "%s/.cache/huggingface/token", v);
    else
        return 0;
    return token_from_file(path, out, cap);
}

void aif_http_hf_endpoint(char *out, size_t cap)
{
    const char *v = getenv("HF_ENDPOINT");
    if (!v || !*v)
        v = AIF_HTTP_HF_ENDPOINT;
    snprintf(out, cap, "%s", v);
    size_t n = strlen(out);
    while (n > 0 && out[n - 1] == '/')
        out[--n] = 0;
}
