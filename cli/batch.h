/* batch.h - `untpcred verify --batch`. */
#ifndef UNTPCRED_BATCH_H
#define UNTPCRED_BATCH_H

#include <stdio.h>
#include <vc/vc.h>

/*
 * Verify every credential of path (JSON Lines, '-' for standard input, or a
 * directory: each regular file one credential, in name order) with `jobs`
 * threads sharing v, writing one JSON result per line to out in input order,
 * and a progress line on standard error when progress != 0.
 * Returns 0 when all are valid, 1 when any is invalid, 2 on an I/O error.
 */
int batch_verify(const vc_verifier *v, const char *path, int jobs, int progress, FILE *out);

#endif
