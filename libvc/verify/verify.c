/* verify/verify.c - placeholder, being written. */
#include "../internal.h"
