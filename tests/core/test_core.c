/* test_core.c: err, alloc, pool, fs and json of src/core. */
#include "harness.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "aif/aif.h"
#include "aif/json.h"

static void err_set_and_wrap(void)
{
    aif_err err;
    aif_err_clear(&err);
    CHECK_EQ(aif_err_set(&err, AIF_EFORMAT, "header: %d bytes", 12), AIF_EFORMAT);
    CHECK_EQ(aif_err_wrap(&err, "loading %s", "m.safetensors"), AIF_EFORMAT);
    CHECK_STR(err.msg, "loading m.safetensors: header: 12 bytes");
    CHECK_STR(aif_code_name(AIF_EFORMAT), "AIF_EFORMAT");
    CHECK_STR(aif_code_name((aif_code)999), "AIF_E?");
    CHECK_EQ(aif_err_set(NULL, AIF_EIO, "x"), AIF_EIO);
}

static void alloc_fail_injection(void)
{
    aif_alloc_fail_at(2);
    void *a = aif_malloc(8), *b = aif_malloc(8), *c = aif_malloc(8);
    CHECK(a != NULL);
    CHECK(b == NULL);
    CHECK(c != NULL);
    CHECK(aif_alloc_failed());
    aif_alloc_fail_at(0);
    aif_free(a);
    aif_free(c);
    CHECK(aif_calloc((size_t)1 << 62, 8) == NULL); /* overflow, not a wrap */
    void *al = aif_malloc_aligned(100);
    CHECK(al && ((uintptr_t)al & 63) == 0);
    aif_free_aligned(al);
}

struct sum_arg {
    _Atomic long total;
    int seen[16];
};

static void add_range(void *p, int ith, int nth)
{
    struct sum_arg *a = p;
    size_t b, e;
    aif_pool_split(1000, ith, nth, &b, &e);
    long s = 0;
    for (size_t i = b; i < e; i++)
        s += (long)i;
    atomic_fetch_add(&a->total, s);
    a->seen[ith]++;
}

static void pool_runs_every_share(void)
{
    for (int n = 1; n <= 4; n++) {
        aif_pool *pool;
        aif_err err;
        CHECK_OK(aif_pool_new(n, &pool, &err), err);
        CHECK_EQ(aif_pool_size(pool), n);
        for (int rep = 0; rep < 50; rep++) {
            struct sum_arg a = {0};
            aif_pool_run(pool, add_range, &a);
            CHECK_EQ(atomic_load(&a.total), 999L * 1000 / 2);
            for (int i = 0; i < n; i++)
                CHECK_EQ(a.seen[i], 1);
        }
        aif_pool_free(pool);
    }
    size_t b, e, covered = 0;
    for (int i = 0; i < 3; i++) {
        aif_pool_split(10, i, 3, &b, &e);
        CHECK_EQ(b, covered);
        covered = e;
    }
    CHECK_EQ(covered, 10);
}

static void fs_roundtrip(void)
{
    const char *dir = aif_test_tmpdir();
    char path[512], sub[512];
    aif_err err;
    CHECK_OK(aif_fs_join(path, sizeof path, dir, "a.txt", &err), err);
    CHECK_OK(aif_fs_write_file(path, "hello", 5, &err), err);
    char *buf;
    size_t n;
    CHECK_OK(aif_fs_read_file(path, 100, &buf, &n, &err), err);
    CHECK_EQ(n, 5);
    CHECK_STR(buf, "hello");
    aif_free(buf);
    CHECK_ERR(aif_fs_read_file(path, 4, &buf, &n, &err), AIF_ERANGE, err, "a.txt");
    aif_fs_map m;
    CHECK_OK(aif_fs_map_open(path, &m, &err), err);
    CHECK_EQ(m.size, 5);
    CHECK_MEM(m.data, "hello", 5);
    aif_fs_map_close(&m);
    snprintf(sub, sizeof sub, "%s/x/y/z", dir);
    CHECK_OK(aif_fs_mkdirs(sub, &err), err);
    CHECK(aif_fs_is_dir(sub));
    snprintf(sub, sizeof sub, "%s/x", dir);
    CHECK_OK(aif_fs_remove_tree(sub, &err), err);
    CHECK(!aif_fs_exists(sub));
    CHECK_ERR(aif_fs_read_file("/nonexistent/file", 10, &buf, &n, &err), AIF_ENOTFOUND, err, "/nonexistent/file");
}

static void json_writer_escapes_and_nests(void)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    aif_json j;
    aif_json_init(&j, f, 0);
    aif_json_obj_begin(&j);
    aif_json_kstr(&j, "a", "x\"y\n\x01");
    aif_json_key(&j, "b");
    aif_json_arr_begin(&j);
    aif_json_int(&j, -3);
    aif_json_num(&j, 0.5);
    aif_json_num(&j, INFINITY);
    aif_json_arr_end(&j);
    aif_json_key(&j, "c");
    aif_json_obj_begin(&j);
    aif_json_obj_end(&j);
    aif_json_kbool(&j, "d", 1);
    aif_json_obj_end(&j);
    fclose(f);
    CHECK_STR(out, "{\"a\":\"x\\\"y\\n\\u0001\",\"b\":[-3,0.5,null],\"c\":{},\"d\":true}");
    free(out);
}

AIF_TESTS(core_core) = {
    {"core/err_set_and_wrap", err_set_and_wrap},
    {"core/alloc_fail_injection", alloc_fail_injection},
    {"core/pool_runs_every_share", pool_runs_every_share},
    {"core/fs_roundtrip", fs_roundtrip},
    {"core/json_writer_escapes_and_nests", json_writer_escapes_and_nests},
    {NULL, NULL},
};
