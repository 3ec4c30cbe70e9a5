/* test_net.c - the fetcher (libvc/net) against a real HTTPS server on 127.0.0.1
 * (tests/https_server.py, started once per test case, CA made at start-up),
 * plus the address rules and header parsing without any network.
 * No test resolves or connects to anything but loopback: non-loopback addresses
 * appear only as literals that the rules refuse before any connection. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net/net_internal.h"
#include "net/test_server.h"
#include "testutil.h"

static tu_server srv;

static void server_up(void)
{
    if (tu_server_start(&srv) != 0)
        fprintf(stderr, "test_net: the test server did not start\n");
}

static void server_down(void)
{
    tu_server_stop(&srv);
}

#define NEED_SERVER() ck_assert_msg(srv.pid > 0, "the loopback HTTPS server is not running")
/* VC_TEST_NO_TIMING=1 (set by .ci/run for the valgrind run, where everything is
 * 20-50x slower) skips the tests whose assertions depend on wall-clock timing. */
#define SKIP_IF_NO_TIMING()                                                            \
    do {                                                                               \
        const char *nt_ = getenv("VC_TEST_NO_TIMING");                                 \
        if (nt_ && *nt_ && strcmp(nt_, "0") != 0) {                                    \
            fprintf(stderr, "%s: skipped (VC_TEST_NO_TIMING)\n", __func__);           \
            return;                                                                    \
        }                                                                              \
    } while (0)

static int64_t ms_since(int64_t t0)
{
    return vc_net_now_ms() - t0;
}

/* GET and expect a status; returns the body (caller frees) on VC_OK. */
static char *get_expect(vc_fetcher *f, const char *url, const char *accept, unsigned flags, vc_status want,
                        size_t *len, vc_error *e)
{
    char *body = NULL;
    vc_error_clear(e);
    tu_assert_status(vc_fetcher_get(f, url, accept, flags, &body, len, NULL, e), want, e);
    if (want != VC_OK) {
        ck_assert_ptr_null(body);
        ck_assert_msg(e->message[0] != '\0', "no message for %s", vc_status_name(want));
        ck_assert_msg(strncmp(e->path, url, strlen(e->path) > 4 ? strlen(e->path) - 4 : 0) == 0,
                      "error path '%s' should be the URL %s", e->path, url);
    }
    return body;
}

static vc_fetcher_stats stats(const vc_fetcher *f)
{
    vc_fetcher_stats s;
    vc_fetcher_get_stats(f, &s);
    return s;
}

/* ------------------------------------------------------------------ no network */

START_TEST(t_classify)
{
    static const struct {
        const char *ip;
        vc_addr_class c;
    } cases[] = {
        {"8.8.8.8", VC_ADDR_PUBLIC},          {"1.1.1.1", VC_ADDR_PUBLIC},
        {"127.0.0.1", VC_ADDR_LOOPBACK},      {"127.255.255.254", VC_ADDR_LOOPBACK},
        {"10.0.0.1", VC_ADDR_PRIVATE},        {"172.16.0.1", VC_ADDR_PRIVATE},
        {"172.31.255.255", VC_ADDR_PRIVATE},  {"172.32.0.1", VC_ADDR_PUBLIC},
        {"192.168.1.1", VC_ADDR_PRIVATE},     {"100.64.0.1", VC_ADDR_PRIVATE},
        {"100.127.255.255", VC_ADDR_PRIVATE}, {"100.128.0.1", VC_ADDR_PUBLIC},
        {"198.18.0.1", VC_ADDR_PRIVATE},      {"169.254.169.254", VC_ADDR_LINK_LOCAL},
        {"0.0.0.0", VC_ADDR_UNSPECIFIED},     {"0.1.2.3", VC_ADDR_RESERVED},
        {"224.0.0.1", VC_ADDR_MULTICAST},     {"239.255.255.250", VC_ADDR_MULTICAST},
        {"255.255.255.255", VC_ADDR_RESERVED}, {"240.0.0.1", VC_ADDR_RESERVED},
        {"192.0.2.1", VC_ADDR_RESERVED},      {"192.0.0.170", VC_ADDR_RESERVED},
        {"::", VC_ADDR_UNSPECIFIED},          {"::1", VC_ADDR_LOOPBACK},
        {"[::1]", VC_ADDR_LOOPBACK},          {"::ffff:127.0.0.1", VC_ADDR_LOOPBACK},
        {"::ffff:10.1.2.3", VC_ADDR_PRIVATE}, {"::ffff:169.254.169.254", VC_ADDR_LINK_LOCAL},
        {"::ffff:8.8.8.8", VC_ADDR_PUBLIC},   {"::ffff:0:127.0.0.1", VC_ADDR_LOOPBACK},
        {"::127.0.0.1", VC_ADDR_RESERVED},    {"64:ff9b::a00:1", VC_ADDR_PRIVATE},
        {"64:ff9b::7f00:1", VC_ADDR_LOOPBACK}, {"64:ff9b::808:808", VC_ADDR_PUBLIC},
        {"64:ff9b:1::1", VC_ADDR_PRIVATE},    {"2002:7f00:1::1", VC_ADDR_LOOPBACK},
        {"2002:a00:1::1", VC_ADDR_PRIVATE},   {"2002:808:808::1", VC_ADDR_PUBLIC},
        {"fc00::1", VC_ADDR_PRIVATE},         {"fd12:3456::1", VC_ADDR_PRIVATE},
        {"fe80::1", VC_ADDR_LINK_LOCAL},      {"febf::1", VC_ADDR_LINK_LOCAL},
        {"fec0::1", VC_ADDR_PRIVATE},         {"ff02::1", VC_ADDR_MULTICAST},
        {"2001:db8::1", VC_ADDR_RESERVED},    {"2001::1", VC_ADDR_RESERVED},
        {"100::1", VC_ADDR_RESERVED},         {"4000::1", VC_ADDR_RESERVED},
        {"2606:4700:4700::1111", VC_ADDR_PUBLIC}, {"2a00:1450::1", VC_ADDR_PUBLIC},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int c = vc_net_classify_text(cases[i].ip);
        ck_assert_msg(c == (int)cases[i].c, "%s: got %s, want %s", cases[i].ip,
                      c < 0 ? "not-an-IP" : vc_net_class_name((vc_addr_class)c), vc_net_class_name(cases[i].c));
    }
    ck_assert_int_eq(vc_net_classify_text("localhost"), -1);
    ck_assert_int_eq(vc_net_classify_text("example.com"), -1);

    /* What each flag allows. */
    ck_assert(vc_net_class_allowed(VC_ADDR_PUBLIC, 0, 0));
    ck_assert(!vc_net_class_allowed(VC_ADDR_LOOPBACK, 0, 0));
    ck_assert(!vc_net_class_allowed(VC_ADDR_PRIVATE, 0, 0));
    ck_assert(vc_net_class_allowed(VC_ADDR_LOOPBACK, VC_FETCH_ALLOW_LOOPBACK, 0));
    ck_assert(!vc_net_class_allowed(VC_ADDR_PRIVATE, VC_FETCH_ALLOW_LOOPBACK, 0));
    ck_assert(vc_net_class_allowed(VC_ADDR_PRIVATE, VC_FETCH_ALLOW_PRIVATE, 0));
    ck_assert(!vc_net_class_allowed(VC_ADDR_LOOPBACK, VC_FETCH_ALLOW_PRIVATE, 0));
    const unsigned all = VC_FETCH_ALLOW_LOOPBACK | VC_FETCH_ALLOW_PRIVATE | VC_FETCH_ALLOW_HTTP_LOOPBACK;
    ck_assert(!vc_net_class_allowed(VC_ADDR_LINK_LOCAL, all, 0));
    ck_assert(!vc_net_class_allowed(VC_ADDR_UNSPECIFIED, all, 0));
    ck_assert(!vc_net_class_allowed(VC_ADDR_MULTICAST, all, 0));
    ck_assert(!vc_net_class_allowed(VC_ADDR_RESERVED, all, 0));
    ck_assert(!vc_net_class_allowed(VC_ADDR_BAD_FAMILY, all, 0));
    /* plain http: loopback only, and only with its flag */
    ck_assert(vc_net_class_allowed(VC_ADDR_LOOPBACK, VC_FETCH_ALLOW_HTTP_LOOPBACK, 1));
    ck_assert(!vc_net_class_allowed(VC_ADDR_LOOPBACK, VC_FETCH_ALLOW_LOOPBACK, 1));
    ck_assert(!vc_net_class_allowed(VC_ADDR_PUBLIC, all, 1));
    ck_assert(!vc_net_class_allowed(VC_ADDR_PRIVATE, all, 1));
}
END_TEST

START_TEST(t_cache_control)
{
    vc_net_cache_info ci;
    memset(&ci, 0, sizeof ci);
    vc_net_parse_cache_control("public, max-age=60", &ci);
    ck_assert(ci.has_lifetime && ci.lifetime == 60 && !ci.no_store && !ci.no_cache);
    memset(&ci, 0, sizeof ci);
    vc_net_parse_cache_control("No-Store", &ci);
    ck_assert(ci.no_store && !ci.has_lifetime);
    memset(&ci, 0, sizeof ci);
    vc_net_parse_cache_control("no-cache, max-age=\"30\"", &ci);
    ck_assert(ci.no_cache && ci.has_lifetime && ci.lifetime == 30);
    memset(&ci, 0, sizeof ci);
    vc_net_parse_cache_control("max-age=abc", &ci);
    ck_assert(ci.has_lifetime && ci.lifetime == 0); /* malformed: stale */
    memset(&ci, 0, sizeof ci);
    vc_net_parse_cache_control("max-age=100, max-age=10", &ci);
    ck_assert(ci.lifetime == 10); /* the stricter one */
    memset(&ci, 0, sizeof ci);
    vc_net_parse_cache_control("max-age=99999999999999999999", &ci);
    ck_assert(ci.has_lifetime && ci.lifetime > 0);

    char t[64];
    ck_assert(vc_net_media_type(" Application/DID+JSON ; charset=utf-8", t, sizeof t));
    ck_assert_str_eq(t, "application/did+json");
    ck_assert(!vc_net_media_type("; x=y", t, sizeof t));
    ck_assert(!vc_net_media_type(NULL, t, sizeof t));
}
END_TEST

/* URLs refused before any connection: the request counter stays at 0. */
START_TEST(t_url_rules)
{
    vc_fetcher *f = NULL;
    vc_error e;
    ck_assert_int_eq(vc_init(), VC_OK);
    tu_assert_status(vc_fetcher_new(&f, &e), VC_OK, &e);
    static const struct {
        const char *url;
        unsigned flags;
        vc_status want;
    } cases[] = {
        {"file:///etc/passwd", 0, VC_ERR_NET_SCHEME},
        {"FILE:///etc/passwd", VC_FETCH_ALLOW_HTTP_LOOPBACK, VC_ERR_NET_SCHEME},
        {"ftp://127.0.0.1/x", VC_FETCH_ALLOW_LOOPBACK, VC_ERR_NET_SCHEME},
        {"gopher://127.0.0.1/x", VC_FETCH_ALLOW_LOOPBACK, VC_ERR_NET_SCHEME},
        {"dict://127.0.0.1:11211/stat", VC_FETCH_ALLOW_LOOPBACK, VC_ERR_NET_SCHEME},
        {"data:application/json,{}", 0, VC_ERR_NET_SCHEME},
        {"ldap://127.0.0.1/", 0, VC_ERR_NET_SCHEME},
        {"http://example.com/did.json", 0, VC_ERR_NET_SCHEME},
        {"http://example.com/did.json", VC_FETCH_ALLOW_HTTP_LOOPBACK, VC_ERR_NET_SCHEME},
        {"http://10.0.0.1/x", VC_FETCH_ALLOW_HTTP_LOOPBACK | VC_FETCH_ALLOW_PRIVATE, VC_ERR_NET_SCHEME},
        {"http://127.0.0.1:1/x", VC_FETCH_ALLOW_LOOPBACK, VC_ERR_NET_SCHEME}, /* loopback, but no http flag */
        {"https://10.0.0.1/x", 0, VC_ERR_NET_ADDRESS},
        {"https://192.168.0.10:8443/x", VC_FETCH_ALLOW_LOOPBACK, VC_ERR_NET_ADDRESS},
        {"https://127.0.0.1/x", 0, VC_ERR_NET_ADDRESS},
        {"https://[::1]/x", 0, VC_ERR_NET_ADDRESS},
        {"https://[::ffff:127.0.0.1]/x", 0, VC_ERR_NET_ADDRESS},
        {"https://[::ffff:a00:1]/x", VC_FETCH_ALLOW_LOOPBACK, VC_ERR_NET_ADDRESS},
        {"https://169.254.169.254/latest/meta-data/", VC_FETCH_ALLOW_LOOPBACK | VC_FETCH_ALLOW_PRIVATE,
         VC_ERR_NET_ADDRESS},
        {"https://[fe80::1%25eth0]/x", VC_FETCH_ALLOW_LOOPBACK | VC_FETCH_ALLOW_PRIVATE, VC_ERR_NET_ADDRESS},
        {"https://0.0.0.0/x", VC_FETCH_ALLOW_LOOPBACK | VC_FETCH_ALLOW_PRIVATE, VC_ERR_NET_ADDRESS},
        {"https://224.0.0.1/x", VC_FETCH_ALLOW_LOOPBACK | VC_FETCH_ALLOW_PRIVATE, VC_ERR_NET_ADDRESS},
        {"https://user:pw@example.com/x", 0, VC_ERR_INVALID_ARG},
        {"https://user@example.com/x", 0, VC_ERR_INVALID_ARG},
        {"/relative/did.json", 0, VC_ERR_INVALID_ARG},
        {"https://exa mple.com/", 0, VC_ERR_INVALID_ARG},
        {"https:///nohost", 0, VC_ERR_INVALID_ARG}, /* libcurl alone would resolve "nohost" */
        {"https:/nohost", 0, VC_ERR_INVALID_ARG},
        {"https:nohost", 0, VC_ERR_INVALID_ARG},
        {"https:\\\\nohost", 0, VC_ERR_INVALID_ARG},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tu_assert_status(vc_fetcher_set_flags(f, cases[i].flags, &e), VC_OK, &e);
        char *body = NULL;
        vc_error_clear(&e);
        vc_status st = vc_fetcher_get(f, cases[i].url, "application/json", 0, &body, NULL, NULL, &e);
        ck_assert_msg(st == cases[i].want, "%s: got %s, want %s (%s)", cases[i].url, vc_status_name(st),
                      vc_status_name(cases[i].want), e.message);
        ck_assert_ptr_null(body);
        ck_assert_str_eq(e.path, cases[i].url);
    }
    ck_assert_uint_eq(stats(f).requests, 0);
    ck_assert_uint_ge(stats(f).refused, 10);

    /* An over-long URL. */
    char *lng = malloc(VC_FETCH_MAX_URL_LENGTH + 50);
    ck_assert_ptr_nonnull(lng);
    memset(lng, 'a', VC_FETCH_MAX_URL_LENGTH + 49);
    memcpy(lng, "https://example.com/", 20);
    lng[VC_FETCH_MAX_URL_LENGTH + 49] = '\0';
    char *body = NULL;
    tu_assert_status(vc_fetcher_get(f, lng, "application/json", 0, &body, NULL, NULL, &e), VC_ERR_INVALID_ARG, &e);
    ck_assert_uint_lt(strlen(e.path), VC_ERROR_PATH_MAX);
    free(lng);
    vc_fetcher_free(f);
}
END_TEST

START_TEST(t_arguments)
{
    vc_fetcher *f = NULL;
    vc_error e;
    char *body = NULL;
    ck_assert_int_eq(vc_init(), VC_OK);
    tu_assert_status(vc_fetcher_new(&f, &e), VC_OK, &e);
    const char *u = "https://example.com/x";
    tu_assert_status(vc_fetcher_get(f, u, "", 0, &body, NULL, NULL, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_fetcher_get(f, u, "json", 0, &body, NULL, NULL, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_fetcher_get(f, u, "application/json\r\nX: y", 0, &body, NULL, NULL, &e), VC_ERR_INVALID_ARG,
                     &e);
    tu_assert_status(vc_fetcher_get(f, u, "application/json", 0x80, &body, NULL, NULL, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_fetcher_get(f, u, NULL, 0, &body, NULL, NULL, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_fetcher_get(NULL, u, "application/json", 0, &body, NULL, NULL, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_fetcher_set_flags(f, 0x100, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_fetcher_set_timeouts(f, 5000, 1000, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_fetcher_set_limits(f, 0, 3, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_fetcher_set_limits(f, 1000, VC_FETCH_MAX_REDIRECTS_LIMIT + 1, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_fetcher_add_ca_file(f, "/nonexistent/ca.pem", &e), VC_ERR_IO, &e);
    tu_assert_status(vc_fetcher_add_ca_file(f, "/dev/null", &e), VC_ERR_NET_TLS, &e);
    tu_assert_status(vc_fetcher_add_static(f, "file:///etc/passwd", "{}", 2, "application/json", &e),
                     VC_ERR_NET_SCHEME, &e);
    tu_assert_status(vc_fetcher_add_static(f, u, "{}", 2, "not a type", &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_fetcher_add_static(f, u, "{}", 2, "application/json", &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_add_static(f, u, "{}", 2, "application/json", &e), VC_ERR_INVALID_ARG, &e);
    vc_fetcher_free(f);
    vc_fetcher_free(NULL);
}
END_TEST

/* Offline mode: only supplied documents and the cache; nothing is ever sent. */
START_TEST(t_offline_static)
{
    vc_fetcher *f = NULL;
    vc_error e;
    size_t len = 0;
    ck_assert_int_eq(vc_init(), VC_OK);
    tu_assert_status(vc_fetcher_new(&f, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_set_flags(f, VC_FETCH_OFFLINE, &e), VC_OK, &e);
    const char *doc = "{\"id\":\"did:web:example.com\"}";
    tu_assert_status(vc_fetcher_add_static(f, "https://example.com/.well-known/did.json#frag", doc, strlen(doc),
                                           "application/did+json", &e),
                     VC_OK, &e);
    char *body = get_expect(f, "https://example.com/.well-known/did.json", "application/did+json, application/json",
                            0, VC_OK, &len, &e);
    ck_assert_uint_eq(len, strlen(doc));
    ck_assert_str_eq(body, doc);
    free(body);
    /* the supplied type is checked like a server's */
    get_expect(f, "https://example.com/.well-known/did.json", "application/vc+jwt", 0, VC_ERR_NET_CONTENT_TYPE, NULL,
               &e);
    get_expect(f, "https://example.com/other.json", "application/json", 0, VC_ERR_NET_OFFLINE, NULL, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "offline"));
    ck_assert_uint_eq(stats(f).requests, 0);
    ck_assert_uint_eq(stats(f).static_hits, 2);
    vc_fetcher_free(f);
}
END_TEST

/* ------------------------------------------------------------------ with the server */

START_TEST(t_success)
{
    NEED_SERVER();
    tu_server_put(&srv, "ok/doc.json", "{\"hello\":\"world\"}", NULL);
    vc_fetcher *f = tu_fetcher(&srv, 0);
    vc_error e;
    size_t len = 0;
    char *body = NULL, *ct = NULL;
    tu_assert_status(vc_fetcher_get(f, tu_url(srv.https, "/ok/doc.json"), "application/json", 0, &body, &len, &ct, &e),
                     VC_OK, &e);
    ck_assert_str_eq(body, "{\"hello\":\"world\"}");
    ck_assert_uint_eq(len, strlen(body));
    ck_assert_str_eq(ct, "application/json");
    vc_free(body);
    vc_free(ct);
    /* by name too (localhost resolves to loopback; allowed by the flag) */
    body = get_expect(f, tu_url_host("localhost", srv.https, "/ok/doc.json"), "application/json", VC_FETCH_NO_CACHE,
                      VC_OK, NULL, &e);
    free(body);
    ck_assert_uint_eq(stats(f).requests, 2);
    ck_assert_int_eq(tu_server_hits(&srv, "/ok/doc.json"), 2);
    vc_fetcher_free(f);
}
END_TEST

/* vc_fetcher_add_connect_to: the connection moves, the host name checked by TLS
 * and the address rules stay. */
START_TEST(t_connect_to)
{
    NEED_SERVER();
    tu_server_put(&srv, "ct/doc.json", "{\"ct\":1}", NULL);
    vc_error e;
    vc_fetcher *f = tu_fetcher(&srv, 0);
    static const char *const bad[] = {"", "a:1:b", "a:1:b:2:c", ":443:127.0.0.1:1", "a:0:b:1", "a:1:b:65536",
                                      "a:x:b:1", "a b:1:c:2", "a:1::2", "[zz]:1:b:2", "a:1:b:2 "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(vc_fetcher_add_connect_to(f, bad[i], &e) == VC_ERR_INVALID_ARG, "accepted '%s'", bad[i]);
    ck_assert_int_eq(vc_fetcher_add_connect_to(NULL, "a:1:b:2", &e), VC_ERR_INVALID_ARG);
    char map[128];
    /* localhost:1 does not listen; the mapping sends it to the server (certificate names localhost) */
    snprintf(map, sizeof map, "localhost:1:127.0.0.1:%d", srv.https);
    tu_assert_status(vc_fetcher_add_connect_to(f, map, &e), VC_OK, &e);
    /* a name the certificate does not hold: TLS still checks the URL's host */
    snprintf(map, sizeof map, "wrong-name.example:443:127.0.0.1:%d", srv.https);
    tu_assert_status(vc_fetcher_add_connect_to(f, map, &e), VC_OK, &e);
    char *body = get_expect(f, "https://localhost:1/ct/doc.json", "application/json", 0, VC_OK, NULL, &e);
    ck_assert_str_eq(body, "{\"ct\":1}");
    free(body);
    get_expect(f, "https://wrong-name.example/ct/doc.json", "application/json", 0, VC_ERR_NET_TLS, NULL, &e);
    ck_assert_int_eq(tu_server_hits(&srv, "/ct/doc.json"), 1);
    /* the address connected to is checked: loopback needs the flag */
    tu_assert_status(vc_fetcher_set_flags(f, 0, &e), VC_OK, &e);
    get_expect(f, "https://localhost:1/ct/doc.json", "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_ADDRESS, NULL,
               &e);
    ck_assert_int_eq(tu_server_hits(&srv, "/ct/doc.json"), 1);
    vc_fetcher_free(f);
}
END_TEST

/* The default refuses loopback although the server is there; by name too, which
 * shows the check is on the resolved address (connect time), not the name. */
START_TEST(t_ssrf_default)
{
    NEED_SERVER();
    tu_server_put(&srv, "ssrf/doc.json", "{}", NULL);
    vc_fetcher *f = NULL;
    vc_error e;
    tu_assert_status(vc_fetcher_new(&f, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_add_ca_file(f, srv.ca, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_set_timeouts(f, 30000, 60000, &e), VC_OK, &e);
    get_expect(f, tu_url(srv.https, "/ssrf/doc.json"), "application/json", 0, VC_ERR_NET_ADDRESS, NULL, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "loopback"));
    get_expect(f, tu_url_host("localhost", srv.https, "/ssrf/doc.json"), "application/json", 0, VC_ERR_NET_ADDRESS,
               NULL, &e);
    ck_assert_msg(strstr(e.message, "127.0.0.1") || strstr(e.message, "::1"), "message: %s", e.message);
    /* ALLOW_PRIVATE is not ALLOW_LOOPBACK */
    tu_assert_status(vc_fetcher_set_flags(f, VC_FETCH_ALLOW_PRIVATE, &e), VC_OK, &e);
    get_expect(f, tu_url_host("localhost", srv.https, "/ssrf/doc.json"), "application/json", 0, VC_ERR_NET_ADDRESS,
               NULL, &e);
    ck_assert_int_eq(tu_server_hits(&srv, "/ssrf/doc.json"), 0);
    ck_assert_uint_ge(stats(f).refused, 3);
    vc_fetcher_free(f);
}
END_TEST

START_TEST(t_tls_failures)
{
    NEED_SERVER();
    tu_server_put(&srv, "tls/doc.json", "{}", NULL);
    vc_fetcher *f = tu_fetcher(&srv, 0);
    vc_error e;
    /* a certificate from a CA nobody trusts */
    get_expect(f, tu_url(srv.untrusted, "/tls/doc.json"), "application/json", 0, VC_ERR_NET_TLS, NULL, &e);
    get_expect(f, tu_url_host("localhost", srv.untrusted, "/tls/doc.json"), "application/json", 0, VC_ERR_NET_TLS,
               NULL, &e);
    /* a trusted CA, but the certificate names another host */
    get_expect(f, tu_url(srv.wrongname, "/tls/doc.json"), "application/json", 0, VC_ERR_NET_TLS, NULL, &e);
    get_expect(f, tu_url_host("localhost", srv.wrongname, "/tls/doc.json"), "application/json", 0, VC_ERR_NET_TLS,
               NULL, &e);
    vc_fetcher_free(f);
    /* the test CA not added: the system store does not know it */
    f = NULL;
    tu_assert_status(vc_fetcher_new(&f, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_set_flags(f, VC_FETCH_ALLOW_LOOPBACK, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_set_timeouts(f, 30000, 60000, &e), VC_OK, &e);
    get_expect(f, tu_url(srv.https, "/tls/doc.json"), "application/json", 0, VC_ERR_NET_TLS, NULL, &e);
    /* a TLS server spoken to in plain http */
    tu_assert_status(vc_fetcher_set_flags(f, VC_FETCH_ALLOW_LOOPBACK | VC_FETCH_ALLOW_HTTP_LOOPBACK, &e), VC_OK, &e);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/tls/doc.json", srv.https);
    char *body = NULL;
    vc_status st = vc_fetcher_get(f, url, "application/json", 0, &body, NULL, NULL, &e);
    ck_assert_msg(st == VC_ERR_NET || st == VC_ERR_NET_HTTP, "got %s", vc_status_name(st));
    vc_fetcher_free(f);
    ck_assert_int_eq(tu_server_hits(&srv, "/tls/doc.json"), 0);
}
END_TEST

START_TEST(t_http_scheme)
{
    NEED_SERVER();
    tu_server_put(&srv, "plain/doc.json", "{\"plain\":true}", NULL);
    char url[128], url2[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/plain/doc.json", srv.http);
    snprintf(url2, sizeof url2, "http://localhost:%d/plain/doc.json", srv.http);
    vc_fetcher *f = tu_fetcher(&srv, 0);
    vc_error e;
    get_expect(f, url, "application/json", 0, VC_ERR_NET_SCHEME, NULL, &e);
    get_expect(f, url2, "application/json", 0, VC_ERR_NET_SCHEME, NULL, &e);
    ck_assert_int_eq(tu_server_hits(&srv, "/plain/doc.json"), 0);
    tu_assert_status(vc_fetcher_set_flags(f, VC_FETCH_ALLOW_HTTP_LOOPBACK, &e), VC_OK, &e);
    char *body = get_expect(f, url, "application/json", 0, VC_OK, NULL, &e);
    ck_assert_str_eq(body, "{\"plain\":true}");
    free(body);
    body = get_expect(f, url2, "application/json", 0, VC_OK, NULL, &e);
    free(body);
    ck_assert_int_eq(tu_server_hits(&srv, "/plain/doc.json"), 2);
    vc_fetcher_free(f);
}
END_TEST

START_TEST(t_redirects)
{
    NEED_SERVER();
    tu_server_put(&srv, "redir/target.json", "{\"target\":1}", NULL);
    vc_fetcher *f = tu_fetcher(&srv, VC_FETCH_ALLOW_HTTP_LOOPBACK);
    vc_error e;
    char path[512];

    /* within the cap (3): three redirects, four requests */
    char *body = get_expect(f, tu_url(srv.https, "/__redirect?n=3&to=/redir/target.json"), "application/json",
                            VC_FETCH_NO_CACHE, VC_OK, NULL, &e);
    ck_assert_str_eq(body, "{\"target\":1}");
    free(body);
    ck_assert_uint_eq(stats(f).requests, 4);
    ck_assert_int_eq(tu_server_hits(&srv, "/redir/target.json"), 1);
    /* 301, 303, 307 and 308 too */
    const char *codes[] = {"301", "303", "307", "308"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "/__redirect?n=1&code=%s&to=/redir/target.json", codes[i]);
        body = get_expect(f, tu_url(srv.https, path), "application/json", VC_FETCH_NO_CACHE, VC_OK, NULL, &e);
        free(body);
    }
    ck_assert_int_eq(tu_server_hits(&srv, "/redir/target.json"), 5);

    /* over the cap: the target is never asked for */
    get_expect(f, tu_url(srv.https, "/__redirect?n=4&to=/redir/target.json"), "application/json", VC_FETCH_NO_CACHE,
               VC_ERR_NET_REDIRECT, NULL, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "more than 3 redirects"));
    ck_assert_int_eq(tu_server_hits(&srv, "/redir/target.json"), 5);
    /* a cap of 0 */
    tu_assert_status(vc_fetcher_set_limits(f, VC_FETCH_DEFAULT_MAX_BYTES, 0, &e), VC_OK, &e);
    get_expect(f, tu_url(srv.https, "/__redirect?n=1&to=/redir/target.json"), "application/json", VC_FETCH_NO_CACHE,
               VC_ERR_NET_REDIRECT, NULL, &e);
    tu_assert_status(vc_fetcher_set_limits(f, VC_FETCH_DEFAULT_MAX_BYTES, VC_FETCH_DEFAULT_MAX_REDIRECTS, &e), VC_OK,
                     &e);

    /* to plain http, even to loopback with the http flag: no downgrade */
    snprintf(path, sizeof path, "/__redirect?n=1&to=http://127.0.0.1:%d/redir/target.json", srv.http);
    get_expect(f, tu_url(srv.https, path), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_REDIRECT, NULL, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "plain http"));
    /* to private and link-local addresses (refused before any connection) */
    snprintf(path, sizeof path, "/__redirect?n=1&to=https://10.20.30.40:%d/redir/target.json", srv.https);
    get_expect(f, tu_url(srv.https, path), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_REDIRECT, NULL, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "private"));
    get_expect(f, tu_url(srv.https, "/__redirect?n=2&to=https://169.254.169.254/latest/meta-data/"),
               "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_REDIRECT, NULL, &e);
    get_expect(f, tu_url(srv.https, "/__redirect?n=1&to=https://[::ffff:192.168.0.1]/x"), "application/json",
               VC_FETCH_NO_CACHE, VC_ERR_NET_REDIRECT, NULL, &e);
    /* to other schemes */
    get_expect(f, tu_url(srv.https, "/__redirect?n=1&to=file:///etc/passwd"), "application/json", VC_FETCH_NO_CACHE,
               VC_ERR_NET_REDIRECT, NULL, &e);
    get_expect(f, tu_url(srv.https, "/__redirect?n=1&to=ftp://127.0.0.1/x"), "application/json", VC_FETCH_NO_CACHE,
               VC_ERR_NET_REDIRECT, NULL, &e);
    get_expect(f, tu_url(srv.https, "/__redirect?n=1&to=https://u:p@localhost/x"), "application/json",
               VC_FETCH_NO_CACHE, VC_ERR_NET_REDIRECT, NULL, &e);
    ck_assert_int_eq(tu_server_hits(&srv, "/redir/target.json"), 5);

    /* to another host (localhost), checked again at connect time: allowed with
     * loopback allowed... */
    snprintf(path, sizeof path, "/__redirect?n=1&to=https://localhost:%d/redir/target.json", srv.https);
    body = get_expect(f, tu_url(srv.https, path), "application/json", VC_FETCH_NO_CACHE, VC_OK, NULL, &e);
    free(body);
    ck_assert_int_eq(tu_server_hits(&srv, "/redir/target.json"), 6);
    /* ...and a redirect to a server with an untrusted certificate fails as TLS */
    snprintf(path, sizeof path, "/__redirect?n=1&to=https://127.0.0.1:%d/redir/target.json", srv.untrusted);
    get_expect(f, tu_url(srv.https, path), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_TLS, NULL, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "after redirect 1"));
    vc_fetcher_free(f);
}
END_TEST

/* The address rule on a redirect hop is applied at connect time, to the address
 * a host NAME resolves to: the first hop is plain http to loopback (allowed by
 * VC_FETCH_ALLOW_HTTP_LOOPBACK alone), the second is https to "localhost",
 * which resolves to loopback, which https requests may not reach without
 * VC_FETCH_ALLOW_LOOPBACK. */
START_TEST(t_redirect_connect_time)
{
    SKIP_IF_NO_TIMING();
    NEED_SERVER();
    tu_server_put(&srv, "redir/ct.json", "{}", NULL);
    vc_fetcher *f = NULL;
    vc_error e;
    tu_assert_status(vc_fetcher_new(&f, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_add_ca_file(f, srv.ca, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_set_timeouts(f, 30000, 60000, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_set_flags(f, VC_FETCH_ALLOW_HTTP_LOOPBACK, &e), VC_OK, &e);
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/__redirect?n=1&to=https://localhost:%d/redir/ct.json", srv.http,
             srv.https);
    get_expect(f, url, "application/json", 0, VC_ERR_NET_REDIRECT, NULL, &e);
    ck_assert_msg(strstr(e.message, "loopback") && strstr(e.message, "localhost"), "message: %s", e.message);
    ck_assert_uint_eq(stats(f).requests, 2); /* the second never connected */
    /* the same with a literal is refused before any connection */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/__redirect?n=1&to=https://127.0.0.1:%d/redir/ct.json", srv.http,
             srv.https);
    get_expect(f, url, "application/json", 0, VC_ERR_NET_REDIRECT, NULL, &e);
    ck_assert_uint_eq(stats(f).requests, 3);
    ck_assert_int_eq(tu_server_hits(&srv, "/redir/ct.json"), 0);
    /* and with loopback allowed the same chain works */
    tu_assert_status(vc_fetcher_set_flags(f, VC_FETCH_ALLOW_HTTP_LOOPBACK | VC_FETCH_ALLOW_LOOPBACK, &e), VC_OK, &e);
    char *body = get_expect(f, url, "application/json", 0, VC_OK, NULL, &e);
    free(body);
    ck_assert_int_eq(tu_server_hits(&srv, "/redir/ct.json"), 1);
    vc_fetcher_free(f);
}
END_TEST

START_TEST(t_timeouts)
{
    SKIP_IF_NO_TIMING();
    NEED_SERVER();
    vc_fetcher *f = tu_fetcher(&srv, 0);
    vc_error e;
    tu_assert_status(vc_fetcher_set_timeouts(f, 500, 1500, &e), VC_OK, &e);
    /* the server accepts, finishes TLS and never answers: the total timeout */
    int64_t t0 = vc_net_now_ms();
    get_expect(f, tu_url(srv.https, "/__stall"), "application/json", 0, VC_ERR_NET_TIMEOUT, NULL, &e);
    int64_t el = ms_since(t0);
    ck_assert_msg(el >= 1200 && el < 30000, "stall took %lld ms", (long long)el);
    /* headers and part of the body, then silence */
    t0 = vc_net_now_ms();
    get_expect(f, tu_url(srv.https, "/__slowbody"), "application/json", 0, VC_ERR_NET_TIMEOUT, NULL, &e);
    el = ms_since(t0);
    ck_assert_msg(el >= 1200 && el < 30000, "slow body took %lld ms", (long long)el);
    /* TCP accepted, TLS handshake never answered: the connect timeout (500 ms) */
    tu_assert_status(vc_fetcher_set_timeouts(f, 500, 5000, &e), VC_OK, &e);
    t0 = vc_net_now_ms();
    get_expect(f, tu_url(srv.tcpstall, "/x"), "application/json", 0, VC_ERR_NET_TIMEOUT, NULL, &e);
    el = ms_since(t0);
    ck_assert_msg(el >= 400 && el < 30000, "handshake stall took %lld ms", (long long)el);
    /* the total timeout covers redirects: each hop stalls into the same budget */
    tu_assert_status(vc_fetcher_set_timeouts(f, 500, 1000, &e), VC_OK, &e);
    t0 = vc_net_now_ms();
    get_expect(f, tu_url(srv.https, "/__redirect?n=2&to=/__stall"), "application/json", 0, VC_ERR_NET_TIMEOUT, NULL,
               &e);
    el = ms_since(t0);
    ck_assert_msg(el < 30000, "redirect+stall took %lld ms", (long long)el);
    vc_fetcher_free(f);
}
END_TEST

START_TEST(t_size_cap)
{
    NEED_SERVER();
    vc_fetcher *f = tu_fetcher(&srv, 0);
    vc_error e;
    size_t len = 0;
    tu_assert_status(vc_fetcher_set_limits(f, 1000, 3, &e), VC_OK, &e);
    for (int cl = 0; cl <= 1; cl++) { /* with and without Content-Length */
        char path[128];
        snprintf(path, sizeof path, "/__big?n=1000&cl=%d", cl);
        char *body = get_expect(f, tu_url(srv.https, path), "application/json", VC_FETCH_NO_CACHE, VC_OK, &len, &e);
        ck_assert_uint_eq(len, 1000);
        ck_assert_uint_eq(strlen(body), 1000);
        free(body);
        snprintf(path, sizeof path, "/__big?n=1001&cl=%d", cl);
        get_expect(f, tu_url(srv.https, path), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_SIZE, NULL, &e);
        ck_assert_ptr_nonnull(strstr(e.message, "1000-byte"));
        /* far over: aborted early, well before the whole body */
        snprintf(path, sizeof path, "/__big?n=50000000&cl=%d", cl);
        int64_t t0 = vc_net_now_ms();
        get_expect(f, tu_url(srv.https, path), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_SIZE, NULL, &e);
        ck_assert_msg(ms_since(t0) < 10000, "the oversize transfer was not cut short");
    }
    /* an empty body is fine */
    char *body = get_expect(f, tu_url(srv.https, "/__big?n=0"), "application/json", VC_FETCH_NO_CACHE, VC_OK, &len, &e);
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(body, "");
    free(body);
    vc_fetcher_free(f);
}
END_TEST

START_TEST(t_content_type_and_status)
{
    NEED_SERVER();
    vc_fetcher *f = tu_fetcher(&srv, 0);
    vc_error e;
    char *ct = NULL, *body = NULL;
    get_expect(f, tu_url(srv.https, "/__ctype?ct=text/html"), "application/json", VC_FETCH_NO_CACHE,
               VC_ERR_NET_CONTENT_TYPE, NULL, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "text/html"));
    get_expect(f, tu_url(srv.https, "/__ctype?ct=application/json"), "application/did+json", VC_FETCH_NO_CACHE,
               VC_ERR_NET_CONTENT_TYPE, NULL, &e);
    get_expect(f, tu_url(srv.https, "/__ctype?ct=application/jsonx"), "application/json", VC_FETCH_NO_CACHE,
               VC_ERR_NET_CONTENT_TYPE, NULL, &e);
    /* parameters and case do not matter */
    tu_assert_status(vc_fetcher_get(f, tu_url(srv.https, "/__ctype?ct=Application/DID%2BJSON;%20charset=utf-8"),
                                    "application/did+json, application/json", VC_FETCH_NO_CACHE, &body, NULL, &ct, &e),
                     VC_OK, &e);
    ck_assert_str_eq(ct, "application/did+json");
    free(body);
    free(ct);
    body = get_expect(f, tu_url(srv.https, "/__ctype?ct=text/plain"), "*/*", VC_FETCH_NO_CACHE, VC_OK, NULL, &e);
    free(body);

    get_expect(f, tu_url(srv.https, "/__status?code=404"), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_HTTP,
               NULL, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "404"));
    get_expect(f, tu_url(srv.https, "/__status?code=500"), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_HTTP,
               NULL, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "500"));
    get_expect(f, tu_url(srv.https, "/__status?code=204"), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_HTTP,
               NULL, &e);
    /* a 304 to a request that was not conditional */
    get_expect(f, tu_url(srv.https, "/__status?code=304"), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_HTTP,
               NULL, &e);
    get_expect(f, tu_url(srv.https, "/no/such/file.json"), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_HTTP,
               NULL, &e);
    /* a redirect without Location */
    get_expect(f, tu_url(srv.https, "/__status?code=302"), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_HTTP,
               NULL, &e);
    /* connection refused: a closed port */
    get_expect(f, "https://127.0.0.1:1/x", "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET, NULL, &e);
    vc_fetcher_free(f);
}
END_TEST

START_TEST(t_cache_max_age)
{
    NEED_SERVER();
    tu_server_put(&srv, "cache/fresh.json", "{\"v\":1}", "{\"cache_control\":\"max-age=300\"}");
    vc_fetcher *f = tu_fetcher(&srv, 0);
    vc_error e;
    for (int i = 0; i < 100; i++) {
        char *body = get_expect(f, tu_url(srv.https, "/cache/fresh.json"), "application/json", 0, VC_OK, NULL, &e);
        ck_assert_str_eq(body, "{\"v\":1}");
        free(body);
    }
    ck_assert_int_eq(tu_server_hits(&srv, "/cache/fresh.json"), 1);
    ck_assert_uint_eq(stats(f).requests, 1);
    ck_assert_uint_eq(stats(f).cache_hits, 99);
    /* the type is checked on cache hits too */
    get_expect(f, tu_url(srv.https, "/cache/fresh.json"), "application/did+json", 0, VC_ERR_NET_CONTENT_TYPE, NULL, &e);
    /* REVALIDATE asks the server (conditionally: 304) */
    char *body = get_expect(f, tu_url(srv.https, "/cache/fresh.json"), "application/json", VC_FETCH_REVALIDATE, VC_OK,
                            NULL, &e);
    free(body);
    ck_assert_int_eq(tu_server_hits(&srv, "/cache/fresh.json"), 2);
    ck_assert_uint_eq(stats(f).revalidated, 1);
    /* NO_CACHE neither reads nor writes */
    body = get_expect(f, tu_url(srv.https, "/cache/fresh.json"), "application/json", VC_FETCH_NO_CACHE, VC_OK, NULL,
                      &e);
    free(body);
    ck_assert_int_eq(tu_server_hits(&srv, "/cache/fresh.json"), 3);
    /* clearing the memory cache forces a fetch */
    vc_fetcher_clear_cache(f);
    body = get_expect(f, tu_url(srv.https, "/cache/fresh.json"), "application/json", 0, VC_OK, NULL, &e);
    free(body);
    ck_assert_int_eq(tu_server_hits(&srv, "/cache/fresh.json"), 4);
    vc_fetcher_free(f);
}
END_TEST

START_TEST(t_cache_revalidation)
{
    NEED_SERVER();
    vc_fetcher *f = tu_fetcher(&srv, 0);
    vc_error e;
    /* no freshness: each use revalidates with If-None-Match, the server answers 304 */
    tu_server_put(&srv, "cache/etag.json", "{\"v\":\"etag\"}", NULL);
    for (int i = 0; i < 3; i++) {
        char *body = get_expect(f, tu_url(srv.https, "/cache/etag.json"), "application/json", 0, VC_OK, NULL, &e);
        ck_assert_str_eq(body, "{\"v\":\"etag\"}");
        free(body);
    }
    ck_assert_int_eq(tu_server_hits(&srv, "/cache/etag.json"), 3);
    ck_assert_uint_eq(stats(f).revalidated, 2);
    /* the document changes: a 200 with the new body */
    tu_server_put(&srv, "cache/etag.json", "{\"v\":\"etag2\"}", NULL);
    char *body = get_expect(f, tu_url(srv.https, "/cache/etag.json"), "application/json", 0, VC_OK, NULL, &e);
    ck_assert_str_eq(body, "{\"v\":\"etag2\"}");
    free(body);
    ck_assert_uint_eq(stats(f).revalidated, 2);

    /* Last-Modified only: If-Modified-Since */
    tu_server_put(&srv, "cache/lm.json", "{\"v\":\"lm\"}", "{\"etag\":false}");
    sleep(1); /* so that the file is strictly older than "now" at second resolution */
    for (int i = 0; i < 2; i++) {
        body = get_expect(f, tu_url(srv.https, "/cache/lm.json"), "application/json", 0, VC_OK, NULL, &e);
        free(body);
    }
    ck_assert_uint_eq(stats(f).revalidated, 3);

    /* no-cache with max-age: stored, but revalidated every time */
    tu_server_put(&srv, "cache/nocache.json", "{}", "{\"cache_control\":\"no-cache, max-age=600\"}");
    uint64_t before = stats(f).revalidated;
    for (int i = 0; i < 3; i++) {
        body = get_expect(f, tu_url(srv.https, "/cache/nocache.json"), "application/json", 0, VC_OK, NULL, &e);
        free(body);
    }
    ck_assert_int_eq(tu_server_hits(&srv, "/cache/nocache.json"), 3);
    ck_assert_uint_eq(stats(f).revalidated, before + 2);

    /* no-store: never kept, never revalidated */
    tu_server_put(&srv, "cache/nostore.json", "{}", "{\"cache_control\":\"no-store, max-age=600\"}");
    before = stats(f).revalidated;
    for (int i = 0; i < 3; i++) {
        body = get_expect(f, tu_url(srv.https, "/cache/nostore.json"), "application/json", 0, VC_OK, NULL, &e);
        free(body);
    }
    ck_assert_int_eq(tu_server_hits(&srv, "/cache/nostore.json"), 3);
    ck_assert_uint_eq(stats(f).revalidated, before);

    /* max-age=0: stale at once */
    tu_server_put(&srv, "cache/zero.json", "{}", "{\"cache_control\":\"max-age=0\"}");
    for (int i = 0; i < 2; i++) {
        body = get_expect(f, tu_url(srv.https, "/cache/zero.json"), "application/json", 0, VC_OK, NULL, &e);
        free(body);
    }
    ck_assert_int_eq(tu_server_hits(&srv, "/cache/zero.json"), 2);
    vc_fetcher_free(f);
}
END_TEST

START_TEST(t_cache_bounds)
{
    NEED_SERVER();
    vc_fetcher *f = tu_fetcher(&srv, 0);
    vc_error e;
    tu_assert_status(vc_fetcher_set_cache_limits(f, 2, 1u << 20, &e), VC_OK, &e);
    const char *names[] = {"/bound/a.json", "/bound/b.json", "/bound/c.json"};
    for (int i = 0; i < 3; i++)
        tu_server_put(&srv, names[i] + 1, "{}", "{\"cache_control\":\"max-age=300\"}");
    for (int i = 0; i < 3; i++) {
        char *body = get_expect(f, tu_url(srv.https, names[i]), "application/json", 0, VC_OK, NULL, &e);
        free(body);
    }
    /* a (least recently used) was evicted; b and c are still cached */
    for (int i = 2; i >= 0; i--) {
        char *body = get_expect(f, tu_url(srv.https, names[i]), "application/json", 0, VC_OK, NULL, &e);
        free(body);
    }
    ck_assert_int_eq(tu_server_hits(&srv, "/bound/a.json"), 2);
    ck_assert_int_eq(tu_server_hits(&srv, "/bound/b.json"), 1);
    ck_assert_int_eq(tu_server_hits(&srv, "/bound/c.json"), 1);
    /* the byte bound: a body larger than it is not kept */
    tu_assert_status(vc_fetcher_set_cache_limits(f, 100, 10, &e), VC_OK, &e);
    tu_server_put(&srv, "bound/large.json", "{\"more than ten\":1}", "{\"cache_control\":\"max-age=300\"}");
    for (int i = 0; i < 2; i++) {
        char *body = get_expect(f, tu_url(srv.https, "/bound/large.json"), "application/json", 0, VC_OK, NULL, &e);
        free(body);
    }
    ck_assert_int_eq(tu_server_hits(&srv, "/bound/large.json"), 2);
    vc_fetcher_free(f);
}
END_TEST

static char cache_dir[300];

static void make_cache_dir(void)
{
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", srv.dir);
}

START_TEST(t_disk_cache_and_offline)
{
    NEED_SERVER();
    make_cache_dir();
    vc_error e;
    tu_server_put(&srv, "disk/fresh.json", "{\"disk\":1}", "{\"cache_control\":\"max-age=300\"}");
    tu_server_put(&srv, "disk/stale.json", "{\"disk\":2}", NULL);
    vc_fetcher *a = tu_fetcher(&srv, 0);
    tu_assert_status(vc_fetcher_set_cache_dir(a, cache_dir, &e), VC_OK, &e);
    char *body = get_expect(a, tu_url(srv.https, "/disk/fresh.json"), "application/json", 0, VC_OK, NULL, &e);
    free(body);
    body = get_expect(a, tu_url(srv.https, "/disk/stale.json"), "application/json", 0, VC_OK, NULL, &e);
    free(body);
    vc_fetcher_free(a);
    struct stat st;
    ck_assert_int_eq(stat(cache_dir, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0700);

    /* another fetcher (another process would do the same) finds the fresh one on disk */
    vc_fetcher *b = tu_fetcher(&srv, 0);
    tu_assert_status(vc_fetcher_set_cache_dir(b, cache_dir, &e), VC_OK, &e);
    body = get_expect(b, tu_url(srv.https, "/disk/fresh.json"), "application/json", 0, VC_OK, NULL, &e);
    ck_assert_str_eq(body, "{\"disk\":1}");
    free(body);
    ck_assert_int_eq(tu_server_hits(&srv, "/disk/fresh.json"), 1);
    ck_assert_uint_eq(stats(b).cache_hits, 1);
    /* the stale one is revalidated: a 304 */
    body = get_expect(b, tu_url(srv.https, "/disk/stale.json"), "application/json", 0, VC_OK, NULL, &e);
    free(body);
    ck_assert_uint_eq(stats(b).revalidated, 1);
    ck_assert_int_eq(tu_server_hits(&srv, "/disk/stale.json"), 2);
    vc_fetcher_free(b);

    /* offline: both served from disk, stale or not; nothing else */
    vc_fetcher *c = tu_fetcher(&srv, VC_FETCH_OFFLINE);
    tu_assert_status(vc_fetcher_set_cache_dir(c, cache_dir, &e), VC_OK, &e);
    body = get_expect(c, tu_url(srv.https, "/disk/fresh.json"), "application/json", 0, VC_OK, NULL, &e);
    free(body);
    body = get_expect(c, tu_url(srv.https, "/disk/stale.json"), "application/json", 0, VC_OK, NULL, &e);
    ck_assert_str_eq(body, "{\"disk\":2}");
    free(body);
    get_expect(c, tu_url(srv.https, "/disk/never.json"), "application/json", 0, VC_ERR_NET_OFFLINE, NULL, &e);
    get_expect(c, tu_url(srv.https, "/disk/fresh.json"), "application/json", VC_FETCH_NO_CACHE, VC_ERR_NET_OFFLINE,
               NULL, &e);
    ck_assert_uint_eq(stats(c).requests, 0);
    ck_assert_uint_eq(stats(c).offline_hits, 1);
    ck_assert_int_eq(tu_server_hits(&srv, "/disk/fresh.json"), 1);
    vc_fetcher_free(c);

    /* a damaged file is ignored (and removed), never served */
    vc_fetcher *d = tu_fetcher(&srv, 0);
    tu_assert_status(vc_fetcher_set_cache_dir(d, cache_dir, &e), VC_OK, &e);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "for f in '%s'/*.vcc; do printf 'VCCACHE1\\n{\"url\":\"x\"}\\n' > \"$f\"; done",
             cache_dir);
    ck_assert_int_eq(system(cmd), 0);
    body = get_expect(d, tu_url(srv.https, "/disk/fresh.json"), "application/json", 0, VC_OK, NULL, &e);
    ck_assert_str_eq(body, "{\"disk\":1}");
    free(body);
    ck_assert_int_eq(tu_server_hits(&srv, "/disk/fresh.json"), 2);
    vc_fetcher_free(d);

    /* a directory others may write to is refused */
    ck_assert_int_eq(chmod(cache_dir, 0777), 0);
    vc_fetcher *g = tu_fetcher(&srv, 0);
    tu_assert_status(vc_fetcher_set_cache_dir(g, cache_dir, &e), VC_ERR_IO, &e);
    ck_assert_int_eq(chmod(cache_dir, 0700), 0);
    vc_fetcher_free(g);
}
END_TEST

START_TEST(t_disk_cache_bounds)
{
    NEED_SERVER();
    char dir[400];
    snprintf(dir, sizeof dir, "%s/cache-bounds", srv.dir);
    vc_error e;
    vc_fetcher *f = tu_fetcher(&srv, 0);
    tu_assert_status(vc_fetcher_set_cache_limits(f, 3, 1u << 20, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_set_cache_dir(f, dir, &e), VC_OK, &e);
    for (int i = 0; i < 6; i++) {
        char rel[64], path[80];
        snprintf(rel, sizeof rel, "diskbound/%d.json", i);
        snprintf(path, sizeof path, "/%s", rel);
        tu_server_put(&srv, rel, "{}", "{\"cache_control\":\"max-age=300\"}");
        char *body = get_expect(f, tu_url(srv.https, path), "application/json", 0, VC_OK, NULL, &e);
        free(body);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | grep -c '\\.vcc$') -le 3", dir);
    ck_assert_int_eq(system(cmd), 0);
    vc_fetcher_free(f);
}
END_TEST

/* Offline: a stale memory entry is served, nothing is sent. */
START_TEST(t_offline_memory)
{
    NEED_SERVER();
    tu_server_put(&srv, "off/doc.json", "{\"off\":1}", NULL);
    vc_fetcher *f = tu_fetcher(&srv, 0);
    vc_error e;
    char *body = get_expect(f, tu_url(srv.https, "/off/doc.json"), "application/json", 0, VC_OK, NULL, &e);
    free(body);
    tu_assert_status(vc_fetcher_set_flags(f, VC_FETCH_OFFLINE | VC_FETCH_ALLOW_LOOPBACK, &e), VC_OK, &e);
    body = get_expect(f, tu_url(srv.https, "/off/doc.json"), "application/json", VC_FETCH_REVALIDATE, VC_OK, NULL, &e);
    ck_assert_str_eq(body, "{\"off\":1}");
    free(body);
    ck_assert_uint_eq(stats(f).requests, 1);
    ck_assert_int_eq(tu_server_hits(&srv, "/off/doc.json"), 1);
    vc_fetcher_free(f);
}
END_TEST

typedef struct thread_arg {
    vc_fetcher *f;
    const char *url;
    int failures;
} thread_arg;

static void *hammer(void *p)
{
    thread_arg *a = p;
    for (int i = 0; i < 50; i++) {
        char *body = NULL;
        vc_error e;
        if (vc_fetcher_get(a->f, a->url, "application/json", 0, &body, NULL, NULL, &e) != VC_OK)
            a->failures++;
        free(body);
    }
    return NULL;
}

/* Threads share one fetcher; concurrent misses for one URL are coalesced. */
START_TEST(t_threads)
{
    NEED_SERVER();
    tu_server_put(&srv, "threads/doc.json", "{\"t\":1}", "{\"cache_control\":\"max-age=300\"}");
    vc_fetcher *f = tu_fetcher(&srv, 0);
    pthread_t th[8];
    thread_arg args[8];
    const char *url = tu_url(srv.https, "/threads/doc.json");
    for (int i = 0; i < 8; i++) {
        args[i] = (thread_arg){f, url, 0};
        ck_assert_int_eq(pthread_create(&th[i], NULL, hammer, &args[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(args[i].failures, 0);
    }
    ck_assert_int_eq(tu_server_hits(&srv, "/threads/doc.json"), 1);
    ck_assert_uint_eq(stats(f).requests, 1);
    ck_assert_uint_eq(stats(f).cache_hits, 399);
    vc_fetcher_free(f);
}
END_TEST

static Suite *net_suite(void)
{
    Suite *s = suite_create("net");
    TCase *pure = tcase_create("rules");
    tcase_add_test(pure, t_classify);
    tcase_add_test(pure, t_cache_control);
    tcase_add_test(pure, t_url_rules);
    tcase_add_test(pure, t_arguments);
    tcase_add_test(pure, t_offline_static);
    suite_add_tcase(s, pure);

    TCase *live = tcase_create("loopback-https");
    tcase_add_unchecked_fixture(live, server_up, server_down);
    tcase_set_timeout(live, 120);
    tcase_add_test(live, t_success);
    tcase_add_test(live, t_ssrf_default);
    tcase_add_test(live, t_connect_to);
    tcase_add_test(live, t_tls_failures);
    tcase_add_test(live, t_http_scheme);
    tcase_add_test(live, t_redirects);
    tcase_add_test(live, t_redirect_connect_time);
    tcase_add_test(live, t_timeouts);
    tcase_add_test(live, t_size_cap);
    tcase_add_test(live, t_content_type_and_status);
    tcase_add_test(live, t_cache_max_age);
    tcase_add_test(live, t_cache_revalidation);
    tcase_add_test(live, t_cache_bounds);
    tcase_add_test(live, t_disk_cache_and_offline);
    tcase_add_test(live, t_disk_cache_bounds);
    tcase_add_test(live, t_offline_memory);
    tcase_add_test(live, t_threads);
    suite_add_tcase(s, live);
    return s;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* as vc/net.h asks of threaded programs */
    return tu_run(net_suite());
}
