/* test_xref.c: tests/vectors/crypto/polkadotjs_xref.txt, written by
 * tests/xref/crypto/run.sh with polkadot-js (see the file's "# source:").
 * sign blocks: aif re-signs with the recorded secret and witness bytes and
 * must give the recorded signature, which polkadot-js (@scure/sr25519 and
 * Rust schnorrkel via wasm) judged valid and @scure/sr25519 reproduced with
 * the same witness bytes. ss58 / mnemonic / derive blocks: made by
 * polkadot-js alone; aif must give the same answers. */
#include "crypto_test_util.h"

#include <stdlib.h>

#include "aif/alloc.h"
#include "aif/fs.h"

#define VEC "tests/vectors/crypto/polkadotjs_xref.txt"
#define MAXF 16

typedef struct block {
    const char *k[MAXF], *v[MAXF];
    int n;
} block;

static const char *get(const block *b, const char *key)
{
    for (int i = 0; i < b->n; i++)
        if (!strcmp(b->k[i], key))
            return b->v[i];
    return NULL;
}

/* Split the file in place into blocks; calls fn for each. Returns count. */
static int each_block(char *text, void (*fn)(const block *, int *), int *counts)
{
    block b = {0};
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save);; line = strtok_r(NULL, "\n", &save)) {
        /* strtok_r skips empty lines, so a new "kind" starts a block */
        if (!line || !strncmp(line, "kind = ", 7)) {
            if (b.n) {
                fn(&b, counts);
                n++;
            }
            b.n = 0;
            if (!line)
                break;
        }
        if (line[0] == '#')
            continue;
        char *eq = strstr(line, " = ");
        if (!eq) {
            size_t l = strlen(line);
            if (l >= 2 && !strcmp(line + l - 2, " =")) { /* empty value */
                line[l - 2] = '\0';
                eq = line + l - 2;
                if (b.n < MAXF)
                    b.k[b.n] = line, b.v[b.n++] = "";
                continue;
            }
            aif_test_fail(__FILE__, __LINE__, "%s: bad line \"%s\"", VEC, line);
            continue;
        }
        *eq = '\0';
        if (b.n < MAXF)
            b.k[b.n] = line, b.v[b.n++] = eq + 3;
    }
    return n;
}

static void hexbytes(const char *h, uint8_t **out, size_t *n)
{
    size_t cap = strlen(h) / 2 + 1;
    aif_err err;
    *out = aif_malloc(cap);
    *n = 0;
    if (!*out)
        return;
    if (aif_crypto_hex_decode(h, strlen(h), *out, cap, n, &err))
        aif_test_fail(__FILE__, __LINE__, "bad hex in %s: %s", VEC, err.msg);
}

static void check_block(const block *b, int *counts)
{
    const char *kind = get(b, "kind");
    aif_err err;
    char hex[2 * 64 + 3], ss58[AIF_SS58_MAX];
    if (!strcmp(kind, "sign")) {
        uint8_t sec[64], rng[32], sig[64], want[64], *msg;
        size_t mlen;
        aif_crypto_keypair *kp = NULL, *from_uri = NULL;
        CHECK(unhex(get(b, "secret"), sec, 64) == 0 && unhex(get(b, "rng"), rng, 32) == 0);
        CHECK(unhex(get(b, "signature"), want, 64) == 0);
        CHECK_STR(get(b, "verify_scure"), "valid");
        CHECK_STR(get(b, "verify_wasm"), "valid");
        CHECK_STR(get(b, "scure_signature"), get(b, "signature"));
        hexbytes(get(b, "message"), &msg, &mlen);
        if (!msg) { /* an injected allocation failure */
            CHECK(aif_test_injecting());
            return;
        }
        CHECK_OK(aif_crypto_keypair_from_secret(sec, AIF_SR25519_FORM_ED25519, &kp, &err), err);
        if (kp) {
            aif_crypto_hex_encode(aif_crypto_keypair_public(kp), 32, hex);
            CHECK_STR(hex, get(b, "public"));
            CHECK_OK(aif_crypto_sr25519_sign(kp, msg, mlen, rng, sig, &err), err);
            if (memcmp(sig, want, 64)) {
                aif_crypto_hex_encode(sig, 64, hex);
                aif_test_fail(__FILE__, __LINE__, "%s / %s: aif signature %s != recorded", get(b, "suri"),
                              get(b, "message"), hex);
            }
            CHECK_OK(aif_crypto_sr25519_verify(aif_crypto_keypair_public(kp), msg, mlen, want, &err), err);
        }
        /* the SURI gives the same public key (and, without soft steps, the same secret) */
        const char *suri = get(b, "suri");
        CHECK_OK(aif_crypto_keypair_from_suri(suri, &from_uri, &err), err);
        if (from_uri) {
            aif_crypto_hex_encode(aif_crypto_keypair_public(from_uri), 32, hex);
            CHECK_STR(hex, get(b, "public"));
            uint8_t sec2[64];
            CHECK_OK(aif_crypto_keypair_secret(from_uri, AIF_SR25519_FORM_ED25519, sec2, &err), err);
            int soft = 0;
            for (const char *p = suri; *p; p++)
                soft |= p[0] == '/' && p[1] != '/' && (p == suri || p[-1] != '/');
            CHECK(soft ? !memcmp(sec, sec2, 32) : !memcmp(sec, sec2, 64));
        }
        aif_crypto_keypair_free(kp);
        aif_crypto_keypair_free(from_uri);
        aif_free(msg);
        counts[0]++;
    } else if (!strcmp(kind, "ss58")) {
        uint8_t pk[32], back[32];
        unsigned prefix = (unsigned)atoi(get(b, "prefix")), got_prefix = 0;
        CHECK(unhex(get(b, "public"), pk, 32) == 0);
        aif_crypto_ss58_encode(pk, prefix, ss58);
        CHECK_STR(ss58, get(b, "address"));
        CHECK_OK(aif_crypto_ss58_decode(get(b, "address"), back, &got_prefix, &err), err);
        CHECK_MEM(back, pk, 32);
        CHECK_EQ(got_prefix, prefix);
        counts[1]++;
    } else if (!strcmp(kind, "mnemonic")) {
        uint8_t ent[32], mini[32], sec[64];
        size_t n = 0;
        const char *phrase = get(b, "phrase");
        CHECK_OK(aif_crypto_mnemonic_to_entropy(phrase, ent, &n, &err), err);
        aif_crypto_hex_encode(ent, n, hex);
        CHECK_STR(hex, get(b, "entropy"));
        CHECK_OK(aif_crypto_mnemonic_to_mini(phrase, NULL, mini, &err), err);
        aif_crypto_hex_encode(mini, 32, hex);
        CHECK_STR(hex, get(b, "mini"));
        CHECK_OK(aif_crypto_mnemonic_to_mini(phrase, get(b, "password"), mini, &err), err);
        aif_crypto_hex_encode(mini, 32, hex);
        CHECK_STR(hex, get(b, "mini_with_password"));
        aif_crypto_keypair *kp = NULL;
        CHECK_OK(aif_crypto_keypair_from_mnemonic(phrase, NULL, &kp, &err), err);
        if (kp) {
            aif_crypto_hex_encode(aif_crypto_keypair_public(kp), 32, hex);
            CHECK_STR(hex, get(b, "public"));
            CHECK_OK(aif_crypto_keypair_secret(kp, AIF_SR25519_FORM_ED25519, sec, &err), err);
            aif_crypto_hex_encode(sec, 64, hex);
            CHECK_STR(hex, get(b, "secret"));
        }
        aif_crypto_keypair_free(kp);
        kp = NULL;
        CHECK_OK(aif_crypto_keypair_from_mnemonic(phrase, get(b, "password"), &kp, &err), err);
        if (kp) {
            aif_crypto_hex_encode(aif_crypto_keypair_public(kp), 32, hex);
            CHECK_STR(hex, get(b, "public_with_password"));
        }
        aif_crypto_keypair_free(kp);
        counts[2]++;
    } else if (!strcmp(kind, "derive")) {
        aif_crypto_keypair *kp = NULL;
        CHECK_OK(aif_crypto_keypair_from_suri(get(b, "suri"), &kp, &err), err);
        if (kp) {
            aif_crypto_hex_encode(aif_crypto_keypair_public(kp), 32, hex);
            if (strcmp(hex, get(b, "public")))
                aif_test_fail(__FILE__, __LINE__, "suri \"%s\": aif %s, polkadot-js %s", get(b, "suri"), hex,
                              get(b, "public"));
            aif_crypto_ss58_encode(aif_crypto_keypair_public(kp), 42, ss58);
            CHECK_STR(ss58, get(b, "address"));
        }
        aif_crypto_keypair_free(kp);
        counts[3]++;
    } else {
        aif_test_fail(__FILE__, __LINE__, "%s: unknown kind \"%s\"", VEC, kind);
    }
}

static void polkadotjs_xref(void)
{
    char *text = NULL;
    size_t len;
    aif_err err;
    CHECK_OK(aif_fs_read_file(VEC, 1 << 20, &text, &len, &err), err);
    if (!text)
        return;
    CHECK(!strncmp(text, "# source: ", 10));
    int counts[4] = {0};
    each_block(text, check_block, counts);
    CHECK_EQ(counts[0], 20); /* sign */
    CHECK_EQ(counts[1], 8);  /* ss58 */
    CHECK_EQ(counts[2], 5);  /* mnemonic */
    CHECK_EQ(counts[3], 22); /* derive */
    aif_free(text);
}

AIF_TESTS(crypto_xref) = {
    {"crypto/polkadotjs_xref", polkadotjs_xref},
    {NULL, NULL},
};
