/*
 * addr.c - which addresses a fetch may connect to (the SSRF rules).
 *
 * The fetcher calls vc_net_classify on the socket address of every connection
 * attempt, from libcurl's open-socket callback, i.e. on the address that DNS
 * actually returned, just before connect(2). A host name that resolves to a
 * private address, or that changes its answer between two lookups (DNS
 * rebinding), is therefore refused whatever its name says.
 *
 * IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:0:0/96, IPv4-translated
 * ::ffff:0:0:0/96, the NAT64 well-known prefix 64:ff9b::/96, 6to4 2002::/16) are
 * classified by the IPv4 address inside, so that ::ffff:127.0.0.1 is loopback and
 * ::ffff:10.0.0.1 is private. Everything outside the global unicast range
 * 2000::/3 that is not listed is reserved.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "net_internal.h"

static int in4(uint32_t a, uint32_t net, unsigned bits)
{
    uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
    return (a & mask) == (net & mask);
}

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

vc_addr_class vc_net_classify_v4(uint32_t a)
{
    if (a == 0)
        return VC_ADDR_UNSPECIFIED;
    if (in4(a, IP4(0, 0, 0, 0), 8)) /* "this network" */
        return VC_ADDR_RESERVED;
    if (in4(a, IP4(127, 0, 0, 0), 8))
        return VC_ADDR_LOOPBACK;
    if (in4(a, IP4(10, 0, 0, 0), 8) || in4(a, IP4(172, 16, 0, 0), 12) || in4(a, IP4(192, 168, 0, 0), 16) ||
        in4(a, IP4(100, 64, 0, 0), 10) /* CGNAT */ || in4(a, IP4(198, 18, 0, 0), 15) /* benchmarking */)
        return VC_ADDR_PRIVATE;
    if (in4(a, IP4(169, 254, 0, 0), 16))
        return VC_ADDR_LINK_LOCAL;
    if (in4(a, IP4(224, 0, 0, 0), 4))
        return VC_ADDR_MULTICAST;
    if (in4(a, IP4(240, 0, 0, 0), 4) /* reserved, and 255.255.255.255 */ ||
        in4(a, IP4(192, 0, 0, 0), 24) /* IETF protocol assignments */ ||
        in4(a, IP4(192, 0, 2, 0), 24) || in4(a, IP4(198, 51, 100, 0), 24) ||
        in4(a, IP4(203, 0, 113, 0), 24) /* documentation */ || in4(a, IP4(192, 88, 99, 0), 24) /* 6to4 relay */)
        return VC_ADDR_RESERVED;
    return VC_ADDR_PUBLIC;
}

static uint32_t v4_at(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static int zeros(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

vc_addr_class vc_net_classify_v6(const uint8_t a[16])
{
    if (zeros(a, 15)) {
        if (a[15] == 0)
            return VC_ADDR_UNSPECIFIED;
        if (a[15] == 1)
            return VC_ADDR_LOOPBACK;
    }
    /* ::ffff:a.b.c.d (IPv4-mapped) */
    if (zeros(a, 10) && a[10] == 0xff && a[11] == 0xff)
        return vc_net_classify_v4(v4_at(a + 12));
    /* ::ffff:0:a.b.c.d (IPv4-translated, SIIT) */
    if (zeros(a, 8) && a[8] == 0xff && a[9] == 0xff && a[10] == 0 && a[11] == 0)
        return vc_net_classify_v4(v4_at(a + 12));
    /* ::a.b.c.d (deprecated IPv4-compatible) and the rest of ::/96 */
    if (zeros(a, 12))
        return VC_ADDR_RESERVED;
    /* 64:ff9b::/96, NAT64 well-known prefix */
    static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    if (memcmp(a, nat64, 12) == 0)
        return vc_net_classify_v4(v4_at(a + 12));
    /* 64:ff9b:1::/48, NAT64 local use */
    static const uint8_t nat64_local[6] = {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01};
    if (memcmp(a, nat64_local, 6) == 0)
        return VC_ADDR_PRIVATE;
    if (a[0] == 0xff)
        return VC_ADDR_MULTICAST;
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return VC_ADDR_LINK_LOCAL;
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) /* fec0::/10, deprecated site-local */
        return VC_ADDR_PRIVATE;
    if ((a[0] & 0xfe) == 0xfc) /* fc00::/7 unique local */
        return VC_ADDR_PRIVATE;
    /* 2002::/16, 6to4: the IPv4 address is in bytes 2..5 */
    if (a[0] == 0x20 && a[1] == 0x02)
        return vc_net_classify_v4(v4_at(a + 2));
    /* 2001::/32 Teredo, 2001:db8::/32 documentation, 2001:2::/48 benchmarking */
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && a[3] == 0x00)
        return VC_ADDR_RESERVED;
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
        return VC_ADDR_RESERVED;
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && a[3] == 0x02 && a[4] == 0 && a[5] == 0)
        return VC_ADDR_PRIVATE;
    /* 100::/64 discard-only */
    if (a[0] == 0x01 && zeros(a + 1, 7))
        return VC_ADDR_RESERVED;
    if ((a[0] & 0xe0) != 0x20) /* outside 2000::/3 global unicast */
        return VC_ADDR_RESERVED;
    return VC_ADDR_PUBLIC;
}

vc_addr_class vc_net_classify(const struct sockaddr *sa, size_t len)
{
    if (!sa)
        return VC_ADDR_BAD_FAMILY;
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
        return vc_net_classify_v4(ntohl(s4->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
        return vc_net_classify_v6(s6->sin6_addr.s6_addr);
    }
    return VC_ADDR_BAD_FAMILY;
}

int vc_net_classify_text(const char *text)
{
    char buf[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(text);
    if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
        if (n - 2 >= sizeof buf)
            return -1;
        memcpy(buf, text + 1, n - 2);
        buf[n - 2] = '\0';
        text = buf;
    }
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, text, &a4) == 1)
        return (int)vc_net_classify_v4(ntohl(a4.s_addr));
    if (inet_pton(AF_INET6, text, &a6) == 1)
        return (int)vc_net_classify_v6(a6.s6_addr);
    return -1;
}

const char *vc_net_class_name(vc_addr_class c)
{
    switch (c) {
    case VC_ADDR_PUBLIC: return "public";
    case VC_ADDR_LOOPBACK: return "loopback";
    case VC_ADDR_PRIVATE: return "private";
    case VC_ADDR_LINK_LOCAL: return "link-local";
    case VC_ADDR_UNSPECIFIED: return "unspecified";
    case VC_ADDR_MULTICAST: return "multicast";
    case VC_ADDR_RESERVED: return "reserved";
    default: return "non-IP";
    }
}

int vc_net_class_allowed(vc_addr_class c, unsigned flags, int http_request)
{
    if (http_request) /* plain http goes to loopback only */
        return c == VC_ADDR_LOOPBACK && (flags & VC_FETCH_ALLOW_HTTP_LOOPBACK);
    switch (c) {
    case VC_ADDR_PUBLIC: return 1;
    case VC_ADDR_LOOPBACK: return (flags & VC_FETCH_ALLOW_LOOPBACK) != 0;
    case VC_ADDR_PRIVATE: return (flags & VC_FETCH_ALLOW_PRIVATE) != 0;
    default: return 0; /* link-local (cloud metadata), unspecified, multicast, reserved: never */
    }
}

const char *vc_net_sockaddr_text(const struct sockaddr *sa, char *buf, size_t cap)
{
    const void *src = NULL;
    if (sa->sa_family == AF_INET)
        src = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6)
        src = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    if (!src || !inet_ntop(sa->sa_family, src, buf, (socklen_t)cap))
        snprintf(buf, cap, "(address family %d)", (int)sa->sa_family);
    return buf;
}
