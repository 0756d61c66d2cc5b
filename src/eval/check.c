/* check.c: the constraints the validator enforces before scoring a model
 * (spec 2.4, 4, 8.4.2, 10.1), one report line per check. */
#include "eval_int.h"

#include <dirent.h>
#include <jansson.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"
#include "aif/safetensors.h"

#define MAX_CONFIG_BYTES (4u << 20)
#define MAX_FILES 100000
#define MAX_DEPTH 32

static const char *const check_names[AIF_EVAL_CHECK_COUNT] = {
    "config", "architecture", "parameters", "size", "format", "dtype",
    "sequence_length", "vocabulary", "weights", "finite", "hash",
};
_Static_assert(sizeof check_names / sizeof check_names[0] == AIF_EVAL_CHECK_COUNT, "check name table");

const char *aif_eval_check_name(aif_eval_check_id id)
{
    return (unsigned)id < AIF_EVAL_CHECK_COUNT ? check_names[id] : "?";
}

/* model_type -> the class AutoModelForCausalLM instantiates (transformers 4.51). */
static const struct {
    const char *model_type, *cls;
} auto_classes[] = {
    {"llama", "LlamaForCausalLM"},         {"qwen2", "Qwen2ForCausalLM"},
    {"deepseek_v3", "DeepseekV3ForCausalLM"}, {"mistral", "MistralForCausalLM"},
    {"mixtral", "MixtralForCausalLM"},     {"qwen2_moe", "Qwen2MoeForCausalLM"},
    {"qwen3", "Qwen3ForCausalLM"},         {"gemma", "GemmaForCausalLM"},
    {"gemma2", "Gemma2ForCausalLM"},       {"phi3", "Phi3ForCausalLM"},
    {"gpt2", "GPT2LMHeadModel"},           {"gpt_neox", "GPTNeoXForCausalLM"},
};

aif_code aif_eval_arch_parse(const char *json, size_t len, const char *name, char arch[AIF_EVAL_ARCH_MAX],
                             aif_err *err)
{
    arch[0] = 0;
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "%s: invalid JSON at line %d column %d: %s", name, je.line, je.column,
                           je.text);
    aif_code rc = AIF_OK;
    json_t *mt = json_object_get(root, "model_type");
    if (!json_is_object(root)) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: not a JSON object", name);
    } else if (!json_is_string(mt)) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: no string \"model_type\" (the auto-loader needs it)", name);
    } else {
        const char *t = json_string_value(mt);
        for (size_t i = 0; i < sizeof auto_classes / sizeof auto_classes[0]; i++)
            if (!strcmp(t, auto_classes[i].model_type)) {
                snprintf(arch, AIF_EVAL_ARCH_MAX, "%s", auto_classes[i].cls);
                break;
            }
        if (!arch[0]) {
            /* Unknown to this table: report architectures[0] if any. */
            json_t *a0 = json_array_get(json_object_get(root, "architectures"), 0);
            if (json_is_string(a0) && json_string_length(a0) > 0)
                snprintf(arch, AIF_EVAL_ARCH_MAX, "%s", json_string_value(a0));
            else
                snprintf(arch, AIF_EVAL_ARCH_MAX, "(model_type %.80s)", t);
        }
    }
    json_decref(root);
    return rc;
}

static aif_code read_config(const char *dir, const char *file, char **text, size_t *len, aif_err *err)
{
    char path[PATH_MAX];
    aif_code rc = aif_fs_path(path, sizeof path, err, "%s/%s", dir, file);
    if (rc == AIF_OK)
        rc = aif_fs_read_file(path, MAX_CONFIG_BYTES, text, len, err);
    return rc;
}

aif_code aif_eval_inspect(const char *dir, char arch[AIF_EVAL_ARCH_MAX], int64_t *n_params, aif_err *err)
{
    char *text = NULL;
    size_t len = 0;
    arch[0] = 0;
    *n_params = -1;
    aif_code rc = read_config(dir, "config.json", &text, &len, err);
    if (rc == AIF_OK)
        rc = aif_eval_arch_parse(text, len, "config.json", arch, err);
    aif_model_config cfg;
    if (rc == AIF_OK && (rc = aif_model_config_parse(text, len, "config.json", &cfg, err)) == AIF_OK)
        *n_params = (int64_t)aif_model_config_param_count(&cfg);
    aif_free(text);
    if (rc)
        aif_err_wrap(err, "%s", dir);
    return rc;
}

size_t aif_eval_eos_ids(const char *dir, const aif_model_config *cfg, int64_t *out, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < cfg->n_eos && n < cap; i++)
        out[n++] = cfg->eos_token_ids[i];
    char *text = NULL;
    size_t len = 0;
    if (!dir || read_config(dir, "generation_config.json", &text, &len, NULL) != AIF_OK)
        return n;
    json_t *root = json_loadb(text, len, 0, NULL);
    json_t *e = root ? json_object_get(root, "eos_token_id") : NULL;
    json_t *one[1] = {e};
    size_t m = json_is_array(e) ? json_array_size(e) : (e ? 1 : 0);
    for (size_t i = 0; i < m && n < cap; i++) {
        json_t *v = json_is_array(e) ? json_array_get(e, i) : one[0];
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            continue;
        int64_t id = json_integer_value(v);
        int dup = 0;
        for (size_t k = 0; k < n; k++)
            dup |= out[k] == id;
        if (!dup)
            out[n++] = id;
    }
    json_decref(root);
    aif_free(text);
    return n;
}

/* A competition dtype name ("bf16", "bfloat16", "BF16", ...). */
static int dtype_of(const char *s, aif_dtype *out)
{
    static const struct {
        const char *name;
        aif_dtype dt;
    } names[] = {{"bf16", AIF_DTYPE_BF16}, {"bfloat16", AIF_DTYPE_BF16}, {"f16", AIF_DTYPE_F16},
                 {"fp16", AIF_DTYPE_F16},  {"float16", AIF_DTYPE_F16},   {"f32", AIF_DTYPE_F32},
                 {"fp32", AIF_DTYPE_F32},  {"float32", AIF_DTYPE_F32}};
    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(s, names[i].name)) {
            *out = names[i].dt;
            return 1;
        }
    return 0;
}

/* ------------------------------------------------------------ files */

struct flist {
    char **v;
    size_t n, cap;
};

static aif_code flist_add(struct flist *l, const char *s, aif_err *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = aif_realloc(l->v, cap * sizeof *v);
        if (!v)
            return aif_err_set(err, AIF_ENOMEM, "out of memory listing files");
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = aif_strdup(s)))
        return aif_err_set(err, AIF_ENOMEM, "out of memory listing files");
    l->n++;
    return AIF_OK;
}

static void flist_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        aif_free(v[i]);
    aif_free(v);
}

/* os.walk order: in each directory its files, then its subdirectories,
 * each by code point (strcmp on UTF-8 bytes). */
static int walk_cmp(const void *pa, const void *pb)
{
    const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
    for (;;) {
        const char *ea = strchr(a, '/'), *eb = strchr(b, '/');
        size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
        if (la != lb || memcmp(a, b, la)) {
            if (!ea != !eb)
                return ea ? 1 : -1; /* a file of this directory comes before any subdirectory */
            int c = memcmp(a, b, la < lb ? la : lb);
            return c ? c : (la < lb ? -1 : 1);
        }
        if (!ea || !eb)
            return ea ? 1 : eb ? -1 : 0;
        a = ea + 1;
        b = eb + 1;
    }
}

/* Every regular file under dir (relative paths), .git skipped, sizes summed. */
static aif_code walk(const char *root, const char *rel, int depth, struct flist *files, uint64_t *bytes, aif_err *err)
{
    char path[PATH_MAX];
    aif_code rc = rel[0] ? aif_fs_path(path, sizeof path, err, "%s/%s", root, rel)
                         : aif_fs_path(path, sizeof path, err, "%s", root);
    if (rc)
        return rc;
    if (depth > MAX_DEPTH)
        return aif_err_set(err, AIF_ERANGE, "%s: directories nested deeper than %d", path, MAX_DEPTH);
    DIR *d = opendir(path);
    if (!d)
        return aif_err_set(err, AIF_ENOTFOUND, "%s: cannot open directory", path);
    struct dirent *e;
    while (rc == AIF_OK && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || (!rel[0] && !strcmp(e->d_name, ".git")))
            continue;
        char sub[PATH_MAX], full[PATH_MAX];
        if ((rc = (rel[0] ? aif_fs_path(sub, sizeof sub, err, "%s/%s", rel, e->d_name)
                          : aif_fs_path(sub, sizeof sub, err, "%s", e->d_name))))
            break;
        if ((rc = aif_fs_path(full, sizeof full, err, "%s/%s", root, sub)))
            break;
        struct stat lst, st;
        if (lstat(full, &lst) != 0)
            continue;
        if (S_ISDIR(lst.st_mode)) {
            rc = walk(root, sub, depth + 1, files, bytes, err);
        } else if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) { /* symlinks to files count as files */
            if (files->n >= MAX_FILES)
                rc = aif_err_set(err, AIF_ERANGE, "%s: more than %d files", root, MAX_FILES);
            else {
                *bytes += (uint64_t)st.st_size;
                rc = flist_add(files, sub, err);
            }
        }
    }
    closedir(d);
    return rc;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

static int is_pickle(const char *p)
{
    static const char *const ext[] = {".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (has_suffix(p, ext[i]))
            return 1;
    return 0;
}

/* Top-level files the Python loaders download (spec 4), besides weights. */
static int in_download_set(const char *rel, char *const *shards, size_t n_shards)
{
    static const char *const names[] = {
        "config.json", "generation_config.json", "model.safetensors", "model.safetensors.index.json",
        "tokenizer_config.json", "tokenizer.json", "special_tokens_map.json", "added_tokens.json",
        "vocab.json", "merges.txt", "vocab.txt", "tokenizer.model", "chat_template.jinja", "chat_template.json",
    };
    for (size_t i = 0; i < n_shards; i++)
        if (!strcmp(rel, shards[i]))
            return 1;
    if (strchr(rel, '/'))
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(rel, names[i]))
            return 1;
    return 0;
}

/* Shard file names of model.safetensors.index.json (weight_map values). */
static aif_code index_shards(const char *dir, struct flist *shards, aif_err *err)
{
    char *text = NULL;
    size_t len = 0;
    aif_code rc = read_config(dir, "model.safetensors.index.json", &text, &len, err);
    if (rc)
        return rc;
    json_t *root = json_loadb(text, len, 0, NULL);
    json_t *wm = root ? json_object_get(root, "weight_map") : NULL;
    if (!json_is_object(wm)) {
        rc = aif_err_set(err, AIF_EFORMAT, "model.safetensors.index.json: no \"weight_map\" object");
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(wm, k, v) {
            if (!json_is_string(v))
                continue;
            int dup = 0;
            for (size_t i = 0; i < shards->n && !dup; i++)
                dup = !strcmp(shards->v[i], json_string_value(v));
            if (!dup && (rc = flist_add(shards, json_string_value(v), err)))
                break;
        }
    }
    json_decref(root);
    aif_free(text);
    return rc;
}

/* The model hash of a subset of files: os.walk order, each file's base64
 * SHA-256 fed to one outer SHA-256 (aif_subnet_hash_dir over exactly
 * these files). */
static aif_code hash_set(const char *dir, char **files, size_t n, char out[AIF_SUBNET_HASH_CHARS], aif_err *err)
{
    aif_sha256 h;
    aif_sha256_init(&h);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX], fh[AIF_SUBNET_HASH_CHARS];
        aif_code rc = aif_fs_path(path, sizeof path, err, "%s/%s", dir, files[i]);
        if (rc == AIF_OK)
            rc = aif_subnet_hash_file(path, fh, err);
        if (rc)
            return rc;
        aif_sha256_update(&h, fh, AIF_SUBNET_HASH_CHARS - 1);
    }
    uint8_t d[AIF_SHA256_BYTES];
    aif_sha256_final(&h, d);
    (void)err;
    aif_crypto_base64_encode(d, sizeof d, out);
    return AIF_OK;
}

/* ------------------------------------------------------------ NaN scan */

struct scan {
    const aif_st_tensor *t;
    size_t n_tensors;
    uint64_t *bad;         /* per thread */
    size_t *first_tensor;  /* per thread: first tensor with a bad value (n_tensors: none) */
    size_t *first_elem;
};

static int nonfinite(aif_dtype dt, const uint8_t *p)
{
    switch (dt) {
    case AIF_DTYPE_F32: {
        uint32_t u;
        memcpy(&u, p, 4);
        return (u & 0x7f800000u) == 0x7f800000u;
    }
    case AIF_DTYPE_BF16: {
        uint16_t u;
        memcpy(&u, p, 2);
        return (u & 0x7f80u) == 0x7f80u;
    }
    case AIF_DTYPE_F16: {
        uint16_t u;
        memcpy(&u, p, 2);
        return (u & 0x7c00u) == 0x7c00u;
    }
    default:
        return 0;
    }
}

static void scan_fn(void *arg, int ith, int nth)
{
    struct scan *s = arg;
    uint64_t bad = 0;
    size_t ft = s->n_tensors, fe = 0;
    for (size_t k = 0; k < s->n_tensors; k++) {
        const aif_st_tensor *t = &s->t[k];
        size_t es = aif_dtype_size(t->dtype), b, e;
        aif_pool_split((size_t)t->n_elements, ith, nth, &b, &e);
        const uint8_t *p = t->data;
        for (size_t i = b; i < e; i++)
            if (nonfinite(t->dtype, p + i * es)) {
                if (ft == s->n_tensors)
                    ft = k, fe = i;
                bad++;
            }
    }
    s->bad[ith] = bad;
    s->first_tensor[ith] = ft;
    s->first_elem[ith] = fe;
}

/* ------------------------------------------------------------ report */

static void item(aif_eval_check_report *r, aif_eval_check_id id, aif_eval_status st, const char *value,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void item(aif_eval_check_report *r, aif_eval_check_id id, aif_eval_status st, const char *value,
                 const char *fmt, ...)
{
    aif_eval_check_item *it = &r->items[id];
    it->status = st;
    snprintf(it->value, sizeof it->value, "%s", value ? value : "");
    it->message[0] = 0;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(it->message, sizeof it->message, fmt, ap);
        va_end(ap);
    }
    if (st == AIF_EVAL_FAIL)
        r->n_failed++;
}

void aif_eval_check_report_release(aif_eval_check_report *r)
{
    if (!r)
        return;
    flist_free(r->hash_files, r->n_hash_files);
    flist_free(r->other_files, r->n_other_files);
    r->hash_files = r->other_files = NULL;
    r->n_hash_files = r->n_other_files = 0;
}

aif_code aif_eval_check(const char *dir, const aif_eval_check_opts *opts, aif_eval_check_report *r, aif_err *err)
{
    AIF_ASSERT(opts && opts->competition && dir && r);
    const aif_subnet_competition *comp = opts->competition;
    const aif_subnet_constraints *cons = &comp->constraints;
    memset(r, 0, sizeof *r);
    r->n_params = -1;
    for (int i = 0; i < AIF_EVAL_CHECK_COUNT; i++)
        r->items[i].status = AIF_EVAL_SKIP;
    char v[160], msg[AIF_EVAL_NOTE_MAX];
    aif_err e = {0};
    aif_code rc = AIF_OK;

    /* config */
    char *text = NULL;
    size_t len = 0;
    aif_model_config cfg;
    int have_cfg = 0, have_arch = 0;
    if (read_config(dir, "config.json", &text, &len, &e) == AIF_OK &&
        aif_eval_arch_parse(text, len, "config.json", r->architecture, &e) == AIF_OK) {
        have_arch = 1;
        if (aif_model_config_parse(text, len, "config.json", &cfg, &e) == AIF_OK)
            have_cfg = 1;
    }
    aif_free(text);
    if (e.code == AIF_ENOMEM)
        return aif_err_set(err, AIF_ENOMEM, "%s", e.msg);
    if (have_cfg)
        item(r, AIF_EVAL_CHECK_CONFIG, AIF_EVAL_PASS, aif_model_arch_name(cfg.arch), NULL);
    else
        item(r, AIF_EVAL_CHECK_CONFIG, AIF_EVAL_FAIL, "", "%s", e.msg);

    /* architecture: the class the auto-loader picks, exactly */
    if (have_arch) {
        int runnable = 0;
        if (!aif_subnet_arch_allowed(comp, r->architecture, &runnable)) {
            size_t o = 0;
            msg[0] = 0;
            for (size_t i = 0; i < cons->n_archs && o < sizeof msg; i++)
                o += (size_t)snprintf(msg + o, sizeof msg - o, "%s%s", i ? ", " : "", cons->archs[i].name);
            item(r, AIF_EVAL_CHECK_ARCH, AIF_EVAL_FAIL, r->architecture,
                 "%s is not an allowed architecture of competition %d (allowed: %s)", r->architecture, comp->id, msg);
        } else if (!runnable) {
            item(r, AIF_EVAL_CHECK_ARCH, AIF_EVAL_FAIL, r->architecture,
                 "%s is allowed by competition %d but aif cannot evaluate it (spec 13.11: rejected for parity with "
                 "7087f3e)", r->architecture, comp->id);
        } else {
            item(r, AIF_EVAL_CHECK_ARCH, AIF_EVAL_PASS, r->architecture, NULL);
        }
    }

    /* parameters */
    if (have_cfg) {
        uint64_t np = aif_model_config_param_count(&cfg);
        r->n_params = (int64_t)np;
        snprintf(v, sizeof v, "%" PRIu64, np);
        if (np < (uint64_t)cons->min_parameters || np > (uint64_t)cons->max_parameters)
            item(r, AIF_EVAL_CHECK_PARAMS, AIF_EVAL_FAIL, v,
                 "%" PRIu64 " parameters outside [%" PRId64 ", %" PRId64 "] of competition %d", np,
                 cons->min_parameters, cons->max_parameters, comp->id);
        else
            item(r, AIF_EVAL_CHECK_PARAMS, AIF_EVAL_PASS, v, "within [%" PRId64 ", %" PRId64 "]",
                 cons->min_parameters, cons->max_parameters);
    }

    /* size and format */
    struct flist files = {0}, shards = {0};
    aif_safetensors *st = NULL;
    uint64_t bytes = 0;
    aif_code wrc = walk(dir, "", 0, &files, &bytes, &e);
    if (wrc == AIF_ENOMEM) {
        rc = aif_err_set(err, AIF_ENOMEM, "%s", e.msg);
        goto out;
    }
    r->repo_bytes = bytes;
    snprintf(v, sizeof v, "%" PRIu64, bytes);
    if (wrc)
        item(r, AIF_EVAL_CHECK_BYTES, AIF_EVAL_FAIL, v, "%s", e.msg);
    else if (bytes > (uint64_t)cons->max_bytes)
        item(r, AIF_EVAL_CHECK_BYTES, AIF_EVAL_FAIL, v, "%" PRIu64 " bytes in %zu files > max_bytes %" PRId64, bytes,
             files.n, cons->max_bytes);
    else
        item(r, AIF_EVAL_CHECK_BYTES, AIF_EVAL_PASS, v, "%zu files, max_bytes %" PRId64, files.n, cons->max_bytes);
    if (files.n)
        qsort(files.v, files.n, sizeof *files.v, walk_cmp);

    const char *pickle = NULL;
    size_t n_pickle = 0;
    for (size_t i = 0; i < files.n; i++)
        if (is_pickle(files.v[i]) && !n_pickle++)
            pickle = files.v[i];
    int sharded = 0;
    char index_path[PATH_MAX];
    if (aif_fs_path(index_path, sizeof index_path, NULL, "%s/model.safetensors.index.json", dir) == AIF_OK)
        sharded = aif_fs_exists(index_path);
    aif_code src = aif_safetensors_open_dir(dir, &st, &e);
    if (src == AIF_ENOMEM) {
        rc = aif_err_set(err, AIF_ENOMEM, "%s", e.msg);
        goto out;
    }
    if (sharded) {
        aif_err ie = {0};
        if (index_shards(dir, &shards, &ie) == AIF_ENOMEM) {
            rc = aif_err_set(err, AIF_ENOMEM, "%s", ie.msg);
            goto out;
        }
    }
    if (pickle)
        item(r, AIF_EVAL_CHECK_FORMAT, AIF_EVAL_FAIL, "pickle",
             "%s: pickle weights file (%zu in all); only safetensors are accepted (use_safetensors=True), "
             "pickle files are never loaded", pickle, n_pickle);
    else if (src)
        item(r, AIF_EVAL_CHECK_FORMAT, AIF_EVAL_FAIL, sharded ? "sharded safetensors" : "safetensors", "%s", e.msg);
    else
        item(r, AIF_EVAL_CHECK_FORMAT, AIF_EVAL_PASS, sharded ? "sharded safetensors" : "safetensors",
             "%zu tensors", aif_safetensors_count(st));

    /* dtype */
    if (st) {
        aif_dtype want;
        int known = dtype_of(cons->dtype, &want);
        size_t n = aif_safetensors_count(st), n_other = 0;
        const aif_st_tensor *other = NULL;
        for (size_t i = 0; i < n; i++) {
            const aif_st_tensor *t = aif_safetensors_at(st, i);
            if (known && t->dtype != want && !n_other++)
                other = t;
        }
        const aif_st_tensor *t0 = n ? aif_safetensors_at(st, 0) : NULL;
        snprintf(v, sizeof v, "%s", other ? aif_dtype_name(other->dtype) : t0 ? aif_dtype_name(t0->dtype) : "none");
        if (!cons->dtype)
            item(r, AIF_EVAL_CHECK_DTYPE, AIF_EVAL_SKIP, v, "the competition names no dtype");
        else if (!known)
            item(r, AIF_EVAL_CHECK_DTYPE, AIF_EVAL_FAIL, v, "unknown competition dtype '%s'", cons->dtype);
        else if (other)
            item(r, AIF_EVAL_CHECK_DTYPE, AIF_EVAL_FAIL, v, "tensor '%s' is %s (%zu of %zu tensors not %s)",
                 other->name, aif_dtype_name(other->dtype), n_other, n, cons->dtype);
        else
            item(r, AIF_EVAL_CHECK_DTYPE, AIF_EVAL_PASS, v, NULL);
    }

    /* sequence length and vocabulary */
    if (have_cfg) {
        snprintf(v, sizeof v, "%" PRId64, cfg.max_position_embeddings);
        if (cfg.max_position_embeddings < cons->sequence_length)
            item(r, AIF_EVAL_CHECK_SEQLEN, AIF_EVAL_FAIL, v,
                 "max_position_embeddings %" PRId64 " < competition sequence length %d", cfg.max_position_embeddings,
                 cons->sequence_length);
        else
            item(r, AIF_EVAL_CHECK_SEQLEN, AIF_EVAL_PASS, v, ">= %d", cons->sequence_length);
        snprintf(v, sizeof v, "%" PRId64, cfg.vocab_size);
        if (!opts->tokenizer_vocab)
            item(r, AIF_EVAL_CHECK_VOCAB, AIF_EVAL_SKIP, v, "tokenizer '%s' not loaded (give --tokenizer DIR)",
                 cons->tokenizer ? cons->tokenizer : "?");
        else if ((uint64_t)cfg.vocab_size < opts->tokenizer_vocab)
            item(r, AIF_EVAL_CHECK_VOCAB, AIF_EVAL_FAIL, v,
                 "vocab_size %" PRId64 " < %zu ids of tokenizer '%s': a label id outside the vocabulary scores inf",
                 cfg.vocab_size, opts->tokenizer_vocab, cons->tokenizer ? cons->tokenizer : "?");
        else
            item(r, AIF_EVAL_CHECK_VOCAB, AIF_EVAL_PASS, v, "covers the %zu ids of tokenizer '%s'",
                 opts->tokenizer_vocab, cons->tokenizer ? cons->tokenizer : "?");
    }

    /* weights: the tensors the config asks for */
    if (have_cfg && st) {
        size_t n = aif_safetensors_count(st);
        aif_st_tensor *list = aif_calloc_err(n ? n : 1, sizeof *list, "tensor list", &e);
        if (!list) {
            rc = aif_err_set(err, AIF_ENOMEM, "%s", e.msg);
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            list[i] = *aif_safetensors_at(st, i);
        aif_model *m = NULL;
        aif_code mrc = aif_model_new(&cfg, list, n, &m, &e);
        aif_model_free(m);
        aif_free(list);
        if (mrc == AIF_ENOMEM) {
            rc = aif_err_set(err, AIF_ENOMEM, "%s", e.msg);
            goto out;
        }
        snprintf(v, sizeof v, "%zu tensors", n);
        if (mrc)
            item(r, AIF_EVAL_CHECK_WEIGHTS, AIF_EVAL_FAIL, v, "%s", e.msg);
        else
            item(r, AIF_EVAL_CHECK_WEIGHTS, AIF_EVAL_PASS, v, NULL);
    }

    /* finite: every value of every tensor */
    if (st) {
        size_t n = aif_safetensors_count(st);
        int nth = opts->pool ? aif_pool_size(opts->pool) : 1;
        struct scan s = {.n_tensors = n};
        aif_st_tensor *list = aif_calloc_err(n ? n : 1, sizeof *list, "tensor list", &e);
        s.bad = aif_calloc_err((size_t)nth, sizeof *s.bad, "scan", &e);
        s.first_tensor = aif_calloc_err((size_t)nth, sizeof *s.first_tensor, "scan", &e);
        s.first_elem = aif_calloc_err((size_t)nth, sizeof *s.first_elem, "scan", &e);
        if (!list || !s.bad || !s.first_tensor || !s.first_elem) {
            rc = aif_err_set(err, AIF_ENOMEM, "%s", e.msg);
        } else {
            for (size_t i = 0; i < n; i++)
                list[i] = *aif_safetensors_at(st, i);
            s.t = list;
            aif_pool_run(opts->pool, scan_fn, &s);
            uint64_t bad = 0;
            size_t ft = n, fe = 0;
            for (int i = 0; i < nth; i++) { /* threads hold ascending slices: the first hit is the lowest */
                bad += s.bad[i];
                if (s.first_tensor[i] < ft || (s.first_tensor[i] == ft && s.first_elem[i] < fe))
                    ft = s.first_tensor[i], fe = s.first_elem[i];
            }
            r->n_nonfinite = bad;
            snprintf(v, sizeof v, "%" PRIu64 " non-finite", bad);
            if (bad) {
                uint8_t *p = (uint8_t *)list[ft].data + fe * aif_dtype_size(list[ft].dtype);
                float x = list[ft].dtype == AIF_DTYPE_F32   ? (memcpy(&x, p, 4), x)
                          : list[ft].dtype == AIF_DTYPE_BF16 ? aif_bf16_to_f32((uint16_t)(p[0] | p[1] << 8))
                                                              : aif_f16_to_f32((uint16_t)(p[0] | p[1] << 8));
                item(r, AIF_EVAL_CHECK_FINITE, AIF_EVAL_FAIL, v,
                     "tensor '%s' element %zu is %s (%" PRIu64 " NaN/Inf values in all)", list[ft].name, fe,
                     isnan(x) ? "NaN" : x > 0 ? "+Inf" : "-Inf", bad);
            } else {
                item(r, AIF_EVAL_CHECK_FINITE, AIF_EVAL_PASS, v, "%zu tensors scanned", n);
            }
        }
        aif_free(list);
        aif_free(s.bad);
        aif_free(s.first_tensor);
        aif_free(s.first_elem);
        if (rc)
            goto out;
    }
    aif_safetensors_close(st);
    st = NULL;

    /* hash: the download set (spec 4) and its hash */
    {
        struct flist in = {0}, other = {0};
        for (size_t i = 0; i < files.n && !rc; i++)
            rc = flist_add(in_download_set(files.v[i], shards.v, shards.n) ? &in : &other, files.v[i], &e);
        if (!rc && !wrc) {
            aif_code hrc = in.n ? hash_set(dir, in.v, in.n, r->hash, &e) : AIF_OK;
            if (!hrc)
                hrc = aif_subnet_hash_dir(dir, r->dir_hash, &e);
            if (hrc == AIF_ENOMEM)
                rc = hrc;
            else if (hrc)
                item(r, AIF_EVAL_CHECK_HASH, AIF_EVAL_FAIL, "", "%s", e.msg);
            else if (!in.n)
                item(r, AIF_EVAL_CHECK_HASH, AIF_EVAL_FAIL, "", "no file of the download set (config.json, "
                     "safetensors, tokenizer files)");
            else
                item(r, AIF_EVAL_CHECK_HASH, AIF_EVAL_PASS, r->hash,
                     "%zu files hashed%s; %zu other files (counted in size, not hashed)", in.n,
                     other.n ? "" : ", equal to the directory hash", other.n);
        }
        if (rc) {
            flist_free(in.v, in.n);
            flist_free(other.v, other.n);
            rc = aif_err_set(err, AIF_ENOMEM, "%s", e.msg);
            goto out;
        }
        r->hash_files = in.v;
        r->n_hash_files = in.n;
        r->other_files = other.v;
        r->n_other_files = other.n;
    }
out:
    aif_safetensors_close(st);
    flist_free(files.v, files.n);
    flist_free(shards.v, shards.n);
    if (rc)
        aif_eval_check_report_release(r);
    return rc;
}
