/* cmd_keygen.c - `untpcred keygen`: generate a key pair. */
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

/* ---------------------------------------------------------------- keygen */

const char keygen_help[] =
    "Usage: untpcred keygen [--alg EdDSA|ES256] --out KEY.jwk [--pem] [--json] [--force]\n"
    "\n"
    "Generate a signing key pair and write the private key to KEY.jwk (mode 0600).\n"
    "Prints the key's did:key on standard output.\n"
    "\n"
    "  --alg ALG    EdDSA (Ed25519, default) or ES256 (P-256); ES384 and ES512 also work\n"
    "  --out FILE   where to write the private key ('-' for standard output)\n"
    "  --pem        write PKCS#8 PEM instead of JWK\n"
    "  --json       print {\"did\": ..., \"kid\": ..., \"publicKeyJwk\": ...} instead of the did:key\n"
    "               (not with --out -, which prints the private key)\n"
    "  --force      replace FILE if it exists\n";

int cmd_keygen(int argc, char **argv)
{
    const char *alg = "EdDSA", *out = NULL;
    int pem = 0, json = 0, force = 0;
    static const struct option opts[] = {{"alg", required_argument, 0, 'a'}, {"out", required_argument, 0, 'o'},
                                         {"pem", no_argument, 0, 'p'},       {"json", no_argument, 0, 'j'},
                                         {"force", no_argument, 0, 'f'},     {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "a:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': alg = optarg; break;
        case 'o': out = optarg; break;
        case 'p': pem = 1; break;
        case 'j': json = 1; break;
        case 'f': force = 1; break;
        case 'h': fputs(keygen_help, stdout); return 0;
        default: return usage_error("keygen", "%s", "bad option");
        }
    }
    if (optind != argc)
        return usage_error("keygen", "unexpected argument '%s'", argv[optind]);
    if (!out)
        return usage_error("keygen", "%s", "--out FILE is required (use '-' for standard output)");
    if (json && strcmp(out, "-") == 0)
        return usage_error("keygen", "%s", "--json cannot be used with --out - (both would go to standard output)");
    vc_key_type type = VC_KEY_NONE;
    if (strcmp(alg, "EdDSA") == 0 || strcmp(alg, "Ed25519") == 0)
        type = VC_KEY_ED25519;
    else if (strcmp(alg, "ES256") == 0)
        type = VC_KEY_P256;
    else if (strcmp(alg, "ES384") == 0)
        type = VC_KEY_P384;
    else if (strcmp(alg, "ES512") == 0)
        type = VC_KEY_P521;
    else
        return usage_error("keygen", "unknown --alg '%s' (EdDSA or ES256)", alg);

    vc_error e;
    vc_key *key = NULL;
    char *did = NULL, *text = NULL, *jwk = NULL, *vm = NULL;
    int rc = EXIT_USAGE;
    if (vc_key_generate(type, &key, &e) != VC_OK) {
        print_error("keygen", &e);
        goto done;
    }
    if (strcmp(out, "-") == 0) {
        if ((pem ? vc_key_to_pem(key, 1, &text, &e) : vc_key_to_jwk(key, 1, &text, &e)) != VC_OK) {
            print_error("keygen", &e);
            goto done;
        }
        if ((rc = write_out(NULL, text, !pem, 0)) != 0)
            goto done;
    } else if (vc_key_save(key, out, 1, pem, force, &e) != VC_OK) {
        print_error(out, &e);
        goto done;
    }
    if (vc_did_key_from_key(key, &did, &e) != VC_OK || vc_did_key_vm_id(key, &vm, &e) != VC_OK) {
        /* P-521 has no did:key multicodec in libvc: report the key without one. */
        if (e.code != VC_ERR_KEY_TYPE) {
            print_error("keygen", &e);
            goto done;
        }
    }
    if (json) {
        if (vc_key_to_jwk(key, 0, &jwk, &e) != VC_OK) {
            print_error("keygen", &e);
            goto done;
        }
        printf("{\"did\": %s%s%s, \"kid\": %s%s%s, \"publicKeyJwk\": %s}\n", did ? "\"" : "", did ? did : "null",
               did ? "\"" : "", vm ? "\"" : "", vm ? vm : "null", vm ? "\"" : "", jwk);
    } else if (did && strcmp(out, "-") != 0)
        printf("%s\n", did);
    rc = 0;
done:
    vc_free(did);
    vc_free(vm);
    vc_free(text);
    vc_free(jwk);
    vc_key_free(key);
    return rc;
}

