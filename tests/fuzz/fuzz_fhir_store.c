/* tests/fuzz/fuzz_fhir_store.c: BCDA FHIR files through load_fhir into an in-memory store
 * (one delivery: Patient, then Coverage, then ExplanationOfBenefit resources, historic
 * MBIs re-keyed, claims by natural key and version). The input is up to four files
 * separated by NUL bytes, named f0.ndjson, f1.json, f2.ndjson, f3.json. The first file's
 * first byte, when it is 0x01, sets skip_bad (and is not part of the file). */
#include <stdint.h>

#include "fuzz_files.h"
#include "load/load_feed.h"

#define MAXF 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int skip_bad = size > 0 && data[0] == 1;
    size_t at = (size_t)skip_bad, n = 0;
    char paths[MAXF][512];
    char *pv[MAXF];
    while (n < MAXF && (at < size || n == 0)) {
        const uint8_t *end = at < size ? memchr(data + at, 0, size - at) : NULL;
        size_t len = end ? (size_t)(end - (data + at)) : size - at;
        char name[32];
        snprintf(name, sizeof name, "f%zu.%s", n, n % 2 ? "json" : "ndjson");
        fuzz_write(name, data + at, len, paths[n], sizeof paths[n]);
        pv[n] = paths[n];
        n++;
        at += len + 1;
    }
    store *s = fuzz_store();
    feed_opts o = {.max_errors = 5, .err = fuzz_null(), .skip_bad = skip_bad,
                   .rejects = fuzz_null()};
    load_fhir(s, pv, n, &o);
    store_close(s);
    for (size_t i = 0; i < n; i++) unlink(paths[i]);
    return 0;
}
