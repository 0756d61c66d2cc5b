/* safetensors_int.h: what the files of src/safetensors/ share.
 *
 * A handle owns one entry per opened file (its path and either a mapping
 * or a borrowed buffer), the tensors of all files in file order, an index
 * of tensor positions sorted by name for lookups, and the `__metadata__`
 * pairs of the first file. Tensor names and paths are separate heap
 * strings, so pointers handed out stay valid while the arrays grow.
 */
#ifndef AIF_SAFETENSORS_INT_H
#define AIF_SAFETENSORS_INT_H

#include "aif/fs.h"
#include "aif/safetensors.h"

/* Limits beyond AIF_SAFETENSORS_MAX_HEADER. A header nests three levels
 * (object, tensor object, shape array); deeper input is refused before
 * jansson sees it. */
#define ST_MAX_DEPTH 8
#define ST_MAX_INDEX_BYTES (64u * 1000u * 1000u)

typedef struct st_file {
    char *path;          /* owned; what messages and aif_st_tensor.file name */
    aif_fs_map map;      /* data NULL when the buffer is borrowed (parse) */
    uint64_t size;
} st_file;

struct aif_safetensors {
    st_file *files;
    size_t n_files, cap_files;
    aif_st_tensor *tensors;   /* file by file, each file by data offset */
    size_t n_tensors, cap_tensors;
    aif_st_tensor **by_name;  /* built last (aif_st_finish): tensors sorted by name */
    char **meta;              /* key0, value0, key1, ... (owned) */
    size_t n_meta;            /* pairs */
};

/* header.c: validate the safetensors image buf[0..len) named `path` and
 * append its tensors (views into buf) to st; the first file's metadata is
 * kept. `path` must be st->files[file_index].path. */
aif_code aif_st_header_parse(aif_safetensors *st, size_t file_index, const uint8_t *buf, size_t len, aif_err *err);

/* file.c */
aif_safetensors *aif_st_new(aif_err *err);
/* Add a file entry (path copied); returns its index via *index. */
aif_code aif_st_add_file(aif_safetensors *st, const char *path, size_t *index, aif_err *err);
/* Map path and parse it into st. */
aif_code aif_st_open_into(aif_safetensors *st, const char *path, aif_err *err);
/* Build the name index; fails on a name present in two files. */
aif_code aif_st_finish(aif_safetensors *st, aif_err *err);

/* utf8.c: offset of the first invalid byte, or len if buf is valid UTF-8
 * (no overlongs, no surrogates, nothing above U+10FFFF). */
size_t aif_st_utf8_check(const uint8_t *buf, size_t len);

#endif
