/* bench_forward.c: throughput of the eval path (aif_model_score: forward +
 * LM head + cross-entropy/argmax over every position) of a synthetic Llama
 * of issue 6's shape (hidden 2048, 16 layers, 32 heads, 8 kv heads,
 * head_dim 64, intermediate 8192, vocab 128256, untied: 1.50 B parameters),
 * for each weight dtype (f32, bf16), compute mode (aif_model_set_compute
 * F32 or BF16; BF16 only with bf16 weights), thread count and sequence
 * length. Prints one table, and with --machine one JSON line per row
 * ("#R {...}") and per thread count's peaks ("#P {...}") for bench/table.py.
 *
 *   bench_forward [--quick] [--layers 16] [--vocab 128256] [--seq 2048,4096] [--dtypes f32,bf16]
 *                 [--compute f32,bf16] [--threads 1,2] [--reps 3] [--warmup 0] [--dir /tmp/aif-bench]
 *                 [--machine]
 *   bench_forward --make-weights [--layers N] [--vocab V] [--dir D]   write the weight files, print their dirs
 *   bench_forward --rss-3b5 [--dir D] [--seq 4096] [--threads N] [--compute f32|bf16] [--layers 28] [--rm]
 *
 * --quick is --layers 2 --seq 512,2048 --reps 3 (full vocab).
 *
 * Weights: random values (xorshift, fixed seed) rounded to bf16, written
 * once by a forked child as DIR/llama-<shape>/bf16/model.safetensors and
 * .../f32/model.safetensors (the same values widened to f32) with their
 * config.json, reused while config.json matches, and loaded with
 * aif_model_load (weights used in place from the mapping). bench/
 * torch_forward.py --weights reads the same files, so both print the mean
 * cross-entropy of the same tokens ((i * 7919 + 13) mod V) with the same
 * weights.
 *
 * FLOPs: 2 x (parameters minus the embedding table, i.e. the matrices
 * including the LM head, plus the norms) x T, plus the causal attention
 * products 2 x 2 x layers x heads x head_dim x T^2 / 2.
 *
 * Each row runs --reps times (after --warmup untimed runs) and reports the
 * median wall time (tok/s, GFLOP/s, and % of peak use wall time), the
 * min..max GFLOP/s over the reps (wall), and the median process CPU time
 * (less sensitive to other processes: with 1 thread, wall ~ CPU unless the
 * core is shared). Peaks are measured at start-up for each thread count
 * (peak.h): the sum of each thread's rate in its own thread CPU time (not
 * lowered when other processes share the cores, so %peak is conservative
 * on a busy machine; the wall-time peak is printed too). %peak is of the
 * vfmadd231ps loop for f32 weights and of the vdpbf16ps loop for bf16
 * weights (issue 6's definition); %amx of the AMX tdpbf16ps loop (bf16 rows).
 * x1->N: median wall time with 1 thread / with N threads (same dtype,
 * compute and sequence). RSS: the process's peak resident set (ru_maxrss)
 * after the row; rows run in order of sequence length, so a row's RSS is
 * the high-water mark of its own sequence length.
 *
 * --rss-3b5: the memory target: a synthetic 3.5B-parameter bf16 Llama
 * (hidden 3072, 28 layers, 24/8 heads, head_dim 128, intermediate 8192,
 * vocab 128256, untied: 3.61 B parameters, 7.2 GB) written to
 * DIR/llama3b5-L28/bf16/ (by a child process, so the measuring process's
 * ru_maxrss never saw the generator), loaded with aif_model_load and
 * scored on one 4096-token sequence; prints time, CE and peak RSS against
 * the 9 GB target. --rm deletes the files afterwards. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aif/aif.h"
#include "aif/fs.h"
#include "aif/model.h"
#include "peak.h"
#include "../src/kernels/kernels.h"

/* ------------------------------------------------------------------ shape */

typedef struct {
    int64_t D, I, L, H, KV, HD, V;
} shape;

static void config_json(const shape *s, const char *dtype, char *out, size_t cap)
{
    snprintf(out, cap,
             "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"hidden_size\":%lld,"
             "\"intermediate_size\":%lld,\"num_hidden_layers\":%lld,\"num_attention_heads\":%lld,"
             "\"num_key_value_heads\":%lld,\"head_dim\":%lld,\"vocab_size\":%lld,\"rope_theta\":500000.0,"
             "\"rms_norm_eps\":1e-05,\"max_position_embeddings\":131072,\"tie_word_embeddings\":false,"
             "\"torch_dtype\":\"%s\"}\n",
             (long long)s->D, (long long)s->I, (long long)s->L, (long long)s->H, (long long)s->KV,
             (long long)s->HD, (long long)s->V, dtype);
}

/* ---------------------------------------------------------------- weights */

typedef struct {
    char name[80];
    int64_t r, c;      /* c == 0: a vector */
    float scale, center;
} wdesc;

static size_t describe(const shape *s, wdesc *w)
{
    size_t n = 0;
    int64_t Q = s->H * s->HD, KV = s->KV * s->HD;
#define W(nm, rr, cc, sc, ce) (snprintf(w[n].name, sizeof w[n].name, "%s", nm), w[n].r = rr, w[n].c = cc, \
                               w[n].scale = sc, w[n].center = ce, n++)
    const float m = 0.05f, g = 0.1f;
    W("model.embed_tokens.weight", s->V, s->D, 1.0f, 0.0f);
    char nm[80];
    for (int64_t l = 0; l < s->L; l++) {
#define L_(x) (snprintf(nm, sizeof nm, "model.layers.%lld." x, (long long)l), nm)
        W(L_("input_layernorm.weight"), s->D, 0, g, 1.0f);
        W(L_("self_attn.q_proj.weight"), Q, s->D, m, 0.0f);
        W(L_("self_attn.k_proj.weight"), KV, s->D, m, 0.0f);
        W(L_("self_attn.v_proj.weight"), KV, s->D, m, 0.0f);
        W(L_("self_attn.o_proj.weight"), s->D, Q, m, 0.0f);
        W(L_("post_attention_layernorm.weight"), s->D, 0, g, 1.0f);
        W(L_("mlp.gate_proj.weight"), s->I, s->D, m, 0.0f);
        W(L_("mlp.up_proj.weight"), s->I, s->D, m, 0.0f);
        W(L_("mlp.down_proj.weight"), s->D, s->I, m, 0.0f);
#undef L_
    }
    W("model.norm.weight", s->D, 0, g, 1.0f);
    W("lm_head.weight", s->V, s->D, m, 0.0f);
#undef W
    return n;
}

static int64_t nel(const wdesc *w) { return w->r * (w->c ? w->c : 1); }

/* The safetensors header: tensors in `w` order, contiguous, padded with
 * spaces to a multiple of 8. Returns its length (without the 8-byte prefix)
 * or 0 when it does not fit. */
static size_t st_header(const wdesc *w, size_t n, size_t es, const char *dt, char *h, size_t cap)
{
    size_t len = (size_t)snprintf(h, cap, "{\"__metadata__\":{\"format\":\"pt\",\"generator\":\"aif bench_forward\"}");
    uint64_t off = 0;
    for (size_t i = 0; i < n && len < cap; i++) {
        uint64_t b = (uint64_t)nel(&w[i]) * es;
        if (w[i].c)
            len += (size_t)snprintf(h + len, cap - len, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[%lld,%lld],"
                                    "\"data_offsets\":[%llu,%llu]}", w[i].name, dt, (long long)w[i].r,
                                    (long long)w[i].c, (unsigned long long)off, (unsigned long long)(off + b));
        else
            len += (size_t)snprintf(h + len, cap - len, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[%lld],"
                                    "\"data_offsets\":[%llu,%llu]}", w[i].name, dt, (long long)w[i].r,
                                    (unsigned long long)off, (unsigned long long)(off + b));
        off += b;
    }
    if (len + 9 >= cap)
        return 0;
    h[len++] = '}';
    while (len % 8)
        h[len++] = ' ';
    h[len] = 0;
    return len;
}

static uint64_t rs = 88172645463325252ull;
static inline float frand(float scale)
{
    rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
    return scale * ((float)(rs >> 40) / (float)(1 << 24) - 0.5f);
}

static int open_st(FILE **f, const char *path, const char *hdr, size_t hl)
{
    uint64_t le = hl; /* x86-64: little-endian */
    *f = fopen(path, "wb");
    if (!*f)
        return -1;
    setvbuf(*f, NULL, _IOFBF, 1 << 22);
    return fwrite(&le, 8, 1, *f) == 1 && fwrite(hdr, 1, hl, *f) == hl ? 0 : -1;
}

/* Write bf16dir/model.safetensors (and f32dir/ if not NULL) streaming, one
 * chunk of values at a time, then each config.json last (its presence with
 * the expected text marks a complete set). Runs in the child. */
static int write_weights(const shape *s, const char *bf16dir, const char *f32dir)
{
    size_t cap = 9 * (size_t)s->L + 3, hcap = 256 * cap + 256;
    wdesc *w = calloc(cap, sizeof *w);
    char *h16 = malloc(hcap), *h32 = malloc(hcap);
    if (!w || !h16 || !h32)
        return -1;
    size_t n = describe(s, w);
    size_t l16 = st_header(w, n, 2, "BF16", h16, hcap), l32 = st_header(w, n, 4, "F32", h32, hcap);
    char p16[4200], p32[4200], tmp16[4300], tmp32[4300];
    snprintf(p16, sizeof p16, "%s/model.safetensors", bf16dir);
    snprintf(tmp16, sizeof tmp16, "%s.tmp", p16);
    if (f32dir) {
        snprintf(p32, sizeof p32, "%s/model.safetensors", f32dir);
        snprintf(tmp32, sizeof tmp32, "%s.tmp", p32);
    }
    FILE *f16 = NULL, *f32 = NULL;
    if (!l16 || !l32 || open_st(&f16, tmp16, h16, l16) || (f32dir && open_st(&f32, tmp32, h32, l32)))
        return -1;
    enum { CH = 1 << 20 };
    uint16_t *b16 = malloc(CH * sizeof *b16);
    float *b32 = malloc(CH * sizeof *b32);
    if (!b16 || !b32)
        return -1;
    rs = 88172645463325252ull;
    for (size_t i = 0; i < n; i++)
        for (int64_t done = 0, tot = nel(&w[i]); done < tot; done += CH) {
            size_t k = (size_t)(tot - done < CH ? tot - done : CH);
            for (size_t j = 0; j < k; j++) {
                b16[j] = aif_f32_to_bf16(w[i].center + frand(w[i].scale));
                b32[j] = aif_bf16_to_f32(b16[j]);
            }
            if (fwrite(b16, 2, k, f16) != k || (f32 && fwrite(b32, 4, k, f32) != k))
                return -1;
        }
    if (fclose(f16) || (f32 && fclose(f32)) || rename(tmp16, p16) || (f32dir && rename(tmp32, p32)))
        return -1;
    char js[2048], cp[4200];
    aif_err err = {0};
    config_json(s, "bfloat16", js, sizeof js);
    snprintf(cp, sizeof cp, "%s/config.json", bf16dir);
    if (aif_fs_write_file(cp, js, strlen(js), &err))
        return -1;
    if (f32dir) {
        config_json(s, "float32", js, sizeof js);
        snprintf(cp, sizeof cp, "%s/config.json", f32dir);
        if (aif_fs_write_file(cp, js, strlen(js), &err))
            return -1;
    }
    free(b16), free(b32), free(w), free(h16), free(h32);
    return 0;
}

/* 1 when dir/config.json holds exactly the config of s and dir has a
 * model.safetensors of the expected size. */
static int weights_ok(const shape *s, const char *dir, const char *dtype, size_t es)
{
    char js[2048], cp[4200], *got = NULL;
    size_t gl = 0;
    aif_err err = {0};
    config_json(s, dtype, js, sizeof js);
    snprintf(cp, sizeof cp, "%s/config.json", dir);
    if (aif_fs_read_file(cp, 1 << 16, &got, &gl, &err))
        return 0;
    int same = gl == strlen(js) && !memcmp(got, js, gl);
    aif_free(got);
    if (!same)
        return 0;
    size_t cap = 9 * (size_t)s->L + 3, hcap = 256 * cap + 256;
    wdesc *w = calloc(cap, sizeof *w);
    char *h = malloc(hcap);
    size_t n = describe(s, w), hl = st_header(w, n, es, es == 2 ? "BF16" : "F32", h, hcap);
    uint64_t bytes = 8 + hl;
    for (size_t i = 0; i < n; i++)
        bytes += (uint64_t)nel(&w[i]) * es;
    free(w), free(h);
    struct stat st;
    snprintf(cp, sizeof cp, "%s/model.safetensors", dir);
    return stat(cp, &st) == 0 && (uint64_t)st.st_size == bytes;
}

/* Make sure base/bf16 (and base/f32 when with_f32) hold the weights; the
 * generator runs in a child process so that this process's peak RSS never
 * includes it. */
static int ensure_weights(const shape *s, const char *base, int with_f32)
{
    char d16[4096], d32[4096];
    snprintf(d16, sizeof d16, "%s/bf16", base);
    snprintf(d32, sizeof d32, "%s/f32", base);
    int ok16 = weights_ok(s, d16, "bfloat16", 2), ok32 = !with_f32 || weights_ok(s, d32, "float32", 4);
    if (ok16 && ok32)
        return 0;
    aif_err err = {0};
    if (aif_fs_mkdirs(d16, &err) || (with_f32 && aif_fs_mkdirs(d32, &err))) {
        fprintf(stderr, "bench_forward: %s\n", err.msg);
        return -1;
    }
    fprintf(stderr, "bench_forward: writing weights under %s ...\n", base);
    double t0 = aif_time_now();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(write_weights(s, d16, with_f32 ? d32 : NULL) ? 1 : 0);
    int st = 0;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
        fprintf(stderr, "bench_forward: writing the weights under %s failed (disk space?)\n", base);
        return -1;
    }
    fprintf(stderr, "bench_forward: weights written in %.1f s\n", aif_time_now() - t0);
    return 0;
}

static void weights_base(const shape *s, const char *dir, char *out, size_t cap)
{
    snprintf(out, cap, "%s/llama-D%lld-I%lld-L%lld-H%lld-KV%lld-HD%lld-V%lld", dir, (long long)s->D, (long long)s->I,
             (long long)s->L, (long long)s->H, (long long)s->KV, (long long)s->HD, (long long)s->V);
}

/* ------------------------------------------------------------------ timing */

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmpd);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double flops_of(const aif_model_config *c, size_t T)
{
    double P = (double)aif_model_config_param_count(c);
    double mm = P - (double)c->vocab_size * (double)c->hidden_size;
    return 2.0 * mm * (double)T +
           2.0 * (double)c->n_layers * (double)c->n_heads * (double)c->head_dim * (double)T * (double)T;
}

static void json_list(FILE *f, const double *v, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%.6f", i ? "," : "", v[i]);
    fputc(']', f);
}

static const char *kernels_name(void)
{
    const struct aif_kernels *k = aif_kernels_get();
    return k->w16_gemm ? k->name : !strcmp(k->name, "amx") ? "amx (no w16 products yet: avx512 paths)" : k->name;
}

static int parse_list(const char *s, int *out, int cap)
{
    int n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); t && n < cap; t = strtok_r(NULL, ",", &sv))
        out[n++] = atoi(t);
    return n;
}

static int in_list(const char *list, const char *word)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
        if (!strcmp(t, word))
            return 1;
    return 0;
}

static int32_t *make_tokens(size_t T, int64_t V)
{
    int32_t *tok = malloc(T * sizeof *tok);
    for (size_t i = 0; tok && i < T; i++)
        tok[i] = (int32_t)((i * 7919u + 13u) % (uint64_t)V);
    return tok;
}

/* ------------------------------------------------------------- --rss-3b5 */

static int rss_3b5(const char *dir, int layers, size_t T, int threads, const char *compute, int rm)
{
    shape s = {3072, 8192, layers > 0 ? layers : 28, 24, 8, 128, 128256};
    char base[4096], d16[4200];
    snprintf(base, sizeof base, "%s/llama3b5-L%lld", dir, (long long)s.L);
    snprintf(d16, sizeof d16, "%s/bf16", base);
    if (ensure_weights(&s, base, 0))
        return 1;
    aif_err err = {0};
    aif_pool *pool = NULL;
    if (aif_pool_new(threads, &pool, &err)) {
        fprintf(stderr, "bench_forward: %s\n", err.msg);
        return 1;
    }
    double rss0 = rss_mb(), t0 = aif_time_now();
    aif_model *m = NULL;
    if (aif_model_load(d16, &m, &err)) {
        fprintf(stderr, "bench_forward: %s\n", err.msg);
        return 1;
    }
    aif_model_set_compute(m, !strcmp(compute, "bf16") ? AIF_MODEL_COMPUTE_BF16 : AIF_MODEL_COMPUTE_F32);
    double tl = aif_time_now() - t0, rss_load = rss_mb();
    const aif_model_config *c = aif_model_get_config(m);
    int32_t *tok = make_tokens(T, c->vocab_size);
    aif_model_seq_stats st;
    double w0 = aif_time_now(), c0 = cpu_now();
    if (aif_model_score(m, pool, tok, 1, T, NULL, &st, &err)) {
        fprintf(stderr, "bench_forward: %s\n", err.msg);
        return 1;
    }
    double wall = aif_time_now() - w0, cpu = cpu_now() - c0, rss = rss_mb(), fl = flops_of(c, T);
    printf("memory target: synthetic llama hidden %lld, %lld layers, %lld/%lld heads, head_dim %lld, intermediate "
           "%lld, vocab %lld, untied: %.3f B params, %.2f GB bf16 file (%s), weights used in place from the "
           "mapping\n", (long long)s.D, (long long)s.L, (long long)s.H, (long long)s.KV, (long long)s.HD,
           (long long)s.I, (long long)s.V, (double)aif_model_param_count(m) / 1e9,
           (double)aif_model_file_bytes(m) / 1e9, d16);
    printf("kernels %s (AIF_CPU=%s), compute %s, %d threads, one sequence of %zu tokens\n", kernels_name(),
           getenv("AIF_CPU") ? getenv("AIF_CPU") : "", compute, aif_pool_size(pool), T);
    printf("load %.2f s; score %.1f s wall, %.1f s process CPU; %.1f tok/s, %.1f GFLOP/s (%.1f TFLOP); mean CE %.4f\n",
           tl, wall, cpu, (double)T / wall, fl / wall / 1e9, fl / 1e12, st.mean_ce);
    printf("peak RSS (ru_maxrss): %.0f MB before load, %.0f MB after load, %.0f MB after scoring; target < 9000 MB: "
           "%s\n", rss0, rss_load, rss, rss < 9000.0 ? "met" : "MISSED");
    printf("#M {\"params\":%llu,\"seq\":%zu,\"threads\":%d,\"compute\":\"%s\",\"wall\":%.3f,\"cpu\":%.3f,"
           "\"gflops\":%.2f,\"ce\":%.6f,\"rss_mb\":%.1f}\n", (unsigned long long)aif_model_param_count(m), T,
           aif_pool_size(pool), compute, wall, cpu, fl / wall / 1e9, st.mean_ce, rss);
    free(tok);
    aif_model_free(m);
    aif_pool_free(pool);
    if (rm) {
        if (aif_fs_remove_tree(base, &err))
            fprintf(stderr, "bench_forward: %s\n", err.msg);
    }
    return 0;
}

/* ------------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    int layers = 16, vocab = 128256, reps = 3, warmup = 0, machine = 0, make_only = 0, rss = 0, rm = 0;
    const char *seqs = "2048,4096", *dtypes = "f32,bf16", *computes = "f32,bf16", *threads_s = "1,2";
    const char *dir = "/tmp/aif-bench";
    int layers_set = 0, seq_set = 0;
    if (getenv("BENCH_FORWARD_LAYERS"))
        layers = atoi(getenv("BENCH_FORWARD_LAYERS")), layers_set = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quick")) {
            if (!layers_set) layers = 2;
            if (!seq_set) seqs = "512,2048";
        } else if (!strcmp(a, "--machine")) machine = 1;
        else if (!strcmp(a, "--make-weights")) make_only = 1;
        else if (!strcmp(a, "--rss-3b5")) rss = 1;
        else if (!strcmp(a, "--rm")) rm = 1;
        else if (!v) { fprintf(stderr, "bench_forward: option %s needs a value or is unknown\n", a); return 2; }
        else if (!strcmp(a, "--layers")) layers = atoi(v), layers_set = 1, i++;
        else if (!strcmp(a, "--vocab")) vocab = atoi(v), i++;
        else if (!strcmp(a, "--seq")) seqs = v, seq_set = 1, i++;
        else if (!strcmp(a, "--dtypes")) dtypes = v, i++;
        else if (!strcmp(a, "--compute")) computes = v, i++;
        else if (!strcmp(a, "--threads")) threads_s = v, i++;
        else if (!strcmp(a, "--reps")) reps = atoi(v), i++;
        else if (!strcmp(a, "--warmup")) warmup = atoi(v), i++;
        else if (!strcmp(a, "--dir")) dir = v, i++;
        else { fprintf(stderr, "bench_forward: unknown option %s\n", a); return 2; }
    }
    if (layers < 1 || reps < 1 || warmup < 0 || vocab < 2) {
        fprintf(stderr, "bench_forward: --layers, --reps >= 1, --warmup >= 0, --vocab >= 2\n");
        return 2;
    }
    if (rss) {
        int th[1] = {0};
        parse_list(threads_s, th, 1);
        int T[1] = {4096};
        if (seq_set)
            parse_list(seqs, T, 1);
        return rss_3b5(dir, layers_set ? layers : 28, (size_t)(T[0] > 1 ? T[0] : 4096),
                       strcmp(threads_s, "1,2") ? th[0] : 0, strcmp(computes, "f32,bf16") ? computes : "f32", rm);
    }

    shape s = {2048, 8192, layers, 32, 8, 64, vocab};
    char base[4096];
    weights_base(&s, dir, base, sizeof base);
    if (ensure_weights(&s, base, 1))
        return 1;
    if (make_only) {
        printf("%s/bf16\n%s/f32\n", base, base);
        return 0;
    }

    int th[8], nth = parse_list(threads_s, th, 8), sq[16], nsq = parse_list(seqs, sq, 16);
    for (int a = 1; a < nsq; a++) /* ascending sequence lengths (RSS high-water marks) */
        for (int b = a; b > 0 && sq[b] < sq[b - 1]; b--) {
            int t = sq[b];
            sq[b] = sq[b - 1], sq[b - 1] = t;
        }
    aif_err err = {0};
    aif_pool *pools[8] = {0};
    double pk[8][3], pkw[8][3];
    for (int i = 0; i < nth; i++) {
        if (th[i] < 1 || aif_pool_new(th[i], &pools[i], &err)) {
            fprintf(stderr, "bench_forward: --threads: %s\n", th[i] < 1 ? "counts must be >= 1" : err.msg);
            return 1;
        }
        for (int k = PEAK_FMA; k <= PEAK_AMX; k++)
            pk[i][k] = peak_gflops_ex(th[i] == 1 ? NULL : pools[i], k, &pkw[i][k]);
    }
    const char *aif_cpu = getenv("AIF_CPU") ? getenv("AIF_CPU") : "";
    printf("aif eval path (aif_model_score): synthetic llama hidden 2048, %d layers, 32/8 heads, head_dim 64, "
           "intermediate 8192, vocab %d, untied; kernels %s (AIF_CPU=%s)\n", layers, vocab, kernels_name(), aif_cpu);
    for (int i = 0; i < nth; i++) {
        printf("measured peak, %d thread%s: vfmadd231ps %.1f, vdpbf16ps %.1f, AMX tdpbf16ps %.1f GFLOP/s (per-thread "
               "CPU time; over wall time %.1f, %.1f, %.1f)\n", th[i], th[i] > 1 ? "s" : "", pk[i][0], pk[i][1],
               pk[i][2], pkw[i][0], pkw[i][1], pkw[i][2]);
        if (machine)
            printf("#P {\"threads\":%d,\"fma\":%.2f,\"dpbf16\":%.2f,\"amx\":%.2f,\"fma_wall\":%.2f,"
                   "\"dpbf16_wall\":%.2f,\"amx_wall\":%.2f}\n", th[i], pk[i][0], pk[i][1], pk[i][2], pkw[i][0],
                   pkw[i][1], pkw[i][2]);
    }
    printf("median of %d reps (%d warm-up); tok/s, GFLOP/s and %%peak from wall time; cpu s = process CPU seconds\n",
           reps, warmup);
    printf("%-5s %-7s %3s %6s %9s %9s %9s %9s %17s %6s %6s %6s %9s %7s\n", "dtype", "compute", "thr", "seq", "wall s",
           "cpu s", "tok/s", "GFLOP/s", "min..max", "%peak", "%amx", "x1->N", "CE", "RSS MB");
    fflush(stdout);

    double *tw = malloc((size_t)reps * sizeof *tw), *tc = malloc((size_t)reps * sizeof *tc);
    char dbuf[64];
    snprintf(dbuf, sizeof dbuf, "%s", dtypes);
    for (char *dsv = NULL, *d = strtok_r(dbuf, ",", &dsv); d; d = strtok_r(NULL, ",", &dsv)) {
        int bf = !strcmp(d, "bf16");
        if (!bf && strcmp(d, "f32")) {
            fprintf(stderr, "bench_forward: --dtypes: f32 or bf16, not %s\n", d);
            return 2;
        }
        char md[4200];
        snprintf(md, sizeof md, "%s/%s", base, d);
        aif_model *m = NULL;
        if (aif_model_load(md, &m, &err)) {
            fprintf(stderr, "bench_forward: %s\n", err.msg);
            return 1;
        }
        const aif_model_config *c = aif_model_get_config(m);
        for (int si = 0; si < nsq; si++) {
            size_t T = (size_t)sq[si];
            if (T < 2)
                continue;
            int32_t *tok = make_tokens(T, vocab);
            for (int cm = 0; cm < 2; cm++) {
                const char *cname = cm ? "bf16" : "f32";
                if (!in_list(computes, cname) || (cm && !bf)) /* BF16 compute: only with bf16 weights */
                    continue;
                aif_model_set_compute(m, cm ? AIF_MODEL_COMPUTE_BF16 : AIF_MODEL_COMPUTE_F32);
                double wall1 = 0;
                for (int ti = 0; ti < nth; ti++) {
                    aif_model_seq_stats st;
                    for (int r = -warmup; r < reps; r++) {
                        double w0 = aif_time_now(), c0 = cpu_now();
                        if (aif_model_score(m, pools[ti], tok, 1, T, NULL, &st, &err)) {
                            fprintf(stderr, "bench_forward: %s\n", err.msg);
                            return 1;
                        }
                        if (r >= 0)
                            tw[r] = aif_time_now() - w0, tc[r] = cpu_now() - c0;
                    }
                    double fl = flops_of(c, T), rssm = rss_mb();
                    if (machine) {
                        printf("#R {\"engine\":\"aif\",\"kernels\":\"%s\",\"aif_cpu\":\"%s\",\"dtype\":\"%s\","
                               "\"compute\":\"%s\",\"threads\":%d,\"seq\":%zu,\"layers\":%d,\"vocab\":%d,"
                               "\"flops\":%.6e,\"ce\":%.10f,\"err_rate\":%.6f,\"rss_mb\":%.1f,\"wall\":",
                               kernels_name(), aif_cpu, d, cname, th[ti], T, layers, vocab, fl, st.mean_ce,
                               st.error_rate, rssm);
                        json_list(stdout, tw, reps);
                        printf(",\"cpu\":");
                        json_list(stdout, tc, reps);
                        printf("}\n");
                    }
                    double mc = median(tc, reps), mw = median(tw, reps); /* sorts tw: tw[0] min, tw[reps-1] max */
                    if (th[ti] == 1)
                        wall1 = mw;
                    double g = fl / mw / 1e9, peak = pk[ti][bf ? PEAK_DPBF16 : PEAK_FMA], amx = pk[ti][PEAK_AMX];
                    char spread[40], pct[16], pamx[16], sp[16];
                    snprintf(spread, sizeof spread, "%.1f..%.1f", fl / tw[reps - 1] / 1e9, fl / tw[0] / 1e9);
                    snprintf(pct, sizeof pct, "%.1f", peak > 0 ? 100.0 * g / peak : 0.0);
                    snprintf(pamx, sizeof pamx, "-");
                    snprintf(sp, sizeof sp, "-");
                    if (bf && amx > 0)
                        snprintf(pamx, sizeof pamx, "%.1f", 100.0 * g / amx);
                    if (th[ti] > 1 && wall1 > 0)
                        snprintf(sp, sizeof sp, "%.2f", wall1 / mw);
                    printf("%-5s %-7s %3d %6zu %9.3f %9.3f %9.1f %9.1f %17s %6s %6s %6s %9.4f %7.0f\n", d, cname,
                           th[ti], T, mw, mc, (double)T / mw, g, spread, pct, pamx, sp, st.mean_ce, rssm);
                    fflush(stdout);
                }
            }
            free(tok);
        }
        aif_model_free(m);
    }
    free(tw), free(tc);
    for (int i = 0; i < nth; i++)
        aif_pool_free(pools[i]);
    return 0;
}
