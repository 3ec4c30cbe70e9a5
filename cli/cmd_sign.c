/* cmd_sign.c - `untpcred sign`: secure an unsigned credential. */
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

/* ------------------------------------------------------- status entries */

const struct option status_entry_options[] = {
    {"status-list", required_argument, 0, OPT_STATUS_LIST},
    {"status-index", required_argument, 0, OPT_STATUS_INDEX},
    {"status-purpose", required_argument, 0, OPT_STATUS_PURPOSE},
    {0, 0, 0, 0},
};

const char status_entry_help[] =
    "  --status-list URL  add a BitstringStatusListEntry for the status list\n"
    "                 credential at URL (see `untpcred status create`); repeatable:\n"
    "                 each --status-list starts a new entry\n"
    "  --status-index N   the credential's index in that list (required per entry)\n"
    "  --status-purpose P revocation (default) or suspension, for that entry\n";

int status_entry_option(cli_status_entries *s, const char *cmd, int code, const char *arg)
{
    switch (code) {
    case OPT_STATUS_LIST:
        if (s->n == MAX_STATUS_ENTRIES) {
            fprintf(stderr, "%s %s: at most %d --status-list entries\n", prog, cmd, MAX_STATUS_ENTRIES);
            return -1;
        }
        memset(&s->e[s->n], 0, sizeof s->e[s->n]);
        s->e[s->n].url = arg;
        s->e[s->n].purpose = VC_PURPOSE_REVOCATION;
        s->n++;
        return 1;
    case OPT_STATUS_INDEX: {
        if (s->n == 0) {
            usage_error(cmd, "%s", "--status-index goes after the --status-list URL it belongs to");
            return -1;
        }
        if (s->e[s->n - 1].has_index) {
            usage_error(cmd, "%s", "one --status-index per --status-list");
            return -1;
        }
        char *end = NULL;
        unsigned long long v = strtoull(arg, &end, 10);
        if (!*arg || *arg == '-' || *arg == '+' || *end || v >= (unsigned long long)VC_STATUS_LIST_MAX_BYTES * 8u) {
            usage_error(cmd, "--status-index: '%s' is not an index into a status list", arg);
            return -1;
        }
        s->e[s->n - 1].index = (size_t)v;
        s->e[s->n - 1].has_index = 1;
        return 1;
    }
    case OPT_STATUS_PURPOSE: {
        if (s->n == 0) {
            usage_error(cmd, "%s", "--status-purpose goes after the --status-list URL it belongs to");
            return -1;
        }
        vc_error e;
        if (vc_status_purpose_parse(arg, &s->e[s->n - 1].purpose, &e) != VC_OK) {
            usage_error(cmd, "--status-purpose: '%s' is not revocation or suspension", arg);
            return -1;
        }
        return 1;
    }
    default: return 0;
    }
}

int status_entries_apply(const cli_status_entries *s, const char *cmd, const char *json, size_t len, char **out,
                         size_t *out_len)
{
    *out = NULL;
    char *cur = malloc(len + 1);
    if (!cur) {
        fprintf(stderr, "%s %s: out of memory\n", prog, cmd);
        return EXIT_USAGE;
    }
    memcpy(cur, json, len);
    cur[len] = '\0';
    size_t cur_len = len;
    for (int i = 0; i < s->n; i++) {
        if (!s->e[i].has_index) {
            free(cur);
            return usage_error(cmd, "--status-list %s needs its --status-index N", s->e[i].url);
        }
        char *next = NULL;
        vc_error e;
        if (vc_status_entry_add(cur, cur_len, s->e[i].url, s->e[i].index, s->e[i].purpose, &next, &e) != VC_OK) {
            print_error("--status-list", &e);
            free(cur);
            return EXIT_USAGE;
        }
        free(cur);
        cur = next;
        cur_len = strlen(cur);
    }
    *out = cur;
    if (out_len)
        *out_len = cur_len;
    return 0;
}

/* ------------------------------------------------------------------ sign */

const char sign_help[] =
    "Usage: untpcred sign --key KEY [--kid KID] [--issuer DID] [--format jwt|cose]\n"
    "                     [--bare [--base64url]] [--out FILE [--force]] UNSIGNED.json\n"
    "\n"
    "Secure an unsigned VC 2.0 credential (or presentation) with the VC-JOSE-COSE\n"
    "enveloping proof: the output is an EnvelopedVerifiableCredential whose id is\n"
    "data:application/vc+jwt,<JWS> (header typ vc+jwt, cty vc) or, with --format\n"
    "cose, data:application/vc+cose;base64,<COSE_Sign1> (typ application/vc+cose,\n"
    "content type application/vc). The credential is checked against the VC Data\n"
    "Model first and not signed if it fails.\n"
    "\n"
    "  --key FILE     private key: JWK, PEM, or a verification method with secretKeyJwk\n"
    "  --kid KID      verification method id for the JWS / COSE kid (default: the\n"
    "                 did:key method when the issuer is the key's did:key, else the\n"
    "                 JWK's kid)\n"
    "  --issuer ID    issuer to set when the credential has none (default: the key's\n"
    "                 did:key); an error if the credential names another issuer\n"
    "  --format FMT   jwt (vc+jwt, the default) or cose (vc+cose, COSE_Sign1)\n"
    "  --bare         print the compact JWS instead of the enveloped JSON; for cose,\n"
    "                 write the raw COSE_Sign1 bytes (binary: use --out FILE)\n"
    "  --base64url    with --format cose --bare: write the bytes as base64url text\n"
    "  --out FILE     write here instead of standard output (never left partial;\n"
    "                 an existing FILE is kept unless --force)\n"
    "  --force        replace an existing --out FILE\n"
    "Status (Bitstring Status List; the credential's issuer must issue the list):\n"
    "  --status-list URL  add a BitstringStatusListEntry for the list at URL;\n"
    "                 repeatable: each --status-list starts a new entry\n"
    "  --status-index N   the credential's index in that list (required)\n"
    "  --status-purpose P revocation (default) or suspension\n"
    "UNSIGNED.json may be '-' for standard input.\n";

int cmd_sign(int argc, char **argv)
{
    const char *keyfile = NULL, *format = "jwt", *out = NULL;
    int force = 0, base64url = 0;
    vc_sign_options so = {0};
    cli_status_entries se;
    memset(&se, 0, sizeof se);
    static const struct option opts[] = {{"status-list", required_argument, 0, OPT_STATUS_LIST},
                                         {"status-index", required_argument, 0, OPT_STATUS_INDEX},
                                         {"status-purpose", required_argument, 0, OPT_STATUS_PURPOSE},{"key", required_argument, 0, 'k'},   {"kid", required_argument, 0, 'K'},
                                         {"issuer", required_argument, 0, 'i'}, {"format", required_argument, 0, 'f'},
                                         {"bare", no_argument, 0, 'b'},        {"base64url", no_argument, 0, 'u'},
                                         {"out", required_argument, 0, 'o'},   {"force", no_argument, 0, 'F'},
                                         {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
        int sh = status_entry_option(&se, "sign", c, optarg);
        if (sh < 0)
            return EXIT_USAGE;
        if (sh > 0)
            continue;
        switch (c) {
        case 'k': keyfile = optarg; break;
        case 'K': so.kid = optarg; break;
        case 'i': so.issuer = optarg; break;
        case 'f': format = optarg; break;
        case 'b': so.bare = 1; break;
        case 'u': base64url = 1; break;
        case 'o': out = optarg; break;
        case 'F': force = 1; break;
        case 'h': fputs(sign_help, stdout); return 0;
        default: return usage_error("sign", "%s", "bad option");
        }
    }
    if (!keyfile)
        return usage_error("sign", "%s", "--key FILE is required");
    if (strcmp(format, "jwt") == 0)
        so.format = VC_FORMAT_JWT;
    else if (strcmp(format, "cose") == 0)
        so.format = VC_FORMAT_COSE;
    else
        return usage_error("sign", "unsupported --format '%s' (jwt or cose)", format);
    if (base64url && !(so.bare && so.format == VC_FORMAT_COSE))
        return usage_error("sign", "%s", "--base64url goes with --format cose --bare (a JWS is base64url already)");
    /* Raw COSE bytes are binary: never to a terminal. */
    int binary = so.bare && so.format == VC_FORMAT_COSE && !base64url;
    if (binary && (!out || strcmp(out, "-") == 0) && isatty(STDOUT_FILENO))
        return usage_error("sign", "%s",
                           "--bare COSE output is binary: give --out FILE, redirect standard output, or add --base64url");
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
    if (text && se.n) {
        char *with = NULL;
        rc = status_entries_apply(&se, "sign", text, len, &with, &len);
        vc_free(text);
        text = with;
    }
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
    } else if (binary) {
        /* vc_sign gives the bare COSE_Sign1 as base64url text: write its bytes. */
        uint8_t *bytes = NULL;
        size_t n = 0;
        if (vc_base64url_decode(signed_text, strlen(signed_text), &bytes, &n, &e) != VC_OK) {
            print_error("sign", &e);
            rc = EXIT_USAGE;
        } else
            rc = write_bytes(out, (const char *)bytes, n, 0, force);
        vc_free(bytes);
    } else
        rc = write_out(out, signed_text, 1, force);
    vc_free(signed_text);
    vc_free(text);
    vc_key_free(key);
    return rc;
}

