/* sum_exp.c: sum of exp(x - m) for the LM head's logsumexp: float exp on
 * 16 lanes (vexp.h), widened and summed in two double accumulators (8 lanes
 * each), reduced in a fixed order, so the result depends on n only. */
#include "../kernels.h"
#include "vexp.h"

double aif_kavx512_sum_exp(const float *x, size_t n, float m)
{
    __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd();
    __m512 mv = _mm512_set1_ps(m), ninf = _mm512_set1_ps(-__builtin_inff());
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? 0xffff : (__mmask16)((1u << (n - i)) - 1);
        __m512 e = aif_kavx512_exp16(_mm512_sub_ps(_mm512_mask_loadu_ps(ninf, k, x + i), mv));
        a0 = _mm512_add_pd(a0, _mm512_cvtps_pd(_mm512_castps512_ps256(e)));
        a1 = _mm512_add_pd(a1, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(e), 1))));
    }
    double l[16];
    _mm512_storeu_pd(l, a0);
    _mm512_storeu_pd(l + 8, a1);
    double s = 0;
    for (int i = 0; i < 16; i++)
        s += l[i];
    return s;
}
