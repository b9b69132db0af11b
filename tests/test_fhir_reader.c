/*
 * tests/test_fhir_reader.c: core/load/fhir_reader (a FHIR file parsed on a second
 * thread) hands over exactly what fhir_each_mapped hands its callback, in the same
 * order: every record's number, kind, id, claim lines (moved, not copied: their amounts)
 * and warnings, and every bad record's message; for NDJSON longer than its ring (a
 * thousand lines, good and bad; two lines; one), the BCDA sample Bundle, a document that
 * is not JSON (its one error, then -EINVAL) and an empty file. A caller that stops early gets the
 * parser stopped, nothing leaked (make SANITIZE=1 test).
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "helpers.h"
#include "load/fhir_reader.h"
#include "suites.h"

static char dir[64];

static void setup(void)
{
    th_tmpdir(dir, "cara-fhir-reader");
}

static void teardown(void)
{
    th_rmdir(dir);
}

/* One record as a line of text: what a caller could see of it. */
static void describe(FILE *o, const fhir_resource *r, size_t number, const char *msg)
{
    if (!r) {
        fprintf(o, "%zu bad %s\n", number, msg);
        return;
    }
    int64_t paid = 0;
    for (size_t i = 0; i < r->claim.n_lines; i++) paid += r->claim.lines[i].paid_cents;
    fprintf(o, "%zu %d %s %s lines=%zu paid=%lld warnings=%zu", number, r->kind, r->rtype, r->id,
            r->claim.n_lines, (long long)paid, r->n_warnings);
    for (size_t i = 0; i < r->n_warnings; i++) fprintf(o, " [%s]", r->warnings[i].msg);
    fputc('\n', o);
}

static int collect(void *ud, const fhir_resource *r, size_t number, const char *msg)
{
    describe(ud, r, number, msg);
    return 0;
}

/* fhir_each_mapped's records and return, then the reader's, of file path: the same. */
static void same_as_each(const char *path, long want_rc, size_t want_records)
{
    const char *buf;
    size_t len;
    char err[256], *a = NULL, *b = NULL;
    size_t an = 0, bn = 0;
    ck_assert_msg(util_map_file(path, &buf, &len, err, sizeof err) == 0, "%s", err);
    FILE *o = open_memstream(&a, &an);
    long ra = fhir_each_mapped(buf, len, collect, o);
    fclose(o);
    util_unmap(buf, len);

    ck_assert_int_eq(ra, want_rc);
    /* the reader with its parts (NDJSON longer than a part: two parsers), and with parts
     * of 256 and 1,000 bytes (a part of a few lines, or of none: a line longer than it;
     * the parts alternate between the two parsers and their rings) */
    static const size_t parts[] = {0, 256, 1000};
    for (size_t pi = 0; pi < sizeof parts / sizeof parts[0]; pi++) {
        ck_assert_int_eq(util_map_file(path, &buf, &len, err, sizeof err), 0);
        fhir_reader *rd;
        ck_assert_int_eq(fhir_reader_start_parts(buf, len, parts[pi], &rd), 0);
        o = open_memstream(&b, &bn);
        const fhir_resource *r;
        const char *msg;
        size_t number, n = 0;
        while (fhir_reader_next(rd, &r, &number, &msg) == 1) {
            describe(o, r, number, msg);
            n++;
        }
        ck_assert_int_eq(fhir_reader_next(rd, &r, &number, &msg), 0); /* the end stays the end */
        long rb = fhir_reader_finish(rd);
        fclose(o);
        util_unmap(buf, len);
        ck_assert_int_eq(rb, ra);
        ck_assert_uint_eq(n, want_records);
        ck_assert_msg(!strcmp(a, b), "%s (parts of %zu bytes): the reader differs:\n%.400s\n---\n%.400s",
                      path, parts[pi], a, b);
        free(b);
        b = NULL;
    }
    free(a);
}

/* NDJSON of 1,000 and 1,001 lines (past the ring of 64, an even and an odd count of
 * records): Patients with an MBI, resources of another type, blank lines (skipped, but
 * numbered), and lines that are not JSON (bad records, the iteration goes on). 1,000 lines less 100 blank ones: 900
 * records seen, good and bad; line 1,001 (7 x 143) is not JSON: 901. */
START_TEST(test_ndjson)
{
    for (int lines = 1000; lines <= 1001; lines++) {
        char path[128];
        snprintf(path, sizeof path, "%s/mixed%d.ndjson", dir, lines);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        for (int i = 1; i <= lines; i++) {
            if (i % 10 == 0) fputs("\n", f); /* blank: 100 of them */
            else if (i % 7 == 0)
                fprintf(f, "{\"resourceType\":\"Patient\",\"id\":\"p%d\"\n", i); /* not JSON */
            else if (i % 3 == 0)
                fprintf(f, "{\"resourceType\":\"Practitioner\",\"id\":\"pr%d\"}\n", i);
            else
                fprintf(f, "{\"resourceType\":\"Patient\",\"id\":\"p%d\",\"identifier\":[{\"system\":"
                           "\"http://hl7.org/fhir/sid/us-mbi\",\"value\":\"1EG4TE5MK73\"}],"
                           "\"gender\":\"female\",\"birthDate\":\"1950-0%d-01\"}\n", i, 1 + i % 9);
        }
        fclose(f);
        same_as_each(path, lines - 100, (size_t)(lines - 100));
    }
}
END_TEST

/* Two records, and one among blank lines: the same. */
START_TEST(test_short_ndjson)
{
    char *two = th_write(dir, "two.ndjson", "{\"resourceType\":\"Practitioner\",\"id\":\"a\"}\n"
                                            "\n{\"resourceType\":\"Practitioner\",\"id\":\"b\"}");
    same_as_each(two, 2, 2);
    free(two);
    char *one = th_write(dir, "one.ndjson", "\n{\"resourceType\":\"Practitioner\",\"id\":\"a\"}\n\n");
    same_as_each(one, 1, 1);
    free(one);
}
END_TEST

/* The BCDA sample: a Bundle of 33 carrier EOBs (52 lines), handed over entry by entry
 * with their lines and warnings. */
START_TEST(test_bundle)
{
    char path[512];
    const char *src = getenv("CARA_SRC");
    snprintf(path, sizeof path, "%s/tests/fixtures/bcda/ExplanationOfBenefit.json", src ? src : ".");
    same_as_each(path, 33, 33);
}
END_TEST

/* One resource per line (compact JSON) of a published Bundle or resource file. */
static size_t put_resources(FILE *f, const char *path)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    ck_assert_msg(doc != NULL, "%s: %s (the public test data is read from shared/, beside the "
                  "source tree)", path, je.text);
    size_t n = 0;
    json_t *entries = json_object_get(doc, "entry"), *e;
    size_t i;
    if (json_is_array(entries)) {
        json_array_foreach(entries, i, e) {
            json_t *r = json_object_get(e, "resource");
            if (!r) continue;
            char *line = json_dumps(r, JSON_COMPACT);
            fprintf(f, "%s\n", line);
            free(line);
            n++;
        }
    } else {
        char *line = json_dumps(doc, JSON_COMPACT);
        fprintf(f, "%s\n", line);
        free(line);
        n++;
    }
    json_decref(doc);
    return n;
}

/* Data cara did not write, read in parts: the EOBs of the BCDA sample Bundle and of
 * CMS's BFD v2 server responses (a Bundle of a patient's EOBs and the single carrier,
 * DME, inpatient, outpatient, SNF, home health, hospice and Part D reads), one resource a
 * line, three times over with a blank line and a line that is not JSON between the
 * copies: the reader in parts of 256 and 1,000 bytes (a part often inside one long EOB
 * line) hands over what one pass over the file does. */
START_TEST(test_public_ndjson_in_parts)
{
    static const char *const bfd[] = {"eobByPatientIdAll.json", "eobReadCarrier.json",
                                      "eobReadDme.json", "eobReadInpatient.json",
                                      "eobReadOutpatient.json", "eobReadSnf.json",
                                      "eobReadHha.json", "eobReadHospice.json",
                                      "eobReadPde.json"};
    const char *src = getenv("CARA_SRC");
    char path[512], in[1024];
    snprintf(path, sizeof path, "%s/public.ndjson", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    size_t records = 0;
    for (int copy = 0; copy < 3; copy++) {
        snprintf(in, sizeof in, "%s/tests/fixtures/bcda/ExplanationOfBenefit.json", src ? src : ".");
        records += put_resources(f, in);
        for (size_t i = 0; i < sizeof bfd / sizeof bfd[0]; i++) {
            snprintf(in, sizeof in, "%s/../shared/reference/public-data/bfd_v2/%s",
                     src ? src : ".", bfd[i]);
            records += put_resources(f, in);
        }
        fputs("\n{\"resourceType\": \"ExplanationOfBenefit\", \"id\":\n", f);
        records++; /* the broken line: a bad record */
    }
    fclose(f);
    ck_assert_uint_gt(records, 100);
    same_as_each(path, (long)records, records);
}
END_TEST

/* A document that is not JSON: one bad record (number 0), then -EINVAL; an empty file:
 * nothing, 0. */
START_TEST(test_not_json_and_empty)
{
    char *bad = th_write(dir, "bad.json", "{\"resourceType\": \"Bundle\", \"entry\": [\n");
    same_as_each(bad, -EINVAL, 1);
    free(bad);
    char *empty = th_write(dir, "empty.ndjson", "\n\n");
    same_as_each(empty, 0, 0);
    free(empty);
}
END_TEST

/* A caller that stops after 5 (then 30) of 1,000 records: the parser stops (it waits on
 * the full ring, then sees the stop), finish returns what the parser had seen, and
 * every record it parsed is freed; the same read in parts of 256 bytes (about 5 lines:
 * 30 records cross 6 parts, both parsers stopped with records of later parts in their
 * rings). */
START_TEST(test_stop_early)
{
    char path[128];
    snprintf(path, sizeof path, "%s/many.ndjson", dir);
    FILE *f = fopen(path, "w");
    for (int i = 1; i <= 1000; i++) fprintf(f, "{\"resourceType\":\"Practitioner\",\"id\":\"x%d\"}\n", i);
    fclose(f);
    const char *buf;
    size_t len;
    char err[256];
    static const size_t parts[] = {0, 256};
    static const int stops[] = {5, 30};
    for (size_t pi = 0; pi < 2; pi++)
        for (size_t si = 0; si < 2; si++) {
            ck_assert_int_eq(util_map_file(path, &buf, &len, err, sizeof err), 0);
            fhir_reader *rd;
            ck_assert_int_eq(fhir_reader_start_parts(buf, len, parts[pi], &rd), 0);
            const fhir_resource *r;
            const char *msg;
            size_t number;
            for (int i = 1; i <= stops[si]; i++) {
                ck_assert_int_eq(fhir_reader_next(rd, &r, &number, &msg), 1);
                ck_assert_uint_eq(number, (size_t)i);
                char id[16];
                snprintf(id, sizeof id, "x%d", i);
                ck_assert_str_eq(r->id, id);
            }
            long n = fhir_reader_finish(rd);
            ck_assert_int_ge(n, stops[si]); /* the records the parser saw before it stopped */
            ck_assert_int_le(n, stops[si] + FHIR_READER_SLOTS + 1); /* at most a ring ahead */
            util_unmap(buf, len);
        }
    ck_assert_int_eq(fhir_reader_finish(NULL), 0);
}
END_TEST

Suite *suite_fhir_reader(void)
{
    Suite *s = suite_create("fhir_reader");
    TCase *tc = tcase_create("reader");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_ndjson);
    tcase_add_test(tc, test_short_ndjson);
    tcase_add_test(tc, test_bundle);
    tcase_add_test(tc, test_public_ndjson_in_parts);
    tcase_add_test(tc, test_not_json_and_empty);
    tcase_add_test(tc, test_stop_early);
    suite_add_tcase(s, tc);
    return s;
}
