/* test_server.c - run tests/https_server.py for the network tests (see test_server.h). */
#include "test_server.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define READY_TIMEOUT_MS 60000 /* making the PKI and starting python under a loaded machine */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

int tu_server_start(tu_server *s)
{
    memset(s, 0, sizeof *s);
    s->in_fd = -1;
    snprintf(s->dir, sizeof s->dir, "/tmp/libvc-net-XXXXXX");
    if (!mkdtemp(s->dir)) {
        fprintf(stderr, "tu_server_start: mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    const char *script = tu_source_path("tests/https_server.py");
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        fprintf(stderr, "tu_server_start: pipe: %s\n", strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "tu_server_start: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* The server dies with this process, even if it is killed outright. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        dup2(in[0], 0);
        dup2(out[1], 1);
        execlp("python3", "python3", script, "--dir", s->dir, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->pid = pid;
    s->in_fd = in[1];

    char line[4096];
    size_t n = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long waited = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        if (waited >= READY_TIMEOUT_MS) {
            fprintf(stderr, "tu_server_start: no READY line within %d ms\n", READY_TIMEOUT_MS);
            break;
        }
        struct pollfd pfd = {out[0], POLLIN, 0};
        int pr = poll(&pfd, 1, (int)(READY_TIMEOUT_MS - waited));
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        ssize_t got = read(out[0], line + n, sizeof line - 1 - n);
        if (got <= 0) {
            fprintf(stderr, "tu_server_start: the server exited before it was ready\n");
            break;
        }
        n += (size_t)got;
        line[n] = '\0';
        char *nl = strchr(line, '\n');
        if (!nl && n < sizeof line - 1)
            continue;
        if (nl)
            *nl = '\0';
        if (strncmp(line, "READY ", 6) != 0) {
            fprintf(stderr, "tu_server_start: unexpected output: %.200s\n", line);
            break;
        }
        json_error_t je;
        json_t *j = json_loads(line + 6, 0, &je);
        if (!j) {
            fprintf(stderr, "tu_server_start: bad READY line: %s\n", je.text);
            break;
        }
        s->https = (int)json_integer_value(json_object_get(j, "https"));
        s->untrusted = (int)json_integer_value(json_object_get(j, "untrusted"));
        s->wrongname = (int)json_integer_value(json_object_get(j, "wrongname"));
        s->http = (int)json_integer_value(json_object_get(j, "http"));
        s->tcpstall = (int)json_integer_value(json_object_get(j, "tcpstall"));
        snprintf(s->ca, sizeof s->ca, "%s", json_string_value(json_object_get(j, "ca")));
        snprintf(s->www, sizeof s->www, "%s", json_string_value(json_object_get(j, "www")));
        json_decref(j);
        close(out[0]);
        return 0;
    }
    close(out[0]);
    tu_server_stop(s);
    return -1;
}

void tu_server_stop(tu_server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        int status;
        for (int i = 0; i < 300; i++) {
            pid_t r = waitpid(s->pid, &status, WNOHANG);
            if (r == s->pid || (r < 0 && errno == ECHILD))
                break;
            if (i == 299) {
                kill(s->pid, SIGKILL);
                waitpid(s->pid, &status, 0);
            }
            usleep(10000);
        }
        s->pid = 0;
    }
    if (s->in_fd >= 0) {
        close(s->in_fd);
        s->in_fd = -1;
    }
    if (s->dir[0]) {
        nftw(s->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        s->dir[0] = '\0';
    }
}

static void mkdirs_for(const char *file)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", file);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
    }
}

static void write_file(const char *path, const char *content)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", tmp);
    ck_assert_uint_eq(fwrite(content, 1, strlen(content), f), strlen(content));
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(rename(tmp, path), 0);
}

void tu_server_put(const tu_server *s, const char *rel, const char *content, const char *meta)
{
    char path[1024], mpath[1100];
    snprintf(path, sizeof path, "%s/%s", s->www, rel);
    mkdirs_for(path);
    snprintf(mpath, sizeof mpath, "%s.meta.json", path);
    if (meta)
        write_file(mpath, meta);
    else
        remove(mpath);
    write_file(path, content);
}

static char urlbuf[8][2200];
static int urlidx;

const char *tu_url_host(const char *host, int port, const char *path)
{
    char *b = urlbuf[urlidx++ % 8];
    snprintf(b, sizeof urlbuf[0], "https://%s:%d%s", host, port, path);
    return b;
}

const char *tu_url(int port, const char *path)
{
    return tu_url_host("127.0.0.1", port, path);
}

vc_fetcher *tu_fetcher(const tu_server *s, unsigned extra_flags)
{
    vc_fetcher *f = NULL;
    vc_error e;
    ck_assert_int_eq(vc_init(), VC_OK);
    tu_assert_status(vc_fetcher_new(&f, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_add_ca_file(f, s->ca, &e), VC_OK, &e);
    tu_assert_status(vc_fetcher_set_flags(f, VC_FETCH_ALLOW_LOOPBACK | extra_flags, &e), VC_OK, &e);
    /* generous: tests also run under valgrind on a busy machine */
    tu_assert_status(vc_fetcher_set_timeouts(f, 30000, 60000, &e), VC_OK, &e);
    return f;
}

long tu_server_hits(const tu_server *s, const char *path)
{
    char q[1024], enc[900];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < sizeof enc; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/-._~", *p))
            enc[o++] = (char)*p;
        else
            o += (size_t)snprintf(enc + o, sizeof enc - o, "%%%02X", *p);
    }
    enc[o] = '\0';
    snprintf(q, sizeof q, "/__hits?path=%s", enc);
    vc_fetcher *f = tu_fetcher(s, 0);
    char *body = NULL;
    vc_error e;
    tu_assert_status(
        vc_fetcher_get(f, tu_url(s->https, q), "application/json", VC_FETCH_NO_CACHE, &body, NULL, NULL, &e), VC_OK,
        &e);
    json_t *j = json_loads(body, 0, NULL);
    ck_assert_ptr_nonnull(j);
    long hits = (long)json_integer_value(json_object_get(j, "hits"));
    json_decref(j);
    free(body);
    vc_fetcher_free(f);
    return hits;
}
