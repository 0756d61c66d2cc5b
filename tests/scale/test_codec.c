/* test_codec.c: SCALE primitives against the spec's worked examples and
 * polkadot-js (chain/scale_polkadotjs.json: registry.createType(type,
 * value).toU8a() from @polkadot/types 16.5.6). */
#include "scale_test_util.h"

/* Integer value of a JSON number / decimal string / hex string, as
 * (negative, magnitude). Hex of a signed type is two's complement of
 * 4 bits per digit (polkadot-js toHex pads to the type width). */
static int json_intval(json_t *j, int is_signed, int *neg, aif_u128 *mag)
{
    *neg = 0;
    if (json_is_integer(j)) {
        long long v = json_integer_value(j);
        *neg = v < 0;
        *mag = v < 0 ? (aif_u128)(-(v + 1)) + 1 : (aif_u128)v;
        return 1;
    }
    if (!json_is_string(j))
        return 0;
    const char *s = json_string_value(j);
    aif_u128 v = 0;
    if (!strncmp(s, "0x", 2)) {
        size_t nd = strlen(s + 2);
        for (const char *p = s + 2; *p; p++)
            v = (v << 4) | (aif_u128)(*p <= '9' ? *p - '0' : (*p | 32) - 'a' + 10);
        if (is_signed && nd && nd < 32 && (v >> (4 * nd - 1)) & 1) {
            *neg = 1;
            v = ((aif_u128)1 << (4 * nd)) - v;
        } else if (is_signed && nd == 32 && (v >> 127)) {
            *neg = 1;
            v = (aif_u128)0 - v;
        }
        *mag = v;
        return 1;
    }
    if (*s == '-')
        *neg = 1, s++;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (aif_u128)(*s - '0');
    }
    *mag = v;
    return 1;
}

/* Structural equality after the documented normalisation: integers compare
 * by value whatever their JSON form (polkadot-js toJSON writes values of
 * 2^52 and more as padded hex; the vectors give decimal strings), and
 * object keys compare with their first letter lower-cased (the vectors hold
 * createType inputs "Ok"/"Id"; toJSON writes "ok"/"id"), and a byte array
 * given as a list of numbers equals the same bytes as "0x" hex (the form
 * toJSON writes for Vec<u8> and [u8; N]). */
static int bytes_equiv(json_t *hex, json_t *arr)
{
    if (!json_is_string(hex) || !json_is_array(arr) || strncmp(json_string_value(hex), "0x", 2))
        return -1;
    size_t n = 0;
    uint8_t *b = st_unhex(json_string_value(hex), &n);
    int eq = b && n == json_array_size(arr);
    for (size_t i = 0; eq && i < n; i++)
        eq = json_is_integer(json_array_get(arr, i)) && json_integer_value(json_array_get(arr, i)) == b[i];
    free(b);
    return eq;
}

static int equiv(json_t *a, json_t *b, int is_signed)
{
    int be = bytes_equiv(a, b);
    if (be < 0)
        be = bytes_equiv(b, a);
    if (be >= 0)
        return be;
    int na, nb;
    aif_u128 ma, mb;
    if ((json_is_integer(a) || json_is_string(a)) && (json_is_integer(b) || json_is_string(b)) &&
        json_intval(a, is_signed, &na, &ma) && json_intval(b, is_signed, &nb, &mb) &&
        (json_is_integer(a) || json_is_integer(b) || (json_is_string(a) && json_is_string(b) &&
                                                      strncmp(json_string_value(a), "0x", 2) !=
                                                          strncmp(json_string_value(b), "0x", 2))))
        return na == nb && ma == mb;
    if (json_is_object(a) && json_is_object(b)) {
        if (json_object_size(a) != json_object_size(b))
            return 0;
        const char *k;
        json_t *v;
        json_object_foreach(a, k, v) {
            json_t *w = NULL;
            const char *k2;
            json_t *v2;
            json_object_foreach(b, k2, v2) {
                if ((k[0] | 32) == (k2[0] | 32) && !strcmp(k + 1, k2 + 1))
                    w = v2;
            }
            if (!w || !equiv(v, w, is_signed))
                return 0;
        }
        return 1;
    }
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!equiv(json_array_get(a, i), json_array_get(b, i), is_signed))
                return 0;
        return 1;
    }
    return json_equal(a, b);
}

static void polkadotjs_scale_vectors(void)
{
    json_error_t je;
    json_t *root = json_load_file(aif_test_path("chain/scale_polkadotjs.json"), 0, &je);
    CHECK(root != NULL);
    if (!root)
        return;
    aif_scale_metadata *md = st_load_metadata("chain/subtensor_metadata_v14.hex");
    aif_scale_registry *reg = aif_scale_registry_new();
    CHECK(reg != NULL);
    if (!reg)
        goto out;
    json_t *vecs = json_object_get(root, "scale");
    CHECK(json_array_size(vecs) >= 40);
    size_t idx;
    json_t *vec;
    int passed = 0;
    json_array_foreach(vecs, idx, vec) {
        const char *ty = json_string_value(json_object_get(vec, "type"));
        const char *hex = json_string_value(json_object_get(vec, "hex"));
        json_t *val = json_object_get(vec, "value");
        aif_err err = {0};
        const aif_scale_registry *use = reg;
        uint32_t id = 0;
        aif_code rc;
        if (!strcmp(ty, "MultiAddress")) {
            /* the real MultiAddress<AccountId32, ()> of the subtensor runtime */
            use = md ? aif_scale_metadata_registry(md) : NULL;
            rc = use ? aif_scale_registry_find_path(use, "sp_runtime::multiaddress::MultiAddress", &id, &err)
                     : AIF_ENOTFOUND;
        } else {
            rc = aif_scale_registry_add_expr(reg, ty, &id, &err);
        }
        CHECK_OK(rc, err);
        if (rc)
            continue;
        int is_signed = ty[0] == 'i';
        /* value -> bytes */
        char *vtext = json_dumps(val, JSON_ENCODE_ANY);
        aif_scale_writer w;
        aif_scale_writer_init(&w);
        rc = aif_scale_encode_json(use, id, vtext, strlen(vtext), &w, &err);
        CHECK_OK(rc, err);
        char *got = st_hex(w.buf, w.len);
        if (!rc && strcmp(got, hex))
            aif_test_fail(__FILE__, __LINE__, "encode %s %s: got %s, want %s", ty, vtext, got, hex);
        free(got);
        aif_scale_writer_release(&w);
        /* bytes -> value */
        json_t *dec = st_decode_json(use, id, hex, AIF_SCALE_JSON_ACCOUNT_HEX, &err);
        CHECK_OK(dec ? AIF_OK : err.code, err);
        if (dec && !equiv(dec, val, is_signed)) {
            char *d = json_dumps(dec, JSON_ENCODE_ANY);
            aif_test_fail(__FILE__, __LINE__, "decode %s %s: got %s, want %s", ty, hex, d, vtext);
            free(d);
        } else if (dec) {
            passed++;
        }
        json_decref(dec);
        free(vtext);
    }
    CHECK_EQ(passed, json_array_size(vecs));
out:
    aif_scale_registry_free(reg);
    aif_scale_metadata_free(md);
    json_decref(root);
}

/* Spec section 2 examples (worked out from the compact definition). */
static void compact_examples(void)
{
    static const struct { const char *dec; const char *hex; } ex[] = {
        {"0", "00"}, {"1", "04"}, {"42", "a8"}, {"63", "fc"}, {"64", "0101"}, {"69", "1501"},
        {"16383", "fdff"}, {"16384", "02000100"}, {"1073741823", "feffffff"}, {"1073741824", "0300000040"},
        {"9000000", "02512502"}, {"18446744073709551615", "13ffffffffffffffff"},
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        aif_u128 v = 0;
        for (const char *p = ex[i].dec; *p; p++)
            v = v * 10 + (aif_u128)(*p - '0');
        aif_scale_writer w;
        aif_scale_writer_init(&w);
        CHECK_OK(aif_scale_put_compact(&w, v), (aif_err){0});
        char *h = st_hex(w.buf, w.len);
        CHECK_STR(h + 2, ex[i].hex);
        free(h);
        aif_scale_reader r;
        aif_scale_reader_init(&r, w.buf, w.len);
        aif_u128 back = 0;
        aif_err err = {0};
        CHECK_OK(aif_scale_read_compact(&r, &back, &err), err);
        CHECK(back == v);
        CHECK_EQ(r.pos, w.len);
        aif_scale_writer_release(&w);
    }
}

static void compact_rejects_noncanonical(void)
{
    /* Each could be written shorter: parity-scale-codec refuses them. */
    static const char *bad[] = {"0100", "fd00", "02000000", "feff0000", "0300000000", "03ffffff3f",
                                "07000000ff00", "0bffffffffff0000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n;
        uint8_t *b = st_unhex(bad[i], &n);
        aif_scale_reader r;
        aif_scale_reader_init(&r, b, n);
        aif_u128 v;
        aif_err err = {0};
        CHECK_ERR(aif_scale_read_compact(&r, &v, &err), AIF_EFORMAT, err, "non-canonical");
        free(b);
    }
    /* 17 bytes would exceed u128 */
    uint8_t big[18] = {0x37};
    memset(big + 1, 0xff, 17);
    aif_scale_reader r;
    aif_scale_reader_init(&r, big, sizeof big);
    aif_u128 v;
    aif_err err = {0};
    CHECK_ERR(aif_scale_read_compact(&r, &v, &err), AIF_ERANGE, err, "128 bits");
    /* a u32 read of a 2^32 compact */
    uint8_t c33[] = {0x07, 0, 0, 0, 0, 1};
    aif_scale_reader_init(&r, c33, sizeof c33);
    uint32_t u;
    CHECK_ERR(aif_scale_read_compact_u32(&r, &u, &err), AIF_ERANGE, err, "32 bits");
}

static void reader_bounds_and_errors(void)
{
    uint8_t b[] = {0x08, 'h', 0xff, 0x02, 0x05};
    aif_scale_reader r;
    aif_err err = {0};
    const char *s;
    size_t n;
    aif_scale_reader_init(&r, b, sizeof b);
    CHECK_ERR(aif_scale_read_str(&r, &s, &n, &err), AIF_EUTF8, err, "offset 0");
    aif_scale_reader_init(&r, b + 3, 1);
    int x;
    CHECK_ERR(aif_scale_read_bool(&r, &x, &err), AIF_EFORMAT, err, "offset 0: bool byte 0x02");
    aif_scale_reader_init(&r, b + 3, 2);
    CHECK_OK(aif_scale_read_option_bool(&r, &x, &err), err); /* 0x02 = Some(false) in the shim */
    CHECK_EQ(x, 0);
    uint32_t u;
    CHECK_ERR(aif_scale_read_u32(&r, &u, &err), AIF_EFORMAT, err, "offset 1: need 4 bytes, only 1 left");
    /* a length prefix larger than the input */
    uint8_t len[] = {0xfd, 0xff, 0x00};
    aif_scale_reader_init(&r, len, sizeof len);
    const uint8_t *p;
    CHECK_ERR(aif_scale_read_bytes(&r, &p, &n, &err), AIF_ERANGE, err, "16383 exceeds the 1 bytes left");
    /* signed ints sign-extend */
    uint8_t neg[] = {0xfe, 0xff, 0xff, 0xff};
    aif_scale_reader_init(&r, neg, 4);
    aif_i128 iv;
    CHECK_OK(aif_scale_read_int(&r, 4, &iv, &err), err);
    CHECK(iv == -2);
}

static void camel_case_and_ss58(void)
{
    /* expectations from @polkadot/util stringCamelCase's documented behaviour */
    static const char *cases[][2] = {
        {"ip_type", "ipType"}, {"placeholder1", "placeholder1"}, {"validator_trust", "validatorTrust"},
        {"Id", "id"}, {"UUID64", "uuid64"}, {"NFTOrder", "nftOrder"}, {"Raw32", "raw32"},
        {"BlakeTwo256", "blakeTwo256"}, {"ExtrinsicSuccess", "extrinsicSuccess"}, {"Ok", "ok"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        aif_scale_camel_case(cases[i][0], out);
        CHECK_STR(out, cases[i][1]);
    }
    /* Alice (spec section 5.8 / keys_polkadotjs.json) */
    size_t n;
    uint8_t *pk = st_unhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d", &n);
    char ss[AIF_SS58_MAX];
    aif_crypto_ss58_encode(pk, 42, ss);
    CHECK_STR(ss, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    uint8_t back[32];
    unsigned pre = 0;
    aif_err err = {0};
    CHECK_OK(aif_crypto_ss58_decode(ss, back, &pre, &err), err);
    CHECK_MEM(back, pk, 32);
    CHECK_EQ(pre, 42);
    ss[10] = ss[10] == 'a' ? 'b' : 'a';
    CHECK_ERR(aif_crypto_ss58_decode(ss, back, &pre, &err), AIF_EFORMAT, err, "checksum");
    free(pk);
}

static void type_expressions(void)
{
    aif_scale_registry *reg = aif_scale_registry_new();
    aif_err err = {0};
    uint32_t id;
    CHECK(reg != NULL);
    if (!reg)
        return;
    CHECK_ERR(aif_scale_registry_add_expr(reg, "Vec<u8", &id, &err), AIF_EFORMAT, err, "expected '>'");
    CHECK_ERR(aif_scale_registry_add_expr(reg, "Foo", &id, &err), AIF_ENOTFOUND, err, "Foo");
    CHECK_OK(aif_scale_registry_add_expr(reg, "Result<Vec<(u8, Compact<u64>)>, [i16; 3]>", &id, &err), err);
    const aif_scale_type *t = aif_scale_registry_get(reg, id);
    CHECK(t && t->def == AIF_SCALE_DEF_VARIANT && t->n_variants == 2);
    /* Ok([(1, 2^32)]) = 00 04 01 0700000000 01 */
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    const char *js = "{\"Ok\": [[1, \"4294967296\"]]}";
    CHECK_OK(aif_scale_encode_json(reg, id, js, strlen(js), &w, &err), err);
    char *h = st_hex(w.buf, w.len);
    CHECK_STR(h, "0x000401070000000001");
    free(h);
    aif_scale_writer_release(&w);
    js = "{\"err\": [-1, 2, -32768]}";
    aif_scale_writer_init(&w);
    CHECK_OK(aif_scale_encode_json(reg, id, js, strlen(js), &w, &err), err);
    h = st_hex(w.buf, w.len);
    CHECK_STR(h, "0x01ffff02000080");
    free(h);
    aif_scale_writer_release(&w);
    js = "{\"Err\": [40000, 0, 0]}";
    aif_scale_writer_init(&w);
    CHECK_ERR(aif_scale_encode_json(reg, id, js, strlen(js), &w, &err), AIF_ERANGE, err, "i16");
    aif_scale_writer_release(&w);
    aif_scale_registry_free(reg);
}

/* primitive_types::U256 = [u64; 4]: polkadot-js prints it as one UInt of
 * 256 bits (number below 2^52, else 64 hex digits big-endian). */
static void u256_as_integer(void)
{
    aif_scale_registry *reg = aif_scale_registry_new();
    aif_err err = {0};
    uint32_t limbs;
    CHECK(reg != NULL);
    if (!reg || aif_scale_registry_add_expr(reg, "[u64; 4]", &limbs, &err)) {
        aif_scale_registry_free(reg);
        return;
    }
    const char *path[] = {"primitive_types", "U256"};
    aif_scale_field f = {NULL, limbs, "[u64; 4]"};
    aif_scale_type t = {.n_path = 2, .path = path, .def = AIF_SCALE_DEF_COMPOSITE, .n_fields = 1, .fields = &f};
    uint32_t id;
    CHECK_OK(aif_scale_registry_add(reg, &t, &id, &err), err);
    if (err.code) {
        aif_scale_registry_free(reg);
        return;
    }
    /* 2^64 + 5: limbs (5, 1, 0, 0) */
    const char *hex = "0x0500000000000000010000000000000000000000000000000000000000000000";
    json_t *j = st_decode_json(reg, id, hex, 0, &err);
    CHECK(j && json_is_string(j) &&
          !strcmp(json_string_value(j), "0x0000000000000000000000000000000000000000000000010000000000000005"));
    json_decref(j);
    j = st_decode_json(reg, id, "0x0700000000000000000000000000000000000000000000000000000000000000", 0, &err);
    CHECK(j && json_is_integer(j) && json_integer_value(j) == 7);
    json_decref(j);
    aif_scale_writer w;
    aif_scale_writer_init(&w);
    CHECK_OK(aif_scale_encode_json(reg, id, "\"18446744073709551621\"", 22, &w, &err), err);
    char *h = st_hex(w.buf, w.len);
    CHECK_STR(h, hex);
    free(h);
    aif_scale_writer_release(&w);
    /* BitVec<u8, Lsb0> of 10 bits: Compact(10) = 28, bits 0, 2, 9 set -> 05 02 */
    CHECK_OK(aif_scale_registry_add_expr(reg, "BitVec", &id, &err), err);
    aif_scale_writer_init(&w);
    const char *js = "[true, false, true, false, false, false, false, false, false, true]";
    CHECK_OK(aif_scale_encode_json(reg, id, js, strlen(js), &w, &err), err);
    h = st_hex(w.buf, w.len);
    CHECK_STR(h, "0x280502");
    free(h);
    aif_scale_writer_release(&w);
    json_t *bits = st_decode_json(reg, id, "0x280502", 0, &err);
    CHECK(bits && json_is_string(bits) && !strcmp(json_string_value(bits), "0x0502"));
    json_decref(bits);
    CHECK(st_decode_json(reg, id, "0x2805", 0, &err) == NULL); /* 10 bits need 2 bytes */
    /* the one-byte OptionBool shim */
    aif_scale_writer_init(&w);
    aif_scale_put_option_bool(&w, -1);
    aif_scale_put_option_bool(&w, 1);
    aif_scale_put_option_bool(&w, 0);
    h = st_hex(w.buf, w.len);
    CHECK_STR(h, "0x000102");
    free(h);
    aif_scale_writer_release(&w);
    aif_scale_registry_free(reg);
}

AIF_TESTS(scale_codec) = {
    {"scale/u256_bitvec_optionbool", u256_as_integer},
    {"scale/polkadotjs_scale_vectors", polkadotjs_scale_vectors},
    {"scale/compact_examples", compact_examples},
    {"scale/compact_rejects_noncanonical", compact_rejects_noncanonical},
    {"scale/reader_bounds_and_errors", reader_bounds_and_errors},
    {"scale/camel_case_and_ss58", camel_case_and_ss58},
    {"scale/type_expressions", type_expressions},
    {NULL, NULL},
};
