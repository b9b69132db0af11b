/* tests/fuzz/fuzz_mllp.c: the MLLP reader over arbitrary bytes fed in arbitrary pieces.
 * The first byte picks the largest message (8 << (b % 12) bytes), the second the first
 * read's size; each read's size is then drawn from the bytes themselves. Checks: the
 * buffer stays within max + MLLP_KEEP_PREFIX + one read, a message never holds SB or EB,
 * and each message framed again is read back the same by a second reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/mllp.h"

static void check_roundtrip(const char *msg, size_t len)
{
    static char framed[1 << 16];
    long n = mllp_frame(msg, len, framed, sizeof framed);
    if (n < 0) return;
    mllp_reader r;
    mllp_init(&r, len);
    const char *back;
    size_t bl;
    if (mllp_feed(&r, framed, (size_t)n) != 0) abort();
    if (mllp_next(&r, &back, &bl) != MLLP_MSG || bl != len || memcmp(back, msg, len) != 0) abort();
    if (mllp_next(&r, &back, &bl) != MLLP_NEED) abort();
    mllp_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t max = (size_t)8 << (data[0] % 12);
    size_t chunk = 1 + data[1];
    data += 2;
    size -= 2;
    mllp_reader r;
    mllp_init(&r, max);
    size_t out = 0, biggest = 0;
    for (size_t off = 0; off < size;) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (mllp_feed(&r, (const char *)data + off, n) != 0) abort();
        off += n;
        if (n > biggest) biggest = n;
        const char *msg;
        size_t len;
        int rc;
        while ((rc = mllp_next(&r, &msg, &len)) != MLLP_NEED) {
            if (rc == MLLP_MSG && len > max) abort();
            if (rc == MLLP_TOO_BIG && len > MLLP_KEEP_PREFIX) abort();
            if (memchr(msg, MLLP_SB, len) || memchr(msg, MLLP_EB, len)) abort();
            out += len;
            if (rc == MLLP_MSG) check_roundtrip(msg, len);
        }
        if (r.cap > (max > MLLP_KEEP_PREFIX ? max : MLLP_KEEP_PREFIX) + biggest) abort();
        chunk = 1 + (size_t)data[(off * 7) % size] * 3;
    }
    if (out > size) abort();
    mllp_free(&r);
    return 0;
}
