/* chain_player.c: see chain_player.h. */
#include "chain_player.h"

#include <arpa/inet.h>
#include <ctype.h>
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

#include "aif/crypto.h"
#include "aif/scale.h"
#include "harness.h"

#define MAX_SUBS 64
#define MAX_BLOCKS 64
#define FINNEY_GENESIS "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03"
#define EVENTS_KEY "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"

typedef struct rec_entry {
    char *method;
    char *params;       /* normalized */
    json_t *resp;       /* object or list of objects */
    int hits;
} rec_entry;

typedef struct cp_block {
    uint64_t n;
    char hash[67];
    json_t *xts;        /* array of hex strings */
    char *events;       /* hex */
} cp_block;

struct cp_player {
    int fd, port;
    char url[64];
    pthread_t th;
    atomic_int stop;
    pthread_mutex_t mu;
    rec_entry *rec;
    size_t n_rec;
    char *md15_hex, *md14_hex;
    aif_scale_metadata *md;
    uint64_t best;
    int auto_advance;
    uint32_t spec, txv;
    enum cp_submit_mode mode;
    uint8_t fail_pallet, fail_error;
    json_t *storage;    /* key (lower hex, 0x) -> value hex */
    json_t *nonces;     /* ss58 hex pk -> int */
    int hangups, delays, delay_ms, hang_after_submit;
    json_t *counts;     /* method -> int */
    int total;
    cp_submission subs[MAX_SUBS];
    int n_subs;
    cp_block blocks[MAX_BLOCKS];
    int n_blocks;
};

static void die(const char *what)
{
    fprintf(stderr, "chain_player: %s\n", what);
    abort();
}

const char *cp_path(const char *rel)
{
    /* aif_test_path keeps a bounded number of strings; --fail-alloc reruns
     * would exceed it, so each testdata path is resolved once */
    static struct { const char *rel; char path[1024]; } cache[16];
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&mu);
    const char *r = NULL;
    for (int i = 0; i < 16 && !r; i++) {
        if (cache[i].rel && !strcmp(cache[i].rel, rel))
            r = cache[i].path;
        else if (!cache[i].rel) {
            cache[i].rel = rel;
            snprintf(cache[i].path, sizeof cache[i].path, "%s", aif_test_path(rel));
            r = cache[i].path;
        }
    }
    pthread_mutex_unlock(&mu);
    return r ? r : aif_test_path(rel);
}

/* ------------------------------------------------------------- normalize */

static json_t *norm_value(json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
            s += 2;
        char *l = strdup(s);
        for (char *c = l; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        json_t *r = json_string(l);
        free(l);
        return r;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) json_array_append_new(a, norm_value(x));
        return a;
    }
    return json_incref(v);
}

static char *norm_params(const char *method, json_t *params)
{
    json_t *a = norm_value(params && json_is_array(params) ? params : json_array());
    if (!strcmp(method, "state_getKeysPaged") && json_array_size(a) >= 3) {
        json_array_set_new(a, 1, json_null()); /* page size */
        if (json_equal(json_array_get(a, 0), json_array_get(a, 2)))
            json_array_set_new(a, 2, json_null()); /* start at the prefix = no start key */
    }
    while (json_array_size(a) && json_is_null(json_array_get(a, json_array_size(a) - 1)))
        json_array_remove(a, json_array_size(a) - 1);
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

static const char *canon_method(const char *m)
{
    if (!strcmp(m, "state_getStorageAt"))
        return "state_getStorage";
    return m;
}

/* plain stdio: no aif_malloc, so --fail-alloc injection never hits the player's setup */
static char *read_text(const char *rel)
{
    FILE *f = fopen(cp_path(rel), "rb");
    if (!f)
        die(rel);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    size_t n = fread(buf, 1, (size_t)len, f);
    fclose(f);
    buf[n] = 0;
    while (n && isspace((unsigned char)buf[n - 1]))
        buf[--n] = 0;
    return buf;
}

static void load_recordings(cp_player *p, const char *const *tests)
{
    if (!tests || !tests[0])
        return;
    json_error_t je;
    json_t *all = json_load_file(cp_path("chain/subtensor_rpc_responses.json"), 0, &je);
    if (!all)
        die("cannot read chain/subtensor_rpc_responses.json");
    for (int t = 0; tests[t]; t++) {
        json_t *methods = json_object_get(all, tests[t]);
        if (!methods)
            die("unknown recorded test");
        const char *m;
        json_t *byp;
        json_object_foreach(methods, m, byp) {
            const char *ps;
            json_t *resp;
            json_object_foreach(byp, ps, resp) {
                json_t *pa = json_loads(ps, 0, &je);
                p->rec = realloc(p->rec, (p->n_rec + 1) * sizeof *p->rec);
                rec_entry *e = &p->rec[p->n_rec++];
                e->method = strdup(canon_method(m));
                e->params = norm_params(e->method, pa);
                e->resp = json_incref(resp);
                e->hits = 0;
                json_decref(pa);
            }
        }
    }
    json_decref(all);
}

/* ---------------------------------------------------------------- helpers */

static void block_hash(uint64_t n, char out[67])
{
    if (n == 0) {
        strcpy(out, FINNEY_GENESIS);
        return;
    }
    uint8_t in[16] = "cp-block";
    for (int i = 0; i < 8; i++)
        in[8 + i] = (uint8_t)(n >> (8 * i));
    uint8_t h[32];
    aif_crypto_blake2b(in, 16, h, 32);
    out[0] = '0';
    out[1] = 'x';
    aif_crypto_hex_encode(h, 32, out + 2);
}

static char *hexs(const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 3);
    s[0] = '0';
    s[1] = 'x';
    aif_crypto_hex_encode(b, n, s + 2);
    return s;
}

static uint8_t *unhex(const char *s, size_t *n)
{
    size_t len = strlen(s);
    uint8_t *b = malloc(len / 2 + 1);
    if (aif_crypto_hex_decode(s, len, b, len / 2 + 1, n, NULL)) {
        free(b);
        return NULL;
    }
    return b;
}

static char *lower_key(const char *s)
{
    char *k = malloc(strlen(s) + 3);
    const char *src = strncmp(s, "0x", 2) ? s : s + 2;
    sprintf(k, "0x%s", src);
    for (char *c = k; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return k;
}

/* Compact decode; returns bytes used or 0. */
static size_t rd_compact(const uint8_t *b, size_t n, uint64_t *v)
{
    if (!n)
        return 0;
    switch (b[0] & 3) {
    case 0: *v = b[0] >> 2; return 1;
    case 1: if (n < 2) return 0; *v = (uint64_t)(b[0] | b[1] << 8) >> 2; return 2;
    case 2: if (n < 4) return 0; *v = ((uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24) >> 2; return 4;
    default: {
        size_t k = (size_t)(b[0] >> 2) + 4;
        if (k > 8 || n < 1 + k) return 0;
        *v = 0;
        for (size_t i = 0; i < k; i++) *v |= (uint64_t)b[1 + i] << (8 * i);
        return 1 + k;
    }
    }
}

static json_t *result(json_t *r) { return json_pack("{s:s, s:o}", "jsonrpc", "2.0", "result", r ? r : json_null()); }

static json_t *rpc_error(int code, const char *msg, const char *data)
{
    return json_pack("{s:s, s:{s:i, s:s, s:s?}}", "jsonrpc", "2.0", "error", "code", code, "message", msg, "data",
                     data);
}

static cp_block *find_block(cp_player *p, const char *hash)
{
    for (int i = 0; i < p->n_blocks; i++)
        if (!strcasecmp(p->blocks[i].hash, hash))
            return &p->blocks[i];
    return NULL;
}

/* ------------------------------------------------------------- extrinsics */

static char *make_events(cp_player *p, uint32_t idx, int fail)
{
    const aif_scale_storage_entry *e = NULL;
    if (aif_scale_metadata_find_storage(p->md, "System", "Events", &e, NULL))
        die("no System.Events");
    const char *info = "{\"weight\": {\"ref_time\": 1000000, \"proof_size\": 0}, \"class\": \"Normal\", "
                       "\"pays_fee\": \"No\"}";
    char js[1024];
    if (fail)
        snprintf(js, sizeof js,
                 "[{\"phase\": {\"ApplyExtrinsic\": 0}, \"event\": {\"System\": {\"ExtrinsicSuccess\": "
                 "{\"dispatch_info\": %s}}}, \"topics\": []},"
                 " {\"phase\": {\"ApplyExtrinsic\": %u}, \"event\": {\"System\": {\"ExtrinsicFailed\": "
                 "{\"dispatch_error\": {\"Module\": {\"index\": %u, \"error\": \"0x%02x000000\"}}, "
                 "\"dispatch_info\": %s}}}, \"topics\": []}]",
                 info, idx, p->fail_pallet, p->fail_error, info);
    else
        snprintf(js, sizeof js,
                 "[{\"phase\": {\"ApplyExtrinsic\": 0}, \"event\": {\"System\": {\"ExtrinsicSuccess\": "
                 "{\"dispatch_info\": %s}}}, \"topics\": []},"
                 " {\"phase\": {\"ApplyExtrinsic\": %u}, \"event\": {\"System\": {\"ExtrinsicSuccess\": "
                 "{\"dispatch_info\": %s}}}, \"topics\": []}]",
                 info, idx, info);
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    aif_err err = {0};
    /* --fail-alloc fails one allocation at most: a second try succeeds */
    if (aif_scale_encode_json(aif_scale_metadata_registry(p->md), e->value_type, js, strlen(js), &w, &err) &&
        (aif_scale_writer_release(&w), aif_scale_writer_init(&w),
         aif_scale_encode_json(aif_scale_metadata_registry(p->md), e->value_type, js, strlen(js), &w, &err))) {
        fprintf(stderr, "chain_player: events: %s\n", err.msg);
        abort();
    }
    char *h = hexs(w.buf, w.len);
    aif_scale_writer_release(&w);
    return h;
}

/* Parse and check a v4 signed extrinsic (spec 6.1, 6.2 at the baseline
 * layout extra = era || nonce || tip || mode). */
static json_t *submit(cp_player *p, const char *hex)
{
    size_t n = 0;
    uint8_t *x = unhex(hex, &n);
    if (!x || p->n_subs >= MAX_SUBS)
        return rpc_error(1001, "Extrinsic has invalid format", "bad hex");
    cp_submission *s = &p->subs[p->n_subs];
    memset(s, 0, sizeof *s);
    uint64_t len = 0, nonce = 0, tip = 0;
    size_t k = rd_compact(x, n, &len);
    if (!k || k + len != n || len < 1 + 33 + 65 + 4 || x[k] != 0x84 || x[k + 1] != 0 || x[k + 34] != 1) {
        free(x);
        return rpc_error(1001, "Extrinsic has invalid format", "envelope");
    }
    const uint8_t *b = x + k + 1;
    memcpy(s->signer, b + 1, 32);
    const uint8_t *sig = b + 34;
    size_t off = k + 1 + 33 + 65;
    if (x[off] == 0)
        s->era_len = 1;
    else
        s->era_len = 2;
    memcpy(s->era, x + off, s->era_len);
    off += s->era_len;
    size_t c = rd_compact(x + off, n - off, &nonce);
    off += c;
    size_t c2 = rd_compact(x + off, n - off, &tip);
    off += c2;
    if (!c || !c2 || off >= n || x[off] != 0) {
        free(x);
        return rpc_error(1001, "Extrinsic has invalid format", "extra");
    }
    size_t extra_start = k + 1 + 33 + 65, extra_end = off + 1;
    s->nonce = (uint32_t)nonce;
    s->tip = tip;
    s->call_len = n - extra_end;
    s->call = malloc(s->call_len + 1);
    memcpy(s->call, x + extra_end, s->call_len);
    /* birth block from the era, relative to the best block */
    char birth_hash[67];
    if (s->era_len == 2) {
        unsigned e = (unsigned)(s->era[0] | s->era[1] << 8);
        uint64_t period = 2ull << (e & 15), q = period >> 12 ? period >> 12 : 1, phase = (e >> 4) * q;
        uint64_t cur = p->best;
        uint64_t birth = (cur > phase ? cur - phase : 0) / period * period + phase;
        block_hash(birth, birth_hash);
    } else
        strcpy(birth_hash, FINNEY_GENESIS);
    /* payload = call || extra || spec || txv || genesis || birth || 00 */
    size_t pl = s->call_len + (extra_end - extra_start) + 4 + 4 + 32 + 32 + 1;
    uint8_t *pay = malloc(pl);
    size_t q = 0;
    memcpy(pay + q, s->call, s->call_len), q += s->call_len;
    memcpy(pay + q, x + extra_start, extra_end - extra_start), q += extra_end - extra_start;
    for (int i = 0; i < 4; i++) pay[q++] = (uint8_t)(p->spec >> (8 * i));
    for (int i = 0; i < 4; i++) pay[q++] = (uint8_t)(p->txv >> (8 * i));
    size_t hn;
    aif_crypto_hex_decode(FINNEY_GENESIS, 66, pay + q, 32, &hn, NULL), q += 32;
    aif_crypto_hex_decode(birth_hash, 66, pay + q, 32, &hn, NULL), q += 32;
    pay[q++] = 0;
    uint8_t h[32];
    const uint8_t *msg = pay;
    size_t ml = q;
    if (q > 256) {
        aif_crypto_blake2b(pay, q, h, 32);
        msg = h;
        ml = 32;
    }
    s->sig_ok = aif_crypto_sr25519_verify(s->signer, msg, ml, sig, NULL) == AIF_OK;
    free(pay);
    s->xt = x;
    s->xt_len = n;
    p->n_subs++;
    if (!s->sig_ok)
        return rpc_error(1010, "Invalid Transaction", "Transaction has a bad signature");
    char pkhex[67];
    pkhex[0] = '0', pkhex[1] = 'x';
    aif_crypto_hex_encode(s->signer, 32, pkhex + 2);
    json_int_t expect = json_integer_value(json_object_get(p->nonces, pkhex));
    if ((json_int_t)nonce != expect)
        return rpc_error(1010, "Invalid Transaction", nonce < (uint64_t)expect ? "Transaction is outdated"
                                                                                : "Transaction will be valid in the future");
    if (p->mode == CP_REJECT)
        return rpc_error(1010, "Invalid Transaction", "Custom error: 6");
    aif_crypto_blake2b(x, n, h, 32);
    char *th = hexs(h, 32);
    json_t *r = result(json_string(th));
    free(th);
    p->hangups += p->hang_after_submit;
    if (p->mode == CP_NEVER)
        return r;
    json_object_set_new(p->nonces, pkhex, json_integer(expect + 1));
    /* include in block best + 1 as extrinsic 1 (0 = a timestamp stand-in) */
    if (p->n_blocks >= MAX_BLOCKS)
        die("too many blocks");
    cp_block *bl = &p->blocks[p->n_blocks++];
    bl->n = p->best + 1;
    block_hash(bl->n, bl->hash);
    bl->xts = json_pack("[s, s]", "0x280403000b207d7b948f01", hex);
    bl->events = make_events(p, 1, p->mode == CP_FAIL);
    /* effect of Commitments.set_commitment (18, 0) on success */
    if (p->mode == CP_INCLUDE && s->call_len >= 4 && s->call[0] == 18 && s->call[1] == 0) {
        uint8_t key[32 + 2 + 8 + 32];
        size_t kn;
        aif_crypto_hex_decode("ca407206ec1ab726b2636c4b145ac287419a60ae8b01e6dcaebd7317e43c69bf", 64, key, 32, &kn,
                              NULL);
        memcpy(key + 32, s->call + 2, 2);
        aif_crypto_twox(s->signer, 32, key + 34, 8);
        memcpy(key + 42, s->signer, 32);
        size_t vl = 8 + 4 + (s->call_len - 4);
        uint8_t *v = calloc(1, vl);
        for (int i = 0; i < 4; i++)
            v[8 + i] = (uint8_t)(bl->n >> (8 * i));
        memcpy(v + 12, s->call + 4, s->call_len - 4);
        char *ks = hexs(key, sizeof key), *vs = hexs(v, vl);
        json_object_set_new(p->storage, ks, json_string(vs));
        free(ks);
        free(vs);
        free(v);
    }
    return r;
}

/* ---------------------------------------------------------------- handler */

static json_t *header(cp_player *p, uint64_t n)
{
    char h[67], parent[67];
    block_hash(n, h);
    block_hash(n ? n - 1 : 0, parent);
    char num[24];
    snprintf(num, sizeof num, "0x%llx", (unsigned long long)n);
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:[]}}", "parentHash", parent, "number", num, "stateRoot", h,
                     "extrinsicsRoot", h, "digest", "logs");
}

static json_t *handle(cp_player *p, const char *method, json_t *params)
{
    const char *m = canon_method(method);
    /* runtime version: synthetic when set */
    if (!strcmp(m, "state_getRuntimeVersion") && p->spec)
        return result(json_pack("{s:s, s:s, s:i, s:I, s:i, s:[], s:I, s:i}", "specName", "node-subtensor",
                                "implName", "node-subtensor", "authoringVersion", 1, "specVersion",
                                (json_int_t)p->spec, "implVersion", 1, "apis", "transactionVersion",
                                (json_int_t)p->txv, "stateVersion", 1));
    if (!strcmp(m, "state_call")) {
        const char *f = json_string_value(json_array_get(params, 0));
        if (f && !strcmp(f, "Metadata_metadata_at_version"))
            return result(json_string(p->md15_hex));
    }
    if (!strcmp(m, "state_getMetadata"))
        return result(json_string(p->md14_hex));
    /* recordings */
    char *np = norm_params(m, params);
    rec_entry *fallback = NULL;
    for (size_t i = 0; i < p->n_rec; i++) {
        rec_entry *e = &p->rec[i];
        if (strcmp(e->method, m))
            continue;
        if (!fallback)
            fallback = e;
        if (strcmp(e->params, np))
            continue;
        free(np);
        json_t *r = e->resp;
        if (json_is_array(r)) {
            size_t k = (size_t)e->hits < json_array_size(r) ? (size_t)e->hits : json_array_size(r) - 1;
            r = json_array_get(r, k);
        }
        e->hits++;
        return json_deep_copy(r);
    }
    free(np);
    if (fallback && !strcmp(m, "state_getRuntimeVersion")) {
        json_t *r = fallback->resp;
        return json_deep_copy(json_is_array(r) ? json_array_get(r, 0) : r);
    }
    /* the small chain */
    if (!strcmp(m, "system_chain"))
        return result(json_string("Bittensor"));
    if (!strcmp(m, "chain_getHeader")) {
        if (json_array_size(params) && json_is_string(json_array_get(params, 0))) {
            for (uint64_t n = p->best + 1; n-- > 0 && n + 4096 > p->best;) {
                char h[67];
                block_hash(n, h);
                if (!strcasecmp(h, json_string_value(json_array_get(params, 0))))
                    return result(header(p, n));
            }
            return result(json_null());
        }
        if (p->auto_advance)
            p->best++;
        return result(header(p, p->best));
    }
    if (!strcmp(m, "chain_getFinalizedHead")) {
        char h[67];
        block_hash(p->best >= 2 ? p->best - 2 : 0, h);
        return result(json_string(h));
    }
    if (!strcmp(m, "chain_getBlockHash")) {
        json_t *a = json_array_get(params, 0);
        if (!json_is_integer(a))
            return rpc_error(-32602, "Invalid params", NULL);
        uint64_t n = (uint64_t)json_integer_value(a);
        if (n > p->best)
            return result(json_null());
        char h[67];
        block_hash(n, h);
        return result(json_string(h));
    }
    if (!strcmp(m, "chain_getBlock")) {
        const char *h = json_string_value(json_array_get(params, 0));
        cp_block *b = h ? find_block(p, h) : NULL;
        json_t *xts = b ? json_incref(b->xts) : json_pack("[s]", "0x280403000b207d7b948f01");
        return result(json_pack("{s:{s:o, s:o}, s:n}", "block", "header", header(p, b ? b->n : 0), "extrinsics", xts,
                                "justifications"));
    }
    if (!strcmp(m, "system_accountNextIndex")) {
        uint8_t pk[32];
        unsigned pre;
        const char *a = json_string_value(json_array_get(params, 0));
        if (!a || aif_crypto_ss58_decode(a, pk, &pre, NULL))
            return rpc_error(-32602, "Invalid params", "bad address");
        char pkhex[67];
        pkhex[0] = '0', pkhex[1] = 'x';
        aif_crypto_hex_encode(pk, 32, pkhex + 2);
        return result(json_integer(json_integer_value(json_object_get(p->nonces, pkhex))));
    }
    if (!strcmp(m, "author_submitExtrinsic")) {
        const char *x = json_string_value(json_array_get(params, 0));
        return x ? submit(p, x) : rpc_error(-32602, "Invalid params", NULL);
    }
    if (!strcmp(m, "state_getStorage")) {
        const char *k = json_string_value(json_array_get(params, 0));
        if (!k)
            return rpc_error(-32602, "Invalid params", NULL);
        char *lk = lower_key(k);
        json_t *v = json_object_get(p->storage, lk);
        if (!strcmp(lk, EVENTS_KEY)) {
            const char *at = json_string_value(json_array_get(params, 1));
            cp_block *b = at ? find_block(p, at) : NULL;
            free(lk);
            return result(json_string(b ? b->events : "0x00"));
        }
        free(lk);
        return result(v ? json_incref(v) : json_null());
    }
    if (!strcmp(m, "state_getKeysPaged")) {
        const char *pre = json_string_value(json_array_get(params, 0));
        json_int_t count = json_integer_value(json_array_get(params, 1));
        const char *start = json_string_value(json_array_get(params, 2));
        if (!pre || count <= 0)
            return rpc_error(-32602, "Invalid params", NULL);
        char *lp = lower_key(pre), *ls = start ? lower_key(start) : NULL;
        /* sorted keys > start with the prefix */
        const char **ks = NULL;
        size_t nk = 0;
        const char *key;
        json_t *v;
        json_object_foreach(p->storage, key, v) {
            if (strncmp(key, lp, strlen(lp)) || (ls && strcmp(key, ls) <= 0))
                continue;
            ks = realloc(ks, (nk + 1) * sizeof *ks);
            ks[nk++] = key;
        }
        for (size_t i = 1; i < nk; i++)
            for (size_t j = i; j > 0 && strcmp(ks[j - 1], ks[j]) > 0; j--) {
                const char *t = ks[j];
                ks[j] = ks[j - 1];
                ks[j - 1] = t;
            }
        json_t *out = json_array();
        for (size_t i = 0; i < nk && (json_int_t)i < count; i++)
            json_array_append_new(out, json_string(ks[i]));
        free(ks);
        free(lp);
        free(ls);
        return result(out);
    }
    if (!strcmp(m, "state_queryStorageAt")) {
        json_t *keys = json_array_get(params, 0);
        json_t *changes = json_array();
        size_t i;
        json_t *k;
        json_array_foreach(keys, i, k) {
            char *lk = lower_key(json_string_value(k) ? json_string_value(k) : "");
            json_t *v = json_object_get(p->storage, lk);
            json_array_append_new(changes, json_pack("[s, O]", lk, v ? v : json_null()));
            free(lk);
        }
        const char *at = json_string_value(json_array_get(params, 1));
        return result(json_pack("[{s:s, s:o}]", "block", at ? at : "0x00", "changes", changes));
    }
    char msg[160];
    snprintf(msg, sizeof msg, "chain_player: nothing recorded or played for %s", method);
    return rpc_error(-32601, "Method not found", msg);
}

/* ----------------------------------------------------------------- server */

static int send_all(int fd, const char *b, size_t n)
{
    while (n) {
        ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
        if (k <= 0)
            return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

static void serve(cp_player *p, int fd)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    char *end = NULL;
    size_t need = 0;
    for (int spins = 0; spins < 500; spins++) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, 10) <= 0) {
            if (atomic_load(&p->stop))
                break;
            continue;
        }
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        ssize_t k = recv(fd, buf + n, cap - n, 0);
        if (k <= 0)
            break;
        n += (size_t)k;
        buf[n] = 0;
        if (!end && (end = strstr(buf, "\r\n\r\n"))) {
            const char *cl = strcasestr(buf, "Content-Length:");
            need = (size_t)(end - buf) + 4 + (cl ? strtoull(cl + 15, NULL, 10) : 0);
        }
        if (end && n >= need)
            break;
        end = end ? strstr(buf, "\r\n\r\n") : NULL;
    }
    if (!end || n < need) {
        free(buf);
        return;
    }
    const char *body = strstr(buf, "\r\n\r\n") + 4;
    json_error_t je;
    json_t *req = json_loadb(body, need - (size_t)(body - buf), 0, &je);
    free(buf);
    pthread_mutex_lock(&p->mu);
    p->total++;
    const char *method = json_string_value(json_object_get(req, "method"));
    if (method)
        json_object_set_new(p->counts, method, json_integer(json_integer_value(json_object_get(p->counts, method)) + 1));
    int hang = 0, delay = 0;
    if (p->hangups > 0) {
        p->hangups--;
        hang = 1;
    } else if (p->delays > 0) {
        p->delays--;
        delay = p->delay_ms;
    }
    json_t *resp = NULL;
    if (!hang && !delay)
        resp = method ? handle(p, method, json_object_get(req, "params")) : rpc_error(-32700, "Parse error", NULL);
    if (resp)
        json_object_set(resp, "id", json_object_get(req, "id") ? json_object_get(req, "id") : json_null());
    pthread_mutex_unlock(&p->mu);
    json_decref(req);
    if (hang)
        return;
    if (delay) {
        for (int t = 0; t < delay / 10 && !atomic_load(&p->stop); t++) {
            struct pollfd pf = {.fd = fd, .events = POLLIN};
            if (poll(&pf, 1, 10) > 0) { /* client gone */
                char c;
                if (recv(fd, &c, 1, MSG_PEEK) <= 0)
                    return;
            }
        }
        return; /* never answer */
    }
    char *out = json_dumps(resp, JSON_COMPACT);
    json_decref(resp);
    char head[160];
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: "
                      "close\r\n\r\n", strlen(out));
    if (send_all(fd, head, (size_t)hn) == 0)
        send_all(fd, out, strlen(out));
    free(out);
}

static void *loop(void *arg)
{
    cp_player *p = arg;
    while (!atomic_load(&p->stop)) {
        struct pollfd pf = {.fd = p->fd, .events = POLLIN};
        if (poll(&pf, 1, 20) <= 0)
            continue;
        int c = accept(p->fd, NULL, NULL);
        if (c < 0)
            continue;
        serve(p, c);
        shutdown(c, SHUT_WR);
        close(c);
    }
    return NULL;
}

cp_player *cp_start(const char *const *tests)
{
    cp_player *p = calloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    load_recordings(p, tests);
    p->md15_hex = read_text("chain/subtensor_metadata_at_version_15.hex");
    p->md14_hex = read_text("chain/subtensor_metadata_v14.hex");
    aif_err err = {0};
    if (aif_scale_metadata_parse_hex(p->md15_hex, strlen(p->md15_hex), &p->md, &err) &&
        aif_scale_metadata_parse_hex(p->md15_hex, strlen(p->md15_hex), &p->md, &err))
        die(err.msg);
    p->storage = json_object();
    p->nonces = json_object();
    p->counts = json_object();
    p->best = 1000;
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (bind(p->fd, (struct sockaddr *)&a, sizeof a) || listen(p->fd, 16) ||
        getsockname(p->fd, (struct sockaddr *)&a, &al))
        die("socket");
    p->port = ntohs(a.sin_port);
    snprintf(p->url, sizeof p->url, "http://127.0.0.1:%d", p->port);
    if (pthread_create(&p->th, NULL, loop, p))
        die("thread");
    return p;
}

void cp_stop(cp_player *p)
{
    if (!p)
        return;
    atomic_store(&p->stop, 1);
    pthread_join(p->th, NULL);
    close(p->fd);
    for (size_t i = 0; i < p->n_rec; i++) {
        free(p->rec[i].method);
        free(p->rec[i].params);
        json_decref(p->rec[i].resp);
    }
    free(p->rec);
    for (int i = 0; i < p->n_subs; i++) {
        free(p->subs[i].call);
        free(p->subs[i].xt);
    }
    for (int i = 0; i < p->n_blocks; i++) {
        json_decref(p->blocks[i].xts);
        free(p->blocks[i].events);
    }
    aif_scale_metadata_free(p->md);
    free(p->md15_hex);
    free(p->md14_hex);
    json_decref(p->storage);
    json_decref(p->nonces);
    json_decref(p->counts);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

const char *cp_url(cp_player *p) { return p->url; }

#define LOCKED(p, stmt)                                                                                           \
    do {                                                                                                          \
        pthread_mutex_lock(&(p)->mu);                                                                             \
        stmt;                                                                                                     \
        pthread_mutex_unlock(&(p)->mu);                                                                           \
    } while (0)

void cp_set_best(cp_player *p, uint64_t best) { LOCKED(p, p->best = best); }
void cp_set_auto_advance(cp_player *p, int on) { LOCKED(p, p->auto_advance = on); }
void cp_set_spec(cp_player *p, uint32_t spec, uint32_t txv) { LOCKED(p, (p->spec = spec, p->txv = txv)); }
void cp_set_submit_mode(cp_player *p, enum cp_submit_mode m, uint8_t fail_pallet, uint8_t fail_error)
{
    LOCKED(p, (p->mode = m, p->fail_pallet = fail_pallet, p->fail_error = fail_error));
}
void cp_set_nonce(cp_player *p, const uint8_t account[32], uint32_t nonce)
{
    char pkhex[67];
    pkhex[0] = '0', pkhex[1] = 'x';
    aif_crypto_hex_encode(account, 32, pkhex + 2);
    LOCKED(p, json_object_set_new(p->nonces, pkhex, json_integer(nonce)));
}
void cp_storage_set(cp_player *p, const char *key_hex, const char *value_hex)
{
    char *k = lower_key(key_hex);
    char *v = value_hex ? lower_key(value_hex) : NULL;
    LOCKED(p, (v ? json_object_set_new(p->storage, k, json_string(v)) : json_object_del(p->storage, k)));
    free(k);
    free(v);
}
void cp_fault_hangup(cp_player *p, int n) { LOCKED(p, p->hangups = n); }
void cp_fault_after_submit(cp_player *p, int n) { LOCKED(p, p->hang_after_submit = n); }
void cp_fault_delay(cp_player *p, int n, int delay_ms) { LOCKED(p, (p->delays = n, p->delay_ms = delay_ms)); }
int cp_count(cp_player *p, const char *method)
{
    int c;
    LOCKED(p, c = method ? (int)json_integer_value(json_object_get(p->counts, method)) : p->total);
    return c;
}
int cp_submissions(cp_player *p)
{
    int c;
    LOCKED(p, c = p->n_subs);
    return c;
}
const cp_submission *cp_submission_get(cp_player *p, int i) { return i < p->n_subs ? &p->subs[i] : NULL; }
