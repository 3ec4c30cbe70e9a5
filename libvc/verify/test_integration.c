/* test_integration.c - the verifier with its optional checks attached:
 * validator (schemas + vocabulary), trust anchors and status lists. Status lists
 * are served by an offline fetcher's static documents: no network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

static vc_data *data;
static vc_validator *val;
static vc_resolver *resolver;
static vc_verifier *verifier;
static vc_key *key, *reg_key;
static char *did, *reg_did;

static void setup(void)
{
    vc_error e;
    tu_assert_status(vc_data_open(NULL, &data, &e), VC_OK, &e);
    tu_assert_status(vc_validator_new(data, &val, &e), VC_OK, &e);
    ck_assert_int_eq(vc_resolver_new(&resolver, NULL), VC_OK);
    ck_assert_int_eq(vc_verifier_new(resolver, &verifier, NULL), VC_OK);
    ck_assert_int_eq(vc_key_generate(VC_KEY_ED25519, &key, NULL), VC_OK);
    ck_assert_int_eq(vc_key_generate(VC_KEY_P256, &reg_key, NULL), VC_OK);
    ck_assert_int_eq(vc_did_key_from_key(key, &did, NULL), VC_OK);
    ck_assert_int_eq(vc_did_key_from_key(reg_key, &reg_did, NULL), VC_OK);
}

static void teardown(void)
{
    vc_verifier_free(verifier);
    vc_resolver_free(resolver);
    vc_validator_free(val);
    vc_data_free(data);
    vc_key_free(key);
    vc_key_free(reg_key);
    vc_free(did);
    vc_free(reg_did);
}

/* A UNTP sample with its issuer replaced by `issuer` (did:key of the signer). */
static json_t *sample(const char *kind, const char *issuer)
{
    char rel[128];
    snprintf(rel, sizeof rel, "untp/v0.6.1/%s/untp-%s-instance.json", kind, kind);
    json_t *doc = tu_load_json(tu_shared_path(rel));
    json_t *iss = json_object_get(doc, "issuer");
    if (issuer)
        json_object_set_new(iss, "id", json_string(issuer));
    return doc;
}

static char *sign_doc(const vc_key *k, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    char *out = NULL;
    vc_error e;
    tu_assert_status(vc_sign(k, text, strlen(text), NULL, &out, &e), VC_OK, &e);
    free(text);
    return out;
}

static int check_result(const vc_report *rep, const char *name, vc_check_result *res, vc_status *code)
{
    for (size_t i = 0; i < vc_report_count(rep); i++) {
        const char *n;
        vc_check_result r;
        const vc_error *d;
        vc_report_check(rep, i, &n, &r, &d);
        if (strcmp(n, name) == 0 && (r == VC_CHECK_FAIL || !res || *res != VC_CHECK_FAIL)) {
            if (res)
                *res = r;
            if (code)
                *code = d ? d->code : VC_OK;
            if (r == VC_CHECK_FAIL)
                return 1;
        }
    }
    return res ? (*res != (vc_check_result)-1) : 0;
}

static void expect_check(const vc_report *rep, const char *name, vc_check_result want, vc_status code)
{
    vc_check_result r = (vc_check_result)-1;
    vc_status c = VC_OK;
    check_result(rep, name, &r, &c);
    ck_assert_msg((int)r == (int)want, "check %s: result %d, want %d", name, (int)r, (int)want);
    if (want == VC_CHECK_FAIL || want == VC_CHECK_WARN)
        ck_assert_msg(c == code, "check %s: %s, want %s", name, vc_status_name(c), vc_status_name(code));
}

/* ------------------------------------------------------------- validator */

START_TEST(validate_samples_and_mutations)
{
    const char *kinds[] = {"dpp", "dcc", "dte", "dfr", "dia"};
    for (size_t i = 0; i < 5; i++) {
        json_t *doc = sample(kinds[i], NULL);
        char *text = json_dumps(doc, JSON_COMPACT);
        vc_report *rep = NULL;
        vc_error e;
        tu_assert_status(vc_validate(val, text, strlen(text), &rep, &e), VC_OK, &e);
        char want[32];
        snprintf(want, sizeof want, "%s 0.6.1", kinds[i]);
        ck_assert_str_eq(vc_report_untp(rep), want);
        expect_check(rep, "schema.vcdm", VC_CHECK_PASS, VC_OK);
        expect_check(rep, "schema.untp", VC_CHECK_PASS, VC_OK);
        expect_check(rep, "vocab.terms", VC_CHECK_PASS, VC_OK);
        vc_report_free(rep);
        free(text);
        json_decref(doc);
    }
    /* mutations, each with its code and path */
    struct {
        const char *what;
        vc_status code;
        const char *check, *path;
    } cases[] = {
        {"no product name", VC_ERR_SCHEMA, "schema.untp", "/credentialSubject/product"},
        {"undefined term", VC_ERR_VOCAB_TERM, "vocab.terms", "/credentialSubject/product/colour"},
        {"unknown version", VC_ERR_SCHEMA_UNKNOWN, "schema.untp", "/@context"},
        {"bad enum", VC_ERR_SCHEMA, "schema.untp", "/credentialSubject/granularityLevel"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = sample("dpp", NULL);
        json_t *product = json_object_get(json_object_get(doc, "credentialSubject"), "product");
        if (i == 0)
            json_object_del(product, "name");
        else if (i == 1)
            json_object_set_new(product, "colour", json_string("blue"));
        else if (i == 2)
            json_array_set_new(json_object_get(doc, "@context"), 1,
                               json_string("https://test.uncefact.org/vocabulary/untp/dpp/0.5.0/"));
        else
            json_object_set_new(json_object_get(doc, "credentialSubject"), "granularityLevel", json_string("galaxy"));
        char *text = json_dumps(doc, JSON_COMPACT);
        vc_report *rep = NULL;
        vc_error e;
        vc_status st = vc_validate(val, text, strlen(text), &rep, &e);
        ck_assert_msg(st != VC_OK, "%s passed", cases[i].what);
        int found = 0;
        for (size_t k = 0; k < vc_report_count(rep); k++) {
            const char *n;
            vc_check_result r;
            const vc_error *d;
            vc_report_check(rep, k, &n, &r, &d);
            if (r == VC_CHECK_FAIL && strcmp(n, cases[i].check) == 0 && d->code == cases[i].code &&
                strcmp(d->path, cases[i].path) == 0)
                found = 1;
        }
        char *js = NULL;
        if (!found)
            vc_report_to_json(rep, 1, &js, NULL);
        ck_assert_msg(found, "%s: no %s failure %s at %s\n%s", cases[i].what, cases[i].check,
                      vc_status_name(cases[i].code), cases[i].path, js ? js : "");
        vc_free(js);
        vc_report_free(rep);
        free(text);
        json_decref(doc);
    }
}
END_TEST

START_TEST(verify_with_validator)
{
    json_t *doc = sample("dpp", did);
    char *signed_text = sign_doc(key, doc);
    vc_verifier_set_validator(verifier, val);
    vc_report *rep = NULL;
    vc_error e;
    tu_assert_status(vc_verify(verifier, signed_text, strlen(signed_text), &rep, &e), VC_OK, &e);
    expect_check(rep, "schema.untp", VC_CHECK_PASS, VC_OK);
    expect_check(rep, "vocab.terms", VC_CHECK_PASS, VC_OK);
    ck_assert_str_eq(vc_report_untp(rep), "dpp 0.6.1");
    vc_report_free(rep);
    /* validate also reads the signed form (without verifying it) */
    tu_assert_status(vc_validate(val, signed_text, strlen(signed_text), &rep, &e), VC_OK, &e);
    ck_assert_str_eq(vc_report_format(rep), "vc+jwt");
    vc_report_free(rep);
    vc_free(signed_text);
    /* a signed but schema-invalid DPP fails verification on the schema alone */
    json_object_set_new(json_object_get(doc, "credentialSubject"), "granularityLevel", json_string("galaxy"));
    signed_text = sign_doc(key, doc);
    ck_assert_int_eq(vc_verify(verifier, signed_text, strlen(signed_text), &rep, &e), VC_ERR_SCHEMA);
    expect_check(rep, "jws.signature", VC_CHECK_PASS, VC_OK);
    vc_report_free(rep);
    vc_free(signed_text);
    json_decref(doc);
}
END_TEST

/* ------------------------------------------------------------- trust */

START_TEST(verify_with_trust)
{
    vc_trust *trust = NULL;
    ck_assert_int_eq(vc_trust_new(&trust, NULL), VC_OK);
    ck_assert_int_eq(vc_trust_add_did(trust, reg_did, NULL), VC_OK);
    vc_verifier_set_trust(verifier, trust);
    json_t *doc = sample("dpp", did);
    char *cred = sign_doc(key, doc);
    vc_report *rep = NULL;
    vc_error e;
    tu_assert_status(vc_verify(verifier, cred, strlen(cred), &rep, &e), VC_ERR_TRUST_UNANCHORED, &e);
    expect_check(rep, "trust.anchor", VC_CHECK_FAIL, VC_ERR_TRUST_UNANCHORED);
    ck_assert_ptr_null(vc_report_anchor(rep));
    vc_report_free(rep);
    /* the register issues a DIA for the issuer */
    json_t *dia = sample("dia", reg_did);
    json_object_set_new(json_object_get(dia, "credentialSubject"), "id", json_string(did));
    char *dia_text = sign_doc(reg_key, dia);
    ck_assert_int_eq(vc_trust_add_dia(trust, dia_text, strlen(dia_text), NULL), VC_OK);
    tu_assert_status(vc_verify(verifier, cred, strlen(cred), &rep, &e), VC_OK, &e);
    expect_check(rep, "trust.anchor", VC_CHECK_PASS, VC_OK);
    ck_assert_str_eq(vc_report_anchor(rep), reg_did);
    char *js = NULL;
    ck_assert_int_eq(vc_report_to_json(rep, 0, &js, NULL), VC_OK);
    ck_assert_ptr_nonnull(strstr(js, "\"anchor\":"));
    vc_free(js);
    vc_report_free(rep);
    vc_verifier_set_trust(verifier, NULL);
    vc_free(dia_text);
    vc_free(cred);
    json_decref(dia);
    json_decref(doc);
    vc_trust_free(trust);
}
END_TEST

/* ------------------------------------------------------------- status */

static const char *LIST_URL = "https://status.example/lists/1";

/* Publish a status list credential (signed by k) as a static document. */
static void publish(vc_fetcher *f, const vc_key *k, const char *issuer, vc_status_purpose purpose, size_t set_index,
                    const char *url)
{
    vc_status_list *l = NULL;
    ck_assert_int_eq(vc_status_list_new(VC_STATUS_LIST_MIN_BITS, &l, NULL), VC_OK);
    if (set_index != (size_t)-1)
        ck_assert_int_eq(vc_status_list_set(l, set_index, 1, NULL), VC_OK);
    char *json = NULL, *signed_list = NULL;
    vc_error e;
    tu_assert_status(vc_status_list_credential(l, url, issuer, purpose, 1767225600, &json, &e), VC_OK, &e);
    vc_sign_options o = {.bare = 1};
    tu_assert_status(vc_sign(k, json, strlen(json), &o, &signed_list, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_add_static(f, url, signed_list, strlen(signed_list), "application/vc+jwt", &e), VC_OK,
                     &e);
    vc_free(json);
    vc_free(signed_list);
    vc_status_list_free(l);
}

static char *cred_with_status(const char *url, size_t index, vc_status_purpose purpose)
{
    char base[1024], *with = NULL;
    snprintf(base, sizeof base,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiableCredential\"],"
             "\"issuer\":\"%s\",\"credentialSubject\":{\"id\":\"did:example:subject\"}}",
             did);
    ck_assert_int_eq(vc_status_entry_add(base, strlen(base), url, index, purpose, &with, NULL), VC_OK);
    char *out = NULL;
    vc_error e;
    tu_assert_status(vc_sign(key, with, strlen(with), NULL, &out, &e), VC_OK, &e);
    vc_free(with);
    return out;
}

static vc_status verify_status(const char *cred, vc_report **rep)
{
    vc_error e;
    return vc_verify(verifier, cred, strlen(cred), rep, &e);
}

START_TEST(verify_with_status)
{
    vc_fetcher *f = NULL;
    vc_error e;
    tu_assert_status(vc_fetcher_new(&f, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_set_flags(f, VC_FETCH_OFFLINE, &e), VC_OK, &e);
    publish(f, key, did, VC_PURPOSE_REVOCATION, 42, LIST_URL);
    publish(f, key, did, VC_PURPOSE_SUSPENSION, 7, "https://status.example/lists/2");
    publish(f, reg_key, reg_did, VC_PURPOSE_REVOCATION, (size_t)-1, "https://status.example/lists/foreign");
    vc_verifier_set_status(verifier, f, 0);
    vc_report *rep = NULL;

    char *c = cred_with_status(LIST_URL, 41, VC_PURPOSE_REVOCATION);
    ck_assert_int_eq(verify_status(c, &rep), VC_OK);
    expect_check(rep, "status", VC_CHECK_PASS, VC_OK);
    vc_report_free(rep);
    vc_free(c);

    c = cred_with_status(LIST_URL, 42, VC_PURPOSE_REVOCATION);
    ck_assert_int_eq(verify_status(c, &rep), VC_ERR_STATUS_REVOKED);
    expect_check(rep, "status", VC_CHECK_FAIL, VC_ERR_STATUS_REVOKED);
    vc_report_free(rep);
    vc_free(c);

    c = cred_with_status("https://status.example/lists/2", 7, VC_PURPOSE_SUSPENSION);
    ck_assert_int_eq(verify_status(c, &rep), VC_ERR_STATUS_SUSPENDED);
    vc_report_free(rep);
    vc_free(c);

    /* the entry says suspension but the list is a revocation list */
    c = cred_with_status(LIST_URL, 1, VC_PURPOSE_SUSPENSION);
    ck_assert_int_eq(verify_status(c, &rep), VC_ERR_STATUS_LIST);
    vc_report_free(rep);
    vc_free(c);

    /* a list published by someone else */
    c = cred_with_status("https://status.example/lists/foreign", 1, VC_PURPOSE_REVOCATION);
    ck_assert_int_eq(verify_status(c, &rep), VC_ERR_STATUS_LIST);
    vc_report_free(rep);
    vc_free(c);

    /* unreachable: a warning by default, a failure when status is required */
    c = cred_with_status("https://status.example/lists/missing", 1, VC_PURPOSE_REVOCATION);
    ck_assert_int_eq(verify_status(c, &rep), VC_OK);
    expect_check(rep, "status", VC_CHECK_WARN, VC_ERR_STATUS_UNAVAILABLE);
    vc_report_free(rep);
    vc_verifier_set_status(verifier, f, VC_STATUS_REQUIRE);
    ck_assert_int_eq(verify_status(c, &rep), VC_ERR_STATUS_UNAVAILABLE);
    vc_report_free(rep);
    vc_free(c);

    /* the verified list is cached: many verifications, one list verification */
    c = cred_with_status(LIST_URL, 41, VC_PURPOSE_REVOCATION);
    vc_fetcher_stats before, after;
    vc_fetcher_get_stats(f, &before);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(verify_status(c, NULL), VC_OK);
    vc_fetcher_get_stats(f, &after);
    ck_assert_uint_eq(after.static_hits, before.static_hits);
    vc_free(c);
    vc_verifier_set_status(verifier, NULL, 0);
    vc_fetcher_free(f);
}
END_TEST

int main(void)
{
    if (vc_init() != VC_OK)
        return 1;
    Suite *s = suite_create("integration");
    TCase *tc = tcase_create("integration");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, validate_samples_and_mutations);
    tcase_add_test(tc, verify_with_validator);
    tcase_add_test(tc, verify_with_trust);
    tcase_add_test(tc, verify_with_status);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
