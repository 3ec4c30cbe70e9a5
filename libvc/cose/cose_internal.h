/*
 * cose_internal.h - helpers of libvc/cose shared with libvc/verify and the
 * unit tests. Not installed, not API.
 */
#ifndef VC_COSE_INTERNAL_H
#define VC_COSE_INTERNAL_H

#include "../internal.h"
#include "vc/cose.h"

/*
 * The Sig_structure of a COSE_Sign1 (RFC 9052 section 4.4), encoded
 * deterministically: ["Signature1", protected, h'' (no external AAD), payload].
 * protected is the header bstr's content exactly as sent. *out is new (free()).
 */
VC_INTERNAL vc_status vc_cose_tbs(const uint8_t *protected_hdr, size_t protected_len, const uint8_t *payload,
                                  size_t payload_len, uint8_t **out, size_t *out_len, vc_error *err);

/*
 * Assemble a COSE_Sign1 from parts taken as given (no checks): tag 18 when
 * tagged, then [bstr protected, unprotected (already-encoded CBOR, NULL: {}),
 * payload bstr (NULL: nil), signature bstr]. *out is new (free()). Tests and the
 * fuzzer's seed builder use it to forge hostile objects.
 */
VC_INTERNAL vc_status vc_cose_assemble(int tagged, const uint8_t *protected_hdr, size_t protected_len,
                                       const uint8_t *unprotected, size_t unprotected_len, const uint8_t *payload,
                                       size_t payload_len, const uint8_t *sig, size_t sig_len, uint8_t **out,
                                       size_t *out_len, vc_error *err);

/*
 * The protected header vc_cose_sign1 writes: {1: alg, 3: cty, 4: h'kid',
 * 16: typ} with NULL members left out, encoded deterministically. *out new (free()).
 */
VC_INTERNAL vc_status vc_cose_protected_header(int alg, const char *typ, const char *cty, const char *kid,
                                               uint8_t **out, size_t *out_len, vc_error *err);

/*
 * Standard base64 (RFC 4648 section 4) with padding, as data: URLs use it.
 * *out is a new NUL-terminated string (free()).
 */
VC_INTERNAL vc_status vc_base64_encode(const uint8_t *in, size_t len, char **out, vc_error *err);

/*
 * Decode base64 in either alphabet of RFC 4648 (standard "+/" or URL-safe "-_",
 * not both in one text), padding optional but complete and correct when present,
 * canonical trailing bits, no white space or other characters. VC_ERR_FORMAT
 * otherwise. *out is new (free()), NUL-terminated, *out_len excludes the NUL.
 */
VC_INTERNAL vc_status vc_base64_decode_any(const char *in, size_t len, uint8_t **out, size_t *out_len,
                                           vc_error *err);

#endif
