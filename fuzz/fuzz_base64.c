/*
 * fuzz_base64.c - libFuzzer target for base64url, base58btc and multibase
 * Multikey decoding (vc_base64url_decode, vc_base58_decode, vc_key_from_multikey).
 *
 * Decoders are strict, so whatever they accept must encode back to exactly the
 * input (canonical forms only); a Multikey accepted must print back identically.
 */
#include "fuzz_common.h"

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
    uint8_t *out = NULL;
    size_t n = 0;
    vc_status st = vc_base64url_decode((const char *)data, size, &out, &n, &e);
    fz_require(st == VC_OK || st == VC_ERR_BASE64URL || st == VC_ERR_LIMIT || st == VC_ERR_NOMEM, "fuzz_base64",
               "base64url code", st, &e);
    if (st == VC_OK) {
        char *back = NULL;
        st = vc_base64url_encode(out, n, &back, &e);
        fz_require(st == VC_OK && strlen(back) == size && memcmp(back, data, size) == 0, "fuzz_base64",
                   "base64url round trip", st, &e);
        vc_free(back);
    }
    vc_free(out);
    out = NULL;

    st = vc_base58_decode((const char *)data, size, &out, &n, &e);
    fz_require(st == VC_OK || st == VC_ERR_MULTIBASE || st == VC_ERR_LIMIT || st == VC_ERR_NOMEM ||
                   st == VC_ERR_INVALID_ARG,
               "fuzz_base64", "base58 code", st, &e);
    if (st == VC_OK) {
        char *back = NULL;
        st = vc_base58_encode(out, n, &back, &e);
        /* the decoder takes up to 2048 characters (~1500 bytes), the encoder at most
         * 1024 bytes (VC_MAX_BASE58_BYTES in core/util.c): longer values only decode */
        if (!(st == VC_ERR_LIMIT && n > 1024))
            fz_require(st == VC_OK && strlen(back) == size && memcmp(back, data, size) == 0, "fuzz_base64",
                       "base58 round trip", st, &e);
        free(back);
    }
    free(out);

    char *s = fz_cstr(data, size);
    vc_key *k = NULL;
    st = vc_key_from_multikey(s, &k, &e);
    fz_require(st == VC_OK || st == VC_ERR_MULTIBASE || st == VC_ERR_KEY || st == VC_ERR_KEY_TYPE ||
                   st == VC_ERR_INVALID_ARG || st == VC_ERR_LIMIT || st == VC_ERR_NOMEM || st == VC_ERR_CRYPTO,
               "fuzz_base64", "vc_key_from_multikey code", st, &e);
    fz_require((st == VC_OK) == (k != NULL), "fuzz_base64", "multikey result", st, &e);
    if (k) {
        char *back = NULL;
        st = vc_key_to_multikey(k, &back, &e);
        fz_require(st == VC_OK && strcmp(back, s) == 0, "fuzz_base64", "multikey round trip", st, &e);
        vc_free(back);
        vc_key_free(k);
    }
    free(s);
    return 0;
}
