/* bench_tokenizer.c: encoding throughput of the aif tokenizer against
 * Hugging Face `tokenizers` (Rust 0.22.2, npm @anush008/tokenizers@0.6.0).
 *
 * Usage: bench_tokenizer [ARXIV.jsonl [TOKENIZERS_DIR]]
 *   defaults ../shared/testdata/datasets/arxiv.jsonl and
 *   ../shared/testdata/tokenizers; env AIF_BENCH_SECONDS (default 1) is the
 *   time spent on each measurement.
 *
 * The arXiv LaTeX documents are cut at paragraph breaks into chunks of at
 * least 4 KiB, the list both sides encode (no special tokens added). aif:
 * one thread encodes every chunk in turn; all threads: an aif_pool over all
 * CPUs, chunks dealt round-robin. HF: the chunks are written to a temporary
 * JSONL file and tests/xref/tokenizer/bench_hf.js is run with node (one
 * process per setting): single thread = the better of an encode() loop and
 * encodeBatch() with RAYON_NUM_THREADS=1, all threads = encodeBatch() with
 * RAYON_NUM_THREADS = the CPU count. Without node or the npm module
 * (cd tests/xref/tokenizer && npm ci) the HF column says n/a.
 * Also checks that both sides produce the same number of tokens.
 * MB = 1e6 bytes of UTF-8 input.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aif/err.h"
#include "aif/pool.h"
#include "aif/progress.h"
#include "aif/tokenizer.h"

#define HF_SCRIPT "tests/xref/tokenizer/bench_hf.js"
#define HF_MODULE "tests/xref/tokenizer/node_modules/@anush008/tokenizers/package.json"
#define CHUNK_MIN 4096

typedef struct chunk {
    const char *s;
    size_t n;
} chunk;

typedef struct corpus {
    char **docs;
    size_t n_docs;
    chunk *chunks;
    size_t n_chunks, cap, bytes;
} corpus;

static int add_chunk(corpus *c, const char *s, size_t n)
{
    if (c->n_chunks == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        chunk *p = realloc(c->chunks, cap * sizeof *p);
        if (!p) return -1;
        c->chunks = p;
        c->cap = cap;
    }
    c->chunks[c->n_chunks++] = (chunk){s, n};
    c->bytes += n;
    return 0;
}

/* Cut text at "\n\n" boundaries into pieces of >= CHUNK_MIN bytes. */
static int chunk_doc(corpus *c, const char *t, size_t n)
{
    size_t start = 0, i = 0;
    while (i < n) {
        const char *p = memmem(t + i, n - i, "\n\n", 2);
        size_t end = p ? (size_t)(p - t) + 2 : n;
        i = end;
        if (end - start >= CHUNK_MIN || end == n) {
            if (add_chunk(c, t + start, end - start)) return -1;
            start = end;
        }
    }
    return 0;
}

static int load_corpus(const char *path, corpus *c)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_tokenizer: cannot open %s\n", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, f)) > 0) {
        lineno++;
        json_error_t je;
        json_t *rec = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &je);
        json_t *t = rec ? json_object_get(rec, "text") : NULL;
        if (!json_is_string(t)) {
            fprintf(stderr, "bench_tokenizer: %s:%zu: no \"text\" string\n", path, lineno);
            json_decref(rec);
            continue;
        }
        size_t n = json_string_length(t);
        char *d = malloc(n + 1);
        char **docs = realloc(c->docs, (c->n_docs + 1) * sizeof *docs);
        if (!d || !docs) {
            free(d);
            json_decref(rec);
            break;
        }
        memcpy(d, json_string_value(t), n + 1);
        c->docs = docs;
        c->docs[c->n_docs++] = d;
        json_decref(rec);
    }
    free(line);
    fclose(f);
    /* Chunk after all reallocs of docs (chunks point into the docs). */
    for (size_t i = 0; i < c->n_docs; i++)
        if (chunk_doc(c, c->docs[i], strlen(c->docs[i]))) return -1;
    return c->n_chunks ? 0 : -1;
}

static int write_chunks(const corpus *c, char *path)
{
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < c->n_chunks && !rc; i++) {
        json_t *o = json_pack("{s:s%}", "text", c->chunks[i].s, c->chunks[i].n);
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (!s || fprintf(f, "%s\n", s) < 0) rc = -1;
        free(s);
        json_decref(o);
    }
    if (fclose(f)) rc = -1;
    return rc;
}

typedef struct job {
    const aif_tokenizer *tok;
    const corpus *c;
    size_t tokens[256];
    int failed;
} job;

static void encode_share(void *arg, int ith, int nth)
{
    job *j = arg;
    aif_token_ids ids = {0};
    aif_err err = {0};
    size_t tokens = 0;
    for (size_t i = (size_t)ith; i < j->c->n_chunks; i += (size_t)nth) {
        ids.n = 0;
        if (aif_tokenizer_encode(j->tok, j->c->chunks[i].s, j->c->chunks[i].n, 0, &ids, &err) != AIF_OK) {
            fprintf(stderr, "bench_tokenizer: encode chunk %zu: %s\n", i, err.msg);
            j->failed = 1;
            break;
        }
        tokens += ids.n;
    }
    j->tokens[ith % 256] = tokens;
    aif_token_ids_release(&ids);
}

/* MB/s of encoding the corpus with pool (NULL: this thread), passes
 * repeated for `seconds` after one warm-up; *tokens: tokens per pass. */
static double measure(const aif_tokenizer *tok, const corpus *c, aif_pool *pool, double seconds, size_t *tokens)
{
    job j = {.tok = tok, .c = c};
    int nth = pool ? aif_pool_size(pool) : 1;
    if (nth > 256) nth = 256;
    double t0 = 0, dt = 0;
    int passes = -1;
    do {
        if (passes == 0) t0 = aif_time_now();
        memset(j.tokens, 0, sizeof j.tokens);
        if (pool) aif_pool_run(pool, encode_share, &j);
        else encode_share(&j, 0, 1);
        if (j.failed) return -1;
        passes++;
        if (passes > 0) dt = aif_time_now() - t0;
    } while (passes < 2 || dt < seconds);
    *tokens = 0;
    for (int i = 0; i < nth; i++) *tokens += j.tokens[i];
    return (double)c->bytes * passes / dt / 1e6;
}

/* Runs bench_hf.js; returns its JSON object or NULL. */
static json_t *run_hf(const char *tok_json, const char *texts, const char *mode, int threads, double seconds)
{
    char cmd[4096];
    if (strchr(tok_json, '\'') || strchr(texts, '\'')) return NULL;
    snprintf(cmd, sizeof cmd, "RAYON_NUM_THREADS=%d node %s --tokenizer '%s' --texts '%s' --mode %s --seconds %g",
             threads, HF_SCRIPT, tok_json, texts, mode, seconds);
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = 0;
    int st = pclose(p);
    if (st != 0) {
        fprintf(stderr, "bench_tokenizer: `%s` failed (status %d)\n", cmd, st);
        return NULL;
    }
    json_error_t je;
    return json_loads(buf, 0, &je);
}

static void cpu_name(char *out, size_t cap)
{
    snprintf(out, cap, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "model name", 10)) {
            char *v = strchr(line, ':');
            if (v) {
                v += 1 + (v[1] == ' ');
                v[strcspn(v, "\n")] = 0;
                snprintf(out, cap, "%s", v);
            }
            break;
        }
    }
    fclose(f);
}

static void row(const char *fam, int threads, double aif, double hf)
{
    if (hf > 0) printf("%-12s %7d %10.2f %10.2f %8.2fx\n", fam, threads, aif, hf, aif / hf);
    else printf("%-12s %7d %10.2f %10s %9s\n", fam, threads, aif, "n/a", "n/a");
}

int main(int argc, char **argv)
{
    const char *data = argc > 1 ? argv[1] : "../shared/testdata/datasets/arxiv.jsonl";
    const char *root = argc > 2 ? argv[2] : "../shared/testdata/tokenizers";
    const char *sec_env = getenv("AIF_BENCH_SECONDS");
    double seconds = sec_env ? atof(sec_env) : 1.0;
    if (!(seconds > 0)) seconds = 1.0;
    static const struct {
        const char *dir, *label;
    } fams[] = {{"gpt4-cl100k", "cl100k"}, {"llama3", "llama3"}, {"qwen2.5", "qwen2.5"}};

    corpus c = {0};
    if (load_corpus(data, &c)) {
        fprintf(stderr, "bench_tokenizer: no text in %s\n", data);
        return 1;
    }
    char texts[] = "/tmp/aif_bench_tokenizer_XXXXXX";
    int have_hf = system("command -v node >/dev/null 2>&1") == 0 && access(HF_SCRIPT, R_OK) == 0 &&
                  access(HF_MODULE, R_OK) == 0;
    if (have_hf && write_chunks(&c, texts)) {
        fprintf(stderr, "bench_tokenizer: cannot write %s\n", texts);
        have_hf = 0;
    }
    int nth = aif_cpu_count();
    aif_err err = {0};
    aif_pool *pool = NULL;
    if (aif_pool_new(nth, &pool, &err) != AIF_OK) {
        fprintf(stderr, "bench_tokenizer: %s\n", err.msg);
        return 1;
    }
    char cpu[256];
    cpu_name(cpu, sizeof cpu);
    printf("tokenizer encode throughput, %s: %zu docs, %zu chunks, %.3f MB; %s, %d threads; %gs per measurement\n",
           data, c.n_docs, c.n_chunks, c.bytes / 1e6, cpu, nth, seconds);
    if (!have_hf) printf("HF: n/a (needs node and `npm ci` in tests/xref/tokenizer)\n");
    printf("%-12s %7s %10s %10s %9s\n", "tokenizer", "threads", "aif MB/s", "HF MB/s", "ratio");
    fflush(stdout);

    int rc = 0;
    for (size_t f = 0; f < sizeof fams / sizeof fams[0]; f++) {
        char dir[1024], json[1100];
        snprintf(dir, sizeof dir, "%s/%s", root, fams[f].dir);
        snprintf(json, sizeof json, "%s/tokenizer.json", dir);
        aif_tokenizer *tok = NULL;
        if (aif_tokenizer_load(dir, &tok, &err) != AIF_OK) {
            fprintf(stderr, "bench_tokenizer: %s: %s\n", dir, err.msg);
            rc = 1;
            continue;
        }
        size_t tok1 = 0, tokn = 0;
        double a1 = measure(tok, &c, NULL, seconds, &tok1);
        double an = measure(tok, &c, pool, seconds, &tokn);
        aif_tokenizer_free(tok);
        if (a1 < 0 || an < 0) {
            rc = 1;
            continue;
        }
        double h1 = 0, hn = 0;
        long long hf_tokens = -1;
        if (have_hf) {
            json_t *l = run_hf(json, texts, "loop", 1, seconds);
            json_t *b = run_hf(json, texts, "batch", nth, seconds);
            if (l) {
                double loop = json_number_value(json_object_get(l, "mb_s"));
                double b1 = json_number_value(json_object_get(l, "batch_mb_s"));
                h1 = loop > b1 ? loop : b1;
                hf_tokens = json_integer_value(json_object_get(l, "tokens"));
                fprintf(stderr, "%s HF single thread: encode loop %.2f MB/s, encodeBatch (1 rayon thread) %.2f MB/s\n",
                        fams[f].label, loop, b1);
            }
            if (b) hn = json_number_value(json_object_get(b, "mb_s"));
            json_decref(l);
            json_decref(b);
        }
        row(fams[f].label, 1, a1, h1);
        row(fams[f].label, nth, an, hn);
        fflush(stdout);
        if (tok1 != tokn) {
            fprintf(stderr, "bench_tokenizer: %s: %zu tokens single-threaded, %zu multi-threaded\n", fams[f].label,
                    tok1, tokn);
            rc = 1;
        }
        if (hf_tokens >= 0 && (size_t)hf_tokens != tok1)
            printf("  note: %s token counts differ: aif %zu, HF %lld\n", fams[f].label, tok1, hf_tokens);
    }
    if (have_hf) unlink(texts);
    aif_pool_free(pool);
    for (size_t i = 0; i < c.n_docs; i++) free(c.docs[i]);
    free(c.docs);
    free(c.chunks);
    return rc;
}
