/*
 * bench_schema.c - JSON Schema 2020-12 validations/s of the UNTP 0.6.1 DPP
 * sample against its schema (compiled once), on one core:
 *   - the parsed instance (json_t), boolean only (vc_schema_is_valid),
 *   - the parsed instance with error reporting on (vc_schema_check, the form
 *     verify.c uses),
 *   - from JSON text with a full report (vc_schema_validate: parse + validate),
 * next to strict parsing alone (vc_json_parse) and raw OpenSSL Ed25519 verification of the
 * same bytes in the same run, with the ratios. Target (issue #7): >= 20,000
 * schema-only validations/s. The figures are printed, not asserted.
 *
 * Reads $VC_SHARED_DIR/untp/v0.6.1/dpp/untp-dpp-{schema,instance}.json.
 * VC_BENCH_SECONDS (default 1) sets the CPU time per measurement; rates are per
 * second of this thread's CPU time (so a loaded machine does not skew them).
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schema/schema_internal.h"

static double seconds = 1.0;

/* CPU time of this thread: the rate on one core, even on a busy machine. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
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
        fprintf(stderr, "bench_schema: %s\n", err.message);
        exit(1);
    }
    return buf;
}

typedef int (*op_fn)(void *ctx);

/* Runs op for about `seconds`; returns operations per second. */
static double rate(op_fn op, void *ctx)
{
    for (int i = 0; i < 50; i++) /* warm up */
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
    vc_schema *schema;
    json_t *inst;
    const char *text;
    size_t len;
    EVP_PKEY *key;
    unsigned char sig[64];
    size_t siglen;
};

static int op_quiet(void *p)
{
    struct ctx *c = p;
    return vc_schema_is_valid(c->schema, c->inst);
}

static int op_check(void *p)
{
    struct ctx *c = p;
    return vc_schema_check(c->schema, c->inst, "schema", NULL, NULL, NULL) == VC_OK;
}

static int op_text(void *p)
{
    struct ctx *c = p;
    vc_report *rep = NULL;
    vc_status st = vc_schema_validate(c->schema, c->text, c->len, &rep, NULL);
    vc_report_free(rep);
    return st == VC_OK;
}

static int op_parse(void *p)
{
    struct ctx *c = p;
    json_t *j = NULL;
    if (vc_json_parse(c->text, c->len, &j, NULL) != VC_OK)
        return 0;
    json_decref(j);
    return 1;
}

static int op_ed25519(void *p)
{
    struct ctx *c = p;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    int ok = m && EVP_DigestVerifyInit(m, NULL, NULL, NULL, c->key) == 1 &&
             EVP_DigestVerify(m, c->sig, c->siglen, (const unsigned char *)c->text, c->len) == 1;
    EVP_MD_CTX_free(m);
    return ok;
}

int main(void)
{
    const char *s = getenv("VC_BENCH_SECONDS");
    if (s && atof(s) > 0)
        seconds = atof(s);
    vc_init();
    struct ctx c;
    memset(&c, 0, sizeof c);
    size_t slen;
    char *schema_text = slurp("untp/v0.6.1/dpp/untp-dpp-schema.json", &slen);
    char *inst_text = slurp("untp/v0.6.1/dpp/untp-dpp-instance.json", &c.len);
    c.text = inst_text;

    vc_error err;
    double t0 = now();
    int compiles = 0;
    do {
        vc_schema *tmp = NULL;
        if (vc_schema_compile(NULL, schema_text, slen, 0, &tmp, &err) != VC_OK) {
            fprintf(stderr, "bench_schema: compile: %s (%s)\n", err.message, err.path);
            return 1;
        }
        vc_schema_free(tmp);
        compiles++;
    } while (now() - t0 < seconds / 4);
    double compile_ms = (now() - t0) * 1000.0 / compiles;
    if (vc_schema_compile(NULL, schema_text, slen, 0, &c.schema, &err) != VC_OK)
        return 1;
    if (vc_json_parse(inst_text, c.len, &c.inst, &err) != VC_OK) {
        fprintf(stderr, "bench_schema: instance: %s\n", err.message);
        return 1;
    }
    if (vc_schema_check(c.schema, c.inst, "schema", NULL, NULL, &err) != VC_OK) {
        fprintf(stderr, "bench_schema: the sample does not validate: %s at %s\n", err.message, err.path);
        return 1;
    }

    /* raw OpenSSL Ed25519 over the same bytes, for scale */
    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    if (!kc || EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_keygen(kc, &c.key) != 1)
        return 1;
    EVP_PKEY_CTX_free(kc);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    c.siglen = sizeof c.sig;
    if (!m || EVP_DigestSignInit(m, NULL, NULL, NULL, c.key) != 1 ||
        EVP_DigestSign(m, c.sig, &c.siglen, (const unsigned char *)c.text, c.len) != 1)
        return 1;
    EVP_MD_CTX_free(m);

    double quiet = rate(op_quiet, &c), check = rate(op_check, &c), text = rate(op_text, &c),
           parse = rate(op_parse, &c), ed = rate(op_ed25519, &c);
    printf("bench_schema: UNTP 0.6.1 DPP sample (%zu bytes) against untp-dpp-schema.json (%zu bytes), "
           "one core (thread CPU time)\n",
           c.len, slen);
    printf("  compile schema                     %10.2f ms\n", compile_ms);
    printf("  validate json_t, boolean           %10.0f validations/s\n", quiet);
    printf("  validate json_t, with error report %10.0f validations/s   (target >= 20000)\n", check);
    printf("  parse + validate text + report     %10.0f validations/s\n", text);
    printf("  strict parse alone (vc_json_parse) %10.0f parses/s\n", parse);
    printf("  raw OpenSSL Ed25519 verify         %10.0f verifies/s\n", ed);
    printf("  ratio schema-check / Ed25519 verify  %8.2fx   (schema check costs %.0f%% of one signature check)\n",
           check / ed, 100.0 * ed / check);
    printf("  ratio text validate / parse alone    %8.2f\n", text / parse);
    json_decref(c.inst);
    vc_schema_free(c.schema);
    EVP_PKEY_free(c.key);
    free(schema_text);
    free(inst_text);
    return 0;
}
