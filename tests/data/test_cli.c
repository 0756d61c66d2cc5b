/* test_cli.c: `aif data fetch` and `aif data show` run as a program
 * ($AIF_BIN), against the shipped corpus and the replay server. Expected
 * page numbers come from CPython (tests/vectors/data/rng.txt). */
#include "harness.h"

#include <jansson.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "aif/alloc.h"
#include "replay/replay.h"
#include "vec.h"

/* Run `$AIF_BIN args`; stdout into *out (aif_free; NULL when out of memory); returns the exit status. */
static int run(const char *args, char **out)
{
    char none[1];
    *out = aif_malloc(1 << 20);
    return *out ? aif_test_run_aif_ex(args, NULL, 0, *out, 1 << 20) : aif_test_run_aif_ex(args, NULL, 0, none, 1);
}

static json_t *run_json(const char *args, int *status)
{
    char *out;
    *status = run(args, &out);
    json_error_t je;
    json_t *j = out ? json_loads(out, 0, &je) : NULL;
    if (!j)
        aif_test_fail(__FILE__, __LINE__, "aif %s: no JSON on stdout: %.200s", args, out ? out : "");
    aif_free(out);
    return j;
}

static void show_rows_corpus(void)
{
    char *v = vec_load("tests/vectors/data/rng.txt");
    uint64_t want[4] = {0};
    CHECK(v && vec_u64s(v, "seed1_max50_pages2", want, 4) == 2);
    aif_free(v);
    int st;
    json_t *j = run_json("data show --data corpus --dataset reasoning --seed 1 --pages 2 --rows 3 --json", &st);
    CHECK_EQ(st, 0);
    if (!j)
        return;
    CHECK_EQ(json_integer_value(json_object_get(j, "max_pages")), 50);
    json_t *pages = json_object_get(j, "pages");
    CHECK_EQ(json_array_size(pages), 2);
    for (size_t i = 0; i < json_array_size(pages) && i < 2; i++) {
        json_t *p = json_array_get(pages, i);
        CHECK_EQ(json_integer_value(json_object_get(p, "page")), want[i]);
        json_t *rows = json_object_get(p, "rows");
        CHECK_EQ(json_array_size(rows), 3);
        /* local source: page p starts at row p-1 */
        CHECK_EQ(json_integer_value(json_object_get(json_array_get(rows, 0), "row_idx")), want[i] - 1);
    }
    /* row 8 of corpus/reasoning.jsonl is reasoning-0008, a MATH500 prompt read off the file */
    const char *ex = json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(pages, 0), "rows"), 0), "excerpt"));
    CHECK(ex && !strncmp(ex, "Find the product of $6_8 \\cdot 7_8.$", 36));
    json_decref(j);
}

static void show_batches_threads(void)
{
    /* same seed with 1 and 3 threads: the same JSON, byte for byte */
    char *a = NULL, *b = NULL;
    char args[1024];
    const char *common = "data show --data corpus --dataset stackexchange --seed 5 --pages 2 --rows 4 --seq-len 128 "
                         "--max-batches 6 --json --tokenizer";
    snprintf(args, sizeof args, "%s %s --threads 1", common, aif_test_path("tokenizers/qwen2.5"));
    CHECK_EQ(run(args, &a), 0);
    snprintf(args, sizeof args, "%s %s --threads 3", common, aif_test_path("tokenizers/qwen2.5"));
    CHECK_EQ(run(args, &b), 0);
    CHECK(a && b && !strcmp(a, b));
    json_error_t je;
    json_t *j = a ? json_loads(a, 0, &je) : NULL;
    CHECK(j != NULL);
    if (j) {
        CHECK_EQ(json_integer_value(json_object_get(j, "n_batches")), 6);
        CHECK_EQ(json_integer_value(json_object_get(j, "eos_id")), 151645); /* <|im_end|> of tokenizer_config.json */
        json_t *bs = json_object_get(j, "batches");
        CHECK_EQ(json_array_size(bs), 6);
        size_t windows = (size_t)json_integer_value(json_object_get(j, "windows"));
        size_t tokens = (size_t)json_integer_value(json_object_get(j, "stream_tokens"));
        CHECK_EQ(windows, tokens / 128);
        for (size_t i = 0; i < json_array_size(bs); i++) {
            json_t *bt = json_array_get(bs, i);
            json_t *ids = json_object_get(bt, "ids");
            CHECK_EQ(json_array_size(ids), 128);
            CHECK(json_integer_value(json_object_get(bt, "window")) < (json_int_t)windows);
            /* every document end sits right after an EOS id */
            json_t *ends = json_object_get(bt, "document_ends");
            for (size_t e = 0; e < json_array_size(ends); e++) {
                json_int_t at = json_integer_value(json_array_get(ends, e));
                CHECK(at >= 1 && at <= 128);
                if (at >= 1 && at <= 128)
                    CHECK_EQ(json_integer_value(json_array_get(ids, (size_t)at - 1)), 151645);
            }
        }
        json_decref(j);
    }
    aif_free(a);
    aif_free(b);
}

static void fetch_then_offline(void)
{
    char *v = vec_load("tests/vectors/data/rng.txt");
    uint64_t want[4] = {0};
    CHECK(v && vec_u64s(v, "seed42_stackexchange_pages3", want, 4) == 3);
    aif_free(v);
    replay_server *s = replay_start();
    replay_resp ok = {.status = 200,
                      .body_file = aif_test_path("hub/datasets-server/rows_200_stanfordnlp_imdb_offset234_length3.json")};
    replay_route(s, "GET", "/rows?", &ok, 1);
    const char *cache = aif_test_tmpdir();
    char args[1024];
    snprintf(args, sizeof args, "data fetch --dataset stackexchange --pages 3 --seed 42 --cache %s --endpoint %s --json",
             cache, replay_url(s));
    int st;
    json_t *j = run_json(args, &st);
    CHECK_EQ(st, 0);
    CHECK_EQ(replay_count(s), 3);
    for (int i = 0; i < 3 && i < replay_count(s); i++) {
        char target[256];
        snprintf(target, sizeof target,
                 "/rows?dataset=ai-factory%%2Fred_pajama_subset_stackexchange_subset&config=default&split=train&offset=%llu"
                 "&length=50",
                 (unsigned long long)want[i]);
        CHECK_STR(replay_request(s, i)->target, target);
    }
    if (j) {
        json_t *pages = json_object_get(j, "pages");
        CHECK_EQ(json_array_size(pages), 3);
        CHECK_EQ(json_integer_value(json_object_get(json_array_get(pages, 0), "rows")), 3);
        json_decref(j);
    }
    /* offline, same seed: served from the cache, no request */
    snprintf(args, sizeof args, "data show --offline --cache %s --dataset stackexchange --seed 42 --pages 3 --json", cache);
    j = run_json(args, &st);
    CHECK_EQ(st, 0);
    CHECK_EQ(replay_count(s), 3);
    if (j) {
        json_t *p0 = json_array_get(json_object_get(j, "pages"), 0);
        CHECK_EQ(json_integer_value(json_object_get(p0, "page")), want[0]);
        json_decref(j);
    }
    /* offline, another seed: exit 1 with a message */
    char *out;
    snprintf(args, sizeof args, "data show --offline --cache %s --dataset stackexchange --seed 43 --pages 3", cache);
    CHECK_EQ(run(args, &out), 1);
    aif_free(out);
    replay_stop(s);
    /* usage errors: exit 2 */
    CHECK_EQ(run("data show --dataset falcon", &out), 2);
    aif_free(out);
    CHECK_EQ(run("data fetch --pages 0", &out), 2);
    aif_free(out);
    CHECK_EQ(run("data frobnicate", &out), 2);
    aif_free(out);
}

AIF_TESTS(data_cli) = {
    {"data/cli_show_rows_corpus", show_rows_corpus},
    {"data/cli_show_batches_threads", show_batches_threads},
    {"data/cli_fetch_then_offline", fetch_then_offline},
    {NULL, NULL},
};
