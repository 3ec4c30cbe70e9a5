/*
 * jws.c - compact JWS (RFC 7515) parse, verify and sign.
 *
 * Security decisions (each has a test in test_jose.c):
 *  - the algorithm allow-list is {EdDSA, ES256, ES384, ES512}; "none" and every
 *    other value (HS*, RS*, PS*) is refused at parse time, and at verification the
 *    header alg must be the one tied to the key's type, so a token can never pick
 *    the algorithm a key is used with;
 *  - "crit" is refused whatever it lists: libvc implements no JWS extension;
 *  - "b64": false (RFC 7797) and "zip" are refused;
 *  - embedded keys ("jwk", "jku", "x5c", "x5u") are never used to find the key;
 *  - base64url is strict (no padding, no other alphabets, canonical trailing bits);
 *  - the header must be a JSON object without duplicate keys and of bounded size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../crypto/crypto_internal.h"
#include "../internal.h"

struct vc_jws {
    char *header_json;      /* decoded protected header, NUL-terminated */
    json_t *header;         /* parsed header (owns alg/kid/typ/cty strings) */
    uint8_t *payload;       /* decoded payload, NUL-terminated */
    size_t payload_len;
    uint8_t *signature;
    size_t signature_len;
    char *signing_input;    /* "<b64 header>.<b64 payload>" */
    size_t signing_input_len;
};

static const char *const allowed_algs[] = {"EdDSA", "ES256", "ES384", "ES512"};

static int alg_allowed(const char *alg)
{
    for (size_t i = 0; i < sizeof allowed_algs / sizeof allowed_algs[0]; i++)
        if (strcmp(alg, allowed_algs[i]) == 0)
            return 1;
    return 0;
}

void vc_jws_free(vc_jws *jws)
{
    if (!jws)
        return;
    free(jws->header_json);
    json_decref(jws->header);
    free(jws->payload);
    free(jws->signature);
    free(jws->signing_input);
    free(jws);
}

/* Decode one base64url part, naming the part in errors. */
static vc_status decode_part(const char *s, size_t n, const char *part, uint8_t **out, size_t *out_len,
                             vc_error *err)
{
    vc_error e;
    if (vc_base64url_decode(s, n, out, out_len, &e) != VC_OK)
        return vc_fail(err, e.code, part, "JWS %s: %s", part, e.message);
    return VC_OK;
}

static vc_status check_header(json_t *h, vc_error *err)
{
    json_t *alg = json_object_get(h, "alg");
    if (!alg)
        return vc_fail(err, VC_ERR_JWS_ALG, "header.alg", "JWS header has no \"alg\"");
    if (!json_is_string(alg))
        return vc_fail(err, VC_ERR_JWS_ALG, "header.alg", "JWS header \"alg\" must be a string");
    const char *a = json_string_value(alg);
    if (strcmp(a, "none") == 0 || strcasecmp(a, "none") == 0)
        return vc_fail(err, VC_ERR_JWS_ALG_NONE, "header.alg", "unsecured JWS (\"alg\": \"none\") is refused");
    if (!alg_allowed(a))
        return vc_fail(err, VC_ERR_JWS_ALG, "header.alg",
                       "JWS algorithm \"%.40s\" is not allowed (allowed: EdDSA, ES256, ES384, ES512)", a);

    json_t *crit = json_object_get(h, "crit");
    if (crit) {
        if (!json_is_array(crit) || json_array_size(crit) == 0)
            return vc_fail(err, VC_ERR_JWS_CRIT, "header.crit", "JWS \"crit\" must be a non-empty array of names");
        json_t *first = json_array_get(crit, 0);
        return vc_fail(err, VC_ERR_JWS_CRIT, "header.crit",
                       "JWS header marks \"%.40s\" critical; libvc understands no critical extension",
                       json_is_string(first) ? json_string_value(first) : "(non-string)");
    }
    json_t *b64 = json_object_get(h, "b64");
    if (b64 && !json_is_true(b64))
        return vc_fail(err, VC_ERR_JWS_B64, "header.b64", "unencoded JWS payloads (\"b64\": false) are refused");
    if (json_object_get(h, "zip"))
        return vc_fail(err, VC_ERR_JWS_HEADER, "header.zip", "compressed JWS payloads (\"zip\") are refused");
    static const char *const string_members[] = {"kid", "typ", "cty"};
    for (size_t i = 0; i < 3; i++) {
        json_t *m = json_object_get(h, string_members[i]);
        if (m && (!json_is_string(m) || json_string_length(m) == 0)) {
            char path[32];
            snprintf(path, sizeof path, "header.%s", string_members[i]);
            return vc_fail(err, VC_ERR_JWS_HEADER, path, "JWS header \"%s\" must be a non-empty string",
                           string_members[i]);
        }
    }
    return VC_OK;
}

vc_status vc_jws_parse(const char *compact, size_t len, vc_jws **out, vc_error *err)
{
    if (!compact || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "jws_parse: NULL argument");
    *out = NULL;
    if (len > VC_MAX_INPUT_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "JWS of %zu bytes exceeds the %u-byte limit", len, VC_MAX_INPUT_BYTES);
    const char *d1 = memchr(compact, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - compact)) : NULL;
    if (!d1 || !d2)
        return vc_fail(err, VC_ERR_JWS_FORMAT, NULL, "not a compact JWS: expected three base64url parts separated by '.'");
    if (memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - compact)))
        return vc_fail(err, VC_ERR_JWS_FORMAT, NULL,
                       "more than three '.'-separated parts: JWE, JSON serialisation and SD-JWT are not accepted here");
    size_t hlen = (size_t)(d1 - compact), plen = (size_t)(d2 - d1 - 1), slen = len - (size_t)(d2 + 1 - compact);
    if (hlen == 0)
        return vc_fail(err, VC_ERR_JWS_FORMAT, "header", "compact JWS has an empty header part");
    if (hlen > (VC_MAX_HEADER_BYTES * 4) / 3 + 4)
        return vc_fail(err, VC_ERR_LIMIT, "header", "JWS protected header exceeds the %u-byte limit", VC_MAX_HEADER_BYTES);

    vc_jws *j = calloc(1, sizeof *j);
    if (!j)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    vc_status st;
    size_t header_len = 0;
    if ((st = decode_part(compact, hlen, "header", (uint8_t **)&j->header_json, &header_len, err)) != VC_OK)
        goto fail;
    if (memchr(j->header_json, '\0', header_len)) {
        st = vc_fail(err, VC_ERR_JWS_HEADER, "header", "JWS header contains a NUL byte");
        goto fail;
    }
    vc_error e;
    if (vc_json_parse(j->header_json, header_len, &j->header, &e) != VC_OK) {
        st = vc_fail(err, e.code == VC_ERR_JSON_DUPKEY ? VC_ERR_JSON_DUPKEY : VC_ERR_JWS_HEADER, "header",
                     "JWS protected header: %s", e.message);
        goto fail;
    }
    if (!json_is_object(j->header)) {
        st = vc_fail(err, VC_ERR_JWS_HEADER, "header", "JWS protected header is not a JSON object");
        goto fail;
    }
    /* The header is judged before the other parts are required, so that an unsecured
     * JWT ("<header>.<payload>.") is reported as alg none rather than as malformed. */
    if ((st = check_header(j->header, err)) != VC_OK)
        goto fail;
    if (plen == 0 || slen == 0) {
        st = vc_fail(err, VC_ERR_JWS_FORMAT, plen == 0 ? "payload" : "signature", "compact JWS has an empty %s part",
                     plen == 0 ? "payload" : "signature");
        goto fail;
    }
    if ((st = decode_part(d1 + 1, plen, "payload", &j->payload, &j->payload_len, err)) != VC_OK)
        goto fail;
    if ((st = decode_part(d2 + 1, slen, "signature", &j->signature, &j->signature_len, err)) != VC_OK)
        goto fail;
    j->signing_input_len = hlen + 1 + plen;
    j->signing_input = malloc(j->signing_input_len + 1);
    if (!j->signing_input) {
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        goto fail;
    }
    memcpy(j->signing_input, compact, j->signing_input_len);
    j->signing_input[j->signing_input_len] = '\0';
    *out = j;
    return VC_OK;
fail:
    vc_jws_free(j);
    return st;
}

vc_status vc_jws_verify(const vc_jws *jws, const vc_key *key, vc_error *err)
{
    if (!jws || !key)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "jws_verify: NULL argument");
    const char *alg = vc_jws_alg(jws);
    const char *want = vc_key_jose_alg(key);
    if (!want || strcmp(alg, want) != 0)
        return vc_fail(err, VC_ERR_JWS_ALG_KEY, "header.alg",
                       "JWS alg \"%s\" does not match the issuer's key, which requires \"%s\"", alg,
                       want ? want : "(unsupported)");
    vc_error e;
    vc_status st = vc_key_verify(key, alg, (const uint8_t *)jws->signing_input, jws->signing_input_len,
                                 jws->signature, jws->signature_len, &e);
    if (st == VC_ERR_JWS_SIGNATURE)
        return vc_fail(err, st, "signature", "the JWS signature does not verify with the issuer's key");
    if (st != VC_OK)
        return vc_error_copy(err, &e);
    return VC_OK;
}

const char *vc_jws_alg(const vc_jws *jws) { return jws ? vc_json_str(jws->header, "alg") : NULL; }
const char *vc_jws_kid(const vc_jws *jws) { return jws ? vc_json_str(jws->header, "kid") : NULL; }
const char *vc_jws_typ(const vc_jws *jws) { return jws ? vc_json_str(jws->header, "typ") : NULL; }
const char *vc_jws_cty(const vc_jws *jws) { return jws ? vc_json_str(jws->header, "cty") : NULL; }
const char *vc_jws_header_json(const vc_jws *jws) { return jws ? jws->header_json : NULL; }

const uint8_t *vc_jws_payload(const vc_jws *jws, size_t *len)
{
    if (!jws)
        return NULL;
    if (len)
        *len = jws->payload_len;
    return jws->payload;
}

/* An encoded protected header and what it was made from, in one malloc block;
 * the key keeps the first one made with it (vc_key_cache_jose_header), so that
 * signing many credentials with one key and kid encodes the header once. */
struct hdr_block {
    const char *typ, *cty, *kid; /* point into text[] or NULL */
    size_t b64_len;
    char text[]; /* b64 header, NUL, then typ, cty, kid each NUL-terminated when set */
};

static int same_opt(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

/* The header for (alg, typ, cty, kid), encoded: *out is a new block. */
static vc_status make_header(const char *alg, const char *typ, const char *cty, const char *kid,
                             struct hdr_block **out, vc_error *err)
{
    /* members in this order: alg, typ, cty, kid */
    vc_buf h = {0};
    vc_buf_reserve(&h, 48 + strlen(alg) + (typ ? strlen(typ) : 0) + (cty ? strlen(cty) : 0) + (kid ? strlen(kid) : 0));
    const char *names[] = {"alg", "typ", "cty", "kid"}, *values[] = {alg, typ, cty, kid};
    for (size_t i = 0; i < 4; i++) {
        if (!values[i])
            continue;
        vc_buf_puts(&h, h.n ? ",\"" : "{\"");
        vc_buf_puts(&h, names[i]);
        vc_buf_puts(&h, "\":");
        vc_buf_put_json_string(&h, values[i], strlen(values[i]));
    }
    vc_buf_put(&h, "}", 1);
    if (h.oom) {
        free(h.p);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    if (h.n > VC_MAX_HEADER_BYTES) {
        free(h.p);
        return vc_fail(err, VC_ERR_LIMIT, "header", "the JWS protected header would exceed the %u-byte limit",
                       VC_MAX_HEADER_BYTES);
    }
    size_t hl = vc_b64url_len(h.n), tl = typ ? strlen(typ) + 1 : 0, cl = cty ? strlen(cty) + 1 : 0,
           kl = kid ? strlen(kid) + 1 : 0;
    struct hdr_block *b = malloc(sizeof *b + hl + 1 + tl + cl + kl);
    if (!b) {
        free(h.p);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    b->b64_len = vc_b64url_encode_into((const uint8_t *)h.p, h.n, b->text);
    free(h.p);
    char *q = b->text + hl + 1;
    b->typ = typ ? memcpy(q, typ, tl) : NULL;
    q += tl;
    b->cty = cty ? memcpy(q, cty, cl) : NULL;
    q += cl;
    b->kid = kid ? memcpy(q, kid, kl) : NULL;
    *out = b;
    return VC_OK;
}

vc_status vc_jws_sign(const vc_key *key, const char *typ, const char *cty, const char *kid, const uint8_t *payload,
                      size_t payload_len, char **out, vc_error *err)
{
    if (!key || !out || (!payload && payload_len))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "jws_sign: NULL argument");
    *out = NULL;
    if (payload_len > VC_MAX_INPUT_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "payload of %zu bytes exceeds the %u-byte limit", payload_len,
                       VC_MAX_INPUT_BYTES);
    const char *alg = vc_key_jose_alg(key);
    if (!alg)
        return vc_fail(err, VC_ERR_KEY_TYPE, NULL, "key type cannot sign JWS");
    /* The key's cached header when it was made from the same typ, cty and kid (the
     * alg is the key's own); else a new one, which the key keeps if it has none. */
    const struct hdr_block *cached = vc_key_cached_jose_header(key), *hb = cached;
    struct hdr_block *made = NULL;
    if (!cached || !same_opt(cached->typ, typ) || !same_opt(cached->cty, cty) || !same_opt(cached->kid, kid)) {
        vc_status st = make_header(alg, typ, cty, kid, &made, err);
        if (st != VC_OK)
            return st;
        hb = made;
    }
    /* One buffer: "<b64 header>.<b64 payload>" is the signing input, then
     * ".<b64 signature>" (at most 132 bytes, ES512) is appended in place. */
    size_t hl = hb->b64_len, pl = vc_b64url_len(payload_len), cap = hl + 1 + pl + 1 + vc_b64url_len(132) + 1;
    char *res = malloc(cap);
    if (!res) {
        free(made);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    memcpy(res, hb->text, hl);
    if (made && !cached)
        vc_key_cache_jose_header(key, made); /* taken (or freed when another thread was first) */
    else
        free(made);
    res[hl] = '.';
    vc_b64url_encode_into(payload, payload_len, res + hl + 1);
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    vc_status st = vc_key_sign(key, alg, (const uint8_t *)res, hl + 1 + pl, &sig, &sig_len, err);
    if (st == VC_OK && sig_len > 132)
        st = vc_fail(err, VC_ERR_CRYPTO, "signature", "unexpected signature length %zu", sig_len);
    if (st != VC_OK) {
        free(sig);
        free(res);
        return st;
    }
    res[hl + 1 + pl] = '.';
    vc_b64url_encode_into(sig, sig_len, res + hl + 1 + pl + 1);
    free(sig);
    *out = res;
    return VC_OK;
}
