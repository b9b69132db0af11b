/* tests/fuzz/fuzz_feed.c: a CCLF delivery through load_cclf into an in-memory store: the
 * CCLF0 count check, the CCLF9 crosswalk re-keying what the store holds, CCLF8
 * beneficiaries, the claim files' records staged and assembled into claims (CCLF1 + 2,
 * 3, 4; CCLF5/6 grouped by claim), applied by natural key and version. The input is a
 * sequence of files, each one byte naming its CCLF file ('0'-'9', 'A', 'B'; another byte
 * is taken modulo 12) and its contents up to the next NUL byte. Every file is named
 * P.A1234.ACO.ZC{n}Y27.D270115.T1200000 (one delivery); a second file of the same
 * number is named as the next month's delivery (D270215), so two deliveries load in date
 * order and the second re-keys the first's claims. The first byte's bit 7 sets
 * skip_bad. */
#include <stdint.h>

#include "fuzz_files.h"
#include "load/load_feed.h"

#define MAXF 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char codes[] = "0123456789AB";
    if (size < 1) return 0;
    char paths[MAXF][512];
    char *pv[MAXF];
    int seen[12] = {0};
    size_t n = 0, at = 0;
    int skip_bad = data[0] >> 7;
    while (at < size && n < MAXF) {
        char c = codes[(data[at] & 0x7f) % 12];
        int idx = (int)((data[at] & 0x7f) % 12);
        at++;
        const uint8_t *end = memchr(data + at, 0, size - at);
        size_t len = end ? (size_t)(end - (data + at)) : size - at;
        char name[64];
        snprintf(name, sizeof name, "P.A1234.ACO.ZC%cY27.D27%02d15.T1200000", c,
                 seen[idx]++ ? 2 : 1);
        fuzz_write(name, data + at, len, paths[n], sizeof paths[n]);
        pv[n] = paths[n];
        n++;
        at += len + 1;
    }
    store *s = fuzz_store();
    feed_opts o = {.max_errors = 5, .err = fuzz_null(), .skip_bad = skip_bad,
                   .rejects = fuzz_null()};
    load_cclf(s, pv, n, &o);
    store_close(s);
    for (size_t i = 0; i < n; i++) unlink(paths[i]);
    return 0;
}
