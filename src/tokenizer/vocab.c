/* vocab.c: the arena buffer, piece lists and the string -> id hash map
 * (open addressing, linear probing, XXH3 hashes; keys live in one pool). */
#include <string.h>
#include <xxhash.h>

#include "aif/alloc.h"
#include "tok_int.h"

int aif_tk_buf_reserve(aif_tk_buf *b, size_t extra)
{
    if (b->n + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra)
        cap *= 2;
    char *p = aif_realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

int aif_tk_buf_push(aif_tk_buf *b, const void *s, size_t n)
{
    if (aif_tk_buf_reserve(b, n + 1))
        return -1;
    if (n)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
    return 0;
}

void aif_tk_buf_release(aif_tk_buf *b)
{
    aif_free(b->p);
    memset(b, 0, sizeof *b);
}

int aif_tk_pieces_push(aif_tk_pieces *ps, size_t off, size_t len, int32_t id, uint32_t flags)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 16;
        aif_tk_piece *v = aif_realloc(ps->v, cap * sizeof *v);
        if (!v)
            return -1;
        ps->v = v;
        ps->cap = cap;
    }
    ps->v[ps->n++] = (aif_tk_piece){off, len, id, flags};
    return 0;
}

void aif_tk_pieces_release(aif_tk_pieces *ps)
{
    aif_free(ps->v);
    memset(ps, 0, sizeof *ps);
}

static inline uint64_t slot_of(size_t idx, uint64_t h)
{
    return (uint64_t)(idx + 1) | (h & 0xFFFFFFFF00000000ull);
}

static int grow(aif_tk_strmap *m)
{
    size_t nslots = m->mask ? (m->mask + 1) * 2 : 64;
    uint64_t *slots = aif_calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < m->n; i++) {
        uint64_t h = XXH3_64bits(m->pool.p + m->ent[i].off, m->ent[i].len);
        size_t j = (size_t)h & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = slot_of(i, h);
    }
    aif_free(m->slots);
    m->slots = slots;
    m->mask = nslots - 1;
    return 0;
}

int32_t aif_tk_strmap_get(const aif_tk_strmap *m, const char *k, size_t n)
{
    if (!m->n)
        return -1;
    uint64_t h = XXH3_64bits(k, n), tag = h & 0xFFFFFFFF00000000ull;
    size_t j = (size_t)h & m->mask;
    for (;;) {
        uint64_t s = m->slots[j];
        if (!s)
            return -1;
        if ((s & 0xFFFFFFFF00000000ull) == tag) {
            const aif_tk_strent *e = &m->ent[(uint32_t)s - 1];
            if (e->len == n && !memcmp(m->pool.p + e->off, k, n))
                return e->val;
        }
        j = (j + 1) & m->mask;
    }
}

int64_t aif_tk_strmap_key_off(const aif_tk_strmap *m, const char *k, size_t n)
{
    if (!m->n)
        return -1;
    uint64_t h = XXH3_64bits(k, n), tag = h & 0xFFFFFFFF00000000ull;
    for (size_t j = (size_t)h & m->mask;; j = (j + 1) & m->mask) {
        uint64_t s = m->slots[j];
        if (!s)
            return -1;
        const aif_tk_strent *e = &m->ent[(uint32_t)s - 1];
        if ((s & 0xFFFFFFFF00000000ull) == tag && e->len == n && !memcmp(m->pool.p + e->off, k, n))
            return (int64_t)e->off;
    }
}

int aif_tk_strmap_put(aif_tk_strmap *m, const char *k, size_t n, int32_t v)
{
    if (n > UINT32_MAX || m->n >= UINT32_MAX - 1)
        return -1;
    if ((m->n + 1) * 2 > m->mask + 1 && grow(m))
        return -1;
    uint64_t h = XXH3_64bits(k, n), tag = h & 0xFFFFFFFF00000000ull;
    size_t j = (size_t)h & m->mask;
    for (;;) {
        uint64_t s = m->slots[j];
        if (!s)
            break;
        if ((s & 0xFFFFFFFF00000000ull) == tag) {
            aif_tk_strent *e = &m->ent[(uint32_t)s - 1];
            if (e->len == n && !memcmp(m->pool.p + e->off, k, n)) {
                e->val = v;
                return 0;
            }
        }
        j = (j + 1) & m->mask;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        aif_tk_strent *e = aif_realloc(m->ent, cap * sizeof *e);
        if (!e)
            return -1;
        m->ent = e;
        m->cap = cap;
    }
    size_t off = m->pool.n;
    if (aif_tk_buf_push(&m->pool, k, n) || aif_tk_buf_push(&m->pool, "", 1)) /* keys stay NUL-terminated */
        return -1;
    m->ent[m->n] = (aif_tk_strent){off, (uint32_t)n, v};
    m->slots[j] = slot_of(m->n, h);
    m->n++;
    return 0;
}

void aif_tk_strmap_release(aif_tk_strmap *m)
{
    aif_free(m->slots);
    aif_free(m->ent);
    aif_tk_buf_release(&m->pool);
    memset(m, 0, sizeof *m);
}
