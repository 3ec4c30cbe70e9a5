/*
 * validate.c - UNTP validation: type detection, the W3C VC schema, the UNTP
 * schema of the detected type and version (or a mapped extension schema), and
 * the JSON-LD vocabulary check, all on an already parsed document.
 *
 * Schemas are compiled once per data file (or map entry) under a mutex and are
 * immutable afterwards, so validation in the verifier's hot path only walks the
 * document.
 */
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../data/data_internal.h"
#include "../schema/schema_internal.h"
#include "../vocab/vocab_internal.h"
#include "vc/validate.h"
#include "verify_internal.h"

static const struct {
    vc_untp_kind kind;
    const char *name, *type;
} KINDS[] = {
    {VC_UNTP_DPP, "dpp", "DigitalProductPassport"},
    {VC_UNTP_DCC, "dcc", "DigitalConformityCredential"},
    {VC_UNTP_DTE, "dte", "DigitalTraceabilityEvent"},
    {VC_UNTP_DFR, "dfr", "DigitalFacilityRecord"},
    {VC_UNTP_DIA, "dia", "DigitalIdentityAnchor"},
};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])

const char *vc_untp_kind_name(vc_untp_kind kind)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (KINDS[i].kind == kind)
            return KINDS[i].name;
    return NULL;
}

const char *vc_untp_kind_type(vc_untp_kind kind)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (KINDS[i].kind == kind)
            return KINDS[i].type;
    return NULL;
}

vc_status vc_untp_kind_parse(const char *name, vc_untp_kind *kind, vc_error *err)
{
    for (size_t i = 0; name && i < NKINDS; i++)
        if (strcasecmp(name, KINDS[i].name) == 0) {
            *kind = KINDS[i].kind;
            return VC_OK;
        }
    return vc_fail(err, VC_ERR_INVALID_ARG, "type", "unknown UNTP credential type \"%.40s\" (dpp, dcc, dte, dfr or dia)",
                   name ? name : "");
}

typedef struct mapped {
    char *type;
    vc_schema *schema;
} mapped;

struct vc_validator {
    vc_data *data; /* borrowed */
    unsigned flags;
    pthread_mutex_t lock;
    vc_schema **compiled; /* by data index, compiled on first use */
    vc_status *compile_error;
    size_t ncompiled;
    mapped *map;
    size_t nmap;
    vc_schema_registry *reg; /* every shipped schema, for cross-document $refs; built on first compile */
};

vc_status vc_validator_new(vc_data *data, vc_validator **out, vc_error *err)
{
    if (!data || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "validator_new: NULL argument");
    vc_validator *v = calloc(1, sizeof *v);
    size_t n = vc_data_count(data);
    if (v) {
        v->compiled = calloc(n ? n : 1, sizeof *v->compiled);
        v->compile_error = calloc(n ? n : 1, sizeof *v->compile_error);
    }
    if (!v || !v->compiled || !v->compile_error) {
        if (v) {
            free(v->compiled);
            free(v->compile_error);
        }
        free(v);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    v->data = data;
    v->ncompiled = n;
    pthread_mutex_init(&v->lock, NULL);
    *out = v;
    return VC_OK;
}

void vc_validator_free(vc_validator *val)
{
    if (!val)
        return;
    for (size_t i = 0; i < val->ncompiled; i++)
        vc_schema_free(val->compiled[i]);
    free(val->compiled);
    free(val->compile_error);
    for (size_t i = 0; i < val->nmap; i++) {
        free(val->map[i].type);
        vc_schema_free(val->map[i].schema);
    }
    free(val->map);
    vc_schema_registry_free(val->reg);
    pthread_mutex_destroy(&val->lock);
    free(val);
}

void vc_validator_set_flags(vc_validator *val, unsigned flags)
{
    if (val)
        val->flags = flags;
}

vc_status vc_validator_map_schema(vc_validator *val, const char *type, const char *json, size_t len, vc_error *err)
{
    if (!val || !type || !json)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "validator_map_schema: NULL argument");
    if (val->nmap == VC_VALIDATE_MAX_MAPPED)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "more than %u mapped types", VC_VALIDATE_MAX_MAPPED);
    vc_schema *s = NULL;
    vc_status st = vc_schema_compile(NULL, json, len, 0, &s, err);
    if (st != VC_OK)
        return st;
    mapped *n = realloc(val->map, (val->nmap + 1) * sizeof *n);
    char *t = vc_strdup(type);
    if (!n || !t) {
        if (n)
            val->map = n;
        free(t);
        vc_schema_free(s);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    val->map = n;
    val->map[val->nmap].type = t;
    val->map[val->nmap].schema = s;
    val->nmap++;
    return VC_OK;
}

vc_status vc_validator_load_schema_map(vc_validator *val, const char *path, vc_error *err)
{
    char *text = NULL;
    size_t len = 0;
    vc_status st = vc_read_file(path, VC_MAX_INPUT_BYTES, &text, &len, err);
    if (st != VC_OK)
        return st;
    json_t *map = NULL;
    st = vc_json_parse_object(text, len, &map, err);
    free(text);
    if (st != VC_OK)
        return st;
    char *dircopy = vc_strdup(path);
    const char *dir = dircopy ? dirname(dircopy) : ".";
    const char *type;
    json_t *file;
    json_object_foreach(map, type, file)
    {
        char where[VC_ERROR_PATH_MAX];
        snprintf(where, sizeof where, "/%.200s", type);
        if (!json_is_string(file)) {
            st = vc_fail(err, VC_ERR_JSON_TYPE, where, "schema map %s: the value for \"%.100s\" must be a file name", path,
                         type);
            break;
        }
        const char *f = json_string_value(file);
        if (strstr(f, "://")) {
            st = vc_fail(err, VC_ERR_UNSUPPORTED, where,
                         "schema map %s: \"%.100s\" is a URL; give a local file (schemas are not fetched)", path, f);
            break;
        }
        char full[4096];
        snprintf(full, sizeof full, "%s%s%s", f[0] == '/' ? "" : dir, f[0] == '/' ? "" : "/", f);
        char *schema = NULL;
        size_t slen = 0;
        vc_error e;
        if ((st = vc_read_file(full, VC_MAX_INPUT_BYTES, &schema, &slen, &e)) == VC_OK) {
            st = vc_validator_map_schema(val, type, schema, slen, &e);
            free(schema);
        }
        if (st != VC_OK) {
            vc_fail(err, st, where, "schema map %s, type %.100s: %s", path, type, e.message);
            break;
        }
    }
    free(dircopy);
    json_decref(map);
    return st;
}

/* A registry of every shipped schema under its URL (the W3C presentation schema
 * refers to the credential schema by URL). Called with the lock held. */
static vc_status build_registry(vc_validator *val, vc_error *err)
{
    vc_schema_registry *reg = NULL;
    vc_status st = vc_schema_registry_new(&reg, err);
    for (size_t i = 0; st == VC_OK && i < vc_data_count(val->data); i++) {
        vc_data_info info;
        const char *bytes = NULL;
        size_t len = 0;
        if (vc_data_get_info(val->data, i, &info, NULL) != VC_OK || info.kind != VC_DATA_SCHEMA)
            continue;
        if ((st = vc_data_read(val->data, i, &bytes, &len, err)) == VC_OK)
            st = vc_schema_registry_add(reg, info.url, bytes, len, err);
    }
    if (st != VC_OK) {
        vc_schema_registry_free(reg);
        return st;
    }
    val->reg = reg;
    return VC_OK;
}

/* The compiled schema of data file i, compiled on first use. */
static vc_status schema_at(vc_validator *val, size_t i, const vc_schema **out, vc_error *err)
{
    *out = NULL;
    if (i >= val->ncompiled)
        return vc_fail(err, VC_ERR_INTERNAL, NULL, "schema index out of range");
    pthread_mutex_lock(&val->lock);
    vc_status st = VC_OK;
    if (!val->compiled[i]) {
        if (val->compile_error[i] != VC_OK) {
            st = vc_fail(err, val->compile_error[i], NULL, "the shipped schema could not be compiled earlier");
        } else {
            const json_t *doc = NULL;
            vc_data_info info;
            if (!val->reg)
                st = build_registry(val, err);
            if (st == VC_OK)
                st = vc_data_json(val->data, i, &doc, err);
            if (st == VC_OK)
                st = vc_data_get_info(val->data, i, &info, err);
            if (st == VC_OK)
                st = vc_schema_compile_json(val->reg, (json_t *)doc, info.url, 0, &val->compiled[i], err);
            if (st != VC_OK && st != VC_ERR_NOMEM)
                val->compile_error[i] = st;
        }
    }
    *out = val->compiled[i];
    pthread_mutex_unlock(&val->lock);
    return st;
}

/* UNTP kind from the type list, and the version from its pinned UNTP context. */
static vc_untp_kind detect(vc_validator *val, const json_t *doc, const char **version)
{
    *version = NULL;
    vc_untp_kind kind = VC_UNTP_NONE;
    for (size_t i = 0; i < NKINDS && kind == VC_UNTP_NONE; i++)
        if (vc_dm_has_type(doc, KINDS[i].type))
            kind = KINDS[i].kind;
    if (kind == VC_UNTP_NONE)
        return kind;
    json_t *ctx = json_object_get(doc, "@context");
    size_t n = json_is_array(ctx) ? json_array_size(ctx) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_is_array(ctx) ? json_array_get(ctx, i) : ctx;
        size_t idx;
        vc_data_info info;
        if (!json_is_string(c) || vc_data_lookup(val->data, VC_DATA_CONTEXT, json_string_value(c), &idx, NULL) != VC_OK ||
            vc_data_get_info(val->data, idx, &info, NULL) != VC_OK)
            continue;
        if (info.untp_type && strcmp(info.untp_type, vc_untp_kind_name(kind)) == 0) {
            *version = info.version;
            break;
        }
    }
    return kind;
}

static vc_status fail_check(vc_report *rep, const char *check, vc_status *first, vc_error *err, vc_status code,
                            const char *path, const char *fmt, const char *a, const char *b)
{
    vc_error e;
    vc_fail(&e, code, path, fmt, a, b);
    vc_report_fail(rep, check, &e);
    if (*first == VC_OK) {
        *first = code;
        vc_error_copy(err, &e);
    }
    return code;
}

static void note(vc_status st, const vc_error *e, vc_status *first, vc_error *err)
{
    if (st != VC_OK && *first == VC_OK) {
        *first = st;
        vc_error_copy(err, e);
    }
}

/* The schema and vocabulary checks of one parsed document (internal: the verifier
 * calls it after the data-model checks). */
vc_status vc_validator_check_json(vc_validator *val, const json_t *doc, vc_report *rep, vc_error *err)
{
    vc_status first = VC_OK;
    vc_error e;
    vc_error_clear(&e);
    int is_vp = vc_dm_is_presentation(doc);
    const char *version = NULL;
    vc_untp_kind kind = is_vp ? VC_UNTP_NONE : detect(val, doc, &version);
    if (kind != VC_UNTP_NONE) {
        char desc[64];
        snprintf(desc, sizeof desc, "%s %s", vc_untp_kind_name(kind), version ? version : "(unknown version)");
        vc_report_set_untp(rep, desc);
    }
    if (!(val->flags & VC_VALIDATE_NO_SCHEMA)) {
        /* W3C VC 2.0 JSON Schema. Credentials only: the W3C presentation schema
         * describes embedded credentials as full VCs and so rejects the
         * EnvelopedVerifiableCredential entries VC-JOSE-COSE requires; presentations
         * get the data-model checks instead. */
        size_t idx;
        const vc_schema *s = NULL;
        vc_status st = VC_OK;
        if (!is_vp) {
            st = vc_data_lookup_schema(val->data, "VerifiableCredential", NULL, &idx, &e);
            if (st == VC_OK)
                st = schema_at(val, idx, &s, &e);
            if (st != VC_OK) {
                vc_report_fail(rep, "schema.vcdm", &e);
                note(st, &e, &first, err);
            } else
                note(vc_schema_check(s, doc, "schema.vcdm", NULL, rep, &e), &e, &first, err);
        }

        /* the UNTP schema of the detected type and version */
        if (kind != VC_UNTP_NONE) {
            const char *kname = vc_untp_kind_name(kind);
            if (!version)
                fail_check(rep, "schema.untp", &first, err, VC_ERR_SCHEMA_UNKNOWN, "/@context",
                           "a %s (%s) must list a UNTP context libvc knows (e.g. https://test.uncefact.org/vocabulary/"
                           "untp/<type>/0.6.1/)",
                           vc_untp_kind_type(kind), kname);
            else if (vc_data_lookup_schema(val->data, kname, version, &idx, &e) != VC_OK)
                fail_check(rep, "schema.untp", &first, err, VC_ERR_SCHEMA_UNKNOWN, "/@context",
                           "no schema is shipped for %s version %s", kname, version);
            else if ((st = schema_at(val, idx, &s, &e)) != VC_OK) {
                vc_report_fail(rep, "schema.untp", &e);
                note(st, &e, &first, err);
            } else
                note(vc_schema_check(s, doc, "schema.untp", NULL, rep, &e), &e, &first, err);
        }
        /* extension types mapped by the user */
        for (size_t i = 0; i < val->nmap; i++)
            if (vc_dm_has_type(doc, val->map[i].type))
                note(vc_schema_check(val->map[i].schema, doc, "schema.extension", NULL, rep, &e), &e, &first, err);
    }
    if (!(val->flags & VC_VALIDATE_NO_VOCAB)) {
        unsigned vflags = (val->flags & VC_VALIDATE_ALLOW_VOCAB) ? VC_VOCAB_ALLOW_VOCAB : 0;
        note(vc_vocab_check_json(val->data, doc, vflags, rep, &e), &e, &first, err);
    }
    return first;
}

vc_status vc_validate(vc_validator *val, const char *input, size_t len, vc_report **report, vc_error *err)
{
    if (report)
        *report = NULL;
    if (!val || !input)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "validate: NULL argument");
    vc_report *rep = vc_report_new();
    if (!rep)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    json_t *doc = NULL;
    const char *format = NULL;
    vc_error e;
    vc_error_clear(&e);
    vc_status first = vc_decode_payload(input, len, &doc, &format, &e);
    if (first != VC_OK) {
        vc_report_fail(rep, "input.format", &e);
        vc_error_copy(err, &e);
    } else {
        vc_report_pass(rep, "input.format");
        vc_report_set_format(rep, format ? format : "unsigned");
        vc_report_set_credential(rep, doc);
        int is_vp = vc_dm_is_presentation(doc);
        vc_report_set_issuer(rep, is_vp ? NULL : vc_dm_issuer_id(doc));
        /* a signed credential must have its issuer; an unsigned one may get it at signing */
        vc_status dm = vc_dm_check(doc, format ? 0 : VC_CHECK_UNSIGNED, rep, &e);
        note(dm, &e, &first, err);
        vc_status vs = vc_validator_check_json(val, doc, rep, &e);
        note(vs, &e, &first, err);
        if (first == VC_OK)
            vc_error_clear(err);
    }
    json_decref(doc);
    if (report)
        *report = rep;
    else
        vc_report_free(rep);
    return first;
}
