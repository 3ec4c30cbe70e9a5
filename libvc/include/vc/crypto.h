/*
 * vc/crypto.h - signing keys: Ed25519 and NIST P-256 (plus P-384 / P-521 for
 * interoperability), JWK and PEM import/export, RFC 7638 thumbprints, multikey.
 *
 * A vc_key is immutable once created and may be shared between threads.
 */
#ifndef VC_CRYPTO_H
#define VC_CRYPTO_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vc_key vc_key;

typedef enum vc_key_type {
    VC_KEY_NONE = 0,
    VC_KEY_ED25519 = 1,  /* JOSE alg EdDSA, COSE -8 */
    VC_KEY_P256 = 2,     /* JOSE alg ES256, COSE -7 */
    VC_KEY_P384 = 3,     /* JOSE alg ES384, COSE -35 */
    VC_KEY_P521 = 4      /* JOSE alg ES512, COSE -36 */
} vc_key_type;

/* Generate a fresh key pair from the OS CSPRNG. *out is new; free with vc_key_free. */
VC_API vc_status vc_key_generate(vc_key_type type, vc_key **out, vc_error *err);

/*
 * Import a JWK (RFC 7517 / RFC 8037): {"kty":"OKP","crv":"Ed25519","x",["d"]} or
 * {"kty":"EC","crv":"P-256"|"P-384"|"P-521","x","y",["d"]}. Coordinates must be
 * strict base64url of exactly the curve's length; EC points are checked to be on
 * the curve; a private part must match the public part. Optional "kid" and "alg"
 * members are kept ("alg", when present, must be the one tied to the curve).
 * Other kty/crv give VC_ERR_KEY_TYPE; malformed members VC_ERR_KEY.
 * Also accepts a verification method object ({"publicKeyJwk":...} and optionally
 * "secretKeyJwk"/"privateKeyJwk"), taking the private JWK when present.
 */
VC_API vc_status vc_key_from_jwk(const char *json, size_t len, vc_key **out, vc_error *err);

/* Import a PEM: "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY" or "PUBLIC KEY" (SPKI)
 * for the supported curves. */
VC_API vc_status vc_key_from_pem(const char *pem, size_t len, vc_key **out, vc_error *err);

/* Import whichever of JWK, verification method or PEM the text holds. */
VC_API vc_status vc_key_parse(const char *text, size_t len, vc_key **out, vc_error *err);

/* Read a key file (JWK or PEM, at most VC_MAX_KEY_FILE_BYTES). */
VC_API vc_status vc_key_load(const char *path, vc_key **out, vc_error *err);

/*
 * Export as a JWK JSON object (members in RFC 7638 order, then "kid" and "alg"
 * when set). include_private != 0 adds "d" (VC_ERR_KEY_NO_PRIVATE if absent).
 * *out is a new NUL-terminated string.
 */
VC_API vc_status vc_key_to_jwk(const vc_key *key, int include_private, char **out, vc_error *err);

/* Export as PEM: PKCS#8 "PRIVATE KEY" when include_private, else SPKI "PUBLIC KEY". */
VC_API vc_status vc_key_to_pem(const vc_key *key, int include_private, char **out, vc_error *err);

/*
 * Write the key to path as a JWK (pem == 0) or PEM (pem != 0). Private keys are
 * created with mode 0600 (never wider, whatever the umask); the file is written to a
 * temporary name in the same folder and renamed into place, so a failure never
 * leaves a partial file. An existing file is replaced only when overwrite != 0.
 */
VC_API vc_status vc_key_save(const vc_key *key, const char *path, int include_private, int pem,
                             int overwrite, vc_error *err);

/* RFC 7638 JWK SHA-256 thumbprint, base64url (43 chars). *out is new. */
VC_API vc_status vc_key_thumbprint(const vc_key *key, char **out, vc_error *err);

/*
 * Multikey (multibase base58btc 'z' + multicodec varint + public key bytes):
 * Ed25519 0xed, P-256 0x1200 / P-384 0x1201 (compressed SEC1 points), as used
 * by did:key. *out is new.
 */
VC_API vc_status vc_key_to_multikey(const vc_key *key, char **out, vc_error *err);
VC_API vc_status vc_key_from_multikey(const char *multibase, vc_key **out, vc_error *err);

VC_API vc_key_type vc_key_get_type(const vc_key *key);
VC_API int vc_key_has_private(const vc_key *key);

/* The JOSE alg tied to the key type ("EdDSA", "ES256", "ES384", "ES512"). Static storage. */
VC_API const char *vc_key_jose_alg(const vc_key *key);

/* The "kid" member the key was imported with, or NULL. Borrowed from the key. */
VC_API const char *vc_key_get_kid(const vc_key *key);

/* A new key holding the same public part only (no private material). */
VC_API vc_status vc_key_public(const vc_key *key, vc_key **out, vc_error *err);

/* 1 when both keys have the same public part, else 0. */
VC_API int vc_key_equal_public(const vc_key *a, const vc_key *b);

/*
 * Raw signatures as JOSE uses them: Ed25519 64 bytes; ECDSA the fixed-size r||s
 * (IEEE P1363) form, 64/96/132 bytes. alg must be the one tied to the key type
 * (VC_ERR_JWS_ALG_KEY otherwise): the algorithm is never taken from the input alone.
 * vc_key_sign: *sig is new, *sig_len its size; needs the private part.
 * vc_key_verify: VC_OK or VC_ERR_JWS_SIGNATURE (wrong length, high/zero scalars,
 *   non-canonical values and bad signatures alike).
 */
VC_API vc_status vc_key_sign(const vc_key *key, const char *alg, const uint8_t *msg, size_t msg_len,
                             uint8_t **sig, size_t *sig_len, vc_error *err);
VC_API vc_status vc_key_verify(const vc_key *key, const char *alg, const uint8_t *msg, size_t msg_len,
                               const uint8_t *sig, size_t sig_len, vc_error *err);

/* Free a key (private material is cleared). NULL is allowed. */
VC_API void vc_key_free(vc_key *key);

#ifdef __cplusplus
}
#endif
#endif /* VC_CRYPTO_H */
