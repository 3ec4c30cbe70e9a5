/*
 * cbor_strict.h - the CBOR layer under libvc's COSE code: a strict checker run
 * before anything is handed to libcbor's decoder, and a small deterministic
 * encoder (RFC 8949 section 4.2.1) built on libcbor's head encoders.
 * Knows nothing of COSE or crypto. Not installed, not API.
 */
#ifndef VC_CBOR_STRICT_H
#define VC_CBOR_STRICT_H

#include <cbor.h>

#include "../internal.h"
#include "vc/cose.h"

/* CBOR major types. */
enum {
    VC_CBOR_UINT = 0,
    VC_CBOR_NEGINT = 1,
    VC_CBOR_BSTR = 2,
    VC_CBOR_TSTR = 3,
    VC_CBOR_ARRAY = 4,
    VC_CBOR_MAP = 5,
    VC_CBOR_TAG = 6,
    VC_CBOR_SIMPLE = 7
};

/*
 * Check that buf starts with exactly one well-formed CBOR data item that follows
 * libvc's strict profile, without allocating it:
 *  - RFC 8949 well-formedness: no reserved additional information (28-30), no
 *    two-byte simple value below 32, no break outside an indefinite item,
 *    lengths within the buffer (VC_ERR_CBOR "truncated");
 *  - definite lengths only (indefinite arrays, maps and strings: VC_ERR_CBOR);
 *  - of the simple values only false, true, null and undefined (the others are
 *    unassigned; VC_ERR_CBOR); floats of every width are accepted;
 *  - text strings are valid UTF-8 (VC_ERR_CBOR);
 *  - no map has the same key twice, keys being compared by value for integers
 *    and strings (whatever their encoded width) and by encoding otherwise
 *    (VC_ERR_CBOR);
 *  - nesting at most VC_COSE_MAX_DEPTH, at most VC_COSE_MAX_ITEMS items
 *    (VC_ERR_LIMIT).
 * *used receives the item's encoded size; bytes after it are the caller's concern.
 * what names the item in messages ("COSE_Sign1", "protected header").
 */
VC_INTERNAL vc_status vc_cbor_check(const uint8_t *buf, size_t len, const char *what, size_t *used, vc_error *err);

/*
 * vc_cbor_check, then decode the item with libcbor (cbor_load). *item is a new
 * libcbor reference (cbor_decref). *used as for vc_cbor_check. One-byte tag heads
 * of tags 6-20, which libcbor before 0.9 refuses (libcbor issue #307; COSE_Sign1
 * is tag 18), are handed to libcbor in their equivalent two-byte form.
 * Codes: those of vc_cbor_check; VC_ERR_INTERNAL if libcbor disagrees with it.
 */
VC_INTERNAL vc_status vc_cbor_load(const uint8_t *buf, size_t len, const char *what, cbor_item_t **item, size_t *used,
                                   vc_error *err);


/* ------------------------------------------------------------ encoding */

/* A growable output buffer. Errors (allocation) are sticky in .failed. */
typedef struct vc_cbuf {
    uint8_t *data;
    size_t len, cap;
    int failed;
} vc_cbuf;

/* Append raw bytes. */
VC_INTERNAL void vc_cbuf_raw(vc_cbuf *b, const void *p, size_t n);
/* Append a head in its shortest form (major type, argument), via libcbor's encoders. */
VC_INTERNAL void vc_cbuf_head(vc_cbuf *b, int major, uint64_t arg);
/* Append an integer (major 0 or 1), shortest form. */
VC_INTERNAL void vc_cbuf_int(vc_cbuf *b, int64_t v);
/* Append a definite byte / text string. */
VC_INTERNAL void vc_cbuf_bstr(vc_cbuf *b, const void *p, size_t n);
VC_INTERNAL void vc_cbuf_tstr(vc_cbuf *b, const char *s, size_t n);
/* Release the buffer (the data is cleared first). */
VC_INTERNAL void vc_cbuf_free(vc_cbuf *b);

/*
 * A map built for deterministic encoding: add entries in any order, each as an
 * already-encoded key and value; vc_cmap_encode sorts them by the bytewise
 * lexicographic order of the encoded keys (RFC 8949 section 4.2.1) and writes
 * the map. Up to VC_CMAP_MAX entries.
 */
#define VC_CMAP_MAX 16
typedef struct vc_cmap {
    size_t n;
    vc_cbuf key[VC_CMAP_MAX], value[VC_CMAP_MAX];
    int failed;
} vc_cmap;

/* A new entry: returns the index whose key/value buffers the caller fills, or -1
 * (and sets failed) when the map is full. */
VC_INTERNAL int vc_cmap_add(vc_cmap *m);
/* Sort and write the map to out. VC_ERR_INTERNAL when two keys are the same,
 * VC_ERR_NOMEM on allocation failure. Frees the entries either way. */
VC_INTERNAL vc_status vc_cmap_encode(vc_cmap *m, vc_cbuf *out, vc_error *err);
/* Free the entries without encoding. */
VC_INTERNAL void vc_cmap_free(vc_cmap *m);

#endif
