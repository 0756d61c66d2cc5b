/* localdir.c: a local subnet directory (chain, hub, wallets, models) as
 * `aif local init` makes it, the shipped assets, and the corpus token
 * stream the demo models are built from. */
#include "aif/local.h"
#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/fs.h"
#include "aif/tokenizer.h"
#include "aif/wallet.h"

#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

aif_code aif_local_dir_paths(const char *root, aif_local_dir *d, aif_err *err)
{
    AIF_ASSERT(root && d);
    memset(d, 0, sizeof *d);
    if (!*root || strlen(root) >= sizeof d->root)
        return aif_err_set(err, AIF_ERANGE, "local subnet directory: path empty or too long");
    snprintf(d->root, sizeof d->root, "%s", root);
    snprintf(d->config, sizeof d->config, "%s/local.json", root);
    snprintf(d->chain, sizeof d->chain, "%s/chain.db", root);
    snprintf(d->hub, sizeof d->hub, "%s/hub", root);
    snprintf(d->wallets, sizeof d->wallets, "%s/wallets", root);
    snprintf(d->models, sizeof d->models, "%s/models", root);
    snprintf(d->cache, sizeof d->cache, "%s/cache", root);
    d->netuid = 80;
    d->block_time = 12;
    d->params.tempo = 360;
    d->params.weights_rate_limit = 100;
    d->params.commit_max_space = 3100;
    return AIF_OK;
}

static aif_code get_num(json_t *root, const char *key, const char *path, double lo, double hi, double *out,
                        aif_err *err)
{
    json_t *v = json_object_get(root, key);
    if (!json_is_number(v))
        return aif_err_set(err, AIF_EFORMAT, "%s: %s: expected a number", path, key);
    double x = json_number_value(v);
    if (!(x >= lo && x <= hi))
        return aif_err_set(err, AIF_ERANGE, "%s: %s: %g outside [%g, %g]", path, key, x, lo, hi);
    *out = x;
    return AIF_OK;
}

aif_code aif_local_dir_parse(const char *text, size_t len, const char *source, aif_local_dir *d, aif_err *err)
{
    AIF_ASSERT(d && (text || !len));
    if (!source)
        source = "local.json";
    json_error_t je;
    json_t *j = json_loadb(text ? text : "", len, 0, &je);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return aif_err_set(err, AIF_EFORMAT, "%s: not a JSON object", source);
    }
    aif_code rc = AIF_OK;
    json_t *fmt = json_object_get(j, "format");
    double netuid = 0, bt = 0, tempo = 0, wrl = 0, cms = 0;
    if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "aif-local"))
        rc = aif_err_set(err, AIF_EFORMAT, "%s: format: expected \"aif-local\"", source);
    if (rc == AIF_OK)
        rc = get_num(j, "netuid", source, 0, 65535, &netuid, err);
    if (rc == AIF_OK)
        rc = get_num(j, "block_time", source, 0, 1e6, &bt, err);
    if (rc == AIF_OK)
        rc = get_num(j, "tempo", source, 1, 65535, &tempo, err);
    if (rc == AIF_OK)
        rc = get_num(j, "weights_rate_limit", source, 0, 1e12, &wrl, err);
    if (rc == AIF_OK)
        rc = get_num(j, "commit_max_space", source, 0, 4e9, &cms, err);
    json_decref(j);
    if (rc != AIF_OK)
        return rc;
    d->netuid = (uint16_t)netuid;
    d->block_time = bt;
    d->params.tempo = (uint16_t)tempo;
    d->params.weights_rate_limit = (uint64_t)wrl;
    d->params.commit_max_space = (uint32_t)cms;
    return AIF_OK;
}

aif_code aif_local_dir_load(const char *root, aif_local_dir *d, aif_err *err)
{
    aif_code rc = aif_local_dir_paths(root, d, err);
    if (rc != AIF_OK)
        return rc;
    if (!aif_fs_exists(d->config))
        return aif_err_set(err, AIF_ENOTFOUND, "%s: no local subnet here (run `aif local init --dir %s`)", root,
                           root);
    char *text = NULL;
    size_t len = 0;
    if ((rc = aif_fs_read_file(d->config, 1 << 16, &text, &len, err)) != AIF_OK)
        return rc;
    rc = aif_local_dir_parse(text, len, d->config, d, err);
    aif_free(text);
    return rc;
}

/* One wallet: coldkey and hotkey "default", both unencrypted. */
static aif_code make_wallet(const char *wallets, const char *name, aif_local_member *m, aif_err *err)
{
    aif_wallet w;
    aif_code rc = aif_wallet_init(&w, wallets, name, "default", err);
    if (rc != AIF_OK)
        return rc;
    snprintf(m->wallet, sizeof m->wallet, "%s", name);
    for (int k = 0; k < 2 && rc == AIF_OK; k++) {
        char phrase[AIF_MNEMONIC_MAX];
        aif_crypto_keypair *kp = NULL;
        rc = aif_crypto_mnemonic_generate(12, phrase, err);
        if (rc == AIF_OK)
            rc = aif_crypto_keypair_from_mnemonic(phrase, NULL, &kp, err);
        aif_wallet_wipe(phrase, sizeof phrase);
        if (rc == AIF_OK)
            rc = aif_wallet_save(&w, k ? AIF_WALLET_HOTKEY : AIF_WALLET_COLDKEY, kp, NULL, NULL, 0, err);
        if (rc == AIF_OK)
            rc = aif_wallet_save(&w, k ? AIF_WALLET_HOTKEYPUB : AIF_WALLET_COLDKEYPUB, kp, NULL, NULL, 0, err);
        if (rc == AIF_OK)
            aif_crypto_ss58_encode(aif_crypto_keypair_public(kp), AIF_SS58_BITTENSOR,
                                   k ? m->hotkey_ss58 : m->coldkey_ss58);
        aif_crypto_keypair_free(kp);
    }
    return rc;
}

aif_code aif_local_dir_init(const char *root, const aif_local_init_opts *opts, aif_local_member **members,
                            size_t *n_members, aif_err *err)
{
    AIF_ASSERT(root && members && n_members);
    *members = NULL;
    *n_members = 0;
    aif_local_init_opts o = {0};
    if (opts)
        o = *opts;
    aif_local_dir d;
    aif_code rc = aif_local_dir_paths(root, &d, err);
    if (rc != AIF_OK)
        return rc;
    if (o.netuid)
        d.netuid = o.netuid;
    int nm = o.n_miners ? o.n_miners : 3, nv = o.n_validators ? o.n_validators : 1;
    if (nm < 0 || nm > 64 || nv < 0 || nv > 16)
        return aif_err_set(err, AIF_ERANGE, "miners must be 1..64 and validators 1..16 (got %d and %d)", nm, nv);
    if (o.block_time > 0)
        d.block_time = o.block_time;
    else if (o.block_time < 0)
        d.block_time = 0;
    if (o.params.tempo)
        d.params = o.params;
    double stake = o.validator_stake > 0 ? o.validator_stake : 1000.0;

    if (aif_fs_exists(d.config) || aif_fs_exists(d.chain)) {
        if (!o.force)
            return aif_err_set(err, AIF_EEXIST, "%s already holds a local subnet (use --force to replace it)", root);
        const char *old[] = {d.chain, d.hub, d.wallets, d.models, d.cache, d.config};
        for (size_t i = 0; i < sizeof old / sizeof old[0]; i++)
            if (aif_fs_exists(old[i]) && (rc = aif_fs_remove_tree(old[i], err)) != AIF_OK)
                return rc;
        char side[AIF_LOCAL_PATH_MAX + 8];
        snprintf(side, sizeof side, "%s-wal", d.chain);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", d.chain);
        unlink(side);
    }
    if ((rc = aif_fs_mkdirs(root, err)) != AIF_OK || (rc = aif_fs_mkdirs(d.wallets, err)) != AIF_OK ||
        (rc = aif_fs_mkdirs(d.models, err)) != AIF_OK)
        return rc;

    aif_hub hub;
    if ((rc = aif_local_hub_open(d.hub, &hub, err)) != AIF_OK)
        return rc;
    aif_hub_close(&hub);

    aif_local_chain_opts co = {d.block_time, NULL, NULL, o.genesis};
    aif_local_chain *lc = NULL;
    if ((rc = aif_local_chain_open(d.chain, &co, &lc, err)) != AIF_OK)
        return rc;
    rc = aif_local_chain_add_subnet(lc, d.netuid, &d.params, err);
    size_t n = (size_t)(nm + nv);
    aif_local_member *v = rc == AIF_OK ? aif_calloc_err(n, sizeof *v, "members", err) : NULL;
    if (!v && rc == AIF_OK)
        rc = AIF_ENOMEM;
    for (size_t i = 0; rc == AIF_OK && i < n; i++) {
        int is_v = i < (size_t)nv;
        char name[32];
        snprintf(name, sizeof name, "%s%d", is_v ? "validator" : "miner", is_v ? (int)i + 1 : (int)i - nv + 1);
        v[i].is_validator = is_v;
        rc = make_wallet(d.wallets, name, &v[i], err);
        if (rc == AIF_OK)
            rc = aif_local_chain_register(lc, d.netuid, v[i].hotkey_ss58, v[i].coldkey_ss58, is_v ? stake : 0, is_v,
                                          &v[i].uid, err);
    }
    aif_local_chain_close(lc);
    if (rc == AIF_OK) {
        char text[512];
        int len = snprintf(text, sizeof text,
                           "{\n  \"format\": \"aif-local\",\n  \"version\": 1,\n  \"netuid\": %u,\n"
                           "  \"block_time\": %.17g,\n  \"tempo\": %u,\n  \"weights_rate_limit\": %llu,\n"
                           "  \"commit_max_space\": %u\n}\n",
                           d.netuid, d.block_time, d.params.tempo, (unsigned long long)d.params.weights_rate_limit,
                           d.params.commit_max_space);
        rc = aif_fs_write_file(d.config, text, (size_t)len, err);
    }
    if (rc != AIF_OK) {
        aif_free(v);
        return rc;
    }
    *members = v;
    *n_members = n;
    return AIF_OK;
}


static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static aif_code tokenize_file(const char *path, const aif_tokenizer *tok, int32_t eos, aif_token_ids *ids,
                              aif_err *err)
{
    char *text = NULL;
    size_t len = 0;
    aif_code rc = aif_fs_read_file(path, (size_t)256 << 20, &text, &len, err);
    if (rc != AIF_OK)
        return rc;
    size_t line = 0;
    for (size_t i = 0; rc == AIF_OK && i < len;) {
        size_t end = i;
        while (end < len && text[end] != '\n')
            end++;
        line++;
        if (end > i) {
            json_error_t je;
            json_t *row = json_loadb(text + i, end - i, 0, &je);
            json_t *t = json_is_object(row) ? json_object_get(row, "text") : NULL;
            if (!json_is_string(t))
                rc = aif_err_set(err, AIF_EFORMAT, "%s: line %zu: expected an object with a \"text\" string", path,
                                 line);
            else
                rc = aif_tokenizer_encode(tok, json_string_value(t), json_string_length(t), 0, ids, err);
            json_decref(row);
            if (rc == AIF_OK) {
                if (ids->n == ids->cap) {
                    size_t cap = ids->cap ? ids->cap * 2 : 1024;
                    int32_t *nv = aif_realloc(ids->v, cap * sizeof *nv);
                    if (!nv)
                        rc = aif_err_set(err, AIF_ENOMEM, "out of memory");
                    else
                        ids->v = nv, ids->cap = cap;
                }
                if (rc == AIF_OK)
                    ids->v[ids->n++] = eos;
            }
        }
        i = end + 1;
    }
    aif_free(text);
    return rc;
}

aif_code aif_local_corpus_tokens(const char *corpus_dir, const char *tokenizer_json, int32_t **out, size_t *n_out,
                                 size_t *vocab, int32_t *eos_id, aif_err *err)
{
    AIF_ASSERT(corpus_dir && tokenizer_json && out && n_out);
    *out = NULL;
    *n_out = 0;
    aif_tokenizer *tok = NULL;
    aif_code rc = aif_tokenizer_load(tokenizer_json, &tok, err);
    if (rc != AIF_OK)
        return rc;
    int32_t eos = aif_tokenizer_eos_id(tok);
    if (eos < 0) {
        aif_tokenizer_free(tok);
        return aif_err_set(err, AIF_EFORMAT, "%s: the tokenizer has no EOS token", tokenizer_json);
    }
    DIR *dir = opendir(corpus_dir);
    if (!dir) {
        aif_tokenizer_free(tok);
        return aif_err_set(err, AIF_ENOTFOUND, "%s: cannot open the corpus folder", corpus_dir);
    }
    char *names[256];
    size_t n_names = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && n_names < 256) {
        size_t l = strlen(e->d_name);
        if (l > 6 && !strcmp(e->d_name + l - 6, ".jsonl") && e->d_name[0] != '.') {
            if (!(names[n_names] = aif_strdup(e->d_name)))
                break;
            n_names++;
        }
    }
    closedir(dir);
    qsort(names, n_names, sizeof names[0], cmp_str);
    aif_token_ids ids = {0};
    if (!n_names)
        rc = aif_err_set(err, AIF_ENOTFOUND, "%s: no *.jsonl files", corpus_dir);
    for (size_t i = 0; i < n_names; i++) {
        char path[PATH_MAX + 256];
        if (rc == AIF_OK && snprintf(path, sizeof path, "%s/%s", corpus_dir, names[i]) >= (int)sizeof path)
            rc = aif_err_set(err, AIF_ERANGE, "%s: path too long", corpus_dir);
        if (rc == AIF_OK)
            rc = tokenize_file(path, tok, eos, &ids, err);
        aif_free(names[i]);
    }
    size_t v = aif_tokenizer_vocab_size(tok);
    aif_tokenizer_free(tok);
    if (rc != AIF_OK) {
        aif_token_ids_release(&ids);
        return rc;
    }
    *out = ids.v;
    *n_out = ids.n;
    if (vocab)
        *vocab = (v + 7) / 8 * 8;
    if (eos_id)
        *eos_id = eos;
    return AIF_OK;
}
