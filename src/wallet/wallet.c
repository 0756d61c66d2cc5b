/* wallet.c: where a wallet's files live (btwallet src/wallet.rs layout),
 * loading and saving them, and listing wallets and hotkeys. */
#include "aif/wallet.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"

static aif_code check_name(const char *what, const char *s, aif_err *err)
{
    size_t n = strlen(s);
    if (n == 0 || n >= AIF_WALLET_NAME_MAX)
        return aif_err_set(err, AIF_EINVAL, "%s name must have 1 to %d characters", what, AIF_WALLET_NAME_MAX - 1);
    if (strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
        return aif_err_set(err, AIF_EINVAL, "%s name \"%s\" must not contain '/' or be \".\" or \"..\"", what, s);
    return AIF_OK;
}

static const char *pick(const char *arg, const char *env, const char *def)
{
    if (arg && *arg)
        return arg;
    const char *v = getenv(env);
    return v && *v ? v : def;
}

aif_code aif_wallet_init(aif_wallet *w, const char *path, const char *name, const char *hotkey, aif_err *err)
{
    memset(w, 0, sizeof *w);
    path = pick(path, "BT_WALLET_PATH", "~/.bittensor/wallets");
    name = pick(name, "BT_WALLET_NAME", "default");
    hotkey = pick(hotkey, "BT_WALLET_HOTKEY", "default");
    aif_code rc = check_name("wallet", name, err);
    if (!rc)
        rc = check_name("hotkey", hotkey, err);
    if (rc)
        return rc;
    int n;
    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
        const char *home = getenv("HOME");
        if (!home || !*home)
            return aif_err_set(err, AIF_EINVAL, "wallet path %s: $HOME is not set", path);
        n = snprintf(w->path, sizeof w->path, "%s%s", home, path + 1);
    } else {
        n = snprintf(w->path, sizeof w->path, "%s", path);
    }
    if (n < 0 || (size_t)n >= sizeof w->path)
        return aif_err_set(err, AIF_ERANGE, "wallet path longer than %d bytes", AIF_WALLET_PATH_MAX - 1);
    while (n > 1 && w->path[n - 1] == '/')
        w->path[--n] = '\0';
    strcpy(w->name, name);
    strcpy(w->hotkey, hotkey);
    return AIF_OK;
}

aif_code aif_wallet_file_path(const aif_wallet *w, aif_wallet_file which, char *out, size_t cap, aif_err *err)
{
    int n;
    switch (which) {
    case AIF_WALLET_COLDKEY: n = snprintf(out, cap, "%s/%s/coldkey", w->path, w->name); break;
    case AIF_WALLET_COLDKEYPUB: n = snprintf(out, cap, "%s/%s/coldkeypub.txt", w->path, w->name); break;
    case AIF_WALLET_HOTKEY: n = snprintf(out, cap, "%s/%s/hotkeys/%s", w->path, w->name, w->hotkey); break;
    case AIF_WALLET_HOTKEYPUB: n = snprintf(out, cap, "%s/%s/hotkeys/%spub.txt", w->path, w->name, w->hotkey); break;
    default: AIF_ASSERT(0 && "bad aif_wallet_file"); n = -1;
    }
    if (n < 0 || (size_t)n >= cap)
        return aif_err_set(err, AIF_ERANGE, "wallet file path longer than %zu bytes", cap - 1);
    return AIF_OK;
}

static int is_pub(aif_wallet_file which) { return which == AIF_WALLET_COLDKEYPUB || which == AIF_WALLET_HOTKEYPUB; }

aif_code aif_wallet_load(const aif_wallet *w, aif_wallet_file which, const char *password,
                         const aif_wallet_kdf *kdf, aif_crypto_keypair **out, aif_err *err)
{
    char path[AIF_WALLET_PATH_MAX + 2 * AIF_WALLET_NAME_MAX + 32];
    *out = NULL;
    aif_code rc = aif_wallet_file_path(w, which, path, sizeof path, err);
    if (rc)
        return rc;
    return aif_wallet_keyfile_load(path, is_pub(which) ? NULL : password, kdf, out, err);
}

aif_code aif_wallet_save(const aif_wallet *w, aif_wallet_file which, const aif_crypto_keypair *kp,
                         const char *password, const aif_wallet_kdf *kdf, int overwrite, aif_err *err)
{
    char path[AIF_WALLET_PATH_MAX + 2 * AIF_WALLET_NAME_MAX + 32];
    aif_code rc = aif_wallet_file_path(w, which, path, sizeof path, err);
    if (rc)
        return rc;
    return aif_wallet_keyfile_save(path, kp, is_pub(which), is_pub(which) ? NULL : password, kdf, overwrite, err);
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void aif_wallet_names_free(char **names, size_t n_names)
{
    if (!names)
        return;
    for (size_t i = 0; i < n_names; i++)
        aif_free(names[i]);
    aif_free(names);
}

aif_code aif_wallet_list(const char *dir, int hotkeys, char ***names, size_t *n_names, aif_err *err)
{
    *names = NULL;
    *n_names = 0;
    DIR *d = opendir(dir);
    if (!d)
        return AIF_OK;
    char **v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    aif_code rc = AIF_OK;
    while ((e = readdir(d)) != NULL) {
        const char *s = e->d_name;
        size_t len = strlen(s);
        if (s[0] == '.')
            continue;
        if (hotkeys && ((len > 7 && !strcmp(s + len - 7, "pub.txt")) || strstr(s, ".tmp.")))
            continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            char **nv = aif_realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = aif_err_set(err, AIF_ENOMEM, "out of memory listing %s", dir);
                break;
            }
            v = nv;
            cap = nc;
        }
        if (!(v[n] = aif_strdup(s))) {
            rc = aif_err_set(err, AIF_ENOMEM, "out of memory listing %s", dir);
            break;
        }
        n++;
    }
    closedir(d);
    if (rc) {
        aif_wallet_names_free(v, n);
        return rc;
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_names);
    *names = v;
    *n_names = n;
    return AIF_OK;
}
