/* safetensors.h: reading and writing Hugging Face safetensors files.
 *
 * A file is mapped read-only and its header validated completely before
 * any tensor is handed out: 8-byte little-endian header length bounded by
 * the file size and AIF_SAFETENSORS_MAX_HEADER, UTF-8 JSON, known dtypes,
 * shape x dtype size == byte range, ranges inside the data section, no
 * overlaps, no duplicate names, `__metadata__` as string pairs. A model
 * directory is either one `model.safetensors` or shards listed by
 * `model.safetensors.index.json` (every shard named must exist, every
 * tensor is found exactly once). Tensor data are views into the mapping,
 * valid until aif_safetensors_close.
 */
#ifndef AIF_SAFETENSORS_H
#define AIF_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "aif/err.h"
#include "aif/tensor.h"

#define AIF_SAFETENSORS_MAX_HEADER (100u * 1000u * 1000u) /* bytes */
#define AIF_SAFETENSORS_MAX_DIMS 8

typedef struct aif_st_tensor {
    const char *name;
    aif_dtype dtype;
    int n_dims;
    int64_t shape[AIF_SAFETENSORS_MAX_DIMS];
    int64_t n_elements;
    const void *data;       /* view into the mapped file (may be unaligned) */
    size_t n_bytes;
    const char *file;       /* the shard it lives in (path) */
} aif_st_tensor;

typedef struct aif_safetensors aif_safetensors;

/* Open one .safetensors file. */
aif_code aif_safetensors_open(const char *path, aif_safetensors **out, aif_err *err);
/* Open a model directory: model.safetensors.index.json if present, else
 * model.safetensors. */
aif_code aif_safetensors_open_dir(const char *dir, aif_safetensors **out, aif_err *err);
/* Parse a safetensors image held in memory (borrowed; must outlive the
 * handle). `name` is used in messages. The fuzz target's entry point. */
aif_code aif_safetensors_parse(const uint8_t *buf, size_t len, const char *name, aif_safetensors **out, aif_err *err);
void aif_safetensors_close(aif_safetensors *st);

size_t aif_safetensors_count(const aif_safetensors *st);
/* Tensors in file order (shard by shard, then by data offset). */
const aif_st_tensor *aif_safetensors_at(const aif_safetensors *st, size_t i);
/* NULL if absent. */
const aif_st_tensor *aif_safetensors_find(const aif_safetensors *st, const char *name);
/* `__metadata__` of the (first) file: value for key, or NULL. */
const char *aif_safetensors_metadata(const aif_safetensors *st, const char *key);
/* Total bytes of all files opened (headers included). */
uint64_t aif_safetensors_total_bytes(const aif_safetensors *st);

/* One tensor to write. */
typedef struct aif_st_write {
    const char *name;
    aif_dtype dtype;
    int n_dims;
    const int64_t *shape;
    const void *data;       /* n_elements * dtype size bytes */
} aif_st_write;

/* Write a file the Python `safetensors` library reads: tensors sorted by
 * dtype alignment then name as it does, header padded with spaces to a
 * multiple of 8, optional metadata as (key, value) pairs. Atomic rename. */
aif_code aif_safetensors_save(const char *path, const aif_st_write *tensors, size_t n_tensors,
                              const char *const *metadata_kv, size_t n_metadata, aif_err *err);

#endif
