/*
 * verify.c - verify credentials and presentations secured as vc+jwt / vp+jwt.
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

#include "verify_internal.h"

struct vc_verifier {
    vc_resolver *resolver; /* borrowed */
    int64_t at;            /* VC_TIME_NOW: wall clock */
};

enum doc_kind { KIND_CREDENTIAL, KIND_PRESENTATION };

vc_status vc_verifier_new(vc_resolver *resolver, vc_verifier **out, vc_error *err)
{
    if (!resolver || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "verifier_new: NULL argument");
    vc_verifier *v = calloc(1, sizeof *v);
    if (!v)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    v->resolver = resolver;
    v->at = VC_TIME_NOW;
    *out = v;
    return VC_OK;
}

void vc_verifier_free(vc_verifier *v)
{
    free(v);
}

void vc_verifier_set_time(vc_verifier *v, int64_t unix_seconds)
{
    if (v)
        v->at = unix_seconds;
}

/* Media types accepted in data: URLs and typ headers, per kind. The -ld+ forms are
 * the names used by earlier VC-JOSE-COSE drafts, accepted on input only. */
static int media_type_ok(const char *mt, size_t n, enum doc_kind kind)
{
    static const char *const vc_types[] = {"application/vc+jwt", "application/vc-ld+jwt"};
    static const char *const vp_types[] = {"application/vp+jwt", "application/vp-ld+jwt"};
    const char *const *types = kind == KIND_CREDENTIAL ? vc_types : vp_types;
    for (size_t i = 0; i < 2; i++)
        if (strlen(types[i]) == n && strncasecmp(mt, types[i], n) == 0)
            return 1;
    return 0;
}

static int typ_ok(const char *typ, enum doc_kind kind)
{
    /* typ may omit the "application/" prefix (RFC 7515 section 4.1.9). */
    if (strncasecmp(typ, "application/", 12) == 0)
        typ += 12;
    const char *a = kind == KIND_CREDENTIAL ? "vc+jwt" : "vp+jwt";
    const char *b = kind == KIND_CREDENTIAL ? "vc-ld+jwt" : "vp-ld+jwt";
    return strcasecmp(typ, a) == 0 || strcasecmp(typ, b) == 0;
}

/* Extract the compact JWS from a data: URL. *jws points into url. */
static vc_status data_url_jws(const char *url, enum doc_kind kind, const char **jws, size_t *jws_len, vc_error *err)
{
    if (strncmp(url, "data:", 5) != 0)
        return vc_fail(err, VC_ERR_ENVELOPE, "/id", "the enveloped %s id must be a data: URL",
                       kind == KIND_CREDENTIAL ? "credential" : "presentation");
    const char *mt = url + 5;
    const char *comma = strchr(mt, ',');
    if (!comma)
        return vc_fail(err, VC_ERR_ENVELOPE, "/id", "data: URL has no ',' before its data");
    const char *semi = memchr(mt, ';', (size_t)(comma - mt));
    size_t mt_len = (size_t)((semi ? semi : comma) - mt);
    if (!media_type_ok(mt, mt_len, kind)) {
        if ((mt_len >= 5 && strncasecmp(mt + mt_len - 5, "+cose", 5) == 0) ||
            (mt_len >= 7 && strncasecmp(mt + mt_len - 7, "+sd-jwt", 7) == 0))
            return vc_fail(err, VC_ERR_UNSUPPORTED, "/id",
                           "%.*s is a securing mechanism libvc does not verify (it verifies vc+jwt); "
                           "an unverifiable credential is never passed as valid",
                           (int)mt_len, mt);
        return vc_fail(err, VC_ERR_MEDIA_TYPE, "/id", "data: URL media type \"%.*s\" is not %s", (int)mt_len, mt,
                       kind == KIND_CREDENTIAL ? "application/vc+jwt" : "application/vp+jwt");
    }
    if (semi)
        return vc_fail(err, VC_ERR_ENVELOPE, "/id",
                       "data: URL parameters (\"%.*s\") are not allowed for a JWS: it is already base64url text",
                       (int)(comma - semi), semi);
    *jws = comma + 1;
    *jws_len = strlen(comma + 1);
    return VC_OK;
}

static const char *kind_name(enum doc_kind k)
{
    return k == KIND_CREDENTIAL ? "credential" : "presentation";
}

static int64_t now_or(const vc_verifier *v)
{
    return v->at == VC_TIME_NOW ? (int64_t)time(NULL) : v->at;
}

/* The JWT claims must agree with the document they secure. */
static vc_status check_claims(const json_t *payload, enum doc_kind kind, vc_error *err)
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
    const char *who = kind == KIND_CREDENTIAL ? vc_dm_issuer_id(payload) : NULL;
    if (kind == KIND_PRESENTATION) {
        json_t *h = json_object_get(payload, "holder");
        who = json_is_string(h) ? json_string_value(h) : vc_json_str(h, "id");
    }
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
        json_t *cs = json_object_get(payload, "credentialSubject");
        const char *sid = json_is_object(cs) ? vc_json_str(cs, "id") : NULL;
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
    return VC_OK;
}

/* validFrom/validUntil and exp/nbf against the verification time. */
static vc_status check_window(const json_t *payload, int64_t at, vc_error *err)
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
    json_t *nbf = json_object_get(payload, "nbf");
    if (json_is_number(nbf) && (double)at < json_number_value(nbf)) {
        if (vc_datetime_format((int64_t)json_number_value(nbf), when, sizeof when) != VC_OK)
            snprintf(when, sizeof when, "%.0f", json_number_value(nbf));
        return vc_fail(err, VC_ERR_DM_NOT_YET_VALID, "/nbf", "JWT not valid before %s (verification time %s)", when,
                       at_s);
    }
    json_t *exp = json_object_get(payload, "exp");
    if (json_is_number(exp) && (double)at >= json_number_value(exp)) {
        if (vc_datetime_format((int64_t)json_number_value(exp), when, sizeof when) != VC_OK)
            snprintf(when, sizeof when, "%.0f", json_number_value(exp));
        return vc_fail(err, VC_ERR_DM_EXPIRED, "/exp", "JWT expired at %s (verification time %s)", when, at_s);
    }
    return VC_OK;
}

static vc_status verify_jws(const vc_verifier *v, const char *jws_text, size_t jws_len, enum doc_kind expected,
                            int has_expected, int depth, vc_report *rep);

/* Verify each credential of a presentation; they must be enveloped. */
static void verify_presentation_credentials(const vc_verifier *v, const json_t *payload, int depth, vc_report *rep)
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
            vc_report_fail(rep, prefix, &e);
            continue;
        }
        const char *id = vc_json_str(c, "id");
        const char *jws = NULL;
        size_t jws_len = 0;
        if (!id || data_url_jws(id, KIND_CREDENTIAL, &jws, &jws_len, &e) != VC_OK) {
            if (!id) {
                e.code = VC_ERR_ENVELOPE;
                snprintf(e.message, sizeof e.message, "enveloped credential %zu has no string id", i);
            }
            snprintf(e.path, sizeof e.path, "/verifiableCredential/%zu/id", i);
            vc_report_fail(rep, prefix, &e);
            continue;
        }
        vc_report_set_prefix(rep, prefix);
        verify_jws(v, jws, jws_len, KIND_CREDENTIAL, 1, depth + 1, rep);
        vc_report_set_prefix(rep, NULL);
    }
}

/*
 * Verify one compact JWS. expected/has_expected: the kind the envelope announced.
 * depth 0 is the top level; credentials inside a presentation are depth 1 and
 * may not be presentations themselves.
 */
static vc_status verify_jws(const vc_verifier *v, const char *jws_text, size_t jws_len, enum doc_kind expected,
                            int has_expected, int depth, vc_report *rep)
{
    vc_error e;
    vc_error_clear(&e);
    vc_jws *jws = NULL;
    json_t *payload = NULL;
    vc_key *key = NULL;
    char *vm_id = NULL;
    int top = depth == 0;
    vc_status first = VC_OK;
#define NOTE_FAIL(name)                                                                                        \
    do {                                                                                                       \
        vc_report_fail(rep, name, &e);                                                                         \
        if (first == VC_OK)                                                                                    \
            first = e.code;                                                                                    \
    } while (0)

    if (vc_jws_parse(jws_text, jws_len, &jws, &e) != VC_OK) {
        NOTE_FAIL("jws.header");
        vc_report_skip(rep, "jws.signature", "the JWS could not be parsed");
        return first;
    }
    vc_report_pass(rep, "jws.header");
    if (top)
        vc_report_set_alg(rep, vc_jws_alg(jws));

    size_t plen = 0;
    const uint8_t *p = vc_jws_payload(jws, &plen);
    if (vc_json_parse_object((const char *)p, plen, &payload, &e) != VC_OK) {
        snprintf(e.path, sizeof e.path, "payload");
        NOTE_FAIL("payload.json");
        vc_report_skip(rep, "jws.signature", "the payload is not a JSON object");
        goto done;
    }
    vc_report_pass(rep, "payload.json");
    enum doc_kind kind = vc_dm_is_presentation(payload) ? KIND_PRESENTATION : KIND_CREDENTIAL;
    if (top)
        vc_report_set_credential(rep, payload);

    /* typ / cty, and agreement between envelope, header and payload */
    const char *typ = vc_jws_typ(jws), *cty = vc_jws_cty(jws);
    if (has_expected && kind != expected) {
        vc_fail(&e, VC_ERR_ENVELOPE, "payload", "the envelope announces a %s but the payload is a %s",
                kind_name(expected), kind_name(kind));
        NOTE_FAIL("jws.typ");
    } else if (!typ) {
        vc_fail(&e, VC_ERR_JWS_TYP, "header.typ", "JWS header has no \"typ\"; expected \"%s\"",
                kind == KIND_CREDENTIAL ? "vc+jwt" : "vp+jwt");
        NOTE_FAIL("jws.typ");
    } else if (!typ_ok(typ, kind)) {
        vc_fail(&e, VC_ERR_JWS_TYP, "header.typ", "JWS typ \"%.60s\" is not \"%s\"", typ,
                kind == KIND_CREDENTIAL ? "vc+jwt" : "vp+jwt");
        NOTE_FAIL("jws.typ");
    } else if (cty && strcmp(cty, kind == KIND_CREDENTIAL ? "vc" : "vp") != 0) {
        vc_fail(&e, VC_ERR_JWS_CTY, "header.cty", "JWS cty \"%.60s\" is not \"%s\"", cty,
                kind == KIND_CREDENTIAL ? "vc" : "vp");
        NOTE_FAIL("jws.typ");
    } else
        vc_report_pass(rep, "jws.typ");
    if (kind == KIND_PRESENTATION && depth > 0) {
        vc_fail(&e, VC_ERR_ENVELOPE, "payload", "a presentation cannot be nested in a presentation");
        NOTE_FAIL("payload.kind");
        goto done;
    }

    /* data model */
    vc_status dm = vc_dm_check(payload, 0, rep, &e);
    if (dm != VC_OK && first == VC_OK)
        first = dm;

    /* JWT claims */
    if (check_claims(payload, kind, &e) != VC_OK)
        NOTE_FAIL("jwt.claims");
    else
        vc_report_pass(rep, "jwt.claims");

    /* validity window */
    if (check_window(payload, now_or(v), &e) != VC_OK)
        NOTE_FAIL("validity");
    else
        vc_report_pass(rep, "validity");

    /* key and signature */
    const char *signer = NULL;
    if (kind == KIND_CREDENTIAL)
        signer = vc_dm_issuer_id(payload);
    else {
        json_t *h = json_object_get(payload, "holder");
        signer = json_is_string(h) ? json_string_value(h) : vc_json_str(h, "id");
    }
    if (top)
        vc_report_set_issuer(rep, signer);
    if (!signer) {
        vc_fail(&e, kind == KIND_CREDENTIAL ? VC_ERR_DM_ISSUER : VC_ERR_DM_HOLDER,
                kind == KIND_CREDENTIAL ? "/issuer" : "/holder", "%s",
                kind == KIND_CREDENTIAL ? "no issuer id: cannot find the signing key"
                                        : "a secured presentation needs a holder to find the signing key");
        NOTE_FAIL("issuer.key");
        vc_report_skip(rep, "jws.signature", "no key");
    } else if (vc_resolver_find_key(v->resolver, signer, vc_jws_kid(jws), &key, &vm_id, &e) != VC_OK) {
        NOTE_FAIL("issuer.key");
        vc_report_skip(rep, "jws.signature", "no key");
    } else {
        vc_report_pass(rep, "issuer.key");
        if (top)
            vc_report_set_method(rep, vm_id);
        if (vc_jws_verify(jws, key, &e) != VC_OK)
            NOTE_FAIL("jws.signature");
        else
            vc_report_pass(rep, "jws.signature");
    }

    if (kind == KIND_PRESENTATION)
        verify_presentation_credentials(v, payload, depth, rep);
done:
#undef NOTE_FAIL
    vc_jws_free(jws);
    json_decref(payload);
    vc_key_free(key);
    free(vm_id);
    return first;
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

vc_status vc_verify(const vc_verifier *v, const char *input, size_t len, vc_report **report, vc_error *err)
{
    if (report)
        *report = NULL;
    if (!v || !input)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "verify: NULL argument");
    vc_report *rep = vc_report_new();
    if (!rep)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    vc_error e;
    vc_error_clear(&e);
    json_t *doc = NULL;
    char *owned = NULL;
    const char *s = input;
    size_t n = len;
    trim(&s, &n);
    vc_status st = VC_OK;
    enum doc_kind kind = KIND_CREDENTIAL;
    int has_kind = 0;

    if (len > VC_MAX_INPUT_BYTES) {
        vc_fail(&e, VC_ERR_LIMIT, NULL, "input of %zu bytes exceeds the %u-byte limit", len, VC_MAX_INPUT_BYTES);
        st = vc_report_fail(rep, "input.format", &e);
        goto done;
    }
    if (n && s[0] == '{') {
        if (vc_json_parse_object(s, n, &doc, &e) != VC_OK) {
            st = vc_report_fail(rep, "input.format", &e);
            goto done;
        }
        int env_vc = vc_dm_has_type(doc, "EnvelopedVerifiableCredential");
        int env_vp = vc_dm_has_type(doc, "EnvelopedVerifiablePresentation");
        if (!env_vc && !env_vp) {
            if (json_object_get(doc, "proof"))
                vc_fail(&e, VC_ERR_UNSUPPORTED, "/proof",
                        "embedded (Data Integrity) proofs are not supported; UNTP uses the vc+jwt enveloping proof");
            else
                vc_fail(&e, VC_ERR_UNSECURED, "",
                        "this is an unsecured %s: sign it (untpcred sign) or give the secured form",
                        vc_dm_is_presentation(doc) ? "presentation" : "credential");
            st = vc_report_fail(rep, "input.format", &e);
            goto done;
        }
        kind = env_vp ? KIND_PRESENTATION : KIND_CREDENTIAL;
        has_kind = 1;
        json_t *ctx = json_object_get(doc, "@context");
        json_t *first_ctx = json_is_array(ctx) ? json_array_get(ctx, 0) : ctx;
        const char *id = vc_json_str(doc, "id");
        if (!json_is_string(first_ctx) || strcmp(json_string_value(first_ctx), "https://www.w3.org/ns/credentials/v2")) {
            vc_fail(&e, VC_ERR_DM_CONTEXT, "/@context",
                    "the envelope's @context must start with https://www.w3.org/ns/credentials/v2");
            st = vc_report_fail(rep, "input.format", &e);
            goto done;
        }
        if (!id) {
            vc_fail(&e, VC_ERR_ENVELOPE, "/id", "the envelope has no string id (the data: URL)");
            st = vc_report_fail(rep, "input.format", &e);
            goto done;
        }
        if (data_url_jws(id, kind, &s, &n, &e) != VC_OK) {
            st = vc_report_fail(rep, "input.format", &e);
            goto done;
        }
    } else if (n >= 5 && strncmp(s, "data:", 5) == 0) {
        owned = strndup(s, n);
        if (!owned) {
            st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
            vc_report_free(rep);
            return st;
        }
        /* The media type says which kind the URL carries. */
        const char *end = strpbrk(owned + 5, ";,");
        size_t mt_len = end ? (size_t)(end - owned - 5) : 0;
        kind = media_type_ok(owned + 5, mt_len, KIND_PRESENTATION) ? KIND_PRESENTATION : KIND_CREDENTIAL;
        has_kind = 1;
        if (data_url_jws(owned, kind, &s, &n, &e) != VC_OK) {
            st = vc_report_fail(rep, "input.format", &e);
            goto done;
        }
    }
    vc_report_pass(rep, "input.format");
    vc_report_set_format(rep, kind == KIND_PRESENTATION ? "vp+jwt" : "vc+jwt");
    st = verify_jws(v, s, n, kind, has_kind, 0, rep);
    if (st == VC_OK && !vc_report_valid(rep))
        st = vc_report_first_error(rep)->code;

done:
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
