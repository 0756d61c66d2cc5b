/* hf_api.c: the Hub's JSON API (hub spec 2.1, 2.2, 3.1, 3.2, 3.8): model
 * info, tree listing with Link pagination, whoami, repo create / delete /
 * visibility, and the parsers of those answers. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aif/alloc.h"
#include "hub_int.h"

/* ------------------------------------------------------------ parsing */

void aif_hub_hf_info_release(aif_hub_hf_info *info)
{
    if (!info)
        return;
    for (size_t i = 0; i < info->n; i++)
        aif_free(info->files[i].path);
    aif_free(info->files);
    info->files = NULL;
    info->n = 0;
}

uint64_t aif_hub_hf_info_bytes(const aif_hub_hf_info *info)
{
    uint64_t t = 0;
    for (size_t i = 0; i < info->n; i++)
        if (!info->files[i].is_dir)
            t += info->files[i].size;
    return t;
}

static int is_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
            return 0;
    return 1;
}

static void lower_copy(char *out, const char *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (char)((in[i] >= 'A' && in[i] <= 'F') ? in[i] + 32 : in[i]);
    out[n] = 0;
}

/* Optional non-negative integer field; -1 when absent, -2 when wrong. */
static int64_t get_size(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return -1;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -2;
    return (int64_t)json_integer_value(v);
}

static aif_code add_entry(aif_hub_hf_info *info, aif_hub_hf_entry *e, size_t *cap, aif_err *err)
{
    if (info->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        aif_hub_hf_entry *p = aif_realloc(info->files, nc * sizeof *p);
        if (!p) {
            aif_free(e->path);
            return aif_err_set(err, AIF_ENOMEM, "out of memory listing files");
        }
        info->files = p;
        *cap = nc;
    }
    info->files[info->n++] = *e;
    return AIF_OK;
}

/* lfs object {sha256|oid, size}: fills e. */
static aif_code parse_lfs(json_t *lfs, const char *key, aif_hub_hf_entry *e, const char *where, aif_err *err)
{
    if (!lfs || json_is_null(lfs))
        return AIF_OK;
    if (!json_is_object(lfs))
        return aif_err_set(err, AIF_EFORMAT, "%s: \"lfs\" is not an object", where);
    const char *sha = json_string_value(json_object_get(lfs, key));
    if (!sha || !is_hex(sha, 64))
        return aif_err_set(err, AIF_EFORMAT, "%s: lfs.%s is not 64 hex digits", where, key);
    lower_copy(e->sha256, sha, 64);
    int64_t sz = get_size(lfs, "size");
    if (sz == -2)
        return aif_err_set(err, AIF_EFORMAT, "%s: lfs.size is not a non-negative integer", where);
    if (sz >= 0)
        e->size = (uint64_t)sz;
    e->is_lfs = 1;
    return AIF_OK;
}

aif_code aif_hub_hf_parse_model_info(const char *json, size_t len, aif_hub_hf_info *info, aif_err *err)
{
    memset(info, 0, sizeof *info);
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "model info: bad JSON at line %d column %d: %s", je.line, je.column,
                           je.text);
    aif_code rc = AIF_OK;
    size_t cap = 0;
    if (!json_is_object(root)) {
        rc = aif_err_set(err, AIF_EFORMAT, "model info: not a JSON object");
        goto done;
    }
    const char *id = json_string_value(json_object_get(root, "id"));
    if (!id)
        id = json_string_value(json_object_get(root, "modelId"));
    if (id)
        snprintf(info->id, sizeof info->id, "%s", id);
    json_t *sha = json_object_get(root, "sha");
    if (sha && !json_is_null(sha)) {
        const char *s = json_string_value(sha);
        if (!s || !is_hex(s, 40)) {
            rc = aif_err_set(err, AIF_EFORMAT, "model info: \"sha\" is not a 40-hex commit id");
            goto done;
        }
        lower_copy(info->sha, s, 40);
    }
    json_t *pv = json_object_get(root, "private");
    if (pv && !json_is_boolean(pv)) {
        rc = aif_err_set(err, AIF_EFORMAT, "model info: \"private\" is not a boolean");
        goto done;
    }
    info->is_private = json_is_true(pv);
    info->disabled = json_is_true(json_object_get(root, "disabled"));
    json_t *g = json_object_get(root, "gated");
    if (json_is_string(g))
        snprintf(info->gated, sizeof info->gated, "%s", json_string_value(g));
    else
        snprintf(info->gated, sizeof info->gated, "%s", json_is_true(g) ? "true" : "false");
    const char *lm = json_string_value(json_object_get(root, "lastModified"));
    if (lm)
        snprintf(info->last_modified, sizeof info->last_modified, "%s", lm);
    json_t *st = json_object_get(root, "safetensors");
    if (json_is_object(st) && json_is_integer(json_object_get(st, "total")) &&
        json_integer_value(json_object_get(st, "total")) > 0)
        info->safetensors_params = (uint64_t)json_integer_value(json_object_get(st, "total"));
    json_t *sib = json_object_get(root, "siblings");
    if (sib && !json_is_array(sib)) {
        rc = aif_err_set(err, AIF_EFORMAT, "model info: \"siblings\" is not an array");
        goto done;
    }
    size_t i;
    json_t *s;
    json_array_foreach(sib, i, s) {
        char where[64];
        snprintf(where, sizeof where, "model info: siblings[%zu]", i);
        const char *name = json_string_value(json_object_get(s, "rfilename"));
        if (!json_is_object(s) || !name || !name[0]) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s: no \"rfilename\" string", where);
            break;
        }
        aif_hub_hf_entry e = {0};
        int64_t sz = get_size(s, "size");
        if (sz == -2) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s (%s): \"size\" is not a non-negative integer", where, name);
            break;
        }
        e.size = sz > 0 ? (uint64_t)sz : 0;
        const char *blob = json_string_value(json_object_get(s, "blobId"));
        if (blob && is_hex(blob, 40))
            lower_copy(e.oid, blob, 40);
        if ((rc = parse_lfs(json_object_get(s, "lfs"), "sha256", &e, where, err)) != AIF_OK)
            break;
        if (!(e.path = aif_strdup(name))) {
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
            break;
        }
        if ((rc = add_entry(info, &e, &cap, err)) != AIF_OK)
            break;
    }
done:
    json_decref(root);
    if (rc != AIF_OK)
        aif_hub_hf_info_release(info);
    return rc;
}

aif_code aif_hub_hf_parse_tree(const char *json, size_t len, aif_hub_hf_info *info, aif_err *err)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "tree listing: bad JSON at line %d column %d: %s", je.line, je.column,
                           je.text);
    aif_code rc = AIF_OK;
    size_t cap = info->n, i;
    json_t *o;
    if (!json_is_array(root)) {
        rc = aif_err_set(err, AIF_EFORMAT, "tree listing: not a JSON array");
        goto done;
    }
    json_array_foreach(root, i, o) {
        char where[64];
        snprintf(where, sizeof where, "tree listing: entry %zu", i);
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *path = json_string_value(json_object_get(o, "path"));
        if (!json_is_object(o) || !type || !path || !path[0]) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s: needs \"type\" and \"path\" strings", where);
            break;
        }
        aif_hub_hf_entry e = {0};
        if (!strcmp(type, "directory")) {
            e.is_dir = 1;
        } else if (strcmp(type, "file")) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s (%s): unknown type \"%s\"", where, path, type);
            break;
        }
        const char *oid = json_string_value(json_object_get(o, "oid"));
        if (oid && is_hex(oid, 40))
            lower_copy(e.oid, oid, 40);
        else if (!e.is_dir) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s (%s): \"oid\" is not a 40-hex git id", where, path);
            break;
        }
        int64_t sz = get_size(o, "size");
        if (sz == -2 || (sz == -1 && !e.is_dir)) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s (%s): \"size\" is missing or not a non-negative integer", where,
                             path);
            break;
        }
        e.size = e.is_dir ? 0 : (uint64_t)sz;
        const char *xet = json_string_value(json_object_get(o, "xetHash"));
        if (xet && is_hex(xet, 64))
            lower_copy(e.xet_hash, xet, 64);
        if (!e.is_dir && (rc = parse_lfs(json_object_get(o, "lfs"), "oid", &e, where, err)) != AIF_OK)
            break;
        if (!(e.path = aif_strdup(path))) {
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
            break;
        }
        if ((rc = add_entry(info, &e, &cap, err)) != AIF_OK)
            break;
    }
done:
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------ requests */

aif_code aif_hf_model_info(aif_hf *hf, const char *repo_id, const char *revision, int blobs, aif_hub_hf_info *out,
                           aif_err *err)
{
    memset(out, 0, sizeof *out);
    char *rev = aif_hf_escape_path(revision ? revision : "main", 0);
    size_t n = strlen(hf->endpoint) + strlen(repo_id) + (rev ? strlen(rev) : 0) + 64;
    char *url = aif_malloc(n);
    if (!rev || !url) {
        aif_free(rev);
        aif_free(url);
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    }
    snprintf(url, n, "%s/api/models/%s/revision/%s%s", hf->endpoint, repo_id, rev, blobs ? "?blobs=true" : "");
    aif_free(rev);
    aif_http_request req = {.method = "GET", .url = url};
    aif_http_response resp;
    char what[300];
    snprintf(what, sizeof what, "model info of %s@%s", repo_id, revision ? revision : "main");
    aif_code rc = aif_hf_api_send(hf, 0, &req, &resp, err);
    if (rc != AIF_OK)
        rc = aif_hf_map_error(hf, rc, &resp, what, repo_id, revision, NULL, err);
    else if ((rc = aif_hub_hf_parse_model_info(resp.body, resp.body_len, out, err)) != AIF_OK)
        aif_err_wrap(err, "%s (%s)", what, url);
    else if (!out->sha[0])
        rc = aif_err_set(err, AIF_EFORMAT, "%s: the answer has no commit \"sha\"", what);
    if (rc != AIF_OK)
        aif_hub_hf_info_release(out);
    aif_http_response_release(&resp);
    aif_free(url);
    return rc;
}

aif_code aif_hub_hf_model_info(const aif_hub *h, const char *repo_id, const char *revision, aif_hub_hf_info *out,
                               aif_err *err)
{
    aif_hf *hf = aif_hf_of(h, err);
    if (!hf) {
        memset(out, 0, sizeof *out);
        return AIF_EINVAL;
    }
    return aif_hf_model_info(hf, repo_id, revision, 1, out, err);
}

/* URL of the Link header entry with rel="next" into out; 1 if found. */
static int link_next(const char *link, char *out, size_t cap)
{
    const char *p = link;
    while ((p = strchr(p, '<'))) {
        const char *e = strchr(p, '>');
        if (!e)
            return 0;
        const char *next = strchr(e, '<');
        const char *rel = strstr(e, "rel=\"next\"");
        if (!rel)
            rel = strstr(e, "rel=next");
        if (rel && (!next || rel < next)) {
            size_t n = (size_t)(e - p - 1);
            if (n >= cap)
                return 0;
            memcpy(out, p + 1, n);
            out[n] = 0;
            return 1;
        }
        p = e;
    }
    return 0;
}

aif_code aif_hub_hf_tree(const aif_hub *h, const char *repo_id, const char *revision, aif_hub_hf_info *out,
                         aif_err *err)
{
    memset(out, 0, sizeof *out);
    aif_hf *hf = aif_hf_of(h, err);
    if (!hf)
        return AIF_EINVAL;
    char *rev = aif_hf_escape_path(revision ? revision : "main", 0);
    if (!rev)
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    char url[4096], what[300];
    snprintf(url, sizeof url, "%s/api/models/%s/tree/%s?recursive=true&expand=false", hf->endpoint, repo_id, rev);
    aif_free(rev);
    snprintf(what, sizeof what, "tree of %s@%s", repo_id, revision ? revision : "main");
    aif_code rc = AIF_OK;
    for (int page = 0; rc == AIF_OK; page++) {
        if (page > 100000) {
            rc = aif_err_set(err, AIF_ERANGE, "%s: more than 100000 pages", what);
            break;
        }
        aif_http_request req = {.method = "GET", .url = url};
        aif_http_response resp;
        rc = aif_hf_api_send(hf, 0, &req, &resp, err);
        if (rc != AIF_OK) {
            rc = aif_hf_map_error(hf, rc, &resp, what, repo_id, revision, NULL, err);
        } else if ((rc = aif_hub_hf_parse_tree(resp.body, resp.body_len, out, err)) != AIF_OK) {
            aif_err_wrap(err, "%s, page %d", what, page + 1);
        } else {
            char link[8192], next[4096];
            int more = aif_http_response_header(&resp, "Link", link, sizeof link) && link_next(link, next, sizeof next);
            if (more && !aif_hf_same_origin(next, hf->endpoint))
                rc = aif_err_set(err, AIF_EFORMAT, "%s: next page %s is on another host", what, next);
            else if (more)
                snprintf(url, sizeof url, "%s", next);
            aif_http_response_release(&resp);
            if (!more || rc != AIF_OK)
                break;
            continue;
        }
        aif_http_response_release(&resp);
    }
    if (rc != AIF_OK)
        aif_hub_hf_info_release(out);
    return rc;
}

aif_code aif_hub_hf_whoami(const aif_hub *h, char *name, size_t cap, aif_err *err)
{
    aif_hf *hf = aif_hf_of(h, err);
    if (!hf)
        return AIF_EINVAL;
    if (!hf->token[0])
        return aif_err_set(err, AIF_EAUTH, "whoami: no Hugging Face token: set HF_TOKEN or run `huggingface-cli login`");
    pthread_mutex_lock(&hf->mu);
    int cached = hf->whoami[0] != 0;
    if (cached)
        snprintf(name, cap, "%s", hf->whoami);
    pthread_mutex_unlock(&hf->mu);
    if (cached)
        return AIF_OK;
    char url[600];
    snprintf(url, sizeof url, "%s/api/whoami-v2", hf->endpoint);
    aif_http_request req = {.method = "GET", .url = url};
    aif_http_response resp;
    aif_code rc = aif_hf_api_send(hf, 0, &req, &resp, err);
    if (rc != AIF_OK) {
        rc = aif_hf_map_error(hf, rc, &resp, "whoami", NULL, NULL, NULL, err);
        if (resp.status == 401) /* whoami has no repo: a 401 is the token */
            rc = aif_err_set(err, AIF_EAUTH, "whoami: the Hub rejected the token (HTTP 401): set a valid HF_TOKEN");
    } else {
        json_t *root = json_loadb(resp.body, resp.body_len, 0, NULL);
        const char *n = json_string_value(json_object_get(root, "name"));
        if (!n || !n[0] || strlen(n) >= sizeof hf->whoami) {
            rc = aif_err_set(err, AIF_EFORMAT, "whoami: the answer has no \"name\"");
        } else {
            pthread_mutex_lock(&hf->mu);
            snprintf(hf->whoami, sizeof hf->whoami, "%s", n);
            pthread_mutex_unlock(&hf->mu);
            snprintf(name, cap, "%s", n);
        }
        json_decref(root);
    }
    aif_http_response_release(&resp);
    return rc;
}

/* {"name", "organization", ...} of a repo id. */
static json_t *repo_body(const char *repo_id)
{
    const char *slash = strchr(repo_id, '/');
    json_t *o = json_object();
    if (slash) {
        char ns[160];
        snprintf(ns, sizeof ns, "%.*s", (int)(slash - repo_id), repo_id);
        json_object_set_new(o, "name", json_string(slash + 1));
        json_object_set_new(o, "organization", json_string(ns));
    } else {
        json_object_set_new(o, "name", json_string(repo_id));
        json_object_set_new(o, "organization", json_null());
    }
    return o;
}

static aif_code send_json(aif_hf *hf, const char *method, const char *url, json_t *body, aif_http_response *resp,
                          aif_err *err)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text)
        return aif_err_set(err, AIF_ENOMEM, "out of memory");
    const char *hdrs[] = {"Content-Type: application/json", NULL};
    aif_http_request req = {.method = method, .url = url, .headers = hdrs, .body = text, .body_len = strlen(text)};
    aif_code rc = aif_hf_api_send(hf, 1, &req, resp, err);
    free(text);
    return rc;
}

aif_code aif_hf_create_repo(aif_hf *hf, const char *repo_id, int is_private, int exist_ok, aif_err *err)
{
    if (aif_hf_need_token(hf, "create repo", err))
        return AIF_EAUTH;
    char url[600];
    snprintf(url, sizeof url, "%s/api/repos/create", hf->endpoint);
    aif_code rc = AIF_OK;
    for (int attempt = 1;; attempt++) {
        json_t *b = repo_body(repo_id);
        json_object_set_new(b, "private", json_boolean(is_private));
        aif_http_response resp;
        rc = send_json(hf, "POST", url, b, &resp, err);
        int busy = rc == AIF_EHTTP && resp.status == 409 && resp.body &&
                   strstr(resp.body, "another conflicting operation is in progress");
        int denied = rc == AIF_EHTTP && (resp.status == 401 || resp.status == 402 || resp.status == 403);
        if (busy && attempt < 3) { /* hub spec 3.2: retried at once */
            aif_http_response_release(&resp);
            continue;
        }
        if (rc == AIF_EHTTP && resp.status == 409 && exist_ok && !busy) {
            aif_err_clear(err);
            rc = AIF_OK;
        } else if (rc != AIF_OK) {
            rc = aif_hf_map_error(hf, rc, &resp, "create repo", repo_id, NULL, NULL, err);
            if (resp.status == 409)
                aif_err_wrap(err, "%s already exists", repo_id);
        }
        aif_http_response_release(&resp);
        if (denied && exist_ok) {
            /* no right to create here, but the repo may exist already (exist ok, as huggingface_hub) */
            aif_hub_hf_info info;
            aif_err e2;
            if (aif_hf_model_info(hf, repo_id, "main", 0, &info, &e2) == AIF_OK) {
                aif_hub_hf_info_release(&info);
                aif_err_clear(err);
                rc = AIF_OK;
            }
        }
        return rc;
    }
}

aif_code aif_hub_hf_create_repo(const aif_hub *h, const char *repo_id, int is_private, int exist_ok, aif_err *err)
{
    aif_hf *hf = aif_hf_of(h, err);
    aif_code rc = hf ? aif_hub_check_repo_id(repo_id, err) : AIF_EINVAL;
    return rc == AIF_OK ? aif_hf_create_repo(hf, repo_id, is_private, exist_ok, err) : rc;
}

aif_code aif_hub_hf_delete_repo(const aif_hub *h, const char *repo_id, aif_err *err)
{
    aif_hf *hf = aif_hf_of(h, err);
    aif_code rc = hf ? aif_hub_check_repo_id(repo_id, err) : AIF_EINVAL;
    if (rc != AIF_OK || (rc = aif_hf_need_token(hf, "delete repo", err)) != AIF_OK)
        return rc;
    char url[600];
    snprintf(url, sizeof url, "%s/api/repos/delete", hf->endpoint);
    aif_http_response resp;
    rc = send_json(hf, "DELETE", url, repo_body(repo_id), &resp, err);
    if (rc != AIF_OK)
        rc = aif_hf_map_error(hf, rc, &resp, "delete repo", repo_id, NULL, NULL, err);
    aif_http_response_release(&resp);
    return rc;
}

aif_code aif_hf_set_private(void *impl, const char *repo_id, int is_private, aif_err *err)
{
    aif_hf *hf = impl;
    if (aif_hf_need_token(hf, "update visibility", err))
        return AIF_EAUTH;
    char url[600];
    snprintf(url, sizeof url, "%s/api/models/%s/settings", hf->endpoint, repo_id);
    json_t *b = json_object();
    json_object_set_new(b, "private", json_boolean(is_private));
    aif_http_response resp;
    aif_code rc = send_json(hf, "PUT", url, b, &resp, err);
    if (rc != AIF_OK)
        rc = aif_hf_map_error(hf, rc, &resp, "update visibility", repo_id, NULL, NULL, err);
    aif_http_response_release(&resp);
    return rc;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const aif_hub_file *)a)->path, ((const aif_hub_file *)b)->path);
}

aif_code aif_hf_list(void *impl, const char *repo_id, const char *revision, aif_hub_listing *out, aif_err *err)
{
    aif_hf *hf = impl;
    aif_hub_hf_info info;
    aif_code rc = aif_hf_model_info(hf, repo_id, revision, 1, &info, err);
    if (rc != AIF_OK)
        return rc;
    out->files = aif_calloc_err(info.n ? info.n : 1, sizeof *out->files, "listing", err);
    if (!out->files) {
        aif_hub_hf_info_release(&info);
        return AIF_ENOMEM;
    }
    memcpy(out->commit, info.sha, 41);
    out->is_private = info.is_private;
    for (size_t i = 0; i < info.n; i++) {
        aif_hub_file *f = &out->files[out->n++];
        f->path = info.files[i].path;
        info.files[i].path = NULL;
        f->size = info.files[i].size;
        memcpy(f->sha256, info.files[i].sha256, 65);
    }
    aif_hub_hf_info_release(&info);
    qsort(out->files, out->n, sizeof *out->files, by_path);
    return AIF_OK;
}
