/*
 * fuzz_schema.c - libFuzzer target for the JSON Schema 2020-12 validator.
 *
 * The first input byte chooses the mode:
 *  even: the rest is a schema: compile it (vc_schema_compile) and, if it
 *        compiles, validate a fixed UNTP DPP instance and a few small values;
 *  odd:  the rest is an instance validated against the UNTP 0.6.1 DPP schema
 *        (shipped data, UNTPCRED_DATA_DIR) and the W3C VC 2.0 schema.
 * Codes must be documented ones; a report, when asked for, must agree with the
 * return code.
 */
#include "fuzz_common.h"

static vc_schema *dpp_schema, *vc_schema_w3c;
static char *dpp_instance;
static size_t dpp_instance_len;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_schema: cannot read %s (set UNTPCRED_DATA_DIR)\n", path);
        abort();
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
        abort();
    b[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return b;
}

static vc_schema *compile_file(const char *dir, const char *rel)
{
    char path[4096];
    size_t n;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *text = slurp(path, &n);
    vc_schema *s = NULL;
    vc_error e;
    if (vc_schema_compile(NULL, text, n, 0, &s, &e) != VC_OK) {
        fprintf(stderr, "fuzz_schema: %s: %s\n", rel, e.message);
        abort();
    }
    free(text);
    return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (vc_init() != VC_OK)
        abort();
    const char *dir = getenv("UNTPCRED_DATA_DIR");
    if (!dir || !*dir)
        dir = ".";
    dpp_schema = compile_file(dir, "schemas/untp/v0.6.1/dpp/untp-dpp-schema.json");
    vc_schema_w3c = compile_file(dir, "schemas/w3c/verifiable-credential-schema.json");
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/battery-dpp.unsigned.json", dir);
    dpp_instance = slurp(path, &dpp_instance_len);
    return 0;
}

static int validate_code_ok(vc_status st)
{
    return st == VC_OK || st == VC_ERR_SCHEMA || st == VC_ERR_LIMIT || st == VC_ERR_JSON || st == VC_ERR_JSON_DEPTH ||
           st == VC_ERR_JSON_DUPKEY || st == VC_ERR_NOMEM;
}

static void validate(const vc_schema *s, const char *inst, size_t len, int with_report)
{
    vc_error e;
    vc_report *rep = NULL;
    vc_status st = vc_schema_validate(s, inst, len, with_report ? &rep : NULL, &e);
    fz_require(validate_code_ok(st), "fuzz_schema", "vc_schema_validate code", st, &e);
    if (with_report && rep) {
        fz_require((st == VC_OK) == (vc_report_valid(rep) != 0), "fuzz_schema", "report validity", st, &e);
        fz_require(vc_report_count(rep) >= 1, "fuzz_schema", "empty report", st, &e);
        char *json = NULL;
        fz_require(vc_report_to_json(rep, 0, &json, NULL) == VC_OK, "fuzz_schema", "report json", st, &e);
        vc_free(json);
        vc_report_free(rep);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    vc_error e;
    if ((data[0] & 1) == 0) {
        vc_schema *s = NULL;
        vc_status st = vc_schema_compile(NULL, rest, n, (data[0] & 2) ? VC_SCHEMA_FORMAT_ANNOTATION : 0, &s, &e);
        fz_require(st == VC_OK || st == VC_ERR_SCHEMA_COMPILE || st == VC_ERR_SCHEMA_REF || st == VC_ERR_JSON ||
                       st == VC_ERR_JSON_DEPTH || st == VC_ERR_JSON_DUPKEY || st == VC_ERR_JSON_TYPE ||
                       st == VC_ERR_LIMIT || st == VC_ERR_INVALID_ARG || st == VC_ERR_NOMEM,
                   "fuzz_schema", "vc_schema_compile code", st, &e);
        fz_require((st == VC_OK) == (s != NULL), "fuzz_schema", "compile result", st, &e);
        if (s) {
            fz_require(vc_schema_base_uri(s) != NULL, "fuzz_schema", "base uri", st, &e);
            validate(s, dpp_instance, dpp_instance_len, 1);
            static const char *const small[] = {"null", "0", "-1.5e3", "\"2026-01-01T00:00:00Z\"", "[1,\"a\",{}]",
                                                "{\"a\":{\"b\":[true]}}"};
            for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
                validate(s, small[i], strlen(small[i]), (data[0] & 4) != 0);
            vc_schema_free(s);
        }
    } else {
        validate(dpp_schema, rest, n, 1);
        validate(vc_schema_w3c, rest, n, 0);
    }
    return 0;
}
