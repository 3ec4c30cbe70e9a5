/*
 * bench_sign_verify.c - credentials/s for vc_sign and vc_verify (EdDSA, ES256)
 * next to raw OpenSSL sign/verify of the same bytes, in the same run, and the
 * ratio; verify also on two threads. Run with `meson benchmark -C build`.
 *
 * Targets (issue #6): verify >= 85% of raw verify on one core, >= 1.9x that on
 * two threads; issue >= 80% of raw sign. The figures are printed, not asserted:
 * a loaded machine must not fail a build.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vc/vc.h>

static double seconds = 2.0;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *credential =
    "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",\"https://test.uncefact.org/vocabulary/untp/dpp/0.6.1/\"],"
    "\"id\":\"urn:uuid:5b0b7c2e-7f0d-4c2a-9d8e-1f3a6c9e2b41\",\"type\":[\"DigitalProductPassport\",\"VerifiableCredential\"],"
    "\"validFrom\":\"2026-11-01T00:00:00Z\",\"credentialSubject\":{\"type\":[\"ProductPassport\"],"
    "\"id\":\"https://id.example-cells.com/01/09359502000034/10/2026-11-A\",\"product\":{\"type\":[\"Product\"],"
    "\"id\":\"https://id.example-cells.com/01/09359502000034\",\"name\":\"LFP cell module 280Ah\","
    "\"batchNumber\":\"2026-11-A\"},\"conformityClaim\":[{\"type\":[\"Claim\"],\"topic\":\"environment.emissions\","
    "\"conformance\":true,\"declaredValue\":[{\"metricName\":\"Carbon footprint\",\"metricValue\":{\"value\":61.5,"
    "\"unit\":\"KGM\"}}]}]}}";

typedef struct job {
    const vc_verifier *v;
    const char *token;
    size_t len;
    double until;
    long count;
    int failed;
} job;

static void *verify_loop(void *arg)
{
    job *j = arg;
    long n = 0;
    while ((n & 63) || now() < j->until) {
        if (vc_verify(j->v, j->token, j->len, NULL, NULL) != VC_OK) {
            j->failed = 1;
            break;
        }
        n++;
    }
    j->count = n;
    return NULL;
}

/* Raw OpenSSL: verify the JWS signing input with the same key, as libvc must. */
static double raw_verify_rate(EVP_PKEY *pk, const EVP_MD *md, const unsigned char *msg, size_t msg_len,
                              const unsigned char *sig, size_t sig_len)
{
    long n = 0;
    double t0 = now(), until = t0 + seconds;
    while ((n & 63) || now() < until) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pk) != 1 ||
            EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) != 1) {
            fprintf(stderr, "raw verify failed\n");
            exit(1);
        }
        EVP_MD_CTX_free(ctx);
        n++;
    }
    return (double)n / (now() - t0);
}

static double raw_sign_rate(EVP_PKEY *pk, const EVP_MD *md, const unsigned char *msg, size_t msg_len)
{
    long n = 0;
    unsigned char sig[256];
    double t0 = now(), until = t0 + seconds;
    while ((n & 63) || now() < until) {
        size_t sig_len = sizeof sig;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (EVP_DigestSignInit(ctx, NULL, md, NULL, pk) != 1 || EVP_DigestSign(ctx, sig, &sig_len, msg, msg_len) != 1) {
            fprintf(stderr, "raw sign failed\n");
            exit(1);
        }
        EVP_MD_CTX_free(ctx);
        n++;
    }
    return (double)n / (now() - t0);
}

/* An EVP_PKEY holding the same private key, rebuilt from the PEM libvc exports. */
static EVP_PKEY *openssl_key(const vc_key *key)
{
    char *pem = NULL;
    if (vc_key_to_pem(key, 1, &pem, NULL) != VC_OK)
        exit(1);
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *pk = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    vc_free(pem);
    if (!pk)
        exit(1);
    return pk;
}

static int bench(const char *alg, vc_key_type type)
{
    vc_key *key = NULL;
    vc_resolver *r = NULL;
    vc_verifier *v = NULL;
    if (vc_key_generate(type, &key, NULL) || vc_resolver_new(&r, NULL) || vc_verifier_new(r, &v, NULL))
        return 1;
    vc_sign_options o = {.bare = 1};
    char *token = NULL;
    vc_error e;
    if (vc_sign(key, credential, strlen(credential), &o, &token, &e) != VC_OK) {
        fprintf(stderr, "sign: %s\n", e.message);
        return 1;
    }
    size_t len = strlen(token);
    /* the exact bytes libvc signs and verifies */
    const char *dot = strrchr(token, '.');
    size_t msg_len = (size_t)(dot - token);
    uint8_t *raw_sig = NULL;
    size_t raw_sig_len = 0;
    if (vc_base64url_decode(dot + 1, strlen(dot + 1), &raw_sig, &raw_sig_len, NULL) != VC_OK)
        return 1;
    EVP_PKEY *pk = openssl_key(key);
    const EVP_MD *md = type == VC_KEY_ED25519 ? NULL : EVP_sha256();
    /* raw ECDSA verify wants DER: sign once with OpenSSL to get a DER signature of the same message */
    unsigned char der[256];
    size_t der_len = sizeof der;
    const unsigned char *sig_for_raw = raw_sig;
    size_t sig_for_raw_len = raw_sig_len;
    if (type != VC_KEY_ED25519) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_DigestSignInit(ctx, NULL, md, NULL, pk);
        EVP_DigestSign(ctx, der, &der_len, (const unsigned char *)token, msg_len);
        EVP_MD_CTX_free(ctx);
        sig_for_raw = der;
        sig_for_raw_len = der_len;
    }

    double raw_v = raw_verify_rate(pk, md, (const unsigned char *)token, msg_len, sig_for_raw, sig_for_raw_len);
    job j1 = {.v = v, .token = token, .len = len, .until = now() + seconds};
    double t0 = now();
    verify_loop(&j1);
    double vc_v = (double)j1.count / (now() - t0);

    job jt[2];
    pthread_t th[2];
    double t1 = now();
    for (int i = 0; i < 2; i++) {
        jt[i] = (job){.v = v, .token = token, .len = len, .until = t1 + seconds};
        pthread_create(&th[i], NULL, verify_loop, &jt[i]);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    double vc_v2 = (double)(jt[0].count + jt[1].count) / (now() - t1);

    double raw_s = raw_sign_rate(pk, md, (const unsigned char *)token, msg_len);
    long n = 0;
    double t2 = now(), until = t2 + seconds;
    vc_sign_options so = {.bare = 1};
    while ((n & 63) || now() < until) {
        char *out = NULL;
        if (vc_sign(key, credential, strlen(credential), &so, &out, NULL) != VC_OK)
            return 1;
        vc_free(out);
        n++;
    }
    double vc_s = (double)n / (now() - t2);
    if (j1.failed || jt[0].failed || jt[1].failed) {
        fprintf(stderr, "verification failed during the benchmark\n");
        return 1;
    }
    printf("%-6s verify  1 thread : %9.0f cred/s   raw OpenSSL %9.0f/s   ratio %5.1f%%  (target >= 85%%)\n", alg, vc_v,
           raw_v, 100.0 * vc_v / raw_v);
    printf("%-6s verify  2 threads: %9.0f cred/s   = %.2fx raw single-core                 (target >= 1.9x)\n", alg,
           vc_v2, vc_v2 / raw_v);
    printf("%-6s issue   1 thread : %9.0f cred/s   raw OpenSSL %9.0f/s   ratio %5.1f%%  (target >= 80%%)\n", alg, vc_s,
           raw_s, 100.0 * vc_s / raw_s);
    EVP_PKEY_free(pk);
    vc_free(raw_sig);
    vc_free(token);
    vc_verifier_free(v);
    vc_resolver_free(r);
    vc_key_free(key);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        seconds = atof(argv[1]);
    if (vc_init() != VC_OK)
        return 1;
    printf("credential: %zu bytes of JSON; %.1f s per measurement\n", strlen(credential), seconds);
    return bench("EdDSA", VC_KEY_ED25519) || bench("ES256", VC_KEY_P256);
}
