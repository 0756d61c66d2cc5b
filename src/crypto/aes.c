/* aes.c: AES-128/256 (FIPS 197) for the legacy keyfile formats. Written
 * for clarity and constant time, not speed: SubBytes computes the S-box
 * (inverse in GF(2^8) as x^254, then the affine map) with masked
 * arithmetic, so no table is indexed by secret bytes. */
#include "aif/crypto.h"

#include <sodium.h>
#include <string.h>

static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t r = 0;
    for (int i = 0; i < 8; i++) {
        r ^= (uint8_t)(a & (uint8_t)(0u - (b & 1u)));
        uint8_t hi = (uint8_t)(0u - (a >> 7));
        a = (uint8_t)((a << 1) ^ (0x1b & hi));
        b >>= 1;
    }
    return r;
}

static uint8_t ginv(uint8_t x) /* x^254; 0 -> 0 */
{
    uint8_t r = 1, t = x;
    for (int i = 1; i < 8; i++) {
        t = gmul(t, t);
        r = gmul(r, t);
    }
    return r;
}

static uint8_t rotl8(uint8_t v, int n) { return (uint8_t)((v << n) | (v >> (8 - n))); }

static uint8_t sbox(uint8_t x)
{
    uint8_t b = ginv(x);
    return (uint8_t)(b ^ rotl8(b, 1) ^ rotl8(b, 2) ^ rotl8(b, 3) ^ rotl8(b, 4) ^ 0x63);
}

static uint8_t inv_sbox(uint8_t y)
{
    return ginv((uint8_t)(rotl8(y, 1) ^ rotl8(y, 3) ^ rotl8(y, 6) ^ 0x05));
}

void aif_crypto_aes_init(aif_aes *a, const uint8_t *key, size_t key_len)
{
    AIF_ASSERT(key_len == 16 || key_len == 32);
    int nk = (int)key_len / 4;
    a->rounds = nk + 6;
    uint8_t w[60][4];
    memcpy(w, key, key_len);
    uint8_t rcon = 1;
    for (int i = nk; i < 4 * (a->rounds + 1); i++) {
        uint8_t t[4];
        memcpy(t, w[i - 1], 4);
        if (i % nk == 0) {
            uint8_t t0 = t[0];
            t[0] = (uint8_t)(sbox(t[1]) ^ rcon);
            t[1] = sbox(t[2]);
            t[2] = sbox(t[3]);
            t[3] = sbox(t0);
            rcon = gmul(rcon, 2);
        } else if (nk > 6 && i % nk == 4) {
            for (int j = 0; j < 4; j++)
                t[j] = sbox(t[j]);
        }
        for (int j = 0; j < 4; j++)
            w[i][j] = (uint8_t)(w[i - nk][j] ^ t[j]);
    }
    memcpy(a->rk, w, (size_t)(a->rounds + 1) * 16);
    sodium_memzero(w, sizeof w);
}

/* state s[c*4 + r]: column-major, as the input bytes */
static void add_key(uint8_t s[16], const uint8_t k[16])
{
    for (int i = 0; i < 16; i++)
        s[i] ^= k[i];
}

static void shift_rows(uint8_t s[16], int inverse)
{
    uint8_t t[16];
    for (int c = 0; c < 4; c++)
        for (int r = 0; r < 4; r++)
            t[c * 4 + r] = inverse ? s[((c - r + 4) % 4) * 4 + r] : s[((c + r) % 4) * 4 + r];
    memcpy(s, t, 16);
}

static void mix_columns(uint8_t s[16], int inverse)
{
    static const uint8_t fwd[4] = {2, 3, 1, 1}, inv[4] = {14, 11, 13, 9};
    const uint8_t *m = inverse ? inv : fwd;
    for (int c = 0; c < 4; c++) {
        uint8_t col[4];
        memcpy(col, s + 4 * c, 4);
        for (int r = 0; r < 4; r++)
            s[4 * c + r] = (uint8_t)(gmul(col[0], m[(4 - r) % 4]) ^ gmul(col[1], m[(5 - r) % 4]) ^
                                     gmul(col[2], m[(6 - r) % 4]) ^ gmul(col[3], m[(7 - r) % 4]));
    }
}

void aif_crypto_aes_encrypt(const aif_aes *a, const uint8_t in[16], uint8_t out[16])
{
    uint8_t s[16];
    memcpy(s, in, 16);
    add_key(s, a->rk[0]);
    for (int round = 1; round <= a->rounds; round++) {
        for (int i = 0; i < 16; i++)
            s[i] = sbox(s[i]);
        shift_rows(s, 0);
        if (round != a->rounds)
            mix_columns(s, 0);
        add_key(s, a->rk[round]);
    }
    memcpy(out, s, 16);
    sodium_memzero(s, sizeof s);
}

void aif_crypto_aes_decrypt(const aif_aes *a, const uint8_t in[16], uint8_t out[16])
{
    uint8_t s[16];
    memcpy(s, in, 16);
    add_key(s, a->rk[a->rounds]);
    for (int round = a->rounds - 1; round >= 0; round--) {
        shift_rows(s, 1);
        for (int i = 0; i < 16; i++)
            s[i] = inv_sbox(s[i]);
        add_key(s, a->rk[round]);
        if (round != 0)
            mix_columns(s, 1);
    }
    memcpy(out, s, 16);
    sodium_memzero(s, sizeof s);
}
