/* tests/plugins/newer_minor.c: needs a newer ABI minor than the host has */
#include <stdio.h>

#include "cara/plugin.h"

static int p_init(const cara_host *h, char *err, size_t errlen)
{
    (void)h; (void)err; (void)errlen;
    return 0;
}
static int p_validate(const cara_template *t, cara_diag *d) { (void)t; (void)d; return 0; }
static int p_new(const cara_template *t, void **out, char *err, size_t errlen)
{
    (void)t; (void)err; (void)errlen; *out = NULL; return 0;
}
static void p_free(void *p) { (void)p; }
static int p_build(const void *p, cara_ctx *ctx, const cara_beneficiary *b,
                   const cara_claim_line *lines, size_t n)
{
    (void)p; (void)ctx; (void)b; (void)lines; (void)n; return 0;
}

static const cara_plugin desc = {
    .abi_major = CARA_ABI_MAJOR,
    .abi_minor = CARA_ABI_MINOR + 1,
    .struct_size = sizeof(cara_plugin),
    .name = "newer_minor",
    .version = "0.0.1",
    .description = "needs a newer ABI minor than the host has",
    .init = p_init,
    .template_validate = p_validate,
    .instance_new = p_new,
    .instance_free = p_free,
    .build = p_build,
};

CARA_PLUGIN_DEFINE(desc)
