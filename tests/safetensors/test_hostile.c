/* test_hostile.c: malformed and hostile safetensors files and model
 * directories, each built by hand in a temp dir, each with the exact error
 * code and a piece of the message checked. The expected numbers in the
 * messages are worked out by hand in the comments. */
#include "harness.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "aif/fs.h"
#include "aif/safetensors.h"

/* Write raw bytes to dir/name; return the path (harness-owned buffer). */
static const char *write_raw(const char *dir, const char *name, const void *data, size_t len)
{
    static char paths[16][512];
    static int k;
    char *p = paths[k++ % 16];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len))
        aif_test_fail(__FILE__, __LINE__, "cannot write %s", p);
    if (f)
        fclose(f);
    return p;
}

/* A file with header length field `n_field`, header text `h` and
 * `data_len` data bytes (0, 1, 2, ... mod 256). */
static const char *write_st(const char *dir, const char *name, uint64_t n_field, const char *h, size_t data_len)
{
    static uint8_t buf[4096];
    size_t hl = strlen(h);
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)(n_field >> (8 * i));
    memcpy(buf + 8, h, hl);
    for (size_t i = 0; i < data_len; i++)
        buf[8 + hl + i] = (uint8_t)i;
    return write_raw(dir, name, buf, 8 + hl + data_len);
}

/* Header length equal to the text's length. */
static const char *write_h(const char *dir, const char *name, const char *h, size_t data_len)
{
    return write_st(dir, name, strlen(h), h, data_len);
}

static aif_code open_file(const char *path, aif_err *err)
{
    aif_safetensors *st = NULL;
    aif_code rc = aif_safetensors_open(path, &st, err);
    CHECK(rc == AIF_OK ? st != NULL : st == NULL);
    aif_safetensors_close(st);
    return rc;
}

static aif_code open_h(const char *h, size_t data_len, aif_err *err)
{
    return open_file(write_h(aif_test_tmpdir(), "x.safetensors", h, data_len), err);
}

static void short_files(void)
{
    const char *d = aif_test_tmpdir();
    aif_err err;
    CHECK_ERR(open_file(write_raw(d, "empty.safetensors", "", 0), &err), AIF_EFORMAT, err, "empty file");
    CHECK(strstr(err.msg, "empty.safetensors") != NULL);
    CHECK_ERR(open_file(write_raw(d, "five.safetensors", "\x02\0\0\0\0", 5), &err), AIF_EFORMAT, err,
              "file is 5 bytes, shorter than the 8-byte header length");
    /* Length 1000, 12 bytes follow ("{}" + 10 data bytes), file 20 bytes. */
    CHECK_ERR(open_file(write_st(d, "long.safetensors", 1000, "{}", 10), &err), AIF_EFORMAT, err,
              "header length 1000 exceeds the 12 bytes that follow it (file size 20)");
    CHECK_ERR(open_file(write_st(d, "cap.safetensors", 100000001, "{}", 0), &err), AIF_ERANGE, err,
              "header length 100000001 exceeds the limit of 100000000 bytes");
    CHECK_ERR(open_file(write_st(d, "max.safetensors", UINT64_MAX, "{}", 0), &err), AIF_ERANGE, err,
              "header length 18446744073709551615 exceeds the limit");
    CHECK_ERR(aif_safetensors_open("/nonexistent/dir/x.safetensors", &(aif_safetensors *){0}, &err), AIF_ENOTFOUND,
              err, "/nonexistent/dir/x.safetensors");
}

static void bad_json(void)
{
    aif_err err;
    CHECK_ERR(open_h("{abc", 0, &err), AIF_EFORMAT, err, "header is not valid JSON");
    CHECK_ERR(open_h("[1, 2]  ", 0, &err), AIF_EFORMAT, err, "header is an array, expected a JSON object");
    CHECK_ERR(open_h("\"str\"", 0, &err), AIF_EFORMAT, err, "header is a string, expected a JSON object");
    CHECK_ERR(open_h("", 0, &err), AIF_EFORMAT, err, "header is not valid JSON");
    CHECK_ERR(open_h("{} x", 0, &err), AIF_EFORMAT, err, "header is not valid JSON");
    /* 9 levels: 1 object + 8 arrays. */
    CHECK_ERR(open_h("{\"__metadata__\":[[[[[[[[1]]]]]]]]}", 0, &err), AIF_ERANGE, err, "nested deeper than 8");
    /* A NUL inside the header is not JSON whitespace. */
    CHECK_ERR(open_file(write_raw(aif_test_tmpdir(), "nul.safetensors", "\x03\0\0\0\0\0\0\0{}\0", 11), &err),
              AIF_EFORMAT, err, "header is not valid JSON");
}

static void bad_utf8(void)
{
    aif_err err;
    /* 0xff can never appear in UTF-8: header byte 3 ('{', '"', 'a', 0xff). */
    CHECK_ERR(open_h("{\"a\xff\":1}", 0, &err), AIF_EUTF8, err, "invalid UTF-8 at header byte 3 (file offset 11, byte 0xff)");
    /* Overlong '/', a UTF-16 surrogate, a lone continuation, a truncated sequence, above U+10FFFF. */
    CHECK_ERR(open_h("{\"\xc0\xaf\":1}", 0, &err), AIF_EUTF8, err, "header byte 2");
    CHECK_ERR(open_h("{\"\xed\xa0\x80\":1}", 0, &err), AIF_EUTF8, err, "header byte 2");
    CHECK_ERR(open_h("{\"\x80\":1}", 0, &err), AIF_EUTF8, err, "header byte 2");
    CHECK_ERR(open_h("{\"\xe2\x82", 0, &err), AIF_EUTF8, err, "header byte 2");
    CHECK_ERR(open_h("{\"\xf4\x90\x80\x80\":1}", 0, &err), AIF_EUTF8, err, "header byte 2");
    /* Valid multi-byte names are fine: "é" and "€" and U+1F600. */
    CHECK_OK(open_h("{\"\xc3\xa9\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                    "\"\xe2\x82\xac\xf0\x9f\x98\x80\":{\"dtype\":\"F16\",\"shape\":[0],\"data_offsets\":[4,4]}}",
                    4, &err),
             err);
}

static void bad_dtype(void)
{
    aif_err err;
    CHECK_ERR(open_h("{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16, &err), AIF_ENOTSUP, err,
              "unsupported dtype I64 for tensor 'ids'");
    CHECK_ERR(open_h("{\"w8\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, &err), AIF_ENOTSUP,
              err, "unsupported dtype F8_E4M3 for tensor 'w8'");
    CHECK_ERR(open_h("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1, &err), AIF_ENOTSUP, err,
              "unsupported dtype BOOL for tensor 'm'");
    CHECK_ERR(open_h("{\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, &err), AIF_ENOTSUP, err,
              "unsupported dtype F64 for tensor 'd'");
    CHECK_ERR(open_h("{\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, &err), AIF_EFORMAT, err,
              "tensor 'w': dtype: expected a string, found an integer");
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, &err), AIF_EFORMAT, err,
              "tensor 'w': missing \"data_offsets\"");
    CHECK_ERR(open_h("{\"w\":[1]}", 0, &err), AIF_EFORMAT, err, "tensor 'w': expected an object");
}

static void bad_shape(void)
{
    aif_err err;
    /* F32 [2, 3] = 24 bytes, the offsets span 20. */
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20, &err), AIF_EFORMAT, err,
              "tensor 'w': shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 20) span 20");
    /* BF16 [5] = 10 bytes, not 20. */
    CHECK_ERR(open_h("{\"b\":{\"dtype\":\"BF16\",\"shape\":[5],\"data_offsets\":[0,20]}}", 20, &err), AIF_EFORMAT, err,
              "needs 10 bytes but data_offsets [0, 20) span 20");
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, &err), AIF_EFORMAT, err,
              "tensor 'w': shape[0]: expected a non-negative integer, found a negative integer");
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4, &err), AIF_EFORMAT, err,
              "shape[0]: expected a non-negative integer, found a real number");
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":{},\"data_offsets\":[0,4]}}", 4, &err), AIF_EFORMAT, err,
              "tensor 'w': shape: expected an array, found an object");
    /* 2^32 * 2^32 = 2^64 elements overflows int64. */
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4, &err),
              AIF_ERANGE, err, "tensor 'w': shape [4294967296, 4294967296] overflows");
    /* 2^62 elements fit int64 but 2^62 * 4 bytes do not. */
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,4]}}", 4, &err),
              AIF_ERANGE, err, "overflows 64-bit byte counts");
    /* Beyond int64 entirely: jansson refuses the number. */
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}", 4, &err),
              AIF_EFORMAT, err, "not valid JSON");
    /* A zero dim after a huge one: 0 elements, no overflow. */
    CHECK_OK(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,0],\"data_offsets\":[0,0]}}", 0, &err),
             err);
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4, &err),
              AIF_ERANGE, err, "tensor 'w': shape has 9 dims, at most 8");
}

static void bad_offsets(void)
{
    aif_err err;
    /* 8 data bytes, the tensor wants [0, 16). */
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, &err), AIF_EFORMAT, err,
              "tensor 'w': data_offsets [0, 16) outside the data section of 8 bytes");
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[18446744073709551600,16]}}", 16, &err),
              AIF_EFORMAT, err, "not valid JSON"); /* above int64: jansson refuses it */
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8, &err), AIF_EFORMAT, err,
              "tensor 'w': data_offsets [8, 4): begin after end");
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 8, &err), AIF_EFORMAT, err,
              "tensor 'w': data_offsets: expected two non-negative integers");
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8, &err), AIF_EFORMAT, err,
              "tensor 'w': data_offsets: expected [begin, end]");
    /* a = [0, 8), b = [4, 12): bytes 4..7 shared. */
    CHECK_ERR(open_h("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                     "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                     12, &err),
              AIF_EFORMAT, err, "tensors 'a' [0, 8) and 'b' [4, 12) overlap");
    /* Same range twice under two names. */
    CHECK_ERR(open_h("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                     "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}",
                     8, &err),
              AIF_EFORMAT, err, "overlap");
    /* a = [0, 8), b = [12, 20): 4 bytes nobody owns. */
    CHECK_ERR(open_h("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                     "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}",
                     20, &err),
              AIF_EFORMAT, err, "tensor 'b' starts at data offset 12, expected 8 (a gap after 'a'");
    CHECK_ERR(open_h("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, &err), AIF_EFORMAT, err,
              "tensor 'a' starts at data offset 4, expected 0");
    /* 12 data bytes, tensors cover 8. */
    CHECK_ERR(open_h("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12, &err), AIF_EFORMAT, err,
              "tensors cover 8 bytes but the data section holds 12");
}

static void duplicates_and_metadata(void)
{
    aif_err err;
    CHECK_ERR(open_h("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                     "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                     8, &err),
              AIF_EFORMAT, err, "duplicate tensor name 'w'");
    CHECK_ERR(open_h("{\"__metadata__\":{\"format\":\"pt\",\"step\":1}}", 0, &err), AIF_EFORMAT, err,
              "__metadata__ key 'step': expected a string value, found an integer");
    CHECK_ERR(open_h("{\"__metadata__\":{\"format\":null}}", 0, &err), AIF_EFORMAT, err,
              "__metadata__ key 'format': expected a string value, found null");
    CHECK_ERR(open_h("{\"__metadata__\":[\"pt\"]}", 0, &err), AIF_EFORMAT, err,
              "__metadata__: expected an object of strings, found an array");
    CHECK_ERR(open_h("{\"__metadata__\":{},\"__metadata__\":{}}", 0, &err), AIF_EFORMAT, err,
              "duplicate tensor name '__metadata__'");
    /* The error names the file. */
    CHECK(strstr(err.msg, "x.safetensors") != NULL);
}

/* Shards written by hand: a, b (F32 [1]) in shard 1, c (F32 [2]) in shard 2. */
#define SHARD1 "model-00001-of-00002.safetensors"
#define SHARD2 "model-00002-of-00002.safetensors"
#define H1 "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"
#define H2 "{\"c\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"

static const char *shard_dir(int write2, const char *index)
{
    const char *d = aif_test_tmpdir();
    write_h(d, SHARD1, H1, 8);
    if (write2)
        write_h(d, SHARD2, H2, 8);
    write_raw(d, "model.safetensors.index.json", index, strlen(index));
    return d;
}

static aif_code open_d(const char *dir, aif_err *err)
{
    aif_safetensors *st = NULL;
    aif_code rc = aif_safetensors_open_dir(dir, &st, err);
    aif_safetensors_close(st);
    return rc;
}

static void sharded_ok_and_hostile(void)
{
    aif_err err;
    const char *good = "{\"metadata\":{\"total_size\":16},\"weight_map\":{\"a\":\"" SHARD1 "\",\"b\":\"" SHARD1
                       "\",\"c\":\"" SHARD2 "\"}}";
    aif_safetensors *st = NULL;
    const char *d = shard_dir(1, good);
    CHECK_OK(aif_safetensors_open_dir(d, &st, &err), err);
    if (st) {
        CHECK_EQ(aif_safetensors_count(st), 3);
        CHECK_STR(aif_safetensors_at(st, 0)->name, "a");
        CHECK_STR(aif_safetensors_at(st, 2)->name, "c");
        CHECK(strstr(aif_safetensors_find(st, "c")->file, SHARD2) != NULL);
        CHECK(strstr(aif_safetensors_find(st, "b")->file, SHARD1) != NULL);
        /* c's bytes are 0..7 as written. */
        CHECK_MEM(aif_safetensors_find(st, "c")->data, "\x00\x01\x02\x03\x04\x05\x06\x07", 8);
        /* Two files of 8 + len(H) + 8 bytes each. */
        CHECK_EQ(aif_safetensors_total_bytes(st), 16 + strlen(H1) + 16 + strlen(H2));
        aif_safetensors_close(st);
    }
    CHECK_ERR(open_d(shard_dir(0, good), &err), AIF_ENOTFOUND, err,
              "shard '" SHARD2 "' (for tensor 'c') is missing");
    /* The index promises d in shard 2, which holds only c. */
    CHECK_ERR(open_d(shard_dir(1, "{\"weight_map\":{\"a\":\"" SHARD1 "\",\"b\":\"" SHARD1 "\",\"c\":\"" SHARD2
                                  "\",\"d\":\"" SHARD2 "\"}}"),
                     &err),
              AIF_EFORMAT, err, "tensor 'd' is mapped to shard '" SHARD2 "' but no shard contains it");
    /* The index puts b in shard 2, but it lives in shard 1. */
    CHECK_ERR(open_d(shard_dir(1, "{\"weight_map\":{\"a\":\"" SHARD1 "\",\"b\":\"" SHARD2 "\",\"c\":\"" SHARD2 "\"}}"),
                     &err),
              AIF_EFORMAT, err, "tensor 'b' is mapped to shard '" SHARD2 "' but is found in '" SHARD1 "'");
    /* Shard 2 also carries a. */
    d = shard_dir(1, good);
    write_h(d, SHARD2,
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
            "\"c\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
            12);
    CHECK_ERR(open_d(d, &err), AIF_EFORMAT, err, "tensor 'a' appears in two shards");
    CHECK(strstr(err.msg, SHARD1) && strstr(err.msg, SHARD2));
    CHECK_ERR(open_d(shard_dir(1, "{\"weight_map\":{\"a\":\"../" SHARD1 "\"}}"), &err), AIF_EFORMAT, err,
              "weight_map['a'] = '../" SHARD1 "': shard names must be plain file names");
    CHECK_ERR(open_d(shard_dir(1, "{\"weight_map\":{\"a\":\"/etc/passwd\"}}"), &err), AIF_EFORMAT, err,
              "shard names must be plain file names");
    CHECK_ERR(open_d(shard_dir(1, "{\"weight_map\":{\"a\":\"..\"}}"), &err), AIF_EFORMAT, err,
              "shard names must be plain file names");
    CHECK_ERR(open_d(shard_dir(1, "{\"weight_map\":{\"a\":1}}"), &err), AIF_EFORMAT, err,
              "weight_map['a']: expected a shard file name");
    CHECK_ERR(open_d(shard_dir(1, "{\"weight_map\":{}}"), &err), AIF_EFORMAT, err, "weight_map is empty");
    CHECK_ERR(open_d(shard_dir(1, "{\"metadata\":{}}"), &err), AIF_EFORMAT, err, "\"weight_map\" object");
    CHECK_ERR(open_d(shard_dir(1, "{\"weight_map\":"), &err), AIF_EFORMAT, err, "not valid JSON");
    /* A broken shard: the error names the shard file. */
    d = shard_dir(1, good);
    write_h(d, SHARD2, "{\"c\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
    CHECK_ERR(open_d(d, &err), AIF_ENOTSUP, err, SHARD2 ": unsupported dtype I64 for tensor 'c'");
}

static void model_dirs(void)
{
    aif_err err;
    const char *d = aif_test_tmpdir();
    CHECK_ERR(open_d(d, &err), AIF_ENOTFOUND, err,
              "neither model.safetensors.index.json nor model.safetensors exists");
    write_raw(d, "pytorch_model.bin", "PK\x03\x04", 4);
    CHECK_ERR(open_d(d, &err), AIF_ENOTSUP, err, "pickle weights are not supported; convert to safetensors");
    CHECK_ERR(open_d("/nonexistent/model", &err), AIF_ENOTFOUND, err, "/nonexistent/model: not a directory");
    /* A single file next to the pickle wins. */
    write_h(d, "model.safetensors", "{\"__metadata__\":{\"format\":\"pt\"}}", 0);
    aif_safetensors *st = NULL;
    CHECK_OK(aif_safetensors_open_dir(d, &st, &err), err);
    if (st) {
        CHECK_EQ(aif_safetensors_count(st), 0);
        CHECK_STR(aif_safetensors_metadata(st, "format"), "pt");
        aif_safetensors_close(st);
    }
}

/* The Hugging Face cache keeps snapshot files as symlinks into blobs/. */
static void symlinked_snapshot(void)
{
    const char *root = aif_test_tmpdir();
    char blobs[512], snap[512], link[600];
    snprintf(blobs, sizeof blobs, "%s/blobs", root);
    snprintf(snap, sizeof snap, "%s/snapshots/abc", root);
    aif_err err;
    CHECK_OK(aif_fs_mkdirs(blobs, &err), err);
    CHECK_OK(aif_fs_mkdirs(snap, &err), err);
    write_h(blobs, "0123abcd", H2, 8);
    snprintf(link, sizeof link, "%s/model.safetensors", snap);
    CHECK(symlink("../../blobs/0123abcd", link) == 0);
    aif_safetensors *st = NULL;
    CHECK_OK(aif_safetensors_open_dir(snap, &st, &err), err);
    if (st) {
        CHECK_EQ(aif_safetensors_count(st), 1);
        CHECK_STR(aif_safetensors_at(st, 0)->file, link);
        aif_safetensors_close(st);
    }
}

/* In-memory images: the name given is what messages use. */
static void parse_memory(void)
{
    static const uint8_t img[] = "\x10\0\0\0\0\0\0\0{\"__metadata__\":{}}\x01";
    aif_safetensors *st = NULL;
    aif_err err;
    /* 16-byte header "{"__metadata__":{}}" is 19 bytes: the length says 16. */
    CHECK_ERR(aif_safetensors_parse(img, sizeof img - 1, "blob", &st, &err), AIF_EFORMAT, err, "blob: header is not valid JSON");
    CHECK(st == NULL);
    /* 26 bytes of JSON + 6 spaces = 32 = 0x20. */
    static const uint8_t ok[] = "\x20\0\0\0\0\0\0\0{\"__metadata__\":{\"a\":\"b\"}}      ";
    CHECK_OK(aif_safetensors_parse(ok, sizeof ok - 1, NULL, &st, &err), err);
    if (st) {
        CHECK_EQ(aif_safetensors_count(st), 0);
        CHECK_STR(aif_safetensors_metadata(st, "a"), "b");
        CHECK_EQ(aif_safetensors_total_bytes(st), 40);
        aif_safetensors_close(st);
    }
    CHECK_ERR(aif_safetensors_parse(ok, 7, NULL, &st, &err), AIF_EFORMAT, err, "(memory): file is 7 bytes");
}

AIF_TESTS(safetensors_hostile) = {
    {"safetensors/hostile_short_files", short_files},
    {"safetensors/hostile_json", bad_json},
    {"safetensors/hostile_utf8", bad_utf8},
    {"safetensors/hostile_dtype", bad_dtype},
    {"safetensors/hostile_shape", bad_shape},
    {"safetensors/hostile_offsets", bad_offsets},
    {"safetensors/hostile_duplicates_metadata", duplicates_and_metadata},
    {"safetensors/hostile_sharded", sharded_ok_and_hostile},
    {"safetensors/model_dirs", model_dirs},
    {"safetensors/symlinked_snapshot", symlinked_snapshot},
    {"safetensors/parse_memory", parse_memory},
    {NULL, NULL},
};
