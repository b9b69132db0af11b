/*
 * tests/test_load.c: the CSV scanner (a pure function over a buffer) and `load_file`:
 * every class of validation error with its file:line:column, rejected files leaving
 * the store unchanged, idempotent reloads, upserts, adjustments and cancellations, the
 * two tiers (optional fields warn and are stored absent; --strict; structural errors).
 * The Tuva Project's forms are in tests/test_tuva.c.
 */
#include <check.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/csv_scan.h"
#include "base/date.h"
#include "base/file_hash.h"
#include "helpers.h"
#include "load/load_csv.h"
#include "load/load_feed.h"
#include "store/run_inputs_q.h"
#include "base/sha256.h"
#include "suites.h"
#include "base/util.h"

/* ---- the scanner -------------------------------------------------------------------- */

static void scan_all(const char *text, size_t len, char out[][32], size_t *n_rec, size_t *n_fields)
{
    csv_scan s;
    csv_scan_init(&s, text, len);
    size_t k = 0;
    *n_rec = 0;
    int rc;
    while ((rc = csv_scan_next(&s)) == 1) {
        n_fields[*n_rec] = s.n;
        for (size_t i = 0; i < s.n; i++, k++)
            snprintf(out[k], 32, "%.*s", (int)s.f[i].len, s.f[i].p);
        (*n_rec)++;
    }
    ck_assert_int_eq(rc, 0);
    csv_scan_free(&s);
}

/* Quotes, escaped quotes, embedded commas and newlines, CRLF, a BOM, a last line
 * without a newline, empty fields. */
START_TEST(test_scan_shapes)
{
    static const char t[] = "\xEF\xBB\xBF" "a,b,c\r\n"
                            "1,\"x,y\",\"he said \"\"hi\"\"\"\r\n"
                            ",,\n"
                            "\"multi\nline\",2,3";
    char f[16][32];
    size_t n, nf[8];
    scan_all(t, sizeof t - 1, f, &n, nf);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(f[0], "a"); /* the BOM is skipped */
    ck_assert_str_eq(f[4], "x,y");
    ck_assert_str_eq(f[5], "he said \"hi\"");
    ck_assert_uint_eq(nf[2], 3);
    ck_assert_str_eq(f[6], "");
    ck_assert_str_eq(f[9], "multi\nline");
    ck_assert_str_eq(f[11], "3");
}
END_TEST

/* A scanner reset onto another buffer keeps its memory and numbers lines from the given
 * one (the loader reads claims grouped out of file order this way). */
START_TEST(test_scan_reset)
{
    csv_scan s;
    csv_scan_init(&s, "a,\"b\"\"c\"\n", 9);
    ck_assert_int_eq(csv_scan_next(&s), 1);
    ck_assert_uint_eq(s.line, 1);
    static const char row[] = "x,\"multi\nline\",\"q\"\"\"\r\n";
    csv_scan_reset(&s, row, sizeof row - 1, 40);
    ck_assert_int_eq(csv_scan_next(&s), 1);
    ck_assert_uint_eq(s.line, 40);
    ck_assert_uint_eq(s.n, 3);
    ck_assert_int_eq((int)s.f[1].len, 10);
    ck_assert_int_eq(memcmp(s.f[2].p, "q\"", 2), 0);
    ck_assert_int_eq(csv_scan_next(&s), 0);
    csv_scan_free(&s);
}
END_TEST

/* Malformed input comes back with line:column. */
START_TEST(test_scan_errors)
{
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"a,b\n1,\"open\n", "2:2: unterminated quoted field"},
        {"a,b\n1,\"x\"y\n", "2:2: unexpected character after a closing quote"},
        {"a,b\n\n1,x\"y\n", "3:2: a quote inside an unquoted field"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        csv_scan s;
        csv_scan_init(&s, cases[i].text, strlen(cases[i].text));
        int rc;
        while ((rc = csv_scan_next(&s)) == 1) {
        }
        ck_assert_int_eq(rc, -1);
        ck_assert_msg(strstr(s.err, cases[i].err), "'%s' lacks '%s'", s.err, cases[i].err);
        csv_scan_free(&s);
    }
}
END_TEST

/* The scanner against what was written: random records of random fields (commas,
 * quotes, CR, LF, UTF-8 bytes, lengths around the scanner's 64-byte windows and the
 * buffer's end), each written the RFC 4180 way (quoted, quotes doubled, when it holds a
 * special byte), come back field for field with their line numbers. Then each plain
 * field of some records gets a stray quote: the scanner must stop at that record and
 * name its line and column. A fixed seed: a failure is reproducible. */
static uint32_t rnd(uint64_t *st)
{
    *st = *st * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*st >> 33);
}

START_TEST(test_scan_random)
{
    static const char alpha[] = {'a', 'Z', '9', ',', '"', '\n', '\r', ' ', (char)0xC3, (char)0xA9};
    enum { RECS = 300, MAXF = 12, MAXLEN = 150 };
    static char field[RECS][MAXF][MAXLEN + 1];
    static size_t flen[RECS][MAXF], nf[RECS], line_of[RECS];
    static char buf[RECS * MAXF * (2 * MAXLEN + 4) + 16];
    uint64_t st = 20261207;
    for (int round = 0; round < 40; round++) {
        size_t n = 0, line = 1;
        for (size_t r = 0; r < RECS; r++) {
            line_of[r] = line;
            nf[r] = 1 + rnd(&st) % MAXF;
            int plain_only = rnd(&st) % 2; /* half the records: no quoting at all */
            for (size_t f = 0; f < nf[r]; f++) {
                /* mostly short (claims' fields average 4 bytes), some past 64 */
                size_t len = rnd(&st) % (rnd(&st) % 10 ? 20 : MAXLEN + 1), special = 0;
                for (size_t i = 0; i < len; i++) {
                    char c = alpha[rnd(&st) % (plain_only ? 3 : sizeof alpha)];
                    field[r][f][i] = c;
                    special |= c == ',' || c == '"' || c == '\n' || c == '\r';
                }
                flen[r][f] = len;
                if (f) buf[n++] = ',';
                if (special) buf[n++] = '"';
                for (size_t i = 0; i < len; i++) {
                    if (field[r][f][i] == '"') buf[n++] = '"';
                    if (field[r][f][i] == '\n') line++;
                    buf[n++] = field[r][f][i];
                }
                if (special) buf[n++] = '"';
            }
            int single_empty = nf[r] == 1 && flen[r][0] == 0;
            if (r + 1 < RECS || single_empty || rnd(&st) % 2) {
                if (rnd(&st) % 2) buf[n++] = '\r';
                buf[n++] = '\n';
                line++;
            }
        }
        csv_scan s;
        csv_scan_init(&s, buf, n);
        for (size_t r = 0; r < RECS; r++) {
            ck_assert_msg(csv_scan_next(&s) == 1, "round %d record %zu: %s", round, r, s.err);
            ck_assert_uint_eq(s.line, line_of[r]);
            ck_assert_uint_eq(s.n, nf[r]);
            for (size_t f = 0; f < nf[r]; f++) {
                ck_assert_uint_eq(s.f[f].len, flen[r][f]);
                ck_assert_msg(!flen[r][f] || !memcmp(s.f[f].p, field[r][f], flen[r][f]),
                              "round %d record %zu field %zu", round, r, f);
            }
        }
        ck_assert_int_eq(csv_scan_next(&s), 0);
        /* a stray quote in an unquoted field of one record (plain records only) */
        for (size_t r = 0; r < RECS; r += 37) {
            size_t k = 0;
            /* the record's first byte: where the scanner stands after the ones before */
            csv_scan_reset(&s, buf, n, 1);
            for (size_t q = 0; q < r; q++) ck_assert_int_eq(csv_scan_next(&s), 1);
            size_t at = (size_t)(s.pos - buf);
            /* its first field, if plain and not empty: a quote after its first byte */
            if (buf[at] == '"' || flen[r][0] == 0 || at + 1 >= n) continue;
            char keep = buf[at + 1];
            buf[at + 1] = '"';
            csv_scan_reset(&s, buf, n, 1);
            int rc;
            while ((rc = csv_scan_next(&s)) == 1) k++;
            ck_assert_int_eq(rc, -1);
            ck_assert_uint_eq(k, r);
            char want[64];
            snprintf(want, sizeof want, "%zu:1: a quote inside an unquoted field", line_of[r]);
            ck_assert_msg(strstr(s.err, want), "'%s' lacks '%s'", s.err, want);
            buf[at + 1] = keep;
        }
        csv_scan_free(&s);
    }
}
END_TEST

/* SHA-256 against the FIPS 180-4 test vectors, one-shot and fed in pieces. */
START_TEST(test_sha256_vectors)
{
    char hex[65];
    sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    static const char m[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(m, sizeof m - 1, hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', in uneven pieces (crossing the 64-byte blocks) */
    static char a[1001];
    memset(a, 'a', sizeof a);
    sha256_ctx c;
    sha256_init(&c);
    for (int i = 0; i < 1000; i++) sha256_update(&c, a, i % 2 ? 999 : 1001);
    unsigned char d[32];
    sha256_final(&c, d);
    char got[65];
    for (int i = 0; i < 32; i++) snprintf(got + 2 * i, 3, "%02x", d[i]);
    ck_assert_str_eq(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* The one-shot sha256_hex and the incremental init/update/final agree on every length
 * around the 64-byte block boundaries, the incremental one fed in uneven pieces. */
START_TEST(test_sha256_pieces_agree)
{
    static unsigned char buf[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    static const size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 119, 127, 128, 129, 1000, 4096};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        char a[65], b[65];
        sha256_hex(buf, lens[k], a);
        sha256_ctx c;
        unsigned char d[32];
        sha256_init(&c);
        for (size_t off = 0; off < lens[k];) { /* uneven pieces */
            size_t n = 1 + off % 97;
            if (off + n > lens[k]) n = lens[k] - off;
            sha256_update(&c, buf + off, n);
            off += n;
        }
        sha256_final(&c, d);
        for (int i = 0; i < 32; i++) snprintf(b + 2 * i, 3, "%02x", d[i]);
        ck_assert_msg(!strcmp(a, b), "length %zu: %s != %s", lens[k], a, b);
    }
}
END_TEST

/* file_hash: the thread's digest is sha256_hex's for a file of 3 MiB + 5 bytes (more
 * than one of its 1 MiB reads, the last one short) and for an empty file; a file shorter
 * than the length asked for is an error (no digest); a cancelled hash joins and frees. */
START_TEST(test_file_hash)
{
    char path[] = "/tmp/cara-hash-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    size_t len = (3u << 20) + 5;
    unsigned char *buf = malloc(len);
    ck_assert_ptr_nonnull(buf);
    uint32_t x = 7;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
    char want[65], got[65];
    sha256_hex(buf, len, want);
    file_hasher *h;
    ck_assert_int_eq(file_hash_start(fd, len, &h), 0);
    ck_assert_int_eq(file_hash_join(h, got), 0);
    ck_assert_str_eq(got, want);
    /* the first 1000 bytes only */
    sha256_hex(buf, 1000, want);
    ck_assert_int_eq(file_hash_start(fd, 1000, &h), 0);
    ck_assert_int_eq(file_hash_join(h, got), 0);
    ck_assert_str_eq(got, want);
    /* nothing */
    ck_assert_int_eq(file_hash_start(fd, 0, &h), 0);
    ck_assert_int_eq(file_hash_join(h, got), 0);
    ck_assert_str_eq(got, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* the file is shorter than asked: an error, no digest */
    ck_assert_int_eq(file_hash_start(fd, len + 1, &h), 0);
    ck_assert_int_lt(file_hash_join(h, got), 0);
    ck_assert_str_eq(got, "");
    /* a bad descriptor */
    ck_assert_int_eq(file_hash_start(-1, 10, &h), 0);
    ck_assert_int_eq(file_hash_join(h, got), -EBADF);
    /* cancelled: no digest wanted, the thread joined (ASan: nothing leaks) */
    ck_assert_int_eq(file_hash_start(fd, len, &h), 0);
    file_hash_cancel(h);
    file_hash_cancel(NULL);
    close(fd);
    unlink(path);
    free(buf);
}
END_TEST

/* ---- loading -------------------------------------------------------------------------- */

static char dir[64], errpath[128];
static store *db;
static char *errs;
static int strict; /* load_opts.strict for load() */

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-load-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    snprintf(errpath, sizeof errpath, "%s/errors", dir);
    ck_assert_int_eq(store_open(path, STORE_CREATE, &db, err, sizeof err), 0);
    errs = NULL;
    strict = 0;
}

static void teardown(void)
{
    store_close(db);
    free(errs);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Write `name` with text and load it; errors are captured into errs. */
static int load(const char *name, const char *text, load_result *r)
{
    char path[256], err[256];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    FILE *e = fopen(errpath, "w");
    load_opts o = {.max_errors = 50, .err = e, .strict = strict};
    int rc = load_file(db, path, &o, r);
    fclose(e);
    free(errs);
    ck_assert_int_eq(util_read_file(errpath, 1 << 20, &errs, &len, err, sizeof err), 0);
    return rc;
}

/* The first column of sql's first row on st (-1: no row). */
static int q_on(store *st_, const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(st_), sql, -1, &st, NULL), SQLITE_OK);
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return (int)v;
}

static long long q(const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(db), sql, -1, &st, NULL), SQLITE_OK);
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

#define HAS(s) ck_assert_msg(strstr(errs, s), "errors lack '%s':\n%s", s, errs)

/* claim_end_days on st is the count of st's current claims by end date, row for row
 * (none of 0), and the three triggers that keep it are there: what a load into an empty
 * table counted itself and what the triggers keep must both be that. */
static void end_days_ok(store *st_)
{
    ck_assert_int_eq(q_on(st_, "SELECT count(*) FROM (SELECT claim_end_date, count(*) FROM claims "
                          "WHERE status = 'current' GROUP BY claim_end_date EXCEPT SELECT * "
                          "FROM claim_end_days)"), 0);
    ck_assert_int_eq(q_on(st_, "SELECT count(*) FROM (SELECT * FROM claim_end_days EXCEPT SELECT "
                          "claim_end_date, count(*) FROM claims WHERE status = 'current' GROUP "
                          "BY claim_end_date)"), 0);
    ck_assert_int_eq(q_on(st_, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND "
                          "name IN ('claims_end_insert', 'claims_end_delete', 'claims_end_update')"), 3);
}

static const char ACOS[] = "aco_id,name,track\nA1,Alpha ACO,global\nA2,\"Beta, Inc.\",professional\n";

/* Each reference file loads into its columns; reloading the same bytes is skipped;
 * a changed file upserts. */
START_TEST(test_reference_files)
{
    load_result r;
    ck_assert_int_eq(load("acos.csv", ACOS, &r), 0);
    ck_assert_int_eq(r.kind, LOAD_ACOS);
    ck_assert_int_eq(r.rows, 2);
    ck_assert_int_eq(q("SELECT count(*) FROM acos WHERE name = 'Beta, Inc.'"), 1);
    ck_assert_int_eq(load("acos.csv", ACOS, &r), 0);
    ck_assert_int_eq(r.skipped, 1);
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 1);
    ck_assert_int_eq(load("acos.csv", "aco_id,name,track\nA1,Alpha Renamed,global\n", &r), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM acos"), 2);
    ck_assert_int_eq(q("SELECT count(*) FROM acos WHERE name = 'Alpha Renamed'"), 1);
    /* columns in any order, extra columns ignored, kind from the header */
    ck_assert_int_eq(load("my_people.csv",
                          "zip_code,person_id,extra,gender,birth_date,death_date,"
                          "enrollment_start_date,enrollment_end_date,dual_status_code,"
                          "medicare_status_code,hospice_flag\n"
                          "21201,1EG4TE5MK73,x,female,1950-03-02,,2026-01-01,,NA,10,Y\n", &r), 0);
    ck_assert_int_eq(r.kind, LOAD_ELIGIBILITY);
    ck_assert_int_eq(q("SELECT hospice_flag FROM eligibility"), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM eligibility WHERE dual_status_code = '' AND "
                       "enrollment_end_date IS NULL AND zip_code = '21201'"), 1);
}
END_TEST

/* Every error names file:line:column: field: the value and what is expected; the
 * store is unchanged. */
START_TEST(test_validation_errors)
{
    load_result r;
    ck_assert_int_eq(load("acos.csv", ACOS, &r), 0);
    ck_assert_int_eq(load("providers.csv", "npi,tin,name,specialty_code\n"
                          "1234567893,123456789,Pat,65\n", &r), 0);
    static const char bad[] =
        "arrangement_id,aco_id,npi,tin,template_id,start_date,end_date,discount_bps,"
        "savings_share_bps,loss_share_bps,stop_gain_bps,stop_loss_bps\n"
        "E1,A1,1234567893,123456789,falls_prevention,2027-01-01,,,,,,\n"
        "E2,A1,1093791627,123456789,falls_prevention,2027-01-01,,,,,,\n"
        "E3,A1,1234567893,071234567,falls_prevention,2027-02-30,,,,,,\n"
        "E4,A9,1234567893,123456789,falls_prevention,2027-01-01,2026-12-31,600000,,,,\n"
        "E5,A1,1234567893,123456789,falls_prevention,2027-01-01,,,12000,,,\n"
        "E6,A1,1234567893,123456789\n";
    ck_assert_int_lt(load("arrangements.csv", bad, &r), 0);
    HAS("arrangements.csv:3:3: npi: \"1093791627\" fails the NPI check digit (expected 6 as the last digit)");
    HAS("arrangements.csv:4:4: tin: \"071234567\" is not a TIN");
    HAS("arrangements.csv:4:6: start_date: \"2027-02-30\" is not a date (expected YYYY-MM-DD)");
    HAS("arrangements.csv:5:8: discount_bps: \"600000\" is not a rate in basis points from -10000 to 10000");
    HAS("arrangements.csv:6:9: savings_share_bps: \"12000\"");
    HAS("arrangements.csv:7: the row has 4 fields, the header has 12");
    ck_assert_int_eq(r.errors, 6);
    /* E1 was fine, but the file is all or nothing */
    ck_assert_int_eq(q("SELECT count(*) FROM arrangements"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 2); /* acos.csv and providers.csv */
    /* an unknown ACO, an end before the start */
    ck_assert_int_lt(load("arrangements.csv",
                          "arrangement_id,aco_id,npi,tin,template_id,start_date,end_date\n"
                          "E4,A9,1234567893,123456789,falls_prevention,2027-01-01,\n"
                          "E5,A1,1234567893,123456789,falls_prevention,2027-01-01,2026-12-31\n", &r), 0);
    HAS("arrangements.csv:2:2: aco_id: \"A9\" is not a known ACO (load acos.csv with it first)");
    HAS("arrangements.csv:3:7: end_date: 2026-12-31 is before start_date 2027-01-01");
    ck_assert_int_lt(load("eligibility.csv",
                          "person_id,gender,birth_date,enrollment_start_date\n"
                          "1EG4TE5MK7,male,1950-01-01,2026-01-01\n", &r), 0);
    HAS("eligibility.csv:1: missing column(s): enrollment_end_date, death_date, dual_status_code, medicare_status_code");
    ck_assert_int_lt(load("eligibility.csv",
                          "person_id,gender,birth_date,death_date,enrollment_start_date,"
                          "enrollment_end_date,dual_status_code,medicare_status_code\n"
                          "1EG4 TE5MK73,M,1950-01-01,,2026-01-01,,00,10\n", &r), 0);
    HAS("eligibility.csv:2:1: person_id: \"1EG4 TE5MK73\" contains a space or control character (expected a person id");
    HAS("eligibility.csv:2:2: gender: \"M\" is not allowed (expected one of: male, female, unknown)");
    ck_assert_int_lt(load("notes.csv", "what,ever\n1,2\n", &r), 0);
    HAS("notes.csv:1: not a file of the CSV input layer");
    ck_assert_int_lt(load("acos.csv", "", &r), 0);
    HAS("empty file");
}
END_TEST

static const char CLAIM_HDR[] =
    "claim_id,claim_line_number,claim_type,person_id,claim_start_date,claim_end_date,"
    "claim_line_start_date,claim_line_end_date,admission_date,discharge_date,"
    "place_of_service_code,bill_type_code,revenue_center_code,hcpcs_code,hcpcs_modifier_1,"
    "rendering_npi,rendering_tin,billing_npi,billing_tin,paid_amount,allowed_amount,"
    "diagnosis_code_1,diagnosis_code_2,adjustment_type_code\n";

/* Claims: cents, diagnoses and modifiers joined; adjustments replace, cancellations
 * delete; claim fields must agree; line numbers must not repeat. */
START_TEST(test_claims)
{
    load_result r;
    char text[4096];
    snprintf(text, sizeof text, "%s"
             "C1,1,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-04,2027-01-04,,,11,,,97161,GP,1234567893,123456789,1234567893,123456789,150.00,190.5,Z9181,R296,0\n"
             "C1,2,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-05,2027-01-05,,,11,,,97110,,1234567893,123456789,1234567893,123456789,40,50,Z9181,R296,0\n"
             "C2,1,institutional,1EG4TE5MK73,2027-03-14,2027-03-20,,,2027-03-14,2027-03-20,,0111,0120,,,,,1528060837,234567891,18000.00,20000.00,S72001A,W010XXA,\n",
             CLAIM_HDR);
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    ck_assert_int_eq(q("SELECT sum(paid_cents) FROM claim_lines"), 15000 + 4000 + 1800000);
    ck_assert_int_eq(q("SELECT allowed_cents FROM claim_lines WHERE claim_id = 'C1' AND claim_line_number = 1"), 19050);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_id = 'C1' AND diagnosis_codes = 'Z9181 R296'"), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_id = 'C2' AND bill_type_code = '111'"), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines WHERE hcpcs_modifiers = 'GP'"), 1);
    /* a run-out file: C1 adjusted (one line, 160.00), C2 cancelled */
    snprintf(text, sizeof text, "%s"
             "C1,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,160.00,200.00,Z9181,,2\n"
             "C2,1,institutional,1EG4TE5MK73,2027-03-14,2027-03-20,,,2027-03-14,2027-03-20,,111,0120,,,,,1528060837,234567891,18000.00,20000.00,S72001A,W010XXA,1\n",
             CLAIM_HDR);
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines"), 1);
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines"), 16000);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_id = 'C2'"), 0);
    /* the same bytes again: skipped, nothing changes */
    ck_assert_int_eq(load("medical_claim.csv", text, &r), 0);
    ck_assert_int_eq(r.skipped, 1);
    /* bad claims: a header field that disagrees, a repeated line, bad codes, money */
    snprintf(text, sizeof text, "%s"
             "C3,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,10.00,10.00,Z9181,,0\n"
             "C3,2,professional,1EG4TE5MK73,2027-01-05,2027-01-04,2027-01-04,2027-01-04,,,11,,,97110,,1234567893,123456789,1234567893,123456789,10.00,10.00,Z9181,,0\n"
             "C3,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,11,,,97110,,1234567893,123456789,1234567893,123456789,10.00,10.00,Z9181,,0\n"
             "C4,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,1,,,9716,gp,1234567893,123456789,1234567893,123456789,10.001,1e3,Z91.81,,7\n"
             "C5,1,institutional,1EG4TE5MK73,2027-01-04,2027-01-04,,,,,,,0450,,,,,1234567893,123456789,10.00,10.00,W010XXA,,0\n",
             CLAIM_HDR);
    ck_assert_int_lt(load("medical_claim.csv", text, &r), 0);
    HAS("medical_claim.csv:3:6: claim_end_date: 2027-01-04 is before claim_start_date 2027-01-05");
    HAS("medical_claim.csv:4:2: claim_line_number: line 1 of claim \"C3\" appears twice");
    /* optional fields: warnings (the file is rejected for its errors anyway) */
    HAS("medical_claim.csv:5:11: warning: place_of_service_code: \"1\" is not a place of service code (expected 2 digits) (stored as absent)");
    HAS("medical_claim.csv:5:14: hcpcs_code: \"9716\" is not a HCPCS code");
    HAS("medical_claim.csv:5:15: warning: hcpcs_modifier_1: \"gp\" is not a modifier");
    HAS("medical_claim.csv:5:20: paid_amount: \"10.001\": ");
    HAS("medical_claim.csv:5:21: allowed_amount: \"1e3\"");
    HAS("medical_claim.csv:5:22: diagnosis_code_1: \"Z91.81\" is not an ICD-10-CM code");
    HAS("medical_claim.csv:5:24: adjustment_type_code: \"7\" is not allowed (expected one of: (empty), 0, 1, 2)");
    HAS("medical_claim.csv:6:12: bill_type_code: required on an institutional claim");
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 1); /* unchanged: only C1 */
    /* a header field that differs between the lines of one claim */
    snprintf(text, sizeof text, "%s"
             "C6,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,10.00,10.00,Z9181,,0\n"
             "C6,2,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,11,,,97110,,1234567893,123456789,1234567893,123456789,10.00,10.00,R296,,0\n",
             CLAIM_HDR);
    ck_assert_int_lt(load("medical_claim.csv", text, &r), 0);
    HAS("medical_claim.csv:3:22: diagnosis_code_1: \"R296\" differs from \"Z9181\" on line 2 for the same claim \"C6\"");
}
END_TEST

/* A service date decades ahead loads with a warning naming file:line:column, the field
 * and the value, counted in loads.warnings (before: silently); 2037-06-30 is the last
 * date without one. */

/* Every table a claims load writes, as text (row order by key). */
static char *dump_claims(store *st)
{
    static const char *const sql[] = {
        "SELECT * FROM claims ORDER BY claim_id", "SELECT * FROM claim_lines ORDER BY claim_id, claim_line_number",
        "SELECT person_id FROM person_changes ORDER BY person_id"};
    size_t cap = 1 << 20, n = 0;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    for (size_t k = 0; k < sizeof sql / sizeof sql[0]; k++) {
        sqlite3_stmt *q_;
        ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), sql[k], -1, &q_, NULL), SQLITE_OK);
        while (sqlite3_step(q_) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(q_); c++) {
                const char *v = (const char *)sqlite3_column_text(q_, c);
                if (sqlite3_column_type(q_, c) == SQLITE_FLOAT) continue; /* none; loaded_at-like */
                size_t l = v ? strlen(v) : 4;
                while (n + l + 2 > cap) ck_assert_ptr_nonnull(out = realloc(out, cap *= 2));
                memcpy(out + n, v ? v : "NULL", l);
                n += l;
                out[n++] = c + 1 < sqlite3_column_count(q_) ? '|' : '\n';
            }
        sqlite3_finalize(q_);
    }
    out[n] = '\0';
    return out;
}

/* A new store DIR/NAME with text loaded as medical_claim.csv (serial: without the
 * write-behind thread); the load must succeed. The caller closes it. */
/* The journal mode of st's file ("wal", "delete"), in a static buffer. */
static const char *journal_of(store *st)
{
    static char mode[16];
    sqlite3_stmt *q_;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "PRAGMA journal_mode", -1, &q_, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(q_), SQLITE_ROW);
    snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(q_, 0));
    sqlite3_finalize(q_);
    return mode;
}

/* how: 1 on the loading thread, 0 written behind (and into the file directly: the store
 * is new and alone), 2 written behind with a second connection open (the WAL's way) */
static store *load_fresh(const char *name, const char *text, int how)
{
    char path[256], dbp[256], err[256];
    snprintf(dbp, sizeof dbp, "%s/%s", dir, name);
    store *st, *other = NULL;
    ck_assert_int_eq(store_open(dbp, STORE_CREATE, &st, err, sizeof err), 0);
    if (how == 2) ck_assert_int_eq(store_open(dbp, 0, &other, err, sizeof err), 0);
    int serial = how == 1;
    snprintf(path, sizeof path, "%s/medical_claim.csv", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    FILE *e = fopen(errpath, "w");
    load_opts o = {.max_errors = 50, .err = e, .serial_writes = serial};
    load_result r;
    int rc = load_file(st, path, &o, &r);
    fclose(e);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(journal_of(st), "wal"); /* back in WAL mode after a direct load */
    store_close(other);
    return st;
}

/* Claims written behind on a second thread (claims_w.h, write-behind) store exactly what
 * the loading thread writes itself (load_opts.serial_writes), over several batches of
 * the queue and its multi-row statements: 3,000 claims of 1 to 3 lines; claim W00010
 * replaced by the next group (adjustment 2, the same id: the run that inserted it must
 * end before its delete), W00020 cancelled the same way, W00031's second line filling in
 * the admission date (an update of a claim just queued). By hand:
 * claim i has 1 + i % 3 lines of (i % 7 + 1) dollars each; W00010's replacement has one
 * line of 99.00; W00020 is gone. */
/* The hash of a new file is computed alongside the load (no earlier load of its kind
 * has its size) and recorded with the size; the same bytes again are skipped before any
 * row is read. By hand: the file below is 2 claim lines; sha256sum of its bytes is
 * sha256_hex's. */
START_TEST(test_hash_alongside)
{
    load_result r;
    char text[1024], want[65], buf[192];
    snprintf(text, sizeof text, "%s"
             "H1,1,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,150.00,190.50,Z9181,,0\n"
             "H1,2,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-05,2027-01-05,,,11,,,97110,,1234567893,123456789,1234567893,123456789,40,50,Z9181,,0\n",
             CLAIM_HDR);
    sha256_hex(text, strlen(text), want);
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    ck_assert_int_eq(r.skipped, 0);
    ck_assert_str_eq(r.sha256, want);
    snprintf(buf, sizeof buf, "SELECT count(*) FROM loads WHERE sha256 = '%s' AND bytes = %zu",
             want, strlen(text));
    ck_assert_int_eq(q(buf), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE sha256 = ''"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM audit_log WHERE action = 'load' AND "
                       "json_extract(after, '$.sha256') = (SELECT sha256 FROM loads)"), 1);
    /* the same bytes: skipped at once (same size, so hashed first) */
    ck_assert_int_eq(load("medical_claim.csv", text, &r), 0);
    ck_assert_int_eq(r.skipped, 1);
    ck_assert_str_eq(r.sha256, want);
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 1);
    /* other bytes of the same size (hashed first, not seen): loaded */
    char *p = strstr(text, "150.00");
    memcpy(p, "151.00", 6);
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    ck_assert_int_eq(r.skipped, 0);
    ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE kind = 'medical_claim.csv'"), 2);
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines WHERE claim_id = 'H1' AND "
                       "claim_line_number = 1"), 15100);
}
END_TEST

/* Another process that loads the same bytes while this load runs (between the size check
 * and the end): the hash, checked inside the file's transaction, finds its load, and
 * this one is rolled back and skipped. Staged by a loads row of the file's hash with
 * another size, which only such a race makes (the size check lets the hash run
 * alongside; the end's check by hash finds it). A loads row of no size (recorded before
 * store migration 26) makes the loader hash first. */
START_TEST(test_hash_alongside_race)
{
    load_result r;
    char text[1024], want[65], sql[256];
    snprintf(text, sizeof text, "%s"
             "R1,1,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,150.00,190.50,Z9181,,0\n",
             CLAIM_HDR);
    sha256_hex(text, strlen(text), want);
    snprintf(sql, sizeof sql, "INSERT INTO loads (path, kind, sha256, rows, loaded_at, bytes) "
             "VALUES ('other/medical_claim.csv', 'medical_claim.csv', '%s', 1, "
             "'2027-01-01T00:00:00Z', 1)", want);
    char err[256];
    ck_assert_int_eq(store_exec(db, sql, err, sizeof err), 0);
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    ck_assert_int_eq(r.skipped, 1);
    ck_assert_str_eq(r.sha256, want);
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines"), 0);
    /* a load of unknown size of that kind: hashed before the load, which it matches */
    ck_assert_int_eq(store_exec(db, "UPDATE loads SET bytes = NULL", err, sizeof err), 0);
    ck_assert_int_eq(load("medical_claim.csv", text, &r), 0);
    ck_assert_int_eq(r.skipped, 1);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
    /* and a file it does not match loads, its hash and size recorded */
    char *p = strstr(text, "150.00");
    memcpy(p, "151.00", 6);
    sha256_hex(text, strlen(text), want);
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    ck_assert_int_eq(r.skipped, 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM loads WHERE sha256 = '%s' AND bytes = %zu",
             want, strlen(text));
    ck_assert_int_eq(q(sql), 1);
}
END_TEST

/* A file that fails: its hash (running alongside) is stopped, nothing is recorded. */
START_TEST(test_hash_alongside_failed)
{
    load_result r;
    char text[1024];
    snprintf(text, sizeof text, "%s"
             "F1,1,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,150.00,190.50,Z9181,,0\n"
             "F1,1,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,150.00,190.50,Z9181,,0\n",
             CLAIM_HDR);
    ck_assert_int_lt(load("medical_claim.csv", text, &r), 0);
    HAS("medical_claim.csv:3:2: claim_line_number: line 1 of claim \"F1\" appears twice");
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
}
END_TEST

START_TEST(test_write_behind)
{
    size_t cap = 4 << 20, n = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    n += (size_t)snprintf(text + n, cap - n, "%s", CLAIM_HDR);
    long long want_cents = 0, want_lines = 0, want_claims = 0;
    const char *row = "W%05d,%d,%s,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-04,2027-01-04,%s,,%s,%s,%s,%s,,"
                      "1234567893,123456789,1234567893,123456789,%d.00,%d.00,Z9181,,%d%s\n";
    for (int i = 1; i <= 3000; i++) {
        int lines = 1 + i % 3, dollars = i % 7 + 1;
        for (int l = 1; l <= lines; l++) {
            int inst = i == 31;
            n += (size_t)snprintf(text + n, cap - n, row, i, l, inst ? "institutional" : "professional",
                                  inst && l == 2 ? "2027-01-04" : "", inst ? "" : "11",
                                  inst ? "111" : "", inst ? "0120" : "", inst ? "" : "97110",
                                  dollars, dollars, 0, "");
        }
        if (i == 10) /* the replacement: one line of 99.00 */
            n += (size_t)snprintf(text + n, cap - n, row, i, 1, "professional", "", "11", "", "",
                                  "97110", 99, 99, 2, "");
        if (i == 20) /* the cancellation */
            n += (size_t)snprintf(text + n, cap - n, row, i, 1, "professional", "", "11", "", "",
                                  "97110", dollars, dollars, 1, "");
        if (i == 10) want_cents += 9900, want_lines += 1, want_claims++;
        else if (i != 20) want_cents += 100LL * dollars * lines, want_lines += lines, want_claims++;
    }
    ck_assert_uint_lt(n, cap);
    /* the loading thread writing itself, then written behind (into the file directly,
     * then through the WAL as another connection is open) */
    struct { int how; char *dump; } way[3] = {{1, NULL}, {0, NULL}, {2, NULL}};
    const char *names[3] = {"wb0.db", "wb1.db", "wb2.db"};
    for (int k = 0; k < 3; k++) {
        store *st = load_fresh(names[k], text, way[k].how);
        sqlite3_stmt *q_;
        ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "SELECT (SELECT count(*) FROM claims), "
                         "(SELECT count(*) FROM claim_lines), (SELECT sum(paid_cents) FROM claim_lines), "
                         "(SELECT admission_date FROM claims WHERE claim_id = 'W00031')", -1, &q_, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(q_), SQLITE_ROW);
        ck_assert_int_eq(sqlite3_column_int64(q_, 0), want_claims);
        ck_assert_int_eq(sqlite3_column_int64(q_, 1), want_lines);
        ck_assert_int_eq(sqlite3_column_int64(q_, 2), want_cents);
        ck_assert_str_eq((const char *)sqlite3_column_text(q_, 3), "2027-01-04");
        sqlite3_finalize(q_);
        way[k].dump = dump_claims(st);
        /* the current claims by end date, counted by the load (every claim ends on
         * 2027-01-05: 2,999 current, W00020 cancelled), and the as-of date from them */
        end_days_ok(st);
        ck_assert_int_eq(q_on(st, "SELECT current FROM claim_end_days WHERE claim_end_date = "
                              "'2027-01-05'"), (int)want_claims);
        int32_t as_of;
        char e_[256];
        ck_assert_int_eq(run_inputs_q_as_of(st, &as_of, e_, sizeof e_), 0);
        char day[11];
        date_format(as_of, day);
        ck_assert_str_eq(day, "2027-01-05");
        store_close(st);
    }
    ck_assert_int_eq(want_claims, 2999);
    ck_assert_str_eq(way[0].dump, way[1].dump);
    ck_assert_str_eq(way[0].dump, way[2].dump);
    for (int k = 0; k < 3; k++) free(way[k].dump);
    free(text);
}
END_TEST


/* Lines ended by a lone CR (old Mac files): the CSV scanner ends a record there, and so
 * does the pre-scan that decides whether claims come in order. Here claim C1 comes back
 * after C2: read grouped, C1 keeps both its lines (read in file order, its second row
 * would replace the first). By hand: C1 10.00 + 20.00, C2 5.00 = 3500 cents, 3 lines. */
START_TEST(test_lone_cr_lines)
{
    const char *rows[] = {
        "C1,1,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,10.00,10.00,Z9181,,0",
        "C2,1,professional,1EG4TE5MK73,2027-01-06,2027-01-06,2027-01-06,2027-01-06,,,11,,,97110,,1234567893,123456789,1234567893,123456789,5.00,5.00,Z9181,,0",
        "C1,2,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-05,2027-01-05,,,11,,,97110,,1234567893,123456789,1234567893,123456789,20.00,20.00,Z9181,,0"};
    char text[4096];
    size_t n = 0;
    for (const char *h = CLAIM_HDR; *h; h++) text[n++] = *h == '\n' ? '\r' : *h;
    for (size_t i = 0; i < 3; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s\r", rows[i]);
    text[n] = '\0';
    load_result r;
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines"), 3);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines WHERE claim_id = 'C1'"), 2);
    ck_assert_int_eq(q("SELECT sum(paid_cents) FROM claim_lines"), 3500);
}
END_TEST

/* A full disk in the middle of a load written behind (max_page_count a few pages above
 * the store's size): SQLite rolls the whole transaction back at the multi-row INSERT
 * that hit it, and the writer must stop there, not write on outside a transaction. The
 * load fails naming the full disk; a fresh connection finds the store as it was: no
 * claim, no line, no load, no beneficiary stamped. 400 claims of 5 lines (multi-row
 * inserts of 32 claims fill the pages: about 50 of them), at three limits below that,
 * written behind and on the loading thread. */
START_TEST(test_write_behind_disk_full)
{
    char csv[256], dbp[256], err[256];
    snprintf(csv, sizeof csv, "%s/medical_claim.csv", dir);
    FILE *f = fopen(csv, "w");
    ck_assert_ptr_nonnull(f);
    fputs(CLAIM_HDR, f);
    for (int l = 1; l <= 2000; l++)
        fprintf(f, "X%d,%d,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-04,2027-01-04,,,11,"
                   ",,97161,GP,1234567893,123456789,1234567893,123456789,10.00,10.00,Z9181,R296,0\n",
                (l - 1) / 5 + 1, (l - 1) % 5 + 1);
    fclose(f);
    /* the 400 claims with their packed lines need about 50 pages of 8 KiB */
    const int extra[] = {2, 6, 12};
    for (int serial = 0; serial < 2; serial++)
        for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++) {
            snprintf(dbp, sizeof dbp, "%s/full%d%zu.db", dir, serial, k);
            store *st;
            ck_assert_int_eq(store_open(dbp, STORE_CREATE, &st, err, sizeof err), 0);
            char sql[96];
            snprintf(sql, sizeof sql, "PRAGMA max_page_count = %d",
                     q_on(st, "PRAGMA page_count") + extra[k]);
            ck_assert_int_eq(store_exec(st, sql, err, sizeof err), 0);
            FILE *e = fopen(errpath, "w");
            load_opts o = {.max_errors = 50, .err = e, .serial_writes = serial};
            load_result r;
            int rc = load_file(st, csv, &o, &r);
            fclose(e);
            ck_assert_msg(rc < 0, "serial %d, %d pages more: loaded (%d pages now, max %d)",
                          serial, extra[k], q_on(st, "PRAGMA page_count"),
                          q_on(st, "PRAGMA max_page_count"));
            store_close(st);
            char *msg = NULL;
            size_t len;
            ck_assert_int_eq(util_read_file(errpath, 1 << 20, &msg, &len, err, sizeof err), 0);
            ck_assert_msg(strstr(msg, "full") && !strstr(msg, "FOREIGN KEY"),
                          "serial %d, %d pages: %s", serial, extra[k], msg);
            free(msg);
            ck_assert_int_eq(store_open(dbp, 0, &st, err, sizeof err), 0);
            ck_assert_int_eq(q_on(st, "SELECT count(*) FROM claims"), 0);
            ck_assert_int_eq(q_on(st, "SELECT count(*) FROM claim_lines"), 0);
            ck_assert_int_eq(q_on(st, "SELECT count(*) FROM loads"), 0);
            ck_assert_int_eq(q_on(st, "SELECT count(*) FROM person_changes"), 0);
            store_close(st);
        }
}
END_TEST

/* A claim may have at most 9,999 lines (its lines are one value of its row,
 * CLAIMS__MAX_LINES): the 10,000th is refused at its file line, written behind or on
 * the loading thread, and the file loads nothing; 9,999 lines load. */
START_TEST(test_claim_line_cap)
{
    char csv[256], dbp[256], err[256];
    snprintf(csv, sizeof csv, "%s/medical_claim.csv", dir);
    for (int lines = 9999; lines <= 10000; lines++)
        for (int serial = 0; serial < 2; serial++) {
            FILE *f = fopen(csv, "w");
            ck_assert_ptr_nonnull(f);
            fputs(CLAIM_HDR, f);
            for (int l = 1; l <= lines; l++)
                fprintf(f, "X1,%d,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-04,"
                           "2027-01-04,,,11,,,97161,GP,1234567893,123456789,1234567893,"
                           "123456789,1.00,1.00,Z9181,R296,0\n", l);
            fclose(f);
            snprintf(dbp, sizeof dbp, "%s/cap%d%d.db", dir, lines, serial);
            store *st;
            ck_assert_int_eq(store_open(dbp, STORE_CREATE, &st, err, sizeof err), 0);
            FILE *e = fopen(errpath, "w");
            load_opts o = {.max_errors = 50, .err = e, .serial_writes = serial};
            load_result r;
            int rc = load_file(st, csv, &o, &r);
            fclose(e);
            char *msg = NULL;
            size_t len;
            ck_assert_int_eq(util_read_file(errpath, 1 << 20, &msg, &len, err, sizeof err), 0);
            if (lines == 9999) {
                ck_assert_msg(rc == 0, "serial %d: %s", serial, msg);
                ck_assert_int_eq(q_on(st, "SELECT count(*) FROM claim_lines"), 9999);
                ck_assert_int_eq(q_on(st, "SELECT sum(paid_cents) FROM claim_lines"), 999900);
            } else {
                ck_assert_int_lt(rc, 0);
                /* the header is line 1: line 10,000 of the claim is line 10,001 */
                ck_assert_msg(strstr(msg, ":10001:") && strstr(msg, "at most 9999 lines"),
                              "serial %d: %s", serial, msg);
                ck_assert_int_eq(q_on(st, "SELECT count(*) FROM claims"), 0);
                ck_assert_int_eq(q_on(st, "SELECT count(*) FROM loads"), 0);
            }
            free(msg);
            store_close(st);
        }
}
END_TEST

/* Every claim replaced by the next rows (adjustment 2): a claim's first version and its
 * replacement fall on either side of the queue's batch boundaries at many offsets (the
 * first version's lines ending one batch, its replacement starting the next, ...).
 * Written behind or not, the store has each claim's replacement: claim i's one line of
 * i % 5 + 1 dollars. */
START_TEST(test_write_behind_versions)
{
    size_t cap = 4 << 20, n = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    n += (size_t)snprintf(text + n, cap - n, "%s", CLAIM_HDR);
    const char *row = "V%05d,%d,professional,1EG4TE5MK73,2027-01-04,2027-01-05,2027-01-04,"
                      "2027-01-04,,,11,,,97110,,1234567893,123456789,1234567893,123456789,"
                      "%d.00,%d.00,Z9181,,%d\n";
    long long want = 0;
    for (int i = 1; i <= 2500; i++) {
        for (int l = 1; l <= 1 + i % 3; l++)
            n += (size_t)snprintf(text + n, cap - n, row, i, l, 7, 7, 0);
        n += (size_t)snprintf(text + n, cap - n, row, i, 1, i % 5 + 1, i % 5 + 1, 2);
        want += 100 * (i % 5 + 1);
    }
    ck_assert_uint_lt(n, cap);
    char *dump[2];
    for (int k = 0; k < 2; k++) {
        store *st = load_fresh(k ? "v1.db" : "v0.db", text, k == 0);
        sqlite3_stmt *q_;
        ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "SELECT count(*), sum(paid_cents) FROM "
                         "claim_lines", -1, &q_, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(q_), SQLITE_ROW);
        ck_assert_int_eq(sqlite3_column_int64(q_, 0), 2500);
        ck_assert_int_eq(sqlite3_column_int64(q_, 1), want);
        sqlite3_finalize(q_);
        dump[k] = dump_claims(st);
        store_close(st);
    }
    ck_assert_str_eq(dump[0], dump[1]);
    free(dump[0]);
    free(dump[1]);
    free(text);
}
END_TEST

/* A repeated line past the 64 the loader remembers is found by the store's key; written
 * behind, the failure is reported at the line it came from and the file loads nothing. */
/* The size of DIR's t.db-wal (0 when absent). */
static long long wal_size(void)
{
    char path[160];
    struct stat sb;
    snprintf(path, sizeof path, "%s/t.db-wal", dir);
    return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* A claim row of claim id, person 1EG4TE5MK73, line 1, 1.00 paid. */
static size_t claim_row(char *out, size_t cap, const char *id)
{
    return (size_t)snprintf(out, cap,
                            "%s,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,"
                            "2027-01-04,,,11,,,97110,,1234567893,123456789,1234567893,123456789,"
                            "1.00,1.00,Z9181,,0\n", id);
}

/* A later file onto stored claims is written into the file directly too when nothing
 * else has the store open: no WAL grows with it (the rollback journal holds the
 * earlier pages it changes); rejected, it leaves the stored claims as they were; with
 * another connection open it takes the WAL's way, and stores the same rows. */
START_TEST(test_later_file_direct)
{
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "%s", CLAIM_HDR);
    n += claim_row(text + n, sizeof text - n, "L1");
    load_result r;
    ck_assert_int_eq(load("first.csv", text, &r), 0);
    char *before = dump_claims(db);
    /* a later file with a bad amount on its second claim: rejected, nothing changes */
    n = (size_t)snprintf(text, sizeof text, "%s", CLAIM_HDR);
    n += claim_row(text + n, sizeof text - n, "L2");
    size_t bad = n;
    n += claim_row(text + n, sizeof text - n, "L3");
    char *amt = strstr(text + bad, "1.00,1.00");
    ck_assert_ptr_nonnull(amt);
    memcpy(amt, "x.00", 4);
    ck_assert_int_lt(load("bad.csv", text, &r), 0);
    HAS("bad.csv:3:");
    char *after = dump_claims(db);
    ck_assert_str_eq(after, before);
    free(after);
    ck_assert_str_eq(journal_of(db), "wal");
    ck_assert_int_eq(wal_size(), 0);
    /* the same file, good: stored directly, back in WAL mode, the WAL empty */
    memcpy(amt, "1.00", 4);
    ck_assert_int_eq(load("later.csv", text, &r), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 3);
    ck_assert_str_eq(journal_of(db), "wal");
    ck_assert_int_eq(wal_size(), 0);
    /* another connection open: the WAL's way (its frames stay until a checkpoint) */
    char path[160], err[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    store *other;
    ck_assert_int_eq(store_open(path, 0, &other, err, sizeof err), 0);
    n = (size_t)snprintf(text, sizeof text, "%s", CLAIM_HDR);
    n += claim_row(text + n, sizeof text - n, "L4");
    ck_assert_int_eq(load("wal.csv", text, &r), 0);
    ck_assert_int_gt(wal_size(), 0);
    ck_assert_int_eq(q_on(other, "SELECT count(*) FROM claims"), 4);
    store_close(other);
    free(before);
}
END_TEST

START_TEST(test_write_behind_repeat)
{
    char *text = malloc(1 << 16);
    size_t n = (size_t)snprintf(text, 1 << 16, "%s", CLAIM_HDR);
    for (int l = 1; l <= 70; l++) /* file line l + 1; line 70 repeats claim line 3 */
        n += (size_t)snprintf(text + n, (1 << 16) - n,
                              "R1,%d,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,"
                              "2027-01-04,,,11,,,97110,,1234567893,123456789,1234567893,123456789,"
                              "1.00,1.00,Z9181,,0\n", l == 70 ? 3 : l);
    n += (size_t)snprintf(text + n, (1 << 16) - n,
                          "R2,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,"
                          "2027-01-04,,,11,,,97110,,1234567893,123456789,1234567893,123456789,"
                          "1.00,1.00,Z9181,,0\n");
    load_result r;
    ck_assert_int_lt(load("medical_claim.csv", text, &r), 0);
    HAS("medical_claim.csv:71:2: claim_line_number: line 3 of claim \"R1\" appears twice");
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines"), 0);
    ck_assert_str_eq(journal_of(db), "wal"); /* the direct load rolled back, then WAL again */
    /* the triggers a load into an empty claims table drops (claims_w_bulk_begin) are
     * back: the rollback restored them; no day is counted */
    end_days_ok(db);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_end_days"), 0);
    free(text);
}
END_TEST

START_TEST(test_future_dates)
{
    cara_date horizon;
    ck_assert_int_eq(date_parse(LOAD_DATE_HORIZON_TEXT, 10, &horizon), 0);
    ck_assert_int_eq(horizon, LOAD_DATE_HORIZON_DAY); /* the two spellings agree */
    ck_assert(!load_date_beyond_horizon(horizon) && load_date_beyond_horizon(horizon + 1));
    load_result r;
    char text[4096];
    snprintf(text, sizeof text, "%s"
             "C7,1,professional,1EG4TE5MK73,2037-06-30,2037-06-30,2037-06-30,2037-06-30,,,11,,,97161,,1234567893,123456789,1234567893,123456789,10.00,10.00,Z9181,,0\n"
             "C8,1,professional,1EG4TE5MK73,2090-01-04,2090-01-04,2090-01-04,2090-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,10.00,10.00,Z9181,,0\n"
             "C9,1,professional,1EG4TE5MK73,2037-06-30,2037-07-01,2037-06-30,2037-06-30,,,11,,,97161,,1234567893,123456789,1234567893,123456789,10.00,10.00,Z9181,,0\n",
             CLAIM_HDR);
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    HAS("medical_claim.csv:3:5: warning: claim_start_date: 2090-01-04 is after 2037-06-30");
    /* the day after the horizon warns, in the column where it is (the 6th) */
    HAS("medical_claim.csv:4:6: warning: claim_end_date: 2037-07-01 is after 2037-06-30");
    ck_assert_msg(!strstr(errs, "medical_claim.csv:2:"), "%s", errs);
    ck_assert_int_eq(r.warnings, 2);
    ck_assert_int_eq(q("SELECT warnings FROM loads"), 2);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 3);
}
END_TEST

/* The reported overflow: four lines of 92233720368547758.07 dollars (INT64_MAX cents)
 * used to load, sum to a negative episode and give a run marked done. Every amount
 * above 100000000.00 dollars (either sign) is refused at load, naming file:line:column,
 * the field and the value; 100000000.00 itself loads. */
START_TEST(test_amount_bound)
{
    load_result r;
    char text[4096];
    int off = snprintf(text, sizeof text, "%s", CLAIM_HDR);
    for (int i = 1; i <= 4; i++)
        off += snprintf(text + off, sizeof text - (size_t)off,
                        "C9,%d,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,92233720368547758.07,%s,Z9181,,0\n",
                        i, i == 4 ? "-100000000.01" : "1.00");
    ck_assert_int_lt(load("medical_claim.csv", text, &r), 0);
    HAS("medical_claim.csv:2:20: paid_amount: \"92233720368547758.07\" is above the limit of 100000000.00 dollars per amount");
    HAS("medical_claim.csv:5:20: paid_amount: ");
    HAS("medical_claim.csv:5:21: allowed_amount: \"-100000000.01\" is above the limit");
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines"), 0);
    snprintf(text, sizeof text, "%s"
             "C9,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,100000000.00,-100000000.00,Z9181,,0\n",
             CLAIM_HDR);
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines"), 10000000000LL);
}
END_TEST

/* The tiers. A malformed optional field is a warning naming FILE:LINE:COLUMN and the
 * field; the field is stored as absent and the row and its money are kept (counted in
 * load_result.warnings and loads.warnings). With strict the same file is rejected as
 * before. Structural errors reject the file either way. */
START_TEST(test_tiers)
{
    load_result r;
    char text[4096];
    static const char hdr[] =
        "claim_id,claim_line_number,claim_type,person_id,claim_start_date,claim_end_date,"
        "claim_line_start_date,claim_line_end_date,admission_date,discharge_date,"
        "discharge_disposition_code,place_of_service_code,bill_type_code,revenue_center_code,"
        "hcpcs_code,hcpcs_modifier_1,hcpcs_modifier_2,rendering_npi,rendering_tin,billing_npi,"
        "billing_tin,facility_npi,paid_amount,allowed_amount,diagnosis_code_1,diagnosis_code_2\n";
    /* W1: a modifier, a place of service, the rendering NPI's check digit, the billing
     * TIN's prefix and a secondary diagnosis are malformed; W2 (institutional): the
     * discharge disposition, the revenue center and the facility NPI */
    snprintf(text, sizeof text, "%s"
             "W1,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,,1,,,97161,gp,GO,1234567890,123456789,1234567893,071234567,,150.00,190.50,Z9181,Z91.81\n"
             "W2,1,institutional,1EG4TE5MK73,2027-02-01,2027-02-03,,,2027-02-01,2027-02-03,1,,111,450,,,,,,1528060837,234567891,152806083,9000.00,9500.00,S72001A,\n",
             hdr);
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    ck_assert_int_eq(r.errors, 0);
    ck_assert_int_eq(r.warnings, 8);
    HAS("medical_claim.csv:2:12: warning: place_of_service_code: \"1\" is not a place of service code (expected 2 digits) (stored as absent)");
    HAS("medical_claim.csv:2:16: warning: hcpcs_modifier_1: \"gp\" is not a modifier (expected 2 uppercase letters or digits) (stored as absent)");
    HAS("medical_claim.csv:2:18: warning: rendering_npi: \"1234567890\" fails the NPI check digit (expected 3 as the last digit) (stored as absent)");
    HAS("medical_claim.csv:2:21: warning: billing_tin: \"071234567\" is not a TIN");
    HAS("medical_claim.csv:2:26: warning: diagnosis_code_2: \"Z91.81\" is not an ICD-10-CM code");
    HAS("medical_claim.csv:3:11: warning: discharge_disposition_code: \"1\" is not a discharge disposition code (expected 2 digits) (stored as absent)");
    HAS("medical_claim.csv:3:14: warning: revenue_center_code: \"450\" is not a revenue center code");
    HAS("medical_claim.csv:3:22: warning: facility_npi: \"152806083\" is not an NPI");
    /* the money and the rest of the rows are kept, the bad fields are absent */
    ck_assert_int_eq(q("SELECT sum(paid_cents) FROM claim_lines"), 15000 + 900000);
    ck_assert_int_eq(q("SELECT sum(allowed_cents) FROM claim_lines"), 19050 + 950000);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines WHERE claim_id = 'W1' AND "
                       "place_of_service_code = '' AND hcpcs_modifiers = 'GO' AND rendering_npi = '' "
                       "AND rendering_tin = '123456789' AND billing_npi = '1234567893' AND "
                       "billing_tin = '' AND hcpcs_code = '97161'"), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_id = 'W1' AND diagnosis_codes = 'Z9181'"), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_id = 'W2' AND "
                       "discharge_disposition_code = '' AND facility_npi = '' AND bill_type_code = '111'"), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines WHERE claim_id = 'W2' AND revenue_center_code = ''"), 1);
    ck_assert_int_eq(q("SELECT warnings FROM loads WHERE kind = 'medical_claim.csv'"), 8);
    /* strict: the same fields are errors, the file is rejected, the store unchanged */
    snprintf(text, sizeof text, "%s"
             "W3,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,,1,,,97161,gp,GO,1234567890,123456789,1234567893,071234567,,150.00,190.50,Z9181,Z91.81\n"
             "W4,1,institutional,1EG4TE5MK73,2027-02-01,2027-02-03,,,2027-02-01,2027-02-03,1,,111,450,,,,,,1528060837,234567891,152806083,9000.00,9500.00,S72001A,\n",
             hdr);
    strict = 1;
    ck_assert_int_lt(load("medical_claim.csv", text, &r), 0);
    ck_assert_int_eq(r.errors, 8);
    ck_assert_int_eq(r.warnings, 0);
    HAS("medical_claim.csv:2:12: place_of_service_code: \"1\" is not a place of service code (expected 2 digits)\n");
    HAS("medical_claim.csv:2:16: hcpcs_modifier_1: \"gp\" is not a modifier");
    HAS("medical_claim.csv:2:18: rendering_npi: \"1234567890\" fails the NPI check digit (expected 3 as the last digit)\n");
    HAS("medical_claim.csv:3:22: facility_npi: \"152806083\" is not an NPI");
    ck_assert_msg(!strstr(errs, "warning"), "%s", errs);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 2);
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 1);
    /* structural errors reject without strict too: a bad amount, date, claim type or
     * person id in a required field, a missing column, a short row */
    strict = 0;
    snprintf(text, sizeof text, "%s"
             "W5,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,,11,,,97161,gp,,1234567893,123456789,1234567893,123456789,,1e3,10.00,Z9181,\n"
             "W6,1,inpatient,1EG4TE5MK73,2027-01-32,2027-01-04,2027-01-04,2027-01-04,,,,11,,,97161,,,1234567893,123456789,1234567893,123456789,,10.00,10.00,Z9181,\n"
             "W7,1,professional,,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,,11,,,97161,,,1234567893,123456789,1234567893,123456789,,10.00,10.00,Z9181,\n"
             "W8,1,professional\n",
             hdr);
    ck_assert_int_lt(load("medical_claim.csv", text, &r), 0);
    HAS("medical_claim.csv:2:23: paid_amount: \"1e3\"");
    HAS("medical_claim.csv:2:16: warning: hcpcs_modifier_1: \"gp\"");
    HAS("medical_claim.csv:3:3: claim_type: \"inpatient\" is not allowed (expected one of: institutional, professional, dme)");
    HAS("medical_claim.csv:3:5: claim_start_date: \"2027-01-32\" is not a date (expected YYYY-MM-DD)");
    HAS("medical_claim.csv:4:4: person_id: required, but empty");
    HAS("medical_claim.csv:5: the row has 3 fields, the header has 26");
    ck_assert_int_eq(r.errors, 5);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 2);
    ck_assert_int_lt(load("medical_claim.csv", "claim_id,claim_line_number,claim_type,person_id\n"
                          "W9,1,professional,1EG4TE5MK73\n", &r), 0);
    HAS("medical_claim.csv:1: missing column(s): claim_start_date, claim_end_date");
    /* eligibility: state and ZIP are optional */
    ck_assert_msg(load("eligibility.csv",
                       "person_id,gender,birth_date,death_date,enrollment_start_date,"
                       "enrollment_end_date,dual_status_code,medicare_status_code,state,zip_code\n"
                       "1EG4TE5MK73,female,1950-03-02,,2026-01-01,,00,10,N.C.,2120\n", &r) == 0, "%s", errs);
    ck_assert_int_eq(r.warnings, 2);
    HAS("eligibility.csv:2:9: warning: state: \"N.C.\" is not a US state");
    ck_assert_int_eq(q("SELECT count(*) FROM eligibility WHERE state = '' AND zip_code = ''"), 1);
    /* the summary line of cara load counts them */
    char *out = NULL, *err = NULL, args[512];
    snprintf(args, sizeof args, "--db '%s/cli.db' load '%s/medical_claim.csv'", dir, dir);
    snprintf(text, sizeof text, "%s"
             "W1,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,,1,,,97161,gp,GO,1234567890,123456789,1234567893,071234567,,150.00,190.50,Z9181,Z91.81\n",
             hdr);
    free(th_write(dir, "medical_claim.csv", text));
    ck_assert_int_eq(th_cara(dir, "", args, &out, &err), 0);
    ck_assert_msg(strstr(out, "medical_claim.csv: loaded 1 rows (medical_claim.csv); 5 warnings\n"), "%s", out);
    ck_assert_msg(strstr(err, "medical_claim.csv:2:12: warning: place_of_service_code:"), "%s", err);
    snprintf(args, sizeof args, "--db '%s/cli2.db' load --strict '%s/medical_claim.csv'", dir, dir);
    ck_assert_int_eq(th_cara(dir, "", args, &out, &err), 1);
    ck_assert_msg(strstr(err, "rejected (5 errors); nothing from it was loaded"), "%s", err);
    free(out);
    free(err);
}
END_TEST

/* The error list stops at the limit and says how many more there were. */
START_TEST(test_error_limit)
{
    char text[1 << 15] = "aco_id,name,track\n";
    for (int i = 0; i < 120; i++) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, "A%d,x,mixed\n", i);
    }
    char path[256], err[128];
    snprintf(path, sizeof path, "%s/acos.csv", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    FILE *e = fopen(errpath, "w");
    load_opts o = {.max_errors = 10, .err = e};
    load_result r;
    ck_assert_int_lt(load_file(db, path, &o, &r), 0);
    fclose(e);
    size_t len;
    ck_assert_int_eq(util_read_file(errpath, 1 << 20, &errs, &len, err, sizeof err), 0);
    ck_assert_int_eq(r.errors, 120);
    HAS("acos.csv: ... and 110 more errors");
    int lines = 0;
    for (const char *p = errs; *p; p++) lines += *p == '\n';
    ck_assert_int_eq(lines, 11);
}
END_TEST

/* Bulk-loaded arrangements obey the participation rules (particip.h); participant TINs
 * load from participants.csv, one ACO at a time. */
START_TEST(test_participation_rules)
{
    load_result r;
    ck_assert_int_eq(load("acos.csv", ACOS, &r), 0);
    ck_assert_int_eq(load("providers.csv", "npi,tin,name,specialty_code\n"
                          "1234567893,123456789,Pat,65\n", &r), 0);
    ck_assert_int_lt(load("arrangements.csv",
                          "arrangement_id,aco_id,npi,tin,template_id,start_date,end_date\n"
                          "E1,A1,1234567893,123456789,falls_prevention,2027-01-01,2027-06-30\n"
                          "E2,A1,1234567893,123456789,falls_prevention,2027-06-01,\n"
                          "E3,A2,1234567893,123456789,functional_independence,2027-01-01,\n"
                          "E4,A1,1234567893,123456789,knee_arthroplasty,2026-01-01,\n"
                          "E5,A1,1993999998,123456789,knee_arthroplasty,2027-01-01,\n", &r), 0);
    HAS("arrangements.csv:3:1: arrangement_id: provider 1234567893 is already in EBRA E1 with ACO A1 (2027-01-01 to 2027-06-30) for falls_prevention");
    HAS("arrangements.csv:4:2: aco_id: ACO A2 is on the professional track; CARA arrangements are open only to ACOs on the global track");
    HAS("arrangements.csv:5:6: start_date: 2026-01-01 is outside the model years of ACO LEAD");
    HAS("arrangements.csv:6:3: npi: 1993999998/123456789 is not a Preferred Provider");
    ck_assert_int_eq(r.errors, 4);
    ck_assert_int_eq(q("SELECT count(*) FROM arrangements"), 0);
    ck_assert_int_eq(load("participants.csv", "aco_id,tin,start_date,end_date\n"
                          "A1,123456789,2027-01-01,2027-02-28\nA2,123456789,2027-03-01,\n", &r), 0);
    ck_assert_int_eq(r.kind, LOAD_PARTICIPANTS);
    ck_assert_int_eq(q("SELECT count(*) FROM aco_tins"), 2);
    /* every loaded file is in the audit log */
    ck_assert_int_eq(q("SELECT count(*) FROM audit_log WHERE action = 'load'"), 3);
    ck_assert_int_eq(q("SELECT json_extract(after, '$.rows') FROM audit_log WHERE entity = 'participants.csv'"), 2);
    ck_assert_int_lt(load("participants.csv", "aco_id,tin,start_date,end_date\n"
                          "A1,123456789,2027-06-01,\n", &r), 0);
    HAS("participants.csv:2:2: tin: TIN 123456789 is already a participant of A2 over these dates");
}
END_TEST

/* One claims row of claim id ending on end (one line of 10.00), adjustment adj. */
static size_t end_row(char *out, size_t cap, const char *id, const char *end, int adj)
{
    return (size_t)snprintf(out, cap, "%s,1,professional,1EG4TE5MK73,%s,%s,%s,%s,,,11,,,97110,,"
                            "1234567893,123456789,1234567893,123456789,10.00,10.00,Z9181,,%d\n",
                            id, end, end, end, end, adj);
}

/* The data's as-of date on st, as text. */
static void as_of_is(store *st_, const char *want)
{
    int32_t d;
    char e[256], day[11];
    ck_assert_int_eq(run_inputs_q_as_of(st_, &d, e, sizeof e), 0);
    if (d == CARA_DATE_NONE) snprintf(day, sizeof day, "none");
    else date_format(d, day);
    ck_assert_str_eq(day, want);
}

/* claim_end_days (migration 28) through each way claims change: a load into the empty
 * table counts its own claims (the triggers dropped, then made again), later files and
 * SQL go through the triggers, a --skip-bad load keeps them (its savepoints take claims
 * back). By hand, after the first file: E1 2027-02-01 replaced by a version ending
 * 2027-02-03 (2027-02-01 no longer counted), E2 2027-02-02 cancelled, E3 and E4
 * 2027-02-02: {2027-02-02: 2, 2027-02-03: 1}, as of 2027-02-03. */
START_TEST(test_end_days)
{
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "%s", CLAIM_HDR);
    n += end_row(text + n, sizeof text - n, "E1", "2027-02-01", 0);
    n += end_row(text + n, sizeof text - n, "E2", "2027-02-02", 0);
    n += end_row(text + n, sizeof text - n, "E3", "2027-02-02", 0);
    n += end_row(text + n, sizeof text - n, "E1", "2027-02-03", 2);
    n += end_row(text + n, sizeof text - n, "E2", "2027-02-02", 1);
    n += end_row(text + n, sizeof text - n, "E4", "2027-02-02", 0);
    load_result r;
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    end_days_ok(db);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_end_days"), 2);
    ck_assert_int_eq(q("SELECT current FROM claim_end_days WHERE claim_end_date = '2027-02-02'"), 2);
    ck_assert_int_eq(q("SELECT current FROM claim_end_days WHERE claim_end_date = '2027-02-03'"), 1);
    as_of_is(db, "2027-02-03");

    /* a later file, onto stored claims (the triggers): E1 cancelled (the latest day goes,
     * the as-of date moves back), E3 replaced by a version ending 2027-02-05, E5 new */
    n = (size_t)snprintf(text, sizeof text, "%s", CLAIM_HDR);
    n += end_row(text + n, sizeof text - n, "E1", "2027-02-03", 1);
    n += end_row(text + n, sizeof text - n, "E5", "2027-02-04", 0);
    ck_assert_msg(load("later.csv", text, &r) == 0, "%s", errs);
    end_days_ok(db);
    as_of_is(db, "2027-02-04");
    n = (size_t)snprintf(text, sizeof text, "%s", CLAIM_HDR);
    n += end_row(text + n, sizeof text - n, "E3", "2027-02-05", 2);
    ck_assert_msg(load("later2.csv", text, &r) == 0, "%s", errs);
    end_days_ok(db);
    ck_assert_int_eq(q("SELECT current FROM claim_end_days WHERE claim_end_date = '2027-02-02'"), 1);
    as_of_is(db, "2027-02-05");

    /* SQL: a status moved by hand, an end date changed, a claim deleted */
    char e[256];
    ck_assert_int_eq(store_exec(db, "UPDATE claims SET status = 'denied' WHERE claim_id = 'E4'", e,
                                sizeof e), 0);
    end_days_ok(db);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_end_days WHERE claim_end_date = '2027-02-02'"), 0);
    ck_assert_int_eq(store_exec(db, "UPDATE claims SET status = 'current' WHERE claim_id = 'E4'", e,
                                sizeof e), 0);
    ck_assert_int_eq(store_exec(db, "UPDATE claims SET claim_end_date = '2027-03-01' WHERE "
                                "claim_id = 'E5'", e, sizeof e), 0);
    end_days_ok(db);
    as_of_is(db, "2027-03-01");
    ck_assert_int_eq(store_exec(db, "DELETE FROM claims WHERE claim_id = 'E5'", e, sizeof e), 0);
    end_days_ok(db);
    as_of_is(db, "2027-02-05");
    ck_assert_int_eq(store_exec(db, "DELETE FROM claims", e, sizeof e), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_end_days"), 0);
    as_of_is(db, "none");

    /* --skip-bad into the (again) empty table: the triggers stay, and F2, rejected with
     * its bad line, is counted nowhere */
    n = (size_t)snprintf(text, sizeof text, "%s", CLAIM_HDR);
    n += end_row(text + n, sizeof text - n, "F1", "2027-04-01", 0);
    n += (size_t)snprintf(text + n, sizeof text - n, "F2,1,professional,1EG4TE5MK73,2027-04-09,"
                          "2027-04-09,2027-04-09,2027-04-09,,,11,,,97110,,1234567893,123456789,"
                          "1234567893,123456789,1x.00,10.00,Z9181,,0\n");
    char path[256];
    snprintf(path, sizeof path, "%s/skip.csv", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    FILE *ef = fopen(errpath, "w");
    load_opts o = {.max_errors = 50, .err = ef, .skip_bad = 1};
    ck_assert_int_eq(load_file(db, path, &o, &r), 0);
    fclose(ef);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_id = 'F2'"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_id = 'F1'"), 1);
    end_days_ok(db);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_end_days"), 1);
    as_of_is(db, "2027-04-01");
}
END_TEST

/* skip_bad: the good rows load; a claim with one bad line is rejected whole and keeps
 * the version the store had; every rejected row is in the rejects file with its reason. */
START_TEST(test_skip_bad)
{
    load_result r;
    char text[4096];
    /* the stored version of C7: one line, 10.00 */
    snprintf(text, sizeof text, "%s"
             "C7,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,10.00,10.00,Z9181,,0\n",
             CLAIM_HDR);
    ck_assert_msg(load("medical_claim.csv", text, &r) == 0, "%s", errs);
    /* C7's adjustment has a bad second line; C8 is good; C9's first line is bad */
    snprintf(text, sizeof text, "%s"
             "C7,1,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,11,,,97161,,1234567893,123456789,1234567893,123456789,20.00,20.00,Z9181,,2\n"
             "C7,2,professional,1EG4TE5MK73,2027-01-04,2027-01-04,2027-01-04,2027-01-04,,,11,,,97110,,1234567893,123456789,1234567893,123456789,2x.00,20.00,Z9181,,2\n"
             "C8,1,professional,1EG4TE5MK73,2027-01-06,2027-01-06,2027-01-06,2027-01-06,,,11,,,97110,,1234567893,123456789,1234567893,123456789,30.00,30.00,Z9181,,0\n"
             "C9,1,professional,1EG4TE5MK73,2027-01-07,2027-01-07,2027-01-07,2027-01-07,,,11,,,9711,,1234567893,123456789,1234567893,123456789,40.00,40.00,Z9181,,0\n"
             "C9,2,professional,1EG4TE5MK73,2027-01-07,2027-01-07,2027-01-07,2027-01-07,,,11,,,97110,,1234567893,123456789,1234567893,123456789,40.00,40.00,Z9181,,0\n",
             CLAIM_HDR);
    char path[256], rej[256], err[256];
    snprintf(path, sizeof path, "%s/medical_claim.csv", dir);
    snprintf(rej, sizeof rej, "%s/rejects.tsv", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    FILE *e = fopen(errpath, "w"), *rf = fopen(rej, "w");
    load_opts o = {.max_errors = 50, .err = e, .skip_bad = 1, .rejects = rf};
    int rc = load_file(db, path, &o, &r);
    fclose(e);
    fclose(rf);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(r.rows, 5);
    ck_assert_int_eq(r.rejected, 4); /* C7's two lines, C9's two lines */
    /* C7 kept its stored version (10.00), C8 loaded, C9 absent */
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines WHERE claim_id = 'C7'"), 1000);
    ck_assert_int_eq(q("SELECT adjustment_type_code FROM claims WHERE claim_id = 'C7'"), 0);
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines WHERE claim_id = 'C8'"), 3000);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_id = 'C9'"), 0);
    char *buf;
    size_t len;
    ck_assert_int_eq(util_read_file(rej, 1 << 20, &buf, &len, err, sizeof err), 0);
    ck_assert_msg(strstr(buf, "\t3\tpaid_amount\t\"2x.00\""), "%s", buf);
    ck_assert_msg(strstr(buf, "\t2\tclaim_id\tthe claim has a bad line (line 3): rejected whole\tC7,1,"), "%s", buf);
    ck_assert_msg(strstr(buf, "\t5\thcpcs_code\t"), "%s", buf);
    ck_assert_msg(strstr(buf, "\t6\tclaim_id\tthe claim has a bad line (line 5): rejected whole\tC9,2,"), "%s", buf);
    free(buf);
}
END_TEST

Suite *suite_load(void)
{
    Suite *s = suite_create("load");
    TCase *tc = tcase_create("scan");
    tcase_add_test(tc, test_scan_shapes);
    tcase_add_test(tc, test_scan_errors);
    tcase_add_test(tc, test_scan_random);
    tcase_add_test(tc, test_scan_reset);
    tcase_add_test(tc, test_sha256_vectors);
    tcase_add_test(tc, test_sha256_pieces_agree);
    tcase_add_test(tc, test_file_hash);
    suite_add_tcase(s, tc);
    tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_reference_files);
    tcase_add_test(tc, test_validation_errors);
    tcase_add_test(tc, test_claims);
    tcase_add_test(tc, test_hash_alongside);
    tcase_add_test(tc, test_hash_alongside_race);
    tcase_add_test(tc, test_hash_alongside_failed);
    tcase_add_test(tc, test_write_behind);
    tcase_add_test(tc, test_write_behind_repeat);
    tcase_add_test(tc, test_later_file_direct);
    tcase_add_test(tc, test_write_behind_versions);
    tcase_add_test(tc, test_lone_cr_lines);
    tcase_add_test(tc, test_write_behind_disk_full);
    tcase_add_test(tc, test_claim_line_cap);
    tcase_add_test(tc, test_amount_bound);
    tcase_add_test(tc, test_future_dates);
    tcase_add_test(tc, test_skip_bad);
    tcase_add_test(tc, test_end_days);
    tcase_add_test(tc, test_tiers);
    tcase_add_test(tc, test_error_limit);
    tcase_add_test(tc, test_participation_rules);
    suite_add_tcase(s, tc);
    return s;
}
