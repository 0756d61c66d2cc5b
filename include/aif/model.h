/* model.h: decoder-only transformers of the Hugging Face layout
 * (LlamaForCausalLM, Qwen2ForCausalLM) run on the CPU.
 *
 * A model is a parsed config.json plus a set of weight tensors used in
 * place (bf16, f16 or f32 views into the mapped safetensors file, never
 * copied to f32). Activations and accumulation are f32. The forward pass
 * follows transformers' modeling_llama.py / modeling_qwen2.py: RMSNorm,
 * rotate-half RoPE with inv_freq computed in float32 (linear, dynamic NTK
 * and llama3 scaling), grouped-query causal attention (keys tiled with an
 * online softmax, so no T x T matrix), SwiGLU MLP, final RMSNorm, LM head.
 *
 * Memory: besides the mapping, a call holds its activations (a few
 * (tokens, width) f32 buffers), the activations packed for the matrix
 * units (up to three bf16 parts per value), per-thread scratch for a block
 * of weights, and for scoring one (rows, 2048) logits chunk (rows <= 8192).
 *
 * Threading: every call that takes an aif_pool splits rows/heads by
 * ith/nth with fixed-order reductions, so results are bit-identical for
 * any thread count (a NULL pool runs on the caller's thread); a row's
 * result also does not depend on later tokens or on the batch it is in.
 * A model is read-only once built: calls may run concurrently.
 *
 * Next-token statistics (aif_model_score) never hold T x V logits: the LM
 * head walks the vocabulary in fixed 2048-column chunks folded into an
 * online logsumexp, argmax and the label's logit per position. The argmax is
 * taken on logits rounded to bf16 when the weights are bf16, as the
 * reference PyTorch model returns bf16 logits (spec 6.3, 13.14). The
 * validator loads every model in bf16 whatever its stored dtype; callers
 * wanting that rule for f32/f16 checkpoints pass AIF_MODEL_ARGMAX_BF16.
 */
#ifndef AIF_MODEL_H
#define AIF_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "aif/err.h"
#include "aif/pool.h"
#include "aif/safetensors.h"
#include "aif/tensor.h"

/* Limits enforced by aif_model_config_parse. */
#define AIF_MODEL_MAX_HIDDEN 65536
#define AIF_MODEL_MAX_INTERMEDIATE (1 << 20)
#define AIF_MODEL_MAX_LAYERS 1024
#define AIF_MODEL_MAX_HEADS 1024
#define AIF_MODEL_MAX_HEAD_DIM 1024
#define AIF_MODEL_MAX_VOCAB (1 << 22)
#define AIF_MODEL_MAX_POSITIONS (1 << 24)
#define AIF_MODEL_MAX_PARAMS (1ull << 40)
#define AIF_MODEL_MAX_EOS 16
#define AIF_MODEL_MAX_TOKENS (1 << 22) /* n_seq * seq_len per aif_model_logits/score call */

typedef enum aif_model_arch {
    AIF_MODEL_LLAMA,  /* LlamaForCausalLM, model_type "llama" */
    AIF_MODEL_QWEN2,  /* Qwen2ForCausalLM, model_type "qwen2" */
} aif_model_arch;

typedef enum aif_rope_type {
    AIF_ROPE_DEFAULT, /* no scaling (rope_scaling null or type "default") */
    AIF_ROPE_LINEAR,  /* inv_freq / factor */
    AIF_ROPE_DYNAMIC, /* NTK: base grows when the sequence exceeds max_position_embeddings */
    AIF_ROPE_LLAMA3,  /* Llama 3.1 wavelength-dependent scaling */
} aif_rope_type;

/* Everything in config.json that changes the math (and the ids around it). */
typedef struct aif_model_config {
    aif_model_arch arch;
    int64_t hidden_size;            /* D */
    int64_t intermediate_size;      /* I (SwiGLU width) */
    int64_t n_layers;               /* num_hidden_layers */
    int64_t n_heads;                /* num_attention_heads */
    int64_t n_kv_heads;             /* num_key_value_heads (default n_heads) */
    int64_t head_dim;               /* default hidden_size / n_heads */
    int64_t vocab_size;             /* V */
    int64_t max_position_embeddings;
    double rms_norm_eps;            /* default 1e-6 */
    double rope_theta;              /* default 10000 */
    aif_rope_type rope_type;
    double rope_factor;             /* linear, dynamic, llama3 */
    double rope_low_freq_factor;    /* llama3 */
    double rope_high_freq_factor;   /* llama3 */
    int64_t rope_original_max_pos;  /* llama3 (dynamic: max_position_embeddings) */
    int qkv_bias;                   /* q/k/v projections have a bias (Qwen2 always; Llama attention_bias) */
    int o_bias;                     /* o_proj has a bias (Llama attention_bias) */
    int mlp_bias;                   /* gate/up/down have biases (Llama mlp_bias) */
    int tie_word_embeddings;        /* LM head = embed_tokens */
    int has_torch_dtype;
    aif_dtype torch_dtype;          /* "float32", "float16", "bfloat16" */
    int64_t bos_token_id;           /* -1: none */
    int64_t pad_token_id;           /* -1: none */
    int n_eos;
    int64_t eos_token_ids[AIF_MODEL_MAX_EOS];
} aif_model_config;

/* Parse config.json text (len bytes, need not be NUL-terminated). `name`
 * prefixes messages. Every size is range-checked with overflow-safe 64-bit
 * arithmetic, NaN/Inf/negative/huge values are refused naming the field.
 * Unknown fields are ignored. The fuzz target's entry point. */
aif_code aif_model_config_parse(const char *json, size_t len, const char *name, aif_model_config *cfg, aif_err *err);
/* Parameters as PyTorch's model.parameters() counts them (tied once). */
uint64_t aif_model_config_param_count(const aif_model_config *cfg);
/* "llama" / "qwen2" */
const char *aif_model_arch_name(aif_model_arch arch);

typedef struct aif_model aif_model;

/* Load DIR/config.json and DIR's safetensors (one file or an index of
 * shards). Weights stay in the mapping. */
aif_code aif_model_load(const char *dir, aif_model **out, aif_err *err);
/* Build a model from tensors held elsewhere (borrowed: the tensor data must
 * outlive the model; names, shapes and dtypes are checked against cfg; a
 * missing, extra or mis-shaped tensor is an error naming it). */
aif_code aif_model_new(const aif_model_config *cfg, const aif_st_tensor *tensors, size_t n_tensors, aif_model **out,
                       aif_err *err);
void aif_model_free(aif_model *m);

/* Convert every weight not already of dtype `to` into an owned copy of that
 * dtype (round to nearest even, as torch's .to(); bf16 is what the
 * validator loads every model as, spec 10.1). Views of the file are
 * dropped from use; aif_model_dtype() becomes `to`. Not thread-safe with
 * calls running on the same model. */
aif_code aif_model_cast(aif_model *m, aif_dtype to, aif_err *err);

/* What the matrix products read. F32 (the default): the f32 activations
 * times the stored weights, exact products with f32 accumulation (on AMX
 * hardware each f32 activation is split into three bf16 parts whose sum is
 * exactly that value). BF16: activations are rounded to bf16 (round to
 * nearest even) before each product with the weights, as torch does in a
 * bf16 forward; accumulation stays f32, norms, softmax and the residual
 * stream stay f32. On AMX machines BF16 products run about 2x faster than
 * F32 ones (one bf16 part instead of three); the results move by what bf16
 * rounding does (on the stories260K checkpoint: mean CE by 6e-4 relative,
 * single logits by up to 0.5, 197 of 200 argmaxes unchanged), and, unlike
 * F32 compute, differ more between kernel levels (tests/model/test_levels.c).
 * Not thread-safe with calls running on m. */
typedef enum aif_model_compute {
    AIF_MODEL_COMPUTE_F32,
    AIF_MODEL_COMPUTE_BF16,
} aif_model_compute;
void aif_model_set_compute(aif_model *m, aif_model_compute c);
/* "f32" / "bf16" (also "float32" / "bfloat16") -> the mode; AIF_EINVAL naming s otherwise. */
aif_code aif_model_compute_parse(const char *s, aif_model_compute *out, aif_err *err);
/* "f32" / "bf16" */
const char *aif_model_compute_name(aif_model_compute c);
aif_model_compute aif_model_get_compute(const aif_model *m);

const aif_model_config *aif_model_get_config(const aif_model *m);
/* Parameter count (tied embeddings once). */
uint64_t aif_model_param_count(const aif_model *m);
/* Bytes of the weight tensors (as stored). */
uint64_t aif_model_weight_bytes(const aif_model *m);
/* Bytes of the safetensors files (headers included); 0 for aif_model_new. */
uint64_t aif_model_file_bytes(const aif_model *m);
/* The dtype of the weights (embed_tokens; all matrices share it). */
aif_dtype aif_model_dtype(const aif_model *m);

/* Logits of every position: tokens (n_seq, seq_len) row-major, ids in
 * [0, V); logits (n_seq * seq_len, V) f32. Meant for short sequences. */
aif_code aif_model_logits(aif_model *m, aif_pool *pool, const int32_t *tokens, size_t n_seq, size_t seq_len,
                          float *logits, aif_err *err);

typedef enum aif_model_argmax {
    AIF_MODEL_ARGMAX_AUTO, /* bf16-rounded logits when the weights are bf16, else f32 */
    AIF_MODEL_ARGMAX_F32,
    AIF_MODEL_ARGMAX_BF16,
} aif_model_argmax;

/* Next-token statistics of one sequence. Position p (0..seq_len-2)
 * predicts token p+1. */
typedef struct aif_model_seq_stats {
    double mean_ce;        /* mean natural-log cross-entropy over seq_len-1 positions */
    size_t n_positions;    /* seq_len - 1 */
    size_t n_wrong;        /* argmax != next token */
    double error_rate;     /* n_wrong / n_positions */
} aif_model_seq_stats;

typedef struct aif_model_score_opts {
    aif_model_argmax argmax;
    float *per_position_ce; /* optional (n_seq, seq_len - 1) */
    int32_t *argmax_ids;    /* optional (n_seq, seq_len - 1) */
    float *last_logits;     /* optional (n_seq, V): logits at position seq_len-1 */
    /* Optional progress: called after each vocabulary chunk with the
     * number of positions done so far (of n_seq * seq_len). */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
} aif_model_score_opts;

/* Forward over (n_seq, seq_len) tokens (seq_len >= 2) and fill stats[n_seq].
 * opts may be NULL. */
aif_code aif_model_score(aif_model *m, aif_pool *pool, const int32_t *tokens, size_t n_seq, size_t seq_len,
                         const aif_model_score_opts *opts, aif_model_seq_stats *stats, aif_err *err);

typedef struct aif_model_gen_opts {
    size_t max_new;                /* tokens to generate */
    const int64_t *suppress_ids;   /* ids never chosen during the first suppress_steps steps */
    size_t n_suppress;
    size_t suppress_steps;
    int stop_at_eos;               /* stop after emitting an EOS id (once not suppressed) */
    aif_model_argmax argmax;
} aif_model_gen_opts;

/* Greedy decoding with a KV cache: prefill the prompt, then feed back the
 * argmax (first index on ties). out must hold max_new ids; *n_out gets the
 * number generated. */
aif_code aif_model_generate(aif_model *m, aif_pool *pool, const int32_t *prompt, size_t n_prompt,
                            const aif_model_gen_opts *opts, int32_t *out, size_t *n_out, aif_err *err);

#endif
