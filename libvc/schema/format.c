/* format.c - "format" assertions: RFC 3339 dates and times, durations, IP
 * addresses, host names (with Punycode / IDNA 2008 contextual rules), e-mail
 * addresses, UUIDs, JSON pointers, URIs (uri.c) and regular expressions. */
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

static int dig(char c)
{
    return c >= '0' && c <= '9';
}

static int hexd(char c)
{
    return dig(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* n decimal digits at s; -1 when any is not an ASCII digit. */
static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!dig(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int full_date(const char *s, size_t n)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1)
        return 0;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int max = mdays[m - 1] + (m == 2 && leap(y));
    return d <= max;
}

static int full_time(const char *s, size_t n)
{
    if (n < 9 || s[2] != ':' || s[5] != ':')
        return 0;
    int h = num(s, 2), mi = num(s + 3, 2), se = num(s + 6, 2);
    if (h < 0 || mi < 0 || se < 0 || h > 23 || mi > 59 || se > 60)
        return 0;
    size_t i = 8;
    if (i < n && s[i] == '.') {
        size_t b = ++i;
        while (i < n && dig(s[i]))
            i++;
        if (i == b)
            return 0;
    }
    if (i >= n)
        return 0;
    int off = 0; /* minutes east of UTC */
    if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        if (n - i != 6 || s[i + 3] != ':')
            return 0;
        int oh = num(s + i + 1, 2), om = num(s + i + 4, 2);
        if (oh < 0 || om < 0 || oh > 23 || om > 59)
            return 0;
        off = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else
        return 0;
    if (i != n)
        return 0;
    if (se == 60) { /* a leap second happens at 23:59:60 UTC */
        int utc = ((h * 60 + mi - off) % 1440 + 1440) % 1440;
        if (utc != 23 * 60 + 59)
            return 0;
    }
    return 1;
}

static int date_time(const char *s, size_t n)
{
    if (n < 11 || (s[10] != 'T' && s[10] != 't'))
        return 0;
    return full_date(s, 10) && full_time(s + 11, n - 11);
}

/* RFC 3339 appendix A. */
static int duration(const char *s, size_t n)
{
    if (n < 2 || s[0] != 'P')
        return 0;
    size_t i = 1;
    static const char dates[] = "YMD", times[] = "HMS";
    int any = 0, last = -1;
    /* a week alone */
    {
        size_t j = i;
        while (j < n && dig(s[j]))
            j++;
        if (j > i && j + 1 == n && s[j] == 'W')
            return 1;
    }
    while (i < n && s[i] != 'T') {
        size_t b = i;
        while (i < n && dig(s[i]))
            i++;
        if (i == b || i >= n)
            return 0;
        const char *u = memchr(dates, s[i], 3);
        if (!u || s[i] == '\0')
            return 0;
        int k = (int)(u - dates);
        if (last >= 0 && k != last + 1)
            return 0;
        last = k;
        any = 1;
        i++;
    }
    if (i < n && s[i] == 'T') {
        i++;
        if (i >= n)
            return 0;
        last = -1;
        while (i < n) {
            size_t b = i;
            while (i < n && dig(s[i]))
                i++;
            if (i == b || i >= n)
                return 0;
            const char *u = memchr(times, s[i], 3);
            if (!u || s[i] == '\0')
                return 0;
            int k = (int)(u - times);
            if (last >= 0 && k != last + 1)
                return 0;
            last = k;
            any = 1;
            i++;
        }
    }
    return any && i == n;
}

/* Dotted-quad IPv4 without leading zeros. */
int vc_format_ipv4_text(const char *s, size_t n);
int vc_format_ipv4_text(const char *s, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
        size_t b = i;
        int v = 0;
        while (i < n && dig(s[i]) && i - b < 4)
            v = v * 10 + (s[i++] - '0');
        size_t len = i - b;
        if (len == 0 || len > 3 || v > 255 || (len > 1 && s[b] == '0'))
            return 0;
    }
    return i == n;
}

int vc_format_ipv6_text(const char *s, size_t n);
int vc_format_ipv6_text(const char *s, size_t n)
{
    int groups = 0, dbl = 0;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        dbl = 1;
        i = 2;
        if (i == n)
            return 1;
    } else if (n >= 1 && s[0] == ':')
        return 0;
    while (i < n) {
        size_t b = i;
        while (i < n && hexd(s[i]) && i - b < 5)
            i++;
        size_t len = i - b;
        if (i < n && s[i] == '.') {
            /* trailing IPv4 takes two groups */
            if (!vc_format_ipv4_text(s + b, n - b))
                return 0;
            groups += 2;
            i = n;
            break;
        }
        if (len == 0 || len > 4)
            return 0;
        groups++;
        if (i == n)
            break;
        if (s[i] != ':')
            return 0;
        i++;
        if (i < n && s[i] == ':') {
            if (dbl)
                return 0;
            dbl = 1;
            i++;
            if (i == n)
                break;
        } else if (i == n)
            return 0; /* trailing single colon */
    }
    return dbl ? groups <= 7 : groups == 8;
}

static int uuid(const char *s, size_t n)
{
    if (n != 36)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!hexd(s[i]))
            return 0;
    }
    return 1;
}

static int json_pointer(const char *s, size_t n)
{
    if (n == 0)
        return 1;
    if (s[0] != '/')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '~' && (i + 1 >= n || (s[i + 1] != '0' && s[i + 1] != '1')))
            return 0;
    return 1;
}

static int relative_json_pointer(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && dig(s[i]))
        i++;
    if (i == 0 || (i > 1 && s[0] == '0'))
        return 0;
    if (i == n)
        return 1;
    if (s[i] == '#')
        return i + 1 == n;
    return json_pointer(s + i, n - i);
}

/* ------------------------------------------------------------ host names */

/* Decode one UTF-8 sequence (input is valid UTF-8). Returns bytes used. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    if (len > n) {
        *cp = 0xfffd;
        return n;
    }
    uint32_t v = s[0] & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
    for (size_t i = 1; i < len; i++)
        v = (v << 6) | (s[i] & 0x3f);
    *cp = v;
    return len;
}

#define MAX_LABEL_CPS 256

/* RFC 3492 decoding; 0 on malformed input. */
static int punycode_decode(const char *in, size_t n, uint32_t *out, size_t *outn)
{
    enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700, IBIAS = 72, INITIAL_N = 128 };
    size_t b = 0, o = 0;
    for (size_t j = 0; j < n; j++)
        if (in[j] == '-')
            b = j;
    if (b > 0 || (n > 0 && in[0] == '-')) {
        for (size_t j = 0; j < b; j++) {
            if ((unsigned char)in[j] >= 0x80 || o >= MAX_LABEL_CPS)
                return 0;
            out[o++] = (unsigned char)in[j];
        }
    }
    size_t pos = b > 0 || (n > 0 && in[0] == '-') ? b + 1 : 0;
    uint32_t cpn = INITIAL_N, bias = IBIAS;
    uint64_t i = 0;
    while (pos < n) {
        uint64_t oldi = i, w = 1;
        for (uint32_t k = BASE;; k += BASE) {
            if (pos >= n)
                return 0;
            char c = in[pos++];
            uint32_t d;
            if (c >= '0' && c <= '9')
                d = (uint32_t)(c - '0' + 26);
            else if (c >= 'a' && c <= 'z')
                d = (uint32_t)(c - 'a');
            else if (c >= 'A' && c <= 'Z')
                d = (uint32_t)(c - 'A');
            else
                return 0;
            i += d * w;
            if (i > 0x7fffffff)
                return 0;
            uint32_t t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
            if (d < t)
                break;
            w *= BASE - t;
            if (w > 0x7fffffff)
                return 0;
        }
        /* adapt */
        uint64_t delta = i - oldi;
        delta = oldi == 0 ? delta / DAMP : delta / 2;
        delta += delta / (o + 1);
        uint32_t k = 0;
        while (delta > ((BASE - TMIN) * TMAX) / 2) {
            delta /= BASE - TMIN;
            k += BASE;
        }
        bias = (uint32_t)(k + (BASE - TMIN + 1) * delta / (delta + SKEW));
        cpn += (uint32_t)(i / (o + 1));
        i %= (o + 1);
        if (cpn > 0x10ffff || (cpn >= 0xd800 && cpn <= 0xdfff) || o >= MAX_LABEL_CPS)
            return 0;
        memmove(out + i + 1, out + i, (o - (size_t)i) * sizeof *out);
        out[i] = cpn;
        o++;
        i++;
    }
    *outn = o;
    return 1;
}

static int in_ranges(uint32_t c, const uint32_t (*r)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c >= r[i][0] && c <= r[i][1])
            return 1;
    return 0;
}

#define NR(a) (sizeof(a) / sizeof((a)[0]))

static const uint32_t marks[][2] = {
    {0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x05bf, 0x05bf}, {0x05c1, 0x05c2}, {0x05c4, 0x05c5},
    {0x0610, 0x061a}, {0x064b, 0x065f}, {0x0670, 0x0670}, {0x06d6, 0x06dc}, {0x06df, 0x06e4}, {0x0900, 0x0903},
    {0x093a, 0x094f}, {0x0951, 0x0957}, {0x0962, 0x0963}, {0x0981, 0x0983}, {0x09bc, 0x09d7}, {0x0a01, 0x0a03},
    {0x0e31, 0x0e31}, {0x0e34, 0x0e3a}, {0x0e47, 0x0e4e}, {0x1ab0, 0x1aff}, {0x1dc0, 0x1dff}, {0x20d0, 0x20ff},
    {0x302a, 0x302f}, {0x3099, 0x309a}, {0xfe20, 0xfe2f}};
static const uint32_t viramas[] = {0x094d, 0x09cd, 0x0a4d, 0x0acd, 0x0b4d, 0x0bcd, 0x0c4d, 0x0ccd, 0x0d3b,
                                   0x0d3c, 0x0d4d, 0x0dca, 0x0e3a, 0x0eba, 0x0f84, 0x1039, 0x103a, 0x1714,
                                   0x1734, 0x17d2, 0x1a60, 0x1b44, 0x1baa, 0x1bab, 0x1bf2, 0x1bf3, 0x2d7f,
                                   0xa806, 0xa8c4, 0xa953, 0xa9c0, 0xaaf6, 0xabed};
static const uint32_t disallowed[][2] = {{0x0640, 0x0640}, {0x07fa, 0x07fa}, {0x302e, 0x302f}, {0x3031, 0x3035},
                                         {0x303b, 0x303b}};
static const uint32_t greek[][2] = {{0x0370, 0x0373}, {0x0376, 0x03ff}, {0x1f00, 0x1fff}};
static const uint32_t hebrew[][2] = {{0x0591, 0x05f4}};
static const uint32_t kana_han[][2] = {{0x3040, 0x309f}, {0x30a0, 0x30fa}, {0x30fc, 0x30ff}, {0x31f0, 0x31ff},
                                       {0x3400, 0x4dbf}, {0x4e00, 0x9fff}, {0xf900, 0xfaff}, {0xff66, 0xff9d},
                                       {0x20000, 0x3ffff}, {0x3005, 0x3007}};

/* IDNA 2008 checks on the code points of a label that need no large tables:
 * DISALLOWED exceptions, a leading combining mark, and the CONTEXTO / CONTEXTJ
 * rules of RFC 5892 appendix A (ZWNJ is accepted). */
static int unicode_label_ok(const uint32_t *cp, size_t n)
{
    if (n == 0)
        return 0;
    if (in_ranges(cp[0], marks, NR(marks)))
        return 0;
    int arabic = 0, ext_arabic = 0, kana = 0, has_kdot = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        if (in_ranges(c, disallowed, NR(disallowed)) || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
            return 0;
        switch (c) {
        case 0x00b7: /* MIDDLE DOT: between two 'l' */
            if (i == 0 || i + 1 >= n || cp[i - 1] != 'l' || cp[i + 1] != 'l')
                return 0;
            break;
        case 0x0375: /* GREEK KERAIA: followed by Greek */
            if (i + 1 >= n || !in_ranges(cp[i + 1], greek, NR(greek)))
                return 0;
            break;
        case 0x05f3:
        case 0x05f4: /* HEBREW GERESH / GERSHAYIM: preceded by Hebrew */
            if (i == 0 || !in_ranges(cp[i - 1], hebrew, NR(hebrew)))
                return 0;
            break;
        case 0x200d: { /* ZERO WIDTH JOINER: after a virama */
            int ok = 0;
            for (size_t k = 0; i > 0 && k < NR(viramas); k++)
                if (cp[i - 1] == viramas[k])
                    ok = 1;
            if (!ok)
                return 0;
            break;
        }
        case 0x30fb:
            has_kdot = 1;
            break;
        default:
            break;
        }
        if (c >= 0x0660 && c <= 0x0669)
            arabic = 1;
        if (c >= 0x06f0 && c <= 0x06f9)
            ext_arabic = 1;
        if (in_ranges(c, kana_han, NR(kana_han)))
            kana = 1;
    }
    if (arabic && ext_arabic)
        return 0;
    if (has_kdot && !kana)
        return 0;
    return 1;
}

/* One label (no dots). idn: U-labels (non-ASCII) allowed. */
static int label_ok(const char *s, size_t n, int idn)
{
    if (n == 0)
        return 0;
    int ascii = 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            ascii = 0;
    if (ascii) {
        if (n > 63 || s[0] == '-' || s[n - 1] == '-')
            return 0;
        for (size_t i = 0; i < n; i++) {
            char c = s[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dig(c) || c == '-'))
                return 0;
        }
        if (n >= 4 && s[2] == '-' && s[3] == '-') {
            if (!((s[0] == 'x' || s[0] == 'X') && (s[1] == 'n' || s[1] == 'N')))
                return 0;
            uint32_t cps[MAX_LABEL_CPS];
            size_t m = 0;
            if (!punycode_decode(s + 4, n - 4, cps, &m) || m == 0)
                return 0;
            int any = 0;
            for (size_t i = 0; i < m; i++)
                if (cps[i] >= 0x80)
                    any = 1;
            if (!any)
                return 0;
            for (size_t i = 0; i < m; i++)
                if (cps[i] >= 'A' && cps[i] <= 'Z')
                    return 0;
            if (m >= 4 && cps[2] == '-' && cps[3] == '-')
                return 0;
            return unicode_label_ok(cps, m);
        }
        return 1;
    }
    if (!idn)
        return 0;
    uint32_t cps[MAX_LABEL_CPS];
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        if (m >= MAX_LABEL_CPS)
            return 0;
        i += utf8_decode((const unsigned char *)s + i, n - i, &cps[m++]);
    }
    if (m >= 4 && cps[2] == '-' && cps[3] == '-')
        return 0;
    if (cps[0] == '-' || cps[m - 1] == '-')
        return 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t c = cps[i];
        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    return unicode_label_ok(cps, m);
}

static int hostname(const char *s, size_t n, int idn)
{
    if (n == 0 || n > 253)
        return 0;
    size_t b = 0;
    for (size_t i = 0; i <= n; i++) {
        size_t seplen = 0;
        if (i == n)
            seplen = 1;
        else if (s[i] == '.')
            seplen = 1;
        else if (idn && i + 3 <= n &&
                 ((memcmp(s + i, "\xe3\x80\x82", 3) == 0) || (memcmp(s + i, "\xef\xbc\x8e", 3) == 0) ||
                  (memcmp(s + i, "\xef\xbd\xa1", 3) == 0)))
            seplen = 3;
        if (!seplen)
            continue;
        if (!label_ok(s + b, i - b, idn))
            return 0;
        i += seplen - 1;
        b = i + 1;
    }
    return 1;
}

/* ------------------------------------------------------------------ e-mail */

static int atext(unsigned char c, int idn)
{
    if (c >= 0x80)
        return idn;
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dig((char)c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int email(const char *s, size_t n, int idn)
{
    size_t i = 0;
    if (n == 0)
        return 0;
    if (s[0] == '"') {
        i = 1;
        for (;;) {
            if (i >= n)
                return 0;
            unsigned char c = (unsigned char)s[i];
            if (c == '"')
                break;
            if (c == '\\') {
                if (i + 1 >= n || (unsigned char)s[i + 1] < 0x20 || (unsigned char)s[i + 1] == 0x7f)
                    return 0;
                i += 2;
                continue;
            }
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && !idn))
                return 0;
            i++;
        }
        i++;
    } else {
        size_t b = 0;
        for (;;) {
            size_t a = i;
            while (i < n && atext((unsigned char)s[i], idn))
                i++;
            if (i == a)
                return 0;
            if (i < n && s[i] == '.') {
                i++;
                continue;
            }
            break;
        }
        (void)b;
    }
    if (i >= n || s[i] != '@')
        return 0;
    const char *d = s + i + 1;
    size_t dn = n - i - 1;
    if (dn == 0)
        return 0;
    if (d[0] == '[') {
        if (d[dn - 1] != ']')
            return 0;
        if (dn > 7 && strncmp(d + 1, "IPv6:", 5) == 0)
            return vc_format_ipv6_text(d + 6, dn - 7);
        return vc_format_ipv4_text(d + 1, dn - 2);
    }
    return hostname(d, dn, idn);
}

/* ------------------------------------------------------------------ table */

static const struct {
    const char *name;
    sformat f;
} formats[] = {
    {"date-time", FMT_DATE_TIME},
    {"date", FMT_DATE},
    {"time", FMT_TIME},
    {"duration", FMT_DURATION},
    {"uri", FMT_URI},
    {"uri-reference", FMT_URI_REFERENCE},
    {"iri", FMT_IRI},
    {"iri-reference", FMT_IRI_REFERENCE},
    {"uri-template", FMT_URI_TEMPLATE},
    {"email", FMT_EMAIL},
    {"idn-email", FMT_IDN_EMAIL},
    {"hostname", FMT_HOSTNAME},
    {"idn-hostname", FMT_IDN_HOSTNAME},
    {"ipv4", FMT_IPV4},
    {"ipv6", FMT_IPV6},
    {"uuid", FMT_UUID},
    {"json-pointer", FMT_JSON_POINTER},
    {"relative-json-pointer", FMT_RELATIVE_JSON_POINTER},
    {"regex", FMT_REGEX},
};

sformat vc_format_lookup(const char *name)
{
    for (size_t i = 0; i < NR(formats); i++)
        if (strcmp(formats[i].name, name) == 0)
            return formats[i].f;
    return FMT_NONE;
}

const char *vc_format_name(sformat f)
{
    for (size_t i = 0; i < NR(formats); i++)
        if (formats[i].f == f)
            return formats[i].name;
    return "unknown";
}

int vc_format_check(sformat f, const char *s, size_t n)
{
    switch (f) {
    case FMT_NONE:
        return 1;
    case FMT_DATE_TIME:
        return date_time(s, n);
    case FMT_DATE:
        return full_date(s, n);
    case FMT_TIME:
        return full_time(s, n);
    case FMT_DURATION:
        return duration(s, n);
    case FMT_URI:
        return vc_format_uri(s, n, 0, 0);
    case FMT_URI_REFERENCE:
        return vc_format_uri(s, n, 1, 0);
    case FMT_IRI:
        return vc_format_uri(s, n, 0, 1);
    case FMT_IRI_REFERENCE:
        return vc_format_uri(s, n, 1, 1);
    case FMT_URI_TEMPLATE:
        return vc_format_uri_template(s, n);
    case FMT_EMAIL:
        return email(s, n, 0);
    case FMT_IDN_EMAIL:
        return email(s, n, 1);
    case FMT_HOSTNAME:
        return hostname(s, n, 0);
    case FMT_IDN_HOSTNAME:
        return hostname(s, n, 1);
    case FMT_IPV4:
        return vc_format_ipv4_text(s, n);
    case FMT_IPV6:
        return vc_format_ipv6_text(s, n);
    case FMT_UUID:
        return uuid(s, n);
    case FMT_JSON_POINTER:
        return json_pointer(s, n);
    case FMT_RELATIVE_JSON_POINTER:
        return relative_json_pointer(s, n);
    case FMT_REGEX: {
        pcre2_code *code = NULL;
        char msg[128];
        if (vc_regex_compile(s, n, &code, msg, sizeof msg) != VC_OK)
            return 0;
        pcre2_code_free(code);
        return 1;
    }
    }
    return 1;
}
