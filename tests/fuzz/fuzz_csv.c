/* tests/fuzz/fuzz_csv.c: the CSV scanner over arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "base/csv_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    csv_scan s;
    csv_scan_init(&s, (const char *)data, size);
    size_t total = 0;
    while (csv_scan_next(&s) == 1)
        for (size_t i = 0; i < s.n; i++) total += s.f[i].len; /* touch every field */
    (void)total;
    csv_scan_free(&s);
    return 0;
}
