/* test_config.c: config.json parsing. Parameter counts are checked against
 * the published counts of real checkpoints (Llama-3.2-1B: 1,235,814,400;
 * Qwen2.5-0.5B: 494,032,768, as reported by model.num_parameters() on
 * their Hugging Face model cards / configs, and recomputed by hand below),
 * defaults against transformers' LlamaConfig / Qwen2Config, and hostile
 * configs against the error named. */
#include "harness.h"

#include <string.h>

#include "aif/model.h"

static aif_code parse(const char *s, aif_model_config *c, aif_err *err)
{
    return aif_model_config_parse(s, strlen(s), "config.json", c, err);
}

/* meta-llama/Llama-3.2-1B config.json (fields that matter). */
static const char *LLAMA32_1B =
    "{\"architectures\":[\"LlamaForCausalLM\"],\"attention_bias\":false,\"attention_dropout\":0.0,"
    "\"bos_token_id\":128000,\"eos_token_id\":128001,\"head_dim\":64,\"hidden_act\":\"silu\",\"hidden_size\":2048,"
    "\"initializer_range\":0.02,\"intermediate_size\":8192,\"max_position_embeddings\":131072,\"mlp_bias\":false,"
    "\"model_type\":\"llama\",\"num_attention_heads\":32,\"num_hidden_layers\":16,\"num_key_value_heads\":8,"
    "\"pretraining_tp\":1,\"rms_norm_eps\":1e-05,\"rope_scaling\":{\"factor\":32.0,\"high_freq_factor\":4.0,"
    "\"low_freq_factor\":1.0,\"original_max_position_embeddings\":8192,\"rope_type\":\"llama3\"},"
    "\"rope_theta\":500000.0,\"tie_word_embeddings\":true,\"torch_dtype\":\"bfloat16\","
    "\"transformers_version\":\"4.45.0.dev0\",\"use_cache\":true,\"vocab_size\":128256}";

/* Qwen/Qwen2.5-0.5B config.json. */
static const char *QWEN25_05B =
    "{\"architectures\":[\"Qwen2ForCausalLM\"],\"attention_dropout\":0.0,\"bos_token_id\":151643,"
    "\"eos_token_id\":151643,\"hidden_act\":\"silu\",\"hidden_size\":896,\"initializer_range\":0.02,"
    "\"intermediate_size\":4864,\"max_position_embeddings\":32768,\"max_window_layers\":24,\"model_type\":\"qwen2\","
    "\"num_attention_heads\":14,\"num_hidden_layers\":24,\"num_key_value_heads\":2,\"rms_norm_eps\":1e-06,"
    "\"rope_theta\":1000000.0,\"sliding_window\":32768,\"tie_word_embeddings\":true,\"torch_dtype\":\"bfloat16\","
    "\"transformers_version\":\"4.40.1\",\"use_cache\":true,\"use_mrope\":false,\"use_sliding_window\":false,"
    "\"vocab_size\":151936}";

static void real_configs(void)
{
    aif_model_config c;
    aif_err err = {0};
    CHECK_OK(parse(LLAMA32_1B, &c, &err), err);
    CHECK_EQ(c.arch, AIF_MODEL_LLAMA);
    CHECK_EQ(c.head_dim, 64);
    CHECK_EQ(c.n_kv_heads, 8);
    CHECK_EQ(c.rope_type, AIF_ROPE_LLAMA3);
    CHECK_NEAR(c.rope_factor, 32, 0);
    CHECK_EQ(c.rope_original_max_pos, 8192);
    CHECK_EQ(c.tie_word_embeddings, 1);
    CHECK_EQ(c.torch_dtype, AIF_DTYPE_BF16);
    CHECK_EQ(c.qkv_bias, 0);
    /* 128256*2048 + 16*(2*2048 + 2*2048*2048 + 2*2048*512 + 3*2048*8192) + 2048 */
    CHECK_EQ(aif_model_config_param_count(&c), 1235814400ull);
    CHECK_OK(parse(QWEN25_05B, &c, &err), err);
    CHECK_EQ(c.arch, AIF_MODEL_QWEN2);
    CHECK_EQ(c.head_dim, 64);
    CHECK_EQ(c.qkv_bias, 1);
    CHECK_EQ(c.o_bias, 0);
    CHECK_NEAR(c.rope_theta, 1e6, 0);
    CHECK_EQ(c.n_eos, 1);
    CHECK_EQ(c.eos_token_ids[0], 151643);
    /* 151936*896 + 24*(2*896 + 2*896*896 + 896 + 2*(896*128 + 128) + 3*896*4864) + 896 */
    CHECK_EQ(aif_model_config_param_count(&c), 494032768ull);
}

static void defaults_and_lists(void)
{
    aif_model_config c;
    aif_err err = {0};
    /* LlamaConfig defaults: kv heads = heads, eps 1e-6, theta 1e4, max_pos 2048, untied, no bias */
    CHECK_OK(parse("{\"model_type\":\"llama\",\"hidden_size\":64,\"intermediate_size\":128,"
                   "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100,"
                   "\"eos_token_id\":[5,6,7],\"bos_token_id\":null,\"rope_scaling\":{\"type\":\"dynamic\","
                   "\"factor\":2}}", &c, &err), err);
    CHECK_EQ(c.n_kv_heads, 4);
    CHECK_EQ(c.head_dim, 16);
    CHECK_NEAR(c.rms_norm_eps, 1e-6, 0);
    CHECK_NEAR(c.rope_theta, 10000, 0);
    CHECK_EQ(c.max_position_embeddings, 2048);
    CHECK_EQ(c.tie_word_embeddings, 0);
    CHECK_EQ(c.has_torch_dtype, 0);
    CHECK_EQ(c.bos_token_id, -1);
    CHECK_EQ(c.n_eos, 3);
    CHECK_EQ(c.eos_token_ids[2], 7);
    CHECK_EQ(c.rope_type, AIF_ROPE_DYNAMIC);
    /* Qwen2 defaults: max_pos 32768; architectures alone is enough */
    CHECK_OK(parse("{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":128,"
                   "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":100,"
                   "\"rope_scaling\":{\"rope_type\":\"default\"}}", &c, &err), err);
    CHECK_EQ(c.max_position_embeddings, 32768);
    CHECK_EQ(c.qkv_bias, 1);
    CHECK_EQ(c.has_torch_dtype, 0);
    CHECK_OK(parse("{\"model_type\":\"qwen2\",\"hidden_size\":64,\"intermediate_size\":128,\"dtype\":\"float16\","
                   "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100}", &c, &err), err);
    CHECK_EQ(c.has_torch_dtype, 1);
    CHECK_EQ(c.torch_dtype, AIF_DTYPE_F16);
    CHECK_EQ(c.rope_type, AIF_ROPE_DEFAULT);
    /* Llama attention_bias puts biases on q, k, v and o; mlp_bias on gate, up, down */
    CHECK_OK(parse("{\"model_type\":\"llama\",\"hidden_size\":64,\"intermediate_size\":128,\"attention_bias\":true,"
                   "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100,\"mlp_bias\":true}",
                   &c, &err), err);
    CHECK_EQ(c.qkv_bias, 1);
    CHECK_EQ(c.o_bias, 1);
    CHECK_EQ(c.mlp_bias, 1);
    /* 2*100*64 + 2*(2*64 + 4*64*64 + 4*64 + 3*64*128 + 2*128 + 64) + 64 */
    CHECK_EQ(aif_model_config_param_count(&c), 2 * 100 * 64 + 2 * (128 + 4 * 4096 + 256 + 3 * 8192 + 256 + 64) + 64);
    CHECK_ERR(parse("{\"model_type\":\"llama\",\"hidden_size\":64,\"hidden_size\":64}", &c, &err), AIF_EFORMAT,
              err, "duplicate");
}

#define BASE "\"model_type\":\"llama\",\"intermediate_size\":128,\"num_hidden_layers\":2,\"vocab_size\":100"

static void hostile_configs(void)
{
    aif_model_config c;
    aif_err err = {0};
    static const struct {
        const char *json;
        aif_code code;
        const char *needle;
    } cases[] = {
        {"", AIF_EFORMAT, "config.json: line"},
        {"[1,2]", AIF_EFORMAT, "not a JSON object"},
        {"{" BASE ",\"num_attention_heads\":4}", AIF_EFORMAT, "missing required field \"hidden_size\""},
        {"{\"model_type\":\"llama\",\"hidden_size\":64,\"num_attention_heads\":4}", AIF_EFORMAT,
         "missing required field \"intermediate_size\""},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":5}", AIF_ERANGE,
         "num_attention_heads 5 does not divide hidden_size 64"},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"num_key_value_heads\":3}", AIF_ERANGE,
         "num_key_value_heads 3 does not divide num_attention_heads 4"},
        {"{" BASE ",\"hidden_size\":1e12,\"num_attention_heads\":4}", AIF_ERANGE, "\"hidden_size\""},
        {"{" BASE ",\"hidden_size\":99999999999999999999,\"num_attention_heads\":4}", AIF_EFORMAT, "line 1"},
        {"{" BASE ",\"hidden_size\":-64,\"num_attention_heads\":4}", AIF_ERANGE, "\"hidden_size\" = -64"},
        {"{" BASE ",\"hidden_size\":64.5,\"num_attention_heads\":4}", AIF_ERANGE, "\"hidden_size\" = 64.5"},
        {"{" BASE ",\"hidden_size\":\"64\",\"num_attention_heads\":4}", AIF_EFORMAT, "\"hidden_size\" must be"},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"rms_norm_eps\":NaN}", AIF_EFORMAT, "line 1"},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"rms_norm_eps\":1e999}", AIF_EFORMAT, "line 1"},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"rms_norm_eps\":0}", AIF_ERANGE,
         "\"rms_norm_eps\" = 0"},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"rope_theta\":1e300}", AIF_ERANGE,
         "\"rope_theta\""},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"head_dim\":7}", AIF_ERANGE, "head_dim 7 must be even"},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"rope_scaling\":{\"rope_type\":\"yarn\","
         "\"factor\":4}}", AIF_ENOTSUP, "rope_scaling type \"yarn\""},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"rope_scaling\":{\"rope_type\":\"llama3\","
         "\"factor\":8}}", AIF_EFORMAT, "missing required field \"low_freq_factor\""},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"rope_scaling\":{\"rope_type\":\"linear\"}}",
         AIF_EFORMAT, "missing required field \"factor\""},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"rope_scaling\":{\"rope_type\":\"linear\","
         "\"factor\":-1}}", AIF_ERANGE, "\"factor\" = -1"},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"hidden_act\":\"gelu\"}", AIF_ENOTSUP,
         "hidden_act \"gelu\""},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"torch_dtype\":\"float64\"}", AIF_ENOTSUP,
         "torch_dtype \"float64\""},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"eos_token_id\":100}", AIF_ERANGE,
         "eos_token_id 100 is not below vocab_size 100"},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"eos_token_id\":[1,\"x\"]}", AIF_ERANGE,
         "\"eos_token_id\"[1]"},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"tie_word_embeddings\":1}", AIF_EFORMAT,
         "\"tie_word_embeddings\" must be true or false"},
        {"{\"model_type\":\"gpt2\",\"hidden_size\":64}", AIF_ENOTSUP, "model_type \"gpt2\""},
        {"{\"architectures\":[\"MistralForCausalLM\"],\"hidden_size\":64}", AIF_ENOTSUP, "MistralForCausalLM"},
        {"{\"model_type\":\"qwen2\",\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,"
         "\"vocab_size\":100,\"num_attention_heads\":4,\"use_sliding_window\":true}", AIF_ENOTSUP, "use_sliding_window"},
        /* every size at its limit: the parameter total is refused, not overflowed */
        {"{\"model_type\":\"llama\",\"hidden_size\":65536,\"intermediate_size\":1048576,\"num_hidden_layers\":1024,"
         "\"num_attention_heads\":64,\"vocab_size\":4194304}", AIF_ERANGE, "parameters (limit"},
        {"{" BASE ",\"hidden_size\":64,\"num_attention_heads\":4,\"num_hidden_layers\":1025}", AIF_EFORMAT,
         "duplicate"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        aif_code rc = parse(cases[i].json, &c, &err);
        if (rc != cases[i].code || !strstr(err.msg, cases[i].needle))
            aif_test_fail(__FILE__, __LINE__, "case %zu: got %s \"%s\", want %s containing \"%s\"", i,
                          aif_code_name(rc), err.msg, aif_code_name(cases[i].code), cases[i].needle);
    }
    /* layers beyond the limit (no duplicate key this time) */
    CHECK_ERR(parse("{\"model_type\":\"llama\",\"intermediate_size\":128,\"num_hidden_layers\":1025,"
                    "\"vocab_size\":100,\"hidden_size\":64,\"num_attention_heads\":4}", &c, &err),
              AIF_ERANGE, err, "\"num_hidden_layers\" = 1025 is outside [1, 1024]");
    /* a buffer that is not NUL-terminated: only len bytes are read */
    const char *s = "{\"model_type\":\"llama\",\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,"
                    "\"num_attention_heads\":4,\"vocab_size\":100}garbage";
    CHECK_OK(aif_model_config_parse(s, strlen(s) - 7, "x", &c, &err), err);
}

AIF_TESTS(model_config) = {
    {"model/config_real_checkpoints", real_configs},
    {"model/config_defaults_and_lists", defaults_and_lists},
    {"model/config_hostile", hostile_configs},
    {NULL, NULL},
};
