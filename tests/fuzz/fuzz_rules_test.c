/* tests/fuzz/fuzz_rules_test.c: a rule test (JSON, docs/rules.md "Rule tests") run by
 * `cara rules test` (rules_test_dir) against the shipped falls_prevention rules: the
 * input is tests/fuzz.json of a copy of the template's folder (fuzz_files.h). Whatever
 * the test names, with whatever arguments and expectations, the test passes or fails;
 * nothing crashes. */
#include <stdint.h>

#include "engine/engine.h"
#include "fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_template_dir();
    char path[600];
    static int made;
    if (!made) {
        snprintf(path, sizeof path, "%s/tests", dir);
        if (mkdir(path, 0700) < 0) abort();
        made = 1;
    }
    fuzz_write("falls_prevention/tests/fuzz.json", data, size, path, sizeof path);
    rules_test_dir(dir, fuzz_null(), fuzz_null());
    return 0;
}
