/*
 * crypto_internal.h - shared between key.c and multikey.c. Not installed.
 */
#ifndef VC_CRYPTO_INTERNAL_H
#define VC_CRYPTO_INTERNAL_H

#include "../internal.h"

/*
 * Build a key from raw public bytes (Ed25519 32 bytes; EC an SEC1 point) and an
 * optional raw private scalar / seed. Every import path goes through here, so all
 * keys get the same checks (lengths, point on curve, 0 < d < n, d matches pub).
 * pub_path / priv_path name the members in error paths. *out is new.
 */
VC_INTERNAL vc_status vc_key_from_raw(vc_key_type type, const uint8_t *pub, size_t pub_len, const char *pub_path,
                                      const uint8_t *priv, size_t priv_len, const char *priv_path, vc_key **out,
                                      vc_error *err);

/* The key's raw public bytes (borrowed from the key). */
VC_INTERNAL const uint8_t *vc_key_public_bytes(const vc_key *key, size_t *len);

/* The key's Multikey text once computed (borrowed, lives as long as the key), or
 * NULL. cache: publish mb (malloc'd, taken) as that text and return the text the
 * key keeps (mb, or another thread's equal copy, mb then being freed). */
VC_INTERNAL const char *vc_key_cached_multikey(const vc_key *key);
VC_INTERNAL const char *vc_key_cache_multikey(const vc_key *key, char *mb);

/* A slot for jws.c: the key's first encoded JOSE protected header (an opaque
 * malloc'd block, freed with the key), or NULL. cache: publish block (taken) if the
 * slot is still empty, else free it. Set once, never replaced, so a reader may use
 * what it loaded for as long as the key lives. */
VC_INTERNAL const void *vc_key_cached_jose_header(const vc_key *key);
VC_INTERNAL void vc_key_cache_jose_header(const vc_key *key, void *block);

#endif
