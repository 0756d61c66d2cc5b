/* test_cli.c: `aif check` and `aif eval` ($AIF_BIN, the sanitizer build)
 * end to end, offline: the local competition (99: tokenizer "local",
 * sequence length 256) on the shipped corpus/ with two closed-form demo
 * models (local.h): repeat_penalty 0 (loops, fails the reasonable-output
 * check: +inf) and 20 (passes), on the STACKEXCHANGE task only to keep the
 * sanitizer run short (the library tests cover all three tasks'
 * machinery). Expected numbers are derived in the test: each batch loss
 * must be 1 + float32(k / 255) + 1e-8f for an integer k (no pad id: 255
 * labels per batch), a task's raw score the mean of its batch losses, the
 * model score the weighted sum (weight 0.3), and the
 * validator view of {inf, finite} with equal blocks: win rates {0, 1},
 * softmax {0, 1}, then the welcome mix 5/6 * s + 1/6 * 1/2 = {1/12, 11/12}. */
#include "eval_test.h"

#include <math.h>
#include <sys/wait.h>

static json_t *run_json(const char *cmdline, int want_status)
{
    static char buf[1 << 18];
    int st = aif_test_run_sh(cmdline, buf, sizeof buf);
    json_error_t je;
    json_t *j = json_loads(buf, 0, &je);
    if (st != want_status || !j) {
        aif_test_fail(__FILE__, __LINE__, "'%s' status %d (want %d), JSON: %s", cmdline, st, want_status,
                      j ? "ok" : je.text);
        json_decref(j);
        return NULL;
    }
    return j;
}

static int run_status(const char *cmdline, const char *needle)
{
    char buf[8192];
    int st = aif_test_run_sh(cmdline, buf, sizeof buf);
    if (needle && !strstr(buf, needle))
        aif_test_fail(__FILE__, __LINE__, "'%s' output lacks '%s':\n%s", cmdline, needle, buf);
    return st;
}

/* Spec 6.2 steps 3-4 written out: overlap >= 10 or both most frequent
 * counts > 10 fails. */
static int rules(json_t *a, json_t *b)
{
    int overlap = 0, ma = 0, mb = 0;
    size_t n = json_array_size(a);
    for (size_t k = 0; k < n; k++) {
        long long ak = json_integer_value(json_array_get(a, k)), bk = json_integer_value(json_array_get(b, k));
        overlap += ak == bk;
        int ca = 0, cb = 0;
        for (size_t j = 0; j < n; j++) {
            ca += json_integer_value(json_array_get(a, j)) == ak;
            cb += json_integer_value(json_array_get(b, j)) == bk;
        }
        ma = ca > ma ? ca : ma;
        mb = cb > mb ? cb : mb;
    }
    return !(overlap >= 10 || (ma > 10 && mb > 10));
}

static json_t *check_of(json_t *report, const char *name)
{
    json_t *checks = json_object_get(report, "checks");
    for (size_t i = 0; i < json_array_size(checks); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(checks, i), "check")), name))
            return json_array_get(checks, i);
    return NULL;
}

static void test_cli_check(void)
{
    const char *bin = getenv("AIF_BIN");
    if (!bin || aif_test_injecting())
        return; /* only under `make test` */
    char dir[1024], cmd[4096];
    snprintf(dir, sizeof dir, "%s/pickled", aif_test_tmpdir());
    et_copy_model("stories260K-hf-bf16", dir);
    et_write(dir, "training_args.pt", "not a pickle either");
    snprintf(cmd, sizeof cmd, "%s -q check %s --schedule local --json", bin, dir);
    json_t *j = run_json(cmd, 1);
    if (j) {
        CHECK_EQ(json_integer_value(json_object_get(j, "competition")), 99);
        json_t *f = check_of(j, "format");
        CHECK_STR(json_string_value(json_object_get(f, "status")), "fail");
        CHECK(strstr(json_string_value(json_object_get(f, "message")), "training_args.pt: pickle weights file"));
        /* the local tokenizer is found next to the binary: 1024 ids > 512 */
        f = check_of(j, "vocabulary");
        CHECK_STR(json_string_value(json_object_get(f, "status")), "fail");
        CHECK_EQ(json_integer_value(json_object_get(j, "failed")), 2);
        CHECK_EQ(json_integer_value(json_object_get(j, "parameters")), 292800);
        json_decref(j);
    }
    snprintf(cmd, sizeof cmd, "%s -q check %s --schedule local", bin, dir);
    CHECK_EQ(run_status(cmd, "FAIL  format"), 1);
    snprintf(cmd, sizeof cmd, "%s -q check %s/nowhere", bin, dir);
    CHECK_EQ(run_status(cmd, "FAIL  config"), 1);
}

static void test_cli_eval_local(void)
{
    const char *bin = getenv("AIF_BIN");
    if (!bin || aif_test_injecting())
        return;
    aif_eval_session *s = et_local_session(NULL, NULL, 2);
    if (!s)
        return;
    char loop[1024], varied[1024], cmd[4096];
    snprintf(loop, sizeof loop, "%s/loop", aif_test_tmpdir());
    snprintf(varied, sizeof varied, "%s/varied", aif_test_tmpdir());
    aif_err err = {0};
    CHECK_OK(et_demo(s, loop, 0.0f, &err), err);
    CHECK_OK(et_demo(s, varied, 20.0f, &err), err);
    aif_eval_session_free(s);

    snprintf(cmd, sizeof cmd, "%s -q check %s --schedule local", bin, varied);
    CHECK_EQ(run_status(cmd, "ok: 0 checks failed"), 0);

    snprintf(cmd, sizeof cmd,
             "%s -q eval %s %s --schedule local --data corpus --seed 1 --max-batches 2 --threads 2 --json "
             "--tasks stackexchange", bin, loop, varied);
    json_t *j = run_json(cmd, 0);
    if (!j)
        return;
    CHECK_EQ(json_integer_value(json_object_get(j, "competition")), 99);
    CHECK_EQ(json_integer_value(json_object_get(j, "seed")), 1);
    json_t *tasks = json_object_get(j, "tasks");
    CHECK_EQ(json_array_size(tasks), 1);
    for (size_t t = 0; t < json_array_size(tasks); t++) {
        CHECK_EQ(json_integer_value(json_object_get(json_array_get(tasks, t), "batches")), 2);
        CHECK_EQ(json_integer_value(json_object_get(json_array_get(tasks, t), "seq_len")), 256);
    }
    json_t *models = json_object_get(j, "models");
    CHECK_EQ(json_array_size(models), 2);
    json_t *m0 = json_array_get(models, 0), *m1 = json_array_get(models, 1);
    /* the looping model fails the check on every task: inf (JSON null) */
    CHECK(json_is_true(json_object_get(m0, "failed")));
    CHECK(json_is_null(json_object_get(m0, "score")));
    json_t *t0 = json_array_get(json_object_get(m0, "tasks"), 0);
    json_t *rs = json_object_get(t0, "reasonable");
    CHECK(json_is_false(json_object_get(rs, "pass")));
    CHECK_EQ(json_array_size(json_object_get(rs, "generated_a")), 20);
    CHECK_EQ(rules(json_object_get(rs, "generated_a"), json_object_get(rs, "generated_b")), 0);
    CHECK(strstr(json_string_value(json_object_get(t0, "note")), "unreasonable output") != NULL);
    /* the varied one: every batch loss has the reference form */
    CHECK(json_is_false(json_object_get(m1, "failed")));
    double weights[1] = {0.3}, score = 0; /* STACKEXCHANGE */
    json_t *mt = json_object_get(m1, "tasks");
    CHECK_EQ(json_array_size(mt), 1);
    for (size_t t = 0; t < json_array_size(mt) && t < 1; t++) {
        json_t *tr = json_array_get(mt, t);
        json_t *bl = json_object_get(tr, "batch_loss");
        CHECK_EQ(json_array_size(bl), 2);
        json_t *rr = json_object_get(tr, "reasonable");
        CHECK(json_is_true(json_object_get(rr, "pass")));
        CHECK_EQ(rules(json_object_get(rr, "generated_a"), json_object_get(rr, "generated_b")), 1);
        CHECK_EQ(json_integer_value(json_object_get(tr, "tokens")), 2 * 255);
        double sum = 0;
        long long wrong = 0;
        for (size_t b = 0; b < json_array_size(bl); b++) {
            double loss = json_number_value(json_array_get(bl, b));
            long long k = llround((loss - 1.0) * 255.0);
            float e = (float)k / 255.0f;
            e = e + 1e-8f;
            CHECK(loss == 1.0 + (double)e);
            sum += loss;
            wrong += k;
        }
        CHECK_EQ(json_integer_value(json_object_get(tr, "wrong")), wrong);
        double raw = json_number_value(json_object_get(tr, "raw"));
        CHECK(raw == sum / 2);
        CHECK(raw > 1.0 && raw < 2.0);
        CHECK(json_number_value(json_object_get(tr, "weighted")) == raw * weights[t]);
        CHECK(json_number_value(json_object_get(tr, "perplexity")) > 1.0);
        score += raw * weights[t];
    }
    CHECK_NEAR(json_number_value(json_object_get(m1, "score")), score, 1e-12);
    /* validator view */
    CHECK_NEAR(json_number_value(json_object_get(m0, "win_rate")), 0.0, 0);
    CHECK_NEAR(json_number_value(json_object_get(m1, "win_rate")), 1.0, 0);
    CHECK_NEAR(json_number_value(json_object_get(m0, "weight")), 1.0 / 12, 1e-6);
    CHECK_NEAR(json_number_value(json_object_get(m1, "weight")), 11.0 / 12, 1e-6);
    CHECK(json_is_true(json_object_get(m1, "top")));
    json_decref(j);

    /* the text table, for a directory that holds no model (inf, no compute) */
    snprintf(cmd, sizeof cmd, "%s -q eval %s --schedule local --data corpus --seed 1 --max-batches 2 --tasks arxiv",
             bin, aif_test_tmpdir());
    CHECK_EQ(run_status(cmd, "score inf"), 0);
    snprintf(cmd, sizeof cmd, "%s -q eval %s --schedule local --data corpus --tasks nope 2>/dev/null", bin, varied);
    CHECK_EQ(run_status(cmd, NULL), 1);
    snprintf(cmd, sizeof cmd, "%s -q eval %s --seed 1 --seed-block 7 2>/dev/null", bin, varied);
    CHECK_EQ(run_status(cmd, NULL), 2);
}

AIF_TESTS(eval_cli) = {
    {"eval/cli_check", test_cli_check},
    {"eval/cli_eval_local", test_cli_eval_local},
    {NULL, NULL},
};
