/* ctx.c - shared options and the verification context of untpcred. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"

const struct option ctx_options[] = {
    {"did-doc", required_argument, 0, OPT_DID_DOC},
    {"vm", required_argument, 0, OPT_VM},
    {"at", required_argument, 0, OPT_AT},
    {"data-dir", required_argument, 0, OPT_DATA_DIR},
    {"schema-map", required_argument, 0, OPT_SCHEMA_MAP},
    {"allow-vocab", no_argument, 0, OPT_ALLOW_VOCAB},
    {"no-schema", no_argument, 0, OPT_NO_SCHEMA},
    {"no-vocab", no_argument, 0, OPT_NO_VOCAB},
    {"trust-did", required_argument, 0, OPT_TRUST_DID},
    {"trust-file", required_argument, 0, OPT_TRUST_FILE},
    {"dia", required_argument, 0, OPT_DIA},
    {"offline", no_argument, 0, OPT_OFFLINE},
    {"ca-file", required_argument, 0, OPT_CA_FILE},
    {"allow-loopback", no_argument, 0, OPT_ALLOW_LOOPBACK},
    {"allow-http-loopback", no_argument, 0, OPT_ALLOW_HTTP_LOOPBACK},
    {"cache-dir", required_argument, 0, OPT_CACHE_DIR},
    {"require-status", no_argument, 0, OPT_REQUIRE_STATUS},
    {"no-status", no_argument, 0, OPT_NO_STATUS},
    {"timeout", required_argument, 0, OPT_TIMEOUT},
    {"context", required_argument, 0, OPT_CONTEXT},
    {"connect-to", required_argument, 0, OPT_CONNECT_TO},
    {0, 0, 0, 0},
};
_Static_assert(sizeof ctx_options / sizeof ctx_options[0] == CTX_OPTION_COUNT + 1,
               "CTX_OPTION_COUNT must count ctx_options (commands size their arrays with it)");

const char ctx_help[] =
    "Keys and DIDs:\n"
    "  --did-doc FILE      a DID (controller) document to use offline; repeatable\n"
    "  --vm FILE           a verification method (with controller) to trust for its\n"
    "                      controller; repeatable\n"
    "  --at TIME           check as of TIME (dateTimeStamp, e.g. 2025-06-01T00:00:00Z)\n"
    "Schemas and vocabulary (UNTP 0.6.1 and 0.6.0 are shipped):\n"
    "  --data-dir DIR      the data directory (default: $UNTPCRED_DATA_DIR, else the\n"
    "                      installed one)\n"
    "  --schema-map FILE   JSON {\"Type\": \"schema.json\"} for extension credential types\n"
    "  --context URL=FILE  supply a JSON-LD context not shipped (an extension); repeatable\n"
    "  --allow-vocab       let UNTP credentials rely on @vocab\n"
    "  --no-schema, --no-vocab   skip the JSON Schema / vocabulary checks\n"
    "Trust anchors (Digital Identity Anchors):\n"
    "  --trust-did DID     a trusted register or accreditation DID; repeatable\n"
    "  --trust-file FILE   trusted DIDs, one per line; repeatable\n"
    "  --dia FILE          a DIA credential (secured) to use; repeatable\n"
    "Network (HTTPS only; private and loopback addresses refused by default):\n"
    "  --offline           never use the network (cache and given files only)\n"
    "  --ca-file FILE      extra trusted CA certificates (PEM); repeatable\n"
    "  --allow-loopback    allow 127.0.0.0/8 and ::1 (tests, local services)\n"
    "  --allow-http-loopback  allow plain http:// to loopback hosts\n"
    "  --cache-dir DIR     keep fetched documents on disk\n"
    "  --timeout MS        total timeout of one fetch (default 15000)\n"
    "  --connect-to HOST:PORT:HOST2:PORT2  connect to HOST2:PORT2 for HOST:PORT\n"
    "                      (split DNS, tests); TLS still checks HOST; repeatable\n"
    "Status (Bitstring Status List):\n"
    "  --require-status    an unreachable status list makes the credential invalid\n"
    "                      (default: a warning)\n"
    "  --no-status         do not check credential status\n";

void ctx_merge_options(struct option *out, const struct option *own, size_t nown)
{
    size_t n = 0;
    for (size_t i = 0; i < nown; i++)
        out[n++] = own[i];
    for (size_t i = 0; ctx_options[i].name; i++)
        out[n++] = ctx_options[i];
    memset(&out[n], 0, sizeof out[n]);
}

void ctx_init(cli_ctx *c)
{
    memset(c, 0, sizeof *c);
    c->at_time = VC_TIME_NOW;
}

static int push(char **arr, int *n, const char *cmd, const char *opt, const char *arg)
{
    if (*n == MAX_DOCS) {
        fprintf(stderr, "%s %s: at most %d %s options\n", prog, cmd, MAX_DOCS, opt);
        return -1;
    }
    arr[(*n)++] = (char *)arg;
    return 1;
}

int ctx_option(cli_ctx *c, const char *cmd, int code, const char *arg)
{
    switch (code) {
    case OPT_DID_DOC: return push(c->docs, &c->ndocs, cmd, "--did-doc", arg);
    case OPT_VM: return push(c->vms, &c->nvms, cmd, "--vm", arg);
    case OPT_AT: {
        vc_error e;
        if (vc_datetime_parse(arg, &c->at_time, &e) != VC_OK) {
            usage_error(cmd, "--at: '%s' is not a dateTimeStamp like 2025-06-01T00:00:00Z", arg);
            return -1;
        }
        c->at = arg;
        return 1;
    }
    case OPT_DATA_DIR: c->data_dir = arg; return 1;
    case OPT_SCHEMA_MAP: c->schema_map = arg; return 1;
    case OPT_ALLOW_VOCAB: c->allow_vocab = 1; return 1;
    case OPT_NO_SCHEMA: c->no_schema = 1; return 1;
    case OPT_NO_VOCAB: c->no_vocab = 1; return 1;
    case OPT_TRUST_DID: return push(c->trust_dids, &c->ntrust_dids, cmd, "--trust-did", arg);
    case OPT_TRUST_FILE: return push(c->trust_files, &c->ntrust_files, cmd, "--trust-file", arg);
    case OPT_DIA: return push(c->dias, &c->ndias, cmd, "--dia", arg);
    case OPT_OFFLINE: c->offline = 1; return 1;
    case OPT_CA_FILE: return push(c->ca_files, &c->nca_files, cmd, "--ca-file", arg);
    case OPT_ALLOW_LOOPBACK: c->allow_loopback = 1; return 1;
    case OPT_ALLOW_HTTP_LOOPBACK: c->allow_http_loopback = 1; return 1;
    case OPT_CACHE_DIR: c->cache_dir = arg; return 1;
    case OPT_CONNECT_TO: return push(c->connect_tos, &c->nconnect_tos, cmd, "--connect-to", arg);
    case OPT_REQUIRE_STATUS: c->require_status = 1; return 1;
    case OPT_NO_STATUS: c->no_status = 1; return 1;
    case OPT_CONTEXT:
        if (!strchr(arg, '=')) {
            usage_error(cmd, "--context: '%s' is not URL=FILE", arg);
            return -1;
        }
        return push(c->contexts, &c->ncontexts, cmd, "--context", arg);
    case OPT_TIMEOUT: {
        char *end = NULL;
        long ms = strtol(arg, &end, 10);
        if (!*arg || *end || ms < 100 || ms > 600000) {
            usage_error(cmd, "--timeout: '%s' is not a number of milliseconds from 100 to 600000", arg);
            return -1;
        }
        c->timeout_ms = (unsigned)ms;
        return 1;
    }
    default: return 0;
    }
}

vc_status ctx_fetch_dia(void *ctx, const char *url, char **body, size_t *len, vc_error *err)
{
    cli_ctx *c = ctx;
    return vc_fetcher_get(c->fetcher, url,
                          "application/vc+jwt, application/vc, application/vc+cose, application/json, application/jwt", 0,
                          body, len, NULL, err);
}

static int fail(const char *what, const vc_error *e)
{
    print_error(what, e);
    return EXIT_USAGE;
}

int ctx_build(cli_ctx *c, const char *cmd, int want_validator)
{
    vc_error e;
    int rc = make_resolver(c->docs, c->ndocs, c->vms, c->nvms, &c->resolver);
    if (rc)
        return rc;

    /* network: did:web, status lists, DIA services */
    if (vc_fetcher_new(&c->fetcher, &e) != VC_OK)
        return fail(cmd, &e);
    unsigned flags = (c->offline ? VC_FETCH_OFFLINE : 0) | (c->allow_loopback ? VC_FETCH_ALLOW_LOOPBACK : 0) |
                     (c->allow_http_loopback ? VC_FETCH_ALLOW_HTTP_LOOPBACK | VC_FETCH_ALLOW_LOOPBACK : 0);
    if (vc_fetcher_set_flags(c->fetcher, flags, &e) != VC_OK)
        return fail(cmd, &e);
    for (int i = 0; i < c->nca_files; i++)
        if (vc_fetcher_add_ca_file(c->fetcher, c->ca_files[i], &e) != VC_OK)
            return fail(c->ca_files[i], &e);
    for (int i = 0; i < c->nconnect_tos; i++)
        if (vc_fetcher_add_connect_to(c->fetcher, c->connect_tos[i], &e) != VC_OK)
            return fail("--connect-to", &e);
    if (c->cache_dir && vc_fetcher_set_cache_dir(c->fetcher, c->cache_dir, &e) != VC_OK)
        return fail(c->cache_dir, &e);
    if (c->timeout_ms && vc_fetcher_set_timeouts(c->fetcher, c->timeout_ms < 5000 ? c->timeout_ms : 5000,
                                                 c->timeout_ms, &e) != VC_OK)
        return fail(cmd, &e);
    if (vc_resolver_add_web(c->resolver, c->fetcher, &e) != VC_OK)
        return fail(cmd, &e);

    /* schemas and vocabulary */
    if (want_validator) {
        if (vc_data_open(c->data_dir, &c->data, &e) != VC_OK)
            return fail(c->data_dir ? c->data_dir : "data directory", &e);
        for (int i = 0; i < c->ncontexts; i++) {
            char *eq = strchr(c->contexts[i], '=');
            *eq = '\0';
            size_t len = 0;
            char *text = read_all(eq + 1, VC_MAX_INPUT_BYTES, &len);
            if (!text)
                return EXIT_USAGE;
            vc_status st = vc_data_add_context(c->data, c->contexts[i], text, len, 0, &e);
            vc_free(text);
            *eq = '=';
            if (st != VC_OK)
                return fail(c->contexts[i], &e);
        }
        if (vc_validator_new(c->data, &c->validator, &e) != VC_OK)
            return fail(cmd, &e);
        vc_validator_set_flags(c->validator, (c->allow_vocab ? VC_VALIDATE_ALLOW_VOCAB : 0) |
                                                 (c->no_schema ? VC_VALIDATE_NO_SCHEMA : 0) |
                                                 (c->no_vocab ? VC_VALIDATE_NO_VOCAB : 0));
        if (c->schema_map && vc_validator_load_schema_map(c->validator, c->schema_map, &e) != VC_OK)
            return fail(c->schema_map, &e);
    }

    /* trust anchors */
    if (c->ntrust_dids || c->ntrust_files || c->ndias) {
        if (vc_trust_new(&c->trust, &e) != VC_OK)
            return fail(cmd, &e);
        for (int i = 0; i < c->ntrust_dids; i++)
            if (vc_trust_add_did(c->trust, c->trust_dids[i], &e) != VC_OK)
                return fail(c->trust_dids[i], &e);
        for (int i = 0; i < c->ntrust_files; i++)
            if (vc_trust_load_file(c->trust, c->trust_files[i], &e) != VC_OK)
                return fail(c->trust_files[i], &e);
        for (int i = 0; i < c->ndias; i++) {
            size_t len = 0;
            char *text = read_all(c->dias[i], VC_MAX_INPUT_BYTES, &len);
            if (!text)
                return EXIT_USAGE;
            vc_status st = vc_trust_add_dia(c->trust, text, len, &e);
            vc_free(text);
            if (st != VC_OK)
                return fail(c->dias[i], &e);
        }
        vc_trust_set_fetch(c->trust, ctx_fetch_dia, c);
    }

    if (vc_verifier_new(c->resolver, &c->verifier, &e) != VC_OK)
        return fail(cmd, &e);
    vc_verifier_set_time(c->verifier, c->at_time);
    if (c->validator)
        vc_verifier_set_validator(c->verifier, c->validator);
    if (c->trust)
        vc_verifier_set_trust(c->verifier, c->trust);
    if (!c->no_status)
        vc_verifier_set_status(c->verifier, c->fetcher, c->require_status ? VC_STATUS_REQUIRE : 0);
    return 0;
}

void ctx_free(cli_ctx *c)
{
    vc_verifier_free(c->verifier);
    vc_trust_free(c->trust);
    vc_validator_free(c->validator);
    vc_data_free(c->data);
    vc_resolver_free(c->resolver);
    vc_fetcher_free(c->fetcher);
    memset(c, 0, sizeof *c);
}
