/*
 * jsonld.h - JSON-LD 1.1 context processing for the vocabulary check: active
 * contexts, term definitions, the Context Processing and Create Term Definition
 * algorithms (JSON-LD 1.1 API sections 4.1, 4.2) and IRI expansion (5.2), reduced
 * to what decides whether a term is defined. Private to libvc/vocab.
 *
 * Memory: contexts and term definitions live in an arena (the registry's shared
 * arena for cached contexts, a per-check arena otherwise) and are never freed one
 * by one. A finished context is immutable; only its memo list (scoped-context
 * results, see vocab.c) grows, through atomic pointers.
 */
#ifndef VC_VOCAB_JSONLD_H
#define VC_VOCAB_JSONLD_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "../internal.h"
#include "vc/vocab.h"

/* ------------------------------------------------------------ arena */

struct vc_arena_chunk;
struct vc_arena_json;
struct vc_arena {
    struct vc_arena_chunk *head;
    struct vc_arena_json *owned; /* JSON values the arena's contexts point into (@import merges) */
    size_t bytes;                /* total allocated, for limits and statistics */
};

VC_INTERNAL void *vc_arena_alloc(struct vc_arena *a, size_t n); /* zeroed, 16-aligned; NULL on OOM */
VC_INTERNAL void vc_arena_free(struct vc_arena *a);            /* everything; the arena is reusable */
VC_INTERNAL int vc_arena_own(struct vc_arena *a, json_t *j);   /* takes the reference; 0 ok */

/* ------------------------------------------------------------ keywords */

enum jl_kw {
    JL_NOT_KW = 0,
    JL_BASE, JL_CONTAINER, JL_CONTEXT, JL_DIRECTION, JL_GRAPH, JL_ID, JL_IMPORT, JL_INCLUDED, JL_INDEX, JL_JSON,
    JL_LANGUAGE, JL_LIST, JL_NEST, JL_NONE, JL_PREFIX, JL_PROPAGATE, JL_PROTECTED, JL_REVERSE, JL_SET, JL_TYPE,
    JL_VALUE, JL_VERSION, JL_VOCAB
};

/* The keyword s is, or JL_NOT_KW. */
VC_INTERNAL enum jl_kw jl_keyword(const char *s);

/* "@" followed by one or more ALPHA: reserved, ignored by JSON-LD when not a keyword. */
VC_INTERNAL int jl_keyword_like(const char *s);

/* ------------------------------------------------------------ contexts */

enum {
    JL_C_SET = 1, JL_C_LIST = 2, JL_C_LANGUAGE = 4, JL_C_INDEX = 8, JL_C_ID = 16, JL_C_TYPE = 32, JL_C_GRAPH = 64
};

struct jl_term {
    const char *name;          /* the term */
    const char *iri;           /* IRI mapping (an IRI or a keyword); NULL: mapped to null */
    const char *type;          /* type mapping (@id, @vocab, @json, @none or an IRI), or NULL */
    const json_t *ctx;         /* scoped context when has_ctx (may be JSON null) */
    const char *nest, *index;  /* @nest, @index values, or NULL */
    const json_t *language;    /* @language / @direction members, NULL when absent */
    const json_t *direction;
    unsigned short container;  /* JL_C_* */
    unsigned char has_ctx;     /* the definition has a scoped @context */
    unsigned char ctx_stable;  /* ctx points into data that outlives every check (cacheable) */
    unsigned char prot;        /* protected */
    unsigned char prefix;      /* usable as the prefix of a compact IRI */
    unsigned char reverse;     /* a reverse property */
    unsigned char via_vocab;   /* the IRI came from @vocab (no @id, no compact form) */
    unsigned char kw;          /* enum jl_kw when iri is a keyword (an alias) */
    unsigned char is_json;     /* type mapping @json: the value is a JSON literal */
    unsigned char is_vocab;    /* type mapping @vocab: string values are vocabulary-relative IRIs */
};

struct jl_slot {
    const char *key;
    uint32_t hash, len;
    const struct jl_term *def; /* NULL: removed */
};

struct jl_memo {
    struct jl_memo *next;
    const json_t *local;
    unsigned flags;
    const struct jl_ctx *result;
};

#define JL_MAX_ALIASES 6

struct jl_ctx {
    /* the keyword aliases ("id" -> @id, "type" -> @type), for finding keywords
     * without a table lookup; alias_overflow when there are more than fit */
    struct {
        const char *key;
        uint32_t len;
        unsigned char kw;
    } aliases[JL_MAX_ALIASES];
    unsigned char naliases, alias_overflow;
    struct jl_slot *tab;
    uint32_t cap, used;          /* power of two; used counts occupied slots */
    uint32_t nterms;             /* live definitions */
    const char *vocab;           /* vocabulary mapping, NULL for none */
    const struct jl_ctx *previous; /* set by non-propagated (type-scoped) contexts */
    unsigned char untp;          /* a UNTP context was processed into it */
    unsigned char has_protected; /* some definition is protected */
    unsigned char shared;        /* lives in the registry (cached) */
    _Atomic(struct jl_memo *) memo;
};

/* FNV-1a with a final avalanche (the table uses the low bits). */
static inline uint32_t jl_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

/* The definition of the n-byte term key (hash h = jl_hash(key, n)), or NULL. */
static inline const struct jl_term *jl_lookup_h(const struct jl_ctx *c, const char *key, size_t n, uint32_t h)
{
    if (!c->cap)
        return NULL;
    uint32_t mask = c->cap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        const struct jl_slot *s = &c->tab[i];
        if (!s->key)
            return NULL;
        if (s->hash == h && s->len == n && memcmp(s->key, key, n) == 0)
            return s->def;
    }
}

static inline const struct jl_term *jl_lookup(const struct jl_ctx *c, const char *key)
{
    size_t n = strlen(key);
    return jl_lookup_h(c, key, n, jl_hash(key, n));
}

/* What processing needs and where it goes. Zero it, then set data and arena. */
struct jl_env {
    vc_data *data;
    struct vc_arena *arena;   /* where results are allocated */
    int shared;               /* results will be cached (mark them shared) */
    int stable;               /* the local context being processed outlives the check */
    size_t max_bytes;         /* fail (VC_ERR_LIMIT) when the arena grows past this; 0: no bound */
    int term_depth;           /* nesting of Create Term Definition calls */
    /* the first error (processing stops there, as in JSON-LD) */
    vc_status code;
    char message[VC_ERROR_MESSAGE_MAX];
    char path[VC_ERROR_PATH_MAX];
    /* report every failure at this path when set (scoped contexts: the node) */
    const char *fixed_path;
    const char *scope;        /* the term whose scoped context is processed, for messages */
    /* remote contexts being processed (recursion) */
    const char *remote[VC_VOCAB_MAX_REMOTE_DEPTH];
    int nremote;
};

/* A new empty active context in env's arena (NULL on OOM, env->code set). */
VC_INTERNAL struct jl_ctx *jl_new_empty(struct jl_env *env);

/*
 * Context Processing: the active context resulting from applying local (an
 * @context value: null, a URL, an object or an array of them) to active.
 * override_protected: property-scoped contexts may redefine protected terms;
 * propagate: 0 for type-scoped contexts (the result remembers active as its
 * previous context). path is the JSON pointer of local in the document, used for
 * errors. Returns a new context in env->arena, or NULL with env->code, message
 * and path set (VC_ERR_VOCAB_CONTEXT, or the data registry's error).
 */
VC_INTERNAL const struct jl_ctx *jl_process(struct jl_env *env, const struct jl_ctx *active, const json_t *local,
                                            int override_protected, int propagate, const char *path);

#endif
