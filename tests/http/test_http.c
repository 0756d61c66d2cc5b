/* test_http.c: the HTTP client against the replay server: bodies, headers,
 * retries (counts and waits), timeouts, truncation, limits, streaming,
 * ranges, redirects, tokens. */
#include "harness.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "aif/aif.h"
#include "aif/http.h"
#include "replay/replay.h"

typedef struct sleeps {
    double w[32];
    int n;
} sleeps;

static void record_sleep(void *ctx, double s)
{
    sleeps *z = ctx;
    if (z->n < 32)
        z->w[z->n++] = s;
}

/* Options for tests: short timeouts and recorded (not real) waits. */
static aif_http *client(sleeps *z, int attempts, double timeout_s)
{
    aif_http_opts o;
    aif_http_opts_default(&o);
    o.max_attempts = attempts;
    o.retry_delay_s = 0.01;
    o.backoff = 2;
    o.retry_max_delay_s = 30;
    o.connect_timeout_s = 2;
    o.timeout_s = timeout_s;
    o.sleep_fn = record_sleep;
    o.sleep_ctx = z;
    aif_http *h = NULL;
    aif_err err;
    if (aif_http_new(&o, &h, &err) != AIF_OK)
        aif_test_fail(__FILE__, __LINE__, "aif_http_new: %s", err.msg);
    return h;
}

static char *url(replay_server *s, const char *path)
{
    static char buf[4][256];
    static int k;
    char *b = buf[k++ & 3];
    snprintf(b, 256, "%s%s", replay_url(s), path);
    return b;
}

static void get_ok(void)
{
    replay_server *s = replay_start();
    replay_route1(s, "GET", "/hello", 200, "X-Thing: one\r\nX-Thing: two \r\nContent-Type: text/plain\r\n", "hi there");
    sleeps z = {0};
    aif_http *h = client(&z, 3, 5);
    aif_http_response r;
    aif_err err;
    CHECK_OK(aif_http_get(h, url(s, "/hello?a=1"), &r, &err), err);
    CHECK_EQ(r.status, 200);
    CHECK_EQ(r.body_len, 8);
    CHECK_STR(r.body, "hi there");
    CHECK_EQ(r.attempts, 1);
    char v[64];
    CHECK(aif_http_response_header(&r, "x-thing", v, sizeof v));
    CHECK_STR(v, "two"); /* the last one, trimmed */
    CHECK(!aif_http_response_header(&r, "X-Missing", v, sizeof v));
    CHECK_EQ(replay_count(s), 1);
    const replay_req *q = replay_request(s, 0);
    CHECK(q != NULL);
    CHECK_STR(q ? q->target : NULL, "/hello?a=1");
    CHECK_STR(q ? q->method : NULL, "GET");
    CHECK(replay_req_header(s, 0, "User-Agent", v, sizeof v));
    CHECK_STR(v, "aif/" AIF_VERSION);
    CHECK(!replay_req_header(s, 0, "Authorization", v, sizeof v));
    CHECK_EQ(z.n, 0);
    aif_http_response_release(&r);
    aif_http_free(h);
    replay_stop(s);
}

static void post_body(void)
{
    replay_server *s = replay_start();
    replay_route1(s, "POST", "/rpc", 200, NULL, "{\"result\":1}");
    replay_route1(s, "GET", "/rpc", 405, NULL, "wrong method");
    sleeps z = {0};
    aif_http *h = client(&z, 1, 5);
    const char *body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}";
    aif_http_response r;
    aif_err err;
    CHECK_OK(aif_http_post(h, url(s, "/rpc"), "application/json", body, strlen(body), &r, &err), err);
    CHECK_STR(r.body, "{\"result\":1}");
    const replay_req *q = replay_request(s, 0);
    CHECK(q != NULL);
    if (q) {
        CHECK_STR(q->method, "POST");
        CHECK_EQ(q->body_len, strlen(body));
        CHECK_STR(q->body, body);
    }
    char v[64];
    CHECK(replay_req_header(s, 0, "Content-Type", v, sizeof v));
    CHECK_STR(v, "application/json");
    aif_http_response_release(&r);

    /* A larger body (curl would ask for 100-continue without our "Expect:"). */
    size_t n = 200000;
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    const char *hdrs[] = {"X-Custom: yes", NULL};
    aif_http_request req = {.method = "POST", .url = url(s, "/rpc"), .headers = hdrs, .body = big, .body_len = n};
    CHECK_OK(aif_http_request_send(h, &req, &r, &err), err);
    q = replay_request(s, 1);
    CHECK(q && q->body_len == n && !memcmp(q->body, big, n));
    CHECK(replay_req_header(s, 1, "X-Custom", v, sizeof v));
    aif_http_response_release(&r);
    free(big);
    aif_http_free(h);
    replay_stop(s);
}

static void retry_5xx(void)
{
    replay_server *s = replay_start();
    replay_resp seq[] = {{.status = 500, .body = "{\"error\":\"Unexpected error.\"}"},
                         {.status = 503, .body = "busy"},
                         {.status = 200, .body = "done"}};
    replay_route(s, "GET", "/x", seq, 3);
    sleeps z = {0};
    aif_http *h = client(&z, 5, 5);
    aif_http_response r;
    aif_err err;
    CHECK_OK(aif_http_get(h, url(s, "/x"), &r, &err), err);
    CHECK_STR(r.body, "done");
    CHECK_EQ(r.attempts, 3);
    CHECK_EQ(replay_count(s), 3);
    /* backoff 0.01 then 0.02 (delay 0.01, factor 2) */
    CHECK_EQ(z.n, 2);
    CHECK_NEAR(z.w[0], 0.01, 1e-12);
    CHECK_NEAR(z.w[1], 0.02, 1e-12);
    aif_http_response_release(&r);
    aif_http_free(h);
    replay_stop(s);
}

static void retry_429_retry_after(void)
{
    replay_server *s = replay_start();
    replay_resp seq[] = {{.status = 429, .headers = "Retry-After: 3\r\n", .body = "{\"error\": \"too many requests\"}"},
                         {.status = 429, .headers = "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n", .body = "x"},
                         {.status = 200, .body = "ok"}};
    replay_route(s, "GET", "/r", seq, 3);
    sleeps z = {0};
    aif_http *h = client(&z, 4, 5);
    aif_http_response r;
    aif_err err;
    CHECK_OK(aif_http_get(h, url(s, "/r"), &r, &err), err);
    CHECK_EQ(r.attempts, 3);
    CHECK_EQ(z.n, 2);
    CHECK_NEAR(z.w[0], 3.0, 1e-12);  /* Retry-After seconds beats the 0.01 backoff */
    CHECK_NEAR(z.w[1], 0.02, 1e-12); /* date form ignored: backoff */
    aif_http_response_release(&r);
    aif_http_free(h);
    replay_stop(s);
}

static void retries_exhausted(void)
{
    replay_server *s = replay_start();
    replay_route1(s, NULL, "/", 502, NULL, "{\"error\":\"bad gateway\"}");
    sleeps z = {0};
    aif_http *h = client(&z, 3, 5);
    aif_http_response r;
    aif_err err;
    const char *u = url(s, "/p?q=1");
    CHECK_ERR(aif_http_get(h, u, &r, &err), AIF_EHTTP, err, "HTTP 502");
    CHECK(strstr(err.msg, u) != NULL);
    CHECK(strstr(err.msg, "bad gateway") != NULL);
    CHECK(strstr(err.msg, "after 3 attempts") != NULL);
    CHECK_EQ(err.status, 502);
    CHECK_EQ(r.attempts, 3);
    CHECK_EQ(replay_count(s), 3);
    CHECK_EQ(z.n, 2);
    aif_http_response_release(&r);
    aif_http_free(h);
    replay_stop(s);
}

static void no_retry_4xx(void)
{
    replay_server *s = replay_start();
    replay_route1(s, "GET", "/missing", 404, NULL, "{\n  \"error\": \"Not found.\"\n}");
    sleeps z = {0};
    aif_http *h = client(&z, 5, 5);
    aif_http_response r;
    aif_err err;
    CHECK_ERR(aif_http_get(h, url(s, "/missing"), &r, &err), AIF_EHTTP, err, "HTTP 404: {   \"error\": \"Not found.\" }");
    CHECK_EQ(err.status, 404);
    CHECK_EQ(r.attempts, 1);
    CHECK_EQ(r.status, 404);
    CHECK(r.body && strstr(r.body, "Not found."));
    CHECK_EQ(z.n, 0);
    aif_http_response_release(&r);
    aif_http_free(h);
    replay_stop(s);
}

static void timeout(void)
{
    replay_server *s = replay_start();
    replay_resp slow = {.status = 200, .body = "late", .delay_ms = 3000};
    replay_resp fast = {.status = 200, .body = "quick"};
    replay_route(s, "GET", "/slow", &slow, 1);
    replay_route(s, "GET", "/then", (replay_resp[]){slow, fast}, 2);
    sleeps z = {0};
    aif_http *h = client(&z, 2, 0.2);
    aif_http_response r;
    aif_err err;
    double t0 = aif_time_now();
    CHECK_ERR(aif_http_get(h, url(s, "/slow"), &r, &err), AIF_ETIMEOUT, err, "timed out");
    double dt = aif_time_now() - t0;
    CHECK(dt < 2.0); /* two 0.2 s attempts, not the server's 3 s */
    CHECK_EQ(r.attempts, 2);
    CHECK_EQ(z.n, 1);
    aif_http_response_release(&r);
    CHECK_OK(aif_http_get(h, url(s, "/then"), &r, &err), err);
    CHECK_STR(r.body, "quick");
    CHECK_EQ(r.attempts, 2);
    aif_http_response_release(&r);
    aif_http_free(h);
    replay_stop(s);
}

static void truncated_and_hangup(void)
{
    replay_server *s = replay_start();
    replay_resp cut = {.status = 200, .body = "0123456789abcdefghij", .truncate_at = 7};
    replay_resp ok = {.status = 200, .body = "0123456789abcdefghij"};
    replay_resp gone = {.hangup = 1};
    replay_route(s, "GET", "/cut-then-ok", (replay_resp[]){cut, ok}, 2);
    replay_route(s, "GET", "/cut", &cut, 1);
    replay_route(s, "GET", "/gone", &gone, 1);
    sleeps z = {0};
    aif_http *h = client(&z, 2, 5);
    aif_http_response r;
    aif_err err;
    CHECK_OK(aif_http_get(h, url(s, "/cut-then-ok"), &r, &err), err);
    CHECK_EQ(r.body_len, 20);
    CHECK_EQ(r.attempts, 2);
    aif_http_response_release(&r);
    CHECK_ERR(aif_http_get(h, url(s, "/cut"), &r, &err), AIF_ENET, err, "closed mid-body");
    CHECK_EQ(r.attempts, 2);
    aif_http_response_release(&r);
    CHECK_ERR(aif_http_get(h, url(s, "/gone"), &r, &err), AIF_ENET, err, "/gone");
    CHECK_EQ(r.attempts, 2);
    aif_http_response_release(&r);
    aif_http_free(h);
    replay_stop(s);
}

static void refused(void)
{
    /* Bind a port, close it: nothing listens there any more. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &al);
    close(fd);
    char u[64];
    snprintf(u, sizeof u, "http://127.0.0.1:%d/x", ntohs(a.sin_port));
    sleeps z = {0};
    aif_http *h = client(&z, 3, 5);
    aif_http_response r;
    aif_err err;
    CHECK_ERR(aif_http_get(h, u, &r, &err), AIF_ENET, err, u);
    CHECK_EQ(r.attempts, 3);
    CHECK_EQ(z.n, 2);
    aif_http_response_release(&r);
    CHECK_ERR(aif_http_get(h, "nope://x", &r, &err), AIF_EINVAL, err, "nope://x");
    aif_http_response_release(&r);
    aif_http_free(h);
}

static void size_limit(void)
{
    replay_server *s = replay_start();
    static char big[5001];
    memset(big, 'x', 5000);
    replay_route1(s, "GET", "/big", 200, NULL, big);
    aif_http_opts o;
    aif_http_opts_default(&o);
    o.max_response_bytes = 4096;
    o.max_attempts = 3;
    o.retry_delay_s = 0.001;
    aif_http *h = NULL;
    aif_err err;
    CHECK_OK(aif_http_new(&o, &h, &err), err);
    aif_http_response r;
    CHECK_ERR(aif_http_get(h, url(s, "/big"), &r, &err), AIF_ERANGE, err, "limit of 4096 bytes");
    CHECK_EQ(r.attempts, 1);
    aif_http_response_release(&r);
    aif_http_free(h);
    replay_stop(s);
}

typedef struct sink {
    char *p;
    size_t n;
    int calls, stop_after;
} sink;

static int collect(void *ctx, const void *d, size_t n)
{
    sink *k = ctx;
    memcpy(k->p + k->n, d, n);
    k->n += n;
    k->calls++;
    return k->stop_after && k->calls >= k->stop_after;
}

static void stream_and_range(void)
{
    enum { N = 300000 };
    static char data[N + 1];
    for (int i = 0; i < N; i++)
        data[i] = (char)('A' + (i * 7) % 26);
    replay_server *s = replay_start();
    replay_resp file = {.status = 200, .body = data, .body_len = N, .ranges = 1};
    replay_route(s, "GET", "/file", &file, 1);
    sleeps z = {0};
    aif_http *h = client(&z, 2, 5);
    sink k = {.p = malloc(N)};
    aif_http_request req = {.url = url(s, "/file"), .on_data = collect, .on_data_ctx = &k};
    aif_http_response r;
    aif_err err;
    CHECK_OK(aif_http_request_send(h, &req, &r, &err), err);
    CHECK_EQ(k.n, N);
    CHECK(k.n == N && !memcmp(k.p, data, N));
    CHECK(r.body == NULL);
    aif_http_response_release(&r);

    /* Range 1000-1999 -> 206 with exactly those bytes. */
    const char *hdrs[] = {"Range: bytes=1000-1999", NULL};
    aif_http_request rq = {.url = url(s, "/file"), .headers = hdrs};
    CHECK_OK(aif_http_request_send(h, &rq, &r, &err), err);
    CHECK_EQ(r.status, 206);
    CHECK_EQ(r.body_len, 1000);
    CHECK(r.body_len == 1000 && !memcmp(r.body, data + 1000, 1000));
    char v[128];
    CHECK(aif_http_response_header(&r, "Content-Range", v, sizeof v));
    CHECK_STR(v, "bytes 1000-1999/300000");
    aif_http_response_release(&r);

    /* Out of range -> 416, not retried. */
    const char *h416[] = {"Range: bytes=400000-", NULL};
    aif_http_request r4 = {.url = url(s, "/file"), .headers = h416};
    CHECK_ERR(aif_http_request_send(h, &r4, &r, &err), AIF_EHTTP, err, "HTTP 416");
    CHECK_EQ(r.attempts, 1);
    aif_http_response_release(&r);

    /* The callback can stop the transfer. */
    k.n = 0;
    k.calls = 0;
    k.stop_after = 1;
    CHECK_ERR(aif_http_request_send(h, &req, &r, &err), AIF_ECANCELED, err, "canceled");
    CHECK_EQ(r.attempts, 1);
    aif_http_response_release(&r);
    free(k.p);
    aif_http_free(h);
    replay_stop(s);
}

static void redirect(void)
{
    replay_server *s = replay_start();
    char loc[128];
    snprintf(loc, sizeof loc, "Location: %s/final\r\n", replay_url(s));
    replay_route1(s, "GET", "/start", 302, loc, "");
    replay_route1(s, "GET", "/final", 200, NULL, "landed");
    sleeps z = {0};
    aif_http *h = client(&z, 1, 5);
    aif_http_response r;
    aif_err err;
    CHECK_OK(aif_http_get(h, url(s, "/start"), &r, &err), err);
    CHECK_STR(r.body, "landed");
    CHECK_STR(r.url, url(s, "/final"));
    CHECK_EQ(replay_count(s), 2);
    aif_http_response_release(&r);
    aif_http_free(h);
    replay_stop(s);
}

static void token_sent(void)
{
    replay_server *s = replay_start();
    replay_route1(s, "GET", "/", 200, NULL, "x");
    aif_http_opts o;
    aif_http_opts_default(&o);
    o.token = "hf_abc123";
    o.user_agent = "custom/9";
    aif_http *h = NULL;
    aif_err err;
    CHECK_OK(aif_http_new(&o, &h, &err), err);
    aif_http_response r;
    CHECK_OK(aif_http_get(h, url(s, "/"), &r, &err), err);
    char v[64];
    CHECK(replay_req_header(s, 0, "Authorization", v, sizeof v));
    CHECK_STR(v, "Bearer hf_abc123");
    CHECK(replay_req_header(s, 0, "User-Agent", v, sizeof v));
    CHECK_STR(v, "custom/9");
    aif_http_response_release(&r);
    aif_http_free(h);
    replay_stop(s);
}

/* Save and restore an environment variable around a test. */
typedef struct saved {
    const char *name;
    char *value;
} saved;
static const char *env_names[] = {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HOME", "XDG_CACHE_HOME",
                                  "HOME", "HF_ENDPOINT"};
#define N_ENV (sizeof env_names / sizeof env_names[0])

static void env_save(saved *sv)
{
    for (size_t i = 0; i < N_ENV; i++) {
        const char *v = getenv(env_names[i]);
        sv[i].name = env_names[i];
        sv[i].value = v ? strdup(v) : NULL;
        unsetenv(env_names[i]);
    }
}

static void env_restore(saved *sv)
{
    for (size_t i = 0; i < N_ENV; i++) {
        if (sv[i].value)
            setenv(sv[i].name, sv[i].value, 1);
        else
            unsetenv(sv[i].name);
        free(sv[i].value);
    }
}

static void hf_env(void)
{
    saved sv[N_ENV];
    env_save(sv);
    const char *dir = aif_test_tmpdir();
    char path[512], tok[128];
    aif_err err;

    CHECK(!aif_http_hf_token(tok, sizeof tok)); /* nothing anywhere */
    /* ~/.cache/huggingface/token with blanks and CRLF, as huggingface_hub strips them */
    setenv("HOME", dir, 1);
    snprintf(path, sizeof path, "%s/.cache/huggingface", dir);
    CHECK_OK(aif_fs_mkdirs(path, &err), err);
    snprintf(path, sizeof path, "%s/.cache/huggingface/token", dir);
    CHECK_OK(aif_fs_write_file(path, "  hf_home\r\n", 11, &err), err);
    CHECK(aif_http_hf_token(tok, sizeof tok));
    CHECK_STR(tok, "hf_home");
    /* $HF_HOME/token wins over ~/.cache */
    snprintf(path, sizeof path, "%s/hfhome", dir);
    CHECK_OK(aif_fs_mkdirs(path, &err), err);
    setenv("HF_HOME", path, 1);
    snprintf(path, sizeof path, "%s/hfhome/token", dir);
    CHECK_OK(aif_fs_write_file(path, "hf_x\n", 5, &err), err);
    CHECK(aif_http_hf_token(tok, sizeof tok));
    CHECK_STR(tok, "hf_x");
    /* an empty token file counts as none */
    CHECK_OK(aif_fs_write_file(path, " \n", 2, &err), err);
    CHECK(!aif_http_hf_token(tok, sizeof tok));
    /* HUGGING_FACE_HUB_TOKEN, then HF_TOKEN on top */
    setenv("HUGGING_FACE_HUB_TOKEN", "hf_legacy", 1);
    CHECK(aif_http_hf_token(tok, sizeof tok));
    CHECK_STR(tok, "hf_legacy");
    setenv("HF_TOKEN", "hf_env\n", 1);
    CHECK(aif_http_hf_token(tok, sizeof tok));
    CHECK_STR(tok, "hf_env");

    char ep[256];
    aif_http_hf_endpoint(ep, sizeof ep);
    CHECK_STR(ep, "https://huggingface.co");
    setenv("HF_ENDPOINT", "http://127.0.0.1:9/mirror//", 1);
    aif_http_hf_endpoint(ep, sizeof ep);
    CHECK_STR(ep, "http://127.0.0.1:9/mirror");
    env_restore(sv);
}

static void escape(void)
{
    char *e = aif_http_escape("ai-factory/red pajama_~.x&y=é");
    /* é is C3 A9 in UTF-8; '/', ' ', '&', '=' are reserved */
    CHECK_STR(e, "ai-factory%2Fred%20pajama_~.x%26y%3D%C3%A9");
    aif_free(e);
    CHECK(aif_http_retryable(AIF_ENET, 0));
    CHECK(aif_http_retryable(AIF_ETIMEOUT, 0));
    CHECK(aif_http_retryable(AIF_EHTTP, 429));
    CHECK(aif_http_retryable(AIF_EHTTP, 503));
    CHECK(!aif_http_retryable(AIF_EHTTP, 404));
    CHECK(!aif_http_retryable(AIF_ERANGE, 0));
}

typedef struct worker {
    replay_server *s;
    int ok;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    aif_http *h = NULL; /* one client (one curl handle) per thread */
    if (aif_http_new(NULL, &h, NULL) != AIF_OK)
        return NULL;
    for (int i = 0; i < 5; i++) {
        aif_http_response r;
        char u[128];
        snprintf(u, sizeof u, "%s/t", replay_url(w->s));
        if (aif_http_get(h, u, &r, NULL) == AIF_OK && r.body_len == 4 && !strcmp(r.body, "pong"))
            w->ok++;
        aif_http_response_release(&r);
    }
    aif_http_free(h);
    return NULL;
}

static void threads(void)
{
    replay_server *s = replay_start();
    replay_route1(s, "GET", "/t", 200, NULL, "pong");
    pthread_t t[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){s, 0};
        pthread_create(&t[i], NULL, worker_main, &w[i]);
    }
    int ok = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
    }
    if (!aif_test_injecting()) {
        CHECK_EQ(ok, 20);
        CHECK_EQ(replay_count(s), 20);
    }
    replay_stop(s);
}

AIF_TESTS(http_client) = {
    {"http/threads", threads},
    {"http/get_ok", get_ok},
    {"http/post_body", post_body},
    {"http/retry_5xx", retry_5xx},
    {"http/retry_429_retry_after", retry_429_retry_after},
    {"http/retries_exhausted", retries_exhausted},
    {"http/no_retry_4xx", no_retry_4xx},
    {"http/timeout", timeout},
    {"http/truncated_and_hangup", truncated_and_hangup},
    {"http/refused", refused},
    {"http/size_limit", size_limit},
    {"http/stream_and_range", stream_and_range},
    {"http/redirect", redirect},
    {"http/token_sent", token_sent},
    {"http/hf_env", hf_env},
    {"http/escape", escape},
    {NULL, NULL},
};
