/* cmd_model.c: `aif model info|score|generate`: inspect a Hugging Face
 * Llama/Qwen2 model directory, score token sequences, generate greedily. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aif/model.h"

AIF_COMMAND(model, "inspect, score and run Llama/Qwen2 models (info, score, generate)")

static const char *rope_name(aif_rope_type t)
{
    switch (t) {
    case AIF_ROPE_LINEAR: return "linear";
    case AIF_ROPE_DYNAMIC: return "dynamic";
    case AIF_ROPE_LLAMA3: return "llama3";
    default: return "default";
    }
}

static int parse_argmax(const char *s, aif_model_argmax *out)
{
    if (!s || !strcmp(s, "auto"))
        *out = AIF_MODEL_ARGMAX_AUTO;
    else if (!strcmp(s, "f32"))
        *out = AIF_MODEL_ARGMAX_F32;
    else if (!strcmp(s, "bf16"))
        *out = AIF_MODEL_ARGMAX_BF16;
    else
        return aif_cli_usage_error("--argmax must be auto, f32 or bf16 (got '%s')", s);
    return 0;
}

/* --dtype: cast the weights after loading (NULL: keep the stored dtype);
 * --compute: what the matrix products read (NULL: f32). */
static aif_code apply_dtype(aif_model *m, const char *s, const char *compute, aif_err *err)
{
    aif_dtype t;
    aif_model_compute c = AIF_MODEL_COMPUTE_F32;
    if (compute && aif_model_compute_parse(compute, &c, err))
        return AIF_EINVAL;
    aif_model_set_compute(m, c);
    if (!s)
        return AIF_OK;
    if (!strcmp(s, "bf16") || !strcmp(s, "bfloat16"))
        t = AIF_DTYPE_BF16;
    else if (!strcmp(s, "f16") || !strcmp(s, "float16"))
        t = AIF_DTYPE_F16;
    else if (!strcmp(s, "f32") || !strcmp(s, "float32"))
        t = AIF_DTYPE_F32;
    else
        return aif_err_set(err, AIF_EINVAL, "--dtype must be bf16, f16 or f32 (got '%s')", s);
    return aif_model_cast(m, t, err);
}

/* ------------------------------------------------------------------ info */

static int cmd_info(int argc, char **argv, struct aif_cli *cli)
{
    const char *usage = "aif model info DIR [--json]";
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli, usage, NULL, argc, argv, pos, 1, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (n_pos != 1)
        return aif_cli_usage_error("usage: %s", usage);
    aif_err err = {0};
    aif_model *m = NULL;
    if (aif_model_load(pos[0], &m, &err))
        return aif_cli_fail(&err);
    const aif_model_config *c = aif_model_get_config(m);
    const char *arch = c->arch == AIF_MODEL_QWEN2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM";
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 1);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "dir", pos[0]);
        aif_json_kstr(&j, "architecture", arch);
        aif_json_kstr(&j, "model_type", aif_model_arch_name(c->arch));
        aif_json_key(&j, "parameters");
        aif_json_uint(&j, aif_model_param_count(m));
        aif_json_kstr(&j, "dtype", aif_dtype_name(aif_model_dtype(m)));
        if (c->has_torch_dtype)
            aif_json_kstr(&j, "torch_dtype", c->torch_dtype == AIF_DTYPE_F32 ? "float32"
                                             : c->torch_dtype == AIF_DTYPE_F16 ? "float16" : "bfloat16");
        aif_json_key(&j, "weight_bytes");
        aif_json_uint(&j, aif_model_weight_bytes(m));
        aif_json_key(&j, "file_bytes");
        aif_json_uint(&j, aif_model_file_bytes(m));
        aif_json_kint(&j, "hidden_size", c->hidden_size);
        aif_json_kint(&j, "intermediate_size", c->intermediate_size);
        aif_json_kint(&j, "num_hidden_layers", c->n_layers);
        aif_json_kint(&j, "num_attention_heads", c->n_heads);
        aif_json_kint(&j, "num_key_value_heads", c->n_kv_heads);
        aif_json_kint(&j, "head_dim", c->head_dim);
        aif_json_kint(&j, "vocab_size", c->vocab_size);
        aif_json_kint(&j, "max_position_embeddings", c->max_position_embeddings);
        aif_json_knum(&j, "rms_norm_eps", c->rms_norm_eps);
        aif_json_knum(&j, "rope_theta", c->rope_theta);
        aif_json_kstr(&j, "rope_scaling", rope_name(c->rope_type));
        if (c->rope_type != AIF_ROPE_DEFAULT)
            aif_json_knum(&j, "rope_factor", c->rope_factor);
        aif_json_kbool(&j, "qkv_bias", c->qkv_bias);
        aif_json_kbool(&j, "tie_word_embeddings", c->tie_word_embeddings);
        if (c->bos_token_id >= 0)
            aif_json_kint(&j, "bos_token_id", c->bos_token_id);
        aif_json_key(&j, "eos_token_ids");
        aif_json_arr_begin(&j);
        for (int i = 0; i < c->n_eos; i++)
            aif_json_int(&j, c->eos_token_ids[i]);
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("architecture   %s\n", arch);
        printf("parameters     %llu\n", (unsigned long long)aif_model_param_count(m));
        printf("dtype          %s\n", aif_dtype_name(aif_model_dtype(m)));
        printf("weight bytes   %llu\n", (unsigned long long)aif_model_weight_bytes(m));
        printf("file bytes     %llu\n", (unsigned long long)aif_model_file_bytes(m));
        printf("layers         %lld\n", (long long)c->n_layers);
        printf("hidden         %lld (intermediate %lld)\n", (long long)c->hidden_size, (long long)c->intermediate_size);
        printf("heads          %lld query, %lld key/value, head_dim %lld\n", (long long)c->n_heads,
               (long long)c->n_kv_heads, (long long)c->head_dim);
        printf("vocab          %lld\n", (long long)c->vocab_size);
        printf("rope           theta %g, scaling %s", c->rope_theta, rope_name(c->rope_type));
        if (c->rope_type != AIF_ROPE_DEFAULT)
            printf(" (factor %g)", c->rope_factor);
        printf("\nrms_norm_eps   %g\n", c->rms_norm_eps);
        printf("tied embedding %s\n", c->tie_word_embeddings ? "yes" : "no");
        printf("qkv bias       %s\n", c->qkv_bias ? "yes" : "no");
    }
    aif_model_free(m);
    return 0;
}

/* ------------------------------------------------------------------ token files */

typedef struct seqs {
    int32_t *ids;
    size_t *start, *len; /* per sequence */
    size_t n, cap_ids, cap_seq, n_ids;
} seqs;

static void seqs_free(seqs *s)
{
    aif_free(s->ids);
    aif_free(s->start);
    aif_free(s->len);
}

static aif_code push(void **p, size_t *cap, size_t need, size_t el, aif_err *err)
{
    if (need <= *cap)
        return AIF_OK;
    size_t nc = *cap ? *cap * 2 : 256;
    while (nc < need)
        nc *= 2;
    void *q = aif_realloc(*p, nc * el);
    if (!q)
        return aif_err_set(err, AIF_ENOMEM, "out of memory reading token ids");
    *p = q;
    *cap = nc;
    return AIF_OK;
}

/* Whitespace-separated non-negative integers, one sequence per non-empty line. */
static aif_code parse_ids_text(const char *text, size_t len, const char *name, seqs *s, aif_err *err)
{
    size_t line = 1, i = 0;
    memset(s, 0, sizeof *s);
    while (i < len) {
        size_t begin = s->n_ids;
        while (i < len && text[i] != '\n') {
            if (isspace((unsigned char)text[i])) {
                i++;
                continue;
            }
            if (!isdigit((unsigned char)text[i]))
                return aif_err_set(err, AIF_EFORMAT, "%s:%zu: '%c' is not a token id", name, line, text[i]);
            long long v = 0;
            while (i < len && isdigit((unsigned char)text[i])) {
                v = v * 10 + (text[i++] - '0');
                if (v > 0x7fffffff)
                    return aif_err_set(err, AIF_ERANGE, "%s:%zu: token id too large", name, line);
            }
            if (i < len && !isspace((unsigned char)text[i]))
                return aif_err_set(err, AIF_EFORMAT, "%s:%zu: '%c' is not a token id", name, line, text[i]);
            aif_code rc = push((void **)&s->ids, &s->cap_ids, s->n_ids + 1, sizeof *s->ids, err);
            if (rc)
                return rc;
            s->ids[s->n_ids++] = (int32_t)v;
        }
        if (s->n_ids > begin) {
            size_t c1 = s->cap_seq, c2 = s->cap_seq;
            aif_code rc = push((void **)&s->start, &c1, s->n + 1, sizeof *s->start, err);
            if (!rc)
                rc = push((void **)&s->len, &c2, s->n + 1, sizeof *s->len, err);
            if (rc)
                return rc;
            s->cap_seq = c1 < c2 ? c1 : c2;
            s->start[s->n] = begin;
            s->len[s->n++] = s->n_ids - begin;
        }
        i++;
        line++;
    }
    return AIF_OK;
}

/* ------------------------------------------------------------------ score */

struct prog {
    aif_progress *p;
    uint64_t base;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct prog *pr = ctx;
    (void)total;
    aif_progress_update(pr->p, pr->base + done);
}

static int cmd_score(int argc, char **argv, struct aif_cli *cli)
{
    const char *usage = "aif model score DIR --tokens FILE [--dtype bf16|f16|f32] [--compute f32|bf16] [--argmax auto|f32|bf16] [--json]";
    const char *tokfile = NULL, *argmax_s = NULL, *dtype_s = NULL, *compute_s = NULL;
    aif_opt opts[] = {
        {"dtype", AIF_OPT_STR, &dtype_s, "T", "convert the weights first (bf16: as the validator loads every model)"},
        {"compute", AIF_OPT_STR, &compute_s, "MODE", "f32 (exact products, default) or bf16 (inputs rounded, as torch bf16)"},
        {"tokens", AIF_OPT_STR, &tokfile, "FILE", "token ids, one sequence per line, whitespace-separated"},
        {"argmax", AIF_OPT_STR, &argmax_s, "MODE", "auto (bf16 logits for bf16 weights, as PyTorch), f32, bf16"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli, usage, opts, argc, argv, pos, 1, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (n_pos != 1 || !tokfile)
        return aif_cli_usage_error("usage: %s", usage);
    aif_model_argmax am;
    if ((rc = parse_argmax(argmax_s, &am)))
        return rc;
    aif_err err = {0};
    char *text = NULL;
    size_t len = 0;
    seqs s;
    memset(&s, 0, sizeof s);
    aif_model *m = NULL;
    aif_pool *pool = NULL;
    aif_model_seq_stats *st = NULL;
    float **ce = NULL;
    int ret = 1;
    if (aif_fs_read_file(tokfile, (size_t)1 << 30, &text, &len, &err) ||
        parse_ids_text(text, len, tokfile, &s, &err))
        goto fail;
    if (s.n == 0) {
        aif_err_set(&err, AIF_EFORMAT, "%s: no token sequences", tokfile);
        goto fail;
    }
    for (size_t i = 0; i < s.n; i++)
        if (s.len[i] < 2) {
            aif_err_set(&err, AIF_EFORMAT, "%s: sequence %zu has %zu token(s); scoring needs at least 2", tokfile,
                        i + 1, s.len[i]);
            goto fail;
        }
    if (aif_model_load(pos[0], &m, &err) || apply_dtype(m, dtype_s, compute_s, &err) ||
        aif_pool_new(cli->threads, &pool, &err))
        goto fail;
    st = aif_calloc(s.n, sizeof *st);
    ce = aif_calloc(s.n, sizeof *ce);
    if (!st || !ce) {
        aif_err_set(&err, AIF_ENOMEM, "out of memory");
        goto fail;
    }
    aif_progress prog;
    aif_progress_init(&prog, "scoring", s.n_ids, "tok", cli->quiet || s.n_ids < 4096);
    struct prog pr = {&prog, 0};
    for (size_t i = 0; i < s.n; i++) {
        ce[i] = aif_malloc((s.len[i] - 1) * sizeof(float));
        if (!ce[i]) {
            aif_err_set(&err, AIF_ENOMEM, "out of memory");
            goto fail;
        }
        aif_model_score_opts o = {.argmax = am, .per_position_ce = ce[i], .progress = on_progress,
                                  .progress_ctx = &pr};
        if (aif_model_score(m, pool, s.ids + s.start[i], 1, s.len[i], &o, &st[i], &err)) {
            aif_err_wrap(&err, "%s: sequence %zu", tokfile, i + 1);
            goto fail;
        }
        pr.base += s.len[i];
    }
    aif_progress_finish(&prog);
    /* The validator's batch loss (spec 6.3): err in float32, + 1e-8 in float32, 1 + that. */
    double sum_ce = 0, sum_score = 0;
    aif_json j;
    aif_json_init(&j, stdout, 0);
    if (cli->json) {
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "model", pos[0]);
        aif_json_kstr(&j, "argmax", am == AIF_MODEL_ARGMAX_F32 ? "f32" : am == AIF_MODEL_ARGMAX_BF16 ? "bf16"
                                                                                                       : "auto");
        aif_json_key(&j, "sequences");
        aif_json_arr_begin(&j);
    } else {
        printf("%-6s %8s %12s %10s %8s %12s\n", "seq", "tokens", "mean_ce", "error", "wrong", "score");
    }
    for (size_t i = 0; i < s.n; i++) {
        float e32 = (float)st[i].n_wrong / (float)st[i].n_positions;
        e32 = e32 + 1e-8f;
        double score = 1.0 + (double)e32;
        sum_ce += st[i].mean_ce;
        sum_score += score;
        if (cli->json) {
            aif_json_obj_begin(&j);
            aif_json_kint(&j, "n_tokens", (int64_t)s.len[i]);
            aif_json_knum(&j, "mean_ce", st[i].mean_ce);
            aif_json_knum(&j, "error_rate", st[i].error_rate);
            aif_json_kint(&j, "n_wrong", (int64_t)st[i].n_wrong);
            aif_json_knum(&j, "score", score);
            aif_json_key(&j, "per_position_ce");
            aif_json_arr_begin(&j);
            for (size_t p = 0; p < st[i].n_positions; p++)
                aif_json_num(&j, ce[i][p]);
            aif_json_arr_end(&j);
            aif_json_obj_end(&j);
        } else {
            printf("%-6zu %8zu %12.6f %10.6f %8zu %12.9f\n", i + 1, s.len[i], st[i].mean_ce, st[i].error_rate,
                   st[i].n_wrong, score);
        }
    }
    if (cli->json) {
        aif_json_arr_end(&j);
        aif_json_knum(&j, "mean_ce", sum_ce / (double)s.n);
        aif_json_knum(&j, "mean_score", sum_score / (double)s.n);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        printf("mean   %8s %12.6f %10s %8s %12.9f\n", "", sum_ce / (double)s.n, "", "", sum_score / (double)s.n);
    }
    ret = 0;
fail:
    if (ret)
        ret = aif_cli_fail(&err);
    if (ce)
        for (size_t i = 0; i < s.n; i++)
            aif_free(ce[i]);
    aif_free(ce);
    aif_free(st);
    aif_pool_free(pool);
    aif_model_free(m);
    seqs_free(&s);
    aif_free(text);
    return ret;
}

/* ------------------------------------------------------------------ generate */

static int cmd_generate(int argc, char **argv, struct aif_cli *cli)
{
    const char *usage = "aif model generate DIR --prompt-ids \"1 2 3\" --max-new N [--suppress-eos N] [--dtype T] [--json]";
    const char *prompt_s = NULL, *argmax_s = NULL, *dtype_s = NULL, *compute_s = NULL;
    long long max_new = 20, suppress = 0;
    int stop_eos = 0;
    aif_opt opts[] = {
        {"prompt-ids", AIF_OPT_STR, &prompt_s, "IDS", "prompt token ids, space-separated"},
        {"max-new", AIF_OPT_INT, &max_new, "N", "tokens to generate (default 20)"},
        {"suppress-eos", AIF_OPT_INT, &suppress, "N", "never pick an EOS id in the first N steps (min_new_tokens)"},
        {"stop-at-eos", AIF_OPT_FLAG, &stop_eos, NULL, "stop after an EOS id"},
        {"argmax", AIF_OPT_STR, &argmax_s, "MODE", "auto (bf16 logits for bf16 weights), f32, bf16"},
        {"dtype", AIF_OPT_STR, &dtype_s, "T", "convert the weights first (bf16, f16, f32)"},
        {"compute", AIF_OPT_STR, &compute_s, "MODE", "f32 (exact products, default) or bf16 (inputs rounded, as torch bf16)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli, usage, opts, argc, argv, pos, 1, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (n_pos != 1 || !prompt_s)
        return aif_cli_usage_error("usage: %s", usage);
    if (max_new < 0 || max_new > 1000000 || suppress < 0)
        return aif_cli_usage_error("--max-new must be in [0, 1000000] and --suppress-eos >= 0");
    aif_model_argmax am;
    if ((rc = parse_argmax(argmax_s, &am)))
        return rc;
    aif_err err = {0};
    seqs s;
    aif_model *m = NULL;
    aif_pool *pool = NULL;
    int32_t *out = NULL;
    int ret = 1;
    if (parse_ids_text(prompt_s, strlen(prompt_s), "--prompt-ids", &s, &err))
        goto fail;
    if (s.n != 1) {
        aif_err_set(&err, AIF_EFORMAT, "--prompt-ids: expected one line of token ids");
        goto fail;
    }
    if (aif_model_load(pos[0], &m, &err) || apply_dtype(m, dtype_s, compute_s, &err) ||
        aif_pool_new(cli->threads, &pool, &err))
        goto fail;
    out = aif_calloc((size_t)max_new + 1, sizeof *out);
    if (!out) {
        aif_err_set(&err, AIF_ENOMEM, "out of memory");
        goto fail;
    }
    const aif_model_config *c = aif_model_get_config(m);
    aif_model_gen_opts go = {.max_new = (size_t)max_new, .suppress_ids = c->eos_token_ids,
                             .n_suppress = (size_t)c->n_eos, .suppress_steps = (size_t)suppress,
                             .stop_at_eos = stop_eos, .argmax = am};
    size_t n_out = 0;
    double t0 = aif_time_now();
    if (aif_model_generate(m, pool, s.ids, s.n_ids, &go, out, &n_out, &err))
        goto fail;
    double dt = aif_time_now() - t0;
    if (cli->json) {
        aif_json j;
        aif_json_init(&j, stdout, 0);
        aif_json_obj_begin(&j);
        aif_json_key(&j, "prompt_ids");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < s.n_ids; i++)
            aif_json_int(&j, s.ids[i]);
        aif_json_arr_end(&j);
        aif_json_key(&j, "generated_ids");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < n_out; i++)
            aif_json_int(&j, out[i]);
        aif_json_arr_end(&j);
        aif_json_knum(&j, "seconds", dt);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    } else {
        for (size_t i = 0; i < n_out; i++)
            printf("%s%d", i ? " " : "", (int)out[i]);
        printf("\n");
    }
    aif_log(AIF_LOG_INFO, "generated %zu tokens in %.3f s", n_out, dt);
    ret = 0;
fail:
    if (ret)
        ret = aif_cli_fail(&err);
    aif_free(out);
    aif_pool_free(pool);
    aif_model_free(m);
    seqs_free(&s);
    return ret;
}

int aif_cmd_model(int argc, char **argv, struct aif_cli *cli)
{
    static const aif_subcmd subs[] = {
        {"info", cmd_info, "architecture, parameters, dtype, bytes and config of a model directory"},
        {"score", cmd_score, "per-sequence mean cross-entropy, error rate and 1 + error rate"},
        {"generate", cmd_generate, "greedy continuation of token ids (KV cache)"},
        {NULL, NULL, NULL},
    };
    return aif_cli_dispatch("model", subs, argc, argv, cli);
}
