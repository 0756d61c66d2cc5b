/* model_id.c: the chain commitment string (spec 3):
 *   namespace:name:commit:secure_hash:competition_id
 * parsed the way taoverse's ModelId.from_compressed_str does, and formatted
 * the way to_compressed_str does. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "subnet_int.h"

/* Copy token [s, s+n) into a field; "None" is the null field. */
static void set_field(char *dst, int *has, const char *s, size_t n)
{
    if (has && n == 4 && !memcmp(s, "None", 4)) {
        dst[0] = 0;
        *has = 0;
        return;
    }
    memcpy(dst, s, n);
    dst[n] = 0;
    if (has)
        *has = 1;
}

/* Python int(str) for base 10 on ASCII: optional surrounding whitespace
 * (str.isspace: \t..\r, \x1c..\x1f, space), one optional sign, digits with
 * single '_' between digits. Non-ASCII digits and spaces are not accepted. */
static int py_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static aif_code parse_py_int(const char *s, size_t n, int *out, aif_err *err)
{
    size_t i = 0, end = n;
    while (i < end && py_space(s[i]))
        i++;
    while (end > i && py_space(s[end - 1]))
        end--;
    int neg = 0;
    if (i < end && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == end)
        return aif_err_set(err, AIF_EFORMAT, "competition id '%.*s' is not an integer", (int)(n > 16 ? 16 : n), s);
    long long v = 0;
    int prev_digit = 0;
    for (; i < end; i++) {
        char ch = s[i];
        if (ch == '_' && prev_digit && i + 1 < end && isdigit((unsigned char)s[i + 1])) {
            prev_digit = 0;
            continue;
        }
        if (!isdigit((unsigned char)ch))
            return aif_err_set(err, AIF_EFORMAT, "competition id '%.*s' is not an integer", (int)(n > 16 ? 16 : n),
                               s);
        prev_digit = 1;
        if (v > ((long long)INT_MAX + 1) / 10 + 1)
            v = (long long)INT_MAX + 2; /* saturate; checked below */
        else
            v = v * 10 + (ch - '0');
    }
    if (neg)
        v = -v;
    if (v < INT_MIN || v > INT_MAX)
        return aif_err_set(err, AIF_ERANGE, "competition id '%.*s' is out of range", (int)(n > 16 ? 16 : n), s);
    *out = (int)v;
    return AIF_OK;
}

aif_code aif_subnet_model_id_parse(const char *text, size_t len, aif_subnet_model_id *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > AIF_SUBNET_MAX_METADATA_BYTES)
        return aif_err_set(err, AIF_ERANGE, "model id: %zu bytes, more than the %d a commitment holds", len,
                           AIF_SUBNET_MAX_METADATA_BYTES);
    if (memchr(text, 0, len))
        return aif_err_set(err, AIF_EFORMAT, "model id: NUL byte at offset %zu",
                           (size_t)((const char *)memchr(text, 0, len) - text));
    /* Token boundaries: split on every ':'. Only the first five matter. */
    size_t start[5], tlen[5], ntok = 0, pos = 0;
    for (;;) {
        const char *colon = memchr(text + pos, ':', len - pos);
        size_t end = colon ? (size_t)(colon - text) : len;
        if (ntok < 5) {
            start[ntok] = pos;
            tlen[ntok] = end - pos;
        }
        ntok++;
        if (!colon)
            break;
        pos = end + 1;
    }
    if (ntok < 4)
        return aif_err_set(err, AIF_EFORMAT, "model id: %zu ':'-separated fields, expected 5 (or the legacy 4)",
                           ntok);
    set_field(out->ns, NULL, text + start[0], tlen[0]);
    set_field(out->name, NULL, text + start[1], tlen[1]);
    set_field(out->commit, &out->has_commit, text + start[2], tlen[2]);
    set_field(out->secure_hash, &out->has_secure_hash, text + start[3], tlen[3]);
    if (ntok < 5) {
        /* Legacy form: no competition id; the fourth field is the hash. */
        out->competition_id = 0;
        set_field(out->hash, &out->has_hash, text + start[3], tlen[3]);
        return AIF_OK;
    }
    aif_code rc = parse_py_int(text + start[4], tlen[4], &out->competition_id, err);
    if (rc)
        return aif_err_wrap(err, "model id");
    return AIF_OK;
}

static size_t field_len(const char *s, int has)
{
    return has ? strlen(s) : 4; /* "None" */
}

aif_code aif_subnet_model_id_format(const aif_subnet_model_id *id, char *out, size_t cap, aif_err *err)
{
    const char *fields[4] = {id->ns, id->name, id->commit, id->secure_hash};
    const int has[4] = {1, 1, id->has_commit, id->has_secure_hash};
    static const char *const names[4] = {"namespace", "name", "commit", "secure_hash"};
    for (int i = 0; i < 4; i++)
        if (has[i] && strchr(fields[i], ':'))
            return aif_err_set(err, AIF_EFORMAT, "model id: %s '%.64s' contains ':'", names[i], fields[i]);
    size_t need = 0;
    for (int i = 0; i < 4; i++)
        need += field_len(fields[i], has[i]) + 1;
    char num[16];
    int nn = snprintf(num, sizeof num, "%d", id->competition_id);
    need += (size_t)nn;
    if (need > AIF_SUBNET_MAX_METADATA_BYTES)
        return aif_err_set(err, AIF_ERANGE, "model id: %zu bytes, more than the %d a commitment holds", need,
                           AIF_SUBNET_MAX_METADATA_BYTES);
    if (need + 1 > cap)
        return aif_err_set(err, AIF_ERANGE, "model id: %zu bytes do not fit in a buffer of %zu", need + 1, cap);
    char *p = out;
    for (int i = 0; i < 4; i++) {
        const char *f = has[i] ? fields[i] : "None";
        size_t n = strlen(f);
        memcpy(p, f, n);
        p += n;
        *p++ = ':';
    }
    memcpy(p, num, (size_t)nn + 1);
    return AIF_OK;
}

static int is_b64(char c)
{
    return isalnum((unsigned char)c) || c == '+' || c == '/' || c == '=';
}

aif_code aif_subnet_model_id_check(const aif_subnet_model_id *id, aif_err *err)
{
    /* Repo id "ns/name": taoverse validate_hf_repo_id. */
    size_t ns = strlen(id->ns), nm = strlen(id->name), repo = ns + 1 + nm;
    if (!ns || !nm || strchr(id->ns, '/') || strchr(id->name, '/'))
        return aif_err_set(err, AIF_EFORMAT, "model id: repo id '%.64s/%.64s' must be namespace/name", id->ns,
                           id->name);
    if (repo <= 3 || repo > AIF_SUBNET_MAX_REPO_ID_LENGTH)
        return aif_err_set(err, AIF_ERANGE, "model id: repo id '%.64s/%.64s' has %zu characters, allowed 4..%d",
                           id->ns, id->name, repo, AIF_SUBNET_MAX_REPO_ID_LENGTH);
    if (!id->has_commit || strlen(id->commit) != AIF_SUBNET_GIT_COMMIT_LENGTH)
        return aif_err_set(err, AIF_EFORMAT, "model id: commit '%.64s' is not a %d-character commit id",
                           id->has_commit ? id->commit : "None", AIF_SUBNET_GIT_COMMIT_LENGTH);
    for (size_t i = 0; i < AIF_SUBNET_GIT_COMMIT_LENGTH; i++)
        if (!isxdigit((unsigned char)id->commit[i]))
            return aif_err_set(err, AIF_EFORMAT, "model id: commit '%s': character %zu is not hex", id->commit, i);
    if (!id->has_secure_hash || strlen(id->secure_hash) != AIF_SUBNET_SHA256_BASE64_LENGTH)
        return aif_err_set(err, AIF_EFORMAT, "model id: secure hash '%.64s' is not %d base64 characters",
                           id->has_secure_hash ? id->secure_hash : "None", AIF_SUBNET_SHA256_BASE64_LENGTH);
    for (size_t i = 0; i < AIF_SUBNET_SHA256_BASE64_LENGTH; i++)
        if (!is_b64(id->secure_hash[i]))
            return aif_err_set(err, AIF_EFORMAT, "model id: secure hash: character %zu is not base64", i);
    if (id->competition_id < 0 || id->competition_id > 99)
        return aif_err_set(err, AIF_ERANGE, "model id: competition id %d is not 0..99 (two characters)",
                           id->competition_id);
    return AIF_OK;
}

int aif_subnet_model_id_equal(const aif_subnet_model_id *a, const aif_subnet_model_id *b)
{
    return !strcmp(a->ns, b->ns) && !strcmp(a->name, b->name) && a->has_commit == b->has_commit &&
           !strcmp(a->commit, b->commit) && a->has_hash == b->has_hash && !strcmp(a->hash, b->hash) &&
           a->has_secure_hash == b->has_secure_hash && !strcmp(a->secure_hash, b->secure_hash) &&
           a->competition_id == b->competition_id;
}
