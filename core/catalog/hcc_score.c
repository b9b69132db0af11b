/*
 * hcc_score.c: the CMS-HCC V28 risk score; see hcc_score.h.
 *
 * The table is kept as (uppercased name, value) pairs sorted by name, so a lookup is a
 * bisection with strcmp; a score makes about twenty lookups.
 */
#include "hcc_score.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define NAME_MAX_LEN 63

typedef struct coef {
    char name[NAME_MAX_LEN + 1]; /* uppercased */
    int64_t value;               /* x 10,000 */
    size_t line;
} coef;

struct hcc_coefs {
    coef *v;
    size_t n;
};

static int cmp_coef(const void *a, const void *b)
{
    const coef *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

void hcc_coefs_free(hcc_coefs *c)
{
    if (!c) return;
    free(c->v);
    free(c);
}

size_t hcc_coefs_count(const hcc_coefs *c) { return c ? c->n : 0; }

static void upper(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = src[i];
        dst[i] = ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
    }
    dst[n] = '\0';
}

int hcc_coef(const hcc_coefs *c, const char *variable, int64_t *value)
{
    *value = 0;
    size_t len = variable ? strlen(variable) : 0;
    if (!c || len == 0 || len > NAME_MAX_LEN) return 0;
    char key[NAME_MAX_LEN + 1];
    upper(key, variable, len);
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(c->v[mid].name, key);
        if (r == 0) {
            *value = c->v[mid].value;
            return 1;
        }
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

/* ---- parsing ----------------------------------------------------------------------- */

static csv_field trim(csv_field f)
{
    while (f.len > 0 && (f.p[0] == ' ' || f.p[0] == '\t')) f.p++, f.len--;
    while (f.len > 0 && (f.p[f.len - 1] == ' ' || f.p[f.len - 1] == '\t')) f.len--;
    return f;
}

static int is(csv_field f, const char *s) { return f.len == strlen(s) && !memcmp(f.p, s, f.len); }

static int name_ok(csv_field f)
{
    if (f.len == 0 || f.len > NAME_MAX_LEN) return 0;
    for (size_t i = 0; i < f.len; i++) {
        char ch = f.p[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_'))
            return 0;
    }
    return 1;
}

static void shown(char *buf, size_t cap, csv_field f)
{
    size_t n = 0;
    for (; n < f.len && n + 4 < cap && n < 40; n++) {
        unsigned char ch = (unsigned char)f.p[n];
        buf[n] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    if (n < f.len) memcpy(buf + n, "...", 3), n += 3;
    buf[n] = '\0';
}

static int parse_rows(hcc_coefs *c, csv_scan *s, const char *name, char *err, size_t errlen)
{
    size_t cap = 0;
    char q[48];
    int more;
    while ((more = csv_scan_next(s)) != 0) {
        if (more < 0) {
            snprintf(err, errlen, "%s:%s", name, s->err);
            return -EINVAL;
        }
        if (s->n == 1 && trim(s->f[0]).len == 0) continue; /* blank line */
        if (s->n != 2) {
            snprintf(err, errlen, "%s:%zu: %zu columns instead of 2 (coefficient,value)", name,
                     s->line, s->n);
            return -EINVAL;
        }
        csv_field k = trim(s->f[0]), v = trim(s->f[1]);
        if (!name_ok(k)) {
            shown(q, sizeof q, k);
            snprintf(err, errlen, "%s:%zu: coefficient \"%s\" is not a variable name (1-%d "
                                  "letters, digits and '_')", name, s->line, q, NAME_MAX_LEN);
            return -EINVAL;
        }
        int64_t val;
        int rc = factor_parse(v.p, v.len, &val);
        if (rc < 0) {
            shown(q, sizeof q, v);
            snprintf(err, errlen, "%s:%zu: value \"%s\" of %.*s: %s (expected a decimal such "
                                  "as 0.166, at most four places)", name, s->line, q,
                     (int)k.len, k.p, factor_strerror(rc));
            return -EINVAL;
        }
        if (c->n == cap) {
            cap = cap ? cap * 2 : 2048;
            coef *p = realloc(c->v, cap * sizeof *p);
            if (!p) return -ENOMEM;
            c->v = p;
        }
        coef *e = &c->v[c->n++];
        upper(e->name, k.p, k.len);
        e->value = val;
        e->line = s->line;
    }
    if (c->n == 0) {
        snprintf(err, errlen, "%s: no rows after the header", name);
        return -EINVAL;
    }
    qsort(c->v, c->n, sizeof *c->v, cmp_coef);
    for (size_t i = 1; i < c->n; i++)
        if (!strcmp(c->v[i].name, c->v[i - 1].name)) {
            snprintf(err, errlen, "%s:%zu: coefficient %s is given again (first on line %zu)",
                     name, c->v[i].line, c->v[i].name, c->v[i - 1].line);
            return -EINVAL;
        }
    return 0;
}

int hcc_coefs_parse(const char *csv, size_t len, const char *name, hcc_coefs **out, char *err,
                    size_t errlen)
{
    *out = NULL;
    hcc_coefs *c = calloc(1, sizeof *c);
    if (!c) return -ENOMEM;
    csv_scan s;
    csv_scan_init(&s, csv ? csv : "", csv ? len : 0);
    int rc = csv_scan_next(&s);
    if (rc < 0) {
        snprintf(err, errlen, "%s:%s", name, s.err);
        rc = -EINVAL;
    } else if (rc == 0 || s.n != 2 || !is(trim(s.f[0]), "coefficient") ||
               !is(trim(s.f[1]), "value")) {
        snprintf(err, errlen, "%s:1: expected the header coefficient,value", name);
        rc = -EINVAL;
    } else {
        rc = parse_rows(c, &s, name, err, errlen);
    }
    csv_scan_free(&s);
    if (rc < 0) {
        if (rc == -ENOMEM) snprintf(err, errlen, "%s: out of memory", name);
        hcc_coefs_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- the person -------------------------------------------------------------------- */

static int dual_of(const char *code)
{
    static const char *const full[] = {"02", "04", "08"}, *const partial[] = {"01", "03", "05", "06"};
    for (size_t i = 0; i < 3; i++)
        if (!strcmp(code, full[i])) return HCC_FULL_DUAL;
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(code, partial[i])) return HCC_PARTIAL_DUAL;
    return HCC_NON_DUAL;
}

hcc_person hcc_person_of(const cara_beneficiary *b, cara_date day0, int institutional)
{
    hcc_person p = {b->gender == 'M' ? 'M' : 'F', 0, HCC_NON_DUAL, 0, institutional ? 1 : 0};
    p.age = date_age_on(b->birth, date_from_ymd(date_year(day0), 2, 1));
    int found = 0;
    for (uint32_t k = 0; k < b->enrollment.n; k++) {
        const cara_enrollment *e = cara_enrollment_at(b, k);
        if (!found && e->start <= day0 && (e->end == CARA_DATE_NONE || day0 <= e->end)) {
            p.dual = dual_of(e->dual_status);
            found = 1;
        }
        if (e->start <= day0 && (!strcmp(e->medicare_status, "20") || !strcmp(e->medicare_status, "21")))
            p.orig_disabled = 1;
    }
    if (p.age < 65) p.orig_disabled = 0; /* disabled now, not originally */
    return p;
}

/* ---- the score --------------------------------------------------------------------- */

static int any(const hcc_set *s, int lo, int hi)
{
    for (int h = lo; h <= hi; h++)
        if (hcc_set_has(s, h)) return 1;
    return 0;
}

static int neuro(const hcc_set *s)
{
    static const int v[] = {180, 181, 182, 190, 191, 192, 195, 196, 198, 199};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (hcc_set_has(s, v[i])) return 1;
    return 0;
}

/* Add SEG_VAR's coefficient (0 when the table has none) to *sum. */
static void add(const hcc_coefs *c, const char *seg, const char *var, int64_t *sum)
{
    char name[NAME_MAX_LEN + 1];
    int64_t v;
    snprintf(name, sizeof name, "%s_%s", seg, var);
    if (hcc_coef(c, name, &v)) *sum += v;
}

static const char *age_band(int age)
{
    static const struct {
        int max;
        const char *band;
    } bands[] = {{34, "0_34"},  {44, "35_44"}, {54, "45_54"}, {59, "55_59"},
                 {64, "60_64"}, {69, "65_69"}, {74, "70_74"}, {79, "75_79"},
                 {84, "80_84"}, {89, "85_89"}, {94, "90_94"}};
    for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
        if (age <= bands[i].max) return bands[i].band;
    return "95_GT";
}

int hcc_score_v28(const hcc_model *m, const hcc_coefs *c, const hcc_set *ccs,
                  const hcc_person *p, hcc_score *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!m || !c) {
        snprintf(err, errlen, "no CMS-HCC V28 coefficient table (%s in the episodes' common/ "
                              "folder; episodes/common/README.md)", HCC_COEF_TABLE);
        return -EINVAL;
    }
    int aged = p->age >= 65;
    if (p->institutional) snprintf(out->segment, sizeof out->segment, "INS");
    else
        snprintf(out->segment, sizeof out->segment, "C%c%c",
                 p->dual == HCC_FULL_DUAL ? 'F' : p->dual == HCC_PARTIAL_DUAL ? 'P' : 'N',
                 aged ? 'A' : 'D');
    const char *seg = out->segment;

    /* demographics */
    char cell[16], name[NAME_MAX_LEN + 1];
    snprintf(cell, sizeof cell, "%c%s", p->sex == 'M' ? 'M' : 'F', age_band(p->age < 0 ? 0 : p->age));
    snprintf(name, sizeof name, "%s_%s", seg, cell);
    if (!hcc_coef(c, name, &out->demographic)) {
        snprintf(err, errlen, "%s has no variable %s (the age/sex cell of a %s aged %d in the "
                              "%s segment)", HCC_COEF_TABLE, name,
                 p->sex == 'M' ? "man" : "woman", p->age, seg);
        return -EINVAL;
    }
    if (p->institutional) {
        if (p->orig_disabled) add(c, seg, "ORIGDS", &out->demographic);
        if (p->dual != HCC_NON_DUAL) add(c, seg, "LTIMCAID", &out->demographic);
    } else if (p->orig_disabled && aged) {
        add(c, seg, p->sex == 'M' ? "OriginallyDisabled_Male" : "OriginallyDisabled_Female",
            &out->demographic);
    }

    /* HCCs: the HCC 223 edit, then the hierarchies */
    hcc_set s = *ccs;
    if (hcc_set_has(&s, 223) && !hcc_set_has(&s, 221) && !hcc_set_has(&s, 222) &&
        !any(&s, 224, 226))
        s.bits[223 / 64] &= ~((uint64_t)1 << (223 % 64));
    hcc_set_finish(m, &s);
    out->count = s.n;
    int h[HCC_MAX];
    int n = hcc_set_list(&s, h, HCC_MAX);
    for (int i = 0; i < n; i++) {
        char var[16];
        snprintf(var, sizeof var, "HCC%d", h[i]);
        add(c, seg, var, &out->hccs);
    }

    /* interactions */
    int diabetes = any(&s, 35, 38), hf = any(&s, 221, 226), lung = any(&s, 276, 280),
        kidney = any(&s, 326, 329), resp = any(&s, 211, 213), sub = any(&s, 135, 139),
        psych = any(&s, 151, 155), disabled = !aged;
    int64_t *ia = &out->interactions;
    if (diabetes && hf) add(c, seg, "DIABETES_HF_V28", ia);
    if (hf && lung) add(c, seg, "HF_CHR_LUNG_V28", ia);
    if (hf && kidney) add(c, seg, "HF_KIDNEY_V28", ia);
    if (lung && resp) add(c, seg, "CHR_LUNG_CARD_RESP_FAIL_V28", ia);
    if (hf && hcc_set_has(&s, 238)) add(c, seg, "HF_HCC238_V28", ia);
    if (sub && psych) add(c, seg, "gSubUseDisorder_gPsych_V28", ia);
    if (disabled && any(&s, 17, 23)) add(c, seg, "DISABLED_CANCER_V28", ia);
    if (disabled && neuro(&s)) add(c, seg, "DISABLED_NEURO_V28", ia);
    if (disabled && hf) add(c, seg, "DISABLED_HF_V28", ia);
    if (disabled && lung) add(c, seg, "DISABLED_CHR_LUNG_V28", ia);
    if (disabled && any(&s, 379, 382)) add(c, seg, "DISABLED_ULCER_V28", ia);
    if (n >= 10) add(c, seg, "D10P", ia);
    else if (n >= 1) {
        char var[8];
        snprintf(var, sizeof var, "D%d", n);
        add(c, seg, var, ia);
    }
    out->raw = out->demographic + out->hccs + out->interactions;
    return 0;
}

int hcc_score_payment(int64_t raw, int64_t normalization, int64_t coding_bps, int64_t *out)
{
    int64_t norm_milli, adj_milli;
    if (normalization <= 0 || coding_bps < 0 || coding_bps > 10000) return -1;
    /* raw / normalization in thousandths: raw x 10,000 / (normalization x 10,000) x 1000 */
    if (money_mul_div(raw, 1000, normalization, &norm_milli) != 0) return -1;
    if (money_mul_div(norm_milli, 10000 - coding_bps, 10000, &adj_milli) != 0) return -1;
    if (adj_milli > INT64_MAX / 10 || adj_milli < INT64_MIN / 10) return -1;
    *out = adj_milli * 10;
    return 0;
}
