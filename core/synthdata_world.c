/*
 * synthdata_world.c: the generator's PRNG, identifiers, ACOs, providers, arrangements,
 * beneficiaries (eligibility, alignment) and the claim row writer. See synthdata.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "date.h"
#include "ids.h"
#include "money.h"
#include "synthdata_internal.h"
#include "util.h"

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

int64_t sy_amount(sy_world *w, int64_t lo, int64_t hi)
{
    return lo + (int64_t)synth_rng_below(&w->rng, (uint64_t)(hi - lo + 1));
}

/* ---- identifiers -------------------------------------------------------------------- */

/* MBI alphabets (domain.md 2): letters without S, L, O, I, B, Z. */
static const char LETTERS[] = "ACDEFGHJKMNPQRTUVWXY";
static const char ALNUM[] = "0123456789ACDEFGHJKMNPQRTUVWXY";

void synth_mbi(uint64_t i, uint64_t salt, char *buf)
{
    /* radices of positions 11..1 */
    static const struct {
        int n;
        const char *set; /* NULL: digits (position 1: 1-9) */
    } pos[11] = {{9, NULL},     {20, LETTERS}, {30, ALNUM}, {10, NULL}, {20, LETTERS},
                 {30, ALNUM},   {10, NULL},    {20, LETTERS}, {20, LETTERS}, {10, NULL},
                 {10, NULL}};
    const unsigned __int128 M = (unsigned __int128)12960000000000ull; /* product of radices */
    uint64_t x = (uint64_t)(((unsigned __int128)i * 7919u + salt % 12960000000000ull) % M);
    for (int p = 10; p >= 0; p--) {
        uint64_t d = x % (uint64_t)pos[p].n;
        x /= (uint64_t)pos[p].n;
        buf[p] = pos[p].set ? pos[p].set[d] : (char)('0' + d + (p == 0));
    }
    buf[11] = '\0';
}

/* The k-th NPI: "1" + 8 digits (a bijection of k) + the Luhn check digit. */
static void make_npi(uint64_t k, uint64_t salt, char *npi)
{
    uint64_t body = (k * 7919u + salt) % 100000000u;
    snprintf(npi, 11, "1%08llu", (unsigned long long)body);
    npi[9] = (char)('0' + npi_check_digit(npi));
    npi[10] = '\0';
}

/* The p-th TIN: an issued prefix and 7 digits. */
static void make_tin(uint64_t p, uint64_t salt, char *tin)
{
    static const char *const prefixes[] = {"10", "11", "12", "13", "14", "15", "16", "20",
                                           "21", "22", "23", "24", "25", "26", "27", "30",
                                           "31", "32", "33", "34", "35", "36", "37", "38"};
    size_t np = sizeof prefixes / sizeof prefixes[0];
    snprintf(tin, 10, "%s%07llu", prefixes[p % np],
             (unsigned long long)((p * 7919u + salt) % 10000000u));
}

/* ---- the world ------------------------------------------------------------------------ */

static const char *const SPECIALTY[SP_N] = {"65", "67", "38", "25", "08", "11", "20",
                                            "",   "",   "",   "",   ""};
static const char *const ROLE_NAME[SP_N] = {"Physical Therapy", "Occupational Therapy",
                                            "Geriatrics", "Physiatry", "Family Practice",
                                            "Internal Medicine", "Orthopedic Surgery", "Hospital",
                                            "Skilled Nursing",
                                            "Home Health", "Rehabilitation Hospital",
                                            "Dialysis Center"};

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

/* Clinicians in practices of four, interleaved so every practice mixes specialties;
 * one practice in (acos + 1) is outside every ACO (the leakage). Then facilities. */
static int build_providers(sy_world *w)
{
    static const int pattern[20] = {SP_PT,  SP_PT,  SP_PT,  SP_PT,  SP_PT,  SP_PT,  SP_OT,
                                    SP_OT,  SP_OT,  SP_GER, SP_GER, SP_PMR, SP_PMR, SP_FP,
                                    SP_FP,  SP_FP,  SP_ORTHO, SP_IM, SP_IM, SP_IM};
    size_t cap = 0;
    int64_t n_clin = w->o->beneficiaries / 250;
    if (n_clin < 40) n_clin = 40;
    int64_t n_practices = n_clin / 4;
    for (int64_t k = 0; k < n_clin; k++) {
        int64_t practice = k % n_practices;
        int slot = (int)(practice % (w->n_acos + 1));
        /* the pattern shifts by one every 20 clinicians so specialties rotate across
         * practices (and so across ACOs) */
        if (add_prov(w, pattern[(k + k / 20) % 20], slot == w->n_acos ? -1 : slot,
                     (uint64_t)practice, &cap))
            return -ENOMEM;
    }
    struct {
        int role;
        int64_t per;
    } fac[] = {{SP_HOSPITAL, 5000}, {SP_SNF, 3000}, {SP_HHA, 4000}, {SP_IRF, 20000},
               {SP_DIALYSIS, 10000}};
    uint64_t tin_seq = (uint64_t)n_practices;
    for (size_t f = 0; f < sizeof fac / sizeof fac[0]; f++) {
        int64_t n = w->o->beneficiaries / fac[f].per + 2;
        for (int64_t i = 0; i < n; i++)
            if (add_prov(w, fac[f].role, -1, tin_seq++, &cap)) return -ENOMEM;
    }
    /* indexes per role, and per ACO and role */
    w->aco_role = calloc((size_t)w->n_acos * SP_N, sizeof *w->aco_role);
    w->n_aco_role = calloc((size_t)w->n_acos * SP_N, sizeof *w->n_aco_role);
    if (!w->aco_role || !w->n_aco_role) return -ENOMEM;
    for (int r = 0; r < SP_N; r++) {
        w->by_role[r] = malloc(w->n_prov * sizeof(size_t));
        if (!w->by_role[r]) return -ENOMEM;
    }
    for (int a = 0; a < w->n_acos * SP_N; a++) {
        w->aco_role[a] = malloc(w->n_prov * sizeof(size_t));
        if (!w->aco_role[a]) return -ENOMEM;
    }
    for (size_t i = 0; i < w->n_prov; i++) {
        const sy_prov *p = &w->prov[i];
        w->by_role[p->role][w->n_role[p->role]++] = i;
        if (p->aco >= 0) {
            size_t k = (size_t)p->aco * SP_N + (size_t)p->role;
            w->aco_role[k][w->n_aco_role[k]++] = i;
        }
    }
    return 0;
}

const sy_prov *sy_pick(sy_world *w, int role, int aco, uint32_t leak_ppm)
{
    size_t k = (size_t)(aco < 0 ? 0 : aco) * SP_N + (size_t)role;
    int outside = aco < 0 || w->n_aco_role[k] == 0 || synth_rng_ppm(&w->rng, leak_ppm);
    if (outside) {
        /* an outside provider of that role if there is one, else anyone */
        size_t n = w->n_role[role], start = (size_t)synth_rng_below(&w->rng, n);
        for (size_t t = 0; t < n; t++) {
            const sy_prov *p = &w->prov[w->by_role[role][(start + t) % n]];
            if (p->aco < 0 || aco < 0) return p;
        }
        return &w->prov[w->by_role[role][start]];
    }
    return &w->prov[w->aco_role[k][synth_rng_below(&w->rng, w->n_aco_role[k])]];
}

/* ---- small CSV helpers ------------------------------------------------------------------ */

static void put_date(FILE *f, cara_date d)
{
    char buf[11];
    if (d != CARA_DATE_NONE) {
        date_format(d, buf);
        fputs(buf, f);
    }
}

static void put_money(FILE *f, int64_t cents)
{
    char buf[32];
    money_format(cents, buf);
    fputs(buf, f);
}

static FILE *open_out(const char *dir, const char *name, char *err, size_t errlen)
{
    char *p = util_path_join(dir, name);
    FILE *f = p ? fopen(p, "w") : NULL;
    if (!f) snprintf(err, errlen, "%s: cannot write: %s", p ? p : name, strerror(errno));
    else setvbuf(f, NULL, _IOFBF, 1 << 20);
    free(p);
    return f;
}

/* ---- reference files ---------------------------------------------------------------------- */

static void write_acos(sy_world *w, FILE *f)
{
    fputs("aco_id,name,track\n", f);
    for (int a = 0; a < w->n_acos; a++) {
        fprintf(f, "A%04d,Synthetic ACO %d,%s\n", a + 1, a + 1, a % 2 == 0 ? "global" : "professional");
        w->counts->acos++;
    }
}

static void write_providers(sy_world *w, FILE *f)
{
    fputs("npi,tin,name,specialty_code\n", f);
    for (size_t i = 0; i < w->n_prov; i++) {
        const sy_prov *p = &w->prov[i];
        if (p->role >= SP_HOSPITAL) continue; /* facilities need not be listed */
        fprintf(f, "%s,%s,%s Provider %zu,%s\n", p->npi, p->tin, ROLE_NAME[p->role], i + 1,
                SPECIALTY[p->role]);
        w->counts->providers++;
    }
}

/* EBRAs with global-track ACOs' therapists, geriatricians and physiatrists. */
static void write_arrangements(sy_world *w, FILE *f)
{
    fputs("arrangement_id,aco_id,npi,tin,template_id,start_date,end_date,discount_bps,"
          "savings_share_bps,loss_share_bps,stop_gain_bps,stop_loss_bps\n", f);
    int y = w->o->year;
    int64_t seq = 0;
    static const char *const templates[3] = {"falls_prevention", "functional_independence",
                                             "knee_arthroplasty"};
    for (size_t i = 0; i < w->n_prov; i++) {
        const sy_prov *p = &w->prov[i];
        if (p->aco < 0 || p->aco % 2 != 0 || (p->role > SP_PMR && p->role != SP_ORTHO)) continue;
        for (int t = 0; t < 3; t++) {
            if ((t == 2) != (p->role == SP_ORTHO)) continue; /* surgeons: knee only */
            if (t == 1 && p->role == SP_GER) continue;
            if (!synth_rng_ppm(&w->rng, t == 0 ? 650000 : t == 1 ? 500000 : 800000)) continue;
            cara_date start = date_from_ymd(y, 1, 1), end = CARA_DATE_NONE;
            if (synth_rng_ppm(&w->rng, 200000))
                start = date_from_ymd(y, 2 + (int)synth_rng_below(&w->rng, 6), 1);
            if (synth_rng_ppm(&w->rng, 100000))
                end = date_from_ymd(y, 8 + (int)synth_rng_below(&w->rng, 5), 1) - 1;
            fprintf(f, "E%06lld,A%04d,%s,%s,%s,", (long long)++seq, p->aco + 1, p->npi, p->tin,
                    templates[t]);
            put_date(f, start);
            fputc(',', f);
            put_date(f, end);
            if (synth_rng_ppm(&w->rng, 400000)) {
                static const int share[] = {5000, 6000, 7500, 10000}, stop[] = {500, 1000, 1500, 2000};
                int discount = -500 + 25 * (int)synth_rng_below(&w->rng, 41);
                fprintf(f, ",%d,%d,%d,%d,%d\n", discount, share[synth_rng_below(&w->rng, 4)],
                        share[synth_rng_below(&w->rng, 3)], stop[synth_rng_below(&w->rng, 4)],
                        stop[synth_rng_below(&w->rng, 4)]);
            } else {
                fputs(",,,,,\n", f);
            }
            w->counts->arrangements++;
        }
    }
}

/* ---- beneficiaries --------------------------------------------------------------------------- */

static const char *const CHRONIC[] = {"E119", "I509", "J449", "N183", "E1122",
                                      "I10",  "E785", "F0390", "I4891", "M1990"};
static const struct {
    const char *state, *zip3;
} STATES[] = {{"MD", "212"}, {"PA", "191"}, {"OH", "441"}, {"FL", "331"}, {"TX", "770"},
              {"CA", "900"}, {"NY", "100"}, {"IL", "606"}, {"GA", "303"}, {"AZ", "850"}};

static void elig_row(FILE *f, const sy_bene *b, const char *gender, cara_date birth,
                     cara_date start, cara_date end, const char *dual, const char *status,
                     int hospice, int st, int zip)
{
    fprintf(f, "%s,%s,", b->mbi, gender);
    put_date(f, birth);
    fputc(',', f);
    put_date(f, b->death);
    fputc(',', f);
    put_date(f, start);
    fputc(',', f);
    put_date(f, end);
    fprintf(f, ",%s,%s,%d,%s,%s%02d\n", dual, status, hospice, STATES[st].state, STATES[st].zip3, zip);
}

/* Draw one beneficiary, write its eligibility and alignment rows. */
static void make_bene(sy_world *w, int64_t i, sy_bene *b, FILE *elig, FILE *align)
{
    synth_rng *r = &w->rng;
    int y = w->o->year;
    memset(b, 0, sizeof *b);
    synth_mbi((uint64_t)i, w->o->seed, b->mbi);
    if (synth_rng_ppm(r, 100000)) b->age = 30 + (int)synth_rng_below(r, 35);
    else {
        int a1 = (int)synth_rng_below(r, 36), a2 = (int)synth_rng_below(r, 36);
        b->age = 65 + (a1 < a2 ? a1 : a2); /* skewed toward the younger old */
    }
    cara_date birth = date_from_ymd(y - b->age - 1, 1, 2) + (int)synth_rng_below(r, 364);
    const char *gender = synth_rng_ppm(r, 550000) ? "female" : "male";
    b->esrd = synth_rng_ppm(r, 10000);
    const char *status = b->esrd ? (b->age < 65 ? "21" : "11") : (b->age < 65 ? "20" : "10");
    char dual[3] = "00";
    b->dual = synth_rng_ppm(r, 180000);
    if (b->dual) dual[1] = (char)('1' + synth_rng_below(r, 8));
    b->death = CARA_DATE_NONE;
    if (synth_rng_ppm(r, b->age >= 85 ? 100000 : 30000))
        b->death = date_from_ymd(y, 1, 15) + (int)synth_rng_below(r, 330);
    b->gap_start = b->gap_end = CARA_DATE_NONE;
    int st = (int)synth_rng_below(r, 10), zip = (int)synth_rng_below(r, 100);
    cara_date start = date_from_ymd(y - 1, 7, 1);
    if (b->death == CARA_DATE_NONE && synth_rng_ppm(r, 30000)) {
        int m = 3 + (int)synth_rng_below(r, 7), len = 1 + (int)synth_rng_below(r, 3);
        b->gap_start = date_from_ymd(y, m, 1);
        b->gap_end = date_from_ymd(y, m + len, 1);
        elig_row(elig, b, gender, birth, start, b->gap_start - 1, dual, status, 0, st, zip);
        elig_row(elig, b, gender, birth, b->gap_end, CARA_DATE_NONE, dual, status, 0, st, zip);
        w->counts->eligibility += 2;
    } else if (synth_rng_ppm(r, 30000)) {
        cara_date h = date_from_ymd(y, 2 + (int)synth_rng_below(r, 9), 1);
        if (b->death != CARA_DATE_NONE && h > b->death) h = b->death;
        elig_row(elig, b, gender, birth, start, h - 1, dual, status, 0, st, zip);
        elig_row(elig, b, gender, birth, h, CARA_DATE_NONE, dual, status, 1, st, zip);
        w->counts->eligibility += 2;
    } else {
        elig_row(elig, b, gender, birth, start, CARA_DATE_NONE, dual, status, 0, st, zip);
        w->counts->eligibility++;
    }
    b->aco = -1;
    if (synth_rng_ppm(r, 950000)) {
        b->aco = (int)synth_rng_below(r, (uint64_t)w->n_acos);
        cara_date a0 = synth_rng_ppm(r, 900000) ? date_from_ymd(y, 1, 1)
                                                : date_from_ymd(y, 2 + (int)synth_rng_below(r, 3), 1);
        fprintf(align, "%s,A%04d,", b->mbi, b->aco + 1);
        put_date(align, a0);
        fputc(',', align);
        put_date(align, date_from_ymd(y, 12, 31));
        fputc('\n', align);
        w->counts->alignment++;
    }
    int n_chronic = (int)synth_rng_below(r, 100);
    n_chronic = n_chronic < 35 ? 0 : n_chronic < 65 ? 1 : n_chronic < 85 ? 2 : n_chronic < 95 ? 3 : 4;
    for (int k = 0; k < n_chronic; k++) b->chronic[k] = CHRONIC[synth_rng_below(r, 10)];
}

/* ---- the claim writer ------------------------------------------------------------------------- */

static void write_claim_rows(sy_world *w, const sy_bene *b, const sy_claim *c, const char *id,
                             int adj, int scale_pct)
{
    FILE *f = w->claims;
    static const char *const types[] = {"", "institutional", "professional", "dme"};
    for (int i = 0; i < c->n_lines; i++) {
        const sy_line *l = &c->line[i];
        int inst = c->type == CARA_CLAIM_INSTITUTIONAL;
        fprintf(f, "%s,%d,%s,%s,", id, i + 1, types[c->type], b->mbi);
        put_date(f, c->start);
        fputc(',', f);
        put_date(f, c->end);
        fputc(',', f);
        put_date(f, inst ? c->start : l->d);
        fputc(',', f);
        put_date(f, inst ? c->end : l->d);
        fputc(',', f);
        put_date(f, c->adm);
        fputc(',', f);
        put_date(f, c->dis);
        fprintf(f, ",%s,%s,%s,%s,%s,%s,,,,,", c->disp ? c->disp : "", l->pos ? l->pos : "",
                c->bill ? c->bill : "", l->rev ? l->rev : "", l->hcpcs ? l->hcpcs : "",
                l->mod ? l->mod : "");
        const sy_prov *bill = l->rend ? l->rend : c->facility;
        fprintf(f, "%s,%s,%s,%s,%s,", l->rend ? l->rend->npi : "", l->rend ? l->rend->tin : "",
                bill ? bill->npi : "", bill ? bill->tin : "",
                inst && c->facility ? c->facility->npi : "");
        put_money(f, l->paid * scale_pct / 100);
        fputc(',', f);
        put_money(f, l->allowed * scale_pct / 100);
        fputs(",icd-10-cm", f);
        for (int k = 0; k < 25; k++) {
            fputc(',', f);
            if (k < c->n_dx) fputs(c->dx[k], f);
        }
        fprintf(f, ",%d\n", adj);
        w->counts->claim_lines++;
    }
}

void sy_emit_claim(sy_world *w, const sy_bene *b, sy_claim *c)
{
    if (c->n_lines == 0) return;
    if (c->type != CARA_CLAIM_INSTITUTIONAL) { /* header dates from the lines */
        c->start = c->end = c->line[0].d;
        for (int i = 1; i < c->n_lines; i++) {
            if (c->line[i].d < c->start) c->start = c->line[i].d;
            if (c->line[i].d > c->end) c->end = c->line[i].d;
        }
    }
    char id[24];
    snprintf(id, sizeof id, "C%010lld", (long long)++w->claim_seq);
    write_claim_rows(w, b, c, id, 0, 100);
    uint64_t u = synth_rng_below(&w->rng, 1000);
    if (u < 10) /* 1%: a later adjustment with new amounts */
        write_claim_rows(w, b, c, id, 2, 90 + (int)synth_rng_below(&w->rng, 21));
    else if (u < 14) /* 0.4%: cancelled */
        write_claim_rows(w, b, c, id, 1, 100);
}

/* ---- the run ----------------------------------------------------------------------------------- */

static void world_free(sy_world *w)
{
    free(w->prov);
    for (int r = 0; r < SP_N; r++) free(w->by_role[r]);
    if (w->aco_role)
        for (int a = 0; a < w->n_acos * SP_N; a++) free(w->aco_role[a]);
    free(w->aco_role);
    free(w->n_aco_role);
}

int synth_run(const synth_opts *o, synth_counts *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (mkdir(o->out_dir, 0777) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create: %s", o->out_dir, strerror(errno));
        return -errno;
    }
    sy_world w = {.o = o, .n_acos = o->acos, .counts = c};
    synth_rng_seed(&w.rng, o->seed);
    w.first_day = date_from_ymd(o->year - 1, 7, 1);
    w.last_day = date_from_ymd(o->year + 1, 6, 30); /* six months of run-out */
    int rc = build_providers(&w);
    if (rc < 0) {
        snprintf(err, errlen, "out of memory");
        world_free(&w);
        return rc;
    }
    static const char *const names[] = {"acos.csv", "providers.csv", "arrangements.csv",
                                        "eligibility.csv", "alignment.csv", "medical_claim.csv"};
    FILE *f[6] = {0};
    for (int i = 0; i < 6 && rc == 0; i++)
        if (!(f[i] = open_out(o->out_dir, names[i], err, errlen))) rc = -EIO;
    if (rc == 0) {
        write_acos(&w, f[0]);
        write_providers(&w, f[1]);
        write_arrangements(&w, f[2]);
        fputs("person_id,gender,birth_date,death_date,enrollment_start_date,"
              "enrollment_end_date,dual_status_code,medicare_status_code,hospice_flag,state,"
              "zip_code\n", f[3]);
        fputs("person_id,aco_id,start_date,end_date\n", f[4]);
        fputs("claim_id,claim_line_number,claim_type,person_id,claim_start_date,"
              "claim_end_date,claim_line_start_date,claim_line_end_date,admission_date,"
              "discharge_date,discharge_disposition_code,place_of_service_code,bill_type_code,"
              "revenue_center_code,hcpcs_code,hcpcs_modifier_1,hcpcs_modifier_2,"
              "hcpcs_modifier_3,hcpcs_modifier_4,hcpcs_modifier_5,rendering_npi,rendering_tin,"
              "billing_npi,billing_tin,facility_npi,paid_amount,allowed_amount,"
              "diagnosis_code_type", f[5]);
        for (int k = 1; k <= 25; k++) fprintf(f[5], ",diagnosis_code_%d", k);
        fputs(",adjustment_type_code\n", f[5]);
        w.claims = f[5];
        for (int64_t i = 0; i < o->beneficiaries; i++) {
            sy_bene b;
            make_bene(&w, i, &b, f[3], f[4]);
            sy_claims_for(&w, &b);
        }
    }
    for (int i = 0; i < 6; i++) {
        if (f[i] && (ferror(f[i]) | fclose(f[i])) && rc == 0) {
            snprintf(err, errlen, "%s/%s: write error: %s", o->out_dir, names[i], strerror(errno));
            rc = -EIO;
        }
    }
    world_free(&w);
    return rc;
}
