/* cmd_validate.c - `untpcred validate`. Being written. */
#include <stdio.h>

#include "ctx.h"

const char validate_help[] = "Usage: untpcred validate ... (not implemented yet)\n";

int cmd_validate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "%s validate: VC_ERR_UNSUPPORTED: not implemented yet\n", prog);
    return EXIT_USAGE;
}
