/* gemm.c: reference matrix product and dot product.
 * Every dot product uses 8 partial sums (lane j takes k = j mod 8), added
 * in a fixed tree, so one element's value depends on K only. */
#include "../kernels.h"

#include <math.h>
#include <string.h>

static inline float ldf(const float *p)
{
    float f;
    memcpy(&f, p, 4); /* rows may be unaligned views of a file */
    return f;
}

float aif_kref_dot(const float *a, const float *b, size_t n)
{
    float s[8] = {0};
    size_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++)
            s[j] += ldf(a + k + j) * ldf(b + k + j);
    for (int j = 0; k < n; k++, j++)
        s[j] += ldf(a + k) * ldf(b + k);
    return ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
}

void aif_kref_gemm(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *w, size_t ldw, float *y,
                   size_t ldy)
{
    /* Blocks of 16 rows of x keep them cache-resident across the weight rows. */
    for (size_t m0 = 0; m0 < M; m0 += 16) {
        size_t m1 = m0 + 16 < M ? m0 + 16 : M;
        for (size_t n = 0; n < N; n++)
            for (size_t m = m0; m < m1; m++)
                y[m * ldy + n] = aif_kref_dot(x + m * ldx, w + n * ldw, K);
    }
}

void aif_kref_gemm_nn(size_t M, size_t N, size_t K, const float *x, size_t ldx, const float *b, size_t ldb, float *y,
                      size_t ldy)
{
    /* each element: a sequential sum over k */
    for (size_t m = 0; m < M; m++) {
        for (size_t n = 0; n < N; n++)
            y[m * ldy + n] = 0.0f;
        for (size_t k = 0; k < K; k++) {
            float a = ldf(x + m * ldx + k);
            for (size_t n = 0; n < N; n++)
                y[m * ldy + n] += a * ldf(b + k * ldb + n);
        }
    }
}

void aif_kref_scale_axpy(size_t n, float s, float a, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = y[i] * s + a * x[i];
}

void aif_kref_to_f32(const void *src, aif_dtype t, float *dst, size_t n)
{
    const unsigned char *p = src;
    switch (t) {
    case AIF_DTYPE_F32:
        memcpy(dst, src, n * 4);
        break;
    case AIF_DTYPE_BF16:
        for (size_t i = 0; i < n; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            dst[i] = aif_bf16_to_f32(h);
        }
        break;
    case AIF_DTYPE_F16:
        for (size_t i = 0; i < n; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            dst[i] = aif_f16_to_f32(h);
        }
        break;
    default:
        break;
    }
}

double aif_kref_sum_exp(const float *x, size_t n, float m)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += exp((double)x[i] - (double)m);
    return s;
}
