/*
 * regex.c - JSON Schema patterns (ECMA-262 syntax) on PCRE2.
 *
 * PCRE2 runs with UTF and UCP. The few ECMA-262 constructs whose meaning
 * differs in PCRE2 are rewritten before compiling: \d \w \s \b and their
 * negations get the ECMA-262 (ASCII / ECMA white space) sets, '.' excludes the
 * ECMA line terminators, \v is the vertical tab, \0 NUL, \uXXXX and \u{X...} code
 * points (surrogate pairs joined), \p{Script=X} style property names. PCRE-only
 * escapes (\a \e \A \z \Z \Q \G \K \h \R \X \N ...) and inline flags are
 * refused, as an ECMA-262 engine would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

#define WORD "A-Za-z0-9_"
#define SPACES "\\t\\n\\x{b}\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}"
#define NOT_SPACES                                                                                                     \
    "\\x{0}-\\x{8}\\x{e}-\\x{1f}\\x{21}-\\x{9f}\\x{a1}-\\x{167f}\\x{1681}-\\x{1fff}\\x{200b}-\\x{2027}"                 \
    "\\x{202a}-\\x{202e}\\x{2030}-\\x{205e}\\x{2060}-\\x{2fff}\\x{3001}-\\x{fefe}\\x{ff00}-\\x{10ffff}"
#define NOT_DIGITS "\\x{0}-\\x{2f}\\x{3a}-\\x{10ffff}"
#define NOT_WORD "\\x{0}-\\x{2f}\\x{3a}-\\x{40}\\x{5b}-\\x{5e}\\x{60}\\x{7b}-\\x{10ffff}"
#define BOUNDARY "(?:(?<=[" WORD "])(?![" WORD "])|(?<![" WORD "])(?=[" WORD "]))"
#define NOT_BOUNDARY "(?:(?<=[" WORD "])(?=[" WORD "])|(?<![" WORD "])(?![" WORD "]))"

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* ECMA-262 long General_Category names (and "digit"), which PCRE2 10.42 does
 * not know, to their short forms. */
static const char *gc_short(const char *name, size_t len)
{
    static const char *const map[][2] = {
        {"Letter", "L"}, {"Cased_Letter", "L&"}, {"Uppercase_Letter", "Lu"}, {"Lowercase_Letter", "Ll"},
        {"Titlecase_Letter", "Lt"}, {"Modifier_Letter", "Lm"}, {"Other_Letter", "Lo"}, {"Mark", "M"},
        {"Combining_Mark", "M"}, {"Nonspacing_Mark", "Mn"}, {"Spacing_Mark", "Mc"}, {"Enclosing_Mark", "Me"},
        {"Number", "N"}, {"Decimal_Number", "Nd"}, {"digit", "Nd"}, {"Letter_Number", "Nl"},
        {"Other_Number", "No"}, {"Punctuation", "P"}, {"punct", "P"}, {"Connector_Punctuation", "Pc"},
        {"Dash_Punctuation", "Pd"}, {"Open_Punctuation", "Ps"}, {"Close_Punctuation", "Pe"},
        {"Initial_Punctuation", "Pi"}, {"Final_Punctuation", "Pf"}, {"Other_Punctuation", "Po"},
        {"Symbol", "S"}, {"Math_Symbol", "Sm"}, {"Currency_Symbol", "Sc"}, {"Modifier_Symbol", "Sk"},
        {"Other_Symbol", "So"}, {"Separator", "Z"}, {"Space_Separator", "Zs"}, {"Line_Separator", "Zl"},
        {"Paragraph_Separator", "Zp"}, {"Other", "C"}, {"Control", "Cc"}, {"cntrl", "Cc"}, {"Format", "Cf"},
        {"Surrogate", "Cs"}, {"Private_Use", "Co"}, {"Unassigned", "Cn"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i][0]) == len && memcmp(map[i][0], name, len) == 0)
            return map[i][1];
    return NULL;
}

/* \uXXXX or \u{X..} at p[i] == 'u'; returns the code point, advances *i past it; -1 on error. */
static long read_u(const char *p, size_t n, size_t *i)
{
    size_t k = *i + 1;
    long v = 0;
    if (k < n && p[k] == '{') {
        k++;
        size_t b = k;
        while (k < n && hexv(p[k]) >= 0 && k - b < 8)
            v = v * 16 + hexv(p[k++]);
        if (k == b || k >= n || p[k] != '}' || v > 0x10ffff)
            return -1;
        *i = k;
        return v;
    }
    if (k + 4 > n)
        return -1;
    for (size_t j = 0; j < 4; j++) {
        int h = hexv(p[k + j]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    *i = k + 3;
    return v;
}

static vc_status translate(const char *p, size_t n, vc_buf *o, char *msg, size_t cap)
{
    int in_class = 0;
    char tmp[32];
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 >= n) {
                snprintf(msg, cap, "pattern ends with a backslash");
                return VC_ERR_SCHEMA_COMPILE;
            }
            char e = p[++i];
            switch (e) {
            case 'd':
                vc_buf_puts(o, in_class ? "0-9" : "[0-9]");
                break;
            case 'D':
                vc_buf_puts(o, in_class ? NOT_DIGITS : "[^0-9]");
                break;
            case 'w':
                vc_buf_puts(o, in_class ? WORD : "[" WORD "]");
                break;
            case 'W':
                vc_buf_puts(o, in_class ? NOT_WORD : "[^" WORD "]");
                break;
            case 's':
                vc_buf_puts(o, in_class ? SPACES : "[" SPACES "]");
                break;
            case 'S':
                vc_buf_puts(o, in_class ? NOT_SPACES : "[^" SPACES "]");
                break;
            case 'b':
                vc_buf_puts(o, in_class ? "\\x{8}" : BOUNDARY);
                break;
            case 'B':
                if (in_class)
                    goto bad;
                vc_buf_puts(o, NOT_BOUNDARY);
                break;
            case 'v':
                vc_buf_puts(o, "\\x{b}");
                break;
            case 'f':
            case 'n':
            case 'r':
            case 't':
                tmp[0] = '\\', tmp[1] = e;
                vc_buf_put(o, tmp, 2);
                break;
            case '0':
                if (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '9')
                    goto bad;
                vc_buf_puts(o, "\\x{0}");
                break;
            case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': {
                if (in_class)
                    goto bad;
                size_t b = i;
                while (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '9')
                    i++;
                vc_buf_put(o, "\\g{", 3);
                vc_buf_put(o, p + b, i - b + 1);
                vc_buf_put(o, "}", 1);
                break;
            }
            case 'c':
                if (i + 1 >= n || !((p[i + 1] >= 'a' && p[i + 1] <= 'z') || (p[i + 1] >= 'A' && p[i + 1] <= 'Z')))
                    goto bad;
                snprintf(tmp, sizeof tmp, "\\x{%x}", (unsigned)(p[i + 1] & 0x1f));
                vc_buf_puts(o, tmp);
                i++;
                break;
            case 'x':
                if (i + 2 >= n || hexv(p[i + 1]) < 0 || hexv(p[i + 2]) < 0)
                    goto bad;
                snprintf(tmp, sizeof tmp, "\\x{%x}", (unsigned)(hexv(p[i + 1]) * 16 + hexv(p[i + 2])));
                vc_buf_puts(o, tmp);
                i += 2;
                break;
            case 'u': {
                long v = read_u(p, n, &i);
                if (v < 0)
                    goto bad;
                if (v >= 0xd800 && v <= 0xdbff && i + 2 < n && p[i + 1] == '\\' && p[i + 2] == 'u') {
                    size_t j = i + 2;
                    long lo = read_u(p, n, &j);
                    if (lo >= 0xdc00 && lo <= 0xdfff) {
                        v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
                        i = j;
                    }
                }
                if (v >= 0xd800 && v <= 0xdfff) {
                    snprintf(msg, cap, "pattern has a lone surrogate \\u%04lx", v);
                    return VC_ERR_SCHEMA_COMPILE;
                }
                snprintf(tmp, sizeof tmp, "\\x{%lx}", v);
                vc_buf_puts(o, tmp);
                break;
            }
            case 'p':
            case 'P': {
                if (i + 1 >= n || p[i + 1] != '{')
                    goto bad;
                const char *end = memchr(p + i + 1, '}', n - i - 1);
                if (!end)
                    goto bad;
                const char *name = p + i + 2;
                size_t len = (size_t)(end - name);
                tmp[0] = '\\', tmp[1] = e;
                vc_buf_put(o, tmp, 2);
                vc_buf_put(o, "{", 1);
                const char *eq = memchr(name, '=', len);
                if (eq) {
                    size_t kl = (size_t)(eq - name);
                    const char *val = eq + 1;
                    size_t vl = len - kl - 1;
                    if ((kl == 16 && strncmp(name, "General_Category", 16) == 0) || (kl == 2 && strncmp(name, "gc", 2) == 0)) {
                        const char *gc = gc_short(val, vl);
                        if (gc)
                            vc_buf_puts(o, gc);
                        else
                            vc_buf_put(o, val, vl);
                    }
                    else if ((kl == 6 && strncmp(name, "Script", 6) == 0) || (kl == 2 && strncmp(name, "sc", 2) == 0)) {
                        vc_buf_put(o, "sc:", 3);
                        vc_buf_put(o, val, vl);
                    } else if ((kl == 17 && strncmp(name, "Script_Extensions", 17) == 0) ||
                               (kl == 3 && strncmp(name, "scx", 3) == 0)) {
                        vc_buf_put(o, "scx:", 4);
                        vc_buf_put(o, val, vl);
                    } else
                        goto bad;
                } else {
                    const char *gc = gc_short(name, len);
                    if (gc)
                        vc_buf_puts(o, gc);
                    else
                        vc_buf_put(o, name, len);
                }
                vc_buf_put(o, "}", 1);
                i = (size_t)(end - p);
                break;
            }
            case 'k':
                if (in_class || i + 1 >= n || p[i + 1] != '<')
                    goto bad;
                vc_buf_put(o, "\\k", 2);
                break;
            default:
                if ((unsigned char)e >= 0x80) {
                    /* identity escape of a non-ASCII character: the character itself */
                    vc_buf_put(o, &e, 1);
                } else if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || e == '_') {
                    goto bad;
                } else {
                    tmp[0] = '\\', tmp[1] = e;
                    vc_buf_put(o, tmp, 2);
                }
            }
            continue;
        bad:
            snprintf(msg, cap, "pattern has an escape '\\%c' that ECMA-262 does not define here", e);
            return VC_ERR_SCHEMA_COMPILE;
        }
        if (in_class) {
            if (c == ']')
                in_class = 0;
            if (c == '[')
                vc_buf_put(o, "\\[", 2);
            else
                vc_buf_put(o, &c, 1);
            continue;
        }
        if (c == '[') {
            in_class = 1;
            vc_buf_put(o, "[", 1);
            if (i + 1 < n && p[i + 1] == '^') {
                vc_buf_put(o, "^", 1);
                i++;
            }
            continue;
        }
        if (c == '.') {
            vc_buf_puts(o, "[^\\n\\r\\x{2028}\\x{2029}]");
            continue;
        }
        if (c == '(' && i + 1 < n && p[i + 1] == '?') {
            char d = i + 2 < n ? p[i + 2] : '\0';
            int ok = d == ':' || d == '=' || d == '!';
            if (d == '<' && i + 3 < n) {
                char f = p[i + 3];
                ok = f == '=' || f == '!' || (f >= 'a' && f <= 'z') || (f >= 'A' && f <= 'Z') || f == '_' || f == '$';
            }
            if (!ok) {
                snprintf(msg, cap, "pattern uses a group syntax '(?%c' that ECMA-262 does not define", d ? d : ' ');
                return VC_ERR_SCHEMA_COMPILE;
            }
        }
        vc_buf_put(o, &c, 1);
    }
    if (in_class) {
        snprintf(msg, cap, "pattern has an unterminated character class");
        return VC_ERR_SCHEMA_COMPILE;
    }
    vc_buf_put(o, "", 0);
    return o->oom ? VC_ERR_NOMEM : VC_OK;
}

vc_status vc_regex_compile(const char *pattern, size_t len, pcre2_code **out, char *msg, size_t msg_cap)
{
    vc_buf o = {0};
    *out = NULL;
    if (len > VC_SCHEMA_MAX_PATTERN_BYTES) {
        snprintf(msg, msg_cap, "pattern of %zu bytes is longer than VC_SCHEMA_MAX_PATTERN_BYTES (%u)", len,
                 (unsigned)VC_SCHEMA_MAX_PATTERN_BYTES);
        return VC_ERR_SCHEMA_COMPILE;
    }
    vc_status st = translate(pattern, len, &o, msg, msg_cap);
    if (st != VC_OK) {
        free(o.p);
        if (st == VC_ERR_NOMEM)
            snprintf(msg, msg_cap, "out of memory");
        return st;
    }
    int ec = 0;
    PCRE2_SIZE off = 0;
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY | PCRE2_ALLOW_EMPTY_CLASS |
                    PCRE2_MATCH_UNSET_BACKREF | PCRE2_NEVER_BACKSLASH_C;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)(o.p ? o.p : ""), o.n, opts, &ec, &off, NULL);
    free(o.p);
    if (!code) {
        if (ec == PCRE2_ERROR_NOMEMORY) {
            snprintf(msg, msg_cap, "out of memory");
            return VC_ERR_NOMEM;
        }
        PCRE2_UCHAR buf[160];
        if (pcre2_get_error_message(ec, buf, sizeof buf) < 0)
            snprintf((char *)buf, sizeof buf, "error %d", ec);
        snprintf(msg, msg_cap, "invalid regular expression: %s", (const char *)buf);
        return VC_ERR_SCHEMA_COMPILE;
    }
    *out = code;
    return VC_OK;
}
