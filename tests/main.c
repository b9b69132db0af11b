/*
 * tests/main.c: runs every Check suite listed in tests/suites.h.
 * Usage: cara-tests [SUITE...]   (no argument: all suites)
 * Environment (set by `make test`): CARA_BIN, CARA_PLUGINS, CARA_TEST_PLUGINS,
 * CARA_EPISODES, CARA_SRC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

typedef struct {
    const char *name;
    Suite *(*make)(void);
} suite_entry;

#define CARA_SUITE_ENTRY(name) {#name, suite_##name},
static const suite_entry all_suites[] = {CARA_SUITES(CARA_SUITE_ENTRY)};

int main(int argc, char **argv)
{
    SRunner *sr = NULL;
    size_t n = sizeof all_suites / sizeof all_suites[0];
    for (size_t i = 0; i < n; i++) {
        int wanted = argc < 2;
        for (int a = 1; a < argc; a++)
            if (strcmp(argv[a], all_suites[i].name) == 0) wanted = 1;
        if (!wanted) continue;
        if (!sr) sr = srunner_create(all_suites[i].make());
        else srunner_add_suite(sr, all_suites[i].make());
    }
    if (!sr) {
        fprintf(stderr, "cara-tests: no such suite\n");
        return 2;
    }
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
