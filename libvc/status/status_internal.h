/*
 * status_internal.h - status entries of a credential, for the verifier.
 */
#ifndef VC_STATUS_INTERNAL_H
#define VC_STATUS_INTERNAL_H

#include "../internal.h"
#include "vc/status.h"

#define VC_STATUS_MAX_ENTRIES 8 /* credentialStatus entries examined per credential */

typedef struct vc_status_entry {
    const char *list_url;   /* borrowed from the credential */
    size_t index;
    vc_status_purpose purpose;
    char path[48];          /* JSON pointer of the entry */
} vc_status_entry;

/*
 * The BitstringStatusListEntry items of a credential's credentialStatus (an
 * object or an array). *n receives their number (0 when none). Entries of other
 * types are skipped and counted in *other. A malformed BitstringStatusListEntry
 * (index not a decimal string, unknown purpose, statusSize other than 1, missing
 * statusListCredential) gives VC_ERR_STATUS_LIST with its path.
 */
VC_INTERNAL vc_status vc_status_entries(const json_t *credential, vc_status_entry *out, size_t max, size_t *n,
                                        size_t *other, vc_error *err);

#endif
