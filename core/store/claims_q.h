/*
 * claims_q: the read of `cara claims`: the stored claims with what their priced lines
 * sum to, filtered by person, claim and status, ordered by person, start date and claim
 * id. Explicit columns (listed below); rows as cells (store_rows.h).
 */
#ifndef CARA_CLAIMS_Q_H
#define CARA_CLAIMS_Q_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"
#include "store_rows.h"
#include "mbi_map.h"

/* The columns of claims_q_list's rows, in order. */
enum {
    CLAIMS_Q_CLAIM_ID, CLAIMS_Q_PERSON_ID, CLAIMS_Q_CLAIM_TYPE, CLAIMS_Q_START, CLAIMS_Q_END,
    CLAIMS_Q_PAID_CENTS,    /* sum of the lines that are not denied */
    CLAIMS_Q_ALLOWED_CENTS, /* likewise */
    CLAIMS_Q_STATUS,
    CLAIMS_Q_SOURCE,        /* claims.source ("file:record" of a feed, or "") */
    CLAIMS_Q_LOAD_PATH,     /* the path of the load that stored it (NULL) */
    CLAIMS_Q_CONTROL_NUMBER, CLAIMS_Q_CLAIM_KEY, CLAIMS_Q_STATUS_REASON, CLAIMS_Q_RELATED,
    CLAIMS_Q_LINES, CLAIMS_Q_DENIED_LINES,
    CLAIMS_Q_CLAIM_PAID_CENTS, /* claims.paid_cents (claim level; NULL) */
    CLAIMS_Q_BILL_TYPE, CLAIMS_Q_LOAD_ID,
    CLAIMS_Q_N
};

/* 1 when no claim is stored (of any status), 0 when one is, -EIO when it cannot be read. */
int claims_q_none(store *s);

/*
 * The claims of person (NULL = any), matching claim (its claim id, control number, or
 * the number of a feed's "NUMBER#RECORD"; NULL = any) and status (NULL = any), at most
 * limit (< 0: all). fn gets the header, then each row. Returns the row count, fn's
 * negative value, or -EIO with err (SQLite's message).
 */
int claims_q_list(store *s, const char *person, const char *claim, const char *status,
                  int64_t limit, store_row_fn fn, void *ud, char *err, size_t errlen);

/*
 * The CCLF loader's read for linking the bills of a stay (core/load/load_cclf.c): the
 * current claims that have an admission date, loaded by a CCLF load (loads.kind
 * 'cclf...'), of the persons that load load_id stored claims for (or, given persons,
 * of those: the loader's list of them, so that the read does not scan every stored claim
 * for the load's; a superset of the load's persons gives the same links); ordered by person,
 * facility, bill-type class and start date (ties in SQLite's order). fn gets each row
 * (borrowed for the call) and may write the claims table (claims_w_admission) as it
 * goes. Returns the row count, fn's negative value (it stops the read), -ENOMEM
 * ("out of memory" in err), or -EIO with err = SQLite's message alone.
 */
typedef struct claims_q_stay_row {
    const char *claim_id, *person_id, *facility_npi;
    const char *bill_class;       /* the first two characters of bill_type_code */
    double start_jd, end_jd;      /* julianday() of claim_start_date, claim_end_date */
    const char *discharge_disposition_code, *admission_date, *bill_type_code;
} claims_q_stay_row;

typedef int (*claims_q_stay_fn)(const claims_q_stay_row *row, void *ud);

int claims_q_cclf_stays(store *s, int64_t load_id, const mbi_map *persons,
                        claims_q_stay_fn fn, void *ud, char *err, size_t errlen);

#endif
