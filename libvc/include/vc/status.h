/*
 * vc/status.h - W3C Bitstring Status List v1.0: the bitstring, its encoding in
 * a status list credential, and the BitstringStatusListEntry of a credential.
 *
 * A list holds one bit per credential (statusSize 1) for one purpose:
 * "revocation" (a set bit means revoked; by the specification it cannot be
 * reversed) or "suspension" (a set bit means suspended, and may be cleared).
 * Index 0 is the most significant bit of the first byte.
 */
#ifndef VC_STATUS_H
#define VC_STATUS_H

#include "core.h"
#include "net.h"
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VC_STATUS_LIST_MIN_BITS 131072u                /* 16 KiB: the specification's privacy minimum */
#define VC_STATUS_LIST_MAX_BYTES (16u * 1024u * 1024u) /* largest decompressed bitstring accepted */

typedef struct vc_status_list vc_status_list;

typedef enum vc_status_purpose {
    VC_PURPOSE_REVOCATION = 0,
    VC_PURPOSE_SUSPENSION = 1
} vc_status_purpose;

/* "revocation" / "suspension". Static storage. */
VC_API const char *vc_status_purpose_name(vc_status_purpose purpose);

/* Parse "revocation" / "suspension"; VC_ERR_INVALID_ARG otherwise. */
VC_API vc_status vc_status_purpose_parse(const char *name, vc_status_purpose *purpose, vc_error *err);

/*
 * A new list of `bits` cleared bits (rounded up to a whole byte). Lists smaller
 * than VC_STATUS_LIST_MIN_BITS give VC_ERR_INVALID_ARG: a small list tells
 * observers which credential is being checked. *out is new.
 */
VC_API vc_status vc_status_list_new(size_t bits, vc_status_list **out, vc_error *err);

/*
 * Decode an encodedList: multibase base64url ('u' prefix, strict, no padding) of a
 * GZIP stream (one member, nothing after it) of at most VC_STATUS_LIST_MAX_BYTES.
 * Errors: VC_ERR_MULTIBASE (prefix), VC_ERR_BASE64URL, VC_ERR_STATUS_LIST (not GZIP,
 * truncated, trailing data), VC_ERR_LIMIT (decompresses past the cap). *out is new.
 */
VC_API vc_status vc_status_list_decode(const char *encoded, vc_status_list **out, vc_error *err);

/* Encode as an encodedList ("u" + base64url(GZIP(bits))). *out is new. */
VC_API vc_status vc_status_list_encode(const vc_status_list *list, char **out, vc_error *err);

/* Number of bits (entries) in the list. */
VC_API size_t vc_status_list_size(const vc_status_list *list);

/* Read / write bit `index` (0 or 1). VC_ERR_STATUS_LIST when index is out of range. */
VC_API vc_status vc_status_list_get(const vc_status_list *list, size_t index, int *bit, vc_error *err);
VC_API vc_status vc_status_list_set(vc_status_list *list, size_t index, int bit, vc_error *err);

VC_API void vc_status_list_free(vc_status_list *list);

/*
 * The unsigned status list credential for `list`, ready for vc_sign():
 * {"@context":[VC 2.0], "id": list_url, "type":["VerifiableCredential",
 *  "BitstringStatusListCredential"], "issuer": issuer, "validFrom": valid_from,
 *  "credentialSubject": {"id": list_url + "#list", "type": "BitstringStatusList",
 *  "statusPurpose": ..., "encodedList": ...}}
 * list_url must be a URL. valid_from is unix seconds. *out is new JSON text.
 */
VC_API vc_status vc_status_list_credential(const vc_status_list *list, const char *list_url, const char *issuer,
                                           vc_status_purpose purpose, int64_t valid_from, char **out,
                                           vc_error *err);

/*
 * Read a status list credential (the decoded payload, as JSON text, of a list
 * credential whose signature the caller has verified): checks the type
 * BitstringStatusListCredential, the subject type BitstringStatusList, the purpose
 * and the encodedList. *list is new; *purpose and *list_url (optional, new: the
 * credential id) are filled. Errors: VC_ERR_STATUS_LIST with the path.
 */
VC_API vc_status vc_status_list_from_credential(const char *json, size_t len, vc_status_list **list,
                                                vc_status_purpose *purpose, char **list_url, vc_error *err);

/*
 * Add a BitstringStatusListEntry to an unsigned credential (JSON text):
 * {"id": list_url + "#" + index, "type": "BitstringStatusListEntry",
 *  "statusPurpose": ..., "statusListIndex": "<index>", "statusListCredential": list_url}.
 * An existing credentialStatus becomes / stays an array. *out is new JSON text.
 */
VC_API vc_status vc_status_entry_add(const char *json, size_t len, const char *list_url, size_t index,
                                     vc_status_purpose purpose, char **out, vc_error *err);

/* vc_verifier_set_status flags */
#define VC_STATUS_REQUIRE 0x1u /* an unreachable or invalid status list fails verification
                                  (default: a warning in the report) */
#define VC_STATUS_CACHE_SECONDS 300 /* a verified status list is reused for this long */

/*
 * Check the BitstringStatusListEntry items of every credential vc_verify verifies:
 * fetch each list credential with f (borrowed; NULL detaches), verify it (its
 * issuer must be the credential's issuer), and report "status" as pass, fail
 * (VC_ERR_STATUS_REVOKED / _SUSPENDED) or, when the list cannot be had, warn
 * (fail with VC_STATUS_REQUIRE) with VC_ERR_STATUS_UNAVAILABLE / VC_ERR_STATUS_LIST.
 * Verified lists are cached per URL for VC_STATUS_CACHE_SECONDS.
 */
VC_API void vc_verifier_set_status(vc_verifier *v, vc_fetcher *f, unsigned flags);

#ifdef __cplusplus
}
#endif
#endif /* VC_STATUS_H */
