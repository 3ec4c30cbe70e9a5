/* cmd_issue.c - `untpcred issue`: build a UNTP credential around a subject,
 * validate it (refusing to sign an invalid one, listing why), then sign it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "ctx.h"

const char issue_help[] =
    "Usage: untpcred issue --type dpp|dcc|dte|dfr|dia --key KEY [--issuer DID]\n"
    "                      --issuer-name NAME [--kid KID] [--id ID] [--valid-from TIME]\n"
    "                      [--valid-until TIME] [--untp-version V] [--format jwt|cose]\n"
    "                      [--bare] [--out FILE [--force]] [shared options] SUBJECT.json\n"
    "\n"
    "Build a UNTP credential of the type around SUBJECT.json (its credentialSubject;\n"
    "an array of events for dte): the VC 2.0 and UNTP contexts, the types, an\n"
    "urn:uuid id, validFrom (now unless given), and an issuer object {id, name}. The\n"
    "result is validated (data model, UNTP schema, vocabulary) and signed only when\n"
    "valid; otherwise every problem is listed and nothing is written.\n"
    "'untpcred template --type T' prints a subject to start from.\n"
    "\n"
    "  --type T           dpp, dcc, dte, dfr or dia\n"
    "  --key FILE         the issuer's private key (JWK or PEM)\n"
    "  --issuer DID       the issuer (default: the key's did:key)\n"
    "  --issuer-name N    the issuer's name (UNTP requires one)\n"
    "  --kid KID          verification method id (default as for sign)\n"
    "  --id ID            credential id (default: a random urn:uuid)\n"
    "  --valid-from TIME, --valid-until TIME   dateTimeStamps\n"
    "  --untp-version V   UNTP release to write (default " VC_UNTP_DEFAULT_VERSION ")\n"
    "  --format, --bare, --out, --force        as for sign\n"
    "Status (Bitstring Status List):\n"
    "Exit status: 0 issued, 1 the credential is invalid (not signed), 2 usage or I/O error.\n";

enum { OPT_TYPE = 2000, OPT_KEY, OPT_ISSUER, OPT_ISSUER_NAME, OPT_KID, OPT_ID, OPT_VALID_FROM, OPT_VALID_UNTIL,
       OPT_VERSION, OPT_FORMAT, OPT_BARE, OPT_OUT, OPT_FORCE };

/* A random (version 4) urn:uuid. */
static int new_urn_uuid(char out[46])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        return -1;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 46, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return 0;
}

/* The UNTP context URL of a type and version, from the data registry. */
static const char *untp_context(vc_data *data, const char *kind, const char *version)
{
    for (size_t i = 0; i < vc_data_count(data); i++) {
        vc_data_info info;
        if (vc_data_get_info(data, i, &info, NULL) == VC_OK && info.kind == VC_DATA_CONTEXT && info.untp_type &&
            info.version && strcmp(info.untp_type, kind) == 0 && strcmp(info.version, version) == 0)
            return info.url;
    }
    return NULL;
}

int cmd_issue(int argc, char **argv)
{
    const char *type = NULL, *keyfile = NULL, *issuer = NULL, *issuer_name = NULL, *id = NULL, *valid_from = NULL,
               *valid_until = NULL, *version = VC_UNTP_DEFAULT_VERSION, *format = "jwt", *out = NULL;
    int bare = 0, force = 0;
    vc_sign_options so = {0};
    cli_status_entries se = {0};
    cli_ctx ctx;
    ctx_init(&ctx);
    static const struct option own[] = {
        {"type", required_argument, 0, OPT_TYPE},
        {"key", required_argument, 0, OPT_KEY},
        {"issuer", required_argument, 0, OPT_ISSUER},
        {"issuer-name", required_argument, 0, OPT_ISSUER_NAME},
        {"kid", required_argument, 0, OPT_KID},
        {"id", required_argument, 0, OPT_ID},
        {"valid-from", required_argument, 0, OPT_VALID_FROM},
        {"valid-until", required_argument, 0, OPT_VALID_UNTIL},
        {"untp-version", required_argument, 0, OPT_VERSION},
        {"format", required_argument, 0, OPT_FORMAT},
        {"bare", no_argument, 0, OPT_BARE},
        {"out", required_argument, 0, OPT_OUT},
        {"force", no_argument, 0, OPT_FORCE},
        {"help", no_argument, 0, 'h'},
    };
    enum { NOWN = sizeof own / sizeof own[0] };
    struct option mine[NOWN + STATUS_ENTRY_OPTION_COUNT];
    memcpy(mine, own, sizeof own);
    memcpy(mine + NOWN, status_entry_options, STATUS_ENTRY_OPTION_COUNT * sizeof mine[0]);
    struct option opts[NOWN + STATUS_ENTRY_OPTION_COUNT + CTX_OPTION_COUNT + 1];
    ctx_merge_options(opts, mine, NOWN + STATUS_ENTRY_OPTION_COUNT);
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int h = ctx_option(&ctx, "issue", c, optarg);
        if (h == 0)
            h = status_entry_option(&se, "issue", c, optarg);
        if (h < 0)
            return EXIT_USAGE;
        if (h > 0)
            continue;
        switch (c) {
        case OPT_TYPE: type = optarg; break;
        case OPT_KEY: keyfile = optarg; break;
        case OPT_ISSUER: issuer = optarg; break;
        case OPT_ISSUER_NAME: issuer_name = optarg; break;
        case OPT_KID: so.kid = optarg; break;
        case OPT_ID: id = optarg; break;
        case OPT_VALID_FROM: valid_from = optarg; break;
        case OPT_VALID_UNTIL: valid_until = optarg; break;
        case OPT_VERSION: version = optarg; break;
        case OPT_FORMAT: format = optarg; break;
        case OPT_BARE: bare = 1; break;
        case OPT_OUT: out = optarg; break;
        case OPT_FORCE: force = 1; break;
        case 'h': printf("%s%s\nShared options:\n%s", issue_help, status_entry_help, ctx_help); return 0;
        default: return usage_error("issue", "%s", "bad option");
        }
    }
    if (optind + 1 != argc)
        return usage_error("issue", "%s", "exactly one SUBJECT.json is required");
    vc_untp_kind kind;
    vc_error e;
    if (!type || vc_untp_kind_parse(type, &kind, &e) != VC_OK)
        return usage_error("issue", "--type: '%s' is not dpp, dcc, dte, dfr or dia", type ? type : "");
    if (!keyfile)
        return usage_error("issue", "%s", "--key FILE is required");
    if (!issuer_name || !*issuer_name)
        return usage_error("issue", "%s", "--issuer-name is required: UNTP issuers carry their name");
    if (strcmp(format, "jwt") == 0)
        so.format = VC_FORMAT_JWT;
    else if (strcmp(format, "cose") == 0)
        so.format = VC_FORMAT_COSE;
    else
        return usage_error("issue", "--format: '%s' is not jwt or cose", format);
    int64_t t;
    if (valid_from && vc_datetime_parse(valid_from, &t, &e) != VC_OK)
        return usage_error("issue", "--valid-from: '%s' is not a dateTimeStamp", valid_from);
    if (valid_until && vc_datetime_parse(valid_until, &t, &e) != VC_OK)
        return usage_error("issue", "--valid-until: '%s' is not a dateTimeStamp", valid_until);
    so.bare = bare;

    int rc = ctx_build(&ctx, "issue", 1);
    vc_key *key = NULL;
    char *subject = NULL, *doc = NULL, *signed_text = NULL, *did = NULL;
    size_t slen = 0;
    if (rc)
        goto done;
    if ((rc = load_key(keyfile, &key)) != 0)
        goto done;
    if (!issuer) {
        if (vc_did_key_from_key(key, &did, &e) != VC_OK) {
            print_error("issue", &e);
            rc = EXIT_USAGE;
            goto done;
        }
        issuer = did;
    }
    const char *ctx_url = untp_context(ctx.data, vc_untp_kind_name(kind), version);
    if (!ctx_url) {
        fprintf(stderr, "%s issue: VC_ERR_SCHEMA_UNKNOWN: no UNTP %s context for version %s in %s\n", prog,
                vc_untp_kind_name(kind), version, vc_data_dir(ctx.data));
        rc = EXIT_USAGE;
        goto done;
    }
    if (!(subject = read_all(argv[optind], VC_MAX_INPUT_BYTES, &slen))) {
        rc = EXIT_USAGE;
        goto done;
    }
    char idbuf[46], now[32];
    if (!id) {
        if (new_urn_uuid(idbuf) != 0) {
            fprintf(stderr, "%s issue: VC_ERR_IO: no randomness for the credential id\n", prog);
            rc = EXIT_USAGE;
            goto done;
        }
        id = idbuf;
    }
    if (!valid_from) {
        vc_datetime_format((int64_t)time(NULL), now, sizeof now);
        valid_from = now;
    }
    /* The credential, member by member; the subject is inserted as its JSON text
     * (vc_sign parses the whole document strictly, duplicate keys included). */
    strbuf sb = {0};
    sb_append(&sb, "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",");
    sb_append_json(&sb, ctx_url);
    sb_append(&sb, "],\"type\":[");
    sb_append_json(&sb, vc_untp_kind_type(kind));
    sb_append(&sb, ",\"VerifiableCredential\"],\"id\":");
    sb_append_json(&sb, id);
    sb_append(&sb, ",\"issuer\":{\"type\":[\"CredentialIssuer\"],\"id\":");
    sb_append_json(&sb, issuer);
    sb_append(&sb, ",\"name\":");
    sb_append_json(&sb, issuer_name);
    sb_append(&sb, "},\"validFrom\":");
    sb_append_json(&sb, valid_from);
    if (valid_until) {
        sb_append(&sb, ",\"validUntil\":");
        sb_append_json(&sb, valid_until);
    }
    sb_append(&sb, ",\"credentialSubject\":");
    sb_append(&sb, subject);
    sb_append(&sb, "}");
    doc = sb.p;
    if (sb.oom) {
        fprintf(stderr, "%s issue: VC_ERR_NOMEM: out of memory\n", prog);
        rc = EXIT_USAGE;
        goto done;
    }

    /* status entries, then validate: an invalid credential is never signed */
    if (se.n) {
        char *with = NULL;
        size_t wlen = 0;
        if ((rc = status_entries_apply(&se, "issue", doc, strlen(doc), &with, &wlen)) != 0)
            goto done;
        free(doc);
        doc = malloc(wlen + 1);
        if (!doc) {
            vc_free(with);
            rc = EXIT_USAGE;
            goto done;
        }
        memcpy(doc, with, wlen);
        doc[wlen] = '\0';
        vc_free(with);
    }

    vc_report *rep = NULL;
    if (vc_validate(ctx.validator, doc, strlen(doc), &rep, &e) != VC_OK) {
        if (!rep) {
            print_error(argv[optind], &e);
            rc = EXIT_USAGE;
            goto done;
        }
        fprintf(stderr, "%s issue: the %s is not valid, so it was not signed:\n", prog, vc_untp_kind_type(kind));
        for (size_t i = 0; i < vc_report_count(rep); i++) {
            const char *name;
            vc_check_result r;
            const vc_error *d;
            vc_report_check(rep, i, &name, &r, &d);
            if (r == VC_CHECK_FAIL && d)
                fprintf(stderr, "  %s: %s: %s%s%s\n", name, vc_status_name(d->code), d->message, d->path[0] ? " at " : "",
                        d->path);
        }
        vc_report_free(rep);
        rc = EXIT_INVALID;
        goto done;
    }
    vc_report_free(rep);
    if (vc_sign(key, doc, strlen(doc), &so, &signed_text, &e) != VC_OK) {
        print_error(argv[optind], &e);
        rc = e.code == VC_ERR_INVALID_ARG || e.code == VC_ERR_KEY_NO_PRIVATE ? EXIT_USAGE : EXIT_INVALID;
        goto done;
    }
    rc = write_out(out, signed_text, 1, force);
done:
    vc_free(signed_text);
    free(doc);
    vc_free(subject);
    vc_free(did);
    vc_key_free(key);
    ctx_free(&ctx);
    return rc;
}
