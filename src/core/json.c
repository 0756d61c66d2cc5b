/* json.c: see json.h. */
#include "aif/json.h"

#include <math.h>
#include <string.h>
#include <inttypes.h>

void aif_json_init(aif_json *j, FILE *f, int pretty)
{
    j->f = f;
    j->depth = 0;
    j->pretty = pretty;
    j->after_key = 0;
    j->first[0] = 1;
}

static void indent(aif_json *j)
{
    if (!j->pretty)
        return;
    fputc('\n', j->f);
    for (int i = 0; i < j->depth; i++)
        fputs("  ", j->f);
}

/* Called before every value that is an element (not after a key). */
static void element(aif_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth > 0) {
        if (!j->first[j->depth])
            fputc(',', j->f);
        indent(j);
    }
    j->first[j->depth] = 0;
}

static void open_(aif_json *j, char c)
{
    element(j);
    fputc(c, j->f);
    if (j->depth < 63)
        j->depth++;
    j->first[j->depth] = 1;
}

static void close_(aif_json *j, char c)
{
    int empty = j->first[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (!empty)
        indent(j);
    fputc(c, j->f);
}

void aif_json_obj_begin(aif_json *j) { open_(j, '{'); }
void aif_json_obj_end(aif_json *j) { close_(j, '}'); }
void aif_json_arr_begin(aif_json *j) { open_(j, '['); }
void aif_json_arr_end(aif_json *j) { close_(j, ']'); }

static void raw_str(aif_json *j, const char *s, size_t n)
{
    fputc('"', j->f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", j->f); break;
        case '\\': fputs("\\\\", j->f); break;
        case '\n': fputs("\\n", j->f); break;
        case '\r': fputs("\\r", j->f); break;
        case '\t': fputs("\\t", j->f); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(j->f, "\\u%04x", c);
            else
                fputc(c, j->f);
        }
    }
    fputc('"', j->f);
}

void aif_json_key(aif_json *j, const char *key)
{
    element(j);
    raw_str(j, key, strlen(key));
    fputs(j->pretty ? ": " : ":", j->f);
    j->after_key = 1;
}

void aif_json_strn(aif_json *j, const char *s, size_t n) { element(j); raw_str(j, s, n); }
void aif_json_str(aif_json *j, const char *s)
{
    if (!s) {
        aif_json_null(j);
        return;
    }
    aif_json_strn(j, s, strlen(s));
}
void aif_json_int(aif_json *j, int64_t v) { element(j); fprintf(j->f, "%" PRId64, v); }
void aif_json_uint(aif_json *j, uint64_t v) { element(j); fprintf(j->f, "%" PRIu64, v); }
void aif_json_num(aif_json *j, double v)
{
    element(j);
    if (isfinite(v))
        fprintf(j->f, "%.17g", v);
    else
        fputs("null", j->f);
}
void aif_json_bool(aif_json *j, int v) { element(j); fputs(v ? "true" : "false", j->f); }
void aif_json_null(aif_json *j) { element(j); fputs("null", j->f); }
void aif_json_kstr(aif_json *j, const char *k, const char *s) { aif_json_key(j, k); aif_json_str(j, s); }
void aif_json_kint(aif_json *j, const char *k, int64_t v) { aif_json_key(j, k); aif_json_int(j, v); }
void aif_json_knum(aif_json *j, const char *k, double v) { aif_json_key(j, k); aif_json_num(j, v); }
void aif_json_kbool(aif_json *j, const char *k, int v) { aif_json_key(j, k); aif_json_bool(j, v); }
void aif_json_end(aif_json *j) { fputc('\n', j->f); fflush(j->f); }
