/* replay.c: the test HTTP server of replay.h (one thread, one connection
 * at a time, every answer closes its connection). */
#include "replay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUTES 64
#define MAX_SEQ 16
#define MAX_REQS 1024
#define MAX_HEAD (64 * 1024)
#define MAX_BODY (16 * 1024 * 1024)

typedef struct route {
    const char *method, *prefix;
    replay_resp seq[MAX_SEQ];
    int n_seq, hits;
} route;

struct replay_server {
    int fd, port;
    char url[64];
    pthread_t thread;
    atomic_int stop;
    pthread_mutex_t mu;
    route routes[MAX_ROUTES];
    int n_routes;
    replay_req reqs[MAX_REQS];
    int n_reqs;
    double t0;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "replay: %s: %s\n", what, strerror(errno));
    abort();
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("malloc");
    return p;
}

/* Send all of buf; 0 on success. */
static int send_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Wait up to ms for the peer; returns 1 if it hung up (or stop was asked). */
static int wait_or_hangup(replay_server *s, int fd, int ms)
{
    double end = now() + ms / 1000.0;
    while (!atomic_load(&s->stop)) {
        double left = end - now();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, left > 0.02 ? 20 : (int)(left * 1000) + 1);
        if (r > 0) {
            char c;
            ssize_t k = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
            if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR))
                return 1;
            if (k > 0) { /* the client sent more (pipelining): just keep waiting */
                struct timespec ts = {0, 5000000};
                nanosleep(&ts, NULL);
            }
        }
    }
    return 1;
}

static char *find_hdr(const char *headers, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *l = headers; l && *l;) {
        const char *e = strstr(l, "\r\n");
        size_t len = e ? (size_t)(e - l) : strlen(l);
        if (len > nl && l[nl] == ':' && !strncasecmp(l, name, nl)) {
            const char *v = l + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t k = (size_t)(l + len - v);
            if (k >= cap)
                k = cap - 1;
            memcpy(out, v, k);
            out[k] = 0;
            while (k && (out[k - 1] == ' ' || out[k - 1] == '\t'))
                out[--k] = 0;
            return out;
        }
        if (!e)
            break;
        l = e + 2;
    }
    return NULL;
}

/* Read one request; returns 0 and fills r, or -1. */
static int read_request(replay_server *s, int fd, replay_req *r)
{
    char *head = xmalloc(MAX_HEAD + 1);
    size_t n = 0;
    char *end = NULL;
    double deadline = now() + 5;
    while (!end) {
        if (n >= MAX_HEAD || now() > deadline || atomic_load(&s->stop))
            goto fail;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        ssize_t k = recv(fd, head + n, MAX_HEAD - n, 0);
        if (k <= 0)
            goto fail;
        n += (size_t)k;
        head[n] = 0;
        end = strstr(head, "\r\n\r\n");
    }
    size_t head_len = (size_t)(end - head) + 4;
    char *sp1 = strchr(head, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    char *eol = strstr(head, "\r\n");
    if (!sp1 || !sp2 || sp2 > eol || (size_t)(sp1 - head) >= sizeof r->method)
        goto fail;
    memset(r, 0, sizeof *r);
    memcpy(r->method, head, (size_t)(sp1 - head));
    r->target = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
    r->headers = strndup(eol + 2, (size_t)(end + 2 - (eol + 2)));
    char v[64];
    size_t clen = 0;
    if (find_hdr(r->headers, "Content-Length", v, sizeof v))
        clen = (size_t)strtoull(v, NULL, 10);
    if (clen > MAX_BODY)
        goto fail_req;
    if (find_hdr(r->headers, "Expect", v, sizeof v) && !strcasecmp(v, "100-continue"))
        send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    r->body = xmalloc(clen + 1);
    size_t have = n - head_len < clen ? n - head_len : clen;
    memcpy(r->body, head + head_len, have);
    while (have < clen) {
        if (now() > deadline || atomic_load(&s->stop))
            goto fail_req;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        ssize_t k = recv(fd, r->body + have, clen - have, 0);
        if (k <= 0)
            goto fail_req;
        have += (size_t)k;
    }
    r->body[clen] = 0;
    r->body_len = clen;
    free(head);
    return 0;
fail_req:
    free(r->target);
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof *r);
fail:
    free(head);
    return -1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = xmalloc(cap);
    size_t k;
    while ((k = fread(p + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            cap *= 2;
            char *q = realloc(p, cap);
            if (!q)
                die("realloc");
            p = q;
        }
    }
    fclose(f);
    *len = n;
    return p;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

static void answer(replay_server *s, int fd, const replay_req *r, const replay_resp *rs)
{
    if (rs->delay_ms > 0 && wait_or_hangup(s, fd, rs->delay_ms))
        return;
    if (rs->hangup)
        return;
    int status = rs->status ? rs->status : 200;
    const char *body = rs->body ? rs->body : "";
    size_t len = rs->body_len ? rs->body_len : strlen(body);
    char *owned = NULL;
    if (rs->body_file) {
        owned = read_file(rs->body_file, &len);
        if (!owned) {
            status = 500;
            body = "replay: cannot read body_file";
            len = strlen(body);
        } else {
            body = owned;
        }
    }
    char extra[160] = "";
    char range[128];
    if (rs->ranges && status == 200 && find_hdr(r->headers, "Range", range, sizeof range) &&
        !strncmp(range, "bytes=", 6)) {
        const char *spec = range + 6;
        long long a = -1, b = -1;
        if (spec[0] == '-') {
            long long k = atoll(spec + 1);
            a = (long long)len - k < 0 ? 0 : (long long)len - k;
            b = (long long)len - 1;
        } else {
            char *dash;
            a = strtoll(spec, &dash, 10);
            b = (*dash == '-' && dash[1]) ? atoll(dash + 1) : (long long)len - 1;
        }
        if (b >= (long long)len)
            b = (long long)len - 1;
        if (a < 0 || a >= (long long)len || b < a) {
            snprintf(extra, sizeof extra, "Content-Range: bytes */%zu\r\n", len);
            status = 416;
            body = "";
            len = 0;
        } else {
            snprintf(extra, sizeof extra, "Content-Range: bytes %lld-%lld/%zu\r\n", a, b, len);
            status = 206;
            body += a;
            len = (size_t)(b - a + 1);
        }
    }
    char head[4096];
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s%s%s\r\n", status,
                      reason(status), len, rs->ranges ? "Accept-Ranges: bytes\r\n" : "", extra,
                      rs->headers ? rs->headers : "");
    if (hn < 0 || (size_t)hn >= sizeof head) {
        free(owned);
        return;
    }
    size_t send_len = len;
    if (rs->truncate_zero)
        send_len = 0;
    else if (rs->truncate_at > 0 && (size_t)rs->truncate_at < len)
        send_len = (size_t)rs->truncate_at;
    if (send_all(fd, head, (size_t)hn) == 0 && strcmp(r->method, "HEAD"))
        send_all(fd, body, send_len);
    free(owned);
}

static void serve(replay_server *s, int fd)
{
    replay_req r;
    if (read_request(s, fd, &r))
        return;
    r.t = now() - s->t0;
    replay_resp rs = {.status = 404, .body = "no route"};
    pthread_mutex_lock(&s->mu);
    if (s->n_reqs < MAX_REQS)
        s->reqs[s->n_reqs++] = r;
    else {
        free(r.target);
        free(r.headers);
        free(r.body);
        r = s->reqs[MAX_REQS - 1];
    }
    for (int i = 0; i < s->n_routes; i++) {
        route *ro = &s->routes[i];
        if (ro->method && strcmp(ro->method, r.method))
            continue;
        if (strncmp(r.target, ro->prefix, strlen(ro->prefix)))
            continue;
        int k = ro->hits < ro->n_seq ? ro->hits : ro->n_seq - 1;
        ro->hits++;
        rs = ro->seq[k];
        break;
    }
    pthread_mutex_unlock(&s->mu);
    answer(s, fd, &r, &rs);
}

static void *loop(void *arg)
{
    replay_server *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            continue;
        serve(s, c);
        shutdown(c, SHUT_WR);
        close(c);
    }
    return NULL;
}

replay_server *replay_start(void)
{
    replay_server *s = calloc(1, sizeof *s);
    if (!s)
        die("calloc");
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->fd < 0)
        die("socket");
    int one = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(s->fd, (struct sockaddr *)&a, sizeof a) || listen(s->fd, 16))
        die("bind/listen");
    socklen_t al = sizeof a;
    getsockname(s->fd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
    pthread_mutex_init(&s->mu, NULL);
    s->t0 = now();
    if (pthread_create(&s->thread, NULL, loop, s))
        die("pthread_create");
    return s;
}

void replay_stop(replay_server *s)
{
    if (!s)
        return;
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
    close(s->fd);
    for (int i = 0; i < s->n_reqs; i++) {
        free(s->reqs[i].target);
        free(s->reqs[i].headers);
        free(s->reqs[i].body);
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
}

const char *replay_url(const replay_server *s) { return s->url; }
int replay_port(const replay_server *s) { return s->port; }

void replay_route(replay_server *s, const char *method, const char *prefix, const replay_resp *seq, int n_seq)
{
    pthread_mutex_lock(&s->mu);
    if (s->n_routes >= MAX_ROUTES || n_seq < 1 || n_seq > MAX_SEQ) {
        fprintf(stderr, "replay: too many routes or bad sequence length\n");
        abort();
    }
    route *r = &s->routes[s->n_routes++];
    r->method = method;
    r->prefix = prefix;
    memcpy(r->seq, seq, (size_t)n_seq * sizeof *seq);
    r->n_seq = n_seq;
    r->hits = 0;
    pthread_mutex_unlock(&s->mu);
}

void replay_route1(replay_server *s, const char *method, const char *prefix, int status, const char *headers,
                   const char *body)
{
    replay_resp r = {.status = status, .headers = headers, .body = body};
    replay_route(s, method, prefix, &r, 1);
}

int replay_count(replay_server *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->n_reqs;
    pthread_mutex_unlock(&s->mu);
    return n;
}

const replay_req *replay_request(replay_server *s, int i)
{
    pthread_mutex_lock(&s->mu);
    const replay_req *r = i >= 0 && i < s->n_reqs ? &s->reqs[i] : NULL;
    pthread_mutex_unlock(&s->mu);
    return r;
}

int replay_req_header(replay_server *s, int i, const char *name, char *out, size_t cap)
{
    const replay_req *r = replay_request(s, i);
    return r && find_hdr(r->headers, name, out, cap) != NULL;
}
