/* test_core.c - base64url, JSON limits, date-times, base58, varints, URLs, errors. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

START_TEST(b64url_roundtrip)
{
    const char *cases[][2] = {{"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"},
                              {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *enc = NULL;
        ck_assert_int_eq(vc_base64url_encode((const uint8_t *)cases[i][0], strlen(cases[i][0]), &enc, NULL), VC_OK);
        ck_assert_str_eq(enc, cases[i][1]);
        uint8_t *dec = NULL;
        size_t n = 0;
        ck_assert_int_eq(vc_base64url_decode(enc, strlen(enc), &dec, &n, NULL), VC_OK);
        ck_assert_uint_eq(n, strlen(cases[i][0]));
        ck_assert(memcmp(dec, cases[i][0], n) == 0);
        vc_free(enc);
        vc_free(dec);
    }
}
END_TEST

START_TEST(b64url_strict)
{
    const char *bad[] = {"Zg==", "Zg=", "Zm9v+", "Zm9v/", "Zm 9v", "Zm9v\n", "Z", "Zh", "Zm9", "Zm8*", "Zm9vY"};
    /* Zh: last char carries stray bits (canonical is Zg); Zm9: stray bits (canonical Zm8). */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *dec = NULL;
        size_t n = 0;
        vc_error e;
        tu_assert_status(vc_base64url_decode(bad[i], strlen(bad[i]), &dec, &n, &e), VC_ERR_BASE64URL, &e);
        ck_assert_ptr_null(dec);
        ck_assert(strlen(e.message) > 0);
    }
    /* embedded NUL */
    uint8_t *dec = NULL;
    size_t n = 0;
    ck_assert_int_eq(vc_base64url_decode("Zm\0v", 4, &dec, &n, NULL), VC_ERR_BASE64URL);
}
END_TEST

START_TEST(json_strict)
{
    json_t *v = NULL;
    vc_error e;
    tu_assert_status(vc_json_parse("{\"a\":1,\"a\":2}", 13, &v, &e), VC_ERR_JSON_DUPKEY, &e);
    tu_assert_status(vc_json_parse("{\"a\":1} x", 9, &v, &e), VC_ERR_JSON, &e);
    tu_assert_status(vc_json_parse("{\"a\":\"\xff\"}", 9, &v, &e), VC_ERR_JSON, &e);
    tu_assert_status(vc_json_parse("{\"a\":\"\\u0000\"}", 14, &v, &e), VC_ERR_JSON, &e);
    tu_assert_status(vc_json_parse("{\"a\":1", 6, &v, &e), VC_ERR_JSON, &e);
    tu_assert_status(vc_json_parse_object("[1]", 3, &v, &e), VC_ERR_JSON_TYPE, &e);
    tu_assert_status(vc_json_parse_object("{\"a\":[1,{\"b\":null}]}", 20, &v, &e), VC_OK, &e);
    json_decref(v);

    /* depth: exactly the limit passes, one more fails */
    char buf[2 * (VC_MAX_JSON_DEPTH + 1) + 1];
    for (int extra = 0; extra <= 1; extra++) {
        int d = VC_MAX_JSON_DEPTH + extra;
        for (int i = 0; i < d; i++) {
            buf[i] = '[';
            buf[2 * d - 1 - i] = ']';
        }
        buf[2 * d] = '\0';
        v = NULL;
        vc_status st = vc_json_parse(buf, strlen(buf), &v, &e);
        ck_assert_int_eq(st, extra ? VC_ERR_JSON_DEPTH : VC_OK);
        json_decref(v);
    }
    /* brackets inside strings do not count */
    char deep_str[300] = "[\"";
    memset(deep_str + 2, '[', 200);
    strcpy(deep_str + 202, "\"]");
    ck_assert_int_eq(vc_json_parse(deep_str, strlen(deep_str), &v, NULL), VC_OK);
    json_decref(v);

    /* size limit: limit + 1 */
    size_t big = VC_MAX_INPUT_BYTES + 1;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[0] = '1';
    huge[big] = '\0';
    tu_assert_status(vc_json_parse(huge, big, &v, &e), VC_ERR_LIMIT, &e);
    ck_assert_int_eq(vc_json_parse(huge, big - 1, &v, NULL), VC_OK);
    json_decref(v);
    free(huge);
}
END_TEST

START_TEST(json_error_messages)
{
    /* each refusal names what is wrong and where: byte, line and column */
    struct {
        const char *text;
        vc_status code;
        const char *msg;
    } cases[] = {
        {"{\"a\":1,\"a\":2}", VC_ERR_JSON_DUPKEY, "duplicate object key (byte 7, line 1, column 8)"},
        {"{\n\"a\":\"\xff\"}", VC_ERR_JSON, "invalid UTF-8 in string (byte 7, line 2, column 6)"},
        {"[1,\n 2,\n x]", VC_ERR_JSON, "invalid token (byte 9, line 3, column 2)"},
        {"[01]", VC_ERR_JSON, "leading zero"},
        {"\"\\ud800\"", VC_ERR_JSON, "unpaired high surrogate"},
        {"\"\\u0000\"", VC_ERR_JSON, "\\u0000 is not allowed"},
        {"[1] 2", VC_ERR_JSON, "end of input expected after the value (byte 4,"},
        {"99999999999999999999", VC_ERR_JSON, "too big integer"},
        {"1e999", VC_ERR_JSON, "real number overflow"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *v = NULL;
        vc_error e;
        tu_assert_status(vc_json_parse(cases[i].text, strlen(cases[i].text), &v, &e), cases[i].code, &e);
        ck_assert_msg(strstr(e.message, cases[i].msg), "case %zu: \"%s\" lacks \"%s\"", i, e.message, cases[i].msg);
        ck_assert_ptr_null(v);
    }
    char deep[200];
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    json_t *v = NULL;
    vc_error e;
    tu_assert_status(vc_json_parse(deep, 130, &v, &e), VC_ERR_JSON_DEPTH, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "nested deeper than 64 levels (at byte 64)"));
    /* a NUL byte where jansson would skip it */
    tu_assert_status(vc_json_parse("[1\0]", 4, &v, &e), VC_ERR_JSON, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "(byte 2, line 1, column 3)"));
}
END_TEST

START_TEST(json_writing)
{
    /* vc_buf_put_json_string: every special byte at every position of strings
     * long enough for the 16-byte fast path; the result parses back to the input. */
    const unsigned char specials[] = {'"', '\\', 0x01, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x7f, 0xc3};
    for (size_t len = 1; len <= 40; len++)
        for (size_t pos = 0; pos < len; pos++)
            for (size_t k = 0; k < sizeof specials; k++) {
                char in[48];
                memset(in, 'a', len);
                in[pos] = (char)specials[k];
                size_t n = len;
                if (specials[k] == 0xc3) { /* a whole UTF-8 sequence: é */
                    if (pos + 1 >= len)
                        continue;
                    in[pos + 1] = (char)0xa9;
                }
                vc_buf b = {0};
                vc_buf_put_json_string(&b, in, n);
                ck_assert(!b.oom);
                for (size_t i = 0; i < b.n; i++)
                    ck_assert_msg((unsigned char)b.p[i] >= 0x20, "raw control character written");
                json_t *v = NULL;
                vc_error e;
                tu_assert_status(vc_json_parse(b.p, b.n, &v, &e), VC_OK, &e);
                ck_assert(json_is_string(v));
                ck_assert_uint_eq(json_string_length(v), n);
                ck_assert(memcmp(json_string_value(v), in, n) == 0);
                json_decref(v);
                free(b.p);
            }
    /* vc_json_compact keeps every token and drops white space outside strings only */
    const char *pretty = " {\n \"a b\" : [ 1 , 2.50 , \"x \\\" y\\n\" ] ,\t\"c\":{ } }\r\n";
    vc_buf c = {0};
    vc_json_compact(pretty, strlen(pretty), &c);
    ck_assert_str_eq(c.p, "{\"a b\":[1,2.50,\"x \\\" y\\n\"],\"c\":{}}");
    free(c.p);
    /* vc_json_parse_ws reports white space outside strings, and only there */
    int ws = -1;
    json_t *v = NULL;
    ck_assert_int_eq(vc_json_parse_ws("{\"a b\":[1]}", 11, &v, &ws, NULL), VC_OK);
    ck_assert_int_eq(ws, 0);
    json_decref(v);
    ck_assert_int_eq(vc_json_parse_ws("{\"a\": 1}", 8, &v, &ws, NULL), VC_OK);
    ck_assert_int_eq(ws, 1);
    json_decref(v);
    ck_assert_int_eq(vc_json_parse_ws("[1]\n", 4, &v, &ws, NULL), VC_OK);
    ck_assert_int_eq(ws, 1);
    json_decref(v);
    /* base64url into a buffer: every length around the 3-byte groups */
    uint8_t raw[64];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof raw; len++) {
        char out[100];
        size_t n = vc_b64url_encode_into(raw, len, out);
        ck_assert_uint_eq(n, vc_b64url_len(len));
        ck_assert_uint_eq(strlen(out), n);
        uint8_t *back = NULL;
        size_t back_len = 0;
        ck_assert_int_eq(vc_base64url_decode(out, n, &back, &back_len, NULL), VC_OK);
        ck_assert_uint_eq(back_len, len);
        ck_assert(len == 0 || memcmp(back, raw, len) == 0);
        vc_free(back);
    }
}
END_TEST

START_TEST(datetime)
{
    int64_t t = 0;
    vc_error e;
    ck_assert_int_eq(vc_datetime_parse("1970-01-01T00:00:00Z", &t, NULL), VC_OK);
    ck_assert_int_eq(t, 0);
    ck_assert_int_eq(vc_datetime_parse("2010-01-01T19:23:24Z", &t, NULL), VC_OK);
    ck_assert_int_eq(t, 1262373804);
    ck_assert_int_eq(vc_datetime_parse("2010-01-01T19:23:24.999+01:00", &t, NULL), VC_OK);
    ck_assert_int_eq(t, 1262373804 - 3600);
    ck_assert_int_eq(vc_datetime_parse("2024-02-29T00:00:00-00:30", &t, NULL), VC_OK);
    const char *bad[] = {"2010-01-01T19:23:24",      "2010-01-01 19:23:24Z",   "Sat 25 Feb 2023 07:16:31 PM CST",
                         "2023-02-29T00:00:00Z",     "2010-13-01T00:00:00Z",   "2010-01-01T19:23:24.Z",
                         "2010-01-01T19:60:00Z",     "2010-01-01T19:23:24+1:00", "2010-01-01T19:23:24Zjunk",
                         "Sun, 26 Feb 2023 01:22:14 +0000", "FUTURE DATE", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        tu_assert_status(vc_datetime_parse(bad[i], &t, &e), VC_ERR_DATETIME, &e);
    char buf[32];
    ck_assert_int_eq(vc_datetime_format(1262373804, buf, sizeof buf), VC_OK);
    ck_assert_str_eq(buf, "2010-01-01T19:23:24Z");
}
END_TEST

START_TEST(base58_varint)
{
    /* "hello world" -> StV1DL6CwTryKyV (Bitcoin alphabet) */
    char *s = NULL;
    ck_assert_int_eq(vc_base58_encode((const uint8_t *)"hello world", 11, &s, NULL), VC_OK);
    ck_assert_str_eq(s, "StV1DL6CwTryKyV");
    uint8_t *d = NULL;
    size_t n = 0;
    ck_assert_int_eq(vc_base58_decode(s, strlen(s), &d, &n, NULL), VC_OK);
    ck_assert_uint_eq(n, 11);
    ck_assert(memcmp(d, "hello world", 11) == 0);
    vc_free(s);
    vc_free(d);
    const uint8_t z[] = {0, 0, 1};
    ck_assert_int_eq(vc_base58_encode(z, 3, &s, NULL), VC_OK);
    ck_assert_str_eq(s, "112");
    vc_free(s);
    vc_error e;
    tu_assert_status(vc_base58_decode("0OIl", 4, &d, &n, &e), VC_ERR_MULTIBASE, &e);
    /* decoding is bounded like encoding: 1500 digits decode to more than 1024 bytes */
    char many[1501];
    memset(many, 'z', 1500);
    many[1500] = '\0';
    tu_assert_status(vc_base58_decode(many, 1500, &d, &n, &e), VC_ERR_LIMIT, &e);

    uint8_t buf[10];
    uint64_t v = 0;
    ck_assert_uint_eq(vc_varint_encode(0xed, buf), 2);
    ck_assert(buf[0] == 0xed && buf[1] == 0x01);
    ck_assert_uint_eq(vc_varint_decode(buf, 2, &v), 2);
    ck_assert_uint_eq(v, 0xed);
    ck_assert_uint_eq(vc_varint_encode(0x1200, buf), 2);
    ck_assert(buf[0] == 0x80 && buf[1] == 0x24);
    const uint8_t nonmin[] = {0x80, 0x00};
    ck_assert_uint_eq(vc_varint_decode(nonmin, 2, &v), 0);
    const uint8_t trunc[] = {0x80};
    ck_assert_uint_eq(vc_varint_decode(trunc, 1, &v), 0);
}
END_TEST

START_TEST(urls_and_names)
{
    ck_assert(vc_is_url("https://example.com/a"));
    ck_assert(vc_is_url("did:example:123"));
    ck_assert(vc_is_url("urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5"));
    ck_assert(!vc_is_url("https ://not-a-url/x"));
    ck_assert(!vc_is_url("fake-issuer"));
    ck_assert(!vc_is_url("z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj"));
    ck_assert(!vc_is_url("1http://x"));
    ck_assert(!vc_is_url("http:"));
    ck_assert(!vc_is_url("http://a b"));
    ck_assert(!vc_is_url("http://a%zz"));
    ck_assert_str_eq(vc_status_name(VC_ERR_JWS_SIGNATURE), "VC_ERR_JWS_SIGNATURE");
    ck_assert_str_eq(vc_status_name((vc_status)9999), "VC_ERR_UNKNOWN");
    char path[64] = "";
    vc_path_append(path, sizeof path, "a/b~c");
    vc_path_append_index(path, sizeof path, 3);
    ck_assert_str_eq(path, "/a~1b~0c/3");
}
END_TEST

int main(void)
{
    if (vc_init() != VC_OK)
        return 1;
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, b64url_roundtrip);
    tcase_add_test(tc, b64url_strict);
    tcase_add_test(tc, json_strict);
    tcase_add_test(tc, json_writing);
    tcase_add_test(tc, json_error_messages);
    tcase_add_test(tc, datetime);
    tcase_add_test(tc, base58_varint);
    tcase_add_test(tc, urls_and_names);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
