/*
 * batch.c - `untpcred verify --batch`: verify a stream of credentials (JSON
 * Lines, or every file of a directory) with N threads sharing one verifier and
 * its caches, writing one JSON result per line in input order.
 *
 * Memory stays flat however long the input: the reader may run at most
 * BATCH_WINDOW items ahead of the writer, and each item is freed once written.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"

#define BATCH_WINDOW 256u     /* items in flight between reader and writer */
#define BATCH_MAX_JOBS 64

typedef struct item {
    unsigned long seq;      /* 1-based line or file number */
    char *text;             /* the credential; NULL once verified */
    size_t len;
    char *source;           /* file name for directory input, else NULL */
    char *result;           /* the JSON line, once verified */
    int state;              /* 0 empty, 1 queued, 2 taken, 3 done */
    int valid;
    int read_error;         /* the item could not be read: rerr says why */
    vc_error rerr;
} item;

typedef struct batch {
    const vc_verifier *v;
    item ring[BATCH_WINDOW];
    unsigned long next_in, next_take, next_out; /* sequence numbers (0-based) */
    int eof;
    pthread_mutex_t lock;
    pthread_cond_t can_put, can_take, can_write;
    unsigned long total, invalid, errors;
} batch;

/* One result line: {"n":1,"source":..,"valid":..,"format":..,"issuer":..,
 * "error":..,"message":..,"check":..,"path":..} */
static char *result_line(const item *it, const vc_report *rep, const vc_error *e)
{
    strbuf b = {0};
    char num[48];
    snprintf(num, sizeof num, "{\"n\":%lu", it->seq);
    sb_append(&b, num);
    if (it->source) {
        sb_append(&b, ",\"source\":");
        sb_append_json(&b, it->source);
    }
    sb_append(&b, it->valid ? ",\"valid\":true" : ",\"valid\":false");
    const char *fmt = rep ? vc_report_format(rep) : NULL, *issuer = rep ? vc_report_issuer(rep) : NULL;
    if (fmt) {
        sb_append(&b, ",\"format\":");
        sb_append_json(&b, fmt);
    }
    if (issuer) {
        sb_append(&b, ",\"issuer\":");
        sb_append_json(&b, issuer);
    }
    if (!it->valid && e) {
        sb_append(&b, ",\"error\":");
        sb_append_json(&b, vc_status_name(e->code));
        sb_append(&b, ",\"message\":");
        sb_append_json(&b, e->message);
        for (size_t i = 0; rep && i < vc_report_count(rep); i++) {
            const char *name;
            vc_check_result r;
            vc_report_check(rep, i, &name, &r, NULL);
            if (r == VC_CHECK_FAIL) {
                sb_append(&b, ",\"check\":");
                sb_append_json(&b, name);
                break;
            }
        }
        if (e->path[0]) {
            sb_append(&b, ",\"path\":");
            sb_append_json(&b, e->path);
        }
    }
    sb_append(&b, "}\n");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static void *worker(void *arg)
{
    batch *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        while (b->next_take == b->next_in && !b->eof)
            pthread_cond_wait(&b->can_take, &b->lock);
        if (b->next_take == b->next_in && b->eof) {
            pthread_mutex_unlock(&b->lock);
            return NULL;
        }
        item *it = &b->ring[b->next_take % BATCH_WINDOW];
        b->next_take++;
        it->state = 2;
        pthread_mutex_unlock(&b->lock);

        vc_report *rep = NULL;
        vc_error e;
        vc_error_clear(&e);
        if (!it->read_error) {
            it->valid = vc_verify(b->v, it->text, it->len, &rep, &e) == VC_OK;
        } else {
            it->valid = 0;
            e = it->rerr;
        }
        char *line = result_line(it, rep, &e);
        vc_report_free(rep);

        pthread_mutex_lock(&b->lock);
        free(it->text);
        it->text = NULL;
        it->result = line;
        it->state = 3;
        pthread_cond_broadcast(&b->can_write);
        pthread_mutex_unlock(&b->lock);
    }
}

typedef struct writer_args {
    batch *b;
    FILE *out;
    int progress;
    double started;
} writer_args;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *writer(void *arg)
{
    writer_args *w = arg;
    batch *b = w->b;
    double last = 0;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        item *it = &b->ring[b->next_out % BATCH_WINDOW];
        while (!(b->next_out < b->next_in && it->state == 3) && !(b->eof && b->next_out == b->next_in))
            pthread_cond_wait(&b->can_write, &b->lock);
        if (b->eof && b->next_out == b->next_in) {
            pthread_mutex_unlock(&b->lock);
            break;
        }
        char *line = it->result;
        int valid = it->valid;
        it->result = NULL;
        free(it->source);
        it->source = NULL;
        it->state = 0;
        b->next_out++;
        b->total++;
        if (!valid)
            b->invalid++;
        pthread_cond_signal(&b->can_put);
        unsigned long done = b->total, bad = b->invalid;
        pthread_mutex_unlock(&b->lock);
        if (line) {
            fputs(line, w->out);
            free(line);
        } else
            b->errors++;
        if (w->progress) {
            double t = now();
            if (t - last > 0.5) {
                last = t;
                fprintf(stderr, "\r%lu verified, %lu invalid, %.0f/s   ", done, bad, done / (t - w->started));
            }
        }
    }
    if (w->progress)
        fprintf(stderr, "\r%lu verified, %lu invalid, %.0f/s   \n", b->total, b->invalid,
                b->total / (now() - w->started + 1e-9));
    fflush(w->out);
    return NULL;
}

/* Queue one item (takes ownership of text and source). */
static void put(batch *b, char *text, size_t len, char *source, const vc_error *rerr)
{
    pthread_mutex_lock(&b->lock);
    while (b->next_in - b->next_out >= BATCH_WINDOW)
        pthread_cond_wait(&b->can_put, &b->lock);
    item *it = &b->ring[b->next_in % BATCH_WINDOW];
    memset(it, 0, sizeof *it);
    it->seq = b->next_in + 1;
    it->text = text;
    it->len = len;
    it->source = source;
    if (rerr) {
        it->read_error = 1;
        it->rerr = *rerr;
    }
    it->state = 1;
    b->next_in++;
    pthread_cond_signal(&b->can_take);
    pthread_mutex_unlock(&b->lock);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read lines (JSON Lines) or directory entries and queue them. Returns 0 or -1 on I/O error. */
static int read_input(batch *b, const char *path, int is_dir)
{
    if (is_dir) {
        DIR *d = opendir(path);
        if (!d)
            return -1;
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                char **nn = realloc(names, cap * sizeof *nn);
                if (!nn)
                    break;
                names = nn;
            }
            names[n++] = strdup(de->d_name);
        }
        closedir(d);
        qsort(names, n, sizeof *names, cmp_names);
        for (size_t i = 0; i < n; i++) {
            char full[4096];
            snprintf(full, sizeof full, "%s/%s", path, names[i]);
            struct stat st;
            if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
                free(names[i]);
                continue;
            }
            char *text = NULL;
            size_t len = 0;
            vc_error e;
            int bad = vc_read_file(full, VC_MAX_INPUT_BYTES, &text, &len, &e) != VC_OK;
            put(b, text, len, names[i], bad ? &e : NULL);
        }
        free(names);
        return 0;
    }
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t r;
    while ((r = getline(&line, &cap, f)) >= 0) {
        size_t len = (size_t)r;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0) {
            put(b, strdup(""), 0, NULL, NULL); /* keep numbering: an empty line is an invalid item */
            continue;
        }
        char *text = malloc(len + 1);
        if (!text)
            break;
        memcpy(text, line, len);
        text[len] = '\0';
        put(b, text, len, NULL, NULL);
        if (cap > 4 * (size_t)VC_MAX_INPUT_BYTES) { /* do not keep a huge line buffer */
            free(line);
            line = NULL;
            cap = 0;
        }
    }
    int bad = ferror(f);
    free(line);
    if (f != stdin)
        fclose(f);
    return bad ? -1 : 0;
}

int batch_verify(const vc_verifier *v, const char *path, int jobs, int progress, FILE *out)
{
    struct stat st;
    int is_dir = strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    if (jobs < 1)
        jobs = 1;
    if (jobs > BATCH_MAX_JOBS)
        jobs = BATCH_MAX_JOBS;
    batch *b = calloc(1, sizeof *b);
    if (!b)
        return 2;
    b->v = v;
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->can_put, NULL);
    pthread_cond_init(&b->can_take, NULL);
    pthread_cond_init(&b->can_write, NULL);
    pthread_t workers[BATCH_MAX_JOBS], wt;
    writer_args wa = {.b = b, .out = out, .progress = progress, .started = now()};
    for (int i = 0; i < jobs; i++)
        pthread_create(&workers[i], NULL, worker, b);
    pthread_create(&wt, NULL, writer, &wa);
    int rc = read_input(b, path, is_dir);
    int saved = errno;
    pthread_mutex_lock(&b->lock);
    b->eof = 1;
    pthread_cond_broadcast(&b->can_take);
    pthread_cond_broadcast(&b->can_write);
    pthread_mutex_unlock(&b->lock);
    for (int i = 0; i < jobs; i++)
        pthread_join(workers[i], NULL);
    pthread_join(wt, NULL);
    int status = rc != 0 ? 2 : b->invalid ? 1 : 0;
    if (rc != 0)
        fprintf(stderr, "untpcred verify --batch: %s: VC_ERR_IO: %s\n", path, strerror(saved));
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->can_put);
    pthread_cond_destroy(&b->can_take);
    pthread_cond_destroy(&b->can_write);
    free(b);
    return status;
}
