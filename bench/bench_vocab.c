/*
 * bench_vocab.c - JSON-LD vocabulary checks/s of the UNTP 0.6.1 DPP sample, with
 * the active context cached in the registry (the steady state of a verifier):
 *   - the parsed credential (json_t), no report (the verifier's inner loop),
 *   - the parsed credential with a report,
 *   - from JSON text with a report (vc_vocab_check: parse + check),
 *   - the same check on all available cores at once (one shared registry),
 * next to jansson parsing alone and raw OpenSSL Ed25519 verification of the same
 * bytes in the same run, with the ratios; and the one-time cost of processing
 * the contexts (a fresh registry's first check). Target (issue #7): >= 20,000
 * checks/s. The figures are printed, not asserted.
 *
 * Reads $VC_SHARED_DIR/untp/v0.6.1/dpp/untp-dpp-instance.json and the data
 * directory ($UNTPCRED_DATA_DIR, set by meson to the source tree).
 * VC_BENCH_SECONDS (default 1) sets the time per measurement.
 */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "verify/verify_internal.h"
#include "vocab/vocab_internal.h"

static double seconds = 1.0;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *rel, size_t *len)
{
    const char *dir = getenv("VC_SHARED_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "../shared", rel);
    char *buf = NULL;
    vc_error err;
    if (vc_read_file(path, VC_MAX_INPUT_BYTES, &buf, len, &err) != VC_OK) {
        fprintf(stderr, "bench_vocab: %s\n", err.message);
        exit(1);
    }
    return buf;
}

typedef int (*op_fn)(void *ctx);

/* Runs op for about `seconds`; returns operations per second (-1 when op failed). */
static double rate(op_fn op, void *ctx)
{
    for (int i = 0; i < 50; i++)
        if (!op(ctx))
            return -1;
    long n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 100; i++)
            if (!op(ctx))
                return -1;
        n += 100;
        t = now();
    } while (t - t0 < seconds);
    return (double)n / (t - t0);
}

struct ctx {
    vc_data *data;
    json_t *doc;
    const char *text;
    size_t len;
    EVP_PKEY *key;
    unsigned char sig[64];
};

static int op_check(void *p)
{
    struct ctx *c = p;
    return vc_vocab_check_json(c->data, c->doc, 0, NULL, NULL) == VC_OK;
}

static int op_check_report(void *p)
{
    struct ctx *c = p;
    vc_report *rep = vc_report_new();
    int ok = rep && vc_vocab_check_json(c->data, c->doc, 0, rep, NULL) == VC_OK;
    vc_report_free(rep);
    return ok;
}

static int op_check_text(void *p)
{
    struct ctx *c = p;
    vc_report *rep = NULL;
    int ok = vc_vocab_check(c->data, c->text, c->len, 0, &rep, NULL) == VC_OK;
    vc_report_free(rep);
    return ok;
}

static int op_parse(void *p)
{
    struct ctx *c = p;
    json_t *j = json_loadb(c->text, c->len, JSON_REJECT_DUPLICATES, NULL);
    json_decref(j);
    return j != NULL;
}

static int op_ed25519(void *p)
{
    struct ctx *c = p;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    int ok = m && EVP_DigestVerifyInit(m, NULL, NULL, NULL, c->key) == 1 &&
             EVP_DigestVerify(m, c->sig, 64, (const unsigned char *)c->text, c->len) == 1;
    EVP_MD_CTX_free(m);
    return ok;
}

struct thr {
    struct ctx *c;
    double rate;
};

static void *thr_main(void *p)
{
    struct thr *t = p;
    t->rate = rate(op_check, t->c);
    return NULL;
}

int main(void)
{
    const char *s = getenv("VC_BENCH_SECONDS");
    if (s && atof(s) > 0)
        seconds = atof(s);
    vc_init();
    struct ctx c = {0};
    vc_error err;
    c.text = slurp("untp/v0.6.1/dpp/untp-dpp-instance.json", &c.len);
    c.doc = json_loadb(c.text, c.len, 0, NULL);
    if (!c.doc) {
        fprintf(stderr, "bench_vocab: the DPP sample is not JSON\n");
        return 1;
    }

    /* the one-time cost: a fresh registry processes the contexts on its first check */
    double t0 = now();
    if (vc_data_open(NULL, &c.data, &err) != VC_OK) {
        fprintf(stderr, "bench_vocab: %s\n", err.message);
        return 1;
    }
    double t1 = now();
    if (vc_vocab_check_json(c.data, c.doc, 0, NULL, &err) != VC_OK) {
        fprintf(stderr, "bench_vocab: the DPP sample fails the check: %s at %s\n", err.message, err.path);
        return 1;
    }
    double t2 = now();
    struct vc_vocab_stats st;
    vc_vocab_get_stats(c.data, &st);

    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    EVP_PKEY_keygen_init(kc);
    EVP_PKEY_keygen(kc, &c.key);
    EVP_PKEY_CTX_free(kc);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    size_t sl = 64;
    EVP_DigestSignInit(m, NULL, NULL, NULL, c.key);
    EVP_DigestSign(m, c.sig, &sl, (const unsigned char *)c.text, c.len);
    EVP_MD_CTX_free(m);

    double r_check = rate(op_check, &c);
    double r_report = rate(op_check_report, &c);
    double r_text = rate(op_check_text, &c);
    double r_parse = rate(op_parse, &c);
    double r_ed = rate(op_ed25519, &c);

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1)
        ncpu = 1;
    if (ncpu > 16)
        ncpu = 16;
    struct thr th[16];
    pthread_t tid[16];
    for (long i = 0; i < ncpu; i++) {
        th[i].c = &c;
        pthread_create(&tid[i], NULL, thr_main, &th[i]);
    }
    double r_all = 0;
    for (long i = 0; i < ncpu; i++) {
        pthread_join(tid[i], NULL);
        r_all += th[i].rate;
    }

    printf("vocabulary check of the UNTP 0.6.1 DPP sample (%zu bytes), active context cached:\n", c.len);
    printf("  first check, fresh registry (loads + hashes 2 context files, processes the contexts): %.2f ms "
           "(open %.2f ms); cached afterwards: %zu @context value(s), %zu scoped-context results, %zu KiB\n",
           (t2 - t1) * 1e3, (t1 - t0) * 1e3, st.cached, st.derived, st.shared_bytes / 1024);
    printf("  %-46s %10.0f checks/s  (%.1f us each)\n", "check, parsed credential, no report", r_check,
           1e6 / r_check);
    printf("  %-46s %10.0f checks/s\n", "check, parsed credential, with report", r_report);
    printf("  %-46s %10.0f checks/s\n", "vc_vocab_check from text (parse + check)", r_text);
    printf("  %-46s %10.0f checks/s  (%ld threads, one shared registry)\n", "check, parsed, all cores", r_all, ncpu);
    printf("  %-46s %10.0f parses/s\n", "jansson json_loadb alone (reference)", r_parse);
    printf("  %-46s %10.0f verifies/s\n", "raw OpenSSL Ed25519 verify, same bytes", r_ed);
    printf("  ratios: check / Ed25519 verify = %.2fx faster; check costs %.0f%% of a parse; target 20,000/s: %s\n",
           r_check / r_ed, 100.0 * r_parse / r_check, r_check >= 20000 ? "met" : "NOT met");

    json_decref(c.doc);
    free((void *)c.text);
    EVP_PKEY_free(c.key);
    vc_data_free(c.data);
    return 0;
}
