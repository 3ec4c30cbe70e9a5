/* error.c - status names, error filling, library initialisation. */
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"

struct status_entry {
    vc_status code;
    const char *name;
    const char *description;
};

#define S(c, d) {c, #c, d}
static const struct status_entry status_table[] = {
    S(VC_OK, "success"),
    S(VC_ERR_INVALID_ARG, "invalid argument"),
    S(VC_ERR_NOMEM, "out of memory"),
    S(VC_ERR_IO, "input/output error"),
    S(VC_ERR_LIMIT, "input exceeds a size limit"),
    S(VC_ERR_INTERNAL, "internal error"),
    S(VC_ERR_UNSUPPORTED, "feature not supported"),
    S(VC_ERR_BASE64URL, "invalid base64url"),
    S(VC_ERR_MULTIBASE, "invalid multibase or multicodec value"),
    S(VC_ERR_JSON, "invalid JSON"),
    S(VC_ERR_JSON_DEPTH, "JSON nested too deeply"),
    S(VC_ERR_JSON_DUPKEY, "duplicate key in JSON object"),
    S(VC_ERR_JSON_TYPE, "JSON value of the wrong type"),
    S(VC_ERR_DATETIME, "invalid date-time"),
    S(VC_ERR_KEY, "invalid key"),
    S(VC_ERR_KEY_TYPE, "unsupported key type"),
    S(VC_ERR_KEY_NO_PRIVATE, "private key required"),
    S(VC_ERR_CRYPTO, "cryptographic library failure"),
    S(VC_ERR_JWS_FORMAT, "malformed compact JWS"),
    S(VC_ERR_JWS_HEADER, "invalid JWS protected header"),
    S(VC_ERR_JWS_ALG_NONE, "unsecured JWS (alg none) refused"),
    S(VC_ERR_JWS_ALG, "JWS algorithm not allowed"),
    S(VC_ERR_JWS_ALG_KEY, "JWS algorithm does not match the key type"),
    S(VC_ERR_JWS_CRIT, "unknown critical JWS header parameter"),
    S(VC_ERR_JWS_TYP, "wrong JWS typ"),
    S(VC_ERR_JWS_CTY, "wrong JWS cty"),
    S(VC_ERR_JWS_KID, "bad or foreign JWS kid"),
    S(VC_ERR_JWS_SIGNATURE, "signature does not verify"),
    S(VC_ERR_JWS_B64, "unencoded JWS payload refused"),
    S(VC_ERR_ENVELOPE, "malformed enveloped credential"),
    S(VC_ERR_MEDIA_TYPE, "wrong media type"),
    S(VC_ERR_UNSECURED, "credential is not secured"),
    S(VC_ERR_FORMAT, "unrecognised input format"),
    S(VC_ERR_DM_CONTEXT, "invalid @context"),
    S(VC_ERR_DM_TYPE, "invalid type"),
    S(VC_ERR_DM_ISSUER, "invalid issuer"),
    S(VC_ERR_DM_SUBJECT, "invalid credentialSubject"),
    S(VC_ERR_DM_DATETIME, "invalid validity dates"),
    S(VC_ERR_DM_NOT_YET_VALID, "credential not yet valid"),
    S(VC_ERR_DM_EXPIRED, "credential expired"),
    S(VC_ERR_DM_ID, "invalid id"),
    S(VC_ERR_DM_PROPERTY, "invalid credential property"),
    S(VC_ERR_DM_CLAIMS, "JWT claims conflict with the credential"),
    S(VC_ERR_DM_HOLDER, "invalid holder"),
    S(VC_ERR_DM_LANGUAGE, "invalid language value"),
    S(VC_ERR_DID_SYNTAX, "invalid DID"),
    S(VC_ERR_DID_METHOD, "unsupported DID method"),
    S(VC_ERR_DID_NOT_FOUND, "DID not found"),
    S(VC_ERR_DID_DOCUMENT, "invalid DID document"),
    S(VC_ERR_DID_VM_NOT_FOUND, "verification method not found"),
    S(VC_ERR_SCHEMA, "JSON Schema validation failed"),
    S(VC_ERR_SCHEMA_COMPILE, "invalid or unsupported JSON Schema"),
    S(VC_ERR_SCHEMA_REF, "unresolvable $ref"),
    S(VC_ERR_SCHEMA_UNKNOWN, "no schema for this credential type"),
    S(VC_ERR_VOCAB_TERM, "undefined JSON-LD term"),
    S(VC_ERR_VOCAB_CONTEXT, "unknown or invalid JSON-LD context"),
    S(VC_ERR_VOCAB_VOCAB, "@vocab not allowed"),
    S(VC_ERR_DATA, "data file missing or unreadable"),
    S(VC_ERR_DATA_DIGEST, "data file does not match its pinned SHA-256"),
    S(VC_ERR_NET, "network request failed"),
    S(VC_ERR_NET_TIMEOUT, "network timeout"),
    S(VC_ERR_NET_TLS, "TLS failure"),
    S(VC_ERR_NET_HTTP, "unexpected HTTP status"),
    S(VC_ERR_NET_REDIRECT, "redirect refused"),
    S(VC_ERR_NET_CONTENT_TYPE, "unexpected content type"),
    S(VC_ERR_NET_ADDRESS, "address not allowed"),
    S(VC_ERR_NET_SCHEME, "URL scheme not allowed"),
    S(VC_ERR_NET_OFFLINE, "not available offline"),
    S(VC_ERR_NET_SIZE, "response too large"),
    S(VC_ERR_STATUS_REVOKED, "credential revoked"),
    S(VC_ERR_STATUS_SUSPENDED, "credential suspended"),
    S(VC_ERR_STATUS_UNAVAILABLE, "status list unavailable"),
    S(VC_ERR_STATUS_LIST, "invalid status list"),
    S(VC_ERR_TRUST_UNANCHORED, "issuer not anchored"),
    S(VC_ERR_TRUST_DIA, "invalid identity anchor"),
    S(VC_ERR_TRUST_UNTRUSTED, "anchor issuer not trusted"),
    S(VC_ERR_TRUST_LOOP, "anchor chain loops"),
    S(VC_ERR_TRUST_DEPTH, "anchor chain too long"),
    S(VC_ERR_CBOR, "invalid CBOR"),
    S(VC_ERR_COSE_FORMAT, "not a COSE_Sign1 structure"),
    S(VC_ERR_COSE_HEADER, "invalid COSE header"),
    S(VC_ERR_COSE_SIGNATURE, "COSE signature does not verify"),
    S(VC_ERR_CLAIM_UNVERIFIED, "claim not backed by a conformity credential"),
};
#undef S

static const struct status_entry *find_status(vc_status code)
{
    for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
        if (status_table[i].code == code)
            return &status_table[i];
    return NULL;
}

const char *vc_status_name(vc_status code)
{
    const struct status_entry *e = find_status(code);
    return e ? e->name : "VC_ERR_UNKNOWN";
}

const char *vc_status_description(vc_status code)
{
    const struct status_entry *e = find_status(code);
    return e ? e->description : "unknown status";
}

void vc_error_clear(vc_error *err)
{
    if (!err)
        return;
    err->code = VC_OK;
    err->message[0] = '\0';
    err->path[0] = '\0';
}

vc_status vc_fail(vc_error *err, vc_status code, const char *path, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    return code;
}

vc_status vc_error_copy(vc_error *dst, const vc_error *src)
{
    if (dst && dst != src)
        *dst = *src;
    return src->code;
}

void vc_free(void *p)
{
    free(p);
}

const char *vc_version(void)
{
    return VC_VERSION_STRING;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_ok;

static void do_init(void)
{
    init_ok = OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL) == 1;
}

vc_status vc_init(void)
{
    pthread_once(&init_once, do_init);
    return init_ok ? VC_OK : VC_ERR_CRYPTO;
}
