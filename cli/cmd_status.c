/* cmd_status.c - `untpcred status`. Being written. */
#include <stdio.h>

#include "ctx.h"

const char status_help[] = "Usage: untpcred status ... (not implemented yet)\n";

int cmd_status(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "%s status: VC_ERR_UNSUPPORTED: not implemented yet\n", prog);
    return EXIT_USAGE;
}
