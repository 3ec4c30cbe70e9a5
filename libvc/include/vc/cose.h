/*
 * vc/cose.h - COSE_Sign1 (RFC 9052) with the strict rules a credential
 * verifier needs, as VC-JOSE-COSE uses it for vc+cose / vp+cose:
 *
 *  - algorithms EdDSA (-8), ES256 (-7), ES384 (-35), ES512 (-36) only, each tied
 *    to one key type exactly as for JOSE (Ed25519, P-256, P-384, P-521); the
 *    signatures are the raw forms of vc_key_sign (64-byte Ed25519, r||s ECDSA);
 *  - alg must be in the protected header; crit may list only understood labels;
 *  - the whole structure is checked before use: well-formed CBOR, definite
 *    lengths only, no duplicate map keys, valid UTF-8 text, bounded nesting,
 *    item count and sizes, nothing after the structure;
 *  - tag 18 is emitted and accepted; an untagged COSE_Sign1 is accepted on input;
 *  - detached (nil) payloads are refused.
 *
 * Encoding (libvc/cose/cbor_strict.c) is kept apart from the COSE rules and the
 * crypto (libvc/cose/cose.c), in the manner of t_cose.
 */
#ifndef VC_COSE_H
#define VC_COSE_H

#include "core.h"
#include "crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Limits (named; see also VC_MAX_INPUT_BYTES, the largest COSE object) ---- */
#define VC_COSE_MAX_PROTECTED_BYTES (16u * 1024u) /* largest protected header (encoded map) */
#define VC_COSE_MAX_DEPTH 16                      /* deepest CBOR nesting (arrays, maps, tags) */
#define VC_COSE_MAX_ITEMS 4096                    /* most CBOR data items in one COSE object */

/* COSE algorithm identifiers (IANA "COSE Algorithms") that libvc accepts. */
#define VC_COSE_ALG_EDDSA (-8)
#define VC_COSE_ALG_ES256 (-7)
#define VC_COSE_ALG_ES384 (-35)
#define VC_COSE_ALG_ES512 (-36)

/* COSE header labels that libvc reads. */
#define VC_COSE_HDR_ALG 1
#define VC_COSE_HDR_CRIT 2
#define VC_COSE_HDR_CONTENT_TYPE 3
#define VC_COSE_HDR_KID 4
#define VC_COSE_HDR_CWT_CLAIMS 15 /* RFC 9597 */
#define VC_COSE_HDR_TYP 16        /* RFC 9596 */

typedef struct vc_cose vc_cose;

/*
 * The COSE algorithm tied to the key type: -8 for Ed25519, -7 P-256, -35 P-384,
 * -36 P-521; 0 for a NULL key.
 */
VC_API int vc_cose_alg_for_key(const vc_key *key);

/* The name of a COSE algorithm libvc accepts ("EdDSA", "ES256", "ES384",
 * "ES512"; the JOSE names, which the COSE registry shares), else NULL. Static. */
VC_API const char *vc_cose_alg_name(int64_t alg);

/*
 * Sign payload as a tagged COSE_Sign1 (tag 18):
 *   18([protected, {}, payload, signature])
 * The protected header is a map with alg (1, tied to the key), content type (3)
 * = cty, kid (4) = the UTF-8 bytes of kid as a bstr, typ (16) = typ; NULL members
 * are left out. It is encoded deterministically (RFC 8949 section 4.2.1: shortest
 * integers and lengths, definite lengths, keys sorted by their encoded bytes), so
 * the same inputs always give the same header bytes. The signature covers the
 * Sig_structure ["Signature1", protected, h'', payload].
 * *out is new (caller frees with vc_free), *out_len its size.
 * Codes: VC_ERR_INVALID_ARG (NULL key/out, empty typ/cty/kid), VC_ERR_KEY_NO_PRIVATE,
 * VC_ERR_LIMIT (the object would exceed VC_MAX_INPUT_BYTES), VC_ERR_CRYPTO, VC_ERR_NOMEM.
 */
VC_API vc_status vc_cose_sign1(const vc_key *key, const char *typ, const char *cty, const char *kid,
                               const uint8_t *payload, size_t payload_len, uint8_t **out, size_t *out_len,
                               vc_error *err);

/*
 * Parse a COSE_Sign1 (tagged 18 or untagged). The signature is NOT checked here.
 * Checks, with their codes:
 *  - VC_ERR_LIMIT: more than VC_MAX_INPUT_BYTES, a protected header over
 *    VC_COSE_MAX_PROTECTED_BYTES, nesting over VC_COSE_MAX_DEPTH or more than
 *    VC_COSE_MAX_ITEMS data items;
 *  - VC_ERR_CBOR: not one well-formed CBOR item (truncated, reserved values),
 *    bytes after it, an indefinite length anywhere, a map with the same key twice
 *    (also in the protected header and inside header values), text that is not
 *    UTF-8; the protected header bstr must hold exactly one such map;
 *  - VC_ERR_COSE_FORMAT: a tag other than 18, not an array of four
 *    [bstr, map, bstr, bstr], a nil (detached) payload;
 *  - VC_ERR_COSE_HEADER: the protected bstr is not a map; a label that is neither
 *    int nor text; a label in both buckets; alg missing, not in the protected
 *    header, or not one of -8, -7, -35, -36; crit in the unprotected header, empty,
 *    or listing a label libvc does not understand or that is not in the protected
 *    header; typ (16), content type (3) or CWT claims (15) outside the protected
 *    header or not of the expected type (typ and content type: text; CWT claims: a
 *    map whose iss/sub are text and exp/nbf/iat numbers); kid (4) not a non-empty
 *    bstr of UTF-8 text without NUL.
 * Other header labels are ignored (keys in x5chain and the like are never used).
 * *out is new; free with vc_cose_free.
 */
VC_API vc_status vc_cose_parse(const uint8_t *data, size_t len, vc_cose **out, vc_error *err);

/*
 * Verify the signature with key: the protected alg must be the one tied to the
 * key type (VC_ERR_COSE_HEADER otherwise: an ES256 object never verifies with an
 * Ed25519 key, nor the reverse), then VC_OK or VC_ERR_COSE_SIGNATURE.
 */
VC_API vc_status vc_cose_verify(const vc_cose *cose, const vc_key *key, vc_error *err);

/* The protected alg (e.g. -7). */
VC_API int64_t vc_cose_alg(const vc_cose *cose);

/* Header accessors: borrowed NUL-terminated strings valid until vc_cose_free;
 * NULL when absent. kid is the kid bstr as text; cty the content type (3). */
VC_API const char *vc_cose_kid(const vc_cose *cose);
VC_API const char *vc_cose_typ(const vc_cose *cose);
VC_API const char *vc_cose_cty(const vc_cose *cose);

/* CWT claims (RFC 9597) of the protected header (label 15): iss (1) and sub (2)
 * as borrowed strings or NULL; exp (4) and nbf (5) in seconds since the epoch
 * (fractions dropped), returning 1 and setting *value when present, else 0. */
VC_API const char *vc_cose_cwt_iss(const vc_cose *cose);
VC_API const char *vc_cose_cwt_sub(const vc_cose *cose);
VC_API int vc_cose_cwt_exp(const vc_cose *cose, int64_t *value);
VC_API int vc_cose_cwt_nbf(const vc_cose *cose, int64_t *value);

/* The payload (borrowed; NUL-terminated, *len excludes the NUL). */
VC_API const uint8_t *vc_cose_payload(const vc_cose *cose, size_t *len);

/* The protected header's encoded bytes as received (borrowed). */
VC_API const uint8_t *vc_cose_protected(const vc_cose *cose, size_t *len);

/* 1 when the input carried tag 18, 0 when it was untagged. */
VC_API int vc_cose_tagged(const vc_cose *cose);

/* Free a parsed object. NULL is allowed. */
VC_API void vc_cose_free(vc_cose *cose);

#ifdef __cplusplus
}
#endif
#endif /* VC_COSE_H */
