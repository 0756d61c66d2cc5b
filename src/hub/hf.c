/* hf.c: the Hugging Face Hub backend of the hub interface: open/close,
 * the ops table, HTTP clients and the Hub's error meanings (hub spec 1). */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aif/aif.h"
#include "aif/alloc.h"
#include "hub_int.h"

static void hf_close(void *impl)
{
    aif_hf *hf = impl;
    if (!hf)
        return;
    aif_http_free(hf->api);
    aif_http_free(hf->api_once);
    pthread_mutex_destroy(&hf->mu);
    memset(hf->token, 0, sizeof hf->token);
    aif_free(hf);
}

static const aif_hub_ops hf_ops = {"huggingface", aif_hf_upload, aif_hf_list, aif_hf_fetch, aif_hf_set_private,
                                   hf_close};

aif_hf *aif_hf_of(const aif_hub *h, aif_err *err)
{
    if (!h || h->ops != &hf_ops) {
        aif_err_set(err, AIF_EINVAL, "this hub is not a Hugging Face hub (open it with aif_hub_hf_open)");
        return NULL;
    }
    return h->impl;
}

void aif_hub_hf_cache_dir(char *out, size_t cap)
{
    const char *v;
    if ((v = getenv("HF_HUB_CACHE")) && *v)
        snprintf(out, cap, "%s", v);
    else if ((v = getenv("HUGGINGFACE_HUB_CACHE")) && *v)
        snprintf(out, cap, "%s", v);
    else if ((v = getenv("HF_HOME")) && *v)
        snprintf(out, cap, "%s/hub", v);
    else if ((v = getenv("XDG_CACHE_HOME")) && *v)
        snprintf(out, cap, "%s/huggingface/hub", v);
    else
        snprintf(out, cap, "%s/.cache/huggingface/hub", (v = getenv("HOME")) && *v ? v : ".");
}

aif_code aif_hf_http(const aif_hf *hf, int with_token, int attempts, int streaming, int follow, aif_http **out,
                     aif_err *err)
{
    aif_http_opts o;
    aif_http_opts_default(&o);
    o.user_agent = hf->user_agent;
    o.token = with_token && hf->token[0] ? hf->token : NULL;
    o.max_attempts = attempts > 0 ? attempts : hf->max_attempts;
    o.retry_delay_s = hf->retry_delay_s;
    o.retry_max_delay_s = hf->retry_max_delay_s;
    o.follow_redirects = follow;
    if (streaming) {
        o.timeout_s = 0;
        o.stall_timeout_s = hf->stall_timeout_s;
        o.max_response_bytes = SIZE_MAX;
    }
    return aif_http_new(&o, out, err);
}

aif_code aif_hub_hf_open(const aif_hub_hf_opts *opts, aif_hub *out, aif_err *err)
{
    aif_hub_hf_opts o = {0};
    if (opts)
        o = *opts;
    out->ops = NULL;
    out->impl = NULL;
    aif_hf *hf = aif_calloc_err(1, sizeof *hf, "Hugging Face hub", err);
    if (!hf)
        return AIF_ENOMEM;
    pthread_mutex_init(&hf->mu, NULL);
    if (o.endpoint && o.endpoint[0]) {
        snprintf(hf->endpoint, sizeof hf->endpoint, "%s", o.endpoint);
        size_t n = strlen(hf->endpoint);
        while (n && hf->endpoint[n - 1] == '/')
            hf->endpoint[--n] = 0;
    } else {
        aif_http_hf_endpoint(hf->endpoint, sizeof hf->endpoint);
    }
    if (o.token) {
        if (strlen(o.token) >= sizeof hf->token) {
            hf_close(hf);
            return aif_err_set(err, AIF_EINVAL, "Hugging Face token too long");
        }
        snprintf(hf->token, sizeof hf->token, "%s", o.token);
    } else if (!aif_http_hf_token(hf->token, sizeof hf->token)) {
        hf->token[0] = 0;
    }
    if (o.cache_dir && o.cache_dir[0])
        snprintf(hf->cache_dir, sizeof hf->cache_dir, "%s", o.cache_dir);
    else
        aif_hub_hf_cache_dir(hf->cache_dir, sizeof hf->cache_dir);
    const char *origin = getenv("HF_HUB_USER_AGENT_ORIGIN");
    snprintf(hf->user_agent, sizeof hf->user_agent, "%s%s%s", o.user_agent ? o.user_agent : "aif/" AIF_VERSION "; hf_hub/c; libcurl",
             origin && *origin ? "; origin/" : "", origin && *origin ? origin : "");
    hf->parallel = o.parallel > 0 ? (o.parallel > 64 ? 64 : o.parallel) : 4;
    hf->max_attempts = o.max_attempts > 0 ? o.max_attempts : 5;
    hf->retry_delay_s = o.retry_delay_s > 0 ? o.retry_delay_s : 1;
    hf->retry_max_delay_s = o.retry_max_delay_s > 0 ? o.retry_max_delay_s : 8;
    hf->stall_timeout_s = o.stall_timeout_s > 0 ? o.stall_timeout_s : 60;
    hf->quiet = o.quiet;
    aif_code rc = aif_hf_http(hf, 1, 0, 0, 1, &hf->api, err);
    if (rc == AIF_OK)
        rc = aif_hf_http(hf, 1, 1, 0, 1, &hf->api_once, err);
    if (rc != AIF_OK) {
        hf_close(hf);
        return rc;
    }
    out->ops = &hf_ops;
    out->impl = hf;
    return AIF_OK;
}

aif_code aif_hf_need_token(const aif_hf *hf, const char *what, aif_err *err)
{
    if (hf->token[0])
        return AIF_OK;
    return aif_err_set(err, AIF_EAUTH, "%s: no Hugging Face token: set HF_TOKEN (or run `huggingface-cli login`) to a "
                                       "token with write access", what);
}

aif_code aif_hf_api_send(aif_hf *hf, int once, const aif_http_request *req, aif_http_response *resp, aif_err *err)
{
    pthread_mutex_lock(&hf->mu);
    aif_code rc = aif_http_request_send(once ? hf->api_once : hf->api, req, resp, err);
    pthread_mutex_unlock(&hf->mu);
    return rc;
}

/* Length of "scheme://host[:port]" at the start of url. */
static size_t origin_len(const char *u)
{
    const char *p = strstr(u, "://");
    if (!p)
        return 0;
    p += 3;
    size_t n = strcspn(p, "/?#");
    return (size_t)(p - u) + n;
}

void aif_hf_run_workers(void *(*fn)(void *), void *arg, int n)
{
    pthread_t th[64];
    int started = 0;
    for (int t = 0; t < n && t < 64; t++)
        if (pthread_create(&th[started], NULL, fn, arg) == 0)
            started++;
    if (!started && n > 0)
        fn(arg);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
}

int aif_hf_same_origin(const char *a, const char *b)
{
    size_t na = origin_len(a), nb = origin_len(b);
    return na && na == nb && !strncasecmp(a, b, na);
}

char *aif_hf_escape_path(const char *s, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    char *o = aif_malloc(3 * strlen(s) + 1), *p = o;
    if (!o)
        return NULL;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
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

aif_code aif_hf_map_error(const aif_hf *hf, aif_code rc, const aif_http_response *resp, const char *what,
                          const char *repo_id, const char *revision, const char *path, aif_err *err)
{
    if (rc != AIF_EHTTP || !resp)
        return err ? aif_err_wrap(err, "%s", what) : rc;
    char code[64] = "", msg[256] = "", rid[80] = "";
    aif_http_response_header(resp, "X-Error-Code", code, sizeof code);
    aif_http_response_header(resp, "X-Error-Message", msg, sizeof msg);
    if (!aif_http_response_header(resp, "X-Request-Id", rid, sizeof rid))
        aif_http_response_header(resp, "X-Amzn-Trace-Id", rid, sizeof rid);
    int st = resp->status;
    const char *repo = repo_id ? repo_id : "?";
    char detail[512];
    snprintf(detail, sizeof detail, "%s%s%s%s%s", msg[0] ? " (" : "", msg, msg[0] ? ")" : "",
             rid[0] ? " [request id " : "", rid[0] ? rid : "");
    if (rid[0])
        strncat(detail, "]", sizeof detail - strlen(detail) - 1);
    aif_code out = AIF_EHTTP;
    char text[400];
    if (st == 401 && !strcmp(msg, "Invalid credentials in Authorization header")) {
        out = AIF_EAUTH;
        snprintf(text, sizeof text, "the Hub rejected the token (invalid credentials): set a valid HF_TOKEN or "
                                    "run `huggingface-cli login`");
    } else if (st == 401 || (st == 404 && (!strcmp(code, "RepoNotFound") || (!code[0] && !path)))) {
        out = st == 401 ? AIF_EAUTH : AIF_ENOTFOUND;
        if (st == 401 && !hf->token[0])
            snprintf(text, sizeof text, "repository %s not found, or it is private or gated and no token was sent: "
                                        "set HF_TOKEN (RepositoryNotFound, HTTP 401)", repo);
        else if (st == 401)
            snprintf(text, sizeof text, "repository %s not found, or it is private or gated and the token lacks "
                                        "access to it: check the repo id and the token's permissions "
                                        "(RepositoryNotFound, HTTP 401)", repo);
        else
            snprintf(text, sizeof text, "repository %s not found (RepositoryNotFound): check the repo id", repo);
    } else if (st == 404 && !strcmp(code, "RevisionNotFound")) {
        out = AIF_ENOTFOUND;
        snprintf(text, sizeof text, "revision %s not found in %s (RevisionNotFound): check the branch, tag or commit",
                 revision ? revision : "?", repo);
    } else if (st == 404 && (!strcmp(code, "EntryNotFound") || path)) {
        out = AIF_ENOTFOUND;
        snprintf(text, sizeof text, "%s not found in %s at %s (EntryNotFound)", path ? path : "entry", repo,
                 revision ? revision : "?");
    } else if (st == 403 && !strcmp(code, "GatedRepo")) {
        out = AIF_EAUTH;
        snprintf(text, sizeof text, "%s is gated and this account is not on its authorized list: request access on "
                                    "the repo page", repo);
    } else if (st == 403 && strstr(msg, "disabled")) {
        out = AIF_EAUTH;
        snprintf(text, sizeof text, "%s is disabled on the Hub", repo);
    } else if (st == 403) {
        out = AIF_EAUTH;
        snprintf(text, sizeof text, "the token lacks permission for this on %s (HTTP 403): use a token with write "
                                    "access to the namespace", repo);
    } else if (st == 409) {
        out = AIF_ECONFLICT;
        snprintf(text, sizeof text, "%s: conflict (HTTP 409): the repository already exists or another operation "
                                    "is in progress", repo);
    } else if (st == 412) {
        out = AIF_ECONFLICT;
        snprintf(text, sizeof text, "%s: the branch head moved since the parent commit was read (HTTP 412, stale "
                                    "parent): another commit landed; upload again", repo);
    } else if (st == 416) {
        out = AIF_ERANGE;
        snprintf(text, sizeof text, "unsatisfiable Range (HTTP 416)");
    } else if (st == 429) {
        /* RateLimit: "api";r=0;t=55 (IETF draft, hub spec 1.5): t = seconds to the reset */
        char rl[128] = "";
        const char *t = aif_http_response_header(resp, "RateLimit", rl, sizeof rl) ? strstr(rl, ";t=") : NULL;
        if (t)
            snprintf(text, sizeof text, "rate limited by the Hub (HTTP 429) after %d attempts: the window resets in "
                                        "%ld s; retry then", resp->attempts, strtol(t + 3, NULL, 10));
        else
            snprintf(text, sizeof text, "rate limited by the Hub (HTTP 429) after %d attempts: wait a few minutes "
                                        "and retry", resp->attempts);
    } else if (st >= 500) {
        snprintf(text, sizeof text, "Hub server error (HTTP %d) after %d attempts: retry later", st, resp->attempts);
    } else {
        snprintf(text, sizeof text, "HTTP %d", st);
    }
    char low[520];
    snprintf(low, sizeof low, "%s", err ? err->msg : "");
    aif_err_set(err, out, "%s: %s%s; %s", what, text, detail, low);
    if (err)
        err->status = st;
    return out;
}
