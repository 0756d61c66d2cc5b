/* fuzz_scale_value.c: arbitrary bytes decoded as one of a fixed set of
 * registry types (built from type expressions; byte 0 picks the type),
 * printed as JSON, and encoded back from that JSON: for the types marked
 * round-trip the bytes must come back identical (decode -> JSON -> encode). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/alloc.h"
#include "aif/scale.h"

static const struct { const char *expr; int roundtrip; } TYPES[] = {
    {"u8", 1},
    {"Compact<u128>", 1},
    {"Vec<(u16, Compact<u64>)>", 1},
    {"Option<Vec<u8>>", 1},
    {"Result<Text, [i32; 3]>", 1},
    {"(bool, char, i128, i64, u64)", 1},
    {"Vec<Option<Vec<Text>>>", 1},
    {"[Vec<u8>; 4]", 1},
    {"Vec<Vec<Vec<()>>>", 1},
    {"Option<Option<bool>>", 0}, /* Some(None) and None both print null, as in polkadot-js */
    {"Vec<Result<(), Compact<u32>>>", 1},
    {"(u256, i256, BitVec)", 0},
    {"Vec<[u16; 2]>", 1},
    {"Compact<u8>", 1},
};
#define N_TYPES (sizeof TYPES / sizeof TYPES[0])

/* Hand-built types with paths and names, as metadata has them. */
#define N_HAND 6
static const int HAND_RT[N_HAND] = {1, 1, 1, 1, 0, 1};
static const char *HAND_NAMES[N_HAND] = {"AccountId32", "struct", "enum", "basic enum", "BTreeMap", "list"};

static aif_scale_registry *reg;
static uint32_t ids[N_TYPES + N_HAND];

static uint32_t add(aif_scale_type *t)
{
    uint32_t id;
    aif_err err = {0};
    if (aif_scale_registry_add(reg, t, &id, &err) != AIF_OK) {
        fprintf(stderr, "fuzz_scale_value: %s\n", err.msg);
        abort();
    }
    return id;
}

static uint32_t expr(const char *e)
{
    uint32_t id;
    aif_err err = {0};
    if (aif_scale_registry_add_expr(reg, e, &id, &err) != AIF_OK) {
        fprintf(stderr, "fuzz_scale_value: %s: %s\n", e, err.msg);
        abort();
    }
    return id;
}

static void setup_hand(void)
{
    /* AccountId32 = ([u8; 32]) with the sp_core path: JSON as SS58 */
    const char *acc_path[] = {"sp_core", "crypto", "AccountId32"};
    aif_scale_field acc_f = {NULL, expr("[u8; 32]"), "[u8; 32]"};
    aif_scale_type acc = {.n_path = 3, .path = acc_path, .def = AIF_SCALE_DEF_COMPOSITE, .n_fields = 1, .fields = &acc_f};
    uint32_t acc_id = ids[N_TYPES] = add(&acc);
    /* struct { ip_type: u8, hot_key: AccountId32, data: Vec<u8> } */
    aif_scale_field sf[3] = {{"ip_type", expr("u8"), NULL}, {"hot_key", acc_id, NULL}, {"data", expr("Bytes"), NULL}};
    const char *s_path[] = {"fuzz", "S"};
    aif_scale_type st = {.n_path = 2, .path = s_path, .def = AIF_SCALE_DEF_COMPOSITE, .n_fields = 3, .fields = sf};
    ids[N_TYPES + 1] = add(&st);
    /* enum { A, B(u32), C { x: Compact<u16>, y: Text } } with sparse indices */
    aif_scale_field bf = {NULL, expr("u32"), NULL};
    aif_scale_field cf[2] = {{"x", expr("Compact<u16>"), NULL}, {"y_name", expr("Text"), NULL}};
    aif_scale_variant ev[3] = {{"A", 0, 0, NULL}, {"B", 3, 1, &bf}, {"CamelCase", 9, 2, cf}};
    const char *e_path[] = {"fuzz", "E"};
    aif_scale_type en = {.n_path = 2, .path = e_path, .def = AIF_SCALE_DEF_VARIANT, .n_variants = 3, .variants = ev};
    ids[N_TYPES + 2] = add(&en);
    aif_scale_variant bv[2] = {{"X", 0, 0, NULL}, {"Y", 5, 0, NULL}};
    aif_scale_type basic = {.n_path = 2, .path = e_path, .def = AIF_SCALE_DEF_VARIANT, .n_variants = 2, .variants = bv};
    ids[N_TYPES + 3] = add(&basic);
    /* BTreeMap<u16, Text> = (Vec<(u16, Text)>) with path BTreeMap (duplicate keys cannot round-trip) */
    const char *m_path[] = {"BTreeMap"};
    aif_scale_field mf = {NULL, expr("Vec<(u16, Text)>"), NULL};
    aif_scale_type map = {.n_path = 1, .path = m_path, .def = AIF_SCALE_DEF_COMPOSITE, .n_fields = 1, .fields = &mf};
    ids[N_TYPES + 4] = add(&map);
    /* enum List { Nil, Cons(u8, List) }: recursive */
    uint32_t self = (uint32_t)aif_scale_registry_count(reg);
    aif_scale_field lf[2] = {{NULL, expr("u8"), NULL}, {NULL, self + 0, NULL}};
    self = (uint32_t)aif_scale_registry_count(reg);
    lf[1].type = self;
    aif_scale_variant lv[2] = {{"Nil", 0, 0, NULL}, {"Cons", 1, 2, lf}};
    const char *l_path[] = {"fuzz", "List"};
    aif_scale_type list = {.n_path = 2, .path = l_path, .def = AIF_SCALE_DEF_VARIANT, .n_variants = 2, .variants = lv};
    ids[N_TYPES + 5] = add(&list);
}

static void setup(void)
{
    reg = aif_scale_registry_new();
    for (size_t i = 0; i < N_TYPES; i++) {
        aif_err err = {0};
        if (aif_scale_registry_add_expr(reg, TYPES[i].expr, &ids[i], &err) != AIF_OK) {
            fprintf(stderr, "fuzz_scale_value: %s: %s\n", TYPES[i].expr, err.msg);
            abort();
        }
    }
    setup_hand();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!reg)
        setup();
    if (size < 1)
        return 0;
    size_t k = data[0] % (N_TYPES + N_HAND);
    int roundtrip = k < N_TYPES ? TYPES[k].roundtrip : HAND_RT[k - N_TYPES];
    const char *tname = k < N_TYPES ? TYPES[k].expr : HAND_NAMES[k - N_TYPES];
    aif_scale_reader r;
    aif_scale_reader_init(&r, data + 1, size - 1);
    aif_scale_value *v = NULL;
    aif_code rc = aif_scale_value_decode(reg, ids[k], &r, &v, NULL);
    /* the skipper agrees with the decoder on success and on the length used */
    aif_scale_reader s;
    aif_scale_reader_init(&s, data + 1, size - 1);
    aif_code rs = aif_scale_skip(reg, ids[k], &s, NULL);
    if ((rc == AIF_OK) != (rs == AIF_OK) || (rc == AIF_OK && s.pos != r.pos))
        abort();
    if (rc != AIF_OK)
        return 0;
    char *json = NULL;
    size_t len = 0;
    if (aif_scale_value_to_json(reg, v, 0, &json, &len, NULL) == AIF_OK) {
        aif_scale_writer w;
        aif_scale_writer_init(&w);
        aif_err err = {0};
        aif_code re = aif_scale_encode_json(reg, ids[k], json, len, &w, &err);
        if (roundtrip && (re != AIF_OK || w.len != r.pos || memcmp(w.buf, data + 1, r.pos))) {
            fprintf(stderr, "round trip failed for %s: %s (%s)\n", tname, json, err.msg);
            abort();
        }
        aif_scale_writer_release(&w);
        aif_free(json);
    }
    aif_scale_value_free(v);
    return 0;
}
