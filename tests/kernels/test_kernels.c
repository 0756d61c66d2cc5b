/* test_kernels.c: every kernel table against a float64 reference, and the
 * tiling-invariance the model's thread-count invariance relies on: each
 * gemm output equals, bit for bit, the same table's dot() of its row pair,
 * whatever M, N and offsets (edge tiles included). */
#include "harness.h"

#include <stdlib.h>

#include "aif/alloc.h"
#include "../../src/kernels/kernels.h"

static float rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (float)((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static void check_table(const struct aif_kernels *k)
{
    static const size_t Ms[] = {1, 3, 4, 7, 70}, Ns[] = {1, 4, 6, 17}, Ks[] = {1, 15, 16, 33, 200};
    unsigned s = 42;
    for (size_t a = 0; a < 5; a++)
        for (size_t b = 0; b < 4; b++)
            for (size_t c = 0; c < 5; c++) {
                size_t M = Ms[a], N = Ns[b], K = Ks[c];
                float *x = malloc((M * K + 1) * 4), *w = malloc((N * K + 1) * 4), *y = malloc(M * N * 4);
                for (size_t i = 0; i < M * K + 1; i++)
                    x[i] = rnd(&s);
                for (size_t i = 0; i < N * K + 1; i++)
                    w[i] = rnd(&s);
                /* +1 offsets: unaligned rows */
                k->gemm(M, N, K, x + 1, K, w + 1, K, y, N);
                for (size_t m = 0; m < M; m++)
                    for (size_t n = 0; n < N; n++) {
                        double ref = 0;
                        for (size_t i = 0; i < K; i++)
                            ref += (double)x[1 + m * K + i] * w[1 + n * K + i];
                        float d = k->dot(x + 1 + m * K, w + 1 + n * K, K);
                        if (y[m * N + n] != d || fabs(d - ref) > 1e-5 * (double)K) {
                            aif_test_fail(__FILE__, __LINE__, "%s M=%zu N=%zu K=%zu (%zu,%zu): gemm %.9g dot %.9g ref %.9g",
                                          k->name, M, N, K, m, n, y[m * N + n], d, ref);
                            m = M;
                            break;
                        }
                    }
                /* the sub-block [1, M) x [1, N) computed alone gives the same bits */
                if (M > 1 && N > 1) {
                    float *z = malloc(M * N * 4);
                    k->gemm(M - 1, N - 1, K, x + 1 + K, K, w + 1 + K, K, z, N);
                    for (size_t m = 1; m < M; m++)
                        for (size_t n = 1; n < N; n++)
                            if (z[(m - 1) * N + n - 1] != y[m * N + n]) {
                                aif_test_fail(__FILE__, __LINE__, "%s: tiling changed (%zu,%zu)", k->name, m, n);
                                m = M;
                                break;
                            }
                    free(z);
                }
                free(x), free(w), free(y);
            }
    /* gemm_nn: b is (K, N) row-major */
    for (size_t a = 0; a < 5; a++)
        for (size_t b = 0; b < 4; b++)
            for (size_t c = 0; c < 5; c++) {
                size_t M = Ms[a], N = Ns[b] * 9, K = Ks[c];
                float *x = malloc((M * K + 1) * 4), *bb = malloc((K * N + 1) * 4), *y = malloc(M * N * 4),
                      *z = malloc(M * N * 4);
                for (size_t i = 0; i < M * K + 1; i++)
                    x[i] = rnd(&s);
                for (size_t i = 0; i < K * N + 1; i++)
                    bb[i] = rnd(&s);
                k->gemm_nn(M, N, K, x + 1, K, bb + 1, N, y, N);
                int bad = 0;
                for (size_t m = 0; m < M && !bad; m++)
                    for (size_t n = 0; n < N && !bad; n++) {
                        double ref = 0;
                        for (size_t i = 0; i < K; i++)
                            ref += (double)x[1 + m * K + i] * bb[1 + i * N + n];
                        if (fabs(y[m * N + n] - ref) > 1e-5 * (double)K) {
                            aif_test_fail(__FILE__, __LINE__, "%s gemm_nn M=%zu N=%zu K=%zu (%zu,%zu): %.9g vs %.9g",
                                          k->name, M, N, K, m, n, y[m * N + n], ref);
                            bad = 1;
                        }
                    }
                /* rows [1, M) and columns [3, N) alone give the same bits */
                if (M > 1 && N > 3) {
                    k->gemm_nn(M - 1, N - 3, K, x + 1 + K, K, bb + 1 + 3, N, z, N);
                    for (size_t m = 1; m < M && !bad; m++)
                        for (size_t n = 3; n < N && !bad; n++)
                            if (z[(m - 1) * N + n - 3] != y[m * N + n]) {
                                aif_test_fail(__FILE__, __LINE__, "%s gemm_nn: tiling changed (%zu,%zu)", k->name, m, n);
                                bad = 1;
                            }
                }
                free(x), free(bb), free(y), free(z);
            }
    /* conversions */
    unsigned char buf[2 * 40 + 1];
    float out[40];
    for (int i = 0; i < 40; i++) {
        float f = rnd(&s) * 100;
        uint16_t h = aif_f32_to_bf16(f);
        memcpy(buf + 1 + 2 * i, &h, 2);
    }
    k->to_f32(buf + 1, AIF_DTYPE_BF16, out, 40);
    for (int i = 0; i < 40; i++) {
        uint16_t h;
        memcpy(&h, buf + 1 + 2 * i, 2);
        CHECK(out[i] == aif_bf16_to_f32(h));
    }
    for (int i = 0; i < 40; i++) {
        uint16_t h = aif_f32_to_f16(rnd(&s) * 100);
        memcpy(buf + 1 + 2 * i, &h, 2);
    }
    k->to_f32(buf + 1, AIF_DTYPE_F16, out, 40);
    for (int i = 0; i < 40; i++) {
        uint16_t h;
        memcpy(&h, buf + 1 + 2 * i, 2);
        CHECK(out[i] == aif_f16_to_f32(h));
    }
    /* y = y*s + a*x */
    float xv[37], yv[37], y0[37];
    for (int i = 0; i < 37; i++)
        xv[i] = rnd(&s), yv[i] = y0[i] = rnd(&s);
    k->scale_axpy(37, 0.5f, 3.0f, xv, yv);
    for (int i = 0; i < 37; i++)
        CHECK_NEAR(yv[i], (double)y0[i] * 0.5 + 3.0 * xv[i], 1e-6);
}

/* Awkward gemm shapes for the packed/blocked paths: K across several 128-k
 * chunks with a 1-element tail (4097, 193, 385 for 128- and 192-k chunks),
 * N across 32-row panels and the
 * 256-row pack block (300), odd M, pointers off 16-byte alignment by 1 and 3
 * floats, ldx/ldy wider than the row. Checked against a float64 reference
 * (|err| <= 1e-5 * K: the f32 chains of K terms in [-1, 1)), bit-equal to the
 * table's dot() (the tiling-independence contract), and a block computed
 * alone ([r0, M) x [c0, N)) bit-equal to the same elements of the whole. */
static void check_gemm_awkward(const struct aif_kernels *k)
{
    static const size_t shapes[][3] = {{1, 1, 4097}, {7, 17, 4097}, {17, 300, 130}, {9, 33, 17}, {2, 64, 128},
                                       {8, 32, 129}, {1, 7, 1}, {13, 35, 193}, {12, 64, 385}};
    unsigned s = 7;
    for (size_t c = 0; c < sizeof shapes / sizeof shapes[0]; c++) {
        size_t M = shapes[c][0], N = shapes[c][1], K = shapes[c][2], ldx = K + 5, ldw = K + 2, ldy = N + 3;
        float *xb = malloc((M * ldx + 3) * 4), *wb = malloc((N * ldw + 1) * 4), *y = malloc(M * ldy * 4),
              *z = malloc(M * ldy * 4);
        float *x = xb + 3, *w = wb + 1;
        for (size_t i = 0; i < M * ldx + 3; i++)
            xb[i] = rnd(&s);
        for (size_t i = 0; i < N * ldw + 1; i++)
            wb[i] = rnd(&s);
        k->gemm(M, N, K, x, ldx, w, ldw, y, ldy);
        int bad = 0;
        for (size_t m = 0; m < M && !bad; m++)
            for (size_t n = 0; n < N && !bad; n++) {
                double ref = 0;
                for (size_t i = 0; i < K; i++)
                    ref += (double)x[m * ldx + i] * w[n * ldw + i];
                float d = k->dot(x + m * ldx, w + n * ldw, K);
                if (y[m * ldy + n] != d || fabs(d - ref) > 1e-5 * (double)K) {
                    aif_test_fail(__FILE__, __LINE__, "%s M=%zu N=%zu K=%zu (%zu,%zu): gemm %.9g dot %.9g ref %.9g",
                                  k->name, M, N, K, m, n, y[m * ldy + n], d, ref);
                    bad = 1;
                }
            }
        size_t r0 = M > 1 ? 1 : 0, c0 = N > 5 ? 5 : 0;
        k->gemm(M - r0, N - c0, K, x + r0 * ldx, ldx, w + c0 * ldw, ldw, z, ldy);
        for (size_t m = r0; m < M && !bad; m++)
            for (size_t n = c0; n < N && !bad; n++)
                if (z[(m - r0) * ldy + n - c0] != y[m * ldy + n]) {
                    aif_test_fail(__FILE__, __LINE__, "%s M=%zu N=%zu K=%zu: tiling changed (%zu,%zu)", k->name, M,
                                  N, K, m, n);
                    bad = 1;
                }
        free(xb), free(wb), free(y), free(z);
    }
}

static void ref_table(void) { check_table(aif_kernels_ref()); }
static void gemm_awkward(void)
{
    const struct aif_kernels *t[3] = {aif_kernels_ref(), aif_kernels_avx2(), aif_kernels_avx512()};
    for (int i = 0; i < 3; i++)
        if (t[i])
            check_gemm_awkward(t[i]);
}
static void avx512_table(void)
{
    const struct aif_kernels *k = aif_kernels_avx512();
    if (k)
        check_table(k);
    else
        printf("     (no AVX-512 on this CPU: skipped)\n");
}

static void avx2_table(void)
{
    const struct aif_kernels *k = aif_kernels_avx2();
    if (k)
        check_table(k);
    else
        printf("     (no AVX2 on this CPU: skipped)\n");
}

AIF_TESTS(kernels_tables) = {
    {"kernels/avx2", avx2_table},
    {"kernels/ref", ref_table},
    {"kernels/avx512", avx512_table},
    {"kernels/gemm_awkward", gemm_awkward},
    {NULL, NULL},
};
