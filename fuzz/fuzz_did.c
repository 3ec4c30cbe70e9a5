/*
 * fuzz_did.c - libFuzzer target for DID syntax (vc_did_check_syntax) and the
 * did:web DID -> HTTPS URL mapping (vc_didweb_url, libvc/did/didweb.c).
 *
 * Codes must be documented ones; a did:web DID the mapping accepts must pass the
 * generic syntax check, and its URL must be https:// with no white space,
 * control characters, userinfo, query or fragment, ending in /did.json.
 */
#include "fuzz_common.h"
#include "did/didweb_internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (vc_init() != VC_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vc_error e;
    char *s = fz_cstr(data, size);
    vc_status syn = vc_did_check_syntax(s, &e);
    fz_require(syn == VC_OK || syn == VC_ERR_DID_SYNTAX || syn == VC_ERR_INVALID_ARG || syn == VC_ERR_LIMIT,
               "fuzz_did", "vc_did_check_syntax code", syn, &e);
    char *url = NULL;
    vc_status st = vc_didweb_url(s, &url, &e);
    fz_require(st == VC_OK || st == VC_ERR_DID_SYNTAX || st == VC_ERR_DID_METHOD || st == VC_ERR_INVALID_ARG ||
                   st == VC_ERR_LIMIT || st == VC_ERR_NOMEM,
               "fuzz_did", "vc_didweb_url code", st, &e);
    fz_require((st == VC_OK) == (url != NULL), "fuzz_did", "vc_didweb_url result", st, &e);
    if (url) {
        fz_require(syn == VC_OK, "fuzz_did", "did:web mapped but not a DID", syn, &e);
        size_t n = strlen(url);
        fz_require(strncmp(url, "https://", 8) == 0 && n > 8 + 9 && strcmp(url + n - 9, "/did.json") == 0,
                   "fuzz_did", "URL shape", st, &e);
        const char *host = url + 8;
        size_t hl = strcspn(host, "/");
        fz_require(hl > 0 && memchr(host, '@', hl) == NULL, "fuzz_did", "URL host", st, &e);
        for (const char *p = url; *p; p++)
            fz_require((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f && *p != '?' && *p != '#' &&
                           *p != '\\',
                       "fuzz_did", "URL character", st, &e);
        fz_require(strstr(url + 8, "/../") == NULL && strstr(url + 8, "/./") == NULL && strstr(url + 8, "//") == NULL,
                   "fuzz_did", "URL path segments", st, &e);
        vc_free(url);
    }
    free(s);
    return 0;
}
