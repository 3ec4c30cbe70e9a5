/* test_verify.c - sign/verify end to end: W3C VC-JOSE-COSE suite, round trips,
 * and every rejection path of vc_verify / vc_sign with its error code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cose/cbor_strict.h"
#include "cose/cose_internal.h"
#include "internal.h"
#include "testutil.h"

static const char *SUITE_DIR = "vectors/w3c-vc-jose-cose-test-suite";

static char *suite_file(const char *name, size_t *len)
{
    char rel[512];
    snprintf(rel, sizeof rel, "%s/%s", SUITE_DIR, name);
    return tu_read(tu_shared_path(rel), len);
}

/* ------------------------------------------------------------ helpers */

static vc_key *ed_key, *p256_key, *other_key;
static char *ed_did, *p256_did, *other_did;
static vc_resolver *resolver;
static vc_verifier *verifier;

static void setup(void)
{
    ck_assert_int_eq(vc_key_generate(VC_KEY_ED25519, &ed_key, NULL), VC_OK);
    ck_assert_int_eq(vc_key_generate(VC_KEY_P256, &p256_key, NULL), VC_OK);
    ck_assert_int_eq(vc_key_generate(VC_KEY_ED25519, &other_key, NULL), VC_OK);
    ck_assert_int_eq(vc_did_key_from_key(ed_key, &ed_did, NULL), VC_OK);
    ck_assert_int_eq(vc_did_key_from_key(p256_key, &p256_did, NULL), VC_OK);
    ck_assert_int_eq(vc_did_key_from_key(other_key, &other_did, NULL), VC_OK);
    ck_assert_int_eq(vc_resolver_new(&resolver, NULL), VC_OK);
    ck_assert_int_eq(vc_verifier_new(resolver, &verifier, NULL), VC_OK);
}

static void teardown(void)
{
    vc_verifier_free(verifier);
    vc_resolver_free(resolver);
    vc_key_free(ed_key);
    vc_key_free(p256_key);
    vc_key_free(other_key);
    vc_free(ed_did);
    vc_free(p256_did);
    vc_free(other_did);
}

/* A valid unsigned credential issued by `issuer` (NULL: no issuer member). */
static char *credential(const char *issuer, const char *extra)
{
    char *buf = malloc(4096);
    snprintf(buf, 4096,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",\"https://www.w3.org/ns/credentials/examples/v2\"],"
             "\"id\":\"urn:uuid:8d5f4e1a-0b7c-4d67-9a39-2f5e0c7a1b11\","
             "\"type\":[\"VerifiableCredential\",\"ExampleCredential\"],%s%s%s"
             "\"validFrom\":\"2024-01-01T00:00:00Z\","
             "\"credentialSubject\":{\"id\":\"did:example:subject\",\"name\":\"Lithium batch 42\"}%s%s}",
             issuer ? "\"issuer\":\"" : "", issuer ? issuer : "", issuer ? "\"," : "", extra ? "," : "",
             extra ? extra : "");
    return buf;
}

/* The did:key verification method id of a key. */
static char *vm_of(const vc_key *key)
{
    char *vm = NULL;
    ck_assert_int_eq(vc_did_key_vm_id(key, &vm, NULL), VC_OK);
    return vm;
}

/* Verify text and assert the status and (optionally) the failing check's name. */
static void expect_verify(const char *text, vc_status want, const char *check_name)
{
    vc_report *rep = NULL;
    vc_error e;
    vc_status st = vc_verify(verifier, text, strlen(text), &rep, &e);
    char *js = NULL;
    if (st != want)
        vc_report_to_json(rep, 1, &js, NULL);
    ck_assert_msg(st == want, "got %s want %s: %s (at %s)\n%s", vc_status_name(st), vc_status_name(want), e.message,
                  e.path, js ? js : "");
    ck_assert_ptr_nonnull(rep);
    ck_assert_int_eq(vc_report_valid(rep), want == VC_OK);
    if (want != VC_OK) {
        ck_assert_int_eq(e.code, want);
        ck_assert(strlen(e.message) > 0);
        ck_assert_int_eq(vc_report_first_error(rep)->code, want);
    }
    if (check_name) {
        int found = 0;
        for (size_t i = 0; i < vc_report_count(rep); i++) {
            const char *name;
            vc_check_result r;
            const vc_error *d;
            vc_report_check(rep, i, &name, &r, &d);
            if (strcmp(name, check_name) == 0 && r == VC_CHECK_FAIL && d && d->code == want)
                found = 1;
        }
        ck_assert_msg(found, "no failed check %s with %s", check_name, vc_status_name(want));
    }
    vc_free(js);
    vc_report_free(rep);
}

/* ---------------------------------------------------------- round trips */

START_TEST(roundtrip_eddsa_es256)
{
    const vc_key *keys[] = {ed_key, p256_key};
    const char *dids[] = {ed_did, p256_did};
    const char *algs[] = {"EdDSA", "ES256"};
    for (int i = 0; i < 2; i++) {
        char *cred = credential(NULL, NULL); /* issuer filled in from the key */
        char *out = NULL;
        vc_error e;
        tu_assert_status(vc_sign(keys[i], cred, strlen(cred), NULL, &out, &e), VC_OK, &e);
        ck_assert_ptr_nonnull(strstr(out, "\"EnvelopedVerifiableCredential\""));
        ck_assert_ptr_nonnull(strstr(out, "data:application/vc+jwt,ey"));
        vc_report *rep = NULL;
        tu_assert_status(vc_verify(verifier, out, strlen(out), &rep, &e), VC_OK, &e);
        ck_assert_str_eq(vc_report_issuer(rep), dids[i]);
        ck_assert_str_eq(vc_report_alg(rep), algs[i]);
        ck_assert_str_eq(vc_report_format(rep), "vc+jwt");
        char *vm = vm_of(keys[i]);
        ck_assert_str_eq(vc_report_method(rep), vm);
        ck_assert_ptr_nonnull(strstr(vc_report_credential(rep), "Lithium batch 42"));
        /* every check passed, and the expected ones ran */
        const char *must[] = {"input.format", "jws.header", "jws.typ", "jwt.claims", "validity", "issuer.key",
                              "jws.signature"};
        for (size_t m = 0; m < sizeof must / sizeof must[0]; m++) {
            int seen = 0;
            for (size_t k = 0; k < vc_report_count(rep); k++) {
                const char *name;
                vc_check_result r;
                vc_report_check(rep, k, &name, &r, NULL);
                ck_assert_int_ne(r, VC_CHECK_FAIL);
                if (strcmp(name, must[m]) == 0 && r == VC_CHECK_PASS)
                    seen = 1;
            }
            ck_assert_msg(seen, "check %s did not pass", must[m]);
        }
        char *js = NULL;
        ck_assert_int_eq(vc_report_to_json(rep, 0, &js, NULL), VC_OK);
        ck_assert_ptr_nonnull(strstr(js, "\"valid\":true"));
        vc_free(js);
        vc_report_free(rep);

        /* the bare JWS and the data: URL forms verify too */
        vc_sign_options o = {.bare = 1};
        char *bare = NULL;
        tu_assert_status(vc_sign(keys[i], cred, strlen(cred), &o, &bare, &e), VC_OK, &e);
        ck_assert_ptr_null(strchr(bare, '{'));
        expect_verify(bare, VC_OK, NULL);
        size_t n = strlen(bare) + 64;
        char *url = malloc(n);
        snprintf(url, n, "  data:application/vc+jwt,%s\n", bare);
        expect_verify(url, VC_OK, NULL);
        free(url);
        vc_free(bare);
        vc_free(vm);
        vc_free(out);
        free(cred);
    }
}
END_TEST

START_TEST(presentation_roundtrip)
{
    char *cred = credential(NULL, NULL);
    char *vc = NULL;
    ck_assert_int_eq(vc_sign(ed_key, cred, strlen(cred), NULL, &vc, NULL), VC_OK);
    size_t n = strlen(vc) + 512;
    char *vp = malloc(n);
    snprintf(vp, n,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiablePresentation\"],"
             "\"verifiableCredential\":[%s]}",
             vc);
    char *out = NULL;
    vc_error e;
    tu_assert_status(vc_sign(p256_key, vp, strlen(vp), NULL, &out, &e), VC_OK, &e);
    ck_assert_ptr_nonnull(strstr(out, "EnvelopedVerifiablePresentation"));
    ck_assert_ptr_nonnull(strstr(out, "data:application/vp+jwt,"));
    vc_report *rep = NULL;
    tu_assert_status(vc_verify(verifier, out, strlen(out), &rep, &e), VC_OK, &e);
    ck_assert_str_eq(vc_report_format(rep), "vp+jwt");
    ck_assert_str_eq(vc_report_issuer(rep), p256_did);
    int nested = 0;
    for (size_t k = 0; k < vc_report_count(rep); k++) {
        const char *name;
        vc_check_result r;
        vc_report_check(rep, k, &name, &r, NULL);
        if (strcmp(name, "credential[0].jws.signature") == 0 && r == VC_CHECK_PASS)
            nested = 1;
    }
    ck_assert_msg(nested, "nested credential signature was not checked");
    vc_report_free(rep);
    vc_free(out);

    /* a presentation carrying an unsecured credential is refused at signing */
    snprintf(vp, n,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiablePresentation\"],"
             "\"verifiableCredential\":[%s]}",
             cred);
    char *tmp = credential(ed_did, NULL);
    snprintf(vp, n,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiablePresentation\"],"
             "\"verifiableCredential\":[%s]}",
             tmp);
    tu_assert_status(vc_sign(p256_key, vp, strlen(vp), NULL, &out, &e), VC_ERR_UNSECURED, &e);
    ck_assert_str_eq(e.path, "/verifiableCredential/0");
    free(tmp);

    /* a presentation whose nested credential was tampered with fails on that credential */
    char *bad = strdup(vc);
    char *sig = strrchr(bad, '.') + 5;
    *sig = *sig == 'A' ? 'B' : 'A';
    snprintf(vp, n,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiablePresentation\"],"
             "\"verifiableCredential\":[%s]}",
             bad);
    tu_assert_status(vc_sign(p256_key, vp, strlen(vp), NULL, &out, &e), VC_OK, &e);
    expect_verify(out, VC_ERR_JWS_SIGNATURE, "credential[0].jws.signature");
    vc_free(out);
    free(bad);
    free(vp);
    vc_free(vc);
    free(cred);
}
END_TEST

/* ------------------------------------------------------- rejection paths */

static char *signed_with_header(const vc_key *key, const char *header_fmt, const char *payload_extra)
{
    char *did = NULL, *vm = NULL;
    ck_assert_int_eq(vc_did_key_from_key(key, &did, NULL), VC_OK);
    ck_assert_int_eq(vc_did_key_vm_id(key, &vm, NULL), VC_OK);
    char header[1024];
    snprintf(header, sizeof header, header_fmt, vm);
    char *cred = credential(did, payload_extra);
    char *jws = tu_forge_jws(key, header, cred);
    free(cred);
    vc_free(did);
    vc_free(vm);
    return jws;
}

START_TEST(header_rejections)
{
    struct {
        const char *header;
        vc_status code;
        const char *check;
    } cases[] = {
        {"{\"alg\":\"none\",\"typ\":\"vc+jwt\",\"kid\":\"%s\"}", VC_ERR_JWS_ALG_NONE, "jws.header"},
        {"{\"alg\":\"HS256\",\"typ\":\"vc+jwt\",\"kid\":\"%s\"}", VC_ERR_JWS_ALG, "jws.header"},
        {"{\"alg\":\"ES256\",\"typ\":\"vc+jwt\",\"kid\":\"%s\"}", VC_ERR_JWS_ALG_KEY, "jws.signature"},
        {"{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\",\"kid\":\"%s\",\"crit\":[\"urn:x\"],\"urn:x\":1}", VC_ERR_JWS_CRIT,
         "jws.header"},
        {"{\"alg\":\"EdDSA\",\"kid\":\"%s\"}", VC_ERR_JWS_TYP, "jws.typ"},
        {"{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"%s\"}", VC_ERR_JWS_TYP, "jws.typ"},
        {"{\"alg\":\"EdDSA\",\"typ\":\"vp+jwt\",\"kid\":\"%s\"}", VC_ERR_JWS_TYP, "jws.typ"},
        {"{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\",\"cty\":\"json\",\"kid\":\"%s\"}", VC_ERR_JWS_CTY, "jws.typ"},
        {"{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\",\"kid\":\"%s-nope\"}", VC_ERR_DID_VM_NOT_FOUND, "issuer.key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *jws = signed_with_header(ed_key, cases[i].header, NULL);
        expect_verify(jws, cases[i].code, cases[i].check);
        free(jws);
    }
    /* accepted variants: legacy typ, typ with application/ prefix, no cty */
    const char *ok[] = {"{\"alg\":\"EdDSA\",\"typ\":\"vc-ld+jwt\",\"kid\":\"%s\"}",
                        "{\"alg\":\"EdDSA\",\"typ\":\"application/vc+jwt\",\"cty\":\"vc\",\"kid\":\"%s\"}"};
    for (size_t i = 0; i < 2; i++) {
        char *jws = signed_with_header(ed_key, ok[i], NULL);
        expect_verify(jws, VC_OK, NULL);
        free(jws);
    }
    /* ES256 header on an Ed25519 issuer, signed by a P-256 key: alg confusion */
    char *vm = vm_of(ed_key);
    char header[512];
    snprintf(header, sizeof header, "{\"alg\":\"ES256\",\"typ\":\"vc+jwt\",\"kid\":\"%s\"}", vm);
    char *cred = credential(ed_did, NULL);
    char *jws = tu_forge_jws(p256_key, header, cred);
    expect_verify(jws, VC_ERR_JWS_ALG_KEY, "jws.signature");
    free(jws);
    free(cred);
    vc_free(vm);
    /* and the reverse: EdDSA header on a P-256 issuer */
    vm = vm_of(p256_key);
    snprintf(header, sizeof header, "{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\",\"kid\":\"%s\"}", vm);
    cred = credential(p256_did, NULL);
    jws = tu_forge_jws(ed_key, header, cred);
    expect_verify(jws, VC_ERR_JWS_ALG_KEY, "jws.signature");
    free(jws);
    free(cred);
    vc_free(vm);
}
END_TEST

START_TEST(key_and_signature_rejections)
{
    /* kid naming another DID's key, while the issuer is ed_did */
    char *other_vm = vm_of(other_key);
    char header[512];
    snprintf(header, sizeof header, "{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\",\"kid\":\"%s\"}", other_vm);
    char *cred = credential(ed_did, NULL);
    char *jws = tu_forge_jws(other_key, header, cred);
    expect_verify(jws, VC_ERR_JWS_KID, "issuer.key");
    free(jws);
    /* signed by another key, kid of the issuer: bad signature */
    char *vm = vm_of(ed_key);
    snprintf(header, sizeof header, "{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\",\"kid\":\"%s\"}", vm);
    jws = tu_forge_jws(other_key, header, cred);
    expect_verify(jws, VC_ERR_JWS_SIGNATURE, "jws.signature");
    free(jws);
    free(cred);
    /* payload edited after signing */
    cred = credential(ed_did, NULL);
    char *out = NULL;
    vc_sign_options o = {.bare = 1};
    ck_assert_int_eq(vc_sign(ed_key, cred, strlen(cred), &o, &out, NULL), VC_OK);
    char *d1 = strchr(out, '.');
    d1[10] = d1[10] == 'A' ? 'B' : 'A';
    vc_report *rep = NULL;
    vc_status st = vc_verify(verifier, out, strlen(out), &rep, NULL);
    ck_assert_int_ne(st, VC_OK);
    ck_assert_int_eq(vc_report_valid(rep), 0);
    vc_report_free(rep);
    vc_free(out);
    free(cred);
    vc_free(vm);
    vc_free(other_vm);
    /* an issuer DID nobody can resolve */
    cred = credential("did:web:example.com", NULL);
    jws = tu_forge_jws(ed_key, "{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\",\"kid\":\"did:web:example.com#k\"}", cred);
    expect_verify(jws, VC_ERR_DID_METHOD, "issuer.key");
    free(jws);
    free(cred);
}
END_TEST

START_TEST(payload_rejections)
{
    char *vm = vm_of(ed_key);
    char header[512];
    snprintf(header, sizeof header, "{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\",\"kid\":\"%s\"}", vm);
    struct {
        const char *extra;
        vc_status code;
        const char *check;
    } cases[] = {
        {"\"vc\":{\"a\":1}", VC_ERR_DM_CLAIMS, "jwt.claims"},
        {"\"vp\":\"x\"", VC_ERR_DM_CLAIMS, "jwt.claims"},
        {"\"iss\":\"did:example:someone-else\"", VC_ERR_DM_CLAIMS, "jwt.claims"},
        {"\"jti\":\"urn:uuid:other\"", VC_ERR_DM_CLAIMS, "jwt.claims"},
        {"\"sub\":\"did:example:other\"", VC_ERR_DM_CLAIMS, "jwt.claims"},
        {"\"exp\":\"tomorrow\"", VC_ERR_DM_CLAIMS, "jwt.claims"},
        {"\"exp\":1000", VC_ERR_DM_EXPIRED, "validity"},
        {"\"nbf\":99999999999", VC_ERR_DM_NOT_YET_VALID, "validity"},
        {"\"validUntil\":\"2024-06-01T00:00:00Z\"", VC_ERR_DM_EXPIRED, "validity"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *cred = credential(ed_did, cases[i].extra);
        char *jws = tu_forge_jws(ed_key, header, cred);
        expect_verify(jws, cases[i].code, cases[i].check);
        free(jws);
        free(cred);
    }
    /* not yet valid, then valid with an explicit verification time */
    char *cred = malloc(4096);
    snprintf(cred, 4096,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiableCredential\"],"
             "\"issuer\":\"%s\",\"validFrom\":\"2999-01-01T00:00:00Z\",\"validUntil\":\"2999-12-31T00:00:00Z\","
             "\"credentialSubject\":{\"id\":\"did:example:s\"}}",
             ed_did);
    char *jws = tu_forge_jws(ed_key, header, cred);
    expect_verify(jws, VC_ERR_DM_NOT_YET_VALID, "validity");
    vc_verifier_set_time(verifier, 32472144000 + 86400); /* 2999-01-02 */
    expect_verify(jws, VC_OK, NULL);
    vc_verifier_set_time(verifier, 32503593600 + 86400); /* after validUntil */
    expect_verify(jws, VC_ERR_DM_EXPIRED, "validity");
    vc_verifier_set_time(verifier, VC_TIME_NOW);
    free(jws);
    free(cred);
    /* a data-model failure inside a correctly signed token */
    cred = malloc(1024);
    snprintf(cred, 1024,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiableCredential\"],"
             "\"issuer\":\"%s\",\"credentialSubject\":{}}",
             ed_did);
    jws = tu_forge_jws(ed_key, header, cred);
    expect_verify(jws, VC_ERR_DM_SUBJECT, "datamodel.subject");
    free(jws);
    free(cred);
    /* payload not JSON, and payload with a duplicate key */
    jws = tu_forge_jws(ed_key, header, "not json");
    expect_verify(jws, VC_ERR_JSON, "payload.json");
    free(jws);
    jws = tu_forge_jws(ed_key, header, "{\"type\":\"VerifiableCredential\",\"type\":\"x\"}");
    expect_verify(jws, VC_ERR_JSON_DUPKEY, "payload.json");
    free(jws);
    vc_free(vm);
}
END_TEST

START_TEST(envelope_rejections)
{
    char *cred = credential(NULL, NULL);
    char *bare = NULL;
    vc_sign_options o = {.bare = 1};
    ck_assert_int_eq(vc_sign(ed_key, cred, strlen(cred), &o, &bare, NULL), VC_OK);
    char *buf = malloc(strlen(bare) + 1024);
    struct {
        const char *fmt;
        vc_status code;
        const char *check; /* NULL: input.format */
    } cases[] = {
        {"{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"type\":\"EnvelopedVerifiableCredential\","
         "\"id\":\"data:application/vp+jwt,%s\"}",
         VC_ERR_MEDIA_TYPE, NULL},
        {"{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"type\":\"EnvelopedVerifiableCredential\","
         "\"id\":\"data:application/json,%s\"}",
         VC_ERR_MEDIA_TYPE, NULL},
        {"{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"type\":\"EnvelopedVerifiableCredential\","
         "\"id\":\"data:application/vc+jwt;base64,%s\"}",
         VC_ERR_ENVELOPE, NULL},
        {"{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"type\":\"EnvelopedVerifiableCredential\","
         "\"id\":\"https://example.com/%s\"}",
         VC_ERR_ENVELOPE, NULL},
        {"{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"type\":\"EnvelopedVerifiablePresentation\","
         "\"id\":\"data:application/vp+jwt,%s\"}",
         VC_ERR_ENVELOPE, "jws.typ"}, /* the envelope says presentation, the payload is a credential */
        {"{\"@context\":\"https://www.w3.org/2018/credentials/v1\",\"type\":\"EnvelopedVerifiableCredential\","
         "\"id\":\"data:application/vc+jwt,%s\"}",
         VC_ERR_DM_CONTEXT, NULL},
        {"{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"type\":\"EnvelopedVerifiableCredential\","
         "\"id\":\"data:application/vc+jwt,%s\",\"id\":\"x\"}",
         VC_ERR_JSON_DUPKEY, NULL},
        {"data:application/vc+jwt;charset=utf-8,%s", VC_ERR_ENVELOPE, NULL},
        {"data:text/plain,%s", VC_ERR_MEDIA_TYPE, NULL},
        /* a JWS is not base64 of COSE bytes */
        {"{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"type\":\"EnvelopedVerifiableCredential\","
         "\"id\":\"data:application/vc+cose;base64,%s\"}",
         VC_ERR_ENVELOPE, NULL},
        {"{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"type\":\"EnvelopedVerifiableCredential\","
         "\"id\":\"data:application/vc+sd-jwt,%s\"}",
         VC_ERR_UNSUPPORTED, NULL},
        {"data:application/vc+cose,%s", VC_ERR_ENVELOPE, NULL},              /* COSE needs ;base64 */
        {"data:application/vc+cose;charset=utf-8,%s", VC_ERR_ENVELOPE, NULL},
        {"data:application/vp+cose;base64,%s", VC_ERR_ENVELOPE, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sprintf(buf, cases[i].fmt, bare);
        expect_verify(buf, cases[i].code, cases[i].check ? cases[i].check : "input.format");
    }
    /* unsecured credential, and a Data Integrity one */
    expect_verify(cred, VC_ERR_UNSECURED, "input.format");
    char *di = credential(ed_did, "\"proof\":{\"type\":\"DataIntegrityProof\"}");
    expect_verify(di, VC_ERR_UNSUPPORTED, "input.format");
    free(di);
    /* truncated token */
    bare[strlen(bare) / 2] = '\0';
    expect_verify(bare, VC_ERR_JWS_FORMAT, "jws.header");
    expect_verify("", VC_ERR_JWS_FORMAT, "jws.header");
    free(buf);
    vc_free(bare);
    free(cred);
}
END_TEST

/* The payload is the signer's text, compacted: tokens (numbers, escapes) kept
 * byte for byte; a filled-in issuer is appended as the last member. */
static char *signed_payload(const vc_key *key, const char *text, const vc_sign_options *o)
{
    char *jws = NULL;
    vc_error e;
    tu_assert_status(vc_sign(key, text, strlen(text), o, &jws, &e), VC_OK, &e);
    vc_jws *j = NULL;
    tu_assert_status(vc_jws_parse(jws, strlen(jws), &j, &e), VC_OK, &e);
    size_t n = 0;
    const uint8_t *p = vc_jws_payload(j, &n);
    char *out = malloc(n + 1);
    memcpy(out, p, n);
    out[n] = '\0';
    expect_verify(jws, VC_OK, NULL);
    vc_jws_free(j);
    vc_free(jws);
    return out;
}

START_TEST(sign_payload_as_given)
{
    vc_sign_options bare = {.bare = 1};
    const char *head = "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiableCredential\"],"
                       "\"credentialSubject\":{\"id\":\"urn:x:1\",\"ratio\":0.1,\"big\":12345678901234567890.5,"
                       "\"name\":\"caf\\u00e9 \\/ \\\"q\\\"\"}";
    /* compact, with an issuer: signed exactly as given */
    char text[1024];
    snprintf(text, sizeof text, "%s,\"issuer\":\"%s\"}", head, ed_did);
    char *p = signed_payload(ed_key, text, &bare);
    ck_assert_str_eq(p, text);
    free(p);
    /* pretty-printed, no issuer: white space outside strings dropped, issuer last */
    const char *pretty = "\n {\n\t\"@context\" : [ \"https://www.w3.org/ns/credentials/v2\" ],\r\n"
                         "  \"type\": [\"VerifiableCredential\"],\n"
                         "  \"credentialSubject\": { \"id\": \"urn:x:1\", \"note\": \"a  b\\t{ }\", \"n\": 1.50 }\n}\n";
    char want[1024];
    snprintf(want, sizeof want,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiableCredential\"],"
             "\"credentialSubject\":{\"id\":\"urn:x:1\",\"note\":\"a  b\\t{ }\",\"n\":1.50},\"issuer\":\"%s\"}",
             p256_did);
    p = signed_payload(p256_key, pretty, &bare);
    ck_assert_str_eq(p, want);
    free(p);
    /* an issuer object without an id gets the signer's: that one is re-serialised */
    snprintf(text, sizeof text, "%s,\"issuer\":{\"name\":\"Mine Co\"}}", head);
    p = signed_payload(ed_key, text, &bare);
    json_t *doc = NULL;
    ck_assert_int_eq(vc_json_parse(p, strlen(p), &doc, NULL), VC_OK);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "issuer"), "id")), ed_did);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "issuer"), "name")), "Mine Co");
    json_decref(doc);
    free(p);
    /* a kid that would make the protected header exceed its limit is refused before signing */
    char *kid = malloc(VC_MAX_HEADER_BYTES + 16);
    memset(kid, 'k', VC_MAX_HEADER_BYTES + 15);
    memcpy(kid, "did:web:x#", 10);
    kid[VC_MAX_HEADER_BYTES + 15] = '\0';
    vc_sign_options big = {.bare = 1, .kid = kid, .issuer = "did:web:x"};
    char *out = NULL;
    vc_error e;
    const char *noissuer = "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiableCredential\"],"
                           "\"credentialSubject\":{\"id\":\"urn:x:1\"}}";
    tu_assert_status(vc_sign(ed_key, noissuer, strlen(noissuer), &big, &out, &e), VC_ERR_LIMIT, &e);
    ck_assert_str_eq(e.path, "header");
    ck_assert_ptr_nonnull(strstr(e.message, "protected header would exceed the 4096-byte limit"));
    ck_assert_ptr_null(out);
    free(kid);
}
END_TEST

START_TEST(sign_rejections)
{
    vc_error e;
    char *out = NULL;
    /* invalid credential: refused, nothing produced */
    const char *bad = "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiableCredential\"],"
                      "\"credentialSubject\":{}}";
    tu_assert_status(vc_sign(ed_key, bad, strlen(bad), NULL, &out, &e), VC_ERR_DM_SUBJECT, &e);
    ck_assert_ptr_null(out);
    /* public-only key */
    vc_key *pub = NULL;
    ck_assert_int_eq(vc_key_public(ed_key, &pub, NULL), VC_OK);
    char *cred = credential(NULL, NULL);
    tu_assert_status(vc_sign(pub, cred, strlen(cred), NULL, &out, &e), VC_ERR_KEY_NO_PRIVATE, &e);
    vc_key_free(pub);
    /* issuer is someone else's did:key */
    char *c2 = credential(other_did, NULL);
    tu_assert_status(vc_sign(ed_key, c2, strlen(c2), NULL, &out, &e), VC_ERR_DM_ISSUER, &e);
    ck_assert_str_eq(e.path, "/issuer");
    free(c2);
    /* --issuer conflicting with the credential's issuer */
    c2 = credential("did:web:a.example", NULL);
    vc_sign_options o = {.issuer = "did:web:b.example", .kid = "did:web:b.example#k"};
    tu_assert_status(vc_sign(ed_key, c2, strlen(c2), &o, &out, &e), VC_ERR_DM_ISSUER, &e);
    /* a non-did:key issuer and no kid anywhere */
    tu_assert_status(vc_sign(ed_key, c2, strlen(c2), NULL, &out, &e), VC_ERR_INVALID_ARG, &e);
    ck_assert_str_eq(e.path, "kid");
    /* explicit issuer and kid work and land in the token */
    vc_sign_options ok = {.issuer = "did:web:a.example", .kid = "did:web:a.example#key-1", .bare = 1};
    tu_assert_status(vc_sign(ed_key, c2, strlen(c2), &ok, &out, &e), VC_OK, &e);
    vc_jws *j = NULL;
    ck_assert_int_eq(vc_jws_parse(out, strlen(out), &j, NULL), VC_OK);
    ck_assert_str_eq(vc_jws_kid(j), "did:web:a.example#key-1");
    ck_assert_str_eq(vc_jws_typ(j), "vc+jwt");
    ck_assert_str_eq(vc_jws_cty(j), "vc");
    vc_jws_free(j);
    vc_free(out);
    free(c2);
    /* the VC 1.1 JWT claims are refused at signing, as verify refuses them */
    char *c3 = credential(NULL, "\"vc\":{\"type\":\"VerifiableCredential\"}");
    tu_assert_status(vc_sign(ed_key, c3, strlen(c3), NULL, &out, &e), VC_ERR_DM_CLAIMS, &e);
    ck_assert_str_eq(e.path, "/vc");
    free(c3);
    /* not JSON / duplicate keys */
    tu_assert_status(vc_sign(ed_key, "{\"a\":1,\"a\":2}", 13, NULL, &out, &e), VC_ERR_JSON_DUPKEY, &e);
    tu_assert_status(vc_sign(ed_key, "[]", 2, NULL, &out, &e), VC_ERR_JSON_TYPE, &e);
    free(cred);
}
END_TEST

/* ------------------------------------------------------------ vc+cose */

/* Decode the base64 of a data:application/v?+cose;base64, URL (or bare base64url). */
static uint8_t *cose_bytes_of(const char *text, size_t *n)
{
    const char *comma = strchr(text, ',');
    const char *b64 = comma ? comma + 1 : text;
    size_t len = strlen(b64);
    while (len && (b64[len - 1] == '"' || b64[len - 1] == '\n'))
        len--;
    uint8_t *b = NULL;
    vc_error e;
    tu_assert_status(vc_base64_decode_any(b64, len, &b, n, &e), VC_OK, &e);
    return b;
}

/* The id member of an enveloped JSON object (new string). */
static char *envelope_id(const char *env)
{
    json_t *o = json_loads(env, 0, NULL);
    ck_assert_ptr_nonnull(o);
    char *id = strdup(json_string_value(json_object_get(o, "id")));
    json_decref(o);
    return id;
}

static void expect_verify_bytes(const uint8_t *b, size_t n, vc_status want, const char *check_name)
{
    vc_report *rep = NULL;
    vc_error e;
    vc_status st = vc_verify(verifier, (const char *)b, n, &rep, &e);
    char *js = NULL;
    if (st != want)
        vc_report_to_json(rep, 1, &js, NULL);
    ck_assert_msg(st == want, "got %s want %s: %s (at %s)\n%s", vc_status_name(st), vc_status_name(want), e.message,
                  e.path, js ? js : "");
    if (check_name) {
        int found = 0;
        for (size_t i = 0; i < vc_report_count(rep); i++) {
            const char *name;
            vc_check_result r;
            const vc_error *d;
            vc_report_check(rep, i, &name, &r, &d);
            if (strcmp(name, check_name) == 0 && ((want == VC_OK && r == VC_CHECK_PASS) ||
                                                  (r == VC_CHECK_FAIL && d && d->code == want)))
                found = 1;
        }
        ck_assert_msg(found, "no check %s with %s", check_name, vc_status_name(want));
    }
    vc_free(js);
    vc_report_free(rep);
}

/*
 * A COSE_Sign1 with a protected header of the given members (typ/cty/kid NULL
 * to leave out; cwt_hex: the encoded CWT claims map, or NULL), signed by key
 * under alg over payload.
 */
static uint8_t *forge_cose(const vc_key *key, int alg, const char *typ, const char *cty, const char *kid,
                           const char *cwt_hex, const char *payload, size_t *n)
{
    vc_cmap m;
    memset(&m, 0, sizeof m);
    vc_cbuf prot = {0};
    int i = vc_cmap_add(&m);
    vc_cbuf_int(&m.key[i], 1);
    vc_cbuf_int(&m.value[i], alg);
    if (typ) {
        i = vc_cmap_add(&m);
        vc_cbuf_int(&m.key[i], 16);
        vc_cbuf_tstr(&m.value[i], typ, strlen(typ));
    }
    if (cty) {
        i = vc_cmap_add(&m);
        vc_cbuf_int(&m.key[i], 3);
        vc_cbuf_tstr(&m.value[i], cty, strlen(cty));
    }
    if (kid) {
        i = vc_cmap_add(&m);
        vc_cbuf_int(&m.key[i], 4);
        vc_cbuf_bstr(&m.value[i], kid, strlen(kid));
    }
    if (cwt_hex) {
        size_t hl;
        unsigned char *h = tu_hex(cwt_hex, &hl);
        i = vc_cmap_add(&m);
        vc_cbuf_int(&m.key[i], 15);
        vc_cbuf_raw(&m.value[i], h, hl);
        free(h);
    }
    ck_assert_int_eq(vc_cmap_encode(&m, &prot, NULL), VC_OK);
    uint8_t *tbs = NULL, *sig = NULL, *out = NULL;
    size_t tbs_len = 0, sig_len = 0;
    ck_assert_int_eq(vc_cose_tbs(prot.data, prot.len, (const uint8_t *)payload, strlen(payload), &tbs, &tbs_len, NULL),
                     VC_OK);
    vc_error e;
    tu_assert_status(vc_key_sign(key, vc_key_jose_alg(key), tbs, tbs_len, &sig, &sig_len, &e), VC_OK, &e);
    ck_assert_int_eq(vc_cose_assemble(1, prot.data, prot.len, NULL, 0, (const uint8_t *)payload, strlen(payload), sig,
                                      sig_len, &out, n, NULL),
                     VC_OK);
    free(tbs);
    vc_free(sig);
    vc_cbuf_free(&prot);
    return out;
}

START_TEST(cose_roundtrip)
{
    vc_key *p384 = NULL;
    ck_assert_int_eq(vc_key_generate(VC_KEY_P384, &p384, NULL), VC_OK);
    char *p384_did = NULL;
    ck_assert_int_eq(vc_did_key_from_key(p384, &p384_did, NULL), VC_OK);
    const vc_key *keys[] = {ed_key, p256_key, p384};
    const char *dids[] = {ed_did, p256_did, p384_did};
    const char *algs[] = {"EdDSA", "ES256", "ES384"};
    for (int i = 0; i < 3; i++) {
        char *cred = credential(NULL, NULL);
        char *out = NULL;
        vc_error e;
        vc_sign_options o = {.format = VC_FORMAT_COSE};
        tu_assert_status(vc_sign(keys[i], cred, strlen(cred), &o, &out, &e), VC_OK, &e);
        ck_assert_ptr_nonnull(strstr(out, "\"EnvelopedVerifiableCredential\""));
        ck_assert_ptr_nonnull(strstr(out, "\"data:application/vc+cose;base64,0oR")); /* d2 84: tag 18, array(4) */
        vc_report *rep = NULL;
        tu_assert_status(vc_verify(verifier, out, strlen(out), &rep, &e), VC_OK, &e);
        ck_assert_str_eq(vc_report_format(rep), "vc+cose");
        ck_assert_str_eq(vc_report_issuer(rep), dids[i]);
        ck_assert_str_eq(vc_report_alg(rep), algs[i]);
        char *vm = vm_of(keys[i]);
        ck_assert_str_eq(vc_report_method(rep), vm);
        ck_assert_ptr_nonnull(strstr(vc_report_credential(rep), "Lithium batch 42"));
        const char *must[] = {"input.format", "cose.header", "payload.json", "cose.typ", "cwt.claims", "validity",
                              "issuer.key", "cose.signature"};
        for (size_t m = 0; m < sizeof must / sizeof must[0]; m++) {
            int seen = 0;
            for (size_t k = 0; k < vc_report_count(rep); k++) {
                const char *name;
                vc_check_result r;
                vc_report_check(rep, k, &name, &r, NULL);
                ck_assert_int_ne(r, VC_CHECK_FAIL);
                if (strcmp(name, must[m]) == 0 && r == VC_CHECK_PASS)
                    seen = 1;
            }
            ck_assert_msg(seen, "check %s did not pass", must[m]);
        }
        vc_report_free(rep);

        /* the COSE object itself: header as vc_sign writes it */
        char *id = envelope_id(out);
        size_t n = 0;
        uint8_t *bytes = cose_bytes_of(id, &n);
        vc_cose *c = NULL;
        tu_assert_status(vc_cose_parse(bytes, n, &c, &e), VC_OK, &e);
        ck_assert_str_eq(vc_cose_typ(c), "application/vc+cose");
        ck_assert_str_eq(vc_cose_cty(c), "application/vc");
        ck_assert_str_eq(vc_cose_kid(c), vm);
        ck_assert_str_eq(vc_cose_alg_name(vc_cose_alg(c)), algs[i]);
        vc_cose_free(c);
        /* every input form: raw bytes, untagged bytes, base64url, base64 (padded and not), data: URL */
        expect_verify_bytes(bytes, n, VC_OK, "cose.signature");
        expect_verify_bytes(bytes + 1, n - 1, VC_OK, "cose.signature");
        vc_sign_options ob = {.format = VC_FORMAT_COSE, .bare = 1};
        char *bare = NULL;
        tu_assert_status(vc_sign(keys[i], cred, strlen(cred), &ob, &bare, &e), VC_OK, &e);
        ck_assert_ptr_null(strpbrk(bare, "+/=.{"));
        expect_verify(bare, VC_OK, NULL);
        char *std = NULL;
        ck_assert_int_eq(vc_base64_encode(bytes, n, &std, NULL), VC_OK);
        expect_verify(std, VC_OK, NULL);
        char *eq = strchr(std, '=');
        if (eq)
            *eq = '\0';
        size_t ul = strlen(std) + 8;
        char *spaced = malloc(ul);
        snprintf(spaced, ul, "  %s\n", std);
        expect_verify(spaced, VC_OK, NULL);
        free(spaced);
        expect_verify(id, VC_OK, NULL);
        /* tampering with a payload byte of the raw object */
        uint8_t *bad = malloc(n);
        memcpy(bad, bytes, n);
        uint8_t *lit = memmem(bad, n, "Lithium", 7);
        ck_assert_ptr_nonnull(lit);
        lit[0] ^= 0x01; /* "Lithium" -> "Mithium": the payload no longer matches its signature */
        expect_verify_bytes(bad, n, VC_ERR_COSE_SIGNATURE, "cose.signature");
        free(bad);
        /* trailing bytes after the raw object */
        uint8_t *trail = malloc(n + 1);
        memcpy(trail, bytes, n);
        trail[n] = '\n';
        expect_verify_bytes(trail, n + 1, VC_ERR_CBOR, "cose.header");
        free(trail);
        free(std);
        vc_free(bare);
        free(bytes);
        free(id);
        vc_free(vm);
        vc_free(out);
        free(cred);
    }
    vc_free(p384_did);
    vc_key_free(p384);
    /* an unknown format value is refused */
    char *cred = credential(NULL, NULL);
    char *out = NULL;
    vc_error e;
    vc_sign_options bad = {.format = (vc_format)7};
    tu_assert_status(vc_sign(ed_key, cred, strlen(cred), &bad, &out, &e), VC_ERR_INVALID_ARG, &e);
    ck_assert_ptr_null(out);
    free(cred);
}
END_TEST

START_TEST(cose_presentation)
{
    char *cred = credential(NULL, NULL);
    char *vc_jwt = NULL, *cose_env = NULL;
    vc_sign_options cose = {.format = VC_FORMAT_COSE};
    ck_assert_int_eq(vc_sign(ed_key, cred, strlen(cred), NULL, &vc_jwt, NULL), VC_OK);
    ck_assert_int_eq(vc_sign(p256_key, cred, strlen(cred), &cose, &cose_env, NULL), VC_OK);
    size_t n = strlen(vc_jwt) + strlen(cose_env) + 512;
    char *vp = malloc(n);
    snprintf(vp, n,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiablePresentation\"],"
             "\"verifiableCredential\":[%s,%s]}",
             vc_jwt, cose_env);
    /* a vp+cose holding a vc+jwt and a vc+cose, and a vp+jwt holding the same */
    for (int f = 0; f < 2; f++) {
        vc_sign_options o = {.format = f ? VC_FORMAT_JWT : VC_FORMAT_COSE};
        char *out = NULL;
        vc_error e;
        tu_assert_status(vc_sign(ed_key, vp, strlen(vp), &o, &out, &e), VC_OK, &e);
        ck_assert_ptr_nonnull(strstr(out, "EnvelopedVerifiablePresentation"));
        ck_assert_ptr_nonnull(strstr(out, f ? "data:application/vp+jwt," : "data:application/vp+cose;base64,"));
        vc_report *rep = NULL;
        tu_assert_status(vc_verify(verifier, out, strlen(out), &rep, &e), VC_OK, &e);
        ck_assert_str_eq(vc_report_format(rep), f ? "vp+jwt" : "vp+cose");
        int seen = 0;
        for (size_t k = 0; k < vc_report_count(rep); k++) {
            const char *name;
            vc_check_result r;
            vc_report_check(rep, k, &name, &r, NULL);
            if ((strcmp(name, "credential[0].jws.signature") == 0 || strcmp(name, "credential[1].cose.signature") == 0 ||
                 strcmp(name, f ? "jws.signature" : "cose.signature") == 0) &&
                r == VC_CHECK_PASS)
                seen++;
        }
        ck_assert_int_eq(seen, 3);
        vc_report_free(rep);
        /* the bare vp+cose, as base64url */
        if (!f) {
            vc_sign_options ob = {.format = VC_FORMAT_COSE, .bare = 1};
            char *bare = NULL;
            tu_assert_status(vc_sign(ed_key, vp, strlen(vp), &ob, &bare, &e), VC_OK, &e);
            rep = NULL;
            tu_assert_status(vc_verify(verifier, bare, strlen(bare), &rep, &e), VC_OK, &e);
            ck_assert_str_eq(vc_report_format(rep), "vp+cose");
            vc_report_free(rep);
            vc_free(bare);
        }
        vc_free(out);
    }
    /* the nested COSE credential tampered with: that credential fails, by name */
    char *id = envelope_id(cose_env);
    size_t bn = 0;
    uint8_t *bytes = cose_bytes_of(id, &bn);
    bytes[bn - 1] ^= 0x01; /* last signature byte */
    char *b64 = NULL;
    ck_assert_int_eq(vc_base64_encode(bytes, bn, &b64, NULL), VC_OK);
    size_t n2 = strlen(b64) + strlen(vc_jwt) + 1024;
    char *vp2 = malloc(n2);
    snprintf(vp2, n2,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiablePresentation\"],"
             "\"verifiableCredential\":[%s,{\"@context\":\"https://www.w3.org/ns/credentials/v2\","
             "\"type\":\"EnvelopedVerifiableCredential\",\"id\":\"data:application/vc+cose;base64,%s\"}]}",
             vc_jwt, b64);
    char *out = NULL;
    vc_error e;
    tu_assert_status(vc_sign(ed_key, vp2, strlen(vp2), &cose, &out, &e), VC_OK, &e);
    expect_verify(out, VC_ERR_COSE_SIGNATURE, "credential[1].cose.signature");
    vc_free(out);
    /* an SD-JWT credential inside stays unsupported */
    snprintf(vp2, n2,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiablePresentation\"],"
             "\"verifiableCredential\":[{\"@context\":\"https://www.w3.org/ns/credentials/v2\","
             "\"type\":\"EnvelopedVerifiableCredential\",\"id\":\"data:application/vc+sd-jwt,eyJ.eyJ.x~\"}]}");
    tu_assert_status(vc_sign(ed_key, vp2, strlen(vp2), &cose, &out, &e), VC_OK, &e);
    expect_verify(out, VC_ERR_UNSUPPORTED, "credential[0]");
    vc_free(out);
    free(vp2);
    free(b64);
    free(bytes);
    free(id);
    free(vp);
    vc_free(vc_jwt);
    vc_free(cose_env);
    free(cred);
}
END_TEST

START_TEST(cose_rejections)
{
    char *vm = vm_of(ed_key);
    char *cred = credential(ed_did, NULL);
    size_t n;
    uint8_t *b;
    static const struct {
        const char *typ, *cty;
        vc_status code;
        const char *check;
    } typs[] = {
        {"application/vc+cose", "application/vc", VC_OK, NULL},
        {"application/vc+cose", NULL, VC_OK, NULL},                       /* content type optional */
        {"application/vc-ld+cose", "application/vc", VC_OK, NULL},        /* earlier drafts' name */
        {"APPLICATION/VC+COSE", "application/vc", VC_OK, NULL},           /* media types are case-insensitive */
        {NULL, "application/vc", VC_ERR_COSE_HEADER, "cose.typ"},
        {"vc+cose", "application/vc", VC_ERR_COSE_HEADER, "cose.typ"},    /* a media type: application/ needed */
        {"application/vc+jwt", "application/vc", VC_ERR_COSE_HEADER, "cose.typ"},
        {"application/vp+cose", "application/vc", VC_ERR_COSE_HEADER, "cose.typ"},
        {"application/vc+cose", "application/vp", VC_ERR_COSE_HEADER, "cose.typ"},
        {"application/vc+cose", "application/json", VC_ERR_COSE_HEADER, "cose.typ"},
        {"application/vc+cose", "vc", VC_ERR_COSE_HEADER, "cose.typ"},
    };
    for (size_t i = 0; i < sizeof typs / sizeof typs[0]; i++) {
        b = forge_cose(ed_key, -8, typs[i].typ, typs[i].cty, vm, NULL, cred, &n);
        expect_verify_bytes(b, n, typs[i].code, typs[i].check);
        free(b);
    }
    /* alg confusion: ES256 header over an Ed25519 issuer (signed by a P-256 key), and the reverse */
    b = forge_cose(p256_key, -7, "application/vc+cose", NULL, vm, NULL, cred, &n);
    expect_verify_bytes(b, n, VC_ERR_COSE_HEADER, "cose.signature");
    free(b);
    char *pvm = vm_of(p256_key);
    char *pcred = credential(p256_did, NULL);
    b = forge_cose(ed_key, -8, "application/vc+cose", NULL, pvm, NULL, pcred, &n);
    expect_verify_bytes(b, n, VC_ERR_COSE_HEADER, "cose.signature");
    free(b);
    free(pcred);
    vc_free(pvm);
    /* kid naming another DID's key; signature by another key; unknown kid */
    char *ovm = vm_of(other_key);
    b = forge_cose(other_key, -8, "application/vc+cose", NULL, ovm, NULL, cred, &n);
    expect_verify_bytes(b, n, VC_ERR_JWS_KID, "issuer.key");
    free(b);
    vc_free(ovm);
    b = forge_cose(other_key, -8, "application/vc+cose", NULL, vm, NULL, cred, &n);
    expect_verify_bytes(b, n, VC_ERR_COSE_SIGNATURE, "cose.signature");
    free(b);
    char nokid[512];
    snprintf(nokid, sizeof nokid, "%s-nope", vm);
    b = forge_cose(ed_key, -8, "application/vc+cose", NULL, nokid, NULL, cred, &n);
    expect_verify_bytes(b, n, VC_ERR_DID_VM_NOT_FOUND, "issuer.key");
    free(b);
    /* CWT claims (RFC 9597) must agree with the credential and are enforced in time */
    /* {1: issuer, 2: "did:example:subject"} */
    vc_cbuf cb = {0};
    vc_cbuf_head(&cb, VC_CBOR_MAP, 2);
    vc_cbuf_int(&cb, 1);
    vc_cbuf_tstr(&cb, ed_did, strlen(ed_did));
    vc_cbuf_int(&cb, 2);
    vc_cbuf_tstr(&cb, "did:example:subject", 19);
    char cwt[1024];
    for (size_t i = 0; i < cb.len; i++)
        sprintf(cwt + 2 * i, "%02x", cb.data[i]);
    vc_cbuf_free(&cb);
    b = forge_cose(ed_key, -8, "application/vc+cose", NULL, vm, cwt, cred, &n);
    expect_verify_bytes(b, n, VC_OK, "cwt.claims");
    free(b);
    static const struct {
        const char *cwt;
        vc_status code;
        const char *check;
    } cwts[] = {
        {"a101736469643a6578616d706c653a736f6d656f6e65", VC_ERR_DM_CLAIMS, "cwt.claims"}, /* iss someone else */
        {"a1026e6469643a6578616d706c653a6f74", VC_ERR_DM_CLAIMS, "cwt.claims"},           /* sub "did:example:ot" */
        {"a10419 03e8", VC_ERR_DM_EXPIRED, "validity"},                                    /* exp 1000 */
        {"a1051b 000000174876e800", VC_ERR_DM_NOT_YET_VALID, "validity"},                  /* nbf 10^11 */
        {"a1041b 000000174876e800", VC_OK, "validity"},                                    /* exp far ahead */
        {"a10519 03e8", VC_OK, "validity"},                                                /* nbf in 1970 */
    };
    for (size_t i = 0; i < sizeof cwts / sizeof cwts[0]; i++) {
        char h[128];
        size_t k = 0;
        for (const char *q = cwts[i].cwt; *q; q++)
            if (*q != ' ')
                h[k++] = *q;
        h[k] = 0;
        b = forge_cose(ed_key, -8, "application/vc+cose", NULL, vm, h, cred, &n);
        expect_verify_bytes(b, n, cwts[i].code, cwts[i].check);
        free(b);
    }
    /* payload problems reach the shared checks */
    b = forge_cose(ed_key, -8, "application/vc+cose", NULL, vm, NULL, "not json", &n);
    expect_verify_bytes(b, n, VC_ERR_JSON, "payload.json");
    free(b);
    char *expired = credential(ed_did, "\"validUntil\":\"2024-06-01T00:00:00Z\"");
    b = forge_cose(ed_key, -8, "application/vc+cose", NULL, vm, NULL, expired, &n);
    expect_verify_bytes(b, n, VC_ERR_DM_EXPIRED, "validity");
    free(b);
    free(expired);
    char *nosub = malloc(1024);
    snprintf(nosub, 1024,
             "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiableCredential\"],"
             "\"issuer\":\"%s\",\"credentialSubject\":{}}",
             ed_did);
    b = forge_cose(ed_key, -8, "application/vc+cose", NULL, vm, NULL, nosub, &n);
    expect_verify_bytes(b, n, VC_ERR_DM_SUBJECT, "datamodel.subject");
    free(b);
    free(nosub);
    /* the envelope says presentation, the payload is a credential */
    b = forge_cose(ed_key, -8, "application/vc+cose", NULL, vm, NULL, cred, &n);
    char *b64 = NULL;
    ck_assert_int_eq(vc_base64_encode(b, n, &b64, NULL), VC_OK);
    size_t el = strlen(b64) + 256;
    char *env = malloc(el);
    snprintf(env, el,
             "{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"type\":\"EnvelopedVerifiablePresentation\","
             "\"id\":\"data:application/vp+cose;base64,%s\"}",
             b64);
    expect_verify(env, VC_ERR_ENVELOPE, "cose.typ");
    /* a data: URL in the wrong kind, and base64 that is not canonical */
    snprintf(env, el, "data:application/vp+jwt;base64,%s", b64);
    expect_verify(env, VC_ERR_ENVELOPE, "input.format");
    snprintf(env, el, "data:application/vc+cose;base64,%s!", b64);
    expect_verify(env, VC_ERR_ENVELOPE, "input.format");
    free(env);
    free(b64);
    /* hex text of COSE bytes is refused with a hint; garbage CBOR at the COSE parser */
    char *hex = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", b[i]);
    expect_verify(hex, VC_ERR_FORMAT, "input.format");
    free(hex);
    expect_verify("garbage", VC_ERR_JWS_FORMAT, "jws.header"); /* no dots, but not COSE either */
    expect_verify_bytes((const uint8_t *)"\xd2\x84\x40", 3, VC_ERR_CBOR, "cose.header");
    expect_verify_bytes((const uint8_t *)"\xd3\x80", 2, VC_ERR_COSE_FORMAT, "cose.header");
    expect_verify_bytes((const uint8_t *)"\x80", 1, VC_ERR_COSE_FORMAT, "cose.header");
    free(b);
    free(cred);
    vc_free(vm);
}
END_TEST

/* ------------------------------------------- W3C VC-JOSE-COSE test suite */

static const char *const vm_files[] = {"vm-ed25519.json", "vm-p256.json", "vm-p384.json", "vm-p521.json"};

static vc_resolver *suite_resolver(const char *key_file, int all)
{
    vc_resolver *r = NULL;
    ck_assert_int_eq(vc_resolver_new(&r, NULL), VC_OK);
    for (size_t i = 0; i < 4; i++) {
        if (!all && strcmp(vm_files[i], key_file) != 0)
            continue;
        size_t n;
        char *t = suite_file(vm_files[i], &n);
        vc_error e;
        tu_assert_status(vc_resolver_add_verification_method(r, t, n, &e), VC_OK, &e);
        free(t);
    }
    if (strcmp(key_file, "vm-did-ed25519.json") == 0) {
        size_t n;
        char *t = suite_file(key_file, &n);
        vc_error e;
        tu_assert_status(vc_resolver_add_verification_method(r, t, n, &e), VC_OK, &e);
        free(t);
    }
    return r;
}

/* The iat of a token's payload when it is a number (the suite's presentations
 * expire a day after issuance in 2024; they are verified as of their iat). */
static int64_t payload_iat(const char *text)
{
    vc_jws *j = NULL;
    size_t len = strlen(text);
    while (len && (text[len - 1] == '\n' || text[len - 1] == ' ' || text[len - 1] == '\r'))
        len--;
    if (vc_jws_parse(text, len, &j, NULL) != VC_OK)
        return 0;
    size_t n;
    const uint8_t *p = vc_jws_payload(j, &n);
    json_t *o = json_loadb((const char *)p, n, 0, NULL);
    json_t *iat = json_object_get(o, "iat");
    int64_t at = json_is_integer(iat) ? (int64_t)json_integer_value(iat) : 0;
    json_decref(o);
    vc_jws_free(j);
    return at;
}

/* Tests the suite expects that libvc judges otherwise, with the reason. Printed. */
static const struct {
    int number;
    const char *reason;
} suite_deviations[] = {
    {5, "issuance with unknown extensions: the properties are defined by the examples context's @vocab, so no "
        "VC 2.0 rule rejects them; libvc signs (UNTP's vocabulary check, issue #7, rejects such terms)"},
    {7, "the presentation embeds a vc+sd-jwt credential besides a vc+jwt and a vc+cose one: libvc verifies the "
        "vc+jwt and vc+cose credentials (both pass) but not SD-JWT, which UNTP does not use, and fails a "
        "presentation whose credentials it cannot verify instead of skipping them (VC_ERR_UNSUPPORTED)"},
    {31, "the presentation's holder, did:example:ebfeb1f712ebc6f1c276e12ec21, is not the controller of the key "
         "that signed it (kid 96qBnDpvS6x8YSCH_xmnLlXZMkDhHBr8lj99u5aog7s, a P-384 key of "
         "https://example.issuer/vc-jose-cose): libvc, as for vp+jwt, takes the key from the holder's own DID "
         "(issuer.key: VC_ERR_DID_METHOD for did:example) and never trusts a kid of another controller; its "
         "embedded vc+jwt credential is also truncated (\"....\" where the signature should be: "
         "VC_ERR_JWS_FORMAT), which libvc reports instead of skipping"},
};

static const char *deviation(int number)
{
    for (size_t i = 0; i < sizeof suite_deviations / sizeof suite_deviations[0]; i++)
        if (suite_deviations[i].number == number)
            return suite_deviations[i].reason;
    return NULL;
}

START_TEST(w3c_vc_jose_cose_suite)
{
    size_t tsv_len;
    char *tsv = suite_file("expectations.tsv", &tsv_len);
    int total = 0, right = 0, deviations = 0, cose_total = 0, cose_right = 0;
    char *save = NULL;
    char *line = strtok_r(tsv, "\n", &save);
    line = strtok_r(NULL, "\n", &save); /* skip the header row */
    for (; line; line = strtok_r(NULL, "\n", &save)) {
        char *cols[8] = {0};
        int nc = 0;
        char *p = line;
        while (nc < 8) {
            cols[nc++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (nc < 7)
            continue;
        int number = atoi(cols[0]);
        const char *fn = cols[2], *feature = cols[3], *input = cols[4], *key_file = cols[5], *expected = cols[6];
        int jose = strcmp(feature, "credential_jose") == 0 || strcmp(feature, "presentation_jose") == 0;
        int cose = strcmp(feature, "credential_cose") == 0 || strcmp(feature, "presentation_cose") == 0;
        if (!jose && !cose)
            continue; /* SD-JWT rows: a securing mechanism libvc does not implement */
        int presentation = strncmp(feature, "presentation_", 13) == 0;
        int want_ok = strcmp(expected, "success") == 0;
        size_t in_len;
        char *in = suite_file(input, &in_len);
        int got_ok = 0;
        char detail[512] = "";
        vc_resolver *r = NULL;
        vc_verifier *v = NULL;
        if (strcmp(fn, "issue") == 0) {
            size_t kn;
            char *kt = suite_file(key_file, &kn);
            vc_key *k = NULL;
            vc_error e;
            tu_assert_status(vc_key_from_jwk(kt, kn, &k, &e), VC_OK, &e);
            ck_assert_int_eq(vc_key_has_private(k), 1);
            free(kt);
            char *out = NULL;
            vc_sign_options so = {.format = cose ? VC_FORMAT_COSE : VC_FORMAT_JWT};
            vc_status st = vc_sign(k, in, in_len, &so, &out, &e);
            if (st == VC_OK) {
                /* Issued: the envelope's JWS / COSE_Sign1 must verify with the key. Only the
                 * outer token: the suite's presentations embed deliberately broken credentials. */
                json_t *env = json_loads(out, 0, NULL);
                const char *id = json_string_value(json_object_get(env, "id"));
                ck_assert_ptr_nonnull(id);
                const char *comma = strchr(id, ',');
                ck_assert_ptr_nonnull(comma);
                if (cose) {
                    const char *prefix = presentation ? "data:application/vp+cose;base64," : "data:application/vc+cose;base64,";
                    ck_assert_int_eq(strncmp(id, prefix, strlen(prefix)), 0);
                    uint8_t *bytes = NULL;
                    size_t bn = 0;
                    vc_cose *c = NULL;
                    st = vc_base64_decode_any(comma + 1, strlen(comma + 1), &bytes, &bn, &e);
                    if (st == VC_OK)
                        st = vc_cose_parse(bytes, bn, &c, &e);
                    if (st == VC_OK) {
                        ck_assert_str_eq(vc_cose_typ(c), presentation ? "application/vp+cose" : "application/vc+cose");
                        st = vc_cose_verify(c, k, &e);
                    }
                    vc_cose_free(c);
                    free(bytes);
                } else {
                    vc_jws *j = NULL;
                    st = vc_jws_parse(comma + 1, strlen(comma + 1), &j, &e);
                    if (st == VC_OK)
                        st = vc_jws_verify(j, k, &e);
                    vc_jws_free(j);
                }
                json_decref(env);
            }
            got_ok = st == VC_OK;
            if (!got_ok)
                snprintf(detail, sizeof detail, "%s: %s", vc_status_name(e.code), e.message);
            vc_free(out);
            vc_key_free(k);
        } else {
            /* The key column names the key of the top-level token. Credentials nested in
             * a presentation were issued with other suite keys, so presentations get all. */
            r = suite_resolver(key_file, presentation);
            ck_assert_int_eq(vc_verifier_new(r, &v, NULL), VC_OK);
            int64_t iat = payload_iat(in);
            if (iat)
                vc_verifier_set_time(v, iat);
            vc_error e;
            vc_status st = vc_verify(v, in, in_len, NULL, &e);
            got_ok = st == VC_OK;
            if (!got_ok)
                snprintf(detail, sizeof detail, "%s: %s", vc_status_name(e.code), e.message);
        }
        vc_verifier_free(v);
        vc_resolver_free(r);
        free(in);
        total++;
        if (cose)
            cose_total++;
        const char *dev = deviation(number);
        if (got_ok == want_ok) {
            right++;
            if (cose)
                cose_right++;
            ck_assert_msg(!dev, "test %d is listed as a deviation but now passes: remove it", number);
            printf("vc-jose-cose #%d %s %s: ok (%s)\n", number, fn, input, want_ok ? "accepted" : detail);
        } else if (dev) {
            deviations++;
            printf("vc-jose-cose #%d %s %s: DEVIATION: %s\n", number, fn, input, dev);
        } else
            ck_abort_msg("vc-jose-cose #%d %s %s: expected %s, got %s", number, fn, input, expected,
                         got_ok ? "success" : detail);
    }
    printf("vc-jose-cose JOSE and COSE rows: %d judged as expected of %d (%d listed deviations); COSE rows: %d of %d\n",
           right, total, deviations, cose_right, cose_total);
    ck_assert_int_eq(total, 25);
    ck_assert_int_eq(cose_total, 9);
    ck_assert_int_eq(right + deviations, total);
    free(tsv);
}
END_TEST

int main(void)
{
    if (vc_init() != VC_OK)
        return 1;
    Suite *s = suite_create("verify");
    TCase *tc = tcase_create("verify");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, roundtrip_eddsa_es256);
    tcase_add_test(tc, presentation_roundtrip);
    tcase_add_test(tc, header_rejections);
    tcase_add_test(tc, key_and_signature_rejections);
    tcase_add_test(tc, payload_rejections);
    tcase_add_test(tc, envelope_rejections);
    tcase_add_test(tc, sign_rejections);
    tcase_add_test(tc, sign_payload_as_given);
    tcase_add_test(tc, cose_roundtrip);
    tcase_add_test(tc, cose_presentation);
    tcase_add_test(tc, cose_rejections);
    tcase_add_test(tc, w3c_vc_jose_cose_suite);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
