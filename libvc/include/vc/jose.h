/*
 * vc/jose.h - compact JWS (RFC 7515) with the strict rules a credential
 * verifier needs: strict base64url, protected header as a JSON object without
 * duplicate keys, no "alg":"none", no HMAC/RSA, alg tied to the key type,
 * unknown "crit" rejected, b64:false rejected.
 */
#ifndef VC_JOSE_H
#define VC_JOSE_H

#include "core.h"
#include "crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vc_jws vc_jws;

/*
 * Parse a compact JWS. Checks: three parts, strict base64url in each, header a
 * JSON object (no duplicate keys, at most VC_MAX_HEADER_BYTES), "alg" a string in
 * the allow-list {EdDSA, ES256, ES384, ES512} ("none" gives VC_ERR_JWS_ALG_NONE,
 * others VC_ERR_JWS_ALG), "crit" (if present) a non-empty array of understood
 * names (none are, so any crit gives VC_ERR_JWS_CRIT), "b64" false refused, "kid",
 * "typ", "cty" strings when present. The signature is NOT checked here.
 * *out is new; free with vc_jws_free.
 */
VC_API vc_status vc_jws_parse(const char *compact, size_t len, vc_jws **out, vc_error *err);

/* Verify the signature with key: the header alg must be the one tied to the key
 * type (VC_ERR_JWS_ALG_KEY), then VC_OK or VC_ERR_JWS_SIGNATURE. */
VC_API vc_status vc_jws_verify(const vc_jws *jws, const vc_key *key, vc_error *err);

/* Header accessors: borrowed strings valid until vc_jws_free; NULL when absent. */
VC_API const char *vc_jws_alg(const vc_jws *jws);
VC_API const char *vc_jws_kid(const vc_jws *jws);
VC_API const char *vc_jws_typ(const vc_jws *jws);
VC_API const char *vc_jws_cty(const vc_jws *jws);

/* The decoded protected header as JSON text (borrowed, NUL-terminated). */
VC_API const char *vc_jws_header_json(const vc_jws *jws);

/* The decoded payload (borrowed; NUL-terminated, *len excludes the NUL). */
VC_API const uint8_t *vc_jws_payload(const vc_jws *jws, size_t *len);

VC_API void vc_jws_free(vc_jws *jws);

/*
 * Sign payload as a compact JWS. The protected header is
 * {"alg":<tied to key>,"typ":typ,"cty":cty,"kid":kid} with NULL members left out,
 * serialised compactly in that order. *out is a new NUL-terminated string.
 */
VC_API vc_status vc_jws_sign(const vc_key *key, const char *typ, const char *cty, const char *kid,
                             const uint8_t *payload, size_t payload_len, char **out, vc_error *err);

#ifdef __cplusplus
}
#endif
#endif /* VC_JOSE_H */
