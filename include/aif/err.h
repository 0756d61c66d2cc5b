/* err.h: error values carried by every fallible call in libaif.
 *
 * Contract: a function that can fail returns aif_code and takes `aif_err *err`
 * last. `err` may be NULL. On failure the function fills err->msg with a
 * message that names the file, key, offset, URL or method concerned, and
 * returns the same code it stored. Each layer adds one "context: " prefix
 * with aif_err_wrap(). Library code never prints and never exits.
 */
#ifndef AIF_ERR_H
#define AIF_ERR_H

#include <stddef.h>

typedef enum aif_code {
    AIF_OK = 0,
    AIF_EINVAL,      /* a caller passed an invalid argument or option */
    AIF_EFORMAT,     /* malformed input: bad header, bad JSON, bad encoding */
    AIF_ERANGE,      /* a value or size outside the allowed range or a limit */
    AIF_ENOMEM,      /* allocation failed */
    AIF_EIO,         /* reading or writing a file failed */
    AIF_ENOTFOUND,   /* a file, key, tensor, repo or row does not exist */
    AIF_EEXIST,      /* something that must not exist yet does */
    AIF_ENOTSUP,     /* valid but unsupported (dtype, normalizer, feature) */
    AIF_EUTF8,       /* text that is not valid UTF-8 */
    AIF_ENET,        /* connection failed (DNS, refused, reset) */
    AIF_ETIMEOUT,    /* an operation ran past its deadline */
    AIF_EHTTP,       /* an HTTP response with an error status (err->status) */
    AIF_ERPC,        /* a JSON-RPC error object (err->status holds its code) */
    AIF_EAUTH,       /* missing or rejected credentials, wrong password */
    AIF_ECRYPTO,     /* a signature, key or MAC failed to verify */
    AIF_EHASH,       /* content does not match its expected hash or size */
    AIF_ECONSTRAINT, /* a model breaks a competition constraint */
    AIF_ECONFLICT,   /* a concurrent change or a stale parent */
    AIF_ESTATE,      /* an operation is not valid in the current state */
    AIF_ECANCELED,   /* interrupted by the user or a signal */
    AIF_EINTERNAL,   /* an invariant of libaif itself was broken */
    AIF_CODE_COUNT
} aif_code;

typedef struct aif_err {
    aif_code code;   /* AIF_OK: nothing failed */
    int status;      /* HTTP status or RPC error code where relevant, else 0 */
    char msg[512];
} aif_err;

/* Fill err (if not NULL) with code and a printf-style message; return code. */
aif_code aif_err_set(aif_err *err, aif_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix err->msg with "context: "; return err->code (AIF_OK if err is NULL). */
aif_code aif_err_wrap(aif_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Reset err to AIF_OK with an empty message. */
void aif_err_clear(aif_err *err);
/* "AIF_EFORMAT" */
const char *aif_code_name(aif_code code);
/* "malformed input" */
const char *aif_code_text(aif_code code);

/* Abort with file:line on misuse by our own code (never on bad input). */
void aif_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));
#define AIF_ASSERT(x) ((x) ? (void)0 : aif_assert_fail(#x, __FILE__, __LINE__))

#endif
