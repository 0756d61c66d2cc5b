/* keccak.c: the Keccak-f[1600] permutation of FIPS 202 (24 rounds of
 * theta, rho, pi, chi, iota) on a 200-byte state read as 25 little-endian
 * 64-bit lanes, lane (x, y) at byte offset 8*(x + 5y). STROBE (strobe.c)
 * is its only user. */
#include "aif/crypto.h"

static const uint64_t round_consts[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};
/* rho rotation amounts and pi lane order, walked along the pi cycle
 * starting at lane 1 (as in the Keccak reference "readable" code). */
static const unsigned rho[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
                                 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
static const unsigned pi_lane[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
                                     15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};

static uint64_t rotl(uint64_t v, unsigned n) { return (v << n) | (v >> (64 - n)); }

void aif_crypto_keccakf1600(uint8_t state[AIF_KECCAK_STATE_BYTES])
{
    uint64_t a[25], c[5];
    for (int i = 0; i < 25; i++) {
        uint64_t v = 0;
        for (int b = 7; b >= 0; b--)
            v = (v << 8) | state[8 * i + b];
        a[i] = v;
    }
    for (int r = 0; r < 24; r++) {
        /* theta */
        for (int x = 0; x < 5; x++)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) {
            uint64_t d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5)
                a[y + x] ^= d;
        }
        /* rho and pi */
        uint64_t t = a[1];
        for (int i = 0; i < 24; i++) {
            unsigned j = pi_lane[i];
            uint64_t tmp = a[j];
            a[j] = rotl(t, rho[i]);
            t = tmp;
        }
        /* chi */
        for (int y = 0; y < 25; y += 5) {
            for (int x = 0; x < 5; x++)
                c[x] = a[y + x];
            for (int x = 0; x < 5; x++)
                a[y + x] = c[x] ^ (~c[(x + 1) % 5] & c[(x + 2) % 5]);
        }
        /* iota */
        a[0] ^= round_consts[r];
    }
    for (int i = 0; i < 25; i++)
        for (int b = 0; b < 8; b++)
            state[8 * i + b] = (uint8_t)(a[i] >> (8 * b));
    c[0] = c[1] = c[2] = c[3] = c[4] = 0;
}
