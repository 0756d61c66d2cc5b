/* demo_model.c: closed-form demo models for the local subnet (local.h). */
#include "aif/local.h"
#include "aif/alloc.h"
#include "aif/fs.h"
#include "aif/safetensors.h"
#include "aif/tensor.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define N_HEADS 8
#define INTERMEDIATE 8

/* One bf16 tensor to be written, zero-initialised. */
struct tensor {
    char name[96];
    int64_t shape[2];
    int n_dims;
    uint16_t *data;
};

static aif_code alloc_tensor(struct tensor *t, const char *name, int64_t rows, int64_t cols, aif_err *err)
{
    snprintf(t->name, sizeof t->name, "%s", name);
    t->shape[0] = rows;
    t->shape[1] = cols;
    t->n_dims = cols ? 2 : 1;
    size_t n = (size_t)rows * (size_t)(cols ? cols : 1);
    t->data = aif_calloc_err(n, sizeof *t->data, name, err);
    return t->data ? AIF_OK : AIF_ENOMEM;
}

static aif_code write_config(const char *dir, size_t V, int32_t eos, aif_err *err)
{
    char path[PATH_MAX], text[2048];
    size_t H = 2 * V;
    int n = snprintf(text, sizeof text,
                     "{\n  \"architectures\": [\"LlamaForCausalLM\"],\n  \"model_type\": \"llama\",\n"
                     "  \"hidden_size\": %zu,\n  \"intermediate_size\": %d,\n  \"num_hidden_layers\": 1,\n"
                     "  \"num_attention_heads\": %d,\n  \"num_key_value_heads\": %d,\n  \"head_dim\": %zu,\n"
                     "  \"vocab_size\": %zu,\n  \"max_position_embeddings\": 4096,\n  \"rms_norm_eps\": 1e-06,\n"
                     "  \"rope_theta\": 10000.0,\n  \"rope_scaling\": null,\n  \"hidden_act\": \"silu\",\n"
                     "  \"attention_bias\": false,\n  \"mlp_bias\": false,\n  \"tie_word_embeddings\": false,\n"
                     "  \"bos_token_id\": null,\n  \"eos_token_id\": %d,\n  \"torch_dtype\": \"bfloat16\"\n}\n",
                     H, INTERMEDIATE, N_HEADS, N_HEADS, V / N_HEADS, V, (int)eos);
    aif_code rc = aif_fs_path(path, sizeof path, err, "%s/config.json", dir);
    if (rc == AIF_OK)
        rc = aif_fs_write_file(path, text, (size_t)n, err);
    n = snprintf(text, sizeof text, "{\n  \"eos_token_id\": %d,\n  \"do_sample\": false\n}\n", (int)eos);
    if (rc == AIF_OK)
        rc = aif_fs_path(path, sizeof path, err, "%s/generation_config.json", dir);
    if (rc == AIF_OK)
        rc = aif_fs_write_file(path, text, (size_t)n, err);
    return rc;
}

aif_code aif_local_demo_model_build(const char *out_dir, const int32_t *ids, size_t n_ids, size_t V, int32_t eos_id,
                                    const aif_local_demo_opts *opts, aif_err *err)
{
    if (V < 8 || V % N_HEADS || V > 8192)
        return aif_err_set(err, AIF_EINVAL, "demo model: vocabulary of %zu ids (need a multiple of %d, 8..8192)", V,
                           N_HEADS);
    float mu = opts ? opts->repeat_penalty : 0, k = opts && opts->smoothing > 0 ? opts->smoothing : 0.01f;
    size_t H = 2 * V;
    aif_code rc = aif_fs_mkdirs(out_dir, err);
    if (rc != AIF_OK)
        return rc;

    /* Bigram counts: counts[i * V + j] = times j followed i. */
    double *counts = aif_calloc_err(V * V, sizeof *counts, "bigram counts", err);
    if (!counts)
        return AIF_ENOMEM;
    for (size_t t = 0; t + 1 < n_ids; t++) {
        if (ids[t] < 0 || (size_t)ids[t] >= V || ids[t + 1] < 0 || (size_t)ids[t + 1] >= V) {
            aif_free(counts);
            return aif_err_set(err, AIF_ERANGE, "demo model: token %zu is outside the vocabulary of %zu", t, V);
        }
        counts[(size_t)ids[t] * V + (size_t)ids[t + 1]] += 1;
    }

    enum { EMBED, LM_HEAD, NORM, IN_NORM, POST_NORM, Q, K, VV, O, GATE, UP, DOWN, N_T };
    struct tensor t[N_T];
    memset(t, 0, sizeof t);
    size_t hd = V / N_HEADS;
    rc = alloc_tensor(&t[EMBED], "model.embed_tokens.weight", (int64_t)V, (int64_t)H, err);
    if (!rc) rc = alloc_tensor(&t[LM_HEAD], "lm_head.weight", (int64_t)V, (int64_t)H, err);
    if (!rc) rc = alloc_tensor(&t[NORM], "model.norm.weight", (int64_t)H, 0, err);
    if (!rc) rc = alloc_tensor(&t[IN_NORM], "model.layers.0.input_layernorm.weight", (int64_t)H, 0, err);
    if (!rc) rc = alloc_tensor(&t[POST_NORM], "model.layers.0.post_attention_layernorm.weight", (int64_t)H, 0, err);
    if (!rc) rc = alloc_tensor(&t[Q], "model.layers.0.self_attn.q_proj.weight", (int64_t)(N_HEADS * hd), (int64_t)H, err);
    if (!rc) rc = alloc_tensor(&t[K], "model.layers.0.self_attn.k_proj.weight", (int64_t)(N_HEADS * hd), (int64_t)H, err);
    if (!rc) rc = alloc_tensor(&t[VV], "model.layers.0.self_attn.v_proj.weight", (int64_t)(N_HEADS * hd), (int64_t)H, err);
    if (!rc) rc = alloc_tensor(&t[O], "model.layers.0.self_attn.o_proj.weight", (int64_t)H, (int64_t)(N_HEADS * hd), err);
    if (!rc) rc = alloc_tensor(&t[GATE], "model.layers.0.mlp.gate_proj.weight", INTERMEDIATE, (int64_t)H, err);
    if (!rc) rc = alloc_tensor(&t[UP], "model.layers.0.mlp.up_proj.weight", INTERMEDIATE, (int64_t)H, err);
    if (!rc) rc = alloc_tensor(&t[DOWN], "model.layers.0.mlp.down_proj.weight", (int64_t)H, INTERMEDIATE, err);
    if (rc == AIF_OK) {
        uint16_t one = aif_f32_to_bf16(1.0f);
        /* The final norm would scale x by ~sqrt(2V); 1/sqrt(2V) keeps logits
         * on the scale of log-probabilities so the cross-entropy means something. */
        uint16_t inv = aif_f32_to_bf16(1.0f / sqrtf((float)H));
        for (size_t i = 0; i < H; i++) {
            t[NORM].data[i] = inv;
            t[IN_NORM].data[i] = one;
            t[POST_NORM].data[i] = one;
        }
        for (size_t i = 0; i < V; i++) {
            t[EMBED].data[i * H + i] = one;                  /* one-hot in the first half */
            t[VV].data[i * H + i] = one;                     /* value = the one-hot (scaled by the norm) */
            /* The input norm scales a one-hot by sqrt(2V); undo it so the
             * uniform attention writes the plain histogram (sums to 1). */
            t[O].data[(V + i) * (N_HEADS * hd) + i] = inv;
        }
        uint16_t penalty = aif_f32_to_bf16(-mu);
        for (size_t i = 0; i < V; i++) {
            double total = 0;
            for (size_t j = 0; j < V; j++)
                total += counts[i * V + j] + k;
            for (size_t j = 0; j < V; j++) /* lm_head[j][i] = log P(j | i) */
                t[LM_HEAD].data[j * H + i] = aif_f32_to_bf16((float)log((counts[i * V + j] + k) / total));
        }
        for (size_t j = 0; j < V; j++)
            t[LM_HEAD].data[j * H + V + j] = penalty;
    }
    aif_free(counts);
    if (rc == AIF_OK) {
        aif_st_write w[N_T];
        for (int i = 0; i < N_T; i++) {
            w[i].name = t[i].name;
            w[i].dtype = AIF_DTYPE_BF16;
            w[i].n_dims = t[i].n_dims;
            w[i].shape = t[i].shape;
            w[i].data = t[i].data;
        }
        char path[PATH_MAX];
        static const char *const meta[] = {"format", "pt"};
        rc = aif_fs_path(path, sizeof path, err, "%s/model.safetensors", out_dir);
        if (rc == AIF_OK)
            rc = aif_safetensors_save(path, w, N_T, meta, 1, err);
    }
    for (int i = 0; i < N_T; i++)
        aif_free(t[i].data);
    if (rc == AIF_OK)
        rc = write_config(out_dir, V, eos_id, err);
    return rc;
}
