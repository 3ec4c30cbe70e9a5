/*
 * suite.c - the UNTP conformance suite engine (vc/conformance.h): verify every
 * input, map the report's checks to the tier tests, evaluate the tier-3 trust
 * graph, and serialise the results as JUnit XML, JSON and TAP 13.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../verify/verify_internal.h"
#include "claims.h"
#include "vc/conformance.h"

#define VC2_CONTEXT "https://www.w3.org/ns/credentials/v2"
#define UNTP_CONTEXT_PREFIX "https://test.uncefact.org/vocabulary/untp/"

typedef struct input {
    char *name;
    char *text;
    size_t len;
} input;

typedef struct result {
    size_t input;
    char *test;
    int tier;
    vc_test_result result;
    const char *code; /* static */
    char *message;
} result;

struct vc_suite {
    vc_verifier *verifier; /* borrowed */
    vc_validator *validator;
    vc_trust *trust;
    int tier;
    input *inputs;
    size_t ninputs, cap;
    result *results;
    size_t nresults, rcap;
};

/* --------------------------------------------------------------- helpers */

/* A malloc'd printf; NULL on failure. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

static void clear_results(vc_suite *s)
{
    for (size_t i = 0; i < s->nresults; i++) {
        free(s->results[i].test);
        free(s->results[i].message);
    }
    s->nresults = 0;
}

/* Append a result; test and message are taken over (message may be NULL). */
static vc_status add_result(vc_suite *s, size_t in, char *test, int tier, vc_test_result r, const char *code,
                            char *message, vc_error *err)
{
    if (!test) {
        free(message);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    if (s->nresults == s->rcap) {
        size_t cap = s->rcap ? s->rcap * 2 : 64;
        result *nr = realloc(s->results, cap * sizeof *nr);
        if (!nr) {
            free(test);
            free(message);
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        }
        s->results = nr;
        s->rcap = cap;
    }
    s->results[s->nresults++] = (result){in, test, tier, r, r == VC_TEST_FAIL ? code : NULL, message};
    return VC_OK;
}

/* ---------------------------------------------------------------- public */

const char *vc_test_result_name(vc_test_result r)
{
    return r == VC_TEST_PASS ? "pass" : r == VC_TEST_FAIL ? "fail" : "skip";
}

vc_status vc_suite_new(vc_verifier *v, vc_validator *val, vc_trust *trust, vc_suite **out, vc_error *err)
{
    if (out)
        *out = NULL;
    if (!v || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "suite_new: NULL argument");
    vc_suite *s = calloc(1, sizeof *s);
    if (!s)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    s->verifier = v;
    s->validator = val;
    s->trust = trust;
    s->tier = VC_SUITE_MAX_TIER;
    if (val)
        vc_verifier_set_validator(v, val);
    if (trust)
        vc_verifier_set_trust(v, trust);
    *out = s;
    return VC_OK;
}

void vc_suite_free(vc_suite *s)
{
    if (!s)
        return;
    clear_results(s);
    free(s->results);
    for (size_t i = 0; i < s->ninputs; i++) {
        free(s->inputs[i].name);
        free(s->inputs[i].text);
    }
    free(s->inputs);
    free(s);
}

vc_status vc_suite_set_tier(vc_suite *s, int tier, vc_error *err)
{
    if (!s || tier < 1 || tier > VC_SUITE_MAX_TIER)
        return vc_fail(err, VC_ERR_INVALID_ARG, "tier", "the tier must be 1, 2 or 3");
    s->tier = tier;
    return VC_OK;
}

vc_status vc_suite_add(vc_suite *s, const char *name, const char *text, size_t len, vc_error *err)
{
    if (!s || !name || (!text && len))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "suite_add: NULL argument");
    if (s->ninputs >= VC_SUITE_MAX_INPUTS)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "more than %u credentials in one suite", VC_SUITE_MAX_INPUTS);
    if (len > VC_MAX_INPUT_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "%s: larger than %u bytes", name, (unsigned)VC_MAX_INPUT_BYTES);
    if (s->ninputs == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        input *ni = realloc(s->inputs, cap * sizeof *ni);
        if (!ni)
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        s->inputs = ni;
        s->cap = cap;
    }
    input *in = &s->inputs[s->ninputs];
    in->name = vc_strdup(name);
    in->text = malloc(len + 1);
    if (!in->name || !in->text) {
        free(in->name);
        free(in->text);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    if (len)
        memcpy(in->text, text, len);
    in->text[len] = '\0';
    in->len = len;
    s->ninputs++;
    return VC_OK;
}

size_t vc_suite_count(const vc_suite *s)
{
    return s ? s->nresults : 0;
}

vc_status vc_suite_result_at(const vc_suite *s, size_t i, vc_suite_result *out, vc_error *err)
{
    if (!s || !out || i >= s->nresults)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "suite result index out of range");
    const result *r = &s->results[i];
    *out = (vc_suite_result){s->inputs[r->input].name, r->test, r->tier, r->result, r->code, r->message};
    return VC_OK;
}

void vc_suite_totals(const vc_suite *s, size_t *passed, size_t *failed, size_t *skipped)
{
    size_t p = 0, f = 0, k = 0;
    for (size_t i = 0; s && i < s->nresults; i++) {
        if (s->results[i].result == VC_TEST_PASS)
            p++;
        else if (s->results[i].result == VC_TEST_FAIL)
            f++;
        else
            k++;
    }
    if (passed)
        *passed = p;
    if (failed)
        *failed = f;
    if (skipped)
        *skipped = k;
}

/* ------------------------------------------------------------------ run */

/* Which tier test a report check belongs to ("credential[N]." prefixes of
 * presentations stripped). NULL: not mapped. */
static const struct {
    const char *check; /* exact name, or a prefix ending in '.' */
    const char *test;
} MAP[] = {
    {"input.format", "tier1.envelope"},   {"jws.header", "tier1.envelope"},  {"jws.typ", "tier1.envelope"},
    {"header.", "tier1.envelope"},        {"cose.header", "tier1.envelope"}, {"cose.typ", "tier1.envelope"},
    {"payload.", "tier1.envelope"},       {"jwt.claims", "tier1.envelope"},  {"cwt.", "tier1.envelope"},
    {"input.json", "tier1.datamodel"},    {"datamodel.", "tier1.datamodel"}, {"validity", "tier1.validity"},
    {"schema.vcdm", "tier1.schema"},      {"vocab.", "tier1.jsonld"},        {"issuer.key", "tier1.signature"},
    {"jws.signature", "tier1.signature"}, {"cose.signature", "tier1.signature"}, {"status", "tier1.status"},
    {"schema.untp", "tier2.schema"},      {"schema.extension", "tier2.schema"}, {"trust.anchor", "tier3.issuer"},
};
#define NMAP (sizeof MAP / sizeof MAP[0])

static const char *strip_prefix(const char *name)
{
    while (strncmp(name, "credential[", 11) == 0) {
        const char *dot = strstr(name, "].");
        if (!dot)
            break;
        name = dot + 2;
    }
    return name;
}

static const char *map_check(const char *name)
{
    name = strip_prefix(name);
    for (size_t i = 0; i < NMAP; i++) {
        size_t n = strlen(MAP[i].check);
        if (MAP[i].check[n - 1] == '.' ? strncmp(name, MAP[i].check, n) == 0 : strcmp(name, MAP[i].check) == 0)
            return MAP[i].test;
    }
    return NULL;
}

/* Summary of the checks that map to one test. */
typedef struct agg {
    int present, passed, failed;
    const char *first_name;  /* first failing check */
    const vc_error *first;   /* its detail */
    const char *skip_name;   /* a skipped check, for the message */
    const vc_error *skipped; /* its detail, when any */
} agg;

static agg aggregate(const vc_report *rep, const char *test)
{
    agg a = {0};
    size_t n = rep ? vc_report_count(rep) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *name;
        vc_check_result r;
        const vc_error *d;
        if (vc_report_check(rep, i, &name, &r, &d) != VC_OK)
            continue;
        const char *t = map_check(name);
        if (!t || strcmp(t, test) != 0)
            continue;
        a.present++;
        if (r == VC_CHECK_FAIL) {
            if (!a.failed++) {
                a.first_name = name;
                a.first = d;
            }
        } else if (r == VC_CHECK_PASS || r == VC_CHECK_WARN)
            a.passed++;
        else if (!a.skip_name) {
            a.skip_name = name;
            a.skipped = d;
        }
    }
    return a;
}

/* A result from an aggregate: fail (first failure), pass, or skip. */
static vc_status agg_result(vc_suite *s, size_t in, const char *test, int tier, const agg *a, const char *absent,
                            char *pass_note, vc_error *err)
{
    if (a->failed) {
        free(pass_note);
        const vc_error *d = a->first;
        char *msg = d && d->path[0] ? fmt("%s: %s (at %s)", a->first_name, d->message, d->path)
                                    : fmt("%s: %s", a->first_name, d ? d->message : "failed");
        return add_result(s, in, vc_strdup(test), tier, VC_TEST_FAIL, d ? vc_status_name(d->code) : "VC_ERR_INTERNAL",
                          msg, err);
    }
    if (a->passed) {
        return add_result(s, in, vc_strdup(test), tier, VC_TEST_PASS, NULL, pass_note, err);
    }
    free(pass_note);
    char *msg;
    if (a->present)
        msg = a->skipped && a->skipped->message[0] ? fmt("%s: %s", a->skip_name, a->skipped->message)
                                                   : fmt("%s: not run (an earlier check failed)", a->skip_name);
    else
        msg = vc_strdup(absent);
    return add_result(s, in, vc_strdup(test), tier, VC_TEST_SKIP, NULL, msg, err);
}

/* Per input state of a run. */
typedef struct state {
    vc_report *rep;
    json_t *doc;  /* the decoded credential (verified or not), or NULL */
    int verified; /* every check but trust.anchor passed */
    int anchored; /* trust.anchor passed */
} state;

static vc_untp_kind kind_of(const json_t *doc)
{
    static const vc_untp_kind kinds[] = {VC_UNTP_DPP, VC_UNTP_DCC, VC_UNTP_DTE, VC_UNTP_DFR, VC_UNTP_DIA};
    for (size_t i = 0; doc && i < sizeof kinds / sizeof kinds[0]; i++)
        if (vc_claims_has_type(doc, vc_untp_kind_type(kinds[i])))
            return kinds[i];
    return VC_UNTP_NONE;
}

static int is_presentation(const json_t *doc)
{
    return vc_claims_has_type(doc, "VerifiablePresentation");
}

static vc_status tier1(vc_suite *s, size_t in, state *st, vc_error *err)
{
    static const struct {
        const char *test, *absent;
    } T[] = {
        {"tier1.envelope", "no securing checks ran"},
        {"tier1.datamodel", "the data model was not checked (the payload could not be decoded)"},
        {"tier1.validity", "the validity window was not checked"},
        {"tier1.schema", "the W3C VC JSON Schema was not checked (no validator, or --no-schema)"},
        {"tier1.jsonld", "the JSON-LD vocabulary was not checked (no validator, or --no-vocab)"},
        {"tier1.signature", "the signature was not checked"},
    };
    vc_status rc;
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        agg a = aggregate(st->rep, T[i].test);
        if (strcmp(T[i].test, "tier1.schema") == 0 && !a.present && is_presentation(st->doc)) {
            if ((rc = add_result(s, in, vc_strdup(T[i].test), 1, VC_TEST_SKIP, NULL,
                                 vc_strdup("presentations have no W3C JSON Schema check (their credentials do)"),
                                 err)) != VC_OK)
                return rc;
            continue;
        }
        if ((rc = agg_result(s, in, T[i].test, 1, &a, T[i].absent, NULL, err)) != VC_OK)
            return rc;
    }
    agg a = aggregate(st->rep, "tier1.status");
    if (a.present && (rc = agg_result(s, in, "tier1.status", 1, &a, "", NULL, err)) != VC_OK)
        return rc;
    return VC_OK;
}

/* tier2.context: VC 2.0 context first, then the UNTP context of the type. */
static vc_status context_order(vc_suite *s, size_t in, const json_t *doc, vc_untp_kind kind, vc_error *err)
{
    const char *T = "tier2.context";
    if (!doc)
        return add_result(s, in, vc_strdup(T), 2, VC_TEST_SKIP, NULL, vc_strdup("the payload could not be decoded"),
                          err);
    json_t *ctx = json_object_get(doc, "@context");
    const char *c0 = json_is_array(ctx) ? json_string_value(json_array_get(ctx, 0)) : json_string_value(ctx);
    if (!c0 || strcmp(c0, VC2_CONTEXT) != 0)
        return add_result(s, in, vc_strdup(T), 2, VC_TEST_FAIL, vc_status_name(VC_ERR_DM_CONTEXT),
                          fmt("@context must start with %s", VC2_CONTEXT), err);
    if (kind == VC_UNTP_NONE)
        return add_result(s, in, vc_strdup(T), 2, VC_TEST_PASS, NULL,
                          vc_strdup("not a UNTP type: only the VC 2.0 context is required first"), err);
    const char *kname = vc_untp_kind_name(kind);
    char prefix[96];
    snprintf(prefix, sizeof prefix, "%s%s/", UNTP_CONTEXT_PREFIX, kname);
    const char *c1 = json_is_array(ctx) ? json_string_value(json_array_get(ctx, 1)) : NULL;
    if (c1 && strncmp(c1, prefix, strlen(prefix)) == 0)
        return add_result(s, in, vc_strdup(T), 2, VC_TEST_PASS, NULL, NULL, err);
    /* is it listed later? */
    size_t where = 0;
    for (size_t i = 2; json_is_array(ctx) && i < json_array_size(ctx); i++) {
        const char *c = json_string_value(json_array_get(ctx, i));
        if (c && strncmp(c, prefix, strlen(prefix)) == 0) {
            where = i;
            break;
        }
    }
    char *msg = where ? fmt("the UNTP %s context (%s...) must come second in @context, right after %s; it is at "
                            "index %zu",
                            kname, prefix, VC2_CONTEXT, where)
                      : fmt("a %s must list the UNTP %s context (%s<version>/) second in @context, right after %s",
                            vc_untp_kind_type(kind), kname, prefix, VC2_CONTEXT);
    return add_result(s, in, vc_strdup(T), 2, VC_TEST_FAIL, vc_status_name(VC_ERR_DM_CONTEXT), msg, err);
}

static vc_status tier2(vc_suite *s, size_t in, state *st, vc_error *err)
{
    vc_status rc;
    vc_untp_kind kind = kind_of(st->doc);
    agg schema = aggregate(st->rep, "tier2.schema");
    int extension = 0;
    size_t n = st->rep ? vc_report_count(st->rep) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *name;
        vc_check_result r;
        const vc_error *d;
        if (vc_report_check(st->rep, i, &name, &r, &d) == VC_OK && strcmp(strip_prefix(name), "schema.extension") == 0)
            extension = 1;
    }
    /* tier2.type */
    if (!st->doc)
        rc = add_result(s, in, vc_strdup("tier2.type"), 2, VC_TEST_SKIP, NULL,
                        vc_strdup("the payload could not be decoded"), err);
    else if (is_presentation(st->doc))
        rc = add_result(s, in, vc_strdup("tier2.type"), 2, VC_TEST_SKIP, NULL,
                        vc_strdup("a presentation: give its credentials as separate inputs for tier 2"), err);
    else if (kind != VC_UNTP_NONE) {
        const char *untp = st->rep ? vc_report_untp(st->rep) : NULL;
        rc = add_result(s, in, vc_strdup("tier2.type"), 2, VC_TEST_PASS, NULL,
                        untp ? vc_strdup(untp) : vc_strdup(vc_untp_kind_name(kind)), err);
    } else if (extension)
        rc = add_result(s, in, vc_strdup("tier2.type"), 2, VC_TEST_PASS, NULL,
                        vc_strdup("an extension type with a mapped schema"), err);
    else
        rc = add_result(s, in, vc_strdup("tier2.type"), 2, VC_TEST_FAIL, vc_status_name(VC_ERR_SCHEMA_UNKNOWN),
                        vc_strdup("type lists no UNTP credential type (DigitalProductPassport, "
                                  "DigitalConformityCredential, DigitalTraceabilityEvent, DigitalFacilityRecord, "
                                  "DigitalIdentityAnchor) and no type of the --schema-map"),
                        err);
    if (rc != VC_OK)
        return rc;
    if (st->doc && is_presentation(st->doc))
        rc = add_result(s, in, vc_strdup("tier2.context"), 2, VC_TEST_SKIP, NULL,
                        vc_strdup("a presentation"), err);
    else
        rc = context_order(s, in, st->doc, kind, err);
    if (rc != VC_OK)
        return rc;
    const char *absent = !s->validator ? "no validator: UNTP schemas not checked"
                         : st->doc && kind == VC_UNTP_NONE && !extension
                             ? "no UNTP or mapped schema applies to this type"
                             : "the UNTP schema was not checked (--no-schema, or the payload could not be decoded)";
    return agg_result(s, in, "tier2.schema", 2, &schema, absent, NULL, err);
}

static vc_status tier3_issuer(vc_suite *s, size_t in, state *st, vc_error *err)
{
    const char *T = "tier3.issuer";
    const char *issuer = st->rep ? vc_report_issuer(st->rep) : NULL;
    if (!s->trust)
        return add_result(s, in, vc_strdup(T), 3, VC_TEST_SKIP, NULL,
                          vc_strdup("no trust roots given (--trust-did): issuers not checked"), err);
    agg a = aggregate(st->rep, T);
    if (a.failed) {
        const vc_error *d = a.first;
        return add_result(s, in, vc_strdup(T), 3, VC_TEST_FAIL, d ? vc_status_name(d->code) : "VC_ERR_TRUST_UNANCHORED",
                          fmt("issuer %s is not anchored to a trusted root: %s", issuer ? issuer : "(unknown)",
                              d ? d->message : "no DIA chain"),
                          err);
    }
    if (a.passed) {
        const char *anchor = vc_report_anchor(st->rep);
        return add_result(s, in, vc_strdup(T), 3, VC_TEST_PASS, NULL,
                          fmt("issuer %s anchored to %s", issuer ? issuer : "(unknown)", anchor ? anchor : "a root"),
                          err);
    }
    return add_result(s, in, vc_strdup(T), 3, VC_TEST_SKIP, NULL,
                      fmt("issuer %s: not checked (the credential did not verify)", issuer ? issuer : "(unknown)"),
                      err);
}

static vc_status tier3_claims(vc_suite *s, state *sts, vc_error *err)
{
    size_t n = s->ninputs;
    json_t **docs = calloc(n ? n : 1, sizeof *docs);
    int *usable = calloc(n ? n : 1, sizeof *usable);
    if (!docs || !usable) {
        free(docs);
        free(usable);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    /* unverified DPPs still have their claims listed (and failing); only DCCs need to be usable */
    for (size_t i = 0; i < n; i++) {
        docs[i] = sts[i].doc && !is_presentation(sts[i].doc) ? sts[i].doc : json_null();
        usable[i] = sts[i].verified && (!s->trust || sts[i].anchored);
    }
    vc_claim_result *cr = NULL;
    size_t ncr = 0;
    vc_status rc = vc_claims_evaluate(docs, usable, n, &cr, &ncr, err);
    for (size_t i = 0; rc == VC_OK && i < ncr; i++) {
        const vc_claim_result *c = &cr[i];
        const char *dpp_id = vc_json_str(docs[c->doc], "id");
        char *test = c->claim_id ? fmt("tier3.claim[%s]", c->claim_id) : fmt("tier3.claim[%s]", c->path);
        if (c->criteria && c->verified == c->criteria)
            rc = add_result(s, c->doc, test, 3, VC_TEST_PASS, NULL,
                            fmt("claim %s backed by DCC %s (%s)", c->claim_id ? c->claim_id : c->path,
                                vc_json_str(docs[c->dcc], "id") ? vc_json_str(docs[c->dcc], "id") : "(no id)",
                                s->inputs[c->dcc].name),
                            err);
        else {
            char *msg;
            if (!c->criteria)
                msg = fmt("claim %s of DPP %s (topic %s) has no assessmentCriteria, so no DCC can back it",
                          c->claim_id ? c->claim_id : c->path, dpp_id ? dpp_id : "(no id)", c->topic ? c->topic : "-");
            else
                msg = fmt("claim %s of DPP %s (topic %s): criterion %s is not backed by a verified%s DCC assessing "
                          "the same product, topic and criterion with conformance true (%zu of %zu criteria backed)",
                          c->claim_id ? c->claim_id : c->path, dpp_id ? dpp_id : "(no id)", c->topic ? c->topic : "-",
                          c->missing, s->trust ? ", anchored" : "", c->verified, c->criteria);
            rc = add_result(s, c->doc, test, 3, VC_TEST_FAIL, VC_SUITE_CODE_CLAIM, msg, err);
        }
    }
    free(cr);
    free(docs);
    free(usable);
    return rc;
}

/* Results are appended input by input, then claims: order them by input (stable). */
static int cmp_result(const void *a, const void *b)
{
    const result *x = a, *y = b;
    return x->input < y->input ? -1 : x->input > y->input;
}

vc_status vc_suite_run(vc_suite *s, vc_error *err)
{
    if (!s)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "suite_run: NULL argument");
    clear_results(s);
    state *sts = calloc(s->ninputs ? s->ninputs : 1, sizeof *sts);
    if (!sts)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    vc_status rc = VC_OK;
    vc_error e;

    /* DIAs among the inputs join the trust store before anything is verified (the
     * store caches anchors per issuer). */
    for (size_t i = 0; i < s->ninputs; i++) {
        const char *format = NULL;
        if (vc_decode_payload(s->inputs[i].text, s->inputs[i].len, &sts[i].doc, &format, &e) != VC_OK)
            sts[i].doc = NULL;
        if (s->trust && s->tier >= 3 && sts[i].doc && kind_of(sts[i].doc) == VC_UNTP_DIA && format)
            vc_trust_add_dia(s->trust, s->inputs[i].text, s->inputs[i].len, &e); /* a bad DIA fails its own tests */
    }
    for (size_t i = 0; i < s->ninputs && rc == VC_OK; i++) {
        vc_status vst = vc_verify(s->verifier, s->inputs[i].text, s->inputs[i].len, &sts[i].rep, &e);
        if (!sts[i].rep) {
            rc = vc_error_copy(err, &e);
            break;
        }
        (void)vst;
        /* prefer the verified credential's JSON when there is one */
        const char *cred = vc_report_credential(sts[i].rep);
        json_t *doc = NULL;
        if (cred && vc_json_parse_object(cred, strlen(cred), &doc, NULL) == VC_OK) {
            json_decref(sts[i].doc);
            sts[i].doc = doc;
        }
        int verified = 1, anchored = 0;
        size_t n = vc_report_count(sts[i].rep);
        for (size_t k = 0; k < n; k++) {
            const char *name;
            vc_check_result r;
            const vc_error *d;
            if (vc_report_check(sts[i].rep, k, &name, &r, &d) != VC_OK)
                continue;
            if (strcmp(name, "trust.anchor") == 0)
                anchored = r == VC_CHECK_PASS;
            else if (r == VC_CHECK_FAIL)
                verified = 0;
        }
        sts[i].verified = verified;
        sts[i].anchored = anchored;
        if ((rc = tier1(s, i, &sts[i], err)) != VC_OK)
            break;
        if (s->tier >= 2 && (rc = tier2(s, i, &sts[i], err)) != VC_OK)
            break;
        if (s->tier >= 3 && (rc = tier3_issuer(s, i, &sts[i], err)) != VC_OK)
            break;
    }
    if (rc == VC_OK && s->tier >= 3)
        rc = tier3_claims(s, sts, err);
    /* stable sort by input: insertion by index keeps the append order within an input */
    if (rc == VC_OK && s->nresults > 1) {
        for (size_t i = 1; i < s->nresults; i++) {
            result r = s->results[i];
            size_t j = i;
            while (j > 0 && cmp_result(&s->results[j - 1], &r) > 0) {
                s->results[j] = s->results[j - 1];
                j--;
            }
            s->results[j] = r;
        }
    }
    for (size_t i = 0; i < s->ninputs; i++) {
        vc_report_free(sts[i].rep);
        json_decref(sts[i].doc);
    }
    free(sts);
    if (rc != VC_OK)
        clear_results(s);
    return rc;
}

/* -------------------------------------------------------- serialisation */

typedef vc_buf buf;

static void putf(buf *b, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void putf(buf *b, const char *f, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(tmp, sizeof tmp, f, ap);
    va_end(ap);
    if (n > 0)
        vc_buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Length of a valid UTF-8 sequence at s (not a surrogate, not overlong, <= U+10FFFF),
 * or 0. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0))
            return 0;
        /* U+FFFE and U+FFFF are not XML characters */
        if (s[0] == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF))
            return 0;
        return 3;
    }
    if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

/* A copy of s as valid UTF-8 with no control characters but \t (others, and
 * invalid bytes, become '?'; newlines become spaces when flat). malloc'd. */
static char *clean(const char *s, int flat)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t k = utf8_len(p);
        if (k == 1 && (*p < 0x20 || *p == 0x7F) && *p != '\t' && !(*p == '\n' && !flat)) {
            *o++ = (*p == '\n' || *p == '\r') ? ' ' : '?';
            p++;
        } else if (k == 0) {
            *o++ = '?';
            p++;
        } else {
            memcpy(o, p, k);
            o += k;
            p += k;
        }
    }
    *o = '\0';
    return out;
}

static void put_xml(buf *b, const char *s)
{
    char *c = clean(s, 0);
    if (!c) {
        b->oom = 1;
        return;
    }
    for (const char *p = c; *p; p++) {
        switch (*p) {
        case '&': vc_buf_puts(b, "&amp;"); break;
        case '<': vc_buf_puts(b, "&lt;"); break;
        case '>': vc_buf_puts(b, "&gt;"); break;
        case '"': vc_buf_puts(b, "&quot;"); break;
        case '\'': vc_buf_puts(b, "&apos;"); break;
        case '\n': vc_buf_puts(b, "&#10;"); break;
        case '\t': vc_buf_puts(b, "&#9;"); break;
        default: vc_buf_put(b, p, 1);
        }
    }
    free(c);
}

static vc_status finish(buf *b, char **out, vc_error *err)
{
    if (b->oom || !b->p) {
        free(b->p);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    *out = b->p;
    return VC_OK;
}

vc_status vc_suite_to_junit(const vc_suite *s, char **out, vc_error *err)
{
    if (out)
        *out = NULL;
    if (!s || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "suite_to_junit: NULL argument");
    size_t p, f, k;
    vc_suite_totals(s, &p, &f, &k);
    buf b = {0};
    vc_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    putf(&b, "<testsuites name=\"untpcred conformance\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
         p + f + k, f, k);
    for (size_t i = 0; i < s->nresults;) {
        size_t in = s->results[i].input, j = i, tf = 0, tk = 0;
        for (; j < s->nresults && s->results[j].input == in; j++) {
            tf += s->results[j].result == VC_TEST_FAIL;
            tk += s->results[j].result == VC_TEST_SKIP;
        }
        vc_buf_puts(&b, "  <testsuite name=\"");
        put_xml(&b, s->inputs[in].name);
        putf(&b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", j - i, tf, tk);
        for (; i < j; i++) {
            const result *r = &s->results[i];
            vc_buf_puts(&b, "    <testcase classname=\"");
            put_xml(&b, s->inputs[in].name);
            vc_buf_puts(&b, "\" name=\"");
            put_xml(&b, r->test);
            if (r->result == VC_TEST_PASS) {
                vc_buf_puts(&b, "\"/>\n");
                continue;
            }
            vc_buf_puts(&b, "\">\n");
            if (r->result == VC_TEST_FAIL) {
                vc_buf_puts(&b, "      <failure message=\"");
                put_xml(&b, r->message ? r->message : "failed");
                vc_buf_puts(&b, "\" type=\"");
                put_xml(&b, r->code ? r->code : "VC_ERR_INTERNAL");
                vc_buf_puts(&b, "\">");
                put_xml(&b, r->message ? r->message : "failed");
                vc_buf_puts(&b, "</failure>\n");
            } else {
                vc_buf_puts(&b, "      <skipped message=\"");
                put_xml(&b, r->message ? r->message : "skipped");
                vc_buf_puts(&b, "\"/>\n");
            }
            vc_buf_puts(&b, "    </testcase>\n");
        }
        vc_buf_puts(&b, "  </testsuite>\n");
    }
    vc_buf_puts(&b, "</testsuites>\n");
    return finish(&b, out, err);
}

/* json_string of a cleaned copy (jansson refuses invalid UTF-8). */
static json_t *jstr(const char *s)
{
    if (!s)
        return json_null();
    char *c = clean(s, 0);
    json_t *j = c ? json_string(c) : NULL;
    free(c);
    return j;
}

vc_status vc_suite_to_json(const vc_suite *s, int pretty, char **out, vc_error *err)
{
    if (out)
        *out = NULL;
    if (!s || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "suite_to_json: NULL argument");
    size_t p, f, k;
    vc_suite_totals(s, &p, &f, &k);
    json_t *root = json_object(), *arr = json_array();
    int bad = !root || !arr;
    bad |= json_object_set_new(root, "tier", json_integer(s->tier));
    bad |= json_object_set_new(root, "passed", json_integer((json_int_t)p));
    bad |= json_object_set_new(root, "failed", json_integer((json_int_t)f));
    bad |= json_object_set_new(root, "skipped", json_integer((json_int_t)k));
    for (size_t i = 0; !bad && i < s->nresults; i++) {
        const result *r = &s->results[i];
        json_t *o = json_object();
        bad |= !o;
        bad |= json_object_set_new(o, "credential", jstr(s->inputs[r->input].name));
        bad |= json_object_set_new(o, "test", jstr(r->test));
        bad |= json_object_set_new(o, "tier", json_integer(r->tier));
        bad |= json_object_set_new(o, "result", json_string(vc_test_result_name(r->result)));
        if (r->code)
            bad |= json_object_set_new(o, "code", json_string(r->code));
        if (r->message)
            bad |= json_object_set_new(o, "message", jstr(r->message));
        bad |= json_array_append_new(arr, o);
    }
    bad |= json_object_set_new(root, "results", arr);
    char *text = bad ? NULL : json_dumps(root, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    *out = text;
    return VC_OK;
}

/* A TAP description: flat, '#' escaped. */
static void put_tap_desc(buf *b, const char *s)
{
    char *c = clean(s, 1);
    if (!c) {
        b->oom = 1;
        return;
    }
    for (const char *p = c; *p; p++) {
        if (*p == '#' || *p == '\\')
            vc_buf_put(b, "\\", 1);
        vc_buf_put(b, p, 1);
    }
    free(c);
}

/* A YAML double-quoted scalar. */
static void put_yaml_str(buf *b, const char *s)
{
    char *c = clean(s, 1);
    if (!c) {
        b->oom = 1;
        return;
    }
    vc_buf_put(b, "\"", 1);
    for (const char *p = c; *p; p++) {
        if (*p == '"' || *p == '\\')
            vc_buf_put(b, "\\", 1);
        if (*p == '\t') {
            vc_buf_puts(b, "\\t");
            continue;
        }
        vc_buf_put(b, p, 1);
    }
    vc_buf_put(b, "\"", 1);
    free(c);
}

vc_status vc_suite_to_tap(const vc_suite *s, char **out, vc_error *err)
{
    if (out)
        *out = NULL;
    if (!s || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "suite_to_tap: NULL argument");
    buf b = {0};
    vc_buf_puts(&b, "TAP version 13\n");
    putf(&b, "1..%zu\n", s->nresults);
    for (size_t i = 0; i < s->nresults; i++) {
        const result *r = &s->results[i];
        putf(&b, "%s %zu - ", r->result == VC_TEST_FAIL ? "not ok" : "ok", i + 1);
        put_tap_desc(&b, s->inputs[r->input].name);
        vc_buf_puts(&b, ": ");
        put_tap_desc(&b, r->test);
        if (r->result == VC_TEST_SKIP) {
            vc_buf_puts(&b, " # SKIP ");
            put_tap_desc(&b, r->message ? r->message : "skipped");
        }
        vc_buf_puts(&b, "\n");
        if (r->result == VC_TEST_FAIL) {
            vc_buf_puts(&b, "  ---\n  code: ");
            put_yaml_str(&b, r->code ? r->code : "VC_ERR_INTERNAL");
            vc_buf_puts(&b, "\n  message: ");
            put_yaml_str(&b, r->message ? r->message : "failed");
            vc_buf_puts(&b, "\n  ...\n");
        }
    }
    return finish(&b, out, err);
}
