/*
 * bench_sign_verify.c - credentials/s for vc_sign and vc_verify (EdDSA, ES256)
 * next to raw OpenSSL sign/verify of the same bytes, in the same run, and the
 * ratio; verify also on two threads. Run with `meson test -C BUILD --benchmark`
 * (or build/bench/bench_sign_verify [SECONDS], default 2; the whole run takes
 * about 12 * SECONDS).
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
 *
 * Method. The machine this runs on may be a shared VM whose speed drifts by
 * tens of percent over seconds, so raw and libvc are never measured in two
 * long separate runs; they are interleaved in short rounds and compared round
 * by round:
 *  - 1 thread (verify, issue): R = SECONDS / 50 ms rounds (at least 3); each
 *    round runs raw and libvc for SECONDS / R of this thread's CPU time
 *    (CLOCK_THREAD_CPUTIME_ID) each, alternating which goes first. The ratio
 *    printed against the target is the median of the R per-round ratios
 *    libvc/raw, with their min and max; the rates are pooled (all operations /
 *    all CPU seconds of that side).
 *  - 2 threads (verify): R2 = SECONDS / 100 ms rounds (at least 3); each round
 *    runs, on the wall clock, raw on 1 thread, libvc on 1 thread, raw on 2
 *    threads and libvc on 2 threads, SECONDS / (2 * R2) each, in that order in
 *    even rounds and in the reverse order in odd ones. Printed: the median (and
 *    min..max) over rounds of libvc 2-thread / libvc 1-thread (the scaling the
 *    target is about), of raw 2-thread / raw 1-thread (what the machine allows:
 *    the ceiling for libvc's scaling), and of libvc 2-thread / raw 1-thread;
 *    the rates are pooled wall-clock rates.
 *
 * Targets (issue #6): "verify >= 85% of raw OpenSSL verify on one core, >= 1.9x
 * that on two threads; issue >= 80% of raw sign". The two-thread target is read
 * as: libvc verify on two threads runs at >= 1.9x libvc verify on one thread
 * (wall clock, same machine, same moment); raw OpenSSL's own 2/1-thread
 * scaling is printed next to it as the machine's ceiling. The figures are
 * printed with "met"/"not met" ("not judged" for the two-thread target when
 * libvc misses it and even raw OpenSSL scales below 1.9x, e.g. because the
 * second core is busy), never asserted: a loaded machine must not fail a
 * build. The exit status is non-zero only if a signature or verification
 * fails.
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

#define SLICE_1T 0.050 /* seconds of CPU per side per single-thread round */
#define ROUND_2T 0.100 /* seconds of wall clock per two-thread round (four runs) */
#define MAX_ROUNDS 100000

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

typedef int (*op_fn)(const void *);

static void fail(void)
{
    fprintf(stderr, "benchmark operation failed (sign or verify did not succeed)\n");
    exit(1);
}

/* A run: operations done and the seconds they took. */
typedef struct run {
    long n;
    double t;
} run;

/* Runs op on this thread for `len` seconds of this thread's CPU time. */
static run cpu_run(op_fn op, const void *arg, double len)
{
    long n = 0;
    double t0 = cpu_now(), until = t0 + len, t = t0;
    for (;;) {
        if (!op(arg))
            fail();
        n++;
        if (!(n & 3) && (t = cpu_now()) >= until)
            break;
    }
    return (run){n, t - t0};
}

typedef struct worker {
    op_fn op;
    const void *arg;
    double until;
    long n;
    int failed;
} worker;

static void *worker_main(void *p)
{
    worker *w = p;
    long n = 0;
    for (;;) {
        if (!w->op(w->arg)) {
            w->failed = 1;
            break;
        }
        n++;
        if (!(n & 3) && now() >= w->until)
            break;
    }
    w->n = n;
    return NULL;
}

/* Runs op on `threads` threads for `len` seconds of wall clock. */
static run wall_run(op_fn op, const void *arg, int threads, double len)
{
    worker w[2];
    pthread_t th[2];
    double t0 = now();
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){.op = op, .arg = arg, .until = t0 + len};
        if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            exit(1);
        }
    }
    run r = {0, 0};
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        if (w[i].failed)
            fail();
        r.n += w[i].n;
    }
    r.t = now() - t0;
    return r;
}

static double rate(run r) { return r.t > 0 ? (double)r.n / r.t : 0; }

static int rounds_for(double total, double round_len)
{
    double r = total / round_len + 0.5;
    return r < 3 ? 3 : r > MAX_ROUNDS ? MAX_ROUNDS : (int)r;
}

/* Median, min and max of x[0..n) (sorts x). */
typedef struct spread {
    double med, lo, hi;
} spread;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static spread spread_of(double *x, int n)
{
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    return (spread){n & 1 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2, x[0], x[n - 1]};
}

/* Single thread, CPU time: raw and libvc interleaved in rounds. */
typedef struct cpu_cmp {
    int rounds;
    double raw, vc; /* pooled rates, operations per CPU second */
    spread ratio;   /* per-round libvc/raw */
} cpu_cmp;

static cpu_cmp compare_cpu(op_fn raw_op, const void *raw_a, op_fn vc_op, const void *vc_a)
{
    int rounds = rounds_for(seconds, SLICE_1T);
    double len = seconds / rounds;
    double *ratio = malloc((size_t)rounds * sizeof *ratio);
    if (!ratio)
        exit(1);
    /* warm up caches, lazy initialisation and the CPU's clock */
    cpu_run(raw_op, raw_a, 0.02);
    cpu_run(vc_op, vc_a, 0.02);
    run raw_sum = {0, 0}, vc_sum = {0, 0};
    for (int i = 0; i < rounds; i++) {
        run a, b;
        if (i & 1) {
            b = cpu_run(vc_op, vc_a, len);
            a = cpu_run(raw_op, raw_a, len);
        } else {
            a = cpu_run(raw_op, raw_a, len);
            b = cpu_run(vc_op, vc_a, len);
        }
        ratio[i] = rate(b) / rate(a);
        raw_sum.n += a.n, raw_sum.t += a.t;
        vc_sum.n += b.n, vc_sum.t += b.t;
    }
    cpu_cmp c = {rounds, rate(raw_sum), rate(vc_sum), spread_of(ratio, rounds)};
    free(ratio);
    return c;
}

/* Wall clock: raw and libvc on one and on two threads, interleaved in rounds. */
typedef struct wall_cmp {
    int rounds;
    double raw1, vc1, raw2, vc2; /* pooled wall-clock rates */
    spread vc_scale, raw_scale, vc2_raw1;
} wall_cmp;

static wall_cmp compare_wall(op_fn raw_op, const void *raw_a, op_fn vc_op, const void *vc_a)
{
    int rounds = rounds_for(seconds, ROUND_2T);
    double len = seconds / (2.0 * rounds);
    double *vs = malloc((size_t)rounds * 3 * sizeof *vs), *rs = vs + rounds, *vr = rs + rounds;
    if (!vs)
        exit(1);
    wall_run(raw_op, raw_a, 2, 0.02);
    wall_run(vc_op, vc_a, 2, 0.02);
    run tot[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}}; /* raw1, vc1, raw2, vc2 */
    for (int i = 0; i < rounds; i++) {
        run r[4];
        for (int k = 0; k < 4; k++) {
            int j = i & 1 ? 3 - k : k;
            r[j] = wall_run(j & 1 ? vc_op : raw_op, j & 1 ? vc_a : raw_a, j < 2 ? 1 : 2, len);
        }
        for (int j = 0; j < 4; j++)
            tot[j].n += r[j].n, tot[j].t += r[j].t;
        vs[i] = rate(r[3]) / rate(r[1]);
        rs[i] = rate(r[2]) / rate(r[0]);
        vr[i] = rate(r[3]) / rate(r[0]);
    }
    wall_cmp c = {rounds, rate(tot[0]), rate(tot[1]), rate(tot[2]), rate(tot[3]),
                  spread_of(vs, rounds), spread_of(rs, rounds), spread_of(vr, rounds)};
    free(vs);
    return c;
}

static const char *met(double value, double target) { return value >= target ? "met" : "not met"; }

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
        !raw_verify_once(&r) || !raw_sign_once(&r)) {
        fprintf(stderr, "raw OpenSSL setup failed\n");
        return 1;
    }
    vc_arg va = {.v = v, .key = key, .token = token, .len = len};

    cpu_cmp ver = compare_cpu(op_raw_verify, &r, op_vc_verify, &va);
    printf("%-5s verify 1 thread : libvc %6.0f/CPU-s  raw %6.0f/CPU-s  libvc/raw %5.1f%% [%.1f..%.1f]  target >= 85%%: %s\n",
           alg, ver.vc, ver.raw, 100 * ver.ratio.med, 100 * ver.ratio.lo, 100 * ver.ratio.hi, met(ver.ratio.med, 0.85));
    fflush(stdout);
    cpu_cmp iss = compare_cpu(op_raw_sign, &r, op_vc_sign, &va);
    printf("%-5s issue  1 thread : libvc %6.0f/CPU-s  raw %6.0f/CPU-s  libvc/raw %5.1f%% [%.1f..%.1f]  target >= 80%%: %s\n",
           alg, iss.vc, iss.raw, 100 * iss.ratio.med, 100 * iss.ratio.lo, 100 * iss.ratio.hi, met(iss.ratio.med, 0.80));
    fflush(stdout);
    wall_cmp w = compare_wall(op_raw_verify, &r, op_vc_verify, &va);
    /* below 1.9x raw scaling the machine (a busy second core) cannot show the target */
    const char *verdict = w.vc_scale.med >= 1.9 ? "met"
                          : w.raw_scale.med < 1.9 ? "not judged (machine's ceiling below 1.9x)"
                                                  : "not met";
    printf("%-5s verify wall     : libvc 1 thr %6.0f/s, 2 thr %6.0f/s;  raw 1 thr %6.0f/s, 2 thr %6.0f/s\n", alg, w.vc1,
           w.vc2, w.raw1, w.raw2);
    printf("%-5s verify 2 threads: libvc 2 thr / libvc 1 thr %.2fx [%.2f..%.2f]  target >= 1.9x: %s\n", alg,
           w.vc_scale.med, w.vc_scale.lo, w.vc_scale.hi, verdict);
    printf("%-5s   machine's ceiling: raw 2 thr / raw 1 thr %.2fx [%.2f..%.2f];  libvc 2 thr / raw 1 thr %.2fx [%.2f..%.2f]\n",
           alg, w.raw_scale.med, w.raw_scale.lo, w.raw_scale.hi, w.vc2_raw1.med, w.vc2_raw1.lo, w.vc2_raw1.hi);
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
    if (argc > 1) {
        seconds = atof(argv[1]);
        if (!(seconds > 0) || seconds > 3600) {
            fprintf(stderr, "usage: %s [SECONDS]   (seconds per figure, default 2)\n", argv[0]);
            return 2;
        }
    }
    if (vc_init() != VC_OK)
        return 1;
    int r1 = rounds_for(seconds, SLICE_1T), r2 = rounds_for(seconds, ROUND_2T);
    printf("credential: %zu bytes of JSON. 1 thread: %d interleaved rounds of %.0f ms CPU per side (%.1f s each),\n"
           "rates per second of thread CPU time. 2 threads: %d rounds of raw and libvc on 1 and on 2 threads, %.0f ms\n"
           "wall each run. Ratios: median over rounds [min..max]. Rates: pooled over rounds. Targets reported, not "
           "enforced.\n",
           strlen(credential), r1, 1000 * seconds / r1, seconds, r2, 1000 * seconds / (2.0 * r2));
    fflush(stdout);
    return bench("EdDSA", VC_KEY_ED25519) || bench("ES256", VC_KEY_P256);
}
