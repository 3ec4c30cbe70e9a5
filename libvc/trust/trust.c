/*
 * trust.c - trust store and Digital Identity Anchor (DIA) chains.
 *
 * Each DIA in the pool is verified once: its signature, data model and claims do
 * not depend on the time, so the result is kept with the DIA's validity window
 * [max(validFrom, nbf), min(validUntil, exp)] and later evaluations only compare
 * the verification time with that window. A successful chain is cached per
 * issuer with the intersection of its DIAs' windows, so verifying a stream of
 * credentials from one issuer evaluates its chain once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "vc/trust.h"

#define TRUST_MAX_ROOTS 1024u
#define TRUST_PATH_MAX 2048u
#define TRUST_MAX_SERVICES 8u /* untp:dia services followed per DID document */

enum dia_state { DIA_UNCHECKED = 0, DIA_VALID, DIA_INVALID };

typedef struct dia {
    char *text;
    size_t len;
    char *source;        /* URL fetched from, or NULL when supplied */
    enum dia_state state;
    char *id, *subject, *issuer;
    int64_t lo, hi;      /* validity window (inclusive) */
    vc_error error;      /* why it is invalid */
} dia;

typedef struct anchor_cache {
    char *issuer, *anchor, *path;
    int64_t lo, hi;
    struct anchor_cache *next;
} anchor_cache;

struct vc_trust {
    pthread_mutex_t lock;
    char **roots;
    size_t nroots;
    dia *dias;
    size_t ndias, cap;
    unsigned max_depth;
    vc_trust_fetch_fn fetch;
    void *fetch_ctx;
    anchor_cache *cache;
    char **fetched;      /* service URLs already fetched */
    size_t nfetched;
};

vc_status vc_trust_new(vc_trust **out, vc_error *err)
{
    if (!out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "trust_new: NULL argument");
    vc_trust *t = calloc(1, sizeof *t);
    if (!t)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    pthread_mutex_init(&t->lock, NULL);
    t->max_depth = VC_TRUST_MAX_DEPTH;
    *out = t;
    return VC_OK;
}

static void clear_cache(vc_trust *t)
{
    for (anchor_cache *c = t->cache, *n; c; c = n) {
        n = c->next;
        free(c->issuer);
        free(c->anchor);
        free(c->path);
        free(c);
    }
    t->cache = NULL;
}

void vc_trust_free(vc_trust *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nroots; i++)
        free(t->roots[i]);
    free(t->roots);
    for (size_t i = 0; i < t->ndias; i++) {
        free(t->dias[i].text);
        free(t->dias[i].source);
        free(t->dias[i].id);
        free(t->dias[i].subject);
        free(t->dias[i].issuer);
    }
    free(t->dias);
    for (size_t i = 0; i < t->nfetched; i++)
        free(t->fetched[i]);
    free(t->fetched);
    clear_cache(t);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static int is_trusted_locked(const vc_trust *t, const char *did)
{
    for (size_t i = 0; i < t->nroots; i++)
        if (strcmp(t->roots[i], did) == 0)
            return 1;
    return 0;
}

int vc_trust_is_trusted(const vc_trust *t, const char *did)
{
    if (!t || !did)
        return 0;
    vc_trust *m = (vc_trust *)t;
    pthread_mutex_lock(&m->lock);
    int r = is_trusted_locked(t, did);
    pthread_mutex_unlock(&m->lock);
    return r;
}

vc_status vc_trust_add_did(vc_trust *t, const char *did, vc_error *err)
{
    if (!t || !did)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "trust_add_did: NULL argument");
    vc_status st = vc_did_check_syntax(did, err);
    if (st != VC_OK)
        return st;
    pthread_mutex_lock(&t->lock);
    if (is_trusted_locked(t, did)) {
        pthread_mutex_unlock(&t->lock);
        return VC_OK;
    }
    if (t->nroots == TRUST_MAX_ROOTS) {
        pthread_mutex_unlock(&t->lock);
        return vc_fail(err, VC_ERR_LIMIT, NULL, "more than %u trusted DIDs", TRUST_MAX_ROOTS);
    }
    char **n = realloc(t->roots, (t->nroots + 1) * sizeof *n);
    char *copy = vc_strdup(did);
    if (!n || !copy) {
        if (n)
            t->roots = n;
        free(copy);
        pthread_mutex_unlock(&t->lock);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    t->roots = n;
    t->roots[t->nroots++] = copy;
    clear_cache(t);
    pthread_mutex_unlock(&t->lock);
    return VC_OK;
}

vc_status vc_trust_load_file(vc_trust *t, const char *path, vc_error *err)
{
    char *text = NULL;
    size_t len = 0;
    vc_status st = vc_read_file(path, 1024 * 1024, &text, &len, err);
    if (st != VC_OK)
        return st;
    size_t line = 0;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        while (*l == ' ' || *l == '\t')
            l++;
        size_t n = strlen(l);
        while (n && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
            l[--n] = '\0';
        if (!n || l[0] == '#')
            continue;
        vc_error e;
        if ((st = vc_trust_add_did(t, l, &e)) != VC_OK) {
            vc_fail(err, st, path, "%s line %zu: %s", path, line, e.message);
            break;
        }
    }
    free(text);
    return st;
}

vc_status vc_trust_add_dia(vc_trust *t, const char *text, size_t len, vc_error *err)
{
    if (!t || !text)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "trust_add_dia: NULL argument");
    if (len > VC_MAX_INPUT_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "DIA larger than %u bytes", VC_MAX_INPUT_BYTES);
    pthread_mutex_lock(&t->lock);
    vc_status st = VC_OK;
    if (t->ndias == VC_TRUST_MAX_DIAS) {
        st = vc_fail(err, VC_ERR_LIMIT, NULL, "more than %u DIAs", VC_TRUST_MAX_DIAS);
    } else if (t->ndias == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 8;
        dia *n = realloc(t->dias, ncap * sizeof *n);
        if (!n)
            st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        else {
            t->dias = n;
            t->cap = ncap;
        }
    }
    if (st == VC_OK) {
        dia *d = &t->dias[t->ndias];
        memset(d, 0, sizeof *d);
        d->text = malloc(len + 1);
        if (!d->text)
            st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        else {
            memcpy(d->text, text, len);
            d->text[len] = '\0';
            d->len = len;
            t->ndias++;
            clear_cache(t);
        }
    }
    pthread_mutex_unlock(&t->lock);
    return st;
}

void vc_trust_set_max_depth(vc_trust *t, unsigned depth)
{
    if (t)
        t->max_depth = depth ? depth : 1;
}

void vc_trust_set_fetch(vc_trust *t, vc_trust_fetch_fn fn, void *ctx)
{
    if (!t)
        return;
    t->fetch = fn;
    t->fetch_ctx = ctx;
}

/* ------------------------------------------------------------ DIA checks */

static int type_has(const json_t *t, const char *name)
{
    if (json_is_string(t))
        return strcmp(json_string_value(t), name) == 0;
    size_t i;
    json_t *x;
    json_array_foreach(t, i, x) if (json_is_string(x) && strcmp(json_string_value(x), name) == 0) return 1;
    return 0;
}

/* The validity window of a payload: [max(validFrom, nbf), min(validUntil, exp)]. */
static void window_of(const json_t *p, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MIN;
    *hi = INT64_MAX;
    int64_t t;
    const char *vf = vc_json_str(p, "validFrom"), *vu = vc_json_str(p, "validUntil");
    if (vf && vc_datetime_parse(vf, &t, NULL) == VC_OK && t > *lo)
        *lo = t;
    if (vu && vc_datetime_parse(vu, &t, NULL) == VC_OK && t < *hi)
        *hi = t;
    json_t *nbf = json_object_get(p, "nbf"), *exp = json_object_get(p, "exp");
    if (json_is_number(nbf) && (int64_t)json_number_value(nbf) > *lo)
        *lo = (int64_t)json_number_value(nbf);
    if (json_is_number(exp) && (int64_t)json_number_value(exp) - 1 < *hi)
        *hi = (int64_t)json_number_value(exp) - 1;
}

/* True when the report's only failures are the validity-window check. */
static int only_window_failed(const vc_report *rep)
{
    int other = 0, window = 0;
    for (size_t i = 0; i < vc_report_count(rep); i++) {
        const char *name;
        vc_check_result r;
        vc_report_check(rep, i, &name, &r, NULL);
        if (r != VC_CHECK_FAIL)
            continue;
        if (strcmp(name, "validity") == 0)
            window = 1;
        else
            other = 1;
    }
    return window && !other;
}

/* Verify a pool DIA once (time-independent parts), caching the outcome. */
static void check_dia(dia *d, vc_resolver *resolver, int64_t at)
{
    if (d->state != DIA_UNCHECKED)
        return;
    vc_verifier *v = NULL;
    vc_report *rep = NULL;
    vc_error e;
    vc_error_clear(&d->error);
    if (vc_verifier_new(resolver, &v, &e) != VC_OK) {
        d->error = e;
        d->state = DIA_INVALID;
        return;
    }
    vc_verifier_set_time(v, at);
    vc_status st = vc_verify(v, d->text, d->len, &rep, &e);
    json_t *p = NULL;
    const char *cred = rep ? vc_report_credential(rep) : NULL;
    if (cred)
        p = json_loads(cred, 0, NULL);
    if (p) {
        window_of(p, &d->lo, &d->hi);
        json_t *subject = json_object_get(p, "credentialSubject");
        d->subject = vc_strdup(json_is_object(subject) ? vc_json_str(subject, "id") : NULL);
        d->id = vc_strdup(vc_json_str(p, "id"));
        d->issuer = vc_strdup(vc_report_issuer(rep));
    }
    if (st != VC_OK && p && only_window_failed(rep) && d->lo <= d->hi) {
        /* Outside its window now: check everything else at the window's start. */
        vc_report_free(rep);
        rep = NULL;
        vc_verifier_set_time(v, d->lo == INT64_MIN ? d->hi : d->lo);
        st = vc_verify(v, d->text, d->len, &rep, &e);
    }
    if (st != VC_OK) {
        d->error = e;
        d->state = DIA_INVALID;
    } else if (!p || !type_has(json_object_get(p, "type"), "DigitalIdentityAnchor")) {
        vc_fail(&d->error, VC_ERR_TRUST_DIA, "/type", "credential %.100s is not a DigitalIdentityAnchor",
                d->id ? d->id : "(no id)");
        d->state = DIA_INVALID;
    } else if (!d->subject) {
        vc_fail(&d->error, VC_ERR_TRUST_DIA, "/credentialSubject/id", "DIA %.100s names no subject id",
                d->id ? d->id : "(no id)");
        d->state = DIA_INVALID;
    } else
        d->state = DIA_VALID;
    json_decref(p);
    vc_report_free(rep);
    vc_verifier_free(v);
}

/* Fetch the DIAs advertised by did's document (service type untp:dia). */
static void fetch_services(vc_trust *t, vc_resolver *resolver, const char *did)
{
    if (!t->fetch)
        return;
    char *doc_text = NULL;
    if (vc_resolver_resolve(resolver, did, &doc_text, NULL) != VC_OK)
        return;
    json_t *doc = json_loads(doc_text, JSON_REJECT_DUPLICATES, NULL);
    vc_free(doc_text);
    json_t *services = json_object_get(doc, "service");
    size_t i, followed = 0;
    json_t *s;
    json_array_foreach(services, i, s)
    {
        if (followed == TRUST_MAX_SERVICES)
            break;
        const char *url = vc_json_str(s, "serviceEndpoint");
        if (!url || !type_has(json_object_get(s, "type"), "untp:dia"))
            continue;
        int seen = 0;
        for (size_t k = 0; k < t->nfetched; k++)
            seen |= strcmp(t->fetched[k], url) == 0;
        if (seen)
            continue;
        followed++;
        char **nf = realloc(t->fetched, (t->nfetched + 1) * sizeof *nf);
        if (!nf)
            break;
        t->fetched = nf;
        if (!(t->fetched[t->nfetched] = vc_strdup(url)))
            break;
        t->nfetched++;
        char *body = NULL;
        size_t len = 0;
        if (t->fetch(t->fetch_ctx, url, &body, &len, NULL) != VC_OK || !body) {
            free(body);
            continue;
        }
        /* vc_trust_add_dia takes the lock; we already hold it, so append inline. */
        if (t->ndias < VC_TRUST_MAX_DIAS) {
            if (t->ndias == t->cap) {
                size_t ncap = t->cap ? t->cap * 2 : 8;
                dia *n = realloc(t->dias, ncap * sizeof *n);
                if (!n) {
                    free(body);
                    break;
                }
                t->dias = n;
                t->cap = ncap;
            }
            dia *d = &t->dias[t->ndias++];
            memset(d, 0, sizeof *d);
            d->text = body;
            d->len = len;
            d->source = vc_strdup(url);
        } else
            free(body);
    }
    json_decref(doc);
}

/* ------------------------------------------------------------ chains */

typedef struct chain_result {
    char *anchor;
    char path[TRUST_PATH_MAX];
    int64_t lo, hi;
} chain_result;

static int error_rank(vc_status code)
{
    switch (code) {
    case VC_ERR_TRUST_LOOP:
    case VC_ERR_TRUST_DEPTH: return 4;
    case VC_ERR_TRUST_UNTRUSTED: return 3;
    case VC_ERR_TRUST_DIA: return 2;
    default: return 1;
    }
}

static void keep_worst(vc_error *best, const vc_error *cand)
{
    if (best->code == VC_OK || error_rank(cand->code) > error_rank(best->code))
        *best = *cand;
}

static vc_status evaluate(vc_trust *t, vc_resolver *resolver, int64_t at, const char *subject, const char **visited,
                          unsigned depth, chain_result *res, vc_error *err)
{
    if (is_trusted_locked(t, subject)) {
        res->anchor = vc_strdup(subject);
        res->lo = INT64_MIN;
        res->hi = INT64_MAX;
        snprintf(res->path, sizeof res->path, "%s (trusted)", subject);
        return res->anchor ? VC_OK : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    vc_error best;
    vc_error_clear(&best);
    int candidates = 0;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            size_t before = t->ndias;
            fetch_services(t, resolver, subject);
            if (t->ndias == before)
                break;
        }
        for (size_t i = 0; i < t->ndias; i++) {
            dia *d = &t->dias[i];
            check_dia(d, resolver, at);
            if (!d->subject || strcmp(d->subject, subject) != 0)
                continue;
            candidates++;
            vc_error e;
            const char *dia_id = d->id ? d->id : "(no id)";
            if (d->state != DIA_VALID) {
                vc_fail(&e, VC_ERR_TRUST_DIA, d->error.path, "the DIA %.100s for %.100s is invalid: %s: %.100s", dia_id,
                        subject, vc_status_name(d->error.code), d->error.message);
                keep_worst(&best, &e);
                continue;
            }
            if (at < d->lo || at > d->hi) {
                vc_fail(&e, VC_ERR_TRUST_DIA, "", "the DIA %.100s for %.100s is not valid at the verification time",
                        dia_id, subject);
                keep_worst(&best, &e);
                continue;
            }
            int loop = 0;
            for (unsigned k = 0; k <= depth; k++)
                loop |= strcmp(visited[k], d->issuer) == 0;
            if (loop) {
                vc_fail(&e, VC_ERR_TRUST_LOOP, "", "anchor loop: %.100s is anchored by %.100s, which is already in the chain",
                        subject, d->issuer);
                keep_worst(&best, &e);
                continue;
            }
            if (!is_trusted_locked(t, d->issuer) && depth + 1 >= t->max_depth) {
                vc_fail(&e, VC_ERR_TRUST_DEPTH, "", "the chain from %.100s is longer than %u DIAs", visited[0],
                        t->max_depth);
                keep_worst(&best, &e);
                continue;
            }
            visited[depth + 1] = d->issuer;
            chain_result sub;
            memset(&sub, 0, sizeof sub);
            vc_status st = evaluate(t, resolver, at, d->issuer, visited, depth + 1, &sub, &e);
            if (st == VC_OK) {
                res->anchor = sub.anchor;
                res->lo = d->lo > sub.lo ? d->lo : sub.lo;
                res->hi = d->hi < sub.hi ? d->hi : sub.hi;
                snprintf(res->path, sizeof res->path, "%.200s <- DIA %.200s by %.1500s", subject, dia_id, sub.path);
                return VC_OK;
            }
            if (st == VC_ERR_TRUST_UNANCHORED)
                vc_fail(&e, VC_ERR_TRUST_UNTRUSTED, "",
                        "the DIA %.100s for %.100s was issued by %.100s, which is neither trusted nor anchored", dia_id,
                        subject, d->issuer);
            keep_worst(&best, &e);
        }
        if (candidates)
            break; /* found DIAs in the pool: no need to fetch */
    }
    if (!candidates)
        return vc_fail(err, VC_ERR_TRUST_UNANCHORED, "", "no Digital Identity Anchor names %.200s as its subject",
                       subject);
    return vc_error_copy(err, &best);
}

vc_status vc_trust_anchor(vc_trust *t, vc_resolver *resolver, int64_t at, const char *issuer, char **anchor,
                          char **path, vc_error *err)
{
    if (anchor)
        *anchor = NULL;
    if (path)
        *path = NULL;
    if (!t || !resolver || !issuer || !anchor)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "trust_anchor: NULL argument");
    pthread_mutex_lock(&t->lock);
    for (anchor_cache *c = t->cache; c; c = c->next) {
        if (strcmp(c->issuer, issuer) == 0 && at >= c->lo && at <= c->hi) {
            *anchor = vc_strdup(c->anchor);
            if (path)
                *path = vc_strdup(c->path);
            pthread_mutex_unlock(&t->lock);
            return *anchor ? VC_OK : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        }
    }
    const char *visited[VC_TRUST_MAX_DEPTH * 4 + 2];
    if (t->max_depth > VC_TRUST_MAX_DEPTH * 4)
        t->max_depth = VC_TRUST_MAX_DEPTH * 4;
    visited[0] = issuer;
    chain_result res;
    memset(&res, 0, sizeof res);
    vc_status st = evaluate(t, resolver, at, issuer, visited, 0, &res, err);
    if (st == VC_OK) {
        anchor_cache *c = calloc(1, sizeof *c);
        if (c && (c->issuer = vc_strdup(issuer)) && (c->anchor = vc_strdup(res.anchor)) &&
            (c->path = vc_strdup(res.path))) {
            c->lo = res.lo;
            c->hi = res.hi;
            c->next = t->cache;
            t->cache = c;
        } else if (c) {
            free(c->issuer);
            free(c->anchor);
            free(c);
        }
        *anchor = res.anchor;
        if (path)
            *path = vc_strdup(res.path);
    }
    pthread_mutex_unlock(&t->lock);
    return st;
}
