/*
 * synthdata_claims.c: one beneficiary's claims, following domain.md's figures.
 *
 *   - office visits (99213/99214) with the beneficiary's chronic diagnoses;
 *   - 65+: ~30% at risk of falls; of them about half get a PT/OT evaluation with a
 *     fall-risk diagnosis and a course of therapy (6-16 lines), some 3288F/0518F, some
 *     a 3288F + 1100F office claim;
 *   - fall injuries for ~10% of 65+ (25% of those at risk, 4% of others): 62% treated
 *     in the ED and released, 38% admitted (hip fracture half of those; $12-28k, a few
 *     3-5x outliers), then SNF, IRF or home health, and outpatient therapy;
 *   - functional dependence (~9% of 65+): post-acute stays and PT/OT evaluations with
 *     a dependence diagnosis, therapy;
 *   - ESRD: monthly dialysis (revenue center 0821); ~2%: chemotherapy (J9xxx, Z5111).
 * Nothing after death; nothing in an enrollment gap except, rarely (0.1%), a stray
 * claim; rendering therapists are the ACO's own except for ~25% leakage.
 */
#include <string.h>

#include "date.h"
#include "synthdata_internal.h"

#define PPM(x) synth_rng_ppm(&w->rng, (x))
#define BELOW(n) ((int)synth_rng_below(&w->rng, (uint64_t)(n)))
#define ONE_OF(a) ((a)[synth_rng_below(&w->rng, sizeof(a) / sizeof((a)[0]))])

static const char *const FALL_RISK_DX[] = {"Z9181", "R296", "R2681", "R2689", "R262", "M6281"};
static const char *const W_CODES[] = {"W010XXA", "W06XXXA", "W1830XA", "W19XXXA", "W050XXA",
                                      "W109XXA"};
static const char *const MINOR_INJURY[] = {"S0990XA", "S6990XA", "S8990XA", "S40011A",
                                           "S0083XA"};
static const char *const SERIOUS_INJURY[] = {"S0600XA", "S32009A", "S42201A", "S52501A",
                                             "S2231XA"};
static const char *const HIP_FRACTURE[] = {"S72001A", "S72002A", "S72141A", "S72011A"};
static const char *const FUNC_DX[] = {"Z7401", "Z7409", "Z741", "Z743", "Z993", "R5381", "R54"};
static const char *const THERAPY[] = {"97110", "97112", "97116", "97530", "97535"};

static void dependent_follow_up(sy_world *w, const sy_bene *b, cara_date from, const char *func);

/* A day the beneficiary can have a claim on (alive, enrolled), else CARA_DATE_NONE. */
static cara_date usable(sy_world *w, const sy_bene *b, cara_date d)
{
    if (d < w->first_day || d > w->last_day) return CARA_DATE_NONE;
    if (b->death != CARA_DATE_NONE && d > b->death) return CARA_DATE_NONE;
    if (b->gap_start != CARA_DATE_NONE && d >= b->gap_start && d < b->gap_end && !PPM(1000))
        return CARA_DATE_NONE;
    return d;
}

static void add_dx(sy_claim *c, const char *dx)
{
    if (!dx || c->n_dx >= SY_DX) return;
    for (int i = 0; i < c->n_dx; i++)
        if (strcmp(c->dx[i], dx) == 0) return;
    c->dx[c->n_dx++] = dx;
}

static void add_chronic(sy_claim *c, const sy_bene *b)
{
    for (int k = 0; k < 4; k++) add_dx(c, b->chronic[k]);
}

static void prof_claim(sy_claim *c) { memset(c, 0, sizeof *c), c->type = CARA_CLAIM_PROFESSIONAL; }

static void inst_claim(sy_claim *c, const char *bill, const sy_prov *fac, cara_date start,
                       cara_date end)
{
    memset(c, 0, sizeof *c);
    c->type = CARA_CLAIM_INSTITUTIONAL;
    c->bill = bill;
    c->facility = fac;
    c->start = start;
    c->end = end;
    c->adm = c->dis = CARA_DATE_NONE;
}

static void add_line(sy_claim *c, cara_date d, const char *rev, const char *hcpcs,
                     const char *pos, const sy_prov *rend, int64_t paid, int pct_allowed)
{
    if (c->n_lines >= SY_LINES) return;
    c->line[c->n_lines++] = (sy_line){d, rev, hcpcs, pos, NULL, rend, paid,
                                      paid * pct_allowed / 100};
}

/* Office visits with the chronic conditions. */
static void office_visits(sy_world *w, const sy_bene *b)
{
    int n = 3 + BELOW(10);
    int span = w->last_day - w->first_day + 1;
    for (int i = 0; i < n; i++) {
        cara_date d = usable(w, b, w->first_day + BELOW(span));
        if (d == CARA_DATE_NONE) continue;
        sy_claim c;
        prof_claim(&c);
        add_chronic(&c, b);
        if (c.n_dx == 0) add_dx(&c, "Z0000");
        const sy_prov *doc = sy_pick(w, PPM(500000) ? SP_FP : SP_IM, b->aco, 150000);
        add_line(&c, d, NULL, PPM(700000) ? "99213" : "99214", "11", doc, sy_amount(w, 7000, 15000), 125);
        sy_emit_claim(w, b, &c);
    }
}

/* A course of outpatient therapy lines starting on `from`, by `ther` (mostly). */
static void therapy_course(sy_world *w, const sy_bene *b, cara_date from, const sy_prov *ther,
                           int role, const char *dx)
{
    int n = 6 + BELOW(11);
    cara_date d = from;
    sy_claim c;
    prof_claim(&c);
    add_dx(&c, dx);
    add_chronic(&c, b);
    for (int i = 0; i < n; i++) {
        d += 2 + BELOW(4);
        if (usable(w, b, d) == CARA_DATE_NONE) break;
        const sy_prov *who = PPM(900000) ? ther : sy_pick(w, role, b->aco, 250000);
        add_line(&c, d, NULL, ONE_OF(THERAPY), "11", who, sy_amount(w, 2500, 4500), 125);
        if (c.n_lines == 8) { /* bill in pieces, as practices do */
            sy_emit_claim(w, b, &c);
            prof_claim(&c);
            add_dx(&c, dx);
            add_chronic(&c, b);
        }
    }
    sy_emit_claim(w, b, &c);
}

/* A PT/OT evaluation with dx on day d, maybe 3288F, then therapy. Returns the therapist. */
static const sy_prov *evaluation(sy_world *w, const sy_bene *b, cara_date d, const char *dx,
                                 int quality)
{
    if (usable(w, b, d) == CARA_DATE_NONE) return NULL;
    int role = PPM(650000) ? SP_PT : SP_OT;
    const sy_prov *ther = sy_pick(w, role, b->aco, 250000);
    static const char *const pt_eval[] = {"97161", "97162", "97163"};
    static const char *const ot_eval[] = {"97165", "97166", "97167"};
    sy_claim c;
    prof_claim(&c);
    add_dx(&c, dx);
    add_chronic(&c, b);
    add_line(&c, d, NULL, role == SP_PT ? ONE_OF(pt_eval) : ONE_OF(ot_eval), "11", ther,
             sy_amount(w, 9000, 16000), 125);
    if (quality && PPM(550000)) add_line(&c, d, NULL, "3288F", "11", ther, 0, 100);
    sy_emit_claim(w, b, &c);
    if (quality && PPM(300000)) {
        cara_date q = usable(w, b, d + BELOW(40));
        if (q != CARA_DATE_NONE) {
            prof_claim(&c);
            add_dx(&c, dx);
            add_line(&c, q, NULL, "0518F", "11", ther, 0, 100);
            sy_emit_claim(w, b, &c);
        }
    }
    therapy_course(w, b, d, ther, role, dx);
    return ther;
}

/* SNF stay from `start` for `days`, billed in monthly pieces. Returns its last day. */
static cara_date snf_stay(sy_world *w, const sy_bene *b, cara_date start, int days,
                          const char *dx1, const char *dx2)
{
    if (usable(w, b, start) == CARA_DATE_NONE) return start - 1;
    const sy_prov *snf = sy_pick(w, SP_SNF, -1, 0);
    cara_date end = start + days - 1;
    if (b->death != CARA_DATE_NONE && end > b->death) end = b->death;
    if (end > w->last_day) end = w->last_day;
    cara_date from = start;
    int piece = 0;
    while (from <= end) {
        int y, m, d;
        date_to_ymd(from, &y, &m, &d);
        cara_date month_end = date_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
        cara_date to = month_end < end ? month_end : end;
        int last = to == end;
        sy_claim c;
        inst_claim(&c, piece == 0 && last ? "211" : piece == 0 ? "212" : last ? "214" : "213",
                   snf, from, to);
        c.adm = start;
        if (last) {
            c.dis = to;
            c.disp = "01";
        }
        add_dx(&c, dx1);
        add_dx(&c, dx2);
        add_chronic(&c, b);
        add_line(&c, from, "0120", NULL, NULL, NULL, (int64_t)(to - from + 1) * sy_amount(w, 45000, 60000), 105);
        sy_emit_claim(w, b, &c);
        from = to + 1;
        piece++;
    }
    return end;
}

static void home_health(sy_world *w, const sy_bene *b, cara_date start, const char *dx1,
                        const char *dx2)
{
    cara_date s = usable(w, b, start);
    if (s == CARA_DATE_NONE) return;
    cara_date e = s + 29;
    if (b->death != CARA_DATE_NONE && e > b->death) e = b->death;
    if (e > w->last_day) e = w->last_day;
    sy_claim c;
    inst_claim(&c, "321", sy_pick(w, SP_HHA, -1, 0), s, e);
    add_dx(&c, dx1);
    add_dx(&c, dx2);
    add_chronic(&c, b);
    add_line(&c, s, "0023", NULL, NULL, NULL, sy_amount(w, 180000, 380000), 100);
    sy_emit_claim(w, b, &c);
}

static void ed_visit(sy_world *w, const sy_bene *b, const sy_prov *hosp, cara_date d,
                     const char *injury, const char *wcode)
{
    sy_claim c;
    inst_claim(&c, "131", hosp, d, d);
    add_dx(&c, injury);
    add_dx(&c, wcode);
    add_chronic(&c, b);
    static const char *const level[] = {"99283", "99284", "99285"};
    add_line(&c, d, "0450", ONE_OF(level), NULL, NULL, sy_amount(w, 60000, 250000), 110);
    if (PPM(600000)) add_line(&c, d, "0320", "73502", NULL, NULL, sy_amount(w, 10000, 40000), 110);
    sy_emit_claim(w, b, &c);
}

/* A fall injury on day d: ED and home, or an admission and post-acute care. */
static void fall_injury(sy_world *w, const sy_bene *b, cara_date d)
{
    const sy_prov *hosp = sy_pick(w, SP_HOSPITAL, -1, 0);
    const char *wcode = ONE_OF(W_CODES);
    if (PPM(620000)) {
        const char *inj = ONE_OF(MINOR_INJURY);
        ed_visit(w, b, hosp, d, inj, wcode);
        if (PPM(400000)) evaluation(w, b, d + 7 + BELOW(14), "Z9181", 1);
        return;
    }
    const char *inj = PPM(500000) ? ONE_OF(HIP_FRACTURE) : ONE_OF(SERIOUS_INJURY);
    ed_visit(w, b, hosp, d, inj, wcode);
    cara_date adm = d + (PPM(800000) ? 0 : 1);
    if (usable(w, b, adm) == CARA_DATE_NONE) return;
    int los = 3 + BELOW(6);
    cara_date dis = adm + los;
    if (b->death != CARA_DATE_NONE && dis > b->death) dis = b->death;
    if (dis > w->last_day) dis = w->last_day;
    int irf = PPM(100000);
    int to_snf = !irf && PPM(550000);
    sy_claim c;
    inst_claim(&c, "111", hosp, adm, dis);
    c.adm = adm;
    c.dis = dis;
    c.disp = to_snf ? "03" : irf ? "62" : PPM(500000) ? "06" : "01";
    add_dx(&c, inj);
    add_dx(&c, wcode);
    add_chronic(&c, b);
    int64_t cost = sy_amount(w, 1200000, 2800000);
    if (PPM(30000)) cost *= 3 + BELOW(3); /* the heavy tail winsorization is for */
    add_line(&c, adm, "0120", NULL, NULL, NULL, cost * 80 / 100, 105);
    add_line(&c, adm, "0360", NULL, NULL, NULL, cost * 20 / 100, 105);
    sy_emit_claim(w, b, &c);
    if (b->death != CARA_DATE_NONE && dis >= b->death) return;
    const char *func = PPM(400000) ? ONE_OF(FUNC_DX) : NULL;
    cara_date next = dis + 1;
    if (usable(w, b, next) == CARA_DATE_NONE) return;
    if (irf) {
        cara_date ie = next + 9 + BELOW(7);
        if (b->death != CARA_DATE_NONE && ie > b->death) ie = b->death;
        if (ie > w->last_day) ie = w->last_day;
        inst_claim(&c, "111", sy_pick(w, SP_IRF, -1, 0), next, ie);
        c.adm = next;
        c.dis = ie;
        c.disp = "06";
        add_dx(&c, "Z4789");
        add_dx(&c, inj);
        add_dx(&c, func);
        add_line(&c, next, "0024", NULL, NULL, NULL, sy_amount(w, 1800000, 2600000), 105);
        add_line(&c, next, "0128", NULL, NULL, NULL, 0, 100);
        sy_emit_claim(w, b, &c);
        next = ie + 1;
    } else if (to_snf) {
        next = snf_stay(w, b, next, 15 + BELOW(26), inj, func) + 1;
    }
    if (c.disp && (!strcmp(c.disp, "06") || PPM(400000))) home_health(w, b, next, inj, func);
    if (PPM(500000)) evaluation(w, b, next + 3, func ? func : "Z9181", 1);
    if (func) dependent_follow_up(w, b, next, func);
}

static void dme(sy_world *w, const sy_bene *b, cara_date d, const char *dx)
{
    static const char *const items[] = {"E0143", "K0001", "E0163", "E0260"};
    if (usable(w, b, d) == CARA_DATE_NONE) return;
    sy_claim c;
    memset(&c, 0, sizeof c);
    c.type = CARA_CLAIM_DME;
    add_dx(&c, dx);
    add_line(&c, d, NULL, ONE_OF(items), "12", sy_pick(w, SP_FP, b->aco, 150000),
             sy_amount(w, 15000, 90000), 125);
    sy_emit_claim(w, b, &c);
}

/* What a functionally dependent beneficiary uses in the months after a post-acute stay
 * (readmissions, home health, equipment, therapy, visits): Greysen et al. put a year of
 * it at $26-46k (domain.md 4.2). */
static void dependent_follow_up(sy_world *w, const sy_bene *b, cara_date from, const char *func)
{
    if (PPM(350000)) {
        cara_date adm = usable(w, b, from + 10 + BELOW(120));
        if (adm != CARA_DATE_NONE) {
            cara_date dis = adm + 3 + BELOW(6);
            if (b->death != CARA_DATE_NONE && dis > b->death) dis = b->death;
            sy_claim c;
            inst_claim(&c, "111", sy_pick(w, SP_HOSPITAL, -1, 0), adm, dis);
            c.adm = adm;
            c.dis = dis;
            c.disp = "06";
            add_dx(&c, PPM(500000) ? "J189" : "N390");
            add_dx(&c, func);
            add_chronic(&c, b);
            add_line(&c, adm, "0120", NULL, NULL, NULL, sy_amount(w, 900000, 1900000), 105);
            sy_emit_claim(w, b, &c);
        }
    }
    for (int k = 0; k < 3; k++)
        if (PPM(k == 0 ? 700000 : 450000)) home_health(w, b, from + 30 * k + BELOW(10), func, NULL);
    if (PPM(400000)) dme(w, b, from + BELOW(30), func);
    for (int k = 0; k < 4; k++) {
        cara_date d = usable(w, b, from + 20 + 40 * k + BELOW(20));
        if (d == CARA_DATE_NONE) continue;
        sy_claim c;
        prof_claim(&c);
        add_dx(&c, func);
        add_chronic(&c, b);
        add_line(&c, d, NULL, "99214", "11", sy_pick(w, SP_GER, b->aco, 150000),
                 sy_amount(w, 11000, 16000), 125);
        sy_emit_claim(w, b, &c);
    }
}

/* Functional dependence without a fall: a post-acute stay or an evaluation. */
static void functional_dependence(sy_world *w, const sy_bene *b)
{
    const char *func = ONE_OF(FUNC_DX);
    cara_date d = usable(w, b, date_from_ymd(w->o->year, 1, 1) + BELOW(330));
    if (d == CARA_DATE_NONE) return;
    if (PPM(450000)) {
        const sy_prov *hosp = sy_pick(w, SP_HOSPITAL, -1, 0);
        cara_date dis = d + 3 + BELOW(4);
        if (usable(w, b, dis) == CARA_DATE_NONE) return;
        sy_claim c;
        inst_claim(&c, "111", hosp, d, dis);
        c.adm = d;
        c.dis = dis;
        c.disp = "03";
        add_dx(&c, "J189");
        add_dx(&c, func);
        add_chronic(&c, b);
        add_line(&c, d, "0120", NULL, NULL, NULL, sy_amount(w, 800000, 1500000), 105);
        sy_emit_claim(w, b, &c);
        cara_date end = snf_stay(w, b, dis + 1, 15 + BELOW(21), func, NULL);
        if (PPM(500000)) evaluation(w, b, end + 2 + BELOW(10), func, 0);
        dependent_follow_up(w, b, end + 1, func);
    } else if (PPM(400000)) {
        home_health(w, b, d, func, NULL);
        dependent_follow_up(w, b, d + 31, func);
    } else {
        evaluation(w, b, d, func, 0);
        if (PPM(500000)) dependent_follow_up(w, b, d + 7, func);
    }
}

static void dialysis(sy_world *w, const sy_bene *b)
{
    const sy_prov *dc = sy_pick(w, SP_DIALYSIS, -1, 0);
    for (cara_date m = w->first_day; m <= w->last_day;) {
        int y, mo, dd;
        date_to_ymd(m, &y, &mo, &dd);
        cara_date next = date_from_ymd(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1);
        if (usable(w, b, m) != CARA_DATE_NONE) {
            sy_claim c;
            inst_claim(&c, "721", dc, m, next - 1 > w->last_day ? w->last_day : next - 1);
            add_dx(&c, "N186");
            for (int k = 0; k < 4; k++) add_line(&c, m, "0821", NULL, NULL, NULL, sy_amount(w, 90000, 120000), 100);
            sy_emit_claim(w, b, &c);
        }
        m = next;
    }
}

static void chemotherapy(sy_world *w, const sy_bene *b)
{
    static const char *const drugs[] = {"J9045", "J9267", "J9355"};
    const sy_prov *onc = sy_pick(w, SP_IM, -1, 0);
    cara_date d = date_from_ymd(w->o->year, 1, 10) + BELOW(150);
    for (int i = 0; i < 6; i++, d += 28) {
        if (usable(w, b, d) == CARA_DATE_NONE) continue;
        sy_claim c;
        prof_claim(&c);
        add_dx(&c, "Z5111");
        add_dx(&c, PPM(500000) ? "C50911" : "C3490");
        add_line(&c, d, NULL, ONE_OF(drugs), "11", onc, sy_amount(w, 100000, 500000), 125);
        sy_emit_claim(w, b, &c);
    }
}

/* An elective total knee arthroplasty on day d: a pre-operative visit, the surgeon's
 * 27447, the hospital stay (or an outpatient procedure), then rehabilitation. */
static void knee_replacement(sy_world *w, const sy_bene *b, cara_date d)
{
    static const char *const oa[] = {"M1711", "M1712", "M170"};
    const char *dx = ONE_OF(oa);
    const sy_prov *surgeon = sy_pick(w, SP_ORTHO, b->aco, 200000);
    cara_date pre = usable(w, b, d - 14 - BELOW(14));
    sy_claim c;
    if (pre != CARA_DATE_NONE) {
        prof_claim(&c);
        add_dx(&c, dx);
        add_line(&c, pre, NULL, "99214", "11", surgeon, sy_amount(w, 11000, 16000), 125);
        sy_emit_claim(w, b, &c);
    }
    prof_claim(&c);
    add_dx(&c, dx);
    add_line(&c, d, NULL, "27447", "21", surgeon, sy_amount(w, 120000, 160000), 125);
    sy_emit_claim(w, b, &c);
    const sy_prov *hosp = sy_pick(w, SP_HOSPITAL, -1, 0);
    if (PPM(750000)) {
        cara_date dis = d + 1 + BELOW(3);
        inst_claim(&c, "111", hosp, d, dis);
        c.adm = d;
        c.dis = dis;
        c.disp = PPM(200000) ? "03" : "01";
        add_dx(&c, dx);
        add_chronic(&c, b);
        add_line(&c, d, "0120", NULL, NULL, NULL, sy_amount(w, 1100000, 1500000), 105);
        sy_emit_claim(w, b, &c);
        if (!strcmp(c.disp, "03")) snf_stay(w, b, dis + 1, 10 + BELOW(12), dx, NULL);
    } else {
        inst_claim(&c, "131", hosp, d, d);
        add_dx(&c, dx);
        add_line(&c, d, "0360", "27447", NULL, NULL, sy_amount(w, 900000, 1200000), 105);
        sy_emit_claim(w, b, &c);
    }
    therapy_course(w, b, d + 7, sy_pick(w, SP_PT, b->aco, 250000), SP_PT, dx);
    if (PPM(40000)) { /* a readmission */
        cara_date r = usable(w, b, d + 5 + BELOW(60));
        if (r != CARA_DATE_NONE) {
            inst_claim(&c, "111", hosp, r, r + 3);
            c.adm = r;
            c.dis = r + 3;
            c.disp = "01";
            add_dx(&c, "T8453XA");
            add_line(&c, r, "0120", NULL, NULL, NULL, sy_amount(w, 900000, 2000000), 105);
            sy_emit_claim(w, b, &c);
        }
    }
}

void sy_claims_for(sy_world *w, const sy_bene *b)
{
    office_visits(w, b);
    int old = b->age >= 65;
    int at_risk = old ? PPM(300000) : PPM(50000);
    int span = w->last_day - w->first_day + 1;
    if (at_risk && PPM(500000)) {
        cara_date d = usable(w, b, date_from_ymd(w->o->year, 1, 1) + BELOW(330));
        if (d != CARA_DATE_NONE) evaluation(w, b, d, ONE_OF(FALL_RISK_DX), 1);
    }
    if (at_risk && PPM(100000)) {
        cara_date d = usable(w, b, w->first_day + BELOW(span));
        if (d != CARA_DATE_NONE) {
            sy_claim c;
            prof_claim(&c);
            add_dx(&c, "Z9181");
            add_chronic(&c, b);
            const sy_prov *doc = sy_pick(w, PPM(500000) ? SP_GER : SP_FP, b->aco, 150000);
            add_line(&c, d, NULL, "3288F", "11", doc, sy_amount(w, 2000, 3000), 125);
            add_line(&c, d, NULL, "1100F", "11", doc, sy_amount(w, 2000, 3000), 125);
            sy_emit_claim(w, b, &c);
        }
    }
    if (old && PPM(at_risk ? 250000 : 40000)) {
        cara_date d = usable(w, b, date_from_ymd(w->o->year - 1, 9, 1) + BELOW(470));
        if (d != CARA_DATE_NONE) fall_injury(w, b, d);
    }
    if (PPM(old ? 90000 : 40000)) functional_dependence(w, b);
    if (old && b->age < 90 && PPM(12000)) {
        cara_date d = usable(w, b, date_from_ymd(w->o->year, 1, 15) + BELOW(320));
        if (d != CARA_DATE_NONE) knee_replacement(w, b, d);
    }
    if (b->esrd) dialysis(w, b);
    if (PPM(20000)) chemotherapy(w, b);
}
