/*
 * vc/vocab.h - JSON-LD vocabulary check: every property and type term a
 * credential uses must be defined by the contexts it lists.
 *
 * The check follows JSON-LD 1.1 context processing for what decides whether a
 * term is defined: remote contexts (resolved through the data registry, never
 * fetched), inline and embedded contexts, protected terms, type-scoped and
 * property-scoped contexts with their propagation rules, @vocab, compact IRIs,
 * keyword aliases, @type values, @nest, containers (@set, @list, @language,
 * @index, @id, @type, @graph), @reverse, @included, @json literals and @import.
 * A term JSON-LD expansion would drop (no definition, a null mapping, a compact
 * IRI whose prefix is not defined) is reported with its JSON pointer.
 *
 * UNTP credentials (whose @context lists a UNTP context) are held to UNTP's rule
 * that every term is defined explicitly: @vocab in the credential's own (inline
 * or embedded) contexts is refused (VC_ERR_VOCAB_VOCAB) and a term or type
 * defined only through an @vocab counts as undefined, unless VC_VOCAB_ALLOW_VOCAB
 * is given. Other credentials may rely on @vocab (e.g. the W3C examples context).
 *
 * Each distinct @context value is processed once into an immutable active
 * context, kept in the registry with the contexts derived from it by scoped
 * contexts; checking a credential is then a walk with hash lookups. The caches
 * are bounded (VC_VOCAB_MAX_CACHED); past the bound, contexts are processed per
 * call.
 */
#ifndef VC_VOCAB_H
#define VC_VOCAB_H

#include "core.h"
#include "data.h"
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* vc_vocab_check flags */
#define VC_VOCAB_ALLOW_VOCAB 0x1u /* UNTP credentials may use @vocab, and terms it defines count */

/* Limits. */
#define VC_VOCAB_MAX_REPORTED 64        /* failures listed per check; more are counted in one last entry */
#define VC_VOCAB_MAX_CACHED 256         /* distinct top-level @context values kept processed */
#define VC_VOCAB_MAX_DERIVED 2048       /* scoped-context results kept processed, over all of them */
#define VC_VOCAB_MAX_REMOTE_DEPTH 16    /* remote contexts including remote contexts */
#define VC_VOCAB_MAX_TERM_DEPTH 64      /* term definitions depending on term definitions */
#define VC_VOCAB_MAX_CACHE_BYTES (64u * 1024u * 1024u) /* memory of all kept contexts of a registry */
#define VC_VOCAB_MAX_CHECK_BYTES (32u * 1024u * 1024u) /* contexts processed for one check, not kept */

/*
 * Check the vocabulary of a credential or presentation (JSON text; a plain,
 * unsecured document — decode an envelope first). Contexts come from data (never
 * from the network); unknown remote context URLs fail with VC_ERR_VOCAB_CONTEXT
 * unless added with vc_data_add_context.
 * *report (optional, new) gets "input.json" (the text parses) and two checks:
 * "vocab.context" (the @context values:
 * VC_ERR_VOCAB_CONTEXT, VC_ERR_VOCAB_VOCAB, or a data error) and "vocab.terms"
 * (one VC_ERR_VOCAB_TERM entry per undefined property or type, with its JSON
 * pointer, at most VC_VOCAB_MAX_REPORTED of them and then a count).
 * Returns VC_OK when both pass, else the first failure's code (err filled with it).
 * data is used (and its caches filled) thread-safely.
 */
VC_API vc_status vc_vocab_check(vc_data *data, const char *json, size_t len, unsigned flags, vc_report **report,
                                vc_error *err);

#ifdef __cplusplus
}
#endif
#endif /* VC_VOCAB_H */
