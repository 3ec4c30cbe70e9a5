/*
 * untpcred - issue, sign and verify UNTP verifiable credentials (W3C VC 2.0,
 * VC-JOSE-COSE vc+jwt) from the command line.
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

#include <vc/vc.h>

#define EXIT_INVALID 1
#define EXIT_USAGE 2
#define MAX_DOCS 64

static const char *prog = "untpcred";

/* ------------------------------------------------------------ utilities */

static void print_error(const char *what, const vc_error *e)
{
    fprintf(stderr, "%s: %s: %s: %s", prog, what, vc_status_name(e->code), e->message);
    if (e->path[0])
        fprintf(stderr, " (at %s)", e->path);
    fputc('\n', stderr);
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s %s: ", prog, cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s %s --help'.\n", prog, cmd);
    return EXIT_USAGE;
}

/* Read a whole file ("-" is standard input), at most max bytes; prints the error. */
static char *read_all(const char *path, size_t max, size_t *len)
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
 * Write text to path ("-" or NULL: standard output). Files are written to a
 * temporary name beside the target and renamed, so a failure never leaves a
 * partial output file.
 */
static int write_out(const char *path, const char *text, int newline, int overwrite)
{
    size_t len = strlen(text);
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

static int load_key(const char *path, vc_key **key)
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
static int make_resolver(char **docs, int ndocs, char **vms, int nvms, vc_resolver **out)
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

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- keygen */

static const char keygen_help[] =
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

static int cmd_keygen(int argc, char **argv)
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

/* ------------------------------------------------------------------ sign */

static const char sign_help[] =
    "Usage: untpcred sign --key KEY [--kid KID] [--issuer DID] [--format jwt] [--bare]\n"
    "                     [--out FILE [--force]] UNSIGNED.json\n"
    "\n"
    "Secure an unsigned VC 2.0 credential (or presentation) with the VC-JOSE-COSE\n"
    "enveloping proof: the output is an EnvelopedVerifiableCredential whose id is\n"
    "data:application/vc+jwt,<JWS> (header typ vc+jwt, cty vc). The credential is\n"
    "checked against the VC Data Model first and not signed if it fails.\n"
    "\n"
    "  --key FILE     private key: JWK, PEM, or a verification method with secretKeyJwk\n"
    "  --kid KID      verification method id for the JWS kid (default: the did:key\n"
    "                 method when the issuer is the key's did:key, else the JWK's kid)\n"
    "  --issuer ID    issuer to set when the credential has none (default: the key's\n"
    "                 did:key); an error if the credential names another issuer\n"
    "  --format jwt   securing format (only jwt for now)\n"
    "  --bare         print the compact JWS instead of the enveloped JSON\n"
    "  --out FILE     write here instead of standard output (never left partial;\n"
    "                 an existing FILE is kept unless --force)\n"
    "  --force        replace an existing --out FILE\n"
    "UNSIGNED.json may be '-' for standard input.\n";

static int cmd_sign(int argc, char **argv)
{
    const char *keyfile = NULL, *format = "jwt", *out = NULL;
    int force = 0;
    vc_sign_options so = {0};
    static const struct option opts[] = {{"key", required_argument, 0, 'k'},   {"kid", required_argument, 0, 'K'},
                                         {"issuer", required_argument, 0, 'i'}, {"format", required_argument, 0, 'f'},
                                         {"bare", no_argument, 0, 'b'},        {"out", required_argument, 0, 'o'},
                                         {"force", no_argument, 0, 'F'},       {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': keyfile = optarg; break;
        case 'K': so.kid = optarg; break;
        case 'i': so.issuer = optarg; break;
        case 'f': format = optarg; break;
        case 'b': so.bare = 1; break;
        case 'o': out = optarg; break;
        case 'F': force = 1; break;
        case 'h': fputs(sign_help, stdout); return 0;
        default: return usage_error("sign", "%s", "bad option");
        }
    }
    if (!keyfile)
        return usage_error("sign", "%s", "--key FILE is required");
    if (strcmp(format, "jwt") != 0)
        return usage_error("sign", "unsupported --format '%s' (jwt)", format);
    if (optind + 1 != argc)
        return usage_error("sign", "%s", "exactly one UNSIGNED.json is required");
    vc_key *key = NULL;
    int rc = load_key(keyfile, &key);
    if (rc)
        return rc;
    size_t len = 0;
    char *text = read_all(argv[optind], VC_MAX_INPUT_BYTES, &len);
    char *signed_text = NULL;
    vc_error e;
    if (!text) {
        rc = EXIT_USAGE;
    } else if (vc_sign(key, text, len, &so, &signed_text, &e) != VC_OK) {
        print_error(argv[optind], &e);
        rc = e.code == VC_ERR_IO || e.code == VC_ERR_INVALID_ARG || e.code == VC_ERR_KEY_NO_PRIVATE ||
                     e.code == VC_ERR_NOMEM
                 ? EXIT_USAGE
                 : EXIT_INVALID;
        /* List every data-model problem, not only the first. */
        vc_report *rep = NULL;
        if (rc == EXIT_INVALID && vc_check_document(text, len, VC_CHECK_UNSIGNED, &rep, NULL) != VC_OK && rep) {
            for (size_t i = 0; i < vc_report_count(rep); i++) {
                const char *name;
                vc_check_result res;
                const vc_error *d;
                vc_report_check(rep, i, &name, &res, &d);
                if (res == VC_CHECK_FAIL && d)
                    fprintf(stderr, "  %s: %s: %s%s%s\n", name, vc_status_name(d->code), d->message,
                            d->path[0] ? " at " : "", d->path);
            }
        }
        vc_report_free(rep);
    } else
        rc = write_out(out, signed_text, 1, force);
    vc_free(signed_text);
    vc_free(text);
    vc_key_free(key);
    return rc;
}

/* ---------------------------------------------------------------- verify */

static const char verify_help[] =
    "Usage: untpcred verify [--json] [--at TIME] [--did-doc FILE ...] [--vm FILE ...]\n"
    "                       [--quiet] CREDENTIAL\n"
    "\n"
    "Verify a secured credential or presentation: an EnvelopedVerifiableCredential\n"
    "JSON object, a data:application/vc+jwt URL, or a bare compact JWS. Checks the\n"
    "JOSE header (alg allow-list tied to the key, typ vc+jwt, cty, crit), the VC Data\n"
    "Model 2.0, the JWT claims, the validity window, the issuer key (kid resolved to\n"
    "a verification method of the issuer's DID) and the signature.\n"
    "\n"
    "  --json          print the full report as JSON\n"
    "  --at TIME       verify as of TIME (dateTimeStamp, e.g. 2025-06-01T00:00:00Z)\n"
    "  --did-doc FILE  a DID (controller) document to use offline; repeatable\n"
    "  --vm FILE       a verification method object (with controller) to trust for\n"
    "                  its controller; repeatable\n"
    "  --quiet         print nothing; only the exit status\n"
    "CREDENTIAL may be '-' for standard input.\n"
    "Exit status: 0 valid, 1 invalid, 2 usage or I/O error.\n";

static int cmd_verify(int argc, char **argv)
{
    char *docs[MAX_DOCS], *vms[MAX_DOCS];
    int ndocs = 0, nvms = 0, json = 0, quiet = 0;
    const char *at = NULL;
    static const struct option opts[] = {{"json", no_argument, 0, 'j'},          {"at", required_argument, 0, 'a'},
                                         {"did-doc", required_argument, 0, 'd'}, {"vm", required_argument, 0, 'm'},
                                         {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'a': at = optarg; break;
        case 'd':
            if (ndocs == MAX_DOCS)
                return usage_error("verify", "%s", "too many --did-doc");
            docs[ndocs++] = optarg;
            break;
        case 'm':
            if (nvms == MAX_DOCS)
                return usage_error("verify", "%s", "too many --vm");
            vms[nvms++] = optarg;
            break;
        case 'q': quiet = 1; break;
        case 'h': fputs(verify_help, stdout); return 0;
        default: return usage_error("verify", "%s", "bad option");
        }
    }
    if (optind + 1 != argc)
        return usage_error("verify", "%s", "exactly one CREDENTIAL is required");
    vc_error e;
    int64_t at_time = 0;
    if (at && vc_datetime_parse(at, &at_time, &e) != VC_OK)
        return usage_error("verify", "--at: '%s' is not a dateTimeStamp like 2025-06-01T00:00:00Z", at);

    vc_resolver *r = NULL;
    int rc = make_resolver(docs, ndocs, vms, nvms, &r);
    if (rc)
        return rc;
    vc_verifier *v = NULL;
    if (vc_verifier_new(r, &v, &e) != VC_OK) {
        print_error("verify", &e);
        vc_resolver_free(r);
        return EXIT_USAGE;
    }
    if (at)
        vc_verifier_set_time(v, at_time);

    size_t len = 0;
    char *text = read_all(argv[optind], VC_MAX_INPUT_BYTES, &len);
    if (!text) {
        vc_verifier_free(v);
        vc_resolver_free(r);
        return EXIT_USAGE;
    }
    vc_report *rep = NULL;
    vc_status st = vc_verify(v, text, len, &rep, &e);
    if (!rep) {
        print_error("verify", &e);
        rc = EXIT_USAGE;
    } else {
        rc = st == VC_OK ? 0 : EXIT_INVALID;
        if (json && !quiet) {
            char *js = NULL;
            if (vc_report_to_json(rep, 1, &js, &e) == VC_OK)
                rc = write_out(NULL, js, 1, 0) ? EXIT_USAGE : rc;
            vc_free(js);
        } else if (!quiet) {
            const char *issuer = vc_report_issuer(rep);
            printf("%s %s%s%s\n", st == VC_OK ? "VALID" : "INVALID", vc_report_format(rep) ? vc_report_format(rep) : "",
                   issuer ? " issued by " : "", issuer ? issuer : "");
            for (size_t i = 0; i < vc_report_count(rep); i++) {
                const char *name;
                vc_check_result res;
                const vc_error *d;
                vc_report_check(rep, i, &name, &res, &d);
                static const char *const label[] = {"pass", "FAIL", "skip", "warn"};
                printf("  %-4s %s", label[res], name);
                if (d && res != VC_CHECK_PASS) {
                    if (d->code != VC_OK)
                        printf(": %s", vc_status_name(d->code));
                    if (d->message[0])
                        printf(": %s", d->message);
                    if (d->path[0])
                        printf(" (at %s)", d->path);
                }
                putchar('\n');
            }
        }
    }
    vc_report_free(rep);
    vc_free(text);
    vc_verifier_free(v);
    vc_resolver_free(r);
    return rc;
}

/* --------------------------------------------------------------- resolve */

static const char resolve_help[] =
    "Usage: untpcred resolve [--did-doc FILE ...] [--vm FILE ...] DID\n"
    "\n"
    "Resolve a DID and print its DID document. Built in: did:key (Ed25519, P-256,\n"
    "P-384) and did:jwk, with no network. --did-doc and --vm supply documents offline.\n"
    "Exit status: 0 resolved, 1 could not be resolved, 2 usage (a malformed DID) or I/O error.\n";

static int cmd_resolve(int argc, char **argv)
{
    char *docs[MAX_DOCS], *vms[MAX_DOCS];
    int ndocs = 0, nvms = 0;
    static const struct option opts[] = {{"did-doc", required_argument, 0, 'd'},
                                         {"vm", required_argument, 0, 'm'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (ndocs == MAX_DOCS)
                return usage_error("resolve", "%s", "too many --did-doc");
            docs[ndocs++] = optarg;
            break;
        case 'm':
            if (nvms == MAX_DOCS)
                return usage_error("resolve", "%s", "too many --vm");
            vms[nvms++] = optarg;
            break;
        case 'h': fputs(resolve_help, stdout); return 0;
        default: return usage_error("resolve", "%s", "bad option");
        }
    }
    if (optind + 1 != argc)
        return usage_error("resolve", "%s", "exactly one DID is required");
    vc_resolver *r = NULL;
    int rc = make_resolver(docs, ndocs, vms, nvms, &r);
    if (rc)
        return rc;
    vc_error e;
    char *doc = NULL;
    if (vc_resolver_resolve(r, argv[optind], &doc, &e) != VC_OK) {
        print_error(argv[optind], &e);
        rc = e.code == VC_ERR_DID_SYNTAX || e.code == VC_ERR_INVALID_ARG || e.code == VC_ERR_IO ? EXIT_USAGE
                                                                                                : EXIT_INVALID;
    } else
        rc = write_out(NULL, doc, 1, 0);
    vc_free(doc);
    vc_resolver_free(r);
    return rc;
}

/* ------------------------------------------------------------------ main */

static const char main_help[] =
    "Usage: untpcred COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Issue, sign and verify UN Transparency Protocol verifiable credentials\n"
    "(W3C VC Data Model 2.0 secured with VC-JOSE-COSE, typ vc+jwt).\n"
    "\n"
    "Commands:\n"
    "  keygen    generate an Ed25519 or P-256 key pair (JWK or PEM, written 0600)\n"
    "  sign      secure an unsigned credential as an EnvelopedVerifiableCredential\n"
    "  verify    verify a secured credential and print a report\n"
    "  resolve   resolve a DID (did:key, did:jwk, or documents given offline)\n"
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
    } cmds[] = {{"keygen", cmd_keygen, keygen_help},
                {"sign", cmd_sign, sign_help},
                {"verify", cmd_verify, verify_help},
                {"resolve", cmd_resolve, resolve_help}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(cmd, cmds[i].name) == 0) {
            if (wants_help(argc - 1, argv + 1)) {
                fputs(cmds[i].help, stdout);
                return 0;
            }
            optind = 1;
            return cmds[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "%s: unknown command '%s'\n\n%s", prog, cmd, main_help);
    return EXIT_USAGE;
}
