/* metadata.c: runtime metadata V14 and V15 (paritytech/frame-metadata
 * v14.rs, v15.rs) and lookups by name. Layout:
 *   "meta" || version u8 || types || pallets || extrinsic || ty
 *   V15 adds: apis || outer_enums || custom
 * Docs are parsed (validated) and dropped. */
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "scale_int.h"

struct aif_scale_metadata {
    aif_scale_registry reg;         /* its arena holds everything below */
    unsigned version;
    size_t n_pallets;
    aif_scale_pallet *pallets;
    aif_scale_extrinsic_info ext;
    uint32_t runtime_type;
    size_t n_apis;
    aif_scale_runtime_api *apis;
    int64_t outer[3];
};

static const char *HASHER_NAMES[] = {"Blake2_128", "Blake2_256", "Blake2_128Concat", "Twox128",
                                     "Twox256",    "Twox64Concat", "Identity"};

const char *aif_scale_hasher_name(aif_scale_hasher h)
{
    return (unsigned)h < 7 ? HASHER_NAMES[h] : "?";
}

#define TRY(x)                  \
    do {                        \
        aif_code rc_ = (x);     \
        if (rc_)                \
            return rc_;         \
    } while (0)

static void *alloc_n(aif_scale_metadata *md, size_t n, size_t size, aif_err *err)
{
    if (!n)
        return NULL;
    return aif_scale_i_arena_alloc(&md->reg.arena, n * size, err);
}

#define ALLOC_N(ptr, n, err)                                           \
    do {                                                               \
        (ptr) = alloc_n(md, (n), sizeof *(ptr), (err));                \
        if ((n) && !(ptr))                                             \
            return (err) ? (err)->code : AIF_ENOMEM;                   \
    } while (0)

static aif_code read_id(aif_scale_reader *r, uint32_t *id, aif_err *err)
{
    return aif_scale_read_compact_u32(r, id, err);
}

static aif_code read_opt_id(aif_scale_reader *r, int64_t *out, aif_err *err)
{
    int some = 0;
    TRY(aif_scale_read_option(r, &some, err));
    *out = -1;
    if (some) {
        uint32_t id = 0;
        TRY(read_id(r, &id, err));
        *out = id;
    }
    return AIF_OK;
}

static aif_code read_blob(aif_scale_metadata *md, aif_scale_reader *r, const uint8_t **out, size_t *len,
                          aif_err *err)
{
    const uint8_t *p = 0;
    TRY(aif_scale_read_bytes(r, &p, len, err));
    uint8_t *c = NULL;
    ALLOC_N(c, *len, err);
    if (*len)
        memcpy(c, p, *len);
    *out = c;
    return AIF_OK;
}

static aif_code read_storage(aif_scale_metadata *md, aif_scale_reader *r, aif_scale_pallet *p, aif_err *err)
{
    TRY(aif_scale_i_read_str_dup(r, &md->reg.arena, &p->storage_prefix, err));
    size_t n = 0;
    TRY(aif_scale_read_count(r, 5, &n, err));
    aif_scale_storage_entry *e = NULL;
    ALLOC_N(e, n, err);
    for (size_t i = 0; i < n; i++) {
        TRY(aif_scale_i_read_str_dup(r, &md->reg.arena, &e[i].name, err));
        size_t at = r->pos;
        uint8_t mod = 0, kind = 0;
        TRY(aif_scale_read_u8(r, &mod, err));
        if (mod > 1)
            return aif_err_set(err, AIF_EFORMAT, "offset %zu: storage %s.%s: modifier %u is not 0 or 1", at,
                               p->name, e[i].name, mod);
        e[i].is_default = mod;
        at = r->pos;
        TRY(aif_scale_read_u8(r, &kind, err));
        if (kind == 0) {
            TRY(read_id(r, &e[i].value_type, err));
        } else if (kind == 1) {
            size_t nh = 0;
            TRY(aif_scale_read_count(r, 1, &nh, err));
            aif_scale_hasher *h = NULL;
            ALLOC_N(h, nh, err);
            for (size_t j = 0; j < nh; j++) {
                uint8_t b = 0;
                size_t hat = r->pos;
                TRY(aif_scale_read_u8(r, &b, err));
                if (b > 6)
                    return aif_err_set(err, AIF_EFORMAT, "offset %zu: storage %s.%s: unknown hasher %u", hat,
                                       p->name, e[i].name, b);
                h[j] = (aif_scale_hasher)b;
            }
            e[i].is_map = 1;
            e[i].n_hashers = nh;
            e[i].hashers = h;
            TRY(read_id(r, &e[i].key_type, err));
            TRY(read_id(r, &e[i].value_type, err));
        } else {
            return aif_err_set(err, AIF_EFORMAT, "offset %zu: storage %s.%s: unknown entry type %u", at, p->name,
                               e[i].name, kind);
        }
        TRY(read_blob(md, r, &e[i].default_value, &e[i].default_len, err));
        TRY(aif_scale_i_skip_docs(r, err));
    }
    p->n_storage = n;
    p->storage = e;
    return AIF_OK;
}

static aif_code read_pallet(aif_scale_metadata *md, aif_scale_reader *r, aif_scale_pallet *p, aif_err *err)
{
    TRY(aif_scale_i_read_str_dup(r, &md->reg.arena, &p->name, err));
    int some = 0;
    TRY(aif_scale_read_option(r, &some, err));
    if (some)
        TRY(read_storage(md, r, p, err));
    TRY(read_opt_id(r, &p->calls_type, err));
    TRY(read_opt_id(r, &p->event_type, err));
    size_t n = 0;
    TRY(aif_scale_read_count(r, 4, &n, err));
    aif_scale_constant *c = NULL;
    ALLOC_N(c, n, err);
    for (size_t i = 0; i < n; i++) {
        TRY(aif_scale_i_read_str_dup(r, &md->reg.arena, &c[i].name, err));
        TRY(read_id(r, &c[i].type, err));
        TRY(read_blob(md, r, &c[i].value, &c[i].value_len, err));
        TRY(aif_scale_i_skip_docs(r, err));
    }
    p->n_constants = n;
    p->constants = c;
    TRY(read_opt_id(r, &p->error_type, err));
    TRY(aif_scale_read_u8(r, &p->index, err));
    if (md->version >= 15)
        TRY(aif_scale_i_skip_docs(r, err));
    return AIF_OK;
}

static aif_code read_signed_exts(aif_scale_metadata *md, aif_scale_reader *r, aif_err *err)
{
    size_t n = 0;
    TRY(aif_scale_read_count(r, 3, &n, err));
    aif_scale_signed_ext *s = NULL;
    ALLOC_N(s, n, err);
    for (size_t i = 0; i < n; i++) {
        TRY(aif_scale_i_read_str_dup(r, &md->reg.arena, &s[i].identifier, err));
        TRY(read_id(r, &s[i].type, err));
        TRY(read_id(r, &s[i].additional_signed, err));
    }
    md->ext.n_signed_exts = n;
    md->ext.signed_exts = s;
    return AIF_OK;
}

static aif_code read_extrinsic(aif_scale_metadata *md, aif_scale_reader *r, aif_err *err)
{
    aif_scale_extrinsic_info *x = &md->ext;
    x->type = x->address_type = x->call_type = x->signature_type = x->extra_type = -1;
    uint32_t id = 0;
    if (md->version == 14) {
        TRY(read_id(r, &id, err));
        x->type = id;
        TRY(aif_scale_read_u8(r, &x->version, err));
    } else {
        TRY(aif_scale_read_u8(r, &x->version, err));
        int64_t *slots[4] = {&x->address_type, &x->call_type, &x->signature_type, &x->extra_type};
        for (int i = 0; i < 4; i++) {
            TRY(read_id(r, &id, err));
            *slots[i] = id;
        }
    }
    return read_signed_exts(md, r, err);
}

static aif_code read_apis(aif_scale_metadata *md, aif_scale_reader *r, aif_err *err)
{
    size_t n = 0;
    TRY(aif_scale_read_count(r, 3, &n, err));
    aif_scale_runtime_api *a = NULL;
    ALLOC_N(a, n, err);
    for (size_t i = 0; i < n; i++) {
        TRY(aif_scale_i_read_str_dup(r, &md->reg.arena, &a[i].name, err));
        size_t nm = 0;
        TRY(aif_scale_read_count(r, 4, &nm, err));
        aif_scale_api_method *m = NULL;
        ALLOC_N(m, nm, err);
        for (size_t j = 0; j < nm; j++) {
            TRY(aif_scale_i_read_str_dup(r, &md->reg.arena, &m[j].name, err));
            size_t ni = 0;
            TRY(aif_scale_read_count(r, 2, &ni, err));
            aif_scale_api_param *in = NULL;
            ALLOC_N(in, ni, err);
            for (size_t k = 0; k < ni; k++) {
                TRY(aif_scale_i_read_str_dup(r, &md->reg.arena, &in[k].name, err));
                TRY(read_id(r, &in[k].type, err));
            }
            m[j].n_inputs = ni;
            m[j].inputs = in;
            TRY(read_id(r, &m[j].output, err));
            TRY(aif_scale_i_skip_docs(r, err));
        }
        a[i].n_methods = nm;
        a[i].methods = m;
        TRY(aif_scale_i_skip_docs(r, err));
    }
    md->n_apis = n;
    md->apis = a;
    for (int i = 0; i < 3; i++) {
        uint32_t id = 0;
        TRY(read_id(r, &id, err));
        md->outer[i] = id;
    }
    /* custom: BTreeMap<Str, {ty, value: Vec<u8>}>, validated and dropped */
    TRY(aif_scale_read_count(r, 3, &n, err));
    for (size_t i = 0; i < n; i++) {
        const char *s = 0;
        const uint8_t *b = 0;
        size_t len = 0;
        uint32_t id = 0;
        TRY(aif_scale_read_str(r, &s, &len, err));
        TRY(read_id(r, &id, err));
        TRY(aif_scale_read_bytes(r, &b, &len, err));
    }
    return AIF_OK;
}

static int id_ok(const aif_scale_metadata *md, int64_t id) { return id >= -1 && id < (int64_t)md->reg.n; }

static aif_code check_ids(const aif_scale_metadata *md, aif_err *err)
{
    for (size_t i = 0; i < md->n_pallets; i++) {
        const aif_scale_pallet *p = &md->pallets[i];
        int ok = id_ok(md, p->calls_type) && id_ok(md, p->event_type) && id_ok(md, p->error_type);
        for (size_t j = 0; j < p->n_storage; j++)
            ok &= id_ok(md, p->storage[j].value_type) && id_ok(md, p->storage[j].key_type);
        for (size_t j = 0; j < p->n_constants; j++)
            ok &= id_ok(md, p->constants[j].type);
        if (!ok)
            return aif_err_set(err, AIF_EFORMAT, "pallet %s refers to a type id beyond the %zu types", p->name,
                               md->reg.n);
        int64_t v[3] = {p->calls_type, p->event_type, p->error_type};
        for (int k = 0; k < 3; k++)
            if (v[k] >= 0 && md->reg.types[v[k]].def != AIF_SCALE_DEF_VARIANT)
                return aif_err_set(err, AIF_EFORMAT, "pallet %s: call/event/error type %lld is not an enum",
                                   p->name, (long long)v[k]);
    }
    const aif_scale_extrinsic_info *x = &md->ext;
    int ok = id_ok(md, x->type) && id_ok(md, x->address_type) && id_ok(md, x->call_type) &&
             id_ok(md, x->signature_type) && id_ok(md, x->extra_type) && id_ok(md, md->runtime_type);
    for (size_t i = 0; i < x->n_signed_exts; i++)
        ok &= id_ok(md, x->signed_exts[i].type) && id_ok(md, x->signed_exts[i].additional_signed);
    for (size_t i = 0; i < md->n_apis; i++)
        for (size_t j = 0; j < md->apis[i].n_methods; j++) {
            const aif_scale_api_method *m = &md->apis[i].methods[j];
            ok &= id_ok(md, m->output);
            for (size_t k = 0; k < m->n_inputs; k++)
                ok &= id_ok(md, m->inputs[k].type);
        }
    for (int i = 0; i < 3; i++)
        ok &= id_ok(md, md->outer[i]);
    if (!ok)
        return aif_err_set(err, AIF_EFORMAT, "extrinsic or runtime API refers to a type id beyond the %zu types",
                           md->reg.n);
    return AIF_OK;
}

static aif_code parse_body(aif_scale_metadata *md, aif_scale_reader *r, aif_err *err)
{
    const uint8_t *magic = 0;
    size_t at = r->pos;
    TRY(aif_scale_read_raw(r, 4, &magic, err));
    if (memcmp(magic, "meta", 4))
        return aif_err_set(err, AIF_EFORMAT, "offset %zu: missing \"meta\" magic (found %02x%02x%02x%02x)", at,
                           magic[0], magic[1], magic[2], magic[3]);
    uint8_t v = 0;
    TRY(aif_scale_read_u8(r, &v, err));
    if (v != 14 && v != 15)
        return aif_err_set(err, AIF_ENOTSUP, "offset %zu: metadata version %u (only 14 and 15 are supported)",
                           r->pos - 1, v);
    md->version = v;
    TRY(aif_scale_i_registry_decode(&md->reg, r, err));
    size_t n = 0;
    aif_code rc;
    if ((rc = aif_scale_read_count(r, 8, &n, err))) {
        aif_err_wrap(err, "pallets");
        return rc;
    }
    aif_scale_pallet *p = NULL;
    ALLOC_N(p, n, err);
    md->pallets = p;
    for (size_t i = 0; i < n; i++) {
        p[i].calls_type = p[i].event_type = p[i].error_type = -1;
        if ((rc = read_pallet(md, r, &p[i], err))) {
            aif_err_wrap(err, "pallet %zu (%s)", i, p[i].name ? p[i].name : "?");
            return rc;
        }
        md->n_pallets = i + 1;
    }
    if ((rc = read_extrinsic(md, r, err))) {
        aif_err_wrap(err, "extrinsic");
        return rc;
    }
    TRY(read_id(r, &md->runtime_type, err));
    md->outer[0] = md->outer[1] = md->outer[2] = -1;
    if (v == 15 && (rc = read_apis(md, r, err))) {
        aif_err_wrap(err, "runtime APIs");
        return rc;
    }
    if (r->pos != r->len)
        return aif_err_set(err, AIF_EFORMAT, "offset %zu: %zu trailing bytes after the metadata", r->pos,
                           r->len - r->pos);
    return check_ids(md, err);
}

aif_code aif_scale_metadata_parse(const void *bytes, size_t len, aif_scale_metadata **out, aif_err *err)
{
    *out = NULL;
    aif_scale_reader r;
    aif_scale_reader_init(&r, bytes, len);
    if (len == 1 && ((const uint8_t *)bytes)[0] == 0)
        return aif_err_set(err, AIF_ENOTFOUND, "metadata: the node returned None (version not supported)");
    if (len >= 4 && memcmp(bytes, "meta", 4)) {
        /* Option<OpaqueMetadata> (01 || Compact len || bytes) or a bare Vec<u8>. */
        const uint8_t *b = bytes;
        size_t n = 0;
        aif_scale_reader probe = r;
        if (b[0] == 1) {
            probe.pos = 1;
            if (!aif_scale_read_count(&probe, 1, &n, NULL) && n == len - probe.pos)
                r.pos = probe.pos;
        }
        if (r.pos == 0) {
            probe.pos = 0;
            if (!aif_scale_read_count(&probe, 1, &n, NULL) && n == len - probe.pos)
                r.pos = probe.pos;
        }
    }
    aif_scale_metadata *md = aif_calloc(1, sizeof *md);
    if (!md)
        return aif_err_set(err, AIF_ENOMEM, "out of memory for metadata");
    aif_scale_i_registry_init(&md->reg);
    aif_code rc = parse_body(md, &r, err);
    if (rc) {
        aif_err_wrap(err, "metadata");
        aif_scale_metadata_free(md);
        return rc;
    }
    *out = md;
    return AIF_OK;
}

aif_code aif_scale_metadata_parse_hex(const char *hex, size_t len, aif_scale_metadata **out, aif_err *err)
{
    while (len && (hex[len - 1] == '\n' || hex[len - 1] == '\r' || hex[len - 1] == ' ' || hex[len - 1] == '"'))
        len--;
    if (len && hex[0] == '"')
        hex++, len--;
    size_t cap = len / 2 + 1;
    uint8_t *b = aif_malloc(cap);
    if (!b)
        return aif_err_set(err, AIF_ENOMEM, "out of memory for %zu metadata bytes", cap);
    size_t n = 0;
    aif_code rc = aif_crypto_hex_decode(hex, len, b, cap, &n, err);
    if (rc)
        aif_err_wrap(err, "metadata hex");
    else
        rc = aif_scale_metadata_parse(b, n, out, err);
    aif_free(b);
    return rc;
}

void aif_scale_metadata_free(aif_scale_metadata *md)
{
    if (!md)
        return;
    aif_scale_i_registry_release(&md->reg);
    aif_free(md);
}

unsigned aif_scale_metadata_version(const aif_scale_metadata *md) { return md->version; }
const aif_scale_registry *aif_scale_metadata_registry(const aif_scale_metadata *md) { return &md->reg; }
size_t aif_scale_metadata_pallet_count(const aif_scale_metadata *md) { return md->n_pallets; }
const aif_scale_extrinsic_info *aif_scale_metadata_extrinsic(const aif_scale_metadata *md) { return &md->ext; }
size_t aif_scale_metadata_api_count(const aif_scale_metadata *md) { return md->n_apis; }

const aif_scale_pallet *aif_scale_metadata_pallet(const aif_scale_metadata *md, size_t i)
{
    return i < md->n_pallets ? &md->pallets[i] : NULL;
}

const aif_scale_runtime_api *aif_scale_metadata_api(const aif_scale_metadata *md, size_t i)
{
    return i < md->n_apis ? &md->apis[i] : NULL;
}

int64_t aif_scale_metadata_outer_enum(const aif_scale_metadata *md, int which)
{
    return which >= 0 && which < 3 ? md->outer[which] : -1;
}

aif_code aif_scale_metadata_find_pallet(const aif_scale_metadata *md, const char *pallet,
                                        const aif_scale_pallet **out, aif_err *err)
{
    for (size_t i = 0; i < md->n_pallets; i++)
        if (!strcmp(md->pallets[i].name, pallet)) {
            *out = &md->pallets[i];
            return AIF_OK;
        }
    return aif_err_set(err, AIF_ENOTFOUND, "metadata has no pallet %s", pallet);
}

aif_code aif_scale_metadata_find_storage(const aif_scale_metadata *md, const char *pallet, const char *entry,
                                         const aif_scale_storage_entry **out, aif_err *err)
{
    const aif_scale_pallet *p = 0;
    TRY(aif_scale_metadata_find_pallet(md, pallet, &p, err));
    for (size_t i = 0; i < p->n_storage; i++)
        if (!strcmp(p->storage[i].name, entry)) {
            *out = &p->storage[i];
            return AIF_OK;
        }
    return aif_err_set(err, AIF_ENOTFOUND, "metadata has no storage item %s.%s", pallet, entry);
}

static aif_code find_variant(const aif_scale_metadata *md, const char *pallet, int64_t type, const char *what,
                             const char *name, const aif_scale_variant **out, aif_err *err)
{
    if (type < 0)
        return aif_err_set(err, AIF_ENOTFOUND, "pallet %s has no %s", pallet, what);
    const aif_scale_type *t = &md->reg.types[type];
    for (size_t i = 0; i < t->n_variants; i++)
        if (!strcmp(t->variants[i].name, name)) {
            *out = &t->variants[i];
            return AIF_OK;
        }
    return aif_err_set(err, AIF_ENOTFOUND, "metadata has no %s %s.%s", what, pallet, name);
}

aif_code aif_scale_metadata_find_call(const aif_scale_metadata *md, const char *pallet, const char *call,
                                      aif_scale_call *out, aif_err *err)
{
    const aif_scale_pallet *p = 0;
    TRY(aif_scale_metadata_find_pallet(md, pallet, &p, err));
    const aif_scale_variant *v = 0;
    TRY(find_variant(md, pallet, p->calls_type, "call", call, &v, err));
    out->pallet_index = p->index;
    out->call_index = v->index;
    out->variant = v;
    return AIF_OK;
}

aif_code aif_scale_metadata_find_event(const aif_scale_metadata *md, const char *pallet, const char *name,
                                       const aif_scale_variant **out, aif_err *err)
{
    const aif_scale_pallet *p = 0;
    TRY(aif_scale_metadata_find_pallet(md, pallet, &p, err));
    return find_variant(md, pallet, p->event_type, "event", name, out, err);
}

aif_code aif_scale_metadata_find_error(const aif_scale_metadata *md, const char *pallet, const char *name,
                                       const aif_scale_variant **out, aif_err *err)
{
    const aif_scale_pallet *p = 0;
    TRY(aif_scale_metadata_find_pallet(md, pallet, &p, err));
    return find_variant(md, pallet, p->error_type, "error", name, out, err);
}

aif_code aif_scale_metadata_find_constant(const aif_scale_metadata *md, const char *pallet, const char *name,
                                          const aif_scale_constant **out, aif_err *err)
{
    const aif_scale_pallet *p = 0;
    TRY(aif_scale_metadata_find_pallet(md, pallet, &p, err));
    for (size_t i = 0; i < p->n_constants; i++)
        if (!strcmp(p->constants[i].name, name)) {
            *out = &p->constants[i];
            return AIF_OK;
        }
    return aif_err_set(err, AIF_ENOTFOUND, "metadata has no constant %s.%s", pallet, name);
}

aif_code aif_scale_metadata_find_runtime_api(const aif_scale_metadata *md, const char *api, const char *method,
                                             const aif_scale_api_method **out, aif_err *err)
{
    if (!md->n_apis)
        return aif_err_set(err, AIF_ENOTFOUND, "metadata V%u has no runtime APIs (V15 needed)", md->version);
    for (size_t i = 0; i < md->n_apis; i++) {
        const aif_scale_runtime_api *a = &md->apis[i];
        size_t an = strlen(a->name);
        const char *m = method;
        if (!method) {
            /* "<Api>_<method>" */
            if (strncmp(api, a->name, an) || api[an] != '_')
                continue;
            m = api + an + 1;
        } else if (strcmp(api, a->name)) {
            continue;
        }
        for (size_t j = 0; j < a->n_methods; j++)
            if (!strcmp(a->methods[j].name, m)) {
                *out = &a->methods[j];
                return AIF_OK;
            }
    }
    return aif_err_set(err, AIF_ENOTFOUND, "metadata has no runtime API %s%s%s", api, method ? "_" : "",
                       method ? method : "");
}
