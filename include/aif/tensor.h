/* tensor.h: element types and their conversions, shared by the file
 * formats, the kernels and the model. */
#ifndef AIF_TENSOR_H
#define AIF_TENSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum aif_dtype {
    AIF_DTYPE_F32,
    AIF_DTYPE_F16,
    AIF_DTYPE_BF16,
    AIF_DTYPE_COUNT
} aif_dtype;

/* Bytes per element (4, 2, 2). */
size_t aif_dtype_size(aif_dtype t);
/* The safetensors spelling: "F32", "F16", "BF16". */
const char *aif_dtype_name(aif_dtype t);
/* Parse a safetensors dtype; returns 0 and sets *out, or -1 if unknown. */
int aif_dtype_parse(const char *name, aif_dtype *out);

static inline float aif_bf16_to_f32(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Round to nearest even, as PyTorch's float -> bfloat16 does; NaN stays NaN. */
static inline uint16_t aif_f32_to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

float aif_f16_to_f32(uint16_t h);
uint16_t aif_f32_to_f16(float f);

#endif
