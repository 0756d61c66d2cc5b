/* keyfile.c: Bittensor keyfiles (spec §7.1-7.3): the plaintext JSON form,
 * the "$NACL" Argon2i + secretbox form, a bare 0x public key, and the
 * legacy formats recognised only to refuse them clearly.
 *
 * The JSON of a keyfile is a flat object of strings, so it is read here by
 * a small parser that copies values straight into sodium_malloc memory
 * (a general JSON library would leave copies of the secret in the heap). */
#include "wallet_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aif/fs.h"

#define KEYFILE_MAX (64 * 1024)
#define NACL_HEAD 5
#define NACL_OVERHEAD (NACL_HEAD + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)

/* btwallet NACL_SALT, b"\x13q\x83\xdf\xf1Z\t\xbc\x9c\x90\xb5Q\x879\xe9\xb1" */
static const uint8_t nacl_salt[16] = {0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc,
                                      0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1};

/* ---- KDF ------------------------------------------------------------- */

aif_code aif_wallet_kdf_parse(const char *spec, aif_wallet_kdf *kdf, aif_err *err)
{
    kdf->opslimit = 0;
    kdf->memlimit = 0;
    if (!spec || !*spec || !strcmp(spec, "sensitive"))
        return AIF_OK;
    char *end;
    errno = 0;
    unsigned long long ops = strtoull(spec, &end, 10);
    if (errno || end == spec || *end != ',')
        return aif_err_set(err, AIF_EINVAL, "KDF limits \"%s\": expected OPS,BYTES or \"sensitive\"", spec);
    const char *m = end + 1;
    unsigned long long mem = strtoull(m, &end, 10);
    if (errno || end == m || *end)
        return aif_err_set(err, AIF_EINVAL, "KDF limits \"%s\": expected OPS,BYTES or \"sensitive\"", spec);
    if (ops < crypto_pwhash_argon2i_OPSLIMIT_MIN || ops > crypto_pwhash_argon2i_OPSLIMIT_MAX ||
        mem < crypto_pwhash_argon2i_MEMLIMIT_MIN || mem > crypto_pwhash_argon2i_MEMLIMIT_MAX || mem > SIZE_MAX)
        return aif_err_set(err, AIF_EINVAL, "KDF limits \"%s\": outside Argon2i's range (ops >= %d, bytes >= %d)",
                           spec, (int)crypto_pwhash_argon2i_OPSLIMIT_MIN, (int)crypto_pwhash_argon2i_MEMLIMIT_MIN);
    kdf->opslimit = ops;
    kdf->memlimit = (size_t)mem;
    return AIF_OK;
}

static aif_code derive_key(const char *password, const aif_wallet_kdf *kdf, uint8_t key[32], aif_err *err)
{
    unsigned long long ops = kdf && kdf->opslimit ? kdf->opslimit : crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE;
    size_t mem = kdf && kdf->memlimit ? kdf->memlimit : crypto_pwhash_argon2i_MEMLIMIT_SENSITIVE;
    if (crypto_pwhash(key, 32, password, strlen(password), nacl_salt, ops, mem, crypto_pwhash_ALG_ARGON2I13) != 0)
        return aif_err_set(err, AIF_ENOMEM, "Argon2i key derivation failed (it needs %zu MiB of memory)",
                           mem >> 20);
    return AIF_OK;
}

/* ---- the flat JSON object --------------------------------------------- */

enum { F_ACCOUNT, F_PUBLIC, F_PRIVATE, F_PHRASE, F_SEED, F_SS58, F_COUNT };
static const char *const field_names[F_COUNT] = {"accountId",    "publicKey",  "privateKey",
                                                 "secretPhrase", "secretSeed", "ss58Address"};
#define FIELD_CAP 512

typedef struct fields {
    char v[F_COUNT][FIELD_CAP];
    int present[F_COUNT]; /* 1: a string, 2: null */
} fields;

typedef struct cursor {
    const uint8_t *p, *end, *start;
} cursor;

static void ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static size_t off(const cursor *c) { return (size_t)(c->p - c->start); }

static int hexval(uint8_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
        return (ch | 0x20) - 'a' + 10;
    return -1;
}

/* Parse a JSON string at c->p (the opening quote) into out (cap bytes,
 * NUL-terminated); out NULL skips it. */
static aif_code parse_string(cursor *c, char *out, size_t cap, const char *what, aif_err *err)
{
    size_t n = 0;
    c->p++;
    for (;;) {
        if (c->p >= c->end)
            return aif_err_set(err, AIF_EFORMAT, "keyfile: %s: unterminated string", what);
        uint8_t ch = *c->p++;
        uint32_t cp;
        if (ch == '"')
            break;
        if (ch < 0x20)
            return aif_err_set(err, AIF_EFORMAT, "keyfile: %s: control character in string at offset %zu", what,
                               off(c) - 1);
        if (ch != '\\') {
            cp = ch;
        } else {
            if (c->p >= c->end)
                return aif_err_set(err, AIF_EFORMAT, "keyfile: %s: unterminated string", what);
            uint8_t e = *c->p++;
            switch (e) {
            case '"': case '\\': case '/': cp = e; break;
            case 'b': cp = '\b'; break;
            case 'f': cp = '\f'; break;
            case 'n': cp = '\n'; break;
            case 'r': cp = '\r'; break;
            case 't': cp = '\t'; break;
            case 'u': {
                if (c->end - c->p < 4)
                    return aif_err_set(err, AIF_EFORMAT, "keyfile: %s: short \\u escape", what);
                cp = 0;
                for (int i = 0; i < 4; i++) {
                    int h = hexval(c->p[i]);
                    if (h < 0)
                        return aif_err_set(err, AIF_EFORMAT, "keyfile: %s: bad \\u escape at offset %zu", what,
                                           off(c));
                    cp = cp << 4 | (uint32_t)h;
                }
                c->p += 4;
                if (cp >= 0xd800 && cp < 0xe000)
                    return aif_err_set(err, AIF_EFORMAT, "keyfile: %s: surrogate \\u escape at offset %zu", what,
                                       off(c) - 6);
                break;
            }
            default:
                return aif_err_set(err, AIF_EFORMAT, "keyfile: %s: bad escape at offset %zu", what, off(c) - 2);
            }
        }
        /* append cp as UTF-8 (raw bytes >= 0x80 are copied as they are) */
        uint8_t u[3];
        size_t k;
        if (cp < 0x80 || ch != '\\') {
            u[0] = (uint8_t)cp, k = 1;
        } else if (cp < 0x800) {
            u[0] = (uint8_t)(0xc0 | cp >> 6), u[1] = (uint8_t)(0x80 | (cp & 0x3f)), k = 2;
        } else {
            u[0] = (uint8_t)(0xe0 | cp >> 12), u[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
            u[2] = (uint8_t)(0x80 | (cp & 0x3f)), k = 3;
        }
        if (out) {
            if (n + k >= cap)
                return aif_err_set(err, AIF_ERANGE, "keyfile: %s: value longer than %zu bytes", what, cap - 1);
            memcpy(out + n, u, k);
        }
        n += k;
    }
    if (out)
        out[n] = '\0';
    return AIF_OK;
}

static aif_code parse_object(const uint8_t *data, size_t len, fields *f, aif_err *err)
{
    cursor c = {data, data + len, data};
    char key[64];
    ws(&c);
    if (c.p >= c.end || *c.p != '{')
        return aif_err_set(err, AIF_EFORMAT, "keyfile: expected '{' at offset %zu", off(&c));
    c.p++;
    ws(&c);
    if (c.p < c.end && *c.p == '}') {
        c.p++;
        goto done;
    }
    for (;;) {
        ws(&c);
        if (c.p >= c.end || *c.p != '"')
            return aif_err_set(err, AIF_EFORMAT, "keyfile: expected a key at offset %zu", off(&c));
        size_t key_off = off(&c);
        aif_code rc = parse_string(&c, key, sizeof key, "key", err);
        if (rc == AIF_ERANGE)
            return aif_err_set(err, AIF_EFORMAT, "keyfile: key at offset %zu longer than %zu bytes", key_off,
                               sizeof key - 1);
        if (rc)
            return rc;
        int which = -1;
        for (int i = 0; i < F_COUNT; i++)
            if (!strcmp(key, field_names[i]))
                which = i;
        ws(&c);
        if (c.p >= c.end || *c.p != ':')
            return aif_err_set(err, AIF_EFORMAT, "keyfile: expected ':' after key '%s' at offset %zu", key, off(&c));
        c.p++;
        ws(&c);
        if (which >= 0 && f->present[which])
            return aif_err_set(err, AIF_EFORMAT, "keyfile: duplicate key '%s'", key);
        if (c.p < c.end && *c.p == '"') {
            rc = parse_string(&c, which >= 0 ? f->v[which] : NULL, FIELD_CAP, which >= 0 ? field_names[which] : key,
                              err);
            if (rc)
                return rc;
            if (which >= 0)
                f->present[which] = 1;
        } else if (c.end - c.p >= 4 && !memcmp(c.p, "null", 4)) {
            c.p += 4;
            if (which >= 0)
                f->present[which] = 2;
        } else if (which < 0 && c.p < c.end && (strchr("-0123456789", *c.p) || *c.p == 't' || *c.p == 'f')) {
            /* an unknown key with a number or boolean: skip it */
            if (c.end - c.p >= 4 && !memcmp(c.p, "true", 4))
                c.p += 4;
            else if (c.end - c.p >= 5 && !memcmp(c.p, "false", 5))
                c.p += 5;
            else
                while (c.p < c.end && *c.p && strchr("+-0123456789.eE", *c.p))
                    c.p++;
        } else {
            return aif_err_set(err, AIF_EFORMAT, "keyfile: key '%s': expected a string or null at offset %zu", key,
                               off(&c));
        }
        ws(&c);
        if (c.p < c.end && *c.p == ',') {
            c.p++;
            continue;
        }
        if (c.p < c.end && *c.p == '}') {
            c.p++;
            break;
        }
        return aif_err_set(err, AIF_EFORMAT, "keyfile: expected ',' or '}' at offset %zu", off(&c));
    }
done:
    ws(&c);
    if (c.p != c.end)
        return aif_err_set(err, AIF_EFORMAT, "keyfile: trailing data at offset %zu", off(&c));
    return AIF_OK;
}

static aif_code hex_field(const fields *f, int which, uint8_t *out, size_t n, aif_err *err)
{
    size_t got = 0;
    const char *s = f->v[which];
    if (strncmp(s, "0x", 2) != 0 || strlen(s) != 2 + 2 * n)
        return aif_err_set(err, AIF_EFORMAT, "keyfile: %s: expected \"0x\" and %zu hex digits", field_names[which],
                           2 * n);
    aif_code rc = aif_crypto_hex_decode(s, strlen(s), out, n, &got, err);
    if (rc)
        return aif_err_wrap(err, "keyfile: %s", field_names[which]);
    return AIF_OK;
}

static aif_code keypair_from_fields(const fields *f, aif_crypto_keypair **out, aif_err *err)
{
    aif_crypto_keypair *kp = NULL;
    aif_code rc;
    const char *src;
    uint8_t *buf = sodium_malloc(64);
    if (!buf)
        return aif_err_set(err, AIF_ENOMEM, "out of memory (sodium_malloc)");
    if (f->present[F_PHRASE] == 1) {
        src = "secretPhrase";
        rc = aif_crypto_keypair_from_mnemonic(f->v[F_PHRASE], NULL, &kp, err);
        if (rc)
            aif_err_wrap(err, "keyfile: secretPhrase");
    } else if (f->present[F_SEED] == 1) {
        src = "secretSeed";
        rc = hex_field(f, F_SEED, buf, 32, err);
        if (!rc)
            rc = aif_crypto_keypair_from_mini(buf, &kp, err);
    } else if (f->present[F_PRIVATE] == 1) {
        src = "privateKey";
        rc = hex_field(f, F_PRIVATE, buf, 64, err);
        if (!rc && (rc = aif_crypto_keypair_from_secret(buf, AIF_SR25519_FORM_AUTO, &kp, err)) != AIF_OK)
            aif_err_wrap(err, "keyfile: privateKey");
    } else if (f->present[F_PUBLIC] == 1 || f->present[F_ACCOUNT] == 1) {
        int w = f->present[F_PUBLIC] == 1 ? F_PUBLIC : F_ACCOUNT;
        src = field_names[w];
        rc = hex_field(f, w, buf, 32, err);
        if (!rc && (rc = aif_crypto_keypair_from_public(buf, &kp, err)) != AIF_OK)
            aif_err_wrap(err, "keyfile: %s", field_names[w]);
    } else if (f->present[F_SS58] == 1) {
        src = "ss58Address";
        rc = aif_crypto_ss58_decode(f->v[F_SS58], buf, NULL, err);
        if (!rc)
            rc = aif_crypto_keypair_from_public(buf, &kp, err);
        if (rc)
            aif_err_wrap(err, "keyfile: ss58Address");
    } else {
        sodium_free(buf);
        return aif_err_set(err, AIF_EFORMAT, "keyfile has no key (none of secretPhrase, secretSeed, privateKey, "
                                             "publicKey, accountId, ss58Address)");
    }
    if (!rc) {
        /* every public field present must name the same key */
        const uint8_t *pk = aif_crypto_keypair_public(kp);
        static const int checks[] = {F_PUBLIC, F_ACCOUNT};
        for (int i = 0; i < 2 && !rc; i++) {
            if (f->present[checks[i]] != 1)
                continue;
            rc = hex_field(f, checks[i], buf, 32, err);
            if (!rc && memcmp(buf, pk, 32))
                rc = aif_err_set(err, AIF_ECRYPTO, "keyfile: %s does not match the key from %s",
                                 field_names[checks[i]], src);
        }
        if (!rc && f->present[F_SS58] == 1) {
            rc = aif_crypto_ss58_decode(f->v[F_SS58], buf, NULL, err);
            if (rc)
                aif_err_wrap(err, "keyfile: ss58Address");
            else if (memcmp(buf, pk, 32))
                rc = aif_err_set(err, AIF_ECRYPTO, "keyfile: ss58Address does not match the key from %s", src);
        }
    }
    sodium_free(buf);
    if (rc) {
        aif_crypto_keypair_free(kp);
        return rc;
    }
    *out = kp;
    return AIF_OK;
}

/* ---- decode ----------------------------------------------------------- */

int aif_wallet_keyfile_is_encrypted(const uint8_t *data, size_t len)
{
    return (len >= 5 && !memcmp(data, "$NACL", 5)) || (len >= 14 && !memcmp(data, "$ANSIBLE_VAULT", 14)) ||
           (len >= 6 && !memcmp(data, "gAAAAA", 6));
}

static aif_code decode_plain(const uint8_t *data, size_t len, aif_crypto_keypair **out, aif_err *err)
{
    size_t a = 0, b = len;
    while (a < b && strchr(" \t\r\n", data[a]) && data[a])
        a++;
    while (b > a && strchr(" \t\r\n", data[b - 1]) && data[b - 1])
        b--;
    if (b - a >= 2 && data[a] == '0' && data[a + 1] == 'x') {
        /* old Python: a bare public key */
        uint8_t pk[32];
        size_t got = 0;
        if (b - a != 66 || aif_crypto_hex_decode((const char *)data + a, b - a, pk, 32, &got, err) != AIF_OK)
            return aif_err_set(err, AIF_EFORMAT, "keyfile: a bare key must be \"0x\" and 64 hex digits");
        return aif_crypto_keypair_from_public(pk, out, err);
    }
    if (a == b || data[a] != '{')
        return aif_err_set(err, AIF_EFORMAT,
                           "not a keyfile: expected a JSON object, \"$NACL\" data or a 0x public key");
    fields *f = sodium_malloc(sizeof *f);
    if (!f)
        return aif_err_set(err, AIF_ENOMEM, "out of memory (sodium_malloc)");
    memset(f, 0, sizeof *f);
    aif_code rc = parse_object(data, len, f, err);
    if (!rc)
        rc = keypair_from_fields(f, out, err);
    sodium_free(f);
    return rc;
}

aif_code aif_wallet_keyfile_decode(const uint8_t *data, size_t len, const char *password, const aif_wallet_kdf *kdf,
                                   aif_crypto_keypair **out, aif_err *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return aif_err_set(err, AIF_ECRYPTO, "libsodium failed to initialize");
    if (len > KEYFILE_MAX)
        return aif_err_set(err, AIF_ERANGE, "keyfile of %zu bytes is larger than the %d-byte limit", len,
                           KEYFILE_MAX);
    if ((len >= 14 && !memcmp(data, "$ANSIBLE_VAULT", 14)) || (len >= 6 && !memcmp(data, "gAAAAA", 6))) {
        uint8_t *plain;
        size_t plen;
        aif_code rc = aif_wallet_legacy_decrypt(data, len, password, kdf, &plain, &plen, err);
        if (rc)
            return rc;
        rc = decode_plain(plain, plen, out, err);
        aif_wallet_buf_free(plain);
        return rc;
    }
    if (len < 5 || memcmp(data, "$NACL", 5))
        return decode_plain(data, len, out, err);
    if (len < NACL_OVERHEAD)
        return aif_err_set(err, AIF_EFORMAT, "$NACL keyfile of %zu bytes is shorter than its %d-byte header", len,
                           (int)NACL_OVERHEAD);
    if (!password)
        return aif_err_set(err, AIF_EAUTH, "keyfile is encrypted ($NACL): a password is needed");
    size_t plen = len - NACL_OVERHEAD;
    uint8_t *key = sodium_malloc(32), *plain = sodium_malloc(plen ? plen : 1);
    aif_code rc = (!key || !plain) ? aif_err_set(err, AIF_ENOMEM, "out of memory (sodium_malloc)") : AIF_OK;
    if (!rc)
        rc = derive_key(password, kdf, key, err);
    if (!rc && crypto_secretbox_open_easy(plain, data + NACL_OVERHEAD - crypto_secretbox_MACBYTES,
                                          len - NACL_OVERHEAD + crypto_secretbox_MACBYTES, data + NACL_HEAD, key) != 0)
        rc = aif_err_set(err, AIF_EAUTH, "wrong password, or the keyfile is damaged (authentication failed)");
    if (!rc)
        rc = decode_plain(plain, plen, out, err);
    sodium_free(key);
    sodium_free(plain);
    return rc;
}

/* ---- encode ----------------------------------------------------------- */

void aif_wallet_buf_free(void *buf)
{
    if (buf)
        sodium_free(buf);
}

void *aif_wallet_secure_alloc(size_t n)
{
    if (sodium_init() < 0)
        return NULL;
    void *p = sodium_malloc(n ? n : 1);
    if (p)
        sodium_memzero(p, n ? n : 1);
    return p;
}

void aif_wallet_wipe(void *p, size_t n) { sodium_memzero(p, n); }

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *s)
{
    size_t k = strlen(s);
    AIF_ASSERT(b->n + k < b->cap);
    memcpy(b->p + b->n, s, k);
    b->n += k;
    b->p[b->n] = '\0';
}

static void put_field(sbuf *b, const char *key, const char *val)
{
    if (b->n > 1)
        put(b, ", ");
    put(b, "\"");
    put(b, key);
    put(b, "\": \"");
    put(b, val);
    put(b, "\"");
}

static void put_hex(sbuf *b, const char *key, const uint8_t *d, size_t n)
{
    char h[2 + 128 + 1] = "0x";
    aif_crypto_hex_encode(d, n, h + 2);
    put_field(b, key, h);
    sodium_memzero(h, sizeof h);
}

aif_code aif_wallet_keyfile_encode(const aif_crypto_keypair *kp, int public_only, const char *password,
                                   const aif_wallet_kdf *kdf, uint8_t **out, size_t *out_len, aif_err *err)
{
    *out = NULL;
    *out_len = 0;
    if (sodium_init() < 0)
        return aif_err_set(err, AIF_ECRYPTO, "libsodium failed to initialize");
    if (!public_only && !aif_crypto_keypair_has_secret(kp))
        return aif_err_set(err, AIF_ESTATE, "cannot write a full keyfile: the keypair has only a public key");
    const char *phrase = public_only ? NULL : aif_crypto_keypair_phrase(kp);
    if (phrase)
        for (const char *p = phrase; *p; p++)
            if (*p < 0x20 || *p == '"' || *p == '\\' || (unsigned char)*p >= 0x80)
                return aif_err_set(err, AIF_EINVAL, "secret phrase holds a character that keyfiles do not take");
    sbuf b = {sodium_malloc(1024), 0, 1024};
    if (!b.p)
        return aif_err_set(err, AIF_ENOMEM, "out of memory (sodium_malloc)");
    const uint8_t *pk = aif_crypto_keypair_public(kp);
    char ss58[AIF_SS58_MAX];
    aif_crypto_ss58_encode(pk, AIF_SS58_BITTENSOR, ss58);
    put(&b, "{");
    put_hex(&b, "accountId", pk, 32);
    put_hex(&b, "publicKey", pk, 32);
    if (!public_only) {
        uint8_t sec[64];
        aif_code rc = aif_crypto_keypair_secret(kp, AIF_SR25519_FORM_CANONICAL, sec, err);
        AIF_ASSERT(rc == AIF_OK);
        put_hex(&b, "privateKey", sec, 64);
        sodium_memzero(sec, sizeof sec);
        if (phrase)
            put_field(&b, "secretPhrase", phrase);
        if (aif_crypto_keypair_mini(kp))
            put_hex(&b, "secretSeed", aif_crypto_keypair_mini(kp), 32);
    }
    put_field(&b, "ss58Address", ss58);
    put(&b, "}");
    if (!password) {
        *out = (uint8_t *)b.p;
        *out_len = b.n;
        return AIF_OK;
    }
    size_t total = NACL_OVERHEAD + b.n;
    uint8_t *enc = sodium_malloc(total), *key = sodium_malloc(32);
    aif_code rc = (!enc || !key) ? aif_err_set(err, AIF_ENOMEM, "out of memory (sodium_malloc)") : AIF_OK;
    if (!rc)
        rc = derive_key(password, kdf, key, err);
    if (!rc) {
        memcpy(enc, "$NACL", 5);
        randombytes_buf(enc + NACL_HEAD, crypto_secretbox_NONCEBYTES);
        crypto_secretbox_easy(enc + NACL_HEAD + crypto_secretbox_NONCEBYTES, (const uint8_t *)b.p, b.n,
                              enc + NACL_HEAD, key);
    }
    sodium_free(b.p);
    if (key)
        sodium_free(key);
    if (rc) {
        if (enc)
            sodium_free(enc);
        return rc;
    }
    *out = enc;
    *out_len = total;
    return AIF_OK;
}

/* ---- files ------------------------------------------------------------ */

aif_code aif_wallet_keyfile_load(const char *path, const char *password, const aif_wallet_kdf *kdf,
                                 aif_crypto_keypair **out, aif_err *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return aif_err_set(err, AIF_ECRYPTO, "libsodium failed to initialize");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return aif_err_set(err, errno == ENOENT ? AIF_ENOTFOUND : AIF_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return aif_err_set(err, AIF_EIO, "%s: not a regular file", path);
    }
    if (st.st_size > KEYFILE_MAX) {
        close(fd);
        return aif_err_set(err, AIF_ERANGE, "%s: keyfile of %lld bytes is larger than the %d-byte limit", path,
                           (long long)st.st_size, KEYFILE_MAX);
    }
    size_t n = (size_t)st.st_size, got = 0;
    uint8_t *buf = sodium_malloc(n ? n : 1);
    if (!buf) {
        close(fd);
        return aif_err_set(err, AIF_ENOMEM, "out of memory (sodium_malloc)");
    }
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    aif_code rc = got == n ? aif_wallet_keyfile_decode(buf, n, password, kdf, out, err)
                           : aif_err_set(err, AIF_EIO, "short read");
    sodium_free(buf);
    if (rc)
        return aif_err_wrap(err, "%s", path);
    return AIF_OK;
}

int aif_wallet_keyfile_path_is_encrypted(const char *path)
{
    uint8_t head[16];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t r = read(fd, head, sizeof head);
    close(fd);
    if (r < 0)
        return -1;
    return aif_wallet_keyfile_is_encrypted(head, (size_t)r);
}

static aif_code parent_dirs(const char *path, aif_err *err)
{
    char dir[AIF_WALLET_PATH_MAX + 2 * AIF_WALLET_NAME_MAX + 32];
    size_t n = strlen(path);
    if (n >= sizeof dir)
        return aif_err_set(err, AIF_ERANGE, "%s: path too long", path);
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return AIF_OK;
    *slash = '\0';
    return aif_fs_mkdirs(dir, err);
}

aif_code aif_wallet_keyfile_save(const char *path, const aif_crypto_keypair *kp, int public_only,
                                 const char *password, const aif_wallet_kdf *kdf, int overwrite, aif_err *err)
{
    if (!overwrite && access(path, F_OK) == 0)
        return aif_err_set(err, AIF_EEXIST, "%s already exists (overwrite it explicitly)", path);
    uint8_t *data;
    size_t len;
    aif_code rc = aif_wallet_keyfile_encode(kp, public_only, password, kdf, &data, &len, err);
    if (rc)
        return aif_err_wrap(err, "%s", path);
    rc = parent_dirs(path, err);
    char tmp[AIF_WALLET_PATH_MAX + 2 * AIF_WALLET_NAME_MAX + 64];
    if (!rc && (size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
        rc = aif_err_set(err, AIF_ERANGE, "%s: path too long", path);
    if (!rc) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            rc = aif_err_set(err, AIF_EIO, "%s: %s", tmp, strerror(errno));
        } else {
            size_t done = 0;
            while (done < len) {
                ssize_t w = write(fd, data + done, len - done);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    break;
                done += (size_t)w;
            }
            if (done != len || fchmod(fd, 0600) != 0 || fsync(fd) != 0)
                rc = aif_err_set(err, AIF_EIO, "%s: %s", tmp, strerror(errno));
            close(fd);
            if (!rc && rename(tmp, path) != 0)
                rc = aif_err_set(err, AIF_EIO, "%s: rename: %s", path, strerror(errno));
            if (rc)
                unlink(tmp);
        }
    }
    aif_wallet_buf_free(data);
    return rc;
}

/* ---- password from the environment ------------------------------------ */

aif_code aif_wallet_password_env_name(const char *keyfile_path, char *name, size_t cap, aif_err *err)
{
    size_t n = strlen(keyfile_path);
    if (n + 7 > cap)
        return aif_err_set(err, AIF_ERANGE, "%s: path too long for a variable name", keyfile_path);
    memcpy(name, "BT_PW_", 6);
    for (size_t i = 0; i < n; i++) {
        char ch = keyfile_path[i];
        if (ch == '/' || ch == '.')
            ch = '_';
        else if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        name[6 + i] = ch;
    }
    name[6 + n] = '\0';
    return AIF_OK;
}

aif_code aif_wallet_password_from_env(const char *keyfile_path, char *password, size_t cap, int *found,
                                      aif_err *err)
{
    char name[AIF_WALLET_PATH_MAX + 2 * AIF_WALLET_NAME_MAX + 32];
    *found = 0;
    aif_code rc = aif_wallet_password_env_name(keyfile_path, name, sizeof name, err);
    if (rc)
        return rc;
    const char *v = getenv(name);
    if (!v)
        return AIF_OK;
    if (sodium_init() < 0)
        return aif_err_set(err, AIF_ECRYPTO, "libsodium failed to initialize");
    size_t vl = strlen(v), got = 0;
    while (vl > 0 && strchr(" \t\r\n", v[vl - 1]))
        vl--;
    char *b64 = sodium_malloc(vl + 1);
    uint8_t *raw = sodium_malloc(vl + 1);
    if (!b64 || !raw) {
        aif_wallet_buf_free(b64);
        aif_wallet_buf_free(raw);
        return aif_err_set(err, AIF_ENOMEM, "out of memory (sodium_malloc)");
    }
    memcpy(b64, v, vl);
    b64[vl] = '\0';
    rc = aif_crypto_base64_decode(b64, raw, vl + 1, &got, err);
    if (rc) {
        aif_err_wrap(err, "$%s (base64 of the password XOR the variable name)", name);
    } else if (got + 1 > cap) {
        rc = aif_err_set(err, AIF_ERANGE, "$%s: password longer than %zu bytes", name, cap - 1);
    } else {
        size_t nl = strlen(name);
        for (size_t i = 0; i < got; i++)
            password[i] = (char)(raw[i] ^ (uint8_t)name[i % nl]);
        password[got] = '\0';
        *found = 1;
    }
    sodium_free(b64);
    sodium_free(raw);
    return rc;
}
