/* tests/fuzz/fuzz_load.c: a CSV input-layer file through load_file into an in-memory
 * store: the kind from the name or, for "input.csv", from the header (header detection),
 * the header's column mapping, every row's field checks and its conversion into the
 * store's rows (claims grouped by claim id, in order or not). The first byte picks the
 * file name and the options (skip_bad with a rejects file, strict); the rest is the
 * file. The same bytes are then loaded again (the already-loaded path). */
#include <stdint.h>

#include "fuzz_files.h"
#include "load/load_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const char *const names[8] = {"acos.csv", "providers.csv", "eligibility.csv",
                                         "alignment.csv", "arrangements.csv",
                                         "participants.csv", "medical_claim.csv", "input.csv"};
    char path[512];
    fuzz_write(names[data[0] & 7], data + 1, size - 1, path, sizeof path);
    store *s = fuzz_store();
    load_opts o = {.max_errors = 5, .err = fuzz_null(), .skip_bad = (data[0] >> 3) & 1,
                   .rejects = fuzz_null(), .strict = (data[0] >> 4) & 1};
    load_result r;
    load_file(s, path, &o, &r);
    load_file(s, path, &o, &r);
    store_close(s);
    return 0;
}
