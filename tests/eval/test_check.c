/* test_check.c: aif_eval_check on the stories260K checkpoint and on
 * hostile copies of it (too many parameters, a pickle file, NaN weights,
 * a wrong architecture, a missing shard, f32 weights, short context, small
 * vocabulary): each check fails with its own message, and the others stay
 * as they were. Expected values are worked out from the fixture: 292800
 * parameters (the README's shapes: 512*64 embed + 512*64 head + 64 norm +
 * 5 layers * (64*64 q + 32*64 k + 32*64 v + 64*64 o + 3*172*64 mlp + 2*64
 * norms)), file sizes from stat. */
#include "eval_test.h"

#include <math.h>
#include <sys/stat.h>

static const aif_subnet_competition *local_comp(void)
{
    static aif_subnet_competitions *comps;
    aif_err err = {0};
    if (!comps && aif_subnet_competitions_default(&comps, &err))
        return NULL;
    return aif_subnet_competition_get(comps, 99);
}

static int run_check(const char *dir, size_t vocab, aif_eval_check_report *r)
{
    const aif_subnet_competition *c = local_comp();
    if (!c) {
        if (!aif_test_injecting())
            CHECK(c != NULL);
        return -1;
    }
    aif_eval_check_opts o = {.competition = c, .tokenizer_vocab = vocab};
    aif_err err = {0};
    aif_code rc = aif_eval_check(dir, &o, r, &err);
    if (rc && !aif_test_injecting())
        CHECK_OK(rc, err);
    if (rc == AIF_OK && aif_test_injecting()) {
        /* an injected failure may have turned into a failed check */
        aif_eval_check_report_release(r);
        return -1;
    }
    return rc ? -1 : 0;
}

#define ST(r, id) ((r).items[AIF_EVAL_CHECK_##id].status)
#define MSG(r, id) ((r).items[AIF_EVAL_CHECK_##id].message)

static uint64_t fsize(const char *dir, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat s;
    return stat(p, &s) ? 0 : (uint64_t)s.st_size;
}

static void test_good(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/good", aif_test_tmpdir());
    et_copy_model("stories260K-hf-bf16", dir);
    aif_eval_check_report r;
    if (run_check(dir, 512, &r))
        return;
    CHECK_EQ(r.n_failed, 0);
    for (int i = 0; i < AIF_EVAL_CHECK_COUNT; i++)
        if (r.items[i].status != AIF_EVAL_PASS)
            aif_test_fail(__FILE__, __LINE__, "%s: %s", aif_eval_check_name((aif_eval_check_id)i), r.items[i].message);
    CHECK_STR(r.architecture, "LlamaForCausalLM");
    CHECK_EQ(r.n_params, 512 * 64 * 2 + 64 + 5 * (64 * 64 * 2 + 32 * 64 * 2 + 3 * 172 * 64 + 2 * 64));
    CHECK_EQ(r.repo_bytes, fsize(dir, "config.json") + fsize(dir, "model.safetensors"));
    CHECK_EQ(r.n_hash_files, 2);
    CHECK_STR(r.hash_files[0], "config.json");
    CHECK_STR(r.hash_files[1], "model.safetensors");
    /* only download-set files: the hash is the directory hash */
    char h[AIF_SUBNET_HASH_CHARS];
    aif_err err = {0};
    CHECK_OK(aif_subnet_hash_dir(dir, h, &err), err);
    CHECK_STR(r.hash, h);
    CHECK_STR(r.dir_hash, h);
    aif_eval_check_report_release(&r);

    /* a README is counted in bytes but not hashed; the vocabulary check
     * with the local tokenizer's 1024 ids fails; without one it is skipped */
    et_write(dir, "README.md", "# a model\n");
    if (run_check(dir, 1024, &r))
        return;
    CHECK_EQ(r.n_failed, 1);
    CHECK_EQ(ST(r, VOCAB), AIF_EVAL_FAIL);
    CHECK(strstr(MSG(r, VOCAB), "vocab_size 512 < 1024 ids") != NULL);
    CHECK_EQ(r.repo_bytes, fsize(dir, "config.json") + fsize(dir, "model.safetensors") + 10);
    CHECK_STR(r.hash, h);
    CHECK(strcmp(r.dir_hash, h) != 0);
    CHECK_EQ(r.n_other_files, 1);
    CHECK_STR(r.other_files[0], "README.md");
    aif_eval_check_report_release(&r);
    if (run_check(dir, 0, &r))
        return;
    CHECK_EQ(ST(r, VOCAB), AIF_EVAL_SKIP);
    aif_eval_check_report_release(&r);
}

static void test_too_many_params(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/big", aif_test_tmpdir());
    et_copy_model("stories260K-hf-bf16", dir);
    /* intermediate 1 000 000: 5 * 3 * 64 * 1e6 = 9.6e8 MLP parameters > 1e8 */
    et_write(dir, "config.json",
             "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\", \"hidden_size\": 64,"
             " \"intermediate_size\": 1000000, \"num_hidden_layers\": 5, \"num_attention_heads\": 8,"
             " \"num_key_value_heads\": 4, \"vocab_size\": 512, \"max_position_embeddings\": 512,"
             " \"rms_norm_eps\": 1e-5, \"tie_word_embeddings\": false, \"torch_dtype\": \"bfloat16\"}");
    aif_eval_check_report r;
    if (run_check(dir, 512, &r))
        return;
    int64_t want = 512 * 64 * 2 + 64 + 5 * (64 * 64 * 2 + 32 * 64 * 2 + 3 * 1000000LL * 64 + 2 * 64);
    CHECK_EQ(r.n_params, want);
    CHECK_EQ(ST(r, PARAMS), AIF_EVAL_FAIL);
    char want_msg[128];
    snprintf(want_msg, sizeof want_msg, "%lld parameters outside [10000, 100000000] of competition 99", (long long)want);
    CHECK(strstr(MSG(r, PARAMS), want_msg) != NULL);
    CHECK_EQ(ST(r, WEIGHTS), AIF_EVAL_FAIL); /* the file does not hold those shapes */
    CHECK_EQ(ST(r, ARCH), AIF_EVAL_PASS);
    CHECK_EQ(r.n_failed, 2);
    aif_eval_check_report_release(&r);
}

static void test_pickle(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/pickle", aif_test_tmpdir());
    et_copy_model("stories260K-hf-bf16", dir);
    et_write(dir, "pytorch_model.bin", "PK\003\004 not really a zip");
    aif_eval_check_report r;
    if (run_check(dir, 512, &r))
        return;
    CHECK_EQ(ST(r, FORMAT), AIF_EVAL_FAIL);
    CHECK(strstr(MSG(r, FORMAT), "pytorch_model.bin: pickle weights file") != NULL);
    CHECK(strstr(MSG(r, FORMAT), "only safetensors") != NULL);
    CHECK_EQ(r.n_failed, 1);
    CHECK_EQ(r.n_other_files, 1); /* not in the download set */
    aif_eval_check_report_release(&r);
}

static void test_nan(void)
{
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s/nan", aif_test_tmpdir());
    et_copy_model("stories260K-hf-bf16", dir);
    aif_err err = {0};
    aif_safetensors *st = NULL;
    if (aif_safetensors_open_dir(aif_test_path("models/stories260K-hf-bf16"), &st, &err)) {
        if (!aif_test_injecting())
            CHECK_OK(err.code, err);
        return;
    }
    size_t n = aif_safetensors_count(st);
    aif_st_write *w = aif_calloc(n, sizeof *w);
    uint16_t *copy = NULL;
    if (!w)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const aif_st_tensor *t = aif_safetensors_at(st, i);
        w[i] = (aif_st_write){t->name, t->dtype, t->n_dims, t->shape, t->data};
        if (!strcmp(t->name, "model.layers.2.mlp.up_proj.weight")) {
            if (!(copy = aif_malloc(t->n_bytes)))
                goto out;
            memcpy(copy, t->data, t->n_bytes);
            copy[5] = 0x7fc0;  /* bf16 NaN */
            copy[77] = 0xff80; /* bf16 -Inf */
            w[i].data = copy;
        }
    }
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (aif_safetensors_save(path, w, n, NULL, 0, &err))
        goto out;
    aif_eval_check_report r;
    if (run_check(dir, 512, &r) == 0) {
        CHECK_EQ(ST(r, FINITE), AIF_EVAL_FAIL);
        CHECK_EQ(r.n_nonfinite, 2);
        CHECK(strstr(MSG(r, FINITE), "tensor 'model.layers.2.mlp.up_proj.weight' element 5 is NaN (2 NaN/Inf") !=
              NULL);
        CHECK_EQ(r.n_failed, 1);
        aif_eval_check_report_release(&r);
    }
    /* the same over a pool of 3 threads */
    aif_pool *pool = NULL;
    if (aif_pool_new(3, &pool, &err) == AIF_OK) {
        aif_eval_check_opts o = {.competition = local_comp(), .tokenizer_vocab = 512, .pool = pool};
        if (o.competition && aif_eval_check(dir, &o, &r, &err) == AIF_OK) {
            CHECK_EQ(r.n_nonfinite, 2);
            CHECK(strstr(MSG(r, FINITE), "element 5 is NaN") != NULL);
            aif_eval_check_report_release(&r);
        }
        aif_pool_free(pool);
    }
out:
    if (err.code && !aif_test_injecting())
        CHECK_OK(err.code, err);
    aif_free(copy);
    aif_free(w);
    aif_safetensors_close(st);
}

static void test_wrong_arch(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/mistral", aif_test_tmpdir());
    et_copy_model("stories260K-hf-bf16", dir);
    et_write(dir, "config.json",
             "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"mistral\", \"hidden_size\": 64,"
             " \"intermediate_size\": 172, \"num_hidden_layers\": 5, \"num_attention_heads\": 8,"
             " \"num_key_value_heads\": 4, \"vocab_size\": 512, \"max_position_embeddings\": 512}");
    aif_eval_check_report r;
    if (run_check(dir, 512, &r))
        return;
    /* the auto-loader follows model_type, whatever `architectures` says */
    CHECK_STR(r.architecture, "MistralForCausalLM");
    CHECK_EQ(ST(r, ARCH), AIF_EVAL_FAIL);
    CHECK(strstr(MSG(r, ARCH), "MistralForCausalLM is not an allowed architecture of competition 99 (allowed: "
                               "LlamaForCausalLM, Qwen2ForCausalLM)") != NULL);
    CHECK_EQ(ST(r, CONFIG), AIF_EVAL_FAIL);
    CHECK_EQ(ST(r, PARAMS), AIF_EVAL_SKIP);
    aif_eval_check_report_release(&r);

    /* model_type llama with another class in `architectures`: the class is
     * still LlamaForCausalLM (arch passes); aif's model runtime refuses the
     * config though (stricter than transformers), so config fails */
    et_write(dir, "config.json",
             "{\"architectures\": [\"LlamaForSequenceClassification\"], \"model_type\": \"llama\", \"hidden_size\": 64,"
             " \"intermediate_size\": 172, \"num_hidden_layers\": 5, \"num_attention_heads\": 8,"
             " \"num_key_value_heads\": 4, \"vocab_size\": 512, \"max_position_embeddings\": 512}");
    if (run_check(dir, 512, &r))
        return;
    CHECK_STR(r.architecture, "LlamaForCausalLM");
    CHECK_EQ(ST(r, ARCH), AIF_EVAL_PASS);
    CHECK_EQ(ST(r, CONFIG), AIF_EVAL_FAIL);
    CHECK(strstr(MSG(r, CONFIG), "LlamaForSequenceClassification") != NULL);
    CHECK_EQ(r.n_failed, 1);
    aif_eval_check_report_release(&r);

    /* deepseek_v3 is in competition 1's list but not runnable (13.11) */
    char arch[AIF_EVAL_ARCH_MAX];
    aif_err err = {0};
    const char *ds = "{\"model_type\": \"deepseek_v3\"}";
    CHECK_OK(aif_eval_arch_parse(ds, strlen(ds), "config.json", arch, &err), err);
    CHECK_STR(arch, "DeepseekV3ForCausalLM");
    /* fuzzer find: an empty class name must not give an empty answer */
    const char *empty = "{\"model_type\": \"be\", \"architectures\": [\"\"]}";
    CHECK_OK(aif_eval_arch_parse(empty, strlen(empty), "config.json", arch, &err), err);
    CHECK_STR(arch, "(model_type be)");
    CHECK_ERR(aif_eval_arch_parse("{}", 2, "config.json", arch, &err), AIF_EFORMAT, err, "no string \"model_type\"");
    CHECK_ERR(aif_eval_arch_parse("{", 1, "x/config.json", arch, &err), AIF_EFORMAT, err, "x/config.json: invalid JSON");
}

static void test_missing_shard(void)
{
    char dir[1024], from[1100], to[1100];
    snprintf(dir, sizeof dir, "%s/sharded", aif_test_tmpdir());
    et_copy_model("stories260K-hf-bf16", dir);
    snprintf(from, sizeof from, "%s/model.safetensors", dir);
    snprintf(to, sizeof to, "%s/model-00001-of-00002.safetensors", dir);
    CHECK(rename(from, to) == 0);
    /* every tensor in shard 1 except lm_head, which the index puts in the
     * absent shard 2 */
    aif_err err = {0};
    aif_safetensors *st = NULL;
    if (aif_safetensors_open(to, &st, &err)) {
        if (!aif_test_injecting())
            CHECK_OK(err.code, err);
        return;
    }
    char *idx = aif_malloc(65536);
    if (!idx) {
        aif_safetensors_close(st);
        return;
    }
    size_t o = (size_t)snprintf(idx, 65536, "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {");
    for (size_t i = 0; i < aif_safetensors_count(st); i++) {
        const char *name = aif_safetensors_at(st, i)->name;
        o += (size_t)snprintf(idx + o, 65536 - o, "%s\"%s\": \"model-0000%d-of-00002.safetensors\"", i ? ", " : "",
                              name, strcmp(name, "lm_head.weight") ? 1 : 2);
    }
    snprintf(idx + o, 65536 - o, "}}");
    aif_safetensors_close(st);
    et_write(dir, "model.safetensors.index.json", idx);
    aif_free(idx);
    aif_eval_check_report r;
    if (run_check(dir, 512, &r))
        return;
    CHECK_EQ(ST(r, FORMAT), AIF_EVAL_FAIL);
    CHECK(strstr(MSG(r, FORMAT), "model-00002-of-00002.safetensors") != NULL);
    CHECK_STR(r.items[AIF_EVAL_CHECK_FORMAT].value, "sharded safetensors");
    CHECK_EQ(ST(r, FINITE), AIF_EVAL_SKIP);
    /* the index and the present shard are in the hashed set */
    CHECK_EQ(r.n_hash_files, 3);
    CHECK_STR(r.hash_files[0], "config.json");
    CHECK_STR(r.hash_files[1], "model-00001-of-00002.safetensors");
    CHECK_STR(r.hash_files[2], "model.safetensors.index.json");
    aif_eval_check_report_release(&r);
}

static void test_dtype_seqlen(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/f32", aif_test_tmpdir());
    et_copy_model("stories260K-hf-f32", dir);
    et_write(dir, "config.json",
             "{\"model_type\": \"llama\", \"hidden_size\": 64, \"intermediate_size\": 172, \"num_hidden_layers\": 5,"
             " \"num_attention_heads\": 8, \"num_key_value_heads\": 4, \"vocab_size\": 512,"
             " \"max_position_embeddings\": 128}");
    aif_eval_check_report r;
    if (run_check(dir, 512, &r))
        return;
    CHECK_EQ(ST(r, DTYPE), AIF_EVAL_FAIL);
    CHECK(strstr(MSG(r, DTYPE), "is F32 (48 of 48 tensors not bf16)") != NULL);
    CHECK_EQ(ST(r, SEQLEN), AIF_EVAL_FAIL);
    CHECK(strstr(MSG(r, SEQLEN), "max_position_embeddings 128 < competition sequence length 256") != NULL);
    CHECK_EQ(r.n_failed, 2);
    aif_eval_check_report_release(&r);

    /* no config at all: config fails, dependent checks are skipped */
    char p[1100];
    snprintf(p, sizeof p, "%s/config.json", dir);
    CHECK(remove(p) == 0);
    if (run_check(dir, 512, &r))
        return;
    CHECK_EQ(ST(r, CONFIG), AIF_EVAL_FAIL);
    CHECK(strstr(MSG(r, CONFIG), "config.json") != NULL);
    CHECK_EQ(ST(r, PARAMS), AIF_EVAL_SKIP);
    CHECK_EQ(ST(r, WEIGHTS), AIF_EVAL_SKIP);
    aif_eval_check_report_release(&r);

    int64_t np = 0;
    char arch[AIF_EVAL_ARCH_MAX];
    aif_err err = {0};
    CHECK_OK(aif_eval_inspect(aif_test_path("models/stories260K-hf-bf16"), arch, &np, &err), err);
    CHECK_STR(arch, "LlamaForCausalLM");
    CHECK_EQ(np, 292800);
    CHECK_ERR(aif_eval_inspect(dir, arch, &np, &err), AIF_ENOTFOUND, err, "config.json");
}

AIF_TESTS(eval_check) = {
    {"eval/check_good", test_good},
    {"eval/check_too_many_params", test_too_many_params},
    {"eval/check_pickle", test_pickle},
    {"eval/check_nan", test_nan},
    {"eval/check_wrong_arch", test_wrong_arch},
    {"eval/check_missing_shard", test_missing_shard},
    {"eval/check_dtype_seqlen", test_dtype_seqlen},
    {NULL, NULL},
};
