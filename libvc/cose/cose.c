/*
 * cose.c - COSE_Sign1 (RFC 9052) for vc+cose / vp+cose: sign, parse, verify.
 *
 * The CBOR rules (strict checking, deterministic encoding) live in
 * cbor_strict.c; this file applies the COSE rules on libcbor's decoded items and
 * calls the key layer for the signature, which is the same raw form JOSE uses
 * (Ed25519 64 bytes, ECDSA r||s).
 */
#include <math.h> /* isfinite */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor_strict.h"
#include "cose_internal.h"

#define COSE_SIGN1_TAG 18

struct vc_cose {
    int tagged;
    int64_t alg;
    uint8_t *prot;
    size_t prot_len;
    uint8_t *payload;
    size_t payload_len;
    uint8_t *sig;
    size_t sig_len;
    char *kid, *typ, *cty;
    char *cwt_iss, *cwt_sub;
    int has_exp, has_nbf;
    int64_t exp, nbf;
};

/* ------------------------------------------------------------ algorithms */

int vc_cose_alg_for_key(const vc_key *key)
{
    if (!key)
        return 0;
    switch (vc_key_get_type(key)) {
    case VC_KEY_ED25519: return VC_COSE_ALG_EDDSA;
    case VC_KEY_P256: return VC_COSE_ALG_ES256;
    case VC_KEY_P384: return VC_COSE_ALG_ES384;
    case VC_KEY_P521: return VC_COSE_ALG_ES512;
    default: return 0;
    }
}

const char *vc_cose_alg_name(int64_t alg)
{
    switch (alg) {
    case VC_COSE_ALG_EDDSA: return "EdDSA";
    case VC_COSE_ALG_ES256: return "ES256";
    case VC_COSE_ALG_ES384: return "ES384";
    case VC_COSE_ALG_ES512: return "ES512";
    default: return NULL;
    }
}

static const char *key_type_name(const vc_key *key)
{
    switch (vc_key_get_type(key)) {
    case VC_KEY_ED25519: return "Ed25519";
    case VC_KEY_P256: return "P-256";
    case VC_KEY_P384: return "P-384";
    case VC_KEY_P521: return "P-521";
    default: return "unknown";
    }
}

/* Names of some algorithms that are refused, for messages. */
static const char *refused_alg_name(int64_t alg)
{
    switch (alg) {
    case 0: return "reserved";
    case -19: return "Ed25519";
    case -9: return "ESP256";
    case -257: return "RS256";
    case -258: return "RS384";
    case -259: return "RS512";
    case -37: return "PS256";
    case -47: return "ES256K";
    case 4: return "HMAC 256/64";
    case 5: return "HMAC 256/256";
    case 6: return "HMAC 384/384";
    case 7: return "HMAC 512/512";
    default: return "unknown";
    }
}

/* ------------------------------------------------------------ encoding */

static vc_status cbuf_take(vc_cbuf *b, uint8_t **out, size_t *out_len, vc_error *err)
{
    if (b->failed) {
        vc_cbuf_free(b);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    if (!b->data) {
        b->data = malloc(1);
        if (!b->data)
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    *out = b->data;
    *out_len = b->len;
    memset(b, 0, sizeof *b);
    return VC_OK;
}

vc_status vc_cose_protected_header(int alg, const char *typ, const char *cty, const char *kid, uint8_t **out,
                                   size_t *out_len, vc_error *err)
{
    vc_cmap m;
    memset(&m, 0, sizeof m);
    vc_cbuf b = {0};
    int i = vc_cmap_add(&m);
    vc_cbuf_int(&m.key[i], VC_COSE_HDR_ALG);
    vc_cbuf_int(&m.value[i], alg);
    if (cty) {
        i = vc_cmap_add(&m);
        vc_cbuf_int(&m.key[i], VC_COSE_HDR_CONTENT_TYPE);
        vc_cbuf_tstr(&m.value[i], cty, strlen(cty));
    }
    if (kid) {
        i = vc_cmap_add(&m);
        vc_cbuf_int(&m.key[i], VC_COSE_HDR_KID);
        vc_cbuf_bstr(&m.value[i], kid, strlen(kid));
    }
    if (typ) {
        i = vc_cmap_add(&m);
        vc_cbuf_int(&m.key[i], VC_COSE_HDR_TYP);
        vc_cbuf_tstr(&m.value[i], typ, strlen(typ));
    }
    vc_status st = vc_cmap_encode(&m, &b, err);
    if (st != VC_OK) {
        vc_cbuf_free(&b);
        return st;
    }
    return cbuf_take(&b, out, out_len, err);
}

vc_status vc_cose_tbs(const uint8_t *protected_hdr, size_t protected_len, const uint8_t *payload, size_t payload_len,
                      uint8_t **out, size_t *out_len, vc_error *err)
{
    vc_cbuf b = {0};
    vc_cbuf_head(&b, VC_CBOR_ARRAY, 4);
    vc_cbuf_tstr(&b, "Signature1", 10);
    vc_cbuf_bstr(&b, protected_hdr, protected_len);
    vc_cbuf_bstr(&b, NULL, 0); /* external_aad: none */
    vc_cbuf_bstr(&b, payload, payload_len);
    return cbuf_take(&b, out, out_len, err);
}

vc_status vc_cose_assemble(int tagged, const uint8_t *protected_hdr, size_t protected_len, const uint8_t *unprotected,
                           size_t unprotected_len, const uint8_t *payload, size_t payload_len, const uint8_t *sig,
                           size_t sig_len, uint8_t **out, size_t *out_len, vc_error *err)
{
    vc_cbuf b = {0};
    if (tagged)
        vc_cbuf_head(&b, VC_CBOR_TAG, COSE_SIGN1_TAG);
    vc_cbuf_head(&b, VC_CBOR_ARRAY, 4);
    vc_cbuf_bstr(&b, protected_hdr, protected_len);
    if (unprotected)
        vc_cbuf_raw(&b, unprotected, unprotected_len);
    else
        vc_cbuf_head(&b, VC_CBOR_MAP, 0);
    if (payload)
        vc_cbuf_bstr(&b, payload, payload_len);
    else
        vc_cbuf_raw(&b, "\xf6", 1); /* nil */
    vc_cbuf_bstr(&b, sig, sig_len);
    return cbuf_take(&b, out, out_len, err);
}

vc_status vc_cose_sign1(const vc_key *key, const char *typ, const char *cty, const char *kid, const uint8_t *payload,
                        size_t payload_len, uint8_t **out, size_t *out_len, vc_error *err)
{
    if (!key || !out || !out_len || (!payload && payload_len))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "cose_sign1: NULL argument");
    *out = NULL;
    *out_len = 0;
    if ((typ && !*typ) || (cty && !*cty) || (kid && !*kid))
        return vc_fail(err, VC_ERR_INVALID_ARG, typ && !*typ ? "typ" : cty && !*cty ? "cty" : "kid",
                       "COSE header values must not be empty strings (pass NULL to leave one out)");
    if (payload_len > VC_MAX_INPUT_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, "payload", "a payload of %zu bytes exceeds the %u-byte limit", payload_len,
                       VC_MAX_INPUT_BYTES);
    if (!vc_key_has_private(key))
        return vc_fail(err, VC_ERR_KEY_NO_PRIVATE, NULL, "signing needs a private key; the key given is public only");
    int alg = vc_cose_alg_for_key(key);
    const char *name = vc_cose_alg_name(alg);
    if (!name)
        return vc_fail(err, VC_ERR_KEY_TYPE, NULL, "this key type has no COSE algorithm in libvc");

    uint8_t *prot = NULL, *tbs = NULL, *sig = NULL;
    size_t prot_len = 0, tbs_len = 0, sig_len = 0;
    vc_status st = vc_cose_protected_header(alg, typ, cty, kid, &prot, &prot_len, err);
    if (st == VC_OK)
        st = vc_cose_tbs(prot, prot_len, payload, payload_len, &tbs, &tbs_len, err);
    if (st == VC_OK)
        st = vc_key_sign(key, name, tbs, tbs_len, &sig, &sig_len, err);
    if (st == VC_OK)
        st = vc_cose_assemble(1, prot, prot_len, NULL, 0, payload ? payload : (const uint8_t *)"", payload_len, sig,
                              sig_len, out, out_len, err);
    if (st == VC_OK && *out_len > VC_MAX_INPUT_BYTES) {
        free(*out);
        *out = NULL;
        *out_len = 0;
        st = vc_fail(err, VC_ERR_LIMIT, "payload", "the COSE object would exceed the %u-byte input limit",
                     VC_MAX_INPUT_BYTES);
    }
    free(prot);
    free(tbs);
    vc_free(sig);
    return st;
}

/* ------------------------------------------------------------ parsing */

/* A header label: an integer (num; when beyond int64, big is set, num is the sign
 * and raw the encoded argument) or a text string (s, n). */
struct label {
    int text, big;
    int64_t num;
    uint64_t raw;
    const uint8_t *s;
    size_t n;
};

static int label_of(const cbor_item_t *k, struct label *l)
{
    memset(l, 0, sizeof *l);
    if (cbor_isa_uint(k)) {
        uint64_t v = cbor_get_int(k);
        if (v > (uint64_t)INT64_MAX) {
            l->big = 1;
            l->num = 1;
            l->raw = v;
        } else
            l->num = (int64_t)v;
        return 1;
    }
    if (cbor_isa_negint(k)) {
        uint64_t v = cbor_get_int(k);
        if (v > (uint64_t)INT64_MAX) {
            l->big = 1;
            l->num = -1;
            l->raw = v;
        } else
            l->num = -1 - (int64_t)v;
        return 1;
    }
    if (cbor_isa_string(k)) {
        l->text = 1;
        l->s = cbor_string_handle(k);
        l->n = cbor_string_length(k);
        return 1;
    }
    return 0;
}

static void label_describe(const struct label *l, char *buf, size_t cap)
{
    if (l->text)
        snprintf(buf, cap, "\"%.*s\"", (int)(l->n > 40 ? 40 : l->n), (const char *)l->s);
    else if (l->big)
        snprintf(buf, cap, "%s", l->num > 0 ? "(an integer above 2^63)" : "(an integer below -2^63)");
    else
        snprintf(buf, cap, "%lld", (long long)l->num);
}

/* A copy of a text item as a C string; NULL (and *nul set) when it holds a NUL. */
static char *text_dup(const cbor_item_t *t, int *nul)
{
    size_t n = cbor_string_length(t);
    const unsigned char *p = cbor_string_handle(t);
    *nul = n && memchr(p, 0, n) != NULL;
    if (*nul)
        return NULL;
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* A number (integer or finite float) as whole seconds; 0 when not one. */
static int number_of(const cbor_item_t *v, int64_t *out)
{
    if (cbor_isa_uint(v)) {
        uint64_t x = cbor_get_int(v);
        if (x > (uint64_t)INT64_MAX)
            return 0;
        *out = (int64_t)x;
        return 1;
    }
    if (cbor_isa_negint(v)) {
        uint64_t x = cbor_get_int(v);
        if (x > (uint64_t)INT64_MAX)
            return 0;
        *out = -1 - (int64_t)x;
        return 1;
    }
    if (cbor_isa_float_ctrl(v) && cbor_is_float(v)) {
        double d = cbor_float_get_float(v);
        if (!isfinite(d) || d >= 9.2e18 || d <= -9.2e18)
            return 0;
        int64_t t = (int64_t)d; /* toward zero; floor for negative fractions */
        *out = (double)t > d ? t - 1 : t;
        return 1;
    }
    return 0;
}

static vc_status header_fail(vc_error *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* VC_ERR_COSE_HEADER at "header.<field>". */
static vc_status header_fail(vc_error *err, const char *field, const char *fmt, ...)
{
    char path[64], msg[VC_ERROR_MESSAGE_MAX];
    snprintf(path, sizeof path, "header.%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return vc_fail(err, VC_ERR_COSE_HEADER, path, "%s", msg);
}

static vc_status read_cwt_claims(vc_cose *c, const cbor_item_t *map, vc_error *err)
{
    if (!cbor_isa_map(map))
        return header_fail(err, "cwt", "the CWT claims (15) must be a map");
    size_t n = cbor_map_size(map);
    struct cbor_pair *pairs = cbor_map_handle(map);
    for (size_t i = 0; i < n; i++) {
        struct label l;
        if (!label_of(pairs[i].key, &l))
            return header_fail(err, "cwt", "a CWT claim key must be an integer or text");
        if (l.text || l.big)
            continue;
        const cbor_item_t *v = pairs[i].value;
        int64_t t;
        int nul = 0;
        switch (l.num) {
        case 1: /* iss */
        case 2: /* sub */ {
            const char *nm = l.num == 1 ? "iss" : "sub";
            if (!cbor_isa_string(v))
                return header_fail(err, l.num == 1 ? "cwt.iss" : "cwt.sub", "the CWT claim %s must be text", nm);
            char *s = text_dup(v, &nul);
            if (!s)
                return nul ? header_fail(err, l.num == 1 ? "cwt.iss" : "cwt.sub",
                                         "the CWT claim %s contains a NUL character", nm)
                           : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
            char **dst = l.num == 1 ? &c->cwt_iss : &c->cwt_sub;
            *dst = s;
            break;
        }
        case 4: /* exp */
        case 5: /* nbf */
        case 6: /* iat */ {
            const char *nm = l.num == 4 ? "exp" : l.num == 5 ? "nbf" : "iat";
            char field[16];
            snprintf(field, sizeof field, "cwt.%s", nm);
            if (!number_of(v, &t))
                return header_fail(err, field, "the CWT claim %s must be a NumericDate (seconds since 1970)", nm);
            if (l.num == 4) {
                c->has_exp = 1;
                c->exp = t;
            } else if (l.num == 5) {
                c->has_nbf = 1;
                c->nbf = t;
            }
            break;
        }
        default: break;
        }
    }
    return VC_OK;
}

/* Labels a crit list may name: those libvc reads and applies. */
static int understood_label(const struct label *l)
{
    if (l->text || l->big)
        return 0;
    return l->num == VC_COSE_HDR_ALG || l->num == VC_COSE_HDR_CONTENT_TYPE || l->num == VC_COSE_HDR_KID ||
           l->num == VC_COSE_HDR_CWT_CLAIMS || l->num == VC_COSE_HDR_TYP;
}

static int label_eq(const struct label *a, const struct label *b)
{
    if (a->text != b->text || a->big != b->big)
        return 0;
    if (a->text)
        return a->n == b->n && (a->n == 0 || memcmp(a->s, b->s, a->n) == 0);
    return a->num == b->num && a->raw == b->raw;
}

static int label_cmp(const void *pa, const void *pb)
{
    const struct label *a = pa, *b = pb;
    if (a->text != b->text)
        return a->text - b->text;
    if (a->big != b->big)
        return a->big - b->big;
    if (a->num != b->num)
        return a->num < b->num ? -1 : 1;
    if (a->raw != b->raw)
        return a->raw < b->raw ? -1 : 1;
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    return (a->text && a->n) ? memcmp(a->s, b->s, a->n) : 0;
}

/* Read one header bucket. crit receives the protected crit array (borrowed). */
static vc_status read_bucket(vc_cose *c, const cbor_item_t *map, int is_protected, int *has_alg,
                             const cbor_item_t **crit, vc_error *err)
{
    if (!map)
        return VC_OK;
    size_t n = cbor_map_size(map);
    struct cbor_pair *pairs = cbor_map_handle(map);
    const char *where = is_protected ? "protected" : "unprotected";
    for (size_t i = 0; i < n; i++) {
        struct label l;
        if (!label_of(pairs[i].key, &l))
            return header_fail(err, where, "a %s header label is not an integer or text (RFC 9052 section 3)", where);
        if (l.text || l.big)
            continue; /* not a label libvc reads */
        const cbor_item_t *v = pairs[i].value;
        int nul = 0;
        switch (l.num) {
        case VC_COSE_HDR_ALG:
            if (!is_protected)
                return header_fail(err, "alg",
                                   "alg (1) is in the unprotected header: it must be in the protected header");
            if (cbor_isa_string(v)) {
                char name[48];
                size_t sn = cbor_string_length(v);
                snprintf(name, sizeof name, "%.*s", (int)(sn > 40 ? 40 : sn), (const char *)cbor_string_handle(v));
                return header_fail(err, "alg",
                                   "alg \"%s\" is not allowed: COSE algorithms are integers, and libvc accepts "
                                   "only EdDSA (-8), ES256 (-7), ES384 (-35) and ES512 (-36)",
                                   name);
            }
            if (!cbor_is_int(v))
                return header_fail(err, "alg", "alg (1) must be an integer");
            {
                struct label a;
                label_of(v, &a);
                if (a.big || !vc_cose_alg_name(a.num)) {
                    char num[64];
                    label_describe(&a, num, sizeof num);
                    return header_fail(err, "alg",
                                       "alg %s (%s) is not allowed: libvc accepts only EdDSA (-8), ES256 (-7), "
                                       "ES384 (-35) and ES512 (-36)",
                                       num, a.big ? "unknown" : refused_alg_name(a.num));
                }
                c->alg = a.num;
                *has_alg = 1;
            }
            break;
        case VC_COSE_HDR_CRIT:
            if (!is_protected)
                return header_fail(err, "crit", "crit (2) is in the unprotected header: it must be protected");
            *crit = v;
            break;
        case VC_COSE_HDR_CONTENT_TYPE:
        case VC_COSE_HDR_TYP: {
            const char *nm = l.num == VC_COSE_HDR_TYP ? "typ" : "content_type";
            const char *label = l.num == VC_COSE_HDR_TYP ? "typ (16)" : "content type (3)";
            if (!is_protected)
                return header_fail(err, nm, "%s is in the unprotected header: it must be protected", label);
            if (cbor_isa_uint(v))
                return header_fail(err, nm,
                                   "%s is a CoAP content-format number: libvc needs the media type as text", label);
            if (!cbor_isa_string(v))
                return header_fail(err, nm, "%s must be a text string", label);
            char *s = text_dup(v, &nul);
            if (!s)
                return nul ? header_fail(err, nm, "%s contains a NUL character", label)
                           : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
            if (l.num == VC_COSE_HDR_TYP)
                c->typ = s;
            else
                c->cty = s;
            break;
        }
        case VC_COSE_HDR_KID: {
            if (!cbor_isa_bytestring(v))
                return header_fail(err, "kid", "kid (4) must be a byte string (RFC 9052 section 3.1)");
            size_t kn = cbor_bytestring_length(v);
            const unsigned char *kp = cbor_bytestring_handle(v);
            if (kn == 0)
                return header_fail(err, "kid", "kid (4) is empty");
            if (memchr(kp, 0, kn) || !vc_utf8_valid(kp, kn))
                return header_fail(err, "kid",
                                   "kid (4) must hold the UTF-8 text of a verification method id");
            free(c->kid);
            c->kid = malloc(kn + 1);
            if (!c->kid)
                return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
            memcpy(c->kid, kp, kn);
            c->kid[kn] = '\0';
            break;
        }
        case VC_COSE_HDR_CWT_CLAIMS: {
            if (!is_protected)
                return header_fail(err, "cwt", "CWT claims (15) are in the unprotected header: they must be protected");
            vc_status st = read_cwt_claims(c, v, err);
            if (st != VC_OK)
                return st;
            break;
        }
        default: break; /* other parameters (x5chain, IV, ...) are not used */
        }
    }
    return VC_OK;
}

static vc_status check_crit(const cbor_item_t *crit, const cbor_item_t *pmap, vc_error *err)
{
    if (!cbor_isa_array(crit) || cbor_array_size(crit) == 0)
        return header_fail(err, "crit", "crit (2) must be a non-empty array of labels");
    size_t n = cbor_array_size(crit);
    cbor_item_t **items = cbor_array_handle(crit);
    size_t pn = cbor_map_size(pmap);
    struct cbor_pair *pairs = cbor_map_handle(pmap);
    for (size_t i = 0; i < n; i++) {
        struct label l;
        char d[64];
        if (!label_of(items[i], &l))
            return header_fail(err, "crit", "crit (2) lists something that is not a label");
        label_describe(&l, d, sizeof d);
        if (!understood_label(&l))
            return header_fail(err, "crit",
                               "crit (2) marks the header parameter %s critical, and libvc does not understand it",
                               d);
        int present = 0;
        for (size_t k = 0; k < pn && !present; k++) {
            struct label pl;
            if (label_of(pairs[k].key, &pl) && label_eq(&pl, &l))
                present = 1;
        }
        if (!present)
            return header_fail(err, "crit", "crit (2) lists %s, which is not in the protected header", d);
    }
    return VC_OK;
}

/* Every label must be unique across both buckets (RFC 9052 section 3). */
static vc_status check_unique(const cbor_item_t *pmap, const cbor_item_t *umap, vc_error *err)
{
    size_t pn = pmap ? cbor_map_size(pmap) : 0, un = cbor_map_size(umap);
    if (!pn || !un)
        return VC_OK;
    struct label *ls = calloc(pn + un, sizeof *ls);
    if (!ls)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    size_t k = 0;
    for (int b = 0; b < 2; b++) {
        const cbor_item_t *m = b ? umap : pmap;
        size_t n = cbor_map_size(m);
        struct cbor_pair *pairs = cbor_map_handle(m);
        for (size_t i = 0; i < n; i++)
            if (label_of(pairs[i].key, &ls[k]))
                k++;
    }
    qsort(ls, k, sizeof *ls, label_cmp);
    vc_status st = VC_OK;
    for (size_t i = 1; i < k; i++)
        if (label_eq(&ls[i - 1], &ls[i])) {
            char d[64];
            label_describe(&ls[i], d, sizeof d);
            st = header_fail(err, "unprotected",
                             "the header parameter %s is in both the protected and the unprotected header", d);
            break;
        }
    free(ls);
    return st;
}

static uint8_t *bytes_dup(const cbor_item_t *b, size_t *len)
{
    size_t n = cbor_bytestring_length(b);
    uint8_t *p = malloc(n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, cbor_bytestring_handle(b), n);
    p[n] = 0;
    *len = n;
    return p;
}

vc_status vc_cose_parse(const uint8_t *data, size_t len, vc_cose **out, vc_error *err)
{
    if (!out || (!data && len))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "cose_parse: NULL argument");
    *out = NULL;
    if (len > VC_MAX_INPUT_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "a COSE object of %zu bytes exceeds the %u-byte limit", len,
                       VC_MAX_INPUT_BYTES);
    size_t used = 0;
    cbor_item_t *root = NULL, *arr = NULL, *pitem = NULL;
    vc_status st = vc_cbor_load(data, len, "COSE_Sign1", &root, &used, err);
    if (st != VC_OK)
        return st;
    if (used != len) {
        cbor_decref(&root);
        return vc_fail(err, VC_ERR_CBOR, "COSE_Sign1", "%zu bytes follow the COSE_Sign1 structure (%zu bytes)",
                       len - used, used);
    }
    vc_cose *c = calloc(1, sizeof *c);
    if (!c) {
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        goto done;
    }
    arr = root;
    if (cbor_isa_tag(root)) {
        uint64_t tag = cbor_tag_value(root);
        if (tag != COSE_SIGN1_TAG) {
            st = vc_fail(err, VC_ERR_COSE_FORMAT, "tag",
                         "CBOR tag %llu is not COSE_Sign1's tag 18%s", (unsigned long long)tag,
                         tag == 98   ? " (98 is COSE_Sign, with several signatures: not supported)"
                         : tag == 17 ? " (17 is COSE_Mac0, which is not a signature)"
                                     : "");
            goto done;
        }
        arr = cbor_tag_item(root); /* new reference */
        c->tagged = 1;
    }
    if (!cbor_isa_array(arr) || cbor_array_size(arr) != 4) {
        st = vc_fail(err, VC_ERR_COSE_FORMAT, "", "not a COSE_Sign1: expected an array of 4 items "
                                                   "[protected, unprotected, payload, signature]");
        goto done;
    }
    cbor_item_t **items = cbor_array_handle(arr);
    if (!cbor_isa_bytestring(items[0])) {
        st = vc_fail(err, VC_ERR_COSE_FORMAT, "protected", "the protected header must be a byte string");
        goto done;
    }
    if (!cbor_isa_map(items[1])) {
        st = vc_fail(err, VC_ERR_COSE_FORMAT, "unprotected", "the unprotected header must be a map");
        goto done;
    }
    if (cbor_isa_float_ctrl(items[2]) && cbor_is_null(items[2])) {
        st = vc_fail(err, VC_ERR_COSE_FORMAT, "payload",
                     "the payload is nil (detached): a vc+cose credential must carry its payload");
        goto done;
    }
    if (!cbor_isa_bytestring(items[2])) {
        st = vc_fail(err, VC_ERR_COSE_FORMAT, "payload", "the payload must be a byte string");
        goto done;
    }
    if (!cbor_isa_bytestring(items[3])) {
        st = vc_fail(err, VC_ERR_COSE_FORMAT, "signature", "the signature must be a byte string");
        goto done;
    }
    if (!(c->prot = bytes_dup(items[0], &c->prot_len)) || !(c->payload = bytes_dup(items[2], &c->payload_len)) ||
        !(c->sig = bytes_dup(items[3], &c->sig_len))) {
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        goto done;
    }

    /* the protected header: exactly one strict CBOR map inside the bstr */
    if (c->prot_len > VC_COSE_MAX_PROTECTED_BYTES) {
        st = vc_fail(err, VC_ERR_LIMIT, "protected", "a protected header of %zu bytes exceeds the %u-byte limit",
                     c->prot_len, VC_COSE_MAX_PROTECTED_BYTES);
        goto done;
    }
    if (c->prot_len) {
        if ((st = vc_cbor_load(c->prot, c->prot_len, "protected header", &pitem, &used, err)) != VC_OK)
            goto done;
        if (used != c->prot_len) {
            st = vc_fail(err, VC_ERR_CBOR, "protected", "%zu bytes follow the map in the protected header",
                         c->prot_len - used);
            goto done;
        }
        if (!cbor_isa_map(pitem)) {
            st = vc_fail(err, VC_ERR_COSE_HEADER, "protected", "the protected header is not a CBOR map");
            goto done;
        }
    }
    int has_alg = 0;
    const cbor_item_t *crit = NULL;
    if ((st = read_bucket(c, pitem, 1, &has_alg, &crit, err)) != VC_OK ||
        (st = read_bucket(c, items[1], 0, &has_alg, &crit, err)) != VC_OK ||
        (st = check_unique(pitem, items[1], err)) != VC_OK)
        goto done;
    if (!has_alg) {
        st = vc_fail(err, VC_ERR_COSE_HEADER, "header.alg", "the protected header has no alg (1)");
        goto done;
    }
    if (crit && (st = check_crit(crit, pitem, err)) != VC_OK)
        goto done;
    *out = c;
    c = NULL;
done:
    if (pitem)
        cbor_decref(&pitem);
    if (arr && arr != root)
        cbor_decref(&arr);
    cbor_decref(&root);
    vc_cose_free(c);
    return st;
}

/* ------------------------------------------------------------ verifying */

vc_status vc_cose_verify(const vc_cose *c, const vc_key *key, vc_error *err)
{
    if (!c || !key)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "cose_verify: NULL argument");
    int want = vc_cose_alg_for_key(key);
    if (c->alg != want) {
        const char *have = vc_cose_alg_name(c->alg);
        return vc_fail(err, VC_ERR_COSE_HEADER, "header.alg",
                       "alg %s (%lld) does not match the key: a %s key verifies only %s (%d)", have ? have : "?",
                       (long long)c->alg, key_type_name(key), vc_cose_alg_name(want) ? vc_cose_alg_name(want) : "?",
                       want);
    }
    uint8_t *tbs = NULL;
    size_t tbs_len = 0;
    vc_status st = vc_cose_tbs(c->prot, c->prot_len, c->payload, c->payload_len, &tbs, &tbs_len, err);
    if (st != VC_OK)
        return st;
    vc_error e;
    vc_error_clear(&e);
    st = vc_key_verify(key, vc_cose_alg_name(c->alg), tbs, tbs_len, c->sig, c->sig_len, &e);
    free(tbs);
    if (st == VC_ERR_JWS_SIGNATURE)
        return vc_fail(err, VC_ERR_COSE_SIGNATURE, "signature", "the COSE signature does not verify (%.180s)",
                       e.message);
    if (st != VC_OK)
        return vc_error_copy(err, &e);
    return VC_OK;
}

/* ------------------------------------------------------------ accessors */

int64_t vc_cose_alg(const vc_cose *c)
{
    return c ? c->alg : 0;
}

const char *vc_cose_kid(const vc_cose *c)
{
    return c ? c->kid : NULL;
}

const char *vc_cose_typ(const vc_cose *c)
{
    return c ? c->typ : NULL;
}

const char *vc_cose_cty(const vc_cose *c)
{
    return c ? c->cty : NULL;
}

const char *vc_cose_cwt_iss(const vc_cose *c)
{
    return c ? c->cwt_iss : NULL;
}

const char *vc_cose_cwt_sub(const vc_cose *c)
{
    return c ? c->cwt_sub : NULL;
}

int vc_cose_cwt_exp(const vc_cose *c, int64_t *value)
{
    if (!c || !c->has_exp)
        return 0;
    if (value)
        *value = c->exp;
    return 1;
}

int vc_cose_cwt_nbf(const vc_cose *c, int64_t *value)
{
    if (!c || !c->has_nbf)
        return 0;
    if (value)
        *value = c->nbf;
    return 1;
}

const uint8_t *vc_cose_payload(const vc_cose *c, size_t *len)
{
    if (!c)
        return NULL;
    if (len)
        *len = c->payload_len;
    return c->payload;
}

const uint8_t *vc_cose_protected(const vc_cose *c, size_t *len)
{
    if (!c)
        return NULL;
    if (len)
        *len = c->prot_len;
    return c->prot;
}

int vc_cose_tagged(const vc_cose *c)
{
    return c ? c->tagged : 0;
}

void vc_cose_free(vc_cose *c)
{
    if (!c)
        return;
    free(c->prot);
    free(c->payload);
    free(c->sig);
    free(c->kid);
    free(c->typ);
    free(c->cty);
    free(c->cwt_iss);
    free(c->cwt_sub);
    free(c);
}
