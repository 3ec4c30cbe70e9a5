/*
 * didkey.c - the built-in, self-certifying DID methods: did:key
 * (https://w3c-ccg.github.io/did-method-key/) and did:jwk
 * (https://github.com/quartzjer/did-jwk/blob/main/spec.md). Both turn the DID
 * itself into a document; no network, no state.
 *
 * did:key errors (the did:key spec's names in brackets):
 *   VC_ERR_DID_SYNTAX  not 'z' + base58btc, no multicodec varint, or not the
 *                      canonical encoding of the key [invalidDid]
 *   VC_ERR_KEY_TYPE    a key type libvc does not verify with: P-521, secp256k1,
 *                      X25519, BLS12-381, RSA, ... [unsupported public key type]
 *   VC_ERR_KEY         bytes of the right type that are no valid key
 *                      [invalidPublicKey / invalidPublicKeyLength]
 */
#include <stdlib.h>
#include <string.h>

#include "did_internal.h"

#define DID_KEY_PREFIX "did:key:"
#define DID_JWK_PREFIX "did:jwk:"
#define DID_CONTEXT_V1 "https://www.w3.org/ns/did/v1"
#define MULTIKEY_CONTEXT_V1 "https://w3id.org/security/multikey/v1"
#define JWK_CONTEXT_V1 "https://w3id.org/security/jwk/v1"

const char *const vc_did_jwk_private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k", NULL};

/* Public key multicodecs (https://github.com/multiformats/multicodec) that a
 * did:key may hold; `supported` marks those libvc verifies with. */
struct key_codec {
    uint64_t code;
    const char *name;
    int supported;
};

static const struct key_codec key_codecs[] = {
    {0xed, "Ed25519", 1},
    {0x1200, "P-256", 1},
    {0x1201, "P-384", 1},
    {0x1202, "P-521", 0}, /* JOSE can use it, but did:key support stops at P-384 like vc_key_from_multikey */
    {0x1203, "Ed448", 0},
    {0x1204, "X448", 0},
    {0x1205, "RSA", 0},
    {0x1206, "SM2", 0},
    {0xe7, "secp256k1", 0},
    {0xea, "BLS12-381 G1", 0},
    {0xeb, "BLS12-381 G2", 0},
    {0xec, "X25519", 0},
    {0xee, "BLS12-381 G1+G2", 0},
};

static const struct key_codec *find_codec(uint64_t code)
{
    for (size_t i = 0; i < sizeof key_codecs / sizeof key_codecs[0]; i++)
        if (key_codecs[i].code == code)
            return &key_codecs[i];
    return NULL;
}

/* a + sep + b as a new string; NULL when out of memory. */
static char *concat3(const char *a, const char *sep, const char *b)
{
    size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
    char *o = malloc(la + ls + lb + 1);
    if (!o)
        return NULL;
    memcpy(o, a, la);
    memcpy(o + la, sep, ls);
    memcpy(o + la + ls, b, lb + 1);
    return o;
}

/*
 * Decode the multikey of a did:key into a public key, checking that the key type
 * is one libvc verifies with before handing the bytes to the crypto module, and
 * that the DID is the canonical encoding of that key (one key, one DID).
 */
static vc_status did_key_decode(const char *did, vc_key **out, vc_error *err)
{
    char q[VC_DID_QUOTE_BUF];
    const char *mb = did + strlen(DID_KEY_PREFIX);
    if (mb[0] != 'z')
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                       "%s is not a did:key: the method-specific id must be a base58btc multibase value "
                       "starting with 'z'",
                       vc_did_quote(did, q));

    /* Find the multicodec first, to name an unsupported key type precisely. */
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    vc_error e;
    if (vc_base58_decode(mb + 1, strlen(mb + 1), &raw, &raw_len, &e) != VC_OK) {
        if (e.code == VC_ERR_NOMEM)
            return vc_error_copy(err, &e);
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "%s is not a did:key: %s", vc_did_quote(did, q), e.message);
    }
    uint64_t codec = 0;
    size_t used = vc_varint_decode(raw, raw_len, &codec);
    size_t key_len = raw_len - used;
    free(raw);
    if (used == 0)
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                       "%s is not a did:key: its value does not start with a multicodec varint",
                       vc_did_quote(did, q));
    const struct key_codec *kc = find_codec(codec);
    if (!kc)
        return vc_fail(err, VC_ERR_KEY_TYPE, NULL,
                       "%s holds multicodec 0x%llx, which is not a public key type libvc knows "
                       "(did:key supports Ed25519, P-256 and P-384)",
                       vc_did_quote(did, q), (unsigned long long)codec);
    if (!kc->supported)
        return vc_fail(err, VC_ERR_KEY_TYPE, NULL,
                       "%s holds a %s key; libvc verifies did:key with Ed25519, P-256 and P-384 keys only",
                       vc_did_quote(did, q), kc->name);

    vc_key *key = NULL;
    if (vc_key_from_multikey(mb, &key, &e) != VC_OK) {
        vc_status code = e.code == VC_ERR_MULTIBASE ? VC_ERR_DID_SYNTAX : e.code;
        return vc_fail(err, code, NULL, "%s: bad %s key of %zu bytes: %s", vc_did_quote(did, q), kc->name,
                       key_len, e.message);
    }
    char *again = NULL;
    if (vc_key_to_multikey(key, &again, &e) != VC_OK) {
        vc_key_free(key);
        return vc_error_copy(err, &e);
    }
    int canonical = strcmp(again, mb) == 0;
    free(again);
    if (!canonical) {
        vc_key_free(key);
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                       "%s is not the canonical did:key of its key (a compressed point is required)",
                       vc_did_quote(did, q));
    }
    *out = key;
    return VC_OK;
}

/* Add the relations in `names` (NULL-terminated), each listing the method vm_id. */
static int add_relations(json_t *doc, const char *const *names, const char *vm_id)
{
    for (size_t i = 0; names[i]; i++)
        if (json_object_set_new(doc, names[i], json_pack("[s]", vm_id)) != 0)
            return -1;
    return 0;
}

static const char *const signing_relations[] = {"authentication", "assertionMethod", "capabilityInvocation",
                                                "capabilityDelegation", NULL};

vc_status vc_did_key_document(const char *did, json_t **doc, vc_error *err)
{
    vc_key *key = NULL;
    vc_status st = did_key_decode(did, &key, err);
    if (st != VC_OK)
        return st;
    vc_key_free(key); /* decoded to validate only: the document carries the multibase text */

    const char *mb = did + strlen(DID_KEY_PREFIX);
    char *vm_id = concat3(did, "#", mb);
    json_t *d = vm_id ? json_pack("{s:[s,s],s:s,s:[{s:s,s:s,s:s,s:s}]}", "@context", DID_CONTEXT_V1,
                                  MULTIKEY_CONTEXT_V1, "id", did, "verificationMethod", "id", vm_id, "type",
                                  "Multikey", "controller", did, "publicKeyMultibase", mb)
                      : NULL;
    if (!d || add_relations(d, signing_relations, vm_id) != 0) {
        json_decref(d);
        free(vm_id);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    free(vm_id);
    *doc = d;
    return VC_OK;
}

vc_status vc_did_jwk_document(const char *did, json_t **doc, vc_error *err)
{
    char q[VC_DID_QUOTE_BUF];
    const char *b64 = did + strlen(DID_JWK_PREFIX);
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    vc_error e;
    if (vc_base64url_decode(b64, strlen(b64), &raw, &raw_len, &e) != VC_OK) {
        if (e.code == VC_ERR_NOMEM)
            return vc_error_copy(err, &e);
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                       "%s is not a did:jwk: the method-specific id must be unpadded base64url of a JWK: %s",
                       vc_did_quote(did, q), e.message);
    }
    json_t *jwk = NULL;
    if (vc_json_parse_object((const char *)raw, raw_len, &jwk, &e) != VC_OK) {
        free(raw);
        if (e.code == VC_ERR_NOMEM)
            return vc_error_copy(err, &e);
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "%s is not a did:jwk: its value is not a JSON object: %s",
                       vc_did_quote(did, q), e.message);
    }
    /* A JWK, not a verification method object (which vc_key_from_jwk would also take). */
    if (!json_is_string(json_object_get(jwk, "kty")) || json_object_get(jwk, "publicKeyJwk")) {
        free(raw);
        json_decref(jwk);
        return vc_fail(err, VC_ERR_DID_SYNTAX, NULL, "%s is not a did:jwk: its JSON is not a JWK (no \"kty\")",
                       vc_did_quote(did, q));
    }
    for (size_t i = 0; vc_did_jwk_private_members[i]; i++) {
        if (json_object_get(jwk, vc_did_jwk_private_members[i])) {
            free(raw);
            json_decref(jwk);
            return vc_fail(err, VC_ERR_DID_SYNTAX, NULL,
                           "%s embeds private key material (JWK member \"%s\"); a did:jwk must hold "
                           "a public key only - treat that private key as compromised",
                           vc_did_quote(did, q), vc_did_jwk_private_members[i]);
        }
    }
    /* Validate the key. "use" is left out: the key module refuses "enc" keys,
     * but such a did:jwk is still valid (it only gets keyAgreement, below). */
    free(raw);
    json_t *bare = json_copy(jwk);
    char *bare_text = NULL;
    if (!bare || (json_object_del(bare, "use"), !(bare_text = vc_json_dump(bare)))) {
        json_decref(bare);
        json_decref(jwk);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    json_decref(bare);
    vc_key *key = NULL;
    vc_status st = vc_key_from_jwk(bare_text, strlen(bare_text), &key, &e);
    free(bare_text);
    if (st != VC_OK) {
        json_decref(jwk);
        return vc_fail(err, st, NULL, "%s: %s", vc_did_quote(did, q), e.message);
    }
    vc_key_free(key);

    /* did:jwk spec, "Read": a JWK marked for encryption only gets keyAgreement, one
     * marked for signatures only gets the four signing relations, others get both. */
    const char *use = vc_json_str(jwk, "use");
    char *vm_id = concat3(did, "#", "0");
    json_t *d = vm_id ? json_pack("{s:[s,s],s:s,s:[{s:s,s:s,s:s,s:O}]}", "@context", DID_CONTEXT_V1,
                                  JWK_CONTEXT_V1, "id", did, "verificationMethod", "id", vm_id, "type",
                                  "JsonWebKey", "controller", did, "publicKeyJwk", jwk)
                      : NULL;
    static const char *const agreement[] = {"keyAgreement", NULL};
    int bad = !d;
    if (!bad && !(use && strcmp(use, "enc") == 0))
        bad = add_relations(d, signing_relations, vm_id) != 0;
    if (!bad && !(use && strcmp(use, "sig") == 0))
        bad = add_relations(d, agreement, vm_id) != 0;
    json_decref(jwk);
    free(vm_id);
    if (bad) {
        json_decref(d);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    *doc = d;
    return VC_OK;
}

vc_status vc_did_key_from_key(const vc_key *key, char **out, vc_error *err)
{
    if (out)
        *out = NULL;
    if (!key || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_did_key_from_key: NULL argument");
    char *mb = NULL;
    vc_status st = vc_key_to_multikey(key, &mb, err);
    if (st != VC_OK)
        return st;
    *out = concat3(DID_KEY_PREFIX, "", mb);
    free(mb);
    return *out ? VC_OK : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
}

vc_status vc_did_key_vm_id(const vc_key *key, char **out, vc_error *err)
{
    if (out)
        *out = NULL;
    if (!key || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_did_key_vm_id: NULL argument");
    char *mb = NULL;
    vc_status st = vc_key_to_multikey(key, &mb, err);
    if (st != VC_OK)
        return st;
    char *did = concat3(DID_KEY_PREFIX, "", mb);
    *out = did ? concat3(did, "#", mb) : NULL;
    free(did);
    free(mb);
    return *out ? VC_OK : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
}

vc_status vc_did_jwk_from_key(const vc_key *key, char **out, vc_error *err)
{
    if (out)
        *out = NULL;
    if (!key || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_did_jwk_from_key: NULL argument");
    char *text = NULL;
    vc_status st = vc_key_to_jwk(key, 0, &text, err);
    if (st != VC_OK)
        return st;
    json_t *full = NULL;
    st = vc_json_parse_object(text, strlen(text), &full, err);
    free(text);
    if (st != VC_OK)
        return st;

    /* Keep the RFC 7638 thumbprint members only, in their lexicographic order, so
     * that one key has one did:jwk whatever kid/alg it was imported with. */
    static const char *const members[] = {"crv", "kty", "x", "y", NULL};
    json_t *canon = json_object();
    int bad = !canon;
    for (size_t i = 0; !bad && members[i]; i++) {
        json_t *v = json_object_get(full, members[i]);
        if (v)
            bad = json_object_set(canon, members[i], v) != 0;
    }
    json_decref(full);
    char *compact = bad ? NULL : vc_json_dump(canon);
    json_decref(canon);
    if (!compact)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    char *b64 = NULL;
    st = vc_base64url_encode((const uint8_t *)compact, strlen(compact), &b64, err);
    free(compact);
    if (st != VC_OK)
        return st;
    *out = concat3(DID_JWK_PREFIX, "", b64);
    free(b64);
    return *out ? VC_OK : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
}
