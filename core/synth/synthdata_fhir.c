/*
 * synthdata_fhir.c: the synthetic CSV layer as BCDA v2 (FHIR R4) NDJSON, into DIR/fhir/
 * (see synthdata_conv.h and docs/input-formats.md): Patient.ndjson (one per person),
 * Coverage.ndjson (one Part B Coverage per eligibility span) and
 * ExplanationOfBenefit.ndjson (one per claim version, in file order, lastUpdated the
 * version's IDR load date as in the CCLF form), in the shapes the Beneficiary FHIR Data
 * server (BFD, behind BCDA v2) writes: the claim type as nch_clm_type_cd, eob-type and
 * claim-type codings, the institutional provider as a contained Organization, the type
 * of bill split over clm_fac_type_cd / clm_srvc_clsfctn_type_cd / clm_freq_cd, careTeam
 * NPIs with the C4BB npi identifier type, line amounts with the C4BB and BB adjudication
 * codings, and the claim payment. The JSON text is written directly (one compact
 * resource per line) so that money goes from integer cents to JSON numbers without
 * floating point.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "synthdata_conv.h"
#include "synthdata_internal.h"

#define NPI_SYS "http://hl7.org/fhir/sid/us-npi"
#define BB "https://bluebutton.cms.gov/resources/"
#define C4BB "http://hl7.org/fhir/us/carin-bb/CodeSystem/"

/* ---- a JSON text writer ------------------------------------------------------------------ */

static void js_str(sy_out *o, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    synth__putc(o, '"');
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"' || ch == '\\') {
            synth__putc(o, '\\');
            synth__putc(o, (char)ch);
        } else if (ch < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
            synth__put(o, e, 6);
        } else {
            synth__putc(o, (char)ch);
        }
    }
    synth__putc(o, '"');
}

/* ,"key": (or "key": as the first member when first is set) */
static void js_key(sy_out *o, const char *key, int first)
{
    if (!first) synth__putc(o, ',');
    js_str(o, key);
    synth__putc(o, ':');
}

static void js_kv(sy_out *o, const char *key, const char *val, int first)
{
    js_key(o, key, first);
    js_str(o, val);
}

/* {"system":sys,"code":code} */
static void js_coding(sy_out *o, const char *sys, const char *code)
{
    synth__putc(o, '{');
    js_kv(o, "system", sys, 1);
    js_kv(o, "code", code, 0);
    synth__putc(o, '}');
}

/* {"coding":[{"system":sys,"code":code}]} */
static void js_concept(sy_out *o, const char *sys, const char *code)
{
    synth__puts(o, "{\"coding\":[");
    js_coding(o, sys, code);
    synth__puts(o, "]}");
}

/* {"system":sys,"code":code,"display":display} */
static void js_coding_d(sy_out *o, const char *sys, const char *code, const char *display)
{
    synth__putc(o, '{');
    js_kv(o, "system", sys, 1);
    js_kv(o, "code", code, 0);
    js_kv(o, "display", display, 0);
    synth__putc(o, '}');
}

/* An NPI identifier as BFD v2 types it (C4BB identifier type npi), with the NPI system
 * too: {"type":{"coding":[{...npi}]},"system":NPI,"value":npi} */
static void js_npi_ident(sy_out *o, const char *npi)
{
    synth__puts(o, "{\"type\":{\"coding\":[");
    js_coding_d(o, C4BB "C4BBIdentifierType", "npi", "National Provider Identifier");
    synth__puts(o, "]}");
    js_kv(o, "system", NPI_SYS, 0);
    js_kv(o, "value", npi, 0);
    synth__putc(o, '}');
}

/* {"identifier":<NPI identifier>} */
static void js_npi_ref(sy_out *o, const char *npi)
{
    synth__puts(o, "{\"identifier\":");
    js_npi_ident(o, npi);
    synth__putc(o, '}');
}

/* An extension whose url is the BB variable var with a coded value:
 * {"url":BB var,"valueCoding":{"system":BB var,"code":code}} */
static void js_bb_ext(sy_out *o, const char *var, const char *code)
{
    char url[160];
    snprintf(url, sizeof url, BB "variables/%s", var);
    synth__putc(o, '{');
    js_kv(o, "url", url, 1);
    js_key(o, "valueCoding", 0);
    js_coding(o, url, code);
    synth__putc(o, '}');
}

/* "key":{"start":..,"end":..}, each only when not empty */
static void js_period(sy_out *o, const char *key, const char *start, const char *end)
{
    js_key(o, key, 0);
    synth__putc(o, '{');
    int first = 1;
    if (*start) js_kv(o, "start", start, first), first = 0;
    if (*end) js_kv(o, "end", end, first);
    synth__putc(o, '}');
}

/* ---- Patient, Coverage -------------------------------------------------------------------- */

static void patient(sy_out *o, const sc_person *p)
{
    synth__putc(o, '{');
    js_kv(o, "resourceType", "Patient", 1);
    js_kv(o, "id", p->mbi, 0);
    synth__puts(o, ",\"identifier\":[{");
    js_kv(o, "system", "http://hl7.org/fhir/sid/us-mbi", 1);
    js_kv(o, "value", p->mbi, 0);
    synth__puts(o, "}]");
    js_kv(o, "gender", !strcmp(p->gender, "male") || !strcmp(p->gender, "female") ? p->gender
                                                                                    : "unknown",
          0);
    if (*p->birth) js_kv(o, "birthDate", p->birth, 0);
    if (*p->death) js_kv(o, "deceasedDateTime", p->death, 0);
    if (*p->state || *p->zip) {
        synth__puts(o, ",\"address\":[{");
        int first = 1;
        if (*p->state) js_kv(o, "state", p->state, first), first = 0;
        if (*p->zip) js_kv(o, "postalCode", p->zip, first);
        synth__puts(o, "}]");
    }
    synth__puts(o, "}\n");
}

static void coverage(sy_out *o, const sc_person *p, int n)
{
    const sc_span *s = &p->span[n];
    char id[40];
    snprintf(id, sizeof id, "part-b-%s-%d", p->mbi, n + 1);
    synth__putc(o, '{');
    js_kv(o, "resourceType", "Coverage", 1);
    js_kv(o, "id", id, 0);
    js_kv(o, "status", "active", 0);
    js_key(o, "type", 0);
    js_concept(o, "Medicare", "Part B");
    synth__puts(o, ",\"grouping\":{\"subGroup\":\"Medicare\",\"subPlan\":\"Part B\"}");
    synth__puts(o, ",\"beneficiary\":{\"reference\":");
    char ref[24];
    snprintf(ref, sizeof ref, "Patient/%s", p->mbi);
    js_str(o, ref);
    synth__putc(o, '}');
    js_period(o, "period", s->start, s->end);
    synth__puts(o, ",\"extension\":[{");
    js_kv(o, "url", BB "variables/ms_cd", 1);
    js_key(o, "valueCoding", 0);
    js_coding(o, BB "variables/ms_cd", s->status);
    synth__puts(o, "},{");
    js_kv(o, "url", BB "variables/dual_12", 1);
    js_key(o, "valueCoding", 0);
    js_coding(o, BB "variables/dual_12", s->dual);
    synth__puts(o, "}]}\n");
}

/* ---- ExplanationOfBenefit ------------------------------------------------------------------ */

typedef struct eob_kind {
    const char *prefix, *code;
} eob_kind;

static eob_kind kind_of(const sc_claim *v)
{
    static const struct {
        const char *bill;
        eob_kind k;
    } T[] = {{"11", {"inpatient-", "INPATIENT"}}, {"12", {"inpatient-", "INPATIENT"}},
             {"13", {"outpatient-", "OUTPATIENT"}}, {"14", {"outpatient-", "OUTPATIENT"}},
             {"18", {"snf-", "SNF"}}, {"21", {"snf-", "SNF"}}, {"22", {"snf-", "SNF"}},
             {"32", {"hha-", "HHA"}}, {"33", {"hha-", "HHA"}}, {"34", {"hha-", "HHA"}},
             {"81", {"hospice-", "HOSPICE"}}, {"82", {"hospice-", "HOSPICE"}}};
    if (v->type == SC_PROFESSIONAL) return (eob_kind){"carrier-", "CARRIER"};
    if (v->type == SC_DME) return (eob_kind){"dme-", "DME"};
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (!strncmp(v->bill, T[i].bill, 2)) return T[i].k;
    return (eob_kind){"outpatient-", "OUTPATIENT"};
}

/* The care team: distinct rendering (npi, tin) pairs in line order (institutional: the
 * attending). Returns how many; team[k] indexes a line holding pair k. */
static int care_team(const sc_claim *v, int *team, int max)
{
    int n = 0;
    for (int i = 0; i < v->n_lines; i++) {
        const sc_line *l = &v->line[i];
        if (!*l->rend_npi) continue;
        int k = 0;
        while (k < n && (strcmp(v->line[team[k]].rend_npi, l->rend_npi) ||
                         strcmp(v->line[team[k]].rend_tin, l->rend_tin)))
            k++;
        if (k == n && n < max) team[n++] = i;
        if (v->type == SC_INSTITUTIONAL && n) break; /* one attending */
    }
    return n;
}

static int team_of(const sc_claim *v, const int *team, int n, const sc_line *l)
{
    for (int k = 0; k < n; k++)
        if (!strcmp(v->line[team[k]].rend_npi, l->rend_npi) &&
            !strcmp(v->line[team[k]].rend_tin, l->rend_tin))
            return k + 1;
    return 0;
}


/* One supportingInfo entry of a C4BB category with a coded value. */
static void info_code(sy_out *o, int *seq, const char *category, const char *system,
                      const char *code)
{
    char n[48];
    snprintf(n, sizeof n, "%s{\"sequence\":%d", *seq ? "," : "", *seq + 1);
    ++*seq;
    synth__puts(o, n);
    js_key(o, "category", 0);
    js_concept(o, C4BB "C4BBSupportingInfoType", category);
    js_key(o, "code", 0);
    js_concept(o, system, code);
    synth__putc(o, '}');
}

static void supporting_info(sy_out *o, const sc_claim *v)
{
    int seq = 0;
    char n[16];
    synth__puts(o, ",\"supportingInfo\":[");
    if (*v->adm) {
        snprintf(n, sizeof n, "{\"sequence\":%d", ++seq);
        synth__puts(o, n);
        js_key(o, "category", 0);
        js_concept(o, C4BB "C4BBSupportingInfoType", "admissionperiod");
        js_period(o, "timingPeriod", v->adm, v->dis);
        synth__putc(o, '}');
    }
    if (v->bill[0] && v->bill[1] && v->bill[2]) { /* BFD: the frequency digit */
        char freq[2] = {v->bill[2], '\0'};
        info_code(o, &seq, "typeofbill", BB "variables/clm_freq_cd", freq);
    }
    if (*v->disp)
        info_code(o, &seq, "discharge-status", BB "variables/ptnt_dschrg_stus_cd", v->disp);
    synth__putc(o, ']');
}

/* {"value":dollars,"currency":"USD"} from integer cents */
static void js_money(sy_out *o, int64_t cents)
{
    char m[32];
    money_format(cents, m);
    synth__puts(o, "{\"value\":");
    synth__puts(o, m);
    synth__puts(o, ",\"currency\":\"USD\"}");
}

/* One line amount, its category coded as BFD does: a generic (sys, code) coding, then
 * the BB variable var. */
static void adjudication(sy_out *o, const char *sys, const char *code, const char *var,
                         int64_t cents, int first)
{
    synth__puts(o, first ? "{\"category\":{\"coding\":[" : ",{\"category\":{\"coding\":[");
    js_coding(o, sys, code);
    synth__putc(o, ',');
    js_coding(o, BB "codesystem/adjudication", var);
    synth__puts(o, "]},\"amount\":");
    js_money(o, cents);
    synth__putc(o, '}');
}

static void item(sy_out *o, const sc_claim *v, const sc_line *l, int team, int first)
{
    char n[48];
    synth__puts(o, first ? "{" : ",{");
    if (v->type != SC_INSTITUTIONAL) { /* allowed (processed and paid) */
        synth__puts(o, "\"extension\":[");
        js_bb_ext(o, "line_prcsg_ind_cd", "A");
        synth__puts(o, "],");
    }
    snprintf(n, sizeof n, "\"sequence\":%ld", l->num);
    synth__puts(o, n);
    if (team) {
        snprintf(n, sizeof n, ",\"careTeamSequence\":[%d]", team);
        synth__puts(o, n);
    }
    if (*l->hcpcs) {
        js_key(o, "productOrService", 0);
        js_concept(o, BB "codesystem/hcpcs", l->hcpcs);
    }
    int mods = 0;
    for (int m = 0; m < 5; m++) {
        if (!*l->mod[m]) continue;
        synth__puts(o, mods++ ? "," : ",\"modifier\":[");
        js_concept(o, BB "codesystem/hcpcs", l->mod[m]);
    }
    if (mods) synth__putc(o, ']');
    if (*l->from || *l->thru) js_period(o, "servicedPeriod", l->from, l->thru);
    if (*l->pos) {
        js_key(o, "locationCodeableConcept", 0);
        js_concept(o, BB "variables/line_place_of_srvc_cd", l->pos);
    }
    if (v->type == SC_INSTITUTIONAL && *l->rev) {
        js_key(o, "revenue", 0);
        js_concept(o, BB "variables/rev_cntr", l->rev);
    }
    synth__puts(o, ",\"adjudication\":[");
    if (v->type == SC_INSTITUTIONAL) /* the revenue center's payment */
        adjudication(o, C4BB "C4BBAdjudication", "paidtoprovider",
                     BB "variables/rev_cntr_pmt_amt_amt", l->paid, 1);
    else
        adjudication(o, "http://terminology.hl7.org/CodeSystem/adjudication", "benefit",
                     BB "variables/line_nch_pmt_amt", l->paid, 1);
    adjudication(o, "http://terminology.hl7.org/CodeSystem/adjudication", "eligible",
                 BB "variables/line_alowd_chrg_amt", l->allowed, 0);
    synth__puts(o, "]}");
}

/* Whether a professional line bills under another NPI or TIN than it renders under. */
static const sc_line *separate_billing(const sc_claim *v)
{
    for (int i = 0; i < v->n_lines; i++) {
        const sc_line *l = &v->line[i];
        if (*l->bill_npi && (strcmp(l->bill_npi, l->rend_npi) || strcmp(l->bill_tin, l->rend_tin)))
            return l;
    }
    return NULL;
}

/* The billing facility as BFD v2 contains it: an Organization with the CCN (a stand-in:
 * the NPI's last six digits, as in the CCLF form) and the NPI. */
static void provider_org(sy_out *o, const sc_claim *v)
{
    size_t fl = strlen(v->fac_npi);
    synth__puts(o, ",\"contained\":[{");
    js_kv(o, "resourceType", "Organization", 1);
    js_kv(o, "id", "provider-org", 0);
    synth__puts(o, ",\"identifier\":[{\"type\":{\"coding\":[");
    js_coding(o, "http://terminology.hl7.org/CodeSystem/v2-0203", "PRN");
    synth__puts(o, "]}");
    js_kv(o, "value", v->fac_npi + (fl > 6 ? fl - 6 : 0), 0);
    synth__puts(o, "},");
    js_npi_ident(o, v->fac_npi);
    synth__puts(o, "],\"active\":true}]");
}

static void eob(sy_out *o, const sc_claim *v)
{
    eob_kind k = kind_of(v);
    int inst = v->type == SC_INSTITUTIONAL;
    char buf[80], date[11];
    synth__putc(o, '{');
    js_kv(o, "resourceType", "ExplanationOfBenefit", 1);
    snprintf(buf, sizeof buf, "%s%s", k.prefix, v->id);
    js_kv(o, "id", buf, 0);
    date_format(v->load, date);
    snprintf(buf, sizeof buf, "%sT12:00:00.000+00:00", date);
    synth__puts(o, ",\"meta\":{");
    js_kv(o, "lastUpdated", buf, 1);
    synth__putc(o, '}');
    if (inst && *v->fac_npi) provider_org(o, v);
    synth__puts(o, ",\"extension\":[");
    if (inst) { /* the type of bill's classification digit (BFD) */
        char cls[2] = {v->bill[0] ? v->bill[1] : '\0', '\0'};
        js_bb_ext(o, "clm_srvc_clsfctn_type_cd", cls);
    } else { /* carr_clm_pmt_dnl_cd 1: paid to the physician or supplier */
        js_bb_ext(o, "carr_clm_pmt_dnl_cd", "1");
    }
    synth__puts(o, "],\"identifier\":[{\"type\":{\"coding\":[");
    js_coding_d(o, C4BB "C4BBIdentifierType", "uc", "Unique Claim ID");
    synth__puts(o, "]}");
    js_kv(o, "system", BB "variables/clm_id", 0);
    js_kv(o, "value", v->id, 0);
    synth__puts(o, "}]");
    js_kv(o, "status", v->adj == 1 ? "cancelled" : "active", 0);
    synth__puts(o, ",\"type\":{\"coding\":[");
    js_coding(o, BB "variables/nch_clm_type_cd", sc_clm_type_cd(v));
    synth__putc(o, ',');
    js_coding(o, BB "codesystem/eob-type", k.code);
    synth__putc(o, ',');
    js_coding_d(o, "http://terminology.hl7.org/CodeSystem/claim-type",
                inst ? "institutional" : "professional", inst ? "Institutional" : "Professional");
    synth__puts(o, "]}");
    js_kv(o, "use", "claim", 0);
    snprintf(buf, sizeof buf, "Patient/%s", v->mbi);
    synth__puts(o, ",\"patient\":{");
    js_kv(o, "reference", buf, 1);
    synth__putc(o, '}');
    js_period(o, "billablePeriod", v->from, v->thru);
    const sc_line *sep = inst ? NULL : separate_billing(v);
    if (inst && *v->fac_npi) {
        synth__puts(o, ",\"provider\":{\"reference\":\"#provider-org\"}");
        char fac[2] = {v->bill[0], '\0'}; /* the type of bill's facility digit */
        synth__puts(o, ",\"facility\":{\"extension\":[");
        js_bb_ext(o, "clm_fac_type_cd", fac);
        synth__puts(o, "]}");
    } else if (sep) {
        js_key(o, "provider", 0);
        synth__puts(o, "{\"identifier\":");
        js_npi_ident(o, sep->bill_npi);
        if (*sep->bill_tin) {
            synth__puts(o, ",\"extension\":[{");
            js_kv(o, "url", BB "variables/tax_num", 1);
            js_key(o, "valueCoding", 0);
            js_coding(o, BB "variables/tax_num", sep->bill_tin);
            synth__puts(o, "}]");
        }
        synth__putc(o, '}');
    }
    if (inst) supporting_info(o, v);
    int team[64], n_team = care_team(v, team, 64);
    if (n_team) {
        synth__puts(o, ",\"careTeam\":[");
        for (int t = 0; t < n_team; t++) {
            const sc_line *l = &v->line[team[t]];
            snprintf(buf, sizeof buf, "%s{\"sequence\":%d,\"provider\":", t ? "," : "", t + 1);
            synth__puts(o, buf);
            js_npi_ref(o, l->rend_npi);
            js_key(o, "role", 0);
            js_concept(o, C4BB "C4BBClaimCareTeamRole", inst ? "attending" : "performing");
            if (*l->rend_tin) {
                synth__puts(o, ",\"extension\":[{");
                js_kv(o, "url", BB "variables/tax_num", 1);
                js_key(o, "valueCoding", 0);
                js_coding(o, BB "variables/tax_num", l->rend_tin);
                synth__puts(o, "}]");
            }
            synth__putc(o, '}');
        }
        synth__putc(o, ']');
    }
    if (v->n_dx) {
        synth__puts(o, ",\"diagnosis\":[");
        for (int i = 0; i < v->n_dx; i++) {
            snprintf(buf, sizeof buf, "%s{\"sequence\":%d", i ? "," : "", i + 1);
            synth__puts(o, buf);
            js_key(o, "diagnosisCodeableConcept", 0);
            js_concept(o, "http://hl7.org/fhir/sid/icd-10-cm", v->dx[i]);
            if (i == 0) {
                synth__puts(o, ",\"type\":[");
                js_concept(o, "http://terminology.hl7.org/CodeSystem/ex-diagnosistype",
                           "principal");
                synth__putc(o, ']');
            }
            synth__putc(o, '}');
        }
        synth__putc(o, ']');
    }
    synth__puts(o, ",\"item\":[");
    int64_t paid = 0;
    for (int i = 0; i < v->n_lines; i++) {
        item(o, v, &v->line[i], team_of(v, team, n_team, &v->line[i]), i == 0);
        paid += v->line[i].paid;
    }
    synth__puts(o, "],\"payment\":{\"amount\":"); /* what Medicare paid on the claim */
    js_money(o, paid);
    synth__puts(o, "}}\n");
}

/* ---- the run -------------------------------------------------------------------------------- */

static int people(const synth_opts *o, const char *dir, synth_conv_counts *c, char *err,
                  size_t errlen)
{
    sc_people r;
    sc_person p = {0};
    sy_out out[3];
    static const char *const names[] = {"Patient.ndjson", "Coverage.ndjson", "eligibility.csv"};
    memset(out, 0, sizeof out);
    int rc = sc_people_open(&r, o->out_dir, err, errlen);
    for (int i = 0; i < 3 && rc == 0; i++)
        if (synth__out_open(&out[i], dir, names[i], err, errlen) < 0) rc = -EIO;
    if (rc == 0) synth__puts(&out[2], sc_elig_header);
    while (rc == 0 && (rc = sc_people_next(&r, &p, err, errlen)) == 1) {
        rc = 0;
        c->people++;
        patient(&out[0], &p);
        c->patients++;
        int hospice = 0;
        for (int i = 0; i < p.n_span; i++) {
            coverage(&out[1], &p, i);
            c->coverages++;
            hospice |= p.span[i].hospice;
        }
        if (hospice) { /* no hospice flag in these resources */
            synth__put(&out[2], p.raw, p.raw_len);
            if (p.raw_len && p.raw[p.raw_len - 1] != '\n') synth__putc(&out[2], '\n');
            c->elig_copied++;
        }
    }
    sc_person_free(&p);
    sc_people_close(&r);
    for (int i = 0; i < 3; i++)
        if (synth__out_close(&out[i]) < 0 && rc == 0) {
            snprintf(err, errlen, "%s/%s: write error", dir, names[i]);
            rc = -EIO;
        }
    return rc < 0 ? rc : 0;
}

static int claims(const synth_opts *o, const char *dir, synth_conv_counts *c, char *err,
                  size_t errlen)
{
    sc_claims r;
    sc_claim v = {0};
    sy_out out;
    int rc = sc_claims_open(&r, o->out_dir, err, errlen);
    if (rc < 0) return rc;
    if (synth__out_open(&out, dir, "ExplanationOfBenefit.ndjson", err, errlen) < 0) {
        sc_claims_close(&r);
        return -EIO;
    }
    while ((rc = sc_claims_next(&r, &v, err, errlen)) == 1) {
        c->versions++;
        eob(&out, &v);
        c->eobs++;
    }
    sc_claim_free(&v);
    sc_claims_close(&r);
    if (synth__out_close(&out) < 0 && rc == 0) {
        snprintf(err, errlen, "%s/ExplanationOfBenefit.ndjson: write error", dir);
        rc = -EIO;
    }
    return rc < 0 ? rc : 0;
}

int synth_fhir_convert(const synth_opts *o, synth_conv_counts *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    char *dir;
    int rc = sc_make_subdir(o->out_dir, "fhir", &dir, err, errlen);
    if (rc < 0) return rc;
    rc = sc_copy_own_files(o->out_dir, "fhir", err, errlen);
    if (rc == 0) rc = people(o, dir, c, err, errlen);
    if (rc == 0) rc = claims(o, dir, c, err, errlen);
    free(dir);
    return rc;
}
