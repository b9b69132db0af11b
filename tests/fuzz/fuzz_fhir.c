/* tests/fuzz/fuzz_fhir.c: BCDA FHIR resources through fhir_each (NDJSON, Bundles, single
 * resources) and fhir_parse, reading every field of what they return. */
#include <stdint.h>
#include <string.h>

#include "fhir.h"

static int touch(void *ud, const fhir_resource *r, size_t number, const char *msg)
{
    size_t *sum = ud;
    (void)number;
    if (!r) {
        *sum += strlen(msg);
        return 0;
    }
    *sum += strlen(r->id) + strlen(r->patient_id) + strlen(r->mbi) + (size_t)r->part;
    for (size_t i = 0; i < r->claim.n_lines; i++)
        *sum += strlen(r->claim.lines[i].hcpcs) + (size_t)r->claim.lines[i].paid_cents;
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
