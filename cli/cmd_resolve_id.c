/*
 * cmd_resolve_id.c - `untpcred resolve-id`: follow an identifier (an ISO/IEC 18975
 * / GS1 Digital Link URL, a UNTP Identity Resolver URL) to its RFC 9264 linkset
 * and pick the UNTP credential link (untp:dpp, ...); optionally verify it.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctx.h"

#define MAX_LINKS 256    /* links of a linkset considered; the rest are ignored */
#define MAX_CONTEXTS 64  /* link context objects considered */
#define UNTP_LINK_TYPES "https://test.uncefact.org/vocabulary/linkTypes/"

const char resolve_id_help[] =
    "Usage: untpcred resolve-id [--link-type TYPE] [--json] [--verify] [shared options] URL\n"
    "\n"
    "Resolve an identifier URL (ISO/IEC 18975, GS1 Digital Link, UNTP Identity\n"
    "Resolver): GET it asking for an RFC 9264 linkset (Accept: application/linkset+json;\n"
    "application/json is also taken), read {\"linkset\":[{\"anchor\":..,\"REL\":[{\"href\":..,\n"
    "\"type\":..,\"title\":..}]}]} (the UNTP form {\"link\":[{\"href\":..,\"rel\":[..]}]} too),\n"
    "and print the URL of the first link whose relation is the link type.\n"
    "\n"
    "  --link-type T  dpp (default), dcc, dte, dfr, dia or idr: matches untp:T and\n"
    "                 " UNTP_LINK_TYPES "T; any other value (a full URI,\n"
    "                 gs1:pip, ...) is matched exactly\n"
    "  --json         print {\"url\",\"linkType\",\"selected\",\"links\":[every link]} (with\n"
    "                 --verify also \"report\")\n"
    "  --verify       fetch the link's target and verify it as `verify` does (all the\n"
    "                 shared options apply: --trust-did, --ca-file, --connect-to, ...)\n"
    "The linkset is bounded by the fetcher's size cap; at most 256 links are read.\n"
    "Errors: VC_ERR_NET_* (fetch, redirects, content type), VC_ERR_JSON* (not a\n"
    "linkset), VC_ERR_FORMAT (no link of that type).\n"
    "Exit status: 0 found (and valid with --verify), 1 not found / invalid / fetch\n"
    "failed, 2 usage error.\n";

typedef struct link {
    const char *anchor, *rel, *href, *type, *title; /* borrowed from the parsed linkset */
} link;

typedef struct links {
    link l[MAX_LINKS];
    size_t n;
    int truncated;
} links;

static int fail_with(vc_status code, const char *what, const char *fmt, const char *arg)
{
    vc_error e;
    vc_error_clear(&e);
    e.code = code;
    snprintf(e.message, sizeof e.message, fmt, arg);
    print_error(what, &e);
    return EXIT_INVALID;
}

static void add_link(links *ls, const char *anchor, const char *rel, const json_t *target)
{
    if (!json_is_object(target))
        return;
    const char *href = json_string_value(json_object_get(target, "href"));
    if (!href)
        return;
    if (ls->n == MAX_LINKS) {
        ls->truncated = 1;
        return;
    }
    link *l = &ls->l[ls->n++];
    l->anchor = anchor;
    l->rel = rel;
    l->href = href;
    l->type = json_string_value(json_object_get(target, "type"));
    l->title = json_string_value(json_object_get(target, "title"));
}

/* Targets of one relation: an array of target objects (a lone object is taken too). */
static void add_targets(links *ls, const char *anchor, const char *rel, const json_t *v)
{
    if (json_is_object(v)) {
        add_link(ls, anchor, rel, v);
        return;
    }
    size_t i;
    const json_t *t;
    json_array_foreach(v, i, t) add_link(ls, anchor, rel, t);
}

/* Read a linkset document. Returns VC_OK or a code (message printed by the caller). */
static vc_status parse_linkset(const json_t *doc, links *ls, const char **why)
{
    const json_t *set = json_object_get(doc, "linkset");
    if (!json_is_array(set)) {
        *why = "the document has no \"linkset\" array (RFC 9264)";
        return VC_ERR_JSON_TYPE;
    }
    size_t i;
    const json_t *ctxo;
    json_array_foreach(set, i, ctxo) {
        if (i == MAX_CONTEXTS) {
            ls->truncated = 1;
            break;
        }
        if (!json_is_object(ctxo)) {
            *why = "a linkset entry is not a link context object";
            return VC_ERR_JSON_TYPE;
        }
        const char *anchor = json_string_value(json_object_get(ctxo, "anchor"));
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)ctxo, key, v) {
            if (strcmp(key, "anchor") == 0)
                continue;
            if (strcmp(key, "link") == 0 && json_is_array(v)) {
                /* UNTP IDR form: targets carry their relation types in "rel" */
                size_t j;
                const json_t *t;
                json_array_foreach(v, j, t) {
                    const json_t *rel = json_object_get(t, "rel");
                    if (json_is_string(rel))
                        add_link(ls, anchor, json_string_value(rel), t);
                    size_t k;
                    const json_t *r;
                    json_array_foreach(rel, k, r) if (json_is_string(r)) add_link(ls, anchor, json_string_value(r), t);
                }
                continue;
            }
            add_targets(ls, anchor, key, v);
        }
    }
    return VC_OK;
}

/* Does relation type rel match the requested link type? */
static int rel_matches(const char *rel, const char *want, int short_name)
{
    if (!short_name)
        return strcmp(rel, want) == 0;
    if (strncasecmp(rel, "untp:", 5) == 0 && strcasecmp(rel + 5, want) == 0)
        return 1;
    size_t pl = strlen(UNTP_LINK_TYPES);
    return strncmp(rel, UNTP_LINK_TYPES, pl) == 0 && strcasecmp(rel + pl, want) == 0;
}

static json_t *link_json(const link *l)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (l->anchor)
        json_object_set_new(o, "anchor", json_string(l->anchor));
    json_object_set_new(o, "rel", json_string(l->rel));
    json_object_set_new(o, "href", json_string(l->href));
    if (l->type)
        json_object_set_new(o, "type", json_string(l->type));
    if (l->title)
        json_object_set_new(o, "title", json_string(l->title));
    return o;
}

int cmd_resolve_id(int argc, char **argv)
{
    const char *link_type = "dpp";
    int json_out = 0, verify = 0;
    cli_ctx ctx;
    ctx_init(&ctx);
    struct option opts[CTX_OPTION_COUNT + 8];
    static const struct option own[] = {{"link-type", required_argument, 0, 'l'},
                                        {"json", no_argument, 0, 'j'},
                                        {"verify", no_argument, 0, 'V'},
                                        {"help", no_argument, 0, 'h'}};
    ctx_merge_options(opts, own, sizeof own / sizeof own[0]);
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int h = ctx_option(&ctx, "resolve-id", c, optarg);
        if (h < 0)
            return EXIT_USAGE;
        if (h > 0)
            continue;
        switch (c) {
        case 'l': link_type = optarg; break;
        case 'j': json_out = 1; break;
        case 'V': verify = 1; break;
        case 'h': printf("%s\nShared options:\n%s", resolve_id_help, ctx_help); return 0;
        default: return usage_error("resolve-id", "%s", "bad option");
        }
    }
    if (optind + 1 != argc)
        return usage_error("resolve-id", "%s", "exactly one identifier URL is required");
    if (!*link_type || strlen(link_type) > 512)
        return usage_error("resolve-id", "--link-type: '%s' is empty or too long", link_type);
    static const char *const short_names[] = {"dpp", "dcc", "dte", "dfr", "dia", "idr"};
    int short_name = 0;
    for (size_t i = 0; i < sizeof short_names / sizeof short_names[0]; i++)
        if (strcasecmp(link_type, short_names[i]) == 0)
            short_name = 1;
    if (!short_name && !strchr(link_type, ':'))
        return usage_error("resolve-id",
                           "--link-type: '%s' is not dpp, dcc, dte, dfr, dia, idr, a prefixed name or a URI",
                           link_type);
    const char *url = argv[optind];
    int rc = ctx_build(&ctx, "resolve-id", verify);
    if (rc) {
        ctx_free(&ctx);
        return rc;
    }

    char *body = NULL, *target = NULL;
    size_t len = 0, tlen = 0;
    json_t *doc = NULL, *out = NULL;
    vc_report *rep = NULL;
    vc_error e;
    links *ls = calloc(1, sizeof *ls);
    if (!ls) {
        fprintf(stderr, "%s resolve-id: out of memory\n", prog);
        rc = EXIT_USAGE;
        goto done;
    }
    if (vc_fetcher_get(ctx.fetcher, url, "application/linkset+json, application/json", 0, &body, &len, NULL, &e) !=
        VC_OK) {
        print_error("resolve-id", &e);
        rc = EXIT_INVALID;
        goto done;
    }
    json_error_t je;
    doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        char msg[250];
        snprintf(msg, sizeof msg, "the linkset at %.120s is not JSON: %.80s", url, je.text);
        rc = fail_with(strstr(je.text, "duplicate") ? VC_ERR_JSON_DUPKEY : VC_ERR_JSON, "resolve-id", "%s", msg);
        goto done;
    }
    const char *why = NULL;
    vc_status st = json_is_object(doc) ? parse_linkset(doc, ls, &why) : VC_ERR_JSON_TYPE;
    if (st != VC_OK) {
        rc = fail_with(st, "resolve-id", "%s", why ? why : "the linkset is not a JSON object");
        goto done;
    }
    if (ls->truncated)
        fprintf(stderr, "%s resolve-id: the linkset is large: only its first %d links were read\n", prog,
                MAX_LINKS);
    const link *sel = NULL;
    for (size_t i = 0; i < ls->n && !sel; i++)
        if (rel_matches(ls->l[i].rel, link_type, short_name))
            sel = &ls->l[i];
    if (sel && strncasecmp(sel->href, "https://", 8) != 0 && strncasecmp(sel->href, "http://", 7) != 0) {
        rc = fail_with(VC_ERR_FORMAT, "resolve-id", "the link's target '%.200s' is not an absolute http(s) URL",
                       sel->href);
        goto done;
    }
    if (json_out) {
        out = json_object();
        json_t *arr = json_array();
        if (!out || !arr) {
            json_decref(arr);
            fprintf(stderr, "%s resolve-id: out of memory\n", prog);
            rc = EXIT_USAGE;
            goto done;
        }
        json_object_set_new(out, "url", json_string(url));
        json_object_set_new(out, "linkType", json_string(link_type));
        json_object_set_new(out, "selected", sel ? link_json(sel) : json_null());
        for (size_t i = 0; i < ls->n; i++)
            json_array_append_new(arr, link_json(&ls->l[i]));
        json_object_set_new(out, "links", arr);
    }
    if (!sel) {
        char msg[250];
        snprintf(msg, sizeof msg, "the linkset of %.100s (%zu links) has no link of type %.80s", url, ls->n,
                 link_type);
        rc = fail_with(VC_ERR_FORMAT, "resolve-id", "%s", msg);
        if (out) {
            char *s = json_dumps(out, JSON_PRESERVE_ORDER | JSON_INDENT(2));
            if (s)
                write_out(NULL, s, 1, 0);
            free(s);
        }
        goto done;
    }
    if (!verify) {
        if (out) {
            char *s = json_dumps(out, JSON_PRESERVE_ORDER | JSON_INDENT(2));
            rc = s ? write_out(NULL, s, 1, 0) : EXIT_USAGE;
            free(s);
        } else {
            printf("%s\n", sel->href);
            rc = fflush(stdout) == 0 ? 0 : EXIT_USAGE;
        }
        goto done;
    }
    /* --verify: fetch the target and verify it with the shared verifier */
    if (vc_fetcher_get(ctx.fetcher, sel->href,
                       "application/vc+jwt, application/vc, application/vc+cose, application/vc+ld+json, "
                       "application/json, application/jwt",
                       0, &target, &tlen, NULL, &e) != VC_OK) {
        print_error("resolve-id", &e);
        rc = EXIT_INVALID;
        goto done;
    }
    st = vc_verify(ctx.verifier, target, tlen, &rep, &e);
    if (!rep) {
        print_error("resolve-id", &e);
        rc = EXIT_USAGE;
        goto done;
    }
    rc = st == VC_OK ? 0 : EXIT_INVALID;
    if (out) {
        char *rj = NULL;
        json_t *r = NULL;
        if (vc_report_to_json(rep, 0, &rj, &e) == VC_OK)
            r = json_loads(rj, 0, NULL);
        vc_free(rj);
        json_object_set_new(out, "report", r ? r : json_null());
        char *s = json_dumps(out, JSON_PRESERVE_ORDER | JSON_INDENT(2));
        if (!s || write_out(NULL, s, 1, 0) != 0)
            rc = EXIT_USAGE;
        free(s);
    } else {
        printf("%s\n", sel->href);
        if (print_report(rep, 0) != 0)
            rc = EXIT_USAGE;
    }
done:
    vc_report_free(rep);
    json_decref(out);
    json_decref(doc);
    free(ls);
    vc_free(target);
    vc_free(body);
    ctx_free(&ctx);
    return rc;
}
