/* vexp.h (internal to the AVX-512 kernels): exp of 16 floats.
 *
 * x = n ln2 + r with n = round(x / ln2) and |r| <= ln2/2 (ln2 split in a
 * high part exact in 16 bits and a low part, so n * ln2_hi is exact), exp(r)
 * by its degree-7 Taylor polynomial in Horner form (truncation error below
 * 2^-27 relative on that interval), then scaled by 2^n with vscalefps, which
 * gives 0 below the denormal range, +inf above 88.72, and keeps NaN.
 * Measured against exp() in double over a dense sweep of [-104, 88]:
 * within 2 ulp (tests/kernels/test_exp.c). */
#ifndef AIF_KERNELS_AVX512_VEXP_H
#define AIF_KERNELS_AVX512_VEXP_H

#include <immintrin.h>

static inline __m512 aif_kavx512_exp16(__m512 x)
{
    const __m512 log2e = _mm512_set1_ps(1.44269504088896341f);
    const __m512 ln2_hi = _mm512_set1_ps(0.693145751953125f);   /* 16 significant bits */
    const __m512 ln2_lo = _mm512_set1_ps(1.42860682030941723e-06f);
    /* clamp where exp is already 0 or inf in float, so that n stays small
     * enough for n * ln2_hi to be exact (NaN is put back at the end) */
    __m512 xc = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-150.0f)), _mm512_set1_ps(100.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, ln2_hi, xc);
    r = _mm512_fnmadd_ps(n, ln2_lo, r);
    __m512 p = _mm512_set1_ps(1.0f / 5040);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    __m512 e = _mm512_scalef_ps(p, n);
    /* NaN in, NaN out (max/min above returned the constant for NaN x) */
    return _mm512_mask_mov_ps(e, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
}

#endif
