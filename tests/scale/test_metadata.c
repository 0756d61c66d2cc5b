/* test_metadata.c: runtime metadata V14/V15 of a real subtensor runtime
 * (chain/subtensor_metadata_*.hex) against polkadot-js's decoding of the
 * same bytes (chain/subtensor_metadata_v14_summary.json,
 * subtensor_metadata_v15_runtime_apis.json) and the baseline indices of
 * the chain spec (/work/shared/spec/bittensor-chain.md sections 3.3, 8). */
#include <stdio.h>

#include "scale_test_util.h"

/* polkadot-js type names for the shapes whose naming is plain
 * (primitives, Bytes, Vec/Compact/Option/tuples/arrays of named types,
 * AccountId32, primitive_types::*). 0 when the name would need
 * polkadot-js's lookup-name algorithm: those are not compared. */
static int pjs_name(const aif_scale_registry *reg, uint32_t id, char *out, size_t cap, int depth)
{
    static const char *prims[] = {"bool", "u32", "Text", "u8", "u16", "u32", "u64", "u128", "u256",
                                  "i8", "i16", "i32", "i64", "i128", "i256"};
    const aif_scale_type *t = aif_scale_registry_get(reg, id);
    if (!t || depth > 8 || cap < 64)
        return 0;
    char a[512], b[512];
    switch (t->def) {
    case AIF_SCALE_DEF_PRIMITIVE:
        if (t->prim == AIF_SCALE_PRIM_CHAR)
            return 0;
        snprintf(out, cap, "%s", prims[t->prim]);
        return 1;
    case AIF_SCALE_DEF_SEQUENCE: {
        const aif_scale_type *e = aif_scale_registry_get(reg, t->elem);
        if (e->def == AIF_SCALE_DEF_PRIMITIVE && e->prim == AIF_SCALE_PRIM_U8) {
            snprintf(out, cap, "Bytes");
            return 1;
        }
        if (!pjs_name(reg, t->elem, a, sizeof a, depth + 1))
            return 0;
        snprintf(out, cap, "Vec<%s>", a);
        return 1;
    }
    case AIF_SCALE_DEF_COMPACT:
        if (!pjs_name(reg, t->elem, a, sizeof a, depth + 1))
            return 0;
        snprintf(out, cap, "Compact<%s>", a);
        return 1;
    case AIF_SCALE_DEF_ARRAY:
        if (!pjs_name(reg, t->elem, a, sizeof a, depth + 1))
            return 0;
        snprintf(out, cap, "[%s;%u]", a, t->len);
        return 1;
    case AIF_SCALE_DEF_TUPLE:
        if (t->n_tuple == 0) {
            snprintf(out, cap, "Null");
            return 1;
        }
        if (t->n_tuple == 1)
            return pjs_name(reg, t->tuple[0], out, cap, depth + 1);
        snprintf(b, sizeof b, "(");
        for (size_t i = 0; i < t->n_tuple; i++) {
            if (!pjs_name(reg, t->tuple[i], a, sizeof a, depth + 1))
                return 0;
            if (strlen(b) + strlen(a) + 2 >= sizeof b)
                return 0;
            if (i)
                strcat(b, ",");
            strcat(b, a);
        }
        snprintf(out, cap, "%s)", b);
        return 1;
    case AIF_SCALE_DEF_COMPOSITE:
        if (t->n_path == 3 && !strcmp(t->path[2], "AccountId32") && !strcmp(t->path[0], "sp_core")) {
            snprintf(out, cap, "AccountId32");
            return 1;
        }
        if (t->n_path == 2 && !strcmp(t->path[0], "primitive_types")) {
            snprintf(out, cap, "%s", t->path[1]);
            return 1;
        }
        return 0;
    case AIF_SCALE_DEF_VARIANT:
        if (t->n_path == 1 && !strcmp(t->path[0], "Option") && t->n_params == 1 && t->params[0].type >= 0) {
            if (!pjs_name(reg, (uint32_t)t->params[0].type, a, sizeof a, depth + 1))
                return 0;
            snprintf(out, cap, "Option<%s>", a);
            return 1;
        }
        return 0;
    default:
        return 0;
    }
}

static int compared, type_compared;

static void cmp_type(const aif_scale_registry *reg, uint32_t id, json_t *want, const char *what)
{
    char name[512];
    if (!json_is_string(want) || !pjs_name(reg, id, name, sizeof name, 0))
        return;
    type_compared++;
    if (strcmp(name, json_string_value(want)))
        aif_test_fail(__FILE__, __LINE__, "%s: type %u named %s, polkadot-js says %s", what, id, name,
                      json_string_value(want));
}

static void parse_both_versions(void)
{
    aif_scale_metadata *v14 = st_load_metadata("chain/subtensor_metadata_v14.hex");
    aif_scale_metadata *v15 = st_load_metadata("chain/subtensor_metadata_at_version_15.hex");
    CHECK(v14 && v15);
    if (!v14 || !v15)
        goto out;
    CHECK_EQ(aif_scale_metadata_version(v14), 14);
    CHECK_EQ(aif_scale_metadata_version(v15), 15);
    /* counts from the polkadot-js decodings (n_types) */
    CHECK_EQ(aif_scale_registry_count(aif_scale_metadata_registry(v14)), 552);
    CHECK_EQ(aif_scale_registry_count(aif_scale_metadata_registry(v15)), 712);
    CHECK_EQ(aif_scale_metadata_extrinsic(v14)->version, 4);
    CHECK_EQ(aif_scale_metadata_extrinsic(v15)->version, 4);
    CHECK_EQ(aif_scale_metadata_pallet_count(v14), 26);
    CHECK_EQ(aif_scale_metadata_api_count(v14), 0);
    CHECK_EQ(aif_scale_metadata_api_count(v15), 22);
    /* V15 outer enums name the RuntimeCall/RuntimeEvent/RuntimeError types */
    const aif_scale_registry *r15 = aif_scale_metadata_registry(v15);
    const aif_scale_type *call = aif_scale_registry_get(r15, (uint32_t)aif_scale_metadata_outer_enum(v15, 0));
    const aif_scale_type *ev = aif_scale_registry_get(r15, (uint32_t)aif_scale_metadata_outer_enum(v15, 1));
    CHECK(call && call->n_path && !strcmp(call->path[call->n_path - 1], "RuntimeCall"));
    CHECK(ev && ev->n_path && !strcmp(ev->path[ev->n_path - 1], "RuntimeEvent"));
    /* the extrinsic's call type is the RuntimeCall too */
    CHECK_EQ(aif_scale_metadata_extrinsic(v15)->call_type, aif_scale_metadata_outer_enum(v15, 0));
out:
    aif_scale_metadata_free(v14);
    aif_scale_metadata_free(v15);
}

static void v14_matches_polkadotjs_summary(void)
{
    json_error_t je;
    json_t *sum = json_load_file(aif_test_path("chain/subtensor_metadata_v14_summary.json"), 0, &je);
    aif_scale_metadata *md = st_load_metadata("chain/subtensor_metadata_v14.hex");
    CHECK(sum && md);
    if (!sum || !md)
        goto out;
    const aif_scale_registry *reg = aif_scale_metadata_registry(md);
    CHECK_EQ(json_integer_value(json_object_get(sum, "n_types")), aif_scale_registry_count(reg));
    CHECK_EQ(json_integer_value(json_object_get(sum, "extrinsic_version")), aif_scale_metadata_extrinsic(md)->version);
    json_t *pallets = json_object_get(sum, "pallets");
    CHECK_EQ(json_array_size(pallets), aif_scale_metadata_pallet_count(md));
    compared = type_compared = 0;
    size_t i;
    json_t *jp;
    json_array_foreach(pallets, i, jp) {
        const char *pname = json_string_value(json_object_get(jp, "name"));
        const aif_scale_pallet *p = NULL;
        aif_err err = {0};
        CHECK_OK(aif_scale_metadata_find_pallet(md, pname, &p, &err), err);
        if (!p)
            continue;
        CHECK(p == aif_scale_metadata_pallet(md, i)); /* same order */
        CHECK_EQ(p->index, json_integer_value(json_object_get(jp, "index")));
        json_t *prefix = json_object_get(jp, "storage_prefix");
        if (json_is_string(prefix))
            CHECK_STR(p->storage_prefix, json_string_value(prefix));
        else
            CHECK(p->storage_prefix == NULL);
        json_t *st = json_object_get(jp, "storage");
        CHECK_EQ(json_array_size(st), p->n_storage);
        size_t k;
        json_t *je2;
        json_array_foreach(st, k, je2) {
            if (k >= p->n_storage)
                break;
            const aif_scale_storage_entry *e = &p->storage[k];
            CHECK_STR(e->name, json_string_value(json_object_get(je2, "name")));
            CHECK_STR(e->is_map ? "Map" : "Plain", json_string_value(json_object_get(je2, "kind")));
            CHECK_STR(e->is_default ? "Default" : "Optional", json_string_value(json_object_get(je2, "modifier")));
            json_t *hs = json_object_get(je2, "hashers");
            CHECK_EQ(json_array_size(hs), e->n_hashers);
            for (size_t h = 0; h < e->n_hashers && h < json_array_size(hs); h++)
                CHECK_STR(aif_scale_hasher_name(e->hashers[h]), json_string_value(json_array_get(hs, h)));
            char what[160];
            snprintf(what, sizeof what, "%s.%s value", pname, e->name);
            cmp_type(reg, e->value_type, json_object_get(je2, "value"), what);
            if (e->is_map) {
                snprintf(what, sizeof what, "%s.%s key", pname, e->name);
                cmp_type(reg, e->key_type, json_object_get(je2, "key"), what);
            }
            compared++;
        }
        json_t *calls = json_object_get(jp, "calls");
        const aif_scale_type *ct = p->calls_type >= 0 ? aif_scale_registry_get(reg, (uint32_t)p->calls_type) : NULL;
        CHECK_EQ(json_array_size(calls), ct ? ct->n_variants : 0);
        json_t *jc;
        json_array_foreach(calls, k, jc) {
            const char *cname = json_string_value(json_object_get(jc, "name"));
            aif_scale_call c;
            CHECK_OK(aif_scale_metadata_find_call(md, pname, cname, &c, &err), err);
            if (err.code)
                continue;
            CHECK_EQ(c.pallet_index, p->index);
            CHECK_EQ(c.call_index, json_integer_value(json_object_get(jc, "index")));
            json_t *fields = json_object_get(jc, "fields");
            CHECK_EQ(json_array_size(fields), c.variant->n_fields);
            for (size_t f = 0; f < c.variant->n_fields && f < json_array_size(fields); f++) {
                json_t *jf = json_array_get(fields, f);
                CHECK_STR(c.variant->fields[f].name, json_string_value(json_object_get(jf, "name")));
                char what[160];
                snprintf(what, sizeof what, "%s.%s arg %s", pname, cname, c.variant->fields[f].name);
                cmp_type(reg, c.variant->fields[f].type, json_object_get(jf, "type"), what);
            }
            compared++;
        }
        json_t *consts = json_object_get(jp, "constants");
        CHECK_EQ(json_array_size(consts), p->n_constants);
        json_t *jk;
        json_array_foreach(consts, k, jk) {
            const char *kname = json_string_value(json_object_get(jk, "name"));
            const aif_scale_constant *c = NULL;
            CHECK_OK(aif_scale_metadata_find_constant(md, pname, kname, &c, &err), err);
            if (!c)
                continue;
            char *hex = st_hex(c->value, c->value_len);
            CHECK_STR(hex, json_string_value(json_object_get(jk, "value_hex")));
            free(hex);
            char what[160];
            snprintf(what, sizeof what, "%s.%s constant", pname, kname);
            cmp_type(reg, c->type, json_object_get(jk, "type"), what);
            /* every constant decodes with its own type, consuming all bytes */
            aif_scale_reader r;
            aif_scale_reader_init(&r, c->value, c->value_len);
            CHECK_OK(aif_scale_skip(reg, c->type, &r, &err), err);
            CHECK_EQ(r.pos, c->value_len);
            compared++;
        }
    }
    /* 26 pallets: several hundred entries, and most types plain enough to name */
    CHECK(compared > 600);
    CHECK(type_compared > 400);
out:
    json_decref(sum);
    aif_scale_metadata_free(md);
}

static void v15_runtime_apis_match_polkadotjs(void)
{
    json_error_t je;
    json_t *sum = json_load_file(aif_test_path("chain/subtensor_metadata_v15_runtime_apis.json"), 0, &je);
    aif_scale_metadata *md = st_load_metadata("chain/subtensor_metadata_at_version_15.hex");
    CHECK(sum && md);
    if (!sum || !md)
        goto out;
    CHECK_EQ(json_integer_value(json_object_get(sum, "n_types")),
             aif_scale_registry_count(aif_scale_metadata_registry(md)));
    json_t *pallets = json_object_get(sum, "pallets");
    CHECK_EQ(json_array_size(pallets), aif_scale_metadata_pallet_count(md));
    for (size_t i = 0; i < json_array_size(pallets) && i < aif_scale_metadata_pallet_count(md); i++) {
        CHECK_STR(aif_scale_metadata_pallet(md, i)->name, json_string_value(json_object_get(json_array_get(pallets, i), "name")));
        CHECK_EQ(aif_scale_metadata_pallet(md, i)->index,
                 json_integer_value(json_object_get(json_array_get(pallets, i), "index")));
    }
    json_t *apis = json_object_get(sum, "apis");
    CHECK_EQ(json_array_size(apis), aif_scale_metadata_api_count(md));
    size_t methods = 0;
    for (size_t i = 0; i < json_array_size(apis) && i < aif_scale_metadata_api_count(md); i++) {
        json_t *ja = json_array_get(apis, i);
        const aif_scale_runtime_api *a = aif_scale_metadata_api(md, i);
        CHECK_STR(a->name, json_string_value(json_object_get(ja, "name")));
        json_t *jm = json_object_get(ja, "methods");
        CHECK_EQ(json_array_size(jm), a->n_methods);
        for (size_t j = 0; j < a->n_methods && j < json_array_size(jm); j++) {
            json_t *m = json_array_get(jm, j);
            const aif_scale_api_method *me = NULL;
            aif_err err = {0};
            CHECK_OK(aif_scale_metadata_find_runtime_api(md, a->name, json_string_value(json_object_get(m, "name")),
                                                         &me, &err), err);
            if (!me)
                continue;
            CHECK(me == &a->methods[j]);
            CHECK_EQ(me->output, json_integer_value(json_object_get(m, "output_type_id")));
            json_t *in = json_object_get(m, "inputs");
            CHECK_EQ(json_array_size(in), me->n_inputs);
            for (size_t k = 0; k < me->n_inputs && k < json_array_size(in); k++) {
                CHECK_STR(me->inputs[k].name, json_string_value(json_object_get(json_array_get(in, k), "name")));
                CHECK_EQ(me->inputs[k].type, json_integer_value(json_object_get(json_array_get(in, k), "type_id")));
            }
            methods++;
        }
    }
    CHECK(methods > 50);
    /* the state_call form of the name */
    const aif_scale_api_method *m = NULL;
    aif_err err = {0};
    CHECK_OK(aif_scale_metadata_find_runtime_api(md, "NeuronInfoRuntimeApi_get_neurons_lite", NULL, &m, &err), err);
    CHECK(m && m->n_inputs == 1 && !strcmp(m->inputs[0].name, "netuid"));
    CHECK_ERR(aif_scale_metadata_find_runtime_api(md, "NeuronInfoRuntimeApi_nope", NULL, &m, &err), AIF_ENOTFOUND,
              err, "NeuronInfoRuntimeApi_nope");
out:
    json_decref(sum);
    aif_scale_metadata_free(md);
}

/* The pallets, calls and storage the chain spec relies on (sections 3.3,
 * 4, 8.1-8.5), with the baseline indices it gives. */
static void chain_spec_items(void)
{
    aif_scale_metadata *md = st_load_metadata("chain/subtensor_metadata_v14.hex");
    if (!md)
        return;
    aif_err err = {0};
    const aif_scale_pallet *p = NULL;
    static const struct { const char *name; int index; } pallets[] = {
        {"System", 0}, {"Balances", 5}, {"SubtensorModule", 7}, {"Commitments", 18}, {"AdminUtils", 19}, {"Drand", 26}};
    for (size_t i = 0; i < sizeof pallets / sizeof pallets[0]; i++) {
        CHECK_OK(aif_scale_metadata_find_pallet(md, pallets[i].name, &p, &err), err);
        if (p)
            CHECK_EQ(p->index, pallets[i].index);
    }
    static const struct { const char *pallet, *call; int index; const char *args; } calls[] = {
        {"Commitments", "set_commitment", 0, "netuid,info"},
        {"SubtensorModule", "set_weights", 0, "netuid,dests,weights,version_key"},
        {"SubtensorModule", "commit_weights", 96, "netuid,commit_hash"},
        {"SubtensorModule", "reveal_weights", 97, "netuid,uids,values,salt,version_key"},
        {"SubtensorModule", "commit_timelocked_weights", 113, "netuid,commit,reveal_round,commit_reveal_version"},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        aif_scale_call c;
        CHECK_OK(aif_scale_metadata_find_call(md, calls[i].pallet, calls[i].call, &c, &err), err);
        if (err.code) {
            aif_err_clear(&err);
            continue;
        }
        CHECK_EQ(c.call_index, calls[i].index);
        char args[256] = "";
        for (size_t f = 0; f < c.variant->n_fields; f++) {
            strcat(args, f ? "," : "");
            strcat(args, c.variant->fields[f].name);
        }
        CHECK_STR(args, calls[i].args);
    }
    static const struct { const char *pallet, *entry; const char *hashers; int is_default; } st[] = {
        {"System", "Account", "Blake2_128Concat", 1},
        {"System", "Number", "", 1},
        {"System", "Events", "", 1},
        {"Commitments", "CommitmentOf", "Identity,Twox64Concat", 0},
        {"Commitments", "LastCommitment", "Identity,Twox64Concat", 0},
        {"Commitments", "MaxSpace", "", 1},
        {"SubtensorModule", "Uids", "Identity,Blake2_128Concat", 0},
        {"SubtensorModule", "Keys", "Identity,Identity", 1},
        {"SubtensorModule", "SubnetworkN", "Identity", 1},
        {"SubtensorModule", "Owner", "Blake2_128Concat", 1},
        {"SubtensorModule", "Weights", "Identity,Identity", 1},
        {"SubtensorModule", "TotalHotkeyAlpha", "Blake2_128Concat,Identity", 1},
        {"SubtensorModule", "Axons", "Identity,Blake2_128Concat", 0},
        {"SubtensorModule", "RevealPeriodEpochs", "Twox64Concat", 1},
        {"SubtensorModule", "WeightCommits", "Twox64Concat,Twox64Concat", 0},
        {"SubtensorModule", "CommitRevealWeightsVersion", "", 1},
        {"SubtensorModule", "Tempo", "Identity", 1},
        {"SubtensorModule", "LastUpdate", "Identity", 1},
    };
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        const aif_scale_storage_entry *e = NULL;
        CHECK_OK(aif_scale_metadata_find_storage(md, st[i].pallet, st[i].entry, &e, &err), err);
        if (!e) {
            aif_err_clear(&err);
            continue;
        }
        char hs[256] = "";
        for (size_t h = 0; h < e->n_hashers; h++) {
            strcat(hs, h ? "," : "");
            strcat(hs, aif_scale_hasher_name(e->hashers[h]));
        }
        if (strcmp(hs, st[i].hashers) || e->is_default != st[i].is_default)
            aif_test_fail(__FILE__, __LINE__, "%s.%s: hashers %s default %d", st[i].pallet, st[i].entry, hs,
                          e->is_default);
    }
    /* signed extensions in the order the spec's table lists them */
    const aif_scale_extrinsic_info *x = aif_scale_metadata_extrinsic(md);
    const char *order[] = {"CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis",
                           "CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment"};
    CHECK(x->n_signed_exts >= 8);
    for (size_t i = 0; i < 8 && i < x->n_signed_exts; i++)
        CHECK_STR(x->signed_exts[i].identifier, order[i]);
    CHECK_STR(x->signed_exts[x->n_signed_exts - 1].identifier, "CheckMetadataHash");
    /* System.ExtrinsicSuccess is event 0, ExtrinsicFailed 1 (spec 1.5) */
    const aif_scale_variant *v = NULL;
    CHECK_OK(aif_scale_metadata_find_event(md, "System", "ExtrinsicFailed", &v, &err), err);
    CHECK(v && v->index == 1);
    CHECK_OK(aif_scale_metadata_find_error(md, "SubtensorModule", "CommitRevealEnabled", &v, &err), err);
    CHECK_ERR(aif_scale_metadata_find_call(md, "SubtensorModule", "commit_crv3_weights", &(aif_scale_call){0}, &err),
              AIF_ENOTFOUND, err, "commit_crv3_weights");
    CHECK_ERR(aif_scale_metadata_find_pallet(md, "Nope", &p, &err), AIF_ENOTFOUND, err, "Nope");
    aif_scale_metadata_free(md);
}

/* Truncations, bad magic, bad version, trailing bytes, a bad wrapper. */
static void hostile_metadata(void)
{
    char *buf = NULL;
    size_t n = 0;
    aif_err err = {0};
    CHECK_OK(aif_fs_read_file(aif_test_path("chain/subtensor_metadata_v14.hex"), 8u << 20, &buf, &n, &err), err);
    if (!buf)
        return;
    size_t blen = 0;
    uint8_t *b = st_unhex(buf, &blen);
    aif_free(buf);
    CHECK(b != NULL);
    if (!b)
        return;
    aif_scale_metadata *md = NULL;
    /* every truncation point in a sample fails cleanly, naming an offset */
    for (size_t cut = 0; cut < blen; cut += blen / 97 + 1) {
        aif_code rc = aif_scale_metadata_parse(b, cut, &md, &err);
        CHECK(rc != AIF_OK && md == NULL);
        CHECK(strstr(err.msg, "offset") != NULL || strstr(err.msg, "magic") != NULL);
        aif_scale_metadata_free(md);
        md = NULL;
        /* the same without an error struct (a fuzzer found that a wrapped
         * error used to read as success then: regress_null_err) */
        CHECK(aif_scale_metadata_parse(b, cut, &md, NULL) != AIF_OK && md == NULL);
    }
    uint8_t *c = malloc(blen + 1);
    memcpy(c, b, blen);
    c[blen] = 0;
    CHECK_ERR(aif_scale_metadata_parse(c, blen + 1, &md, &err), AIF_EFORMAT, err, "1 trailing bytes");
    c[4] = 13;
    CHECK_ERR(aif_scale_metadata_parse(c, blen, &md, &err), AIF_ENOTSUP, err, "version 13");
    c[4] = 14;
    c[0] = 'M';
    CHECK_ERR(aif_scale_metadata_parse(c, blen, &md, &err), AIF_EFORMAT, err, "magic");
    /* the runtime type id (the last field, a two-byte compact here) pointing
     * beyond the registry */
    memcpy(c, b, blen);
    CHECK_EQ(c[blen - 2] & 3, 1);
    c[blen - 1] = 0xff;
    CHECK_ERR(aif_scale_metadata_parse(c, blen, &md, &err), AIF_EFORMAT, err, "beyond the 552 types");
    free(c);
    /* Option wrapper: 01 || Compact(len) || bytes, with a wrong length */
    uint8_t *w = malloc(blen + 8);
    aif_scale_writer wr;
    aif_scale_writer_init(&wr);
    aif_scale_put_u8(&wr, 1);
    aif_scale_put_bytes(&wr, b, blen);
    CHECK_OK(aif_scale_metadata_parse(wr.buf, wr.len, &md, &err), err);
    CHECK(md && aif_scale_metadata_version(md) == 14);
    aif_scale_metadata_free(md);
    md = NULL;
    wr.buf[1] ^= 4; /* length now off by one: falls through to a missing magic */
    CHECK_ERR(aif_scale_metadata_parse(wr.buf, wr.len, &md, &err), AIF_EFORMAT, err, "magic");
    uint8_t none = 0;
    CHECK_ERR(aif_scale_metadata_parse(&none, 1, &md, &err), AIF_ENOTFOUND, err, "None");
    aif_scale_writer_release(&wr);
    free(w);
    free(b);
}

AIF_TESTS(scale_metadata) = {
    {"scale/metadata_parse_both_versions", parse_both_versions},
    {"scale/metadata_v14_matches_polkadotjs", v14_matches_polkadotjs_summary},
    {"scale/metadata_v15_runtime_apis", v15_runtime_apis_match_polkadotjs},
    {"scale/metadata_chain_spec_items", chain_spec_items},
    {"scale/metadata_hostile", hostile_metadata},
    {NULL, NULL},
};
