/*
 * test_vocab.c - the JSON-LD vocabulary check (jsonld.c, vocab.c): the UNTP 0.6.1
 * and 0.6.0 samples pass; mutated copies fail with the right code and JSON
 * pointer; the W3C VCDM 2.0 fixtures and VC-JOSE-COSE plain inputs give the
 * results a JSON-LD 1.1 processor gives (cross-checked with jsonld.js when the
 * table below was written); JSON-LD features one by one; caching; threads; limits.
 *
 * UNTP files are GPL-3.0 data: they are read at run time from ../shared, never copied here.
 */
#include <dirent.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data_internal.h"
#include "testutil.h"
#include "verify/verify_internal.h"
#include "vocab/vocab_internal.h"

static vc_data *D; /* opened in main, shared by the tests (which also pass with CK_FORK=no) */

/* Run the following checks on a registry of their own (fresh caches); undo with fresh_end. */
static vc_data *fresh_begin(void)
{
    vc_data *saved = D, *d = NULL;
    vc_error e;
    tu_assert_status(vc_data_open(NULL, &d, &e), VC_OK, &e);
    D = d;
    return saved;
}

static void fresh_end(vc_data *saved)
{
    vc_data_free(D);
    D = saved;
}

#define V2 "https://www.w3.org/ns/credentials/v2"
#define EX2 "https://www.w3.org/ns/credentials/examples/v2"
#define DPP061 "https://test.uncefact.org/vocabulary/untp/dpp/0.6.1/"

/* ------------------------------------------------------------ helpers */

static json_t *dpp(void)
{
    return tu_load_json(tu_shared_path("untp/v0.6.1/dpp/untp-dpp-instance.json"));
}

/* JSON written with single quotes -> a parsed object (new reference). */
static json_t *sq(const char *s)
{
    char *o = strdup(s);
    ck_assert_ptr_nonnull(o);
    for (char *p = o; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t je;
    json_t *j = json_loads(o, 0, &je);
    ck_assert_msg(j != NULL, "bad test JSON: %s: %s", je.text, s);
    free(o);
    return j;
}

/* Run the check; returns the status, fills e and (optionally) the report. */
static vc_status check(const json_t *doc, unsigned flags, vc_error *e, vc_report **rep_out)
{
    vc_report *rep = vc_report_new();
    ck_assert_ptr_nonnull(rep);
    vc_status st = vc_vocab_check_json(D, doc, flags, rep, e);
    if (rep_out)
        *rep_out = rep;
    else
        vc_report_free(rep);
    return st;
}

/* The report has a failing entry with this code and path. */
static int has_failure(const vc_report *rep, vc_status code, const char *path)
{
    for (size_t i = 0; i < vc_report_count(rep); i++) {
        const char *name;
        vc_check_result r;
        const vc_error *d;
        vc_report_check(rep, i, &name, &r, &d);
        if (r == VC_CHECK_FAIL && d && d->code == code && strcmp(d->path, path) == 0)
            return 1;
    }
    return 0;
}

static size_t count_failures(const vc_report *rep, const char *check_name)
{
    size_t n = 0;
    for (size_t i = 0; i < vc_report_count(rep); i++) {
        const char *name;
        vc_check_result r;
        const vc_error *d;
        vc_report_check(rep, i, &name, &r, &d);
        if (r == VC_CHECK_FAIL && strcmp(name, check_name) == 0)
            n++;
    }
    return n;
}

static void expect(const json_t *doc, unsigned flags, vc_status code, const char *path)
{
    vc_error e;
    vc_report *rep;
    vc_status st = check(doc, flags, &e, &rep);
    char *txt = json_dumps(doc, JSON_COMPACT);
    ck_assert_msg(st == code, "got %s (%s at %s), want %s at %s for %.300s", vc_status_name(st), e.message, e.path,
                  vc_status_name(code), path ? path : "", txt);
    if (path)
        ck_assert_msg(has_failure(rep, code, path), "no %s at %s (first: %s at %s: %s)", vc_status_name(code), path,
                      vc_status_name(e.code), e.path, e.message);
    free(txt);
    vc_report_free(rep);
}

/* A non-UNTP credential: v2, then the inline context ctx (single-quoted), then subject. */
static json_t *cred(const char *ctx, const char *subject)
{
    char buf[4096];
    snprintf(buf, sizeof buf,
             "{'@context': ['" V2 "', %s], 'type': ['VerifiableCredential'], 'issuer': 'did:example:1', "
             "'credentialSubject': %s}",
             ctx, subject);
    return sq(buf);
}

static json_t *at(json_t *doc, const char *a, const char *b)
{
    json_t *x = json_object_get(doc, a);
    return b ? json_object_get(x, b) : x;
}

/* ------------------------------------------------------------ UNTP samples */

/* Every file matching pattern in the version's type folders. Returns the count. */
static size_t each_sample(const char *version, const char *pattern, void (*fn)(const char *rel, void *), void *arg)
{
    static const char *types[] = {"core", "dcc", "dfr", "dia", "dpp", "dte", "svc"};
    size_t n = 0;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        char dir[256];
        snprintf(dir, sizeof dir, "untp/%s/%s", version, types[t]);
        DIR *d = opendir(tu_shared_path(dir));
        if (!d)
            continue;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (fnmatch(pattern, de->d_name, 0) != 0)
                continue;
            char rel[512];
            snprintf(rel, sizeof rel, "%s/%s", dir, de->d_name);
            fn(rel, arg);
            n++;
        }
        closedir(d);
    }
    return n;
}

static void sample_passes(const char *rel, void *arg)
{
    (void)arg;
    json_t *doc = tu_load_json(tu_shared_path(rel));
    vc_error e;
    vc_report *rep;
    vc_status st = check(doc, 0, &e, &rep);
    printf("vocab: %-58s %s%s%s\n", rel, vc_status_name(st), st ? " at " : "", st ? e.path : "");
    ck_assert_msg(st == VC_OK, "%s: %s at %s: %s", rel, vc_status_name(st), e.path, e.message);
    ck_assert_uint_eq(vc_report_count(rep), 2);
    vc_report_free(rep);
    /* and through the public API, from text */
    size_t len;
    char *text = tu_read(tu_shared_path(rel), &len);
    tu_assert_status(vc_vocab_check(D, text, len, 0, NULL, &e), VC_OK, &e);
    free(text);
    json_decref(doc);
}

START_TEST(untp_samples_pass)
{
    size_t n061 = each_sample("v0.6.1", "untp-*-instance.json", sample_passes, NULL);
    size_t n060 = each_sample("v0.6.0", "Digital*-instance.json", sample_passes, NULL);
    printf("vocab: UNTP samples: %zu of 0.6.1, %zu of 0.6.0, all pass\n", n061, n060);
    ck_assert_uint_eq(n061, 6);
    ck_assert_uint_eq(n060, 5);
}
END_TEST

START_TEST(untp_undefined_terms)
{
    json_t *d = dpp();
    json_t *product = at(at(d, "credentialSubject", NULL), "product", NULL);
    json_object_set_new(product, "colour", json_string("red"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/product/colour");
    expect(d, VC_VOCAB_ALLOW_VOCAB, VC_ERR_VOCAB_TERM, "/credentialSubject/product/colour"); /* no @vocab to allow */
    json_object_del(product, "colour");

    /* an undefined type value */
    json_array_append_new(json_object_get(product, "type"), json_string("Gadget"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/product/type/1");
    json_array_remove(json_object_get(product, "type"), 1);
    expect(d, 0, VC_OK, NULL);

    /* a term of a type-scoped context does not reach nested nodes (JSON-LD @propagate false) */
    json_object_set_new(at(product, "dimensions", NULL), "batchNumber", json_string("1"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/product/dimensions/batchNumber");
    json_object_del(at(product, "dimensions", NULL), "batchNumber");
    /* nor the enclosing node */
    json_object_set_new(at(d, "credentialSubject", NULL), "batchNumber", json_string("1"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/batchNumber");
    json_object_del(at(d, "credentialSubject", NULL), "batchNumber");
    /* VerifiableCredential's scoped terms stay on the credential */
    json_object_set_new(at(d, "issuer", NULL), "validFrom", json_string("2024-01-01T00:00:00Z"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/issuer/validFrom");
    json_object_del(at(d, "issuer", NULL), "validFrom");

    /* compact IRIs: defined prefix yes, undefined prefix no; absolute IRIs yes */
    json_object_set_new(product, "schemaorg:color", json_string("red"));
    json_object_set_new(product, "https://example.org/vocab#colour", json_string("red"));
    expect(d, 0, VC_OK, NULL);
    json_object_set_new(product, "schema:color", json_string("red"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/product/schema:color");
    json_object_del(product, "schema:color");
    json_object_set_new(product, "@colour", json_string("red"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/product/@colour");
    json_object_del(product, "@colour");

    /* what sits under an undefined key is dropped with it: one failure, not three */
    json_object_set_new(at(d, "credentialSubject", NULL), "extra", sq("{'colour': 1, 'shade': {'hue': 2}}"));
    vc_error e;
    vc_report *rep;
    ck_assert_int_eq(check(d, 0, &e, &rep), VC_ERR_VOCAB_TERM);
    ck_assert_uint_eq(count_failures(rep, "vocab.terms"), 1);
    vc_report_free(rep);

    /* every undefined term is listed, with its pointer; JSON pointer escaping */
    json_object_set_new(d, "foo", json_true());
    json_object_set_new(json_array_get(at(at(d, "credentialSubject", NULL), "conformityClaim", NULL), 1), "a/b~c",
                        json_true());
    json_object_set_new(product, "colour", json_string("red"));
    ck_assert_int_eq(check(d, 0, &e, &rep), VC_ERR_VOCAB_TERM);
    ck_assert_uint_eq(count_failures(rep, "vocab.terms"), 4);
    ck_assert(has_failure(rep, VC_ERR_VOCAB_TERM, "/foo"));
    ck_assert(has_failure(rep, VC_ERR_VOCAB_TERM, "/credentialSubject/extra"));
    ck_assert(has_failure(rep, VC_ERR_VOCAB_TERM, "/credentialSubject/conformityClaim/1/a~1b~0c"));
    ck_assert(has_failure(rep, VC_ERR_VOCAB_TERM, "/credentialSubject/product/colour"));
    ck_assert_uint_eq(count_failures(rep, "vocab.context"), 0);
    vc_report_free(rep);
    json_decref(d);

    /* 0.6.0, and a credentialSubject that is an array of events */
    d = tu_load_json(tu_shared_path("untp/v0.6.0/dte/DigitalTraceabilityEvent-instance.json"));
    json_object_set_new(json_array_get(at(d, "credentialSubject", NULL), 1), "colour", json_string("red"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/1/colour");
    json_decref(d);
}
END_TEST

START_TEST(untp_vocab_rules)
{
    json_t *d = dpp();
    json_t *ctx = json_object_get(d, "@context");
    json_t *product = at(at(d, "credentialSubject", NULL), "product", NULL);
    /* @vocab in an inline context of a UNTP credential */
    json_array_append_new(ctx, sq("{'@vocab': 'https://example.org/vocab#'}"));
    expect(d, 0, VC_ERR_VOCAB_VOCAB, "/@context/2/@vocab");
    expect(d, VC_VOCAB_ALLOW_VOCAB, VC_OK, NULL);
    /* a term defined only through that @vocab counts as undefined, unless allowed */
    json_object_set_new(product, "colour", json_string("red"));
    vc_error e;
    vc_report *rep;
    ck_assert_int_eq(check(d, 0, &e, &rep), VC_ERR_VOCAB_VOCAB);
    ck_assert(has_failure(rep, VC_ERR_VOCAB_TERM, "/credentialSubject/product/colour"));
    vc_report_free(rep);
    expect(d, VC_VOCAB_ALLOW_VOCAB, VC_OK, NULL);
    json_array_remove(ctx, 2);
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/product/colour");

    /* defining the term explicitly is the way */
    json_array_append_new(ctx, sq("{'colour': 'https://example.org/vocab#colour'}"));
    expect(d, 0, VC_OK, NULL);
    json_array_remove(ctx, 2);
    json_object_del(product, "colour");

    /* @vocab hidden in a scoped context of an inline context, or in an embedded context */
    json_array_append_new(ctx, sq("{'Gadget': {'@id': 'https://example.org/Gadget', '@context': {'@vocab': "
                                  "'https://example.org/g#'}}}"));
    expect(d, 0, VC_ERR_VOCAB_VOCAB, "/@context/2/Gadget/@context/@vocab");
    json_array_remove(ctx, 2);
    json_object_set_new(at(d, "credentialSubject", NULL), "@context", sq("{'@vocab': 'https://example.org/v#'}"));
    expect(d, 0, VC_ERR_VOCAB_VOCAB, "/credentialSubject/@context/@vocab");
    expect(d, VC_VOCAB_ALLOW_VOCAB, VC_OK, NULL);
    /* an embedded null context cannot clear UNTP's protected terms */
    json_object_set_new(at(d, "credentialSubject", NULL), "@context", json_null());
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/credentialSubject/@context");
    json_object_del(at(d, "credentialSubject", NULL), "@context");

    /* an unknown remote context */
    json_array_append_new(ctx, json_string("https://example.org/contexts/unknown/v1"));
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/2");
    ck_assert_int_eq(check(d, 0, &e, &rep), VC_ERR_VOCAB_CONTEXT);
    ck_assert(strstr(e.message, "https://example.org/contexts/unknown/v1") != NULL);
    /* terms are not judged against a context that failed */
    for (size_t i = 0; i < vc_report_count(rep); i++) {
        const char *name;
        vc_check_result r;
        const vc_error *det;
        vc_report_check(rep, i, &name, &r, &det);
        if (strcmp(name, "vocab.terms") == 0)
            ck_assert_int_eq(r, VC_CHECK_SKIP);
    }
    vc_report_free(rep);
    json_array_remove(ctx, 2);

    /* protected terms: UNTP's (Product) and the VC base context's (name) */
    json_array_append_new(ctx, sq("{'Product': 'https://example.org/Product'}"));
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/2/Product");
    json_array_set_new(ctx, 2, sq("{'name': 'https://example.org/name'}"));
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/2/name");
    /* ... the same definition again is no redefinition */
    json_array_set_new(ctx, 2, sq("{'name': {'@id': 'https://schema.org/name'}}"));
    expect(d, 0, VC_OK, NULL);
    /* ... and a UNTP context after an inline one that took its protected term */
    json_array_clear(ctx);
    json_array_append_new(ctx, json_string(V2));
    json_array_append_new(ctx, sq("{'@protected': true, 'Party': 'https://example.org/Party'}"));
    json_array_append_new(ctx, json_string(DPP061));
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/2");
    json_decref(d);
}
END_TEST

START_TEST(caller_contexts)
{
    vc_data *saved = fresh_begin();
    /* an extension context supplied by the caller, marked UNTP */
    const char *ext = "{'@context': {'@protected': true, 'colour': 'https://example.org/ext#colour', "
                      "'loose': {'@id': 'https://example.org/ext#loose', '@context': {'@vocab': 'https://example.org/l#'}}}}";
    json_t *extj = sq(ext);
    char *text = json_dumps(extj, 0);
    vc_error e;
    tu_assert_status(vc_data_add_context(D, "https://example.org/ext/v1", text, strlen(text), VC_DATA_UNTP, &e), VC_OK,
                     &e);
    free(text);
    json_decref(extj);
    json_t *d = dpp();
    json_array_append_new(json_object_get(d, "@context"), json_string("https://example.org/ext/v1"));
    json_t *product = at(at(d, "credentialSubject", NULL), "product", NULL);
    json_object_set_new(product, "colour", json_string("red"));
    expect(d, 0, VC_OK, NULL);
    /* the extension's own scoped @vocab is not an inline @vocab, but what only it defines is undefined for UNTP */
    json_object_set_new(product, "loose", sq("{'anything': 1}"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/product/loose/anything");
    expect(d, VC_VOCAB_ALLOW_VOCAB, VC_OK, NULL);
    json_decref(d);
    fresh_end(saved);
}
END_TEST

START_TEST(presentations)
{
    vc_data *saved = fresh_begin();
    json_t *vp = sq("{'@context': ['" V2 "'], 'type': ['VerifiablePresentation'], 'holder': 'did:example:h', "
                    "'verifiableCredential': []}");
    json_t *vc = dpp();
    json_array_append(json_object_get(vp, "verifiableCredential"), vc);
    expect(vp, 0, VC_OK, NULL);
    json_object_set_new(at(at(vc, "credentialSubject", NULL), "product", NULL), "colour", json_string("red"));
    expect(vp, 0, VC_ERR_VOCAB_TERM, "/verifiableCredential/0/credentialSubject/product/colour");
    /* the embedded credential's @context was processed from the empty context: cached like a top-level one */
    struct vc_vocab_stats st;
    vc_vocab_get_stats(D, &st);
    ck_assert_uint_eq(st.cached, 2);
    /* an enveloped credential is just an id */
    json_array_clear(json_object_get(vp, "verifiableCredential"));
    json_array_append_new(json_object_get(vp, "verifiableCredential"),
                          sq("{'@context': '" V2 "', 'id': 'data:application/vc+jwt,eyJ', 'type': "
                             "'EnvelopedVerifiableCredential'}"));
    expect(vp, 0, VC_OK, NULL);
    json_decref(vc);
    json_decref(vp);
    fresh_end(saved);
}
END_TEST

/* ------------------------------------------------------------ W3C fixtures */

struct w3c_expect {
    const char *file;
    vc_status code;
    const char *path;
};

/* The fixtures whose vocabulary is not fine, with what a JSON-LD 1.1 processor says
 * (jsonld.js 8 agrees on each: undefined/dropped term, protected term redefinition,
 * invalid IRI mapping, invalid local context, unknown remote context). Every other
 * fixture with an @context passes: most use the examples context, whose @vocab
 * defines their extra terms (they are not UNTP credentials). Fixtures that fail the
 * data model for other reasons (ids that are not URLs, bad shapes) are the data-model
 * check's business, not this one's. */
static const struct w3c_expect w3c_expect[] = {
    {"credential-context-combo3-fail.json", VC_ERR_VOCAB_CONTEXT, "/@context/1"},
    {"credential-context-combo4-fail.json", VC_ERR_VOCAB_CONTEXT, "/@context/1"},
    {"credential-no-context-fail-or-inject.json", VC_ERR_VOCAB_CONTEXT, "/@context"},
    {"credential-no-type-fail.json", VC_ERR_VOCAB_TERM, "/credentialSubject"},
    {"credential-proof-missing-type-fail.json", VC_ERR_VOCAB_CONTEXT, "/@context/1"},
    {"credential-proof-ok.json", VC_ERR_VOCAB_TERM, "/proof/proofValue"},
    {"credential-redef-type-fail.json", VC_ERR_VOCAB_CONTEXT, "/@context/1/VerifiableCredential"},
    {"credential-redef-type2-fail.json", VC_ERR_VOCAB_CONTEXT, "/@context/2/ExampleVerifiableCredential"},
    {"credential-type-mapped-nonurl-fail.json", VC_ERR_VOCAB_CONTEXT, "/@context/1/ExampleTestCredential"},
    {"credential-type-unmapped-fail.json", VC_ERR_VOCAB_TERM, "/type/1"},
    {"presentation-no-context-fail-or-inject.json", VC_ERR_VOCAB_CONTEXT, "/@context"},
    {"presentation-vc-missing-required-type-fail.json", VC_ERR_VOCAB_TERM, "/verifiableCredential/0/issuer"},
    /* VC-JOSE-COSE: the verification methods are not credentials and have no @context */
    {"vm-did-ed25519.json", VC_ERR_VOCAB_CONTEXT, "/@context"},
    {"vm-ed25519.json", VC_ERR_VOCAB_CONTEXT, "/@context"},
    {"vm-p256.json", VC_ERR_VOCAB_CONTEXT, "/@context"},
    {"vm-p384.json", VC_ERR_VOCAB_CONTEXT, "/@context"},
    {"vm-p521.json", VC_ERR_VOCAB_CONTEXT, "/@context"},
};

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void run_dir(const char *dir, size_t *total, size_t *pass, size_t *fail)
{
    struct dirent **list;
    int count = scandir(tu_shared_path(dir), &list, NULL, by_name);
    ck_assert_int_ge(count, 0);
    for (int li = 0; li < count; li++) {
        struct dirent *de = list[li];
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        char rel[512];
        snprintf(rel, sizeof rel, "%s/%s", dir, de->d_name);
        json_t *doc = tu_load_json(tu_shared_path(rel));
        if (!json_is_object(doc)) {
            json_decref(doc);
            continue;
        }
        vc_error e;
        vc_report *rep;
        vc_status st = check(doc, 0, &e, &rep);
        const struct w3c_expect *x = NULL;
        for (size_t i = 0; i < sizeof w3c_expect / sizeof w3c_expect[0]; i++)
            if (strcmp(w3c_expect[i].file, de->d_name) == 0)
                x = &w3c_expect[i];
        printf("vocab: %-58s %-22s %s\n", de->d_name, vc_status_name(st), st ? e.path : "");
        if (x) {
            ck_assert_msg(st == x->code, "%s: got %s (%s), want %s", de->d_name, vc_status_name(st), e.message,
                          vc_status_name(x->code));
            ck_assert_msg(has_failure(rep, x->code, x->path), "%s: no %s at %s", de->d_name,
                          vc_status_name(x->code), x->path);
        } else {
            ck_assert_msg(st == VC_OK, "%s: %s at %s: %s", de->d_name, vc_status_name(st), e.path, e.message);
        }
        (*total)++;
        if (st == VC_OK)
            (*pass)++;
        else
            (*fail)++;
        vc_report_free(rep);
        json_decref(doc);
    }
    for (int li = 0; li < count; li++)
        free(list[li]);
    free(list);
}

START_TEST(w3c_fixtures)
{
    size_t total = 0, pass = 0, fail = 0;
    run_dir("vectors/w3c-vc-data-model-2.0-test-suite", &total, &pass, &fail);
    printf("vocab: W3C VCDM 2.0 fixtures: %zu checked, %zu pass, %zu fail\n", total, pass, fail);
    ck_assert_uint_ge(total, 90);
    size_t t2 = 0, p2 = 0, f2 = 0;
    run_dir("vectors/w3c-vc-jose-cose-test-suite", &t2, &p2, &f2);
    printf("vocab: W3C VC-JOSE-COSE plain inputs: %zu checked, %zu pass, %zu fail\n", t2, p2, f2);
    ck_assert_uint_ge(t2, 10);
}
END_TEST

/* ------------------------------------------------------------ JSON-LD features */

START_TEST(jsonld_features)
{
    json_t *d;
    /* keyword aliases */
    d = cred("{'ident': '@id', 'kind': '@type', 'Thing': 'https://ex.org/Thing'}",
             "{'ident': 'did:example:s', 'kind': 'Thing'}");
    expect(d, 0, VC_OK, NULL);
    json_object_set_new(at(d, "credentialSubject", NULL), "kind", json_string("Nope"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/kind");
    json_decref(d);

    /* @nest */
    d = cred("{'meta': '@nest', 'title': {'@id': 'https://ex.org/title', '@nest': 'meta'}}",
             "{'meta': {'title': 'x', 'bogus': 1}}");
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/meta/bogus");
    json_decref(d);

    /* language, index, id and type maps; @json; @list; @set */
    d = cred("{'title': 'https://ex.org/title', 'Thing': 'https://ex.org/Thing',"
             " 'label': {'@id': 'https://ex.org/label', '@container': '@language'},"
             " 'byKey': {'@id': 'https://ex.org/byKey', '@container': '@index'},"
             " 'byId': {'@id': 'https://ex.org/byId', '@container': ['@id', '@set']},"
             " 'byType': {'@id': 'https://ex.org/byType', '@container': '@type'},"
             " 'blob': {'@id': 'https://ex.org/blob', '@type': '@json'},"
             " 'seq': {'@id': 'https://ex.org/seq', '@container': '@list'}}",
             "{'label': {'en': 'x', 'fr': 'y'}, 'byKey': {'a': {'title': 't'}}, 'byId': {'https://x.example/1': "
             "{'title': 't'}}, 'byType': {'Thing': {'title': 't'}}, 'blob': {'any': {'thing': 1}}, 'seq': [{'title': "
             "'a'}, {'@list': [{'title': 'b'}]}], 'title': {'@value': 'v', '@language': 'en'}}");
    expect(d, 0, VC_OK, NULL);
    json_t *s = at(d, "credentialSubject", NULL);
    json_object_set_new(at(s, "byKey", NULL), "b", sq("{'bogus': 1}"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/byKey/b/bogus");
    json_object_del(at(s, "byKey", NULL), "b");
    json_object_set_new(at(s, "byType", NULL), "Unknown", sq("{'title': 1}"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/byType/Unknown");
    json_object_del(at(s, "byType", NULL), "Unknown");
    json_array_append_new(at(s, "seq", NULL), sq("{'bogus': 1}"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/seq/2/bogus");
    json_array_remove(at(s, "seq", NULL), 2);
    json_object_set_new(at(s, "title", NULL), "extra", json_true());
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/title/extra"); /* not allowed in a value object */
    json_decref(d);

    /* @reverse, and @graph / @included */
    d = cred("{'parentOf': {'@reverse': 'https://ex.org/childOf'}, 'title': 'https://ex.org/title'}",
             "{'parentOf': {'title': 't'}, '@reverse': {'title': {'title': 'u'}}, '@included': [{'title': 'i'}]}");
    expect(d, 0, VC_OK, NULL);
    json_object_set_new(at(at(d, "credentialSubject", NULL), "@reverse", NULL), "bogus", sq("{}"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/@reverse/bogus");
    json_decref(d);

    /* property-scoped contexts propagate; type-scoped ones do not, unless @propagate: true */
    d = cred("{'inner': {'@id': 'https://ex.org/inner', '@context': {'deep': 'https://ex.org/deep', 'nested': "
             "'https://ex.org/nested'}}, 'part': 'https://ex.org/part',"
             " 'Box': {'@id': 'https://ex.org/Box', '@context': {'lid': 'https://ex.org/lid'}},"
             " 'Crate': {'@id': 'https://ex.org/Crate', '@context': {'@propagate': true, 'slat': 'https://ex.org/slat'}}}",
             "{'inner': {'nested': {'deep': 1}}, 'part': {'type': 'Crate', 'part': {'slat': 1}}, 'type': 'Box', 'lid': 1}");
    expect(d, 0, VC_OK, NULL);
    json_object_set_new(at(d, "credentialSubject", NULL), "deep", json_true());
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/deep");
    json_object_del(at(d, "credentialSubject", NULL), "deep");
    json_object_set_new(at(at(d, "credentialSubject", NULL), "part", NULL), "lid", json_true());
    json_object_set_new(at(at(at(d, "credentialSubject", NULL), "part", NULL), "part", NULL), "lid", json_true());
    /* "lid" (Box) does not reach part: reported once per place */
    vc_error e;
    vc_report *rep;
    ck_assert_int_eq(check(d, 0, &e, &rep), VC_ERR_VOCAB_TERM);
    ck_assert(has_failure(rep, VC_ERR_VOCAB_TERM, "/credentialSubject/part/lid"));
    ck_assert(has_failure(rep, VC_ERR_VOCAB_TERM, "/credentialSubject/part/part/lid"));
    ck_assert_uint_eq(count_failures(rep, "vocab.terms"), 2);
    vc_report_free(rep);
    json_decref(d);

    /* compact IRIs as terms and as keys; null mappings */
    d = cred("{'ex': 'https://ex.org/', 'ex:thing': {'@type': '@id'}, 'hidden': null}",
             "{'ex:thing': 'https://x.example/', 'ex:other': 1}");
    expect(d, 0, VC_OK, NULL);
    json_object_set_new(at(d, "credentialSubject", NULL), "hidden", json_true());
    expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/hidden");
    json_decref(d);

    /* a prefix defined after the terms that use it (definitions resolve their dependencies) */
    d = cred("{'ex:thing': {'@type': '@id'}, 'a': 'ex:a', 'Kind': {'@id': 'ex:Kind', '@context': {'b': 'ex:b'}}, "
             "'ex': 'https://ex.org/'}",
             "{'ex:thing': 'https://x.example/', 'a': 1, 'ex:other': 2, 'type': 'Kind', 'b': 3}");
    expect(d, 0, VC_OK, NULL);
    json_decref(d);

    /* values of a property typed @vocab expand like types: proofPurpose's scoped context defines its values */
    d = sq("{'@context': ['" V2 "'], 'type': ['VerifiableCredential'], 'issuer': 'did:example:1', "
           "'credentialSubject': {'id': 'did:example:2'}, 'proof': {'type': 'DataIntegrityProof', "
           "'cryptosuite': 'eddsa-rdfc-2022', 'proofPurpose': 'assertionMethod', 'proofValue': 'z1', "
           "'verificationMethod': 'did:example:1#k'}}");
    expect(d, 0, VC_OK, NULL);
    json_object_set_new(at(d, "proof", NULL), "proofPurpose", json_string("bogusPurpose"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/proof/proofPurpose");
    json_object_set_new(at(d, "proof", NULL), "proofPurpose", sq("['authentication', 'nope']"));
    expect(d, 0, VC_ERR_VOCAB_TERM, "/proof/proofPurpose/1");
    json_decref(d);

    /* a non-UNTP credential may rely on @vocab (the examples context) */
    d = sq("{'@context': ['" V2 "', '" EX2 "'], 'type': ['VerifiableCredential', 'MyCredential'], "
           "'credentialSubject': {'anything': {'goes': 1}}}");
    expect(d, 0, VC_OK, NULL);
    json_decref(d);

    /* context errors */
    d = cred("{'a': 'b:x', 'b': 'a:y'}", "{}");
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/1/a");
    json_decref(d);
    d = cred("{'@id': 'https://ex.org/'}", "{}");
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/1/@id");
    json_decref(d);
    d = cred("{'x': {'@id': 'https://ex.org/x', '@container': '@bogus'}}", "{}");
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/1/x");
    json_decref(d);
    d = cred("{'x': {'@id': 'https://ex.org/x', 'foo': 1}}", "{}");
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/1/x");
    json_decref(d);
    d = cred("{'x': 'notaniri'}", "{}");
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/1/x");
    json_decref(d);
    d = cred("{'@version': 1.0}", "{}");
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/1/@version");
    json_decref(d);
    d = cred("3", "{}");
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/1");
    json_decref(d);
    /* a scoped context is checked where it applies */
    d = cred("{'Box': {'@id': 'https://ex.org/Box', '@context': {'name': 'https://ex.org/other-name'}}}",
             "{'type': 'Box'}");
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/credentialSubject");
    json_decref(d);
}
END_TEST

START_TEST(import_and_remote_nesting)
{
    vc_data *saved = fresh_begin();
    const char *base = "{\"@context\": {\"shade\": \"https://ex.org/shade\", \"hue\": \"https://ex.org/hue\"}}";
    vc_error e;
    tu_assert_status(vc_data_add_context(D, "https://ex.org/base", base, strlen(base), 0, &e), VC_OK, &e);
    const char *outer = "{\"@context\": [\"https://ex.org/base\", {\"tone\": \"https://ex.org/tone\"}]}";
    tu_assert_status(vc_data_add_context(D, "https://ex.org/outer", outer, strlen(outer), 0, &e), VC_OK, &e);
    const char *loop = "{\"@context\": [\"https://ex.org/loop\"]}";
    tu_assert_status(vc_data_add_context(D, "https://ex.org/loop", loop, strlen(loop), 0, &e), VC_OK, &e);
    json_t *d = cred("{'@import': 'https://ex.org/base', 'tone': 'https://ex.org/tone'}", "{'shade': 1, 'tone': 2}");
    expect(d, 0, VC_OK, NULL);
    json_decref(d);
    d = cred("'https://ex.org/outer'", "{'shade': 1, 'tone': 2, 'hue': 3}");
    expect(d, 0, VC_OK, NULL);
    json_decref(d);
    d = cred("'https://ex.org/loop'", "{}");
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/1");
    json_decref(d);
    fresh_end(saved);
}
END_TEST

/* ------------------------------------------------------------ caching */

START_TEST(contexts_are_processed_once)
{
    vc_data *saved = fresh_begin();
    json_t *d = dpp();
    struct vc_vocab_stats s0, s1, s2;
    vc_vocab_get_stats(D, &s0);
    ck_assert_uint_eq(s0.cached, 0);
    expect(d, 0, VC_OK, NULL);
    vc_vocab_get_stats(D, &s1);
    ck_assert_uint_eq(s1.cached, 1);
    ck_assert_uint_gt(s1.derived, 0);
    for (int i = 0; i < 20; i++)
        expect(d, 0, VC_OK, NULL);
    vc_vocab_get_stats(D, &s2);
    ck_assert_uint_eq(s2.cached, 1);
    ck_assert_uint_eq(s2.derived, s1.derived);
    ck_assert_uint_eq(s2.shared_bytes, s1.shared_bytes);
    /* the same inline context with its members in another order is the same @context */
    json_array_append_new(json_object_get(d, "@context"), sq("{'a': 'https://ex.org/a', 'b': 'https://ex.org/b'}"));
    expect(d, 0, VC_OK, NULL);
    json_array_set_new(json_object_get(d, "@context"), 2, sq("{'b': 'https://ex.org/b', 'a': 'https://ex.org/a'}"));
    expect(d, 0, VC_OK, NULL);
    vc_vocab_get_stats(D, &s2);
    ck_assert_uint_eq(s2.cached, 2);
    /* failures are not cached */
    json_array_set_new(json_object_get(d, "@context"), 2, sq("{'Product': 'https://ex.org/P'}"));
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/2/Product");
    expect(d, 0, VC_ERR_VOCAB_CONTEXT, "/@context/2/Product");
    vc_vocab_get_stats(D, &s2);
    ck_assert_uint_eq(s2.cached, 2);
    printf("vocab: cache after the DPP: %zu @context values, %zu scoped results, %zu bytes\n", s1.cached, s1.derived,
           s1.shared_bytes);
    json_decref(d);
    fresh_end(saved);
}
END_TEST

START_TEST(cache_is_bounded)
{
    vc_data *saved = fresh_begin();
    /* more distinct inline contexts than the cache keeps: still checked, memory bounded */
    for (int i = 0; i < VC_VOCAB_MAX_CACHED + 20; i++) {
        char ctx[128];
        snprintf(ctx, sizeof ctx, "{'t%d': 'https://ex.org/t%d'}", i, i);
        char subj[64];
        snprintf(subj, sizeof subj, "{'t%d': 1}", i);
        json_t *d = cred(ctx, subj);
        expect(d, 0, VC_OK, NULL);
        json_object_set_new(at(d, "credentialSubject", NULL), "u", json_true());
        expect(d, 0, VC_ERR_VOCAB_TERM, "/credentialSubject/u");
        json_decref(d);
    }
    struct vc_vocab_stats s;
    vc_vocab_get_stats(D, &s);
    ck_assert_uint_eq(s.cached, VC_VOCAB_MAX_CACHED);
    fresh_end(saved);
}
END_TEST

/* ------------------------------------------------------------ threads */

struct thread_arg {
    vc_data *d;
    json_t *good[16], *bad[16];
    size_t n;
    int wrong;
};

static void *hammer(void *p)
{
    struct thread_arg *a = p;
    for (int round = 0; round < 30; round++)
        for (size_t i = 0; i < a->n; i++) {
            vc_error e;
            if (vc_vocab_check_json(a->d, a->good[i], 0, NULL, &e) != VC_OK)
                a->wrong++;
            if (vc_vocab_check_json(a->d, a->bad[i], 0, NULL, &e) != VC_ERR_VOCAB_TERM ||
                strcmp(e.path, "/zzz") != 0)
                a->wrong++;
        }
    return NULL;
}

static void collect(const char *rel, void *arg)
{
    struct thread_arg *a = arg;
    if (a->n < 16) {
        a->good[a->n] = tu_load_json(tu_shared_path(rel));
        a->bad[a->n] = json_deep_copy(a->good[a->n]);
        json_object_set_new(a->bad[a->n], "zzz", json_true());
        a->n++;
    }
}

START_TEST(threads_share_one_registry)
{
    vc_data *d = NULL;
    vc_error e;
    tu_assert_status(vc_data_open(NULL, &d, &e), VC_OK, &e); /* fresh: the threads fill the caches together */
    static struct thread_arg base;
    memset(&base, 0, sizeof base);
    each_sample("v0.6.1", "untp-*-instance.json", collect, &base);
    each_sample("v0.6.0", "Digital*-instance.json", collect, &base);
    enum { T = 8 };
    static struct thread_arg args[T];
    pthread_t th[T];
    for (int t = 0; t < T; t++) {
        args[t] = base;
        args[t].d = d;
        ck_assert_int_eq(pthread_create(&th[t], NULL, hammer, &args[t]), 0);
    }
    for (int t = 0; t < T; t++) {
        pthread_join(th[t], NULL);
        ck_assert_int_eq(args[t].wrong, 0);
    }
    struct vc_vocab_stats s;
    vc_vocab_get_stats(d, &s);
    ck_assert_uint_eq(s.cached, base.n);
    for (size_t i = 0; i < base.n; i++) {
        json_decref(base.good[i]);
        json_decref(base.bad[i]);
    }
    vc_data_free(d);
}
END_TEST

/* ------------------------------------------------------------ limits and API */

START_TEST(failures_are_bounded)
{
    json_t *d = dpp();
    json_t *s = at(d, "credentialSubject", NULL);
    for (int i = 0; i < 200; i++) {
        char k[16];
        snprintf(k, sizeof k, "x%03d", i);
        json_object_set_new(s, k, json_true());
    }
    vc_error e;
    vc_report *rep;
    ck_assert_int_eq(check(d, 0, &e, &rep), VC_ERR_VOCAB_TERM);
    ck_assert_uint_eq(count_failures(rep, "vocab.terms"), VC_VOCAB_MAX_REPORTED + 1);
    const char *name;
    vc_check_result r;
    const vc_error *det;
    vc_report_check(rep, vc_report_count(rep) - 1, &name, &r, &det);
    ck_assert(strstr(det->message, "136 more") != NULL);
    vc_report_free(rep);
    json_decref(d);
}
END_TEST

START_TEST(deep_documents)
{
    /* deeper than any parsed document can be: the walk stops and says so */
    json_t *d = sq("{'@context': ['" V2 "', '" EX2 "'], 'type': 'VerifiableCredential'}");
    json_t *cur = d;
    for (int i = 0; i < 400; i++) {
        json_t *n = json_object();
        json_object_set_new(cur, "next", n);
        cur = n;
    }
    vc_error e;
    ck_assert_int_eq(check(d, 0, &e, NULL), VC_ERR_JSON_DEPTH);
    json_decref(d);
}
END_TEST

START_TEST(hostile_contexts)
{
    vc_data *saved = fresh_begin();
    /* a chain of term definitions deeper than VC_VOCAB_MAX_TERM_DEPTH */
    json_t *ctx = json_object();
    char k[32], v[48];
    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof k, "t%d", i);
        snprintf(v, sizeof v, "t%d:x", i + 1);
        json_object_set_new(ctx, k, json_string(v));
    }
    json_object_set_new(ctx, "t100", json_string("https://ex.org/"));
    json_t *d = cred("{}", "{'t0': 1}");
    json_array_set_new(json_object_get(d, "@context"), 1, ctx);
    vc_error e;
    ck_assert_int_eq(check(d, 0, &e, NULL), VC_ERR_VOCAB_CONTEXT);
    ck_assert(strstr(e.message, "chain") != NULL);
    json_decref(d);

    /* a very large inline context: checked, but not kept in the cache */
    ctx = json_object();
    for (int i = 0; i < 20000; i++) {
        snprintf(k, sizeof k, "term%d", i);
        snprintf(v, sizeof v, "https://ex.org/vocab#term%d", i);
        json_object_set_new(ctx, k, json_string(v));
    }
    d = cred("{}", "{'term19999': 1}");
    json_array_set_new(json_object_get(d, "@context"), 1, ctx);
    expect(d, 0, VC_OK, NULL);
    struct vc_vocab_stats st;
    vc_vocab_get_stats(D, &st);
    ck_assert_uint_eq(st.cached, 0);
    json_decref(d);

    /* the same remote context many times over */
    d = cred("'" V2 "'", "{'name': 'x'}");
    json_t *arr = json_object_get(d, "@context");
    for (int i = 0; i < 500; i++)
        json_array_append_new(arr, json_string(V2));
    expect(d, 0, VC_OK, NULL);
    json_decref(d);
    fresh_end(saved);
}
END_TEST

START_TEST(api_edges)
{
    vc_error e;
    vc_report *rep = NULL;
    json_t *arr = json_array();
    tu_assert_status(vc_vocab_check_json(D, arr, 0, NULL, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_vocab_check_json(NULL, arr, 0, NULL, &e), VC_ERR_INVALID_ARG, &e);
    json_decref(arr);
    json_t *d = dpp();
    tu_assert_status(vc_vocab_check_json(D, d, 0x100, NULL, &e), VC_ERR_INVALID_ARG, &e);
    json_decref(d);
    tu_assert_status(vc_vocab_check(D, "{", 1, 0, &rep, &e), VC_ERR_JSON, &e);
    ck_assert_ptr_nonnull(rep);
    ck_assert(!vc_report_valid(rep));
    vc_report_free(rep);
    tu_assert_status(vc_vocab_check(D, "{}", 2, 0, &rep, &e), VC_ERR_VOCAB_CONTEXT, &e);
    ck_assert_str_eq(e.path, "/@context");
    vc_report_free(rep);
    tu_assert_status(vc_vocab_check(NULL, "{}", 2, 0, NULL, &e), VC_ERR_INVALID_ARG, &e);
    /* report: input.json, vocab.context, vocab.terms; the credential's prefix is honoured */
    d = dpp();
    rep = vc_report_new();
    vc_report_set_prefix(rep, "credential[0]");
    tu_assert_status(vc_vocab_check_json(D, d, 0, rep, &e), VC_OK, &e);
    ck_assert_uint_eq(vc_report_count(rep), 2);
    const char *name;
    vc_check_result r;
    const vc_error *det;
    vc_report_check(rep, 0, &name, &r, &det);
    ck_assert_str_eq(name, "credential[0].vocab.context");
    vc_report_check(rep, 1, &name, &r, &det);
    ck_assert_str_eq(name, "credential[0].vocab.terms");
    ck_assert_int_eq(r, VC_CHECK_PASS);
    vc_report_free(rep);
    json_decref(d);
}
END_TEST

int main(void)
{
    vc_init();
    vc_error e;
    if (vc_data_open(NULL, &D, &e) != VC_OK) {
        fprintf(stderr, "cannot open the data directory: %s\n", e.message);
        return 1;
    }
    Suite *s = suite_create("vocab");
    TCase *tc = tcase_create("vocab");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, untp_samples_pass);
    tcase_add_test(tc, untp_undefined_terms);
    tcase_add_test(tc, untp_vocab_rules);
    tcase_add_test(tc, caller_contexts);
    tcase_add_test(tc, presentations);
    tcase_add_test(tc, w3c_fixtures);
    tcase_add_test(tc, jsonld_features);
    tcase_add_test(tc, import_and_remote_nesting);
    tcase_add_test(tc, contexts_are_processed_once);
    tcase_add_test(tc, cache_is_bounded);
    tcase_add_test(tc, threads_share_one_registry);
    tcase_add_test(tc, failures_are_bounded);
    tcase_add_test(tc, deep_documents);
    tcase_add_test(tc, hostile_contexts);
    tcase_add_test(tc, api_edges);
    suite_add_tcase(s, tc);
    int rc = tu_run(s);
    vc_data_free(D);
    return rc;
}
