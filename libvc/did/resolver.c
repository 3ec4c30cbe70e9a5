/* did/resolver.c - placeholder, being written. */
#include "../internal.h"
