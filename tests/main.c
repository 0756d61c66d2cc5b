/* main.c: the test runner. `aif-test` runs everything, `aif-test MODULE`
 * or `aif-test MODULE/NAME` a part, `--list` prints names, and
 * `--fail-alloc NAME` reruns one test failing the 1st, 2nd, ... allocation
 * until a run completes without an injected failure (ASan/LSan catch any
 * crash or leak on the failure paths). The last line is always
 * "N passed, N failed". */
#include "harness.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aif/alloc.h"
#include "aif/fs.h"

#define AIF_SUITE(s) extern const aif_test aif_tests_##s[];
#include "suites.inc"
#undef AIF_SUITE
#define AIF_SUITE(s) aif_tests_##s,
static const aif_test *suites[] = {
#include "suites.inc"
    NULL};
#undef AIF_SUITE

static int failures_in_test;
static int quiet_checks;
static int injecting;
static char tmp_root[256];
static int tmp_counter;
static char *paths[4096];
static int n_paths;

void aif_test_fail(const char *file, int line, const char *fmt, ...)
{
    failures_in_test++;
    if (quiet_checks)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "     %s:%d: ", file, line);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

int aif_test_injecting(void) { return injecting; }

/* Remember a harness-owned string so it is freed at exit. */
static const char *keep(char *p)
{
    if (n_paths < 4096)
        paths[n_paths++] = p;
    return p;
}

const char *aif_test_path(const char *rel)
{
    const char *root = getenv("AIF_TESTDATA");
    if (!root)
        root = "../shared/testdata";
    size_t n = strlen(root) + strlen(rel) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", root, rel);
    return keep(p);
}

const char *aif_test_tmpdir(void)
{
    if (!tmp_root[0])
        snprintf(tmp_root, sizeof tmp_root, "/tmp/aif-test-%ld", (long)getpid());
    char buf[300];
    snprintf(buf, sizeof buf, "%s/%d", tmp_root, ++tmp_counter);
    aif_err err;
    if (aif_fs_mkdirs(buf, &err) != AIF_OK) {
        fprintf(stderr, "cannot create %s: %s\n", buf, err.msg);
        exit(1);
    }
    return keep(strdup(buf));
}

int aif_test_run_sh(const char *cmd, char *out, size_t cap)
{
    if (cap)
        out[0] = 0;
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t got = 0, k;
    while (got + 1 < cap && (k = fread(out + got, 1, cap - 1 - got, p)) > 0)
        got += k;
    if (cap)
        out[got] = 0;
    char sink[4096];
    while (fread(sink, 1, sizeof sink, p) > 0) { /* let the command finish writing */
    }
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int aif_test_run_aif_ex(const char *args, const char *input, int flags, char *out, size_t cap)
{
    const char *bin = getenv("AIF_BIN");
    char in[64] = "/dev/null";
    if (input) { /* plain libc here: no allocation that --fail-alloc could fail */
        snprintf(in, sizeof in, "/tmp/aif-test-stdin-XXXXXX");
        int fd = mkstemp(in);
        size_t len = strlen(input);
        if (fd < 0 || write(fd, input, len) != (ssize_t)len) {
            aif_test_fail(__FILE__, __LINE__, "cannot write %s", in);
            if (fd >= 0) {
                close(fd);
                unlink(in);
            }
            return -1;
        }
        close(fd);
    }
    size_t n = strlen(bin ? bin : "build/aif") + strlen(args) + strlen(in) + 32;
    char *cmd = malloc(n);
    if (!cmd) {
        if (input)
            unlink(in);
        return -1;
    }
    snprintf(cmd, n, "%s %s <%s %s", bin ? bin : "build/aif", args, in,
             (flags & AIF_TEST_RUN_STDERR) ? "2>&1" : "2>/dev/null");
    int st = aif_test_run_sh(cmd, out, cap);
    free(cmd);
    if (input)
        unlink(in);
    return st;
}

int aif_test_run_aif(const char *args, char *out, size_t cap)
{
    return aif_test_run_aif_ex(args, NULL, AIF_TEST_RUN_STDERR, out, cap);
}

static int matches(const char *name, int argc, char **argv)
{
    int any = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;
        any = 1;
        size_t n = strlen(argv[i]);
        if (!strcmp(name, argv[i]) || (!strncmp(name, argv[i], n) && name[n] == '/'))
            return 1;
    }
    return !any;
}

static const aif_test *find(const char *name)
{
    for (int s = 0; suites[s]; s++)
        for (const aif_test *t = suites[s]; t->name; t++)
            if (!strcmp(t->name, name))
                return t;
    return NULL;
}

static int fail_alloc(const char *name)
{
    const aif_test *t = find(name);
    if (!t) {
        printf("no test named %s\n", name);
        return 1;
    }
    quiet_checks = 1;
    injecting = 1;
    long n;
    for (n = 1; n < 1000000; n++) {
        aif_alloc_fail_at(n);
        t->fn();
        if (!aif_alloc_failed())
            break;
    }
    aif_alloc_fail_at(0);
    printf("ok   %s survived %ld injected allocation failures\n", name, n - 1);
    printf("1 passed, 0 failed\n");
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--list")) {
            for (int s = 0; suites[s]; s++)
                for (const aif_test *t = suites[s]; t->name; t++)
                    puts(t->name);
            return 0;
        }
        if (!strcmp(argv[i], "--fail-alloc") && i + 1 < argc)
            return fail_alloc(argv[i + 1]);
    }
    int passed = 0, failed = 0;
    for (int s = 0; suites[s]; s++) {
        for (const aif_test *t = suites[s]; t->name; t++) {
            if (!matches(t->name, argc, argv))
                continue;
            failures_in_test = 0;
            t->fn();
            if (failures_in_test) {
                printf("FAIL %s\n", t->name);
                failed++;
            } else {
                printf("ok   %s\n", t->name);
                passed++;
            }
        }
    }
    if (tmp_root[0] && !getenv("AIF_TEST_KEEP"))
        aif_fs_remove_tree(tmp_root, NULL);
    for (int i = 0; i < n_paths; i++)
        free(paths[i]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
