/* test_trust.c - trust store and DIA chains: anchored, unanchored, untrusted,
 * invalid / expired DIAs, loops, depth, service discovery and caching. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"
#include "vc/trust.h"

#define NOW 1798761600 /* 2027-01-01 */

typedef struct party {
    vc_key *key;
    char *did;
} party;

static party make_party(void)
{
    party p;
    ck_assert_int_eq(vc_key_generate(VC_KEY_ED25519, &p.key, NULL), VC_OK);
    ck_assert_int_eq(vc_did_key_from_key(p.key, &p.did, NULL), VC_OK);
    return p;
}

static void free_party(party *p)
{
    vc_key_free(p->key);
    vc_free(p->did);
}

/* A DIA issued by `by` for `subject` (did), optional validUntil; signed as vc+jwt. */
static char *make_dia(const party *by, const char *subject, const char *valid_until, const char *type)
{
    char cred[2048];
    snprintf(cred, sizeof cred,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",\"https://test.uncefact.org/vocabulary/untp/dia/0.6.1/\"],"
             "\"id\":\"urn:uuid:dia-for-%.60s\","
             "\"type\":[\"%s\",\"VerifiableCredential\"],\"validFrom\":\"2025-01-01T00:00:00Z\"%s%s%s,"
             "\"credentialSubject\":{\"type\":[\"RegisteredIdentity\"],\"id\":\"%s\",\"name\":\"Registered entity\"}}",
             subject + strlen(subject) - 12, type ? type : "DigitalIdentityAnchor",
             valid_until ? ",\"validUntil\":\"" : "", valid_until ? valid_until : "", valid_until ? "\"" : "",
             subject);
    char *out = NULL;
    vc_error e;
    tu_assert_status(vc_sign(by->key, cred, strlen(cred), NULL, &out, &e), VC_OK, &e);
    return out;
}

static vc_resolver *resolver;
static vc_trust *trust;
static party reg, acc, company, mine, rogue;

static void setup(void)
{
    ck_assert_int_eq(vc_resolver_new(&resolver, NULL), VC_OK);
    ck_assert_int_eq(vc_trust_new(&trust, NULL), VC_OK);
    reg = make_party();
    acc = make_party();
    company = make_party();
    mine = make_party();
    rogue = make_party();
    ck_assert_int_eq(vc_trust_add_did(trust, reg.did, NULL), VC_OK);
}

static void teardown(void)
{
    vc_trust_free(trust);
    vc_resolver_free(resolver);
    free_party(&reg);
    free_party(&acc);
    free_party(&company);
    free_party(&mine);
    free_party(&rogue);
}

static void add(char *dia)
{
    vc_error e;
    tu_assert_status(vc_trust_add_dia(trust, dia, strlen(dia), &e), VC_OK, &e);
    vc_free(dia);
}

static void expect_anchor(const char *issuer, vc_status want, const char *want_anchor, int64_t at)
{
    char *anchor = NULL, *path = NULL;
    vc_error e;
    vc_status st = vc_trust_anchor(trust, resolver, at, issuer, &anchor, &path, &e);
    ck_assert_msg(st == want, "anchor(%s): got %s want %s: %s", issuer, vc_status_name(st), vc_status_name(want),
                  e.message);
    if (want == VC_OK) {
        ck_assert_str_eq(anchor, want_anchor);
        ck_assert_ptr_nonnull(strstr(path, "(trusted)"));
    } else {
        ck_assert_ptr_null(anchor);
        ck_assert(strlen(e.message) > 0);
    }
    vc_free(anchor);
    vc_free(path);
}

START_TEST(direct_and_one_hop)
{
    expect_anchor(reg.did, VC_OK, reg.did, NOW);
    expect_anchor(company.did, VC_ERR_TRUST_UNANCHORED, NULL, NOW);
    add(make_dia(&reg, company.did, NULL, NULL));
    expect_anchor(company.did, VC_OK, reg.did, NOW);
    char *anchor = NULL, *path = NULL;
    ck_assert_int_eq(vc_trust_anchor(trust, resolver, NOW, company.did, &anchor, &path, NULL), VC_OK);
    ck_assert_ptr_nonnull(strstr(path, company.did));
    ck_assert_ptr_nonnull(strstr(path, "<- DIA urn:uuid:dia-for-"));
    vc_free(anchor);
    vc_free(path);
}
END_TEST

START_TEST(two_hops_and_untrusted)
{
    /* mine <- DIA by accreditor <- DIA by register (trusted) */
    add(make_dia(&acc, mine.did, NULL, NULL));
    expect_anchor(mine.did, VC_ERR_TRUST_UNTRUSTED, NULL, NOW); /* accreditor not anchored yet */
    add(make_dia(&reg, acc.did, NULL, NULL));
    expect_anchor(mine.did, VC_OK, reg.did, NOW);
    /* a DIA from an untrusted register */
    add(make_dia(&rogue, company.did, NULL, NULL));
    char *a = NULL;
    vc_error e;
    tu_assert_status(vc_trust_anchor(trust, resolver, NOW, company.did, &a, NULL, &e), VC_ERR_TRUST_UNTRUSTED, &e);
    ck_assert_ptr_nonnull(strstr(e.message, rogue.did));
}
END_TEST

START_TEST(loops_and_depth)
{
    /* company <- acc <- company: a loop, neither trusted */
    add(make_dia(&acc, company.did, NULL, NULL));
    add(make_dia(&company, acc.did, NULL, NULL));
    expect_anchor(company.did, VC_ERR_TRUST_LOOP, NULL, NOW);
    vc_trust_free(trust);
    ck_assert_int_eq(vc_trust_new(&trust, NULL), VC_OK);
    ck_assert_int_eq(vc_trust_add_did(trust, reg.did, NULL), VC_OK);
    /* a chain of 5 DIAs: p0 <- p1 <- p2 <- p3 <- p4 <- reg */
    party p[5];
    for (int i = 0; i < 5; i++)
        p[i] = make_party();
    for (int i = 0; i < 4; i++)
        add(make_dia(&p[i + 1], p[i].did, NULL, NULL));
    add(make_dia(&reg, p[4].did, NULL, NULL));
    expect_anchor(p[0].did, VC_ERR_TRUST_DEPTH, NULL, NOW);
    expect_anchor(p[1].did, VC_OK, reg.did, NOW); /* 4 DIAs: within the default limit */
    vc_trust_set_max_depth(trust, 5);
    expect_anchor(p[0].did, VC_OK, reg.did, NOW);
    for (int i = 0; i < 5; i++)
        free_party(&p[i]);
}
END_TEST

START_TEST(invalid_dias)
{
    /* tampered signature */
    char *dia = make_dia(&reg, company.did, NULL, NULL);
    char *id = strstr(dia, "data:application/vc+jwt,");
    char *sig = strrchr(id, '.') + 3;
    *sig = *sig == 'A' ? 'B' : 'A';
    add(dia);
    vc_error e;
    char *a = NULL;
    tu_assert_status(vc_trust_anchor(trust, resolver, NOW, company.did, &a, NULL, &e), VC_ERR_TRUST_DIA, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "VC_ERR_JWS_SIGNATURE"));
    /* a credential that names the subject but is not a DIA */
    add(make_dia(&reg, mine.did, NULL, "SomeOtherCredential"));
    expect_anchor(mine.did, VC_ERR_TRUST_DIA, NULL, NOW);
    /* expired DIA: fails now, passes inside its window, and the cached answer follows the time */
    add(make_dia(&reg, acc.did, "2026-06-01T00:00:00Z", NULL));
    expect_anchor(acc.did, VC_ERR_TRUST_DIA, NULL, NOW);
    expect_anchor(acc.did, VC_OK, reg.did, 1767225600 /* 2026-01-01 */);
    expect_anchor(acc.did, VC_ERR_TRUST_DIA, NULL, NOW);
    expect_anchor(acc.did, VC_ERR_TRUST_DIA, NULL, 1700000000 /* before validFrom */);
    /* garbage in the pool is an invalid DIA, not a crash */
    ck_assert_int_eq(vc_trust_add_dia(trust, "not a credential", 16, NULL), VC_OK);
    expect_anchor(company.did, VC_ERR_TRUST_DIA, NULL, NOW);
}
END_TEST

/* ---- service discovery: did:web:company.example lists a untp:dia service */

static int fetch_calls;
static char *served_dia;

static vc_status fake_fetch(void *ctx, const char *url, char **body, size_t *len, vc_error *err)
{
    (void)ctx;
    fetch_calls++;
    if (strcmp(url, "https://company.example/dia.json") != 0 || !served_dia)
        return vc_fail(err, VC_ERR_NET_HTTP, url, "404");
    *body = strdup(served_dia);
    *len = strlen(served_dia);
    return VC_OK;
}

START_TEST(service_discovery)
{
    char *jwk = NULL;
    ck_assert_int_eq(vc_key_to_jwk(company.key, 0, &jwk, NULL), VC_OK);
    const char *did = "did:web:company.example";
    char doc[2048];
    snprintf(doc, sizeof doc,
             "{\"id\":\"%s\",\"verificationMethod\":[{\"id\":\"%s#key-1\",\"type\":\"JsonWebKey\","
             "\"controller\":\"%s\",\"publicKeyJwk\":%s}],\"assertionMethod\":[\"%s#key-1\"],"
             "\"service\":[{\"id\":\"%s#dia\",\"type\":\"untp:dia\",\"serviceEndpoint\":\"https://company.example/dia.json\"}]}",
             did, did, did, jwk, did, did);
    vc_free(jwk);
    vc_error e;
    tu_assert_status(vc_resolver_add_document(resolver, doc, strlen(doc), &e), VC_OK, &e);
    served_dia = make_dia(&reg, did, NULL, NULL);
    fetch_calls = 0;
    /* without a fetch function the service is not followed */
    expect_anchor(did, VC_ERR_TRUST_UNANCHORED, NULL, NOW);
    ck_assert_int_eq(fetch_calls, 0);
    vc_trust_set_fetch(trust, fake_fetch, NULL);
    for (int i = 0; i < 1000; i++)
        expect_anchor(did, VC_OK, reg.did, NOW);
    ck_assert_int_eq(fetch_calls, 1); /* fetched once, then cached */
    vc_free(served_dia);
    served_dia = NULL;
}
END_TEST

START_TEST(trust_file)
{
    char path[] = "/tmp/vc-trust-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    char text[1024];
    snprintf(text, sizeof text, "# registers\n\n  %s  \n# accreditation\n%s\n", company.did, acc.did);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    vc_error e;
    tu_assert_status(vc_trust_load_file(trust, path, &e), VC_OK, &e);
    ck_assert(vc_trust_is_trusted(trust, company.did));
    ck_assert(vc_trust_is_trusted(trust, acc.did));
    ck_assert(!vc_trust_is_trusted(trust, mine.did));
    fd = open(path, O_WRONLY | O_TRUNC);
    const char *bad = "did:web:ok.example\nnot a did\n";
    ck_assert_int_eq(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
    close(fd);
    tu_assert_status(vc_trust_load_file(trust, path, &e), VC_ERR_DID_SYNTAX, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "line 2"));
    unlink(path);
    tu_assert_status(vc_trust_load_file(trust, path, &e), VC_ERR_IO, &e);
    tu_assert_status(vc_trust_add_did(trust, "did:Web:x", &e), VC_ERR_DID_SYNTAX, &e);
}
END_TEST

int main(void)
{
    if (vc_init() != VC_OK)
        return 1;
    Suite *s = suite_create("trust");
    TCase *tc = tcase_create("trust");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, direct_and_one_hop);
    tcase_add_test(tc, two_hops_and_untrusted);
    tcase_add_test(tc, loops_and_depth);
    tcase_add_test(tc, invalid_dias);
    tcase_add_test(tc, service_discovery);
    tcase_add_test(tc, trust_file);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
