/*
 * tests/test_feed_fhir.c: FHIR files end to end through load_fhir: the BCDA sample,
 * versions by meta.lastUpdated (an adjustment, a cancellation), EOBs read before their
 * Patient, Coverage periods as enrollment spans, bad records refused or skipped, and
 * CMS's Blue Button / BFD server test responses (DSTU3 and R4, raw and patched, read
 * from ../shared/reference/public-data/): claim types, NPIs, amounts, the current MBI,
 * Part D skipped, placeholders as warnings (errors with --strict).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "load/load_feed.h"
#include "suites.h"
#include "base/util.h"

static char dir[64];
static store *db;
static char *errs, *outs;

static void setup(void)
{
    th_tmpdir_store(dir, "cara-fhir", &db);
    errs = NULL;
}

static void teardown(void)
{
    store_close(db);
    free(errs);
    free(outs);
    outs = NULL;
    th_rmdir(dir);
}

static long long q(const char *sql) { return th_q(db, sql); }

static char qs_buf[256];
static const char *qs(const char *sql) { return th_qs(db, sql, qs_buf); }

#define HAS(s) ck_assert_msg(errs && strstr(errs, s), "errors lack '%s':\n%s", s, errs)

/* Load paths (NULL-terminated); errors into errs, the summary into outs. */
static int load_strict(char **paths, int skip_bad, int strict)
{
    int n = 0;
    while (paths[n]) n++;
    char errpath[128], rejpath[128], outpath[128], err[256];
    snprintf(errpath, sizeof errpath, "%s/errors", dir);
    snprintf(rejpath, sizeof rejpath, "%s/rejects.tsv", dir);
    snprintf(outpath, sizeof outpath, "%s/out", dir);
    FILE *e = fopen(errpath, "w"), *rj = fopen(rejpath, "w"), *out = fopen(outpath, "w");
    feed_opts o = {.max_errors = 100, .err = e, .out = out, .skip_bad = skip_bad, .rejects = rj,
                   .strict = strict};
    int rc = load_fhir(db, paths, (size_t)n, &o);
    fclose(e);
    fclose(rj);
    fclose(out);
    size_t len;
    free(errs);
    free(outs);
    ck_assert_int_eq(util_read_file(errpath, 1 << 20, &errs, &len, err, sizeof err), 0);
    ck_assert_int_eq(util_read_file(outpath, 1 << 20, &outs, &len, err, sizeof err), 0);
    return rc;
}

static int load(char **paths, int skip_bad) { return load_strict(paths, skip_bad, 0); }

static char *write_file(const char *name, const char *text) { return th_write(dir, name, text); }

/* The BCDA sample: 33 carrier claims with 52 lines; summing line_nch_pmt_amt over the
 * Bundle gives $1,970 and line_alowd_chrg_amt $2,470 (read out of the JSON). The
 * Coverage has no period, so the one span starts at the birth date. */
START_TEST(test_bcda_sample)
{
    const char *src = getenv("CARA_SRC");
    char a[512], b[512], c[512];
    snprintf(a, sizeof a, "%s/tests/fixtures/bcda/ExplanationOfBenefit.json", src ? src : ".");
    snprintf(b, sizeof b, "%s/tests/fixtures/bcda/Patient.json", src ? src : ".");
    snprintf(c, sizeof c, "%s/tests/fixtures/bcda/Coverage.json", src ? src : ".");
    char *paths[] = {a, b, c, NULL}; /* the EOBs first: read again after the Patient */
    ck_assert_int_eq(load(paths, 0), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_type = 'professional'"), 33);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines"), 52);
    ck_assert_int_eq(q("SELECT sum(paid_cents) FROM claim_lines"), 197000);
    ck_assert_int_eq(q("SELECT sum(allowed_cents) FROM claim_lines"), 247000);
    ck_assert_int_eq(q("SELECT count(DISTINCT person_id) FROM claims WHERE person_id = '-1Q03Z002871'"), 1);
    ck_assert_str_eq(qs("SELECT hcpcs_code FROM claim_lines WHERE claim_id = '10302277613'"), "81002");
    ck_assert_str_eq(qs("SELECT enrollment_start_date || ' ' || gender || ' ' || medicare_status_code "
                        "FROM eligibility"), "1999-06-01 female 10");
    ck_assert_int_eq(load(paths, 0), 0); /* the same files again: skipped */
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 3);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 33);
}
END_TEST

#define MBI "1EG4TE5MK73"
#define EOB(id, status, when, paid)                                                               \
    "{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"carrier-" id "\",\"meta\":{\"lastUpdated\":\"" \
    when "\"},\"status\":\"" status "\",\"type\":{\"coding\":[{\"system\":\"https://bluebutton.cms.gov/" \
    "resources/codesystem/eob-type\",\"code\":\"CARRIER\"}]},\"patient\":{\"reference\":\"Patient/p1\"}," \
    "\"billablePeriod\":{\"start\":\"2027-03-01\",\"end\":\"2027-03-01\"},\"careTeam\":[{\"sequence\":1," \
    "\"provider\":{\"identifier\":{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1003347634\"}}," \
    "\"role\":{\"coding\":[{\"code\":\"performing\"}]}}],\"diagnosis\":[{\"sequence\":1,"          \
    "\"diagnosisCodeableConcept\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\","  \
    "\"code\":\"R2681\"}]}}],\"item\":[{\"sequence\":1,\"careTeamSequence\":[1],\"productOrService\":" \
    "{\"coding\":[{\"system\":\"https://bluebutton.cms.gov/resources/codesystem/hcpcs\",\"code\":"   \
    "\"97110\"}]},\"servicedDate\":\"2027-03-01\",\"adjudication\":[{\"category\":{\"coding\":[{"    \
    "\"system\":\"https://bluebutton.cms.gov/resources/codesystem/adjudication\",\"code\":"          \
    "\"https://bluebutton.cms.gov/resources/variables/line_nch_pmt_amt\"}]},\"amount\":{\"value\":" \
    paid "}}]}]}\n"

/* EOBs before their Patient; X original then adjusted (a later lastUpdated wins: 41.10);
 * Y original then cancelled (nets out); Z's adjustment listed before its original, with
 * an earlier lastUpdated for the original: the later one (12.00) wins whatever the
 * order. Part B coverage in two periods gives two spans. */
START_TEST(test_versions_and_spans)
{
    char *eob = write_file("eob.ndjson",
                      EOB("X", "active", "2027-04-01T10:00:00Z", "30.00")
                      EOB("Y", "active", "2027-04-01T10:00:00Z", "25")
                      EOB("X", "active", "2027-05-01T10:00:00-04:00", "41.10")
                      EOB("Y", "cancelled", "2027-05-01T10:00:00Z", "25")
                      EOB("Z", "active", "2027-06-01T00:00:00Z", "12.00")
                      EOB("Z", "active", "2027-04-01T00:00:00Z", "11.00"));
    char *pat = write_file("patient.ndjson",
                      "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"identifier\":[{\"system\":"
                      "\"http://hl7.org/fhir/sid/us-mbi\",\"value\":\"" MBI "\"}],\"gender\":\"male\","
                      "\"birthDate\":\"1950-04-02\",\"address\":[{\"state\":\"MD\",\"postalCode\":\"21244\"}]}\n");
    char *cov = write_file("coverage.ndjson",
                      "{\"resourceType\":\"Coverage\",\"id\":\"b1\",\"status\":\"active\",\"type\":"
                      "{\"coding\":[{\"system\":\"Medicare\",\"code\":\"Part B\"}]},\"beneficiary\":"
                      "{\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2015-04-01\",\"end\":"
                      "\"2027-02-28\"}}\n"
                      "{\"resourceType\":\"Coverage\",\"id\":\"b2\",\"status\":\"active\",\"type\":"
                      "{\"coding\":[{\"system\":\"Medicare\",\"code\":\"Part B\"}]},\"beneficiary\":"
                      "{\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2027-04-01\"}}\n");
    char *paths[] = {eob, pat, cov, NULL};
    ck_assert_int_eq(load(paths, 0), 0);
    /* X and Z (Y nets out: no row, or one of status cancelled) */
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE status = 'current'"), 2);
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines WHERE claim_id = 'X'"), 4110);
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines WHERE claim_id = 'Z'"), 1200);
    ck_assert_str_eq(qs("SELECT person_id FROM claims WHERE claim_id = 'X'"), MBI);
    ck_assert_str_eq(qs("SELECT group_concat(enrollment_start_date || '..' || coalesce("
                        "enrollment_end_date, ''), ' ') FROM (SELECT * FROM eligibility ORDER BY 1, 2)"),
                     "2015-04-01..2027-02-28 2027-04-01..");
    free(eob);
    free(pat);
    free(cov);
}
END_TEST

/* A small delivery: two EOBs of claim X, the patient, a Coverage period. Three new
 * files: the two largest are hashed alongside the load (HASH_ALONGSIDE), the third
 * first. */
static void small_delivery(char *paths[4])
{
    paths[0] = write_file("eob.ndjson", EOB("X", "active", "2027-04-01T10:00:00Z", "30.00")
                                        EOB("X", "active", "2027-05-01T10:00:00Z", "41.10"));
    paths[1] = write_file("patient.ndjson",
                          "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"identifier\":[{\"system\":"
                          "\"http://hl7.org/fhir/sid/us-mbi\",\"value\":\"" MBI "\"}],\"gender\":"
                          "\"male\",\"birthDate\":\"1950-04-02\"}\n");
    paths[2] = write_file("coverage.ndjson",
                          "{\"resourceType\":\"Coverage\",\"id\":\"b1\",\"status\":\"active\","
                          "\"type\":{\"coding\":[{\"system\":\"Medicare\",\"code\":\"Part B\"}]},"
                          "\"beneficiary\":{\"reference\":\"Patient/p1\"},\"period\":{\"start\":"
                          "\"2015-04-01\"}}\n");
    paths[3] = NULL;
}

/* New files (no earlier FHIR load had their sizes) are hashed alongside the load: their
 * loads rows and audit rows get the files' hashes and sizes, and the same files again
 * are skipped. A file of a size loaded before is hashed first: the delivery below mixes
 * one such file (seen: not recorded again) and a new one. */
START_TEST(test_hash_alongside)
{
    char *paths[4], want[65], sql[384];
    small_delivery(paths);
    ck_assert_msg(load(paths, 0) == 0, "%s", errs);
    for (int i = 0; i < 3; i++) {
        th_file_sha(paths[i], want);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM loads l JOIN audit_log a ON a.action = "
                 "'load' AND json_extract(a.after, '$.load_id') = l.load_id AND json_extract("
                 "a.after, '$.sha256') = l.sha256 WHERE l.kind = 'fhir' AND l.sha256 = '%s' AND "
                 "l.bytes > 0", want);
        ck_assert_int_eq(q(sql), 1);
    }
    ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE sha256 = ''"), 0);
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines WHERE claim_id = 'X'"), 4110);
    ck_assert_int_eq(load(paths, 0), 0);
    ck_assert_ptr_nonnull(strstr(outs, "already loaded"));
    ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE kind = 'fhir'"), 3);
    /* the Patient and Coverage files again (seen) with a new EOB file: loaded, one loads
     * row more */
    free(paths[0]);
    paths[0] = write_file("eob2.ndjson", EOB("X", "active", "2027-06-01T10:00:00Z", "52.00"));
    ck_assert_msg(load(paths, 0) == 0, "%s", errs);
    ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE kind = 'fhir'"), 4);
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines WHERE claim_id = 'X'"), 5200);
    th_file_sha(paths[0], want);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM loads WHERE sha256 = '%s'", want);
    ck_assert_int_eq(q(sql), 1);
    for (int i = 0; i < 3; i++) free(paths[i]);
}
END_TEST

/* Another process that loaded the same files while this load ran: staged by loads rows
 * with the files' hashes but other sizes (which only such a race makes), so both files
 * are hashed alongside and found loaded at the end: the delivery is rolled back and
 * reported already loaded. */
START_TEST(test_hash_alongside_race)
{
    char *paths[4], want[65], sql[320];
    small_delivery(paths);
    for (int i = 0; i < 3; i++) {
        th_file_sha(paths[i], want);
        snprintf(sql, sizeof sql, "INSERT INTO loads (path, kind, sha256, rows, loaded_at, bytes) "
                 "VALUES ('elsewhere', 'fhir', '%s', 0, '2027-01-01T00:00:00Z', 1)", want);
        th_exec(db, sql);
    }
    ck_assert_msg(load(paths, 0) == 0, "%s", errs);
    ck_assert_ptr_nonnull(strstr(outs, "already loaded"));
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 3);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
    /* not all of them (the EOB file's row gone): the delivery is not the same one, it
     * loads. The smallest file, hashed first, is found loaded and not recorded again
     * (as any file loaded before); of the two hashed alongside, the EOB file is recorded
     * and the one loaded "meanwhile" is recorded again (both loads happened): 2 + 2 rows */
    th_exec(db, "DELETE FROM loads WHERE rowid = (SELECT min(rowid) FROM loads)");
    ck_assert_msg(load(paths, 0) == 0, "%s", errs);
    ck_assert_ptr_null(strstr(outs, "already loaded"));
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines WHERE claim_id = 'X'"), 4110);
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 4);
    ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE sha256 = ''"), 0);
    for (int i = 0; i < 3; i++) free(paths[i]);
}
END_TEST

/* A broken line and an EOB whose patient has no MBI anywhere: refused whole with the
 * file and line; with skip_bad the good ones load. */
START_TEST(test_bad_records)
{
    char *eob = write_file("eob.ndjson",
                      EOB("X", "active", "2027-04-01T10:00:00Z", "30.00")
                      "{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"carrier-Q\",\n"
                      EOB("W", "active", "2027-04-01T10:00:00Z", "30.001"));
    char *pat = write_file("patient.ndjson",
                      "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"identifier\":[{\"system\":"
                      "\"http://hl7.org/fhir/sid/us-mbi\",\"value\":\"" MBI "\"}],\"gender\":\"male\","
                      "\"birthDate\":\"1950-04-02\"}\n");
    char *paths[] = {eob, pat, NULL};
    ck_assert_int_lt(load(paths, 0), 0);
    HAS("eob.ndjson:2: ");
    HAS("eob.ndjson:3: ");
    HAS("\"30.001\"");
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 0);
    ck_assert_int_eq(load(paths, 1), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 1);
    char path[128], *buf, err[256];
    size_t len;
    snprintf(path, sizeof path, "%s/rejects.tsv", dir);
    ck_assert_int_eq(util_read_file(path, 1 << 20, &buf, &len, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(buf, "eob.ndjson\t2\t"));
    ck_assert_ptr_nonnull(strstr(buf, "eob.ndjson\t3\t"));
    free(buf);
    free(eob);
    free(pat);
}
END_TEST

/* ---- CMS's Blue Button / BFD server test responses ---- */

/* The three files of a BFD load out of ../shared/reference/public-data/sub (never copied
 * into the source tree). */
static void bfd_paths(const char *sub, char p[3][512], char *paths[4])
{
    static const char *const names[] = {"patientReadWithIncludeIdentifiers.json",
                                        "coverageSearchByPatientId.json", "eobByPatientIdAll.json"};
    const char *src = getenv("CARA_SRC");
    for (int i = 0; i < 3; i++) {
        snprintf(p[i], 512, "%s/../shared/reference/public-data/%s/%s", src ? src : ".", sub, names[i]);
        ck_assert_msg(access(p[i], R_OK) == 0, "%s is missing (the BFD test responses are read "
                      "from shared/, beside the source tree)", p[i]);
        paths[i] = p[i];
    }
    paths[3] = NULL;
}

#define OUT_HAS(s) ck_assert_msg(outs && strstr(outs, s), "summary lacks '%s':\n%s", s, outs)

/*
 * `cara load patientReadWithIncludeIdentifiers.json coverageSearchByPatientId.json
 * eobByPatientIdAll.json` in bfd_v1, bfd_v2 and their patched/ copies (each EOB worked
 * out by hand in tests/test_fhir.c, test_bfd_eobs):
 * - 7 claims of one line each, pde-89 skipped and counted: 5 institutional (outpatient,
 *   HHA, inpatient, SNF, hospice), 1 professional (carrier), 1 dme.
 * - line paid 5000.00 + 123.45 + 26.00 + 0 + 0 + 37.50 + 26.00 = $5,212.95 (521295
 *   cents); allowed 129.45 (DME) + 47.84 (carrier) = $177.29; claim-level payments of the
 *   institutional ones 693.11 + 188.00 + 7699.48 + 3333.33 + 130.32 = $12,044.24.
 * - the person: patched 1EG4TE5MK73 (the us-mbi identifier marked current; the three
 *   marked historic map to it), raw "3456789" (the current placeholder, kept with a
 *   warning).
 * - rendering NPIs (patched): 1642806347 on the 5 institutional lines, 1388975520 on the
 *   DME line, 1615476052 on the carrier line; billing NPIs 1365945280 (institutional),
 *   1388975520 (DME), none (carrier: its ORG_NPI_NUM / carr_clm_blg_npi_num is not an
 *   NPI). Raw: none (all fakes: 0000000000, 345345345, 1244444444, 1923124, ...).
 * - warnings: patched 11 (v1: HCPCS M99, 345, 2GGGG, M55, MMM, A5C; revenue centers 1, 22,
 *   651; modifier Q9999; the carrier's ORG_NPI_NUM 0000000000; v2 the same with the
 *   carrier's carr_clm_blg_npi_num 1234567890 instead); raw v1 31 = those 11 + the MBI
 *   + 7 meta.lastUpdated "IGNORED_FIELD" + 12 NPIs (organization and rendering of the 5
 *   institutional claims, DME and carrier rendering); raw v2 32 = 11 + 1 + 7 + 13 (the
 *   DME's provider too).
 * - Part B coverage: v1 from 1963-10-03, open, closed at the death date 1981-03-17; v2
 *   2021-07-17..2022-08-17.
 */
START_TEST(test_bfd_loads)
{
    static const struct {
        const char *sub, *mbi, *span;
        int patched, warnings;
    } t[] = {
        {"bfd_v1/patched", "1EG4TE5MK73", "1963-10-03..1981-03-17", 1, 11},
        {"bfd_v2/patched", "1EG4TE5MK73", "2021-07-17..2022-08-17", 1, 11},
        {"bfd_v1", "3456789", "1963-10-03..1981-03-17", 0, 31},
        {"bfd_v2", "3456789", "2021-07-17..2022-08-17", 0, 32},
    };
    for (int i = 0; i < 4; i++) {
        char p[3][512], *paths[4], sql[256], want[64];
        bfd_paths(t[i].sub, p, paths);
        if (i) { /* a fresh store for each */
            store_close(db);
            th_rmdir(dir);
            th_tmpdir_store(dir, "cara-fhir", &db);
        }
        ck_assert_msg(load(paths, 0) == 0, "%s:\n%s", t[i].sub, errs);
        ck_assert_int_eq(q("SELECT count(*) FROM claims"), 7);
        ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_type = 'institutional'"), 5);
        ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_type = 'professional' AND "
                           "claim_id = '9991831999'"), 1);
        ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_type = 'dme' AND claim_id = "
                           "'2188888888'"), 1);
        ck_assert_int_eq(q("SELECT count(*) FROM claim_lines WHERE claim_line_number > 0"), 7);
        ck_assert_int_eq(q("SELECT sum(coalesce(detail_paid_cents, paid_cents)) FROM claim_lines "
                           "WHERE claim_line_number > 0"), 521295);
        ck_assert_int_eq(q("SELECT sum(l.allowed_cents) FROM claims c JOIN claim_lines l USING "
                           "(claim_id) WHERE c.claim_type <> 'institutional'"), 17729);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM claims WHERE person_id = '%s'", t[i].mbi);
        ck_assert_int_eq(q(sql), 7);
        ck_assert_str_eq(qs("SELECT group_concat(enrollment_start_date || '..' || coalesce("
                            "enrollment_end_date, ''), ' ') || ' ' || min(person_id) FROM eligibility"),
                         (snprintf(want, sizeof want, "%s %s", t[i].span, t[i].mbi), want));
        if (t[i].patched) {
            ck_assert_int_eq(q("SELECT count(*) FROM claims c JOIN claim_lines l USING (claim_id) "
                               "WHERE c.claim_type = 'institutional' AND l.rendering_npi = "
                               "'1642806347' AND l.billing_npi = '1365945280' AND c.facility_npi = "
                               "'1365945280'"), 5);
            ck_assert_str_eq(qs("SELECT rendering_npi || '/' || billing_npi FROM claim_lines WHERE "
                                "claim_id = '2188888888'"), "1388975520/1388975520");
            ck_assert_str_eq(qs("SELECT rendering_npi || '/' || billing_npi FROM claim_lines WHERE "
                                "claim_id = '9991831999'"), "1615476052/");
            /* the MBIs BFD marks historic are crosswalked to the current one */
            ck_assert_str_eq(qs("SELECT group_concat(previous_mbi || '>' || current_mbi, ' ') FROM "
                                "(SELECT * FROM mbi_xwalk ORDER BY 1)"),
                             "1EG4TE5MK71>1EG4TE5MK73 1EG4TE5MK74>1EG4TE5MK73 1EG4TE5MK75>1EG4TE5MK73");
            OUT_HAS("3 previous MBIs mapped to current ones");
        } else {
            ck_assert_int_eq(q("SELECT count(*) FROM claim_lines WHERE rendering_npi <> '' OR "
                               "billing_npi <> ''"), 0);
            ck_assert_int_eq(q("SELECT count(*) FROM mbi_xwalk"), 0);
            HAS(": warning: Patient 567834: identifier[1].value: \"3456789\" is not an MBI");
            HAS("eobByPatientIdAll.json:2: warning: ExplanationOfBenefit dme-2188888888: "
                "meta.lastUpdated: \"IGNORED_FIELD\" is not an instant");
        }
        /* placeholders are warnings naming file:record, resource, path and value */
        HAS("eobByPatientIdAll.json:1: warning: ExplanationOfBenefit outpatient-1234567890: item[0].");
        HAS(".coding[0].code: \"M99\" is not a HCPCS code");
        ck_assert_ptr_null(strstr(errs, "eobByPatientIdAll.json:6")); /* pde-89: no error */
        OUT_HAS("7 claims, 0 cancelled, 0 denied (7 lines) stored, 5 priced at the claim payment");
        OUT_HAS("1 records skipped (types cara does not price: eob-type PDE)");
        snprintf(want, sizeof want, "%d warnings", t[i].warnings);
        OUT_HAS(want);
        ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE rejected = 0"), 3);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM loads WHERE warnings = %d", t[i].warnings);
        ck_assert_int_eq(q(sql), 3);
    }
}
END_TEST

/* --strict: the placeholders are errors. Raw v1: the Patient's placeholder MBI rejects
 * the Patient, and so every EOB (no patient); the delivery is refused. Patched v2 with
 * --skip-bad: each EOB with a placeholder is rejected, here all 7 (the fake HCPCS codes
 * and the carrier's billing NPI remain in patched/); the Patient and Coverage load. */
START_TEST(test_bfd_strict)
{
    char p[3][512], *paths[4];
    bfd_paths("bfd_v1", p, paths);
    ck_assert_int_lt(load_strict(paths, 0, 1), 0);
    HAS("patientReadWithIncludeIdentifiers.json:1: Patient 567834: identifier[1].value: "
        "\"3456789\" is not an MBI");
    HAS("(without --strict it would be kept as given, with a warning)");
    HAS("eobByPatientIdAll.json:2: patient: ExplanationOfBenefit dme-2188888888: Patient/567834 "
        "has no Patient resource with an MBI");
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 0);
    bfd_paths("bfd_v2/patched", p, paths);
    ck_assert_int_eq(load_strict(paths, 1, 1), 0);
    HAS("eobByPatientIdAll.json:7: ExplanationOfBenefit carrier-9991831999: provider.identifier."
        "value: \"1234567890\" fails the NPI check digit (expected 3 as the last digit) (an "
        "optional field; without --strict it would be stored as absent)");
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
    ck_assert_int_eq(q("SELECT count(DISTINCT person_id) FROM eligibility WHERE person_id = "
                       "'1EG4TE5MK73'"), 1);
    OUT_HAS("7 records rejected");
    OUT_HAS("1 records skipped");
    ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE rejected = 7"), 3);
    /* a delivery with rejects is read again: without --strict it loads */
    ck_assert_int_eq(load(paths, 0), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 7);
}
END_TEST

/*
 * The store contract (feed.h, FEED_REPLACE) on patched BFD v2: one claims row per EOB,
 * claims.claim_id the claim id; the 5 institutional EOBs carry a
 * clm_mdcr_non_pmt_rsn_cd (A, P, A, B, P) but also a payment, so they are not denied
 * (feed_store: denied means a non-payment code and nothing paid); all 7 are 'current'.
 * The institutional claim-level payments are kept in claims.paid_cents, and, none equal
 * to its line's rev_cntr_pmt_amt_amt, each governs (feed_store.h): the line is priced at
 * the claim payment (693.11 + 188.00 + 7699.48 + 3333.33 + 130.32 = $12,044.24) and keeps
 * its own amount as detail (5000.00 + 26.00 + 0 + 0 + 26.00 = $5,052.00).
 */
START_TEST(test_bfd_store_contract)
{
    char p[3][512], *paths[4];
    bfd_paths("bfd_v2/patched", p, paths);
    ck_assert_int_eq(load(paths, 0), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 7);
    ck_assert_str_eq(qs("SELECT group_concat(claim_id || ':' || status, ' ') FROM (SELECT * FROM "
                        "claims ORDER BY claim_id)"),
                     "1234567890:current 2188888888:current 2925555555:current 333333222222:current "
                     "777777777:current 9991831999:current 9992223422:current");
    ck_assert_int_eq(q("SELECT sum(paid_cents) FROM claims WHERE claim_type = 'institutional'"),
                     1204424);
    ck_assert_int_eq(q("SELECT sum(l.paid_cents) FROM claims c JOIN claim_lines l USING (claim_id) "
                       "WHERE c.claim_type = 'institutional'"), 1204424);
    ck_assert_int_eq(q("SELECT sum(l.detail_paid_cents) FROM claims c JOIN claim_lines l USING "
                       "(claim_id) WHERE c.claim_type = 'institutional'"), 505200);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines WHERE claim_line_number = 0"), 0);
    ck_assert_str_eq(qs("SELECT control_number || ' ' || claim_key FROM claims WHERE claim_id = "
                        "'9991831999'"), "9991831999 carrier-9991831999");
    ck_assert_int_eq(q("SELECT version FROM claims WHERE claim_id = '2188888888'"),
                     1619870400000LL); /* 2021-05-01T12:00:00.000+00:00 */
    ck_assert_str_eq(qs("SELECT source FROM claims WHERE claim_id = '2188888888'"),
                     "eobByPatientIdAll.json:2");
    ck_assert_int_eq(q("SELECT sum(l.paid_cents) FROM claims c JOIN claim_lines l USING (claim_id) "
                       "WHERE c.status = 'current' AND NOT l.denied"), 1220519); /* 16095 + 1204424 */
}
END_TEST

#define INPATIENT(id, status, payment, reason)                                                    \
    "{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"inpatient-" id "\",\"meta\":{\"lastUpdated\":" \
    "\"2027-04-01T10:00:00Z\"},\"status\":\"" status "\",\"type\":{\"coding\":[{\"system\":\"https://" \
    "bluebutton.cms.gov/resources/codesystem/eob-type\",\"code\":\"INPATIENT\"},{\"system\":\"http:" \
    "//terminology.hl7.org/CodeSystem/claim-type\",\"code\":\"professional\"}]},\"patient\":{"       \
    "\"reference\":\"Patient/p1\"},\"billablePeriod\":{\"start\":\"2027-03-01\",\"end\":\"2027-03-04\"}," \
    "\"payment\":{\"amount\":{\"value\":" payment "}}," reason "\"item\":[{\"sequence\":1,"           \
    "\"revenue\":{\"coding\":[{\"system\":\"https://bluebutton.cms.gov/resources/variables/rev_cntr\"," \
    "\"code\":\"0120\"}]},\"adjudication\":[{\"category\":{\"coding\":[{\"code\":\"https://"          \
    "bluebutton.cms.gov/resources/variables/rev_cntr_pmt_amt_amt\"}]},\"amount\":{\"value\":150}}]}]}\n"

/*
 * The claim-level payment of an institutional EOB (payment.amount) against its lines:
 * A pays 1,000.00 on a line of 150.00: the sink (feed_store.h) keeps the line's 150.00 as
 * detail and prices the (first) line at 1,000.00; B pays what its line says (150.00):
 * priced as is, no detail; C carries clm_mdcr_non_pmt_rsn_cd N and a payment of 0: denied,
 * not priced (its line's 150.00 kept as detail).
 * Priced in all: 1,000.00 + 150.00 = $1,150.00.
 */
START_TEST(test_claim_payment)
{
    char *eob = write_file("eob.ndjson",
                      INPATIENT("A", "active", "1000", "")
                      INPATIENT("B", "active", "150.00", "")
                      INPATIENT("C", "active", "0", "\"extension\":[{\"url\":\"https://bluebutton.cms."
                                "gov/resources/variables/clm_mdcr_non_pmt_rsn_cd\",\"valueCoding\":"
                                "{\"code\":\"N\"}}],"));
    char *pat = write_file("patient.ndjson",
                      "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"identifier\":[{\"system\":"
                      "\"http://hl7.org/fhir/sid/us-mbi\",\"value\":\"" MBI "\"}],\"gender\":\"male\","
                      "\"birthDate\":\"1950-04-02\"}\n");
    char *paths[] = {pat, eob, NULL};
    ck_assert_int_eq(load(paths, 0), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_type = 'institutional'"), 3);
    ck_assert_str_eq(qs("SELECT group_concat(claim_id || ':' || status || ':' || paid_cents, ' ') "
                        "FROM (SELECT * FROM claims ORDER BY claim_id)"),
                     "A:current:100000 B:current:15000 C:denied:0");
    ck_assert_str_eq(qs("SELECT group_concat(claim_id || '/' || claim_line_number || ':' || "
                        "revenue_center_code || ':' || paid_cents || ':' || coalesce("
                        "detail_paid_cents, '-'), ' ') FROM (SELECT * FROM claim_lines ORDER BY 1, 2)"),
                     "A/1:0120:100000:15000 B/1:0120:15000:- C/1:0120:0:15000");
    ck_assert_int_eq(q("SELECT sum(l.paid_cents) FROM claims c JOIN claim_lines l USING "
                       "(claim_id) WHERE c.status = 'current' AND NOT l.denied"), 115000);
    free(eob);
    free(pat);
}
END_TEST

/* A resource of a type cara does not load (Practitioner) is skipped with a warning
 * naming file:record and the type, counted in loads.warnings (before: silently). */
START_TEST(test_unknown_resource_type)
{
    char *pat = write_file("patient.ndjson",
                      "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"identifier\":[{\"system\":"
                      "\"http://hl7.org/fhir/sid/us-mbi\",\"value\":\"" MBI "\"}],\"gender\":\"male\","
                      "\"birthDate\":\"1950-04-02\"}\n"
                      "{\"resourceType\":\"Practitioner\",\"id\":\"dr1\"}\n");
    char *paths[] = {pat, NULL};
    ck_assert_int_eq(load(paths, 0), 0);
    HAS("patient.ndjson:2: warning: resourceType \"Practitioner\": not a resource cara loads");
    ck_assert_msg(strstr(outs, "1 resources of types cara does not load"), "%s", outs);
    ck_assert_int_eq(q("SELECT sum(warnings) FROM loads"), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM eligibility"), 1);
    free(pat);
}
END_TEST

Suite *suite_feed_fhir(void)
{
    Suite *s = suite_create("feed_fhir");
    TCase *tc = tcase_create("fhir");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bcda_sample);
    tcase_add_test(tc, test_versions_and_spans);
    tcase_add_test(tc, test_hash_alongside);
    tcase_add_test(tc, test_hash_alongside_race);
    tcase_add_test(tc, test_bad_records);
    tcase_add_test(tc, test_bfd_loads);
    tcase_add_test(tc, test_unknown_resource_type);
    tcase_add_test(tc, test_bfd_strict);
    tcase_add_test(tc, test_bfd_store_contract);
    tcase_add_test(tc, test_claim_payment);
    suite_add_tcase(s, tc);
    return s;
}
