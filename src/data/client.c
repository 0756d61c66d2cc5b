/* client.c: the datasets-server client (/rows, /size, /splits) with the
 * retry policy of reference 5.3. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aif/alloc.h"
#include "aif/log.h"
#include "data_int.h"

struct aif_data_client {
    aif_http *http;
    char *base;
    aif_data_client_opts o;
    int attempts;
};

void aif_data_client_opts_default(aif_data_client_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_attempts = AIF_DATA_FETCH_ATTEMPTS;
    o->retry_delay_s = AIF_DATA_RETRY_DELAY_S;
    o->timeout_s = AIF_DATA_TIMEOUT_S;
    o->total_timeout_s = 300;
    o->max_response_bytes = AIF_HTTP_DEFAULT_MAX_BYTES;
}

aif_code aif_data_client_new(const aif_data_client_opts *opts, aif_data_client **out, aif_err *err)
{
    *out = NULL;
    aif_data_client *c = aif_calloc_err(1, sizeof *c, "datasets-server client", err);
    if (!c)
        return AIF_ENOMEM;
    if (opts)
        c->o = *opts;
    else
        aif_data_client_opts_default(&c->o);
    if (c->o.max_attempts < 1)
        c->o.max_attempts = 1;
    const char *base = c->o.base_url;
    if (!base || !*base)
        base = getenv("AIF_DATASETS_SERVER");
    if (!base || !*base)
        base = AIF_DATA_SERVER_URL;
    c->base = aif_strdup(base);
    if (!c->base) {
        aif_free(c);
        return aif_err_set(err, AIF_ENOMEM, "out of memory creating the datasets-server client");
    }
    size_t n = strlen(c->base);
    while (n > 0 && c->base[n - 1] == '/')
        c->base[--n] = 0;
    c->o.base_url = NULL;
    aif_http_opts ho;
    aif_http_opts_default(&ho);
    ho.token = c->o.token;
    c->o.token = NULL;
    ho.max_attempts = 1; /* retries are done here, with the policy of 5.3 */
    ho.connect_timeout_s = c->o.timeout_s;
    ho.stall_timeout_s = c->o.timeout_s;
    ho.timeout_s = c->o.total_timeout_s;
    ho.max_response_bytes = c->o.max_response_bytes;
    aif_code rc = aif_http_new(&ho, &c->http, err);
    if (rc) {
        aif_free(c->base);
        aif_free(c);
        return rc;
    }
    *out = c;
    return AIF_OK;
}

void aif_data_client_free(aif_data_client *c)
{
    if (!c)
        return;
    aif_http_free(c->http);
    aif_free(c->base);
    aif_free(c);
}

int aif_data_client_attempts(const aif_data_client *c) { return c ? c->attempts : 0; }

static void do_sleep(aif_data_client *c, double s)
{
    if (c->o.sleep_fn) {
        c->o.sleep_fn(c->o.sleep_ctx, s);
        return;
    }
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* GET url with the retry policy; on success *root holds the parsed JSON
 * (and *raw the body if asked). `what` names the request in messages. */
static aif_code get_json(aif_data_client *c, const char *what, const char *url, json_t **root, char **raw,
                         size_t *raw_len, aif_err *err)
{
    *root = NULL;
    if (raw)
        *raw = NULL;
    if (raw_len)
        *raw_len = 0;
    aif_code rc = AIF_OK;
    int status = 0;
    for (int k = 1; k <= c->o.max_attempts; k++) {
        c->attempts = k;
        aif_http_response r;
        rc = aif_http_get(c->http, url, &r, err);
        status = r.status;
        if (rc == AIF_OK) {
            json_error_t je;
            *root = aif_data_json_loads_(r.body, r.body_len, &je);
            if (*root) {
                if (raw) {
                    *raw = r.body;
                    r.body = NULL;
                    if (raw_len)
                        *raw_len = r.body_len;
                }
                aif_http_response_release(&r);
                return AIF_OK;
            }
            /* requests reports a body that is not JSON as a request error: retried */
            rc = aif_err_set(err, AIF_EFORMAT, "datasets-server %s: invalid JSON at byte %d of %zu: %s", what,
                             je.position, r.body_len, je.text);
        } else if (rc == AIF_EHTTP) {
            char msg[300], code[80];
            aif_data_error_message(r.body, r.body_len, msg, sizeof msg);
            int has_code = aif_http_response_header(&r, "X-Error-Code", code, sizeof code);
            aif_err_set(err, AIF_EHTTP, "datasets-server %s: HTTP %d: %s%s%s%s", what, r.status, msg,
                        has_code ? " [" : "", has_code ? code : "", has_code ? "]" : "");
            if (err)
                err->status = r.status;
        } else if (rc == AIF_ENET || rc == AIF_ETIMEOUT) {
            aif_err_wrap(err, "datasets-server %s", what);
        }
        double wait = c->o.retry_delay_s;
        if (r.status == 429) {
            char ra[64];
            if (aif_http_response_header(&r, "Retry-After", ra, sizeof ra)) {
                char *end;
                double s = strtod(ra, &end);
                if (end != ra && !*end && s > wait && s < 3600)
                    wait = s;
            }
        }
        aif_http_response_release(&r);
        int retry = rc == AIF_ENET || rc == AIF_ETIMEOUT || rc == AIF_EHTTP || rc == AIF_EFORMAT;
        if (!retry || k == c->o.max_attempts)
            break;
        aif_log(AIF_LOG_WARN, "attempt %d/%d failed, retrying in %.3g s: %s", k, c->o.max_attempts, wait,
                err ? err->msg : aif_code_name(rc));
        do_sleep(c, wait);
    }
    if (c->attempts > 1 && err) {
        aif_err_wrap(err, "after %d attempts", c->attempts);
        if (rc == AIF_EHTTP)
            err->status = status;
    }
    return rc;
}

/* base + path + "?" + key=escaped(value) pairs; NULL values skipped. */
static char *build_url(aif_data_client *c, const char *path, const char *const *kv, size_t n_kv)
{
    size_t cap = strlen(c->base) + strlen(path) + 2;
    char *esc[8] = {0};
    for (size_t i = 0; i < n_kv && i < 8; i += 2) {
        if (!kv[i + 1])
            continue;
        if (!(esc[i] = aif_http_escape(kv[i + 1])))
            goto fail;
        cap += strlen(kv[i]) + strlen(esc[i]) + 2;
    }
    char *u = aif_malloc(cap);
    if (!u)
        goto fail;
    size_t n = (size_t)snprintf(u, cap, "%s%s", c->base, path);
    char sep = '?';
    for (size_t i = 0; i < n_kv && i < 8; i += 2) {
        if (!esc[i])
            continue;
        n += (size_t)snprintf(u + n, cap - n, "%c%s=%s", sep, kv[i], esc[i]);
        sep = '&';
        aif_free(esc[i]);
    }
    return u;
fail:
    for (size_t i = 0; i < 8; i++)
        aif_free(esc[i]);
    return NULL;
}

aif_code aif_data_client_rows(aif_data_client *c, const char *dataset, const char *config, const char *split,
                              int64_t offset, int length, aif_data_page *out, char **raw, size_t *raw_len,
                              aif_err *err)
{
    memset(out, 0, sizeof *out);
    if (raw)
        *raw = NULL;
    if (!c)
        return aif_err_set(err, AIF_EINVAL, "datasets-server: no client");
    if (!dataset || !config || !split)
        return aif_err_set(err, AIF_EINVAL, "datasets-server /rows: dataset, config and split are required");
    if (offset < 0 || length < 0 || length > AIF_DATA_MAX_ROWS_LENGTH)
        return aif_err_set(err, AIF_EINVAL,
                           "datasets-server /rows dataset=%s: offset %" PRId64 " must be >= 0 and length %d in 0..%d",
                           dataset, offset, length, AIF_DATA_MAX_ROWS_LENGTH);
    char off[32], len[16];
    snprintf(off, sizeof off, "%" PRId64, offset);
    snprintf(len, sizeof len, "%d", length);
    const char *kv[] = {"dataset", dataset, "config", config, "split", split, "offset", off};
    char *u0 = build_url(c, "/rows", kv, 8);
    char *u = NULL;
    if (u0) {
        size_t n = strlen(u0) + strlen(len) + 10;
        if ((u = aif_malloc(n)))
            snprintf(u, n, "%s&length=%s", u0, len);
        aif_free(u0);
    }
    if (!u)
        return aif_err_set(err, AIF_ENOMEM, "datasets-server /rows: out of memory");
    char what[512];
    snprintf(what, sizeof what, "/rows dataset=%s config=%s split=%s offset=%" PRId64 " length=%d", dataset, config,
             split, offset, length);
    json_t *root;
    aif_code rc = get_json(c, what, u, &root, raw, raw_len, err);
    aif_free(u);
    if (rc)
        return rc;
    rc = aif_data_page_from_json_(root, dataset, offset, out, err);
    json_decref(root);
    if (rc == AIF_OK) {
        out->config = aif_strdup(config);
        out->split = aif_strdup(split);
        if (!out->config || !out->split)
            rc = aif_err_set(err, AIF_ENOMEM, "datasets-server /rows: out of memory");
    }
    if (rc) {
        aif_data_page_release(out);
        if (raw) {
            aif_free(*raw);
            *raw = NULL;
        }
    }
    return rc;
}

aif_code aif_data_client_size(aif_data_client *c, const char *dataset, const char *config, aif_data_size *out,
                              aif_err *err)
{
    memset(out, 0, sizeof *out);
    if (!c)
        return aif_err_set(err, AIF_EINVAL, "datasets-server: no client");
    const char *kv[] = {"dataset", dataset, "config", config};
    char *u = build_url(c, "/size", kv, 4);
    if (!u)
        return aif_err_set(err, AIF_ENOMEM, "datasets-server /size: out of memory");
    char what[300];
    snprintf(what, sizeof what, "/size dataset=%s%s%s", dataset, config ? " config=" : "", config ? config : "");
    char *raw;
    size_t raw_len;
    json_t *root;
    aif_code rc = get_json(c, what, u, &root, &raw, &raw_len, err);
    aif_free(u);
    if (rc)
        return rc;
    json_decref(root);
    rc = aif_data_size_parse(raw, raw_len, out, err);
    aif_free(raw);
    return rc;
}

aif_code aif_data_client_splits(aif_data_client *c, const char *dataset, aif_data_split **out, size_t *n_out,
                                aif_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (!c)
        return aif_err_set(err, AIF_EINVAL, "datasets-server: no client");
    const char *kv[] = {"dataset", dataset};
    char *u = build_url(c, "/splits", kv, 2);
    if (!u)
        return aif_err_set(err, AIF_ENOMEM, "datasets-server /splits: out of memory");
    char what[300];
    snprintf(what, sizeof what, "/splits dataset=%s", dataset);
    char *raw;
    size_t raw_len;
    json_t *root;
    aif_code rc = get_json(c, what, u, &root, &raw, &raw_len, err);
    aif_free(u);
    if (rc)
        return rc;
    json_decref(root);
    rc = aif_data_splits_parse(raw, raw_len, out, n_out, err);
    aif_free(raw);
    return rc;
}
