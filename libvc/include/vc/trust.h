/*
 * vc/trust.h - trust anchors: a trust store of register / accreditation DIDs
 * and the UNTP Digital Identity Anchor (DIA) pattern.
 *
 * An issuer X is anchored when X is itself trusted, or when a valid DIA (a
 * credential of type DigitalIdentityAnchor whose credentialSubject.id is X) was
 * issued by an anchored issuer, up to a depth limit. DIAs come from a pool the
 * caller supplies and, when a fetch function is set, from the `untp:dia`
 * services of the issuer's DID document.
 *
 * Configure a vc_trust, then share it between threads: evaluation results are
 * cached per issuer (for the verification time's window) under a mutex.
 */
#ifndef VC_TRUST_H
#define VC_TRUST_H

#include "core.h"
#include "did.h"
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VC_TRUST_MAX_DEPTH 4u   /* default longest DIA chain (DIAs between issuer and anchor) */
#define VC_TRUST_MAX_DIAS 4096u /* most DIAs in a pool */

typedef struct vc_trust vc_trust;

/*
 * Fetch a DIA from a DID document's untp:dia service endpoint. Returns the
 * secured credential text in *body (malloc'd; the trust store frees it) and its
 * length. Errors are reported through err (e.g. VC_ERR_NET_*).
 */
typedef vc_status (*vc_trust_fetch_fn)(void *ctx, const char *url, char **body, size_t *len, vc_error *err);

VC_API vc_status vc_trust_new(vc_trust **out, vc_error *err);
VC_API void vc_trust_free(vc_trust *t);

/* Trust a root DID (a government register, an accreditation authority). */
VC_API vc_status vc_trust_add_did(vc_trust *t, const char *did, vc_error *err);

/* Read trusted DIDs from a file: one per line; blank lines and lines starting
 * with '#' are ignored. VC_ERR_IO, VC_ERR_DID_SYNTAX (with the line number). */
VC_API vc_status vc_trust_load_file(vc_trust *t, const char *path, vc_error *err);

/* 1 when did is a trusted root. */
VC_API int vc_trust_is_trusted(const vc_trust *t, const char *did);

/* Add a secured DIA (any form vc_verify accepts) to the pool. The text is copied;
 * it is verified when a chain uses it. */
VC_API vc_status vc_trust_add_dia(vc_trust *t, const char *text, size_t len, vc_error *err);

/* Longest chain of DIAs followed (default VC_TRUST_MAX_DEPTH, at least 1). */
VC_API void vc_trust_set_max_depth(vc_trust *t, unsigned depth);

/* Let the store fetch DIAs from untp:dia services (ctx borrowed). */
VC_API void vc_trust_set_fetch(vc_trust *t, vc_trust_fetch_fn fn, void *ctx);

/*
 * Find the anchor of `issuer` as of unix time `at`, resolving DIA issuers' keys
 * with `resolver`. On success *anchor (new) is the trusted DID the issuer chains
 * to, and *path (optional, new) describes the chain, e.g.
 * "did:web:mine.example <- DIA urn:uuid:... by did:web:register.example (trusted)".
 * Errors: VC_ERR_TRUST_UNANCHORED (no DIA names the issuer), VC_ERR_TRUST_UNTRUSTED
 * (a DIA exists but its issuer is neither trusted nor anchored), VC_ERR_TRUST_DIA
 * (the only DIAs are invalid: bad signature, expired, wrong subject),
 * VC_ERR_TRUST_LOOP, VC_ERR_TRUST_DEPTH; the message names the issuer and the DIA.
 */
VC_API vc_status vc_trust_anchor(vc_trust *t, vc_resolver *resolver, int64_t at, const char *issuer, char **anchor,
                                 char **path, vc_error *err);

/*
 * Check every credential vc_verify verifies against the trust store: a check
 * "trust.anchor" that passes with the anchor and chain, or fails with a
 * VC_ERR_TRUST_* code. trust is borrowed; NULL detaches.
 */
VC_API void vc_verifier_set_trust(vc_verifier *v, vc_trust *trust);

/* The anchor the issuer chains to (borrowed), when trust was checked and passed. */
VC_API const char *vc_report_anchor(const vc_report *rep);

#ifdef __cplusplus
}
#endif
#endif /* VC_TRUST_H */
