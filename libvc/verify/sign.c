/* verify/sign.c - placeholder, being written. */
#include "../internal.h"
