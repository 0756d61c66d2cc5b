/* bench_hub.c: upload then download of a synthetic model repo through the
 * local fake Hub (tests/hub/fakehub.c, run in a child process so only the
 * client is measured): MB/s each way and the client's peak resident memory
 * (getrusage ru_maxrss; target < 200 MB however large the repo).
 *
 *   bench_hub [TOTAL_MB [SHARDS [PARALLEL]]]   defaults 2048 4 4
 *   env AIF_BENCH_HUB_MB overrides TOTAL_MB; AIF_BENCH_DIR picks the scratch folder (default /tmp).
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aif/fs.h"
#include "aif/hub.h"
#include "aif/progress.h"
#include "../tests/hub/fakehub.c"

static void fill(const char *path, uint64_t bytes, uint32_t seed)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    static uint32_t buf[1 << 18]; /* 1 MiB */
    uint32_t x = seed | 1;
    for (uint64_t done = 0; done < bytes;) {
        for (size_t i = 0; i < sizeof buf / 4; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[i] = x;
        }
        size_t n = bytes - done < sizeof buf ? (size_t)(bytes - done) : sizeof buf;
        fwrite(buf, 1, n, f);
        done += n;
    }
    fclose(f);
}

static long rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

int main(int argc, char **argv)
{
    long mb = argc > 1 ? atol(argv[1]) : 2048;
    if (getenv("AIF_BENCH_HUB_MB"))
        mb = atol(getenv("AIF_BENCH_HUB_MB"));
    int shards = argc > 2 ? atoi(argv[2]) : 4, par = argc > 3 ? atoi(argv[3]) : 4;
    if (mb < 1 || shards < 1 || par < 1) {
        fprintf(stderr, "usage: bench_hub [TOTAL_MB [SHARDS [PARALLEL]]]\n");
        return 2;
    }
    const char *base = getenv("AIF_BENCH_DIR") ? getenv("AIF_BENCH_DIR") : "/tmp";
    char root[PATH_MAX], src[PATH_MAX + 8], store[PATH_MAX + 8], cache[PATH_MAX + 8], p[PATH_MAX + 64];
    snprintf(root, sizeof root, "%s/aif-bench-hub-%d", base, (int)getpid());
    snprintf(src, sizeof src, "%s/src", root);
    snprintf(store, sizeof store, "%s/store", root);
    snprintf(cache, sizeof cache, "%s/cache", root);
    aif_fs_mkdirs(src, NULL);
    aif_fs_mkdirs(store, NULL);
    aif_fs_mkdirs(cache, NULL);
    uint64_t total = (uint64_t)mb << 20, per = total / (uint64_t)shards;
    for (int i = 0; i < shards; i++) {
        snprintf(p, sizeof p, "%s/model-%05d-of-%05d.safetensors", src, i + 1, shards);
        fill(p, per, (uint32_t)(i + 1) * 2654435761u);
    }
    snprintf(p, sizeof p, "%s/config.json", src);
    aif_fs_write_file(p, "{\"architectures\": [\"LlamaForCausalLM\"]}", 39, NULL);

    /* the server in a child process */
    int pipefd[2];
    if (pipe(pipefd))
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        fakehub_opts o = {.store_dir = store, .lfs_threshold = 10u << 20, .chunk_size = 64u << 20};
        fakehub *h = fakehub_start(&o);
        char url[256];
        snprintf(url, sizeof url, "%s\n", fakehub_url(h));
        if (write(pipefd[1], url, strlen(url)) < 0)
            _exit(1);
        for (;;)
            pause();
    }
    close(pipefd[1]);
    char url[256] = "";
    ssize_t n = read(pipefd[0], url, sizeof url - 1);
    if (n <= 0)
        return 1;
    url[n - 1] = 0;

    aif_hub hub;
    aif_err err;
    aif_hub_hf_opts ho = {.endpoint = url, .token = "hf_test", .cache_dir = cache, .parallel = par, .quiet = 1};
    int rc = 0;
    if (aif_hub_hf_open(&ho, &hub, &err) != AIF_OK) {
        fprintf(stderr, "bench_hub: %s\n", err.msg);
        rc = 1;
        goto out;
    }
    long rss0 = rss_mb();
    char commit[41], snap[PATH_MAX];
    double t0 = aif_time_now();
    if (aif_hub_upload(&hub, "bench/model", src, 1, "bench", commit, &err) != AIF_OK) {
        fprintf(stderr, "bench_hub: upload: %s\n", err.msg);
        rc = 1;
        goto close;
    }
    double t1 = aif_time_now();
    long rss_up = rss_mb();
    if (aif_hub_hf_download(&hub, "bench/model", "main", NULL, 0, snap, sizeof snap, &err) != AIF_OK) {
        fprintf(stderr, "bench_hub: download: %s\n", err.msg);
        rc = 1;
        goto close;
    }
    double t2 = aif_time_now();
    long rss_down = rss_mb();
    printf("%-10s %10s %8s %10s %14s\n", "step", "MB", "s", "MB/s", "peak RSS MB");
    printf("%-10s %10ld %8.2f %10.1f %14ld\n", "upload", mb, t1 - t0, (double)mb / (t1 - t0), rss_up);
    printf("%-10s %10ld %8.2f %10.1f %14ld\n", "download", mb, t2 - t1, (double)mb / (t2 - t1), rss_down);
    printf("(%d shards, %d at once, 64 MiB multipart chunks; RSS before transfers %ld MB; upload includes sha256 of "
           "every shard, download includes sha256 verification)\n", shards, par, rss0);
close:
    aif_hub_close(&hub);
out:
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    aif_fs_remove_tree(root, NULL);
    return rc;
}
