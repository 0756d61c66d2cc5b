/* test_local_hub.c: the directory hub behind the hub interface, the
 * huggingface_hub cache layout it downloads into, and the model file set. */
#include "harness.h"

#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"
#include "aif/local.h"

static void put(const char *dir, const char *name, const char *text)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    aif_fs_mkdirs(p, NULL);
    *slash = '/';
    aif_err err;
    CHECK_OK(aif_fs_write_file(p, text, strlen(text), &err), err);
}

static int is_link(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0 && S_ISLNK(st.st_mode);
}

static void upload_list_fetch_roundtrip(void)
{
    const char *root = aif_test_tmpdir(), *src = aif_test_tmpdir(), *cache = aif_test_tmpdir();
    put(src, "config.json", "{}");
    put(src, "model.safetensors", "hello\n");
    put(src, "README.md", "# model card\n");
    put(src, "sub/extra.txt", "x");
    aif_hub hub;
    aif_err err;
    CHECK_OK(aif_local_hub_open(root, &hub, &err), err);
    char c1[41] = "", c2[41] = "";
    CHECK_OK(aif_hub_upload(&hub, "alice/tiny", src, 1, "Upload LlamaForCausalLM", c1, &err), err);
    CHECK_EQ(strlen(c1), 40);

    aif_hub_listing l;
    CHECK_OK(aif_hub_list(&hub, "alice/tiny", "main", &l, &err), err);
    CHECK_STR(l.commit, c1);
    CHECK_EQ(l.is_private, 1);
    CHECK_EQ(l.n, 4);
    CHECK_EQ(aif_hub_listing_bytes(&l), 2 + 6 + 13 + 1);
    const aif_hub_file *f = aif_hub_listing_find(&l, "model.safetensors");
    CHECK(f != NULL);
    /* sha256("hello\n"), as sha256sum prints it */
    if (f)
        CHECK_STR(f->sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
    aif_hub_listing_release(&l);

    /* A second upload adds and replaces files and keeps the others. */
    const char *src2 = aif_test_tmpdir();
    put(src2, "config.json", "{\"a\": 1}");
    CHECK_OK(aif_hub_upload(&hub, "alice/tiny", src2, 1, "Update", c2, &err), err);
    CHECK(strcmp(c1, c2) != 0);
    CHECK_OK(aif_hub_list(&hub, "alice/tiny", c2, &l, &err), err);
    CHECK_EQ(l.n, 4);
    f = aif_hub_listing_find(&l, "config.json");
    CHECK(f && f->size == 8);
    aif_hub_listing_release(&l);
    /* The old commit is immutable. */
    CHECK_OK(aif_hub_list(&hub, "alice/tiny", c1, &l, &err), err);
    f = aif_hub_listing_find(&l, "config.json");
    CHECK(f && f->size == 2);
    aif_hub_listing_release(&l);

    CHECK_OK(aif_hub_set_private(&hub, "alice/tiny", 0, &err), err);
    CHECK_OK(aif_hub_list(&hub, "alice/tiny", "main", &l, &err), err);
    CHECK_EQ(l.is_private, 0);
    aif_hub_listing_release(&l);

    /* Download the model file set of c1: config + weights, not README or sub/. */
    char snap[PATH_MAX], p[PATH_MAX + 64];
    CHECK_OK(aif_hub_fetch_model(&hub, "alice/tiny", c1, cache, 0, snap, sizeof snap, &err), err);
    snprintf(p, sizeof p, "%s/models--alice--tiny/snapshots/%s", cache, c1);
    CHECK_STR(snap, p);
    snprintf(p, sizeof p, "%s/config.json", snap);
    CHECK(is_link(p));
    char target[PATH_MAX] = "";
    ssize_t tn = readlink(p, target, sizeof target - 1);
    if (tn > 0)
        target[tn] = '\0';
    CHECK_STR(target, "../../blobs/44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    snprintf(p, sizeof p, "%s/README.md", snap);
    CHECK(!aif_fs_exists(p));
    snprintf(p, sizeof p, "%s/sub/extra.txt", snap);
    CHECK(!aif_fs_exists(p));

    /* Realize: links become regular files with the same content. */
    CHECK_OK(aif_hub_cache_realize(snap, &err), err);
    snprintf(p, sizeof p, "%s/model.safetensors", snap);
    CHECK(!is_link(p));
    char *text;
    size_t len;
    CHECK_OK(aif_fs_read_file(p, 100, &text, &len, &err), err);
    if (text)
        CHECK_STR(text, "hello\n");
    aif_free(text);

    /* max_bytes is checked on the whole listing before anything is fetched. */
    const char *cache2 = aif_test_tmpdir();
    CHECK_ERR(aif_hub_fetch_model(&hub, "alice/tiny", c1, cache2, 21, snap, sizeof snap, &err), AIF_ECONSTRAINT, err,
              "22 bytes");
    snprintf(p, sizeof p, "%s/models--alice--tiny", cache2);
    CHECK(!aif_fs_exists(p));

    CHECK_ERR(aif_hub_list(&hub, "alice/nothere", "main", &l, &err), AIF_ENOTFOUND, err, "alice/nothere");
    CHECK_ERR(aif_hub_list(&hub, "alice/tiny", "0123456789012345678901234567890123456789", &l, &err), AIF_ENOTFOUND,
              err, "revision");
    aif_hub_close(&hub);
}

static void sharded_model_and_corrupt_blob(void)
{
    const char *root = aif_test_tmpdir(), *src = aif_test_tmpdir(), *cache = aif_test_tmpdir();
    put(src, "config.json", "{}");
    put(src, "model.safetensors.index.json",
        "{\"metadata\": {}, \"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\", "
        "\"b\": \"model-00002-of-00002.safetensors\", \"c\": \"model-00001-of-00002.safetensors\"}}");
    put(src, "model-00001-of-00002.safetensors", "one");
    put(src, "model-00002-of-00002.safetensors", "two");
    put(src, "model-00003-of-00002.safetensors", "not in the index");
    put(src, "tokenizer.json", "{}");
    aif_hub hub;
    aif_err err;
    CHECK_OK(aif_local_hub_open(root, &hub, &err), err);
    char c[41], snap[PATH_MAX], p[PATH_MAX + 64];
    CHECK_OK(aif_hub_upload(&hub, "bob/sharded", src, 0, NULL, c, &err), err);
    CHECK_OK(aif_hub_fetch_model(&hub, "bob/sharded", c, cache, 0, snap, sizeof snap, &err), err);
    const char *want[] = {"config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                          "model-00002-of-00002.safetensors", "tokenizer.json"};
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", snap, want[i]);
        CHECK(aif_fs_exists(p));
    }
    snprintf(p, sizeof p, "%s/model-00003-of-00002.safetensors", snap);
    CHECK(!aif_fs_exists(p));

    /* Corrupt the hub's blob of shard 2: the download is refused and nothing
     * is left under the final name. */
    uint8_t d[32];
    char hex[65];
    aif_crypto_sha256("two", 3, d);
    aif_crypto_hex_encode(d, 32, hex);
    snprintf(p, sizeof p, "%s/blobs/%s", root, hex);
    CHECK_OK(aif_fs_write_file(p, "tw0", 3, &err), err);
    const char *cache2 = aif_test_tmpdir();
    CHECK_ERR(aif_hub_fetch_model(&hub, "bob/sharded", c, cache2, 0, snap, sizeof snap, &err), AIF_EHASH, err,
              "model-00002-of-00002.safetensors");
    snprintf(p, sizeof p, "%s/models--bob--sharded/blobs/%s", cache2, hex);
    CHECK(!aif_fs_exists(p));
    aif_hub_close(&hub);
}

static void repo_ids_and_unsafe_paths(void)
{
    aif_err err;
    CHECK_OK(aif_hub_check_repo_id("alice/giant-3b", &err), err);
    CHECK_ERR(aif_hub_check_repo_id("a/b", &err), AIF_EINVAL, err, "4 to 38");
    CHECK_ERR(aif_hub_check_repo_id("alice/this-name-is-far-too-long-for-chain", &err), AIF_EINVAL, err, "4 to 38");
    CHECK_ERR(aif_hub_check_repo_id("alicebob", &err), AIF_EINVAL, err, "namespace/name");
    CHECK_ERR(aif_hub_check_repo_id("a/b/c/d", &err), AIF_EINVAL, err, "namespace/name");
    CHECK_ERR(aif_hub_check_repo_id("alice/../x", &err), AIF_EINVAL, err, NULL);
    CHECK_ERR(aif_hub_check_repo_id("alice/n me", &err), AIF_EINVAL, err, "' '");
    const char *cache = aif_test_tmpdir();
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/t", cache);
    CHECK_OK(aif_fs_write_file(tmp, "x", 1, &err), err);
    const char *bad[] = {"../evil", "a/../../evil", "/abs", "a//b", "a/", "."};
    for (int i = 0; i < 6; i++)
        CHECK_ERR(aif_hub_cache_install(cache, "alice/tiny", "c", bad[i], "blob", tmp, &err), AIF_EFORMAT, err,
                  "unsafe");
    CHECK_ERR(aif_hub_cache_write_ref(cache, "alice/tiny", "../x", "c", &err), AIF_EFORMAT, err, "unsafe");
}

AIF_TESTS(local_hub) = {
    {"local/hub_upload_list_fetch_roundtrip", upload_list_fetch_roundtrip},
    {"local/hub_sharded_model_and_corrupt_blob", sharded_model_and_corrupt_blob},
    {"local/hub_repo_ids_and_unsafe_paths", repo_ids_and_unsafe_paths},
    {NULL, NULL},
};
