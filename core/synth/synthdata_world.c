/*
 * synthdata_world.c: the generator's PRNG, identifiers, ACOs, providers (practices and
 * facilities), arrangements, and the run that streams beneficiaries out one at a time.
 * See synthdata.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "synthdata_internal.h"

/* ---- PRNG: splitmix64 seeding xoshiro256** --------------------------------------- */

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void synth_rng_seed(synth_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t synth_rng_next(synth_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t synth_rng_below(synth_rng *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* reject the biased tail */
    uint64_t x;
    do x = synth_rng_next(r);
    while (x >= limit);
    return x % n;
}

int synth_rng_ppm(synth_rng *r, uint32_t ppm) { return synth_rng_below(r, 1000000) < ppm; }

int64_t synth__amount(sy_world *w, int64_t lo, int64_t hi)
{
    return lo + (int64_t)synth_rng_below(&w->rng, (uint64_t)(hi - lo + 1));
}

/* ---- identifiers -------------------------------------------------------------------- */

/* MBI alphabets (docs/input-formats.md, Identifiers): letters without S, L, O, I, B, Z. */
static const char LETTERS[] = "ACDEFGHJKMNPQRTUVWXY";
static const char ALNUM[] = "0123456789ACDEFGHJKMNPQRTUVWXY";

void synth_mbi(uint64_t i, uint64_t salt, char *buf)
{
    /* radices of positions 1..11 */
    static const struct {
        int n;
        const char *set; /* NULL: digits (position 1: 1-9) */
    } pos[11] = {{9, NULL},     {20, LETTERS}, {30, ALNUM}, {10, NULL}, {20, LETTERS},
                 {30, ALNUM},   {10, NULL},    {20, LETTERS}, {20, LETTERS}, {10, NULL},
                 {10, NULL}};
    const unsigned __int128 M = (unsigned __int128)12960000000000ull; /* product of radices */
    /* i -> i * 7919 + salt (mod M) is a bijection (7919 is prime to M): distinct i below
     * M give distinct MBIs, scattered over the whole space */
    uint64_t x = (uint64_t)(((unsigned __int128)i * 7919u + salt % 12960000000000ull) % M);
    for (int p = 10; p >= 0; p--) {
        uint64_t d = x % (uint64_t)pos[p].n;
        x /= (uint64_t)pos[p].n;
        buf[p] = pos[p].set ? pos[p].set[d] : (char)('0' + d + (p == 0));
    }
    buf[11] = '\0';
}

/* The k-th NPI: 1 or 2, 8 digits (a bijection of k below 10^8), the Luhn check digit. */
static void make_npi(uint64_t k, uint64_t salt, char *npi)
{
    uint64_t body = (k * 7919u + salt % 100000000u) % 100000000u;
    snprintf(npi, 11, "%c%08llu", k % 7 == 3 ? '2' : '1', (unsigned long long)body);
    npi[9] = (char)('0' + npi_check_digit(npi));
    npi[10] = '\0';
}

/* The p-th TIN: an issued two-digit prefix (docs/input-formats.md, Identifiers) and 7 digits (distinct for
 * distinct p below 10^7). */
static void make_tin(uint64_t p, uint64_t salt, char *tin)
{
    static const char *const prefixes[] = {
        "01", "02", "03", "04", "05", "06", "10", "11", "12", "13", "14", "15", "16", "20",
        "21", "22", "23", "24", "25", "26", "27", "30", "31", "32", "33", "34", "35", "36",
        "37", "38", "39", "41", "42", "43", "44", "45", "46", "47", "48", "51", "52", "54",
        "56", "57", "58", "59", "61", "62", "63", "64", "65", "66", "68", "71", "72", "73",
        "74", "75", "76", "77", "81", "82", "83", "84", "85", "86", "87", "88", "90", "91",
        "92", "93", "94", "95", "98", "99"};
    size_t np = sizeof prefixes / sizeof prefixes[0];
    snprintf(tin, 10, "%s%07llu", prefixes[(p * 31u + salt % np) % np],
             (unsigned long long)((p * 7919u + salt % 10000000u) % 10000000u));
}

/* ---- providers ------------------------------------------------------------------------ */

static const char *const SPECIALTY[SP_LISTED] = {"65", "67", "38", "25", "08", "11", "20"};
static const char *const CREDENTIAL[SP_LISTED] = {"PT", "OTR/L", "MD", "DO", "MD", "MD", "MD"};
static const char *const FIRST[] = {
    "Mary", "James", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Susan", "Richard", "Jessica", "Joseph", "Sarah", "Thomas",
    "Karen", "Carlos", "Nancy", "Daniel", "Priya", "Wei", "Aisha", "Kevin", "Maria",
    "Anthony", "Laura", "Mark", "Grace", "Samuel", "Fatima", "Brian", "Emily"};
static const char *const LAST[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
    "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris",
    "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
    "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson",
    "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Patel", "Chen", "Kim"};

/* Practice kinds: who works in them. */
static const int THERAPY_PRACTICE[] = {SP_PT, SP_PT, SP_OT, SP_PT, SP_OT, -1};
static const int PRIMARY_PRACTICE[] = {SP_FP, SP_IM, SP_FP, SP_IM, SP_GER, -1};
static const int GERI_REHAB_PRACTICE[] = {SP_GER, SP_PMR, SP_PT, SP_OT, SP_PMR, -1};
static const int ORTHO_PRACTICE[] = {SP_ORTHO, SP_ORTHO, SP_PT, SP_PMR, -1};
/* the order in which an ACO's practices are drawn, and the outside (leakage) ones */
static const int *const INSIDE_KINDS[] = {THERAPY_PRACTICE,    PRIMARY_PRACTICE,
                                          GERI_REHAB_PRACTICE, PRIMARY_PRACTICE,
                                          THERAPY_PRACTICE,    ORTHO_PRACTICE,
                                          PRIMARY_PRACTICE,    GERI_REHAB_PRACTICE};
static const int *const OUTSIDE_KINDS[] = {THERAPY_PRACTICE, THERAPY_PRACTICE,
                                           PRIMARY_PRACTICE};

static int add_prov(sy_world *w, int role, int aco, uint64_t tin_seq, size_t *cap)
{
    if (w->n_prov == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        sy_prov *v = realloc(w->prov, *cap * sizeof *v);
        if (!v) return -ENOMEM;
        w->prov = v;
    }
    sy_prov *p = &w->prov[w->n_prov];
    make_npi(w->n_prov, w->o->seed, p->npi);
    make_tin(tin_seq, w->o->seed, p->tin);
    p->role = role;
    p->aco = aco;
    w->n_prov++;
    return 0;
}

/* Clinicians in practices (one TIN each): of every five practices, four belong to an
 * ACO (round robin) and one is outside every ACO (mostly therapy: the leakage). About
 * one clinician per 250 beneficiaries, at least 40. Then hospital-based physicians,
 * oncologists and facilities, outside the ACOs. */
static int build_providers(sy_world *w)
{
    size_t cap = 0;
    int64_t want = w->o->beneficiaries / 250;
    if (want < 40) want = 40;
    uint64_t tin_seq = 0;
    int64_t inside = 0, outside = 0;
    for (int64_t p = 0; (int64_t)w->n_prov < want; p++, tin_seq++) {
        const int *kind;
        int aco;
        if (p % 5 == 4) {
            kind = OUTSIDE_KINDS[outside++ % 3];
            aco = -1;
        } else {
            aco = (int)(inside % w->n_acos);
            kind = INSIDE_KINDS[(inside / w->n_acos) % 8];
            inside++;
        }
        for (int k = 0; kind[k] >= 0; k++)
            if (add_prov(w, kind[k], aco, tin_seq, &cap)) return -ENOMEM;
    }
    /* small worlds: one more ACO practice for each specialty still missing */
    for (int r = 0; r < SP_LISTED; r++) {
        int have = 0;
        for (size_t i = 0; i < w->n_prov && !have; i++) have = w->prov[i].role == r;
        if (have) continue;
        const int *kind = r == SP_ORTHO ? ORTHO_PRACTICE
                          : r == SP_GER || r == SP_PMR ? GERI_REHAB_PRACTICE
                          : r == SP_FP || r == SP_IM   ? PRIMARY_PRACTICE
                                                       : THERAPY_PRACTICE;
        int aco = (int)(inside++ % w->n_acos);
        for (int k = 0; kind[k] >= 0; k++)
            if (add_prov(w, kind[k], aco, tin_seq, &cap)) return -ENOMEM;
        tin_seq++;
    }
    const struct {
        int role;
        int64_t per, per_tin; /* one per `per` beneficiaries; `per_tin` per group TIN */
    } other[] = {{SP_EM, 2000, 6},         {SP_HOSPITALIST, 2000, 6}, {SP_ONC, 8000, 3},
                 {SP_HOSPITAL, 5000, 1},   {SP_SNF, 2500, 1},         {SP_HHA, 4000, 1},
                 {SP_IRF, 20000, 1},       {SP_DIALYSIS, 10000, 1},   {SP_HOSPICE, 8000, 1}};
    for (size_t f = 0; f < sizeof other / sizeof other[0]; f++) {
        int64_t n = w->o->beneficiaries / other[f].per + 3;
        for (int64_t i = 0; i < n; i++) {
            if (i > 0 && i % other[f].per_tin == 0) tin_seq++;
            if (add_prov(w, other[f].role, -1, tin_seq, &cap)) return -ENOMEM;
        }
        tin_seq++;
    }
    /* indexes by (group, role) and by role: counting sorts */
    size_t ngroups = (size_t)w->n_acos + 1, nkeys = ngroups * SP_N;
    w->idx = malloc(w->n_prov * sizeof *w->idx);
    w->ridx = malloc(w->n_prov * sizeof *w->ridx);
    w->off = calloc(nkeys + 1, sizeof *w->off);
    if (!w->idx || !w->ridx || !w->off) return -ENOMEM;
    memset(w->roff, 0, sizeof w->roff);
    for (size_t i = 0; i < w->n_prov; i++) {
        const sy_prov *p = &w->prov[i];
        size_t g = p->aco < 0 ? (size_t)w->n_acos : (size_t)p->aco;
        w->off[g * SP_N + (size_t)p->role + 1]++;
        w->roff[p->role + 1]++;
    }
    for (size_t k = 0; k < nkeys; k++) w->off[k + 1] += w->off[k];
    for (int r = 0; r < SP_N; r++) w->roff[r + 1] += w->roff[r];
    size_t *fill = malloc(nkeys * sizeof *fill);
    if (!fill) return -ENOMEM;
    memcpy(fill, w->off, nkeys * sizeof *fill);
    size_t rfill[SP_N];
    memcpy(rfill, w->roff, sizeof rfill);
    for (size_t i = 0; i < w->n_prov; i++) {
        const sy_prov *p = &w->prov[i];
        size_t g = p->aco < 0 ? (size_t)w->n_acos : (size_t)p->aco;
        w->idx[fill[g * SP_N + (size_t)p->role]++] = i;
        w->ridx[rfill[p->role]++] = i;
    }
    free(fill);
    return 0;
}

const sy_prov *synth__pick(sy_world *w, int role, int aco, uint32_t leak_ppm)
{
    size_t k = (size_t)(aco < 0 || synth_rng_ppm(&w->rng, leak_ppm) ? w->n_acos : aco) * SP_N +
               (size_t)role;
    size_t n = w->off[k + 1] - w->off[k];
    if (n == 0 && aco >= 0) { /* the ACO has none: an outside one */
        k = (size_t)w->n_acos * SP_N + (size_t)role;
        n = w->off[k + 1] - w->off[k];
    }
    if (n > 0) return &w->prov[w->idx[w->off[k] + synth_rng_below(&w->rng, n)]];
    n = w->roff[role + 1] - w->roff[role]; /* never 0: every role has providers */
    return &w->prov[w->ridx[w->roff[role] + synth_rng_below(&w->rng, n)]];
}

/* ---- reference files ---------------------------------------------------------------------- */

static const char *const ACO_NAMES[] = {
    "Chesapeake Health Partners",   "Lakeshore Accountable Care",
    "Sun Valley Senior Care Network", "Prairie Physicians Alliance",
    "Blue Ridge Care Collaborative", "Gulf Coast Medicare Partners",
    "Hudson Valley Value Care",     "Cascade Health Alliance",
    "Red River Accountable Care",   "Desert Sky Physician Network"};

static void write_acos(sy_world *w, sy_out *o)
{
    synth__puts(o, "aco_id,name,track\n");
    size_t nn = sizeof ACO_NAMES / sizeof ACO_NAMES[0];
    char line[160];
    for (int a = 0; a < w->n_acos; a++) {
        if ((size_t)a < nn)
            snprintf(line, sizeof line, "A%04d,%s ACO,%s\n", a + 1, ACO_NAMES[a],
                     a % 2 == 0 ? "global" : "professional");
        else
            snprintf(line, sizeof line, "A%04d,%s ACO %d,%s\n", a + 1, ACO_NAMES[a % nn],
                     a / (int)nn + 1, a % 2 == 0 ? "global" : "professional");
        synth__puts(o, line);
        w->counts->acos++;
    }
}

static void write_providers(sy_world *w, sy_out *o)
{
    synth__puts(o, "npi,tin,name,specialty_code\n");
    size_t nf = sizeof FIRST / sizeof FIRST[0], nl = sizeof LAST / sizeof LAST[0];
    char line[160];
    for (size_t i = 0; i < w->n_prov; i++) {
        const sy_prov *p = &w->prov[i];
        if (p->role >= SP_LISTED) continue; /* hospital-based physicians, facilities */
        snprintf(line, sizeof line, "%s,%s,%s %s %s,%s\n", p->npi, p->tin,
                 FIRST[(i * 7 + i / nf) % nf], LAST[(i * 11 + i / nl) % nl],
                 CREDENTIAL[p->role], SPECIALTY[p->role]);
        synth__puts(o, line);
        w->counts->providers++;
    }
}

static int cmp_prov_tin(const void *a, const void *b)
{
    const sy_prov *x = *(const sy_prov *const *)a, *y = *(const sy_prov *const *)b;
    int c = strcmp(x->tin, y->tin);
    return c ? c : (x->aco > y->aco) - (x->aco < y->aco);
}

/* The ACOs' participant TINs: every TIN an ACO's clinicians bill under, from January 1;
 * every seventh one (in TIN order) joins its ACO mid-year, on July 1 (ACOs may add TINs
 * mid-year), so a run shows the addition in leakage and attribution from that date.
 * Deterministic (no draw): the other files are what they were without it. */
static void write_participants(sy_world *w, sy_out *o)
{
    synth__puts(o, "aco_id,tin,start_date,end_date\n");
    const sy_prov **v = malloc((w->n_prov ? w->n_prov : 1) * sizeof *v);
    if (!v) return;
    size_t n = 0;
    for (size_t i = 0; i < w->n_prov; i++)
        if (w->prov[i].aco >= 0) v[n++] = &w->prov[i];
    qsort(v, n, sizeof *v, cmp_prov_tin);
    int64_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && !strcmp(v[i - 1]->tin, v[i]->tin)) continue; /* one ACO per TIN */
        char line[64];
        snprintf(line, sizeof line, "A%04d,%s,", v[i]->aco + 1, v[i]->tin);
        synth__puts(o, line);
        synth__put_date(o, ++k % 7 == 0 ? date_from_ymd(w->o->year, 7, 1) : w->year_start);
        synth__puts(o, ",\n");
    }
    free(v);
}

/* EBRAs of the global-track ACOs: about half of their therapists, geriatricians and
 * physiatrists (falls prevention and/or functional independence) and most orthopedic
 * surgeons (knee arthroplasty). Each provider bills under one ACO's TIN, so no provider
 * has EBRAs with two ACOs for the same template. */
static void write_arrangements(sy_world *w, sy_out *o)
{
    synth__puts(o, "arrangement_id,aco_id,npi,tin,template_id,start_date,end_date,discount_bps,"
               "savings_share_bps,loss_share_bps,stop_gain_bps,stop_loss_bps\n");
    int y = w->o->year;
    int64_t seq = 0;
    static const char *const templates[3] = {"falls_prevention", "functional_independence",
                                             "knee_arthroplasty"};
    for (size_t i = 0; i < w->n_prov; i++) {
        const sy_prov *p = &w->prov[i];
        if (p->aco < 0 || p->aco % 2 != 0) continue;
        int want[3] = {0, 0, 0};
        if (p->role == SP_ORTHO) {
            want[2] = synth_rng_ppm(&w->rng, 800000);
        } else if (p->role == SP_PT || p->role == SP_OT || p->role == SP_GER ||
                   p->role == SP_PMR) {
            if (!synth_rng_ppm(&w->rng, 600000)) continue;
            uint64_t u = synth_rng_below(&w->rng, 100);
            want[0] = u < 85 || p->role == SP_GER;
            want[1] = u >= 40 && p->role != SP_GER;
        }
        for (int t = 0; t < 3; t++) {
            if (!want[t]) continue;
            cara_date start = w->year_start, end = CARA_DATE_NONE;
            if (synth_rng_ppm(&w->rng, 200000))
                start = date_from_ymd(y, 2 + (int)synth_rng_below(&w->rng, 6), 1);
            if (synth_rng_ppm(&w->rng, 100000))
                end = date_from_ymd(y, 8 + (int)synth_rng_below(&w->rng, 5), 1) - 1;
            char line[200];
            snprintf(line, sizeof line, "E%06lld,A%04d,%s,%s,%s,", (long long)++seq,
                     p->aco + 1, p->npi, p->tin, templates[t]);
            synth__puts(o, line);
            synth__put_date(o, start);
            synth__putc(o, ',');
            synth__put_date(o, end);
            if (synth_rng_ppm(&w->rng, 400000)) { /* negotiated terms */
                static const int share[] = {5000, 6000, 7500, 10000};
                static const int stop[] = {500, 1000, 1500, 2000};
                int discount = -500 + 25 * (int)synth_rng_below(&w->rng, 41);
                snprintf(line, sizeof line, ",%d,%d,%d,%d,%d\n", discount,
                         share[synth_rng_below(&w->rng, 4)], share[synth_rng_below(&w->rng, 3)],
                         stop[synth_rng_below(&w->rng, 4)], stop[synth_rng_below(&w->rng, 4)]);
                synth__puts(o, line);
            } else {
                synth__puts(o, ",,,,,\n");
            }
            w->counts->arrangements++;
        }
    }
}

/* ---- the run ----------------------------------------------------------------------------------- */

static void world_free(sy_world *w)
{
    free(w->prov);
    free(w->idx);
    free(w->ridx);
    free(w->off);
    free(w->aco_weight);
}

/* mkdir -p */
static int make_dirs(const char *dir, char *err, size_t errlen)
{
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    memcpy(p, dir, n + 1);
    int rc = 0;
    for (size_t i = 1; i <= n && rc == 0; i++) {
        if (p[i] != '/' && p[i] != '\0') continue;
        char c = p[i];
        p[i] = '\0';
        struct stat st;
        if (mkdir(p, 0777) < 0 && !(errno == EEXIST && stat(p, &st) == 0 && S_ISDIR(st.st_mode))) {
            rc = errno == EEXIST ? -ENOTDIR : -errno;
            snprintf(err, errlen, "%s: cannot create the directory: %s", p, strerror(-rc));
        }
        p[i] = c;
        while (c == '/' && p[i + 1] == '/') i++;
    }
    free(p);
    return rc;
}

int synth_run(const synth_opts *o, synth_counts *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (o->beneficiaries < 1 || o->acos < 1 || o->year < DATE_MIN_YEAR + 1 ||
        o->year > DATE_MAX_YEAR - 1) {
        snprintf(err, errlen, "invalid options");
        return -EINVAL;
    }
    int rc = make_dirs(o->out_dir, err, errlen);
    if (rc < 0) return rc;
    sy_world w = {.o = o, .n_acos = o->acos, .counts = c};
    synth_rng_seed(&w.rng, o->seed);
    w.first_day = date_from_ymd(o->year - 1, 7, 1);
    w.year_start = date_from_ymd(o->year, 1, 1);
    w.year_end = date_from_ymd(o->year, 12, 31);
    w.last_day = date_from_ymd(o->year + 1, 6, 30); /* six months of run-out */
    rc = build_providers(&w);
    /* ACO sizes differ: alignment weights 6, 4, 5, 3, 6, 4, ... (global-track ACOs, the
     * even ones, are the larger) */
    w.aco_weight = rc == 0 ? malloc((size_t)w.n_acos * sizeof *w.aco_weight) : NULL;
    if (rc == 0 && !w.aco_weight) rc = -ENOMEM;
    if (rc < 0) {
        snprintf(err, errlen, "out of memory");
        world_free(&w);
        return rc;
    }
    for (int a = 0; a < w.n_acos; a++)
        w.aco_weight[a] = (a ? w.aco_weight[a - 1] : 0) + (a % 2 == 0 ? 6u : 4u) - (uint32_t)(a / 2 % 2);
    static const char *const names[] = {"acos.csv", "providers.csv", "arrangements.csv",
                                        "eligibility.csv", "alignment.csv", "medical_claim.csv",
                                        "participants.csv"};
    sy_out f[7];
    memset(f, 0, sizeof f);
    for (int i = 0; i < 7 && rc == 0; i++)
        if (i != 5 && synth__out_open(&f[i], o->out_dir, names[i], err, errlen) < 0) rc = -EIO;
    if (rc == 0 && synth__out_open(&w.claims, o->out_dir, names[5], err, errlen) < 0) rc = -EIO;
    if (rc == 0) {
        write_acos(&w, &f[0]);
        write_providers(&w, &f[1]);
        write_arrangements(&w, &f[2]);
        write_participants(&w, &f[6]);
        synth__puts(&f[3], "person_id,gender,birth_date,death_date,enrollment_start_date,"
                       "enrollment_end_date,dual_status_code,medicare_status_code,hospice_flag,"
                       "state,zip_code\n");
        synth__puts(&f[4], "person_id,aco_id,start_date,end_date\n");
        synth__puts(&w.claims,
                "claim_id,claim_line_number,claim_type,person_id,claim_start_date,"
                "claim_end_date,claim_line_start_date,claim_line_end_date,admission_date,"
                "discharge_date,discharge_disposition_code,place_of_service_code,bill_type_code,"
                "revenue_center_code,hcpcs_code,hcpcs_modifier_1,hcpcs_modifier_2,"
                "hcpcs_modifier_3,hcpcs_modifier_4,hcpcs_modifier_5,rendering_npi,rendering_tin,"
                "billing_npi,billing_tin,facility_npi,paid_amount,allowed_amount,"
                "diagnosis_code_type");
        for (int k = 1; k <= 25; k++) {
            char h[32];
            snprintf(h, sizeof h, ",diagnosis_code_%d", k);
            synth__puts(&w.claims, h);
        }
        synth__puts(&w.claims, ",adjustment_type_code,paid_date\n");
        for (int64_t i = 0; i < o->beneficiaries; i++) {
            sy_bene b;
            synth__make_bene(&w, i, &b, &f[3], &f[4]);
            synth__claims_for(&w, &b);
        }
    }
    f[5] = w.claims;
    for (int i = 0; i < 7; i++) {
        if (synth__out_close(&f[i]) < 0 && rc == 0) {
            snprintf(err, errlen, "%s/%s: write error: %s", o->out_dir, names[i],
                     strerror(errno ? errno : EIO));
            rc = -EIO;
        }
    }
    world_free(&w);
    return rc;
}
