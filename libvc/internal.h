/*
 * internal.h - helpers shared by libvc's modules. Not installed, not API.
 */
#ifndef VC_INTERNAL_H
#define VC_INTERNAL_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include "vc/vc.h"

#define VC_INTERNAL __attribute__((visibility("hidden")))

/* Fill err (if non-NULL) and return code. path may be NULL. printf-style message. */
VC_INTERNAL vc_status vc_fail(vc_error *err, vc_status code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Copy an error into another (dst may be NULL). Returns src->code. */
VC_INTERNAL vc_status vc_error_copy(vc_error *dst, const vc_error *src);

/*
 * Parse JSON text strictly: at most VC_MAX_INPUT_BYTES, nesting at most
 * VC_MAX_JSON_DEPTH, duplicate keys rejected, valid UTF-8, no NUL bytes, nothing
 * but white space after the value. Any JSON value is accepted at the top.
 * *out is a new reference. Codes: VC_ERR_LIMIT, VC_ERR_JSON_DEPTH,
 * VC_ERR_JSON_DUPKEY, VC_ERR_JSON.
 */
VC_INTERNAL vc_status vc_json_parse(const char *text, size_t len, json_t **out, vc_error *err);

/* vc_json_parse, and *has_ws (if not NULL) says whether the text had any white
 * space outside strings (0: it is already compact). */
VC_INTERNAL vc_status vc_json_parse_ws(const char *text, size_t len, json_t **out, int *has_ws, vc_error *err);

/* Same, and the top value must be an object (VC_ERR_JSON_TYPE otherwise). */
VC_INTERNAL vc_status vc_json_parse_object(const char *text, size_t len, json_t **out, vc_error *err);

/* Compact serialisation preserving key order; NULL on allocation failure. malloc'd. */
VC_INTERNAL char *vc_json_dump(const json_t *v);

/* Object member as a string, or NULL when absent or not a string. Borrowed. */
VC_INTERNAL const char *vc_json_str(const json_t *obj, const char *key);

/* Append "/token" (JSON pointer escaped) to a path buffer. */
VC_INTERNAL void vc_path_append(char *path, size_t cap, const char *token);
VC_INTERNAL void vc_path_append_index(char *path, size_t cap, size_t index);

/* base58btc (Bitcoin alphabet). decode: *out new, rejects non-alphabet chars. */
VC_INTERNAL vc_status vc_base58_encode(const uint8_t *in, size_t len, char **out, vc_error *err);
VC_INTERNAL vc_status vc_base58_decode(const char *in, size_t len, uint8_t **out, size_t *out_len,
                                       vc_error *err);

/* Unsigned LEB128 varint as used by multicodec. Returns bytes consumed, 0 on error. */
VC_INTERNAL size_t vc_varint_decode(const uint8_t *in, size_t len, uint64_t *value);
VC_INTERNAL size_t vc_varint_encode(uint64_t value, uint8_t out[10]);

/* 1 if s is an absolute URL / IRI as VCDM means it: scheme ":" rest, scheme per
 * RFC 3986, no white space or control characters, non-empty rest. */
VC_INTERNAL int vc_is_url(const char *s);

/* Copy src into dst of cap bytes (cap > 0), truncating; always NUL-terminated.
 * snprintf(dst, cap, "%s", src) without the format machinery (hot paths). */
static inline void vc_strcpy_trunc(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Duplicate a string with malloc; NULL stays NULL. */
VC_INTERNAL char *vc_strdup(const char *s);


/* A growing NUL-terminated string: oom is set (and later appends ignored) when memory
 * runs out; the caller frees p. Zero-initialise to start. */
typedef struct vc_buf {
    char *p;
    size_t n, cap;
    int oom;
} vc_buf;
VC_INTERNAL void vc_buf_put(vc_buf *b, const char *s, size_t n);
/* Make room for n more bytes (and the NUL) at once. */
VC_INTERNAL void vc_buf_reserve(vc_buf *b, size_t n);
VC_INTERNAL void vc_buf_puts(vc_buf *b, const char *s);
/* Append s (n bytes of UTF-8) as a quoted JSON string: '"', '\\' and control
 * characters escaped, everything else as is. */
VC_INTERNAL void vc_buf_put_json_string(vc_buf *b, const char *s, size_t n);

/* Append the JSON text (which vc_json_parse accepted) without its insignificant
 * white space: the same tokens, byte for byte, in the same order. */
VC_INTERNAL void vc_json_compact(const char *text, size_t len, vc_buf *out);

/* base64url without padding: the encoded length of n bytes, and the encoding
 * of in written to o (room for vc_b64url_len(in_len) + 1; NUL-terminated).
 * Returns the length written. */
static inline size_t vc_b64url_len(size_t n) { return (n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0); }
VC_INTERNAL size_t vc_b64url_encode_into(const uint8_t *in, size_t in_len, char *o);

/* UTF-8 as RFC 3629 has it (no overlong forms, no surrogates, at most U+10FFFF):
 * the length of the sequence starting at p (1 for ASCII), 0 when it is invalid
 * or runs past end; and 1 when all of s[0..n) is valid. */
VC_INTERNAL size_t vc_utf8_seq_len(const unsigned char *p, const unsigned char *end);
VC_INTERNAL int vc_utf8_valid(const uint8_t *s, size_t n);

/* Constant-time compare. */
VC_INTERNAL int vc_memeq_ct(const void *a, const void *b, size_t len);

#endif /* VC_INTERNAL_H */
