/*
 * bench_sign_verify.c - credentials/s for vc_sign and vc_verify (EdDSA, ES256)
 * next to raw OpenSSL sign/verify of the same bytes, in the same run, and the
 * ratio; verify also on two threads. Run with `meson test -C BUILD --benchmark`
 * (or build/bench/bench_sign_verify [SECONDS]).
 *
 * What "raw OpenSSL" means here: the least an application must do with OpenSSL
 * to check (or make) the same JWS signature over the same signing input with
 * the same key, written the fast way:
 *  - one EVP_DigestVerify / EVP_DigestSign per credential on a context copied
 *    from a per-key template (EVP_MD_CTX_copy_ex; libvc does the same: a fresh
 *    EVP_DigestVerifyInit per operation fetches the algorithm by name and is
 *    slower, so it would flatter libvc);
 *  - for ES256 the JOSE signature is r||s: raw verify converts it to the DER
 *    OpenSSL wants (ECDSA_SIG + i2d_ECDSA_SIG) on every verification, raw sign
 *    converts OpenSSL's DER back to r||s (d2i_ECDSA_SIG + BN_bn2binpad): that
 *    is part of checking / making a JWS, not libvc overhead;
 *  - no base64url, JSON, data model, DID or report work: that is what the ratio
 *    charges to libvc.
 * Single-thread rates are measured in the thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID) so that other load on the machine does not skew the
 * ratios; two-thread rates are wall-clock, next to raw OpenSSL on two threads.
 *
 * Targets (issue #6): verify >= 85% of raw verify on one core, >= 1.9x that on
 * two threads; issue >= 80% of raw sign. The figures are printed, not asserted:
 * a loaded machine must not fail a build.
 */
#include <openssl/ec.h>
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

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
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

/* The raw OpenSSL side: a per-key template, the same message and JOSE signature. */
typedef struct raw {
    EVP_MD_CTX *vtmpl, *stmpl;
    int ecdsa;
    size_t n; /* scalar bytes (ECDSA) */
    const unsigned char *msg;
    size_t msg_len;
    const unsigned char *sig; /* JOSE form: Ed25519 64 bytes, ECDSA r||s */
    size_t sig_len;
} raw;

static int raw_verify_once(const raw *r)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_MD_CTX_copy_ex(ctx, r->vtmpl) == 1;
    if (ok && r->ecdsa) {
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *br = BN_bin2bn(r->sig, (int)r->n, NULL), *bs = BN_bin2bn(r->sig + r->n, (int)r->n, NULL);
        unsigned char *der = NULL;
        int der_len = es && br && bs && ECDSA_SIG_set0(es, br, bs) == 1 ? i2d_ECDSA_SIG(es, &der) : -1;
        ok = der_len > 0 && EVP_DigestVerify(ctx, der, (size_t)der_len, r->msg, r->msg_len) == 1;
        OPENSSL_free(der);
        ECDSA_SIG_free(es);
    } else if (ok)
        ok = EVP_DigestVerify(ctx, r->sig, r->sig_len, r->msg, r->msg_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

static int raw_sign_once(const raw *r)
{
    unsigned char der[256], out[132];
    size_t der_len = sizeof der;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_MD_CTX_copy_ex(ctx, r->stmpl) == 1 &&
             EVP_DigestSign(ctx, der, &der_len, r->msg, r->msg_len) == 1;
    if (ok && r->ecdsa) {
        const unsigned char *p = der;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
        const BIGNUM *br = NULL, *bs = NULL;
        if (es)
            ECDSA_SIG_get0(es, &br, &bs);
        ok = es && BN_bn2binpad(br, out, (int)r->n) == (int)r->n && BN_bn2binpad(bs, out + r->n, (int)r->n) == (int)r->n;
        ECDSA_SIG_free(es);
    }
    EVP_MD_CTX_free(ctx);
    return ok;
}

typedef struct job {
    const vc_verifier *v; /* NULL: raw OpenSSL */
    const raw *r;
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
        if (j->v ? vc_verify(j->v, j->token, j->len, NULL, NULL) != VC_OK : !raw_verify_once(j->r)) {
            j->failed = 1;
            break;
        }
        n++;
    }
    j->count = n;
    return NULL;
}

/* Operations per CPU second of this thread, running op for `seconds` of CPU. */
static double cpu_rate(int (*op)(const void *), const void *arg)
{
    long n = 0;
    double t0 = cpu_now(), until = t0 + seconds;
    while ((n & 63) || cpu_now() < until) {
        if (!op(arg)) {
            fprintf(stderr, "benchmark operation failed\n");
            exit(1);
        }
        n++;
    }
    return (double)n / (cpu_now() - t0);
}

static int op_raw_verify(const void *a) { return raw_verify_once(a); }
static int op_raw_sign(const void *a) { return raw_sign_once(a); }

typedef struct vc_arg {
    const vc_verifier *v;
    const vc_key *key;
    const char *token;
    size_t len;
} vc_arg;

static int op_vc_verify(const void *a)
{
    const vc_arg *x = a;
    return vc_verify(x->v, x->token, x->len, NULL, NULL) == VC_OK;
}

static int op_vc_sign(const void *a)
{
    const vc_arg *x = a;
    vc_sign_options so = {.bare = 1};
    char *out = NULL;
    int ok = vc_sign(x->key, credential, strlen(credential), &so, &out, NULL) == VC_OK;
    vc_free(out);
    return ok;
}

/* Wall-clock rate of two threads running verify_loop (libvc when v, else raw). */
static double two_threads(const vc_verifier *v, const raw *r, const char *token, size_t len)
{
    job jt[2];
    pthread_t th[2];
    double t1 = now();
    for (int i = 0; i < 2; i++) {
        jt[i] = (job){.v = v, .r = r, .token = token, .len = len, .until = t1 + seconds};
        pthread_create(&th[i], NULL, verify_loop, &jt[i]);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    if (jt[0].failed || jt[1].failed) {
        fprintf(stderr, "verification failed during the benchmark\n");
        exit(1);
    }
    return (double)(jt[0].count + jt[1].count) / (now() - t1);
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
    vc_resolver *res = NULL;
    vc_verifier *v = NULL;
    if (vc_key_generate(type, &key, NULL) || vc_resolver_new(&res, NULL) || vc_verifier_new(res, &v, NULL))
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
    raw r = {.vtmpl = EVP_MD_CTX_new(), .stmpl = EVP_MD_CTX_new(), .ecdsa = type != VC_KEY_ED25519, .n = 32,
             .msg = (const unsigned char *)token, .msg_len = msg_len, .sig = raw_sig, .sig_len = raw_sig_len};
    if (EVP_DigestVerifyInit(r.vtmpl, NULL, md, NULL, pk) != 1 || EVP_DigestSignInit(r.stmpl, NULL, md, NULL, pk) != 1 ||
        !raw_verify_once(&r)) {
        fprintf(stderr, "raw OpenSSL setup failed\n");
        return 1;
    }
    vc_arg va = {.v = v, .key = key, .token = token, .len = len};

    double raw_v = cpu_rate(op_raw_verify, &r);
    double vc_v = cpu_rate(op_vc_verify, &va);
    double raw_v2 = two_threads(NULL, &r, token, len);
    double vc_v2 = two_threads(v, &r, token, len);
    double raw_s = cpu_rate(op_raw_sign, &r);
    double vc_s = cpu_rate(op_vc_sign, &va);
    printf("%-6s verify  1 thread : %9.0f cred/s   raw OpenSSL %9.0f/s   ratio %5.1f%%  (target >= 85%%)\n", alg, vc_v,
           raw_v, 100.0 * vc_v / raw_v);
    printf("%-6s verify  2 threads: %9.0f cred/s   = %.2fx raw single-core (target >= 1.9x); raw on 2 threads %.0f/s = "
           "%.2fx\n",
           alg, vc_v2, vc_v2 / raw_v, raw_v2, raw_v2 / raw_v);
    printf("%-6s issue   1 thread : %9.0f cred/s   raw OpenSSL %9.0f/s   ratio %5.1f%%  (target >= 80%%)\n", alg, vc_s,
           raw_s, 100.0 * vc_s / raw_s);
    fflush(stdout);
    EVP_MD_CTX_free(r.vtmpl);
    EVP_MD_CTX_free(r.stmpl);
    EVP_PKEY_free(pk);
    vc_free(raw_sig);
    vc_free(token);
    vc_verifier_free(v);
    vc_resolver_free(res);
    vc_key_free(key);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        seconds = atof(argv[1]);
    if (vc_init() != VC_OK)
        return 1;
    printf("credential: %zu bytes of JSON; %.1f s per measurement; 1-thread rates per CPU second, 2-thread rates "
           "wall-clock\n",
           strlen(credential), seconds);
    return bench("EdDSA", VC_KEY_ED25519) || bench("ES256", VC_KEY_P256);
}
