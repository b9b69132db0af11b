/* tests/test_export_fhir.c: placeholder, filled in with the module's tests. */
#include <check.h>

#include "suites.h"

Suite *suite_export_fhir(void)
{
    Suite *s = suite_create("export_fhir");
    return s;
}
