/* cmd_conformance.c - `untpcred conformance`: the UNTP conformance suite (three
 * tiers, as the UN test harness) over files, directories and URLs. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctx.h"

#define CONF_MAX_DEPTH 16 /* directory nesting followed */

const char conformance_help[] =
    "Usage: untpcred conformance [--tier 1|2|3] [--trust-did DID ...] [--schema-map FILE]\n"
    "                            [--did-doc FILE ...] [--junit FILE] [--json FILE] [--tap]\n"
    "                            PATH_OR_URL ...\n"
    "\n"
    "Run the UNTP conformance suite (the three tiers of the UN test harness) over\n"
    "secured credentials: files, directories (recursively: *.json, *.jwt, *.txt,\n"
    "*.cose) and https:// URLs.\n"
    "  Tier 1  VC 2.0 data model, W3C VC JSON Schema, JSON-LD (contexts known, terms\n"
    "          defined), the VC-JOSE-COSE enveloping proof and its signature\n"
    "  Tier 2  the UNTP schema of the detected type and version (extensions through\n"
    "          --schema-map), context order (VC 2.0 first, then the type's UNTP context)\n"
    "  Tier 3  the trust graph of all inputs together: each DPP conformity claim backed\n"
    "          by a verified DCC (same product, topic and criterion, conformance true;\n"
    "          anchored when trust roots are given), each issuer anchored by a DIA chain\n"
    "          to a --trust-did root; DIAs among the inputs are used automatically\n"
    "\n"
    "  --tier N        run tiers 1..N (default 3)\n"
    "  --junit FILE    also write a JUnit XML report (one testsuite per credential)\n"
    "  --json FILE     also write a JSON report\n"
    "  --tap           print TAP version 13 instead of the text summary\n"
    "Prints one line per test (credential x check) and a last line\n"
    "'N passed, N failed' (', N skipped' when any). Report files are written\n"
    "atomically; '-' is standard output.\n"
    "Exit status: 0 all tests pass (skips allowed), 1 any test fails, 2 usage or I/O error.\n";

typedef struct inputs {
    char **names;
    size_t n, cap;
} inputs;

static int push_name(inputs *in, const char *name)
{
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 32;
        char **nn = realloc(in->names, cap * sizeof *nn);
        if (!nn)
            return -1;
        in->names = nn;
        in->cap = cap;
    }
    if (!(in->names[in->n] = strdup(name)))
        return -1;
    in->n++;
    return 0;
}

static int wanted(const char *name)
{
    static const char *ext[] = {".json", ".jwt", ".txt", ".cose"};
    size_t n = strlen(name);
    if (name[0] == '.')
        return 0;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t k = strlen(ext[i]);
        if (n > k && strcmp(name + n - k, ext[i]) == 0)
            return 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a directory, recursively, in name order. Returns 0 or EXIT_USAGE. */
static int walk(inputs *in, const char *dir, int depth)
{
    if (depth > CONF_MAX_DEPTH) {
        fprintf(stderr, "%s conformance: %s: directories nested deeper than %d\n", prog, dir, CONF_MAX_DEPTH);
        return EXIT_USAGE;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s conformance: %s: VC_ERR_IO: cannot open the directory\n", prog, dir);
        return EXIT_USAGE;
    }
    inputs here = {0};
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) && !rc) {
        if (de->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        char *path = malloc(len);
        if (!path) {
            rc = EXIT_USAGE;
            break;
        }
        snprintf(path, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && wanted(de->d_name))))
            if (push_name(&here, path) != 0)
                rc = EXIT_USAGE;
        free(path);
    }
    closedir(d);
    if (here.n)
        qsort(here.names, here.n, sizeof *here.names, cmp_str);
    for (size_t i = 0; i < here.n; i++) {
        struct stat st;
        if (!rc) {
            if (stat(here.names[i], &st) == 0 && S_ISDIR(st.st_mode))
                rc = walk(in, here.names[i], depth + 1);
            else if (push_name(in, here.names[i]) != 0)
                rc = EXIT_USAGE;
        }
        free(here.names[i]);
    }
    free(here.names);
    return rc;
}

static int is_url(const char *s)
{
    return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

/* Read one input (file or URL) into the suite. 0 or EXIT_USAGE (printed). */
static int add_input(cli_ctx *ctx, vc_suite *suite, const char *name)
{
    vc_error e;
    char *text = NULL;
    size_t len = 0;
    if (is_url(name)) {
        if (vc_fetcher_get(ctx->fetcher, name,
                           "application/vc+jwt, application/vc+cose, application/vc, application/vp+jwt, "
                           "application/json, application/jwt, text/plain",
                           0, &text, &len, NULL, &e) != VC_OK) {
            print_error(name, &e);
            return EXIT_USAGE;
        }
    } else if (!(text = read_all(name, VC_MAX_INPUT_BYTES, &len)))
        return EXIT_USAGE;
    vc_status st = vc_suite_add(suite, name, text, len, &e);
    vc_free(text);
    if (st != VC_OK) {
        print_error(name, &e);
        return EXIT_USAGE;
    }
    return 0;
}

static int write_report(const char *path, const char *what, char *text, int newline)
{
    int rc = write_out(path, text, newline, 1);
    if (rc)
        fprintf(stderr, "%s conformance: the %s report was not written\n", prog, what);
    vc_free(text);
    return rc;
}

int cmd_conformance(int argc, char **argv)
{
    int tier = 3, tap = 0;
    const char *junit = NULL, *json = NULL;
    cli_ctx ctx;
    ctx_init(&ctx);
    struct option opts[CTX_OPTION_COUNT + 8];
    static const struct option own[] = {{"tier", required_argument, 0, 'T'}, {"junit", required_argument, 0, 'U'},
                                        {"json", required_argument, 0, 'J'}, {"tap", no_argument, 0, 'P'},
                                        {"help", no_argument, 0, 'h'}};
    ctx_merge_options(opts, own, sizeof own / sizeof own[0]);
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int h = ctx_option(&ctx, "conformance", c, optarg);
        if (h < 0)
            return EXIT_USAGE;
        if (h > 0)
            continue;
        switch (c) {
        case 'T':
            if (strcmp(optarg, "1") && strcmp(optarg, "2") && strcmp(optarg, "3"))
                return usage_error("conformance", "--tier: '%s' is not 1, 2 or 3", optarg);
            tier = optarg[0] - '0';
            break;
        case 'U': junit = optarg; break;
        case 'J': json = optarg; break;
        case 'P': tap = 1; break;
        case 'h': printf("%s\nShared options:\n%s", conformance_help, ctx_help); return 0;
        default: return usage_error("conformance", "%s", "bad option");
        }
    }
    if (optind >= argc)
        return usage_error("conformance", "%s", "at least one PATH_OR_URL is required");
    if (junit && json && strcmp(junit, "-") != 0 && strcmp(junit, json) == 0)
        return usage_error("conformance", "--junit and --json name the same file '%s'", junit);

    /* collect the inputs first: a missing file is a usage error before anything runs */
    inputs in = {0};
    int rc = 0;
    for (int i = optind; i < argc && !rc; i++) {
        struct stat st;
        if (is_url(argv[i]) || strcmp(argv[i], "-") == 0)
            rc = push_name(&in, argv[i]) ? EXIT_USAGE : 0;
        else if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s conformance: %s: VC_ERR_IO: no such file or directory\n", prog, argv[i]);
            rc = EXIT_USAGE;
        } else if (S_ISDIR(st.st_mode))
            rc = walk(&in, argv[i], 0);
        else
            rc = push_name(&in, argv[i]) ? EXIT_USAGE : 0;
    }
    if (!rc && in.n == 0) {
        fprintf(stderr, "%s conformance: no credential files (*.json, *.jwt, *.txt, *.cose) found\n", prog);
        rc = EXIT_USAGE;
    }
    /* DID documents among the files (named did.json, the did:web layout; e.g.
     * `--did-doc web/HOST/.well-known/did.json ... DIR`, where the shell's list leaves all but
     * the first positional) are used as --did-doc, not as credentials */
    vc_resolver *probe = NULL;
    vc_error e;
    if (!rc && vc_resolver_new(&probe, &e) != VC_OK) {
        print_error("conformance", &e);
        rc = EXIT_USAGE;
    }
    size_t kept = 0;
    for (size_t i = 0; !rc && i < in.n; i++) {
        size_t len = 0;
        char *text = NULL;
        const char *base = strrchr(in.names[i], '/');
        base = base ? base + 1 : in.names[i];
        if (!is_url(in.names[i]) && strcmp(base, "did.json") == 0 &&
            (text = read_all(in.names[i], VC_MAX_INPUT_BYTES, &len)) &&
            vc_resolver_add_document(probe, text, len, NULL) == VC_OK) {
            if (ctx_option(&ctx, "conformance", OPT_DID_DOC, in.names[i]) < 0)
                rc = EXIT_USAGE;
            fprintf(stderr, "%s conformance: %s: a DID document, used as --did-doc\n", prog, in.names[i]);
            vc_free(text);
            continue; /* names stay owned by `in` (freed at the end) */
        }
        vc_free(text);
        char *t = in.names[kept];
        in.names[kept++] = in.names[i];
        in.names[i] = t;
    }
    vc_resolver_free(probe);
    size_t total = in.n;
    in.n = kept;
    if (!rc && in.n == 0) {
        fprintf(stderr, "%s conformance: no credentials among the inputs\n", prog);
        rc = EXIT_USAGE;
    }
    vc_suite *suite = NULL;
    if (!rc)
        rc = ctx_build(&ctx, "conformance", 1);
    if (!rc && (vc_suite_new(ctx.verifier, ctx.validator, ctx.trust, &suite, &e) != VC_OK ||
                vc_suite_set_tier(suite, tier, &e) != VC_OK)) {
        print_error("conformance", &e);
        rc = EXIT_USAGE;
    }
    for (size_t i = 0; !rc && i < in.n; i++)
        rc = add_input(&ctx, suite, in.names[i]);
    if (!rc && vc_suite_run(suite, &e) != VC_OK) {
        print_error("conformance", &e);
        rc = EXIT_USAGE;
    }
    if (!rc) {
        size_t passed, failed, skipped;
        vc_suite_totals(suite, &passed, &failed, &skipped);
        char *text = NULL;
        if (tap) {
            if (vc_suite_to_tap(suite, &text, &e) != VC_OK) {
                print_error("conformance", &e);
                rc = EXIT_USAGE;
            } else {
                fputs(text, stdout);
                vc_free(text);
            }
        } else {
            size_t count = vc_suite_count(suite);
            for (size_t i = 0; i < count; i++) {
                vc_suite_result r;
                if (vc_suite_result_at(suite, i, &r, NULL) != VC_OK)
                    continue;
                const char *tag = r.result == VC_TEST_PASS ? "PASS" : r.result == VC_TEST_FAIL ? "FAIL" : "SKIP";
                printf("%s  %s  %s", tag, r.credential, r.test);
                if (r.result == VC_TEST_FAIL)
                    printf("  %s: %s", r.code, r.message ? r.message : "");
                else if (r.result == VC_TEST_SKIP && r.message)
                    printf("  (%s)", r.message);
                putchar('\n');
            }
        }
        if (!rc) {
            if (tap)
                fputs("# ", stdout);
            if (skipped)
                printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
            else
                printf("%zu passed, %zu failed\n", passed, failed);
            if (fflush(stdout) != 0)
                rc = EXIT_USAGE;
        }
        if (!rc && junit) {
            if (vc_suite_to_junit(suite, &text, &e) != VC_OK) {
                print_error("conformance", &e);
                rc = EXIT_USAGE;
            } else
                rc = write_report(junit, "JUnit", text, 0);
        }
        if (!rc && json) {
            if (vc_suite_to_json(suite, 1, &text, &e) != VC_OK) {
                print_error("conformance", &e);
                rc = EXIT_USAGE;
            } else
                rc = write_report(json, "JSON", text, 1);
        }
        if (!rc)
            rc = failed ? EXIT_INVALID : 0;
    }
    vc_suite_free(suite);
    ctx_free(&ctx); /* before the names: ctx.docs may point into them */
    for (size_t i = 0; i < (total > in.n ? total : in.n); i++)
        free(in.names[i]);
    free(in.names);
    return rc;
}
