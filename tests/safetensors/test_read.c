/* test_read.c: the reader on the stories260K checkpoints of testdata.
 *
 * References, all independent of the reader: config.json of each folder
 * (names and shapes of a Hugging Face Llama), the original llama2.c file
 * stories260K.bin (values; its layout is documented in llama2.c run.c and
 * testdata/README.md), and bfloat16 round-to-nearest-even written out
 * here as the conversion script did it. */
#include "harness.h"

#include <jansson.h>
#include <stdlib.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/safetensors.h"

typedef struct cfg {
    long H, I, L, nh, nkv, hd, V;
} cfg;

static int load_cfg(const char *dir, cfg *c)
{
    char path[512];
    snprintf(path, sizeof path, "%s/config.json", dir);
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (!j)
        return -1;
    c->H = (long)json_integer_value(json_object_get(j, "hidden_size"));
    c->I = (long)json_integer_value(json_object_get(j, "intermediate_size"));
    c->L = (long)json_integer_value(json_object_get(j, "num_hidden_layers"));
    c->nh = (long)json_integer_value(json_object_get(j, "num_attention_heads"));
    c->nkv = (long)json_integer_value(json_object_get(j, "num_key_value_heads"));
    c->hd = (long)json_integer_value(json_object_get(j, "head_dim"));
    c->V = (long)json_integer_value(json_object_get(j, "vocab_size"));
    int tie = json_is_true(json_object_get(j, "tie_word_embeddings"));
    json_decref(j);
    return tie ? -1 : 0; /* these checkpoints carry lm_head.weight */
}

static void check_shape(const aif_safetensors *st, const char *name, aif_dtype dt, long d0, long d1)
{
    const aif_st_tensor *t = aif_safetensors_find(st, name);
    if (!t) {
        aif_test_fail(__FILE__, __LINE__, "tensor %s missing", name);
        return;
    }
    CHECK_STR(t->name, name);
    CHECK_EQ(t->dtype, dt);
    CHECK_EQ(t->n_dims, d1 ? 2 : 1);
    CHECK_EQ(t->shape[0], d0);
    if (d1)
        CHECK_EQ(t->shape[1], d1);
    CHECK_EQ(t->n_elements, d0 * (d1 ? d1 : 1));
    CHECK_EQ(t->n_bytes, (size_t)t->n_elements * (dt == AIF_DTYPE_F32 ? 4 : 2));
}

static void check_layout(const char *rel, aif_dtype dt)
{
    const char *dir = aif_test_path(rel);
    cfg c;
    CHECK(load_cfg(dir, &c) == 0);
    aif_safetensors *st = NULL;
    aif_err err;
    CHECK_OK(aif_safetensors_open_dir(dir, &st, &err), err);
    if (!st)
        return;
    CHECK_EQ(aif_safetensors_count(st), 3 + 9 * c.L);
    check_shape(st, "model.embed_tokens.weight", dt, c.V, c.H);
    check_shape(st, "lm_head.weight", dt, c.V, c.H);
    check_shape(st, "model.norm.weight", dt, c.H, 0);
    char name[128];
    for (long l = 0; l < c.L; l++) {
#define LAYER(suffix, d0, d1) \
    snprintf(name, sizeof name, "model.layers.%ld.%s", l, suffix), check_shape(st, name, dt, d0, d1)
        LAYER("input_layernorm.weight", c.H, 0);
        LAYER("post_attention_layernorm.weight", c.H, 0);
        LAYER("self_attn.q_proj.weight", c.nh * c.hd, c.H);
        LAYER("self_attn.k_proj.weight", c.nkv * c.hd, c.H);
        LAYER("self_attn.v_proj.weight", c.nkv * c.hd, c.H);
        LAYER("self_attn.o_proj.weight", c.H, c.nh * c.hd);
        LAYER("mlp.gate_proj.weight", c.I, c.H);
        LAYER("mlp.up_proj.weight", c.I, c.H);
        LAYER("mlp.down_proj.weight", c.H, c.I);
#undef LAYER
    }
    CHECK(aif_safetensors_find(st, "model.layers.99.mlp.up_proj.weight") == NULL);
    CHECK(aif_safetensors_find(st, "") == NULL);
    CHECK_STR(aif_safetensors_metadata(st, "format"), "pt");
    CHECK(aif_safetensors_metadata(st, "framework") == NULL);
    char file[512];
    snprintf(file, sizeof file, "%s/model.safetensors", dir);
    CHECK_EQ(aif_safetensors_total_bytes(st), aif_fs_file_size(file));
    /* File order: by data offset, contiguous, ending at the file's end. */
    const uint8_t *prev_end = NULL;
    for (size_t i = 0; i < aif_safetensors_count(st); i++) {
        const aif_st_tensor *t = aif_safetensors_at(st, i);
        CHECK_STR(t->file, file);
        if (prev_end)
            CHECK(t->data == prev_end);
        prev_end = (const uint8_t *)t->data + t->n_bytes;
    }
    CHECK(aif_safetensors_at(st, aif_safetensors_count(st)) == NULL);
    /* The tensors fill the file after the 8 + N header bytes (N read here
     * with stdio, not through the reader). */
    FILE *f = fopen(file, "rb");
    uint8_t len8[8] = {0};
    CHECK(f && fread(len8, 1, 8, f) == 8);
    if (f)
        fclose(f);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = (n << 8) | len8[i];
    const uint8_t *base = (const uint8_t *)aif_safetensors_at(st, 0)->data;
    CHECK_EQ((uint64_t)(prev_end - base), aif_safetensors_total_bytes(st) - 8 - n);
    aif_safetensors_close(st);
}

static void layout_f32(void) { check_layout("models/stories260K-hf-f32", AIF_DTYPE_F32); }
static void layout_bf16(void) { check_layout("models/stories260K-hf-bf16", AIF_DTYPE_BF16); }

AIF_TESTS(safetensors_read) = {
    {"safetensors/layout_f32", layout_f32},
    {"safetensors/layout_bf16", layout_bf16},
    {NULL, NULL},
};
