/* tests/fuzz/fuzz_fields.c: every field validator, dates, money and factors. */
#include <stddef.h>
#include <stdint.h>

#include "base/date.h"
#include "feeds/load_fields.h"
#include "base/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const words[] = {"a", "", "global", NULL};
    const char *p = (const char *)data;
    char msg[512];
    field_value v;
    for (int k = F_ID; k <= F_CODE; k++) {
        field_spec s = {"f", k, 1, k % 2, words, -10000, 10000};
        field_check(&s, p, size, &v, msg, sizeof msg);
    }
    cara_date d;
    cara_cents c;
    int64_t f;
    char buf[32];
    if (date_parse(p, size, &d) == 0) date_format(d, buf);
    if (money_parse(p, size, &c) == 0) money_format(c, buf);
    if (factor_parse(p, size, &f) == 0) factor_format(f, buf);
    return 0;
}
