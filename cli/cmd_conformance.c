/* cmd_conformance.c - `untpcred conformance`. Being written. */
#include <stdio.h>

#include "ctx.h"

const char conformance_help[] = "Usage: untpcred conformance ... (not implemented yet)\n";

int cmd_conformance(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "%s conformance: VC_ERR_UNSUPPORTED: not implemented yet\n", prog);
    return EXIT_USAGE;
}
