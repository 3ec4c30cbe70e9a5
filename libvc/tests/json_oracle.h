/*
 * json_oracle.h - the reference that libvc's strict JSON parser is held to:
 * the VC_MAX_INPUT_BYTES check, the original nesting pre-scan, then jansson's
 * json_loadb with JSON_DECODE_ANY | JSON_REJECT_DUPLICATES. Shared by the unit
 * suite (libvc/core/test_json.c) and the fuzz target (fuzz/fuzz_json.c), so the
 * two cannot drift apart. Header-only (static functions); include after
 * internal.h.
 */
#ifndef VC_JSON_ORACLE_H
#define VC_JSON_ORACLE_H

#include <string.h>

/*
 * jansson 2.14 quirk: a NUL byte right after a number or a true/false/null token is
 * skipped (the lexer's one-byte look-ahead is pushed back into a NUL-terminated
 * buffer, and a NUL there reads as "empty"): "1\0", "[1\0]", "[true\0,2]" are
 * accepted, while "\"a\"\0", "[1 \0]", "[]\0", "1\0\0" are not. The contract is
 * json_loadb's behaviour except here: libvc refuses every NUL byte (a stray byte
 * skipped is a guess, and two parsers disagreeing on one is how signed text gets
 * read two ways). So accepted text with a NUL must give VC_ERR_JSON, and rejected
 * text with a NUL may give VC_ERR_JSON in place of jansson's code. Build with
 * -DVC_JSON_REF_NUL_QUIRK=1 to require jansson's quirk instead.
 */
#ifndef VC_JSON_REF_NUL_QUIRK
#define VC_JSON_REF_NUL_QUIRK 0
#endif

/* The nesting pre-scan of the original vc_json_parse, verbatim: '{' / '[' outside
 * strings, '\\' skips the next byte inside one. 1 when deeper than the limit. */
static int ref_too_deep(const char *t, size_t len)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '{' || c == '[') {
            if (++depth > VC_MAX_JSON_DEPTH)
                return 1;
        } else if (c == '}' || c == ']')
            depth--;
    }
    return 0;
}

/* A set of statuses, as a bit mask. */
static unsigned sbit(vc_status s)
{
    switch (s) {
    case VC_OK: return 1u << 0;
    case VC_ERR_JSON: return 1u << 1;
    case VC_ERR_JSON_DUPKEY: return 1u << 2;
    case VC_ERR_JSON_DEPTH: return 1u << 3;
    case VC_ERR_LIMIT: return 1u << 4;
    case VC_ERR_NOMEM: return 1u << 5;
    default: return 1u << 6;
    }
}

/*
 * Reference verdict on text[0..len). Returns the status; on VC_OK *out is the value
 * (a new reference), else NULL. *allowed: the statuses the parser under test may
 * give (always including the returned one). The only latitude: text that the
 * pre-scan finds too deep (VC_ERR_JSON_DEPTH) but that jansson rejects anyway may
 * also give jansson's code, since a single-pass parser can meet that error (syntax,
 * duplicate key) before the 65th level. Too-deep text that is otherwise valid, or
 * that only trips jansson's own 2048-level limit, must give VC_ERR_JSON_DEPTH.
 */
static vc_status ref_parse(const char *text, size_t len, json_t **out, unsigned *allowed)
{
    *out = NULL;
    if (len > VC_MAX_INPUT_BYTES) {
        *allowed = sbit(VC_ERR_LIMIT);
        return VC_ERR_LIMIT;
    }
    json_error_t je;
    json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    vc_status js = VC_OK;
    int valid = v != NULL; /* valid but for the depth */
    if (!v) {
        js = VC_ERR_JSON;
        if (json_error_code(&je) == json_error_duplicate_key)
            js = VC_ERR_JSON_DUPKEY;
        else if (json_error_code(&je) == json_error_out_of_memory)
            js = VC_ERR_NOMEM;
        else if (json_error_code(&je) == json_error_stack_overflow)
            valid = 1;
    }
    unsigned extra = 0;
    if (!VC_JSON_REF_NUL_QUIRK && memchr(text, 0, len)) {
        if (v) {
            json_decref(v);
            v = NULL;
            js = VC_ERR_JSON;
        } else
            extra = sbit(VC_ERR_JSON);
        valid = 0;
    }
    if (ref_too_deep(text, len)) {
        json_decref(v);
        *allowed = sbit(VC_ERR_JSON_DEPTH) | (valid ? 0 : sbit(js) | extra);
        return VC_ERR_JSON_DEPTH;
    }
    *out = v;
    *allowed = sbit(js) | extra;
    return js;
}

#endif
