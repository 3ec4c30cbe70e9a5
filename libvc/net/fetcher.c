/*
 * fetcher.c - HTTPS GET on libcurl with libvc's rules (see vc/net.h): scheme and
 * address rules on every hop, TLS always verified, timeouts, size cap, redirects
 * followed here (never by libcurl), content-type check, caching, offline mode.
 *
 * One CURL easy handle per request, created and cleaned up by the calling
 * thread, so that a vc_fetcher is shared by threads without a handle pool.
 * Concurrent requests for the same URL are coalesced: the second waits for the
 * first and takes its response from the cache.
 *
 * SSRF enforcement: CURLOPT_OPENSOCKETFUNCTION receives the socket address of
 * each connection attempt (after DNS, before connect) and refuses, by returning
 * CURL_SOCKET_BAD, any address the flags do not allow. Proxies are disabled
 * (CURLOPT_PROXY ""), so the address checked is always the server's.
 */
#include <curl/curl.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net_internal.h"

#define MAX_ACCEPT_TYPES 16u       /* media types one request may accept */
#define MAX_MEDIA_TYPE 127u        /* longest media type compared */
#define MAX_BODY_LIMIT (64u * 1024u * 1024u) /* largest value vc_fetcher_set_limits accepts */
#define URL_QUOTE_MAX 96u          /* characters of a URL quoted in a message */
#define USER_AGENT "libvc/" VC_VERSION_STRING

typedef struct static_doc {
    char *url;
    char *body;
    size_t len;
    char *content_type;
    struct static_doc *next;
} static_doc;

typedef struct inflight {
    char *url;
    struct inflight *next;
} inflight;

struct vc_fetcher {
    unsigned flags;
    unsigned connect_ms, total_ms;
    size_t max_bytes;
    unsigned max_redirects;
    STACK_OF(X509) *cas; /* extra trust anchors, or NULL */
    char *sys_cafile, *sys_capath; /* libcurl's default trust store (may be NULL) */
    /* The trust store (system + extra CAs), built once on first use and shared by
     * every TLS connection of this fetcher, so that the system bundle is not
     * parsed again for each request. */
    pthread_mutex_t store_lock;
    X509_STORE *store;
    vc_net_cache *cache;
    static_doc *statics;
    size_t n_statics;
    struct curl_slist *connect_to; /* CURLOPT_CONNECT_TO entries, or NULL */
    size_t n_connect_to;

    pthread_mutex_t lock; /* stats and inflight */
    pthread_cond_t done;  /* an inflight request finished */
    inflight *inflight;
    vc_fetcher_stats stats;
};

/* ------------------------------------------------------------------ global init */

static pthread_once_t net_once = PTHREAD_ONCE_INIT;
static vc_status net_init_status = VC_ERR_NET;
static char net_init_message[160];

static void net_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(net_init_message, sizeof net_init_message, "libcurl could not be initialised");
        return;
    }
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    if (!v || v->version_num < 0x075500) {
        snprintf(net_init_message, sizeof net_init_message, "libcurl %s is too old: libvc needs 7.85.0 or later",
                 v ? v->version : "?");
        return;
    }
    if (!v->ssl_version || strncmp(v->ssl_version, "OpenSSL", 7) != 0) {
        snprintf(net_init_message, sizeof net_init_message,
                 "libcurl uses %s: libvc needs libcurl built with OpenSSL (Debian: libcurl4-openssl-dev)",
                 v->ssl_version ? v->ssl_version : "no TLS library");
        return;
    }
    net_init_status = VC_OK;
}

/* ------------------------------------------------------------------ small helpers */

int64_t vc_net_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *quote_url(const char *s, char buf[URL_QUOTE_MAX + 4])
{
    size_t n = strnlen(s, URL_QUOTE_MAX + 1);
    if (n <= URL_QUOTE_MAX) {
        memcpy(buf, s, n);
        buf[n] = '\0';
    } else {
        memcpy(buf, s, URL_QUOTE_MAX);
        memcpy(buf + URL_QUOTE_MAX, "...", 4);
    }
    return buf;
}

/* The error path: the URL the caller asked for, cut to fit. */
static const char *url_path(const char *url, char buf[VC_ERROR_PATH_MAX])
{
    size_t n = strnlen(url, VC_ERROR_PATH_MAX);
    if (n < VC_ERROR_PATH_MAX) {
        memcpy(buf, url, n + 1);
    } else {
        memcpy(buf, url, VC_ERROR_PATH_MAX - 4);
        memcpy(buf + VC_ERROR_PATH_MAX - 4, "...", 4);
    }
    return buf;
}

static void count(vc_fetcher *f, uint64_t *field)
{
    pthread_mutex_lock(&f->lock);
    (*field)++;
    pthread_mutex_unlock(&f->lock);
}

static int has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

int vc_net_media_type(const char *value, char *buf, size_t cap)
{
    if (!value)
        return 0;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t n = strcspn(value, ";");
    while (n && (value[n - 1] == ' ' || value[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= cap)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = value[i];
        buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    buf[n] = '\0';
    return 1;
}

/* "type/subtype" with RFC 9110 token characters, or the wildcard. */
static int valid_media_type(const char *t)
{
    const char *slash = strchr(t, '/');
    if (!slash || slash == t || !slash[1] || strchr(slash + 1, '/'))
        return 0;
    if (strcmp(t, "*/*") == 0)
        return 1;
    for (const char *p = t; *p; p++) {
        if (p == slash)
            continue;
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("!#$&-^_.+", *p)))
            return 0;
    }
    return 1;
}

typedef struct accept_list {
    char types[MAX_ACCEPT_TYPES][MAX_MEDIA_TYPE + 1];
    size_t n;
    int any;
} accept_list;

static vc_status parse_accept(const char *accept, accept_list *al, vc_error *err)
{
    memset(al, 0, sizeof *al);
    if (strlen(accept) > 1024 || has_ctl(accept))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL,
                       "the accepted media types must be a short comma-separated list without control characters");
    const char *p = accept;
    while (*p) {
        size_t n = strcspn(p, ",");
        char item[MAX_MEDIA_TYPE + 64];
        if (n < sizeof item) {
            memcpy(item, p, n);
            item[n] = '\0';
        } else {
            item[0] = '\0';
        }
        char type[MAX_MEDIA_TYPE + 1];
        if (vc_net_media_type(item, type, sizeof type)) {
            if (!valid_media_type(type))
                return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "\"%s\" is not a media type (type/subtype)", type);
            if (al->n == MAX_ACCEPT_TYPES)
                return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "more than %u accepted media types", MAX_ACCEPT_TYPES);
            if (strcmp(type, "*/*") == 0)
                al->any = 1;
            memcpy(al->types[al->n++], type, strlen(type) + 1);
        } else if (strspn(item, " \t") != strlen(item)) {
            return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "an accepted media type is malformed or too long");
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (al->n == 0)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL,
                       "no accepted media type given (e.g. \"application/did+json, application/json\")");
    return VC_OK;
}

static vc_status check_content_type(const char *url, const char *ct, const accept_list *al, vc_error *err)
{
    char pb[VC_ERROR_PATH_MAX], list[512];
    size_t off = 0;
    list[0] = '\0';
    for (size_t i = 0; i < al->n && off < sizeof list; i++)
        off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", al->types[i]);
    char type[MAX_MEDIA_TYPE + 1];
    if (!vc_net_media_type(ct, type, sizeof type))
        return al->any ? VC_OK
                       : vc_fail(err, VC_ERR_NET_CONTENT_TYPE, url_path(url, pb),
                                 "the response has no usable Content-Type; expected one of: %.160s", list);
    if (al->any)
        return VC_OK;
    for (size_t i = 0; i < al->n; i++)
        if (strcmp(al->types[i], type) == 0)
            return VC_OK;
    return vc_fail(err, VC_ERR_NET_CONTENT_TYPE, url_path(url, pb), "the response is %.60s; expected one of: %.160s",
                   type, list);
}

/* ------------------------------------------------------------------ URLs */

typedef struct url_info {
    char *norm; /* normalised, without fragment (new) */
    char *host; /* new */
    int https;
} url_info;

static void url_info_clear(url_info *u)
{
    curl_free(u->norm);
    curl_free(u->host);
    memset(u, 0, sizeof *u);
}

static int is_loopback_host(const char *host)
{
    if (strcasecmp(host, "localhost") == 0)
        return 1;
    return vc_net_classify_text(host) == (int)VC_ADDR_LOOPBACK;
}

/*
 * Apply the URL rules. On failure returns the code and writes the reason (a
 * clause, no URL) into why.
 */
static vc_status check_url(const vc_fetcher *f, const char *url, url_info *ui, char *why, size_t whycap)
{
    memset(ui, 0, sizeof *ui);
    size_t len = strnlen(url, VC_FETCH_MAX_URL_LENGTH + 1);
    if (len > VC_FETCH_MAX_URL_LENGTH) {
        snprintf(why, whycap, "the URL is longer than %u characters", VC_FETCH_MAX_URL_LENGTH);
        return VC_ERR_INVALID_ARG;
    }
    /* The scheme first, by hand, so that file:, ftp:, data:, ... are refused as schemes. */
    size_t sl = strcspn(url, ":/?#");
    if (url[sl] != ':' || sl == 0) {
        snprintf(why, whycap, "it is not an absolute URL (no scheme)");
        return VC_ERR_INVALID_ARG;
    }
    int https = sl == 5 && strncasecmp(url, "https", 5) == 0;
    int http = sl == 4 && strncasecmp(url, "http", 4) == 0;
    if (!https && !http) {
        snprintf(why, whycap, "the scheme \"%.*s:\" is not allowed: libvc fetches https URLs only",
                 (int)(sl > 20 ? 20 : sl), url);
        return VC_ERR_NET_SCHEME;
    }
    /* "//" and then the host: libcurl would read "https:///x" or "https:/x" as host x */
    if (url[sl + 1] != '/' || url[sl + 2] != '/' || url[sl + 3] == '/' || url[sl + 3] == '\\') {
        snprintf(why, whycap, "it is not an absolute URL with a host (scheme://host/...)");
        return VC_ERR_INVALID_ARG;
    }
    CURLU *u = curl_url();
    if (!u) {
        snprintf(why, whycap, "out of memory");
        return VC_ERR_NOMEM;
    }
    vc_status st = VC_OK;
    char *user = NULL, *password = NULL, *zone = NULL;
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (rc != CURLUE_OK) {
        snprintf(why, whycap, "it is not a valid URL (%s)", curl_url_strerror(rc));
        st = VC_ERR_INVALID_ARG;
        goto done;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
        snprintf(why, whycap, "credentials (user:password@) in a URL are refused");
        st = VC_ERR_INVALID_ARG;
        goto done;
    }
    if (curl_url_get(u, CURLUPART_HOST, &ui->host, 0) != CURLUE_OK || !ui->host || !ui->host[0]) {
        snprintf(why, whycap, "the URL has no host");
        st = VC_ERR_INVALID_ARG;
        goto done;
    }
    if (curl_url_get(u, CURLUPART_ZONEID, &zone, 0) == CURLUE_OK) {
        snprintf(why, whycap, "IPv6 zone ids are refused (link-local address)");
        st = VC_ERR_NET_ADDRESS;
        goto done;
    }
    if (http && !((f->flags & VC_FETCH_ALLOW_HTTP_LOOPBACK) && is_loopback_host(ui->host))) {
        if (f->flags & VC_FETCH_ALLOW_HTTP_LOOPBACK)
            snprintf(why, whycap, "plain http is allowed only for loopback hosts (localhost, 127.0.0.0/8, [::1]); "
                                  "use https");
        else
            snprintf(why, whycap, "plain http is refused: use https");
        st = VC_ERR_NET_SCHEME;
        goto done;
    }
    int cls = vc_net_classify_text(ui->host);
    if (cls >= 0 && !vc_net_class_allowed((vc_addr_class)cls, f->flags, http)) {
        snprintf(why, whycap, "%.64s is a %s address: refused (SSRF protection)", ui->host,
                 vc_net_class_name((vc_addr_class)cls));
        st = VC_ERR_NET_ADDRESS;
        goto done;
    }
    if (curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &ui->norm, 0) != CURLUE_OK) {
        snprintf(why, whycap, "out of memory");
        st = VC_ERR_NOMEM;
        goto done;
    }
    ui->https = https;
done:
    curl_free(user);
    curl_free(password);
    curl_free(zone);
    curl_url_cleanup(u);
    if (st != VC_OK)
        url_info_clear(ui);
    return st;
}

/* ------------------------------------------------------------------ one request */

typedef struct req {
    const vc_fetcher *f;
    CURL *h;
    int http;
    char *buf;
    size_t len, cap, max;
    int too_big;
    int not_ok; /* status is not 200: the body was not read */
    int refused;
    vc_addr_class refused_class;
    char refused_addr[64];
} req;

static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    req *r = clientp;
    vc_addr_class c = vc_net_classify(&a->addr, a->addrlen);
    if (purpose != CURLSOCKTYPE_IPCXN || (a->family != AF_INET && a->family != AF_INET6) ||
        !vc_net_class_allowed(c, r->f->flags, r->http)) {
        if (!r->refused) {
            r->refused = 1;
            r->refused_class = c;
            vc_net_sockaddr_text(&a->addr, r->refused_addr, sizeof r->refused_addr);
        }
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
    req *r = ud;
    size_t n = size * nmemb;
    long code = 0;
    curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200) { /* redirects and errors: their bodies are not wanted */
        r->not_ok = 1;
        return CURL_WRITEFUNC_ERROR;
    }
    if (n > r->max - r->len) { /* passes the cap: abort now */
        r->too_big = 1;
        return CURL_WRITEFUNC_ERROR;
    }
    if (r->len + n + 1 > r->cap) {
        size_t ncap = r->cap ? r->cap : 16384;
        while (ncap < r->len + n + 1)
            ncap *= 2;
        if (ncap > r->max + 1)
            ncap = r->max + 1;
        char *nb = realloc(r->buf, ncap);
        if (!nb)
            return CURL_WRITEFUNC_ERROR;
        r->buf = nb;
        r->cap = ncap;
    }
    memcpy(r->buf + r->len, data, n);
    r->len += n;
    r->buf[r->len] = '\0';
    return n;
}

/* The fetcher's trust store, built on first use. NULL when out of memory. */
static X509_STORE *trust_store(vc_fetcher *f)
{
    pthread_mutex_lock(&f->store_lock);
    if (!f->store) {
        X509_STORE *s = X509_STORE_new();
        if (s) {
            if (f->sys_cafile && access(f->sys_cafile, R_OK) == 0)
                X509_STORE_load_file(s, f->sys_cafile);
            else if (f->sys_capath && access(f->sys_capath, R_OK) == 0)
                X509_STORE_load_path(s, f->sys_capath);
            for (int i = 0; f->cas && i < sk_X509_num(f->cas); i++)
                X509_STORE_add_cert(s, sk_X509_value(f->cas, i)); /* a duplicate is harmless */
            ERR_clear_error();
        }
        f->store = s;
    }
    X509_STORE *s = f->store;
    pthread_mutex_unlock(&f->store_lock);
    return s;
}

/* Called by libcurl for each TLS connection: use the shared trust store. */
static CURLcode on_ssl_ctx(CURL *h, void *sslctx, void *ud)
{
    (void)h;
    X509_STORE *store = ud;
    SSL_CTX_set1_cert_store((SSL_CTX *)sslctx, store); /* takes a reference */
    return CURLE_OK;
}

/* A response, 200 or 304, with what the cache needs. */
typedef struct resp {
    long status;
    char *body;
    size_t len;
    char *content_type; /* media type as sent (parameters kept) */
    char *etag, *last_modified;
    vc_net_cache_info ci;
    int64_t fresh_until;
} resp;

static void resp_clear(resp *r)
{
    free(r->body);
    free(r->content_type);
    free(r->etag);
    free(r->last_modified);
    memset(r, 0, sizeof *r);
}

void vc_net_parse_cache_control(const char *value, vc_net_cache_info *ci)
{
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        char d[64];
        size_t k = n < sizeof d - 1 ? n : sizeof d - 1;
        memcpy(d, p, k);
        d[k] = '\0';
        while (k && (d[k - 1] == ' ' || d[k - 1] == '\t'))
            d[--k] = '\0';
        if (strcasecmp(d, "no-store") == 0) {
            ci->no_store = 1;
        } else if (strcasecmp(d, "no-cache") == 0 || strncasecmp(d, "no-cache=", 9) == 0) {
            ci->no_cache = 1;
        } else if (strncasecmp(d, "max-age", 7) == 0 && (d[7] == '=' || d[7] == ' ')) {
            const char *v = d + 7;
            while (*v == ' ')
                v++;
            int64_t age = -1;
            if (*v == '=') {
                v++;
                while (*v == ' ')
                    v++;
                int quoted = *v == '"';
                v += quoted;
                if (*v >= '0' && *v <= '9') {
                    age = 0;
                    while (*v >= '0' && *v <= '9') {
                        if (age < 100000000000LL)
                            age = age * 10 + (*v - '0');
                        v++;
                    }
                    if (quoted && *v++ != '"')
                        age = -1;
                    if (*v)
                        age = -1;
                }
            }
            if (age < 0)
                age = 0; /* a malformed max-age means stale (RFC 9111 4.2.1) */
            if (!ci->has_lifetime || age < ci->lifetime)
                ci->lifetime = age;
            ci->has_lifetime = 1;
        }
        p += n;
    }
}

static char *header_value(CURL *h, const char *name)
{
    struct curl_header *hh = NULL;
    if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hh) != CURLHE_OK || !hh || !hh->value)
        return NULL;
    return has_ctl(hh->value) ? NULL : vc_strdup(hh->value);
}

/* Caching fields of a 200 or 304 response. */
static void read_cache_headers(CURL *h, resp *out)
{
    struct curl_header *hh = NULL;
    size_t i = 0, amount = 1;
    while (i < amount && curl_easy_header(h, "Cache-Control", i, CURLH_HEADER, -1, &hh) == CURLHE_OK) {
        amount = hh->amount;
        vc_net_parse_cache_control(hh->value, &out->ci);
        i++;
    }
    time_t now = time(NULL);
    if (!out->ci.has_lifetime) {
        char *exp = header_value(h, "Expires");
        if (exp) {
            char *date = header_value(h, "Date");
            time_t e = curl_getdate(exp, NULL), d = date ? curl_getdate(date, NULL) : -1;
            out->ci.has_lifetime = 1;
            out->ci.lifetime = e < 0 ? 0 : (int64_t)e - (int64_t)(d < 0 ? now : d);
            free(date);
            free(exp);
        }
    }
    char *age = header_value(h, "Age");
    if (age && out->ci.has_lifetime) {
        char *end = NULL;
        long long a = strtoll(age, &end, 10);
        if (end != age && a > 0)
            out->ci.lifetime -= a;
    }
    free(age);
    if (out->ci.lifetime > (int64_t)VC_FETCH_CACHE_MAX_TTL_S)
        out->ci.lifetime = VC_FETCH_CACHE_MAX_TTL_S;
    out->fresh_until =
        (out->ci.no_cache || !out->ci.has_lifetime || out->ci.lifetime <= 0) ? 0 : (int64_t)now + out->ci.lifetime;
    out->etag = header_value(h, "ETag");
    out->last_modified = header_value(h, "Last-Modified");
}

/* How a failure at one hop is reported. */
typedef struct hop_ctx {
    const char *orig; /* the URL the caller asked for: the error path */
    const char *cur;  /* this hop's URL */
    unsigned hop;     /* 0: the first request */
    long *http_status; /* receives the status of a VC_ERR_NET_HTTP failure (may be NULL) */
} hop_ctx;

static vc_status hop_fail(vc_error *err, vc_status code, const hop_ctx *hc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static vc_status hop_fail(vc_error *err, vc_status code, const hop_ctx *hc, const char *fmt, ...)
{
    char msg[VC_ERROR_MESSAGE_MAX], pb[VC_ERROR_PATH_MAX], q[URL_QUOTE_MAX + 4];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (hc->hop == 0)
        return vc_fail(err, code, url_path(hc->orig, pb), "%s", msg);
    return vc_fail(err, code, url_path(hc->orig, pb), "%s (after redirect %u to %s)", msg, hc->hop,
                   quote_url(hc->cur, q));
}

static vc_status map_curl_error(vc_fetcher *f, CURLcode rc, const req *r, const char *errbuf, const char *host,
                                const hop_ctx *hc, vc_error *err)
{
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (r->refused) {
        count(f, &f->stats.refused);
        if (hc->hop > 0)
            return hop_fail(err, VC_ERR_NET_REDIRECT, hc,
                            "redirect refused: %.64s resolves to %s, a %s address (SSRF protection)", host,
                            r->refused_addr, vc_net_class_name(r->refused_class));
        return hop_fail(err, VC_ERR_NET_ADDRESS, hc,
                        "%.64s resolves to %s, a %s address: refused (SSRF protection; allow it only for tests or "
                        "private deployments with VC_FETCH_ALLOW_%s)",
                        host, r->refused_addr, vc_net_class_name(r->refused_class),
                        r->refused_class == VC_ADDR_LOOPBACK ? "LOOPBACK" : "PRIVATE");
    }
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return hop_fail(err, VC_ERR_NET_TIMEOUT, hc, "timed out (connect limit %u ms, total %u ms): %.100s",
                        f->connect_ms, f->total_ms, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
        return hop_fail(err, VC_ERR_NET_TLS, hc,
                        "TLS with %.64s failed: %.120s (the certificate must be valid for the host and chain to a "
                        "trusted CA)",
                        host, detail);
    case CURLE_COULDNT_RESOLVE_HOST:
        return hop_fail(err, VC_ERR_NET, hc, "cannot resolve the host %.64s: %.100s", host, detail);
    case CURLE_COULDNT_CONNECT:
        return hop_fail(err, VC_ERR_NET, hc, "cannot connect to %.64s: %.100s", host, detail);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return hop_fail(err, VC_ERR_NET_SCHEME, hc, "the scheme is not allowed: %.100s", detail);
    case CURLE_OUT_OF_MEMORY:
        return hop_fail(err, VC_ERR_NOMEM, hc, "out of memory");
    case CURLE_WRITE_ERROR:
        return hop_fail(err, VC_ERR_NOMEM, hc, "out of memory while receiving the response");
    default:
        return hop_fail(err, VC_ERR_NET, hc, "the request failed: %.140s", detail);
    }
}

/*
 * One GET of cur (no redirect following). On success out->status is 200 (body
 * set), 304, or a redirect status with *location set (new).
 */
static vc_status one_request(vc_fetcher *f, const url_info *ui, const char *accept_hdr, const char *inm,
                             const char *ims, int64_t remaining_ms, const hop_ctx *hc, resp *out, char **location,
                             vc_error *err)
{
    memset(out, 0, sizeof *out);
    *location = NULL;
    req r;
    memset(&r, 0, sizeof r);
    r.f = f;
    r.http = !ui->https;
    r.max = f->max_bytes;
    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';
    struct curl_slist *headers = NULL, *nh;
    char line[1200];
    vc_status st = VC_OK;

    CURL *h = curl_easy_init();
    if (!h)
        return hop_fail(err, VC_ERR_NOMEM, hc, "cannot create a libcurl handle");
    r.h = h;
    snprintf(line, sizeof line, "Accept: %s", accept_hdr);
    if (!(nh = curl_slist_append(headers, line)))
        goto nomem;
    headers = nh;
    if (inm && strlen(inm) < 1000) {
        snprintf(line, sizeof line, "If-None-Match: %s", inm);
        if (!(nh = curl_slist_append(headers, line)))
            goto nomem;
        headers = nh;
    }
    if (ims && strlen(ims) < 200) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", ims);
        if (!(nh = curl_slist_append(headers, line)))
            goto nomem;
        headers = nh;
    }
    long connect_ms = (long)f->connect_ms < remaining_ms ? (long)f->connect_ms : (long)remaining_ms;
    const char *proto = ui->https ? "https" : "http";
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                                                \
    do {                                                                                                             \
        if (rc == CURLE_OK)                                                                                          \
            rc = curl_easy_setopt(h, opt, val);                                                                      \
    } while (0)
    SET(CURLOPT_URL, ui->norm);
    SET(CURLOPT_PROTOCOLS_STR, proto);
    SET(CURLOPT_REDIR_PROTOCOLS_STR, proto);
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_PROXY, ""); /* never a proxy, not even from the environment */
    SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (ui->https) {
        X509_STORE *store = trust_store(f);
        if (!store)
            goto nomem;
        /* libcurl loads no CA file itself: the callback installs the shared store */
        SET(CURLOPT_CAINFO, (char *)NULL);
        SET(CURLOPT_CAPATH, (char *)NULL);
        SET(CURLOPT_CA_CACHE_TIMEOUT, 0L);
        SET(CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
        SET(CURLOPT_SSL_CTX_DATA, (void *)store);
    }
    SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    SET(CURLOPT_TIMEOUT_MS, (long)remaining_ms);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_bytes);
    SET(CURLOPT_WRITEFUNCTION, on_write);
    SET(CURLOPT_WRITEDATA, &r);
    SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
    SET(CURLOPT_OPENSOCKETDATA, &r);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_HTTPHEADER, headers);
    SET(CURLOPT_USERAGENT, USER_AGENT);
    SET(CURLOPT_HTTPGET, 1L);
    if (f->connect_to)
        SET(CURLOPT_CONNECT_TO, f->connect_to); /* the address is still checked in open_socket */
#undef SET
    if (rc != CURLE_OK) {
        st = hop_fail(err, VC_ERR_NET, hc, "libcurl refused an option: %s", curl_easy_strerror(rc));
        goto done;
    }

    count(f, &f->stats.requests);
    rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK) {
        int status_known =
            (rc == CURLE_WRITE_ERROR && r.not_ok) || (rc == CURLE_FILESIZE_EXCEEDED && code != 200 && code != 0);
        if (r.too_big || (rc == CURLE_FILESIZE_EXCEEDED && code == 200)) {
            st = hop_fail(err, VC_ERR_NET_SIZE, hc,
                          "the response is larger than the %zu-byte limit; the transfer was stopped", f->max_bytes);
            goto done;
        }
        if (!status_known) {
            st = map_curl_error(f, rc, &r, errbuf, ui->host, hc, err);
            goto done;
        }
    }
    out->status = code;
    if (code == 200) {
        char *ct = NULL;
        curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
        out->content_type = ct && !has_ctl(ct) ? vc_strdup(ct) : NULL;
        if (ct && !out->content_type && !has_ctl(ct))
            goto nomem;
        read_cache_headers(h, out);
        if (!r.buf && !(r.buf = calloc(1, 1)))
            goto nomem;
        out->body = r.buf;
        out->len = r.len;
        r.buf = NULL;
    } else if (code == 304 && (inm || ims)) {
        read_cache_headers(h, out);
    } else if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
        char *loc = NULL;
        curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
        if (!loc || !*loc) {
            st = hop_fail(err, VC_ERR_NET_HTTP, hc,
                          "the server answered HTTP %ld (a redirect) without a usable Location", code);
            goto done;
        }
        if (!(*location = vc_strdup(loc)))
            goto nomem;
    } else {
        if (hc->http_status)
            *hc->http_status = code;
        st = hop_fail(err, VC_ERR_NET_HTTP, hc, "the server answered HTTP %ld%s; expected 200", code,
                      code == 404 ? " (Not Found)" : code == 304 ? " (Not Modified, to an unconditional request)" : "");
        goto done;
    }
    goto done;
nomem:
    st = hop_fail(err, VC_ERR_NOMEM, hc, "out of memory");
done:
    if (st != VC_OK)
        resp_clear(out);
    free(r.buf);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    return st;
}

/* GET with redirects followed by hand, each hop checked like the first URL. */
static vc_status fetch_network(vc_fetcher *f, const url_info *first, const char *orig, const char *accept_hdr,
                               const char *inm, const char *ims, resp *out, long *http_status, vc_error *err)
{
    char q[URL_QUOTE_MAX + 4], why[200];
    int64_t deadline = vc_net_now_ms() + f->total_ms;
    url_info cur = *first; /* borrowed for hop 0 */
    url_info owned;
    memset(&owned, 0, sizeof owned);
    vc_status st = VC_OK;
    for (unsigned hop = 0;; hop++) {
        hop_ctx hc = {orig, cur.norm, hop, http_status};
        int64_t remaining = deadline - vc_net_now_ms();
        if (remaining <= 0) {
            st = hop_fail(err, VC_ERR_NET_TIMEOUT, &hc, "the %u ms total timeout passed while following redirects",
                          f->total_ms);
            break;
        }
        char *location = NULL;
        st = one_request(f, &cur, accept_hdr, inm, ims, remaining, &hc, out, &location, err);
        if (st != VC_OK)
            break;
        if (!location)
            break; /* 200 or 304 */
        if (hop >= f->max_redirects) {
            st = hop_fail(err, VC_ERR_NET_REDIRECT, &hc, "more than %u redirects (the last one to %s)",
                          f->max_redirects, quote_url(location, q));
            free(location);
            break;
        }
        url_info next;
        vc_status cs = check_url(f, location, &next, why, sizeof why);
        if (cs == VC_OK && !next.https && cur.https) {
            url_info_clear(&next);
            snprintf(why, sizeof why, "a redirect may not go from https to plain http");
            cs = VC_ERR_NET_SCHEME;
        }
        if (cs != VC_OK) {
            if (cs == VC_ERR_NET_SCHEME || cs == VC_ERR_NET_ADDRESS)
                count(f, &f->stats.refused);
            st = cs == VC_ERR_NOMEM ? cs : VC_ERR_NET_REDIRECT;
            hop_fail(err, st, &hc, "redirect %u to %s refused: %s", hop + 1, quote_url(location, q), why);
            free(location);
            break;
        }
        free(location);
        resp_clear(out);
        url_info_clear(&owned);
        owned = next;
        cur = owned;
    }
    url_info_clear(&owned);
    return st;
}

/* ------------------------------------------------------------------ configuration */

vc_status vc_fetcher_new(vc_fetcher **out, vc_error *err)
{
    if (!out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_fetcher_new: NULL argument");
    *out = NULL;
    pthread_once(&net_once, net_init);
    if (net_init_status != VC_OK)
        return vc_fail(err, net_init_status, NULL, "%s", net_init_message);
    vc_fetcher *f = calloc(1, sizeof *f);
    if (!f)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    vc_status st = vc_net_cache_new(&f->cache, err);
    if (st != VC_OK) {
        free(f);
        return st;
    }
    if (pthread_mutex_init(&f->lock, NULL) != 0) {
        vc_net_cache_free(f->cache);
        free(f);
        return vc_fail(err, VC_ERR_INTERNAL, NULL, "cannot create the fetcher's lock");
    }
    if (pthread_mutex_init(&f->store_lock, NULL) != 0) {
        pthread_mutex_destroy(&f->lock);
        vc_net_cache_free(f->cache);
        free(f);
        return vc_fail(err, VC_ERR_INTERNAL, NULL, "cannot create the fetcher's lock");
    }
    if (pthread_cond_init(&f->done, NULL) != 0) {
        pthread_mutex_destroy(&f->store_lock);
        pthread_mutex_destroy(&f->lock);
        vc_net_cache_free(f->cache);
        free(f);
        return vc_fail(err, VC_ERR_INTERNAL, NULL, "cannot create the fetcher's condition variable");
    }
    f->connect_ms = VC_FETCH_DEFAULT_CONNECT_TIMEOUT_MS;
    f->total_ms = VC_FETCH_DEFAULT_TIMEOUT_MS;
    f->max_bytes = VC_FETCH_DEFAULT_MAX_BYTES;
    f->max_redirects = VC_FETCH_DEFAULT_MAX_REDIRECTS;
    /* Is libcurl's default trust store there? (If not, only added CAs are used.) */
    CURL *h = curl_easy_init();
    if (h) {
        char *cainfo = NULL, *capath = NULL;
        curl_easy_getinfo(h, CURLINFO_CAINFO, &cainfo);
        curl_easy_getinfo(h, CURLINFO_CAPATH, &capath);
        f->sys_cafile = cainfo ? vc_strdup(cainfo) : NULL;
        f->sys_capath = capath ? vc_strdup(capath) : NULL;
        curl_easy_cleanup(h);
    }
    *out = f;
    return VC_OK;
}

void vc_fetcher_free(vc_fetcher *f)
{
    if (!f)
        return;
    while (f->statics) {
        static_doc *s = f->statics;
        f->statics = s->next;
        free(s->url);
        free(s->body);
        free(s->content_type);
        free(s);
    }
    curl_slist_free_all(f->connect_to);
    if (f->cas)
        sk_X509_pop_free(f->cas, X509_free);
    X509_STORE_free(f->store);
    free(f->sys_cafile);
    free(f->sys_capath);
    pthread_mutex_destroy(&f->store_lock);
    vc_net_cache_free(f->cache);
    pthread_cond_destroy(&f->done);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

vc_status vc_fetcher_set_flags(vc_fetcher *f, unsigned flags, vc_error *err)
{
    const unsigned known =
        VC_FETCH_OFFLINE | VC_FETCH_ALLOW_LOOPBACK | VC_FETCH_ALLOW_PRIVATE | VC_FETCH_ALLOW_HTTP_LOOPBACK;
    if (!f)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_fetcher_set_flags: NULL fetcher");
    if (flags & ~known)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "unknown fetcher flags 0x%x", flags & ~known);
    f->flags = flags;
    return VC_OK;
}

/*
 * One "host" or "[v6]" then ':' (or the end for the last part) of a connect-to
 * mapping. Host names: letters, digits, '-', '.', '_'; IPv6 literals in brackets.
 */
static int connect_to_host(const char **p, int allow_empty)
{
    const char *s = *p;
    size_t n = 0;
    if (*s == '[') {
        n = 1;
        while (s[n] && (s[n] == ':' || s[n] == '.' || (s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f') ||
                        (s[n] >= 'A' && s[n] <= 'F')))
            n++;
        if (s[n] != ']' || n < 3)
            return 0;
        n++;
    } else {
        while (s[n] && (s[n] == '-' || s[n] == '.' || s[n] == '_' || (s[n] >= '0' && s[n] <= '9') ||
                        (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z')))
            n++;
        if (n == 0 && !allow_empty)
            return 0;
    }
    if (n > 253 + 2)
        return 0;
    *p = s + n;
    return 1;
}

static int connect_to_port(const char **p)
{
    const char *s = *p;
    unsigned long v = 0;
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9' && n < 6)
        v = v * 10 + (unsigned long)(s[n++] - '0');
    if (n == 0 || n > 5 || v == 0 || v > 65535)
        return 0;
    *p = s + n;
    return 1;
}

vc_status vc_fetcher_add_connect_to(vc_fetcher *f, const char *mapping, vc_error *err)
{
    if (!f || !mapping)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_fetcher_add_connect_to: NULL argument");
    if (f->n_connect_to >= VC_FETCH_MAX_CONNECT_TO)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "at most %u connect-to mappings", VC_FETCH_MAX_CONNECT_TO);
    const char *p = mapping;
    if (strlen(mapping) > 600 || !connect_to_host(&p, 0) || *p++ != ':' || !connect_to_port(&p) || *p++ != ':' ||
        !connect_to_host(&p, 0) || *p++ != ':' || !connect_to_port(&p) || *p != '\0')
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL,
                       "connect-to mapping '%.100s' is not HOST:PORT:CONNECT-HOST:CONNECT-PORT "
                       "(host names or [IPv6] literals, ports 1-65535)",
                       mapping);
    struct curl_slist *nl = curl_slist_append(f->connect_to, mapping);
    if (!nl)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    f->connect_to = nl;
    f->n_connect_to++;
    return VC_OK;
}

vc_status vc_fetcher_set_timeouts(vc_fetcher *f, unsigned connect_ms, unsigned total_ms, vc_error *err)
{
    if (!f)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_fetcher_set_timeouts: NULL fetcher");
    unsigned c = connect_ms ? connect_ms : f->connect_ms, t = total_ms ? total_ms : f->total_ms;
    if (c > t)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "the connect timeout (%u ms) is longer than the total (%u ms)", c,
                       t);
    if (t > 600000u)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "a total timeout above 10 minutes (%u ms) is refused", t);
    f->connect_ms = c;
    f->total_ms = t;
    return VC_OK;
}

vc_status vc_fetcher_set_limits(vc_fetcher *f, size_t max_bytes, unsigned max_redirects, vc_error *err)
{
    if (!f)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_fetcher_set_limits: NULL fetcher");
    if (max_bytes == 0 || max_bytes > MAX_BODY_LIMIT)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "the response size limit must be 1 to %u bytes",
                       MAX_BODY_LIMIT);
    if (max_redirects > VC_FETCH_MAX_REDIRECTS_LIMIT)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "at most %u redirects may be allowed",
                       VC_FETCH_MAX_REDIRECTS_LIMIT);
    f->max_bytes = max_bytes;
    f->max_redirects = max_redirects;
    return VC_OK;
}

vc_status vc_fetcher_add_ca_file(vc_fetcher *f, const char *pem_path, vc_error *err)
{
    if (!f || !pem_path)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_fetcher_add_ca_file: NULL argument");
    BIO *bio = BIO_new_file(pem_path, "r");
    if (!bio)
        return vc_fail(err, VC_ERR_IO, pem_path, "cannot open the CA file: %s", strerror(errno));
    STACK_OF(X509) *got = sk_X509_new_null();
    X509 *x;
    while (got && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
        if (!sk_X509_push(got, x)) {
            X509_free(x);
            break;
        }
    ERR_clear_error();
    BIO_free(bio);
    if (!got)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    if (sk_X509_num(got) == 0) {
        sk_X509_free(got);
        return vc_fail(err, VC_ERR_NET_TLS, pem_path, "the CA file holds no PEM certificate");
    }
    if (!f->cas && !(f->cas = sk_X509_new_null())) {
        sk_X509_pop_free(got, X509_free);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    while (sk_X509_num(got) > 0) {
        x = sk_X509_shift(got);
        if (!sk_X509_push(f->cas, x)) {
            X509_free(x);
            sk_X509_pop_free(got, X509_free);
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        }
        pthread_mutex_lock(&f->store_lock);
        if (f->store) /* already in use: trust it there too */
            X509_STORE_add_cert(f->store, x);
        pthread_mutex_unlock(&f->store_lock);
    }
    sk_X509_free(got);
    return VC_OK;
}

vc_status vc_fetcher_set_cache_limits(vc_fetcher *f, size_t max_entries, size_t max_bytes, vc_error *err)
{
    if (!f)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_fetcher_set_cache_limits: NULL fetcher");
    vc_net_cache_set_limits(f->cache, max_entries, max_bytes);
    return VC_OK;
}

vc_status vc_fetcher_set_cache_dir(vc_fetcher *f, const char *dir, vc_error *err)
{
    if (!f || !dir)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_fetcher_set_cache_dir: NULL argument");
    return vc_net_cache_set_dir(f->cache, dir, err);
}

static const static_doc *find_static(const vc_fetcher *f, const char *url)
{
    for (const static_doc *s = f->statics; s; s = s->next)
        if (strcmp(s->url, url) == 0)
            return s;
    return NULL;
}

vc_status vc_fetcher_add_static(vc_fetcher *f, const char *url, const char *body, size_t len,
                                const char *content_type, vc_error *err)
{
    if (!f || !url || (!body && len) || !content_type)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_fetcher_add_static: NULL argument");
    char why[200], pb[VC_ERROR_PATH_MAX], type[MAX_MEDIA_TYPE + 1];
    url_info ui;
    vc_status st = check_url(f, url, &ui, why, sizeof why);
    if (st != VC_OK)
        return vc_fail(err, st, url_path(url, pb), "this URL cannot be supplied: %s", why);
    if (!vc_net_media_type(content_type, type, sizeof type) || !valid_media_type(type) || has_ctl(content_type)) {
        url_info_clear(&ui);
        return vc_fail(err, VC_ERR_INVALID_ARG, url_path(url, pb), "\"%.60s\" is not a media type", content_type);
    }
    if (len > f->max_bytes) {
        url_info_clear(&ui);
        return vc_fail(err, VC_ERR_NET_SIZE, url_path(url, pb), "the document is larger than the %zu-byte limit",
                       f->max_bytes);
    }
    if (find_static(f, ui.norm)) {
        url_info_clear(&ui);
        return vc_fail(err, VC_ERR_INVALID_ARG, url_path(url, pb), "a document for this URL was already supplied");
    }
    if (f->n_statics >= VC_FETCH_MAX_STATIC) {
        url_info_clear(&ui);
        return vc_fail(err, VC_ERR_LIMIT, url_path(url, pb), "more than %u supplied documents", VC_FETCH_MAX_STATIC);
    }
    static_doc *s = calloc(1, sizeof *s);
    if (s) {
        s->url = vc_strdup(ui.norm);
        s->body = malloc(len + 1);
        s->content_type = vc_strdup(content_type);
    }
    url_info_clear(&ui);
    if (!s || !s->url || !s->body || !s->content_type) {
        if (s) {
            free(s->url);
            free(s->body);
            free(s->content_type);
            free(s);
        }
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    if (len)
        memcpy(s->body, body, len);
    s->body[len] = '\0';
    s->len = len;
    s->next = f->statics;
    f->statics = s;
    f->n_statics++;
    return VC_OK;
}

void vc_fetcher_get_stats(const vc_fetcher *f, vc_fetcher_stats *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!f)
        return;
    vc_fetcher *m = (vc_fetcher *)f; /* the lock is not part of the observable state */
    pthread_mutex_lock(&m->lock);
    *out = f->stats;
    pthread_mutex_unlock(&m->lock);
}

void vc_fetcher_clear_cache(vc_fetcher *f)
{
    if (f)
        vc_net_cache_clear(f->cache);
}

/* ------------------------------------------------------------------ get */

/* Hand an entry's body (and type) to the caller after the content-type check. */
static vc_status deliver(const char *url, vc_net_entry *e, const accept_list *al, char **body, size_t *len,
                         char **content_type, vc_error *err)
{
    vc_status st = check_content_type(url, e->content_type, al, err);
    if (st != VC_OK)
        return st;
    if (content_type) {
        char type[MAX_MEDIA_TYPE + 1];
        if (!vc_net_media_type(e->content_type, type, sizeof type))
            type[0] = '\0';
        if (!(*content_type = vc_strdup(type)))
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    *body = e->body;
    e->body = NULL;
    if (len)
        *len = e->len;
    return VC_OK;
}

/* Wait while another thread fetches url, then register this one. Returns 1 when
 * registered (call inflight_leave), 0 when memory ran out (no coalescing then). */
static int inflight_enter(vc_fetcher *f, const char *url, int *waited)
{
    *waited = 0;
    int registered = 0;
    inflight *me = calloc(1, sizeof *me);
    char *copy = vc_strdup(url);
    pthread_mutex_lock(&f->lock);
    for (;;) {
        inflight *i = f->inflight;
        while (i && strcmp(i->url, url) != 0)
            i = i->next;
        if (!i)
            break;
        *waited = 1;
        pthread_cond_wait(&f->done, &f->lock);
    }
    if (me && copy) { /* out of memory: no coalescing for this request, nothing worse */
        me->url = copy;
        me->next = f->inflight;
        f->inflight = me;
        me = NULL;
        copy = NULL;
        registered = 1;
    }
    pthread_mutex_unlock(&f->lock);
    free(me);
    free(copy);
    return registered;
}

static void inflight_leave(vc_fetcher *f, const char *url)
{
    pthread_mutex_lock(&f->lock);
    for (inflight **pp = &f->inflight; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->url, url) == 0) {
            inflight *i = *pp;
            *pp = i->next;
            free(i->url);
            free(i);
            break;
        }
    }
    pthread_cond_broadcast(&f->done);
    pthread_mutex_unlock(&f->lock);
}

vc_status vc_fetcher_get(vc_fetcher *f, const char *url, const char *accept, unsigned flags, char **body,
                         size_t *len, char **content_type, vc_error *err)
{
    return vc_net_get(f, url, accept, flags, body, len, content_type, NULL, err);
}

vc_status vc_net_get(vc_fetcher *f, const char *url, const char *accept, unsigned flags, char **body, size_t *len,
                     char **content_type, long *http_status, vc_error *err)
{
    if (http_status)
        *http_status = 0;
    if (body)
        *body = NULL;
    if (len)
        *len = 0;
    if (content_type)
        *content_type = NULL;
    if (!f || !url || !accept || !body)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "vc_fetcher_get: NULL argument");
    if (flags & ~(VC_FETCH_REVALIDATE | VC_FETCH_NO_CACHE))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "unknown request flags 0x%x",
                       flags & ~(VC_FETCH_REVALIDATE | VC_FETCH_NO_CACHE));
    char pb[VC_ERROR_PATH_MAX], why[200];
    accept_list al;
    vc_status st = parse_accept(accept, &al, err);
    if (st != VC_OK)
        return st;
    url_info ui;
    if ((st = check_url(f, url, &ui, why, sizeof why)) != VC_OK) {
        if (st == VC_ERR_NET_SCHEME || st == VC_ERR_NET_ADDRESS)
            count(f, &f->stats.refused);
        return vc_fail(err, st, url_path(url, pb), "refused to fetch: %s", why);
    }

    /* 1. documents supplied by the caller */
    const static_doc *sd = find_static(f, ui.norm);
    if (sd) {
        url_info_clear(&ui);
        count(f, &f->stats.static_hits);
        vc_net_entry e = {.body = malloc(sd->len + 1), .len = sd->len, .content_type = sd->content_type};
        if (!e.body)
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        memcpy(e.body, sd->body, sd->len + 1);
        st = deliver(url, &e, &al, body, len, content_type, err);
        free(e.body);
        return st;
    }

    /* 2. the cache */
    int use_cache = !(flags & VC_FETCH_NO_CACHE);
    vc_net_entry e;
    memset(&e, 0, sizeof e);
    int have = use_cache && vc_net_cache_get(f->cache, ui.norm, &e);
    int64_t now = (int64_t)time(NULL);
    if (f->flags & VC_FETCH_OFFLINE) {
        if (have) {
            count(f, e.fresh_until > now ? &f->stats.cache_hits : &f->stats.offline_hits);
            st = deliver(url, &e, &al, body, len, content_type, err);
        } else {
            st = vc_fail(err, VC_ERR_NET_OFFLINE, url_path(url, pb),
                         "offline mode: this URL is neither cached nor supplied (supply the document, or fetch it "
                         "once online)");
        }
        vc_net_entry_clear(&e);
        url_info_clear(&ui);
        return st;
    }
    if (have && !(flags & VC_FETCH_REVALIDATE) && e.fresh_until > now) {
        count(f, &f->stats.cache_hits);
        st = deliver(url, &e, &al, body, len, content_type, err);
        vc_net_entry_clear(&e);
        url_info_clear(&ui);
        return st;
    }

    /* 3. the network; one request per URL at a time */
    int registered = 0;
    if (use_cache) {
        int waited = 0;
        registered = inflight_enter(f, ui.norm, &waited);
        if (waited) { /* another thread just fetched it: a response stored since we started will do */
            vc_net_entry_clear(&e);
            have = vc_net_cache_get(f->cache, ui.norm, &e);
            if (have && (e.stored >= now || (!(flags & VC_FETCH_REVALIDATE) && e.fresh_until > (int64_t)time(NULL)))) {
                if (registered)
                    inflight_leave(f, ui.norm);
                count(f, &f->stats.cache_hits);
                st = deliver(url, &e, &al, body, len, content_type, err);
                vc_net_entry_clear(&e);
                url_info_clear(&ui);
                return st;
            }
        }
    }
    resp r;
    memset(&r, 0, sizeof r);
    st = fetch_network(f, &ui, url, accept, have ? e.etag : NULL, have ? e.last_modified : NULL, &r, http_status,
                       err);
    if (st == VC_OK && r.status == 304) {
        vc_net_entry fresh;
        if (vc_net_cache_refresh(f->cache, ui.norm, r.etag, r.last_modified, r.fresh_until, &fresh)) {
            count(f, &f->stats.revalidated);
            vc_net_entry_clear(&e);
            e = fresh;
        } else { /* the entry went away meanwhile: ask again, unconditionally */
            resp_clear(&r);
            st = fetch_network(f, &ui, url, accept, NULL, NULL, &r, http_status, err);
        }
    }
    if (st == VC_OK && r.status == 200) {
        vc_net_entry_clear(&e);
        e.body = r.body;
        e.len = r.len;
        e.content_type = r.content_type;
        e.etag = r.etag;
        e.last_modified = r.last_modified;
        e.stored = (int64_t)time(NULL);
        e.fresh_until = r.fresh_until;
        r.body = r.content_type = r.etag = r.last_modified = NULL;
        if (use_cache) {
            if (r.ci.no_store)
                vc_net_cache_remove(f->cache, ui.norm);
            else
                vc_net_cache_put(f->cache, ui.norm, &e);
        }
    }
    if (registered)
        inflight_leave(f, ui.norm);
    if (st == VC_OK)
        st = deliver(url, &e, &al, body, len, content_type, err);
    resp_clear(&r);
    vc_net_entry_clear(&e);
    url_info_clear(&ui);
    return st;
}
