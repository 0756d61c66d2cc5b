/* test_loader.c: splitting, packing and the whole loader (5.2 to 5.7) with
 * a synthetic byte-level tokenizer, checked against plain reference loops
 * written here and against CPython's draws (tests/vectors/data/rng.txt). */
#include "harness.h"

#include "aif/alloc.h"
#include "aif/data.h"
#include "aif/fs.h"
#include "aif/log.h"
#include "aif/pool.h"
#include "replay/replay.h"
#include "vec.h"

/* ------------------------------------------------------------ fake tokenizer
 * Byte b -> id b; BOS 256 (added by AIF_TOK_CALL); EOS 257. AIF_TOK_CALL
 * truncates to max_len ids. Decode with AIF_TOK_CLEAN_SPACES turns " ." into
 * ".". Text holding "BOOM" fails to encode. */
enum { BOS = 256, EOS = 257 };

typedef struct fake {
    size_t max_len;
    int calls_plain, calls_call, calls_decode;
} fake;

static int push(aif_token_ids *o, int32_t id)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        int32_t *p = aif_realloc(o->v, cap * sizeof *p);
        if (!p)
            return -1;
        o->v = p;
        o->cap = cap;
    }
    o->v[o->n++] = id;
    return 0;
}

static aif_code fake_encode(void *ctx, const char *text, size_t len, unsigned flags, aif_token_ids *out, aif_err *err)
{
    fake *f = ctx;
    for (size_t i = 0; i + 4 <= len; i++)
        if (!memcmp(text + i, "BOOM", 4))
            return aif_err_set(err, AIF_EUTF8, "fake tokenizer: BOOM at byte %zu", i);
    size_t n = 0;
    if (flags & AIF_TOK_CALL) {
        __atomic_add_fetch(&f->calls_call, 1, __ATOMIC_RELAXED);
        if (push(out, BOS))
            return aif_err_set(err, AIF_ENOMEM, "oom");
        n = 1;
    } else {
        __atomic_add_fetch(&f->calls_plain, 1, __ATOMIC_RELAXED);
    }
    for (size_t i = 0; i < len; i++, n++) {
        if ((flags & AIF_TOK_CALL) && f->max_len && n >= f->max_len)
            break;
        if (push(out, (unsigned char)text[i]))
            return aif_err_set(err, AIF_ENOMEM, "oom");
    }
    return AIF_OK;
}

static aif_code fake_decode(void *ctx, const int32_t *ids, size_t n, unsigned flags, char **text, size_t *len,
                            aif_err *err)
{
    fake *f = ctx;
    __atomic_add_fetch(&f->calls_decode, 1, __ATOMIC_RELAXED);
    char *s = aif_malloc(n + 1);
    if (!s)
        return aif_err_set(err, AIF_ENOMEM, "oom");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] >= 256)
            continue;
        char c = (char)ids[i];
        if ((flags & AIF_TOK_CLEAN_SPACES) && c == '.' && k > 0 && s[k - 1] == ' ')
            k--;
        s[k++] = c;
    }
    s[k] = 0;
    *text = s;
    *len = k;
    return AIF_OK;
}

static aif_data_tok fake_tok(fake *f)
{
    aif_data_tok t = {f, fake_encode, fake_decode, EOS};
    return t;
}

/* Reference of the fake's pipeline for one document (plain loops). */
static size_t ref_doc(const char *text, size_t len, size_t chunk, size_t max_len, int32_t *out)
{
    size_t k = 0;
    for (size_t at = 0; at < len; at += chunk) {
        size_t n = len - at < chunk ? len - at : chunk;
        char buf[8192];
        size_t m = 0;
        for (size_t i = 0; i < n; i++) { /* clean_up: " ." -> "." */
            if (text[at + i] == '.' && m > 0 && buf[m - 1] == ' ')
                m--;
            buf[m++] = text[at + i];
        }
        size_t start = k;
        out[k++] = BOS;
        for (size_t i = 0; i < m && (!max_len || k - start < max_len); i++)
            out[k++] = (unsigned char)buf[i];
        out[k++] = EOS;
    }
    return k;
}

static char *vectors(void)
{
    char *v = vec_load("tests/vectors/data/rng.txt");
    if (!v)
        aif_test_fail(__FILE__, __LINE__, "tests/vectors/data/rng.txt is missing");
    return v;
}

/* ------------------------------------------------------------ tests */

static void pack_windows(void)
{
    enum { SEQ = 64, N = 5 * SEQ + 10 };
    int32_t s[N];
    for (int i = 0; i < N; i++)
        s[i] = i * 3 + 1;
    aif_data_batches b;
    aif_err err;
    CHECK_OK(aif_data_pack(s, N, SEQ, 0, NULL, &b, &err), err);
    CHECK_EQ(b.n_batches, 5); /* floor(330 / 64); the 10-id tail is dropped */
    CHECK_EQ(b.seq_len, SEQ);
    for (size_t i = 0; i < b.n_batches; i++) {
        CHECK_EQ(b.window[i], i);
        for (int j = 0; j < SEQ; j++)
            if (b.ids[i * SEQ + j] != (int32_t)((i * SEQ + j) * 3 + 1))
                aif_test_fail(__FILE__, __LINE__, "batch %zu id %d", i, j);
    }
    aif_data_batches_release(&b);
    CHECK_OK(aif_data_pack(s, N, SEQ, 3, NULL, &b, &err), err);
    CHECK_EQ(b.n_batches, 3);
    aif_data_batches_release(&b);
    CHECK_OK(aif_data_pack(s, SEQ - 1, SEQ, 0, NULL, &b, &err), err);
    CHECK_EQ(b.n_batches, 0);
    aif_data_batches_release(&b);
    CHECK_OK(aif_data_pack(s, SEQ, SEQ, 0, NULL, &b, &err), err);
    CHECK_EQ(b.n_batches, 1);
    aif_data_batches_release(&b);
}

static void pack_shuffle_python(void)
{
    char *v = vectors();
    if (!v)
        return;
    uint64_t want[64];
    CHECK_EQ(vec_u64s(v, "flow12345_shuffle37", want, 64), 37);
    enum { SEQ = 8, W = 37 };
    int32_t s[W * SEQ + 5];
    for (int i = 0; i < W * SEQ + 5; i++)
        s[i] = i;
    for (int keep = 0; keep <= 1; keep++) {
        aif_data_rng r;
        aif_data_rng_seed(&r, 12345);
        int64_t pages[10];
        aif_data_sample_pages(&r, 221994, 10, pages); /* the loader draws its pages first */
        aif_data_batches b;
        aif_err err;
        CHECK_OK(aif_data_pack(s, W * SEQ + 5, SEQ, keep ? 5 : AIF_DATA_MAX_BATCHES, &r, &b, &err), err);
        CHECK_EQ(b.n_batches, keep ? 5 : 37);
        for (size_t i = 0; i < b.n_batches; i++) {
            CHECK_EQ(b.window[i], want[i]);
            CHECK_EQ(b.ids[i * SEQ], (int32_t)(want[i] * SEQ));
        }
        aif_data_batches_release(&b);
    }
    aif_free(v);
}

static void split_document(void)
{
    fake f = {.max_len = 3000};
    aif_data_tok t = fake_tok(&f);
    size_t len = 10000;
    char *text = aif_malloc(len);
    if (!text)
        return;
    for (size_t i = 0; i < len; i++)
        text[i] = "ab c ."[i % 6];
    aif_token_ids got = {0};
    aif_err err;
    CHECK_OK(aif_data_tokenize_doc(&t, text, len, 4096, &got, &err), err);
    /* 10000 ids -> chunks 4096, 4096, 1808: one plain encode, three decodes, three calls */
    CHECK_EQ(f.calls_plain, 1);
    CHECK_EQ(f.calls_decode, 3);
    CHECK_EQ(f.calls_call, 3);
    int32_t *want = aif_malloc(sizeof(int32_t) * 20000);
    if (!want) {
        aif_free(got.v);
        aif_free(text);
        return;
    }
    size_t n = ref_doc(text, len, 4096, 3000, want);
    CHECK_EQ(got.n, n);
    CHECK(got.n == n && !memcmp(got.v, want, n * sizeof *want));
    /* truncated chunks: 3000 ids + EOS, 3000 + EOS, then 1808 cleaned (1507) + BOS + EOS */
    CHECK_EQ(n, 3001 + 3001 + 1 + (1808 - 1808 / 6) + 1);
    size_t before = got.n;
    CHECK_OK(aif_data_tokenize_doc(&t, "", 0, 4096, &got, &err), err);
    CHECK_EQ(got.n, before); /* empty text: no chunk */
    CHECK_ERR(aif_data_tokenize_doc(&t, "xxBOOM", 6, 4096, &got, &err), AIF_EUTF8, err, "BOOM at byte 2");
    aif_free(want);
    aif_free(got.v);
    aif_free(text);
}

/* 8 rows: lines 5 and 7 (0-based) hold 100 digits, the others "a". */
static const char *write_local(const char *dir, const char *key, int with_bad_row)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.jsonl", dir, key);
    char buf[4096];
    size_t n = 0;
    for (int i = 0; i < 8; i++) {
        /* page p reads line p-1: long texts on lines 5 and 7 (pages 6 and 8), which
         * only the second page set of seed 99 draws */
        if (with_bad_row && i == 2)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"title\": \"no text here\"}\n");
        else if (i == 5 || i == 7)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"text\": \"%0100d\", \"meta\": {\"id\": %d}}\n", i, i);
        else
            n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"content\": \"a\"}\n\n");
    }
    aif_err err;
    CHECK_OK(aif_fs_write_file(path, buf, n, &err), err);
    return dir;
}

static void load_local_flow(void)
{
    char *v = vectors();
    if (!v)
        return;
    uint64_t p1[16], p2[16], sh[16];
    CHECK_EQ(vec_u64s(v, "flow99_pages1_max8", p1, 16), 10);
    CHECK_EQ(vec_u64s(v, "flow99_pages2_max8", p2, 16), 10);
    CHECK_EQ(vec_u64s(v, "flow99_shuffle5", sh, 16), 5);
    const char *dir = write_local(aif_test_tmpdir(), "reasoning", 0);
    aif_data_source *src;
    aif_err err;
    CHECK_OK(aif_data_source_local(dir, &src, &err), err);
    if (!src) {
        aif_free(v);
        return;
    }
    const aif_data_dataset *ds = aif_data_dataset_find("reasoning");
    uint32_t maxp = 0;
    CHECK_OK(aif_data_source_max_pages(src, ds, &maxp, &err), err);
    CHECK_EQ(maxp, 8); /* blank lines are not rows */

    /* The reference stream for a page set: line p-1 of each page, in order. */
    const char *texts[8];
    char longs[2][101];
    for (int i = 0; i < 8; i++)
        texts[i] = "a";
    snprintf(longs[0], sizeof longs[0], "%0100d", 5);
    snprintf(longs[1], sizeof longs[1], "%0100d", 7);
    texts[5] = longs[0];
    texts[7] = longs[1];
    int32_t ref1[4096], ref2[4096];
    size_t n1 = 0, n2 = 0;
    for (int i = 0; i < 10; i++) {
        n1 += ref_doc(texts[p1[i] - 1], strlen(texts[p1[i] - 1]), 4096, 0, ref1 + n1);
        n2 += ref_doc(texts[p2[i] - 1], strlen(texts[p2[i] - 1]), 4096, 0, ref2 + n2);
    }
    CHECK(n1 < 64); /* the first page set is too short: 5.5 draws a second */
    CHECK_EQ(n2 / 64, 5);

    aif_data_batches out[2];
    for (int run = 0; run < 2; run++) {
        fake f = {0};
        aif_data_tok t = fake_tok(&f);
        aif_data_opts o;
        aif_data_opts_default(&o);
        o.rows_per_page = 1;
        o.seq_len = 64;
        o.have_seed = 1;
        o.seed = 99;
        aif_pool *pool = NULL;
        if (run == 1)
            CHECK_OK(aif_pool_new(3, &pool, &err), err);
        o.pool = pool;
        aif_log_level lvl = aif_log_get_level();
        aif_log_set_level(AIF_LOG_ERROR);
        CHECK_OK(aif_data_load(src, ds, &t, &o, &out[run], &err), err);
        aif_log_set_level(lvl);
        aif_pool_free(pool);
        aif_data_batches *b = &out[run];
        CHECK_EQ(b->page_sets, 2);
        CHECK_EQ(b->seed, 99);
        CHECK_EQ(b->n_pages, 10);
        for (size_t i = 0; i < 10 && b->pages; i++)
            CHECK_EQ(b->pages[i], p2[i]);
        CHECK_EQ(b->n_stream, n2);
        CHECK(b->stream && !memcmp(b->stream, ref2, n2 * sizeof(int32_t)));
        CHECK_EQ(b->n_docs, 10);
        CHECK_EQ(b->n_rows, 10);
        CHECK_EQ(b->n_batches, 5);
        for (size_t i = 0; i < b->n_batches; i++) {
            CHECK_EQ(b->window[i], sh[i]);
            CHECK(!memcmp(b->ids + i * 64, ref2 + sh[i] * 64, 64 * sizeof(int32_t)));
        }
        if (b->n_docs == 10) /* document ends: after each EOS */
            for (size_t d = 0; d < b->n_docs; d++)
                CHECK_EQ(b->stream[b->doc_end[d] - 1], EOS);
    }
    /* same seed, 1 thread vs 3 threads: identical batches */
    CHECK_EQ(out[0].n_batches, out[1].n_batches);
    CHECK(out[0].n_batches == out[1].n_batches &&
          !memcmp(out[0].ids, out[1].ids, out[0].n_batches * 64 * sizeof(int32_t)));
    aif_data_batches_release(&out[0]);
    aif_data_batches_release(&out[1]);

    /* without a seed: a seed is drawn and reported, and replaying it gives the same batches */
    fake f = {0};
    aif_data_tok t = fake_tok(&f);
    aif_data_opts o;
    aif_data_opts_default(&o);
    o.rows_per_page = 8;
    o.seq_len = 16;
    aif_data_batches a, b;
    CHECK_OK(aif_data_load(src, ds, &t, &o, &a, &err), err);
    o.have_seed = 1;
    o.seed = a.seed;
    CHECK_OK(aif_data_load(src, ds, &t, &o, &b, &err), err);
    if (!a.pages || !b.pages) {
        aif_data_batches_release(&a);
        aif_data_batches_release(&b);
        aif_data_source_free(src);
        aif_free(v);
        return;
    }
    CHECK_EQ(a.n_batches, b.n_batches);
    CHECK(a.n_batches == b.n_batches && !memcmp(a.ids, b.ids, a.n_batches * 16 * sizeof(int32_t)));
    for (size_t i = 0; i < a.n_pages; i++)
        CHECK_EQ(a.pages[i], b.pages[i]);
    aif_data_batches_release(&a);
    aif_data_batches_release(&b);
    aif_data_source_free(src);
    aif_free(v);
}

static void load_errors(void)
{
    const char *dir = write_local(aif_test_tmpdir(), "stackexchange", 1);
    aif_data_source *src;
    aif_err err;
    CHECK_OK(aif_data_source_local(dir, &src, &err), err);
    const aif_data_dataset *ds = aif_data_dataset_find("stackexchange");
    fake f = {0};
    aif_data_tok t = fake_tok(&f);
    aif_data_opts o;
    aif_data_opts_default(&o);
    o.rows_per_page = 8; /* every page reaches line 2 only if it starts at or before it */
    o.n_pages = 1;
    o.seq_len = 16;
    o.have_seed = 1;
    /* find a seed whose first page is 1..3 (line 2 inside the page) */
    aif_data_rng r;
    uint64_t seed = 0;
    for (;; seed++) {
        aif_data_rng_seed(&r, seed);
        if (aif_data_rng_randint(&r, 1, 8) <= 3)
            break;
    }
    o.seed = seed;
    aif_data_batches b;
    CHECK_ERR(aif_data_load(src, ds, &t, &o, &b, &err), AIF_ENOTFOUND, err,
              "no string 'text' or 'content' column (columns: title)");
    CHECK(strstr(err.msg, "row_idx 2") != NULL);
    aif_data_source_free(src);

    /* a tokenizer failure names the row */
    dir = aif_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/arxiv.jsonl", dir);
    CHECK_OK(aif_fs_write_file(path, "{\"text\": \"fine\"}\n{\"text\": \"xBOOM\"}\n", 35, &err), err);
    CHECK_OK(aif_data_source_local(dir, &src, &err), err);
    ds = aif_data_dataset_find("arxiv");
    o.n_pages = 3;
    o.rows_per_page = 2;
    o.seed = 1;
    CHECK_ERR(aif_data_load(src, ds, &t, &o, &b, &err), AIF_EUTF8, err, "BOOM at byte 1");
    CHECK(strstr(err.msg, "dataset ai-factory/red_pajama_subset_arxiv_subset offset") && strstr(err.msg, "(row_idx 1)"));

    /* never enough tokens: 14 page sets, then a clear error */
    o.seq_len = 100000;
    aif_log_level lvl = aif_log_get_level();
    aif_log_set_level(AIF_LOG_ERROR);
    snprintf(path, sizeof path, "%s/arxiv.jsonl", dir);
    CHECK_OK(aif_fs_write_file(path, "{\"text\": \"fine\"}\n", 17, &err), err);
    aif_data_source_free(src);
    CHECK_OK(aif_data_source_local(dir, &src, &err), err);
    f.calls_plain = 0;
    CHECK_ERR(aif_data_load(src, ds, &t, &o, &b, &err), AIF_ERANGE, err, "14 page sets tried");
    CHECK_EQ(f.calls_plain, 14 * 3); /* 14 sets of 3 pages of the one row */
    aif_log_set_level(lvl);
    /* bad JSON line names the file and row */
    CHECK_OK(aif_fs_write_file(path, "{\"text\": \"fine\"}\n{\"text\": tru\n", 30, &err), err);
    aif_data_source_free(src);
    CHECK_OK(aif_data_source_local(dir, &src, &err), err);
    o.seq_len = 16;
    o.n_pages = 10;
    CHECK_ERR(aif_data_load(src, ds, &t, &o, &b, &err), AIF_EFORMAT, err, "arxiv.jsonl: row 1: invalid JSON");
    aif_data_source_free(src);
    /* missing file */
    CHECK_OK(aif_data_source_local(aif_test_tmpdir(), &src, &err), err);
    CHECK_ERR(aif_data_load(src, ds, &t, &o, &b, &err), AIF_ENOTFOUND, err, "arxiv.jsonl");
    aif_data_source_free(src);
    CHECK_ERR(aif_data_source_local("/nonexistent/aif", &src, &err), AIF_ENOTFOUND, err, "/nonexistent/aif");
}

static void remote_cache_offline(void)
{
    char *v = vectors();
    if (!v)
        return;
    uint64_t want[16];
    CHECK_EQ(vec_u64s(v, "seed42_arxiv_pages", want, 16), 10);
    replay_server *s = replay_start();
    replay_resp ok = {.status = 200,
                      .body_file = aif_test_path("hub/datasets-server/rows_200_stanfordnlp_imdb_offset234_length3.json")};
    replay_route(s, "GET", "/rows?dataset=ai-factory%2Fred_pajama_subset_arxiv_subset&config=default&split=train&",
                 &ok, 1);
    aif_data_client_opts co;
    aif_data_client_opts_default(&co);
    co.base_url = replay_url(s);
    aif_data_client *c;
    aif_err err;
    CHECK_OK(aif_data_client_new(&co, &c, &err), err);
    const char *cache = aif_test_tmpdir();
    aif_data_source *remote, *offline;
    CHECK_OK(aif_data_source_remote(c, cache, &remote, &err), err);
    const aif_data_dataset *ds = aif_data_dataset_find("arxiv");
    fake f = {0};
    aif_data_tok t = fake_tok(&f);
    aif_data_opts o;
    aif_data_opts_default(&o);
    o.seq_len = 256;
    o.have_seed = 1;
    o.seed = 42;
    aif_data_batches a, b;
    CHECK_OK(aif_data_load(remote, ds, &t, &o, &a, &err), err);
    if (!a.pages) {
        aif_data_source_free(remote);
        aif_data_client_free(c);
        replay_stop(s);
        aif_free(v);
        return;
    }
    CHECK_EQ(replay_count(s), 10);
    for (int i = 0; i < 10 && i < replay_count(s); i++) {
        char target[256];
        snprintf(target, sizeof target,
                 "/rows?dataset=ai-factory%%2Fred_pajama_subset_arxiv_subset&config=default&split=train&offset=%llu"
                 "&length=50",
                 (unsigned long long)want[i]);
        CHECK_STR(replay_request(s, i)->target, target);
        CHECK_EQ(a.pages[i], want[i]);
    }
    CHECK_EQ(a.n_rows, 30);
    CHECK_EQ(a.n_batches, 64); /* ~25k tokens of 256-id windows: capped at 64 */
    char path[1024];
    CHECK_OK(aif_data_cache_path(cache, ds->hf_name, "default", "train", (int64_t)want[0], 50, path, sizeof path, &err),
             err);
    CHECK(aif_fs_exists(path));
    CHECK(strstr(path, "/ai-factory--red_pajama_subset_arxiv_subset/default/train/rows-") != NULL);

    /* offline: the same seed reproduces the same batches without a request */
    CHECK_OK(aif_data_source_cache(cache, &offline, &err), err);
    CHECK_OK(aif_data_load(offline, ds, &t, &o, &b, &err), err);
    CHECK_EQ(replay_count(s), 10);
    CHECK_EQ(b.n_batches, a.n_batches);
    CHECK(a.n_batches == b.n_batches && b.ids && !memcmp(a.ids, b.ids, a.n_batches * 256 * sizeof(int32_t)));
    for (size_t i = 0; i < a.n_batches && i < b.n_batches; i++)
        CHECK_EQ(a.window[i], b.window[i]);
    aif_data_batches_release(&b);
    /* the remote source reads its own cache too: still no new request */
    CHECK_OK(aif_data_load(remote, ds, &t, &o, &b, &err), err);
    CHECK_EQ(replay_count(s), 10);
    aif_data_batches_release(&b);
    /* another seed offline: a clear error naming the missing cache file */
    o.seed = 43;
    CHECK_ERR(aif_data_load(offline, ds, &t, &o, &b, &err), AIF_ENOTFOUND, err, "not in the cache");
    CHECK(strstr(err.msg, "aif data fetch") != NULL);
    aif_data_batches_release(&a);
    aif_data_source_free(offline);
    aif_data_source_free(remote);
    aif_data_client_free(c);
    replay_stop(s);
    aif_free(v);
}

static void block_hash_seed(void)
{
    /* 5.2's helper: pages seeded by sha256(block hash string) as an integer (CPython vector) */
    char *v = vectors();
    if (!v)
        return;
    uint64_t want[16];
    char hash[128];
    CHECK_EQ(vec_u64s(v, "blockhash_arxiv_pages", want, 16), 10);
    CHECK(vec_get(v, "blockhash", hash, sizeof hash));
    replay_server *s = replay_start();
    replay_resp ok = {.status = 200,
                      .body_file = aif_test_path("hub/datasets-server/rows_200_stanfordnlp_imdb_offset234_length3.json")};
    replay_route(s, "GET", "/rows?", &ok, 1);
    aif_data_client_opts co;
    aif_data_client_opts_default(&co);
    co.base_url = replay_url(s);
    aif_data_client *c = NULL;
    aif_data_source *src = NULL;
    aif_err err;
    CHECK_OK(aif_data_client_new(&co, &c, &err), err);
    if (c)
        CHECK_OK(aif_data_source_remote(c, NULL, &src, &err), err);
    fake f = {0};
    aif_data_tok t = fake_tok(&f);
    aif_data_opts o;
    aif_data_opts_default(&o);
    o.seq_len = 256;
    o.block_hash = hash;
    aif_data_batches b = {0};
    if (src)
        CHECK_OK(aif_data_load(src, aif_data_dataset_find("arxiv"), &t, &o, &b, &err), err);
    for (size_t i = 0; i < 10 && b.pages; i++)
        CHECK_EQ(b.pages[i], want[i]);
    CHECK_EQ(b.seed, 0);
    aif_data_batches_release(&b);
    aif_data_source_free(src);
    aif_data_client_free(c);
    replay_stop(s);
    aif_free(v);
}

AIF_TESTS(data_loader) = {
    {"data/load_block_hash_seed", block_hash_seed},
    {"data/pack_windows", pack_windows},
    {"data/pack_shuffle_python", pack_shuffle_python},
    {"data/split_document", split_document},
    {"data/load_local_flow", load_local_flow},
    {"data/load_errors", load_errors},
    {"data/load_remote_cache_offline", remote_cache_offline},
    {NULL, NULL},
};
