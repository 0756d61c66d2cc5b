/* test_hash.c: model hashes (spec 4, hub spec 4.3) against the hub spec's
 * vector and against an independent shell pipeline (sha256sum, xxd or perl,
 * base64) that walks a directory built here in os.walk order. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aif/fs.h"
#include "aif/subnet.h"

static void put(const char *dir, const char *rel, const char *data, size_t len)
{
    char path[1024];
    aif_err err = {0};
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    CHECK_OK(aif_fs_write_file(path, data, len, &err), err);
}

static void sub(const char *dir, const char *rel)
{
    char path[1024];
    aif_err err = {0};
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    CHECK_OK(aif_fs_mkdirs(path, &err), err);
}

static void hub_spec_vector(void)
{
    /* huggingface-hub.md 4.3: config.json = "{}", model.safetensors = "hello\n". */
    const char *dir = aif_test_tmpdir();
    aif_err err = {0};
    char h[AIF_SUBNET_HASH_CHARS], path[1024];
    put(dir, "config.json", "{}", 2);
    put(dir, "model.safetensors", "hello\n", 6);
    snprintf(path, sizeof path, "%s/config.json", dir);
    CHECK_OK(aif_subnet_hash_file(path, h, &err), err);
    CHECK_STR(h, "RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=");
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    CHECK_OK(aif_subnet_hash_file(path, h, &err), err);
    CHECK_STR(h, "WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=");
    CHECK_OK(aif_subnet_hash_dir(dir, h, &err), err);
    CHECK_STR(h, "GCsMp7ViyCeyIDDfV9I4ge0E/xUDeVaKsljXTJvh7HQ=");
    char sec[AIF_SUBNET_HASH_CHARS];
    aif_subnet_secure_hash(h, "5ExampleHotkey", sec);
    CHECK_STR(sec, "4DKVk94LvZD0C4NyFVsuZeKdBILjecxts3JhmcmS+0M=");
}

static void empty_and_missing(void)
{
    /* base64(sha256("")) for a missing directory and for an empty one. */
    const char *dir = aif_test_tmpdir();
    aif_err err = {0};
    char h[AIF_SUBNET_HASH_CHARS], path[1024];
    snprintf(path, sizeof path, "%s/missing", dir);
    CHECK_OK(aif_subnet_hash_dir(path, h, &err), err);
    CHECK_STR(h, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    CHECK_OK(aif_subnet_hash_dir(dir, h, &err), err);
    CHECK_STR(h, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    /* An empty file has the same file hash. */
    put(dir, "e", "", 0);
    snprintf(path, sizeof path, "%s/e", dir);
    CHECK_OK(aif_subnet_hash_file(path, h, &err), err);
    CHECK_STR(h, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    snprintf(path, sizeof path, "%s/nofile", dir);
    CHECK_ERR(aif_subnet_hash_file(path, h, &err), AIF_EIO, err, "nofile");
}

/* The reference walk written in POSIX sh: in each directory the files (test
 * -f follows symlinks) by byte order, then the directories that are not
 * symlinks, depth first; each file's base64 hash is fed without separator
 * into one sha256. $1 = directory; prints the base64 digest. */
static const char *walk_sh =
    "set -e\n"
    "h2b() { if command -v xxd >/dev/null 2>&1; then xxd -r -p; else perl -ne 's/\\s//g; print pack(\"H*\", $_)'; fi; }\n"
    "fh() { sha256sum < \"$1\" | cut -c1-64 | h2b | base64 | tr -d '\\n'; }\n"
    "walk() {\n"
    "  ls -A \"$1\" | LC_ALL=C sort | while IFS= read -r n; do\n"
    "    if [ -f \"$1/$n\" ]; then fh \"$1/$n\"; fi\n"
    "  done\n"
    "  ls -A \"$1\" | LC_ALL=C sort | while IFS= read -r n; do\n"
    "    if [ -d \"$1/$n\" ] && [ ! -L \"$1/$n\" ]; then walk \"$1/$n\"; fi\n"
    "  done\n"
    "}\n"
    "walk \"$1\" | sha256sum | cut -c1-64 | h2b | base64\n";

static int shell_hash(const char *dir, char out[AIF_SUBNET_HASH_CHARS])
{
    char script[1024], cmd[2048];
    aif_err err = {0};
    snprintf(script, sizeof script, "%s/walk.sh", aif_test_tmpdir());
    CHECK_OK(aif_fs_write_file(script, walk_sh, strlen(walk_sh), &err), err);
    snprintf(cmd, sizeof cmd, "sh '%s' '%s'", script, dir);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char line[128] = {0};
    if (!fgets(line, sizeof line, p))
        line[0] = 0;
    int st = pclose(p);
    line[strcspn(line, "\n")] = 0;
    if (st != 0 || strlen(line) != 44)
        return -1;
    memcpy(out, line, 45);
    return 0;
}

static void tree_matches_shell_walk(void)
{
    if (aif_test_injecting())
        return;
    const char *dir = aif_test_tmpdir();
    char root[1024];
    snprintf(root, sizeof root, "%s/snap", dir);
    sub(dir, "snap");
    /* Names chosen so that order matters: '-' (0x2d) < '.' (0x2e) < digits
     * < upper case < '_' < lower case; "0dir" sorts before the files but is
     * walked after them; "a" is walked before "b", and a/z before b/. */
    put(root, "model.safetensors.index.json", "{\"weight_map\": {}}", 18);
    put(root, "model-00001-of-00002.safetensors", "shard one", 9);
    put(root, "model-00002-of-00002.safetensors", "shard two", 9);
    put(root, "config.json", "{\"a\": 1}", 8);
    put(root, "Zeta", "upper", 5);
    put(root, "_under", "u", 1);
    put(root, "name with space", "sp", 2);
    sub(root, "0dir");
    put(root, "0dir/inner.txt", "inner", 5);
    sub(root, "a/deeper");
    put(root, "a/z.bin", "az", 2);
    put(root, "a/deeper/x", "x", 1);
    sub(root, "b");
    put(root, "b/y", "y", 1);
    sub(root, "emptydir");
    /* A file bigger than the 64 KiB read block, not a multiple of it. */
    size_t big_n = 200000;
    char *big = malloc(big_n);
    for (size_t i = 0; i < big_n; i++)
        big[i] = (char)(i * 131 + (i >> 8));
    put(root, "big.bin", big, big_n);
    free(big);
    /* Symlinks: to a file (followed, hashed as that file) and to a
     * directory (listed by os.walk but not descended). */
    char target[1200], link[1200];
    snprintf(target, sizeof target, "%s/b/y", root);
    snprintf(link, sizeof link, "%s/link_to_file", root);
    CHECK(symlink(target, link) == 0);
    snprintf(target, sizeof target, "%s/a", root);
    snprintf(link, sizeof link, "%s/link_to_dir", root);
    CHECK(symlink(target, link) == 0);

    aif_err err = {0};
    char mine[AIF_SUBNET_HASH_CHARS], theirs[AIF_SUBNET_HASH_CHARS];
    CHECK_OK(aif_subnet_hash_dir(root, mine, &err), err);
    CHECK(shell_hash(root, theirs) == 0);
    CHECK_STR(mine, theirs);
    /* The big file alone, against sha256sum. */
    char path[1200], cmd[1400], line[128] = {0};
    snprintf(path, sizeof path, "%s/big.bin", root);
    CHECK_OK(aif_subnet_hash_file(path, mine, &err), err);
    snprintf(cmd, sizeof cmd,
             "sha256sum < '%s' | cut -c1-64 | (xxd -r -p 2>/dev/null || perl -ne 's/\\s//g; print pack(\"H*\", $_)') "
             "| base64",
             path);
    FILE *p = popen(cmd, "r");
    CHECK(p && fgets(line, sizeof line, p));
    if (p)
        pclose(p);
    line[strcspn(line, "\n")] = 0;
    CHECK_STR(mine, line);
    /* Changing a file deep down changes the directory hash. */
    put(root, "a/deeper/x", "X", 1);
    char after[AIF_SUBNET_HASH_CHARS];
    CHECK_OK(aif_subnet_hash_dir(root, after, &err), err);
    CHECK(strcmp(after, theirs) != 0);
    CHECK(shell_hash(root, theirs) == 0);
    CHECK_STR(after, theirs);
}

static void rejects_special_files(void)
{
    const char *dir = aif_test_tmpdir();
    char path[1024], h[AIF_SUBNET_HASH_CHARS];
    aif_err err = {0};
    snprintf(path, sizeof path, "%s/fifo", dir);
    CHECK(mkfifo(path, 0600) == 0);
    CHECK_ERR(aif_subnet_hash_dir(dir, h, &err), AIF_EIO, err, "fifo: not a regular file or directory");
    unlink(path);
    /* A dangling symlink: the reference fails opening it. */
    snprintf(path, sizeof path, "%s/dangling", dir);
    CHECK(symlink("/nonexistent/target", path) == 0);
    CHECK_ERR(aif_subnet_hash_dir(dir, h, &err), AIF_EIO, err, "dangling");
}

static void secure_hash_concatenates(void)
{
    /* secure = base64(sha256(hash || hotkey)): with hash "" and hotkey "abc"
     * it is base64(sha256("abc")) = base64(ba7816bf...f20015ad) (FIPS 180-2). */
    char out[AIF_SUBNET_HASH_CHARS];
    aif_subnet_secure_hash("", "abc", out);
    CHECK_STR(out, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    aif_subnet_secure_hash("ab", "c", out);
    CHECK_STR(out, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
}

static void verify_against_chain(void)
{
    /* The hub spec vector: directory hash GCsM... with hotkey 5ExampleHotkey
     * gives 4DKV...; the chain string carries that secure hash. */
    aif_err err = {0};
    aif_subnet_model_id id;
    const char *s = "alice:giant-3b:0123456789abcdef0123456789abcdef01234567:"
                    "4DKVk94LvZD0C4NyFVsuZeKdBILjecxts3JhmcmS+0M=:1";
    CHECK_OK(aif_subnet_model_id_parse(s, strlen(s), &id, &err), err);
    CHECK_OK(aif_subnet_verify_secure_hash("GCsMp7ViyCeyIDDfV9I4ge0E/xUDeVaKsljXTJvh7HQ=", "5ExampleHotkey", &id, &err),
             err);
    CHECK_ERR(aif_subnet_verify_secure_hash("GCsMp7ViyCeyIDDfV9I4ge0E/xUDeVaKsljXTJvh7HQ=", "5OtherHotkey", &id, &err),
              AIF_EHASH, err, "alice/giant-3b: hash mismatch");
    id.has_secure_hash = 0;
    CHECK_ERR(aif_subnet_verify_secure_hash("x", "y", &id, &err), AIF_EHASH, err, "no secure hash");
}

AIF_TESTS(subnet_hash) = {
    {"subnet/hash_verify_against_chain", verify_against_chain},
    {"subnet/hash_hub_spec_vector", hub_spec_vector},
    {"subnet/hash_empty_and_missing", empty_and_missing},
    {"subnet/hash_tree_matches_shell_walk", tree_matches_shell_walk},
    {"subnet/hash_rejects_special_files", rejects_special_files},
    {"subnet/hash_secure_hash_concatenates", secure_hash_concatenates},
    {NULL, NULL},
};
