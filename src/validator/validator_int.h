/* validator_int.h: what the files of src/validator/ share. */
#ifndef AIF_VALIDATOR_INT_H
#define AIF_VALIDATOR_INT_H

#include <limits.h>
#include <sqlite3.h>
#include <string.h>

#include "aif/validator.h"

typedef struct uid_time {
    char hotkey[AIF_SS58_MAX];
    double t;
} uid_time;

struct aif_validator {
    aif_validator_opts o;
    char model_dir[PATH_MAX];
    char state_dir[PATH_MAX];
    sqlite3 *db;
    aif_subnet_tracker *tracker;
    int64_t global_step;
    /* update pass: when each uid was last checked (memory only, as the
     * reference's map; indexed by uid) */
    double *checked_at;
    size_t n_checked_at;
    size_t cursor;          /* next metagraph index of the update pass */
    double last_scan;       /* clock time of the last top-model scan */
};

/* Copy src into dst (cap bytes), truncating. */
static inline void vcopy(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

double aif_vali_now(const aif_validator *v);
void aif_vali_sleep(const aif_validator *v, double s);

/* --- state.c: the SQLite state --- */
aif_code aif_vali_open(aif_validator *v, aif_err *err);
void aif_vali_close(aif_validator *v);
aif_code aif_vali_begin(aif_validator *v, aif_err *err);
aif_code aif_vali_commit(aif_validator *v, aif_err *err);
void aif_vali_rollback(aif_validator *v);
aif_code aif_vali_model_get(aif_validator *v, const char *hotkey, aif_validator_model *m, int *found, aif_err *err);
aif_code aif_vali_model_put(aif_validator *v, const char *hotkey, const aif_validator_model *m, aif_err *err);
/* Forget metadata and history of hotkeys not in the list (spec 8.3 listener). */
aif_code aif_vali_forget_others(aif_validator *v, const char *const *hotkeys, size_t n, aif_err *err);
aif_code aif_vali_history_get(aif_validator *v, const char *hotkey, int comp, aif_subnet_history *h, aif_err *err);
aif_code aif_vali_history_put(aif_validator *v, const char *hotkey, int comp, const aif_subnet_history *h, aif_err *err);
aif_code aif_vali_history_clear(aif_validator *v, const char *hotkey, aif_err *err);
/* which: 0 current, 1 pending. */
aif_code aif_vali_uids_get(aif_validator *v, int which, int comp, uint16_t **uids, size_t *n, aif_err *err);
aif_code aif_vali_uids_set(aif_validator *v, int which, int comp, const uint16_t *uids, size_t n, aif_err *err);
aif_code aif_vali_uid_add(aif_validator *v, int which, int comp, uint16_t uid, aif_err *err);
aif_code aif_vali_uid_queued(aif_validator *v, int comp, uint16_t uid, int *queued, aif_err *err);
/* Latest eval block of a hotkey over all competitions (0 if none). */
aif_code aif_vali_last_eval_block(aif_validator *v, const char *hotkey, int64_t *block, aif_err *err);
aif_code aif_vali_uids_count(aif_validator *v, size_t *n, aif_err *err);
/* All (uid) rows of both sets, any competition, ascending, distinct. */
aif_code aif_vali_uids_all(aif_validator *v, uint16_t **uids, size_t *n, aif_err *err);
/* Delete the sets of competitions not in the entry. */
aif_code aif_vali_uids_keep_active(aif_validator *v, const aif_subnet_schedule_entry *e, aif_err *err);
aif_code aif_vali_tracker_load(aif_validator *v, aif_err *err);
aif_code aif_vali_tracker_save(aif_validator *v, aif_err *err);
aif_code aif_vali_int_get(aif_validator *v, const char *key, int64_t def, int64_t *out, aif_err *err);
aif_code aif_vali_int_set(aif_validator *v, const char *key, int64_t value, aif_err *err);
aif_code aif_vali_step_save(aif_validator *v, const aif_validator_step *s, aif_err *err);
aif_code aif_vali_step_load(aif_validator *v, aif_validator_step *s, aif_err *err);

/* --- paths --- */
/* <model_dir>/models/<hotkey> */
aif_code aif_vali_hotkey_dir(const aif_validator *v, const char *hotkey, char *out, size_t cap, aif_err *err);
/* <model_dir>/models/<hotkey>/models--ns--name/snapshots/<commit> */
aif_code aif_vali_snapshot(const aif_validator *v, const char *hotkey, const aif_subnet_model_id *id, char *out,
                        size_t cap, aif_err *err);
/* A hotkey safe as a directory name: 1..63 characters of [A-Za-z0-9]. */
int aif_vali_hotkey_ok(const char *hotkey);

/* --- isolate.c wrappers for the evaluator --- */
aif_code aif_vali_inspect(aif_validator *v, const char *snap, char arch[AIF_VALIDATOR_ARCH_MAX], int64_t *n_params,
                  aif_err *err);
aif_code aif_vali_score(aif_validator *v, const char *snap, const aif_subnet_competition *comp, double *raw, aif_err *err);

#endif
