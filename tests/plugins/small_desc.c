/* tests/plugins/small_desc.c: a descriptor that claims to be smaller than minor 0 of
 * this major lays it out (its build would lie past struct_size). */
#include "skeleton.h"

TEST_PLUGIN("small_desc", CARA_ABI_MAJOR, 0, return 0;)
static const cara_plugin *small(void)
{
    static cara_plugin d;
    d = desc;
    d.struct_size = (uint32_t)(CARA_PLUGIN_SIZE_V2_0 - sizeof(void *));
    return &d;
}
CARA_EXPORT const cara_plugin *cara_plugin_entry(void);
CARA_EXPORT const cara_plugin *cara_plugin_entry(void) { return small(); }
