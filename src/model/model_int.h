/* model_int.h (internal to src/model/): the model struct, its weight views
 * and the forward-pass workspace shared by load/forward/attention/stats/generate. */
#ifndef AIF_MODEL_INT_H
#define AIF_MODEL_INT_H

#include "aif/alloc.h"
#include "aif/model.h"
#include "../kernels/kernels.h"

/* A vector of n values of dtype dt (may be unaligned), or NULL. */
struct vec {
    const void *p;
    aif_dtype dt;
};

/* y = x W^T + b with W (n_out, n_in) of dtype dt, row-major, in place. */
struct linear {
    const void *w;
    aif_dtype dt;
    size_t n_out, n_in;
    struct vec b; /* bias (n_out) or p == NULL */
};

struct layer {
    struct vec attn_norm, ffn_norm;        /* (D) */
    struct linear q, k, v, o;              /* q (H*hd, D), k/v (KV*hd, D), o (D, H*hd) */
    struct linear gate, up, down;          /* gate/up (I, D), down (D, I) */
};

struct aif_model {
    aif_model_config cfg;
    aif_safetensors *st;       /* owned when loaded from a directory, else NULL */
    struct linear embed;       /* (V, D): rows are the embeddings */
    struct linear lm_head;     /* (V, D): embed when tied */
    struct vec final_norm;     /* (D) */
    struct layer *layers;      /* n_layers */
    uint64_t n_params, weight_bytes, file_bytes;
    aif_dtype dtype;
    const struct aif_kernels *k;
    aif_model_compute compute; /* aif_model_set_compute */
    void **owned;              /* converted weight copies (aif_model_cast), freed with the model */
    size_t n_owned;
    int bf16_attention;        /* BF16 compute also rounds attention's q, k, v, p to bf16 (attention.c);
                                  0 (default): attention stays f32 */
};

static inline float vec_at(struct vec v, size_t i)
{
    float f;
    aif_kref_to_f32((const unsigned char *)v.p + i * aif_dtype_size(v.dt), v.dt, &f, 1);
    return f;
}

/* RoPE inverse frequencies (head_dim/2 values) for a forward whose largest
 * position is seq_len - 1, computed in float32 as transformers does. */
void aif_model_rope_inv_freq(const aif_model_config *c, size_t seq_len, float *inv_freq);

/* Key/value cache for generation: per layer (cap, KV*hd) f32. */
struct kv_cache {
    float *k, *v;   /* (n_layers, cap, KV*hd) */
    size_t cap;
};

/* Run the decoder layers over B sequences of T new tokens at positions
 * pos0..pos0+T-1. x (B*T, D) holds the embeddings in and the hidden states
 * out (before the final norm). With cache == NULL, pos0 must be 0 and
 * attention covers the T tokens; with a cache (B == 1), keys/values are
 * appended at pos0 and attention covers positions 0..pos0+t. */
aif_code aif_model_run_layers(aif_model *m, aif_pool *pool, float *x, size_t B, size_t T, size_t pos0,
                              struct kv_cache *cache, aif_err *err);
/* x (B*T, D) tokens -> embeddings. Ids must be checked by the caller. */
void aif_model_embed(aif_model *m, const int32_t *tokens, size_t n, float *x);
/* out = RMSNorm(x) rows with weight w. */
void aif_model_rmsnorm(const aif_model *m, aif_pool *pool, const float *x, struct vec w, size_t n_rows, float *out);
/* y (M, n_out) = x (M, n_in) W^T (+ b), threaded over output features. */
aif_code aif_model_linear(aif_model *m, aif_pool *pool, const struct linear *l, const float *x, size_t M, float *y,
                          size_t ldy, aif_err *err);
/* Activations prepared once for every product that reads them (q/k/v share
 * one, gate/up another, the LM head's vocabulary chunks another): packed for
 * the level's bf16-weight kernel (k->w16_*) when it has one, rounded to bf16
 * values when m->compute is BF16, else x itself. */
struct act {
    const float *x;   /* (M, K) f32, row-major, as given */
    size_t M, K;
    const float *xr;  /* what the f32 kernels read: x, or a bf16-rounded copy (owned) */
    void *packed;     /* k->w16_pack output, or NULL (owned) */
    int terms;        /* bf16 terms per value in packed: 1 (BF16 compute) or 3 (exact) */
    float *owned_xr;
    void *owned_packed;
};
aif_code aif_model_act_prepare(aif_model *m, aif_pool *pool, const float *x, size_t M, size_t K, struct act *a,
                               aif_err *err);
void aif_model_act_release(struct act *a);
/* A buffer reused by successive act preparations of one forward (fresh
 * allocations of tens of MB cost a page fault per 4 KB each time). */
struct act_ws {
    void *p;
    size_t cap;
};
/* As aif_model_act_prepare, with the buffers taken from ws (grown as
 * needed): a stays valid until the next preparation in ws; release it with
 * aif_model_act_release all the same, and free ws with aif_model_act_ws_free. */
aif_code aif_model_act_prepare_in(aif_model *m, aif_pool *pool, const float *x, size_t M, size_t K,
                                  struct act_ws *ws, struct act *a, aif_err *err);
void aif_model_act_ws_free(struct act_ws *ws);
/* y (M, n1 - n0) = x W[n0:n1]^T (+ b[n0:n1]) for output features n0..n1 of l,
 * threaded over those features. Each element's arithmetic depends only on
 * (l, K, a->terms), never on n0, n1, M or the thread count. */
aif_code aif_model_linear_act(aif_model *m, aif_pool *pool, const struct linear *l, const struct act *a, size_t n0,
                              size_t n1, float *y, size_t ldy, aif_err *err);
/* Causal attention over heads. q (B*T, H*hd) roped, keys/values at kbase/vbase
 * with row stride ld floats and per-sequence stride seq_stride rows; query t of
 * sequence b is at absolute position pos0 + t and sees keys 0..pos0+t. out (B*T, H*hd). */
aif_code aif_model_attention(aif_model *m, aif_pool *pool, const float *q, const float *kbase, const float *vbase,
                             size_t ld, size_t seq_stride, size_t B, size_t T, size_t pos0, float *out, aif_err *err);
/* Run fn(ctx, r0, r1) over [0, n) rows split by thread; each row is handled by one thread. */
void aif_model_par_rows(aif_pool *pool, size_t n, void (*fn)(void *ctx, size_t r0, size_t r1), void *ctx);
/* Check token ids against the vocabulary. */
aif_code aif_model_check_ids(const aif_model *m, const int32_t *tokens, size_t n, aif_err *err);

#endif
