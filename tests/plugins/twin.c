/* tests/plugins/twin.c: claims the same name as good.so (and sorts after it). */
#include "skeleton.h"

TEST_PLUGIN("test_good", CARA_ABI_MAJOR, CARA_ABI_MINOR, return 0;)
CARA_PLUGIN_DEFINE(desc)
