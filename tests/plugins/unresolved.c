/* tests/plugins/unresolved.c: references a symbol nothing defines, so that
 * dlopen(RTLD_NOW) fails (the Makefile links it without -z defs). */
#include "skeleton.h"

int cara_no_such_function(void);

TEST_PLUGIN("unresolved", CARA_ABI_MAJOR, CARA_ABI_MINOR, return cara_no_such_function();)
CARA_PLUGIN_DEFINE(desc)
