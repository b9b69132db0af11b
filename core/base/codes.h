/*
 * core/base/codes.h: compiled code lists (ICD-10-CM without the dot, HCPCS/CPT, revenue
 * centers, bill types, places of service).
 *
 * Pattern grammar (one pattern per array element; codes and patterns are uppercase):
 *   - a literal of A-Z and 0-9 matches exactly that code:          "Z9181"
 *   - a trailing '*' means "starts with" (the prefix itself too):   "S720*", "J9*"
 *     ("*" alone is refused: it would match every code);
 *   - '?' matches any one character, so the code has the pattern's length:
 *                                       "W0????A" (7 characters, W00..W09, 7th char A)
 *     '?' and a trailing '*' combine:                               "W1?*"
 *   - a range "LO-HI" of two literals of equal length matches, inclusive, the codes of
 *     that same length between them by string (byte) comparison:   "0450-0459"
 *     (LO must not be after HI; '?' and '*' are not allowed in a range).
 * Anything else (lowercase, spaces, dots, an empty pattern, a '*' that is not last)
 * is an error. A code matches the set when it matches any pattern.
 *
 * A compiled set is read-only: codes_match() and codes_count() are thread-safe.
 */
#ifndef CARA_CORE_CODES_H
#define CARA_CORE_CODES_H

#include <stddef.h>

#include "cara/plugin.h" /* typedef struct cara_codeset cara_codeset */

/*
 * Compile n patterns (grammar above) into a new set stored in *out; the patterns are
 * copied, so the caller may free them afterwards. n == 0 is allowed (patterns may then
 * be NULL) and gives a set that matches nothing.
 * Returns 0, or -EINVAL with *out set to NULL and, when err is not NULL and errlen > 0,
 * a NUL-terminated message (truncated to errlen) naming the first bad pattern by its
 * 0-based index and the 1-based position of the bad character, e.g.
 *   pattern 3 "S7 20*": unexpected character ' ' at position 3 (expected A-Z, 0-9,
 *   '?', a trailing '*', or LO-HI)
 * Returns -ENOMEM (message "out of memory") when an allocation fails.
 * The caller owns *out and frees it with codes_free().
 */
int codes_compile(const char *const *patterns, size_t n, cara_codeset **out, char *err,
                  size_t errlen);

/*
 * 1 when the NUL-terminated code matches a pattern of set, else 0 (also when set or
 * code is NULL or code is ""). Literals and prefixes are found in a hash table, one
 * probe for the code and one per distinct prefix length; '?' patterns and ranges are
 * scanned.
 */
int codes_match(const cara_codeset *set, const char *code);

/* The number of patterns the set was compiled from (0 for NULL). */
size_t codes_count(const cara_codeset *set);

/* Free a set from codes_compile(). NULL is a no-op. */
void codes_free(cara_codeset *set);

#endif /* CARA_CORE_CODES_H */
