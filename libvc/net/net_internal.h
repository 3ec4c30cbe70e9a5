/*
 * net_internal.h - what the files of libvc/net share (and what their tests reach).
 * Not installed, not API.
 */
#ifndef VC_NET_INTERNAL_H
#define VC_NET_INTERNAL_H

#include <stdint.h>
#include <sys/socket.h>

#include "../internal.h"
#include "vc/net.h"

/* ------------------------------------------------------------------ addresses */

/* What kind of address a connection would go to. */
typedef enum vc_addr_class {
    VC_ADDR_PUBLIC = 0,  /* globally routable unicast */
    VC_ADDR_LOOPBACK,    /* 127.0.0.0/8, ::1 */
    VC_ADDR_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, 100.64/10, 198.18/15, fc00::/7, fec0::/10, 64:ff9b:1::/48 */
    VC_ADDR_LINK_LOCAL,  /* 169.254/16, fe80::/10 */
    VC_ADDR_UNSPECIFIED, /* 0.0.0.0, :: */
    VC_ADDR_MULTICAST,   /* 224/4, ff00::/8 */
    VC_ADDR_RESERVED,    /* 0/8, 240/4 (broadcast), 192.0.0/24, documentation, Teredo, unallocated IPv6 ... */
    VC_ADDR_BAD_FAMILY   /* not AF_INET / AF_INET6 */
} vc_addr_class;

/* Classify an IPv4 address given in host byte order. */
VC_INTERNAL vc_addr_class vc_net_classify_v4(uint32_t a);
/* Classify an IPv6 address (16 bytes, network order); embedded IPv4 forms
 * (::ffff:a.b.c.d, ::ffff:0:a.b.c.d, 64:ff9b::/96, 2002::/16) are classified by
 * the IPv4 address they carry. */
VC_INTERNAL vc_addr_class vc_net_classify_v6(const uint8_t a[16]);
/* Classify a socket address. */
VC_INTERNAL vc_addr_class vc_net_classify(const struct sockaddr *sa, size_t len);
/* Classify a textual IP literal ("127.0.0.1", "::1", "[::1]"); returns -1 when
 * text is not an IP literal. */
VC_INTERNAL int vc_net_classify_text(const char *text);
/* A short English name: "loopback", "private", ... Static storage. */
VC_INTERNAL const char *vc_net_class_name(vc_addr_class c);

/*
 * May a connection go to an address of class c under the fetcher flags?
 * http_request: the request is plain http (allowed only to loopback, and only
 * with VC_FETCH_ALLOW_HTTP_LOOPBACK).
 */
VC_INTERNAL int vc_net_class_allowed(vc_addr_class c, unsigned flags, int http_request);

/* "a.b.c.d" or "x:y::z" of a socket address into buf (at least 64 bytes). */
VC_INTERNAL const char *vc_net_sockaddr_text(const struct sockaddr *sa, char *buf, size_t cap);

/* ------------------------------------------------------------------ cache */

/* One cached response, as copied out of the cache (all strings new). */
typedef struct vc_net_entry {
    char *body;
    size_t len;
    char *content_type;
    char *etag;          /* may be NULL */
    char *last_modified; /* may be NULL */
    int64_t stored;      /* unix seconds */
    int64_t fresh_until; /* unix seconds; 0: must be revalidated before use */
} vc_net_entry;

VC_INTERNAL void vc_net_entry_clear(vc_net_entry *e);

typedef struct vc_net_cache vc_net_cache;

VC_INTERNAL vc_status vc_net_cache_new(vc_net_cache **out, vc_error *err);
VC_INTERNAL void vc_net_cache_free(vc_net_cache *c);
VC_INTERNAL void vc_net_cache_set_limits(vc_net_cache *c, size_t max_entries, size_t max_bytes);
/* Check / create the directory (see vc_fetcher_set_cache_dir). */
VC_INTERNAL vc_status vc_net_cache_set_dir(vc_net_cache *c, const char *dir, vc_error *err);
/* Copy the entry for url into *out (memory first, then disk). 1 found, 0 not. */
VC_INTERNAL int vc_net_cache_get(vc_net_cache *c, const char *url, vc_net_entry *out);
/* Store a copy of e for url (memory and disk), replacing any previous entry.
 * Entries larger than the byte bound are not stored. */
VC_INTERNAL void vc_net_cache_put(vc_net_cache *c, const char *url, const vc_net_entry *e);
/* Update the validators and freshness of the entry for url after a 304. 1 when
 * the entry was still there (and *out is a copy of the updated entry). */
VC_INTERNAL int vc_net_cache_refresh(vc_net_cache *c, const char *url, const char *etag, const char *last_modified,
                                     int64_t fresh_until, vc_net_entry *out);
VC_INTERNAL void vc_net_cache_remove(vc_net_cache *c, const char *url);
/* Drop the memory entries. */
VC_INTERNAL void vc_net_cache_clear(vc_net_cache *c);
VC_INTERNAL size_t vc_net_cache_count(vc_net_cache *c);

/* ------------------------------------------------------------------ HTTP helpers */

/* Parsed caching headers of a response. */
typedef struct vc_net_cache_info {
    int no_store;
    int no_cache;
    int has_lifetime;  /* max-age or Expires given */
    int64_t lifetime;  /* seconds, after Age and the VC_FETCH_CACHE_MAX_TTL_S cut */
} vc_net_cache_info;

/* Parse one Cache-Control header value into ci (directives accumulate). */
VC_INTERNAL void vc_net_parse_cache_control(const char *value, vc_net_cache_info *ci);

/* The media type of a Content-Type value ("Application/JSON; charset=x" ->
 * "application/json") into buf; 0 when it is empty or too long. */
VC_INTERNAL int vc_net_media_type(const char *value, char *buf, size_t cap);

/* vc_fetcher_get, and *http_status (optional) receives the HTTP status when the
 * result is VC_ERR_NET_HTTP (0 otherwise), e.g. so that did:web maps 404 to
 * VC_ERR_DID_NOT_FOUND. */
VC_INTERNAL vc_status vc_net_get(vc_fetcher *f, const char *url, const char *accept, unsigned flags, char **body,
                                 size_t *len, char **content_type, long *http_status, vc_error *err);

/* Monotonic milliseconds. */
VC_INTERNAL int64_t vc_net_now_ms(void);

#endif /* VC_NET_INTERNAL_H */
