/* weights.c (tests only): see weights.h. */
#include "weights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t test_rng_state;

double test_urand(void)
{
    test_rng_state = test_rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(test_rng_state >> 11) / (double)(1ull << 52) - 1.0;
}

aif_st_tensor *test_wset_add(test_wset *w, const char *name, aif_dtype dt, int64_t r, int64_t c, double scale,
                             double center)
{
    if (w->n >= TEST_WSET_MAX)
        abort(); /* a test asking for more tensors than the set holds is a bug in the test */
    aif_st_tensor *t = &w->t[w->n];
    snprintf(w->names[w->n], sizeof w->names[0], "%s", name);
    size_t n = (size_t)(r * (c ? c : 1)), es = aif_dtype_size(dt);
    unsigned char *d = malloc(n * es);
    if (!d)
        abort();
    t->name = w->names[w->n];
    t->dtype = dt;
    t->n_dims = c ? 2 : 1;
    t->shape[0] = r;
    t->shape[1] = c;
    t->n_elements = (int64_t)n;
    t->data = d;
    t->n_bytes = n * es;
    w->data[w->n++] = d;
    for (size_t i = 0; i < n; i++)
        test_set_el(t, i, (float)(center + (scale != 0 ? scale * test_urand() : 0)));
    return t;
}

void test_wset_free(test_wset *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->data[i]);
    w->n = 0;
}

double test_el(const aif_st_tensor *t, size_t i)
{
    const unsigned char *p = t->data;
    if (t->dtype == AIF_DTYPE_F32) {
        float f;
        memcpy(&f, p + 4 * i, 4);
        return f;
    }
    uint16_t h;
    memcpy(&h, p + 2 * i, 2);
    return t->dtype == AIF_DTYPE_BF16 ? aif_bf16_to_f32(h) : aif_f16_to_f32(h);
}

void test_set_el(aif_st_tensor *t, size_t i, float v)
{
    unsigned char *p = (unsigned char *)t->data;
    if (t->dtype == AIF_DTYPE_F32) {
        memcpy(p + 4 * i, &v, 4);
    } else {
        uint16_t h = t->dtype == AIF_DTYPE_BF16 ? aif_f32_to_bf16(v) : aif_f32_to_f16(v);
        memcpy(p + 2 * i, &h, 2);
    }
}
