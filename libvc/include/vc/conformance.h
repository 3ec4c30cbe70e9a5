/*
 * vc/conformance.h - the UNTP conformance suite: the three tiers of the UN test
 * harness (tests-untp) run natively over a set of secured credentials.
 *
 *   Tier 1  VC 2.0 data model, W3C VC JSON Schema, JSON-LD (contexts known, terms
 *           defined), the VC-JOSE-COSE enveloping proof and its signature.
 *   Tier 2  the UNTP JSON Schema of the detected type and version (or a mapped
 *           extension schema), the context order (VC 2.0 first, then the UNTP
 *           context of the type).
 *   Tier 3  the trust graph across all the credentials given together: every DPP
 *           conformity claim backed by a verified (and, with trust roots, anchored)
 *           DCC assessment; every issuer anchored by a DIA chain to a trusted root.
 *
 * Each credential gets a fixed list of tests (plus one per DPP claim in tier 3);
 * each test passes, fails (with a stable VC_ERR_* code name and a message naming
 * the credential, claim or issuer) or is skipped. Results serialise as JUnit XML,
 * JSON or TAP 13 for CI systems.
 *
 * A vc_suite is used by one thread at a time. The verifier, validator and trust
 * store it is built on are borrowed and must outlive it.
 */
#ifndef VC_CONFORMANCE_H
#define VC_CONFORMANCE_H

#include "core.h"
#include "trust.h"
#include "validate.h"
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VC_SUITE_MAX_INPUTS 4096u /* credentials in one suite */
#define VC_SUITE_MAX_TIER 3

typedef struct vc_suite vc_suite;

typedef enum vc_test_result {
    VC_TEST_PASS = 0,
    VC_TEST_FAIL = 1,
    VC_TEST_SKIP = 2
} vc_test_result;

/* Code name of a tier-3 claim that no verified, anchored DCC backs: the name of the
 * status code VC_ERR_CLAIM_UNVERIFIED. Kept for source compatibility. */
#define VC_SUITE_CODE_CLAIM "VC_ERR_CLAIM_UNVERIFIED"

/* One test outcome. Every string is borrowed from the suite (valid until the next
 * vc_suite_add / vc_suite_run / vc_suite_free). */
typedef struct vc_suite_result {
    const char *credential; /* the input's name, as given to vc_suite_add */
    const char *test;       /* e.g. "tier1.signature", "tier3.claim[https://...]" */
    int tier;               /* 1, 2 or 3 */
    vc_test_result result;
    const char *code;       /* "VC_ERR_..." for a failure, else NULL */
    const char *message;    /* why it failed or was skipped, or a note on a pass; may be NULL */
} vc_suite_result;

/*
 * A new suite over a verifier (borrowed). val (borrowed, optional) is attached to
 * the verifier with vc_verifier_set_validator, and trust (borrowed, optional) with
 * vc_verifier_set_trust, so that every verification runs the schema, vocabulary
 * and trust checks: do not use the verifier from another thread while the suite
 * runs. Without val, tier 1's schema / JSON-LD tests and tier 2 are skipped;
 * without trust, tier 3's issuer tests are skipped (claims are still evaluated).
 * The tier defaults to 3 (all tiers). *out is new (vc_suite_free).
 * Codes: VC_ERR_INVALID_ARG, VC_ERR_NOMEM.
 */
VC_API vc_status vc_suite_new(vc_verifier *v, vc_validator *val, vc_trust *trust, vc_suite **out, vc_error *err);

/* Free a suite and its inputs and results. NULL is allowed. */
VC_API void vc_suite_free(vc_suite *s);

/* Run tiers 1..tier (1 to VC_SUITE_MAX_TIER; VC_ERR_INVALID_ARG otherwise). */
VC_API vc_status vc_suite_set_tier(vc_suite *s, int tier, vc_error *err);

/*
 * Add a credential: name (a file name or URL, used in every result; copied) and
 * its text in any form vc_verify accepts (copied). Names need not be unique.
 * Codes: VC_ERR_INVALID_ARG, VC_ERR_LIMIT (more than VC_SUITE_MAX_INPUTS, or a
 * text over VC_MAX_INPUT_BYTES), VC_ERR_NOMEM.
 */
VC_API vc_status vc_suite_add(vc_suite *s, const char *name, const char *text, size_t len, vc_error *err);

/*
 * Run the suite over every input added so far (earlier results are replaced).
 * DIAs among the inputs are first added to the trust store (when there is one),
 * then each input is verified, then the tier-3 trust graph is evaluated. A
 * credential that fails is a result, not an error: the return is VC_OK unless the
 * suite could not run (VC_ERR_NOMEM, VC_ERR_INTERNAL).
 */
VC_API vc_status vc_suite_run(vc_suite *s, vc_error *err);

/* Number of results of the last run. */
VC_API size_t vc_suite_count(const vc_suite *s);

/* The i-th result (0-based, input order, then tier order within an input) into
 * *out (strings borrowed). VC_ERR_INVALID_ARG when i is out of range. */
VC_API vc_status vc_suite_result_at(const vc_suite *s, size_t i, vc_suite_result *out, vc_error *err);

/* Totals of the last run (any pointer may be NULL). */
VC_API void vc_suite_totals(const vc_suite *s, size_t *passed, size_t *failed, size_t *skipped);

/*
 * The results as JUnit XML (the form CI systems read): one <testsuite> per
 * credential, one <testcase> per test (classname the credential), <failure
 * message=".." type="VC_ERR_..">, <skipped message="..">. Text is XML-escaped,
 * control characters and invalid UTF-8 replaced. *out is new (vc_free).
 */
VC_API vc_status vc_suite_to_junit(const vc_suite *s, char **out, vc_error *err);

/*
 * The results as JSON: {"tier":N,"passed":N,"failed":N,"skipped":N,
 * "results":[{"credential":..,"test":..,"tier":N,"result":"pass|fail|skip",
 * "code":..,"message":..}, ...]}. pretty != 0 indents. *out is new (vc_free).
 */
VC_API vc_status vc_suite_to_json(const vc_suite *s, int pretty, char **out, vc_error *err);

/*
 * The results as TAP version 13: the plan, one "ok" / "not ok" line per test
 * ("# SKIP reason" for skips) and, for failures, a YAML block with code and
 * message. *out is new (vc_free).
 */
VC_API vc_status vc_suite_to_tap(const vc_suite *s, char **out, vc_error *err);

/* "pass", "fail", "skip". Static. */
VC_API const char *vc_test_result_name(vc_test_result r);

#ifdef __cplusplus
}
#endif
#endif /* VC_CONFORMANCE_H */
