/*
 * vocab_internal.h - the vocabulary check for the verifier's hot path, on an
 * already parsed document. Not installed.
 */
#ifndef VC_VOCAB_INTERNAL_H
#define VC_VOCAB_INTERNAL_H

#include "../internal.h"
#include "vc/data.h"
#include "vc/vocab.h"

/* Check names added to the report. */
#define VC_VOCAB_CHECK_CONTEXT "vocab.context"
#define VC_VOCAB_CHECK_TERMS "vocab.terms"

/*
 * The vocabulary check of vc_vocab_check on a parsed credential or presentation
 * object (borrowed; not modified). Appends "vocab.context" and "vocab.terms" to
 * rep when rep is non-NULL (honouring its prefix, for credentials inside a
 * presentation). Returns VC_OK or the first failure's code, with err filled.
 * Thread-safe; after the first check of a given @context value it allocates
 * nothing unless it fails.
 */
VC_INTERNAL vc_status vc_vocab_check_json(vc_data *data, const json_t *doc, unsigned flags, vc_report *rep,
                                          vc_error *err);

/* Statistics of a registry's vocabulary caches (for tests and benchmarks). */
struct vc_vocab_stats {
    size_t cached;        /* top-level @context values processed and kept */
    size_t derived;       /* scoped-context results kept */
    size_t shared_bytes;  /* memory held by kept contexts */
};
VC_INTERNAL void vc_vocab_get_stats(vc_data *data, struct vc_vocab_stats *stats);

#endif
