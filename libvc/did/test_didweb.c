/* test_didweb.c - did:web: the DID-to-URL rules (no network), then resolution
 * against the loopback HTTPS server (tests/https_server.py): documents, errors,
 * caching across many lookups, the re-fetch on an unknown kid and its cool-down,
 * and offline resolution. Nothing but 127.0.0.1 / localhost is ever contacted. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "did/didweb_internal.h"
#include "net/net_internal.h"
#include "net/test_server.h"
#include "testutil.h"

static tu_server srv;

static void server_up(void)
{
    if (tu_server_start(&srv) != 0)
        fprintf(stderr, "test_didweb: the test server did not start\n");
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

/* ------------------------------------------------------------------ helpers */

static char didbuf[8][512];
static int didix;

/* "did:web:localhost%3APORT" + suffix (":user:alice" or ""). */
static const char *local_did(int port, const char *suffix)
{
    char *b = didbuf[didix++ % 8];
    snprintf(b, sizeof didbuf[0], "did:web:localhost%%3A%d%s", port, suffix);
    return b;
}

/* A DID document for did with Ed25519 keys named by kids ("key-1", ...). */
static char *make_doc(const char *id, const char *const *kids, vc_key **keys_out)
{
    json_t *vms = json_array(), *am = json_array();
    for (size_t i = 0; kids[i]; i++) {
        vc_key *k = NULL;
        vc_error e;
        tu_assert_status(vc_key_generate(VC_KEY_ED25519, &k, &e), VC_OK, &e);
        char *jwk = NULL;
        tu_assert_status(vc_key_to_jwk(k, 0, &jwk, &e), VC_OK, &e);
        char vmid[600];
        snprintf(vmid, sizeof vmid, "%s#%s", id, kids[i]);
        json_t *vm = json_pack("{s:s,s:s,s:s,s:o}", "id", vmid, "type", "JsonWebKey", "controller", id, "publicKeyJwk",
                               json_loads(jwk, 0, NULL));
        json_array_append_new(vms, vm);
        json_array_append_new(am, json_string(vmid));
        free(jwk);
        if (keys_out)
            keys_out[i] = k;
        else
            vc_key_free(k);
    }
    json_t *doc = json_pack("{s:[s],s:s,s:o,s:o}", "@context", "https://www.w3.org/ns/did/v1", "id", id,
                            "verificationMethod", vms, "assertionMethod", am);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

static void put_doc(const char *rel, const char *id, const char *const *kids, const char *meta)
{
    char *doc = make_doc(id, kids, NULL);
    tu_server_put(&srv, rel, doc, meta);
    free(doc);
}

typedef struct ctx {
    vc_fetcher *f;
    vc_resolver *r;
} ctx;

static ctx setup(unsigned fetch_flags, int with_ca, unsigned cooldown_ms, unsigned ttl_ms)
{
    ctx c = {NULL, NULL};
    vc_error e;
    ck_assert_int_eq(vc_init(), VC_OK);
    tu_assert_status(vc_fetcher_new(&c.f, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_set_timeouts(c.f, 30000, 60000, &e), VC_OK, &e); /* valgrind, busy machines */
    if (with_ca)
        tu_assert_status(vc_fetcher_add_ca_file(c.f, srv.ca, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_set_flags(c.f, fetch_flags, &e), VC_OK, &e);
    tu_assert_status(vc_resolver_new(&c.r, &e), VC_OK, &e);
    if (cooldown_ms || ttl_ms)
        tu_assert_status(vc_didweb_register(c.r, c.f, cooldown_ms, ttl_ms, &e), VC_OK, &e);
    else
        tu_assert_status(vc_resolver_add_web(c.r, c.f, &e), VC_OK, &e);
    return c;
}

static void teardown(ctx *c)
{
    vc_resolver_free(c->r); /* first: it borrows the fetcher */
    vc_fetcher_free(c->f);
}

static void expect_resolve(vc_resolver *r, const char *did, vc_status want)
{
    char *doc = NULL;
    vc_error e;
    vc_error_clear(&e);
    tu_assert_status(vc_resolver_resolve(r, did, &doc, &e), want, &e);
    if (want == VC_OK) {
        json_t *j = json_loads(doc, 0, NULL);
        ck_assert_ptr_nonnull(j);
        ck_assert_str_eq(json_string_value(json_object_get(j, "id")), did);
        json_decref(j);
    } else {
        ck_assert_ptr_null(doc);
        ck_assert(e.message[0]);
    }
    free(doc);
}

static vc_status find_key(vc_resolver *r, const char *did, const char *kid, vc_error *e)
{
    vc_key *k = NULL;
    char *vm = NULL;
    vc_status st = vc_resolver_find_key(r, did, kid, &k, &vm, e);
    vc_key_free(k);
    free(vm);
    return st;
}

/* ------------------------------------------------------------------ the URL rules */

START_TEST(t_url_mapping)
{
    static const struct {
        const char *did;
        const char *url; /* NULL: refused with code */
        vc_status code;
    } cases[] = {
        {"did:web:example.com", "https://example.com/.well-known/did.json", VC_OK},
        {"did:web:example.com:user:alice", "https://example.com/user/alice/did.json", VC_OK},
        {"did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json", VC_OK},
        {"did:web:localhost%3A8443", "https://localhost:8443/.well-known/did.json", VC_OK},
        {"did:web:localhost%3a8443", "https://localhost:8443/.well-known/did.json", VC_OK},
        {"did:web:example.com%3A443:a", "https://example.com:443/a/did.json", VC_OK},
        {"did:web:xn--bcher-kva.example", "https://xn--bcher-kva.example/.well-known/did.json", VC_OK},
        {"did:web:example.com:caf%C3%A9", "https://example.com/caf%C3%A9/did.json", VC_OK},
        {"did:web:example.com:a%20b", NULL, VC_ERR_DID_SYNTAX},       /* space */
        {"did:web:example.com:a%2Fb", NULL, VC_ERR_DID_SYNTAX},       /* '/' */
        {"did:web:example.com:a%2fb", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com:a%3Fb", NULL, VC_ERR_DID_SYNTAX},       /* '?' */
        {"did:web:example.com:a%23b", NULL, VC_ERR_DID_SYNTAX},       /* '#' */
        {"did:web:example.com:a%40b", NULL, VC_ERR_DID_SYNTAX},       /* '@' */
        {"did:web:example.com:a%5Cb", NULL, VC_ERR_DID_SYNTAX},       /* '\' */
        {"did:web:example.com:a%2525b", NULL, VC_ERR_DID_SYNTAX},     /* '%' (double encoding) */
        {"did:web:example.com:a%00b", NULL, VC_ERR_DID_SYNTAX},       /* NUL */
        {"did:web:example.com:a%0Ab", NULL, VC_ERR_DID_SYNTAX},       /* LF */
        {"did:web:example.com:..", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com:.", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com:%2E%2E", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com:%2e", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com::alice", NULL, VC_ERR_DID_SYNTAX},      /* empty segment */
        {"did:web:example.com:%FF", NULL, VC_ERR_DID_SYNTAX},         /* not UTF-8 */
        {"did:web:example.com:%C0%AF", NULL, VC_ERR_DID_SYNTAX},      /* overlong '/' */
        {"did:web:Example.com", NULL, VC_ERR_DID_SYNTAX},             /* upper case host */
        {"did:web:EXAMPLE.COM:alice", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com.", NULL, VC_ERR_DID_SYNTAX},            /* trailing dot */
        {"did:web:.example.com", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:exa..mple.com", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:-example.com", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example-.com", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:exa_mple.com", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:127.0.0.1", NULL, VC_ERR_DID_SYNTAX},               /* IP literals, every spelling */
        {"did:web:127.0.0.1%3A8443", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:127.1", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:2130706433", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:0x7f000001", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:0x7f.0.0.1", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:017700000001", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:1.2.3.4.5", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:%5B::1%5D", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com%40evil.com", NULL, VC_ERR_DID_SYNTAX},  /* userinfo trick */
        {"did:web:evil.com%2Fexample.com", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com%3A", NULL, VC_ERR_DID_SYNTAX},          /* empty port */
        {"did:web:example.com%3A0", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com%3A08443", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com%3A65536", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com%3A84a3", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com%3A443%3A1", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com:alice:", NULL, VC_ERR_DID_SYNTAX},     /* generic DID syntax */
        {"did:web:example.com/alice", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:example.com#x", NULL, VC_ERR_DID_SYNTAX},
        {"did:web:", NULL, VC_ERR_DID_SYNTAX},
        {"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", NULL, VC_ERR_DID_METHOD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *url = NULL;
        vc_error e;
        vc_error_clear(&e);
        vc_status st = vc_didweb_url(cases[i].did, &url, &e);
        vc_status want = cases[i].url ? VC_OK : cases[i].code;
        ck_assert_msg(st == want, "%s: got %s, want %s (%s)", cases[i].did, vc_status_name(st), vc_status_name(want),
                      e.message);
        if (cases[i].url)
            ck_assert_str_eq(url, cases[i].url);
        else
            ck_assert_ptr_null(url);
        free(url);
    }
    /* a label of 64 characters, a host of 254 */
    char did[400];
    snprintf(did, sizeof did, "did:web:%064d.com", 0);
    char *url = NULL;
    vc_error e;
    tu_assert_status(vc_didweb_url(did, &url, &e), VC_ERR_DID_SYNTAX, &e);
    snprintf(did, sizeof did, "did:web:%063d.com", 0);
    for (char *p = did + 8; *p != '.'; p++)
        *p = 'a';
    tu_assert_status(vc_didweb_url(did, &url, &e), VC_OK, &e);
    free(url);
}
END_TEST

/* ------------------------------------------------------------------ resolution */

START_TEST(t_resolve_well_known)
{
    NEED_SERVER();
    const char *did = local_did(srv.https, "");
    const char *kids[] = {"key-1", NULL};
    put_doc(".well-known/did.json", did, kids, NULL);
    ctx c = setup(VC_FETCH_ALLOW_LOOPBACK, 1, 0, 0);
    expect_resolve(c.r, did, VC_OK);
    vc_error e;
    char kid[600];
    snprintf(kid, sizeof kid, "%s#key-1", did);
    tu_assert_status(find_key(c.r, did, kid, &e), VC_OK, &e);
    tu_assert_status(find_key(c.r, did, "#key-1", &e), VC_OK, &e);
    tu_assert_status(find_key(c.r, did, "key-1", &e), VC_OK, &e);
    ck_assert_int_eq(tu_server_hits(&srv, "/.well-known/did.json"), 1);
    teardown(&c);
}
END_TEST

START_TEST(t_resolve_path)
{
    NEED_SERVER();
    const char *did = local_did(srv.https, ":user:alice");
    const char *kids[] = {"key-1", "key-2", NULL};
    put_doc("user/alice/did.json", did, kids, NULL);
    ctx c = setup(VC_FETCH_ALLOW_LOOPBACK, 1, 0, 0);
    expect_resolve(c.r, did, VC_OK);
    vc_error e;
    tu_assert_status(find_key(c.r, did, "#key-2", &e), VC_OK, &e);
    /* two keys: a kid is needed */
    tu_assert_status(find_key(c.r, did, NULL, &e), VC_ERR_JWS_KID, &e);
    ck_assert_int_eq(tu_server_hits(&srv, "/user/alice/did.json"), 1);
    /* a percent-encoded segment reaches the server decoded/re-encoded */
    const char *did2 = local_did(srv.https, ":user:caf%C3%A9");
    put_doc("user/caf\xc3\xa9/did.json", did2, kids, NULL);
    expect_resolve(c.r, did2, VC_OK);
    teardown(&c);
}
END_TEST

START_TEST(t_resolve_errors)
{
    NEED_SERVER();
    ctx c = setup(VC_FETCH_ALLOW_LOOPBACK, 1, 0, 0);
    const char *kids[] = {"key-1", NULL};
    vc_error e;

    /* the document's id is another DID */
    const char *did = local_did(srv.https, ":err:mismatch");
    put_doc("err/mismatch/did.json", "did:web:example.com:err:mismatch", kids, NULL);
    char *doc = NULL;
    tu_assert_status(vc_resolver_resolve(c.r, did, &doc, &e), VC_ERR_DID_DOCUMENT, &e);
    ck_assert_str_eq(e.path, "/id");
    tu_assert_status(find_key(c.r, did, "#key-1", &e), VC_ERR_DID_DOCUMENT, &e);
    /* ... including a difference in case only */
    const char *did_case = local_did(srv.https, ":err:case");
    char upper[512];
    snprintf(upper, sizeof upper, "did:web:localhost%%3A%d:err:CASE", srv.https);
    put_doc("err/case/did.json", upper, kids, NULL);
    expect_resolve(c.r, did_case, VC_ERR_DID_DOCUMENT);

    /* no document there */
    const char *missing = local_did(srv.https, ":err:missing");
    tu_assert_status(vc_resolver_resolve(c.r, missing, &doc, &e), VC_ERR_DID_NOT_FOUND, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "404"));
    ck_assert_ptr_nonnull(strstr(e.path, "/err/missing/did.json"));

    /* served as HTML */
    const char *html = local_did(srv.https, ":err:html");
    put_doc("err/html/did.json", html, kids, "{\"content_type\":\"text/html\"}");
    expect_resolve(c.r, html, VC_ERR_NET_CONTENT_TYPE);
    /* did+ld+json and did+json are fine */
    const char *ld = local_did(srv.https, ":err:ld");
    put_doc("err/ld/did.json", ld, kids, "{\"content_type\":\"application/did+ld+json\"}");
    expect_resolve(c.r, ld, VC_OK);

    /* not JSON, a NUL byte, a server error */
    const char *bad = local_did(srv.https, ":err:bad");
    tu_server_put(&srv, "err/bad/did.json", "{\"id\": ", NULL);
    expect_resolve(c.r, bad, VC_ERR_DID_DOCUMENT);
    const char *srverr = local_did(srv.https, ":err:500");
    tu_server_put(&srv, "err/500/did.json", "{}", "{\"status\":500}");
    expect_resolve(c.r, srverr, VC_ERR_NET_HTTP);

    /* a DID the rules refuse never reaches the network */
    char dotdot[512];
    snprintf(dotdot, sizeof dotdot, "did:web:localhost%%3A%d:%%2E%%2E:etc", srv.https);
    expect_resolve(c.r, dotdot, VC_ERR_DID_SYNTAX);
    teardown(&c);

    /* a DID document with a NUL byte inside a string is not cut short */
    ctx c2 = setup(VC_FETCH_ALLOW_LOOPBACK, 1, 0, 0);
    const char *nul = local_did(srv.https, ":err:nul");
    char *text = make_doc(nul, kids, NULL);
    /* write it with a raw NUL after the closing brace */
    char path[700];
    snprintf(path, sizeof path, "%s/err/nul", srv.www);
    tu_server_put(&srv, "err/nul/placeholder", "", NULL);
    snprintf(path, sizeof path, "%s/err/nul/did.json", srv.www);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fwrite(text, 1, strlen(text), fp);
    fwrite("\0garbage", 1, 8, fp);
    fclose(fp);
    free(text);
    expect_resolve(c2.r, nul, VC_ERR_DID_DOCUMENT);
    teardown(&c2);
}
END_TEST

START_TEST(t_network_rules_apply)
{
    NEED_SERVER();
    const char *kids[] = {"key-1", NULL};
    const char *did = local_did(srv.https, ":rules:a");
    put_doc("rules/a/did.json", did, kids, NULL);
    /* the default fetcher: localhost resolves to loopback, refused (SSRF) */
    ctx c = setup(0, 1, 0, 0);
    expect_resolve(c.r, did, VC_ERR_NET_ADDRESS);
    teardown(&c);
    /* without the test CA: TLS */
    c = setup(VC_FETCH_ALLOW_LOOPBACK, 0, 0, 0);
    expect_resolve(c.r, did, VC_ERR_NET_TLS);
    teardown(&c);
    /* a server whose certificate comes from an unknown CA */
    c = setup(VC_FETCH_ALLOW_LOOPBACK, 1, 0, 0);
    expect_resolve(c.r, local_did(srv.untrusted, ":rules:a"), VC_ERR_NET_TLS);
    /* none of these reached HTTP */
    ck_assert_int_eq(tu_server_hits(&srv, "/rules/a/did.json"), 0);
    teardown(&c);
}
END_TEST

/* Verifying many credentials of one issuer: one fetch. */
START_TEST(t_many_lookups_one_fetch)
{
    NEED_SERVER();
    const char *did = local_did(srv.https, ":many:issuer");
    const char *kids[] = {"key-1", NULL};
    put_doc("many/issuer/did.json", did, kids, NULL); /* no caching headers at all */
    ctx c = setup(VC_FETCH_ALLOW_LOOPBACK, 1, 0, 0);
    vc_error e;
    int64_t t0 = vc_net_now_ms();
    for (int i = 0; i < 10000; i++) {
        vc_status st = find_key(c.r, did, "#key-1", &e);
        if (st != VC_OK)
            ck_abort_msg("find_key %d: %s (%s)", i, vc_status_name(st), e.message);
    }
    int64_t el = vc_net_now_ms() - t0;
    long hits = tu_server_hits(&srv, "/many/issuer/did.json");
    fprintf(stderr, "didweb: 10000 find_key calls, %ld server hit(s), %lld ms\n", hits, (long long)el);
    ck_assert_int_eq(hits, 1);
    vc_fetcher_stats s;
    vc_fetcher_get_stats(c.f, &s);
    ck_assert_uint_eq(s.requests, 1);

    /* A second resolver on the same fetcher: the fetcher's cache serves it when
     * the server allows caching. */
    const char *did2 = local_did(srv.https, ":many:cached");
    put_doc("many/cached/did.json", did2, kids, "{\"cache_control\":\"max-age=600\"}");
    tu_assert_status(find_key(c.r, did2, "#key-1", &e), VC_OK, &e);
    vc_resolver *r2 = NULL;
    tu_assert_status(vc_resolver_new(&r2, &e), VC_OK, &e);
    tu_assert_status(vc_resolver_add_web(r2, c.f, &e), VC_OK, &e);
    for (int i = 0; i < 1000; i++)
        tu_assert_status(find_key(r2, did2, "#key-1", &e), VC_OK, &e);
    ck_assert_int_eq(tu_server_hits(&srv, "/many/cached/did.json"), 1);
    vc_resolver_free(r2);
    teardown(&c);
}
END_TEST

/* An unknown kid: one re-fetch; more unknown kids within the cool-down: none. */
START_TEST(t_unknown_kid_refetch)
{
    NEED_SERVER();
    const char *did = local_did(srv.https, ":kid:unknown");
    const char *kids[] = {"key-1", NULL};
    put_doc("kid/unknown/did.json", did, kids, "{\"cache_control\":\"max-age=600\"}");
    ctx c = setup(VC_FETCH_ALLOW_LOOPBACK, 1, 0, 0); /* the defaults: a one-minute cool-down */
    vc_error e;
    const char *path = "/kid/unknown/did.json";
    tu_assert_status(find_key(c.r, did, "#key-1", &e), VC_OK, &e);
    ck_assert_int_eq(tu_server_hits(&srv, path), 1);
    /* the first unknown kid re-fetches once (past the fetcher's fresh cache) */
    tu_assert_status(find_key(c.r, did, "#nope", &e), VC_ERR_DID_VM_NOT_FOUND, &e);
    ck_assert_int_eq(tu_server_hits(&srv, path), 2);
    /* a second, and a flood, within the cool-down: nothing */
    tu_assert_status(find_key(c.r, did, "#nope-2", &e), VC_ERR_DID_VM_NOT_FOUND, &e);
    for (int i = 0; i < 1000; i++) {
        char kid[32];
        snprintf(kid, sizeof kid, "#flood-%d", i);
        tu_assert_status(find_key(c.r, did, kid, &e), VC_ERR_DID_VM_NOT_FOUND, &e);
    }
    ck_assert_int_eq(tu_server_hits(&srv, path), 2);
    /* known kids still work from the cache */
    tu_assert_status(find_key(c.r, did, "#key-1", &e), VC_OK, &e);
    ck_assert_int_eq(tu_server_hits(&srv, path), 2);
    teardown(&c);
}
END_TEST

/* After the cool-down, an unknown kid may re-fetch again (once). */
START_TEST(t_unknown_kid_after_cooldown)
{
    SKIP_IF_NO_TIMING();
    NEED_SERVER();
    const char *did = local_did(srv.https, ":kid:cooldown");
    const char *kids[] = {"key-1", NULL};
    put_doc("kid/cooldown/did.json", did, kids, "{\"cache_control\":\"max-age=600\"}");
    ctx c = setup(VC_FETCH_ALLOW_LOOPBACK, 1, 300, VC_DIDWEB_DOC_TTL_MS);
    vc_error e;
    const char *path = "/kid/cooldown/did.json";
    tu_assert_status(find_key(c.r, did, "#key-1", &e), VC_OK, &e);
    tu_assert_status(find_key(c.r, did, "#nope", &e), VC_ERR_DID_VM_NOT_FOUND, &e);
    ck_assert_int_eq(tu_server_hits(&srv, path), 2);
    usleep(400 * 1000);
    tu_assert_status(find_key(c.r, did, "#nope-3", &e), VC_ERR_DID_VM_NOT_FOUND, &e);
    ck_assert_int_eq(tu_server_hits(&srv, path), 3);
    teardown(&c);
}
END_TEST

/* Key rotation: the issuer adds a key; the first credential signed with it
 * makes the resolver fetch the new document and the key is found. */
START_TEST(t_key_rotation)
{
    NEED_SERVER();
    const char *did = local_did(srv.https, ":kid:rotate");
    const char *kids1[] = {"key-1", NULL};
    const char *kids2[] = {"key-1", "key-2", NULL};
    put_doc("kid/rotate/did.json", did, kids1, "{\"cache_control\":\"max-age=600\"}");
    ctx c = setup(VC_FETCH_ALLOW_LOOPBACK, 1, 0, 0); /* the public defaults */
    vc_error e;
    tu_assert_status(find_key(c.r, did, "#key-1", &e), VC_OK, &e);
    put_doc("kid/rotate/did.json", did, kids2, "{\"cache_control\":\"max-age=600\"}");
    tu_assert_status(find_key(c.r, did, "#key-2", &e), VC_OK, &e);
    ck_assert_int_eq(tu_server_hits(&srv, "/kid/rotate/did.json"), 2);
    for (int i = 0; i < 100; i++) {
        tu_assert_status(find_key(c.r, did, "#key-1", &e), VC_OK, &e);
        tu_assert_status(find_key(c.r, did, "#key-2", &e), VC_OK, &e);
    }
    ck_assert_int_eq(tu_server_hits(&srv, "/kid/rotate/did.json"), 2);
    /* with the default cool-down (a minute) a further unknown kid fetches nothing */
    tu_assert_status(find_key(c.r, did, "#key-3", &e), VC_ERR_DID_VM_NOT_FOUND, &e);
    ck_assert_int_eq(tu_server_hits(&srv, "/kid/rotate/did.json"), 2);
    teardown(&c);
}
END_TEST

/* The resolver keeps a document for the plug-in's lifetime, then asks the
 * fetcher again, whose HTTP cache decides. */
START_TEST(t_resolver_ttl)
{
    SKIP_IF_NO_TIMING();
    NEED_SERVER();
    const char *kids[] = {"key-1", NULL};
    const char *fresh = local_did(srv.https, ":ttl:fresh");
    const char *stale = local_did(srv.https, ":ttl:stale");
    put_doc("ttl/fresh/did.json", fresh, kids, "{\"cache_control\":\"max-age=600\"}");
    put_doc("ttl/stale/did.json", stale, kids, NULL);
    ctx c = setup(VC_FETCH_ALLOW_LOOPBACK, 1, VC_DIDWEB_REFRESH_COOLDOWN_MS, 300);
    vc_error e;
    tu_assert_status(find_key(c.r, fresh, "#key-1", &e), VC_OK, &e);
    tu_assert_status(find_key(c.r, stale, "#key-1", &e), VC_OK, &e);
    usleep(400 * 1000);
    tu_assert_status(find_key(c.r, fresh, "#key-1", &e), VC_OK, &e);
    tu_assert_status(find_key(c.r, stale, "#key-1", &e), VC_OK, &e);
    ck_assert_int_eq(tu_server_hits(&srv, "/ttl/fresh/did.json"), 1); /* HTTP cache still fresh */
    ck_assert_int_eq(tu_server_hits(&srv, "/ttl/stale/did.json"), 2); /* revalidated: 304 */
    vc_fetcher_stats s;
    vc_fetcher_get_stats(c.f, &s);
    ck_assert_uint_eq(s.revalidated, 1);
    teardown(&c);
}
END_TEST

/* Offline: documents supplied for their URLs resolve; nothing else does. */
START_TEST(t_offline)
{
    ck_assert_int_eq(vc_init(), VC_OK);
    ctx c = setup(VC_FETCH_OFFLINE, 0, 0, 0);
    const char *kids[] = {"key-1", NULL};
    char *doc = make_doc("did:web:example.com", kids, NULL);
    vc_error e;
    tu_assert_status(vc_fetcher_add_static(c.f, "https://example.com/.well-known/did.json", doc, strlen(doc),
                                           "application/did+json", &e),
                     VC_OK, &e);
    free(doc);
    doc = make_doc("did:web:example.com:issuers:acme", kids, NULL);
    tu_assert_status(vc_fetcher_add_static(c.f, "https://example.com/issuers/acme/did.json", doc, strlen(doc),
                                           "application/json", &e),
                     VC_OK, &e);
    free(doc);
    expect_resolve(c.r, "did:web:example.com", VC_OK);
    tu_assert_status(find_key(c.r, "did:web:example.com", "#key-1", &e), VC_OK, &e);
    tu_assert_status(find_key(c.r, "did:web:example.com:issuers:acme", "#key-1", &e), VC_OK, &e);
    /* an unknown kid asks for a refresh: offline, the supplied document again */
    tu_assert_status(find_key(c.r, "did:web:example.com", "#other", &e), VC_ERR_DID_VM_NOT_FOUND, &e);
    expect_resolve(c.r, "did:web:other.example", VC_ERR_NET_OFFLINE);
    vc_fetcher_stats s;
    vc_fetcher_get_stats(c.f, &s);
    ck_assert_uint_eq(s.requests, 0);
    teardown(&c);
}
END_TEST

static Suite *didweb_suite(void)
{
    Suite *s = suite_create("didweb");
    TCase *rules = tcase_create("rules");
    tcase_add_test(rules, t_url_mapping);
    tcase_add_test(rules, t_offline);
    suite_add_tcase(s, rules);
    TCase *live = tcase_create("loopback-https");
    tcase_add_unchecked_fixture(live, server_up, server_down);
    tcase_set_timeout(live, 120);
    tcase_add_test(live, t_resolve_well_known);
    tcase_add_test(live, t_resolve_path);
    tcase_add_test(live, t_resolve_errors);
    tcase_add_test(live, t_network_rules_apply);
    tcase_add_test(live, t_many_lookups_one_fetch);
    tcase_add_test(live, t_unknown_kid_refetch);
    tcase_add_test(live, t_unknown_kid_after_cooldown);
    tcase_add_test(live, t_key_rotation);
    tcase_add_test(live, t_resolver_ttl);
    suite_add_tcase(s, live);
    return s;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* as vc/net.h asks of threaded programs */
    return tu_run(didweb_suite());
}
