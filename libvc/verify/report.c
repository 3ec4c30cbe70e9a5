/* report.c - the structured verification report. */
#include <stdlib.h>
#include <string.h>

#include "verify_internal.h"

struct check_entry {
    char *name;
    vc_check_result result;
    int has_detail;
    vc_error detail;
};

struct vc_report {
    struct check_entry *checks;
    size_t count, cap;
    int failed;
    vc_error first_error;
    char *issuer, *method, *format, *alg, *credential_text, *prefix, *untp, *anchor;
    json_t *credential;
    /* Lite: the caller wants no report (vc_verify(..., NULL, ...)): only the
     * verdict and the first error are kept; no check entry, name or fact is
     * stored, so the hot path allocates nothing here. Never handed to a caller. */
    int lite;
};

vc_report *vc_report_new(void)
{
    return calloc(1, sizeof(vc_report));
}

/* Declared here and in verify.c (the only user) to keep verify_internal.h as it is. */
vc_report *vc_report_new_lite(void);
vc_report *vc_report_new_lite(void)
{
    vc_report *rep = calloc(1, sizeof(vc_report));
    if (rep)
        rep->lite = 1;
    return rep;
}

void vc_report_set_prefix(vc_report *rep, const char *prefix)
{
    if (!rep || rep->lite)
        return;
    free(rep->prefix);
    rep->prefix = vc_strdup(prefix);
}

vc_status vc_report_add(vc_report *rep, const char *check, vc_check_result result, const vc_error *detail)
{
    if (!rep)
        return VC_OK;
    if (rep->lite) {
        /* the same verdict and first error as a full report, nothing else */
        if (result == VC_CHECK_FAIL && !rep->failed) {
            rep->failed = 1;
            if (detail)
                rep->first_error = *detail;
            else {
                vc_error_clear(&rep->first_error);
                rep->first_error.code = VC_ERR_INTERNAL;
                snprintf(rep->first_error.message, sizeof rep->first_error.message, "check %s failed", check);
            }
        }
        return VC_OK;
    }
    if (rep->count == rep->cap) {
        size_t ncap = rep->cap ? rep->cap * 2 : 16;
        struct check_entry *n = realloc(rep->checks, ncap * sizeof *n);
        if (!n)
            return VC_ERR_NOMEM;
        rep->checks = n;
        rep->cap = ncap;
    }
    struct check_entry *e = &rep->checks[rep->count];
    memset(e, 0, sizeof *e);
    if (rep->prefix) {
        size_t n = strlen(rep->prefix) + strlen(check) + 2;
        e->name = malloc(n);
        if (e->name)
            snprintf(e->name, n, "%s.%s", rep->prefix, check);
    } else
        e->name = vc_strdup(check);
    if (!e->name)
        return VC_ERR_NOMEM;
    e->result = result;
    if (detail) {
        e->has_detail = 1;
        e->detail = *detail;
    }
    if (result == VC_CHECK_FAIL && !rep->failed) {
        rep->failed = 1;
        if (detail)
            rep->first_error = *detail;
        else {
            rep->first_error.code = VC_ERR_INTERNAL;
            snprintf(rep->first_error.message, sizeof rep->first_error.message, "check %s failed", check);
        }
    }
    rep->count++;
    return VC_OK;
}

void vc_report_pass(vc_report *rep, const char *check)
{
    if (rep && !rep->lite)
        vc_report_add(rep, check, VC_CHECK_PASS, NULL);
}

vc_status vc_report_fail(vc_report *rep, const char *check, const vc_error *detail)
{
    vc_report_add(rep, check, VC_CHECK_FAIL, detail);
    return detail->code;
}

void vc_report_skip(vc_report *rep, const char *check, const char *why)
{
    if (!rep || rep->lite)
        return; /* a skip never changes the verdict */
    vc_error e;
    vc_error_clear(&e);
    snprintf(e.message, sizeof e.message, "%s", why ? why : "not run");
    vc_report_add(rep, check, VC_CHECK_SKIP, &e);
}

#define SETTER(field)                                                                                          \
    void vc_report_set_##field(vc_report *rep, const char *v)                                                  \
    {                                                                                                          \
        if (!rep || rep->lite)                                                                                 \
            return;                                                                                            \
        free(rep->field);                                                                                      \
        rep->field = vc_strdup(v);                                                                             \
    }
SETTER(issuer)
SETTER(method)
SETTER(format)
SETTER(alg)
SETTER(untp)
SETTER(anchor)
#undef SETTER

void vc_report_set_credential(vc_report *rep, json_t *credential)
{
    if (!rep || rep->lite)
        return;
    json_decref(rep->credential);
    free(rep->credential_text);
    rep->credential_text = NULL;
    rep->credential = json_incref(credential);
}

int vc_report_valid(const vc_report *rep)
{
    return rep && !rep->failed;
}

size_t vc_report_count(const vc_report *rep)
{
    return rep ? rep->count : 0;
}

vc_status vc_report_check(const vc_report *rep, size_t i, const char **name, vc_check_result *result,
                          const vc_error **detail)
{
    if (!rep || i >= rep->count)
        return VC_ERR_INVALID_ARG;
    const struct check_entry *e = &rep->checks[i];
    if (name)
        *name = e->name;
    if (result)
        *result = e->result;
    if (detail)
        *detail = e->has_detail ? &e->detail : NULL;
    return VC_OK;
}

const vc_error *vc_report_first_error(const vc_report *rep)
{
    return rep && rep->failed ? &rep->first_error : NULL;
}

const char *vc_report_issuer(const vc_report *rep) { return rep ? rep->issuer : NULL; }
const char *vc_report_method(const vc_report *rep) { return rep ? rep->method : NULL; }
const char *vc_report_format(const vc_report *rep) { return rep ? rep->format : NULL; }
const char *vc_report_alg(const vc_report *rep) { return rep ? rep->alg : NULL; }
const char *vc_report_untp(const vc_report *rep) { return rep ? rep->untp : NULL; }
const char *vc_report_anchor(const vc_report *rep) { return rep ? rep->anchor : NULL; }

const char *vc_report_credential(const vc_report *rep)
{
    if (!rep || !rep->credential)
        return NULL;
    /* Lazily serialised; the report is not shared between threads. */
    vc_report *mut = (vc_report *)rep;
    if (!mut->credential_text)
        mut->credential_text = vc_json_dump(rep->credential);
    return mut->credential_text;
}

static const char *result_name(vc_check_result r)
{
    switch (r) {
    case VC_CHECK_PASS: return "pass";
    case VC_CHECK_FAIL: return "fail";
    case VC_CHECK_SKIP: return "skip";
    case VC_CHECK_WARN: return "warn";
    }
    return "unknown";
}

static void set_opt_str(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, v ? json_string(v) : json_null());
}

vc_status vc_report_to_json(const vc_report *rep, int pretty, char **out, vc_error *err)
{
    if (!rep || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "report_to_json: NULL argument");
    json_t *o = json_object();
    json_t *checks = json_array();
    if (!o || !checks) {
        json_decref(o);
        json_decref(checks);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    json_object_set_new(o, "valid", json_boolean(!rep->failed));
    if (rep->failed) {
        json_object_set_new(o, "error", json_string(vc_status_name(rep->first_error.code)));
        json_object_set_new(o, "message", json_string(rep->first_error.message));
    }
    set_opt_str(o, "format", rep->format);
    set_opt_str(o, "issuer", rep->issuer);
    set_opt_str(o, "method", rep->method);
    set_opt_str(o, "alg", rep->alg);
    if (rep->untp)
        json_object_set_new(o, "untp", json_string(rep->untp));
    if (rep->anchor)
        json_object_set_new(o, "anchor", json_string(rep->anchor));
    for (size_t i = 0; i < rep->count; i++) {
        const struct check_entry *e = &rep->checks[i];
        json_t *c = json_object();
        json_object_set_new(c, "check", json_string(e->name));
        json_object_set_new(c, "result", json_string(result_name(e->result)));
        if (e->has_detail) {
            if (e->detail.code != VC_OK)
                json_object_set_new(c, "code", json_string(vc_status_name(e->detail.code)));
            if (e->detail.message[0])
                json_object_set_new(c, "message", json_string(e->detail.message));
            if (e->detail.path[0])
                json_object_set_new(c, "path", json_string(e->detail.path));
        }
        json_array_append_new(checks, c);
    }
    json_object_set_new(o, "checks", checks);
    if (rep->credential)
        json_object_set(o, "credential", rep->credential);
    char *s = json_dumps(o, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
    json_decref(o);
    if (!s)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    *out = s;
    return VC_OK;
}

void vc_report_free(vc_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->count; i++)
        free(rep->checks[i].name);
    free(rep->checks);
    free(rep->issuer);
    free(rep->method);
    free(rep->format);
    free(rep->alg);
    free(rep->untp);
    free(rep->anchor);
    free(rep->prefix);
    free(rep->credential_text);
    json_decref(rep->credential);
    free(rep);
}
