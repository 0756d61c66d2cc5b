/* kernels.h (internal): the table of compute primitives the model runs on.
 * One plain C reference implementation (ref/) and per-ISA ones (avx2/,
 * avx512/), picked once by dispatch.c from cpuid, or forced with
 * AIF_KERNELS=ref|avx2|avx512|amx (falling back when the CPU lacks it). Every primitive computes each output element with a
 * summation order that depends only on the sizes passed in (never on
 * how a caller tiles or threads the work), so splitting rows over threads
 * gives bit-identical results. Different levels may round differently. */
#ifndef AIF_KERNELS_H
#define AIF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "aif/tensor.h"

struct aif_kernels {
    const char *name; /* "ref", "avx2", "avx512" */
    /* y[m*ldy + n] = sum_k x[m*ldx + k] * w[n*ldw + k] for m < M, n < N.
     * x (M, K) f32 and w (N, K) f32, both row-major (rows may be unaligned). */
    void (*gemm)(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                 size_t ldy);
    /* y[m*ldy + n] = sum_k x[m*ldx + k] * b[k*ldb + n]: b (K, N) row-major.
     * Same tiling-independence contract as gemm. */
    void (*gemm_nn)(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *b, size_t ldb, float *y,
                    size_t ldy);
    /* dst[i] = (float)src[i] for n elements of dtype t (src may be unaligned). */
    void (*to_f32)(const void *src, aif_dtype t, float *dst, size_t n);
    /* sum_i a[i] * b[i] */
    float (*dot)(const float *a, const float *b, size_t n);
    /* y[i] = y[i] * s + a * x[i] */
    void (*scale_axpy)(size_t n, float s, float a, const float *x, float *y);

    /* Optional (NULL where the level has none; AMX): products of f32
     * activations with bf16 weights on bf16 matrix units. The activations
     * x (M, K) are packed once per product (w16_pack over row ranges, so
     * threads can share the work), each value as `terms` bf16 parts: 3
     * parts sum to exactly x (exact products), 1 part is x rounded to bf16.
     * w16_gemm: y[m*ldy + n] = sum_k sum_t part_t(x[m][k]) * w[n*ldw + k]
     * for m < M, n < N, with w (N, K) bf16 at any alignment, f32
     * accumulation in an order fixed by (K, terms) only. scratch holds
     * w16_scratch_bytes(M, K) bytes (per calling thread). */
    size_t (*w16_pack_bytes)(size_t M, size_t K, int terms);
    /* Pack rows m0..m1 (m0 a multiple of 16; m1 a multiple of 16 or M). */
    void (*w16_pack)(size_t M, size_t K, const float *x, size_t ldx, int terms, void *packed, size_t m0, size_t m1);
    size_t (*w16_scratch_bytes)(size_t M, size_t K);
    void (*w16_gemm)(size_t M, size_t N, size_t K, const void *packed, int terms, const void *w, size_t ldw,
                     float *y, size_t ldy, void *scratch);
    /* The same with f32 weights w (N, K), 4-byte aligned, each split into
     * three bf16 parts like the activations; of the part products those
     * below f32's last bit (part i of x times part j of w with i + j > 2,
     * about 2^-24 of the product) are left out, so the result is f32
     * products to within about one rounding each. Same scratch. */
    void (*w32_gemm)(size_t M, size_t N, size_t K, const void *packed, int terms, const float *w, size_t ldw,
                     float *y, size_t ldy, void *scratch);

    /* sum_i exp(x[i] - m) in double, for x[i] <= m or -inf (the LM head's
     * logsumexp); the summation order depends on n only. The reference
     * takes exp in double; AVX-512 in float (within 2 ulp), summed in double. */
    double (*sum_exp)(const float *x, size_t n, float m);

    /* Optional (NULL: the model builds attention from gemm and gemm_nn):
     * causal attention of a block of query rows against one key/value head,
     * flash-attention style (an online softmax over key tiles; nothing grows
     * with the number of keys). Rows are (i, h), i < nq positions, h < G
     * heads: query q[i*ldq + h*hd + d] sits at absolute position pos + i and
     * sees keys j = 0..pos+i, k[j*ldkv + d] and v[j*ldkv + d] (rows may be
     * unaligned); out[i*ldo + h*hd + d] = sum_j softmax_j(scale q.k_j) v[j][d].
     * A row's arithmetic depends only on (hd, scale, pos + i) and the data,
     * never on G, nq or the rows sharing the call. p16: the probabilities
     * are rounded to bf16 (nearest even) before they weigh v (their sum is
     * not), as BF16 compute does with q, k, v already rounded by the caller.
     * scratch: at least attn_scratch_bytes(hd) bytes (any alignment), per
     * calling thread. */
    size_t (*attn_scratch_bytes)(size_t hd);
    void (*attn)(size_t G, size_t nq, size_t hd, float scale, const float *q, size_t ldq, const float *k,
                 const float *v, size_t ldkv, size_t pos, float *out, size_t ldo, int p16, void *scratch);

    /* Optional (NULL: BF16 compute runs attn in f32): attention for BF16
     * compute, with q, k, v and the probabilities rounded to bf16 (round to
     * nearest even) and f32 accumulation, on keys and values packed per
     * head: attn16_pack writes keys/values 0..n of one head (f32 rows ld
     * apart) into kp and vp, attn16_pack_bytes(n, hd) bytes each, 64-byte
     * aligned (the layout: ref/attention.c). attn16 is attn on such a head
     * (kp, vp for keys 0..pos+nq-1 or more), with the same block-independence
     * contract; scratch: attn16_scratch_bytes(hd) bytes per calling thread. */
    size_t (*attn16_pack_bytes)(size_t n, size_t hd);
    void (*attn16_pack)(size_t n, size_t hd, const float *k, const float *v, size_t ld, void *kp, void *vp);
    size_t (*attn16_scratch_bytes)(size_t hd);
    void (*attn16)(size_t G, size_t nq, size_t hd, float scale, const float *q, size_t ldq, const void *kp,
                   const void *vp, size_t pos, float *out, size_t ldo, void *scratch);
};

/* The best table for this CPU (chosen once, thread-safe). */
const struct aif_kernels *aif_kernels_get(void);
/* The plain C reference table. */
const struct aif_kernels *aif_kernels_ref(void);
/* The AVX2 + FMA table, or NULL when not compiled in or the CPU lacks it. */
const struct aif_kernels *aif_kernels_avx2(void);
/* The AVX-512 table, or NULL when not compiled in or the CPU lacks it. */
const struct aif_kernels *aif_kernels_avx512(void);

/* The AVX-512 table plus the AMX bf16 products, or NULL when the CPU lacks
 * AMX-BF16 or the kernel refuses this process the tile state. */
const struct aif_kernels *aif_kernels_amx(void);

/* Reference primitives (src/kernels/ref/). */
void aif_kref_gemm(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                   size_t ldy);
void aif_kref_to_f32(const void *src, aif_dtype t, float *dst, size_t n);
void aif_kref_gemm_nn(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *b, size_t ldb, float *y,
                    size_t ldy);
float aif_kref_dot(const float *a, const float *b, size_t n);
double aif_kref_sum_exp(const float *x, size_t n, float m);
void aif_kref_scale_axpy(size_t n, float s, float a, const float *x, float *y);

/* AVX2 + FMA primitives (src/kernels/avx2/), only called when the CPU has AVX2, FMA and F16C. */
void aif_kavx2_gemm(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                    size_t ldy);
void aif_kavx2_to_f32(const void *src, aif_dtype t, float *dst, size_t n);
void aif_kavx2_gemm_nn(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *b, size_t ldb, float *y,
                    size_t ldy);
float aif_kavx2_dot(const float *a, const float *b, size_t n);
void aif_kavx2_scale_axpy(size_t n, float s, float a, const float *x, float *y);

/* AVX-512 primitives (src/kernels/avx512/), only called when the CPU has AVX-512F/BW/VL/DQ. */
void aif_kavx512_gemm(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                      size_t ldy);
void aif_kavx512_to_f32(const void *src, aif_dtype t, float *dst, size_t n);
void aif_kavx512_gemm_nn(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *b, size_t ldb, float *y,
                    size_t ldy);
float aif_kavx512_dot(const float *a, const float *b, size_t n);
double aif_kavx512_sum_exp(const float *x, size_t n, float m);
void aif_kavx512_scale_axpy(size_t n, float s, float a, const float *x, float *y);

/* AMX primitives (src/kernels/amx/), only called when aif_kernels_amx() is not NULL. */
size_t aif_kamx_w16_pack_bytes(size_t M, size_t K, int terms);
void aif_kamx_w16_pack(size_t M, size_t K, const float *x, size_t ldx, int terms, void *packed, size_t m0, size_t m1);
size_t aif_kamx_w16_scratch_bytes(size_t M, size_t K);
void aif_kamx_w16_gemm(size_t M, size_t N, size_t K, const void *packed, int terms, const void *w, size_t ldw,
                       float *y, size_t ldy, void *scratch);
void aif_kamx_w32_gemm(size_t M, size_t N, size_t K, const void *packed, int terms, const float *w, size_t ldw,
                       float *y, size_t ldy, void *scratch);

/* Causal attention (ref/attention.c, avx512/attention.c): see attn above. */
size_t aif_kref_attn_scratch_bytes(size_t hd);
void aif_kref_attn(size_t G, size_t nq, size_t hd, float scale, const float *q, size_t ldq, const float *k,
                   const float *v, size_t ldkv, size_t pos, float *out, size_t ldo, int p16, void *scratch);
size_t aif_kavx512_attn_scratch_bytes(size_t hd);
void aif_kavx512_attn(size_t G, size_t nq, size_t hd, float scale, const float *q, size_t ldq, const float *k,
                      const float *v, size_t ldkv, size_t pos, float *out, size_t ldo, int p16, void *scratch);
size_t aif_kref_attn16_pack_bytes(size_t n, size_t hd);
void aif_kref_attn16_pack(size_t n, size_t hd, const float *k, const float *v, size_t ld, void *kp, void *vp);
size_t aif_kref_attn16_scratch_bytes(size_t hd);
void aif_kref_attn16(size_t G, size_t nq, size_t hd, float scale, const float *q, size_t ldq, const void *kp,
                     const void *vp, size_t pos, float *out, size_t ldo, void *scratch);
void aif_kamx_attn16_pack(size_t n, size_t hd, const float *k, const float *v, size_t ld, void *kp, void *vp);
size_t aif_kamx_attn16_scratch_bytes(size_t hd);
void aif_kamx_attn16(size_t G, size_t nq, size_t hd, float scale, const float *q, size_t ldq, const void *kp,
                     const void *vp, size_t pos, float *out, size_t ldo, void *scratch);
/* y[i] = 2^x[i] (the vector exp2 of the AVX-512 attention, for its tests). */
void aif_kavx512_exp2(const float *x, float *y, size_t n);

#endif
