/* tests/test_mllp.c: core/feeds/mllp.c (the incremental MLLP frame reader). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/mllp.h"
#include "suites.h"

#define SB "\013"
#define EB "\034"
#define CR "\r"

/* Everything the reader has ready, as "MSG:<bytes>" / "BIG:<n>" entries joined by ';'. */
static void drain(mllp_reader *r, char *got, size_t cap)
{
    const char *msg;
    size_t len;
    int rc;
    while ((rc = mllp_next(r, &msg, &len)) != MLLP_NEED) {
        size_t n = strlen(got);
        if (rc == MLLP_MSG) {
            ck_assert_uint_lt(n + len + 16, cap);
            memcpy(got + n, "MSG:", 4);
            memcpy(got + n + 4, msg, len);
            got[n + 4 + len] = '\0';
        } else {
            ck_assert_int_eq(rc, MLLP_TOO_BIG);
            ck_assert_uint_lt(n + 32, cap);
            snprintf(got + n, cap - n, "BIG:%zu", len);
        }
        strcat(got, ";");
    }
}

static void feed(mllp_reader *r, const char *s, size_t n, char *got, size_t cap)
{
    ck_assert_int_eq(mllp_feed(r, s, n), 0);
    drain(r, got, cap);
}

static const char STREAM[] = SB "MSH|^~\\&|A|B\rPID|1" EB CR SB "MSH|^~\\&|second" EB CR
    SB "MSH|^~\\&|3rd\rEVN|A01\r" EB CR;
static const char STREAM_GOT[] = "MSG:MSH|^~\\&|A|B\rPID|1;MSG:MSH|^~\\&|second;MSG:MSH|^~\\&|3rd\rEVN|A01\r;";

START_TEST(test_one_frame)
{
    mllp_reader r;
    char got[256] = "";
    mllp_init(&r, 1000);
    const char *msg;
    size_t len;
    ck_assert_int_eq(mllp_next(&r, &msg, &len), MLLP_NEED); /* nothing fed */
    feed(&r, SB "HELLO" EB CR, 8, got, sizeof got);
    ck_assert_str_eq(got, "MSG:HELLO;");
    ck_assert_uint_eq(r.junk, 0);
    got[0] = '\0';
    feed(&r, SB EB CR, 3, got, sizeof got); /* an empty frame */
    ck_assert_str_eq(got, "MSG:;");
    ck_assert_int_eq(mllp_feed(&r, "x", 0), 0);
    mllp_free(&r);
    mllp_free(&r);
}
END_TEST

/* The 3-message stream cut at every point, then at every pair of points: the same
 * messages in the same order. */
START_TEST(test_every_split)
{
    size_t n = sizeof STREAM - 1;
    for (size_t i = 0; i <= n; i++) {
        mllp_reader r;
        char got[512] = "";
        mllp_init(&r, 1000);
        feed(&r, STREAM, i, got, sizeof got);
        feed(&r, STREAM + i, n - i, got, sizeof got);
        ck_assert_msg(strcmp(got, STREAM_GOT) == 0, "split at %zu: %s", i, got);
        ck_assert_uint_eq(r.junk, 0);
        mllp_free(&r);
    }
    for (size_t i = 0; i <= n; i++)
        for (size_t j = i; j <= n; j++) {
            mllp_reader r;
            char got[512] = "";
            mllp_init(&r, 1000);
            feed(&r, STREAM, i, got, sizeof got);
            feed(&r, STREAM + i, j - i, got, sizeof got);
            feed(&r, STREAM + j, n - j, got, sizeof got);
            ck_assert_msg(strcmp(got, STREAM_GOT) == 0, "split at %zu, %zu: %s", i, j, got);
            mllp_free(&r);
        }
    /* byte by byte, with a small max so that the slow path keeps every frame */
    mllp_reader r;
    char got[512] = "";
    mllp_init(&r, 1000);
    for (size_t i = 0; i < n; i++) feed(&r, STREAM + i, 1, got, sizeof got);
    ck_assert_str_eq(got, STREAM_GOT);
    mllp_free(&r);
}
END_TEST

START_TEST(test_pipelined_and_junk)
{
    mllp_reader r;
    char got[512] = "";
    mllp_init(&r, 1000);
    feed(&r, STREAM, sizeof STREAM - 1, got, sizeof got); /* all three in one read */
    ck_assert_str_eq(got, STREAM_GOT);
    mllp_free(&r);
    /* junk between frames: "xx" and "yy" counted (4), whitespace not */
    static const char j[] = "xx" SB "A" EB CR "  \r\n\t" "yy" SB "B" EB CR "\n";
    mllp_init(&r, 1000);
    got[0] = '\0';
    feed(&r, j, sizeof j - 1, got, sizeof got);
    ck_assert_str_eq(got, "MSG:A;MSG:B;");
    ck_assert_uint_eq(r.junk, 4);
    mllp_free(&r);
}
END_TEST

START_TEST(test_sb_inside_and_eb_without_cr)
{
    mllp_reader r;
    char got[256] = "";
    /* an SB inside a frame: "ABC" and its SB (4 bytes) dropped as junk */
    static const char sb[] = SB "ABC" SB "DEF" EB CR;
    mllp_init(&r, 1000);
    feed(&r, sb, sizeof sb - 1, got, sizeof got);
    ck_assert_str_eq(got, "MSG:DEF;");
    ck_assert_uint_eq(r.junk, 4);
    mllp_free(&r);
    /* the same split inside the first frame (the slow path) */
    mllp_init(&r, 1000);
    got[0] = '\0';
    feed(&r, sb, 3, got, sizeof got);
    feed(&r, sb + 3, sizeof sb - 4, got, sizeof got);
    ck_assert_str_eq(got, "MSG:DEF;");
    ck_assert_uint_eq(r.junk, 4);
    mllp_free(&r);
    /* EB not followed by CR still ends the frame; the X after it is junk */
    static const char eb[] = SB "A" EB "X" SB "B" EB SB "C" EB CR;
    mllp_init(&r, 1000);
    got[0] = '\0';
    feed(&r, eb, sizeof eb - 1, got, sizeof got);
    ck_assert_str_eq(got, "MSG:A;MSG:B;MSG:C;");
    ck_assert_uint_eq(r.junk, 1);
    mllp_free(&r);
    /* EB at the end of one read, its CR at the start of the next: skipped silently */
    mllp_init(&r, 1000);
    got[0] = '\0';
    feed(&r, SB "A" EB, 3, got, sizeof got);
    ck_assert_str_eq(got, "MSG:A;");
    feed(&r, CR SB "B" EB CR, 5, got, sizeof got);
    ck_assert_str_eq(got, "MSG:A;MSG:B;");
    ck_assert_uint_eq(r.junk, 0);
    mllp_free(&r);
}
END_TEST

START_TEST(test_oversize)
{
    mllp_reader r;
    /* max 10: a frame of exactly 10 bytes passes, 11 is too big (its 11 bytes kept, less
     * than MLLP_KEEP_PREFIX) and the next frame is read as usual */
    char got[256] = "";
    mllp_init(&r, 10);
    static const char s[] = SB "0123456789" EB CR SB "0123456789A" EB CR SB "ok" EB CR;
    feed(&r, s, sizeof s - 1, got, sizeof got);
    ck_assert_str_eq(got, "MSG:0123456789;BIG:11;MSG:ok;");
    mllp_free(&r);
    /* max 100, a frame of 10000 bytes in 7-byte reads: TOO_BIG with its first 4096 bytes */
    size_t big = 10000;
    char *b = malloc(big + 16);
    b[0] = MLLP_SB;
    for (size_t i = 0; i < big; i++) b[1 + i] = (char)('a' + i % 26);
    memcpy(b + 1 + big, EB CR SB "next" EB CR, 9);
    size_t total = 1 + big + 9;
    mllp_init(&r, 100);
    int too_big = 0, msgs = 0;
    for (size_t off = 0; off < total; off += 7) {
        size_t n = total - off < 7 ? total - off : 7;
        ck_assert_int_eq(mllp_feed(&r, b + off, n), 0);
        const char *msg;
        size_t len;
        int rc;
        while ((rc = mllp_next(&r, &msg, &len)) != MLLP_NEED) {
            if (rc == MLLP_TOO_BIG) {
                too_big++;
                ck_assert_uint_eq(len, MLLP_KEEP_PREFIX);
                ck_assert_int_eq(memcmp(msg, b + 1, MLLP_KEEP_PREFIX), 0);
            } else {
                msgs++;
                ck_assert_uint_eq(len, 4);
                ck_assert_int_eq(memcmp(msg, "next", 4), 0);
            }
        }
        ck_assert_uint_le(r.cap, 100 + MLLP_KEEP_PREFIX + 7);
    }
    ck_assert_int_eq(too_big, 1);
    ck_assert_int_eq(msgs, 1);
    mllp_free(&r);
    /* the same in one read */
    mllp_init(&r, 100);
    char *g = malloc(64);
    g[0] = '\0';
    feed(&r, b, total, g, 64);
    ck_assert_str_eq(g, "BIG:4096;MSG:next;");
    mllp_free(&r);
    free(g);
    free(b);
}
END_TEST

/* 10 MB with no EB, max 1 MB, in 64 KB reads: the buffer never grows past
 * max + MLLP_KEEP_PREFIX + one read; then the frame ends as TOO_BIG and the next one is
 * read. 10 MB of bytes outside any frame keep the buffer at one read. */
START_TEST(test_memory_bounded)
{
    size_t chunk = 65536, max = 1 << 20;
    char *c = malloc(chunk);
    memset(c, 'x', chunk);
    mllp_reader r;
    mllp_init(&r, max);
    const char *msg;
    size_t len;
    ck_assert_int_eq(mllp_feed(&r, SB, 1), 0);
    for (size_t fed = 0; fed < 10u * 1024 * 1024; fed += chunk) {
        ck_assert_int_eq(mllp_feed(&r, c, chunk), 0);
        ck_assert_int_eq(mllp_next(&r, &msg, &len), MLLP_NEED);
        ck_assert_uint_le(r.cap, max + MLLP_KEEP_PREFIX + chunk);
    }
    ck_assert_uint_eq(r.msg_len, 10u * 1024 * 1024);
    ck_assert_int_eq(r.oversize, 1);
    ck_assert_int_eq(mllp_feed(&r, EB CR SB "after" EB CR, 9), 0);
    ck_assert_int_eq(mllp_next(&r, &msg, &len), MLLP_TOO_BIG);
    ck_assert_uint_eq(len, MLLP_KEEP_PREFIX);
    ck_assert_int_eq(mllp_next(&r, &msg, &len), MLLP_MSG);
    ck_assert_uint_eq(len, 5);
    ck_assert_int_eq(memcmp(msg, "after", 5), 0);
    ck_assert_int_eq(mllp_next(&r, &msg, &len), MLLP_NEED);
    mllp_free(&r);
    /* junk only */
    mllp_init(&r, max);
    for (size_t fed = 0; fed < 10u * 1024 * 1024; fed += chunk) {
        ck_assert_int_eq(mllp_feed(&r, c, chunk), 0);
        ck_assert_int_eq(mllp_next(&r, &msg, &len), MLLP_NEED);
        ck_assert_uint_le(r.cap, chunk);
    }
    ck_assert_uint_eq(r.junk, 10u * 1024 * 1024);
    mllp_free(&r);
    free(c);
}
END_TEST

START_TEST(test_frame)
{
    char out[16];
    ck_assert_int_eq(mllp_frame("AB", 2, out, sizeof out), 5);
    ck_assert_int_eq(memcmp(out, SB "AB" EB CR, 5), 0);
    ck_assert_int_eq(mllp_frame("AB", 2, out, 5), 5);
    ck_assert_int_eq(mllp_frame("AB", 2, out, 4), -1);
    ck_assert_int_eq(mllp_frame("", 0, out, 3), 3);
    /* framed then read back */
    mllp_reader r;
    char got[64] = "";
    mllp_init(&r, 100);
    long n = mllp_frame("MSH|x", 5, out, sizeof out);
    feed(&r, out, (size_t)n, got, sizeof got);
    ck_assert_str_eq(got, "MSG:MSH|x;");
    mllp_free(&r);
}
END_TEST

Suite *suite_mllp(void)
{
    Suite *s = suite_create("mllp");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_one_frame);
    tcase_add_test(tc, test_every_split);
    tcase_add_test(tc, test_pipelined_and_junk);
    tcase_add_test(tc, test_sb_inside_and_eb_without_cr);
    tcase_add_test(tc, test_oversize);
    tcase_add_test(tc, test_memory_bounded);
    tcase_add_test(tc, test_frame);
    suite_add_tcase(s, tc);
    return s;
}
