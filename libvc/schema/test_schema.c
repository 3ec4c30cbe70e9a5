/*
 * test_schema.c - JSON Schema 2020-12: the official JSON-Schema-Test-Suite
 * (data-driven), the UNTP schemas and samples, error reporting, limits,
 * hostile inputs and sharing a compiled schema between threads.
 *
 * Reads ../shared (VC_SHARED_DIR): vectors/json-schema-test-suite and untp/.
 * UNTP files are GPL-3.0 data: they are read at run time, never copied here.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "testutil.h"

/* paths are built in fixed buffers that are large enough for the test data */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include "schema/schema_internal.h"

#define SUITE_DIR "vectors/json-schema-test-suite"
#define REMOTE_BASE "http://localhost:1234/"
#define META_BASE "https://json-schema.org/draft/2020-12/"

/* ------------------------------------------------------------- helpers */

static char *read_all(const char *path, size_t *len)
{
    char *buf = NULL;
    vc_error err;
    ck_assert_msg(vc_read_file(path, VC_MAX_INPUT_BYTES, &buf, len, &err) == VC_OK, "%s: %s", path, err.message);
    return buf;
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir ending with suffix (regular files) or all sub-directories. */
static size_t list_dir(const char *dir, const char *suffix, int dirs, char ***out)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    size_t n = 0, cap = 16;
    char **v = malloc(cap * sizeof *v);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0)
            continue;
        if (dirs ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
            continue;
        size_t l = strlen(e->d_name), sl = suffix ? strlen(suffix) : 0;
        if (suffix && (l < sl || strcmp(e->d_name + l - sl, suffix) != 0))
            continue;
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(v, n, sizeof *v, cmpstr);
    *out = v;
    return n;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void add_tree(vc_schema_registry *reg, const char *dir, const char *uri_prefix)
{
    char **files, **dirs;
    size_t nf = list_dir(dir, ".json", 0, &files), nd = list_dir(dir, NULL, 1, &dirs);
    for (size_t i = 0; i < nf; i++) {
        char p[4096], u[4096];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        snprintf(u, sizeof u, "%s%s", uri_prefix, files[i]);
        size_t len;
        char *text = read_all(p, &len);
        vc_error err;
        ck_assert_msg(vc_schema_registry_add(reg, u, text, len, &err) == VC_OK, "%s: %s", p, err.message);
        free(text);
    }
    for (size_t i = 0; i < nd; i++) {
        char p[4096], u[4096];
        snprintf(p, sizeof p, "%s/%s", dir, dirs[i]);
        snprintf(u, sizeof u, "%s%s/", uri_prefix, dirs[i]);
        add_tree(reg, p, u);
    }
    free_list(files, nf);
    free_list(dirs, nd);
}

/* The 2020-12 meta-schemas (test data beside this file) under their URIs. */
static void add_metaschemas(vc_schema_registry *reg)
{
    static const char *names[] = {"core", "applicator", "unevaluated", "validation", "meta-data",
                                  "format-annotation", "format-assertion", "content"};
    vc_error err;
    size_t len;
    char *text = read_all(tu_source_path("libvc/schema/metaschema/draft2020-12/schema.json"), &len);
    ck_assert_int_eq(vc_schema_registry_add(reg, META_BASE "schema", text, len, &err), VC_OK);
    free(text);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char rel[256], uri[256];
        snprintf(rel, sizeof rel, "libvc/schema/metaschema/draft2020-12/meta/%s.json", names[i]);
        snprintf(uri, sizeof uri, META_BASE "meta/%s", names[i]);
        text = read_all(tu_source_path(rel), &len);
        ck_assert_msg(vc_schema_registry_add(reg, uri, text, len, &err) == VC_OK, "%s: %s", rel, err.message);
        free(text);
    }
}

static vc_schema_registry *suite_registry(void)
{
    vc_schema_registry *reg = NULL;
    vc_error err;
    ck_assert_int_eq(vc_schema_registry_new(&reg, &err), VC_OK);
    add_tree(reg, tu_shared_path(SUITE_DIR "/remotes"), REMOTE_BASE);
    add_metaschemas(reg);
    return reg;
}

/* Compile from text (the public API). */
static vc_schema *compile_text(const vc_schema_registry *reg, const char *text, unsigned flags)
{
    vc_schema *s = NULL;
    vc_error err;
    vc_status st = vc_schema_compile(reg, text, strlen(text), flags, &s, &err);
    ck_assert_msg(st == VC_OK, "compile %s: %s: %s (at %s)", text, vc_status_name(st), err.message, err.path);
    return s;
}

/* --------------------------------------------- JSON-Schema-Test-Suite run */

/*
 * Known deviations from the draft 2020-12 suite, with the reason. Required tests
 * (the files directly in tests/draft2020-12): none at the time of writing; a
 * required test listed here may fail without failing the run, any other
 * failure fails it. Optional tests are informational: their failures are
 * printed, with the reason when listed here. file is relative to
 * tests/draft2020-12; group/test NULL match every group / test of the file.
 */
static const struct known {
    const char *file, *group, *test, *reason;
} known_failures[] = {
    {"optional/format/idn-hostname.json", NULL, "zero width non-joiner must pass at every occurrence",
     "IDNA CONTEXTJ for ZWNJ needs Unicode joining types; ZWNJ is accepted"},
    {"optional/format/idn-hostname.json", NULL, "Bidi domain name with a digit-first label is invalid",
     "the RFC 5893 Bidi rule needs Unicode bidi classes: not checked"},
    {"optional/format/idn-hostname.json", NULL, "label starting with a digit before a right-to-left letter is invalid",
     "the RFC 5893 Bidi rule: not checked"},
    {"optional/format/idn-hostname.json", NULL, "left-to-right label containing a right-to-left letter is invalid",
     "the RFC 5893 Bidi rule: not checked"},
    {"optional/format/idn-hostname.json", NULL, "right-to-left label mixing both digit types is invalid",
     "the RFC 5893 Bidi rule: not checked"},
    {"optional/format/idn-hostname.json", NULL, "A-label that decodes to a disallowed code point is invalid",
     "the IDNA 2008 DISALLOWED table is not included (only its listed exceptions)"},
    {"optional/format/idn-hostname.json", NULL, "A-label that decodes to a Bidi rule violation is invalid",
     "the RFC 5893 Bidi rule: not checked"},
    {"optional/format/idn-hostname.json", NULL, "a U-label whose A-label form is longer than 63 octets is invalid",
     "U-labels are not Punycode-encoded to measure their A-label length"},
    {"optional/format/idn-hostname.json", NULL, "non-canonical Punycode that does not re-encode to itself is invalid",
     "A-labels are decoded but not re-encoded"},
    {"optional/cross-draft.json", NULL, NULL,
     "every document is evaluated as draft 2020-12: $schema of older drafts is not honoured"},
    {"optional/bignum.json", NULL, NULL,
     "jansson rejects integers beyond 64 bits when parsing: the file cannot be loaded"},
    {"optional/format/ecmascript-regex.json", NULL, "a variable-width lookbehind (ES2018)",
     "PCRE2 10.42 supports only fixed-length lookbehind"},
    {NULL, NULL, NULL, NULL},
};

static const struct known *known_failure(const char *file, const char *group, const char *test)
{
    for (size_t i = 0; known_failures[i].file; i++) {
        const struct known *k = &known_failures[i];
        if (strcmp(k->file, file) == 0 && (!k->group || strcmp(k->group, group) == 0) &&
            (!k->test || strcmp(k->test, test) == 0))
            return k;
    }
    return NULL;
}

typedef struct tally {
    int total, passed, unexpected;
} tally;

/* Run one test-suite file; prints its count and each failure. */
static void run_suite_file(const vc_schema_registry *reg, const char *path, const char *name, const char *rel,
                           unsigned flags, int required, tally *t)
{
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!doc) {
        const struct known *k = known_failure(rel, "", "");
        printf("  %-34s cannot be loaded: %s%s%s\n", name, je.text, k ? " -- known: " : "", k ? k->reason : "");
        if (required)
            t->unexpected++;
        return;
    }
    int total = 0, passed = 0;
    size_t gi;
    json_t *g;
    json_array_foreach(doc, gi, g) {
        const char *gdesc = json_string_value(json_object_get(g, "description"));
        json_t *tests = json_object_get(g, "tests");
        vc_schema *s = NULL;
        vc_error err;
        vc_status cst = vc_schema_compile_json(reg, json_object_get(g, "schema"), NULL, flags, &s, &err);
        size_t ti;
        json_t *tc;
        json_array_foreach(tests, ti, tc) {
            const char *tdesc = json_string_value(json_object_get(tc, "description"));
            int expected = json_is_true(json_object_get(tc, "valid"));
            const json_t *data = json_object_get(tc, "data");
            int ok;
            char why[300] = "";
            if (cst != VC_OK) {
                ok = 0;
                snprintf(why, sizeof why, "compile: %s: %s", vc_status_name(cst), err.message);
            } else {
                int quiet = vc_schema_is_valid(s, data);
                vc_error e2;
                vc_status st = vc_schema_check(s, data, "schema", NULL, NULL, &e2);
                int reported = st == VC_OK;
                if (quiet != reported) {
                    ok = 0;
                    snprintf(why, sizeof why, "boolean and reporting modes disagree (%d/%d: %s)", quiet, reported,
                             e2.message);
                } else {
                    ok = quiet == expected;
                    if (!ok)
                        snprintf(why, sizeof why, "got %s%s%s", quiet ? "valid" : "invalid", quiet ? "" : ": ",
                                 quiet ? "" : e2.message);
                }
            }
            total++;
            if (ok) {
                passed++;
                continue;
            }
            const struct known *k = known_failure(rel, gdesc, tdesc);
            printf("    FAIL %s: %s / %s (expected %s) -- %s%s%s\n", name, gdesc, tdesc,
                   expected ? "valid" : "invalid", why, k ? " -- known: " : "", k ? k->reason : "");
            if (required && !k)
                t->unexpected++;
        }
        vc_schema_free(s);
    }
    printf("  %-34s %4d/%-4d passed\n", name, passed, total);
    t->total += total;
    t->passed += passed;
    json_decref(doc);
}

START_TEST(test_suite_required)
{
    vc_schema_registry *reg = suite_registry();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_shared_path(SUITE_DIR "/tests/draft2020-12"));
    char **files;
    size_t n = list_dir(dir, ".json", 0, &files);
    ck_assert_uint_gt(n, 40);
    tally t = {0};
    printf("json-schema-test-suite draft2020-12 (required; format as annotation, as the suite expects):\n");
    for (size_t i = 0; i < n; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        run_suite_file(reg, p, files[i], files[i], VC_SCHEMA_FORMAT_ANNOTATION, 1, &t);
    }
    double pct = t.total ? 100.0 * t.passed / t.total : 0;
    printf("known deviations (file: test -- reason):\n");
    for (size_t i = 0; known_failures[i].file; i++)
        printf("  %s: %s -- %s\n", known_failures[i].file,
               known_failures[i].test ? known_failures[i].test : "(all tests)", known_failures[i].reason);
    printf("json-schema-test-suite draft2020-12 required: %d/%d passed (%.1f%%)\n", t.passed, t.total, pct);
    fflush(stdout);
    free_list(files, n);
    vc_schema_registry_free(reg);
    ck_assert_msg(pct >= 98.0, "pass rate %.1f%% is below 98%%", pct);
    ck_assert_msg(t.unexpected == 0, "%d failures are not in the known-failures table", t.unexpected);
}
END_TEST

START_TEST(test_suite_optional)
{
    vc_schema_registry *reg = suite_registry();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_shared_path(SUITE_DIR "/tests/draft2020-12/optional/format"));
    char **files;
    size_t n = list_dir(dir, ".json", 0, &files);
    tally t = {0};
    printf("json-schema-test-suite draft2020-12 optional/format (format asserted; not asserted here):\n");
    for (size_t i = 0; i < n; i++) {
        char fmt[256], rel[512], p[4096];
        snprintf(fmt, sizeof fmt, "%.*s", (int)(strlen(files[i]) - 5), files[i]);
        if (strcmp(fmt, "ecmascript-regex") == 0)
            snprintf(fmt, sizeof fmt, "regex"); /* ECMA-262 syntax of format "regex" */
        snprintf(rel, sizeof rel, "optional/format/%s", files[i]);
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        if (vc_format_lookup(fmt) == FMT_NONE) {
            tally u = {0};
            run_suite_file(reg, p, files[i], rel, 0, 0, &u);
            printf("  %-34s (not a format libvc asserts: ignored as an annotation)\n", files[i]);
            continue;
        }
        run_suite_file(reg, p, files[i], rel, 0, 0, &t);
    }
    printf("json-schema-test-suite draft2020-12 optional/format (implemented formats): %d/%d passed (%.1f%%)\n",
           t.passed, t.total, t.total ? 100.0 * t.passed / t.total : 0.0);
    free_list(files, n);

    snprintf(dir, sizeof dir, "%s", tu_shared_path(SUITE_DIR "/tests/draft2020-12/optional"));
    n = list_dir(dir, ".json", 0, &files);
    tally o = {0};
    printf("json-schema-test-suite draft2020-12 optional (other files; informational):\n");
    for (size_t i = 0; i < n; i++) {
        char p[4096], rel[512];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        snprintf(rel, sizeof rel, "optional/%s", files[i]);
        run_suite_file(reg, p, files[i], rel, 0, 0, &o);
    }
    printf("json-schema-test-suite draft2020-12 optional (other): %d/%d passed (%.1f%%)\n", o.passed, o.total,
           o.total ? 100.0 * o.passed / o.total : 0.0);
    fflush(stdout);
    free_list(files, n);
    vc_schema_registry_free(reg);
}
END_TEST

/* ------------------------------------------------------------------ UNTP */

static const char *const untp_versions[] = {"untp/v0.6.1", "untp/v0.6.0"};

START_TEST(test_untp_schemas_compile)
{
    int count = 0;
    for (size_t v = 0; v < 2; v++) {
        char base[4096];
        snprintf(base, sizeof base, "%s", tu_shared_path(untp_versions[v]));
        char **dirs;
        size_t nd = list_dir(base, NULL, 1, &dirs);
        for (size_t d = 0; d < nd; d++) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/%s", base, dirs[d]);
            char **files;
            size_t nf = list_dir(dir, "-schema.json", 0, &files);
            for (size_t f = 0; f < nf; f++) {
                char p[4096];
                snprintf(p, sizeof p, "%s/%s", dir, files[f]);
                size_t len;
                char *text = read_all(p, &len);
                vc_schema *s = NULL;
                vc_error err;
                vc_status st = vc_schema_compile(NULL, text, len, 0, &s, &err);
                ck_assert_msg(st == VC_OK, "%s: %s: %s (at %s)", p, vc_status_name(st), err.message, err.path);
                vc_schema_free(s);
                free(text);
                count++;
            }
            free_list(files, nf);
        }
        free_list(dirs, nd);
    }
    size_t len;
    char *text = read_all(tu_shared_path("untp/w3c/verifiable-credential-schema.json"), &len);
    vc_schema *s = NULL;
    vc_error err;
    ck_assert_int_eq(vc_schema_compile(NULL, text, len, 0, &s, &err), VC_OK);
    ck_assert_str_eq(vc_schema_base_uri(s), "https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json");
    vc_schema_free(s);
    free(text);
    printf("UNTP schemas compiled: %d (0.6.1 + 0.6.0) + the W3C VC 2.0 schema\n", count + 0);
    ck_assert_int_ge(count, 29);
}
END_TEST

/* Validate every sample instance of a version against the schema beside it.
 * primary: the credential samples named in the brief (untp-*, Digital*). */
START_TEST(test_untp_samples_validate)
{
    int count = 0;
    for (size_t v = 0; v < 2; v++) {
        char base[4096];
        snprintf(base, sizeof base, "%s", tu_shared_path(untp_versions[v]));
        char **dirs;
        size_t nd = list_dir(base, NULL, 1, &dirs);
        for (size_t d = 0; d < nd; d++) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/%s", base, dirs[d]);
            char **files;
            size_t nf = list_dir(dir, "-instance.json", 0, &files);
            for (size_t f = 0; f < nf; f++) {
                char ip[4096], sp[4096];
                snprintf(ip, sizeof ip, "%s/%s", dir, files[f]);
                snprintf(sp, sizeof sp, "%s/%.*s-schema.json", dir, (int)(strlen(files[f]) - strlen("-instance.json")),
                         files[f]);
                size_t sl, il;
                char *stext = read_all(sp, &sl), *itext = read_all(ip, &il);
                vc_schema *s = NULL;
                vc_error err;
                ck_assert_int_eq(vc_schema_compile(NULL, stext, sl, 0, &s, &err), VC_OK);
                vc_report *rep = NULL;
                vc_status st = vc_schema_validate(s, itext, il, &rep, &err);
                ck_assert_msg(st == VC_OK, "%s/%s: %s: %s (at '%s')", untp_versions[v], files[f], vc_status_name(st),
                              err.message, err.path);
                ck_assert_uint_eq(vc_report_count(rep), 1);
                ck_assert(vc_report_valid(rep));
                vc_report_free(rep);
                vc_schema_free(s);
                free(stext);
                free(itext);
                count++;
            }
            free_list(files, nf);
        }
        free_list(dirs, nd);
    }
    printf("UNTP sample instances valid against their schemas: %d\n", count);
    ck_assert_int_ge(count, 29);
}
END_TEST

/* The credential samples against the W3C VC 2.0 JSON Schema (svc is a
 * vocabulary catalogue, not a credential, and is left out). */
START_TEST(test_untp_samples_w3c_schema)
{
    static const char *samples[] = {
        "untp/v0.6.1/dpp/untp-dpp-instance.json", "untp/v0.6.1/dcc/untp-dcc-instance.json",
        "untp/v0.6.1/dfr/untp-dfr-instance.json", "untp/v0.6.1/dia/untp-dia-instance.json",
        "untp/v0.6.1/dte/untp-dte-instance.json", "untp/v0.6.0/dpp/DigitalProductPassport-instance.json",
        "untp/v0.6.0/dcc/DigitalConformityCredential-instance.json",
        "untp/v0.6.0/dfr/DigitalFacilityRecord-instance.json", "untp/v0.6.0/dia/DigitalIdentityAnchor-instance.json",
        "untp/v0.6.0/dte/DigitalTraceabilityEvent-instance.json"};
    size_t sl;
    char *stext = read_all(tu_shared_path("untp/w3c/verifiable-credential-schema.json"), &sl);
    vc_schema *s = NULL;
    vc_error err;
    ck_assert_int_eq(vc_schema_compile(NULL, stext, sl, 0, &s, &err), VC_OK);
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        size_t il;
        char *itext = read_all(tu_shared_path(samples[i]), &il);
        vc_status st = vc_schema_validate(s, itext, il, NULL, &err);
        ck_assert_msg(st == VC_OK, "%s: %s (at '%s')", samples[i], err.message, err.path);
        free(itext);
    }
    /* a credential without issuer: required at the root */
    json_t *doc = tu_load_json(tu_shared_path(samples[0]));
    json_object_del(doc, "issuer");
    char *text = vc_json_dump(doc);
    vc_report *rep = NULL;
    ck_assert_int_eq(vc_schema_validate(s, text, strlen(text), &rep, &err), VC_ERR_SCHEMA);
    ck_assert_str_eq(err.path, "");
    ck_assert_str_eq(err.message, "required: missing property 'issuer' (schema #/required)");
    ck_assert_uint_eq(vc_report_count(rep), 1);
    vc_report_free(rep);
    free(text);
    json_decref(doc);
    vc_schema_free(s);
    free(stext);
}
END_TEST

/* Set or delete (value NULL) the member at a simple pointer "/a/b/0/c". */
static void mutate(json_t *doc, const char *pointer, json_t *value)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", pointer);
    json_t *cur = doc;
    char *save = NULL, *tok = strtok_r(buf + 1, "/", &save);
    while (tok) {
        char *next = strtok_r(NULL, "/", &save);
        if (!next) {
            if (json_is_array(cur)) {
                ck_assert(value != NULL);
                ck_assert_int_eq(json_array_set_new(cur, (size_t)atoi(tok), value), 0);
            } else if (value)
                ck_assert_int_eq(json_object_set_new(cur, tok, value), 0);
            else
                ck_assert_int_eq(json_object_del(cur, tok), 0);
            return;
        }
        cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(tok)) : json_object_get(cur, tok);
        ck_assert_msg(cur != NULL, "no %s in the sample", pointer);
        tok = next;
    }
}

START_TEST(test_untp_mutations)
{
    static const struct {
        const char *what, *pointer, *json; /* json NULL: delete */
        const char *path, *message;
    } cases[] = {
        {"missing required field", "/credentialSubject/product/name", NULL, "/credentialSubject/product",
         "required: missing property 'name' (schema #/$defs/Product/required)"},
        {"missing required field (issuer)", "/issuer/id", NULL, "/issuer",
         "required: missing property 'id' (schema #/$defs/CredentialIssuer/required)"},
        {"wrong enum value", "/credentialSubject/granularityLevel", "\"pallet\"", "/credentialSubject/granularityLevel",
         "enum: \"pallet\" is not one of [\"item\", \"batch\", \"model\"] (schema "
         "#/$defs/ProductPassport/properties/granularityLevel/enum)"},
        {"wrong type", "/credentialSubject/product/name", "42", "/credentialSubject/product/name",
         "type: expected string, got integer (schema #/$defs/Product/properties/name/type)"},
        {"extra property, additionalProperties false", "/issuer/nickname", "\"ACME\"", "/issuer/nickname",
         "additionalProperties: property 'nickname' is not allowed (schema #/$defs/CredentialIssuer/additionalProperties)"},
        {"bad date-time format", "/validFrom", "\"2024-02-30T12:00:00Z\"", "/validFrom",
         "format: \"2024-02-30T12:00:00Z\" is not a valid date-time (schema #/properties/validFrom/format)"},
    };
    size_t sl;
    char *stext = read_all(tu_shared_path("untp/v0.6.1/dpp/untp-dpp-schema.json"), &sl);
    vc_schema *s = NULL;
    vc_error err;
    ck_assert_int_eq(vc_schema_compile(NULL, stext, sl, 0, &s, &err), VC_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = tu_load_json(tu_shared_path("untp/v0.6.1/dpp/untp-dpp-instance.json"));
        json_t *val = NULL;
        if (cases[i].json) {
            json_error_t je;
            val = json_loads(cases[i].json, JSON_DECODE_ANY, &je);
            ck_assert_ptr_nonnull(val);
        }
        mutate(doc, cases[i].pointer, val);
        char *text = vc_json_dump(doc);
        vc_report *rep = NULL;
        vc_status st = vc_schema_validate(s, text, strlen(text), &rep, &err);
        ck_assert_msg(st == VC_ERR_SCHEMA, "%s: got %s", cases[i].what, vc_status_name(st));
        ck_assert_int_eq(err.code, VC_ERR_SCHEMA);
        ck_assert_msg(strcmp(err.path, cases[i].path) == 0, "%s: path '%s', want '%s'", cases[i].what, err.path,
                      cases[i].path);
        ck_assert_msg(strcmp(err.message, cases[i].message) == 0, "%s: message '%s'", cases[i].what, err.message);
        /* exactly one problem, reported as a failed "schema" check */
        ck_assert_uint_eq(vc_report_count(rep), 1);
        const char *name;
        vc_check_result res;
        const vc_error *d;
        ck_assert_int_eq(vc_report_check(rep, 0, &name, &res, &d), VC_OK);
        ck_assert_str_eq(name, "schema");
        ck_assert_int_eq(res, VC_CHECK_FAIL);
        ck_assert_int_eq(d->code, VC_ERR_SCHEMA);
        ck_assert_str_eq(d->path, cases[i].path);
        vc_report_free(rep);
        /* the json_t hot path agrees */
        vc_error e2;
        ck_assert_int_eq(vc_schema_check(s, doc, "schema", NULL, NULL, &e2), VC_ERR_SCHEMA);
        ck_assert_str_eq(e2.path, cases[i].path);
        ck_assert(!vc_schema_is_valid(s, doc));
        free(text);
        json_decref(doc);
    }
    /* all at once: every problem is reported */
    json_t *doc = tu_load_json(tu_shared_path("untp/v0.6.1/dpp/untp-dpp-instance.json"));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (i == 3)
            continue; /* same member as case 0 */
        json_error_t je;
        mutate(doc, cases[i].pointer, cases[i].json ? json_loads(cases[i].json, JSON_DECODE_ANY, &je) : NULL);
    }
    vc_report *rep = NULL;
    vc_report_set_prefix(NULL, NULL);
    ck_assert_int_eq(vc_schema_check(s, doc, "schema", "/verifiableCredential/0", NULL, &err), VC_ERR_SCHEMA);
    char *text = vc_json_dump(doc);
    ck_assert_int_eq(vc_schema_validate(s, text, strlen(text), &rep, &err), VC_ERR_SCHEMA);
    ck_assert_uint_eq(vc_report_count(rep), 5);
    vc_report_free(rep);
    free(text);
    json_decref(doc);
    vc_schema_free(s);
    free(stext);
}
END_TEST

/* --------------------------------------------------------------- the API */

static vc_status try_compile(const vc_schema_registry *reg, const char *text, vc_error *err)
{
    vc_schema *s = NULL;
    vc_status st = vc_schema_compile(reg, text, strlen(text), 0, &s, err);
    ck_assert(st == VC_OK ? s != NULL : s == NULL);
    vc_schema_free(s);
    return st;
}

START_TEST(test_compile_errors)
{
    vc_error err;
    static const struct {
        const char *schema;
        vc_status code;
        const char *path;
    } cases[] = {
        {"{\"type\": \"strng\"}", VC_ERR_SCHEMA_COMPILE, "/type"},
        {"{\"properties\": {\"a\": {\"pattern\": \"(\"}}}", VC_ERR_SCHEMA_COMPILE, "/properties/a/pattern"},
        {"{\"pattern\": \"\\\\a\"}", VC_ERR_SCHEMA_COMPILE, "/pattern"},
        {"{\"pattern\": \"(?i)abc\"}", VC_ERR_SCHEMA_COMPILE, "/pattern"},
        {"{\"patternProperties\": {\"[\": true}}", VC_ERR_SCHEMA_COMPILE, "/patternProperties/["},
        {"{\"$ref\": \"#/$defs/missing\"}", VC_ERR_SCHEMA_REF, "/$ref"},
        {"{\"$ref\": \"#nowhere\"}", VC_ERR_SCHEMA_REF, "/$ref"},
        {"{\"$ref\": \"https://example.org/none.json\"}", VC_ERR_SCHEMA_REF, "/$ref"},
        {"{\"items\": {\"$dynamicRef\": \"other.json#meta\"}}", VC_ERR_SCHEMA_REF, "/items/$dynamicRef"},
        {"{\"minLength\": -1}", VC_ERR_SCHEMA_COMPILE, "/minLength"},
        {"{\"maxItems\": 1.5}", VC_ERR_SCHEMA_COMPILE, "/maxItems"},
        {"{\"multipleOf\": 0}", VC_ERR_SCHEMA_COMPILE, "/multipleOf"},
        {"{\"required\": [\"a\", 1]}", VC_ERR_SCHEMA_COMPILE, "/required"},
        {"{\"allOf\": []}", VC_ERR_SCHEMA_COMPILE, "/allOf"},
        {"{\"items\": [{}]}", VC_ERR_SCHEMA_COMPILE, "/items"},
        {"{\"not\": 3}", VC_ERR_SCHEMA_COMPILE, "/not"},
        {"{\"$id\": \"https://x.example/a#frag\"}", VC_ERR_SCHEMA_COMPILE, ""},
        {"{\"$defs\": {\"a\": {\"$anchor\": \"1bad\"}}}", VC_ERR_SCHEMA_COMPILE, "/$defs/a"},
        {"[1]", VC_ERR_SCHEMA_COMPILE, ""},
        {"\"string\"", VC_ERR_SCHEMA_COMPILE, ""},
        {"{\"type\": }", VC_ERR_JSON, ""},
        {"{\"a\": 1, \"a\": 2}", VC_ERR_JSON_DUPKEY, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vc_status st = try_compile(NULL, cases[i].schema, &err);
        ck_assert_msg(st == cases[i].code, "%s: got %s (%s), want %s", cases[i].schema, vc_status_name(st),
                      err.message, vc_status_name(cases[i].code));
        if (cases[i].code == VC_ERR_SCHEMA_COMPILE || cases[i].code == VC_ERR_SCHEMA_REF)
            ck_assert_msg(strcmp(err.path, cases[i].path) == 0, "%s: path '%s', want '%s'", cases[i].schema, err.path,
                          cases[i].path);
    }
    /* unknown keywords and unknown formats are annotations */
    ck_assert_int_eq(try_compile(NULL, "{\"x-external-enumeration\": [1], \"format\": \"float\", \"example\": 3}", &err),
                     VC_OK);
    ck_assert_int_eq(try_compile(NULL, "true", &err), VC_OK);
    /* NULL arguments */
    vc_schema *s = NULL;
    ck_assert_int_eq(vc_schema_compile(NULL, NULL, 0, 0, &s, &err), VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_schema_compile(NULL, "{}", 2, 0, NULL, &err), VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_schema_validate(NULL, "{}", 2, NULL, &err), VC_ERR_INVALID_ARG);
    /* nesting deeper than the JSON limit (text) and the schema limit (json_t) */
    char deep[2000] = "";
    for (int i = 0; i < 100; i++)
        strcat(deep, "{\"not\":");
    strcat(deep, "{}");
    for (int i = 0; i < 100; i++)
        strcat(deep, "}");
    ck_assert_int_eq(try_compile(NULL, deep, &err), VC_ERR_JSON_DEPTH);
    json_t *j = json_object();
    for (int i = 0; i < VC_SCHEMA_MAX_SCHEMA_DEPTH + 10; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "not", j);
        j = o;
    }
    ck_assert_int_eq(vc_schema_compile_json(NULL, j, NULL, 0, &s, &err), VC_ERR_SCHEMA_COMPILE);
    ck_assert_ptr_null(s);
    json_decref(j);
}
END_TEST

START_TEST(test_registry)
{
    vc_schema_registry *reg = NULL;
    vc_error err;
    ck_assert_int_eq(vc_schema_registry_new(&reg, &err), VC_OK);
    const char *product = "{\"$id\": \"https://schemas.example/product.json\", \"$defs\": {\"Product\": {\"$anchor\": "
                          "\"product\", \"type\": \"object\", \"required\": [\"id\"]}}, \"$ref\": \"#/$defs/Product\"}";
    ck_assert_int_eq(vc_schema_registry_add(reg, "https://cache.example/p.json#", product, strlen(product), &err), VC_OK);
    ck_assert_int_eq(vc_schema_registry_add(reg, "https://cache.example/p.json", product, strlen(product), &err),
                     VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_schema_registry_add(reg, "p.json", product, strlen(product), &err), VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_schema_registry_add(reg, "https://a.example/x#frag", product, strlen(product), &err),
                     VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_schema_registry_add(reg, "https://a.example/bad", "{", 1, &err), VC_ERR_JSON);
    const char *vocab = "{\"$id\": \"https://meta.example/m\", \"$vocabulary\": {\"https://json-schema.org/draft/2020-12/"
                        "vocab/core\": true, \"https://vocab.example/custom\": true}}";
    ck_assert_int_eq(vc_schema_registry_add(reg, "https://meta.example/m", vocab, strlen(vocab), &err), VC_OK);

    /* by retrieval URI, by $id, by anchor, by pointer */
    const char *users[] = {"{\"$ref\": \"https://cache.example/p.json\"}",
                           "{\"$ref\": \"https://schemas.example/product.json\"}",
                           "{\"$ref\": \"https://schemas.example/product.json#product\"}",
                           "{\"items\": {\"$ref\": \"https://schemas.example/product.json#/$defs/Product\"}}"};
    for (size_t i = 0; i < 4; i++) {
        vc_schema *s = compile_text(reg, users[i], 0);
        const char *good = i == 3 ? "[{\"id\": 1}]" : "{\"id\": 1}", *bad = i == 3 ? "[{}]" : "{}";
        ck_assert_int_eq(vc_schema_validate(s, good, strlen(good), NULL, &err), VC_OK);
        ck_assert_int_eq(vc_schema_validate(s, bad, strlen(bad), NULL, &err), VC_ERR_SCHEMA);
        ck_assert_msg(strstr(err.message, "(schema https://cache.example/p.json#/$defs/Product/required)") != NULL,
                      "%s", err.message);
        vc_schema_free(s);
    }
    /* a registered document (or a part of it) compiled by URI */
    vc_schema *s = NULL;
    ck_assert_int_eq(vc_schema_compile_uri(reg, "https://schemas.example/product.json#/$defs/Product", 0, &s, &err),
                     VC_OK);
    ck_assert_str_eq(vc_schema_base_uri(s), "https://schemas.example/product.json#/$defs/Product");
    ck_assert_int_eq(vc_schema_validate(s, "{}", 2, NULL, &err), VC_ERR_SCHEMA);
    vc_schema_free(s);
    ck_assert_int_eq(vc_schema_compile_uri(reg, "https://nowhere.example/x.json", 0, &s, &err), VC_ERR_SCHEMA_REF);
    ck_assert_int_eq(vc_schema_compile_uri(reg, "relative.json", 0, &s, &err), VC_ERR_INVALID_ARG);
    /* a meta-schema requiring an unknown vocabulary */
    ck_assert_int_eq(try_compile(reg, "{\"$schema\": \"https://meta.example/m\", \"type\": \"string\"}", &err),
                     VC_ERR_SCHEMA_COMPILE);
    /* the compiled schema outlives the registry */
    s = compile_text(reg, users[1], 0);
    vc_schema_registry_free(reg);
    ck_assert_int_eq(vc_schema_validate(s, "{\"id\": 2}", 9, NULL, &err), VC_OK);
    vc_schema_free(s);
    vc_schema_registry_free(NULL);
    vc_schema_free(NULL);
}
END_TEST

/* The report entry i (0-based). */
static const vc_error *entry(const vc_report *rep, size_t i)
{
    const char *name;
    vc_check_result res;
    const vc_error *d = NULL;
    ck_assert_int_eq(vc_report_check(rep, i, &name, &res, &d), VC_OK);
    ck_assert_str_eq(name, "schema");
    return d;
}

START_TEST(test_error_reporting)
{
    vc_error err;
    vc_report *rep = NULL;
    /* the message format */
    vc_schema *s = compile_text(NULL, "{\"properties\": {\"credentialSubject\": {\"required\": [\"issuer\"]}}}", 0);
    ck_assert_int_eq(vc_schema_validate(s, "{\"credentialSubject\": {}}", 25, &rep, &err), VC_ERR_SCHEMA);
    ck_assert_str_eq(err.message, "required: missing property 'issuer' (schema #/properties/credentialSubject/required)");
    ck_assert_str_eq(err.path, "/credentialSubject");
    vc_report_free(rep);
    /* valid: one pass entry */
    ck_assert_int_eq(vc_schema_validate(s, "{}", 2, &rep, &err), VC_OK);
    ck_assert_uint_eq(vc_report_count(rep), 1);
    ck_assert(vc_report_valid(rep));
    vc_report_free(rep);
    /* not JSON */
    ck_assert_int_eq(vc_schema_validate(s, "{", 1, &rep, &err), VC_ERR_JSON);
    ck_assert(!vc_report_valid(rep));
    ck_assert_int_eq(entry(rep, 0)->code, VC_ERR_JSON);
    vc_report_free(rep);
    vc_schema_free(s);

    /* JSON pointer escaping of the instance path */
    s = compile_text(NULL, "{\"additionalProperties\": {\"type\": \"integer\"}}", 0);
    ck_assert_int_eq(vc_schema_validate(s, "{\"a/b~c\": \"x\"}", 14, NULL, &err), VC_ERR_SCHEMA);
    ck_assert_str_eq(err.path, "/a~1b~0c");
    vc_schema_free(s);

    /* every error, bounded by VC_SCHEMA_MAX_ERRORS, then one summary entry */
    s = compile_text(NULL, "{\"items\": {\"type\": \"string\"}}", 0);
    char big[1024] = "[";
    for (int i = 0; i < 100; i++)
        strcat(big, i ? ",1" : "1");
    strcat(big, "]");
    ck_assert_int_eq(vc_schema_validate(s, big, strlen(big), &rep, &err), VC_ERR_SCHEMA);
    ck_assert_uint_eq(vc_report_count(rep), VC_SCHEMA_MAX_ERRORS + 1);
    ck_assert_str_eq(entry(rep, 0)->path, "/0");
    ck_assert_str_eq(entry(rep, 63)->path, "/63");
    ck_assert_str_eq(entry(rep, 64)->message, "36 more problems not listed (at most 64 are reported)");
    vc_report_free(rep);
    vc_schema_free(s);

    /* oneOf / anyOf: the keyword, then the closest alternative only */
    s = compile_text(NULL,
                     "{\"properties\": {\"issuer\": {\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"object\", "
                     "\"required\": [\"id\"], \"properties\": {\"id\": {\"type\": \"string\"}}}]}}}",
                     0);
    const char *inst = "{\"issuer\": {\"name\": \"ACME\", \"id\": 7}}";
    ck_assert_int_eq(vc_schema_validate(s, inst, strlen(inst), &rep, &err), VC_ERR_SCHEMA);
    ck_assert_uint_eq(vc_report_count(rep), 2);
    ck_assert_str_eq(entry(rep, 0)->message, "oneOf: value matches none of the 2 alternatives; the errors of the "
                                             "closest (#1) follow (schema #/properties/issuer/oneOf)");
    ck_assert_str_eq(entry(rep, 0)->path, "/issuer");
    ck_assert_str_eq(entry(rep, 1)->message, "type: expected string, got integer (schema "
                                             "#/properties/issuer/oneOf/1/properties/id/type)");
    ck_assert_str_eq(entry(rep, 1)->path, "/issuer/id");
    vc_report_free(rep);
    ck_assert_int_eq(vc_schema_validate(s, "{\"issuer\": 5}", 13, &rep, &err), VC_ERR_SCHEMA);
    ck_assert_uint_eq(vc_report_count(rep), 2); /* both alternatives fail on type: the first is kept */
    vc_report_free(rep);
    vc_schema_free(s);
    s = compile_text(NULL, "{\"oneOf\": [{\"type\": \"integer\"}, {\"minimum\": 2}]}", 0);
    ck_assert_int_eq(vc_schema_validate(s, "3", 1, &rep, &err), VC_ERR_SCHEMA);
    ck_assert_str_eq(err.message, "oneOf: value matches alternatives #0 and #1; exactly one must match (schema #/oneOf)");
    vc_report_free(rep);
    vc_schema_free(s);

    /* the json_t path with a prefix, appended to an existing report */
    s = compile_text(NULL, "{\"required\": [\"id\"]}", 0);
    json_t *j = json_object();
    rep = vc_report_new();
    ck_assert_int_eq(vc_schema_check(s, j, "credential[1].schema", "/verifiableCredential/1", rep, &err),
                     VC_ERR_SCHEMA);
    ck_assert_str_eq(err.path, "/verifiableCredential/1");
    const char *name;
    vc_check_result res;
    const vc_error *d;
    ck_assert_int_eq(vc_report_check(rep, 0, &name, &res, &d), VC_OK);
    ck_assert_str_eq(name, "credential[1].schema");
    vc_report_free(rep);
    json_decref(j);
    vc_schema_free(s);
}
END_TEST

START_TEST(test_semantics)
{
    vc_error err;
    static const struct {
        const char *schema, *instance;
        int valid;
    } cases[] = {
        {"{\"enum\": [1, \"a\"]}", "1.0", 1},
        {"{\"const\": {\"a\": [1, 2.0]}}", "{\"a\": [1.0, 2]}", 1},
        {"{\"type\": \"integer\"}", "1.0", 1},
        {"{\"type\": \"integer\"}", "1.5", 0},
        {"{\"multipleOf\": 0.01}", "19.99", 1},
        {"{\"multipleOf\": 0.01}", "19.991", 0},
        {"{\"multipleOf\": 3}", "9.0", 1},
        {"{\"maximum\": 9007199254740993}", "9007199254740992", 1},
        {"{\"maximum\": 9007199254740992}", "9007199254740993", 0},
        {"{\"minLength\": 2, \"maxLength\": 2}", "\"\xc3\xa9\xf0\x9f\x98\x80\"", 1},
        {"{\"maxLength\": 1}", "\"\xf0\x9f\x98\x80\"", 1},
        {"{\"pattern\": \"^\\\\d+$\"}", "\"\xd9\xa1\"", 0},           /* \d is ASCII only */
        {"{\"pattern\": \"^\\\\p{L}+$\"}", "\"\xc3\xa9t\xc3\xa9\"", 1}, /* Unicode properties */
        {"{\"pattern\": \"^.$\"}", "\"\xf0\x9f\x98\x80\"", 1},           /* code points, not bytes */
        {"{\"pattern\": \"a$\"}", "\"a\\n\"", 0},                         /* $ only at the end */
        {"{\"uniqueItems\": true}", "[1, 1.0]", 0},
        {"{\"uniqueItems\": true}", "[{\"a\": 1, \"b\": 2}, {\"b\": 2, \"a\": 1.0}]", 0},
        {"{\"format\": \"date-time\"}", "\"2024-03-15T12:00:00Z\"", 1},
        {"{\"format\": \"date-time\"}", "\"2024-03-15 12:00:00Z\"", 0},
        {"{\"format\": \"uri\"}", "\"did:web:identifiers.example-company.com:12345\"", 1},
        {"{\"format\": \"uri\"}", "\"example product\"", 0},
        {"{\"format\": \"uuid\"}", "\"2eb8aa08-aa98-11ea-b4aa-73b441d16380\"", 1},
        {"{\"format\": \"email\"}", "\"a@b\"", 1},
        {"{\"format\": \"ipv6\"}", "\"::ffff:10.0.0.1\"", 1},
        {"{\"format\": \"hostname\"}", "\"-bad.example\"", 0},
        {"{\"format\": \"float\"}", "\"anything\"", 1}, /* unknown format: annotation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vc_schema *s = compile_text(NULL, cases[i].schema, 0);
        vc_status st = vc_schema_validate(s, cases[i].instance, strlen(cases[i].instance), NULL, &err);
        ck_assert_msg((st == VC_OK) == cases[i].valid, "%s with %s: %s (%s)", cases[i].schema, cases[i].instance,
                      vc_status_name(st), err.message);
        vc_schema_free(s);
    }
    /* format as annotation only */
    vc_schema *s = compile_text(NULL, "{\"format\": \"date-time\"}", VC_SCHEMA_FORMAT_ANNOTATION);
    ck_assert_int_eq(vc_schema_validate(s, "\"yesterday\"", 11, NULL, &err), VC_OK);
    vc_schema_free(s);
}
END_TEST

/* ------------------------------------------------------------- limits */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void expect_limit(const char *schema, const char *instance)
{
    vc_schema *s = compile_text(NULL, schema, 0);
    vc_error err;
    vc_report *rep = NULL;
    double t0 = now_s();
    vc_status st = vc_schema_validate(s, instance, strlen(instance), &rep, &err);
    double dt = now_s() - t0;
    ck_assert_msg(st == VC_ERR_LIMIT, "%.80s: got %s (%s)", schema, vc_status_name(st), err.message);
    ck_assert_int_eq(err.code, VC_ERR_LIMIT);
    ck_assert(!vc_report_valid(rep));
    ck_assert_int_eq(vc_report_first_error(rep)->code == VC_ERR_LIMIT || vc_report_first_error(rep)->code == VC_ERR_SCHEMA,
                     1);
    ck_assert_msg(dt < 10.0, "%.80s took %.1f s", schema, dt);
    vc_report_free(rep);
    vc_schema_free(s);
}

START_TEST(test_limits)
{
    /* reference cycles that consume no input */
    expect_limit("{\"$ref\": \"#\"}", "1");
    expect_limit("{\"$defs\": {\"a\": {\"$ref\": \"#/$defs/b\"}, \"b\": {\"allOf\": [{\"$ref\": \"#/$defs/a\"}]}}, "
                 "\"$ref\": \"#/$defs/a\"}",
                 "{}");
    expect_limit("{\"anyOf\": [{\"type\": \"string\"}, {\"$ref\": \"#\"}]}", "1");
    /* exponential fan-out: 2^40 evaluations without a budget */
    char schema[8192] = "{\"$defs\": {";
    for (int i = 0; i < 40; i++) {
        char d[128];
        snprintf(d, sizeof d, "\"d%d\": {\"allOf\": [{\"$ref\": \"#/$defs/d%d\"}, {\"$ref\": \"#/$defs/d%d\"}]},", i, i + 1,
                 i + 1);
        strcat(schema, d);
    }
    strcat(schema, "\"d40\": {\"type\": \"string\"}}, \"$ref\": \"#/$defs/d0\"}");
    expect_limit(schema, "\"x\"");
    /* catastrophic backtracking */
    expect_limit("{\"pattern\": \"^(a+)+$\"}", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"");
    expect_limit("{\"patternProperties\": {\"^(a|a)*$\": true}}",
                 "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\": 1}");

    /* a deep instance built directly (not through the JSON parser's limit) */
    vc_schema *s = compile_text(NULL, "{\"items\": {\"$ref\": \"#\"}}", 0);
    json_t *deep = json_array();
    for (int i = 0; i < 2000; i++) {
        json_t *a = json_array();
        json_array_append_new(a, deep);
        deep = a;
    }
    vc_error err;
    ck_assert_int_eq(vc_schema_check(s, deep, "schema", NULL, NULL, &err), VC_ERR_LIMIT);
    ck_assert(!vc_schema_is_valid(s, deep));
    json_decref(deep);
    vc_schema_free(s);

    /* large arrays stay fast */
    s = compile_text(NULL, "{\"uniqueItems\": true, \"items\": {\"type\": \"integer\"}}", 0);
    json_t *arr = json_array();
    for (int i = 0; i < 50000; i++)
        json_array_append_new(arr, json_integer(i));
    double t0 = now_s();
    ck_assert_int_eq(vc_schema_check(s, arr, "schema", NULL, NULL, &err), VC_OK);
    json_array_append_new(arr, json_real(777.0));
    ck_assert_int_eq(vc_schema_check(s, arr, "schema", NULL, NULL, &err), VC_ERR_SCHEMA);
    ck_assert_str_eq(err.message, "uniqueItems: items 777 and 50000 are equal (schema #/uniqueItems)");
    ck_assert_msg(now_s() - t0 < 5.0, "uniqueItems on 50000 items took too long");
    json_decref(arr);
    vc_schema_free(s);
}
END_TEST

/* Fuzz-style smoke: every schema of the suite against every instance of the
 * same file and of the next one (mismatched pairs), plus truncated schema
 * texts. Only robustness is checked (no crash, consistent modes). */
START_TEST(test_cross_smoke)
{
    vc_schema_registry *reg = suite_registry();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_shared_path(SUITE_DIR "/tests/draft2020-12"));
    char **files;
    size_t n = list_dir(dir, ".json", 0, &files);
    json_t **docs = calloc(n, sizeof *docs);
    for (size_t i = 0; i < n; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        docs[i] = json_load_file(p, JSON_DECODE_ANY, NULL);
    }
    long runs = 0;
    for (size_t i = 0; i < n; i++) {
        size_t gi;
        json_t *g;
        json_array_foreach(docs[i], gi, g) {
            vc_schema *s = NULL;
            if (vc_schema_compile_json(reg, json_object_get(g, "schema"), NULL, 0, &s, NULL) != VC_OK)
                continue;
            for (size_t k = i; k < n && k <= i + 1; k++) {
                size_t hi;
                json_t *h;
                json_array_foreach(docs[k], hi, h) {
                    size_t ti;
                    json_t *tc;
                    json_array_foreach(json_object_get(h, "tests"), ti, tc) {
                        const json_t *data = json_object_get(tc, "data");
                        int q = vc_schema_is_valid(s, data);
                        vc_status st = vc_schema_check(s, data, "schema", NULL, NULL, NULL);
                        ck_assert_int_eq(q, st == VC_OK);
                        runs++;
                    }
                }
            }
            /* the schema's own text, cut short at a few places */
            char *text = vc_json_dump(json_object_get(g, "schema"));
            size_t len = strlen(text);
            for (size_t cut = 1; cut < len; cut += 1 + len / 7) {
                vc_schema *t = NULL;
                vc_status st = vc_schema_compile(reg, text, cut, 0, &t, NULL);
                ck_assert(st != VC_OK || t != NULL);
                vc_schema_free(t);
            }
            free(text);
            vc_schema_free(s);
        }
    }
    for (size_t i = 0; i < n; i++)
        json_decref(docs[i]);
    free(docs);
    free_list(files, n);
    vc_schema_registry_free(reg);
    printf("cross smoke: %ld validations of mismatched schema/instance pairs\n", runs);
}
END_TEST

/* ------------------------------------------------------------ threads */

typedef struct tjob {
    const vc_schema *s;
    const char *good, *bad;
    int failures;
} tjob;

static void *worker(void *p)
{
    tjob *j = p;
    json_t *g = NULL, *b = NULL;
    vc_json_parse(j->good, strlen(j->good), &g, NULL);
    vc_json_parse(j->bad, strlen(j->bad), &b, NULL);
    for (int i = 0; i < 200; i++) {
        vc_error err;
        if (vc_schema_check(j->s, g, "schema", NULL, NULL, &err) != VC_OK)
            j->failures++;
        if (vc_schema_check(j->s, b, "schema", NULL, NULL, &err) != VC_ERR_SCHEMA ||
            strcmp(err.path, "/credentialSubject/product/name") != 0)
            j->failures++;
        vc_report *rep = NULL;
        if (vc_schema_validate(j->s, j->good, strlen(j->good), &rep, &err) != VC_OK)
            j->failures++;
        vc_report_free(rep);
    }
    json_decref(g);
    json_decref(b);
    return NULL;
}

START_TEST(test_threads)
{
    size_t sl, il;
    char *stext = read_all(tu_shared_path("untp/v0.6.1/dpp/untp-dpp-schema.json"), &sl);
    char *itext = read_all(tu_shared_path("untp/v0.6.1/dpp/untp-dpp-instance.json"), &il);
    vc_schema *s = compile_text(NULL, stext, 0);
    json_t *doc = tu_load_json(tu_shared_path("untp/v0.6.1/dpp/untp-dpp-instance.json"));
    mutate(doc, "/credentialSubject/product/name", json_integer(1));
    char *bad = vc_json_dump(doc);
    json_decref(doc);
    tjob jobs[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (tjob){s, itext, bad, 0};
        ck_assert_int_eq(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(jobs[i].failures, 0);
    }
    free(bad);
    vc_schema_free(s);
    free(stext);
    free(itext);
}
END_TEST

Suite *schema_suite(void);
Suite *schema_suite(void)
{
    Suite *s = suite_create("schema");
    TCase *tc = tcase_create("test-suite");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_suite_required);
    tcase_add_test(tc, test_suite_optional);
    tcase_add_test(tc, test_cross_smoke);
    suite_add_tcase(s, tc);
    tc = tcase_create("untp");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_untp_schemas_compile);
    tcase_add_test(tc, test_untp_samples_validate);
    tcase_add_test(tc, test_untp_samples_w3c_schema);
    tcase_add_test(tc, test_untp_mutations);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_compile_errors);
    tcase_add_test(tc, test_registry);
    tcase_add_test(tc, test_error_reporting);
    tcase_add_test(tc, test_semantics);
    tcase_add_test(tc, test_limits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    vc_init();
    return tu_run(schema_suite());
}
