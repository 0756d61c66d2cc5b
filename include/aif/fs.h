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
/* Locate a file or folder shipped with aif ("corpus", "assets/local-tokenizer"):
 * $AIF_HOME/<name> when AIF_HOME is set, else <exe dir>/../<name>,
 * <exe dir>/../../<name> (build trees), then ./<name>. AIF_ENOTFOUND
 * saying where it looked. */
aif_code aif_fs_find_asset(const char *name, char *out, size_t cap, aif_err *err);
/* printf a path into out (cap bytes); AIF_ERANGE naming the start of the
 * path if it does not fit. */
aif_code aif_fs_path(char *out, size_t cap, aif_err *err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Join a and b with one '/' into out (cap bytes). AIF_ERANGE if too long. */
aif_code aif_fs_join(char *out, size_t cap, const char *a, const char *b, aif_err *err);
/* Copy from to to (created or truncated, mode 0644) by streaming reads;
 * each chunk read also goes to on_chunk(ctx, ...) when on_chunk is set (a
 * hash, say). *size (when set) gets the bytes copied. AIF_EIO naming the
 * file, AIF_ENOMEM. */
aif_code aif_fs_copy_file(const char *from, const char *to, void (*on_chunk)(void *ctx, const void *p, size_t n),
                          void *ctx, uint64_t *size, aif_err *err);
/* Call fn(ctx, rel, full, size, err) for every regular file under base,
 * descending into folders (at most 32 deep) in readdir order, skipping the
 * names listed in skip (NULL-terminated; may be NULL) as well as "." and
 * "..". rel is the path below base, full is base/rel. The first code other
 * than AIF_OK from fn or the walk stops it and is returned. */
typedef aif_code (*aif_fs_walk_fn)(void *ctx, const char *rel, const char *full, uint64_t size, aif_err *err);
aif_code aif_fs_walk_files(const char *base, const char *const *skip, aif_fs_walk_fn fn, void *ctx, aif_err *err);

#endif
