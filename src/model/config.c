/* config.c: config.json of LlamaForCausalLM / Qwen2ForCausalLM into an
 * aif_model_config, with every size range-checked (overflow-safe 64-bit)
 * and the defaults of transformers' LlamaConfig / Qwen2Config. */
#include "model_int.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

const char *aif_model_arch_name(aif_model_arch arch)
{
    return arch == AIF_MODEL_QWEN2 ? "qwen2" : "llama";
}

/* Integer field: absent or null -> def (def_missing < 0 with required: error). */
static aif_code get_int(json_t *root, const char *key, int required, int64_t def, int64_t lo, int64_t hi,
                        int64_t *out, const char *name, aif_err *err)
{
    json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v)) {
        if (required)
            return aif_err_set(err, AIF_EFORMAT, "%s: missing required field \"%s\"", name, key);
        *out = def;
        return AIF_OK;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        /* 64.0 is accepted as 64; 64.5, NaN and huge values are not */
        if (!isfinite(d) || d != floor(d) || d < (double)lo || d > (double)hi)
            return aif_err_set(err, AIF_ERANGE, "%s: field \"%s\" = %g is not an integer in [%lld, %lld]", name, key,
                               d, (long long)lo, (long long)hi);
        *out = (int64_t)d;
        return AIF_OK;
    }
    if (!json_is_integer(v))
        return aif_err_set(err, AIF_EFORMAT, "%s: field \"%s\" must be an integer", name, key);
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return aif_err_set(err, AIF_ERANGE, "%s: field \"%s\" = %lld is outside [%lld, %lld]", name, key,
                           (long long)x, (long long)lo, (long long)hi);
    *out = (int64_t)x;
    return AIF_OK;
}

static aif_code get_num(json_t *root, const char *key, double def, double lo, double hi, int lo_open, double *out,
                        const char *name, aif_err *err)
{
    json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v)) {
        *out = def;
        return AIF_OK;
    }
    if (!json_is_number(v))
        return aif_err_set(err, AIF_EFORMAT, "%s: field \"%s\" must be a number", name, key);
    double d = json_number_value(v);
    if (!isfinite(d) || d > hi || d < lo || (lo_open && d == lo))
        return aif_err_set(err, AIF_ERANGE, "%s: field \"%s\" = %g is outside %s%g, %g]", name, key, d,
                           lo_open ? "(" : "[", lo, hi);
    *out = d;
    return AIF_OK;
}

static aif_code get_bool(json_t *root, const char *key, int def, int *out, const char *name, aif_err *err)
{
    json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v)) {
        *out = def;
        return AIF_OK;
    }
    if (!json_is_boolean(v))
        return aif_err_set(err, AIF_EFORMAT, "%s: field \"%s\" must be true or false", name, key);
    *out = json_is_true(v);
    return AIF_OK;
}

static aif_code parse_rope_scaling(json_t *root, aif_model_config *c, const char *name, aif_err *err)
{
    json_t *rs = json_object_get(root, "rope_scaling");
    c->rope_type = AIF_ROPE_DEFAULT;
    c->rope_factor = 1.0;
    c->rope_low_freq_factor = 1.0;
    c->rope_high_freq_factor = 4.0;
    c->rope_original_max_pos = c->max_position_embeddings;
    if (!rs || json_is_null(rs))
        return AIF_OK;
    if (!json_is_object(rs))
        return aif_err_set(err, AIF_EFORMAT, "%s: field \"rope_scaling\" must be an object or null", name);
    json_t *t = json_object_get(rs, "rope_type");
    if (!t || json_is_null(t))
        t = json_object_get(rs, "type"); /* legacy spelling */
    if (!t || !json_is_string(t))
        return aif_err_set(err, AIF_EFORMAT, "%s: rope_scaling: missing string \"rope_type\"", name);
    const char *ty = json_string_value(t);
    char sub[64];
    snprintf(sub, sizeof sub, "%s: rope_scaling", name);
    if (!strcmp(ty, "default"))
        return AIF_OK;
    if (!strcmp(ty, "linear"))
        c->rope_type = AIF_ROPE_LINEAR;
    else if (!strcmp(ty, "dynamic"))
        c->rope_type = AIF_ROPE_DYNAMIC;
    else if (!strcmp(ty, "llama3"))
        c->rope_type = AIF_ROPE_LLAMA3;
    else
        return aif_err_set(err, AIF_ENOTSUP, "%s: rope_scaling type \"%.40s\" is not supported "
                           "(default, linear, dynamic, llama3)", name, ty);
    json_t *f = json_object_get(rs, "factor");
    if (!f || json_is_null(f))
        return aif_err_set(err, AIF_EFORMAT, "%s: missing required field \"factor\"", sub);
    aif_code rc = get_num(rs, "factor", 1.0, 0.0, 1e6, 1, &c->rope_factor, sub, err);
    if (rc)
        return rc;
    if (c->rope_type == AIF_ROPE_LLAMA3) {
        const char *need[] = {"low_freq_factor", "high_freq_factor", "original_max_position_embeddings"};
        for (int i = 0; i < 3; i++) {
            json_t *x = json_object_get(rs, need[i]);
            if (!x || json_is_null(x))
                return aif_err_set(err, AIF_EFORMAT, "%s: missing required field \"%s\"", sub, need[i]);
        }
        if ((rc = get_num(rs, "low_freq_factor", 1.0, 0.0, 1e6, 1, &c->rope_low_freq_factor, sub, err)) ||
            (rc = get_num(rs, "high_freq_factor", 4.0, 0.0, 1e6, 1, &c->rope_high_freq_factor, sub, err)) ||
            (rc = get_int(rs, "original_max_position_embeddings", 1, 0, 1, AIF_MODEL_MAX_POSITIONS,
                          &c->rope_original_max_pos, sub, err)))
            return rc;
        if (!(c->rope_high_freq_factor > c->rope_low_freq_factor))
            return aif_err_set(err, AIF_ERANGE, "%s: high_freq_factor %g must exceed low_freq_factor %g", sub,
                               c->rope_high_freq_factor, c->rope_low_freq_factor);
    }
    return AIF_OK;
}

static aif_code parse_ids(json_t *root, aif_model_config *c, const char *name, aif_err *err)
{
    aif_code rc;
    if ((rc = get_int(root, "bos_token_id", 0, -1, 0, AIF_MODEL_MAX_VOCAB - 1, &c->bos_token_id, name, err)) ||
        (rc = get_int(root, "pad_token_id", 0, -1, 0, AIF_MODEL_MAX_VOCAB - 1, &c->pad_token_id, name, err)))
        return rc;
    json_t *e = json_object_get(root, "eos_token_id");
    c->n_eos = 0;
    if (!e || json_is_null(e))
        return AIF_OK;
    if (json_is_array(e)) {
        size_t n = json_array_size(e);
        if (n > AIF_MODEL_MAX_EOS)
            return aif_err_set(err, AIF_ERANGE, "%s: field \"eos_token_id\" lists %zu ids (at most %d)", name, n,
                               AIF_MODEL_MAX_EOS);
        for (size_t i = 0; i < n; i++) {
            json_t *x = json_array_get(e, i);
            if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) >= AIF_MODEL_MAX_VOCAB)
                return aif_err_set(err, AIF_ERANGE, "%s: field \"eos_token_id\"[%zu] is not a token id", name, i);
            c->eos_token_ids[c->n_eos++] = json_integer_value(x);
        }
        return AIF_OK;
    }
    int64_t id;
    if ((rc = get_int(root, "eos_token_id", 1, 0, 0, AIF_MODEL_MAX_VOCAB - 1, &id, name, err)))
        return rc;
    c->eos_token_ids[c->n_eos++] = id;
    return AIF_OK;
}

static aif_code check_ids_in_vocab(const aif_model_config *c, const char *name, aif_err *err)
{
    if (c->bos_token_id >= c->vocab_size)
        return aif_err_set(err, AIF_ERANGE, "%s: bos_token_id %lld is not below vocab_size %lld", name,
                           (long long)c->bos_token_id, (long long)c->vocab_size);
    if (c->pad_token_id >= c->vocab_size)
        return aif_err_set(err, AIF_ERANGE, "%s: pad_token_id %lld is not below vocab_size %lld", name,
                           (long long)c->pad_token_id, (long long)c->vocab_size);
    for (int i = 0; i < c->n_eos; i++)
        if (c->eos_token_ids[i] >= c->vocab_size)
            return aif_err_set(err, AIF_ERANGE, "%s: eos_token_id %lld is not below vocab_size %lld", name,
                               (long long)c->eos_token_ids[i], (long long)c->vocab_size);
    return AIF_OK;
}

/* a*b + c with overflow checks; returns 0 on overflow. */
static int mad(uint64_t a, uint64_t b, uint64_t *acc)
{
    uint64_t p;
    if (__builtin_mul_overflow(a, b, &p) || __builtin_add_overflow(*acc, p, acc))
        return 0;
    return 1;
}

/* Count parameters; 0 on overflow. */
static uint64_t count_params(const aif_model_config *c)
{
    uint64_t D = (uint64_t)c->hidden_size, I = (uint64_t)c->intermediate_size, V = (uint64_t)c->vocab_size;
    uint64_t Q = (uint64_t)c->n_heads * (uint64_t)c->head_dim, KV = (uint64_t)c->n_kv_heads * (uint64_t)c->head_dim;
    uint64_t layer = 0;
    int ok = mad(2, D, &layer)                                  /* two RMSNorm weights */
             && mad(D, Q, &layer) && mad(D, KV, &layer) && mad(D, KV, &layer) && mad(Q, D, &layer) /* q k v o */
             && mad(3 * D, I, &layer);                          /* gate up down */
    if (c->qkv_bias)
        ok = ok && mad(1, Q + 2 * KV, &layer);
    if (c->o_bias)
        ok = ok && mad(1, D, &layer);
    if (c->mlp_bias)
        ok = ok && mad(1, 2 * I + D, &layer);
    uint64_t total = 0;
    ok = ok && mad(layer, (uint64_t)c->n_layers, &total) && mad(V, D, &total) && mad(1, D, &total);
    if (!c->tie_word_embeddings)
        ok = ok && mad(V, D, &total);
    return ok ? total : 0;
}

uint64_t aif_model_config_param_count(const aif_model_config *cfg)
{
    return count_params(cfg);
}

aif_code aif_model_config_parse(const char *text, size_t len, const char *name, aif_model_config *cfg, aif_err *err)
{
    aif_model_config c;
    memset(&c, 0, sizeof c);
    if (!name)
        name = "config.json";
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return aif_err_set(err, AIF_EFORMAT, "%s: line %d column %d: %s", name, je.line, je.column, je.text);
    aif_code rc = AIF_OK;
    if (!json_is_object(root)) {
        rc = aif_err_set(err, AIF_EFORMAT, "%s: top level is not a JSON object", name);
        goto done;
    }

    /* Architecture: model_type first, then architectures[0]. */
    json_t *mt = json_object_get(root, "model_type");
    json_t *ar = json_object_get(root, "architectures");
    const char *arch0 = NULL;
    if (ar && json_is_array(ar) && json_array_size(ar) > 0 && json_is_string(json_array_get(ar, 0)))
        arch0 = json_string_value(json_array_get(ar, 0));
    if (mt && json_is_string(mt)) {
        const char *s = json_string_value(mt);
        if (!strcmp(s, "llama"))
            c.arch = AIF_MODEL_LLAMA;
        else if (!strcmp(s, "qwen2"))
            c.arch = AIF_MODEL_QWEN2;
        else {
            rc = aif_err_set(err, AIF_ENOTSUP, "%s: model_type \"%.64s\" is not supported (llama, qwen2)", name, s);
            goto done;
        }
    } else if (arch0 && !strcmp(arch0, "LlamaForCausalLM")) {
        c.arch = AIF_MODEL_LLAMA;
    } else if (arch0 && !strcmp(arch0, "Qwen2ForCausalLM")) {
        c.arch = AIF_MODEL_QWEN2;
    } else {
        rc = aif_err_set(err, arch0 ? AIF_ENOTSUP : AIF_EFORMAT,
                         "%s: architecture %s%.64s%s is not supported (LlamaForCausalLM, Qwen2ForCausalLM)", name,
                         arch0 ? "\"" : "", arch0 ? arch0 : "(no model_type or architectures)", arch0 ? "\"" : "");
        goto done;
    }
    if (arch0 && strcmp(arch0, "LlamaForCausalLM") && strcmp(arch0, "Qwen2ForCausalLM")) {
        rc = aif_err_set(err, AIF_ENOTSUP, "%s: architecture \"%.64s\" is not supported", name, arch0);
        goto done;
    }
    int qwen = c.arch == AIF_MODEL_QWEN2;

    if ((rc = get_int(root, "hidden_size", 1, 0, 1, AIF_MODEL_MAX_HIDDEN, &c.hidden_size, name, err)) ||
        (rc = get_int(root, "intermediate_size", 1, 0, 1, AIF_MODEL_MAX_INTERMEDIATE, &c.intermediate_size, name,
                      err)) ||
        (rc = get_int(root, "num_hidden_layers", 1, 0, 1, AIF_MODEL_MAX_LAYERS, &c.n_layers, name, err)) ||
        (rc = get_int(root, "num_attention_heads", 1, 0, 1, AIF_MODEL_MAX_HEADS, &c.n_heads, name, err)) ||
        (rc = get_int(root, "num_key_value_heads", 0, c.n_heads, 1, AIF_MODEL_MAX_HEADS, &c.n_kv_heads, name,
                      err)) ||
        (rc = get_int(root, "vocab_size", 1, 0, 1, AIF_MODEL_MAX_VOCAB, &c.vocab_size, name, err)) ||
        (rc = get_int(root, "max_position_embeddings", 0, qwen ? 32768 : 2048, 1, AIF_MODEL_MAX_POSITIONS,
                      &c.max_position_embeddings, name, err)))
        goto done;
    json_t *hd = json_object_get(root, "head_dim");
    if (!hd || json_is_null(hd)) {
        if (c.hidden_size % c.n_heads) {
            rc = aif_err_set(err, AIF_ERANGE, "%s: num_attention_heads %lld does not divide hidden_size %lld", name,
                             (long long)c.n_heads, (long long)c.hidden_size);
            goto done;
        }
        c.head_dim = c.hidden_size / c.n_heads;
    } else if ((rc = get_int(root, "head_dim", 1, 0, 1, AIF_MODEL_MAX_HEAD_DIM, &c.head_dim, name, err))) {
        goto done;
    }
    if (c.head_dim % 2 || c.head_dim > AIF_MODEL_MAX_HEAD_DIM) {
        rc = aif_err_set(err, AIF_ERANGE, "%s: head_dim %lld must be even and at most %d (RoPE pairs)", name,
                         (long long)c.head_dim, AIF_MODEL_MAX_HEAD_DIM);
        goto done;
    }
    if (c.n_heads % c.n_kv_heads) {
        rc = aif_err_set(err, AIF_ERANGE, "%s: num_key_value_heads %lld does not divide num_attention_heads %lld",
                         name, (long long)c.n_kv_heads, (long long)c.n_heads);
        goto done;
    }
    if (c.n_heads * c.head_dim > (int64_t)AIF_MODEL_MAX_HIDDEN * 4) {
        rc = aif_err_set(err, AIF_ERANGE, "%s: num_attention_heads x head_dim = %lld is too large", name,
                         (long long)(c.n_heads * c.head_dim));
        goto done;
    }
    if ((rc = get_num(root, "rms_norm_eps", 1e-6, 0.0, 1.0, 1, &c.rms_norm_eps, name, err)) ||
        (rc = get_num(root, "rope_theta", 10000.0, 1.0, 1e12, 0, &c.rope_theta, name, err)))
        goto done;
    if ((rc = parse_rope_scaling(root, &c, name, err)))
        goto done;

    json_t *act = json_object_get(root, "hidden_act");
    if (act && !json_is_null(act) && (!json_is_string(act) || strcmp(json_string_value(act), "silu"))) {
        rc = aif_err_set(err, AIF_ENOTSUP, "%s: hidden_act %s%.32s%s is not supported (silu)", name,
                         json_is_string(act) ? "\"" : "", json_is_string(act) ? json_string_value(act) : "(non-string)",
                         json_is_string(act) ? "\"" : "");
        goto done;
    }
    int attn_bias = 0, mlp_bias = 0, sliding = 0;
    if ((rc = get_bool(root, "attention_bias", 0, &attn_bias, name, err)) ||
        (rc = get_bool(root, "mlp_bias", 0, &mlp_bias, name, err)) ||
        (rc = get_bool(root, "tie_word_embeddings", 0, &c.tie_word_embeddings, name, err)) ||
        (rc = get_bool(root, "use_sliding_window", 0, &sliding, name, err)))
        goto done;
    if (qwen) {
        /* Qwen2Attention: q/k/v always biased, o_proj never; no MLP bias. */
        c.qkv_bias = 1;
        c.o_bias = 0;
        c.mlp_bias = 0;
        if (sliding) {
            rc = aif_err_set(err, AIF_ENOTSUP, "%s: use_sliding_window true is not supported", name);
            goto done;
        }
    } else {
        c.qkv_bias = c.o_bias = attn_bias;
        c.mlp_bias = mlp_bias;
    }

    json_t *td = json_object_get(root, "torch_dtype");
    if (!td || json_is_null(td))
        td = json_object_get(root, "dtype"); /* the spelling of transformers >= 4.56 */
    if (td && !json_is_null(td)) {
        const char *s = json_is_string(td) ? json_string_value(td) : "";
        c.has_torch_dtype = 1;
        if (!strcmp(s, "float32"))
            c.torch_dtype = AIF_DTYPE_F32;
        else if (!strcmp(s, "float16"))
            c.torch_dtype = AIF_DTYPE_F16;
        else if (!strcmp(s, "bfloat16"))
            c.torch_dtype = AIF_DTYPE_BF16;
        else {
            rc = aif_err_set(err, AIF_ENOTSUP, "%s: torch_dtype \"%.32s\" is not supported (float32, float16, "
                             "bfloat16)", name, s);
            goto done;
        }
    }
    if ((rc = parse_ids(root, &c, name, err)) || (rc = check_ids_in_vocab(&c, name, err)))
        goto done;

    uint64_t np = count_params(&c);
    if (np == 0 || np > AIF_MODEL_MAX_PARAMS) {
        rc = aif_err_set(err, AIF_ERANGE, "%s: the sizes give %s parameters (limit %llu)", name,
                         np ? "too many" : "an overflowing count of", (unsigned long long)AIF_MODEL_MAX_PARAMS);
        goto done;
    }
    *cfg = c;
done:
    json_decref(root);
    return rc;
}
