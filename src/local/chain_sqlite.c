/* chain_sqlite.c: the local chain in one SQLite file (WAL mode).
 *
 * Tables: meta (genesis time, block time, manual block offset), subnets
 * (hyperparameters), neurons, commitments (one per hotkey per subnet, with
 * the block it was set), commit_space (bytes used per epoch: the chain's
 * space quota, chain spec 8.1) and weights (one row per src, dest). Every
 * write is one transaction, so a kill at any moment leaves a consistent file.
 */
#include "aif/local.h"
#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/progress.h"

#include <math.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct aif_local_chain {
    sqlite3 *db;
    char path[1024];
    double (*now)(void *ctx);
    void *now_ctx;
};

static const char *schema =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value);"
    "CREATE TABLE IF NOT EXISTS subnets (netuid INTEGER PRIMARY KEY, tempo INTEGER NOT NULL,"
    "  weights_rate_limit INTEGER NOT NULL, commit_max_space INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS neurons (netuid INTEGER NOT NULL, uid INTEGER NOT NULL, hotkey TEXT NOT NULL,"
    "  coldkey TEXT NOT NULL, stake REAL NOT NULL, validator_permit INTEGER NOT NULL,"
    "  registration_block INTEGER NOT NULL, last_update INTEGER NOT NULL DEFAULT 0, incentive REAL NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (netuid, uid), UNIQUE (netuid, hotkey));"
    "CREATE TABLE IF NOT EXISTS commitments (netuid INTEGER NOT NULL, hotkey TEXT NOT NULL, data BLOB NOT NULL,"
    "  block INTEGER NOT NULL, PRIMARY KEY (netuid, hotkey));"
    "CREATE TABLE IF NOT EXISTS commit_space (netuid INTEGER NOT NULL, hotkey TEXT NOT NULL, epoch INTEGER NOT NULL,"
    "  used INTEGER NOT NULL, PRIMARY KEY (netuid, hotkey));"
    "CREATE TABLE IF NOT EXISTS weights (netuid INTEGER NOT NULL, src INTEGER NOT NULL, dest INTEGER NOT NULL,"
    "  weight INTEGER NOT NULL, PRIMARY KEY (netuid, src, dest));";

static double real_now(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static aif_code db_fail(aif_local_chain *lc, aif_err *err, const char *what)
{
    return aif_err_set(err, AIF_EIO, "%s: %s: %s", lc->path, what, sqlite3_errmsg(lc->db));
}

static aif_code exec(aif_local_chain *lc, const char *sql, aif_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(lc->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        aif_err_set(err, AIF_EIO, "%s: %s", lc->path, msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return AIF_EIO;
    }
    return AIF_OK;
}

/* Prepare, bind with a tiny format ("i" int64, "d" double, "t" text,
 * "b" blob+len), and step once. Returns the sqlite code of the step; the
 * statement is left for the caller to read and finalize. */
static int run(aif_local_chain *lc, sqlite3_stmt **st, const char *sql, const char *fmt, ...)
{
    if (sqlite3_prepare_v2(lc->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return SQLITE_ERROR;
    }
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        switch (fmt[i]) {
        case 'i': sqlite3_bind_int64(*st, i + 1, va_arg(ap, long long)); break;
        case 'd': sqlite3_bind_double(*st, i + 1, va_arg(ap, double)); break;
        case 't': sqlite3_bind_text(*st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT); break;
        case 'b': {
            const void *p = va_arg(ap, const void *);
            int n = va_arg(ap, int);
            sqlite3_bind_blob(*st, i + 1, p, n, SQLITE_TRANSIENT);
            break;
        }
        }
    }
    va_end(ap);
    return sqlite3_step(*st);
}

static double meta_get(aif_local_chain *lc, const char *key, double dflt)
{
    sqlite3_stmt *st;
    double v = dflt;
    if (run(lc, &st, "SELECT value FROM meta WHERE key = ?", "t", key) == SQLITE_ROW)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

static aif_code meta_set(aif_local_chain *lc, const char *key, double v, aif_err *err)
{
    sqlite3_stmt *st;
    int rc = run(lc, &st, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                          "excluded.value", "td", key, v);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? AIF_OK : db_fail(lc, err, "write meta");
}

aif_code aif_local_chain_open(const char *path, const aif_local_chain_opts *opts, aif_local_chain **out,
                              aif_err *err)
{
    *out = NULL;
    aif_local_chain *lc = aif_calloc_err(1, sizeof *lc, "local chain", err);
    if (!lc)
        return AIF_ENOMEM;
    snprintf(lc->path, sizeof lc->path, "%s", path);
    lc->now = opts && opts->now ? opts->now : real_now;
    lc->now_ctx = opts ? opts->now_ctx : NULL;
    if (sqlite3_open_v2(path, &lc->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        aif_err_set(err, AIF_EIO, "%s: cannot open: %s", path, lc->db ? sqlite3_errmsg(lc->db) : "out of memory");
        aif_local_chain_close(lc);
        return AIF_EIO;
    }
    sqlite3_busy_timeout(lc->db, 10000);
    aif_code rc = exec(lc, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err);
    if (rc == AIF_OK)
        rc = exec(lc, schema, err);
    if (rc == AIF_OK && meta_get(lc, "genesis", -1) < 0) {
        rc = meta_set(lc, "genesis", opts && opts->genesis > 0 ? opts->genesis : lc->now(lc->now_ctx), err);
        if (rc == AIF_OK)
            rc = meta_set(lc, "block_time", opts ? opts->block_time : 12.0, err);
        if (rc == AIF_OK)
            rc = meta_set(lc, "offset", 0, err);
    }
    if (rc != AIF_OK) {
        aif_local_chain_close(lc);
        return rc;
    }
    *out = lc;
    return AIF_OK;
}

void aif_local_chain_close(aif_local_chain *lc)
{
    if (!lc)
        return;
    sqlite3_close(lc->db);
    aif_free(lc);
}

static uint64_t block_now(aif_local_chain *lc)
{
    double genesis = meta_get(lc, "genesis", 0), bt = meta_get(lc, "block_time", 12), off = meta_get(lc, "offset", 0);
    double elapsed = lc->now(lc->now_ctx) - genesis;
    double b = off + (bt > 0 && elapsed > 0 ? floor(elapsed / bt) : 0);
    return (uint64_t)b;
}

static aif_code current_block(void *impl, uint64_t *out, aif_err *err)
{
    (void)err;
    *out = block_now(impl);
    return AIF_OK;
}

aif_code aif_local_chain_advance(aif_local_chain *lc, uint64_t n, aif_err *err)
{
    return meta_set(lc, "offset", meta_get(lc, "offset", 0) + (double)n, err);
}

static aif_code block_hash(void *impl, uint64_t block, char out[67], aif_err *err)
{
    aif_local_chain *lc = impl;
    uint64_t now = block_now(lc);
    if (block > now)
        return aif_err_set(err, AIF_ENOTFOUND, "block %llu is in the future (head %llu)", (unsigned long long)block,
                           (unsigned long long)now);
    /* Deterministic per chain: blake2b-256 of the genesis time and the number. */
    char seed[64];
    int n = snprintf(seed, sizeof seed, "aif-local:%.6f:%llu", meta_get(lc, "genesis", 0), (unsigned long long)block);
    uint8_t h[32];
    aif_crypto_blake2b(seed, (size_t)n, h, 32);
    out[0] = '0';
    out[1] = 'x';
    aif_crypto_hex_encode(h, 32, out + 2);
    return AIF_OK;
}

aif_code aif_local_chain_add_subnet(aif_local_chain *lc, uint16_t netuid, const aif_local_subnet_params *p,
                                    aif_err *err)
{
    aif_local_subnet_params d = {360, 100, 3100};
    if (!p)
        p = &d;
    if (p->tempo == 0)
        return aif_err_set(err, AIF_EINVAL, "subnet %u: tempo must be > 0", netuid);
    sqlite3_stmt *st;
    int rc = run(lc, &st, "INSERT INTO subnets VALUES (?, ?, ?, ?)", "iiii", (long long)netuid, (long long)p->tempo,
                 (long long)p->weights_rate_limit, (long long)p->commit_max_space);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT)
        return aif_err_set(err, AIF_EEXIST, "%s: subnet %u already exists", lc->path, netuid);
    return rc == SQLITE_DONE ? AIF_OK : db_fail(lc, err, "add subnet");
}

static aif_code subnet_params(aif_local_chain *lc, uint16_t netuid, aif_local_subnet_params *p, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = AIF_OK;
    if (run(lc, &st, "SELECT tempo, weights_rate_limit, commit_max_space FROM subnets WHERE netuid = ?", "i",
            (long long)netuid) == SQLITE_ROW) {
        p->tempo = (uint16_t)sqlite3_column_int(st, 0);
        p->weights_rate_limit = (uint64_t)sqlite3_column_int64(st, 1);
        p->commit_max_space = (uint32_t)sqlite3_column_int64(st, 2);
    } else {
        rc = aif_err_set(err, AIF_ENOTFOUND, "%s: subnet %u does not exist", lc->path, netuid);
    }
    sqlite3_finalize(st);
    return rc;
}

aif_code aif_local_chain_register(aif_local_chain *lc, uint16_t netuid, const char *hotkey, const char *coldkey,
                                  double stake, int validator_permit, uint16_t *uid, aif_err *err)
{
    aif_local_subnet_params p;
    aif_code rc = subnet_params(lc, netuid, &p, err);
    if (rc != AIF_OK)
        return rc;
    if (!hotkey[0] || strlen(hotkey) >= AIF_SS58_MAX || strlen(coldkey) >= AIF_SS58_MAX)
        return aif_err_set(err, AIF_EINVAL, "register: bad hotkey or coldkey length");
    sqlite3_stmt *st;
    long long next = 0;
    if (run(lc, &st, "SELECT COALESCE(MAX(uid) + 1, 0) FROM neurons WHERE netuid = ?", "i", (long long)netuid) ==
        SQLITE_ROW)
        next = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (next > 65535)
        return aif_err_set(err, AIF_ERANGE, "subnet %u is full", netuid);
    int s = run(lc, &st, "INSERT INTO neurons (netuid, uid, hotkey, coldkey, stake, validator_permit, "
                         "registration_block) VALUES (?, ?, ?, ?, ?, ?, ?)",
                "iittdii", (long long)netuid, next, hotkey, coldkey, stake, (long long)(validator_permit != 0),
                (long long)block_now(lc));
    sqlite3_finalize(st);
    if (s == SQLITE_CONSTRAINT)
        return aif_err_set(err, AIF_EEXIST, "hotkey %s is already registered on subnet %u", hotkey, netuid);
    if (s != SQLITE_DONE)
        return db_fail(lc, err, "register");
    *uid = (uint16_t)next;
    return AIF_OK;
}

static aif_code metagraph(void *impl, uint16_t netuid, aif_metagraph *mg, aif_err *err)
{
    aif_local_chain *lc = impl;
    aif_local_subnet_params p;
    memset(mg, 0, sizeof *mg);
    aif_code rc = subnet_params(lc, netuid, &p, err);
    if (rc != AIF_OK)
        return rc;
    mg->netuid = netuid;
    mg->block = block_now(lc);
    sqlite3_stmt *st;
    size_t cap = 0;
    int s = run(lc, &st, "SELECT uid, hotkey, coldkey, stake, validator_permit, registration_block, last_update, "
                         "incentive FROM neurons WHERE netuid = ? ORDER BY uid", "i", (long long)netuid);
    for (; s == SQLITE_ROW; s = sqlite3_step(st)) {
        if (mg->n == cap) {
            cap = cap ? 2 * cap : 16;
            aif_neuron *nn = aif_realloc(mg->neurons, cap * sizeof *nn);
            if (!nn) {
                sqlite3_finalize(st);
                aif_metagraph_release(mg);
                return aif_err_set(err, AIF_ENOMEM, "out of memory reading the metagraph");
            }
            mg->neurons = nn;
        }
        aif_neuron *ne = &mg->neurons[mg->n++];
        memset(ne, 0, sizeof *ne);
        ne->uid = (uint16_t)sqlite3_column_int(st, 0);
        snprintf(ne->hotkey, sizeof ne->hotkey, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(ne->coldkey, sizeof ne->coldkey, "%s", (const char *)sqlite3_column_text(st, 2));
        ne->stake = sqlite3_column_double(st, 3);
        ne->validator_permit = sqlite3_column_int(st, 4);
        ne->registration_block = (uint64_t)sqlite3_column_int64(st, 5);
        ne->last_update = (uint64_t)sqlite3_column_int64(st, 6);
        ne->incentive = sqlite3_column_double(st, 7);
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) {
        aif_metagraph_release(mg);
        return db_fail(lc, err, "read neurons");
    }
    cap = 0;
    s = run(lc, &st, "SELECT src, dest, weight FROM weights WHERE netuid = ? ORDER BY src, dest", "i",
            (long long)netuid);
    for (; s == SQLITE_ROW; s = sqlite3_step(st)) {
        if (mg->n_weights == cap) {
            cap = cap ? 2 * cap : 64;
            aif_weight_entry *nw = aif_realloc(mg->weights, cap * sizeof *nw);
            if (!nw) {
                sqlite3_finalize(st);
                aif_metagraph_release(mg);
                return aif_err_set(err, AIF_ENOMEM, "out of memory reading weights");
            }
            mg->weights = nw;
        }
        aif_weight_entry *w = &mg->weights[mg->n_weights++];
        w->src = (uint16_t)sqlite3_column_int(st, 0);
        w->dest = (uint16_t)sqlite3_column_int(st, 1);
        w->weight = (uint16_t)sqlite3_column_int(st, 2);
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) {
        aif_metagraph_release(mg);
        return db_fail(lc, err, "read weights");
    }
    return AIF_OK;
}

static aif_code commitments(void *impl, uint16_t netuid, aif_commitment **out, size_t *n, aif_err *err)
{
    aif_local_chain *lc = impl;
    sqlite3_stmt *st;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int s = run(lc, &st, "SELECT n.uid, n.hotkey, c.data, c.block FROM commitments c JOIN neurons n ON "
                         "n.netuid = c.netuid AND n.hotkey = c.hotkey WHERE c.netuid = ? ORDER BY n.uid", "i",
                (long long)netuid);
    for (; s == SQLITE_ROW; s = sqlite3_step(st)) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            aif_commitment *nc = aif_realloc(*out, cap * sizeof *nc);
            if (!nc) {
                sqlite3_finalize(st);
                aif_free(*out);
                *out = NULL;
                *n = 0;
                return aif_err_set(err, AIF_ENOMEM, "out of memory reading commitments");
            }
            *out = nc;
        }
        aif_commitment *c = &(*out)[(*n)++];
        memset(c, 0, sizeof *c);
        c->uid = (uint16_t)sqlite3_column_int(st, 0);
        snprintf(c->hotkey, sizeof c->hotkey, "%s", (const char *)sqlite3_column_text(st, 1));
        int len = sqlite3_column_bytes(st, 2);
        if (len > AIF_CHAIN_MAX_COMMITMENT)
            len = AIF_CHAIN_MAX_COMMITMENT;
        if (len > 0)
            memcpy(c->data, sqlite3_column_blob(st, 2), (size_t)len);
        c->len = (size_t)len;
        c->block = (uint64_t)sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) {
        aif_free(*out);
        *out = NULL;
        *n = 0;
        return db_fail(lc, err, "read commitments");
    }
    return AIF_OK;
}

static int find_uid(aif_local_chain *lc, uint16_t netuid, const char *hotkey)
{
    sqlite3_stmt *st;
    int uid = -1;
    if (run(lc, &st, "SELECT uid FROM neurons WHERE netuid = ? AND hotkey = ?", "it", (long long)netuid, hotkey) ==
        SQLITE_ROW)
        uid = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return uid;
}

static aif_code commit(void *impl, const aif_chain_signer *hk, uint16_t netuid, const char *data, size_t len,
                       aif_err *err)
{
    aif_local_chain *lc = impl;
    aif_local_subnet_params p;
    aif_code rc = subnet_params(lc, netuid, &p, err);
    if (rc != AIF_OK)
        return rc;
    if (find_uid(lc, netuid, hk->ss58) < 0)
        return aif_err_set(err, AIF_ESTATE, "AccountNotAllowedCommit: %s is not registered on subnet %u", hk->ss58,
                           netuid);
    uint64_t block = block_now(lc), epoch = block / p.tempo, cost = len > 100 ? len : 100;
    if ((rc = exec(lc, "BEGIN IMMEDIATE", err)) != AIF_OK)
        return rc;
    sqlite3_stmt *st;
    uint64_t used = 0;
    if (run(lc, &st, "SELECT epoch, used FROM commit_space WHERE netuid = ? AND hotkey = ?", "it", (long long)netuid,
            hk->ss58) == SQLITE_ROW &&
        (uint64_t)sqlite3_column_int64(st, 0) == epoch)
        used = (uint64_t)sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    if (used + cost > p.commit_max_space) {
        exec(lc, "ROLLBACK", NULL);
        return aif_err_set(err, AIF_ERANGE,
                           "SpaceLimitExceeded: %s used %llu of %u commitment bytes in epoch %llu; wait for the next "
                           "epoch (block %llu)",
                           hk->ss58, (unsigned long long)used, p.commit_max_space, (unsigned long long)epoch,
                           (unsigned long long)((epoch + 1) * p.tempo));
    }
    int s1 = run(lc, &st, "INSERT INTO commit_space VALUES (?, ?, ?, ?) ON CONFLICT(netuid, hotkey) DO UPDATE SET "
                          "epoch = excluded.epoch, used = excluded.used", "itii", (long long)netuid, hk->ss58,
                 (long long)epoch, (long long)(used + cost));
    sqlite3_finalize(st);
    int s2 = run(lc, &st, "INSERT INTO commitments VALUES (?, ?, ?, ?) ON CONFLICT(netuid, hotkey) DO UPDATE SET "
                          "data = excluded.data, block = excluded.block", "itbi", (long long)netuid, hk->ss58, data,
                 (int)len, (long long)block);
    sqlite3_finalize(st);
    if (s1 != SQLITE_DONE || s2 != SQLITE_DONE) {
        rc = db_fail(lc, err, "commit");
        exec(lc, "ROLLBACK", NULL);
        return rc;
    }
    return exec(lc, "COMMIT", err);
}

static aif_code set_weights(void *impl, const aif_chain_signer *hk, uint16_t netuid, const uint16_t *uids,
                            const uint16_t *weights, size_t n, uint64_t version_key, aif_err *err)
{
    (void)version_key;
    aif_local_chain *lc = impl;
    aif_local_subnet_params p;
    aif_code rc = subnet_params(lc, netuid, &p, err);
    if (rc != AIF_OK)
        return rc;
    int src = find_uid(lc, netuid, hk->ss58);
    if (src < 0)
        return aif_err_set(err, AIF_ESTATE, "HotKeyNotRegisteredInSubNet: %s on subnet %u", hk->ss58, netuid);
    sqlite3_stmt *st;
    int permit = 0;
    uint64_t last = 0, block = block_now(lc);
    long long n_uids = 0;
    if (run(lc, &st, "SELECT validator_permit, last_update FROM neurons WHERE netuid = ? AND uid = ?", "ii",
            (long long)netuid, (long long)src) == SQLITE_ROW) {
        permit = sqlite3_column_int(st, 0);
        last = (uint64_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (run(lc, &st, "SELECT COUNT(*) FROM neurons WHERE netuid = ?", "i", (long long)netuid) == SQLITE_ROW)
        n_uids = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    int self_only = n == 1 && uids[0] == src;
    if (!permit && !self_only)
        return aif_err_set(err, AIF_ESTATE, "NeuronNoValidatorPermit: uid %d has no validator permit", src);
    if (last != 0 && block - last < p.weights_rate_limit)
        return aif_err_set(err, AIF_ESTATE, "SettingWeightsTooFast: uid %d set weights at block %llu, limit %llu blocks",
                           src, (unsigned long long)last, (unsigned long long)p.weights_rate_limit);
    uint16_t max = 0;
    for (size_t i = 0; i < n; i++) {
        if ((long long)uids[i] >= n_uids)
            return aif_err_set(err, AIF_EINVAL, "UidVecContainInvalidOne: uid %u does not exist", uids[i]);
        for (size_t j = 0; j < i; j++)
            if (uids[j] == uids[i])
                return aif_err_set(err, AIF_EINVAL, "DuplicateUids: uid %u appears twice", uids[i]);
        if (weights[i] > max)
            max = weights[i];
    }
    if ((rc = exec(lc, "BEGIN IMMEDIATE", err)) != AIF_OK)
        return rc;
    int ok = run(lc, &st, "DELETE FROM weights WHERE netuid = ? AND src = ?", "ii", (long long)netuid, (long long)src) ==
             SQLITE_DONE;
    sqlite3_finalize(st);
    for (size_t i = 0; ok && i < n; i++) {
        /* the chain max-upscales: the largest weight becomes 65535 */
        long long w = max ? (long long)llround((double)weights[i] * 65535.0 / max) : 0;
        ok = run(lc, &st, "INSERT INTO weights VALUES (?, ?, ?, ?)", "iiii", (long long)netuid, (long long)src,
                 (long long)uids[i], w) == SQLITE_DONE;
        sqlite3_finalize(st);
    }
    if (ok) {
        ok = run(lc, &st, "UPDATE neurons SET last_update = ? WHERE netuid = ? AND uid = ?", "iii", (long long)block,
                 (long long)netuid, (long long)src) == SQLITE_DONE;
        sqlite3_finalize(st);
    }
    if (!ok) {
        rc = db_fail(lc, err, "set weights");
        exec(lc, "ROLLBACK", NULL);
        return rc;
    }
    return exec(lc, "COMMIT", err);
}

static void close_borrowed(void *impl) { (void)impl; }

static const aif_chain_ops local_ops = {
    "local", current_block, block_hash, metagraph, commitments, commit, set_weights, close_borrowed,
};

aif_chain aif_local_chain_as_chain(aif_local_chain *lc)
{
    aif_chain c = {&local_ops, lc};
    return c;
}
