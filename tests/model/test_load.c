/* test_load.c: loading model directories. A seeded random Qwen2 model is
 * written with aif_safetensors_save and loaded back: the logits must be
 * bit-identical to the same weights fed in memory (test_forward.c checks
 * those against a float64 reference). Config variants of the stories260K
 * directory give errors naming the tensor and the directory; its
 * lm_head.weight is a copy of the embedding (testdata README), so a tied
 * config must load and give the same logits with 512*64 fewer parameters. */
#include "harness.h"


#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/fs.h"
#include "../../src/kernels/kernels.h"
#include "aif/model.h"

static const char *CFG =
    "{\"architectures\":[\"Qwen2ForCausalLM\"],\"model_type\":\"qwen2\",\"hidden_size\":32,"
    "\"intermediate_size\":48,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
    "\"vocab_size\":61,\"rms_norm_eps\":1e-6,\"rope_theta\":1000000.0,\"tie_word_embeddings\":true,"
    "\"torch_dtype\":\"bfloat16\",\"eos_token_id\":3}";

static void saved_model_round_trip(void)
{
    if (aif_test_injecting())
        return;
    aif_model_config c;
    aif_err err = {0};
    CHECK_OK(aif_model_config_parse(CFG, strlen(CFG), "cfg", &c, &err), err);
    const char *dir = aif_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/config.json", dir);
    CHECK_OK(aif_fs_write_file(path, CFG, strlen(CFG), &err), err);
    /* tensors: names and shapes per layer */
    const char *lnames[] = {"input_layernorm.weight", "post_attention_layernorm.weight", "self_attn.q_proj.weight",
                            "self_attn.q_proj.bias", "self_attn.k_proj.weight", "self_attn.k_proj.bias",
                            "self_attn.v_proj.weight", "self_attn.v_proj.bias", "self_attn.o_proj.weight",
                            "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"};
    int64_t lshape[][2] = {{32, 0}, {32, 0}, {32, 32}, {32, 0}, {16, 32}, {16, 0}, {16, 32}, {16, 0}, {32, 32},
                           {48, 32}, {48, 32}, {32, 48}};
    enum { NT = 2 * 12 + 2 };
    char names[NT][80];
    int64_t shapes[NT][2];
    aif_st_write wr[NT];
    aif_st_tensor mem[NT];
    uint16_t *bufs[NT];
    size_t n = 0;
    uint32_t s = 7;
    for (int l = -1; l <= 2; l++) {
        int cnt = (l < 0 || l == 2) ? 1 : 12;
        for (int i = 0; i < cnt; i++, n++) {
            if (l < 0)
                snprintf(names[n], 80, "model.embed_tokens.weight"), shapes[n][0] = 61, shapes[n][1] = 32;
            else if (l == 2)
                snprintf(names[n], 80, "model.norm.weight"), shapes[n][0] = 32, shapes[n][1] = 0;
            else
                snprintf(names[n], 80, "model.layers.%d.%s", l, lnames[i]), shapes[n][0] = lshape[i][0],
                                                                            shapes[n][1] = lshape[i][1];
            size_t ne = (size_t)(shapes[n][0] * (shapes[n][1] ? shapes[n][1] : 1));
            bufs[n] = malloc(ne * 2);
            int norm = strstr(names[n], "norm") != NULL;
            for (size_t k = 0; k < ne; k++) {
                s = s * 1664525u + 1013904223u;
                float f = ((float)(s >> 9) / (float)(1u << 23) - 0.5f) * (norm ? 0.2f : 0.6f) + (norm ? 1.0f : 0.0f);
                bufs[n][k] = aif_f32_to_bf16(f);
            }
            wr[n] = (aif_st_write){names[n], AIF_DTYPE_BF16, shapes[n][1] ? 2 : 1, shapes[n], bufs[n]};
            mem[n] = (aif_st_tensor){names[n], AIF_DTYPE_BF16, shapes[n][1] ? 2 : 1, {shapes[n][0], shapes[n][1]},
                                     (int64_t)ne, bufs[n], ne * 2, NULL};
        }
    }
    CHECK_EQ(n, NT);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    const char *meta[] = {"format", "pt"};
    CHECK_OK(aif_safetensors_save(path, wr, n, meta, 1, &err), err);
    aif_model *a = NULL, *b = NULL;
    CHECK_OK(aif_model_load(dir, &a, &err), err);
    CHECK_OK(aif_model_new(&c, mem, n, &b, &err), err);
    if (a && b) {
        /* 61*32 + 2*(2*32 + 32*32 + 32 + 2*(16*32 + 16) + 32*32 + 3*32*48) + 32, tied */
        CHECK_EQ(aif_model_param_count(a), 61 * 32 + 2 * (64 + 1024 + 32 + 2 * (512 + 16) + 1024 + 3 * 1536) + 32);
        CHECK_EQ(aif_model_file_bytes(a), aif_fs_file_size(path));
        CHECK_EQ(aif_model_weight_bytes(a), 2 * aif_model_param_count(a));
        CHECK_EQ(aif_model_dtype(a), AIF_DTYPE_BF16);
        int32_t tok[2 * 9] = {1, 5, 9, 60, 2, 3, 3, 7, 11, 0, 4, 8, 15, 16, 23, 42, 59, 1};
        float la[2 * 9 * 61], lb[2 * 9 * 61];
        CHECK_OK(aif_model_logits(a, NULL, tok, 2, 9, la, &err), err);
        CHECK_OK(aif_model_logits(b, NULL, tok, 2, 9, lb, &err), err);
        CHECK_MEM(la, lb, sizeof la);
        /* batch of 2 == each sequence alone */
        CHECK_OK(aif_model_logits(b, NULL, tok + 9, 1, 9, lb, &err), err);
        CHECK_MEM(la + 9 * 61, lb, 9 * 61 * sizeof(float));
    }
    aif_model_free(a);
    aif_model_free(b);
    for (size_t i = 0; i < n; i++)
        free(bufs[i]);
}

/* A directory with the stories260K weights and an edited config. */
static aif_code load_variant(const char *key, const char *value_json, aif_model **m, aif_err *err, char *dir_out)
{
    const char *src = aif_test_path("models/stories260K-hf-f32");
    const char *dir = aif_test_tmpdir();
    char p[2048], q[1024];
    snprintf(p, sizeof p, "%s/config.json", src);
    json_error_t je;
    json_t *cfg = json_load_file(p, 0, &je);
    if (!cfg)
        return aif_err_set(err, AIF_EIO, "test: %s", je.text);
    if (key)
        json_object_set_new(cfg, key, json_loads(value_json, JSON_DECODE_ANY, &je));
    snprintf(q, sizeof q, "%s/config.json", dir);
    json_dump_file(cfg, q, 0);
    json_decref(cfg);
    snprintf(p, sizeof p, "%s/model.safetensors", src);
    snprintf(q, sizeof q, "%s/model.safetensors", dir);
    if (p[0] != '/') { /* relative testdata path: make the link absolute */
        char cwd[512];
        if (!getcwd(cwd, sizeof cwd))
            return AIF_EIO;
        char abs[2048];
        snprintf(abs, sizeof abs, "%.500s/%.1500s", cwd, p);
        snprintf(p, sizeof p, "%s", abs);
    }
    if (symlink(p, q))
        return aif_err_set(err, AIF_EIO, "test: symlink failed");
    snprintf(dir_out, 512, "%s", dir);
    return aif_model_load(dir, m, err);
}

static void hostile_directories(void)
{
    if (aif_test_injecting())
        return;
    aif_model *m = NULL;
    aif_err err = {0};
    char dir[512];
    CHECK_ERR(load_variant("intermediate_size", "173", &m, &err, dir), AIF_EFORMAT, err,
              "tensor 'model.layers.0.mlp.down_proj.weight': shape [64, 172], expected [64, 173] from config.json");
    CHECK(strstr(err.msg, dir) != NULL);
    CHECK_ERR(load_variant("num_hidden_layers", "4", &m, &err, dir), AIF_EFORMAT, err,
              "unexpected tensor 'model.layers.4.");
    CHECK_ERR(load_variant("num_hidden_layers", "6", &m, &err, dir), AIF_ENOTFOUND, err,
              "missing tensor 'model.layers.5.input_layernorm.weight'");
    CHECK_ERR(load_variant("attention_bias", "true", &m, &err, dir), AIF_ENOTFOUND, err,
              "missing tensor 'model.layers.0.self_attn.q_proj.bias'");
    CHECK_ERR(load_variant("model_type", "\"qwen2\"", &m, &err, dir), AIF_ENOTFOUND, err, "q_proj.bias'");
    CHECK_ERR(load_variant("num_key_value_heads", "8", &m, &err, dir), AIF_EFORMAT, err,
              "'model.layers.0.self_attn.k_proj.weight': shape [32, 64], expected [64, 64]");
    CHECK_ERR(load_variant("rms_norm_eps", "-1", &m, &err, dir), AIF_ERANGE, err, "\"rms_norm_eps\" = -1");
    CHECK(strstr(err.msg, "config.json") != NULL);
    CHECK_ERR(aif_model_load(aif_test_tmpdir(), &m, &err), AIF_ENOTFOUND, err, "config.json");
    CHECK(m == NULL);

    /* tied: lm_head.weight equals the embedding in these files */
    aif_model *t = NULL, *u = NULL;
    CHECK_OK(load_variant("tie_word_embeddings", "true", &t, &err, dir), err);
    CHECK_OK(aif_model_load(aif_test_path("models/stories260K-hf-f32"), &u, &err), err);
    if (t && u) {
        CHECK_EQ(aif_model_param_count(u) - aif_model_param_count(t), 512 * 64);
        int32_t tok[6] = {1, 461, 401, 378, 13, 300};
        float lt[6 * 512], lu[6 * 512];
        CHECK_OK(aif_model_logits(t, NULL, tok, 1, 6, lt, &err), err);
        CHECK_OK(aif_model_logits(u, NULL, tok, 1, 6, lu, &err), err);
        CHECK_MEM(lt, lu, sizeof lt);
    }
    aif_model_free(t);
    aif_model_free(u);
}

/* The bf16 testdata file was made from the f32 one by round-to-nearest-even
 * (README): casting the f32 model to bf16 must give the bf16 model's
 * logits bit for bit; casting back to f32 changes the values of no weight,
 * so the logits stay the same: bit for bit where f32 and bf16 weights go
 * through the same kernels, within f32 accumulation order (2e-5 relative to
 * the largest logit) where bf16 weights run on AMX tiles and f32 ones on FMA. */
static void cast_matches_bf16_file(void)
{
    aif_model *a = NULL, *b = NULL;
    aif_err err = {0};
    aif_code rc = aif_model_load(aif_test_path("models/stories260K-hf-f32"), &a, &err);
    if (rc == AIF_ENOMEM && aif_test_injecting())
        return;
    CHECK_OK(rc, err);
    rc = aif_model_load(aif_test_path("models/stories260K-hf-bf16"), &b, &err);
    CHECK(rc == AIF_OK || (rc == AIF_ENOMEM && aif_test_injecting()));
    rc = a ? aif_model_cast(a, AIF_DTYPE_BF16, &err) : AIF_ENOMEM;
    CHECK(rc == AIF_OK || (rc == AIF_ENOMEM && aif_test_injecting()));
    if (a && b && rc == AIF_OK) {
        CHECK_EQ(aif_model_dtype(a), AIF_DTYPE_BF16);
        int32_t tok[7] = {1, 461, 401, 378, 13, 300, 511};
        float la[7 * 512], lb[7 * 512];
        CHECK_OK(aif_model_logits(a, NULL, tok, 1, 7, la, &err), err);
        CHECK_OK(aif_model_logits(b, NULL, tok, 1, 7, lb, &err), err);
        CHECK_MEM(la, lb, sizeof la);
        CHECK_OK(aif_model_cast(b, AIF_DTYPE_F32, &err), err);
        CHECK_EQ(aif_model_dtype(b), AIF_DTYPE_F32);
        CHECK_OK(aif_model_logits(b, NULL, tok, 1, 7, la, &err), err);
        const struct aif_kernels *k = aif_kernels_get();
        if (!k->w16_gemm) {
            CHECK_MEM(la, lb, sizeof la);
        } else {
            float big = 0;
            for (size_t i = 0; i < 7 * 512; i++)
                big = fabsf(lb[i]) > big ? fabsf(lb[i]) : big;
            for (size_t i = 0; i < 7 * 512; i++)
                if (fabsf(la[i] - lb[i]) > 2e-5f * big) {
                    aif_test_fail(__FILE__, __LINE__, "logit %zu: f32 %.9g bf16 %.9g", i, la[i], lb[i]);
                    break;
                }
        }
    }
    aif_model_free(a);
    aif_model_free(b);
}

AIF_TESTS(model_load) = {
    {"model/cast_matches_bf16_file", cast_matches_bf16_file},
    {"model/load_saved_round_trip", saved_model_round_trip},
    {"model/load_hostile_directories", hostile_directories},
    {NULL, NULL},
};
