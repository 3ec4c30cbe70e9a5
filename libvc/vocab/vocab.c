/*
 * vocab.c - the vocabulary check: the per-registry cache of processed contexts
 * and the walk over a document that finds every term its contexts do not define.
 *
 * The walk follows the JSON-LD 1.1 Expansion Algorithm (section 5.1.2) without
 * producing output: for each node object it reverts a non-propagated context,
 * applies the property-scoped context of the property it is the value of, its
 * embedded @context and the type-scoped contexts of its types (in lexicographic
 * order, looked up in the context before any of them), then expands each key.
 * A key that expands to nothing JSON-LD keeps (no definition, a null mapping, a
 * compact IRI on an undefined prefix, a word that only looks like a keyword) is
 * reported, and its value is not looked into (JSON-LD drops it). Values of
 * @type are expanded as vocabulary-relative IRIs and reported likewise.
 *
 * Caching: each distinct @context value (compared with json_equal, found by a
 * structural hash) is processed once into a shared, immutable active context;
 * every context derived from a shared one by a scoped context that outlives the
 * check (from a shipped context, or from the cached copy of the credential's own
 * @context) is memoised on it. Lookups are lock-free (atomic lists that only grow);
 * a mutex serialises the rare insertions and the shared arena. Failures are never
 * cached: a context is first processed into the check's own arena, and only on
 * success again into the shared one.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../data/data_internal.h"
#include "../verify/verify_internal.h"
#include "jsonld.h"
#include "vocab_internal.h"

#define CACHE_BUCKETS 512
#define MAX_EPHEMERAL_BYTES VC_VOCAB_MAX_CHECK_BYTES
#define MAX_ENTRY_BYTES (1024u * 1024u) /* a @context value needing more is processed per check, not kept */
#define MAX_TYPES_SORTED 32                       /* type values whose scoped contexts are applied in order */
#define MAX_VOCAB_SPOTS 16                        /* inline @vocab locations remembered per @context */

/* ------------------------------------------------------------ cache */

struct centry {
    struct centry *next;
    uint64_t hash;
    json_t *copy; /* the @context value the context was processed from (owned) */
    const struct jl_ctx *ctx;
};

struct vcache {
    vc_data *data;
    pthread_mutex_t mu;
    struct vc_arena arena; /* shared contexts; written under mu */
    _Atomic(struct centry *) buckets[CACHE_BUCKETS];
    size_t nentries, nderived;
    const struct jl_ctx *empty;
};

static void *cache_make(vc_data *data)
{
    struct vcache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->data = data;
    pthread_mutex_init(&c->mu, NULL);
    struct jl_env env = {0};
    env.data = data;
    env.arena = &c->arena;
    env.shared = 1;
    c->empty = jl_new_empty(&env);
    if (!c->empty) {
        pthread_mutex_destroy(&c->mu);
        free(c);
        return NULL;
    }
    return c;
}

static void cache_destroy(void *p)
{
    struct vcache *c = p;
    for (size_t i = 0; i < CACHE_BUCKETS; i++) {
        struct centry *e = atomic_load(&c->buckets[i]);
        while (e) {
            struct centry *n = e->next;
            json_decref(e->copy);
            free(e);
            e = n;
        }
    }
    vc_arena_free(&c->arena);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static struct vcache *cache_of(vc_data *data)
{
    return vc_data_slot(data, VC_DATA_SLOT_VOCAB, cache_make, cache_destroy);
}

void vc_vocab_get_stats(vc_data *data, struct vc_vocab_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    struct vcache *c = data ? cache_of(data) : NULL;
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    stats->cached = c->nentries;
    stats->derived = c->nderived;
    stats->shared_bytes = c->arena.bytes;
    pthread_mutex_unlock(&c->mu);
}

/* Structural hash, equal for json_equal values (object member order ignored). */
static uint64_t jhash(const json_t *v)
{
    uint64_t h = 1469598103934665603ull;
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        for (size_t i = 0; i < n; i++)
            h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
        return h ^ 0x5;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        h ^= 0xA;
        json_array_foreach((json_t *)v, i, x) h = (h ^ jhash(x)) * 1099511628211ull;
        return h;
    }
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        uint64_t sum = 0xB;
        json_object_foreach((json_t *)v, k, x)
        {
            uint64_t kh = 1469598103934665603ull;
            for (const char *p = k; *p; p++)
                kh = (kh ^ (unsigned char)*p) * 1099511628211ull;
            sum += (kh * 31u) ^ jhash(x);
        }
        return sum;
    }
    case JSON_INTEGER:
        return (uint64_t)json_integer_value(v) * 0x9E3779B97F4A7C15ull;
    case JSON_REAL: {
        double d = json_real_value(v);
        uint64_t b;
        memcpy(&b, &d, sizeof b);
        return b * 0x9E3779B97F4A7C15ull;
    }
    case JSON_TRUE:
        return 0x77;
    case JSON_FALSE:
        return 0x78;
    default:
        return 0x79;
    }
}

/* ------------------------------------------------------------ one check */

struct frame {
    const char *key; /* NULL: an array index */
    size_t index;
};

struct plist {
    vc_error *items;
    size_t n, total;
};

struct walk {
    struct vcache *vc;
    vc_data *data;
    unsigned flags;
    struct vc_arena eph; /* contexts not kept in the cache */
    struct frame st[VC_MAX_JSON_DEPTH * 3 + 8];
    size_t depth;
    int too_deep;
    struct plist ctxp, termp;
    int ctx_failed; /* the document's own @context could not be processed */
    const json_t *root;
};

static void push_key(struct walk *w, const char *k)
{
    if (w->depth < sizeof w->st / sizeof w->st[0]) {
        w->st[w->depth].key = k;
        w->st[w->depth].index = 0;
    }
    w->depth++;
}

static void push_idx(struct walk *w, size_t i)
{
    if (w->depth < sizeof w->st / sizeof w->st[0]) {
        w->st[w->depth].key = NULL;
        w->st[w->depth].index = i;
    }
    w->depth++;
}

static void pop(struct walk *w)
{
    w->depth--;
}

/* The JSON pointer of the current position, then extra (a relative pointer) if any. */
static void cur_path(const struct walk *w, char *out, size_t cap, const char *extra)
{
    out[0] = '\0';
    size_t n = w->depth < sizeof w->st / sizeof w->st[0] ? w->depth : sizeof w->st / sizeof w->st[0];
    for (size_t i = 0; i < n; i++) {
        if (w->st[i].key)
            vc_path_append(out, cap, w->st[i].key);
        else
            vc_path_append_index(out, cap, w->st[i].index);
    }
    if (extra && strlen(out) + strlen(extra) < cap)
        strcat(out, extra);
}

static void add_problem(struct plist *l, vc_status code, const char *path, const char *msg)
{
    l->total++;
    if (l->n >= VC_VOCAB_MAX_REPORTED)
        return;
    if (!l->items && !(l->items = malloc(VC_VOCAB_MAX_REPORTED * sizeof *l->items)))
        return;
    vc_error *e = &l->items[l->n++];
    e->code = code;
    snprintf(e->message, sizeof e->message, "%s", msg);
    snprintf(e->path, sizeof e->path, "%s", path);
}

static void problem(struct walk *w, struct plist *l, vc_status code, const char *extra, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void problem(struct walk *w, struct plist *l, vc_status code, const char *extra, const char *fmt, ...)
{
    char path[VC_ERROR_PATH_MAX], msg[VC_ERROR_MESSAGE_MAX];
    cur_path(w, path, sizeof path, extra);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    add_problem(l, code, path, msg);
}

static void env_problem(struct walk *w, const struct jl_env *env)
{
    add_problem(&w->ctxp, env->code, env->path, env->message);
}

static int strict(const struct walk *w, const struct jl_ctx *c)
{
    return c->untp && !(w->flags & VC_VOCAB_ALLOW_VOCAB);
}

static int eph_full(struct walk *w)
{
    if (w->eph.bytes <= MAX_EPHEMERAL_BYTES)
        return 0;
    if (!w->too_deep) {
        w->too_deep = 1;
        problem(w, &w->ctxp, VC_ERR_LIMIT, NULL,
                "the document needs more than %u bytes of processed contexts (too many embedded or scoped "
                "contexts); the rest of it is not checked",
                MAX_EPHEMERAL_BYTES);
    }
    return 1;
}

/* The processed form of a document's own @context value (from the empty context). */
static const struct jl_ctx *top_context(struct walk *w, const json_t *value, const char *path)
{
    struct vcache *vc = w->vc;
    uint64_t h = jhash(value);
    _Atomic(struct centry *) *bucket = &vc->buckets[h % CACHE_BUCKETS];
    for (struct centry *e = atomic_load_explicit(bucket, memory_order_acquire); e; e = e->next)
        if (e->hash == h && json_equal(e->copy, (json_t *)value))
            return e->ctx;
    if (eph_full(w))
        return NULL;
    struct jl_env env = {0};
    env.data = w->data;
    env.arena = &w->eph;
    env.max_bytes = MAX_EPHEMERAL_BYTES;
    size_t before = w->eph.bytes;
    const struct jl_ctx *r = jl_process(&env, vc->empty, value, 0, 1, path);
    if (!r) {
        env_problem(w, &env);
        return NULL;
    }
    if (w->eph.bytes - before > MAX_ENTRY_BYTES)
        return r; /* too big to keep */
    pthread_mutex_lock(&vc->mu);
    struct centry *e;
    for (e = atomic_load_explicit(bucket, memory_order_relaxed); e; e = e->next)
        if (e->hash == h && json_equal(e->copy, (json_t *)value))
            break;
    if (e) {
        r = e->ctx;
    } else if (vc->nentries < VC_VOCAB_MAX_CACHED && vc->arena.bytes < VC_VOCAB_MAX_CACHE_BYTES) {
        json_t *copy = json_deep_copy(value);
        e = copy ? calloc(1, sizeof *e) : NULL;
        struct jl_env senv = {0};
        senv.data = w->data;
        senv.arena = &vc->arena;
        senv.shared = 1;
        senv.stable = 1;
        const struct jl_ctx *s = e ? jl_process(&senv, vc->empty, copy, 0, 1, path) : NULL;
        if (s) {
            e->hash = h;
            e->copy = copy;
            e->ctx = s;
            e->next = atomic_load_explicit(bucket, memory_order_relaxed);
            atomic_store_explicit(bucket, e, memory_order_release);
            vc->nentries++;
            r = s;
        } else {
            free(e);
            json_decref(copy);
        }
    }
    pthread_mutex_unlock(&vc->mu);
    return r;
}

static const struct jl_ctx *memo_find(const struct jl_ctx *c, const json_t *local, unsigned flags)
{
    for (struct jl_memo *m = atomic_load_explicit(&((struct jl_ctx *)c)->memo, memory_order_acquire); m; m = m->next)
        if (m->local == local && m->flags == flags)
            return m->result;
    return NULL;
}

static void memo_add(struct vc_arena *a, const struct jl_ctx *c, const json_t *local, unsigned flags,
                     const struct jl_ctx *result)
{
    struct jl_memo *m = vc_arena_alloc(a, sizeof *m);
    if (!m)
        return;
    struct jl_ctx *mc = (struct jl_ctx *)c;
    m->local = local;
    m->flags = flags;
    m->result = result;
    m->next = atomic_load_explicit(&mc->memo, memory_order_relaxed);
    atomic_store_explicit(&mc->memo, m, memory_order_release);
}

/*
 * active + a scoped or embedded local context. stable: local outlives the check.
 * path: where to report a failure (relative extra on the current position).
 */
static const struct jl_ctx *derive(struct walk *w, const struct jl_ctx *active, const json_t *local, int stable,
                                   int override_protected, int propagate, const char *extra, const char *scope)
{
    unsigned flags = (unsigned)override_protected | (unsigned)propagate << 1;
    int memo_here = !active->shared || stable; /* a shared context only memoises stable locals */
    if (memo_here) {
        const struct jl_ctx *m = memo_find(active, local, flags);
        if (m)
            return m;
    }
    if (eph_full(w))
        return NULL;
    char path[VC_ERROR_PATH_MAX];
    cur_path(w, path, sizeof path, extra);
    struct jl_env env = {0};
    env.data = w->data;
    env.arena = &w->eph;
    env.max_bytes = MAX_EPHEMERAL_BYTES;
    env.stable = stable;
    env.scope = scope;
    env.fixed_path = scope ? path : NULL;
    const struct jl_ctx *r = jl_process(&env, active, local, override_protected, propagate, path);
    if (!r) {
        env_problem(w, &env);
        return NULL;
    }
    if (!active->shared) {
        memo_add(&w->eph, active, local, flags, r);
        return r;
    }
    if (!stable)
        return r;
    struct vcache *vc = w->vc;
    pthread_mutex_lock(&vc->mu);
    const struct jl_ctx *m = memo_find(active, local, flags);
    if (m) {
        r = m;
    } else if (vc->nderived < VC_VOCAB_MAX_DERIVED && vc->arena.bytes < VC_VOCAB_MAX_CACHE_BYTES) {
        struct jl_env senv = {0};
        senv.data = w->data;
        senv.arena = &vc->arena;
        senv.shared = 1;
        senv.stable = 1;
        senv.scope = scope;
        senv.fixed_path = scope ? path : NULL;
        const struct jl_ctx *s = jl_process(&senv, active, local, override_protected, propagate, path);
        if (s) {
            memo_add(&vc->arena, active, local, flags, s);
            vc->nderived++;
            r = s;
        }
    }
    pthread_mutex_unlock(&vc->mu);
    return r;
}

/* ------------------------------------------------------------ terms */

enum kclass {
    K_KEYWORD,       /* a keyword or an alias of one */
    K_TERM,          /* a defined term */
    K_COMPACT,       /* a compact IRI on a defined prefix */
    K_IRI,           /* an absolute IRI or a blank node identifier (the last "defined" class) */
    K_VOCAB_TERM,    /* a term (or compact IRI prefix) whose IRI came from @vocab */
    K_VOCAB,         /* no definition: mapped by @vocab */
    K_NULL,          /* mapped to null */
    K_UNDEF_PREFIX,  /* a compact IRI whose prefix is not defined */
    K_UNDEF,         /* no definition and no @vocab */
    K_KEYWORD_LIKE   /* "@word" that is not a keyword */
};

/* Schemes whose IRIs are taken as absolute in keys and types without a prefix definition. */
static int known_scheme(const char *s, size_t n)
{
    return (n == 4 && memcmp(s, "http", 4) == 0) || (n == 5 && memcmp(s, "https", 5) == 0) ||
           (n == 3 && memcmp(s, "urn", 3) == 0) || (n == 3 && memcmp(s, "did", 3) == 0);
}

/* A member of an object with its key's length and hash, computed once for all the
 * contexts the key is looked up in. */
struct kinfo {
    const char *k;
    const json_t *v;
    uint32_t len, hash;
};

static enum kclass classify_h(const struct jl_ctx *c, const char *key, size_t n, uint32_t h,
                              const struct jl_term **def, int *kw)
{
    *def = NULL;
    *kw = JL_NOT_KW;
    if (key[0] == '@') {
        enum jl_kw k = jl_keyword(key);
        if (k) {
            *kw = (int)k;
            return K_KEYWORD;
        }
        if (jl_keyword_like(key))
            return K_KEYWORD_LIKE;
    }
    const struct jl_term *t = jl_lookup_h(c, key, n, h);
    if (t) {
        *def = t;
        if (!t->iri)
            return K_NULL;
        if (t->kw) {
            *kw = t->kw;
            return K_KEYWORD;
        }
        return t->via_vocab ? K_VOCAB_TERM : K_TERM;
    }
    const char *colon = n > 1 ? memchr(key + 1, ':', n - 1) : NULL;
    if (colon) {
        size_t plen = (size_t)(colon - key);
        if ((plen == 1 && key[0] == '_') || (colon[1] == '/' && colon[2] == '/'))
            return K_IRI;
        const struct jl_term *p = jl_lookup_h(c, key, plen, jl_hash(key, plen));
        if (p && p->iri && p->prefix)
            return p->via_vocab ? K_VOCAB_TERM : K_COMPACT;
        if (known_scheme(key, plen) && colon[1])
            return K_IRI;
        return K_UNDEF_PREFIX;
    }
    return c->vocab ? K_VOCAB : K_UNDEF;
}

static enum kclass classify(const struct jl_ctx *c, const char *key, const struct jl_term **def, int *kw)
{
    size_t n = strlen(key);
    return classify_h(c, key, n, jl_hash(key, n), def, kw);
}

static enum kclass classify_k(const struct jl_ctx *c, const struct kinfo *ki, const struct jl_term **def, int *kw)
{
    return classify_h(c, ki->k, ki->len, ki->hash, def, kw);
}

#define KINFO_STACK 32

/* The members of obj into buf (cap entries) or, when more, a new array (*heap). */
static struct kinfo *gather(const json_t *obj, struct kinfo *buf, size_t cap, struct kinfo **heap, size_t *n)
{
    size_t size = json_object_size(obj);
    struct kinfo *ki = buf;
    *heap = NULL;
    if (size > cap) {
        ki = *heap = malloc(size * sizeof *ki);
        if (!ki) {
            *n = 0;
            return buf;
        }
    }
    size_t i = 0;
    for (void *it = json_object_iter((json_t *)obj); it && i < size; it = json_object_iter_next((json_t *)obj, it)) {
        const char *k = json_object_iter_key(it);
        size_t len = json_object_iter_key_len(it);
        ki[i].k = k;
        ki[i].v = json_object_iter_value(it);
        ki[i].len = (uint32_t)len;
        ki[i].hash = jl_hash(k, len);
        i++;
    }
    *n = i;
    return ki;
}

/* The keyword a member's key is or aliases in c (JL_NOT_KW when none): what steps 7
 * and 11 need, without classifying the key further. */
static enum jl_kw keyword_of(const struct jl_ctx *c, const struct kinfo *ki)
{
    if (ki->k[0] == '@')
        return jl_keyword(ki->k);
    if (c->alias_overflow) {
        const struct jl_term *t = jl_lookup_h(c, ki->k, ki->len, ki->hash);
        return t && t->iri ? (enum jl_kw)t->kw : JL_NOT_KW;
    }
    for (unsigned i = 0; i < c->naliases; i++)
        if (c->aliases[i].len == ki->len && c->aliases[i].key[0] == ki->k[0] &&
            memcmp(c->aliases[i].key, ki->k, ki->len) == 0)
            return (enum jl_kw)c->aliases[i].kw;
    return JL_NOT_KW;
}

/* Whether some term of c aliases the keyword kw (so keys must be looked at for it). */
static int has_alias(const struct jl_ctx *c, enum jl_kw kw)
{
    if (c->alias_overflow)
        return 1;
    for (unsigned i = 0; i < c->naliases; i++)
        if (c->aliases[i].kw == kw)
            return 1;
    return 0;
}

/* Whether a member of the node expands to @value in c (a value object). */
static int is_value_object(const struct jl_ctx *c, const struct kinfo *ki, size_t n)
{
    int aliased = has_alias(c, JL_VALUE);
    for (size_t i = 0; i < n; i++)
        if ((ki[i].k[0] == '@' || aliased) && keyword_of(c, &ki[i]) == JL_VALUE)
            return 1;
    return 0;
}

static int is_context_key(const struct kinfo *ki)
{
    return ki->len == 8 && memcmp(ki->k, "@context", 8) == 0;
}

/* Report an undefined property or type (what says which: "property" or "type"). 1 when reported. */
static int judge(struct walk *w, enum kclass k, int is_strict, const char *word, const char *what,
                 const char *extra)
{
    switch (k) {
    case K_UNDEF:
        problem(w, &w->termp, VC_ERR_VOCAB_TERM, extra,
                "%s \"%.60s\" is not defined by the @context (no term definition and no @vocab), so JSON-LD "
                "processors drop it; use a term the credential's contexts define",
                what, word);
        return 1;
    case K_NULL:
        problem(w, &w->termp, VC_ERR_VOCAB_TERM, extra,
                "%s \"%.60s\" is mapped to null by the @context, so JSON-LD processors drop it", what, word);
        return 1;
    case K_UNDEF_PREFIX: {
        const char *c = strchr(word + 1, ':');
        int plen = c ? (int)(c - word) : 0;
        problem(w, &w->termp, VC_ERR_VOCAB_TERM, extra,
                "%s \"%.60s\" uses the prefix \"%.*s\", which the @context does not define as a prefix", what, word,
                plen > 40 ? 40 : plen, word);
        return 1;
    }
    case K_KEYWORD_LIKE:
        problem(w, &w->termp, VC_ERR_VOCAB_TERM, extra,
                "%s \"%.60s\" has the form of a JSON-LD keyword but is not one, so JSON-LD processors ignore it",
                what, word);
        return 1;
    case K_VOCAB:
    case K_VOCAB_TERM:
        if (!is_strict)
            return 0;
        problem(w, &w->termp, VC_ERR_VOCAB_TERM, extra,
                "%s \"%.60s\" is defined only through @vocab, which UNTP credentials may not rely on: use a term "
                "a UNTP or W3C context defines",
                what, word);
        return 1;
    default:
        return 0;
    }
}

static void check_type_value(struct walk *w, const struct jl_ctx *tsctx, const char *s)
{
    const struct jl_term *def;
    int kw;
    enum kclass k = classify(tsctx, s, &def, &kw);
    judge(w, k, strict(w, tsctx), s, "type", NULL);
}

/* The values of a key expanding to @type (current position: the key). */
static void check_types(struct walk *w, const struct jl_ctx *tsctx, const json_t *v)
{
    if (json_is_string(v)) {
        check_type_value(w, tsctx, json_string_value(v));
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (!json_is_string(x))
                continue;
            push_idx(w, i);
            check_type_value(w, tsctx, json_string_value(x));
            pop(w);
        }
    }
}

/* Inline @vocab locations of a local context value (relative pointers from it). */
struct vocab_spots {
    char path[MAX_VOCAB_SPOTS][VC_ERROR_PATH_MAX];
    size_t n;
};

static void scan_vocab(const json_t *local, char *path, size_t cap, struct vocab_spots *out, int depth)
{
    if (depth > 8)
        return;
    size_t len = strlen(path);
    if (json_is_array(local)) {
        size_t i;
        json_t *x;
        json_array_foreach(local, i, x)
        {
            vc_path_append_index(path, cap, i);
            scan_vocab(x, path, cap, out, depth + 1);
            path[len] = '\0';
        }
        return;
    }
    if (!json_is_object(local))
        return;
    json_t *v = json_object_get(local, "@vocab");
    if (v && !json_is_null(v) && out->n < MAX_VOCAB_SPOTS) {
        snprintf(out->path[out->n++], VC_ERROR_PATH_MAX, "%s/@vocab", path);
    }
    const char *k;
    json_t *d;
    json_object_foreach((json_t *)local, k, d)
    {
        json_t *sc = json_is_object(d) ? json_object_get(d, "@context") : NULL;
        if (!sc || k[0] == '@')
            continue;
        vc_path_append(path, cap, k);
        vc_path_append(path, cap, "@context");
        scan_vocab(sc, path, cap, out, depth + 1);
        path[len] = '\0';
    }
}

/* A node's embedded @context (current position: the node). */
static const struct jl_ctx *embedded(struct walk *w, const struct jl_ctx *ctx, const json_t *local)
{
    const struct jl_ctx *r;
    if (ctx->nterms == 0 && !ctx->vocab && !ctx->previous) {
        /* processing from an empty context: exactly a document's own @context, cacheable */
        char path[VC_ERROR_PATH_MAX];
        cur_path(w, path, sizeof path, "/@context");
        r = top_context(w, local, path);
    } else {
        r = derive(w, ctx, local, 0, 0, 1, "/@context", NULL);
    }
    if (r && strict(w, r) && !json_is_string(local)) {
        struct vocab_spots spots;
        spots.n = 0;
        char rel[VC_ERROR_PATH_MAX] = "/@context";
        scan_vocab(local, rel, sizeof rel, &spots, 0);
        for (size_t i = 0; i < spots.n; i++)
            problem(w, &w->ctxp, VC_ERR_VOCAB_VOCAB, spots.path[i],
                    "@vocab is not allowed in the contexts of a UNTP credential: every term must be defined "
                    "explicitly (define the terms, or use an extension context)");
    }
    return r;
}

static void walk_value(struct walk *w, const struct jl_ctx *ctx, const struct jl_term *pdef, const json_t *v,
                       int from_map);
static void walk_keys(struct walk *w, const struct jl_ctx *ctx, const struct jl_ctx *tsctx, const struct kinfo *ki,
                      size_t n, const struct jl_term *pdef, int is_value);

/* A string value of a property typed @vocab: it is expanded like a type (a term,
 * a compact or absolute IRI, or through @vocab); otherwise JSON-LD turns it into a
 * relative IRI reference. UNTP's code lists (units, countries) rely on the @vocab
 * of their scoped contexts, so values defined through @vocab count in every mode. */
static void check_vocab_value(struct walk *w, const struct jl_ctx *vctx, const char *s)
{
    const struct jl_term *def;
    int kw;
    enum kclass k = classify(vctx, s, &def, &kw);
    if (k == K_UNDEF || k == K_NULL || k == K_KEYWORD_LIKE)
        judge(w, k, 0, s, "value", NULL);
}

static void check_vocab_values(struct walk *w, const struct jl_ctx *ctx, const struct jl_term *def, const json_t *v)
{
    /* JSON-LD 5.1.2 step 4: a scalar is expanded in the property-scoped context (no revert) */
    const struct jl_ctx *vctx = ctx;
    if (def->has_ctx && !(vctx = derive(w, ctx, def->ctx, def->ctx_stable, 1, 1, NULL, def->name)))
        return;
    if (json_is_string(v)) {
        check_vocab_value(w, vctx, json_string_value(v));
        return;
    }
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x))
            continue;
        push_idx(w, i);
        check_vocab_value(w, vctx, json_string_value(x));
        pop(w);
    }
}

/* The value of a property with definition def (NULL for IRIs); current position: the key. */
static void walk_property(struct walk *w, const struct jl_ctx *ctx, const struct jl_term *def, const json_t *v)
{
    if (!def) {
        walk_value(w, ctx, NULL, v, 0);
        return;
    }
    if (def->is_json)
        return; /* a JSON literal: no terms inside */
    if (def->is_vocab && (json_is_string(v) || json_is_array(v)))
        check_vocab_values(w, ctx, def, v);
    if (!def->container || !json_is_object(v)) {
        walk_value(w, ctx, def, v, 0);
        return;
    }
    if (def->container & JL_C_LANGUAGE)
        return; /* a language map: keys are language tags */
    if (def->container & (JL_C_INDEX | JL_C_ID | JL_C_TYPE)) {
        const struct jl_ctx *base = ctx;
        if ((def->container & (JL_C_ID | JL_C_TYPE)) && ctx->previous)
            base = ctx->previous;
        const char *k;
        json_t *item;
        json_object_foreach((json_t *)v, k, item)
        {
            push_key(w, k);
            const struct jl_ctx *mctx = base;
            if ((def->container & JL_C_TYPE) && strcmp(k, "@none") != 0) {
                check_type_value(w, base, k);
                const struct jl_term *t = jl_lookup(base, k);
                if (t && t->has_ctx)
                    mctx = derive(w, base, t->ctx, t->ctx_stable, 0, 0, NULL, t->name);
            }
            if (mctx)
                walk_value(w, mctx, def, item, 1);
            pop(w);
        }
        return;
    }
    walk_value(w, ctx, def, v, 0);
}

static void walk_node(struct walk *w, const struct jl_ctx *ctx, const struct jl_term *pdef, const json_t *obj,
                      int from_map)
{
    struct kinfo buf[KINFO_STACK], *heap;
    size_t n;
    const struct kinfo *ki = gather(obj, buf, KINFO_STACK, &heap, &n);
    int kw;
    /* JSON-LD 5.1.2 step 7: a type-scoped context does not reach nested nodes */
    if (ctx->previous && !from_map) {
        int keep = is_value_object(ctx, ki, n) || (n == 1 && keyword_of(ctx, &ki[0]) == JL_ID);
        if (!keep)
            ctx = ctx->previous;
    }
    /* step 8: the property-scoped context */
    if (pdef && pdef->has_ctx && !(ctx = derive(w, ctx, pdef->ctx, pdef->ctx_stable, 1, 1, NULL, pdef->name)))
        goto out;
    /* step 9: an embedded context */
    const json_t *emb = NULL;
    for (size_t i = 0; i < n; i++)
        if (is_context_key(&ki[i]))
            emb = ki[i].v;
    if (emb && !(ctx = embedded(w, ctx, emb))) {
        if (obj == w->root)
            w->ctx_failed = 1;
        goto out;
    }
    /* steps 10-11: type-scoped contexts, in lexicographic order of key then value */
    const struct jl_ctx *tsctx = ctx;
    const char *tkeys[4];
    size_t ntk = 0;
    int is_value = 0;
    for (size_t i = 0; i < n; i++) {
        kw = (int)keyword_of(tsctx, &ki[i]);
        if (!kw)
            continue;
        if (kw == JL_VALUE)
            is_value = 1;
        if (kw == JL_TYPE && ntk < 4) {
            size_t j = ntk++;
            while (j > 0 && strcmp(tkeys[j - 1], ki[i].k) > 0) {
                tkeys[j] = tkeys[j - 1];
                j--;
            }
            tkeys[j] = ki[i].k;
        }
    }
    for (size_t t = 0; t < ntk && !is_value; t++) {
        json_t *tv = json_object_get(obj, tkeys[t]);
        const char *vals[MAX_TYPES_SORTED];
        size_t nv = 0;
        size_t nt = json_is_array(tv) ? json_array_size(tv) : 1;
        for (size_t i = 0; i < nt && nv < MAX_TYPES_SORTED; i++) {
            const char *s = json_string_value(json_is_array(tv) ? json_array_get(tv, i) : tv);
            if (!s)
                continue;
            size_t j = nv++;
            while (j > 0 && strcmp(vals[j - 1], s) > 0) {
                vals[j] = vals[j - 1];
                j--;
            }
            vals[j] = s;
        }
        for (size_t i = 0; i < nv; i++) {
            const struct jl_term *td = jl_lookup(tsctx, vals[i]);
            if (td && td->has_ctx && !(ctx = derive(w, ctx, td->ctx, td->ctx_stable, 0, 0, NULL, td->name)))
                goto out;
        }
    }
    if (ctx != tsctx)
        is_value = is_value_object(ctx, ki, n);
    walk_keys(w, ctx, tsctx, ki, n, pdef, is_value);
out:
    free(heap);
}

/* A @nest object: its members count as the node's own. */
static void walk_nested(struct walk *w, const struct jl_ctx *ctx, const struct jl_ctx *tsctx, const json_t *obj,
                        const struct jl_term *pdef)
{
    struct kinfo buf[KINFO_STACK], *heap;
    size_t n;
    const struct kinfo *ki = gather(obj, buf, KINFO_STACK, &heap, &n);
    walk_keys(w, ctx, tsctx, ki, n, pdef, 0);
    free(heap);
}

/* The members of a node (or of a @nest object inside it). */
static void walk_keys(struct walk *w, const struct jl_ctx *ctx, const struct jl_ctx *tsctx, const struct kinfo *ki,
                      size_t n, const struct jl_term *pdef, int is_value)
{
    int is_strict = strict(w, ctx);
    for (size_t i = 0; i < n; i++) {
        if (is_context_key(&ki[i]))
            continue;
        const char *k = ki[i].k;
        const json_t *v = ki[i].v;
        const struct jl_term *def;
        int kw;
        enum kclass c = classify_k(ctx, &ki[i], &def, &kw);
        push_key(w, k);
        if (c == K_KEYWORD) {
            switch ((enum jl_kw)kw) {
            case JL_TYPE:
                check_types(w, tsctx, v);
                break;
            case JL_LIST:
            case JL_SET:
                walk_value(w, ctx, pdef, v, 0);
                break;
            case JL_GRAPH:
            case JL_INCLUDED:
                walk_value(w, ctx, NULL, v, 0);
                break;
            case JL_REVERSE:
                if (json_is_object(v)) {
                    const char *rk;
                    json_t *rv;
                    json_object_foreach((json_t *)v, rk, rv)
                    {
                        const struct jl_term *rd;
                        int rkw;
                        push_key(w, rk);
                        enum kclass rc = classify(ctx, rk, &rd, &rkw);
                        if (rc == K_KEYWORD)
                            problem(w, &w->termp, VC_ERR_VOCAB_TERM, NULL,
                                    "a @reverse map cannot contain the keyword \"%.40s\"", rk);
                        else if (!judge(w, rc, is_strict, rk, "property", NULL))
                            walk_property(w, ctx, rd, rv);
                        pop(w);
                    }
                }
                break;
            case JL_NEST: {
                size_t nn = json_is_array(v) ? json_array_size(v) : 1;
                for (size_t j = 0; j < nn; j++) {
                    const json_t *nv = json_is_array(v) ? json_array_get(v, j) : v;
                    if (json_is_array(v))
                        push_idx(w, j);
                    if (json_is_object(nv))
                        walk_nested(w, ctx, tsctx, nv, pdef);
                    else
                        problem(w, &w->termp, VC_ERR_VOCAB_TERM, NULL, "a @nest value must be an object");
                    if (json_is_array(v))
                        pop(w);
                }
                break;
            }
            case JL_ID: case JL_VALUE: case JL_LANGUAGE: case JL_DIRECTION: case JL_INDEX: case JL_CONTEXT:
                break;
            default:
                problem(w, &w->termp, VC_ERR_VOCAB_TERM, NULL,
                        "the keyword %s cannot be used as a property of a node or value", jl_keyword(k) ? k : "alias");
                break;
            }
        } else if (is_value) {
            problem(w, &w->termp, VC_ERR_VOCAB_TERM, NULL,
                    "\"%.60s\" is not allowed in a value object (only @value, @type, @language, @direction and "
                    "@index are)",
                    k);
        } else if (c <= K_IRI) {
            walk_property(w, ctx, def, v); /* defined */
        } else {
            int reported = judge(w, c, is_strict, k, "property", NULL);
            /* an undefined key is dropped by JSON-LD with all it holds: nothing below it counts */
            if (!reported || c == K_VOCAB || c == K_VOCAB_TERM)
                walk_property(w, ctx, def, v);
        }
        pop(w);
    }
}

static void walk_value(struct walk *w, const struct jl_ctx *ctx, const struct jl_term *pdef, const json_t *v,
                       int from_map)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (!json_is_array(x) && !json_is_object(x))
                continue;
            push_idx(w, i);
            walk_value(w, ctx, pdef, x, from_map);
            pop(w);
        }
    } else if (json_is_object(v)) {
        if (w->depth >= sizeof w->st / sizeof w->st[0] - 2) {
            if (!w->too_deep) {
                w->too_deep = 1;
                problem(w, &w->ctxp, VC_ERR_JSON_DEPTH, NULL, "the document is nested too deeply to be checked");
            }
            return;
        }
        walk_node(w, ctx, pdef, v, from_map);
    }
}

/* ------------------------------------------------------------ reporting */

static void emit(vc_report *rep, const char *check, const struct plist *l)
{
    if (!rep)
        return;
    if (l->total == 0) {
        vc_report_pass(rep, check);
        return;
    }
    for (size_t i = 0; i < l->n; i++)
        vc_report_add(rep, check, VC_CHECK_FAIL, &l->items[i]);
    if (l->total > l->n && l->n > 0) {
        vc_error e = l->items[0];
        snprintf(e.message, sizeof e.message, "%zu more failures of this check are not listed", l->total - l->n);
        e.path[0] = '\0';
        vc_report_add(rep, check, VC_CHECK_FAIL, &e);
    }
}

vc_status vc_vocab_check_json(vc_data *data, const json_t *doc, unsigned flags, vc_report *rep, vc_error *err)
{
    if (!data || !json_is_object(doc))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vocab_check: a registry and a JSON object are needed");
    if (flags & ~VC_VOCAB_ALLOW_VOCAB)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vocab_check: unknown flags 0x%x",
                       flags & ~VC_VOCAB_ALLOW_VOCAB);
    struct walk *w = calloc(1, sizeof *w);
    struct vcache *vc = cache_of(data);
    if (!w || !vc) {
        free(w);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    w->vc = vc;
    w->data = data;
    w->flags = flags;
    w->root = doc;

    if (!json_object_get(doc, "@context")) {
        add_problem(&w->ctxp, VC_ERR_VOCAB_CONTEXT, "/@context",
                    "@context is missing: without contexts no term of the document is defined");
        w->ctx_failed = 1;
    } else {
        walk_node(w, vc->empty, NULL, doc, 0);
    }

    emit(rep, VC_VOCAB_CHECK_CONTEXT, &w->ctxp);
    if (w->ctx_failed)
        vc_report_skip(rep, VC_VOCAB_CHECK_TERMS, "the document's @context could not be processed");
    else
        emit(rep, VC_VOCAB_CHECK_TERMS, &w->termp);

    vc_status st = VC_OK;
    const struct plist *first = w->ctxp.total ? &w->ctxp : w->termp.total ? &w->termp : NULL;
    if (first && first->n) {
        st = first->items[0].code;
        vc_error_copy(err, &first->items[0]);
    } else if (first) {
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory while reporting");
    } else {
        vc_error_clear(err);
    }
    free(w->ctxp.items);
    free(w->termp.items);
    vc_arena_free(&w->eph);
    free(w);
    return st;
}

vc_status vc_vocab_check(vc_data *data, const char *json, size_t len, unsigned flags, vc_report **report,
                         vc_error *err)
{
    if (report)
        *report = NULL;
    if (!data || !json)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vocab_check: NULL argument");
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
        st = vc_vocab_check_json(data, doc, flags, rep, err);
        json_decref(doc);
    }
    if (report)
        *report = rep;
    else
        vc_report_free(rep);
    return st;
}
