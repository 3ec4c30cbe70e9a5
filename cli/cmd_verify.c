/* cmd_verify.c - `untpcred verify`: verify a secured credential. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "ctx.h"

/* ---------------------------------------------------------------- verify */

const char verify_help[] =
    "Usage: untpcred verify [--json] [--at TIME] [--did-doc FILE ...] [--vm FILE ...]\n"
    "                       [--quiet] CREDENTIAL\n"
    "       untpcred verify --batch [--jobs N] [--at TIME] [--did-doc FILE ...]\n"
    "                       [--vm FILE ...] FILE.jsonl|DIR\n"
    "\n"
    "Verify a secured credential or presentation: an EnvelopedVerifiableCredential\n"
    "JSON object, a data:application/vc+jwt or data:application/vc+cose;base64 URL,\n"
    "a bare compact JWS, or a COSE_Sign1 (the binary file, or its base64 or base64url\n"
    "text). Checks the JOSE or COSE header (alg allow-list tied to the key, typ\n"
    "vc+jwt / application/vc+cose, cty / content type, crit), the VC Data Model 2.0,\n"
    "the JWT or CWT claims, the validity window, the issuer key (kid resolved to a\n"
    "verification method of the issuer's DID) and the signature.\n"
    "\n"
    "  --json          print the full report as JSON\n"

    "  --quiet         print nothing; only the exit status\n"
    "  --batch         verify many: one credential per line of FILE.jsonl ('-' for\n"
    "                  standard input), or one per file of DIR (in name order); print\n"
    "                  one JSON result per line, in input order; progress on a terminal\n"
    "  --jobs N        threads for --batch (default: the number of processors)\n"
    "CREDENTIAL may be '-' for standard input.\n"
    "Exit status: 0 valid (with --batch: all valid), 1 invalid, 2 usage or I/O error.\n";

static vc_status run_verify(void *v, const char *text, size_t len, vc_report **rep, vc_error *err)
{
    return vc_verify(v, text, len, rep, err);
}

int cmd_verify(int argc, char **argv)
{
    int json = 0, quiet = 0, batch = 0, jobs = 0;
    cli_ctx ctx;
    ctx_init(&ctx);
    struct option opts[CTX_OPTION_COUNT + 8];
    static const struct option own[] = {{"json", no_argument, 0, 'j'},  {"quiet", no_argument, 0, 'q'},
                                        {"help", no_argument, 0, 'h'},  {"batch", no_argument, 0, 'B'},
                                        {"jobs", required_argument, 0, 'J'}};
    ctx_merge_options(opts, own, sizeof own / sizeof own[0]);
    int c;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        int h = ctx_option(&ctx, "verify", c, optarg);
        if (h < 0)
            return EXIT_USAGE;
        if (h > 0)
            continue;
        switch (c) {
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'B': batch = 1; break;
        case 'J': {
            char *end = NULL;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 1 || v > 64)
                return usage_error("verify", "--jobs: '%s' is not a number from 1 to 64", optarg);
            jobs = (int)v;
            break;
        }
        case 'h': printf("%s\nShared options:\n%s", verify_help, ctx_help); return 0;
        default: return usage_error("verify", "%s", "bad option");
        }
    }
    if (optind + 1 != argc)
        return usage_error("verify", "%s", "exactly one CREDENTIAL is required");
    int rc = ctx_build(&ctx, "verify", 1);
    if (rc) {
        ctx_free(&ctx);
        return rc;
    }
    if (batch) {
        if (json)
            fprintf(stderr, "%s verify: --json is implied by --batch (one JSON result per line)\n", prog);
        if (jobs == 0) {
            long np = sysconf(_SC_NPROCESSORS_ONLN);
            jobs = np < 1 ? 1 : np > 64 ? 64 : (int)np;
        }
        rc = batch_verify(ctx.verifier, argv[optind], jobs, !quiet && isatty(STDERR_FILENO), stdout);
        ctx_free(&ctx);
        return rc;
    }
    rc = report_file("verify", argv[optind], run_verify, ctx.verifier, json, quiet);
    ctx_free(&ctx);
    return rc;
}
