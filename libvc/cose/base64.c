/*
 * base64.c - standard base64 for data: URLs carrying COSE (RFC 2397 / RFC 4648
 * section 4), and a strict decoder that also takes the URL-safe alphabet, as
 * the forms of COSE text met in practice (the W3C VC-JOSE-COSE test suite uses
 * unpadded standard base64; libvc's bare output is base64url).
 */
#include <stdlib.h>
#include <string.h>

#include "cose_internal.h"

static const char STD[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

vc_status vc_base64_encode(const uint8_t *in, size_t len, char **out, vc_error *err)
{
    if (!out || (!in && len))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "base64_encode: NULL argument");
    *out = NULL;
    if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "input too large to encode");
    size_t n = (len + 2) / 3 * 4;
    char *s = malloc(n + 1);
    if (!s)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        s[o++] = STD[v >> 18];
        s[o++] = STD[(v >> 12) & 63];
        s[o++] = STD[(v >> 6) & 63];
        s[o++] = STD[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        s[o++] = STD[v >> 18];
        s[o++] = STD[(v >> 12) & 63];
        s[o++] = '=';
        s[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        s[o++] = STD[v >> 18];
        s[o++] = STD[(v >> 12) & 63];
        s[o++] = STD[(v >> 6) & 63];
        s[o++] = '=';
    }
    s[o] = '\0';
    *out = s;
    return VC_OK;
}

/* Value of a base64 character in the given alphabet (0 std, 1 url), -1 if none. */
static int b64_value(unsigned char c, int url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

vc_status vc_base64_decode_any(const char *in, size_t len, uint8_t **out, size_t *out_len, vc_error *err)
{
    if (!out || (!in && len))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "base64_decode: NULL argument");
    *out = NULL;
    if (len == 0) {
        uint8_t *empty = calloc(1, 1);
        if (!empty)
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        *out = empty;
        if (out_len)
            *out_len = 0;
        return VC_OK;
    }
    int has_std = memchr(in, '+', len) || memchr(in, '/', len);
    int has_url = memchr(in, '-', len) || memchr(in, '_', len);
    if (has_std && has_url)
        return vc_fail(err, VC_ERR_FORMAT, NULL, "base64 text mixes the standard (+/) and URL-safe (-_) alphabets");
    int url = has_url;
    size_t n = len;
    size_t pad = 0;
    while (n && in[n - 1] == '=' && pad < 2) {
        n--;
        pad++;
    }
    if (pad && (len % 4) != 0)
        return vc_fail(err, VC_ERR_FORMAT, NULL, "padded base64 must have a length that is a multiple of 4");
    if (n % 4 == 1)
        return vc_fail(err, VC_ERR_FORMAT, NULL, "base64 text of %zu characters cannot be complete", n);
    if (pad && (n % 4) + pad != 4)
        return vc_fail(err, VC_ERR_FORMAT, NULL, "base64 padding does not match the length");
    size_t cap = n / 4 * 3 + 3;
    uint8_t *buf = malloc(cap + 1);
    if (!buf)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value((unsigned char)in[i], url);
        if (v < 0) {
            free(buf);
            return vc_fail(err, VC_ERR_FORMAT, NULL, "character %zu (0x%02x) is not base64", i, (unsigned char)in[i]);
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) {
        free(buf);
        return vc_fail(err, VC_ERR_FORMAT, NULL, "base64 text has non-zero trailing bits (not canonical)");
    }
    buf[o] = 0;
    *out = buf;
    if (out_len)
        *out_len = o;
    return VC_OK;
}
