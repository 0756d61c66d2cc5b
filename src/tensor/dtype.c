/* dtype.c: the dtype table and IEEE half conversions. */
#include "aif/tensor.h"

static const struct {
    const char *name;
    size_t size;
} dtypes[] = {
    [AIF_DTYPE_F32] = {"F32", 4},
    [AIF_DTYPE_F16] = {"F16", 2},
    [AIF_DTYPE_BF16] = {"BF16", 2},
};
_Static_assert(sizeof dtypes / sizeof dtypes[0] == AIF_DTYPE_COUNT, "one row per dtype");

size_t aif_dtype_size(aif_dtype t) { return (unsigned)t < AIF_DTYPE_COUNT ? dtypes[t].size : 0; }
const char *aif_dtype_name(aif_dtype t) { return (unsigned)t < AIF_DTYPE_COUNT ? dtypes[t].name : "?"; }

int aif_dtype_parse(const char *name, aif_dtype *out)
{
    for (int i = 0; i < AIF_DTYPE_COUNT; i++)
        if (!strcmp(name, dtypes[i].name)) {
            *out = (aif_dtype)i;
            return 0;
        }
    return -1;
}

float aif_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
    if (exp == 0) {
        if (man == 0) {
            u = sign;
        } else { /* subnormal: normalise */
            int e = -1;
            do {
                e++;
                man <<= 1;
            } while (!(man & 0x400));
            u = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        u = sign | 0x7f800000u | (man << 13);
    } else {
        u = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &u, 4);
    return f;
}

uint16_t aif_f32_to_f16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    uint32_t sign = (u >> 16) & 0x8000;
    int32_t exp = (int32_t)((u >> 23) & 0xff) - 127 + 15;
    uint32_t man = u & 0x7fffff;
    if (((u >> 23) & 0xff) == 0xff)
        return (uint16_t)(sign | 0x7c00 | (man ? 0x200 : 0));
    if (exp >= 31)
        return (uint16_t)(sign | 0x7c00);
    if (exp <= 0) {
        if (exp < -10)
            return (uint16_t)sign;
        man |= 0x800000;
        uint32_t shift = (uint32_t)(14 - exp);
        uint32_t half = man >> shift, rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1)))
            half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)exp << 10) | (man >> 13), rem = man & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
        half++;
    return (uint16_t)half;
}
