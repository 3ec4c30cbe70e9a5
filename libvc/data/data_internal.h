/*
 * data_internal.h - the data registry's helpers for the other libvc modules
 * (vocab, schema, verify). Not installed.
 */
#ifndef VC_DATA_INTERNAL_H
#define VC_DATA_INTERNAL_H

#include "../internal.h"
#include "vc/data.h"

/*
 * The parsed document of file i (loaded and digest-checked on first use).
 * *doc is borrowed, immutable, and valid until vc_data_free; it may be read from
 * any thread without locking (never incref/decref it). Codes as vc_data_read.
 */
VC_INTERNAL vc_status vc_data_json(vc_data *data, size_t i, const json_t **doc, vc_error *err);

/*
 * The context document for a remote context URL. When the registry has no
 * context with that URL, returns VC_OK with *doc NULL (the caller decides what an
 * unknown context means). *untp is set to 1 when the context belongs to UNTP
 * (family "untp", or added with VC_DATA_UNTP). Codes: VC_ERR_DATA,
 * VC_ERR_DATA_DIGEST when the known file cannot be used.
 */
VC_INTERNAL vc_status vc_data_context_json(vc_data *data, const char *url, const json_t **doc, int *untp,
                                           vc_error *err);

/* Schema by (type, version) as vc_data_lookup_schema, parsed. *url (optional)
 * receives its canonical URL (borrowed). */
VC_INTERNAL vc_status vc_data_schema_json(vc_data *data, const char *type, const char *version,
                                          const json_t **doc, const char **url, vc_error *err);

/* Schema by canonical URL / $id, parsed. VC_ERR_DATA when unknown. */
VC_INTERNAL vc_status vc_data_schema_json_by_url(vc_data *data, const char *url, const json_t **doc,
                                                 vc_error *err);

/*
 * Per-registry state of another module (its caches), created once on first use
 * by make(data) and released by destroy() in vc_data_free. Thread-safe: make runs
 * once. Returns the state, or NULL when make returned NULL (out of memory; a
 * later call tries again).
 */
enum vc_data_slot { VC_DATA_SLOT_VOCAB = 0, VC_DATA_SLOT_SCHEMA = 1, VC_DATA_SLOT_COUNT = 4 };
VC_INTERNAL void *vc_data_slot(vc_data *data, enum vc_data_slot slot, void *(*make)(vc_data *),
                               void (*destroy)(void *));

/* SHA-256 of len bytes as 64 lowercase hex digits + NUL into hex[65]. 0 on success. */
VC_INTERNAL int vc_data_sha256_hex(const void *bytes, size_t len, char hex[65]);

#endif
