/* tests/fuzz/fuzz_fhir.c: BCDA FHIR resources through fhir_each (NDJSON, Bundles, single
 * resources) and fhir_parse, reading every field of what they return (the claim and its
 * lines, the Patient's historic MBIs, the skip reason and the warnings). */
#include <stdint.h>
#include <string.h>

#include "feeds/fhir.h"

static size_t line_sum(const feed_line *l)
{
    size_t s = strlen(l->hcpcs) + strlen(l->pos) + strlen(l->revenue) + strlen(l->rendering_npi) +
               strlen(l->rendering_tin) + strlen(l->billing_npi) + strlen(l->billing_tin) +
               (size_t)l->paid_cents + (size_t)l->allowed_cents + (size_t)l->denied;
    for (int m = 0; m < FEED_MOD_MAX; m++) s += strlen(l->mods[m]);
    return s;
}

static int touch(void *ud, const fhir_resource *r, size_t number, const char *msg)
{
    size_t *sum = ud;
    (void)number;
    if (!r) {
        *sum += strlen(msg);
        return 0;
    }
    const feed_claim *c = &r->claim;
    *sum += strlen(r->id) + strlen(r->patient_id) + strlen(r->mbi) + (size_t)r->part +
            strlen(r->skip_reason) + strlen(c->claim_id) + strlen(c->key) +
            strlen(c->control_number) + strlen(c->denial_reason) + strlen(c->facility_npi) +
            strlen(c->bill_type) + strlen(c->disposition) + (size_t)c->claim_paid_cents +
            (size_t)c->version;
    for (int i = 0; i < r->n_historic; i++) *sum += strlen(r->historic[i]);
    for (int i = 0; i < c->n_dx; i++) *sum += strlen(c->dx[i]);
    for (int i = 0; i < c->n_px; i++) *sum += strlen(c->px[i]);
    for (size_t i = 0; i < c->n_lines; i++) *sum += line_sum(&c->lines[i]);
    for (size_t i = 0; i < r->n_warnings; i++)
        *sum += strlen(r->warnings[i].path) + strlen(r->warnings[i].msg + r->warnings[i].what);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t sum = 0;
    char err[256];
    fhir_each((const char *)data, size, touch, &sum);
    fhir_resource r;
    if (fhir_parse((const char *)data, size, &r, err, sizeof err) == 0) fhir_resource_clear(&r);
    return (int)(sum & 0);
}
