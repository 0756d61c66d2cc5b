/* attention.c: reference causal attention for one block of query rows
 * against one key/value head (the contract is in kernels.h, attn), one row
 * at a time in float64: an online softmax over the keys one by one (the
 * running maximum m, the sum l and the accumulator acc are rescaled by
 * e^(m - m') whenever the maximum grows), rounded to float at the end. The
 * scratch holds acc (hd doubles); nothing grows with the number of keys. */
#include "../kernels.h"

#include <math.h>
#include <stdint.h>

size_t aif_kref_attn_scratch_bytes(size_t hd) { return (hd + 1) * sizeof(double); }

void aif_kref_attn(size_t G, size_t nq, size_t hd, float scale, const float *q, size_t ldq, const float *k,
                   const float *v, size_t ldkv, size_t pos, float *out, size_t ldo, void *scratch)
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
                double p = exp(s - m);
                l += p;
                for (size_t d = 0; d < hd; d++)
                    acc[d] += p * vr[d];
            }
            float *o = out + i * ldo + h * hd;
            for (size_t d = 0; d < hd; d++)
                o[d] = (float)(acc[d] / l);
        }
}
