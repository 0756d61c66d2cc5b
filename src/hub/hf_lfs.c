/* hf_lfs.c: the git LFS side of an upload (hub spec 3.5): the batch
 * answer's parser, and the PUT of a file range to a pre-signed URL,
 * streamed from a mapping with the pages already sent dropped. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/log.h"
#include "hub_int.h"

/* ------------------------------------------------------------ LFS batch parsing */

void aif_hub_hf_lfs_batch_release(aif_hub_hf_lfs_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        aif_hub_hf_lfs_object *o = &b->objects[i];
        aif_free(o->error_message);
        aif_free(o->upload_href);
        aif_free(o->verify_href);
        for (size_t k = 0; k < o->n_parts; k++)
            aif_free(o->part_urls[k]);
        aif_free(o->part_urls);
    }
    aif_free(b->objects);
    b->objects = NULL;
    b->n = 0;
}

static int hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* Multipart: header {"chunk_size": "N", "00001": url, ...}; part keys are
 * sorted by their integer value and must be 1..n without gaps. */
static aif_code parse_parts(json_t *hdr, aif_hub_hf_lfs_object *o, const char *where, aif_err *err)
{
    json_t *cs = json_object_get(hdr, "chunk_size");
    if (!cs)
        return AIF_OK;
    const char *s = json_string_value(cs);
    char *end = NULL;
    unsigned long long v = s ? strtoull(s, &end, 10) : json_is_integer(cs) ? (unsigned long long)json_integer_value(cs) : 0;
    if ((s && (end == s || *end)) || v == 0 || (json_is_integer(cs) && json_integer_value(cs) <= 0))
        return aif_err_set(err, AIF_EFORMAT, "%s: chunk_size is not a positive integer", where);
    o->chunk_size = v;
    uint64_t want = o->size ? (o->size - 1) / v + 1 : 0; /* no overflow */
    size_t n = 0;
    const char *key;
    json_t *val;
    json_object_foreach(hdr, key, val) {
        if (strcmp(key, "chunk_size"))
            n++;
    }
    if (n != want || n > 100000)
        return aif_err_set(err, AIF_EFORMAT, "%s: %zu part URLs for %llu bytes in chunks of %llu (need %llu)", where,
                           n, (unsigned long long)o->size, v, (unsigned long long)want);
    o->part_urls = aif_calloc_err(n ? n : 1, sizeof *o->part_urls, "part URLs", err);
    if (!o->part_urls)
        return AIF_ENOMEM;
    o->n_parts = n;
    json_object_foreach(hdr, key, val) {
        if (!strcmp(key, "chunk_size"))
            continue;
        char *e2;
        unsigned long k = strtoul(key, &e2, 10);
        const char *url = json_string_value(val);
        if (e2 == key || *e2 || k < 1 || k > n || !url || o->part_urls[k - 1])
            return aif_err_set(err, AIF_EFORMAT, "%s: bad or repeated part key \"%s\"", where, key);
        if (!(o->part_urls[k - 1] = aif_strdup(url)))
            return aif_err_set(err, AIF_ENOMEM, "out of memory");
    }
    return AIF_OK;
}

aif_code aif_hub_hf_parse_lfs_batch(const char *json, size_t len, aif_hub_hf_lfs_batch *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "LFS batch: bad JSON at line %d column %d: %s", je.line, je.column,
                           je.text);
    aif_code rc = AIF_OK;
    json_t *objs = json_object_get(root, "objects");
    const char *tr = json_string_value(json_object_get(root, "transfer"));
    snprintf(out->transfer, sizeof out->transfer, "%s", tr ? tr : "basic");
    if (!json_is_object(root) || !json_is_array(objs)) {
        rc = aif_err_set(err, AIF_EFORMAT, "LFS batch: no \"objects\" array");
        goto done;
    }
    out->objects = aif_calloc_err(json_array_size(objs) + 1, sizeof *out->objects, "LFS objects", err);
    if (!out->objects) {
        rc = AIF_ENOMEM;
        goto done;
    }
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o) {
        aif_hub_hf_lfs_object *ob = &out->objects[out->n++];
        char where[96];
        snprintf(where, sizeof where, "LFS batch: objects[%zu]", i);
        const char *oid = json_string_value(json_object_get(o, "oid"));
        json_t *sz = json_object_get(o, "size");
        if (!json_is_object(o) || !hex64(oid) || !json_is_integer(sz) || json_integer_value(sz) < 0) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s: needs a 64-hex \"oid\" and a non-negative \"size\"", where);
            break;
        }
        memcpy(ob->oid, oid, 65);
        ob->size = (uint64_t)json_integer_value(sz);
        json_t *e = json_object_get(o, "error");
        if (e) {
            json_t *c = json_object_get(e, "code");
            const char *m = json_string_value(json_object_get(e, "message"));
            ob->error_code = json_is_integer(c) && json_integer_value(c) > 0 && json_integer_value(c) < 100000
                                 ? (int)json_integer_value(c)
                                 : 1;
            ob->error_message = aif_strdup(m ? m : "(no message)");
            if (!ob->error_message) {
                rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
                break;
            }
            continue;
        }
        json_t *act = json_object_get(o, "actions");
        if (!act || json_is_null(act))
            continue; /* already stored */
        json_t *up = json_object_get(act, "upload"), *ver = json_object_get(act, "verify");
        const char *href = json_string_value(json_object_get(up, "href"));
        if (!json_is_object(act) || (up && !href)) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s: actions.upload has no \"href\"", where);
            break;
        }
        if (href && !(ob->upload_href = aif_strdup(href))) {
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
            break;
        }
        const char *vh = json_string_value(json_object_get(ver, "href"));
        if (ver && !vh) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s: actions.verify has no \"href\"", where);
            break;
        }
        if (vh && !(ob->verify_href = aif_strdup(vh))) {
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
            break;
        }
        json_t *hdr = json_object_get(up, "header");
        if (hdr && !json_is_object(hdr)) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s: actions.upload.header is not an object", where);
            break;
        }
        if (hdr && (rc = parse_parts(hdr, ob, where, err)) != AIF_OK)
            break;
    }
done:
    json_decref(root);
    if (rc != AIF_OK)
        aif_hub_hf_lfs_batch_release(out);
    return rc;
}

/* PUT [off, off+len) of a file to a pre-signed URL, streamed from a
 * read-only mapping: libcurl pulls the bytes through a read callback and
 * the pages already sent are dropped (MADV_DONTNEED), so the resident
 * size stays small whatever the part size. Retried like aif_http: network
 * errors, 408/429/5xx, doubling waits. No token, no Content-Type (the URL
 * is pre-signed). */
typedef struct pstream {
    const uint8_t *base;      /* mapping start (page aligned) */
    size_t delta;             /* offset of the data in the mapping */
    uint64_t len, pos, dropped;
    char etag[256];
    char body[512];
    size_t body_n;
    long retry_after;
} pstream;

#define DROP_EVERY (8u << 20)

static size_t ps_read(char *buf, size_t size, size_t nitems, void *ud)
{
    pstream *s = ud;
    size_t n = size * nitems;
    if (n > s->len - s->pos)
        n = (size_t)(s->len - s->pos);
    memcpy(buf, s->base + s->delta + s->pos, n);
    s->pos += n;
    if (s->pos - s->dropped >= DROP_EVERY) {
        long pg = sysconf(_SC_PAGESIZE);
        uint64_t upto = (s->delta + s->pos) / (uint64_t)pg * (uint64_t)pg, from = s->delta + s->dropped;
        from = (from + (uint64_t)pg - 1) / (uint64_t)pg * (uint64_t)pg;
        if (upto > from)
            madvise((void *)(s->base + from), (size_t)(upto - from), MADV_DONTNEED);
        s->dropped = s->pos;
    }
    return n;
}

static int ps_seek(void *ud, curl_off_t offset, int origin)
{
    pstream *s = ud;
    if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > s->len)
        return CURL_SEEKFUNC_FAIL;
    s->pos = (uint64_t)offset;
    s->dropped = s->pos;
    return CURL_SEEKFUNC_OK;
}

static size_t ps_header(char *b, size_t size, size_t n, void *ud)
{
    pstream *s = ud;
    size_t len = size * n;
    if (len > 5 && !strncasecmp(b, "ETag:", 5)) {
        const char *v = b + 5;
        while (*v == ' ')
            v++;
        size_t k = (size_t)(b + len - v);
        while (k && (v[k - 1] == '\r' || v[k - 1] == '\n' || v[k - 1] == ' '))
            k--;
        if (k >= sizeof s->etag)
            k = sizeof s->etag - 1;
        memcpy(s->etag, v, k);
        s->etag[k] = 0;
    } else if (len > 12 && !strncasecmp(b, "Retry-After:", 12)) {
        s->retry_after = strtol(b + 12, NULL, 10);
    }
    return len;
}

static size_t ps_body(char *b, size_t size, size_t n, void *ud)
{
    pstream *s = ud;
    size_t len = size * n, k = len < sizeof s->body - 1 - s->body_n ? len : sizeof s->body - 1 - s->body_n;
    memcpy(s->body + s->body_n, b, k);
    s->body_n += k;
    s->body[s->body_n] = 0;
    return len;
}

aif_code aif_hf_put_range(aif_hf *hf, const char *url, const char *path, uint64_t off, uint64_t len, char *etag,
                          size_t etag_cap, aif_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return aif_err_set(err, AIF_EIO, "%s: %s", path, strerror(errno));
    long pg = sysconf(_SC_PAGESIZE);
    uint64_t a = off - off % (uint64_t)pg;
    pstream s = {.delta = (size_t)(off - a), .len = len};
    void *m = len ? mmap(NULL, (size_t)(len + s.delta), PROT_READ, MAP_PRIVATE, fd, (off_t)a) : NULL;
    close(fd);
    if (m == MAP_FAILED)
        return aif_err_set(err, AIF_EIO, "%s: mmap: %s", path, strerror(errno));
    if (m)
        madvise(m, (size_t)(len + s.delta), MADV_SEQUENTIAL);
    s.base = m;
    CURL *c = curl_easy_init();
    struct curl_slist *hl = curl_slist_append(NULL, "Content-Type:");
    struct curl_slist *hl2 = hl ? curl_slist_append(hl, "Expect:") : NULL;
    aif_code rc = AIF_OK;
    if (!c || !hl2) {
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
        goto done;
    }
    hl = hl2;
    double wait = hf->retry_delay_s;
    char ebuf[CURL_ERROR_SIZE];
    for (int k = 1;; k++) {
        curl_easy_reset(c);
        s.pos = s.dropped = 0;
        s.etag[0] = 0;
        s.body_n = 0;
        s.body[0] = 0;
        s.retry_after = -1;
        ebuf[0] = 0;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, ps_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &s);
        curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, ps_seek);
        curl_easy_setopt(c, CURLOPT_SEEKDATA, &s);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ps_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ps_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(c, CURLOPT_USERAGENT, hf->user_agent);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)(hf->stall_timeout_s + 0.5));
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
        CURLcode cr = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        int retry;
        if (cr != CURLE_OK) {
            rc = aif_err_set(err, cr == CURLE_OPERATION_TIMEDOUT ? AIF_ETIMEOUT : AIF_ENET, "PUT %s: %s", url,
                             ebuf[0] ? ebuf : curl_easy_strerror(cr));
            retry = 1;
        } else if (status >= 400) {
            for (size_t i = 0; i < s.body_n; i++)
                if ((unsigned char)s.body[i] < 0x20)
                    s.body[i] = ' ';
            rc = aif_err_set(err, AIF_EHTTP, "PUT %s: HTTP %ld: %s", url, status, s.body);
            if (err)
                err->status = (int)status;
            retry = status == 408 || status == 429 || status >= 500;
        } else {
            rc = AIF_OK;
            break;
        }
        if (!retry || k >= hf->max_attempts) {
            if (k > 1)
                aif_err_wrap(err, "after %d attempts", k);
            break;
        }
        double w = s.retry_after > wait ? (double)s.retry_after : wait;
        if (w > hf->retry_max_delay_s)
            w = hf->retry_max_delay_s;
        aif_log(AIF_LOG_DEBUG, "hub: PUT %s failed (%s), retrying in %.3g s", url, err ? err->msg : "", w);
        struct timespec ts = {(time_t)w, (long)((w - (double)(time_t)w) * 1e9)};
        nanosleep(&ts, NULL);
        wait *= 2;
    }
    if (rc == AIF_OK && etag) {
        if (!s.etag[0])
            rc = aif_err_set(err, AIF_EFORMAT, "PUT %s: the answer has no ETag", url);
        else
            snprintf(etag, etag_cap, "%s", s.etag);
    }
done:
    if (c)
        curl_easy_cleanup(c);
    curl_slist_free_all(hl);
    if (m)
        munmap(m, (size_t)(len + s.delta));
    return rc;
}

