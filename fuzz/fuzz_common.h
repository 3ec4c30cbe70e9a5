/*
 * fuzz_common.h - shared helpers of the libFuzzer targets in fuzz/.
 */
#ifndef VC_FUZZ_COMMON_H
#define VC_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Abort (so libFuzzer keeps the input) when cond is false. */
static inline void fz_require(int cond, const char *target, const char *what, vc_status st, const vc_error *e)
{
    if (!cond) {
        fprintf(stderr, "%s: %s: %s (%s at %s)\n", target, what, vc_status_name(st), e ? e->message : "",
                e ? e->path : "");
        abort();
    }
}

/* A NUL-terminated malloc'd copy of the input (for APIs taking C strings). */
static inline char *fz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

#endif
