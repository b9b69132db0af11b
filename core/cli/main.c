/*
 * main.c: the cara executable.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli_cmds.h"

/* jansson's allocator. jansson's lexer ignores a failed growth of its token buffer (it
 * drops the character and goes on), so under memory pressure a template or a request
 * body could parse into a different document without an error. cara would rather stop
 * than price from a misread document: a failed JSON allocation ends the process with a
 * message (found by tests/test_failinject.c; docs/security.md). */
static void *json_alloc(size_t n)
{
    void *p = malloc(n);
    if (!p && n) {
        static const char msg[] = "cara: out of memory while reading or writing JSON\n";
        if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more can be done */
        }
        abort();
    }
    return p;
}

int main(int argc, char **argv)
{
    json_set_alloc_funcs(json_alloc, free);
    return cli_main(argc, argv);
}
