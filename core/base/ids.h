/*
 * core/base/ids.h: validation of the identifiers of docs/input-formats.md, Identifiers (NPI, TIN, MBI).
 * Inputs are exactly `len` bytes (need not be NUL-terminated; nothing past s[len-1]
 * is read). Checks are syntactic: a valid identifier may still not exist. Pure
 * functions: no I/O, no state, thread-safe.
 */
#ifndef CARA_CORE_IDS_H
#define CARA_CORE_IDS_H

#include <stddef.h>

/* Return codes of the *_check functions. The first failing check is reported, in the
 * order length, characters, prefix, check digit. */
#define ID_OK 0
#define ID_BAD_LENGTH (-1) /* wrong number of characters (also: s is NULL) */
#define ID_BAD_CHAR (-2)   /* a character not allowed at its position */
#define ID_BAD_PREFIX (-3) /* a leading digit/prefix that is never issued */
#define ID_BAD_CHECK (-4)  /* the check digit does not match (NPI only) */
#define ID_RESERVED (-5)   /* a reserved name (template ids: "common") */

/* The longest template id (and folder name of a template or overlay). */
#define ID_TEMPLATE_MAX 64
/* The longest path segment the HTTP routes capture. */
#define ID_SEGMENT_MAX 255

/*
 * Validate an NPI: 10 digits, the first 1 or 2, the last the Luhn check digit of the
 * first nine (see npi_check_digit). Returns ID_OK or ID_BAD_LENGTH / ID_BAD_CHAR /
 * ID_BAD_PREFIX / ID_BAD_CHECK.
 */
int npi_check(const char *s, size_t len);

/*
 * The NPI check digit (0..9) expected after the nine digits at first9: Luhn over the
 * nine digits as if prefixed by "80840", i.e. double every other digit starting from
 * the rightmost, sum the digits of the products and the undoubled digits, add the
 * constant 24; the check digit is (10 - sum % 10) % 10. Reads first9[0..8] (stops at a
 * NUL). Returns -1 when first9 is NULL or its first nine characters are not all digits.
 */
int npi_check_digit(const char *first9);

/*
 * Validate a TIN (EIN): 9 digits, no check digit; ID_BAD_PREFIX when the two-digit
 * prefix is one the IRS never issues (00, 07, 08, 09, 17, 18, 19, 28, 29, 49, 69, 70,
 * 78, 79, 89, 96, 97). Returns ID_OK or ID_BAD_LENGTH / ID_BAD_CHAR / ID_BAD_PREFIX.
 */
int tin_check(const char *s, size_t len);

/*
 * Validate an MBI: 11 uppercase characters. Positions (1-based) 1, 4, 7, 10, 11 are
 * digits, position 1 being 1-9; positions 2, 5, 8, 9 are letters other than
 * S, L, O, I, B, Z; positions 3 and 6 are such a letter or a digit.
 * Exception: an 'S' in position 2 is accepted and marks a CMS synthetic test
 * beneficiary (BCDA sandbox data, e.g. "1S00E00AA00"): *synthetic is set to 1, else 0.
 * Lowercase letters are refused (ID_BAD_CHAR). *bad_pos is set to the 1-based
 * position of the first bad character for ID_BAD_CHAR, else 0.
 * synthetic and bad_pos may be NULL. Returns ID_OK, ID_BAD_LENGTH or ID_BAD_CHAR.
 */
int mbi_check_pos(const char *s, size_t len, int *synthetic, int *bad_pos);

/* mbi_check_pos() without the position. */
int mbi_check(const char *s, size_t len, int *synthetic);

/*
 * Validate a template id (a base template's or an ACO overlay's "id", which also names
 * its folder under the episodes directory, docs/templates.md): 1 to ID_TEMPLATE_MAX
 * bytes of lowercase letters, digits, '_' and '-', the first a lowercase letter, and not
 * the reserved name "common" (the folder of shared files). All `len` bytes are checked,
 * so an embedded NUL (a JSON "\u0000", a URL "%00") is a bad character: pass the full
 * length (json_string_length), never strlen. Returns ID_OK, ID_BAD_LENGTH, ID_BAD_CHAR,
 * ID_BAD_PREFIX (the first byte is not a letter) or ID_RESERVED.
 */
int ids_check_template_id(const char *s, size_t len);

/*
 * Validate one captured segment of an HTTP path (an id: template, ACO, EBRA, episode,
 * run, job, report kind, user name): 1 to ID_SEGMENT_MAX bytes of ASCII letters, digits,
 * '_', '-', '.', ':' and '@', and neither "." nor "..". A '%' (an escape the server left undecoded,
 * e.g. "%00"), a NUL, a '/' or any other byte is ID_BAD_CHAR. Returns ID_OK,
 * ID_BAD_LENGTH, ID_BAD_CHAR or ID_RESERVED ("." and "..").
 */
int ids_check_path_segment(const char *s, size_t len);

/*
 * A static sentence explaining a return code of the check function of `kind` ("npi",
 * "tin", "mbi", "template" or "segment") and saying what is expected, e.g. "NPI check digit is wrong
 * (expected 10 digits starting with 1 or 2 with a valid Luhn check digit)".
 * Never NULL; an unknown kind or code gives a generic sentence.
 */
const char *ids_explain(const char *kind, int rc);

#endif /* CARA_CORE_IDS_H */
