/*
 * fuzz_json.c - libFuzzer target for libvc's strict JSON layer (vc_json_parse).
 *
 * A documented code only; when the text is accepted, its compact dump must parse
 * again, to an equal value (the limits hold for what libvc itself writes).
 */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (vc_init() != VC_OK)
        abort();
    return 0;
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
    if (!v)
        return 0;
    char *dump = vc_json_dump(v);
    fz_require(dump != NULL, "fuzz_json", "dump", st, &e);
    json_t *w = NULL;
    st = vc_json_parse(dump, strlen(dump), &w, &e);
    fz_require(st == VC_OK && json_equal(v, w), "fuzz_json", "round trip", st, &e);
    json_t *o = NULL;
    st = vc_json_parse_object((const char *)data, size, &o, &e);
    fz_require(json_is_object(v) ? st == VC_OK : st == VC_ERR_JSON_TYPE, "fuzz_json", "parse_object", st, &e);
    json_decref(o);
    json_decref(w);
    free(dump);
    json_decref(v);
    return 0;
}
