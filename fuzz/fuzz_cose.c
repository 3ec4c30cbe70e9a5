/*
 * fuzz_cose.c - libFuzzer target for libvc's COSE decoder.
 *
 * For every input:
 *  1. the strict CBOR checker and the libcbor decode behind it must agree: an
 *     item vc_cbor_check accepts must decode (vc_cbor_load never reports
 *     VC_ERR_INTERNAL) and consume the same number of bytes;
 *  2. vc_cose_parse must return a documented code; when it accepts the input,
 *     every accessor is read and vc_cose_verify runs with an Ed25519 and a P-256
 *     key (codes checked again);
 *  3. inputs that vc_verify routes to COSE (first byte a CBOR array or tag) run
 *     through the whole verification, payload JSON and data model included.
 * Any other outcome aborts, and ASan/UBSan catch memory and UB errors.
 *
 * Built only with -Dfuzzing=true and clang (see fuzz/meson.build, fuzz/run).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cose/cbor_strict.h"
#include "cose/cose_internal.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static vc_key *ed_key, *p256_key;
static vc_resolver *resolver;
static vc_verifier *verifier;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (vc_init() != VC_OK || vc_key_generate(VC_KEY_ED25519, &ed_key, NULL) != VC_OK ||
        vc_key_generate(VC_KEY_P256, &p256_key, NULL) != VC_OK || vc_resolver_new(&resolver, NULL) != VC_OK ||
        vc_verifier_new(resolver, &verifier, NULL) != VC_OK) {
        fprintf(stderr, "fuzz_cose: initialisation failed\n");
        abort();
    }
    vc_verifier_set_time(verifier, 1735689600); /* fixed clock: reproducible runs */
    return 0;
}

static void require(int cond, const char *what, vc_status st, const vc_error *e)
{
    if (!cond) {
        fprintf(stderr, "fuzz_cose: %s: %s (%s at %s)\n", what, vc_status_name(st), e ? e->message : "",
                e ? e->path : "");
        abort();
    }
}

static int parse_code_ok(vc_status st)
{
    return st == VC_OK || st == VC_ERR_CBOR || st == VC_ERR_COSE_FORMAT || st == VC_ERR_COSE_HEADER ||
           st == VC_ERR_LIMIT || st == VC_ERR_NOMEM;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vc_error e;
    /* 1. strict checker and libcbor agree */
    size_t used = 0, used2 = 0;
    vc_status st = vc_cbor_check(data, size, "fuzz", &used, &e);
    require(st == VC_OK || st == VC_ERR_CBOR || st == VC_ERR_LIMIT || st == VC_ERR_NOMEM, "vc_cbor_check code", st, &e);
    if (st == VC_OK) {
        require(used >= 1 && used <= size, "vc_cbor_check used", st, &e);
        cbor_item_t *item = NULL;
        vc_status st2 = vc_cbor_load(data, size, "fuzz", &item, &used2, &e);
        require(st2 == VC_OK || st2 == VC_ERR_NOMEM, "libcbor refused what the strict check accepted", st2, &e);
        if (st2 == VC_OK) {
            require(used2 == used && item != NULL, "vc_cbor_load length", st2, &e);
            cbor_decref(&item);
        }
    }

    /* 2. the COSE parser and verifier */
    vc_cose *c = NULL;
    st = vc_cose_parse(data, size, &c, &e);
    require(parse_code_ok(st), "vc_cose_parse code", st, &e);
    require((st == VC_OK) == (c != NULL), "vc_cose_parse result", st, &e);
    if (c) {
        size_t n = 0, hn = 0;
        const uint8_t *p = vc_cose_payload(c, &n);
        require(p != NULL && p[n] == 0, "payload NUL", st, &e);
        require(vc_cose_protected(c, &hn) != NULL && hn <= size, "protected", st, &e);
        require(vc_cose_alg_name(vc_cose_alg(c)) != NULL, "alg allow-list", st, &e);
        const char *s[] = {vc_cose_kid(c), vc_cose_typ(c), vc_cose_cty(c), vc_cose_cwt_iss(c), vc_cose_cwt_sub(c)};
        for (size_t i = 0; i < 5; i++)
            if (s[i])
                (void)strlen(s[i]);
        int64_t t;
        (void)vc_cose_cwt_exp(c, &t);
        (void)vc_cose_cwt_nbf(c, &t);
        const vc_key *keys[] = {ed_key, p256_key};
        for (size_t i = 0; i < 2; i++) {
            st = vc_cose_verify(c, keys[i], &e);
            /* random bytes never carry a valid signature */
            require(st == VC_ERR_COSE_SIGNATURE || st == VC_ERR_COSE_HEADER || st == VC_ERR_NOMEM ||
                        st == VC_ERR_CRYPTO,
                    "vc_cose_verify code", st, &e);
        }
        vc_cose_free(c);
    }

    /* 3. the whole verification, for inputs routed to COSE */
    if (size && ((data[0] >> 5) == 4 || (data[0] >> 5) == 6)) {
        vc_report *rep = NULL;
        st = vc_verify(verifier, (const char *)data, size, &rep, &e);
        require(st != VC_OK && rep != NULL, "vc_verify accepted fuzz input", st, &e);
        require(vc_report_first_error(rep) != NULL, "report without error", st, &e);
        vc_report_free(rep);
    }
    return 0;
}
