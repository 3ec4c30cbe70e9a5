/* cmd_status.c - `untpcred status`: create, update and show Bitstring Status List credentials. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"

const char status_help[] =
    "Usage: untpcred status create --key KEY [--issuer DID] [--kid KID] --url URL\n"
    "                       [--size N] [--purpose revocation|suspension]\n"
    "                       [--format jwt|cose] [--bare] [--out FILE [--force]]\n"
    "       untpcred status set LIST INDEX revoked|suspended|valid --key KEY [--kid KID]\n"
    "                       [--out FILE [--force]]\n"
    "       untpcred status show [--json] LIST [INDEX]\n"
    "\n"
    "Bitstring Status List v1.0 credentials (W3C), published at URL and referenced by\n"
    "the credentialStatus entries that `sign --status-list URL --status-index N` adds.\n"
    "\n"
    "create  issue an empty list (all credentials valid) with id URL, signed by KEY:\n"
    "  --url URL      where the list will be published (its id; https)\n"
    "  --issuer DID   the list's issuer: must be the issuer of the credentials it\n"
    "                 covers (default: the key's did:key)\n"
    "  --kid KID      verification method id (needed for a did:web issuer unless the\n"
    "                 JWK has a kid)\n"
    "  --size N       entries (bits), at least 131072 (the default, 16 KiB)\n"
    "  --purpose P    revocation (default; cannot be undone) or suspension\n"
    "  --format FMT   jwt (default) or cose; --bare prints the compact form\n"
    "set     set or clear bit INDEX of LIST and re-issue it (same id and issuer, fresh\n"
    "        validFrom, same securing format). 'revoked' needs a revocation list,\n"
    "        'suspended' a suspension list; 'valid' clears a suspension. A revocation\n"
    "        is never cleared (VC_ERR_INVALID_ARG). LIST is read without verifying it\n"
    "        (you hold its key); a did:key issuer must be KEY's. --out defaults to\n"
    "        standard output; --out LIST --force updates it in place.\n"
    "show    print the list's id, issuer, purpose, size, bits set, and bit INDEX.\n"
    "        Reads the payload WITHOUT verifying it (use verify for that).\n"
    "Exit status: 0 success, 1 a list that cannot be read, 2 usage or I/O error.\n";

static int fail_code(const char *what, const vc_error *e)
{
    print_error(what, e);
    return e->code == VC_ERR_IO || e->code == VC_ERR_INVALID_ARG || e->code == VC_ERR_NOMEM ||
                   e->code == VC_ERR_KEY_NO_PRIVATE || e->code == VC_ERR_LIMIT
               ? EXIT_USAGE
               : EXIT_INVALID;
}

/* Sign and write json (an unsigned list credential). */
static int sign_and_write(const vc_key *key, const char *json, const vc_sign_options *so, const char *out, int force)
{
    char *signed_text = NULL;
    vc_error e;
    if (vc_sign(key, json, strlen(json), so, &signed_text, &e) != VC_OK)
        return fail_code("status", &e);
    int rc = write_out(out, signed_text, 1, force);
    vc_free(signed_text);
    return rc;
}

static int parse_size(const char *s, size_t *out)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *s == '-' || *end || v == 0 || v > (unsigned long long)VC_STATUS_LIST_MAX_BYTES * 8u)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int status_create(int argc, char **argv)
{
    const char *keyfile = NULL, *issuer = NULL, *url = NULL, *purpose_s = "revocation", *format = "jwt", *out = NULL;
    size_t size = VC_STATUS_LIST_MIN_BITS;
    int force = 0;
    vc_sign_options so = {0};
    static const struct option opts[] = {
        {"key", required_argument, 0, 'k'},     {"kid", required_argument, 0, 'K'},
        {"issuer", required_argument, 0, 'i'},  {"url", required_argument, 0, 'U'},
        {"size", required_argument, 0, 'n'},    {"purpose", required_argument, 0, 'p'},
        {"format", required_argument, 0, 'f'},  {"bare", no_argument, 0, 'b'},
        {"out", required_argument, 0, 'o'},     {"force", no_argument, 0, 'F'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': keyfile = optarg; break;
        case 'K': so.kid = optarg; break;
        case 'i': issuer = optarg; break;
        case 'U': url = optarg; break;
        case 'n':
            if (parse_size(optarg, &size) != 0)
                return usage_error("status", "--size: '%s' is not a number of entries", optarg);
            break;
        case 'p': purpose_s = optarg; break;
        case 'f': format = optarg; break;
        case 'b': so.bare = 1; break;
        case 'o': out = optarg; break;
        case 'F': force = 1; break;
        case 'h': fputs(status_help, stdout); return 0;
        default: return usage_error("status", "%s", "bad option");
        }
    }
    if (optind != argc)
        return usage_error("status", "unexpected argument '%s' after create", argv[optind]);
    if (!keyfile)
        return usage_error("status", "%s", "create: --key FILE is required");
    if (!url)
        return usage_error("status", "%s", "create: --url URL (where the list is published) is required");
    vc_status_purpose purpose;
    vc_error e;
    if (vc_status_purpose_parse(purpose_s, &purpose, &e) != VC_OK)
        return usage_error("status", "--purpose: '%s' is not revocation or suspension", purpose_s);
    if (strcmp(format, "jwt") == 0)
        so.format = VC_FORMAT_JWT;
    else if (strcmp(format, "cose") == 0)
        so.format = VC_FORMAT_COSE;
    else
        return usage_error("status", "unsupported --format '%s' (jwt or cose)", format);
    vc_key *key = NULL;
    int rc = load_key(keyfile, &key);
    if (rc)
        return rc;
    char *did = NULL, *json = NULL;
    vc_status_list *list = NULL;
    if (!issuer) {
        if (vc_did_key_from_key(key, &did, &e) != VC_OK) {
            rc = fail_code(keyfile, &e);
            goto done;
        }
        issuer = did;
    }
    if (vc_status_list_new(size, &list, &e) != VC_OK ||
        vc_status_list_credential(list, url, issuer, purpose, (int64_t)time(NULL), &json, &e) != VC_OK) {
        rc = fail_code("status create", &e);
        goto done;
    }
    rc = sign_and_write(key, json, &so, out, force);
done:
    vc_status_list_free(list);
    vc_free(json);
    vc_free(did);
    vc_key_free(key);
    return rc;
}

/* A decoded (unverified) list: payload object, bitstring, purpose, id, issuer. */
typedef struct loaded {
    json_t *doc;
    vc_status_list *list;
    vc_status_purpose purpose;
    char *id;
    const char *issuer; /* borrowed from doc */
    const char *format; /* "vc+jwt", "vc+cose" or NULL (plain JSON) */
    int bare;           /* the input was not an enveloped JSON object */
} loaded;

static void loaded_free(loaded *l)
{
    json_decref(l->doc);
    vc_status_list_free(l->list);
    vc_free(l->id);
    memset(l, 0, sizeof *l);
}

static int load_list(const char *path, loaded *l)
{
    memset(l, 0, sizeof *l);
    size_t len = 0;
    char *text = read_all(path, VC_MAX_INPUT_BYTES, &len);
    if (!text)
        return EXIT_USAGE;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
        i++;
    l->bare = !(i < len && text[i] == '{');
    char *json = NULL;
    vc_error e;
    vc_status st = vc_decode_unverified(text, len, &json, &l->format, &e);
    vc_free(text);
    if (st != VC_OK)
        return fail_code(path, &e);
    st = vc_status_list_from_credential(json, strlen(json), &l->list, &l->purpose, &l->id, &e);
    if (st == VC_OK) {
        json_error_t je;
        l->doc = json_loads(json, 0, &je);
        json_t *iss = l->doc ? json_object_get(l->doc, "issuer") : NULL;
        if (json_is_object(iss))
            iss = json_object_get(iss, "id");
        l->issuer = json_string_value(iss);
        if (!l->issuer || !l->id) {
            vc_error_clear(&e);
            e.code = VC_ERR_STATUS_LIST;
            snprintf(e.message, sizeof e.message, "the status list credential has no %s",
                     l->id ? "issuer id" : "id");
            st = VC_ERR_STATUS_LIST;
        }
    }
    vc_free(json);
    if (st != VC_OK) {
        loaded_free(l);
        return fail_code(path, &e);
    }
    return 0;
}

static int parse_index(const char *s, size_t *out)
{
    char *end = NULL;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v > (unsigned long long)VC_STATUS_LIST_MAX_BYTES * 8u)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int status_set(int argc, char **argv)
{
    const char *keyfile = NULL, *out = NULL;
    int force = 0;
    vc_sign_options so = {0};
    static const struct option opts[] = {{"key", required_argument, 0, 'k'}, {"kid", required_argument, 0, 'K'},
                                         {"out", required_argument, 0, 'o'}, {"force", no_argument, 0, 'F'},
                                         {"help", no_argument, 0, 'h'},      {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': keyfile = optarg; break;
        case 'K': so.kid = optarg; break;
        case 'o': out = optarg; break;
        case 'F': force = 1; break;
        case 'h': fputs(status_help, stdout); return 0;
        default: return usage_error("status", "%s", "bad option");
        }
    }
    if (optind + 3 != argc)
        return usage_error("status", "%s", "set: LIST INDEX revoked|suspended|valid is required");
    const char *path = argv[optind], *what = argv[optind + 2];
    size_t index = 0;
    if (parse_index(argv[optind + 1], &index) != 0)
        return usage_error("status", "set: INDEX '%s' is not a non-negative number", argv[optind + 1]);
    int bit;
    if (strcmp(what, "revoked") == 0 || strcmp(what, "suspended") == 0)
        bit = 1;
    else if (strcmp(what, "valid") == 0)
        bit = 0;
    else
        return usage_error("status", "set: '%s' is not revoked, suspended or valid", what);
    if (!keyfile)
        return usage_error("status", "%s", "set: --key FILE (the list issuer's key) is required");
    vc_key *key = NULL;
    int rc = load_key(keyfile, &key);
    if (rc)
        return rc;
    loaded l;
    if ((rc = load_list(path, &l)) != 0) {
        vc_key_free(key);
        return rc;
    }
    vc_error e;
    vc_error_clear(&e);
    char *did = NULL, *json = NULL;
    int cur = 0;
    e.code = VC_ERR_INVALID_ARG;
    if (strcmp(what, "revoked") == 0 && l.purpose != VC_PURPOSE_REVOCATION) {
        snprintf(e.message, sizeof e.message, "%.200s is a %s list: 'revoked' needs a revocation list", path,
                 vc_status_purpose_name(l.purpose));
        rc = fail_code("status set", &e);
        goto done;
    }
    if (strcmp(what, "suspended") == 0 && l.purpose != VC_PURPOSE_SUSPENSION) {
        snprintf(e.message, sizeof e.message, "%.200s is a %s list: 'suspended' needs a suspension list", path,
                 vc_status_purpose_name(l.purpose));
        rc = fail_code("status set", &e);
        goto done;
    }
    if (vc_status_list_get(l.list, index, &cur, &e) != VC_OK) {
        rc = fail_code("status set", &e);
        goto done;
    }
    if (!bit && cur && l.purpose == VC_PURPOSE_REVOCATION) {
        vc_error_clear(&e);
        e.code = VC_ERR_INVALID_ARG;
        snprintf(e.message, sizeof e.message,
                 "index %zu is revoked: a revocation cannot be reversed (Bitstring Status List); "
                 "issue a new credential instead",
                 index);
        rc = fail_code("status set", &e);
        goto done;
    }
    /* The key must be the list issuer's when that is a did:key (did:web: vc_sign and verifiers check the kid). */
    if (strncmp(l.issuer, "did:key:", 8) == 0) {
        if (vc_did_key_from_key(key, &did, &e) != VC_OK) {
            rc = fail_code(keyfile, &e);
            goto done;
        }
        if (strcmp(did, l.issuer) != 0) {
            vc_error_clear(&e);
            e.code = VC_ERR_INVALID_ARG;
            snprintf(e.message, sizeof e.message, "the list was issued by %.100s, not by the key's %.100s",
                     l.issuer, did);
            rc = fail_code("status set", &e);
            goto done;
        }
    }
    if (vc_status_list_set(l.list, index, bit, &e) != VC_OK ||
        vc_status_list_credential(l.list, l.id, l.issuer, l.purpose, (int64_t)time(NULL), &json, &e) != VC_OK) {
        rc = fail_code("status set", &e);
        goto done;
    }
    so.format = l.format && strstr(l.format, "cose") ? VC_FORMAT_COSE : VC_FORMAT_JWT;
    so.bare = l.bare;
    rc = sign_and_write(key, json, &so, out, force);
    if (rc == 0 && out && strcmp(out, "-") != 0)
        fprintf(stderr, "%s status: index %zu of %s is now %s\n", prog, index, l.id, bit ? what : "valid");
done:
    vc_free(json);
    vc_free(did);
    loaded_free(&l);
    vc_key_free(key);
    return rc;
}

static int status_show(int argc, char **argv)
{
    int json_out = 0;
    static const struct option opts[] = {{"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json_out = 1; break;
        case 'h': fputs(status_help, stdout); return 0;
        default: return usage_error("status", "%s", "bad option");
        }
    }
    if (optind + 1 != argc && optind + 2 != argc)
        return usage_error("status", "%s", "show: LIST [INDEX] is required");
    size_t index = 0;
    int has_index = optind + 2 == argc;
    if (has_index && parse_index(argv[optind + 1], &index) != 0)
        return usage_error("status", "show: INDEX '%s' is not a non-negative number", argv[optind + 1]);
    loaded l;
    int rc = load_list(argv[optind], &l);
    if (rc)
        return rc;
    size_t size = vc_status_list_size(l.list), set = 0;
    for (size_t i = 0; i < size; i++) {
        int b = 0;
        vc_status_list_get(l.list, i, &b, NULL);
        set += (size_t)b;
    }
    int bit = 0;
    vc_error e;
    if (has_index && vc_status_list_get(l.list, index, &bit, &e) != VC_OK) {
        rc = fail_code("status show", &e);
        loaded_free(&l);
        return rc;
    }
    const char *purpose = vc_status_purpose_name(l.purpose);
    const char *meaning = bit ? (l.purpose == VC_PURPOSE_REVOCATION ? "revoked" : "suspended") : "valid";
    if (json_out) {
        json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:b}", "id", l.id, "issuer", l.issuer, "purpose", purpose, "size",
                              (json_int_t)size, "set", (json_int_t)set, "verified", 0);
        if (o && has_index) {
            json_object_set_new(o, "index", json_integer((json_int_t)index));
            json_object_set_new(o, "bit", json_integer(bit));
            json_object_set_new(o, "status", json_string(meaning));
        }
        char *s = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_INDENT(2)) : NULL;
        json_decref(o);
        if (!s) {
            fprintf(stderr, "%s status: out of memory\n", prog);
            rc = EXIT_USAGE;
        } else {
            rc = write_out(NULL, s, 1, 0);
            free(s);
        }
    } else {
        printf("id: %s\nissuer: %s\npurpose: %s\nsize: %zu\nset: %zu\n", l.id, l.issuer, purpose, size, set);
        if (has_index)
            printf("index %zu: %d (%s)\n", index, bit, meaning);
        printf("(read without verifying the list: use `untpcred verify` for that)\n");
        rc = fflush(stdout) == 0 ? 0 : EXIT_USAGE;
    }
    loaded_free(&l);
    return rc;
}

int cmd_status(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("status", "%s", "a subcommand is required: create, set or show");
    const char *sub = argv[1];
    if (strcmp(sub, "create") == 0)
        return status_create(argc - 1, argv + 1);
    if (strcmp(sub, "set") == 0)
        return status_set(argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0)
        return status_show(argc - 1, argv + 1);
    return usage_error("status", "unknown subcommand '%s' (create, set or show)", sub);
}
