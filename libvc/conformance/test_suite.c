/* test_suite.c - the conformance suite engine (vc/conformance.h) over the suite's
 * own cases in conformance/cases/: tier mapping, the tier-3 trust graph, and the
 * JUnit / JSON / TAP serialisations. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vc/conformance.h"

static vc_resolver *resolver;
static vc_data *data;
static vc_validator *validator;
static vc_trust *trust;
static vc_verifier *verifier;
static vc_suite *suite;
static char register_did[128];

static void setup(void)
{
    vc_error e;
    ck_assert_int_eq(vc_resolver_new(&resolver, &e), VC_OK);
    ck_assert_int_eq(vc_data_open(NULL, &data, &e), VC_OK);
    ck_assert_int_eq(vc_validator_new(data, &validator, &e), VC_OK);
    ck_assert_int_eq(vc_trust_new(&trust, &e), VC_OK);
    ck_assert_int_eq(vc_verifier_new(resolver, &verifier, &e), VC_OK);
    json_t *m = tu_load_json(tu_source_path("conformance/manifest.json"));
    const char *did = json_string_value(json_object_get(json_object_get(m, "dids"), "register"));
    ck_assert_ptr_nonnull(did);
    snprintf(register_did, sizeof register_did, "%s", did);
    json_decref(m);
    ck_assert_int_eq(vc_suite_new(verifier, validator, trust, &suite, &e), VC_OK);
}

static void teardown(void)
{
    vc_suite_free(suite);
    vc_verifier_free(verifier);
    vc_trust_free(trust);
    vc_validator_free(validator);
    vc_data_free(data);
    vc_resolver_free(resolver);
}

static void add_case(const char *rel, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "conformance/cases/%s", rel);
    size_t len = 0;
    char *text = tu_read(tu_source_path(path), &len);
    ck_assert_ptr_nonnull(text);
    vc_error e;
    ck_assert_int_eq(vc_suite_add(suite, name ? name : rel, text, len, &e), VC_OK);
    free(text);
}

/* The result of test `test` of credential `cred`, or -1 when absent. */
static int result_of(const char *cred, const char *test, const char **code, const char **message)
{
    for (size_t i = 0; i < vc_suite_count(suite); i++) {
        vc_suite_result r;
        ck_assert_int_eq(vc_suite_result_at(suite, i, &r, NULL), VC_OK);
        if (strcmp(r.credential, cred) == 0 && strcmp(r.test, test) == 0) {
            if (code)
                *code = r.code;
            if (message)
                *message = r.message;
            return (int)r.result;
        }
    }
    return -1;
}

START_TEST(valid_credentials_pass_tiers_1_and_2)
{
    static const char *files[] = {"valid/dpp.vc.json", "valid/dcc.vc.json", "valid/dte.vc.json",
                                  "valid/dfr.vc.json", "valid/dia.vc.json", "valid/dpp.jwt",
                                  "valid/dcc.cose.txt", "valid/dfr.cose.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        add_case(files[i], NULL);
    ck_assert_int_eq(vc_suite_set_tier(suite, 2, NULL), VC_OK);
    ck_assert_int_eq(vc_suite_run(suite, NULL), VC_OK);
    size_t p, f, k;
    vc_suite_totals(suite, &p, &f, &k);
    ck_assert_uint_eq(f, 0);
    ck_assert_uint_eq(k, 0);
    ck_assert_uint_eq(p, 9 * (sizeof files / sizeof files[0])); /* 6 tier-1 + 3 tier-2 tests each */
    ck_assert_int_eq(result_of("valid/dcc.cose.txt", "tier1.signature", NULL, NULL), VC_TEST_PASS);
    ck_assert_int_eq(result_of("valid/dpp.vc.json", "tier3.issuer", NULL, NULL), -1);
}
END_TEST

START_TEST(broken_credentials_fail_with_their_code)
{
    static const struct {
        const char *file, *test, *code;
    } cases[] = {
        {"tier1/dte-bad-signature.jwt", "tier1.signature", "VC_ERR_JWS_SIGNATURE"},
        {"tier1/dcc-undefined-term.vc.json", "tier1.jsonld", "VC_ERR_VOCAB_TERM"},
        {"tier1/dfr-expired.vc.json", "tier1.validity", "VC_ERR_DM_EXPIRED"},
        {"tier1/dpp-unsecured.json", "tier1.envelope", "VC_ERR_UNSECURED"},
        {"tier2/dfr-missing-name.vc.json", "tier2.schema", "VC_ERR_SCHEMA"},
        {"tier2/dpp-context-order.vc.json", "tier2.context", "VC_ERR_DM_CONTEXT"},
        {"tier2/not-untp.vc.json", "tier2.type", "VC_ERR_SCHEMA_UNKNOWN"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        add_case(cases[i].file, NULL);
    ck_assert_int_eq(vc_suite_set_tier(suite, 2, NULL), VC_OK);
    ck_assert_int_eq(vc_suite_run(suite, NULL), VC_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *code = NULL, *msg = NULL;
        ck_assert_int_eq(result_of(cases[i].file, cases[i].test, &code, &msg), VC_TEST_FAIL);
        ck_assert_str_eq(code, cases[i].code);
        ck_assert_ptr_nonnull(msg);
    }
    /* a failed signature does not hide the independent tests */
    ck_assert_int_eq(result_of("tier1/dte-bad-signature.jwt", "tier2.schema", NULL, NULL), VC_TEST_PASS);
}
END_TEST

static void add_tier3(const char *dir, int with_dcc, int with_cab_dia)
{
    char rel[256];
    const char *parts[] = {"dpp.vc.json", with_dcc ? "dcc.vc.json" : NULL, "dia-maker.vc.json",
                           with_cab_dia ? "dia-cab.vc.json" : NULL};
    for (size_t i = 0; i < 4; i++) {
        if (!parts[i])
            continue;
        snprintf(rel, sizeof rel, "tier3/%s/%s", dir, parts[i]);
        add_case(rel, parts[i]);
    }
}

START_TEST(tier3_claims_and_issuers)
{
    vc_error e;
    ck_assert_int_eq(vc_trust_add_did(trust, register_did, &e), VC_OK);
    add_tier3("one-unbacked", 1, 1);
    ck_assert_int_eq(vc_suite_run(suite, &e), VC_OK);
    const char *code = NULL, *msg = NULL;
    ck_assert_int_eq(result_of("dpp.vc.json", "tier3.claim[https://id.demo-cells.example/claims/carbon]", NULL, &msg),
                     VC_TEST_PASS);
    ck_assert_ptr_nonnull(strstr(msg, "dcc.vc.json"));
    ck_assert_int_eq(
        result_of("dpp.vc.json", "tier3.claim[https://id.demo-cells.example/claims/recycled]", &code, &msg),
        VC_TEST_FAIL);
    ck_assert_str_eq(code, VC_SUITE_CODE_CLAIM);
    ck_assert_str_eq(code, vc_status_name(VC_ERR_CLAIM_UNVERIFIED));
    ck_assert_ptr_nonnull(strstr(msg, "https://id.demo-cells.example/claims/recycled"));
    ck_assert_int_eq(result_of("dcc.vc.json", "tier3.issuer", NULL, NULL), VC_TEST_PASS);
    ck_assert_int_eq(result_of("dia-cab.vc.json", "tier3.issuer", NULL, NULL), VC_TEST_PASS);
    size_t f;
    vc_suite_totals(suite, NULL, &f, NULL);
    ck_assert_uint_eq(f, 1);
}
END_TEST

START_TEST(tier3_without_the_cab_dia)
{
    vc_error e;
    ck_assert_int_eq(vc_trust_add_did(trust, register_did, &e), VC_OK);
    add_tier3("backed", 1, 0);
    ck_assert_int_eq(vc_suite_run(suite, &e), VC_OK);
    const char *code = NULL, *msg = NULL;
    ck_assert_int_eq(result_of("dcc.vc.json", "tier3.issuer", &code, &msg), VC_TEST_FAIL);
    ck_assert_str_eq(code, "VC_ERR_TRUST_UNANCHORED");
    ck_assert_ptr_nonnull(strstr(msg, "did:key:"));
    /* the unanchored DCC no longer backs the claim */
    ck_assert_int_eq(result_of("dpp.vc.json", "tier3.claim[https://id.demo-cells.example/claims/carbon]", &code, NULL),
                     VC_TEST_FAIL);
    ck_assert_int_eq(result_of("dpp.vc.json", "tier3.issuer", NULL, NULL), VC_TEST_PASS);
}
END_TEST

START_TEST(tier3_without_trust_skips_issuers)
{
    vc_suite_free(suite);
    vc_error e;
    ck_assert_int_eq(vc_suite_new(verifier, validator, NULL, &suite, &e), VC_OK);
    vc_verifier_set_trust(verifier, NULL);
    add_tier3("backed", 1, 1);
    ck_assert_int_eq(vc_suite_run(suite, &e), VC_OK);
    ck_assert_int_eq(result_of("dpp.vc.json", "tier3.issuer", NULL, NULL), VC_TEST_SKIP);
    /* claims still count DCCs that verified */
    ck_assert_int_eq(result_of("dpp.vc.json", "tier3.claim[https://id.demo-cells.example/claims/carbon]", NULL, NULL),
                     VC_TEST_PASS);
}
END_TEST

START_TEST(serialisations_escape)
{
    /* a name with XML metacharacters, a control character and an invalid UTF-8 byte */
    add_case("tier1/dte-bad-signature.jwt", "a<b>&\"c'\x01\xff.jwt");
    add_case("valid/dia.vc.json", "dia # one");
    ck_assert_int_eq(vc_suite_set_tier(suite, 1, NULL), VC_OK);
    ck_assert_int_eq(vc_suite_run(suite, NULL), VC_OK);
    char *xml = NULL, *json = NULL, *tap = NULL;
    vc_error e;
    ck_assert_int_eq(vc_suite_to_junit(suite, &xml, &e), VC_OK);
    ck_assert_ptr_nonnull(strstr(xml, "name=\"a&lt;b&gt;&amp;&quot;c&apos;??.jwt\""));
    ck_assert_ptr_nonnull(strstr(xml, "type=\"VC_ERR_JWS_SIGNATURE\""));
    ck_assert_ptr_nonnull(strstr(xml, "tests=\"12\" failures=\"1\""));
    ck_assert_ptr_null(strchr(xml, '\x01'));
    ck_assert_int_eq(vc_suite_to_json(suite, 0, &json, &e), VC_OK);
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "failed")), 1);
    ck_assert_int_eq(json_array_size(json_object_get(j, "results")), 12);
    json_decref(j);
    ck_assert_int_eq(vc_suite_to_tap(suite, &tap, &e), VC_OK);
    ck_assert_ptr_eq(strstr(tap, "TAP version 13\n1..12\n"), tap);
    ck_assert_ptr_nonnull(strstr(tap, "ok 12 - dia \\# one: tier1.signature\n"));
    ck_assert_ptr_nonnull(strstr(tap, "  code: \"VC_ERR_JWS_SIGNATURE\"\n"));
    vc_free(xml);
    vc_free(json);
    vc_free(tap);
}
END_TEST

START_TEST(bad_arguments)
{
    vc_error e;
    vc_suite *s = NULL;
    ck_assert_int_eq(vc_suite_new(NULL, NULL, NULL, &s, &e), VC_ERR_INVALID_ARG);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(vc_suite_set_tier(suite, 0, &e), VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_suite_set_tier(suite, 4, &e), VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_suite_add(suite, NULL, "x", 1, &e), VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_suite_add(suite, "big", "x", (size_t)VC_MAX_INPUT_BYTES + 1, &e), VC_ERR_LIMIT);
    vc_suite_result r;
    ck_assert_int_eq(vc_suite_result_at(suite, 0, &r, &e), VC_ERR_INVALID_ARG);
    /* garbage is a failing result, not an error */
    ck_assert_int_eq(vc_suite_add(suite, "garbage", "not a credential", 16, &e), VC_OK);
    ck_assert_int_eq(vc_suite_run(suite, &e), VC_OK);
    const char *code = NULL;
    ck_assert_int_eq(result_of("garbage", "tier1.envelope", &code, NULL), VC_TEST_FAIL);
    ck_assert_ptr_nonnull(code);
    ck_assert_str_eq(vc_test_result_name(VC_TEST_SKIP), "skip");
    vc_suite_free(NULL);
}
END_TEST

int main(void)
{
    vc_init();
    Suite *s = suite_create("conformance");
    TCase *tc = tcase_create("suite");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, valid_credentials_pass_tiers_1_and_2);
    tcase_add_test(tc, broken_credentials_fail_with_their_code);
    tcase_add_test(tc, tier3_claims_and_issuers);
    tcase_add_test(tc, tier3_without_the_cab_dia);
    tcase_add_test(tc, tier3_without_trust_skips_issuers);
    tcase_add_test(tc, serialisations_escape);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
