/*
 * synthdata_people.c: one beneficiary: age, sex, entitlement (aged, disabled, ESRD),
 * dual status, chronic conditions, functional dependence, fall propensity, death,
 * enrollment gap, hospice, state and ZIP; its eligibility.csv and alignment.csv rows.
 * Rates (all approximate, they are draws):
 *   10% under 65 (disabled, status 20), 90% 65+ in Medicare's age bands; ESRD 0.8% of
 *   the aged (11) and 3% of the disabled (21 or 31); dual 15.5% of the aged and 40% of
 *   the disabled (codes 01-08 weighted like the real mix); deaths ~4% during the
 *   performance year (more with age, dependence and hospice); 3% an enrollment gap of
 *   1-3 months; 3% hospice from some day on; 95% aligned to an ACO.
 */
#include <string.h>

#include "base/base.h"
#include "synthdata_internal.h"

#define R (&w->rng)
#define PPM(x) synth_rng_ppm(R, (x))
#define BELOW(n) ((int)synth_rng_below(R, (uint64_t)(n)))

/* Chronic conditions: prevalence weights and the codes used for each (ICD-10-CM, no
 * dots). Most carry a CMS-HCC V28 payment HCC (diabetes, heart failure, COPD, CKD 3-4,
 * AF, dementia, depression, Parkinson's, RA, morbid obesity); hypertension,
 * hyperlipidemia, osteoarthritis, osteoporosis, hypothyroidism and CAD do not. */
static const struct {
    int weight;
    const char *codes[3];
} CONDITIONS[] = {
    {60, {"I10", "I10", "I10"}},         {50, {"E785", "E785", "E785"}},
    {28, {"E119", "E1122", "E1142"}},    {14, {"I509", "I5022", "I509"}},
    {12, {"J449", "J449", "J410"}},      {16, {"N1831", "N1832", "N184"}},
    {10, {"I4891", "I4891", "I480"}},    {9, {"F0390", "G309", "F0390"}},
    {12, {"F323", "F329", "F329"}},      {20, {"M170", "M1990", "M1990"}},
    {12, {"M810", "M810", "M810"}},      {2, {"G20A1", "G20A1", "G20A1"}},
    {3, {"M069", "M069", "M069"}},       {6, {"E6601", "E6601", "E6601"}},
    {12, {"E039", "E039", "E039"}},      {18, {"I2510", "I2510", "I2510"}},
};
#define N_CONDITIONS (sizeof CONDITIONS / sizeof CONDITIONS[0])

static const char *const FUNC_DX[] = {"Z7409", "Z7401", "Z741", "Z743", "Z993",
                                      "R262",  "R5381", "R54",  "Z7409", "R262"};

static const struct {
    const char *state, *zip3;
    int weight;
} STATES[] = {{"FL", "334", 9}, {"FL", "336", 6}, {"CA", "900", 8}, {"CA", "921", 5},
              {"TX", "770", 6}, {"TX", "787", 4}, {"NY", "112", 6}, {"NY", "142", 3},
              {"PA", "191", 5}, {"PA", "152", 3}, {"OH", "441", 4}, {"MI", "482", 4},
              {"IL", "606", 5}, {"NC", "275", 4}, {"GA", "303", 4}, {"AZ", "850", 4},
              {"MD", "212", 3}, {"MA", "021", 3}, {"WA", "981", 3}, {"TN", "372", 3},
              {"NJ", "070", 4}, {"VA", "232", 3}, {"MO", "631", 2}, {"WI", "532", 2}};
#define N_STATES (sizeof STATES / sizeof STATES[0])

/* Age bands of the aged (65+): share of the aged in ppm, cumulative. */
static const struct {
    int lo;
    uint32_t cum_ppm;
} AGE_BANDS[] = {{65, 290000}, {70, 550000}, {75, 730000}, {80, 850000},
                 {85, 930000}, {90, 980000}, {95, 997000}, {100, 1000000}};

static int min2(int a, int b) { return a < b ? a : b; }

static void elig_row(sy_out *o, const sy_bene *b, const char *gender, cara_date birth,
                     cara_date start, cara_date end, const char *dual, const char *status,
                     int hospice, int st, int zip)
{
    synth__puts(o, b->mbi);
    synth__putc(o, ',');
    synth__puts(o, gender);
    synth__putc(o, ',');
    synth__put_date(o, birth);
    synth__putc(o, ',');
    synth__put_date(o, b->death);
    synth__putc(o, ',');
    synth__put_date(o, start);
    synth__putc(o, ',');
    synth__put_date(o, end);
    synth__putc(o, ',');
    synth__puts(o, dual);
    synth__putc(o, ',');
    synth__puts(o, status);
    synth__put(o, hospice ? ",1," : ",0,", 3);
    synth__puts(o, STATES[st].state);
    synth__putc(o, ',');
    synth__puts(o, STATES[st].zip3);
    char z[3] = {(char)('0' + zip / 10), (char)('0' + zip % 10), '\n'};
    synth__put(o, z, 3);
}

/* The last day of d's month. */
static cara_date month_end(cara_date d)
{
    int y, m;
    date_to_ymd(d, &y, &m, NULL);
    return date_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
}

static void chronic_conditions(sy_world *w, sy_bene *b)
{
    /* how many: 0-6, older people more */
    static const uint32_t cum[] = {120000, 300000, 520000, 720000, 860000, 950000, 1000000};
    uint32_t u = (uint32_t)synth_rng_below(R, 1000000);
    int n = 0;
    while (u >= cum[n]) n++;
    if (b->age >= 80 && n < SY_CHRONIC && PPM(300000)) n++;
    if (b->func_dx && n < SY_CHRONIC && PPM(500000)) n++;
    unsigned used = 0;
    int total = 0;
    for (size_t k = 0; k < N_CONDITIONS; k++) total += CONDITIONS[k].weight;
    for (int i = 0; i < n; i++) { /* weighted, without replacement */
        int x = BELOW(total);
        size_t k = 0;
        for (;; k++) {
            if (used & (1u << k)) continue;
            if (x < CONDITIONS[k].weight) break;
            x -= CONDITIONS[k].weight;
        }
        used |= 1u << k;
        total -= CONDITIONS[k].weight;
        b->chronic[b->n_chronic++] = CONDITIONS[k].codes[BELOW(3)];
    }
}

void synth__make_bene(sy_world *w, int64_t i, sy_bene *b, sy_out *elig, sy_out *align)
{
    int y = w->o->year;
    memset(b, 0, sizeof *b);
    synth_mbi((uint64_t)i, w->o->seed, b->mbi);
    int disabled = PPM(100000);
    if (disabled) {
        b->age = 64 - min2(BELOW(44), BELOW(44)); /* 21-64, mostly 50+ */
    } else {
        uint32_t u = (uint32_t)synth_rng_below(R, 1000000);
        size_t k = 0;
        while (u >= AGE_BANDS[k].cum_ppm) k++;
        b->age = AGE_BANDS[k].lo + BELOW(5);
    }
    /* born so as to be b->age on January 1 of the year */
    cara_date lo = date_from_ymd(y - b->age - 1, 1, 2), hi = date_from_ymd(y - b->age, 1, 1);
    cara_date birth = lo + BELOW(hi - lo + 1);
    const char *gender = PPM(disabled ? 470000 : 560000) ? "female" : "male";
    b->esrd = PPM(disabled ? 30000 : 8000);
    const char *status = b->esrd ? (disabled ? (PPM(500000) ? "31" : "21") : "11")
                                 : (disabled ? "20" : "10");
    char dual[3] = "00";
    b->dual = PPM(disabled ? 400000 : 155000);
    if (b->dual) {
        static const char codes[] = "1222222333444566888888888"; /* 02 and 08 most often */
        dual[1] = codes[BELOW(sizeof codes - 1)];
    }
    /* functional dependence (ADL): rises with age */
    uint32_t dep = disabled ? 60000 : b->age < 75 ? 40000 : b->age < 85 ? 90000 : 200000;
    if (PPM(dep)) b->func_dx = FUNC_DX[BELOW(sizeof FUNC_DX / sizeof FUNC_DX[0])];
    chronic_conditions(w, b);
    /* falls per year: 27.5% of the aged on average (more with age and dependence);
     * stored per half year */
    uint32_t falls = disabled ? 150000 : b->age < 75 ? 220000 : b->age < 85 ? 310000 : 420000;
    if (b->func_dx) falls = falls * 3 / 2;
    b->fall_ppm = falls / 2;
    /* death during the performance year */
    uint32_t die = disabled ? 14000 : b->age < 75 ? 19000 : b->age < 85 ? 40000 : 95000;
    if (b->func_dx) die = die * 3 / 2;
    if (b->n_chronic >= 5) die = die * 3 / 2;
    cara_date year_len = w->year_end - w->year_start + 1;
    b->death = PPM(die) ? w->year_start + BELOW(year_len) : CARA_DATE_NONE;
    /* Part A starts the month one turns 65 (the month before for a birthday on the 1st) */
    b->enroll_start = w->first_day;
    if (!disabled) {
        int by, bm, bd;
        date_to_ymd(birth, &by, &bm, &bd);
        cara_date at65 = date_from_ymd(by + 65, bm, 1);
        if (bd == 1) at65 = date_from_ymd(bm == 1 ? by + 64 : by + 65, bm == 1 ? 12 : bm - 1, 1);
        if (at65 > b->enroll_start) b->enroll_start = at65;
    }
    b->gap_start = b->gap_end = b->hospice_start = CARA_DATE_NONE;
    if (b->death == CARA_DATE_NONE && PPM(30000)) {
        /* left fee-for-service for 1-3 months (e.g. a Medicare Advantage plan) */
        int m = 3 + BELOW(7), len = 1 + BELOW(3);
        b->gap_start = date_from_ymd(y, m, 1);
        b->gap_end = date_from_ymd(y, m + len, 1);
    } else if (b->death != CARA_DATE_NONE ? PPM(450000) : PPM(15000)) {
        if (b->death != CARA_DATE_NONE) { /* hospice before dying */
            b->hospice_start = b->death - 3 - BELOW(88);
        } else { /* hospice from some day of the year on; 40% die within six months */
            b->hospice_start = date_from_ymd(y, 2 + BELOW(10), 1) + BELOW(28);
            cara_date d = b->hospice_start + 7 + BELOW(174);
            if (PPM(400000) && d <= w->year_end) b->death = d;
        }
        if (b->hospice_start < b->enroll_start) b->hospice_start = b->enroll_start;
    }
    int st = 0, zip = BELOW(100);
    {
        int total = 0;
        for (size_t k = 0; k < N_STATES; k++) total += STATES[k].weight;
        int x = BELOW(total);
        while (x >= STATES[st].weight) x -= STATES[st++].weight;
    }
    /* enrollment ends with the month of death */
    cara_date end = b->death == CARA_DATE_NONE ? CARA_DATE_NONE : month_end(b->death);
    if (b->gap_start != CARA_DATE_NONE) {
        elig_row(elig, b, gender, birth, b->enroll_start, b->gap_start - 1, dual, status, 0,
                 st, zip);
        elig_row(elig, b, gender, birth, b->gap_end, end, dual, status, 0, st, zip);
        w->counts->eligibility += 2;
    } else if (b->hospice_start != CARA_DATE_NONE) {
        if (b->hospice_start > b->enroll_start) {
            elig_row(elig, b, gender, birth, b->enroll_start, b->hospice_start - 1, dual,
                     status, 0, st, zip);
            w->counts->eligibility++;
        }
        elig_row(elig, b, gender, birth, b->hospice_start, end, dual, status, 1, st, zip);
        w->counts->eligibility++;
    } else {
        elig_row(elig, b, gender, birth, b->enroll_start, end, dual, status, 0, st, zip);
        w->counts->eligibility++;
    }
    /* alignment: 95%, most from January 1, some later; a few end early (moved away) */
    b->aco = -1;
    if (PPM(950000)) {
        uint32_t x = (uint32_t)synth_rng_below(R, w->aco_weight[w->n_acos - 1]);
        int a = 0;
        while (x >= w->aco_weight[a]) a++;
        b->aco = a;
        cara_date a0 = PPM(880000) ? w->year_start : date_from_ymd(y, 2 + BELOW(6), 1);
        cara_date a1 = w->year_end;
        if (PPM(10000)) a1 = date_from_ymd(y, 8 + BELOW(5), 1) - 1;
        synth__puts(align, b->mbi);
        char id[16];
        snprintf(id, sizeof id, ",A%04d,", a + 1);
        synth__puts(align, id);
        synth__put_date(align, a0);
        synth__putc(align, ',');
        synth__put_date(align, a1);
        synth__putc(align, '\n');
        w->counts->alignment++;
    }
}
