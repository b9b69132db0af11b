/*
 * diff_q: the reads of `cara diff RUN_A RUN_B`: per section (template, arrangement,
 * attribution, leakage, leakage_provider) the rows of both runs side by side, and the
 * components that differ. The SQL and its column order live here; cmd_diff.c lays the
 * columns out. Rows come as cells (store_rows.h).
 */
#ifndef CARA_DIFF_Q_H
#define CARA_DIFF_Q_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"
#include "store_rows.h"

/*
 * Section kind of runs a and b (?1 = a, ?2 = b). Columns:
 *   template:         template_id, (episodes, target, actual, payment) a/b pairs
 *   arrangement:      arrangement_id, period, (episodes, target, winsorized, payment)
 *                     a/b pairs, status_a, status_b
 *   attribution:      episode_id, attribution_a, attribution_b, method_a, method_b,
 *                     target a/b (episodes whose attribution changed or that one run lacks)
 *   leakage:          aco_id, (lines, paid) a/b pairs
 *   leakage_provider: aco_id, tin, npi, (lines, paid) a/b pairs, where it changed
 * fn gets the header, then each row. Returns the row count, fn's negative value, -EINVAL
 * (unknown kind), or -EIO with err (SQLite's message).
 */
int diff_q_section(store *s, const char *kind, int64_t a, int64_t b, store_row_fn fn, void *ud,
                   char *err, size_t errlen);

/*
 * The components that differ between runs a and b, by kind and name: kind, name,
 * version a/b, sha256 a/b, content hash a/b (NULL when absent), relpath. Returns as
 * diff_q_section.
 */
int diff_q_components(store *s, int64_t a, int64_t b, store_row_fn fn, void *ud, char *err,
                      size_t errlen);

#endif
