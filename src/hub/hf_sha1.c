/* hf_sha1.c: SHA-1 (FIPS 180-4) for git blob ids, which is how the Hub
 * names regular (non-LFS) files (hub spec 2.4). Not used for security. */
#include <stdio.h>
#include <string.h>

#include "aif/crypto.h"
#include "hub_int.h"

static uint32_t rol(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static void block(aif_hf_sha1 *s, const uint8_t *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
}

void aif_hf_sha1_init(aif_hf_sha1 *s)
{
    static const uint32_t iv[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    memcpy(s->h, iv, sizeof iv);
    s->n = 0;
    s->k = 0;
}

void aif_hf_sha1_update(aif_hf_sha1 *s, const void *data, size_t len)
{
    const uint8_t *p = data;
    s->n += len;
    if (s->k) {
        size_t take = 64 - s->k < len ? 64 - s->k : len;
        memcpy(s->buf + s->k, p, take);
        s->k += take;
        p += take;
        len -= take;
        if (s->k < 64)
            return;
        block(s, s->buf);
        s->k = 0;
    }
    for (; len >= 64; p += 64, len -= 64)
        block(s, p);
    memcpy(s->buf, p, len);
    s->k = len;
}

void aif_hf_sha1_final(aif_hf_sha1 *s, uint8_t out[20])
{
    uint64_t bits = s->n * 8;
    uint8_t pad[72] = {0x80};
    size_t padlen = (s->k < 56 ? 56 : 120) - s->k;
    aif_hf_sha1_update(s, pad, padlen);
    uint8_t lenb[8];
    for (int i = 0; i < 8; i++)
        lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
    aif_hf_sha1_update(s, lenb, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
}

void aif_hf_git_init(aif_hf_sha1 *s, uint64_t size)
{
    char head[32];
    int n = snprintf(head, sizeof head, "blob %llu", (unsigned long long)size);
    aif_hf_sha1_init(s);
    aif_hf_sha1_update(s, head, (size_t)n + 1); /* with the NUL */
}

void aif_hub_git_blob_oid(const void *data, size_t len, char out[41])
{
    aif_hf_sha1 s;
    uint8_t d[20];
    aif_hf_git_init(&s, len);
    aif_hf_sha1_update(&s, data, len);
    aif_hf_sha1_final(&s, d);
    aif_crypto_hex_encode(d, 20, out);
}
