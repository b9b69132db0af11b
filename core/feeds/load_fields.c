/*
 * load_fields.c: see load_fields.h.
 */
#include "load_fields.h"

#include <stdio.h>
#include <string.h>

#include "base/base.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_alnum(char c) { return is_digit(c) || is_upper(c); }

static int all(const char *p, size_t len, int (*pred)(char))
{
    for (size_t i = 0; i < len; i++)
        if (!pred(p[i])) return 0;
    return 1;
}

/* The value quoted for a message: at most 40 characters, control bytes escaped. */
static void quote(const char *p, size_t len, char *out, size_t outlen)
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < len && o + 6 < outlen; i++) {
        unsigned char c = (unsigned char)p[i];
        if (i == 40) {
            o += (size_t)snprintf(out + o, outlen - o, "...");
            break;
        }
        if (c < 32 || c == 127) o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
        else out[o++] = (char)c;
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* A 2-digit code written as a number ("2", "2.0", "02.00") into out as "02"; anything
 * else is copied as it is (out holds at least len + 1 bytes). Returns the length. */
static size_t number_code(const char *p, size_t len, char *out)
{
    size_t d = 0, z;
    while (d < len && is_digit(p[d])) d++;
    z = d;
    if (d < len && p[d] == '.') {
        z = d + 1;
        while (z < len && p[z] == '0') z++;
        if (z == d + 1) z = 0; /* "2." is not a number form */
    }
    if (d >= 1 && d <= 2 && z == len) {
        out[0] = d == 1 ? '0' : p[0];
        out[1] = p[d - 1];
        out[2] = '\0';
        return 2;
    }
    memcpy(out, p, len);
    out[len] = '\0';
    return len;
}

/* An MBI written with dashes (1EG4-TE5-MK73) or in lowercase: its 11 uppercase
 * characters into out (which holds the value as given otherwise). */
static void mbi_form(const char *p, size_t len, char *out)
{
    char m[12];
    size_t n = 0;
    if (len == 13 && p[4] == '-' && p[8] == '-') {
        for (size_t i = 0; i < len; i++)
            if (p[i] != '-') m[n++] = p[i];
    } else if (len == 11) {
        memcpy(m, p, 11);
        n = 11;
    }
    if (n != 11) return;
    for (size_t i = 0; i < n; i++)
        if (m[i] >= 'a' && m[i] <= 'z') m[i] = (char)(m[i] - 'a' + 'A');
    m[11] = '\0';
    int synthetic;
    if (mbi_check(m, 11, &synthetic) == ID_OK) memcpy(out, m, 12);
}

/* USPS codes of the states, DC, the territories and the armed forces, with names. */
static const char *const US_STATES[][2] = {
    {"AL", "Alabama"}, {"AK", "Alaska"}, {"AZ", "Arizona"}, {"AR", "Arkansas"},
    {"CA", "California"}, {"CO", "Colorado"}, {"CT", "Connecticut"}, {"DE", "Delaware"},
    {"DC", "District of Columbia"}, {"FL", "Florida"}, {"GA", "Georgia"}, {"HI", "Hawaii"},
    {"ID", "Idaho"}, {"IL", "Illinois"}, {"IN", "Indiana"}, {"IA", "Iowa"}, {"KS", "Kansas"},
    {"KY", "Kentucky"}, {"LA", "Louisiana"}, {"ME", "Maine"}, {"MD", "Maryland"},
    {"MA", "Massachusetts"}, {"MI", "Michigan"}, {"MN", "Minnesota"}, {"MS", "Mississippi"},
    {"MO", "Missouri"}, {"MT", "Montana"}, {"NE", "Nebraska"}, {"NV", "Nevada"},
    {"NH", "New Hampshire"}, {"NJ", "New Jersey"}, {"NM", "New Mexico"}, {"NY", "New York"},
    {"NC", "North Carolina"}, {"ND", "North Dakota"}, {"OH", "Ohio"}, {"OK", "Oklahoma"},
    {"OR", "Oregon"}, {"PA", "Pennsylvania"}, {"RI", "Rhode Island"},
    {"SC", "South Carolina"}, {"SD", "South Dakota"}, {"TN", "Tennessee"}, {"TX", "Texas"},
    {"UT", "Utah"}, {"VT", "Vermont"}, {"VA", "Virginia"}, {"WA", "Washington"},
    {"WV", "West Virginia"}, {"WI", "Wisconsin"}, {"WY", "Wyoming"},
    {"AS", "American Samoa"}, {"GU", "Guam"}, {"MP", "Northern Mariana Islands"},
    {"PR", "Puerto Rico"}, {"VI", "Virgin Islands"}, {"VI", "U.S. Virgin Islands"},
    {"UM", "United States Minor Outlying Islands"}, {"FM", "Federated States of Micronesia"},
    {"MH", "Marshall Islands"}, {"PW", "Palau"}, {"AA", "Armed Forces Americas"},
    {"AE", "Armed Forces Europe"}, {"AP", "Armed Forces Pacific"},
};

static int same_ci(const char *a, const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char x = a[i], y = p[i];
        if (!x) return 0;
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return a[len] == '\0';
}

/* The USPS code of a code or name (any case), or NULL. */
static const char *us_state(const char *p, size_t len)
{
    for (size_t i = 0; i < sizeof US_STATES / sizeof US_STATES[0]; i++)
        if (same_ci(US_STATES[i][len == 2 ? 0 : 1], p, len)) return US_STATES[i][0];
    return NULL;
}

#define FAIL(...)                                                                            \
    do {                                                                                     \
        char q_[64];                                                                         \
        quote(p, len, q_, sizeof q_);                                                        \
        snprintf(msg, msglen, __VA_ARGS__);                                                  \
        return -1;                                                                           \
    } while (0)

static int int_in(const char *p, size_t len, int64_t lo, int64_t hi, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (len && (p[0] == '-' || p[0] == '+')) {
        neg = p[0] == '-';
        i = 1;
    }
    if (i == len || len - i > 12) return -1;
    int64_t v = 0;
    for (; i < len; i++) {
        if (!is_digit(p[i])) return -1;
        v = v * 10 + (p[i] - '0');
    }
    if (neg) v = -v;
    if (v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int field_check(const field_spec *s, const char *p, size_t len, field_value *v, char *msg,
                size_t msglen)
{
    v->empty = 0; /* v->text past its NUL is left as it was */
    v->num = 0;
    v->text[0] = '\0';
    /* surrounding spaces are data errors, not something to guess about */
    if (len == 0) {
        v->empty = 1;
        if (s->nonempty) {
            snprintf(msg, msglen, "required, but empty");
            return -1;
        }
        return 0;
    }
    if (len >= sizeof v->text && s->kind != F_TEXT) FAIL("%s is too long (%zu characters)", q_, len);
    if (s->kind != F_TEXT && (p[0] == ' ' || p[len - 1] == ' '))
        FAIL("%s has leading or trailing spaces", q_);
    memcpy(v->text, p, len < sizeof v->text ? len : sizeof v->text - 1);
    v->text[len < sizeof v->text ? len : sizeof v->text - 1] = '\0';
    int rc, pos, synthetic;
    switch (s->kind) {
    case F_ID:
        if (len > 64) FAIL("%s is longer than 64 characters", q_);
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] == 127)
                FAIL("%s contains a space or control character (expected an identifier)", q_);
        return 0;
    case F_TEXT:
        if (len > 200) FAIL("%s is longer than 200 characters", q_);
        return 0;
    case F_MBI:
        rc = mbi_check_pos(p, len, &synthetic, &pos);
        if (rc == ID_BAD_CHAR)
            FAIL("%s is not an MBI: character %d is not allowed there (%s)", q_, pos,
                 ids_explain("mbi", rc));
        if (rc < 0) FAIL("%s is not an MBI (%s)", q_, ids_explain("mbi", rc));
        return 0;
    case F_NPI:
        rc = npi_check(p, len);
        if (rc == ID_BAD_CHECK && len == 10)
            FAIL("%s fails the NPI check digit (expected %d as the last digit)", q_,
                 npi_check_digit(p));
        if (rc < 0) FAIL("%s is not an NPI (%s)", q_, ids_explain("npi", rc));
        return 0;
    case F_TIN:
        rc = tin_check(p, len);
        if (rc < 0) FAIL("%s is not a TIN (%s)", q_, ids_explain("tin", rc));
        return 0;
    case F_DATE: {
        cara_date d;
        if (date_parse(p, len, &d) < 0) FAIL("%s is not a date (expected YYYY-MM-DD)", q_);
        v->num = d;
        return 0;
    }
    case F_MONEY: {
        cara_cents c;
        rc = money_parse(p, len, &c);
        if (rc < 0) FAIL("%s: %s", q_, money_strerror(rc));
        if (!money_amount_ok(c)) FAIL("%s is %s", q_, money_amount_limit_text());
        v->num = c;
        return 0;
    }
    case F_POSINT:
        if (int_in(p, len, 1, 999999, &v->num) < 0 || p[0] == '+' || p[0] == '-')
            FAIL("%s is not a line number (expected an integer from 1 to 999999)", q_);
        return 0;
    case F_BPS:
        if (int_in(p, len, s->lo, s->hi, &v->num) < 0)
            FAIL("%s is not a rate in basis points from %lld to %lld", q_, (long long)s->lo,
                 (long long)s->hi);
        return 0;
    case F_ICD10:
        if (len < 3 || len > 7 || !is_upper(p[0]) || !is_digit(p[1]) || !all(p + 2, len - 2, is_alnum))
            FAIL("%s is not an ICD-10-CM code (expected 3-7 characters: a letter, a digit, then "
                 "letters or digits; uppercase, no dot)", q_);
        return 0;
    case F_HCPCS:
        if (len != 5 || !((all(p, 5, is_digit)) ||
                          (all(p, 4, is_digit) && (p[4] == 'F' || p[4] == 'T')) ||
                          (is_upper(p[0]) && all(p + 1, 4, is_digit))))
            FAIL("%s is not a HCPCS code (expected 5 digits, 4 digits and F or T, or a letter "
                 "and 4 digits)", q_);
        return 0;
    case F_MODIFIER:
        if (len != 2 || !all(p, 2, is_alnum))
            FAIL("%s is not a modifier (expected 2 uppercase letters or digits)", q_);
        return 0;
    case F_BILL_TYPE:
        if (len == 4 && p[0] == '0' && all(p, 4, is_digit)) {
            memmove(v->text, v->text + 1, 4);
            return 0;
        }
        if (len != 3 || !all(p, 3, is_digit))
            FAIL("%s is not a bill type (expected 3 digits, e.g. 111)", q_);
        return 0;
    case F_REVENUE:
        if (len != 4 || !all(p, 4, is_digit))
            FAIL("%s is not a revenue center code (expected 4 digits, e.g. 0450)", q_);
        return 0;
    case F_POS:
    case F_DISP:
        if (len != 2 || !all(p, 2, is_digit))
            FAIL("%s is not a %s code (expected 2 digits)", q_,
                 s->kind == F_POS ? "place of service" : "discharge disposition");
        return 0;
    case F_STATE:
        if (len != 2 || !all(p, 2, is_upper)) FAIL("%s is not a state (expected 2 uppercase letters)", q_);
        return 0;
    case F_ZIP:
        if (!((len == 5 && all(p, 5, is_digit)) ||
              (len == 10 && all(p, 5, is_digit) && p[5] == '-' && all(p + 6, 4, is_digit))))
            FAIL("%s is not a ZIP code (expected 5 digits or 5+4)", q_);
        return 0;
    case F_SPECIALTY:
        if (len != 2 || !all(p, 2, is_alnum))
            FAIL("%s is not a CMS specialty code (expected 2 characters, e.g. 65)", q_);
        return 0;
    case F_ENUM:
    case F_CODE: {
        size_t n = s->kind == F_CODE ? number_code(p, len, v->text) : len;
        for (const char *const *w = s->words; *w; w++)
            if (strlen(*w) == n && memcmp(*w, v->text, n) == 0) return 0;
        char allowed[200] = "";
        size_t o = 0;
        for (const char *const *w = s->words; *w && o < sizeof allowed - 20; w++)
            o += (size_t)snprintf(allowed + o, sizeof allowed - o, "%s%s",
                                  w == s->words ? "" : ", ", **w ? *w : "(empty)");
        FAIL("%s is not allowed (expected one of: %s%s)", q_, allowed,
             s->kind == F_CODE ? "; numbers such as 2 or 2.0 are read as 02" : "");
    }
    case F_PERSON:
        if (len > 64)
            FAIL("%s is longer than 64 characters (expected a person id: an MBI or another "
                 "identifier of 1-64 visible characters)", q_);
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] == 127)
                FAIL("%s contains a space or control character (expected a person id: an MBI "
                     "or another identifier of 1-64 visible characters)", q_);
        mbi_form(p, len, v->text);
        return 0;
    case F_US_STATE: {
        const char *code = us_state(p, len);
        if (!code)
            FAIL("%s is not a US state (expected a USPS code such as NC, or a state's or "
                 "territory's name such as North Carolina)", q_);
        memcpy(v->text, code, 3);
        return 0;
    }
    case F_TOB: {
        const char *b = len == 4 && p[0] == '0' ? p + 1 : p;
        if (!((len == 3 || (len == 4 && p[0] == '0')) && is_digit(b[0]) && is_digit(b[1]) &&
              is_alnum(b[2])))
            FAIL("%s is not a bill type (expected 3 characters: two digits and the frequency, "
                 "a digit or an NUBC letter code, e.g. 111 or 13I)", q_);
        memcpy(v->text, b, 3);
        v->text[3] = '\0';
        return 0;
    }
    }
    snprintf(msg, msglen, "unknown field kind");
    return -1;
}
