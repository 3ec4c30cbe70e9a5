/* util.c - base58btc, varints, URL syntax, file reading. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../internal.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static int isxdigit_c(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

#define VC_MAX_BASE58_BYTES 1024u /* base58 is only used for keys: bound the quadratic work */

vc_status vc_base58_encode(const uint8_t *in, size_t len, char **out, vc_error *err)
{
    if (len > VC_MAX_BASE58_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "base58 input too long");
    size_t zeros = 0;
    while (zeros < len && in[zeros] == 0)
        zeros++;
    size_t cap = len * 138 / 100 + 2;
    uint8_t *buf = calloc(cap, 1);
    if (!buf)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    size_t used = 0; /* digits in buf, little-endian base 58 */
    for (size_t i = zeros; i < len; i++) {
        unsigned carry = in[i];
        for (size_t j = 0; j < used; j++) {
            carry += (unsigned)buf[j] << 8;
            buf[j] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        while (carry) {
            buf[used++] = (uint8_t)(carry % 58);
            carry /= 58;
        }
    }
    char *o = malloc(zeros + used + 1);
    if (!o) {
        free(buf);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < zeros; i++)
        o[k++] = '1';
    for (size_t i = used; i > 0; i--)
        o[k++] = b58[buf[i - 1]];
    o[k] = '\0';
    free(buf);
    *out = o;
    return VC_OK;
}

vc_status vc_base58_decode(const char *in, size_t len, uint8_t **out, size_t *out_len, vc_error *err)
{
    if (len > VC_MAX_BASE58_BYTES * 2)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "base58 input too long");
    size_t zeros = 0;
    while (zeros < len && in[zeros] == '1')
        zeros++;
    size_t cap = len * 733 / 1000 + 2;
    uint8_t *buf = calloc(cap, 1);
    if (!buf)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    size_t used = 0;
    for (size_t i = zeros; i < len; i++) {
        const char *p = memchr(b58, in[i], 58);
        if (!p || in[i] == '\0') {
            free(buf);
            return vc_fail(err, VC_ERR_MULTIBASE, NULL, "character 0x%02x at offset %zu is not base58btc",
                           (unsigned char)in[i], i);
        }
        unsigned carry = (unsigned)(p - b58);
        for (size_t j = 0; j < used; j++) {
            carry += (unsigned)buf[j] * 58;
            buf[j] = (uint8_t)carry;
            carry >>= 8;
        }
        while (carry) {
            buf[used++] = (uint8_t)carry;
            carry >>= 8;
        }
    }
    if (zeros + used > VC_MAX_BASE58_BYTES) {
        /* the same bound as encoding: what decodes must also encode */
        free(buf);
        return vc_fail(err, VC_ERR_LIMIT, NULL, "base58 value decodes to more than %u bytes", VC_MAX_BASE58_BYTES);
    }
    uint8_t *o = malloc(zeros + used + 1);
    if (!o) {
        free(buf);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    memset(o, 0, zeros);
    for (size_t i = 0; i < used; i++)
        o[zeros + i] = buf[used - 1 - i];
    o[zeros + used] = 0;
    free(buf);
    *out = o;
    *out_len = zeros + used;
    return VC_OK;
}

size_t vc_varint_decode(const uint8_t *in, size_t len, uint64_t *value)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len && i < 9; i++) {
        v |= (uint64_t)(in[i] & 0x7f) << (7 * i);
        if (!(in[i] & 0x80)) {
            if (i > 0 && in[i] == 0)
                return 0; /* non-minimal encoding */
            *value = v;
            return i + 1;
        }
    }
    return 0;
}

size_t vc_varint_encode(uint64_t value, uint8_t out[10])
{
    size_t n = 0;
    do {
        uint8_t b = value & 0x7f;
        value >>= 7;
        out[n++] = b | (value ? 0x80 : 0);
    } while (value);
    return n;
}

int vc_is_url(const char *s)
{
    if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return 0;
    const char *p = s + 1;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+' ||
           *p == '-' || *p == '.')
        p++;
    if (*p != ':' || !p[1])
        return 0;
    for (const unsigned char *q = (const unsigned char *)p + 1; *q; q++) {
        if (*q <= 0x20 || *q == 0x7f || *q == '<' || *q == '>' || *q == '"' || *q == '{' || *q == '}' ||
            *q == '|' || *q == '\\' || *q == '^' || *q == '`')
            return 0;
        if (*q == '%' && !(isxdigit_c(q[1]) && isxdigit_c(q[2])))
            return 0;
    }
    return 1;
}

char *vc_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

vc_status vc_read_file(const char *path, size_t max, char **out, size_t *out_len, vc_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return vc_fail(err, VC_ERR_IO, path, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        if (f != stdin)
            fclose(f);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                free(buf);
                if (f != stdin)
                    fclose(f);
                return vc_fail(err, VC_ERR_LIMIT, path, "%s is larger than the %zu-byte limit", path, max);
            }
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                if (f != stdin)
                    fclose(f);
                return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        free(buf);
        return vc_fail(err, VC_ERR_IO, path, "error reading %s", path);
    }
    if (n > max) {
        free(buf);
        return vc_fail(err, VC_ERR_LIMIT, path, "%s is larger than the %zu-byte limit", path, max);
    }
    buf[n] = '\0';
    *out = buf;
    if (out_len)
        *out_len = n;
    return VC_OK;
}

int vc_memeq_ct(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t d = 0;
    for (size_t i = 0; i < len; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

void vc_buf_reserve(vc_buf *b, size_t n)
{
    if (b->oom || b->n + n + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 128;
    while (cap < b->n + n + 1)
        cap *= 2;
    char *np = realloc(b->p, cap);
    if (!np) {
        b->oom = 1;
        return;
    }
    b->p = np;
    b->cap = cap;
}

void vc_buf_put(vc_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void vc_buf_puts(vc_buf *b, const char *s)
{
    vc_buf_put(b, s, strlen(s));
}

void vc_buf_put_json_string(vc_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    vc_buf_reserve(b, n + 2);
    vc_buf_put(b, "\"", 1);
    size_t run = 0; /* bytes of s not yet copied that need no escape */
    size_t i = 0;
#ifdef __SSE2__
    /* Skip 16 bytes at a time while none is '"', '\\' or a control character. */
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20),
                  zero = _mm_setzero_si128();
    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i ctl = _mm_and_si128(_mm_cmplt_epi8(v, space), _mm_cmpgt_epi8(v, _mm_sub_epi8(zero, _mm_set1_epi8(1))));
        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)), ctl)))
            break;
        i += 16;
    }
#endif
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        vc_buf_put(b, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', (char)c, 0};
        size_t k = 2;
        switch (c) {
        case '"':
        case '\\':
            break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        vc_buf_put(b, esc, k);
    }
    vc_buf_put(b, s + run, n - run);
    vc_buf_put(b, "\"", 1);
}

size_t vc_utf8_seq_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* beyond U+10FFFF */
    } else
        return 0;
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

int vc_utf8_valid(const uint8_t *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k)
        if (!(k = vc_utf8_seq_len(s + i, s + n)))
            return 0;
    return 1;
}
