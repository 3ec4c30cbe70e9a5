/* testutil.h - helpers for libvc's Check unit tests. */
#ifndef VC_TESTUTIL_H
#define VC_TESTUTIL_H

#include <check.h>
#include <jansson.h>
#include <stddef.h>

/* Path of a file under the shared reference data (env VC_SHARED_DIR, set by meson). */
const char *tu_shared_path(const char *rel);
/* Path of a file under the source tree (env VC_SOURCE_DIR). */
const char *tu_source_path(const char *rel);
/* Read a whole file; aborts the test on failure. Caller frees. */
char *tu_read(const char *path, size_t *len);
/* Parse a JSON file; aborts the test on failure. New reference. */
json_t *tu_load_json(const char *path);
/* Decode hex; caller frees. */
unsigned char *tu_hex(const char *hex, size_t *len);
/* A compact JWS over an arbitrary header and payload (both taken as given, not
 * checked), signed with key under the key's own alg; key NULL gives a dummy
 * signature. Caller frees. Tests use it to build hostile tokens. */
struct vc_key;
char *tu_forge_jws(const struct vc_key *key, const char *header, const char *payload);

/* Run a suite, print Check's summary; returns the process exit status. */
int tu_run(Suite *s);

/* Assert a libvc call's status by name, printing the error message on mismatch. */
#define tu_assert_status(expr, expected, errp)                                                               \
    do {                                                                                                       \
        const vc_error *tu_e_ = (errp);                                                                        \
        vc_status tu_st_ = (expr);                                                                             \
        ck_assert_msg(tu_st_ == (expected), "%s: got %s, want %s (%s at '%s')", #expr, vc_status_name(tu_st_),   \
                      vc_status_name(expected), tu_e_ ? tu_e_->message : "", tu_e_ ? tu_e_->path : "");       \
    } while (0)

#endif
