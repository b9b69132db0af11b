/* tests/plugins/failing_init.c: init fails with a message. */
#include "skeleton.h"

TEST_PLUGIN("failing_init", CARA_ABI_MAJOR, CARA_ABI_MINOR,
            snprintf(err, errlen, "license file not found"); return -2;)
CARA_PLUGIN_DEFINE(desc)
