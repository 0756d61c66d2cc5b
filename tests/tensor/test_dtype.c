/* test_dtype.c: dtype table and conversions, checked against exhaustive
 * round trips and values worked out by hand. */
#include "harness.h"

#include "aif/tensor.h"

static void dtype_names_and_sizes(void)
{
    aif_dtype t;
    CHECK_EQ(aif_dtype_parse("BF16", &t), 0);
    CHECK_EQ(t, AIF_DTYPE_BF16);
    CHECK_EQ(aif_dtype_size(t), 2);
    CHECK_EQ(aif_dtype_parse("I64", &t), -1);
    CHECK_STR(aif_dtype_name(AIF_DTYPE_F32), "F32");
}

static void bf16_rounds_to_nearest_even(void)
{
    CHECK_EQ(aif_f32_to_bf16(1.0f), 0x3f80);
    /* 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even gives 1.0 */
    CHECK_EQ(aif_f32_to_bf16(1.00390625f), 0x3f80);
    /* 1 + 3*2^-8 is halfway between 1+2^-7 (odd) and 1+2^-6: rounds up to even */
    CHECK_EQ(aif_f32_to_bf16(1.01171875f), 0x3f82);
    CHECK_EQ(aif_bf16_to_f32(0xc000), -2.0f);
    CHECK(isnan(aif_bf16_to_f32(aif_f32_to_bf16(NAN))));
    for (uint32_t h = 0; h < 0x10000; h++) {
        float f = aif_bf16_to_f32((uint16_t)h);
        if (!isnan(f) && aif_f32_to_bf16(f) != h) {
            CHECK_EQ(aif_f32_to_bf16(f), h);
            break;
        }
    }
}

static void f16_round_trips_every_value(void)
{
    CHECK_EQ(aif_f16_to_f32(0x3c00), 1.0f);
    CHECK_EQ(aif_f16_to_f32(0x0001), 5.9604644775390625e-08f); /* smallest subnormal 2^-24 */
    CHECK_EQ(aif_f16_to_f32(0x7bff), 65504.0f);
    CHECK_EQ(aif_f32_to_f16(65520.0f), 0x7c00); /* rounds to infinity */
    for (uint32_t h = 0; h < 0x10000; h++) {
        float f = aif_f16_to_f32((uint16_t)h);
        if (!isnan(f) && aif_f32_to_f16(f) != h) {
            CHECK_EQ(aif_f32_to_f16(f), h);
            break;
        }
    }
}

AIF_TESTS(tensor_dtype) = {
    {"tensor/dtype_names_and_sizes", dtype_names_and_sizes},
    {"tensor/bf16_rounds_to_nearest_even", bf16_rounds_to_nearest_even},
    {"tensor/f16_round_trips_every_value", f16_round_trips_every_value},
    {NULL, NULL},
};
