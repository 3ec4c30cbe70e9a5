/*
 * didweb.c - did:web (https://w3c-ccg.github.io/did-method-web/), a resolver
 * method plug-in that fetches DID documents over HTTPS through a vc_fetcher.
 *
 * From DID to URL (vc_didweb_url), with the rules libvc enforces:
 *   did:web:example.com                  -> https://example.com/.well-known/did.json
 *   did:web:example.com:user:alice       -> https://example.com/user/alice/did.json
 *   did:web:localhost%3A8443             -> https://localhost:8443/.well-known/did.json
 *  - the method-specific id is split on ':'; no segment may be empty;
 *  - the host (first segment) is a DNS name in lower case: labels of a-z, 0-9
 *    and '-', 1 to 63 characters, not starting or ending with '-', at most 253
 *    characters in all, no trailing dot. Upper case is refused rather than
 *    folded, because the document's id must equal the DID byte for byte: a DID
 *    with "Example.com" could never match the document at example.com;
 *  - IP addresses are refused (the spec forbids them), in every form that a
 *    resolver would accept: dotted, short ("127.1"), hex, octal, one number, and
 *    any host whose last label is all digits; IPv6 literals cannot be written;
 *  - the only percent-encoding allowed in the host is one "%3A" before a port
 *    of 1 to 65535 written without leading zeros;
 *  - path segments are percent-decoded and refused when the result holds '/',
 *    '\', '?', '#', '@', '%', a space or a control character, is "." or "..",
 *    or is not valid UTF-8; they are re-encoded (RFC 3986 unreserved characters
 *    kept) so that nothing can change the URL's host or path structure.
 *
 * The document comes back with the media type application/did+json,
 * application/did+ld+json or application/json (VC_ERR_NET_CONTENT_TYPE
 * otherwise), within the fetcher's limits; the resolver then checks it (its id
 * must equal the DID: VC_ERR_DID_DOCUMENT) like any document. This plug-in never
 * changes the document. HTTP 404 / 410 become VC_ERR_DID_NOT_FOUND; other
 * failures keep their VC_ERR_NET_* code, with the URL in the error path.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../net/net_internal.h"
#include "did_internal.h"
#include "didweb_internal.h"

static int is_lower_ldh(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Check the host; n characters at h. */
static vc_status check_host(const char *did, const char *h, size_t n, vc_error *err)
{
    char q[VC_DID_QUOTE_BUF];
    if (n == 0)
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "%s has an empty host", vc_did_quote(did, q));
    if (n > 253)
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "the host of %s is longer than 253 characters",
                       vc_did_quote(did, q));
    size_t label = 0;
    const char *last_label = h;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (c == '.') {
            if (label == 0 || h[i - 1] == '-')
                return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                               "the host of %s has an empty label or a label ending with '-' (trailing dots are "
                               "refused too)",
                               vc_did_quote(did, q));
            label = 0;
            last_label = h + i + 1;
            continue;
        }
        if (c >= 'A' && c <= 'Z')
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                           "the host of %s has upper-case letters: write it in lower case (the document's id must "
                           "equal the DID exactly)",
                           vc_did_quote(did, q));
        if (!is_lower_ldh(c))
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                           "the host of %s has the character '%c': a did:web host is a DNS name (a-z, 0-9, '-', "
                           "'.')",
                           vc_did_quote(did, q), c);
        if (label == 0 && c == '-')
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "a label of the host of %s starts with '-'",
                           vc_did_quote(did, q));
        if (++label > 63)
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "a label of the host of %s is longer than 63 characters",
                           vc_did_quote(did, q));
    }
    if (label == 0 || h[n - 1] == '-')
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                       "the host of %s ends with '.' or '-' (trailing dots are refused)", vc_did_quote(did, q));
    /* IP addresses in any form a resolver takes: inet_aton accepts "127.1",
     * "0x7f.1", "017700000001", "2130706433"; a numeric last label is no TLD. */
    char buf[254];
    memcpy(buf, h, n);
    buf[n] = '\0';
    struct in_addr a;
    size_t ll = n - (size_t)(last_label - h);
    int numeric_tld = strspn(last_label, "0123456789") >= ll;
    if (inet_aton(buf, &a) != 0 || numeric_tld)
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                       "%s names an IP address; did:web needs a DNS name (the certificate must name the host)",
                       vc_did_quote(did, q));
    return VC_OK;
}

/* Decode a path segment, check it, and append it re-encoded to out (with a '/'). */
static vc_status add_segment(const char *did, const char *s, size_t n, char *out, size_t cap, size_t *off,
                             vc_error *err)
{
    char q[VC_DID_QUOTE_BUF];
    unsigned char dec[VC_MAX_DID_LENGTH];
    size_t dn = 0;
    if (n == 0)
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                       "%s has an empty path segment (\"::\" or a ':' at the end)", vc_did_quote(did, q));
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "%s has a bad percent-encoding", vc_did_quote(did, q));
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if (c <= 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '?' || c == '#' || c == '@' || c == '%')
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                           "a path segment of %s decodes to a character that is not allowed (0x%02x: '/', '\\', "
                           "'?', '#', '@', '%%', space and control characters are refused)",
                           vc_did_quote(did, q), c);
        dec[dn++] = c;
    }
    if ((dn == 1 && dec[0] == '.') || (dn == 2 && dec[0] == '.' && dec[1] == '.'))
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "%s has a \".\" or \"..\" path segment", vc_did_quote(did, q));
    if (!vc_utf8_valid(dec, dn))
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "a path segment of %s is not valid UTF-8 once decoded",
                       vc_did_quote(did, q));
    if (*off + 1 >= cap)
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "%s gives a URL that is too long", vc_did_quote(did, q));
    out[(*off)++] = '/';
    for (size_t i = 0; i < dn; i++) {
        unsigned char c = dec[i];
        int unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                         c == '.' || c == '_' || c == '~';
        if (*off + 4 >= cap)
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "%s gives a URL that is too long", vc_did_quote(did, q));
        if (unreserved)
            out[(*off)++] = (char)c;
        else
            *off += (size_t)snprintf(out + *off, cap - *off, "%%%02X", c);
    }
    out[*off] = '\0';
    return VC_OK;
}

vc_status vc_didweb_url(const char *did, char **url, vc_error *err)
{
    if (url)
        *url = NULL;
    if (!did || !url)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_didweb_url: NULL argument");
    char q[VC_DID_QUOTE_BUF];
    vc_status st = vc_did_check_syntax(did, err);
    if (st != VC_OK)
        return st;
    if (strncmp(did, "did:web:", 8) != 0)
        return vc_fail(err, VC_ERR_DID_METHOD, NULL, "%s is not a did:web DID", vc_did_quote(did, q));
    const char *msid = did + 8;

    char out[VC_FETCH_MAX_URL_LENGTH + 1];
    size_t off = (size_t)snprintf(out, sizeof out, "https://");

    /* host [%3A port] */
    size_t seg = strcspn(msid, ":");
    const char *pct = memchr(msid, '%', seg);
    size_t host_len = pct ? (size_t)(pct - msid) : seg;
    if ((st = check_host(did, msid, host_len, err)) != VC_OK)
        return st;
    memcpy(out + off, msid, host_len);
    off += host_len;
    if (pct) {
        if (!(pct[1] == '3' && (pct[2] == 'A' || pct[2] == 'a')))
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                           "the host of %s has a percent-encoding other than the %%3A before a port",
                           vc_did_quote(did, q));
        const char *port = pct + 3;
        size_t pl = seg - host_len - 3;
        unsigned long v = 0;
        for (size_t i = 0; i < pl; i++)
            v = port[i] >= '0' && port[i] <= '9' && v < 100000 ? v * 10 + (unsigned long)(port[i] - '0') : 100000;
        if (pl == 0 || pl > 5 || port[0] == '0' || v == 0 || v > 65535)
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                           "the port of %s must be a number from 1 to 65535 without leading zeros",
                           vc_did_quote(did, q));
        off += (size_t)snprintf(out + off, sizeof out - off, ":%lu", v);
    }

    /* path segments */
    const char *p = msid + seg;
    if (*p == '\0') {
        off += (size_t)snprintf(out + off, sizeof out - off, "/.well-known");
    } else {
        while (*p == ':') {
            p++;
            size_t n = strcspn(p, ":");
            if ((st = add_segment(did, p, n, out, sizeof out - 16, &off, err)) != VC_OK)
                return st;
            p += n;
        }
    }
    off += (size_t)snprintf(out + off, sizeof out - off, "/did.json");
    if (off >= sizeof out)
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "%s gives a URL that is too long", vc_did_quote(did, q));
    if (!(*url = vc_strdup(out)))
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    return VC_OK;
}

static vc_status web_fetch(vc_fetcher *f, const char *did, unsigned flags, char **doc_json, vc_error *err)
{
    *doc_json = NULL;
    char *url = NULL, *body = NULL;
    size_t len = 0;
    long status = 0;
    char q[VC_DID_QUOTE_BUF], pb[VC_ERROR_PATH_MAX];
    vc_status st = vc_didweb_url(did, &url, err);
    if (st != VC_OK)
        return st;
    vc_error e;
    vc_error_clear(&e);
    st = vc_net_get(f, url, VC_DIDWEB_ACCEPT, flags, &body, &len, NULL, &status, &e);
    if (st == VC_ERR_NET_HTTP && (status == 404 || status == 410)) {
        snprintf(pb, sizeof pb, "%s", e.path);
        st = vc_fail(err, VC_ERR_DID_NOT_FOUND, pb, "%s does not exist: %s answered HTTP %ld", vc_did_quote(did, q),
                     pb, status);
    } else if (st != VC_OK) {
        vc_error_copy(err, &e);
    } else if (memchr(body, '\0', len)) {
        snprintf(pb, sizeof pb, "%s", url);
        st = vc_fail(err, VC_ERR_DID_DOCUMENT, pb, "the DID document of %s contains a NUL byte", vc_did_quote(did, q));
    } else {
        *doc_json = body;
        body = NULL;
    }
    free(body);
    free(url);
    return st;
}

static vc_status web_resolve(void *ctx, const char *did, char **doc_json, vc_error *err)
{
    return web_fetch(ctx, did, 0, doc_json, err);
}

static vc_status web_refresh(void *ctx, const char *did, char **doc_json, vc_error *err)
{
    return web_fetch(ctx, did, VC_FETCH_REVALIDATE, doc_json, err);
}

vc_status vc_didweb_register(vc_resolver *r, vc_fetcher *f, unsigned refresh_cooldown_ms, unsigned cache_ttl_ms,
                             vc_error *err)
{
    if (!r || !f)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_resolver_add_web: NULL argument");
    vc_did_method_ext ext = {web_refresh, refresh_cooldown_ms, cache_ttl_ms, NULL};
    return vc_resolver_add_method_ext(r, "web", web_resolve, f, &ext, err);
}

vc_status vc_resolver_add_web(vc_resolver *r, vc_fetcher *fetcher, vc_error *err)
{
    return vc_didweb_register(r, fetcher, VC_DIDWEB_REFRESH_COOLDOWN_MS, VC_DIDWEB_DOC_TTL_MS, err);
}
