/*
 * tests/test_feed_behind.c: the feed sink writing claims behind (feed_sink_behind, on
 * claims_w's write-behind thread) and its parts: base/bloom (no false negative; the
 * false-positive rate its header promises), store/mbi_map (the in-memory crosswalk and
 * patient map), the sink's own answers while behind (a repeated record, later and older
 * versions, a cancellation decided at the settle, exactly one wait for the queue), a
 * queued write's failure reported at the settle, and the same rows with and without the
 * thread for whole deliveries: synthetic CCLF and FHIR (in both file orders, so that
 * EOBs wait for their Patients) and CMS's published Blue Button (BFD) test responses.
 * Every expected figure is worked out by hand in the comments.
 */
#include <check.h>
#include <dirent.h>
#include <sys/stat.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "feeds/cclf.h"
#include "feeds/cclf_bundle.h"
#include "helpers.h"
#include "load/load_csv.h"
#include "load/load_feed.h"
#include "store/mbi_map.h"
#include "store/store.h"
#include "suites.h"

/* ---- bloom --------------------------------------------------------------------------- */

/* Every string added is a maybe; with 2^18 bits and 29,000 strings (the ratio of 15
 * million to 2^27 bits: about 57 strings a 512-bit block, 3 bits each, so a block is
 * about 1 - e^(-171/512) = 28% set and a stranger hits 3 set bits about 0.28^3 = 2.3% of
 * the time, a little more for the fuller blocks) fewer than 4% of 100,000 other strings
 * are; and no filter (a failed init, or never made) answers maybe for everything. */
START_TEST(test_bloom)
{
    bloom b = {0};
    char s[32];
    ck_assert_int_eq(bloom_maybe(&b, "x"), 1);
    bloom_add(&b, "x"); /* no filter: nothing */
    ck_assert_int_eq(bloom_init(&b, 1u << 18), 0);
    ck_assert_uint_eq(b.nbits, 1u << 18);
    ck_assert_int_eq(bloom_maybe(&b, "x"), 0);
    ck_assert_int_eq(bloom_maybe(&b, NULL), 1);
    for (int i = 0; i < 29000; i++) {
        snprintf(s, sizeof s, "claim-%08d#R%d", i * 7, i);
        bloom_add(&b, s);
    }
    for (int i = 0; i < 29000; i++) {
        snprintf(s, sizeof s, "claim-%08d#R%d", i * 7, i);
        ck_assert_msg(bloom_maybe(&b, s) == 1, "%s added but not a maybe", s);
    }
    int fp = 0;
    for (int i = 0; i < 100000; i++) {
        snprintf(s, sizeof s, "other-%08d", i);
        fp += bloom_maybe(&b, s);
    }
    ck_assert_msg(fp < 4000, "%d false positives in 100,000", fp);
    ck_assert_int_gt(fp, 0); /* a filter this full has some */
    bloom_free(&b);
    ck_assert_ptr_null(b.bits);
    ck_assert_int_eq(bloom_maybe(&b, "x"), 1);
    /* sizes round down to whole blocks, at least one */
    ck_assert_int_eq(bloom_init(&b, 1000), 0);
    ck_assert_uint_eq(b.nbits, 512);
    bloom_free(&b);
    ck_assert_int_eq(bloom_init(&b, 3), 0);
    ck_assert_uint_eq(b.nbits, 512);
    bloom_add(&b, "a");
    ck_assert_int_eq(bloom_maybe(&b, "a"), 1);
    bloom_free(&b);
    /* bloom_bits_for: 20 bits a string, a power of two in [2^16, max] */
    ck_assert_uint_eq(bloom_bits_for(0, 1u << 26), 1u << 26);         /* unknown: max */
    ck_assert_uint_eq(bloom_bits_for(1, 1u << 26), 1u << 16);         /* 20 bits: the least */
    ck_assert_uint_eq(bloom_bits_for(3276, 1u << 26), 1u << 16);      /* 65,520 <= 65,536 */
    ck_assert_uint_eq(bloom_bits_for(3277, 1u << 26), 1u << 17);      /* 65,540 > 65,536 */
    ck_assert_uint_eq(bloom_bits_for(10000, 1u << 26), 1u << 18);     /* 200,000 -> 262,144 */
    ck_assert_uint_eq(bloom_bits_for(3355443, 1u << 26), 1u << 26);   /* max / 20: 67,108,860 */
    ck_assert_uint_eq(bloom_bits_for(5000000, 1u << 26), 1u << 26);   /* past it: max */
    ck_assert_uint_eq(bloom_bits_for(100, 1u << 12), 1u << 12);       /* max below 2^16 */
    /* CCLF claims as stored, "CLAIM#RECORD": 13 digits twice, one after another (every
     * third added, the others asked). 20,000 of them in bloom_bits_for's 2^19 bits (26
     * bits each: 1,024 blocks of about 20 strings, 60 of 512 bits set, (60/512)^3 =
     * 0.16%): under 1% of the others are maybes (a hash whose block follows the last
     * digits crowds a few blocks: 8%) */
    ck_assert_int_eq(bloom_init(&b, bloom_bits_for(20000, 1u << 26)), 0);
    ck_assert_uint_eq(b.nbits, 1u << 19);
    for (int i = 0; i < 20000; i++) {
        snprintf(s, sizeof s, "%013d#%013d", 1000000000 + 3 * i, 1000000000 + 3 * i);
        bloom_add(&b, s);
    }
    fp = 0;
    for (int i = 0; i < 20000; i++) {
        snprintf(s, sizeof s, "%013d#%013d", 1000000001 + 3 * i, 1000000001 + 3 * i);
        fp += bloom_maybe(&b, s);
    }
    ck_assert_msg(fp < 200, "%d false positives in 20,000", fp);
    bloom_free(&b);
}
END_TEST

/* ---- mbi_map -------------------------------------------------------------------------- */

START_TEST(test_mbi_map)
{
    mbi_map *m = mbi_map_new();
    char k[300], v[16];
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_null(mbi_map_get(m, "a"));
    ck_assert_int_eq(mbi_map_put(m, "1EG4TE5MK73", "6U50TE7GG18"), 0);
    ck_assert_int_eq(mbi_map_put(m, "", "EMPTYKEY"), 0);
    ck_assert_str_eq(mbi_map_get(m, "1EG4TE5MK73"), "6U50TE7GG18");
    ck_assert_str_eq(mbi_map_get(m, ""), "EMPTYKEY");
    ck_assert_ptr_null(mbi_map_get(m, "1EG4TE5MK7")); /* a prefix is another key */
    /* a put of a key held replaces its value */
    ck_assert_int_eq(mbi_map_put(m, "1EG4TE5MK73", "2EG4TE5MK73"), 0);
    ck_assert_str_eq(mbi_map_get(m, "1EG4TE5MK73"), "2EG4TE5MK73");
    ck_assert_uint_eq(mbi_map_size(m), 2);
    /* too long: not held, nothing changed */
    memset(k, 'k', 256);
    k[256] = '\0';
    ck_assert_int_eq(mbi_map_put(m, k, "X"), -E2BIG);
    k[255] = '\0';
    ck_assert_int_eq(mbi_map_put(m, k, "X"), 0); /* 255 bytes: held */
    ck_assert_int_eq(mbi_map_put(m, "a", "1234567890123"), -E2BIG); /* 13: not an MBI */
    ck_assert_uint_eq(mbi_map_size(m), 3);
    /* many keys (the table grows), the walk in the order first put */
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "Patient-%d", i);
        snprintf(v, sizeof v, "M%d", i);
        ck_assert_int_eq(mbi_map_put(m, k, v), 0);
    }
    ck_assert_uint_eq(mbi_map_size(m), 5003);
    ck_assert_str_eq(mbi_map_key(m, 0), "1EG4TE5MK73");
    ck_assert_str_eq(mbi_map_key(m, 1), "");
    ck_assert_str_eq(mbi_map_key(m, 3), "Patient-0");
    ck_assert_str_eq(mbi_map_key(m, 5002), "Patient-4999");
    for (int i = 0; i < 5000; i += 499) {
        snprintf(k, sizeof k, "Patient-%d", i);
        snprintf(v, sizeof v, "M%d", i);
        ck_assert_str_eq(mbi_map_get(m, k), v);
    }
    mbi_map_free(m);
    mbi_map_free(NULL);
}
END_TEST

/* mbi_map_read: the rows of a two-column query; 0 (not usable) past max rows or at a
 * NULL, -EIO naming what was read. */
START_TEST(test_mbi_map_read)
{
    sqlite3 *db;
    char err[256];
    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE x (a TEXT, b TEXT); INSERT INTO x VALUES "
                                      "('p1', 'M1'), ('p2', 'M2'), ('p3', 'M3')", NULL, NULL,
                                  NULL), SQLITE_OK);
    mbi_map *m = mbi_map_new();
    ck_assert_int_eq(mbi_map_read(m, db, "SELECT a, b FROM x", 3, "reading x", err, sizeof err), 1);
    ck_assert_str_eq(mbi_map_get(m, "p2"), "M2");
    mbi_map_free(m);
    m = mbi_map_new();
    ck_assert_int_eq(mbi_map_read(m, db, "SELECT a, b FROM x", 2, "reading x", err, sizeof err), 0);
    mbi_map_free(m);
    m = mbi_map_new();
    ck_assert_int_eq(mbi_map_read(m, db, "SELECT a, NULL FROM x", 9, "reading x", err, sizeof err), 0);
    mbi_map_free(m);
    m = mbi_map_new();
    ck_assert_int_eq(mbi_map_read(m, db, "SELECT a, b FROM nope", 9, "reading x", err, sizeof err),
                     -EIO);
    ck_assert_msg(strstr(err, "reading x: no such table: nope"), "%s", err);
    mbi_map_free(m);
    sqlite3_close(db);
}
END_TEST

/* ---- the sink, by hand ----------------------------------------------------------------- */

static char dir[64], dir2[64];
static store *db, *db2;
static char *out, *err_text;

static void setup(void)
{
    th_tmpdir_store(dir, "cara-behind", &db);
    th_tmpdir_store(dir2, "cara-behind2", &db2);
    out = err_text = NULL;
}

static void teardown(void)
{
    th_store_done(dir, &db);
    th_store_done(dir2, &db2);
    free(out);
    free(err_text);
}

/* A professional claim of one line paying paid cents (a CPT therapy code, 2027-03-01). */
static feed_claim claim(int model, const char *id, const char *rec, const char *key, int adj,
                        int64_t version, int64_t paid, const char *control, const char *org)
{
    static feed_line line;
    feed_claim c;
    memset(&c, 0, sizeof c);
    memset(&line, 0, sizeof line);
    c.model = model;
    snprintf(c.claim_id, sizeof c.claim_id, "%s", id);
    snprintf(c.record_id, sizeof c.record_id, "%s", rec);
    snprintf(c.key, sizeof c.key, "%s", key);
    snprintf(c.control_number, sizeof c.control_number, "%s", control);
    snprintf(c.original_control_number, sizeof c.original_control_number, "%s", org);
    c.type = FEED_PROFESSIONAL;
    snprintf(c.person_id, sizeof c.person_id, "1EG4TE5MK73");
    c.start = c.end = date_from_ymd(2027, 3, 1);
    c.admission = c.discharge = c.paid = CARA_DATE_NONE;
    c.adjustment = adj;
    c.version = version;
    line.number = 1;
    line.start = line.end = c.start;
    snprintf(line.hcpcs, sizeof line.hcpcs, "97110");
    snprintf(line.pos, sizeof line.pos, "11");
    line.paid_cents = line.allowed_cents = paid;
    c.lines = &line;
    c.n_lines = 1;
    return c;
}

/*
 * The records, in this order, with what the sink makes of each (feed.h's models):
 * debit/credit, key K1:
 *   1. C1#R1 original v1, $50.00, control C1
 *   2. C2#R2 original v1 (key K2), $7.00: a lone claim, current
 *   3. C1X#R3 cancellation v2 of C1 ($50.00): voids R1 (an earlier version, the
 *      control number it names, the same amount)
 *   4. C1A#R4 adjustment v2, $45.00: the cancellation's companion (same version), not
 *      its target; it stands, so R1 is replaced by it
 *   5. C1#R1 again (a run-out repeats it): stale, stored once
 * replace, keys KE1, KE2:
 *   6. E1 v10 $1.00; 7. E1 v20 $2.00 replaces it; 8. E1 v15 is older: stale;
 *   9. E2 v5, a cancelled version: stored as cancelled; 10. E1 v20 again ($3.00): an
 *   equal version, stale.
 * So: 3 claims (R1, R2, R4) + E1 v10 + E1 v20 = 5 stored as claims, 2 cancellations
 * (R3, E2), 3 stale (R5, E1 v15, E1 v20 again); rows: C1#R1 replaced by C1A#R4, C1X#R3 a cancellation
 * of C1#R1, C1A#R4, C2#R2 and E1 (v20, 200 cents) current, E2 cancelled.
 * Behind, the sink waits for its queue once: at record 5, whose id the filter has seen
 * (record 4's key has another record: decided at the settle without a look-up; record
 * 7 finds E1's stored row in memory, 8 and 10 too).
 */
static void put_all(feed_sink *k, int *rcs)
{
    char e[512];
    feed_claim c[10] = {
        claim(FEED_DEBIT_CREDIT, "C1", "R1", "K1", FEED_ORIGINAL, 1, 5000, "C1", ""),
        claim(FEED_DEBIT_CREDIT, "C2", "R2", "K2", FEED_ORIGINAL, 1, 700, "C2", ""),
        claim(FEED_DEBIT_CREDIT, "C1X", "R3", "K1", FEED_CANCEL, 2, 5000, "C1X", "C1"),
        claim(FEED_DEBIT_CREDIT, "C1A", "R4", "K1", FEED_ADJUSTMENT, 2, 4500, "C1A", "C1"),
        claim(FEED_DEBIT_CREDIT, "C1", "R1", "K1", FEED_ORIGINAL, 1, 5000, "C1", ""),
        claim(FEED_REPLACE, "E1", "", "KE1", FEED_ORIGINAL, 10, 100, "E1", ""),
        claim(FEED_REPLACE, "E1", "", "KE1", FEED_ORIGINAL, 20, 200, "E1", ""),
        claim(FEED_REPLACE, "E1", "", "KE1", FEED_ORIGINAL, 15, 150, "E1", ""),
        claim(FEED_REPLACE, "E2", "", "KE2", FEED_CANCEL, 5, 0, "E2", ""),
        claim(FEED_REPLACE, "E1", "", "KE1", FEED_ORIGINAL, 20, 300, "E1", ""),
    };
    for (int i = 0; i < 10; i++) {
        feed_line l = *c[i].lines; /* claim()'s line is shared: each record its own */
        c[i].lines = &l;
        if (i == 6) l.paid_cents = l.allowed_cents = 200;
        rcs[i] = feed_put_claim(k, &c[i], "t:1", e, sizeof e);
        ck_assert_msg(rcs[i] >= 0, "record %d: %s", i + 1, e);
    }
}

static void sink_world(store *s)
{
    th_exec(s, "INSERT INTO loads (load_id, path, kind, sha256, rows, loaded_at) VALUES "
               "(1, 'a', 'cclf1', 's1', 0, '2027-01-01T00:00:00Z')");
}

#define CLAIMS_SQL                                                                          \
    "SELECT group_concat(claim_id || ' ' || status || ' ' || coalesce(related_claim_id, '-') " \
    "|| ' ' || version || ' ' || lines, '; ') FROM (SELECT * FROM claims ORDER BY claim_id)"

START_TEST(test_sink_behind_same_rows)
{
    char e[512], a[256], b[256];
    int rcs_serial[10], rcs_behind[10];
    feed_stats st[2];
    store *s[2] = {db, db2};
    for (int m = 0; m < 2; m++) {
        feed_sink *k;
        sink_world(s[m]);
        ck_assert_int_eq(store_begin(s[m], e, sizeof e), 0);
        ck_assert_int_eq(feed_sink_open(s[m], 1, &k, e, sizeof e), 0);
        if (m == 1) ck_assert_int_eq(feed_sink_behind(k, e, sizeof e), 1);
        put_all(k, m ? rcs_behind : rcs_serial);
        ck_assert_int_eq(feed_sink_settle(k, e, sizeof e), 0);
        ck_assert_int_eq(feed_sink_settle(k, e, sizeof e), 0); /* again: nothing to do */
        ck_assert_msg(feed_sink_finish(k, e, sizeof e) == 0, "%s", e);
        st[m] = *feed_sink_stats(k);
        feed_sink_close(k);
        ck_assert_int_eq(store_commit(s[m], e, sizeof e), 0);
    }
    for (int i = 0; i < 10; i++) ck_assert_int_eq(rcs_behind[i], rcs_serial[i]);
    ck_assert_int_eq(rcs_serial[9], 0); /* the equal version */
    ck_assert_int_eq(rcs_serial[4], 0); /* the repeat */
    ck_assert_int_eq(rcs_serial[7], 0); /* the older version */
    ck_assert_str_eq(th_qs(db, CLAIMS_SQL, a), th_qs(db2, CLAIMS_SQL, b));
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claims"), 6);
    ck_assert_str_eq(th_qs(db2, "SELECT group_concat(claim_id || ' ' || status || ' ' || "
                                "coalesce(related_claim_id, '-'), '; ') FROM (SELECT * FROM "
                                "claims ORDER BY claim_id)", a),
                     "C1#R1 replaced C1A#R4; C1A#R4 current -; C1X#R3 cancellation C1#R1; "
                     "C2#R2 current -; E1 current -; E2 cancelled -");
    ck_assert_int_eq(th_q(db2, "SELECT version FROM claims WHERE claim_id = 'E1'"), 20);
    ck_assert_int_eq(th_q(db2, "SELECT sum(paid_cents) FROM claim_lines WHERE claim_id = 'E1'"), 200);
    for (int m = 0; m < 2; m++) {
        ck_assert_int_eq(st[m].claims, 5);
        ck_assert_int_eq(st[m].cancelled, 2);
        ck_assert_int_eq(st[m].stale, 3);
        ck_assert_int_eq(st[m].lines, 7);
    }
    ck_assert_int_eq(st[0].behind_claims, 0);
    ck_assert_int_eq(st[0].behind_waits, 0);
    ck_assert_int_eq(st[1].behind_claims, 7);
    ck_assert_int_eq(st[1].behind_waits, 1);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM person_changes"),
                     th_q(db2, "SELECT count(*) FROM person_changes"));
}
END_TEST

/* One transaction of a sink of load load_id on s (behind: feed_sink_behind first, which
 * must start) storing c[0..n) (each record its own copy of its line): each
 * feed_put_claim's return into rcs, the stats into *st (NULL: not kept); committed. */
static void sink_session(store *s, int64_t load_id, int behind, feed_claim *c, int n, int *rcs,
                         feed_stats *st)
{
    char e[512];
    feed_sink *k;
    ck_assert_int_eq(store_begin(s, e, sizeof e), 0);
    ck_assert_int_eq(feed_sink_open(s, load_id, &k, e, sizeof e), 0);
    if (behind) ck_assert_int_eq(feed_sink_behind(k, e, sizeof e), 1);
    for (int i = 0; i < n; i++) {
        feed_line l = *c[i].lines;
        c[i].lines = &l;
        rcs[i] = feed_put_claim(k, &c[i], "t:2", e, sizeof e);
        ck_assert_msg(rcs[i] >= 0, "record %d: %s", i + 1, e);
    }
    ck_assert_msg(feed_sink_finish(k, e, sizeof e) == 0, "%s", e);
    if (st) *st = *feed_sink_stats(k);
    feed_sink_close(k);
    ck_assert_int_eq(store_commit(s, e, sizeof e), 0);
}

/*
 * Into a store with claims (committed before: C1#R1 and C2#R2 debit/credit originals of
 * keys K1, K2; E1 v10 of key KE1 and E3 v1 of key KE3, replace model), the look-ups the
 * filters cannot answer go to the store as it was (a second, read-only connection):
 *   1. C1#R1 again: stale (stored before); 2. C1X#R3 cancels C1 (v2, same amount): K1
 *   is decided at the settle, C1#R1 cancelled by it (no adjustment stands);
 *   3. C2#R2 again: stale; 4. E1 v20: replaces the stored E1 v10; 5. E1 v15: older than
 *   the v20 this load stored (found in memory): stale;
 *   6. id E3 under another key KE4 (v5): the stored E3 of KE3 is deleted first, and KE3
 *   joins the filter; 7. E3b of KE3 (v2): KE3 is a maybe now, so the sink waits for the
 *   queue and reads the store itself: nothing left under KE3, E3b stored;
 *   8. C5A#R7, an adjustment (v2) of C5, whose K5 had C5#R5 cancelled by C5X#R6 (v2)
 *   before: the store had records of K5, so K5 is decided again at the settle, and the
 *   adjustment processed with the cancellation replaces C5#R5.
 * Rows: C1#R1 cancelled (C1X#R3), C1X#R3 a cancellation of C1#R1, C2#R2 current, C5#R5
 * replaced by C5A#R7 (current), C5X#R6 a cancellation of C5#R5, E1 v20, E3 (KE4) v5,
 * E3b (KE3) v2 current; 3 stale, one wait (record 7). The same as without the thread,
 * which gets there by reading the store at every record.
 */
START_TEST(test_sink_behind_onto_stored)
{
    char a[512], b[512];
    store *s[2] = {db, db2};
    feed_stats st[2];
    int rcs[2][8], ignored[6];
    for (int m = 0; m < 2; m++) {
        sink_world(s[m]);
        th_exec(s[m], "INSERT INTO loads (load_id, path, kind, sha256, rows, loaded_at) VALUES "
                      "(2, 'b', 'cclf1', 's2', 0, '2027-02-01T00:00:00Z')");
        feed_claim before[6] = {
            claim(FEED_DEBIT_CREDIT, "C1", "R1", "K1", FEED_ORIGINAL, 1, 5000, "C1", ""),
            claim(FEED_DEBIT_CREDIT, "C2", "R2", "K2", FEED_ORIGINAL, 1, 700, "C2", ""),
            claim(FEED_DEBIT_CREDIT, "C5", "R5", "K5", FEED_ORIGINAL, 1, 4000, "C5", ""),
            claim(FEED_DEBIT_CREDIT, "C5X", "R6", "K5", FEED_CANCEL, 2, 4000, "C5X", "C5"),
            claim(FEED_REPLACE, "E1", "", "KE1", FEED_ORIGINAL, 10, 100, "E1", ""),
            claim(FEED_REPLACE, "E3", "", "KE3", FEED_ORIGINAL, 1, 300, "E3", ""),
        };
        sink_session(s[m], 1, 0, before, 6, ignored, NULL);
        feed_claim now[8] = {
            claim(FEED_DEBIT_CREDIT, "C1", "R1", "K1", FEED_ORIGINAL, 1, 5000, "C1", ""),
            claim(FEED_DEBIT_CREDIT, "C1X", "R3", "K1", FEED_CANCEL, 2, 5000, "C1X", "C1"),
            claim(FEED_DEBIT_CREDIT, "C2", "R2", "K2", FEED_ORIGINAL, 1, 700, "C2", ""),
            claim(FEED_REPLACE, "E1", "", "KE1", FEED_ORIGINAL, 20, 200, "E1", ""),
            claim(FEED_REPLACE, "E1", "", "KE1", FEED_ORIGINAL, 15, 150, "E1", ""),
            claim(FEED_REPLACE, "E3", "", "KE4", FEED_ORIGINAL, 5, 500, "E3", ""),
            claim(FEED_REPLACE, "E3b", "", "KE3", FEED_ORIGINAL, 2, 320, "E3b", ""),
            claim(FEED_DEBIT_CREDIT, "C5A", "R7", "K5", FEED_ADJUSTMENT, 2, 3500, "C5A", "C5"),
        };
        sink_session(s[m], 2, m == 1, now, 8, rcs[m], &st[m]);
    }
    for (int i = 0; i < 8; i++) ck_assert_int_eq(rcs[1][i], rcs[0][i]);
    ck_assert_str_eq(th_qs(db, CLAIMS_SQL, a), th_qs(db2, CLAIMS_SQL, b));
    ck_assert_str_eq(th_qs(db2, "SELECT group_concat(claim_id || ' ' || claim_key || ' ' || status "
                                "|| ' ' || coalesce(related_claim_id, '-') || ' v' || version, "
                                "'; ') FROM (SELECT * FROM claims ORDER BY claim_id)", a),
                     "C1#R1 K1 cancelled C1X#R3 v1; C1X#R3 K1 cancellation C1#R1 v2; "
                     "C2#R2 K2 current - v1; C5#R5 K5 replaced C5A#R7 v1; "
                     "C5A#R7 K5 current - v2; C5X#R6 K5 cancellation C5#R5 v2; "
                     "E1 KE1 current - v20; E3 KE4 current - v5; E3b KE3 current - v2");
    for (int m = 0; m < 2; m++) ck_assert_int_eq(st[m].stale, 3);
    ck_assert_int_eq(st[1].behind_claims, 5);
    ck_assert_int_eq(st[1].behind_waits, 1);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM person_changes"),
                     th_q(db2, "SELECT count(*) FROM person_changes"));
}
END_TEST

/* A claim changed in the transaction before feed_sink_behind (the claims committed
 * before, then one stored in this transaction): the store as it was is not the store as
 * it is, so the sink does not write behind, and answers as before: the repeat of a
 * stored claim is stale, found by reading the store. */
START_TEST(test_sink_behind_after_a_change)
{
    char e[512];
    int rcs[10];
    feed_sink *k;
    sink_world(db);
    ck_assert_int_eq(store_begin(db, e, sizeof e), 0);
    ck_assert_int_eq(feed_sink_open(db, 1, &k, e, sizeof e), 0);
    put_all(k, rcs);
    ck_assert_int_eq(feed_sink_finish(k, e, sizeof e), 0);
    feed_sink_close(k);
    ck_assert_int_eq(store_commit(db, e, sizeof e), 0);
    ck_assert_int_eq(store_begin(db, e, sizeof e), 0);
    ck_assert_int_eq(feed_sink_open(db, 1, &k, e, sizeof e), 0);
    feed_claim c = claim(FEED_DEBIT_CREDIT, "C9", "R9", "K9", FEED_ORIGINAL, 1, 900, "C9", "");
    ck_assert_int_eq(feed_put_claim(k, &c, "t:3", e, sizeof e), 1);
    ck_assert_int_eq(feed_sink_behind(k, e, sizeof e), 0);
    c = claim(FEED_DEBIT_CREDIT, "C2", "R2", "K2", FEED_ORIGINAL, 1, 700, "C2", "");
    ck_assert_int_eq(feed_put_claim(k, &c, "t:4", e, sizeof e), 0);
    ck_assert_int_eq(feed_sink_stats(k)->stale, 1);
    ck_assert_int_eq(feed_sink_stats(k)->behind_waits, 0);
    ck_assert_int_eq(feed_sink_settle(k, e, sizeof e), 0); /* never behind: nothing to do */
    feed_sink_close(k);
    store_rollback(db);
}
END_TEST

/* A write the writer thread fails (a trigger refuses claim BAD): the sink's later calls
 * and the settle report it, naming the claim; the caller rolls back and nothing stays.
 * Closing a sink still behind (the error path) waits for the thread. */
START_TEST(test_sink_behind_failure)
{
    char e[512] = "";
    feed_sink *k;
    sink_world(db);
    th_exec(db, "CREATE TEMP TRIGGER boom BEFORE INSERT ON claims WHEN NEW.claim_id = 'BAD#R9' "
                "BEGIN SELECT RAISE(ABORT, 'planted failure'); END");
    ck_assert_int_eq(store_begin(db, e, sizeof e), 0);
    ck_assert_int_eq(feed_sink_open(db, 1, &k, e, sizeof e), 0);
    ck_assert_int_eq(feed_sink_behind(k, e, sizeof e), 1);
    feed_claim c = claim(FEED_DEBIT_CREDIT, "BAD", "R9", "K9", FEED_ORIGINAL, 1, 100, "BAD", "");
    ck_assert_int_eq(feed_put_claim(k, &c, "t:1", e, sizeof e), 1); /* queued */
    int rc = feed_sink_settle(k, e, sizeof e);
    ck_assert_int_eq(rc, -EIO);
    ck_assert_msg(strstr(e, "storing feed data: claim BAD#R9: ") && strstr(e, "planted failure"),
                  "%s", e);
    feed_sink_close(k);
    store_rollback(db);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claims"), 0);

    /* the failure met by a later claim, before any settle */
    e[0] = '\0';
    ck_assert_int_eq(store_begin(db, e, sizeof e), 0);
    ck_assert_int_eq(feed_sink_open(db, 1, &k, e, sizeof e), 0);
    ck_assert_int_eq(feed_sink_behind(k, e, sizeof e), 1);
    ck_assert_int_eq(feed_put_claim(k, &c, "t:1", e, sizeof e), 1);
    /* the same record again: its id is a maybe, so the sink waits for the queue, and
     * meets the failure */
    rc = feed_put_claim(k, &c, "t:2", e, sizeof e);
    ck_assert_int_lt(rc, 0);
    ck_assert_msg(strstr(e, "planted failure"), "%s", e);
    feed_sink_close(k); /* still behind: closing waits for the thread */
    store_rollback(db);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claims"), 0);
}
END_TEST

/* ---- whole deliveries, with and without the thread ------------------------------------ */

/* Every table's rows (all columns, in a total order) but the loads' own records, as one
 * text (malloc'ed). */
static char *dump(store *s)
{
    sqlite3 *h = store_db(s);
    sqlite3_stmt *t;
    char *o = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&o, &n);
    ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT IN ('loads', 'audit_log') AND name NOT "
                                           "LIKE 'sqlite%' ORDER BY name", -1, &t, NULL),
                     SQLITE_OK);
    while (sqlite3_step(t) == SQLITE_ROW) {
        char sql[512], cols[256] = "";
        const char *name = (const char *)sqlite3_column_text(t, 0);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s')", name);
        long long nc = th_q(s, sql);
        for (long long i = 1; i <= nc; i++) {
            size_t k = strlen(cols);
            snprintf(cols + k, sizeof cols - k, "%s%lld", i > 1 ? "," : "", i);
        }
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY %s", name, cols);
        sqlite3_stmt *r;
        ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &r, NULL), SQLITE_OK);
        fprintf(f, "== %s\n", name);
        while (sqlite3_step(r) == SQLITE_ROW) {
            for (int i = 0; i < sqlite3_column_count(r); i++) {
                const unsigned char *v = sqlite3_column_text(r, i);
                fprintf(f, "%s%s", i ? "|" : "", v ? (const char *)v : "NULL");
            }
            fputc('\n', f);
        }
        sqlite3_finalize(r);
    }
    sqlite3_finalize(t);
    fclose(f);
    return o;
}

/* The files of folder d whose names match one of the prefixes (in that order, each
 * prefix's files by name), as paths (malloc'ed) into p; their count. */
static int files_in(const char *d, const char *const *prefixes, int np, char **p, int max)
{
    int n = 0;
    for (int i = 0; i < np; i++) {
        struct dirent **names;
        int k = scandir(d, &names, NULL, alphasort);
        ck_assert_int_ge(k, 0);
        for (int j = 0; j < k; j++) {
            if (!strncmp(names[j]->d_name, prefixes[i], strlen(prefixes[i])) && n < max)
                p[n++] = util_path_join(d, names[j]->d_name);
            free(names[j]);
        }
        free(names);
    }
    return n;
}

/* Load the reference CSVs of folder d into s. */
static void load_refs(store *s, const char *d)
{
    static const char *const refs[] = {"acos.csv", "providers.csv", "eligibility.csv",
                                       "alignment.csv", "arrangements.csv", "participants.csv"};
    load_opts lo = {.max_errors = 50, .err = stderr};
    for (int i = 0; i < 6; i++) {
        char *path = util_path_join(d, refs[i]);
        load_result lr;
        ck_assert_msg(load_file(s, path, &lo, &lr) == 0, "%s", path);
        free(path);
    }
}

typedef int (*load_fn)(store *s, char *const *paths, size_t n, const feed_opts *o);

/* same_both_ways with --skip-bad (the rejects written to the same stream) */
static int both_skip_bad;
static size_t both_stage; /* the CCLF stage's bound in memory, both ways (0: the default) */
/* nonzero: compare instead a load with the default stage (db) against one with this
 * bound (db2), both on one thread: a stage in its tables against one in memory */
static size_t parts_stage;

/* Load paths into db serially and into db2 behind (each after the same reference CSVs
 * when refs), and compare everything the two stores hold; the summaries too (they count
 * what each stored), and every message. Behind, CCLF's claim files are checked on two
 * threads in chunks of 3 records (cclf_ahead.h): the second thread checks records 4-6,
 * 10-12, ... of each file; and Part B's records are converted on a second thread in
 * batches of 5 (load_cclf.c), so most claims of several lines straddle two batches, and
 * Part A's claims in batches of 5 claims. */
static void same_both_ways(load_fn fn, const char *refs, char **paths, int n, int want_rc)
{
    store *s[2] = {db, db2};
    char *sum[2];
    for (int m = 0; m < 2; m++) {
        if (refs) load_refs(s[m], refs);
        char *p = NULL;
        size_t len = 0;
        FILE *o = open_memstream(&p, &len);
        feed_opts fo = {.max_errors = 50, .err = o, .out = o, .serial_writes = m == 0,
                        .check_chunk = m == 0 ? 0 : 3, .conv_batch = m == 0 ? 0 : 5,
                        .skip_bad = both_skip_bad,
                        .rejects = both_skip_bad ? o : NULL, .stage_records = both_stage};
        if (parts_stage) {
            fo.serial_writes = 1;
            fo.stage_records = m == 0 ? 0 : parts_stage;
        }
        int rc = fn(s[m], paths, (size_t)n, &fo);
        fclose(o);
        ck_assert_msg(rc == want_rc, "load: %d, not %d: %s", rc, want_rc, p);
        sum[m] = p;
    }
    ck_assert_str_eq(sum[0], sum[1]);
    char *a = dump(db), *b = dump(db2);
    ck_assert_msg(!strcmp(a, b), "the stores differ (serial %zu bytes, behind %zu)", strlen(a),
                  strlen(b));
    ck_assert_ptr_nonnull(strstr(a, "== claims\n"));
    free(a);
    free(b);
    free(sum[0]);
    free(sum[1]);
}

/* `cara synth --beneficiaries 150 --seed 11 --format all` into dir/s. */
static void synth(void)
{
    ck_assert_int_eq(th_cara(dir, "", "synth --out s --beneficiaries 150 --seed 11 --format all",
                             &out, &err_text), 0);
}

/* The run-out bundle's members, extracted into dir/s/runout (as cara load does), as
 * paths into p (the caller frees them); their count. */
static int runout(char **p, int max)
{
    char d[128], ro[128], e[256], *buf, **members;
    size_t len, n;
    snprintf(d, sizeof d, "%s/s/cclf/T.A0000.ACO.ZCR27.D280915.T1200000", dir);
    snprintf(ro, sizeof ro, "%s/s/runout", dir);
    ck_assert_int_eq(mkdir(ro, 0777), 0);
    ck_assert_msg(util_read_file(d, 1 << 26, &buf, &len, e, sizeof e) == 0, "%s", e);
    ck_assert_msg(cclf_bundle_extract(buf, len, ro, 0, &members, &n, e, sizeof e) == 0, "%s", e);
    free(buf);
    ck_assert_int_le((int)n, max);
    for (size_t i = 0; i < n; i++) p[i] = members[i];
    free(members);
    return (int)n;
}

/* The monthly CCLF delivery and its run-out: the first delivery into the empty store is
 * assembled behind, the run-out (a store with claims) is not; the same rows,
 * cancellations, crosswalk re-keys and stays either way. */
START_TEST(test_cclf_both_ways)
{
    char d[128], *p[32];
    synth();
    snprintf(d, sizeof d, "%s/s/cclf", dir);
    static const char *const pre[] = {"T.A0000.ACO.ZC0", "T.A0000.ACO.ZC1", "T.A0000.ACO.ZC2",
                                      "T.A0000.ACO.ZC3", "T.A0000.ACO.ZC4", "T.A0000.ACO.ZC5",
                                      "T.A0000.ACO.ZC6", "T.A0000.ACO.ZC8", "T.A0000.ACO.ZC9"};
    int n = files_in(d, pre, 9, p, 32);
    ck_assert_int_eq(n, 9); /* the loose files of the monthly delivery */
    n += runout(p + n, 32 - n);
    ck_assert_int_eq(n, 18);
    same_both_ways(load_cclf, d, p, n, 0);
    ck_assert_int_gt(th_q(db2, "SELECT count(*) FROM claims WHERE status = 'cancellation'"), 0);
    ck_assert_int_gt(th_q(db2, "SELECT count(*) FROM claims WHERE status = 'replaced'"), 0);
    ck_assert_int_gt(th_q(db2, "SELECT count(*) FROM mbi_xwalk"), 0);
    for (int i = 0; i < n; i++) free(p[i]);
}
END_TEST

/* Overwrite field name of record recno (1-based) of CCLF file path with text v (the
 * field's length), or with cut > 0 remove cut characters from the record's end. */
static void spoil(const char *path, char file, size_t recno, const char *name, const char *v,
                  size_t cut)
{
    char e[256], *buf;
    size_t len;
    ck_assert_msg(util_read_file(path, 1 << 26, &buf, &len, e, sizeof e) == 0, "%s", e);
    char *p = buf;
    for (size_t i = 1; i < recno; i++) {
        p = memchr(p, '\n', len - (size_t)(p - buf));
        ck_assert_ptr_nonnull(p);
        p++;
    }
    const cclf_layout *l = cclf_layout_for(file);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    if (cut) {
        fwrite(buf, 1, (size_t)(p - buf) + l->reclen - cut, f);
        fwrite(p + l->reclen, 1, len - (size_t)(p + l->reclen - buf), f);
    } else {
        const cclf_field *fd = cclf_field_named(l, name);
        ck_assert_ptr_nonnull(fd);
        ck_assert_uint_eq(strlen(v), fd->len);
        memcpy(p + fd->start - 1, v, fd->len);
        fwrite(buf, 1, len, f);
    }
    fclose(f);
    free(buf);
}

/* Bad records in the chunks either thread checks (chunks of 3: records 1-3 on the
 * loading thread, 4-6 on the second, 7-9 on the loading thread, ...): in CCLF5 a bad
 * required date at records 2 (loading thread), 5 and 11 (second thread), an optional
 * date that is not one (a warning) at 8 (loading) and 17 (second), a short record at
 * 20 (loading) and 23 (second); in CCLF1 a bad date at record 4 (second). The monthly
 * delivery's loose files, spoiled so, as paths into p (9 of them). */
static int spoiled_delivery(char **p)
{
    char d[128], c5[256], c1[256];
    synth();
    snprintf(d, sizeof d, "%s/s/cclf", dir);
    snprintf(c5, sizeof c5, "%s/T.A0000.ACO.ZC5Y27.D280115.T1200000", d);
    snprintf(c1, sizeof c1, "%s/T.A0000.ACO.ZC1Y27.D280115.T1200000", d);
    static const size_t bad_date[] = {2, 5, 11};
    for (int i = 0; i < 3; i++) spoil(c5, '5', bad_date[i], "CLM_FROM_DT", "2027-13-45", 0);
    spoil(c5, '5', 8, "CLM_EFCTV_DT", "XXXX-XX-XX", 0);
    spoil(c5, '5', 17, "CLM_EFCTV_DT", "2027-02-30", 0);
    spoil(c5, '5', 20, NULL, NULL, 5);
    spoil(c5, '5', 23, NULL, NULL, 7);
    spoil(c1, '1', 4, "CLM_FROM_DT", "9999-99-99", 0);
    static const char *const pre[] = {"T.A0000.ACO.ZC0", "T.A0000.ACO.ZC1", "T.A0000.ACO.ZC2",
                                      "T.A0000.ACO.ZC3", "T.A0000.ACO.ZC4", "T.A0000.ACO.ZC5",
                                      "T.A0000.ACO.ZC6", "T.A0000.ACO.ZC8", "T.A0000.ACO.ZC9"};
    int n = files_in(d, pre, 9, p, 32);
    ck_assert_int_eq(n, 9);
    return n;
}

/* Rejected (without --skip-bad): the same messages, in the same order, either way, and
 * nothing stored. */
START_TEST(test_cclf_bad_records_both_ways)
{
    char d[128], *p[32];
    int n = spoiled_delivery(p);
    snprintf(d, sizeof d, "%s/s/cclf", dir);
    same_both_ways(load_cclf, d, p, n, -EINVAL);
    ck_assert_int_eq(th_q(db2, "SELECT count(*) FROM claims"), 0);
    for (int i = 0; i < n; i++) free(p[i]);
}
END_TEST

/* With --skip-bad: the good claims loaded, the same rejects and rows either way. */
START_TEST(test_cclf_bad_records_skipped_both_ways)
{
    char d[128], *p[32];
    int n = spoiled_delivery(p);
    snprintf(d, sizeof d, "%s/s/cclf", dir);
    both_skip_bad = 1;
    same_both_ways(load_cclf, d, p, n, 0);
    both_skip_bad = 0;
    ck_assert_int_gt(th_q(db2, "SELECT count(*) FROM claims"), 100);
    for (int i = 0; i < n; i++) free(p[i]);
}
END_TEST

/* Past the stage's bound in memory (its 7th record): the stage in its own tables, the
 * claims still stored on the second thread, the same rows and messages as one thread;
 * then the monthly delivery with bad records, rejected, and with --skip-bad, likewise. */
START_TEST(test_cclf_past_bound_both_ways)
{
    char d[128], *p[32];
    synth();
    snprintf(d, sizeof d, "%s/s/cclf", dir);
    both_stage = 7;
    int n = runout(p, 16);
    same_both_ways(load_cclf, d, p, n, 0);
    ck_assert_int_gt(th_q(db2, "SELECT count(*) FROM claims"), 0);
    for (int i = 0; i < n; i++) free(p[i]);
    both_stage = 0;
}
END_TEST

START_TEST(test_cclf_bad_past_bound_both_ways)
{
    char d[128], *p[32];
    int n = spoiled_delivery(p);
    snprintf(d, sizeof d, "%s/s/cclf", dir);
    both_stage = 7;
    both_skip_bad = _i;
    same_both_ways(load_cclf, d, p, n, _i ? 0 : -EINVAL);
    ck_assert_int_eq(th_q(db2, "SELECT count(*) FROM claims") > 100, _i);
    both_skip_bad = 0;
    both_stage = 0;
    for (int i = 0; i < n; i++) free(p[i]);
}
END_TEST

/* A delivery whose stage moves to its tables (a bound of 7 records: the 150
 * beneficiaries' monthly delivery and run-out, about 15,000 claim-file records; the
 * spoiled delivery without and with --skip-bad) against the same held in memory: the
 * same rows, summaries and messages, in the same order. */
START_TEST(test_cclf_tables_as_memory)
{
    char d[128], *p[32];
    int n;
    if (_i < 2) {
        n = spoiled_delivery(p);
        both_skip_bad = _i;
    } else {
        synth();
        snprintf(d, sizeof d, "%s/s/cclf", dir);
        static const char *const pre[] = {"T.A0000.ACO.ZC0", "T.A0000.ACO.ZC1", "T.A0000.ACO.ZC2",
                                          "T.A0000.ACO.ZC3", "T.A0000.ACO.ZC4", "T.A0000.ACO.ZC5",
                                          "T.A0000.ACO.ZC6", "T.A0000.ACO.ZC8", "T.A0000.ACO.ZC9"};
        n = files_in(d, pre, 9, p, 32);
        n += runout(p + n, 32 - n);
    }
    snprintf(d, sizeof d, "%s/s/cclf", dir);
    parts_stage = 7;
    same_both_ways(load_cclf, d, p, n, _i == 0 ? -EINVAL : 0);
    ck_assert_int_gt(th_q(db2, "SELECT count(*) FROM claims"), _i == 0 ? -1 : 100);
    parts_stage = 0;
    both_skip_bad = 0;
    for (int i = 0; i < n; i++) free(p[i]);
}
END_TEST

/* The run-out alone, into empty stores: behind too (its records repeat none stored). */
START_TEST(test_cclf_runout_both_ways)
{
    char d[128], *p[16];
    synth();
    snprintf(d, sizeof d, "%s/s/cclf", dir);
    int n = runout(p, 16);
    same_both_ways(load_cclf, d, p, n, 0);
    ck_assert_int_gt(th_q(db2, "SELECT count(*) FROM claims"), 0);
    for (int i = 0; i < n; i++) free(p[i]);
}
END_TEST

/* The synthetic FHIR files loaded in the order of the three name prefixes. */
static void fhir_in_order(const char *const order[3])
{
    char d[128], *p[8];
    synth();
    snprintf(d, sizeof d, "%s/s/fhir", dir);
    int n = files_in(d, order, 3, p, 8);
    ck_assert_int_eq(n, 3);
    same_both_ways(load_fhir, d, p, n, 0);
    ck_assert_int_gt(th_q(db2, "SELECT count(*) FROM claims"), 500);
    for (int i = 0; i < n; i++) free(p[i]);
}

/* FHIR NDJSON, Patient first (EOBs applied as read, behind) and by name (every EOB read
 * before its Patient: deferred, waiting for the queue at each staging, then applied in
 * the second pass after the thread stopped). */
START_TEST(test_fhir_both_ways)
{
    static const char *const first[] = {"Patient", "Coverage", "ExplanationOfBenefit"};
    fhir_in_order(first);
}
END_TEST

START_TEST(test_fhir_by_name_both_ways)
{
    static const char *const by_name[] = {"Coverage", "ExplanationOfBenefit", "Patient"};
    fhir_in_order(by_name);
}
END_TEST

/* CMS's Blue Button (BFD) v2 test responses (../shared/reference/public-data/bfd_v2,
 * read in place): the same rows (7 claims, the historic MBIs remapped) either way. */
START_TEST(test_bfd_both_ways)
{
    static const char *const names[] = {"patientReadWithIncludeIdentifiers.json",
                                        "coverageSearchByPatientId.json", "eobByPatientIdAll.json"};
    const char *src = getenv("CARA_SRC");
    char *p[3];
    for (int i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/../shared/reference/public-data/bfd_v2/%s",
                 src ? src : ".", names[i]);
        ck_assert_msg(access(path, R_OK) == 0, "%s is missing", path);
        p[i] = strdup(path);
    }
    same_both_ways(load_fhir, NULL, p, 3, 0);
    ck_assert_int_eq(th_q(db2, "SELECT count(*) FROM claims"), 7);
    for (int i = 0; i < 3; i++) free(p[i]);
}
END_TEST

Suite *suite_feed_behind(void)
{
    Suite *s = suite_create("feed_behind");
    TCase *tc = tcase_create("parts");
    tcase_add_test(tc, test_bloom);
    tcase_add_test(tc, test_mbi_map);
    tcase_add_test(tc, test_mbi_map_read);
    suite_add_tcase(s, tc);
    tc = tcase_create("sink");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_sink_behind_same_rows);
    tcase_add_test(tc, test_sink_behind_onto_stored);
    tcase_add_test(tc, test_sink_behind_after_a_change);
    tcase_add_test(tc, test_sink_behind_failure);
    tcase_add_test(tc, test_cclf_both_ways);
    tcase_add_test(tc, test_cclf_runout_both_ways);
    tcase_add_test(tc, test_cclf_bad_records_both_ways);
    tcase_add_test(tc, test_cclf_bad_records_skipped_both_ways);
    tcase_add_test(tc, test_cclf_past_bound_both_ways);
    tcase_add_loop_test(tc, test_cclf_bad_past_bound_both_ways, 0, 2);
    tcase_add_loop_test(tc, test_cclf_tables_as_memory, 0, 3);
    tcase_add_test(tc, test_fhir_both_ways);
    tcase_add_test(tc, test_fhir_by_name_both_ways);
    tcase_add_test(tc, test_bfd_both_ways);
    suite_add_tcase(s, tc);
    return s;
}
