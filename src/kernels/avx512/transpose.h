/* transpose.h (internal to the AVX-512 and AMX kernels): in-register
 * transpose of a 16 x 16 block of 32-bit lanes: afterwards t[i] lane j is
 * what t[j] lane i was. Three rounds of shuffles (32-bit pairs, 64-bit
 * quads, 128-bit lanes twice), 64 instructions, nothing through memory.
 * Used for f32 blocks (attention) and for pairs of bf16 (the VNNI packing
 * of the tile kernels: one 32-bit lane holds two consecutive bf16). */
#ifndef AIF_KERNELS_AVX512_TRANSPOSE_H
#define AIF_KERNELS_AVX512_TRANSPOSE_H

#include <immintrin.h>

static inline __attribute__((always_inline)) void aif_kavx512_tr16(__m512 t[16])
{
    __m512 u[16];
    for (int i = 0; i < 16; i += 2) {
        u[i] = _mm512_unpacklo_ps(t[i], t[i + 1]);     /* 32-bit pairs (i, i+1) */
        u[i + 1] = _mm512_unpackhi_ps(t[i], t[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        t[i] = _mm512_shuffle_ps(u[i], u[i + 2], _MM_SHUFFLE(1, 0, 1, 0)); /* quads (i..i+3) */
        t[i + 1] = _mm512_shuffle_ps(u[i], u[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        t[i + 2] = _mm512_shuffle_ps(u[i + 1], u[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        t[i + 3] = _mm512_shuffle_ps(u[i + 1], u[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; i++) { /* 128-bit lanes across rows i, i+4, i+8, i+12 */
        u[i] = _mm512_shuffle_f32x4(t[i], t[i + 4], 0x88);
        u[i + 4] = _mm512_shuffle_f32x4(t[i], t[i + 4], 0xdd);
        u[i + 8] = _mm512_shuffle_f32x4(t[i + 8], t[i + 12], 0x88);
        u[i + 12] = _mm512_shuffle_f32x4(t[i + 8], t[i + 12], 0xdd);
    }
    for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_f32x4(u[i], u[i + 8], 0x88);
        t[i + 8] = _mm512_shuffle_f32x4(u[i], u[i + 8], 0xdd);
        t[i + 4] = _mm512_shuffle_f32x4(u[i + 4], u[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(u[i + 4], u[i + 12], 0xdd);
    }
}

/* The same on integer vectors (pairs of bf16). */
static inline __attribute__((always_inline)) void aif_kavx512_tr16i(__m512i r[16])
{
    __m512 t[16];
    for (int i = 0; i < 16; i++)
        t[i] = _mm512_castsi512_ps(r[i]);
    aif_kavx512_tr16(t);
    for (int i = 0; i < 16; i++)
        r[i] = _mm512_castps_si512(t[i]);
}

#endif
