/*
 * fuzz_verify.c - libFuzzer target for the whole verification path (vc_verify):
 * input-form detection (enveloped JSON, data: URL, compact JWS, COSE), JOSE,
 * payload JSON, data model, did:key resolution with kid binding, signature, and
 * the UNTP validator over the shipped data (UNTPCRED_DATA_DIR).
 *
 * The issuer key is fixed (examples/keys/demo-issuer.jwk); the clock is fixed.
 * vc_verify must never report VC_ERR_INTERNAL; its report must agree with its
 * return code, name a first error exactly when it fails and serialise.
 *
 * Seeds: run with FUZZ_MAKE_SEEDS=OUT_DIR and FUZZ_SEED_SRC=DIR: every *.json in
 * DIR is signed with the fixed key (enveloped JSON, compact JWS, data: URL and
 * vc+cose forms when vc_sign accepts it, the unsigned JSON otherwise) into OUT_DIR,
 * then the program exits (fuzz/run does this at run time; nothing is committed).
 */
#include <dirent.h>

#include "fuzz_common.h"

static vc_key *issuer;
static vc_resolver *resolver;
static vc_verifier *verifier;
static vc_data *data_reg;
static vc_validator *validator;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
        abort();
    b[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void put(const char *dir, const char *name, const char *suffix, const char *bytes, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, suffix);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, n, f) != n)
        abort();
    fclose(f);
}

static void make_seeds(const char *out, const char *src)
{
    DIR *d = opendir(src);
    if (!d) {
        fprintf(stderr, "fuzz_verify: cannot open %s\n", src);
        exit(1);
    }
    struct dirent *de;
    int count = 0;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
            continue;
        char path[4096];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", src, de->d_name);
        char *text = slurp(path, &len);
        if (!text)
            continue;
        put(out, de->d_name, "plain", text, len);
        count++;
        static const struct {
            int bare, cose;
            const char *suffix;
        } forms[] = {{0, 0, "env"}, {1, 0, "jws"}, {0, 1, "cose-env"}, {1, 1, "cose"}};
        for (size_t i = 0; i < 4; i++) {
            vc_sign_options o = {.bare = forms[i].bare};
            if (forms[i].cose)
                o.format = VC_FORMAT_COSE;
            char *tok = NULL;
            if (vc_sign(issuer, text, len, &o, &tok, NULL) != VC_OK)
                continue;
            put(out, de->d_name, forms[i].suffix, tok, strlen(tok));
            count++;
            if (forms[i].bare && !forms[i].cose) {
                size_t tl = strlen(tok);
                char *url = malloc(tl + 32);
                int ul = sprintf(url, "data:application/vc+jwt,%s", tok);
                put(out, de->d_name, "dataurl", url, (size_t)ul);
                free(url);
                count++;
            }
            vc_free(tok);
        }
        free(text);
    }
    closedir(d);
    fprintf(stderr, "fuzz_verify: %d seeds in %s\n", count, out);
    exit(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("UNTPCRED_DATA_DIR");
    if (!dir || !*dir)
        dir = ".";
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/keys/demo-issuer.jwk", dir);
    vc_error e;
    if (vc_init() != VC_OK || vc_key_load(path, &issuer, &e) != VC_OK || vc_resolver_new(&resolver, &e) != VC_OK ||
        vc_verifier_new(resolver, &verifier, &e) != VC_OK || vc_data_open(dir, &data_reg, &e) != VC_OK ||
        vc_validator_new(data_reg, &validator, &e) != VC_OK) {
        fprintf(stderr, "fuzz_verify: initialisation failed: %s\n", e.message);
        abort();
    }
    vc_verifier_set_validator(verifier, validator);
    vc_verifier_set_time(verifier, 1795000000); /* 2026-11-18: fixed clock, reproducible runs */
    const char *out = getenv("FUZZ_MAKE_SEEDS"), *src = getenv("FUZZ_SEED_SRC");
    if (out && src)
        make_seeds(out, src);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vc_error e;
    vc_report *rep = NULL;
    vc_status st = vc_verify(verifier, (const char *)data, size, &rep, &e);
    fz_require(st != VC_ERR_INTERNAL && st != VC_ERR_INVALID_ARG, "fuzz_verify", "vc_verify code", st, &e);
    if (!rep) {
        fz_require(st == VC_ERR_NOMEM, "fuzz_verify", "no report", st, &e);
        return 0;
    }
    fz_require((st == VC_OK) == (vc_report_valid(rep) != 0), "fuzz_verify", "report validity", st, &e);
    const vc_error *first = vc_report_first_error(rep);
    fz_require((st == VC_OK) == (first == NULL), "fuzz_verify", "first error", st, &e);
    if (first)
        fz_require(first->code == st, "fuzz_verify", "first error code", st, first);
    size_t n = vc_report_count(rep);
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL;
        vc_check_result r;
        const vc_error *d = NULL;
        fz_require(vc_report_check(rep, i, &name, &r, &d) == VC_OK && name && *name, "fuzz_verify", "check", st, &e);
    }
    char *json = NULL;
    fz_require(vc_report_to_json(rep, 0, &json, NULL) == VC_OK, "fuzz_verify", "report json", st, &e);
    vc_free(json);
    vc_report_free(rep);
    /* the same input without a report gives the same code */
    vc_status st2 = vc_verify(verifier, (const char *)data, size, NULL, NULL);
    fz_require(st2 == st, "fuzz_verify", "code differs without a report", st2, &e);
    return 0;
}
