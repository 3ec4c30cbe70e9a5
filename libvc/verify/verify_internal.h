/*
 * verify_internal.h - report building and data-model checks shared inside
 * libvc/verify. Not installed.
 */
#ifndef VC_VERIFY_INTERNAL_H
#define VC_VERIFY_INTERNAL_H

#include "../internal.h"

/* A new empty report (valid until a failing check is added). NULL on OOM. */
VC_INTERNAL vc_report *vc_report_new(void);

/* Append a check. detail may be NULL (pass/skip without details); it is copied.
 * Returns VC_OK or VC_ERR_NOMEM. */
VC_INTERNAL vc_status vc_report_add(vc_report *rep, const char *check, vc_check_result result,
                                    const vc_error *detail);

/* Shorthands. vc_report_fail returns detail->code. */
VC_INTERNAL void vc_report_pass(vc_report *rep, const char *check);
VC_INTERNAL vc_status vc_report_fail(vc_report *rep, const char *check, const vc_error *detail);
VC_INTERNAL void vc_report_skip(vc_report *rep, const char *check, const char *why);

/* Facts; the strings are copied. credential is the payload object (a new
 * reference is taken). */
VC_INTERNAL void vc_report_set_issuer(vc_report *rep, const char *issuer);
VC_INTERNAL void vc_report_set_method(vc_report *rep, const char *method);
VC_INTERNAL void vc_report_set_format(vc_report *rep, const char *format);
VC_INTERNAL void vc_report_set_alg(vc_report *rep, const char *alg);
VC_INTERNAL void vc_report_set_credential(vc_report *rep, json_t *credential);

/* Prefix every check name added from now on with prefix + "." (NULL clears);
 * used for the credentials nested in a presentation ("credential[0].jws.signature"). */
VC_INTERNAL void vc_report_set_prefix(vc_report *rep, const char *prefix);

/* 1 when obj's "type" (a string or an array of strings) contains name. */
VC_INTERNAL int vc_dm_has_type(const json_t *obj, const char *name);

/* 1 when the document's type includes VerifiablePresentation. */
VC_INTERNAL int vc_dm_is_presentation(const json_t *doc);

/* The issuer id of a credential (string issuer or issuer.id), or NULL. Borrowed. */
VC_INTERNAL const char *vc_dm_issuer_id(const json_t *doc);

/*
 * VC Data Model 2.0 checks on an unsecured credential or presentation object.
 * Adds one report entry per check group ("datamodel.context", "datamodel.type",
 * "datamodel.issuer", "datamodel.subject", "datamodel.id", "datamodel.dates",
 * "datamodel.properties", "datamodel.language", "datamodel.holder",
 * "datamodel.credentials"), each pass or fail, to rep when rep is non-NULL.
 * flags: VC_CHECK_UNSIGNED (issuer may be absent). Every failure is reported; the
 * return value and err are the first failure. Validity windows are not checked.
 */
VC_INTERNAL vc_status vc_dm_check(const json_t *doc, unsigned flags, vc_report *rep, vc_error *err);

/* Decode the payload of a secured document without verifying it (plain JSON
 * objects pass through). *payload new; *format (optional) "vc+jwt", "vc+cose", ... */
VC_INTERNAL vc_status vc_decode_payload(const char *input, size_t len, json_t **payload, const char **format,
                                        vc_error *err);

/* The validator's schema + vocabulary checks on a parsed document (validate.c). */
VC_INTERNAL vc_status vc_validator_check_json(vc_validator *val, const json_t *doc, vc_report *rep, vc_error *err);

/* Report fact for vc_report_untp ("dpp 0.6.1"); copied. */
VC_INTERNAL void vc_report_set_untp(vc_report *rep, const char *untp);
VC_INTERNAL void vc_report_set_anchor(vc_report *rep, const char *anchor);

#endif
