/* test_corpus.c: the shipped offline corpus (corpus/) reads as a local
 * source, every row has text, and every line is a byte-for-byte copy of a
 * line of ../shared/testdata/datasets (its documented provenance). */
#include "harness.h"

#include "aif/alloc.h"
#include "aif/crypto.h"
#include "aif/data.h"
#include "aif/fs.h"

/* Is line (p, n) one of the lines of text? */
static int has_line(const char *text, size_t len, const char *p, size_t n)
{
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        if (e - i == n && !memcmp(text + i, p, n))
            return 1;
        i = e + 1;
    }
    return 0;
}

static void corpus_local(void)
{
    static const struct {
        const char *key;
        uint32_t records;
        const char *sha256; /* corpus/README.md */
    } files[] = {
        {"arxiv", 4, "18eedb54d140227e4ee57708e77901a0a3e08d82f7cca0d23e4353ed639363ba"},
        {"reasoning", 50, "f062403572524e139decb420bbe5fa791d1532a520669ccbe56c7d90ae36ffd1"},
        {"stackexchange", 104, "be2ae8f9cfbc802bdc52e76cd059a544c3ed2d0086906cc280c6b06cedef7032"},
    };
    aif_data_source *src;
    aif_err err;
    CHECK_OK(aif_data_source_local("corpus", &src, &err), err);
    if (!src)
        return;
    for (size_t f = 0; f < 3; f++) {
        const aif_data_dataset *ds = aif_data_dataset_find(files[f].key);
        uint32_t n = 0;
        CHECK_OK(aif_data_source_max_pages(src, ds, &n, &err), err);
        CHECK_EQ(n, files[f].records);
        char path[256], rel[256];
        snprintf(path, sizeof path, "corpus/%s.jsonl", files[f].key);
        snprintf(rel, sizeof rel, "datasets/%s.jsonl", files[f].key);
        char *mine = NULL, *orig = NULL;
        size_t ml = 0, ol = 0;
        CHECK_OK(aif_fs_read_file(path, 4 << 20, &mine, &ml, &err), err);
        CHECK_OK(aif_fs_read_file(aif_test_path(rel), 4 << 20, &orig, &ol, &err), err);
        if (!mine || !orig) {
            aif_free(mine);
            aif_free(orig);
            continue;
        }
        uint8_t d[32];
        char hex[65];
        aif_crypto_sha256(mine, ml, d);
        aif_crypto_hex_encode(d, 32, hex);
        CHECK_STR(hex, files[f].sha256);
        size_t lines = 0;
        for (size_t i = 0; i < ml;) {
            const char *nl = memchr(mine + i, '\n', ml - i);
            size_t e = nl ? (size_t)(nl - mine) : ml;
            if (!has_line(orig, ol, mine + i, e - i))
                aif_test_fail(__FILE__, __LINE__, "%s line %zu is not in the test data", path, lines);
            lines++;
            i = e + 1;
        }
        CHECK_EQ(lines, files[f].records);
        /* all rows, read through the data API, have text */
        for (uint32_t p = 1; p <= n; p += 50) {
            aif_data_page pg;
            CHECK_OK(aif_data_source_page(src, ds, NULL, NULL, p, 50, &pg, &err), err);
            CHECK_EQ(pg.n_rows, n - (p - 1) < 50 ? n - (p - 1) : 50);
            for (size_t r = 0; r < pg.n_rows; r++) {
                const char *t;
                size_t tl;
                CHECK_OK(aif_data_row_text(&pg, r, &t, &tl, &err), err);
                CHECK(tl > 100);
                CHECK_EQ(pg.rows[r].row_idx, (int64_t)(p - 1 + r));
            }
            aif_data_page_release(&pg);
        }
        aif_free(mine);
        aif_free(orig);
    }
    aif_data_source_free(src);
}

AIF_TESTS(data_corpus) = {
    {"data/corpus_local", corpus_local},
    {NULL, NULL},
};
