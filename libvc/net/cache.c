/*
 * cache.c - the fetcher's response cache: a bounded in-memory LRU (entries and
 * body bytes) and an optional directory on disk with the same bounds.
 *
 * The cache stores what a response said about itself (validators, freshness);
 * the fetcher decides what is fresh. Entries are copied in and out under the
 * cache's mutex, so that no thread ever reads memory another may free.
 *
 * Disk format, one file per URL named by the SHA-256 of the URL ("<hex>.vcc"):
 *   "VCCACHE1\n" <one line of JSON metadata> "\n" <body bytes>
 * The metadata repeats the URL (checked on load, so that a renamed or damaged
 * file is never served for another URL) and the body length. Files are written
 * to a temporary name with mode 0600 and renamed into place. Bounds on disk are
 * enforced after each write by removing the least recently written files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net_internal.h"

#define CACHE_BUCKETS 512u            /* hash buckets (a power of two) */
#define DISK_MAGIC "VCCACHE1\n"
#define DISK_META_MAX (16u * 1024u)   /* longest metadata line read from disk */
#define DISK_SUFFIX ".vcc"

typedef struct mem_entry {
    char *url;
    uint32_t hash;
    vc_net_entry e;
    struct mem_entry *chain;
    struct mem_entry *prev, *next; /* LRU, most recent first */
} mem_entry;

struct vc_net_cache {
    pthread_mutex_t lock;
    size_t max_entries, max_bytes;
    size_t count, bytes;
    mem_entry *buckets[CACHE_BUCKETS];
    mem_entry *head, *tail;
    char *dir;                 /* NULL: no disk cache */
    pthread_mutex_t disk_lock; /* serialises this process's disk writes and pruning */
};

void vc_net_entry_clear(vc_net_entry *e)
{
    if (!e)
        return;
    free(e->body);
    free(e->content_type);
    free(e->etag);
    free(e->last_modified);
    memset(e, 0, sizeof *e);
}

static int entry_copy(vc_net_entry *dst, const vc_net_entry *src)
{
    memset(dst, 0, sizeof *dst);
    dst->body = malloc(src->len + 1);
    dst->content_type = vc_strdup(src->content_type);
    dst->etag = vc_strdup(src->etag);
    dst->last_modified = vc_strdup(src->last_modified);
    if (!dst->body || (src->content_type && !dst->content_type) || (src->etag && !dst->etag) ||
        (src->last_modified && !dst->last_modified)) {
        vc_net_entry_clear(dst);
        return 0;
    }
    if (src->len)
        memcpy(dst->body, src->body, src->len);
    dst->body[src->len] = '\0';
    dst->len = src->len;
    dst->stored = src->stored;
    dst->fresh_until = src->fresh_until;
    return 1;
}

static uint32_t hash_url(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

vc_status vc_net_cache_new(vc_net_cache **out, vc_error *err)
{
    vc_net_cache *c = calloc(1, sizeof *c);
    if (!c)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return vc_fail(err, VC_ERR_INTERNAL, NULL, "cannot create the cache's lock");
    }
    if (pthread_mutex_init(&c->disk_lock, NULL) != 0) {
        pthread_mutex_destroy(&c->lock);
        free(c);
        return vc_fail(err, VC_ERR_INTERNAL, NULL, "cannot create the cache's lock");
    }
    c->max_entries = VC_FETCH_CACHE_DEFAULT_ENTRIES;
    c->max_bytes = VC_FETCH_CACHE_DEFAULT_BYTES;
    *out = c;
    return VC_OK;
}

/* ------------------------------------------------------------------ memory */

static mem_entry **bucket(vc_net_cache *c, uint32_t h)
{
    return &c->buckets[h & (CACHE_BUCKETS - 1)];
}

static void lru_unlink(vc_net_cache *c, mem_entry *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        c->head = m->next;
    if (m->next)
        m->next->prev = m->prev;
    else
        c->tail = m->prev;
    m->prev = m->next = NULL;
}

static void lru_front(vc_net_cache *c, mem_entry *m)
{
    m->prev = NULL;
    m->next = c->head;
    if (c->head)
        c->head->prev = m;
    c->head = m;
    if (!c->tail)
        c->tail = m;
}

static mem_entry *mem_find(vc_net_cache *c, const char *url, uint32_t h)
{
    for (mem_entry *m = *bucket(c, h); m; m = m->chain)
        if (m->hash == h && strcmp(m->url, url) == 0)
            return m;
    return NULL;
}

static void mem_remove(vc_net_cache *c, mem_entry *m)
{
    mem_entry **pp = bucket(c, m->hash);
    while (*pp != m)
        pp = &(*pp)->chain;
    *pp = m->chain;
    lru_unlink(c, m);
    c->count--;
    c->bytes -= m->e.len;
    free(m->url);
    vc_net_entry_clear(&m->e);
    free(m);
}

/* Under lock. Takes a copy of e. */
static void mem_put(vc_net_cache *c, const char *url, const vc_net_entry *e)
{
    uint32_t h = hash_url(url);
    mem_entry *old = mem_find(c, url, h);
    if (old)
        mem_remove(c, old);
    if (c->max_entries == 0 || e->len > c->max_bytes)
        return;
    mem_entry *m = calloc(1, sizeof *m);
    if (!m)
        return;
    if (!(m->url = vc_strdup(url)) || !entry_copy(&m->e, e)) {
        free(m->url);
        free(m);
        return; /* a cache that cannot grow simply does not keep the entry */
    }
    m->hash = h;
    while (c->tail && (c->count + 1 > c->max_entries || c->bytes + e->len > c->max_bytes))
        mem_remove(c, c->tail);
    m->chain = *bucket(c, h);
    *bucket(c, h) = m;
    lru_front(c, m);
    c->count++;
    c->bytes += e->len;
}

void vc_net_cache_set_limits(vc_net_cache *c, size_t max_entries, size_t max_bytes)
{
    pthread_mutex_lock(&c->lock);
    c->max_entries = max_entries;
    c->max_bytes = max_bytes;
    while (c->tail && (c->count > c->max_entries || c->bytes > c->max_bytes))
        mem_remove(c, c->tail);
    pthread_mutex_unlock(&c->lock);
}

void vc_net_cache_clear(vc_net_cache *c)
{
    pthread_mutex_lock(&c->lock);
    while (c->head)
        mem_remove(c, c->head);
    pthread_mutex_unlock(&c->lock);
}

size_t vc_net_cache_count(vc_net_cache *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = c->count;
    pthread_mutex_unlock(&c->lock);
    return n;
}

void vc_net_cache_free(vc_net_cache *c)
{
    if (!c)
        return;
    vc_net_cache_clear(c);
    free(c->dir);
    pthread_mutex_destroy(&c->disk_lock);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* ------------------------------------------------------------------ disk */

vc_status vc_net_cache_set_dir(vc_net_cache *c, const char *dir, vc_error *err)
{
    if (!dir || !*dir)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "the cache directory name is empty");
    if (strlen(dir) > 3000)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "the cache directory name is too long");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return vc_fail(err, VC_ERR_IO, dir, "cannot create the cache directory: %s", strerror(errno));
    struct stat st;
    if (lstat(dir, &st) != 0)
        return vc_fail(err, VC_ERR_IO, dir, "cannot read the cache directory: %s", strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return vc_fail(err, VC_ERR_IO, dir, "the cache directory is not a directory (a symbolic link is refused)");
    if (st.st_uid != geteuid())
        return vc_fail(err, VC_ERR_IO, dir,
                       "the cache directory belongs to another user; cached documents are trusted, so use a "
                       "directory of your own");
    if (st.st_mode & 022)
        return vc_fail(err, VC_ERR_IO, dir,
                       "the cache directory is writable by group or others (mode %03o); cached documents are "
                       "trusted: chmod 700 it",
                       (unsigned)(st.st_mode & 0777));
    char *copy = vc_strdup(dir);
    if (!copy)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    pthread_mutex_lock(&c->lock);
    free(c->dir);
    c->dir = copy;
    pthread_mutex_unlock(&c->lock);
    return VC_OK;
}

/* dir + "/" + sha256hex(url) + ".vcc" into path. */
static int disk_path(const char *dir, const char *url, char *path, size_t cap)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (EVP_Digest(url, strlen(url), md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return 0;
    char hex[65];
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return snprintf(path, cap, "%s/%s%s", dir, hex, DISK_SUFFIX) < (int)cap;
}

/* Read a cache file; 1 when it is a sound entry for url. */
static int disk_load(const char *path, const char *url, size_t max_bytes, vc_net_entry *out)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    char *buf = NULL;
    json_t *meta = NULL;
    int ok = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (uint64_t)st.st_size > (uint64_t)max_bytes + DISK_META_MAX + 64)
        goto done;
    size_t size = (size_t)st.st_size;
    buf = malloc(size + 1);
    if (!buf)
        goto done;
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n <= 0)
            goto done;
        got += (size_t)n;
    }
    buf[size] = '\0';
    size_t ml = strlen(DISK_MAGIC);
    if (size < ml || memcmp(buf, DISK_MAGIC, ml) != 0)
        goto done;
    char *line = buf + ml;
    char *nl = memchr(line, '\n', size - ml);
    if (!nl || (size_t)(nl - line) > DISK_META_MAX)
        goto done;
    json_error_t je;
    meta = json_loadb(line, (size_t)(nl - line), JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(meta))
        goto done;
    const char *murl = vc_json_str(meta, "url");
    json_t *len = json_object_get(meta, "len");
    json_t *stored = json_object_get(meta, "stored");
    json_t *fresh = json_object_get(meta, "fresh");
    const char *ct = vc_json_str(meta, "ct");
    if (!murl || strcmp(murl, url) != 0 || !json_is_integer(len) || !json_is_integer(stored) ||
        !json_is_integer(fresh) || !ct)
        goto done;
    size_t body_off = (size_t)(nl + 1 - buf);
    if (json_integer_value(len) < 0 || (uint64_t)json_integer_value(len) != (uint64_t)(size - body_off))
        goto done;
    out->len = size - body_off;
    out->body = malloc(out->len + 1);
    out->content_type = vc_strdup(ct);
    const char *etag = vc_json_str(meta, "etag"), *lm = vc_json_str(meta, "lm");
    out->etag = vc_strdup(etag);
    out->last_modified = vc_strdup(lm);
    if (!out->body || !out->content_type || (etag && !out->etag) || (lm && !out->last_modified))
        goto done;
    memcpy(out->body, buf + body_off, out->len);
    out->body[out->len] = '\0';
    out->stored = json_integer_value(stored);
    out->fresh_until = json_integer_value(fresh);
    ok = 1;
done:
    if (!ok)
        vc_net_entry_clear(out);
    json_decref(meta);
    free(buf);
    close(fd);
    return ok;
}

typedef struct disk_file {
    char name[80];
    time_t mtime;
    off_t size;
} disk_file;

static int by_mtime(const void *a, const void *b)
{
    const disk_file *x = a, *y = b;
    return x->mtime < y->mtime ? -1 : x->mtime > y->mtime ? 1 : strcmp(x->name, y->name);
}

/* Remove the oldest files until the directory is within the bounds. Under disk_lock. */
static void disk_prune(const char *dir, size_t max_entries, size_t max_bytes, const char *keep)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    disk_file *files = NULL;
    size_t n = 0, cap = 0;
    uint64_t total = 0;
    struct dirent *de;
    char path[4096];
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < strlen(DISK_SUFFIX) || nl >= sizeof files[0].name ||
            strcmp(de->d_name + nl - strlen(DISK_SUFFIX), DISK_SUFFIX) != 0)
            continue;
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            disk_file *nf = realloc(files, ncap * sizeof *nf);
            if (!nf)
                break;
            files = nf;
            cap = ncap;
        }
        memcpy(files[n].name, de->d_name, nl + 1); /* nl < sizeof name, checked above */
        files[n].mtime = st.st_mtime;
        files[n].size = st.st_size;
        total += (uint64_t)st.st_size;
        n++;
    }
    closedir(d);
    if (n)
        qsort(files, n, sizeof *files, by_mtime);
    size_t count = n;
    for (size_t i = 0; i < n && (count > max_entries || total > max_bytes); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        if (keep && strcmp(path, keep) == 0)
            continue;
        if (unlink(path) == 0) {
            count--;
            total -= (uint64_t)files[i].size;
        }
    }
    free(files);
}

/* Write e for url; the file's own header and metadata count against max_bytes
 * only loosely (the bound is on bodies, like the memory cache). */
static void disk_store(vc_net_cache *c, const char *dir, const char *url, const vc_net_entry *e, size_t max_entries,
                       size_t max_bytes)
{
    char path[4096], tmp[4200];
    if (!disk_path(dir, url, path, sizeof path))
        return;
    json_t *meta = json_pack("{s:s,s:s,s:I,s:I,s:I}", "url", url, "ct", e->content_type ? e->content_type : "",
                             "len", (json_int_t)e->len, "stored", (json_int_t)e->stored, "fresh",
                             (json_int_t)e->fresh_until);
    if (!meta)
        return;
    if (e->etag)
        json_object_set_new(meta, "etag", json_string(e->etag));
    if (e->last_modified)
        json_object_set_new(meta, "lm", json_string(e->last_modified));
    char *line = json_dumps(meta, JSON_COMPACT);
    json_decref(meta);
    if (!line)
        return;
    snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", dir);
    pthread_mutex_lock(&c->disk_lock);
    int fd = mkstemp(tmp);
    if (fd >= 0) {
        FILE *fp = fdopen(fd, "wb");
        int ok = fp != NULL;
        if (ok) {
            ok = fputs(DISK_MAGIC, fp) >= 0 && fputs(line, fp) >= 0 && fputc('\n', fp) != EOF &&
                 (e->len == 0 || fwrite(e->body, 1, e->len, fp) == e->len);
            ok = (fclose(fp) == 0) && ok;
        } else {
            close(fd);
        }
        if (!ok || rename(tmp, path) != 0)
            unlink(tmp);
        else
            disk_prune(dir, max_entries, max_bytes, path);
    }
    pthread_mutex_unlock(&c->disk_lock);
    free(line);
}

static void disk_remove(vc_net_cache *c, const char *dir, const char *url)
{
    char path[4096];
    if (!disk_path(dir, url, path, sizeof path))
        return;
    pthread_mutex_lock(&c->disk_lock);
    unlink(path);
    pthread_mutex_unlock(&c->disk_lock);
}

/* ------------------------------------------------------------------ API */

/* Snapshot of the directory and bounds (the directory may be changed by configuration). */
static char *dir_snapshot(vc_net_cache *c, size_t *max_entries, size_t *max_bytes)
{
    pthread_mutex_lock(&c->lock);
    char *dir = c->dir && c->max_entries ? vc_strdup(c->dir) : NULL;
    *max_entries = c->max_entries;
    *max_bytes = c->max_bytes;
    pthread_mutex_unlock(&c->lock);
    return dir;
}

int vc_net_cache_get(vc_net_cache *c, const char *url, vc_net_entry *out)
{
    memset(out, 0, sizeof *out);
    uint32_t h = hash_url(url);
    pthread_mutex_lock(&c->lock);
    mem_entry *m = mem_find(c, url, h);
    int found = 0;
    if (m) {
        lru_unlink(c, m);
        lru_front(c, m);
        found = entry_copy(out, &m->e);
    }
    pthread_mutex_unlock(&c->lock);
    if (found || m)
        return found;

    size_t max_entries, max_bytes;
    char *dir = dir_snapshot(c, &max_entries, &max_bytes);
    if (!dir)
        return 0;
    char path[4096];
    if (disk_path(dir, url, path, sizeof path)) {
        pthread_mutex_lock(&c->disk_lock);
        found = disk_load(path, url, max_bytes, out);
        if (!found && access(path, F_OK) == 0)
            unlink(path); /* damaged or foreign: never serve it, do not keep it */
        pthread_mutex_unlock(&c->disk_lock);
    }
    free(dir);
    if (found) {
        pthread_mutex_lock(&c->lock);
        mem_put(c, url, out);
        pthread_mutex_unlock(&c->lock);
    }
    return found;
}

void vc_net_cache_put(vc_net_cache *c, const char *url, const vc_net_entry *e)
{
    pthread_mutex_lock(&c->lock);
    mem_put(c, url, e);
    pthread_mutex_unlock(&c->lock);
    size_t max_entries, max_bytes;
    char *dir = dir_snapshot(c, &max_entries, &max_bytes);
    if (dir) {
        if (e->len <= max_bytes)
            disk_store(c, dir, url, e, max_entries, max_bytes);
        else
            disk_remove(c, dir, url);
        free(dir);
    }
}

int vc_net_cache_refresh(vc_net_cache *c, const char *url, const char *etag, const char *last_modified,
                         int64_t fresh_until, vc_net_entry *out)
{
    memset(out, 0, sizeof *out);
    uint32_t h = hash_url(url);
    pthread_mutex_lock(&c->lock);
    mem_entry *m = mem_find(c, url, h);
    if (!m) { /* evicted from memory: the disk may still hold it */
        pthread_mutex_unlock(&c->lock);
        vc_net_entry tmp;
        int on_disk = vc_net_cache_get(c, url, &tmp); /* loads it into memory */
        vc_net_entry_clear(&tmp);
        if (!on_disk)
            return 0;
        pthread_mutex_lock(&c->lock);
        m = mem_find(c, url, h);
    }
    int found = 0;
    if (m) {
        char *ne = etag ? vc_strdup(etag) : NULL, *nl = last_modified ? vc_strdup(last_modified) : NULL;
        if ((!etag || ne) && (!last_modified || nl)) {
            if (etag) {
                free(m->e.etag);
                m->e.etag = ne;
            }
            if (last_modified) {
                free(m->e.last_modified);
                m->e.last_modified = nl;
            }
            m->e.fresh_until = fresh_until;
            m->e.stored = (int64_t)time(NULL);
            lru_unlink(c, m);
            lru_front(c, m);
            found = entry_copy(out, &m->e);
        } else {
            free(ne);
            free(nl);
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (found) {
        size_t max_entries, max_bytes;
        char *dir = dir_snapshot(c, &max_entries, &max_bytes);
        if (dir) {
            disk_store(c, dir, url, out, max_entries, max_bytes);
            free(dir);
        }
    }
    return found;
}

void vc_net_cache_remove(vc_net_cache *c, const char *url)
{
    uint32_t h = hash_url(url);
    pthread_mutex_lock(&c->lock);
    mem_entry *m = mem_find(c, url, h);
    if (m)
        mem_remove(c, m);
    pthread_mutex_unlock(&c->lock);
    size_t max_entries, max_bytes;
    char *dir = dir_snapshot(c, &max_entries, &max_bytes);
    if (dir) {
        disk_remove(c, dir, url);
        free(dir);
    }
}
