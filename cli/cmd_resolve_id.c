/* cmd_resolve_id.c - `untpcred resolve-id`. Being written. */
#include <stdio.h>

#include "ctx.h"

const char resolve_id_help[] = "Usage: untpcred resolve-id ... (not implemented yet)\n";

int cmd_resolve_id(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "%s resolve-id: VC_ERR_UNSUPPORTED: not implemented yet\n", prog);
    return EXIT_USAGE;
}
