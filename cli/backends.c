/* backends.c: opening the chain, the hub and the signer that several
 * commands name on their command line (push, validator, chain). */
#include "cli.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/data.h"
#include "aif/subnet.h"
#include "aif/wallet.h"

void aif_cli_chain_cache_dir(char *out, size_t cap)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    out[0] = '\0';
    if (xdg && *xdg && (size_t)snprintf(out, cap, "%s/aif/chain", xdg) < cap)
        return;
    if (home && *home && (size_t)snprintf(out, cap, "%s/.cache/aif/chain", home) < cap)
        return;
    out[0] = '\0';
}

const char *aif_cli_data_cache_dir(char *buf, size_t cap)
{
    const char *v = getenv("AIF_DATA_CACHE");
    if (v && *v)
        return v;
    if ((v = getenv("XDG_CACHE_HOME")) && *v)
        snprintf(buf, cap, "%s/aif/datasets", v);
    else
        snprintf(buf, cap, "%s/.cache/aif/datasets", getenv("HOME") ? getenv("HOME") : ".");
    return buf;
}

int aif_cli_data_send_token(const char *endpoint)
{
    const char *env = getenv("AIF_DATASETS_SERVER");
    const char *base = endpoint ? endpoint : env && *env ? env : AIF_DATA_SERVER_URL;
    size_t n = strlen(AIF_DATA_SERVER_URL);
    return !strncmp(base, AIF_DATA_SERVER_URL, n) && (base[n] == 0 || base[n] == '/');
}

int aif_cli_pick_competition(aif_subnet_competitions *comps, long long comp_id, const char *sched,
                             const aif_subnet_competition **out, aif_err *err)
{
    if (comp_id >= 0) {
        if (!(*out = aif_subnet_competition_get(comps, (int)comp_id))) {
            aif_subnet_competitions_free(comps);
            return aif_cli_usage_error("no competition %lld", comp_id);
        }
        return 0;
    }
    const aif_subnet_schedule_entry *e;
    if (aif_subnet_schedule_at(comps, sched ? sched : "main", INT64_MAX, &e, err) || !e->n_slots) {
        aif_subnet_competitions_free(comps);
        return err->code ? aif_cli_fail(err) : aif_cli_usage_error("schedule has no competition");
    }
    *out = e->slots[0].competition;
    return 0;
}

aif_code aif_cli_open_chain(const char *kind, const char *where, aif_local_chain **lc, aif_chain *out, aif_err *err)
{
    *lc = NULL;
    if (!strcmp(kind, "local")) {
        if (!where)
            return aif_err_set(err, AIF_EINVAL, "--chain local needs --chain.path FILE");
        if (aif_local_chain_open(where, NULL, lc, err) != AIF_OK)
            return aif_err_wrap(err, "--chain.path %s", where);
        *out = aif_local_chain_as_chain(*lc);
        return AIF_OK;
    }
    /* "subtensor" takes the endpoint from `where`; any other kind is itself
     * a network name or URL. */
    const char *endpoint = !strcmp(kind, "subtensor") ? where : kind;
    if (!endpoint)
        endpoint = getenv("BT_SUBTENSOR_CHAIN_ENDPOINT");
    aif_chain_subtensor_opts so;
    aif_chain_subtensor_opts_default(&so);
    char cache[2048];
    aif_cli_chain_cache_dir(cache, sizeof cache);
    if (cache[0])
        so.cache_dir = cache;
    return aif_chain_subtensor_open(endpoint ? endpoint : "finney", &so, out, err);
}

aif_code aif_cli_sync_block_hash(const char *kind, const char *where, uint64_t block, char out[67], aif_err *err)
{
    aif_local_chain *lc = NULL;
    aif_chain c = {0};
    aif_code rc = aif_cli_open_chain(kind, where, &lc, &c, err);
    if (rc == AIF_OK)
        rc = aif_chain_block_hash(&c, aif_data_sync_block(block), out, err);
    if (lc)
        aif_local_chain_close(lc);
    else if (c.ops)
        aif_chain_close(&c);
    return rc;
}

aif_code aif_cli_open_hub(const char *kind, const char *path, int quiet, aif_hub *out, aif_err *err)
{
    if (!strcmp(kind, "local")) {
        if (!path)
            return aif_err_set(err, AIF_EINVAL, "--hub local needs --hub.path DIR");
        if (aif_local_hub_open(path, out, err) != AIF_OK)
            return aif_err_wrap(err, "--hub.path %s", path);
        return AIF_OK;
    }
    if (strcmp(kind, "hf"))
        return aif_err_set(err, AIF_EINVAL, "--hub %s: use hf or local", kind);
    aif_hub_hf_opts ho;
    memset(&ho, 0, sizeof ho);
    ho.quiet = quiet;
    return aif_hub_hf_open(&ho, out, err);
}

/* The password of an encrypted keyfile: $password_env, else btwallet's
 * BT_PW_<PATH> variable. */
static aif_code password_for(const char *path, const char *password_env, char *pw, size_t cap, aif_err *err)
{
    if (password_env) {
        const char *v = getenv(password_env);
        if (!v)
            return aif_err_set(err, AIF_EAUTH, "$%s is not set (password of %s)", password_env, path);
        if ((size_t)snprintf(pw, cap, "%s", v) >= cap)
            return aif_err_set(err, AIF_ERANGE, "$%s is longer than %zu bytes", password_env, cap - 1);
        return AIF_OK;
    }
    int found = 0;
    aif_code rc = aif_wallet_password_from_env(path, pw, cap, &found, err);
    if (rc == AIF_OK && !found)
        rc = aif_err_set(err, AIF_EAUTH, "hotkey %s is encrypted: pass --password-env VAR", path);
    return rc;
}

aif_code aif_cli_load_signer(const char *wpath, const char *wname, const char *whotkey, const char *password_env,
                             int need_secret, aif_cli_signer *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    aif_wallet w;
    aif_code rc = aif_wallet_init(&w, wpath, wname, whotkey, err);
    if (rc != AIF_OK)
        return rc;
    snprintf(out->wallet_dir, sizeof out->wallet_dir, "%s/%s", w.path, w.name);
    if (!need_secret) {
        /* The public hotkey file, or the hotkey itself when it is plaintext. */
        char pub[2048];
        if (aif_wallet_load(&w, AIF_WALLET_HOTKEYPUB, NULL, NULL, &out->kp, NULL) != AIF_OK &&
            aif_wallet_load(&w, AIF_WALLET_HOTKEY, NULL, NULL, &out->kp, err) != AIF_OK) {
            if (aif_wallet_file_path(&w, AIF_WALLET_HOTKEYPUB, pub, sizeof pub, NULL) == AIF_OK)
                aif_err_wrap(err, "no readable %s, and the hotkey itself", pub);
            return aif_err_wrap(err, "wallet %s hotkey %s", w.name, w.hotkey);
        }
        memcpy(out->s.public_key, aif_crypto_keypair_public(out->kp), 32);
        aif_crypto_ss58_encode(out->s.public_key, AIF_SS58_BITTENSOR, out->s.ss58);
        return AIF_OK;
    }
    char path[2048], pw[1024];
    const char *password = NULL;
    if ((rc = aif_wallet_file_path(&w, AIF_WALLET_HOTKEY, path, sizeof path, err)) != AIF_OK)
        return rc;
    if (aif_wallet_keyfile_path_is_encrypted(path)) {
        if ((rc = password_for(path, password_env, pw, sizeof pw, err)) != AIF_OK) {
            aif_wallet_wipe(pw, sizeof pw);
            return rc;
        }
        password = pw;
    }
    aif_wallet_kdf kdf;
    rc = aif_wallet_kdf_parse(getenv("AIF_WALLET_KDF"), &kdf, err);
    if (rc == AIF_OK)
        rc = aif_wallet_load(&w, AIF_WALLET_HOTKEY, password, &kdf, &out->kp, err);
    aif_wallet_wipe(pw, sizeof pw);
    if (rc == AIF_OK)
        rc = aif_chain_signer_sr25519(&out->s, &out->ctx, out->kp, NULL, err);
    if (rc != AIF_OK)
        aif_cli_signer_release(out);
    return rc;
}

void aif_cli_signer_release(aif_cli_signer *s)
{
    aif_crypto_keypair_free(s->kp);
    s->kp = NULL;
}
