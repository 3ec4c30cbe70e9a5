/* crypto/key.c - placeholder, being written. */
#include "../internal.h"
