/* test_did.c - DID syntax, did:key / did:jwk (with the CCG and DID test-suite
 * vectors), the resolver (offline material, plug-ins, cache) and find_key. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

#define ISSUER_HTTPS "https://example.issuer/vc-jose-cose"

static const char *const signing_relations[] = {"authentication", "assertionMethod", "capabilityInvocation",
                                                "capabilityDelegation", NULL};

/* ------------------------------------------------------------------ helpers */

static vc_resolver *new_resolver(void)
{
    vc_resolver *r = NULL;
    vc_error e;
    ck_assert_int_eq(vc_init(), VC_OK);
    tu_assert_status(vc_resolver_new(&r, &e), VC_OK, &e);
    return r;
}

static vc_key *key_from_jwk_value(const json_t *jwk)
{
    char *text = vc_json_dump(jwk);
    ck_assert_ptr_nonnull(text);
    vc_key *k = NULL;
    vc_error e;
    tu_assert_status(vc_key_from_jwk(text, strlen(text), &k, &e), VC_OK, &e);
    free(text);
    return k;
}

/* An Ed25519 public key given as publicKeyBase58 (raw 32 bytes): build its JWK. */
static vc_key *key_from_ed25519_base58(const char *b58)
{
    uint8_t *raw = NULL;
    size_t n = 0;
    vc_error e;
    tu_assert_status(vc_base58_decode(b58, strlen(b58), &raw, &n, &e), VC_OK, &e);
    ck_assert_uint_eq(n, 32);
    char *x = NULL;
    tu_assert_status(vc_base64url_encode(raw, n, &x, &e), VC_OK, &e);
    free(raw);
    json_t *jwk = json_pack("{s:s,s:s,s:s}", "kty", "OKP", "crv", "Ed25519", "x", x);
    free(x);
    vc_key *k = key_from_jwk_value(jwk);
    json_decref(jwk);
    return k;
}

/* The key type a did:key should hold, from its multicodec prefix; NONE when libvc
 * does not support it. */
static vc_key_type did_key_type(const char *did)
{
    const char *mb = did + strlen("did:key:");
    if (strncmp(mb, "z6Mk", 4) == 0)
        return VC_KEY_ED25519;
    if (strncmp(mb, "zDn", 3) == 0)
        return VC_KEY_P256;
    if (strncmp(mb, "z82", 3) == 0)
        return VC_KEY_P384;
    return VC_KEY_NONE;
}

static json_t *parse_doc(const char *text)
{
    json_error_t je;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    ck_assert_msg(doc != NULL, "resolved document is not JSON: %s", je.text);
    return doc;
}

/* Resolve a supported did:key and check document, find_key and the way back. */
static void check_did_key(vc_resolver *r, const char *did, const vc_key *expect)
{
    vc_error e;
    char *text = NULL;
    tu_assert_status(vc_resolver_resolve(r, did, &text, &e), VC_OK, &e);
    json_t *doc = parse_doc(text);
    free(text);

    const char *mb = did + strlen("did:key:");
    char vm_id[1024];
    snprintf(vm_id, sizeof vm_id, "%s#%s", did, mb);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "@context"), 0)),
                     "https://www.w3.org/ns/did/v1");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "@context"), 1)),
                     "https://w3id.org/security/multikey/v1");
    ck_assert_str_eq(vc_json_str(doc, "id"), did);
    json_t *vms = json_object_get(doc, "verificationMethod");
    ck_assert_uint_eq(json_array_size(vms), 1);
    json_t *vm = json_array_get(vms, 0);
    ck_assert_str_eq(vc_json_str(vm, "id"), vm_id);
    ck_assert_str_eq(vc_json_str(vm, "type"), "Multikey");
    ck_assert_str_eq(vc_json_str(vm, "controller"), did);
    ck_assert_str_eq(vc_json_str(vm, "publicKeyMultibase"), mb);
    for (size_t i = 0; signing_relations[i]; i++) {
        json_t *rel = json_object_get(doc, signing_relations[i]);
        ck_assert_uint_eq(json_array_size(rel), 1);
        ck_assert_str_eq(json_string_value(json_array_get(rel, 0)), vm_id);
    }
    json_decref(doc);

    /* every kid form names the one method; no kid is fine with one method */
    const char *kids[] = {vm_id, strchr(vm_id, '#'), mb, NULL};
    for (size_t i = 0; i < sizeof kids / sizeof kids[0]; i++) {
        vc_key *k = NULL;
        char *found = NULL;
        tu_assert_status(vc_resolver_find_key(r, did, kids[i], &k, &found, &e), VC_OK, &e);
        ck_assert(vc_key_equal_public(k, expect));
        ck_assert_int_eq(vc_key_has_private(k), 0);
        ck_assert_int_eq(vc_key_get_type(k), did_key_type(did));
        ck_assert_str_eq(found, vm_id);
        vc_key_free(k);
        free(found);
    }

    char *back = NULL;
    tu_assert_status(vc_did_key_from_key(expect, &back, &e), VC_OK, &e);
    ck_assert_str_eq(back, did);
    free(back);
    tu_assert_status(vc_did_key_vm_id(expect, &back, &e), VC_OK, &e);
    ck_assert_str_eq(back, vm_id);
    free(back);
}

/* An unsupported did:key must be refused with VC_ERR_KEY_TYPE. */
static void check_unsupported(vc_resolver *r, const char *did)
{
    vc_error e;
    char *text = NULL;
    tu_assert_status(vc_resolver_resolve(r, did, &text, &e), VC_ERR_KEY_TYPE, &e);
    ck_assert_ptr_null(text);
    ck_assert(strlen(e.message) > 0);
    vc_key *k = NULL;
    tu_assert_status(vc_resolver_find_key(r, did, NULL, &k, NULL, &e), VC_ERR_KEY_TYPE, &e);
    ck_assert_ptr_null(k);
}

/* ------------------------------------------------------------------ syntax */

START_TEST(syntax_valid)
{
    const char *good[] = {"did:example:123456789abcdefghi",
                          "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
                          "did:web:example.com",
                          "did:web:example.com%3A3000:user:alice",
                          "did:example::x",
                          "did:a1:b-c_d.e",
                          "did:example:%41%7a"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        vc_error e;
        tu_assert_status(vc_did_check_syntax(good[i], &e), VC_OK, &e);
    }
    /* exactly the length limit */
    char *long_did = malloc(VC_MAX_DID_LENGTH + 2);
    memcpy(long_did, "did:example:", 12);
    memset(long_did + 12, 'a', VC_MAX_DID_LENGTH - 12);
    long_did[VC_MAX_DID_LENGTH] = '\0';
    ck_assert_int_eq(vc_did_check_syntax(long_did, NULL), VC_OK);
    /* one more */
    long_did[VC_MAX_DID_LENGTH] = 'a';
    long_did[VC_MAX_DID_LENGTH + 1] = '\0';
    vc_error e;
    tu_assert_status(vc_did_check_syntax(long_did, &e), VC_ERR_DID_SYNTAX, &e);
    free(long_did);
}
END_TEST

START_TEST(syntax_invalid)
{
    const char *bad[] = {
        "did:Example:123",    /* uppercase method */
        "DID:example:123",    /* uppercase scheme */
        "did:example:",       /* empty id */
        "did:example",        /* no id */
        "did::123",           /* empty method */
        "did:example:123:",   /* trailing ':' */
        "did:example:12%3",   /* truncated pct-encoding */
        "did:example:12%zz",  /* bad pct-encoding */
        "did:example:123#k",  /* fragment */
        "did:example:123?q=1", /* query */
        "did:example:123/p",  /* path */
        "did:key_222",        /* from the DID test suite */
        "did:key;invalid",    /* from the DID test suite */
        "did:exa_mple:1",     /* bad method char */
        "did:example:a b",    /* space */
        "did:example:caf\xc3\xa9", /* non-ASCII */
        "https://example.com",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vc_error e;
        vc_error_clear(&e);
        vc_status st = vc_did_check_syntax(bad[i], &e);
        ck_assert_msg(st == VC_ERR_DID_SYNTAX, "%s accepted (%s)", bad[i], vc_status_name(st));
        ck_assert_msg(strlen(e.message) > 0, "no message for %s", bad[i]);
    }
    ck_assert_int_eq(vc_did_check_syntax(NULL, NULL), VC_ERR_INVALID_ARG);
}
END_TEST

/* ------------------------------------------------------------------ did:key vectors */

START_TEST(did_key_ccg_vectors)
{
    vc_resolver *r = new_resolver();
    int n_ed = 0, n_p256 = 0, n_p384 = 0, n_rejected = 0;

    /* ed25519-x25519.json: Ed25519 keys as publicKeyBase58 or publicKeyJwk; the
     * key agreement keys are X25519 did:keys, which must be refused. */
    json_t *v = tu_load_json(tu_shared_path("vectors/w3c-ccg-did-method-key/ed25519-x25519.json"));
    const char *did;
    json_t *entry;
    json_object_foreach(v, did, entry) {
        json_t *kp = json_object_get(entry, "verificationKeyPair");
        vc_key *expect = json_object_get(kp, "publicKeyJwk")
                             ? key_from_jwk_value(json_object_get(kp, "publicKeyJwk"))
                             : key_from_ed25519_base58(vc_json_str(kp, "publicKeyBase58"));
        ck_assert_int_eq(did_key_type(did), VC_KEY_ED25519);
        check_did_key(r, did, expect);
        /* the vector's own document names the same method id */
        json_t *vvm = json_array_get(json_object_get(json_object_get(entry, "didDocument"), "verificationMethod"), 0);
        char vm_id[512];
        snprintf(vm_id, sizeof vm_id, "%s#%s", did, did + 8);
        ck_assert_str_eq(vc_json_str(vvm, "id"), vm_id);
        vc_key_free(expect);
        n_ed++;

        const char *x25519 = vc_json_str(json_object_get(entry, "keyAgreementKeyPair"), "id");
        if (x25519) { /* "#z6LS..." or "did:key:z6Mk...#z6LS..." */
            char x_did[512];
            snprintf(x_did, sizeof x_did, "did:key:%s", strchr(x25519, '#') + 1);
            check_unsupported(r, x_did);
            n_rejected++;
        }
    }
    json_decref(v);

    /* nist-curves.json: P-256, P-384 (JWK or publicKeyBase58) and P-521 */
    v = tu_load_json(tu_shared_path("vectors/w3c-ccg-did-method-key/nist-curves.json"));
    json_object_foreach(v, did, entry) {
        json_t *vm = json_object_get(entry, "verificationMethod");
        json_t *jwk = json_object_get(vm, "publicKeyJwk");
        const char *crv = vc_json_str(jwk, "crv");
        if (crv && strcmp(crv, "P-521") == 0) {
            ck_assert_int_eq(did_key_type(did), VC_KEY_NONE);
            check_unsupported(r, did);
            n_rejected++;
            continue;
        }
        vc_key *expect = NULL;
        if (jwk) {
            expect = key_from_jwk_value(jwk);
        } else {
            /* P256Key2021: publicKeyBase58 is the compressed point; as a multikey
             * it is varint 0x1200 + those bytes. */
            const char *b58 = vc_json_str(vm, "publicKeyBase58");
            ck_assert_ptr_nonnull(b58);
            uint8_t *raw = NULL, buf[128];
            size_t n = 0;
            vc_error e;
            tu_assert_status(vc_base58_decode(b58, strlen(b58), &raw, &n, &e), VC_OK, &e);
            ck_assert_uint_eq(n, 33);
            size_t h = vc_varint_encode(0x1200, buf);
            memcpy(buf + h, raw, n);
            free(raw);
            char *enc = NULL;
            tu_assert_status(vc_base58_encode(buf, h + n, &enc, &e), VC_OK, &e);
            char mk[256];
            snprintf(mk, sizeof mk, "z%s", enc);
            free(enc);
            tu_assert_status(vc_key_from_multikey(mk, &expect, &e), VC_OK, &e);
        }
        vc_key_type t = did_key_type(did);
        ck_assert_int_eq(vc_key_get_type(expect), t);
        check_did_key(r, did, expect);
        vc_key_free(expect);
        if (t == VC_KEY_P256)
            n_p256++;
        else
            n_p384++;
    }
    json_decref(v);

    /* The other CCG files hold only key types libvc does not verify with. */
    const char *others[] = {"bls12381.json", "rsa.json", "secp256k1.json"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "vectors/w3c-ccg-did-method-key/%s", others[i]);
        v = tu_load_json(tu_shared_path(rel));
        json_object_foreach(v, did, entry) {
            check_unsupported(r, did);
            n_rejected++;
        }
        json_decref(v);
    }
    v = tu_load_json(tu_shared_path("vectors/w3c-ccg-did-method-key/x25519.json"));
    json_object_foreach(json_object_get(v, "didDocument"), did, entry) {
        check_unsupported(r, did);
        n_rejected++;
    }
    json_decref(v);

    printf("did:key CCG vectors: %d Ed25519, %d P-256, %d P-384 resolved; %d unsupported rejected\n", n_ed, n_p256,
           n_p384, n_rejected);
    ck_assert_int_eq(n_ed, 5);
    ck_assert_int_eq(n_p256, 3);
    ck_assert_int_eq(n_p384, 2);
    ck_assert_int_ge(n_rejected, 20);
    vc_resolver_free(r);
}
END_TEST

/* The key a DID test-suite verification method holds, or NULL when it has none
 * that this test can read. */
static vc_key *suite_vm_key(const json_t *vm)
{
    json_t *jwk = json_object_get(vm, "publicKeyJwk");
    if (jwk)
        return key_from_jwk_value(jwk);
    const char *type = vc_json_str(vm, "type");
    const char *b58 = vc_json_str(vm, "publicKeyBase58");
    if (b58 && type && strcmp(type, "Ed25519VerificationKey2018") == 0)
        return key_from_ed25519_base58(b58);
    const char *mb = vc_json_str(vm, "publicKeyMultibase");
    if (mb && type && strcmp(type, "Ed25519VerificationKey2020") == 0) {
        vc_key *k = NULL;
        vc_error e;
        tu_assert_status(vc_key_from_multikey(mb, &k, &e), VC_OK, &e);
        return k;
    }
    return NULL;
}

START_TEST(did_key_did_test_suite)
{
    vc_resolver *r = new_resolver();
    const char *impls[] = {"did-key-2018-db.json", "did-key-2020-db.json", "did-key-mattr.json",
                           "did-key-spruce.json", "did-key-transmute.json"};
    int resolved = 0, compared = 0, rejected = 0;
    for (size_t f = 0; f < sizeof impls / sizeof impls[0]; f++) {
        char rel[256];
        snprintf(rel, sizeof rel, "vectors/w3c-did-test-suite/%s", impls[f]);
        json_t *v = tu_load_json(tu_shared_path(rel));
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(v, "dids"), i, d) {
            const char *did = json_string_value(d);
            if (did_key_type(did) == VC_KEY_NONE) {
                check_unsupported(r, did);
                rejected++;
                continue;
            }
            json_t *props = json_object_get(json_object_get(json_object_get(v, did), "didDocumentDataModel"),
                                            "properties");
            vc_key *expect = suite_vm_key(json_array_get(json_object_get(props, "verificationMethod"), 0));
            if (expect) {
                check_did_key(r, did, expect);
                vc_key_free(expect);
                compared++;
            } else {
                vc_error e;
                char *text = NULL;
                tu_assert_status(vc_resolver_resolve(r, did, &text, &e), VC_OK, &e);
                free(text);
            }
            resolved++;
        }
        json_decref(v);
    }

    /* resolver executions: invalidDid outcomes must be syntax errors, notFound
     * ("did:key:123", not a multibase value) some error, the rest resolve. */
    const char *resolvers[] = {"resolver-mattr-key.json", "resolver-spruce-key.json",
                               "universal-resolver-did-key.json"};
    int executions = 0;
    for (size_t f = 0; f < sizeof resolvers / sizeof resolvers[0]; f++) {
        char rel[256];
        snprintf(rel, sizeof rel, "vectors/w3c-did-test-suite/%s", resolvers[f]);
        json_t *v = tu_load_json(tu_shared_path(rel));
        size_t i;
        json_t *ex;
        json_array_foreach(json_object_get(v, "executions"), i, ex) {
            const char *did = vc_json_str(json_object_get(ex, "input"), "did");
            const char *error = vc_json_str(json_object_get(json_object_get(ex, "output"), "didResolutionMetadata"),
                                            "error");
            vc_error e;
            char *text = NULL;
            vc_status st = vc_resolver_resolve(r, did, &text, &e);
            free(text);
            if (error && strcmp(error, "invalidDid") == 0)
                ck_assert_msg(st == VC_ERR_DID_SYNTAX, "%s: %s", did, vc_status_name(st));
            else if (error)
                ck_assert_msg(st != VC_OK, "%s resolved", did);
            else if (did_key_type(did) != VC_KEY_NONE)
                ck_assert_msg(st == VC_OK, "%s: %s", did, e.message);
            else
                ck_assert_int_eq(st, VC_ERR_KEY_TYPE);
            executions++;
        }
        json_decref(v);
    }
    printf("DID test suite: %d did:key resolved (%d keys compared), %d unsupported rejected, %d resolver "
           "executions\n",
           resolved, compared, rejected, executions);
    ck_assert_int_ge(compared, 5);
    vc_resolver_free(r);
}
END_TEST

START_TEST(did_key_errors)
{
    vc_resolver *r = new_resolver();
    vc_error e;
    char *text = NULL;
    /* not 'z' multibase, not base58, no varint, unknown codec, bad point, non canonical */
    tu_assert_status(vc_resolver_resolve(r, "did:key:123", &text, &e), VC_ERR_DID_SYNTAX, &e);
    tu_assert_status(vc_resolver_resolve(r, "did:key:z0OIl", &text, &e), VC_ERR_DID_SYNTAX, &e);
    tu_assert_status(vc_resolver_resolve(r, "did:key:1:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", &text, &e),
                     VC_ERR_DID_SYNTAX, &e);

    uint8_t buf[80];
    char *enc = NULL, did[256];
    /* codec 0x1234, unknown */
    size_t h = vc_varint_encode(0x1234, buf);
    memset(buf + h, 7, 32);
    ck_assert_int_eq(vc_base58_encode(buf, h + 32, &enc, NULL), VC_OK);
    snprintf(did, sizeof did, "did:key:z%s", enc);
    free(enc);
    tu_assert_status(vc_resolver_resolve(r, did, &text, &e), VC_ERR_KEY_TYPE, &e);
    /* Ed25519 codec with 31 bytes */
    h = vc_varint_encode(0xed, buf);
    memset(buf + h, 7, 31);
    ck_assert_int_eq(vc_base58_encode(buf, h + 31, &enc, NULL), VC_OK);
    snprintf(did, sizeof did, "did:key:z%s", enc);
    free(enc);
    vc_status st = vc_resolver_resolve(r, did, &text, &e);
    ck_assert_msg(st == VC_ERR_KEY || st == VC_ERR_DID_SYNTAX, "short Ed25519 key: %s", vc_status_name(st));
    /* P-256 point with a bad prefix byte */
    h = vc_varint_encode(0x1200, buf);
    memset(buf + h, 0x55, 33);
    buf[h] = 0x05;
    ck_assert_int_eq(vc_base58_encode(buf, h + 33, &enc, NULL), VC_OK);
    snprintf(did, sizeof did, "did:key:z%s", enc);
    free(enc);
    st = vc_resolver_resolve(r, did, &text, &e);
    ck_assert_msg(st == VC_ERR_KEY || st == VC_ERR_DID_SYNTAX, "bad P-256 point: %s", vc_status_name(st));
    ck_assert_ptr_null(text);

    /* a did:key with a fragment: resolve wants the bare DID, find_key takes the DID part */
    const char *dk = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
    char with_frag[256];
    snprintf(with_frag, sizeof with_frag, "%s#%s", dk, dk + 8);
    tu_assert_status(vc_resolver_resolve(r, with_frag, &text, &e), VC_ERR_DID_SYNTAX, &e);
    vc_key *k = NULL;
    tu_assert_status(vc_resolver_find_key(r, with_frag, NULL, &k, NULL, &e), VC_OK, &e);
    vc_key_free(k);
    vc_resolver_free(r);
}
END_TEST

START_TEST(did_key_roundtrip_generated)
{
    vc_resolver *r = new_resolver();
    vc_key_type types[] = {VC_KEY_ED25519, VC_KEY_P256, VC_KEY_P384};
    for (size_t i = 0; i < 3; i++) {
        vc_key *key = NULL;
        vc_error e;
        tu_assert_status(vc_key_generate(types[i], &key, &e), VC_OK, &e);
        char *did = NULL;
        tu_assert_status(vc_did_key_from_key(key, &did, &e), VC_OK, &e);
        ck_assert(strncmp(did, "did:key:z", 9) == 0);
        ck_assert_int_eq(vc_did_check_syntax(did, NULL), VC_OK);
        check_did_key(r, did, key);
        free(did);
        vc_key_free(key);
    }
    /* P-521 has no did:key in libvc */
    vc_key *key = NULL;
    vc_error e;
    tu_assert_status(vc_key_generate(VC_KEY_P521, &key, &e), VC_OK, &e);
    char *did = NULL;
    ck_assert_int_ne(vc_did_key_from_key(key, &did, &e), VC_OK);
    ck_assert_ptr_null(did);
    vc_key_free(key);
    ck_assert_int_eq(vc_did_key_from_key(NULL, &did, NULL), VC_ERR_INVALID_ARG);
    vc_resolver_free(r);
}
END_TEST

/* ------------------------------------------------------------------ did:jwk */

/* "did:jwk:" + base64url(text) */
static char *did_jwk_of_text(const char *text)
{
    char *b64 = NULL;
    ck_assert_int_eq(vc_base64url_encode((const uint8_t *)text, strlen(text), &b64, NULL), VC_OK);
    char *did = malloc(strlen(b64) + 9);
    sprintf(did, "did:jwk:%s", b64);
    free(b64);
    return did;
}

START_TEST(did_jwk_generated)
{
    vc_resolver *r = new_resolver();
    vc_key_type types[] = {VC_KEY_ED25519, VC_KEY_P256, VC_KEY_P384, VC_KEY_P521};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        vc_key *key = NULL;
        vc_error e;
        tu_assert_status(vc_key_generate(types[i], &key, &e), VC_OK, &e);
        char *did = NULL;
        tu_assert_status(vc_did_jwk_from_key(key, &did, &e), VC_OK, &e);
        ck_assert(strncmp(did, "did:jwk:ey", 10) == 0);
        ck_assert_int_eq(vc_did_check_syntax(did, NULL), VC_OK);

        /* the id is the canonical public JWK: RFC 7638 members only, sorted */
        uint8_t *raw = NULL;
        size_t n = 0;
        tu_assert_status(vc_base64url_decode(did + 8, strlen(did + 8), &raw, &n, &e), VC_OK, &e);
        ck_assert(strncmp((const char *)raw, "{\"crv\":\"", 8) == 0);
        ck_assert_ptr_null(strstr((const char *)raw, "\"d\""));
        free(raw);

        char *text = NULL;
        tu_assert_status(vc_resolver_resolve(r, did, &text, &e), VC_OK, &e);
        json_t *doc = parse_doc(text);
        free(text);
        char vm_id[1024];
        snprintf(vm_id, sizeof vm_id, "%s#0", did);
        json_t *vm = json_array_get(json_object_get(doc, "verificationMethod"), 0);
        ck_assert_str_eq(vc_json_str(vm, "id"), vm_id);
        ck_assert_str_eq(vc_json_str(vm, "type"), "JsonWebKey");
        ck_assert_str_eq(vc_json_str(vm, "controller"), did);
        ck_assert(json_is_object(json_object_get(vm, "publicKeyJwk")));
        for (size_t k = 0; signing_relations[k]; k++)
            ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, signing_relations[k]), 0)),
                             vm_id);
        json_decref(doc);

        const char *kids[] = {NULL, "#0", vm_id, "0"};
        for (size_t k = 0; k < sizeof kids / sizeof kids[0]; k++) {
            vc_key *found = NULL;
            char *found_id = NULL;
            tu_assert_status(vc_resolver_find_key(r, did, kids[k], &found, &found_id, &e), VC_OK, &e);
            ck_assert(vc_key_equal_public(found, key));
            ck_assert_int_eq(vc_key_has_private(found), 0);
            ck_assert_str_eq(found_id, vm_id);
            vc_key_free(found);
            free(found_id);
        }
        free(did);
        vc_key_free(key);
    }
    vc_resolver_free(r);
}
END_TEST

START_TEST(did_jwk_vectors)
{
    vc_resolver *r = new_resolver();
    vc_error e;
    char *text = NULL;
    /* the P-256 example of the did:jwk specification (members not sorted) */
    const char *spec = "did:jwk:eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2IiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQ"
                       "SDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9";
    const char *spec_jwk = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0\","
                           "\"y\":\"_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE\"}";
    vc_key *expect = NULL, *found = NULL;
    tu_assert_status(vc_key_from_jwk(spec_jwk, strlen(spec_jwk), &expect, &e), VC_OK, &e);
    tu_assert_status(vc_resolver_find_key(r, spec, "#0", &found, NULL, &e), VC_OK, &e);
    ck_assert(vc_key_equal_public(found, expect));
    vc_key_free(found);
    /* no "use": the spec gives it keyAgreement as well */
    tu_assert_status(vc_resolver_resolve(r, spec, &text, &e), VC_OK, &e);
    json_t *doc = parse_doc(text);
    free(text);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "keyAgreement")), 1);
    ck_assert_str_eq(vc_json_str(json_object_get(json_array_get(json_object_get(doc, "verificationMethod"), 0),
                                                 "publicKeyJwk"),
                                 "kty"),
                     "EC");
    json_decref(doc);
    /* our own did:jwk of that key is the sorted form */
    char *ours = NULL;
    tu_assert_status(vc_did_jwk_from_key(expect, &ours, &e), VC_OK, &e);
    char *sorted = did_jwk_of_text("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0\","
                                   "\"y\":\"_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE\"}");
    ck_assert_str_eq(ours, sorted);
    free(ours);
    free(sorted);
    vc_key_free(expect);

    /* the X25519 example of the spec: an encryption key, unsupported here */
    const char *x25519 = "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdPUTFOe"
                         "i1EUThoYmVHZE5yZngtRkctSUswOCJ9";
    tu_assert_status(vc_resolver_resolve(r, x25519, &text, &e), VC_ERR_KEY_TYPE, &e);

    /* kid / alg do not change the DID: the vm-p256 key carries both */
    json_t *vmf = tu_load_json(tu_shared_path("vectors/w3c-vc-jose-cose-test-suite/vm-p256.json"));
    vc_key *with_kid = key_from_jwk_value(json_object_get(vmf, "publicKeyJwk"));
    json_decref(vmf);
    tu_assert_status(vc_did_jwk_from_key(with_kid, &ours, &e), VC_OK, &e);
    uint8_t *raw = NULL;
    size_t n = 0;
    tu_assert_status(vc_base64url_decode(ours + 8, strlen(ours + 8), &raw, &n, &e), VC_OK, &e);
    ck_assert_str_eq((const char *)raw, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"WfTi93YuhsQxKbD0ftnjOXJndqhnJ5kgDV-ZDGyrhBQ\","
                                        "\"y\":\"qUd_55EjX0mjKZ6W6mF4UXVYTQ41K6jfdnYFwN5uPyk\"}");
    free(raw);
    free(ours);
    vc_key_free(with_kid);
    vc_resolver_free(r);
}
END_TEST

START_TEST(did_jwk_rejects)
{
    vc_resolver *r = new_resolver();
    vc_error e;
    char *text = NULL;
    vc_key *k = NULL;

    /* a did:jwk carrying the private key */
    vc_key *key = NULL;
    tu_assert_status(vc_key_generate(VC_KEY_ED25519, &key, &e), VC_OK, &e);
    char *priv = NULL;
    tu_assert_status(vc_key_to_jwk(key, 1, &priv, &e), VC_OK, &e);
    ck_assert_ptr_nonnull(strstr(priv, "\"d\""));
    char *did = did_jwk_of_text(priv);
    tu_assert_status(vc_resolver_resolve(r, did, &text, &e), VC_ERR_DID_SYNTAX, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "private"));
    tu_assert_status(vc_resolver_find_key(r, did, "#0", &k, NULL, &e), VC_ERR_DID_SYNTAX, &e);
    ck_assert_ptr_null(k);
    free(did);
    free(priv);
    vc_key_free(key);

    /* bad base64url: 1 mod 4, stray bits */
    tu_assert_status(vc_resolver_resolve(r, "did:jwk:eyJrd", &text, &e), VC_ERR_DID_SYNTAX, &e);
    tu_assert_status(vc_resolver_resolve(r, "did:jwk:Zh", &text, &e), VC_ERR_DID_SYNTAX, &e);
    /* padding and '+' are not even DID characters */
    tu_assert_status(vc_resolver_resolve(r, "did:jwk:Zg==", &text, &e), VC_ERR_DID_SYNTAX, &e);
    /* not JSON, not an object, not a JWK, a verification method, duplicate keys */
    const char *bodies[] = {"hello", "[1,2]", "{\"a\":1}",
                            "{\"publicKeyJwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}}",
                            "{\"kty\":\"OKP\",\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        did = did_jwk_of_text(bodies[i]);
        tu_assert_status(vc_resolver_resolve(r, did, &text, &e), VC_ERR_DID_SYNTAX, &e);
        free(did);
    }
    /* unsupported and malformed keys keep the key module's codes */
    did = did_jwk_of_text("{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AAAA\",\"y\":\"AAAA\"}");
    tu_assert_status(vc_resolver_resolve(r, did, &text, &e), VC_ERR_KEY_TYPE, &e);
    free(did);
    did = did_jwk_of_text("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"}");
    tu_assert_status(vc_resolver_resolve(r, did, &text, &e), VC_ERR_KEY, &e);
    free(did);
    /* "use":"enc": a valid did:jwk with keyAgreement only, which cannot issue;
     * the key module refuses the key itself (VC_ERR_KEY) */
    did = did_jwk_of_text("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"use\":\"enc\","
                          "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}");
    tu_assert_status(vc_resolver_resolve(r, did, &text, &e), VC_OK, &e);
    json_t *doc = parse_doc(text);
    free(text);
    text = NULL;
    ck_assert_ptr_null(json_object_get(doc, "assertionMethod"));
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "keyAgreement")), 1);
    json_decref(doc);
    vc_status st = vc_resolver_find_key(r, did, "#0", &k, NULL, &e);
    ck_assert_msg(st == VC_ERR_KEY || st == VC_ERR_DID_VM_NOT_FOUND, "encryption did:jwk: %s", vc_status_name(st));
    ck_assert_ptr_null(k);
    free(did);
    ck_assert_ptr_null(text);
    vc_resolver_free(r);
}
END_TEST

/* ------------------------------------------------------------------ plug-ins */

struct canned {
    const char *doc; /* returned for every DID; NULL -> fail with not found */
    int calls;
    pthread_mutex_t lock;
};

static vc_status canned_method(void *ctx, const char *did, char **doc_json, vc_error *err)
{
    struct canned *c = ctx;
    pthread_mutex_lock(&c->lock);
    c->calls++;
    pthread_mutex_unlock(&c->lock);
    if (!c->doc) {
        if (err) {
            err->code = VC_ERR_DID_NOT_FOUND;
            snprintf(err->message, sizeof err->message, "test method: %s does not exist", did);
            err->path[0] = '\0';
        }
        return VC_ERR_DID_NOT_FOUND;
    }
    *doc_json = strdup(c->doc);
    return *doc_json ? VC_OK : VC_ERR_NOMEM;
}

/* Returns a document with a single Multikey method for any DID "did:many:N". */
static vc_status many_method(void *ctx, const char *did, char **doc_json, vc_error *err)
{
    struct canned *c = ctx;
    pthread_mutex_lock(&c->lock);
    c->calls++;
    pthread_mutex_unlock(&c->lock);
    json_t *doc = json_pack("{s:s,s:[{s:s,s:s,s:s,s:s}]}", "id", did, "verificationMethod", "id", "#k", "type",
                            "Multikey", "controller", did, "publicKeyMultibase", c->doc);
    *doc_json = vc_json_dump(doc);
    json_decref(doc);
    return *doc_json ? VC_OK : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
}

/* A did:example document: #key-1 (JWK, asserted), #key-2 (multikey, asserted by
 * relative ref), #key-3 (not in assertionMethod), #key-4 (another controller),
 * #key-5 embedded in assertionMethod, #key-6 an unsupported key. */
static char *example_doc(const char *id, vc_key **k1, vc_key **k2, vc_key **k5)
{
    vc_error e;
    vc_key *keys[3];
    char *jwk1 = NULL, *mk2 = NULL, *jwk5 = NULL;
    for (int i = 0; i < 3; i++)
        tu_assert_status(vc_key_generate(i == 1 ? VC_KEY_ED25519 : VC_KEY_P256, &keys[i], &e), VC_OK, &e);
    tu_assert_status(vc_key_to_jwk(keys[0], 0, &jwk1, &e), VC_OK, &e);
    tu_assert_status(vc_key_to_multikey(keys[1], &mk2, &e), VC_OK, &e);
    tu_assert_status(vc_key_to_jwk(keys[2], 0, &jwk5, &e), VC_OK, &e);
    json_t *j1 = json_loads(jwk1, 0, NULL), *j5 = json_loads(jwk5, 0, NULL);
    json_object_set_new(j1, "kid", json_string("jwk-kid-1"));
    char other[512];
    snprintf(other, sizeof other, "%s-other", id);
    json_t *doc = json_pack(
        "{s:s,s:[{s:s,s:s,s:s,s:O},{s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s},"
        "{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s}}],s:[s,s,s,s,{s:s,s:s,s:s,s:O}]}",
        "id", id, "verificationMethod",
        /* key-1 */ "id", "#key-1", "type", "JsonWebKey", "controller", id, "publicKeyJwk", j1,
        /* key-2 */ "id", "#key-2", "type", "Multikey", "controller", id, "publicKeyMultibase", mk2,
        /* key-3 */ "id", "#key-3", "type", "Multikey", "controller", id, "publicKeyMultibase", mk2,
        /* key-4 */ "id", "#key-4", "type", "Multikey", "controller", other, "publicKeyMultibase", mk2,
        /* key-6 */ "id", "#key-6", "type", "JsonWebKey", "controller", id, "publicKeyJwk", "kty", "EC", "crv",
        "secp256k1", "x", "AAAA", "y", "AAAA",
        "assertionMethod", "#key-1", "#key-2", "#key-4", "#key-6",
        /* key-5 */ "id", "#key-5", "type", "JsonWebKey", "controller", id, "publicKeyJwk", j5);
    ck_assert_ptr_nonnull(doc);
    char *text = vc_json_dump(doc);
    json_decref(doc);
    json_decref(j1);
    json_decref(j5);
    free(jwk1);
    free(mk2);
    free(jwk5);
    *k1 = keys[0];
    *k2 = keys[1];
    *k5 = keys[2];
    return text;
}

/* find_key that must succeed with the key `expect` and method id `want_id`. */
static void expect_key(vc_resolver *r, const char *issuer, const char *kid, const vc_key *expect, const char *want_id)
{
    vc_key *k = NULL;
    char *id = NULL;
    vc_error e;
    tu_assert_status(vc_resolver_find_key(r, issuer, kid, &k, &id, &e), VC_OK, &e);
    ck_assert(vc_key_equal_public(k, expect));
    ck_assert_int_eq(vc_key_has_private(k), 0);
    ck_assert_str_eq(id, want_id);
    vc_key_free(k);
    free(id);
}

static void expect_fail(vc_resolver *r, const char *issuer, const char *kid, vc_status code)
{
    vc_key *k = NULL;
    char *id = NULL;
    vc_error e;
    vc_error_clear(&e);
    tu_assert_status(vc_resolver_find_key(r, issuer, kid, &k, &id, &e), code, &e);
    ck_assert_ptr_null(k);
    ck_assert_ptr_null(id);
    ck_assert_msg(strlen(e.message) > 0, "no message for kid %s", kid ? kid : "(null)");
}

START_TEST(plugin_find_key)
{
    vc_resolver *r = new_resolver();
    vc_key *k1, *k2, *k5;
    const char *did = "did:example:issuer";
    char *text = example_doc(did, &k1, &k2, &k5);
    struct canned c = {text, 0, PTHREAD_MUTEX_INITIALIZER};
    vc_error e;
    tu_assert_status(vc_resolver_add_method(r, "example", canned_method, &c, &e), VC_OK, &e);

    char *doc = NULL;
    tu_assert_status(vc_resolver_resolve(r, did, &doc, &e), VC_OK, &e);
    json_t *parsed = parse_doc(doc);
    ck_assert_str_eq(vc_json_str(parsed, "id"), did);
    json_decref(parsed);
    free(doc);

    expect_key(r, did, "#key-1", k1, "did:example:issuer#key-1");
    expect_key(r, did, "did:example:issuer#key-1", k1, "did:example:issuer#key-1");
    expect_key(r, did, "key-1", k1, "did:example:issuer#key-1");     /* bare fragment */
    expect_key(r, did, "jwk-kid-1", k1, "did:example:issuer#key-1"); /* publicKeyJwk kid */
    expect_key(r, did, "#key-2", k2, "did:example:issuer#key-2");
    expect_key(r, did, "#key-5", k5, "did:example:issuer#key-5"); /* embedded in assertionMethod */
    expect_key(r, "did:example:issuer#key-9", "#key-1", k1, "did:example:issuer#key-1"); /* issuer DID URL */
    expect_key(r, "did:example:issuer/path?x=1", "#key-2", k2, "did:example:issuer#key-2");

    expect_fail(r, did, "did:example:other#key-1", VC_ERR_JWS_KID);  /* another DID */
    expect_fail(r, did, "did:example:issuerX#key-1", VC_ERR_JWS_KID); /* a DID with the issuer as prefix */
    expect_fail(r, did, "did:example:issuer", VC_ERR_JWS_KID);        /* no fragment */
    expect_fail(r, did, "did:example:issuer/p#key-1", VC_ERR_JWS_KID); /* path */
    expect_fail(r, did, "https://evil.example/k#key-1", VC_ERR_JWS_KID);
    expect_fail(r, did, "#key-7", VC_ERR_DID_VM_NOT_FOUND);
    expect_fail(r, did, "nope", VC_ERR_DID_VM_NOT_FOUND);
    expect_fail(r, did, "", VC_ERR_JWS_KID);
    expect_fail(r, did, NULL, VC_ERR_JWS_KID);                  /* several methods */
    expect_fail(r, did, "#key-3", VC_ERR_DID_VM_NOT_FOUND);     /* not in assertionMethod */
    expect_fail(r, did, "#key-4", VC_ERR_JWS_KID);              /* controlled by another */
    expect_fail(r, did, "#key-6", VC_ERR_KEY_TYPE);             /* unsupported key */

    /* the document was fetched once: later lookups came from the cache */
    ck_assert_int_eq(c.calls, 1);

    /* NULL key pointer is an argument error; vm_id is optional */
    ck_assert_int_eq(vc_resolver_find_key(r, did, "#key-1", NULL, NULL, NULL), VC_ERR_INVALID_ARG);
    vc_key *k = NULL;
    tu_assert_status(vc_resolver_find_key(r, did, "#key-1", &k, NULL, &e), VC_OK, &e);
    vc_key_free(k);

    vc_key_free(k1);
    vc_key_free(k2);
    vc_key_free(k5);
    vc_resolver_free(r);
    free(text);
}
END_TEST

START_TEST(plugin_checks)
{
    vc_resolver *r = new_resolver();
    vc_error e;
    char *text = NULL;
    const char *mk = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
    char buf[1024];

    /* a document for another DID */
    snprintf(buf, sizeof buf, "{\"id\":\"did:other:zzz\",\"verificationMethod\":[{\"id\":\"#k\",\"type\":\"Multikey\","
                              "\"controller\":\"did:other:zzz\",\"publicKeyMultibase\":\"%s\"}]}", mk);
    struct canned wrong_id = {buf, 0, PTHREAD_MUTEX_INITIALIZER};
    tu_assert_status(vc_resolver_add_method(r, "other", canned_method, &wrong_id, &e), VC_OK, &e);
    tu_assert_status(vc_resolver_resolve(r, "did:other:abc", &text, &e), VC_ERR_DID_DOCUMENT, &e);
    ck_assert_str_eq(e.path, "/id");
    expect_fail(r, "did:other:abc", "#k", VC_ERR_DID_DOCUMENT);

    /* a failing method keeps its code and message */
    struct canned missing = {NULL, 0, PTHREAD_MUTEX_INITIALIZER};
    tu_assert_status(vc_resolver_add_method(r, "gone", canned_method, &missing, &e), VC_OK, &e);
    tu_assert_status(vc_resolver_resolve(r, "did:gone:1", &text, &e), VC_ERR_DID_NOT_FOUND, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "does not exist"));
    /* failures are not cached */
    tu_assert_status(vc_resolver_resolve(r, "did:gone:1", &text, &e), VC_ERR_DID_NOT_FOUND, &e);
    ck_assert_int_eq(missing.calls, 2);

    /* malformed documents */
    const char *bad_docs[][2] = {
        {"not json", ""},
        {"[1]", ""},
        {"{\"id\":\"did:bad:1\",\"id\":\"did:bad:1\"}", ""},
        {"{\"verificationMethod\":[]}", "/id"},
        {"{\"id\":\"did:bad:1\",\"verificationMethod\":{}}", "/verificationMethod"},
        {"{\"id\":\"did:bad:1\",\"verificationMethod\":[\"#k\"]}", "/verificationMethod/0"},
        {"{\"id\":\"did:bad:1\",\"verificationMethod\":[{\"type\":\"Multikey\",\"controller\":\"did:bad:1\","
         "\"publicKeyMultibase\":\"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\"}]}",
         "/verificationMethod/0/id"},
        {"{\"id\":\"did:bad:1\",\"verificationMethod\":[{\"id\":\"#k\",\"controller\":\"did:bad:1\","
         "\"publicKeyMultibase\":\"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\"}]}",
         "/verificationMethod/0/type"},
        {"{\"id\":\"did:bad:1\",\"verificationMethod\":[{\"id\":\"#k\",\"type\":\"Multikey\","
         "\"publicKeyMultibase\":\"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\"}]}",
         "/verificationMethod/0/controller"},
        {"{\"id\":\"did:bad:1\",\"verificationMethod\":[{\"id\":\"#k\",\"type\":\"Multikey\",\"controller\":"
         "\"did:bad:1\"}]}",
         "/verificationMethod/0"},
        {"{\"id\":\"did:bad:1\",\"verificationMethod\":[{\"id\":\"#k\",\"type\":\"Multikey\",\"controller\":"
         "\"did:bad:1\",\"publicKeyMultibase\":\"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\","
         "\"publicKeyJwk\":{}}]}",
         "/verificationMethod/0"},
        {"{\"id\":\"did:bad:1\",\"verificationMethod\":[{\"id\":\"#k\",\"type\":\"Multikey\",\"controller\":"
         "\"did:bad:1\",\"publicKeyMultibase\":\"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\"},"
         "{\"id\":\"did:bad:1#k\",\"type\":\"Multikey\",\"controller\":\"did:bad:1\","
         "\"publicKeyMultibase\":\"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\"}]}",
         "/verificationMethod/1"},
        {"{\"id\":\"did:bad:1\",\"assertionMethod\":\"#k\"}", "/assertionMethod"},
        {"{\"id\":\"did:bad:1\",\"assertionMethod\":[42]}", "/assertionMethod/0"},
    };
    struct canned bad = {NULL, 0, PTHREAD_MUTEX_INITIALIZER};
    tu_assert_status(vc_resolver_add_method(r, "bad", canned_method, &bad, &e), VC_OK, &e);
    for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++) {
        bad.doc = bad_docs[i][0];
        vc_error_clear(&e);
        vc_status st = vc_resolver_resolve(r, "did:bad:1", &text, &e);
        ck_assert_msg(st == VC_ERR_DID_DOCUMENT, "bad document %zu: %s", i, vc_status_name(st));
        if (bad_docs[i][1][0])
            ck_assert_msg(strcmp(e.path, bad_docs[i][1]) == 0, "document %zu: path %s, want %s", i, e.path,
                          bad_docs[i][1]);
        ck_assert(strlen(e.message) > 0);
    }
    ck_assert_ptr_null(text);

    /* unknown method, non-DID without offline material, bad input */
    tu_assert_status(vc_resolver_resolve(r, "did:nope:1", &text, &e), VC_ERR_DID_METHOD, &e);
    expect_fail(r, "did:nope:1", "#k", VC_ERR_DID_METHOD);
    tu_assert_status(vc_resolver_resolve(r, "https://nowhere.example/issuer", &text, &e), VC_ERR_DID_NOT_FOUND, &e);
    expect_fail(r, "https://nowhere.example/issuer", "#k", VC_ERR_DID_NOT_FOUND);
    tu_assert_status(vc_resolver_resolve(r, "not a url", &text, &e), VC_ERR_DID_SYNTAX, &e);
    tu_assert_status(vc_resolver_resolve(r, "did:Bad:1", &text, &e), VC_ERR_DID_SYNTAX, &e);
    expect_fail(r, "did:Bad:1", "#k", VC_ERR_DID_SYNTAX);

    /* registration rules */
    tu_assert_status(vc_resolver_add_method(r, "key", canned_method, &bad, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_resolver_add_method(r, "jwk", canned_method, &bad, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_resolver_add_method(r, "Web", canned_method, &bad, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_resolver_add_method(r, "", canned_method, &bad, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_resolver_add_method(r, "bad", canned_method, &bad, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_resolver_add_method(r, "web", NULL, &bad, &e), VC_ERR_INVALID_ARG, &e);
    vc_resolver_free(r);
}
END_TEST

/* ------------------------------------------------------------------ offline material */

START_TEST(offline_documents)
{
    vc_resolver *r = new_resolver();
    vc_error e;
    char *text = NULL;
    const char *mk = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
    char buf[2048];

    /* rejected documents */
    const char *bad[] = {
        "{\"verificationMethod\":[]}",                         /* no id */
        "{\"id\":42}",                                          /* id not a string */
        "{\"id\":\"did:Example:1\"}",                           /* bad DID */
        "{\"id\":\"did:example:1#frag\"}",                      /* fragment */
        "{\"id\":\"example.com/issuer\"}",                      /* not absolute */
        "{\"id\":\"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\"}", /* self-certifying */
        "{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"type\":\"EnvelopedVerifiableCredential\","
        "\"id\":\"data:application/vc+jwt,eyJ\"}",                /* a credential, not a document */
        "{\"id\":\"urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5\"}", /* cannot own keys */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vc_error_clear(&e);
        tu_assert_status(vc_resolver_add_document(r, bad[i], strlen(bad[i]), &e), VC_ERR_DID_DOCUMENT, &e);
        ck_assert_str_eq(e.path, "/id");
    }
    tu_assert_status(vc_resolver_add_document(r, "{\"id\":", 6, &e), VC_ERR_JSON, &e);
    tu_assert_status(vc_resolver_add_document(r, "[]", 2, &e), VC_ERR_JSON_TYPE, &e);

    /* a did:example document with private material, which must be dropped */
    vc_key *key = NULL;
    tu_assert_status(vc_key_generate(VC_KEY_P256, &key, &e), VC_OK, &e);
    char *jwk_priv = NULL;
    tu_assert_status(vc_key_to_jwk(key, 1, &jwk_priv, &e), VC_OK, &e);
    snprintf(buf, sizeof buf,
             "{\"id\":\"did:example:offline\",\"verificationMethod\":[{\"id\":\"#a\",\"type\":\"JsonWebKey\","
             "\"controller\":\"did:example:offline\",\"publicKeyJwk\":%s,\"privateKeyJwk\":%s,"
             "\"secretKeyJwk\":%s}],\"assertionMethod\":[\"did:example:offline#a\"]}",
             jwk_priv, jwk_priv, jwk_priv);
    free(jwk_priv);
    tu_assert_status(vc_resolver_add_document(r, buf, strlen(buf), &e), VC_OK, &e);
    tu_assert_status(vc_resolver_add_document(r, buf, strlen(buf), &e), VC_ERR_INVALID_ARG, &e); /* twice */
    tu_assert_status(vc_resolver_resolve(r, "did:example:offline", &text, &e), VC_OK, &e);
    ck_assert_ptr_null(strstr(text, "\"d\""));
    ck_assert_ptr_null(strstr(text, "privateKeyJwk"));
    ck_assert_ptr_null(strstr(text, "secretKeyJwk"));
    free(text);
    expect_key(r, "did:example:offline", "#a", key, "did:example:offline#a");
    expect_key(r, "did:example:offline", NULL, key, "did:example:offline#a");

    /* an offline document takes precedence over a plug-in, even after caching */
    snprintf(buf, sizeof buf, "{\"id\":\"did:example:both\",\"verificationMethod\":[{\"id\":\"#plugin\","
                              "\"type\":\"Multikey\",\"controller\":\"did:example:both\",\"publicKeyMultibase\":\"%s\"}]}",
             mk);
    struct canned c = {buf, 0, PTHREAD_MUTEX_INITIALIZER};
    tu_assert_status(vc_resolver_add_method(r, "example", canned_method, &c, &e), VC_OK, &e);
    vc_key *k = NULL;
    tu_assert_status(vc_resolver_find_key(r, "did:example:both", "#plugin", &k, NULL, &e), VC_OK, &e);
    vc_key_free(k);
    char offline[1024];
    snprintf(offline, sizeof offline, "{\"id\":\"did:example:both\",\"verificationMethod\":[{\"id\":\"#offline\","
                                      "\"type\":\"Multikey\",\"controller\":\"did:example:both\",\"publicKeyMultibase\":\"%s\"}]}",
             mk);
    tu_assert_status(vc_resolver_add_document(r, offline, strlen(offline), &e), VC_OK, &e);
    expect_fail(r, "did:example:both", "#plugin", VC_ERR_DID_VM_NOT_FOUND);
    tu_assert_status(vc_resolver_find_key(r, "did:example:both", "#offline", &k, NULL, &e), VC_OK, &e);
    vc_key_free(k);
    ck_assert_int_eq(c.calls, 1);

    /* a verification method added to a document with assertionMethod joins it there */
    char *pub = NULL;
    vc_key *key2 = NULL;
    tu_assert_status(vc_key_generate(VC_KEY_ED25519, &key2, &e), VC_OK, &e);
    tu_assert_status(vc_key_to_jwk(key2, 0, &pub, &e), VC_OK, &e);
    snprintf(buf, sizeof buf, "{\"id\":\"#b\",\"type\":\"JsonWebKey\",\"controller\":\"did:example:offline\","
                              "\"publicKeyJwk\":%s}", pub);
    free(pub);
    tu_assert_status(vc_resolver_add_verification_method(r, buf, strlen(buf), &e), VC_OK, &e);
    expect_key(r, "did:example:offline", "#b", key2, "did:example:offline#b");
    expect_key(r, "did:example:offline", "#a", key, "did:example:offline#a");
    /* the same method id again is refused, and changes nothing */
    tu_assert_status(vc_resolver_add_verification_method(r, buf, strlen(buf), &e), VC_ERR_DID_DOCUMENT, &e);
    expect_key(r, "did:example:offline", "#b", key2, "did:example:offline#b");
    vc_key_free(key);
    vc_key_free(key2);
    vc_resolver_free(r);
}
END_TEST

START_TEST(offline_vc_jose_cose_methods)
{
    vc_resolver *r = new_resolver();
    vc_error e;
    const char *files[] = {"vm-p256.json", "vm-ed25519.json", "vm-p384.json", "vm-p521.json", "vm-did-ed25519.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "vectors/w3c-vc-jose-cose-test-suite/%s", files[i]);
        size_t len = 0;
        char *text = tu_read(tu_shared_path(rel), &len);
        tu_assert_status(vc_resolver_add_verification_method(r, text, len, &e), VC_OK, &e);
        free(text);
    }
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "vectors/w3c-vc-jose-cose-test-suite/%s", files[i]);
        json_t *vm = tu_load_json(tu_shared_path(rel));
        const char *controller = vc_json_str(vm, "controller");
        const char *vm_id = vc_json_str(vm, "id");
        json_t *pub = json_object_get(vm, "publicKeyJwk");
        vc_key *expect = key_from_jwk_value(pub);
        /* the JWS headers of the suite use the JWK kid */
        expect_key(r, controller, vc_json_str(pub, "kid"), expect, vm_id);
        expect_key(r, controller, vm_id, expect, vm_id);
        expect_key(r, controller, strchr(vm_id, '#'), expect, vm_id);
        vc_key_free(expect);
        json_decref(vm);
    }
    /* several methods: a kid is needed */
    expect_fail(r, ISSUER_HTTPS, NULL, VC_ERR_JWS_KID);
    expect_fail(r, ISSUER_HTTPS, "https://example.issuer/other#key-1", VC_ERR_JWS_KID);
    expect_fail(r, ISSUER_HTTPS, "#key-9", VC_ERR_DID_VM_NOT_FOUND);

    /* the synthesised controller document has no private material */
    char *doc = NULL;
    tu_assert_status(vc_resolver_resolve(r, ISSUER_HTTPS, &doc, &e), VC_OK, &e);
    ck_assert_ptr_null(strstr(doc, "secretKeyJwk"));
    ck_assert_ptr_null(strstr(doc, "\"d\""));
    json_t *parsed = parse_doc(doc);
    ck_assert_str_eq(vc_json_str(parsed, "id"), ISSUER_HTTPS);
    ck_assert_uint_eq(json_array_size(json_object_get(parsed, "verificationMethod")), 4);
    json_decref(parsed);
    free(doc);

    /* bad methods */
    const char *bad[][2] = {
        {"{\"id\":\"#k\",\"type\":\"JsonWebKey\",\"publicKeyJwk\":{}}", "/controller"},
        {"{\"id\":\"#k\",\"type\":\"JsonWebKey\",\"controller\":\"https://x.example#f\",\"publicKeyJwk\":{}}",
         "/controller"},
        {"{\"id\":\"#k\",\"type\":\"Multikey\",\"controller\":\"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\","
         "\"publicKeyMultibase\":\"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\"}",
         "/controller"},
        {"{\"id\":\"k\",\"type\":\"JsonWebKey\",\"controller\":\"https://x.example\",\"publicKeyJwk\":{}}", "/id"},
        {"{\"id\":\"#k\",\"controller\":\"https://x.example\",\"publicKeyJwk\":{}}", "/type"},
        {"{\"id\":\"#k\",\"type\":\"JsonWebKey\",\"controller\":\"https://x.example\"}", ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vc_error_clear(&e);
        tu_assert_status(vc_resolver_add_verification_method(r, bad[i][0], strlen(bad[i][0]), &e),
                         VC_ERR_DID_DOCUMENT, &e);
        ck_assert_msg(strcmp(e.path, bad[i][1]) == 0, "method %zu: path %s, want %s", i, e.path, bad[i][1]);
    }
    vc_resolver_free(r);
}
END_TEST

START_TEST(cache_bound)
{
    /* did:many:N resolves to a fresh document each call; the cache keeps at most
     * VC_DID_CACHE_MAX (1024) of them, least recently used out first. */
    vc_resolver *r = new_resolver();
    struct canned c = {"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", 0, PTHREAD_MUTEX_INITIALIZER};
    vc_error e;
    tu_assert_status(vc_resolver_add_method(r, "many", many_method, &c, &e), VC_OK, &e);
    const int n = 1100;
    char did[64];
    for (int i = 0; i < n; i++) {
        snprintf(did, sizeof did, "did:many:%d", i);
        vc_key *k = NULL;
        tu_assert_status(vc_resolver_find_key(r, did, "#k", &k, NULL, &e), VC_OK, &e);
        vc_key_free(k);
    }
    ck_assert_int_eq(c.calls, n);
    /* the most recent is cached, the first was evicted */
    snprintf(did, sizeof did, "did:many:%d", n - 1);
    char *text = NULL;
    tu_assert_status(vc_resolver_resolve(r, did, &text, &e), VC_OK, &e);
    free(text);
    ck_assert_int_eq(c.calls, n);
    tu_assert_status(vc_resolver_resolve(r, "did:many:0", &text, &e), VC_OK, &e);
    free(text);
    ck_assert_int_eq(c.calls, n + 1);
    vc_resolver_free(r);
}
END_TEST

/* ------------------------------------------------------------------ threads */

#define THREADS 4
#define ROUNDS 1000

struct shared {
    vc_resolver *r;
    const char *did_key;
    vc_key *did_key_key;
    vc_key *https_key;
    const char *https_kid;
    vc_key *plugin_key;
    int failures[THREADS];
};

struct worker_arg {
    struct shared *s;
    int index;
};

static void *worker(void *p)
{
    struct worker_arg *a = p;
    struct shared *s = a->s;
    for (int i = 0; i < ROUNDS; i++) {
        const char *issuer, *kid;
        const vc_key *want;
        switch ((i + a->index) % 3) {
        case 0:
            issuer = s->did_key, kid = NULL, want = s->did_key_key;
            break;
        case 1:
            issuer = ISSUER_HTTPS, kid = s->https_kid, want = s->https_key;
            break;
        default:
            issuer = "did:example:issuer", kid = "#key-1", want = s->plugin_key;
            break;
        }
        vc_key *k = NULL;
        char *id = NULL;
        vc_error e;
        if (vc_resolver_find_key(s->r, issuer, kid, &k, &id, &e) != VC_OK || !vc_key_equal_public(k, want) ||
            vc_key_has_private(k))
            s->failures[a->index]++;
        vc_key_free(k);
        free(id);
    }
    return NULL;
}

START_TEST(threads_share_resolver)
{
    struct shared s;
    memset(&s, 0, sizeof s);
    s.r = new_resolver();
    vc_error e;

    /* did:key */
    tu_assert_status(vc_key_generate(VC_KEY_ED25519, &s.did_key_key, &e), VC_OK, &e);
    char *did = NULL;
    tu_assert_status(vc_did_key_from_key(s.did_key_key, &did, &e), VC_OK, &e);
    s.did_key = did;
    /* https issuer from the VC-JOSE-COSE suite */
    size_t len = 0;
    char *text = tu_read(tu_shared_path("vectors/w3c-vc-jose-cose-test-suite/vm-p256.json"), &len);
    tu_assert_status(vc_resolver_add_verification_method(s.r, text, len, &e), VC_OK, &e);
    free(text);
    json_t *vm = tu_load_json(tu_shared_path("vectors/w3c-vc-jose-cose-test-suite/vm-p256.json"));
    s.https_key = key_from_jwk_value(json_object_get(vm, "publicKeyJwk"));
    char *kid = vc_strdup(vc_json_str(json_object_get(vm, "publicKeyJwk"), "kid"));
    s.https_kid = kid;
    json_decref(vm);
    /* plug-in */
    vc_key *k2, *k5;
    char *doc = example_doc("did:example:issuer", &s.plugin_key, &k2, &k5);
    struct canned c = {doc, 0, PTHREAD_MUTEX_INITIALIZER};
    tu_assert_status(vc_resolver_add_method(s.r, "example", canned_method, &c, &e), VC_OK, &e);

    pthread_t t[THREADS];
    struct worker_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i].s = &s;
        args[i].index = i;
        ck_assert_int_eq(pthread_create(&t[i], NULL, worker, &args[i]), 0);
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        failures += s.failures[i];
    }
    ck_assert_int_eq(failures, 0);
    /* threads may race to resolve the same DID once, but not more */
    ck_assert_int_le(c.calls, THREADS);

    vc_key_free(s.did_key_key);
    vc_key_free(s.https_key);
    vc_key_free(s.plugin_key);
    vc_key_free(k2);
    vc_key_free(k5);
    free(did);
    free(kid);
    free(doc);
    vc_resolver_free(s.r);
}
END_TEST

START_TEST(null_arguments)
{
    vc_error e;
    char *out = NULL;
    ck_assert_int_eq(vc_resolver_new(NULL, &e), VC_ERR_INVALID_ARG);
    vc_resolver_free(NULL);
    vc_resolver *r = new_resolver();
    ck_assert_int_eq(vc_resolver_resolve(r, NULL, &out, &e), VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_resolver_resolve(NULL, "did:example:1", &out, &e), VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_resolver_add_document(r, NULL, 0, &e), VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_resolver_add_verification_method(r, NULL, 0, &e), VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_did_jwk_from_key(NULL, &out, &e), VC_ERR_INVALID_ARG);
    ck_assert_int_eq(vc_did_key_vm_id(NULL, &out, &e), VC_ERR_INVALID_ARG);
    ck_assert_ptr_null(out);
    vc_resolver_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("did");
    TCase *tc = tcase_create("syntax");
    tcase_add_test(tc, syntax_valid);
    tcase_add_test(tc, syntax_invalid);
    suite_add_tcase(s, tc);

    tc = tcase_create("did-key");
    tcase_add_test(tc, did_key_ccg_vectors);
    tcase_add_test(tc, did_key_did_test_suite);
    tcase_add_test(tc, did_key_errors);
    tcase_add_test(tc, did_key_roundtrip_generated);
    suite_add_tcase(s, tc);

    tc = tcase_create("did-jwk");
    tcase_add_test(tc, did_jwk_generated);
    tcase_add_test(tc, did_jwk_vectors);
    tcase_add_test(tc, did_jwk_rejects);
    suite_add_tcase(s, tc);

    tc = tcase_create("resolver");
    tcase_add_test(tc, plugin_find_key);
    tcase_add_test(tc, plugin_checks);
    tcase_add_test(tc, offline_documents);
    tcase_add_test(tc, offline_vc_jose_cose_methods);
    tcase_add_test(tc, cache_bound);
    tcase_add_test(tc, null_arguments);
    suite_add_tcase(s, tc);

    tc = tcase_create("threads");
    tcase_add_test(tc, threads_share_resolver);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
