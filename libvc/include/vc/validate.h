/*
 * vc/validate.h - UNTP credential validation without signatures: the VC 2.0
 * data model, the W3C VC JSON Schema, the UNTP JSON Schema of the detected type
 * and version (or a user-supplied schema for extension types), and the JSON-LD
 * vocabulary check.
 *
 * A vc_validator compiles each schema once and is shared by threads; attach it
 * to a verifier (vc_verifier_set_validator) to run the same checks on every
 * verified credential.
 */
#ifndef VC_VALIDATE_H
#define VC_VALIDATE_H

#include "core.h"
#include "data.h"
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vc_validator vc_validator;

/* vc_validator_set_flags */
#define VC_VALIDATE_ALLOW_VOCAB 0x1u  /* UNTP credentials may rely on @vocab (VC_VOCAB_ALLOW_VOCAB) */
#define VC_VALIDATE_NO_VOCAB 0x2u     /* skip the JSON-LD vocabulary check */
#define VC_VALIDATE_NO_SCHEMA 0x4u    /* skip the JSON Schema checks */

#define VC_VALIDATE_MAX_MAPPED 256u   /* extension types a schema map may name */

/* UNTP credential kinds detected from `type`. */
typedef enum vc_untp_kind {
    VC_UNTP_NONE = 0,
    VC_UNTP_DPP, /* DigitalProductPassport */
    VC_UNTP_DCC, /* DigitalConformityCredential */
    VC_UNTP_DTE, /* DigitalTraceabilityEvent */
    VC_UNTP_DFR, /* DigitalFacilityRecord */
    VC_UNTP_DIA  /* DigitalIdentityAnchor */
} vc_untp_kind;

/* "dpp", "dcc", ... (NULL for VC_UNTP_NONE) and the credential type name. Static. */
VC_API const char *vc_untp_kind_name(vc_untp_kind kind);
VC_API const char *vc_untp_kind_type(vc_untp_kind kind);

/* Parse "dpp".."dia" (case-insensitive); VC_ERR_INVALID_ARG otherwise. */
VC_API vc_status vc_untp_kind_parse(const char *name, vc_untp_kind *kind, vc_error *err);

/* The UNTP release written by libvc and preferred when a choice is needed. */
#define VC_UNTP_DEFAULT_VERSION "0.6.1"

/* A new validator over a data registry (borrowed; must outlive it). *out is new. */
VC_API vc_status vc_validator_new(vc_data *data, vc_validator **out, vc_error *err);
VC_API void vc_validator_free(vc_validator *val);

/* VC_VALIDATE_* flags (configure before sharing). */
VC_API void vc_validator_set_flags(vc_validator *val, unsigned flags);

/*
 * Validate credentials whose `type` includes `type` (an extension type, e.g.
 * "BatteryPassport") against the JSON Schema json (len bytes, compiled now).
 * Codes: the JSON codes, VC_ERR_SCHEMA_COMPILE, VC_ERR_SCHEMA_REF, VC_ERR_LIMIT.
 */
VC_API vc_status vc_validator_map_schema(vc_validator *val, const char *type, const char *json, size_t len,
                                         vc_error *err);

/*
 * Read a schema map: a JSON object {"Type": "schema file", ...}; relative file
 * names are relative to the map's folder (the format of the UN test harness's
 * extension maps, without URLs: schemas are read locally). VC_ERR_IO etc.
 */
VC_API vc_status vc_validator_load_schema_map(vc_validator *val, const char *path, vc_error *err);

/*
 * Validate a credential or presentation without checking any signature: input is
 * an unsigned document, or a secured one (enveloped JSON, data: URL, compact JWS,
 * COSE) whose payload is decoded but NOT verified. Report checks: "input.format",
 * "datamodel.*", "schema.vcdm" (W3C VC 2.0 schema), "schema.untp" (or
 * "schema.extension"), "vocab.context", "vocab.terms". Returns VC_OK when all
 * pass, else the first failure's code. *report (optional, new) lists them all.
 */
VC_API vc_status vc_validate(vc_validator *val, const char *input, size_t len, vc_report **report, vc_error *err);

/* What the last validation detected, from a report: "dpp 0.6.1" style (borrowed), or NULL. */
VC_API const char *vc_report_untp(const vc_report *rep);

/*
 * Run the validator's checks on every credential vc_verify verifies (the
 * top-level one and those inside presentations). val is borrowed; NULL detaches.
 */
VC_API void vc_verifier_set_validator(vc_verifier *v, vc_validator *val);

#ifdef __cplusplus
}
#endif
#endif /* VC_VALIDATE_H */
