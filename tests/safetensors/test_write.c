/* test_write.c: aif_safetensors_save against bytes the reference library
 * produced, byte-for-byte rewrites of the testdata files, round trips and a
 * sharded model read back through aif_safetensors_open_dir. */
#include "harness.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/safetensors.h"

static char *slurp(const char *path, size_t *len)
{
    char *p = NULL;
    aif_err err;
    if (aif_fs_read_file(path, 64u << 20, &p, len, &err) != AIF_OK) {
        aif_test_fail(__FILE__, __LINE__, "%s", err.msg);
        return NULL;
    }
    return p;
}

static const char *tmp_file(const char *name)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 512, "%s/%s", aif_test_tmpdir(), name);
    return p;
}

static void check_file(const char *path, const uint8_t *want, size_t n)
{
    size_t len = 0;
    char *got = slurp(path, &len);
    CHECK_EQ(len, n);
    if (got && len == n)
        CHECK_MEM(got, want, n);
    aif_free(got);
}

/* Known answers from the tests of huggingface/safetensors
 * (safetensors/src/tensor.rs: test_serialization, test_empty,
 * test_serialization_forced_alignement), i.e. what the reference writes. */
static void reference_vectors(void)
{
    static const uint8_t ser[] = {
        64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58,
        34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116,
        97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
        0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64};
    static const uint8_t empty[] = {8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32};
    static const uint8_t empty_meta[] = {40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97,
                                         95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58,
                                         34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32};
    static const uint8_t aligned[] = {
        72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34,
        70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97,
        116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
        32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64};
    const float v[6] = {0, 1, 2, 3, 4, 5};
    const int64_t s3[3] = {1, 2, 3}, s4[4] = {1, 1, 2, 3};
    aif_err err;
    const char *p = tmp_file("ser.safetensors");
    aif_st_write t = {"attn.0", AIF_DTYPE_F32, 3, s3, v};
    CHECK_OK(aif_safetensors_save(p, &t, 1, NULL, 0, &err), err);
    check_file(p, ser, sizeof ser);
    p = tmp_file("empty.safetensors");
    CHECK_OK(aif_safetensors_save(p, NULL, 0, NULL, 0, &err), err);
    check_file(p, empty, sizeof empty);
    const char *kv[2] = {"framework", "pt"};
    p = tmp_file("empty_meta.safetensors");
    CHECK_OK(aif_safetensors_save(p, NULL, 0, kv, 1, &err), err);
    check_file(p, empty_meta, sizeof empty_meta);
    p = tmp_file("aligned.safetensors");
    aif_st_write t4 = {"attn0", AIF_DTYPE_F32, 4, s4, v};
    CHECK_OK(aif_safetensors_save(p, &t4, 1, NULL, 0, &err), err);
    check_file(p, aligned, sizeof aligned);
    /* And the reader accepts what the reference wrote. */
    aif_safetensors *st = NULL;
    CHECK_OK(aif_safetensors_parse(ser, sizeof ser, "ser", &st, &err), err);
    if (st) {
        const aif_st_tensor *a = aif_safetensors_find(st, "attn.0");
        CHECK(a && a->n_dims == 3 && a->shape[2] == 3 && a->n_elements == 6 && a->n_bytes == 24);
        CHECK(a && !memcmp(a->data, v, 24));
        aif_safetensors_close(st);
    }
}

/* Rewrite a testdata file through the writer, tensors handed over in
 * reverse file order. The testdata script put `__metadata__` last; the
 * reference library puts it first (Metadata::serialize), so the expected
 * bytes are the original with that one entry moved to the front, which
 * keeps the header length. Without metadata, the entry is dropped and the
 * header re-padded to a multiple of 8. */
static void rewrite(const char *rel)
{
    const char *src = aif_test_path(rel);
    size_t len = 0;
    char *orig = slurp(src, &len);
    aif_safetensors *st = NULL;
    aif_err err;
    CHECK_OK(aif_safetensors_open(src, &st, &err), err);
    if (!orig || !st) {
        aif_free(orig);
        aif_safetensors_close(st);
        return;
    }
    size_t n = aif_safetensors_count(st);
    aif_st_write *w = aif_calloc(n, sizeof *w);
    char *want = aif_malloc(len), *want2 = aif_malloc(len);
    if (!w || !want || !want2) { /* only under --fail-alloc */
        aif_free(w), aif_free(want), aif_free(want2), aif_free(orig), aif_safetensors_close(st);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const aif_st_tensor *t = aif_safetensors_at(st, n - 1 - i);
        w[i] = (aif_st_write){t->name, t->dtype, t->n_dims, t->shape, t->data};
    }
    uint64_t hn = 0;
    for (int i = 7; i >= 0; i--)
        hn = (hn << 8) | (uint8_t)orig[i];
    const char *meta = ",\"__metadata__\":{\"format\":\"pt\"}";
    size_t ml = strlen(meta);
    char *hdr = orig + 8;
    char *at = strstr(hdr, meta);
    CHECK(at != NULL && at < hdr + hn);
    if (!at) {
        aif_free(w), aif_free(want), aif_free(want2), aif_free(orig), aif_safetensors_close(st);
        return;
    }
    /* With metadata: "{" + "\"__metadata__\":{...}," + the rest. */
    memcpy(want, orig, len);
    size_t k = 8;
    want[k++] = '{';
    memcpy(want + k, meta + 1, ml - 1), k += ml - 1;
    want[k++] = ',';
    size_t body = (size_t)(at - (hdr + 1)); /* tensors, without the braces */
    memcpy(want + k, hdr + 1, body), k += body;
    CHECK_EQ(k, 8 + 1 + ml + body);
    const char *kv[2] = {"format", "pt"};
    const char *out = tmp_file("rewrite.safetensors");
    CHECK_OK(aif_safetensors_save(out, w, n, kv, 1, &err), err);
    check_file(out, (const uint8_t *)want, len);

    /* Without metadata. */
    size_t hl = 1 + body + 1, pad = (8 - hl % 8) % 8, data_len = len - 8 - (size_t)hn;
    size_t wl = 8 + hl + pad + data_len; /* <= len: the entry removed is longer than the padding */
    CHECK(wl <= len);
    if (wl > len)
        goto done;
    for (int i = 0; i < 8; i++)
        want2[i] = (char)((uint64_t)(hl + pad) >> (8 * i));
    want2[8] = '{';
    memcpy(want2 + 9, hdr + 1, body);
    want2[9 + body] = '}';
    memset(want2 + 10 + body, ' ', pad);
    memcpy(want2 + 8 + hl + pad, orig + 8 + hn, data_len);
    out = tmp_file("nometa.safetensors");
    CHECK_OK(aif_safetensors_save(out, w, n, NULL, 0, &err), err);
    check_file(out, (const uint8_t *)want2, wl);
done:
    aif_free(want2);
    aif_free(want);
    aif_free(w);
    aif_free(orig);
    aif_safetensors_close(st);
}

static void rewrite_f32(void) { rewrite("models/stories260K-hf-f32/model.safetensors"); }
static void rewrite_bf16(void) { rewrite("models/stories260K-hf-bf16/model.safetensors"); }

/* Mixed dtypes and escapes; the expected header is written by hand from the
 * rules: F32 first, then BF16, then F16, names bytewise within a dtype;
 * strings escaped as serde_json does. */
static void order_and_escapes(void)
{
    const uint16_t h[3] = {0x3c00, 0x4000, 0x4200};  /* f16 1, 2, 3 */
    const uint16_t b[2] = {0x3f80, 0x4000};          /* bf16 1, 2 */
    const float f[1] = {1.5f};
    const int64_t s3[1] = {3}, s2[1] = {2}, s0[2] = {4, 0};
    aif_st_write t[] = {
        {"a", AIF_DTYPE_F16, 1, s3, h},
        {"b", AIF_DTYPE_BF16, 1, s2, b},
        {"z", AIF_DTYPE_F32, 0, NULL, f},
        {"Z\xc3\xa9", AIF_DTYPE_F32, 2, s0, NULL},
        {"q\"\\\n\x01", AIF_DTYPE_F32, 2, s0, NULL},
    };
    const char *kv[4] = {"k\t", "v\x1f\x7f\r", "fmt", "pt"};
    const char *p = tmp_file("mixed.safetensors");
    aif_err err;
    CHECK_OK(aif_safetensors_save(p, t, 5, kv, 2, &err), err);
    const char *want_h = "{\"__metadata__\":{\"k\\t\":\"v\\u001f\x7f\\r\",\"fmt\":\"pt\"},"
                         "\"Z\xc3\xa9\":{\"dtype\":\"F32\",\"shape\":[4,0],\"data_offsets\":[0,0]},"
                         "\"q\\\"\\\\\\n\\u0001\":{\"dtype\":\"F32\",\"shape\":[4,0],\"data_offsets\":[0,0]},"
                         "\"z\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                         "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                         "\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[8,14]}}";
    size_t hl = strlen(want_h), pad = (8 - hl % 8) % 8;
    size_t len = 0;
    char *got = slurp(p, &len);
    CHECK_EQ(len, 8 + hl + pad + 14);
    if (got && len == 8 + hl + pad + 14) {
        CHECK_EQ((uint8_t)got[0] | (uint8_t)got[1] << 8, hl + pad);
        CHECK_MEM(got + 8, want_h, hl);
        for (size_t i = 0; i < pad; i++)
            CHECK_EQ(got[8 + hl + i], ' ');
        CHECK_MEM(got + 8 + hl + pad, f, 4);
        CHECK_MEM(got + 8 + hl + pad + 4, b, 4);
        CHECK_MEM(got + 8 + hl + pad + 8, h, 6);
    }
    aif_free(got);
    /* Round trip through the reader (jansson undoes the escapes). */
    aif_safetensors *st = NULL;
    CHECK_OK(aif_safetensors_open(p, &st, &err), err);
    if (st) {
        CHECK_EQ(aif_safetensors_count(st), 5);
        CHECK_STR(aif_safetensors_metadata(st, "k\t"), "v\x1f\x7f\r");
        CHECK_STR(aif_safetensors_metadata(st, "fmt"), "pt");
        const aif_st_tensor *z = aif_safetensors_find(st, "z");
        CHECK(z && z->n_dims == 0 && z->n_elements == 1 && !memcmp(z->data, f, 4));
        const aif_st_tensor *q = aif_safetensors_find(st, "q\"\\\n\x01");
        CHECK(q && q->n_elements == 0 && q->n_bytes == 0 && q->shape[0] == 4 && q->shape[1] == 0);
        const aif_st_tensor *a = aif_safetensors_find(st, "a");
        CHECK(a && a->dtype == AIF_DTYPE_F16 && !memcmp(a->data, h, 6));
        aif_safetensors_close(st);
    }
}

static void writer_errors(void)
{
    const float f[2] = {1, 2};
    const int64_t s1[1] = {1}, sneg[1] = {-2}, sbig[2] = {INT64_MAX, 2};
    aif_err err;
    const char *p = tmp_file("bad.safetensors");
    aif_st_write dup[2] = {{"w", AIF_DTYPE_F32, 1, s1, f}, {"w", AIF_DTYPE_BF16, 1, s1, f}};
    CHECK_ERR(aif_safetensors_save(p, dup, 2, NULL, 0, &err), AIF_EINVAL, err, "tensor name 'w' given twice");
    aif_st_write meta = {"__metadata__", AIF_DTYPE_F32, 1, s1, f};
    CHECK_ERR(aif_safetensors_save(p, &meta, 1, NULL, 0, &err), AIF_EINVAL, err, "'__metadata__' is reserved");
    aif_st_write neg = {"n", AIF_DTYPE_F32, 1, sneg, f};
    CHECK_ERR(aif_safetensors_save(p, &neg, 1, NULL, 0, &err), AIF_EINVAL, err, "tensor 'n': shape[0] = -2 is negative");
    aif_st_write big = {"g", AIF_DTYPE_F32, 2, sbig, f};
    CHECK_ERR(aif_safetensors_save(p, &big, 1, NULL, 0, &err), AIF_ERANGE, err, "tensor 'g': shape overflows");
    aif_st_write bad8 = {"\xff", AIF_DTYPE_F32, 1, s1, f};
    CHECK_ERR(aif_safetensors_save(p, &bad8, 1, NULL, 0, &err), AIF_EUTF8, err, "not valid UTF-8");
    const char *kv[4] = {"a", "1", "a", "2"};
    CHECK_ERR(aif_safetensors_save(p, NULL, 0, kv, 2, &err), AIF_EINVAL, err, "metadata key 'a' given twice");
    CHECK(!aif_fs_exists(p));
    CHECK_ERR(aif_safetensors_save("/nonexistent/dir/x.safetensors", NULL, 0, NULL, 0, &err), AIF_EIO, err,
              "/nonexistent/dir/x.safetensors.tmp.");
}

/* Two shards from the writer plus an index written here, read back. */
static void sharded_roundtrip(void)
{
    const char *d = aif_test_tmpdir();
    char p1[512], p2[512], pi[512];
    snprintf(p1, sizeof p1, "%s/model-00001-of-00002.safetensors", d);
    snprintf(p2, sizeof p2, "%s/model-00002-of-00002.safetensors", d);
    snprintf(pi, sizeof pi, "%s/model.safetensors.index.json", d);
    float e[6] = {1, 2, 3, 4, 5, 6}, n[3] = {7, 8, 9};
    uint16_t l[6] = {1, 2, 3, 4, 5, 6};
    const int64_t s23[2] = {2, 3}, s3[1] = {3};
    aif_st_write a[2] = {{"model.embed_tokens.weight", AIF_DTYPE_F32, 2, s23, e},
                         {"model.norm.weight", AIF_DTYPE_F32, 1, s3, n}};
    aif_st_write b[1] = {{"lm_head.weight", AIF_DTYPE_BF16, 2, s23, l}};
    const char *kv[2] = {"format", "pt"};
    aif_err err;
    CHECK_OK(aif_safetensors_save(p1, a, 2, kv, 1, &err), err);
    CHECK_OK(aif_safetensors_save(p2, b, 1, kv, 1, &err), err);
    const char *idx = "{\n  \"metadata\": {\"total_size\": 48},\n  \"weight_map\": {\n"
                      "    \"lm_head.weight\": \"model-00002-of-00002.safetensors\",\n"
                      "    \"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\",\n"
                      "    \"model.norm.weight\": \"model-00001-of-00002.safetensors\"\n  }\n}\n";
    CHECK_OK(aif_fs_write_file(pi, idx, strlen(idx), &err), err);
    aif_safetensors *st = NULL;
    CHECK_OK(aif_safetensors_open_dir(d, &st, &err), err);
    if (!st)
        return;
    CHECK_EQ(aif_safetensors_count(st), 3);
    /* Shard order, then offset order. */
    CHECK_STR(aif_safetensors_at(st, 0)->name, "model.embed_tokens.weight");
    CHECK_STR(aif_safetensors_at(st, 1)->name, "model.norm.weight");
    CHECK_STR(aif_safetensors_at(st, 2)->name, "lm_head.weight");
    CHECK_STR(aif_safetensors_at(st, 2)->file, p2);
    const aif_st_tensor *t = aif_safetensors_find(st, "lm_head.weight");
    CHECK(t && t->dtype == AIF_DTYPE_BF16 && t->shape[0] == 2 && t->shape[1] == 3 && !memcmp(t->data, l, 12));
    t = aif_safetensors_find(st, "model.norm.weight");
    CHECK(t && !memcmp(t->data, n, 12));
    CHECK_STR(aif_safetensors_metadata(st, "format"), "pt");
    CHECK_EQ(aif_safetensors_total_bytes(st), aif_fs_file_size(p1) + aif_fs_file_size(p2));
    aif_safetensors_close(st);
}

AIF_TESTS(safetensors_write) = {
    {"safetensors/write_reference_vectors", reference_vectors},
    {"safetensors/write_rewrites_f32_testdata", rewrite_f32},
    {"safetensors/write_rewrites_bf16_testdata", rewrite_bf16},
    {"safetensors/write_order_and_escapes", order_and_escapes},
    {"safetensors/write_errors", writer_errors},
    {"safetensors/write_sharded_roundtrip", sharded_roundtrip},
    {NULL, NULL},
};
