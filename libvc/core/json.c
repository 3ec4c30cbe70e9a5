/*
 * json.c - strict JSON parsing into jansson values, with named limits.
 *
 * The parser is libvc's own (a single pass, no token buffer, no stream layer):
 * it is on the hot path of every verification and signature, where jansson's
 * general-purpose json_loadb cost more than the rest of libvc together. It builds
 * the same jansson values json_loadb(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)
 * does and accepts and refuses the same texts, with one deliberate exception:
 * jansson skips a NUL byte right after a number or literal ("[1\0]"), libvc
 * refuses every NUL. libvc/core/test_json.c and the fuzz_json target check this
 * against jansson itself. On top it enforces VC_MAX_INPUT_BYTES and
 * VC_MAX_JSON_DEPTH.
 *
 * RFC 8259 strictly: white space is space, tab, LF, CR; strings are valid UTF-8
 * (no overlong forms, no surrogates, at most U+10FFFF) without control
 * characters; escapes are the eight single-character ones and \uXXXX with
 * surrogates paired; \u0000 is refused (jansson keeps strings NUL-terminated);
 * numbers follow the grammar exactly (no leading zeros, no "+", no bare "."),
 * an integer becomes a json_integer (refused beyond json_int_t), anything with
 * a fraction or exponent a json_real (refused when it overflows to infinity);
 * duplicate object keys are refused (compared after unescaping).
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Byte classes for the string scanner: 0 plain ASCII, 1 '"' or '\\', 2 control
 * character, 3 UTF-8 lead or continuation byte (checked by utf8_len). */
static const unsigned char str_class[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
};

typedef struct parser {
    const unsigned char *start, *p, *end;
    int depth;
    int ws; /* white space was skipped somewhere (the text is not compact) */
    vc_status code; /* set on failure */
    const char *msg;
    size_t at; /* byte offset of the failure */
    char *scratch; /* unescaping buffer, grown as needed */
    size_t scratch_cap;
} parser;

static json_t *fail_at(parser *ps, const unsigned char *where, vc_status code, const char *msg)
{
    if (ps->code == VC_OK) {
        ps->code = code;
        ps->msg = msg;
        ps->at = (size_t)(where - ps->start);
    }
    return NULL;
}

static void skip_ws(parser *ps)
{
    const unsigned char *p = ps->p, *end = ps->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    ps->ws |= p != ps->p;
    ps->p = p;
}

static int hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return 0;
        v = (v << 4) | d;
    }
    *out = v;
    return 1;
}

static int scratch_reserve(parser *ps, size_t n)
{
    if (n <= ps->scratch_cap)
        return 1;
    size_t cap = ps->scratch_cap ? ps->scratch_cap : 256;
    while (cap < n)
        cap *= 2;
    char *s = realloc(ps->scratch, cap);
    if (!s)
        return 0;
    ps->scratch = s;
    ps->scratch_cap = cap;
    return 1;
}

/*
 * Scan the string whose opening quote is at ps->p. On success *s / *n are its
 * decoded bytes (pointing into the input when there was no escape, else into
 * the scratch buffer, valid until the next string) and ps->p is past the
 * closing quote. Returns 0 on failure (ps->code set).
 */
static int scan_string(parser *ps, const char **s, size_t *n)
{
    const unsigned char *p = ps->p + 1, *end = ps->end, *begin = p;
    /* Fast path: no escape. */
    for (;;) {
#ifdef __SSE2__
        /* 16 bytes at a time while none is '"', '\\', a control character or
         * non-ASCII (as signed bytes, both are below 0x20). */
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                       _mm_cmplt_epi8(v, space));
            int mask = _mm_movemask_epi8(hit);
            if (mask) {
                p += __builtin_ctz((unsigned)mask);
                break;
            }
            p += 16;
        }
#endif
        while (p < end && str_class[*p] == 0)
            p++;
        if (p >= end) {
            fail_at(ps, p, VC_ERR_JSON, "unterminated string");
            return 0;
        }
        if (*p == '"') {
            *s = (const char *)begin;
            *n = (size_t)(p - begin);
            ps->p = p + 1;
            return 1;
        }
        if (*p == '\\')
            break;
        if (str_class[*p] == 2) {
            fail_at(ps, p, VC_ERR_JSON, "control character in string");
            return 0;
        }
        size_t k = vc_utf8_seq_len(p, end);
        if (!k) {
            fail_at(ps, p, VC_ERR_JSON, "invalid UTF-8 in string");
            return 0;
        }
        p += k;
    }
    /* Slow path: unescape into scratch. The decoded text is never longer than the
     * encoded one, so the rest of the input bounds it. */
    size_t done = (size_t)(p - begin);
    if (!scratch_reserve(ps, (size_t)(end - begin) + 1)) {
        fail_at(ps, p, VC_ERR_NOMEM, "out of memory");
        return 0;
    }
    char *o = ps->scratch;
    memcpy(o, begin, done);
    o += done;
    for (;;) {
        if (p >= end) {
            fail_at(ps, p, VC_ERR_JSON, "unterminated string");
            return 0;
        }
        unsigned c = *p;
        if (c == '"')
            break;
        if (c == '\\') {
            if (end - p < 2) {
                fail_at(ps, p, VC_ERR_JSON, "unterminated string");
                return 0;
            }
            unsigned e = p[1];
            const char *simple = strchr("\"\\/bfnrt", (int)e);
            if (e && simple) {
                static const char map[] = "\"\\/\b\f\n\r\t";
                *o++ = map[simple - "\"\\/bfnrt"];
                p += 2;
                continue;
            }
            if (e != 'u') {
                fail_at(ps, p, VC_ERR_JSON, "invalid escape in string");
                return 0;
            }
            unsigned u;
            if (end - p < 6 || !hex4(p + 2, &u)) {
                fail_at(ps, p, VC_ERR_JSON, "invalid \\u escape in string");
                return 0;
            }
            p += 6;
            if (u >= 0xDC00 && u <= 0xDFFF) {
                fail_at(ps, p - 6, VC_ERR_JSON, "unpaired low surrogate escape in string");
                return 0;
            }
            if (u >= 0xD800 && u <= 0xDBFF) {
                unsigned lo;
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                    fail_at(ps, p - 6, VC_ERR_JSON, "unpaired high surrogate escape in string");
                    return 0;
                }
                p += 6;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (u == 0) {
                fail_at(ps, p - 6, VC_ERR_JSON, "\\u0000 is not allowed in strings");
                return 0;
            }
            if (u < 0x80)
                *o++ = (char)u;
            else if (u < 0x800) {
                *o++ = (char)(0xC0 | (u >> 6));
                *o++ = (char)(0x80 | (u & 0x3F));
            } else if (u < 0x10000) {
                *o++ = (char)(0xE0 | (u >> 12));
                *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
                *o++ = (char)(0x80 | (u & 0x3F));
            } else {
                *o++ = (char)(0xF0 | (u >> 18));
                *o++ = (char)(0x80 | ((u >> 12) & 0x3F));
                *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
                *o++ = (char)(0x80 | (u & 0x3F));
            }
            continue;
        }
        if (str_class[c] == 2) {
            fail_at(ps, p, VC_ERR_JSON, "control character in string");
            return 0;
        }
        if (c < 0x80) {
            *o++ = (char)c;
            p++;
            continue;
        }
        size_t k = vc_utf8_seq_len(p, end);
        if (!k) {
            fail_at(ps, p, VC_ERR_JSON, "invalid UTF-8 in string");
            return 0;
        }
        memcpy(o, p, k);
        o += k;
        p += k;
    }
    *s = ps->scratch;
    *n = (size_t)(o - ps->scratch);
    ps->p = p + 1;
    return 1;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static json_t *parse_number(parser *ps)
{
    const unsigned char *p = ps->p, *end = ps->end, *begin = p;
    int neg = 0, is_real = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9')
        return fail_at(ps, begin, VC_ERR_JSON, "invalid number");
    const unsigned char *digits = p;
    if (*p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9')
            return fail_at(ps, begin, VC_ERR_JSON, "invalid number (leading zero)");
    } else
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    const unsigned char *int_end = p;
    if (p < end && *p == '.') {
        is_real = 1;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return fail_at(ps, begin, VC_ERR_JSON, "invalid number (no digit after '.')");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        is_real = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return fail_at(ps, begin, VC_ERR_JSON, "invalid number (no digit in the exponent)");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    ps->p = p;
    if (!is_real) {
        /* Accumulate negatively so that the most negative json_int_t fits. */
        json_int_t v = 0;
        for (const unsigned char *q = digits; q < int_end; q++) {
            int d = *q - '0';
            if (v < (LLONG_MIN + d) / 10)
                return fail_at(ps, begin, VC_ERR_JSON, neg ? "too big negative integer" : "too big integer");
            v = v * 10 - d;
        }
        if (!neg) {
            if (v == LLONG_MIN)
                return fail_at(ps, begin, VC_ERR_JSON, "too big integer");
            v = -v;
        }
        json_t *j = json_integer(v);
        return j ? j : fail_at(ps, begin, VC_ERR_NOMEM, "out of memory");
    }
    /* strtod needs a NUL-terminated copy; the C locale makes '.' the decimal point
     * whatever the application set. */
    char small[64], *buf = small;
    size_t n = (size_t)(p - begin);
    if (n >= sizeof small && !(buf = malloc(n + 1)))
        return fail_at(ps, begin, VC_ERR_NOMEM, "out of memory");
    memcpy(buf, begin, n);
    buf[n] = '\0';
    pthread_once(&c_locale_once, make_c_locale);
    double d;
    if (c_locale)
        d = strtod_l(buf, NULL, c_locale);
    else
        d = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    if (isinf(d))
        return fail_at(ps, begin, VC_ERR_JSON, "real number overflow");
    json_t *j = json_real(d);
    return j ? j : fail_at(ps, begin, VC_ERR_NOMEM, "out of memory");
}

static json_t *parse_value(parser *ps);

static json_t *parse_object(parser *ps)
{
    const unsigned char *open = ps->p;
    if (++ps->depth > VC_MAX_JSON_DEPTH)
        return fail_at(ps, open, VC_ERR_JSON_DEPTH, "nesting too deep");
    ps->p++;
    json_t *obj = json_object();
    if (!obj)
        return fail_at(ps, open, VC_ERR_NOMEM, "out of memory");
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        ps->depth--;
        return obj;
    }
    /* Duplicate keys: the first keys, while none was escaped, are compared in a
     * list of slices of the input (cheaper than hashing); past that, jansson's
     * own lookup, which sees every key inserted so far. */
    struct {
        const char *k;
        size_t n;
    } seen[16];
    size_t nseen = 0;
    int hashed = 0;
    for (;;) {
        if (ps->p >= ps->end || *ps->p != '"') {
            fail_at(ps, ps->p, VC_ERR_JSON, "string or '}' expected");
            goto fail;
        }
        const unsigned char *key_at = ps->p;
        const char *k;
        size_t kn;
        if (!scan_string(ps, &k, &kn))
            goto fail;
        /* An unescaped key points into the input and stays valid; an unescaped one
         * lives in the scratch buffer, which the value may reuse: copy it. */
        char small[128], *kcopy = NULL;
        if (k == ps->scratch) {
            kcopy = kn < sizeof small ? small : malloc(kn + 1);
            if (!kcopy) {
                fail_at(ps, key_at, VC_ERR_NOMEM, "out of memory");
                goto fail;
            }
            memcpy(kcopy, k, kn);
            k = kcopy;
        }
        int dup = 0;
        if (!hashed && !kcopy && nseen < sizeof seen / sizeof seen[0]) {
            for (size_t i = 0; i < nseen && !dup; i++)
                dup = seen[i].n == kn && memcmp(seen[i].k, k, kn) == 0;
            seen[nseen].k = k;
            seen[nseen++].n = kn;
        } else {
            hashed = 1;
            dup = json_object_getn(obj, k, kn) != NULL;
        }
        if (dup) {
            if (kcopy != small)
                free(kcopy);
            fail_at(ps, key_at, VC_ERR_JSON_DUPKEY, "duplicate object key");
            goto fail;
        }
        skip_ws(ps);
        json_t *v = NULL;
        if (ps->p >= ps->end || *ps->p != ':')
            fail_at(ps, ps->p, VC_ERR_JSON, "':' expected");
        else {
            ps->p++;
            skip_ws(ps);
            v = parse_value(ps);
        }
        int bad = !v || json_object_setn_new_nocheck(obj, k, kn, v) != 0;
        if (kcopy != small)
            free(kcopy);
        if (bad) {
            fail_at(ps, key_at, VC_ERR_NOMEM, "out of memory"); /* no-op when already failed */
            goto fail;
        }
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            skip_ws(ps);
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            ps->depth--;
            return obj;
        }
        fail_at(ps, ps->p, VC_ERR_JSON, "',' or '}' expected");
        goto fail;
    }
fail:
    json_decref(obj);
    return NULL;
}

static json_t *parse_array(parser *ps)
{
    const unsigned char *open = ps->p;
    if (++ps->depth > VC_MAX_JSON_DEPTH)
        return fail_at(ps, open, VC_ERR_JSON_DEPTH, "nesting too deep");
    ps->p++;
    json_t *arr = json_array();
    if (!arr)
        return fail_at(ps, open, VC_ERR_NOMEM, "out of memory");
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        ps->depth--;
        return arr;
    }
    for (;;) {
        const unsigned char *at = ps->p;
        json_t *v = parse_value(ps);
        if (!v || json_array_append_new(arr, v) != 0) {
            fail_at(ps, at, VC_ERR_NOMEM, "out of memory"); /* no-op when already failed */
            json_decref(arr);
            return NULL;
        }
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            skip_ws(ps);
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            ps->depth--;
            return arr;
        }
        fail_at(ps, ps->p, VC_ERR_JSON, "',' or ']' expected");
        json_decref(arr);
        return NULL;
    }
}

static json_t *literal(parser *ps, const char *word, size_t n, json_t *value)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail_at(ps, ps->p, VC_ERR_JSON, "invalid token");
    ps->p += n;
    return value;
}

/* One value at ps->p (white space already skipped). */
static json_t *parse_value(parser *ps)
{
    if (ps->p >= ps->end)
        return fail_at(ps, ps->p, VC_ERR_JSON, "unexpected end of input");
    switch (*ps->p) {
    case '{':
        return parse_object(ps);
    case '[':
        return parse_array(ps);
    case '"': {
        const char *s;
        size_t n;
        const unsigned char *at = ps->p;
        if (!scan_string(ps, &s, &n))
            return NULL;
        json_t *j = json_stringn_nocheck(s, n);
        return j ? j : fail_at(ps, at, VC_ERR_NOMEM, "out of memory");
    }
    case 't':
        return literal(ps, "true", 4, json_true());
    case 'f':
        return literal(ps, "false", 5, json_false());
    case 'n':
        return literal(ps, "null", 4, json_null());
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return parse_number(ps);
        return fail_at(ps, ps->p, VC_ERR_JSON, "invalid token");
    }
}

vc_status vc_json_parse(const char *text, size_t len, json_t **out, vc_error *err)
{
    return vc_json_parse_ws(text, len, out, NULL, err);
}

vc_status vc_json_parse_ws(const char *text, size_t len, json_t **out, int *has_ws, vc_error *err)
{
    if (!text || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "json_parse: NULL argument");
    if (len > VC_MAX_INPUT_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "JSON input of %zu bytes exceeds the %u-byte limit", len,
                       VC_MAX_INPUT_BYTES);
    parser ps = {.start = (const unsigned char *)text, .p = (const unsigned char *)text,
                 .end = (const unsigned char *)text + len};
    skip_ws(&ps);
    json_t *v = parse_value(&ps);
    if (v) {
        skip_ws(&ps);
        if (ps.p < ps.end) {
            fail_at(&ps, ps.p, VC_ERR_JSON, "end of input expected after the value");
            json_decref(v);
            v = NULL;
        }
    }
    free(ps.scratch);
    if (v) {
        if (has_ws)
            *has_ws = ps.ws;
        *out = v;
        return VC_OK;
    }
    if (ps.code == VC_ERR_JSON_DEPTH)
        return vc_fail(err, VC_ERR_JSON_DEPTH, NULL, "JSON nested deeper than %d levels (at byte %zu)",
                       VC_MAX_JSON_DEPTH, ps.at);
    size_t line = 1, col = 1;
    for (size_t i = 0; i < ps.at; i++) {
        if (text[i] == '\n') {
            line++;
            col = 1;
        } else
            col++;
    }
    return vc_fail(err, ps.code, NULL, "JSON: %s (byte %zu, line %zu, column %zu)", ps.msg, ps.at, line, col);
}

vc_status vc_json_parse_object(const char *text, size_t len, json_t **out, vc_error *err)
{
    json_t *v = NULL;
    vc_status st = vc_json_parse(text, len, &v, err);
    if (st != VC_OK)
        return st;
    if (!json_is_object(v)) {
        json_decref(v);
        return vc_fail(err, VC_ERR_JSON_TYPE, "", "expected a JSON object");
    }
    *out = v;
    return VC_OK;
}

void vc_json_compact(const char *text, size_t len, vc_buf *out)
{
    size_t run = 0; /* start of the bytes not yet copied */
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"')
            in_str = 1;
        else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            vc_buf_put(out, text + run, i - run);
            run = i + 1;
        }
    }
    vc_buf_put(out, text + run, len - run);
}

char *vc_json_dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

const char *vc_json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

void vc_path_append(char *path, size_t cap, const char *token)
{
    size_t n = strlen(path);
    if (n + 1 >= cap)
        return;
    path[n++] = '/';
    for (const char *p = token; *p && n + 2 < cap; p++) {
        if (*p == '~') {
            path[n++] = '~';
            path[n++] = '0';
        } else if (*p == '/') {
            path[n++] = '~';
            path[n++] = '1';
        } else
            path[n++] = *p;
    }
    path[n] = '\0';
}

void vc_path_append_index(char *path, size_t cap, size_t index)
{
    char buf[24], *q = buf + sizeof buf - 1;
    *q = '\0';
    do
        *--q = (char)('0' + index % 10);
    while ((index /= 10) != 0);
    vc_path_append(path, cap, q);
}
