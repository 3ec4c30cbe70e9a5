/*
 * vc/core.h - libvc core: status codes, errors, limits, encodings, memory.
 *
 * Conventions for every libvc function:
 *  - Fallible calls return a vc_status (VC_OK == 0) and, when the caller passes
 *    a non-NULL vc_error*, fill it with the code, a message a person can act on,
 *    and the JSON pointer or field where the problem is (empty when none applies).
 *  - Strings and buffers returned through `char **out` / `uint8_t **out` are new
 *    allocations owned by the caller; release them with vc_free().
 *  - Pointers passed in are borrowed: libvc never keeps them past the call unless
 *    the function's comment says so.
 *  - The library prints nothing, never exits, and keeps no global mutable state
 *    other than what vc_init() sets up once. After vc_init() every function is
 *    thread-safe on distinct objects; objects documented as shareable (vc_resolver,
 *    vc_verifier, vc_key) may be used from several threads at once.
 */
#ifndef VC_CORE_H
#define VC_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define VC_API __attribute__((visibility("default")))
#else
#define VC_API
#endif

#define VC_VERSION_STRING "0.1.0"

/* ---- Limits (named, so that every bound in the library is visible) ---- */
#define VC_MAX_INPUT_BYTES   (1024u * 1024u)  /* largest credential / JWS / JSON document accepted */
#define VC_MAX_JSON_DEPTH    64               /* deepest JSON nesting accepted */
#define VC_MAX_HEADER_BYTES  4096u            /* largest decoded JOSE protected header */
#define VC_MAX_DID_LENGTH    2048u            /* longest DID or DID URL */
#define VC_MAX_KEY_FILE_BYTES (64u * 1024u)   /* largest key file */

/*
 * Status codes. The numeric values and the names returned by vc_status_name()
 * are stable and appear in verification reports; new codes are only appended.
 */
typedef enum vc_status {
    VC_OK = 0,

    /* generic: 1-99 */
    VC_ERR_INVALID_ARG = 1,      /* a caller passed a bad argument (NULL, wrong option value) */
    VC_ERR_NOMEM = 2,            /* allocation failed */
    VC_ERR_IO = 3,               /* reading or writing a file failed */
    VC_ERR_LIMIT = 4,            /* input larger than a named limit */
    VC_ERR_INTERNAL = 5,         /* a bug or an unexpected library failure */
    VC_ERR_UNSUPPORTED = 6,      /* a valid feature that libvc does not implement */

    /* encodings and JSON: 100-199 */
    VC_ERR_BASE64URL = 100,      /* not strict unpadded base64url */
    VC_ERR_MULTIBASE = 101,      /* bad multibase / base58btc / multicodec */
    VC_ERR_JSON = 110,           /* not valid JSON (syntax, invalid UTF-8, trailing data) */
    VC_ERR_JSON_DEPTH = 111,     /* JSON nested deeper than VC_MAX_JSON_DEPTH */
    VC_ERR_JSON_DUPKEY = 112,    /* an object has the same key twice */
    VC_ERR_JSON_TYPE = 113,      /* JSON is well formed but not the expected shape */
    VC_ERR_DATETIME = 120,       /* not an XML Schema dateTimeStamp */

    /* keys and crypto: 200-299 */
    VC_ERR_KEY = 200,            /* malformed key material (bad JWK, point not on curve, ...) */
    VC_ERR_KEY_TYPE = 201,       /* key type or curve not supported */
    VC_ERR_KEY_NO_PRIVATE = 202, /* a private key is needed but only the public part is present */
    VC_ERR_CRYPTO = 203,         /* the crypto library failed */

    /* JOSE: 300-399 */
    VC_ERR_JWS_FORMAT = 300,     /* not a compact JWS (three base64url parts) */
    VC_ERR_JWS_HEADER = 301,     /* protected header is not a JSON object or has a bad member */
    VC_ERR_JWS_ALG_NONE = 302,   /* alg "none": unsecured JWS refused */
    VC_ERR_JWS_ALG = 303,        /* alg missing, unknown or not allowed (HMAC, RSA, ...) */
    VC_ERR_JWS_ALG_KEY = 304,    /* alg does not match the key type (alg confusion) */
    VC_ERR_JWS_CRIT = 305,       /* crit lists an extension libvc does not understand */
    VC_ERR_JWS_TYP = 306,        /* typ is not vc+jwt / vp+jwt (or the legacy -ld+ forms) */
    VC_ERR_JWS_CTY = 307,        /* cty present and not vc / vp */
    VC_ERR_JWS_KID = 308,        /* kid missing, malformed, or not a method of the issuer */
    VC_ERR_JWS_SIGNATURE = 309,  /* the signature does not verify */
    VC_ERR_JWS_B64 = 310,        /* b64:false (unencoded payload) refused */

    /* envelopes and media types: 400-499 */
    VC_ERR_ENVELOPE = 400,       /* EnvelopedVerifiableCredential/Presentation malformed */
    VC_ERR_MEDIA_TYPE = 401,     /* data: URL media type is not the expected one */
    VC_ERR_UNSECURED = 402,      /* a plain JSON credential where a secured one was required */
    VC_ERR_FORMAT = 403,         /* input is none of the accepted forms */

    /* VC Data Model 2.0: 500-599 */
    VC_ERR_DM_CONTEXT = 500,     /* @context missing, not v2 first, bad entry, protected term redefined */
    VC_ERR_DM_TYPE = 501,        /* type missing / lacks VerifiableCredential / undefined type */
    VC_ERR_DM_ISSUER = 502,      /* issuer missing or not a URL / object with URL id */
    VC_ERR_DM_SUBJECT = 503,     /* credentialSubject missing or empty */
    VC_ERR_DM_DATETIME = 504,    /* validFrom / validUntil not a dateTimeStamp, or out of order */
    VC_ERR_DM_NOT_YET_VALID = 505, /* verification time before validFrom (or nbf) */
    VC_ERR_DM_EXPIRED = 506,     /* verification time after validUntil (or exp) */
    VC_ERR_DM_ID = 507,          /* an id is not a single URL */
    VC_ERR_DM_PROPERTY = 508,    /* a VCDM property has the wrong shape (status, schema, evidence, ...) */
    VC_ERR_DM_CLAIMS = 509,      /* JWT claims conflict with the credential (vc/vp claims, iss, jti, sub) */
    VC_ERR_DM_HOLDER = 510,      /* presentation holder not a URL */
    VC_ERR_DM_LANGUAGE = 511,    /* a language value object is malformed */

    /* DIDs and resolution: 600-699 */
    VC_ERR_DID_SYNTAX = 600,     /* not a valid DID / DID URL */
    VC_ERR_DID_METHOD = 601,     /* DID method not supported by this resolver */
    VC_ERR_DID_NOT_FOUND = 602,  /* DID could not be resolved */
    VC_ERR_DID_DOCUMENT = 603,   /* DID document malformed or its id does not match */
    VC_ERR_DID_VM_NOT_FOUND = 604, /* no verification method matches the kid */

    /* JSON Schema: 700-799 */
    VC_ERR_SCHEMA = 700,         /* the instance does not validate against the schema */
    VC_ERR_SCHEMA_COMPILE = 701, /* the schema itself is invalid or uses an unsupported feature */
    VC_ERR_SCHEMA_REF = 702,     /* a $ref cannot be resolved (unknown or remote document) */
    VC_ERR_SCHEMA_UNKNOWN = 703, /* no schema is known for the credential's type/version */

    /* JSON-LD vocabulary: 800-899 */
    VC_ERR_VOCAB_TERM = 800,     /* a property or type term is not defined by the contexts */
    VC_ERR_VOCAB_CONTEXT = 801,  /* a context is unknown, unavailable or malformed */
    VC_ERR_VOCAB_VOCAB = 802,    /* @vocab is used where it is not allowed (UNTP) */

    /* shipped data: 900-999 */
    VC_ERR_DATA = 900,           /* a data file is missing or unreadable */
    VC_ERR_DATA_DIGEST = 901,    /* a data file does not match its pinned SHA-256 */

    /* network: 1000-1099 */
    VC_ERR_NET = 1000,           /* the request failed (connection refused, DNS, ...) */
    VC_ERR_NET_TIMEOUT = 1001,   /* connect or total timeout */
    VC_ERR_NET_TLS = 1002,       /* TLS failure (certificate not trusted, name mismatch, ...) */
    VC_ERR_NET_HTTP = 1003,      /* HTTP status other than 200 */
    VC_ERR_NET_REDIRECT = 1004,  /* too many redirects, or a redirect to a refused URL */
    VC_ERR_NET_CONTENT_TYPE = 1005, /* the response's media type is not the one expected */
    VC_ERR_NET_ADDRESS = 1006,   /* the host resolves to a private/loopback/link-local address (SSRF) */
    VC_ERR_NET_SCHEME = 1007,    /* URL scheme not allowed (http without the loopback flag, file:, ...) */
    VC_ERR_NET_OFFLINE = 1008,   /* offline mode and the resource is not cached or supplied */
    VC_ERR_NET_SIZE = 1009,      /* the response body exceeds the size cap */

    /* credential status: 1100-1199 */
    VC_ERR_STATUS_REVOKED = 1100,     /* the status list marks the credential revoked */
    VC_ERR_STATUS_SUSPENDED = 1101,   /* the status list marks the credential suspended */
    VC_ERR_STATUS_UNAVAILABLE = 1102, /* the status list could not be fetched */
    VC_ERR_STATUS_LIST = 1103,        /* the status list credential or entry is invalid */

    /* trust anchors: 1200-1299 */
    VC_ERR_TRUST_UNANCHORED = 1200,   /* no DIA chains the issuer to a trusted anchor */
    VC_ERR_TRUST_DIA = 1201,          /* a DIA is invalid or does not name the issuer */
    VC_ERR_TRUST_UNTRUSTED = 1202,    /* the DIA's issuer is not trusted */
    VC_ERR_TRUST_LOOP = 1203,         /* the anchor chain loops */
    VC_ERR_TRUST_DEPTH = 1204,        /* the anchor chain is longer than the limit */

    /* COSE / CBOR: 1300-1399 */
    VC_ERR_CBOR = 1300,          /* malformed or non-deterministic CBOR where strictness is required */
    VC_ERR_COSE_FORMAT = 1301,   /* not a COSE_Sign1 structure */
    VC_ERR_COSE_HEADER = 1302,   /* COSE header invalid (alg, content type, typ, crit, ...) */
    VC_ERR_COSE_SIGNATURE = 1303, /* the COSE signature does not verify */

    /* conformance: 1400-1499 */
    VC_ERR_CLAIM_UNVERIFIED = 1400 /* a DPP claim no trusted DCC backs (conformance tier 3) */
} vc_status;

#define VC_ERROR_MESSAGE_MAX 256
#define VC_ERROR_PATH_MAX 256

/* Error details. Fill by passing a pointer; all fields are NUL-terminated. */
typedef struct vc_error {
    vc_status code;                       /* VC_OK when no error */
    char message[VC_ERROR_MESSAGE_MAX];   /* a sentence a person can act on */
    char path[VC_ERROR_PATH_MAX];         /* JSON pointer or field ("/issuer", "header.alg"); may be "" */
} vc_error;

/*
 * Initialise the library (OpenSSL, internal tables). Idempotent and thread-safe;
 * call once before other functions. Returns VC_OK or VC_ERR_CRYPTO.
 */
VC_API vc_status vc_init(void);

/* The library version string, e.g. "0.1.0". Static storage. */
VC_API const char *vc_version(void);

/* The stable name of a status code, e.g. "VC_ERR_JWS_SIGNATURE". Static storage;
 * "VC_ERR_UNKNOWN" for values that are not codes. */
VC_API const char *vc_status_name(vc_status code);

/* A short English description of a status code. Static storage. */
VC_API const char *vc_status_description(vc_status code);

/* Reset an error to VC_OK with empty message and path. NULL is allowed. */
VC_API void vc_error_clear(vc_error *err);

/* Release memory returned by any libvc function through a `char **` or `uint8_t **`
 * out-parameter. NULL is allowed. */
VC_API void vc_free(void *p);

/*
 * Strict base64url (RFC 4648 section 5) without padding.
 * vc_base64url_encode: *out is a new NUL-terminated string (caller frees with vc_free).
 * vc_base64url_decode: rejects '=', '+', '/', whitespace, any non-alphabet byte, a
 *   length of 1 mod 4, and non-canonical trailing bits (VC_ERR_BASE64URL). *out is a
 *   new buffer of *out_len bytes (plus a NUL byte not counted), caller frees.
 */
VC_API vc_status vc_base64url_encode(const uint8_t *in, size_t in_len, char **out, vc_error *err);
VC_API vc_status vc_base64url_decode(const char *in, size_t in_len, uint8_t **out, size_t *out_len,
                                     vc_error *err);

/*
 * Parse an XML Schema dateTimeStamp (RFC 3339 with mandatory timezone, optional
 * fractional seconds), e.g. "2025-01-01T00:00:00Z" or "2025-01-01T10:00:00.5+10:00".
 * *unix_seconds receives whole seconds since the epoch (UTC, fraction truncated).
 * Returns VC_ERR_DATETIME for anything else.
 */
VC_API vc_status vc_datetime_parse(const char *text, int64_t *unix_seconds, vc_error *err);

/*
 * Read a whole file ("-" is standard input) of at most max bytes (VC_ERR_LIMIT
 * beyond; VC_ERR_IO when it cannot be opened or read). *out is new and
 * NUL-terminated; *out_len (optional) excludes the NUL.
 */
VC_API vc_status vc_read_file(const char *path, size_t max, char **out, size_t *out_len, vc_error *err);

/* Format unix seconds as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
VC_API vc_status vc_datetime_format(int64_t unix_seconds, char *buf, size_t buf_len);

#ifdef __cplusplus
}
#endif
#endif /* VC_CORE_H */
