/* scale_int.h: what the files of src/scale share (not public). */
#ifndef AIF_SCALE_INT_H
#define AIF_SCALE_INT_H

#include <stdint.h>
#include <stddef.h>

#include "aif/scale.h"

/* A bump allocator over a list of chunks; everything is freed at once. */
typedef struct scale_arena {
    struct arena_chunk *head;
    size_t total;       /* bytes handed out */
    size_t limit;       /* 0: none */
} scale_arena;

void aif_scale_i_arena_init(scale_arena *a, size_t limit);
void aif_scale_i_arena_release(scale_arena *a);
/* 16-byte aligned, zeroed; NULL on ENOMEM or over the limit (err filled). */
void *aif_scale_i_arena_alloc(scale_arena *a, size_t n, aif_err *err);
char *aif_scale_i_arena_strndup(scale_arena *a, const char *s, size_t n, aif_err *err);

/* 1 if p[0..n) is valid UTF-8 (no surrogates, no overlongs). */
int aif_scale_i_utf8_valid(const uint8_t *p, size_t n);

/* Registry internals used by metadata.c. */
struct aif_scale_registry {
    scale_arena arena;
    aif_scale_type *types;
    size_t n, cap;
    uint32_t *min_size;     /* per type, valid for ids < n_sized */
    size_t n_sized;
};
/* Recompute the minimum encoded sizes after types were added. */
aif_code aif_scale_i_registry_finish(aif_scale_registry *reg, aif_err *err);
void aif_scale_i_registry_init(aif_scale_registry *reg);
void aif_scale_i_registry_release(aif_scale_registry *reg);
/* Decode a PortableRegistry (Vec<PortableType>) into reg. */
aif_code aif_scale_i_registry_decode(aif_scale_registry *reg, aif_scale_reader *r, aif_err *err);
/* Append a type (copied shallowly); returns its id. */
aif_code aif_scale_i_registry_push(aif_scale_registry *reg, const aif_scale_type *t, uint32_t *id, aif_err *err);
/* Follow one-field unnamed composites and 1-tuples to the type they wrap
 * (polkadot-js treats them as the inner type). */
uint32_t aif_scale_i_registry_resolve(const aif_scale_registry *reg, uint32_t id);
/* 1 if the type's path joined with "::" equals s. */
int aif_scale_i_type_path_is(const aif_scale_type *t, const char *s);
/* Width in bytes of an integer primitive (0 for bool/str). */
size_t aif_scale_i_prim_size(aif_scale_prim p);
int aif_scale_i_prim_signed(aif_scale_prim p);

/* Read a Vec<Str> of docs, validating and dropping it. */
aif_code aif_scale_i_skip_docs(aif_scale_reader *r, aif_err *err);
/* Read a Str into the arena as a NUL-terminated string. */
aif_code aif_scale_i_read_str_dup(aif_scale_reader *r, scale_arena *a, const char **out, aif_err *err);

#endif
