/*
 * verify.c - verify credentials and presentations secured as vc+jwt / vp+jwt
 * (compact JWS) or vc+cose / vp+cose (COSE_Sign1).
 *
 * Each securing format has a small front end that finds and parses the token
 * (jws.header / cose.header); everything after that - payload JSON, typ and
 * content type against the payload, data model, claims, validity window, issuer
 * key, signature, nested credentials - is one shared path (verify_secured) that
 * calls back into the format only for what differs.
 *
 * Every step is a named check in the report. Steps that depend on an earlier
 * one that failed are reported as skipped; independent steps still run so that
 * one verification tells the user everything that is wrong.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>
#include <time.h>

#include "../cose/cose_internal.h"
#include "../status/status_internal.h"
#include "verify_internal.h"

/* report.c: a report that keeps only the verdict and the first error. */
vc_report *vc_report_new_lite(void);
#include "vc/cose.h"

/* A verified status list kept for VC_STATUS_CACHE_SECONDS. */
typedef struct status_cache {
    char *url, *issuer;
    vc_status_list *list;
    vc_status_purpose purpose;
    int64_t fetched; /* monotonic seconds */
    struct status_cache *next;
} status_cache;

struct vc_verifier {
    vc_resolver *resolver;   /* borrowed */
    int64_t at;              /* VC_TIME_NOW: wall clock */
    vc_validator *validator; /* borrowed, optional */
    vc_trust *trust;         /* borrowed, optional */
    vc_fetcher *fetcher;     /* borrowed, optional: status lists */
    unsigned status_flags;
    pthread_mutex_t status_lock;
    /* Held while a status list is fetched and verified, so that threads missing the
     * cache together fetch it once (the others then find it cached). */
    pthread_mutex_t status_fill_lock;
    status_cache *statuses;
};

enum doc_kind { KIND_CREDENTIAL, KIND_PRESENTATION };

/* The securing formats and what differs between them in the report. */
enum sec_format { FMT_JWT, FMT_COSE };

static const struct format_info {
    const char *header, *typ, *claims, *signature; /* check names */
    const char *vc_name, *vp_name;                 /* report format (media subtype) */
    const char *token;                             /* "JWT" / "CWT" in messages about claims */
} FORMATS[2] = {
    {"jws.header", "jws.typ", "jwt.claims", "jws.signature", "vc+jwt", "vp+jwt", "JWT"},
    {"cose.header", "cose.typ", "cwt.claims", "cose.signature", "vc+cose", "vp+cose", "CWT"},
};

vc_status vc_verifier_new(vc_resolver *resolver, vc_verifier **out, vc_error *err)
{
    if (!resolver || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "verifier_new: NULL argument");
    vc_verifier *v = calloc(1, sizeof *v);
    if (!v)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    v->resolver = resolver;
    v->at = VC_TIME_NOW;
    pthread_mutex_init(&v->status_lock, NULL);
    pthread_mutex_init(&v->status_fill_lock, NULL);
    *out = v;
    return VC_OK;
}

void vc_verifier_free(vc_verifier *v)
{
    if (!v)
        return;
    for (status_cache *c = v->statuses, *n; c; c = n) {
        n = c->next;
        free(c->url);
        free(c->issuer);
        vc_status_list_free(c->list);
        free(c);
    }
    pthread_mutex_destroy(&v->status_lock);
    pthread_mutex_destroy(&v->status_fill_lock);
    free(v);
}

void vc_verifier_set_validator(vc_verifier *v, vc_validator *val)
{
    if (v)
        v->validator = val;
}

void vc_verifier_set_trust(vc_verifier *v, vc_trust *trust)
{
    if (v)
        v->trust = trust;
}

void vc_verifier_set_status(vc_verifier *v, vc_fetcher *f, unsigned flags)
{
    if (v) {
        v->fetcher = f;
        v->status_flags = flags;
    }
}

void vc_verifier_set_time(vc_verifier *v, int64_t unix_seconds)
{
    if (v)
        v->at = unix_seconds;
}

static const char *kind_name(enum doc_kind k)
{
    return k == KIND_CREDENTIAL ? "credential" : "presentation";
}

static const char *format_name(enum sec_format f, enum doc_kind k)
{
    return k == KIND_PRESENTATION ? FORMATS[f].vp_name : FORMATS[f].vc_name;
}

static int64_t now_or(const vc_verifier *v)
{
    return v->at == VC_TIME_NOW ? (int64_t)time(NULL) : v->at;
}

/* ------------------------------------------------------------ media types */

/* Media types accepted in data: URLs. The -ld+ forms are the names used by
 * earlier VC-JOSE-COSE drafts, accepted on input only. */
static const struct media {
    const char *name;
    enum sec_format fmt;
    enum doc_kind kind;
} MEDIA[] = {
    {"application/vc+jwt", FMT_JWT, KIND_CREDENTIAL},     {"application/vc-ld+jwt", FMT_JWT, KIND_CREDENTIAL},
    {"application/vp+jwt", FMT_JWT, KIND_PRESENTATION},   {"application/vp-ld+jwt", FMT_JWT, KIND_PRESENTATION},
    {"application/vc+cose", FMT_COSE, KIND_CREDENTIAL},   {"application/vc-ld+cose", FMT_COSE, KIND_CREDENTIAL},
    {"application/vp+cose", FMT_COSE, KIND_PRESENTATION}, {"application/vp-ld+cose", FMT_COSE, KIND_PRESENTATION},
};

static const struct media *media_lookup(const char *mt, size_t n)
{
    for (size_t i = 0; i < sizeof MEDIA / sizeof MEDIA[0]; i++)
        if (strlen(MEDIA[i].name) == n && strncasecmp(mt, MEDIA[i].name, n) == 0)
            return &MEDIA[i];
    return NULL;
}

/* JOSE typ: vc+jwt (vp+jwt), "application/" optional (RFC 7515 section 4.1.9). */
static int jws_typ_ok(const char *typ, enum doc_kind kind)
{
    if (strncasecmp(typ, "application/", 12) == 0)
        typ += 12;
    const char *a = kind == KIND_CREDENTIAL ? "vc+jwt" : "vp+jwt";
    const char *b = kind == KIND_CREDENTIAL ? "vc-ld+jwt" : "vp-ld+jwt";
    return strcasecmp(typ, a) == 0 || strcasecmp(typ, b) == 0;
}

/* COSE typ (RFC 9596): a media type, application/vc+cose (vp+cose). */
static int cose_typ_ok(const char *typ, enum doc_kind kind)
{
    const char *a = kind == KIND_CREDENTIAL ? "application/vc+cose" : "application/vp+cose";
    const char *b = kind == KIND_CREDENTIAL ? "application/vc-ld+cose" : "application/vp-ld+cose";
    return strcasecmp(typ, a) == 0 || strcasecmp(typ, b) == 0;
}

/* ------------------------------------------------------------ tokens */

/* A secured token found in the input: JWS text, or COSE bytes. */
typedef struct token {
    enum sec_format fmt;
    const char *text; /* JWT: borrowed */
    size_t text_len;
    const uint8_t *bytes; /* COSE: borrowed or == owned */
    size_t n;
    uint8_t *owned;
} token;

static void token_free(token *t)
{
    free(t->owned);
    memset(t, 0, sizeof *t);
}

/* 1 when b is the first byte of a CBOR array or tag: COSE_Sign1's 0x84 / 0xd2, or
 * another array or tag that the COSE parser will name precisely. No text form
 * libvc accepts starts with such a byte. */
static int cbor_start(unsigned char b)
{
    return (b >> 5) == 4 || ((b >> 5) == 6 && (b & 31) < 28);
}

/* Hex text of a COSE_Sign1 ("d284..." or "84..."), a common mistake. */
static int hex_cose(const char *s, size_t n)
{
    if (n < 4 || n % 2)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return strncasecmp(s, "d284", 4) == 0 || strncasecmp(s, "84", 2) == 0;
}

/* The token of a data: URL (NUL-terminated). For COSE the base64 data is decoded
 * (t->owned). Codes: VC_ERR_ENVELOPE, VC_ERR_MEDIA_TYPE, VC_ERR_UNSUPPORTED. */
static vc_status data_url_token(const char *url, enum doc_kind kind, token *t, vc_error *err)
{
    memset(t, 0, sizeof *t);
    if (strncmp(url, "data:", 5) != 0)
        return vc_fail(err, VC_ERR_ENVELOPE, "/id", "the enveloped %s id must be a data: URL", kind_name(kind));
    const char *mt = url + 5;
    const char *comma = strchr(mt, ',');
    if (!comma)
        return vc_fail(err, VC_ERR_ENVELOPE, "/id", "data: URL has no ',' before its data");
    const char *semi = memchr(mt, ';', (size_t)(comma - mt));
    size_t mt_len = (size_t)((semi ? semi : comma) - mt);
    const struct media *m = media_lookup(mt, mt_len);
    if (!m || m->kind != kind) {
        if (mt_len >= 7 && strncasecmp(mt + mt_len - 7, "+sd-jwt", 7) == 0)
            return vc_fail(err, VC_ERR_UNSUPPORTED, "/id",
                           "%.*s is a securing mechanism libvc does not verify (it verifies vc+jwt and vc+cose); "
                           "an unverifiable credential is never passed as valid",
                           (int)mt_len, mt);
        return vc_fail(err, VC_ERR_MEDIA_TYPE, "/id", "data: URL media type \"%.*s\" is not %s", (int)mt_len, mt,
                       kind == KIND_CREDENTIAL ? "application/vc+jwt or application/vc+cose"
                                               : "application/vp+jwt or application/vp+cose");
    }
    t->fmt = m->fmt;
    if (m->fmt == FMT_JWT) {
        if (semi)
            return vc_fail(err, VC_ERR_ENVELOPE, "/id",
                           "data: URL parameters (\"%.*s\") are not allowed for a JWS: it is already base64url text",
                           (int)(comma - semi), semi);
        t->text = comma + 1;
        t->text_len = strlen(comma + 1);
        return VC_OK;
    }
    /* COSE is binary: data:application/vc+cose;base64,<base64> (RFC 2397). */
    if (!semi || (size_t)(comma - semi) != 7 || strncasecmp(semi, ";base64", 7) != 0)
        return vc_fail(err, VC_ERR_ENVELOPE, "/id",
                       "a COSE data: URL must be data:%.*s;base64,<base64 of the COSE_Sign1> (found \"%.*s\")",
                       (int)mt_len, mt, (int)(comma - (semi ? semi : comma)), semi ? semi : "");
    const char *data = comma + 1;
    size_t n = strlen(data);
    /* A line break after the data is tolerated: the W3C test suite's own
     * presentation carries one. Nothing else but base64 is. */
    while (n && (data[n - 1] == '\n' || data[n - 1] == '\r' || data[n - 1] == ' ' || data[n - 1] == '\t'))
        n--;
    vc_error e;
    if (vc_base64_decode_any(data, n, &t->owned, &t->n, &e) != VC_OK)
        return vc_fail(err, VC_ERR_ENVELOPE, "/id", "the data: URL's base64 data is not valid: %s", e.message);
    t->bytes = t->owned;
    return VC_OK;
}

/* ------------------------------------------------------------ checks */

/* The signer of a document: the issuer id of a credential, the holder of a presentation. */
static const char *signer_of(const json_t *payload, enum doc_kind kind)
{
    if (kind == KIND_CREDENTIAL)
        return vc_dm_issuer_id(payload);
    json_t *h = json_object_get(payload, "holder");
    return json_is_string(h) ? json_string_value(h) : vc_json_str(h, "id");
}

static const char *subject_id(const json_t *payload)
{
    json_t *cs = json_object_get(payload, "credentialSubject");
    return json_is_object(cs) ? vc_json_str(cs, "id") : NULL;
}

/* Time claims of the securing layer (JWT nbf/exp in the payload, CWT in the header). */
struct times {
    int has_nbf, has_exp;
    double nbf, exp;
};

/* The JWT claims must agree with the document they secure. */
static vc_status check_jwt_claims(const json_t *payload, enum doc_kind kind, struct times *t, vc_error *err)
{
    static const char *const forbidden[] = {"vc", "vp"};
    for (size_t i = 0; i < 2; i++)
        if (json_object_get(payload, forbidden[i])) {
            char path[8];
            snprintf(path, sizeof path, "/%s", forbidden[i]);
            return vc_fail(err, VC_ERR_DM_CLAIMS, path,
                           "the JWT claim \"%s\" must not be present in a VC-JOSE-COSE %s (VC 1.1 JWT encoding?)",
                           forbidden[i], kind_name(kind));
        }
    const char *who = signer_of(payload, kind);
    json_t *iss = json_object_get(payload, "iss");
    if (iss && (!json_is_string(iss) || !who || strcmp(json_string_value(iss), who) != 0))
        return vc_fail(err, VC_ERR_DM_CLAIMS, "/iss", "JWT \"iss\" does not equal the %s",
                       kind == KIND_CREDENTIAL ? "issuer" : "holder");
    json_t *jti = json_object_get(payload, "jti");
    const char *id = vc_json_str(payload, "id");
    if (jti && (!json_is_string(jti) || !id || strcmp(json_string_value(jti), id) != 0))
        return vc_fail(err, VC_ERR_DM_CLAIMS, "/jti", "JWT \"jti\" does not equal the %s id", kind_name(kind));
    json_t *sub = json_object_get(payload, "sub");
    if (sub) {
        const char *sid = subject_id(payload);
        if (!json_is_string(sub) || !sid || strcmp(json_string_value(sub), sid) != 0)
            return vc_fail(err, VC_ERR_DM_CLAIMS, "/sub", "JWT \"sub\" does not equal credentialSubject.id");
    }
    static const char *const numeric[] = {"exp", "nbf"};
    for (size_t i = 0; i < 2; i++) {
        json_t *c = json_object_get(payload, numeric[i]);
        if (c && !json_is_integer(c) && !json_is_real(c)) {
            char path[8];
            snprintf(path, sizeof path, "/%s", numeric[i]);
            return vc_fail(err, VC_ERR_DM_CLAIMS, path, "JWT \"%s\" must be a NumericDate (seconds since 1970)",
                           numeric[i]);
        }
    }
    json_t *nbf = json_object_get(payload, "nbf"), *exp = json_object_get(payload, "exp");
    if ((t->has_nbf = json_is_number(nbf)))
        t->nbf = json_number_value(nbf);
    if ((t->has_exp = json_is_number(exp)))
        t->exp = json_number_value(exp);
    return VC_OK;
}

/* CWT claims (RFC 9597, protected header label 15) must agree with the document. */
static vc_status check_cwt_claims(const vc_cose *cose, const json_t *payload, enum doc_kind kind, struct times *t,
                                  vc_error *err)
{
    const char *who = signer_of(payload, kind);
    const char *iss = vc_cose_cwt_iss(cose), *sub = vc_cose_cwt_sub(cose);
    if (iss && (!who || strcmp(iss, who) != 0))
        return vc_fail(err, VC_ERR_DM_CLAIMS, "header.cwt.iss", "CWT claim iss \"%.100s\" does not equal the %s",
                       iss, kind == KIND_CREDENTIAL ? "issuer" : "holder");
    if (sub) {
        const char *sid = subject_id(payload);
        if (!sid || strcmp(sub, sid) != 0)
            return vc_fail(err, VC_ERR_DM_CLAIMS, "header.cwt.sub",
                           "CWT claim sub \"%.100s\" does not equal credentialSubject.id", sub);
    }
    int64_t x;
    if ((t->has_nbf = vc_cose_cwt_nbf(cose, &x)))
        t->nbf = (double)x;
    if ((t->has_exp = vc_cose_cwt_exp(cose, &x)))
        t->exp = (double)x;
    return VC_OK;
}

/* validFrom/validUntil and nbf/exp against the verification time. */
static vc_status check_window(const json_t *payload, int64_t at, const struct times *tc, const char *claims,
                              vc_error *err)
{
    int64_t t;
    char when[32], at_s[32];
    if (vc_datetime_format(at, at_s, sizeof at_s) != VC_OK)
        snprintf(at_s, sizeof at_s, "%lld", (long long)at);
    const char *vf = vc_json_str(payload, "validFrom");
    if (vf && vc_datetime_parse(vf, &t, NULL) == VC_OK && at < t)
        return vc_fail(err, VC_ERR_DM_NOT_YET_VALID, "/validFrom", "not valid before %s (verification time %s)", vf,
                       at_s);
    const char *vu = vc_json_str(payload, "validUntil");
    if (vu && vc_datetime_parse(vu, &t, NULL) == VC_OK && at > t)
        return vc_fail(err, VC_ERR_DM_EXPIRED, "/validUntil", "expired at %s (verification time %s)", vu, at_s);
    int cwt = strcmp(claims, "CWT") == 0;
    if (tc->has_nbf && (double)at < tc->nbf) {
        if (vc_datetime_format((int64_t)tc->nbf, when, sizeof when) != VC_OK)
            snprintf(when, sizeof when, "%.0f", tc->nbf);
        return vc_fail(err, VC_ERR_DM_NOT_YET_VALID, cwt ? "header.cwt.nbf" : "/nbf",
                       "%s not valid before %s (verification time %s)", claims, when, at_s);
    }
    if (tc->has_exp && (double)at >= tc->exp) {
        if (vc_datetime_format((int64_t)tc->exp, when, sizeof when) != VC_OK)
            snprintf(when, sizeof when, "%.0f", tc->exp);
        return vc_fail(err, VC_ERR_DM_EXPIRED, cwt ? "header.cwt.exp" : "/exp", "%s expired at %s (verification time %s)",
                       claims, when, at_s);
    }
    return VC_OK;
}

/* ------------------------------------------------------------ verification */

/* One verification run: the first failure is kept in order of the report. */
struct run {
    const vc_verifier *v;
    vc_report *rep;
    vc_status first;
};

static void note_fail(struct run *r, const char *name, const vc_error *e)
{
    vc_report_fail(r->rep, name, e);
    if (r->first == VC_OK)
        r->first = e->code;
}

/* A parsed token: what the shared steps need from the securing layer. */
typedef struct secured {
    enum sec_format fmt;
    const vc_jws *jws;   /* FMT_JWT */
    const vc_cose *cose; /* FMT_COSE */
    const char *alg, *kid, *typ, *cty;
    const uint8_t *payload;
    size_t payload_len;
} secured;

/* typ and content type against the payload's kind. */
static vc_status check_typ(const secured *s, enum doc_kind kind, vc_error *e)
{
    int vc = kind == KIND_CREDENTIAL;
    if (s->fmt == FMT_JWT) {
        if (!s->typ)
            return vc_fail(e, VC_ERR_JWS_TYP, "header.typ", "JWS header has no \"typ\"; expected \"%s\"",
                           vc ? "vc+jwt" : "vp+jwt");
        if (!jws_typ_ok(s->typ, kind))
            return vc_fail(e, VC_ERR_JWS_TYP, "header.typ", "JWS typ \"%.60s\" is not \"%s\"", s->typ,
                           vc ? "vc+jwt" : "vp+jwt");
        if (s->cty && strcmp(s->cty, vc ? "vc" : "vp") != 0)
            return vc_fail(e, VC_ERR_JWS_CTY, "header.cty", "JWS cty \"%.60s\" is not \"%s\"", s->cty,
                           vc ? "vc" : "vp");
        return VC_OK;
    }
    if (!s->typ)
        return vc_fail(e, VC_ERR_COSE_HEADER, "header.typ", "the COSE protected header has no typ (16); expected \"%s\"",
                       vc ? "application/vc+cose" : "application/vp+cose");
    if (!cose_typ_ok(s->typ, kind))
        return vc_fail(e, VC_ERR_COSE_HEADER, "header.typ", "COSE typ \"%.60s\" is not \"%s\"", s->typ,
                       vc ? "application/vc+cose" : "application/vp+cose");
    if (s->cty && strcasecmp(s->cty, vc ? "application/vc" : "application/vp") != 0)
        return vc_fail(e, VC_ERR_COSE_HEADER, "header.content_type", "COSE content type \"%.60s\" is not \"%s\"",
                       s->cty, vc ? "application/vc" : "application/vp");
    return VC_OK;
}

static vc_status verify_signature(const secured *s, const vc_key *key, vc_error *e)
{
    return s->fmt == FMT_JWT ? vc_jws_verify(s->jws, key, e) : vc_cose_verify(s->cose, key, e);
}

static void verify_token(struct run *r, const token *t, enum doc_kind expected, int has_expected, int depth);

/* Verify each credential of a presentation; they must be enveloped. */
static void verify_presentation_credentials(struct run *r, const json_t *payload, int depth)
{
    json_t *vcs = json_object_get(payload, "verifiableCredential");
    if (!vcs)
        return;
    size_t n = json_is_array(vcs) ? json_array_size(vcs) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_is_array(vcs) ? json_array_get(vcs, i) : vcs;
        char prefix[48];
        snprintf(prefix, sizeof prefix, "credential[%zu]", i);
        vc_error e;
        vc_error_clear(&e);
        snprintf(e.path, sizeof e.path, "/verifiableCredential/%zu", i);
        if (!json_is_object(c) || !vc_dm_has_type(c, "EnvelopedVerifiableCredential")) {
            e.code = VC_ERR_UNSECURED;
            snprintf(e.message, sizeof e.message,
                     "credential %zu of the presentation is not an EnvelopedVerifiableCredential: "
                     "credentials in presentations must be secured",
                     i);
            note_fail(r, prefix, &e);
            continue;
        }
        const char *id = vc_json_str(c, "id");
        token t;
        memset(&t, 0, sizeof t);
        if (!id || data_url_token(id, KIND_CREDENTIAL, &t, &e) != VC_OK) {
            if (!id) {
                e.code = VC_ERR_ENVELOPE;
                snprintf(e.message, sizeof e.message, "enveloped credential %zu has no string id", i);
            }
            snprintf(e.path, sizeof e.path, "/verifiableCredential/%zu/id", i);
            note_fail(r, prefix, &e);
            token_free(&t);
            continue;
        }
        vc_report_set_prefix(r->rep, prefix);
        verify_token(r, &t, KIND_CREDENTIAL, 1, depth + 1);
        vc_report_set_prefix(r->rep, NULL);
        token_free(&t);
    }
}

/* "trust.anchor": the issuer chains to a trusted root through DIAs. */
static void check_trust(struct run *r, const char *issuer, int top)
{
    char *anchor = NULL, *path = NULL;
    vc_error e;
    vc_error_clear(&e);
    if (vc_trust_anchor(r->v->trust, r->v->resolver, now_or(r->v), issuer, &anchor, &path, &e) != VC_OK) {
        note_fail(r, "trust.anchor", &e);
        return;
    }
    vc_error ok;
    vc_error_clear(&ok);
    snprintf(ok.message, sizeof ok.message, "anchored to %.100s: %.140s", anchor, path ? path : "");
    vc_report_add(r->rep, "trust.anchor", VC_CHECK_PASS, &ok);
    if (top)
        vc_report_set_anchor(r->rep, anchor);
    vc_free(anchor);
    vc_free(path);
}

static int64_t mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* A verified status list for url (from the cache, or fetched and verified now). */
static vc_status status_list_fill(const vc_verifier *v, const char *url, const vc_status_list **list,
                                  vc_status_purpose *purpose, const char **list_issuer, vc_error *e)
{
    vc_verifier *mv = (vc_verifier *)v; /* the cache is the only mutable part */
    int64_t now = mono_seconds();
    pthread_mutex_lock(&mv->status_lock);
    for (status_cache *c = mv->statuses; c; c = c->next)
        if (strcmp(c->url, url) == 0 && now - c->fetched < VC_STATUS_CACHE_SECONDS) {
            *list = c->list;
            *purpose = c->purpose;
            *list_issuer = c->issuer;
            pthread_mutex_unlock(&mv->status_lock);
            return VC_OK;
        }
    pthread_mutex_unlock(&mv->status_lock);

    char *body = NULL;
    size_t len = 0;
    vc_status st = vc_fetcher_get(v->fetcher, url,
                                  "application/vc+jwt, application/vc, application/vc+ld+json, application/json, "
                                  "application/vc+cose, application/jwt",
                                  0, &body, &len, NULL, e);
    if (st != VC_OK) {
        char why[VC_ERROR_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", e->message); /* e is about to be overwritten */
        return vc_fail(e, VC_ERR_STATUS_UNAVAILABLE, url, "status list %.120s unavailable: %s: %.100s", url,
                       vc_status_name(st), why);
    }
    /* Verify the list with a plain verifier: same keys and clock, no nested status. */
    vc_verifier plain;
    memset(&plain, 0, sizeof plain);
    plain.resolver = v->resolver;
    plain.at = v->at;
    vc_report *rep = NULL;
    vc_error le;
    st = vc_verify(&plain, body, len, &rep, &le);
    vc_free(body);
    if (st != VC_OK) {
        vc_report_free(rep);
        return vc_fail(e, VC_ERR_STATUS_LIST, url, "status list %.120s does not verify: %s: %.100s", url,
                       vc_status_name(st), le.message);
    }
    const char *payload = vc_report_credential(rep);
    status_cache *c = calloc(1, sizeof *c);
    if (!c) {
        vc_report_free(rep);
        return vc_fail(e, VC_ERR_NOMEM, NULL, "out of memory");
    }
    char *id = NULL;
    st = vc_status_list_from_credential(payload, strlen(payload), &c->list, &c->purpose, &id, &le);
    if (st == VC_OK && (!id || strcmp(id, url) != 0))
        st = vc_fail(&le, VC_ERR_STATUS_LIST, "/id", "the status list credential's id is not %.120s", url);
    if (st == VC_OK) {
        c->url = vc_strdup(url);
        c->issuer = vc_strdup(vc_report_issuer(rep));
        if (!c->url || !c->issuer)
            st = vc_fail(&le, VC_ERR_NOMEM, NULL, "out of memory");
    }
    vc_free(id);
    vc_report_free(rep);
    if (st != VC_OK) {
        vc_status_list_free(c->list);
        free(c->url);
        free(c->issuer);
        free(c);
        return vc_fail(e, VC_ERR_STATUS_LIST, url, "status list %.120s: %.150s", url, le.message);
    }
    c->fetched = now;
    pthread_mutex_lock(&mv->status_lock);
    c->next = mv->statuses;
    mv->statuses = c;
    *list = c->list;
    *purpose = c->purpose;
    *list_issuer = c->issuer;
    pthread_mutex_unlock(&mv->status_lock);
    return VC_OK;
}

/* The cached list when there is one (no waiting); else one thread at a time
 * fetches, the others find what it cached. */
static vc_status status_list_for(const vc_verifier *v, const char *url, const vc_status_list **list,
                                 vc_status_purpose *purpose, const char **list_issuer, vc_error *e)
{
    vc_verifier *mv = (vc_verifier *)v;
    int64_t now = mono_seconds();
    pthread_mutex_lock(&mv->status_lock);
    for (status_cache *c = mv->statuses; c; c = c->next)
        if (strcmp(c->url, url) == 0 && now - c->fetched < VC_STATUS_CACHE_SECONDS) {
            *list = c->list;
            *purpose = c->purpose;
            *list_issuer = c->issuer;
            pthread_mutex_unlock(&mv->status_lock);
            return VC_OK;
        }
    pthread_mutex_unlock(&mv->status_lock);
    pthread_mutex_lock(&mv->status_fill_lock);
    vc_status st = status_list_fill(v, url, list, purpose, list_issuer, e); /* looks in the cache again first */
    pthread_mutex_unlock(&mv->status_fill_lock);
    return st;
}

/* "status": every BitstringStatusListEntry of the credential. */
static void check_status(struct run *r, const json_t *payload, const char *issuer)
{
    vc_status_entry entries[VC_STATUS_MAX_ENTRIES];
    size_t n = 0, other = 0;
    vc_error e;
    vc_error_clear(&e);
    if (vc_status_entries(payload, entries, VC_STATUS_MAX_ENTRIES, &n, &other, &e) != VC_OK) {
        note_fail(r, "status", &e);
        return;
    }
    if (n == 0 && other == 0)
        return; /* no status to check */
    int required = (r->v->status_flags & VC_STATUS_REQUIRE) != 0;
    if (n == 0) {
        vc_fail(&e, VC_ERR_UNSUPPORTED, "/credentialStatus", "only BitstringStatusListEntry status can be checked");
        if (required)
            note_fail(r, "status", &e);
        else
            vc_report_add(r->rep, "status", VC_CHECK_WARN, &e);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const vc_status_entry *se = &entries[i];
        const vc_status_list *list = NULL;
        const char *list_issuer = NULL;
        vc_status_purpose purpose = VC_PURPOSE_REVOCATION;
        vc_status st = status_list_for(r->v, se->list_url, &list, &purpose, &list_issuer, &e);
        if (st == VC_OK && strcmp(list_issuer, issuer) != 0)
            st = vc_fail(&e, VC_ERR_STATUS_LIST, se->path, "status list %.120s was issued by %.100s, not by the issuer",
                         se->list_url, list_issuer);
        if (st == VC_OK && purpose != se->purpose)
            st = vc_fail(&e, VC_ERR_STATUS_LIST, se->path, "status list %.120s is a %s list, the entry says %s",
                         se->list_url, vc_status_purpose_name(purpose), vc_status_purpose_name(se->purpose));
        int bit = 0;
        if (st == VC_OK)
            st = vc_status_list_get(list, se->index, &bit, &e);
        if (st != VC_OK) {
            if (st == VC_ERR_NOMEM || required || e.code == VC_ERR_STATUS_LIST)
                note_fail(r, "status", &e);
            else
                vc_report_add(r->rep, "status", VC_CHECK_WARN, &e);
            continue;
        }
        if (bit) {
            vc_fail(&e, se->purpose == VC_PURPOSE_REVOCATION ? VC_ERR_STATUS_REVOKED : VC_ERR_STATUS_SUSPENDED,
                    se->path, "the credential is %s (status list %.120s, index %zu)",
                    se->purpose == VC_PURPOSE_REVOCATION ? "revoked" : "suspended", se->list_url, se->index);
            note_fail(r, "status", &e);
        } else {
            vc_error ok;
            vc_error_clear(&ok);
            snprintf(ok.message, sizeof ok.message, "not %s (index %zu of %.150s)",
                     se->purpose == VC_PURPOSE_REVOCATION ? "revoked" : "suspended", se->index, se->list_url);
            vc_report_add(r->rep, "status", VC_CHECK_PASS, &ok);
        }
    }
}

/*
 * Everything after the securing layer's parse, the same for JWT and COSE.
 * expected/has_expected: the kind the envelope announced. depth 0 is the top
 * level; credentials inside a presentation are depth 1 and may not be
 * presentations themselves.
 */
static void verify_secured(struct run *r, const secured *s, enum doc_kind expected, int has_expected, int depth)
{
    const struct format_info *F = &FORMATS[s->fmt];
    vc_report *rep = r->rep;
    vc_error e;
    vc_error_clear(&e);
    json_t *payload = NULL;
    vc_key *key = NULL;
    char *vm_id = NULL;
    int top = depth == 0;

    if (top)
        vc_report_set_alg(rep, s->alg);
    if (vc_json_parse_object((const char *)s->payload, s->payload_len, &payload, &e) != VC_OK) {
        snprintf(e.path, sizeof e.path, "payload");
        note_fail(r, "payload.json", &e);
        vc_report_skip(rep, F->signature, "the payload is not a JSON object");
        return;
    }
    vc_report_pass(rep, "payload.json");
    enum doc_kind kind = vc_dm_is_presentation(payload) ? KIND_PRESENTATION : KIND_CREDENTIAL;
    if (top) {
        vc_report_set_credential(rep, payload);
        vc_report_set_format(rep, format_name(s->fmt, kind));
    }

    /* typ / content type, and agreement between envelope, header and payload */
    if (has_expected && kind != expected) {
        vc_fail(&e, VC_ERR_ENVELOPE, "payload", "the envelope announces a %s but the payload is a %s",
                kind_name(expected), kind_name(kind));
        note_fail(r, F->typ, &e);
    } else if (check_typ(s, kind, &e) != VC_OK)
        note_fail(r, F->typ, &e);
    else
        vc_report_pass(rep, F->typ);
    if (kind == KIND_PRESENTATION && depth > 0) {
        vc_fail(&e, VC_ERR_ENVELOPE, "payload", "a presentation cannot be nested in a presentation");
        note_fail(r, "payload.kind", &e);
        goto done;
    }

    /* data model */
    vc_status dm = vc_dm_check(payload, 0, rep, &e);
    if (dm != VC_OK && r->first == VC_OK)
        r->first = dm;

    /* schemas and vocabulary */
    if (r->v->validator) {
        vc_status vs = vc_validator_check_json(r->v->validator, payload, rep, &e);
        if (vs != VC_OK && r->first == VC_OK)
            r->first = vs;
    }

    /* claims of the securing layer */
    struct times tc = {0, 0, 0, 0};
    vc_status cl = s->fmt == FMT_JWT ? check_jwt_claims(payload, kind, &tc, &e)
                                     : check_cwt_claims(s->cose, payload, kind, &tc, &e);
    if (cl != VC_OK)
        note_fail(r, F->claims, &e);
    else
        vc_report_pass(rep, F->claims);

    /* validity window */
    if (check_window(payload, now_or(r->v), &tc, F->token, &e) != VC_OK)
        note_fail(r, "validity", &e);
    else
        vc_report_pass(rep, "validity");

    /* key and signature */
    const char *signer = signer_of(payload, kind);
    if (top)
        vc_report_set_issuer(rep, signer);
    if (!signer) {
        vc_fail(&e, kind == KIND_CREDENTIAL ? VC_ERR_DM_ISSUER : VC_ERR_DM_HOLDER,
                kind == KIND_CREDENTIAL ? "/issuer" : "/holder", "%s",
                kind == KIND_CREDENTIAL ? "no issuer id: cannot find the signing key"
                                        : "a secured presentation needs a holder to find the signing key");
        note_fail(r, "issuer.key", &e);
        vc_report_skip(rep, F->signature, "no key");
    } else if (vc_resolver_find_key(r->v->resolver, signer, s->kid, &key, &vm_id, &e) != VC_OK) {
        note_fail(r, "issuer.key", &e);
        vc_report_skip(rep, F->signature, "no key");
    } else {
        vc_report_pass(rep, "issuer.key");
        if (top)
            vc_report_set_method(rep, vm_id);
        if (verify_signature(s, key, &e) != VC_OK)
            note_fail(r, F->signature, &e);
        else {
            vc_report_pass(rep, F->signature);
            /* Trust and status only mean something for a genuine credential. */
            if (r->v->trust)
                check_trust(r, signer, top);
            if (r->v->fetcher && kind == KIND_CREDENTIAL)
                check_status(r, payload, signer);
        }
    }

    if (kind == KIND_PRESENTATION)
        verify_presentation_credentials(r, payload, depth);
done:
    json_decref(payload);
    vc_key_free(key);
    free(vm_id);
}

/* Parse a token with its format's front end, then the shared steps. */
static void verify_token(struct run *r, const token *t, enum doc_kind expected, int has_expected, int depth)
{
    const struct format_info *F = &FORMATS[t->fmt];
    vc_error e;
    vc_error_clear(&e);
    secured s;
    memset(&s, 0, sizeof s);
    s.fmt = t->fmt;
    if (t->fmt == FMT_JWT) {
        vc_jws *jws = NULL;
        if (vc_jws_parse(t->text, t->text_len, &jws, &e) != VC_OK) {
            note_fail(r, F->header, &e);
            vc_report_skip(r->rep, F->signature, "the JWS could not be parsed");
            return;
        }
        vc_report_pass(r->rep, F->header);
        s.jws = jws;
        s.alg = vc_jws_alg(jws);
        s.kid = vc_jws_kid(jws);
        s.typ = vc_jws_typ(jws);
        s.cty = vc_jws_cty(jws);
        s.payload = vc_jws_payload(jws, &s.payload_len);
        verify_secured(r, &s, expected, has_expected, depth);
        vc_jws_free(jws);
    } else {
        vc_cose *cose = NULL;
        if (vc_cose_parse(t->bytes, t->n, &cose, &e) != VC_OK) {
            note_fail(r, F->header, &e);
            vc_report_skip(r->rep, F->signature, "the COSE_Sign1 could not be parsed");
            return;
        }
        vc_report_pass(r->rep, F->header);
        s.cose = cose;
        s.alg = vc_cose_alg_name(vc_cose_alg(cose));
        s.kid = vc_cose_kid(cose);
        s.typ = vc_cose_typ(cose);
        s.cty = vc_cose_cty(cose);
        s.payload = vc_cose_payload(cose, &s.payload_len);
        verify_secured(r, &s, expected, has_expected, depth);
        vc_cose_free(cose);
    }
}

/* Skip leading and trailing white space. */
static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/*
 * Find the token in the input: raw COSE bytes, an enveloped JSON object, a data:
 * URL, base64 / base64url text of COSE bytes, or a compact JWS. kind and has_kind
 * receive what an envelope or media type announced; owned keeps any copy.
 */
static vc_status locate(const char *input, size_t len, token *t, enum doc_kind *kind, int *has_kind, json_t **doc,
                        char **owned, vc_error *e)
{
    memset(t, 0, sizeof *t);
    if (len && cbor_start((unsigned char)input[0])) {
        t->fmt = FMT_COSE;
        t->bytes = (const uint8_t *)input;
        t->n = len;
        return VC_OK;
    }
    const char *s = input;
    size_t n = len;
    trim(&s, &n);
    if (n && s[0] == '{') {
        if (vc_json_parse_object(s, n, doc, e) != VC_OK)
            return e->code;
        int env_vc = vc_dm_has_type(*doc, "EnvelopedVerifiableCredential");
        int env_vp = vc_dm_has_type(*doc, "EnvelopedVerifiablePresentation");
        if (!env_vc && !env_vp) {
            if (json_object_get(*doc, "proof"))
                return vc_fail(e, VC_ERR_UNSUPPORTED, "/proof",
                               "embedded (Data Integrity) proofs are not supported; UNTP uses the VC-JOSE-COSE "
                               "enveloping proof (vc+jwt, vc+cose)");
            return vc_fail(e, VC_ERR_UNSECURED, "",
                           "this is an unsecured %s: sign it (untpcred sign) or give the secured form",
                           vc_dm_is_presentation(*doc) ? "presentation" : "credential");
        }
        *kind = env_vp ? KIND_PRESENTATION : KIND_CREDENTIAL;
        *has_kind = 1;
        json_t *ctx = json_object_get(*doc, "@context");
        json_t *first_ctx = json_is_array(ctx) ? json_array_get(ctx, 0) : ctx;
        const char *id = vc_json_str(*doc, "id");
        if (!json_is_string(first_ctx) || strcmp(json_string_value(first_ctx), "https://www.w3.org/ns/credentials/v2"))
            return vc_fail(e, VC_ERR_DM_CONTEXT, "/@context",
                           "the envelope's @context must start with https://www.w3.org/ns/credentials/v2");
        if (!id)
            return vc_fail(e, VC_ERR_ENVELOPE, "/id", "the envelope has no string id (the data: URL)");
        return data_url_token(id, *kind, t, e);
    }
    if (n >= 5 && strncmp(s, "data:", 5) == 0) {
        *owned = strndup(s, n);
        if (!*owned)
            return vc_fail(e, VC_ERR_NOMEM, NULL, "out of memory");
        /* The media type says which kind the URL carries. */
        const char *end = strpbrk(*owned + 5, ";,");
        size_t mt_len = end ? (size_t)(end - *owned - 5) : 0;
        const struct media *m = media_lookup(*owned + 5, mt_len);
        *kind = m ? m->kind : KIND_CREDENTIAL;
        *has_kind = 1;
        return data_url_token(*owned, *kind, t, e);
    }
    if (n && !memchr(s, '.', n)) {
        /* No dots: not a JWS. base64 (the W3C suite's form) or base64url of a COSE_Sign1
         * (tag 18 or an untagged array of four)? Other text stays with the JWS parser. */
        uint8_t *b = NULL;
        size_t bn = 0;
        if (vc_base64_decode_any(s, n, &b, &bn, NULL) == VC_OK && bn && (b[0] == 0xd2 || b[0] == 0x84)) {
            t->fmt = FMT_COSE;
            t->owned = b;
            t->bytes = b;
            t->n = bn;
            return VC_OK;
        }
        free(b);
        if (hex_cose(s, n))
            return vc_fail(e, VC_ERR_FORMAT, "",
                           "the input looks like hex-encoded COSE: give the COSE_Sign1 bytes, their base64 or "
                           "base64url text, or an enveloped credential");
    }
    t->fmt = FMT_JWT;
    t->text = s;
    t->text_len = n;
    return VC_OK;
}

vc_status vc_verify(const vc_verifier *v, const char *input, size_t len, vc_report **report, vc_error *err)
{
    if (report)
        *report = NULL;
    if (!v || !input)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "verify: NULL argument");
    /* No report wanted: a lite one keeps only the verdict and the first error
     * (same checks, same codes and messages), without per-check allocations. */
    vc_report *rep = report ? vc_report_new() : vc_report_new_lite();
    if (!rep)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    vc_error e;
    vc_error_clear(&e);
    json_t *doc = NULL;
    char *owned = NULL;
    token t;
    memset(&t, 0, sizeof t);
    vc_status st = VC_OK;
    enum doc_kind kind = KIND_CREDENTIAL;
    int has_kind = 0;

    if (len > VC_MAX_INPUT_BYTES) {
        vc_fail(&e, VC_ERR_LIMIT, NULL, "input of %zu bytes exceeds the %u-byte limit", len, VC_MAX_INPUT_BYTES);
        st = vc_report_fail(rep, "input.format", &e);
        goto done;
    }
    if (locate(input, len, &t, &kind, &has_kind, &doc, &owned, &e) != VC_OK) {
        if (e.code == VC_ERR_NOMEM) {
            st = vc_error_copy(err, &e);
            token_free(&t);
            json_decref(doc);
            free(owned);
            vc_report_free(rep);
            return st;
        }
        st = vc_report_fail(rep, "input.format", &e);
        goto done;
    }
    vc_report_pass(rep, "input.format");
    vc_report_set_format(rep, format_name(t.fmt, kind));
    struct run r = {v, rep, VC_OK};
    verify_token(&r, &t, kind, has_kind, 0);
    st = r.first;
    if (st == VC_OK && !vc_report_valid(rep))
        st = vc_report_first_error(rep)->code;

done:
    token_free(&t);
    json_decref(doc);
    free(owned);
    if (st != VC_OK) {
        const vc_error *fe = vc_report_first_error(rep);
        if (fe)
            vc_error_copy(err, fe);
        else
            vc_fail(err, st, NULL, "%s", vc_status_description(st));
    } else
        vc_error_clear(err);
    if (report)
        *report = rep;
    else
        vc_report_free(rep);
    return st;
}

/*
 * Decode a secured (or plain) document's payload WITHOUT verifying anything but
 * its form: for vc_validate. Plain JSON objects are returned as they are.
 * *payload is a new reference. Codes as for the "input.format" and header checks.
 */
vc_status vc_decode_payload(const char *input, size_t len, json_t **payload, const char **format, vc_error *err)
{
    *payload = NULL;
    if (format)
        *format = NULL;
    if (len > VC_MAX_INPUT_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "input of %zu bytes exceeds the %u-byte limit", len,
                       VC_MAX_INPUT_BYTES);
    json_t *doc = NULL;
    char *owned = NULL;
    token t;
    enum doc_kind kind = KIND_CREDENTIAL;
    int has_kind = 0;
    vc_error e;
    vc_error_clear(&e);
    vc_status st = locate(input, len, &t, &kind, &has_kind, &doc, &owned, &e);
    if (st == VC_ERR_UNSECURED && doc) {
        /* An unsigned document: validate it as it is. */
        *payload = doc;
        free(owned);
        token_free(&t);
        return VC_OK;
    }
    if (st == VC_OK) {
        const uint8_t *p = NULL;
        size_t plen = 0;
        vc_jws *jws = NULL;
        vc_cose *cose = NULL;
        if (t.fmt == FMT_JWT) {
            if ((st = vc_jws_parse(t.text, t.text_len, &jws, &e)) == VC_OK)
                p = vc_jws_payload(jws, &plen);
        } else if ((st = vc_cose_parse(t.bytes, t.n, &cose, &e)) == VC_OK)
            p = vc_cose_payload(cose, &plen);
        if (st == VC_OK && (st = vc_json_parse_object((const char *)p, plen, payload, &e)) != VC_OK)
            snprintf(e.path, sizeof e.path, "payload");
        if (st == VC_OK && format)
            *format = format_name(t.fmt, vc_dm_is_presentation(*payload) ? KIND_PRESENTATION : KIND_CREDENTIAL);
        vc_jws_free(jws);
        vc_cose_free(cose);
    }
    token_free(&t);
    json_decref(doc);
    free(owned);
    return st == VC_OK ? VC_OK : vc_error_copy(err, &e);
}

/* Public wrapper of vc_decode_payload (vc/verify.h): decodes, verifies nothing. */
vc_status vc_decode_unverified(const char *input, size_t len, char **json, const char **format, vc_error *err)
{
    json_t *doc = NULL;
    if (!input || !json)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_decode_unverified: NULL argument");
    *json = NULL;
    vc_status st = vc_decode_payload(input, len, &doc, format, err);
    if (st == VC_OK && !(*json = json_dumps(doc, JSON_PRESERVE_ORDER | JSON_COMPACT)))
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    json_decref(doc);
    return st;
}
