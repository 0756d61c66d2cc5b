/* bpe.c: the BPE model (models/bpe of the Rust library): initial symbols
 * from the chars of the word (continuing_subword_prefix, end_of_word_suffix,
 * byte_fallback to <0xNN>, unk with fuse_unk), then merges by lowest rank,
 * leftmost first, with a binary heap and a linked list of symbols:
 * O(n log n) per word. Words are cached in an insert-only lock-free map
 * owned by the tokenizer (see aif_tk_cache). Bytemapped words (after a ByteLevel
 * pre-tokenizer) start from byte_id[] directly. */
#include <string.h>
#include <xxhash.h>

#include "aif/alloc.h"
#include "tok_int.h"

#define CACHE_MAX_WORD 256

int aif_tk_merge_get(const aif_tk_bpe *m, int32_t a, int32_t b, uint32_t *rank, int32_t *new_id)
{
    if (!m->n_merges)
        return 0;
    uint64_t k = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    size_t j = aif_tk_merge_hash(k) & m->mmask;
    for (;;) {
        const struct aif_tk_merge *e = &m->mtab[j];
        if (e->new_id < 0)
            return 0;
        if (e->key == k) {
            *rank = e->rank;
            *new_id = e->new_id;
            return 1;
        }
        j = (j + 1) & m->mmask;
    }
}

typedef struct sym {
    int32_t id;
    int32_t prev, next;
    uint32_t len; /* 0: merged away */
} sym;
typedef struct hent {
    uint32_t rank, pos;
    int32_t new_id;
} hent;

static inline int hless(hent a, hent b)
{
    return a.rank < b.rank || (a.rank == b.rank && a.pos < b.pos);
}

static void hpush(hent *h, size_t *n, hent e)
{
    size_t i = (*n)++;
    while (i) {
        size_t p = (i - 1) / 2;
        if (!hless(e, h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static hent hpop(hent *h, size_t *n)
{
    hent top = h[0], last = h[--*n];
    size_t i = 0, cnt = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= cnt)
            break;
        if (c + 1 < cnt && hless(h[c + 1], h[c]))
            c++;
        if (!hless(h[c], last))
            break;
        h[i] = h[c];
        i = c;
    }
    if (cnt)
        h[i] = last;
    return top;
}

/* Word::merge_all */
static void merge_all(const aif_tk_bpe *m, sym *w, size_t n, hent *heap)
{
    size_t hn = 0;
    if (n)
        w[n - 1].next = -1;
    for (size_t i = 0; i + 1 < n; i++) {
        uint32_t r;
        int32_t nid;
        if (aif_tk_merge_get(m, w[i].id, w[i + 1].id, &r, &nid))
            hpush(heap, &hn, (hent){r, (uint32_t)i, nid});
    }
    while (hn) {
        hent top = hpop(heap, &hn);
        sym *cur = &w[top.pos];
        if (!cur->len || cur->next < 0)
            continue;
        sym right = w[cur->next];
        uint32_t r;
        int32_t nid;
        if (!aif_tk_merge_get(m, cur->id, right.id, &r, &nid) || nid != top.new_id)
            continue;
        int32_t next_pos = cur->next;
        cur->id = top.new_id;
        cur->len += right.len;
        cur->next = right.next;
        w[next_pos].len = 0;
        if (right.next >= 0 && (size_t)right.next < n)
            w[right.next].prev = (int32_t)top.pos;
        if (cur->prev >= 0 && aif_tk_merge_get(m, w[cur->prev].id, cur->id, &r, &nid))
            hpush(heap, &hn, (hent){r, (uint32_t)cur->prev, nid});
        if (cur->next >= 0 && (size_t)cur->next < n && aif_tk_merge_get(m, cur->id, w[cur->next].id, &r, &nid))
            hpush(heap, &hn, (hent){r, top.pos, nid});
    }
}

typedef struct word {
    sym *v;
    size_t n, cap;
    sym stack[128];
} word;

static int word_add(word *w, int32_t id, uint32_t len)
{
    if (w->n == w->cap) {
        size_t cap = w->cap * 2;
        sym *v;
        if (w->v == w->stack) {
            v = aif_malloc(cap * sizeof *v);
            if (v)
                memcpy(v, w->stack, w->n * sizeof *v);
        } else {
            v = aif_realloc(w->v, cap * sizeof *v);
        }
        if (!v)
            return -1;
        w->v = v;
        w->cap = cap;
    }
    int32_t i = (int32_t)w->n;
    w->v[w->n++] = (sym){id, i - 1, i + 1, len};
    return 0;
}

/* BPE::merge_word's initial symbols for a text word. */
static int initial_text(const aif_tk_bpe *m, const char *s, size_t n, word *w)
{
    char stackbuf[256];
    size_t plen = m->prefix ? strlen(m->prefix) : 0, slen = m->suffix ? strlen(m->suffix) : 0;
    int have_unk = 0;
    int32_t unk_id = -1;
    uint32_t unk_len = 0;
    size_t i = 0;
    while (i < n) {
        int l = aif_tk_utf8_len((unsigned char)s[i]);
        if (!l || i + (size_t)l > n)
            l = 1;
        int first = i == 0, last = i + (size_t)l == n;
        const char *key = s + i;
        size_t klen = (size_t)l;
        char *heapbuf = NULL;
        if ((!first && plen) || (last && slen)) {
            size_t need = (size_t)l + (!first ? plen : 0) + (last ? slen : 0);
            char *b = need <= sizeof stackbuf ? stackbuf : (heapbuf = aif_malloc(need));
            if (!b)
                return -1;
            size_t k = 0;
            if (!first && plen) { memcpy(b, m->prefix, plen); k += plen; }
            memcpy(b + k, s + i, (size_t)l);
            k += (size_t)l;
            if (last && slen) { memcpy(b + k, m->suffix, slen); k += slen; }
            key = b;
            klen = k;
        }
        int32_t id = aif_tk_strmap_get(&m->vocab, key, klen);
        if (id >= 0) {
            if (have_unk) {
                if (word_add(w, unk_id, unk_len))
                    goto fail;
                have_unk = 0;
            }
            if (word_add(w, id, (uint32_t)l))
                goto fail;
        } else {
            int done = 0;
            if (m->byte_fallback) {
                int all = 1;
                for (size_t k = 0; k < klen; k++)
                    if (m->byte_fb[(unsigned char)key[k]] < 0)
                        all = 0;
                if (all) {
                    for (size_t k = 0; k < klen; k++)
                        if (word_add(w, m->byte_fb[(unsigned char)key[k]], 1))
                            goto fail;
                    done = 1;
                }
            }
            if (!done && m->unk_id >= 0) {
                if (have_unk && m->fuse_unk) {
                    unk_len += (uint32_t)l;
                } else {
                    if (have_unk && word_add(w, unk_id, unk_len))
                        goto fail;
                    have_unk = 1;
                    unk_id = m->unk_id;
                    unk_len = (uint32_t)l;
                }
            }
        }
        aif_free(heapbuf);
        i += (size_t)l;
        continue;
    fail:
        aif_free(heapbuf);
        return -1;
    }
    if (have_unk && word_add(w, unk_id, unk_len))
        return -1;
    return 0;
}

#define CACHE_SLOTS (1u << 17)

int aif_tk_bpe_cache_init(aif_tk_bpe *m)
{
    m->cache = aif_calloc(1, sizeof *m->cache);
    if (!m->cache)
        return -1;
    m->cache->slots = aif_calloc(CACHE_SLOTS, sizeof *m->cache->slots);
    if (!m->cache->slots) {
        aif_free(m->cache);
        m->cache = NULL;
        return -1;
    }
    m->cache->mask = CACHE_SLOTS - 1;
    m->cache->cap = CACHE_SLOTS / 4 * 3;
    atomic_init(&m->cache->count, 0);
    return 0;
}

static inline const char *crec_key(const aif_tk_crec *r)
{
    return (const char *)(r->ids + r->nids);
}

/* 1: hit (ids appended), 0: miss, -1: out of memory. */
static int cache_get(const aif_tk_bpe *m, const char *k, size_t n, uint64_t h, aif_token_ids *out)
{
    aif_tk_cache *c = m->cache;
    for (size_t j = (size_t)h & c->mask;; j = (j + 1) & c->mask) {
        aif_tk_crec *r = atomic_load_explicit(&c->slots[j], memory_order_acquire);
        if (!r)
            return 0;
        if (r->hash != h || r->klen != n || memcmp(crec_key(r), k, n))
            continue;
        size_t need = out->n + r->nids;
        if (need > out->cap) {
            size_t cap = out->cap ? out->cap : 16;
            while (cap < need)
                cap *= 2;
            int32_t *v = aif_realloc(out->v, cap * sizeof *v);
            if (!v)
                return -1;
            out->v = v;
            out->cap = cap;
        }
        if (r->nids)
            memcpy(out->v + out->n, r->ids, r->nids * sizeof *r->ids);
        out->n += r->nids;
        return 1;
    }
}

static void cache_put(const aif_tk_bpe *m, const char *k, size_t n, uint64_t h, const int32_t *ids, size_t cnt)
{
    aif_tk_cache *c = m->cache;
    if (atomic_load_explicit(&c->count, memory_order_relaxed) >= c->cap)
        return;
    aif_tk_crec *rec = aif_malloc(sizeof *rec + cnt * sizeof *ids + n);
    if (!rec)
        return; /* a cache miss is not an error */
    rec->hash = h;
    rec->klen = (uint32_t)n;
    rec->nids = (uint32_t)cnt;
    if (cnt)
        memcpy(rec->ids, ids, cnt * sizeof *ids);
    memcpy((char *)(rec->ids + cnt), k, n);
    for (size_t j = (size_t)h & c->mask;; j = (j + 1) & c->mask) {
        aif_tk_crec *r = atomic_load_explicit(&c->slots[j], memory_order_acquire);
        if (!r) {
            aif_tk_crec *expected = NULL;
            if (atomic_compare_exchange_strong_explicit(&c->slots[j], &expected, rec, memory_order_acq_rel,
                                                        memory_order_acquire)) {
                atomic_fetch_add_explicit(&c->count, 1, memory_order_relaxed);
                return;
            }
            r = expected; /* another thread took the slot: look at its record */
        }
        if (r->hash == h && r->klen == n && !memcmp(crec_key(r), k, n)) {
            aif_free(rec); /* already cached */
            return;
        }
    }
}

/* One word (or SentencePiece segment): cache, initial symbols, merges. */
static aif_code word_tokenize(const aif_tk_bpe *m, const char *s, size_t n, int bytemapped, aif_token_ids *out,
                              aif_err *err)
{
    char key[CACHE_MAX_WORD + 1];
    int cacheable = m->cache && n < CACHE_MAX_WORD;
    uint64_t h = 0;
    if (cacheable) {
        key[0] = bytemapped ? 'b' : 't';
        memcpy(key + 1, s, n);
        h = XXH3_64bits(key, n + 1);
        int hit = cache_get(m, key, n + 1, h, out);
        if (hit) {
            return hit < 0 ? aif_err_set(err, AIF_ENOMEM, "out of memory in BPE") : AIF_OK;
        }
    }
    word w = {0};
    w.v = w.stack;
    w.cap = sizeof w.stack / sizeof w.stack[0];
    int fail = 0;
    if (bytemapped) {
        for (size_t i = 0; i < n && !fail; i++)
            fail = word_add(&w, m->byte_id[(unsigned char)s[i]], 1);
    } else {
        fail = initial_text(m, s, n, &w);
    }
    hent hstack[128], *heap = hstack;
    if (!fail && 3 * w.n > 128) {
        /* n - 1 initial pairs plus at most 2 per merge */
        heap = aif_malloc(3 * w.n * sizeof *heap);
        fail = !heap;
        if (fail)
            heap = hstack;
    }
    if (!fail) {
        merge_all(m, w.v, w.n, heap);
        size_t start = out->n;
        for (size_t i = 0; i < w.n && !fail; i++)
            if (w.v[i].len)
                fail = aif_tk_ids_push(out, w.v[i].id);
        if (!fail && cacheable && out->n > start) /* nothing to cache (and no NULL + 0) for an empty result */
            cache_put(m, key, n + 1, h, out->v + start, out->n - start);
    }
    if (heap != hstack)
        aif_free(heap);
    if (w.v != w.stack)
        aif_free(w.v);
    if (fail)
        return aif_err_set(err, AIF_ENOMEM, "out of memory in BPE");
    return AIF_OK;
}

aif_code aif_tk_bpe_tokenize(const aif_tk_bpe *m, const char *s, size_t n, int bytemapped, aif_token_ids *out, aif_err *err)
{
    if (!n)
        return AIF_OK;
    aif_tk_buf mapped = {0};
    if (bytemapped && !m->bytes_ok) {
        /* some byte's char is missing from the vocab: take the text path */
        for (size_t i = 0; i < n; i++) {
            char enc[4];
            int l = aif_tk_utf8_encode(aif_tk_byte_char[(unsigned char)s[i]], enc);
            if (aif_tk_buf_push(&mapped, enc, (size_t)l)) {
                aif_tk_buf_release(&mapped);
                return aif_err_set(err, AIF_ENOMEM, "out of memory in BPE");
            }
        }
        s = mapped.p;
        n = mapped.n;
        bytemapped = 0;
    }
    aif_code rc = AIF_OK;
    if (m->ignore_merges) { /* the whole word only, before any split below */
        int32_t id = bytemapped ? aif_tk_strmap_get(&m->raw_vocab, s, n) : aif_tk_strmap_get(&m->vocab, s, n);
        if (id >= 0) {
            if (aif_tk_ids_push(out, id))
                rc = aif_err_set(err, AIF_ENOMEM, "out of memory in BPE");
            aif_tk_buf_release(&mapped);
            return rc;
        }
    }
    if (!bytemapped && m->spm_split) {
        /* no token holds "x▁" (x not ▁), so no merge crosses the start of a
         * run of ▁: each segment can be merged (and cached) on its own */
        static const char meta[3] = {'\xE2', '\x96', '\x81'};
        size_t start = 0;
        for (size_t i = 1; i + 3 <= n && rc == AIF_OK; i++)
            if (!memcmp(s + i, meta, 3) && !(i >= 3 && !memcmp(s + i - 3, meta, 3))) {
                rc = word_tokenize(m, s + start, i - start, 0, out, err);
                start = i;
            }
        if (rc == AIF_OK)
            rc = word_tokenize(m, s + start, n - start, 0, out, err);
    } else {
        rc = word_tokenize(m, s, n, bytemapped, out, err);
    }
    aif_tk_buf_release(&mapped);
    return rc;
}

void aif_tk_bpe_release(aif_tk_bpe *m)
{
    aif_tk_strmap_release(&m->vocab);
    aif_tk_strmap_release(&m->raw_vocab);
    aif_free(m->id_off);
    aif_free(m->mtab);
    aif_free(m->scores);
    if (m->pieces)
        aif_free(m->pieces->nodes);
    aif_free(m->pieces);
    aif_free(m->prefix);
    aif_free(m->suffix);
    if (m->cache) {
        for (size_t j = 0; j <= m->cache->mask; j++)
            aif_free(atomic_load_explicit(&m->cache->slots[j], memory_order_relaxed));
        aif_free(m->cache->slots);
        aif_free(m->cache);
    }
    memset(m, 0, sizeof *m);
}
