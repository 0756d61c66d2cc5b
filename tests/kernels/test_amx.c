/* test_amx.c: the AMX bf16-weight products (w16_*) against a float64
 * reference on awkward shapes, their exactness (three parts reproduce f32
 * activations bit for bit), bf16 rounding with one part, unaligned weights,
 * and the tiling/thread-split invariance the model relies on. Skipped, with
 * a note, where the CPU or the kernel gives no AMX. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/tensor.h"
#include "../../src/kernels/kernels.h"

static float rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (float)((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
}

/* y (M, N) with ldy = N + 3, weights (N, K) bf16 at byte address wbytes
 * (possibly odd) with row stride ldw. Returns NULL when allocation fails. */
static float *run(const struct aif_kernels *k, size_t M, size_t N, size_t K, const float *x, size_t ldx, int terms,
                  const unsigned char *wbytes, size_t ldw)
{
    size_t ldy = N + 3;
    void *packed = aif_malloc_aligned(k->w16_pack_bytes(M, K, terms));
    void *scratch = aif_malloc_aligned(k->w16_scratch_bytes(M, K));
    float *y = malloc((M * ldy + 1) * sizeof *y);
    if (!packed || !scratch || !y) {
        aif_free_aligned(packed), aif_free_aligned(scratch), free(y);
        return NULL;
    }
    for (size_t i = 0; i < M * ldy + 1; i++)
        y[i] = 12345.0f; /* untouched outside (M, N): checked below */
    /* pack in two row ranges, as two threads would */
    size_t half = (M / 2) & ~(size_t)15;
    k->w16_pack(M, K, x, ldx, terms, packed, 0, half);
    k->w16_pack(M, K, x, ldx, terms, packed, half, M);
    k->w16_gemm(M, N, K, packed, terms, wbytes, ldw, y, ldy, scratch);
    aif_free_aligned(packed), aif_free_aligned(scratch);
    return y;
}

static uint16_t wget(const unsigned char *w, size_t i)
{
    uint16_t h;
    memcpy(&h, w + 2 * i, 2);
    return h;
}

static void check_shape(const struct aif_kernels *k, size_t M, size_t N, size_t K, int terms, unsigned *s)
{
    size_t ldx = K + 5, ldw = K + 2;
    float *x = malloc(M * ldx * sizeof *x);
    unsigned char *wbuf = malloc(N * ldw * 2 + 1), *w = wbuf + 1; /* odd address */
    for (size_t i = 0; i < M * ldx; i++)
        x[i] = rnd(s) * (i % 7 == 0 ? 100.0f : 1.0f);
    for (size_t i = 0; i < N * ldw; i++) {
        uint16_t h = aif_f32_to_bf16(rnd(s));
        memcpy(w + 2 * i, &h, 2);
    }
    float *y = run(k, M, N, K, x, ldx, terms, w, ldw);
    if (!y) {
        CHECK(aif_test_injecting());
        free(x), free(wbuf);
        return;
    }
    size_t ldy = N + 3, bad = 0;
    for (size_t m = 0; m < M && bad < 3; m++) {
        for (size_t n = 0; n < N && bad < 3; n++) {
            double ref = 0, mag = 0;
            for (size_t i = 0; i < K; i++) {
                float xv = x[m * ldx + i];
                if (terms == 1)
                    xv = aif_bf16_to_f32(aif_f32_to_bf16(xv));
                double p = (double)xv * aif_bf16_to_f32(wget(w, n * ldw + i));
                ref += p;
                mag += fabs(p);
            }
            /* f32 accumulation of K exact products: a few units of 2^-24 times
             * sqrt(K) of the magnitude in practice; 2e-6 x magnitude allows ~30
             * ulps and still catches a dropped part (~2^-9 relative) or a
             * misplaced value. */
            if (fabs(y[m * ldy + n] - ref) > 2e-6 * mag + 1e-30) {
                aif_test_fail(__FILE__, __LINE__, "M=%zu N=%zu K=%zu terms=%d (%zu,%zu): %.9g ref %.9g", M, N, K,
                              terms, m, n, y[m * ldy + n], ref);
                bad++;
            }
        }
        for (size_t n = N; n < ldy && m * ldy + n < M * ldy; n++)
            if (y[m * ldy + n] != 12345.0f && bad++ < 3)
                aif_test_fail(__FILE__, __LINE__, "M=%zu N=%zu K=%zu: wrote outside y at (%zu,%zu)", M, N, K, m, n);
    }
    /* feature ranges computed alone (as threads split them) give the same bits */
    if (N > 17) {
        float *z = run(k, M, N - 17, K, x, ldx, terms, w + 17 * ldw * 2, ldw);
        CHECK(z || aif_test_injecting());
        for (size_t m = 0; z && m < M; m++)
            for (size_t n = 17; n < N; n++)
                if (z[m * (N - 17 + 3) + n - 17] != y[m * ldy + n]) {
                    aif_test_fail(__FILE__, __LINE__, "M=%zu N=%zu K=%zu: feature split changed (%zu,%zu)", M, N, K,
                                  m, n);
                    m = M;
                    break;
                }
        free(z);
    }
    /* rows from 16 on computed alone: the same bits */
    if (M > 16) {
        float *z = run(k, M - 16, N, K, x + 16 * ldx, ldx, terms, w, ldw);
        CHECK(z || aif_test_injecting());
        if (z)
            for (size_t m = 16; m < M; m++)
                CHECK_MEM(z + (m - 16) * ldy, y + m * ldy, N * sizeof(float));
        free(z);
    }
    free(y), free(x), free(wbuf);
}

static void test_shapes(void)
{
    const struct aif_kernels *k = aif_kernels_amx();
    if (!k) {
        fprintf(stderr, "  (no AMX-BF16 on this CPU, or the kernel refused the tile state: skipped)\n");
        return;
    }
    static const size_t Ms[] = {1, 7, 16, 17, 33, 64}, Ns[] = {1, 7, 17, 32, 48, 545}, Ks[] = {1, 7, 31, 32, 33, 97};
    unsigned s = 7;
    for (int terms = 1; terms <= 3; terms += 2)
        for (size_t a = 0; a < 6; a++)
            for (size_t b = 0; b < 6; b++)
                for (size_t c = 0; c < 6; c++)
                    check_shape(k, Ms[a], Ns[b], Ks[c], terms, &s);
    /* long K (more than one packed weight block at K = 4097: 512 KB / 8 KB rows) */
    check_shape(k, 20, 70, 4097, 3, &s);
    check_shape(k, 40, 300, 2048, 1, &s);
}

/* With w = identity, y = the sum of x's parts: x itself with three parts
 * (bit for bit), bf16(x) with one part. */
static void test_identity_exact(void)
{
    const struct aif_kernels *k = aif_kernels_amx();
    if (!k) {
        fprintf(stderr, "  (no AMX-BF16: skipped)\n");
        return;
    }
    size_t M = 37, K = 70;
    float *x = malloc(M * K * sizeof *x);
    unsigned char *w = calloc(K * K, 2);
    unsigned s = 99;
    for (size_t i = 0; i < M * K; i++) {
        float v = rnd(&s) * 1e3f + rnd(&s) * 1e-3f; /* full 24-bit mantissas */
        x[i] = i % 11 == 0 ? 0.0f : i % 13 == 0 ? -v * 1e-20f : v;
    }
    for (size_t i = 0; i < K; i++) {
        uint16_t one = 0x3f80;
        memcpy(w + 2 * (i * K + i), &one, 2);
    }
    for (int terms = 1; terms <= 3; terms += 2) {
        float *y = run(k, M, K, K, x, K, terms, w, K);
        CHECK(y || aif_test_injecting());
        size_t bad = 0;
        for (size_t m = 0; y && m < M; m++)
            for (size_t n = 0; n < K; n++) {
                float want = terms == 3 ? x[m * K + n] : aif_bf16_to_f32(aif_f32_to_bf16(x[m * K + n]));
                if (memcmp(&want, &y[m * (K + 3) + n], 4) && bad++ < 3)
                    aif_test_fail(__FILE__, __LINE__, "terms=%d (%zu,%zu): %.9g want %.9g", terms, m, n,
                                  y[m * (K + 3) + n], want);
            }
        free(y);
    }
    free(x), free(w);
    /* an infinite activation stays infinite (its later parts are 0, not NaN):
     * all-ones weights give +inf in its row and exactly K elsewhere */
    M = 17, K = 32;
    float *xo = malloc(M * K * sizeof *xo);
    unsigned char *wo = malloc(K * K * 2);
    for (size_t i = 0; i < M * K; i++)
        xo[i] = 1.0f;
    xo[K + 3] = INFINITY;
    for (size_t i = 0; i < K * K; i++)
        memcpy(wo + 2 * i, &(uint16_t){0x3f80}, 2);
    float *y = run(k, M, K, K, xo, K, 3, wo, K);
    CHECK(y || aif_test_injecting());
    for (size_t m = 0; y && m < M; m++)
        for (size_t n = 0; n < K; n++)
            if (y[m * (K + 3) + n] != (m == 1 ? INFINITY : 32.0f)) {
                aif_test_fail(__FILE__, __LINE__, "inf row test (%zu,%zu): %g", m, n, y[m * (K + 3) + n]);
                m = M;
                break;
            }
    free(y), free(xo), free(wo);
    /* an infinite weight times x = 1 (parts 1, 0, 0) is -inf as in f32, not
     * NaN from 0 * inf; the other features are untouched by the fallback */
    M = 20, K = 40;
    size_t N = 300;
    xo = malloc(M * K * sizeof *xo);
    wo = malloc(N * K * 2);
    for (size_t i = 0; i < M * K; i++)
        xo[i] = 1.0f;
    for (size_t i = 0; i < N * K; i++)
        memcpy(wo + 2 * i, &(uint16_t){0x3f80}, 2);
    memcpy(wo + 2 * (270 * K + 3), &(uint16_t){0xff80}, 2); /* -inf */
    for (int terms = 1; terms <= 3; terms += 2) {
        y = run(k, M, N, K, xo, K, terms, wo, K);
        CHECK(y || aif_test_injecting());
        for (size_t m = 0; y && m < M; m++)
            for (size_t n = 0; n < N; n++)
                if (y[m * (N + 3) + n] != (n == 270 ? -INFINITY : 40.0f)) {
                    aif_test_fail(__FILE__, __LINE__, "terms %d inf weight (%zu,%zu): %g", terms, m, n,
                                  y[m * (N + 3) + n]);
                    m = M;
                    break;
                }
        free(y);
    }
    free(xo), free(wo);
}

/* f32 weights (split in three bf16 parts): against float64 on awkward shapes
 * with both activation splits, the feature-split invariance, and w = I
 * giving x back bit for bit. Tolerance as for bf16 weights: the left-out
 * part products are below 2^-24 of each product. */
static void test_f32_weights(void)
{
    const struct aif_kernels *k = aif_kernels_amx();
    if (!k) {
        fprintf(stderr, "  (no AMX-BF16: skipped)\n");
        return;
    }
    static const size_t Ms[] = {1, 17, 40}, Ns[] = {1, 17, 130}, Ks[] = {7, 33, 600};
    unsigned s = 11;
    for (int terms = 1; terms <= 3; terms += 2)
        for (size_t a = 0; a < 3; a++)
            for (size_t b = 0; b < 3; b++)
                for (size_t c = 0; c < 3; c++) {
                    size_t M = Ms[a], N = Ns[b], K = Ks[c], ldy = N + 1;
                    float *x = malloc(M * K * sizeof *x), *w = malloc(N * K * sizeof *w),
                          *y = malloc(M * ldy * sizeof *y), *z = malloc(M * ldy * sizeof *z);
                    void *packed = aif_malloc_aligned(k->w16_pack_bytes(M, K, terms));
                    void *scratch = aif_malloc_aligned(k->w16_scratch_bytes(M, K));
                    if (!x || !w || !y || !z || !packed || !scratch) {
                        CHECK(aif_test_injecting());
                    } else {
                        for (size_t i = 0; i < M * K; i++)
                            x[i] = rnd(&s) * (i % 5 == 0 ? 30.0f : 1.0f);
                        for (size_t i = 0; i < N * K; i++)
                            w[i] = rnd(&s) + rnd(&s) * 1e-4f; /* full 24-bit mantissas */
                        k->w16_pack(M, K, x, K, terms, packed, 0, M);
                        k->w32_gemm(M, N, K, packed, terms, w, K, y, ldy, scratch);
                        size_t bad = 0;
                        for (size_t m = 0; m < M; m++)
                            for (size_t n = 0; n < N; n++) {
                                double ref = 0, mag = 0;
                                for (size_t i = 0; i < K; i++) {
                                    float xv = terms == 1 ? aif_bf16_to_f32(aif_f32_to_bf16(x[m * K + i])) : x[m * K + i];
                                    ref += (double)xv * w[n * K + i];
                                    mag += fabs((double)xv * w[n * K + i]);
                                }
                                if (fabs(y[m * ldy + n] - ref) > 2e-6 * mag + 1e-30 && bad++ < 3)
                                    aif_test_fail(__FILE__, __LINE__, "f32 w M=%zu N=%zu K=%zu terms=%d (%zu,%zu): %.9g ref %.9g",
                                                  M, N, K, terms, m, n, y[m * ldy + n], ref);
                            }
                        if (N > 5) { /* features 5.. alone */
                            k->w32_gemm(M, N - 5, K, packed, terms, w + 5 * K, K, z, ldy, scratch);
                            for (size_t m = 0; m < M; m++)
                                CHECK_MEM(z + m * ldy, y + m * ldy + 5, (N - 5) * sizeof(float));
                        }
                    }
                    free(x), free(w), free(y), free(z);
                    aif_free_aligned(packed), aif_free_aligned(scratch);
                }
    /* w = I: x comes back exactly (three parts of x times the one part of 1.0) */
    size_t M = 19, K = 45, ldy = K;
    float *x = malloc(M * K * sizeof *x), *w = calloc(K * K, sizeof *w), *y = malloc(M * K * sizeof *y);
    void *packed = aif_malloc_aligned(k->w16_pack_bytes(M, K, 3));
    void *scratch = aif_malloc_aligned(k->w16_scratch_bytes(M, K));
    if (x && w && y && packed && scratch) {
        for (size_t i = 0; i < M * K; i++)
            x[i] = rnd(&s) * 1e3f + rnd(&s) * 1e-3f;
        for (size_t i = 0; i < K; i++)
            w[i * K + i] = 1.0f;
        w[3 * K + 7] = -INFINITY; /* feature 3: -inf * x[7] (x nonzero): +-inf, never NaN from 0 * inf */
        k->w16_pack(M, K, x, K, 3, packed, 0, M);
        k->w32_gemm(M, K, K, packed, 3, w, K, y, ldy, scratch);
        for (size_t m = 0; m < M; m++)
            for (size_t n = 0; n < K; n++) {
                float want = n == 3 ? (x[m * K + 7] > 0 ? -INFINITY : INFINITY) : x[m * K + n];
                if (memcmp(&want, &y[m * ldy + n], 4)) {
                    aif_test_fail(__FILE__, __LINE__, "f32 identity (%zu,%zu): %.9g want %.9g", m, n, y[m * ldy + n], want);
                    m = M;
                    break;
                }
            }
    } else {
        CHECK(aif_test_injecting());
    }
    free(x), free(w), free(y);
    aif_free_aligned(packed), aif_free_aligned(scratch);
}

AIF_TESTS(kernels_amx) = {
    {"kernels/amx_f32_weights", test_f32_weights},
    {"kernels/amx_shapes", test_shapes},
    {"kernels/amx_identity_exact", test_identity_exact},
    {NULL, NULL},
};
