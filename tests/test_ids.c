/* tests/test_ids.c: core/base/ids.c (NPI, TIN, MBI validation; docs/input-formats.md, Identifiers). */
#include <check.h>
#include <string.h>

#include "base/ids.h"
#include "suites.h"

#define NPI(lit) npi_check((lit), strlen(lit))
#define TIN(lit) tin_check((lit), strlen(lit))

START_TEST(test_npi_valid)
{
    ck_assert_int_eq(NPI("1234567893"), ID_OK);
    ck_assert_int_eq(NPI("1993999998"), ID_OK);
    ck_assert_int_eq(NPI("1003347634"), ID_OK);
    ck_assert_int_eq(NPI("1528060837"), ID_OK);
    /* a 2-prefixed NPI: 200000000 -> digits from the right doubled at odd places:
     * 0,0,0,0,0,0,0,0,2 -> the 2 is 9th from the right (doubled: 4); 24 + 4 = 28,
     * check = (10 - 8) % 10 = 2 */
    ck_assert_int_eq(npi_check_digit("200000000"), 2);
    ck_assert_int_eq(NPI("2000000002"), ID_OK);
}
END_TEST

START_TEST(test_npi_check_digit)
{
    /* 123456789, from the right, doubling 9,7,5,3,1: 18->9, 8, 14->5, 6, 10->1, 4, 6,
     * 2, 2: sum 43, + 24 = 67, check = 10 - 7 = 3 */
    ck_assert_int_eq(npi_check_digit("123456789"), 3);
    /* 109379162, right to left, doubling every other digit from the rightmost:
     * 2(d)=4, 6=6, 1(d)=2, 9=9, 7(d)=14->5, 3=3, 9(d)=18->9, 0=0,
     * 1(d)=2: sum 4+6+2+9+5+3+9+0+2 = 40, + 24 = 64, check = 10 - 4 = 6 */
    ck_assert_int_eq(npi_check_digit("109379162"), 6);
    ck_assert_int_eq(npi_check_digit("152806083"), 7); /* 1528060837 is valid */
    ck_assert_int_eq(npi_check_digit("12345678"), -1); /* only 8 digits */
    ck_assert_int_eq(npi_check_digit("12345678x"), -1);
    ck_assert_int_eq(npi_check_digit(NULL), -1);
}
END_TEST

START_TEST(test_npi_invalid)
{
    ck_assert_int_eq(NPI("1093791627"), ID_BAD_CHECK); /* should end in 6 */
    ck_assert_int_eq(NPI("1093791626"), ID_OK);
    ck_assert_int_eq(NPI("1234567890"), ID_BAD_CHECK);
    ck_assert_int_eq(NPI("3234567893"), ID_BAD_PREFIX);
    ck_assert_int_eq(NPI("0234567893"), ID_BAD_PREFIX);
    ck_assert_int_eq(NPI("12345"), ID_BAD_LENGTH);
    ck_assert_int_eq(NPI(""), ID_BAD_LENGTH);
    ck_assert_int_eq(NPI("12345678931"), ID_BAD_LENGTH);
    ck_assert_int_eq(NPI("12345678a3"), ID_BAD_CHAR);
    ck_assert_int_eq(NPI("123456789 "), ID_BAD_CHAR);
    ck_assert_int_eq(npi_check(NULL, 10), ID_BAD_LENGTH);
    /* len decides: the first 10 bytes of a CSV field run */
    ck_assert_int_eq(npi_check("1234567893,1", 10), ID_OK);
    ck_assert_str_eq(ids_explain("npi", ID_BAD_CHECK),
                     "NPI check digit is wrong (expected 10 digits starting with 1 or 2 "
                     "with a valid Luhn check digit)");
}
END_TEST

START_TEST(test_tin)
{
    ck_assert_int_eq(TIN("123456789"), ID_OK);
    ck_assert_int_eq(TIN("991234567"), ID_OK);
    ck_assert_int_eq(TIN("001234567"), ID_BAD_PREFIX);
    ck_assert_int_eq(TIN("071234567"), ID_BAD_PREFIX);
    ck_assert_int_eq(TIN("971234567"), ID_BAD_PREFIX);
    /* every never-issued prefix of docs/input-formats.md, Identifiers, and its neighbours pass */
    const char *never[] = {"00", "07", "08", "09", "17", "18", "19", "28", "29",
                           "49", "69", "70", "78", "79", "89", "96", "97"};
    int refused = 0;
    for (int p = 0; p < 100; p++) {
        char tin[10] = {(char)('0' + p / 10), (char)('0' + p % 10), '1', '2', '3',
                        '4', '5', '6', '7', '\0'};
        int listed = 0;
        for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
            if (strncmp(tin, never[i], 2) == 0) listed = 1;
        int rc = tin_check(tin, 9);
        ck_assert_int_eq(rc, listed ? ID_BAD_PREFIX : ID_OK);
        refused += rc == ID_BAD_PREFIX;
    }
    ck_assert_int_eq(refused, 17);
    ck_assert_int_eq(TIN("12345678"), ID_BAD_LENGTH);
    ck_assert_int_eq(TIN("1234567890"), ID_BAD_LENGTH);
    ck_assert_int_eq(TIN("12-345678"), ID_BAD_CHAR);
    ck_assert_int_eq(TIN("12345678X"), ID_BAD_CHAR);
    ck_assert_ptr_nonnull(strstr(ids_explain("tin", ID_BAD_PREFIX), "never issued"));
}
END_TEST

START_TEST(test_mbi)
{
    int synth = -1, pos = -1;
    ck_assert_int_eq(mbi_check("1EG4TE5MK73", 11, &synth), ID_OK); /* the CMS example */
    ck_assert_int_eq(synth, 0);
    ck_assert_int_eq(mbi_check_pos("1EG4TE5MK73", 11, &synth, &pos), ID_OK);
    ck_assert_int_eq(synth, 0);
    ck_assert_int_eq(pos, 0);
    /* digits at positions 3 and 6 are allowed */
    ck_assert_int_eq(mbi_check("9A04A00AA99", 11, &synth), ID_OK);
    ck_assert_int_eq(synth, 0);

    /* BCDA sandbox beneficiary: 'S' in position 2 */
    ck_assert_int_eq(mbi_check_pos("1S00E00AA00", 11, &synth, &pos), ID_OK);
    ck_assert_int_eq(synth, 1);
    ck_assert_int_eq(pos, 0);
    /* an 'S' anywhere else is still refused */
    ck_assert_int_eq(mbi_check_pos("1EG4SE5MK73", 11, &synth, &pos), ID_BAD_CHAR);
    ck_assert_int_eq(pos, 5);
    ck_assert_int_eq(synth, 0);

    ck_assert_int_eq(mbi_check_pos("1eg4te5mk73", 11, &synth, &pos), ID_BAD_CHAR);
    ck_assert_int_eq(pos, 2); /* lowercase 'e' */
    ck_assert_int_eq(mbi_check_pos("1EG4TE5MK7a", 11, &synth, &pos), ID_BAD_CHAR);
    ck_assert_int_eq(pos, 11);
    ck_assert_int_eq(mbi_check_pos("1OG4TE5MK73", 11, &synth, &pos), ID_BAD_CHAR);
    ck_assert_int_eq(pos, 2); /* 'O' is excluded */
    ck_assert_int_eq(mbi_check_pos("0EG4TE5MK73", 11, &synth, &pos), ID_BAD_CHAR);
    ck_assert_int_eq(pos, 1); /* position 1 is 1-9 */
    ck_assert_int_eq(mbi_check_pos("1E14TE5MK73", 11, &synth, &pos), ID_OK); /* pos 3 digit */
    ck_assert_int_eq(mbi_check_pos("1EGATE5MK73", 11, &synth, &pos), ID_BAD_CHAR);
    ck_assert_int_eq(pos, 4); /* position 4 must be a digit */
    ck_assert_int_eq(mbi_check_pos("1EG4TL5MK73", 11, &synth, &pos), ID_BAD_CHAR);
    ck_assert_int_eq(pos, 6); /* 'L' excluded at position 6 too */
    ck_assert_int_eq(mbi_check_pos("1EG4TE5M173", 11, &synth, &pos), ID_BAD_CHAR);
    ck_assert_int_eq(pos, 9); /* position 9 must be a letter */
    ck_assert_int_eq(mbi_check_pos("1EG4-TE5MK7", 11, &synth, &pos), ID_BAD_CHAR);
    ck_assert_int_eq(pos, 5);

    ck_assert_int_eq(mbi_check_pos("1EG4TE5MK7", 10, &synth, &pos), ID_BAD_LENGTH);
    ck_assert_int_eq(pos, 0);
    ck_assert_int_eq(mbi_check("1EG4-TE5-MK73", 13, NULL), ID_BAD_LENGTH);
    ck_assert_int_eq(mbi_check(NULL, 11, NULL), ID_BAD_LENGTH);
    ck_assert_int_eq(mbi_check("1EG4TE5MK73", 11, NULL), ID_OK); /* outputs optional */
    ck_assert_ptr_nonnull(strstr(ids_explain("mbi", ID_BAD_CHAR), "S, L, O, I, B, Z"));
    ck_assert_ptr_nonnull(ids_explain("xyz", ID_BAD_CHAR));
    ck_assert_ptr_nonnull(ids_explain(NULL, 99));
}
END_TEST

/* The template id grammar: every byte of len is checked (an embedded NUL is refused),
 * the first must be a lowercase letter, "common" is reserved. */
START_TEST(test_template_id)
{
    ck_assert_int_eq(ids_check_template_id("falls_prevention", 16), ID_OK);
    ck_assert_int_eq(ids_check_template_id("falls-a1", 8), ID_OK);
    ck_assert_int_eq(ids_check_template_id("t", 1), ID_OK);
    ck_assert_int_eq(ids_check_template_id("common", 6), ID_RESERVED);
    ck_assert_int_eq(ids_check_template_id("commons", 7), ID_OK);
    ck_assert_int_eq(ids_check_template_id("falls\0x", 7), ID_BAD_CHAR); /* JSON "\u0000" */
    ck_assert_int_eq(ids_check_template_id("..", 2), ID_BAD_CHAR);
    ck_assert_int_eq(ids_check_template_id(".", 1), ID_BAD_CHAR);
    ck_assert_int_eq(ids_check_template_id("a/b", 3), ID_BAD_CHAR);
    ck_assert_int_eq(ids_check_template_id("Falls", 5), ID_BAD_CHAR);
    ck_assert_int_eq(ids_check_template_id("1falls", 6), ID_BAD_PREFIX);
    ck_assert_int_eq(ids_check_template_id("_x", 2), ID_BAD_PREFIX);
    ck_assert_int_eq(ids_check_template_id("", 0), ID_BAD_LENGTH);
    ck_assert_int_eq(ids_check_template_id(NULL, 3), ID_BAD_LENGTH);
    char id[66];
    memset(id, 'a', sizeof id);
    ck_assert_int_eq(ids_check_template_id(id, 64), ID_OK);
    ck_assert_int_eq(ids_check_template_id(id, 65), ID_BAD_LENGTH);
    ck_assert_ptr_nonnull(strstr(ids_explain("template", ID_RESERVED), "common"));
}
END_TEST

/* A path segment: ids with ':' and '.', never "." / "..", a '%' or a NUL. */
START_TEST(test_path_segment)
{
    ck_assert_int_eq(ids_check_path_segment("falls_prevention:P0001:2025-03-01", 33), ID_OK);
    ck_assert_int_eq(ids_check_path_segment("A0001", 5), ID_OK);
    ck_assert_int_eq(ids_check_path_segment("v1.2", 4), ID_OK);
    ck_assert_int_eq(ids_check_path_segment("ann@aco.org", 11), ID_OK); /* a user name */
    ck_assert_int_eq(ids_check_path_segment("a/b", 3), ID_BAD_CHAR);
    ck_assert_int_eq(ids_check_path_segment("..", 2), ID_RESERVED);
    ck_assert_int_eq(ids_check_path_segment(".", 1), ID_RESERVED);
    ck_assert_int_eq(ids_check_path_segment("a%00b", 5), ID_BAD_CHAR);
    ck_assert_int_eq(ids_check_path_segment("a\0b", 3), ID_BAD_CHAR);
    ck_assert_int_eq(ids_check_path_segment("a b", 3), ID_BAD_CHAR);
    ck_assert_int_eq(ids_check_path_segment("", 0), ID_BAD_LENGTH);
}
END_TEST

Suite *suite_ids(void)
{
    Suite *s = suite_create("ids");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_npi_valid);
    tcase_add_test(tc, test_npi_check_digit);
    tcase_add_test(tc, test_npi_invalid);
    tcase_add_test(tc, test_tin);
    tcase_add_test(tc, test_mbi);
    tcase_add_test(tc, test_template_id);
    tcase_add_test(tc, test_path_segment);
    suite_add_tcase(s, tc);
    return s;
}
