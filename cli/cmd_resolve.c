/* cmd_resolve.c - `untpcred resolve`: resolve a DID. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"

/* --------------------------------------------------------------- resolve */

const char resolve_help[] =
    "Usage: untpcred resolve [--did-doc FILE ...] [--vm FILE ...] DID\n"
    "\n"
    "Resolve a DID and print its DID document. Built in: did:key (Ed25519, P-256,\n"
    "P-384) and did:jwk, with no network; did:web over HTTPS (--offline: cache only).\n"
    "--did-doc and --vm supply documents offline.\n"
    "Exit status: 0 resolved, 1 could not be resolved, 2 usage (a malformed DID) or I/O error.\n";

int cmd_resolve(int argc, char **argv)
{
    cli_ctx ctx;
    ctx_init(&ctx);
    static const struct option own[] = {{"help", no_argument, 0, 'h'}};
    struct option opts[sizeof own / sizeof own[0] + CTX_OPTION_COUNT + 1];
    ctx_merge_options(opts, own, sizeof own / sizeof own[0]);
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int h = ctx_option(&ctx, "resolve", c, optarg);
        if (h < 0)
            return EXIT_USAGE;
        if (h > 0)
            continue;
        if (c == 'h') {
            printf("%s\nShared options:\n%s", resolve_help, ctx_help);
            return 0;
        }
        return usage_error("resolve", "%s", "bad option");
    }
    if (optind + 1 != argc)
        return usage_error("resolve", "%s", "exactly one DID is required");
    int rc = ctx_build(&ctx, "resolve", 0);
    if (rc) {
        ctx_free(&ctx);
        return rc;
    }
    vc_error e;
    char *doc = NULL;
    if (vc_resolver_resolve(ctx.resolver, argv[optind], &doc, &e) != VC_OK) {
        print_error(argv[optind], &e);
        rc = e.code == VC_ERR_DID_SYNTAX || e.code == VC_ERR_INVALID_ARG || e.code == VC_ERR_IO ? EXIT_USAGE
                                                                                                : EXIT_INVALID;
    } else
        rc = write_out(NULL, doc, 1, 0);
    vc_free(doc);
    ctx_free(&ctx);
    return rc;
}
