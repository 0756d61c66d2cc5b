/* cmd_data.c: `aif data fetch` (fill the page cache from the
 * datasets-server) and `aif data show` (what the evaluation batches of a
 * task hold: pages, rows, token windows, document boundaries). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "aif/data.h"
#include "aif/tokenizer.h"
#include "cli.h"

AIF_COMMAND(data, "evaluation data: fetch datasets-server pages into a cache, show the batches of a task")

/* The datasets named by --dataset (NULL or "all": the three tasks). */
static int pick_datasets(const char *name, const aif_data_dataset **out)
{
    if (!name || !strcmp(name, "all")) {
        for (size_t i = 0; i < aif_data_dataset_count(); i++)
            out[i] = aif_data_dataset_at(i);
        return (int)aif_data_dataset_count();
    }
    out[0] = aif_data_dataset_find(name);
    return out[0] ? 1 : -1;
}

static void excerpt(const char *s, size_t n, size_t max, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && i < max && k + 4 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        out[k++] = c == '\n' || c == '\r' || c == '\t' ? ' ' : (char)c;
    }
    /* do not cut a UTF-8 sequence in half */
    while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
        k--;
    if (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0xC0)
        k--;
    if (n > max && k + 4 < cap) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
}

/* ------------------------------------------------------------ fetch */

/* "seed": N, or with a block hash "seed": null, "block_hash": H (the number
 * drawn from the OS is not used then). */
static void put_seed(aif_json *j, uint64_t seed, const char *block_hash)
{
    aif_json_key(j, "seed");
    if (block_hash) {
        aif_json_null(j);
        aif_json_kstr(j, "block_hash", block_hash);
    } else {
        aif_json_uint(j, seed);
    }
}

/* --seed-block N: seed from the hash of N's sync block, read from the chain. */
#define SEED_BLOCK_OPTS(n, kind, path)                                                                           \
    {"seed-block", AIF_OPT_INT, &(n), "N", "seed from the hash of block N's sync block (reference 5.2), read "   \
                                           "from --chain"},                                                     \
        {"chain", AIF_OPT_STR, &(kind), "KIND", "for --seed-block: local or a subtensor network/URL (finney)"},  \
        {"chain.path", AIF_OPT_STR, &(path), "FILE", "the local chain database (with --chain local)"}

/* Fill *block_hash from the chain when --seed-block was given; 0 or an exit status. */
static int seed_from_block(long long seed_block, const char *kind, const char *path, const char **block_hash,
                           char buf[67])
{
    if (seed_block < 0)
        return 0;
    if (*block_hash)
        return aif_cli_usage_error("--seed-block and --block-hash are exclusive");
    aif_err err = {0};
    if (aif_cli_sync_block_hash(kind, path, (uint64_t)seed_block, buf, &err) != AIF_OK)
        return aif_cli_fail(&err);
    *block_hash = buf;
    return 0;
}

static int cmd_fetch(int argc, char **argv, struct aif_cli *cli)
{
    const char *dataset = NULL, *cache = NULL, *endpoint = NULL, *block_hash = NULL, *chain_kind = "finney",
               *chain_path = NULL;
    long long pages = AIF_DATA_PAGES_PER_TASK, seed = -1, rows = AIF_DATA_ROWS_PER_PAGE, seed_block = -1;
    const aif_opt opts[] = {
        {"dataset", AIF_OPT_STR, &dataset, "NAME", "arxiv, reasoning, stackexchange or all (default all)"},
        {"pages", AIF_OPT_INT, &pages, "N", "page numbers to draw per dataset (default 10 = one page set)"},
        {"cache", AIF_OPT_STR, &cache, "DIR", "page cache (default $AIF_DATA_CACHE or ~/.cache/aif/datasets)"},
        {"seed", AIF_OPT_INT, &seed, "N", "draw the pages as a load with this seed will (default: random)"},
        {"block-hash", AIF_OPT_STR, &block_hash, "HASH", "draw the pages as a load seeded from this block hash will"},
        SEED_BLOCK_OPTS(seed_block, chain_kind, chain_path),
        {"rows", AIF_OPT_INT, &rows, "N", "rows per page (default 50)"},
        {"endpoint", AIF_OPT_STR, &endpoint, "URL", "datasets-server base URL (default $AIF_DATASETS_SERVER or the HF one)"},
        {NULL},
    };
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli, "aif data fetch [--dataset NAME] [--pages N] [--cache DIR] [--seed N]", opts,
                                  argc, argv, pos, 0, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    char hash_buf[67];
    if ((rc = seed_from_block(seed_block, chain_kind, chain_path, &block_hash, hash_buf)))
        return rc;
    const aif_data_dataset *ds[4];
    int n_ds = pick_datasets(dataset, ds);
    if (n_ds < 0)
        return aif_cli_usage_error("unknown dataset '%s' (arxiv, reasoning, stackexchange, all)", dataset);
    if (pages < 1 || pages > 100000)
        return aif_cli_usage_error("--pages must be in 1..100000");
    if (rows < 0 || rows > AIF_DATA_MAX_ROWS_LENGTH)
        return aif_cli_usage_error("--rows must be in 0..%d", AIF_DATA_MAX_ROWS_LENGTH);
    char cbuf[1024];
    if (!cache)
        cache = aif_cli_data_cache_dir(cbuf, sizeof cbuf);
    aif_err err = {0};
    uint64_t s = (uint64_t)seed;
    if (seed < 0 && aif_data_seed_os(&s, &err))
        return aif_cli_fail(&err);
    char token[4096];
    aif_data_client_opts co;
    aif_data_client_opts_default(&co);
    co.base_url = endpoint;
    if (aif_cli_data_send_token(endpoint) && aif_http_hf_token(token, sizeof token))
        co.token = token;
    aif_data_client *c = NULL;
    aif_data_source *src = NULL;
    int64_t *list = calloc((size_t)pages, sizeof *list);
    if (!list || aif_data_client_new(&co, &c, &err) || aif_data_source_remote(c, cache, &src, &err)) {
        if (!list)
            aif_err_set(&err, AIF_ENOMEM, "out of memory");
        free(list);
        aif_data_client_free(c);
        return aif_cli_fail(&err);
    }
    aif_json j;
    if (cli->json) {
        aif_json_init(&j, stdout, 0);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "cache", cache);
        put_seed(&j, s, block_hash);
        aif_json_key(&j, "pages");
        aif_json_arr_begin(&j);
    } else {
        printf("cache %s\nseed  %" PRIu64 "\n%-14s %8s %6s %8s\n", cache, s, "dataset", "page", "rows", "chars");
    }
    int status = 0;
    for (int d = 0; d < n_ds && !status; d++) {
        aif_data_rng rng; /* each task's loader seeds its own generator */
        if (block_hash)
            aif_data_rng_seed_block_hash(&rng, block_hash);
        else
            aif_data_rng_seed(&rng, s);
        aif_data_sample_pages(&rng, ds[d]->max_pages, (size_t)pages, list);
        aif_progress pr;
        aif_progress_init(&pr, ds[d]->key, (uint64_t)pages, "pages", cli->quiet);
        for (long long i = 0; i < pages; i++) {
            aif_data_page pg;
            if (aif_data_source_page(src, ds[d], "default", "train", list[i], (int)rows, &pg, &err)) {
                status = aif_cli_fail(&err);
                break;
            }
            size_t chars = 0;
            for (size_t r = 0; r < pg.n_rows; r++)
                chars += pg.rows[r].text_len;
            if (cli->json) {
                aif_json_obj_begin(&j);
                aif_json_kstr(&j, "dataset", ds[d]->key);
                aif_json_kint(&j, "page", list[i]);
                aif_json_kint(&j, "rows", (int64_t)pg.n_rows);
                aif_json_kint(&j, "text_bytes", (int64_t)chars);
                aif_json_obj_end(&j);
            } else {
                printf("%-14s %8" PRId64 " %6zu %8zu\n", ds[d]->key, list[i], pg.n_rows, chars);
            }
            aif_data_page_release(&pg);
            aif_progress_update(&pr, (uint64_t)i + 1);
        }
        aif_progress_finish(&pr);
    }
    if (cli->json && !status) {
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    }
    free(list);
    aif_data_source_free(src);
    aif_data_client_free(c);
    return status;
}

/* ------------------------------------------------------------ show */

typedef struct show_args {
    const char *dataset, *data, *cache, *tokenizer, *endpoint, *block_hash;
    int offline, all_batches;
    long long seed, batch, seq_len, max_batches, pages, rows;
} show_args;

/* Without a tokenizer: the pages and rows a load would read. */
static int show_rows(struct aif_cli *cli, aif_data_source *src, const aif_data_dataset *ds, const show_args *a,
                     uint64_t seed)
{
    aif_err err = {0};
    uint32_t max_pages;
    if (aif_data_source_max_pages(src, ds, &max_pages, &err))
        return aif_cli_fail(&err);
    aif_data_rng rng;
    if (a->block_hash)
        aif_data_rng_seed_block_hash(&rng, a->block_hash);
    else
        aif_data_rng_seed(&rng, seed);
    int64_t pages[1000];
    size_t n = (size_t)a->pages;
    aif_data_sample_pages(&rng, max_pages, n, pages);
    aif_json j;
    if (cli->json) {
        aif_json_init(&j, stdout, 0);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "dataset", ds->key);
        aif_json_kstr(&j, "hf_name", ds->hf_name);
        put_seed(&j, seed, a->block_hash);
        aif_json_kint(&j, "max_pages", max_pages);
        aif_json_key(&j, "pages");
        aif_json_arr_begin(&j);
    } else {
        printf("dataset   %s (%s)\nseed      %" PRIu64 "\nmax_pages %u\n(no --tokenizer: rows of the first page set)\n",
               ds->key, ds->hf_name, seed, max_pages);
    }
    for (size_t i = 0; i < n; i++) {
        aif_data_page pg;
        if (aif_data_source_page(src, ds, "default", "train", pages[i], (int)a->rows, &pg, &err))
            return aif_cli_fail(&err);
        if (cli->json) {
            aif_json_obj_begin(&j);
            aif_json_kint(&j, "page", pages[i]);
            aif_json_key(&j, "rows");
            aif_json_arr_begin(&j);
        } else {
            printf("page %" PRId64 ": %zu rows\n", pages[i], pg.n_rows);
        }
        for (size_t r = 0; r < pg.n_rows; r++) {
            const char *t;
            size_t len;
            if (aif_data_row_text(&pg, r, &t, &len, &err)) {
                aif_data_page_release(&pg);
                return aif_cli_fail(&err);
            }
            char ex[200];
            excerpt(t, len, 72, ex, sizeof ex);
            if (cli->json) {
                aif_json_obj_begin(&j);
                aif_json_kint(&j, "row_idx", pg.rows[r].row_idx);
                aif_json_kint(&j, "bytes", (int64_t)len);
                aif_json_kstr(&j, "excerpt", ex);
                aif_json_obj_end(&j);
            } else {
                printf("  row %-8" PRId64 " %7zu bytes  %s\n", pg.rows[r].row_idx, len, ex);
            }
        }
        if (cli->json) {
            aif_json_arr_end(&j);
            aif_json_obj_end(&j);
        }
        aif_data_page_release(&pg);
    }
    if (cli->json) {
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    }
    return 0;
}

static void print_batch(struct aif_cli *cli, aif_json *j, const aif_data_batches *b, const aif_data_tok *tok,
                        size_t i)
{
    const int32_t *ids = b->ids + i * b->seq_len;
    size_t w = b->window[i], start = w * b->seq_len, end = start + b->seq_len;
    char *text = NULL;
    size_t len = 0;
    aif_err err;
    if (tok->decode(tok->ctx, ids, b->seq_len, 0, &text, &len, &err))
        text = NULL;
    char ex[400];
    excerpt(text ? text : "", text ? len : 0, 240, ex, sizeof ex);
    if (cli->json) {
        aif_json_obj_begin(j);
        aif_json_kint(j, "batch", (int64_t)i);
        aif_json_kint(j, "window", (int64_t)w);
        aif_json_kint(j, "stream_offset", (int64_t)start);
        aif_json_key(j, "document_ends");
        aif_json_arr_begin(j);
        for (size_t d = 0; d < b->n_docs; d++)
            if (b->doc_end[d] > start && b->doc_end[d] <= end)
                aif_json_int(j, (int64_t)(b->doc_end[d] - start));
        aif_json_arr_end(j);
        aif_json_key(j, "ids");
        aif_json_arr_begin(j);
        for (size_t k = 0; k < b->seq_len; k++)
            aif_json_int(j, ids[k]);
        aif_json_arr_end(j);
        aif_json_kstr(j, "text_excerpt", ex);
        aif_json_obj_end(j);
    } else {
        printf("\nbatch %zu: window %zu (stream tokens %zu..%zu)\n  ids      ", i, w, start, end - 1);
        for (size_t k = 0; k < 12 && k < b->seq_len; k++)
            printf("%d ", ids[k]);
        printf("... %d\n  doc ends", ids[b->seq_len - 1]);
        size_t shown = 0, total = 0;
        for (size_t d = 0; d < b->n_docs; d++)
            if (b->doc_end[d] > start && b->doc_end[d] <= end) {
                if (shown++ < 16)
                    printf(" %zu", b->doc_end[d] - start);
                total++;
            }
        if (!total)
            printf(" (none: one document continues through the window)");
        else if (total > shown)
            printf(" ... (%zu in all)", total);
        printf("\n  text     %s\n", ex);
    }
    aif_free(text);
}

static int cmd_show(int argc, char **argv, struct aif_cli *cli)
{
    long long seed_block = -1;
    const char *chain_kind = "finney", *chain_path = NULL;
    show_args a = {.seed = -1, .batch = -1, .seq_len = AIF_DATA_SEQ_LEN, .max_batches = AIF_DATA_MAX_BATCHES,
                   .pages = AIF_DATA_PAGES_PER_TASK, .rows = AIF_DATA_ROWS_PER_PAGE};
    const aif_opt opts[] = {
        {"dataset", AIF_OPT_STR, &a.dataset, "NAME", "arxiv (default), reasoning or stackexchange"},
        {"data", AIF_OPT_STR, &a.data, "DIR", "read <DIR>/<dataset>.jsonl (e.g. the shipped corpus/) instead"},
        {"offline", AIF_OPT_FLAG, &a.offline, NULL, "read only the page cache (filled by aif data fetch)"},
        {"cache", AIF_OPT_STR, &a.cache, "DIR", "page cache (default $AIF_DATA_CACHE or ~/.cache/aif/datasets)"},
        {"seed", AIF_OPT_INT, &a.seed, "N", "seed of the page draw and batch shuffle (default: random, printed)"},
        {"block-hash", AIF_OPT_STR, &a.block_hash, "HASH", "seed from a sync block's hash string instead (reference 5.2)"},
        SEED_BLOCK_OPTS(seed_block, chain_kind, chain_path),
        {"tokenizer", AIF_OPT_STR, &a.tokenizer, "PATH", "tokenizer.json or its folder; without it only rows are shown"},
        {"batch", AIF_OPT_INT, &a.batch, "I", "show batch I only (default: the first 3; --json: all)"},
        {"seq-len", AIF_OPT_INT, &a.seq_len, "N", "window length (default 4096)"},
        {"max-batches", AIF_OPT_INT, &a.max_batches, "N", "batches kept (default 64)"},
        {"pages", AIF_OPT_INT, &a.pages, "N", "pages per page set (default 10)"},
        {"rows", AIF_OPT_INT, &a.rows, "N", "rows per page (default 50)"},
        {"endpoint", AIF_OPT_STR, &a.endpoint, "URL", "datasets-server base URL"},
        {NULL},
    };
    char *pos[1];
    int n_pos, rc = aif_cli_parse(cli,
                                  "aif data show [--dataset NAME] [--data DIR | --offline] [--seed N] [--tokenizer PATH]",
                                  opts, argc, argv, pos, 0, &n_pos);
    if (rc)
        return rc == 1 ? 0 : rc;
    char hash_buf[67];
    if ((rc = seed_from_block(seed_block, chain_kind, chain_path, &a.block_hash, hash_buf)))
        return rc;
    const aif_data_dataset *ds = aif_data_dataset_find(a.dataset ? a.dataset : "arxiv");
    if (!ds)
        return aif_cli_usage_error("unknown dataset '%s' (arxiv, reasoning, stackexchange)", a.dataset);
    if (a.pages < 1 || a.pages > 1000 || a.rows < 0 || a.rows > AIF_DATA_MAX_ROWS_LENGTH || a.seq_len < 2 ||
        a.seq_len > (1 << 20) || a.max_batches < 0)
        return aif_cli_usage_error("--pages 1..1000, --rows 0..100, --seq-len 2..1048576, --max-batches >= 0");
    aif_err err = {0};
    uint64_t seed = (uint64_t)a.seed;
    if (a.seed < 0 && aif_data_seed_os(&seed, &err))
        return aif_cli_fail(&err);

    char cbuf[1024], token[4096];
    const char *cache = a.cache ? a.cache : aif_cli_data_cache_dir(cbuf, sizeof cbuf);
    aif_data_client *c = NULL;
    aif_data_source *src = NULL;
    if (a.data) {
        rc = aif_data_source_local(a.data, &src, &err);
    } else if (a.offline) {
        rc = aif_data_source_cache(cache, &src, &err);
    } else {
        aif_data_client_opts co;
        aif_data_client_opts_default(&co);
        co.base_url = a.endpoint;
        if (aif_cli_data_send_token(a.endpoint) && aif_http_hf_token(token, sizeof token))
            co.token = token;
        rc = aif_data_client_new(&co, &c, &err);
        if (!rc)
            rc = aif_data_source_remote(c, cache, &src, &err);
    }
    if (rc) {
        aif_data_client_free(c);
        return aif_cli_fail(&err);
    }
    if (!a.tokenizer) {
        rc = show_rows(cli, src, ds, &a, seed);
        aif_data_source_free(src);
        aif_data_client_free(c);
        return rc;
    }

    aif_tokenizer *tk = NULL;
    aif_data_tok tok;
    aif_pool *pool = NULL;
    aif_data_batches b = {0};
    aif_data_opts o;
    aif_data_opts_default(&o);
    o.n_pages = (size_t)a.pages;
    o.rows_per_page = (int)a.rows;
    o.seq_len = (size_t)a.seq_len;
    o.max_batches = (size_t)a.max_batches;
    o.have_seed = 1;
    o.seed = seed;
    o.block_hash = a.block_hash;
    if (aif_tokenizer_load(a.tokenizer, &tk, &err) || aif_data_tok_init(&tok, tk, &err) ||
        aif_pool_new(cli->threads, &pool, &err)) {
        rc = aif_cli_fail(&err);
        goto out;
    }
    o.pool = pool;
    if (aif_data_load(src, ds, &tok, &o, &b, &err)) {
        rc = aif_cli_fail(&err);
        goto out;
    }
    if (a.batch >= (long long)b.n_batches) {
        rc = aif_cli_usage_error("--batch %lld: the task has %zu batches", a.batch, b.n_batches);
        goto out;
    }
    size_t first = a.batch >= 0 ? (size_t)a.batch : 0;
    size_t last = a.batch >= 0 ? first + 1 : cli->json ? b.n_batches : (b.n_batches < 3 ? b.n_batches : 3);
    aif_json j;
    if (cli->json) {
        aif_json_init(&j, stdout, 0);
        aif_json_obj_begin(&j);
        aif_json_kstr(&j, "dataset", ds->key);
        aif_json_kstr(&j, "hf_name", ds->hf_name);
        put_seed(&j, b.seed, a.block_hash);
        aif_json_kint(&j, "page_sets", b.page_sets);
        aif_json_key(&j, "pages");
        aif_json_arr_begin(&j);
        for (size_t i = 0; i < b.n_pages; i++)
            aif_json_int(&j, b.pages[i]);
        aif_json_arr_end(&j);
        aif_json_kint(&j, "rows", (int64_t)b.n_rows);
        aif_json_kint(&j, "documents", (int64_t)b.n_docs);
        aif_json_kint(&j, "stream_tokens", (int64_t)b.n_stream);
        aif_json_kint(&j, "windows", (int64_t)(b.n_stream / b.seq_len));
        aif_json_kint(&j, "seq_len", (int64_t)b.seq_len);
        aif_json_kint(&j, "eos_id", tok.eos_id);
        aif_json_kint(&j, "n_batches", (int64_t)b.n_batches);
        aif_json_key(&j, "batches");
        aif_json_arr_begin(&j);
    } else {
        printf("dataset   %s (%s)\nseed      %" PRIu64 "\npage sets %d\npages    ", ds->key, ds->hf_name, b.seed,
               b.page_sets);
        for (size_t i = 0; i < b.n_pages; i++)
            printf(" %" PRId64, b.pages[i]);
        printf("\nrows      %zu\ndocuments %zu (chunks, each ending in EOS %d)\ntokens    %zu\nwindows   %zu of %zu\n"
               "batches   %zu\n",
               b.n_rows, b.n_docs, tok.eos_id, b.n_stream, b.n_stream / b.seq_len, b.seq_len, b.n_batches);
    }
    for (size_t i = first; i < last; i++)
        print_batch(cli, &j, &b, &tok, i);
    if (cli->json) {
        aif_json_arr_end(&j);
        aif_json_obj_end(&j);
        aif_json_end(&j);
    }
    rc = 0;
out:
    aif_data_batches_release(&b);
    aif_pool_free(pool);
    aif_tokenizer_free(tk);
    aif_data_source_free(src);
    aif_data_client_free(c);
    return rc;
}

int aif_cmd_data(int argc, char **argv, struct aif_cli *cli)
{
    static const aif_subcmd subs[] = {
        {"fetch", cmd_fetch, "fetch datasets-server pages into the page cache"},
        {"show", cmd_show, "show the pages, rows and token batches of a task"},
        {NULL, NULL, NULL},
    };
    return aif_cli_dispatch("data", subs, argc, argv, cli);
}
