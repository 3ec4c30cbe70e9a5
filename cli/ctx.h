/*
 * ctx.h - the verification context shared by the commands that verify or
 * validate (verify, validate, issue, conformance, resolve-id): one set of
 * options, one builder for the resolver, fetcher, data registry, validator,
 * trust store and verifier.
 */
#ifndef UNTPCRED_CTX_H
#define UNTPCRED_CTX_H

#include <getopt.h>

#include "cli.h"

/* getopt_long codes of the shared options (>= 1000 so commands keep letters). */
enum {
    OPT_DID_DOC = 1000, OPT_VM, OPT_AT, OPT_DATA_DIR, OPT_SCHEMA_MAP, OPT_ALLOW_VOCAB, OPT_NO_SCHEMA, OPT_NO_VOCAB,
    OPT_TRUST_DID, OPT_TRUST_FILE, OPT_DIA, OPT_OFFLINE, OPT_CA_FILE, OPT_ALLOW_LOOPBACK, OPT_ALLOW_HTTP_LOOPBACK,
    OPT_CACHE_DIR, OPT_REQUIRE_STATUS, OPT_NO_STATUS, OPT_TIMEOUT, OPT_CONTEXT,
    OPT_CONNECT_TO = 1100 /* own range: other shared options may be added after OPT_CONTEXT */
};

/* The struct option entries of the shared options, terminated like getopt's arrays. */
extern const struct option ctx_options[];
#define CTX_OPTION_COUNT 21

/* Help text of the shared options, for the commands' --help. */
extern const char ctx_help[];

typedef struct cli_ctx {
    /* options */
    char *docs[MAX_DOCS], *vms[MAX_DOCS], *trust_dids[MAX_DOCS], *trust_files[MAX_DOCS], *dias[MAX_DOCS],
        *ca_files[MAX_DOCS], *contexts[MAX_DOCS];
    int ndocs, nvms, ntrust_dids, ntrust_files, ndias, nca_files, ncontexts;
    char *connect_tos[MAX_DOCS]; /* --connect-to HOST:PORT:HOST2:PORT2 */
    int nconnect_tos;
    const char *at, *data_dir, *schema_map, *cache_dir;
    int allow_vocab, no_schema, no_vocab, offline, allow_loopback, allow_http_loopback, require_status, no_status;
    unsigned timeout_ms;
    /* built objects (NULL when not needed) */
    vc_resolver *resolver;
    vc_fetcher *fetcher;
    vc_data *data;
    vc_validator *validator;
    vc_trust *trust;
    vc_verifier *verifier;
    int64_t at_time; /* VC_TIME_NOW unless --at */
} cli_ctx;

void ctx_init(cli_ctx *c);

/* Fill out with own[0..nown), then the shared options, then a zero entry (getopt_long's
 * terminator). out must hold nown + CTX_OPTION_COUNT + 1 entries. */
void ctx_merge_options(struct option *out, const struct option *own, size_t nown);

/* Handle a shared option (c is the getopt code). Returns 1 when handled, 0 when
 * not a shared option, -1 on a usage error (already printed). */
int ctx_option(cli_ctx *c, const char *cmd, int code, const char *arg);

/* Build everything the options ask for: resolver (did:key, did:jwk, offline
 * documents, did:web over HTTPS unless --offline without cache), data registry
 * and validator (unless want_validator is 0), trust store when trust options were
 * given, and a verifier with them attached. Returns 0 or EXIT_USAGE (printed). */
int ctx_build(cli_ctx *c, const char *cmd, int want_validator);

void ctx_free(cli_ctx *c);

/* A vc_trust_fetch_fn over the context's fetcher (DIAs from untp:dia services). */
vc_status ctx_fetch_dia(void *ctx, const char *url, char **body, size_t *len, vc_error *err);

#endif
