/* did/didkey.c - placeholder, being written. */
#include "../internal.h"
