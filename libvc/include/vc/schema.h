/*
 * vc/schema.h - JSON Schema draft 2020-12 validation, compiled once and shared.
 *
 * A schema is compiled once into an immutable vc_schema: $ref / $dynamicRef are
 * resolved ahead of time, regular expressions (PCRE2, ECMA-262 flavoured) are
 * compiled, and keywords are decoded into a dispatch table. A compiled schema may
 * then be used by any number of threads at once; each validation allocates only
 * its own per-call state.
 *
 * Supported: the 2020-12 core, applicator, unevaluated and validation
 * vocabularies ($ref, $defs, $id, $anchor, $dynamicRef, $dynamicAnchor,
 * $vocabulary of a registered meta-schema, prefixItems, items, contains,
 * min/maxContains, allOf, anyOf, oneOf, not, if/then/else, dependentSchemas,
 * dependentRequired, properties, patternProperties, additionalProperties,
 * propertyNames, unevaluatedItems, unevaluatedProperties, const, enum, type,
 * required, min/max*, exclusiveMin/Max*, multipleOf, min/maxLength (Unicode code
 * points), pattern, uniqueItems, min/maxProperties, boolean schemas). "format"
 * is an assertion for date-time, date, time, duration, uri, uri-reference, iri,
 * iri-reference, uri-template, email, idn-email, hostname, idn-hostname (the
 * IDNA 2008 rules that need no Unicode tables), ipv4, ipv6, uuid,
 * json-pointer, relative-json-pointer and regex (unknown formats are
 * annotations); VC_SCHEMA_FORMAT_ANNOTATION turns the assertion off. Other
 * keywords are annotations and are ignored.
 *
 * Nothing is fetched: a $ref to another document resolves only against the
 * documents added to a vc_schema_registry (by URI, or by their own "$id").
 * Every document is evaluated as draft 2020-12; "$schema" is only consulted to
 * find the "$vocabulary" of a meta-schema present in the registry (a required
 * vocabulary libvc does not know makes compilation fail).
 *
 * Patterns follow ECMA-262 on PCRE2 (UTF + UCP; \d \w \s \b and '.' with their
 * ECMA-262 meaning); PCRE2 itself limits lookbehind to fixed-length forms.
 * Validation recurses at most VC_SCHEMA_MAX_EVAL_DEPTH levels, about 250 KiB of
 * stack at the deepest.
 *
 * Validation failures are reported one per problem (at most
 * VC_SCHEMA_MAX_ERRORS), each with code VC_ERR_SCHEMA, the instance location as
 * a JSON pointer in vc_error.path, and a message naming the keyword and its
 * schema location, e.g.
 *   required: missing property 'issuer' (schema #/properties/credentialSubject/required)
 * For anyOf / oneOf with no matching alternative, the anyOf / oneOf failure is
 * reported followed by the errors of the closest alternative only.
 */
#ifndef VC_SCHEMA_H
#define VC_SCHEMA_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Limits (named; every bound of the validator is one of these) ---- */
#define VC_SCHEMA_MAX_ERRORS        64        /* errors reported per validation; then one "more errors" entry */
#define VC_SCHEMA_MAX_SCHEMA_DEPTH  128       /* deepest lexical nesting of subschemas compiled */
#define VC_SCHEMA_MAX_EVAL_DEPTH    512       /* deepest nesting of schema evaluations in one validation */
#define VC_SCHEMA_MAX_REF_DEPTH     64        /* nested $ref / in-place applicators at one instance location
                                                 (stops reference cycles such as {"$ref": "#"}) */
#define VC_SCHEMA_MAX_EVAL_STEPS    (1u << 22) /* work units (subschema evaluations, compared values,
                                                 regex matches) per validation */
#define VC_SCHEMA_REGEX_MATCH_LIMIT 10000u    /* PCRE2 match limit for one pattern match */
#define VC_SCHEMA_REGEX_DEPTH_LIMIT 1000u     /* PCRE2 backtracking depth limit for one match */
#define VC_SCHEMA_REGEX_HEAP_KIB    4096u     /* PCRE2 heap limit (KiB) for one match */
#define VC_SCHEMA_MAX_PATTERN_BYTES 32768u    /* longest regular expression compiled ("pattern",
                                                 "patternProperties", strings of format "regex") */
#define VC_SCHEMA_MAX_DOCUMENTS     1024      /* documents in one registry */

/* vc_schema_compile flags */
#define VC_SCHEMA_FORMAT_ANNOTATION 0x1u /* "format" is only an annotation, never an assertion */

typedef struct vc_schema_registry vc_schema_registry;
typedef struct vc_schema vc_schema;
typedef struct vc_report vc_report; /* see vc/verify.h (a repeated typedef is valid C11) */

/*
 * A new, empty registry of schema documents that $ref may point to. Not
 * thread-safe while documents are being added; compiling only reads it, so
 * several threads may compile against a registry nobody modifies.
 * Free with vc_schema_registry_free. Codes: VC_ERR_INVALID_ARG, VC_ERR_NOMEM.
 */
VC_API vc_status vc_schema_registry_new(vc_schema_registry **out, vc_error *err);

/* Free a registry. NULL is allowed. Compiled schemas do not depend on it. */
VC_API void vc_schema_registry_free(vc_schema_registry *reg);

/*
 * Add the schema document json (len bytes of JSON text, parsed strictly: no
 * duplicate keys, at most VC_MAX_INPUT_BYTES and VC_MAX_JSON_DEPTH) under uri,
 * an absolute URI without fragment (a trailing "#" is dropped). When the
 * document's root "$id" names another URI, it is found under both. The text is
 * copied. Codes: VC_ERR_INVALID_ARG (NULL, not an absolute URI, a fragment, the
 * URI already present), VC_ERR_LIMIT (more than VC_SCHEMA_MAX_DOCUMENTS), the
 * JSON codes (VC_ERR_JSON, VC_ERR_JSON_DEPTH, VC_ERR_JSON_DUPKEY), VC_ERR_NOMEM.
 */
VC_API vc_status vc_schema_registry_add(vc_schema_registry *reg, const char *uri, const char *json,
                                        size_t len, vc_error *err);

/*
 * Compile the schema json (len bytes; an object or a boolean). reg (borrowed,
 * may be NULL) supplies the documents that $ref may name; the compiled schema
 * keeps what it needs, so reg may be freed afterwards. The base URI is the
 * schema's "$id", or an implementation-chosen URN when it has none.
 * flags: 0 or VC_SCHEMA_FORMAT_ANNOTATION. *out is new; free with vc_schema_free.
 * Codes: VC_ERR_INVALID_ARG, the JSON codes, VC_ERR_SCHEMA_COMPILE (a keyword with
 * a malformed value, an invalid regular expression, a required vocabulary that
 * is not supported, nesting deeper than VC_SCHEMA_MAX_SCHEMA_DEPTH),
 * VC_ERR_SCHEMA_REF (a $ref to an unknown document, anchor or pointer),
 * VC_ERR_NOMEM. err->path holds the JSON pointer, in its document, of the
 * offending keyword.
 */
VC_API vc_status vc_schema_compile(const vc_schema_registry *reg, const char *json, size_t len, unsigned flags,
                                   vc_schema **out, vc_error *err);

/*
 * Compile a document of the registry, or a subschema of it when uri has a
 * fragment ("https://example.org/s.json#/$defs/Product" or "...#anchor").
 * Same rules and codes as vc_schema_compile; VC_ERR_SCHEMA_REF when uri is not
 * in reg.
 */
VC_API vc_status vc_schema_compile_uri(const vc_schema_registry *reg, const char *uri, unsigned flags,
                                       vc_schema **out, vc_error *err);

/* The compiled schema's base URI (its "$id", the registry URI, or the default
 * URN). Borrowed, valid until vc_schema_free. */
VC_API const char *vc_schema_base_uri(const vc_schema *schema);

/*
 * Validate the JSON text instance (len bytes, parsed strictly as by
 * vc_schema_registry_add) against schema. The schema may be used by several
 * threads at once. Returns VC_OK when valid; VC_ERR_SCHEMA when not (err holds
 * the first problem); VC_ERR_LIMIT when the validation exceeded a limit
 * (VC_SCHEMA_MAX_EVAL_DEPTH, VC_SCHEMA_MAX_REF_DEPTH, VC_SCHEMA_MAX_EVAL_STEPS,
 * or a regular expression's match budget): the instance is then not valid;
 * the JSON codes when instance is not JSON; VC_ERR_INVALID_ARG; VC_ERR_NOMEM.
 * *report (optional, new; free with vc_report_free) receives one check named
 * "schema": a single pass entry when valid, else one fail entry per problem
 * (code VC_ERR_SCHEMA, or VC_ERR_LIMIT / a JSON code; path = instance JSON
 * pointer), at most VC_SCHEMA_MAX_ERRORS of them plus one final entry saying
 * how many more were found.
 */
VC_API vc_status vc_schema_validate(const vc_schema *schema, const char *instance, size_t len,
                                    vc_report **report, vc_error *err);

/* Free a compiled schema. NULL is allowed. */
VC_API void vc_schema_free(vc_schema *schema);

#ifdef __cplusplus
}
#endif
#endif /* VC_SCHEMA_H */
