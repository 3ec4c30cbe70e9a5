/*
 * did_internal.h - what resolver.c and didkey.c share. Not installed, not API.
 */
#ifndef VC_DID_INTERNAL_H
#define VC_DID_INTERNAL_H

#include "../internal.h"

/* Characters of a DID or URL quoted in an error message before it is cut short. */
#define VC_DID_QUOTE_MAX 72u

/* Copy s into buf (at least VC_DID_QUOTE_MAX + 4 bytes), cut to VC_DID_QUOTE_MAX
 * characters with "..." appended, so that a long DID leaves room in a message. */
#define VC_DID_QUOTE_BUF (VC_DID_QUOTE_MAX + 4u)
VC_INTERNAL const char *vc_did_quote(const char *s, char buf[VC_DID_QUOTE_BUF]);

/* 1 when s starts with "did:" in any letter case (so that "DID:..." is reported as
 * a bad DID rather than treated as some other URL). */
VC_INTERNAL int vc_did_has_scheme(const char *s);

/*
 * The documents of the built-in methods, for a DID that has passed
 * vc_did_check_syntax and names the method. *doc is a new reference.
 *  did:key: VC_ERR_DID_SYNTAX when the id is not a canonical base58btc multikey,
 *           VC_ERR_KEY_TYPE for key types libvc does not verify, VC_ERR_KEY for
 *           bytes that are no valid public key.
 *  did:jwk: VC_ERR_DID_SYNTAX when the id is not strict base64url of a public JWK
 *           object (a "d" or other private member is refused), VC_ERR_KEY_TYPE /
 *           VC_ERR_KEY from the JWK import.
 */
VC_INTERNAL vc_status vc_did_key_document(const char *did, json_t **doc, vc_error *err);
VC_INTERNAL vc_status vc_did_jwk_document(const char *did, json_t **doc, vc_error *err);

/* JWK members that carry private or secret key material (RFC 7518 section 6). */
extern VC_INTERNAL const char *const vc_did_jwk_private_members[];

/*
 * Extra behaviour of a method plug-in (did:web uses it; see didweb.c):
 *  refresh: resolves again, bypassing every cache. When a kid matches no method
 *           (VC_ERR_DID_VM_NOT_FOUND) in a document this plug-in produced,
 *           vc_resolver_find_key refreshes the document once and looks again, at
 *           most once per refresh_cooldown_ms per DID, so that a flood of unknown
 *           kids cannot hammer the issuer. NULL: no refresh.
 *  cache_ttl_ms: how long the resolver keeps a document of this method before it
 *           asks the plug-in again (0: until evicted). The plug-in's own cache
 *           (the fetcher's HTTP cache) decides whether that reaches the network.
 *  ctx_free: called on ctx by vc_resolver_free (may be NULL).
 */
typedef struct vc_did_method_ext {
    vc_did_method_fn refresh;
    unsigned refresh_cooldown_ms;
    unsigned cache_ttl_ms;
    void (*ctx_free)(void *ctx);
} vc_did_method_ext;

/* vc_resolver_add_method with the extras above (ext NULL: none). */
VC_INTERNAL vc_status vc_resolver_add_method_ext(vc_resolver *r, const char *method, vc_did_method_fn fn, void *ctx,
                                                 const vc_did_method_ext *ext, vc_error *err);

#endif /* VC_DID_INTERNAL_H */
