/*
 * didweb_internal.h - did:web internals reached by its tests. Not installed, not API.
 */
#ifndef VC_DIDWEB_INTERNAL_H
#define VC_DIDWEB_INTERNAL_H

#include "../internal.h"
#include "vc/net.h"

/* Media types a did:web document may be served with (sent as Accept). */
#define VC_DIDWEB_ACCEPT "application/did+json, application/did+ld+json, application/json"
/* Least time between two refreshes of one did:web document caused by unknown kids. */
#define VC_DIDWEB_REFRESH_COOLDOWN_MS 60000u
/* How long the resolver keeps a did:web document before asking the fetcher again
 * (whose HTTP cache then decides whether the network is used). */
#define VC_DIDWEB_DOC_TTL_MS 300000u

/* The HTTPS URL of a did:web DID's document (rules in didweb.c). *url is new.
 * VC_ERR_DID_SYNTAX for a DID the rules refuse, VC_ERR_DID_METHOD if not did:web. */
VC_INTERNAL vc_status vc_didweb_url(const char *did, char **url, vc_error *err);

/* vc_resolver_add_web with a chosen cool-down and resolver lifetime (tests). */
VC_INTERNAL vc_status vc_didweb_register(vc_resolver *r, vc_fetcher *f, unsigned refresh_cooldown_ms,
                                         unsigned cache_ttl_ms, vc_error *err);

#endif /* VC_DIDWEB_INTERNAL_H */
