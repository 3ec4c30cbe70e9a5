/* cmd_issue.c - `untpcred issue`. Being written. */
#include <stdio.h>

#include "ctx.h"

const char issue_help[] = "Usage: untpcred issue ... (not implemented yet)\n";

int cmd_issue(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "%s issue: VC_ERR_UNSUPPORTED: not implemented yet\n", prog);
    return EXIT_USAGE;
}
