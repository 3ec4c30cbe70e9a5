/*
 * data.c - the data registry: manifests, lazy loading, SHA-256 pinning.
 *
 * Layout of a data directory (the source tree, or <datadir>/untpcred once installed):
 *   vocab/manifest.json    + the JSON-LD context files it lists
 *   schemas/manifest.json  + the JSON Schema files it lists
 * A manifest is {"manifest": "untpcred-data/1", "files": [{"path", "url", "kind",
 * "family", "untpType", "version", "credentialType", "context", "sha256", ...}]};
 * paths are relative to the manifest's folder and may not leave it.
 *
 * Concurrency: one mutex guards the entry list and loading. A loaded entry's bytes
 * and parsed JSON never change afterwards, so pointers handed out stay valid and
 * may be read without the lock until vc_data_free.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data_internal.h"

#ifndef VC_DEFAULT_DATA_DIR
#define VC_DEFAULT_DATA_DIR "/usr/local/share/untpcred"
#endif

#define MANIFEST_FORMAT "untpcred-data/1"

struct entry {
    vc_data_kind kind;
    char *url, *file, *family, *untp_type, *version, *credential_type, *context;
    char sha256[65];   /* pinned, lowercase hex; "" for caller contexts */
    int untp;
    /* loaded state (under the mutex until loaded, then immutable) */
    int loaded;
    char *bytes;
    size_t len;
    json_t *json;
};

struct slot {
    _Atomic(void *) state;
    void (*destroy)(void *);
};

struct vc_data {
    char *dir;
    pthread_mutex_t mu;
    struct entry **entries;
    size_t n, cap;
    pthread_mutex_t slot_mu;
    struct slot slots[VC_DATA_SLOT_COUNT];
};

/* ------------------------------------------------------------ helpers */

static int is_dir(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s%s%s", a, b, c[0] ? "/" : "", c);
    return s;
}

int vc_data_sha256_hex(const void *bytes, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(bytes, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return -1;
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
    return 0;
}

/* A manifest path: relative, non-empty, no "..", ".", empty or hidden segments,
 * no backslash or control characters. */
static int safe_rel_path(const char *p)
{
    if (!p || !p[0] || p[0] == '/')
        return 0;
    const char *seg = p;
    for (const char *c = p;; c++) {
        if (*c == '/' || *c == '\0') {
            size_t n = (size_t)(c - seg);
            if (n == 0 || seg[0] == '.')
                return 0;
            if (*c == '\0')
                return 1;
            seg = c + 1;
        } else if ((unsigned char)*c < 0x20 || *c == '\\' || *c == 0x7f) {
            return 0;
        }
    }
}

static int is_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (const char *c = s; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return 0;
    return 1;
}

static void entry_free(struct entry *e)
{
    if (!e)
        return;
    free(e->url);
    free(e->file);
    free(e->family);
    free(e->untp_type);
    free(e->version);
    free(e->credential_type);
    free(e->context);
    free(e->bytes);
    json_decref(e->json);
    free(e);
}

static int opt_str(const json_t *o, const char *k, char **out)
{
    json_t *v = json_object_get(o, k);
    *out = NULL;
    if (!v || json_is_null(v))
        return 1;
    if (!json_is_string(v))
        return 0;
    *out = vc_strdup(json_string_value(v));
    return *out != NULL;
}

static vc_status push_entry(vc_data *d, struct entry *e, vc_error *err)
{
    if (d->n >= VC_DATA_MAX_ENTRIES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "more than %u data files", VC_DATA_MAX_ENTRIES);
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 64;
        struct entry **ne = realloc(d->entries, nc * sizeof *ne);
        if (!ne)
            return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        d->entries = ne;
        d->cap = nc;
    }
    d->entries[d->n++] = e;
    return VC_OK;
}

static struct entry *find_url(const vc_data *d, vc_data_kind kind, const char *url, size_t *index)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->entries[i]->kind == kind && strcmp(d->entries[i]->url, url) == 0) {
            if (index)
                *index = i;
            return d->entries[i];
        }
    return NULL;
}

/* Read a file of at most VC_DATA_MAX_FILE_BYTES. */
static vc_status read_file(const char *path, char **out, size_t *len, vc_error *err)
{
    vc_error e;
    vc_status st = vc_read_file(path, VC_DATA_MAX_FILE_BYTES, out, len, &e);
    if (st == VC_ERR_IO)
        return vc_fail(err, VC_ERR_DATA, path, "data file is missing or unreadable: %s", e.message);
    if (st == VC_ERR_LIMIT)
        return vc_fail(err, VC_ERR_DATA, path, "data file %s is larger than %u bytes", path,
                       VC_DATA_MAX_FILE_BYTES);
    if (st != VC_OK)
        return vc_error_copy(err, &e);
    return VC_OK;
}

static vc_status parse_data_json(const char *path, const char *bytes, size_t len, json_t **out, vc_error *err)
{
    json_error_t je;
    *out = json_loadb(bytes, len, JSON_REJECT_DUPLICATES, &je);
    if (!*out)
        return vc_fail(err, VC_ERR_DATA, path, "data file %s is not valid JSON: %s (line %d)", path, je.text,
                       je.line);
    return VC_OK;
}

/* Read one manifest (folder "vocab" or "schemas") and append its entries. */
static vc_status load_manifest(vc_data *d, const char *folder, vc_data_kind kind, vc_error *err)
{
    char *mpath = join3(d->dir, folder, "manifest.json");
    char *fdir = join3(d->dir, folder, "");
    if (!mpath || !fdir) {
        free(mpath);
        free(fdir);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    char *text = NULL;
    size_t len = 0;
    json_t *m = NULL;
    vc_status st = read_file(mpath, &text, &len, err);
    if (st == VC_OK)
        st = parse_data_json(mpath, text, len, &m, err);
    free(text);
    json_t *files = json_object_get(m, "files");
    if (st == VC_OK && (!json_is_object(m) || !json_is_string(json_object_get(m, "manifest")) ||
                        strcmp(vc_json_str(m, "manifest"), MANIFEST_FORMAT) != 0 || !json_is_array(files)))
        st = vc_fail(err, VC_ERR_DATA, mpath,
                     "%s is not a data manifest (need {\"manifest\": \"" MANIFEST_FORMAT "\", \"files\": [...]})",
                     mpath);
    size_t i;
    json_t *f;
    if (st == VC_OK) {
        json_array_foreach(files, i, f)
        {
            const char *rel = vc_json_str(f, "path"), *url = vc_json_str(f, "url");
            const char *k = vc_json_str(f, "kind"), *sha = vc_json_str(f, "sha256");
            const char *want = kind == VC_DATA_CONTEXT ? "context" : "schema";
            char where[VC_ERROR_PATH_MAX];
            snprintf(where, sizeof where, "%s/files/%zu", mpath, i);
            if (!json_is_object(f) || !safe_rel_path(rel) || !vc_is_url(url) || !k || strcmp(k, want) != 0 ||
                !is_hex64(sha)) {
                st = vc_fail(err, VC_ERR_DATA, where,
                             "manifest entry %zu of %s needs a relative \"path\" inside the folder, an absolute "
                             "\"url\", \"kind\": \"%s\" and a 64-hex-digit lowercase \"sha256\"",
                             i, mpath, want);
                break;
            }
            if (find_url(d, kind, url, NULL)) {
                st = vc_fail(err, VC_ERR_DATA, where, "%s lists the URL %s twice", mpath, url);
                break;
            }
            struct entry *e = calloc(1, sizeof *e);
            if (!e) {
                st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
                break;
            }
            e->kind = kind;
            memcpy(e->sha256, sha, 65);
            e->url = vc_strdup(url);
            e->file = join3(fdir, rel, "");
            int ok = e->url && e->file && opt_str(f, "family", &e->family) && opt_str(f, "untpType", &e->untp_type) &&
                     opt_str(f, "version", &e->version) && opt_str(f, "credentialType", &e->credential_type) &&
                     opt_str(f, "context", &e->context);
            if (!ok) {
                entry_free(e);
                st = vc_fail(err, VC_ERR_DATA, where,
                             "manifest entry %zu of %s: family, untpType, version, credentialType and context must "
                             "be strings or null",
                             i, mpath);
                break;
            }
            e->untp = e->family && strcmp(e->family, "untp") == 0;
            st = push_entry(d, e, err);
            if (st != VC_OK) {
                entry_free(e);
                break;
            }
        }
    }
    json_decref(m);
    free(mpath);
    free(fdir);
    return st;
}

/* Whether dir looks like a data directory (it has the vocab manifest). */
static int has_manifests(const char *dir)
{
    char *p = join3(dir, "vocab", "manifest.json");
    int ok = p && is_file(p);
    free(p);
    return ok;
}

/* ------------------------------------------------------------ public API */

vc_status vc_data_open(const char *dir, vc_data **out, vc_error *err)
{
    if (!out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "data_open: NULL out");
    *out = NULL;
    const char *chosen = dir;
    if (!chosen) {
        const char *env = secure_getenv(VC_DATA_DIR_ENV);
        if (env && env[0])
            chosen = env;
    }
    if (!chosen) {
        chosen = VC_DEFAULT_DATA_DIR;
#ifdef VC_UNINSTALLED_DATA_DIR
        /* libvc run from its build tree, never installed: the source tree's data */
        if (!has_manifests(chosen) && has_manifests(VC_UNINSTALLED_DATA_DIR))
            chosen = VC_UNINSTALLED_DATA_DIR;
#endif
    }
    if (!is_dir(chosen))
        return vc_fail(err, VC_ERR_DATA, chosen,
                       "data directory %s does not exist; install untpcred's data files or set " VC_DATA_DIR_ENV,
                       chosen);
    if (!has_manifests(chosen))
        return vc_fail(err, VC_ERR_DATA, chosen,
                       "%s is not a data directory: vocab/manifest.json is missing; set " VC_DATA_DIR_ENV
                       " to the folder holding vocab/ and schemas/",
                       chosen);
    vc_data *d = calloc(1, sizeof *d);
    if (!d || !(d->dir = vc_strdup(chosen))) {
        free(d);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    pthread_mutex_init(&d->mu, NULL);
    pthread_mutex_init(&d->slot_mu, NULL);
    vc_status st = load_manifest(d, "vocab", VC_DATA_CONTEXT, err);
    if (st == VC_OK)
        st = load_manifest(d, "schemas", VC_DATA_SCHEMA, err);
    if (st != VC_OK) {
        vc_data_free(d);
        return st;
    }
    *out = d;
    vc_error_clear(err);
    return VC_OK;
}

void vc_data_free(vc_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < VC_DATA_SLOT_COUNT; i++) {
        void *s = atomic_load(&d->slots[i].state);
        if (s && d->slots[i].destroy)
            d->slots[i].destroy(s);
    }
    for (size_t i = 0; i < d->n; i++)
        entry_free(d->entries[i]);
    free(d->entries);
    pthread_mutex_destroy(&d->mu);
    pthread_mutex_destroy(&d->slot_mu);
    free(d->dir);
    free(d);
}

const char *vc_data_dir(const vc_data *d)
{
    return d ? d->dir : NULL;
}

size_t vc_data_count(const vc_data *d)
{
    if (!d)
        return 0;
    pthread_mutex_lock((pthread_mutex_t *)&d->mu);
    size_t n = d->n;
    pthread_mutex_unlock((pthread_mutex_t *)&d->mu);
    return n;
}

vc_status vc_data_get_info(const vc_data *d, size_t i, vc_data_info *info, vc_error *err)
{
    if (!d || !info)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "data_get_info: NULL argument");
    pthread_mutex_lock((pthread_mutex_t *)&d->mu);
    struct entry *e = i < d->n ? d->entries[i] : NULL;
    pthread_mutex_unlock((pthread_mutex_t *)&d->mu);
    if (!e)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "data_get_info: index %zu out of range", i);
    info->kind = e->kind;
    info->url = e->url;
    info->path = e->file;
    info->family = e->family;
    info->untp_type = e->untp_type;
    info->version = e->version;
    info->credential_type = e->credential_type;
    info->context = e->context;
    info->sha256 = e->sha256[0] ? e->sha256 : NULL;
    vc_error_clear(err);
    return VC_OK;
}

vc_status vc_data_lookup(const vc_data *d, vc_data_kind kind, const char *url, size_t *index, vc_error *err)
{
    if (!d || !url || !index)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "data_lookup: NULL argument");
    pthread_mutex_lock((pthread_mutex_t *)&d->mu);
    struct entry *e = find_url(d, kind, url, index);
    pthread_mutex_unlock((pthread_mutex_t *)&d->mu);
    if (!e)
        return vc_fail(err, VC_ERR_DATA, NULL, "no %s with URL %.120s in the data directory %s",
                       kind == VC_DATA_CONTEXT ? "context" : "schema", url, d->dir);
    vc_error_clear(err);
    return VC_OK;
}

/* Compare dotted version strings numerically ("0.10.0" > "0.6.1"); <0, 0, >0. */
static int version_cmp(const char *a, const char *b)
{
    while (*a || *b) {
        unsigned long x = strtoul(a, (char **)&a, 10), y = strtoul(b, (char **)&b, 10);
        if (x != y)
            return x < y ? -1 : 1;
        if (*a != *b)
            return *a == '\0' ? -1 : *b == '\0' ? 1 : (unsigned char)*a - (unsigned char)*b;
        if (*a)
            a++, b++;
    }
    return 0;
}

vc_status vc_data_lookup_schema(const vc_data *d, const char *type, const char *version, size_t *index,
                                vc_error *err)
{
    if (!d || !type || !index)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "data_lookup_schema: NULL argument");
    pthread_mutex_lock((pthread_mutex_t *)&d->mu);
    struct entry *best = NULL;
    for (size_t i = 0; i < d->n; i++) {
        struct entry *e = d->entries[i];
        if (e->kind != VC_DATA_SCHEMA)
            continue;
        int type_ok = (e->untp_type && strcmp(e->untp_type, type) == 0) ||
                      (e->credential_type && strcmp(e->credential_type, type) == 0);
        if (!type_ok)
            continue;
        if (version ? (e->version && strcmp(e->version, version) == 0)
                    : (!best || (e->version && best->version && version_cmp(e->version, best->version) > 0))) {
            best = e;
            *index = i;
            if (version)
                break;
        }
    }
    pthread_mutex_unlock((pthread_mutex_t *)&d->mu);
    if (!best)
        return vc_fail(err, VC_ERR_DATA, NULL, "no schema for type %.80s%s%.40s in the data directory %s", type,
                       version ? " version " : "", version ? version : "", d->dir);
    vc_error_clear(err);
    return VC_OK;
}

/* Load entry e (mutex held). */
static vc_status load_locked(struct entry *e, vc_error *err)
{
    if (e->loaded)
        return VC_OK;
    char *bytes = NULL;
    size_t len = 0;
    vc_status st = read_file(e->file, &bytes, &len, err);
    if (st != VC_OK)
        return st;
    char hex[65];
    if (vc_data_sha256_hex(bytes, len, hex) != 0) {
        free(bytes);
        return vc_fail(err, VC_ERR_CRYPTO, e->file, "SHA-256 failed");
    }
    if (!vc_memeq_ct(hex, e->sha256, 64)) {
        free(bytes);
        return vc_fail(err, VC_ERR_DATA_DIGEST, e->file,
                       "data file %s has SHA-256 %.16s..., not the pinned %.16s... of its manifest: it was "
                       "modified or corrupted; reinstall the data files",
                       e->file, hex, e->sha256);
    }
    json_t *j = NULL;
    st = parse_data_json(e->file, bytes, len, &j, err);
    if (st == VC_OK && e->kind == VC_DATA_CONTEXT && !json_is_object(j))
        st = vc_fail(err, VC_ERR_DATA, e->file, "context file %s is not a JSON object", e->file);
    if (st != VC_OK) {
        json_decref(j);
        free(bytes);
        return st;
    }
    e->bytes = bytes;
    e->len = len;
    e->json = j;
    e->loaded = 1;
    return VC_OK;
}

static vc_status load_index(vc_data *d, size_t i, struct entry **out, vc_error *err)
{
    if (!d)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "data: NULL registry");
    pthread_mutex_lock(&d->mu);
    struct entry *e = i < d->n ? d->entries[i] : NULL;
    vc_status st = e ? load_locked(e, err) : vc_fail(err, VC_ERR_INVALID_ARG, NULL, "data: index %zu out of range", i);
    pthread_mutex_unlock(&d->mu);
    *out = e;
    return st;
}

vc_status vc_data_read(vc_data *d, size_t i, const char **bytes, size_t *len, vc_error *err)
{
    if (!bytes)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "data_read: NULL argument");
    struct entry *e;
    vc_status st = load_index(d, i, &e, err);
    if (st != VC_OK)
        return st;
    *bytes = e->bytes;
    if (len)
        *len = e->len;
    vc_error_clear(err);
    return VC_OK;
}

vc_status vc_data_json(vc_data *d, size_t i, const json_t **doc, vc_error *err)
{
    struct entry *e;
    vc_status st = load_index(d, i, &e, err);
    if (st != VC_OK)
        return st;
    *doc = e->json;
    return VC_OK;
}

vc_status vc_data_verify(vc_data *d, vc_error *err)
{
    size_t n = vc_data_count(d);
    for (size_t i = 0; i < n; i++) {
        struct entry *e;
        vc_status st = load_index(d, i, &e, err);
        if (st != VC_OK)
            return st;
    }
    vc_error_clear(err);
    return VC_OK;
}

vc_status vc_data_context_json(vc_data *d, const char *url, const json_t **doc, int *untp, vc_error *err)
{
    *doc = NULL;
    if (untp)
        *untp = 0;
    pthread_mutex_lock(&d->mu);
    struct entry *e = find_url(d, VC_DATA_CONTEXT, url, NULL);
    vc_status st = e ? load_locked(e, err) : VC_OK;
    pthread_mutex_unlock(&d->mu);
    if (e && st == VC_OK) {
        *doc = e->json;
        if (untp)
            *untp = e->untp;
    }
    return st;
}

vc_status vc_data_schema_json(vc_data *d, const char *type, const char *version, const json_t **doc,
                              const char **url, vc_error *err)
{
    size_t i;
    vc_status st = vc_data_lookup_schema(d, type, version, &i, err);
    struct entry *e = NULL;
    if (st == VC_OK)
        st = load_index(d, i, &e, err);
    if (st != VC_OK)
        return st;
    *doc = e->json;
    if (url)
        *url = e->url;
    return VC_OK;
}

vc_status vc_data_schema_json_by_url(vc_data *d, const char *url, const json_t **doc, vc_error *err)
{
    size_t i;
    vc_status st = vc_data_lookup(d, VC_DATA_SCHEMA, url, &i, err);
    return st == VC_OK ? vc_data_json(d, i, doc, err) : st;
}

vc_status vc_data_add_context(vc_data *d, const char *url, const char *json, size_t len, unsigned flags,
                              vc_error *err)
{
    if (!d || !url || !json)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "data_add_context: NULL argument");
    if (flags & ~VC_DATA_UNTP)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "data_add_context: unknown flags 0x%x", flags & ~VC_DATA_UNTP);
    if (!vc_is_url(url))
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "data_add_context: \"%.120s\" is not an absolute URL", url);
    json_t *doc = NULL;
    vc_status st = vc_json_parse_object(json, len, &doc, err);
    if (st != VC_OK)
        return st;
    json_t *c = json_object_get(doc, "@context");
    if (!json_is_object(c) && !json_is_array(c) && !json_is_string(c)) {
        json_decref(doc);
        return vc_fail(err, VC_ERR_VOCAB_CONTEXT, "/@context",
                       "the context document for %.120s has no @context object or array", url);
    }
    struct entry *e = calloc(1, sizeof *e);
    char *bytes = malloc(len + 1);
    if (!e || !bytes || !(e->url = vc_strdup(url)) || !(e->family = vc_strdup("local"))) {
        free(bytes);
        entry_free(e);
        json_decref(doc);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    memcpy(bytes, json, len);
    bytes[len] = '\0';
    e->kind = VC_DATA_CONTEXT;
    e->untp = (flags & VC_DATA_UNTP) != 0;
    e->bytes = bytes;
    e->len = len;
    e->json = doc;
    e->loaded = 1;
    pthread_mutex_lock(&d->mu);
    if (find_url(d, VC_DATA_CONTEXT, url, NULL))
        st = vc_fail(err, VC_ERR_INVALID_ARG, NULL,
                     "a context for %.120s is already known (shipped contexts are pinned and cannot be replaced)",
                     url);
    else
        st = push_entry(d, e, err);
    pthread_mutex_unlock(&d->mu);
    if (st != VC_OK) {
        entry_free(e);
        return st;
    }
    vc_error_clear(err);
    return VC_OK;
}

void *vc_data_slot(vc_data *d, enum vc_data_slot slot, void *(*make)(vc_data *), void (*destroy)(void *))
{
    struct slot *s = &d->slots[slot];
    void *v = atomic_load_explicit(&s->state, memory_order_acquire);
    if (v)
        return v;
    pthread_mutex_lock(&d->slot_mu);
    v = atomic_load_explicit(&s->state, memory_order_relaxed);
    if (!v) {
        v = make(d);
        if (v) {
            s->destroy = destroy;
            atomic_store_explicit(&s->state, v, memory_order_release);
        }
    }
    pthread_mutex_unlock(&d->slot_mu);
    return v;
}
