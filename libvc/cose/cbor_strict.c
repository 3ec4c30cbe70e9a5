/*
 * cbor_strict.c - strict CBOR checking and deterministic encoding (RFC 8949).
 *
 * libcbor decodes whatever is well formed and keeps no record of encoded widths,
 * duplicate map keys or text validity; it allocates every item and frees nested
 * items recursively. So every input is walked here first, without allocation and
 * with bounded recursion, and only a structure that passes is given to cbor_load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor_strict.h"

/* ------------------------------------------------------------ checking */

struct walker {
    const uint8_t *b;
    size_t len, pos, items;
    const char *what;
    vc_error *err;
    /* offsets of one-byte tag heads 0xc6-0xd4 (tags 6-20), for vc_cbor_load */
    size_t *tags;
    size_t ntags;
};

struct head {
    int major, ai;
    uint64_t arg;
    size_t start;
};

/* A map key as compared for duplicates: integers by value, strings by content,
 * anything else by its encoded bytes (kind RAW). */
#define KEY_RAW 8
struct keyref {
    int major;
    uint64_t arg;
    const uint8_t *p;
    size_t n;
};

static vc_status truncated(struct walker *w)
{
    return vc_fail(w->err, VC_ERR_CBOR, w->what, "%s: truncated CBOR (%zu bytes, more needed at byte %zu)", w->what,
                   w->len, w->pos);
}

static vc_status read_head(struct walker *w, struct head *h)
{
    h->start = w->pos;
    if (w->pos >= w->len)
        return truncated(w);
    uint8_t ib = w->b[w->pos++];
    h->major = ib >> 5;
    h->ai = ib & 31;
    if (h->ai < 24) {
        h->arg = (uint64_t)h->ai;
    } else if (h->ai <= 27) {
        size_t n = (size_t)1 << (h->ai - 24);
        if (w->len - w->pos < n)
            return truncated(w);
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
            v = (v << 8) | w->b[w->pos++];
        h->arg = v;
    } else if (h->ai == 31) {
        if (h->major >= VC_CBOR_BSTR && h->major <= VC_CBOR_MAP)
            return vc_fail(w->err, VC_ERR_CBOR, w->what,
                           "%s: indefinite-length %s at byte %zu: only definite lengths are accepted", w->what,
                           h->major == VC_CBOR_BSTR   ? "byte string"
                           : h->major == VC_CBOR_TSTR ? "text string"
                           : h->major == VC_CBOR_ARRAY ? "array"
                                                       : "map",
                           h->start);
        return vc_fail(w->err, VC_ERR_CBOR, w->what, "%s: %s at byte %zu is not well-formed CBOR", w->what,
                       h->major == VC_CBOR_SIMPLE ? "a \"break\" outside an indefinite-length item"
                                                  : "additional information 31",
                       h->start);
    } else {
        return vc_fail(w->err, VC_ERR_CBOR, w->what,
                       "%s: reserved additional information %d at byte %zu is not well-formed CBOR", w->what, h->ai,
                       h->start);
    }
    if (h->major == VC_CBOR_SIMPLE && h->ai == 24 && h->arg < 32)
        return vc_fail(w->err, VC_ERR_CBOR, w->what,
                       "%s: two-byte simple value %u at byte %zu is not well-formed CBOR (RFC 8949 section 3.3)",
                       w->what, (unsigned)h->arg, h->start);
    /* Of the simple values only false, true, null and undefined are assigned; the
     * others (0-19, 32-255) are refused, as libcbor (0.8) also refuses them. */
    if (h->major == VC_CBOR_SIMPLE && (h->ai < 20 || h->ai == 24))
        return vc_fail(w->err, VC_ERR_CBOR, w->what, "%s: unassigned simple value %u at byte %zu is not accepted",
                       w->what, (unsigned)h->arg, h->start);
    return VC_OK;
}

static int keyref_cmp(const void *pa, const void *pb)
{
    const struct keyref *a = pa, *b = pb;
    if (a->major != b->major)
        return a->major < b->major ? -1 : 1;
    if (a->arg != b->arg)
        return a->arg < b->arg ? -1 : 1;
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    return a->n ? memcmp(a->p, b->p, a->n) : 0;
}

static void describe_key(const struct keyref *k, char *buf, size_t cap)
{
    if (k->major == VC_CBOR_UINT)
        snprintf(buf, cap, "%llu", (unsigned long long)k->arg);
    else if (k->major == VC_CBOR_NEGINT)
        snprintf(buf, cap, "-%llu", (unsigned long long)k->arg + 1ull);
    else if (k->major == VC_CBOR_TSTR) {
        size_t n = k->n > 40 ? 40 : k->n;
        snprintf(buf, cap, "\"%.*s\"", (int)n, (const char *)k->p);
    } else
        snprintf(buf, cap, "(a %zu-byte key)", k->n);
}

static vc_status walk_item(struct walker *w, int depth, struct keyref *kr)
{
    if (depth > VC_COSE_MAX_DEPTH)
        return vc_fail(w->err, VC_ERR_LIMIT, w->what, "%s: CBOR nested deeper than %d levels (at byte %zu)", w->what,
                       VC_COSE_MAX_DEPTH, w->pos);
    if (++w->items > VC_COSE_MAX_ITEMS)
        return vc_fail(w->err, VC_ERR_LIMIT, w->what, "%s: more than %d CBOR data items", w->what, VC_COSE_MAX_ITEMS);
    struct head h = {0, 0, 0, 0};
    vc_status st = read_head(w, &h);
    if (st != VC_OK)
        return st;
    switch (h.major) {
    case VC_CBOR_UINT:
    case VC_CBOR_NEGINT:
        if (kr)
            *kr = (struct keyref){h.major, h.arg, NULL, 0};
        return VC_OK;
    case VC_CBOR_BSTR:
    case VC_CBOR_TSTR:
        if (h.arg > w->len - w->pos)
            return truncated(w);
        if (h.major == VC_CBOR_TSTR && !vc_utf8_valid(w->b + w->pos, (size_t)h.arg))
            return vc_fail(w->err, VC_ERR_CBOR, w->what, "%s: the text string at byte %zu is not valid UTF-8",
                           w->what, h.start);
        if (kr)
            *kr = (struct keyref){h.major, h.arg, w->b + w->pos, (size_t)h.arg};
        w->pos += (size_t)h.arg;
        return VC_OK;
    case VC_CBOR_ARRAY:
        if (h.arg > w->len - w->pos)
            return truncated(w);
        if (h.arg > VC_COSE_MAX_ITEMS)
            return vc_fail(w->err, VC_ERR_LIMIT, w->what, "%s: an array of %llu items exceeds the %d-item limit",
                           w->what, (unsigned long long)h.arg, VC_COSE_MAX_ITEMS);
        for (uint64_t i = 0; i < h.arg; i++)
            if ((st = walk_item(w, depth + 1, NULL)) != VC_OK)
                return st;
        break;
    case VC_CBOR_MAP: {
        if (h.arg > (w->len - w->pos) / 2)
            return truncated(w);
        if (h.arg > VC_COSE_MAX_ITEMS / 2)
            return vc_fail(w->err, VC_ERR_LIMIT, w->what, "%s: a map of %llu entries exceeds the %d-item limit",
                           w->what, (unsigned long long)h.arg, VC_COSE_MAX_ITEMS);
        size_t n = (size_t)h.arg;
        struct keyref *keys = n ? calloc(n, sizeof *keys) : NULL;
        if (n && !keys)
            return vc_fail(w->err, VC_ERR_NOMEM, NULL, "out of memory");
        for (size_t i = 0; i < n && st == VC_OK; i++) {
            st = walk_item(w, depth + 1, &keys[i]);
            if (st == VC_OK)
                st = walk_item(w, depth + 1, NULL);
        }
        if (st == VC_OK && n > 1) {
            qsort(keys, n, sizeof *keys, keyref_cmp);
            for (size_t i = 1; i < n; i++)
                if (keyref_cmp(&keys[i - 1], &keys[i]) == 0) {
                    char k[64];
                    describe_key(&keys[i], k, sizeof k);
                    st = vc_fail(w->err, VC_ERR_CBOR, w->what,
                                 "%s: the map at byte %zu has the key %s twice", w->what, h.start, k);
                    break;
                }
        }
        free(keys);
        if (st != VC_OK)
            return st;
        break;
    }
    case VC_CBOR_TAG:
        if (h.ai >= 6 && h.ai <= 20) {
            /* at most one per item, and items are bounded: no overflow */
            size_t *t = realloc(w->tags, (w->ntags + 1) * sizeof *t);
            if (!t)
                return vc_fail(w->err, VC_ERR_NOMEM, NULL, "out of memory");
            w->tags = t;
            w->tags[w->ntags++] = h.start;
        }
        if ((st = walk_item(w, depth + 1, NULL)) != VC_OK)
            return st;
        break;
    default: /* simple values and floats: the head was all there is */
        break;
    }
    if (kr)
        *kr = (struct keyref){KEY_RAW, 0, w->b + h.start, w->pos - h.start};
    return VC_OK;
}

static vc_status walk(struct walker *w, const uint8_t *buf, size_t len, const char *what, vc_error *err)
{
    memset(w, 0, sizeof *w);
    w->b = buf;
    w->len = len;
    w->what = what ? what : "CBOR";
    w->err = err;
    if (!buf && len)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "cbor_check: NULL buffer");
    if (len == 0)
        return vc_fail(err, VC_ERR_CBOR, w->what, "%s: no CBOR data (0 bytes)", w->what);
    return walk_item(w, 1, NULL);
}

vc_status vc_cbor_check(const uint8_t *buf, size_t len, const char *what, size_t *used, vc_error *err)
{
    struct walker w;
    vc_status st = walk(&w, buf, len, what, err);
    if (st == VC_OK && used)
        *used = w.pos;
    free(w.tags);
    return st;
}

vc_status vc_cbor_load(const uint8_t *buf, size_t len, const char *what, cbor_item_t **item, size_t *used,
                       vc_error *err)
{
    *item = NULL;
    struct walker w;
    vc_status st = walk(&w, buf, len, what, err);
    if (st != VC_OK) {
        free(w.tags);
        return st;
    }
    /* libcbor before 0.9 refuses the one-byte heads of tags 6-20 as "unassigned"
     * (libcbor issue #307), COSE_Sign1's tag 18 (0xd2) among them. It accepts the
     * same tag written with a one-byte argument (0xd8 0x12), which is the same CBOR
     * data item, so that is what it is given. Only this decoding copy changes: byte
     * strings (the signed protected header, the payload) are copied from the tree,
     * whose contents are never rewritten. */
    const uint8_t *src = buf;
    uint8_t *copy = NULL;
    size_t n = w.pos;
    if (w.ntags) {
        copy = malloc(n + w.ntags);
        if (!copy) {
            free(w.tags);
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        }
        size_t o = 0, from = 0;
        for (size_t i = 0; i < w.ntags; i++) { /* offsets are increasing: the walk is in order */
            size_t at = w.tags[i];
            memcpy(copy + o, buf + from, at - from);
            o += at - from;
            copy[o++] = 0xd8;
            copy[o++] = (uint8_t)(buf[at] & 31);
            from = at + 1;
        }
        memcpy(copy + o, buf + from, n - from);
        o += n - from;
        src = copy;
        n = o;
    }
    free(w.tags);
    struct cbor_load_result res;
    *item = cbor_load(src, n, &res);
    free(copy);
    if (!*item)
        return vc_fail(err, res.error.code == CBOR_ERR_MEMERROR ? VC_ERR_NOMEM : VC_ERR_INTERNAL, w.what,
                       "%s: libcbor could not decode an item the strict check accepted (libcbor error %d at byte %zu)",
                       w.what, (int)res.error.code, res.error.position);
    if (res.read != n) {
        cbor_decref(item);
        return vc_fail(err, VC_ERR_INTERNAL, w.what, "%s: libcbor read %zu of %zu bytes", w.what, res.read, n);
    }
    if (used)
        *used = w.pos;
    return VC_OK;
}

/* ------------------------------------------------------------ encoding */

static void cbuf_reserve(vc_cbuf *b, size_t n)
{
    if (b->failed)
        return;
    if (n > SIZE_MAX - b->len) {
        b->failed = 1;
        return;
    }
    if (b->len + n <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n) {
        if (cap > SIZE_MAX / 2) {
            b->failed = 1;
            return;
        }
        cap *= 2;
    }
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return;
    }
    b->data = p;
    b->cap = cap;
}

void vc_cbuf_raw(vc_cbuf *b, const void *p, size_t n)
{
    cbuf_reserve(b, n);
    if (b->failed || !n)
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void vc_cbuf_head(vc_cbuf *b, int major, uint64_t arg)
{
    unsigned char tmp[9];
    size_t n = 0;
    switch (major) {
    case VC_CBOR_UINT: n = cbor_encode_uint(arg, tmp, sizeof tmp); break;
    case VC_CBOR_NEGINT: n = cbor_encode_negint(arg, tmp, sizeof tmp); break;
    case VC_CBOR_BSTR: n = cbor_encode_bytestring_start((size_t)arg, tmp, sizeof tmp); break;
    case VC_CBOR_TSTR: n = cbor_encode_string_start((size_t)arg, tmp, sizeof tmp); break;
    case VC_CBOR_ARRAY: n = cbor_encode_array_start((size_t)arg, tmp, sizeof tmp); break;
    case VC_CBOR_MAP: n = cbor_encode_map_start((size_t)arg, tmp, sizeof tmp); break;
    case VC_CBOR_TAG: n = cbor_encode_tag(arg, tmp, sizeof tmp); break;
    default: break;
    }
    if (n == 0) {
        b->failed = 1;
        return;
    }
    vc_cbuf_raw(b, tmp, n);
}

void vc_cbuf_int(vc_cbuf *b, int64_t v)
{
    if (v >= 0)
        vc_cbuf_head(b, VC_CBOR_UINT, (uint64_t)v);
    else
        vc_cbuf_head(b, VC_CBOR_NEGINT, (uint64_t)(-(v + 1)));
}

void vc_cbuf_bstr(vc_cbuf *b, const void *p, size_t n)
{
    vc_cbuf_head(b, VC_CBOR_BSTR, n);
    vc_cbuf_raw(b, p, n);
}

void vc_cbuf_tstr(vc_cbuf *b, const char *s, size_t n)
{
    vc_cbuf_head(b, VC_CBOR_TSTR, n);
    vc_cbuf_raw(b, s, n);
}

void vc_cbuf_free(vc_cbuf *b)
{
    if (!b)
        return;
    if (b->data)
        memset(b->data, 0, b->cap);
    free(b->data);
    memset(b, 0, sizeof *b);
}

int vc_cmap_add(vc_cmap *m)
{
    if (m->n >= VC_CMAP_MAX) {
        m->failed = 1;
        return -1;
    }
    size_t i = m->n++;
    memset(&m->key[i], 0, sizeof m->key[i]);
    memset(&m->value[i], 0, sizeof m->value[i]);
    return (int)i;
}

void vc_cmap_free(vc_cmap *m)
{
    for (size_t i = 0; i < m->n; i++) {
        vc_cbuf_free(&m->key[i]);
        vc_cbuf_free(&m->value[i]);
    }
    m->n = 0;
}

/* Bytewise lexicographic order; a proper prefix sorts first. */
static int bytes_cmp(const vc_cbuf *a, const vc_cbuf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->data, b->data, n) : 0;
    if (c)
        return c;
    return a->len == b->len ? 0 : a->len < b->len ? -1 : 1;
}

vc_status vc_cmap_encode(vc_cmap *m, vc_cbuf *out, vc_error *err)
{
    vc_status st = VC_OK;
    size_t order[VC_CMAP_MAX];
    int failed = m->failed;
    for (size_t i = 0; i < m->n; i++) {
        order[i] = i;
        failed |= m->key[i].failed | m->value[i].failed;
    }
    if (failed) {
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory (or more than %d header entries)", VC_CMAP_MAX);
        goto done;
    }
    /* insertion sort: at most VC_CMAP_MAX entries */
    for (size_t i = 1; i < m->n; i++) {
        size_t k = order[i], j = i;
        while (j > 0 && bytes_cmp(&m->key[order[j - 1]], &m->key[k]) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    for (size_t i = 1; i < m->n; i++)
        if (bytes_cmp(&m->key[order[i - 1]], &m->key[order[i]]) == 0) {
            st = vc_fail(err, VC_ERR_INTERNAL, NULL, "the same map key was added twice");
            goto done;
        }
    vc_cbuf_head(out, VC_CBOR_MAP, m->n);
    for (size_t i = 0; i < m->n; i++) {
        vc_cbuf_raw(out, m->key[order[i]].data, m->key[order[i]].len);
        vc_cbuf_raw(out, m->value[order[i]].data, m->value[order[i]].len);
    }
    if (out->failed)
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
done:
    vc_cmap_free(m);
    return st;
}
