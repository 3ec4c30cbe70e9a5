/*
 * vc/net.h - the one way libvc reaches the network: an HTTPS fetcher on libcurl
 * with safe defaults, limits, a cache and an offline mode.
 *
 * Safe by default:
 *  - https only. Plain http is accepted only for loopback hosts ("localhost",
 *    127.0.0.0/8, [::1]) and only when VC_FETCH_ALLOW_HTTP_LOOPBACK is set.
 *    Every other scheme (file:, ftp:, gopher:, ...) is always refused
 *    (VC_ERR_NET_SCHEME). URLs with user:password are refused.
 *  - TLS certificates and host names are always verified; there is no option to
 *    turn that off. vc_fetcher_add_ca_file adds trust anchors to the system's.
 *  - Every connection is checked, at connect time, against the address that was
 *    actually resolved (so DNS rebinding cannot get round it): loopback, private
 *    (RFC 1918, fc00::/7, CGNAT 100.64.0.0/10, 198.18.0.0/15), link-local
 *    (169.254.0.0/16, fe80::/10), unspecified, multicast, broadcast/reserved and
 *    the IPv4-mapped / NAT64 / 6to4 forms of those are refused
 *    (VC_ERR_NET_ADDRESS) unless VC_FETCH_ALLOW_LOOPBACK / VC_FETCH_ALLOW_PRIVATE
 *    say otherwise. Link-local (cloud metadata), unspecified, multicast and
 *    reserved addresses are never allowed. Proxies (including http_proxy and
 *    friends in the environment) are not used.
 *  - Redirects are followed by libvc itself, at most VC_FETCH_DEFAULT_MAX_REDIRECTS
 *    hops, each hop checked against the same scheme and address rules
 *    (VC_ERR_NET_REDIRECT when a hop is refused or there are too many).
 *  - Connect and total timeouts (VC_ERR_NET_TIMEOUT) and a response size cap
 *    (VC_ERR_NET_SIZE; the transfer is aborted as soon as the cap is passed).
 *  - The response's media type must be one the caller expects
 *    (VC_ERR_NET_CONTENT_TYPE); the status must be 200 (VC_ERR_NET_HTTP).
 *
 * Every error names the URL the caller asked for in vc_error.path (cut to fit)
 * and says in the message what happened and at which hop.
 *
 * A vc_fetcher is configured first (vc_fetcher_set_*, vc_fetcher_add_*), then
 * may be shared by any number of threads calling vc_fetcher_get. Configuration
 * calls must not run concurrently with fetches. libvc asks libcurl not to use
 * signals (CURLOPT_NOSIGNAL) and never changes signal handlers: as with any
 * threaded libcurl program, ignore SIGPIPE in the application.
 */
#ifndef VC_NET_H
#define VC_NET_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Named defaults and limits ---- */
#define VC_FETCH_DEFAULT_CONNECT_TIMEOUT_MS 5000u  /* TCP connect + TLS handshake */
#define VC_FETCH_DEFAULT_TIMEOUT_MS         15000u /* whole fetch, all redirect hops included */
#define VC_FETCH_DEFAULT_MAX_BYTES          VC_MAX_INPUT_BYTES /* largest response body */
#define VC_FETCH_DEFAULT_MAX_REDIRECTS      3u     /* redirect hops followed */
#define VC_FETCH_MAX_REDIRECTS_LIMIT        10u    /* largest value vc_fetcher_set_limits accepts */
#define VC_FETCH_MAX_URL_LENGTH             2048u  /* longest URL accepted (also for Location) */
#define VC_FETCH_CACHE_DEFAULT_ENTRIES      256u   /* responses kept (memory; also the disk bound) */
#define VC_FETCH_CACHE_DEFAULT_BYTES        (16u * 1024u * 1024u) /* body bytes kept (idem) */
#define VC_FETCH_CACHE_MAX_TTL_S            86400u /* a max-age above this is cut to it */
#define VC_FETCH_MAX_STATIC                 4096u  /* documents vc_fetcher_add_static accepts */
#define VC_FETCH_MAX_CONNECT_TO             64u    /* mappings vc_fetcher_add_connect_to accepts */

/* ---- Fetcher flags (vc_fetcher_set_flags) ---- */
#define VC_FETCH_OFFLINE             0x01u /* never use the network: cache and static documents only */
#define VC_FETCH_ALLOW_LOOPBACK      0x02u /* allow connecting to 127.0.0.0/8 and ::1 */
#define VC_FETCH_ALLOW_PRIVATE       0x04u /* allow RFC 1918, fc00::/7, 100.64/10, 198.18/15 */
#define VC_FETCH_ALLOW_HTTP_LOOPBACK 0x08u /* accept http:// for loopback hosts (connects only to loopback) */

/* ---- Request flags (vc_fetcher_get) ---- */
#define VC_FETCH_REVALIDATE 0x01u /* do not trust a fresh cache entry: ask the server (conditionally) */
#define VC_FETCH_NO_CACHE   0x02u /* neither read nor write the cache for this request */

typedef struct vc_fetcher vc_fetcher;

/* Counters, for tests and monitoring. Monotonic over the fetcher's life. */
typedef struct vc_fetcher_stats {
    uint64_t requests;      /* HTTP requests sent (each redirect hop counts) */
    uint64_t cache_hits;    /* answered from a fresh memory or disk cache entry, no request */
    uint64_t revalidated;   /* 304 Not Modified answers (cached body reused) */
    uint64_t static_hits;   /* answered from a document given to vc_fetcher_add_static */
    uint64_t offline_hits;  /* answered from a stale cache entry because of VC_FETCH_OFFLINE */
    uint64_t refused;       /* requests or connections refused by the scheme/address rules */
} vc_fetcher_stats;

/*
 * A new fetcher with the defaults above: online, https only, public addresses
 * only, memory cache on, no disk cache. Initialises libcurl once per process
 * (thread-safe). Free with vc_fetcher_free.
 * Errors: VC_ERR_NOMEM, VC_ERR_NET (libcurl could not be initialised, or it is
 * not built with OpenSSL).
 */
VC_API vc_status vc_fetcher_new(vc_fetcher **out, vc_error *err);
VC_API void vc_fetcher_free(vc_fetcher *f);

/* Replace the flags (VC_FETCH_OFFLINE | VC_FETCH_ALLOW_*). VC_ERR_INVALID_ARG for unknown bits. */
VC_API vc_status vc_fetcher_set_flags(vc_fetcher *f, unsigned flags, vc_error *err);

/* Timeouts in milliseconds (0 keeps the current value). The total timeout covers
 * the whole fetch, redirects included. VC_ERR_INVALID_ARG when connect > total. */
VC_API vc_status vc_fetcher_set_timeouts(vc_fetcher *f, unsigned connect_ms, unsigned total_ms, vc_error *err);

/* Largest response body in bytes (1 .. 64 MiB) and redirect hops (0 .. VC_FETCH_MAX_REDIRECTS_LIMIT). */
VC_API vc_status vc_fetcher_set_limits(vc_fetcher *f, size_t max_bytes, unsigned max_redirects, vc_error *err);

/*
 * Trust the CA certificates of a PEM file in addition to the system's (e.g. a
 * private PKI, or a test CA). Read and checked now (VC_ERR_IO, VC_ERR_NET_TLS
 * when it holds no certificate). May be called several times.
 */
VC_API vc_status vc_fetcher_add_ca_file(vc_fetcher *f, const char *pem_path, vc_error *err);

/*
 * Connect somewhere else for a host and port, as libcurl's CURLOPT_CONNECT_TO:
 * mapping is "HOST:PORT:CONNECT-HOST:CONNECT-PORT" (e.g.
 * "register.example:443:127.0.0.1:8443"): requests to HOST:PORT open their
 * connection to CONNECT-HOST:CONNECT-PORT instead, for split DNS and tests.
 * Only the connection moves: the URL, the Host header, TLS SNI and the
 * certificate's host name check stay those of HOST, and the address rules apply
 * to the address actually connected to (so a loopback CONNECT-HOST needs
 * VC_FETCH_ALLOW_LOOPBACK). Hosts are DNS names or [IPv6] literals, ports
 * 1-65535, nothing empty. The string is copied; at most VC_FETCH_MAX_CONNECT_TO
 * mappings (VC_ERR_LIMIT); VC_ERR_INVALID_ARG for a malformed mapping.
 */
VC_API vc_status vc_fetcher_add_connect_to(vc_fetcher *f, const char *mapping, vc_error *err);

/*
 * Bounds of the cache (entries and body bytes; 0 entries turns caching off).
 * The same bounds apply to the disk cache directory when one is set.
 */
VC_API vc_status vc_fetcher_set_cache_limits(vc_fetcher *f, size_t max_entries, size_t max_bytes, vc_error *err);

/*
 * Also keep responses in a directory (created with mode 0700 when missing; it
 * must be owned by the current user and not writable by group or others, since
 * what it holds is trusted like a download: VC_ERR_IO otherwise). Entries
 * survive the process and are shared by fetchers that name the same directory.
 * Files are written atomically; a damaged file is ignored and removed.
 */
VC_API vc_status vc_fetcher_set_cache_dir(vc_fetcher *f, const char *dir, vc_error *err);

/*
 * Supply a document for a URL: it is served for that URL in every mode (before
 * the cache or the network), e.g. a DID document given on the command line for
 * offline verification. body (len bytes) and content_type are copied; the URL
 * must pass the scheme rules (VC_ERR_NET_SCHEME) and a URL is given once
 * (VC_ERR_INVALID_ARG).
 */
VC_API vc_status vc_fetcher_add_static(vc_fetcher *f, const char *url, const char *body, size_t len,
                                       const char *content_type, vc_error *err);

/*
 * GET url and return its body.
 *  accept: the media types the caller takes, comma separated, e.g.
 *          "application/did+json, application/did+ld+json, application/json"; it is
 *          sent as the Accept header and the response's Content-Type (parameters
 *          ignored, case-insensitive) must be one of them (VC_ERR_NET_CONTENT_TYPE).
 *          The wildcard type (star, slash, star) accepts any type. Required.
 *  flags:  VC_FETCH_REVALIDATE, VC_FETCH_NO_CACHE or 0.
 *  *body:  new, NUL-terminated (the NUL is not counted in *len; the body itself
 *          may hold NUL bytes); caller frees with vc_free.
 *  content_type (optional): *content_type receives the response's media type, new.
 * Caching: responses are cached unless Cache-Control says no-store; a fresh entry
 * (max-age, or Expires, at most VC_FETCH_CACHE_MAX_TTL_S) is served without a
 * request; a stale or no-cache one is revalidated with If-None-Match /
 * If-Modified-Since when the server gave an ETag / Last-Modified, re-fetched
 * otherwise. With VC_FETCH_OFFLINE any cached entry, fresh or stale, is served.
 * Errors: VC_ERR_INVALID_ARG (NULL, malformed URL, credentials in the URL),
 * VC_ERR_NET_SCHEME, VC_ERR_NET_ADDRESS, VC_ERR_NET_REDIRECT, VC_ERR_NET_TLS,
 * VC_ERR_NET_TIMEOUT, VC_ERR_NET_HTTP, VC_ERR_NET_CONTENT_TYPE, VC_ERR_NET_SIZE,
 * VC_ERR_NET_OFFLINE, VC_ERR_NET (DNS failure, connection refused, ...), VC_ERR_NOMEM.
 */
VC_API vc_status vc_fetcher_get(vc_fetcher *f, const char *url, const char *accept, unsigned flags, char **body,
                                size_t *len, char **content_type, vc_error *err);

/* A snapshot of the counters. */
VC_API void vc_fetcher_get_stats(const vc_fetcher *f, vc_fetcher_stats *out);

/* Drop every memory cache entry (the disk cache and static documents stay). */
VC_API void vc_fetcher_clear_cache(vc_fetcher *f);

#ifdef __cplusplus
}
#endif
#endif /* VC_NET_H */
