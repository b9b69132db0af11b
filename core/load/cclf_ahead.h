/*
 * cclf_ahead: the CCLF loader's check of its claim files' records (CCLF1-6) on a second
 * thread (core/load/load_cclf.c). The loader walks the records of its claim files in
 * chunks of a fixed number of records and checks the even chunks (0, 2, 4, ...) itself;
 * this thread checks the odd ones, in the same order, ahead of it, into a ring of a few
 * chunks. A record's check is cclf_check_record (a pure function of the record's bytes),
 * so what it says does not depend on which thread ran it. For each record of an odd
 * chunk the loader takes a verdict: the record's claim id when it read without an error
 * or a warning (the loader stages it), nothing to do (a record of the wrong length: the
 * counting pass reported it), or "check it again on the loading thread" (an error or a
 * warning: its messages are printed there, in record order, as a one-thread check
 * prints them). The stage therefore gets the same records in the same order either way.
 *
 * The files' bytes are borrowed (the loader keeps them mapped until cclf_ahead_stop);
 * the chunk offsets too. Threads: cclf_ahead_take and cclf_ahead_stop are called by one
 * thread, the loader's.
 */
#ifndef CARA_LOAD_CCLF_AHEAD_H
#define CARA_LOAD_CCLF_AHEAD_H

#include <stddef.h>
#include <stdint.h>

/* Records per chunk by default: a chunk's verdicts are 24 bytes a record. */
#define CCLF_AHEAD_CHUNK 4096

/* One claim file to check, in the loader's order. */
typedef struct cclf_ahead_file {
    const char *buf;       /* its bytes (borrowed) */
    size_t len;
    char file;             /* '1'..'6' */
    unsigned reclen;       /* the layout's record length */
    int test_ids;          /* a test delivery (cclf_error.test_ids) */
    const size_t *chunk_at; /* the offset of each chunk's first record (borrowed) */
    size_t n_chunks;
} cclf_ahead_file;

enum { CCLF_V_PUT, CCLF_V_SKIP, CCLF_V_REDO };

/* One record's verdict. */
typedef struct cclf_verdict {
    uint64_t off;          /* the record's offset in its file */
    uint32_t recno;        /* its record number (1-based) */
    signed char kind;      /* CCLF_V_PUT, _SKIP or _REDO */
    char test_id_used;     /* CCLF_V_PUT: cclf_error.test_id_used */
    char cur_id[14];       /* CCLF_V_PUT: the claim (CUR_CLM_UNIQ_ID) */
} cclf_verdict;

typedef struct cclf_ahead cclf_ahead;

/* Start the thread over files[0..n) (copied; their buffers and offsets borrowed), chunks
 * of chunk records. 0, or -ENOMEM / -EAGAIN (no thread: the caller checks every record
 * itself). */
int cclf_ahead_start(const cclf_ahead_file *files, size_t n, size_t chunk, cclf_ahead **out);

/* The verdicts of odd chunk c of file fi, the next one the thread checks (the caller
 * takes them in order: file by file, chunk 1, 3, 5, ...), waiting for them; *n of them.
 * Valid until the next cclf_ahead_take or cclf_ahead_stop. NULL when (fi, c) is not the
 * next chunk (a caller's mistake). */
const cclf_verdict *cclf_ahead_take(cclf_ahead *a, size_t fi, size_t c, size_t *n);

/* Stop the thread (whether or not every chunk was taken), wait for it and free a. NULL
 * is a no-op. */
void cclf_ahead_stop(cclf_ahead *a);

#endif
