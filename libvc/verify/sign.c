/*
 * sign.c - secure an unsigned credential or presentation as vc+jwt / vp+jwt
 * (compact JWS) or vc+cose / vp+cose (COSE_Sign1), the enveloping proofs of
 * W3C VC-JOSE-COSE.
 *
 * The payload is the document itself with no JWT or CWT claims added: claims
 * that duplicate the credential can only disagree with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cose/cose_internal.h"
#include "verify_internal.h"
#include "vc/cose.h"

/* What settle_issuer added to the document. */
enum added { ADDED_NOTHING, ADDED_MEMBER, ADDED_NESTED_ID };

/* Fill in the issuer (credential) or holder (presentation) when absent; refuse a
 * conflicting one. *did_key is the key's did:key (new), used for defaults; *added
 * says what was added (a last top-level member, or an id inside the object). */
static vc_status settle_issuer(json_t *doc, int is_vp, const vc_key *key, const vc_sign_options *opts,
                               char **did_key, enum added *added, vc_error *err)
{
    *added = ADDED_NOTHING;
    const char *member = is_vp ? "holder" : "issuer";
    vc_error e;
    vc_status st = vc_did_key_from_key(key, did_key, &e);
    if (st != VC_OK && st != VC_ERR_KEY_TYPE)
        return vc_error_copy(err, &e);
    /* Key types without a did:key (P-521) can sign only for an explicit issuer. */
    json_t *cur = json_object_get(doc, member);
    if (!cur) {
        const char *value = opts && opts->issuer ? opts->issuer : *did_key;
        if (!value)
            return vc_fail(err, VC_ERR_INVALID_ARG, is_vp ? "/holder" : "/issuer",
                           "the document has no %s and this key type has no did:key: give --issuer", member);
        json_object_set_new(doc, member, json_string(value));
        *added = ADDED_MEMBER;
        return VC_OK;
    }
    if (json_is_object(cur) && !json_object_get(cur, "id")) {
        /* An issuer object with a name but no id: the signer's id goes in. */
        const char *value = opts && opts->issuer ? opts->issuer : *did_key;
        if (!value)
            return vc_fail(err, VC_ERR_INVALID_ARG, is_vp ? "/holder/id" : "/issuer/id",
                           "the %s object has no id and this key type has no did:key: give --issuer", member);
        json_object_set_new(cur, "id", json_string(value));
        *added = ADDED_NESTED_ID;
        return VC_OK;
    }
    const char *id = json_is_string(cur) ? json_string_value(cur) : vc_json_str(cur, "id");
    if (opts && opts->issuer && (!id || strcmp(id, opts->issuer) != 0))
        return vc_fail(err, is_vp ? VC_ERR_DM_HOLDER : VC_ERR_DM_ISSUER, is_vp ? "/holder" : "/issuer",
                       "the document names %s \"%.100s\" but --issuer says \"%.100s\"", member, id ? id : "(none)",
                       opts->issuer);
    return VC_OK;
}

/* A secured presentation (JOSE or COSE) may carry only enveloped (secured) credentials. */
static vc_status check_vp_credentials(const json_t *doc, vc_error *err)
{
    json_t *vcs = json_object_get(doc, "verifiableCredential");
    if (!vcs)
        return VC_OK;
    size_t n = json_is_array(vcs) ? json_array_size(vcs) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_is_array(vcs) ? json_array_get(vcs, i) : vcs;
        json_t *t = json_object_get(c, "type");
        int enveloped = json_is_string(t) && strcmp(json_string_value(t), "EnvelopedVerifiableCredential") == 0;
        if (json_is_array(t)) {
            size_t k;
            json_t *x;
            json_array_foreach(t, k, x) if (json_is_string(x) &&
                                            strcmp(json_string_value(x), "EnvelopedVerifiableCredential") == 0)
                enveloped = 1;
        }
        if (!enveloped) {
            char path[64];
            snprintf(path, sizeof path, "/verifiableCredential/%zu", i);
            return vc_fail(err, VC_ERR_UNSECURED, path,
                           "credentials in a secured presentation must themselves be secured "
                           "(EnvelopedVerifiableCredential); sign the credential first");
        }
    }
    return VC_OK;
}

vc_status vc_sign(const vc_key *key, const char *json, size_t len, const vc_sign_options *opts, char **out,
                  vc_error *err)
{
    if (!key || !json || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "sign: NULL argument");
    *out = NULL;
    if (opts && opts->kid && !opts->kid[0])
        return vc_fail(err, VC_ERR_INVALID_ARG, "kid", "the kid must not be empty");
    if (opts && opts->issuer && !vc_is_url(opts->issuer))
        return vc_fail(err, VC_ERR_INVALID_ARG, "issuer", "the issuer \"%.100s\" is not a URL or DID", opts->issuer);
    if (opts && opts->format != VC_FORMAT_JWT && opts->format != VC_FORMAT_COSE)
        return vc_fail(err, VC_ERR_INVALID_ARG, "format", "unknown securing format %d (VC_FORMAT_JWT or VC_FORMAT_COSE)",
                       (int)opts->format);
    int cose = opts && opts->format == VC_FORMAT_COSE;
    if (!vc_key_has_private(key))
        return vc_fail(err, VC_ERR_KEY_NO_PRIVATE, NULL, "signing needs a private key; the key given is public only");
    json_t *doc = NULL;
    char *did_key = NULL, *vm_id = NULL, *payload = NULL, *jws = NULL, *b64 = NULL;
    size_t payload_len = 0;
    uint8_t *cose_bytes = NULL;
    size_t cose_len = 0;
    int has_ws = 1;
    vc_status st = vc_json_parse_ws(json, len, &doc, &has_ws, err);
    if (st != VC_OK)
        return st;
    if (!json_is_object(doc)) {
        json_decref(doc);
        return vc_fail(err, VC_ERR_JSON_TYPE, "", "expected a JSON object");
    }
    int is_vp = vc_dm_is_presentation(doc);

    enum added added;
    if ((st = settle_issuer(doc, is_vp, key, opts, &did_key, &added, err)) != VC_OK)
        goto done;
    if ((st = vc_dm_check(doc, 0, NULL, err)) != VC_OK)
        goto done;
    /* The payload is the JWT claims set: the VC 1.1 "vc"/"vp" claims must not be in it
     * (VC-JOSE-COSE), and verify refuses them, so never sign them. */
    static const char *const forbidden[] = {"vc", "vp"};
    for (size_t i = 0; i < 2; i++)
        if (json_object_get(doc, forbidden[i])) {
            char path[8];
            snprintf(path, sizeof path, "/%s", forbidden[i]);
            st = vc_fail(err, VC_ERR_DM_CLAIMS, path,
                         "a \"%s\" member would be the VC 1.1 JWT claim, which VC-JOSE-COSE forbids; remove it",
                         forbidden[i]);
            goto done;
        }
    if (is_vp && (st = check_vp_credentials(doc, err)) != VC_OK)
        goto done;

    const char *issuer = is_vp ? vc_json_str(doc, "holder") : vc_dm_issuer_id(doc);
    if (!issuer && is_vp) {
        json_t *h = json_object_get(doc, "holder");
        issuer = vc_json_str(h, "id");
    }
    int issuer_is_own_did_key = issuer && did_key && strcmp(issuer, did_key) == 0;
    if (issuer && strncmp(issuer, "did:key:", 8) == 0 && !issuer_is_own_did_key) {
        st = vc_fail(err, is_vp ? VC_ERR_DM_HOLDER : VC_ERR_DM_ISSUER, is_vp ? "/holder" : "/issuer",
                     "%s %.120s is a did:key of another key than the signing key (%.120s)",
                     is_vp ? "holder" : "issuer", issuer, did_key ? did_key : "none");
        goto done;
    }

    const char *kid = opts ? opts->kid : NULL;
    if (!kid && issuer_is_own_did_key) {
        /* The did:key method id, "did:key:<mb>#<mb>" (what vc_did_key_vm_id returns),
         * from the did:key already computed: the base58 encoding is done once. */
        const char *mb = did_key + 8; /* after "did:key:" (issuer_is_own_did_key: it is one) */
        size_t dl = strlen(did_key), ml = strlen(mb);
        vm_id = malloc(dl + 1 + ml + 1);
        if (!vm_id) {
            st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
            goto done;
        }
        memcpy(vm_id, did_key, dl);
        vm_id[dl] = '#';
        memcpy(vm_id + dl + 1, mb, ml + 1);
        kid = vm_id;
    }
    if (!kid)
        kid = vc_key_get_kid(key);
    if (!kid) {
        st = vc_fail(err, VC_ERR_INVALID_ARG, "kid",
                     "no kid: give the verification method id of the issuer's key (--kid), e.g. %.100s#key-1",
                     issuer ? issuer : "did:web:example.com");
        goto done;
    }

    /* The payload is the signer's own text without insignificant white space (the
     * same tokens, so numbers keep their digits and strings their escapes), plus
     * the issuer or holder when it was filled in. Re-serialising the parsed value
     * would cost more than the rest of signing and could round numbers. */
    vc_buf pb = {0};
    const char *pay = NULL; /* the payload bytes: payload, or json itself */
    if (added == ADDED_NESTED_ID) {
        payload = vc_json_dump(doc);
        payload_len = payload ? strlen(payload) : 0;
    } else if (added == ADDED_NOTHING && !has_ws) {
        pay = json; /* already compact: signed as given */
        payload_len = len;
    } else {
        const char *filled = added == ADDED_MEMBER ? vc_json_str(doc, is_vp ? "holder" : "issuer") : NULL;
        vc_buf_reserve(&pb, len + 32 + (filled ? strlen(filled) : 0));
        if (has_ws)
            vc_json_compact(json, len, &pb);
        else
            vc_buf_put(&pb, json, len);
        if (added == ADDED_MEMBER && !pb.oom) {
            /* The text is an object: "{...}". Its new last member goes before the '}'. */
            const char *member = is_vp ? "holder" : "issuer";
            const char *value = vc_json_str(doc, member);
            pb.n--;
            vc_buf_puts(&pb, pb.n > 1 ? ",\"" : "\"");
            vc_buf_puts(&pb, member);
            vc_buf_puts(&pb, "\":");
            vc_buf_put_json_string(&pb, value, strlen(value));
            vc_buf_put(&pb, "}", 1);
        }
        if (pb.oom)
            free(pb.p);
        else {
            payload = pb.p;
            payload_len = pb.n;
        }
    }
    if (!pay && !(pay = payload)) {
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        goto done;
    }
    if (cose) {
        /* vc+cose: typ and content type are media types (RFC 9596, VC-JOSE-COSE section 3.3). */
        if ((st = vc_cose_sign1(key, is_vp ? "application/vp+cose" : "application/vc+cose",
                                is_vp ? "application/vp" : "application/vc", kid, (const uint8_t *)pay,
                                payload_len, &cose_bytes, &cose_len, err)) != VC_OK)
            goto done;
        /* bare: base64url text (vc_sign returns text); enveloped: standard base64 in the data: URL (RFC 2397). */
        if ((st = opts->bare ? vc_base64url_encode(cose_bytes, cose_len, &jws, err)
                             : vc_base64_encode(cose_bytes, cose_len, &b64, err)) != VC_OK)
            goto done;
    } else if ((st = vc_jws_sign(key, is_vp ? "vp+jwt" : "vc+jwt", is_vp ? "vp" : "vc", kid,
                                 (const uint8_t *)pay, payload_len, &jws, err)) != VC_OK)
        goto done;
    if (opts && opts->bare) {
        *out = jws;
        jws = NULL;
        goto done;
    }

    /* EnvelopedVerifiableCredential: the document's own contexts, the type, the data: URL. */
    json_t *env = json_object();
    json_t *ctx = json_object_get(doc, "@context");
    json_object_set(env, "@context", ctx);
    json_object_set_new(env, "type",
                        json_string(is_vp ? "EnvelopedVerifiablePresentation" : "EnvelopedVerifiableCredential"));
    const char *prefix = cose ? (is_vp ? "data:application/vp+cose;base64," : "data:application/vc+cose;base64,")
                              : (is_vp ? "data:application/vp+jwt," : "data:application/vc+jwt,");
    const char *data = cose ? b64 : jws;
    size_t n = strlen(prefix) + strlen(data) + 1;
    char *id = malloc(n);
    if (!id) {
        json_decref(env);
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        goto done;
    }
    snprintf(id, n, "%s%s", prefix, data);
    json_object_set_new(env, "id", json_string(id));
    free(id);
    *out = json_dumps(env, JSON_PRESERVE_ORDER | JSON_INDENT(2));
    json_decref(env);
    if (!*out)
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
done:
    json_decref(doc);
    free(did_key);
    free(vm_id);
    free(payload);
    free(jws);
    free(b64);
    free(cose_bytes);
    return st;
}
