/*
 * feed_store: applies feed records (feed.h) to the store, inside the caller's
 * transaction: claim versions by natural key, beneficiary spans and demographics, the
 * MBI crosswalk and FHIR patient ids.
 */
#ifndef CARA_FEED_STORE_H
#define CARA_FEED_STORE_H

#include <stdint.h>

#include "feeds/feeds.h"
#include "mbi_map.h"
#include "store_conn.h"

typedef struct feed_sink feed_sink;

/* What the sink did, summed over its life. */
typedef struct feed_stats {
    int64_t claims;          /* originals and adjustments stored (denied ones apart) */
    int64_t cancelled;       /* cancellation records stored (FHIR: cancelled versions) */
    int64_t denied;          /* denied claims stored (kept for audit, never priced) */
    int64_t stale;           /* records already stored, or older than the stored version */
    int64_t header_paid;     /* claims priced at their claim-level payment (line 0) */
    int64_t lines;           /* claim lines stored */
    int64_t benes_new;       /* beneficiaries given enrollment spans */
    int64_t benes_updated;   /* beneficiaries whose demographics were updated */
    int64_t remapped;        /* previous MBIs mapped to current ones */
    int64_t behind_claims;   /* claims stored while writing behind (feed_sink_behind) */
    int64_t behind_waits;    /* times the sink waited for its queue meanwhile */
} feed_stats;

/*
 * Prepare the sink's statements on s (which must be inside a transaction the caller
 * commits or rolls back). load_id is recorded with every stored version. The caller
 * owns *out (feed_sink_close). 0, or -EIO with the SQLite message in err.
 *
 * A bulk load: while the sink is open the page caches of main and temp are at least
 * FEED_CACHE_KIB, and the claims' end dates are counted by the claims writer and written
 * once at the end (claims_w_bulk_begin): call feed_sink_finish before the commit.
 */
int feed_sink_open(store *s, int64_t load_id, feed_sink **out, char *err, size_t errlen);
/* Before the commit: what feed_sink_open deferred (the claims' end dates). 0, or -EIO with
 * err. A rollback instead needs no call. */
int feed_sink_finish(feed_sink *k, char *err, size_t errlen);
/*
 * Write the claims behind from now until feed_sink_settle (claims_w.h's write-behind:
 * this thread assembles claims while a second one stores them). feed_put_claim's
 * look-ups (a record delivered again, a key's stored version or other records) are
 * answered without waiting for the queue: Bloom filters of the ids and natural keys this
 * sink stored (or deleted) since say which it surely did not touch, and those are looked
 * up in the store as it was before this transaction (a second, read-only connection of
 * the file; nothing when the claims table was empty), which is the store as it is
 * because nothing changed a claim before this call (else 0: not behind); a maybe of the
 * filters waits for the queue and reads the store itself, except the replace model's
 * latest keys, kept in a small cache. Debit/credit groups that need deciding (a
 * cancellation, a key with another record) are decided once at the settle. The MBI
 * crosswalk and the FHIR Patient ids' MBIs are read into memory (each up to 1,000,000
 * pairs; a larger table is read as before, waiting for the queue at every look-up), for
 * feed_xwalk_current and feed_patient_mbi (feed_patient_put keeps the second up to
 * date). Meanwhile the caller must not use the connection but through the sink, or
 * after feed_sink_idle; feed_sink_finish settles first. The same rows as without it, in
 * the same order. 1 started, 0 not (a claim changed in this transaction already, or the
 * file cannot be read beside it: the sink goes on as before), -EIO / -ENOMEM / -EAGAIN
 * with err.
 */
int feed_sink_behind(feed_sink *k, char *err, size_t errlen);

/* A hint, before feed_sink_behind: about how many claims the delivery holds (at most;
 * 0: not known). It sizes the filters writing behind keeps (bloom_bits_for), so a small
 * delivery does not clear 32 MB of them; a hint too small costs look-ups, never a wrong
 * answer. */
void feed_sink_expect(feed_sink *k, uint64_t claims);

/* From now on keep the list of the persons claims are inserted for (their current MBIs),
 * for feed_sink_persons. 0 or -ENOMEM. */
int feed_sink_track_persons(feed_sink *k);

/* That list (a set: mbi_map's keys, "" values; borrowed until the next put or
 * feed_sink_close), or NULL when not tracked or not whole (memory ran out). */
const mbi_map *feed_sink_persons(const feed_sink *k);

/* Before the caller reads or writes the connection other than through the sink (its
 * staging tables, the loads table) while writing behind: wait until every queued write
 * ran (the writer thread is then idle until the sink's next claim). A no-op when not
 * writing behind. 0 or the queue's failure, as feed_sink_settle. */
int feed_sink_idle(feed_sink *k, char *err, size_t errlen);

/* Wait for every queued write and stop writing behind (a no-op when not started). 0, or
 * the first queued write's failure: -EIO / -ENOMEM with "storing feed data: claim ID:
 * MESSAGE" in err. feed_sink_close settles too (its failure then unreported). */
int feed_sink_settle(feed_sink *k, char *err, size_t errlen);

/* The caches back as they were; k freed. NULL is a no-op. */
void feed_sink_close(feed_sink *k);
const feed_stats *feed_sink_stats(const feed_sink *k);

/*
 * Store one claim record and re-decide the statuses of its natural key (feed.h's two
 * models). source ("file:record") is kept with it. When c->has_claim_paid and the
 * non-denied lines do not sum to c->claim_paid_cents (or there are no lines), the lines
 * keep their amounts as detail (claim_lines.detail_paid_cents), the first line is priced
 * at the claim payment and the others at 0 (no lines: a claim-total line 0, revenue
 * center 0001, carries it). Returns 1
 * when stored, 0 when ignored (debit/credit: the record is already stored; replace: an
 * equal or later version is), -EIO on a store failure (message in err).
 */
int feed_put_claim(feed_sink *k, const feed_claim *c, const char *source, char *err,
                   size_t errlen);

/*
 * Apply one beneficiary: spans[0..n) share person and demographics (spans[0]'s) and
 * differ by enroll_start/enroll_end. When the person has no eligibility rows yet, the
 * spans are inserted; otherwise the demographics are updated on every row (never
 * erasing what the feed does not know: empty values keep the stored ones, hospice only
 * turns on) and open spans are closed at a newly known death date. 0 or -EIO.
 */
int feed_put_bene(feed_sink *k, const feed_bene *spans, size_t n, char *err, size_t errlen);

/*
 * Record previous -> current (CCLF9) and re-key what the store holds under previous
 * (claims and their natural keys, eligibility, alignment, earlier crosswalk entries) to
 * current; the claim versions of both MBIs are then one group and their statuses are
 * decided again, so the result does not depend on which arrived first. 0 or -EIO.
 */
int feed_xwalk_put(feed_sink *k, const char *previous, const char *current, char *err,
                   size_t errlen);

/* The current MBI of mbi into out (13 bytes): mbi itself when the crosswalk does not
 * know it. 0, or -EIO when the crosswalk could not be read (message in err). */
int feed_xwalk_current(feed_sink *k, const char *mbi, char out[13], char *err, size_t errlen);

/* Remember a FHIR Patient id's MBI (replacing an earlier one). 0 or -EIO. */
int feed_patient_put(feed_sink *k, const char *patient_id, const char *mbi, char *err,
                     size_t errlen);

/* A FHIR Patient id's MBI into out: 1 when known, 0 when not, -EIO when the store could
 * not be read (message in err). */
int feed_patient_mbi(feed_sink *k, const char *patient_id, char out[13], char *err,
                     size_t errlen);

#endif
