/*
 * rules_test: `cara rules test DIR`, a template's rule tests (the JSON files in
 * DIR/tests, docs/rules.md "Rule tests"), each calling one rule function of DIR's rule
 * files with the method library loaded as a run loads it.
 */
#ifndef CARA_RULES_TEST_H
#define CARA_RULES_TEST_H

#include <stdio.h>

/* Run the tests of template folder dir (sorted by file name), printing "PASS name" /
 * "FAIL name: why" per test and "N passed, M failed" to out, and what stops them all (no
 * template.json, no tests folder, no tests) to err. 0 when all pass and there is at least
 * one; -1 otherwise. */
int rules_test_dir(const char *dir, FILE *out, FILE *err);

#endif
