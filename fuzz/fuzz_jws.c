/*
 * fuzz_jws.c - libFuzzer target for compact JWS parsing (vc_jws_parse).
 *
 * vc_jws_parse must return a documented code; when it accepts, every accessor is
 * read, the header and payload are NUL-terminated, and vc_jws_verify runs with an
 * Ed25519 and a P-256 key: it must refuse (random bytes never carry a valid
 * signature) with an allow-list / key-binding / signature code.
 */
#include "fuzz_common.h"

static vc_key *ed_key, *p256_key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (vc_init() != VC_OK || vc_key_generate(VC_KEY_ED25519, &ed_key, NULL) != VC_OK ||
        vc_key_generate(VC_KEY_P256, &p256_key, NULL) != VC_OK)
        abort();
    return 0;
}

static int parse_code_ok(vc_status st)
{
    switch (st) {
    case VC_OK: case VC_ERR_JWS_FORMAT: case VC_ERR_JWS_HEADER: case VC_ERR_JWS_ALG: case VC_ERR_JWS_ALG_NONE:
    case VC_ERR_JWS_CRIT: case VC_ERR_BASE64URL: case VC_ERR_JSON: case VC_ERR_JSON_DEPTH: case VC_ERR_JSON_DUPKEY:
    case VC_ERR_JSON_TYPE: case VC_ERR_LIMIT: case VC_ERR_NOMEM:
        return 1;
    default:
        return 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vc_error e;
    vc_jws *j = NULL;
    vc_status st = vc_jws_parse((const char *)data, size, &j, &e);
    fz_require(parse_code_ok(st), "fuzz_jws", "vc_jws_parse code", st, &e);
    fz_require((st == VC_OK) == (j != NULL), "fuzz_jws", "vc_jws_parse result", st, &e);
    if (!j)
        return 0;
    const char *s[] = {vc_jws_alg(j), vc_jws_kid(j), vc_jws_typ(j), vc_jws_cty(j), vc_jws_header_json(j)};
    for (size_t i = 0; i < 5; i++)
        if (s[i])
            (void)strlen(s[i]);
    fz_require(vc_jws_alg(j) != NULL, "fuzz_jws", "accepted without alg", st, &e);
    size_t n = 0;
    const uint8_t *p = vc_jws_payload(j, &n);
    fz_require(p != NULL && p[n] == 0 && n <= size, "fuzz_jws", "payload", st, &e);
    const vc_key *keys[] = {ed_key, p256_key};
    for (size_t i = 0; i < 2; i++) {
        st = vc_jws_verify(j, keys[i], &e);
        fz_require(st == VC_ERR_JWS_SIGNATURE || st == VC_ERR_JWS_ALG_KEY || st == VC_ERR_JWS_ALG ||
                       st == VC_ERR_CRYPTO || st == VC_ERR_NOMEM,
                   "fuzz_jws", "vc_jws_verify code", st, &e);
    }
    vc_jws_free(j);
    return 0;
}
