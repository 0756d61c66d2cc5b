/* test_session.c: sessions as the validator uses them: prepare in the
 * parent (data of the step), fork, score in the child with a pool made
 * there (threads do not survive fork), raw task scores back through a
 * pipe (the child must not hang on a pool made before fork, and its
 * score must have the reference form). Also the session accessors, the
 * validator callbacks' misuse errors and the ranking of spec 7. */
#include "eval_test.h"

#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_fork_score(void)
{
    if (aif_test_injecting())
        return; /* fork + allocation failures: covered elsewhere */
    const aif_subnet_competitions *comps;
    const aif_subnet_competition *comp;
    aif_eval_session *build = et_local_session(&comps, &comp, 2);
    if (!build)
        return;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/varied", aif_test_tmpdir());
    aif_err err = {0};
    CHECK_OK(et_demo(build, dir, 20.0f, &err), err);
    aif_eval_session_free(build);

    aif_eval_opts o;
    aif_eval_opts_default(&o);
    o.data_dir = "corpus";
    o.max_batches = 2;
    o.tasks = "STACKEXCHANGE";
    o.n_threads = 2;
    o.quiet = 1;
    aif_eval_session *s = NULL;
    CHECK_OK(aif_eval_session_new(&o, &s, &err), err);
    if (!s)
        return;
    double raw[3] = {0, 0, 0};
    /* score before prepare: a state error, not a crash */
    CHECK_ERR(aif_eval_validator_score(s, dir, comp, raw, &err), AIF_ESTATE, err, "prepared for competition -1");
    CHECK_OK(aif_eval_validator_prepare(s, comp, 1000, 1, &err), err);
    CHECK_EQ(aif_eval_session_task_count(s), 1);
    const char *name = NULL;
    size_t nb = 0, sl = 0;
    CHECK_OK(aif_eval_session_batches(s, 0, &name, NULL, &nb, &sl, NULL, &err), err);
    CHECK_STR(name, "STACKEXCHANGE");
    CHECK_EQ(nb, 2);
    CHECK_EQ(sl, 256);
    CHECK_ERR(aif_eval_session_batches(s, 1, &name, NULL, &nb, &sl, NULL, &err), AIF_ERANGE, err, "task 1 of 1");
    /* the same batches as the library's loader gives for this seed */
    int fd[2];
    CHECK(pipe(fd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        double r[3];
        aif_err e = {0};
        aif_code rc = aif_eval_validator_score(s, dir, comp, r, &e);
        ssize_t w = write(fd[1], &rc, sizeof rc);
        w += write(fd[1], r, sizeof r);
        _exit(w == (ssize_t)(sizeof rc + sizeof r) ? 0 : 1);
    }
    close(fd[1]);
    aif_code crc = AIF_EINTERNAL;
    CHECK(read(fd[0], &crc, sizeof crc) == (ssize_t)sizeof crc);
    CHECK(read(fd[0], raw, sizeof raw) == (ssize_t)sizeof raw);
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_EQ(crc, AIF_OK);
    /* tasks 0 and 1 were not prepared: inf; task 2 scored in the child */
    CHECK(isinf(raw[0]) && isinf(raw[1]));
    CHECK(raw[2] > 1.0 && raw[2] < 2.0);
    /* raw = (l1 + l2) / 2 with each li = 1 + float32(ki / 255) + 1e-8f
     * (255 labels per batch, no pad id): some integer pair must give it */
    int found = 0;
    for (int k1 = 0; k1 <= 255 && !found; k1++)
        for (int k2 = k1; k2 <= 255 && !found; k2++) {
            float e1 = (float)k1 / 255.0f, e2 = (float)k2 / 255.0f;
            e1 = e1 + 1e-8f;
            e2 = e2 + 1e-8f;
            double l1 = 1.0 + (double)e1, l2 = 1.0 + (double)e2;
            found = (l1 + l2) / 2 == raw[2] || (l2 + l1) / 2 == raw[2];
        }
    CHECK(found);
    aif_eval_result r;
    /* another competition than the prepared one */
    const aif_subnet_competition *main1 = aif_subnet_competition_get(comps, 1);
    CHECK_ERR(aif_eval_validator_score(s, dir, main1, raw, &err), AIF_ESTATE, err, "prepared for competition 99");
    /* a directory without a model: inf with the loader's message */
    if (aif_eval_session_score(s, aif_test_tmpdir(), &r, &err) == AIF_OK) {
        CHECK(isinf(r.score));
        CHECK(strstr(r.note, "config.json") != NULL);
        aif_eval_result_release(&r);
    }
    aif_eval_session_free(s);
}

/* The ranking of spec 7 over three scores with commit blocks, worked out
 * by hand at block 1000 (eps(c, m) = 0.005 - min((c-m)/72000, 1) * 0.0045):
 * A = 1.50 at block 100, B = 1.505 at block 10, C = inf at block 500.
 * min = 1.50. A: |A-B| = 0.005 >= 0.001, not close; vs B: B is earlier,
 * B' = 1.505 * (1 - eps(1000, 10)) = 1.505 * (1 - 0.00493875) = 1.49756718
 * < 1.50, so A loses; vs C: wins. A: 1/2. B: vs A: 1.49756718 < 1.50 wins;
 * vs C wins: 1.0. C: |inf - 1.5| > 0.05: 0. Top: B. */
static void test_rank(void)
{
    const aif_subnet_competitions *comps = NULL;
    aif_err err = {0};
    aif_subnet_competitions *c = NULL;
    if (aif_subnet_competitions_default(&c, &err)) {
        if (!aif_test_injecting())
            CHECK_OK(err.code, err);
        return;
    }
    comps = c;
    const aif_subnet_competition *comp = aif_subnet_competition_get(comps, 1);
    double scores[3] = {1.50, 1.505, INFINITY};
    int64_t blocks[3] = {100, 10, 500};
    aif_eval_ranking r;
    if (aif_eval_rank(comp, 3, scores, blocks, 1000, &r, &err) == AIF_OK) {
        CHECK_EQ(r.wins[0], 1);
        CHECK_EQ(r.wins[1], 2);
        CHECK_EQ(r.wins[2], 0);
        CHECK(r.win_rate[0] == 0.5);
        CHECK(r.win_rate[1] == 1.0);
        CHECK(r.win_rate[2] == 0.0);
        CHECK_EQ(r.top, 1);
        /* softmax of {0.5, 1.0, -999}: {e^-0.5, 1}/(1 + e^-0.5) = {0.3775, 0.6225};
         * all three blocks are within 7200 of 1000: welcome 1/3 each */
        double s0 = exp(-0.5) / (1 + exp(-0.5)), s1 = 1 / (1 + exp(-0.5));
        CHECK_NEAR(r.weight[0], 5.0 / 6 * s0 + 1.0 / 18, 1e-6);
        CHECK_NEAR(r.weight[1], 5.0 / 6 * s1 + 1.0 / 18, 1e-6);
        CHECK_NEAR(r.weight[2], 1.0 / 18, 1e-6);
        aif_eval_ranking_release(&r);
    }
    aif_subnet_competitions_free(c);
}

AIF_TESTS(eval_session) = {
    {"eval/session_fork_score", test_fork_score},
    {"eval/session_rank", test_rank},
    {NULL, NULL},
};
