/*
 * claims.h - tier 3 of the conformance suite: which DPP conformity claims are
 * backed by a Digital Conformity Credential. Internal.
 *
 * A claim's criterion is verified when a trusted DCC has an assessment with
 * conformance true, the claim's conformityTopic, the DPP's product among its
 * assessed products, and that criterion (same id) among its assessmentCriteria.
 * A claim is verified when all its criteria are; a claim without criteria
 * cannot be verified.
 */
#ifndef VC_CLAIMS_H
#define VC_CLAIMS_H

#include "../internal.h"

typedef struct vc_claim_result {
    size_t doc;               /* index of the DPP in the input */
    char path[64];            /* JSON pointer of the claim in the DPP */
    const char *claim_id;     /* borrowed from the DPP; may be NULL */
    const char *topic;        /* borrowed; may be NULL */
    size_t criteria;          /* criteria in the claim */
    size_t verified;          /* criteria backed by a DCC */
    const char *missing;      /* first unbacked criterion id (borrowed), or NULL */
    size_t dcc;               /* index of a DCC that backed a criterion (valid when verified > 0) */
} vc_claim_result;

/*
 * Evaluate every conformityClaim of every DPP in docs[0..n) against the DCCs in
 * the same set whose usable[i] is non-zero (verified and, when trust applies,
 * anchored). *out is a new array of *nout results (free()); borrowed strings
 * point into docs, which must outlive it.
 */
VC_INTERNAL vc_status vc_claims_evaluate(json_t *const *docs, const int *usable, size_t n, vc_claim_result **out,
                                         size_t *nout, vc_error *err);

/* 1 when doc's type contains name (type a string or array). */
VC_INTERNAL int vc_claims_has_type(const json_t *doc, const char *name);

#endif
