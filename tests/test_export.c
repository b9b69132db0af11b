/* tests/test_export.c: placeholder, filled in with the module's tests. */
#include <check.h>

#include "suites.h"

Suite *suite_export(void)
{
    Suite *s = suite_create("export");
    return s;
}
