/*
 * test_crypto.c - keys, JWK/PEM/multikey import and export, thumbprints, raw JOSE
 * signatures, key files. Data-driven over the shared vectors: RFC 7515 A.3,
 * RFC 8037 A, the RFC 7520 cookbook, Wycheproof (Ed25519, P-256, P-384 in P1363
 * form) and the did:key test vectors.
 *
 * Wycheproof policy: "valid" must verify, "invalid" must give VC_ERR_JWS_SIGNATURE.
 * "acceptable" cases (none in the stored files) may give either of those two
 * results but nothing else; they are counted separately. Every group's key must
 * import, unless the import is refused with VC_ERR_KEY / VC_ERR_KEY_TYPE and the
 * group has no "valid" case (counted as "rejected keys").
 */
#include <pthread.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "internal.h"
#include "testutil.h"

/* ---- helpers ---- */

static vc_key *jwk_ok(const char *json)
{
    vc_key *k = NULL;
    vc_error e;
    tu_assert_status(vc_key_from_jwk(json, strlen(json), &k, &e), VC_OK, &e);
    ck_assert_ptr_nonnull(k);
    return k;
}

static vc_key *jwk_json_ok(const json_t *jwk)
{
    char *s = json_dumps(jwk, JSON_COMPACT);
    ck_assert_ptr_nonnull(s);
    vc_key *k = jwk_ok(s);
    free(s);
    return k;
}

/* Import must fail with want; returns the error for message/path checks. */
static vc_error jwk_bad(const char *json, vc_status want)
{
    vc_key *k = NULL;
    vc_error e;
    vc_error_clear(&e);
    vc_status st = vc_key_from_jwk(json, strlen(json), &k, &e);
    ck_assert_msg(st == want, "%s: got %s, want %s (%s at '%s')", json, vc_status_name(st), vc_status_name(want),
                  e.message, e.path);
    ck_assert_ptr_null(k);
    ck_assert_msg(strlen(e.message) > 0, "no message for %s", json);
    return e;
}

static uint8_t *b64d(const char *s, size_t *n)
{
    uint8_t *out = NULL;
    ck_assert_int_eq(vc_base64url_decode(s, strlen(s), &out, n, NULL), VC_OK);
    return out;
}

static char *b64e(const uint8_t *p, size_t n)
{
    char *out = NULL;
    ck_assert_int_eq(vc_base64url_encode(p, n, &out, NULL), VC_OK);
    return out;
}

/* Split a compact JWS into signing input and decoded signature. */
static void split_compact(const char *compact, char **input, uint8_t **sig, size_t *sig_len)
{
    const char *dot2 = strrchr(compact, '.');
    ck_assert_ptr_nonnull(dot2);
    *input = strndup(compact, (size_t)(dot2 - compact));
    *sig = b64d(dot2 + 1, sig_len);
}

/* RFC 8037 A.1 and RFC 7515 A.3 keys. */
#define ED_PRIV "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\"," \
                              "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"
#define ED_PUB "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"
#define P256_PRIV "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"," \
                                "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"," \
                                "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}"
#define P256_PUB "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"," \
                               "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}"

/* ---- RFC vectors ---- */

START_TEST(rfc8037_ed25519)
{
    json_t *v = tu_load_json(tu_shared_path("vectors/jose-rfc/rfc7515-A3-es256_rfc8037-A-ed25519.json"));
    json_t *t = json_object_get(v, "rfc8037_A_Ed25519");
    ck_assert_ptr_nonnull(t);

    /* A.1 / A.2: private and public JWK describe the same key. */
    vc_key *priv = jwk_json_ok(json_object_get(t, "private_jwk_A1"));
    vc_key *pub = jwk_json_ok(json_object_get(t, "public_jwk_A2"));
    ck_assert_int_eq(vc_key_get_type(priv), VC_KEY_ED25519);
    ck_assert(vc_key_has_private(priv));
    ck_assert(!vc_key_has_private(pub));
    ck_assert(vc_key_equal_public(priv, pub));
    ck_assert_str_eq(vc_key_jose_alg(priv), "EdDSA");
    ck_assert_ptr_null(vc_key_get_kid(priv));

    /* A.3: thumbprint, from either half. */
    const char *want_tp = json_string_value(json_object_get(t, "jwk_thumbprint_sha256_A3"));
    char *tp = NULL;
    ck_assert_int_eq(vc_key_thumbprint(priv, &tp, NULL), VC_OK);
    ck_assert_str_eq(tp, want_tp);
    vc_free(tp);
    ck_assert_int_eq(vc_key_thumbprint(pub, &tp, NULL), VC_OK);
    ck_assert_str_eq(tp, want_tp);
    vc_free(tp);

    /* Export in RFC 7638 order, then d. */
    char *jwk = NULL;
    ck_assert_int_eq(vc_key_to_jwk(priv, 1, &jwk, NULL), VC_OK);
    ck_assert_str_eq(jwk, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\","
                          "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\"}");
    vc_free(jwk);

    /* A.4: Ed25519 is deterministic, so the signature must be the vector's. */
    char *input = NULL;
    uint8_t *want_sig = NULL;
    size_t want_len = 0;
    split_compact(json_string_value(json_object_get(t, "compact_A4")), &input, &want_sig, &want_len);
    const char *payload = json_string_value(json_object_get(t, "payload_utf8_A4"));
    char *pl64 = b64e((const uint8_t *)payload, strlen(payload));
    ck_assert_ptr_nonnull(strstr(input, pl64));
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    vc_error e;
    tu_assert_status(vc_key_sign(priv, "EdDSA", (const uint8_t *)input, strlen(input), &sig, &sig_len, &e), VC_OK,
                     &e);
    ck_assert_uint_eq(sig_len, 64);
    ck_assert_uint_eq(want_len, 64);
    ck_assert(memcmp(sig, want_sig, 64) == 0);
    tu_assert_status(vc_key_verify(pub, "EdDSA", (const uint8_t *)input, strlen(input), sig, sig_len, &e), VC_OK, &e);
    sig[10] ^= 0x01;
    tu_assert_status(vc_key_verify(pub, "EdDSA", (const uint8_t *)input, strlen(input), sig, sig_len, &e),
                     VC_ERR_JWS_SIGNATURE, &e);
    vc_free(sig);
    free(want_sig);
    free(input);
    vc_free(pl64);
    vc_key_free(priv);
    vc_key_free(pub);
    json_decref(v);
}
END_TEST

START_TEST(rfc7515_es256)
{
    json_t *v = tu_load_json(tu_shared_path("vectors/jose-rfc/rfc7515-A3-es256_rfc8037-A-ed25519.json"));
    json_t *t = json_object_get(v, "rfc7515_A3_ES256");
    vc_key *k = jwk_json_ok(json_object_get(t, "jwk"));
    ck_assert_int_eq(vc_key_get_type(k), VC_KEY_P256);
    ck_assert(vc_key_has_private(k));
    char *input = NULL;
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    split_compact(json_string_value(json_object_get(t, "compact")), &input, &sig, &sig_len);
    ck_assert_uint_eq(sig_len, 64);
    vc_error e;
    tu_assert_status(vc_key_verify(k, "ES256", (const uint8_t *)input, strlen(input), sig, sig_len, &e), VC_OK, &e);
    /* Every single-bit flip (in r, in s, in the message) must fail. */
    for (size_t i = 0; i < sig_len * 8; i += 7) {
        sig[i / 8] ^= (uint8_t)(1u << (i % 8));
        tu_assert_status(vc_key_verify(k, "ES256", (const uint8_t *)input, strlen(input), sig, sig_len, &e),
                         VC_ERR_JWS_SIGNATURE, &e);
        sig[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    input[3] ^= 0x20;
    tu_assert_status(vc_key_verify(k, "ES256", (const uint8_t *)input, strlen(input), sig, sig_len, &e),
                     VC_ERR_JWS_SIGNATURE, &e);
    input[3] ^= 0x20;
    /* ECDSA is randomized: a fresh signature differs but verifies. */
    uint8_t *mine = NULL;
    size_t mine_len = 0;
    tu_assert_status(vc_key_sign(k, "ES256", (const uint8_t *)input, strlen(input), &mine, &mine_len, &e), VC_OK, &e);
    ck_assert_uint_eq(mine_len, 64);
    tu_assert_status(vc_key_verify(k, "ES256", (const uint8_t *)input, strlen(input), mine, mine_len, &e), VC_OK, &e);
    vc_free(mine);
    free(sig);
    free(input);
    vc_key_free(k);
    json_decref(v);
}
END_TEST

START_TEST(rfc7520_cookbook)
{
    json_t *v = tu_load_json(tu_shared_path("vectors/jose-rfc/panva-jose-cookbook-jws-rfc7520-rfc8037.json"));
    size_t i, checked = 0, rejected = 0;
    json_t *entry;
    json_array_foreach(v, i, entry) {
        json_t *in = json_object_get(entry, "input");
        const char *alg = json_string_value(json_object_get(in, "alg"));
        char *jwk = json_dumps(json_object_get(in, "key"), JSON_COMPACT);
        vc_key *k = NULL;
        vc_error e;
        vc_status st = vc_key_from_jwk(jwk, strlen(jwk), &k, &e);
        free(jwk);
        if (strcmp(alg, "EdDSA") != 0 && strncmp(alg, "ES", 2) != 0) {
            /* RSA and oct keys: not supported key types. */
            tu_assert_status(st, VC_ERR_KEY_TYPE, &e);
            rejected++;
            continue;
        }
        tu_assert_status(st, VC_OK, &e);
        ck_assert_str_eq(vc_key_jose_alg(k), alg);
        char *input = NULL;
        uint8_t *sig = NULL;
        size_t sig_len = 0;
        split_compact(json_string_value(json_object_get(json_object_get(entry, "output"), "compact")), &input, &sig,
                      &sig_len);
        tu_assert_status(vc_key_verify(k, alg, (const uint8_t *)input, strlen(input), sig, sig_len, &e), VC_OK, &e);
        if (strcmp(alg, "EdDSA") == 0) {
            uint8_t *mine = NULL;
            size_t mine_len = 0;
            ck_assert_int_eq(vc_key_sign(k, alg, (const uint8_t *)input, strlen(input), &mine, &mine_len, NULL),
                             VC_OK);
            ck_assert(mine_len == sig_len && memcmp(mine, sig, sig_len) == 0);
            vc_free(mine);
        }
        free(input);
        free(sig);
        vc_key_free(k);
        checked++;
    }
    ck_assert_uint_eq(checked, 2); /* RFC 8037 A.4 EdDSA and RFC 7520 4.3 ES512 */
    printf("rfc7520 cookbook: %zu EdDSA/ES entries verified, %zu RSA/HMAC entries rejected as VC_ERR_KEY_TYPE\n",
           checked, rejected);
    json_decref(v);
}
END_TEST

/* ---- Wycheproof ---- */

/* Left-pad / strip a big-endian hex integer into exactly n bytes; 0 if it does not fit. */
static int hex_fixed(const char *hex, size_t n, uint8_t *out)
{
    size_t len = 0;
    uint8_t *raw = tu_hex(hex, &len);
    size_t skip = 0;
    while (skip < len && raw[skip] == 0 && len - skip > n)
        skip++;
    int ok = len - skip <= n;
    if (ok) {
        memset(out, 0, n - (len - skip));
        memcpy(out + n - (len - skip), raw + skip, len - skip);
    }
    free(raw);
    return ok;
}

/* A JWK for a group: its publicKeyJwk, else one built from the raw key. */
static char *wycheproof_jwk(json_t *group, const char *crv, size_t n)
{
    json_t *jwk = json_object_get(group, "publicKeyJwk");
    if (jwk)
        return json_dumps(jwk, JSON_COMPACT);
    json_t *pk = json_object_get(group, "publicKey");
    char buf[512];
    if (strcmp(crv, "Ed25519") == 0) {
        size_t len = 0;
        uint8_t *raw = tu_hex(json_string_value(json_object_get(pk, "pk")), &len);
        char *x = b64e(raw, len);
        snprintf(buf, sizeof buf, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"}", x);
        vc_free(x);
        free(raw);
    } else {
        uint8_t x[66], y[66];
        if (!hex_fixed(json_string_value(json_object_get(pk, "wx")), n, x) ||
            !hex_fixed(json_string_value(json_object_get(pk, "wy")), n, y))
            return strdup("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"too-long\",\"y\":\"too-long\"}");
        char *xs = b64e(x, n), *ys = b64e(y, n);
        snprintf(buf, sizeof buf, "{\"kty\":\"EC\",\"crv\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"}", crv, xs, ys);
        vc_free(xs);
        vc_free(ys);
    }
    return strdup(buf);
}

static void run_wycheproof(const char *file, const char *label, const char *alg, const char *crv, size_t n,
                           int want_total)
{
    char rel[256];
    snprintf(rel, sizeof rel, "vectors/wycheproof/%s", file);
    json_t *v = tu_load_json(tu_shared_path(rel));
    int total = 0, passed = 0, valid = 0, invalid = 0, acceptable = 0, bad_keys = 0;
    size_t gi, ti;
    json_t *group, *tc;
    json_array_foreach(json_object_get(v, "testGroups"), gi, group) {
        char *jwk = wycheproof_jwk(group, crv, n);
        vc_key *k = NULL;
        vc_error e;
        vc_status st = vc_key_from_jwk(jwk, strlen(jwk), &k, &e);
        free(jwk);
        json_t *tests = json_object_get(group, "tests");
        if (st != VC_OK) {
            /* Only acceptable when the key is refused as a key and nothing valid depends on it. */
            ck_assert_msg(st == VC_ERR_KEY || st == VC_ERR_KEY_TYPE, "%s group %zu: %s (%s)", label, gi,
                          vc_status_name(st), e.message);
            json_array_foreach(tests, ti, tc) {
                ck_assert_msg(strcmp(json_string_value(json_object_get(tc, "result")), "valid") != 0,
                              "%s tcId %lld: key refused (%s) but the case is valid", label,
                              (long long)json_integer_value(json_object_get(tc, "tcId")), e.message);
                total++;
                passed++;
            }
            bad_keys++;
            continue;
        }
        ck_assert_str_eq(vc_key_jose_alg(k), alg);
        json_array_foreach(tests, ti, tc) {
            long long id = json_integer_value(json_object_get(tc, "tcId"));
            const char *result = json_string_value(json_object_get(tc, "result"));
            size_t msg_len = 0, sig_len = 0;
            uint8_t *msg = tu_hex(json_string_value(json_object_get(tc, "msg")), &msg_len);
            uint8_t *sig = tu_hex(json_string_value(json_object_get(tc, "sig")), &sig_len);
            vc_error ve;
            vc_error_clear(&ve);
            st = vc_key_verify(k, alg, msg, msg_len, sig, sig_len, &ve);
            total++;
            if (strcmp(result, "valid") == 0) {
                ck_assert_msg(st == VC_OK, "%s tcId %lld (%s): valid signature refused: %s", label, id,
                              json_string_value(json_object_get(tc, "comment")), ve.message);
                valid++;
            } else if (strcmp(result, "invalid") == 0) {
                ck_assert_msg(st == VC_ERR_JWS_SIGNATURE, "%s tcId %lld (%s): invalid signature gave %s", label, id,
                              json_string_value(json_object_get(tc, "comment")), vc_status_name(st));
                invalid++;
            } else {
                ck_assert_msg(st == VC_OK || st == VC_ERR_JWS_SIGNATURE, "%s tcId %lld: acceptable case gave %s",
                              label, id, vc_status_name(st));
                acceptable++;
            }
            passed++;
            free(msg);
            free(sig);
        }
        vc_key_free(k);
    }
    printf("wycheproof %s: %d/%d (valid verified %d, invalid rejected %d, acceptable %d, groups with refused keys %d)\n",
           label, passed, total, valid, invalid, acceptable, bad_keys);
    fflush(stdout);
    ck_assert_int_eq(total, want_total);
    ck_assert_int_eq(passed, total);
    json_decref(v);
}

START_TEST(wycheproof_ed25519)
{
    run_wycheproof("ed25519_test.json", "ed25519", "EdDSA", "Ed25519", 32, 151);
}
END_TEST

START_TEST(wycheproof_p256)
{
    run_wycheproof("ecdsa_secp256r1_sha256_p1363_test.json", "ecdsa p256 p1363", "ES256", "P-256", 32, 262);
}
END_TEST

START_TEST(wycheproof_p384)
{
    run_wycheproof("ecdsa_secp384r1_sha384_p1363_test.json", "ecdsa p384 p1363", "ES384", "P-384", 48, 280);
}
END_TEST

/* ---- round trips ---- */

static const vc_key_type all_types[] = {VC_KEY_ED25519, VC_KEY_P256, VC_KEY_P384, VC_KEY_P521};
static const char *const all_algs[] = {"EdDSA", "ES256", "ES384", "ES512"};
static const size_t all_sig_lens[] = {64, 64, 96, 132};

START_TEST(roundtrip)
{
    int i = _i;
    vc_error e;
    vc_key *k = NULL;
    tu_assert_status(vc_key_generate(all_types[i], &k, &e), VC_OK, &e);
    ck_assert_int_eq(vc_key_get_type(k), all_types[i]);
    ck_assert(vc_key_has_private(k));
    ck_assert_str_eq(vc_key_jose_alg(k), all_algs[i]);
    const char *alg = all_algs[i];
    const uint8_t msg[] = "The quick brown fox";
    size_t mlen = sizeof msg - 1;

    /* sign / verify, tampered message */
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    tu_assert_status(vc_key_sign(k, alg, msg, mlen, &sig, &sig_len, &e), VC_OK, &e);
    ck_assert_uint_eq(sig_len, all_sig_lens[i]);
    tu_assert_status(vc_key_verify(k, alg, msg, mlen, sig, sig_len, &e), VC_OK, &e);
    tu_assert_status(vc_key_verify(k, alg, msg, mlen - 1, sig, sig_len, &e), VC_ERR_JWS_SIGNATURE, &e);
    /* empty message */
    uint8_t *sig0 = NULL;
    size_t sig0_len = 0;
    tu_assert_status(vc_key_sign(k, alg, NULL, 0, &sig0, &sig0_len, &e), VC_OK, &e);
    tu_assert_status(vc_key_verify(k, alg, (const uint8_t *)"", 0, sig0, sig0_len, &e), VC_OK, &e);
    vc_free(sig0);

    /* public copy */
    vc_key *pub = NULL;
    tu_assert_status(vc_key_public(k, &pub, &e), VC_OK, &e);
    ck_assert(!vc_key_has_private(pub));
    ck_assert(vc_key_equal_public(k, pub));
    tu_assert_status(vc_key_verify(pub, alg, msg, mlen, sig, sig_len, &e), VC_OK, &e);

    /* JWK private -> same key, can sign for the original */
    char *jwk = NULL;
    tu_assert_status(vc_key_to_jwk(k, 1, &jwk, &e), VC_OK, &e);
    ck_assert(strncmp(jwk, "{\"crv\":\"", 8) == 0);
    ck_assert_ptr_nonnull(strstr(jwk, ",\"d\":\""));
    vc_key *k2 = jwk_ok(jwk);
    ck_assert(vc_key_has_private(k2));
    ck_assert(vc_key_equal_public(k, k2));
    uint8_t *sig2 = NULL;
    size_t sig2_len = 0;
    tu_assert_status(vc_key_sign(k2, alg, msg, mlen, &sig2, &sig2_len, &e), VC_OK, &e);
    tu_assert_status(vc_key_verify(k, alg, msg, mlen, sig2, sig2_len, &e), VC_OK, &e);
    char *jwk2 = NULL;
    ck_assert_int_eq(vc_key_to_jwk(k2, 1, &jwk2, NULL), VC_OK);
    ck_assert_str_eq(jwk, jwk2);
    vc_free(jwk2);
    vc_free(jwk);
    vc_free(sig2);

    /* JWK public */
    tu_assert_status(vc_key_to_jwk(k, 0, &jwk, &e), VC_OK, &e);
    ck_assert_ptr_null(strstr(jwk, "\"d\""));
    vc_key *k3 = jwk_ok(jwk);
    ck_assert(!vc_key_has_private(k3));
    ck_assert(vc_key_equal_public(k, k3));
    vc_free(jwk);
    tu_assert_status(vc_key_to_jwk(pub, 1, &jwk, &e), VC_ERR_KEY_NO_PRIVATE, &e);
    ck_assert_ptr_null(jwk);

    /* PEM private (PKCS#8) and public (SPKI), through vc_key_parse too */
    char *pem = NULL;
    vc_key *k4 = NULL, *k5 = NULL;
    tu_assert_status(vc_key_to_pem(k, 1, &pem, &e), VC_OK, &e);
    ck_assert(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
    tu_assert_status(vc_key_from_pem(pem, strlen(pem), &k4, &e), VC_OK, &e);
    ck_assert(vc_key_has_private(k4));
    ck_assert(vc_key_equal_public(k, k4));
    vc_free(pem);
    tu_assert_status(vc_key_to_pem(k, 0, &pem, &e), VC_OK, &e);
    ck_assert(strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
    char *padded = malloc(strlen(pem) + 4);
    sprintf(padded, " \n\t%s", pem);
    tu_assert_status(vc_key_parse(padded, strlen(padded), &k5, &e), VC_OK, &e);
    ck_assert(!vc_key_has_private(k5));
    ck_assert(vc_key_equal_public(k, k5));
    free(padded);
    vc_free(pem);
    tu_assert_status(vc_key_to_pem(pub, 1, &pem, &e), VC_ERR_KEY_NO_PRIVATE, &e);

    /* thumbprint stable across copies */
    char *t1 = NULL, *t2 = NULL, *t3 = NULL;
    ck_assert_int_eq(vc_key_thumbprint(k, &t1, NULL), VC_OK);
    ck_assert_int_eq(vc_key_thumbprint(pub, &t2, NULL), VC_OK);
    ck_assert_int_eq(vc_key_thumbprint(k4, &t3, NULL), VC_OK);
    ck_assert_uint_eq(strlen(t1), 43);
    ck_assert_str_eq(t1, t2);
    ck_assert_str_eq(t1, t3);
    vc_free(t1);
    vc_free(t2);
    vc_free(t3);

    /* multikey: Ed25519, P-256, P-384; P-521 has none */
    char *mk = NULL;
    if (all_types[i] == VC_KEY_P521) {
        tu_assert_status(vc_key_to_multikey(k, &mk, &e), VC_ERR_KEY_TYPE, &e);
    } else {
        static const char *const prefixes[] = {"z6Mk", "zDna", "z82L"};
        tu_assert_status(vc_key_to_multikey(k, &mk, &e), VC_OK, &e);
        ck_assert_msg(strncmp(mk, prefixes[i], 4) == 0, "%s", mk);
        vc_key *k6 = NULL;
        tu_assert_status(vc_key_from_multikey(mk, &k6, &e), VC_OK, &e);
        ck_assert(vc_key_equal_public(k, k6));
        ck_assert(!vc_key_has_private(k6));
        char *mk2 = NULL;
        ck_assert_int_eq(vc_key_to_multikey(k6, &mk2, NULL), VC_OK);
        ck_assert_str_eq(mk, mk2);
        vc_free(mk2);
        vc_free(mk);
        vc_key_free(k6);
    }

    /* a different key is not equal and does not verify */
    vc_key *other = NULL;
    ck_assert_int_eq(vc_key_generate(all_types[i], &other, NULL), VC_OK);
    ck_assert(!vc_key_equal_public(k, other));
    tu_assert_status(vc_key_verify(other, alg, msg, mlen, sig, sig_len, &e), VC_ERR_JWS_SIGNATURE, &e);
    vc_key_free(other);

    vc_free(sig);
    vc_key_free(k);
    vc_key_free(pub);
    vc_key_free(k2);
    vc_key_free(k3);
    vc_key_free(k4);
    vc_key_free(k5);
}
END_TEST

START_TEST(kid_alg_members)
{
    vc_key *k = jwk_ok("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\","
                       "\"alg\":\"EdDSA\",\"kid\":\"k\\\"1\",\"use\":\"sig\",\"ext\":true,\"key_ops\":[\"verify\"]}");
    ck_assert_str_eq(vc_key_get_kid(k), "k\"1");
    char *jwk = NULL;
    ck_assert_int_eq(vc_key_to_jwk(k, 0, &jwk, NULL), VC_OK);
    ck_assert_str_eq(jwk, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\","
                          "\"kid\":\"k\\\"1\",\"alg\":\"EdDSA\"}");
    /* kid/alg do not change the thumbprint */
    char *tp = NULL;
    ck_assert_int_eq(vc_key_thumbprint(k, &tp, NULL), VC_OK);
    ck_assert_str_eq(tp, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    vc_free(tp);
    vc_key *pub = NULL;
    ck_assert_int_eq(vc_key_public(k, &pub, NULL), VC_OK);
    ck_assert_str_eq(vc_key_get_kid(pub), "k\"1");
    vc_free(jwk);
    vc_key_free(pub);
    vc_key_free(k);

    /* EC private export order: crv, kty, x, y, d */
    k = jwk_ok(P256_PRIV);
    ck_assert_int_eq(vc_key_to_jwk(k, 1, &jwk, NULL), VC_OK);
    ck_assert_str_eq(jwk, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                          "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
                          "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}");
    vc_free(jwk);
    vc_key_free(k);
}
END_TEST

/* ---- verification methods ---- */

START_TEST(verification_methods)
{
    /* publicKeyJwk + privateKeyJwk (did:key vectors) */
    json_t *v = tu_load_json(tu_shared_path("vectors/w3c-ccg-did-method-key/nist-curves.json"));
    json_t *vm = json_object_get(json_object_get(v, "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"),
                                 "verificationMethod");
    ck_assert_ptr_nonnull(vm);
    vc_key *k = jwk_json_ok(vm);
    ck_assert(vc_key_has_private(k));
    ck_assert_int_eq(vc_key_get_type(k), VC_KEY_P256);
    vc_key *p = jwk_json_ok(json_object_get(vm, "publicKeyJwk"));
    ck_assert(vc_key_equal_public(k, p));
    vc_key_free(p);

    /* publicKeyJwk alone: public; mismatched private: refused */
    json_t *copy = json_deep_copy(vm);
    json_object_del(copy, "privateKeyJwk");
    p = jwk_json_ok(copy);
    ck_assert(!vc_key_has_private(p));
    vc_key_free(p);
    json_object_set_new(copy, "secretKeyJwk", json_loads(P256_PRIV, 0, NULL));
    char *s = json_dumps(copy, JSON_COMPACT);
    vc_error e = jwk_bad(s, VC_ERR_KEY);
    ck_assert_str_eq(e.path, "secretKeyJwk");
    free(s);

    /* publicKeyMultibase (Multikey), with a matching secretKeyJwk */
    char *mk = NULL;
    ck_assert_int_eq(vc_key_to_multikey(k, &mk, NULL), VC_OK);
    json_t *mvm = json_pack("{s:s, s:s, s:s}", "id", "did:example:1#k", "type", "Multikey", "publicKeyMultibase", mk);
    s = json_dumps(mvm, JSON_COMPACT);
    p = jwk_ok(s);
    ck_assert(vc_key_equal_public(k, p));
    ck_assert(!vc_key_has_private(p));
    vc_key_free(p);
    free(s);
    json_object_set(mvm, "secretKeyJwk", json_object_get(vm, "privateKeyJwk"));
    s = json_dumps(mvm, JSON_COMPACT);
    p = jwk_ok(s);
    ck_assert(vc_key_has_private(p));
    vc_key_free(p);
    free(s);
    vc_free(mk);

    /* a public JWK carrying d, a secret JWK without d, no key at all */
    json_object_set(copy, "publicKeyJwk", json_object_get(vm, "privateKeyJwk"));
    json_object_del(copy, "secretKeyJwk");
    s = json_dumps(copy, JSON_COMPACT);
    e = jwk_bad(s, VC_ERR_KEY);
    ck_assert_str_eq(e.path, "publicKeyJwk.d");
    free(s);
    jwk_bad("{\"id\":\"x\",\"secretKeyJwk\":" P256_PUB "}", VC_ERR_KEY);
    jwk_bad("{\"id\":\"did:example:1#k\",\"type\":\"Multikey\"}", VC_ERR_KEY);
    e = jwk_bad("{\"publicKeyMultibase\":\"z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F\"}", VC_ERR_KEY_TYPE);
    ck_assert_str_eq(e.path, "publicKeyMultibase");
    jwk_bad("{\"publicKeyJwk\":{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"jRIz3oriXDNZmnb35XQb7K1UIlz3ae1ao1YSqLeBXHs\"}}",
            VC_ERR_KEY_TYPE);

    json_decref(mvm);
    json_decref(copy);
    vc_key_free(k);
    json_decref(v);
}
END_TEST

/* ---- did:key multikey vectors ---- */

/* The multibase part of a did:key, checked against a key built from the vector. */
static void didkey_supported(const char *did, const vc_key *expected)
{
    const char *mb = did + strlen("did:key:");
    vc_key *k = NULL;
    vc_error e;
    tu_assert_status(vc_key_from_multikey(mb, &k, &e), VC_OK, &e);
    ck_assert_msg(vc_key_equal_public(k, expected), "%s decodes to another key", did);
    char *again = NULL, *from_vector = NULL;
    ck_assert_int_eq(vc_key_to_multikey(k, &again, NULL), VC_OK);
    ck_assert_str_eq(again, mb);
    ck_assert_int_eq(vc_key_to_multikey(expected, &from_vector, NULL), VC_OK);
    ck_assert_str_eq(from_vector, mb);
    vc_free(again);
    vc_free(from_vector);
    vc_key_free(k);
}

static int didkey_unsupported(const char *did)
{
    vc_key *k = NULL;
    vc_error e;
    tu_assert_status(vc_key_from_multikey(did + strlen("did:key:"), &k, &e), VC_ERR_KEY_TYPE, &e);
    ck_assert_ptr_null(k);
    return 1;
}

/* A key from publicKeyBase58: raw Ed25519 bytes, or a compressed SEC1 point. */
static vc_key *key_from_base58(const char *b58, vc_key_type type)
{
    uint8_t *raw = NULL;
    size_t n = 0;
    ck_assert_int_eq(vc_base58_decode(b58, strlen(b58), &raw, &n, NULL), VC_OK);
    vc_key *k = NULL;
    if (type == VC_KEY_ED25519) {
        ck_assert_uint_eq(n, 32);
        char *x = b64e(raw, n), buf[200];
        snprintf(buf, sizeof buf, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"}", x);
        k = jwk_ok(buf);
        vc_free(x);
    } else {
        /* multicodec p256-pub (0x1200 = 80 24) in front of the compressed point */
        uint8_t buf[2 + 49];
        ck_assert_uint_eq(n, 33);
        buf[0] = 0x80;
        buf[1] = 0x24;
        memcpy(buf + 2, raw, n);
        char *s = NULL, mb[100];
        ck_assert_int_eq(vc_base58_encode(buf, 2 + n, &s, NULL), VC_OK);
        snprintf(mb, sizeof mb, "z%s", s);
        ck_assert_int_eq(vc_key_from_multikey(mb, &k, NULL), VC_OK);
        vc_free(s);
    }
    vc_free(raw);
    return k;
}

START_TEST(didkey_vectors)
{
    int ok = 0, refused = 0;
    const char *did;
    json_t *entry;

    json_t *v = tu_load_json(tu_shared_path("vectors/w3c-ccg-did-method-key/ed25519-x25519.json"));
    json_object_foreach(v, did, entry) {
        json_t *vkp = json_object_get(entry, "verificationKeyPair");
        vc_key *k = json_object_get(vkp, "publicKeyJwk")
                        ? jwk_json_ok(vkp) /* a JsonWebKey2020 method with privateKeyJwk */
                        : key_from_base58(json_string_value(json_object_get(vkp, "publicKeyBase58")), VC_KEY_ED25519);
        didkey_supported(did, k);
        ok++;
        vc_key_free(k);
        /* the X25519 key agreement key of the same DID */
        const char *ka = json_string_value(json_object_get(json_object_get(entry, "keyAgreementKeyPair"), "id"));
        char ka_did[200];
        snprintf(ka_did, sizeof ka_did, "did:key:%s", strchr(ka, '#') + 1);
        refused += didkey_unsupported(ka_did);
    }
    json_decref(v);

    v = tu_load_json(tu_shared_path("vectors/w3c-ccg-did-method-key/nist-curves.json"));
    json_object_foreach(v, did, entry) {
        json_t *vm = json_object_get(entry, "verificationMethod");
        json_t *jwk = json_object_get(vm, "publicKeyJwk");
        const char *crv = json_string_value(json_object_get(jwk, "crv"));
        if (crv && strcmp(crv, "P-521") == 0) {
            refused += didkey_unsupported(did);
            /* the key itself is fine: only its multikey form is unsupported */
            vc_key *k = jwk_json_ok(vm);
            ck_assert(vc_key_has_private(k));
            vc_key_free(k);
            continue;
        }
        vc_key *k = jwk ? jwk_json_ok(vm)
                        : key_from_base58(json_string_value(json_object_get(vm, "publicKeyBase58")), VC_KEY_P256);
        didkey_supported(did, k);
        ok++;
        vc_key_free(k);
    }
    json_decref(v);

    static const char *const others[] = {"secp256k1.json", "bls12381.json", "rsa.json"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        char rel[200];
        snprintf(rel, sizeof rel, "vectors/w3c-ccg-did-method-key/%s", others[i]);
        v = tu_load_json(tu_shared_path(rel));
        json_object_foreach(v, did, entry) refused += didkey_unsupported(did);
        json_decref(v);
    }
    v = tu_load_json(tu_shared_path("vectors/w3c-ccg-did-method-key/x25519.json"));
    json_object_foreach(json_object_get(v, "didDocument"), did, entry) refused += didkey_unsupported(did);
    json_decref(v);

    printf("did:key multikeys: %d decoded and re-encoded, %d refused as VC_ERR_KEY_TYPE\n", ok, refused);
    ck_assert_int_eq(ok, 5 + 5); /* 5 Ed25519, 3 P-256 + 2 P-384 */
    ck_assert_int_ge(refused, 5 + 2 + 6 + 6 + 2);
}
END_TEST

/* ---- rejections ---- */

START_TEST(jwk_rejections)
{
    vc_error e;
    /* base64url: padding, wrong alphabet, non-canonical trailing bits */
    e = jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"}", VC_ERR_KEY);
    ck_assert_str_eq(e.path, "x");
    ck_assert_ptr_nonnull(strstr(e.message, "base64url"));
    jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}", VC_ERR_KEY);
    jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURp\"}", VC_ERR_KEY);
    jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":42}", VC_ERR_KEY);
    /* lengths: 31 / 33-byte x, short EC y, long d */
    e = jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUQ\"}", VC_ERR_KEY);
    ck_assert_str_eq(e.path, "x");
    jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AA11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}", VC_ERR_KEY);
    e = jwk_bad("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                "\"y\":\"FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
                VC_ERR_KEY);
    ck_assert_str_eq(e.path, "y");
    e = jwk_bad("{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
                VC_ERR_KEY);
    ck_assert_str_eq(e.path, "x");
    jwk_bad("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"}", VC_ERR_KEY);
    /* point not on the curve (first character of y changed) */
    e = jwk_bad("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                "\"y\":\"y_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
                VC_ERR_KEY);
    ck_assert_str_eq(e.path, "x");
    ck_assert_ptr_nonnull(strstr(e.message, "curve"));
    /* non-canonical last base64url character in y */
    e = jwk_bad("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1\"}",
                VC_ERR_KEY);
    ck_assert_str_eq(e.path, "y");
    /* coordinate >= p: x = p (all ff... is > p for P-256) */
    jwk_bad("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"__________________________________________8\","
            "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
            VC_ERR_KEY);
    /* d not matching x (Ed25519: d of another key; EC: d + 1) */
    e = jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2E\","
                "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
                VC_ERR_KEY);
    ck_assert_str_eq(e.path, "d");
    e = jwk_bad("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
                "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LM\"}",
                VC_ERR_KEY);
    ck_assert_str_eq(e.path, "d");
    /* EC d = 0 and d = n (out of range) */
    jwk_bad("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
            "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\",\"d\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
            VC_ERR_KEY);
    jwk_bad("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
            "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\",\"d\":\"_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE\"}",
            VC_ERR_KEY);
    /* unsupported types and curves */
    e = jwk_bad("{\"kty\":\"RSA\",\"n\":\"sbX8\",\"e\":\"AQAB\"}", VC_ERR_KEY_TYPE);
    ck_assert_str_eq(e.path, "kty");
    jwk_bad("{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}",
            VC_ERR_KEY_TYPE);
    e = jwk_bad("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"jRIz3oriXDNZmnb35XQb7K1UIlz3ae1ao1YSqLeBXHs\"}", VC_ERR_KEY_TYPE);
    ck_assert_str_eq(e.path, "crv");
    jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"AA\"}", VC_ERR_KEY_TYPE);
    jwk_bad("{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AA\",\"y\":\"AA\"}", VC_ERR_KEY_TYPE);
    jwk_bad("{\"kty\":\"EC\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}", VC_ERR_KEY_TYPE);
    /* missing / mistyped kty and crv */
    jwk_bad("{\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}", VC_ERR_KEY);
    jwk_bad("{\"kty\":1,\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}", VC_ERR_KEY);
    jwk_bad("{\"kty\":\"OKP\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}", VC_ERR_KEY);
    /* alg not tied to the curve; use other than sig; kid not a string; OKP with y */
    e = jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"ES256\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
                VC_ERR_KEY);
    ck_assert_str_eq(e.path, "alg");
    jwk_bad("{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"ES384\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
            "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
            VC_ERR_KEY);
    jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"none\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
            VC_ERR_KEY);
    jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"use\":\"enc\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
            VC_ERR_KEY);
    jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":7,\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
            VC_ERR_KEY);
    jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"y\":\"AA\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
            VC_ERR_KEY);
    /* JSON: duplicate key, not an object, not JSON */
    jwk_bad("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\","
            "\"x\":\"fU0Of2FTpptiQrUiq77mhf2kQg-INLEIw72uNp71Sfo\"}",
            VC_ERR_JSON_DUPKEY);
    jwk_bad("{\"kty\":\"OKP\",\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
            VC_ERR_JSON_DUPKEY);
    jwk_bad("[" ED_PUB "]", VC_ERR_JSON_TYPE);
    jwk_bad("{\"kty\":", VC_ERR_JSON);

    /* vc_key_parse on something that is neither */
    vc_key *k = NULL;
    tu_assert_status(vc_key_parse("z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", 48, &k, &e), VC_ERR_KEY, &e);
    tu_assert_status(vc_key_parse("", 0, &k, &e), VC_ERR_KEY, &e);
    tu_assert_status(vc_key_parse("  " ED_PUB, strlen(ED_PUB) + 2, &k, &e), VC_OK, &e);
    vc_key_free(k);
    tu_assert_status(vc_key_generate(VC_KEY_NONE, &k, &e), VC_ERR_KEY_TYPE, &e);
    tu_assert_status(vc_key_generate((vc_key_type)99, &k, &e), VC_ERR_KEY_TYPE, &e);
    ck_assert_int_eq(vc_key_get_type(NULL), VC_KEY_NONE);
    ck_assert_int_eq(vc_key_has_private(NULL), 0);
    vc_key_free(NULL);
}
END_TEST

START_TEST(signature_rejections)
{
    vc_key *ed = jwk_ok(ED_PRIV), *ed_pub = jwk_ok(ED_PUB), *ec = jwk_ok(P256_PRIV), *ec_pub = jwk_ok(P256_PUB);
    const uint8_t msg[] = "payload";
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    vc_error e;

    /* public-only keys cannot sign */
    tu_assert_status(vc_key_sign(ed_pub, "EdDSA", msg, 7, &sig, &sig_len, &e), VC_ERR_KEY_NO_PRIVATE, &e);
    tu_assert_status(vc_key_sign(ec_pub, "ES256", msg, 7, &sig, &sig_len, &e), VC_ERR_KEY_NO_PRIVATE, &e);
    ck_assert_ptr_null(sig);

    /* the alg must be the key's (sign and verify) */
    static const char *const wrong_for_ed[] = {"ES256", "none", "HS256", "eddsa", "Ed25519", "", "RS256"};
    static const char *const wrong_for_ec[] = {"EdDSA", "ES384", "ES512", "none", "HS256", "es256", "ES256K"};
    uint8_t zeros[64] = {0};
    for (size_t i = 0; i < sizeof wrong_for_ed / sizeof wrong_for_ed[0]; i++) {
        tu_assert_status(vc_key_sign(ed, wrong_for_ed[i], msg, 7, &sig, &sig_len, &e), VC_ERR_JWS_ALG_KEY, &e);
        tu_assert_status(vc_key_verify(ed, wrong_for_ed[i], msg, 7, zeros, 64, &e), VC_ERR_JWS_ALG_KEY, &e);
        tu_assert_status(vc_key_sign(ec, wrong_for_ec[i], msg, 7, &sig, &sig_len, &e), VC_ERR_JWS_ALG_KEY, &e);
        tu_assert_status(vc_key_verify(ec, wrong_for_ec[i], msg, 7, zeros, 64, &e), VC_ERR_JWS_ALG_KEY, &e);
    }
    tu_assert_status(vc_key_sign(ed, NULL, msg, 7, &sig, &sig_len, &e), VC_ERR_JWS_ALG_KEY, &e);
    tu_assert_status(vc_key_verify(ec, NULL, msg, 7, zeros, 64, &e), VC_ERR_JWS_ALG_KEY, &e);

    /* ECDSA: wrong lengths, DER instead of r||s, zero and out-of-range scalars */
    tu_assert_status(vc_key_sign(ec, "ES256", msg, 7, &sig, &sig_len, &e), VC_OK, &e);
    tu_assert_status(vc_key_verify(ec_pub, "ES256", msg, 7, sig, sig_len, &e), VC_OK, &e);
    uint8_t buf[200];
    memcpy(buf, sig, 64);
    tu_assert_status(vc_key_verify(ec_pub, "ES256", msg, 7, buf, 63, &e), VC_ERR_JWS_SIGNATURE, &e);
    buf[64] = 0;
    tu_assert_status(vc_key_verify(ec_pub, "ES256", msg, 7, buf, 65, &e), VC_ERR_JWS_SIGNATURE, &e);
    tu_assert_status(vc_key_verify(ec_pub, "ES256", msg, 7, NULL, 0, &e), VC_ERR_JWS_SIGNATURE, &e);
    memset(buf, 0, 32); /* r = 0 */
    tu_assert_status(vc_key_verify(ec_pub, "ES256", msg, 7, buf, 64, &e), VC_ERR_JWS_SIGNATURE, &e);
    memcpy(buf, sig, 64);
    memset(buf + 32, 0, 32); /* s = 0 */
    tu_assert_status(vc_key_verify(ec_pub, "ES256", msg, 7, buf, 64, &e), VC_ERR_JWS_SIGNATURE, &e);
    tu_assert_status(vc_key_verify(ec_pub, "ES256", msg, 7, zeros, 64, &e), VC_ERR_JWS_SIGNATURE, &e);
    /* r = n (the P-256 order) and r, s = 2^256 - 1 */
    size_t nlen = 0;
    uint8_t *order = tu_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", &nlen);
    memcpy(buf, order, 32);
    memcpy(buf + 32, sig + 32, 32);
    tu_assert_status(vc_key_verify(ec_pub, "ES256", msg, 7, buf, 64, &e), VC_ERR_JWS_SIGNATURE, &e);
    memcpy(buf, sig, 32);
    memcpy(buf + 32, order, 32);
    tu_assert_status(vc_key_verify(ec_pub, "ES256", msg, 7, buf, 64, &e), VC_ERR_JWS_SIGNATURE, &e);
    memset(buf, 0xff, 64);
    tu_assert_status(vc_key_verify(ec_pub, "ES256", msg, 7, buf, 64, &e), VC_ERR_JWS_SIGNATURE, &e);
    free(order);
    /* s replaced by n - s is a valid ECDSA signature too (malleability) and must still verify */
    vc_free(sig);

    /* Ed25519: wrong lengths */
    tu_assert_status(vc_key_sign(ed, "EdDSA", msg, 7, &sig, &sig_len, &e), VC_OK, &e);
    memcpy(buf, sig, 64);
    tu_assert_status(vc_key_verify(ed_pub, "EdDSA", msg, 7, buf, 63, &e), VC_ERR_JWS_SIGNATURE, &e);
    buf[64] = 0;
    tu_assert_status(vc_key_verify(ed_pub, "EdDSA", msg, 7, buf, 65, &e), VC_ERR_JWS_SIGNATURE, &e);
    tu_assert_status(vc_key_verify(ed_pub, "EdDSA", msg, 7, zeros, 64, &e), VC_ERR_JWS_SIGNATURE, &e);
    tu_assert_status(vc_key_verify(ed_pub, "EdDSA", msg, 7, buf, 64, &e), VC_OK, &e);
    vc_free(sig);

    vc_key_free(ed);
    vc_key_free(ed_pub);
    vc_key_free(ec);
    vc_key_free(ec_pub);
}
END_TEST

/* A multikey string from a codec and key bytes. */
static char *make_multikey(uint64_t codec, const uint8_t *key, size_t n)
{
    uint8_t buf[300];
    size_t v = vc_varint_encode(codec, buf);
    memcpy(buf + v, key, n);
    char *s = NULL;
    ck_assert_int_eq(vc_base58_encode(buf, v + n, &s, NULL), VC_OK);
    char *out = malloc(strlen(s) + 2);
    sprintf(out, "z%s", s);
    vc_free(s);
    return out;
}

static void multikey_bad(const char *mb, vc_status want)
{
    vc_key *k = NULL;
    vc_error e;
    vc_error_clear(&e);
    vc_status st = vc_key_from_multikey(mb, &k, &e);
    ck_assert_msg(st == want, "%s: got %s, want %s (%s)", mb, vc_status_name(st), vc_status_name(want), e.message);
    ck_assert_ptr_null(k);
    ck_assert(strlen(e.message) > 0);
}

START_TEST(multikey_rejections)
{
    const char *good = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
    vc_key *k = NULL;
    vc_error e;
    ck_assert_int_eq(vc_key_from_multikey(good, &k, NULL), VC_OK);
    vc_key_free(k);

    /* Dropping a base58 character changes every byte (base58 is one big number),
     * so the codec usually becomes unknown: refused either way. */
    char trunc[64];
    snprintf(trunc, sizeof trunc, "%.*s", (int)strlen(good) - 1, good);
    ck_assert_int_ne(vc_key_from_multikey(trunc, &k, NULL), VC_OK);
    multikey_bad("", VC_ERR_MULTIBASE);
    multikey_bad("z", VC_ERR_MULTIBASE);
    multikey_bad("u7QHXWpgBgrEKt9VL_tPJZAc6DuFy89qmIyWvAhpo9wdRGg", VC_ERR_MULTIBASE); /* base64url multibase */
    multikey_bad(good + 1, VC_ERR_MULTIBASE);                                   /* no prefix */
    multikey_bad("z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0", VC_ERR_MULTIBASE); /* '0' is not base58 */

    uint8_t key[140];
    memset(key, 0x42, sizeof key);
    char *mb = make_multikey(0xed, key, 31); /* truncated key bytes */
    multikey_bad(mb, VC_ERR_MULTIBASE);
    free(mb);
    mb = make_multikey(0xed, key, 33); /* one byte too many */
    multikey_bad(mb, VC_ERR_MULTIBASE);
    free(mb);
    mb = make_multikey(0xed, key, 0);
    multikey_bad(mb, VC_ERR_MULTIBASE);
    free(mb);
    mb = make_multikey(0x1300, key, 32); /* ed25519-priv */
    multikey_bad(mb, VC_ERR_KEY_TYPE);
    free(mb);
    mb = make_multikey(0x12345, key, 32); /* not a codec at all */
    multikey_bad(mb, VC_ERR_KEY_TYPE);
    free(mb);
    mb = make_multikey(0x1202, key, 67); /* p521-pub */
    multikey_bad(mb, VC_ERR_KEY_TYPE);
    free(mb);
    /* non-minimal varint for 0xed */
    uint8_t nonmin[3 + 32] = {0xed, 0x81, 0x00};
    char *s = NULL;
    ck_assert_int_eq(vc_base58_encode(nonmin, sizeof nonmin, &s, NULL), VC_OK);
    char buf[100];
    snprintf(buf, sizeof buf, "z%s", s);
    vc_free(s);
    multikey_bad(buf, VC_ERR_MULTIBASE);

    /* P-256 (the RFC 7515 A.3 key): compressed form ok; uncompressed, truncated,
     * wrong prefix, x without a point, x >= p refused. */
    size_t n = 0;
    uint8_t *unc = tu_hex("047fcdce2770f6c45d4183cbee6fdb4b7b580733357be9ef13bacf6e3c7bd15445"
                          "c7f144cd1bbd9b7e872cdfedb9eeb9f4b3695d6ea90b24ad8a4623288588e5ad", &n);
    ck_assert_uint_eq(n, 65);
    mb = make_multikey(0x1200, unc, 65);
    multikey_bad(mb, VC_ERR_MULTIBASE);
    free(mb);
    uint8_t pt[33];
    pt[0] = (uint8_t)(0x02 | (unc[64] & 1));
    memcpy(pt + 1, unc + 1, 32);
    free(unc);
    mb = make_multikey(0x1200, pt, 33);
    tu_assert_status(vc_key_from_multikey(mb, &k, &e), VC_OK, &e);
    vc_key *a3 = jwk_ok(P256_PUB);
    ck_assert(vc_key_equal_public(k, a3));
    vc_key_free(k);
    free(mb);
    pt[0] ^= 0x01; /* the other y: a different, valid point */
    mb = make_multikey(0x1200, pt, 33);
    tu_assert_status(vc_key_from_multikey(mb, &k, &e), VC_OK, &e);
    ck_assert(!vc_key_equal_public(k, a3));
    vc_key_free(k);
    vc_key_free(a3);
    free(mb);
    mb = make_multikey(0x1200, pt, 32);
    multikey_bad(mb, VC_ERR_MULTIBASE);
    free(mb);
    pt[0] = 0x04; /* right length, not a compressed point */
    mb = make_multikey(0x1200, pt, 33);
    multikey_bad(mb, VC_ERR_KEY);
    free(mb);

    /* Smallest x = t with and without a point; then x = p + t (which OpenSSL
     * could reduce to t) must be refused. */
    int t_ok = -1, t_bad = -1;
    for (int t = 1; t < 64 && (t_ok < 0 || t_bad < 0); t++) {
        memset(pt, 0, sizeof pt);
        pt[0] = 0x02;
        pt[32] = (uint8_t)t;
        mb = make_multikey(0x1200, pt, 33);
        vc_status st = vc_key_from_multikey(mb, &k, &e);
        free(mb);
        if (st == VC_OK) {
            vc_key_free(k);
            if (t_ok < 0)
                t_ok = t;
        } else {
            tu_assert_status(st, VC_ERR_KEY, &e);
            if (t_bad < 0)
                t_bad = t;
        }
    }
    ck_assert(t_ok > 0 && t_bad > 0);
    BIGNUM *bp = NULL;
    ck_assert(BN_hex2bn(&bp, "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff") > 0);
    ck_assert_int_eq(BN_add_word(bp, (BN_ULONG)t_ok), 1);
    pt[0] = 0x02;
    ck_assert_int_eq(BN_bn2binpad(bp, pt + 1, 32), 32);
    BN_free(bp);
    mb = make_multikey(0x1200, pt, 33);
    multikey_bad(mb, VC_ERR_KEY);
    free(mb);
    memset(pt + 1, 0xff, 32);
    mb = make_multikey(0x1200, pt, 33);
    multikey_bad(mb, VC_ERR_KEY);
    free(mb);
}
END_TEST

/* ---- PEM ---- */

static char *pem_of(EVP_PKEY *pkey, const char *structure, int selection)
{
    OSSL_ENCODER_CTX *ctx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, "PEM", structure, NULL);
    ck_assert_ptr_nonnull(ctx);
    unsigned char *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(OSSL_ENCODER_to_data(ctx, &data, &len), 1);
    OSSL_ENCODER_CTX_free(ctx);
    char *s = malloc(len + 1);
    memcpy(s, data, len);
    s[len] = '\0';
    OPENSSL_free(data);
    return s;
}

START_TEST(pem_import)
{
    vc_error e;
    vc_key *k = NULL, *k2 = NULL;

    /* SPKI from Wycheproof equals the group's JWK */
    json_t *v = tu_load_json(tu_shared_path("vectors/wycheproof/ecdsa_secp384r1_sha384_p1363_test.json"));
    json_t *g = json_array_get(json_object_get(v, "testGroups"), 0);
    const char *pem = json_string_value(json_object_get(g, "publicKeyPem"));
    tu_assert_status(vc_key_from_pem(pem, strlen(pem), &k, &e), VC_OK, &e);
    k2 = jwk_json_ok(json_object_get(g, "publicKeyJwk"));
    ck_assert(vc_key_equal_public(k, k2));
    ck_assert_int_eq(vc_key_get_type(k), VC_KEY_P384);
    vc_key_free(k);
    vc_key_free(k2);
    json_decref(v);

    /* "EC PRIVATE KEY" (SEC1), also after an "EC PARAMETERS" block */
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ck_assert_ptr_nonnull(pk);
    char *sec1 = pem_of(pk, "type-specific", EVP_PKEY_KEYPAIR);
    ck_assert_ptr_nonnull(strstr(sec1, "-----BEGIN EC PRIVATE KEY-----"));
    tu_assert_status(vc_key_from_pem(sec1, strlen(sec1), &k, &e), VC_OK, &e);
    ck_assert(vc_key_has_private(k));
    char *params = pem_of(pk, "type-specific", EVP_PKEY_KEY_PARAMETERS);
    ck_assert_ptr_nonnull(strstr(params, "-----BEGIN EC PARAMETERS-----"));
    char *both = malloc(strlen(params) + strlen(sec1) + 1);
    sprintf(both, "%s%s", params, sec1);
    tu_assert_status(vc_key_parse(both, strlen(both), &k2, &e), VC_OK, &e);
    ck_assert(vc_key_equal_public(k, k2));
    ck_assert_int_eq(ERR_peek_error(), 0); /* success leaves no OpenSSL errors queued */
    vc_key_free(k2);
    /* and the SPKI OpenSSL writes is the same key */
    char *spki = pem_of(pk, "SubjectPublicKeyInfo", EVP_PKEY_PUBLIC_KEY);
    tu_assert_status(vc_key_from_pem(spki, strlen(spki), &k2, &e), VC_OK, &e);
    ck_assert(vc_key_equal_public(k, k2));
    ck_assert(!vc_key_has_private(k2));
    /* a signature from the SEC1-imported key verifies with the SPKI one */
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    ck_assert_int_eq(vc_key_sign(k, "ES256", (const uint8_t *)"m", 1, &sig, &sig_len, NULL), VC_OK);
    tu_assert_status(vc_key_verify(k2, "ES256", (const uint8_t *)"m", 1, sig, sig_len, &e), VC_OK, &e);
    vc_free(sig);
    vc_key_free(k);
    vc_key_free(k2);

    /* encrypted PKCS#8: refused without prompting */
    OSSL_ENCODER_CTX *ectx = OSSL_ENCODER_CTX_new_for_pkey(pk, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", NULL);
    ck_assert_int_eq(OSSL_ENCODER_CTX_set_cipher(ectx, "AES-128-CBC", NULL), 1);
    ck_assert_int_eq(OSSL_ENCODER_CTX_set_passphrase(ectx, (const unsigned char *)"pw", 2), 1);
    unsigned char *enc = NULL;
    size_t enc_len = 0;
    ck_assert_int_eq(OSSL_ENCODER_to_data(ectx, &enc, &enc_len), 1);
    OSSL_ENCODER_CTX_free(ectx);
    tu_assert_status(vc_key_from_pem((const char *)enc, enc_len, &k, &e), VC_ERR_UNSUPPORTED, &e);
    OPENSSL_free(enc);
    free(sec1);
    free(params);
    free(both);
    free(spki);
    EVP_PKEY_free(pk);

    /* unsupported algorithms and curves */
    static const char *const kinds[][2] = {{"X25519", NULL}, {"ED448", NULL}, {"EC", "secp256k1"}, {"EC", "P-224"}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        pk = kinds[i][1] ? EVP_PKEY_Q_keygen(NULL, NULL, kinds[i][0], kinds[i][1])
                         : EVP_PKEY_Q_keygen(NULL, NULL, kinds[i][0]);
        ck_assert_ptr_nonnull(pk);
        char *p8 = pem_of(pk, "PrivateKeyInfo", EVP_PKEY_KEYPAIR);
        char *pub = pem_of(pk, "SubjectPublicKeyInfo", EVP_PKEY_PUBLIC_KEY);
        tu_assert_status(vc_key_from_pem(p8, strlen(p8), &k, &e), VC_ERR_KEY_TYPE, &e);
        tu_assert_status(vc_key_from_pem(pub, strlen(pub), &k, &e), VC_ERR_KEY_TYPE, &e);
        free(p8);
        free(pub);
        EVP_PKEY_free(pk);
    }
    /* labels and garbage */
    const char *rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n";
    tu_assert_status(vc_key_from_pem(rsa, strlen(rsa), &k, &e), VC_ERR_KEY_TYPE, &e);
    const char *cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    tu_assert_status(vc_key_from_pem(cert, strlen(cert), &k, &e), VC_ERR_KEY, &e);
    const char *junk = "-----BEGIN PUBLIC KEY-----\nnot base64 !!\n-----END PUBLIC KEY-----\n";
    tu_assert_status(vc_key_from_pem(junk, strlen(junk), &k, &e), VC_ERR_KEY, &e);
    const char *none = "no pem here";
    tu_assert_status(vc_key_from_pem(none, strlen(none), &k, &e), VC_ERR_KEY, &e);
    ck_assert_ptr_null(k);
    ck_assert_int_eq(ERR_peek_error(), 0); /* no stale OpenSSL errors left behind */
}
END_TEST

/* ---- key files ---- */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

START_TEST(key_files)
{
    char dir[] = "/tmp/vc-crypto-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char priv_path[256], pub_path[256], pem_path[256], bad_path[256];
    snprintf(priv_path, sizeof priv_path, "%s/issuer.jwk", dir);
    snprintf(pub_path, sizeof pub_path, "%s/issuer.pub.jwk", dir);
    snprintf(pem_path, sizeof pem_path, "%s/issuer.pem", dir);
    snprintf(bad_path, sizeof bad_path, "%s/missing/issuer.jwk", dir);
    mode_t old = umask(0); /* the widest umask: modes must still be exact */
    vc_key *k = jwk_ok(ED_PRIV), *loaded = NULL;
    vc_error e;
    struct stat st;

    tu_assert_status(vc_key_save(k, priv_path, 1, 0, 0, &e), VC_OK, &e);
    ck_assert_int_eq(stat(priv_path, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    char *text = tu_read(priv_path, NULL);
    ck_assert(text[strlen(text) - 1] == '\n');
    ck_assert_ptr_nonnull(strstr(text, "\"d\""));
    free(text);
    tu_assert_status(vc_key_load(priv_path, &loaded, &e), VC_OK, &e);
    ck_assert(vc_key_has_private(loaded));
    ck_assert(vc_key_equal_public(k, loaded));
    vc_key_free(loaded);

    /* no overwrite: refused, content unchanged; then allowed with overwrite */
    vc_key *other = NULL;
    ck_assert_int_eq(vc_key_generate(VC_KEY_ED25519, &other, NULL), VC_OK);
    tu_assert_status(vc_key_save(other, priv_path, 1, 0, 0, &e), VC_ERR_IO, &e);
    ck_assert_str_eq(e.path, priv_path);
    tu_assert_status(vc_key_load(priv_path, &loaded, &e), VC_OK, &e);
    ck_assert(vc_key_equal_public(k, loaded));
    vc_key_free(loaded);
    tu_assert_status(vc_key_save(other, priv_path, 1, 0, 1, &e), VC_OK, &e);
    ck_assert_int_eq(stat(priv_path, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    tu_assert_status(vc_key_load(priv_path, &loaded, &e), VC_OK, &e);
    ck_assert(vc_key_equal_public(other, loaded));
    vc_key_free(loaded);

    /* public JWK 0644, PEM private 0600 */
    tu_assert_status(vc_key_save(k, pub_path, 0, 0, 0, &e), VC_OK, &e);
    ck_assert_int_eq(stat(pub_path, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0644);
    tu_assert_status(vc_key_load(pub_path, &loaded, &e), VC_OK, &e);
    ck_assert(!vc_key_has_private(loaded));
    vc_key_free(loaded);
    tu_assert_status(vc_key_save(k, pem_path, 1, 1, 0, &e), VC_OK, &e);
    ck_assert_int_eq(stat(pem_path, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    tu_assert_status(vc_key_load(pem_path, &loaded, &e), VC_OK, &e);
    ck_assert(vc_key_has_private(loaded));
    ck_assert(vc_key_equal_public(k, loaded));
    vc_key_free(loaded);

    /* failures: no private part, missing folder; nothing left behind */
    vc_key *pub = NULL;
    ck_assert_int_eq(vc_key_public(k, &pub, NULL), VC_OK);
    char p2[300];
    snprintf(p2, sizeof p2, "%s/x.jwk", dir);
    tu_assert_status(vc_key_save(pub, p2, 1, 0, 0, &e), VC_ERR_KEY_NO_PRIVATE, &e);
    tu_assert_status(vc_key_save(k, bad_path, 1, 0, 0, &e), VC_ERR_IO, &e);
    tu_assert_status(vc_key_load(bad_path, &loaded, &e), VC_ERR_IO, &e);
    ck_assert_int_eq(count_entries(dir), 3); /* issuer.jwk, issuer.pub.jwk, issuer.pem: no temporaries */

    umask(old);
    unlink(priv_path);
    unlink(pub_path);
    unlink(pem_path);
    rmdir(dir);
    vc_key_free(pub);
    vc_key_free(other);
    vc_key_free(k);
}
END_TEST

/* ---- concurrency: one shared key, several threads ---- */

struct worker {
    const vc_key *key;
    const char *alg;
    const uint8_t *sig;
    size_t sig_len;
    int failures;
    const char *multikey; /* expected; the key's cached copy is made by whichever thread is first */
};

static void *verify_worker(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 200; i++) {
        if (i % 50 == 0) {
            char *mb = NULL;
            if (vc_key_to_multikey(w->key, &mb, NULL) != VC_OK || strcmp(mb, w->multikey) != 0)
                w->failures++;
            vc_free(mb);
        }
        if (vc_key_verify(w->key, w->alg, (const uint8_t *)"shared", 6, w->sig, w->sig_len, NULL) != VC_OK)
            w->failures++;
        uint8_t bad[132];
        memcpy(bad, w->sig, w->sig_len);
        bad[i % w->sig_len] ^= 0x80;
        if (vc_key_verify(w->key, w->alg, (const uint8_t *)"shared", 6, bad, w->sig_len, NULL) !=
            VC_ERR_JWS_SIGNATURE)
            w->failures++;
        uint8_t *sig = NULL;
        size_t len = 0;
        if (vc_key_sign(w->key, w->alg, (const uint8_t *)"x", 1, &sig, &len, NULL) != VC_OK)
            w->failures++;
        vc_free(sig);
    }
    return NULL;
}

START_TEST(shared_key_threads)
{
    vc_key *keys[2] = {jwk_ok(ED_PRIV), jwk_ok(P256_PRIV)};
    const char *algs[2] = {"EdDSA", "ES256"};
    uint8_t *sigs[2];
    size_t lens[2];
    char *mbs[2];
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(vc_key_sign(keys[i], algs[i], (const uint8_t *)"shared", 6, &sigs[i], &lens[i], NULL), VC_OK);
        /* from another instance of the same key, so that the shared keys' caches start empty */
        vc_key *twin = jwk_ok(i ? P256_PRIV : ED_PRIV);
        ck_assert_int_eq(vc_key_to_multikey(twin, &mbs[i], NULL), VC_OK);
        vc_key_free(twin);
    }
    struct worker w[8];
    pthread_t th[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (struct worker){keys[i % 2], algs[i % 2], sigs[i % 2], lens[i % 2], 0, mbs[i % 2]};
        ck_assert_int_eq(pthread_create(&th[i], NULL, verify_worker, &w[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(w[i].failures, 0);
    }
    for (int i = 0; i < 2; i++) {
        vc_free(sigs[i]);
        vc_free(mbs[i]);
        vc_key_free(keys[i]);
    }
}
END_TEST

int main(void)
{
    if (vc_init() != VC_OK)
        return 1;
    Suite *s = suite_create("crypto");
    TCase *tc = tcase_create("crypto");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, rfc8037_ed25519);
    tcase_add_test(tc, rfc7515_es256);
    tcase_add_test(tc, rfc7520_cookbook);
    tcase_add_test(tc, wycheproof_ed25519);
    tcase_add_test(tc, wycheproof_p256);
    tcase_add_test(tc, wycheproof_p384);
    tcase_add_loop_test(tc, roundtrip, 0, 4);
    tcase_add_test(tc, kid_alg_members);
    tcase_add_test(tc, verification_methods);
    tcase_add_test(tc, didkey_vectors);
    tcase_add_test(tc, jwk_rejections);
    tcase_add_test(tc, signature_rejections);
    tcase_add_test(tc, multikey_rejections);
    tcase_add_test(tc, pem_import);
    tcase_add_test(tc, key_files);
    tcase_add_test(tc, shared_key_threads);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
