/*
 * tests/plugins/newer_header.c: a plugin as built against the headers of a later minor
 * of this major, whose cara_plugin has grown a callback, but that needs only minor 0
 * (abi_minor 0). Its descriptor is larger than this host's cara_plugin; the host loads
 * it and reads only the fields it knows (the future callback is never called).
 */
#include <errno.h>

#include "skeleton.h"

static int p_init(const cara_host *h, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    return h->abi_major == CARA_ABI_MAJOR && h->struct_size >= CARA_HOST_SIZE_V2_0 ? 0 : -EPROTO;
}

static int future_callback(void) { return -1; }

static const struct {
    cara_plugin base;              /* the fields of minor 0 */
    int (*later)(void);            /* a field a later minor appended */
} desc = {
    {.abi_major = CARA_ABI_MAJOR, .abi_minor = 0, .struct_size = sizeof desc,
     .name = "test_newer_header", .version = "0.0.2", .description = "test plugin",
     .init = p_init, .template_validate = p_validate, .instance_new = p_new,
     .instance_free = p_free, .build = p_build},
    future_callback,
};

CARA_EXPORT const cara_plugin *cara_plugin_entry(void);
CARA_EXPORT const cara_plugin *cara_plugin_entry(void) { return &desc.base; }
