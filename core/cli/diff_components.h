/*
 * diff_components: the components section of `cara diff A B` (cmd_diff.c prints it
 * first): every plugin, template, rule file and table added, removed or changed between
 * the runs, with, for a changed template or overlay, the JSON members that changed, for
 * a changed rule or table, the lines (content_diff.h), and the flag "content changed
 * under the same version V" when the version is equal but the hash is not.
 */
#ifndef CARA_DIFF_COMPONENTS_H
#define CARA_DIFF_COMPONENTS_H

#include <stdint.h>

#include "cli_cmds.h"
#include "store/store.h"

/* Print the section for runs a and b to c->out as a table (the JSON form is
 * run_diff_json's, engine/run_diff.h). 0, or -1 on a store error (message in err). */
int diff_print_components(cli_ctx *c, store *s, int64_t a, int64_t b, char *err, size_t errlen);

#endif
