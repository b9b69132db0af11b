/* tests/fuzz/fuzz_template.c: a template document, its schema check and customizable
 * policy, and the same bytes as an overlay of a fixed base (its effective template
 * schema-checked too). */
#include <stdint.h>
#include <string.h>

#include "catalog/overlay.h"
#include "catalog/template_schema.h"

static const char BASE[] =
    "{\"id\": \"b\", \"version\": \"1\", \"episode_type\": \"e\", \"window\": {\"post_days\": 179},"
    " \"code_lists\": {\"X\": [\"A1\"]}, \"arrangement\": {\"discount_bps\": 0},"
    " \"customizable\": {\"arrangement.discount_bps\": {\"approach\": \"default\", \"min\": -500,"
    " \"max\": 500}, \"window.post_days\": {\"approach\": \"max_flex\"},"
    " \"code_lists.X\": {\"approach\": \"max_flex\"}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cara_template *t, *base, *eff;
    char err[512];
    cara_diag d = {0};
    if (template_parse("f.json", (const char *)data, size, &t, err, sizeof err) == 0) {
        overlay_check_policy(t, &d);
        template_schema_check(template_root(t), 0, &d);
        template_host_codes(t, "code_lists.X");
        template_free(t);
    }
    diag_free(&d);
    if (template_parse("b.json", BASE, sizeof BASE - 1, &base, err, sizeof err) != 0) return 0;
    json_t *doc = NULL;
    overlay_info info;
    if (overlay_parse("o.json", (const char *)data, size, &doc, &info, &d) == 0 &&
        overlay_apply("o.json", doc, base, &eff, &d) == 0) {
        template_schema_check(template_root(eff), 1, &d);
        template_free(eff);
    }
    json_decref(doc);
    diag_free(&d);
    template_free(base);
    return 0;
}
