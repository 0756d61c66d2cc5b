/* cleanup.c: the cleaner (spec 8.12): delete model directories under
 * <model_dir>/models/ that no queued uid needs, once nothing in them has
 * changed for the grace period. For a hotkey still queued, only the
 * snapshot of its current model is kept. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/log.h"
#include "validator_int.h"

/* Newest mtime of the regular files under path (not following links);
 * -inf when there are none. */
static double newest_mtime(const char *path, int depth)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return -INFINITY;
    double t = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec * 1e-9;
    if (!S_ISDIR(st.st_mode))
        return S_ISREG(st.st_mode) || S_ISLNK(st.st_mode) ? t : -INFINITY;
    if (depth > 32)
        return INFINITY; /* too deep to judge: treat as fresh, keep */
    double best = -INFINITY;
    DIR *d = opendir(path);
    if (!d)
        return INFINITY;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char sub[PATH_MAX];
        if (snprintf(sub, sizeof sub, "%s/%s", path, de->d_name) >= (int)sizeof sub)
            continue;
        double s = newest_mtime(sub, depth + 1);
        if (s > best)
            best = s;
    }
    closedir(d);
    return best;
}

static int stale(aif_validator *v, const char *path, double now)
{
    return now - newest_mtime(path, 0) > v->o.cleanup_grace;
}

static aif_code remove_if_stale(aif_validator *v, const char *path, double now, size_t *n, aif_err *err)
{
    if (!stale(v, path, now))
        return AIF_OK;
    aif_log(AIF_LOG_INFO, "cleaner: removing %s", path);
    aif_code rc = aif_fs_remove_tree(path, err);
    if (rc == AIF_OK)
        (*n)++;
    return rc;
}

/* Keep only keep_snap among the models--X/SUB/ENTRY directories of hdir. */
static aif_code clean_hotkey(aif_validator *v, const char *hdir, const char *keep_snap, double now, size_t *n,
                             aif_err *err)
{
    DIR *d = opendir(hdir);
    if (!d)
        return AIF_OK;
    aif_code rc = AIF_OK;
    struct dirent *de;
    while (rc == AIF_OK && (de = readdir(d))) {
        if (strncmp(de->d_name, "models--", 8) != 0)
            continue;
        char repo[PATH_MAX];
        if (snprintf(repo, sizeof repo, "%s/%s", hdir, de->d_name) >= (int)sizeof repo || !aif_fs_is_dir(repo))
            continue;
        DIR *rd = opendir(repo);
        if (!rd)
            continue;
        struct dirent *se;
        while (rc == AIF_OK && (se = readdir(rd))) {
            if (se->d_name[0] == '.')
                continue;
            char sub[PATH_MAX];
            if (snprintf(sub, sizeof sub, "%s/%s", repo, se->d_name) >= (int)sizeof sub || !aif_fs_is_dir(sub))
                continue;
            DIR *cd = opendir(sub);
            if (!cd)
                continue;
            struct dirent *ce;
            while (rc == AIF_OK && (ce = readdir(cd))) {
                if (!strcmp(ce->d_name, ".") || !strcmp(ce->d_name, ".."))
                    continue;
                char path[PATH_MAX];
                struct stat st;
                if (snprintf(path, sizeof path, "%s/%s", sub, ce->d_name) >= (int)sizeof path ||
                    lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
                    continue;
                if (keep_snap && strcmp(path, keep_snap) == 0)
                    continue;
                rc = remove_if_stale(v, path, now, n, err);
            }
            closedir(cd);
        }
        closedir(rd);
    }
    closedir(d);
    return rc;
}

aif_code aif_validator_cleanup(aif_validator *v, size_t *n_removed, aif_err *err)
{
    size_t n = 0;
    uint16_t *uids = NULL;
    size_t nu = 0;
    aif_metagraph mg;
    aif_code rc = aif_chain_metagraph(v->o.chain, v->o.netuid, &mg, err);
    if (rc)
        return rc;
    if ((rc = aif_vali_uids_all(v, &uids, &nu, err)) != AIF_OK)
        goto out;
    /* Keep-set: hotkey -> its model's snapshot path ("" if unknown). */
    char (*keep_hk)[AIF_SS58_MAX] = aif_calloc(nu ? nu : 1, sizeof *keep_hk);
    char (*keep_snap)[PATH_MAX] = aif_calloc(nu ? nu : 1, sizeof *keep_snap);
    if (!keep_hk || !keep_snap) {
        aif_free(keep_hk);
        aif_free(keep_snap);
        rc = aif_err_set(err, AIF_ENOMEM, "out of memory for the cleaner");
        goto out;
    }
    size_t nk = 0;
    for (size_t i = 0; i < nu; i++) {
        if (uids[i] >= mg.n)
            continue;
        const char *hk = mg.neurons[uids[i]].hotkey;
        aif_validator_model m;
        int found;
        aif_err e;
        snprintf(keep_hk[nk], sizeof keep_hk[nk], "%s", hk);
        keep_snap[nk][0] = '\0';
        if (aif_vali_model_get(v, hk, &m, &found, &e) == AIF_OK && found &&
            aif_vali_snapshot(v, hk, &m.id, keep_snap[nk], sizeof keep_snap[nk], &e) != AIF_OK)
            keep_snap[nk][0] = '\0';
        nk++;
    }
    char models[PATH_MAX];
    double now = aif_vali_now(v);
    if ((rc = aif_fs_path(models, sizeof models, err, "%s/models", v->model_dir)) == AIF_OK) {
        DIR *d = opendir(models);
        struct dirent *de;
        while (d && (de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            char hdir[PATH_MAX];
            if (snprintf(hdir, sizeof hdir, "%s/%s", models, de->d_name) >= (int)sizeof hdir)
                continue;
            size_t k;
            for (k = 0; k < nk; k++)
                if (!strcmp(keep_hk[k], de->d_name))
                    break;
            aif_err e;
            aif_err_clear(&e);
            aif_code hr = k == nk ? remove_if_stale(v, hdir, now, &n, &e)
                                  : clean_hotkey(v, hdir, keep_snap[k][0] ? keep_snap[k] : NULL, now, &n, &e);
            if (hr) /* errors for one hotkey are logged; the next one is tried */
                aif_log(AIF_LOG_WARN, "cleaner: %s: %s", de->d_name, e.msg);
        }
        if (d)
            closedir(d);
    }
    aif_free(keep_hk);
    aif_free(keep_snap);
out:
    aif_free(uids);
    aif_metagraph_release(&mg);
    if (n_removed)
        *n_removed = n;
    return rc;
}
