/* base64url.c - strict RFC 4648 section 5 base64url, no padding. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* 0..63 for alphabet bytes, 64 for anything else. */
static const uint8_t decode_table[256] = {
#define X64 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64
    X64, X64,
    /* 0x20 */ 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 62, 64, 64,
    /* 0x30 */ 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 64, 64, 64, 64, 64, 64,
    /* 0x40 */ 64, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    /* 0x50 */ 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 64, 64, 64, 64, 63,
    /* 0x60 */ 64, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    /* 0x70 */ 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 64, 64, 64, 64, 64,
    X64, X64, X64, X64, X64, X64, X64, X64
#undef X64
};

/* Two output characters per 12 input bits: 4096 pairs, made once. */
static uint16_t pairs[4096];
static pthread_once_t pairs_once = PTHREAD_ONCE_INIT;
static void make_pairs(void)
{
    for (unsigned i = 0; i < 4096; i++) {
        unsigned char two[2] = {(unsigned char)alphabet[i >> 6], (unsigned char)alphabet[i & 63]};
        memcpy(&pairs[i], two, 2);
    }
}

size_t vc_b64url_encode_into(const uint8_t *in, size_t in_len, char *o)
{
    pthread_once(&pairs_once, make_pairs);
    size_t i = 0, j = 0;
    while (i + 3 <= in_len) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
        memcpy(o + j, &pairs[v >> 12], 2);
        memcpy(o + j + 2, &pairs[v & 4095], 2);
        j += 4;
        i += 3;
    }
    if (in_len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        o[j++] = alphabet[(v >> 18) & 63];
        o[j++] = alphabet[(v >> 12) & 63];
    } else if (in_len - i == 2) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
        o[j++] = alphabet[(v >> 18) & 63];
        o[j++] = alphabet[(v >> 12) & 63];
        o[j++] = alphabet[(v >> 6) & 63];
    }
    o[j] = '\0';
    return j;
}

vc_status vc_base64url_encode(const uint8_t *in, size_t in_len, char **out, vc_error *err)
{
    if (!out || (!in && in_len))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "base64url_encode: NULL argument");
    if (in_len > (SIZE_MAX / 4) * 3 - 3)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "input too large to encode");
    char *o = malloc(vc_b64url_len(in_len) + 1);
    if (!o)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    vc_b64url_encode_into(in, in_len, o);
    *out = o;
    return VC_OK;
}

vc_status vc_base64url_decode(const char *in, size_t in_len, uint8_t **out, size_t *out_len, vc_error *err)
{
    if (!out || !out_len || (!in && in_len))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "base64url_decode: NULL argument");
    if (in_len % 4 == 1)
        return vc_fail(err, VC_ERR_BASE64URL, NULL, "base64url length %zu is impossible (1 mod 4)", in_len);
    size_t olen = (in_len / 4) * 3 + ((in_len % 4) ? (in_len % 4) - 1 : 0);
    uint8_t *o = malloc(olen + 1);
    if (!o)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    size_t i = 0, j = 0;
    const unsigned char *s = (const unsigned char *)in;
    /* One pass: a quad with a byte outside the alphabet (table value 64, bit 6)
     * stops at the first such byte, the same one a separate scan would name. */
    while (i + 4 <= in_len) {
        if ((decode_table[s[i]] | decode_table[s[i + 1]] | decode_table[s[i + 2]] | decode_table[s[i + 3]]) & 64)
            break;
        uint32_t v = ((uint32_t)decode_table[s[i]] << 18) | ((uint32_t)decode_table[s[i + 1]] << 12) |
                     ((uint32_t)decode_table[s[i + 2]] << 6) | decode_table[s[i + 3]];
        o[j++] = (uint8_t)(v >> 16);
        o[j++] = (uint8_t)(v >> 8);
        o[j++] = (uint8_t)v;
        i += 4;
    }
    for (size_t k = i; k < in_len; k++) {
        if (decode_table[s[k]] == 64) {
            free(o);
            if (s[k] == '=')
                return vc_fail(err, VC_ERR_BASE64URL, NULL, "base64url must not be padded ('=' at offset %zu)", k);
            return vc_fail(err, VC_ERR_BASE64URL, NULL, "byte 0x%02x at offset %zu is not in the base64url alphabet",
                           s[k], k);
        }
    }
    size_t rem = in_len - i;
    if (rem == 2) {
        uint32_t v = ((uint32_t)decode_table[s[i]] << 18) | ((uint32_t)decode_table[s[i + 1]] << 12);
        if (v & 0xffff) {
            free(o);
            return vc_fail(err, VC_ERR_BASE64URL, NULL, "non-canonical base64url: stray bits in the last character");
        }
        o[j++] = (uint8_t)(v >> 16);
    } else if (rem == 3) {
        uint32_t v = ((uint32_t)decode_table[s[i]] << 18) | ((uint32_t)decode_table[s[i + 1]] << 12) |
                     ((uint32_t)decode_table[s[i + 2]] << 6);
        if (v & 0xff) {
            free(o);
            return vc_fail(err, VC_ERR_BASE64URL, NULL, "non-canonical base64url: stray bits in the last character");
        }
        o[j++] = (uint8_t)(v >> 16);
        o[j++] = (uint8_t)(v >> 8);
    }
    o[j] = '\0';
    *out = o;
    *out_len = j;
    return VC_OK;
}
