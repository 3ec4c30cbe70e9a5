/* cmd_validate.c - `untpcred validate`: data model, UNTP schema and vocabulary, no signature. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"

const char validate_help[] =
    "Usage: untpcred validate [--json] [--quiet] [shared options] CREDENTIAL\n"
    "\n"
    "Check a credential or presentation without verifying any signature: the VC\n"
    "Data Model 2.0, the W3C VC JSON Schema, the UNTP JSON Schema of its type and\n"
    "version (DPP, DCC, DTE, DFR, DIA; 0.6.1 and 0.6.0; extension types through\n"
    "--schema-map), and the JSON-LD vocabulary (every term defined by the pinned\n"
    "contexts; @vocab not allowed for UNTP). CREDENTIAL may be unsigned, or secured\n"
    "(its payload is decoded, not verified: use verify for that). '-' reads standard input.\n"
    "\n"
    "  --json     print the report as JSON\n"
    "  --quiet    print nothing; only the exit status\n"
    "Exit status: 0 valid, 1 invalid, 2 usage or I/O error.\n";

static vc_status run_validate(void *v, const char *text, size_t len, vc_report **rep, vc_error *err)
{
    return vc_validate(v, text, len, rep, err);
}

int cmd_validate(int argc, char **argv)
{
    int json = 0, quiet = 0;
    cli_ctx ctx;
    ctx_init(&ctx);
    static const struct option own[] = {{"json", no_argument, 0, 'j'},
                                        {"quiet", no_argument, 0, 'q'},
                                        {"help", no_argument, 0, 'h'}};
    struct option opts[sizeof own / sizeof own[0] + CTX_OPTION_COUNT + 1];
    ctx_merge_options(opts, own, sizeof own / sizeof own[0]);
    int c;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        int h = ctx_option(&ctx, "validate", c, optarg);
        if (h < 0)
            return EXIT_USAGE;
        if (h > 0)
            continue;
        switch (c) {
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'h': printf("%s\nShared options:\n%s", validate_help, ctx_help); return 0;
        default: return usage_error("validate", "%s", "bad option");
        }
    }
    if (optind + 1 != argc)
        return usage_error("validate", "%s", "exactly one CREDENTIAL is required");
    int rc = ctx_build(&ctx, "validate", 1);
    if (rc) {
        ctx_free(&ctx);
        return rc;
    }
    rc = report_file("validate", argv[optind], run_validate, ctx.validator, json, quiet);
    ctx_free(&ctx);
    return rc;
}
