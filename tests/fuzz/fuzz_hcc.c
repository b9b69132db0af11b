/* tests/fuzz/fuzz_hcc.c: the CMS-HCC tables' parser; the input is split at the first
 * NUL byte into the two tables, then counted over codes taken from the input. */
#include <stdint.h>
#include <string.h>

#include "hcc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *nul = memchr(p, 0, size);
    size_t a = nul ? (size_t)(nul - p) : size;
    hcc_model *m;
    char err[256];
    if (hcc_model_parse(p, a, nul ? nul + 1 : "", nul ? size - a - 1 : 0, &m, err, sizeof err) == 0) {
        const char *codes[] = {"E119", "I509", "", "A0104"};
        hcc_count(m, codes, 4);
        hcc_model_free(m);
    }
    return 0;
}
