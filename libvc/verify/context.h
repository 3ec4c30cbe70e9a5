/*
 * context.h - JSON-LD @context checks of the VC Data Model 2.0 layer, private
 * to libvc/verify (used by datamodel.c). Not installed.
 *
 * This is not a JSON-LD processor: it checks the @context rules of VCDM 2.0
 * section 4.3 on the document as written (the base context first, then URLs or
 * inline contexts), the JSON-LD rules about protected terms and IRI mappings
 * for the inline contexts, and records which terms the inline contexts define
 * so that datamodel.c can tell whether a type value is defined. The terms of
 * contexts behind URLs other than the few known here are not looked at; full
 * vocabulary checking belongs to libvc/vocab.
 */
#ifndef VC_VERIFY_CONTEXT_H
#define VC_VERIFY_CONTEXT_H

#include "../internal.h"

/* The VC Data Model 2.0 base context; the first @context entry of every document. */
#define VC_CONTEXT_V2 "https://www.w3.org/ns/credentials/v2"

/* Called once per problem found in @context: path is a JSON pointer relative to
 * the document ("/@context/1/VerifiableCredential"), message a sentence. The code
 * is always VC_ERR_DM_CONTEXT. */
typedef void (*vc_ctx_fail_fn)(void *arg, const char *path, const char *message);

/* What a document's @context lets the type checks know. Zero it before use and
 * release it with vc_ctx_release. */
typedef struct vc_ctx_info {
    json_t *terms;     /* object: term -> definition, for the terms the inline contexts define */
    json_t *protect;   /* object: term -> definition, for the inline terms that are protected */
    int vocab;         /* a default vocabulary (@vocab) is in effect after the last entry */
    int opaque;        /* some entry may define terms we cannot see (an unknown URL, a scoped
                        * context): undefined terms cannot be detected */
    size_t failures;   /* problems reported */
} vc_ctx_info;

/*
 * Check a document's @context value (ctx may be NULL: absent) against VCDM 2.0
 * and the JSON-LD term rules, calling fail for each problem. Fills info.
 * Returns the number of problems (0 when the @context is fine).
 */
VC_INTERNAL size_t vc_ctx_check(const json_t *ctx, vc_ctx_info *info, vc_ctx_fail_fn fail, void *arg);

/* 1 when term is defined by the base context or by one of the inline contexts. */
VC_INTERNAL int vc_ctx_defines(const vc_ctx_info *info, const char *term);

/* Release what vc_ctx_check allocated (info itself is the caller's). */
VC_INTERNAL void vc_ctx_release(vc_ctx_info *info);

#endif
