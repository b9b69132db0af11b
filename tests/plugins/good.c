/*
 * tests/plugins/good.c: a small but real episode type for the loader tests.
 * Triggers on a line whose HCPCS is in the template's code list "code_lists.TRIGGER";
 * the window is the template's; every later line inside the window is included.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cara/plugin.h"

static const cara_host *host;
static int initialized;

typedef struct inst {
    const cara_codeset *trigger; /* owned by the template */
} inst;

static int good_init(const cara_host *h, char *err, size_t errlen)
{
    if (h->abi_major != CARA_ABI_MAJOR || h->struct_size < CARA_HOST_SIZE_V2_0) {
        snprintf(err, errlen, "host table too old");
        return -EPROTO;
    }
    host = h;
    initialized = 1;
    return 0;
}

static void good_fini(void) { initialized = 0; }

static int good_validate(const cara_template *t, cara_diag *d)
{
    int n = 0;
    if (!host->tmpl_codes(t, "code_lists.TRIGGER")) {
        host->diag_add(d, "code_lists.TRIGGER", "required: an array of code patterns");
        n++;
    }
    return n;
}

static int good_new(const cara_template *t, void **out, char *err, size_t errlen)
{
    static inst one; /* one template per test is enough for this plugin */
    one.trigger = host->tmpl_codes(t, "code_lists.TRIGGER");
    if (!one.trigger) {
        snprintf(err, errlen, "code_lists.TRIGGER missing");
        return -EINVAL;
    }
    *out = &one;
    return 0;
}

static void good_free(void *p) { (void)p; }

static int good_build(const void *p, cara_ctx *ctx, const cara_beneficiary *b,
                      const cara_array *lines)
{
    const inst *in = p;
    cara_episode *open = NULL;
    cara_date end = 0;
    for (size_t i = 0; i < lines->n; i++) {
        const cara_claim_line *l = cara_line_at(lines, i);
        if (open && l->service_date > end) open = NULL;
        if (!open && host->codes_match(in->trigger, l->hcpcs)) {
            open = host->episode_open(ctx, "A", l->service_date, i);
            if (!open) return -ENOMEM;
            host->episode_window(open, NULL, &end);
            if (b->death != CARA_DATE_NONE && b->death <= end) {
                host->episode_close(open, b->death, CARA_EPISODE_DEATH);
                end = b->death;
            }
        }
        if (open && l->service_date <= end) host->episode_include(open, i);
    }
    return 0;
}

static const cara_plugin desc = {
    .abi_major = CARA_ABI_MAJOR,
    .abi_minor = CARA_ABI_MINOR,
    .struct_size = sizeof(cara_plugin),
    .name = "test_good",
    .version = "1.2.3",
    .description = "test plugin: triggers on a code list",
    .init = good_init,
    .fini = good_fini,
    .template_validate = good_validate,
    .instance_new = good_new,
    .instance_free = good_free,
    .build = good_build,
};

CARA_PLUGIN_DEFINE(desc)
