/* hub.c: hub wrappers, listings, repo-id checks and the model file set
 * a validator downloads (hub spec 4.2). */
#include "aif/hub.h"
#include "aif/alloc.h"
#include "aif/fs.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

void aif_hub_listing_release(aif_hub_listing *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        aif_free(l->files[i].path);
    aif_free(l->files);
    l->files = NULL;
    l->n = 0;
}

uint64_t aif_hub_listing_bytes(const aif_hub_listing *l)
{
    uint64_t total = 0;
    for (size_t i = 0; i < l->n; i++)
        total += l->files[i].size;
    return total;
}

const aif_hub_file *aif_hub_listing_find(const aif_hub_listing *l, const char *path)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->files[i].path, path))
            return &l->files[i];
    return NULL;
}

aif_code aif_hub_upload(const aif_hub *h, const char *repo_id, const char *dir, int create_private,
                        const char *message, char commit_out[41], aif_err *err)
{
    if (!h || !h->ops)
        return aif_err_set(err, AIF_EINVAL, "upload: the hub is not open");
    aif_code rc = aif_hub_check_repo_id(repo_id, err);
    if (rc == AIF_OK && h->ops->upload(h->impl, repo_id, dir, create_private, message, commit_out, err) != AIF_OK)
        rc = aif_err_wrap(err, "%s hub: upload %s to %s", h->ops->name, dir, repo_id);
    return rc;
}

aif_code aif_hub_list(const aif_hub *h, const char *repo_id, const char *revision, aif_hub_listing *out,
                      aif_err *err)
{
    memset(out, 0, sizeof *out);
    if (!h || !h->ops)
        return aif_err_set(err, AIF_EINVAL, "list: the hub is not open");
    if (h->ops->list(h->impl, repo_id, revision, out, err) != AIF_OK)
        return aif_err_wrap(err, "%s hub: list %s@%s", h->ops->name, repo_id, revision);
    return AIF_OK;
}

aif_code aif_hub_set_private(const aif_hub *h, const char *repo_id, int is_private, aif_err *err)
{
    if (!h || !h->ops)
        return aif_err_set(err, AIF_EINVAL, "visibility: the hub is not open");
    if (h->ops->set_private(h->impl, repo_id, is_private, err) != AIF_OK)
        return aif_err_wrap(err, "%s hub: visibility of %s", h->ops->name, repo_id);
    return AIF_OK;
}

void aif_hub_close(aif_hub *h)
{
    if (h && h->ops && h->ops->close)
        h->ops->close(h->impl);
    if (h) {
        h->ops = NULL;
        h->impl = NULL;
    }
}

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

aif_code aif_hub_check_repo_id(const char *repo_id, aif_err *err)
{
    size_t n = strlen(repo_id);
    const char *slash = strchr(repo_id, '/');
    if (n <= 3 || n > 38)
        return aif_err_set(err, AIF_EINVAL, "repo id '%s' has %zu characters; it must have 4 to 38", repo_id, n);
    if (!slash || strchr(slash + 1, '/') || slash == repo_id || !slash[1])
        return aif_err_set(err, AIF_EINVAL, "repo id '%s' must be namespace/name", repo_id);
    for (const char *p = repo_id; *p; p++)
        if (*p != '/' && !name_char(*p))
            return aif_err_set(err, AIF_EINVAL, "repo id '%s' has the character '%c' (allowed: letters, digits, - _ .)",
                               repo_id, *p);
    if (repo_id[0] == '.' || slash[1] == '.' || strstr(repo_id, ".."))
        return aif_err_set(err, AIF_EINVAL, "repo id '%s': parts must not start with '.' or contain '..'", repo_id);
    return AIF_OK;
}

/* Files transformers fetches besides the weights, when the repo has them. */
static const char *const extra_files[] = {
    "config.json", "generation_config.json", "tokenizer_config.json", "tokenizer.json", "tokenizer.model",
    "vocab.json", "merges.txt", "added_tokens.json", "special_tokens_map.json", "chat_template.jinja",
};

static aif_code fetch_one(const aif_hub *h, const char *repo_id, const char *commit, const aif_hub_listing *l,
                          const char *path, const char *cache_dir, aif_err *err)
{
    const aif_hub_file *f = aif_hub_listing_find(l, path);
    if (!f)
        return aif_err_set(err, AIF_ENOTFOUND, "%s@%s has no file %s", repo_id, commit, path);
    if (h->ops->fetch(h->impl, repo_id, commit, f, cache_dir, err) != AIF_OK)
        return aif_err_wrap(err, "%s hub: fetch %s", h->ops->name, path);
    return AIF_OK;
}

/* Read the shard names of model.safetensors.index.json in the snapshot. */
static aif_code index_shards(const char *snapshot, char ***shards, size_t *n, aif_err *err)
{
    char path[PATH_MAX];
    *shards = NULL;
    *n = 0;
    snprintf(path, sizeof path, "%s/model.safetensors.index.json", snapshot);
    char *text;
    size_t len;
    aif_code rc = aif_fs_read_file(path, 64u << 20, &text, &len, err);
    if (rc != AIF_OK)
        return rc;
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    aif_free(text);
    json_t *map = root ? json_object_get(root, "weight_map") : NULL;
    if (!json_is_object(map)) {
        json_decref(root);
        return aif_err_set(err, AIF_EFORMAT, "%s: %s", path, root ? "no weight_map object" : je.text);
    }
    const char *key;
    json_t *v;
    char **list = aif_calloc_err(json_object_size(map) + 1, sizeof *list, "shard list", err);
    if (!list) {
        json_decref(root);
        return AIF_ENOMEM;
    }
    json_object_foreach(map, key, v) {
        const char *s = json_string_value(v);
        if (!s) {
            rc = aif_err_set(err, AIF_EFORMAT, "%s: weight_map[\"%s\"] is not a string", path, key);
            break;
        }
        size_t i;
        for (i = 0; i < *n && strcmp(list[i], s); i++)
            ;
        if (i == *n && !(list[(*n)++] = aif_strdup(s))) {
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
            break;
        }
    }
    json_decref(root);
    if (rc != AIF_OK) {
        for (size_t i = 0; i < *n; i++)
            aif_free(list[i]);
        aif_free(list);
        *n = 0;
        return rc;
    }
    *shards = list;
    return AIF_OK;
}

aif_code aif_hub_fetch_model(const aif_hub *h, const char *repo_id, const char *commit, const char *cache_dir,
                             uint64_t max_bytes, char *snapshot_out, size_t cap, aif_err *err)
{
    aif_hub_listing l;
    aif_code rc = aif_hub_list(h, repo_id, commit, &l, err);
    if (rc != AIF_OK)
        return rc;
    uint64_t bytes = aif_hub_listing_bytes(&l);
    if (max_bytes && bytes > max_bytes) {
        rc = aif_err_set(err, AIF_ECONSTRAINT, "%s@%s holds %llu bytes, above the competition's max_bytes %llu",
                         repo_id, commit, (unsigned long long)bytes, (unsigned long long)max_bytes);
        goto done;
    }
    char repo_dir[PATH_MAX];
    if ((rc = aif_hub_cache_repo_dir(cache_dir, repo_id, repo_dir, sizeof repo_dir, err)) != AIF_OK)
        goto done;
    if (snprintf(snapshot_out, cap, "%s/snapshots/%s", repo_dir, commit) >= (int)cap) {
        rc = aif_err_set(err, AIF_ERANGE, "snapshot path too long");
        goto done;
    }
    for (size_t i = 0; i < sizeof extra_files / sizeof extra_files[0] && rc == AIF_OK; i++)
        if (aif_hub_listing_find(&l, extra_files[i]))
            rc = fetch_one(h, repo_id, commit, &l, extra_files[i], cache_dir, err);
    if (rc != AIF_OK)
        goto done;
    if (aif_hub_listing_find(&l, "model.safetensors")) {
        rc = fetch_one(h, repo_id, commit, &l, "model.safetensors", cache_dir, err);
    } else if (aif_hub_listing_find(&l, "model.safetensors.index.json")) {
        rc = fetch_one(h, repo_id, commit, &l, "model.safetensors.index.json", cache_dir, err);
        char **shards = NULL;
        size_t n = 0;
        if (rc == AIF_OK)
            rc = index_shards(snapshot_out, &shards, &n, err);
        for (size_t i = 0; i < n; i++) {
            if (rc == AIF_OK)
                rc = fetch_one(h, repo_id, commit, &l, shards[i], cache_dir, err);
            aif_free(shards[i]);
        }
        aif_free(shards);
    } else {
        rc = aif_err_set(err, AIF_ENOTFOUND,
                         "%s@%s has no model.safetensors and no model.safetensors.index.json (pickle weights are "
                         "not accepted)",
                         repo_id, commit);
    }
done:
    aif_hub_listing_release(&l);
    return rc;
}
