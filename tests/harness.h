/* harness.h: the test runner's checks.
 *
 * Each tests/<module>/test_<topic>.c ends with a table:
 *     AIF_TESTS(module_topic) = { {"module/name", fn}, ..., {NULL, NULL} };
 * The Makefile finds every AIF_TESTS(...) line and tests/main.c runs them.
 * Checks print file:line and both values, then carry on to the test's end.
 */
#ifndef AIF_TEST_HARNESS_H
#define AIF_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aif/err.h"

typedef struct aif_test {
    const char *name;
    void (*fn)(void);
} aif_test;

#define AIF_TESTS(suite) const aif_test aif_tests_##suite[]

void aif_test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Path of a file under ../shared/testdata (or $AIF_TESTDATA). Each call
 * returns a new heap string owned by the harness, valid until exit. */
const char *aif_test_path(const char *rel);
/* A fresh empty directory for this call, removed at exit. */
const char *aif_test_tmpdir(void);
/* Nonzero while --fail-alloc reruns a test: checks that depend on
 * allocations succeeding may be skipped then. */
int aif_test_injecting(void);

/* Run cmd through /bin/sh; its stdout (add 2>&1 to cmd for stderr) into
 * out, NUL-terminated and cut at cap - 1 bytes. Returns the exit status,
 * -1 when it could not be run or did not exit normally. */
int aif_test_run_sh(const char *cmd, char *out, size_t cap);
/* Run `$AIF_BIN args` (AIF_BIN unset: build/aif) through /bin/sh, so args
 * may quote; stdin reads input (NULL: /dev/null). stdout, and stderr too
 * with AIF_TEST_RUN_STDERR (else stderr is discarded), goes into out,
 * NUL-terminated and cut at cap - 1 bytes. Returns the exit status, -1 when
 * the command could not be run or did not exit normally. */
#define AIF_TEST_RUN_STDERR 1
int aif_test_run_aif_ex(const char *args, const char *input, int flags, char *out, size_t cap);
/* aif_test_run_aif_ex(args, NULL, AIF_TEST_RUN_STDERR, out, cap). */
int aif_test_run_aif(const char *args, char *out, size_t cap);

#define CHECK(c) \
    do { if (!(c)) aif_test_fail(__FILE__, __LINE__, "CHECK(%s)", #c); } while (0)
#define CHECK_EQ(a, b) \
    do { long long a_ = (long long)(a), b_ = (long long)(b); \
         if (a_ != b_) aif_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_); } while (0)
#define CHECK_STR(a, b) \
    do { const char *a_ = (a), *b_ = (b); \
         if (!a_ || !b_ || strcmp(a_, b_)) aif_test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, \
                                                         a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define CHECK_NEAR(a, b, tol) \
    do { double a_ = (double)(a), b_ = (double)(b); \
         if (!(fabs(a_ - b_) <= (tol))) aif_test_fail(__FILE__, __LINE__, "|%s - %s| <= %g: %.9g vs %.9g", #a, #b, \
                                                      (double)(tol), a_, b_); } while (0)
#define CHECK_MEM(a, b, n) \
    do { if (memcmp((a), (b), (n))) aif_test_fail(__FILE__, __LINE__, "memcmp(%s, %s, %s) != 0", #a, #b, #n); } while (0)
#define CHECK_OK(rc, err) \
    do { aif_code rc_ = (rc); \
         if (rc_ != AIF_OK) aif_test_fail(__FILE__, __LINE__, "%s: %s: %s", #rc, aif_code_name(rc_), (err).msg); } while (0)
/* rc must equal code and err.msg must contain needle (NULL: any message). */
#define CHECK_ERR(rc, code, err, needle) \
    do { aif_code rc_ = (rc); const char *n_ = (needle); \
         if (rc_ != (code)) aif_test_fail(__FILE__, __LINE__, "%s: expected %s, got %s: %s", #rc, aif_code_name(code), \
                                          aif_code_name(rc_), (err).msg); \
         else if (n_ && !strstr((err).msg, n_)) aif_test_fail(__FILE__, __LINE__, "%s: message \"%s\" lacks \"%s\"", \
                                                               #rc, (err).msg, n_); } while (0)

#endif
