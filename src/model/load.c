/* load.c: bind the Hugging Face tensor names to the model's weight views,
 * checking every shape against the config, and load a model directory. */
#include "model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aif/fs.h"
#include "aif/log.h"

enum { T_ATTN_NORM, T_FFN_NORM, T_Q, T_QB, T_K, T_KB, T_V, T_VB, T_O, T_OB, T_GATE, T_GATEB, T_UP, T_UPB,
       T_DOWN, T_DOWNB, T_LAYER_COUNT };

static const char *layer_names[T_LAYER_COUNT] = {
    "input_layernorm.weight", "post_attention_layernorm.weight",
    "self_attn.q_proj.weight", "self_attn.q_proj.bias", "self_attn.k_proj.weight", "self_attn.k_proj.bias",
    "self_attn.v_proj.weight", "self_attn.v_proj.bias", "self_attn.o_proj.weight", "self_attn.o_proj.bias",
    "mlp.gate_proj.weight", "mlp.gate_proj.bias", "mlp.up_proj.weight", "mlp.up_proj.bias",
    "mlp.down_proj.weight", "mlp.down_proj.bias",
};

/* Expected shape of a per-layer tensor: rows, cols (cols 0: a vector); 0 rows: not expected. */
static void layer_shape(const aif_model_config *c, int t, int64_t *rows, int64_t *cols)
{
    int64_t D = c->hidden_size, I = c->intermediate_size, Q = c->n_heads * c->head_dim,
            KV = c->n_kv_heads * c->head_dim;
    *cols = 0;
    switch (t) {
    case T_ATTN_NORM: case T_FFN_NORM: *rows = D; break;
    case T_Q: *rows = Q; *cols = D; break;
    case T_K: case T_V: *rows = KV; *cols = D; break;
    case T_O: *rows = D; *cols = Q; break;
    case T_GATE: case T_UP: *rows = I; *cols = D; break;
    case T_DOWN: *rows = D; *cols = I; break;
    case T_QB: *rows = c->qkv_bias ? Q : 0; break;
    case T_KB: case T_VB: *rows = c->qkv_bias ? KV : 0; break;
    case T_OB: *rows = c->o_bias ? D : 0; break;
    case T_GATEB: case T_UPB: *rows = c->mlp_bias ? I : 0; break;
    case T_DOWNB: *rows = c->mlp_bias ? D : 0; break;
    default: *rows = 0;
    }
}

static aif_code check_shape(const aif_st_tensor *t, int64_t rows, int64_t cols, aif_err *err)
{
    int want_dims = cols ? 2 : 1;
    int ok = t->n_dims == want_dims && t->shape[0] == rows && (!cols || t->shape[1] == cols);
    if (!ok) {
        char got[96] = "[";
        for (int i = 0; i < t->n_dims && i < AIF_SAFETENSORS_MAX_DIMS; i++) {
            size_t l = strlen(got);
            snprintf(got + l, sizeof got - l, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
        }
        strncat(got, "]", sizeof got - strlen(got) - 1);
        if (cols)
            return aif_err_set(err, AIF_EFORMAT, "tensor '%s': shape %s, expected [%lld, %lld] from config.json",
                               t->name, got, (long long)rows, (long long)cols);
        return aif_err_set(err, AIF_EFORMAT, "tensor '%s': shape %s, expected [%lld] from config.json", t->name, got,
                           (long long)rows);
    }
    if ((unsigned)t->dtype >= AIF_DTYPE_COUNT)
        return aif_err_set(err, AIF_ENOTSUP, "tensor '%s': unsupported dtype", t->name);
    if (!t->data || t->n_bytes != (size_t)t->n_elements * aif_dtype_size(t->dtype) ||
        t->n_elements != rows * (cols ? cols : 1))
        return aif_err_set(err, AIF_EFORMAT, "tensor '%s': %zu data bytes for %lld elements of %s", t->name,
                           t->n_bytes, (long long)t->n_elements, aif_dtype_name(t->dtype));
    return AIF_OK;
}

static struct linear as_linear(const aif_st_tensor *t)
{
    struct linear l;
    memset(&l, 0, sizeof l);
    if (t) {
        l.w = t->data;
        l.dt = t->dtype;
        l.n_out = (size_t)t->shape[0];
        l.n_in = t->n_dims > 1 ? (size_t)t->shape[1] : 1;
    }
    return l;
}

static struct vec as_vec(const aif_st_tensor *t)
{
    struct vec v = {NULL, AIF_DTYPE_F32};
    if (t) {
        v.p = t->data;
        v.dt = t->dtype;
    }
    return v;
}

/* Parse "model.layers.<n>.<rest>": returns the layer or -1. */
static long parse_layer(const char *name, const char **rest)
{
    static const char pre[] = "model.layers.";
    if (strncmp(name, pre, sizeof pre - 1))
        return -1;
    const char *p = name + sizeof pre - 1;
    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '.'))
        return -1;
    long n = 0;
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (*p - '0');
        if (n > 1000000)
            return -1;
        p++;
    }
    if (*p != '.')
        return -1;
    *rest = p + 1;
    return n;
}

aif_code aif_model_new(const aif_model_config *cfg, const aif_st_tensor *tensors, size_t n_tensors, aif_model **out,
                       aif_err *err)
{
    *out = NULL;
    const aif_model_config *c = cfg;
    size_t L = (size_t)c->n_layers;
    const aif_st_tensor **slots = aif_calloc_err(L * T_LAYER_COUNT + 3, sizeof *slots, "tensor table", err);
    if (!slots)
        return AIF_ENOMEM;
    const aif_st_tensor **embed = &slots[L * T_LAYER_COUNT], **norm = embed + 1, **head = embed + 2;
    aif_code rc = AIF_OK;
    aif_model *m = NULL;
    const aif_st_tensor *tied_head = NULL;

    for (size_t i = 0; i < n_tensors; i++) {
        const aif_st_tensor *t = &tensors[i];
        const char *rest = NULL;
        const aif_st_tensor **slot = NULL;
        int64_t rows = 0, cols = 0;
        long li;
        if (!strcmp(t->name, "model.embed_tokens.weight")) {
            slot = embed, rows = c->vocab_size, cols = c->hidden_size;
        } else if (!strcmp(t->name, "model.norm.weight")) {
            slot = norm, rows = c->hidden_size;
        } else if (!strcmp(t->name, "lm_head.weight")) {
            rows = c->vocab_size, cols = c->hidden_size;
            if (c->tie_word_embeddings) {
                /* Some checkpoints store the tied head as well; it must equal the embedding. */
                if ((rc = check_shape(t, rows, cols, err)))
                    goto fail;
                tied_head = t;
                continue;
            }
            slot = head;
        } else if ((li = parse_layer(t->name, &rest)) >= 0) {
            if ((size_t)li >= L) {
                rc = aif_err_set(err, AIF_EFORMAT, "unexpected tensor '%s': config.json has %lld layers", t->name,
                                 (long long)c->n_layers);
                goto fail;
            }
            if (!strcmp(rest, "self_attn.rotary_emb.inv_freq"))
                continue; /* old checkpoints saved this buffer; transformers ignores it */
            for (int k = 0; k < T_LAYER_COUNT; k++)
                if (!strcmp(rest, layer_names[k])) {
                    layer_shape(c, k, &rows, &cols);
                    if (rows)
                        slot = &slots[(size_t)li * T_LAYER_COUNT + k];
                    break;
                }
        }
        if (!slot) {
            rc = aif_err_set(err, AIF_EFORMAT, "unexpected tensor '%s' for a %s model with this config.json",
                             t->name, aif_model_arch_name(c->arch));
            goto fail;
        }
        if (*slot) {
            rc = aif_err_set(err, AIF_EFORMAT, "tensor '%s' appears twice", t->name);
            goto fail;
        }
        if ((rc = check_shape(t, rows, cols, err)))
            goto fail;
        *slot = t;
    }
    /* Everything expected present? Report the first missing name. */
    if (!*embed || !*norm || (!c->tie_word_embeddings && !*head)) {
        rc = aif_err_set(err, AIF_ENOTFOUND, "missing tensor '%s'",
                         !*embed ? "model.embed_tokens.weight" : !*norm ? "model.norm.weight" : "lm_head.weight");
        goto fail;
    }
    for (size_t l = 0; l < L; l++)
        for (int k = 0; k < T_LAYER_COUNT; k++) {
            int64_t rows, cols;
            layer_shape(c, k, &rows, &cols);
            if (rows && !slots[l * T_LAYER_COUNT + k]) {
                rc = aif_err_set(err, AIF_ENOTFOUND, "missing tensor 'model.layers.%zu.%s'", l, layer_names[k]);
                goto fail;
            }
        }
    if (tied_head && (tied_head->dtype != (*embed)->dtype || memcmp(tied_head->data, (*embed)->data,
                                                                     tied_head->n_bytes))) {
        rc = aif_err_set(err, AIF_EFORMAT, "tensor 'lm_head.weight' differs from 'model.embed_tokens.weight' but "
                         "config.json sets tie_word_embeddings");
        goto fail;
    }

    m = aif_calloc_err(1, sizeof *m, "model", err);
    if (!m || !(m->layers = aif_calloc_err(L ? L : 1, sizeof *m->layers, "model layers", err))) {
        rc = AIF_ENOMEM;
        goto fail;
    }
    m->cfg = *c;
    m->k = aif_kernels_get();
    m->embed = as_linear(*embed);
    m->lm_head = c->tie_word_embeddings ? m->embed : as_linear(*head);
    m->final_norm = as_vec(*norm);
    m->dtype = (*embed)->dtype;
    for (size_t l = 0; l < L; l++) {
        const aif_st_tensor **s = &slots[l * T_LAYER_COUNT];
        struct layer *ly = &m->layers[l];
        ly->attn_norm = as_vec(s[T_ATTN_NORM]);
        ly->ffn_norm = as_vec(s[T_FFN_NORM]);
        ly->q = as_linear(s[T_Q]), ly->q.b = as_vec(s[T_QB]);
        ly->k = as_linear(s[T_K]), ly->k.b = as_vec(s[T_KB]);
        ly->v = as_linear(s[T_V]), ly->v.b = as_vec(s[T_VB]);
        ly->o = as_linear(s[T_O]), ly->o.b = as_vec(s[T_OB]);
        ly->gate = as_linear(s[T_GATE]), ly->gate.b = as_vec(s[T_GATEB]);
        ly->up = as_linear(s[T_UP]), ly->up.b = as_vec(s[T_UPB]);
        ly->down = as_linear(s[T_DOWN]), ly->down.b = as_vec(s[T_DOWNB]);
    }
    for (size_t i = 0; i < L * T_LAYER_COUNT + 3; i++)
        if (slots[i]) {
            m->n_params += (uint64_t)slots[i]->n_elements;
            m->weight_bytes += slots[i]->n_bytes;
        }
    if (m->n_params != aif_model_config_param_count(c)) {
        rc = aif_err_set(err, AIF_EINTERNAL, "parameter count %llu differs from the config's %llu",
                         (unsigned long long)m->n_params, (unsigned long long)aif_model_config_param_count(c));
        goto fail;
    }
    aif_free(slots);
    *out = m;
    return AIF_OK;
fail:
    aif_free(slots);
    aif_model_free(m);
    return rc;
}

aif_code aif_model_load(const char *dir, aif_model **out, aif_err *err)
{
    char path[4096];
    char *text = NULL;
    size_t len = 0;
    aif_model_config cfg;
    aif_safetensors *st = NULL;
    aif_st_tensor *list = NULL;
    *out = NULL;
    aif_code rc = aif_fs_join(path, sizeof path, dir, "config.json", err);
    if (rc || (rc = aif_fs_read_file(path, 4u << 20, &text, &len, err)))
        return aif_err_wrap(err, "%s", dir);
    rc = aif_model_config_parse(text, len, path, &cfg, err);
    aif_free(text);
    if (rc)
        return rc;
    if ((rc = aif_safetensors_open_dir(dir, &st, err)))
        return aif_err_wrap(err, "%s", dir);
    size_t n = aif_safetensors_count(st);
    list = aif_calloc_err(n ? n : 1, sizeof *list, "tensor list", err);
    if (!list) {
        aif_safetensors_close(st);
        return AIF_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        list[i] = *aif_safetensors_at(st, i);
    aif_model *m = NULL;
    rc = aif_model_new(&cfg, list, n, &m, err);
    aif_free(list);
    if (rc) {
        aif_safetensors_close(st);
        return aif_err_wrap(err, "%s", dir);
    }
    m->st = st;
    m->file_bytes = aif_safetensors_total_bytes(st);
    *out = m;
    return AIF_OK;
}

void aif_model_free(aif_model *m)
{
    if (!m)
        return;
    if (m->st)
        aif_safetensors_close(m->st);
    for (size_t i = 0; i < m->n_owned; i++)
        aif_free_aligned(m->owned[i]);
    aif_free(m->owned);
    aif_free(m->layers);
    aif_free(m);
}

const aif_model_config *aif_model_get_config(const aif_model *m) { return &m->cfg; }
uint64_t aif_model_param_count(const aif_model *m) { return m->n_params; }
uint64_t aif_model_weight_bytes(const aif_model *m) { return m->weight_bytes; }
uint64_t aif_model_file_bytes(const aif_model *m) { return m->file_bytes; }
aif_dtype aif_model_dtype(const aif_model *m) { return m->dtype; }

void aif_model_set_compute(aif_model *m, aif_model_compute c) { m->compute = c; }

aif_model_compute aif_model_get_compute(const aif_model *m) { return m->compute; }

aif_code aif_model_compute_parse(const char *s, aif_model_compute *out, aif_err *err)
{
    if (s && (!strcmp(s, "f32") || !strcmp(s, "float32")))
        *out = AIF_MODEL_COMPUTE_F32;
    else if (s && (!strcmp(s, "bf16") || !strcmp(s, "bfloat16")))
        *out = AIF_MODEL_COMPUTE_BF16;
    else
        return aif_err_set(err, AIF_EINVAL, "compute mode must be f32 or bf16 (got '%s')", s ? s : "(null)");
    return AIF_OK;
}

const char *aif_model_compute_name(aif_model_compute c) { return c == AIF_MODEL_COMPUTE_BF16 ? "bf16" : "f32"; }

aif_code aif_model_check_ids(const aif_model *m, const int32_t *tokens, size_t n, aif_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= m->cfg.vocab_size)
            return aif_err_set(err, AIF_ERANGE, "token %zu: id %d is outside the vocabulary [0, %lld)", i,
                               (int)tokens[i], (long long)m->cfg.vocab_size);
    return AIF_OK;
}
