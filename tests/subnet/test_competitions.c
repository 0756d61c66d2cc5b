/* test_competitions.c: the bundled competitions file against the values of
 * spec 2.3-2.6 (typed in here from the spec, not from the file), schedule
 * lookups, the validation errors, and `aif competitions`. */
#include "harness.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/subnet.h"

static void bundled_matches_spec(void)
{
    aif_err err = {0};
    aif_subnet_competitions *cs;
    CHECK_OK(aif_subnet_competitions_default(&cs, &err), err);
    if (!cs)
        return;
    /* spec 2.3: at any block the main schedule holds competition 1 at 1.0. */
    const aif_subnet_schedule_entry *e;
    CHECK_OK(aif_subnet_schedule_at(cs, NULL, 5000000, &e, &err), err);
    CHECK_EQ(e->start_block, 0);
    CHECK_EQ(e->n_slots, 1);
    CHECK_NEAR(e->slots[0].reward_share, 1.0, 0);
    const aif_subnet_competition *c = e->slots[0].competition;
    CHECK_EQ(c->id, 1);
    CHECK_STR(c->name, "RES3B_MODEL");
    CHECK(aif_subnet_competition_at(cs, "main", 0, 1) == c);
    CHECK(aif_subnet_competition_at(cs, "main", 0, 2) == NULL);
    /* spec 2.4 */
    const aif_subnet_constraints *k = &c->constraints;
    CHECK_EQ(k->min_parameters, 3000000000LL);
    CHECK_EQ(k->max_parameters, 4000000000LL);
    CHECK_EQ(k->sequence_length, 4096);
    CHECK_EQ(k->max_bytes, 29LL * 1024 * 1024 * 1024); /* 31 138 512 896 */
    CHECK_STR(k->tokenizer, "ai-factory/giant");
    CHECK_STR(k->dtype, "bf16");
    CHECK_EQ(k->eval_block_delay, 150);
    CHECK_EQ(k->epsilon.kind, AIF_SUBNET_EPS_LINEAR_DECAY);
    CHECK_NEAR(k->epsilon.start, 0.005, 0);
    CHECK_NEAR(k->epsilon.end, 0.0005, 0);
    CHECK_EQ(k->epsilon.decay_blocks, 72000);
    int runnable = -1;
    CHECK(aif_subnet_arch_allowed(c, "LlamaForCausalLM", &runnable) && runnable == 1);
    CHECK(aif_subnet_arch_allowed(c, "Qwen2ForCausalLM", &runnable) && runnable == 1);
    CHECK(aif_subnet_arch_allowed(c, "DeepseekV3ForCausalLM", &runnable) && runnable == 0);
    CHECK(!aif_subnet_arch_allowed(c, "llamaforcausallm", NULL));
    CHECK(!aif_subnet_arch_allowed(c, "MistralForCausalLM", NULL));
    CHECK_EQ(k->n_archs, 3);
    /* spec 2.2 MAX_BATCHES_PER_DATASET, 2.3 tasks in order */
    CHECK_EQ(c->max_batches_per_task, 64);
    CHECK_EQ(c->n_tasks, 3);
    static const struct { const char *name; int ds; const char *repo; double w; long long max_pages; } want[] = {
        {"ARXIV", 9, "ai-factory/red_pajama_subset_arxiv_subset", 0.4, 15555},
        {"REASONING", 10, "ai-factory/glaiveai-reasoning-v1-20m-chat", 0.3, 221994},
        {"STACKEXCHANGE", 11, "ai-factory/red_pajama_subset_stackexchange_subset", 0.3, 252808},
    };
    for (size_t i = 0; i < 3 && i < c->n_tasks; i++) {
        const aif_subnet_task *t = &c->tasks[i];
        CHECK_STR(t->name, want[i].name);
        CHECK_EQ(t->method, AIF_SUBNET_METHOD_TEXT_LOSS);
        CHECK_EQ(t->dataset->id, want[i].ds);
        CHECK_STR(t->dataset->repo, want[i].repo);
        CHECK_STR(t->dataset->config, "default");
        CHECK_STR(t->dataset->split, "train");
        CHECK_EQ(t->dataset->max_pages, want[i].max_pages);
        CHECK_EQ(t->normalization, AIF_SUBNET_NORM_NONE);
        CHECK_EQ(t->batch_size, 1);
        CHECK_EQ(t->pages, 10);
        CHECK_NEAR(t->weight, want[i].w, 0);
    }
    /* The local competition: tiny bounds for the embedded local subnet. */
    const aif_subnet_competition *l = aif_subnet_competition_at(cs, "local", 0, 99);
    CHECK(l != NULL);
    if (l) {
        CHECK(l->constraints.max_parameters <= 100000000LL);
        CHECK(l->constraints.min_parameters <= 300000); /* stories260K must fit */
        CHECK(l->constraints.sequence_length <= 512);
        CHECK(l->n_tasks >= 1);
    }
    CHECK(aif_subnet_competition_get(cs, 99) == l);
    CHECK_EQ(aif_subnet_schedule_count(cs), 2);
    CHECK_STR(aif_subnet_schedule_name(cs, 0), "main");
    CHECK_STR(aif_subnet_schedule_name(cs, 1), "local");
    CHECK(aif_subnet_schedule_name(cs, 2) == NULL);
    CHECK_ERR(aif_subnet_schedule_at(cs, "nope", 0, &e, &err), AIF_ENOTFOUND, err, "nope");
    aif_subnet_competitions_free(cs);
}

/* A small valid document; tests below break one thing at a time. */
static const char *doc_template =
    "{\"format\": \"aif-competitions\", \"version\": 1,\n"
    " \"datasets\": [{\"name\": \"D\", \"id\": 9, \"repo\": \"o/d\", \"config\": \"default\", \"split\": \"train\","
    " \"max_pages\": 10}],\n"
    " \"competitions\": [%s],\n"
    " \"schedules\": {\"main\": [%s]}}";

static const char *comp_ok =
    "{\"id\": 1, \"name\": \"A\", \"max_batches_per_task\": 2, \"constraints\": {\"min_parameters\": 1e4,"
    " \"max_parameters\": 100000, \"sequence_length\": 64, \"allowed_architectures\": [{\"name\": \"LlamaForCausalLM\"}],"
    " \"tokenizer\": \"t\", \"max_bytes\": 1000, \"dtype\": \"bf16\", \"eval_block_delay\": 0,"
    " \"epsilon\": {\"function\": \"fixed\", \"value\": 0.01}},"
    " \"eval_tasks\": [{\"name\": \"x\", \"method\": \"text_loss\", \"dataset\": \"D\", \"normalization\": {\"id\": \"none\"},"
    " \"batch_size\": 1, \"pages\": 1, \"weight\": 0.7},"
    " {\"name\": \"y\", \"method\": \"text_loss\", \"dataset\": \"D\", \"normalization\": {\"id\": \"inverse_exponential\","
    " \"ceiling\": 2}, \"batch_size\": 1, \"pages\": 1, \"weight\": 0.3}]}";

static aif_code parse_doc(const char *comps, const char *sched, aif_subnet_competitions **out, aif_err *err)
{
    char buf[8192];
    snprintf(buf, sizeof buf, doc_template, comps, sched);
    return aif_subnet_competitions_parse(buf, strlen(buf), "t.json", out, err);
}

/* Replace the first occurrence of `from` in comp_ok by `to`. */
static const char *edit(const char *from, const char *to)
{
    static char buf[4096];
    const char *p = strstr(comp_ok, from);
    if (!p) {
        aif_test_fail(__FILE__, __LINE__, "template lacks %s", from);
        return comp_ok;
    }
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - comp_ok), comp_ok, to, p + strlen(from));
    return buf;
}

static void schedule_lookup(void)
{
    aif_err err = {0};
    aif_subnet_competitions *cs;
    char comps[4096];
    snprintf(comps, sizeof comps, "%s, %s", comp_ok, edit("\"id\": 1,", "\"id\": 2,"));
    CHECK_OK(parse_doc(comps,
                       "{\"start_block\": 100, \"competitions\": [{\"id\": 1, \"reward_share\": 1}]},"
                       "{\"start_block\": 1000, \"competitions\": [{\"id\": 1, \"reward_share\": 0.25},"
                       " {\"id\": 2, \"reward_share\": 0.75}]}",
                       &cs, &err), err);
    if (!cs)
        return;
    const aif_subnet_schedule_entry *e;
    /* Before the first entry: an error (the reference raises). */
    CHECK_ERR(aif_subnet_schedule_at(cs, "main", 99, &e, &err), AIF_ENOTFOUND, err, "block 99");
    CHECK_OK(aif_subnet_schedule_at(cs, "main", 100, &e, &err), err);
    CHECK_EQ(e->start_block, 100);
    CHECK_OK(aif_subnet_schedule_at(cs, "main", 999, &e, &err), err);
    CHECK_EQ(e->n_slots, 1);
    CHECK_OK(aif_subnet_schedule_at(cs, "main", 1000, &e, &err), err);
    CHECK_EQ(e->n_slots, 2);
    CHECK_NEAR(e->slots[1].reward_share, 0.75, 0);
    CHECK(aif_subnet_competition_at(cs, "main", 999, 2) == NULL);
    CHECK(aif_subnet_competition_at(cs, "main", 1000, 2) != NULL);
    CHECK(aif_subnet_competition_at(cs, "main", 50, 1) == NULL);
    /* Normalization (spec 2.6): ceiling 2, raw 1 ->
     * (1 - e^-0.5) / (1 - e^-1) = 0.39346934 / 0.63212056 = 0.62245933; raw >= 2 -> 1. */
    const aif_subnet_competition *c = aif_subnet_competition_get(cs, 1);
    CHECK_NEAR(aif_subnet_normalize(&c->tasks[1], 1.0), 0.62245933, 1e-8);
    CHECK_NEAR(aif_subnet_normalize(&c->tasks[1], 2.0), 1.0, 0);
    CHECK_NEAR(aif_subnet_normalize(&c->tasks[0], 1.234), 1.234, 0);
    /* Fixed epsilon */
    CHECK_NEAR(aif_subnet_epsilon_at(&c->constraints.epsilon, 10, 0), 0.01, 0);
    CHECK_EQ(c->constraints.min_parameters, 10000); /* 1e4 written as a real */
    aif_subnet_competitions_free(cs);
}

static void check_rejects(const char *comps, const char *sched, aif_code code, const char *needle)
{
    aif_err err = {0};
    aif_subnet_competitions *cs = (aif_subnet_competitions *)1;
    aif_code rc = parse_doc(comps, sched, &cs, &err);
    CHECK_ERR(rc, code, err, needle);
    if (rc == AIF_OK)
        aif_subnet_competitions_free(cs);
    else
        CHECK(cs == NULL);
}

static void validation_errors(void)
{
    const char *s1 = "{\"start_block\": 0, \"competitions\": [{\"id\": 1, \"reward_share\": 1}]}";
    /* The template itself is valid. */
    check_rejects(comp_ok, s1, AIF_OK, NULL);
    /* Unknown keys are rejected, naming the path. */
    check_rejects(edit("\"max_bytes\"", "\"max_byte\""), s1, AIF_EFORMAT,
                  "t.json: competitions[0].constraints: unknown key 'max_byte'");
    check_rejects(edit("\"pages\": 1, \"weight\": 0.7", "\"pages\": 1, \"weigth\": 0.7"), s1, AIF_EFORMAT,
                  "competitions[0].eval_tasks[0]: unknown key 'weigth'");
    /* Task weights must sum to 1 (0.7 + 0.2 = 0.9). */
    check_rejects(edit("\"weight\": 0.3", "\"weight\": 0.2"), s1, AIF_ERANGE,
                  "competitions[0].eval_tasks: weights sum to 0.9");
    /* Reward shares must sum to 1. */
    check_rejects(comp_ok, "{\"start_block\": 0, \"competitions\": [{\"id\": 1, \"reward_share\": 0.5}]}", AIF_ERANGE,
                  "schedules.main[0].competitions: reward shares sum to 0.5");
    /* Known ids only. */
    check_rejects(comp_ok, "{\"start_block\": 0, \"competitions\": [{\"id\": 7, \"reward_share\": 1}]}",
                  AIF_ENOTFOUND, "schedules.main[0].competitions[0].id: unknown competition 7");
    check_rejects(edit("\"dataset\": \"D\"", "\"dataset\": \"E\""), s1, AIF_ENOTFOUND,
                  "eval_tasks[0].dataset: unknown dataset 'E'");
    /* Weight must be > 0; competition id two characters. */
    check_rejects(edit("\"weight\": 0.7", "\"weight\": 0"), s1, AIF_ERANGE, "eval_tasks[0].weight");
    check_rejects(edit("\"id\": 1,", "\"id\": 100,"), s1, AIF_ERANGE, "competitions[0].id: 100 outside [0, 99]");
    /* NONE normalization takes no kwargs; INVERSE_EXPONENTIAL needs a ceiling. */
    check_rejects(edit("{\"id\": \"none\"}", "{\"id\": \"none\", \"ceiling\": 1}"), s1, AIF_EFORMAT,
                  "normalization: unknown key 'ceiling'");
    check_rejects(edit(", \"ceiling\": 2", ""), s1, AIF_EFORMAT, "normalization.ceiling: missing");
    /* Types, bounds and enums. */
    check_rejects(edit("\"sequence_length\": 64", "\"sequence_length\": \"64\""), s1, AIF_EFORMAT,
                  "constraints.sequence_length: expected an integer");
    check_rejects(edit("\"max_parameters\": 100000", "\"max_parameters\": 100"), s1, AIF_ERANGE,
                  "min_parameters 10000 above max_parameters 100");
    check_rejects(edit("\"dtype\": \"bf16\"", "\"dtype\": \"int4\""), s1, AIF_EFORMAT, "dtype: 'int4'");
    check_rejects(edit("\"function\": \"fixed\"", "\"function\": \"cubic\""), s1, AIF_EFORMAT,
                  "unknown epsilon function 'cubic'");
    check_rejects(edit("\"method\": \"text_loss\"", "\"method\": \"ce\""), s1, AIF_EFORMAT, "unknown method 'ce'");
    check_rejects(edit("\"allowed_architectures\": [{\"name\": \"LlamaForCausalLM\"}]",
                       "\"allowed_architectures\": []"),
                  s1, AIF_EFORMAT, "allowed_architectures: empty array");
    check_rejects(edit("\"name\": \"y\"", "\"name\": \"x\""), s1, AIF_EFORMAT, "duplicate task 'x'");
    /* Duplicate competition ids, schedule order. */
    char two[4096];
    snprintf(two, sizeof two, "%s, %s", comp_ok, comp_ok);
    check_rejects(two, s1, AIF_EFORMAT, "competitions[1].id: duplicate competition id 1");
    check_rejects(comp_ok,
                  "{\"start_block\": 5, \"competitions\": [{\"id\": 1, \"reward_share\": 1}]},"
                  "{\"start_block\": 5, \"competitions\": [{\"id\": 1, \"reward_share\": 1}]}",
                  AIF_EFORMAT, "schedules.main[1].start_block: 5 is not after");
    /* Bad JSON: the position is given; duplicate keys are rejected by jansson. */
    aif_err err = {0};
    aif_subnet_competitions *cs;
    CHECK_ERR(aif_subnet_competitions_parse("{\n\"format\": }", 13, "x.json", &cs, &err), AIF_EFORMAT, err,
              "x.json: line 2");
    CHECK_ERR(aif_subnet_competitions_parse("{\"a\":1,\"a\":2}", 13, "x.json", &cs, &err), AIF_EFORMAT, err,
              "duplicate");
    CHECK_ERR(aif_subnet_competitions_parse("[]", 2, "x.json", &cs, &err), AIF_EFORMAT, err, "expected an object");
    CHECK_ERR(aif_subnet_competitions_parse("{\"format\": \"x\"}", 15, "x.json", &cs, &err), AIF_EFORMAT, err,
              "format: 'x' is not aif-competitions");
    CHECK_ERR(aif_subnet_competitions_load("/nonexistent/c.json", &cs, &err), AIF_ENOTFOUND, err, "/nonexistent/c.json");
}

static void epsilon_linear_decay(void)
{
    /* spec 2.5: d = max(c - m, 0); eps = 0.005 - min(d/72000, 1) * 0.0045 */
    aif_subnet_epsilon e = {AIF_SUBNET_EPS_LINEAR_DECAY, 0, 0.005, 0.0005, 72000};
    CHECK_NEAR(aif_subnet_epsilon_at(&e, 1000, 1000), 0.005, 1e-15);
    CHECK_NEAR(aif_subnet_epsilon_at(&e, 1000, 2000), 0.005, 1e-15);      /* d clamps at 0 */
    CHECK_NEAR(aif_subnet_epsilon_at(&e, 37000, 1000), 0.00275, 1e-15);   /* 0.005 - 0.5*0.0045 */
    CHECK_NEAR(aif_subnet_epsilon_at(&e, 7200, 0), 0.00455, 1e-15);       /* 0.005 - 0.1*0.0045 */
    CHECK_NEAR(aif_subnet_epsilon_at(&e, 72000, 0), 0.0005, 1e-15);
    CHECK_NEAR(aif_subnet_epsilon_at(&e, 10000000, 0), 0.0005, 1e-15);    /* min(., 1) */
    CHECK_NEAR(aif_subnet_epsilon_at(&e, 10, AIF_SUBNET_NO_BLOCK), 0.005, 1e-15);
}

static void load_file_replaces_bundled(void)
{
    const char *dir = aif_test_tmpdir();
    char path[512], buf[8192];
    aif_err err = {0};
    snprintf(path, sizeof path, "%s/c.json", dir);
    snprintf(buf, sizeof buf, doc_template, comp_ok,
             "{\"start_block\": 0, \"competitions\": [{\"id\": 1, \"reward_share\": 1}]}");
    CHECK_OK(aif_fs_write_file(path, buf, strlen(buf), &err), err);
    aif_subnet_competitions *cs;
    CHECK_OK(aif_subnet_competitions_open(path, &cs, &err), err);
    if (cs) {
        CHECK(aif_subnet_competition_get(cs, 99) == NULL); /* the bundled local one is gone */
        CHECK_STR(aif_subnet_competition_get(cs, 1)->name, "A");
        aif_subnet_competitions_free(cs);
    }
    /* The bundled text is what default() parses. */
    size_t len;
    const char *text = aif_subnet_competitions_default_json(&len);
    CHECK(len == strlen(text) && strstr(text, "\"RES3B_MODEL\""));
}

static void cli_competitions(void)
{
    if (aif_test_injecting())
        return;
    static char out[65536];
    CHECK_EQ(aif_test_run_aif("competitions --json --block 123", out, sizeof out), 0);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    CHECK(j != NULL);
    if (j) {
        CHECK_EQ(json_integer_value(json_object_get(j, "block")), 123);
        json_t *c0 = json_array_get(json_object_get(j, "competitions"), 0);
        CHECK_EQ(json_integer_value(json_object_get(c0, "id")), 1);
        json_t *k = json_object_get(c0, "constraints");
        CHECK_EQ(json_integer_value(json_object_get(k, "max_bytes")), 31138512896LL);
        CHECK_EQ(json_array_size(json_object_get(c0, "eval_tasks")), 3);
        json_decref(j);
    }
    CHECK_EQ(aif_test_run_aif("competitions", out, sizeof out), 0);
    CHECK(strstr(out, "RES3B_MODEL") && strstr(out, "ai-factory/giant") && strstr(out, "STACKEXCHANGE"));
    CHECK_EQ(aif_test_run_aif("competitions --schedule local", out, sizeof out), 0);
    CHECK(strstr(out, "LOCAL_TINY") != NULL);
    /* A bad --competitions file: exit 1 and the message names the file and key. */
    const char *dir = aif_test_tmpdir();
    char path[512], args[700];
    aif_err err = {0};
    snprintf(path, sizeof path, "%s/bad.json", dir);
    const char *bad = "{\"format\": \"aif-competitions\", \"version\": 1, \"extra\": 1}";
    CHECK_OK(aif_fs_write_file(path, bad, strlen(bad), &err), err);
    snprintf(args, sizeof args, "competitions --competitions %s", path);
    CHECK_EQ(aif_test_run_aif(args, out, sizeof out), 1);
    CHECK(strstr(out, "bad.json") && strstr(out, "unknown key 'extra'"));
    CHECK_EQ(aif_test_run_aif("competitions --block -3", out, sizeof out), 2);
}

static void model_constraints(void)
{
    aif_err err = {0};
    aif_subnet_competitions *cs;
    CHECK_OK(aif_subnet_competitions_default(&cs, &err), err);
    if (!cs)
        return;
    const aif_subnet_competition *c = aif_subnet_competition_get(cs, 1);
    /* Bounds are inclusive (spec 2.4): 3e9 and 4e9 pass, one more or less fails. */
    CHECK_OK(aif_subnet_check_model(c, "LlamaForCausalLM", 3000000000LL, 31138512896LL, &err), err);
    CHECK_OK(aif_subnet_check_model(c, "Qwen2ForCausalLM", 4000000000LL, -1, &err), err);
    CHECK_ERR(aif_subnet_check_model(c, "LlamaForCausalLM", 2999999999LL, -1, &err), AIF_ECONSTRAINT, err,
              "2999999999 parameters, outside [3000000000, 4000000000]");
    CHECK_ERR(aif_subnet_check_model(c, NULL, 4000000001LL, -1, &err), AIF_ECONSTRAINT, err, "4000000001");
    /* max_bytes: 29 GiB allowed, one byte more not. */
    CHECK_ERR(aif_subnet_check_model(c, NULL, -1, 31138512897LL, &err), AIF_ECONSTRAINT, err,
              "31138512897 bytes, more than max_bytes 31138512896");
    CHECK_ERR(aif_subnet_check_model(c, "MistralForCausalLM", -1, -1, &err), AIF_ECONSTRAINT, err,
              "'MistralForCausalLM' is not allowed");
    CHECK_ERR(aif_subnet_check_model(c, "DeepseekV3ForCausalLM", -1, -1, &err), AIF_ENOTSUP, err,
              "cannot evaluate it yet");
    /* Eval block delay 150: c - m >= 150. */
    CHECK(!aif_subnet_eval_delay_passed(c, 1149, 1000));
    CHECK(aif_subnet_eval_delay_passed(c, 1150, 1000));
    CHECK(!aif_subnet_eval_delay_passed(c, 900, 1000));
    CHECK(!aif_subnet_eval_delay_passed(c, 900, AIF_SUBNET_NO_BLOCK));
    aif_subnet_competitions_free(cs);
}

/* The compiled-in text equals src/subnet/competitions.json (catches a
 * forgotten scripts/embed-json.sh run). Tests run from the repository root. */
static void embedded_copy_in_sync(void)
{
    char *text = NULL;
    size_t len = 0, blen;
    aif_err err = {0};
    if (aif_fs_read_file("src/subnet/competitions.json", 1 << 20, &text, &len, &err)) {
        if (!aif_test_injecting())
            aif_test_fail(__FILE__, __LINE__, "%s", err.msg);
        return;
    }
    const char *bundled = aif_subnet_competitions_default_json(&blen);
    CHECK_EQ(blen, len);
    CHECK(blen == len && !memcmp(bundled, text, len));
    aif_free(text);
}

AIF_TESTS(subnet_competitions) = {
    {"subnet/competitions_model_constraints", model_constraints},
    {"subnet/competitions_embedded_copy_in_sync", embedded_copy_in_sync},
    {"subnet/competitions_bundled_matches_spec", bundled_matches_spec},
    {"subnet/competitions_schedule_lookup", schedule_lookup},
    {"subnet/competitions_validation_errors", validation_errors},
    {"subnet/competitions_epsilon_linear_decay", epsilon_linear_decay},
    {"subnet/competitions_load_file", load_file_replaces_bundled},
    {"subnet/competitions_cli", cli_competitions},
    {NULL, NULL},
};
