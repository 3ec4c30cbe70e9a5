#include "testutil.h"

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
