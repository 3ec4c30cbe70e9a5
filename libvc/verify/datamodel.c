/*
 * datamodel.c - W3C Verifiable Credentials Data Model 2.0 checks on an unsecured
 * credential or presentation (https://www.w3.org/TR/vc-data-model-2.0/).
 *
 * The checks come in groups, each a report entry named "datamodel.<group>":
 * context, type, issuer, subject, id, dates, properties, language (credentials),
 * context, type, id, properties, language, holder, credentials (presentations),
 * run in that order. A group that finds nothing adds one "pass"; otherwise every
 * problem is one "fail" entry with its code and a JSON pointer (at most
 * VC_DM_MAX_FAILURES_PER_CHECK per group, then one entry counting the rest). The
 * first failure in that order is returned.
 *
 * Decisions worth knowing:
 *  - credential or presentation is decided by type: "VerifiablePresentation"
 *    makes a presentation, anything else is checked as a credential (so a
 *    document with neither type fails as a credential);
 *  - VC_CHECK_UNSIGNED (about to be signed): the issuer, or the id of an issuer
 *    object, may be absent because the signer fills it in; a present but wrong
 *    value (null, "", not a URL) still fails. Credentials embedded in a
 *    presentation always need their issuer;
 *  - an id is checked where it is present; where VCDM requires one
 *    (credentialSchema, refreshService, holder and issuer objects) its absence is
 *    a property / holder / issuer problem, and a present issuer or holder id is
 *    checked by its own group rather than by "id";
 *  - type values must be defined terms or absolute URLs when the @context makes
 *    that decidable (see context.c: the base context has no @vocab, so a type
 *    word that no context defines is an error unless an unknown context or an
 *    @vocab may define it);
 *  - embedded credentials of a presentation are checked with the same rules; their
 *    problems are reported under "datamodel.credentials" with their own codes and
 *    paths below "/verifiableCredential/N". Enveloped credentials are only checked
 *    for shape (@context, type, a data: URL id): the envelope layer (verify.c)
 *    opens and verifies them;
 *  - validity windows against a clock are not checked here (verify.c does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "context.h"
#include "verify_internal.h"

/* Bound on the report entries one group may add (a credential can hold
 * thousands of subjects); further failures are counted in one last entry. */
#define VC_DM_MAX_FAILURES_PER_CHECK 16

#define CK_CONTEXT "datamodel.context"
#define CK_TYPE "datamodel.type"
#define CK_ISSUER "datamodel.issuer"
#define CK_SUBJECT "datamodel.subject"
#define CK_ID "datamodel.id"
#define CK_DATES "datamodel.dates"
#define CK_PROPERTIES "datamodel.properties"
#define CK_LANGUAGE "datamodel.language"
#define CK_HOLDER "datamodel.holder"
#define CK_CREDENTIALS "datamodel.credentials"

#define NO_INDEX ((size_t)-1)

/* The credential properties whose values are objects (or arrays of them) that
 * each need a type (VCDM 2.0 sections 4.10-4.12, 5.4-5.6, and proofs). */
static const char *const typed_props[] = {"credentialStatus", "credentialSchema", "evidence",
                                          "termsOfUse",       "refreshService",   "proof"};
#define N_TYPED_PROPS (sizeof typed_props / sizeof typed_props[0])

/* One vc_dm_check call: where failures go. */
struct run {
    unsigned flags;
    vc_report *rep;
    vc_error first;       /* first failure; code VC_OK while there is none */
    const char *check;    /* current group */
    size_t failures;      /* failures in the current group */
    vc_error group_first; /* first failure of the current group */
    int nested;           /* checking an embedded credential: stay in the current group */
};

/* One credential or presentation being checked (the top document, or a
 * credential embedded in a presentation). */
struct doc {
    struct run *run;
    const json_t *obj;
    char base[VC_ERROR_PATH_MAX]; /* JSON pointer of obj in the input: "" at the top */
    int presentation;
    int embedded;                 /* inside a presentation: the issuer is always required */
    vc_ctx_info ctx;
    int ctx_ok;                   /* @context passed */
    json_t *typed[N_TYPED_PROPS]; /* obj's typed_props members (NULL when absent), looked up once */
};

/* ------------------------------------------------------------ reporting */

static void dm_fail(struct doc *d, vc_status code, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record a failure at d->base + rel (a JSON pointer relative to the document). */
static void dm_fail(struct doc *d, vc_status code, const char *rel, const char *fmt, ...)
{
    struct run *r = d->run;
    vc_error e;
    e.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    size_t nb = strlen(d->base);
    memcpy(e.path, d->base, nb + 1);
    if (nb + strlen(rel) < sizeof e.path)
        strcat(e.path, rel);
    if (r->first.code == VC_OK)
        r->first = e;
    if (r->failures == 0)
        r->group_first = e;
    if (r->failures < VC_DM_MAX_FAILURES_PER_CHECK)
        vc_report_add(r->rep, r->check, VC_CHECK_FAIL, &e);
    r->failures++;
}

static void group_begin(struct run *r, const char *check)
{
    if (r->nested)
        return;
    r->check = check;
    r->failures = 0;
}

static void group_end(struct run *r)
{
    if (r->nested)
        return;
    if (r->failures == 0) {
        vc_report_pass(r->rep, r->check);
    } else if (r->failures > VC_DM_MAX_FAILURES_PER_CHECK) {
        vc_error e = r->group_first;
        snprintf(e.message, sizeof e.message, "%zu more failures of this check are not listed",
                 r->failures - VC_DM_MAX_FAILURES_PER_CHECK);
        e.path[0] = '\0';
        vc_report_add(r->rep, r->check, VC_CHECK_FAIL, &e);
    }
}

/* ------------------------------------------------------------ helpers */

/* out = "/a[/idx][/b]" (a, b may be NULL; idx may be NO_INDEX). */
static void mkpath(char *out, const char *a, size_t idx, const char *b)
{
    out[0] = '\0';
    if (a)
        vc_path_append(out, VC_ERROR_PATH_MAX, a);
    if (idx != NO_INDEX)
        vc_path_append_index(out, VC_ERROR_PATH_MAX, idx);
    if (b)
        vc_path_append(out, VC_ERROR_PATH_MAX, b);
}

/* out = rel + "/member" */
static void subpath(char *out, const char *rel, const char *member)
{
    vc_strcpy_trunc(out, VC_ERROR_PATH_MAX, rel);
    vc_path_append(out, VC_ERROR_PATH_MAX, member);
}

/* A VCDM "set": one value or an array of values. */
static size_t set_size(const json_t *v)
{
    return json_is_array(v) ? json_array_size(v) : 1;
}

static json_t *set_item(const json_t *v, size_t i)
{
    return json_is_array(v) ? json_array_get(v, i) : (json_t *)v;
}

static size_t set_index(const json_t *v, size_t i)
{
    return json_is_array(v) ? i : NO_INDEX;
}

/* "a string", "null", ... for messages. */
static const char *kind_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "an unknown value";
}

int vc_dm_has_type(const json_t *obj, const char *name)
{
    json_t *t = json_object_get(obj, "type");
    if (json_is_string(t))
        return strcmp(json_string_value(t), name) == 0;
    size_t i;
    json_t *x;
    json_array_foreach(t, i, x) if (json_is_string(x) && strcmp(json_string_value(x), name) == 0) return 1;
    return 0;
}

/*
 * obj's "type", when present, must be a non-empty string or a non-empty array of
 * non-empty strings. rel is obj's path; what names obj in messages. Returns 1
 * when the shape is right.
 */
static int type_shape_ok(struct doc *d, const json_t *obj, const char *rel, const char *what, vc_status code)
{
    json_t *t = json_object_get(obj, "type");
    if (json_is_string(t) && json_string_length(t) > 0)
        return 1; /* the usual case, decided before any path is built */
    char p[VC_ERROR_PATH_MAX];
    subpath(p, rel, "type");
    if (json_is_string(t)) {
        dm_fail(d, code, p, "the type of %s is an empty string", what);
        return 0;
    }
    if (!json_is_array(t)) {
        dm_fail(d, code, p, "the type of %s must be a string or an array of strings, not %s", what, kind_of(t));
        return 0;
    }
    if (json_array_size(t) == 0) {
        dm_fail(d, code, p, "the type of %s is an empty array; it needs at least one type", what);
        return 0;
    }
    int ok = 1;
    size_t i;
    json_t *x;
    json_array_foreach(t, i, x)
    {
        if (!json_is_string(x) || json_string_length(x) == 0) {
            char pi[VC_ERROR_PATH_MAX];
            vc_strcpy_trunc(pi, sizeof pi, p);
            vc_path_append_index(pi, sizeof pi, i);
            dm_fail(d, code, pi, "each type of %s must be a non-empty string, not %s", what,
                    json_is_string(x) ? "an empty string" : kind_of(x));
            ok = 0;
        }
    }
    return ok;
}

/* ------------------------------------------------------------ context */

static void ctx_fail(void *arg, const char *path, const char *message)
{
    dm_fail(arg, VC_ERR_DM_CONTEXT, path, "%s", message);
}

static void check_context(struct doc *d)
{
    d->ctx_ok = vc_ctx_check(json_object_get(d->obj, "@context"), &d->ctx, ctx_fail, d) == 0;
}

/* ------------------------------------------------------------ type */

/* Type values are judged only when nothing we cannot see may define them. */
static int types_decidable(const struct doc *d)
{
    return d->ctx_ok && !d->ctx.opaque && !d->ctx.vocab;
}

/* Each string value of obj's "type" must be a defined term or an absolute URL
 * (VCDM 2.0 section 4.5). rel is obj's path. */
static void check_types_defined(struct doc *d, const json_t *obj, const char *rel)
{
    /* a nested object with its own @context may define terms we do not model */
    if (!types_decidable(d) || !json_is_object(obj) || (obj != d->obj && json_object_get(obj, "@context")))
        return;
    json_t *t = json_object_get(obj, "type");
    if (!json_is_string(t) && !json_is_array(t))
        return;
    for (size_t i = 0; i < set_size(t); i++) {
        const char *s = json_string_value(set_item(t, i));
        if (!s || !s[0] || vc_ctx_defines(&d->ctx, s) || vc_is_url(s))
            continue;
        char p[VC_ERROR_PATH_MAX];
        subpath(p, rel, "type");
        if (json_is_array(t))
            vc_path_append_index(p, sizeof p, i);
        dm_fail(d, VC_ERR_DM_TYPE, p,
                "type \"%.60s\" is neither a term defined by the @context nor an absolute URL; define it in a "
                "context or use its URL",
                s);
    }
}

static void check_type(struct doc *d)
{
    const json_t *o = d->obj;
    const char *need = d->presentation ? "VerifiablePresentation" : "VerifiableCredential";
    const char *what = d->presentation ? "the presentation" : "the credential";
    if (!json_object_get(o, "type"))
        dm_fail(d, VC_ERR_DM_TYPE, "/type", "type is missing; %s must have a type including \"%s\"", what, need);
    else if (type_shape_ok(d, o, "", what, VC_ERR_DM_TYPE) && !vc_dm_has_type(o, need))
        dm_fail(d, VC_ERR_DM_TYPE, "/type", "the type must include \"%s\"%s", need,
                d->embedded ? "" : " (a credential) or \"VerifiablePresentation\" (a presentation)");
    check_types_defined(d, o, "");

    /* the other objects this layer looks at */
    char p[VC_ERROR_PATH_MAX];
    const char *holder_or_issuer = d->presentation ? "holder" : "issuer";
    json_t *hi = json_object_get(o, holder_or_issuer);
    if (json_is_object(hi)) {
        mkpath(p, holder_or_issuer, NO_INDEX, NULL);
        if (json_object_get(hi, "type") && type_shape_ok(d, hi, p, d->presentation ? "the holder" : "the issuer",
                                                         VC_ERR_DM_TYPE))
            check_types_defined(d, hi, p);
    }
    json_t *cs = json_object_get(o, "credentialSubject");
    if (!d->presentation && (json_is_object(cs) || json_is_array(cs))) {
        for (size_t i = 0; i < set_size(cs); i++) {
            json_t *s = set_item(cs, i);
            mkpath(p, "credentialSubject", set_index(cs, i), NULL);
            if (json_is_object(s) && json_object_get(s, "type") &&
                type_shape_ok(d, s, p, "the credential subject", VC_ERR_DM_TYPE))
                check_types_defined(d, s, p);
        }
    }
    /* the shape of these types is the business of "properties" */
    for (size_t k = 0; k < N_TYPED_PROPS; k++) {
        json_t *v = d->typed[k];
        if (!json_is_object(v) && !json_is_array(v))
            continue;
        for (size_t i = 0; i < set_size(v); i++) {
            mkpath(p, typed_props[k], set_index(v, i), NULL);
            check_types_defined(d, set_item(v, i), p);
        }
    }
}

/* ------------------------------------------------------------ id */

/* When obj has an "id", it must be one URL (VCDM 2.0 section 4.4). */
/* obj is at "/a[/idx]" (a NULL: the document itself). */
static void check_id_of(struct doc *d, const json_t *obj, const char *a, size_t idx, const char *what)
{
    json_t *id = json_object_get(obj, "id");
    if (!id || (json_is_string(id) && vc_is_url(json_string_value(id))))
        return;
    char p[VC_ERROR_PATH_MAX];
    mkpath(p, a, idx, "id");
    if (json_is_string(id))
        dm_fail(d, VC_ERR_DM_ID, p, "the id of %s, \"%.80s\", is not a URL (scheme:rest, no spaces)", what,
                json_string_value(id));
    else if (json_is_array(id))
        dm_fail(d, VC_ERR_DM_ID, p, "the id of %s must be a single URL, not an array", what);
    else
        dm_fail(d, VC_ERR_DM_ID, p, "the id of %s must be a URL string, not %s", what, kind_of(id));
}

static void check_ids(struct doc *d)
{
    const json_t *o = d->obj;
    check_id_of(d, o, NULL, NO_INDEX, d->presentation ? "the presentation" : "the credential");
    json_t *cs = json_object_get(o, "credentialSubject");
    if (!d->presentation && (json_is_object(cs) || json_is_array(cs))) {
        for (size_t i = 0; i < set_size(cs); i++) {
            json_t *s = set_item(cs, i);
            if (json_is_object(s))
                check_id_of(d, s, "credentialSubject", set_index(cs, i), "the credential subject");
        }
    }
    for (size_t k = 0; k < N_TYPED_PROPS; k++) {
        json_t *v = d->typed[k];
        if (strcmp(typed_props[k], "proof") == 0 || (!json_is_object(v) && !json_is_array(v)))
            continue;
        for (size_t i = 0; i < set_size(v); i++) {
            json_t *item = set_item(v, i);
            if (json_is_object(item))
                check_id_of(d, item, typed_props[k], set_index(v, i), typed_props[k]);
        }
    }
}

/* ------------------------------------------------------------ issuer */

static void check_issuer(struct doc *d)
{
    int may_omit = (d->run->flags & VC_CHECK_UNSIGNED) && !d->embedded;
    json_t *iss = json_object_get(d->obj, "issuer");
    if (!iss) {
        if (!may_omit)
            dm_fail(d, VC_ERR_DM_ISSUER, "/issuer",
                    "issuer is missing; a credential must name its issuer (a URL, or an object with a URL id)");
        return;
    }
    if (json_is_string(iss)) {
        if (!vc_is_url(json_string_value(iss)))
            dm_fail(d, VC_ERR_DM_ISSUER, "/issuer", "issuer \"%.80s\" is not a URL (e.g. a DID or an https URL)",
                    json_string_value(iss));
        return;
    }
    if (!json_is_object(iss)) {
        dm_fail(d, VC_ERR_DM_ISSUER, "/issuer", "issuer must be a URL or an object with a URL id, not %s",
                kind_of(iss));
        return;
    }
    json_t *id = json_object_get(iss, "id");
    if (!id) {
        if (!may_omit)
            dm_fail(d, VC_ERR_DM_ISSUER, "/issuer/id", "the issuer object has no id; it needs the issuer's URL");
    } else if (!json_is_string(id)) {
        dm_fail(d, VC_ERR_DM_ISSUER, "/issuer/id", "the issuer id must be a URL string, not %s", kind_of(id));
    } else if (!vc_is_url(json_string_value(id))) {
        dm_fail(d, VC_ERR_DM_ISSUER, "/issuer/id", "the issuer id \"%.80s\" is not a URL", json_string_value(id));
    }
}

/* ------------------------------------------------------------ subject */

static void check_subject(struct doc *d)
{
    json_t *cs = json_object_get(d->obj, "credentialSubject");
    if (!cs) {
        dm_fail(d, VC_ERR_DM_SUBJECT, "/credentialSubject",
                "credentialSubject is missing; a credential makes claims about at least one subject");
        return;
    }
    if (json_is_array(cs) && json_array_size(cs) == 0) {
        dm_fail(d, VC_ERR_DM_SUBJECT, "/credentialSubject", "credentialSubject is an empty array; it needs a subject");
        return;
    }
    if (!json_is_object(cs) && !json_is_array(cs)) {
        dm_fail(d, VC_ERR_DM_SUBJECT, "/credentialSubject",
                "credentialSubject must be an object or an array of objects, not %s", kind_of(cs));
        return;
    }
    for (size_t i = 0; i < set_size(cs); i++) {
        json_t *s = set_item(cs, i);
        if (json_is_object(s) && json_object_size(s) > 0)
            continue;
        char p[VC_ERROR_PATH_MAX];
        mkpath(p, "credentialSubject", set_index(cs, i), NULL);
        if (!json_is_object(s))
            dm_fail(d, VC_ERR_DM_SUBJECT, p, "a credential subject must be an object, not %s", kind_of(s));
        else if (json_object_size(s) == 0)
            dm_fail(d, VC_ERR_DM_SUBJECT, p, "the credential subject is empty; it needs at least one property");
    }
}

/* ------------------------------------------------------------ dates */

/* Compare the fractional seconds of two dateTimeStamps that denote the same
 * whole second (vc_datetime_parse truncates them; offsets are whole minutes). */
static int fraction_cmp(const char *a, const char *b)
{
    a += 19;
    b += 19;
    a += *a == '.';
    b += *b == '.';
    for (;;) {
        int da = *a >= '0' && *a <= '9', db = *b >= '0' && *b <= '9';
        if (!da && !db)
            return 0;
        char ca = da ? *a++ : '0', cb = db ? *b++ : '0';
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
}

static void check_dates(struct doc *d)
{
    static const char *const names[2] = {"validFrom", "validUntil"};
    const char *text[2] = {NULL, NULL};
    int64_t t[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        json_t *v = json_object_get(d->obj, names[k]);
        char p[VC_ERROR_PATH_MAX];
        mkpath(p, names[k], NO_INDEX, NULL);
        if (!v)
            continue;
        vc_error e;
        if (!json_is_string(v))
            dm_fail(d, VC_ERR_DM_DATETIME, p, "%s must be a dateTimeStamp string such as 2025-01-31T12:00:00Z, not %s",
                    names[k], kind_of(v));
        else if (vc_datetime_parse(json_string_value(v), &t[k], &e) != VC_OK)
            dm_fail(d, VC_ERR_DM_DATETIME, p, "%s: %s", names[k], e.message);
        else
            text[k] = json_string_value(v);
    }
    if (text[0] && text[1] && (t[0] > t[1] || (t[0] == t[1] && fraction_cmp(text[0], text[1]) > 0)))
        dm_fail(d, VC_ERR_DM_DATETIME, "/validUntil", "validUntil (%.40s) is before validFrom (%.40s)", text[1],
                text[0]);
}

/* ------------------------------------------------------------ properties */

static void check_properties(struct doc *d)
{
    for (size_t k = 0; k < N_TYPED_PROPS; k++) {
        const char *name = typed_props[k];
        json_t *v = d->typed[k];
        if (!v)
            continue;
        char p[VC_ERROR_PATH_MAX];
        mkpath(p, name, NO_INDEX, NULL);
        if (!json_is_object(v) && !json_is_array(v)) {
            dm_fail(d, VC_ERR_DM_PROPERTY, p, "%s must be an object or an array of objects, not %s", name,
                    kind_of(v));
            continue;
        }
        if (json_is_array(v) && json_array_size(v) == 0) {
            dm_fail(d, VC_ERR_DM_PROPERTY, p, "%s is an empty array; give at least one object or leave it out", name);
            continue;
        }
        int needs_id = strcmp(name, "credentialSchema") == 0 || strcmp(name, "refreshService") == 0;
        for (size_t i = 0; i < set_size(v); i++) {
            json_t *item = set_item(v, i);
            mkpath(p, name, set_index(v, i), NULL);
            if (!json_is_object(item)) {
                dm_fail(d, VC_ERR_DM_PROPERTY, p, "each %s must be an object, not %s", name, kind_of(item));
                continue;
            }
            char q[VC_ERROR_PATH_MAX];
            if (!json_object_get(item, "type")) {
                subpath(q, p, "type");
                dm_fail(d, VC_ERR_DM_PROPERTY, q, "%s has no type; it must say which kind of %s it is", name, name);
            } else {
                type_shape_ok(d, item, p, name, VC_ERR_DM_PROPERTY);
            }
            if (needs_id && !json_object_get(item, "id")) {
                subpath(q, p, "id");
                dm_fail(d, VC_ERR_DM_PROPERTY, q, "%s has no id; it needs the URL of the %s", name,
                        strcmp(name, "credentialSchema") == 0 ? "schema" : "service");
            }
        }
    }
}

/* ------------------------------------------------------------ language */

/* A BCP 47-shaped tag: 1-8 letters, then "-" and 1-8 letters or digits, repeated.
 * (Whether the subtags are registered is not checked.) */
static int lang_tag_ok(const char *s)
{
    size_t n = 0;
    int first = 1;
    for (;; s++) {
        if (*s == '-' || *s == '\0') {
            if (n == 0 || n > 8)
                return 0;
            if (*s == '\0')
                return 1;
            n = 0;
            first = 0;
            continue;
        }
        int alpha = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z');
        int digit = *s >= '0' && *s <= '9';
        if (!alpha && !(digit && !first))
            return 0;
        n++;
    }
}

/* A language value object: {"@value": string, "@language"?: tag, "@direction"?:
 * "ltr" | "rtl"} and nothing else (VCDM 2.0 section 11.1). */
static void check_lang_object(struct doc *d, const json_t *v, const char *rel, const char *name)
{
    char p[VC_ERROR_PATH_MAX];
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m)
    {
        subpath(p, rel, k);
        if (strcmp(k, "@value") == 0) {
            if (!json_is_string(m))
                dm_fail(d, VC_ERR_DM_LANGUAGE, p, "the @value of %s must be a string, not %s", name, kind_of(m));
        } else if (strcmp(k, "@language") == 0) {
            if (!json_is_string(m) || !lang_tag_ok(json_string_value(m)))
                dm_fail(d, VC_ERR_DM_LANGUAGE, p, "the @language of %s must be a language tag such as \"en\" or "
                        "\"fr-CA\"", name);
        } else if (strcmp(k, "@direction") == 0) {
            const char *s = json_string_value(m);
            if (!s || (strcmp(s, "ltr") != 0 && strcmp(s, "rtl") != 0))
                dm_fail(d, VC_ERR_DM_LANGUAGE, p, "the @direction of %s must be \"ltr\" or \"rtl\"", name);
        } else {
            dm_fail(d, VC_ERR_DM_LANGUAGE, p,
                    "a language value of %s may hold only @value, @language and @direction, not \"%.40s\"", name, k);
        }
    }
    if (!json_object_get(v, "@value")) {
        subpath(p, rel, "@value");
        dm_fail(d, VC_ERR_DM_LANGUAGE, p, "the language value of %s has no @value", name);
    }
}

/* name / description of obj (at rel): a string, a language value object, or an
 * array of those. */
static void check_lang_member(struct doc *d, const json_t *obj, const char *rel, const char *name)
{
    json_t *v = json_object_get(obj, name);
    if (!v)
        return;
    char p[VC_ERROR_PATH_MAX];
    subpath(p, rel, name);
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            char pi[VC_ERROR_PATH_MAX];
            vc_strcpy_trunc(pi, sizeof pi, p);
            vc_path_append_index(pi, sizeof pi, i);
            if (json_is_object(x))
                check_lang_object(d, x, pi, name);
            else if (!json_is_string(x))
                dm_fail(d, VC_ERR_DM_LANGUAGE, pi, "each %s must be a string or a language value object, not %s",
                        name, kind_of(x));
        }
    } else if (json_is_object(v)) {
        check_lang_object(d, v, p, name);
    } else if (!json_is_string(v)) {
        dm_fail(d, VC_ERR_DM_LANGUAGE, p, "%s must be a string, a language value object or an array of them, not %s",
                name, kind_of(v));
    }
}

static void check_language(struct doc *d)
{
    check_lang_member(d, d->obj, "", "name");
    check_lang_member(d, d->obj, "", "description");
    json_t *iss = json_object_get(d->obj, "issuer");
    if (!d->presentation && json_is_object(iss)) {
        check_lang_member(d, iss, "/issuer", "name");
        check_lang_member(d, iss, "/issuer", "description");
    }
}

/* ------------------------------------------------------------ holder */

static void check_holder(struct doc *d)
{
    json_t *h = json_object_get(d->obj, "holder");
    if (!h)
        return;
    if (json_is_string(h)) {
        if (!vc_is_url(json_string_value(h)))
            dm_fail(d, VC_ERR_DM_HOLDER, "/holder", "holder \"%.80s\" is not a URL (e.g. a DID)", json_string_value(h));
        return;
    }
    if (!json_is_object(h)) {
        dm_fail(d, VC_ERR_DM_HOLDER, "/holder", "holder must be a URL or an object with a URL id, not %s",
                kind_of(h));
        return;
    }
    json_t *id = json_object_get(h, "id");
    if (!id)
        dm_fail(d, VC_ERR_DM_HOLDER, "/holder/id", "the holder object has no id; it needs the holder's URL");
    else if (!json_is_string(id) || !vc_is_url(json_string_value(id)))
        dm_fail(d, VC_ERR_DM_HOLDER, "/holder/id", "the holder id must be a URL%s",
                json_is_string(id) ? "" : " string");
}

/* ------------------------------------------------------------ credentials */

static void check_document(struct doc *d);

static void init_doc(struct doc *d, struct run *r, const json_t *obj, const char *base)
{
    memset(d, 0, sizeof *d);
    d->run = r;
    d->obj = obj;
    vc_strcpy_trunc(d->base, sizeof d->base, base);
    d->presentation = vc_dm_is_presentation(obj);
    for (size_t k = 0; k < N_TYPED_PROPS; k++)
        d->typed[k] = json_object_get(obj, typed_props[k]);
}

/* An EnvelopedVerifiableCredential entry: @context, type (already seen) and a
 * data: URL id. What the URL holds is verify.c's business. */
static void check_enveloped(struct doc *vp, const json_t *entry, const char *base)
{
    struct doc e;
    init_doc(&e, vp->run, entry, base);
    check_context(&e);
    vc_ctx_release(&e.ctx);
    const char *id = vc_json_str(entry, "id");
    if (!id || strncasecmp(id, "data:", 5) != 0)
        dm_fail(&e, VC_ERR_DM_PROPERTY, "/id",
                "an EnvelopedVerifiableCredential needs an id that is a data: URL holding the secured credential");
}

static void check_credentials(struct doc *d)
{
    json_t *vcs = json_object_get(d->obj, "verifiableCredential");
    if (!vcs)
        return;
    if (!json_is_object(vcs) && !json_is_array(vcs)) {
        dm_fail(d, VC_ERR_DM_PROPERTY, "/verifiableCredential",
                "verifiableCredential must be an object or an array of objects, not %s", kind_of(vcs));
        return;
    }
    for (size_t i = 0; i < set_size(vcs); i++) {
        json_t *c = set_item(vcs, i);
        char rel[VC_ERROR_PATH_MAX], base[VC_ERROR_PATH_MAX];
        mkpath(rel, "verifiableCredential", set_index(vcs, i), NULL);
        if (!json_is_object(c)) {
            dm_fail(d, VC_ERR_DM_PROPERTY, rel,
                    "each verifiableCredential must be an object (an embedded credential or an "
                    "EnvelopedVerifiableCredential), not %s%s",
                    kind_of(c),
                    json_is_string(c) ? ": wrap a secured credential in an EnvelopedVerifiableCredential" : "");
            continue;
        }
        vc_strcpy_trunc(base, sizeof base, d->base);
        if (strlen(base) + strlen(rel) < sizeof base)
            strcat(base, rel);
        if (vc_dm_has_type(c, "EnvelopedVerifiableCredential")) {
            check_enveloped(d, c, base);
            continue;
        }
        /* an embedded credential: the credential rules, reported under this group */
        struct doc sub;
        init_doc(&sub, d->run, c, base);
        sub.presentation = 0;
        sub.embedded = 1;
        int was_nested = d->run->nested;
        d->run->nested = 1;
        check_document(&sub);
        d->run->nested = was_nested;
    }
}

/* ------------------------------------------------------------ driver */

static void check_document(struct doc *d)
{
    struct run *r = d->run;
#define GROUP(name, call)                                                                                      \
    do {                                                                                                       \
        group_begin(r, name);                                                                                  \
        call;                                                                                                  \
        group_end(r);                                                                                          \
    } while (0)
    GROUP(CK_CONTEXT, check_context(d));
    GROUP(CK_TYPE, check_type(d));
    if (!d->presentation) {
        GROUP(CK_ISSUER, check_issuer(d));
        GROUP(CK_SUBJECT, check_subject(d));
    }
    GROUP(CK_ID, check_ids(d));
    if (!d->presentation)
        GROUP(CK_DATES, check_dates(d));
    GROUP(CK_PROPERTIES, check_properties(d));
    GROUP(CK_LANGUAGE, check_language(d));
    if (d->presentation) {
        GROUP(CK_HOLDER, check_holder(d));
        GROUP(CK_CREDENTIALS, check_credentials(d));
    }
#undef GROUP
    vc_ctx_release(&d->ctx);
}

int vc_dm_is_presentation(const json_t *doc)
{
    return vc_dm_has_type(doc, "VerifiablePresentation");
}

const char *vc_dm_issuer_id(const json_t *doc)
{
    json_t *iss = json_object_get(doc, "issuer");
    if (json_is_string(iss))
        return json_string_value(iss);
    return vc_json_str(iss, "id");
}

vc_status vc_dm_check(const json_t *doc, unsigned flags, vc_report *rep, vc_error *err)
{
    if (!json_is_object(doc))
        return vc_fail(err, VC_ERR_INVALID_ARG, "", "data model check: the document must be a JSON object");
    struct run r;
    memset(&r, 0, sizeof r);
    r.flags = flags;
    r.rep = rep;
    r.first.code = VC_OK;
    struct doc d;
    init_doc(&d, &r, doc, "");
    check_document(&d);
    if (r.first.code != VC_OK)
        return vc_error_copy(err, &r.first);
    vc_error_clear(err);
    return VC_OK;
}

vc_status vc_check_document(const char *json, size_t len, unsigned flags, vc_report **report, vc_error *err)
{
    if (report)
        *report = NULL;
    if (!json)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "check_document: NULL document");
    if (flags & ~VC_CHECK_UNSIGNED)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "check_document: unknown flags 0x%x", flags & ~VC_CHECK_UNSIGNED);
    vc_report *rep = vc_report_new();
    if (!rep)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    json_t *doc = NULL;
    vc_error e;
    vc_status st = vc_json_parse_object(json, len, &doc, &e);
    if (st != VC_OK) {
        vc_report_fail(rep, "input.json", &e);
        vc_error_copy(err, &e);
    } else {
        vc_report_pass(rep, "input.json");
        st = vc_dm_check(doc, flags, rep, err);
        const char *who = vc_dm_issuer_id(doc);
        if (vc_dm_is_presentation(doc)) {
            json_t *h = json_object_get(doc, "holder");
            who = json_is_string(h) ? json_string_value(h) : vc_json_str(h, "id");
        }
        vc_report_set_issuer(rep, who);
        json_decref(doc);
    }
    if (report)
        *report = rep;
    else
        vc_report_free(rep);
    return st;
}
