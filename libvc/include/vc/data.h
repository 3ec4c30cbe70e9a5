/*
 * vc/data.h - the registry of the data files libvc reads at run time: JSON-LD
 * contexts (vocab/) and JSON Schemas (schemas/), each pinned by SHA-256.
 *
 * A data directory holds two manifests, vocab/manifest.json and
 * schemas/manifest.json, listing every file with its canonical URL (the URL a
 * credential puts in @context, or a schema's $id / publication URL), kind, UNTP
 * type, version and SHA-256. Files are read lazily, on first use, and refused
 * unless their SHA-256 matches the manifest; once loaded a file stays in memory,
 * immutable, until vc_data_free().
 *
 * UNTP contexts and schemas are GPL-3.0: they are shipped as separate, unmodified
 * files and never compiled into libvc (see vocab/untp/NOTICE.md).
 *
 * A vc_data is created once and shared: every function below is thread-safe, and a
 * verifier and any number of threads may use one registry at once.
 */
#ifndef VC_DATA_H
#define VC_DATA_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vc_data vc_data;

/* Environment variable naming the data directory when vc_data_open gets NULL. */
#define VC_DATA_DIR_ENV "UNTPCRED_DATA_DIR"

/* Limits. */
#define VC_DATA_MAX_FILE_BYTES (4u * 1024u * 1024u) /* largest data file or manifest read */
#define VC_DATA_MAX_ENTRIES 1024u                     /* most files one registry lists */

typedef enum vc_data_kind {
    VC_DATA_CONTEXT = 1, /* a JSON-LD context document ({"@context": ...}) */
    VC_DATA_SCHEMA = 2   /* a JSON Schema */
} vc_data_kind;

/* vc_data_add_context flags */
#define VC_DATA_UNTP 0x1u /* the context belongs to UNTP (an extension): UNTP vocabulary rules apply */

/* What the manifest says about one file. All strings are borrowed from the
 * registry and valid until vc_data_free; members that do not apply are NULL. */
typedef struct vc_data_info {
    vc_data_kind kind;
    const char *url;             /* canonical URL (context URL, schema $id or publication URL) */
    const char *path;            /* the file on disk; NULL for a context added by the caller */
    const char *family;          /* "untp", "w3c", or "local" (vc_data_add_context) */
    const char *untp_type;       /* "dpp", "dcc", "dte", "dfr", "dia", "svc", "core"; NULL when not UNTP */
    const char *version;         /* e.g. "0.6.1", "2.0" */
    const char *credential_type; /* schemas: the type they describe ("DigitalProductPassport") */
    const char *context;         /* schemas: the @context URL of the credentials they describe */
    const char *sha256;          /* pinned digest, 64 lowercase hex digits; NULL for caller contexts */
} vc_data_info;

/*
 * Open a data directory: read and check vocab/manifest.json and
 * schemas/manifest.json under it. No data file is read yet.
 * dir NULL: the environment variable UNTPCRED_DATA_DIR when set and non-empty,
 * else the installed data directory (<prefix>/<datadir>/untpcred), else, for a
 * libvc that is run from its build tree without being installed, the source
 * tree. *out is new; release it with vc_data_free.
 * Codes: VC_ERR_DATA (directory or manifest missing, unreadable or malformed),
 * VC_ERR_NOMEM.
 */
VC_API vc_status vc_data_open(const char *dir, vc_data **out, vc_error *err);

/* Release a registry and everything it loaded. NULL is allowed. No pointer
 * obtained from it may be used afterwards. */
VC_API void vc_data_free(vc_data *data);

/* The directory the registry reads (borrowed). */
VC_API const char *vc_data_dir(const vc_data *data);

/* Number of files the registry knows (shipped ones, then caller-added contexts). */
VC_API size_t vc_data_count(const vc_data *data);

/* The manifest facts of file i (0-based). VC_ERR_INVALID_ARG when out of range. */
VC_API vc_status vc_data_get_info(const vc_data *data, size_t i, vc_data_info *info, vc_error *err);

/*
 * Find a file by kind and canonical URL (exact match). *index receives its
 * position. VC_ERR_DATA when no file of that kind has that URL.
 */
VC_API vc_status vc_data_lookup(const vc_data *data, vc_data_kind kind, const char *url, size_t *index,
                                vc_error *err);

/*
 * Find a schema by credential type and version. type is a UNTP short name
 * ("dpp") or a credential type ("DigitalProductPassport", "VerifiableCredential");
 * version NULL means the newest shipped version. VC_ERR_DATA when none matches.
 */
VC_API vc_status vc_data_lookup_schema(const vc_data *data, const char *type, const char *version, size_t *index,
                                       vc_error *err);

/*
 * The bytes of file i, read on first use and checked against the pinned SHA-256.
 * *bytes (borrowed, NUL-terminated, *len bytes without the NUL) stays valid until
 * vc_data_free. Codes: VC_ERR_DATA (missing, unreadable, too large, not JSON),
 * VC_ERR_DATA_DIGEST (the SHA-256 differs from the manifest), VC_ERR_INVALID_ARG.
 */
VC_API vc_status vc_data_read(vc_data *data, size_t i, const char **bytes, size_t *len, vc_error *err);

/* Load and check every file. Returns VC_OK or the first failure (its path in err->path). */
VC_API vc_status vc_data_verify(vc_data *data, vc_error *err);

/*
 * Supply a context document for a URL that is not shipped (a private or newer
 * extension context), so that credentials listing it can be checked offline.
 * json is the context document ({"@context": ...}), parsed with libvc's JSON
 * limits and copied. flags: VC_DATA_UNTP. Add contexts before checking
 * credentials that use them (checks that failed earlier are not remembered).
 * Codes: VC_ERR_INVALID_ARG (URL not absolute, already known — shipped contexts
 * cannot be replaced), VC_ERR_JSON*, VC_ERR_VOCAB_CONTEXT (no @context member),
 * VC_ERR_LIMIT.
 */
VC_API vc_status vc_data_add_context(vc_data *data, const char *url, const char *json, size_t len, unsigned flags,
                                     vc_error *err);

#ifdef __cplusplus
}
#endif
#endif /* VC_DATA_H */
