/*
 * tests/test_tuva.c: the Tuva Project's input layer as Tuva writes it. The Tuva
 * synthetic seed (medical_claim_seed.csv, eligibility_seed.csv; Tuva's integration test
 * data, Apache-2.0) is read from ../shared/reference/public-data/tuva_synthetic_seed/
 * next to the repository (never copied into it): it loads unchanged, as it is named and
 * as medical_claim.csv / eligibility.csv, with the figures worked out from the CSV below;
 * `cara run` on it finishes. Then Tuva's forms one by one on small files: person ids
 * that are not MBIs (up to 64 characters, through a whole run), state names, codes
 * written as numbers, diagnosis code types, empty amounts, rows of a claim apart.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "load/load_csv.h"
#include "store/store.h"
#include "suites.h"
#include "base/util.h"

static char dir[64];
static store *db;
static char *out, *err;

static void setup(void)
{
    th_tmpdir_store(dir, "cara-tuva", &db);
    out = err = NULL;
}

static void teardown(void)
{
    store_close(db);
    free(out);
    free(err);
    th_rmdir(dir);
}

/* The seed folder, or a failed test saying where it was looked for. */
static const char *seed_dir(void)
{
    static char path[1024];
    const char *src = getenv("CARA_SRC");
    ck_assert_msg(src != NULL, "CARA_SRC is not set (run through make test)");
    snprintf(path, sizeof path, "%s/../shared/reference/public-data/tuva_synthetic_seed", src);
    char f[1100];
    snprintf(f, sizeof f, "%s/medical_claim_seed.csv", path);
    ck_assert_msg(util_exists(f), "the Tuva seed is not at %s (the shared public test data "
                                  "next to the repository)", path);
    return path;
}

static int load_path(const char *path, int strict, int skip_bad, load_result *r)
{
    char errpath[128];
    snprintf(errpath, sizeof errpath, "%s/errors", dir);
    FILE *e = fopen(errpath, "w"), *rej = NULL;
    if (skip_bad) {
        char rp[128];
        snprintf(rp, sizeof rp, "%s/rejects.tsv", dir);
        rej = fopen(rp, "w");
    }
    load_opts o = {.max_errors = 50, .err = e, .strict = strict, .skip_bad = skip_bad,
                   .rejects = rej};
    int rc = load_file(db, path, &o, r);
    fclose(e);
    if (rej) fclose(rej);
    free(err);
    err = th_slurp(dir, "errors");
    return rc;
}

static int load_text(const char *name, const char *text, int strict, load_result *r)
{
    char *path = th_write(dir, name, text);
    int rc = load_path(path, strict, 0, r);
    free(path);
    return rc;
}

#define Q(sql) th_q(db, sql)
#define QS(sql) th_qs(db, sql, buf)
#define HAS(s) ck_assert_msg(strstr(err, s), "errors lack '%s':\n%s", s, err)

/*
 * The seed as it is. The figures, worked out from the CSV by hand (with a short Python
 * script over csv.DictReader, amounts read with decimal.Decimal, an empty amount 0):
 *   medical_claim_seed.csv: 2075 data rows = claim lines; 1138 distinct claim_id
 *   (132 institutional claims with 500 lines, 1006 professional claims with 1575
 *   lines); 10 distinct person_id; paid_amount summed over the 2075 rows = 163,818.97
 *   dollars = 16,381,897 cents (institutional 7,490,220 + professional 8,891,677);
 *   allowed_amount summed = 9,664,328 cents. 92 claims have rows apart from one another
 *   (the table is not ordered), 368 institutional lines have no paid_amount and all 500
 *   no allowed_amount (Tuva puts an institutional claim's payment on one line).
 *   eligibility_seed.csv: 31 rows (enrollment spans) of 10 persons.
 * Checked field by field:
 *   claim 1582931 (institutional, person 10111, 17 lines on file lines 2..784): bill
 *   type 131, discharge disposition 01, facility NPI 1003811290, 2017-12-14, no
 *   admission date; 16 diagnoses as given (dx 10 is empty in the CSV); line 1 (file line
 *   356) revenue center 0258 paid 6802.36, the 16 others paid empty (0); line 9 (file
 *   line 2) 0481 75625 modifier 59.
 *   claim 690699 (institutional, 10017, icd-10-cm with diagnosis_code_1 empty): its
 *   lines 2 and 3 leave admission and discharge empty, the others say 2018-03-28 and
 *   2018-03-30: the claim has them; paid 6786.55 on line 1.
 *   claim 1102863 (professional, 10113, labelled icd-10-pcs, lines on file lines 339
 *   and 359): 92567 paid 11.04 allowed 14.54 and 99213 paid 52.75 allowed 69.17, place
 *   of service 11, rendering NPI 1114907029, diagnoses H6983 H903.
 *   claim 586910: bill type 13I (an NUBC frequency letter).
 *   person 10017: state "North Carolina" -> NC, dual_status_code "2.0" -> 02, status 20;
 *   person 10174: four spans, dual 2.0, 2.0, 4.0, 1.0 -> 02 02 04 01, Iowa -> IA.
 */
START_TEST(test_seed_loads)
{
    const char *seed = seed_dir();
    char path[1200], buf[256];
    load_result r;
    /* strict: the seed needs no warning at all */
    snprintf(path, sizeof path, "%s/eligibility_seed.csv", seed);
    ck_assert_msg(load_path(path, 1, 0, &r) == 0, "%s", err);
    ck_assert_int_eq(r.kind, LOAD_ELIGIBILITY);
    ck_assert_int_eq(r.rows, 31);
    ck_assert_int_eq(r.warnings, 0);
    snprintf(path, sizeof path, "%s/medical_claim_seed.csv", seed);
    ck_assert_msg(load_path(path, 1, 0, &r) == 0, "%s", err);
    ck_assert_int_eq(r.kind, LOAD_MEDICAL_CLAIM);
    ck_assert_int_eq(r.rows, 2075);
    ck_assert_int_eq(r.errors, 0);
    ck_assert_int_eq(r.warnings, 0);
    ck_assert_str_eq(err, "");

    ck_assert_int_eq(Q("SELECT count(*) FROM claims"), 1138);
    ck_assert_int_eq(Q("SELECT count(*) FROM claims WHERE claim_type = 'institutional'"), 132);
    ck_assert_int_eq(Q("SELECT count(*) FROM claims WHERE claim_type = 'professional'"), 1006);
    ck_assert_int_eq(Q("SELECT count(*) FROM claim_lines"), 2075);
    ck_assert_int_eq(Q("SELECT count(DISTINCT person_id) FROM claims"), 10);
    ck_assert_int_eq(Q("SELECT sum(paid_cents) FROM claim_lines"), 16381897);
    ck_assert_int_eq(Q("SELECT sum(l.paid_cents) FROM claim_lines l JOIN claims c USING "
                       "(claim_id) WHERE c.claim_type = 'institutional'"), 7490220);
    ck_assert_int_eq(Q("SELECT sum(allowed_cents) FROM claim_lines"), 9664328);
    ck_assert_int_eq(Q("SELECT count(*) FROM eligibility"), 31);
    ck_assert_int_eq(Q("SELECT count(DISTINCT person_id) FROM eligibility"), 10);
    ck_assert_int_eq(Q("SELECT sum(rows) FROM loads"), 31 + 2075);
    ck_assert_int_eq(Q("SELECT sum(warnings) + sum(rejected) FROM loads"), 0);

    ck_assert_str_eq(QS("SELECT claim_type || '|' || person_id || '|' || claim_start_date || "
                        "'|' || claim_end_date || '|' || COALESCE(admission_date, '-') || '|' || "
                        "bill_type_code || '|' || discharge_disposition_code || '|' || "
                        "facility_npi FROM claims WHERE claim_id = '1582931'"),
                     "institutional|10111|2017-12-14|2017-12-14|-|131|01|1003811290");
    ck_assert_str_eq(QS("SELECT diagnosis_codes FROM claims WHERE claim_id = '1582931'"),
                     "I2510 E785 I10 I499 E785 K769 I252 F17210 Z7902 Z7982 E079 Z87891 Z955 "
                     "Z87891 Z87891 Z79899");
    ck_assert_int_eq(Q("SELECT count(*) FROM claim_lines WHERE claim_id = '1582931'"), 17);
    ck_assert_int_eq(Q("SELECT sum(paid_cents) FROM claim_lines WHERE claim_id = '1582931'"), 680236);
    ck_assert_str_eq(QS("SELECT revenue_center_code || '|' || paid_cents || '|' || allowed_cents "
                        "FROM claim_lines WHERE claim_id = '1582931' AND claim_line_number = 1"),
                     "0258|680236|0");
    ck_assert_str_eq(QS("SELECT revenue_center_code || '|' || hcpcs_code || '|' || hcpcs_modifiers "
                        "|| '|' || rendering_npi || '|' || paid_cents FROM claim_lines WHERE "
                        "claim_id = '1582931' AND claim_line_number = 9"),
                     "0481|75625|59|1467498014|0");

    ck_assert_str_eq(QS("SELECT admission_date || '|' || discharge_date || '|' || bill_type_code "
                        "|| '|' || discharge_disposition_code FROM claims WHERE claim_id = "
                        "'690699'"), "2018-03-28|2018-03-30|111|07");
    ck_assert_str_eq(QS("SELECT diagnosis_codes FROM claims WHERE claim_id = '690699'"),
                     "J159 R627 J189 F79 E876 R6520 Z66 K219 Z66 Z882 Z888 Z91411 Z800");
    ck_assert_int_eq(Q("SELECT sum(paid_cents) FROM claim_lines WHERE claim_id = '690699'"), 678655);

    ck_assert_str_eq(QS("SELECT claim_type || '|' || person_id || '|' || diagnosis_codes FROM "
                        "claims WHERE claim_id = '1102863'"), "professional|10113|H6983 H903");
    ck_assert_str_eq(QS("SELECT group_concat(hcpcs_code || ':' || paid_cents || ':' || "
                        "allowed_cents || ':' || place_of_service_code || ':' || rendering_npi, "
                        "' ') FROM (SELECT * FROM claim_lines WHERE claim_id = '1102863' ORDER "
                        "BY claim_line_number)"),
                     "92567:1104:1454:11:1114907029 99213:5275:6917:11:1114907029");
    ck_assert_str_eq(QS("SELECT bill_type_code FROM claims WHERE claim_id = '586910'"), "13I");

    ck_assert_str_eq(QS("SELECT group_concat(state || ':' || dual_status_code || ':' || "
                        "medicare_status_code, ' ') FROM eligibility WHERE person_id = '10017'"),
                     "NC:02:20");
    ck_assert_str_eq(QS("SELECT group_concat(state || dual_status_code, ' ') FROM (SELECT * FROM "
                        "eligibility WHERE person_id = '10174' ORDER BY enrollment_start_date)"),
                     "IA02 IA02 IA04 IA01");

    /* the same bytes again: skipped, nothing changes */
    ck_assert_int_eq(load_path(path, 0, 0, &r), 0);
    ck_assert_int_eq(r.skipped, 1);
    ck_assert_int_eq(Q("SELECT count(*) FROM loads"), 2);
    ck_assert_int_eq(Q("SELECT sum(paid_cents) FROM claim_lines"), 16381897);
}
END_TEST

/* `cara load` on the two files named as Tuva names its tables (links into a folder),
 * then `cara run`: it finishes (no alignment file, so the episodes are few or none). */
/* The API's episode claims on the published seed: for each of its 10 persons, over
 * its whole span and quarter by quarter, the lines unpacked in C (episodes_q_claims)
 * are the claim_lines view's answer, key for key and value for value (lines with empty
 * payments, claims whose rows are apart in the file, Tuva's codes and NPIs). The seed's
 * professional lines start on their claim's start and its institutional lines have no
 * dates, so the service-date rules are told apart by test_store_queries'
 * test_episode_claims_as_view, not here. */
START_TEST(test_seed_episode_claims)
{
    const char *seed = seed_dir();
    char path[1200], e[256];
    load_result r;
    snprintf(path, sizeof path, "%s/medical_claim_seed.csv", seed);
    ck_assert_msg(load_path(path, 0, 0, &r) == 0, "%s", err);
    json_t *persons;
    ck_assert_int_eq(store_rows_json(db, "SELECT DISTINCT person_id FROM claims ORDER BY 1", 0,
                                     NULL, &persons, e, sizeof e), 0);
    ck_assert_int_eq(json_array_size(persons), 10);
    const char *w[][2] = {{"2000-01-01", "2030-12-31"}, {"2018-01-01", "2018-03-31"},
                          {"2018-04-01", "2018-06-30"}, {"2018-07-01", "2018-09-30"},
                          {"2018-10-01", "2018-12-31"}, {"2017-12-14", "2017-12-14"}};
    size_t i, lines = 0;
    json_t *p;
    json_array_foreach(persons, i, p)
    {
        const char *id = json_string_value(json_object_get(p, "person_id"));
        for (size_t k = 0; k < sizeof w / sizeof w[0]; k++) {
            json_t *got = NULL, *want = th_episode_claims_sql(db, id, w[k][0], w[k][1]);
            ck_assert_msg(episodes_q_claims(db, id, w[k][0], w[k][1], &got, e, sizeof e) == 0,
                          "%s", e);
            char *a = json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER),
                 *b = json_dumps(want, JSON_COMPACT | JSON_PRESERVE_ORDER);
            ck_assert_msg(!strcmp(a, b), "person %s, %s..%s differs", id, w[k][0], w[k][1]);
            if (k == 0) {
                size_t c;
                json_t *cl;
                json_array_foreach(got, c, cl) lines += json_array_size(json_object_get(cl, "lines"));
            }
            free(a);
            free(b);
            json_decref(got);
            json_decref(want);
        }
    }
    json_decref(persons);
    /* every current line not denied, over the whole span */
    ck_assert_int_eq((long long)lines, Q("SELECT count(*) FROM claim_lines l JOIN claims c USING "
                                        "(claim_id) WHERE c.status = 'current' AND l.denied = 0"));
    ck_assert_uint_gt(lines, 2000);
}
END_TEST

START_TEST(test_seed_cli)
{
    const char *seed = seed_dir();
    char args[3000];
    snprintf(args, sizeof args, "--version >/dev/null && mkdir tuva && ln -s '%s/medical_claim_seed.csv' "
             "tuva/medical_claim.csv && ln -s '%s/eligibility_seed.csv' tuva/eligibility.csv && "
             "'%s' --db cli.db load tuva", seed, seed, getenv("CARA_BIN"));
    ck_assert_msg(th_cara(dir, "", args, &out, &err) == 0, "%s%s", out, err);
    ck_assert_msg(strstr(out, "tuva/eligibility.csv: loaded 31 rows (eligibility.csv)\n"), "%s", out);
    ck_assert_msg(strstr(out, "tuva/medical_claim.csv: loaded 2075 rows (medical_claim.csv)\n"),
                  "%s", out);
    ck_assert_msg(th_cara(dir, "", "--db cli.db run", &out, &err) == 0, "%s%s", out, err);
    store *s;
    char e[256], path[128];
    snprintf(path, sizeof path, "%s/cli.db", dir);
    ck_assert_int_eq(store_open(path, 0, &s, e, sizeof e), 0);
    ck_assert_int_eq(th_q(s, "SELECT count(*) FROM runs WHERE status = 'done'"), 1);
    /* no alignment: whatever episodes open are excluded as not aligned */
    ck_assert_int_eq(th_q(s, "SELECT count(*) FROM run_episodes WHERE exclusion_reason IS NOT "
                             "'not_aligned'"), 0);
    ck_assert_int_eq(th_q(s, "SELECT sum(paid_cents) FROM claim_lines"), 16381897);
    store_close(s);
    /* and as they are named in the seed, into another store */
    snprintf(args, sizeof args, "--db seed.db load '%s/eligibility_seed.csv' "
             "'%s/medical_claim_seed.csv'", seed, seed);
    ck_assert_msg(th_cara(dir, "", args, &out, &err) == 0, "%s%s", out, err);
    ck_assert_msg(strstr(out, "medical_claim_seed.csv: loaded 2075 rows (medical_claim.csv)\n"),
                  "%s", out);
}
END_TEST

static const char TUVA_ELIG[] =
    "person_id,member_id,gender,race,birth_date,death_date,death_flag,enrollment_start_date,"
    "enrollment_end_date,payer,payer_type,dual_status_code,medicare_status_code,state,"
    "zip_code,hospice_flag\n";
static const char TUVA_CLAIM[] =
    "claim_id,claim_line_number,claim_type,person_id,member_id,claim_start_date,"
    "claim_end_date,claim_line_start_date,claim_line_end_date,admission_date,"
    "discharge_date,place_of_service_code,bill_type_code,revenue_center_code,hcpcs_code,"
    "hcpcs_modifier_1,rendering_npi,rendering_tin,billing_npi,billing_tin,facility_npi,"
    "paid_amount,allowed_amount,charge_amount,diagnosis_code_type,diagnosis_code_1,"
    "diagnosis_code_2,diagnosis_code_3\n";

/* Person ids: any identifier of 1-64 visible characters; an MBI with dashes or in
 * lowercase is normalized; state names and codes; codes written as numbers. */
START_TEST(test_tuva_eligibility_forms)
{
    char text[4096], buf[256];
    load_result r;
    snprintf(text, sizeof text, "%s"
             "M-0001,M-0001,female,white,1940-02-01,,0,2027-01-01,2027-01-31,medicare,medicare,2,10.0,new york,10001,0\n"
             "M-0001,M-0001,female,white,1940-02-01,,0,2027-02-01,2027-02-28,medicare,medicare,02.0,10,NY,10001,0\n"
             "1eg4-te5-mk73,x,male,white,1950-03-02,2027-05-01,1,2027-01-01,,medicare,medicare,NA,20,dc,,1\n"
             "%s,x,unknown,,1950-03-02,,0,2027-01-01,,medicare,medicare,,,Puerto Rico,00901,\n",
             TUVA_ELIG, "P123456789012345678901234567890123456789012345678901234567890123");
    ck_assert_msg(load_text("eligibility.csv", text, 1, &r) == 0, "%s", err);
    ck_assert_int_eq(r.rows, 4);
    ck_assert_str_eq(QS("SELECT group_concat(state || ':' || dual_status_code || ':' || "
                        "medicare_status_code, ' ') FROM eligibility WHERE person_id = 'M-0001'"),
                     "NY:02:10 NY:02:10");
    ck_assert_str_eq(QS("SELECT state || ':' || dual_status_code || ':' || hospice_flag || ':' || "
                        "death_date FROM eligibility WHERE person_id = '1EG4TE5MK73'"),
                     "DC::1:2027-05-01");
    ck_assert_str_eq(QS("SELECT state || zip_code FROM eligibility WHERE length(person_id) = 64"),
                     "PR00901");
    /* 65 characters, a space, a state that is not one (a warning), a dual code out of range */
    snprintf(text, sizeof text, "%s"
             "%s,x,female,,1940-02-01,,0,2027-01-01,,medicare,medicare,,10,NY,,0\n"
             "A 1,x,female,,1940-02-01,,0,2027-01-01,,medicare,medicare,,10,NY,,0\n"
             "A2,x,female,,1940-02-01,,0,2027-01-01,,medicare,medicare,9.0,10,Narnia,1234,0\n",
             TUVA_ELIG, "P1234567890123456789012345678901234567890123456789012345678901234");
    ck_assert_int_lt(load_text("eligibility.csv", text, 0, &r), 0);
    HAS("eligibility.csv:2:1: person_id: \"P123456789012345678901234567890123456789...\" is longer than 64 characters");
    HAS("eligibility.csv:3:1: person_id: \"A 1\" contains a space or control character (expected a person id");
    HAS("eligibility.csv:4:12: dual_status_code: \"9.0\" is not allowed (expected one of: (empty), NA, 00, 01");
    HAS("eligibility.csv:4:14: warning: state: \"Narnia\" is not a US state (expected a USPS code such as NC, or a state's or territory's name such as North Carolina) (stored as absent)");
    HAS("eligibility.csv:4:15: warning: zip_code: \"1234\" is not a ZIP code (expected 5 digits or 5+4) (stored as absent)");
    ck_assert_int_eq(r.errors, 3);
    ck_assert_int_eq(r.warnings, 2);
    ck_assert_int_eq(Q("SELECT count(*) FROM eligibility"), 4);
}
END_TEST

/* Claims: rows of a claim apart, empty amounts (0), claim-level fields left empty on some
 * lines, the diagnosis code types, bill types with a frequency letter. */
START_TEST(test_tuva_claims_forms)
{
    char text[8192], buf[256];
    load_result r;
    snprintf(text, sizeof text, "%s"
             /* I1: three lines apart; the payment on line 2, admission on lines 1 and 3 */
             "I1,3,institutional,M-0001,M-0001,2027-03-01,2027-03-05,,,2027-03-01,2027-03-05,,0111,0250,,,,,,,1528060837,,,10.00,icd-10-cm,S72001A,W010XXA,\n"
             "P1,1,professional,M-0001,M-0001,2027-03-10,2027-03-10,2027-03-10,2027-03-10,,,11,,,97161,GP,1234567893,,,,,80.00,100.00,,icd-10-pcs,Z9181,0SR9019,R296\n"
             "I1,1,institutional,M-0001,M-0001,2027-03-01,2027-03-05,,,,,,111,0120,,,,,,,1528060837,,,,icd-10-cm,S72001A,W010XXA,\n"
             "P2,1,professional,M-0001,M-0001,2026-03-10,2026-03-10,2026-03-10,2026-03-10,,,11,,,99213,,1234567893,,,,,50.00,60.00,,icd-9-cm,8208,V5789,\n"
             "I1,2,institutional,M-0001,M-0001,2027-03-01,2027-03-05,,,2027-03-01,2027-03-05,,111,0001,,,,,,,1528060837,18000.00,,,icd-10-cm,S72001A,W010XXA,\n"
             "O1,1,institutional,M-0001,M-0001,2027-04-01,2027-04-01,,,,,,13I,0450,99284,,,,,,1528060837,700.50,,,,R296,,\n",
             TUVA_CLAIM);
    ck_assert_msg(load_text("medical_claim.csv", text, 1, &r) == 0, "%s", err);
    ck_assert_int_eq(r.rows, 6);
    ck_assert_int_eq(r.warnings, 0);
    ck_assert_int_eq(Q("SELECT count(*) FROM claims"), 4);
    ck_assert_int_eq(Q("SELECT count(*) FROM claim_lines WHERE claim_id = 'I1'"), 3);
    ck_assert_str_eq(QS("SELECT group_concat(claim_line_number || ':' || paid_cents || ':' || "
                        "allowed_cents, ' ') FROM (SELECT * FROM claim_lines WHERE claim_id = 'I1' "
                        "ORDER BY claim_line_number)"), "1:0:0 2:1800000:0 3:0:0");
    ck_assert_str_eq(QS("SELECT admission_date || '|' || discharge_date || '|' || bill_type_code || "
                        "'|' || diagnosis_codes FROM claims WHERE claim_id = 'I1'"),
                     "2027-03-01|2027-03-05|111|S72001A W010XXA");
    /* icd-10-pcs: the codes that are ICD-10-CM are kept (0SR9019 is a procedure code) */
    ck_assert_str_eq(QS("SELECT diagnosis_codes FROM claims WHERE claim_id = 'P1'"), "Z9181 R296");
    /* icd-9-cm: no code kept */
    ck_assert_str_eq(QS("SELECT diagnosis_codes FROM claims WHERE claim_id = 'P2'"), "");
    ck_assert_str_eq(QS("SELECT bill_type_code FROM claims WHERE claim_id = 'O1'"), "13I");
    ck_assert_int_eq(Q("SELECT sum(paid_cents) FROM claim_lines"), 8000 + 5000 + 1800000 + 70050);

    /* two different values of a claim field, apart: an error naming both lines */
    snprintf(text, sizeof text, "%s"
             "I2,1,institutional,M-0001,M-0001,2027-03-01,2027-03-05,,,2027-03-01,,,111,0120,,,,,,,1528060837,,,,icd-10-cm,S72001A,,\n"
             "P3,1,professional,M-0001,M-0001,2027-03-10,2027-03-10,2027-03-10,2027-03-10,,,11,,,97161,,1234567893,,,,,80.00,100.00,,,Z9181,,\n"
             "I2,2,institutional,M-0001,M-0001,2027-03-01,2027-03-05,,,2027-03-02,,,111,0250,,,,,,,1528060837,10.00,,,icd-10-cm,S72001A,,\n"
             "I2,1,institutional,M-0001,M-0001,2027-03-01,2027-03-05,,,2027-03-01,,,111,0250,,,,,,,1528060837,10.00,,,icd-10-cm,S72001A,,\n",
             TUVA_CLAIM);
    ck_assert_int_lt(load_text("medical_claim.csv", text, 0, &r), 0);
    HAS("medical_claim.csv:4:10: admission_date: \"2027-03-02\" differs from \"2027-03-01\" on line 2 for the same claim \"I2\"");
    HAS("medical_claim.csv:5:2: claim_line_number: line 1 of claim \"I2\" appears twice");
    ck_assert_int_eq(r.errors, 2);
    ck_assert_int_eq(Q("SELECT count(*) FROM claims"), 4); /* unchanged */
}
END_TEST

/* --skip-bad on rows of a claim apart: a bad line rejects the whole claim (every line
 * listed) and the store keeps the version it had. */
START_TEST(test_tuva_skip_bad_apart)
{
    char text[8192];
    load_result r;
    snprintf(text, sizeof text, "%s"
             "A1,1,professional,M-0001,M-0001,2027-03-10,2027-03-10,2027-03-10,2027-03-10,,,11,,,97161,,1234567893,,,,,10.00,10.00,,,Z9181,,\n",
             TUVA_CLAIM);
    ck_assert_msg(load_text("medical_claim.csv", text, 0, &r) == 0, "%s", err);
    snprintf(text, sizeof text, "%s"
             "A1,1,professional,M-0001,M-0001,2027-03-10,2027-03-10,2027-03-10,2027-03-10,,,11,,,97161,,1234567893,,,,,20.00,20.00,,,Z9181,,\n"
             "B1,1,professional,M-0001,M-0001,2027-03-11,2027-03-11,2027-03-11,2027-03-11,,,11,,,97110,,1234567893,,,,,30.00,30.00,,,Z9181,,\n"
             "A1,2,professional,M-0001,M-0001,2027-03-10,2027-03-10,2027-03-10,2027-03-10,,,11,,,97110,,1234567893,,,,,2x.00,20.00,,,Z9181,,\n"
             "B1,2,professional,M-0001,M-0001,2027-03-11,2027-03-11,2027-03-11,2027-03-11,,,11,,,97110,,1234567893,,,,,5.00,5.00,,,Z9181,,\n"
             "A1,3,professional,M-0001,M-0001,2027-03-10,2027-03-10,2027-03-10,2027-03-10,,,11,,,97110,,1234567893,,,,,20.00,20.00,,,Z9181,,\n",
             TUVA_CLAIM);
    char *path = th_write(dir, "medical_claim.csv", text);
    int rc = load_path(path, 0, 1, &r);
    free(path);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_int_eq(r.rows, 5);
    ck_assert_int_eq(r.rejected, 3); /* A1's three lines */
    ck_assert_int_eq(Q("SELECT paid_cents FROM claim_lines WHERE claim_id = 'A1'"), 1000);
    ck_assert_int_eq(Q("SELECT count(*) FROM claim_lines WHERE claim_id = 'A1'"), 1);
    ck_assert_int_eq(Q("SELECT sum(paid_cents) FROM claim_lines WHERE claim_id = 'B1'"), 3500);
    char *rej = th_slurp(dir, "rejects.tsv");
    ck_assert_msg(strstr(rej, "\t4\tpaid_amount\t\"2x.00\""), "%s", rej);
    ck_assert_msg(strstr(rej, "\t2\tclaim_id\tthe claim has a bad line (line 4): rejected whole\tA1,1,"), "%s", rej);
    ck_assert_msg(strstr(rej, "\t6\tclaim_id\tthe claim has a bad line (line 4): rejected whole\tA1,3,"), "%s", rej);
    free(rej);
}
END_TEST

/* Person ids of 64 characters go through a whole run: a synthetic dataset with every MBI
 * replaced by a 64-character id gives the same episodes and payments as the original. */
START_TEST(test_long_person_ids_run)
{
    char args[4096];
    /* member-<MBI>-<45 characters>: 64 characters */
    snprintf(args, sizeof args,
             "synth --out a --beneficiaries 300 --seed 7 >/dev/null && mkdir b && for f in a/*.csv; "
             "do sed -E 's/(^|,)([1-9][A-Z][A-Z0-9][0-9][A-Z][A-Z0-9][0-9][A-Z][A-Z][0-9][0-9])(,|$)/"
             "\\1member-\\2-%s\\3/' \"$f\" > b/$(basename \"$f\"); done && grep -c member- b/medical_claim.csv "
             ">/dev/null && '%s' --db a.db load a >/dev/null && '%s' --db b.db load b >/dev/null && "
             "'%s' --db a.db run >/dev/null && '%s' --db b.db run >/dev/null",
             "012345678901234567890123456789012345678901234", getenv("CARA_BIN"), getenv("CARA_BIN"),
             getenv("CARA_BIN"), getenv("CARA_BIN"));
    ck_assert_msg(th_cara(dir, "", args, &out, &err) == 0, "%s%s", out, err);
    store *a, *b;
    char e[256], pa[128], pb[128], ba[256], bb[256];
    snprintf(pa, sizeof pa, "%s/a.db", dir);
    snprintf(pb, sizeof pb, "%s/b.db", dir);
    ck_assert_int_eq(store_open(pa, 0, &a, e, sizeof e), 0);
    ck_assert_int_eq(store_open(pb, 0, &b, e, sizeof e), 0);
    ck_assert_int_eq(th_q(b, "SELECT max(length(person_id)) FROM claims"), 64);
    ck_assert_int_eq(th_q(b, "SELECT count(*) FROM claims WHERE length(person_id) != 64"), 0);
    const char *sums = "SELECT count(*) || ':' || COALESCE(sum(target_cents), 0) || ':' || "
                       "COALESCE(sum(actual_cents), 0) || ':' || COALESCE(sum(status = 'excluded'), 0) || ':' || "
                       "count(DISTINCT npi) FROM run_episodes";
    th_qs(a, sums, ba);
    th_qs(b, sums, bb);
    ck_assert_msg(th_q(a, "SELECT count(*) FROM run_episodes") > 0, "no episodes");
    ck_assert_str_eq(ba, bb);
    const char *pay = "SELECT count(*) || ':' || COALESCE(sum(payment_cents), 0) FROM run_arrangements";
    th_qs(a, pay, ba);
    th_qs(b, pay, bb);
    ck_assert_str_eq(ba, bb);
    store_close(a);
    store_close(b);
}
END_TEST

Suite *suite_tuva(void)
{
    Suite *s = suite_create("tuva");
    TCase *tc = tcase_create("tuva");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_seed_loads);
    tcase_add_test(tc, test_seed_cli);
    tcase_add_test(tc, test_seed_episode_claims);
    tcase_add_test(tc, test_tuva_eligibility_forms);
    tcase_add_test(tc, test_tuva_claims_forms);
    tcase_add_test(tc, test_tuva_skip_bad_apart);
    tcase_add_test(tc, test_long_person_ids_run);
    suite_add_tcase(s, tc);
    return s;
}
