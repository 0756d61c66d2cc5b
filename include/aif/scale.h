/* scale.h: the SCALE codec of Substrate, runtime metadata V14/V15 with its
 * portable type registry, a generic registry-driven decoder into a value
 * tree (printed as JSON in polkadot-js toJSON conventions), a JSON-driven
 * encoder, and storage keys.
 *
 * Layers:
 *   codec     aif_scale_reader (bounded cursor over (ptr, len)) and
 *             aif_scale_writer (growable buffer): fixed ints, compact,
 *             bool, strings, byte vectors, options.
 *   registry  aif_scale_registry: types with path, params and def. Built by
 *             the metadata parser, or by hand from type expressions
 *             ("Vec<(u16, u16)>", "Option<u32>") with aif_scale_registry_add_expr.
 *   metadata  aif_scale_metadata: pallets, storage, calls, events, errors,
 *             constants, extrinsic and signed extensions, V15 runtime APIs.
 *             Everything is looked up by name at run time.
 *   value     aif_scale_value_decode: any registry type into a tree;
 *             aif_scale_value_to_json; aif_scale_encode_json (JSON -> SCALE);
 *             aif_scale_encode_call (pallet/call indices + arguments).
 *   storage   aif_scale_storage_key: twox128(prefix) || twox128(entry) ||
 *             hasher(key_i)... from the metadata hashers.
 *
 * Limits (hit -> AIF_ERANGE with the number in the message): nesting depth
 * AIF_SCALE_MAX_DEPTH; a length prefix may not exceed the bytes left divided
 * by the element type's minimum size (so even Vec<()> counts are bounded
 * by the input); a decode may create at most 32 values per input byte plus
 * 65536, and never more than AIF_SCALE_MAX_NODES.
 *
 * Every error message names the byte offset where decoding failed.
 *
 * Ownership: a registry or metadata is read-only once built (metadata and
 * expressions add types only while the caller holds it alone) and may then
 * be shared between threads; a decoded value borrows its field and variant
 * names from the registry, so free the value first.
 */
#ifndef AIF_SCALE_H
#define AIF_SCALE_H

#include <stddef.h>
#include <stdint.h>

#include "aif/err.h"

__extension__ typedef unsigned __int128 aif_u128;
__extension__ typedef __int128 aif_i128;

#define AIF_SCALE_MAX_DEPTH 96
#define AIF_SCALE_MAX_NODES (1u << 24)

/* ------------------------------------------------------------------ codec */

/* A cursor over borrowed bytes; never reads outside [p, p + len). */
typedef struct aif_scale_reader {
    const uint8_t *p;
    size_t len;
    size_t pos;     /* offset of the next byte to read */
} aif_scale_reader;

void aif_scale_reader_init(aif_scale_reader *r, const void *p, size_t len);
static inline size_t aif_scale_reader_left(const aif_scale_reader *r) { return r->len - r->pos; }

/* n raw bytes; *out points into the reader's buffer. */
aif_code aif_scale_read_raw(aif_scale_reader *r, size_t n, const uint8_t **out, aif_err *err);
aif_code aif_scale_read_u8(aif_scale_reader *r, uint8_t *out, aif_err *err);
aif_code aif_scale_read_u16(aif_scale_reader *r, uint16_t *out, aif_err *err);
aif_code aif_scale_read_u32(aif_scale_reader *r, uint32_t *out, aif_err *err);
aif_code aif_scale_read_u64(aif_scale_reader *r, uint64_t *out, aif_err *err);
aif_code aif_scale_read_u128(aif_scale_reader *r, aif_u128 *out, aif_err *err);
/* Little-endian unsigned integer of nbytes (1..16). */
aif_code aif_scale_read_uint(aif_scale_reader *r, size_t nbytes, aif_u128 *out, aif_err *err);
/* Two's-complement signed integer of nbytes (1..16), sign-extended. */
aif_code aif_scale_read_int(aif_scale_reader *r, size_t nbytes, aif_i128 *out, aif_err *err);
/* bool: 0 or 1; anything else is AIF_EFORMAT. */
aif_code aif_scale_read_bool(aif_scale_reader *r, int *out, aif_err *err);
/* Compact<u128>, all four modes; non-minimal encodings are AIF_EFORMAT. */
aif_code aif_scale_read_compact(aif_scale_reader *r, aif_u128 *out, aif_err *err);
/* Compact that must fit in 32/64 bits (AIF_ERANGE otherwise). */
aif_code aif_scale_read_compact_u32(aif_scale_reader *r, uint32_t *out, aif_err *err);
aif_code aif_scale_read_compact_u64(aif_scale_reader *r, uint64_t *out, aif_err *err);
/* A Compact element count checked against the bytes left times
 * 1/min_elem_size (min_elem_size 0 means 1): AIF_ERANGE when it cannot fit. */
aif_code aif_scale_read_count(aif_scale_reader *r, size_t min_elem_size, size_t *out, aif_err *err);
/* Vec<u8>: Compact length + bytes (borrowed). */
aif_code aif_scale_read_bytes(aif_scale_reader *r, const uint8_t **out, size_t *out_len, aif_err *err);
/* String: Compact length + UTF-8 (validated; AIF_EUTF8 otherwise). Borrowed, not NUL-terminated. */
aif_code aif_scale_read_str(aif_scale_reader *r, const char **out, size_t *out_len, aif_err *err);
/* Option tag: 0 -> *is_some = 0, 1 -> 1, other -> AIF_EFORMAT. */
aif_code aif_scale_read_option(aif_scale_reader *r, int *is_some, aif_err *err);
/* The one-byte OptionBool shim: 0 None (*out = -1), 1 Some(true), 2 Some(false). */
aif_code aif_scale_read_option_bool(aif_scale_reader *r, int *out, aif_err *err);

/* A growable output buffer. Writes after an allocation failure are dropped
 * and the failure is remembered: check w->status (or the last return). */
typedef struct aif_scale_writer {
    uint8_t *buf;
    size_t len;
    size_t cap;
    aif_code status;    /* AIF_OK or AIF_ENOMEM */
} aif_scale_writer;

void aif_scale_writer_init(aif_scale_writer *w);
void aif_scale_writer_release(aif_scale_writer *w);
/* Give the buffer to the caller (free with aif_free); w becomes empty. */
uint8_t *aif_scale_writer_take(aif_scale_writer *w, size_t *len);
aif_code aif_scale_put_raw(aif_scale_writer *w, const void *p, size_t n);
aif_code aif_scale_put_u8(aif_scale_writer *w, uint8_t v);
aif_code aif_scale_put_u16(aif_scale_writer *w, uint16_t v);
aif_code aif_scale_put_u32(aif_scale_writer *w, uint32_t v);
aif_code aif_scale_put_u64(aif_scale_writer *w, uint64_t v);
aif_code aif_scale_put_u128(aif_scale_writer *w, aif_u128 v);
/* Little-endian integer of nbytes (1..16); signed values in two's complement. */
aif_code aif_scale_put_uint(aif_scale_writer *w, aif_u128 v, size_t nbytes);
aif_code aif_scale_put_bool(aif_scale_writer *w, int v);
aif_code aif_scale_put_compact(aif_scale_writer *w, aif_u128 v);
aif_code aif_scale_put_bytes(aif_scale_writer *w, const void *p, size_t n);   /* Compact(n) || p */
/* The one-byte OptionBool: v < 0 None (00), true 01, false 02. */
aif_code aif_scale_put_option_bool(aif_scale_writer *w, int v);
aif_code aif_scale_put_str(aif_scale_writer *w, const char *s, size_t n);     /* same, for text */

/* --------------------------------------------------------------- registry */

typedef enum aif_scale_def {
    AIF_SCALE_DEF_COMPOSITE = 0,
    AIF_SCALE_DEF_VARIANT = 1,
    AIF_SCALE_DEF_SEQUENCE = 2,
    AIF_SCALE_DEF_ARRAY = 3,
    AIF_SCALE_DEF_TUPLE = 4,
    AIF_SCALE_DEF_PRIMITIVE = 5,
    AIF_SCALE_DEF_COMPACT = 6,
    AIF_SCALE_DEF_BITSEQ = 7,
} aif_scale_def;

/* scale-info primitive codes, as in the metadata. */
typedef enum aif_scale_prim {
    AIF_SCALE_PRIM_BOOL = 0, AIF_SCALE_PRIM_CHAR, AIF_SCALE_PRIM_STR,
    AIF_SCALE_PRIM_U8, AIF_SCALE_PRIM_U16, AIF_SCALE_PRIM_U32, AIF_SCALE_PRIM_U64, AIF_SCALE_PRIM_U128,
    AIF_SCALE_PRIM_U256,
    AIF_SCALE_PRIM_I8, AIF_SCALE_PRIM_I16, AIF_SCALE_PRIM_I32, AIF_SCALE_PRIM_I64, AIF_SCALE_PRIM_I128,
    AIF_SCALE_PRIM_I256,
    AIF_SCALE_PRIM_COUNT
} aif_scale_prim;

typedef struct aif_scale_field {
    const char *name;       /* NULL when unnamed */
    uint32_t type;
    const char *type_name;  /* Rust type name as written, or NULL */
} aif_scale_field;

typedef struct aif_scale_variant {
    const char *name;
    uint8_t index;          /* the encoded discriminant */
    size_t n_fields;
    const aif_scale_field *fields;
} aif_scale_variant;

typedef struct aif_scale_type_param {
    const char *name;
    int64_t type;           /* -1 when absent */
} aif_scale_type_param;

typedef struct aif_scale_type {
    size_t n_path;
    const char *const *path;            /* e.g. {"sp_core", "crypto", "AccountId32"} */
    size_t n_params;
    const aif_scale_type_param *params;
    aif_scale_def def;
    size_t n_fields;                    /* COMPOSITE */
    const aif_scale_field *fields;
    size_t n_variants;                  /* VARIANT */
    const aif_scale_variant *variants;
    size_t n_tuple;                     /* TUPLE */
    const uint32_t *tuple;
    uint32_t elem;                      /* SEQUENCE/ARRAY element, COMPACT inner, BITSEQ store */
    uint32_t len;                       /* ARRAY length */
    uint32_t order;                     /* BITSEQ order type */
    aif_scale_prim prim;                /* PRIMITIVE */
} aif_scale_type;

typedef struct aif_scale_registry aif_scale_registry;

/* An empty registry (for hand-built types). */
aif_scale_registry *aif_scale_registry_new(void);
void aif_scale_registry_free(aif_scale_registry *reg);
size_t aif_scale_registry_count(const aif_scale_registry *reg);
/* Type by id, or NULL when out of range. Valid until the next add. */
const aif_scale_type *aif_scale_registry_get(const aif_scale_registry *reg, uint32_t id);
/* Add the type written as a Rust/polkadot-js type expression, with all the
 * types it needs: bool, char, str, String, Text, u8..u256, i8..i256,
 * Bytes (= Vec<u8>), Compact<T>, Vec<T>, Option<T>, Result<T, E>, (A, B, ..),
 * [T; N], BitVec, () and names of types already in the registry, matched
 * on the full path ("sp_core::crypto::AccountId32") or the last path segment
 * when that is unique. Option and Result are Variant types with paths
 * "Option"/"Result", as scale-info writes them. */
aif_code aif_scale_registry_add_expr(aif_scale_registry *reg, const char *expr, uint32_t *id, aif_err *err);
/* Add a hand-built type; its strings and arrays are copied. Ids it refers
 * to may include its own (the next id: aif_scale_registry_count) for
 * recursive types. */
aif_code aif_scale_registry_add(aif_scale_registry *reg, const aif_scale_type *t, uint32_t *id, aif_err *err);
/* A type by its path joined with "::" (first match). */
aif_code aif_scale_registry_find_path(const aif_scale_registry *reg, const char *path, uint32_t *id, aif_err *err);
/* A lower bound of the encoded size of a type in bytes (0 for zero-sized),
 * capped at 2^20; precomputed when types are added. */
size_t aif_scale_registry_min_size(const aif_scale_registry *reg, uint32_t id);

/* --------------------------------------------------------------- metadata */

typedef enum aif_scale_hasher {
    AIF_SCALE_HASH_BLAKE2_128 = 0,
    AIF_SCALE_HASH_BLAKE2_256 = 1,
    AIF_SCALE_HASH_BLAKE2_128_CONCAT = 2,
    AIF_SCALE_HASH_TWOX128 = 3,
    AIF_SCALE_HASH_TWOX256 = 4,
    AIF_SCALE_HASH_TWOX64_CONCAT = 5,
    AIF_SCALE_HASH_IDENTITY = 6,
} aif_scale_hasher;

/* "Blake2_128Concat" etc., as in the metadata and polkadot-js. */
const char *aif_scale_hasher_name(aif_scale_hasher h);

typedef struct aif_scale_storage_entry {
    const char *name;
    int is_default;         /* modifier: 1 Default, 0 Optional */
    int is_map;             /* 0 Plain, 1 Map */
    size_t n_hashers;
    const aif_scale_hasher *hashers;
    uint32_t key_type;      /* Map: a tuple type when n_hashers > 1 */
    uint32_t value_type;
    const uint8_t *default_value;
    size_t default_len;
} aif_scale_storage_entry;

typedef struct aif_scale_constant {
    const char *name;
    uint32_t type;
    const uint8_t *value;
    size_t value_len;
} aif_scale_constant;

typedef struct aif_scale_pallet {
    const char *name;
    uint8_t index;
    const char *storage_prefix;         /* NULL when the pallet has no storage */
    size_t n_storage;
    const aif_scale_storage_entry *storage;
    int64_t calls_type;                 /* Variant type id, or -1 */
    int64_t event_type;
    int64_t error_type;
    size_t n_constants;
    const aif_scale_constant *constants;
} aif_scale_pallet;

typedef struct aif_scale_signed_ext {
    const char *identifier;
    uint32_t type;                      /* explicit ("extra") data */
    uint32_t additional_signed;         /* implicit data */
} aif_scale_signed_ext;

typedef struct aif_scale_extrinsic_info {
    uint8_t version;
    int64_t type;                       /* V14: the extrinsic type; V15: -1 */
    int64_t address_type, call_type, signature_type, extra_type; /* V15 only, else -1 */
    size_t n_signed_exts;
    const aif_scale_signed_ext *signed_exts;
} aif_scale_extrinsic_info;

typedef struct aif_scale_api_param {
    const char *name;
    uint32_t type;
} aif_scale_api_param;

typedef struct aif_scale_api_method {
    const char *name;
    size_t n_inputs;
    const aif_scale_api_param *inputs;
    uint32_t output;
} aif_scale_api_method;

typedef struct aif_scale_runtime_api {
    const char *name;
    size_t n_methods;
    const aif_scale_api_method *methods;
} aif_scale_runtime_api;

/* A call resolved from a pallet's call enum. */
typedef struct aif_scale_call {
    uint8_t pallet_index;
    uint8_t call_index;
    const aif_scale_variant *variant;   /* argument names and types in order */
} aif_scale_call;

typedef struct aif_scale_metadata aif_scale_metadata;

/* Parse metadata bytes: "meta" || 0x0e || V14, "meta" || 0x0f || V15, or
 * the state_call Metadata_metadata_at_version result Option<Vec<u8>>
 * (01 || Compact(len) || "meta" ...). Every byte must be consumed. */
aif_code aif_scale_metadata_parse(const void *bytes, size_t len, aif_scale_metadata **out, aif_err *err);
/* The same from hex text ("0x" optional; trailing whitespace allowed). */
aif_code aif_scale_metadata_parse_hex(const char *hex, size_t len, aif_scale_metadata **out, aif_err *err);
void aif_scale_metadata_free(aif_scale_metadata *md);
unsigned aif_scale_metadata_version(const aif_scale_metadata *md);          /* 14 or 15 */
const aif_scale_registry *aif_scale_metadata_registry(const aif_scale_metadata *md);
size_t aif_scale_metadata_pallet_count(const aif_scale_metadata *md);
const aif_scale_pallet *aif_scale_metadata_pallet(const aif_scale_metadata *md, size_t i);
const aif_scale_extrinsic_info *aif_scale_metadata_extrinsic(const aif_scale_metadata *md);
size_t aif_scale_metadata_api_count(const aif_scale_metadata *md);          /* 0 for V14 */
const aif_scale_runtime_api *aif_scale_metadata_api(const aif_scale_metadata *md, size_t i);
/* V15 outer enums (call, event, module error); -1 for V14. */
int64_t aif_scale_metadata_outer_enum(const aif_scale_metadata *md, int which);

/* Lookups by name; AIF_ENOTFOUND names what is missing. */
aif_code aif_scale_metadata_find_pallet(const aif_scale_metadata *md, const char *pallet,
                                        const aif_scale_pallet **out, aif_err *err);
aif_code aif_scale_metadata_find_storage(const aif_scale_metadata *md, const char *pallet, const char *entry,
                                         const aif_scale_storage_entry **out, aif_err *err);
aif_code aif_scale_metadata_find_call(const aif_scale_metadata *md, const char *pallet, const char *call,
                                      aif_scale_call *out, aif_err *err);
aif_code aif_scale_metadata_find_constant(const aif_scale_metadata *md, const char *pallet, const char *name,
                                          const aif_scale_constant **out, aif_err *err);
/* Event or error variant of a pallet by name. */
aif_code aif_scale_metadata_find_event(const aif_scale_metadata *md, const char *pallet, const char *name,
                                       const aif_scale_variant **out, aif_err *err);
aif_code aif_scale_metadata_find_error(const aif_scale_metadata *md, const char *pallet, const char *name,
                                       const aif_scale_variant **out, aif_err *err);
/* api "NeuronInfoRuntimeApi", method "get_neurons_lite"; or api =
 * "NeuronInfoRuntimeApi_get_neurons_lite" and method NULL (the state_call name). */
aif_code aif_scale_metadata_find_runtime_api(const aif_scale_metadata *md, const char *api, const char *method,
                                             const aif_scale_api_method **out, aif_err *err);

/* ------------------------------------------------------------------ value */

typedef enum aif_scale_kind {
    AIF_SCALE_NULL = 0,     /* zero-sized: (), empty composite */
    AIF_SCALE_BOOL,
    AIF_SCALE_UINT,         /* u8..u128 and Compact: v.u, bits */
    AIF_SCALE_INT,          /* i8..i128: v.i, bits */
    AIF_SCALE_BIGINT,       /* u256/i256: bytes (32, LE), bits, is_signed */
    AIF_SCALE_CHAR,         /* v.u = code point */
    AIF_SCALE_STR,          /* bytes/n: UTF-8, not NUL-terminated */
    AIF_SCALE_BYTES,        /* Vec<u8> / [u8; N] (through transparent wrappers): bytes/n */
    AIF_SCALE_BITS,         /* BitVec: bytes (store words), n = bit count */
    AIF_SCALE_COMPOSITE,    /* items[n], each with its field name (or NULL) */
    AIF_SCALE_VARIANT,      /* variant name/index, items[n] = its fields */
    AIF_SCALE_SEQUENCE,     /* items[n] */
    AIF_SCALE_ARRAY,        /* items[n] */
    AIF_SCALE_TUPLE,        /* items[n] */
} aif_scale_kind;

typedef struct aif_scale_value {
    aif_scale_kind kind;
    uint32_t type;                  /* registry type id */
    const char *name;               /* field name inside a composite/variant, else NULL */
    const char *variant;            /* VARIANT: name */
    uint8_t variant_index;          /* VARIANT: index */
    uint16_t bits;                  /* integers: 8..256 */
    size_t n;                       /* children, bytes or bits */
    struct aif_scale_value *items;
    const uint8_t *bytes;
    union { int b; aif_u128 u; aif_i128 i; } v;
} aif_scale_value;

/* Decode one value of registry type `type` from r. The tree's names point
 * into the registry (keep it alive). Free the root with aif_scale_value_free. */
aif_code aif_scale_value_decode(const aif_scale_registry *reg, uint32_t type, aif_scale_reader *r,
                                aif_scale_value **out, aif_err *err);
void aif_scale_value_free(aif_scale_value *root);
/* Skip one value (no tree). */
aif_code aif_scale_skip(const aif_scale_registry *reg, uint32_t type, aif_scale_reader *r, aif_err *err);
/* A child of a composite/variant by field name (NULL if absent). */
const aif_scale_value *aif_scale_value_field(const aif_scale_value *v, const char *name);

/* JSON in polkadot-js toJSON conventions (see value.c): integers under 2^52
 * as numbers, larger ones as "0x" big-endian hex padded to the type width;
 * Vec<u8>/[u8; N] as "0x" hex; str as a string; struct keys camelCased;
 * enums as "Name" when no variant has data, else {"camelName": value};
 * Option as null or the value; Result as {"ok": ..} / {"err": ..};
 * AccountId32 (path sp_core::crypto::AccountId32) as SS58 with prefix 42
 * unless AIF_SCALE_JSON_ACCOUNT_HEX. Returns a NUL-terminated heap string. */
#define AIF_SCALE_JSON_ACCOUNT_HEX 1u
aif_code aif_scale_value_to_json(const aif_scale_registry *reg, const aif_scale_value *v, unsigned flags,
                                 char **out, size_t *out_len, aif_err *err);

/* Encode a JSON text as registry type `type`, accepting what to_json writes
 * plus: integers as decimal or "0x" hex strings, Vec<u8>/[u8;N] as a hex
 * string or an array, AccountId32 as SS58 or hex, enum variants by exact,
 * camelCase or case-insensitive name ("Ok"/"ok"/"Err"/"err"/"error"), a
 * one-field wrapper by its inner value, structs as objects or arrays. */
aif_code aif_scale_encode_json(const aif_scale_registry *reg, uint32_t type, const char *json, size_t len,
                               aif_scale_writer *w, aif_err *err);

/* polkadot-js stringCamelCase of an ASCII name ("ip_type" -> "ipType");
 * out needs strlen(in) + 1 bytes. */
void aif_scale_camel_case(const char *in, char *out);

/* --------------------------------------------------------------- storage */

typedef struct aif_scale_bytes {
    const uint8_t *p;
    size_t len;
} aif_scale_bytes;

/* Append hasher(data) to out. */
aif_code aif_scale_storage_hash(aif_scale_hasher h, const void *data, size_t len, aif_scale_writer *out);
/* Full key: twox128(prefix) || twox128(entry) || hasher_i(keys[i]) for the
 * first n_keys keys (already SCALE-encoded); n_keys may be fewer than the
 * hashers for a prefix of a map (iteration). */
aif_code aif_scale_storage_key(const aif_scale_metadata *md, const char *pallet, const char *entry,
                               const aif_scale_bytes *keys, size_t n_keys, aif_scale_writer *out, aif_err *err);
/* The same with the keys given as a JSON array, each encoded with the map's
 * key type (its tuple element i when there are several hashers). */
aif_code aif_scale_storage_key_json(const aif_scale_metadata *md, const char *pallet, const char *entry,
                                    const char *args_json, aif_scale_writer *out, aif_err *err);

/* One part of a map key: the hash bytes, and the SCALE-encoded key itself
 * for Blake2_128Concat, Twox64Concat and Identity (NULL for the others). */
typedef struct aif_scale_key_part {
    const uint8_t *hash;
    size_t hash_len;
    const uint8_t *key;     /* points into the key given */
    size_t key_len;
    uint32_t type;          /* the key type of this part */
} aif_scale_key_part;

/* Split a full key (from state_getKeysPaged) of pallet.entry into its
 * parts; a key may stop after any part (a map prefix). AIF_EFORMAT when
 * the key is not under the entry or bytes are left over. */
aif_code aif_scale_storage_key_decode(const aif_scale_metadata *md, const char *pallet, const char *entry,
                                      const uint8_t *key, size_t len, aif_scale_key_part *parts, size_t cap,
                                      size_t *n_parts, aif_err *err);

/* Decode a storage value (every byte must be used). value NULL means the
 * key is absent: the entry's default for Default entries, AIF_ENOTFOUND for
 * Optional ones. Free *out with aif_scale_value_free. */
aif_code aif_scale_storage_decode(const aif_scale_metadata *md, const char *pallet, const char *entry,
                                  const uint8_t *value, size_t len, aif_scale_value **out, aif_err *err);

/* Call bytes for the extrinsic: pallet index || call index || arguments,
 * the arguments given as a JSON object by name ({"netuid": 80, ...}) or an
 * array in order, each encoded with aif_scale_encode_json's rules. */
aif_code aif_scale_encode_call(const aif_scale_metadata *md, const char *pallet, const char *call,
                               const char *args_json, aif_scale_writer *out, aif_err *err);

#endif
