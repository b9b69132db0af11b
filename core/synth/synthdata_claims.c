/*
 * synthdata_claims.c: one beneficiary's claims, from July 1 of the year before the
 * performance year (risk lookbacks) to June 30 of the year after (run-out). Clinical
 * events (falls, functional decline, knee replacements) start in the first eighteen
 * months; their follow-up care and the routine care run to the end.
 *
 *   routine   office visits (99213-99215, POS 11) with the chronic diagnoses, mostly by
 *             one primary care physician of the beneficiary's ACO; hospital outpatient
 *             labs and imaging; ED visits and medical admissions (more with more chronic
 *             conditions and with dependence), SNF / home health / IRF after some of them
 *   falls     27.5% of the aged a year (more with age and dependence): 37% of falls
 *             injure. Without injury: a PT/OT evaluation with a fall-risk diagnosis and
 *             a course of therapy, or an office visit with 3288F + 1100F. Injuries: 62%
 *             ED and released (facility 131 claim with ER revenue line and a W00-W19
 *             code, ED physician POS 23, follow-up), 38% admitted (half hip fractures:
 *             surgeon, SNF 20-30 days, IRF, home health, therapy, readmissions)
 *   function  dependent beneficiaries (FUNC_DX): post-acute stays, home health and PT/OT
 *             evaluations carrying the dependence diagnosis, equipment, visits
 *   other     knee replacements, dialysis for ESRD (revenue 0821), chemotherapy (J9xxx
 *             with Z5111), hospice (81x) from the hospice date, therapy for back and
 *             joint pain (no trigger)
 * Nothing after death, nothing before enrollment, nothing in an enrollment gap except,
 * rarely (0.1% of draws), a stray claim; during hospice only hospice claims and a few
 * visits. Therapists are the ACO's own except for ~25% leakage.
 */
#include <string.h>

#include "base/base.h"
#include "synthdata_internal.h"

#define PPM(x) synth_rng_ppm(&w->rng, (x))
#define BELOW(n) ((int)synth_rng_below(&w->rng, (uint64_t)(n)))
#define ONE_OF(a) ((a)[synth_rng_below(&w->rng, sizeof(a) / sizeof((a)[0]))])
#define USD(lo, hi) synth__amount(w, (int64_t)(lo) * 100, (int64_t)(hi) * 100)
#define NONE CARA_DATE_NONE

/* ---- code lists ------------------------------------------------------------------------ */

/* Injuries: initial encounter (7th character A) and subsequent encounter (D). */
typedef struct injury {
    const char *a, *d;
} injury;

static const char *const FALL_RISK_DX[] = {"Z9181", "Z9181", "Z9181", "R296",  "R2681",
                                           "R2681", "R2689", "R262",  "M6281", "R269"};
static const char *const W_CODES[] = {"W010XXA", "W19XXXA", "W19XXXA", "W1830XA", "W06XXXA",
                                      "W07XXXA", "W1839XA", "W109XXA", "W108XXA", "W050XXA",
                                      "W1811XA", "W11XXXA", "W0110XA", "W182XXA"};
static const injury MINOR_INJURY[] = {{"S0990XA", "S0990XD"}, {"S0083XA", "S0083XD"},
                                      {"S40011A", "S40011D"}, {"S8001XA", "S8001XD"},
                                      {"S300XXA", "S300XXD"}, {"S0181XA", "S0181XD"},
                                      {"S6990XA", "S6990XD"}, {"S7001XA", "S7001XD"}};
static const injury ED_FRACTURE[] = {{"S52501A", "S52501D"}, {"S52502A", "S52502D"},
                                     {"S42201A", "S42201D"}, {"S2231XA", "S2231XD"},
                                     {"S52531A", "S52531D"}};
static const injury HIP_FRACTURE[] = {{"S72001A", "S72001D"}, {"S72002A", "S72002D"},
                                      {"S72011A", "S72011D"}, {"S72141A", "S72141D"},
                                      {"S72142A", "S72142D"}, {"S72101A", "S72101D"}};
static const injury SERIOUS_INJURY[] = {{"S0600XA", "S0600XD"}, {"S065X0A", "S065X0D"},
                                        {"S32009A", "S32009D"}, {"S32810A", "S32810D"},
                                        {"S42201A", "S42201D"}, {"S2241XA", "S2241XD"},
                                        {"S52501A", "S52501D"}, {"S2231XA", "S2231XD"}};
/* Diagnoses of functional limitation coded on most post-acute claims (all in FUNC_DX). */
static const char *const LIMITATION_DX[] = {"R262", "M6281", "Z7409", "R2689", "R5381"};
static const char *const THERAPY[] = {"97110", "97112", "97116", "97530", "97535"};
static const char *const PT_EVAL[] = {"97161", "97162", "97162", "97163"};
static const char *const OT_EVAL[] = {"97165", "97166", "97166", "97167"};
/* Medical admissions: principal diagnosis and DRG payment range in dollars. */
static const struct {
    const char *dx;
    int lo, hi;
} MEDICAL[] = {{"J189", 7000, 13000}, {"N390", 5500, 9500},  {"A419", 10000, 22000},
               {"I639", 9000, 16000}, {"N179", 7000, 12000}, {"I214", 9000, 17000},
               {"K922", 7000, 12000}, {"E871", 5500, 9000},  {"J690", 9000, 16000},
               {"K5660", 8000, 15000}, {"R55", 5000, 8000},  {"I4891", 6000, 10000}};
static const char *const ED_REASON[] = {"R079", "R0602", "R1084", "R42",  "N390", "J189",
                                        "R55",  "M545",  "L03115", "R509", "J069", "R0789"};

static void ed_visit_other(sy_world *w, const sy_bene *b, cara_date d);

/* ---- dates ----------------------------------------------------------------------------- */

/* d when the beneficiary can have a claim that day (enrolled, alive, not in hospice
 * except 10% of draws, not in a gap except 0.1%), else NONE. */
static cara_date usable(sy_world *w, const sy_bene *b, cara_date d)
{
    if (d < w->first_day || d > w->last_day || d < b->enroll_start) return NONE;
    if (b->death != NONE && d > b->death) return NONE;
    if (b->gap_start != NONE && d >= b->gap_start && d < b->gap_end && !PPM(1000)) return NONE;
    if (b->hospice_start != NONE && d >= b->hospice_start && !PPM(100000)) return NONE;
    return d;
}

/* The end of a stay from `start` planned to `end`: not past death, the data's last day,
 * the start of an enrollment gap or of hospice. */
static cara_date stay_end(sy_world *w, const sy_bene *b, cara_date start, cara_date end)
{
    if (b->death != NONE && end > b->death) end = b->death;
    if (end > w->last_day) end = w->last_day;
    if (b->gap_start != NONE && start < b->gap_start && end >= b->gap_start)
        end = b->gap_start - 1;
    if (b->hospice_start != NONE && start < b->hospice_start && end >= b->hospice_start)
        end = b->hospice_start - 1;
    return end < start ? start : end;
}

static cara_date month_end(cara_date d)
{
    int y, m;
    date_to_ymd(d, &y, &m, NULL);
    return date_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
}

/* ---- claim building -------------------------------------------------------------------- */

static void add_dx(sy_claim *c, const char *dx)
{
    if (!dx || c->n_dx >= SY_DX) return;
    for (int i = 0; i < c->n_dx; i++)
        if (strcmp(c->dx[i], dx) == 0) return;
    c->dx[c->n_dx++] = dx;
}

static void add_chronic(sy_claim *c, const sy_bene *b)
{
    for (int k = 0; k < b->n_chronic; k++) add_dx(c, b->chronic[k]);
}

static void prof_claim(sy_claim *c)
{
    memset(c, 0, sizeof *c);
    c->type = CARA_CLAIM_PROFESSIONAL;
    c->adm = c->dis = NONE;
}

static void inst_claim(sy_claim *c, const char *bill, const sy_prov *fac, cara_date start,
                       cara_date end)
{
    memset(c, 0, sizeof *c);
    c->type = CARA_CLAIM_INSTITUTIONAL;
    c->bill = bill;
    c->facility = fac;
    c->start = start;
    c->end = end;
    c->adm = c->dis = NONE;
}

static void add_line(sy_claim *c, cara_date d, const char *rev, const char *hcpcs,
                     const char *pos, const char *mod, const sy_prov *rend, int64_t paid,
                     int64_t allowed)
{
    if (c->n_lines >= SY_LINES) return;
    c->line[c->n_lines++] = (sy_line){d, rev, hcpcs, pos, mod, rend, paid, allowed};
}

/* A Part B line: Medicare pays 80% of the allowed amount. */
static void pline(sy_claim *c, cara_date d, const char *hcpcs, const char *pos,
                  const sy_prov *rend, int64_t paid)
{
    add_line(c, d, NULL, hcpcs, pos, NULL, rend, paid, (paid * 125 + 50) / 100);
}

/* An institutional revenue line (NONE: the claim's dates) with allowed = paid * pct%. */
static void iline(sy_claim *c, cara_date d, const char *rev, const char *hcpcs, int64_t paid,
                  int pct)
{
    add_line(c, d, rev, hcpcs, NULL, NULL, NULL, paid, paid * pct / 100);
}

/* A revenue line of a stay carrying pct% of its payment; returns that amount. */
static int64_t share(sy_claim *c, const char *rev, int64_t cost, int pct)
{
    int64_t part = cost * pct / 100;
    iline(c, NONE, rev, NULL, part, 100);
    return part;
}

/* ---- routine care ------------------------------------------------------------------------ */

static void office_visit(sy_world *w, const sy_bene *b, cara_date d, const sy_prov *doc,
                         const char *first_dx, const char *extra)
{
    sy_claim c;
    prof_claim(&c);
    add_dx(&c, first_dx);
    add_chronic(&c, b);
    if (b->func_dx && PPM(500000)) add_dx(&c, b->func_dx);
    add_dx(&c, extra);
    if (c.n_dx == 0) add_dx(&c, "Z0000");
    uint64_t u = synth_rng_below(&w->rng, 100);
    if (u < 58) pline(&c, d, "99213", "11", doc, USD(68, 86));
    else if (u < 94) pline(&c, d, "99214", "11", doc, USD(98, 126));
    else pline(&c, d, "99215", "11", doc, USD(135, 172));
    if (b->age >= 65 && PPM(60000)) pline(&c, d, "G0439", "11", doc, USD(105, 130));
    synth__emit_claim(w, b, &c);
}

/* Primary care: 2-9 visits a year, more with more chronic conditions. */
static void office_visits(sy_world *w, const sy_bene *b, const sy_prov *pcp, int faller)
{
    int n = 3 + BELOW(7) + b->n_chronic;
    int span = w->last_day - w->first_day + 1;
    for (int i = 0; i < n; i++) {
        cara_date d = usable(w, b, w->first_day + BELOW(span));
        if (d == NONE) continue;
        const sy_prov *doc = PPM(800000) ? pcp
                             : synth__pick(w, b->age >= 80 ? SP_GER : PPM(500000) ? SP_FP : SP_IM,
                                       b->aco, 150000);
        office_visit(w, b, d, doc, NULL, faller && PPM(300000) ? "Z9181" : NULL);
    }
}

/* Hospital outpatient labs and imaging. */
static void outpatient_tests(sy_world *w, const sy_bene *b)
{
    int n = BELOW(2) + (b->n_chronic + 1) / 2;
    int span = w->last_day - w->first_day + 1;
    int diabetic = 0;
    for (int k = 0; k < b->n_chronic; k++) diabetic |= b->chronic[k][0] == 'E' && b->chronic[k][1] == '1';
    for (int i = 0; i < n; i++) {
        cara_date d = usable(w, b, w->first_day + BELOW(span));
        if (d == NONE) continue;
        sy_claim c;
        inst_claim(&c, "131", synth__pick(w, SP_HOSPITAL, -1, 0), d, d);
        add_chronic(&c, b);
        if (c.n_dx == 0) add_dx(&c, "Z0000");
        uint64_t u = synth_rng_below(&w->rng, 100);
        if (u < 70) {
            iline(&c, d, "0300", "80053", USD(9, 14), 100);
            if (PPM(400000)) iline(&c, d, "0300", "85025", USD(7, 10), 100);
            if (PPM(diabetic ? 600000 : 50000)) iline(&c, d, "0300", "83036", USD(9, 13), 100);
        } else if (u < 88) {
            iline(&c, d, "0320", "71046", USD(28, 46), 125);
        } else if (u < 96) {
            iline(&c, d, "0730", "93005", USD(8, 15), 125);
        } else {
            iline(&c, d, "0350", "74177", USD(160, 260), 125);
        }
        synth__emit_claim(w, b, &c);
    }
}

/* The ED physician's claim (place of service 23). */
static void ed_physician(sy_world *w, const sy_bene *b, cara_date d, const char *dx1,
                         const char *dx2)
{
    sy_claim c;
    prof_claim(&c);
    add_dx(&c, dx1);
    add_dx(&c, dx2);
    add_chronic(&c, b);
    pline(&c, d, PPM(550000) ? "99284" : "99285", "23", synth__pick(w, SP_EM, -1, 0),
          USD(95, 185));
    synth__emit_claim(w, b, &c);
}

/* An ED visit's facility claim (bill type 131, ER revenue line). */
static void ed_facility(sy_world *w, const sy_bene *b, const sy_prov *hosp, cara_date d,
                        const char *dx1, const char *dx2, int imaging)
{
    static const char *const level[] = {"99283", "99284", "99284", "99285"};
    static const char *const er_rev[] = {"0450", "0450", "0450", "0450", "0451", "0456"};
    sy_claim c;
    inst_claim(&c, "131", hosp, d, d);
    add_dx(&c, dx1);
    add_dx(&c, dx2);
    add_chronic(&c, b);
    iline(&c, d, ONE_OF(er_rev), ONE_OF(level), USD(240, 900), 120);
    if (PPM(500000)) iline(&c, d, "0300", "80053", USD(9, 14), 100);
    if (imaging & 1) iline(&c, d, "0320", PPM(500000) ? "73502" : "73110", USD(35, 90), 120);
    if (imaging & 2) iline(&c, d, "0350", "70450", USD(110, 240), 120);
    if (imaging & 4) iline(&c, d, "0320", "71046", USD(28, 46), 120);
    synth__emit_claim(w, b, &c);
}

/* The hospitalist's claim for a stay: admission, daily visits, discharge. */
static void hospitalist(sy_world *w, const sy_bene *b, const sy_prov *doc, cara_date adm,
                        cara_date dis, const char *dx1, const char *dx2)
{
    sy_claim c;
    prof_claim(&c);
    add_dx(&c, dx1);
    add_dx(&c, dx2);
    add_chronic(&c, b);
    pline(&c, adm, "99223", "21", doc, USD(150, 210));
    for (cara_date d = adm + 1; d < dis && d < adm + 3; d++)
        pline(&c, d, "99232", "21", doc, USD(60, 85));
    if (dis > adm) pline(&c, dis, "99239", "21", doc, USD(80, 110));
    synth__emit_claim(w, b, &c);
}

typedef struct stay {
    cara_date adm, dis;
    const char *disp;
    const sy_prov *hosp;
} stay;

/* An acute inpatient stay (bill type 111) from adm, planned los days, paid about
 * `cost` cents spread over revenue lines; ed: an ER line (admitted through the ED).
 * Returns the stay (dis NONE when it could not happen). */
static stay inpatient(sy_world *w, const sy_bene *b, const sy_prov *hosp, cara_date adm,
                      int los, int64_t cost, int ed, int surgical, const char *dx1,
                      const char *dx2, const char *dx3)
{
    stay s = {adm, NONE, NULL, hosp};
    if (usable(w, b, adm) == NONE) return s;
    s.dis = stay_end(w, b, adm, adm + los);
    s.disp = b->death != NONE && s.dis == b->death ? "20" : "01";
    sy_claim c;
    inst_claim(&c, "111", hosp, adm, s.dis);
    c.adm = adm;
    c.dis = s.dis;
    c.disp = s.disp;
    c.attending = synth__pick(w, SP_HOSPITALIST, -1, 0);
    add_dx(&c, dx1);
    add_dx(&c, dx2);
    add_dx(&c, dx3);
    add_chronic(&c, b);
    int64_t rest = cost;
    if (ed) rest -= share(&c, "0450", cost, 4);
    if (surgical) rest -= share(&c, "0360", cost, 22);
    rest -= share(&c, "0250", cost, 6);
    rest -= share(&c, "0300", cost, 5);
    rest -= share(&c, surgical ? "0320" : "0350", cost, 3);
    if (!surgical && PPM(100000)) rest -= share(&c, "0200", cost, 15); /* intensive care */
    /* room and board: the rest; the allowed amount adds the Part A deductible */
    add_line(&c, NONE, "0120", NULL, NULL, NULL, NULL, rest, rest + (PPM(600000) ? 167600 : 0));
    synth__emit_claim(w, b, &c);
    hospitalist(w, b, c.attending, adm, s.dis, dx1, dx2);
    return s;
}

/* A stay billed in monthly pieces (bill types xx1 alone, xx2 first, xx3 continuing, xx4
 * last): SNF (prefix "21", revenue 0022 + 0120, per diem with coinsurance after day 20)
 * or hospice ("81", revenue 0651). Returns its last day. */
static cara_date monthly_stay(sy_world *w, const sy_bene *b, int hospice, cara_date start,
                              cara_date planned_end, const char *dx1, const char *dx2,
                              const char *dx3)
{
    static const char *const snf_bill[] = {"211", "212", "213", "214"};
    static const char *const hospice_bill[] = {"811", "812", "813", "814"};
    const char *const *bills = hospice ? hospice_bill : snf_bill;
    const sy_prov *fac = synth__pick(w, hospice ? SP_HOSPICE : SP_SNF, -1, 0);
    cara_date end = planned_end;
    if (b->death != NONE && end > b->death) end = b->death;
    if (end > w->last_day) end = w->last_day;
    if (!hospice) end = stay_end(w, b, start, end);
    int64_t rate = hospice ? USD(195, 225) : USD(480, 680);
    int day = 0;
    for (cara_date from = start; from <= end;) {
        cara_date to = month_end(from) < end ? month_end(from) : end;
        int first = from == start, last = to == end;
        sy_claim c;
        inst_claim(&c, bills[first && last ? 0 : first ? 1 : last ? 3 : 2], fac, from, to);
        c.adm = start;
        if (last) {
            c.dis = to;
            c.disp = b->death != NONE && to == b->death ? (hospice ? "40" : "20")
                     : hospice                        ? "30"
                                                      : PPM(600000) ? "01" : "06";
            if (hospice && to != b->death) c.dis = NONE; /* still a patient */
        } else {
            c.disp = "30";
        }
        add_dx(&c, dx1);
        add_dx(&c, dx2);
        add_dx(&c, dx3);
        add_chronic(&c, b);
        int64_t paid = 0, allowed = 0;
        for (cara_date d = from; d <= to; d++, day++) {
            paid += rate - (!hospice && day >= 20 ? 20950 : 0);
            allowed += rate;
        }
        if (hospice) {
            add_line(&c, NONE, "0651", "Q5001", NULL, NULL, NULL, paid, allowed);
        } else {
            if (first) add_line(&c, NONE, "0022", NULL, NULL, NULL, NULL, 0, 0); /* PPS line */
            add_line(&c, NONE, "0120", NULL, NULL, NULL, NULL, paid * 70 / 100, allowed * 70 / 100);
            add_line(&c, NONE, "0420", NULL, NULL, NULL, NULL, paid * 18 / 100, allowed * 18 / 100);
            add_line(&c, NONE, "0430", NULL, NULL, NULL, NULL, paid * 8 / 100, allowed * 8 / 100);
            add_line(&c, NONE, "0250", NULL, NULL, NULL, NULL,
                     paid - paid * 96 / 100, allowed - allowed * 96 / 100);
        }
        synth__emit_claim(w, b, &c);
        from = to + 1;
    }
    return end;
}

static cara_date snf_stay(sy_world *w, const sy_bene *b, cara_date start, int days,
                          const char *dx1, const char *dx2, const char *dx3)
{
    if (usable(w, b, start) == NONE) return NONE;
    if (PPM(25000)) days += 30 + BELOW(60); /* a long stay: the heavy tail */
    cara_date end = monthly_stay(w, b, 0, start, start + days - 1, dx1, dx2, dx3);
    /* the physician's nursing facility visits (POS 31), falls risk documented at some */
    const sy_prov *doc = synth__pick(w, PPM(500000) ? SP_GER : PPM(400000) ? SP_PMR : SP_IM,
                                 b->aco, 200000);
    sy_claim c;
    prof_claim(&c);
    add_dx(&c, dx1);
    add_dx(&c, dx2);
    add_chronic(&c, b);
    for (cara_date d = start + 1 + BELOW(3); d <= end; d += 7 + BELOW(8)) {
        pline(&c, d, d <= start + 3 ? "99306" : "99309", "31", doc,
              d <= start + 3 ? USD(150, 190) : USD(85, 115));
        if (d <= start + 3 && dx3 && PPM(400000)) pline(&c, d, "3288F", "31", doc, 0);
    }
    synth__emit_claim(w, b, &c);
    return end;
}

/* Transitional care after a discharge to the community on `dis`: a visit within two
 * weeks (99495/99496) by a geriatrician or the primary care physician; after a fall
 * (falls = 1) with the falls history, risk assessment and plan of care codes. */
static void transitional_care(sy_world *w, const sy_bene *b, cara_date dis, const char *dx1,
                              const char *dx2, int falls)
{
    cara_date d = usable(w, b, dis + 4 + BELOW(10));
    if (d == NONE) return;
    const sy_prov *doc = synth__pick(w, b->age >= 75 && PPM(600000) ? SP_GER : SP_FP, b->aco,
                                 150000);
    sy_claim c;
    prof_claim(&c);
    add_dx(&c, dx1);
    add_dx(&c, dx2);
    add_chronic(&c, b);
    if (PPM(500000)) pline(&c, d, "99496", "11", doc, USD(230, 290));
    else pline(&c, d, "99495", "11", doc, USD(165, 210));
    if (falls) {
        if (PPM(600000)) pline(&c, d, "1100F", "11", doc, 0);
        if (PPM(600000)) pline(&c, d, "3288F", "11", doc, 0);
        if (PPM(400000)) pline(&c, d, "0518F", "11", doc, 0);
    }
    synth__emit_claim(w, b, &c);
}

/* Home health: 30-day periods (bill type 321/322/329) from start; returns the last day. */
static cara_date home_health(sy_world *w, const sy_bene *b, cara_date start, int periods,
                             const char *dx1, const char *dx2, const char *dx3)
{
    const sy_prov *hha = synth__pick(w, SP_HHA, -1, 0);
    cara_date last = NONE;
    for (int p = 0; p < periods; p++) {
        cara_date s = usable(w, b, start + 30 * p);
        if (s == NONE) break;
        cara_date e = stay_end(w, b, s, s + 29);
        sy_claim c;
        inst_claim(&c, periods == 1 ? "321" : p == 0 ? "322" : "329", hha, s, e);
        c.adm = start;
        c.dis = e;
        c.disp = p + 1 == periods || e < s + 29 ? "01" : "30";
        add_dx(&c, dx1);
        add_dx(&c, dx2);
        add_dx(&c, dx3);
        add_chronic(&c, b);
        add_line(&c, s, "0023", NULL, NULL, NULL, NULL, USD(1750, 2900), 0); /* PPS line */
        c.line[c.n_lines - 1].allowed = c.line[c.n_lines - 1].paid;
        static const char *const visits[][2] = {{"0551", "G0299"}, {"0421", "G0151"},
                                                {"0431", "G0152"}, {"0571", "G0156"}};
        int nv = 2 + BELOW(4);
        for (int v = 0; v < nv && s + 3 * v <= e; v++) {
            int k = v == 0 ? 0 : BELOW(4);
            cara_date vd = s + 3 * v + BELOW(3);
            add_line(&c, vd > e ? e : vd, visits[k][0], visits[k][1], NULL, NULL, NULL, 0, 0);
        }
        synth__emit_claim(w, b, &c);
        last = e;
        if (e < s + 29) break;
    }
    return last;
}

/* An inpatient rehabilitation facility stay: bill type 111 with revenue 0024. */
static cara_date irf_stay(sy_world *w, const sy_bene *b, cara_date start, const char *dx1,
                          const char *dx2)
{
    if (usable(w, b, start) == NONE) return NONE;
    cara_date end = stay_end(w, b, start, start + 9 + BELOW(8));
    sy_claim c;
    inst_claim(&c, "111", synth__pick(w, SP_IRF, -1, 0), start, end);
    c.adm = start;
    c.dis = end;
    c.disp = b->death != NONE && end == b->death ? "20" : PPM(700000) ? "06" : "01";
    c.attending = synth__pick(w, SP_PMR, b->aco, 400000);
    add_dx(&c, dx1);
    add_dx(&c, dx2);
    add_chronic(&c, b);
    int64_t paid = USD(17000, 27000);
    add_line(&c, NONE, "0024", NULL, NULL, NULL, NULL, paid, paid); /* the PPS (CMG) line */
    add_line(&c, NONE, "0128", NULL, NULL, NULL, NULL, 0, 0);
    add_line(&c, NONE, "0420", NULL, NULL, NULL, NULL, 0, 0);
    add_line(&c, NONE, "0430", NULL, NULL, NULL, NULL, 0, 0);
    synth__emit_claim(w, b, &c);
    return end;
}

/* A course of outpatient PT/OT from `from`: 8-16 visits over 4-10 weeks, 1-3 timed
 * codes a visit (GP/GO modifier), one claim per visit; mostly by `ther`. */
static void therapy_course(sy_world *w, const sy_bene *b, cara_date from, const sy_prov *ther,
                           const char *dx1, const char *dx2)
{
    int visits = 8 + BELOW(9);
    int gap_days = 3 + BELOW(3);
    const char *pos = PPM(150000) ? "12" : "11";
    cara_date d = from;
    for (int v = 0; v < visits; v++) {
        d += gap_days + BELOW(3) - 1;
        if (usable(w, b, d) == NONE) break;
        const sy_prov *who = PPM(900000) ? ther : synth__pick(w, ther->role, b->aco, 250000);
        sy_claim c;
        prof_claim(&c);
        add_dx(&c, dx1);
        add_dx(&c, dx2);
        add_chronic(&c, b);
        int n = 1 + BELOW(3);
        int first = BELOW(5);
        for (int k = 0; k < n; k++) {
            int units = 1 + BELOW(2);
            add_line(&c, d, NULL, THERAPY[(first + k) % 5], pos, who->role == SP_OT ? "GO" : "GP",
                     who, 0, 0);
            sy_line *l = &c.line[c.n_lines - 1];
            l->paid = units * USD(23, 33);
            l->allowed = (l->paid * 125 + 50) / 100;
        }
        if (v == 0 && PPM(300000)) pline(&c, d, "97750", pos, who, USD(28, 38));
        synth__emit_claim(w, b, &c);
    }
}

/* A PT or OT evaluation on day d with diagnosis dx (and dx2), maybe the falls quality
 * codes, then a course of therapy. Returns 1 when it happened. */
static int evaluation(sy_world *w, const sy_bene *b, cara_date d, const char *dx,
                      const char *dx2, int falls_quality, int course)
{
    if (usable(w, b, d) == NONE) return 0;
    int role = PPM(650000) ? SP_PT : SP_OT;
    const sy_prov *ther = synth__pick(w, role, b->aco, 250000);
    const char *pos = PPM(120000) ? "12" : "11";
    sy_claim c;
    prof_claim(&c);
    add_dx(&c, dx);
    add_dx(&c, dx2);
    add_chronic(&c, b);
    add_line(&c, d, NULL, role == SP_PT ? ONE_OF(PT_EVAL) : ONE_OF(OT_EVAL), pos,
             role == SP_PT ? "GP" : "GO", ther, 0, 0);
    c.line[0].paid = USD(78, 112);
    c.line[0].allowed = (c.line[0].paid * 125 + 50) / 100;
    if (falls_quality && PPM(500000)) pline(&c, d, "3288F", pos, ther, 0);
    synth__emit_claim(w, b, &c);
    if (falls_quality && PPM(300000)) {
        cara_date q = usable(w, b, d + 7 + BELOW(30));
        if (q != NONE) {
            prof_claim(&c);
            add_dx(&c, dx);
            pline(&c, q, "97164", pos, ther, USD(55, 75));
            pline(&c, q, "0518F", pos, ther, 0);
            synth__emit_claim(w, b, &c);
        }
    }
    if (course) therapy_course(w, b, d, ther, dx, dx2);
    return 1;
}

static void dme(sy_world *w, const sy_bene *b, cara_date d, const char *dx)
{
    static const struct {
        const char *code;
        int lo, hi;
    } items[] = {{"E0143", 60, 95}, {"K0001", 75, 110}, {"E0163", 40, 70},
                 {"E0260", 110, 180}, {"E0135", 35, 60}};
    if (usable(w, b, d) == NONE) return;
    sy_claim c;
    prof_claim(&c);
    c.type = CARA_CLAIM_DME;
    add_dx(&c, dx);
    int k = BELOW(5);
    add_line(&c, d, NULL, items[k].code, "12", PPM(500000) ? "NU" : "RR",
             synth__pick(w, SP_FP, b->aco, 150000), 0, 0);
    c.line[0].paid = USD(items[k].lo, items[k].hi);
    c.line[0].allowed = (c.line[0].paid * 125 + 50) / 100;
    synth__emit_claim(w, b, &c);
}

/* Post-acute care after a stay that ended on `dis` with disposition disp: SNF ("03"),
 * IRF ("62") or home health ("06"). dx1 is the principal diagnosis of the post-acute
 * claims; func a functional-limitation diagnosis (or NULL). Returns the last day of
 * post-acute care (dis when none). */
static cara_date post_acute(sy_world *w, const sy_bene *b, const char *disp, cara_date dis,
                            int snf_days, const char *dx1, const char *func, const char *dx3)
{
    cara_date next = dis + 1, end = dis;
    if (!strcmp(disp, "03")) {
        cara_date e = snf_stay(w, b, next, snf_days, dx1, func, dx3);
        if (e == NONE) return dis;
        end = e;
        if (PPM(500000)) {
            cara_date h = home_health(w, b, e + 1 + BELOW(3), 1 + PPM(300000), dx1, func, NULL);
            if (h != NONE) end = h;
        }
    } else if (!strcmp(disp, "62")) {
        cara_date e = irf_stay(w, b, next, dx1, func ? func : "R262");
        if (e == NONE) return dis;
        end = e;
        if (PPM(600000)) {
            cara_date h = home_health(w, b, e + 1 + BELOW(3), 1 + PPM(400000), dx1, func, NULL);
            if (h != NONE) end = h;
        }
    } else if (!strcmp(disp, "06")) {
        cara_date h = home_health(w, b, next + BELOW(3), 1 + PPM(300000), dx1, func, dx3);
        if (h != NONE) end = h;
    } else {
        return end;
    }
    /* the months after post-acute care: readmissions (some with another SNF stay), ED
     * visits, visits */
    if (PPM(280000)) {
        int k = BELOW(sizeof MEDICAL / sizeof MEDICAL[0]);
        stay s = inpatient(w, b, synth__pick(w, SP_HOSPITAL, -1, 0), end + 3 + BELOW(100),
                           3 + BELOW(5), USD(MEDICAL[k].lo, MEDICAL[k].hi), PPM(700000), 0,
                           MEDICAL[k].dx, func, NULL);
        if (s.dis != NONE && strcmp(s.disp, "20") && PPM(400000))
            snf_stay(w, b, s.dis + 1, 14 + BELOW(21), MEDICAL[k].dx, func, NULL);
    }
    if (PPM(150000)) {
        cara_date d = usable(w, b, end + 1 + BELOW(150));
        if (d != NONE) ed_visit_other(w, b, d);
    }
    return end;
}

/* A medical admission (pneumonia, UTI, sepsis, stroke, ...) on day d, then post-acute
 * care. A dependent beneficiary's post-acute claims carry the dependence diagnosis. */
static void medical_admission(sy_world *w, const sy_bene *b, cara_date d)
{
    int k = BELOW(sizeof MEDICAL / sizeof MEDICAL[0]);
    const char *dx = MEDICAL[k].dx;
    if (b->n_chronic > 0 && PPM(350000)) { /* an exacerbation of a chronic condition */
        const char *ch = b->chronic[BELOW(b->n_chronic)];
        if (!strncmp(ch, "I50", 3)) dx = "I5023";
        else if (!strncmp(ch, "J44", 3) || !strncmp(ch, "J41", 3)) dx = "J441";
        else if (!strncmp(ch, "E11", 3)) dx = "E1165";
    }
    int64_t cost = USD(MEDICAL[k].lo, MEDICAL[k].hi);
    if (PPM(30000)) cost *= 2 + BELOW(3); /* outliers */
    int via_ed = PPM(700000);
    const sy_prov *hosp = synth__pick(w, SP_HOSPITAL, -1, 0);
    if (via_ed && usable(w, b, d) != NONE) ed_physician(w, b, d, dx, NULL);
    stay s = inpatient(w, b, hosp, d, 2 + BELOW(6), cost, via_ed, 0, dx, NULL, NULL);
    if (s.dis == NONE || !strcmp(s.disp, "20")) return;
    int older = b->age >= 80 || b->func_dx;
    uint64_t u = synth_rng_below(&w->rng, 100);
    const char *disp = u < (older ? 30u : 14u) ? "03" : u < (older ? 32u : 16u) ? "62"
                       : u < (older ? 52u : 32u) ? "06" : "01";
    if (strcmp(disp, "01") == 0) return;
    const char *func = b->func_dx ? b->func_dx : PPM(500000) ? ONE_OF(LIMITATION_DX) : NULL;
    post_acute(w, b, disp, s.dis, 14 + BELOW(17), dx, func, NULL);
}

static void ed_visit_other(sy_world *w, const sy_bene *b, cara_date d)
{
    const char *dx = ONE_OF(ED_REASON);
    ed_facility(w, b, synth__pick(w, SP_HOSPITAL, -1, 0), d, dx, NULL,
                PPM(400000) ? 4 : PPM(200000) ? 2 : 0);
    ed_physician(w, b, d, dx, NULL);
}

/* ---- falls ----------------------------------------------------------------------------------- */

/* An orthopedic follow-up in the office for a fracture (subsequent encounter code). */
static void fracture_follow_up(sy_world *w, const sy_bene *b, cara_date d, const char *dx,
                               int global_period)
{
    if (usable(w, b, d) == NONE) return;
    sy_claim c;
    prof_claim(&c);
    add_dx(&c, dx);
    add_chronic(&c, b);
    const sy_prov *doc = synth__pick(w, SP_ORTHO, b->aco, 300000);
    if (global_period) pline(&c, d, "99024", "11", doc, 0);
    else pline(&c, d, PPM(600000) ? "99213" : "99214", "11", doc, USD(70, 125));
    pline(&c, d, "73502", "11", doc, USD(24, 40));
    synth__emit_claim(w, b, &c);
}

/* A fall treated in the ED and released. */
static void fall_ed_released(sy_world *w, const sy_bene *b, cara_date d, const char *wcode)
{
    const injury *inj = NULL; /* 20%: a fall without an injury diagnosis */
    int fracture = 0;
    if (!PPM(200000)) {
        fracture = PPM(250000);
        inj = fracture ? &ONE_OF(ED_FRACTURE) : &ONE_OF(MINOR_INJURY);
    }
    const sy_prov *hosp = synth__pick(w, SP_HOSPITAL, -1, 0);
    const char *dx1 = inj ? inj->a : PPM(500000) ? "R2681" : "M25551";
    ed_facility(w, b, hosp, d, dx1, wcode, 1 | (PPM(350000) ? 2 : 0));
    if (PPM(900000)) ed_physician(w, b, d, dx1, wcode);
    if (fracture) { /* closed treatment, then follow-up */
        sy_claim c;
        prof_claim(&c);
        add_dx(&c, inj->a);
        add_dx(&c, wcode);
        cara_date t = usable(w, b, d + 1 + BELOW(6));
        if (t != NONE) {
            pline(&c, t, !strncmp(inj->a, "S52", 3) ? "25600" : !strncmp(inj->a, "S42", 3)
                                                               ? "23600" : "99203",
                  "11", synth__pick(w, SP_ORTHO, b->aco, 300000), USD(180, 320));
            synth__emit_claim(w, b, &c);
        }
        fracture_follow_up(w, b, d + 21 + BELOW(14), inj->d, 1);
    }
    if (PPM(150000)) home_health(w, b, d + 2 + BELOW(10), 1, inj ? inj->d : "Z9181", "R2681",
                                 b->func_dx);
    if (inj && PPM(50000)) { /* admitted days later (a slow bleed, a missed fracture) */
        const injury *late = PPM(500000) ? &SERIOUS_INJURY[1] : &ONE_OF(HIP_FRACTURE);
        stay s = inpatient(w, b, hosp, d + 4 + BELOW(27), 3 + BELOW(4), USD(11000, 24000), 1,
                           late != &SERIOUS_INJURY[1], late->a, "Z9181", NULL);
        if (s.dis != NONE && strcmp(s.disp, "20"))
            post_acute(w, b, PPM(600000) ? "03" : "06", s.dis, 20 + BELOW(11), late->d,
                       b->func_dx ? b->func_dx : ONE_OF(LIMITATION_DX), "Z9181");
    }
    if (PPM(350000))
        evaluation(w, b, d + 5 + BELOW(20), ONE_OF(FALL_RISK_DX), inj ? inj->d : NULL, 1, 1);
    if (PPM(250000)) { /* the primary care follow-up */
        cara_date v = usable(w, b, d + 3 + BELOW(14));
        if (v != NONE)
            office_visit(w, b, v, synth__pick(w, SP_FP, b->aco, 150000), "Z9181", inj ? inj->d : NULL);
    }
}

/* A fall injury admitted (through the ED, the ED line on the inpatient claim; or a
 * separate ED claim and the admission 0-3 days later), then post-acute care. */
static void fall_admitted(sy_world *w, const sy_bene *b, cara_date d, const char *wcode)
{
    int hip = PPM(500000);
    const injury *inj = hip ? &ONE_OF(HIP_FRACTURE) : &ONE_OF(SERIOUS_INJURY);
    const sy_prov *hosp = synth__pick(w, SP_HOSPITAL, -1, 0);
    int separate_ed = PPM(300000);
    cara_date adm = d;
    if (separate_ed) {
        ed_facility(w, b, synth__pick(w, SP_HOSPITAL, -1, 0), d, inj->a, wcode, 3);
        adm = d + (PPM(600000) ? 0 : 1 + BELOW(3));
    }
    ed_physician(w, b, d, inj->a, wcode);
    int64_t cost = hip ? USD(16000, 28000) : USD(11000, 23000);
    if (PPM(25000)) cost *= 3 + BELOW(3); /* the heavy tail winsorization is for */
    stay s = inpatient(w, b, hosp, adm, (hip ? 3 : 2) + BELOW(5), cost, !separate_ed, hip,
                       inj->a, wcode, PPM(300000) ? "M810" : NULL);
    if (s.dis == NONE) return;
    if (hip && usable(w, b, adm) != NONE) { /* the surgeon */
        sy_claim c;
        prof_claim(&c);
        add_dx(&c, inj->a);
        add_dx(&c, wcode);
        cara_date op = adm + (s.dis > adm ? 1 : 0);
        pline(&c, op, PPM(500000) ? "27245" : "27236", "21",
              synth__pick(w, SP_ORTHO, b->aco, 300000), USD(1050, 1550));
        synth__emit_claim(w, b, &c);
    }
    if (!strcmp(s.disp, "20")) return;
    uint64_t u = synth_rng_below(&w->rng, 100);
    const char *disp = hip ? (u < 72 ? "03" : u < 82 ? "62" : u < 94 ? "06" : "01")
                           : (u < 40 ? "03" : u < 45 ? "62" : u < 70 ? "06" : "01");
    const char *func = b->func_dx ? b->func_dx : PPM(550000) ? ONE_OF(LIMITATION_DX) : NULL;
    cara_date end = post_acute(w, b, disp, s.dis, 20 + BELOW(11), inj->d, func, "Z9181");
    transitional_care(w, b, end, inj->d, "Z9181", 1);
    if (hip) fracture_follow_up(w, b, s.dis + 14 + BELOW(28), inj->d, 1);
    if (PPM(150000)) { /* a readmission within 30 days */
        cara_date r = s.dis + 2 + BELOW(28);
        if (PPM(600000)) inpatient(w, b, hosp, r, 3 + BELOW(4), USD(9000, 16000), 1, 0, inj->d,
                                   NULL, NULL);
        else inpatient(w, b, hosp, r, 3 + BELOW(4), USD(7000, 13000), 1, 0, ONE_OF(MEDICAL).dx,
                       inj->d, NULL);
    }
    if (PPM(500000))
        evaluation(w, b, end + 3 + BELOW(10), PPM(500000) ? "Z9181" : "R2681", func ? func : inj->d,
                   1, 1);
}

/* A fall on day d (an event of the first eighteen months). */
static void fall(sy_world *w, const sy_bene *b, cara_date d)
{
    if (usable(w, b, d) == NONE) return;
    if (PPM(370000)) { /* an injury */
        const char *wcode = ONE_OF(W_CODES);
        if (PPM(620000)) fall_ed_released(w, b, d, wcode);
        else fall_admitted(w, b, d, wcode);
        return;
    }
    /* a fall without injury, told to the doctor */
    if (PPM(250000)) {
        evaluation(w, b, d + 7 + BELOW(45), ONE_OF(FALL_RISK_DX), NULL, 1, PPM(850000));
    } else if (PPM(200000)) {
        cara_date v = usable(w, b, d + 5 + BELOW(40));
        if (v != NONE) { /* the falls screening in a visit: 3288F + 1100F */
            sy_claim c;
            prof_claim(&c);
            add_dx(&c, "Z9181");
            add_chronic(&c, b);
            const sy_prov *doc = synth__pick(w, b->age >= 80 && PPM(500000) ? SP_GER : SP_FP, b->aco,
                                         150000);
            pline(&c, v, PPM(600000) ? "99214" : "99213", "11", doc, USD(70, 126));
            pline(&c, v, "1100F", "11", doc, 0);
            pline(&c, v, "3288F", "11", doc, 0);
            if (PPM(300000)) pline(&c, v, "0518F", "11", doc, 0);
            synth__emit_claim(w, b, &c);
            if (PPM(400000)) evaluation(w, b, v + 7 + BELOW(21), "Z9181", "R2681", 1, 1);
        }
    }
}

/* ---- functional dependence ------------------------------------------------------------------ */

/* What a dependent beneficiary uses in the months after a decline or a post-acute stay
 * (Greysen et al.: $26-46k in the year after a discharge, docs/methodology.md sections 1-2): transitional
 * care, visits, equipment, home health, ED visits, readmissions and more SNF. */
static void dependence_care(sy_world *w, const sy_bene *b, cara_date from)
{
    const char *func = b->func_dx;
    transitional_care(w, b, from - 1, func, NULL, 0);
    if (PPM(400000)) dme(w, b, from + BELOW(30), func);
    for (int k = 0; k < 3; k++) {
        cara_date d = usable(w, b, from + 20 + 45 * k + BELOW(20));
        if (d == NONE) continue;
        office_visit(w, b, d, synth__pick(w, b->age >= 75 ? SP_GER : SP_IM, b->aco, 150000), func,
                     NULL);
    }
    if (PPM(450000))
        home_health(w, b, from + 20 + BELOW(60), 1 + PPM(500000), func, ONE_OF(LIMITATION_DX), NULL);
    if (PPM(250000)) {
        cara_date d = usable(w, b, from + BELOW(150));
        if (d != NONE) ed_visit_other(w, b, d);
    }
    if (PPM(350000)) { /* a readmission, half of them followed by another SNF stay */
        int k = BELOW(sizeof MEDICAL / sizeof MEDICAL[0]);
        stay s = inpatient(w, b, synth__pick(w, SP_HOSPITAL, -1, 0), from + 5 + BELOW(120),
                           3 + BELOW(5), USD(MEDICAL[k].lo, MEDICAL[k].hi), PPM(700000), 0,
                           MEDICAL[k].dx, func, NULL);
        if (s.dis != NONE && strcmp(s.disp, "20") && PPM(500000))
            post_acute(w, b, "03", s.dis, 14 + BELOW(21), MEDICAL[k].dx, func, NULL);
    }
}

/* A functional decline of a dependent beneficiary on day d. */
static void functional_decline(sy_world *w, const sy_bene *b, cara_date d)
{
    if (usable(w, b, d) == NONE) return;
    const char *func = b->func_dx;
    uint64_t u = synth_rng_below(&w->rng, 100);
    if (u < 40) { /* a hospital stay, then a SNF stay */
        int k = BELOW(sizeof MEDICAL / sizeof MEDICAL[0]);
        stay s = inpatient(w, b, synth__pick(w, SP_HOSPITAL, -1, 0), d, 3 + BELOW(5),
                           USD(MEDICAL[k].lo, MEDICAL[k].hi), PPM(700000), 0, MEDICAL[k].dx, func,
                           NULL);
        if (s.dis == NONE || !strcmp(s.disp, "20")) return;
        cara_date end = post_acute(w, b, PPM(850000) ? "03" : "62", s.dis, 15 + BELOW(21),
                                   MEDICAL[k].dx, func, NULL);
        if (PPM(450000)) evaluation(w, b, end + 2 + BELOW(10), func, NULL, 0, 1);
        dependence_care(w, b, end + 1);
    } else if (u < 60) { /* home health */
        cara_date e = home_health(w, b, d, 1 + BELOW(3), func, ONE_OF(LIMITATION_DX), NULL);
        if (e != NONE) dependence_care(w, b, e + 1);
    } else if (u < 90) { /* an outpatient PT/OT evaluation */
        evaluation(w, b, d, func, PPM(500000) ? ONE_OF(LIMITATION_DX) : NULL, 0, PPM(800000));
        if (PPM(500000)) dependence_care(w, b, d + 7);
    } else { /* a stroke: acute stay, then rehabilitation */
        stay s = inpatient(w, b, synth__pick(w, SP_HOSPITAL, -1, 0), d, 4 + BELOW(4),
                           USD(11000, 19000), 1, 0, "I639", func, NULL);
        if (s.dis == NONE || !strcmp(s.disp, "20")) return;
        cara_date end = post_acute(w, b, "62", s.dis, 0, "I69351", func, NULL);
        dependence_care(w, b, end + 1);
    }
}

/* ---- other care -------------------------------------------------------------------------------- */

/* Therapy for back or joint pain: evaluations without a falls or dependence diagnosis. */
static void pain_therapy(sy_world *w, const sy_bene *b, cara_date d)
{
    static const char *const pain[] = {"M545", "M25561", "M25511", "M1711", "M47816", "M25551"};
    evaluation(w, b, d, ONE_OF(pain), NULL, 0, 1);
}

/* An elective total knee arthroplasty on day d: a pre-operative visit, the surgeon's
 * 27447, the hospital stay (or an outpatient procedure), then rehabilitation. */
static void knee_replacement(sy_world *w, const sy_bene *b, cara_date d)
{
    static const char *const oa[] = {"M1711", "M1712", "M170"};
    const char *dx = ONE_OF(oa);
    const sy_prov *surgeon = synth__pick(w, SP_ORTHO, b->aco, 200000);
    cara_date pre = usable(w, b, d - 14 - BELOW(14));
    sy_claim c;
    if (pre != NONE) {
        prof_claim(&c);
        add_dx(&c, dx);
        pline(&c, pre, "99214", "11", surgeon, USD(110, 160));
        synth__emit_claim(w, b, &c);
    }
    int inpatient_stay = PPM(750000);
    prof_claim(&c);
    add_dx(&c, dx);
    pline(&c, d, "27447", inpatient_stay ? "21" : "22", surgeon, USD(1200, 1600));
    synth__emit_claim(w, b, &c);
    const sy_prov *hosp = synth__pick(w, SP_HOSPITAL, -1, 0);
    if (inpatient_stay) {
        stay s = inpatient(w, b, hosp, d, 1 + BELOW(3), USD(11000, 15000), 0, 1, dx, NULL, NULL);
        if (s.dis != NONE && strcmp(s.disp, "20") && PPM(200000))
            snf_stay(w, b, s.dis + 1, 10 + BELOW(12), "Z96651", dx, NULL);
    } else {
        inst_claim(&c, "131", hosp, d, d);
        add_dx(&c, dx);
        iline(&c, d, "0360", "27447", USD(9000, 12000), 105);
        iline(&c, d, "0250", NULL, USD(150, 400), 100);
        synth__emit_claim(w, b, &c);
    }
    therapy_course(w, b, d + 7, synth__pick(w, SP_PT, b->aco, 250000), "Z96651", dx);
    fracture_follow_up(w, b, d + 14 + BELOW(20), "Z96651", 1);
    if (PPM(40000)) { /* a readmission */
        cara_date r = d + 5 + BELOW(60);
        inpatient(w, b, hosp, r, 2 + BELOW(4), USD(9000, 20000), 1, 0, "T8453XA", "Z96651", NULL);
    }
}

static void dialysis(sy_world *w, const sy_bene *b)
{
    const sy_prov *dc = synth__pick(w, SP_DIALYSIS, -1, 0);
    for (cara_date m = w->first_day; m <= w->last_day;) {
        cara_date me = month_end(m);
        cara_date s = m < b->enroll_start ? b->enroll_start : m;
        if (s <= me && usable(w, b, s) != NONE) {
            sy_claim c;
            inst_claim(&c, "721", dc, s, stay_end(w, b, s, me));
            add_dx(&c, "N186");
            add_dx(&c, "Z992");
            add_chronic(&c, b);
            for (cara_date d = s; d <= c.end; d += 7) /* a line per week: three sessions */
                iline(&c, d, "0821", NULL, (c.end - d >= 4 ? 3 : 1) * USD(255, 300), 100);
            if (c.n_lines > 0) iline(&c, s, "0636", "J0887", USD(20, 90), 100);
            synth__emit_claim(w, b, &c);
        }
        m = me + 1;
    }
}

static void chemotherapy(sy_world *w, const sy_bene *b)
{
    static const char *const drugs[] = {"J9045", "J9267", "J9355", "J9271", "J9306"};
    static const char *const cancers[] = {"C50911", "C3490", "C61", "C189", "C8330"};
    const sy_prov *onc = synth__pick(w, SP_ONC, -1, 0);
    const char *cancer = ONE_OF(cancers);
    const char *drug = ONE_OF(drugs);
    cara_date d = w->first_day + BELOW(w->year_end - w->first_day - 120);
    int cycles = 4 + BELOW(5), every = PPM(500000) ? 21 : 28;
    for (int i = 0; i < cycles; i++, d += every) {
        if (usable(w, b, d) == NONE) continue;
        sy_claim c;
        prof_claim(&c);
        add_dx(&c, "Z5111");
        add_dx(&c, cancer);
        add_chronic(&c, b);
        pline(&c, d, "96413", "11", onc, USD(110, 150));
        pline(&c, d, drug, "11", onc, USD(1200, 6500));
        if (i == 0) pline(&c, d, "99215", "11", onc, USD(135, 172));
        synth__emit_claim(w, b, &c);
    }
}

static void hospice(sy_world *w, const sy_bene *b)
{
    static const char *const terminal[] = {"G309", "I509", "J449", "C3490", "F0390", "C189"};
    const char *dx = ONE_OF(terminal);
    for (int k = 0; k < b->n_chronic; k++) /* the condition they die of, if they have it */
        if (!strcmp(b->chronic[k], "G309") || !strcmp(b->chronic[k], "F0390") ||
            !strncmp(b->chronic[k], "I50", 3) || !strcmp(b->chronic[k], "J449"))
            dx = b->chronic[k];
    monthly_stay(w, b, 1, b->hospice_start, w->last_day, dx, NULL, NULL);
}

/* ---- one beneficiary ------------------------------------------------------------------------------ */

void synth__claims_for(sy_world *w, const sy_bene *b)
{
    w->n_inst_seen = 0;
    const sy_prov *pcp = synth__pick(w, PPM(500000) ? SP_FP : SP_IM, b->aco, 120000);
    /* the three half years in which events start: before, first and second half of the
     * performance year */
    cara_date half[4] = {w->first_day, w->year_start, date_from_ymd(w->o->year, 7, 1),
                         w->year_end + 1};
    int faller = 0;
    for (int h = 0; h < 3; h++) {
        int len = half[h + 1] - half[h];
        /* falls and declines of the half year before the performance year are history
         * (the office visits' Z9181); their episodes would not be aligned */
        if (PPM(b->fall_ppm)) {
            faller = 1;
            if (h > 0) fall(w, b, half[h] + BELOW(len));
        }
        if (h > 0 && b->func_dx && PPM(330000)) functional_decline(w, b, half[h] + BELOW(len));
        uint32_t adm = 15000 + 18000 * (uint32_t)b->n_chronic + (b->func_dx ? 50000 : 0);
        if (b->age >= 85) adm += 20000;
        if (PPM(adm)) {
            cara_date d = usable(w, b, half[h] + BELOW(len));
            if (d != NONE) medical_admission(w, b, d);
        }
        if (PPM(70000 + 10000 * (uint32_t)b->n_chronic)) {
            cara_date d = usable(w, b, half[h] + BELOW(len));
            if (d != NONE) ed_visit_other(w, b, d);
        }
        if (PPM(20000)) pain_therapy(w, b, half[h] + BELOW(len));
        if (h > 0 && b->age >= 65 && b->age < 90 && PPM(6000)) {
            cara_date d = usable(w, b, half[h] + 14 + BELOW(len - 14));
            if (d != NONE) knee_replacement(w, b, d);
        }
    }
    /* run-out half year: admissions and ED visits go on */
    {
        int len = w->last_day - half[3] + 1;
        uint32_t adm = 15000 + 18000 * (uint32_t)b->n_chronic + (b->func_dx ? 50000 : 0);
        if (PPM(adm)) {
            cara_date d = usable(w, b, half[3] + BELOW(len));
            if (d != NONE) medical_admission(w, b, d);
        }
    }
    office_visits(w, b, pcp, faller);
    outpatient_tests(w, b);
    if (b->esrd) dialysis(w, b);
    if (PPM(15000)) chemotherapy(w, b);
    if (b->hospice_start != NONE) hospice(w, b);
}
