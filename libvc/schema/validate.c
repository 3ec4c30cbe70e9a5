/*
 * validate.c - evaluation of a compiled schema against a jansson value.
 *
 * Per-call state only (ectx): the error list, the instance path, the dynamic
 * scope, annotation bit sets for unevaluatedItems/Properties and a PCRE2 match
 * block. The compiled schema is only read.
 *
 * Two modes: "report" builds an error per failed assertion (instance JSON
 * pointer + keyword + schema location), "quiet" only answers valid / not valid
 * and stops at the first failure. anyOf / oneOf / not / if / contains and
 * propertyNames evaluate their subschemas quietly; when an anyOf or oneOf
 * fails in report mode its alternatives are evaluated again in report mode and
 * only the closest one's errors are kept.
 *
 * Annotations: a node that has unevaluatedItems/Properties collects, in a bit
 * set over its instance's members (iteration order) or items, what its own
 * keywords and in-place subschemas evaluated. In-place subschemas write into
 * their caller's set, except the alternatives of anyOf / oneOf and the "if" of a
 * conditional, which get their own and are merged only when they pass; "not"
 * keeps none. A failing node's annotations are dropped by its caller.
 */
#include <float.h>
#include <stddef.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

#define REGEX_STEP_COST 64u /* eval steps charged per pattern match */

typedef struct serr {
    char *path;
    size_t plen;
    const char *kw;
    vc_status code;
    char msg[VC_ERROR_MESSAGE_MAX];
} serr;

typedef struct ann {
    uint64_t *bits;
    size_t n;
    uint64_t small[4];
} ann;

typedef struct ectx {
    const vc_schema *s;
    int report;
    serr *errs;
    size_t nerr, dropped;
    size_t ntok; /* instance path: tokens, turned into a JSON pointer only for an error */
    unsigned depth;
    uint64_t steps;
    pcre2_match_data *md;
    vc_status fatal;
    char fatal_msg[VC_ERROR_MESSAGE_MAX];
    char fatal_path[VC_ERROR_PATH_MAX];
    size_t nscope;
    /* not zeroed: */
    char sb1[96], sb2[96], slist[160]; /* message scratch (kept off the recursion's stack frames) */
    const sres *scope[VC_SCHEMA_MAX_EVAL_DEPTH + 1];
    struct ptok {
        const char *s; /* NULL: an array index */
        size_t len;
    } toks[VC_SCHEMA_MAX_EVAL_DEPTH + 2];
} ectx;

static ectx *ectx_new(const vc_schema *s, int report)
{
    ectx *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, offsetof(ectx, sb1));
    c->s = s;
    c->report = report;
    return c;
}

/* The current instance path as a JSON pointer into buf (truncated to cap). */
static size_t build_path(const ectx *c, size_t ntok, char *buf, size_t cap)
{
    size_t k = 0;
    for (size_t t = 0; t < ntok; t++) {
        const struct ptok *p = &c->toks[t];
        char num[24];
        const char *s = p->s;
        size_t len = p->len;
        if (!s) {
            len = (size_t)snprintf(num, sizeof num, "%zu", p->len);
            s = num;
        }
        if (buf && k + 1 < cap)
            buf[k] = '/';
        k++;
        for (size_t i = 0; i < len; i++) {
            const char *esc = s[i] == '~' ? "~0" : s[i] == '/' ? "~1" : NULL;
            for (size_t e = 0; e < (esc ? 2u : 1u); e++) {
                if (buf && k + 1 < cap)
                    buf[k] = esc ? esc[e] : s[i];
                k++;
            }
        }
    }
    if (buf && cap)
        buf[k < cap ? k : cap - 1] = '\0';
    return k;
}

/* -------------------------------------------------------------- failures */

__attribute__((format(printf, 3, 4))) static void set_fatal(ectx *c, vc_status code, const char *fmt, ...)
{
    if (c->fatal)
        return;
    c->fatal = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->fatal_msg, sizeof c->fatal_msg, fmt, ap);
    va_end(ap);
    build_path(c, c->ntok, c->fatal_path, sizeof c->fatal_path);
}

static int charge(ectx *c, uint64_t n)
{
    c->steps += n;
    if (c->steps > VC_SCHEMA_MAX_EVAL_STEPS) {
        set_fatal(c, VC_ERR_LIMIT, "schema validation needs more than %u work steps (VC_SCHEMA_MAX_EVAL_STEPS)",
                  (unsigned)VC_SCHEMA_MAX_EVAL_STEPS);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ path */

/* Push a member name (kept by pointer: instance keys outlive the call) or an
 * index when reporting; returns the depth to restore. */
static size_t path_push(ectx *c, const char *tok, size_t len)
{
    size_t old = c->ntok;
    if (c->report && old < sizeof c->toks / sizeof c->toks[0])
        c->toks[c->ntok++] = (struct ptok){tok, len};
    return old;
}

static size_t path_push_index(ectx *c, size_t i)
{
    size_t old = c->ntok;
    if (c->report && old < sizeof c->toks / sizeof c->toks[0])
        c->toks[c->ntok++] = (struct ptok){NULL, i};
    return old;
}

static void path_pop(ectx *c, size_t old)
{
    c->ntok = old;
}

/* ---------------------------------------------------------------- errors */

/* A short rendering of a value for messages. */
static void render(const json_t *v, char *buf, size_t cap)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v), k = n;
        if (k > 48) {
            k = 48;
            while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
                k--;
        }
        snprintf(buf, cap, "\"%.*s%s\"", (int)k, s, k < n ? "..." : "");
        break;
    }
    case JSON_INTEGER:
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(buf, cap, "%.17g", json_real_value(v));
        break;
    case JSON_TRUE:
        snprintf(buf, cap, "true");
        break;
    case JSON_FALSE:
        snprintf(buf, cap, "false");
        break;
    case JSON_NULL:
        snprintf(buf, cap, "null");
        break;
    case JSON_OBJECT:
        snprintf(buf, cap, "an object");
        break;
    case JSON_ARRAY:
        snprintf(buf, cap, "an array");
        break;
    }
}

static const char *type_name(const json_t *x)
{
    switch (json_typeof(x)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL: {
        double d = json_real_value(x);
        return d == floor(d) ? "integer" : "number";
    }
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "value";
}

/* Record "kw: <message> (schema loc[/suffix])" at the current instance path. */
__attribute__((format(printf, 5, 6))) static void add_err(ectx *c, const char *kw, const char *loc,
                                                           const char *suffix, const char *fmt, ...)
{
    if (!c->report || c->fatal)
        return;
    if (c->nerr >= VC_SCHEMA_MAX_ERRORS) {
        c->dropped++;
        return;
    }
    if (!c->errs) {
        c->errs = malloc(VC_SCHEMA_MAX_ERRORS * sizeof *c->errs);
        if (!c->errs) {
            set_fatal(c, VC_ERR_NOMEM, "out of memory");
            return;
        }
    }
    serr *e = &c->errs[c->nerr];
    size_t need = build_path(c, c->ntok, NULL, 0) + 1;
    e->path = malloc(need);
    if (!e->path) {
        set_fatal(c, VC_ERR_NOMEM, "out of memory");
        return;
    }
    build_path(c, c->ntok, e->path, need);
    e->plen = c->ntok;
    e->kw = kw;
    e->code = VC_ERR_SCHEMA;
    char body[VC_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    snprintf(e->msg, sizeof e->msg, "%s: %.160s (schema %.80s%s%.24s)", kw, body, loc, suffix ? "/" : "",
             suffix ? suffix : "");
    c->nerr++;
}

static void truncate_errs(ectx *c, size_t mark)
{
    for (size_t i = mark; i < c->nerr; i++)
        free(c->errs[i].path);
    c->nerr = mark;
}

/* ------------------------------------------------------------ annotations */

static int ann_init(ectx *c, ann *a, const json_t *x)
{
    size_t n = json_is_object(x) ? json_object_size(x) : json_is_array(x) ? json_array_size(x) : 0;
    a->n = n;
    size_t words = (n + 63) / 64;
    if (words <= 4) {
        memset(a->small, 0, sizeof a->small);
        a->bits = a->small;
        return 1;
    }
    a->bits = calloc(words, sizeof *a->bits);
    if (!a->bits) {
        set_fatal(c, VC_ERR_NOMEM, "out of memory");
        a->bits = a->small;
        a->n = 0;
        return 0;
    }
    return 1;
}

static void ann_free(ann *a)
{
    if (a->bits && a->bits != a->small)
        free(a->bits);
    a->bits = NULL;
}

static void ann_mark(ann *a, size_t i)
{
    if (a && i < a->n)
        a->bits[i / 64] |= 1ull << (i % 64);
}

static int ann_has(const ann *a, size_t i)
{
    return a && i < a->n && (a->bits[i / 64] >> (i % 64)) & 1u;
}

static void ann_merge(ann *dst, const ann *src)
{
    if (!dst || !src || dst->n != src->n)
        return;
    for (size_t w = 0; w < (dst->n + 63) / 64; w++)
        dst->bits[w] |= src->bits[w];
}

/* ------------------------------------------------------- JSON equality */

static int num_eq(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b))
        return json_integer_value(a) == json_integer_value(b);
    long double x = json_is_integer(a) ? (long double)json_integer_value(a) : (long double)json_real_value(a);
    long double y = json_is_integer(b) ? (long double)json_integer_value(b) : (long double)json_real_value(b);
    return x == y;
}

static int jeq(ectx *c, const json_t *a, const json_t *b, unsigned depth)
{
    if (!charge(c, 1))
        return 0;
    if (depth > VC_SCHEMA_MAX_EVAL_DEPTH) {
        set_fatal(c, VC_ERR_LIMIT, "values nested deeper than %d levels", VC_SCHEMA_MAX_EVAL_DEPTH);
        return 0;
    }
    if (json_is_number(a) && json_is_number(b))
        return num_eq(a, b);
    if (json_typeof(a) != json_typeof(b))
        return 0;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_ARRAY: {
        size_t n = json_array_size(a);
        if (n != json_array_size(b))
            return 0;
        for (size_t i = 0; i < n; i++)
            if (!jeq(c, json_array_get(a, i), json_array_get(b, i), depth + 1))
                return 0;
        return 1;
    }
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b))
            return 0;
        const char *k;
        size_t kl;
        json_t *v;
        json_object_keylen_foreach((json_t *)a, k, kl, v) {
            const json_t *w = json_object_getn(b, k, kl);
            if (!w || !jeq(c, v, w, depth + 1))
                return 0;
        }
        return 1;
    }
    default:
        return 1; /* true, false, null */
    }
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* A hash consistent with jeq (1 and 1.0 hash alike, member order ignored). */
static uint64_t jhash(ectx *c, const json_t *v, unsigned depth)
{
    if (!charge(c, 1) || depth > VC_SCHEMA_MAX_EVAL_DEPTH)
        return 0;
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        return mix64((uint64_t)json_integer_value(v) ^ 0x1234);
    case JSON_REAL: {
        double d = json_real_value(v);
        if (d == floor(d) && fabs(d) < 9.0e18)
            return mix64((uint64_t)(json_int_t)d ^ 0x1234);
        if (d == 0)
            d = 0; /* -0.0 */
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return mix64(bits ^ 0x5678);
    }
    case JSON_STRING:
        return vc_schema_hash_bytes(json_string_value(v), json_string_length(v));
    case JSON_ARRAY: {
        uint64_t h = 0xa11a;
        for (size_t i = 0; i < json_array_size(v); i++)
            h = mix64(h * 31 + jhash(c, json_array_get(v, i), depth + 1));
        return h;
    }
    case JSON_OBJECT: {
        uint64_t h = 0x0b1ec7;
        const char *k;
        size_t kl;
        json_t *e;
        json_object_keylen_foreach((json_t *)v, k, kl, e) {
            h += mix64(vc_schema_hash_bytes(k, kl) ^ (jhash(c, e, depth + 1) * 0x9e3779b97f4a7c15ull));
        }
        return h;
    }
    case JSON_TRUE:
        return 0x7777;
    case JSON_FALSE:
        return 0x8888;
    case JSON_NULL:
        return 0x9999;
    }
    return 0;
}

/* --------------------------------------------------------------- numbers */

static int num_cmp(const json_t *x, const snum *b)
{
    if (json_is_integer(x) && b->is_int) {
        json_int_t a = json_integer_value(x);
        return a < b->i ? -1 : a > b->i;
    }
    long double a = json_is_integer(x) ? (long double)json_integer_value(x) : (long double)json_real_value(x);
    long double y = b->is_int ? (long double)b->i : (long double)b->d;
    return a < y ? -1 : a > y;
}

static int multiple_of(const json_t *x, const snum *m)
{
    double v = json_is_integer(x) ? (double)json_integer_value(x) : json_real_value(x);
    if (m->is_int && m->i > 0) {
        if (json_is_integer(x))
            return json_integer_value(x) % m->i == 0;
        if (v == floor(v) && fabs(v) < 9.0e18)
            return (json_int_t)v % m->i == 0;
    }
    double q = v / m->d;
    if (!isfinite(q))
        return fmod(v, m->d) == 0;
    double r = nearbyint(q);
    if (r == 0)
        return v == 0;
    return fabs(q - r) <= fabs(r) * 8 * DBL_EPSILON;
}

static void num_text(const snum *n, char *buf, size_t cap)
{
    if (n->is_int)
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, n->i);
    else
        snprintf(buf, cap, "%.17g", n->d);
}

static unsigned inst_types(const json_t *x)
{
    switch (json_typeof(x)) {
    case JSON_OBJECT:
        return ST_OBJECT;
    case JSON_ARRAY:
        return ST_ARRAY;
    case JSON_STRING:
        return ST_STRING;
    case JSON_INTEGER:
        return ST_NUMBER | ST_INTEGER;
    case JSON_REAL: {
        double d = json_real_value(x);
        return ST_NUMBER | (isfinite(d) && d == floor(d) ? ST_INTEGER : 0u);
    }
    case JSON_TRUE:
    case JSON_FALSE:
        return ST_BOOLEAN;
    case JSON_NULL:
        return ST_NULL;
    }
    return 0;
}

static void types_text(unsigned mask, char *buf, size_t cap)
{
    static const char *names[] = {"null", "boolean", "object", "array", "number", "string", "integer"};
    size_t k = 0;
    buf[0] = '\0';
    int first = 1;
    for (int i = 0; i < 7; i++) {
        if (!(mask & (1u << i)))
            continue;
        int w = snprintf(buf + k, cap - k, "%s%s", first ? "" : " or ", names[i]);
        if (w < 0 || (size_t)w >= cap - k)
            break;
        k += (size_t)w;
        first = 0;
    }
}

static size_t code_points(const char *s, size_t n)
{
    size_t cp = 0;
    for (size_t i = 0; i < n; i++)
        cp += ((unsigned char)s[i] & 0xc0) != 0x80;
    return cp;
}

/* ----------------------------------------------------------------- regex */

/* 1 match, 0 no match, -1 failure (c->fatal set). */
static int re_match(ectx *c, const sregex *re, const char *s, size_t n)
{
    if (!charge(c, REGEX_STEP_COST + n / 64))
        return -1;
    if (!c->md) {
        c->md = pcre2_match_data_create(1, NULL);
        if (!c->md) {
            set_fatal(c, VC_ERR_NOMEM, "out of memory");
            return -1;
        }
    }
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, c->md, c->s->mctx);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_JIT, c->md, c->s->mctx);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
        rc == PCRE2_ERROR_JIT_STACKLIMIT)
        set_fatal(c, VC_ERR_LIMIT, "pattern '%.60s' exceeded its match budget (VC_SCHEMA_REGEX_MATCH_LIMIT)",
                  re->source);
    else if (rc == PCRE2_ERROR_NOMEMORY)
        set_fatal(c, VC_ERR_NOMEM, "out of memory");
    else
        set_fatal(c, VC_ERR_INTERNAL, "pattern '%.60s' could not be matched (PCRE2 error %d)", re->source, rc);
    return -1;
}

/* ------------------------------------------------------------ evaluation */

static int eval(ectx *c, const snode *n, const json_t *x, ann *out, unsigned inplace);

static const snode *dyn_target(const ectx *c, const skw *kw)
{
    if (kw->u.dref.anchor < 0)
        return kw->u.dref.target;
    for (size_t i = 0; i < c->nscope; i++) {
        const sres *r = c->scope[i];
        for (size_t k = 0; k < r->ndyn; k++)
            if (r->dyn[k].anchor == kw->u.dref.anchor && r->dyn[k].compiled)
                return r->dyn[k].compiled;
    }
    return kw->u.dref.target;
}

/* A subschema applied to a member or item; kw/what name the parent keyword for
 * the message when the subschema is false. */
static int eval_child(ectx *c, const snode *sub, const json_t *v, const char *tok, size_t toklen, int is_index,
                      size_t index, const char *kw)
{
    if (sub->kind == NK_TRUE)
        return 1;
    size_t old = is_index ? path_push_index(c, index) : path_push(c, tok, toklen);
    int r;
    if (sub->kind == NK_FALSE) {
        if (is_index)
            add_err(c, kw, sub->loc, NULL, "item %zu is not allowed", index);
        else
            add_err(c, kw, sub->loc, NULL, "property '%.*s' is not allowed", (int)(toklen > 80 ? 80 : toklen), tok);
        r = 0;
    } else
        r = eval(c, sub, v, NULL, 0);
    path_pop(c, old);
    return r;
}

typedef struct score {
    int shallow;
    size_t deepest, count;
} score;

static score score_errs(const ectx *c, size_t from, size_t here)
{
    score s = {0, 0, c->nerr - from};
    for (size_t i = from; i < c->nerr; i++) {
        const serr *e = &c->errs[i];
        if (e->plen > s.deepest)
            s.deepest = e->plen;
        if (e->plen == here && e->kw &&
            (strcmp(e->kw, "type") == 0 || strcmp(e->kw, "const") == 0 || strcmp(e->kw, "enum") == 0 ||
             strcmp(e->kw, "false schema") == 0))
            s.shallow = 1;
    }
    if (s.count == 0)
        s.shallow = 1;
    return s;
}

static int better(score a, score b)
{
    if (a.shallow != b.shallow)
        return a.shallow < b.shallow;
    if (a.deepest != b.deepest)
        return a.deepest > b.deepest;
    return a.count < b.count;
}

/* anyOf / oneOf with no passing alternative, in report mode: the keyword's
 * error, then the errors of the closest alternative. */
static void report_alternatives(ectx *c, const snode *n, const skw *kw, const json_t *x, unsigned inplace)
{
    size_t head = c->nerr;
    add_err(c, kw->name, n->loc, kw->name, "value matches none of the %zu alternatives", kw->u.list.n);
    if (c->nerr == head)
        return; /* no room */
    size_t bstart = 0, bend = 0, bdropped = 0;
    long best = -1;
    score bs = {1, 0, 0};
    for (size_t i = 0; i < kw->u.list.n && !c->fatal; i++) {
        size_t mark = c->nerr, dmark = c->dropped;
        (void)eval(c, kw->u.list.v[i], x, NULL, inplace + 1);
        score s = score_errs(c, mark, c->ntok);
        if (best < 0 || better(s, bs)) {
            size_t nd = c->dropped - dmark;
            if (best >= 0) {
                /* drop the previous best: [bstart, bend) precedes [bend, nerr) */
                for (size_t k = bstart; k < bend; k++)
                    free(c->errs[k].path);
                memmove(&c->errs[bstart], &c->errs[bend], (c->nerr - bend) * sizeof *c->errs);
                c->nerr -= bend - bstart;
                c->dropped -= bdropped;
            }
            best = (long)i;
            bs = s;
            bend = c->nerr;
            bstart = bend - s.count;
            bdropped = nd;
        } else {
            truncate_errs(c, mark);
            c->dropped = dmark;
        }
    }
    if (best >= 0 && !c->fatal) {
        serr *e = &c->errs[head];
        snprintf(e->msg, sizeof e->msg,
                 "%s: value matches none of the %zu alternatives; the errors of the closest (#%ld) follow "
                 "(schema %.120s/%s)",
                 kw->name, kw->u.list.n, best, n->loc, kw->name);
    }
}

struct hashed_item {
    uint64_t h;
    size_t i;
};

static int cmp_hash(const void *a, const void *b)
{
    const struct hashed_item *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int eval_kw(ectx *c, const snode *n, const skw *kw, const json_t *x, ann *a, unsigned inplace)
{
    char *b1 = c->sb1, *b2 = c->sb2;
    switch (kw->op) {
    case OP_TYPE:
        if (!(inst_types(x) & kw->u.types)) {
            if (c->report) {
                types_text(kw->u.types, b1, sizeof c->sb1);
                add_err(c, "type", n->loc, "type", "expected %s, got %s", b1, type_name(x));
            }
            return 0;
        }
        return 1;
    case OP_CONST:
        if (!jeq(c, x, kw->u.value, 0)) {
            if (c->report) {
                render(kw->u.value, b1, sizeof c->sb1);
                render(x, b2, sizeof c->sb2);
                add_err(c, "const", n->loc, "const", "value must be %s, not %s", b1, b2);
            }
            return 0;
        }
        return 1;
    case OP_ENUM:
        for (size_t i = 0; i < kw->u.values.n && !c->fatal; i++)
            if (jeq(c, x, kw->u.values.v[i], 0))
                return 1;
        if (c->report) {
            char *list = c->slist;
            size_t k = 0;
            list[0] = '\0';
            for (size_t i = 0; i < kw->u.values.n && k < 120; i++) {
                render(kw->u.values.v[i], b1, sizeof c->sb1);
                int w = snprintf(list + k, sizeof c->slist - k, "%s%s", i ? ", " : "", b1);
                if (w < 0 || (size_t)w >= sizeof c->slist - k) {
                    k = sizeof c->slist - 1;
                    break;
                }
                k += (size_t)w;
            }
            render(x, b2, sizeof c->sb2);
            add_err(c, "enum", n->loc, "enum", "%s is not one of [%s%s]", b2, list, k >= 120 ? ", ..." : "");
        }
        return 0;
    case OP_MULTIPLE_OF:
        if (json_is_number(x) && !multiple_of(x, &kw->u.num)) {
            if (c->report) {
                num_text(&kw->u.num, b1, sizeof c->sb1);
                render(x, b2, sizeof c->sb2);
                add_err(c, "multipleOf", n->loc, "multipleOf", "%s is not a multiple of %s", b2, b1);
            }
            return 0;
        }
        return 1;
    case OP_MAXIMUM:
    case OP_EXCLUSIVE_MAXIMUM:
    case OP_MINIMUM:
    case OP_EXCLUSIVE_MINIMUM: {
        if (!json_is_number(x))
            return 1;
        int cmp = num_cmp(x, &kw->u.num);
        int ok = kw->op == OP_MAXIMUM ? cmp <= 0 : kw->op == OP_EXCLUSIVE_MAXIMUM ? cmp < 0
                 : kw->op == OP_MINIMUM ? cmp >= 0 : cmp > 0;
        if (!ok && c->report) {
            static const char *rel[] = {"at most", "less than", "at least", "greater than"};
            num_text(&kw->u.num, b1, sizeof c->sb1);
            render(x, b2, sizeof c->sb2);
            add_err(c, kw->name, n->loc, kw->name, "%s must be %s %s", b2, rel[kw->op - OP_MAXIMUM], b1);
        }
        return ok;
    }
    case OP_MAX_LENGTH:
    case OP_MIN_LENGTH: {
        if (!json_is_string(x))
            return 1;
        size_t len = json_string_length(x);
        /* code points <= bytes: the byte length often decides without counting */
        if (kw->op == OP_MAX_LENGTH && len <= kw->u.count)
            return 1;
        if (!(kw->op == OP_MIN_LENGTH && len < kw->u.count))
            len = code_points(json_string_value(x), len);
        int ok = kw->op == OP_MAX_LENGTH ? len <= kw->u.count : len >= kw->u.count;
        if (!ok && c->report)
            add_err(c, kw->name, n->loc, kw->name, "string has %zu characters, %s %llu allowed", len,
                    kw->op == OP_MAX_LENGTH ? "at most" : "at least", (unsigned long long)kw->u.count);
        return ok;
    }
    case OP_PATTERN: {
        if (!json_is_string(x))
            return 1;
        int r = re_match(c, &kw->u.re, json_string_value(x), json_string_length(x));
        if (r == 0 && c->report) {
            render(x, b2, sizeof c->sb2);
            add_err(c, "pattern", n->loc, "pattern", "%s does not match '%.60s'", b2, kw->u.re.source);
        }
        return r == 1;
    }
    case OP_FORMAT: {
        if (!json_is_string(x))
            return 1;
        size_t len = json_string_length(x);
        if (!charge(c, 1 + len / 64))
            return 0;
        if (!vc_format_check(kw->u.format, json_string_value(x), len)) {
            if (c->report) {
                render(x, b2, sizeof c->sb2);
                add_err(c, "format", n->loc, "format", "%s is not a valid %s", b2, vc_format_name(kw->u.format));
            }
            return 0;
        }
        return 1;
    }
    case OP_MAX_ITEMS:
    case OP_MIN_ITEMS: {
        if (!json_is_array(x))
            return 1;
        size_t sz = json_array_size(x);
        int ok = kw->op == OP_MAX_ITEMS ? sz <= kw->u.count : sz >= kw->u.count;
        if (!ok && c->report)
            add_err(c, kw->name, n->loc, kw->name, "array has %zu items, %s %llu allowed", sz,
                    kw->op == OP_MAX_ITEMS ? "at most" : "at least", (unsigned long long)kw->u.count);
        return ok;
    }
    case OP_MAX_PROPERTIES:
    case OP_MIN_PROPERTIES: {
        if (!json_is_object(x))
            return 1;
        size_t sz = json_object_size(x);
        int ok = kw->op == OP_MAX_PROPERTIES ? sz <= kw->u.count : sz >= kw->u.count;
        if (!ok && c->report)
            add_err(c, kw->name, n->loc, kw->name, "object has %zu properties, %s %llu allowed", sz,
                    kw->op == OP_MAX_PROPERTIES ? "at most" : "at least", (unsigned long long)kw->u.count);
        return ok;
    }
    case OP_REQUIRED: {
        if (!json_is_object(x))
            return 1;
        int ok = 1;
        for (size_t i = 0; i < kw->u.req.n; i++) {
            if (json_object_getn(x, kw->u.req.names[i], kw->u.req.lens[i]))
                continue;
            ok = 0;
            if (!c->report)
                break;
            add_err(c, "required", n->loc, "required", "missing property '%.*s'",
                    (int)(kw->u.req.lens[i] > 80 ? 80 : kw->u.req.lens[i]), kw->u.req.names[i]);
        }
        return ok;
    }
    case OP_DEPENDENT_REQUIRED: {
        if (!json_is_object(x))
            return 1;
        int ok = 1;
        for (size_t i = 0; i < kw->u.depreq.n; i++) {
            const sdepreq *d = &kw->u.depreq.v[i];
            if (!json_object_getn(x, d->name, d->len))
                continue;
            for (size_t k = 0; k < d->count; k++) {
                if (json_object_getn(x, d->required[k], d->required_len[k]))
                    continue;
                ok = 0;
                if (!c->report)
                    return 0;
                add_err(c, "dependentRequired", n->loc, "dependentRequired",
                        "property '%.*s' is required when '%.*s' is present",
                        (int)(d->required_len[k] > 60 ? 60 : d->required_len[k]), d->required[k],
                        (int)(d->len > 60 ? 60 : d->len), d->name);
            }
        }
        return ok;
    }
    case OP_REF:
        return eval(c, kw->u.schema, x, a, inplace + 1);
    case OP_DYNAMIC_REF:
        return eval(c, dyn_target(c, kw), x, a, inplace + 1);
    case OP_ALL_OF: {
        int ok = 1;
        for (size_t i = 0; i < kw->u.list.n; i++) {
            if (!eval(c, kw->u.list.v[i], x, a, inplace + 1)) {
                ok = 0;
                if (!c->report || c->fatal)
                    break;
            }
        }
        return ok;
    }
    case OP_ANY_OF: {
        int any = 0, saved = c->report;
        c->report = 0;
        for (size_t i = 0; i < kw->u.list.n; i++) {
            ann t, *ta = NULL;
            if (a && ann_init(c, &t, x))
                ta = &t;
            int r = eval(c, kw->u.list.v[i], x, ta, inplace + 1);
            if (r) {
                any = 1;
                ann_merge(a, ta);
            }
            if (ta)
                ann_free(ta);
            if (c->fatal || (r && !a))
                break;
        }
        c->report = saved;
        if (!any && c->report && !c->fatal)
            report_alternatives(c, n, kw, x, inplace);
        return any;
    }
    case OP_ONE_OF: {
        int saved = c->report;
        size_t valid = 0, first = 0, second = 0;
        ann keep, *kp = NULL;
        c->report = 0;
        for (size_t i = 0; i < kw->u.list.n; i++) {
            ann t, *ta = NULL;
            if (a && ann_init(c, &t, x))
                ta = &t;
            int r = eval(c, kw->u.list.v[i], x, ta, inplace + 1);
            if (r) {
                if (valid == 0) {
                    first = i;
                    if (ta) {
                        keep = t;
                        if (t.bits == t.small)
                            keep.bits = keep.small;
                        kp = &keep;
                        ta = NULL;
                    }
                } else if (valid == 1)
                    second = i;
                valid++;
            }
            if (ta)
                ann_free(ta);
            if (c->fatal || valid > 1)
                break;
        }
        c->report = saved;
        if (valid == 1 && kp)
            ann_merge(a, kp);
        if (kp)
            ann_free(kp);
        if (c->fatal)
            return 0;
        if (valid == 1)
            return 1;
        if (c->report) {
            if (valid == 0)
                report_alternatives(c, n, kw, x, inplace);
            else
                add_err(c, "oneOf", n->loc, "oneOf", "value matches alternatives #%zu and #%zu; exactly one must match",
                        first, second);
        }
        return 0;
    }
    case OP_NOT: {
        int saved = c->report;
        c->report = 0;
        int r = eval(c, kw->u.schema, x, NULL, inplace + 1);
        c->report = saved;
        if (c->fatal)
            return 0;
        if (r && c->report)
            add_err(c, "not", n->loc, "not", "value must not match the schema %s", kw->u.schema->loc);
        return !r;
    }
    case OP_IF: {
        int saved = c->report;
        ann t, *ta = NULL;
        if (a && ann_init(c, &t, x))
            ta = &t;
        c->report = 0;
        int r = eval(c, kw->u.cond.if_, x, ta, inplace + 1);
        c->report = saved;
        if (r)
            ann_merge(a, ta);
        if (ta)
            ann_free(ta);
        if (c->fatal)
            return 0;
        const snode *next = r ? kw->u.cond.then_ : kw->u.cond.else_;
        if (!next)
            return 1;
        if (next->kind == NK_FALSE) {
            add_err(c, r ? "then" : "else", next->loc, NULL, "value is not allowed when 'if' %s",
                    r ? "matches" : "does not match");
            return 0;
        }
        return eval(c, next, x, a, inplace + 1);
    }
    case OP_DEPENDENT_SCHEMAS: {
        if (!json_is_object(x))
            return 1;
        int ok = 1;
        for (size_t i = 0; i < kw->u.depschemas.n; i++) {
            const sdepschema *d = &kw->u.depschemas.v[i];
            if (!json_object_getn(x, d->name, d->len))
                continue;
            if (d->schema->kind == NK_FALSE) {
                add_err(c, "dependentSchemas", d->schema->loc, NULL, "property '%.*s' is not allowed here",
                        (int)(d->len > 80 ? 80 : d->len), d->name);
                ok = 0;
            } else if (!eval(c, d->schema, x, a, inplace + 1))
                ok = 0;
            if (!ok && (!c->report || c->fatal))
                break;
        }
        return ok;
    }
    case OP_PROPERTIES: {
        if (!json_is_object(x))
            return 1;
        int ok = 1;
        size_t idx = 0;
        for (void *it = json_object_iter((json_t *)x); it; it = json_object_iter_next((json_t *)x, it), idx++) {
            const char *key = json_object_iter_key(it);
            size_t klen = json_object_iter_key_len(it);
            const json_t *val = json_object_iter_value(it);
            int matched = 0;
            if (kw->u.props.table) {
                uint64_t h = vc_schema_hash_bytes(key, klen);
                size_t mask = kw->u.props.cap - 1, slot = (size_t)h & mask;
                const sprop *p = NULL;
                while (kw->u.props.table[slot].name) {
                    const sprop *q = &kw->u.props.table[slot];
                    if (q->hash == h && q->len == klen && memcmp(q->name, key, klen) == 0) {
                        p = q;
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
                if (p) {
                    matched = 1;
                    if (!eval_child(c, p->schema, val, key, klen, 0, 0, "properties"))
                        ok = 0;
                }
            }
            for (size_t i = 0; i < kw->u.props.npatterns && !c->fatal; i++) {
                int m = re_match(c, &kw->u.props.patterns[i].re, key, klen);
                if (m == 1) {
                    matched = 1;
                    if (!eval_child(c, kw->u.props.patterns[i].schema, val, key, klen, 0, 0, "patternProperties"))
                        ok = 0;
                } else if (m < 0)
                    ok = 0;
            }
            if (!matched && kw->u.props.additional) {
                matched = 1;
                if (!eval_child(c, kw->u.props.additional, val, key, klen, 0, 0, "additionalProperties"))
                    ok = 0;
            }
            if (matched)
                ann_mark(a, idx);
            if (!ok && (!c->report || c->fatal))
                break;
        }
        return ok;
    }
    case OP_PROPERTY_NAMES: {
        if (!json_is_object(x))
            return 1;
        const snode *sub = kw->u.schema;
        if (sub->kind == NK_TRUE)
            return 1;
        int ok = 1;
        const char *key;
        size_t klen;
        json_t *val;
        json_object_keylen_foreach((json_t *)x, key, klen, val) {
            (void)val;
            size_t old = path_push(c, key, klen);
            int r;
            if (sub->kind == NK_FALSE) {
                add_err(c, "propertyNames", sub->loc, NULL, "property name '%.*s' is not allowed",
                        (int)(klen > 80 ? 80 : klen), key);
                r = 0;
            } else {
                json_t *name = json_stringn_nocheck(key, klen);
                if (!name) {
                    set_fatal(c, VC_ERR_NOMEM, "out of memory");
                    r = 0;
                } else {
                    r = eval(c, sub, name, NULL, 0);
                    json_decref(name);
                }
            }
            path_pop(c, old);
            if (!r) {
                ok = 0;
                if (!c->report || c->fatal)
                    break;
            }
        }
        return ok;
    }
    case OP_ITEMS: {
        if (!json_is_array(x))
            return 1;
        size_t sz = json_array_size(x), np = kw->u.items.nprefix;
        int ok = 1;
        for (size_t i = 0; i < sz; i++) {
            const snode *sub = i < np ? kw->u.items.prefix[i] : kw->u.items.items;
            if (!sub)
                break;
            if (!eval_child(c, sub, json_array_get(x, i), NULL, 0, 1, i, i < np ? "prefixItems" : "items")) {
                ok = 0;
                if (!c->report || c->fatal)
                    break;
            }
            ann_mark(a, i);
        }
        return ok;
    }
    case OP_CONTAINS: {
        if (!json_is_array(x))
            return 1;
        size_t sz = json_array_size(x), count = 0;
        int saved = c->report;
        c->report = 0;
        for (size_t i = 0; i < sz; i++) {
            if (eval(c, kw->u.contains.schema, json_array_get(x, i), NULL, 0)) {
                count++;
                ann_mark(a, i);
                if (!a && !kw->u.contains.has_max && count >= kw->u.contains.min)
                    break;
            }
            if (c->fatal)
                break;
        }
        c->report = saved;
        if (c->fatal)
            return 0;
        if (count < kw->u.contains.min) {
            if (count == 0)
                add_err(c, "contains", n->loc, "contains", "no item matches the schema %s",
                        kw->u.contains.schema->loc);
            else
                add_err(c, "minContains", n->loc, "minContains", "%zu items match the 'contains' schema, at least %llu required",
                        count, (unsigned long long)kw->u.contains.min);
            return 0;
        }
        if (kw->u.contains.has_max && count > kw->u.contains.max) {
            add_err(c, "maxContains", n->loc, "maxContains", "%zu items match the 'contains' schema, at most %llu allowed",
                    count, (unsigned long long)kw->u.contains.max);
            return 0;
        }
        return 1;
    }
    case OP_UNIQUE_ITEMS: {
        if (!json_is_array(x))
            return 1;
        size_t sz = json_array_size(x);
        if (sz < 2)
            return 1;
        if (sz <= 16) {
            for (size_t i = 0; i < sz; i++)
                for (size_t k = i + 1; k < sz; k++)
                    if (jeq(c, json_array_get(x, i), json_array_get(x, k), 0)) {
                        add_err(c, "uniqueItems", n->loc, "uniqueItems", "items %zu and %zu are equal", i, k);
                        return 0;
                    } else if (c->fatal)
                        return 0;
            return 1;
        }
        struct hashed_item *v = malloc(sz * sizeof *v);
        if (!v) {
            set_fatal(c, VC_ERR_NOMEM, "out of memory");
            return 0;
        }
        for (size_t i = 0; i < sz; i++)
            v[i] = (struct hashed_item){jhash(c, json_array_get(x, i), 0), i};
        qsort(v, sz, sizeof *v, cmp_hash);
        int ok = 1;
        for (size_t i = 0; i < sz && ok && !c->fatal; i++)
            for (size_t k = i + 1; k < sz && v[k].h == v[i].h && !c->fatal; k++)
                if (jeq(c, json_array_get(x, v[i].i), json_array_get(x, v[k].i), 0)) {
                    size_t p = v[i].i < v[k].i ? v[i].i : v[k].i, q = v[i].i < v[k].i ? v[k].i : v[i].i;
                    add_err(c, "uniqueItems", n->loc, "uniqueItems", "items %zu and %zu are equal", p, q);
                    ok = 0;
                    break;
                }
        free(v);
        return ok && !c->fatal;
    }
    case OP_UNEVALUATED_ITEMS: {
        if (!json_is_array(x))
            return 1;
        int ok = 1;
        for (size_t i = 0; i < json_array_size(x); i++) {
            if (ann_has(a, i))
                continue;
            if (!eval_child(c, kw->u.schema, json_array_get(x, i), NULL, 0, 1, i, "unevaluatedItems")) {
                ok = 0;
                if (!c->report || c->fatal)
                    break;
            } else
                ann_mark(a, i);
        }
        return ok;
    }
    case OP_UNEVALUATED_PROPERTIES: {
        if (!json_is_object(x))
            return 1;
        int ok = 1;
        size_t idx = 0;
        for (void *it = json_object_iter((json_t *)x); it; it = json_object_iter_next((json_t *)x, it), idx++) {
            if (ann_has(a, idx))
                continue;
            const char *key = json_object_iter_key(it);
            if (!eval_child(c, kw->u.schema, json_object_iter_value(it), key, json_object_iter_key_len(it), 0, 0,
                            "unevaluatedProperties")) {
                ok = 0;
                if (!c->report || c->fatal)
                    break;
            } else
                ann_mark(a, idx);
        }
        return ok;
    }
    case OP__COUNT:
        break;
    }
    return 1;
}

static int eval(ectx *c, const snode *n, const json_t *x, ann *out, unsigned inplace)
{
    if (c->fatal)
        return 0;
    if (n->kind == NK_TRUE)
        return 1;
    if (n->kind == NK_FALSE) {
        add_err(c, "false schema", n->loc, NULL, "no value is allowed here");
        return 0;
    }
    if (!charge(c, 1))
        return 0;
    if (c->depth >= VC_SCHEMA_MAX_EVAL_DEPTH) {
        set_fatal(c, VC_ERR_LIMIT, "schema evaluation nested deeper than %d levels (VC_SCHEMA_MAX_EVAL_DEPTH) at %.120s",
                  VC_SCHEMA_MAX_EVAL_DEPTH, n->loc);
        return 0;
    }
    if (inplace > VC_SCHEMA_MAX_REF_DEPTH) {
        set_fatal(c, VC_ERR_LIMIT,
                  "more than %d nested $ref / in-place subschemas at one instance location (a reference cycle?) at "
                  "%.100s",
                  VC_SCHEMA_MAX_REF_DEPTH, n->loc);
        return 0;
    }
    c->depth++;
    int pushed = 0;
    if (c->s->has_dynamic && (c->nscope == 0 || c->scope[c->nscope - 1] != n->res)) {
        c->scope[c->nscope++] = n->res;
        pushed = 1;
    }
    ann local, *a = out;
    int have_local = 0;
    if (n->uneval) {
        have_local = ann_init(c, &local, x);
        a = have_local ? &local : NULL;
    }
    int ok = 1;
    for (size_t i = 0; i < n->nkw; i++) {
        if (!eval_kw(c, n, &n->kws[i], x, a, inplace)) {
            ok = 0;
            if (!c->report || c->fatal)
                break;
        }
    }
    if (have_local) {
        if (ok && out)
            ann_merge(out, &local);
        ann_free(&local);
    }
    if (pushed)
        c->nscope--;
    c->depth--;
    return ok && !c->fatal;
}

/* ------------------------------------------------------------------ API */

static void ectx_free(ectx *c)
{
    truncate_errs(c, 0);
    free(c->errs);
    pcre2_match_data_free(c->md);
}

int vc_schema_is_valid(const vc_schema *schema, const json_t *instance)
{
    if (!schema || !instance)
        return 0;
    ectx *c = ectx_new(schema, 0);
    if (!c)
        return 0;
    int ok = eval(c, schema->root, instance, NULL, 0) && !c->fatal;
    ectx_free(c);
    free(c);
    return ok;
}

static void prefixed(char *dst, size_t cap, const char *prefix, const char *path)
{
    snprintf(dst, cap, "%s%s", prefix ? prefix : "", path);
}

vc_status vc_schema_check(const vc_schema *schema, const json_t *instance, const char *check,
                          const char *path_prefix, vc_report *rep, vc_error *err)
{
    if (!schema || !instance)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_schema_check: NULL argument");
    if (!check)
        check = "schema";
    ectx *c = ectx_new(schema, 1);
    if (!c)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    int ok = eval(c, schema->root, instance, NULL, 0);
    vc_status st = VC_OK;
    if (ok && !c->fatal) {
        vc_report_pass(rep, check);
        vc_error_clear(err);
    } else {
        vc_error e;
        int first = 1;
        for (size_t i = 0; i < c->nerr; i++) {
            vc_error_clear(&e);
            e.code = c->errs[i].code;
            snprintf(e.message, sizeof e.message, "%s", c->errs[i].msg);
            prefixed(e.path, sizeof e.path, path_prefix, c->errs[i].path);
            if (vc_report_add(rep, check, VC_CHECK_FAIL, &e) != VC_OK)
                st = VC_ERR_NOMEM;
            if (first && !c->fatal)
                vc_error_copy(err, &e);
            first = 0;
        }
        if (c->dropped) {
            vc_error_clear(&e);
            e.code = VC_ERR_SCHEMA;
            snprintf(e.message, sizeof e.message, "%zu more problems not listed (at most %d are reported)", c->dropped,
                     VC_SCHEMA_MAX_ERRORS);
            prefixed(e.path, sizeof e.path, path_prefix, "");
            vc_report_add(rep, check, VC_CHECK_FAIL, &e);
        }
        if (c->fatal) {
            vc_error_clear(&e);
            e.code = c->fatal;
            snprintf(e.message, sizeof e.message, "%s", c->fatal_msg);
            prefixed(e.path, sizeof e.path, path_prefix, c->fatal_path);
            vc_report_add(rep, check, VC_CHECK_FAIL, &e);
            vc_error_copy(err, &e);
            st = c->fatal;
        } else if (c->nerr == 0) {
            vc_error_clear(&e);
            e.code = VC_ERR_SCHEMA;
            snprintf(e.message, sizeof e.message, "the value does not validate against the schema (schema %s)",
                     schema->root->loc ? schema->root->loc : "#");
            prefixed(e.path, sizeof e.path, path_prefix, "");
            vc_report_add(rep, check, VC_CHECK_FAIL, &e);
            vc_error_copy(err, &e);
        }
        if (st == VC_OK)
            st = VC_ERR_SCHEMA;
    }
    ectx_free(c);
    free(c);
    return st;
}

vc_status vc_schema_validate(const vc_schema *schema, const char *instance, size_t len, vc_report **report,
                             vc_error *err)
{
    if (report)
        *report = NULL;
    if (!schema || !instance)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_schema_validate: NULL argument");
    vc_report *rep = NULL;
    if (report) {
        rep = vc_report_new();
        if (!rep)
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    json_t *doc = NULL;
    vc_error perr;
    vc_status st = vc_json_parse(instance, len, &doc, &perr);
    if (st != VC_OK) {
        vc_report_add(rep, "schema", VC_CHECK_FAIL, &perr);
        vc_error_copy(err, &perr);
    } else {
        st = vc_schema_check(schema, doc, "schema", NULL, rep, err);
        json_decref(doc);
    }
    if (report)
        *report = rep;
    return st;
}
