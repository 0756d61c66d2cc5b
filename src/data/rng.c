/* rng.c: MT19937 as CPython's `random` module uses it (Modules/_randommodule.c
 * and Lib/random.py): init_by_array seeding from the 32-bit words of the
 * integer seed (least significant first), getrandbits, _randbelow by
 * rejection, randint, shuffle and random(). Reproducing Python exactly
 * lets tests check the C draws against Python's, and keeps a seeded run
 * identical on every machine. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "aif/crypto.h"
#include "aif/data.h"

#define N 624
#define M 397
#define MATRIX_A 0x9908b0dfu
#define UPPER_MASK 0x80000000u
#define LOWER_MASK 0x7fffffffu

static void init_genrand(aif_data_rng *r, uint32_t s)
{
    r->mt[0] = s;
    for (int i = 1; i < N; i++)
        r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->mti = N;
}

static void init_by_array(aif_data_rng *r, const uint32_t *key, size_t len)
{
    init_genrand(r, 19650218u);
    size_t i = 1, j = 0;
    for (size_t k = N > len ? N : len; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= N) {
            r->mt[0] = r->mt[N - 1];
            i = 1;
        }
        if (j >= len)
            j = 0;
    }
    for (size_t k = N - 1; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
        i++;
        if (i >= N) {
            r->mt[0] = r->mt[N - 1];
            i = 1;
        }
    }
    r->mt[0] = 0x80000000u;
    r->mti = N;
}

uint32_t aif_data_rng_u32(aif_data_rng *r)
{
    static const uint32_t mag01[2] = {0, MATRIX_A};
    uint32_t y;
    if (r->mti >= N) {
        int kk;
        for (kk = 0; kk < N - M; kk++) {
            y = (r->mt[kk] & UPPER_MASK) | (r->mt[kk + 1] & LOWER_MASK);
            r->mt[kk] = r->mt[kk + M] ^ (y >> 1) ^ mag01[y & 1];
        }
        for (; kk < N - 1; kk++) {
            y = (r->mt[kk] & UPPER_MASK) | (r->mt[kk + 1] & LOWER_MASK);
            r->mt[kk] = r->mt[kk + (M - N)] ^ (y >> 1) ^ mag01[y & 1];
        }
        y = (r->mt[N - 1] & UPPER_MASK) | (r->mt[0] & LOWER_MASK);
        r->mt[N - 1] = r->mt[M - 1] ^ (y >> 1) ^ mag01[y & 1];
        r->mti = 0;
    }
    y = r->mt[r->mti++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

void aif_data_rng_seed(aif_data_rng *r, uint64_t seed)
{
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    init_by_array(r, key, key[1] ? 2 : 1);
}

void aif_data_rng_seed_bigint(aif_data_rng *r, const uint8_t *be, size_t n)
{
    while (n && be[0] == 0) { /* leading zero bytes do not count */
        be++;
        n--;
    }
    size_t words = (n + 3) / 4;
    if (words == 0) {
        uint32_t zero = 0;
        init_by_array(r, &zero, 1);
        return;
    }
    uint32_t key[64];
    uint32_t *k = words <= 64 ? key : NULL;
    if (!k) { /* seeds above 2048 bits: keep the low 2048 (never used by aif) */
        be += n - 256;
        n = 256;
        words = 64;
        k = key;
    }
    memset(k, 0, words * sizeof *k);
    for (size_t i = 0; i < n; i++) { /* byte i from the least significant end */
        uint8_t b = be[n - 1 - i];
        k[i / 4] |= (uint32_t)b << (8 * (i % 4));
    }
    init_by_array(r, k, words);
}

aif_code aif_data_seed_os(uint64_t *seed, aif_err *err)
{
    uint8_t b[8];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t k = getrandom(b + got, sizeof b - got, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return aif_err_set(err, AIF_EIO, "getrandom: %s", strerror(errno));
        got += (size_t)k;
    }
    uint64_t s = 0;
    for (int i = 0; i < 8; i++)
        s = s << 8 | b[i];
    *seed = s;
    return AIF_OK;
}

uint64_t aif_data_rng_bits(aif_data_rng *r, int k)
{
    if (k <= 0)
        return 0;
    if (k <= 32)
        return aif_data_rng_u32(r) >> (32 - k);
    if (k > 64)
        k = 64;
    uint64_t lo = aif_data_rng_u32(r);           /* least significant word first */
    uint64_t hi = aif_data_rng_u32(r) >> (64 - k); /* the top word keeps its high k-32 bits */
    return lo | hi << 32;
}

uint64_t aif_data_rng_below(aif_data_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    int k = 0;
    for (uint64_t v = n; v; v >>= 1)
        k++; /* n.bit_length() */
    uint64_t x = aif_data_rng_bits(r, k);
    while (x >= n)
        x = aif_data_rng_bits(r, k);
    return x;
}

int64_t aif_data_rng_randint(aif_data_rng *r, int64_t a, int64_t b)
{
    if (b < a)
        return a;
    return a + (int64_t)aif_data_rng_below(r, (uint64_t)(b - a) + 1);
}

double aif_data_rng_random(aif_data_rng *r)
{
    uint32_t a = aif_data_rng_u32(r) >> 5, b = aif_data_rng_u32(r) >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

void aif_data_rng_shuffle(aif_data_rng *r, size_t *v, size_t n)
{
    for (size_t i = n; i-- > 1;) { /* for i in reversed(range(1, n)) */
        size_t j = (size_t)aif_data_rng_below(r, (uint64_t)i + 1);
        size_t t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

uint64_t aif_data_sync_block(uint64_t current_block)
{
    return current_block / AIF_DATA_SYNC_CADENCE * AIF_DATA_SYNC_CADENCE;
}

void aif_data_rng_seed_block_hash(aif_data_rng *r, const char *block_hash)
{
    uint8_t d[AIF_SHA256_BYTES];
    aif_crypto_sha256(block_hash, strlen(block_hash), d);
    aif_data_rng_seed_bigint(r, d, sizeof d);
}

void aif_data_sample_pages(aif_data_rng *r, uint32_t max_pages, size_t n, int64_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = aif_data_rng_randint(r, 1, max_pages ? (int64_t)max_pages : 1);
}
