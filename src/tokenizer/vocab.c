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

static int grow(aif_tk_strmap *m)
{
    size_t nslots = m->mask ? (m->mask + 1) * 2 : 64;
    uint32_t *slots = aif_calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < m->n; i++) {
        uint64_t h = XXH3_64bits(m->pool.p + m->key_off[i], m->key_len[i]);
        size_t j = (size_t)h & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = (uint32_t)(i + 1);
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
    uint64_t h = XXH3_64bits(k, n);
    size_t j = (size_t)h & m->mask;
    for (;;) {
        uint32_t s = m->slots[j];
        if (!s)
            return -1;
        s--;
        if (m->key_len[s] == n && !memcmp(m->pool.p + m->key_off[s], k, n))
            return m->val[s];
        j = (j + 1) & m->mask;
    }
}

int aif_tk_strmap_put(aif_tk_strmap *m, const char *k, size_t n, int32_t v)
{
    if (n > UINT32_MAX)
        return -1;
    if ((m->n + 1) * 2 > m->mask + 1 && grow(m))
        return -1;
    uint64_t h = XXH3_64bits(k, n);
    size_t j = (size_t)h & m->mask;
    for (;;) {
        uint32_t s = m->slots[j];
        if (!s)
            break;
        s--;
        if (m->key_len[s] == n && !memcmp(m->pool.p + m->key_off[s], k, n)) {
            m->val[s] = v;
            return 0;
        }
        j = (j + 1) & m->mask;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        size_t *ko = aif_realloc(m->key_off, cap * sizeof *ko);
        if (!ko)
            return -1;
        m->key_off = ko;
        uint32_t *kl = aif_realloc(m->key_len, cap * sizeof *kl);
        if (!kl)
            return -1;
        m->key_len = kl;
        int32_t *vv = aif_realloc(m->val, cap * sizeof *vv);
        if (!vv)
            return -1;
        m->val = vv;
        m->cap = cap;
    }
    size_t off = m->pool.n;
    if (aif_tk_buf_push(&m->pool, k, n))
        return -1;
    m->key_off[m->n] = off;
    m->key_len[m->n] = (uint32_t)n;
    m->val[m->n] = v;
    m->slots[j] = (uint32_t)(m->n + 1);
    m->n++;
    return 0;
}

void aif_tk_strmap_release(aif_tk_strmap *m)
{
    aif_free(m->slots);
    aif_free(m->key_off);
    aif_free(m->key_len);
    aif_free(m->val);
    aif_tk_buf_release(&m->pool);
    memset(m, 0, sizeof *m);
}
