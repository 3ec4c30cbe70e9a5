/* crypto/multikey.c - placeholder, being written. */
#include "../internal.h"
