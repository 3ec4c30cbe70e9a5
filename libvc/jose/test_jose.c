/* test_jose.c - compact JWS parsing, header rules, sign/verify, RFC vectors. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

static vc_key *ed_key, *p256_key;

static void setup(void)
{
    ck_assert_int_eq(vc_key_generate(VC_KEY_ED25519, &ed_key, NULL), VC_OK);
    ck_assert_int_eq(vc_key_generate(VC_KEY_P256, &p256_key, NULL), VC_OK);
}

static void teardown(void)
{
    vc_key_free(ed_key);
    vc_key_free(p256_key);
}

static void expect_parse(const char *jws, vc_status code, const char *path)
{
    vc_jws *j = NULL;
    vc_error e;
    tu_assert_status(vc_jws_parse(jws, strlen(jws), &j, &e), code, &e);
    ck_assert_ptr_null(j);
    if (path)
        ck_assert_str_eq(e.path, path);
    ck_assert(strlen(e.message) > 0);
}

START_TEST(roundtrip_both_algs)
{
    const vc_key *keys[] = {ed_key, p256_key};
    const char *algs[] = {"EdDSA", "ES256"};
    for (int i = 0; i < 2; i++) {
        char *jws = NULL;
        const char *payload = "{\"hello\":\"world\"}";
        ck_assert_int_eq(vc_jws_sign(keys[i], "vc+jwt", "vc", "did:example:1#k", (const uint8_t *)payload,
                                     strlen(payload), &jws, NULL),
                         VC_OK);
        vc_jws *j = NULL;
        vc_error e;
        tu_assert_status(vc_jws_parse(jws, strlen(jws), &j, &e), VC_OK, &e);
        ck_assert_str_eq(vc_jws_alg(j), algs[i]);
        ck_assert_str_eq(vc_jws_typ(j), "vc+jwt");
        ck_assert_str_eq(vc_jws_cty(j), "vc");
        ck_assert_str_eq(vc_jws_kid(j), "did:example:1#k");
        size_t n;
        ck_assert_str_eq((const char *)vc_jws_payload(j, &n), payload);
        tu_assert_status(vc_jws_verify(j, keys[i], &e), VC_OK, &e);
        /* the other key: alg confusion is caught before any signature check */
        tu_assert_status(vc_jws_verify(j, keys[1 - i], &e), VC_ERR_JWS_ALG_KEY, &e);
        ck_assert_str_eq(e.path, "header.alg");
        vc_jws_free(j);

        /* flip one bit in each part */
        size_t len = strlen(jws);
        const char *d1 = strchr(jws, '.'), *d2 = strrchr(jws, '.');
        size_t positions[] = {2, (size_t)(d1 - jws) + 3, (size_t)(d2 - jws) + 3, len - 3};
        for (size_t k = 0; k < 4; k++) {
            char *t = strdup(jws);
            t[positions[k]] = t[positions[k]] == 'A' ? 'B' : 'A';
            vc_jws *tj = NULL;
            vc_status st = vc_jws_parse(t, len, &tj, &e);
            if (st == VC_OK) {
                st = vc_jws_verify(tj, keys[i], &e);
                ck_assert_int_eq(st, VC_ERR_JWS_SIGNATURE);
                vc_jws_free(tj);
            } else
                ck_assert_int_ne(st, VC_OK);
            free(t);
        }
        vc_free(jws);
    }
}
END_TEST

START_TEST(header_rules)
{
    const char *pl = "{}";
    struct {
        const char *header;
        vc_status code;
        const char *path;
    } cases[] = {
        {"{\"alg\":\"none\"}", VC_ERR_JWS_ALG_NONE, "header.alg"},
        {"{\"alg\":\"NONE\"}", VC_ERR_JWS_ALG_NONE, "header.alg"},
        {"{\"alg\":\"HS256\"}", VC_ERR_JWS_ALG, "header.alg"},
        {"{\"alg\":\"RS256\"}", VC_ERR_JWS_ALG, "header.alg"},
        {"{\"alg\":\"PS256\"}", VC_ERR_JWS_ALG, "header.alg"},
        {"{\"alg\":\"es256\"}", VC_ERR_JWS_ALG, "header.alg"},
        {"{\"typ\":\"vc+jwt\"}", VC_ERR_JWS_ALG, "header.alg"},
        {"{\"alg\":7}", VC_ERR_JWS_ALG, "header.alg"},
        {"{\"alg\":\"EdDSA\",\"crit\":[\"exp\"],\"exp\":1}", VC_ERR_JWS_CRIT, "header.crit"},
        {"{\"alg\":\"EdDSA\",\"crit\":[]}", VC_ERR_JWS_CRIT, "header.crit"},
        {"{\"alg\":\"EdDSA\",\"crit\":\"b64\"}", VC_ERR_JWS_CRIT, "header.crit"},
        {"{\"alg\":\"EdDSA\",\"b64\":false,\"crit\":[\"b64\"]}", VC_ERR_JWS_CRIT, "header.crit"},
        {"{\"alg\":\"EdDSA\",\"b64\":false}", VC_ERR_JWS_B64, "header.b64"},
        {"{\"alg\":\"EdDSA\",\"zip\":\"DEF\"}", VC_ERR_JWS_HEADER, "header.zip"},
        {"{\"alg\":\"EdDSA\",\"kid\":5}", VC_ERR_JWS_HEADER, "header.kid"},
        {"{\"alg\":\"EdDSA\",\"typ\":\"\"}", VC_ERR_JWS_HEADER, "header.typ"},
        {"{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\"}", VC_ERR_JSON_DUPKEY, "header"},
        {"[\"alg\",\"EdDSA\"]", VC_ERR_JWS_HEADER, "header"},
        {"{\"alg\":\"EdDSA\"", VC_ERR_JWS_HEADER, "header"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *jws = tu_forge_jws(NULL, cases[i].header, pl);
        expect_parse(jws, cases[i].code, cases[i].path);
        free(jws);
    }
}
END_TEST

START_TEST(format_rules)
{
    expect_parse("", VC_ERR_JWS_FORMAT, NULL);
    expect_parse("abc", VC_ERR_JWS_FORMAT, NULL);
    expect_parse("a.b", VC_ERR_JWS_FORMAT, NULL);
    expect_parse("a.b.c.d.e", VC_ERR_JWS_FORMAT, NULL);
    expect_parse("eyJhbGciOiJFZERTQSJ9.e30.", VC_ERR_JWS_FORMAT, "signature");
    expect_parse(".e30.AAAA", VC_ERR_JWS_FORMAT, "header");
    /* the usual unsecured JWT form (empty signature) is named for what it is */
    expect_parse("eyJhbGciOiJub25lIn0.e30.", VC_ERR_JWS_ALG_NONE, "header.alg");
    expect_parse("eyJhbGciOiJFZERTQSJ9..AAAA", VC_ERR_JWS_FORMAT, "payload");
    /* padding, standard alphabet, white space */
    expect_parse("eyJhbGciOiJFZERTQSJ9.e30=.AAAA", VC_ERR_BASE64URL, "payload");
    expect_parse("eyJhbGciOiJFZERTQSJ9.e30.AA+/", VC_ERR_BASE64URL, "signature");
    expect_parse("eyJhbGciOiJFZERTQSJ9.e30.AA AA", VC_ERR_BASE64URL, "signature");
    expect_parse("eyJhbGciOiJFZERTQSJ9 .e30.AAAA", VC_ERR_BASE64URL, "header");
    /* oversize header: limit + 1 */
    size_t n = VC_MAX_HEADER_BYTES * 2;
    char *big = malloc(n + 32);
    memset(big, 'A', n);
    strcpy(big + n, ".e30.AAAA");
    expect_parse(big, VC_ERR_LIMIT, "header");
    free(big);
    /* oversize token */
    size_t m = VC_MAX_INPUT_BYTES + 1;
    char *huge = malloc(m + 1);
    memset(huge, 'A', m);
    huge[m] = '\0';
    huge[10] = '.';
    huge[20] = '.';
    vc_jws *j = NULL;
    ck_assert_int_eq(vc_jws_parse(huge, m, &j, NULL), VC_ERR_LIMIT);
    free(huge);
}
END_TEST

START_TEST(ecdsa_signature_shapes)
{
    /* A DER-encoded or truncated ES256 signature must not verify. */
    char *jws = NULL;
    ck_assert_int_eq(vc_jws_sign(p256_key, "vc+jwt", NULL, NULL, (const uint8_t *)"{}", 2, &jws, NULL), VC_OK);
    char *dot = strrchr(jws, '.');
    *dot = '\0';
    const char *bad_sigs[] = {"AAAA", /* 3 bytes */
                              "MEUCIQDx", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(jws) + strlen(bad_sigs[i]) + 2;
        char *t = malloc(n);
        snprintf(t, n, "%s.%s", jws, bad_sigs[i]);
        vc_jws *j = NULL;
        vc_error e;
        tu_assert_status(vc_jws_parse(t, strlen(t), &j, &e), VC_OK, &e);
        tu_assert_status(vc_jws_verify(j, p256_key, &e), VC_ERR_JWS_SIGNATURE, &e);
        vc_jws_free(j);
        free(t);
    }
    vc_free(jws);
}
END_TEST

/* RFC 7515 A.3 (ES256) and RFC 8037 A.4 (EdDSA) through the JWS layer. */
/* The key keeps the first encoded header it signs with; every other typ / cty /
 * kid combination must still get its own header. */
START_TEST(header_cache_per_key)
{
    struct {
        const char *typ, *cty, *kid;
    } h[] = {{"vc+jwt", "vc", "did:example:1#a"}, {"vc+jwt", "vc", "did:example:1#b"}, {"vc+jwt", "vc", NULL},
             {"vp+jwt", "vp", "did:example:1#a"}, {"vc+jwt", NULL, "did:example:1#a"},
             {"vc+jwt", "vc", "did:example:1#a"}, {NULL, NULL, NULL}, {"vc+jwt", "vc", "did:example:1#a\"q"}};
    vc_key *key = NULL;
    ck_assert_int_eq(vc_key_generate(VC_KEY_P256, &key, NULL), VC_OK);
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
            char *jws = NULL;
            vc_error e;
            tu_assert_status(vc_jws_sign(key, h[i].typ, h[i].cty, h[i].kid, (const uint8_t *)"{}", 2, &jws, &e), VC_OK,
                             &e);
            vc_jws *j = NULL;
            tu_assert_status(vc_jws_parse(jws, strlen(jws), &j, &e), VC_OK, &e);
            ck_assert_str_eq(vc_jws_alg(j), "ES256");
            const char *got[3] = {vc_jws_typ(j), vc_jws_cty(j), vc_jws_kid(j)};
            const char *want[3] = {h[i].typ, h[i].cty, h[i].kid};
            for (int k = 0; k < 3; k++) {
                if (want[k])
                    ck_assert_str_eq(got[k], want[k]);
                else
                    ck_assert_ptr_null(got[k]);
            }
            tu_assert_status(vc_jws_verify(j, key, &e), VC_OK, &e);
            vc_jws_free(j);
            vc_free(jws);
        }
    vc_key_free(key);
}
END_TEST

struct signer {
    const vc_key *key;
    char kid[32];
    int failures;
};

static void *sign_worker(void *arg)
{
    struct signer *w = arg;
    for (int i = 0; i < 50; i++) {
        char *jws = NULL;
        vc_jws *j = NULL;
        if (vc_jws_sign(w->key, "vc+jwt", "vc", w->kid, (const uint8_t *)"{}", 2, &jws, NULL) != VC_OK ||
            vc_jws_parse(jws, strlen(jws), &j, NULL) != VC_OK || strcmp(vc_jws_kid(j), w->kid) != 0 ||
            vc_jws_verify(j, w->key, NULL) != VC_OK)
            w->failures++;
        vc_jws_free(j);
        vc_free(jws);
    }
    return NULL;
}

/* Threads with different kids race to set a fresh key's header cache. */
START_TEST(header_cache_threads)
{
    vc_key *key = NULL;
    ck_assert_int_eq(vc_key_generate(VC_KEY_ED25519, &key, NULL), VC_OK);
    struct signer w[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct signer){.key = key};
        snprintf(w[i].kid, sizeof w[i].kid, "did:example:t#%d", i);
        ck_assert_int_eq(pthread_create(&th[i], NULL, sign_worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(w[i].failures, 0);
    }
    vc_key_free(key);
}
END_TEST

START_TEST(rfc_vectors)
{
    json_t *v = tu_load_json(tu_shared_path("vectors/jose-rfc/rfc7515-A3-es256_rfc8037-A-ed25519.json"));
    json_t *es = json_object_get(v, "rfc7515_A3_ES256");
    char *jwk = json_dumps(json_object_get(es, "jwk"), 0);
    vc_key *k = NULL;
    vc_error e;
    tu_assert_status(vc_key_from_jwk(jwk, strlen(jwk), &k, &e), VC_OK, &e);
    const char *compact = json_string_value(json_object_get(es, "compact"));
    vc_jws *j = NULL;
    tu_assert_status(vc_jws_parse(compact, strlen(compact), &j, &e), VC_OK, &e);
    tu_assert_status(vc_jws_verify(j, k, &e), VC_OK, &e);
    vc_jws_free(j);
    vc_key_free(k);
    free(jwk);

    json_t *ed = json_object_get(v, "rfc8037_A_Ed25519");
    jwk = json_dumps(json_object_get(ed, "private_jwk_A1"), 0);
    tu_assert_status(vc_key_from_jwk(jwk, strlen(jwk), &k, &e), VC_OK, &e);
    compact = json_string_value(json_object_get(ed, "compact_A4"));
    ck_assert_ptr_nonnull(compact);
    tu_assert_status(vc_jws_parse(compact, strlen(compact), &j, &e), VC_OK, &e);
    tu_assert_status(vc_jws_verify(j, k, &e), VC_OK, &e);
    size_t n;
    ck_assert_str_eq((const char *)vc_jws_payload(j, &n), "Example of Ed25519 signing");
    vc_jws_free(j);
    /* Ed25519 is deterministic: signing the same header and payload reproduces the vector. */
    char *again = tu_forge_jws(k, "{\"alg\":\"EdDSA\"}", "Example of Ed25519 signing");
    ck_assert_str_eq(again, compact);
    free(again);
    vc_key_free(k);
    free(jwk);
    json_decref(v);
}
END_TEST

int main(void)
{
    if (vc_init() != VC_OK)
        return 1;
    Suite *s = suite_create("jose");
    TCase *tc = tcase_create("jose");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, roundtrip_both_algs);
    tcase_add_test(tc, header_rules);
    tcase_add_test(tc, format_rules);
    tcase_add_test(tc, ecdsa_signature_shapes);
    tcase_add_test(tc, rfc_vectors);
    tcase_add_test(tc, header_cache_per_key);
    tcase_add_test(tc, header_cache_threads);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
