/*
 * key.c - signing keys on OpenSSL 3 EVP_PKEY: Ed25519 and NIST P-256/P-384/P-521.
 * Generation, JWK (RFC 7517 / RFC 8037) and PEM import/export, RFC 7638
 * thumbprints, raw JOSE signatures, and atomic key files.
 *
 * Security decisions (each has a test in test_crypto.c):
 *  - every import path (JWK, verification method, PEM, multikey) ends in
 *    key_from_raw(), so all keys get the same checks: exact lengths, EC points on
 *    the curve in their canonical encoding, 0 < d < n, and a private part whose
 *    derived public key equals the public part that came with it;
 *  - JWK coordinates are strict base64url; "alg", when present, must be the one
 *    tied to the curve; "use", when present, must be "sig"; a public JWK carrying
 *    "d" is refused so that private material is never accepted by accident;
 *  - signing and verification take the algorithm from the key: the alg argument
 *    must equal the key's tied alg (no algorithm confusion);
 *  - ECDSA signatures are the fixed-size r||s form only; zero scalars are refused
 *    before OpenSSL (CVE-2022-21449 class), out-of-range ones by OpenSSL; every
 *    verification failure is VC_ERR_JWS_SIGNATURE;
 *  - a vc_key is immutable after creation: sign/verify only read the EVP_PKEY
 *    (OpenSSL allows that from several threads) and use per-call contexts;
 *  - buffers that held private scalars are cleansed before they are freed;
 *  - encrypted PEM is refused without ever prompting for a passphrase;
 *  - key files are written to a new temporary file (mode set with fchmod, so the
 *    umask cannot widen it), fsync'd, then linked/renamed into place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "crypto_internal.h"


/* Largest coordinate / scalar (P-521) and the largest uncompressed point. */
#define KEY_MAX_COORD 66
#define KEY_MAX_PUB (1 + 2 * KEY_MAX_COORD)

struct curve {
    vc_key_type type;
    const char *kty;   /* JWK kty */
    const char *crv;   /* JWK crv */
    const char *alg;   /* JOSE alg tied to the curve */
    const char *group; /* OpenSSL group name; NULL for Ed25519 */
    int nid;
    size_t n;          /* bytes per coordinate and per scalar; signatures are 2n */
    const char *md;    /* ECDSA digest; NULL for EdDSA (which hashes internally) */
};

static const struct curve curves[] = {
    {VC_KEY_ED25519, "OKP", "Ed25519", "EdDSA", NULL, NID_ED25519, 32, NULL},
    {VC_KEY_P256, "EC", "P-256", "ES256", "prime256v1", NID_X9_62_prime256v1, 32, "SHA256"},
    {VC_KEY_P384, "EC", "P-384", "ES384", "secp384r1", NID_secp384r1, 48, "SHA384"},
    {VC_KEY_P521, "EC", "P-521", "ES512", "secp521r1", NID_secp521r1, 66, "SHA512"},
};
#define NCURVES (sizeof curves / sizeof curves[0])

struct vc_key {
    const struct curve *c;
    atomic_int refs;           /* keys are immutable: copies share one vc_key */
    EVP_PKEY *pkey;
    /* Contexts initialised once for this key and copied per operation: initialising
     * fetches the algorithms by name, which takes OpenSSL 3.0's global locks and
     * would serialise threads verifying with one key. Created on first use. */
    _Atomic(EVP_MD_CTX *) verify_tmpl;
    _Atomic(EVP_MD_CTX *) sign_tmpl;
    _Atomic(char *) multikey;  /* the public key's Multikey text, made on first use */
    _Atomic(void *) jose_hdr;  /* jws.c's encoded protected header, set once (one malloc block) */
    int has_private;
    char *kid;                 /* JWK "kid" the key was imported with, or NULL */
    char *alg;                 /* JWK "alg" the key was imported with, or NULL */
    uint8_t pub[KEY_MAX_PUB];  /* Ed25519: 32 raw bytes; EC: uncompressed 04||x||y */
    size_t pub_len;
};

static const struct curve *curve_by_type(vc_key_type type)
{
    for (size_t i = 0; i < NCURVES; i++)
        if (curves[i].type == type)
            return &curves[i];
    return NULL;
}

/* Fail with the reason OpenSSL queued (if any) appended, and empty its queue:
 * stale errors must not leak into later, unrelated calls on this thread. */
static vc_status ossl_fail(vc_error *err, vc_status code, const char *path, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    vc_status st;
    if (reason)
        st = vc_fail(err, code, path, "%s (OpenSSL: %s)", what, reason);
    else
        st = vc_fail(err, code, path, "%s", what);
    ERR_clear_error();
    return st;
}

static vc_key *key_new(const struct curve *c)
{
    vc_key *k = calloc(1, sizeof *k);
    if (k) {
        k->c = c;
        atomic_init(&k->refs, 1);
        atomic_init(&k->verify_tmpl, NULL);
        atomic_init(&k->sign_tmpl, NULL);
        atomic_init(&k->multikey, NULL);
        atomic_init(&k->jose_hdr, NULL);
    }
    return k;
}

const char *vc_key_cached_multikey(const vc_key *key) { return atomic_load(&((vc_key *)key)->multikey); }

const char *vc_key_cache_multikey(const vc_key *key, char *mb)
{
    char *expected = NULL;
    if (atomic_compare_exchange_strong(&((vc_key *)key)->multikey, &expected, mb))
        return mb;
    free(mb); /* another thread was first: keep its copy */
    return expected;
}

const void *vc_key_cached_jose_header(const vc_key *key) { return atomic_load(&((vc_key *)key)->jose_hdr); }

void vc_key_cache_jose_header(const vc_key *key, void *block)
{
    void *expected = NULL;
    if (!atomic_compare_exchange_strong(&((vc_key *)key)->jose_hdr, &expected, block))
        free(block); /* set once: the first header stays */
}

/*
 * A fresh context for one sign or verify operation, copied from the key's
 * template (made on first use; a race makes two and keeps one). NULL on failure.
 */
static EVP_MD_CTX *op_ctx(const vc_key *key, int sign)
{
    vc_key *k = (vc_key *)key; /* the templates are a cache; the key stays immutable */
    _Atomic(EVP_MD_CTX *) *slot = sign ? &k->sign_tmpl : &k->verify_tmpl;
    EVP_MD_CTX *tmpl = atomic_load(slot);
    if (!tmpl) {
        EVP_MD_CTX *t = EVP_MD_CTX_new();
        int ok = t && (sign ? EVP_DigestSignInit_ex(t, NULL, key->c->md, NULL, NULL, key->pkey, NULL)
                            : EVP_DigestVerifyInit_ex(t, NULL, key->c->md, NULL, NULL, key->pkey, NULL)) == 1;
        if (!ok) {
            EVP_MD_CTX_free(t);
            return NULL;
        }
        EVP_MD_CTX *expected = NULL;
        if (atomic_compare_exchange_strong(slot, &expected, t))
            tmpl = t;
        else {
            EVP_MD_CTX_free(t);
            tmpl = expected;
        }
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_MD_CTX_copy_ex(ctx, tmpl) != 1) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

void vc_key_free(vc_key *key)
{
    if (!key)
        return;
    if (atomic_fetch_sub(&key->refs, 1) > 1)
        return;
    EVP_MD_CTX_free(atomic_load(&key->verify_tmpl));
    EVP_MD_CTX_free(atomic_load(&key->sign_tmpl));
    free(atomic_load(&key->multikey));
    free(atomic_load(&key->jose_hdr));
    EVP_PKEY_free(key->pkey); /* OpenSSL clears the private scalar */
    free(key->kid);
    free(key->alg);
    free(key);
}

/* ---- construction from raw bytes: the one place where keys are validated ---- */

/* Compress an uncompressed SEC1 point (04||x||y) of coordinate size n into out (1+n). */
static void ec_compress(const uint8_t *uncompressed, size_t n, uint8_t *out)
{
    out[0] = (uint8_t)(0x02 | (uncompressed[2 * n] & 1));
    memcpy(out + 1, uncompressed + 1, n);
}

/* Fill key->pub from key->pkey. */
static vc_status cache_public(vc_key *k, vc_error *err)
{
    if (!k->c->group) {
        size_t len = sizeof k->pub;
        if (EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &len) != 1 || len != k->c->n)
            return ossl_fail(err, VC_ERR_CRYPTO, NULL, "cannot read the Ed25519 public key");
        k->pub_len = len;
        return VC_OK;
    }
    BIGNUM *x = NULL, *y = NULL;
    size_t n = k->c->n;
    int ok = EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
             EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
             BN_bn2binpad(x, k->pub + 1, (int)n) == (int)n && BN_bn2binpad(y, k->pub + 1 + n, (int)n) == (int)n;
    BN_free(x);
    BN_free(y);
    if (!ok)
        return ossl_fail(err, VC_ERR_CRYPTO, NULL, "cannot read the EC public point");
    k->pub[0] = 0x04;
    k->pub_len = 1 + 2 * n;
    return VC_OK;
}

/* Check that pub (uncompressed or compressed SEC1) has the right size and form. */
static vc_status ec_check_encoding(const struct curve *c, const uint8_t *pub, size_t pub_len, const char *path,
                                   vc_error *err)
{
    if (pub_len == 1 + 2 * c->n && pub[0] == 0x04)
        return VC_OK;
    if (pub_len == 1 + c->n && (pub[0] == 0x02 || pub[0] == 0x03))
        return VC_OK;
    return vc_fail(err, VC_ERR_KEY, path,
                   "%s public key must be a %zu-byte uncompressed or %zu-byte compressed SEC1 point (got %zu bytes)",
                   c->crv, 1 + 2 * c->n, 1 + c->n, pub_len);
}

/* 1 when pub (either SEC1 form) encodes the same point as the uncompressed ref. */
static int ec_same_point(const struct curve *c, const uint8_t *ref, const uint8_t *pub, size_t pub_len)
{
    if (pub_len == 1 + 2 * c->n)
        return memcmp(ref, pub, pub_len) == 0;
    uint8_t comp[1 + KEY_MAX_COORD];
    ec_compress(ref, c->n, comp);
    return memcmp(comp, pub, pub_len) == 0;
}

/*
 * Derive the uncompressed public point d*G into out (1+2n bytes), checking
 * 0 < d < n. *d_out receives the scalar (secure BIGNUM) for the caller.
 */
static vc_status ec_derive_public(const struct curve *c, const uint8_t *priv, const char *priv_path, uint8_t *out,
                                  BIGNUM **d_out, vc_error *err)
{
    vc_status st = VC_OK;
    EC_GROUP *group = EC_GROUP_new_by_curve_name(c->nid);
    BN_CTX *bn = BN_CTX_secure_new();
    BIGNUM *d = BN_secure_new();
    EC_POINT *q = group ? EC_POINT_new(group) : NULL;
    if (!group || !bn || !d || !q) {
        st = ossl_fail(err, VC_ERR_NOMEM, NULL, "out of memory building an EC key");
        goto done;
    }
    BN_set_flags(d, BN_FLG_CONSTTIME);
    if (!BN_bin2bn(priv, (int)c->n, d)) {
        st = ossl_fail(err, VC_ERR_CRYPTO, priv_path, "cannot read the private scalar");
        goto done;
    }
    if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(group)) >= 0) {
        st = vc_fail(err, VC_ERR_KEY, priv_path, "%s private scalar is out of range (must be 0 < d < n)", c->crv);
        goto done;
    }
    if (EC_POINT_mul(group, q, d, NULL, NULL, bn) != 1 ||
        EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED, out, 1 + 2 * c->n, bn) != 1 + 2 * c->n) {
        st = ossl_fail(err, VC_ERR_CRYPTO, priv_path, "cannot derive the public point from the private scalar");
        goto done;
    }
    *d_out = d;
    d = NULL;
done:
    BN_clear_free(d);
    EC_POINT_free(q);
    BN_CTX_free(bn);
    EC_GROUP_free(group);
    return st;
}

/* EVP_PKEY_fromdata for an EC key: pub is any SEC1 form, d may be NULL. */
static EVP_PKEY *ec_fromdata(const struct curve *c, const uint8_t *pub, size_t pub_len, const BIGNUM *d)
{
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, c->group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) != 1 ||
        (d && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1))
        goto done;
    params = OSSL_PARAM_BLD_to_param(bld); /* a secure BIGNUM lands in secure memory */
    ctx = params ? EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL) : NULL;
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
        pkey = NULL;
done:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params); /* clears the secure part */
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

/* EVP_PKEY_public_check: on the curve, coordinates in range, not infinity, order n. */
static int ec_public_ok(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok = ctx && EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static vc_status ec_from_raw(vc_key *k, const uint8_t *pub, size_t pub_len, const char *pub_path,
                             const uint8_t *priv, const char *priv_path, vc_error *err)
{
    const struct curve *c = k->c;
    uint8_t derived[KEY_MAX_PUB];
    BIGNUM *d = NULL;
    vc_status st;
    if (pub && (st = ec_check_encoding(c, pub, pub_len, pub_path, err)) != VC_OK)
        return st;
    if (priv) {
        if ((st = ec_derive_public(c, priv, priv_path, derived, &d, err)) != VC_OK)
            return st;
        if (pub && !ec_same_point(c, derived, pub, pub_len)) {
            BN_clear_free(d);
            return vc_fail(err, VC_ERR_KEY, priv_path,
                           "the %s private key does not match the public key given with it", c->crv);
        }
        /* Import the derived point: it is on the curve by construction. */
        pub = derived;
        pub_len = 1 + 2 * c->n;
    }
    k->pkey = ec_fromdata(c, pub, pub_len, d);
    BN_clear_free(d);
    if (!k->pkey || (!priv && !ec_public_ok(k->pkey))) {
        char what[96];
        snprintf(what, sizeof what, priv ? "cannot build the %s key pair" : "the %s public key is not a point on the curve",
                 c->crv);
        return ossl_fail(err, VC_ERR_KEY, pub_path, what);
    }
    k->has_private = priv != NULL;
    if ((st = cache_public(k, err)) != VC_OK)
        return st;
    /* Only the canonical encoding is accepted (OpenSSL reduces some inputs). */
    if (!ec_same_point(c, k->pub, pub, pub_len))
        return vc_fail(err, VC_ERR_KEY, pub_path, "the %s public point is not canonically encoded", c->crv);
    return VC_OK;
}

static vc_status ed_from_raw(vc_key *k, const uint8_t *pub, size_t pub_len, const char *pub_path,
                             const uint8_t *priv, const char *priv_path, vc_error *err)
{
    vc_status st;
    if (pub && pub_len != 32)
        return vc_fail(err, VC_ERR_KEY, pub_path, "an Ed25519 public key is 32 bytes, got %zu", pub_len);
    if (priv)
        k->pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL, priv, 32);
    else
        k->pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, pub, 32);
    if (!k->pkey)
        return ossl_fail(err, VC_ERR_KEY, priv ? priv_path : pub_path, "cannot build the Ed25519 key");
    k->has_private = priv != NULL;
    if ((st = cache_public(k, err)) != VC_OK)
        return st;
    /* The public key derived from d must be the one that came with it. */
    if (priv && pub && !vc_memeq_ct(k->pub, pub, 32))
        return vc_fail(err, VC_ERR_KEY, priv_path, "the Ed25519 private key does not match the public key \"x\"");
    return VC_OK;
}

/*
 * Build a key from raw material. pub: Ed25519 32 bytes, EC a SEC1 point
 * (uncompressed or compressed); may be NULL when priv is given. priv: the
 * n-byte private scalar / seed or NULL. The paths name the inputs in errors.
 */
vc_status vc_key_from_raw(vc_key_type type, const uint8_t *pub, size_t pub_len, const char *pub_path,
                          const uint8_t *priv, size_t priv_len, const char *priv_path, vc_key **out, vc_error *err)
{
    if (!out || (!pub && !priv))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_from_raw: NULL argument");
    *out = NULL;
    const struct curve *c = curve_by_type(type);
    if (!c)
        return vc_fail(err, VC_ERR_KEY_TYPE, NULL, "unsupported key type %d", (int)type);
    if (priv && priv_len != c->n)
        return vc_fail(err, VC_ERR_KEY, priv_path, "a %s private key is %zu bytes, got %zu", c->crv, c->n, priv_len);
    vc_key *k = key_new(c);
    if (!k)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    vc_status st = c->group ? ec_from_raw(k, pub, pub_len, pub_path, priv, priv_path, err)
                            : ed_from_raw(k, pub, pub_len, pub_path, priv, priv_path, err);
    if (st != VC_OK) {
        vc_key_free(k);
        return st;
    }
    *out = k;
    return VC_OK;
}

const uint8_t *vc_key_public_bytes(const vc_key *key, size_t *len)
{
    *len = key->pub_len;
    return key->pub;
}

/* The private scalar (EC, big-endian n bytes) or seed (Ed25519) into out. */
static vc_status private_bytes(const vc_key *k, uint8_t out[KEY_MAX_COORD], vc_error *err)
{
    if (!k->has_private)
        return vc_fail(err, VC_ERR_KEY_NO_PRIVATE, NULL, "the key has no private part");
    size_t n = k->c->n;
    if (!k->c->group) {
        size_t len = n;
        if (EVP_PKEY_get_raw_private_key(k->pkey, out, &len) != 1 || len != n)
            return ossl_fail(err, VC_ERR_CRYPTO, NULL, "cannot read the Ed25519 private key");
        return VC_OK;
    }
    BIGNUM *d = NULL;
    int ok = EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 &&
             BN_bn2binpad(d, out, (int)n) == (int)n;
    BN_clear_free(d);
    if (!ok)
        return ossl_fail(err, VC_ERR_CRYPTO, NULL, "cannot read the EC private scalar");
    return VC_OK;
}

/* ---- generation ---- */

vc_status vc_key_generate(vc_key_type type, vc_key **out, vc_error *err)
{
    if (!out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_generate: NULL argument");
    *out = NULL;
    const struct curve *c = curve_by_type(type);
    if (!c)
        return vc_fail(err, VC_ERR_KEY_TYPE, NULL, "cannot generate key type %d (use Ed25519, P-256, P-384 or P-521)",
                       (int)type);
    vc_key *k = key_new(c);
    if (!k)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    /* EVP_PKEY_Q_keygen draws from the default DRBG, seeded by the OS CSPRNG. */
    k->pkey = c->group ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", c->group) : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (!k->pkey) {
        vc_key_free(k);
        return ossl_fail(err, VC_ERR_CRYPTO, NULL, "key generation failed");
    }
    k->has_private = 1;
    vc_status st = cache_public(k, err);
    if (st != VC_OK) {
        vc_key_free(k);
        return st;
    }
    *out = k;
    return VC_OK;
}

/* ---- JWK import ---- */

/* "prefix" + "member" into buf, for error paths such as "publicKeyJwk.x". */
static const char *member_path(char *buf, size_t cap, const char *prefix, const char *member)
{
    snprintf(buf, cap, "%s%s", prefix, member);
    return buf;
}

/* Decode the base64url string member name of jwk into out (exactly want bytes). */
static vc_status jwk_bytes(const json_t *jwk, const char *name, const char *prefix, const struct curve *c,
                           size_t want, uint8_t *out, vc_error *err)
{
    char path[64];
    member_path(path, sizeof path, prefix, name);
    const json_t *v = json_object_get(jwk, name);
    if (!v)
        return vc_fail(err, VC_ERR_KEY, path, "%s JWK has no \"%s\" member", c->crv, name);
    if (!json_is_string(v))
        return vc_fail(err, VC_ERR_KEY, path, "JWK \"%s\" must be a base64url string", name);
    uint8_t *buf = NULL;
    size_t len = 0;
    vc_error e;
    if (vc_base64url_decode(json_string_value(v), json_string_length(v), &buf, &len, &e) != VC_OK)
        return vc_fail(err, e.code == VC_ERR_NOMEM ? VC_ERR_NOMEM : VC_ERR_KEY, path,
                       "JWK \"%s\" is not strict base64url: %s", name, e.message);
    vc_status st = VC_OK;
    if (len != want)
        st = vc_fail(err, VC_ERR_KEY, path, "JWK \"%s\" must decode to %zu bytes for %s, got %zu", name, want, c->crv,
                     len);
    else
        memcpy(out, buf, len);
    OPENSSL_cleanse(buf, len); /* may be "d" */
    free(buf);
    return st;
}

/* An optional string member; VC_ERR_KEY when present and not a string. */
static vc_status jwk_opt_string(const json_t *jwk, const char *name, const char *prefix, const char **out,
                                vc_error *err)
{
    char path[64];
    const json_t *v = json_object_get(jwk, name);
    *out = NULL;
    if (!v)
        return VC_OK;
    if (!json_is_string(v))
        return vc_fail(err, VC_ERR_KEY, member_path(path, sizeof path, prefix, name), "JWK \"%s\" must be a string",
                       name);
    *out = json_string_value(v);
    return VC_OK;
}

/* Import one JWK object. prefix names it in error paths ("" or "secretKeyJwk."). */
static vc_status jwk_import(const json_t *jwk, const char *prefix, int allow_private, vc_key **out, vc_error *err)
{
    char path[64], path2[64];
    const char *kty, *crv, *alg, *kid, *use;
    vc_status st;
    if (!json_is_object(jwk))
        return vc_fail(err, VC_ERR_KEY, prefix, "a JWK must be a JSON object");
    if ((st = jwk_opt_string(jwk, "kty", prefix, &kty, err)) != VC_OK ||
        (st = jwk_opt_string(jwk, "crv", prefix, &crv, err)) != VC_OK ||
        (st = jwk_opt_string(jwk, "alg", prefix, &alg, err)) != VC_OK ||
        (st = jwk_opt_string(jwk, "kid", prefix, &kid, err)) != VC_OK ||
        (st = jwk_opt_string(jwk, "use", prefix, &use, err)) != VC_OK)
        return st;
    if (!kty)
        return vc_fail(err, VC_ERR_KEY, member_path(path, sizeof path, prefix, "kty"), "JWK has no \"kty\" member");
    if (strcmp(kty, "OKP") != 0 && strcmp(kty, "EC") != 0)
        return vc_fail(err, VC_ERR_KEY_TYPE, member_path(path, sizeof path, prefix, "kty"),
                       "JWK key type \"%.32s\" is not supported (use OKP/Ed25519 or EC/P-256, P-384, P-521)", kty);
    if (!crv)
        return vc_fail(err, VC_ERR_KEY, member_path(path, sizeof path, prefix, "crv"), "JWK has no \"crv\" member");
    const struct curve *c = NULL;
    for (size_t i = 0; i < NCURVES && !c; i++)
        if (strcmp(curves[i].kty, kty) == 0 && strcmp(curves[i].crv, crv) == 0)
            c = &curves[i];
    if (!c)
        return vc_fail(err, VC_ERR_KEY_TYPE, member_path(path, sizeof path, prefix, "crv"),
                       "JWK curve \"%.32s\" with kty \"%s\" is not supported (use Ed25519, P-256, P-384 or P-521)",
                       crv, kty);
    if (alg && strcmp(alg, c->alg) != 0)
        return vc_fail(err, VC_ERR_KEY, member_path(path, sizeof path, prefix, "alg"),
                       "JWK \"alg\" is \"%.32s\" but a %s key can only be used with %s", alg, c->crv, c->alg);
    if (use && strcmp(use, "sig") != 0)
        return vc_fail(err, VC_ERR_KEY, member_path(path, sizeof path, prefix, "use"),
                       "JWK \"use\" is \"%.32s\"; a signing key must have \"use\": \"sig\" or none", use);

    uint8_t pub[KEY_MAX_PUB], priv[KEY_MAX_COORD];
    size_t n = c->n, pub_len;
    int has_d = json_object_get(jwk, "d") != NULL;
    if (has_d && !allow_private)
        return vc_fail(err, VC_ERR_KEY, member_path(path, sizeof path, prefix, "d"),
                       "a public key JWK must not contain the private member \"d\"");
    if (c->group) {
        pub[0] = 0x04;
        if ((st = jwk_bytes(jwk, "x", prefix, c, n, pub + 1, err)) != VC_OK ||
            (st = jwk_bytes(jwk, "y", prefix, c, n, pub + 1 + n, err)) != VC_OK)
            return st;
        pub_len = 1 + 2 * n;
    } else {
        if (json_object_get(jwk, "y"))
            return vc_fail(err, VC_ERR_KEY, member_path(path, sizeof path, prefix, "y"),
                           "an OKP JWK has no \"y\" member");
        if ((st = jwk_bytes(jwk, "x", prefix, c, n, pub, err)) != VC_OK)
            return st;
        pub_len = n;
    }
    if (has_d && (st = jwk_bytes(jwk, "d", prefix, c, n, priv, err)) != VC_OK)
        return st;
    vc_key *k = NULL;
    st = vc_key_from_raw(c->type, pub, pub_len, member_path(path, sizeof path, prefix, "x"), has_d ? priv : NULL, n,
                         member_path(path2, sizeof path2, prefix, "d"), &k, err);
    OPENSSL_cleanse(priv, sizeof priv);
    if (st != VC_OK)
        return st;
    if ((kid && !(k->kid = vc_strdup(kid))) || (alg && !(k->alg = vc_strdup(alg)))) {
        vc_key_free(k);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    *out = k;
    return VC_OK;
}

/*
 * A verification method: publicKeyJwk and/or publicKeyMultibase, optionally a
 * private JWK (secretKeyJwk or privateKeyJwk). Every part present must describe
 * the same key; the private one is returned when present.
 */
static vc_status vm_import(const json_t *vm, vc_key **out, vc_error *err)
{
    const json_t *pub_jwk = json_object_get(vm, "publicKeyJwk");
    const json_t *mb = json_object_get(vm, "publicKeyMultibase");
    const json_t *sk = json_object_get(vm, "secretKeyJwk");
    const json_t *pk = json_object_get(vm, "privateKeyJwk");
    if (sk && pk)
        return vc_fail(err, VC_ERR_KEY, "privateKeyJwk",
                       "the verification method has both \"secretKeyJwk\" and \"privateKeyJwk\"; keep one");
    const json_t *priv_jwk = sk ? sk : pk;
    const char *priv_name = sk ? "secretKeyJwk." : "privateKeyJwk.";
    if (!pub_jwk && !mb && !priv_jwk)
        return vc_fail(err, VC_ERR_KEY, "",
                       "not a JWK (no \"kty\") nor a verification method (no \"publicKeyJwk\", "
                       "\"publicKeyMultibase\", \"secretKeyJwk\" or \"privateKeyJwk\")");
    vc_key *keys[3] = {NULL, NULL, NULL};
    const char *names[3] = {"publicKeyJwk", "publicKeyMultibase", sk ? "secretKeyJwk" : "privateKeyJwk"};
    vc_status st = VC_OK;
    if (pub_jwk)
        st = jwk_import(pub_jwk, "publicKeyJwk.", 0, &keys[0], err);
    if (st == VC_OK && mb) {
        if (!json_is_string(mb))
            st = vc_fail(err, VC_ERR_KEY, "publicKeyMultibase", "\"publicKeyMultibase\" must be a string");
        else if ((st = vc_key_from_multikey(json_string_value(mb), &keys[1], err)) != VC_OK && err)
            snprintf(err->path, sizeof err->path, "publicKeyMultibase");
    }
    if (st == VC_OK && priv_jwk) {
        st = jwk_import(priv_jwk, priv_name, 1, &keys[2], err);
        if (st == VC_OK && !keys[2]->has_private)
            st = vc_fail(err, VC_ERR_KEY, names[2], "\"%s\" has no private member \"d\"", names[2]);
    }
    /* All parts present must be the same key. */
    vc_key *chosen = NULL;
    for (int i = 0; st == VC_OK && i < 3; i++) {
        if (!keys[i])
            continue;
        if (chosen && !vc_key_equal_public(chosen, keys[i]))
            st = vc_fail(err, VC_ERR_KEY, names[i], "the verification method's \"%s\" and other key parts differ",
                         names[i]);
        chosen = keys[i];
    }
    if (st == VC_OK) {
        *out = keys[2] ? keys[2] : keys[0] ? keys[0] : keys[1];
        for (int i = 0; i < 3; i++)
            if (keys[i] == *out)
                keys[i] = NULL;
    }
    for (int i = 0; i < 3; i++)
        vc_key_free(keys[i]);
    return st;
}

vc_status vc_key_from_jwk(const char *json, size_t len, vc_key **out, vc_error *err)
{
    if (!json || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_from_jwk: NULL argument");
    *out = NULL;
    if (len > VC_MAX_KEY_FILE_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "key text of %zu bytes exceeds the %u-byte limit", len,
                       VC_MAX_KEY_FILE_BYTES);
    json_t *obj = NULL;
    vc_status st = vc_json_parse_object(json, len, &obj, err);
    if (st != VC_OK)
        return st;
    if (json_object_get(obj, "kty"))
        st = jwk_import(obj, "", 1, out, err);
    else
        st = vm_import(obj, out, err);
    json_decref(obj);
    return st;
}

/* ---- PEM import ---- */

/* Never prompt: encrypted keys are refused. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* The label of the first PEM block that is not "EC PARAMETERS" (which `openssl
 * ecparam -genkey` writes before the key), into label. 0 if there is none. */
static int pem_label(const char *pem, size_t len, char *label, size_t cap)
{
    static const char begin[] = "-----BEGIN ";
    const char *p = pem, *end = pem + len;
    while ((p = memmem(p, (size_t)(end - p), begin, sizeof begin - 1)) != NULL) {
        p += sizeof begin - 1;
        const char *q = memmem(p, (size_t)(end - p), "-----", 5);
        if (!q)
            return 0;
        size_t n = (size_t)(q - p);
        if (n == 0 || n >= cap || memchr(p, '\n', n))
            return 0;
        memcpy(label, p, n);
        label[n] = '\0';
        if (strcmp(label, "EC PARAMETERS") != 0)
            return 1;
        p = q;
    }
    return 0;
}

/* The curve of an EVP_PKEY read from outside, or NULL. */
static const struct curve *curve_of(EVP_PKEY *pkey)
{
    if (EVP_PKEY_is_a(pkey, "ED25519"))
        return curve_by_type(VC_KEY_ED25519);
    if (!EVP_PKEY_is_a(pkey, "EC"))
        return NULL;
    char name[64];
    size_t n = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &n) != 1)
        return NULL; /* explicit curve parameters: refused */
    int nid = OBJ_txt2nid(name);
    if (nid == NID_undef)
        nid = EC_curve_nist2nid(name);
    for (size_t i = 0; i < NCURVES; i++)
        if (curves[i].group && curves[i].nid == nid)
            return &curves[i];
    return NULL;
}

vc_status vc_key_from_pem(const char *pem, size_t len, vc_key **out, vc_error *err)
{
    if (!pem || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_from_pem: NULL argument");
    *out = NULL;
    if (len > VC_MAX_KEY_FILE_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "key text of %zu bytes exceeds the %u-byte limit", len,
                       VC_MAX_KEY_FILE_BYTES);
    char label[64];
    if (!pem_label(pem, len, label, sizeof label))
        return vc_fail(err, VC_ERR_KEY, NULL, "no PEM block (\"-----BEGIN ...-----\") found");
    int is_private;
    if (strcmp(label, "PRIVATE KEY") == 0 || strcmp(label, "EC PRIVATE KEY") == 0)
        is_private = 1;
    else if (strcmp(label, "PUBLIC KEY") == 0)
        is_private = 0;
    else if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0)
        return vc_fail(err, VC_ERR_UNSUPPORTED, NULL,
                       "encrypted PEM keys are not supported; decrypt first (openssl pkcs8 -in KEY -out PLAIN)");
    else if (strstr(label, "RSA") || strstr(label, "DSA") || strstr(label, "DH "))
        return vc_fail(err, VC_ERR_KEY_TYPE, NULL, "PEM \"%s\" is not a supported key type (Ed25519 or P-256/384/521)",
                       label);
    else
        return vc_fail(err, VC_ERR_KEY, NULL,
                       "PEM block \"%s\" is not a key (expected PRIVATE KEY, EC PRIVATE KEY or PUBLIC KEY)", label);
    /* A traditional "EC PRIVATE KEY" can be encrypted with PEM headers. */
    if (memmem(pem, len, "Proc-Type: 4,ENCRYPTED", 22))
        return vc_fail(err, VC_ERR_UNSUPPORTED, NULL, "encrypted PEM keys are not supported; decrypt first");

    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        return ossl_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    EVP_PKEY *tmp = is_private ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
                               : PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    if (!tmp)
        return ossl_fail(err, VC_ERR_KEY, NULL, is_private ? "cannot decode the PEM private key (damaged base64 or DER?)"
                                                           : "cannot decode the PEM public key (damaged base64 or DER?)");
    const struct curve *c = curve_of(tmp);
    if (!c) {
        EVP_PKEY_free(tmp);
        ERR_clear_error();
        return vc_fail(err, VC_ERR_KEY_TYPE, NULL,
                       "the PEM key is not Ed25519 or a named P-256, P-384 or P-521 key");
    }
    /* Re-import through key_from_raw so that PEM keys get the JWK checks. */
    vc_key wrap = {.c = c, .pkey = tmp, .has_private = is_private};
    uint8_t priv[KEY_MAX_COORD];
    vc_status st = cache_public(&wrap, err);
    if (st == VC_OK && is_private)
        st = private_bytes(&wrap, priv, err);
    if (st == VC_OK)
        st = vc_key_from_raw(c->type, wrap.pub, wrap.pub_len, "", is_private ? priv : NULL, c->n, "", out, err);
    OPENSSL_cleanse(priv, sizeof priv);
    EVP_PKEY_free(tmp);
    if (st == VC_ERR_CRYPTO) {
        st = VC_ERR_KEY; /* a PEM we cannot take apart is a bad key, not a library failure */
        if (err)
            err->code = st;
    }
    return st;
}

vc_status vc_key_parse(const char *text, size_t len, vc_key **out, vc_error *err)
{
    if (!text || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_parse: NULL argument");
    *out = NULL;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i < len && text[i] == '{')
        return vc_key_from_jwk(text, len, out, err);
    if (len - i >= 10 && memcmp(text + i, "-----BEGIN", 10) == 0)
        return vc_key_from_pem(text + i, len - i, out, err);
    return vc_fail(err, VC_ERR_KEY, NULL, "the key is neither a JWK / verification method (JSON) nor PEM");
}

vc_status vc_key_load(const char *path, vc_key **out, vc_error *err)
{
    if (!path || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_load: NULL argument");
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    vc_status st = vc_read_file(path, VC_MAX_KEY_FILE_BYTES, &text, &len, err);
    if (st != VC_OK)
        return st;
    st = vc_key_parse(text, len, out, err);
    if (st != VC_OK && err && !err->path[0])
        snprintf(err->path, sizeof err->path, "%s", path);
    OPENSSL_cleanse(text, len);
    free(text);
    return st;
}

/* ---- export ---- */

/* A growable string; the buffer is cleansed whenever it is dropped or grown. */
struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *np = malloc(cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        if (b->p) {
            memcpy(np, b->p, b->len);
            OPENSSL_cleanse(b->p, b->cap);
            free(b->p);
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_drop(struct sbuf *b)
{
    if (b->p) {
        OPENSSL_cleanse(b->p, b->cap);
        free(b->p);
    }
    b->p = NULL;
}

/* ,"name":"<base64url of bytes>" (leading comma unless first). */
static void sb_b64_member(struct sbuf *b, const char *name, const uint8_t *bytes, size_t n, int first)
{
    char *enc = NULL;
    if (vc_base64url_encode(bytes, n, &enc, NULL) != VC_OK) {
        b->oom = 1;
        return;
    }
    sb_str(b, first ? "\"" : ",\"");
    sb_str(b, name);
    sb_str(b, "\":\"");
    sb_str(b, enc);
    sb_str(b, "\"");
    OPENSSL_cleanse(enc, strlen(enc));
    free(enc);
}

/* ,"name":<JSON string> with escaping (kid comes from outside). */
static void sb_json_member(struct sbuf *b, const char *name, const char *value)
{
    json_t *s = json_string(value);
    char *enc = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    json_decref(s);
    if (!enc) {
        b->oom = 1;
        return;
    }
    sb_str(b, ",\"");
    sb_str(b, name);
    sb_str(b, "\":");
    sb_str(b, enc);
    free(enc);
}

/* The RFC 7638 required members in lexicographic order: crv, kty, x[, y]. */
static void sb_required_members(struct sbuf *b, const vc_key *k)
{
    sb_str(b, "\"crv\":\"");
    sb_str(b, k->c->crv);
    sb_str(b, "\",\"kty\":\"");
    sb_str(b, k->c->kty);
    sb_str(b, "\"");
    if (k->c->group) {
        sb_b64_member(b, "x", k->pub + 1, k->c->n, 0);
        sb_b64_member(b, "y", k->pub + 1 + k->c->n, k->c->n, 0);
    } else
        sb_b64_member(b, "x", k->pub, k->c->n, 0);
}

vc_status vc_key_to_jwk(const vc_key *key, int include_private, char **out, vc_error *err)
{
    if (!key || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_to_jwk: NULL argument");
    *out = NULL;
    uint8_t priv[KEY_MAX_COORD];
    vc_status st;
    if (include_private && (st = private_bytes(key, priv, err)) != VC_OK)
        return st;
    struct sbuf b = {0};
    sb_str(&b, "{");
    sb_required_members(&b, key);
    if (include_private)
        sb_b64_member(&b, "d", priv, key->c->n, 0);
    OPENSSL_cleanse(priv, sizeof priv);
    if (key->kid)
        sb_json_member(&b, "kid", key->kid);
    if (key->alg)
        sb_json_member(&b, "alg", key->alg);
    sb_str(&b, "}");
    if (b.oom) {
        sb_drop(&b);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    *out = b.p;
    return VC_OK;
}

vc_status vc_key_thumbprint(const vc_key *key, char **out, vc_error *err)
{
    if (!key || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_thumbprint: NULL argument");
    *out = NULL;
    struct sbuf b = {0};
    sb_str(&b, "{");
    sb_required_members(&b, key);
    sb_str(&b, "}");
    if (b.oom) {
        sb_drop(&b);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    uint8_t digest[32];
    unsigned int dlen = 0;
    int ok = EVP_Digest(b.p, b.len, digest, &dlen, EVP_sha256(), NULL) == 1 && dlen == sizeof digest;
    sb_drop(&b);
    if (!ok)
        return ossl_fail(err, VC_ERR_CRYPTO, NULL, "SHA-256 failed");
    return vc_base64url_encode(digest, sizeof digest, out, err);
}

vc_status vc_key_to_pem(const vc_key *key, int include_private, char **out, vc_error *err)
{
    if (!key || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_to_pem: NULL argument");
    *out = NULL;
    if (include_private && !key->has_private)
        return vc_fail(err, VC_ERR_KEY_NO_PRIVATE, NULL, "the key has no private part to export");
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return ossl_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    /* PEM_write_bio_PrivateKey writes PKCS#8 "PRIVATE KEY" in OpenSSL 3. */
    int ok = include_private ? PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL)
                             : PEM_write_bio_PUBKEY(bio, key->pkey);
    char *data = NULL;
    long n = ok ? BIO_get_mem_data(bio, &data) : 0;
    char *s = ok && n > 0 ? malloc((size_t)n + 1) : NULL;
    if (s) {
        memcpy(s, data, (size_t)n);
        s[n] = '\0';
    }
    BIO_free(bio); /* the memory BIO clears its buffer when freed */
    if (!ok || n <= 0)
        return ossl_fail(err, VC_ERR_CRYPTO, NULL, "PEM encoding failed");
    if (!s)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    *out = s;
    return VC_OK;
}

/* ---- key files ---- */

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync the folder holding path so that the rename itself is durable. Best effort. */
static void sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Create path + ".tmp-<random>" exclusively with exactly mode. */
static int create_temp(const char *path, mode_t mode, char **tmp_out)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 5 + 16 + 1);
    if (!tmp)
        return -1;
    for (int attempt = 0; attempt < 16; attempt++) {
        unsigned char rnd[8];
        if (RAND_bytes(rnd, sizeof rnd) != 1)
            break;
        memcpy(tmp, path, n);
        memcpy(tmp + n, ".tmp-", 5);
        for (int i = 0; i < 8; i++)
            snprintf(tmp + n + 5 + 2 * i, 3, "%02x", rnd[i]);
        /* O_EXCL|O_NOFOLLOW: never reuse or follow something an attacker planted. */
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0) {
            *tmp_out = tmp;
            return fd;
        }
        if (errno != EEXIST)
            break;
    }
    int saved = errno;
    free(tmp);
    errno = saved;
    return -1;
}

vc_status vc_key_save(const vc_key *key, const char *path, int include_private, int pem, int overwrite,
                      vc_error *err)
{
    if (!key || !path || !*path)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_save: NULL argument");
    struct stat sb;
    if (!overwrite && lstat(path, &sb) == 0)
        return vc_fail(err, VC_ERR_IO, path, "%s already exists; refusing to replace it unless overwriting is allowed", path);
    char *text = NULL;
    vc_status st = pem ? vc_key_to_pem(key, include_private, &text, err)
                       : vc_key_to_jwk(key, include_private, &text, err);
    if (st != VC_OK)
        return st;
    size_t len = strlen(text);
    int add_nl = len == 0 || text[len - 1] != '\n';

    mode_t mode = include_private ? 0600 : 0644;
    char *tmp = NULL;
    int renamed = 0;
    int fd = create_temp(path, mode, &tmp);
    if (fd < 0) {
        st = vc_fail(err, VC_ERR_IO, path, "cannot create a temporary file next to %s: %s", path, strerror(errno));
        goto out;
    }
    /* The umask may have narrowed (never widened) mode; fchmod makes it exact. */
    if (fchmod(fd, mode) != 0 || write_all(fd, text, len) != 0 || (add_nl && write_all(fd, "\n", 1) != 0) ||
        fsync(fd) != 0) {
        st = vc_fail(err, VC_ERR_IO, path, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        goto out;
    }
    if (close(fd) != 0) {
        st = vc_fail(err, VC_ERR_IO, path, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (overwrite) {
        if (rename(tmp, path) != 0)
            st = vc_fail(err, VC_ERR_IO, path, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        else
            renamed = 1;
    } else if (link(tmp, path) != 0) {
        /* link() fails if path exists, closing the race with the lstat above. File
         * systems without hard links fall back to a checked rename. */
        if (errno == EEXIST || lstat(path, &sb) == 0)
            st = vc_fail(err, VC_ERR_IO, path, "%s already exists; refusing to replace it", path);
        else if (rename(tmp, path) != 0)
            st = vc_fail(err, VC_ERR_IO, path, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        else
            renamed = 1;
    }
    if (st == VC_OK)
        sync_parent(path);
    if (renamed) {
        free(tmp); /* the temporary name no longer exists: nothing to remove */
        tmp = NULL;
    }
out:
    if (tmp) {
        (void)unlink(tmp); /* after a failure, or after link() (the key lives on under path) */
        free(tmp);
    }
    OPENSSL_cleanse(text, len);
    free(text);
    return st;
}

/* ---- accessors ---- */

vc_key_type vc_key_get_type(const vc_key *key)
{
    return key ? key->c->type : VC_KEY_NONE;
}

int vc_key_has_private(const vc_key *key)
{
    return key ? key->has_private : 0;
}

const char *vc_key_jose_alg(const vc_key *key)
{
    return key ? key->c->alg : NULL;
}

const char *vc_key_get_kid(const vc_key *key)
{
    return key ? key->kid : NULL;
}

vc_status vc_key_public(const vc_key *key, vc_key **out, vc_error *err)
{
    if (!key || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_public: NULL argument");
    *out = NULL;
    if (!key->has_private) {
        /* Already public: share it. */
        vc_key *same = (vc_key *)key;
        atomic_fetch_add(&same->refs, 1);
        *out = same;
        return VC_OK;
    }
    vc_key *k = NULL;
    vc_status st = vc_key_from_raw(key->c->type, key->pub, key->pub_len, "", NULL, 0, "", &k, err);
    if (st != VC_OK)
        return st;
    if ((key->kid && !(k->kid = vc_strdup(key->kid))) || (key->alg && !(k->alg = vc_strdup(key->alg)))) {
        vc_key_free(k);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    *out = k;
    return VC_OK;
}

int vc_key_equal_public(const vc_key *a, const vc_key *b)
{
    return a && b && a->c == b->c && a->pub_len == b->pub_len && memcmp(a->pub, b->pub, a->pub_len) == 0;
}

/* ---- signatures ---- */

static vc_status check_alg(const vc_key *key, const char *alg, vc_error *err)
{
    if (!alg || strcmp(alg, key->c->alg) != 0)
        return vc_fail(err, VC_ERR_JWS_ALG_KEY, "alg", "algorithm \"%.32s\" cannot be used with a %s key (only %s)",
                       alg ? alg : "(none)", key->c->crv, key->c->alg);
    return VC_OK;
}

/* One DER INTEGER at *p (end e) into out[0..n), left-padded. 1 on success. */
static int der_int_to_fixed(const unsigned char **p, const unsigned char *e, size_t n, uint8_t *out)
{
    const unsigned char *q = *p;
    if (e - q < 2 || q[0] != 0x02 || q[1] == 0 || q[1] >= 0x80 || (size_t)(e - q - 2) < q[1])
        return 0;
    size_t len = q[1];
    const unsigned char *v = q + 2;
    *p = v + len;
    if (v[0] & 0x80)
        return 0; /* negative: not from OpenSSL; let d2i judge */
    while (len > 0 && v[0] == 0) {
        v++;
        len--;
    }
    if (len > n)
        return 0;
    memset(out, 0, n - len);
    memcpy(out + n - len, v, len);
    return 1;
}

/* OpenSSL's DER ECDSA-Sig-Value into JOSE's r||s (2n bytes). 0 when the DER is not
 * in the simple form this reads (the caller then uses d2i_ECDSA_SIG). */
static int der_to_raw(const unsigned char *der, size_t der_len, size_t n, uint8_t *out)
{
    const unsigned char *p = der, *e = der + der_len;
    if (der_len < 2 || p[0] != 0x30)
        return 0;
    size_t body;
    if (p[1] < 0x80) {
        body = p[1];
        p += 2;
    } else if (p[1] == 0x81 && der_len >= 3) {
        body = p[2];
        p += 3;
    } else
        return 0;
    if ((size_t)(e - p) != body)
        return 0;
    return der_int_to_fixed(&p, e, n, out) && der_int_to_fixed(&p, e, n, out + n) && p == e;
}

vc_status vc_key_sign(const vc_key *key, const char *alg, const uint8_t *msg, size_t msg_len, uint8_t **sig,
                      size_t *sig_len, vc_error *err)
{
    if (!key || !sig || !sig_len || (!msg && msg_len))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_sign: NULL argument");
    *sig = NULL;
    *sig_len = 0;
    vc_status st = check_alg(key, alg, err);
    if (st != VC_OK)
        return st;
    if (!key->has_private)
        return vc_fail(err, VC_ERR_KEY_NO_PRIVATE, NULL, "signing needs a private key; this %s key is public only",
                       key->c->crv);
    if (!msg)
        msg = (const uint8_t *)"";
    size_t n = key->c->n;
    uint8_t *out = malloc(2 * n);
    unsigned char *der = NULL;
    size_t der_len = 0;
    ECDSA_SIG *es = NULL;
    EVP_MD_CTX *ctx = out ? op_ctx(key, 1) : NULL;
    if (!out || !ctx) {
        st = out ? ossl_fail(err, VC_ERR_CRYPTO, NULL, "cannot start signing")
                 : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        goto done;
    }
    if (!key->c->group) {
        size_t len = 2 * n;
        if (EVP_DigestSign(ctx, out, &len, msg, msg_len) != 1 || len != 2 * n)
            st = ossl_fail(err, VC_ERR_CRYPTO, NULL, "Ed25519 signing failed");
        goto done;
    }
    /* ECDSA: OpenSSL produces DER; JOSE wants r||s, each left-padded to n bytes. */
    unsigned char der_small[160]; /* P-521's DER signature is at most 139 bytes */
    if (EVP_DigestSign(ctx, NULL, &der_len, msg, msg_len) != 1 ||
        !(der = der_len <= sizeof der_small ? der_small : OPENSSL_malloc(der_len)) ||
        EVP_DigestSign(ctx, der, &der_len, msg, msg_len) != 1) {
        st = ossl_fail(err, VC_ERR_CRYPTO, NULL, "ECDSA signing failed");
        goto done;
    }
    /* The usual case, read in place: SEQUENCE { INTEGER r, INTEGER s } with short
     * or 0x81 lengths, each value at most n bytes after its sign-padding zero. */
    if (der_to_raw(der, der_len, n, out))
        goto done;
    const unsigned char *p = der;
    const BIGNUM *r = NULL, *s = NULL;
    if (!(es = d2i_ECDSA_SIG(NULL, &p, (long)der_len))) {
        st = ossl_fail(err, VC_ERR_CRYPTO, NULL, "cannot decode the ECDSA signature");
        goto done;
    }
    ECDSA_SIG_get0(es, &r, &s);
    if (BN_bn2binpad(r, out, (int)n) != (int)n || BN_bn2binpad(s, out + n, (int)n) != (int)n)
        st = ossl_fail(err, VC_ERR_CRYPTO, NULL, "ECDSA signature values are too large");
done:
    ECDSA_SIG_free(es);
    if (der != der_small)
        OPENSSL_free(der);
    EVP_MD_CTX_free(ctx);
    if (st != VC_OK) {
        free(out);
        return st;
    }
    *sig = out;
    *sig_len = 2 * n;
    return VC_OK;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* Longest DER ECDSA-Sig-Value for n-byte scalars (n <= 66, P-521):
 * SEQUENCE (3 bytes with a long-form length) + 2 x INTEGER (2 + 1 + n). */
#define DER_SIG_MAX (3 + 2 * (3 + 66))

/* Append one DER INTEGER holding the unsigned big-endian v[0..n). v is not all zero. */
static size_t der_uint(const uint8_t *v, size_t n, unsigned char *o)
{
    while (n > 1 && v[0] == 0) {
        v++;
        n--;
    }
    size_t pad = (v[0] & 0x80) ? 1 : 0, k = 0;
    o[k++] = 0x02;
    o[k++] = (unsigned char)(n + pad);
    if (pad)
        o[k++] = 0;
    memcpy(o + k, v, n);
    return k + n;
}

/* DER of ECDSA-Sig-Value {r, s} from JOSE's r||s (2n bytes). Returns its length. */
static size_t der_ecdsa_sig(const uint8_t *sig, size_t n, unsigned char out[DER_SIG_MAX])
{
    unsigned char body[2 * (3 + 66)];
    size_t bl = der_uint(sig, n, body);
    bl += der_uint(sig + n, n, body + bl);
    size_t k = 0;
    out[k++] = 0x30;
    if (bl >= 0x80)
        out[k++] = 0x81;
    out[k++] = (unsigned char)bl;
    memcpy(out + k, body, bl);
    return k + bl;
}

vc_status vc_key_verify(const vc_key *key, const char *alg, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                        size_t sig_len, vc_error *err)
{
    if (!key || (!msg && msg_len) || (!sig && sig_len))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_verify: NULL argument");
    vc_status st = check_alg(key, alg, err);
    if (st != VC_OK)
        return st;
    size_t n = key->c->n;
    /* Exactly 2n bytes: no shorter (unpadded) or longer (DER, garbage) forms. */
    if (sig_len != 2 * n)
        return vc_fail(err, VC_ERR_JWS_SIGNATURE, "signature", "a %s signature is %zu bytes, got %zu", alg, 2 * n,
                       sig_len);
    if (!msg)
        msg = (const uint8_t *)"";
    /* ECDSA: JOSE's r||s as the DER ECDSA-Sig-Value OpenSSL verifies, encoded here
     * on the stack (the same minimal DER i2d_ECDSA_SIG writes, without two BIGNUMs
     * and two allocations per verification). */
    unsigned char der[DER_SIG_MAX];
    size_t der_len = 0;
    if (key->c->group) {
        /* r = 0 or s = 0 would make some verifiers accept anything (CVE-2022-21449):
         * refuse them here as well as in OpenSSL. */
        if (all_zero(sig, n) || all_zero(sig + n, n))
            return vc_fail(err, VC_ERR_JWS_SIGNATURE, "signature", "%s signature has a zero r or s", alg);
        der_len = der_ecdsa_sig(sig, n, der);
    }
    EVP_MD_CTX *ctx = op_ctx(key, 0);
    if (!ctx)
        return ossl_fail(err, VC_ERR_CRYPTO, NULL, "cannot start signature verification");
    int rc;
    if (der_len)
        rc = EVP_DigestVerify(ctx, der, der_len, msg, msg_len);
    else
        rc = EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len);
    EVP_MD_CTX_free(ctx);
    if (st == VC_OK && rc != 1) {
        /* 0 (bad signature) and <0 (malformed, out-of-range scalars) alike. */
        ERR_clear_error();
        st = vc_fail(err, VC_ERR_JWS_SIGNATURE, "signature", "the %s signature does not verify with this key", alg);
    }
    return st;
}
