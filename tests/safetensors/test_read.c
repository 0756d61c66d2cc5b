/* test_read.c: the reader on the stories260K checkpoints of testdata.
 *
 * References, all independent of the reader: config.json of each folder
 * (names and shapes of a Hugging Face Llama), the original llama2.c file
 * stories260K.bin (values; its layout is documented in llama2.c run.c and
 * testdata/README.md), and bfloat16 round-to-nearest-even written out
 * here as the conversion script did it. */
#include "harness.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* stories260K.bin (llama2.c legacy format): 7 int32 (dim, hidden_dim,
 * n_layers, n_heads, n_kv_heads, vocab_size, seq_len), then f32 tensors
 * in run.c's order. */
typedef struct l2c {
    char *buf;
    size_t len;
    int32_t dim, hidden, n_layers, n_heads, n_kv, vocab, seq;
    const float *emb, *rms_att, *wq, *wk, *wv, *wo, *rms_ffn, *w1, *w2, *w3, *rms_final;
} l2c;

static int load_l2c(l2c *m)
{
    aif_err err;
    if (aif_fs_read_file(aif_test_path("models/stories260K-llama2c/stories260K.bin"), 4u << 20, &m->buf, &m->len,
                         &err) != AIF_OK)
        return -1;
    int32_t h[7];
    memcpy(h, m->buf, sizeof h);
    m->dim = h[0], m->hidden = h[1], m->n_layers = h[2], m->n_heads = h[3], m->n_kv = h[4];
    m->vocab = h[5] < 0 ? -h[5] : h[5], m->seq = h[6];
    size_t D = (size_t)m->dim, F = (size_t)m->hidden, L = (size_t)m->n_layers, V = (size_t)m->vocab;
    size_t kv = D * (size_t)m->n_kv / (size_t)m->n_heads;
    const float *p = (const float *)(m->buf + 28); /* 28 is a multiple of 4 and buf is malloc-aligned */
    m->emb = p, p += V * D;
    m->rms_att = p, p += L * D;
    m->wq = p, p += L * D * D;
    m->wk = p, p += L * kv * D;
    m->wv = p, p += L * kv * D;
    m->wo = p, p += L * D * D;
    m->rms_ffn = p, p += L * D;
    m->w1 = p, p += L * F * D;
    m->w2 = p, p += L * D * F;
    m->w3 = p, p += L * F * D;
    m->rms_final = p, p += D;
    return (const char *)p <= m->buf + m->len ? 0 : -1;
}

/* Compare a safetensors F32 tensor with n floats of the llama2.c file. */
static int same_f32(const aif_safetensors *st, const char *name, const float *ref, size_t n)
{
    const aif_st_tensor *t = aif_safetensors_find(st, name);
    if (!t || t->dtype != AIF_DTYPE_F32 || (size_t)t->n_elements != n)
        return 0;
    return memcmp(t->data, ref, n * 4) == 0;
}

/* Hugging Face row of llama2.c row r in a q/k projection with `heads` heads
 * of size hd: transformers' permute() sends interleaved pair (2j, 2j+1) of
 * each head to rows j and j + hd/2 of that head. */
static size_t hf_row(size_t r, size_t hd)
{
    size_t h = r / hd, i = r % hd;
    return h * hd + (i % 2) * (hd / 2) + i / 2;
}

static int same_permuted(const aif_safetensors *st, const char *name, const float *ref, size_t rows, size_t cols,
                         size_t hd)
{
    const aif_st_tensor *t = aif_safetensors_find(st, name);
    if (!t || t->dtype != AIF_DTYPE_F32 || (size_t)t->n_elements != rows * cols)
        return 0;
    const float *w = t->data; /* mmap is page aligned, the header 8 + N with N % 8 == 0 */
    for (size_t r = 0; r < rows; r++)
        if (memcmp(w + hf_row(r, hd) * cols, ref + r * cols, cols * 4))
            return 0;
    return 1;
}

static void values_f32_vs_llama2c(void)
{
    l2c m = {0};
    CHECK(load_l2c(&m) == 0);
    aif_safetensors *st = NULL;
    aif_err err;
    CHECK_OK(aif_safetensors_open(aif_test_path("models/stories260K-hf-f32/model.safetensors"), &st, &err), err);
    if (!st || !m.buf) {
        aif_safetensors_close(st);
        aif_free(m.buf);
        return;
    }
    CHECK_EQ(m.dim, 64);
    size_t D = (size_t)m.dim, F = (size_t)m.hidden, V = (size_t)m.vocab, hd = D / (size_t)m.n_heads;
    size_t kv = hd * (size_t)m.n_kv;
    CHECK(same_f32(st, "model.embed_tokens.weight", m.emb, V * D));
    CHECK(same_f32(st, "lm_head.weight", m.emb, V * D));
    CHECK(same_f32(st, "model.norm.weight", m.rms_final, D));
    char name[128];
    for (size_t l = 0; l < (size_t)m.n_layers; l++) {
#define NAME(s) (snprintf(name, sizeof name, "model.layers.%zu.%s", l, s), name)
        CHECK(same_f32(st, NAME("input_layernorm.weight"), m.rms_att + l * D, D));
        CHECK(same_f32(st, NAME("post_attention_layernorm.weight"), m.rms_ffn + l * D, D));
        CHECK(same_f32(st, NAME("self_attn.v_proj.weight"), m.wv + l * kv * D, kv * D));
        CHECK(same_f32(st, NAME("self_attn.o_proj.weight"), m.wo + l * D * D, D * D));
        CHECK(same_f32(st, NAME("mlp.gate_proj.weight"), m.w1 + l * F * D, F * D));
        CHECK(same_f32(st, NAME("mlp.down_proj.weight"), m.w2 + l * D * F, D * F));
        CHECK(same_f32(st, NAME("mlp.up_proj.weight"), m.w3 + l * F * D, F * D));
        CHECK(same_permuted(st, NAME("self_attn.q_proj.weight"), m.wq + l * D * D, D, D, hd));
        CHECK(same_permuted(st, NAME("self_attn.k_proj.weight"), m.wk + l * kv * D, kv, D, hd));
        /* And the permutation matters: unpermuted q differs. */
        CHECK(!same_f32(st, NAME("self_attn.q_proj.weight"), m.wq + l * D * D, D * D));
#undef NAME
    }
    aif_safetensors_close(st);
    aif_free(m.buf);
}

/* bf16 as the conversion script made it: round to nearest even on the
 * uint32 bits (no NaN in these weights). */
static uint16_t rne_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

static void values_bf16_vs_f32(void)
{
    aif_safetensors *a = NULL, *b = NULL;
    aif_err err;
    CHECK_OK(aif_safetensors_open_dir(aif_test_path("models/stories260K-hf-f32"), &a, &err), err);
    CHECK_OK(aif_safetensors_open_dir(aif_test_path("models/stories260K-hf-bf16"), &b, &err), err);
    if (!a || !b) {
        aif_safetensors_close(a);
        aif_safetensors_close(b);
        return;
    }
    CHECK_EQ(aif_safetensors_count(a), aif_safetensors_count(b));
    size_t checked = 0, bad = 0;
    for (size_t i = 0; i < aif_safetensors_count(a); i++) {
        const aif_st_tensor *x = aif_safetensors_at(a, i), *y = aif_safetensors_find(b, x->name);
        CHECK(y != NULL);
        if (!y)
            continue;
        CHECK_EQ(y->dtype, AIF_DTYPE_BF16);
        CHECK_EQ(y->n_dims, x->n_dims);
        CHECK_EQ(y->n_elements, x->n_elements);
        for (int d = 0; d < x->n_dims; d++)
            CHECK_EQ(y->shape[d], x->shape[d]);
        for (int64_t k = 0; k < x->n_elements && y->n_elements == x->n_elements; k++) {
            float f;
            uint16_t h;
            memcpy(&f, (const uint8_t *)x->data + 4 * k, 4);
            memcpy(&h, (const uint8_t *)y->data + 2 * k, 2);
            bad += h != rne_bf16(f);
            checked++;
        }
    }
    CHECK_EQ(bad, 0);
    /* (1056540 - 28) / 4 floats in the .bin, less freq_cis (2 x 512 x 4),
     * plus lm_head (a copy of the 512 x 64 embedding). */
    CHECK_EQ(checked, (1056540 - 28) / 4 - 4096 + 512 * 64);
    aif_safetensors_close(a);
    aif_safetensors_close(b);
}

AIF_TESTS(safetensors_read) = {
    {"safetensors/layout_f32", layout_f32},
    {"safetensors/layout_bf16", layout_bf16},
    {"safetensors/values_f32_vs_llama2c", values_f32_vs_llama2c},
    {"safetensors/values_bf16_vs_f32", values_bf16_vs_f32},
    {NULL, NULL},
};
