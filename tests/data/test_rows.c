/* test_rows.c: decoding datasets-server bodies: the recorded examples of
 * ../shared/testdata/hub/datasets-server (values below read off those
 * files by hand), hand-written hostile pages, and the text choice. */
#include "harness.h"

#include "aif/alloc.h"
#include "aif/data.h"
#include "aif/fs.h"

static char *load(const char *rel, size_t *len)
{
    char *text = NULL;
    aif_err err;
    aif_code rc = aif_fs_read_file(aif_test_path(rel), 1 << 20, &text, len, &err);
    CHECK_OK(rc, err);
    return text;
}

static void imdb_rows(void)
{
    size_t len;
    char *j = load("hub/datasets-server/rows_200_stanfordnlp_imdb_offset234_length3.json", &len);
    if (!j)
        return;
    aif_data_page p;
    aif_err err;
    CHECK_OK(aif_data_page_parse(j, len, "stanfordnlp/imdb", 234, &p, &err), err);
    CHECK_EQ(p.n_rows, 3);
    CHECK_EQ(p.n_features, 2);
    if (p.n_features == 2) {
        CHECK_STR(p.features[0].name, "text");
        CHECK_STR(p.features[0].type, "Value");
        CHECK_STR(p.features[0].dtype, "string");
        CHECK_STR(p.features[1].name, "label");
        CHECK_STR(p.features[1].type, "ClassLabel");
        CHECK(p.features[1].dtype == NULL);
    }
    if (p.n_rows == 3) {
        CHECK_EQ(p.rows[0].row_idx, 234);
        CHECK_EQ(p.rows[2].row_idx, 236);
        CHECK_STR(p.rows[0].field, "text");
        const char *t;
        size_t n;
        CHECK_OK(aif_data_row_text(&p, 0, &t, &n, &err), err);
        CHECK(!strncmp(t, "Well, you know the rest! This has to be the worst movie", 55));
        CHECK(strstr(t, "golden raspberry for its year.") == t + n - 30);
        CHECK_OK(aif_data_row_text(&p, 1, &t, &n, &err), err);
        CHECK(!strncmp(t, "I'm in Iraq right now", 21));
    }
    CHECK_EQ(p.num_rows_total, 25000);
    CHECK_EQ(p.partial, 0);
    CHECK_STR(p.dataset, "stanfordnlp/imdb");
    aif_data_page_release(&p);
    aif_free(j);
}

static void text_choice(void)
{
    /* text wins; content otherwise; neither (or text null): an error naming the row */
    const char *j = "{\"rows\":[{\"row_idx\":7,\"row\":{\"content\":\"c1\",\"meta\":1},\"truncated_cells\":[]},"
                    "{\"row_idx\":8,\"row\":{\"text\":\"t2\",\"content\":\"c2\"}},"
                    "{\"row_idx\":9,\"row\":{\"title\":\"x\",\"id\":3}},"
                    "{\"row_idx\":10,\"row\":{\"text\":null,\"content\":\"c4\"}},"
                    "{\"row\":{\"text\":\"a\\u0000b\"}}],\"num_rows_total\":11}";
    aif_data_page p;
    aif_err err;
    CHECK_OK(aif_data_page_parse(j, strlen(j), "org/ds", 7, &p, &err), err);
    CHECK_EQ(p.n_rows, 5);
    if (p.n_rows != 5) {
        aif_data_page_release(&p);
        return;
    }
    const char *t;
    size_t n;
    CHECK_OK(aif_data_row_text(&p, 0, &t, &n, &err), err);
    CHECK_STR(t, "c1");
    CHECK_STR(p.rows[0].field, "content");
    CHECK_OK(aif_data_row_text(&p, 1, &t, &n, &err), err);
    CHECK_STR(t, "t2");
    CHECK_ERR(aif_data_row_text(&p, 2, &t, &n, &err), AIF_ENOTFOUND, err,
              "dataset org/ds offset 7 row 2 (row_idx 9): no string 'text' or 'content' column (columns: title, id)");
    CHECK_ERR(aif_data_row_text(&p, 3, &t, &n, &err), AIF_ENOTFOUND, err, "row 3 (row_idx 10)");
    CHECK_OK(aif_data_row_text(&p, 4, &t, &n, &err), err);
    CHECK_EQ(n, 3); /* the NUL inside is kept */
    CHECK_MEM(t, "a\0b", 3);
    CHECK_EQ(p.rows[4].row_idx, 11); /* no row_idx: offset + position */
    CHECK_ERR(aif_data_row_text(&p, 5, &t, &n, &err), AIF_ERANGE, err, "row 5 of 5");
    aif_data_page_release(&p);
}

static void hostile_pages(void)
{
    static const struct {
        const char *json, *needle;
        aif_code code;
    } cases[] = {
        {"", "invalid JSON at byte 0", AIF_EFORMAT},
        {"{\"rows\": [", "invalid JSON", AIF_EFORMAT},
        {"[1,2]", "not a JSON object", AIF_EFORMAT},
        {"{\"features\": []}", "no 'rows' array", AIF_EFORMAT},
        {"{\"rows\": {}}", "no 'rows' array", AIF_EFORMAT},
        {"{\"rows\": [1]}", "offset 5 row 0: not an object with a 'row' object", AIF_EFORMAT},
        {"{\"rows\": [{\"row_idx\": 5, \"row\": {\"text\": \"ok\"}}, {\"row\": []}]}", "row 1", AIF_EFORMAT},
        {"{\"error\": \"Not found.\"}", "no 'rows' array", AIF_EFORMAT},
        {"{\"rows\": [], \"x\": \"\xff\"}", "invalid JSON", AIF_EFORMAT}, /* not UTF-8 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aif_data_page p;
        aif_err err;
        CHECK_ERR(aif_data_page_parse(cases[i].json, strlen(cases[i].json), "org/x", 5, &p, &err), cases[i].code, err,
                  cases[i].needle);
        CHECK(p.rows == NULL && p.n_rows == 0);
    }
    /* an empty page (offset past the end) is fine */
    aif_data_page p;
    aif_err err;
    CHECK_OK(aif_data_page_parse("{\"rows\":[],\"features\":[]}", 25, "org/x", 999, &p, &err), err);
    CHECK_EQ(p.n_rows, 0);
    aif_data_page_release(&p);
    /* too many rows */
    size_t n = AIF_DATA_MAX_ROWS_PER_PAGE + 1;
    char *big = aif_malloc(n * 3 + 32), *q = big;
    q += sprintf(q, "{\"rows\":[");
    for (size_t i = 0; i < n; i++)
        q += sprintf(q, "%s{}", i ? "," : "");
    q += sprintf(q, "]}");
    CHECK_ERR(aif_data_page_parse(big, (size_t)(q - big), "org/x", 0, &p, &err), AIF_ERANGE, err, "above the limit");
    aif_free(big);
}

static void error_bodies(void)
{
    static const struct {
        const char *file, *msg;
    } cases[] = {
        {"hub/datasets-server/error_401_inexistent_dataset.json",
         "The dataset does not exist, or is not accessible without authentication (private or gated). Please check "
         "the spelling of the dataset name or retry with authentication."},
        {"hub/datasets-server/error_404_not_found.json", "Not found."},
        {"hub/datasets-server/error_422_too_large_length.json", "Parameter 'length' must not be greater than 100"},
        {"hub/datasets-server/error_422_negative_offset.json", "Parameter 'offset' must be positive"},
        {"hub/datasets-server/error_422_missing_config.json", "Parameter 'config' is required"},
        {"hub/datasets-server/error_500_response_not_ready.json",
         "The server is busier than usual and the response is not ready yet. Please retry later."},
        {"hub/datasets-server/error_500_unexpected.json", "Unexpected error."},
        {"hub/datasets-server/error_501_too_many_configs.json",
         "The maximum number of configs allowed is 3000, dataset has 41617 configs."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        char *j = load(cases[i].file, &len);
        if (!j)
            continue;
        char out[512];
        CHECK(aif_data_error_message(j, len, out, sizeof out));
        CHECK_STR(out, cases[i].msg);
        aif_free(j);
    }
    size_t len;
    char *j = load("hub/datasets-server/error_500_dataset_error_with_cause_allenai_atomic.json", &len);
    if (j) {
        char out[1024];
        CHECK(aif_data_error_message(j, len, out, sizeof out));
        /* newlines become spaces; the cause is appended */
        CHECK(!strncmp(out, "Couldn't get the size of external files in `_split_generators` because a request failed: 404 "
                            "Client Error",
                       98));
        CHECK(strstr(out, " (cause: 404 Client Error: Not Found for url: https://maartensap.com/atomic/data/"
                          "atomic_data.tgz)") != NULL);
        aif_free(j);
    }
    char out[64];
    CHECK(!aif_data_error_message("Internal Server Error.", 22, out, sizeof out));
    CHECK_STR(out, "Internal Server Error.");
    CHECK(!aif_data_error_message("{\"error\": 3}", 12, out, sizeof out));
}

static void size_and_splits(void)
{
    size_t len;
    aif_err err;
    char *j = load("hub/datasets-server/size_200_config_nyu-mll_glue_ax.json", &len);
    if (j) {
        aif_data_size s;
        CHECK_OK(aif_data_size_parse(j, len, &s, &err), err);
        CHECK_EQ(s.num_rows, 1104);
        CHECK_EQ(s.num_bytes_parquet, 80767);
        CHECK_EQ(s.num_bytes_memory, 237694);
        CHECK_EQ(s.n_splits, 1);
        if (s.n_splits == 1) {
            CHECK_STR(s.splits[0].config, "ax");
            CHECK_STR(s.splits[0].split, "test");
            CHECK_EQ(s.splits[0].num_rows, 1104);
        }
        aif_data_size_release(&s);
        aif_free(j);
    }
    j = load("hub/datasets-server/size_200_dataset_ylecun_mnist.json", &len);
    if (j) {
        aif_data_size s;
        CHECK_OK(aif_data_size_parse(j, len, &s, &err), err);
        CHECK_EQ(s.num_rows, 70000); /* 60000 train + 10000 test */
        CHECK_EQ(s.n_splits, 2);
        if (s.n_splits == 2) {
            CHECK_STR(s.splits[0].split, "train");
            CHECK_EQ(s.splits[0].num_rows, 60000);
            CHECK_EQ(s.splits[1].num_rows, 10000);
        }
        aif_data_size_release(&s);
        aif_free(j);
    }
    j = load("hub/datasets-server/splits_200_ibm_duorc.json", &len);
    if (j) {
        aif_data_split *v;
        size_t n;
        CHECK_OK(aif_data_splits_parse(j, len, &v, &n, &err), err);
        CHECK_EQ(n, 6);
        if (n == 6) {
            CHECK_STR(v[0].dataset, "ibm/duorc");
            CHECK_STR(v[0].config, "ParaphraseRC");
            CHECK_STR(v[0].split, "train");
            CHECK_STR(v[5].config, "SelfRC");
            CHECK_STR(v[5].split, "test");
            CHECK_EQ(v[5].num_rows, -1);
        }
        aif_data_splits_free(v, n);
        aif_free(j);
    }
    aif_data_size s;
    CHECK_ERR(aif_data_size_parse("{\"size\":{}}", 11, &s, &err), AIF_EFORMAT, err, "size.dataset");
    aif_data_split *v;
    size_t n;
    CHECK_ERR(aif_data_splits_parse("{\"splits\":[{\"dataset\":1}]}", 26, &v, &n, &err), AIF_EFORMAT, err, "split 0");
}

static void dataset_table(void)
{
    /* values from reference section 5.1 */
    CHECK_EQ(aif_data_dataset_count(), 3);
    const aif_data_dataset *a = aif_data_dataset_find("arxiv");
    CHECK(a && a->id == 9 && a->max_pages == 15555);
    CHECK(a && !strcmp(a->hf_name, "ai-factory/red_pajama_subset_arxiv_subset"));
    const aif_data_dataset *r = aif_data_dataset_find("REASONING");
    CHECK(r && r->id == 10 && r->max_pages == 221994);
    CHECK(r && !strcmp(r->hf_name, "ai-factory/glaiveai-reasoning-v1-20m-chat"));
    const aif_data_dataset *s = aif_data_dataset_find("ai-factory/red_pajama_subset_stackexchange_subset");
    CHECK(s && s->id == 11 && s->max_pages == 252808 && !strcmp(s->key, "stackexchange"));
    CHECK(aif_data_dataset_at(0) == a && aif_data_dataset_at(1) == r && aif_data_dataset_at(2) == s);
    CHECK(aif_data_dataset_at(3) == NULL);
    CHECK(aif_data_dataset_find("falcon") == NULL);
}

AIF_TESTS(data_rows) = {
    {"data/rows_imdb", imdb_rows},
    {"data/rows_text_choice", text_choice},
    {"data/rows_hostile", hostile_pages},
    {"data/rows_error_bodies", error_bodies},
    {"data/rows_size_and_splits", size_and_splits},
    {"data/dataset_table", dataset_table},
    {NULL, NULL},
};
