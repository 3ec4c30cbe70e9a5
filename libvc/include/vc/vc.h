/*
 * vc/vc.h - umbrella header for libvc: include this one.
 * See README.md and the per-concern headers for the API contract.
 */
#ifndef VC_VC_H
#define VC_VC_H

#include "core.h"
#include "crypto.h"
#include "jose.h"
#include "cose.h"
#include "did.h"
#include "verify.h"
#include "status.h"
#include "trust.h"
#include "schema.h"
#include "data.h"
#include "vocab.h"
#include "net.h"
#include "validate.h"
#include "conformance.h"

#endif /* VC_VC_H */
