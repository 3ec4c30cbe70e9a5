/*
 * vc/did.h - DIDs and controller documents: did:key, did:jwk built in (no
 * network), documents supplied offline, and a method plug-in interface through
 * which did:web (over HTTPS) is added.
 *
 * A vc_resolver is configured first (add methods, documents, verification
 * methods), then may be shared by several threads for vc_resolver_resolve and
 * vc_resolver_find_key.
 */
#ifndef VC_DID_H
#define VC_DID_H

#include "core.h"
#include "crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vc_resolver vc_resolver;

/*
 * A DID method plug-in. Called with the DID (without fragment), it returns a DID
 * document as JSON text in *doc_json (allocated with malloc; the resolver frees
 * it). It must fail with VC_ERR_DID_NOT_FOUND, VC_ERR_DID_DOCUMENT, ... and fill
 * err. The resolver checks the document (id equals the DID, methods well formed).
 */
typedef vc_status (*vc_did_method_fn)(void *ctx, const char *did, char **doc_json, vc_error *err);

/* A new resolver knowing did:key and did:jwk. Free with vc_resolver_free. */
VC_API vc_status vc_resolver_new(vc_resolver **out, vc_error *err);
VC_API void vc_resolver_free(vc_resolver *r);

/* Register a method ("web" for did:web). ctx is borrowed for the resolver's life. */
VC_API vc_status vc_resolver_add_method(vc_resolver *r, const char *method, vc_did_method_fn fn,
                                        void *ctx, vc_error *err);

/*
 * Register did:web, resolved over HTTPS through fetcher (vc/net.h; borrowed for
 * the resolver's life, may be shared with other users). did:web:example.com ->
 * https://example.com/.well-known/did.json, did:web:example.com:u:alice ->
 * https://example.com/u/alice/did.json, a port as %3A (did:web:host%3A8443).
 * Hosts must be lower-case DNS names (no IP addresses); path segments that decode
 * to '/', '?', '#', '@', '%', '.', '..', spaces or controls are refused
 * (VC_ERR_DID_SYNTAX). Errors of a resolution: VC_ERR_DID_NOT_FOUND (HTTP 404/410),
 * VC_ERR_DID_DOCUMENT (id not the DID, malformed), VC_ERR_NET_* from the fetcher.
 * Documents are kept by the resolver for 5 minutes, then asked of the fetcher
 * again (whose HTTP cache decides whether to use the network); a kid that matches
 * no method makes vc_resolver_find_key re-fetch the document once (key rotation),
 * at most once a minute per DID.
 */
typedef struct vc_fetcher vc_fetcher;
VC_API vc_status vc_resolver_add_web(vc_resolver *r, vc_fetcher *fetcher, vc_error *err);

/*
 * Supply a DID document (or any controller document with an "id") offline; it
 * takes precedence over methods for that id. The JSON is copied. Used by
 * `untpcred verify --did-doc FILE`.
 */
VC_API vc_status vc_resolver_add_document(vc_resolver *r, const char *json, size_t len, vc_error *err);

/*
 * Supply one verification method object ({"id","type","controller","publicKeyJwk"
 * | "publicKeyMultibase"}) offline; it joins the controller document of its
 * "controller" (created when absent). Lets an issuer that is an https URL, as in
 * the W3C VC-JOSE-COSE suite, be verified with keys given by hand. Private key
 * members in the object are ignored.
 */
VC_API vc_status vc_resolver_add_verification_method(vc_resolver *r, const char *json, size_t len,
                                                     vc_error *err);

/*
 * Resolve a DID (or controller id) to its document as JSON text. *doc_json is new.
 * did:key: Ed25519 (z6Mk...) and P-256 (zDn...) multikeys; did:jwk: base64url JWK.
 */
VC_API vc_status vc_resolver_resolve(vc_resolver *r, const char *did, char **doc_json, vc_error *err);

/*
 * Find the key that `kid` names for `issuer` (a DID or controller id):
 *  - kid may be an absolute DID URL (must start with issuer + "#"), a relative
 *    fragment ("#key-1"), or a bare value matched against the fragment of a method
 *    id or a publicKeyJwk "kid" member;
 *  - kid NULL is allowed only when the document has exactly one method;
 *  - the method must be listed in the document's assertionMethod (when the document
 *    has that relation) and its controller must be the issuer.
 * *key is new (public only). *vm_id (optional) receives the method's absolute id.
 * Errors: VC_ERR_DID_* for resolution, VC_ERR_JWS_KID when the kid names another
 * DID, VC_ERR_DID_VM_NOT_FOUND when nothing matches.
 */
VC_API vc_status vc_resolver_find_key(vc_resolver *r, const char *issuer, const char *kid, vc_key **key,
                                      char **vm_id, vc_error *err);

/* did:key of a public key ("did:key:z6Mk..."). *out is new. */
VC_API vc_status vc_did_key_from_key(const vc_key *key, char **out, vc_error *err);

/* did:jwk of a public key. *out is new. */
VC_API vc_status vc_did_jwk_from_key(const vc_key *key, char **out, vc_error *err);

/* The verification method id a did:key issuer signs with ("did:key:zX#zX"). *out is new. */
VC_API vc_status vc_did_key_vm_id(const vc_key *key, char **out, vc_error *err);

/* Syntax check of a DID (did:method:method-specific-id, RFC 3986 pct-encoding rules);
 * VC_OK or VC_ERR_DID_SYNTAX. Fragments/paths/queries are rejected. */
VC_API vc_status vc_did_check_syntax(const char *did, vc_error *err);

#ifdef __cplusplus
}
#endif
#endif /* VC_DID_H */
