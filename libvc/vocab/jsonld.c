/*
 * jsonld.c - JSON-LD 1.1 context processing (see jsonld.h).
 *
 * Implemented from the JSON-LD 1.1 Processing Algorithms and API (W3C
 * Recommendation, 16 July 2020): Context Processing (4.1), Create Term
 * Definition (4.2.2) and IRI Expansion (5.2.2), in processing mode json-ld-1.1.
 * Differences, all irrelevant to deciding whether a term is defined:
 *  - @base and relative IRIs are not resolved (a relative IRI stays relative);
 *  - remote contexts come only from the data registry, never from the network;
 *  - a scoped @context is validated when it is applied, not when its term is
 *    defined (an unused scoped context cannot make a term undefined);
 *  - @language / @direction values are checked for shape only.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../data/data_internal.h"
#include "jsonld.h"

/* ------------------------------------------------------------ arena */

struct vc_arena_chunk {
    struct vc_arena_chunk *next;
    size_t cap, used;
    alignas(16) unsigned char data[];
};

struct vc_arena_json {
    struct vc_arena_json *next;
    json_t *json;
};

#define ARENA_CHUNK (64u * 1024u)

void *vc_arena_alloc(struct vc_arena *a, size_t n)
{
    n = (n + 15u) & ~(size_t)15u;
    struct vc_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
        struct vc_arena_chunk *nc = malloc(sizeof *nc + cap);
        if (!nc)
            return NULL;
        nc->cap = cap;
        nc->used = 0;
        if (n > ARENA_CHUNK / 4 && c) {
            /* a big block: keep filling the current chunk afterwards */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        a->bytes += sizeof *nc + cap;
        c = nc;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void vc_arena_free(struct vc_arena *a)
{
    for (struct vc_arena_chunk *c = a->head, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    for (struct vc_arena_json *j = a->owned, *n; j; j = n) {
        n = j->next;
        json_decref(j->json);
        free(j);
    }
    a->head = NULL;
    a->owned = NULL;
    a->bytes = 0;
}

int vc_arena_own(struct vc_arena *a, json_t *j)
{
    struct vc_arena_json *o = malloc(sizeof *o);
    if (!o) {
        json_decref(j);
        return -1;
    }
    o->json = j;
    o->next = a->owned;
    a->owned = o;
    return 0;
}

/* ------------------------------------------------------------ keywords */

enum jl_kw jl_keyword(const char *s)
{
    static const struct {
        const char *name;
        enum jl_kw kw;
    } kws[] = {
        {"@base", JL_BASE},         {"@container", JL_CONTAINER}, {"@context", JL_CONTEXT},
        {"@direction", JL_DIRECTION}, {"@graph", JL_GRAPH},       {"@id", JL_ID},
        {"@import", JL_IMPORT},     {"@included", JL_INCLUDED},   {"@index", JL_INDEX},
        {"@json", JL_JSON},         {"@language", JL_LANGUAGE},   {"@list", JL_LIST},
        {"@nest", JL_NEST},         {"@none", JL_NONE},           {"@prefix", JL_PREFIX},
        {"@propagate", JL_PROPAGATE}, {"@protected", JL_PROTECTED}, {"@reverse", JL_REVERSE},
        {"@set", JL_SET},           {"@type", JL_TYPE},           {"@value", JL_VALUE},
        {"@version", JL_VERSION},   {"@vocab", JL_VOCAB},
    };
    if (!s || s[0] != '@')
        return JL_NOT_KW;
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (kws[i].name[1] == s[1] && strcmp(kws[i].name, s) == 0)
            return kws[i].kw;
    return JL_NOT_KW;
}

int jl_keyword_like(const char *s)
{
    if (!s || s[0] != '@' || !s[1])
        return 0;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return 0;
    return 1;
}

/* ------------------------------------------------------------ errors */

static void fail(struct jl_env *env, vc_status code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(struct jl_env *env, vc_status code, const char *path, const char *fmt, ...)
{
    if (env->code != VC_OK)
        return;
    env->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(env->message, sizeof env->message, fmt, ap);
    va_end(ap);
    snprintf(env->path, sizeof env->path, "%s", env->fixed_path ? env->fixed_path : path ? path : "");
}

static void oom(struct jl_env *env)
{
    fail(env, VC_ERR_NOMEM, NULL, "out of memory");
}

/* " (in context <url>)" when processing a remote context, else "". */
static const char *where(const struct jl_env *env, char *buf, size_t cap)
{
    if (env->nremote > 0)
        snprintf(buf, cap, " (in the context %.100s)", env->remote[env->nremote - 1]);
    else if (env->scope)
        snprintf(buf, cap, " (in the scoped context of \"%.60s\")", env->scope);
    else
        return "";
    return buf;
}

/* ------------------------------------------------------------ strings */

static const char *concat(struct jl_env *env, const char *a, const char *b, size_t blen)
{
    size_t al = strlen(a);
    char *s = vc_arena_alloc(env->arena, al + blen + 1);
    if (!s) {
        oom(env);
        return NULL;
    }
    memcpy(s, a, al);
    memcpy(s + al, b, blen);
    s[al + blen] = '\0';
    return s;
}

/* An absolute IRI: scheme ":" non-empty rest, no white space. */
static int is_abs_iri(const char *s)
{
    return vc_is_url(s);
}

static int is_bnode(const char *s)
{
    return s[0] == '_' && s[1] == ':';
}

static int ends_gen_delim(const char *s)
{
    size_t n = strlen(s);
    return n && strchr(":/?#[]@", s[n - 1]) != NULL;
}

/* ------------------------------------------------------------ term tables */

struct jl_ctx *jl_new_empty(struct jl_env *env)
{
    struct jl_ctx *c = vc_arena_alloc(env->arena, sizeof *c);
    if (!c) {
        oom(env);
        return NULL;
    }
    c->shared = (unsigned char)env->shared;
    atomic_init(&c->memo, NULL);
    return c;
}

static int over_budget(struct jl_env *env)
{
    if (!env->max_bytes || env->arena->bytes <= env->max_bytes)
        return 0;
    fail(env, VC_ERR_LIMIT, NULL, "processing the contexts needs more than %zu bytes", env->max_bytes);
    return 1;
}

static struct jl_ctx *clone_ctx(struct jl_env *env, const struct jl_ctx *a)
{
    if (over_budget(env))
        return NULL;
    struct jl_ctx *c = vc_arena_alloc(env->arena, sizeof *c);
    if (!c) {
        oom(env);
        return NULL;
    }
    c->cap = a->cap;
    c->used = a->used;
    c->nterms = a->nterms;
    c->vocab = a->vocab;
    c->previous = a->previous;
    c->untp = a->untp;
    c->has_protected = a->has_protected;
    c->shared = (unsigned char)env->shared;
    atomic_init(&c->memo, NULL);
    if (a->cap) {
        c->tab = vc_arena_alloc(env->arena, a->cap * sizeof *c->tab);
        if (!c->tab) {
            oom(env);
            return NULL;
        }
        memcpy(c->tab, a->tab, a->cap * sizeof *c->tab);
    }
    return c;
}

static struct jl_slot *slot_for(struct jl_slot *tab, uint32_t cap, const char *key, uint32_t len, uint32_t h)
{
    uint32_t mask = cap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        struct jl_slot *s = &tab[i];
        if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
            return s;
    }
}

static int grow(struct jl_env *env, struct jl_ctx *c)
{
    if (over_budget(env))
        return -1;
    uint32_t ncap = c->cap ? c->cap * 2 : 64;
    struct jl_slot *nt = vc_arena_alloc(env->arena, ncap * sizeof *nt);
    if (!nt) {
        oom(env);
        return -1;
    }
    uint32_t used = 0;
    for (uint32_t i = 0; i < c->cap; i++) {
        struct jl_slot *s = &c->tab[i];
        if (s->key && s->def) {
            *slot_for(nt, ncap, s->key, s->len, s->hash) = *s;
            used++;
        }
    }
    c->tab = nt;
    c->cap = ncap;
    c->used = used;
    return 0;
}

/* Set (def non-NULL) or remove (def NULL) the definition of term. */
static int set_term(struct jl_env *env, struct jl_ctx *c, const char *term, const struct jl_term *def)
{
    uint32_t len = (uint32_t)strlen(term), h = jl_hash(term, len);
    if (!def && !jl_lookup_h(c, term, len, h))
        return 0;
    if ((c->used + 1) * 2 > c->cap && grow(env, c) != 0)
        return -1;
    struct jl_slot *s = slot_for(c->tab, c->cap, term, len, h);
    if (!s->key) {
        s->key = term;
        s->hash = h;
        s->len = len;
        c->used++;
    }
    if (s->def && !def)
        c->nterms--;
    else if (!s->def && def)
        c->nterms++;
    s->def = def;
    if (def && def->prot)
        c->has_protected = 1;
    return 0;
}

/* ------------------------------------------------------------ processing */

/* One local context map being processed: its "defined" map (JSON-LD 4.1.2). */
struct local {
    const json_t *obj;
    const char *path;          /* JSON pointer of obj */
    struct dslot {
        const char *term;      /* a key of obj (owned by obj) */
        uint32_t hash;
        int state;             /* 1 being defined (false), 2 defined (true) */
    } *defined;                /* open addressing, sized for every key of obj */
    uint32_t dcap;
    int protected_default;
    int override_protected;
};

static int create_term(struct jl_env *env, struct jl_ctx *active, struct local *L, const char *term);

static struct dslot *dslot_for(struct local *L, const char *term)
{
    size_t n = strlen(term);
    uint32_t h = jl_hash(term, n), mask = L->dcap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        struct dslot *d = &L->defined[i];
        if (!d->term || (d->hash == h && strcmp(d->term, term) == 0)) {
            d->hash = h;
            return d;
        }
    }
}

static int *defined_state(struct local *L, const char *term)
{
    struct dslot *d = dslot_for(L, term);
    return d->term ? &d->state : NULL;
}

/* Path of a term of L, for errors. */
static void term_path(char *out, size_t cap, const struct local *L, const char *term)
{
    snprintf(out, cap, "%s", L ? L->path : "");
    if (L)
        vc_path_append(out, cap, term);
}

/*
 * IRI Expansion (5.2.2) while processing a context: value expanded against
 * active, defining terms of L first when value (or its prefix) is one. Returns
 * the IRI, a keyword, a relative reference (value itself), or NULL when value
 * expands to null (a null mapping, or a keyword-like word); check env->code.
 */
static const char *expand_iri(struct jl_env *env, struct jl_ctx *active, struct local *L, const char *value,
                              int vocab)
{
    if (jl_keyword(value))
        return value;
    if (jl_keyword_like(value))
        return NULL;
    if (L && json_object_get(L->obj, value)) {
        int *st = defined_state(L, value);
        if ((!st || *st != 2) && create_term(env, active, L, value) != 0)
            return NULL;
    }
    if (vocab) {
        const struct jl_term *t = jl_lookup(active, value);
        if (t)
            return t->iri;
    }
    const char *colon = strchr(value + (value[0] ? 1 : 0), ':');
    if (colon) {
        size_t plen = (size_t)(colon - value);
        if ((plen == 1 && value[0] == '_') || strncmp(colon + 1, "//", 2) == 0)
            return value;
        char prefix[256];
        if (plen < sizeof prefix) {
            memcpy(prefix, value, plen);
            prefix[plen] = '\0';
            if (L && json_object_get(L->obj, prefix)) {
                int *st = defined_state(L, prefix);
                if ((!st || *st != 2) && create_term(env, active, L, prefix) != 0)
                    return NULL;
            }
            const struct jl_term *p = jl_lookup(active, prefix);
            if (p && p->iri && p->prefix)
                return concat(env, p->iri, colon + 1, strlen(colon + 1));
        }
        if (is_abs_iri(value))
            return value;
    }
    if (vocab && active->vocab)
        return concat(env, active->vocab, value, strlen(value));
    return value; /* a relative IRI reference (not resolved against a base) */
}

static int container_bits(const json_t *v, unsigned *out)
{
    *out = 0;
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    if (!json_is_array(v) && !json_is_string(v))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_is_array(v) ? json_array_get(v, i) : v;
        const char *s = json_string_value(x);
        unsigned b = 0;
        switch (s ? jl_keyword(s) : JL_NOT_KW) {
        case JL_SET: b = JL_C_SET; break;
        case JL_LIST: b = JL_C_LIST; break;
        case JL_LANGUAGE: b = JL_C_LANGUAGE; break;
        case JL_INDEX: b = JL_C_INDEX; break;
        case JL_ID: b = JL_C_ID; break;
        case JL_TYPE: b = JL_C_TYPE; break;
        case JL_GRAPH: b = JL_C_GRAPH; break;
        default: return -1;
        }
        if (*out & b)
            return -1;
        *out |= b;
    }
    unsigned c = *out;
    /* JSON-LD 1.1 4.2.2 step 19.2: @list alone; @graph with @id or @index (and @set);
     * @set with anything but @list; otherwise one of @index @id @type @language. */
    if (c & JL_C_LIST)
        return c == JL_C_LIST ? 0 : -1;
    if (c & JL_C_GRAPH)
        return (c & ~(unsigned)(JL_C_GRAPH | JL_C_ID | JL_C_INDEX | JL_C_SET)) || ((c & JL_C_ID) && (c & JL_C_INDEX))
                   ? -1
                   : 0;
    unsigned rest = c & ~(unsigned)JL_C_SET;
    return rest && (rest & (rest - 1)) ? -1 : 0; /* at most one besides @set */
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int same_json(const json_t *a, const json_t *b)
{
    return a == b || (a && b && json_equal((json_t *)a, (json_t *)b));
}

/* Two definitions are the same other than @protected (4.2.2 step 27.1). */
static int same_def(const struct jl_term *a, const struct jl_term *b)
{
    return same_str(a->iri, b->iri) && same_str(a->type, b->type) && same_str(a->nest, b->nest) &&
           same_str(a->index, b->index) && a->container == b->container && a->prefix == b->prefix &&
           a->reverse == b->reverse && a->has_ctx == b->has_ctx && (!a->has_ctx || same_json(a->ctx, b->ctx)) &&
           same_json(a->language, b->language) && same_json(a->direction, b->direction);
}

/* term must be a key of L->obj (its own string): the table has room for all of them. */
static int mark_defined(struct jl_env *env, struct local *L, const char *term, int state)
{
    (void)env;
    struct dslot *d = dslot_for(L, term);
    d->term = term;
    d->state = state;
    return 0;
}

static int create_term_at(struct jl_env *env, struct jl_ctx *active, struct local *L, const char *term);

/* Create Term Definition (4.2.2). 0 on success, -1 with env->code set. */
static int create_term(struct jl_env *env, struct jl_ctx *active, struct local *L, const char *term)
{
    if (env->term_depth >= VC_VOCAB_MAX_TERM_DEPTH) {
        char path[VC_ERROR_PATH_MAX];
        term_path(path, sizeof path, L, term);
        fail(env, VC_ERR_VOCAB_CONTEXT, path,
             "the definition of \"%.60s\" depends on a chain of more than %d term definitions", term,
             VC_VOCAB_MAX_TERM_DEPTH);
        return -1;
    }
    /* use the local context's own copy of the name: the caller's may be a temporary buffer,
     * and the name is kept in the context */
    const char *own = json_object_iter_key(json_object_iter_at((json_t *)L->obj, term));
    if (!own) {
        fail(env, VC_ERR_INTERNAL, L->path, "term \"%.60s\" is not in its local context", term);
        return -1;
    }
    env->term_depth++;
    int rc = create_term_at(env, active, L, own);
    env->term_depth--;
    return rc;
}

static int create_term_at(struct jl_env *env, struct jl_ctx *active, struct local *L, const char *term)
{
    char path[VC_ERROR_PATH_MAX], in[160];
    term_path(path, sizeof path, L, term);
    int *st = defined_state(L, term);
    if (st && *st == 2)
        return 0;
    if (st && *st == 1) {
        fail(env, VC_ERR_VOCAB_CONTEXT, path, "cyclic IRI mapping: the definition of \"%.60s\" depends on itself%s",
             term, where(env, in, sizeof in));
        return -1;
    }
    if (mark_defined(env, L, term, 1) != 0)
        return -1;
    const json_t *value = json_object_get(L->obj, term);
    if (!term[0]) {
        fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid term definition: the empty term \"\" cannot be defined%s",
             where(env, in, sizeof in));
        return -1;
    }
    enum jl_kw tkw = jl_keyword(term);
    if (tkw == JL_TYPE) {
        /* JSON-LD 1.1 allows {"@container": "@set", "@protected": ...} for @type */
        const char *k;
        json_t *v;
        int ok = json_is_object(value) && json_object_size(value) > 0;
        json_object_foreach((json_t *)value, k, v)
        {
            if (!(strcmp(k, "@container") == 0 && json_is_string(v) && strcmp(json_string_value(v), "@set") == 0) &&
                !(strcmp(k, "@protected") == 0 && json_is_boolean(v)))
                ok = 0;
        }
        if (!ok) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path,
                 "keyword redefinition: @type may only be given {\"@container\": \"@set\"}%s",
                 where(env, in, sizeof in));
            return -1;
        }
        return mark_defined(env, L, term, 2);
    }
    if (tkw) {
        fail(env, VC_ERR_VOCAB_CONTEXT, path, "keyword redefinition: a context cannot define %s%s", term,
             where(env, in, sizeof in));
        return -1;
    }
    if (jl_keyword_like(term))
        return mark_defined(env, L, term, 2); /* reserved: ignored, as JSON-LD does */

    const struct jl_term *previous = jl_lookup(active, term);
    if (set_term(env, active, term, NULL) != 0)
        return -1;

    struct jl_term *def = vc_arena_alloc(env->arena, sizeof *def);
    if (!def) {
        oom(env);
        return -1;
    }
    def->name = term;
    def->ctx_stable = (unsigned char)env->stable;
    int simple = 0;
    const json_t *idv = NULL, *obj = NULL;
    if (json_is_null(value)) {
        idv = value;
    } else if (json_is_string(value)) {
        idv = value;
        simple = 1;
    } else if (json_is_object(value)) {
        obj = value;
        static const char *const allowed[] = {"@id",    "@reverse", "@type", "@language", "@direction", "@container",
                                              "@context", "@index", "@nest", "@prefix",   "@protected"};
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)obj, k, v)
        {
            size_t i = 0;
            while (i < sizeof allowed / sizeof allowed[0] && strcmp(k, allowed[i]) != 0)
                i++;
            if (i == sizeof allowed / sizeof allowed[0]) {
                fail(env, VC_ERR_VOCAB_CONTEXT, path,
                     "invalid term definition: the definition of \"%.60s\" has the member \"%.40s\"%s", term, k,
                     where(env, in, sizeof in));
                return -1;
            }
        }
        idv = json_object_get(obj, "@id");
    } else {
        fail(env, VC_ERR_VOCAB_CONTEXT, path,
             "invalid term definition: \"%.60s\" must map to a string, an object or null%s", term,
             where(env, in, sizeof in));
        return -1;
    }

    const json_t *pv = obj ? json_object_get(obj, "@protected") : NULL;
    if (pv && !json_is_boolean(pv)) {
        fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid @protected value in the definition of \"%.60s\"%s", term,
             where(env, in, sizeof in));
        return -1;
    }
    def->prot = (unsigned char)(pv ? json_is_true(pv) : L->protected_default);

    const json_t *tv = obj ? json_object_get(obj, "@type") : NULL;
    if (tv) {
        const char *t = json_is_string(tv) ? expand_iri(env, active, L, json_string_value(tv), 1) : NULL;
        if (env->code)
            return -1;
        enum jl_kw k = t ? jl_keyword(t) : JL_NOT_KW;
        if (!t || (t[0] == '@' ? !(k == JL_ID || k == JL_JSON || k == JL_NONE || k == JL_VOCAB) : !is_abs_iri(t))) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path,
                 "invalid type mapping: the @type of \"%.60s\" must be @id, @json, @none, @vocab or an IRI%s", term,
                 where(env, in, sizeof in));
            return -1;
        }
        def->type = t;
    }

    const json_t *rv = obj ? json_object_get(obj, "@reverse") : NULL;
    const json_t *cv = obj ? json_object_get(obj, "@container") : NULL;
    if (rv) {
        if (idv || json_object_get(obj, "@nest")) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path,
                 "invalid reverse property: \"%.60s\" has @reverse together with @id or @nest%s", term,
                 where(env, in, sizeof in));
            return -1;
        }
        if (!json_is_string(rv)) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid IRI mapping: the @reverse of \"%.60s\" is not a string%s",
                 term, where(env, in, sizeof in));
            return -1;
        }
        if (jl_keyword_like(json_string_value(rv)))
            return mark_defined(env, L, term, 2);
        const char *iri = expand_iri(env, active, L, json_string_value(rv), 1);
        if (env->code)
            return -1;
        if (!iri || !(is_abs_iri(iri) || is_bnode(iri))) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid IRI mapping: the @reverse of \"%.60s\" is not an IRI%s",
                 term, where(env, in, sizeof in));
            return -1;
        }
        def->iri = iri;
        def->reverse = 1;
    } else if (idv && !(json_is_string(idv) && strcmp(json_string_value(idv), term) == 0)) {
        if (!json_is_null(idv)) {
            if (!json_is_string(idv)) {
                fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid IRI mapping: the @id of \"%.60s\" is not a string%s",
                     term, where(env, in, sizeof in));
                return -1;
            }
            const char *s = json_string_value(idv);
            if (!jl_keyword(s) && jl_keyword_like(s))
                return mark_defined(env, L, term, 2); /* ignored, as JSON-LD does */
            const char *iri = expand_iri(env, active, L, s, 1);
            if (env->code)
                return -1;
            if (!iri || !(jl_keyword(iri) || is_abs_iri(iri) || is_bnode(iri))) {
                fail(env, VC_ERR_VOCAB_CONTEXT, path,
                     "invalid IRI mapping: \"%.60s\" maps to \"%.80s\", which is not an absolute IRI, a compact IRI "
                     "with a defined prefix, a keyword or a term%s",
                     term, s, where(env, in, sizeof in));
                return -1;
            }
            if (jl_keyword(iri) == JL_CONTEXT) {
                fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid keyword alias: \"%.60s\" cannot alias @context%s",
                     term, where(env, in, sizeof in));
                return -1;
            }
            def->iri = iri;
            size_t tl = strlen(term);
            const char *tc = strchr(term, ':');
            if ((tc && tc != term && (size_t)(tc - term) != tl - 1) || strchr(term, '/')) {
                /* a term that looks like an IRI must expand to its own mapping */
                if (mark_defined(env, L, term, 2) != 0)
                    return -1;
                const char *self = expand_iri(env, active, L, term, 1);
                if (env->code)
                    return -1;
                if (!self || strcmp(self, iri) != 0) {
                    fail(env, VC_ERR_VOCAB_CONTEXT, path,
                         "invalid IRI mapping: the term \"%.60s\" has the form of an IRI but maps to a different "
                         "one%s",
                         term, where(env, in, sizeof in));
                    return -1;
                }
            }
            if (!strchr(term, ':') && !strchr(term, '/') && simple && (ends_gen_delim(iri) || is_bnode(iri)))
                def->prefix = 1;
        }
        /* null @id: a null mapping (the term is explicitly undefined) */
    } else if (strchr(term + 1, ':')) {
        const char *colon = strchr(term + 1, ':');
        size_t plen = (size_t)(colon - term);
        char prefix[256];
        const struct jl_term *p = NULL;
        if (plen < sizeof prefix) {
            memcpy(prefix, term, plen);
            prefix[plen] = '\0';
            if (json_object_get(L->obj, prefix) && create_term(env, active, L, prefix) != 0)
                return -1;
            p = jl_lookup(active, prefix);
        }
        if (p && p->iri && strncmp(colon + 1, "//", 2) != 0 && !(plen == 1 && term[0] == '_'))
            def->iri = concat(env, p->iri, colon + 1, strlen(colon + 1));
        else
            def->iri = term; /* an absolute IRI or a blank node identifier */
        if (!def->iri)
            return -1;
    } else if (strchr(term, '/')) {
        const char *iri = expand_iri(env, active, L, term, 1);
        if (env->code)
            return -1;
        if (!iri || !is_abs_iri(iri)) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path,
                 "invalid IRI mapping: the term \"%.60s\" is a relative IRI and has no @id%s", term,
                 where(env, in, sizeof in));
            return -1;
        }
        def->iri = iri;
    } else if (active->vocab) {
        def->iri = concat(env, active->vocab, term, strlen(term));
        if (!def->iri)
            return -1;
        def->via_vocab = 1;
    } else {
        fail(env, VC_ERR_VOCAB_CONTEXT, path,
             "invalid IRI mapping: \"%.60s\" has no @id and no @vocab is in effect to give it an IRI%s", term,
             where(env, in, sizeof in));
        return -1;
    }

    if (cv) {
        unsigned bits;
        if (container_bits(cv, &bits) != 0) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid container mapping in the definition of \"%.60s\"%s", term,
                 where(env, in, sizeof in));
            return -1;
        }
        def->container = (unsigned short)bits;
        if (bits & JL_C_TYPE) {
            if (!def->type)
                def->type = "@id";
            else if (strcmp(def->type, "@id") != 0 && strcmp(def->type, "@vocab") != 0) {
                fail(env, VC_ERR_VOCAB_CONTEXT, path,
                     "invalid type mapping: a @type container needs @type @id or @vocab (\"%.60s\")%s", term,
                     where(env, in, sizeof in));
                return -1;
            }
        }
        if (def->reverse && (bits & ~(unsigned)(JL_C_SET | JL_C_INDEX))) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path,
                 "invalid reverse property: the container of \"%.60s\" must be @set or @index%s", term,
                 where(env, in, sizeof in));
            return -1;
        }
    }
    const json_t *iv = obj ? json_object_get(obj, "@index") : NULL;
    if (iv) {
        if (!(def->container & JL_C_INDEX) || !json_is_string(iv) || jl_keyword(json_string_value(iv))) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path,
                 "invalid term definition: @index in \"%.60s\" needs an @index container and a property name%s",
                 term, where(env, in, sizeof in));
            return -1;
        }
        def->index = json_string_value(iv);
    }
    const json_t *sc = obj ? json_object_get(obj, "@context") : NULL;
    if (sc) {
        if (!json_is_null(sc) && !json_is_string(sc) && !json_is_object(sc) && !json_is_array(sc)) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid scoped context in the definition of \"%.60s\"%s", term,
                 where(env, in, sizeof in));
            return -1;
        }
        def->ctx = sc;
        def->has_ctx = 1;
    }
    const json_t *lv = obj ? json_object_get(obj, "@language") : NULL;
    if (lv && !tv) {
        if (!json_is_null(lv) && !json_is_string(lv)) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid language mapping in the definition of \"%.60s\"%s", term,
                 where(env, in, sizeof in));
            return -1;
        }
        def->language = lv;
    }
    const json_t *dv = obj ? json_object_get(obj, "@direction") : NULL;
    if (dv && !tv) {
        const char *d = json_string_value(dv);
        if (!json_is_null(dv) && !(d && (strcmp(d, "ltr") == 0 || strcmp(d, "rtl") == 0))) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid base direction in the definition of \"%.60s\"%s", term,
                 where(env, in, sizeof in));
            return -1;
        }
        def->direction = dv;
    }
    const json_t *nv = obj ? json_object_get(obj, "@nest") : NULL;
    if (nv) {
        const char *n = json_string_value(nv);
        if (!n || (jl_keyword(n) && jl_keyword(n) != JL_NEST)) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid @nest value in the definition of \"%.60s\"%s", term,
                 where(env, in, sizeof in));
            return -1;
        }
        def->nest = n;
    }
    const json_t *xv = obj ? json_object_get(obj, "@prefix") : NULL;
    if (xv) {
        if (strchr(term, ':') || strchr(term, '/') || !json_is_boolean(xv) ||
            (json_is_true(xv) && def->iri && jl_keyword(def->iri))) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path, "invalid @prefix value in the definition of \"%.60s\"%s", term,
                 where(env, in, sizeof in));
            return -1;
        }
        def->prefix = (unsigned char)json_is_true(xv);
    }
    def->kw = (unsigned char)(def->iri ? jl_keyword(def->iri) : JL_NOT_KW);
    def->is_json = def->type && strcmp(def->type, "@json") == 0;
    def->is_vocab = def->type && strcmp(def->type, "@vocab") == 0;

    const struct jl_term *final = def;
    if (!L->override_protected && previous && previous->prot) {
        if (!same_def(previous, def)) {
            fail(env, VC_ERR_VOCAB_CONTEXT, path,
                 "protected term redefinition: \"%.60s\" is protected by an earlier context and cannot be "
                 "redefined%s; use another name",
                 term, where(env, in, sizeof in));
            return -1;
        }
        final = previous;
    }
    if (set_term(env, active, term, final) != 0)
        return -1;
    return mark_defined(env, L, term, 2);
}

static void sub_path(char *out, size_t cap, const char *path, const char *member)
{
    snprintf(out, cap, "%s", path);
    vc_path_append(out, cap, member);
}

/* One inline context map: its keywords, then its terms. */
static int process_map(struct jl_env *env, struct jl_ctx *result, const json_t *obj, int override_protected,
                       const char *path)
{
    char p[VC_ERROR_PATH_MAX], in[160];
    const json_t *v;
    if ((v = json_object_get(obj, "@version")) && !(json_is_number(v) && json_number_value(v) == 1.1)) {
        sub_path(p, sizeof p, path, "@version");
        fail(env, VC_ERR_VOCAB_CONTEXT, p, "invalid @version value: only 1.1 is allowed%s", where(env, in, sizeof in));
        return -1;
    }
    if ((v = json_object_get(obj, "@import"))) {
        sub_path(p, sizeof p, path, "@import");
        const char *url = json_string_value(v);
        const json_t *doc = NULL;
        vc_error e;
        int untp = 0;
        if (!url || !is_abs_iri(url)) {
            fail(env, VC_ERR_VOCAB_CONTEXT, p, "invalid @import value: it must be the URL of a context%s",
                 where(env, in, sizeof in));
            return -1;
        }
        if (vc_data_context_json(env->data, url, &doc, &untp, &e) != VC_OK) {
            fail(env, e.code, p, "%s", e.message);
            return -1;
        }
        const json_t *imp = doc ? json_object_get(doc, "@context") : NULL;
        if (!doc) {
            fail(env, VC_ERR_VOCAB_CONTEXT, p,
                 "unknown context %.120s (@import): it is not shipped with untpcred and was not added", url);
            return -1;
        }
        if (!json_is_object(imp) || json_object_get(imp, "@import")) {
            fail(env, VC_ERR_VOCAB_CONTEXT, p, "invalid remote context: %.120s (@import) must be one context map",
                 url);
            return -1;
        }
        json_t *merged = json_copy((json_t *)imp);
        if (!merged || json_object_update(merged, (json_t *)obj) != 0 || vc_arena_own(env->arena, merged) != 0) {
            oom(env);
            return -1;
        }
        json_object_del(merged, "@import");
        obj = merged;
        if (untp)
            result->untp = 1;
    }
    if ((v = json_object_get(obj, "@vocab"))) {
        if (json_is_null(v)) {
            result->vocab = NULL;
        } else {
            const char *s = json_string_value(v);
            const char *iri = s ? expand_iri(env, result, NULL, s, 1) : NULL;
            if (env->code)
                return -1;
            if (!s || !iri || jl_keyword(iri) || !(is_abs_iri(iri) || is_bnode(iri) || !strchr(s, ':'))) {
                sub_path(p, sizeof p, path, "@vocab");
                fail(env, VC_ERR_VOCAB_CONTEXT, p, "invalid vocab mapping: @vocab must be an IRI or null%s",
                     where(env, in, sizeof in));
                return -1;
            }
            result->vocab = iri;
        }
    }
    static const char *const str_or_null[] = {"@language", "@base"};
    for (size_t i = 0; i < 2; i++)
        if ((v = json_object_get(obj, str_or_null[i])) && !json_is_null(v) && !json_is_string(v)) {
            sub_path(p, sizeof p, path, str_or_null[i]);
            fail(env, VC_ERR_VOCAB_CONTEXT, p, "%s must be a string or null%s", str_or_null[i],
                 where(env, in, sizeof in));
            return -1;
        }
    if ((v = json_object_get(obj, "@direction")) && !json_is_null(v) &&
        !(json_is_string(v) && (strcmp(json_string_value(v), "ltr") == 0 || strcmp(json_string_value(v), "rtl") == 0))) {
        sub_path(p, sizeof p, path, "@direction");
        fail(env, VC_ERR_VOCAB_CONTEXT, p, "invalid base direction: @direction must be \"ltr\", \"rtl\" or null%s",
             where(env, in, sizeof in));
        return -1;
    }
    if ((v = json_object_get(obj, "@propagate")) && !json_is_boolean(v)) {
        sub_path(p, sizeof p, path, "@propagate");
        fail(env, VC_ERR_VOCAB_CONTEXT, p, "invalid @propagate value: it must be true or false%s",
             where(env, in, sizeof in));
        return -1;
    }
    const json_t *prot = json_object_get(obj, "@protected");
    if (prot && !json_is_boolean(prot)) {
        sub_path(p, sizeof p, path, "@protected");
        fail(env, VC_ERR_VOCAB_CONTEXT, p, "invalid @protected value: it must be true or false%s",
             where(env, in, sizeof in));
        return -1;
    }
    struct local L = {0};
    L.obj = obj;
    L.path = path;
    L.dcap = 16;
    while (L.dcap < 2 * json_object_size(obj) + 2)
        L.dcap *= 2;
    L.defined = vc_arena_alloc(env->arena, L.dcap * sizeof *L.defined);
    if (!L.defined) {
        oom(env);
        return -1;
    }
    L.protected_default = prot && json_is_true(prot);
    L.override_protected = override_protected;
    const char *k;
    json_t *tdef;
    json_object_foreach((json_t *)obj, k, tdef)
    {
        switch (jl_keyword(k)) {
        case JL_BASE: case JL_DIRECTION: case JL_IMPORT: case JL_LANGUAGE: case JL_PROPAGATE:
        case JL_PROTECTED: case JL_VERSION: case JL_VOCAB:
            continue;
        default:
            break;
        }
        if (create_term(env, result, &L, k) != 0)
            return -1;
    }
    return 0;
}

/* Record the keyword aliases of a finished context. */
static const struct jl_ctx *finish(struct jl_ctx *c)
{
    c->naliases = 0;
    c->alias_overflow = 0;
    for (uint32_t i = 0; i < c->cap; i++) {
        const struct jl_slot *s = &c->tab[i];
        if (!s->key || !s->def || !s->def->iri || !s->def->kw)
            continue;
        if (c->naliases == JL_MAX_ALIASES) {
            c->alias_overflow = 1;
            break;
        }
        c->aliases[c->naliases].key = s->key;
        c->aliases[c->naliases].len = s->len;
        c->aliases[c->naliases].kw = s->def->kw;
        c->naliases++;
    }
    return c;
}

const struct jl_ctx *jl_process(struct jl_env *env, const struct jl_ctx *active, const json_t *local,
                                int override_protected, int propagate, const char *path)
{
    char p[VC_ERROR_PATH_MAX], in[160];
    if (json_is_object(local)) {
        const json_t *pv = json_object_get(local, "@propagate");
        if (pv) {
            if (!json_is_boolean(pv)) {
                sub_path(p, sizeof p, path, "@propagate");
                fail(env, VC_ERR_VOCAB_CONTEXT, p, "invalid @propagate value: it must be true or false%s",
                     where(env, in, sizeof in));
                return NULL;
            }
            propagate = json_is_true(pv);
        }
    }
    struct jl_ctx *result = clone_ctx(env, active);
    if (!result)
        return NULL;
    if (!propagate && !result->previous)
        result->previous = active;
    size_t n = json_is_array(local) ? json_array_size(local) : 1;
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_is_array(local) ? json_array_get(local, i) : local;
        snprintf(p, sizeof p, "%s", path);
        if (json_is_array(local))
            vc_path_append_index(p, sizeof p, i);
        if (json_is_null(item)) {
            if (!override_protected && result->has_protected) {
                fail(env, VC_ERR_VOCAB_CONTEXT, p,
                     "invalid context nullification: a null @context cannot clear protected terms%s",
                     where(env, in, sizeof in));
                return NULL;
            }
            struct jl_ctx *fresh = jl_new_empty(env);
            if (!fresh)
                return NULL;
            if (!propagate)
                fresh->previous = result;
            result = fresh;
        } else if (json_is_string(item)) {
            const char *url = json_string_value(item);
            if (!is_abs_iri(url)) {
                fail(env, VC_ERR_VOCAB_CONTEXT, p,
                     "the @context entry \"%.100s\" is not an absolute URL (relative context references are not "
                     "supported)%s",
                     url, where(env, in, sizeof in));
                return NULL;
            }
            for (int r = 0; r < env->nremote; r++)
                if (strcmp(env->remote[r], url) == 0) {
                    fail(env, VC_ERR_VOCAB_CONTEXT, p, "recursive context inclusion of %.120s", url);
                    return NULL;
                }
            if (env->nremote >= VC_VOCAB_MAX_REMOTE_DEPTH) {
                fail(env, VC_ERR_VOCAB_CONTEXT, p, "context overflow: remote contexts nested deeper than %d",
                     VC_VOCAB_MAX_REMOTE_DEPTH);
                return NULL;
            }
            const json_t *doc = NULL;
            int untp = 0;
            vc_error e;
            if (vc_data_context_json(env->data, url, &doc, &untp, &e) != VC_OK) {
                fail(env, e.code, p, "the context %.100s cannot be used: %s", url, e.message);
                return NULL;
            }
            if (!doc) {
                fail(env, VC_ERR_VOCAB_CONTEXT, p,
                     "unknown context %.120s: it is not one of the contexts shipped with untpcred and was not added "
                     "with vc_data_add_context, so the terms it defines cannot be checked%s",
                     url, where(env, in, sizeof in));
                return NULL;
            }
            const json_t *rc = json_object_get(doc, "@context");
            if (!json_is_object(rc) && !json_is_array(rc) && !json_is_string(rc)) {
                fail(env, VC_ERR_VOCAB_CONTEXT, p, "invalid remote context: %.120s has no @context member", url);
                return NULL;
            }
            int was_stable = env->stable;
            const char *was_fixed = env->fixed_path;
            env->remote[env->nremote++] = url;
            env->stable = 1; /* registry documents live as long as the registry */
            if (!env->fixed_path)
                env->fixed_path = p; /* a problem inside is reported at the URL's @context entry */
            const struct jl_ctx *r = jl_process(env, result, rc, 0, 1, p);
            env->nremote--;
            env->stable = was_stable;
            env->fixed_path = was_fixed;
            if (!r)
                return NULL;
            result = (struct jl_ctx *)r; /* fresh from this arena: still ours to change */
            if (untp)
                result->untp = 1;
        } else if (json_is_object(item)) {
            if (process_map(env, result, item, override_protected, p) != 0)
                return NULL;
        } else {
            fail(env, VC_ERR_VOCAB_CONTEXT, p,
                 "invalid local context: an @context entry must be null, a URL or an object%s",
                 where(env, in, sizeof in));
            return NULL;
        }
    }
    return finish(result);
}
