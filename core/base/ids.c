/* core/base/ids.c: see ids.h. */
#include "ids.h"

#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_digit(s[i])) return 0;
    return 1;
}

int npi_check_digit(const char *first9)
{
    if (!first9) return -1;
    for (int i = 0; i < 9; i++)
        if (!is_digit(first9[i])) return -1; /* also stops at a NUL */
    int sum = 24; /* the digits of the "80840" prefix, doubled as Luhn says */
    for (int i = 8, dbl = 1; i >= 0; i--, dbl = !dbl) {
        int v = first9[i] - '0';
        if (dbl) {
            v *= 2;
            if (v > 9) v -= 9;
        }
        sum += v;
    }
    return (10 - sum % 10) % 10;
}

int npi_check(const char *s, size_t len)
{
    if (!s || len != 10) return ID_BAD_LENGTH;
    if (!all_digits(s, len)) return ID_BAD_CHAR;
    if (s[0] != '1' && s[0] != '2') return ID_BAD_PREFIX;
    if (npi_check_digit(s) != s[9] - '0') return ID_BAD_CHECK;
    return ID_OK;
}

int tin_check(const char *s, size_t len)
{
    static const char *const never[] = {"00", "07", "08", "09", "17", "18", "19", "28", "29",
                                        "49", "69", "70", "78", "79", "89", "96", "97"};
    if (!s || len != 9) return ID_BAD_LENGTH;
    if (!all_digits(s, len)) return ID_BAD_CHAR;
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (s[0] == never[i][0] && s[1] == never[i][1]) return ID_BAD_PREFIX;
    return ID_OK;
}

/* An MBI letter: uppercase, not one of S L O I B Z. */
static int mbi_letter(char c)
{
    return c >= 'A' && c <= 'Z' && !strchr("SLOIBZ", c);
}

int mbi_check_pos(const char *s, size_t len, int *synthetic, int *bad_pos)
{
    /* per position: 'n' digit 1-9, 'd' digit, 'a' letter, 'x' letter or digit */
    static const char kind[11] = {'n', 'a', 'x', 'd', 'a', 'x', 'd', 'a', 'a', 'd', 'd'};
    if (synthetic) *synthetic = 0;
    if (bad_pos) *bad_pos = 0;
    if (!s || len != 11) return ID_BAD_LENGTH;
    int synth = 0;
    for (size_t i = 0; i < 11; i++) {
        char c = s[i];
        int ok;
        switch (kind[i]) {
        case 'n': ok = c >= '1' && c <= '9'; break;
        case 'd': ok = is_digit(c); break;
        case 'a':
            ok = mbi_letter(c);
            if (i == 1 && c == 'S') ok = synth = 1; /* CMS synthetic beneficiary */
            break;
        default: ok = mbi_letter(c) || is_digit(c); break;
        }
        if (!ok) {
            if (bad_pos) *bad_pos = (int)i + 1;
            return ID_BAD_CHAR;
        }
    }
    if (synthetic) *synthetic = synth;
    return ID_OK;
}

int mbi_check(const char *s, size_t len, int *synthetic)
{
    return mbi_check_pos(s, len, synthetic, NULL);
}

int ids_check_template_id(const char *s, size_t len)
{
    if (!s || len == 0 || len > ID_TEMPLATE_MAX) return ID_BAD_LENGTH;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-')) return ID_BAD_CHAR;
    }
    if (!(s[0] >= 'a' && s[0] <= 'z')) return ID_BAD_PREFIX;
    if (len == 6 && memcmp(s, "common", 6) == 0) return ID_RESERVED;
    return ID_OK;
}

int ids_check_path_segment(const char *s, size_t len)
{
    if (!s || len == 0 || len > ID_SEGMENT_MAX) return ID_BAD_LENGTH;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
              c == '-' || c == '.' || c == ':' || c == '@'))
            return ID_BAD_CHAR;
    }
    if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.')) return ID_RESERVED;
    return ID_OK;
}

const char *ids_explain(const char *kind, int rc)
{
    int npi = kind && strcmp(kind, "npi") == 0;
    int tin = kind && strcmp(kind, "tin") == 0;
    int mbi = kind && strcmp(kind, "mbi") == 0;
    int tmpl = kind && strcmp(kind, "template") == 0;
    int seg = kind && strcmp(kind, "segment") == 0;
#define TEMPLATE_ID_RULE "(expected 1 to 64 lowercase letters, digits, _ and -, starting with a letter; not common)"
#define SEGMENT_RULE "(expected 1 to 255 letters, digits, _, -, ., : and @; not . or ..)"
    if (tmpl) {
        switch (rc) {
        case ID_OK: return "valid template id";
        case ID_BAD_LENGTH: return "template id is empty or longer than 64 characters " TEMPLATE_ID_RULE;
        case ID_BAD_CHAR: return "template id has a character that is not allowed (an uppercase letter, a space, a NUL, a / or a .) " TEMPLATE_ID_RULE;
        case ID_BAD_PREFIX: return "template id does not start with a lowercase letter " TEMPLATE_ID_RULE;
        case ID_RESERVED: return "template id \"common\" is reserved for the folder of shared files " TEMPLATE_ID_RULE;
        default: break;
        }
    } else if (seg) {
        switch (rc) {
        case ID_OK: return "valid path segment";
        case ID_BAD_LENGTH: return "path segment is empty or longer than 255 characters " SEGMENT_RULE;
        case ID_BAD_CHAR: return "path segment has a character that is not allowed (a %, a NUL, a space) " SEGMENT_RULE;
        case ID_RESERVED: return "path segment is . or .. " SEGMENT_RULE;
        default: break;
        }
    }
#undef TEMPLATE_ID_RULE
#undef SEGMENT_RULE
    if (npi) {
        switch (rc) {
        case ID_OK: return "valid NPI";
        case ID_BAD_LENGTH: return "NPI has the wrong length (expected 10 digits starting with 1 or 2 with a valid Luhn check digit)";
        case ID_BAD_CHAR: return "NPI contains a character that is not a digit (expected 10 digits starting with 1 or 2 with a valid Luhn check digit)";
        case ID_BAD_PREFIX: return "NPI does not start with 1 or 2 (expected 10 digits starting with 1 or 2 with a valid Luhn check digit)";
        case ID_BAD_CHECK: return "NPI check digit is wrong (expected 10 digits starting with 1 or 2 with a valid Luhn check digit)";
        default: break;
        }
    } else if (tin) {
        switch (rc) {
        case ID_OK: return "valid TIN";
        case ID_BAD_LENGTH: return "TIN has the wrong length (expected 9 digits without a dash)";
        case ID_BAD_CHAR: return "TIN contains a character that is not a digit (expected 9 digits without a dash)";
        case ID_BAD_PREFIX: return "TIN prefix is never issued (expected 9 digits not starting with 00, 07, 08, 09, 17, 18, 19, 28, 29, 49, 69, 70, 78, 79, 89, 96 or 97)";
        default: break;
        }
    } else if (mbi) {
        switch (rc) {
        case ID_OK: return "valid MBI";
        case ID_BAD_LENGTH: return "MBI has the wrong length (expected 11 characters like 1EG4TE5MK73)";
        case ID_BAD_CHAR: return "MBI has a character not allowed at its position (expected 11 uppercase characters like 1EG4TE5MK73: digits at positions 1, 4, 7, 10, 11 (1 to 9 at position 1), letters other than S, L, O, I, B, Z at positions 2, 5, 8, 9, such a letter or a digit at positions 3 and 6)";
        default: break;
        }
    }
    return "invalid identifier (expected an NPI of 10 digits, a TIN of 9 digits or an MBI of 11 characters)";
}
