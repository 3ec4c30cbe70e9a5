/* jose/jws.c - placeholder, being written. */
#include "../internal.h"
