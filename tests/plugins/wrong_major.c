/* tests/plugins/wrong_major.c: built for a future ABI major version. */
#include "skeleton.h"

TEST_PLUGIN("wrong_major", CARA_ABI_MAJOR + 1, 0, return 0;)
CARA_PLUGIN_DEFINE(desc)
