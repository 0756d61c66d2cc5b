/* test_validator.c: the validator on the embedded local subnet (SQLite
 * chain with a fake clock, directory hub) with a FAKE evaluator defined
 * here: a "model" is a config.json naming its architecture, parameter count
 * and score (plus how the scorer should behave: ok, crash, hang, slow), and
 * a dummy model.safetensors. Expected values are worked out by hand in the
 * comments from the spec's formulas (sections 7.2, 7.3, 7.5, 8.5).
 */
#include "harness.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"
#include "aif/local.h"
#include "aif/log.h"
#include "aif/validator.h"

#define NETUID 80

/* Competition 7: two tasks of weight 0.5, parameters in [1000, 100000],
 * 4096 bytes at most per repo, commitments usable 10 blocks after. */
static const char comps_json[] =
    "{\"format\": \"aif-competitions\", \"version\": 1,"
    " \"datasets\": ["
    "  {\"name\": \"D1\", \"id\": 9, \"repo\": \"t/d1\", \"config\": \"default\", \"split\": \"train\", \"max_pages\": 10},"
    "  {\"name\": \"D2\", \"id\": 10, \"repo\": \"t/d2\", \"config\": \"default\", \"split\": \"train\", \"max_pages\": 10}],"
    " \"competitions\": [{\"id\": 7, \"name\": \"TEST\","
    "  \"constraints\": {\"min_parameters\": 1000, \"max_parameters\": 100000, \"sequence_length\": 64,"
    "   \"allowed_architectures\": [{\"name\": \"LlamaForCausalLM\", \"runnable\": true}],"
    "   \"tokenizer\": \"local\", \"max_bytes\": 4096, \"dtype\": \"bf16\", \"eval_block_delay\": 10,"
    "   \"epsilon\": {\"function\": \"linear_decay\", \"start\": 0.005, \"end\": 0.0005, \"decay_blocks\": 72000}},"
    "  \"max_batches_per_task\": 1,"
    "  \"eval_tasks\": ["
    "   {\"name\": \"T1\", \"method\": \"text_loss\", \"dataset\": \"D1\", \"normalization\": {\"id\": \"none\"},"
    "    \"batch_size\": 1, \"pages\": 1, \"weight\": 0.5},"
    "   {\"name\": \"T2\", \"method\": \"text_loss\", \"dataset\": \"D2\", \"normalization\": {\"id\": \"none\"},"
    "    \"batch_size\": 1, \"pages\": 1, \"weight\": 0.5}]}],"
    " \"schedules\": {\"main\": [{\"start_block\": 0, \"competitions\": [{\"id\": 7, \"reward_share\": 1.0}]}]}}";

/* ---- the fake evaluator ---- */

typedef struct fake_eval {
    int prepares;            /* calls of prepare (parent process) */
    uint64_t last_block;
    int slow_enabled;        /* "slow" models sleep (the kill test's child) */
    char marker[512];        /* written by a slow scorer when it starts */
    double *clock;           /* the fake clock; prepare moves it on by step_seconds */
    double step_seconds;
} fake_eval;

static int read_config(const char *snap, char *text, size_t cap)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/config.json", snap);
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    size_t n = fread(text, 1, cap - 1, f);
    fclose(f);
    text[n] = '\0';
    return 0;
}

static const char *field(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? p + strlen(key) : NULL;
}

static aif_code fake_inspect(void *ctx, const char *snap, char arch[AIF_VALIDATOR_ARCH_MAX], int64_t *n_params,
                             aif_err *err)
{
    char text[1024];
    if (read_config(snap, text, sizeof text))
        return aif_err_set(err, AIF_ENOTFOUND, "%s: no config.json", snap);
    const char *a = field(text, "\"arch\": \""), *n = field(text, "\"params\": ");
    if (!a || !n)
        return aif_err_set(err, AIF_EFORMAT, "%s: bad config.json", snap);
    size_t len = strcspn(a, "\"");
    snprintf(arch, AIF_VALIDATOR_ARCH_MAX, "%.*s", (int)len, a);
    *n_params = atoll(n);
    return AIF_OK;
}

static aif_code fake_prepare(void *ctx, const aif_subnet_competition *comp, uint64_t block, uint64_t seed,
                             aif_err *err)
{
    fake_eval *f = ctx;
    f->prepares++;
    f->last_block = block;
    if (f->clock)
        *f->clock += f->step_seconds;
    return AIF_OK;
}

static aif_code fake_score(void *ctx, const char *snap, const aif_subnet_competition *comp, double *raw, aif_err *err)
{
    fake_eval *f = ctx;
    char text[1024];
    if (read_config(snap, text, sizeof text))
        return aif_err_set(err, AIF_ENOTFOUND, "%s: no config.json", snap);
    const char *b = field(text, "\"behaviour\": \""), *s = field(text, "\"score\": ");
    if (b && !strncmp(b, "crash", 5))
        abort();
    if (b && !strncmp(b, "hang", 4))
        for (;;)
            pause();
    if (b && !strncmp(b, "slow", 4) && f->slow_enabled) {
        FILE *m = fopen(f->marker, "w");
        if (m)
            fclose(m);
        for (;;)
            pause();
    }
    /* Task t scores score + t * delta. */
    const char *d = field(text, "\"delta\": ");
    double base = s ? atof(s) : INFINITY, delta = d ? atof(d) : 0;
    for (size_t t = 0; t < comp->n_tasks; t++)
        raw[t] = base + (double)t * delta;
    return AIF_OK;
}

/* ---- a local subnet ---- */

typedef struct env {
    double now;              /* first: the clock's ctx points here */
    const char *dir;
    char chain_path[512], hub_root[512], model_dir[512];
    double block_time;       /* of the local chain, fixed when it is created */
    double deadline;         /* env_sleep sets stop past it (0: never) */
    volatile int stop;
    int steps;               /* seen by on_step */
    aif_local_chain *lc;
    aif_chain chain;
    aif_hub hub;
    aif_subnet_competitions *comps;
    fake_eval fe;
    aif_validator_opts o;
    aif_validator *v;
} env;

static double env_now(void *ctx) { return *(double *)ctx; }
static void env_sleep(void *ctx, double s)
{
    env *E = ctx;
    E->now += s;
    if (E->deadline && E->now > E->deadline)
        E->stop = 1;
}

static void env_open_backends(env *E)
{
    aif_err err;
    aif_local_chain_opts co = {E->block_time, env_now, &E->now};
    CHECK_OK(aif_local_chain_open(E->chain_path, &co, &E->lc, &err), err);
    E->chain = aif_local_chain_as_chain(E->lc);
    CHECK_OK(aif_local_hub_open(E->hub_root, &E->hub, &err), err);
}

static void env_close_backends(env *E)
{
    aif_hub_close(&E->hub);
    aif_local_chain_close(E->lc);
    E->lc = NULL;
}

static aif_code env_validator(env *E, aif_err *err)
{
    aif_validator_opts_default(&E->o);
    E->o.netuid = NETUID;
    E->o.model_dir = E->model_dir;
    E->o.comps = E->comps;
    E->o.chain = &E->chain;
    E->o.hub = &E->hub;
    snprintf(E->o.signer.ss58, sizeof E->o.signer.ss58, "5Vali");
    E->o.evaluator = (aif_validator_evaluator){&E->fe, fake_inspect, fake_prepare, fake_score};
    E->o.clock = (aif_validator_clock){env_now, env_sleep, E}; /* now is the first member */
    E->o.chain_update_cadence = 0;
    E->o.score_timeout = 5;
    E->o.inspect_timeout = 5;
    return aif_validator_new(&E->o, &E->v, err);
}

/* Register the validator (uid 0) and miners (uids 1..n) named 5MinerA... */
static void env_init_bt(env *E, size_t n_miners, double block_time)
{
    memset(E, 0, sizeof *E);
    E->block_time = block_time;
    if (getenv("AIF_TEST_VALIDATOR_DEBUG"))
        aif_log_set_level(AIF_LOG_DEBUG);
    E->dir = aif_test_tmpdir();
    E->now = (double)time(NULL);
    snprintf(E->chain_path, sizeof E->chain_path, "%s/chain.db", E->dir);
    snprintf(E->hub_root, sizeof E->hub_root, "%s/hub", E->dir);
    snprintf(E->model_dir, sizeof E->model_dir, "%s/vali", E->dir);
    snprintf(E->fe.marker, sizeof E->fe.marker, "%s/scoring.marker", E->dir);
    aif_err err;
    CHECK_OK(aif_subnet_competitions_parse(comps_json, strlen(comps_json), "test", &E->comps, &err), err);
    env_open_backends(E);
    aif_local_subnet_params p = {360, 0, 100000};
    CHECK_OK(aif_local_chain_add_subnet(E->lc, NETUID, &p, &err), err);
    uint16_t uid;
    CHECK_OK(aif_local_chain_register(E->lc, NETUID, "5Vali", "5Cold", 2e5, 1, &uid, &err), err);
    for (size_t i = 0; i < n_miners; i++) {
        char hk[32];
        snprintf(hk, sizeof hk, "5Miner%c", (char)('A' + i));
        CHECK_OK(aif_local_chain_register(E->lc, NETUID, hk, "5Cold", 0, 0, &uid, &err), err);
        CHECK_EQ(uid, i + 1);
    }
    CHECK_OK(aif_local_chain_advance(E->lc, 5, &err), err);
    CHECK_OK(env_validator(E, &err), err);
}

static void env_init(env *E, size_t n_miners) { env_init_bt(E, n_miners, 0); }

static void env_free(env *E)
{
    aif_validator_free(E->v);
    env_close_backends(E);
    aif_subnet_competitions_free(E->comps);
}

static void advance(env *E, uint64_t n)
{
    aif_err err;
    CHECK_OK(aif_local_chain_advance(E->lc, n, &err), err);
}

/* A model directory: config.json + a dummy model.safetensors (+ padding in
 * README.md, which is not downloaded but counts toward max_bytes). */
static const char *make_model(const char *arch, long params, const char *score, const char *behaviour, size_t pad)
{
    const char *d = aif_test_tmpdir();
    char p[600], text[512];
    aif_err err;
    snprintf(text, sizeof text, "{\"arch\": \"%s\", \"params\": %ld, \"score\": %s, \"behaviour\": \"%s\"}", arch,
             params, score, behaviour);
    snprintf(p, sizeof p, "%s/config.json", d);
    CHECK_OK(aif_fs_write_file(p, text, strlen(text), &err), err);
    snprintf(p, sizeof p, "%s/model.safetensors", d);
    snprintf(text, sizeof text, "weights of a %s model scoring %s", arch, score);
    CHECK_OK(aif_fs_write_file(p, text, strlen(text), &err), err);
    if (pad) {
        char *buf = aif_calloc(pad, 1);
        memset(buf, 'x', pad);
        snprintf(p, sizeof p, "%s/README.md", d);
        CHECK_OK(aif_fs_write_file(p, buf, pad, &err), err);
        aif_free(buf);
    }
    return d;
}

static void commit_line(env *E, const char *hotkey, const char *line);

/* The miner's push (spec 9.2): upload, hash what a validator downloads
 * (here exactly config.json + model.safetensors, so the source directory
 * without README.md), secure hash with the miner's hotkey, commit. The
 * commitment string is written to line_out when not NULL. */
static void push(env *E, const char *hotkey, const char *repo, const char *src, char *line_out)
{
    aif_err err;
    char commit[41] = "", hash[AIF_SUBNET_HASH_CHARS], p[600];
    CHECK_OK(aif_hub_upload(&E->hub, repo, src, 0, "upload", commit, &err), err);
    /* hash the two model files alone */
    const char *h = aif_test_tmpdir();
    const char *names[2] = {"config.json", "model.safetensors"};
    for (int i = 0; i < 2; i++) {
        char *text;
        size_t len;
        snprintf(p, sizeof p, "%s/%s", src, names[i]);
        CHECK_OK(aif_fs_read_file(p, 1 << 20, &text, &len, &err), err);
        snprintf(p, sizeof p, "%s/%s", h, names[i]);
        CHECK_OK(aif_fs_write_file(p, text, len, &err), err);
        aif_free(text);
    }
    CHECK_OK(aif_subnet_hash_dir(h, hash, &err), err);
    aif_subnet_model_id id;
    memset(&id, 0, sizeof id);
    const char *slash = strchr(repo, '/');
    snprintf(id.ns, sizeof id.ns, "%.*s", (int)(slash - repo), repo);
    snprintf(id.name, sizeof id.name, "%s", slash + 1);
    snprintf(id.commit, sizeof id.commit, "%s", commit);
    id.has_commit = 1;
    aif_subnet_secure_hash(hash, hotkey, id.secure_hash);
    id.has_secure_hash = 1;
    id.competition_id = 7;
    char line[200];
    CHECK_OK(aif_subnet_model_id_format(&id, line, sizeof line, &err), err);
    commit_line(E, hotkey, line);
    if (line_out)
        snprintf(line_out, 200, "%s", line);
}

static void commit_line(env *E, const char *hotkey, const char *line)
{
    aif_chain_signer s;
    memset(&s, 0, sizeof s);
    snprintf(s.ss58, sizeof s.ss58, "%s", hotkey);
    aif_err err;
    CHECK_OK(aif_chain_commit(&E->chain, &s, NETUID, line, strlen(line), &err), err);
}

static const aif_validator_step_uid *find_uid(const aif_validator_step *s, uint16_t uid)
{
    for (size_t k = 0; k < s->n; k++)
        if (s->uids[k].uid == uid)
            return &s->uids[k];
    return NULL;
}

/* The on-chain row of the validator (uid 0): weight per dest, 0 if absent. */
static uint16_t chain_weight(env *E, uint16_t dest)
{
    aif_metagraph mg;
    aif_err err;
    uint16_t w = 0;
    CHECK_OK(aif_chain_metagraph(&E->chain, NETUID, &mg, &err), err);
    for (size_t i = 0; i < mg.n_weights; i++)
        if (mg.weights[i].src == 0 && mg.weights[i].dest == dest)
            w = mg.weights[i].weight;
    aif_metagraph_release(&mg);
    return w;
}

/* ---- tests ---- */

/* The scenario: A pushes a model below the parameter minimum, B a
 * good one, C a clone of B's files under its own repo at a later block, D
 * commits B's exact commitment string. One step: B holds all the training
 * weight; A, C, D none; nothing crashed. */
static void scenario_clone_and_bad_model(void)
{
    if (aif_test_injecting())
        return;
    env E;
    env_init(&E, 4); /* A=1 B=2 C=3 D=4 */
    char line_b[200];
    push(&E, "5MinerA", "alice/small", make_model("LlamaForCausalLM", 500, "1.1", "ok", 0), NULL);
    push(&E, "5MinerB", "bob/good", make_model("LlamaForCausalLM", 50000, "1.5", "ok", 0), line_b);
    advance(&E, 5);
    const char *clone = make_model("LlamaForCausalLM", 50000, "1.5", "ok", 0); /* the same bytes as B's */
    push(&E, "5MinerC", "carol/copy", clone, NULL);
    commit_line(&E, "5MinerD", line_b);
    /* Past the eval delay (10) and the welcome window (7200 blocks), so the
     * welcome share does not apply. */
    advance(&E, 8000);

    aif_err err;
    aif_validator_update_report rep;
    CHECK_OK(aif_validator_update(E.v, &rep, &err), err);
    CHECK_EQ(rep.checked, 5);
    CHECK_EQ(rep.queued, 2);        /* B and C */
    CHECK_EQ(rep.misconfigured, 3); /* the validator itself (no commitment), A, D */
    CHECK_EQ(rep.errors, 0);
    uint16_t *u;
    size_t n;
    CHECK_OK(aif_validator_uids_get(E.v, 1, 7, &u, &n, &err), err);
    CHECK_EQ(n, 2);
    if (n == 2)
        CHECK(u[0] == 2 && u[1] == 3);
    aif_free(u);
    /* 8.4.1 step 6: A's and D's metadata are recorded although they failed;
     * 8.4 step 3.6: an inf result under competition 0. */
    aif_validator_model m;
    int found;
    aif_subnet_history h;
    CHECK_OK(aif_validator_model_get(E.v, "5MinerA", &m, &found, &err), err);
    CHECK(found);
    CHECK_STR(m.id.name, "small");
    CHECK_OK(aif_validator_model_get(E.v, "5MinerD", &m, &found, &err), err);
    CHECK(found);
    CHECK_STR(m.id.ns, "bob");
    CHECK_OK(aif_validator_history_get(E.v, "5MinerD", 0, &h, &err), err);
    CHECK_EQ(h.n, 1);
    CHECK(h.n == 1 && isinf(h.r[0].score) && h.r[0].block == 8010);
    CHECK_OK(aif_validator_history_get(E.v, "5MinerA", 0, &h, &err), err);
    CHECK_EQ(h.n, 1);

    aif_validator_step s;
    CHECK_OK(aif_validator_eval_step(E.v, &s, &err), err);
    CHECK_EQ(s.competition_id, 7);
    CHECK_EQ(s.block, 8010); /* commits at blocks 5 (A, B) and 10 (C, D), then 8000 more */
    CHECK_EQ(s.n, 2);
    CHECK_EQ(E.fe.prepares, 1);
    const aif_validator_step_uid *b = find_uid(&s, 2), *c = find_uid(&s, 3);
    CHECK(b && c);
    if (b && c) {
        /* score = 0.5*1.5 + 0.5*1.5 = 1.5; C is within min_diff of B and
         * later (7.1 is_close), so 0; B beats C by epsilon: 1/1. */
        CHECK_NEAR(b->score, 1.5, 0);
        CHECK_NEAR(c->score, 1.5, 0);
        CHECK_NEAR(b->win_rate, 1.0, 0);
        CHECK_NEAR(c->win_rate, 0.0, 0);
        /* softmax(1, -999) = (1, 0) in float32; first tracker record kept as is */
        CHECK_NEAR(b->weight, 1.0, 0);
        CHECK_NEAR(c->weight, 0.0, 0);
        CHECK_STR(b->repo, "bob/good");
        CHECK_EQ(b->block, 5);
        CHECK_EQ(c->block, 10);
        CHECK_NEAR(s.task_scores[0], 1.5, 0);
    }
    aif_validator_step_release(&s);

    size_t n_set;
    CHECK_OK(aif_validator_set_weights(E.v, &n_set, &err), err);
    /* 0.3*training + 0.7*burn(uid 0) = {0.7, 0, 0.3, 0, 0}; u16 by max:
     * round(0.3f/0.7f * 65535) = round(28086.43) = 28086. */
    CHECK_EQ(n_set, 2);
    CHECK_EQ(chain_weight(&E, 0), 65535);
    CHECK_EQ(chain_weight(&E, 1), 0);
    CHECK_EQ(chain_weight(&E, 2), 28086);
    CHECK_EQ(chain_weight(&E, 3), 0);
    CHECK_EQ(chain_weight(&E, 4), 0);

    /* The state holds the step; both stay current (retention keeps up to 20). */
    aif_validator_step last;
    CHECK_OK(aif_validator_last_step(E.v, &last, &err), err);
    CHECK_EQ(last.n, 2);
    CHECK_EQ(last.n_tasks, 2);
    if (last.n == 2 && last.n_tasks == 2) {
        CHECK_STR(last.task_names[1], "T2");
        CHECK_NEAR(last.uids[0].win_rate, 1.0, 0);
        CHECK_NEAR(last.task_scores[3], 1.5, 0);
    }
    aif_validator_step_release(&last);
    CHECK_OK(aif_validator_uids_get(E.v, 0, 7, &u, &n, &err), err);
    CHECK_EQ(n, 2);
    aif_free(u);
    CHECK_OK(aif_validator_uids_get(E.v, 1, 7, &u, &n, &err), err);
    CHECK_EQ(n, 0);
    aif_free(u);
    CHECK_OK(aif_validator_history_get(E.v, "5MinerB", 7, &h, &err), err);
    CHECK(h.n == 1 && h.r[0].score == 1.5 && h.r[0].winning_model_block == 5);
    CHECK_EQ(aif_validator_global_step(E.v), 1);

    /* Next pass: B and C are queued (no force), unchanged; A and D have an
     * empty competition-7 history, so they are force-retried (8.5, 13.8)
     * and get a second inf under competition 0. */
    CHECK_OK(aif_validator_update(E.v, &rep, &err), err);
    CHECK_EQ(rep.unchanged, 2);
    CHECK_EQ(rep.misconfigured, 3);
    CHECK_OK(aif_validator_history_get(E.v, "5MinerA", 0, &h, &err), err);
    CHECK_EQ(h.n, 2);
    env_free(&E);
}

/* Commitments younger than eval_block_delay wait; a model over max_bytes
 * is rejected before anything is downloaded; a tampered hub blob fails the
 * download (retried later, nothing recorded). */
static void faults_in_download(void)
{
    if (aif_test_injecting())
        return;
    env E;
    env_init(&E, 3);
    push(&E, "5MinerA", "alice/big", make_model("LlamaForCausalLM", 5000, "1.2", "ok", 5000), NULL);
    const char *src_b = make_model("LlamaForCausalLM", 5000, "1.3", "ok", 0);
    push(&E, "5MinerB", "bob/tampered", src_b, NULL);
    push(&E, "5MinerC", "carol/fine", make_model("LlamaForCausalLM", 5000, "1.4", "ok", 0), NULL);
    aif_err err;
    aif_validator_update_report rep;
    CHECK_OK(aif_validator_update(E.v, &rep, &err), err);
    CHECK_EQ(rep.too_young, 3); /* committed at block 5, now 5: delay 10 */

    /* Replace the hub's blob of B's weights with other bytes. */
    char p[600], hex[65], *text;
    size_t len;
    uint8_t d[32];
    snprintf(p, sizeof p, "%s/model.safetensors", src_b);
    CHECK_OK(aif_fs_read_file(p, 1 << 20, &text, &len, &err), err);
    aif_crypto_sha256(text, len, d);
    aif_free(text);
    aif_crypto_hex_encode(d, 32, hex);
    snprintf(p, sizeof p, "%s/blobs/%s", E.hub_root, hex);
    CHECK(aif_fs_exists(p));
    chmod(p, 0644);
    CHECK_OK(aif_fs_write_file(p, "evil", 4, &err), err);

    advance(&E, 10);
    CHECK_OK(aif_validator_update(E.v, &rep, &err), err);
    CHECK_EQ(rep.queued, 1);        /* C */
    CHECK_EQ(rep.misconfigured, 2); /* validator, A (too big) */
    CHECK_EQ(rep.errors, 1);        /* B: transient, retried */
    aif_validator_model m;
    int found;
    CHECK_OK(aif_validator_model_get(E.v, "5MinerB", &m, &found, &err), err);
    CHECK(!found);
    CHECK_OK(aif_validator_model_get(E.v, "5MinerA", &m, &found, &err), err);
    CHECK(!found); /* rejected before the download: nothing recorded */
    snprintf(p, sizeof p, "%s/models/5MinerA/models--alice--big", E.model_dir);
    CHECK(!aif_fs_exists(p));
    aif_subnet_history h;
    CHECK_OK(aif_validator_history_get(E.v, "5MinerA", 0, &h, &err), err);
    CHECK_EQ(h.n, 1);

    aif_validator_step s;
    CHECK_OK(aif_validator_eval_step(E.v, &s, &err), err);
    CHECK_EQ(s.n, 1);
    CHECK(s.n == 1 && s.uids[0].uid == 3 && s.uids[0].score == 1.4);
    aif_validator_step_release(&s);
    env_free(&E);
}

/* A scorer that aborts and one that never returns: both inf, the step
 * completes, the good model holds the weight. */
static void faults_in_scoring(void)
{
    if (aif_test_injecting())
        return;
    env E;
    env_init(&E, 3);
    push(&E, "5MinerA", "alice/crash", make_model("LlamaForCausalLM", 5000, "1.0", "crash", 0), NULL);
    push(&E, "5MinerB", "bob/hang", make_model("LlamaForCausalLM", 5000, "1.0", "hang", 0), NULL);
    push(&E, "5MinerC", "carol/good", make_model("LlamaForCausalLM", 5000, "1.7", "ok", 0), NULL);
    advance(&E, 8000);
    aif_validator_free(E.v);
    aif_err err;
    E.o.score_timeout = 0.3;
    CHECK_OK(aif_validator_new(&E.o, &E.v, &err), err);

    aif_validator_step s;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_OK(aif_validator_run_once(E.v, &s, &err), err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    CHECK(secs < 10.0); /* the hanging scorer was killed at 0.3 s (the bound leaves room for a loaded machine) */
    CHECK_EQ(s.n, 3);
    const aif_validator_step_uid *a = find_uid(&s, 1), *b = find_uid(&s, 2), *c = find_uid(&s, 3);
    CHECK(a && b && c);
    if (a && b && c) {
        CHECK(isinf(a->score));
        CHECK(strstr(a->note, "signal") != NULL);
        CHECK(isinf(b->score));
        CHECK(strstr(b->note, "limit") != NULL);
        CHECK_NEAR(c->score, 1.7, 0);
        /* |inf - 1.7| > 0.05: the failed ones get win rate 0 (7.2 rule 1) */
        CHECK_NEAR(c->win_rate, 1.0, 0);
        CHECK_NEAR(a->win_rate, 0.0, 0);
        CHECK_NEAR(c->weight, 1.0, 0);
        CHECK_NEAR(a->weight, 0.0, 0);
    }
    CHECK(s.weights_attempted && s.weights_rc == AIF_OK);
    CHECK_EQ(s.n_weights_set, 2);
    aif_validator_step_release(&s);
    CHECK_EQ(chain_weight(&E, 3), 28086);

    /* A queued uid whose metadata is gone (the metagraph listener forgot its
     * hotkey) scores inf on its own instead of aborting the step (13.5). */
    sqlite3 *db;
    char p[600];
    snprintf(p, sizeof p, "%s/vali-state/state.db", E.model_dir);
    CHECK(sqlite3_open(p, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM models WHERE hotkey = '5MinerC'", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    CHECK_OK(aif_validator_eval_step(E.v, &s, &err), err);
    CHECK_EQ(s.n, 3);
    c = find_uid(&s, 3);
    a = find_uid(&s, 1);
    CHECK(c && a);
    if (c && a) {
        CHECK(isinf(c->score));
        CHECK_STR(c->note, "no model metadata");
        CHECK_STR(c->repo, "Unknown");
        CHECK_EQ(c->block, AIF_SUBNET_NO_BLOCK);
        /* All inf: every win rate 0, the softmax is uniform (13.7, kept for
         * parity): step weights 1/3 each; EMA 0.5*(0,0,0,1) + 0.5*(0,1/3,1/3,1/3). */
        CHECK_NEAR(c->win_rate, 0, 0);
        CHECK_NEAR(c->comp_weight, 2.0 / 3.0, 1e-6);
        CHECK_NEAR(a->comp_weight, 1.0 / 6.0, 1e-6);
    }
    aif_validator_step_release(&s);
    env_free(&E);
}

/* kill -9 mid-step: a child process runs a step whose scorer blocks; the
 * parent kills the child's whole process group, then opens the same state:
 * what the update pass committed is there, the unfinished step left no
 * trace, and the next step completes. */
static void survives_kill_mid_step(void)
{
    if (aif_test_injecting())
        return;
    env E;
    env_init(&E, 2);
    push(&E, "5MinerA", "alice/slow", make_model("LlamaForCausalLM", 5000, "1.25", "slow", 0), NULL);
    push(&E, "5MinerB", "bob/ok", make_model("LlamaForCausalLM", 5000, "1.5", "ok", 0), NULL);
    advance(&E, 8000);
    aif_validator_free(E.v);
    E.v = NULL;
    env_close_backends(&E);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        aif_err e;
        env_open_backends(&E);
        E.fe.slow_enabled = 1;
        if (env_validator(&E, &e) != AIF_OK)
            _exit(2);
        aif_validator_step s;
        aif_validator_run_once(E.v, &s, &e);
        _exit(3); /* not reached: killed while scoring */
    }
    setpgid(pid, pid);
    int seen = 0;
    for (int i = 0; i < 3000 && !seen; i++) {
        seen = aif_fs_exists(E.fe.marker);
        if (!seen)
            usleep(10000);
    }
    CHECK(seen);
    kill(-pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

    env_open_backends(&E);
    aif_err err;
    CHECK_OK(env_validator(&E, &err), err);
    aif_validator_model m;
    int found;
    CHECK_OK(aif_validator_model_get(E.v, "5MinerA", &m, &found, &err), err);
    CHECK(found);
    CHECK_OK(aif_validator_model_get(E.v, "5MinerB", &m, &found, &err), err);
    CHECK(found);
    uint16_t *u;
    size_t n;
    CHECK_OK(aif_validator_uids_get(E.v, 1, 7, &u, &n, &err), err);
    CHECK_EQ(n, 2); /* still pending: the step never committed */
    aif_free(u);
    CHECK_EQ(aif_validator_global_step(E.v), 0);
    aif_validator_step s;
    CHECK_OK(aif_validator_last_step(E.v, &s, &err), err);
    CHECK_EQ(s.competition_id, -1);
    aif_validator_step_release(&s);

    /* Carry on (slow models behave in this process): A 1.25 beats B 1.5. */
    CHECK_OK(aif_validator_run_once(E.v, &s, &err), err);
    CHECK_EQ(s.n, 2);
    const aif_validator_step_uid *a = find_uid(&s, 1);
    CHECK(a && a->score == 1.25 && a->win_rate == 1.0);
    aif_validator_step_release(&s);
    CHECK_EQ(aif_validator_global_step(E.v), 1);
    sqlite3 *db;
    char p[600];
    snprintf(p, sizeof p, "%s/vali-state/state.db", E.model_dir);
    CHECK(sqlite3_open(p, &db) == SQLITE_OK);
    sqlite3_stmt *q;
    CHECK(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(q) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_finalize(q);
    sqlite3_close(db);
    env_free(&E);
}

/* Spec 8.10: a different state version wipes the uid sets and the model
 * tracker, and keeps the competition tracker. */
static void version_change_resets_state(void)
{
    if (aif_test_injecting())
        return;
    env E;
    env_init(&E, 1);
    push(&E, "5MinerA", "alice/ok", make_model("LlamaForCausalLM", 5000, "1.5", "ok", 0), NULL);
    advance(&E, 20);
    aif_err err;
    aif_validator_step s;
    CHECK_OK(aif_validator_run_once(E.v, &s, &err), err);
    CHECK_EQ(s.n, 1);
    aif_validator_step_release(&s);
    aif_validator_free(E.v);
    E.v = NULL;

    sqlite3 *db;
    char p[600];
    snprintf(p, sizeof p, "%s/vali-state/state.db", E.model_dir);
    CHECK(sqlite3_open(p, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "UPDATE kv SET value = 0 WHERE key = 'version'", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);

    CHECK_OK(env_validator(&E, &err), err);
    aif_validator_model m;
    int found = 1;
    CHECK_OK(aif_validator_model_get(E.v, "5MinerA", &m, &found, &err), err);
    CHECK(!found);
    uint16_t *u;
    size_t n;
    CHECK_OK(aif_validator_uids_get(E.v, 0, 7, &u, &n, &err), err);
    CHECK_EQ(n, 0);
    aif_free(u);
    float *w;
    CHECK_OK(aif_validator_weights(E.v, &w, &n, &err), err);
    CHECK(n == 2 && w[1] == 1.0f); /* the EMA survived: A had it all */
    aif_free(w);

    /* A damaged state file is moved aside and the validator starts empty
     * (the reference's failed pickle load), instead of refusing to start. */
    aif_validator_free(E.v);
    E.v = NULL;
    char side[700];
    snprintf(side, sizeof side, "%s-wal", p);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", p);
    unlink(side);
    const char junk[] = "this is not an SQLite database, just 64 bytes of text to fill it.";
    CHECK_OK(aif_fs_write_file(p, junk, sizeof junk - 1, &err), err);
    CHECK_OK(env_validator(&E, &err), err);
    snprintf(side, sizeof side, "%s.damaged", p);
    CHECK(aif_fs_exists(side));
    if (E.v) {
        CHECK_OK(aif_validator_weights(E.v, &w, &n, &err), err);
        CHECK_EQ(n, 0);
        aif_free(w);
        aif_validator_step s2;
        CHECK_OK(aif_validator_run_once(E.v, &s2, &err), err);
        CHECK_EQ(s2.n, 1); /* and it carries on */
        aif_validator_step_release(&s2);
    }
    env_free(&E);
}

/* Spec 8.12: a hotkey no longer queued loses its directory once older than
 * the grace period; a queued hotkey keeps its model's snapshot only. */
static void cleanup_removes_unused_models(void)
{
    if (aif_test_injecting())
        return;
    env E;
    env_init(&E, 2);
    push(&E, "5MinerA", "alice/small", make_model("LlamaForCausalLM", 10, "1.5", "ok", 0), NULL); /* rejected */
    push(&E, "5MinerB", "bob/ok", make_model("LlamaForCausalLM", 5000, "1.5", "ok", 0), NULL);
    advance(&E, 20);
    aif_err err;
    aif_validator_update_report rep;
    CHECK_OK(aif_validator_update(E.v, &rep, &err), err);
    CHECK_EQ(rep.queued, 1);
    char a_dir[600], b_old[700], b_snap[700];
    snprintf(a_dir, sizeof a_dir, "%s/models/5MinerA", E.model_dir);
    CHECK(aif_fs_is_dir(a_dir));
    /* an old snapshot of B's that is not its current model */
    snprintf(b_old, sizeof b_old, "%s/models/5MinerB/models--bob--ok/snapshots/0000000000000000000000000000000000000000",
             E.model_dir);
    CHECK_OK(aif_fs_mkdirs(b_old, &err), err);
    size_t n_rm;
    CHECK_OK(aif_validator_cleanup(E.v, &n_rm, &err), err);
    CHECK_EQ(n_rm, 1); /* within the 600 s grace: only the empty (infinitely old) snapshot dir */
    CHECK(aif_fs_is_dir(a_dir));
    CHECK(!aif_fs_exists(b_old));
    E.now += 700;
    CHECK_OK(aif_validator_cleanup(E.v, &n_rm, &err), err);
    CHECK_EQ(n_rm, 1);
    CHECK(!aif_fs_exists(a_dir));
    aif_validator_model m;
    int found;
    CHECK_OK(aif_validator_model_get(E.v, "5MinerB", &m, &found, &err), err);
    snprintf(b_snap, sizeof b_snap, "%s/models/5MinerB/models--bob--ok/snapshots/%s/config.json", E.model_dir,
             m.id.commit);
    CHECK(aif_fs_exists(b_snap));
    env_free(&E);
}

/* Spec 8.6: a miner that staked validators weight, in no uid set and not
 * evaluated for 300 blocks, is force-synced by the top-model scan even
 * when the per-uid cadence would skip it. */
static void top_model_scan_resyncs_top_miners(void)
{
    if (aif_test_injecting())
        return;
    env E;
    env_init(&E, 2);
    push(&E, "5MinerA", "alice/top", make_model("LlamaForCausalLM", 5000, "1.5", "ok", 0), NULL);
    advance(&E, 20);
    aif_validator_free(E.v);
    E.o.chain_update_cadence = 1e9;
    aif_err err;
    CHECK_OK(aif_validator_new(&E.o, &E.v, &err), err);
    aif_validator_step s;
    CHECK_OK(aif_validator_run_once(E.v, &s, &err), err);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.n_weights_set, 2); /* uid 0 (burn 0.7) and uid 1 (0.3) */
    aif_validator_step_release(&s);
    /* A leaves every uid set (as a model that retention dropped would). */
    sqlite3 *db;
    char p[600];
    snprintf(p, sizeof p, "%s/vali-state/state.db", E.model_dir);
    CHECK(sqlite3_open(p, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM uids", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    advance(&E, 299);
    E.now += 1800; /* the scan is due again; the per-uid cadence (1e9 s) is not */
    aif_validator_update_report rep;
    CHECK_OK(aif_validator_update(E.v, &rep, &err), err);
    CHECK_EQ(rep.checked, 0);
    CHECK_EQ(rep.scan_synced, 0); /* 299 blocks since the last eval: too soon */
    advance(&E, 1);
    E.now += 1800;
    CHECK_OK(aif_validator_update(E.v, &rep, &err), err);
    CHECK_EQ(rep.checked, 0);
    /* top miners: weights 65535 (uid 0) and 28086 (uid 1), both >= 5 % of
     * the row; uid 0 has no commitment (misconfigured), uid 1 is queued */
    CHECK_EQ(rep.scan_synced, 2);
    CHECK_EQ(rep.scan_queued, 1);
    uint16_t *u;
    size_t n;
    CHECK_OK(aif_validator_uids_get(E.v, 1, 7, &u, &n, &err), err);
    CHECK(n == 1 && u[0] == 1);
    aif_free(u);
    env_free(&E);
}

/* A queued miner commits a new model: the next pass downloads it although
 * the uid is queued (its metadata changed), clears its eval history, and the
 * cleaner later drops the old snapshot. The pending + current cap stops a
 * pass early. */
static void new_commitment_replaces_model(void)
{
    if (aif_test_injecting())
        return;
    env E;
    env_init(&E, 2);
    push(&E, "5MinerA", "alice/m", make_model("LlamaForCausalLM", 5000, "1.5", "ok", 0), NULL);
    push(&E, "5MinerB", "bob/m", make_model("LlamaForCausalLM", 5000, "1.6", "ok", 0), NULL);
    advance(&E, 20);
    aif_validator_free(E.v);
    E.o.updated_models_limit = 1;
    aif_err err;
    CHECK_OK(aif_validator_new(&E.o, &E.v, &err), err);
    aif_validator_update_report rep;
    CHECK_OK(aif_validator_update(E.v, &rep, &err), err);
    CHECK_EQ(rep.queued, 1);
    CHECK(rep.limit_reached);
    aif_validator_step s;
    CHECK_OK(aif_validator_eval_step(E.v, &s, &err), err);
    CHECK(s.n == 1 && s.uids[0].uid == 1);
    aif_validator_step_release(&s);
    aif_subnet_history h;
    CHECK_OK(aif_validator_history_get(E.v, "5MinerA", 7, &h, &err), err);
    CHECK_EQ(h.n, 1);
    aif_validator_model old;
    int found;
    CHECK_OK(aif_validator_model_get(E.v, "5MinerA", &old, &found, &err), err);

    /* A's new model (score 1.25) */
    push(&E, "5MinerA", "alice/m", make_model("LlamaForCausalLM", 5000, "1.25", "ok", 0), NULL);
    advance(&E, 10);
    aif_validator_free(E.v);
    E.o.updated_models_limit = 30;
    CHECK_OK(aif_validator_new(&E.o, &E.v, &err), err);
    CHECK_OK(aif_validator_update(E.v, &rep, &err), err);
    CHECK_EQ(rep.queued, 2); /* A's new model, and B now that there is room */
    aif_validator_model m;
    CHECK_OK(aif_validator_model_get(E.v, "5MinerA", &m, &found, &err), err);
    CHECK(found && strcmp(m.id.commit, old.id.commit) != 0 && m.block == 25);
    CHECK_OK(aif_validator_history_get(E.v, "5MinerA", 7, &h, &err), err);
    CHECK_EQ(h.n, 0);
    CHECK_OK(aif_validator_eval_step(E.v, &s, &err), err);
    CHECK_EQ(s.n, 2);
    const aif_validator_step_uid *a = find_uid(&s, 1);
    CHECK(a && a->score == 1.25 && a->block == 25 && a->win_rate == 1.0);
    aif_validator_step_release(&s);

    char p[700];
    snprintf(p, sizeof p, "%s/models/5MinerA/models--alice--m/snapshots/%s", E.model_dir, old.id.commit);
    CHECK(aif_fs_is_dir(p));
    E.now += 900; /* past the 600 s grace, with room for the real seconds the test took */
    size_t n_rm;
    CHECK_OK(aif_validator_cleanup(E.v, &n_rm, &err), err);
    CHECK_EQ(n_rm, 1);
    CHECK(!aif_fs_exists(p));
    snprintf(p, sizeof p, "%s/models/5MinerA/models--alice--m/snapshots/%s", E.model_dir, m.id.commit);
    CHECK(aif_fs_is_dir(p));
    env_free(&E);
}

static void on_step(void *ctx, const aif_validator_step *s)
{
    env *E = ctx;
    E->steps++;
    CHECK_EQ(s->competition_id, 7);
    if (E->deadline && E->now > E->deadline)
        E->stop = 1;
}

/* The run loop on a fake clock: the chain's blocks follow the same clock
 * (12 s per block); three steps complete and weights get set. */
static void run_loop_on_fake_clock(void)
{
    if (aif_test_injecting())
        return;
    env E;
    env_init_bt(&E, 2, 12.0);
    push(&E, "5MinerA", "alice/a", make_model("LlamaForCausalLM", 5000, "1.5", "ok", 0), NULL);
    push(&E, "5MinerB", "bob/b", make_model("LlamaForCausalLM", 5000, "1.2", "ok", 0), NULL);
    aif_err err;
    double t0 = E.now;
    E.deadline = t0 + 100000; /* a fake day: stop rather than hang if steps never come */
    CHECK_OK(aif_validator_run(E.v, 3, &E.stop, on_step, &E, &err), err);
    CHECK(!E.stop);
    CHECK_EQ(E.steps, 3);
    /* 60 s initial update delay, the first step finds nothing (300 s wait) */
    CHECK(E.now - t0 >= 300);
    /* The first weight pass (60 s) came before any step: all burned. */
    CHECK_EQ(chain_weight(&E, 0), 65535);
    CHECK_EQ(chain_weight(&E, 2), 0);
    /* Steps of 10 fake minutes each; stop after two hours: the weight pass
     * at 60 s carries B's (uid 2, score 1.2 < 1.5) training weight. */
    E.fe.clock = &E.now;
    E.fe.step_seconds = 600;
    E.deadline = E.now + 7200;
    E.steps = 0;
    CHECK_ERR(aif_validator_run(E.v, 0, &E.stop, on_step, &E, &err), AIF_ECANCELED, err, NULL);
    CHECK(E.steps >= 10 && E.steps <= 14);
    /* Both commitments are younger than 7200 blocks, so the welcome share
     * (1/6) is split between them: comp = 5/6*(0, 1) + 1/6*(1/2, 1/2) =
     * (1/12, 11/12) for (A, B), and the EMA of equal vectors stays there.
     * Chain: 0.7 burn, 0.3/12 = 0.025, 0.3*11/12 = 0.275; by max 0.7:
     * A round(2340.54) = 2341, B round(25746.07) = 25746 (+-1 for float32). */
    CHECK_EQ(chain_weight(&E, 0), 65535);
    CHECK_NEAR(chain_weight(&E, 1), 2341, 1);
    CHECK_NEAR(chain_weight(&E, 2), 25746, 1);
    env_free(&E);
}

static void on_step_until_both(void *ctx, const aif_validator_step *s)
{
    env *E = ctx;
    E->steps++;
    if (s->n == 2 || E->steps > 2000)
        E->stop = 1;
}

/* The run loop with an update thread (its own chain and hub handles) on
 * the real clock with sub-second cadences: models get downloaded by the
 * thread while the main thread steps. */
static void run_loop_with_update_thread(void)
{
    if (aif_test_injecting())
        return;
    env E;
    env_init(&E, 2);
    push(&E, "5MinerA", "alice/a", make_model("LlamaForCausalLM", 5000, "1.5", "ok", 0), NULL);
    push(&E, "5MinerB", "bob/b", make_model("LlamaForCausalLM", 5000, "1.2", "ok", 0), NULL);
    advance(&E, 20);
    aif_validator_free(E.v);
    aif_err err;
    aif_local_chain *lc2;
    aif_hub hub2;
    aif_local_chain_opts co = {0, NULL, NULL};
    CHECK_OK(aif_local_chain_open(E.chain_path, &co, &lc2, &err), err);
    CHECK_OK(aif_local_hub_open(E.hub_root, &hub2, &err), err);
    aif_chain chain2 = aif_local_chain_as_chain(lc2);
    E.o.update_chain = &chain2;
    E.o.update_hub = &hub2;
    E.o.clock = (aif_validator_clock){NULL, NULL, NULL}; /* real time */
    E.o.update_initial_delay = 0;
    E.o.update_poll = 0.02;
    E.o.no_uids_sleep = 0.02;
    E.o.weights_initial_delay = 0;
    E.o.weights_interval = 0.01;
    E.o.cleaner_initial_delay = 1e9;
    CHECK_OK(aif_validator_new(&E.o, &E.v, &err), err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* step until a step has seen both models (the thread queues them) */
    CHECK_ERR(aif_validator_run(E.v, 0, &E.stop, on_step_until_both, &E, &err), AIF_ECANCELED, err, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(E.steps >= 1 && E.steps <= 2000);
    CHECK((double)(t1.tv_sec - t0.tv_sec) < 60);
    aif_validator_step s;
    CHECK_OK(aif_validator_last_step(E.v, &s, &err), err);
    CHECK_EQ(s.n, 2);
    const aif_validator_step_uid *b = find_uid(&s, 2);
    CHECK(b && b->score == 1.2 && b->win_rate == 1.0);
    aif_validator_step_release(&s);
    env_free(&E);
    aif_hub_close(&hub2);
    aif_local_chain_close(lc2);
}

/* The whole flow with nothing but error checks, so that
 * `aif-test --fail-alloc validator/alloc_failures_end_cleanly` can fail
 * each allocation in turn: every run must end without a crash or a leak. */
static void alloc_failures_end_cleanly(void)
{
    env E;
    memset(&E, 0, sizeof E);
    E.dir = aif_test_tmpdir();
    E.now = (double)time(NULL);
    snprintf(E.chain_path, sizeof E.chain_path, "%s/chain.db", E.dir);
    snprintf(E.hub_root, sizeof E.hub_root, "%s/hub", E.dir);
    snprintf(E.model_dir, sizeof E.model_dir, "%s/vali", E.dir);
    aif_err err;
    aif_err_clear(&err);
    int ok = 0, have_hub = 0, have_step = 0;
    aif_validator_step s;
    aif_local_chain_opts co = {0, env_now, &E.now};
    aif_local_subnet_params sp = {360, 0, 100000};
    uint16_t uid;
    char src[600], p[700], commit[41], hash[AIF_SUBNET_HASH_CHARS], line[200];
    const char *cfg = "{\"arch\": \"LlamaForCausalLM\", \"params\": 5000, \"score\": 1.5}";
    aif_code rc = aif_subnet_competitions_parse(comps_json, strlen(comps_json), "test", &E.comps, &err);
    if (rc || (rc = aif_local_chain_open(E.chain_path, &co, &E.lc, &err)) != AIF_OK)
        goto out;
    E.chain = aif_local_chain_as_chain(E.lc);
    if ((rc = aif_local_hub_open(E.hub_root, &E.hub, &err)) != AIF_OK)
        goto out;
    have_hub = 1;
    if ((rc = aif_local_chain_add_subnet(E.lc, NETUID, &sp, &err)) ||
        (rc = aif_local_chain_register(E.lc, NETUID, "5Vali", "5Cold", 2e5, 1, &uid, &err)) ||
        (rc = aif_local_chain_register(E.lc, NETUID, "5MinerA", "5Cold", 0, 0, &uid, &err)))
        goto out;
    snprintf(src, sizeof src, "%s/src", E.dir);
    snprintf(p, sizeof p, "%s/config.json", src);
    if ((rc = aif_fs_mkdirs(src, &err)) || (rc = aif_fs_write_file(p, cfg, strlen(cfg), &err)))
        goto out;
    snprintf(p, sizeof p, "%s/model.safetensors", src);
    if ((rc = aif_fs_write_file(p, "w", 1, &err)) ||
        (rc = aif_hub_upload(&E.hub, "alice/m", src, 0, "upload", commit, &err)) ||
        (rc = aif_subnet_hash_dir(src, hash, &err)))
        goto out;
    aif_subnet_model_id id;
    memset(&id, 0, sizeof id);
    snprintf(id.ns, sizeof id.ns, "alice");
    snprintf(id.name, sizeof id.name, "m");
    snprintf(id.commit, sizeof id.commit, "%s", commit);
    id.has_commit = id.has_secure_hash = 1;
    aif_subnet_secure_hash(hash, "5MinerA", id.secure_hash);
    id.competition_id = 7;
    aif_chain_signer sg;
    memset(&sg, 0, sizeof sg);
    snprintf(sg.ss58, sizeof sg.ss58, "5MinerA");
    if ((rc = aif_subnet_model_id_format(&id, line, sizeof line, &err)) ||
        (rc = aif_chain_commit(&E.chain, &sg, NETUID, line, strlen(line), &err)) ||
        (rc = aif_local_chain_advance(E.lc, 20, &err)) || (rc = env_validator(&E, &err)))
        goto out;
    if ((rc = aif_validator_run_once(E.v, &s, &err)) != AIF_OK)
        goto out;
    have_step = 1;
    ok = s.n == 1 && s.uids[0].score == 1.5 && s.weights_rc == AIF_OK && s.n_weights_set == 2;
    size_t n_rm;
    rc = aif_validator_cleanup(E.v, &n_rm, &err);
out:
    if (!aif_test_injecting()) {
        CHECK_OK(rc, err);
        CHECK(ok);
    }
    if (have_step)
        aif_validator_step_release(&s);
    aif_validator_free(E.v);
    if (have_hub)
        aif_hub_close(&E.hub);
    aif_local_chain_close(E.lc);
    aif_subnet_competitions_free(E.comps);
}

/* ---- isolation ---- */

static aif_code child_ok(void *arg, void *out, size_t cap, size_t *len, aif_err *err)
{
    snprintf(out, cap, "hello %d", *(int *)arg);
    *len = strlen(out) + 1;
    return AIF_OK;
}

static aif_code child_err(void *arg, void *out, size_t cap, size_t *len, aif_err *err)
{
    return aif_err_set(err, AIF_ECONSTRAINT, "too many parameters: %d", *(int *)arg);
}

static aif_code child_exit(void *arg, void *out, size_t cap, size_t *len, aif_err *err) { _exit(7); }
static aif_code child_segv(void *arg, void *out, size_t cap, size_t *len, aif_err *err)
{
    signal(SIGSEGV, SIG_DFL); /* past ASan's handler, which would exit(1) */
    raise(SIGSEGV);
    return AIF_OK;
}
static aif_code child_sleep(void *arg, void *out, size_t cap, size_t *len, aif_err *err)
{
    sleep(30);
    return AIF_OK;
}

static void isolate_outcomes(void)
{
    if (aif_test_injecting())
        return;
    char buf[64];
    size_t len;
    int x = 42;
    aif_err err;
    CHECK_OK(aif_validator_isolate(child_ok, &x, 5, buf, sizeof buf, &len, &err), err);
    CHECK_EQ(len, 9);
    CHECK_STR(buf, "hello 42");
    CHECK_ERR(aif_validator_isolate(child_err, &x, 5, buf, sizeof buf, &len, &err), AIF_ECONSTRAINT, err,
              "too many parameters: 42");
    CHECK_ERR(aif_validator_isolate(child_exit, &x, 5, buf, sizeof buf, &len, &err), AIF_EINTERNAL, err, "status 7");
    CHECK_ERR(aif_validator_isolate(child_segv, &x, 5, buf, sizeof buf, &len, &err), AIF_EINTERNAL, err,
              "signal 11");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_ERR(aif_validator_isolate(child_sleep, &x, 0.2, buf, sizeof buf, &len, &err), AIF_ETIMEOUT, err, "0.2 s");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    CHECK(secs >= 0.2 && secs < 10.0);
}

AIF_TESTS(validator_validator) = {
    {"validator/isolate_outcomes", isolate_outcomes},
    {"validator/scenario_clone_and_bad_model", scenario_clone_and_bad_model},
    {"validator/faults_in_download", faults_in_download},
    {"validator/faults_in_scoring", faults_in_scoring},
    {"validator/survives_kill_mid_step", survives_kill_mid_step},
    {"validator/version_change_resets_state", version_change_resets_state},
    {"validator/cleanup_removes_unused_models", cleanup_removes_unused_models},
    {"validator/run_loop_on_fake_clock", run_loop_on_fake_clock},
    {"validator/run_loop_with_update_thread", run_loop_with_update_thread},
    {"validator/new_commitment_replaces_model", new_commitment_replaces_model},
    {"validator/top_model_scan_resyncs_top_miners", top_model_scan_resyncs_top_miners},
    {"validator/alloc_failures_end_cleanly", alloc_failures_end_cleanly},
    {NULL, NULL},
};
