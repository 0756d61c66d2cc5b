/* push.c: the miner's upload-and-commit flow (spec 9.2) over any chain and
 * hub backend. */
#include "aif/miner.h"
#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void real_sleep(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static aif_code find_uid(const aif_chain *chain, uint16_t netuid, const char *ss58, uint16_t *uid, aif_err *err)
{
    aif_metagraph mg;
    aif_code rc = aif_chain_metagraph(chain, netuid, &mg, err);
    if (rc != AIF_OK)
        return rc;
    int found = 0;
    for (size_t i = 0; i < mg.n && !found; i++)
        if (!strcmp(mg.neurons[i].hotkey, ss58)) {
            *uid = mg.neurons[i].uid;
            found = 1;
        }
    if (!found)
        rc = aif_err_set(err, AIF_ESTATE, "hotkey %s is not registered on subnet %u", ss58, netuid);
    aif_metagraph_release(&mg);
    return rc;
}

/* Read our commitment back: *same = 1 if it equals want. */
static aif_code read_back(const aif_chain *chain, uint16_t netuid, const char *ss58, const char *want, int *same,
                          uint64_t *block, aif_err *err)
{
    aif_commitment *cs = NULL;
    size_t n = 0;
    aif_code rc = aif_chain_commitments(chain, netuid, &cs, &n, err);
    if (rc != AIF_OK)
        return rc;
    *same = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cs[i].hotkey, ss58)) {
            *same = cs[i].len == strlen(want) && !memcmp(cs[i].data, want, cs[i].len);
            *block = cs[i].block;
            break;
        }
    aif_free(cs);
    return AIF_OK;
}

/* Download the commit as a validator would and hash it (spec 9.2 step 4). */
static aif_code hash_as_validator(const aif_hub *hub, const char *repo_id, const char *commit,
                                  const aif_subnet_competition *c, const char *tmp_parent, char hash[45], aif_err *err)
{
    char tmpl[4096];
    const char *parent = tmp_parent ? tmp_parent : getenv("TMPDIR");
    if (!parent || !*parent)
        parent = "/tmp";
    if (snprintf(tmpl, sizeof tmpl, "%s/aif-push-XXXXXX", parent) >= (int)sizeof tmpl)
        return aif_err_set(err, AIF_ERANGE, "temporary directory path too long");
    if (!mkdtemp(tmpl))
        return aif_err_set(err, AIF_EIO, "%s: cannot create a temporary directory: %s", tmpl, strerror(errno));
    char snap[4096];
    uint64_t max_bytes = c->constraints.max_bytes > 0 ? (uint64_t)c->constraints.max_bytes : 0;
    aif_code rc = aif_hub_fetch_model(hub, repo_id, commit, tmpl, max_bytes, snap, sizeof snap, err);
    if (rc == AIF_OK)
        rc = aif_hub_cache_realize(snap, err);
    if (rc == AIF_OK)
        rc = aif_subnet_hash_dir(snap, hash, err);
    aif_fs_remove_tree(tmpl, NULL);
    if (rc != AIF_OK)
        aif_err_wrap(err, "downloading %s@%s back as a validator would", repo_id, commit);
    return rc;
}

aif_code aif_miner_push(const aif_chain *chain, const aif_hub *hub, const aif_chain_signer *hotkey,
                        const char *model_dir, const char *repo_id, const aif_subnet_competition *c,
                        const aif_miner_push_opts *opts, aif_miner_push_result *out, aif_err *err)
{
    AIF_ASSERT(chain && hub && hotkey && model_dir && repo_id && c);
    aif_miner_push_opts o = {80, 60.0, 0, 0, NULL, NULL, NULL, NULL};
    if (opts)
        o = *opts;
    aif_miner_push_result r;
    memset(&r, 0, sizeof r);

    /* 1. who we are and where it goes */
    aif_code rc = aif_hub_check_repo_id(repo_id, err);
    if (rc != AIF_OK)
        return rc;
    if (c->id < 0 || c->id > 99)
        return aif_err_set(err, AIF_ERANGE, "competition id %d: must be 0..99", c->id);
    if ((rc = find_uid(chain, o.netuid, hotkey->ss58, &r.uid, err)) != AIF_OK)
        return rc;

    /* 2. the model must pass the competition's checks before it leaves */
    if ((rc = aif_miner_check_model(model_dir, c, &r.info, err)) != AIF_OK)
        return aif_err_wrap(err, "refused before upload");
    aif_log(AIF_LOG_INFO, "%s: %s, %lld parameters, %lld bytes, %s", model_dir, r.info.arch,
            (long long)r.info.n_parameters, (long long)r.info.total_bytes, r.info.dtype);

    /* 3. upload, private */
    if ((rc = aif_hub_upload(hub, repo_id, model_dir, 1, o.message ? o.message : "Upload model", r.commit, err)) !=
        AIF_OK)
        return rc;
    aif_log(AIF_LOG_INFO, "uploaded %s at commit %s", repo_id, r.commit);

    /* 4-5. hash as a validator would, secure hash with our hotkey */
    if ((rc = hash_as_validator(hub, repo_id, r.commit, c, o.tmp_dir, r.hash, err)) != AIF_OK)
        return rc;
    aif_subnet_secure_hash(r.hash, hotkey->ss58, r.secure_hash);

    aif_subnet_model_id id;
    memset(&id, 0, sizeof id);
    const char *slash = strchr(repo_id, '/');
    snprintf(id.ns, sizeof id.ns, "%.*s", (int)(slash - repo_id), repo_id);
    snprintf(id.name, sizeof id.name, "%s", slash + 1);
    snprintf(id.commit, sizeof id.commit, "%s", r.commit);
    snprintf(id.secure_hash, sizeof id.secure_hash, "%s", r.secure_hash);
    id.has_commit = id.has_secure_hash = 1;
    id.competition_id = c->id;
    if ((rc = aif_subnet_model_id_check(&id, err)) != AIF_OK ||
        (rc = aif_subnet_model_id_format(&id, r.commitment, sizeof r.commitment, err)) != AIF_OK)
        return rc;

    /* 6. commit until the chain holds it */
    for (;;) {
        r.attempts++;
        aif_err e = {0};
        int same = 0;
        aif_code crc = aif_chain_commit(chain, hotkey, o.netuid, r.commitment, strlen(r.commitment), &e);
        if (crc == AIF_OK)
            crc = find_uid(chain, o.netuid, hotkey->ss58, &r.uid, &e);
        if (crc == AIF_OK)
            crc = read_back(chain, o.netuid, hotkey->ss58, r.commitment, &same, &r.block, &e);
        if (crc == AIF_OK && same)
            break;
        if (crc == AIF_OK)
            aif_err_set(&e, AIF_ESTATE, "the commitment read back differs from %s", r.commitment);
        if (o.max_attempts > 0 && r.attempts >= o.max_attempts) {
            if (err)
                *err = e;
            return aif_err_wrap(err, "commit failed after %d attempts", r.attempts);
        }
        aif_log(AIF_LOG_WARN, "commit attempt %d failed (%s); retrying in %g s", r.attempts, e.msg, o.retry_delay_s);
        if (o.sleep)
            o.sleep(o.sleep_ctx, o.retry_delay_s);
        else
            real_sleep(o.retry_delay_s);
    }
    aif_log(AIF_LOG_INFO, "committed %s at block %llu (uid %u)", r.commitment, (unsigned long long)r.block, r.uid);

    /* 7. optionally public */
    if (o.make_public && (rc = aif_hub_set_private(hub, repo_id, 0, err)) != AIF_OK)
        return aif_err_wrap(err, "committed, but making %s public failed", repo_id);
    if (out)
        *out = r;
    return AIF_OK;
}
