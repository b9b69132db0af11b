/* tests/test_export_xlsx.c: placeholder, filled in with the module's tests. */
#include <check.h>

#include "suites.h"

Suite *suite_export_xlsx(void)
{
    Suite *s = suite_create("export_xlsx");
    return s;
}
