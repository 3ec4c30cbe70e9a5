/* uri.c - RFC 3986 reference resolution and URI / IRI / URI-template syntax. */
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

typedef struct span {
    const char *p;
    size_t n;
    int has;
} span;

typedef struct uparts {
    span scheme, auth, path, query, frag;
} uparts;

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of a scheme at the start of s (followed by ':'), or 0. */
static size_t scheme_len(const char *s, size_t n)
{
    if (n == 0 || !is_alpha((unsigned char)s[0]))
        return 0;
    size_t i = 1;
    while (i < n && (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
                     s[i] == '.'))
        i++;
    return i < n && s[i] == ':' ? i : 0;
}

static void uri_split(const char *s, size_t n, uparts *u)
{
    memset(u, 0, sizeof *u);
    size_t i = 0, sl = scheme_len(s, n);
    if (sl) {
        u->scheme = (span){s, sl, 1};
        i = sl + 1;
    }
    if (i + 1 < n + 0 && s[i] == '/' && s[i + 1] == '/') {
        size_t b = i + 2, e = b;
        while (e < n && s[e] != '/' && s[e] != '?' && s[e] != '#')
            e++;
        u->auth = (span){s + b, e - b, 1};
        i = e;
    }
    size_t b = i;
    while (i < n && s[i] != '?' && s[i] != '#')
        i++;
    u->path = (span){s + b, i - b, 1};
    if (i < n && s[i] == '?') {
        b = ++i;
        while (i < n && s[i] != '#')
            i++;
        u->query = (span){s + b, i - b, 1};
    }
    if (i < n && s[i] == '#') {
        i++;
        u->frag = (span){s + i, n - i, 1};
    }
}

/* RFC 3986 5.2.4, in place on a NUL-terminated buffer. */
static void remove_dot_segments(char *in)
{
    char *out = in, *p = in;
    size_t olen = 0;
    while (*p) {
        if (strncmp(p, "../", 3) == 0)
            p += 3;
        else if (strncmp(p, "./", 2) == 0)
            p += 2;
        else if (strncmp(p, "/./", 3) == 0)
            p += 2;
        else if (strcmp(p, "/.") == 0) {
            p[1] = '\0';
        } else if (strncmp(p, "/../", 4) == 0 || strcmp(p, "/..") == 0) {
            if (p[3] == '\0')
                p[2] = '/', p += 2;
            else
                p += 3;
            while (olen > 0 && out[olen - 1] != '/')
                olen--;
            if (olen > 0)
                olen--;
        } else if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
            break;
        } else {
            /* move the first segment (with its leading '/') to the output */
            size_t k = 0;
            if (p[0] == '/')
                k = 1;
            while (p[k] && p[k] != '/')
                k++;
            memmove(out + olen, p, k);
            olen += k;
            p += k;
        }
    }
    out[olen] = '\0';
}

char *vc_uri_resolve(const char *base, const char *ref)
{
    uparts B, R;
    uri_split(base, strlen(base), &B);
    uri_split(ref, strlen(ref), &R);
    span scheme, auth, query, frag = R.frag;
    vc_buf path = {0};
    if (R.scheme.has) {
        scheme = R.scheme;
        auth = R.auth;
        vc_buf_put(&path, R.path.p, R.path.n);
        query = R.query;
    } else {
        scheme = B.scheme;
        if (R.auth.has) {
            auth = R.auth;
            vc_buf_put(&path, R.path.p, R.path.n);
            query = R.query;
        } else {
            auth = B.auth;
            if (R.path.n == 0) {
                vc_buf_put(&path, B.path.p, B.path.n);
                query = R.query.has ? R.query : B.query;
            } else {
                if (R.path.p[0] == '/')
                    vc_buf_put(&path, R.path.p, R.path.n);
                else {
                    if (B.auth.has && B.path.n == 0)
                        vc_buf_put(&path, "/", 1);
                    else {
                        size_t k = B.path.n;
                        while (k > 0 && B.path.p[k - 1] != '/')
                            k--;
                        vc_buf_put(&path, B.path.p, k);
                    }
                    vc_buf_put(&path, R.path.p, R.path.n);
                }
                query = R.query;
            }
        }
    }
    vc_buf_put(&path, "", 0);
    if (path.oom) {
        free(path.p);
        return NULL;
    }
    remove_dot_segments(path.p);
    vc_buf out = {0};
    if (scheme.has) {
        vc_buf_put(&out, scheme.p, scheme.n);
        vc_buf_put(&out, ":", 1);
    }
    if (auth.has) {
        vc_buf_put(&out, "//", 2);
        vc_buf_put(&out, auth.p, auth.n);
    }
    vc_buf_put(&out, path.p, strlen(path.p));
    if (query.has) {
        vc_buf_put(&out, "?", 1);
        vc_buf_put(&out, query.p, query.n);
    }
    if (frag.has) {
        vc_buf_put(&out, "#", 1);
        vc_buf_put(&out, frag.p, frag.n);
    }
    vc_buf_put(&out, "", 0);
    free(path.p);
    if (out.oom) {
        free(out.p);
        return NULL;
    }
    return out.p;
}

size_t vc_uri_split_fragment(const char *uri, const char **frag)
{
    const char *h = strchr(uri, '#');
    if (!h) {
        *frag = NULL;
        return strlen(uri);
    }
    *frag = h + 1;
    return (size_t)(h - uri);
}

int vc_uri_has_scheme(const char *s)
{
    return scheme_len(s, strlen(s)) > 0;
}

/* ---------------------------------------------------------------- syntax */

/* Character classes of RFC 3986, by byte. */
enum { C_UNRES = 1, C_SUB = 2, C_COLON_AT = 4, C_SLASH = 8, C_QMARK = 16 };

static unsigned char cclass(unsigned char c)
{
    static const unsigned char tab[128] = {
        ['-'] = C_UNRES, ['.'] = C_UNRES, ['_'] = C_UNRES, ['~'] = C_UNRES,
        ['!'] = C_SUB, ['$'] = C_SUB, ['&'] = C_SUB, ['\''] = C_SUB, ['('] = C_SUB, [')'] = C_SUB,
        ['*'] = C_SUB, ['+'] = C_SUB, [','] = C_SUB, [';'] = C_SUB, ['='] = C_SUB,
        [':'] = C_COLON_AT, ['@'] = C_COLON_AT, ['/'] = C_SLASH, ['?'] = C_QMARK,
        ['0'] = C_UNRES, ['1'] = C_UNRES, ['2'] = C_UNRES, ['3'] = C_UNRES, ['4'] = C_UNRES,
        ['5'] = C_UNRES, ['6'] = C_UNRES, ['7'] = C_UNRES, ['8'] = C_UNRES, ['9'] = C_UNRES,
        ['a'] = C_UNRES, ['b'] = C_UNRES, ['c'] = C_UNRES, ['d'] = C_UNRES, ['e'] = C_UNRES, ['f'] = C_UNRES,
        ['g'] = C_UNRES, ['h'] = C_UNRES, ['i'] = C_UNRES, ['j'] = C_UNRES, ['k'] = C_UNRES, ['l'] = C_UNRES,
        ['m'] = C_UNRES, ['n'] = C_UNRES, ['o'] = C_UNRES, ['p'] = C_UNRES, ['q'] = C_UNRES, ['r'] = C_UNRES,
        ['s'] = C_UNRES, ['t'] = C_UNRES, ['u'] = C_UNRES, ['v'] = C_UNRES, ['w'] = C_UNRES, ['x'] = C_UNRES,
        ['y'] = C_UNRES, ['z'] = C_UNRES,
        ['A'] = C_UNRES, ['B'] = C_UNRES, ['C'] = C_UNRES, ['D'] = C_UNRES, ['E'] = C_UNRES, ['F'] = C_UNRES,
        ['G'] = C_UNRES, ['H'] = C_UNRES, ['I'] = C_UNRES, ['J'] = C_UNRES, ['K'] = C_UNRES, ['L'] = C_UNRES,
        ['M'] = C_UNRES, ['N'] = C_UNRES, ['O'] = C_UNRES, ['P'] = C_UNRES, ['Q'] = C_UNRES, ['R'] = C_UNRES,
        ['S'] = C_UNRES, ['T'] = C_UNRES, ['U'] = C_UNRES, ['V'] = C_UNRES, ['W'] = C_UNRES, ['X'] = C_UNRES,
        ['Y'] = C_UNRES, ['Z'] = C_UNRES,
    };
    return c < 128 ? tab[c] : 0;
}

static int is_unreserved(int c)
{
    return (cclass((unsigned char)c) & C_UNRES) != 0;
}

static int is_subdelim(int c)
{
    return (cclass((unsigned char)c) & C_SUB) != 0;
}

/* Check that s[0..n) consists of unreserved / sub-delims / pct-encoded / the
 * classes in extra (C_COLON_AT...), and (iri) any non-ASCII byte. */
static int chars_ok(const char *s, size_t n, unsigned extra, int iri)
{
    unsigned allowed = C_UNRES | C_SUB | extra;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (cclass(c) & allowed)
            continue;
        if (c == '%') {
            if (i + 2 >= n || !is_hex((unsigned char)s[i + 1]) || !is_hex((unsigned char)s[i + 2]))
                return 0;
            i += 2;
        } else if (c >= 0x80) {
            if (!iri)
                return 0;
        } else
            return 0;
    }
    return 1;
}

VC_INTERNAL int vc_format_ipv6_text(const char *s, size_t n); /* format.c */
VC_INTERNAL int vc_format_ipv4_text(const char *s, size_t n);

static int host_ok(const char *s, size_t n, int iri)
{
    if (n > 0 && s[0] == '[') {
        if (s[n - 1] != ']')
            return 0;
        const char *in = s + 1;
        size_t m = n - 2;
        if (m > 0 && (in[0] == 'v' || in[0] == 'V')) { /* IPvFuture */
            size_t i = 1;
            while (i < m && is_hex((unsigned char)in[i]))
                i++;
            if (i == 1 || i >= m || in[i] != '.')
                return 0;
            i++;
            if (i >= m)
                return 0;
            for (; i < m; i++)
                if (!is_unreserved((unsigned char)in[i]) && !is_subdelim((unsigned char)in[i]) && in[i] != ':')
                    return 0;
            return 1;
        }
        return vc_format_ipv6_text(in, m);
    }
    return chars_ok(s, n, 0, iri);
}

static int authority_ok(const char *s, size_t n, int iri)
{
    size_t at = n;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '@')
            at = i; /* the last '@' ends the userinfo */
    size_t hb = 0;
    if (at < n) {
        if (!chars_ok(s, at, C_COLON_AT, iri) || memchr(s, '@', at))
            return 0;
        hb = at + 1;
    }
    /* port: digits after the last ':' that is not inside an IP literal */
    size_t he = n;
    if (n > hb && s[hb] == '[') {
        const char *rb = memchr(s + hb, ']', n - hb);
        if (!rb)
            return 0;
        he = (size_t)(rb - s) + 1;
        if (he < n) {
            if (s[he] != ':')
                return 0;
            for (size_t i = he + 1; i < n; i++)
                if (!is_digit((unsigned char)s[i]))
                    return 0;
        }
    } else {
        for (size_t i = hb; i < n; i++)
            if (s[i] == ':') {
                he = i;
                break;
            }
        for (size_t i = he + 1; i < n; i++)
            if (!is_digit((unsigned char)s[i]))
                return 0;
    }
    return host_ok(s + hb, he - hb, iri);
}

int vc_format_uri(const char *s, size_t n, int reference, int iri)
{
    uparts u;
    uri_split(s, n, &u);
    if (!u.scheme.has && !reference)
        return 0;
    if (!u.scheme.has && n > 0 && !u.auth.has) {
        /* path-noscheme: no ':' in the first segment */
        for (size_t i = 0; i < u.path.n && u.path.p[i] != '/'; i++)
            if (u.path.p[i] == ':')
                return 0;
    }
    if (u.auth.has && !authority_ok(u.auth.p, u.auth.n, iri))
        return 0;
    if (!chars_ok(u.path.p, u.path.n, C_COLON_AT | C_SLASH, iri))
        return 0;
    if (u.query.has && !chars_ok(u.query.p, u.query.n, C_COLON_AT | C_SLASH | C_QMARK, iri))
        return 0;
    if (u.frag.has && !chars_ok(u.frag.p, u.frag.n, C_COLON_AT | C_SLASH | C_QMARK, iri))
        return 0;
    return 1;
}

/* RFC 6570 level 4 syntax. */
int vc_format_uri_template(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '{') {
            size_t j = i + 1;
            if (j < n && strchr("+#./;?&=,!@|", s[j]))
                j++;
            /* varspec *( "," varspec ) */
            for (;;) {
                /* varname = varchar *( ["."] varchar ) */
                size_t b = j;
                while (j < n && (is_alpha((unsigned char)s[j]) || is_digit((unsigned char)s[j]) || s[j] == '_' ||
                                 s[j] == '.' || s[j] == '%')) {
                    if (s[j] == '.' && (j == b || s[j - 1] == '.'))
                        return 0;
                    if (s[j] == '%') {
                        if (j + 2 >= n || !is_hex((unsigned char)s[j + 1]) || !is_hex((unsigned char)s[j + 2]))
                            return 0;
                        j += 2;
                    }
                    j++;
                }
                if (j == b || s[j - 1] == '.')
                    return 0;
                if (j < n && s[j] == ':') {
                    size_t d = ++j;
                    while (j < n && is_digit((unsigned char)s[j]))
                        j++;
                    if (j == d || j - d > 4 || s[d] == '0')
                        return 0;
                } else if (j < n && s[j] == '*')
                    j++;
                if (j < n && s[j] == ',') {
                    j++;
                    continue;
                }
                break;
            }
            if (j >= n || s[j] != '}')
                return 0;
            i = j;
        } else if (c == '}')
            return 0;
        else if (c == '%') {
            if (i + 2 >= n || !is_hex((unsigned char)s[i + 1]) || !is_hex((unsigned char)s[i + 2]))
                return 0;
            i += 2;
        } else if (c <= 0x20 || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' ||
                   c == '|' || c == 0x7f)
            return 0;
    }
    return 1;
}
