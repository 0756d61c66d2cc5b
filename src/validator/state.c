/* state.c: the validator's persistent state (spec 8.10) in one SQLite file,
 * <model_dir>/vali-state/state.db, in WAL mode. The tables hold what the
 * reference pickles: the uid sets (current and pending per competition),
 * the model tracker (metadata per hotkey, eval history per hotkey and
 * competition), the competition tracker, plus the last step record.
 * Callers group changes in aif_vali_begin/aif_vali_commit; a kill -9 leaves the last
 * committed transaction. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/log.h"
#include "validator_int.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS models(hotkey TEXT PRIMARY KEY, ns TEXT NOT NULL, name TEXT NOT NULL,"
    "  commit_id TEXT, hash TEXT, secure_hash TEXT, competition_id INTEGER NOT NULL, block INTEGER NOT NULL,"
    "  dir_hash TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS history(hotkey TEXT NOT NULL, competition_id INTEGER NOT NULL, idx INTEGER NOT NULL,"
    "  block INTEGER NOT NULL, score REAL, win_block INTEGER NOT NULL, win_score REAL,"
    "  PRIMARY KEY(hotkey, competition_id, idx));"
    "CREATE TABLE IF NOT EXISTS uids(which INTEGER NOT NULL, competition_id INTEGER NOT NULL, uid INTEGER NOT NULL,"
    "  PRIMARY KEY(which, competition_id, uid));"
    "CREATE TABLE IF NOT EXISTS tracker(competition_id INTEGER PRIMARY KEY, weights BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS step(id INTEGER PRIMARY KEY CHECK(id = 1), global_step INTEGER NOT NULL,"
    "  block INTEGER NOT NULL, competition_id INTEGER NOT NULL, seed INTEGER NOT NULL, time REAL NOT NULL,"
    "  weights_attempted INTEGER NOT NULL, weights_rc INTEGER NOT NULL, n_weights_set INTEGER NOT NULL,"
    "  weights_msg TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS step_tasks(idx INTEGER PRIMARY KEY, name TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS step_uids(idx INTEGER PRIMARY KEY, uid INTEGER NOT NULL, hotkey TEXT NOT NULL,"
    "  repo TEXT NOT NULL, block INTEGER NOT NULL, score REAL, eps REAL, win_rate REAL, wins INTEGER NOT NULL,"
    "  weight REAL, comp_weight REAL, note TEXT NOT NULL, tasks BLOB);"
    "CREATE TABLE IF NOT EXISTS step_dropped(uid INTEGER PRIMARY KEY);";

static aif_code dbfail(aif_validator *v, aif_err *err, const char *what)
{
    return aif_err_set(err, AIF_EIO, "%s/state.db: %s: %s", v->state_dir, what, sqlite3_errmsg(v->db));
}

static aif_code exec(aif_validator *v, const char *sql, aif_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(v->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        aif_code rc = aif_err_set(err, AIF_EIO, "%s/state.db: %.60s: %s", v->state_dir, sql, msg ? msg : "?");
        sqlite3_free(msg);
        return rc;
    }
    return AIF_OK;
}

static aif_code prep(aif_validator *v, const char *sql, sqlite3_stmt **st, aif_err *err)
{
    if (sqlite3_prepare_v2(v->db, sql, -1, st, NULL) != SQLITE_OK)
        return dbfail(v, err, sql);
    return AIF_OK;
}

/* Step a statement that returns no rows, then finalize it. */
static aif_code done(aif_validator *v, sqlite3_stmt *st, const char *what, aif_err *err)
{
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return dbfail(v, err, what);
    return AIF_OK;
}

/* NULL (how SQLite stores NaN) reads back as NaN. */
static double col_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

aif_code aif_vali_begin(aif_validator *v, aif_err *err) { return exec(v, "BEGIN IMMEDIATE", err); }
aif_code aif_vali_commit(aif_validator *v, aif_err *err) { return exec(v, "COMMIT", err); }
void aif_vali_rollback(aif_validator *v)
{
    if (!sqlite3_get_autocommit(v->db))
        sqlite3_exec(v->db, "ROLLBACK", NULL, NULL, NULL);
}

aif_code aif_vali_int_get(aif_validator *v, const char *key, int64_t def, int64_t *out, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, "SELECT value FROM kv WHERE key = ?", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    *out = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : def;
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return dbfail(v, err, "reading kv");
    return AIF_OK;
}

aif_code aif_vali_int_set(aif_validator *v, const char *key, int64_t value, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, "INSERT OR REPLACE INTO kv(key, value) VALUES(?, ?)", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, value);
    return done(v, st, "writing kv", err);
}

static aif_code open_db(aif_validator *v, const char *path, aif_err *err)
{
    if (sqlite3_open_v2(path, &v->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        aif_code rc =
            aif_err_set(err, AIF_EIO, "%s: cannot open: %s", path, v->db ? sqlite3_errmsg(v->db) : "out of memory");
        sqlite3_close(v->db);
        v->db = NULL;
        return rc;
    }
    sqlite3_busy_timeout(v->db, 10000);
    aif_code rc = exec(v, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err);
    if (rc == AIF_OK)
        rc = exec(v, schema, err);
    return rc;
}

/* The database is damaged (not a database, corrupt): SQLite says so with
 * these primary codes. */
static int damaged(aif_validator *v)
{
    int c = v->db ? sqlite3_errcode(v->db) & 0xff : 0;
    return c == SQLITE_NOTADB || c == SQLITE_CORRUPT;
}

aif_code aif_vali_open(aif_validator *v, aif_err *err)
{
    aif_code rc;
    char path[PATH_MAX];
    if ((rc = aif_fs_mkdirs(v->state_dir, err)) != AIF_OK ||
        (rc = aif_fs_path(path, sizeof path, err, "%s/state.db", v->state_dir)) != AIF_OK)
        return rc;
    rc = open_db(v, path, err);
    if (rc != AIF_OK && damaged(v)) {
        /* As a failed pickle load in the reference (8.1 steps 8 and 10):
         * warn and start empty; the damaged file is kept for inspection. */
        char aside[PATH_MAX + 32], side[PATH_MAX + 8];
        aif_log(AIF_LOG_WARN, "%s: %s; moving it aside and starting with an empty state", path, err ? err->msg : "");
        sqlite3_close(v->db);
        v->db = NULL;
        snprintf(aside, sizeof aside, "%s.damaged", path);
        if (rename(path, aside) != 0)
            return aif_err_set(err, AIF_EIO, "%s: damaged, and cannot be moved aside", path);
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
        aif_err_clear(err);
        rc = open_db(v, path, err);
    }
    if (rc)
        return rc;
    /* Version rule (spec 8.10): a different or missing version wipes the uid
     * sets and the model tracker; the competition tracker stays. */
    if ((rc = aif_vali_begin(v, err)) != AIF_OK)
        return rc;
    int64_t ver;
    if ((rc = aif_vali_int_get(v, "version", -1, &ver, err)) == AIF_OK && ver != AIF_VALIDATOR_STATE_VERSION) {
        if (ver != -1)
            aif_log(AIF_LOG_WARN, "validator state version %lld, expected %d: resetting uid sets and model tracker",
                    (long long)ver, AIF_VALIDATOR_STATE_VERSION);
        if ((rc = exec(v, "DELETE FROM uids; DELETE FROM models; DELETE FROM history;", err)) == AIF_OK)
            rc = aif_vali_int_set(v, "version", AIF_VALIDATOR_STATE_VERSION, err);
    }
    if (rc == AIF_OK)
        rc = aif_vali_int_get(v, "global_step", 0, &v->global_step, err);
    if (rc == AIF_OK)
        rc = aif_vali_commit(v, err);
    if (rc)
        aif_vali_rollback(v);
    return rc;
}

void aif_vali_close(aif_validator *v)
{
    if (v->db)
        sqlite3_close(v->db);
    v->db = NULL;
}

/* ---- model tracker: metadata ---- */

static void bind_opt(sqlite3_stmt *st, int i, int has, const char *s)
{
    if (has)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static int col_opt(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        out[0] = '\0';
        return 0;
    }
    col_text(st, i, out, cap);
    return 1;
}

aif_code aif_vali_model_get(aif_validator *v, const char *hotkey, aif_validator_model *m, int *found, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v,
                       "SELECT ns, name, commit_id, hash, secure_hash, competition_id, block, dir_hash FROM models "
                       "WHERE hotkey = ?",
                       &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, hotkey, -1, SQLITE_STATIC);
    memset(m, 0, sizeof *m);
    int r = sqlite3_step(st);
    *found = r == SQLITE_ROW;
    if (*found) {
        col_text(st, 0, m->id.ns, sizeof m->id.ns);
        col_text(st, 1, m->id.name, sizeof m->id.name);
        m->id.has_commit = col_opt(st, 2, m->id.commit, sizeof m->id.commit);
        m->id.has_hash = col_opt(st, 3, m->id.hash, sizeof m->id.hash);
        m->id.has_secure_hash = col_opt(st, 4, m->id.secure_hash, sizeof m->id.secure_hash);
        m->id.competition_id = sqlite3_column_int(st, 5);
        m->block = sqlite3_column_int64(st, 6);
        col_text(st, 7, m->dir_hash, sizeof m->dir_hash);
    }
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return dbfail(v, err, "reading model metadata");
    return AIF_OK;
}

aif_code aif_vali_model_put(aif_validator *v, const char *hotkey, const aif_validator_model *m, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v,
                       "INSERT OR REPLACE INTO models(hotkey, ns, name, commit_id, hash, secure_hash, competition_id,"
                       " block, dir_hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, hotkey, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, m->id.ns, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, m->id.name, -1, SQLITE_TRANSIENT);
    bind_opt(st, 4, m->id.has_commit, m->id.commit);
    bind_opt(st, 5, m->id.has_hash, m->id.hash);
    bind_opt(st, 6, m->id.has_secure_hash, m->id.secure_hash);
    sqlite3_bind_int(st, 7, m->id.competition_id);
    sqlite3_bind_int64(st, 8, m->block);
    sqlite3_bind_text(st, 9, m->dir_hash, -1, SQLITE_TRANSIENT);
    return done(v, st, "writing model metadata", err);
}

aif_code aif_vali_forget_others(aif_validator *v, const char *const *hotkeys, size_t n, aif_err *err)
{
    aif_code rc = exec(v, "CREATE TEMP TABLE IF NOT EXISTS live(hotkey TEXT PRIMARY KEY); DELETE FROM live;", err);
    for (size_t i = 0; i < n && rc == AIF_OK; i++) {
        sqlite3_stmt *st;
        if ((rc = prep(v, "INSERT OR IGNORE INTO live(hotkey) VALUES(?)", &st, err)) != AIF_OK)
            break;
        sqlite3_bind_text(st, 1, hotkeys[i], -1, SQLITE_STATIC);
        rc = done(v, st, "listing live hotkeys", err);
    }
    if (rc == AIF_OK)
        rc = exec(v,
                  "DELETE FROM models WHERE hotkey NOT IN (SELECT hotkey FROM live);"
                  "DELETE FROM history WHERE hotkey NOT IN (SELECT hotkey FROM live);",
                  err);
    return rc;
}

/* ---- model tracker: eval history ---- */

aif_code aif_vali_history_get(aif_validator *v, const char *hotkey, int comp, aif_subnet_history *h, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v,
                       "SELECT block, score, win_block, win_score FROM history WHERE hotkey = ? AND "
                       "competition_id = ? ORDER BY idx",
                       &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, hotkey, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, comp);
    memset(h, 0, sizeof *h);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW && h->n < AIF_SUBNET_HISTORY_MAX) {
        aif_subnet_eval_result *e = &h->r[h->n++];
        e->block = sqlite3_column_int64(st, 0);
        e->score = col_real(st, 1);
        e->winning_model_block = sqlite3_column_int64(st, 2);
        e->winning_model_score = col_real(st, 3);
    }
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return dbfail(v, err, "reading eval history");
    return AIF_OK;
}

aif_code aif_vali_history_put(aif_validator *v, const char *hotkey, int comp, const aif_subnet_history *h, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, "DELETE FROM history WHERE hotkey = ? AND competition_id = ?", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, hotkey, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, comp);
    if ((rc = done(v, st, "clearing eval history", err)) != AIF_OK)
        return rc;
    for (size_t i = 0; i < h->n; i++) {
        if ((rc = prep(v,
                       "INSERT INTO history(hotkey, competition_id, idx, block, score, win_block, win_score) "
                       "VALUES(?, ?, ?, ?, ?, ?, ?)",
                       &st, err)) != AIF_OK)
            return rc;
        sqlite3_bind_text(st, 1, hotkey, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, comp);
        sqlite3_bind_int(st, 3, (int)i);
        sqlite3_bind_int64(st, 4, h->r[i].block);
        sqlite3_bind_double(st, 5, h->r[i].score);
        sqlite3_bind_int64(st, 6, h->r[i].winning_model_block);
        sqlite3_bind_double(st, 7, h->r[i].winning_model_score);
        if ((rc = done(v, st, "writing eval history", err)) != AIF_OK)
            return rc;
    }
    return AIF_OK;
}

aif_code aif_vali_history_clear(aif_validator *v, const char *hotkey, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, "DELETE FROM history WHERE hotkey = ?", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, hotkey, -1, SQLITE_STATIC);
    return done(v, st, "clearing eval history", err);
}

/* ---- uid sets ---- */

static aif_code collect_uids(aif_validator *v, sqlite3_stmt *st, uint16_t **uids, size_t *n, aif_err *err)
{
    size_t cap = 0;
    *uids = NULL;
    *n = 0;
    int r;
    aif_code rc = AIF_OK;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            uint16_t *p = aif_realloc(*uids, nc * sizeof *p);
            if (!p) {
                rc = aif_err_set(err, AIF_ENOMEM, "out of memory reading uid sets");
                break;
            }
            *uids = p;
            cap = nc;
        }
        (*uids)[(*n)++] = (uint16_t)sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    if (rc == AIF_OK && r != SQLITE_DONE)
        rc = dbfail(v, err, "reading uid sets");
    if (rc) {
        aif_free(*uids);
        *uids = NULL;
        *n = 0;
    }
    return rc;
}

aif_code aif_vali_uids_get(aif_validator *v, int which, int comp, uint16_t **uids, size_t *n, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, "SELECT uid FROM uids WHERE which = ? AND competition_id = ? ORDER BY uid", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, which);
    sqlite3_bind_int(st, 2, comp);
    return collect_uids(v, st, uids, n, err);
}

aif_code aif_vali_uids_all(aif_validator *v, uint16_t **uids, size_t *n, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, "SELECT DISTINCT uid FROM uids ORDER BY uid", &st, err);
    if (rc)
        return rc;
    return collect_uids(v, st, uids, n, err);
}

aif_code aif_vali_uids_set(aif_validator *v, int which, int comp, const uint16_t *uids, size_t n, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, "DELETE FROM uids WHERE which = ? AND competition_id = ?", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, which);
    sqlite3_bind_int(st, 2, comp);
    if ((rc = done(v, st, "clearing a uid set", err)) != AIF_OK)
        return rc;
    for (size_t i = 0; i < n && rc == AIF_OK; i++)
        rc = aif_vali_uid_add(v, which, comp, uids[i], err);
    return rc;
}

aif_code aif_vali_uid_add(aif_validator *v, int which, int comp, uint16_t uid, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, "INSERT OR IGNORE INTO uids(which, competition_id, uid) VALUES(?, ?, ?)", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, which);
    sqlite3_bind_int(st, 2, comp);
    sqlite3_bind_int(st, 3, uid);
    return done(v, st, "adding a uid", err);
}

aif_code aif_vali_uid_queued(aif_validator *v, int comp, uint16_t uid, int *queued, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, "SELECT 1 FROM uids WHERE competition_id = ? AND uid = ? LIMIT 1", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, comp);
    sqlite3_bind_int(st, 2, uid);
    int r = sqlite3_step(st);
    *queued = r == SQLITE_ROW;
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return dbfail(v, err, "reading uid sets");
    return AIF_OK;
}

aif_code aif_vali_last_eval_block(aif_validator *v, const char *hotkey, int64_t *block, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, "SELECT MAX(block) FROM history WHERE hotkey = ?", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, hotkey, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    *block = r == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (r != SQLITE_ROW)
        return dbfail(v, err, "reading eval history");
    return AIF_OK;
}

aif_code aif_vali_uids_count(aif_validator *v, size_t *n, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, "SELECT COUNT(*) FROM uids", &st, err);
    if (rc)
        return rc;
    int r = sqlite3_step(st);
    *n = r == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (r != SQLITE_ROW)
        return dbfail(v, err, "counting uids");
    return AIF_OK;
}

aif_code aif_vali_uids_keep_active(aif_validator *v, const aif_subnet_schedule_entry *e, aif_err *err)
{
    char sql[1024] = "DELETE FROM uids WHERE competition_id NOT IN (-1";
    size_t len = strlen(sql);
    for (size_t i = 0; i < e->n_slots && len + 16 < sizeof sql; i++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, ", %d", e->slots[i].competition->id);
    snprintf(sql + len, sizeof sql - len, ")");
    return exec(v, sql, err);
}

/* ---- competition tracker ---- */

aif_code aif_vali_tracker_load(aif_validator *v, aif_err *err)
{
    int64_t nn;
    aif_code rc = aif_vali_int_get(v, "tracker_num_neurons", 0, &nn, err);
    if (rc)
        return rc;
    if (nn < 0 || nn > 65536)
        return aif_err_set(err, AIF_EFORMAT, "%s/state.db: tracker_num_neurons %lld out of range", v->state_dir,
                           (long long)nn);
    aif_subnet_tracker_free(v->tracker);
    v->tracker = aif_subnet_tracker_new((size_t)nn, v->o.params.alpha);
    if (!v->tracker)
        return aif_err_set(err, AIF_ENOMEM, "out of memory for the competition tracker");
    sqlite3_stmt *st;
    if ((rc = prep(v, "SELECT competition_id, weights FROM tracker ORDER BY competition_id", &st, err)) != AIF_OK)
        return rc;
    int r;
    while (rc == AIF_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0);
        const void *blob = sqlite3_column_blob(st, 1);
        size_t bytes = (size_t)sqlite3_column_bytes(st, 1);
        if (bytes != (size_t)nn * sizeof(float) || (nn && !blob)) {
            /* A load failure starts empty, as the reference does (8.1 step 8). */
            aif_log(AIF_LOG_WARN, "%s/state.db: tracker weights of competition %d have %zu bytes, expected %zu; "
                    "starting the competition tracker empty", v->state_dir, id, bytes, (size_t)nn * sizeof(float));
            aif_subnet_tracker_free(v->tracker);
            v->tracker = aif_subnet_tracker_new((size_t)nn, v->o.params.alpha);
            if (!v->tracker)
                rc = aif_err_set(err, AIF_ENOMEM, "out of memory for the competition tracker");
            break;
        }
        float *w = aif_malloc_err(bytes ? bytes : 1, "tracker weights", err);
        if (!w) {
            rc = AIF_ENOMEM;
            break;
        }
        if (bytes)
            memcpy(w, blob, bytes);
        rc = aif_subnet_tracker_set(v->tracker, id, w, (size_t)nn, err);
        aif_free(w);
    }
    sqlite3_finalize(st);
    return rc;
}

aif_code aif_vali_tracker_save(aif_validator *v, aif_err *err)
{
    size_t nn = aif_subnet_tracker_num_neurons(v->tracker);
    aif_code rc = exec(v, "DELETE FROM tracker", err);
    if (rc == AIF_OK)
        rc = aif_vali_int_set(v, "tracker_num_neurons", (int64_t)nn, err);
    for (size_t i = 0; i < aif_subnet_tracker_count(v->tracker) && rc == AIF_OK; i++) {
        int id = aif_subnet_tracker_id(v->tracker, i);
        const float *w = aif_subnet_tracker_get(v->tracker, id);
        sqlite3_stmt *st;
        if ((rc = prep(v, "INSERT INTO tracker(competition_id, weights) VALUES(?, ?)", &st, err)) != AIF_OK)
            break;
        sqlite3_bind_int(st, 1, id);
        sqlite3_bind_blob(st, 2, nn ? (const void *)w : "", (int)(nn * sizeof(float)), SQLITE_TRANSIENT);
        rc = done(v, st, "writing the competition tracker", err);
    }
    return rc;
}

/* ---- step record ---- */

aif_code aif_vali_step_save(aif_validator *v, const aif_validator_step *s, aif_err *err)
{
    aif_code rc = exec(v, "DELETE FROM step; DELETE FROM step_tasks; DELETE FROM step_uids; DELETE FROM step_dropped;",
                       err);
    sqlite3_stmt *st;
    if (rc == AIF_OK &&
        (rc = prep(v,
                   "INSERT INTO step(id, global_step, block, competition_id, seed, time, weights_attempted, "
                   "weights_rc, n_weights_set, weights_msg) VALUES(1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   &st, err)) == AIF_OK) {
        sqlite3_bind_int64(st, 1, s->global_step);
        sqlite3_bind_int64(st, 2, (int64_t)s->block);
        sqlite3_bind_int(st, 3, s->competition_id);
        sqlite3_bind_int64(st, 4, (int64_t)s->seed);
        sqlite3_bind_double(st, 5, s->time);
        sqlite3_bind_int(st, 6, s->weights_attempted);
        sqlite3_bind_int(st, 7, (int)s->weights_rc);
        sqlite3_bind_int64(st, 8, (int64_t)s->n_weights_set);
        sqlite3_bind_text(st, 9, s->weights_msg, -1, SQLITE_STATIC);
        rc = done(v, st, "writing the step record", err);
    }
    for (size_t t = 0; t < s->n_tasks && rc == AIF_OK; t++) {
        if ((rc = prep(v, "INSERT INTO step_tasks(idx, name) VALUES(?, ?)", &st, err)) != AIF_OK)
            break;
        sqlite3_bind_int64(st, 1, (int64_t)t);
        sqlite3_bind_text(st, 2, s->task_names[t], -1, SQLITE_STATIC);
        rc = done(v, st, "writing the step record", err);
    }
    for (size_t k = 0; k < s->n && rc == AIF_OK; k++) {
        const aif_validator_step_uid *u = &s->uids[k];
        if ((rc = prep(v,
                       "INSERT INTO step_uids(idx, uid, hotkey, repo, block, score, eps, win_rate, wins, weight, "
                       "comp_weight, note, tasks) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       &st, err)) != AIF_OK)
            break;
        sqlite3_bind_int64(st, 1, (int64_t)k);
        sqlite3_bind_int(st, 2, u->uid);
        sqlite3_bind_text(st, 3, u->hotkey, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, u->repo, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, u->block);
        sqlite3_bind_double(st, 6, u->score);
        sqlite3_bind_double(st, 7, u->epsilon_adv);
        sqlite3_bind_double(st, 8, u->win_rate);
        sqlite3_bind_int64(st, 9, u->wins);
        sqlite3_bind_double(st, 10, u->weight);
        sqlite3_bind_double(st, 11, u->comp_weight);
        sqlite3_bind_text(st, 12, u->note, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 13, s->n_tasks ? (const void *)(s->task_scores + k * s->n_tasks) : "",
                          (int)(s->n_tasks * sizeof(double)), SQLITE_STATIC);
        rc = done(v, st, "writing the step record", err);
    }
    for (size_t k = 0; k < s->n_dropped && rc == AIF_OK; k++) {
        if ((rc = prep(v, "INSERT OR IGNORE INTO step_dropped(uid) VALUES(?)", &st, err)) != AIF_OK)
            break;
        sqlite3_bind_int(st, 1, s->dropped[k]);
        rc = done(v, st, "writing the step record", err);
    }
    return rc;
}

static aif_code count_rows(aif_validator *v, const char *sql, size_t *n, aif_err *err)
{
    sqlite3_stmt *st;
    aif_code rc = prep(v, sql, &st, err);
    if (rc)
        return rc;
    *n = sqlite3_step(st) == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return AIF_OK;
}

aif_code aif_vali_step_load(aif_validator *v, aif_validator_step *s, aif_err *err)
{
    memset(s, 0, sizeof *s);
    s->competition_id = -1;
    sqlite3_stmt *st;
    aif_code rc = prep(v,
                       "SELECT global_step, block, competition_id, seed, time, weights_attempted, weights_rc, "
                       "n_weights_set, weights_msg FROM step WHERE id = 1",
                       &st, err);
    if (rc)
        return rc;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        s->global_step = sqlite3_column_int64(st, 0);
        s->block = (uint64_t)sqlite3_column_int64(st, 1);
        s->competition_id = sqlite3_column_int(st, 2);
        s->seed = (uint64_t)sqlite3_column_int64(st, 3);
        s->time = sqlite3_column_double(st, 4);
        s->weights_attempted = sqlite3_column_int(st, 5);
        int wrc = sqlite3_column_int(st, 6);
        s->weights_rc = wrc >= 0 && wrc < AIF_CODE_COUNT ? (aif_code)wrc : AIF_EINTERNAL;
        s->n_weights_set = (size_t)sqlite3_column_int64(st, 7);
        col_text(st, 8, s->weights_msg, sizeof s->weights_msg);
    }
    sqlite3_finalize(st);
    if (r != SQLITE_ROW)
        return r == SQLITE_DONE ? AIF_OK : dbfail(v, err, "reading the step record");

    size_t nt, nu, nd;
    if ((rc = count_rows(v, "SELECT COUNT(*) FROM step_tasks", &nt, err)) ||
        (rc = count_rows(v, "SELECT COUNT(*) FROM step_uids", &nu, err)) ||
        (rc = count_rows(v, "SELECT COUNT(*) FROM step_dropped", &nd, err)))
        return rc;
    s->task_names = aif_calloc(nt ? nt : 1, sizeof *s->task_names);
    s->uids = aif_calloc(nu ? nu : 1, sizeof *s->uids);
    s->task_scores = aif_calloc(nu * nt > 0 ? nu * nt : 1, sizeof *s->task_scores);
    s->dropped = aif_calloc(nd ? nd : 1, sizeof *s->dropped);
    if (!s->task_names || !s->uids || !s->task_scores || !s->dropped) {
        aif_validator_step_release(s);
        return aif_err_set(err, AIF_ENOMEM, "out of memory reading the step record");
    }
    if ((rc = prep(v, "SELECT name FROM step_tasks ORDER BY idx", &st, err)) == AIF_OK) {
        while (s->n_tasks < nt && sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            if (!(s->task_names[s->n_tasks] = aif_strdup(t ? (const char *)t : ""))) {
                rc = aif_err_set(err, AIF_ENOMEM, "out of memory reading the step record");
                break;
            }
            s->n_tasks++;
        }
        sqlite3_finalize(st);
    }
    if (rc == AIF_OK &&
        (rc = prep(v,
                   "SELECT uid, hotkey, repo, block, score, eps, win_rate, wins, weight, comp_weight, note, tasks "
                   "FROM step_uids ORDER BY idx",
                   &st, err)) == AIF_OK) {
        while (s->n < nu && sqlite3_step(st) == SQLITE_ROW) {
            aif_validator_step_uid *u = &s->uids[s->n];
            u->uid = (uint16_t)sqlite3_column_int(st, 0);
            col_text(st, 1, u->hotkey, sizeof u->hotkey);
            col_text(st, 2, u->repo, sizeof u->repo);
            u->block = sqlite3_column_int64(st, 3);
            u->score = col_real(st, 4);
            u->epsilon_adv = col_real(st, 5);
            u->win_rate = col_real(st, 6);
            u->wins = sqlite3_column_int64(st, 7);
            u->weight = (float)col_real(st, 8);
            u->comp_weight = (float)col_real(st, 9);
            col_text(st, 10, u->note, sizeof u->note);
            const void *blob = sqlite3_column_blob(st, 11);
            size_t bytes = (size_t)sqlite3_column_bytes(st, 11);
            for (size_t t = 0; t < s->n_tasks; t++)
                s->task_scores[s->n * s->n_tasks + t] = NAN;
            if (blob && bytes == s->n_tasks * sizeof(double))
                memcpy(s->task_scores + s->n * s->n_tasks, blob, bytes);
            s->n++;
        }
        sqlite3_finalize(st);
    }
    if (rc == AIF_OK && (rc = prep(v, "SELECT uid FROM step_dropped ORDER BY uid", &st, err)) == AIF_OK) {
        while (s->n_dropped < nd && sqlite3_step(st) == SQLITE_ROW)
            s->dropped[s->n_dropped++] = (uint16_t)sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if (rc)
        aif_validator_step_release(s);
    return rc;
}
