/* test_status.c - Bitstring Status List: bits, encoding, bombs, credentials, entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "status/status_internal.h"
#include "testutil.h"

START_TEST(bits_and_roundtrip)
{
    vc_status_list *l = NULL;
    vc_error e;
    tu_assert_status(vc_status_list_new(VC_STATUS_LIST_MIN_BITS, &l, &e), VC_OK, &e);
    ck_assert_uint_eq(vc_status_list_size(l), VC_STATUS_LIST_MIN_BITS);
    const size_t idx[] = {0, 7, 8, 94567, VC_STATUS_LIST_MIN_BITS - 1};
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(vc_status_list_set(l, idx[i], 1, NULL), VC_OK);
    int bit = -1;
    ck_assert_int_eq(vc_status_list_get(l, 1, &bit, NULL), VC_OK);
    ck_assert_int_eq(bit, 0);
    char *enc = NULL;
    tu_assert_status(vc_status_list_encode(l, &enc, &e), VC_OK, &e);
    ck_assert(enc[0] == 'u');
    ck_assert_uint_lt(strlen(enc), 400); /* 16 KiB of mostly zeros compresses well */
    vc_status_list *d = NULL;
    tu_assert_status(vc_status_list_decode(enc, &d, &e), VC_OK, &e);
    ck_assert_uint_eq(vc_status_list_size(d), VC_STATUS_LIST_MIN_BITS);
    size_t set = 0;
    for (size_t i = 0; i < vc_status_list_size(d); i++) {
        ck_assert_int_eq(vc_status_list_get(d, i, &bit, NULL), VC_OK);
        set += (size_t)bit;
    }
    ck_assert_uint_eq(set, 5);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(vc_status_list_get(d, idx[i], &bit, NULL), VC_OK);
        ck_assert_int_eq(bit, 1);
    }
    /* MSB first: index 0 is the top bit of byte 0 */
    ck_assert_int_eq(vc_status_list_set(d, 94567, 0, NULL), VC_OK);
    ck_assert_int_eq(vc_status_list_get(d, 94567, &bit, NULL), VC_OK);
    ck_assert_int_eq(bit, 0);
    tu_assert_status(vc_status_list_get(d, VC_STATUS_LIST_MIN_BITS, &bit, &e), VC_ERR_STATUS_LIST, &e);
    tu_assert_status(vc_status_list_set(d, VC_STATUS_LIST_MIN_BITS, 1, &e), VC_ERR_STATUS_LIST, &e);
    vc_status_list_free(d);
    vc_free(enc);
    vc_status_list_free(l);
    tu_assert_status(vc_status_list_new(1024, &l, &e), VC_ERR_INVALID_ARG, &e);
}
END_TEST

/* GZIP-compress raw bytes and return the multibase encodedList. */
static char *encode_raw(const uint8_t *raw, size_t n, const char *trailer)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    uLong cap = deflateBound(&z, n) + 64;
    uint8_t *gz = malloc(cap);
    z.next_in = (uint8_t *)raw;
    z.avail_in = (uInt)n;
    z.next_out = gz;
    z.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t len = z.total_out;
    deflateEnd(&z);
    if (trailer) {
        memcpy(gz + len, trailer, strlen(trailer));
        len += strlen(trailer);
    }
    char *b64 = NULL;
    ck_assert_int_eq(vc_base64url_encode(gz, len, &b64, NULL), VC_OK);
    free(gz);
    char *o = malloc(strlen(b64) + 2);
    o[0] = 'u';
    strcpy(o + 1, b64);
    vc_free(b64);
    return o;
}

START_TEST(decode_rejections)
{
    vc_status_list *l = NULL;
    vc_error e;
    tu_assert_status(vc_status_list_decode("H4sIAAAAAAAAA", &l, &e), VC_ERR_MULTIBASE, &e);
    tu_assert_status(vc_status_list_decode("zH4sI", &l, &e), VC_ERR_MULTIBASE, &e);
    tu_assert_status(vc_status_list_decode("uH4sI=", &l, &e), VC_ERR_BASE64URL, &e);
    tu_assert_status(vc_status_list_decode("uAAAAAAAA", &l, &e), VC_ERR_STATUS_LIST, &e); /* not gzip */
    ck_assert_str_eq(e.path, "encodedList");
    /* a zlib (not gzip) stream is refused */
    uint8_t raw[64] = {0};
    uLongf zl = 128;
    uint8_t zbuf[128];
    ck_assert_int_eq(compress(zbuf, &zl, raw, sizeof raw), Z_OK);
    char *b64 = NULL;
    ck_assert_int_eq(vc_base64url_encode(zbuf, zl, &b64, NULL), VC_OK);
    char enc[256];
    snprintf(enc, sizeof enc, "u%s", b64);
    vc_free(b64);
    tu_assert_status(vc_status_list_decode(enc, &l, &e), VC_ERR_STATUS_LIST, &e);
    /* trailing bytes after the stream */
    char *t = encode_raw(raw, sizeof raw, "junk");
    tu_assert_status(vc_status_list_decode(t, &l, &e), VC_ERR_STATUS_LIST, &e);
    free(t);
    /* truncated stream */
    t = encode_raw(raw, sizeof raw, NULL);
    t[1 + ((strlen(t) - 1 - 8) / 4) * 4] = '\0'; /* drop whole base64url groups: still canonical */
    tu_assert_status(vc_status_list_decode(t, &l, &e), VC_ERR_STATUS_LIST, &e);
    free(t);
    /* GZIP bomb: limit + 1 bytes of zeros (a few KiB compressed) is refused; exactly the limit passes */
    size_t big = VC_STATUS_LIST_MAX_BYTES + 1;
    uint8_t *zeros = calloc(big, 1);
    t = encode_raw(zeros, big, NULL);
    ck_assert_uint_lt(strlen(t), 40000);
    tu_assert_status(vc_status_list_decode(t, &l, &e), VC_ERR_LIMIT, &e);
    ck_assert_ptr_null(l);
    free(t);
    t = encode_raw(zeros, big - 1, NULL);
    tu_assert_status(vc_status_list_decode(t, &l, &e), VC_OK, &e);
    ck_assert_uint_eq(vc_status_list_size(l), (size_t)VC_STATUS_LIST_MAX_BYTES * 8);
    vc_status_list_free(l);
    free(t);
    free(zeros);
}
END_TEST

START_TEST(list_credential)
{
    vc_status_list *l = NULL;
    ck_assert_int_eq(vc_status_list_new(VC_STATUS_LIST_MIN_BITS, &l, NULL), VC_OK);
    ck_assert_int_eq(vc_status_list_set(l, 42, 1, NULL), VC_OK);
    char *json = NULL;
    vc_error e;
    tu_assert_status(vc_status_list_credential(l, "https://status.example/lists/1", "did:web:status.example",
                                               VC_PURPOSE_SUSPENSION, 1767225600, &json, &e),
                     VC_OK, &e);
    /* it is a valid VC 2.0 credential */
    tu_assert_status(vc_check_document(json, strlen(json), 0, NULL, &e), VC_OK, &e);
    ck_assert_ptr_nonnull(strstr(json, "\"BitstringStatusListCredential\""));
    ck_assert_ptr_nonnull(strstr(json, "\"https://status.example/lists/1#list\""));
    ck_assert_ptr_nonnull(strstr(json, "\"2026-01-01T00:00:00Z\""));
    vc_status_list *back = NULL;
    vc_status_purpose p;
    char *url = NULL;
    tu_assert_status(vc_status_list_from_credential(json, strlen(json), &back, &p, &url, &e), VC_OK, &e);
    ck_assert_int_eq(p, VC_PURPOSE_SUSPENSION);
    ck_assert_str_eq(url, "https://status.example/lists/1");
    int bit;
    ck_assert_int_eq(vc_status_list_get(back, 42, &bit, NULL), VC_OK);
    ck_assert_int_eq(bit, 1);
    vc_status_list_free(back);
    vc_free(url);
    vc_free(json);
    tu_assert_status(vc_status_list_credential(l, "https://status.example/lists/1#x", "did:web:a", VC_PURPOSE_REVOCATION,
                                               0, &json, &e),
                     VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_status_list_credential(l, "not a url", "did:web:a", VC_PURPOSE_REVOCATION, 0, &json, &e),
                     VC_ERR_INVALID_ARG, &e);
    vc_status_list_free(l);

    /* malformed list credentials */
    struct {
        const char *json;
        const char *path;
    } bad[] = {
        {"{\"type\":[\"VerifiableCredential\"],\"credentialSubject\":{}}", "/type"},
        {"{\"type\":[\"BitstringStatusListCredential\"],\"credentialSubject\":{\"type\":\"X\"}}",
         "/credentialSubject/type"},
        {"{\"type\":\"BitstringStatusListCredential\",\"credentialSubject\":{\"type\":\"BitstringStatusList\","
         "\"statusPurpose\":\"message\",\"encodedList\":\"uAA\"}}",
         "/credentialSubject/statusPurpose"},
        {"{\"type\":\"BitstringStatusListCredential\",\"credentialSubject\":{\"type\":\"BitstringStatusList\","
         "\"statusPurpose\":\"revocation\",\"statusSize\":2,\"encodedList\":\"uAA\"}}",
         "/credentialSubject/statusSize"},
        {"{\"type\":\"BitstringStatusListCredential\",\"credentialSubject\":{\"type\":\"BitstringStatusList\","
         "\"statusPurpose\":\"revocation\"}}",
         "/credentialSubject/encodedList"},
        {"{\"type\":\"BitstringStatusListCredential\",\"credentialSubject\":{\"type\":\"BitstringStatusList\","
         "\"statusPurpose\":\"revocation\",\"encodedList\":\"uAAAA\"}}",
         "/credentialSubject/encodedList"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vc_status_list *x = NULL;
        tu_assert_status(vc_status_list_from_credential(bad[i].json, strlen(bad[i].json), &x, &p, NULL, &e),
                         VC_ERR_STATUS_LIST, &e);
        ck_assert_str_eq(e.path, bad[i].path);
        ck_assert_ptr_null(x);
    }
}
END_TEST

START_TEST(entries)
{
    const char *cred = "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":\"VerifiableCredential\","
                       "\"credentialSubject\":{\"id\":\"did:example:s\"}}";
    char *one = NULL, *two = NULL;
    vc_error e;
    tu_assert_status(vc_status_entry_add(cred, strlen(cred), "https://s.example/l/1", 94567, VC_PURPOSE_REVOCATION,
                                         &one, &e),
                     VC_OK, &e);
    tu_assert_status(vc_status_entry_add(one, strlen(one), "https://s.example/l/2", 7, VC_PURPOSE_SUSPENSION, &two, &e),
                     VC_OK, &e);
    tu_assert_status(vc_check_document(two, strlen(two), VC_CHECK_UNSIGNED, NULL, &e), VC_OK, &e);
    json_t *c = json_loads(two, 0, NULL);
    vc_status_entry es[VC_STATUS_MAX_ENTRIES];
    size_t n = 0, other = 0;
    tu_assert_status(vc_status_entries(c, es, VC_STATUS_MAX_ENTRIES, &n, &other, &e), VC_OK, &e);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(other, 0);
    ck_assert_str_eq(es[0].list_url, "https://s.example/l/1");
    ck_assert_uint_eq(es[0].index, 94567);
    ck_assert_int_eq(es[0].purpose, VC_PURPOSE_REVOCATION);
    ck_assert_str_eq(es[1].path, "/credentialStatus/1");
    ck_assert_int_eq(es[1].purpose, VC_PURPOSE_SUSPENSION);
    json_decref(c);
    vc_free(one);
    vc_free(two);
    tu_assert_status(vc_status_entry_add(cred, strlen(cred), "https://s.example/l#frag", 1, VC_PURPOSE_REVOCATION, &one,
                                         &e),
                     VC_ERR_INVALID_ARG, &e);

    const char *bad[] = {
        "{\"credentialStatus\":{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
        "\"statusListIndex\":42,\"statusListCredential\":\"https://s.example/l\"}}",
        "{\"credentialStatus\":{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
        "\"statusListIndex\":\"-1\",\"statusListCredential\":\"https://s.example/l\"}}",
        "{\"credentialStatus\":{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
        "\"statusListIndex\":\"007\",\"statusListCredential\":\"https://s.example/l\"}}",
        "{\"credentialStatus\":{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"refresh\","
        "\"statusListIndex\":\"7\",\"statusListCredential\":\"https://s.example/l\"}}",
        "{\"credentialStatus\":{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
        "\"statusListIndex\":\"7\"}}",
        "{\"credentialStatus\":{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
        "\"statusSize\":2,\"statusListIndex\":\"7\",\"statusListCredential\":\"https://s.example/l\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *b = json_loads(bad[i], 0, NULL);
        ck_assert_ptr_nonnull(b);
        tu_assert_status(vc_status_entries(b, es, VC_STATUS_MAX_ENTRIES, &n, &other, &e), VC_ERR_STATUS_LIST, &e);
        ck_assert_str_eq(e.path, "/credentialStatus");
        json_decref(b);
    }
    /* other status types are counted, not judged */
    json_t *o = json_loads("{\"credentialStatus\":[{\"type\":\"StatusList2021Entry\"}]}", 0, NULL);
    tu_assert_status(vc_status_entries(o, es, VC_STATUS_MAX_ENTRIES, &n, &other, &e), VC_OK, &e);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(other, 1);
    json_decref(o);
}
END_TEST

int main(void)
{
    if (vc_init() != VC_OK)
        return 1;
    Suite *s = suite_create("status");
    TCase *tc = tcase_create("status");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bits_and_roundtrip);
    tcase_add_test(tc, decode_rejections);
    tcase_add_test(tc, list_credential);
    tcase_add_test(tc, entries);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
