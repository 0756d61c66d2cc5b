/* utf8.c: UTF-8 validation and decoding, Rust's from_utf8_lossy, the
 * character classes the pipeline needs, and the GPT-2 byte <-> char map. */
#include <pthread.h>
#include <string.h>
#include <utf8proc.h>

#include "tok_int.h"

int aif_tk_utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
}

/* Length of the valid UTF-8 sequence at s, or 0 (RFC 3629 rules: no
 * overlongs, no surrogates, nothing above U+10FFFF). */
static size_t valid_at(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    int l = aif_tk_utf8_len(c);
    if (!l || (size_t)l > n)
        return 0;
    unsigned char c1 = s[1];
    if (l == 2)
        return (c1 & 0xC0) == 0x80 ? 2 : 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c == 0xE0) lo = 0xA0;
    else if (c == 0xED) hi = 0x9F;
    else if (c == 0xF0) lo = 0x90;
    else if (c == 0xF4) hi = 0x8F;
    if (c1 < lo || c1 > hi)
        return 0;
    for (int i = 2; i < l; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return (size_t)l;
}

size_t aif_tk_utf8_check(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* ASCII fast path, 8 bytes at a time */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        size_t l = valid_at(s + i, len - i);
        if (!l)
            return i;
        i += l;
    }
    return len;
}

int aif_tk_utf8_decode(const char *str, size_t len, int32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    int l = aif_tk_utf8_len(s[0]);
    if (l <= 1 || (size_t)l > len) {
        *cp = s[0];
        return 1;
    }
    int32_t c = s[0] & (0x7F >> l);
    for (int i = 1; i < l; i++)
        c = (c << 6) | (s[i] & 0x3F);
    *cp = c;
    return l;
}

int aif_tk_utf8_encode(int32_t c, char out[4])
{
    if (c < 0x80) { out[0] = (char)c; return 1; }
    if (c < 0x800) { out[0] = (char)(0xC0 | (c >> 6)); out[1] = (char)(0x80 | (c & 63)); return 2; }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12)); out[1] = (char)(0x80 | ((c >> 6) & 63)); out[2] = (char)(0x80 | (c & 63));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18)); out[1] = (char)(0x80 | ((c >> 12) & 63));
    out[2] = (char)(0x80 | ((c >> 6) & 63)); out[3] = (char)(0x80 | (c & 63));
    return 4;
}

/* Rust's Utf8Chunks: each maximal prefix of a valid sequence that turns out
 * invalid (1 to 3 bytes) becomes one U+FFFD. */
int aif_tk_utf8_lossy(const char *str, size_t n, aif_tk_buf *out)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    if (aif_tk_buf_reserve(out, n + 3))
        return -1;
    while (i < n) {
        size_t l = valid_at(s + i, n - i);
        if (l) {
            if (aif_tk_buf_push(out, str + i, l))
                return -1;
            i += l;
            continue;
        }
        /* length of the invalid maximal subpart */
        unsigned char c = s[i];
        int want = aif_tk_utf8_len(c);
        size_t bad = 1;
        if (want >= 2 && i + 1 < n) {
            unsigned lo = 0x80, hi = 0xBF;
            if (c == 0xE0) lo = 0xA0;
            else if (c == 0xED) hi = 0x9F;
            else if (c == 0xF0) lo = 0x90;
            else if (c == 0xF4) hi = 0x8F;
            if (s[i + 1] >= lo && s[i + 1] <= hi) {
                bad = 2;
                while ((int)bad < want && i + bad < n && (s[i + bad] & 0xC0) == 0x80)
                    bad++;
            }
        }
        if (aif_tk_buf_push(out, "\xEF\xBF\xBD", 3))
            return -1;
        i += bad;
    }
    return 0;
}

int aif_tk_is_whitespace(int32_t c)
{
    return (c >= 9 && c <= 13) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

int aif_tk_is_word(int32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (c == 0x200C || c == 0x200D)
        return 1;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_PC:
        return 1;
    default:
        return 0;
    }
}

int aif_tk_is_punct(int32_t c)
{
    if (c < 0x80)
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF: case UTF8PROC_CATEGORY_PO:
        return 1;
    default:
        return 0;
    }
}

/* GPT-2 bytes_to_unicode: printable bytes map to themselves, the other 68
 * to U+0100.. in byte order. */
int32_t aif_tk_byte_char[256];
static int16_t char_byte[324];
static pthread_once_t bl_once = PTHREAD_ONCE_INIT;

static void bl_init(void)
{
    int n = 0;
    for (int b = 0; b < 256; b++) {
        int keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        aif_tk_byte_char[b] = keep ? b : 256 + n++;
    }
    for (int i = 0; i < 324; i++)
        char_byte[i] = -1;
    for (int b = 0; b < 256; b++)
        char_byte[aif_tk_byte_char[b]] = (int16_t)b;
}

void aif_tk_bytelevel_init(void)
{
    pthread_once(&bl_once, bl_init);
}

int aif_tk_char_byte(int32_t cp)
{
    return cp >= 0 && cp < 324 ? char_byte[cp] : -1;
}
