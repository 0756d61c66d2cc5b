/* eval_test.h: helpers shared by the tests of src/eval (static, header only). */
#ifndef AIF_EVAL_TEST_H
#define AIF_EVAL_TEST_H

#include "harness.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/eval.h"
#include "aif/fs.h"
#include "aif/local.h"
#include "aif/safetensors.h"

static inline json_t *et_load_ref(const char *model)
{
    char path[512];
    snprintf(path, sizeof path, "models/%s/reference_runc.json", model);
    json_error_t je;
    json_t *j = json_load_file(aif_test_path(path), 0, &je);
    if (!j)
        aif_test_fail(__FILE__, __LINE__, "%s: %s", path, je.text);
    return j;
}

static inline size_t et_ids(json_t *arr, int32_t *out, size_t cap)
{
    size_t n = json_array_size(arr);
    for (size_t i = 0; i < n && i < cap; i++)
        out[i] = (int32_t)json_integer_value(json_array_get(arr, i));
    return n < cap ? n : cap;
}

/* Copy a file (small fixtures only). */
static inline int et_copy(const char *from, const char *to)
{
    char *buf = NULL;
    size_t len = 0;
    aif_err err = {0};
    if (aif_fs_read_file(from, 64u << 20, &buf, &len, &err))
        return -1;
    int rc = aif_fs_write_file(to, buf, len, &err) ? -1 : 0;
    aif_free(buf);
    return rc;
}

static inline void et_write(const char *dir, const char *name, const char *text)
{
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    aif_err err = {0};
    CHECK_OK(aif_fs_write_file(p, text, strlen(text), &err), err);
}

/* dir/ + config.json + model.safetensors of a testdata model. */
static inline void et_copy_model(const char *model, const char *dir)
{
    char from[512], to[2048];
    aif_err err = {0};
    CHECK_OK(aif_fs_mkdirs(dir, &err), err);
    const char *files[] = {"config.json", "model.safetensors"};
    for (int i = 0; i < 2; i++) {
        snprintf(from, sizeof from, "models/%s/%s", model, files[i]);
        snprintf(to, sizeof to, "%s/%s", dir, files[i]);
        CHECK(et_copy(aif_test_path(from), to) == 0);
    }
}

/* Batches of the local competition on the shipped corpus (seed 1). */
static inline aif_eval_session *et_local_session(const aif_subnet_competitions **comps_out,
                                                 const aif_subnet_competition **comp_out, size_t max_batches)
{
    static aif_subnet_competitions *comps;
    aif_err err = {0};
    if (!comps && aif_subnet_competitions_default(&comps, &err)) {
        CHECK_OK(err.code, err);
        return NULL;
    }
    const aif_subnet_competition *comp = aif_subnet_competition_get(comps, 99);
    CHECK(comp != NULL);
    aif_eval_opts o;
    aif_eval_opts_default(&o);
    o.data_dir = "corpus";
    o.max_batches = max_batches;
    o.quiet = 1;
    aif_eval_session *s = NULL;
    aif_code rc = aif_eval_session_new(&o, &s, &err);
    if (!rc)
        rc = aif_eval_session_prepare(s, comp, 1, NULL, &err);
    if (rc) {
        if (!aif_test_injecting())
            CHECK_OK(rc, err);
        aif_eval_session_free(s);
        return NULL;
    }
    if (comps_out)
        *comps_out = comps;
    if (comp_out)
        *comp_out = comp;
    return s;
}

/* A demo model (local.h) trained on the ids of every prepared batch. */
static inline aif_code et_demo(aif_eval_session *s, const char *dir, float penalty, aif_err *err)
{
    size_t total = 0;
    for (size_t t = 0; t < aif_eval_session_task_count(s); t++) {
        size_t nb, sl;
        aif_eval_session_batches(s, t, NULL, NULL, &nb, &sl, NULL, NULL);
        total += nb * sl;
    }
    int32_t *all = aif_malloc_err(total * sizeof *all, "ids", err);
    if (!all)
        return AIF_ENOMEM;
    size_t o = 0;
    for (size_t t = 0; t < aif_eval_session_task_count(s); t++) {
        const int32_t *ids;
        size_t nb, sl;
        aif_eval_session_batches(s, t, NULL, &ids, &nb, &sl, NULL, NULL);
        memcpy(all + o, ids, nb * sl * sizeof *all);
        o += nb * sl;
    }
    aif_local_demo_opts d = {.repeat_penalty = penalty};
    const aif_tokenizer *tok = aif_eval_session_tokenizer(s);
    aif_code rc = aif_fs_mkdirs(dir, err);
    if (!rc)
        rc = aif_local_demo_model_build(dir, all, total, aif_tokenizer_vocab_size(tok), aif_tokenizer_eos_id(tok), &d,
                                        err);
    aif_free(all);
    return rc;
}

#endif
