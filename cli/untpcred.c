/*
 * untpcred - issue, sign and verify UNTP verifiable credentials (W3C VC 2.0,
 * VC-JOSE-COSE vc+jwt and vc+cose) from the command line.
 *
 * A thin client of libvc's public API: argument parsing, file I/O, printing.
 * Exit status: 0 success / valid, 1 invalid credential or refused input,
 * 2 usage, I/O or configuration error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"

/* ------------------------------------------------------------------ main */

static const char main_help[] =
    "Usage: untpcred COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Issue, sign and verify UN Transparency Protocol verifiable credentials\n"
    "(W3C VC Data Model 2.0 secured with VC-JOSE-COSE: vc+jwt or vc+cose).\n"
    "\n"
    "Commands:\n"
    "  keygen       generate an Ed25519 or P-256 key pair (JWK or PEM, written 0600)\n"
    "  issue        build a UNTP credential (dpp, dcc, dte, dfr, dia) from a subject, validate, sign\n"
    "  template     print a minimal valid subject for a UNTP credential type\n"
    "  sign         secure an unsigned credential as an EnvelopedVerifiableCredential\n"
    "  validate     check data model, UNTP schema and vocabulary (no signature)\n"
    "  verify       verify a secured credential (or many, --batch) and print a report\n"
    "  status       create and update Bitstring Status List credentials\n"
    "  resolve      resolve a DID (did:key, did:jwk, did:web, or documents given offline)\n"
    "  resolve-id   follow an identifier's linkset to its UNTP credential\n"
    "  conformance  run the UNTP conformance tiers over credentials (JUnit, JSON, TAP)\n"
    "\n"
    "'untpcred COMMAND --help' describes each command. 'untpcred --version' prints\n"
    "the version. '-' stands for standard input or output.\n"
    "Exit status: 0 success, 1 invalid or refused credential, 2 usage or I/O error.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_help, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(main_help, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("untpcred %s (libvc %s)\n", VC_VERSION_STRING, vc_version());
        return 0;
    }
    if (vc_init() != VC_OK) {
        fprintf(stderr, "%s: cannot initialise the crypto library\n", prog);
        return EXIT_USAGE;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
        const char *help;
        int shared; /* takes the shared verification options (ctx.h) */
    } cmds[] = {{"keygen", cmd_keygen, keygen_help, 0},
                {"sign", cmd_sign, sign_help, 0},
                {"verify", cmd_verify, verify_help, 1},
                {"resolve", cmd_resolve, resolve_help, 1},
                {"issue", cmd_issue, issue_help, 1},
                {"template", cmd_template, template_help, 0},
                {"validate", cmd_validate, validate_help, 1},
                {"status", cmd_status, status_help, 0},
                {"resolve-id", cmd_resolve_id, resolve_id_help, 1},
                {"conformance", cmd_conformance, conformance_help, 1}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(cmd, cmds[i].name) == 0) {
            if (wants_help(argc - 1, argv + 1)) {
                fputs(cmds[i].help, stdout);
                if (cmds[i].shared)
                    printf("\nShared options:\n%s", ctx_help);
                return 0;
            }
            optind = 1;
            return cmds[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "%s: unknown command '%s'\n\n%s", prog, cmd, main_help);
    return EXIT_USAGE;
}
