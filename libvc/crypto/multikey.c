/*
 * multikey.c - Multikey public keys: multibase base58btc ('z') of a multicodec
 * varint followed by the key bytes, as used by did:key and Multikey methods.
 *
 *   Ed25519  ed25519-pub 0xed    32 raw bytes
 *   P-256    p256-pub    0x1200  33-byte compressed SEC1 point
 *   P-384    p384-pub    0x1201  49-byte compressed SEC1 point
 *
 * Decoding is strict: only the 'z' prefix, a minimal varint, a known codec, the
 * exact length, and a point that decompresses onto the curve in its canonical
 * form (the re-encoding must give back the same string). Codecs of other key
 * types (X25519, secp256k1, P-521, BLS, RSA, ...) are VC_ERR_KEY_TYPE; anything
 * malformed is VC_ERR_MULTIBASE; a bad point is VC_ERR_KEY.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto_internal.h"


struct codec {
    uint64_t code;
    vc_key_type type;
    size_t len; /* key bytes after the varint */
};

static const struct codec codecs[] = {
    {0xed, VC_KEY_ED25519, 32},
    {0x1200, VC_KEY_P256, 33},
    {0x1201, VC_KEY_P384, 49},
};

static const struct codec *codec_by_code(uint64_t code)
{
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
        if (codecs[i].code == code)
            return &codecs[i];
    return NULL;
}

static const struct codec *codec_by_type(vc_key_type type)
{
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
        if (codecs[i].type == type)
            return &codecs[i];
    return NULL;
}

/* Names of public-key codecs libvc knows but does not support, for messages. */
static const char *codec_name(uint64_t code)
{
    switch (code) {
    case 0xe7: return "secp256k1-pub";
    case 0xea: return "bls12_381-g1-pub";
    case 0xeb: return "bls12_381-g2-pub";
    case 0xec: return "x25519-pub";
    case 0xee: return "bls12_381-g1g2-pub";
    case 0x1202: return "p521-pub";
    case 0x1203: return "ed448-pub";
    case 0x1204: return "x448-pub";
    case 0x1205: return "rsa-pub";
    case 0x1206: return "sm2-pub";
    default: return "unknown";
    }
}

vc_status vc_key_to_multikey(const vc_key *key, char **out, vc_error *err)
{
    if (!key || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_to_multikey: NULL argument");
    *out = NULL;
    /* base58 is quadratic and every did:key signature needs the text: once per key. */
    const char *cached = vc_key_cached_multikey(key);
    if (cached) {
        *out = vc_strdup(cached);
        return *out ? VC_OK : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    const struct codec *c = codec_by_type(vc_key_get_type(key));
    if (!c)
        return vc_fail(err, VC_ERR_KEY_TYPE, NULL,
                       "%s keys have no multikey encoding in libvc (Ed25519, P-256 and P-384 do)",
                       vc_key_jose_alg(key));
    size_t pub_len = 0;
    const uint8_t *pub = vc_key_public_bytes(key, &pub_len);
    uint8_t buf[10 + 64];
    size_t n = vc_varint_encode(c->code, buf);
    if (c->type == VC_KEY_ED25519) {
        memcpy(buf + n, pub, pub_len);
    } else {
        /* pub is 04||x||y: compress to (02 | y parity)||x. */
        size_t coord = (pub_len - 1) / 2;
        buf[n] = (uint8_t)(0x02 | (pub[pub_len - 1] & 1));
        memcpy(buf + n + 1, pub + 1, coord);
    }
    n += c->len;
    char *b58 = NULL;
    vc_status st = vc_base58_encode(buf, n, &b58, err);
    if (st != VC_OK)
        return st;
    size_t len = strlen(b58);
    char *s = malloc(len + 2);
    if (!s) {
        free(b58);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    s[0] = 'z';
    memcpy(s + 1, b58, len + 1);
    free(b58);
    char *keep = vc_strdup(s);
    if (keep)
        vc_key_cache_multikey(key, keep);
    *out = s;
    return VC_OK;
}

vc_status vc_key_from_multikey(const char *multibase, vc_key **out, vc_error *err)
{
    if (!multibase || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "key_from_multikey: NULL argument");
    *out = NULL;
    size_t len = strlen(multibase);
    if (len == 0 || multibase[0] != 'z')
        return vc_fail(err, VC_ERR_MULTIBASE, "",
                       "a multikey must be multibase base58btc (start with 'z'), got '%.1s'", multibase);
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    vc_error e;
    /* vc_base58_decode bounds the length (RSA did:keys must still reach the codec check). */
    if (vc_base58_decode(multibase + 1, len - 1, &raw, &raw_len, &e) != VC_OK)
        return vc_fail(err, e.code == VC_ERR_NOMEM ? VC_ERR_NOMEM : VC_ERR_MULTIBASE, "", "multikey: %s", e.message);
    vc_status st;
    uint64_t code = 0;
    size_t vlen = vc_varint_decode(raw, raw_len, &code);
    const struct codec *c = vlen ? codec_by_code(code) : NULL;
    if (!vlen)
        st = vc_fail(err, VC_ERR_MULTIBASE, "", "multikey does not start with a valid multicodec varint");
    else if (!c)
        st = vc_fail(err, VC_ERR_KEY_TYPE, "",
                     "multikey codec 0x%llx (%s) is not supported (use Ed25519 0xed, P-256 0x1200 or P-384 0x1201)",
                     (unsigned long long)code, codec_name(code));
    else if (raw_len - vlen != c->len)
        st = vc_fail(err, VC_ERR_MULTIBASE, "", "multikey for codec 0x%llx must hold %zu key bytes, got %zu",
                     (unsigned long long)code, c->len, raw_len - vlen);
    else if (c->type != VC_KEY_ED25519 && raw[vlen] != 0x02 && raw[vlen] != 0x03)
        st = vc_fail(err, VC_ERR_KEY, "", "multikey EC point must be compressed (first byte 02 or 03, got %02x)",
                     raw[vlen]);
    else
        /* key_from_raw decompresses the point, checks it is on the curve and
         * that its canonical compression is exactly these bytes. */
        st = vc_key_from_raw(c->type, raw + vlen, c->len, "", NULL, 0, "", out, err);
    free(raw);
    return st;
}
