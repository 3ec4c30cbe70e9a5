/* util.c - helpers shared by the untpcred commands: errors, files, keys, resolvers. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

const char *prog = "untpcred";

/* ------------------------------------------------------------ utilities */

void print_error(const char *what, const vc_error *e)
{
    fprintf(stderr, "%s: %s: %s: %s", prog, what, vc_status_name(e->code), e->message);
    if (e->path[0])
        fprintf(stderr, " (at %s)", e->path);
    fputc('\n', stderr);
}

int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s %s: ", prog, cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s %s --help'.\n", prog, cmd);
    return EXIT_USAGE;
}

/* Read a whole file ("-" is standard input), at most max bytes; prints the error. */
char *read_all(const char *path, size_t max, size_t *len)
{
    char *buf = NULL;
    vc_error e;
    if (vc_read_file(path, max, &buf, len, &e) != VC_OK) {
        print_error("read", &e);
        return NULL;
    }
    return buf;
}

/*
 * Write len bytes to path ("-" or NULL: standard output), then a newline when
 * asked. Files are written to a temporary name beside the target and renamed,
 * so a failure never leaves a partial output file.
 */
int write_bytes(const char *path, const char *text, size_t len, int newline, int overwrite)
{
    if (!path || strcmp(path, "-") == 0) {
        if (fwrite(text, 1, len, stdout) != len || (newline && fputc('\n', stdout) == EOF) || fflush(stdout)) {
            fprintf(stderr, "%s: cannot write standard output: %s\n", prog, strerror(errno));
            return EXIT_USAGE;
        }
        return 0;
    }
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int)sizeof tmp) {
        fprintf(stderr, "%s: output path too long\n", prog);
        return EXIT_USAGE;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "%s: %s: VC_ERR_IO: cannot create: %s\n", prog, path, strerror(errno));
        return EXIT_USAGE;
    }
    int ok = fchmod(fd, 0644) == 0;
    size_t off = 0;
    while (ok && off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w <= 0) {
            ok = 0;
            break;
        }
        off += (size_t)w;
    }
    if (ok && newline)
        ok = write(fd, "\n", 1) == 1;
    ok = ok && fsync(fd) == 0;
    ok = (close(fd) == 0) && ok;
    if (ok && !overwrite) {
        /* link() fails if path exists: no window in which another file could be replaced. */
        if (link(tmp, path) != 0) {
            int saved = errno;
            unlink(tmp);
            if (saved == EEXIST)
                fprintf(stderr, "%s: %s: VC_ERR_IO: file exists (use --force to replace it)\n", prog, path);
            else
                fprintf(stderr, "%s: %s: VC_ERR_IO: cannot write: %s\n", prog, path, strerror(saved));
            return EXIT_USAGE;
        }
        unlink(tmp);
        return 0;
    }
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "%s: %s: VC_ERR_IO: cannot write: %s\n", prog, path, strerror(errno));
        unlink(tmp);
        return EXIT_USAGE;
    }
    return 0;
}

/* Write a NUL-terminated text (see write_bytes). */
int write_out(const char *path, const char *text, int newline, int overwrite)
{
    return write_bytes(path, text, strlen(text), newline, overwrite);
}

int load_key(const char *path, vc_key **key)
{
    vc_error e;
    if (vc_key_load(path, key, &e) != VC_OK) {
        char what[PATH_MAX + 16];
        snprintf(what, sizeof what, "key %s", path);
        print_error(what, &e);
        return EXIT_USAGE;
    }
    return 0;
}

/* Build a resolver with the offline documents and verification methods given. */
int make_resolver(char **docs, int ndocs, char **vms, int nvms, vc_resolver **out)
{
    vc_error e;
    vc_resolver *r = NULL;
    if (vc_resolver_new(&r, &e) != VC_OK) {
        print_error("resolver", &e);
        return EXIT_USAGE;
    }
    for (int pass = 0; pass < 2; pass++) {
        char **files = pass ? vms : docs;
        int n = pass ? nvms : ndocs;
        for (int i = 0; i < n; i++) {
            size_t len = 0;
            char *text = read_all(files[i], 1024 * 1024, &len);
            if (!text) {
                vc_resolver_free(r);
                return EXIT_USAGE;
            }
            vc_status st = pass ? vc_resolver_add_verification_method(r, text, len, &e)
                                : vc_resolver_add_document(r, text, len, &e);
            vc_free(text);
            if (st != VC_OK) {
                print_error(files[i], &e);
                vc_resolver_free(r);
                return EXIT_USAGE;
            }
        }
    }
    *out = r;
    return 0;
}

int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}


int print_report(const vc_report *rep, int json)
{
    if (json) {
        char *js = NULL;
        vc_error e;
        if (vc_report_to_json(rep, 1, &js, &e) != VC_OK) {
            print_error("report", &e);
            return EXIT_USAGE;
        }
        int rc = write_out(NULL, js, 1, 0);
        vc_free(js);
        return rc;
    }
    const char *issuer = vc_report_issuer(rep), *untp = vc_report_untp(rep), *anchor = vc_report_anchor(rep);
    printf("%s %s%s%s", vc_report_valid(rep) ? "VALID" : "INVALID", vc_report_format(rep) ? vc_report_format(rep) : "",
           issuer ? " issued by " : "", issuer ? issuer : "");
    if (untp)
        printf(" (UNTP %s)", untp);
    if (anchor)
        printf(", anchored to %s", anchor);
    putchar('\n');
    for (size_t i = 0; i < vc_report_count(rep); i++) {
        const char *name;
        vc_check_result res;
        const vc_error *d;
        vc_report_check(rep, i, &name, &res, &d);
        static const char *const label[] = {"pass", "FAIL", "skip", "warn"};
        printf("  %-4s %s", label[res], name);
        if (d && (res != VC_CHECK_PASS || d->message[0])) {
            if (d->code != VC_OK)
                printf(": %s", vc_status_name(d->code));
            if (d->message[0])
                printf(": %s", d->message);
            if (d->path[0])
                printf(" (at %s)", d->path);
        }
        putchar('\n');
    }
    return fflush(stdout) == 0 ? 0 : EXIT_USAGE;
}

void sb_append(strbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

void sb_append_json(strbuf *b, const char *s)
{
    char esc[8];
    sb_append(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p && !b->oom; p++) {
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            esc[2] = '\0';
        } else if (*p < 0x20)
            snprintf(esc, sizeof esc, "\\u%04x", *p);
        else {
            esc[0] = (char)*p;
            esc[1] = '\0';
        }
        sb_append(b, esc);
    }
    sb_append(b, "\"");
}

int report_file(const char *cmd, const char *path, report_fn fn, void *obj, int json, int quiet)
{
    size_t len = 0;
    char *text = read_all(path, VC_MAX_INPUT_BYTES, &len);
    if (!text)
        return EXIT_USAGE;
    vc_report *rep = NULL;
    vc_error e;
    vc_status st = fn(obj, text, len, &rep, &e);
    int rc;
    if (!rep) {
        print_error(cmd, &e);
        rc = EXIT_USAGE;
    } else {
        rc = st == VC_OK ? 0 : EXIT_INVALID;
        if (!quiet && print_report(rep, json) != 0)
            rc = EXIT_USAGE;
    }
    vc_report_free(rep);
    vc_free(text);
    return rc;
}
