/*
 * vc/verify.h - issue (sign) and verify W3C Verifiable Credentials 2.0 secured
 * with the VC-JOSE-COSE enveloping proofs (vc+jwt, vc+cose), and the structured
 * verification report.
 */
#ifndef VC_VERIFY_H
#define VC_VERIFY_H

#include "core.h"
#include "crypto.h"
#include "did.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ report */

typedef struct vc_report vc_report;

typedef enum vc_check_result {
    VC_CHECK_PASS = 0,
    VC_CHECK_FAIL = 1,
    VC_CHECK_SKIP = 2,   /* not applicable or not run because an earlier check failed */
    VC_CHECK_WARN = 3    /* a problem that does not make the credential invalid */
} vc_check_result;

/* 1 when no check failed, else 0. */
VC_API int vc_report_valid(const vc_report *rep);

/* Number of checks in the report. */
VC_API size_t vc_report_count(const vc_report *rep);

/*
 * The i-th check (0-based). *name is the check's stable name (e.g. "jws.signature",
 * "datamodel.issuer"); *detail (may be NULL for a pass) holds code, message and
 * path. All borrowed from the report. VC_ERR_INVALID_ARG when i is out of range.
 */
VC_API vc_status vc_report_check(const vc_report *rep, size_t i, const char **name,
                                 vc_check_result *result, const vc_error **detail);

/* The first failing check's detail, or NULL when the report is valid. Borrowed. */
VC_API const vc_error *vc_report_first_error(const vc_report *rep);

/* Facts found while verifying (borrowed; NULL when unknown): the issuer id, the
 * verification method used, the securing format ("vc+jwt", "vc+cose"), the alg, and the
 * verified credential itself as JSON text. */
VC_API const char *vc_report_issuer(const vc_report *rep);
VC_API const char *vc_report_method(const vc_report *rep);
VC_API const char *vc_report_format(const vc_report *rep);
VC_API const char *vc_report_alg(const vc_report *rep);
VC_API const char *vc_report_credential(const vc_report *rep);

/*
 * The report as JSON:
 * {"valid":bool,"format":..,"issuer":..,"method":..,"alg":..,
 *  "checks":[{"check":name,"result":"pass|fail|skip|warn","code":"VC_ERR_...",
 *             "message":..,"path":..}, ...],
 *  "credential":{...}}
 * pretty != 0 indents. *out is new.
 */
VC_API vc_status vc_report_to_json(const vc_report *rep, int pretty, char **out, vc_error *err);

VC_API void vc_report_free(vc_report *rep);

/* ---------------------------------------------------------- data model */

/* vc_check_document flags */
#define VC_CHECK_UNSIGNED 0x1u  /* the document is about to be signed: issuer may be absent */

/*
 * Run the VC Data Model 2.0 checks (context, types, issuer, subject, ids, dates,
 * status/schema/evidence/terms shapes, language values; for presentations also
 * holder and the embedded credentials) on an unsecured credential or presentation
 * given as JSON text. Returns VC_OK when all pass, else the first failure's code.
 * *report (optional, new) lists every check. Validity windows are not checked here.
 */
VC_API vc_status vc_check_document(const char *json, size_t len, unsigned flags, vc_report **report,
                                   vc_error *err);

/* ---------------------------------------------------------------- issue */

/* Securing formats (VC-JOSE-COSE). */
typedef enum vc_format {
    VC_FORMAT_JWT = 0,  /* vc+jwt: compact JWS, data:application/vc+jwt,<JWS> */
    VC_FORMAT_COSE = 1  /* vc+cose: COSE_Sign1, data:application/vc+cose;base64,<...> */
} vc_format;

typedef struct vc_sign_options {
    /* Verification method id put in the JOSE "kid" (non-empty). NULL: the did:key
     * method id when the issuer is the key's own did:key, else the key's "kid" member
     * when it has one; otherwise VC_ERR_INVALID_ARG. */
    const char *kid;
    /* Issuer to set when the credential has none, or an issuer object has no id
     * (a presentation's holder likewise). Non-empty.
     * When the credential names a different issuer: VC_ERR_DM_ISSUER. NULL: keep the
     * credential's issuer, or use the key's did:key when it has none. */
    const char *issuer;
    /* 0: output an EnvelopedVerifiableCredential (or ...Presentation) JSON object;
     * 1: output the bare compact JWS (for COSE: base64url text of the COSE_Sign1
     * bytes; vc_cose_sign1 in vc/cose.h gives the raw bytes). */
    int bare;
    /* VC_FORMAT_JWT (default, 0) or VC_FORMAT_COSE. */
    vc_format format;
} vc_sign_options;

/*
 * Secure an unsigned credential or presentation (JSON text) as vc+jwt / vp+jwt, or
 * with opts->format VC_FORMAT_COSE as vc+cose / vp+cose.
 * The document is checked first (vc_check_document with VC_CHECK_UNSIGNED) and not
 * signed when a check fails. When the issuer is a did:key it must be the key's.
 * The JWS payload is the credential itself, with no added JWT claims: the caller's
 * JSON text without white space outside strings (tokens byte for byte, so numbers
 * keep their digits), a filled-in issuer or holder appended as the last member (an
 * issuer object that gets an id is re-serialised instead). *out is new: the
 * enveloped JSON object, or the compact JWS with opts->bare. Thread-safe; the key
 * may be shared by threads.
 */
VC_API vc_status vc_sign(const vc_key *key, const char *json, size_t len, const vc_sign_options *opts,
                         char **out, vc_error *err);

/* --------------------------------------------------------------- verify */

typedef struct vc_verifier vc_verifier;

/*
 * A verification context: resolver (borrowed; must outlive the verifier), clock,
 * options. Configure it, then share it between threads freely.
 */
VC_API vc_status vc_verifier_new(vc_resolver *resolver, vc_verifier **out, vc_error *err);
VC_API void vc_verifier_free(vc_verifier *v);

/* Pass to vc_verifier_set_time to go back to the wall clock. */
#define VC_TIME_NOW INT64_MIN

/* Verify as of unix_seconds (any value, the epoch included), or as of the wall clock
 * at each call with VC_TIME_NOW (the default). */
VC_API void vc_verifier_set_time(vc_verifier *v, int64_t unix_seconds);

/*
 * Verify a secured credential or presentation. input may be: an
 * EnvelopedVerifiableCredential / EnvelopedVerifiablePresentation JSON object, a
 * `data:application/vc+jwt,<JWS>` or `data:application/vc+cose;base64,<...>` URL, a
 * bare compact JWS (surrounding white space allowed), or COSE_Sign1 bytes (raw or
 * base64url). Steps, each a check in the report: input form, header (alg allow-list
 * tied to the key, typ, cty / content type, crit), payload JSON, data model, JWT / CWT claims agree
 * with the credential, validity window at the verification time, issuer key
 * resolved from kid, signature; for presentations each enveloped credential in
 * turn. Returns VC_OK when valid, else the first failure's code (err filled with
 * it). *report (optional) receives the full report either way.
 */
VC_API vc_status vc_verify(const vc_verifier *v, const char *input, size_t len, vc_report **report,
                           vc_error *err);

/*
 * DANGER: verifies NOTHING. Decode the payload of a secured credential or
 * presentation (any form vc_verify accepts; a plain JSON object passes through)
 * without checking its signature, issuer key, dates or anything else, e.g. for
 * the holder of the signing key who re-issues its own status list. Never trust
 * what it returns: use vc_verify for that. *json is new JSON text (caller
 * vc_free()s); *format (optional, static) is "vc+jwt", "vc+cose", ... or NULL for
 * plain JSON. Errors: the input-form and header codes (VC_ERR_FORMAT,
 * VC_ERR_JWS_*, VC_ERR_COSE_*, VC_ERR_JSON*, VC_ERR_LIMIT), VC_ERR_NOMEM.
 */
VC_API vc_status vc_decode_unverified(const char *input, size_t len, char **json, const char **format,
                                      vc_error *err);

#ifdef __cplusplus
}
#endif
#endif /* VC_VERIFY_H */
