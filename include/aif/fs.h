/* fs.h: files. Reads are bounded, writes are atomic (temporary name, fsync,
 * rename), and mappings are read-only views that live until aif_fs_unmap. */
#ifndef AIF_FS_H
#define AIF_FS_H

#include <stddef.h>
#include <stdint.h>
#include "aif/err.h"

/* Read a whole file into a NUL-terminated heap buffer (free with aif_free).
 * Files larger than max_bytes fail with AIF_ERANGE naming the file. */
aif_code aif_fs_read_file(const char *path, size_t max_bytes, char **out, size_t *out_len, aif_err *err);

/* Write data to path through "path.tmp.<pid>" + fsync + rename. */
aif_code aif_fs_write_file(const char *path, const void *data, size_t len, aif_err *err);

typedef struct aif_fs_map {
    const uint8_t *data; /* NULL for an empty file */
    size_t size;
} aif_fs_map;

/* Map a file read-only. An empty file gives data NULL, size 0. */
aif_code aif_fs_map_open(const char *path, aif_fs_map *map, aif_err *err);
void aif_fs_map_close(aif_fs_map *map);

/* mkdir -p with mode 0755. */
aif_code aif_fs_mkdirs(const char *path, aif_err *err);
/* rm -rf (does not follow symlinks). Missing path is fine. */
aif_code aif_fs_remove_tree(const char *path, aif_err *err);
int aif_fs_exists(const char *path);
int aif_fs_is_dir(const char *path);
/* Size of a regular file, or -1. */
int64_t aif_fs_file_size(const char *path);
/* printf a path into out (cap bytes); AIF_ERANGE naming the start of the
 * path if it does not fit. */
aif_code aif_fs_path(char *out, size_t cap, aif_err *err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Join a and b with one '/' into out (cap bytes). AIF_ERANGE if too long. */
aif_code aif_fs_join(char *out, size_t cap, const char *a, const char *b, aif_err *err);

#endif
