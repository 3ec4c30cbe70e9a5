/*
 * compile.c - the schema registry and the compiler: resource discovery ($id,
 * $anchor, $dynamicAnchor), reference resolution (RFC 3986 + JSON pointer
 * fragments), vocabularies, and the translation of every subschema into an
 * immutable snode with a pre-decoded keyword table.
 *
 * Compilation is iterative: a subschema reached through a keyword or a $ref is
 * allocated at once (so that cycles refer to the same node) and queued; only
 * resource discovery recurses, along the lexical nesting of the documents
 * (bounded by VC_SCHEMA_MAX_SCHEMA_DEPTH).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

#define DEFAULT_BASE_URI "urn:x-libvc:schema"
#define POOL_BLOCK 16384u

/* ------------------------------------------------------------------ pool */

struct spool_block {
    spool_block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void *vc_spool_alloc(vc_schema *s, size_t size)
{
    size = (size + 15u) & ~(size_t)15u;
    if (size == 0)
        size = 16;
    spool_block *b = s->pool;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > POOL_BLOCK ? size : POOL_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->used = 0;
        b->cap = cap;
        if (s->pool && size > POOL_BLOCK) {
            /* a big one-off: keep the current block for small allocations */
            b->next = s->pool->next;
            s->pool->next = b;
        } else {
            b->next = s->pool;
            s->pool = b;
        }
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *vc_spool_strndup(vc_schema *s, const char *p, size_t n)
{
    char *d = vc_spool_alloc(s, n + 1);
    if (d) {
        memcpy(d, p, n);
        d[n] = '\0';
    }
    return d;
}

uint64_t vc_schema_hash_bytes(const void *p, size_t n)
{
    /* 8 bytes at a time, multiply-xorshift mixing; not for adversarial keys
     * (tables are built from the schema, lookups only probe them) */
    const unsigned char *b = p;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
        b += 8;
        n -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)b[i] << (8 * i);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
}

/* ------------------------------------------------------------ small maps */

typedef struct smap_e {
    char *key;
    void *val;
} smap_e;

typedef struct smap {
    smap_e *e;
    size_t cap, n;
} smap;

static void *smap_get(const smap *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t i = (size_t)vc_schema_hash_bytes(key, strlen(key)) & (m->cap - 1);
    while (m->e[i].key) {
        if (strcmp(m->e[i].key, key) == 0)
            return m->e[i].val;
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

static int smap_put(smap *m, const char *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        smap_e *e = calloc(cap, sizeof *e);
        if (!e)
            return -1;
        for (size_t k = 0; k < m->cap; k++) {
            if (!m->e[k].key)
                continue;
            size_t i = (size_t)vc_schema_hash_bytes(m->e[k].key, strlen(m->e[k].key)) & (cap - 1);
            while (e[i].key)
                i = (i + 1) & (cap - 1);
            e[i] = m->e[k];
        }
        free(m->e);
        m->e = e;
        m->cap = cap;
    }
    size_t i = (size_t)vc_schema_hash_bytes(key, strlen(key)) & (m->cap - 1);
    while (m->e[i].key) {
        if (strcmp(m->e[i].key, key) == 0) {
            m->e[i].val = val;
            return 0;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->e[i].key = strdup(key);
    if (!m->e[i].key)
        return -1;
    m->e[i].val = val;
    m->n++;
    return 0;
}

static void smap_free(smap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->e[i].key);
    free(m->e);
    memset(m, 0, sizeof *m);
}

typedef struct pmap_e {
    const void *key;
    void *val;
} pmap_e;

typedef struct pmap {
    pmap_e *e;
    size_t cap, n;
} pmap;

static size_t phash(const void *p, size_t cap)
{
    uint64_t h = (uint64_t)(uintptr_t)p;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

static void *pmap_get(const pmap *m, const void *key)
{
    if (!m->cap)
        return NULL;
    size_t i = phash(key, m->cap);
    while (m->e[i].key) {
        if (m->e[i].key == key)
            return m->e[i].val;
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

static int pmap_put(pmap *m, const void *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        pmap_e *e = calloc(cap, sizeof *e);
        if (!e)
            return -1;
        for (size_t k = 0; k < m->cap; k++) {
            if (!m->e[k].key)
                continue;
            size_t i = phash(m->e[k].key, cap);
            while (e[i].key)
                i = (i + 1) & (cap - 1);
            e[i] = m->e[k];
        }
        free(m->e);
        m->e = e;
        m->cap = cap;
    }
    size_t i = phash(key, m->cap);
    while (m->e[i].key) {
        if (m->e[i].key == key) {
            m->e[i].val = val;
            return 0;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->e[i].key = key;
    m->e[i].val = val;
    m->n++;
    return 0;
}

static void pmap_free(pmap *m)
{
    free(m->e);
    memset(m, 0, sizeof *m);
}

/* -------------------------------------------------------------- registry */

typedef struct rdoc {
    char *uri; /* as registered, without fragment */
    char *id;  /* the root "$id" resolved against uri, when different; else NULL */
    json_t *doc;
} rdoc;

struct vc_schema_registry {
    rdoc *docs;
    size_t n, cap;
};

vc_status vc_schema_registry_new(vc_schema_registry **out, vc_error *err)
{
    if (!out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_schema_registry_new: NULL argument");
    *out = calloc(1, sizeof **out);
    if (!*out)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    return VC_OK;
}

void vc_schema_registry_free(vc_schema_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->n; i++) {
        free(reg->docs[i].uri);
        free(reg->docs[i].id);
        json_decref(reg->docs[i].doc);
    }
    free(reg->docs);
    free(reg);
}

/* Strip an empty trailing fragment; NULL when a non-empty fragment remains. */
static char *uri_no_fragment(const char *uri)
{
    const char *frag;
    size_t n = vc_uri_split_fragment(uri, &frag);
    if (frag && *frag)
        return NULL;
    return strndup(uri, n);
}

static const rdoc *registry_find(const vc_schema_registry *reg, const char *uri)
{
    if (!reg)
        return NULL;
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->docs[i].uri, uri) == 0 || (reg->docs[i].id && strcmp(reg->docs[i].id, uri) == 0))
            return &reg->docs[i];
    return NULL;
}

vc_status vc_schema_registry_add(vc_schema_registry *reg, const char *uri, const char *json, size_t len,
                                 vc_error *err)
{
    if (!reg || !uri || !json)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_schema_registry_add: NULL argument");
    if (!vc_uri_has_scheme(uri))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "schema document URI '%.120s' is not an absolute URI", uri);
    char *u = uri_no_fragment(uri);
    if (!u)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "schema document URI '%.120s' has a fragment", uri);
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->docs[i].uri, u) == 0) {
            free(u);
            return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "schema document '%.120s' is already registered", uri);
        }
    if (reg->n >= VC_SCHEMA_MAX_DOCUMENTS) {
        free(u);
        return vc_fail(err, VC_ERR_LIMIT, NULL, "more than %d schema documents in one registry",
                       VC_SCHEMA_MAX_DOCUMENTS);
    }
    json_t *doc = NULL;
    vc_status st = vc_json_parse(json, len, &doc, err);
    if (st != VC_OK) {
        free(u);
        return st;
    }
    char *id = NULL;
    const char *sid = json_is_object(doc) ? vc_json_str(doc, "$id") : NULL;
    if (sid) {
        char *abs = vc_uri_resolve(u, sid);
        if (abs) {
            id = uri_no_fragment(abs);
            free(abs);
            if (id && strcmp(id, u) == 0) {
                free(id);
                id = NULL;
            }
        }
    }
    if (reg->n == reg->cap) {
        size_t cap = reg->cap ? reg->cap * 2 : 8;
        rdoc *d = realloc(reg->docs, cap * sizeof *d);
        if (!d) {
            free(u);
            free(id);
            json_decref(doc);
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        }
        reg->docs = d;
        reg->cap = cap;
    }
    reg->docs[reg->n++] = (rdoc){u, id, doc};
    return VC_OK;
}

/* ------------------------------------------------------------- compiler */

typedef struct ninfo {
    sres *res;
    const char *loc;
} ninfo;

typedef struct work {
    snode *n;
    const json_t *j;
} work;

typedef struct cctx {
    vc_schema *s;
    const vc_schema_registry *reg;
    unsigned flags;
    smap resources; /* absolute URI -> sres* */
    smap anchors;   /* "uri#name" -> const json_t* */
    pmap info;      /* json object -> ninfo* */
    pmap memo;      /* json object -> snode* */
    work *work;
    size_t nwork, capwork;
    char **anames;  /* interned $dynamicAnchor names */
    size_t nanames, capanames;
    unsigned char *loaded; /* per registry document */
    vc_error *err;
    vc_status st;
} cctx;

/* Record the first failure; returns its code. path: the location "...#/ptr". */
__attribute__((format(printf, 4, 5))) static vc_status cfail(cctx *c, vc_status code, const char *loc,
                                                             const char *fmt, ...)
{
    if (c->st != VC_OK)
        return c->st;
    c->st = code;
    if (c->err) {
        c->err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
        va_end(ap);
        const char *h = loc ? strchr(loc, '#') : NULL;
        snprintf(c->err->path, sizeof c->err->path, "%s", h ? h + 1 : "");
    }
    return code;
}

static vc_status oom(cctx *c)
{
    return cfail(c, VC_ERR_NOMEM, NULL, "out of memory");
}

/* Schema locations are for messages: longer ones are cut (with "...") so that
 * long member names nested deep cannot multiply memory. */
#define MAX_LOC 240

/* JSON pointer escaping of one token into a pool string "base/token[/token2]". */
static const char *loc_join(cctx *c, const char *base, const char *t1, const char *t2)
{
    if (strlen(base) >= MAX_LOC)
        return base; /* already cut */
    size_t n = strlen(base) + 3;
    for (const char *p = t1; p && *p; p++)
        n += 2;
    for (const char *p = t2; p && *p; p++)
        n += 2;
    char *d = vc_spool_alloc(c->s, n);
    if (!d)
        return NULL;
    size_t k = strlen(base);
    memcpy(d, base, k);
    const char *toks[2] = {t1, t2};
    for (int t = 0; t < 2; t++) {
        if (!toks[t])
            continue;
        d[k++] = '/';
        for (const char *p = toks[t]; *p; p++) {
            if (*p == '~')
                d[k++] = '~', d[k++] = '0';
            else if (*p == '/')
                d[k++] = '~', d[k++] = '1';
            else
                d[k++] = *p;
        }
    }
    d[k] = '\0';
    if (k > MAX_LOC) {
        size_t cut = MAX_LOC - 3;
        while (cut > 0 && ((unsigned char)d[cut] & 0xc0) == 0x80)
            cut--;
        memcpy(d + cut, "...", 4);
    }
    return d;
}

static const char *loc_index(cctx *c, const char *base, const char *kw, size_t i)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", i);
    return loc_join(c, base, kw, buf);
}

static int intern_anchor(cctx *c, const char *name)
{
    for (size_t i = 0; i < c->nanames; i++)
        if (strcmp(c->anames[i], name) == 0)
            return (int)i;
    if (c->nanames == c->capanames) {
        size_t cap = c->capanames ? c->capanames * 2 : 8;
        char **n = realloc(c->anames, cap * sizeof *n);
        if (!n)
            return -1;
        c->anames = n;
        c->capanames = cap;
    }
    c->anames[c->nanames] = strdup(name);
    if (!c->anames[c->nanames])
        return -1;
    return (int)c->nanames++;
}

/* ---------------------------------------------------------- vocabularies */

static const struct {
    const char *uri;
    unsigned bit;
} vocabularies[] = {
    {"https://json-schema.org/draft/2020-12/vocab/core", VOC_CORE},
    {"https://json-schema.org/draft/2020-12/vocab/applicator", VOC_APPLICATOR},
    {"https://json-schema.org/draft/2020-12/vocab/unevaluated", VOC_UNEVALUATED},
    {"https://json-schema.org/draft/2020-12/vocab/validation", VOC_VALIDATION},
    {"https://json-schema.org/draft/2020-12/vocab/meta-data", VOC_METADATA},
    {"https://json-schema.org/draft/2020-12/vocab/format-annotation", VOC_FORMAT_ANNOTATION},
    {"https://json-schema.org/draft/2020-12/vocab/format-assertion", VOC_FORMAT_ASSERTION},
    {"https://json-schema.org/draft/2020-12/vocab/content", VOC_CONTENT},
};

/* The vocabularies a document uses, from its "$schema" meta-schema when the
 * registry knows it and it declares "$vocabulary"; else all 2020-12 ones. */
static unsigned doc_vocab(cctx *c, const json_t *root, const char *loc)
{
    const char *ms = json_is_object(root) ? vc_json_str(root, "$schema") : NULL;
    if (!ms)
        return VOC_ALL;
    char *u = uri_no_fragment(ms);
    if (!u)
        return VOC_ALL;
    const rdoc *d = registry_find(c->reg, u);
    free(u);
    const json_t *voc = d && json_is_object(d->doc) ? json_object_get(d->doc, "$vocabulary") : NULL;
    if (!json_is_object(voc))
        return VOC_ALL;
    unsigned mask = VOC_CORE;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)voc, k, v) {
        int known = 0;
        for (size_t i = 0; i < sizeof vocabularies / sizeof vocabularies[0]; i++)
            if (strcmp(vocabularies[i].uri, k) == 0) {
                mask |= vocabularies[i].bit;
                known = 1;
            }
        if (!known && json_is_true(v)) {
            cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "the meta-schema requires the vocabulary '%.100s', which libvc does not support", k);
            return VOC_ALL;
        }
    }
    return mask;
}

/* -------------------------------------------------------------- discovery */

static const char *const kw_single[] = {"items", "contains", "additionalProperties", "propertyNames", "if", "then",
                                        "else", "not", "unevaluatedItems", "unevaluatedProperties", "contentSchema",
                                        NULL};
static const char *const kw_array[] = {"prefixItems", "allOf", "anyOf", "oneOf", NULL};
static const char *const kw_map[] = {"$defs", "definitions", "properties", "patternProperties", "dependentSchemas", "dependencies",
                                     NULL};

static int anchor_name_ok(const char *a)
{
    if (!((*a >= 'A' && *a <= 'Z') || (*a >= 'a' && *a <= 'z') || *a == '_'))
        return 0;
    for (const char *p = a + 1; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_' || *p == '.'))
            return 0;
    return 1;
}

static sres *new_res(cctx *c, const char *uri, const json_t *root, const char *doc_prefix, unsigned vocab)
{
    sres *r = vc_spool_alloc(c->s, sizeof *r);
    if (!r)
        return NULL;
    r->uri = vc_spool_strndup(c->s, uri, strlen(uri));
    r->root = root;
    r->doc_uri = doc_prefix;
    r->vocab = vocab;
    return r->uri ? r : NULL;
}

static vc_status add_anchor(cctx *c, sres *res, const char *name, const json_t *j, const char *loc)
{
    if (!anchor_name_ok(name))
        return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "'%.80s' is not a valid anchor name (at %.120s)", name, loc);
    size_t n = strlen(res->uri) + strlen(name) + 2;
    char *key = malloc(n);
    if (!key)
        return oom(c);
    snprintf(key, n, "%s#%s", res->uri, name);
    const json_t *old = smap_get(&c->anchors, key);
    if (old && old != j) {
        free(key);
        return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "anchor '%.80s' is defined twice in resource %.120s", name,
                     res->uri);
    }
    int rc = smap_put(&c->anchors, key, (void *)j);
    free(key);
    return rc ? oom(c) : VC_OK;
}

static vc_status discover(cctx *c, const json_t *j, sres *res, const char *loc, unsigned depth)
{
    if (c->st != VC_OK)
        return c->st;
    if (!json_is_object(j))
        return VC_OK;
    if (depth > VC_SCHEMA_MAX_SCHEMA_DEPTH)
        return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "subschemas nested deeper than %d levels (at %.120s)",
                     VC_SCHEMA_MAX_SCHEMA_DEPTH, loc);
    if (pmap_get(&c->info, j))
        return VC_OK;
    const json_t *id = json_object_get(j, "$id");
    if (id && j != res->root) {
        if (!json_is_string(id))
            return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "$id must be a string (at %.120s)", loc);
        char *abs = vc_uri_resolve(res->uri, json_string_value(id));
        if (!abs)
            return oom(c);
        char *u = uri_no_fragment(abs);
        free(abs);
        if (!u)
            return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "$id '%.100s' must not have a fragment (at %.120s)",
                         json_string_value(id), loc);
        sres *old = smap_get(&c->resources, u);
        if (old && old->root != j) {
            free(u);
            return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "two schema resources have the $id '%.120s'",
                         json_string_value(id));
        }
        sres *nr = old ? old : new_res(c, u, j, res->doc_uri, res->vocab);
        if (!nr || (!old && smap_put(&c->resources, u, nr))) {
            free(u);
            return oom(c);
        }
        free(u);
        res = nr;
    } else if (id && !json_is_string(id))
        return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "$id must be a string (at %.120s)", loc);
    ninfo *in = vc_spool_alloc(c->s, sizeof *in);
    if (!in || pmap_put(&c->info, j, in))
        return oom(c);
    in->res = res;
    in->loc = loc;
    const json_t *a = json_object_get(j, "$anchor");
    if (a) {
        if (!json_is_string(a))
            return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "$anchor must be a string (at %.120s)", loc);
        if (add_anchor(c, res, json_string_value(a), j, loc))
            return c->st;
    }
    a = json_object_get(j, "$dynamicAnchor");
    if (a) {
        if (!json_is_string(a))
            return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "$dynamicAnchor must be a string (at %.120s)", loc);
        if (add_anchor(c, res, json_string_value(a), j, loc))
            return c->st;
        int id_ = intern_anchor(c, json_string_value(a));
        if (id_ < 0)
            return oom(c);
        if (res->ndyn == res->capdyn) {
            size_t cap = res->capdyn ? res->capdyn * 2 : 4;
            sdyn *d = vc_spool_alloc(c->s, cap * sizeof *d);
            if (!d)
                return oom(c);
            if (res->ndyn)
                memcpy(d, res->dyn, res->ndyn * sizeof *d);
            res->dyn = d;
            res->capdyn = cap;
        }
        res->dyn[res->ndyn++] = (sdyn){id_, j, NULL};
    }
    for (int k = 0; kw_single[k]; k++) {
        const json_t *v = json_object_get(j, kw_single[k]);
        if (json_is_object(v)) {
            const char *l = loc_join(c, loc, kw_single[k], NULL);
            if (!l || discover(c, v, res, l, depth + 1))
                return l ? c->st : oom(c);
        }
    }
    for (int k = 0; kw_array[k]; k++) {
        const json_t *v = json_object_get(j, kw_array[k]);
        if (!json_is_array(v))
            continue;
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            if (!json_is_object(e))
                continue;
            const char *l = loc_index(c, loc, kw_array[k], i);
            if (!l || discover(c, e, res, l, depth + 1))
                return l ? c->st : oom(c);
        }
    }
    for (int k = 0; kw_map[k]; k++) {
        const json_t *v = json_object_get(j, kw_map[k]);
        if (!json_is_object(v))
            continue;
        const char *key;
        json_t *e;
        json_object_foreach((json_t *)v, key, e) {
            if (!json_is_object(e))
                continue;
            const char *l = loc_join(c, loc, kw_map[k], key);
            if (!l || discover(c, e, res, l, depth + 1))
                return l ? c->st : oom(c);
        }
    }
    return VC_OK;
}

static vc_status keep_doc(cctx *c, json_t *doc)
{
    vc_schema *s = c->s;
    for (size_t i = 0; i < s->ndocs; i++)
        if (s->docs[i] == doc)
            return VC_OK;
    if (s->ndocs == s->capdocs) {
        size_t cap = s->capdocs ? s->capdocs * 2 : 8;
        json_t **d = realloc(s->docs, cap * sizeof *d);
        if (!d)
            return oom(c);
        s->docs = d;
        s->capdocs = cap;
    }
    s->docs[s->ndocs++] = json_incref(doc);
    return VC_OK;
}

/* Load a document: one resource for its root (under its retrieval URI and its
 * $id), then discover everything inside. */
static sres *load_doc(cctx *c, json_t *doc, const char *retrieval, const char *prefix)
{
    if (keep_doc(c, doc))
        return NULL;
    char *uri = NULL;
    const json_t *id = json_is_object(doc) ? json_object_get(doc, "$id") : NULL;
    if (id) {
        if (!json_is_string(id)) {
            cfail(c, VC_ERR_SCHEMA_COMPILE, prefix, "$id must be a string (at %s#)", prefix);
            return NULL;
        }
        char *abs = vc_uri_resolve(retrieval, json_string_value(id));
        if (!abs) {
            oom(c);
            return NULL;
        }
        uri = uri_no_fragment(abs);
        free(abs);
        if (!uri) {
            cfail(c, VC_ERR_SCHEMA_COMPILE, prefix, "$id '%.100s' must not have a fragment", json_string_value(id));
            return NULL;
        }
    } else {
        uri = strdup(retrieval);
        if (!uri) {
            oom(c);
            return NULL;
        }
    }
    char *loc = NULL;
    size_t ln = strlen(prefix) + 2;
    loc = vc_spool_alloc(c->s, ln);
    if (loc)
        snprintf(loc, ln, "%s#", prefix);
    unsigned vocab = doc_vocab(c, doc, loc ? loc : "#");
    sres *r = smap_get(&c->resources, uri);
    if (r && r->root != doc) {
        cfail(c, VC_ERR_SCHEMA_COMPILE, prefix, "two schema documents have the URI '%.120s'", uri);
        free(uri);
        return NULL;
    }
    if (!r)
        r = new_res(c, uri, doc, prefix, vocab);
    if (!r || !loc || smap_put(&c->resources, uri, r) || smap_put(&c->resources, retrieval, r)) {
        free(uri);
        oom(c);
        return NULL;
    }
    free(uri);
    if (c->st != VC_OK || discover(c, doc, r, loc, 0) != VC_OK)
        return NULL;
    return r;
}

/* The resource with an absolute URI (no fragment), loading registry documents
 * on demand. NULL when unknown (c->st stays VC_OK) or on failure. */
static sres *find_resource(cctx *c, const char *uri)
{
    sres *r = smap_get(&c->resources, uri);
    if (r || !c->reg)
        return r;
    for (size_t i = 0; i < c->reg->n; i++) {
        const rdoc *d = &c->reg->docs[i];
        if (c->loaded[i])
            continue;
        if (strcmp(d->uri, uri) == 0 || (d->id && strcmp(d->id, uri) == 0)) {
            c->loaded[i] = 1;
            return load_doc(c, d->doc, d->uri, d->uri);
        }
    }
    /* maybe a resource embedded in a document not loaded yet */
    for (size_t i = 0; i < c->reg->n; i++) {
        if (c->loaded[i])
            continue;
        c->loaded[i] = 1;
        if (!load_doc(c, c->reg->docs[i].doc, c->reg->docs[i].uri, c->reg->docs[i].uri))
            return NULL;
    }
    return smap_get(&c->resources, uri);
}

/* ------------------------------------------------------------ node graph */

static snode *get_node(cctx *c, const json_t *j, sres *res, const char *loc);

static void activate(cctx *c, sres *r)
{
    if (r->activated)
        return;
    r->activated = 1;
    for (size_t i = 0; i < r->ndyn; i++) {
        if (r->dyn[i].compiled)
            continue;
        const ninfo *in = pmap_get(&c->info, r->dyn[i].node);
        r->dyn[i].compiled = get_node(c, r->dyn[i].node, r, in ? in->loc : r->uri);
        if (!r->dyn[i].compiled)
            return;
    }
}

/* The node for subschema j, allocated once and queued for compilation. res and
 * loc are used when j was not found by discovery (booleans, targets of JSON
 * pointers into unknown keywords). */
static snode *get_node(cctx *c, const json_t *j, sres *res, const char *loc)
{
    if (c->st != VC_OK)
        return NULL;
    if (json_is_boolean(j)) {
        snode *n = vc_spool_alloc(c->s, sizeof *n);
        if (!n) {
            oom(c);
            return NULL;
        }
        n->kind = json_is_true(j) ? NK_TRUE : NK_FALSE;
        n->res = res;
        n->loc = loc;
        return n;
    }
    if (!json_is_object(j)) {
        cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "a schema must be an object or a boolean (at %.160s)", loc);
        return NULL;
    }
    snode *n = pmap_get(&c->memo, j);
    if (n)
        return n;
    ninfo *in = pmap_get(&c->info, j);
    if (!in) {
        if (discover(c, j, res, loc, 0) != VC_OK)
            return NULL;
        in = pmap_get(&c->info, j);
        if (!in) {
            cfail(c, VC_ERR_INTERNAL, loc, "schema discovery failed at %.160s", loc);
            return NULL;
        }
    }
    n = vc_spool_alloc(c->s, sizeof *n);
    if (!n || pmap_put(&c->memo, j, n)) {
        oom(c);
        return NULL;
    }
    n->kind = NK_OBJECT;
    n->res = in->res;
    n->loc = in->loc;
    if (c->nwork == c->capwork) {
        size_t cap = c->capwork ? c->capwork * 2 : 64;
        work *w = realloc(c->work, cap * sizeof *w);
        if (!w) {
            oom(c);
            return NULL;
        }
        c->work = w;
        c->capwork = cap;
    }
    c->work[c->nwork++] = (work){n, j};
    activate(c, in->res);
    return c->st == VC_OK ? n : NULL;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Walk a URI-fragment JSON pointer from root. NULL when it names nothing. */
static const json_t *walk_pointer(const json_t *root, const char *frag)
{
    const json_t *cur = root;
    const char *p = frag;
    size_t flen = strlen(frag);
    char *tok = malloc(flen + 1);
    if (!tok)
        return NULL;
    while (*p == '/') {
        p++;
        size_t k = 0;
        while (*p && *p != '/') {
            char ch = *p++;
            if (ch == '%' && hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
                ch = (char)(hexval(p[0]) * 16 + hexval(p[1]));
                p += 2;
            }
            tok[k++] = ch;
        }
        /* unescape ~1 and ~0 */
        size_t w = 0;
        for (size_t r = 0; r < k; r++) {
            if (tok[r] == '~' && r + 1 < k && tok[r + 1] == '1')
                tok[w++] = '/', r++;
            else if (tok[r] == '~' && r + 1 < k && tok[r + 1] == '0')
                tok[w++] = '~', r++;
            else if (tok[r] == '~') {
                free(tok);
                return NULL;
            } else
                tok[w++] = tok[r];
        }
        tok[w] = '\0';
        if (json_is_object(cur)) {
            if (memchr(tok, '\0', w)) {
                free(tok);
                return NULL;
            }
            cur = json_object_get(cur, tok);
        } else if (json_is_array(cur)) {
            if (w == 0 || (w > 1 && tok[0] == '0') || w > 9) {
                free(tok);
                return NULL;
            }
            size_t idx = 0;
            for (size_t r = 0; r < w; r++) {
                if (tok[r] < '0' || tok[r] > '9') {
                    free(tok);
                    return NULL;
                }
                idx = idx * 10 + (size_t)(tok[r] - '0');
            }
            cur = json_array_get(cur, idx);
        } else
            cur = NULL;
        if (!cur)
            break;
    }
    free(tok);
    return *p == '\0' ? cur : NULL;
}

/* Resolve a reference written at a node of resource res; *target gets the JSON
 * value, *tres its resource. *frag_anchor (optional) receives the anchor name
 * when the fragment is a plain name (a pool string), else NULL. */
static vc_status resolve_ref(cctx *c, sres *res, const char *ref, const char *kwloc, const json_t **target,
                             sres **tres, const char **tloc, const char **frag_anchor)
{
    if (frag_anchor)
        *frag_anchor = NULL;
    char *abs = vc_uri_resolve(res->uri, ref);
    if (!abs)
        return oom(c);
    const char *frag;
    size_t blen = vc_uri_split_fragment(abs, &frag);
    char *base = strndup(abs, blen);
    if (!base) {
        free(abs);
        return oom(c);
    }
    sres *r = find_resource(c, base);
    if (c->st != VC_OK) {
        free(base);
        free(abs);
        return c->st;
    }
    if (!r) {
        cfail(c, VC_ERR_SCHEMA_REF, kwloc, "cannot resolve '%.100s' (%.100s): no such schema document is registered",
              ref, base);
        free(base);
        free(abs);
        return c->st;
    }
    const json_t *t = NULL;
    const char *loc = NULL;
    if (!frag || !*frag) {
        t = r->root;
    } else if (frag[0] == '/') {
        t = walk_pointer(r->root, frag);
        const ninfo *ri = pmap_get(&c->info, r->root);
        size_t ln = strlen(ri ? ri->loc : "#") + strlen(frag) + 1;
        char *l = vc_spool_alloc(c->s, ln);
        if (!l) {
            free(base);
            free(abs);
            return oom(c);
        }
        snprintf(l, ln, "%s%s", ri ? ri->loc : "#", frag);
        if (strlen(l) > MAX_LOC)
            memcpy(l + MAX_LOC - 3, "...", 4);
        loc = l;
    } else {
        size_t n = strlen(r->uri) + strlen(frag) + 2;
        char *key = malloc(n);
        if (!key) {
            free(base);
            free(abs);
            return oom(c);
        }
        snprintf(key, n, "%s#%s", r->uri, frag);
        t = smap_get(&c->anchors, key);
        free(key);
        if (frag_anchor) {
            *frag_anchor = vc_spool_strndup(c->s, frag, strlen(frag));
            if (!*frag_anchor) {
                free(base);
                free(abs);
                return oom(c);
            }
        }
    }
    if (!t) {
        cfail(c, VC_ERR_SCHEMA_REF, kwloc, "cannot resolve '%.100s': %.100s has no '#%.80s'", ref, r->uri,
              frag ? frag : "");
        free(base);
        free(abs);
        return c->st;
    }
    const ninfo *ti = json_is_object(t) ? pmap_get(&c->info, t) : NULL;
    *target = t;
    *tres = ti ? ti->res : r;
    *tloc = ti ? ti->loc : loc ? loc : kwloc;
    free(base);
    free(abs);
    return VC_OK;
}

/* ------------------------------------------------------------ keywords */

static int get_num(const json_t *v, snum *out)
{
    if (json_is_integer(v)) {
        out->is_int = 1;
        out->i = json_integer_value(v);
        out->d = (double)out->i;
        return 1;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d))
            return 0;
        out->d = d;
        out->is_int = 0;
        if (d == floor(d) && fabs(d) < 9.0e18) {
            out->is_int = 1;
            out->i = (json_int_t)d;
        }
        return 1;
    }
    return 0;
}

static int get_count(const json_t *v, uint64_t *out)
{
    snum n;
    if (!get_num(v, &n))
        return 0;
    if (n.is_int) {
        if (n.i < 0)
            return 0;
        *out = (uint64_t)n.i;
        return 1;
    }
    if (n.d >= 9.0e18 && n.d == floor(n.d)) {
        *out = UINT64_MAX;
        return 1;
    }
    return 0;
}

static snode *child(cctx *c, snode *parent, const json_t *j, const char *kw, const char *k2)
{
    if (!json_is_object(j) && !json_is_boolean(j)) {
        const char *l = loc_join(c, parent->loc, kw, k2);
        cfail(c, VC_ERR_SCHEMA_COMPILE, l, "%s: a schema must be an object or a boolean (at %.160s)", kw, l ? l : "");
        return NULL;
    }
    const ninfo *in = json_is_object(j) ? pmap_get(&c->info, j) : NULL;
    const char *l = in ? in->loc : loc_join(c, parent->loc, kw, k2);
    if (!l) {
        oom(c);
        return NULL;
    }
    return get_node(c, j, (sres *)parent->res, l);
}

static snode *child_index(cctx *c, snode *parent, const json_t *j, const char *kw, size_t i)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", i);
    return child(c, parent, j, kw, buf);
}

static vc_status add_regex(cctx *c, const char *src, size_t len, const char *loc, sregex *out)
{
    char msg[200];
    pcre2_code *code = NULL;
    vc_status st = vc_regex_compile(src, len, &code, msg, sizeof msg);
    if (st == VC_ERR_NOMEM)
        return oom(c);
    if (st != VC_OK)
        return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "%s (pattern '%.60s' at %.100s)", msg, src, loc);
    vc_schema *s = c->s;
    if (s->ncodes == s->capcodes) {
        size_t cap = s->capcodes ? s->capcodes * 2 : 16;
        pcre2_code **n = realloc(s->codes, cap * sizeof *n);
        if (!n) {
            pcre2_code_free(code);
            return oom(c);
        }
        s->codes = n;
        s->capcodes = cap;
    }
    s->codes[s->ncodes++] = code;
    /* No JIT: the interpreter is fast enough for schema patterns, needs no
     * executable memory, and is exact under valgrind. */
    out->code = code;
    out->source = vc_spool_strndup(s, src, len);
    s->has_regex = 1;
    return out->source ? VC_OK : oom(c);
}

static int type_bit(const char *t)
{
    static const struct {
        const char *n;
        unsigned b;
    } types[] = {{"null", ST_NULL},     {"boolean", ST_BOOLEAN}, {"object", ST_OBJECT}, {"array", ST_ARRAY},
                 {"number", ST_NUMBER}, {"string", ST_STRING},   {"integer", ST_INTEGER}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].n, t) == 0)
            return (int)types[i].b;
    return 0;
}

static vc_status string_list(cctx *c, const json_t *v, const char *loc, const char *kw, const char ***names,
                             size_t **lens, size_t *n)
{
    if (!json_is_array(v))
        return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "%s must be an array of strings (at %.160s)", kw, loc);
    size_t m = json_array_size(v);
    *names = vc_spool_alloc(c->s, (m ? m : 1) * sizeof **names);
    *lens = vc_spool_alloc(c->s, (m ? m : 1) * sizeof **lens);
    if (!*names || !*lens)
        return oom(c);
    for (size_t i = 0; i < m; i++) {
        const json_t *e = json_array_get(v, i);
        if (!json_is_string(e))
            return cfail(c, VC_ERR_SCHEMA_COMPILE, loc, "%s must be an array of strings (at %.160s)", kw, loc);
        (*names)[i] = json_string_value(e);
        (*lens)[i] = json_string_length(e);
    }
    *n = m;
    return VC_OK;
}

static skw *kw_add(skw *tmp, size_t *nkw, sop op, const char *name)
{
    skw *k = &tmp[(*nkw)++];
    memset(k, 0, sizeof *k);
    k->op = op;
    k->name = name;
    return k;
}
#define KW(op_, name_) (kw = kw_add(tmp, &nkw, (op_), (name_)))

static vc_status compile_body(cctx *c, snode *n, const json_t *j)
{
    skw tmp[OP__COUNT];
    size_t nkw = 0;
    skw *kw;
    const json_t *v;
    unsigned voc = n->res->vocab;
    int validation = (voc & VOC_VALIDATION) != 0, applicator = (voc & VOC_APPLICATOR) != 0;
    const char *loc = n->loc;
#define KLOC(name) loc_join(c, loc, (name), NULL)
#define BAD(name, what)                                                                                                \
    do {                                                                                                               \
        const char *l_ = KLOC(name);                                                                                   \
        return cfail(c, VC_ERR_SCHEMA_COMPILE, l_, "%s must be %s (at %.160s)", (name), (what), l_ ? l_ : loc);      \
    } while (0)

    if (validation && (v = json_object_get(j, "type"))) {
        unsigned mask = 0;
        if (json_is_string(v)) {
            mask = (unsigned)type_bit(json_string_value(v));
            if (!mask)
                BAD("type", "one of the JSON Schema type names");
        } else if (json_is_array(v)) {
            for (size_t i = 0; i < json_array_size(v); i++) {
                const json_t *e = json_array_get(v, i);
                unsigned b = json_is_string(e) ? (unsigned)type_bit(json_string_value(e)) : 0;
                if (!b)
                    BAD("type", "a type name or an array of type names");
                mask |= b;
            }
        } else
            BAD("type", "a type name or an array of type names");
        KW(OP_TYPE, "type")->u.types = mask;
    }
    if (validation && (v = json_object_get(j, "const")))
        KW(OP_CONST, "const")->u.value = v;
    if (validation && (v = json_object_get(j, "enum"))) {
        if (!json_is_array(v))
            BAD("enum", "an array");
        KW(OP_ENUM, "enum");
        size_t m = json_array_size(v);
        json_t **vals = vc_spool_alloc(c->s, (m ? m : 1) * sizeof *vals);
        if (!vals)
            return oom(c);
        for (size_t i = 0; i < m; i++)
            vals[i] = json_array_get(v, i);
        kw->u.values.v = vals;
        kw->u.values.n = m;
    }
    if (validation && (v = json_object_get(j, "multipleOf"))) {
        snum x;
        if (!get_num(v, &x) || x.d <= 0)
            BAD("multipleOf", "a number greater than 0");
        KW(OP_MULTIPLE_OF, "multipleOf")->u.num = x;
    }
    static const struct {
        const char *name;
        sop op;
    } bounds[] = {{"maximum", OP_MAXIMUM},
                  {"exclusiveMaximum", OP_EXCLUSIVE_MAXIMUM},
                  {"minimum", OP_MINIMUM},
                  {"exclusiveMinimum", OP_EXCLUSIVE_MINIMUM}};
    for (size_t i = 0; validation && i < 4; i++) {
        if (!(v = json_object_get(j, bounds[i].name)))
            continue;
        snum x;
        if (!get_num(v, &x))
            BAD(bounds[i].name, "a number");
        KW(bounds[i].op, bounds[i].name)->u.num = x;
    }
    static const struct {
        const char *name;
        sop op;
    } counts[] = {{"maxLength", OP_MAX_LENGTH}, {"minLength", OP_MIN_LENGTH},         {"maxItems", OP_MAX_ITEMS},
                  {"minItems", OP_MIN_ITEMS},   {"maxProperties", OP_MAX_PROPERTIES}, {"minProperties", OP_MIN_PROPERTIES}};
    for (size_t i = 0; validation && i < 6; i++) {
        if (!(v = json_object_get(j, counts[i].name)))
            continue;
        uint64_t x;
        if (!get_count(v, &x))
            BAD(counts[i].name, "a non-negative integer");
        KW(counts[i].op, counts[i].name)->u.count = x;
    }
    if (validation && (v = json_object_get(j, "pattern"))) {
        if (!json_is_string(v))
            BAD("pattern", "a string");
        const char *l = KLOC("pattern");
        if (!l)
            return oom(c);
        KW(OP_PATTERN, "pattern");
        if (add_regex(c, json_string_value(v), json_string_length(v), l, &kw->u.re))
            return c->st;
    }
    if ((v = json_object_get(j, "format"))) {
        if (!json_is_string(v))
            BAD("format", "a string");
        int assert_ = !(c->flags & VC_SCHEMA_FORMAT_ANNOTATION) || (voc & VOC_FORMAT_ASSERTION);
        sformat f = vc_format_lookup(json_string_value(v));
        if (assert_ && f != FMT_NONE && (voc & (VOC_FORMAT_ANNOTATION | VOC_FORMAT_ASSERTION)))
            KW(OP_FORMAT, "format")->u.format = f;
    }
    if (validation && (v = json_object_get(j, "required"))) {
        KW(OP_REQUIRED, "required");
        const char *l = KLOC("required");
        if (!l || string_list(c, v, l, "required", &kw->u.req.names, &kw->u.req.lens, &kw->u.req.n))
            return l ? c->st : oom(c);
        if (kw->u.req.n == 0)
            nkw--;
    }
    /* "dependencies" (draft 2019-09 and earlier, kept by the 2020-12 meta-schema):
     * string arrays act as dependentRequired, schemas as dependentSchemas */
    const json_t *legacy = json_object_get(j, "dependencies");
    if (legacy && !json_is_object(legacy))
        BAD("dependencies", "an object");
    size_t legacy_req = 0, legacy_schemas = 0;
    {
        const char *key;
        json_t *e;
        json_object_foreach((json_t *)legacy, key, e) {
            if (json_is_array(e))
                legacy_req++;
            else
                legacy_schemas++;
        }
    }
    if (!validation)
        legacy_req = 0;
    if (!applicator)
        legacy_schemas = 0;
    v = validation ? json_object_get(j, "dependentRequired") : NULL;
    if (v && !json_is_object(v))
        BAD("dependentRequired", "an object of string arrays");
    if (v || legacy_req) {
        KW(OP_DEPENDENT_REQUIRED, "dependentRequired");
        size_t m = json_object_size(v) + legacy_req, i = 0;
        sdepreq *d = vc_spool_alloc(c->s, (m ? m : 1) * sizeof *d);
        if (!d)
            return oom(c);
        const json_t *srcs[2] = {v, legacy_req ? legacy : NULL};
        const char *kws[2] = {"dependentRequired", "dependencies"};
        for (int src = 0; src < 2; src++) {
            const char *key;
            json_t *e;
            json_object_foreach((json_t *)srcs[src], key, e) {
                if (src == 1 && !json_is_array(e))
                    continue;
                const char *l = loc_join(c, loc, kws[src], key);
                d[i].name = key;
                d[i].len = strlen(key);
                if (!l || string_list(c, e, l, kws[src], &d[i].required, &d[i].required_len, &d[i].count))
                    return l ? c->st : oom(c);
                i++;
            }
        }
        kw->u.depreq.v = d;
        kw->u.depreq.n = i;
    }
    if ((voc & VOC_CORE) && (v = json_object_get(j, "$ref"))) {
        if (!json_is_string(v))
            BAD("$ref", "a string");
        const char *l = KLOC("$ref");
        const json_t *t;
        sres *tr;
        const char *tl;
        if (!l || resolve_ref(c, (sres *)n->res, json_string_value(v), l, &t, &tr, &tl, NULL))
            return l ? c->st : oom(c);
        KW(OP_REF, "$ref")->u.schema = get_node(c, t, tr, tl);
        if (!kw->u.schema)
            return c->st;
    }
    if ((voc & VOC_CORE) && (v = json_object_get(j, "$dynamicRef"))) {
        if (!json_is_string(v))
            BAD("$dynamicRef", "a string");
        const char *l = KLOC("$dynamicRef");
        const json_t *t;
        sres *tr;
        const char *tl, *anchor;
        if (!l || resolve_ref(c, (sres *)n->res, json_string_value(v), l, &t, &tr, &tl, &anchor))
            return l ? c->st : oom(c);
        KW(OP_DYNAMIC_REF, "$dynamicRef");
        kw->u.dref.target = get_node(c, t, tr, tl);
        kw->u.dref.anchor = -1;
        if (!kw->u.dref.target)
            return c->st;
        /* dynamic only when the initial target has a matching $dynamicAnchor */
        const char *da = json_is_object(t) ? vc_json_str(t, "$dynamicAnchor") : NULL;
        if (anchor && da && strcmp(da, anchor) == 0) {
            kw->u.dref.anchor = intern_anchor(c, anchor);
            if (kw->u.dref.anchor < 0)
                return oom(c);
            c->s->has_dynamic = 1;
        }
    }
    static const struct {
        const char *name;
        sop op;
    } lists[] = {{"allOf", OP_ALL_OF}, {"anyOf", OP_ANY_OF}, {"oneOf", OP_ONE_OF}};
    for (size_t i = 0; applicator && i < 3; i++) {
        if (!(v = json_object_get(j, lists[i].name)))
            continue;
        if (!json_is_array(v) || json_array_size(v) == 0)
            BAD(lists[i].name, "a non-empty array of schemas");
        KW(lists[i].op, lists[i].name);
        size_t m = json_array_size(v);
        snode **sub = vc_spool_alloc(c->s, m * sizeof *sub);
        if (!sub)
            return oom(c);
        for (size_t k = 0; k < m; k++)
            if (!(sub[k] = child_index(c, n, json_array_get(v, k), lists[i].name, k)))
                return c->st;
        kw->u.list.v = sub;
        kw->u.list.n = m;
    }
    if (applicator && (v = json_object_get(j, "not"))) {
        KW(OP_NOT, "not")->u.schema = child(c, n, v, "not", NULL);
        if (!kw->u.schema)
            return c->st;
    }
    if (applicator && (v = json_object_get(j, "if"))) {
        snode *if_ = child(c, n, v, "if", NULL), *then_ = NULL, *else_ = NULL;
        if (!if_)
            return c->st;
        const json_t *t = json_object_get(j, "then"), *e = json_object_get(j, "else");
        if (t && !(then_ = child(c, n, t, "then", NULL)))
            return c->st;
        if (e && !(else_ = child(c, n, e, "else", NULL)))
            return c->st;
        KW(OP_IF, "if");
        kw->u.cond.if_ = if_;
        kw->u.cond.then_ = then_;
        kw->u.cond.else_ = else_;
    }
    v = applicator ? json_object_get(j, "dependentSchemas") : NULL;
    if (v && !json_is_object(v))
        BAD("dependentSchemas", "an object of schemas");
    if (v || legacy_schemas) {
        KW(OP_DEPENDENT_SCHEMAS, "dependentSchemas");
        size_t m = json_object_size(v) + legacy_schemas, i = 0;
        sdepschema *d = vc_spool_alloc(c->s, (m ? m : 1) * sizeof *d);
        if (!d)
            return oom(c);
        const json_t *srcs[2] = {v, legacy_schemas ? legacy : NULL};
        const char *kws[2] = {"dependentSchemas", "dependencies"};
        for (int src = 0; src < 2; src++) {
            const char *key;
            json_t *e;
            json_object_foreach((json_t *)srcs[src], key, e) {
                if (src == 1 && json_is_array(e))
                    continue;
                d[i].name = key;
                d[i].len = strlen(key);
                if (!(d[i].schema = child(c, n, e, kws[src], key)))
                    return c->st;
                i++;
            }
        }
        kw->u.depschemas.v = d;
        kw->u.depschemas.n = i;
    }
    if (applicator) {
        const json_t *p = json_object_get(j, "properties"), *pp = json_object_get(j, "patternProperties"),
                     *ap = json_object_get(j, "additionalProperties");
        if (p && !json_is_object(p))
            BAD("properties", "an object of schemas");
        if (pp && !json_is_object(pp))
            BAD("patternProperties", "an object of schemas");
        if (p || pp || ap) {
            KW(OP_PROPERTIES, "properties");
            size_t m = p ? json_object_size(p) : 0;
            if (m) {
                size_t cap = 8;
                while (cap < m * 2)
                    cap *= 2;
                sprop *tab = vc_spool_alloc(c->s, cap * sizeof *tab);
                if (!tab)
                    return oom(c);
                const char *key;
                json_t *e;
                json_object_foreach((json_t *)p, key, e) {
                    size_t len = strlen(key);
                    uint64_t h = vc_schema_hash_bytes(key, len);
                    size_t slot = (size_t)h & (cap - 1);
                    while (tab[slot].name)
                        slot = (slot + 1) & (cap - 1);
                    tab[slot].name = key;
                    tab[slot].len = len;
                    tab[slot].hash = h;
                    if (!(tab[slot].schema = child(c, n, e, "properties", key)))
                        return c->st;
                }
                kw->u.props.table = tab;
                kw->u.props.cap = cap;
                kw->u.props.n = m;
            }
            size_t np = pp ? json_object_size(pp) : 0;
            if (np) {
                spattern *pats = vc_spool_alloc(c->s, np * sizeof *pats);
                if (!pats)
                    return oom(c);
                size_t i = 0;
                const char *key;
                json_t *e;
                json_object_foreach((json_t *)pp, key, e) {
                    const char *l = loc_join(c, loc, "patternProperties", key);
                    if (!l || add_regex(c, key, strlen(key), l, &pats[i].re))
                        return l ? c->st : oom(c);
                    if (!(pats[i].schema = child(c, n, e, "patternProperties", key)))
                        return c->st;
                    i++;
                }
                kw->u.props.patterns = pats;
                kw->u.props.npatterns = np;
            }
            if (ap && !(kw->u.props.additional = child(c, n, ap, "additionalProperties", NULL)))
                return c->st;
        }
    }
    if (applicator && (v = json_object_get(j, "propertyNames"))) {
        KW(OP_PROPERTY_NAMES, "propertyNames")->u.schema = child(c, n, v, "propertyNames", NULL);
        if (!kw->u.schema)
            return c->st;
    }
    if (applicator) {
        const json_t *pi = json_object_get(j, "prefixItems"), *it = json_object_get(j, "items");
        if (pi && (!json_is_array(pi) || json_array_size(pi) == 0))
            BAD("prefixItems", "a non-empty array of schemas");
        if (pi || it) {
            KW(OP_ITEMS, pi ? "prefixItems" : "items");
            if (pi) {
                size_t m = json_array_size(pi);
                snode **sub = vc_spool_alloc(c->s, m * sizeof *sub);
                if (!sub)
                    return oom(c);
                for (size_t k = 0; k < m; k++)
                    if (!(sub[k] = child_index(c, n, json_array_get(pi, k), "prefixItems", k)))
                        return c->st;
                kw->u.items.prefix = sub;
                kw->u.items.nprefix = m;
            }
            if (it && !(kw->u.items.items = child(c, n, it, "items", NULL)))
                return c->st;
        }
    }
    if (applicator && (v = json_object_get(j, "contains"))) {
        snode *cs = child(c, n, v, "contains", NULL);
        if (!cs)
            return c->st;
        KW(OP_CONTAINS, "contains");
        kw->u.contains.schema = cs;
        kw->u.contains.min = 1;
        const json_t *mi = validation ? json_object_get(j, "minContains") : NULL,
                     *ma = validation ? json_object_get(j, "maxContains") : NULL;
        if (mi && !get_count(mi, &kw->u.contains.min))
            BAD("minContains", "a non-negative integer");
        if (ma) {
            if (!get_count(ma, &kw->u.contains.max))
                BAD("maxContains", "a non-negative integer");
            kw->u.contains.has_max = 1;
        }
    }
    if (validation && (v = json_object_get(j, "uniqueItems"))) {
        if (!json_is_boolean(v))
            BAD("uniqueItems", "a boolean");
        if (json_is_true(v))
            KW(OP_UNIQUE_ITEMS, "uniqueItems");
    }
    if ((voc & VOC_UNEVALUATED) && (v = json_object_get(j, "unevaluatedItems"))) {
        KW(OP_UNEVALUATED_ITEMS, "unevaluatedItems")->u.schema = child(c, n, v, "unevaluatedItems", NULL);
        if (!kw->u.schema)
            return c->st;
        n->uneval = 1;
    }
    if ((voc & VOC_UNEVALUATED) && (v = json_object_get(j, "unevaluatedProperties"))) {
        KW(OP_UNEVALUATED_PROPERTIES, "unevaluatedProperties")->u.schema =
            child(c, n, v, "unevaluatedProperties", NULL);
        if (!kw->u.schema)
            return c->st;
        n->uneval = 1;
    }
#undef BAD
#undef KLOC
    /* evaluation order = enum order (cheap assertions first, unevaluated* last) */
    for (size_t a = 1; a < nkw; a++)
        for (size_t b = a; b > 0 && tmp[b - 1].op > tmp[b].op; b--) {
            skw t = tmp[b];
            tmp[b] = tmp[b - 1];
            tmp[b - 1] = t;
        }
    if (nkw) {
        n->kws = vc_spool_alloc(c->s, nkw * sizeof *n->kws);
        if (!n->kws)
            return oom(c);
        memcpy(n->kws, tmp, nkw * sizeof *n->kws);
    }
    n->nkw = nkw;
    return VC_OK;
}

/* ------------------------------------------------------------------ API */

static void cctx_free(cctx *c)
{
    smap_free(&c->resources);
    smap_free(&c->anchors);
    pmap_free(&c->info);
    pmap_free(&c->memo);
    free(c->work);
    for (size_t i = 0; i < c->nanames; i++)
        free(c->anames[i]);
    free(c->anames);
    free(c->loaded);
}

void vc_schema_free(vc_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ncodes; i++)
        pcre2_code_free(s->codes[i]);
    free(s->codes);
    for (size_t i = 0; i < s->ndocs; i++)
        json_decref(s->docs[i]);
    free(s->docs);
    pcre2_match_context_free(s->mctx);
    spool_block *b = s->pool;
    while (b) {
        spool_block *nb = b->next;
        free(b);
        b = nb;
    }
    free(s);
}

const char *vc_schema_base_uri(const vc_schema *schema)
{
    return schema ? schema->base_uri : NULL;
}

/* Compile: root is either a document (root_doc, with retrieval URI base) or a
 * URI into the registry (root_uri). */
static vc_status compile(const vc_schema_registry *reg, json_t *root_doc, const char *base, const char *root_uri,
                         unsigned flags, vc_schema **out, vc_error *err)
{
    *out = NULL;
    vc_schema *s = calloc(1, sizeof *s);
    if (!s)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    cctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.reg = reg;
    c.flags = flags;
    c.err = err;
    s->flags = flags;
    if (reg && reg->n) {
        c.loaded = calloc(reg->n, 1);
        if (!c.loaded)
            oom(&c);
    }
    if (c.st == VC_OK) {
        if (root_doc) {
            sres *r = load_doc(&c, root_doc, base, "");
            if (r) {
                s->base_uri = r->uri;
                s->root = get_node(&c, root_doc, r, "#");
            }
        } else {
            /* a registry document, or a subschema of one */
            const json_t *t;
            sres *tr;
            const char *tl;
            const char *frag;
            size_t bl = vc_uri_split_fragment(root_uri, &frag);
            char *b = strndup(root_uri, bl);
            if (!b)
                oom(&c);
            else if (!vc_uri_has_scheme(b))
                cfail(&c, VC_ERR_INVALID_ARG, NULL, "'%.120s' is not an absolute URI", root_uri);
            else {
                sres *dr = find_resource(&c, b);
                if (!dr && c.st == VC_OK)
                    cfail(&c, VC_ERR_SCHEMA_REF, NULL, "no schema document '%.120s' is registered", b);
                if (dr && resolve_ref(&c, dr, root_uri, dr->doc_uri, &t, &tr, &tl, NULL) == VC_OK) {
                    s->base_uri = vc_spool_strndup(s, root_uri, strlen(root_uri));
                    s->root = get_node(&c, t, tr, tl);
                }
            }
            free(b);
        }
    }
    while (c.st == VC_OK && c.nwork) {
        work w = c.work[--c.nwork];
        compile_body(&c, w.n, w.j);
    }
    if (c.st == VC_OK && s->has_regex) {
        s->mctx = pcre2_match_context_create(NULL);
        if (!s->mctx)
            oom(&c);
        else {
            pcre2_set_match_limit(s->mctx, VC_SCHEMA_REGEX_MATCH_LIMIT);
            pcre2_set_depth_limit(s->mctx, VC_SCHEMA_REGEX_DEPTH_LIMIT);
            pcre2_set_heap_limit(s->mctx, VC_SCHEMA_REGEX_HEAP_KIB);
        }
    }
    vc_status st = c.st;
    cctx_free(&c);
    if (st == VC_OK && !s->root)
        st = vc_fail(err, VC_ERR_INTERNAL, NULL, "schema compilation produced no root");
    if (st != VC_OK) {
        vc_schema_free(s);
        return st;
    }
    *out = s;
    return VC_OK;
}

vc_status vc_schema_compile_json(const vc_schema_registry *reg, json_t *schema, const char *base_uri,
                                 unsigned flags, vc_schema **out, vc_error *err)
{
    if (!schema || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_schema_compile: NULL argument");
    *out = NULL;
    if (!json_is_object(schema) && !json_is_boolean(schema))
        return vc_fail(err, VC_ERR_SCHEMA_COMPILE, "", "a schema must be a JSON object or a boolean");
    if (base_uri && !vc_uri_has_scheme(base_uri))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "base URI '%.120s' is not absolute", base_uri);
    char *b = uri_no_fragment(base_uri ? base_uri : DEFAULT_BASE_URI);
    if (!b)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "base URI '%.120s' has a fragment", base_uri);
    vc_status st = compile(reg, schema, b, NULL, flags, out, err);
    free(b);
    return st;
}

vc_status vc_schema_compile(const vc_schema_registry *reg, const char *json, size_t len, unsigned flags,
                            vc_schema **out, vc_error *err)
{
    if (!json || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_schema_compile: NULL argument");
    *out = NULL;
    json_t *j = NULL;
    vc_status st = vc_json_parse(json, len, &j, err);
    if (st != VC_OK)
        return st;
    st = vc_schema_compile_json(reg, j, NULL, flags, out, err);
    json_decref(j);
    return st;
}

vc_status vc_schema_compile_uri(const vc_schema_registry *reg, const char *uri, unsigned flags, vc_schema **out,
                                vc_error *err)
{
    if (!uri || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_schema_compile_uri: NULL argument");
    *out = NULL;
    return compile(reg, NULL, NULL, uri, flags, out, err);
}
