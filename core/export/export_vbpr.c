/*
 * export_vbpr.c: the Da Vinci Value-Based Performance Reporting (VBPR) MeasureReports of an
 * export_data: one per arrangement (EBRA) and performance year, in a FHIR R4 Bundle (type
 * collection) with the Measures, Practitioners and Organizations they name
 * (docs/exports.md).
 *
 * The profile: Da Vinci Value-Based Performance Reporting, STU 1.1 (1.1.0), FHIR 4.0.1,
 * http://hl7.org/fhir/us/davinci-vbpr/ (StructureDefinition-vbp-performance-measurereport
 * .html and its intro, guidance.html; the IG's source, github HL7/davinci-vbpr,
 * input/resources/StructureDefinition-vbp-performance-measurereport.json and
 * the .fsh files of input/fsh). What it asks and where this file does it:
 *
 * MeasureReport, http://hl7.org/fhir/us/davinci-vbpr/StructureDefinition/
 * vbp-performance-measurereport:
 *   extension measurereport-category 1..1 (http://hl7.org/fhir/StructureDefinition/
 *     measurereport-category), valueCodeableConcept.coding 1..1, code fixed "vbp" (the
 *     examples' system: http://hl7.org/fhir/CodeSystem/measurereport-category)
 *   status 1..1 MS ............... complete; pending while the result is interim
 *   type fixed summary
 *   measure 1..1, canonical(vbp-measure) ... the EBRA's Measure in the Bundle
 *   subject 1..1 Reference(us-core-practitioner | us-core-practitionerrole | Group) with
 *     subject.extension organization-subject 1..1 (valueReference us-core-organization;
 *     guidance.html: "the subject of the report is always an organization") ... the
 *     specialist's Practitioner, with the TIN's Organization as orgSubject
 *   date 1..1 ..................... generated_at
 *   reporter 1..1 Reference(us-core-organization) ... the ACO (the EBRA's payer)
 *   period 1..1 (base) MS .......... the performance year, January 1 to December 31
 *   improvementNotation 0..0
 *   group MS; group.code 1..1, extensible binding to ValueSet vbp-performance-metric
 *     (CodeSystem http://hl7.org/fhir/us/davinci-vbpr/CodeSystem/vbp-performance-metric);
 *     group.extension slices paymentStream 0..* (payment-stream: complex, type 1..1
 *     valueCodeableConcept from CodeSystem .../CodeSystem/payment-stream, here "eoc",
 *     episode of care), servicePeriod 0..1 (service-period, valuePeriod), paidThroughDate
 *     0..1 (paid-through-date, valueDate); group.measureScore (Quantity) with the
 *     alternate-measurescore extension (value decimal | integer | Money | CodeableConcept
 *     | boolean) for money and codes, as the IG's examples do for money.
 *   The metric codes: cost-target, med-cost, variance-cost and earnings-ssl come from the
 *   IG's code system; the rest (episodes, actual-winsorized, quality-score,
 *   quality-adjusted-savings, cap-applied, reconciliation-status) have no code there and
 *   are cara's (CARA_CS_METRIC), as the extensible binding permits and the IG's example
 *   vbp-measurereport104 does with a local system.
 * Measure, http://hl7.org/fhir/us/davinci-vbpr/StructureDefinition/vbp-measure (parent
 *   CRMI ShareableMeasure: url, version, name, title, status, experimental, publisher,
 *   description), "value-based contract level information": identifier the contract id,
 *   effectivePeriod the contract term, extensions lob (SOPT 1 MEDICARE), programModel
 *   (hcplan: HCP-LAN APM category 3B with downside risk, else 3A) and paymentStream (eoc);
 *   scoring, compositeScoring, improvementNotation 0..0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "export.h"
#include "export_fhir_common.h"

#define VBPR "http://hl7.org/fhir/us/davinci-vbpr/"
#define VBPR_REPORT VBPR "StructureDefinition/vbp-performance-measurereport"
#define VBPR_MEASURE VBPR "StructureDefinition/vbp-measure"
#define EXT_CATEGORY "http://hl7.org/fhir/StructureDefinition/measurereport-category"
#define CS_CATEGORY "http://hl7.org/fhir/CodeSystem/measurereport-category"
#define EXT_ORG_SUBJECT VBPR "StructureDefinition/organization-subject"
#define EXT_STREAM VBPR "StructureDefinition/payment-stream"
#define EXT_SERVICE VBPR "StructureDefinition/service-period"
#define EXT_PAID VBPR "StructureDefinition/paid-through-date"
#define EXT_ALT_SCORE VBPR "StructureDefinition/alternate-measurescore"
#define EXT_LOB VBPR "StructureDefinition/lob"
#define EXT_PROGRAM VBPR "StructureDefinition/program-model"
#define CS_METRIC VBPR "CodeSystem/vbp-performance-metric"
#define CS_STREAM VBPR "CodeSystem/payment-stream"
#define CS_HCPLAN "http://terminology.hl7.org/CodeSystem/hcp-lan-apm-framework"
#define CS_SOPT "https://nahdo.org/sopt"
#define CS_POPULATION "http://terminology.hl7.org/CodeSystem/measure-population"
#define US_CORE "http://hl7.org/fhir/us/core/StructureDefinition/"

/* ---- pieces ---- */

/* paymentStream {type: payment-stream#eoc} */
static json_t *stream(xf_b *b)
{
    json_t *o = json_object();
    xf_set_s(b, o, "url", EXT_STREAM);
    xf_push(b, o, "extension",
              xf_ext(b, "type", "valueCodeableConcept",
                       xf_concept(b, CS_STREAM, "eoc", "Episode of care", "Episode of care")));
    return o;
}

/* The Measure's canonical: FHIR_BASE/Measure/<id>. */
static const char *measure_url(char out[160], const char *measure_id)
{
    snprintf(out, 160, FHIR_BASE "/Measure/%s", measure_id);
    return out;
}

/* One Measure per arrangement: the contract. */
static json_t *measure(xf_b *b, const export_data *d, const exp_arrangement *r, const char *id)
{
    char url[160], name[80], title[400], desc[800];
    size_t n = 0;
    n += (size_t)snprintf(name, sizeof name, "CaraEbra");
    for (const char *p = r->arrangement_id; *p && n + 1 < sizeof name; p++)
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            name[n++] = *p;
    name[n] = '\0';
    const exp_aco *aco = xf_aco(d, r->aco_id);
    snprintf(title, sizeof title, "CARA episode arrangement %s (%s) between ACO %s and NPI %s",
             r->arrangement_id, r->template_id, r->aco_id, r->npi);
    snprintf(desc, sizeof desc,
             "The episode-based arrangement (EBRA) %s of CARA (CMS ACO LEAD specialist episodes): "
             "template %s%s%s, ACO %s, specialist NPI %s TIN %s. Targets, spending and "
             "payments are reconciled per performance year.",
             r->arrangement_id, r->template_id, r->tmpl ? " version " : "",
             r->tmpl ? r->tmpl->version : "", r->aco_id, r->npi, r->tin);
    const char *status = strcmp(r->status, "active") == 0    ? "active"
                         : strcmp(r->status, "offered") == 0 ? "draft"
                                                             : "retired";
    int downside = r->loss_share_bps > 0 && r->stop_loss_bps > 0;

    json_t *o = xf_resource(b, "Measure", id, VBPR_MEASURE, NULL);
    xf_push(b, o, "extension",
              xf_ext(b, EXT_LOB, "valueCodeableConcept",
                       xf_concept(b, CS_SOPT, "1", "MEDICARE", "Medicare")));
    json_t *pm = json_object();
    xf_set_s(b, pm, "url", EXT_PROGRAM);
    xf_push(b, pm, "extension",
              xf_ext(b, "hcplan", "valueCodeableConcept",
                       xf_concept(b, CS_HCPLAN, downside ? "3B" : "3A",
                                    downside ? "Category 3B" : "Category 3A", NULL)));
    xf_push(b, o, "extension", pm);
    xf_push(b, o, "extension", stream(b));
    xf_set_s(b, o, "url", measure_url(url, id));
    xf_push(b, o, "identifier", xf_identifier(b, NULL, NULL, CARA_SID_EBRA, r->arrangement_id));
    xf_set_s(b, o, "version", r->tmpl && r->tmpl->version[0] ? r->tmpl->version : "1");
    xf_set_s(b, o, "name", name);
    xf_set_s(b, o, "title", title);
    xf_set_s(b, o, "status", status);
    xf_set(b, o, "experimental", json_false());
    xf_set_s(b, o, "publisher", aco && aco->name && *aco->name ? aco->name : r->aco_id);
    xf_set_s(b, o, "description", desc);
    if (r->start_date[0] || r->end_date[0])
        xf_set(b, o, "effectivePeriod", xf_period(b, r->start_date, r->end_date));
    if (b->bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A group: id, the payment stream, service period and paid-through date, code. */
static json_t *group(xf_b *b, const char *gid, const char *system, const char *code,
                     const char *display, const char *text, const char *svc_start,
                     const char *svc_end, const char *paid_through)
{
    json_t *g = json_object();
    xf_set_s(b, g, "id", gid);
    xf_push(b, g, "extension", stream(b));
    xf_push(b, g, "extension",
              xf_ext(b, EXT_SERVICE, "valuePeriod", xf_period(b, svc_start, svc_end)));
    if (paid_through[0] && xf_date_ok(b, "the paid-through date (as_of_date)", paid_through))
        xf_push(b, g, "extension",
                  xf_ext(b, EXT_PAID, "valueDate", xf_str(b, paid_through)));
    xf_set(b, g, "code", xf_concept(b, system, code, display, text));
    return g;
}

/* measureScore {extension: [alternate-measurescore value<kind>]} */
static json_t *alt_score(xf_b *b, const char *vkey, json_t *v)
{
    json_t *s = json_object();
    xf_push(b, s, "extension", xf_ext(b, EXT_ALT_SCORE, vkey, v));
    return s;
}

static json_t *population(xf_b *b, const char *code, const char *display, int64_t count)
{
    json_t *p = json_object();
    xf_set(b, p, "code", xf_concept(b, CS_POPULATION, code, display, NULL));
    xf_set(b, p, "count", json_integer((json_int_t)count));
    return p;
}

/* The report's context for its groups. */
typedef struct rctx {
    xf_b *b;
    json_t *report;
    char svc_start[11], svc_end[11];
    const char *paid;
} rctx;

static json_t *add_group(rctx *c, const char *gid, const char *system, const char *code,
                         const char *display, const char *text)
{
    json_t *g = group(c->b, gid, system, code, display, text, c->svc_start, c->svc_end, c->paid);
    xf_push(c->b, c->report, "group", g);
    return c->b->bad ? NULL : g;
}

static void money_group(rctx *c, const char *gid, const char *system, const char *code,
                        const char *display, const char *text, int64_t cents)
{
    json_t *g = add_group(c, gid, system, code, display, text);
    if (g) xf_set(c->b, g, "measureScore", alt_score(c->b, "valueMoney", xf_money(c->b, cents)));
}

static void code_group(rctx *c, const char *gid, const char *code, const char *display,
                       const char *text, const char *value_system, const char *value)
{
    json_t *g = add_group(c, gid, CARA_CS_METRIC, code, display, text);
    if (g)
        xf_set(c->b, g, "measureScore",
                 alt_score(c->b, "valueCodeableConcept",
                           xf_concept(c->b, value_system, value, NULL, NULL)));
}

/* ---- a MeasureReport ---- */

static json_t *report(xf_b *b, const export_data *d, const exp_arrangement *r,
                      const exp_result *res, const char *measure_id)
{
    char id[65], raw[EXP_SHORT + 16], url[160], npi_id[65], tin_id[65], aco_id[65];
    char start[11], end[11];
    if (res->period < DATE_MIN_YEAR || res->period > DATE_MAX_YEAR)
        return xf_fail(b, "arrangement %s: performance year %d is not a year",
                         r->arrangement_id, res->period);
    snprintf(raw, sizeof raw, "%s-%d", r->arrangement_id, res->period);
    if (!xf_id(b, id, "ebra-", raw) || !xf_npi_id(b, npi_id, r->npi)
        || !xf_tin_id(b, tin_id, r->tin) || !xf_aco_id(b, aco_id, r->aco_id))
        return NULL;
    snprintf(start, sizeof start, "%04d-01-01", res->period);
    snprintf(end, sizeof end, "%04d-12-31", res->period);
    int interim = strcmp(res->status, "interim") == 0;
    const exp_aco *aco = xf_aco(d, r->aco_id);

    json_t *o = xf_resource(b, "MeasureReport", id, VBPR_REPORT, NULL);
    xf_push(b, o, "extension",
              xf_ext(b, EXT_CATEGORY, "valueCodeableConcept",
                       xf_concept(b, CS_CATEGORY, "vbp", NULL, NULL)));
    xf_set_s(b, o, "status", interim ? "pending" : "complete");
    xf_set_s(b, o, "type", "summary");
    xf_set_s(b, o, "measure", measure_url(url, measure_id));
    json_t *subj = xf_ref(b, "Practitioner", npi_id,
                            r->provider_name && *r->provider_name ? r->provider_name : NULL);
    xf_push(b, subj, "extension",
              xf_ext(b, EXT_ORG_SUBJECT, "valueReference",
                       xf_ref(b, "Organization", tin_id, NULL)));
    xf_set(b, o, "subject", subj);
    xf_set_s(b, o, "date", d->generated_at);
    xf_set(b, o, "reporter", xf_ref(b, "Organization", aco_id,
                                        aco && aco->name && *aco->name ? aco->name : NULL));
    xf_set(b, o, "period", xf_period(b, start, end));

    /* the service period: the year, inside the arrangement's dates */
    rctx c = {.b = b, .report = o, .paid = d->as_of_date};
    snprintf(c.svc_start, sizeof c.svc_start, "%s",
             strcmp(r->start_date, start) > 0 && strcmp(r->start_date, end) <= 0 ? r->start_date
                                                                                   : start);
    snprintf(c.svc_end, sizeof c.svc_end, "%s",
             r->end_date[0] && strcmp(r->end_date, end) < 0 && strcmp(r->end_date, c.svc_start) >= 0
                 ? r->end_date
                 : end);

    json_t *g = add_group(&c, "episodes", CARA_CS_METRIC, "episodes", "Episodes",
                          "Episodes reconciled");
    if (g) {
        json_t *ms = json_object();
        xf_set(b, ms, "value", json_integer((json_int_t)res->episodes));
        xf_set_s(b, ms, "unit", "episodes");
        xf_set(b, g, "measureScore", ms);
    }
    money_group(&c, "target", CS_METRIC, "cost-target", "Cost target",
                "Target price: the sum of the episodes' targets", res->target_cents);
    money_group(&c, "actual", CS_METRIC, "med-cost", "Medical cost",
                "Actual Medicare spending of the episodes", res->actual_cents);
    money_group(&c, "actual-winsorized", CARA_CS_METRIC, "actual-winsorized",
                "Winsorized actual spending",
                "Actual spending with each episode capped at the template's percentile",
                res->actual_winsorized_cents);
    if (res->has_gross) {
        money_group(&c, "gross-savings", CS_METRIC, "variance-cost", "Variance cost",
                    "Gross savings: target minus winsorized actual (negative: losses)",
                    res->gross_cents);
        char qtext[EXP_SHORT + 80];
        snprintf(qtext, sizeof qtext, "Quality score%s%s%s: the share of episodes meeting it",
                 r->tmpl && r->tmpl->quality_measure[0] ? " (" : "",
                 r->tmpl ? r->tmpl->quality_measure : "",
                 r->tmpl && r->tmpl->quality_measure[0] ? ")" : "");
        g = add_group(&c, "quality", CARA_CS_METRIC, "quality-score", "Quality score", qtext);
        if (g) {
            xf_push(b, g, "population", population(b, "denominator", "Denominator",
                                                     res->episodes));
            xf_push(b, g, "population", population(b, "numerator", "Numerator",
                                                     res->quality_met));
            json_t *ms = json_object();
            xf_set(b, ms, "value", xf_decimal(b, res->quality_bps, 4));
            xf_set_s(b, ms, "unit", "proportion");
            xf_set_s(b, ms, "system", UCUM);
            xf_set_s(b, ms, "code", "1");
            xf_set(b, g, "measureScore", ms);
        }
        money_group(&c, "quality-adjusted-savings", CARA_CS_METRIC, "quality-adjusted-savings",
                    "Quality-adjusted savings", "Gross savings after the quality adjustment",
                    res->quality_adjusted_cents);
    }
    money_group(&c, "payment", CS_METRIC, "earnings-ssl", "Earnings SSL",
                "Reconciliation payment to the specialist (negative: owed by the specialist)",
                res->payment_cents);
    code_group(&c, "cap-applied", "cap-applied", "Cap applied",
               "The stop-gain or stop-loss limit that bound the payment", CARA_CS_CAP,
               res->cap_applied[0] ? res->cap_applied : "none");
    if (!res->status[0]) xf_fail(b, "arrangement %s, %d: no result status", r->arrangement_id,
                                   res->period);
    else
        code_group(&c, "status", "reconciliation-status", "Reconciliation status",
                   "final, interim, insufficient_volume or no_episodes", CARA_CS_STATUS,
                   res->status);
    if (b->bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *export_vbpr_bundle(const export_data *d, char *err, size_t errlen)
{
    xf_b bb, *b = &bb;
    xf_b_init(b, err, errlen);
    xf_keys acos = {0}, npis = {0}, tins = {0};
    char key[320], id[65], run[32], mid[65];

    snprintf(run, sizeof run, "run%lld", (long long)d->run_id);
    xf_scope_key(d, d->scope.aco_id, key, sizeof key);
    char raw[360];
    snprintf(raw, sizeof raw, "%s-%s", run, key);
    json_t *bundle = xf_id(b, id, "vbpr-", raw) ? xf_bundle(b, id, d->generated_at) : NULL;

    for (size_t i = 0; i < d->n_arrs && !b->bad; i++) {
        const exp_arrangement *r = &d->arrs[i];
        if (!r->n_results) continue;
        xf_keys_add(b, &acos, r->aco_id);
        xf_keys_add(b, &npis, r->npi);
        xf_keys_add(b, &tins, r->tin);
        if (!xf_id(b, mid, "ebra-", r->arrangement_id)) break;
        for (size_t j = 0; j < r->n_results && !b->bad; j++)
            xf_bundle_add(b, bundle, report(b, d, r, &r->results[j], mid));
    }
    for (size_t i = 0; i < d->n_arrs && !b->bad; i++) {
        const exp_arrangement *r = &d->arrs[i];
        if (r->n_results && xf_id(b, mid, "ebra-", r->arrangement_id))
            xf_bundle_add(b, bundle, measure(b, d, r, mid));
    }
    xf_keys_done(&acos);
    xf_keys_done(&npis);
    xf_keys_done(&tins);
    for (size_t i = 0; i < npis.n && !b->bad; i++)
        xf_bundle_add(b, bundle, xf_practitioner(b, d, npis.v[i], US_CORE "us-core-practitioner"));
    for (size_t i = 0; i < acos.n && !b->bad; i++)
        xf_bundle_add(b, bundle, xf_org_aco(b, d, acos.v[i], US_CORE "us-core-organization"));
    for (size_t i = 0; i < tins.n && !b->bad; i++)
        xf_bundle_add(b, bundle, xf_org_tin(b, d, tins.v[i], US_CORE "us-core-organization"));
    xf_keys_free(&acos);
    xf_keys_free(&npis);
    xf_keys_free(&tins);
    if (b->bad) {
        json_decref(bundle);
        return NULL;
    }
    return bundle;
}
