/* strobe.c: STROBE-128 v1.0.2, only the operations Merlin needs (meta-AD,
 * AD, PRF, KEY), after dalek-cryptography/merlin src/strobe.rs and spec
 * bittensor-chain.md §5.2. Rate R = 166 bytes of the 200-byte Keccak state. */
#include "crypto_int.h"

#include <string.h>

enum { STROBE_R = 166 };
enum { FLAG_I = 1, FLAG_A = 2, FLAG_C = 4, FLAG_T = 8, FLAG_M = 16, FLAG_K = 32 };

static void run_f(aif_merlin *s)
{
    s->st[s->pos] ^= s->pos_begin;
    s->st[s->pos + 1] ^= 0x04;
    s->st[STROBE_R + 1] ^= 0x80;
    aif_crypto_keccakf1600(s->st);
    s->pos = 0;
    s->pos_begin = 0;
}

static void absorb(aif_merlin *s, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s->st[s->pos++] ^= d[i];
        if (s->pos == STROBE_R)
            run_f(s);
    }
}

static void overwrite(aif_merlin *s, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s->st[s->pos++] = d[i];
        if (s->pos == STROBE_R)
            run_f(s);
    }
}

static void squeeze(aif_merlin *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = s->st[s->pos];
        s->st[s->pos++] = 0;
        if (s->pos == STROBE_R)
            run_f(s);
    }
}

static void begin_op(aif_merlin *s, uint8_t flags, int more)
{
    if (more) {
        AIF_ASSERT(s->cur_flags == flags);
        return;
    }
    AIF_ASSERT((flags & FLAG_T) == 0);
    uint8_t old[2] = {s->pos_begin, flags};
    s->pos_begin = (uint8_t)(s->pos + 1);
    s->cur_flags = flags;
    absorb(s, old, 2);
    if ((flags & (FLAG_C | FLAG_K)) && s->pos != 0)
        run_f(s);
}

void aif_crypto_strobe_init(aif_merlin *s, const uint8_t *label, size_t len)
{
    static const uint8_t head[18] = {1, STROBE_R + 2, 1, 0, 1, 96, 'S', 'T', 'R', 'O', 'B', 'E', 'v', '1', '.', '0', '.', '2'};
    memset(s, 0, sizeof *s);
    memcpy(s->st, head, sizeof head);
    aif_crypto_keccakf1600(s->st);
    aif_crypto_strobe_meta_ad(s, label, len, 0);
}

void aif_crypto_strobe_meta_ad(aif_merlin *s, const uint8_t *data, size_t len, int more)
{
    begin_op(s, FLAG_M | FLAG_A, more);
    absorb(s, data, len);
}

void aif_crypto_strobe_ad(aif_merlin *s, const uint8_t *data, size_t len, int more)
{
    begin_op(s, FLAG_A, more);
    absorb(s, data, len);
}

void aif_crypto_strobe_prf(aif_merlin *s, uint8_t *out, size_t len, int more)
{
    begin_op(s, FLAG_I | FLAG_A | FLAG_C, more);
    squeeze(s, out, len);
}

void aif_crypto_strobe_key(aif_merlin *s, const uint8_t *data, size_t len, int more)
{
    begin_op(s, FLAG_A | FLAG_C, more);
    overwrite(s, data, len);
}
