/* tests/fuzz/fuzz_hcc.c: the CMS-HCC tables' parser; the input is split at the first
 * NUL byte into the two tables, then counted over codes taken from the input. */
#include <stdint.h>
#include <string.h>

#include "catalog/hcc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *nul = memchr(p, 0, size);
    size_t a = nul ? (size_t)(nul - p) : size;
    hcc_model *m;
    char err[256];
    /* without a NUL, a header-only hierarchy table (an empty one is refused) */
    static const char hier0[] = "cc_parent,cc_child\n";
    const char *h = nul ? nul + 1 : hier0;
    size_t hn = nul ? size - a - 1 : sizeof hier0 - 1;
    if (hcc_model_parse(p, a, h, hn, &m, err, sizeof err) == 0) {
        const char *codes[] = {"E119", "I509", "", "A0104"};
        hcc_count(m, codes, 4);
        hcc_model_free(m);
    }
    return 0;
}
