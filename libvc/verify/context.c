/*
 * context.c - the @context rules of the VC Data Model 2.0 (section 4.3) and the
 * JSON-LD 1.1 term-definition rules that decide them for inline contexts.
 *
 * What is checked:
 *  - @context is present and is the base context URL, or an array whose first
 *    entry is exactly the base context URL; every other entry is a URL or an
 *    object (an inline context);
 *  - an inline context does not redefine, with a different definition, a term
 *    the base context protects (the base context is "@protected": true, as are
 *    the contexts it scopes to VerifiableCredential and VerifiablePresentation)
 *    or a term an earlier inline context protected;
 *  - inline term definitions map to absolute IRIs, compact IRIs, blank nodes,
 *    keywords or defined terms (a bare word needs @vocab), and use only the
 *    members JSON-LD allows;
 *  - which terms get defined and whether a default vocabulary (@vocab) is in
 *    effect at the end, so that datamodel.c can refuse undefined types.
 *
 * Known context URLs: the base context (its terms are the table below), the
 * examples context (it only sets @vocab) and the VC 1.1 context (it redefines
 * protected base terms, so it cannot follow the base context). Any other URL is
 * accepted without looking at its terms; the document is then "opaque": an
 * unknown context may define any term, so undefined types are not judged here.
 */
#include <stdio.h>
#include <string.h>

#include "../vocab/jsonld.h" /* the JSON-LD keyword table, shared with the vocabulary check */
#include "context.h"

#define CTX_EXAMPLES_V2 "https://www.w3.org/ns/credentials/examples/v2"
#define CTX_V1 "https://www.w3.org/2018/credentials/v1"

#define CRED "https://www.w3.org/2018/credentials#"
#define SEC "https://w3id.org/security#"
#define STATUS "https://www.w3.org/ns/credentials/status#"
#define JWT "https://www.iana.org/assignments/jwt#"
#define JOSE "https://www.iana.org/assignments/jose#"
#define SCHEMA "https://schema.org/"
#define XSD "http://www.w3.org/2001/XMLSchema#"
#define XSDS "https://www.w3.org/2001/XMLSchema#"

/* Where the base context defines a term: at its top, or in the context it
 * scopes to the VerifiableCredential / VerifiablePresentation types. */
enum { V2_TOP = 1, V2_VC = 2, V2_VP = 4 };

struct v2_term {
    const char *name;
    const char *id;        /* expanded IRI, or the keyword it aliases */
    const char *type;      /* @type of the definition, or NULL */
    const char *container; /* @container, or NULL */
    unsigned char scoped;  /* the definition carries its own (type-scoped) @context */
    unsigned char where;   /* V2_TOP | V2_VC | V2_VP */
};

/*
 * The protected terms of https://www.w3.org/ns/credentials/v2 (W3C Software and
 * Document License), generated from vocab/w3c/www.w3.org_ns_credentials_v2.jsonld
 * by a short Python script: walk the top-level @context and the @context of
 * VerifiableCredential and VerifiablePresentation, keep each term's @id, @type,
 * @container and whether it has a scoped @context, merge the rows of a name that
 * has the same definition in several places (OR-ing `where`), and write the IRI
 * prefixes with the macros above. The terms of the other scoped contexts
 * (DataIntegrityProof, BitstringStatusList*, JsonSchema, cnf) apply only inside
 * objects of those types and are left out on purpose: an inline context may use
 * "created", "status" or "domain" for its own claims. Regenerate when the pinned
 * context changes.
 */
static const struct v2_term v2_terms[] = {
    {"id", "@id", NULL, NULL, 0, V2_TOP | V2_VC | V2_VP},
    {"type", "@type", NULL, NULL, 0, V2_TOP | V2_VC | V2_VP},
    {"description", SCHEMA "description", NULL, NULL, 0, V2_TOP | V2_VC},
    {"digestMultibase", SEC "digestMultibase", SEC "multibase", NULL, 0, V2_TOP},
    {"digestSRI", CRED "digestSRI", CRED "sriString", NULL, 0, V2_TOP},
    {"mediaType", SCHEMA "encodingFormat", NULL, NULL, 0, V2_TOP},
    {"name", SCHEMA "name", NULL, NULL, 0, V2_TOP | V2_VC},
    {"VerifiableCredential", CRED "VerifiableCredential", NULL, NULL, 1, V2_TOP},
    {"EnvelopedVerifiableCredential", CRED "EnvelopedVerifiableCredential", NULL, NULL, 0, V2_TOP},
    {"VerifiablePresentation", CRED "VerifiablePresentation", NULL, NULL, 1, V2_TOP},
    {"EnvelopedVerifiablePresentation", CRED "EnvelopedVerifiablePresentation", NULL, NULL, 0, V2_TOP},
    {"JsonSchemaCredential", CRED "JsonSchemaCredential", NULL, NULL, 0, V2_TOP},
    {"JsonSchema", CRED "JsonSchema", NULL, NULL, 1, V2_TOP},
    {"BitstringStatusListCredential", STATUS "BitstringStatusListCredential", NULL, NULL, 0, V2_TOP},
    {"BitstringStatusList", STATUS "BitstringStatusList", NULL, NULL, 1, V2_TOP},
    {"BitstringStatusListEntry", STATUS "BitstringStatusListEntry", NULL, NULL, 1, V2_TOP},
    {"DataIntegrityProof", SEC "DataIntegrityProof", NULL, NULL, 1, V2_TOP},
    {"...", JWT "...", NULL, NULL, 0, V2_TOP},
    {"_sd", JWT "_sd", "@json", NULL, 0, V2_TOP},
    {"_sd_alg", JWT "_sd_alg", NULL, NULL, 0, V2_TOP},
    {"aud", JWT "aud", "@id", NULL, 0, V2_TOP},
    {"cnf", JWT "cnf", NULL, NULL, 1, V2_TOP},
    {"exp", JWT "exp", XSDS "nonNegativeInteger", NULL, 0, V2_TOP},
    {"iat", JWT "iat", XSDS "nonNegativeInteger", NULL, 0, V2_TOP},
    {"iss", JOSE "iss", "@id", NULL, 0, V2_TOP},
    {"jku", JOSE "jku", "@id", NULL, 0, V2_TOP},
    {"kid", JOSE "kid", "@id", NULL, 0, V2_TOP},
    {"nbf", JWT "nbf", XSDS "nonNegativeInteger", NULL, 0, V2_TOP},
    {"sub", JOSE "sub", "@id", NULL, 0, V2_TOP},
    {"x5u", JOSE "x5u", "@id", NULL, 0, V2_TOP},
    {"confidenceMethod", CRED "confidenceMethod", "@id", NULL, 0, V2_VC},
    {"credentialSchema", CRED "credentialSchema", "@id", NULL, 0, V2_VC},
    {"credentialStatus", CRED "credentialStatus", "@id", NULL, 0, V2_VC},
    {"credentialSubject", CRED "credentialSubject", "@id", NULL, 0, V2_VC},
    {"evidence", CRED "evidence", "@id", NULL, 0, V2_VC},
    {"issuer", CRED "issuer", "@id", NULL, 0, V2_VC},
    {"proof", SEC "proof", "@id", "@graph", 0, V2_VC | V2_VP},
    {"refreshService", CRED "refreshService", "@id", NULL, 0, V2_VC},
    {"relatedResource", CRED "relatedResource", "@id", NULL, 0, V2_VC},
    {"renderMethod", CRED "renderMethod", "@id", NULL, 0, V2_VC},
    {"termsOfUse", CRED "termsOfUse", "@id", NULL, 0, V2_VC | V2_VP},
    {"validFrom", CRED "validFrom", XSD "dateTime", NULL, 0, V2_VC},
    {"validUntil", CRED "validUntil", XSD "dateTime", NULL, 0, V2_VC},
    {"holder", CRED "holder", "@id", NULL, 0, V2_VP},
    {"verifiableCredential", CRED "verifiableCredential", "@id", "@graph", 1, V2_VP},
};

static const struct v2_term *v2_find(const char *name)
{
    for (size_t i = 0; i < sizeof v2_terms / sizeof v2_terms[0]; i++)
        if (strcmp(v2_terms[i].name, name) == 0)
            return &v2_terms[i];
    return NULL;
}

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

/* State of one vc_ctx_check run. */
struct run {
    vc_ctx_info *info;
    vc_ctx_fail_fn fail;
    void *arg;
};

static void problem(struct run *r, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void problem(struct run *r, const char *path, const char *fmt, ...)
{
    char msg[VC_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->info->failures++;
    if (r->fail)
        r->fail(r->arg, path, msg);
}

/* Path "/@context[/index][/member]"; index < 0 when @context is not an array. */
static void ctx_path(char *out, size_t cap, long index, const char *member)
{
    out[0] = '\0';
    vc_path_append(out, cap, "@context");
    if (index >= 0)
        vc_path_append_index(out, cap, (size_t)index);
    if (member)
        vc_path_append(out, cap, member);
}

/* Whether name is a term while the inline context local is being processed:
 * defined by the base context, by an earlier inline context, or by another
 * member of local (JSON-LD resolves dependencies inside one context). self, the
 * term being defined, does not count: a definition cannot rest on itself. */
static int term_known(const vc_ctx_info *info, const json_t *local, const char *name, const char *self)
{
    if (self && strcmp(name, self) == 0)
        return 0;
    const struct v2_term *t = v2_find(name);
    if (t && (t->where & V2_TOP))
        return 1;
    json_t *d = json_object_get(local, name);
    if (d)
        return !json_is_null(d);
    return json_object_get(info->terms, name) != NULL;
}

/*
 * Whether v, an IRI mapping of an inline term definition (its string form, @id,
 * @reverse or @type), expands to something JSON-LD accepts: a keyword, a blank
 * node, a compact IRI on a known prefix, an absolute IRI, or a bare word that is
 * a known term or that @vocab maps. "https ://x" is none of these.
 */
static int iri_mapping_ok(const vc_ctx_info *info, const json_t *local, const char *v, const char *self,
                          int vocab)
{
    if (v[0] == '@')
        return strcmp(v, "@context") != 0; /* an alias of a keyword; keyword-like words are ignored */
    const char *colon = strchr(v, ':');
    if (colon) {
        if (colon == v + 1 && v[0] == '_')
            return colon[1] != '\0'; /* blank node identifier */
        size_t plen = (size_t)(colon - v);
        char prefix[128];
        if (strncmp(colon + 1, "//", 2) != 0 && plen < sizeof prefix) {
            memcpy(prefix, v, plen);
            prefix[plen] = '\0';
            if (term_known(info, local, prefix, NULL))
                return 1; /* compact IRI */
        }
        return vc_is_url(v);
    }
    return v[0] && (term_known(info, local, v, self) || vocab || info->opaque);
}

/* v (may be NULL: absent) is the string want, or both are absent. */
static int same_opt_str(const json_t *v, const char *want)
{
    if (!v)
        return want == NULL;
    return want && json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

/* Whether an inline definition is the same as the base context's: only then may
 * a protected term appear again. Scoped definitions are never compared (an
 * inline copy of one is treated as a redefinition). */
static int same_as_v2(const struct v2_term *t, const json_t *def)
{
    if (json_is_string(def))
        return !t->type && !t->container && !t->scoped && strcmp(json_string_value(def), t->id) == 0;
    if (!json_is_object(def) || t->scoped)
        return 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)def, k, v)
    {
        if (strcmp(k, "@protected") != 0 && strcmp(k, "@id") != 0 && strcmp(k, "@type") != 0 &&
            strcmp(k, "@container") != 0)
            return 0;
    }
    json_t *id = json_object_get(def, "@id");
    return id && same_opt_str(id, t->id) && same_opt_str(json_object_get(def, "@type"), t->type) &&
           same_opt_str(json_object_get(def, "@container"), t->container);
}

/* A term definition in comparable form: a string becomes {"@id": s}, "@protected"
 * is dropped (JSON-LD compares definitions without it). New reference or NULL. */
static json_t *normal_def(const json_t *def)
{
    if (json_is_string(def))
        return json_pack("{sO}", "@id", def);
    if (!json_is_object(def))
        return json_deep_copy(def);
    json_t *o = json_deep_copy(def);
    if (o)
        json_object_del(o, "@protected");
    return o;
}

static int same_def(const json_t *a, const json_t *b)
{
    json_t *na = normal_def(a), *nb = normal_def(b);
    int eq = na && nb && json_equal(na, nb);
    json_decref(na);
    json_decref(nb);
    return eq;
}

/* A scoped @context inside an inline term definition: its terms count as
 * defined; anything we cannot see through makes the document opaque. */
static void note_scoped(vc_ctx_info *info, const json_t *scoped)
{
    if (json_is_null(scoped))
        return;
    if (!json_is_object(scoped)) {
        info->opaque = 1;
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)scoped, k, v)
    {
        if (strcmp(k, "@vocab") == 0 && !json_is_null(v))
            info->opaque = 1;
        else if (k[0] != '@' && !json_is_null(v))
            json_object_set(info->terms, k, json_true());
    }
}

/* One term of an inline context (local, entry index) with definition def. */
static void check_term(struct run *r, const json_t *local, long index, const char *term, json_t *def,
                       int ctx_protected, int vocab)
{
    vc_ctx_info *info = r->info;
    char path[VC_ERROR_PATH_MAX];
    ctx_path(path, sizeof path, index, term);

    if (!term[0]) {
        problem(r, path, "an inline context defines the empty term \"\", which JSON-LD does not allow");
        return;
    }
    const struct v2_term *t = v2_find(term);
    if (t && !same_as_v2(t, def)) {
        problem(r, path,
                "\"%.60s\" is a protected term of the VC 2.0 base context and cannot be redefined; "
                "use another name for your term",
                term);
        return;
    }
    json_t *earlier = json_object_get(info->protect, term);
    if (earlier && !same_def(earlier, def)) {
        problem(r, path, "\"%.60s\" was protected by an earlier @context entry and cannot be redefined", term);
        return;
    }

    if (json_is_null(def)) {
        json_object_del(info->terms, term); /* explicitly unmapped */
        return;
    }
    if (json_is_string(def)) {
        if (!iri_mapping_ok(info, local, json_string_value(def), term, vocab)) {
            problem(r, path,
                    "term \"%.60s\" maps to \"%.80s\", which is not an absolute IRI, a compact IRI or a defined term",
                    term, json_string_value(def));
            return;
        }
    } else if (json_is_object(def)) {
        static const char *const allowed[] = {"@id",    "@reverse", "@type",  "@language", "@direction", "@container",
                                              "@context", "@index", "@nest", "@prefix",   "@protected"};
        const char *k;
        json_t *v;
        json_object_foreach(def, k, v)
        {
            if (!in_list(k, allowed, sizeof allowed / sizeof allowed[0])) {
                problem(r, path,
                        "the definition of term \"%.60s\" has the member \"%.40s\", which JSON-LD does not allow", term,
                        k);
                return;
            }
        }
        json_t *id = json_object_get(def, "@id");
        json_t *rev = json_object_get(def, "@reverse");
        json_t *type = json_object_get(def, "@type");
        json_t *prot = json_object_get(def, "@protected");
        if (id && !json_is_null(id) &&
            (!json_is_string(id) || !iri_mapping_ok(info, local, json_string_value(id), term, vocab))) {
            problem(r, path, "the @id of term \"%.60s\" is not an absolute IRI, a compact IRI or a defined term", term);
            return;
        }
        if (rev && (!json_is_string(rev) || !iri_mapping_ok(info, local, json_string_value(rev), term, vocab))) {
            problem(r, path, "the @reverse of term \"%.60s\" is not an IRI", term);
            return;
        }
        if (!id && !rev && !strchr(term, ':') && !vocab && !info->opaque) {
            problem(r, path, "term \"%.60s\" has no @id and no @vocab is in effect to map it to an IRI", term);
            return;
        }
        if (type) {
            static const char *const type_kw[] = {"@id", "@vocab", "@json", "@none"};
            const char *tv = json_string_value(type);
            if (!tv || (tv[0] == '@' ? !in_list(tv, type_kw, 4) : !iri_mapping_ok(info, local, tv, NULL, vocab))) {
                problem(r, path, "the @type of term \"%.60s\" is not @id, @vocab, @json, @none or an IRI", term);
                return;
            }
        }
        if (prot && !json_is_boolean(prot)) {
            problem(r, path, "the @protected of term \"%.60s\" must be true or false", term);
            return;
        }
        if (json_object_get(def, "@context"))
            note_scoped(info, json_object_get(def, "@context"));
        if (prot)
            ctx_protected = json_is_true(prot);
    } else {
        problem(r, path, "the definition of term \"%.60s\" must be a string (an IRI), an object or null", term);
        return;
    }

    json_object_set(info->terms, term, def);
    if (ctx_protected)
        json_object_set(info->protect, term, def);
}

/* The keywords an inline context may carry at its top (JSON-LD 1.1 section 9.15). */
static void check_context_keywords(struct run *r, const json_t *local, long index, int *ctx_protected)
{
    vc_ctx_info *info = r->info;
    char path[VC_ERROR_PATH_MAX];
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)local, k, v)
    {
        if (k[0] != '@')
            continue;
        ctx_path(path, sizeof path, index, k);
        if (strcmp(k, "@vocab") == 0) {
            const char *s = json_string_value(v);
            if (json_is_null(v))
                info->vocab = 0;
            else if (s && iri_mapping_ok(info, local, s, NULL, 0) && s[0] != '@')
                info->vocab = 1;
            else
                problem(r, path, "@vocab must be null or an IRI");
        } else if (strcmp(k, "@protected") == 0 || strcmp(k, "@propagate") == 0) {
            if (!json_is_boolean(v))
                problem(r, path, "%s must be true or false", k);
            else if (strcmp(k, "@protected") == 0 && json_is_true(v))
                *ctx_protected = 1;
        } else if (strcmp(k, "@version") == 0) {
            if (!json_is_number(v) || json_number_value(v) != 1.1)
                problem(r, path, "@version must be the number 1.1");
        } else if (strcmp(k, "@language") == 0 || strcmp(k, "@base") == 0) {
            if (!json_is_null(v) && !json_is_string(v))
                problem(r, path, "%s must be a string or null", k);
        } else if (strcmp(k, "@direction") == 0) {
            const char *s = json_string_value(v);
            if (!json_is_null(v) && (!s || (strcmp(s, "ltr") != 0 && strcmp(s, "rtl") != 0)))
                problem(r, path, "@direction must be \"ltr\", \"rtl\" or null");
        } else if (strcmp(k, "@import") == 0) {
            if (!vc_is_url(json_string_value(v)))
                problem(r, path, "@import must be the URL of a context");
            info->opaque = 1;
        } else if (strcmp(k, "@type") == 0) {
            /* JSON-LD 1.1 allows {"@container": "@set"} here; nothing to check for VCDM */
        } else if (jl_keyword(k) != JL_NOT_KW) {
            problem(r, path, "the keyword %s cannot be defined in a context", k);
        }
        /* other words starting with '@' are reserved: JSON-LD ignores them */
    }
}

static void check_inline(struct run *r, const json_t *local, long index)
{
    int ctx_protected = 0;
    check_context_keywords(r, local, index, &ctx_protected);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)local, k, v)
    {
        if (k[0] != '@')
            check_term(r, local, index, k, v, ctx_protected, r->info->vocab);
    }
}

static void check_url(struct run *r, const char *url, long index)
{
    char path[VC_ERROR_PATH_MAX];
    ctx_path(path, sizeof path, index, NULL);
    if (strcmp(url, VC_CONTEXT_V2) == 0)
        return; /* again: same definitions, nothing changes */
    if (strcmp(url, CTX_EXAMPLES_V2) == 0) {
        r->info->vocab = 1; /* its only content is an @vocab */
        return;
    }
    if (strcmp(url, CTX_V1) == 0) {
        problem(r, path,
                "the VC 1.1 context cannot be combined with the VC 2.0 base context: it redefines the protected "
                "terms VerifiableCredential and VerifiablePresentation");
        return;
    }
    if (!vc_is_url(url)) {
        problem(r, path, "@context entry \"%.80s\" is not a URL", url);
        return;
    }
    r->info->opaque = 1; /* its terms are not known at this layer */
}

size_t vc_ctx_check(const json_t *ctx, vc_ctx_info *info, vc_ctx_fail_fn fail, void *arg)
{
    struct run r = {info, fail, arg};
    char path[VC_ERROR_PATH_MAX];
    info->terms = json_object();
    info->protect = json_object();
    info->vocab = 0;
    info->opaque = !info->terms || !info->protect; /* out of memory: judge no types */
    info->failures = 0;

    if (!ctx) {
        ctx_path(path, sizeof path, -1, NULL);
        problem(&r, path, "@context is missing; it must be an array starting with \"" VC_CONTEXT_V2 "\"");
        return info->failures;
    }
    if (json_is_string(ctx)) {
        if (strcmp(json_string_value(ctx), VC_CONTEXT_V2) != 0) {
            ctx_path(path, sizeof path, -1, NULL);
            problem(&r, path, "@context must start with \"" VC_CONTEXT_V2 "\", not \"%.80s\"",
                    json_string_value(ctx));
        }
        return info->failures;
    }
    if (!json_is_array(ctx) || json_array_size(ctx) == 0) {
        ctx_path(path, sizeof path, -1, NULL);
        problem(&r, path, "@context must be an array starting with \"" VC_CONTEXT_V2 "\"");
        return info->failures;
    }
    size_t i;
    json_t *entry;
    json_array_foreach(ctx, i, entry)
    {
        ctx_path(path, sizeof path, (long)i, NULL);
        if (i == 0 && !(json_is_string(entry) && strcmp(json_string_value(entry), VC_CONTEXT_V2) == 0))
            problem(&r, path, "the first @context entry must be \"" VC_CONTEXT_V2 "\"");
        if (json_is_string(entry))
            check_url(&r, json_string_value(entry), (long)i);
        else if (json_is_object(entry))
            check_inline(&r, entry, (long)i);
        else
            problem(&r, path, "an @context entry must be a URL or an object (an inline context), not %s",
                    json_is_null(entry) ? "null" : json_is_array(entry) ? "an array" : "a number or boolean");
    }
    return info->failures;
}

int vc_ctx_defines(const vc_ctx_info *info, const char *term)
{
    const struct v2_term *t = v2_find(term);
    if (t && (t->where & V2_TOP))
        return 1;
    return info->terms && json_object_get(info->terms, term) != NULL;
}

void vc_ctx_release(vc_ctx_info *info)
{
    if (!info)
        return;
    json_decref(info->terms);
    json_decref(info->protect);
    info->terms = info->protect = NULL;
}
