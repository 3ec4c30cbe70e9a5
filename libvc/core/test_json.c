/*
 * test_json.c - differential oracle for vc_json_parse.
 *
 * libvc's strict JSON parser must give exactly the verdict of the reference (the
 * VC_MAX_INPUT_BYTES check, the original nesting pre-scan, then jansson's
 * json_loadb with JSON_DECODE_ANY | JSON_REJECT_DUPLICATES) and, on success, the
 * same value: json_equal() and, stricter, the same compact dump (so the same
 * integer/real kinds, the sign of -0.0 and the key order). The one freedom: text
 * that is too deep AND otherwise invalid may be reported either way (see
 * ref_parse). Every accepted value also round-trips through vc_json_dump.
 *
 * Inputs: ~370 hand-written edge cases (each also pins the reference's own
 * verdict, i.e. documents what jansson 2.14 does), generated deep / long / huge
 * texts, random numbers, strings and documents, and seeded mutations of the
 * examples (UNTPCRED_DATA_DIR). Every text is parsed from an exact-size heap copy
 * so that a read past len shows under ASan / valgrind. VC_TEST_NO_TIMING=1 (the
 * valgrind run) cuts the random rounds to ~1,000 each. VC_JSON_ORACLE_KEEP_GOING=1
 * lists every divergence instead of stopping at the first; CK_RUN_CASE=cases|depth|
 * long|random|mutations runs one part.
 */
#include <glob.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

#define REF_FLAGS (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)
#define ANY_STATUS (-1)

/* ---- the reference: json_oracle.h ------------------------------------------ */

#include "json_oracle.h"

/* ---- checking one text ------------------------------------------------------ */

/* VC_JSON_ORACLE_KEEP_GOING=1: report every divergence (the first 300) instead of
 * stopping at the first; the test still fails at its end. */
static int keep_going = -1;
static unsigned long n_checked, n_accepted, n_failed;

static void start_counts(void)
{
    const char *k = getenv("VC_JSON_ORACLE_KEEP_GOING");
    keep_going = k && *k && strcmp(k, "0") != 0;
    n_checked = n_accepted = n_failed = 0;
}

static void end_counts(const char *test)
{
    fprintf(stderr, "%s: %lu texts checked, %lu accepted, %lu divergences\n", test, n_checked, n_accepted, n_failed);
    ck_assert_msg(n_failed == 0, "%s: %lu divergences from the reference", test, n_failed);
}

static void oracle_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void oracle_fail(const char *fmt, ...)
{
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    n_failed++;
    if (!keep_going)
        ck_abort_msg("%s", msg);
    if (n_failed <= 300)
        fprintf(stderr, "DIVERGENCE: %s\n", msg);
}

/* C-escaped, truncated copy of s for messages (octal escapes: pasteable into C). */
static const char *esc(const char *s, size_t n, char *o, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 8 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            k += (size_t)snprintf(o + k, cap - k, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            o[k++] = (char)c;
        else
            k += (size_t)snprintf(o + k, cap - k, "\\%03o", c);
        if (k + 8 >= cap && i + 1 < n) {
            k += (size_t)snprintf(o + k, cap - k, "...");
            break;
        }
    }
    if (k >= cap)
        k = cap - 1;
    o[k] = '\0';
    return o;
}

static const char *status_set(unsigned allowed, char *o, size_t cap)
{
    static const vc_status all[] = {VC_OK, VC_ERR_JSON, VC_ERR_JSON_DUPKEY, VC_ERR_JSON_DEPTH, VC_ERR_LIMIT,
                                    VC_ERR_NOMEM};
    o[0] = '\0';
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (allowed & sbit(all[i]))
            snprintf(o + strlen(o), cap - strlen(o), "%s%s", o[0] ? " or " : "", vc_status_name(all[i]));
    return o;
}

/* Same value: json_equal, and byte-identical compact dumps (kinds, -0.0, key order). */
static int same_value(const json_t *a, const json_t *b, const char *label, const char *shown, const char *what)
{
    if (!a || !b || !json_equal(a, b)) {
        oracle_fail("%s: %s: values differ (json_equal) for \"%s\"", label, what, shown);
        return 0;
    }
    char *da = vc_json_dump(a), *db = vc_json_dump(b);
    ck_assert_ptr_nonnull(da);
    ck_assert_ptr_nonnull(db);
    int same = strcmp(da, db) == 0;
    if (!same)
        oracle_fail("%s: %s: compact dumps differ for \"%s\": %.300s vs %.300s (reference)", label, what, shown, da,
                    db);
    free(da);
    free(db);
    return same;
}

/* Round trip: the compact dump and an indented, ASCII-only dump parse again, to the
 * same value, with the same verdict as the reference (a dump may outgrow the
 * input limit: then both must say VC_ERR_LIMIT). */
static void roundtrip(const json_t *v, const char *label, const char *shown)
{
    char *dumps[2] = {vc_json_dump(v), json_dumps(v, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
                                                        JSON_INDENT(1))};
    for (int k = 0; k < 2; k++) {
        ck_assert_ptr_nonnull(dumps[k]);
        size_t n = strlen(dumps[k]);
        json_t *w = NULL, *r = NULL;
        unsigned allowed;
        vc_status rs = ref_parse(dumps[k], n, &r, &allowed);
        vc_status st = vc_json_parse(dumps[k], n, &w, NULL);
        if (st != rs)
            oracle_fail("%s: round trip %d: vc_json_parse gives %s, the reference %s (input \"%s\")", label, k,
                        vc_status_name(st), vc_status_name(rs), shown);
        else if (n <= VC_MAX_INPUT_BYTES && st != VC_OK)
            oracle_fail("%s: round trip %d rejected: %s (input \"%s\")", label, k, vc_status_name(st), shown);
        else if (st == VC_OK && same_value(w, v, label, shown, k ? "ascii/indented round trip" : "compact round trip"))
            same_value(w, r, label, shown, "round trip vs reference");
        json_decref(w);
        json_decref(r);
        free(dumps[k]);
    }
}

/*
 * Compare vc_json_parse with the reference on text[0..len), parsed from an
 * exact-size heap copy. expect: the status the reference itself must give (pins
 * jansson's behaviour; ANY_STATUS for generated input). deep: also with a NULL
 * vc_error and through vc_json_parse_object.
 */
static void check_text_mode(const char *text, size_t len, int expect, const char *label, int deep)
{
    char *buf = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(buf);
    if (len)
        memcpy(buf, text, len);
    char shown[480], set[128];
    esc(buf, len, shown, sizeof shown);
    n_checked++;

    json_t *ref = NULL, *v = NULL;
    unsigned allowed;
    vc_status rs = ref_parse(buf, len, &ref, &allowed);
    if (expect != ANY_STATUS && rs != (vc_status)expect)
        oracle_fail("%s: the reference (jansson) gives %s, the table says %s, for \"%s\"", label,
                    vc_status_name(rs), vc_status_name((vc_status)expect), shown);

    vc_error e;
    memset(&e, 0, sizeof e);
    vc_status st = vc_json_parse(buf, len, &v, &e);
    if (!(sbit(st) & allowed)) {
        oracle_fail("%s: vc_json_parse gives %s (%s), the reference %s, for \"%s\" (%zu bytes)", label,
                    vc_status_name(st), e.message, status_set(allowed, set, sizeof set), shown, len);
        goto done;
    }
    if (st == VC_OK) {
        if (!v) {
            oracle_fail("%s: VC_OK without a value", label);
            goto done;
        }
        n_accepted++;
        if (same_value(v, ref, label, shown, "parse vs reference"))
            roundtrip(v, label, shown);
    } else if (v != NULL)
        oracle_fail("%s: *out set on %s", label, vc_status_name(st));
    else if (e.code != st || !e.message[0])
        oracle_fail("%s: vc_error not filled on %s", label, vc_status_name(st));
    if (deep) {
        /* a NULL vc_error is allowed and changes nothing */
        json_t *v2 = NULL;
        vc_status st2 = vc_json_parse(buf, len, &v2, NULL);
        if (st2 != st)
            oracle_fail("%s: with a NULL vc_error: %s, else %s", label, vc_status_name(st2), vc_status_name(st));
        else if (st == VC_OK)
            same_value(v2, v, label, shown, "parse with a NULL vc_error");
        json_decref(v2);
        /* vc_json_parse_object agrees */
        json_t *o = NULL;
        vc_status so = vc_json_parse_object(buf, len, &o, NULL);
        vc_status want = st != VC_OK ? st : json_is_object(v) ? VC_OK : VC_ERR_JSON_TYPE;
        if (so != want)
            oracle_fail("%s: vc_json_parse_object gives %s, want %s", label, vc_status_name(so), vc_status_name(want));
        else if (so == VC_OK)
            same_value(o, v, label, shown, "parse_object");
        json_decref(o);
    }
done:
    json_decref(v);
    json_decref(ref);
    free(buf);
}

static void check_text(const char *text, size_t len, int expect, const char *label)
{
    check_text_mode(text, len, expect, label, 1);
}

/* ---- a growable byte buffer --------------------------------------------------- */

typedef struct {
    char *p;
    size_t n, cap;
} buf_t;

static void b_reserve(buf_t *b, size_t extra)
{
    if (b->n + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + extra)
        cap *= 2;
    b->p = realloc(b->p, cap);
    ck_assert_ptr_nonnull(b->p);
    b->cap = cap;
}
static void b_putn(buf_t *b, const char *s, size_t n)
{
    b_reserve(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
}
static void b_puts(buf_t *b, const char *s)
{
    b_putn(b, s, strlen(s));
}
static void b_putc(buf_t *b, char c)
{
    b_putn(b, &c, 1);
}
static void b_rep(buf_t *b, const char *s, int times)
{
    for (int i = 0; i < times; i++)
        b_puts(b, s);
}
static void b_insert(buf_t *b, size_t at, const char *s, size_t n)
{
    b_reserve(b, n);
    memmove(b->p + at + n, b->p + at, b->n - at);
    memcpy(b->p + at, s, n);
    b->n += n;
}
static void b_erase(buf_t *b, size_t at, size_t n)
{
    memmove(b->p + at, b->p + at + n, b->n - at - n);
    b->n -= n;
}

/* ---- a. hand-written edge cases ------------------------------------------------ */

struct jcase {
    const char *text;
    size_t len;
    int expect;
};
#define OK_(s) {s, sizeof(s) - 1, VC_OK}
#define BAD(s) {s, sizeof(s) - 1, VC_ERR_JSON}
#define DUP(s) {s, sizeof(s) - 1, VC_ERR_JSON_DUPKEY}
#define CUT(s, n, x) {s, n, x} /* a prefix of s: the parser must stop at len */
/* accepted by jansson: a NUL right after a number or literal (see VC_JSON_REF_NUL_QUIRK) */
#define NULQ(s) {s, sizeof(s) - 1, VC_JSON_REF_NUL_QUIRK ? VC_OK : VC_ERR_JSON}

static const struct jcase cases[] = {
    /* literals and top-level scalars (JSON_DECODE_ANY) */
    OK_("true"), OK_("false"), OK_("null"), BAD("tru"), BAD("fals"), BAD("nul"), BAD("nulll"), BAD("truee"),
    BAD("True"), BAD("FALSE"), BAD("NULL"), BAD("nil"), BAD("undefined"), BAD("true false"), BAD("truefalse"),
    BAD("true1"), BAD("[tru]"), BAD("[true false]"), OK_("[true,false,null]"), BAD("t"),
    /* integers */
    OK_("0"), OK_("-0"), OK_("1"), OK_("-1"), OK_("123"), OK_("[-0]"), OK_("9223372036854775807"),
    BAD("9223372036854775808"), OK_("-9223372036854775808"), BAD("-9223372036854775809"),
    BAD("99999999999999999999"), BAD("-99999999999999999999"), OK_("9223372036854775806"),
    BAD("01"), BAD("-01"), BAD("00"), BAD("-00"), BAD("0123"), BAD("+1"), BAD("-"), BAD("--1"), BAD("- 1"),
    BAD("0x10"), BAD("0X1"), BAD("1_000"), BAD("1 2"), BAD("[1 2]"), BAD("1,"), BAD("\xef\xbc\x91"),
    /* reals */
    OK_("1.5"), OK_("-1.5e-3"), OK_("0.0"), OK_("-0.0"), OK_("0e0"), OK_("0E-0"), OK_("1e5"), OK_("1E5"),
    OK_("1E+5"), OK_("1e-5"), OK_("1e+0"), OK_("0.30000000000000004"), OK_("2.2250738585072011e-308"),
    OK_("2.2250738585072012e-308"), OK_("4.9e-324"), OK_("5e-324"), OK_("2e-324"), OK_("3e-324"), OK_("1e-400"),
    OK_("-1e-400"), OK_("0e400"), OK_("-0e400"), OK_("0.0e999999"), OK_("1e-99999999999999999999"),
    OK_("1.7976931348623157e308"), OK_("1.7976931348623158e308"), BAD("1.7976931348623159e308"), OK_("1E308"),
    BAD("1E309"), BAD("1e400"), BAD("-1e400"), BAD("1e99999999999999999999"), OK_("9223372036854775807.0"),
    OK_("9223372036854775808.0"), OK_("9223372036854775808e0"), OK_("-9223372036854775809.5"),
    OK_("123456789012345678901234567890e-10"), OK_("0.1000000000000000055511151231257827"),
    OK_("1.00000000000000011102230246251565404236316680908203125"), BAD("1."), BAD("1.e5"), BAD(".5"),
    BAD("-.5"), BAD("1e"), BAD("1E"), BAD("1e+"), BAD("1e-"), BAD("1e+-1"), BAD("1.0e+"), BAD("1.5.5"),
    BAD("1e5e5"), BAD("1e5.5"), BAD("1.5e"), BAD("NaN"), BAD("nan"), BAD("Infinity"), BAD("-Infinity"),
    BAD("inf"), BAD("[1.]"), BAD("[.5]"), BAD("1.5x"), BAD("1.5 x"),
    /* strings: escapes */
    OK_("\"\""), OK_("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""), OK_("\"\\u0041\\u00e9\\u20AC\\uFFFF\\uFFFE\""),
    OK_("\"\\u0001\\u001f\\u007f\\u0080\""), OK_("\"\\uD834\\uDD1E\""), OK_("\"\\ud834\\udd1e\""),
    OK_("\"\\uD800\\uDC00\""), OK_("\"\\uDBFF\\uDFFF\""), OK_("\"x\\uD83D\\uDE00y\""), OK_("\"\\uE000\""),
    OK_("\"\\uD7FF\""), BAD("\"\\ud800\""), BAD("\"\\uDBFF\""), BAD("\"\\ud800x\""), BAD("\"\\ud800\\n\""),
    BAD("\"\\ud800\\\""), BAD("\"\\ud800\\u\""), BAD("\"\\ud800\\u0041\""), BAD("\"\\ud800\\ud800\""),
    BAD("\"\\ud800\\uE000\""), BAD("\"\\udc00\""), BAD("\"\\uDFFF\""), BAD("\"\\udc00\\ud800\""),
    BAD("\"\\udc00\\udc00\""), BAD("\"\\u0000\""), BAD("\"a\\u0000b\""), BAD("{\"\\u0000\":1}"),
    BAD("\"\\x41\""), BAD("\"\\a\""), BAD("\"\\'\""), BAD("\"\\0\""), BAD("\"\\U0041\""), BAD("\"\\u004\""),
    BAD("\"\\u00G1\""), BAD("\"\\u\""), BAD("\"\\u 041\""), BAD("\"\\u+041\""), BAD("\"\\\""), BAD("\"\\"),
    BAD("\"\\\n\""), BAD("\"abc"), BAD("\""), BAD("'a'"), BAD("\"a\"\""), BAD("\"\\ud800\"  x"),
    /* strings: raw bytes */
    BAD("\"\x01\""), BAD("\"\t\""), BAD("\"\n\""), BAD("\"\r\""), BAD("\"\x1f\""), BAD("\"a\0b\""),
    OK_("\"\x7f\""), OK_("\" ~\""), OK_("\"\xc3\xa9\""), OK_("\"\xc2\x80\""), OK_("\"\xc2\x85\""),
    OK_("\"\xc2\xa0\""), OK_("\"\xdf\xbf\""), OK_("\"\xe0\xa0\x80\""), OK_("\"\xe2\x82\xac\""),
    OK_("\"\xed\x9f\xbf\""), OK_("\"\xee\x80\x80\""), OK_("\"\xef\xbb\xbf\""), OK_("\"\xef\xbf\xbe\""),
    OK_("\"\xef\xbf\xbf\""), OK_("\"\xf0\x90\x80\x80\""), OK_("\"\xf0\x9f\x98\x80\""), OK_("\"\xf4\x8f\xbf\xbf\""),
    BAD("\"\xc0\xaf\""), BAD("\"\xc0\x80\""), BAD("\"\xc1\xbf\""), BAD("\"\xe0\x80\xaf\""), BAD("\"\xe0\x9f\xbf\""),
    BAD("\"\xf0\x80\x80\xaf\""), BAD("\"\xf0\x8f\xbf\xbf\""), BAD("\"\xed\xa0\x80\""), BAD("\"\xed\xbf\xbf\""),
    BAD("\"\xed\xa0\xbd\xed\xb8\x80\""), BAD("\"\xf4\x90\x80\x80\""), BAD("\"\xf5\x80\x80\x80\""),
    BAD("\"\xf7\xbf\xbf\xbf\""), BAD("\"\xf8\x88\x80\x80\x80\""), BAD("\"\xfc\x84\x80\x80\x80\x80\""),
    BAD("\"\xfe\""), BAD("\"\xff\""), BAD("\"\x80\""), BAD("\"\xbf\""), BAD("\"\x85\""), BAD("\"\xc3\""),
    BAD("\"\xe2\x82\""), BAD("\"\xf0\x9f\x98\""), BAD("\"\xc3\x28\""), BAD("\"\xe2\x28\xa1\""),
    BAD("\"\xe2\x82\x28\""), BAD("\"\xf0\x9f\x98\x28\""), BAD("\"\xc3\xa9\xa9\""), BAD("\"\xe2\x82"), BAD("\"\xc3"),
    BAD("\xe2"), BAD("\xc3\xa9"), OK_("{\"\xc3\xa9\":\"\xf0\x9f\x98\x80\"}"), BAD("{\"\xff\":1}"),
    BAD("{\"a\":1}\xff"), BAD("\xff{\"a\":1}"), BAD("[\"\xed\xa0\x80\"]"),
    /* whitespace (space, tab, LF, CR only) */
    OK_(" \t\r\n1 \t\r\n"), OK_("\n[\n1\n,\r\n2\t]\r"), OK_("{ \"a\" : [ 1 , 2 ] }"), BAD("\f1"), BAD("1\f"),
    BAD("[1,\f2]"), BAD("\v1"), BAD("[1,\v2]"), BAD("\xc2\xa0" "1"), BAD("[1,\xc2\xa0" "2]"), BAD("\xef\xbb\xbf{}"),
    BAD("\xef\xbb\xbf\"x\""), BAD("\xe2\x80\x83" "1"), BAD("\x1c" "1"), BAD(""), BAD(" "), BAD("\n\t\r "),
    /* NUL bytes and explicit lengths */
    BAD("\0"), BAD("[1]\0"), BAD("\0[1]"), BAD("{\"a\"\0:1}"), BAD("1\0" "2"), BAD("[1,\0" "2]"),
    BAD("\"a\"\0"), BAD("[]\0"), BAD("[1 \0]"), BAD("1\0\0"), BAD("[1\0\0]"), BAD("nul\0l"), BAD("-\0" "1"),
    BAD("1.\0" "5"), BAD("1e\0" "5"), NULQ("1\0"), NULQ("1\0 "), NULQ("0\0"), NULQ("-0\0"), NULQ("1.5e3\0"),
    NULQ("[1\0]"), NULQ("true\0"), NULQ("[false\0]"), NULQ("{\"a\":null\0}"), NULQ("[-5\0,1]"),
    NULQ("[1\0,2\0,3\0]"), DUP("{\"a\":1\0,\"a\":2}"),
    CUT("123", 2, VC_OK), CUT("truex", 4, VC_OK), CUT("[1,2]xyz", 5, VC_OK), CUT("\"ab\"", 3, VC_ERR_JSON),
    CUT("1", 0, VC_ERR_JSON), CUT("1e5", 2, VC_ERR_JSON), CUT("1.5", 2, VC_ERR_JSON), CUT("-1", 1, VC_ERR_JSON),
    CUT("{\"a\":1}", 6, VC_ERR_JSON), CUT("\"\\u0041\"", 7, VC_ERR_JSON), CUT("\"\xc3\xa9\"", 2, VC_ERR_JSON),
    CUT("nullx", 4, VC_OK), CUT("12345678901234567890", 18, VC_OK), CUT("1.5e-3x", 6, VC_OK),
    /* structure */
    OK_("{}"), OK_("[]"), OK_("[[]]"), OK_("[{}]"), OK_("{\"a\":{}}"), OK_("{\"a\":[]}"), OK_("[{},[],{\"\":[]}]"),
    OK_("{\"\":0}"), OK_("{\"a\":1}\n"), OK_("[\"a\",[\"b\",{\"c\":[null,true,false,1,-1.5,\"\"]}]]"),
    OK_("{\"b\":1,\"a\":2,\"c\":{\"z\":0,\"y\":1}}"), BAD("[1,]"), BAD("[,1]"), BAD("[,]"), BAD("[1,,2]"),
    BAD("{\"a\":1,}"), BAD("{,}"), BAD("{,\"a\":1}"), BAD("{\"a\" 1}"), BAD("{\"a\":}"), BAD("{\"a\"}"),
    BAD("{\"a\"::1}"), BAD("{\"a\":1 \"b\":2}"), BAD("{\"a\":1;\"b\":2}"), BAD("{\"a\"=1}"), BAD("{a:1}"),
    BAD("{'a':1}"), BAD("{1:1}"), BAD("{null:1}"), BAD("{[]:1}"), BAD("{\"a\":1}}"), BAD("[1]]"), BAD("[1]}"),
    BAD("[1}"), BAD("{\"a\":1]"), BAD("["), BAD("{"), BAD("]"), BAD("}"), BAD(":"), BAD(","), BAD("[1"),
    BAD("{\"a\":1"), BAD("{\"a\""), BAD("{\"a\":"), BAD("x[1]"), BAD("[1] x"), BAD("{}{}"), BAD("[][]"),
    BAD("[]1"), BAD("1[]"), BAD("\"a\"\"b\""), BAD("[1]//c"), BAD("//c\n[1]"), BAD("/*c*/[1]"), BAD("[1/*c*/]"),
    BAD("[1]#"), BAD("(1)"), BAD("<1>"),
    /* duplicate keys: detected when the repeated key is read, before its ':' and value */
    DUP("{\"a\":1,\"a\":2}"), DUP("{\"a\":1,\"a\":1}"), DUP("{\"a\":1,\"b\":2,\"a\":3}"), DUP("{\"\":1,\"\":2}"),
    DUP("{\"a\":1,\"\\u0061\":2}"), DUP("{\"\\u0061\":1,\"a\":2}"), DUP("{\"\\u00e9\":1,\"\xc3\xa9\":2}"),
    DUP("{\"\\uD834\\uDD1E\":1,\"\xf0\x9d\x84\x9e\":1}"), DUP("{\"a\\/\":1,\"a/\":2}"), DUP("{\"\\n\":1,\"\\u000a\":2}"),
    DUP("{\"a\":{\"b\":1,\"b\":2}}"), DUP("[{\"a\":1,\"a\":2}]"), DUP("{\"a\":1,\"a\""), DUP("{\"a\":1,\"a\":}"),
    DUP("{\"a\":1,\"a\" 1}"), DUP("{\"a\":1,\"a\" x"), DUP("{\"a\":1,\"a\"\xff"), DUP("{\"a\":1,\"a\":2,}"),
    DUP("{\"a\":1,\"a\":tru}"), DUP("{\"x\":1,\"x\":\"\\ud800\"}"), DUP("{\"a\":1,\"a\":2} x"),
    BAD("{\"a\":tru,\"a\":1}"), BAD("{\"a\":1,\"b\":x,\"a\":1}"), BAD("{\"\\ud800\":1,\"\\ud800\":1}"),
    BAD("{\"a\":1,\"a\\x\":1}"), BAD("{\"a\":1}{\"a\":1}"), OK_("{\"a\":1,\"A\":2}"), OK_("{\"a\":1,\"a \":2}"),
    OK_("{\"a\":{\"a\":1}}"), OK_("[{\"a\":1},{\"a\":1}]"), OK_("{\"e\\u0301\":1,\"\xc3\xa9\":2}"),
    OK_("{\"a\":1,\"b\":{\"a\":2}}"),
};

START_TEST(json_cases)
{
    start_counts();
    char label[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(label, sizeof label, "case %zu", i);
        check_text(cases[i].text, cases[i].len, cases[i].expect, label);
    }
    fprintf(stderr, "json_cases: %zu hand-written cases\n", sizeof cases / sizeof cases[0]);
    end_counts("json_cases");
}
END_TEST

/* Nesting of depth d: kind 'a' arrays, 'o' objects, 'm' mixed; inner at the bottom
 * (NULL: an empty container as the deepest level). */
static void nest(buf_t *b, int d, char kind, const char *inner)
{
    for (int i = 0; i < (inner ? d : d - 1); i++)
        b_puts(b, kind == 'a' || (kind == 'm' && i % 2) ? "[" : "{\"k\":");
    if (!inner)
        b_puts(b, kind == 'o' || (kind == 'm' && (d - 1) % 2 == 0) ? "{}" : "[]");
    else
        b_puts(b, inner);
    for (int i = (inner ? d : d - 1) - 1; i >= 0; i--)
        b_puts(b, kind == 'a' || (kind == 'm' && i % 2) ? "]" : "}");
}

static void check_buf(buf_t *b, int expect, const char *label)
{
    check_text(b->p, b->n, expect, label);
    b->n = 0;
}

START_TEST(json_depth)
{
    start_counts();
    const int L = VC_MAX_JSON_DEPTH;
    buf_t b = {0};
    const char kinds[] = "aom";
    char label[64];
    for (int k = 0; k < 3; k++) {
        for (int d = 1; d <= L + 2; d += (d < L - 2 ? 7 : 1)) {
            snprintf(label, sizeof label, "depth %d %c", d, kinds[k]);
            nest(&b, d, kinds[k], NULL);
            check_buf(&b, d <= L ? VC_OK : VC_ERR_JSON_DEPTH, label);
            nest(&b, d, kinds[k], "1");
            check_buf(&b, d <= L ? VC_OK : VC_ERR_JSON_DEPTH, label);
        }
    }
    /* brackets inside strings and keys do not count; escapes inside strings */
    nest(&b, L, 'a', "\"[[[[{{{{]]]]}}}}[[[[[[[[[[[[[[[[[[[[\"");
    check_buf(&b, VC_OK, "brackets in string");
    nest(&b, L - 1, 'a', "{\"[[[[{{{{\":\"\\\"[[[{\"}");
    check_buf(&b, VC_OK, "brackets in key, escaped quote");
    nest(&b, L - 1, 'a', "\"\\\\\",[]"); /* "\\" ends the string: [] is the 64th level */
    check_buf(&b, VC_OK, "escaped backslash, 64");
    nest(&b, L, 'a', "\"\\\\\",[]");
    check_buf(&b, VC_ERR_JSON_DEPTH, "escaped backslash, 65");
    nest(&b, L, 'a', "\"\\\"[\"");
    check_buf(&b, VC_OK, "escaped quote then bracket");
    nest(&b, L, 'a', "\"\\u005b\\u007b\"");
    check_buf(&b, VC_OK, "escaped brackets");
    /* siblings: the depth comes back down */
    b_puts(&b, "[");
    for (int i = 0; i < 5; i++) {
        if (i)
            b_puts(&b, ",");
        nest(&b, L - 1, i % 2 ? 'o' : 'm', NULL);
    }
    b_puts(&b, "]");
    check_buf(&b, VC_OK, "siblings at 64");
    b_puts(&b, "[");
    nest(&b, L - 1, 'a', NULL);
    b_puts(&b, ",");
    nest(&b, L, 'a', NULL);
    b_puts(&b, "]");
    check_buf(&b, VC_ERR_JSON_DEPTH, "second sibling at 65");
    /* far too deep and valid: jansson alone would fail on its own 2048-level limit */
    nest(&b, 2049, 'a', NULL);
    check_buf(&b, VC_ERR_JSON_DEPTH, "2049 deep");
    nest(&b, 100000, 'm', "\"x\"");
    check_buf(&b, VC_ERR_JSON_DEPTH, "100000 deep");
    /* too deep and malformed: either code is allowed (check_text) */
    b_rep(&b, "[", L + 1);
    check_buf(&b, VC_ERR_JSON_DEPTH, "65 open, no close");
    b_rep(&b, "[", L + 1);
    b_puts(&b, "x");
    check_buf(&b, VC_ERR_JSON_DEPTH, "65 open, garbage");
    b_puts(&b, "[[[x");
    b_rep(&b, "[", L);
    check_buf(&b, VC_ERR_JSON_DEPTH, "syntax error at 4, 67 brackets");
    b_puts(&b, "{\"a\":1,\"a\":");
    b_rep(&b, "[", L + 5);
    b_rep(&b, "]", L + 5);
    b_puts(&b, "}");
    check_buf(&b, VC_ERR_JSON_DEPTH, "duplicate key, then 70 deep");
    b_puts(&b, "[");
    nest(&b, L, 'a', "\"\\ud800\"");
    b_puts(&b, "]");
    check_buf(&b, VC_ERR_JSON_DEPTH, "bad string at 65");
    b_rep(&b, "[", L);
    check_buf(&b, VC_ERR_JSON, "64 open, no close");
    b_rep(&b, "]", 10);
    nest(&b, L + 6, 'a', NULL);
    check_buf(&b, VC_ERR_JSON, "closers first: the pre-scan goes negative");
    b_puts(&b, "\"");
    b_rep(&b, "[", 100);
    check_buf(&b, VC_ERR_JSON, "brackets in an unterminated string");
    b_puts(&b, "[1]");
    b_rep(&b, "[", L + 1);
    check_buf(&b, VC_ERR_JSON_DEPTH, "trailing brackets");
    free(b.p);
    end_counts("json_depth");
}
END_TEST

START_TEST(json_long)
{
    start_counts();
    buf_t b = {0};
    /* huge mantissas */
    b_puts(&b, "1");
    b_rep(&b, "0", 400);
    check_buf(&b, VC_ERR_JSON, "1 + 400 digits: integer overflow");
    b_puts(&b, "1");
    b_rep(&b, "0", 400);
    b_puts(&b, ".0");
    check_buf(&b, VC_ERR_JSON, "1 + 400 digits .0: real overflow");
    b_puts(&b, "-1");
    b_rep(&b, "7", 400);
    b_puts(&b, "e-50");
    check_buf(&b, VC_ERR_JSON, "-1777... e-50: real overflow");
    b_puts(&b, "-1");
    b_rep(&b, "7", 400);
    b_puts(&b, "e-100");
    check_buf(&b, VC_OK, "-1777... e-100");
    b_puts(&b, "1");
    b_rep(&b, "0", 400);
    b_puts(&b, "e-400");
    check_buf(&b, VC_OK, "1 + 400 zeros e-400");
    b_puts(&b, "1");
    b_rep(&b, "3", 400);
    b_puts(&b, ".5e-380");
    check_buf(&b, VC_OK, "1333... e-380");
    b_puts(&b, "0.");
    b_rep(&b, "0", 400);
    b_puts(&b, "1");
    check_buf(&b, VC_OK, "0.000...1: underflow");
    b_puts(&b, "-0.");
    b_rep(&b, "0", 320);
    b_puts(&b, "25");
    check_buf(&b, VC_OK, "-0.000...25: denormal");
    b_puts(&b, "0.");
    b_rep(&b, "9", 800);
    check_buf(&b, VC_OK, "0.999...: rounds to 1");
    b_puts(&b, "1");
    b_rep(&b, "0", 308);
    check_buf(&b, VC_ERR_JSON, "1e308 as an integer");
    b_puts(&b, "1");
    b_rep(&b, "0", 308);
    b_puts(&b, ".5");
    check_buf(&b, VC_OK, "1e308 + .5");
    /* long strings and containers */
    b_puts(&b, "\"");
    b_rep(&b, "\\u00e9\xe2\x82\xac\\uD83D\\uDE00\\n", 5000);
    b_puts(&b, "\"");
    check_buf(&b, VC_OK, "long escaped string");
    b_puts(&b, "[");
    for (int i = 0; i < 20000; i++)
        b_puts(&b, i ? ",1.5" : "1.5");
    b_puts(&b, "]");
    check_buf(&b, VC_OK, "20000 reals");
    b_puts(&b, "{");
    char key[48];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "%s\"k%d\":%d", i ? "," : "", i, i);
        b_puts(&b, key);
    }
    b_puts(&b, ",\"k4999\":0}");
    check_buf(&b, VC_ERR_JSON_DUPKEY, "5000 keys, the last one repeated");
    /* the input limit */
    size_t lim = VC_MAX_INPUT_BYTES;
    b_putc(&b, '"');
    b_reserve(&b, lim);
    memset(b.p + 1, 'a', lim - 2);
    b.n = lim - 1;
    b_putc(&b, '"');
    check_text_mode(b.p, lim, VC_OK, "string of exactly the limit", 0);
    b_putc(&b, ' ');
    check_text(b.p, lim + 1, VC_ERR_LIMIT, "limit + 1");
    b.p[lim] = 'x';
    check_text(b.p, lim + 1, VC_ERR_LIMIT, "limit + 1, malformed");
    b.n = 0;
    b_puts(&b, "[");
    while (b.n < lim / 4) /* 9e-9 dumps as 8.9999999999999995e-09 */
        b_puts(&b, "9e-9,");
    b.p[b.n - 1] = ']';
    check_text_mode(b.p, b.n, VC_OK, "an array whose dump is larger than the limit", 0);
    free(b.p);

    /* NULL arguments */
    json_t *v = NULL;
    vc_error e;
    tu_assert_status(vc_json_parse(NULL, 0, &v, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_json_parse("1", 1, NULL, &e), VC_ERR_INVALID_ARG, &e);
    ck_assert_ptr_null(v);
    end_counts("json_long");
}
END_TEST

/* ---- b. random texts ---------------------------------------------------------- */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}
static unsigned rn(unsigned n)
{
    return n ? (unsigned)(rnd() % n) : 0;
}

static int rounds(int normal)
{
    const char *nt = getenv("VC_TEST_NO_TIMING");
    return nt && *nt && strcmp(nt, "0") != 0 ? 1000 : normal;
}

static void gen_digits(buf_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        b_putc(b, (char)('0' + rn(10)));
}

static void gen_number(buf_t *b)
{
    static const char *edge[] = {"922337203685477580", "-922337203685477580", "179769313486231570", "2470328229206232720",
                                 "4940656458412465441", "2225073858507201"};
    unsigned r = rn(100);
    if (r < 8) {
        b_puts(b, edge[rn(6)]);
        gen_digits(b, rn(3));
        if (rn(2)) {
            b_puts(b, rn(2) ? "e" : "E");
            b_puts(b, rn(2) ? "-" : "");
            b_puts(b, rn(2) ? "3" : "2");
            gen_digits(b, rn(3));
        }
        return;
    }
    if (rn(100) < 35)
        b_putc(b, '-');
    else if (rn(100) < 2)
        b_putc(b, '+');
    r = rn(100);
    if (r < 30)
        b_putc(b, '0');
    else if (r < 33)
        ; /* no integer part */
    else if (r < 40)
        gen_digits(b, 1 + rn(3)); /* may start with 0 */
    else {
        b_putc(b, (char)('1' + rn(9)));
        gen_digits(b, rn(r < 90 ? 12 : 400));
    }
    if (rn(100) < 40) {
        b_putc(b, '.');
        gen_digits(b, rn(100) < 5 ? 0 : 1 + rn(rn(10) ? 18 : 400));
    }
    if (rn(100) < 35) {
        b_putc(b, rn(2) ? 'e' : 'E');
        r = rn(3);
        if (r)
            b_putc(b, r == 1 ? '+' : '-');
        gen_digits(b, rn(100) < 5 ? 0 : 1 + rn(rn(5) ? 3 : 22));
    }
    if (rn(100) < 3)
        b_putc(b, "x.e-+ 0"[rn(7)]);
}

/* UTF-8 of code point cp in n bytes (n may be too long: overlong). */
static void put_utf8(buf_t *b, uint32_t cp, int n)
{
    unsigned char o[4];
    if (n == 1)
        o[0] = (unsigned char)cp;
    else if (n == 2) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (n == 3) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        o[0] = (unsigned char)(0xF0 | ((cp >> 18) & 0x07));
        o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    }
    b_putn(b, (const char *)o, (size_t)n);
}

static void gen_string(buf_t *b, int bad_rate)
{
    static const char *esc_tab[] = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"};
    b_putc(b, '"');
    unsigned pieces = rn(4) ? rn(6) : rn(40);
    char hx[16];
    for (unsigned i = 0; i < pieces; i++) {
        unsigned r = rn(100);
        int bad = (int)rn(1000) < bad_rate;
        if (r < 40) {
            char c = (char)(0x20 + rn(95));
            b_putc(b, c == '"' || c == '\\' ? 'q' : c);
        }
        else if (r < 50)
            b_puts(b, esc_tab[rn(8)]);
        else if (r < 65) {
            uint32_t cp;
            unsigned k = rn(10);
            if (bad)
                cp = rn(3) ? 0xD800 + rn(0x800) : rn(2);
            else if (k < 3)
                cp = 1 + rn(0xFF);
            else if (k < 6)
                cp = 1 + rn(0xD7FF);
            else
                cp = 0xE000 + rn(0x2000);
            snprintf(hx, sizeof hx, rn(2) ? "\\u%04X" : "\\u%04x", cp);
            b_puts(b, hx);
        } else if (r < 72) {
            uint32_t s = 0x10000 + rn(0x100000);
            uint32_t hi = 0xD800 + ((s - 0x10000) >> 10), lo = 0xDC00 + ((s - 0x10000) & 0x3FF);
            if (bad) {
                if (rn(2))
                    lo = rn(2) ? hi : 0x41;
                else
                    hi = lo;
            }
            snprintf(hx, sizeof hx, "\\u%04X\\u%04x", hi, lo);
            b_puts(b, hx);
        } else if (r < 90) {
            unsigned k = rn(4);
            uint32_t cp = k == 0 ? 0x80 + rn(0x780) : k == 1 ? 0x800 + rn(0xF800) : k == 2 ? 0x10000 + rn(0x100000) : 0x7F;
            if (!bad && cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bad && rn(3) == 0 && n < 4)
                n++; /* overlong */
            else if (bad && rn(2) == 0) { /* a surrogate, or past U+10FFFF */
                cp = rn(2) ? 0xD800 + rn(0x800) : 0x110000 + rn(0x1000);
                n = cp < 0x10000 ? 3 : 4;
            }
            size_t at = b->n;
            put_utf8(b, cp, n);
            if (bad && rn(3) == 0 && n > 1)
                b->n = at + 1 + rn((unsigned)n - 1); /* truncated */
        } else if (bad) {
            unsigned char c = (unsigned char)(rn(2) ? rn(0x20) : 0x80 + rn(0x80));
            b_putc(b, (char)c);
        } else
            b_puts(b, "\xc3\xa9");
    }
    if (rn(1000) >= (unsigned)bad_rate / 4)
        b_putc(b, '"');
}

static void gen_ws(buf_t *b)
{
    if (rn(4))
        return;
    unsigned n = 1 + rn(3);
    for (unsigned i = 0; i < n; i++)
        b_putc(b, rn(200) == 0 ? "\f\v\0"[rn(3)] : " \t\n\r"[rn(4)]);
}

/* A random document. spine: one chain of containers down to maxdepth (so that
 * the depth limit is reached); the other branches stay shallow. */
static void gen_value(buf_t *b, int depth, int maxdepth, int spine)
{
    static const char *keys[] = {"\"a\"", "\"b\"", "\"\\u0061\"", "\"\xc3\xa9\"", "\"\\u00e9\"", "\"\"", "\"id\"",
                                 "\"type\"", "\"k\\/\"", "\"k/\""};
    unsigned r = rn(100);
    gen_ws(b);
    if (depth < maxdepth && (spine || r < 45)) {
        int obj = (int)rn(2);
        b_putc(b, obj ? '{' : '[');
        unsigned n = spine ? 1 + rn(3) : rn(depth + 1 < maxdepth ? 3 : 5);
        unsigned down = rn(n ? n : 1);
        int side = depth + 3 < maxdepth ? depth + 3 : maxdepth;
        for (unsigned i = 0; i < n; i++) {
            if (i)
                b_putc(b, ',');
            if (obj) {
                gen_ws(b);
                if (rn(3))
                    b_puts(b, keys[rn(10)]);
                else
                    gen_string(b, 5);
                gen_ws(b);
                b_putc(b, ':');
            }
            if (spine)
                gen_value(b, depth + 1, i == down ? maxdepth : side, i == down);
            else
                gen_value(b, depth + 1, maxdepth, 0);
        }
        gen_ws(b);
        b_putc(b, obj ? '}' : ']');
    } else if (r < 65)
        gen_number(b);
    else if (r < 85)
        gen_string(b, 10);
    else
        b_puts(b, r < 90 ? "true" : r < 95 ? "false" : "null");
    gen_ws(b);
}

START_TEST(json_random)
{
    start_counts();
    rng_state = 0x9E3779B97F4A7C15ULL;
    buf_t b = {0};
    char label[64];
    int n = rounds(20000);
    for (int i = 0; i < n; i++) {
        snprintf(label, sizeof label, "number %d", i);
        gen_number(&b);
        check_text_mode(b.p, b.n, ANY_STATUS, label, 0);
        b.n = 0;
        snprintf(label, sizeof label, "string %d", i);
        gen_string(&b, i % 2 ? 40 : 0);
        check_text_mode(b.p, b.n, ANY_STATUS, label, 0);
        b.n = 0;
    }
    n = rounds(5000);
    for (int i = 0; i < n; i++) {
        snprintf(label, sizeof label, "document %d", i);
        int maxdepth = rn(10) ? (int)rn(6) : VC_MAX_JSON_DEPTH - 3 + (int)rn(6);
        gen_value(&b, 0, maxdepth, maxdepth > 10);
        check_text_mode(b.p, b.n, ANY_STATUS, label, i % 16 == 0);
        b.n = 0;
    }
    free(b.p);
    end_counts("json_random");
}
END_TEST

/* ---- b. seeded mutations of valid documents ------------------------------------ */

static const char *seed_docs[] = {
    "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"type\":[\"VerifiableCredential\"],"
    "\"issuer\":{\"id\":\"did:web:example.com\",\"name\":\"Ex\\u00e9mple \\\"Co\\\"\"},"
    "\"validFrom\":\"2026-01-01T00:00:00Z\",\"credentialSubject\":{\"id\":\"urn:x\",\"mass\":-12.5e-3,"
    "\"count\":9223372036854775807,\"ok\":true,\"none\":null,\"tags\":[\"\xe2\x82\xac\",\"\\uD83D\\uDE00\",\"\"]}}",
    "[0,-0,1,-1,1.5,-0.0,1e5,1E-5,123456789012345678,0.1,2.2250738585072014e-308,1.7976931348623157e308,5e-324]",
    "{\"a\":{\"b\":{\"c\":[[[[{\"d\":[]}]]]]}},\"e\":\"\\\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\",\"f\":{}}",
    "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbf\xbf\x7f\",\"\\u00e9\\u20ac\\ud83d\\ude00\"]",
    "{\"k\":\"v\",\"K\":\"v\",\"k \":1,\"\\u006b2\":2,\"x\":[true,false,null,{\"\":\"\"}]}",
    " \n\t{ \"spaced\" : [ 1 , 2 , { \"x\" : \"y\" } ] , \"n\" : -0.5E+2 }\r\n",
    "\"just a string with [brackets] and {braces} and \\\" quotes\"",
    "-1234.5678e-9",
};

static void add_seed(buf_t **seeds, size_t *n, size_t *cap, const char *s, size_t len)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *seeds = realloc(*seeds, *cap * sizeof **seeds);
        ck_assert_ptr_nonnull(*seeds);
    }
    buf_t *b = &(*seeds)[(*n)++];
    memset(b, 0, sizeof *b);
    b_putn(b, s, len);
}

/* A valid seed, plus its ASCII-only indented dump (escapes, other whitespace). */
static void add_seed_doc(buf_t **seeds, size_t *n, size_t *cap, const char *s, size_t len)
{
    add_seed(seeds, n, cap, s, len);
    json_t *v = json_loadb(s, len, REF_FLAGS, NULL);
    ck_assert_msg(v != NULL, "seed document does not parse: %.80s", s);
    char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_INDENT(2));
    ck_assert_ptr_nonnull(d);
    add_seed(seeds, n, cap, d, strlen(d));
    free(d);
    json_decref(v);
}

struct tok {
    const char *s;
    size_t n;
};
#define TOK(s) {s, sizeof(s) - 1}
static const struct tok dict[] = {
    TOK("\\u"), TOK("\\ud800"), TOK("\\udc00"), TOK("\\u0000"), TOK("\\uD834\\uDD1E"), TOK("\\\""), TOK("\\\\"),
    TOK("\xed\xa0\x80"), TOK("\xf4\x90\x80\x80"), TOK("\xc0\xaf"), TOK("\xe2\x82\xac"), TOK("\xc3\xa9"),
    TOK("\xf0\x9f\x98\x80"), TOK("\xef\xbb\xbf"), TOK("\xc2\xa0"), TOK("1e400"), TOK("1e-400"), TOK("-0"),
    TOK("9223372036854775808"), TOK("-9223372036854775809"), TOK("9223372036854775807"), TOK("0."), TOK(".5"),
    TOK("01"), TOK("e+"), TOK("E-9"), TOK("true"), TOK("false"), TOK("null"), TOK("\"a\":"), TOK("\"a\":1,"),
    TOK("\"\\u0061\":0,"), TOK(","), TOK(":"), TOK("{"), TOK("}"), TOK("["), TOK("]"), TOK("\""), TOK("\\"),
    TOK("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["), TOK("]]]]]]]]"), TOK("{\"x\":{\"x\":{\"x\":"), TOK("\f"), TOK(" "),
    TOK("\t"), TOK("\0"), TOK("//"), TOK("'"),
};
static const unsigned char interesting[] = {0x00, 0x01, 0x0a, 0x1f, 0x20, '"', '\\', '/', '{', '}', '[', ']', ':',
                                            ',', '-', '+', '.', '0', '1', '9', 'e', 'E', 'u', 'x', 't', 'n', 'f',
                                            0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4,
                                            0xf5, 0xff, '\t', '\r', 'a', 'A', 'D', 'd'};

static void mutate(buf_t *b)
{
    unsigned ops = 1 + rn(rn(4) ? 2 : 6);
    for (unsigned k = 0; k < ops; k++) {
        size_t pos = b->n ? rn((unsigned)b->n) : 0;
        switch (rn(10)) {
        case 0: /* flip a bit */
            if (b->n)
                b->p[pos] ^= (char)(1u << rn(8));
            break;
        case 1: /* overwrite with an interesting byte */
            if (b->n)
                b->p[pos] = (char)interesting[rn(sizeof interesting)];
            break;
        case 2: /* insert an interesting byte */
            b_insert(b, pos, (const char *)&interesting[rn(sizeof interesting)], 1);
            break;
        case 3:
        case 4: { /* insert a token */
            const struct tok *t = &dict[rn(sizeof dict / sizeof dict[0])];
            b_insert(b, rn((unsigned)b->n + 1), t->s, t->n);
            break;
        }
        case 5: /* delete a few bytes */
            if (b->n)
                b_erase(b, pos, 1 + rn((unsigned)(b->n - pos < 8 ? b->n - pos : 8)));
            break;
        case 6: /* truncate */
            b->n = pos;
            break;
        case 7: { /* duplicate a slice elsewhere */
            if (!b->n || b->n > 32768)
                break;
            size_t len = 1 + rn((unsigned)(b->n - pos < 64 ? b->n - pos : 64));
            char tmp[64];
            memcpy(tmp, b->p + pos, len);
            b_insert(b, rn((unsigned)b->n + 1), tmp, len);
            break;
        }
        case 8: /* a random byte */
            if (b->n)
                b->p[pos] = (char)rn(256);
            break;
        default: /* swap two bytes */
            if (b->n > 1) {
                size_t q = rn((unsigned)b->n);
                char c = b->p[pos];
                b->p[pos] = b->p[q];
                b->p[q] = c;
            }
            break;
        }
    }
}

START_TEST(json_mutations)
{
    start_counts();
    buf_t *seeds = NULL;
    size_t ns = 0, cap = 0;
    for (size_t i = 0; i < sizeof seed_docs / sizeof seed_docs[0]; i++)
        add_seed_doc(&seeds, &ns, &cap, seed_docs[i], strlen(seed_docs[i]));
    const char *dir = getenv("UNTPCRED_DATA_DIR");
    size_t nfiles = 0;
    if (dir && *dir) {
        const char *pats[] = {"examples/*.json", "examples/lithium/*/*.json"};
        for (size_t p = 0; p < 2; p++) {
            char pat[4096];
            snprintf(pat, sizeof pat, "%s/%s", dir, pats[p]);
            glob_t g;
            if (glob(pat, 0, NULL, &g) != 0)
                continue;
            for (size_t i = 0; i < g.gl_pathc; i++) {
                size_t len = 0;
                char *text = tu_read(g.gl_pathv[i], &len);
                json_t *t = json_loadb(text, len, REF_FLAGS, NULL);
                if (!t) { /* not strict JSON: not a seed */
                    free(text);
                    continue;
                }
                json_decref(t);
                add_seed_doc(&seeds, &ns, &cap, text, len);
                free(text);
                nfiles++;
            }
            globfree(&g);
        }
    }
    rng_state = 0xD1B54A32D192ED03ULL;
    buf_t b = {0};
    char label[96];
    int n = rounds(20000);
    for (int i = 0; i < n; i++) {
        const buf_t *s = &seeds[rn((unsigned)ns)];
        b.n = 0;
        b_putn(&b, s->p, s->n);
        mutate(&b);
        snprintf(label, sizeof label, "mutation %d (seed %zu bytes)", i, s->n);
        check_text_mode(b.p, b.n, ANY_STATUS, label, i % 32 == 0);
    }
    for (size_t i = 0; i < ns; i++) {
        check_text(seeds[i].p, seeds[i].n, VC_OK, "seed");
        free(seeds[i].p);
    }
    free(seeds);
    free(b.p);
    fprintf(stderr, "json_mutations: %zu seeds (%zu example files), %d mutations\n", ns, nfiles, n);
    end_counts("json_mutations");
}
END_TEST

int main(void)
{
    if (vc_init() != VC_OK)
        return 1;
    Suite *s = suite_create("json");
    /* one TCase per test: CK_RUN_CASE=mutations runs only that one */
    const struct {
        const char *name;
        const TTest *test;
    } tests[] = {{"cases", json_cases},   {"depth", json_depth},         {"long", json_long},
                 {"random", json_random}, {"mutations", json_mutations}};
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        TCase *tc = tcase_create(tests[i].name);
        tcase_add_test(tc, tests[i].test);
        suite_add_tcase(s, tc);
    }
    return tu_run(s);
}
