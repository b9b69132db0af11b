/* tests/test_codes.c: core/base/codes.c (compiled code lists; docs/methodology.md sections 1-2.2). */
#include <check.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/codes.h"
#include "suites.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Compile or fail the test with the compiler's message. */
static cara_codeset *compile(const char *const *pats, size_t n)
{
    cara_codeset *set = NULL;
    char err[256];
    int rc = codes_compile(pats, n, &set, err, sizeof err);
    ck_assert_msg(rc == 0, "codes_compile: %s", err);
    ck_assert_ptr_nonnull(set);
    ck_assert_uint_eq(codes_count(set), n);
    return set;
}

START_TEST(test_fall_risk_dx_literals)
{
    static const char *const pats[] = {"Z9181", "R296", "R2681", "R2689", "R262",
                                       "R260",  "R261", "R269",  "M6281"};
    cara_codeset *set = compile(pats, N(pats));
    for (size_t i = 0; i < N(pats); i++) ck_assert_int_eq(codes_match(set, pats[i]), 1);
    ck_assert_int_eq(codes_match(set, "Z918"), 0);    /* literal: no prefix match */
    ck_assert_int_eq(codes_match(set, "Z91811"), 0);  /* nor a longer code */
    ck_assert_int_eq(codes_match(set, "R26"), 0);
    ck_assert_int_eq(codes_match(set, "R2682"), 0);
    ck_assert_int_eq(codes_match(set, "r296"), 0);    /* codes are uppercase */
    ck_assert_int_eq(codes_match(set, "R29.6"), 0);   /* codes carry no dot */
    ck_assert_int_eq(codes_match(set, ""), 0);
    ck_assert_int_eq(codes_match(set, NULL), 0);
    ck_assert_int_eq(codes_match(NULL, "R296"), 0);
    codes_free(set);
}
END_TEST

START_TEST(test_fall_external_cause_wildcards)
{
    static const char *const pats[] = {"W0????A", "W1????A"};
    cara_codeset *set = compile(pats, N(pats));
    ck_assert_int_eq(codes_match(set, "W010XXA"), 1); /* W01 slip/trip, initial */
    ck_assert_int_eq(codes_match(set, "W19XXXA"), 1); /* unspecified fall, initial */
    ck_assert_int_eq(codes_match(set, "W000XXA"), 1);
    ck_assert_int_eq(codes_match(set, "W19XXXD"), 0); /* subsequent encounter */
    ck_assert_int_eq(codes_match(set, "W20XXXA"), 0); /* W20 is not a fall */
    ck_assert_int_eq(codes_match(set, "W0100A"), 0);  /* 6 characters */
    ck_assert_int_eq(codes_match(set, "W010XXAA"), 0); /* 8 characters: no '*' */
    ck_assert_int_eq(codes_match(set, "X010XXA"), 0);
    codes_free(set);

    /* '?' combined with a trailing '*': W1 then any character then anything */
    static const char *const star[] = {"W1?*"};
    set = compile(star, N(star));
    ck_assert_int_eq(codes_match(set, "W19"), 1);
    ck_assert_int_eq(codes_match(set, "W19XXXD"), 1);
    ck_assert_int_eq(codes_match(set, "W1"), 0); /* '?' needs one character */
    ck_assert_int_eq(codes_match(set, "W20XXXA"), 0);
    codes_free(set);
}
END_TEST

START_TEST(test_fall_injury_prefixes)
{
    static const char *const pats[] = {"S720*", "S721*", "S722*", "S06*", "S32*",
                                       "S422*", "S525*", "S223*", "S224*"};
    cara_codeset *set = compile(pats, N(pats));
    ck_assert_int_eq(codes_match(set, "S72001A"), 1); /* hip fracture */
    ck_assert_int_eq(codes_match(set, "S72101A"), 1);
    ck_assert_int_eq(codes_match(set, "S7221XA"), 1);
    ck_assert_int_eq(codes_match(set, "S720"), 1);    /* the prefix itself */
    ck_assert_int_eq(codes_match(set, "S0690XA"), 1); /* 3-character prefix group */
    ck_assert_int_eq(codes_match(set, "S3210XA"), 1);
    ck_assert_int_eq(codes_match(set, "S42201A"), 1);
    ck_assert_int_eq(codes_match(set, "S52501A"), 1);
    ck_assert_int_eq(codes_match(set, "S2231XA"), 1);
    ck_assert_int_eq(codes_match(set, "S2241XA"), 1);
    ck_assert_int_eq(codes_match(set, "S72301A"), 0); /* S723: shaft, not listed */
    ck_assert_int_eq(codes_match(set, "S72"), 0);     /* shorter than every prefix */
    ck_assert_int_eq(codes_match(set, "S07"), 0);
    ck_assert_int_eq(codes_match(set, "S0"), 0);
    ck_assert_int_eq(codes_match(set, "S225"), 0);
    ck_assert_int_eq(codes_match(set, "T06"), 0);
    codes_free(set);
}
END_TEST

START_TEST(test_ranges_and_hcpcs)
{
    static const char *const er[] = {"0450-0459"};
    cara_codeset *set = compile(er, N(er));
    ck_assert_int_eq(codes_match(set, "0450"), 1); /* inclusive low end */
    ck_assert_int_eq(codes_match(set, "0455"), 1);
    ck_assert_int_eq(codes_match(set, "0459"), 1); /* inclusive high end */
    ck_assert_int_eq(codes_match(set, "0449"), 0);
    ck_assert_int_eq(codes_match(set, "0460"), 0);
    ck_assert_int_eq(codes_match(set, "045"), 0);  /* other length */
    ck_assert_int_eq(codes_match(set, "04500"), 0);
    ck_assert_int_eq(codes_match(set, "045A"), 0); /* 'A' > '9' */
    codes_free(set);

    /* functional independence exclusions: dialysis revenue centers, chemo */
    static const char *const excl[] = {"0820-0889", "Z5111", "Z5112", "J9*"};
    set = compile(excl, N(excl));
    ck_assert_int_eq(codes_match(set, "0821"), 1);
    ck_assert_int_eq(codes_match(set, "0889"), 1);
    ck_assert_int_eq(codes_match(set, "0890"), 0);
    ck_assert_int_eq(codes_match(set, "0819"), 0);
    ck_assert_int_eq(codes_match(set, "J9045"), 1);
    ck_assert_int_eq(codes_match(set, "J9"), 1);
    ck_assert_int_eq(codes_match(set, "J8999"), 0);
    ck_assert_int_eq(codes_match(set, "Z5111"), 1);
    ck_assert_int_eq(codes_match(set, "Z5113"), 0);
    codes_free(set);

    /* a mixed list: every kind in one set; CPT II codes with letters */
    static const char *const mixed[] = {"97161", "97162", "97163", "1100F", "3288F",
                                        "0518F", "9755?", "977*", "G0101-G0199"};
    set = compile(mixed, N(mixed));
    ck_assert_int_eq(codes_match(set, "3288F"), 1);
    ck_assert_int_eq(codes_match(set, "1101F"), 0);
    ck_assert_int_eq(codes_match(set, "97552"), 1);
    ck_assert_int_eq(codes_match(set, "97750"), 1);
    ck_assert_int_eq(codes_match(set, "G0150"), 1);
    ck_assert_int_eq(codes_match(set, "G0200"), 0);
    ck_assert_int_eq(codes_match(set, "97164"), 0);
    codes_free(set);
}
END_TEST

START_TEST(test_empty_list)
{
    cara_codeset *set = NULL;
    ck_assert_int_eq(codes_compile(NULL, 0, &set, NULL, 0), 0);
    ck_assert_ptr_nonnull(set);
    ck_assert_uint_eq(codes_count(set), 0);
    ck_assert_int_eq(codes_match(set, "Z9181"), 0);
    codes_free(set);
    codes_free(NULL);
    ck_assert_uint_eq(codes_count(NULL), 0);
}
END_TEST

/* Compile one bad pattern list; expect -EINVAL, *out NULL and the exact message. */
static void expect_error(const char *const *pats, size_t n, const char *msg)
{
    cara_codeset *set = (cara_codeset *)&set; /* any non-NULL value */
    char err[256] = "";
    ck_assert_int_eq(codes_compile(pats, n, &set, err, sizeof err), -EINVAL);
    ck_assert_ptr_null(set);
    ck_assert_str_eq(err, msg);
}

START_TEST(test_invalid_patterns)
{
    const char *p1[] = {"Z9181", "R296", "S720*", "S7 20*"};
    expect_error(p1, N(p1),
                 "pattern 3 \"S7 20*\": unexpected character ' ' at position 3 "
                 "(expected A-Z, 0-9, '?', a trailing '*', or LO-HI)");
    const char *p2[] = {"s720*"};
    expect_error(p2, N(p2),
                 "pattern 0 \"s720*\": lowercase character 's' at position 1 (codes are "
                 "uppercase: expected A-Z, 0-9, '?', a trailing '*', or LO-HI)");
    const char *p3[] = {"A-"};
    expect_error(p3, N(p3),
                 "pattern 0 \"A-\": a range needs a code on both sides of '-' (expected "
                 "LO-HI of equal length, like 0450-0459)");
    const char *p4[] = {"Z9181", "AB-C"};
    expect_error(p4, N(p4),
                 "pattern 1 \"AB-C\": range ends \"AB\" and \"C\" differ in length "
                 "(expected LO-HI of equal length, like 0450-0459)");
    const char *p5[] = {"A*B"};
    expect_error(p5, N(p5),
                 "pattern 0 \"A*B\": '*' at position 2 is not at the end (a '*' may only "
                 "end a pattern)");
    const char *p6[] = {"R296", "R260", ""};
    expect_error(p6, N(p6),
                 "pattern 2 \"\": empty pattern (expected A-Z, 0-9, '?', a trailing '*', "
                 "or LO-HI)");
    const char *p7[] = {"0459-0450"};
    expect_error(p7, N(p7),
                 "pattern 0 \"0459-0450\": range start \"0459\" is after its end \"0450\" "
                 "(expected LO <= HI)");
    const char *p8[] = {"*"};
    expect_error(p8, N(p8),
                 "pattern 0 \"*\": '*' needs at least one character before it (\"*\" alone "
                 "would match every code)");
    const char *p9[] = {"04?0-0459"};
    expect_error(p9, N(p9),
                 "pattern 0 \"04?0-0459\": '?' at position 3 is not allowed in a range "
                 "(expected LO-HI of two codes, like 0450-0459)");
    const char *p10[] = {"R29.6"};
    expect_error(p10, N(p10),
                 "pattern 0 \"R29.6\": unexpected character '.' at position 4 (expected "
                 "A-Z, 0-9, '?', a trailing '*', or LO-HI)");
    const char *p11[] = {"A-B-C"};
    expect_error(p11, N(p11),
                 "pattern 0 \"A-B-C\": unexpected character '-' at position 4 (expected "
                 "A-Z, 0-9, '?', a trailing '*', or LO-HI)");
    const char *p12[] = {"Z9\t81"};
    expect_error(p12, N(p12),
                 "pattern 0 \"Z9\\x0981\": unexpected character '\\x09' at position 3 "
                 "(expected A-Z, 0-9, '?', a trailing '*', or LO-HI)");
    const char *p13[] = {"Z9181", NULL};
    expect_error(p13, N(p13), "pattern 1 \"\": missing pattern (NULL)");

    /* a small err buffer is truncated, not overrun; no buffer at all is fine */
    cara_codeset *set = NULL;
    char small[8];
    ck_assert_int_eq(codes_compile(p1, N(p1), &set, small, sizeof small), -EINVAL);
    ck_assert_str_eq(small, "pattern");
    ck_assert_int_eq(codes_compile(p1, N(p1), &set, NULL, 0), -EINVAL);
    ck_assert_ptr_null(set);
}
END_TEST

/* 300 literals and prefixes of four lengths in one set: the binary searches (over the
 * literals, and over each prefix-length group) must find each and nothing else. */
START_TEST(test_many_patterns)
{
    static char storage[300][8];
    const char *pats[304];
    for (int i = 0; i < 300; i++) { /* literals A000, A002, ..., A598 */
        snprintf(storage[i], sizeof storage[i], "A%03d", 2 * i);
        pats[i] = storage[i];
    }
    pats[300] = "D3*";
    pats[301] = "E44*";
    pats[302] = "F555*";
    pats[303] = "G6666*";
    cara_codeset *set = compile(pats, 304);
    ck_assert_int_eq(codes_match(set, "A000"), 1);
    ck_assert_int_eq(codes_match(set, "A598"), 1);
    ck_assert_int_eq(codes_match(set, "A246"), 1);
    ck_assert_int_eq(codes_match(set, "A247"), 0); /* odd: not a literal */
    ck_assert_int_eq(codes_match(set, "A600"), 0);
    ck_assert_int_eq(codes_match(set, "A24"), 0);
    ck_assert_int_eq(codes_match(set, "D3"), 1);
    ck_assert_int_eq(codes_match(set, "D39"), 1);
    ck_assert_int_eq(codes_match(set, "E44Q"), 1);
    ck_assert_int_eq(codes_match(set, "E4"), 0);
    ck_assert_int_eq(codes_match(set, "F5551"), 1);
    ck_assert_int_eq(codes_match(set, "F556"), 0);
    ck_assert_int_eq(codes_match(set, "G6666XYZ"), 1);
    ck_assert_int_eq(codes_match(set, "G666"), 0);
    codes_free(set);
}
END_TEST

/* The hash table against a plain scan of the patterns: random literals and prefixes
 * over a small alphabet (so that codes, literals and prefixes collide often: a literal
 * that is also a prefix, prefixes of one another, repeats), random codes of 1 to 6
 * characters. A fixed seed: a failure is reproducible. */
START_TEST(test_random_against_scan)
{
    static const char alpha[] = "AB1";
    uint64_t st = 7;
#define NEXT() ((st = st * 6364136223846793005ull + 1442695040888963407ull) >> 33)
    for (int round = 0; round < 200; round++) {
        char pat[40][8];
        const char *pats[40];
        int n = 1 + (int)(NEXT() % 40), prefix[40];
        for (int i = 0; i < n; i++) {
            int len = 1 + (int)(NEXT() % 4);
            for (int k = 0; k < len; k++) pat[i][k] = alpha[NEXT() % 3];
            prefix[i] = (int)(NEXT() % 2);
            pat[i][len] = prefix[i] ? '*' : '\0';
            pat[i][len + prefix[i]] = '\0';
            pats[i] = pat[i];
        }
        cara_codeset *set = compile(pats, (size_t)n);
        for (int t = 0; t < 300; t++) {
            char code[8];
            int len = 1 + (int)(NEXT() % 6);
            for (int k = 0; k < len; k++) code[k] = alpha[NEXT() % 3];
            code[len] = '\0';
            int want = 0;
            for (int i = 0; i < n && !want; i++) {
                size_t pl = strlen(pat[i]) - (size_t)prefix[i];
                want = prefix[i] ? strncmp(code, pat[i], pl) == 0 && strlen(code) >= pl
                                 : strcmp(code, pat[i]) == 0;
            }
            ck_assert_msg(codes_match(set, code) == want, "round %d: code %s: expected %d",
                          round, code, want);
        }
        codes_free(set);
    }
#undef NEXT
}
END_TEST

Suite *suite_codes(void)
{
    Suite *s = suite_create("codes");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fall_risk_dx_literals);
    tcase_add_test(tc, test_fall_external_cause_wildcards);
    tcase_add_test(tc, test_fall_injury_prefixes);
    tcase_add_test(tc, test_ranges_and_hcpcs);
    tcase_add_test(tc, test_empty_list);
    tcase_add_test(tc, test_invalid_patterns);
    tcase_add_test(tc, test_many_patterns);
    tcase_add_test(tc, test_random_against_scan);
    suite_add_tcase(s, tc);
    return s;
}
