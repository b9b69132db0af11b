/* tests/fuzz/fuzz_codes.c: code-list patterns (one per line) compiled and matched
 * against each other. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/codes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *pats[64];
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line && n < 64; line = strtok(NULL, "\n")) pats[n++] = line;
    cara_codeset *set = NULL;
    char err[256];
    if (codes_compile(pats, n, &set, err, sizeof err) == 0) {
        for (size_t i = 0; i < n; i++) codes_match(set, pats[i]);
        codes_free(set);
    }
    free(text);
    return 0;
}
