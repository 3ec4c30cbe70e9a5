/*
 * fuzz_json.c - libFuzzer target for libvc's strict JSON layer (vc_json_parse).
 *
 * A documented code only; when the text is accepted, its compact dump must parse
 * again, to an equal value (the limits hold for what libvc itself writes).
 *
 * Differential: the verdict must be the reference's, i.e. that of the original
 * vc_json_parse (the VC_MAX_INPUT_BYTES check, its nesting pre-scan, then jansson's
 * json_loadb with JSON_DECODE_ANY | JSON_REJECT_DUPLICATES), and an accepted value
 * must be json_equal to jansson's, with the same compact dump (integer vs real,
 * the sign of -0.0, key order). One latitude: text the pre-scan finds too deep
 * that jansson rejects anyway may also give jansson's code (a single-pass parser
 * can meet that error before the 65th level); too-deep text that is otherwise
 * valid must give VC_ERR_JSON_DEPTH. libvc/core/test_json.c holds the same oracle.
 *
 * jansson 2.14 accepts a NUL byte right after a number or true/false/null ("1\0",
 * "[1\0]"): its look-ahead is pushed back into a NUL-terminated buffer. libvc
 * refuses every NUL byte, so accepted text with a NUL must be VC_ERR_JSON, and
 * rejected text with one may be (-DVC_JSON_REF_NUL_QUIRK=1 requires the quirk).
 */
#include "fuzz_common.h"

#ifndef VC_JSON_REF_NUL_QUIRK
#define VC_JSON_REF_NUL_QUIRK 0
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (vc_init() != VC_OK)
        abort();
    return 0;
}

/* The nesting pre-scan of the original vc_json_parse, verbatim. */
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

/* Reference verdict; *out: the value on VC_OK; *allowed: the statuses accepted
 * from the parser under test (see the top comment). */
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

/* json_equal and the same compact dump. */
static int same_value(const json_t *a, const json_t *b)
{
    if (!a || !b || !json_equal(a, b))
        return 0;
    char *da = vc_json_dump(a), *db = vc_json_dump(b);
    int same = da && db && strcmp(da, db) == 0;
    if (!same)
        fprintf(stderr, "fuzz_json: dumps differ: %.300s vs %.300s (reference)\n", da ? da : "(null)",
                db ? db : "(null)");
    free(da);
    free(db);
    return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vc_error e;
    json_t *v = NULL;
    vc_status st = vc_json_parse((const char *)data, size, &v, &e);
    fz_require(st == VC_OK || st == VC_ERR_JSON || st == VC_ERR_JSON_DEPTH || st == VC_ERR_JSON_DUPKEY ||
                   st == VC_ERR_LIMIT || st == VC_ERR_NOMEM,
               "fuzz_json", "vc_json_parse code", st, &e);
    fz_require((st == VC_OK) == (v != NULL), "fuzz_json", "vc_json_parse result", st, &e);

    /* differential check against the reference */
    json_t *ref = NULL;
    unsigned allowed = 0;
    vc_status rs = ref_parse((const char *)data, size, &ref, &allowed);
    if (!(sbit(st) & allowed))
        fprintf(stderr, "fuzz_json: vc_json_parse gives %s, the reference %s (allowed mask 0x%x)\n",
                vc_status_name(st), vc_status_name(rs), allowed);
    fz_require(sbit(st) & allowed, "fuzz_json", "verdict differs from the reference (jansson)", st, &e);
    fz_require(st != VC_OK || same_value(v, ref), "fuzz_json", "value differs from the reference (jansson)", st, &e);
    json_decref(ref);

    if (!v)
        return 0;
    char *dump = vc_json_dump(v);
    fz_require(dump != NULL, "fuzz_json", "dump", st, &e);
    json_t *w = NULL;
    st = vc_json_parse(dump, strlen(dump), &w, &e);
    fz_require(st == VC_OK && json_equal(v, w), "fuzz_json", "round trip", st, &e);
    fz_require(same_value(v, w), "fuzz_json", "round trip dump", st, &e);
    json_t *o = NULL;
    st = vc_json_parse_object((const char *)data, size, &o, &e);
    fz_require(json_is_object(v) ? st == VC_OK : st == VC_ERR_JSON_TYPE, "fuzz_json", "parse_object", st, &e);
    json_decref(o);
    /* What vc_sign signs: the text compacted. It must parse to the same value,
     * hold no white space outside strings, and be the text itself when
     * vc_json_parse_ws said the text had none. */
    int had_ws = -1, c_ws = -1;
    json_t *x = NULL, *y = NULL;
    st = vc_json_parse_ws((const char *)data, size, &x, &had_ws, &e);
    fz_require(st == VC_OK && (had_ws == 0 || had_ws == 1), "fuzz_json", "parse_ws", st, &e);
    vc_buf c = {0};
    vc_json_compact((const char *)data, size, &c);
    fz_require(!c.oom && c.p, "fuzz_json", "compact", st, &e);
    st = vc_json_parse_ws(c.p, c.n, &y, &c_ws, &e);
    fz_require(st == VC_OK && same_value(x, y), "fuzz_json", "compact value", st, &e);
    fz_require(c_ws == 0, "fuzz_json", "compact has no white space", st, &e);
    if (!had_ws)
        fz_require(c.n == size && memcmp(c.p, data, size) == 0, "fuzz_json", "compact text unchanged", st, &e);
    json_decref(w);
    json_decref(x);
    json_decref(y);
    free(c.p);
    free(dump);
    json_decref(v);
    return 0;
}
