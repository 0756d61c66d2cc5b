/* check.c: a model directory against a competition's constraints, before
 * anything is uploaded (spec 9.1 steps 3-4, 8.4.2 step 3, 2.4). */
#include "aif/miner.h"
#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/model.h"
#include "aif/safetensors.h"
#include "aif/tensor.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int is_pickle(const char *name)
{
    static const char *const ext[] = {".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (ends_with(name, ext[i]))
            return 1;
    return 0;
}

/* Walk dir (depth-limited): sum regular file sizes, refuse symlinks,
 * special files and pickle weights. */
static aif_code walk(const char *dir, const char *rel, int depth, aif_miner_model_info *info, aif_err *err)
{
    if (depth > 16)
        return aif_err_set(err, AIF_ERANGE, "%s: directories nested too deep", dir);
    DIR *d = opendir(dir);
    if (!d)
        return aif_err_set(err, AIF_EIO, "%s: cannot open directory", dir);
    aif_code rc = AIF_OK;
    struct dirent *e;
    while (rc == AIF_OK && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[4096], sub[1024];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= (int)sizeof sub) {
            rc = aif_err_set(err, AIF_ERANGE, "%s: path too long", dir);
            break;
        }
        struct stat st;
        if (lstat(path, &st) != 0) {
            rc = aif_err_set(err, AIF_EIO, "%s: cannot stat", path);
        } else if (S_ISLNK(st.st_mode)) {
            rc = aif_err_set(err, AIF_ECONSTRAINT, "%s: is a symlink; copy the file into the model directory", sub);
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(path, sub, depth + 1, info, err);
        } else if (!S_ISREG(st.st_mode)) {
            rc = aif_err_set(err, AIF_ECONSTRAINT, "%s: not a regular file", sub);
        } else if (is_pickle(e->d_name)) {
            rc = aif_err_set(err, AIF_ECONSTRAINT,
                             "%s: pickle weights are not accepted (validators load safetensors only); remove it",
                             sub);
        } else {
            info->total_bytes += (int64_t)st.st_size;
            info->n_files++;
        }
    }
    closedir(d);
    return rc;
}

static aif_code read_arch(const char *cfg_text, size_t len, const char *path, char *arch, size_t cap, aif_err *err)
{
    json_error_t je;
    json_t *root = json_loadb(cfg_text, len, 0, &je);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "%s: line %d: %s", path, je.line, je.text);
    aif_code rc = AIF_OK;
    json_t *a = json_is_object(root) ? json_object_get(root, "architectures") : NULL;
    json_t *a0 = json_is_array(a) ? json_array_get(a, 0) : NULL;
    if (!json_is_string(a0))
        rc = aif_err_set(err, AIF_EFORMAT, "%s: architectures: expected a list holding the model class name", path);
    else if (strlen(json_string_value(a0)) >= cap)
        rc = aif_err_set(err, AIF_ERANGE, "%s: architectures[0]: name too long", path);
    else
        strcpy(arch, json_string_value(a0));
    json_decref(root);
    return rc;
}

/* "bf16" (competition spelling) against the safetensors dtype. */
static int dtype_matches(const char *want, aif_dtype t)
{
    const char *n = aif_dtype_name(t); /* "BF16" */
    return want && strlen(want) == strlen(n) && !strncasecmp(want, n, strlen(n));
}

aif_code aif_miner_check_model(const char *dir, const aif_subnet_competition *c, aif_miner_model_info *info_out,
                               aif_err *err)
{
    AIF_ASSERT(dir && c);
    aif_miner_model_info info;
    memset(&info, 0, sizeof info);
    if (!aif_fs_is_dir(dir))
        return aif_err_set(err, AIF_ENOTFOUND, "%s: not a directory", dir);
    aif_code rc = walk(dir, "", 0, &info, err);
    if (rc != AIF_OK)
        return rc;
    const aif_subnet_constraints *k = &c->constraints;
    if (k->max_bytes > 0 && info.total_bytes > k->max_bytes)
        return aif_err_set(err, AIF_ECONSTRAINT, "%s: %lld bytes, above competition %d's max_bytes %lld", dir,
                           (long long)info.total_bytes, c->id, (long long)k->max_bytes);

    char path[4096];
    if ((rc = aif_fs_join(path, sizeof path, dir, "config.json", err)) != AIF_OK)
        return rc;
    char *cfg_text = NULL;
    size_t cfg_len = 0;
    if ((rc = aif_fs_read_file(path, 1 << 20, &cfg_text, &cfg_len, err)) != AIF_OK)
        return aif_err_wrap(err, "model config");
    rc = read_arch(cfg_text, cfg_len, path, info.arch, sizeof info.arch, err);
    if (rc == AIF_OK)
        rc = aif_subnet_check_model(c, info.arch, -1, -1, err);
    aif_model_config cfg;
    if (rc == AIF_OK)
        rc = aif_model_config_parse(cfg_text, cfg_len, path, &cfg, err);
    aif_free(cfg_text);
    if (rc != AIF_OK)
        return rc;
    uint64_t n_params = aif_model_config_param_count(&cfg);
    info.n_parameters = n_params > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)n_params;
    if ((rc = aif_subnet_check_model(c, NULL, info.n_parameters, -1, err)) != AIF_OK)
        return aif_err_wrap(err, "%s", dir);

    aif_safetensors *st = NULL;
    if ((rc = aif_safetensors_open_dir(dir, &st, err)) != AIF_OK)
        return rc;
    size_t n = aif_safetensors_count(st);
    int mixed = 0;
    for (size_t i = 0; i < n; i++) {
        const aif_st_tensor *t = aif_safetensors_at(st, i);
        if (i == 0)
            snprintf(info.dtype, sizeof info.dtype, "%s", aif_dtype_name(t->dtype));
        else if (strcasecmp(info.dtype, aif_dtype_name(t->dtype)))
            mixed = 1;
        if (rc == AIF_OK && k->dtype && !dtype_matches(k->dtype, t->dtype))
            rc = aif_err_set(err, AIF_ECONSTRAINT, "%s: tensor %s is %s; competition %d wants %s (convert the weights)",
                             dir, t->name, aif_dtype_name(t->dtype), c->id, k->dtype);
    }
    aif_safetensors_close(st);
    if (mixed)
        snprintf(info.dtype, sizeof info.dtype, "mixed");
    for (char *p = info.dtype; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    if (rc != AIF_OK)
        return rc;

    aif_model *m = NULL;
    if ((rc = aif_model_load(dir, &m, err)) != AIF_OK)
        return aif_err_wrap(err, "%s: the weights do not load", dir);
    uint64_t loaded = aif_model_param_count(m);
    aif_model_free(m);
    if (loaded != n_params)
        return aif_err_set(err, AIF_ECONSTRAINT, "%s: the weights hold %llu parameters, config.json implies %llu", dir,
                           (unsigned long long)loaded, (unsigned long long)n_params);
    if (info_out)
        *info_out = info;
    return AIF_OK;
}
