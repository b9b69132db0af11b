/* tests/fuzz/fuzz_hcc_risk.c: the risk adjustment tables' parsers (the eligible
 * CPT/HCPCS list and the V28 coefficients), each fed the whole input, then used. */
#include <stdint.h>
#include <string.h>

#include "catalog/hcc_filter.h"
#include "catalog/hcc_score.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    char err[256];
    hcc_hcpcs_list *l;
    if (hcc_hcpcs_parse(p, size, "fuzz", &l, err, sizeof err) == 0) {
        hcc_hcpcs_listed(l, "99213");
        hcc_hcpcs_listed(l, "1234F");
        hcc_hcpcs_free(l);
    }
    hcc_coefs *c;
    if (hcc_coefs_parse(p, size, "fuzz", &c, err, sizeof err) == 0) {
        int64_t v;
        hcc_coef(c, "CNA_F70_74", &v);
        hcc_coefs_free(c);
    }
    return 0;
}
