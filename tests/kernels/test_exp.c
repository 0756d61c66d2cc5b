/* test_exp.c: sum_exp of every level against exp() in double: single values
 * over a dense sweep (the AVX-512 float exp within 2 ulp where the result is
 * a normal float, within 2^-148 absolute where it is denormal or 0), the
 * special values, and sums of random chunks of awkward lengths (1e-6
 * relative: float exp errors of 2^-23 average out in the double sum). */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

#include "../../src/kernels/kernels.h"

static void check_level(const struct aif_kernels *k)
{
    size_t bad = 0;
    for (double xd = -104.0; xd <= 88.0 && bad < 5; xd += 1.0 / 4099) {
        float x = (float)xd;
        double got = k->sum_exp(&x, 1, 0.0f), want = exp((double)x);
        double tol = want >= 0x1p-126 ? 2.0 * 0x1p-24 * want * 1.0000001 : 0x1p-148;
        if (!(fabs(got - want) <= tol) && bad++ < 5)
            aif_test_fail(__FILE__, __LINE__, "%s: exp(%.9g) = %.9g, want %.9g", k->name, x, got, want);
    }
    float sp[4] = {-INFINITY, -200.0f, 0.0f, NAN};
    CHECK(k->sum_exp(sp, 1, 0.0f) == 0.0);
    CHECK(k->sum_exp(sp + 1, 1, 0.0f) < 1e-80); /* 1.4e-87 in double, 0 in float */
    CHECK(k->sum_exp(sp + 2, 1, 0.0f) == 1.0);
    CHECK(isnan(k->sum_exp(sp + 3, 1, 0.0f)));
    CHECK(isnan(k->sum_exp(sp, 4, 0.0f)));
    CHECK(k->sum_exp(sp, 0, 0.0f) == 0.0);
    unsigned s = 5;
    static const size_t lens[] = {1, 7, 15, 16, 17, 31, 33, 100, 2048, 2049};
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t n = lens[li];
        float *x = malloc(n * sizeof *x);
        float m = -1e30f;
        for (size_t i = 0; i < n; i++) {
            s = s * 1103515245u + 12345u;
            x[i] = (float)((s >> 8) & 0xffff) / 2048.0f - 20.0f;
            if (i % 13 == 5)
                x[i] = -INFINITY;
            m = x[i] > m ? x[i] : m;
        }
        double want = 0;
        for (size_t i = 0; i < n; i++)
            want += exp((double)x[i] - (double)m);
        double got = k->sum_exp(x, n, m);
        if (fabs(got - want) > 1e-6 * want)
            aif_test_fail(__FILE__, __LINE__, "%s n=%zu: %.17g want %.17g", k->name, n, got, want);
        free(x);
    }
}

static void sum_exp_levels(void)
{
    check_level(aif_kernels_ref());
    const struct aif_kernels *l[] = {aif_kernels_avx2(), aif_kernels_avx512(), aif_kernels_amx()};
    for (int i = 0; i < 3; i++)
        if (l[i])
            check_level(l[i]);
}

AIF_TESTS(kernels_exp) = {
    {"kernels/sum_exp_levels", sum_exp_levels},
    {NULL, NULL},
};
