/* tests/plugins/no_entry.c: a descriptor, but nothing exports cara_plugin_entry. */
#include "skeleton.h"

TEST_PLUGIN("no_entry", CARA_ABI_MAJOR, CARA_ABI_MINOR, return 0;)
CARA_EXPORT const cara_plugin *not_the_entry(void);
CARA_EXPORT const cara_plugin *not_the_entry(void) { return &desc; }
