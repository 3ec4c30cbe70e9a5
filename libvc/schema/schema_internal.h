/*
 * schema_internal.h - the compiled form of a JSON Schema and the helpers shared
 * by libvc/schema (URIs, formats, regular expressions). Not installed.
 */
#ifndef VC_SCHEMA_INTERNAL_H
#define VC_SCHEMA_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "../internal.h"
#include "../verify/verify_internal.h"
#include "vc/schema.h"

/* ------------------------------------------------------------ hot path API */

/*
 * Compile a schema given as a jansson value (object or boolean; borrowed: the
 * compiled schema takes its own reference). base_uri (may be NULL) is the
 * retrieval URI used when the schema has no "$id". Same codes as
 * vc_schema_compile.
 */
VC_INTERNAL vc_status vc_schema_compile_json(const vc_schema_registry *reg, json_t *schema, const char *base_uri,
                                             unsigned flags, vc_schema **out, vc_error *err);

/*
 * Validate a parsed instance (borrowed; never modified) and append the outcome to
 * rep (may be NULL) as checks named check (e.g. "schema"): one pass entry when
 * valid, else one fail entry per problem, each with the instance JSON pointer
 * (prefixed with path_prefix when non-NULL, e.g. "/verifiableCredential/0") in
 * its path. Returns VC_OK, VC_ERR_SCHEMA, VC_ERR_LIMIT or VC_ERR_NOMEM; err gets
 * the first problem. Thread-safe on a shared schema.
 */
VC_INTERNAL vc_status vc_schema_check(const vc_schema *schema, const json_t *instance, const char *check,
                                      const char *path_prefix, vc_report *rep, vc_error *err);

/* 1 when instance is valid, 0 when not (a limit reached counts as not valid). No
 * error details are built: the fastest form. */
VC_INTERNAL int vc_schema_is_valid(const vc_schema *schema, const json_t *instance);

/* ------------------------------------------------------------ compiled form */

/* Instance type bits ("type" keyword masks). */
enum {
    ST_NULL = 1u << 0,
    ST_BOOLEAN = 1u << 1,
    ST_OBJECT = 1u << 2,
    ST_ARRAY = 1u << 3,
    ST_NUMBER = 1u << 4,
    ST_STRING = 1u << 5,
    ST_INTEGER = 1u << 6
};

/* Keyword operations, in the order they are evaluated inside a node. */
typedef enum sop {
    OP_TYPE,
    OP_CONST,
    OP_ENUM,
    OP_MULTIPLE_OF,
    OP_MAXIMUM,
    OP_EXCLUSIVE_MAXIMUM,
    OP_MINIMUM,
    OP_EXCLUSIVE_MINIMUM,
    OP_MAX_LENGTH,
    OP_MIN_LENGTH,
    OP_PATTERN,
    OP_FORMAT,
    OP_MAX_ITEMS,
    OP_MIN_ITEMS,
    OP_MAX_PROPERTIES,
    OP_MIN_PROPERTIES,
    OP_REQUIRED,
    OP_DEPENDENT_REQUIRED,
    OP_REF,
    OP_DYNAMIC_REF,
    OP_ALL_OF,
    OP_ANY_OF,
    OP_ONE_OF,
    OP_NOT,
    OP_IF,
    OP_DEPENDENT_SCHEMAS,
    OP_PROPERTIES, /* properties + patternProperties + additionalProperties, one pass */
    OP_PROPERTY_NAMES,
    OP_ITEMS,      /* prefixItems + items, one pass */
    OP_CONTAINS,   /* contains + minContains + maxContains */
    OP_UNIQUE_ITEMS,
    OP_UNEVALUATED_ITEMS,
    OP_UNEVALUATED_PROPERTIES,
    OP__COUNT
} sop;

typedef enum sformat {
    FMT_NONE = 0,
    FMT_DATE_TIME,
    FMT_DATE,
    FMT_TIME,
    FMT_DURATION,
    FMT_URI,
    FMT_URI_REFERENCE,
    FMT_IRI,
    FMT_IRI_REFERENCE,
    FMT_URI_TEMPLATE,
    FMT_EMAIL,
    FMT_IDN_EMAIL,
    FMT_HOSTNAME,
    FMT_IDN_HOSTNAME,
    FMT_IPV4,
    FMT_IPV6,
    FMT_UUID,
    FMT_JSON_POINTER,
    FMT_RELATIVE_JSON_POINTER,
    FMT_REGEX
} sformat;

/* A number from a schema keyword, kept exactly. */
typedef struct snum {
    int is_int;
    json_int_t i;
    double d;
} snum;

typedef struct snode snode;
typedef struct sres sres;

/* A compiled regular expression. */
typedef struct sregex {
    pcre2_code *code;
    const char *source; /* the pattern as written in the schema */
} sregex;

typedef struct sprop {      /* one "properties" member */
    const char *name;
    size_t len;
    uint64_t hash;
    snode *schema;
} sprop;

typedef struct spattern {   /* one "patternProperties" member */
    sregex re;
    snode *schema;
} spattern;

typedef struct sdepreq {    /* one "dependentRequired" member */
    const char *name;
    size_t len;
    const char **required;
    size_t *required_len;
    size_t count;
} sdepreq;

typedef struct sdepschema { /* one "dependentSchemas" member */
    const char *name;
    size_t len;
    snode *schema;
} sdepschema;

typedef struct skw {
    sop op;
    const char *name; /* keyword for messages ("required"); static storage */
    union {
        unsigned types;                            /* OP_TYPE */
        const json_t *value;                       /* OP_CONST */
        struct { json_t *const *v; size_t n; } values; /* OP_ENUM */
        snum num;                                  /* numeric bounds, multipleOf */
        uint64_t count;                            /* lengths, item/property counts */
        sregex re;                                 /* OP_PATTERN */
        sformat format;                            /* OP_FORMAT */
        struct { const char **names; size_t *lens; size_t n; } req; /* OP_REQUIRED */
        struct { sdepreq *v; size_t n; } depreq;   /* OP_DEPENDENT_REQUIRED */
        snode *schema;                             /* OP_REF, OP_NOT, OP_PROPERTY_NAMES, OP_UNEVALUATED_* */
        struct { snode *target; int anchor; } dref; /* OP_DYNAMIC_REF (anchor -1: acts as $ref) */
        struct { snode **v; size_t n; } list;      /* OP_ALL_OF, OP_ANY_OF, OP_ONE_OF */
        struct { snode *if_, *then_, *else_; } cond; /* OP_IF */
        struct { sdepschema *v; size_t n; } depschemas; /* OP_DEPENDENT_SCHEMAS */
        struct {
            sprop *table;      /* open addressing, cap a power of two (NULL when no properties) */
            size_t cap, n;
            spattern *patterns;
            size_t npatterns;
            snode *additional; /* NULL when absent */
        } props;               /* OP_PROPERTIES */
        struct { snode **prefix; size_t nprefix; snode *items; } items; /* OP_ITEMS */
        struct { snode *schema; uint64_t min, max; int has_max; } contains; /* OP_CONTAINS */
    } u;
} skw;

enum { NK_TRUE, NK_FALSE, NK_OBJECT };

struct snode {
    unsigned char kind;       /* NK_* */
    unsigned char uneval;     /* 1 when the node has unevaluatedItems/Properties: it collects annotations */
    const sres *res;          /* the schema resource the node belongs to (dynamic scope) */
    const char *loc;          /* schema location for messages: "#/properties/id" or "uri#/..." */
    skw *kws;
    size_t nkw;
};

typedef struct sdyn {         /* a $dynamicAnchor of a resource */
    int anchor;               /* interned name id */
    const json_t *node;
    snode *compiled;
} sdyn;

struct sres {                 /* a schema resource: a document root or a subschema with $id */
    const char *uri;          /* absolute, without fragment */
    const json_t *root;
    const char *doc_uri;      /* location prefix of the document for messages ("" for the root document) */
    unsigned vocab;           /* enabled vocabularies (VOC_*) */
    sdyn *dyn;
    size_t ndyn, capdyn;
    int activated;            /* its dynamic anchors have been queued for compilation */
};

enum {
    VOC_CORE = 1u << 0,
    VOC_APPLICATOR = 1u << 1,
    VOC_UNEVALUATED = 1u << 2,
    VOC_VALIDATION = 1u << 3,
    VOC_METADATA = 1u << 4,
    VOC_FORMAT_ANNOTATION = 1u << 5,
    VOC_FORMAT_ASSERTION = 1u << 6,
    VOC_CONTENT = 1u << 7,
    VOC_ALL = 0xffu & ~(1u << 6)
};

/* Memory owned by a compiled schema, released at once. */
typedef struct spool_block spool_block;

struct vc_schema {
    snode *root;
    const char *base_uri;
    unsigned flags;
    int has_dynamic;          /* any $dynamicRef that can act dynamically */
    int has_regex;
    spool_block *pool;
    json_t **docs;            /* documents referenced by the nodes (own a reference) */
    size_t ndocs, capdocs;
    pcre2_code **codes;       /* compiled patterns to free */
    size_t ncodes, capcodes;
    pcre2_match_context *mctx; /* match limits, shared read-only */
};

/* Allocation from a schema's pool (zeroed, 16-byte aligned). NULL on OOM. */
VC_INTERNAL void *vc_spool_alloc(vc_schema *s, size_t size);
VC_INTERNAL char *vc_spool_strndup(vc_schema *s, const char *p, size_t n);

/* FNV-1a with a final mix; used for property tables. */
VC_INTERNAL uint64_t vc_schema_hash_bytes(const void *p, size_t n);

/* -------------------------------------------------------------------- URIs */

/* Resolve reference ref against the absolute base (RFC 3986 section 5.2).
 * malloc'd result, NULL on OOM. */
VC_INTERNAL char *vc_uri_resolve(const char *base, const char *ref);

/* Split off the fragment: returns the length of the part before '#', and
 * *frag points after the '#' (NULL when there is none). */
VC_INTERNAL size_t vc_uri_split_fragment(const char *uri, const char **frag);

/* 1 when s has a scheme (an absolute URI, fragment allowed). */
VC_INTERNAL int vc_uri_has_scheme(const char *s);

/* Formats: 1 valid, 0 not. n is the length in bytes (strings may not be
 * NUL-terminated at n). iri: allow non-ASCII characters. */
VC_INTERNAL int vc_format_uri(const char *s, size_t n, int reference, int iri);
VC_INTERNAL int vc_format_uri_template(const char *s, size_t n);

/* Format check by id; 1 valid or not applicable, 0 invalid. */
VC_INTERNAL int vc_format_check(sformat f, const char *s, size_t n);
VC_INTERNAL sformat vc_format_lookup(const char *name);
VC_INTERNAL const char *vc_format_name(sformat f);

/* ------------------------------------------------------------------- regex */

/*
 * Compile an ECMA-262 pattern for PCRE2 (UTF, UCP, $ at the end only, empty
 * classes, ECMA \d \w \s \b . and \uXXXX translated). *out is new
 * (pcre2_code_free). On a syntax error returns VC_ERR_SCHEMA_COMPILE with the
 * reason in msg (msg_cap bytes).
 */
VC_INTERNAL vc_status vc_regex_compile(const char *pattern, size_t len, pcre2_code **out, char *msg, size_t msg_cap);

#endif /* VC_SCHEMA_INTERNAL_H */
