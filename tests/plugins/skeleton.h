/*
 * tests/plugins/skeleton.h: the do-nothing callbacks shared by the broken test plugins,
 * and TEST_PLUGIN(name, major, minor, init_body), which defines a descriptor `desc` whose
 * init runs init_body. Each broken plugin is one .c file naming what is wrong with it.
 */
#ifndef CARA_TEST_PLUGIN_SKELETON_H
#define CARA_TEST_PLUGIN_SKELETON_H

#include <stdio.h>

#include "cara/plugin.h"

static int p_validate(const cara_template *t, cara_diag *d)
{
    (void)t;
    (void)d;
    return 0;
}

static int p_new(const cara_template *t, void **out, char *err, size_t errlen)
{
    (void)t;
    (void)err;
    (void)errlen;
    *out = NULL;
    return 0;
}

static void p_free(void *p) { (void)p; }

static int p_build(const void *p, cara_ctx *ctx, const cara_beneficiary *b,
                   const cara_array *lines)
{
    (void)p;
    (void)ctx;
    (void)b;
    (void)lines;
    return 0;
}

#define TEST_PLUGIN(NAME, MAJOR, MINOR, INIT_BODY)                                      \
    static int p_init(const cara_host *h, char *err, size_t errlen)                     \
    {                                                                                   \
        (void)h;                                                                        \
        (void)err;                                                                      \
        (void)errlen;                                                                   \
        INIT_BODY                                                                       \
    }                                                                                   \
    static const cara_plugin desc = {                                                   \
        .abi_major = (MAJOR), .abi_minor = (MINOR), .struct_size = sizeof(cara_plugin), \
        .name = (NAME), .version = "0.0.1", .description = "test plugin",               \
        .init = p_init, .template_validate = p_validate, .instance_new = p_new,         \
        .instance_free = p_free, .build = p_build};

#endif
