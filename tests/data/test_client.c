/* test_client.c: the datasets-server client against the replay server
 * serving the recorded bodies of ../shared/testdata/hub/datasets-server,
 * with faults. Retry counts and waits are checked against reference 5.3
 * (15 attempts, 5 s between them) through a recording sleep hook. */
#include "harness.h"

#include "aif/alloc.h"
#include "aif/log.h"
#include "aif/progress.h"
#include "aif/data.h"
#include "replay/replay.h"

typedef struct sleeps {
    double w[64];
    int n;
} sleeps;

static void record_sleep(void *ctx, double s)
{
    sleeps *z = ctx;
    if (z->n < 64)
        z->w[z->n++] = s;
}

/* Default policy (15 attempts, 5 s), waits recorded instead of slept. */
static aif_data_client *client(replay_server *s, sleeps *z, double timeout_s)
{
    aif_data_client_opts o;
    aif_data_client_opts_default(&o);
    o.base_url = replay_url(s);
    o.sleep_fn = record_sleep;
    o.sleep_ctx = z;
    if (timeout_s > 0) {
        o.timeout_s = timeout_s;
        o.total_timeout_s = timeout_s;
    }
    aif_data_client *c = NULL;
    aif_err err;
    CHECK_OK(aif_data_client_new(&o, &c, &err), err);
    return c;
}

#define ROWS_FILE "hub/datasets-server/rows_200_stanfordnlp_imdb_offset234_length3.json"
#define NOT_READY "hub/datasets-server/error_500_response_not_ready.json"

static void rows_ok(void)
{
    replay_server *s = replay_start();
    replay_resp ok = {.status = 200, .body_file = aif_test_path(ROWS_FILE), .headers = "Content-Type: application/json\r\n"};
    replay_route(s, "GET", "/rows?", &ok, 1);
    sleeps z = {0};
    aif_data_client *c = client(s, &z, 0);
    aif_data_page p;
    aif_err err;
    char *raw = NULL;
    size_t raw_len = 0;
    CHECK_OK(aif_data_client_rows(c, "ai-factory/red_pajama_subset_arxiv_subset", "default", "train", 1234, 50, &p, &raw,
                                  &raw_len, &err),
             err);
    CHECK_EQ(p.n_rows, 3);
    CHECK_STR(p.config, "default");
    CHECK_EQ(raw_len, 4920); /* the file's size */
    CHECK(raw && !strncmp(raw, "{\n  \"features\"", 14));
    CHECK_EQ(aif_data_client_attempts(c), 1);
    CHECK_EQ(replay_count(s), 1);
    /* the exact request of 5.3 */
    CHECK_STR(replay_count(s) ? replay_request(s, 0)->target : NULL,
              "/rows?dataset=ai-factory%2Fred_pajama_subset_arxiv_subset&config=default&split=train&offset=1234&length=50");
    char v[64];
    CHECK(!replay_req_header(s, 0, "Authorization", v, sizeof v)); /* no token by default, as the reference */
    aif_free(raw);
    aif_data_page_release(&p);
    /* bad arguments never reach the network */
    CHECK_ERR(aif_data_client_rows(c, "d", "default", "train", 0, 101, &p, NULL, NULL, &err), AIF_EINVAL, err,
              "length 101");
    CHECK_ERR(aif_data_client_rows(c, "d", "default", "train", -1, 5, &p, NULL, NULL, &err), AIF_EINVAL, err,
              "offset -1");
    CHECK_EQ(replay_count(s), 1);
    aif_data_client_free(c);
    replay_stop(s);
}

static void retry_500_then_ok(void)
{
    replay_server *s = replay_start();
    replay_resp seq[] = {{.status = 500, .body_file = aif_test_path(NOT_READY), .headers = "X-Error-Code: ResponseNotReady\r\n"},
                         {.status = 502, .body = "<html>bad gateway</html>"},
                         {.status = 200, .body_file = aif_test_path(ROWS_FILE)}};
    replay_route(s, "GET", "/rows?", seq, 3);
    sleeps z = {0};
    aif_data_client *c = client(s, &z, 0);
    aif_data_page p;
    aif_err err;
    CHECK_OK(aif_data_client_rows(c, "org/ds", "default", "train", 1, 50, &p, NULL, NULL, &err), err);
    CHECK_EQ(p.n_rows, 3);
    CHECK_EQ(aif_data_client_attempts(c), 3);
    CHECK_EQ(z.n, 2);
    CHECK_NEAR(z.w[0], 5.0, 0);
    CHECK_NEAR(z.w[1], 5.0, 0);
    aif_data_page_release(&p);
    aif_data_client_free(c);
    replay_stop(s);
}

static void retry_exhausted(void)
{
    aif_log_level lvl = aif_log_get_level();
    aif_log_set_level(AIF_LOG_ERROR); /* 14 retry warnings */
    replay_server *s = replay_start();
    replay_resp nr = {.status = 500, .body_file = aif_test_path(NOT_READY), .headers = "X-Error-Code: ResponseNotReady\r\n"};
    replay_route(s, "GET", "/rows?", &nr, 1);
    sleeps z = {0};
    aif_data_client *c = client(s, &z, 0);
    aif_data_page p;
    aif_err err;
    CHECK_ERR(aif_data_client_rows(c, "org/ds", "default", "train", 77, 50, &p, NULL, NULL, &err), AIF_EHTTP, err,
              "HTTP 500: The server is busier than usual and the response is not ready yet. Please retry later. "
              "[ResponseNotReady]");
    CHECK(strstr(err.msg, "after 15 attempts") != NULL);
    CHECK(strstr(err.msg, "dataset=org/ds") && strstr(err.msg, "offset=77"));
    CHECK_EQ(err.status, 500);
    CHECK_EQ(aif_data_client_attempts(c), 15);
    CHECK_EQ(replay_count(s), 15);
    CHECK_EQ(z.n, 14); /* a wait between attempts, none after the last */
    for (int i = 0; i < z.n; i++)
        CHECK_NEAR(z.w[i], 5.0, 0);
    aif_data_client_free(c);
    replay_stop(s);
    aif_log_set_level(lvl);
}

static void http_4xx_retried_like_reference(void)
{
    /* requests' raise_for_status makes every status >= 400 a RequestException: retried */
    replay_server *s = replay_start();
    replay_resp bad = {.status = 422, .body_file = aif_test_path("hub/datasets-server/error_422_too_large_length.json")};
    replay_route(s, "GET", "/rows?", &bad, 1);
    aif_data_client_opts o;
    aif_data_client_opts_default(&o);
    o.base_url = replay_url(s);
    o.max_attempts = 3;
    o.retry_delay_s = 0.001;
    aif_data_client *c = NULL;
    aif_err err;
    CHECK_OK(aif_data_client_new(&o, &c, &err), err);
    aif_data_page p;
    CHECK_ERR(aif_data_client_rows(c, "org/ds", "default", "train", 1, 50, &p, NULL, NULL, &err), AIF_EHTTP, err,
              "HTTP 422: Parameter 'length' must not be greater than 100");
    CHECK_EQ(err.status, 422);
    CHECK_EQ(replay_count(s), 3);
    aif_data_client_free(c);
    replay_stop(s);
}

static void retry_429(void)
{
    replay_server *s = replay_start();
    replay_resp seq[] = {{.status = 429, .headers = "Retry-After: 12\r\n", .body = "{\"error\": \"too many requests\"}"},
                         {.status = 429, .headers = "Retry-After: 1\r\n", .body = "{\"error\": \"too many requests\"}"},
                         {.status = 200, .body_file = aif_test_path(ROWS_FILE)}};
    replay_route(s, "GET", "/rows?", seq, 3);
    sleeps z = {0};
    aif_data_client *c = client(s, &z, 0);
    aif_data_page p;
    aif_err err;
    CHECK_OK(aif_data_client_rows(c, "org/ds", "default", "train", 3, 50, &p, NULL, NULL, &err), err);
    CHECK_EQ(aif_data_client_attempts(c), 3);
    CHECK_EQ(z.n, 2);
    CHECK_NEAR(z.w[0], 12.0, 0); /* Retry-After above the 5 s delay is honoured */
    CHECK_NEAR(z.w[1], 5.0, 0);  /* below it, the 5 s delay stands */
    aif_data_page_release(&p);
    aif_data_client_free(c);
    replay_stop(s);
}

static void faults_timeout_truncated_invalid(void)
{
    replay_server *s = replay_start();
    replay_resp slow = {.status = 200, .body_file = aif_test_path(ROWS_FILE), .delay_ms = 3000};
    replay_resp cut = {.status = 200, .body_file = aif_test_path(ROWS_FILE), .truncate_at = 1000};
    replay_resp junk = {.status = 200, .body = "{\"rows\": [ {\"row\": "};
    replay_resp html = {.status = 200, .body = "<html>maintenance</html>"};
    replay_resp ok = {.status = 200, .body_file = aif_test_path(ROWS_FILE)};
    replay_resp norows = {.status = 200, .body = "{\"features\": [], \"num_rows_total\": 0}"};
    replay_route(s, "GET", "/rows?dataset=slow&", (replay_resp[]){slow, ok}, 2);
    replay_route(s, "GET", "/rows?dataset=cut&", (replay_resp[]){cut, cut, ok}, 3);
    replay_route(s, "GET", "/rows?dataset=junk&", (replay_resp[]){junk, html, ok}, 3);
    replay_route(s, "GET", "/rows?dataset=alwaysjunk&", &junk, 1);
    replay_route(s, "GET", "/rows?dataset=norows&", &norows, 1);
    sleeps z = {0};
    aif_data_client *c = client(s, &z, 0.3);
    aif_data_page p;
    aif_err err;

    double t0 = aif_time_now();
    CHECK_OK(aif_data_client_rows(c, "slow", "default", "train", 1, 50, &p, NULL, NULL, &err), err);
    CHECK(aif_time_now() - t0 < 2.5); /* the first attempt timed out at 0.3 s */
    CHECK_EQ(aif_data_client_attempts(c), 2);
    aif_data_page_release(&p);

    CHECK_OK(aif_data_client_rows(c, "cut", "default", "train", 1, 50, &p, NULL, NULL, &err), err);
    CHECK_EQ(aif_data_client_attempts(c), 3);
    CHECK_EQ(p.n_rows, 3);
    aif_data_page_release(&p);

    CHECK_OK(aif_data_client_rows(c, "junk", "default", "train", 1, 50, &p, NULL, NULL, &err), err);
    CHECK_EQ(aif_data_client_attempts(c), 3);
    aif_data_page_release(&p);

    /* structural errors are not retried (5.3: "other errors ... abort") */
    CHECK_ERR(aif_data_client_rows(c, "norows", "default", "train", 9, 50, &p, NULL, NULL, &err), AIF_EFORMAT, err,
              "dataset norows offset 9: rows response has no 'rows' array");
    CHECK_EQ(aif_data_client_attempts(c), 1);
    aif_data_client_free(c);

    /* invalid JSON every time: all attempts used, then a clear error */
    aif_data_client_opts o;
    aif_data_client_opts_default(&o);
    o.base_url = replay_url(s);
    o.max_attempts = 4;
    o.sleep_fn = record_sleep;
    o.sleep_ctx = &z;
    CHECK_OK(aif_data_client_new(&o, &c, &err), err);
    z.n = 0;
    CHECK_ERR(aif_data_client_rows(c, "alwaysjunk", "default", "train", 1, 50, &p, NULL, NULL, &err), AIF_EFORMAT, err,
              "invalid JSON");
    CHECK(strstr(err.msg, "after 4 attempts") != NULL);
    CHECK_EQ(z.n, 3);
    aif_data_client_free(c);

    /* timeouts every time */
    replay_resp always_slow = {.status = 200, .body = "{}", .delay_ms = 2000};
    replay_route(s, "GET", "/rows?dataset=sleepy&", &always_slow, 1);
    o.max_attempts = 2;
    o.timeout_s = 0.2;
    o.total_timeout_s = 0.2;
    CHECK_OK(aif_data_client_new(&o, &c, &err), err);
    CHECK_ERR(aif_data_client_rows(c, "sleepy", "default", "train", 1, 50, &p, NULL, NULL, &err), AIF_ETIMEOUT, err,
              "timed out");
    CHECK_EQ(aif_data_client_attempts(c), 2);
    aif_data_client_free(c);
    replay_stop(s);
}

static void size_splits_remote(void)
{
    replay_server *s = replay_start();
    replay_resp size = {.status = 200, .body_file = aif_test_path("hub/datasets-server/size_200_config_nyu-mll_glue_ax.json")};
    replay_resp splits = {.status = 200, .body_file = aif_test_path("hub/datasets-server/splits_200_ibm_duorc.json")};
    replay_resp toomany = {.status = 501,
                           .body_file = aif_test_path("hub/datasets-server/error_501_too_many_configs.json"),
                           .headers = "X-Error-Code: DatasetWithTooManyConfigsError\r\n"};
    replay_route(s, "GET", "/size?dataset=nyu-mll%2Fglue&config=ax", &size, 1);
    replay_route(s, "GET", "/splits?dataset=ibm%2Fduorc", &splits, 1);
    replay_route(s, "GET", "/splits?", &toomany, 1);
    aif_data_client_opts o;
    aif_data_client_opts_default(&o);
    o.base_url = replay_url(s);
    o.max_attempts = 2;
    o.retry_delay_s = 0.001;
    aif_data_client *c = NULL;
    aif_err err;
    CHECK_OK(aif_data_client_new(&o, &c, &err), err);
    aif_data_size sz;
    CHECK_OK(aif_data_client_size(c, "nyu-mll/glue", "ax", &sz, &err), err);
    CHECK_EQ(sz.num_rows, 1104);
    aif_data_size_release(&sz);
    aif_data_split *v;
    size_t n;
    CHECK_OK(aif_data_client_splits(c, "ibm/duorc", &v, &n, &err), err);
    CHECK_EQ(n, 6);
    aif_data_splits_free(v, n);
    CHECK_ERR(aif_data_client_splits(c, "other/many", &v, &n, &err), AIF_EHTTP, err,
              "HTTP 501: The maximum number of configs allowed is 3000, dataset has 41617 configs. "
              "[DatasetWithTooManyConfigsError]");
    aif_data_client_free(c);
    replay_stop(s);
}

static void rows_without_text_remote(void)
{
    replay_server *s = replay_start();
    replay_route1(s, "GET", "/rows?", 200, NULL,
                  "{\"rows\":[{\"row_idx\":40,\"row\":{\"text\":\"ok\"}},{\"row_idx\":41,\"row\":{\"question\":\"q\"}}]}");
    aif_data_client_opts o;
    aif_data_client_opts_default(&o);
    o.base_url = replay_url(s);
    aif_data_client *c = NULL;
    aif_err err;
    CHECK_OK(aif_data_client_new(&o, &c, &err), err);
    aif_data_page p;
    CHECK_OK(aif_data_client_rows(c, "org/ds", "default", "train", 40, 2, &p, NULL, NULL, &err), err);
    const char *t;
    size_t n;
    CHECK_ERR(aif_data_row_text(&p, 1, &t, &n, &err), AIF_ENOTFOUND, err,
              "dataset org/ds offset 40 row 1 (row_idx 41): no string 'text' or 'content' column (columns: question)");
    aif_data_page_release(&p);
    aif_data_client_free(c);
    replay_stop(s);
}

AIF_TESTS(data_client) = {
    {"data/client_rows_ok", rows_ok},
    {"data/client_retry_500_then_ok", retry_500_then_ok},
    {"data/client_retry_exhausted", retry_exhausted},
    {"data/client_4xx_retried", http_4xx_retried_like_reference},
    {"data/client_retry_429", retry_429},
    {"data/client_faults", faults_timeout_truncated_invalid},
    {"data/client_size_splits", size_splits_remote},
    {"data/client_rows_without_text", rows_without_text_remote},
    {NULL, NULL},
};
