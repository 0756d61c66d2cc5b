/* attention.c: reference causal attention for one block of query rows
 * against one key/value head (the contract is in kernels.h, attn), one row
 * at a time in float64: an online softmax over the keys one by one (the
 * running maximum m, the sum l and the accumulator acc are rescaled by
 * e^(m - m') whenever the maximum grows; with p16 each weight e^(s - m) is
 * rounded to bf16 at the m of its key), rounded to float at the end. The
 * scratch holds acc (hd doubles); nothing grows with the number of keys. */
#include "../kernels.h"

#include "aif/tensor.h"

#include <math.h>
#include <stdint.h>

size_t aif_kref_attn_scratch_bytes(size_t hd) { return (hd + 1) * sizeof(double); }

void aif_kref_attn(size_t G, size_t nq, size_t hd, float scale, const float *q, size_t ldq, const float *k,
                   const float *v, size_t ldkv, size_t pos, float *out, size_t ldo, int p16, void *scratch)
{
    double *acc = (double *)(((uintptr_t)scratch + 7) & ~(uintptr_t)7);
    for (size_t i = 0; i < nq; i++)
        for (size_t h = 0; h < G; h++) {
            const float *qr = q + i * ldq + h * hd;
            double m = -INFINITY, l = 0;
            for (size_t d = 0; d < hd; d++)
                acc[d] = 0;
            for (size_t j = 0; j <= pos + i; j++) { /* keys 0..pos+i */
                const float *kr = k + j * ldkv, *vr = v + j * ldkv;
                double s = 0;
                for (size_t d = 0; d < hd; d++)
                    s += (double)qr[d] * kr[d];
                s *= scale;
                if (s > m) {
                    double c = exp(m - s); /* 0 for the first key */
                    l *= c;
                    for (size_t d = 0; d < hd; d++)
                        acc[d] *= c;
                    m = s;
                }
                double p = exp(s - m), pw = p16 ? aif_bf16_to_f32(aif_f32_to_bf16((float)p)) : p;
                l += p;
                for (size_t d = 0; d < hd; d++)
                    acc[d] += pw * vr[d];
            }
            float *o = out + i * ldo + h * hd;
            for (size_t d = 0; d < hd; d++)
                o[d] = (float)(acc[d] / l);
        }
}

/* ---- BF16 compute (kernels.h attn16): the packed layouts and a float64
 * reference on them ---- */

static size_t hd_pad(size_t hd) { return (hd + 31) / 32 * 32; }
static size_t keys_pad(size_t n) { return (n + 63) / 64 * 64; }

size_t aif_kref_attn16_pack_bytes(size_t n, size_t hd) { return keys_pad(n) * hd_pad(hd) * 2; }

/* kp[(key / 16) * (HP * 16) + (d / 2) * 32 + (key % 16) * 2 + d % 2] = k[key][d]
 * vp[(key / 2) * (HP * 2) + d * 2 + key % 2] = v[key][d]
 * for key < NP, d < HP (the padded sizes), bf16 (round to nearest even),
 * zero past n keys or hd dims. */
void aif_kref_attn16_pack(size_t n, size_t hd, const float *k, const float *v, size_t ld, void *kp, void *vp)
{
    size_t HP = hd_pad(hd), NP = keys_pad(n);
    uint16_t *ko = kp, *vo = vp;
    for (size_t key = 0; key < NP; key++)
        for (size_t d = 0; d < HP; d++) {
            int in = key < n && d < hd;
            size_t kx = (key / 16) * (HP * 16) + (d / 2) * 32 + (key % 16) * 2 + d % 2;
            ko[kx] = in ? aif_f32_to_bf16(k[key * ld + d]) : 0;
            vo[(key / 2) * (HP * 2) + d * 2 + key % 2] = in ? aif_f32_to_bf16(v[key * ld + d]) : 0;
        }
}

size_t aif_kref_attn16_scratch_bytes(size_t hd) { return (hd + 1) * sizeof(double); }

/* Per row, two passes over its keys in float64: the maximum of the scores
 * of bf16(q) and the packed keys, then p = e^(s - max), summed as is and
 * rounded to bf16 to weigh the packed values. */
void aif_kref_attn16(size_t G, size_t nq, size_t hd, float scale, const float *q, size_t ldq, const void *kp,
                     const void *vp, size_t pos, float *out, size_t ldo, void *scratch)
{
    size_t HP = hd_pad(hd);
    const uint16_t *ki = kp, *vi = vp;
    double *acc = (double *)(((uintptr_t)scratch + 7) & ~(uintptr_t)7);
    for (size_t i = 0; i < nq; i++)
        for (size_t h = 0; h < G; h++) {
            const float *qr = q + i * ldq + h * hd;
            double m = -INFINITY, l = 0;
            for (int pass = 0; pass < 2; pass++)
                for (size_t j = 0; j <= pos + i; j++) {
                    double s = 0;
                    for (size_t d = 0; d < hd; d++)
                        s += (double)aif_bf16_to_f32(aif_f32_to_bf16(qr[d])) *
                             aif_bf16_to_f32(ki[(j / 16) * (HP * 16) + (d / 2) * 32 + (j % 16) * 2 + d % 2]);
                    s *= scale;
                    if (pass == 0) {
                        m = s > m ? s : m;
                        continue;
                    }
                    double p = exp(s - m);
                    float p16 = aif_bf16_to_f32(aif_f32_to_bf16((float)p));
                    if (j == 0)
                        for (size_t d = 0; d < hd; d++)
                            acc[d] = 0;
                    l += p;
                    for (size_t d = 0; d < hd; d++)
                        acc[d] += (double)p16 * aif_bf16_to_f32(vi[(j / 2) * (HP * 2) + d * 2 + j % 2]);
                }
            float *o = out + i * ldo + h * hd;
            for (size_t d = 0; d < hd; d++)
                o[d] = (float)(acc[d] / l);
        }
}
