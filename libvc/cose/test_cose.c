/* test_cose.c - COSE_Sign1 and the strict CBOR layer: deterministic encoding
 * against hand-computed bytes, round trips for every key type, single-byte
 * tampering at every offset, truncation at every length, and each strict
 * decoding rule with its error code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cose/cbor_strict.h"
#include "cose/cose_internal.h"
#include "internal.h"
#include "testutil.h"

static vc_key *ed_key, *p256_key, *p384_key, *p521_key;

static void setup(void)
{
    ck_assert_int_eq(vc_key_generate(VC_KEY_ED25519, &ed_key, NULL), VC_OK);
    ck_assert_int_eq(vc_key_generate(VC_KEY_P256, &p256_key, NULL), VC_OK);
    ck_assert_int_eq(vc_key_generate(VC_KEY_P384, &p384_key, NULL), VC_OK);
    ck_assert_int_eq(vc_key_generate(VC_KEY_P521, &p521_key, NULL), VC_OK);
}

static void teardown(void)
{
    vc_key_free(ed_key);
    vc_key_free(p256_key);
    vc_key_free(p384_key);
    vc_key_free(p521_key);
}

static void assert_bytes(const uint8_t *got, size_t got_len, const char *want_hex)
{
    size_t want_len;
    unsigned char *want = tu_hex(want_hex, &want_len);
    char *got_hex = malloc(got_len * 2 + 1);
    for (size_t i = 0; i < got_len; i++)
        sprintf(got_hex + 2 * i, "%02x", got[i]);
    got_hex[got_len * 2] = 0;
    ck_assert_msg(got_len == want_len && memcmp(got, want, want_len) == 0, "bytes differ:\n got  %s\n want %s", got_hex,
                  want_hex);
    free(got_hex);
    free(want);
}

/*
 * A COSE_Sign1 over a protected header given as hex, signed with key (its own
 * alg) over the real Sig_structure, or a dummy 64-byte signature when key is NULL.
 * unprot_hex NULL: {}. payload NULL: nil.
 */
static uint8_t *forge(const vc_key *key, int tagged, const char *prot_hex, const char *unprot_hex, const char *payload,
                      size_t *out_len)
{
    size_t plen = 0, ulen = 0;
    unsigned char *prot = prot_hex[0] ? tu_hex(prot_hex, &plen) : (unsigned char *)calloc(1, 1);
    unsigned char *unprot = unprot_hex ? tu_hex(unprot_hex, &ulen) : NULL;
    size_t paylen = payload ? strlen(payload) : 0;
    uint8_t *sig = NULL;
    size_t sig_len = 64;
    if (key) {
        uint8_t *tbs = NULL;
        size_t tbs_len = 0;
        ck_assert_int_eq(vc_cose_tbs(prot, plen, (const uint8_t *)(payload ? payload : ""), paylen, &tbs, &tbs_len, NULL),
                         VC_OK);
        vc_error e;
        tu_assert_status(vc_key_sign(key, vc_key_jose_alg(key), tbs, tbs_len, &sig, &sig_len, &e), VC_OK, &e);
        free(tbs);
    } else
        sig = calloc(1, 64);
    uint8_t *out = NULL;
    ck_assert_int_eq(vc_cose_assemble(tagged, prot, plen, unprot, ulen, (const uint8_t *)payload, paylen, sig, sig_len,
                                      &out, out_len, NULL),
                     VC_OK);
    free(prot);
    free(unprot);
    vc_free(sig);
    return out;
}

/* Parse (and, when key is given and parsing succeeded, verify); returns the status. */
static vc_status parse_verify(const uint8_t *b, size_t n, const vc_key *key, vc_error *e)
{
    vc_cose *c = NULL;
    vc_status st = vc_cose_parse(b, n, &c, e);
    if (st == VC_OK && key)
        st = vc_cose_verify(c, key, e);
    vc_cose_free(c);
    return st;
}

static void expect(const uint8_t *b, size_t n, const vc_key *key, vc_status want, const char *what)
{
    vc_error e;
    vc_error_clear(&e);
    vc_status st = parse_verify(b, n, key, &e);
    ck_assert_msg(st == want, "%s: got %s want %s (%s at %s)", what, vc_status_name(st), vc_status_name(want), e.message,
                  e.path);
    if (want != VC_OK) {
        ck_assert_int_eq(e.code, want);
        ck_assert_msg(strlen(e.message) > 0, "%s: empty message", what);
    }
}

/* Protected headers used below (hex): {1: -8} and {1: -8, 16: "application/vc+cose"}. */
#define PH_EDDSA "a10127"
#define TYP_HEX "73" "6170706c69636174696f6e2f76632b636f7365" /* "application/vc+cose" */

/* ----------------------------------------------------- deterministic encoding */

START_TEST(deterministic_protected_header)
{
    uint8_t *h = NULL;
    size_t n = 0;
    /* {1: -8, 3: "application/vc", 4: h'did:example:issuer#key-1', 16: "application/vc+cose"}
     * a4                                  map(4)
     * 01 27                               1: -8
     * 03 6e 6170706c69636174696f6e2f7663  3: "application/vc" (14 bytes)
     * 04 58 18 6469643a...2d31            4: bstr(24) (24 needs the one-byte length form)
     * 10 73 6170...6f7365                 16: "application/vc+cose" (19 bytes) */
    ck_assert_int_eq(vc_cose_protected_header(-8, "application/vc+cose", "application/vc", "did:example:issuer#key-1",
                                              &h, &n, NULL),
                     VC_OK);
    assert_bytes(h, n,
                 "a4"
                 "0127"
                 "036e6170706c69636174696f6e2f7663"
                 "0458186469643a6578616d706c653a697373756572236b65792d31"
                 "10736170706c69636174696f6e2f76632b636f7365");
    free(h);
    /* ES384 is -35: negative integer 34 = 0x38 0x22 (one-byte argument); no typ/cty/kid */
    ck_assert_int_eq(vc_cose_protected_header(-35, NULL, NULL, NULL, &h, &n, NULL), VC_OK);
    assert_bytes(h, n, "a1013822");
    free(h);
    ck_assert_int_eq(vc_cose_protected_header(-7, NULL, NULL, "k", &h, &n, NULL), VC_OK);
    assert_bytes(h, n, "a2012604416b");
    free(h);

    /* The W3C suite's protected header (credential-cose-minimal.txt) is deterministic:
     * libvc reproduces it byte for byte from the same values. */
    ck_assert_int_eq(vc_cose_protected_header(-7, "application/vc+cose", "application/vc",
                                              "73voMXFNmNlOEpuYCSJlh8eN0dscykoO6gBukgRS1uU", &h, &n, NULL),
                     VC_OK);
    assert_bytes(h, n,
                 "a40126036e6170706c69636174696f6e2f766304582b3733766f4d58464e6d4e6c4f4570755943534a6c6838654e3064"
                 "7363796b6f4f366742756b67525331755510736170706c69636174696f6e2f76632b636f7365");
    free(h);

    /* Map keys are sorted by their encoded bytes whatever the order they are added in:
     * 1 (01) < 100 (18 64) < -1 (20) < "a" (61 61) */
    vc_cmap m;
    memset(&m, 0, sizeof m);
    vc_cbuf out = {0};
    int i = vc_cmap_add(&m);
    vc_cbuf_tstr(&m.key[i], "a", 1);
    vc_cbuf_int(&m.value[i], 0);
    i = vc_cmap_add(&m);
    vc_cbuf_int(&m.key[i], 100);
    vc_cbuf_int(&m.value[i], 1);
    i = vc_cmap_add(&m);
    vc_cbuf_int(&m.key[i], -1);
    vc_cbuf_int(&m.value[i], 2);
    i = vc_cmap_add(&m);
    vc_cbuf_int(&m.key[i], 1);
    vc_cbuf_int(&m.value[i], 65536);
    ck_assert_int_eq(vc_cmap_encode(&m, &out, NULL), VC_OK);
    assert_bytes(out.data, out.len, "a4" "011a00010000" "186401" "2002" "616100");
    vc_cbuf_free(&out);
    /* the same key twice is a bug in the caller */
    memset(&m, 0, sizeof m);
    i = vc_cmap_add(&m);
    vc_cbuf_int(&m.key[i], 1);
    vc_cbuf_int(&m.value[i], 1);
    i = vc_cmap_add(&m);
    vc_cbuf_int(&m.key[i], 1);
    vc_cbuf_int(&m.value[i], 2);
    vc_error e;
    tu_assert_status(vc_cmap_encode(&m, &out, &e), VC_ERR_INTERNAL, &e);
    vc_cbuf_free(&out);

    /* shortest-form integer heads at every width boundary */
    static const struct {
        int64_t v;
        const char *hex;
    } ints[] = {{0, "00"},          {23, "17"},         {24, "1818"},           {255, "18ff"},
                {256, "190100"},    {65535, "19ffff"},  {65536, "1a00010000"}, {4294967296LL, "1b0000000100000000"},
                {-1, "20"},         {-24, "37"},        {-25, "3818"},          {-257, "390100"}};
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
        vc_cbuf b = {0};
        vc_cbuf_int(&b, ints[k].v);
        assert_bytes(b.data, b.len, ints[k].hex);
        vc_cbuf_free(&b);
    }
}
END_TEST

START_TEST(sig_structure_bytes)
{
    /* RFC 9052 C.2.1: protected h'a10126', payload "This is the content.":
     * 84 6a "Signature1" 43 a10126 40 54 "This is the content." */
    uint8_t prot[] = {0xa1, 0x01, 0x26};
    uint8_t *tbs = NULL;
    size_t n = 0;
    const char *payload = "This is the content.";
    ck_assert_int_eq(vc_cose_tbs(prot, 3, (const uint8_t *)payload, strlen(payload), &tbs, &n, NULL), VC_OK);
    assert_bytes(tbs, n,
                 "846a5369676e61747572653143a101264054546869732069732074686520636f6e74656e742e");
    free(tbs);
}
END_TEST

/* ------------------------------------------------------------ round trips */

START_TEST(roundtrip_every_key_type)
{
    const vc_key *keys[] = {ed_key, p256_key, p384_key, p521_key};
    const int algs[] = {-8, -7, -35, -36};
    const size_t sig_lens[] = {64, 64, 96, 132};
    const char *payload = "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"]}";
    for (size_t i = 0; i < 4; i++) {
        uint8_t *out = NULL;
        size_t n = 0;
        vc_error e;
        tu_assert_status(vc_cose_sign1(keys[i], "application/vc+cose", "application/vc", "did:example:i#k-1",
                                       (const uint8_t *)payload, strlen(payload), &out, &n, &e),
                         VC_OK, &e);
        ck_assert_int_eq(out[0], 0xd2); /* tag 18 */
        ck_assert_int_eq(out[1], 0x84); /* array(4) */
        vc_cose *c = NULL;
        tu_assert_status(vc_cose_parse(out, n, &c, &e), VC_OK, &e);
        ck_assert_int_eq(vc_cose_alg(c), algs[i]);
        ck_assert_int_eq(vc_cose_alg_for_key(keys[i]), algs[i]);
        ck_assert_str_eq(vc_cose_alg_name(algs[i]), vc_key_jose_alg(keys[i]));
        ck_assert_str_eq(vc_cose_kid(c), "did:example:i#k-1");
        ck_assert_str_eq(vc_cose_typ(c), "application/vc+cose");
        ck_assert_str_eq(vc_cose_cty(c), "application/vc");
        ck_assert_int_eq(vc_cose_tagged(c), 1);
        size_t pl = 0;
        ck_assert_str_eq((const char *)vc_cose_payload(c, &pl), payload);
        ck_assert_uint_eq(pl, strlen(payload));
        size_t hl = 0;
        ck_assert_ptr_nonnull(vc_cose_protected(c, &hl));
        ck_assert_int_eq(n, 1 + 1 + 2 + hl + 1 + 2 + pl + 2 + sig_lens[i]);
        tu_assert_status(vc_cose_verify(c, keys[i], &e), VC_OK, &e);
        /* another key of the same type: bad signature */
        vc_key *other = NULL;
        ck_assert_int_eq(vc_key_generate(vc_key_get_type(keys[i]), &other, NULL), VC_OK);
        tu_assert_status(vc_cose_verify(c, other, &e), VC_ERR_COSE_SIGNATURE, &e);
        vc_key_free(other);
        /* a public-only copy verifies */
        vc_key *pub = NULL;
        ck_assert_int_eq(vc_key_public(keys[i], &pub, NULL), VC_OK);
        tu_assert_status(vc_cose_verify(c, pub, &e), VC_OK, &e);
        /* ... but cannot sign */
        uint8_t *o2 = NULL;
        size_t n2 = 0;
        tu_assert_status(vc_cose_sign1(pub, NULL, NULL, NULL, (const uint8_t *)"x", 1, &o2, &n2, &e),
                         VC_ERR_KEY_NO_PRIVATE, &e);
        ck_assert_ptr_null(o2);
        vc_key_free(pub);
        vc_cose_free(c);
        /* untagged input is accepted */
        c = NULL;
        tu_assert_status(vc_cose_parse(out + 1, n - 1, &c, &e), VC_OK, &e);
        ck_assert_int_eq(vc_cose_tagged(c), 0);
        tu_assert_status(vc_cose_verify(c, keys[i], &e), VC_OK, &e);
        vc_cose_free(c);
        vc_free(out);
    }
    /* Ed25519 is deterministic: the same inputs give the same bytes */
    uint8_t *a = NULL, *b = NULL;
    size_t an = 0, bn = 0;
    ck_assert_int_eq(vc_cose_sign1(ed_key, "t", "c", "k", (const uint8_t *)"p", 1, &a, &an, NULL), VC_OK);
    ck_assert_int_eq(vc_cose_sign1(ed_key, "t", "c", "k", (const uint8_t *)"p", 1, &b, &bn, NULL), VC_OK);
    ck_assert(an == bn && memcmp(a, b, an) == 0);
    vc_free(a);
    vc_free(b);
    /* argument errors */
    vc_error e;
    uint8_t *o = NULL;
    size_t on = 0;
    tu_assert_status(vc_cose_sign1(ed_key, "", NULL, NULL, (const uint8_t *)"p", 1, &o, &on, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_cose_sign1(ed_key, NULL, NULL, "", (const uint8_t *)"p", 1, &o, &on, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_cose_sign1(NULL, NULL, NULL, NULL, (const uint8_t *)"p", 1, &o, &on, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_cose_parse(NULL, 1, NULL, &e), VC_ERR_INVALID_ARG, &e);
}
END_TEST

/* The suite's own COSE credential verifies at the COSE layer with its key. */
START_TEST(w3c_suite_cose_objects)
{
    static const struct {
        const char *input, *key;
        vc_status want;
    } cases[] = {
        {"credential-cose-minimal.txt", "vm-p256.json", VC_OK},
        {"credential-cose-bad-signature.txt", "vm-ed25519.json", VC_ERR_COSE_SIGNATURE},
        {"presentation-cose-single.txt", "vm-p384.json", VC_OK},
        {"credential-cose-bad-media-type.txt", "vm-p384.json", VC_OK}, /* media types are verify.c's concern */
        {"credential-cose-minimal.txt", "vm-ed25519.json", VC_ERR_COSE_HEADER}, /* ES256 object, Ed25519 key */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "vectors/w3c-vc-jose-cose-test-suite/%s", cases[i].input);
        size_t tn;
        char *text = tu_read(tu_shared_path(rel), &tn);
        while (tn && (text[tn - 1] == '\n' || text[tn - 1] == '\r'))
            tn--;
        uint8_t *bytes = NULL;
        size_t n = 0;
        vc_error e;
        tu_assert_status(vc_base64_decode_any(text, tn, &bytes, &n, &e), VC_OK, &e);
        snprintf(rel, sizeof rel, "vectors/w3c-vc-jose-cose-test-suite/%s", cases[i].key);
        size_t kn;
        char *kt = tu_read(tu_shared_path(rel), &kn);
        vc_key *k = NULL;
        tu_assert_status(vc_key_from_jwk(kt, kn, &k, &e), VC_OK, &e);
        expect(bytes, n, k, cases[i].want, cases[i].input);
        vc_cose *c = NULL;
        ck_assert_int_eq(vc_cose_parse(bytes, n, &c, NULL), VC_OK);
        ck_assert_int_eq(vc_cose_tagged(c), 1);
        ck_assert_ptr_nonnull(vc_cose_kid(c));
        vc_cose_free(c);
        vc_key_free(k);
        free(kt);
        free(bytes);
        free(text);
    }
}
END_TEST

/* ------------------------------------------------------------ tampering */

static size_t head_len(size_t n)
{
    return n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5;
}

START_TEST(tamper_every_byte)
{
    const char *payload = "{\"a\":1}";
    uint8_t *good = NULL;
    size_t n = 0;
    vc_error e;
    tu_assert_status(vc_cose_sign1(ed_key, "application/vc+cose", "application/vc", "did:example:i#k",
                                   (const uint8_t *)payload, strlen(payload), &good, &n, &e),
                     VC_OK, &e);
    vc_cose *c = NULL;
    ck_assert_int_eq(vc_cose_parse(good, n, &c, NULL), VC_OK);
    size_t plen = 0, hlen = 0;
    vc_cose_protected(c, &hlen);
    vc_cose_payload(c, &plen);
    vc_cose_free(c);
    /* layout: d2 84 | bstr head | protected | a0 | bstr head | payload | 58 40 | signature */
    size_t prot_start = 2 + head_len(hlen), prot_end = prot_start + hlen;
    size_t pay_start = prot_end + 1 + head_len(plen), pay_end = pay_start + plen;
    size_t sig_start = pay_end + 2, sig_end = n;
    ck_assert_uint_eq(sig_end - sig_start, 64);
    int counts[4] = {0, 0, 0, 0};
    static const uint8_t masks[] = {0x01, 0x80, 0xff};
    for (size_t i = 0; i < n; i++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            uint8_t *b = malloc(n);
            memcpy(b, good, n);
            b[i] ^= masks[m];
            vc_error_clear(&e);
            vc_status st = parse_verify(b, n, ed_key, &e);
            free(b);
            int region = i >= sig_start ? 3 : i >= pay_start && i < pay_end ? 2 : i >= prot_start && i < prot_end ? 1 : 0;
            counts[region]++;
            int ok;
            switch (region) {
            case 3: /* signature bytes */
            case 2: /* payload bytes */
                ok = st == VC_ERR_COSE_SIGNATURE;
                break;
            case 1: /* protected header bytes: broken CBOR, a header rule, or a signature over other bytes */
                ok = st == VC_ERR_CBOR || st == VC_ERR_COSE_HEADER || st == VC_ERR_COSE_SIGNATURE;
                break;
            default: /* structure: tag, array and string heads, the unprotected map */
                ok = st == VC_ERR_CBOR || st == VC_ERR_COSE_FORMAT || st == VC_ERR_LIMIT;
                break;
            }
            ck_assert_msg(ok, "byte %zu (region %d) ^ 0x%02x: got %s (%s)", i, region, masks[m], vc_status_name(st),
                          e.message);
        }
    }
    ck_assert(counts[0] > 0 && counts[1] > 0 && counts[2] > 0 && counts[3] > 0);
    vc_free(good);
}
END_TEST

START_TEST(truncated_at_every_length)
{
    uint8_t *good = NULL;
    size_t n = 0;
    ck_assert_int_eq(vc_cose_sign1(p256_key, "application/vc+cose", "application/vc", "did:example:i#k",
                                   (const uint8_t *)"{}", 2, &good, &n, NULL),
                     VC_OK);
    for (size_t len = 0; len < n; len++) {
        uint8_t *b = malloc(len ? len : 1); /* exact size: ASan/valgrind see any overread */
        memcpy(b, good, len);
        char what[48];
        snprintf(what, sizeof what, "truncated to %zu", len);
        expect(b, len, p256_key, VC_ERR_CBOR, what);
        free(b);
    }
    expect(good, n, p256_key, VC_OK, "complete");
    vc_free(good);
}
END_TEST

/* ------------------------------------------------------------ strict decoding */

START_TEST(strict_structure)
{
    size_t n;
    uint8_t *b;
    /* trailing bytes after the structure */
    b = forge(ed_key, 1, PH_EDDSA, NULL, "p", &n);
    uint8_t *t = malloc(n + 1);
    memcpy(t, b, n);
    t[n] = 0x00;
    expect(t, n + 1, ed_key, VC_ERR_CBOR, "trailing byte");
    expect(b, n, ed_key, VC_OK, "forged good");
    free(t);
    free(b);
    /* wrong tags: COSE_Sign (98), COSE_Mac0 (17), CWT (61) around COSE_Sign1, an unknown tag */
    b = forge(ed_key, 0, PH_EDDSA, NULL, "p", &n);
    static const char *const tags[] = {"d862", "d1", "d83d", "d9ffff"};
    for (size_t i = 0; i < 4; i++) {
        size_t tl;
        unsigned char *tag = tu_hex(tags[i], &tl);
        uint8_t *w = malloc(tl + n + 1);
        memcpy(w, tag, tl);
        memcpy(w + tl, b, n);
        expect(w, tl + n, ed_key, VC_ERR_COSE_FORMAT, tags[i]);
        /* tag 18 inside tag 18 is not an array either */
        free(w);
        free(tag);
    }
    uint8_t *w = malloc(n + 2);
    w[0] = 0xd2;
    w[1] = 0xd2;
    memcpy(w + 2, b, n);
    expect(w, n + 2, ed_key, VC_ERR_COSE_FORMAT, "tag 18 twice");
    free(w);
    free(b);
    /* nil (detached) payload */
    b = forge(NULL, 1, PH_EDDSA, NULL, NULL, &n);
    expect(b, n, NULL, VC_ERR_COSE_FORMAT, "nil payload");
    free(b);
    /* not a COSE_Sign1 shape */
    static const struct {
        const char *hex;
        vc_status want;
        const char *what;
    } shapes[] = {
        {"d2a0", VC_ERR_COSE_FORMAT, "tag 18 around a map"},
        {"d283430a0127a04170", VC_ERR_COSE_FORMAT, "array of 3"},
        {"d28543a10127a04170404170", VC_ERR_COSE_FORMAT, "array of 5"},
        {"d28463a10127a0417040", VC_ERR_CBOR, "protected as text that is not UTF-8"},
        {"d2846361626360a0417040", VC_ERR_CBOR, "bad shape"},
        {"d284626869a041704140", VC_ERR_COSE_FORMAT, "protected as text"},
        {"d28443a1012780417040", VC_ERR_COSE_FORMAT, "unprotected as array"},
        {"d28443a10127a0617040", VC_ERR_COSE_FORMAT, "payload as text"},
        {"d28443a10127a0417001", VC_ERR_COSE_FORMAT, "signature as int"},
        {"d28443a10127a041705f4170ff", VC_ERR_CBOR, "indefinite signature bstr"},
        {"d28443a10127a05f4170ff40", VC_ERR_CBOR, "indefinite payload bstr"},
        {"d29f43a10127a0417040ff", VC_ERR_CBOR, "indefinite outer array"},
        {"d28443a10127bfff417040", VC_ERR_CBOR, "indefinite unprotected map"},
        {"d28443a10127a0417040ff", VC_ERR_CBOR, "lone break after the structure"},
        {"d2841c", VC_ERR_CBOR, "reserved additional information"},
        {"d28443a10127a1f81001417040", VC_ERR_CBOR, "two-byte simple value below 32"},
        {"d28443a10127a2044161044162417040", VC_ERR_CBOR, "duplicate key in the unprotected header"},
        {"d28443a10127a2044161180441624170 40", VC_ERR_CBOR, "duplicate key 4 encoded in two widths"},
        {"", VC_ERR_CBOR, "empty input"},
        {"ff", VC_ERR_CBOR, "break"},
        {"d25b", VC_ERR_CBOR, "truncated 8-byte length"},
        {"d2845bffffffffffffffff", VC_ERR_CBOR, "a length beyond the input"},
        {"d2849a00100000", VC_ERR_CBOR, "array count beyond the input"},
        {"d284 43a10127 a1 41 6b 5a ffffffff", VC_ERR_CBOR, "string length near 2^32"},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        char hex[128];
        size_t k = 0;
        for (const char *p = shapes[i].hex; *p && k < sizeof hex - 1; p++)
            if (*p != ' ')
                hex[k++] = *p;
        hex[k] = 0;
        size_t bl = 0;
        unsigned char *bb = k ? tu_hex(hex, &bl) : (unsigned char *)calloc(1, 1);
        expect(bb, bl, NULL, shapes[i].want, shapes[i].what);
        free(bb);
    }
}
END_TEST

START_TEST(strict_protected_header)
{
    size_t n;
    uint8_t *b;
    static const struct {
        const char *prot, *unprot;
        vc_status want;
        const char *what;
    } cases[] = {
        /* CBOR rules inside the protected bstr */
        {"bf0127ff", NULL, VC_ERR_CBOR, "indefinite-length protected map"},
        {"a201270127", NULL, VC_ERR_CBOR, "duplicate key in the protected header"},
        {"a20127180127", NULL, VC_ERR_CBOR, "duplicate alg, second in a wider encoding"},
        {"a30127106161106162", NULL, VC_ERR_CBOR, "duplicate typ"},
        {"a201270f a2 0161 61 0161 62", NULL, VC_ERR_CBOR, "duplicate key inside the CWT claims"},
        {"a1012700", NULL, VC_ERR_CBOR, "a byte after the protected map"},
        {"a10127a0", NULL, VC_ERR_CBOR, "two maps in the protected bstr"},
        {"a2012710 62 c328", NULL, VC_ERR_CBOR, "typ that is not UTF-8"},
        {"a101", NULL, VC_ERR_CBOR, "truncated protected map"},
        {"a2012710 7f6161ff", NULL, VC_ERR_CBOR, "indefinite typ text"},
        /* COSE header rules */
        {"01", NULL, VC_ERR_COSE_HEADER, "protected header is an integer"},
        {"80", NULL, VC_ERR_COSE_HEADER, "protected header is an array"},
        {"", "a10127", VC_ERR_COSE_HEADER, "alg only in the unprotected header (empty protected)"},
        {"a110" TYP_HEX, "a10127", VC_ERR_COSE_HEADER, "alg only in the unprotected header"},
        {"a0", NULL, VC_ERR_COSE_HEADER, "no alg at all"},
        {"a10127", "a10127", VC_ERR_COSE_HEADER, "alg in both buckets"},
        {"a20127044161", "a1044161", VC_ERR_COSE_HEADER, "kid in both buckets"},
        {"a10164 6e6f6e65", NULL, VC_ERR_COSE_HEADER, "alg \"none\""},
        {"a1016545533235 36", NULL, VC_ERR_COSE_HEADER, "alg \"ES256\" as text"},
        {"a10100", NULL, VC_ERR_COSE_HEADER, "alg 0 (reserved)"},
        {"a10105", NULL, VC_ERR_COSE_HEADER, "alg 5 (HMAC 256/256)"},
        {"a101390100", NULL, VC_ERR_COSE_HEADER, "alg -257 (RS256)"},
        {"a10132", NULL, VC_ERR_COSE_HEADER, "alg -19 (Ed25519, fully specified)"},
        {"a1011bffffffffffffffff", NULL, VC_ERR_COSE_HEADER, "alg 2^64-1"},
        {"a1013bffffffffffffffff", NULL, VC_ERR_COSE_HEADER, "alg -2^64"},
        {"a101f6", NULL, VC_ERR_COSE_HEADER, "alg null"},
        {"a3 0127 02811863 186301", NULL, VC_ERR_COSE_HEADER, "crit lists an unknown label"},
        {"a3 0127 02816178 617801", NULL, VC_ERR_COSE_HEADER, "crit lists an unknown text label"},
        {"a201270280", NULL, VC_ERR_COSE_HEADER, "empty crit"},
        {"a201270210", NULL, VC_ERR_COSE_HEADER, "crit not an array"},
        {"a20127028110", NULL, VC_ERR_COSE_HEADER, "crit lists typ, which is absent"},
        {"a10127", "a1028110", VC_ERR_COSE_HEADER, "crit in the unprotected header"},
        {"a10127", "a110" TYP_HEX, VC_ERR_COSE_HEADER, "typ in the unprotected header"},
        {"a10127", "a1036e6170706c69636174696f6e2f7663", VC_ERR_COSE_HEADER, "content type unprotected"},
        {"a2012710 1862", NULL, VC_ERR_COSE_HEADER, "typ as a CoAP number"},
        {"a2012703 1832", NULL, VC_ERR_COSE_HEADER, "content type as a CoAP number"},
        {"a2012710 4161", NULL, VC_ERR_COSE_HEADER, "typ as bytes"},
        {"a2012710 6461006263", NULL, VC_ERR_COSE_HEADER, "typ with a NUL"},
        {"a2012704 616b", NULL, VC_ERR_COSE_HEADER, "kid as text"},
        {"a2012704 40", NULL, VC_ERR_COSE_HEADER, "empty kid"},
        {"a2012704 43610062", NULL, VC_ERR_COSE_HEADER, "kid with a NUL"},
        {"a2012704 42c328", NULL, VC_ERR_COSE_HEADER, "kid that is not UTF-8"},
        {"a2012741 6101", NULL, VC_ERR_COSE_HEADER, "a byte-string label"},
        {"a10127", "a1f601", VC_ERR_COSE_HEADER, "a null label in the unprotected header"},
        {"a2 0127 1bffffffffffffffff 00", "a1 1bffffffffffffffff 01", VC_ERR_COSE_HEADER,
         "a label beyond int64 in both buckets"},
        {"a2 0127 1bffffffffffffffff 00", "a1 1bfffffffffffffffe 01", VC_OK, "two labels beyond int64 that differ"},
        {"a201270f 01", NULL, VC_ERR_COSE_HEADER, "CWT claims not a map"},
        {"a201270f a1 04 6161", NULL, VC_ERR_COSE_HEADER, "CWT exp as text"},
        {"a201270f a1 01 01", NULL, VC_ERR_COSE_HEADER, "CWT iss as a number"},
        {"a201270f a1 05 f97e00", NULL, VC_ERR_COSE_HEADER, "CWT nbf NaN"},
        {"a201270f a1 40 01", NULL, VC_ERR_COSE_HEADER, "CWT claim key as bytes"},
        {"a10127", "a10fa0", VC_ERR_COSE_HEADER, "CWT claims unprotected"},
        /* accepted */
        {"a3 0127 028110 10" TYP_HEX, NULL, VC_OK, "crit naming typ, present"},
        {"a10127", "a2 1821 80 6378 7878 01", VC_OK, "unknown unprotected parameters (x5chain, text label) ignored"},
        {"a2 0127 1901f4 00", NULL, VC_OK, "unknown protected label ignored"},
        /* one-byte heads of tags 6-20, which libcbor 0.8 refuses (libcbor #307), anywhere */
        {"a2 0127 1863 c6 00", NULL, VC_OK, "tag 6 inside the protected header"},
        {"a10127", "a1 1863 d2 d3 d4 81 d0 00", VC_OK, "tags 18, 19, 20, 16 in the unprotected header"},
        {"a2 0127 0f a4 01 61 69 02 61 73 04 1a 7fffffff 05 fb 3ff8000000000000", NULL, VC_OK, "CWT claims"},
        {"", NULL, VC_ERR_COSE_HEADER, "empty protected header: no alg"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char prot[256], unprot[256];
        size_t k = 0;
        for (const char *p = cases[i].prot; *p; p++)
            if (*p != ' ')
                prot[k++] = *p;
        prot[k] = 0;
        k = 0;
        if (cases[i].unprot)
            for (const char *p = cases[i].unprot; *p; p++)
                if (*p != ' ')
                    unprot[k++] = *p;
        unprot[k] = 0;
        b = forge(ed_key, 1, prot, cases[i].unprot ? unprot : NULL, "payload", &n);
        expect(b, n, ed_key, cases[i].want, cases[i].what);
        free(b);
    }
    /* the CWT claims are read */
    b = forge(ed_key, 1, "a201270fa4016169026173041a7fffffff05fb3ff8000000000000", NULL, "p", &n);
    vc_cose *c = NULL;
    ck_assert_int_eq(vc_cose_parse(b, n, &c, NULL), VC_OK);
    ck_assert_str_eq(vc_cose_cwt_iss(c), "i");
    ck_assert_str_eq(vc_cose_cwt_sub(c), "s");
    int64_t x = 0;
    ck_assert_int_eq(vc_cose_cwt_exp(c, &x), 1);
    ck_assert_int_eq(x, 0x7fffffff);
    ck_assert_int_eq(vc_cose_cwt_nbf(c, &x), 1);
    ck_assert_int_eq(x, 1); /* 1.5 -> 1 */
    ck_assert_ptr_null(vc_cose_typ(c));
    ck_assert_ptr_null(vc_cose_kid(c));
    vc_cose_free(c);
    free(b);
}
END_TEST

START_TEST(alg_tied_to_key)
{
    size_t n;
    /* ES256 header, signed by a P-256 key: verifying with the Ed25519 key is refused
     * before any signature check, and the reverse */
    uint8_t *b = forge(p256_key, 1, "a10126", NULL, "p", &n);
    expect(b, n, p256_key, VC_OK, "ES256 with P-256");
    expect(b, n, ed_key, VC_ERR_COSE_HEADER, "ES256 header, Ed25519 key");
    expect(b, n, p384_key, VC_ERR_COSE_HEADER, "ES256 header, P-384 key");
    free(b);
    b = forge(ed_key, 1, PH_EDDSA, NULL, "p", &n);
    expect(b, n, ed_key, VC_OK, "EdDSA with Ed25519");
    expect(b, n, p256_key, VC_ERR_COSE_HEADER, "EdDSA header, P-256 key");
    free(b);
    b = forge(p384_key, 1, "a1013822", NULL, "p", &n);
    expect(b, n, p384_key, VC_OK, "ES384 with P-384");
    expect(b, n, p521_key, VC_ERR_COSE_HEADER, "ES384 header, P-521 key");
    free(b);
    b = forge(p521_key, 1, "a1013823", NULL, "p", &n);
    expect(b, n, p521_key, VC_OK, "ES512 with P-521");
    free(b);
    /* a signature of the wrong length for the alg */
    b = forge(NULL, 1, "a10126", NULL, "p", &n); /* 64 zero bytes: right length, zero scalars */
    expect(b, n, p256_key, VC_ERR_COSE_SIGNATURE, "zero ECDSA signature");
    expect(b, n, NULL, VC_OK, "parses");
    free(b);
    uint8_t *sig = calloc(1, 63), *out = NULL;
    uint8_t prot[] = {0xa1, 0x01, 0x27};
    ck_assert_int_eq(vc_cose_assemble(1, prot, 3, NULL, 0, (const uint8_t *)"p", 1, sig, 63, &out, &n, NULL), VC_OK);
    expect(out, n, ed_key, VC_ERR_COSE_SIGNATURE, "63-byte Ed25519 signature");
    free(out);
    free(sig);
}
END_TEST

START_TEST(limits)
{
    vc_error e;
    /* oversize: VC_MAX_INPUT_BYTES + 1 bytes */
    size_t big = VC_MAX_INPUT_BYTES + 1;
    uint8_t *b = calloc(1, big);
    b[0] = 0xd2;
    expect(b, big, NULL, VC_ERR_LIMIT, "limit + 1");
    free(b);
    /* exactly at the limit: signs and parses; one more payload byte is refused */
    uint8_t *out = NULL;
    size_t n = 0;
    size_t probe = 70000;
    uint8_t *payload = malloc(VC_MAX_INPUT_BYTES);
    memset(payload, 'x', VC_MAX_INPUT_BYTES);
    ck_assert_int_eq(vc_cose_sign1(ed_key, NULL, NULL, NULL, payload, probe, &out, &n, NULL), VC_OK);
    size_t overhead = n - probe;
    vc_free(out);
    size_t at_limit = VC_MAX_INPUT_BYTES - overhead;
    tu_assert_status(vc_cose_sign1(ed_key, NULL, NULL, NULL, payload, at_limit, &out, &n, &e), VC_OK, &e);
    ck_assert_uint_eq(n, VC_MAX_INPUT_BYTES);
    expect(out, n, ed_key, VC_OK, "exactly the limit");
    vc_free(out);
    tu_assert_status(vc_cose_sign1(ed_key, NULL, NULL, NULL, payload, at_limit + 1, &out, &n, &e), VC_ERR_LIMIT, &e);
    ck_assert_ptr_null(out);
    free(payload);

    /* nesting deeper than VC_COSE_MAX_DEPTH in the unprotected header */
    char unprot[256] = "a118 63";
    for (int i = 0; i < VC_COSE_MAX_DEPTH + 2; i++)
        strcat(unprot, "81");
    strcat(unprot, "00");
    char clean[256];
    size_t k = 0;
    for (const char *p = unprot; *p; p++)
        if (*p != ' ')
            clean[k++] = *p;
    clean[k] = 0;
    b = forge(ed_key, 1, PH_EDDSA, clean, "p", &n);
    expect(b, n, ed_key, VC_ERR_LIMIT, "nesting too deep");
    free(b);
    /* depth just within the limit is fine: tag(1) array(2) map(3) value(4..) */
    strcpy(unprot, "a11863");
    for (int i = 0; i < VC_COSE_MAX_DEPTH - 4; i++)
        strcat(unprot, "81");
    strcat(unprot, "00");
    b = forge(ed_key, 1, PH_EDDSA, unprot, "p", &n);
    expect(b, n, ed_key, VC_OK, "nesting at the limit");
    free(b);

    /* more than VC_COSE_MAX_ITEMS items: an unprotected array of 5000 zeros */
    size_t cnt = 5000;
    uint8_t *u = malloc(cnt + 8);
    size_t ul = 0;
    u[ul++] = 0xa1;
    u[ul++] = 0x18;
    u[ul++] = 0x63;
    u[ul++] = 0x99;
    u[ul++] = (uint8_t)(cnt >> 8);
    u[ul++] = (uint8_t)(cnt & 0xff);
    memset(u + ul, 0, cnt);
    ul += cnt;
    uint8_t prot[] = {0xa1, 0x01, 0x27}, sig[64] = {0};
    ck_assert_int_eq(vc_cose_assemble(1, prot, 3, u, ul, (const uint8_t *)"p", 1, sig, 64, &out, &n, NULL), VC_OK);
    expect(out, n, NULL, VC_ERR_LIMIT, "too many items");
    free(out);
    free(u);
    /* a protected header over VC_COSE_MAX_PROTECTED_BYTES */
    size_t pl = VC_COSE_MAX_PROTECTED_BYTES + 1;
    uint8_t *ph = malloc(pl);
    memset(ph, 0, pl);
    ck_assert_int_eq(vc_cose_assemble(1, ph, pl, NULL, 0, (const uint8_t *)"p", 1, sig, 64, &out, &n, NULL), VC_OK);
    expect(out, n, NULL, VC_ERR_LIMIT, "protected header too large");
    free(out);
    free(ph);
}
END_TEST

/* ------------------------------------------------------------ CBOR layer */

START_TEST(cbor_check_rules)
{
    static const struct {
        const char *hex;
        vc_status want;
        size_t used;
    } cases[] = {
        {"00", VC_OK, 1},
        {"1817", VC_OK, 2}, /* non-shortest integers are well formed (determinism is required of what libvc writes) */
        {"a20102 0304", VC_OK, 5},
        {"a2 01 02 01 03", VC_ERR_CBOR, 0},
        {"a2 6161 00 6161 01", VC_ERR_CBOR, 0},
        {"a2 4161 00 6161 01", VC_OK, 7},          /* bstr 'a' and tstr "a" differ */
        {"a2 81 01 00 81 01 01", VC_ERR_CBOR, 0},  /* array keys compared by encoding */
        {"a2 20 00 3800 01", VC_ERR_CBOR, 0},      /* -1 twice, two widths */
        {"a1 00 a2 00 00 00 00", VC_ERR_CBOR, 0},  /* nested duplicate */
        {"62 eda080", VC_ERR_CBOR, 0},             /* UTF-16 surrogate in UTF-8 */
        {"62 c080", VC_ERR_CBOR, 0},               /* overlong */
        {"64 f4908080", VC_ERR_CBOR, 0},           /* above U+10FFFF */
        {"63 e282ac", VC_OK, 4},                   /* euro sign */
        {"f93c00", VC_OK, 3},                      /* half float 1.0 */
        {"f820", VC_ERR_CBOR, 0},                  /* simple 32: unassigned */
        {"e0", VC_ERR_CBOR, 0},                    /* simple 0: unassigned */
        {"f3", VC_ERR_CBOR, 0},                    /* simple 19: unassigned */
        {"f4", VC_OK, 1},                          /* false */
        {"f6", VC_OK, 1},                          /* null */
        {"d2 00", VC_OK, 2},                       /* tag 18 (one-byte head) */
        {"c6 00", VC_OK, 2},                       /* tag 6 */
        {"f7", VC_OK, 1},                          /* undefined */
        {"c1 1a 00000000", VC_OK, 6},              /* tag 1 */
        {"5f ff", VC_ERR_CBOR, 0},
        {"7f ff", VC_ERR_CBOR, 0},
        {"9f ff", VC_ERR_CBOR, 0},
        {"bf ff", VC_ERR_CBOR, 0},
        {"1f", VC_ERR_CBOR, 0},
        {"3f", VC_ERR_CBOR, 0},
        {"df 00", VC_ERR_CBOR, 0},
        {"fc", VC_ERR_CBOR, 0},
        {"1d", VC_ERR_CBOR, 0},
        {"01 02", VC_OK, 1}, /* trailing bytes are the caller's concern */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char hex[64];
        size_t k = 0;
        for (const char *p = cases[i].hex; *p; p++)
            if (*p != ' ')
                hex[k++] = *p;
        hex[k] = 0;
        size_t bl;
        unsigned char *b = tu_hex(hex, &bl);
        size_t used = 0;
        vc_error e;
        vc_status st = vc_cbor_check(b, bl, "test", &used, &e);
        ck_assert_msg(st == cases[i].want, "%s: got %s (%s)", cases[i].hex, vc_status_name(st),
                      st ? e.message : "");
        if (st == VC_OK)
            ck_assert_uint_eq(used, cases[i].used);
        free(b);
    }
    ck_assert_int_eq(vc_utf8_valid((const uint8_t *)"", 0), 1);
    ck_assert_int_eq(vc_utf8_valid((const uint8_t *)"\xf0\x9f\x98\x80", 4), 1);
    ck_assert_int_eq(vc_utf8_valid((const uint8_t *)"\xf0\x9f\x98", 3), 0);
    ck_assert_int_eq(vc_utf8_valid((const uint8_t *)"\xff", 1), 0);
}
END_TEST

START_TEST(base64_forms)
{
    static const struct {
        const char *in, *std;
    } enc[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
               {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "+/8="}};
    for (size_t i = 0; i < sizeof enc / sizeof enc[0]; i++) {
        char *s = NULL;
        ck_assert_int_eq(vc_base64_encode((const uint8_t *)enc[i].in, strlen(enc[i].in), &s, NULL), VC_OK);
        ck_assert_str_eq(s, enc[i].std);
        uint8_t *d = NULL;
        size_t n = 0;
        ck_assert_int_eq(vc_base64_decode_any(s, strlen(s), &d, &n, NULL), VC_OK);
        ck_assert(n == strlen(enc[i].in) && memcmp(d, enc[i].in, n) == 0);
        free(d);
        free(s);
    }
    static const struct {
        const char *in;
        vc_status want;
        const char *out;
    } dec[] = {
        {"Zm8", VC_OK, "fo"},       {"Zm8=", VC_OK, "fo"},    {"-_8", VC_OK, "\xfb\xff"}, {"+/8", VC_OK, "\xfb\xff"},
        {"+_8", VC_ERR_FORMAT, 0},  {"Zm9", VC_ERR_FORMAT, 0}, /* non-canonical trailing bits */
        {"Zm8==", VC_ERR_FORMAT, 0}, {"Zg=", VC_ERR_FORMAT, 0}, {"Z", VC_ERR_FORMAT, 0},
        {"Zm 8", VC_ERR_FORMAT, 0},  {"Zm8\n", VC_ERR_FORMAT, 0}, {"Zm=8", VC_ERR_FORMAT, 0},
        {"Zg==", VC_OK, "f"},        {"Zg", VC_OK, "f"},
    };
    for (size_t i = 0; i < sizeof dec / sizeof dec[0]; i++) {
        uint8_t *d = NULL;
        size_t n = 0;
        vc_error e;
        vc_status st = vc_base64_decode_any(dec[i].in, strlen(dec[i].in), &d, &n, &e);
        ck_assert_msg(st == dec[i].want, "%s: got %s", dec[i].in, vc_status_name(st));
        if (st == VC_OK)
            ck_assert(n == strlen(dec[i].out) && memcmp(d, dec[i].out, n) == 0);
        free(d);
    }
}
END_TEST

int main(void)
{
    if (vc_init() != VC_OK)
        return 1;
    Suite *s = suite_create("cose");
    TCase *tc = tcase_create("cose");
    tcase_set_timeout(tc, 240);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, deterministic_protected_header);
    tcase_add_test(tc, sig_structure_bytes);
    tcase_add_test(tc, roundtrip_every_key_type);
    tcase_add_test(tc, w3c_suite_cose_objects);
    tcase_add_test(tc, tamper_every_byte);
    tcase_add_test(tc, truncated_at_every_length);
    tcase_add_test(tc, strict_structure);
    tcase_add_test(tc, strict_protected_header);
    tcase_add_test(tc, alg_tied_to_key);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, cbor_check_rules);
    tcase_add_test(tc, base64_forms);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
