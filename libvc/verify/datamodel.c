/* verify/datamodel.c - placeholder, being written. */
#include "../internal.h"
