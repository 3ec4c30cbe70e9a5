/* test_claims.c - tier 3 claim backing over the UNTP 0.6.1 DPP and DCC samples. */
#include <stdlib.h>
#include <string.h>

#include "conformance/claims.h"
#include "testutil.h"

static json_t *dpp, *dcc;

static void setup(void)
{
    dpp = tu_load_json(tu_shared_path("untp/v0.6.1/dpp/untp-dpp-instance.json"));
    dcc = tu_load_json(tu_shared_path("untp/v0.6.1/dcc/untp-dcc-instance.json"));
}

static void teardown(void)
{
    json_decref(dpp);
    json_decref(dcc);
}

static void run(json_t *a, json_t *b, int usable_b, size_t want_claims, size_t want_verified_claims)
{
    json_t *docs[2] = {a, b};
    int usable[2] = {1, usable_b};
    vc_claim_result *r = NULL;
    size_t n = 0;
    ck_assert_int_eq(vc_claims_evaluate(docs, usable, b ? 2 : 1, &r, &n, NULL), VC_OK);
    ck_assert_uint_eq(n, want_claims);
    size_t verified = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(r[i].doc, 0);
        if (r[i].criteria && r[i].verified == r[i].criteria) {
            verified++;
            ck_assert_uint_eq(r[i].dcc, 1);
            ck_assert_ptr_null(r[i].missing);
        } else
            ck_assert_ptr_nonnull(r[i].missing);
    }
    ck_assert_uint_eq(verified, want_verified_claims);
    free(r);
}

START_TEST(samples_back_each_other)
{
    run(dpp, dcc, 1, 2, 2);
    vc_claim_result *r = NULL;
    size_t n = 0;
    json_t *docs[2] = {dpp, dcc};
    int usable[2] = {1, 1};
    ck_assert_int_eq(vc_claims_evaluate(docs, usable, 2, &r, &n, NULL), VC_OK);
    ck_assert_str_eq(r[1].path, "/credentialSubject/conformityClaim/1");
    ck_assert_str_eq(r[0].topic, "environment.emissions");
    free(r);
}
END_TEST

START_TEST(no_dcc_or_unusable_dcc)
{
    run(dpp, NULL, 0, 2, 0);
    run(dpp, dcc, 0, 2, 0); /* the DCC failed verification or is not anchored */
}
END_TEST

START_TEST(mutations_break_backing)
{
    json_t *assessments = json_object_get(json_object_get(dcc, "credentialSubject"), "assessment");
    /* conformance false everywhere */
    json_t *a;
    size_t i;
    json_array_foreach(assessments, i, a) json_object_set_new(a, "conformance", json_false());
    run(dpp, dcc, 1, 2, 0);
    json_array_foreach(assessments, i, a) json_object_set_new(a, "conformance", json_true());
    run(dpp, dcc, 1, 2, 2);
    /* another topic */
    json_array_foreach(assessments, i, a) json_object_set_new(a, "conformityTopic", json_string("social.labour"));
    run(dpp, dcc, 1, 2, 0);
    json_array_foreach(assessments, i, a) json_object_set_new(a, "conformityTopic", json_string("environment.emissions"));
    /* another product */
    json_t *product = json_object_get(json_object_get(dpp, "credentialSubject"), "product");
    json_object_set_new(product, "id", json_string("https://id.gs1.org/01/00000000000000"));
    run(dpp, dcc, 1, 2, 0);
}
END_TEST

START_TEST(one_missing_criterion_fails_only_that_claim)
{
    json_t *claims = json_object_get(json_object_get(dpp, "credentialSubject"), "conformityClaim");
    json_t *crit = json_object_get(json_array_get(claims, 1), "assessmentCriteria");
    json_object_set_new(json_array_get(crit, 0), "id", json_string("https://example.org/unassessed#criterion"));
    json_t *docs[2] = {dpp, dcc};
    int usable[2] = {1, 1};
    vc_claim_result *r = NULL;
    size_t n = 0;
    ck_assert_int_eq(vc_claims_evaluate(docs, usable, 2, &r, &n, NULL), VC_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(r[0].verified, r[0].criteria);
    ck_assert_uint_eq(r[1].verified, r[1].criteria - 1);
    ck_assert_str_eq(r[1].missing, "https://example.org/unassessed#criterion");
    free(r);
    /* a claim without criteria cannot be verified */
    json_object_del(json_array_get(claims, 0), "assessmentCriteria");
    ck_assert_int_eq(vc_claims_evaluate(docs, usable, 2, &r, &n, NULL), VC_OK);
    ck_assert_uint_eq(r[0].criteria, 0);
    free(r);
}
END_TEST

int main(void)
{
    if (vc_init() != VC_OK)
        return 1;
    Suite *s = suite_create("claims");
    TCase *tc = tcase_create("claims");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, samples_back_each_other);
    tcase_add_test(tc, no_dcc_or_unusable_dcc);
    tcase_add_test(tc, mutations_break_backing);
    tcase_add_test(tc, one_missing_criterion_fails_only_that_claim);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
