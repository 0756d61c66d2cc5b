/* test_hf.c: the Hugging Face Hub backend against tests/hub/fakehub (a
 * local Hub with a second "storage" port), the recorded Hub answers in
 * testdata/hub, and fault injection: cut streams, corrupt content, 429 /
 * 500, stale parent, failing multipart parts, oversize bodies. */
#include "harness.h"

#include <dirent.h>
#include <jansson.h>
#include <sys/wait.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"
#include "aif/hub.h"
#include "aif/progress.h"
#include "aif/subnet.h"
#include "hub/fakehub.h"

#define TOKEN "hf_test"

typedef struct env {
    fakehub *fh;
    aif_hub hub;
    const char *cache;
} env;

static int env_start(env *e, int tree_page, const char *token)
{
    fakehub_opts o = {.store_dir = aif_test_tmpdir(), .lfs_threshold = 1024, .chunk_size = 64 * 1024,
                      .tree_page = tree_page};
    e->fh = fakehub_start(&o);
    e->cache = aif_test_tmpdir();
    aif_hub_hf_opts ho = {.endpoint = fakehub_url(e->fh), .token = token, .cache_dir = e->cache, .parallel = 3,
                          .retry_delay_s = 0.01, .retry_max_delay_s = 0.05, .quiet = 1};
    aif_err err;
    aif_code rc = aif_hub_hf_open(&ho, &e->hub, &err);
    CHECK_OK(rc, err);
    if (rc != AIF_OK)
        fakehub_stop(e->fh);
    return rc == AIF_OK;
}

static void env_stop(env *e)
{
    aif_hub_close(&e->hub);
    fakehub_stop(e->fh);
}

static void put(const char *dir, const char *name, const void *data, size_t len)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    aif_fs_mkdirs(p, NULL);
    *slash = '/';
    aif_err err;
    CHECK_OK(aif_fs_write_file(p, data, len, &err), err);
}

static void puts_(const char *dir, const char *name, const char *text) { put(dir, name, text, strlen(text)); }

/* Deterministic pseudo-random bytes (xorshift), so content is not compressible. */
static uint8_t *noise(size_t n, uint32_t seed)
{
    uint8_t *p = malloc(n);
    uint32_t x = seed | 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
    return p;
}

static void sha_hex(const void *d, size_t n, char out[65])
{
    uint8_t dg[32];
    aif_crypto_sha256(d, n, dg);
    aif_crypto_hex_encode(dg, 32, out);
}

static int same_file(const char *a, const char *b)
{
    char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    int ok = aif_fs_read_file(a, 64u << 20, &x, &nx, NULL) == AIF_OK &&
             aif_fs_read_file(b, 64u << 20, &y, &ny, NULL) == AIF_OK && nx == ny && !memcmp(x, y, nx);
    aif_free(x);
    aif_free(y);
    return ok;
}

static int count_incomplete(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".incomplete") != NULL;
    if (d)
        closedir(d);
    return n;
}

/* ------------------------------------------------------------ pure */

static void git_blob_oid_vectors(void)
{
    char oid[41];
    /* hub spec 2.4: git hash-object of "Hello, World!" */
    aif_hub_git_blob_oid("Hello, World!", 13, oid);
    CHECK_STR(oid, "b45ef6fec89518d314f546fd6c3025367b721684");
    /* git's well-known empty blob id */
    aif_hub_git_blob_oid("", 0, oid);
    CHECK_STR(oid, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    /* 200 bytes crosses SHA-1 block boundaries; `printf 'a%.0s' {1..200} | git hash-object --stdin` */
    char a[200];
    memset(a, 'a', sizeof a);
    aif_hub_git_blob_oid(a, sizeof a, oid);
    CHECK_STR(oid, "1d33d17ad3abab24046a78cf5a4abc31e69865b3");
}

static void parse_recorded_model_info_and_tree(void)
{
    aif_err err;
    char *text;
    size_t len;
    aif_hub_hf_info info;
    CHECK_OK(aif_fs_read_file(aif_test_path("hub/model_info_google-bert_bert-base-uncased.json"), 1 << 20, &text,
                              &len, &err), err);
    CHECK_OK(aif_hub_hf_parse_model_info(text, len, &info, &err), err);
    aif_free(text);
    CHECK_STR(info.id, "google-bert/bert-base-uncased");
    CHECK_STR(info.sha, "86b5e0934494bd15c9632b12f734a8a67f723594");
    CHECK_EQ(info.is_private, 0);
    CHECK_STR(info.gated, "false");
    CHECK_EQ(info.n, 16);
    CHECK_EQ(info.safetensors_params, 110106428);
    if (info.n == 16) {
        CHECK_STR(info.files[0].path, ".gitattributes");
        CHECK_STR(info.files[9].path, "model.safetensors");
    }
    aif_hub_hf_info_release(&info);

    memset(&info, 0, sizeof info);
    CHECK_OK(aif_fs_read_file(aif_test_path("hub/tree_google-bert_bert-base-uncased_dd4bc8b.json"), 1 << 20, &text,
                              &len, &err), err);
    CHECK_OK(aif_hub_hf_parse_tree(text, len, &info, &err), err);
    aif_free(text);
    CHECK_EQ(info.n, 5);
    if (info.n == 5) {
        CHECK_STR(info.files[1].path, "config.json");
        CHECK_EQ(info.files[1].is_lfs, 0);
        CHECK_STR(info.files[1].oid, "fca794a5f07ff8f963fe8b61e3694b0fb7f955df");
        CHECK_EQ(info.files[1].size, 313);
        CHECK_STR(info.files[3].path, "tf_model.h5");
        CHECK_EQ(info.files[3].is_lfs, 1);
        CHECK_STR(info.files[3].sha256, "a7a17d6d844b5de815ccab5f42cad6d24496db3850a2a43d8258221018ce87d2");
        CHECK_STR(info.files[3].oid, "9eb98c817f04b051b3bcca591bcd4e03cec88018");
        CHECK_EQ(info.files[3].size, 536063208);
        CHECK_STR(info.files[2].xet_hash, "2d8408d3a894d02517d04956e2f7546ff08362594072f3527ce144b5212a3296");
    }
    /* 345 + 313 + 440473133 + 536063208 + 231508 */
    CHECK_EQ(aif_hub_hf_info_bytes(&info), 976768507ull);
    aif_hub_hf_info_release(&info);

    /* hostile shapes */
    const char *bad_info[] = {"", "[]", "{\"sha\": 5}", "{\"sha\": \"xyz\"}", "{\"siblings\": {}}",
                              "{\"siblings\": [{\"size\": 3}]}", "{\"siblings\": [{\"rfilename\": \"a\", \"size\": -1}]}",
                              "{\"siblings\": [{\"rfilename\": \"a\", \"lfs\": {\"sha256\": \"00\"}}]}"};
    for (size_t i = 0; i < sizeof bad_info / sizeof *bad_info; i++)
        CHECK_ERR(aif_hub_hf_parse_model_info(bad_info[i], strlen(bad_info[i]), &info, &err), AIF_EFORMAT, err,
                  "model info");
    const char *bad_tree[] = {"{}", "[{\"type\": \"file\", \"path\": \"a\"}]", "[{\"type\": \"blob\", \"path\": \"a\"}]",
                              "[{\"type\": \"file\", \"path\": \"a\", \"oid\": \"fca794a5f07ff8f963fe8b61e3694b0fb7f955df\"}]"};
    for (size_t i = 0; i < sizeof bad_tree / sizeof *bad_tree; i++) {
        memset(&info, 0, sizeof info);
        CHECK_ERR(aif_hub_hf_parse_tree(bad_tree[i], strlen(bad_tree[i]), &info, &err), AIF_EFORMAT, err, "tree");
        aif_hub_hf_info_release(&info);
    }
}

static void parse_lfs_batch_shapes(void)
{
    /* shape of hub spec 3.5 (hfjs api-commit.ts): one stored object, one
     * basic, one multipart of 10 bytes in chunks of 4 (3 parts, keys out of order) */
    const char *ok =
        "{\"transfer\":\"basic\",\"objects\":["
        "{\"oid\":\"" "1111111111111111111111111111111111111111111111111111111111111111" "\",\"size\":5},"
        "{\"oid\":\"" "2222222222222222222222222222222222222222222222222222222222222222" "\",\"size\":6,"
        "\"authenticated\":true,\"actions\":{\"upload\":{\"href\":\"https://s3/put\",\"expires_in\":900},"
        "\"verify\":{\"href\":\"https://hub/verify\",\"header\":{}}}},"
        "{\"oid\":\"" "3333333333333333333333333333333333333333333333333333333333333333" "\",\"size\":10,"
        "\"actions\":{\"upload\":{\"href\":\"https://s3/complete\",\"header\":{\"chunk_size\":\"4\","
        "\"00003\":\"https://s3/p3\",\"00001\":\"https://s3/p1\",\"00002\":\"https://s3/p2\"}}}}]}";
    aif_hub_hf_lfs_batch b;
    aif_err err;
    CHECK_OK(aif_hub_hf_parse_lfs_batch(ok, strlen(ok), &b, &err), err);
    CHECK_EQ(b.n, 3);
    if (b.n == 3) {
        CHECK(b.objects[0].upload_href == NULL);
        CHECK_STR(b.objects[1].upload_href, "https://s3/put");
        CHECK_STR(b.objects[1].verify_href, "https://hub/verify");
        CHECK_EQ(b.objects[1].chunk_size, 0);
        CHECK_EQ(b.objects[2].chunk_size, 4);
        CHECK_EQ(b.objects[2].n_parts, 3);
        if (b.objects[2].n_parts == 3) {
            CHECK_STR(b.objects[2].part_urls[0], "https://s3/p1");
            CHECK_STR(b.objects[2].part_urls[2], "https://s3/p3");
        }
    }
    aif_hub_hf_lfs_batch_release(&b);
    const char *errobj = "{\"objects\":[{\"oid\":\"" "4444444444444444444444444444444444444444444444444444444444444444"
                         "\",\"size\":1,\"error\":{\"code\":422,\"message\":\"too big\"}}]}";
    CHECK_OK(aif_hub_hf_parse_lfs_batch(errobj, strlen(errobj), &b, &err), err);
    CHECK(b.n == 1 && b.objects[0].error_code == 422 && !strcmp(b.objects[0].error_message, "too big"));
    aif_hub_hf_lfs_batch_release(&b);
    /* 10 bytes in chunks of 4 need 3 parts, not 2 */
    const char *short_parts =
        "{\"objects\":[{\"oid\":\"" "3333333333333333333333333333333333333333333333333333333333333333" "\",\"size\":10,"
        "\"actions\":{\"upload\":{\"href\":\"h\",\"header\":{\"chunk_size\":\"4\",\"1\":\"a\",\"2\":\"b\"}}}}]}";
    CHECK_ERR(aif_hub_hf_parse_lfs_batch(short_parts, strlen(short_parts), &b, &err), AIF_EFORMAT, err, "need 3");
    const char *dup = "{\"objects\":[{\"oid\":\"" "3333333333333333333333333333333333333333333333333333333333333333"
                      "\",\"size\":8,\"actions\":{\"upload\":{\"href\":\"h\",\"header\":{\"chunk_size\":\"4\","
                      "\"1\":\"a\",\"01\":\"b\"}}}}]}";
    CHECK_ERR(aif_hub_hf_parse_lfs_batch(dup, strlen(dup), &b, &err), AIF_EFORMAT, err, "part key");
    const char *badoid = "{\"objects\":[{\"oid\":\"xy\",\"size\":1}]}";
    CHECK_ERR(aif_hub_hf_parse_lfs_batch(badoid, strlen(badoid), &b, &err), AIF_EFORMAT, err, "oid");
}

/* ------------------------------------------------------------ against the local Hub */

static void recorded_answers_and_renamed_repo(void)
{
    env e;
    if (!env_start(&e, 0, TOKEN))
        return;
    /* GET /api/models/bert-base-uncased -> recorded 307 with a relative Location -> recorded 200 */
    fakehub_static(e.fh, "GET", "/api/models/bert-base-uncased/", 307,
                   "Location: /api/models/google-bert/bert-base-uncased\r\nContent-Type: text/plain\r\n",
                   aif_test_path("hub/model_info_307_renamed_repo.txt"), NULL);
    fakehub_static(e.fh, "GET", "/api/models/google-bert/bert-base-uncased", 200,
                   "Content-Type: application/json\r\n",
                   aif_test_path("hub/model_info_google-bert_bert-base-uncased.json"), NULL);
    aif_hub_hf_info info;
    aif_err err;
    CHECK_OK(aif_hub_hf_model_info(&e.hub, "bert-base-uncased", "main", &info, &err), err);
    CHECK_STR(info.id, "google-bert/bert-base-uncased");
    CHECK_STR(info.sha, "86b5e0934494bd15c9632b12f734a8a67f723594");
    aif_hub_hf_info_release(&info);
    /* the same-host redirect keeps the token */
    char auth[300];
    CHECK(fakehub_last_auth(e.fh, "GET", "/api/models/google-bert/", auth, sizeof auth));
    CHECK_STR(auth, "Bearer " TOKEN);

    /* a hostile listing cannot write outside the cache */
    fakehub_static(e.fh, "GET", "/api/models/evil/repo/", 200, "Content-Type: application/json\r\n", NULL,
                   "{\"id\":\"evil/repo\",\"sha\":\"86b5e0934494bd15c9632b12f734a8a67f723594\",\"private\":false,"
                   "\"siblings\":[{\"rfilename\":\"../../../escape.txt\",\"size\":1}]}");
    char snap[PATH_MAX];
    CHECK_ERR(aif_hub_hf_download(&e.hub, "evil/repo", "main", NULL, 0, snap, sizeof snap, &err), AIF_EFORMAT, err,
              "unsafe file path");
    CHECK_EQ(fakehub_count(e.fh, NULL, "/resolve/"), 0);

    /* recorded 409 body on create; exist_ok turns it into success */
    fakehub_static(e.fh, "POST", "/api/repos/create", 409, "Content-Type: application/json\r\n",
                   aif_test_path("hub/create_repo_409_conflict.json"), NULL);
    CHECK_ERR(aif_hub_hf_create_repo(&e.hub, "user/tmp_test_space", 1, 0, &err), AIF_ECONFLICT, err,
              "already exists");
    CHECK_OK(aif_hub_hf_create_repo(&e.hub, "user/tmp_test_space", 1, 1, &err), err);
    env_stop(&e);
}

static void upload_download_roundtrip_and_hash(void)
{
    env e;
    if (!env_start(&e, 0, TOKEN))
        return;
    const char *src = aif_test_tmpdir();
    /* hub spec 4.3 vector files, plus a multipart-sized shard and a README */
    puts_(src, "config.json", "{}");
    puts_(src, "model.safetensors", "hello\n");
    puts_(src, "README.md", "# card\n");
    size_t big = 200 * 1024 + 7; /* 4 parts of 64 KiB */
    uint8_t *data = noise(big, 7);
    put(src, "sub/weights.bin", data, big);
    aif_err err;
    char c1[41] = "";
    CHECK_OK(aif_hub_upload(&e.hub, "alice/tiny", src, 1, "Upload LlamaForCausalLM", c1, &err), err);
    CHECK_EQ(strlen(c1), 40);
    /* the wire: preupload, one LFS batch, 4 parts + completion on the storage host, NDJSON commit with parent */
    CHECK_EQ(fakehub_count(e.fh, "POST", "/api/models/alice/tiny/preupload/main"), 1);
    CHECK_EQ(fakehub_count(e.fh, "POST", "/alice/tiny.git/info/lfs/objects/batch"), 1);
    CHECK_EQ(fakehub_count(e.fh, "PUT", "/part/"), 4);
    CHECK_EQ(fakehub_count(e.fh, "POST", "/complete/"), 1);
    CHECK_EQ(fakehub_count(e.fh, "PUT", "/up/"), 1); /* model.safetensors is LFS by name, basic PUT */
    CHECK_EQ(fakehub_cdn_auth_count(e.fh), 0);       /* pre-signed URLs never get the token */
    char ct[128];
    CHECK(fakehub_last_header(e.fh, "POST", "/commit/main", "Content-Type", ct, sizeof ct));
    CHECK_STR(ct, "application/x-ndjson");
    char *body = fakehub_last_body(e.fh, "POST", "/commit/main");
    CHECK(body && strstr(body, "\"parentCommit\":\"") && strstr(body, "\"key\":\"lfsFile\"") &&
          strstr(body, "\"summary\":\"Upload LlamaForCausalLM\""));
    free(body);
    char *create = fakehub_last_body(e.fh, "POST", "/api/repos/create");
    CHECK(create && strstr(create, "\"private\":true") && strstr(create, "\"organization\":\"alice\""));
    free(create);

    aif_hub_listing l;
    CHECK_OK(aif_hub_list(&e.hub, "alice/tiny", "main", &l, &err), err);
    CHECK_STR(l.commit, c1);
    CHECK_EQ(l.is_private, 1);
    CHECK_EQ(l.n, 5); /* + .gitattributes of the new repo */
    const aif_hub_file *f = aif_hub_listing_find(&l, "sub/weights.bin");
    char want[65];
    sha_hex(data, big, want);
    CHECK(f && f->size == big && !strcmp(f->sha256, want));
    f = aif_hub_listing_find(&l, "model.safetensors");
    /* sha256("hello\n") as sha256sum prints it */
    CHECK(f && !strcmp(f->sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"));
    aif_hub_listing_release(&l);

    /* full snapshot download, several files at once */
    char snap[PATH_MAX], p[PATH_MAX + 64], q[PATH_MAX + 64];
    CHECK_OK(aif_hub_hf_download(&e.hub, "alice/tiny", "main", NULL, 0, snap, sizeof snap, &err), err);
    const char *names[] = {"config.json", "model.safetensors", "README.md", "sub/weights.bin"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", snap, names[i]);
        snprintf(q, sizeof q, "%s/%s", src, names[i]);
        CHECK(same_file(p, q));
    }
    /* blob names: sha256 for LFS, git sha1 for regular files; relative links */
    char target[PATH_MAX] = "";
    snprintf(p, sizeof p, "%s/sub/weights.bin", snap);
    ssize_t tn = readlink(p, target, sizeof target - 1);
    target[tn > 0 ? tn : 0] = 0;
    snprintf(q, sizeof q, "../../../blobs/%s", want);
    CHECK_STR(target, q);
    snprintf(p, sizeof p, "%s/config.json", snap);
    tn = readlink(p, target, sizeof target - 1);
    target[tn > 0 ? tn : 0] = 0;
    char git[41];
    aif_hub_git_blob_oid("{}", 2, git);
    snprintf(q, sizeof q, "../../blobs/%s", git);
    CHECK_STR(target, q);
    /* refs/main and the lock folder */
    char *ref = NULL;
    size_t rl = 0;
    snprintf(p, sizeof p, "%s/models--alice--tiny/refs/main", e.cache);
    CHECK_OK(aif_fs_read_file(p, 100, &ref, &rl, &err), err);
    CHECK(ref && rl == 40 && !memcmp(ref, c1, 40));
    aif_free(ref);
    snprintf(p, sizeof p, "%s/.locks/models--alice--tiny", e.cache);
    CHECK(aif_fs_is_dir(p));
    /* the LFS body came from the storage host without the token; the resolve HEAD had it */
    CHECK(fakehub_count(e.fh, "GET", "/cdn/") >= 2);
    CHECK_EQ(fakehub_cdn_auth_count(e.fh), 0);
    char auth[300];
    CHECK(fakehub_last_auth(e.fh, "HEAD", "/alice/tiny/resolve/", auth, sizeof auth));
    /* a second download is served from the cache: no new resolve */
    int heads = fakehub_count(e.fh, "HEAD", "/resolve/");
    CHECK_OK(aif_hub_hf_download(&e.hub, "alice/tiny", c1, NULL, 0, snap, sizeof snap, &err), err);
    CHECK_EQ(fakehub_count(e.fh, "HEAD", "/resolve/"), heads);

    /* the validator path: model file set, realize, hash = hub spec 4.3 vector = hash of the source */
    const char *cache2 = aif_test_tmpdir();
    CHECK_OK(aif_hub_fetch_model(&e.hub, "alice/tiny", c1, cache2, 0, snap, sizeof snap, &err), err);
    CHECK_OK(aif_hub_cache_realize(snap, &err), err);
    char h1[AIF_SUBNET_HASH_CHARS], h2[AIF_SUBNET_HASH_CHARS];
    CHECK_OK(aif_subnet_hash_dir(snap, h1, &err), err);
    CHECK_STR(h1, "GCsMp7ViyCeyIDDfV9I4ge0E/xUDeVaKsljXTJvh7HQ=");
    char sec[AIF_SUBNET_HASH_CHARS];
    aif_subnet_secure_hash(h1, "5ExampleHotkey", sec); /* hub spec 4.3 */
    CHECK_STR(sec, "4DKVk94LvZD0C4NyFVsuZeKdBILjecxts3JhmcmS+0M=");
    const char *orig = aif_test_tmpdir();
    puts_(orig, "config.json", "{}");
    puts_(orig, "model.safetensors", "hello\n");
    CHECK_OK(aif_subnet_hash_dir(orig, h2, &err), err);
    CHECK_STR(h1, h2);

    /* uploading the same directory again changes nothing: no commit */
    int commits = fakehub_count(e.fh, "POST", "/commit/");
    char c2[41] = "";
    CHECK_OK(aif_hub_upload(&e.hub, "alice/tiny", src, 1, "again", c2, &err), err);
    CHECK_STR(c2, c1);
    CHECK_EQ(fakehub_count(e.fh, "POST", "/commit/"), commits);

    /* visibility, whoami (cached), delete */
    CHECK_OK(aif_hub_set_private(&e.hub, "alice/tiny", 0, &err), err);
    CHECK_OK(aif_hub_list(&e.hub, "alice/tiny", "main", &l, &err), err);
    CHECK_EQ(l.is_private, 0);
    aif_hub_listing_release(&l);
    char who[64];
    CHECK_OK(aif_hub_hf_whoami(&e.hub, who, sizeof who, &err), err);
    CHECK_STR(who, "alice");
    CHECK_OK(aif_hub_hf_whoami(&e.hub, who, sizeof who, &err), err);
    CHECK_EQ(fakehub_count(e.fh, "GET", "/api/whoami-v2"), 1);
    CHECK_OK(aif_hub_hf_delete_repo(&e.hub, "alice/tiny", &err), err);
    CHECK_ERR(aif_hub_list(&e.hub, "alice/tiny", "main", &l, &err), AIF_ENOTFOUND, err, "RepositoryNotFound");
    free(data);
    env_stop(&e);
}

/* The local hub's test (tests/local/test_local_hub.c), run over the HF backend. */
static void fetch_model_sharded_and_corrupt(void)
{
    env e;
    if (!env_start(&e, 0, TOKEN))
        return;
    const char *src = aif_test_tmpdir(), *cache = aif_test_tmpdir();
    puts_(src, "config.json", "{}");
    puts_(src, "model.safetensors.index.json",
          "{\"metadata\": {}, \"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\", "
          "\"b\": \"model-00002-of-00002.safetensors\", \"c\": \"model-00001-of-00002.safetensors\"}}");
    puts_(src, "model-00001-of-00002.safetensors", "one");
    puts_(src, "model-00002-of-00002.safetensors", "two");
    puts_(src, "model-00003-of-00002.safetensors", "not in the index");
    puts_(src, "tokenizer.json", "{}");
    aif_err err;
    char c[41], snap[PATH_MAX], p[PATH_MAX + 64];
    CHECK_OK(aif_hub_upload(&e.hub, "bob/sharded", src, 0, NULL, c, &err), err);
    CHECK_OK(aif_hub_fetch_model(&e.hub, "bob/sharded", c, cache, 0, snap, sizeof snap, &err), err);
    const char *want[] = {"config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                          "model-00002-of-00002.safetensors", "tokenizer.json"};
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", snap, want[i]);
        CHECK(aif_fs_exists(p));
    }
    snprintf(p, sizeof p, "%s/model-00003-of-00002.safetensors", snap);
    CHECK(!aif_fs_exists(p));

    /* corrupt the storage's answer for shard 2: refused, nothing under the final name */
    char hex[65], sub[100];
    sha_hex("two", 3, hex);
    snprintf(sub, sizeof sub, "/cdn/%s", hex);
    fakehub_fault(e.fh, "GET", sub, FH_CORRUPT, 0, NULL, 10, 1);
    const char *cache2 = aif_test_tmpdir();
    CHECK_ERR(aif_hub_fetch_model(&e.hub, "bob/sharded", c, cache2, 0, snap, sizeof snap, &err), AIF_EHASH, err,
              "model-00002-of-00002.safetensors");
    snprintf(p, sizeof p, "%s/models--bob--sharded/blobs/%s", cache2, hex);
    CHECK(!aif_fs_exists(p));
    snprintf(p, sizeof p, "%s/models--bob--sharded/blobs", cache2);
    CHECK_EQ(count_incomplete(p), 0);
    snprintf(p, sizeof p, "%s/model-00002-of-00002.safetensors", snap);
    CHECK(!aif_fs_exists(p));

    /* max_bytes from the listing, before anything is fetched */
    const char *cache3 = aif_test_tmpdir();
    int resolves = fakehub_count(e.fh, NULL, "/resolve/");
    CHECK_ERR(aif_hub_fetch_model(&e.hub, "bob/sharded", c, cache3, 50, snap, sizeof snap, &err), AIF_ECONSTRAINT,
              err, "max_bytes");
    CHECK_EQ(fakehub_count(e.fh, NULL, "/resolve/"), resolves);
    snprintf(p, sizeof p, "%s/models--bob--sharded", cache3);
    CHECK(!aif_fs_exists(p));
    CHECK_ERR(aif_hub_hf_download(&e.hub, "bob/sharded", c, NULL, 50, snap, sizeof snap, &err), AIF_ECONSTRAINT, err,
              "max_bytes");
    CHECK_EQ(fakehub_count(e.fh, NULL, "/resolve/"), resolves);
    env_stop(&e);
}

static void resume_cut_oversize_and_retries(void)
{
    env e;
    if (!env_start(&e, 0, TOKEN))
        return;
    const char *src = aif_test_tmpdir();
    size_t big = 300 * 1000 + 13;
    uint8_t *data = noise(big, 99);
    put(src, "model.safetensors", data, big);
    puts_(src, "config.json", "{\"a\": 1}");
    char hex[65], sub[100], c[41], snap[PATH_MAX], p[PATH_MAX + 64], q[PATH_MAX + 64];
    sha_hex(data, big, hex);
    aif_err err;
    /* a multipart part fails once (500): retried, upload completes */
    fakehub_fault(e.fh, "PUT", "/part/", FH_STATUS, 500, NULL, 1, 0);
    CHECK_OK(aif_hub_upload(&e.hub, "carol/big", src, 1, "up", c, &err), err);
    CHECK_EQ(fakehub_count(e.fh, "PUT", "/part/"), 5 + 1); /* ceil(300013 / 65536) = 5, one retried */

    /* the connection is cut after 100000 bytes: resumed with Range, sha256 matches */
    snprintf(sub, sizeof sub, "/cdn/%s", hex);
    fakehub_fault(e.fh, "GET", sub, FH_CUT, 0, NULL, 1, 100000);
    /* 429 with Retry-After then 500, on the metadata HEAD: both retried */
    fakehub_fault(e.fh, "HEAD", "/resolve/", FH_STATUS, 429, "Retry-After: 0", 1, 0);
    fakehub_fault(e.fh, "HEAD", "/resolve/", FH_STATUS, 500, NULL, 1, 0);
    CHECK_OK(aif_hub_hf_download(&e.hub, "carol/big", c, NULL, 0, snap, sizeof snap, &err), err);
    snprintf(p, sizeof p, "%s/model.safetensors", snap);
    snprintf(q, sizeof q, "%s/model.safetensors", src);
    CHECK(same_file(p, q));
    CHECK_EQ(fakehub_count(e.fh, "GET", sub), 2);
    char range[64];
    CHECK(fakehub_last_header(e.fh, "GET", sub, "Range", range, sizeof range));
    CHECK_STR(range, "bytes=100000-");
    CHECK_EQ(fakehub_count(e.fh, "HEAD", "/resolve/"), 3 + 2); /* 3 files (.gitattributes too) + 2 retries */

    /* a server that ignores Range: start over, still correct */
    const char *cache2 = aif_test_tmpdir();
    aif_hub h2;
    aif_hub_hf_opts ho = {.endpoint = fakehub_url(e.fh), .token = TOKEN, .cache_dir = cache2, .parallel = 2,
                          .retry_delay_s = 0.01, .retry_max_delay_s = 0.05, .quiet = 1};
    CHECK_OK(aif_hub_hf_open(&ho, &h2, &err), err);
    fakehub_fault(e.fh, "GET", sub, FH_CUT, 0, NULL, 1, 70000);
    fakehub_fault(e.fh, "GET", sub, FH_IGNORE_RANGE, 0, NULL, 1, 0);
    CHECK_OK(aif_hub_hf_download(&h2, "carol/big", c, NULL, 0, snap, sizeof snap, &err), err);
    CHECK(same_file(p, q));

    /* a server that sends more than announced is cut off */
    const char *cache3 = aif_test_tmpdir();
    aif_hub h3;
    ho.cache_dir = cache3;
    CHECK_OK(aif_hub_hf_open(&ho, &h3, &err), err);
    fakehub_fault(e.fh, "GET", sub, FH_OVERSIZE, 0, NULL, 1, 5000);
    CHECK_ERR(aif_hub_hf_download(&h3, "carol/big", c, NULL, 0, snap, sizeof snap, &err), AIF_EHASH, err,
              "more than the 300013 bytes");
    snprintf(p, sizeof p, "%s/models--carol--big/blobs/%s", cache3, hex);
    CHECK(!aif_fs_exists(p));
    aif_hub_close(&h2);
    aif_hub_close(&h3);

    /* stale parent: someone committed between preupload and commit -> 412 -> ECONFLICT */
    puts_(src, "config.json", "{\"a\": 2}");
    fakehub_fault(e.fh, "POST", "/commit/main", FH_STATUS, 412, NULL, 1, 0);
    char c2[41];
    CHECK_ERR(aif_hub_upload(&e.hub, "carol/big", src, 1, "up2", c2, &err), AIF_ECONFLICT, err, "stale parent");
    CHECK_EQ(err.status, 412);
    /* and the real check of the server: a parent that is no longer the head */
    fakehub_bump(e.fh, "carol/big");
    CHECK_OK(aif_hub_upload(&e.hub, "carol/big", src, 1, "up3", c2, &err), err); /* re-reads the head: fine */
    free(data);
    env_stop(&e);
}

static void errors_say_what_to_do(void)
{
    env e;
    if (!env_start(&e, 2, TOKEN))
        return;
    const char *src = aif_test_tmpdir();
    puts_(src, "config.json", "{}");
    puts_(src, "a/b/c.txt", "c");
    puts_(src, "a/d.txt", "d");
    puts_(src, "e.txt", "e");
    aif_err err;
    char c[41];
    CHECK_OK(aif_hub_upload(&e.hub, "dave/priv", src, 1, "x", c, &err), err);

    /* tree listing over 3+ pages of 2 entries (Link rel="next") */
    aif_hub_hf_info t;
    CHECK_OK(aif_hub_hf_tree(&e.hub, "dave/priv", "main", &t, &err), err);
    int files = 0, dirs = 0;
    for (size_t i = 0; i < t.n; i++)
        t.files[i].is_dir ? dirs++ : files++;
    CHECK_EQ(files, 5); /* + .gitattributes */
    CHECK_EQ(dirs, 2);  /* a/b, a */
    CHECK_EQ(fakehub_count(e.fh, "GET", "/tree/"), 4); /* 7 entries, 2 per page */
    aif_hub_hf_info_release(&t);

    aif_hub_listing l;
    CHECK_ERR(aif_hub_list(&e.hub, "dave/nothere", "main", &l, &err), AIF_ENOTFOUND, err, "check the repo id");
    CHECK_ERR(aif_hub_list(&e.hub, "dave/priv", "0123456789012345678901234567890123456789", &l, &err), AIF_ENOTFOUND,
              err, "RevisionNotFound");
    /* a file that is not there: EntryNotFound and a .no_exist marker */
    aif_hub_file ghost = {.path = "nothere.json", .size = 1};
    CHECK_ERR(e.hub.ops->fetch(e.hub.impl, "dave/priv", c, &ghost, e.cache, &err), AIF_ENOTFOUND, err,
              "EntryNotFound");
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/models--dave--priv/.no_exist/%s/nothere.json", e.cache, c);
    CHECK(aif_fs_exists(p));
    /* 403 without a code: the token lacks permission */
    fakehub_fault(e.fh, "PUT", "/settings", FH_STATUS, 403, NULL, 1, 0);
    CHECK_ERR(aif_hub_set_private(&e.hub, "dave/priv", 0, &err), AIF_EAUTH, err, "write access");
    /* create: "conflicting operation in progress" is retried at once */
    fakehub_fault(e.fh, "POST", "/api/repos/create", FH_BODY, 409,
                  "{\"error\":\"Cannot create repo: another conflicting operation is in progress\"}", 2, 0);
    int creates = fakehub_count(e.fh, "POST", "/api/repos/create");
    CHECK_OK(aif_hub_hf_create_repo(&e.hub, "dave/busy", 1, 0, &err), err);
    CHECK_EQ(fakehub_count(e.fh, "POST", "/api/repos/create"), creates + 3);
    /* a 403 on create: fine when the repo exists (exist ok), an error when it does not */
    fakehub_fault(e.fh, "POST", "/api/repos/create", FH_STATUS, 403, NULL, 2, 0);
    CHECK_OK(aif_hub_hf_create_repo(&e.hub, "dave/priv", 1, 1, &err), err);
    CHECK_ERR(aif_hub_hf_create_repo(&e.hub, "dave/none", 1, 1, &err), AIF_EAUTH, err, "lacks permission");
    /* 429 after every retry: the message says when the window resets */
    fakehub_fault(e.fh, "GET", "/api/models/dave/priv/tree", FH_STATUS, 429,
                  "RateLimit: \"api\";r=0;t=55\r\nRetry-After: 0", 10, 0);
    CHECK_ERR(aif_hub_hf_tree(&e.hub, "dave/priv", "main", &t, &err), AIF_EHTTP, err, "resets in 55 s");
    /* 500 on every try: reported after the retries */
    fakehub_fault(e.fh, "GET", "/api/models/dave/priv", FH_STATUS, 503, NULL, 10, 0);
    CHECK_ERR(aif_hub_list(&e.hub, "dave/priv", "main", &l, &err), AIF_EHTTP, err, "after 5 attempts");
    env_stop(&e);

    /* private repo, no token / a wrong token */
    fakehub_opts o = {.store_dir = aif_test_tmpdir()};
    fakehub *fh = fakehub_start(&o);
    aif_hub owner, anon, wrong;
    aif_hub_hf_opts ho = {.endpoint = fakehub_url(fh), .token = TOKEN, .cache_dir = aif_test_tmpdir(), .quiet = 1,
                          .retry_delay_s = 0.01};
    CHECK_OK(aif_hub_hf_open(&ho, &owner, &err), err);
    CHECK_OK(aif_hub_upload(&owner, "dave/priv", src, 1, "x", c, &err), err);
    ho.token = "";
    CHECK_OK(aif_hub_hf_open(&ho, &anon, &err), err);
    ho.token = "hf_wrong";
    CHECK_OK(aif_hub_hf_open(&ho, &wrong, &err), err);
    CHECK_ERR(aif_hub_list(&anon, "dave/priv", "main", &l, &err), AIF_EAUTH, err, "no token was sent");
    CHECK_EQ(err.status, 401);
    CHECK_ERR(aif_hub_list(&wrong, "dave/priv", "main", &l, &err), AIF_EAUTH, err, "invalid credentials");
    char who[64];
    CHECK_ERR(aif_hub_hf_whoami(&anon, who, sizeof who, &err), AIF_EAUTH, err, "HF_TOKEN");
    int reqs = fakehub_count(fh, NULL, "/");
    CHECK_ERR(aif_hub_upload(&anon, "dave/new", src, 1, "x", c, &err), AIF_EAUTH, err, "token with write access");
    CHECK_ERR(aif_hub_set_private(&anon, "dave/priv", 0, &err), AIF_EAUTH, err, "no Hugging Face token");
    CHECK_EQ(fakehub_count(fh, NULL, "/"), reqs); /* refused before any request */
    aif_hub_close(&owner);
    aif_hub_close(&anon);
    aif_hub_close(&wrong);
    fakehub_stop(fh);
}

static void xet_only_answer_is_unsupported(void)
{
    env e;
    if (!env_start(&e, 0, TOKEN))
        return;
    fakehub_static(e.fh, "POST", "/erin/xet.git/info/lfs/objects/batch", 200, "Content-Type: application/json\r\n",
                   NULL,
                   "{\"transfer\":\"xet\",\"objects\":[{\"oid\":\"" "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
                   "\",\"size\":6,\"actions\":{\"upload\":{\"href\":\"https://hub/xet-token\"}}}]}");
    const char *src = aif_test_tmpdir();
    puts_(src, "model.safetensors", "hello\n");
    aif_err err;
    char c[41];
    CHECK_ERR(aif_hub_upload(&e.hub, "erin/xet", src, 1, "x", c, &err), AIF_ENOTSUP, err, "Xet");
    /* what we offered: basic and multipart only (hub spec 3.7) */
    char *body = fakehub_last_body(e.fh, "POST", "/info/lfs/objects/batch");
    CHECK(body && strstr(body, "\"transfers\":[\"basic\",\"multipart\"]") && !strstr(body, "xet"));
    free(body);
    CHECK_EQ(fakehub_count(e.fh, "POST", "/commit/"), 0);
    env_stop(&e);
}

static void set_env(const char *k, const char *v)
{
    if (v)
        setenv(k, v, 1);
    else
        unsetenv(k);
}

static void env_defaults_and_cli(void)
{
    if (aif_test_injecting())
        return;
    /* cache dir and token from the environment (hub spec 1.1, 1.2) */
    const char *keep[] = {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "HF_TOKEN", "HF_ENDPOINT"};
    char *saved[5];
    for (int i = 0; i < 5; i++)
        saved[i] = getenv(keep[i]) ? strdup(getenv(keep[i])) : NULL;
    char d[PATH_MAX];
    set_env("HF_HUB_CACHE", NULL);
    set_env("HUGGINGFACE_HUB_CACHE", NULL);
    set_env("HF_HOME", "/tmp/hfhome");
    aif_hub_hf_cache_dir(d, sizeof d);
    CHECK_STR(d, "/tmp/hfhome/hub");
    set_env("HF_HUB_CACHE", "/tmp/hubcache");
    aif_hub_hf_cache_dir(d, sizeof d);
    CHECK_STR(d, "/tmp/hubcache");

    fakehub_opts o = {.store_dir = aif_test_tmpdir(), .lfs_threshold = 1024, .chunk_size = 4096};
    fakehub *fh = fakehub_start(&o);
    const char *cache = aif_test_tmpdir();
    set_env("HF_TOKEN", " " TOKEN "\n"); /* trimmed like huggingface_hub does */
    set_env("HF_ENDPOINT", fakehub_url(fh));
    set_env("HF_HUB_CACHE", cache);
    aif_hub hub;
    aif_err err;
    CHECK_OK(aif_hub_hf_open(NULL, &hub, &err), err);
    char who[64] = "";
    CHECK_OK(aif_hub_hf_whoami(&hub, who, sizeof who, &err), err);
    CHECK_STR(who, "alice");
    aif_hub_close(&hub);

    /* the token file (HF_TOKEN unset): \r, \n and blanks removed */
    set_env("HF_TOKEN", NULL);
    const char *saved_path = getenv("HF_TOKEN_PATH"), *saved_legacy = getenv("HUGGING_FACE_HUB_TOKEN");
    char *keep_path = saved_path ? strdup(saved_path) : NULL, *keep_legacy = saved_legacy ? strdup(saved_legacy) : NULL;
    set_env("HUGGING_FACE_HUB_TOKEN", NULL);
    char tok[PATH_MAX + 8];
    snprintf(tok, sizeof tok, "%s/token", aif_test_tmpdir());
    CHECK_OK(aif_fs_write_file(tok, "  " TOKEN "\r\n", strlen(TOKEN) + 4, &err), err);
    set_env("HF_TOKEN_PATH", tok);
    CHECK_OK(aif_hub_hf_open(NULL, &hub, &err), err);
    who[0] = 0;
    CHECK_OK(aif_hub_hf_whoami(&hub, who, sizeof who, &err), err);
    CHECK_STR(who, "alice");
    aif_hub_close(&hub);
    set_env("HF_TOKEN_PATH", keep_path);
    set_env("HUGGING_FACE_HUB_TOKEN", keep_legacy);
    free(keep_path);
    free(keep_legacy);

    /* the CLI: upload (private by default), info --json, download --include */
    const char *src = aif_test_tmpdir();
    puts_(src, "config.json", "{\"x\": 1}");
    uint8_t *w = noise(10000, 3);
    put(src, "model.safetensors", w, 10000);
    free(w);
    char args[2048];
    static char out[65536];
    set_env("HF_ENDPOINT", fakehub_url(fh)); /* restored from saved[] below */
    set_env("HF_TOKEN", TOKEN);
    set_env("HF_HUB_CACHE", cache);
    snprintf(args, sizeof args, "hub upload %s frank/cli -q", src); /* private by default */
    CHECK_EQ(aif_test_run_aif_ex(args, NULL, 0, out, sizeof out), 0);
    char commit[41] = "";
    snprintf(commit, sizeof commit, "%.40s", out);
    CHECK_EQ(strlen(commit), 40);
    CHECK_EQ(aif_test_run_aif_ex("hub info frank/cli --json", NULL, 0, out, sizeof out), 0);
    json_t *j = json_loads(out, 0, NULL);
    CHECK(j != NULL);
    if (j) {
        CHECK_STR(json_string_value(json_object_get(j, "commit")), commit);
        CHECK(json_is_true(json_object_get(j, "private")));
        CHECK_EQ(json_integer_value(json_object_get(j, "total_bytes")), 10000 + 8 + 50); /* {"x": 1} + the 50-byte .gitattributes */
        json_decref(j);
    }
    CHECK_EQ(aif_test_run_aif_ex("hub download frank/cli --include '*.json' --json", NULL, 0, out, sizeof out), 0);
    j = json_loads(out, 0, NULL);
    const char *snap = json_string_value(json_object_get(j, "snapshot"));
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/config.json", snap ? snap : "");
    CHECK(snap && aif_fs_exists(p));
    snprintf(p, sizeof p, "%s/model.safetensors", snap ? snap : "");
    CHECK(snap && !aif_fs_exists(p));
    CHECK_STR(json_string_value(json_object_get(j, "commit")), commit);
    json_decref(j);
    CHECK_EQ(aif_test_run_aif_ex("hub info frank/nothere", NULL, 0, out, sizeof out), 1);
    CHECK_EQ(aif_test_run_aif_ex("hub download", NULL, 0, out, sizeof out), 2);
    fakehub_stop(fh);
    for (int i = 0; i < 5; i++) {
        set_env(keep[i], saved[i]);
        free(saved[i]);
    }
}

static void redirects_offline_and_token_without_access(void)
{
    env e;
    if (!env_start(&e, 0, TOKEN))
        return;
    const char *src = aif_test_tmpdir();
    puts_(src, "config.json", "{}");
    aif_err err;
    char c[41], snap[PATH_MAX], p[PATH_MAX + 64];
    CHECK_OK(aif_hub_upload(&e.hub, "gina/redir", src, 0, "x", c, &err), err);
    /* the GET of a regular file is redirected to the other host: followed without the token */
    char hex[65], loc[512];
    sha_hex("{}", 2, hex);
    snprintf(loc, sizeof loc, "Location: %s/cdn/%s\r\n", fakehub_cdn_url(e.fh), hex);
    fakehub_static(e.fh, "GET", "/gina/redir/resolve/", 302, loc, NULL, "Found");
    const char *only[] = {"config.json", NULL};
    CHECK_OK(aif_hub_hf_download(&e.hub, "gina/redir", "main", only, 0, snap, sizeof snap, &err), err);
    snprintf(p, sizeof p, "%s/config.json", snap);
    char *text = NULL;
    size_t len = 0;
    CHECK_OK(aif_fs_read_file(p, 100, &text, &len, &err), err);
    CHECK(text && len == 2 && !memcmp(text, "{}", 2));
    aif_free(text);
    char auth[300];
    CHECK(fakehub_last_auth(e.fh, "GET", "/gina/redir/resolve/", auth, sizeof auth)); /* the Hub got it */
    CHECK(!fakehub_last_auth(e.fh, "GET", "/cdn/", auth, sizeof auth));              /* the other host did not */
    CHECK_EQ(fakehub_cdn_auth_count(e.fh), 0);
    snprintf(p, sizeof p, "%s/.gitattributes", snap);
    CHECK(!aif_fs_exists(p)); /* --include kept it out */

    /* offline: served from refs/main and the snapshot, no request at all */
    int before = fakehub_count(e.fh, NULL, "/");
    const char *old = getenv("HF_HUB_OFFLINE");
    char *keep = old ? strdup(old) : NULL;
    setenv("HF_HUB_OFFLINE", "yes", 1);
    char snap2[PATH_MAX];
    CHECK_OK(aif_hub_hf_download(&e.hub, "gina/redir", "main", NULL, 0, snap2, sizeof snap2, &err), err);
    CHECK_STR(snap2, snap);
    CHECK_ERR(aif_hub_hf_download(&e.hub, "gina/other", "main", NULL, 0, snap2, sizeof snap2, &err), AIF_ENOTFOUND,
              err, "HF_HUB_OFFLINE");
    CHECK_EQ(fakehub_count(e.fh, NULL, "/"), before);
    if (keep)
        setenv("HF_HUB_OFFLINE", keep, 1);
    else
        unsetenv("HF_HUB_OFFLINE");
    free(keep);

    /* a valid token without access to a private repo: 401 RepoNotFound */
    fakehub_fault(e.fh, "GET", "/api/models/gina/redir", FH_STATUS, 401, "X-Error-Code: RepoNotFound", 1, 0);
    aif_hub_listing l;
    CHECK_ERR(aif_hub_list(&e.hub, "gina/redir", "main", &l, &err), AIF_EAUTH, err, "the token lacks access");
    env_stop(&e);
}

static void lost_commit_copies_and_user_agent(void)
{
    setenv("HF_HUB_USER_AGENT_ORIGIN", "aif-tests", 1);
    env e;
    int ok = env_start(&e, 0, TOKEN);
    unsetenv("HF_HUB_USER_AGENT_ORIGIN");
    if (!ok)
        return;
    const char *src = aif_test_tmpdir();
    puts_(src, "config.json", "{}");
    puts_(src, "model.safetensors", "hello\n");
    aif_err err;
    char c[41], snap[PATH_MAX], p[PATH_MAX + 64];
    /* a commit whose answer is a 500: not retried (it could duplicate the
     * commit), and the head is read back to say whether it landed */
    fakehub_fault(e.fh, "POST", "/commit/main", FH_STATUS, 500, NULL, 1, 0);
    CHECK_ERR(aif_hub_upload(&e.hub, "hank/copy", src, 1, "x", c, &err), AIF_EHTTP, err, "no commit was made");
    CHECK_EQ(fakehub_count(e.fh, "POST", "/commit/main"), 1);
    CHECK_OK(aif_hub_upload(&e.hub, "hank/copy", src, 1, "x", c, &err), err);
    char ua[300];
    CHECK(fakehub_last_header(e.fh, "POST", "/commit/main", "User-Agent", ua, sizeof ua));
    CHECK(strstr(ua, "aif/") == ua && strstr(ua, "; origin/aif-tests"));

    /* 429 with Retry-After: 1 is honoured (a wait of at least 1 s, not the 0.01 s backoff) */
    aif_hub slow;
    aif_hub_hf_opts ho = {.endpoint = fakehub_url(e.fh), .token = TOKEN, .cache_dir = aif_test_tmpdir(), .quiet = 1,
                          .retry_delay_s = 0.01, .retry_max_delay_s = 5};
    CHECK_OK(aif_hub_hf_open(&ho, &slow, &err), err);
    fakehub_fault(e.fh, "GET", "/api/models/hank/copy/revision/", FH_STATUS, 429, "Retry-After: 1", 1, 0);
    aif_hub_listing l;
    double t0 = aif_time_now();
    CHECK_OK(aif_hub_list(&slow, "hank/copy", "main", &l, &err), err);
    double waited = aif_time_now() - t0;
    CHECK(waited >= 0.95 && waited < 4);
    aif_hub_listing_release(&l);
    aif_hub_close(&slow);

    /* HF_HUB_DISABLE_SYMLINKS: snapshot files are copies, blobs stay */
    setenv("HF_HUB_DISABLE_SYMLINKS", "1", 1);
    CHECK_OK(aif_hub_hf_download(&e.hub, "hank/copy", c, NULL, 0, snap, sizeof snap, &err), err);
    unsetenv("HF_HUB_DISABLE_SYMLINKS");
    snprintf(p, sizeof p, "%s/model.safetensors", snap);
    struct stat st;
    CHECK(lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 6);
    snprintf(p, sizeof p, "%s/models--hank--copy/blobs/5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
             e.cache);
    CHECK(aif_fs_exists(p));
    env_stop(&e);
}

/* Append the layout line of every entry under dir (relative rel) to out:
 * "link P -> T" or "file P sha256=H", names sorted (as layout.mjs prints). */
static void layout(const char *root, const char *rel, char *out, size_t cap)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", root, rel);
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        if (strcmp(nm, ".") && strcmp(nm, "..")) {
            char r[PATH_MAX], full[PATH_MAX + 8];
            snprintf(r, sizeof r, "%s/%s", rel, nm);
            snprintf(full, sizeof full, "%s/%s", root, r);
            struct stat st;
            lstat(full, &st);
            size_t k = strlen(out);
            if (S_ISDIR(st.st_mode)) {
                layout(root, r, out, cap);
            } else if (S_ISLNK(st.st_mode)) {
                char t[PATH_MAX] = "";
                ssize_t tn = readlink(full, t, sizeof t - 1);
                t[tn > 0 ? tn : 0] = 0;
                snprintf(out + k, cap - k, "link %s -> %s\n", r, t);
            } else {
                char *data = NULL, hex[65];
                size_t len = 0;
                aif_fs_read_file(full, 1 << 20, &data, &len, NULL);
                sha_hex(data ? data : "", len, hex);
                aif_free(data);
                snprintf(out + k, cap - k, "file %s sha256=%s\n", r, hex);
            }
        }
        free(names[i]);
    }
    free(names);
}

/* aif's cache equals what huggingface.js (@huggingface/hub
 * downloadFileToCacheDir) wrote for the same commit of the same fake Hub:
 * tests/vectors/hub/hfjs_layout.txt, made by tests/xref/hub/run.sh. */
static void cache_layout_matches_huggingface_js(void)
{
    fakehub_opts o = {.store_dir = aif_test_tmpdir(), .lfs_threshold = 1024, .chunk_size = 4096};
    fakehub *fh = fakehub_start(&o);
    const char *cache = aif_test_tmpdir();
    aif_hub hub;
    aif_err err;
    aif_hub_hf_opts ho = {.endpoint = fakehub_url(fh), .token = TOKEN, .cache_dir = cache, .quiet = 1};
    char commit[41], snap[PATH_MAX];
    aif_code rc = aif_hub_hf_open(&ho, &hub, &err);
    CHECK_OK(rc, err);
    if (rc == AIF_OK) {
        CHECK_OK(aif_hub_upload(&hub, "xref/tiny", "tests/vectors/hub/xref_repo", 0, "xref", commit, &err), err);
        CHECK_OK(aif_hub_hf_download(&hub, "xref/tiny", commit, NULL, 0, snap, sizeof snap, &err), err);
        aif_hub_close(&hub);
        static char got[8192];
        got[0] = 0;
        char root[PATH_MAX];
        snprintf(root, sizeof root, "%s/models--xref--tiny", cache);
        layout(root, "blobs", got, sizeof got);
        layout(root, "snapshots", got, sizeof got);
        char *want = NULL;
        size_t len = 0;
        CHECK_OK(aif_fs_read_file("tests/vectors/hub/hfjs_layout.txt", 1 << 16, &want, &len, &err), err);
        CHECK(want != NULL);
        if (want) {
            CHECK_EQ(strlen(got), len);
            CHECK_STR(got, want);
        }
        aif_free(want);
    }
    fakehub_stop(fh);
}

AIF_TESTS(hub_hf) = {
    {"hub/hf_git_blob_oid_vectors", git_blob_oid_vectors},
    {"hub/hf_parse_recorded_model_info_and_tree", parse_recorded_model_info_and_tree},
    {"hub/hf_parse_lfs_batch_shapes", parse_lfs_batch_shapes},
    {"hub/hf_recorded_answers_and_renamed_repo", recorded_answers_and_renamed_repo},
    {"hub/hf_upload_download_roundtrip_and_hash", upload_download_roundtrip_and_hash},
    {"hub/hf_fetch_model_sharded_and_corrupt", fetch_model_sharded_and_corrupt},
    {"hub/hf_resume_cut_oversize_and_retries", resume_cut_oversize_and_retries},
    {"hub/hf_errors_say_what_to_do", errors_say_what_to_do},
    {"hub/hf_xet_only_answer_is_unsupported", xet_only_answer_is_unsupported},
    {"hub/hf_env_defaults_and_cli", env_defaults_and_cli},
    {"hub/hf_redirects_offline_and_token_without_access", redirects_offline_and_token_without_access},
    {"hub/hf_cache_layout_matches_huggingface_js", cache_layout_matches_huggingface_js},
    {"hub/hf_lost_commit_copies_and_user_agent", lost_commit_copies_and_user_agent},
    {NULL, NULL},
};
