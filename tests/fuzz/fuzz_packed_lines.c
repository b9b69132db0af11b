/* tests/fuzz/fuzz_packed_lines.c: the packed-lines reader (claims.lines) over arbitrary
 * bytes; every line it accepts is written again and must read back the same, and a
 * reader that borrows (pl_reader.borrow) must read the same lines, texts and lengths,
 * and stop where the copying one stops. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/packed_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pl_reader r = {0}, back = {0};
    pl_buf b = {0};
    pl_reader_init(&r, (const char *)data, size);
    pl_line l, m;
    if (pl_begin(&b) < 0) abort();
    while (pl_next(&r, &l) == 1) {
        if (pl_append(&b, &l) < 0) abort();
    }
    if (pl_end(&b) < 0) abort();
    /* what was written reads back, line for line, as what was read */
    pl_reader_init(&back, b.p, b.len);
    pl_reader_init(&r, (const char *)data, size);
    while (pl_next(&r, &l) == 1) {
        /* l's texts live in r's scratch, m's in back's: both valid until their next call */
        if (pl_next(&back, &m) != 1 || l.number != m.number || l.paid_cents != m.paid_cents ||
            l.allowed_cents != m.allowed_cents || l.denied != m.denied ||
            l.has_detail != m.has_detail || (l.has_detail && l.detail_paid_cents != m.detail_paid_cents))
            abort();
        for (int i = 0; i < PL_TEXTS; i++)
            if ((l.text[i] == NULL) != (m.text[i] == NULL) ||
                (l.text[i] && strcmp(l.text[i], m.text[i]) != 0))
                abort();
    }
    /* the borrowing reader against the copying one */
    pl_reader c = {0}, d = {0};
    d.borrow = 1;
    pl_reader_init(&c, (const char *)data, size);
    pl_reader_init(&d, (const char *)data, size);
    for (;;) {
        int kc = pl_next(&c, &l), kd = pl_next(&d, &m);
        if (kc != kd) abort();
        if (kc != 1) break;
        if (l.number != m.number || l.paid_cents != m.paid_cents || l.denied != m.denied ||
            l.has_detail != m.has_detail)
            abort();
        for (int i = 0; i < PL_TEXTS; i++)
            if ((l.text[i] == NULL) != (m.text[i] == NULL) || l.len[i] != m.len[i] ||
                (l.text[i] && memcmp(l.text[i], m.text[i], l.len[i]) != 0))
                abort();
    }
    pl_reader_free(&c);
    pl_reader_free(&d);
    pl_reader_free(&r);
    pl_reader_free(&back);
    free(b.p);
    return 0;
}
