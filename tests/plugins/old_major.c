/* tests/plugins/old_major.c: built for the previous ABI major (1.0, whose build() took
 * a plain array of cara_claim_line). The first three descriptor fields never move, so
 * they are all the host reads before it refuses the plugin. */
#include "skeleton.h"

TEST_PLUGIN("old_major", CARA_ABI_MAJOR - 1, 0, return 0;)
CARA_PLUGIN_DEFINE(desc)
