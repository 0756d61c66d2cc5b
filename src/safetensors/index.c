/* index.c: model directories. Either model.safetensors.index.json
 * ({"metadata": {...}, "weight_map": {tensor: shard}}) and the shards it
 * names, or a single model.safetensors. Shard names come from a repository
 * we do not trust: they must be plain file names inside the directory.
 * Every shard named must exist, every mapped tensor must be in its shard,
 * and no tensor may be in two shards. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aif/alloc.h"
#include "safetensors_int.h"

#define INDEX_NAME "model.safetensors.index.json"

static int plain_name(const char *s)
{
    return s[0] && !strchr(s, '/') && !strchr(s, '\\') && strcmp(s, ".") && strcmp(s, "..") && !strstr(s, "..");
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static aif_code open_index(aif_safetensors *st, const char *dir, const char *index_path, aif_err *err)
{
    char *text = NULL;
    size_t len = 0;
    aif_code rc = aif_fs_read_file(index_path, ST_MAX_INDEX_BYTES, &text, &len, err);
    if (rc)
        return rc;
    const char **shards = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    aif_free(text);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "%s: not valid JSON: %s (line %d, column %d)", index_path, jerr.text,
                           jerr.line, jerr.column);
    json_t *map = json_object_get(root, "weight_map"), *meta = json_object_get(root, "metadata");
    if (!json_is_object(root) || !json_is_object(map)) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: expected an object with a \"weight_map\" object", index_path);
        goto out;
    }
    if (meta && !json_is_object(meta) && !json_is_null(meta)) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: \"metadata\" must be an object", index_path);
        goto out;
    }
    size_t n_map = json_object_size(map), n_shards = 0;
    if (n_map == 0) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: weight_map is empty", index_path);
        goto out;
    }
    shards = aif_calloc(n_map, sizeof *shards);
    if (!shards) {
        rc = aif_err_set(err, AIF_ENOMEM, "%s: out of memory for %zu shard names", index_path, n_map);
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(map, key, v) {
        if (!json_is_string(v)) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s: weight_map['%s']: expected a shard file name, found a non-string",
                             index_path, key);
            goto out;
        }
        const char *s = json_string_value(v);
        if (!plain_name(s)) {
            rc = aif_err_set(err, AIF_EFORMAT,
                             "%s: weight_map['%s'] = '%s': shard names must be plain file names (no '/', '\\' or '..')",
                             index_path, key, s);
            goto out;
        }
        shards[n_shards++] = s;
    }
    qsort(shards, n_shards, sizeof *shards, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < n_shards; i++)
        if (!u || strcmp(shards[u - 1], shards[i]))
            shards[u++] = shards[i];
    n_shards = u;
    /* Check all shards exist before mapping any, so the error names the
     * missing one (and a tensor that wants it). */
    char path[4096];
    for (size_t i = 0; i < n_shards; i++) {
        if ((rc = aif_fs_join(path, sizeof path, dir, shards[i], err)))
            goto out;
        if (aif_fs_file_size(path) < 0) {
            const char *who = "?";
            json_object_foreach(map, key, v) {
                if (!strcmp(json_string_value(v), shards[i])) {
                    who = key;
                    break;
                }
            }
            rc = aif_err_set(err, AIF_ENOTFOUND, "%s: shard '%s' (for tensor '%s') is missing: %s does not exist",
                             index_path, shards[i], who, path);
            goto out;
        }
    }
    for (size_t i = 0; i < n_shards; i++) {
        if ((rc = aif_fs_join(path, sizeof path, dir, shards[i], err)) || (rc = aif_st_open_into(st, path, err)))
            goto out;
    }
    if ((rc = aif_st_finish(st, err)))
        goto out;
    json_object_foreach(map, key, v) {
        const aif_st_tensor *t = aif_safetensors_find(st, key);
        const char *want = json_string_value(v);
        const char *got = t ? strrchr(t->file, '/') : NULL;
        got = got ? got + 1 : t ? t->file : NULL;
        if (!t || strcmp(got, want)) {
            if (!t)
                rc = aif_err_set(err, AIF_EFORMAT, "%s: tensor '%s' is mapped to shard '%s' but no shard contains it",
                                 index_path, key, want);
            else
                rc = aif_err_set(err, AIF_EFORMAT, "%s: tensor '%s' is mapped to shard '%s' but is found in '%s'",
                                 index_path, key, want, got);
            goto out;
        }
    }
out:
    aif_free(shards);
    json_decref(root);
    return rc;
}

aif_code aif_safetensors_open_dir(const char *dir, aif_safetensors **out, aif_err *err)
{
    *out = NULL;
    if (!aif_fs_is_dir(dir))
        return aif_err_set(err, AIF_ENOTFOUND, "%s: not a directory", dir);
    char index_path[4096], single[4096], pickle[4096], pickle_index[4096];
    aif_code rc;
    if ((rc = aif_fs_join(index_path, sizeof index_path, dir, INDEX_NAME, err)) ||
        (rc = aif_fs_join(single, sizeof single, dir, "model.safetensors", err)) ||
        (rc = aif_fs_join(pickle, sizeof pickle, dir, "pytorch_model.bin", err)) ||
        (rc = aif_fs_join(pickle_index, sizeof pickle_index, dir, "pytorch_model.bin.index.json", err)))
        return rc;
    int has_index = aif_fs_exists(index_path), has_single = aif_fs_exists(single);
    if (!has_index && !has_single) {
        if (aif_fs_exists(pickle) || aif_fs_exists(pickle_index))
            return aif_err_set(err, AIF_ENOTSUP,
                               "%s: only pytorch_model.bin found: pickle weights are not supported; convert to "
                               "safetensors",
                               dir);
        return aif_err_set(err, AIF_ENOTFOUND, "%s: neither %s nor model.safetensors exists", dir, INDEX_NAME);
    }
    aif_safetensors *st = aif_st_new(err);
    if (!st)
        return AIF_ENOMEM;
    if (has_index)
        rc = open_index(st, dir, index_path, err);
    else if (!(rc = aif_st_open_into(st, single, err)))
        rc = aif_st_finish(st, err);
    if (rc) {
        aif_safetensors_close(st);
        return rc;
    }
    *out = st;
    return AIF_OK;
}
