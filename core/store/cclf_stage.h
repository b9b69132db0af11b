/*
 * cclf_stage: the CCLF loader's stage (core/load/load_cclf.c). While one delivery
 * loads, where each of its claim-file records (CCLF1-6) is waits here: in memory
 * (cclf_stage_mem.h) up to a bound the caller sets, and past it in the table
 * cclf_stage (so memory does not grow with the files past the bound): the record's
 * claim, file, record number and place in its file (offset and length; the loader keeps
 * the files mapped and reads the record back from there, so the stage holds no record's
 * bytes), and the claims that have a bad record are listed in cclf_bad (none of their
 * records is assembled). The tables live in a private temporary database of the
 * stage's own (SQLite's file for "", in SQLITE_TMPDIR, TMPDIR or /var/tmp, removed when
 * the stage closes), made when the stage first needs them, never on s's connection: a
 * stage in its tables does not touch the store's connection or transaction, so the
 * loader may write claims on a second thread while it reads the stage (feed_sink_behind),
 * and any number of stages may be open at once. Explicit column lists; each statement
 * is prepared once per stage: the two writes with the tables, each read on its first
 * use. Held in memory,
 * the stage answers every list with the rows and order the tables' SQL gives; when the
 * bound is reached (or an id is one memory does not hold, or memory runs out) the
 * records are moved to the tables in the order they were put and the stage goes on
 * there. All puts and marks come before the scans (as the loader stages, then
 * assembles): a scan does not see a put made after it started, and a move to the
 * tables ends the scans under way.
 *
 * Errors: 0, -ENOMEM with "out of memory" in err, or -EIO with err = SQLite's message
 * alone (sqlite3_errmsg of the failed call; the loader prints what it was doing before
 * it: "cara load: staging CCLF records: ..."), except the creation of the tables, whose
 * message is "the stage's temporary database: MESSAGE".
 */
#ifndef CARA_STORE_CCLF_STAGE_H
#define CARA_STORE_CCLF_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

typedef struct cclf_stage cclf_stage;

/* The loader's bound: records and bad claims held in memory before the stage moves to
 * its tables (a record costs about 45 bytes there, its claim's share and the lists'
 * sorting included: about 180 MB at the bound; the monthly delivery of 100,000
 * synthetic beneficiaries, 3,306,423 claim records, fits under it). Past it a delivery
 * loads about 1.4 times as slowly a line (docs/performance.md, "Past the stage's
 * bound"). */
#define CCLF_STAGE_MEM_RECORDS 4000000

/* A new, empty stage of a delivery to store s (borrowed: the stage does not use it); it
 * holds up to mem_max records and bad claims in memory before it moves to its tables
 * (0: in the tables from the first, made here). The caller owns *out
 * (cclf_stage_close). 0, -ENOMEM, or -EIO. */
int cclf_stage_open(store *s, size_t mem_max, cclf_stage **out, char *err, size_t errlen);

/* 1 while the stage is held in memory, 0 once it is in the tables. */
int cclf_stage_in_memory(const cclf_stage *st);

/* The tables' connection, NULL while there are none (for tests: to count rows, or to
 * take a table away). Borrowed. */
struct sqlite3;
struct sqlite3 *cclf_stage__db(cclf_stage *st);

/* Finalize the statements, close the tables' database (it is removed) and free st. NULL
 * is a no-op. */
void cclf_stage_close(cclf_stage *st);

/* Stage a record of CCLF file file ('1'..'6'), claim cur_id (NUL-terminated), record
 * recno of the loader's file fidx, which is the len bytes at offset off of that file
 * (the stage keeps the numbers, not the bytes). cur_id is borrowed for the call. 0 or
 * -EIO (also when the move to the tables fails; the stage is then broken: every later
 * call fails with -EIO). */
int cclf_stage_put(cclf_stage *st, char file, const char *cur_id, int64_t fidx, int64_t recno,
                   int64_t off, size_t len, char *err, size_t errlen);

/* Mark claim cur_id (its first len bytes) bad: CCLF_STAGE_PART_A and _PART_B leave its
 * records out and CCLF_STAGE_COLLATERAL lists them all. Marking a claim twice is not an
 * error. Borrowed for the call. 0 or -EIO. */
int cclf_stage_mark_bad(cclf_stage *st, const char *cur_id, size_t len, char *err,
                        size_t errlen);

/* The lists of staged records, each in the order the loader assembles them. */
typedef enum cclf_stage_list {
    /* records of the claims marked bad (orphan 0), then with them, records of CCLF2-4
     * whose claim is not marked bad and has no CCLF1 record (orphan 1); by fidx, recno */
    CCLF_STAGE_COLLATERAL,
    /* CCLF1 records of the claims not marked bad, by fidx, recno */
    CCLF_STAGE_PART_A,
    /* CCLF5 and CCLF6 records of the claims not marked bad, by file, cur_id, fidx, recno */
    CCLF_STAGE_PART_B,
    /* the records of one file of one claim (cclf_stage_scan's file and cur_id), marked
     * bad or not, by fidx, recno */
    CCLF_STAGE_CLAIM,
    CCLF_STAGE_LISTS
} cclf_stage_list;

/* One staged record of a list, a borrowed view: valid until the next call of
 * cclf_stage_next, cclf_stage_scan or cclf_stage_stop on the same list, or
 * cclf_stage_close. */
typedef struct cclf_stage_row {
    char file;          /* '1'..'6' */
    const char *cur_id; /* the claim (CUR_CLM_UNIQ_ID) */
    int64_t fidx;       /* the file index given to cclf_stage_put */
    int64_t recno;      /* the record number given to cclf_stage_put */
    int64_t off;        /* the record's offset in file fidx, given to cclf_stage_put */
    size_t len;         /* its length */
    int orphan;         /* CCLF_STAGE_COLLATERAL: 1 a record without its CCLF1 header */
} cclf_stage_row;

/* Start list which from its first row (a scan of it still under way is abandoned).
 * CCLF_STAGE_CLAIM lists file and cur_id's records (both copied); the other lists ignore
 * them. The lists are independent: one may be read while
 * another is under way. 0, -ENOMEM, or -EIO (the list's statement failed to prepare). */
int cclf_stage_scan(cclf_stage *st, cclf_stage_list which, char file, const char *cur_id,
                    char *err, size_t errlen);

/* The next row of list which (started by cclf_stage_scan) into *row: 1 with a row, 0 at
 * the end, -ENOMEM or -EIO. At the end and on an error the scan is over. */
int cclf_stage_next(cclf_stage *st, cclf_stage_list which, cclf_stage_row *row, char *err,
                    size_t errlen);

/* End list which's scan before its end (a no-op when none is under way). */
void cclf_stage_stop(cclf_stage *st, cclf_stage_list which);

#endif
