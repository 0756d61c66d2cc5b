/* load_util.c: small jansson helpers of the tokenizer.json loader. */
#include <string.h>

#include "aif/alloc.h"
#include "load_int.h"

aif_code aif_tk_load_oom(aif_err *err)
{
    return aif_err_set(err, AIF_ENOMEM, "out of memory loading the tokenizer");
}

const char *aif_tk_json_type(json_t *j)
{
    const char *t = json_string_value(json_object_get(j, "type"));
    return t ? t : "(no type)";
}

int aif_tk_json_bool(json_t *j, const char *key, int dflt)
{
    json_t *v = json_object_get(j, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

char *aif_tk_dup(const char *s, size_t n)
{
    char *d = aif_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* A "pattern": {"String": s} or {"Regex": r}. */
aif_code aif_tk_json_pattern(json_t *j, const char *what, aif_tk_regex **re, aif_err *err)
{
    json_t *s = json_object_get(j, "String"), *r = json_object_get(j, "Regex");
    if (json_is_string(s))
        return aif_tk_regex_new(json_string_value(s), json_string_length(s), 1, re, err);
    if (json_is_string(r))
        return aif_tk_regex_new(json_string_value(r), json_string_length(r), 0, re, err);
    return aif_err_set(err, AIF_EFORMAT, "%s: \"pattern\" must be {\"String\": ...} or {\"Regex\": ...}", what);
}

int aif_tk_json_utf8(json_t *s)
{
    return aif_tk_utf8_check(json_string_value(s), json_string_length(s)) == json_string_length(s);
}

/* A single char given as a JSON string (Metaspace replacement, Strip content). */
aif_code aif_tk_json_char(json_t *s, const char *what, int32_t dflt, int32_t *cp, aif_err *err)
{
    if (!s || json_is_null(s)) {
        *cp = dflt;
        return AIF_OK;
    }
    if (!json_is_string(s) || !json_string_length(s) || !aif_tk_json_utf8(s))
        return aif_err_set(err, AIF_EFORMAT, "%s: expected a one-character string", what);
    int l = aif_tk_utf8_decode(json_string_value(s), json_string_length(s), cp);
    if ((size_t)l != json_string_length(s))
        return aif_err_set(err, AIF_EFORMAT, "%s: expected one character, got \"%s\"", what, json_string_value(s));
    return AIF_OK;
}
