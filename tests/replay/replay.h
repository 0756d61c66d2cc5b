/* replay.h: a small HTTP/1.1 server on 127.0.0.1 for network tests
 * (curl's tests/server idea). A test starts it, adds routes, points its
 * client at replay_url(), runs, then checks what the server received.
 *
 *     replay_server *s = replay_start();
 *     replay_resp fail = {.status = 500, .body = "{\"error\":\"x\"}"};
 *     replay_resp ok = {.status = 200, .body_file = aif_test_path("hub/...json")};
 *     replay_route(s, "GET", "/rows?", (replay_resp[]){fail, ok}, 2);
 *     ... client calls replay_url(s) + "/rows?dataset=..." ...
 *     CHECK_EQ(replay_count(s), 2);
 *     replay_stop(s);
 *
 * Routing: the first route whose method matches (NULL: any) and whose
 * prefix is a prefix of the request target (path plus query) answers. The
 * k-th request a route gets is answered with seq[k] (the last entry repeats).
 * Unmatched requests get 404 with body "no route". Each connection is
 * answered once and closed ("Connection: close"), one at a time.
 *
 * Faults per response: delay_ms before anything is sent (the delay ends
 * early when the client hangs up), truncate_at (announce the full
 * Content-Length, send only that many body bytes, close), hangup (close
 * without answering). Ranges: with `ranges` set, a "Range: bytes=a-b"
 * request to a 200 response gets 206 with Content-Range (416 if outside).
 *
 * Every request is recorded (method, target, raw headers, body, arrival
 * time) for assertions. Strings passed in must outlive the server.
 * Test-only code: it aborts on setup failures instead of returning errors.
 */
#ifndef AIF_TEST_REPLAY_H
#define AIF_TEST_REPLAY_H

#include <stddef.h>

typedef struct replay_server replay_server;

typedef struct replay_resp {
    int status;              /* 0: 200 */
    const char *headers;     /* extra header lines, each ending "\r\n"; NULL: none */
    const char *body;        /* NULL: empty (unless body_file) */
    size_t body_len;         /* 0: strlen(body) */
    const char *body_file;   /* body read from this file when answering */
    int delay_ms;            /* wait before answering */
    long truncate_at;        /* > 0: send only this many body bytes then close; 0: off */
    int truncate_zero;       /* send headers (full Content-Length) and no body byte */
    int hangup;              /* close the connection without a response */
    int ranges;              /* honour Range: bytes=a-b / a- / -n */
} replay_resp;

typedef struct replay_req {
    char method[16];
    char *target;            /* path and query as sent */
    char *headers;           /* raw header lines after the request line */
    char *body;              /* NUL-terminated */
    size_t body_len;
    double t;                /* seconds since replay_start when it arrived */
} replay_req;

replay_server *replay_start(void);
/* Stops the thread and frees everything (recorded requests included). */
void replay_stop(replay_server *s);
/* "http://127.0.0.1:<port>" (owned by the server). */
const char *replay_url(const replay_server *s);
int replay_port(const replay_server *s);
/* Add a route answering with seq[0..n_seq) in turn (copied). */
void replay_route(replay_server *s, const char *method, const char *prefix, const replay_resp *seq, int n_seq);
/* Shorthand: one fixed answer. */
void replay_route1(replay_server *s, const char *method, const char *prefix, int status, const char *headers,
                   const char *body);
/* Requests received so far, and the i-th of them (copied out; valid until
 * replay_stop). */
int replay_count(replay_server *s);
const replay_req *replay_request(replay_server *s, int i);
/* Value of header `name` in request i into out; 1 if present. */
int replay_req_header(replay_server *s, int i, const char *name, char *out, size_t cap);

#endif
