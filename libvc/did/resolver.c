/*
 * resolver.c - DID syntax and the resolver: controller documents supplied
 * offline, verification methods given by hand, the built-in did:key / did:jwk,
 * method plug-ins (did:web), a bounded cache of resolved documents, and the
 * lookup of the key that a JWS kid names.
 *
 * Resolution order for an id: an offline document with that id, then did:key /
 * did:jwk, then a registered method. An id that is not a DID (an https issuer)
 * only comes from offline material.
 *
 * Every document, whatever its source, passes the same checks (build_doc): an
 * "id" (equal to the DID asked for), verificationMethod an array of method
 * objects with id / type / controller and exactly one of publicKeyJwk and
 * publicKeyMultibase, well-formed relations, unique method ids. Private key
 * members are removed before anything is stored or returned.
 *
 * Locking: configuration (methods, offline documents) sits behind a rwlock that
 * readers hold for a whole resolve / find_key call, so configuration changes
 * wait for lookups in flight. The cache has its own mutex, held only to look up,
 * insert or evict, never while a document is fetched or checked. Cached
 * documents are reference counted, so that eviction never frees a document a
 * thread is still reading; a cached document itself is never modified.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "did_internal.h"

#define VC_DID_CACHE_MAX 1024u     /* resolved documents one resolver keeps */
#define VC_DID_CACHE_BUCKETS 256u  /* hash buckets of that cache (a power of two) */
#define VC_DID_MAX_METHODS 256u    /* verification methods accepted in one document */
#define VC_DID_METHOD_NAME_MAX 64u /* longest method name a plug-in may register */

/* Verification relationships (DID Core section 5.3). */
static const char *const relation_names[] = {"authentication", "assertionMethod", "keyAgreement",
                                             "capabilityInvocation", "capabilityDelegation", NULL};

/* Members of a verification method object that hold private key material. */
static const char *const vm_private_members[] = {"secretKeyJwk",     "privateKeyJwk",       "secretKeyMultibase",
                                                 "privateKeyMultibase", "privateKeyBase58", "privateKeyHex",
                                                 "privateKeyPem",    NULL};

/* A registered DID method plug-in. */
typedef struct method_plugin {
    char *name;
    vc_did_method_fn fn;
    void *ctx; /* borrowed */
    vc_did_method_ext ext; /* refresh / cache lifetime (did_internal.h); zero when none */
    struct method_plugin *next;
} method_plugin;

/* A controller document supplied offline (or synthesised from methods given by
 * hand). Only its text is read during resolution, so that threads never share a
 * jansson value. */
typedef struct offline_doc {
    char *id;
    json_t *doc; /* changed by vc_resolver_add_verification_method, under the write lock */
    char *text;  /* vc_json_dump(doc) */
    struct offline_doc *next;
} offline_doc;

/* One verification method of a resolved document, ready for kid matching. */
typedef struct vm_entry {
    char *id;             /* absolute */
    const char *fragment; /* into id, after the '#'; NULL without one */
    char *controller;
    char *jwk_kid;        /* publicKeyJwk "kid" member, or NULL */
    vc_key *key;          /* public key; NULL when the import failed ... */
    vc_error key_err;     /* ... for this reason, reported if a kid selects the method */
    int asserted;         /* listed in (or embedded in) assertionMethod */
    char path[VC_ERROR_PATH_MAX]; /* JSON pointer of the method in the document */
} vm_entry;

/* A checked document. Immutable once built; shared through the cache. */
typedef struct resolved_doc {
    char *id;
    char *json; /* the document as vc_resolver_resolve returns it */
    vm_entry *vms;
    size_t n_vms;
    int has_assertion; /* the document has an assertionMethod relation */

    const method_plugin *plugin; /* the plug-in that produced it, or NULL */
    int64_t resolved_ms;         /* monotonic time it was produced */

    /* cache bookkeeping, under cache_lock */
    int64_t refresh_ms; /* when a refresh of this DID was last started (0: never) */
    unsigned refs; /* one for the cache while cached, one per thread using it */
    uint32_t hash;
    struct resolved_doc *chain;              /* next in the hash bucket */
    struct resolved_doc *lru_prev, *lru_next; /* recency list, most recent first */
} resolved_doc;

struct vc_resolver {
    pthread_rwlock_t config_lock;
    method_plugin *methods;
    offline_doc *docs;

    pthread_mutex_t cache_lock;
    resolved_doc *buckets[VC_DID_CACHE_BUCKETS];
    resolved_doc *lru_head, *lru_tail;
    size_t cache_count;
};

/* ------------------------------------------------------------------ helpers */

const char *vc_did_quote(const char *s, char buf[VC_DID_QUOTE_BUF])
{
    size_t n = strnlen(s, VC_DID_QUOTE_MAX + 1);
    if (n <= VC_DID_QUOTE_MAX) {
        memcpy(buf, s, n);
        buf[n] = '\0';
    } else {
        memcpy(buf, s, VC_DID_QUOTE_MAX);
        memcpy(buf + VC_DID_QUOTE_MAX, "...", 4);
    }
    return buf;
}

int vc_did_has_scheme(const char *s)
{
    return strncasecmp(s, "did:", 4) == 0;
}

/* base + "/" + token as a JSON pointer in buf. */
static const char *subpath(char buf[VC_ERROR_PATH_MAX], const char *base, const char *token)
{
    snprintf(buf, VC_ERROR_PATH_MAX, "%s", base);
    vc_path_append(buf, VC_ERROR_PATH_MAX, token);
    return buf;
}

/* A method reference resolved against the document id: "#frag" -> id + "#frag";
 * anything else is copied. NULL when out of memory. */
static char *absolute_ref(const char *doc_id, const char *ref)
{
    if (ref[0] != '#')
        return vc_strdup(ref);
    size_t a = strlen(doc_id), b = strlen(ref);
    char *o = malloc(a + b + 1);
    if (o) {
        memcpy(o, doc_id, a);
        memcpy(o + a, ref, b + 1);
    }
    return o;
}

/* 1 when s can name a verification method: an absolute URL, or "#fragment"
 * relative to the document id (a fragment of visible characters, no second '#'). */
static int is_method_ref(const char *s)
{
    if (!s)
        return 0;
    if (s[0] != '#')
        return vc_is_url(s);
    if (!s[1])
        return 0;
    for (const unsigned char *p = (const unsigned char *)s + 1; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '#')
            return 0;
    return 1;
}

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* ------------------------------------------------------------------ DID syntax */

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_idchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_';
}

vc_status vc_did_check_syntax(const char *did, vc_error *err)
{
    if (!did)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_did_check_syntax: NULL argument");
    char q[VC_DID_QUOTE_BUF];
    size_t len = strnlen(did, VC_MAX_DID_LENGTH + 1);
    if (len > VC_MAX_DID_LENGTH)
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "DID %s is longer than the %u-character limit",
                       vc_did_quote(did, q), VC_MAX_DID_LENGTH);
    if (strncmp(did, "did:", 4) != 0)
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "%s is not a DID: a DID starts with lowercase \"did:\"",
                       vc_did_quote(did, q));

    /* method-name = 1*method-char; method-char = %x61-7A / DIGIT */
    const char *p = did + 4;
    while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
        p++;
    if (p == did + 4 && *p == ':')
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "DID %s has an empty method name", vc_did_quote(did, q));
    if (*p != ':') {
        if (*p == '\0')
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                           "DID %s has no method-specific id (expected did:method:id)", vc_did_quote(did, q));
        if (*p >= 'A' && *p <= 'Z')
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                           "DID %s: the method name must be lowercase letters and digits ('%c' at offset %zu)",
                           vc_did_quote(did, q), *p, (size_t)(p - did));
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                       "DID %s: character 0x%02x at offset %zu is not allowed in a method name "
                       "(lowercase letters and digits only)",
                       vc_did_quote(did, q), (unsigned char)*p, (size_t)(p - did));
    }

    /* method-specific-id = *( *idchar ":" ) 1*idchar; idchar adds pct-encoded */
    const char *id = ++p;
    if (*id == '\0')
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "DID %s has an empty method-specific id", vc_did_quote(did, q));
    for (; *p; p++) {
        size_t off = (size_t)(p - did);
        if (is_idchar(*p) || *p == ':')
            continue;
        if (*p == '%') {
            if (!is_hex(p[1]) || !is_hex(p[2]))
                return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                               "DID %s: '%%' at offset %zu is not followed by two hex digits", vc_did_quote(did, q),
                               off);
            p += 2;
            continue;
        }
        if (*p == '#' || *p == '?' || *p == '/')
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                           "%s is a DID URL with a %s ('%c' at offset %zu); a bare DID is required here",
                           vc_did_quote(did, q), *p == '#' ? "fragment" : *p == '?' ? "query" : "path", *p, off);
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                       "DID %s: character 0x%02x at offset %zu is not allowed in a method-specific id "
                       "(letters, digits, '.', '-', '_', ':' and %%XX only)",
                       vc_did_quote(did, q), (unsigned char)*p, off);
    }
    if (p[-1] == ':')
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "DID %s must not end with ':'", vc_did_quote(did, q));
    return VC_OK;
}

/* ------------------------------------------------------------------ documents */

static void resolved_free(resolved_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_vms; i++) {
        free(d->vms[i].id);
        free(d->vms[i].controller);
        free(d->vms[i].jwk_kid);
        vc_key_free(d->vms[i].key);
    }
    free(d->vms);
    free(d->id);
    free(d->json);
    free(d);
}

/* Remove private key material from a verification method object. */
static void strip_private(json_t *vm)
{
    for (size_t i = 0; vm_private_members[i]; i++)
        json_object_del(vm, vm_private_members[i]);
    json_t *jwk = json_object_get(vm, "publicKeyJwk");
    if (json_is_object(jwk))
        for (size_t i = 0; vc_did_jwk_private_members[i]; i++)
            json_object_del(jwk, vc_did_jwk_private_members[i]);
}

/* Check the shape of one verification method object (private members removed first). */
static vc_status check_vm(json_t *vm, const char *path, vc_error *err)
{
    char p[VC_ERROR_PATH_MAX], q[VC_DID_QUOTE_BUF];
    if (!json_is_object(vm))
        return vc_fail(err, VC_ERR_DID_DOCUMENT, path, "a verification method must be a JSON object");
    strip_private(vm);
    const char *id = vc_json_str(vm, "id");
    if (!is_method_ref(id))
        return vc_fail(err, VC_ERR_DID_DOCUMENT, subpath(p, path, "id"),
                       "a verification method needs an \"id\" that is an absolute URL or a \"#fragment\" "
                       "reference");
    const char *type = vc_json_str(vm, "type");
    if (!type || !*type)
        return vc_fail(err, VC_ERR_DID_DOCUMENT, subpath(p, path, "type"),
                       "verification method %s has no \"type\" string", vc_did_quote(id, q));
    const char *ctl = vc_json_str(vm, "controller");
    if (!ctl || !vc_is_url(ctl))
        return vc_fail(err, VC_ERR_DID_DOCUMENT, subpath(p, path, "controller"),
                       "verification method %s needs a \"controller\" that is an absolute URL", vc_did_quote(id, q));
    json_t *jwk = json_object_get(vm, "publicKeyJwk");
    json_t *mb = json_object_get(vm, "publicKeyMultibase");
    if ((jwk != NULL) == (mb != NULL))
        return vc_fail(err, VC_ERR_DID_DOCUMENT, path,
                       "verification method %s must have exactly one of \"publicKeyJwk\" and "
                       "\"publicKeyMultibase\" (it has %s)",
                       vc_did_quote(id, q), jwk ? "both" : "neither");
    if (jwk && !json_is_object(jwk))
        return vc_fail(err, VC_ERR_DID_DOCUMENT, subpath(p, path, "publicKeyJwk"),
                       "\"publicKeyJwk\" of verification method %s must be a JWK object", vc_did_quote(id, q));
    if (mb && !(json_is_string(mb) && json_string_length(mb) > 0))
        return vc_fail(err, VC_ERR_DID_DOCUMENT, subpath(p, path, "publicKeyMultibase"),
                       "\"publicKeyMultibase\" of verification method %s must be a non-empty string",
                       vc_did_quote(id, q));
    return VC_OK;
}

/* Import the key of a checked method. A failure is kept in the entry: it only
 * matters when a kid selects this method. */
static void import_key(vm_entry *m, const json_t *vm)
{
    char p[VC_ERROR_PATH_MAX], q[VC_DID_QUOTE_BUF];
    vc_error e;
    vc_status st;
    const json_t *jwk = json_object_get(vm, "publicKeyJwk");
    if (jwk) {
        char *text = vc_json_dump(jwk);
        st = text ? vc_key_from_jwk(text, strlen(text), &m->key, &e) : vc_fail(&e, VC_ERR_NOMEM, NULL, "out of memory");
        free(text);
    } else {
        st = vc_key_from_multikey(vc_json_str(vm, "publicKeyMultibase"), &m->key, &e);
    }
    if (st != VC_OK) {
        m->key = NULL;
        vc_fail(&m->key_err, st, subpath(p, m->path, jwk ? "publicKeyJwk" : "publicKeyMultibase"),
                "the key of verification method %s cannot be used: %s", vc_did_quote(m->id, q), e.message);
    }
}

/* Append a checked method object to d's table. */
static vc_status add_entry(resolved_doc *d, const json_t *vm, const char *path, int asserted, vc_error *err)
{
    char q[VC_DID_QUOTE_BUF];
    vm_entry *m = &d->vms[d->n_vms];
    memset(m, 0, sizeof *m);
    snprintf(m->path, sizeof m->path, "%s", path);
    m->id = absolute_ref(d->id, vc_json_str(vm, "id"));
    m->controller = vc_strdup(vc_json_str(vm, "controller"));
    const char *kid = vc_json_str(json_object_get(vm, "publicKeyJwk"), "kid");
    m->jwk_kid = kid ? vc_strdup(kid) : NULL;
    if (!m->id || !m->controller || (kid && !m->jwk_kid)) {
        free(m->id);
        free(m->controller);
        free(m->jwk_kid);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < d->n_vms; i++) {
        if (strcmp(d->vms[i].id, m->id) == 0) {
            vc_status st = vc_fail(err, VC_ERR_DID_DOCUMENT, path,
                                   "verification method id %s is used twice (also at %s); method ids must be unique",
                                   vc_did_quote(m->id, q), d->vms[i].path);
            free(m->id);
            free(m->controller);
            free(m->jwk_kid);
            return st;
        }
    }
    const char *hash = strchr(m->id, '#');
    m->fragment = hash ? hash + 1 : NULL;
    m->asserted = asserted;
    d->n_vms++; /* owned by d from here on */
    import_key(m, vm);
    return VC_OK;
}

/*
 * Check a document, removing private key members in place, and build its method
 * table: the verificationMethod entries, then the methods embedded in
 * assertionMethod (the only embedded ones a credential may be signed with).
 * expected_id is the id that was resolved; NULL for a document supplied offline,
 * whose id must then be an absolute URL (a valid DID if it is one) without fragment.
 */
static vc_status build_doc(json_t *doc, const char *expected_id, resolved_doc **out, vc_error *err)
{
    char p[VC_ERROR_PATH_MAX], q[VC_DID_QUOTE_BUF], q2[VC_DID_QUOTE_BUF];
    vc_error e;
    const char *id = vc_json_str(doc, "id");
    if (!id)
        return vc_fail(err, VC_ERR_DID_DOCUMENT, "/id", "the document has no \"id\" string");
    if (expected_id && strcmp(id, expected_id) != 0)
        return vc_fail(err, VC_ERR_DID_DOCUMENT, "/id", "the document's id %s is not %s, the id that was resolved",
                       vc_did_quote(id, q), vc_did_quote(expected_id, q2));
    if (!expected_id) {
        if (!vc_is_url(id) || strchr(id, '#'))
            return vc_fail(err, VC_ERR_DID_DOCUMENT, "/id",
                           "the document id %s must be an absolute URL without a fragment", vc_did_quote(id, q));
        if (vc_did_has_scheme(id) && vc_did_check_syntax(id, &e) != VC_OK)
            return vc_fail(err, VC_ERR_DID_DOCUMENT, "/id", "%s", e.message);
    }

    json_t *vms = json_object_get(doc, "verificationMethod");
    if (vms && !json_is_array(vms))
        return vc_fail(err, VC_ERR_DID_DOCUMENT, "/verificationMethod",
                       "\"verificationMethod\" must be an array of verification method objects");
    size_t total = json_array_size(vms);
    for (size_t i = 0; i < json_array_size(vms); i++) {
        snprintf(p, sizeof p, "/verificationMethod/%zu", i);
        vc_status st = check_vm(json_array_get(vms, i), p, err);
        if (st != VC_OK)
            return st;
    }
    for (size_t r = 0; relation_names[r]; r++) {
        json_t *rel = json_object_get(doc, relation_names[r]);
        if (!rel)
            continue;
        if (!json_is_array(rel))
            return vc_fail(err, VC_ERR_DID_DOCUMENT, subpath(p, "", relation_names[r]),
                           "\"%s\" must be an array of method ids and embedded methods", relation_names[r]);
        for (size_t i = 0; i < json_array_size(rel); i++) {
            json_t *entry = json_array_get(rel, i);
            snprintf(p, sizeof p, "/%s/%zu", relation_names[r], i);
            if (json_is_object(entry)) {
                vc_status st = check_vm(entry, p, err);
                if (st != VC_OK)
                    return st;
                if (strcmp(relation_names[r], "assertionMethod") == 0)
                    total++;
            } else if (!is_method_ref(json_string_value(entry))) {
                return vc_fail(err, VC_ERR_DID_DOCUMENT, p,
                               "entries of \"%s\" must be method ids (absolute URLs or \"#fragment\") or "
                               "embedded method objects",
                               relation_names[r]);
            }
        }
    }
    if (total > VC_DID_MAX_METHODS)
        return vc_fail(err, VC_ERR_LIMIT, "/verificationMethod",
                       "the document has %zu verification methods, more than the %u accepted", total,
                       VC_DID_MAX_METHODS);

    resolved_doc *d = calloc(1, sizeof *d);
    if (d) {
        d->id = vc_strdup(id);
        d->vms = calloc(total ? total : 1, sizeof *d->vms);
    }
    if (!d || !d->id || !d->vms) {
        resolved_free(d);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    vc_status st = VC_OK;
    for (size_t i = 0; st == VC_OK && i < json_array_size(vms); i++) {
        snprintf(p, sizeof p, "/verificationMethod/%zu", i);
        st = add_entry(d, json_array_get(vms, i), p, 0, err);
    }
    json_t *am = json_object_get(doc, "assertionMethod");
    d->has_assertion = am != NULL;
    for (size_t i = 0; st == VC_OK && i < json_array_size(am); i++) {
        json_t *entry = json_array_get(am, i);
        snprintf(p, sizeof p, "/assertionMethod/%zu", i);
        if (json_is_object(entry)) {
            st = add_entry(d, entry, p, 1, err);
            continue;
        }
        char *ref = absolute_ref(d->id, json_string_value(entry));
        if (!ref) {
            st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
            break;
        }
        for (size_t k = 0; k < d->n_vms; k++)
            if (strcmp(d->vms[k].id, ref) == 0)
                d->vms[k].asserted = 1;
        free(ref);
    }
    if (st == VC_OK && !(d->json = vc_json_dump(doc)))
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    if (st != VC_OK) {
        resolved_free(d);
        return st;
    }
    *out = d;
    return VC_OK;
}

/* ------------------------------------------------------------------ sources */

static offline_doc *find_offline(const vc_resolver *r, const char *id)
{
    for (offline_doc *o = r->docs; o; o = o->next)
        if (strcmp(o->id, id) == 0)
            return o;
    return NULL;
}

static const method_plugin *find_method(const vc_resolver *r, const char *name, size_t len)
{
    for (const method_plugin *m = r->methods; m; m = m->next)
        if (strlen(m->name) == len && memcmp(m->name, name, len) == 0)
            return m;
    return NULL;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Ask a plug-in for the document of did and parse it (refresh: through its refresh function). */
static vc_status fetch_from_plugin(const method_plugin *m, const char *did, int refresh, json_t **doc, vc_error *err)
{
    char q[VC_DID_QUOTE_BUF];
    char *text = NULL;
    vc_error e;
    vc_error_clear(&e);
    vc_status st = (refresh && m->ext.refresh ? m->ext.refresh : m->fn)(m->ctx, did, &text, &e);
    if (st != VC_OK) {
        free(text);
        if (e.code != st || !e.message[0]) /* the plug-in left err empty */
            vc_fail(&e, st, NULL, "the did:%s method could not resolve %s: %s", m->name, vc_did_quote(did, q),
                    vc_status_description(st));
        return vc_error_copy(err, &e);
    }
    if (!text)
        return vc_fail(err, VC_ERR_DID_DOCUMENT, NULL, "the did:%s method returned no document for %s", m->name,
                       vc_did_quote(did, q));
    json_t *v = NULL;
    st = vc_json_parse_object(text, strlen(text), &v, &e);
    free(text);
    if (st == VC_ERR_NOMEM || st == VC_ERR_LIMIT)
        return vc_fail(err, st, NULL, "the DID document of %s: %s", vc_did_quote(did, q), e.message);
    if (st != VC_OK)
        return vc_fail(err, VC_ERR_DID_DOCUMENT, e.path, "the DID document of %s is not a valid JSON object: %s",
                       vc_did_quote(did, q), e.message);
    *doc = v;
    return VC_OK;
}

/* Produce and check the document of id (already syntax-checked) without the
 * cache (refresh: ask a plug-in to bypass its own caches too). The caller holds
 * the configuration lock. */
static vc_status resolve_uncached(const vc_resolver *r, const char *id, int refresh, resolved_doc **out,
                                  vc_error *err)
{
    char q[VC_DID_QUOTE_BUF];
    json_t *doc = NULL;
    vc_status st;
    const method_plugin *m = NULL;
    const offline_doc *od = find_offline(r, id);
    if (od) {
        st = vc_json_parse_object(od->text, strlen(od->text), &doc, err);
    } else if (!vc_did_has_scheme(id)) {
        st = vc_fail(err, VC_ERR_DID_NOT_FOUND, NULL,
                     "no controller document is known for %s: it is not a DID, so its document or "
                     "verification methods must be supplied offline",
                     vc_did_quote(id, q));
    } else {
        const char *name = id + 4;
        size_t name_len = strcspn(name, ":");
        if (name_len == 3 && memcmp(name, "key", 3) == 0)
            st = vc_did_key_document(id, &doc, err);
        else if (name_len == 3 && memcmp(name, "jwk", 3) == 0)
            st = vc_did_jwk_document(id, &doc, err);
        else if ((m = find_method(r, name, name_len)) != NULL)
            st = fetch_from_plugin(m, id, refresh, &doc, err);
        else
            st = vc_fail(err, VC_ERR_DID_METHOD, NULL,
                         "%s uses did:%.*s, which this resolver cannot resolve (built in: did:key, did:jwk); "
                         "register a method plug-in or supply the document offline",
                         vc_did_quote(id, q), (int)name_len, name);
    }
    if (st == VC_OK)
        st = build_doc(doc, id, out, err);
    if (st == VC_OK) {
        (*out)->plugin = m;
        (*out)->resolved_ms = now_ms();
    }
    json_decref(doc);
    return st;
}

/* ------------------------------------------------------------------ cache */

static resolved_doc **bucket_of(vc_resolver *r, uint32_t hash)
{
    return &r->buckets[hash & (VC_DID_CACHE_BUCKETS - 1)];
}

static void lru_unlink(vc_resolver *r, resolved_doc *d)
{
    if (d->lru_prev)
        d->lru_prev->lru_next = d->lru_next;
    else
        r->lru_head = d->lru_next;
    if (d->lru_next)
        d->lru_next->lru_prev = d->lru_prev;
    else
        r->lru_tail = d->lru_prev;
    d->lru_prev = d->lru_next = NULL;
}

static void lru_push_front(vc_resolver *r, resolved_doc *d)
{
    d->lru_prev = NULL;
    d->lru_next = r->lru_head;
    if (r->lru_head)
        r->lru_head->lru_prev = d;
    r->lru_head = d;
    if (!r->lru_tail)
        r->lru_tail = d;
}

/* Under cache_lock. */
static resolved_doc *cache_find(vc_resolver *r, const char *id, uint32_t hash)
{
    for (resolved_doc *d = *bucket_of(r, hash); d; d = d->chain)
        if (d->hash == hash && strcmp(d->id, id) == 0)
            return d;
    return NULL;
}

/* Drop d from the cache and release the cache's reference. Under cache_lock. */
static void cache_remove(vc_resolver *r, resolved_doc *d)
{
    resolved_doc **pp = bucket_of(r, d->hash);
    while (*pp != d)
        pp = &(*pp)->chain;
    *pp = d->chain;
    d->chain = NULL;
    lru_unlink(r, d);
    r->cache_count--;
    if (--d->refs == 0)
        resolved_free(d);
}

/* Empty the cache (after a configuration change). */
static void cache_clear(vc_resolver *r)
{
    pthread_mutex_lock(&r->cache_lock);
    while (r->lru_head)
        cache_remove(r, r->lru_head);
    pthread_mutex_unlock(&r->cache_lock);
}

/* Release a document obtained from acquire_doc. */
static void release_doc(vc_resolver *r, resolved_doc *d)
{
    pthread_mutex_lock(&r->cache_lock);
    if (--d->refs == 0)
        resolved_free(d);
    pthread_mutex_unlock(&r->cache_lock);
}

/*
 * The checked document of id, from the cache or resolved and then cached. The
 * caller holds the configuration read lock and passes *out to release_doc.
 * Failures are not cached: a DID that did not resolve is tried again next time.
 */
static vc_status acquire_doc(vc_resolver *r, const char *id, resolved_doc **out, vc_error *err)
{
    uint32_t hash = hash_str(id);
    pthread_mutex_lock(&r->cache_lock);
    resolved_doc *d = cache_find(r, id, hash);
    if (d && d->plugin && d->plugin->ext.cache_ttl_ms &&
        now_ms() - d->resolved_ms >= (int64_t)d->plugin->ext.cache_ttl_ms) {
        cache_remove(r, d); /* past the method's lifetime: ask the plug-in again */
        d = NULL;
    }
    if (d) {
        d->refs++;
        lru_unlink(r, d);
        lru_push_front(r, d);
        pthread_mutex_unlock(&r->cache_lock);
        *out = d;
        return VC_OK;
    }
    pthread_mutex_unlock(&r->cache_lock);

    resolved_doc *fresh = NULL;
    vc_status st = resolve_uncached(r, id, 0, &fresh, err);
    if (st != VC_OK)
        return st;
    fresh->hash = hash;
    fresh->refs = 1; /* the caller's */

    pthread_mutex_lock(&r->cache_lock);
    d = cache_find(r, id, hash);
    if (d) { /* another thread resolved it meanwhile: use the cached one */
        d->refs++;
        pthread_mutex_unlock(&r->cache_lock);
        resolved_free(fresh);
        *out = d;
        return VC_OK;
    }
    if (r->cache_count >= VC_DID_CACHE_MAX)
        cache_remove(r, r->lru_tail);
    fresh->refs++; /* the cache's */
    fresh->chain = *bucket_of(r, hash);
    *bucket_of(r, hash) = fresh;
    lru_push_front(r, fresh);
    r->cache_count++;
    pthread_mutex_unlock(&r->cache_lock);
    *out = fresh;
    return VC_OK;
}

/*
 * The kid matched nothing in d: if d came from a plug-in with a refresh function
 * and no refresh of this DID started within the plug-in's cool-down, resolve it
 * again bypassing caches and put the new document in the cache. *out is the new
 * document (pass it to release_doc); 0 when no refresh was made or it failed
 * (the caller then reports the original error). Claiming the refresh under
 * cache_lock means concurrent threads with unknown kids trigger one refresh.
 */
static int refresh_doc(vc_resolver *r, resolved_doc *d, resolved_doc **out)
{
    const method_plugin *m = d->plugin;
    if (!m || !m->ext.refresh)
        return 0;
    int64_t now = now_ms();
    pthread_mutex_lock(&r->cache_lock);
    resolved_doc *cur = cache_find(r, d->id, d->hash);
    int64_t last = cur && cur->refresh_ms > d->refresh_ms ? cur->refresh_ms : d->refresh_ms;
    int claimed = last == 0 || now - last >= (int64_t)m->ext.refresh_cooldown_ms;
    if (claimed) {
        d->refresh_ms = now;
        if (cur)
            cur->refresh_ms = now;
    }
    pthread_mutex_unlock(&r->cache_lock);
    if (!claimed)
        return 0;

    resolved_doc *fresh = NULL;
    vc_error e;
    if (resolve_uncached(r, d->id, 1, &fresh, &e) != VC_OK)
        return 0;
    fresh->hash = d->hash;
    fresh->refresh_ms = now;
    fresh->refs = 2; /* the caller's and the cache's */
    pthread_mutex_lock(&r->cache_lock);
    if ((cur = cache_find(r, d->id, d->hash)) != NULL)
        cache_remove(r, cur);
    else if (r->cache_count >= VC_DID_CACHE_MAX)
        cache_remove(r, r->lru_tail);
    fresh->chain = *bucket_of(r, fresh->hash);
    *bucket_of(r, fresh->hash) = fresh;
    lru_push_front(r, fresh);
    r->cache_count++;
    pthread_mutex_unlock(&r->cache_lock);
    *out = fresh;
    return 1;
}

/* ------------------------------------------------------------------ resolver */

vc_status vc_resolver_new(vc_resolver **out, vc_error *err)
{
    if (!out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_resolver_new: NULL argument");
    *out = NULL;
    vc_resolver *r = calloc(1, sizeof *r);
    if (!r)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    if (pthread_rwlock_init(&r->config_lock, NULL) != 0) {
        free(r);
        return vc_fail(err, VC_ERR_INTERNAL, NULL, "cannot create the resolver's lock");
    }
    if (pthread_mutex_init(&r->cache_lock, NULL) != 0) {
        pthread_rwlock_destroy(&r->config_lock);
        free(r);
        return vc_fail(err, VC_ERR_INTERNAL, NULL, "cannot create the resolver's lock");
    }
    *out = r;
    return VC_OK;
}

void vc_resolver_free(vc_resolver *r)
{
    if (!r)
        return;
    cache_clear(r);
    while (r->methods) {
        method_plugin *m = r->methods;
        r->methods = m->next;
        if (m->ext.ctx_free)
            m->ext.ctx_free(m->ctx);
        free(m->name);
        free(m);
    }
    while (r->docs) {
        offline_doc *o = r->docs;
        r->docs = o->next;
        free(o->id);
        json_decref(o->doc);
        free(o->text);
        free(o);
    }
    pthread_mutex_destroy(&r->cache_lock);
    pthread_rwlock_destroy(&r->config_lock);
    free(r);
}

vc_status vc_resolver_add_method(vc_resolver *r, const char *method, vc_did_method_fn fn, void *ctx, vc_error *err)
{
    return vc_resolver_add_method_ext(r, method, fn, ctx, NULL, err);
}

vc_status vc_resolver_add_method_ext(vc_resolver *r, const char *method, vc_did_method_fn fn, void *ctx,
                                     const vc_did_method_ext *ext, vc_error *err)
{
    if (!r || !method || !fn)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_resolver_add_method: NULL argument");
    size_t len = strnlen(method, VC_DID_METHOD_NAME_MAX + 1);
    if (len == 0 || len > VC_DID_METHOD_NAME_MAX || strspn(method, "abcdefghijklmnopqrstuvwxyz0123456789") != len)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL,
                       "DID method name \"%.*s\" must be 1 to %u lowercase letters and digits (e.g. \"web\")",
                       (int)(len > VC_DID_METHOD_NAME_MAX ? VC_DID_METHOD_NAME_MAX : len), method,
                       VC_DID_METHOD_NAME_MAX);
    if (strcmp(method, "key") == 0 || strcmp(method, "jwk") == 0)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "did:%s is built in and cannot be replaced by a plug-in", method);
    method_plugin *m = calloc(1, sizeof *m);
    if (!m || !(m->name = vc_strdup(method))) {
        free(m);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    m->fn = fn;
    m->ctx = ctx;
    if (ext)
        m->ext = *ext;
    pthread_rwlock_wrlock(&r->config_lock);
    if (find_method(r, method, len)) {
        pthread_rwlock_unlock(&r->config_lock);
        free(m->name);
        free(m);
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "a plug-in for did:%s is already registered", method);
    }
    m->next = r->methods;
    r->methods = m; /* nothing cached can be stale: failures are not cached */
    pthread_rwlock_unlock(&r->config_lock);
    return VC_OK;
}

/* did:key and did:jwk documents follow from the DID: an offline copy could only
 * disagree with it, so it is refused rather than allowed to replace the key. */
static vc_status refuse_self_certifying(const char *id, const char *path, vc_error *err)
{
    char q[VC_DID_QUOTE_BUF];
    /* A controller is a DID or an https URL: anything else (a data: URL of an enveloped
     * credential given by mistake, a urn:) cannot own keys. */
    if (strncmp(id, "did:", 4) != 0 && strncmp(id, "https://", 8) != 0 && strncmp(id, "http://", 7) != 0)
        return vc_fail(err, VC_ERR_DID_DOCUMENT, path,
                       "%s is not a DID or an https URL, so it cannot be a controller document's id "
                       "(was a credential given as a DID document?)",
                       vc_did_quote(id, q));
    if (strncmp(id, "did:key:", 8) == 0 || strncmp(id, "did:jwk:", 8) == 0)
        return vc_fail(err, VC_ERR_DID_DOCUMENT, path,
                       "%s needs no document: did:key and did:jwk documents are derived from the DID itself "
                       "and cannot be supplied offline",
                       vc_did_quote(id, q));
    return VC_OK;
}

/* Store (or replace, when `o` is an existing entry) the offline document doc.
 * Under the write lock. Takes the reference to doc on success. */
static vc_status store_offline(vc_resolver *r, offline_doc *o, json_t *doc, vc_error *err)
{
    char *text = vc_json_dump(doc);
    if (!text)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    if (!o) {
        o = calloc(1, sizeof *o);
        if (!o || !(o->id = vc_strdup(vc_json_str(doc, "id")))) {
            free(o);
            free(text);
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        }
        o->next = r->docs;
        r->docs = o;
    }
    json_decref(o->doc);
    free(o->text);
    o->doc = doc;
    o->text = text;
    cache_clear(r);
    return VC_OK;
}

vc_status vc_resolver_add_document(vc_resolver *r, const char *json, size_t len, vc_error *err)
{
    if (!r || !json)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_resolver_add_document: NULL argument");
    json_t *doc = NULL;
    vc_status st = vc_json_parse_object(json, len, &doc, err);
    if (st != VC_OK)
        return st;
    resolved_doc *checked = NULL;
    if ((st = build_doc(doc, NULL, &checked, err)) != VC_OK ||
        (st = refuse_self_certifying(checked->id, "/id", err)) != VC_OK) {
        resolved_free(checked);
        json_decref(doc);
        return st;
    }
    char q[VC_DID_QUOTE_BUF];
    pthread_rwlock_wrlock(&r->config_lock);
    if (find_offline(r, checked->id))
        st = vc_fail(err, VC_ERR_INVALID_ARG, "/id",
                     "a controller document for %s was already supplied; supply each document once, before "
                     "extra verification methods for it",
                     vc_did_quote(checked->id, q));
    else
        st = store_offline(r, NULL, doc, err);
    pthread_rwlock_unlock(&r->config_lock);
    resolved_free(checked);
    if (st != VC_OK)
        json_decref(doc);
    return st;
}

vc_status vc_resolver_add_verification_method(vc_resolver *r, const char *json, size_t len, vc_error *err)
{
    if (!r || !json)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_resolver_add_verification_method: NULL argument");
    json_t *vm = NULL;
    vc_status st = vc_json_parse_object(json, len, &vm, err);
    if (st != VC_OK)
        return st;
    if ((st = check_vm(vm, "", err)) != VC_OK) { /* also removes the private members */
        json_decref(vm);
        return st;
    }
    const char *controller = vc_json_str(vm, "controller");
    char q[VC_DID_QUOTE_BUF];
    if (strchr(controller, '#'))
        st = vc_fail(err, VC_ERR_DID_DOCUMENT, "/controller", "controller %s must be a DID or URL without a fragment",
                     vc_did_quote(controller, q));
    else
        st = refuse_self_certifying(controller, "/controller", err);
    if (st != VC_OK) {
        json_decref(vm);
        return st;
    }

    pthread_rwlock_wrlock(&r->config_lock);
    /* Work on a copy of the controller document, so that a failure changes nothing. */
    offline_doc *o = find_offline(r, controller);
    json_t *doc = o ? json_deep_copy(o->doc) : json_pack("{s:s}", "id", controller);
    json_t *list = doc ? json_object_get(doc, "verificationMethod") : NULL;
    if (doc && !list) {
        list = json_array();
        if (json_object_set_new(doc, "verificationMethod", list) != 0)
            list = NULL;
    }
    if (!list || json_array_append(list, vm) != 0) {
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    } else {
        /* The method is given to verify with: when the document restricts which
         * methods may issue (assertionMethod), add it there too. */
        json_t *am = json_object_get(doc, "assertionMethod");
        if (am && json_array_append_new(am, json_string(vc_json_str(vm, "id"))) != 0)
            st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    resolved_doc *checked = NULL;
    if (st == VC_OK && (st = build_doc(doc, NULL, &checked, err)) != VC_OK && err)
        snprintf(err->path, sizeof err->path, "%s", "/id"); /* e.g. a method id the document already has */
    resolved_free(checked);
    if (st == VC_OK) {
        st = store_offline(r, o, doc, err);
        if (st == VC_OK)
            doc = NULL;
    }
    pthread_rwlock_unlock(&r->config_lock);
    json_decref(doc);
    json_decref(vm);
    return st;
}

vc_status vc_resolver_resolve(vc_resolver *r, const char *did, char **doc_json, vc_error *err)
{
    if (doc_json)
        *doc_json = NULL;
    if (!r || !did || !doc_json)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_resolver_resolve: NULL argument");
    char q[VC_DID_QUOTE_BUF];
    vc_status st;
    if (vc_did_has_scheme(did)) {
        if ((st = vc_did_check_syntax(did, err)) != VC_OK)
            return st;
    } else if (!vc_is_url(did) || strchr(did, '#') || strlen(did) > VC_MAX_DID_LENGTH) {
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                       "%s is neither a DID nor a controller URL without fragment", vc_did_quote(did, q));
    }
    pthread_rwlock_rdlock(&r->config_lock);
    resolved_doc *d = NULL;
    st = acquire_doc(r, did, &d, err);
    if (st == VC_OK) {
        *doc_json = vc_strdup(d->json);
        release_doc(r, d);
        if (!*doc_json)
            st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    pthread_rwlock_unlock(&r->config_lock);
    return st;
}

/* ------------------------------------------------------------------ find_key */

enum kid_form { KID_NONE, KID_RELATIVE, KID_ABSOLUTE, KID_BARE };

/* Does method m match the kid? base is the document id. */
static int kid_matches(const vm_entry *m, enum kid_form form, const char *kid, const char *base, size_t base_len)
{
    switch (form) {
    case KID_RELATIVE: /* base + "#frag" */
        return strncmp(m->id, base, base_len) == 0 && strcmp(m->id + base_len, kid) == 0;
    case KID_ABSOLUTE:
        return strcmp(m->id, kid) == 0;
    case KID_BARE:
        return (m->fragment && strcmp(m->fragment, kid) == 0) || (m->jwk_kid && strcmp(m->jwk_kid, kid) == 0);
    default:
        return 0;
    }
}

/* Pick the method the kid names in d, applying the checks of vc_resolver_find_key. */
static vc_status select_method(const resolved_doc *d, enum kid_form form, const char *kid, const vm_entry **out,
                               vc_error *err)
{
    char q[VC_DID_QUOTE_BUF], q2[VC_DID_QUOTE_BUF], q3[VC_DID_QUOTE_BUF];
    size_t base_len = strlen(d->id);
    const vm_entry *found = NULL;
    if (form == KID_NONE) {
        if (d->n_vms == 0)
            return vc_fail(err, VC_ERR_DID_VM_NOT_FOUND, "/verificationMethod",
                           "the document of %s has no verification method", vc_did_quote(d->id, q));
        if (d->n_vms > 1)
            return vc_fail(err, VC_ERR_JWS_KID, "kid",
                           "there is no kid, and the document of %s has %zu verification methods: the kid must "
                           "say which one signed",
                           vc_did_quote(d->id, q), d->n_vms);
        found = &d->vms[0];
    } else {
        size_t matches = 0;
        for (size_t i = 0; i < d->n_vms; i++) {
            if (kid_matches(&d->vms[i], form, kid, d->id, base_len)) {
                if (!found)
                    found = &d->vms[i];
                matches++;
            }
        }
        if (!found)
            return vc_fail(err, VC_ERR_DID_VM_NOT_FOUND, "kid", "no verification method of %s matches kid %s",
                           vc_did_quote(d->id, q), vc_did_quote(kid, q2));
        if (matches > 1)
            return vc_fail(err, VC_ERR_JWS_KID, "kid",
                           "kid %s matches %zu verification methods of %s (by id fragment or JWK kid); use the "
                           "method's full id",
                           vc_did_quote(kid, q), matches, vc_did_quote(d->id, q2));
    }
    if (d->has_assertion && !found->asserted)
        return vc_fail(err, VC_ERR_DID_VM_NOT_FOUND, "/assertionMethod",
                       "verification method %s is not listed in the assertionMethod of %s, so it may not issue "
                       "credentials",
                       vc_did_quote(found->id, q), vc_did_quote(d->id, q2));
    if (strcmp(found->controller, d->id) != 0) {
        char p[VC_ERROR_PATH_MAX];
        return vc_fail(err, VC_ERR_JWS_KID, subpath(p, found->path, "controller"),
                       "method %s: its controller %s is not the issuer %s", vc_did_quote(found->id, q),
                       vc_did_quote(found->controller, q2), vc_did_quote(d->id, q3));
    }
    if (!found->key)
        return vc_error_copy(err, &found->key_err);
    *out = found;
    return VC_OK;
}

/* Length of the part of a DID URL before any path, query or fragment. */
static size_t did_part_len(const char *s)
{
    return strcspn(s, "/?#");
}

vc_status vc_resolver_find_key(vc_resolver *r, const char *issuer, const char *kid, vc_key **key, char **vm_id,
                               vc_error *err)
{
    if (key)
        *key = NULL;
    if (vm_id)
        *vm_id = NULL;
    if (!r || !issuer || !key)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_resolver_find_key: NULL argument");
    char q[VC_DID_QUOTE_BUF], q2[VC_DID_QUOTE_BUF], q3[VC_DID_QUOTE_BUF];
    if (strnlen(issuer, VC_MAX_DID_LENGTH + 1) > VC_MAX_DID_LENGTH)
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "issuer %s is longer than the %u-character limit",
                       vc_did_quote(issuer, q), VC_MAX_DID_LENGTH);

    /* The issuer's document id: a DID without path/query/fragment, or a URL
     * without fragment. */
    int is_did = vc_did_has_scheme(issuer);
    size_t base_len = is_did ? did_part_len(issuer) : strcspn(issuer, "#");
    char base[VC_MAX_DID_LENGTH + 1];
    memcpy(base, issuer, base_len);
    base[base_len] = '\0';
    vc_status st;
    if (is_did) {
        if ((st = vc_did_check_syntax(base, err)) != VC_OK)
            return st;
    } else if (!vc_is_url(base)) {
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "issuer %s is neither a DID nor an absolute URL",
                       vc_did_quote(issuer, q));
    }

    enum kid_form form = KID_NONE;
    if (kid) {
        if (!*kid)
            return vc_fail(err, VC_ERR_JWS_KID, "kid", "kid is empty");
        if (strnlen(kid, VC_MAX_DID_LENGTH + 1) > VC_MAX_DID_LENGTH)
            return vc_fail(err, VC_ERR_JWS_KID, "kid", "kid is longer than the %u-character limit", VC_MAX_DID_LENGTH);
        if (kid[0] == '#') {
            form = KID_RELATIVE;
        } else if (vc_is_url(kid) || vc_did_has_scheme(kid)) {
            form = KID_ABSOLUTE;
            if (strncmp(kid, base, base_len) != 0 || kid[base_len] != '#') {
                size_t kid_base = vc_did_has_scheme(kid) ? did_part_len(kid) : strcspn(kid, "#");
                if (kid_base != base_len || strncmp(kid, base, base_len) != 0)
                    return vc_fail(err, VC_ERR_JWS_KID, "kid", "kid %s points to another %s than the issuer %s",
                                   vc_did_quote(kid, q), is_did ? "DID" : "controller", vc_did_quote(base, q2));
                return vc_fail(err, VC_ERR_JWS_KID, "kid", "kid %s must be the issuer's id followed by a fragment (%s#...)",
                               vc_did_quote(kid, q), vc_did_quote(base, q3));
            }
        } else {
            form = KID_BARE;
        }
    }

    pthread_rwlock_rdlock(&r->config_lock);
    resolved_doc *d = NULL;
    st = acquire_doc(r, base, &d, err);
    if (st == VC_OK) {
        const vm_entry *m = NULL;
        st = select_method(d, form, kid, &m, err);
        resolved_doc *nd = NULL;
        if (st == VC_ERR_DID_VM_NOT_FOUND && refresh_doc(r, d, &nd)) { /* key rotation: look once more */
            release_doc(r, d);
            d = nd;
            st = select_method(d, form, kid, &m, err);
        }
        if (st == VC_OK)
            st = vc_key_public(m->key, key, err);
        if (st == VC_OK && vm_id && !(*vm_id = vc_strdup(m->id))) {
            vc_key_free(*key);
            *key = NULL;
            st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        }
        release_doc(r, d);
    }
    pthread_rwlock_unlock(&r->config_lock);
    return st;
}
