/* err.c: the error table and message helpers of err.h. */
#include "aif/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    const char *text;
} codes[] = {
    [AIF_OK] = {"AIF_OK", "success"},
    [AIF_EINVAL] = {"AIF_EINVAL", "invalid argument"},
    [AIF_EFORMAT] = {"AIF_EFORMAT", "malformed input"},
    [AIF_ERANGE] = {"AIF_ERANGE", "value out of range"},
    [AIF_ENOMEM] = {"AIF_ENOMEM", "out of memory"},
    [AIF_EIO] = {"AIF_EIO", "input/output error"},
    [AIF_ENOTFOUND] = {"AIF_ENOTFOUND", "not found"},
    [AIF_EEXIST] = {"AIF_EEXIST", "already exists"},
    [AIF_ENOTSUP] = {"AIF_ENOTSUP", "not supported"},
    [AIF_EUTF8] = {"AIF_EUTF8", "invalid UTF-8"},
    [AIF_ENET] = {"AIF_ENET", "network error"},
    [AIF_ETIMEOUT] = {"AIF_ETIMEOUT", "timed out"},
    [AIF_EHTTP] = {"AIF_EHTTP", "HTTP error"},
    [AIF_ERPC] = {"AIF_ERPC", "RPC error"},
    [AIF_EAUTH] = {"AIF_EAUTH", "authentication failed"},
    [AIF_ECRYPTO] = {"AIF_ECRYPTO", "cryptographic check failed"},
    [AIF_EHASH] = {"AIF_EHASH", "hash or size mismatch"},
    [AIF_ECONSTRAINT] = {"AIF_ECONSTRAINT", "constraint violated"},
    [AIF_ECONFLICT] = {"AIF_ECONFLICT", "conflict"},
    [AIF_ESTATE] = {"AIF_ESTATE", "invalid state"},
    [AIF_ECANCELED] = {"AIF_ECANCELED", "canceled"},
    [AIF_EINTERNAL] = {"AIF_EINTERNAL", "internal error"},
};
_Static_assert(sizeof codes / sizeof codes[0] == AIF_CODE_COUNT, "one row per aif_code");

const char *aif_code_name(aif_code code)
{
    return (unsigned)code < AIF_CODE_COUNT ? codes[code].name : "AIF_E?";
}

const char *aif_code_text(aif_code code)
{
    return (unsigned)code < AIF_CODE_COUNT ? codes[code].text : "unknown error";
}

aif_code aif_err_set(aif_err *err, aif_code code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->status = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

aif_code aif_err_wrap(aif_err *err, const char *fmt, ...)
{
    if (!err)
        return AIF_OK;
    char prefix[256], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t rest = sizeof err->msg - n - 3, lo = strlen(old);
    if (lo > rest)
        lo = rest;
    memcpy(err->msg + n + 2, old, lo);
    err->msg[n + 2 + lo] = '\0';
    return err->code;
}

void aif_err_clear(aif_err *err)
{
    if (err) {
        err->code = AIF_OK;
        err->status = 0;
        err->msg[0] = '\0';
    }
}

void aif_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "aif: assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}
