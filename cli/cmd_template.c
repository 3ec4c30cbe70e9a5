/* cmd_template.c - `untpcred template`. Being written. */
#include <stdio.h>

#include "ctx.h"

const char template_help[] = "Usage: untpcred template ... (not implemented yet)\n";

int cmd_template(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "%s template: VC_ERR_UNSUPPORTED: not implemented yet\n", prog);
    return EXIT_USAGE;
}
