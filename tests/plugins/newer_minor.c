/* tests/plugins/newer_minor.c: needs a newer ABI minor than the host provides. */
#include "skeleton.h"

TEST_PLUGIN("newer_minor", CARA_ABI_MAJOR, CARA_ABI_MINOR + 1, return 0;)
CARA_PLUGIN_DEFINE(desc)
