/* registry.c: the portable type registry of scale-info
 * (paritytech/scale-info src/ty/mod.rs, src/portable.rs): decoding it from
 * metadata, building types by hand from type expressions, and lookups. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "scale_int.h"

#define MAX_TYPES (1u << 22)

static const struct { const char *name; aif_scale_prim prim; } PRIMS[] = {
    {"bool", AIF_SCALE_PRIM_BOOL}, {"char", AIF_SCALE_PRIM_CHAR}, {"str", AIF_SCALE_PRIM_STR},
    {"String", AIF_SCALE_PRIM_STR}, {"Text", AIF_SCALE_PRIM_STR},
    {"u8", AIF_SCALE_PRIM_U8}, {"u16", AIF_SCALE_PRIM_U16}, {"u32", AIF_SCALE_PRIM_U32},
    {"u64", AIF_SCALE_PRIM_U64}, {"u128", AIF_SCALE_PRIM_U128}, {"u256", AIF_SCALE_PRIM_U256},
    {"i8", AIF_SCALE_PRIM_I8}, {"i16", AIF_SCALE_PRIM_I16}, {"i32", AIF_SCALE_PRIM_I32},
    {"i64", AIF_SCALE_PRIM_I64}, {"i128", AIF_SCALE_PRIM_I128}, {"i256", AIF_SCALE_PRIM_I256},
};

size_t aif_scale_i_prim_size(aif_scale_prim p)
{
    static const uint8_t size[AIF_SCALE_PRIM_COUNT] = {1, 4, 0, 1, 2, 4, 8, 16, 32, 1, 2, 4, 8, 16, 32};
    return (unsigned)p < AIF_SCALE_PRIM_COUNT ? size[p] : 0;
}

int aif_scale_i_prim_signed(aif_scale_prim p)
{
    return p >= AIF_SCALE_PRIM_I8 && p <= AIF_SCALE_PRIM_I256;
}

void aif_scale_i_registry_init(aif_scale_registry *reg)
{
    memset(reg, 0, sizeof *reg);
    aif_scale_i_arena_init(&reg->arena, 0);
}

void aif_scale_i_registry_release(aif_scale_registry *reg)
{
    aif_scale_i_arena_release(&reg->arena);
    aif_free(reg->types);
    aif_free(reg->min_size);
    reg->types = NULL;
    reg->min_size = NULL;
    reg->n = reg->cap = reg->n_sized = 0;
}

aif_scale_registry *aif_scale_registry_new(void)
{
    aif_scale_registry *reg = aif_malloc(sizeof *reg);
    if (reg)
        aif_scale_i_registry_init(reg);
    return reg;
}

void aif_scale_registry_free(aif_scale_registry *reg)
{
    if (!reg)
        return;
    aif_scale_i_registry_release(reg);
    aif_free(reg);
}

size_t aif_scale_registry_count(const aif_scale_registry *reg)
{
    return reg->n;
}

const aif_scale_type *aif_scale_registry_get(const aif_scale_registry *reg, uint32_t id)
{
    return id < reg->n ? &reg->types[id] : NULL;
}

aif_code aif_scale_i_registry_push(aif_scale_registry *reg, const aif_scale_type *t, uint32_t *id, aif_err *err)
{
    if (reg->n >= MAX_TYPES)
        return aif_err_set(err, AIF_ERANGE, "type registry: more than %u types", MAX_TYPES);
    if (reg->n == reg->cap) {
        size_t cap = reg->cap ? reg->cap * 2 : 64;
        aif_scale_type *nt = aif_realloc(reg->types, cap * sizeof *nt);
        if (!nt)
            return aif_err_set(err, AIF_ENOMEM, "out of memory growing the type registry");
        reg->types = nt;
        reg->cap = cap;
    }
    reg->types[reg->n] = *t;
    if (id)
        *id = (uint32_t)reg->n;
    reg->n++;
    return AIF_OK;
}

int aif_scale_i_type_path_is(const aif_scale_type *t, const char *s)
{
    if (!t->n_path)
        return 0;
    for (size_t i = 0; i < t->n_path; i++) {
        size_t n = strlen(t->path[i]);
        if (strncmp(s, t->path[i], n))
            return 0;
        s += n;
        if (i + 1 < t->n_path) {
            if (s[0] != ':' || s[1] != ':')
                return 0;
            s += 2;
        }
    }
    return *s == 0;
}

uint32_t aif_scale_i_registry_resolve(const aif_scale_registry *reg, uint32_t id)
{
    for (int step = 0; step < 64; step++) {
        const aif_scale_type *t = aif_scale_registry_get(reg, id);
        if (!t)
            return id;
        if (t->def == AIF_SCALE_DEF_COMPOSITE && t->n_fields == 1 && !t->fields[0].name)
            id = t->fields[0].type;
        else if (t->def == AIF_SCALE_DEF_TUPLE && t->n_tuple == 1)
            id = t->tuple[0];
        else
            return id;
    }
    return id;
}

/* Minimum encoded sizes of all types, as the least fixpoint of the size
 * equations iterated from 0 (every iterate is a lower bound, which is all
 * the decoder needs to refuse impossible lengths). Recursive types that
 * would grow forever stop after a fixed number of rounds. */
#define SIZE_CAP ((uint32_t)1 << 20)

static uint32_t cap_add(uint32_t a, uint32_t b) { return a + b < SIZE_CAP ? a + b : SIZE_CAP; }

static uint32_t size_of(const aif_scale_registry *reg, const uint32_t *ms, const aif_scale_type *t)
{
    uint32_t s = 0;
    switch (t->def) {
    case AIF_SCALE_DEF_COMPOSITE:
        for (size_t i = 0; i < t->n_fields; i++)
            s = cap_add(s, t->fields[i].type < reg->n ? ms[t->fields[i].type] : 0);
        return s;
    case AIF_SCALE_DEF_TUPLE:
        for (size_t i = 0; i < t->n_tuple; i++)
            s = cap_add(s, t->tuple[i] < reg->n ? ms[t->tuple[i]] : 0);
        return s;
    case AIF_SCALE_DEF_VARIANT:
        s = t->n_variants ? SIZE_CAP : 1;
        for (size_t i = 0; i < t->n_variants; i++) {
            uint32_t v = 1;
            for (size_t j = 0; j < t->variants[i].n_fields; j++) {
                uint32_t f = t->variants[i].fields[j].type;
                v = cap_add(v, f < reg->n ? ms[f] : 0);
            }
            if (v < s)
                s = v;
        }
        return s;
    case AIF_SCALE_DEF_ARRAY: {
        uint64_t e = t->elem < reg->n ? ms[t->elem] : 0;
        uint64_t total = e * t->len;
        return total < SIZE_CAP ? (uint32_t)total : SIZE_CAP;
    }
    case AIF_SCALE_DEF_PRIMITIVE:
        return t->prim == AIF_SCALE_PRIM_STR ? 1 : (uint32_t)aif_scale_i_prim_size(t->prim);
    default: /* sequence, compact, bit sequence: at least the compact byte */
        return 1;
    }
}

aif_code aif_scale_i_registry_finish(aif_scale_registry *reg, aif_err *err)
{
    uint32_t *ms = aif_realloc(reg->min_size, (reg->n ? reg->n : 1) * sizeof *ms);
    if (!ms)
        return aif_err_set(err, AIF_ENOMEM, "out of memory sizing %zu types", reg->n);
    reg->min_size = ms;
    memset(ms, 0, reg->n * sizeof *ms);
    for (int round = 0; round < 64; round++) {
        int changed = 0;
        for (size_t i = 0; i < reg->n; i++) {
            uint32_t s = size_of(reg, ms, &reg->types[i]);
            if (s > ms[i]) {
                ms[i] = s;
                changed = 1;
            }
        }
        if (!changed)
            break;
    }
    reg->n_sized = reg->n;
    return AIF_OK;
}

size_t aif_scale_registry_min_size(const aif_scale_registry *reg, uint32_t id)
{
    return id < reg->n_sized ? reg->min_size[id] : 0;
}

static aif_code dup_str(aif_scale_registry *reg, const char *s, const char **out, aif_err *err)
{
    *out = NULL;
    if (!s)
        return AIF_OK;
    *out = aif_scale_i_arena_strndup(&reg->arena, s, strlen(s), err);
    return *out ? AIF_OK : err ? err->code : AIF_ENOMEM;
}

static aif_code dup_fields(aif_scale_registry *reg, const aif_scale_field *f, size_t n,
                           const aif_scale_field **out, aif_err *err)
{
    *out = NULL;
    if (!n)
        return AIF_OK;
    aif_scale_field *c = aif_scale_i_arena_alloc(&reg->arena, n * sizeof *c, err);
    if (!c)
        return err ? err->code : AIF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        c[i].type = f[i].type;
        aif_code rc = dup_str(reg, f[i].name, &c[i].name, err);
        if (!rc)
            rc = dup_str(reg, f[i].type_name, &c[i].type_name, err);
        if (rc)
            return rc;
    }
    *out = c;
    return AIF_OK;
}

aif_code aif_scale_registry_add(aif_scale_registry *reg, const aif_scale_type *t, uint32_t *id, aif_err *err)
{
    aif_scale_type c = *t;
    aif_code rc = AIF_OK;
    if (t->def > AIF_SCALE_DEF_BITSEQ || (t->def == AIF_SCALE_DEF_PRIMITIVE && (unsigned)t->prim >= AIF_SCALE_PRIM_COUNT))
        return aif_err_set(err, AIF_EINVAL, "registry add: bad type definition %d", (int)t->def);
    if (t->n_path) {
        const char **path = aif_scale_i_arena_alloc(&reg->arena, t->n_path * sizeof *path, err);
        if (!path)
            return err ? err->code : AIF_ENOMEM;
        for (size_t i = 0; i < t->n_path && !rc; i++)
            rc = dup_str(reg, t->path[i], &path[i], err);
        c.path = path;
    }
    if (!rc && t->n_params) {
        aif_scale_type_param *pp = aif_scale_i_arena_alloc(&reg->arena, t->n_params * sizeof *pp, err);
        if (!pp)
            return err ? err->code : AIF_ENOMEM;
        for (size_t i = 0; i < t->n_params && !rc; i++) {
            pp[i].type = t->params[i].type;
            rc = dup_str(reg, t->params[i].name, &pp[i].name, err);
        }
        c.params = pp;
    }
    if (!rc)
        rc = dup_fields(reg, t->fields, t->n_fields, &c.fields, err);
    if (!rc && t->n_variants) {
        aif_scale_variant *v = aif_scale_i_arena_alloc(&reg->arena, t->n_variants * sizeof *v, err);
        if (!v)
            return err ? err->code : AIF_ENOMEM;
        for (size_t i = 0; i < t->n_variants && !rc; i++) {
            v[i] = t->variants[i];
            rc = dup_str(reg, t->variants[i].name, &v[i].name, err);
            if (!rc)
                rc = dup_fields(reg, t->variants[i].fields, t->variants[i].n_fields, &v[i].fields, err);
        }
        c.variants = v;
    }
    if (!rc && t->n_tuple) {
        uint32_t *tu = aif_scale_i_arena_alloc(&reg->arena, t->n_tuple * sizeof *tu, err);
        if (!tu)
            return err ? err->code : AIF_ENOMEM;
        memcpy(tu, t->tuple, t->n_tuple * sizeof *tu);
        c.tuple = tu;
    }
    if (rc)
        return rc;
    if ((rc = aif_scale_i_registry_push(reg, &c, id, err)))
        return rc;
    return aif_scale_i_registry_finish(reg, err);
}

aif_code aif_scale_registry_find_path(const aif_scale_registry *reg, const char *path, uint32_t *id, aif_err *err)
{
    for (size_t i = 0; i < reg->n; i++)
        if (aif_scale_i_type_path_is(&reg->types[i], path)) {
            *id = (uint32_t)i;
            return AIF_OK;
        }
    return aif_err_set(err, AIF_ENOTFOUND, "no type with path %s in the registry", path);
}

/* -------------------------------------------------------- decode from SCALE */

static aif_code read_id(aif_scale_reader *r, uint32_t *id, aif_err *err)
{
    return aif_scale_read_compact_u32(r, id, err);
}

static aif_code read_opt_str(aif_scale_reader *r, scale_arena *a, const char **out, aif_err *err)
{
    int some;
    aif_code rc = aif_scale_read_option(r, &some, err);
    *out = NULL;
    if (!rc && some)
        rc = aif_scale_i_read_str_dup(r, a, out, err);
    return rc;
}

static aif_code read_fields(aif_scale_reader *r, scale_arena *a, size_t *n_out, const aif_scale_field **out,
                            aif_err *err)
{
    size_t n;
    aif_code rc = aif_scale_read_count(r, 3, &n, err);
    if (rc)
        return rc;
    aif_scale_field *f = n ? aif_scale_i_arena_alloc(a, n * sizeof *f, err) : NULL;
    if (n && !f)
        return err ? err->code : AIF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if ((rc = read_opt_str(r, a, &f[i].name, err)) || (rc = read_id(r, &f[i].type, err)) ||
            (rc = read_opt_str(r, a, &f[i].type_name, err)) || (rc = aif_scale_i_skip_docs(r, err)))
            return rc;
    }
    *n_out = n;
    *out = f;
    return AIF_OK;
}

static aif_code read_type(aif_scale_reader *r, scale_arena *a, aif_scale_type *t, aif_err *err)
{
    memset(t, 0, sizeof *t);
    size_t n;
    aif_code rc = aif_scale_read_count(r, 1, &n, err);
    if (rc)
        return rc;
    const char **path = n ? aif_scale_i_arena_alloc(a, n * sizeof *path, err) : NULL;
    if (n && !path)
        return err ? err->code : AIF_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if ((rc = aif_scale_i_read_str_dup(r, a, &path[i], err)))
            return rc;
    t->n_path = n;
    t->path = path;

    if ((rc = aif_scale_read_count(r, 2, &n, err)))
        return rc;
    aif_scale_type_param *params = n ? aif_scale_i_arena_alloc(a, n * sizeof *params, err) : NULL;
    if (n && !params)
        return err ? err->code : AIF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int some;
        if ((rc = aif_scale_i_read_str_dup(r, a, &params[i].name, err)) || (rc = aif_scale_read_option(r, &some, err)))
            return rc;
        params[i].type = -1;
        if (some) {
            uint32_t id;
            if ((rc = read_id(r, &id, err)))
                return rc;
            params[i].type = id;
        }
    }
    t->n_params = n;
    t->params = params;

    size_t at = r->pos;
    uint8_t tag;
    if ((rc = aif_scale_read_u8(r, &tag, err)))
        return rc;
    t->def = (aif_scale_def)tag;
    switch (tag) {
    case AIF_SCALE_DEF_COMPOSITE:
        rc = read_fields(r, a, &t->n_fields, &t->fields, err);
        break;
    case AIF_SCALE_DEF_VARIANT: {
        if ((rc = aif_scale_read_count(r, 4, &n, err)))
            return rc;
        aif_scale_variant *v = n ? aif_scale_i_arena_alloc(a, n * sizeof *v, err) : NULL;
        if (n && !v)
            return err ? err->code : AIF_ENOMEM;
        for (size_t i = 0; i < n && !rc; i++) {
            if ((rc = aif_scale_i_read_str_dup(r, a, &v[i].name, err)) ||
                (rc = read_fields(r, a, &v[i].n_fields, &v[i].fields, err)) ||
                (rc = aif_scale_read_u8(r, &v[i].index, err)))
                return rc;
            rc = aif_scale_i_skip_docs(r, err);
        }
        t->n_variants = n;
        t->variants = v;
        break;
    }
    case AIF_SCALE_DEF_SEQUENCE:
    case AIF_SCALE_DEF_COMPACT:
        rc = read_id(r, &t->elem, err);
        break;
    case AIF_SCALE_DEF_ARRAY:
        if (!(rc = aif_scale_read_u32(r, &t->len, err)))
            rc = read_id(r, &t->elem, err);
        break;
    case AIF_SCALE_DEF_TUPLE: {
        if ((rc = aif_scale_read_count(r, 1, &n, err)))
            return rc;
        uint32_t *ids = n ? aif_scale_i_arena_alloc(a, n * sizeof *ids, err) : NULL;
        if (n && !ids)
            return err ? err->code : AIF_ENOMEM;
        for (size_t i = 0; i < n && !rc; i++)
            rc = read_id(r, &ids[i], err);
        t->n_tuple = n;
        t->tuple = ids;
        break;
    }
    case AIF_SCALE_DEF_PRIMITIVE: {
        uint8_t p;
        if ((rc = aif_scale_read_u8(r, &p, err)))
            return rc;
        if (p >= AIF_SCALE_PRIM_COUNT)
            return aif_err_set(err, AIF_EFORMAT, "offset %zu: unknown primitive %u", r->pos - 1, p);
        t->prim = (aif_scale_prim)p;
        break;
    }
    case AIF_SCALE_DEF_BITSEQ:
        if (!(rc = read_id(r, &t->elem, err)))
            rc = read_id(r, &t->order, err);
        break;
    default:
        return aif_err_set(err, AIF_EFORMAT, "offset %zu: unknown type definition tag %u", at, tag);
    }
    if (rc)
        return rc;
    return aif_scale_i_skip_docs(r, err);
}

static int id_ok(const aif_scale_registry *reg, int64_t id) { return id >= 0 && (uint64_t)id < reg->n; }

/* Every id a type refers to must exist, so that the decoder never looks up
 * a missing type. */
static aif_code check_ids(const aif_scale_registry *reg, aif_err *err)
{
    for (size_t i = 0; i < reg->n; i++) {
        const aif_scale_type *t = &reg->types[i];
        int ok = 1;
        for (size_t j = 0; j < t->n_params; j++)
            ok &= t->params[j].type == -1 || id_ok(reg, t->params[j].type);
        for (size_t j = 0; j < t->n_fields; j++)
            ok &= id_ok(reg, t->fields[j].type);
        for (size_t v = 0; v < t->n_variants; v++)
            for (size_t j = 0; j < t->variants[v].n_fields; j++)
                ok &= id_ok(reg, t->variants[v].fields[j].type);
        for (size_t j = 0; j < t->n_tuple; j++)
            ok &= id_ok(reg, t->tuple[j]);
        if (t->def == AIF_SCALE_DEF_SEQUENCE || t->def == AIF_SCALE_DEF_ARRAY || t->def == AIF_SCALE_DEF_COMPACT ||
            t->def == AIF_SCALE_DEF_BITSEQ)
            ok &= id_ok(reg, t->elem);
        if (t->def == AIF_SCALE_DEF_BITSEQ)
            ok &= id_ok(reg, t->order);
        if (!ok)
            return aif_err_set(err, AIF_EFORMAT, "type %zu refers to a type id beyond the %zu types", i, reg->n);
    }
    return AIF_OK;
}

aif_code aif_scale_i_registry_decode(aif_scale_registry *reg, aif_scale_reader *r, aif_err *err)
{
    size_t n;
    aif_code rc = aif_scale_read_count(r, 2, &n, err);
    if (rc) {
        aif_err_wrap(err, "type registry");
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t id;
        size_t at = r->pos;
        if ((rc = read_id(r, &id, err))) {
            aif_err_wrap(err, "type registry: type %zu", i);
            return rc;
        }
        if (id != reg->n)
            return aif_err_set(err, AIF_EFORMAT, "type registry: offset %zu: type id %u out of order (expected %zu)",
                               at, id, reg->n);
        aif_scale_type t;
        if ((rc = read_type(r, &reg->arena, &t, err))) {
            aif_err_wrap(err, "type registry: type %u", id);
            return rc;
        }
        if ((rc = aif_scale_i_registry_push(reg, &t, NULL, err)))
            return rc;
    }
    if ((rc = check_ids(reg, err)))
        return rc;
    return aif_scale_i_registry_finish(reg, err);
}

/* ------------------------------------------------------- type expressions */

typedef struct expr_parser {
    aif_scale_registry *reg;
    const char *s;
    size_t pos;
    int depth;
    aif_err *err;
} expr_parser;

static void skip_ws(expr_parser *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')
        p->pos++;
}

static int accept(expr_parser *p, char c)
{
    skip_ws(p);
    if (p->s[p->pos] == c) {
        p->pos++;
        return 1;
    }
    return 0;
}

static aif_code expect(expr_parser *p, char c)
{
    if (accept(p, c))
        return AIF_OK;
    return aif_err_set(p->err, AIF_EFORMAT, "type expression \"%s\": expected '%c' at offset %zu", p->s, c, p->pos);
}

static aif_code push_simple(expr_parser *p, const aif_scale_type *t, uint32_t *id)
{
    return aif_scale_i_registry_push(p->reg, t, id, p->err);
}

static aif_code prim_id(expr_parser *p, aif_scale_prim prim, uint32_t *id)
{
    for (size_t i = 0; i < p->reg->n; i++) {
        const aif_scale_type *t = &p->reg->types[i];
        if (t->def == AIF_SCALE_DEF_PRIMITIVE && t->prim == prim && !t->n_path) {
            *id = (uint32_t)i;
            return AIF_OK;
        }
    }
    aif_scale_type t = {.def = AIF_SCALE_DEF_PRIMITIVE, .prim = prim};
    return push_simple(p, &t, id);
}

static const char **one_path(expr_parser *p, const char *a, const char *b, const char *c, size_t *n)
{
    const char **path = aif_scale_i_arena_alloc(&p->reg->arena, 3 * sizeof *path, p->err);
    if (!path)
        return NULL;
    path[0] = a;
    path[1] = b;
    path[2] = c;
    *n = c ? 3 : b ? 2 : 1;
    return path;
}

/* Option<T> / Result<T, E> as scale-info writes them: Variant types with
 * path ["Option"] / ["Result"] and named params. */
static aif_code make_enum2(expr_parser *p, const char *name, const char *v0, const char *v1, int64_t t0,
                           int64_t t1, uint32_t *id)
{
    scale_arena *a = &p->reg->arena;
    aif_scale_type t = {.def = AIF_SCALE_DEF_VARIANT};
    t.path = one_path(p, name, NULL, NULL, &t.n_path);
    aif_scale_type_param *params = aif_scale_i_arena_alloc(a, 2 * sizeof *params, p->err);
    aif_scale_variant *v = aif_scale_i_arena_alloc(a, 2 * sizeof *v, p->err);
    aif_scale_field *f = aif_scale_i_arena_alloc(a, 2 * sizeof *f, p->err);
    if (!t.path || !params || !v || !f)
        return p->err ? p->err->code : AIF_ENOMEM;
    params[0].name = "T";
    params[0].type = t0 >= 0 ? t0 : t1;
    params[1].name = "E";
    params[1].type = t1;
    t.params = params;
    t.n_params = t0 >= 0 ? 2 : 1;
    v[0].name = v0;
    v[0].index = 0;
    v[1].name = v1;
    v[1].index = 1;
    if (t0 >= 0) {
        f[0].type = (uint32_t)t0;
        v[0].fields = &f[0];
        v[0].n_fields = 1;
    }
    f[1].type = (uint32_t)t1;
    v[1].fields = &f[1];
    v[1].n_fields = 1;
    t.variants = v;
    t.n_variants = 2;
    return push_simple(p, &t, id);
}

static aif_code parse_expr(expr_parser *p, uint32_t *id);

static aif_code parse_args(expr_parser *p, uint32_t *ids, size_t n)
{
    aif_code rc = expect(p, '<');
    for (size_t i = 0; i < n && !rc; i++) {
        if (i && (rc = expect(p, ',')))
            return rc;
        rc = parse_expr(p, &ids[i]);
    }
    return rc ? rc : expect(p, '>');
}

static aif_code parse_named(expr_parser *p, const char *name, size_t n, uint32_t *id)
{
    char buf[256];
    if (n >= sizeof buf)
        return aif_err_set(p->err, AIF_ERANGE, "type expression: name of %zu bytes", n);
    memcpy(buf, name, n);
    buf[n] = 0;
    for (size_t i = 0; i < sizeof PRIMS / sizeof PRIMS[0]; i++)
        if (!strcmp(buf, PRIMS[i].name))
            return prim_id(p, PRIMS[i].prim, id);
    uint32_t a[2];
    aif_code rc;
    aif_scale_type t = {0};
    if (!strcmp(buf, "Null")) {
        t.def = AIF_SCALE_DEF_TUPLE;
        return push_simple(p, &t, id);
    }
    if (!strcmp(buf, "Bytes")) {
        if ((rc = prim_id(p, AIF_SCALE_PRIM_U8, &a[0])))
            return rc;
        t.def = AIF_SCALE_DEF_SEQUENCE;
        t.elem = a[0];
        return push_simple(p, &t, id);
    }
    if (!strcmp(buf, "BitVec")) {
        aif_scale_type order = {.def = AIF_SCALE_DEF_COMPOSITE};
        order.path = one_path(p, "bitvec", "order", "Lsb0", &order.n_path);
        if (!order.path)
            return p->err ? p->err->code : AIF_ENOMEM;
        if ((rc = prim_id(p, AIF_SCALE_PRIM_U8, &a[0])) || (rc = push_simple(p, &order, &a[1])))
            return rc;
        t.def = AIF_SCALE_DEF_BITSEQ;
        t.elem = a[0];
        t.order = a[1];
        return push_simple(p, &t, id);
    }
    if (!strcmp(buf, "Vec") || !strcmp(buf, "Compact") || !strcmp(buf, "Box")) {
        if ((rc = parse_args(p, a, 1)))
            return rc;
        if (!strcmp(buf, "Box")) {
            *id = a[0];
            return AIF_OK;
        }
        t.def = buf[0] == 'V' ? AIF_SCALE_DEF_SEQUENCE : AIF_SCALE_DEF_COMPACT;
        t.elem = a[0];
        return push_simple(p, &t, id);
    }
    if (!strcmp(buf, "Option")) {
        if ((rc = parse_args(p, a, 1)))
            return rc;
        return make_enum2(p, "Option", "None", "Some", -1, a[0], id);
    }
    if (!strcmp(buf, "Result")) {
        if ((rc = parse_args(p, a, 2)))
            return rc;
        return make_enum2(p, "Result", "Ok", "Err", a[0], a[1], id);
    }
    /* A type already in the registry: full path, else a unique last segment. */
    int found = -1, count = 0;
    for (size_t i = 0; i < p->reg->n; i++) {
        const aif_scale_type *ty = &p->reg->types[i];
        if (aif_scale_i_type_path_is(ty, buf)) {
            *id = (uint32_t)i;
            return AIF_OK;
        }
        if (ty->n_path && !strcmp(ty->path[ty->n_path - 1], buf)) {
            if (found < 0)
                found = (int)i;
            count++;
        }
    }
    if (count == 1) {
        *id = (uint32_t)found;
        return AIF_OK;
    }
    return aif_err_set(p->err, count ? AIF_EINVAL : AIF_ENOTFOUND, "type expression: %s type '%s'",
                       count ? "ambiguous" : "unknown", buf);
}

static aif_code parse_expr(expr_parser *p, uint32_t *id)
{
    if (++p->depth > 32) {
        p->depth--;
        return aif_err_set(p->err, AIF_ERANGE, "type expression nested deeper than 32");
    }
    aif_code rc;
    skip_ws(p);
    char c = p->s[p->pos];
    if (c == '(') {
        p->pos++;
        uint32_t ids[32];
        size_t n = 0;
        rc = AIF_OK;
        if (!accept(p, ')')) {
            do {
                if (accept(p, ')'))
                    goto closed; /* trailing comma */
                if (n == 32)
                    return aif_err_set(p->err, AIF_ERANGE, "type expression: tuple of more than 32 types");
                if ((rc = parse_expr(p, &ids[n++])))
                    goto out;
            } while (accept(p, ','));
            if ((rc = expect(p, ')')))
                goto out;
        }
    closed:;
        aif_scale_type t = {.def = AIF_SCALE_DEF_TUPLE, .n_tuple = n};
        if (n) {
            uint32_t *copy = aif_scale_i_arena_alloc(&p->reg->arena, n * sizeof *copy, p->err);
            if (!copy) {
                rc = p->err ? p->err->code : AIF_ENOMEM;
                goto out;
            }
            memcpy(copy, ids, n * sizeof *copy);
            t.tuple = copy;
        }
        rc = push_simple(p, &t, id);
    } else if (c == '[') {
        p->pos++;
        uint32_t elem;
        if ((rc = parse_expr(p, &elem)) || (rc = expect(p, ';')))
            goto out;
        skip_ws(p);
        char *end;
        unsigned long len = strtoul(p->s + p->pos, &end, 10);
        if (end == p->s + p->pos || len > UINT32_MAX) {
            rc = aif_err_set(p->err, AIF_EFORMAT, "type expression \"%s\": bad array length at offset %zu", p->s,
                             p->pos);
            goto out;
        }
        p->pos = (size_t)(end - p->s);
        if ((rc = expect(p, ']')))
            goto out;
        aif_scale_type t = {.def = AIF_SCALE_DEF_ARRAY, .elem = elem, .len = (uint32_t)len};
        rc = push_simple(p, &t, id);
    } else {
        size_t start = p->pos;
        while (isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_' ||
               (p->s[p->pos] == ':' && p->s[p->pos + 1] == ':' && (p->pos += 1)))
            p->pos++;
        if (p->pos == start) {
            rc = aif_err_set(p->err, AIF_EFORMAT, "type expression \"%s\": unexpected '%c' at offset %zu", p->s,
                             c ? c : '0', p->pos);
            goto out;
        }
        rc = parse_named(p, p->s + start, p->pos - start, id);
    }
out:
    p->depth--;
    return rc;
}

aif_code aif_scale_registry_add_expr(aif_scale_registry *reg, const char *expr, uint32_t *id, aif_err *err)
{
    expr_parser p = {reg, expr, 0, 0, err};
    aif_code rc = parse_expr(&p, id);
    if (rc)
        return rc;
    skip_ws(&p);
    if (expr[p.pos])
        return aif_err_set(err, AIF_EFORMAT, "type expression \"%s\": trailing text at offset %zu", expr, p.pos);
    return aif_scale_i_registry_finish(reg, err);
}
