/* weights.h (tests only): sets of weight tensors made in memory for
 * aif_model_new, with a seeded generator, shared by the model tests. */
#ifndef AIF_TESTS_MODEL_WEIGHTS_H
#define AIF_TESTS_MODEL_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "aif/safetensors.h"
#include "aif/tensor.h"

/* The generator's state (64-bit LCG): seed it by assignment. */
extern uint64_t test_rng_state;
/* Uniform in [-1, 1). */
double test_urand(void);

#define TEST_WSET_MAX 64
typedef struct test_wset {
    aif_st_tensor t[TEST_WSET_MAX];
    char names[TEST_WSET_MAX][80];
    void *data[TEST_WSET_MAX];
    size_t n;
} test_wset;

/* A (r, c) tensor (c == 0: a vector of r) of dtype dt (f32, bf16, f16) with
 * values center + scale * test_urand() rounded to dt (scale 0: no draw). */
aif_st_tensor *test_wset_add(test_wset *w, const char *name, aif_dtype dt, int64_t r, int64_t c, double scale,
                             double center);
void test_wset_free(test_wset *w);
/* Element i of t as a double; set element i (rounded to t's dtype). */
double test_el(const aif_st_tensor *t, size_t i);
void test_set_el(aif_st_tensor *t, size_t i, float v);

#endif
