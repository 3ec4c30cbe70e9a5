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
 * valid must give VC_ERR_JSON_DEPTH. The reference is libvc/tests/json_oracle.h, shared with libvc/core/test_json.c.
 *
 * jansson 2.14 accepts a NUL byte right after a number or true/false/null ("1\0",
 * "[1\0]"): its look-ahead is pushed back into a NUL-terminated buffer. libvc
 * refuses every NUL byte, so accepted text with a NUL must be VC_ERR_JSON, and
 * rejected text with one may be (-DVC_JSON_REF_NUL_QUIRK=1 requires the quirk).
 */
#include "fuzz_common.h"

#include "../libvc/tests/json_oracle.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (vc_init() != VC_OK)
        abort();
    return 0;
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
