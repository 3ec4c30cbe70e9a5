/*
 * test_data.c - the data registry (data.c): every manifest entry loads and
 * matches its pinned SHA-256, the shipped copies are byte-identical to the
 * reference files in ../shared, corrupted or missing files are refused with the
 * right code, lookups, caller contexts, concurrent loading.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/data_internal.h"
#include "vc/vocab.h"
#include "testutil.h"

/* ------------------------------------------------------------ helpers */

static vc_data *open_default(void)
{
    vc_data *d = NULL;
    vc_error e;
    tu_assert_status(vc_data_open(NULL, &d, &e), VC_OK, &e);
    return d;
}

/* The file's path relative to the data directory ("vocab/untp/v0.6.1/dpp/context.jsonld"). */
static const char *rel_of(const vc_data *d, const char *path)
{
    size_t n = strlen(vc_data_dir(d));
    ck_assert(strncmp(path, vc_data_dir(d), n) == 0 && path[n] == '/');
    return path + n + 1;
}

/* Where the reference copy of a shipped file lives under ../shared. */
static const char *shared_copy(const char *rel)
{
    static char buf[1024];
    if (strncmp(rel, "vocab/untp/", 11) == 0 || strncmp(rel, "schemas/untp/", 13) == 0) {
        snprintf(buf, sizeof buf, "untp/%s", strchr(rel, '/') + 1 + 5);
    } else if (strncmp(rel, "vocab/w3c/", 10) == 0) {
        snprintf(buf, sizeof buf, "vectors/w3c-contexts-and-schemas/contexts/%s", rel + 10);
    } else if (strcmp(rel, "schemas/w3c/verifiable-credential-schema.json") == 0) {
        snprintf(buf, sizeof buf, "untp/w3c/verifiable-credential-schema.json");
    } else if (strcmp(rel, "schemas/w3c/verifiable-presentation-schema.json") == 0) {
        snprintf(buf, sizeof buf,
                 "vectors/w3c-contexts-and-schemas/vcdm-json-schema/verifiable-presentation/"
                 "verifiable-presentation-schema.json");
    } else {
        return NULL;
    }
    return tu_shared_path(buf);
}

static int copy_file(const char *from, const char *to)
{
    size_t n;
    char *b = tu_read(from, &n);
    FILE *f = fopen(to, "wb");
    int ok = f && fwrite(b, 1, n, f) == n;
    if (f)
        ok = (fclose(f) == 0) && ok;
    free(b);
    return ok ? 0 : -1;
}

static int copy_tree(const char *from, const char *to)
{
    if (mkdir(to, 0700) != 0 && errno != EEXIST)
        return -1;
    DIR *dir = opendir(from);
    if (!dir)
        return -1;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(dir))) {
        if (de->d_name[0] == '.')
            continue;
        char a[2048], b[2048];
        snprintf(a, sizeof a, "%s/%s", from, de->d_name);
        snprintf(b, sizeof b, "%s/%s", to, de->d_name);
        struct stat st;
        if (stat(a, &st) != 0)
            rc = -1;
        else if (S_ISDIR(st.st_mode))
            rc = copy_tree(a, b);
        else if (S_ISREG(st.st_mode))
            rc = copy_file(a, b);
    }
    closedir(dir);
    return rc;
}

static void remove_tree(const char *path)
{
    DIR *dir = opendir(path);
    if (dir) {
        struct dirent *de;
        while ((de = readdir(dir))) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char p[2048];
            snprintf(p, sizeof p, "%s/%s", path, de->d_name);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(p);
            else
                unlink(p);
        }
        closedir(dir);
    }
    rmdir(path);
}

/* A private copy of the data directory (vocab/ and schemas/ of the source tree). */
static char *temp_data_dir(void)
{
    char *tmp = strdup("/tmp/vc-data-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    char to[2048];
    snprintf(to, sizeof to, "%s/vocab", tmp);
    ck_assert_int_eq(copy_tree(tu_source_path("vocab"), to), 0);
    snprintf(to, sizeof to, "%s/schemas", tmp);
    ck_assert_int_eq(copy_tree(tu_source_path("schemas"), to), 0);
    return tmp;
}

/* ------------------------------------------------------------ tests */

START_TEST(every_entry_loads_and_matches_its_pin)
{
    vc_data *d = open_default();
    size_t n = vc_data_count(d), contexts = 0, schemas = 0, untp = 0, identical = 0;
    ck_assert_uint_ge(n, 30);
    for (size_t i = 0; i < n; i++) {
        vc_data_info info;
        vc_error e;
        tu_assert_status(vc_data_get_info(d, i, &info, &e), VC_OK, &e);
        const char *bytes = NULL;
        size_t len = 0;
        tu_assert_status(vc_data_read(d, i, &bytes, &len, &e), VC_OK, &e);
        char hex[65];
        ck_assert_int_eq(vc_data_sha256_hex(bytes, len, hex), 0);
        ck_assert_str_eq(hex, info.sha256);
        const json_t *doc = NULL;
        tu_assert_status(vc_data_json(d, i, &doc, &e), VC_OK, &e);
        ck_assert_ptr_nonnull(doc);
        if (info.kind == VC_DATA_CONTEXT) {
            contexts++;
            ck_assert_ptr_nonnull(json_object_get(doc, "@context"));
        } else {
            schemas++;
            ck_assert_str_eq(json_string_value(json_object_get(doc, "$schema")),
                             "https://json-schema.org/draft/2020-12/schema");
            const char *id = json_string_value(json_object_get(doc, "$id"));
            if (id) /* a schema's $id is its manifest URL */
                ck_assert_str_eq(id, info.url);
            ck_assert_ptr_nonnull(info.credential_type);
        }
        if (info.family && strcmp(info.family, "untp") == 0) {
            untp++;
            ck_assert_ptr_nonnull(info.untp_type);
            ck_assert_ptr_nonnull(info.version);
        }
        /* the shipped file is the reference file, byte for byte */
        const char *rel = rel_of(d, info.path);
        const char *ref = shared_copy(rel);
        ck_assert_msg(ref != NULL, "%s has no reference copy in ../shared", rel);
        size_t rlen;
        char *rbytes = tu_read(ref, &rlen);
        ck_assert_msg(rlen == len && memcmp(rbytes, bytes, len) == 0, "%s differs from %s", rel, ref);
        free(rbytes);
        identical++;
        /* a second read returns the same loaded bytes */
        const char *again;
        tu_assert_status(vc_data_read(d, i, &again, NULL, &e), VC_OK, &e);
        ck_assert_ptr_eq(again, bytes);
    }
    printf("data: %zu files (%zu contexts, %zu schemas, %zu UNTP), all SHA-256 pins match, %zu byte-identical "
           "to ../shared\n",
           n, contexts, schemas, untp, identical);
    ck_assert_uint_eq(identical, n);
    vc_error e;
    tu_assert_status(vc_data_verify(d, &e), VC_OK, &e);
    vc_data_free(d);
}
END_TEST

START_TEST(the_v2_context_is_the_reference_one)
{
    vc_data *d = open_default();
    size_t i;
    vc_error e;
    tu_assert_status(vc_data_lookup(d, VC_DATA_CONTEXT, "https://www.w3.org/ns/credentials/v2", &i, &e), VC_OK, &e);
    const char *bytes;
    size_t len, rlen;
    tu_assert_status(vc_data_read(d, i, &bytes, &len, &e), VC_OK, &e);
    char *ref = tu_read(tu_shared_path("untp/w3c/credentials-v2.jsonld"), &rlen);
    ck_assert(rlen == len && memcmp(ref, bytes, len) == 0);
    free(ref);
    vc_data_info info;
    tu_assert_status(vc_data_get_info(d, i, &info, &e), VC_OK, &e);
    ck_assert_str_eq(info.sha256, "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734");
    vc_data_free(d);
}
END_TEST

/* Every UNTP file on disk is in a manifest (nothing shipped unpinned). */
static void all_listed(vc_data *d, const char *dir, size_t *count)
{
    DIR *dh = opendir(dir);
    ck_assert_ptr_nonnull(dh);
    struct dirent *de;
    while ((de = readdir(dh))) {
        if (de->d_name[0] == '.')
            continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        ck_assert_int_eq(stat(p, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            all_listed(d, p, count);
            continue;
        }
        size_t n = strlen(de->d_name);
        if (!(n > 5 && (strcmp(de->d_name + n - 5, ".json") == 0 || strcmp(de->d_name + n - 7, ".jsonld") == 0)))
            continue;
        if (strcmp(de->d_name, "manifest.json") == 0)
            continue;
        int found = 0;
        for (size_t i = 0; i < vc_data_count(d); i++) {
            vc_data_info info;
            vc_data_get_info(d, i, &info, NULL);
            if (info.path && strcmp(info.path + strlen(vc_data_dir(d)) + 1, p + strlen(vc_data_dir(d)) + 1) == 0)
                found = 1;
        }
        ck_assert_msg(found, "%s is shipped but not listed in a manifest", p);
        (*count)++;
    }
    closedir(dh);
}

START_TEST(every_shipped_file_is_pinned)
{
    vc_data *d = open_default();
    size_t count = 0;
    char p[2048];
    snprintf(p, sizeof p, "%s/vocab", vc_data_dir(d));
    all_listed(d, p, &count);
    snprintf(p, sizeof p, "%s/schemas", vc_data_dir(d));
    all_listed(d, p, &count);
    ck_assert_uint_eq(count, vc_data_count(d));
    vc_data_free(d);
}
END_TEST

START_TEST(corrupted_and_missing_files)
{
    char *tmp = temp_data_dir();
    vc_data *d = NULL;
    vc_error e;
    /* through the environment variable, as a user would */
    char *saved = getenv(VC_DATA_DIR_ENV) ? strdup(getenv(VC_DATA_DIR_ENV)) : NULL;
    setenv(VC_DATA_DIR_ENV, tmp, 1);
    tu_assert_status(vc_data_open(NULL, &d, &e), VC_OK, &e);
    ck_assert_str_eq(vc_data_dir(d), tmp);
    tu_assert_status(vc_data_verify(d, &e), VC_OK, &e); /* the copy is intact */
    vc_data_free(d);

    /* flip one byte of the dpp 0.6.1 context */
    char p[2048];
    snprintf(p, sizeof p, "%s/vocab/untp/v0.6.1/dpp/context.jsonld", tmp);
    size_t n;
    char *b = tu_read(p, &n);
    b[n / 2] ^= 0x20;
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
    free(b);
    /* remove the dcc 0.6.1 schema */
    snprintf(p, sizeof p, "%s/schemas/untp/v0.6.1/dcc/untp-dcc-schema.json", tmp);
    ck_assert_int_eq(unlink(p), 0);

    tu_assert_status(vc_data_open(NULL, &d, &e), VC_OK, &e); /* files are read lazily */
    size_t i;
    tu_assert_status(vc_data_lookup(d, VC_DATA_CONTEXT, "https://test.uncefact.org/vocabulary/untp/dpp/0.6.1/", &i, &e),
                     VC_OK, &e);
    const char *bytes;
    tu_assert_status(vc_data_read(d, i, &bytes, NULL, &e), VC_ERR_DATA_DIGEST, &e);
    ck_assert(strstr(e.path, "untp/v0.6.1/dpp/context.jsonld") != NULL);
    const json_t *doc;
    int untp;
    tu_assert_status(vc_data_context_json(d, "https://test.uncefact.org/vocabulary/untp/dpp/0.6.1/", &doc, &untp, &e),
                     VC_ERR_DATA_DIGEST, &e);
    /* still refused on the next try: a failure is not remembered as success */
    tu_assert_status(vc_data_read(d, i, &bytes, NULL, &e), VC_ERR_DATA_DIGEST, &e);
    tu_assert_status(vc_data_lookup_schema(d, "dcc", "0.6.1", &i, &e), VC_OK, &e);
    tu_assert_status(vc_data_read(d, i, &bytes, NULL, &e), VC_ERR_DATA, &e);
    tu_assert_status(vc_data_schema_json(d, "dcc", "0.6.1", &doc, NULL, &e), VC_ERR_DATA, &e);
    /* the other files are fine */
    tu_assert_status(vc_data_schema_json(d, "dpp", "0.6.1", &doc, NULL, &e), VC_OK, &e);
    tu_assert_status(vc_data_verify(d, &e), VC_ERR_DATA_DIGEST, &e);
    /* the vocabulary check reports the data error where the context is used */
    const char *cred = "{\"@context\": [\"https://www.w3.org/ns/credentials/v2\", "
                       "\"https://test.uncefact.org/vocabulary/untp/dpp/0.6.1/\"], \"type\": [\"VerifiableCredential\"]}";
    tu_assert_status(vc_vocab_check(d, cred, strlen(cred), 0, NULL, &e), VC_ERR_DATA_DIGEST, &e);
    ck_assert_str_eq(e.path, "/@context/1");
    vc_data_free(d);

    /* a missing manifest, a manifest escaping its folder, a bad digest string */
    snprintf(p, sizeof p, "%s/schemas/manifest.json", tmp);
    char *m = tu_read(p, &n);
    ck_assert_int_eq(unlink(p), 0);
    tu_assert_status(vc_data_open(tmp, &d, &e), VC_ERR_DATA, &e);
    ck_assert_ptr_null(d);
    char *bad = malloc(n + 16);
    ck_assert_ptr_nonnull(bad);
    const char *needle = "\"path\": \"untp/";
    char *at = strstr(m, needle);
    ck_assert_ptr_nonnull(at);
    size_t pre = (size_t)(at - m) + strlen("\"path\": \"");
    memcpy(bad, m, pre);
    strcpy(bad + pre, "../");
    memcpy(bad + pre + 3, m + pre, n - pre + 1);
    f = fopen(p, "wb");
    fputs(bad, f);
    fclose(f);
    tu_assert_status(vc_data_open(tmp, &d, &e), VC_ERR_DATA, &e);
    f = fopen(p, "wb");
    fputs("{\"manifest\": \"untpcred-data/1\", \"files\": [{\"path\": \"x.json\", \"url\": \"https://x.example/\", "
          "\"kind\": \"schema\", \"sha256\": \"ABC\"}]}",
          f);
    fclose(f);
    tu_assert_status(vc_data_open(tmp, &d, &e), VC_ERR_DATA, &e);
    free(bad);
    free(m);

    /* not a data directory at all */
    snprintf(p, sizeof p, "%s/vocab", tmp);
    tu_assert_status(vc_data_open(p, &d, &e), VC_ERR_DATA, &e);
    tu_assert_status(vc_data_open("/nonexistent/untpcred", &d, &e), VC_ERR_DATA, &e);

    if (saved) {
        setenv(VC_DATA_DIR_ENV, saved, 1);
        free(saved);
    } else {
        unsetenv(VC_DATA_DIR_ENV);
    }
    remove_tree(tmp);
    free(tmp);
}
END_TEST

START_TEST(lookups)
{
    vc_data *d = open_default();
    vc_error e;
    size_t i;
    vc_data_info info;
    tu_assert_status(vc_data_lookup_schema(d, "DigitalProductPassport", NULL, &i, &e), VC_OK, &e);
    vc_data_get_info(d, i, &info, NULL);
    ck_assert_str_eq(info.version, "0.6.1");
    ck_assert_str_eq(info.url, "https://test.uncefact.org/vocabulary/untp/dpp/untp-dpp-schema-0.6.1.json");
    ck_assert_str_eq(info.context, "https://test.uncefact.org/vocabulary/untp/dpp/0.6.1/");
    tu_assert_status(vc_data_lookup_schema(d, "dte", "0.6.0", &i, &e), VC_OK, &e);
    vc_data_get_info(d, i, &info, NULL);
    ck_assert_str_eq(info.credential_type, "DigitalTraceabilityEvent");
    ck_assert(strstr(info.path, "v0.6.0/dte/DigitalTraceabilityEvent-schema.json") != NULL);
    tu_assert_status(vc_data_lookup_schema(d, "VerifiableCredential", NULL, &i, &e), VC_OK, &e);
    vc_data_get_info(d, i, &info, NULL);
    ck_assert_str_eq(info.url, "https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json");
    tu_assert_status(vc_data_lookup_schema(d, "dpp", "9.9.9", &i, &e), VC_ERR_DATA, &e);
    tu_assert_status(vc_data_lookup_schema(d, "svc", "0.6.0", &i, &e), VC_ERR_DATA, &e);
    tu_assert_status(vc_data_lookup(d, VC_DATA_SCHEMA, "https://test.uncefact.org/vocabulary/untp/dia/untp-dia-schema-0.6.0.json",
                                    &i, &e),
                     VC_OK, &e);
    /* a context URL is not a schema URL, and lookups are exact */
    tu_assert_status(vc_data_lookup(d, VC_DATA_SCHEMA, "https://www.w3.org/ns/credentials/v2", &i, &e), VC_ERR_DATA, &e);
    tu_assert_status(vc_data_lookup(d, VC_DATA_CONTEXT, "https://www.w3.org/ns/credentials/v2/", &i, &e), VC_ERR_DATA, &e);
    tu_assert_status(vc_data_lookup(d, VC_DATA_CONTEXT, "https://test.uncefact.org/vocabulary/untp/dpp/0.6.1", &i, &e),
                     VC_ERR_DATA, &e);

    const json_t *doc = NULL;
    const char *url = NULL;
    tu_assert_status(vc_data_schema_json(d, "dcc", NULL, &doc, &url, &e), VC_OK, &e);
    ck_assert_str_eq(url, "https://test.uncefact.org/vocabulary/untp/dcc/untp-dcc-schema-0.6.1.json");
    const json_t *again = NULL;
    tu_assert_status(vc_data_schema_json_by_url(d, url, &again, &e), VC_OK, &e);
    ck_assert_ptr_eq(doc, again);
    int untp = -1;
    tu_assert_status(vc_data_context_json(d, "https://example.org/unknown/", &doc, &untp, &e), VC_OK, &e);
    ck_assert_ptr_null(doc);
    tu_assert_status(vc_data_context_json(d, "https://test.uncefact.org/vocabulary/untp/dte/0.6.0/", &doc, &untp, &e),
                     VC_OK, &e);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(untp, 1);
    tu_assert_status(vc_data_context_json(d, "https://www.w3.org/ns/credentials/v2", &doc, &untp, &e), VC_OK, &e);
    ck_assert_int_eq(untp, 0);

    tu_assert_status(vc_data_get_info(d, vc_data_count(d), &info, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_data_read(d, 100000, &url, NULL, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_data_open(NULL, NULL, &e), VC_ERR_INVALID_ARG, &e);
    vc_data_free(NULL);
    vc_data_free(d);
}
END_TEST

START_TEST(caller_contexts)
{
    vc_data *d = open_default();
    vc_error e;
    size_t n = vc_data_count(d);
    const char *ctx = "{\"@context\": {\"@protected\": true, \"colour\": \"https://example.org/vocab#colour\"}}";
    tu_assert_status(vc_data_add_context(d, "https://example.org/ctx/v1", ctx, strlen(ctx), VC_DATA_UNTP, &e), VC_OK,
                     &e);
    ck_assert_uint_eq(vc_data_count(d), n + 1);
    vc_data_info info;
    tu_assert_status(vc_data_get_info(d, n, &info, &e), VC_OK, &e);
    ck_assert_str_eq(info.family, "local");
    ck_assert_ptr_null(info.path);
    ck_assert_ptr_null(info.sha256);
    const json_t *doc;
    int untp = 0;
    tu_assert_status(vc_data_context_json(d, "https://example.org/ctx/v1", &doc, &untp, &e), VC_OK, &e);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(untp, 1);
    /* no replacing, shipped or added */
    tu_assert_status(vc_data_add_context(d, "https://example.org/ctx/v1", ctx, strlen(ctx), 0, &e), VC_ERR_INVALID_ARG,
                     &e);
    tu_assert_status(vc_data_add_context(d, "https://www.w3.org/ns/credentials/v2", ctx, strlen(ctx), 0, &e),
                     VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_data_add_context(d, "not a url", ctx, strlen(ctx), 0, &e), VC_ERR_INVALID_ARG, &e);
    tu_assert_status(vc_data_add_context(d, "https://example.org/x", "{", 1, 0, &e), VC_ERR_JSON, &e);
    tu_assert_status(vc_data_add_context(d, "https://example.org/x", "{\"a\":1}", 7, 0, &e), VC_ERR_VOCAB_CONTEXT, &e);
    tu_assert_status(vc_data_add_context(d, "https://example.org/x", ctx, strlen(ctx), 0x80, &e), VC_ERR_INVALID_ARG,
                     &e);
    ck_assert_uint_eq(vc_data_count(d), n + 1);
    vc_data_free(d);
}
END_TEST

/* ------------------------------------------------------------ threads */

struct load_arg {
    vc_data *d;
    const json_t *seen[128];
    int failures;
};

static void *load_all(void *p)
{
    struct load_arg *a = p;
    size_t n = vc_data_count(a->d);
    for (size_t round = 0; round < 20; round++)
        for (size_t i = 0; i < n && i < 128; i++) {
            const json_t *doc = NULL;
            vc_error e;
            if (vc_data_json(a->d, (i + round) % n, &doc, &e) != VC_OK || !doc)
                a->failures++;
            else
                a->seen[(i + round) % n] = doc;
        }
    return NULL;
}

START_TEST(concurrent_loading)
{
    vc_data *d = open_default();
    enum { T = 8 };
    pthread_t th[T];
    static struct load_arg args[T];
    memset(args, 0, sizeof args);
    for (int t = 0; t < T; t++) {
        args[t].d = d;
        ck_assert_int_eq(pthread_create(&th[t], NULL, load_all, &args[t]), 0);
    }
    for (int t = 0; t < T; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < T; t++) {
        ck_assert_int_eq(args[t].failures, 0);
        for (size_t i = 0; i < vc_data_count(d) && i < 128; i++)
            ck_assert_ptr_eq(args[t].seen[i], args[0].seen[i]); /* loaded once, shared */
    }
    vc_data_free(d);
}
END_TEST

int main(void)
{
    vc_init();
    Suite *s = suite_create("data");
    TCase *tc = tcase_create("data");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_entry_loads_and_matches_its_pin);
    tcase_add_test(tc, the_v2_context_is_the_reference_one);
    tcase_add_test(tc, every_shipped_file_is_pinned);
    tcase_add_test(tc, corrupted_and_missing_files);
    tcase_add_test(tc, lookups);
    tcase_add_test(tc, caller_contexts);
    tcase_add_test(tc, concurrent_loading);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
