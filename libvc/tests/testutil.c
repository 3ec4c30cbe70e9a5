#include "testutil.h"

#include <vc/vc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static char pathbuf[8][4096];
static int pathidx;

static const char *join(const char *base, const char *rel)
{
    char *b = pathbuf[pathidx++ % 8];
    snprintf(b, 4096, "%s/%s", base, rel);
    return b;
}

const char *tu_shared_path(const char *rel)
{
    return join(env_or("VC_SHARED_DIR", "../shared"), rel);
}

const char *tu_source_path(const char *rel)
{
    return join(env_or("VC_SOURCE_DIR", "."), rel);
}

char *tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

json_t *tu_load_json(const char *path)
{
    json_error_t e;
    json_t *v = json_load_file(path, 0, &e);
    ck_assert_msg(v != NULL, "cannot parse %s: %s", path, e.text);
    return v;
}

unsigned char *tu_hex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    unsigned char *o = malloc(n + 1);
    ck_assert_ptr_nonnull(o);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        ck_assert(sscanf(hex + 2 * i, "%2x", &v) == 1);
        o[i] = (unsigned char)v;
    }
    *len = n;
    return o;
}

int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

char *tu_forge_jws(const vc_key *key, const char *header, const char *payload)
{
    char *h = NULL, *p = NULL, *s = NULL;
    ck_assert_int_eq(vc_base64url_encode((const uint8_t *)header, strlen(header), &h, NULL), VC_OK);
    ck_assert_int_eq(vc_base64url_encode((const uint8_t *)payload, strlen(payload), &p, NULL), VC_OK);
    size_t n = strlen(h) + strlen(p) + 2;
    char *input = malloc(n);
    ck_assert_ptr_nonnull(input);
    snprintf(input, n, "%s.%s", h, p);
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    if (key) {
        ck_assert_int_eq(
            vc_key_sign(key, vc_key_jose_alg(key), (const uint8_t *)input, strlen(input), &sig, &sig_len, NULL),
            VC_OK);
    } else {
        sig = (uint8_t *)strdup("AAAA");
        sig_len = 4;
    }
    ck_assert_int_eq(vc_base64url_encode(sig, sig_len, &s, NULL), VC_OK);
    size_t m = strlen(input) + strlen(s) + 2;
    char *out = malloc(m);
    ck_assert_ptr_nonnull(out);
    snprintf(out, m, "%s.%s", input, s);
    free(h);
    free(p);
    free(s);
    free(sig);
    free(input);
    return out;
}
