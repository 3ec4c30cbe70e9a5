/* claims.c - DPP conformity claims backed by DCC assessments (tier 3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"

int vc_claims_has_type(const json_t *doc, const char *name)
{
    json_t *t = json_object_get(doc, "type");
    if (json_is_string(t))
        return strcmp(json_string_value(t), name) == 0;
    size_t i;
    json_t *x;
    json_array_foreach(t, i, x) if (json_is_string(x) && strcmp(json_string_value(x), name) == 0) return 1;
    return 0;
}

/* An object or an array of objects, as an array view. */
static size_t items(json_t *v, json_t **first)
{
    *first = v;
    if (json_is_array(v))
        return json_array_size(v);
    return json_is_object(v) ? 1 : 0;
}

static json_t *item_at(json_t *v, size_t i)
{
    return json_is_array(v) ? json_array_get(v, i) : v;
}

/* Does the assessment list the product? assessedProduct: [{product:{id}}] (0.6.x). */
static int assesses_product(json_t *assessment, const char *product_id)
{
    json_t *ap = json_object_get(assessment, "assessedProduct"), *unused;
    size_t n = items(ap, &unused);
    for (size_t i = 0; i < n; i++) {
        json_t *entry = item_at(ap, i);
        json_t *product = json_object_get(entry, "product");
        const char *id = vc_json_str(product ? product : entry, "id");
        if (id && strcmp(id, product_id) == 0)
            return 1;
    }
    return 0;
}

static int has_criterion(json_t *assessment, const char *criterion_id)
{
    json_t *ac = json_object_get(assessment, "assessmentCriteria"), *unused;
    size_t n = items(ac, &unused);
    for (size_t i = 0; i < n; i++) {
        const char *id = vc_json_str(item_at(ac, i), "id");
        if (id && strcmp(id, criterion_id) == 0)
            return 1;
    }
    return 0;
}

/* Index of a usable DCC backing (product, topic, criterion), or (size_t)-1. */
static size_t find_backing(json_t *const *docs, const int *usable, size_t n, const char *product_id, const char *topic,
                           const char *criterion_id)
{
    for (size_t d = 0; d < n; d++) {
        if (!usable[d] || !vc_claims_has_type(docs[d], "DigitalConformityCredential"))
            continue;
        json_t *subjects = json_object_get(docs[d], "credentialSubject"), *unused;
        size_t ns = items(subjects, &unused);
        for (size_t s = 0; s < ns; s++) {
            json_t *as = json_object_get(item_at(subjects, s), "assessment");
            size_t na = items(as, &unused);
            for (size_t a = 0; a < na; a++) {
                json_t *assessment = item_at(as, a);
                const char *t = vc_json_str(assessment, "conformityTopic");
                if (json_is_true(json_object_get(assessment, "conformance")) && t && strcmp(t, topic) == 0 &&
                    assesses_product(assessment, product_id) && has_criterion(assessment, criterion_id))
                    return d;
            }
        }
    }
    return (size_t)-1;
}

vc_status vc_claims_evaluate(json_t *const *docs, const int *usable, size_t n, vc_claim_result **out, size_t *nout,
                             vc_error *err)
{
    *out = NULL;
    *nout = 0;
    size_t cap = 0;
    vc_claim_result *res = NULL;
    for (size_t d = 0; d < n; d++) {
        if (!vc_claims_has_type(docs[d], "DigitalProductPassport"))
            continue;
        json_t *subject = json_object_get(docs[d], "credentialSubject");
        const char *product_id = vc_json_str(json_object_get(subject, "product"), "id");
        json_t *claims = json_object_get(subject, "conformityClaim"), *unused;
        size_t nc = items(claims, &unused);
        for (size_t c = 0; c < nc; c++) {
            json_t *claim = item_at(claims, c);
            if (*nout == cap) {
                cap = cap ? cap * 2 : 16;
                vc_claim_result *nr = realloc(res, cap * sizeof *nr);
                if (!nr) {
                    free(res);
                    return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
                }
                res = nr;
            }
            vc_claim_result *r = &res[(*nout)++];
            memset(r, 0, sizeof *r);
            r->doc = d;
            if (json_is_array(claims))
                snprintf(r->path, sizeof r->path, "/credentialSubject/conformityClaim/%zu", c);
            else
                snprintf(r->path, sizeof r->path, "/credentialSubject/conformityClaim");
            r->claim_id = vc_json_str(claim, "id");
            r->topic = vc_json_str(claim, "conformityTopic");
            json_t *crit = json_object_get(claim, "assessmentCriteria");
            r->criteria = items(crit, &unused);
            for (size_t k = 0; k < r->criteria; k++) {
                const char *cid = vc_json_str(item_at(crit, k), "id");
                size_t by = (cid && r->topic && product_id)
                                ? find_backing(docs, usable, n, product_id, r->topic, cid)
                                : (size_t)-1;
                if (by != (size_t)-1) {
                    r->verified++;
                    r->dcc = by;
                } else if (!r->missing)
                    r->missing = cid ? cid : "(criterion without id)";
            }
        }
    }
    *out = res;
    return VC_OK;
}
