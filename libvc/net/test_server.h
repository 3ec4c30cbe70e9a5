/*
 * test_server.h - start and stop tests/https_server.py (a loopback HTTPS server
 * with a test CA made at start-up) from Check tests. Test-only.
 */
#ifndef VC_TEST_SERVER_H
#define VC_TEST_SERVER_H

#include <stddef.h>
#include <sys/types.h>

#include <vc/net.h>

typedef struct tu_server {
    pid_t pid;        /* 0 when not running */
    int in_fd;        /* the server's standard input: closing it stops the server */
    int https, untrusted, wrongname, http, tcpstall; /* ports on 127.0.0.1 */
    char dir[256];    /* temporary directory (pki/, www/), removed by tu_server_stop */
    char www[320];    /* served directory */
    char ca[320];     /* the test CA (PEM) */
} tu_server;

/* Start the server (python3 tests/https_server.py) and wait for its READY line.
 * Returns 0, or -1 with a reason on stderr. */
int tu_server_start(tu_server *s);
/* Stop it (SIGTERM, then SIGKILL after 3 s) and remove its directory. Idempotent. */
void tu_server_stop(tu_server *s);

/* Write www/rel (directories created), and www/rel.meta.json when meta is not NULL. */
void tu_server_put(const tu_server *s, const char *rel, const char *content, const char *meta);
/* "https://127.0.0.1:PORT" + path into a static buffer (8 rotating). */
const char *tu_url(int port, const char *path);
const char *tu_url_host(const char *host, int port, const char *path);
/* Requests the server received for a path. */
long tu_server_hits(const tu_server *s, const char *path);
/* A fetcher that trusts the test CA and may connect to loopback (flags added). */
vc_fetcher *tu_fetcher(const tu_server *s, unsigned extra_flags);

#endif
