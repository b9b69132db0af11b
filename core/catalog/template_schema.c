/*
 * template_schema.c: see template_schema.h. The table first (leaves, then the objects
 * holding them), then the cross-checks.
 */
#include "template_schema.h"

#include <stdio.h>
#include <string.h>

/* Shorthands for the table. */
#define INT_(k, f, ...) INT2_(k, f, __VA_ARGS__) /* lets a range macro (DAYS) stand for lo, hi */
#define INT2_(k, f, l, h) {.key = (k), .type = SCHEMA_INT, .flags = (f), .lo = (l), .hi = (h)}
#define STR_(k, f) {.key = (k), .type = SCHEMA_STR, .flags = (f)}
#define ENUM_(k, f, v) {.key = (k), .type = SCHEMA_STR, .flags = (f), .values = (v)}
#define OBJ_(k, f, m, w) {.key = (k), .type = SCHEMA_OBJ, .flags = (f), .members = (m), .what = (w)}
#define MAP_(k, f, m, n, w) \
    {.key = (k), .type = SCHEMA_OBJ, .flags = (f), .members = (m), .min_items = (n), .what = (w)}
#define ARR_(k, f, item, n, x, w)                                                            \
    {.key = (k), .type = SCHEMA_ARR, .flags = (f), .members = (item), .min_items = (n),     \
     .max_items = (x), .what = (w)}
#define CODES_(k, f) {.key = (k), .type = SCHEMA_CODES, .flags = (f)}
#define ANY_(k, w) {.key = (k), .type = SCHEMA_ANY, .what = (w)}
#define END_ {.key = NULL, .type = SCHEMA_END}

#define REQ SCHEMA_REQUIRED
#define BPS_ALL 0, 10000      /* a rate: 0 .. 100% */
#define FACTOR 1, 100000      /* factor x 10,000: 0.0001 .. 10.0000 */
#define DAYS 0, 3650          /* up to ten years */
#define BIG INT64_C(-1000000000000), INT64_C(1000000000000)

#define BY_PLUGIN "a member the episode type's plugin checks"
#define BY_POLICY "checked with the customizable policy"

const char *const template_quality_measures[] = {"codes_within_days", "no_admission_in_window", NULL};
static const char *const APPROACHES[] = {"default", "max_flex", NULL};
static const char *const RISK_METHODS[] = {"hcc_count", "cms_hcc_v28", NULL};
static const char *const RISK_SEGMENTS[] = {"community", "institutional", NULL};
static const char *const ATTRIBUTION_METHODS[] = {"trigger_then_plurality", "trigger", NULL};

static const schema_node WINDOW[] = {
    INT_("post_days", REQ, DAYS),
    ANY_("pre_days", BY_PLUGIN), /* declarative */
    END_,
};

static const schema_node CODE_LISTS[] = {CODES_("*", 0), END_};
static const schema_node PARAMETERS[] = {INT_("*", 0, BIG), END_};

static const schema_node TRIGGER[] = {
    INT_("base_cents", REQ, 1, INT64_C(100000000000)),
    STR_("description", 0),
    ANY_("match", BY_PLUGIN), /* declarative */
    ANY_("day0", BY_PLUGIN),  /* declarative */
    END_,
};
static const schema_node TRIGGERS[] = {
    OBJ_("*", 0, TRIGGER, "an object: {\"base_cents\": ..., \"description\": ...}"),
    END_,
};

static const schema_node AGE_BAND[] = {
    INT_("min_age", REQ, 0, 130),
    INT_("factor", REQ, FACTOR),
    END_,
};
static const schema_node AGE_BAND_NODE = OBJ_(NULL, 0, AGE_BAND, "an object {\"min_age\": ..., \"factor\": ...}");
static const schema_node HCC_FACTOR_NODE = INT_(NULL, 0, FACTOR);

static const schema_node RISK[] = {
    ENUM_("segment", 0, RISK_SEGMENTS),
    INT_("normalization_factor", 0, 1, 1000000),
    INT_("coding_intensity_bps", 0, 0, 10000),
    END_,
};

static const schema_node PRICING[] = {
    INT_("base_year", REQ, 2000, 2100),
    INT_("trend_bps", REQ, -10000, 10000),
    ARR_("age_factors", REQ, &AGE_BAND_NODE, 1, 100, "age bands {min_age, factor} by ascending min_age"),
    INT_("hcc_lookback_days", REQ, DAYS),
    ARR_("hcc_factors", REQ, &HCC_FACTOR_NODE, 1, 100,
         "factors x 10,000 for an HCC count of 0, 1, 2, ...; the last applies to every larger count"),
    INT_("dual_factor", REQ, FACTOR),
    INT_("non_dual_factor", REQ, FACTOR),
    INT_("winsorize_percentile_bps", REQ, 1, 10000),
    ENUM_("risk_method", 0, RISK_METHODS),
    OBJ_("risk", 0, RISK, "an object {\"segment\", \"normalization_factor\", \"coding_intensity_bps\"}"),
    END_,
};

static const schema_node TRACK_CAPS[] = {
    INT_("professional", REQ, BPS_ALL),
    INT_("global", REQ, BPS_ALL),
    END_,
};

static const schema_node ARRANGEMENT[] = {
    INT_("discount_bps", REQ, -10000, 10000),
    INT_("discount_min_bps", REQ, -10000, 10000),
    INT_("discount_max_bps", REQ, -10000, 10000),
    INT_("savings_share_bps", REQ, BPS_ALL),
    INT_("loss_share_bps", REQ, BPS_ALL),
    INT_("stop_gain_bps", REQ, BPS_ALL),
    INT_("stop_loss_bps", REQ, BPS_ALL),
    INT_("min_episodes", REQ, 1, 1000000),
    OBJ_("track_share_caps", REQ, TRACK_CAPS, "an object {\"professional\": ..., \"global\": ...}"),
    END_,
};

static const schema_node QUALITY[] = {
    ENUM_("measure", REQ, template_quality_measures),
    STR_("description", 0),
    CODES_("codes", 0),
    INT_("days", 0, DAYS),
    CODES_("bill_types", 0),
    INT_("from_day", 0, DAYS),
    INT_("qa_savings_bps", REQ, BPS_ALL),
    INT_("qa_loss_bps", REQ, BPS_ALL),
    END_,
};

static const schema_node ATTRIBUTION[] = {
    ENUM_("method", 0, ATTRIBUTION_METHODS),
    INT_("plurality_days", REQ, DAYS),
    STR_("plurality_codes", REQ),
    END_,
};

static const schema_node POLICY_RULE[] = {
    ANY_("approach", BY_POLICY),
    ANY_("min", BY_POLICY),
    ANY_("max", BY_POLICY),
    ANY_("values", BY_POLICY),
    END_,
};
static const schema_node CUSTOMIZABLE[] = {
    OBJ_("*", 0, POLICY_RULE, "an object {\"approach\": ..., \"min\", \"max\" or \"values\"}"),
    END_,
};

/* event_triggers (docs/adt.md): hospital ADT events that open provisional episodes. */
static const char *const EVENT_ON[] = {"admit", "discharge", NULL};
static const char *const EVENT_DAY0[] = {"event", "next_day", NULL};
static const schema_node NAME_NODE = STR_(NULL, 0);
static const schema_node EVENT_TASK[] = {
    STR_("kind", REQ),
    STR_("description", REQ),
    INT_("due_days", REQ, 0, 365),
    CODES_("done_codes", 0),
    END_,
};
static const schema_node EVENT_TASK_NODE =
    OBJ_(NULL, 0, EVENT_TASK, "an object {\"kind\", \"description\", \"due_days\", \"done_codes\"}");
static const schema_node EVENT_TRIGGER[] = {
    STR_("id", REQ),
    STR_("description", 0),
    ARR_("events", REQ, &NAME_NODE, 1, 16, "an array of ADT events (\"A01\", \"A04\", ...)"),
    ENUM_("on", REQ, EVENT_ON),
    ARR_("patient_class", 0, &NAME_NODE, 1, 16, "an array of PV1-2 patient classes (\"E\", \"I\", ...)"),
    ARR_("diagnosis_lists", 0, &NAME_NODE, 1, 16, "an array of code list names (any matches)"),
    ARR_("require_lists", 0, &NAME_NODE, 1, 16, "an array of code list names (each must match)"),
    ARR_("discharge_dispositions", 0, &NAME_NODE, 1, 64, "an array of PV1-36 codes (\"01\", \"06\")"),
    STR_("trigger_type", REQ),
    ENUM_("day0", 0, EVENT_DAY0),
    INT_("confirm_days", REQ, 0, 365),
    INT_("cancel_on_admission_days", 0, 0, 30),
    STR_("rule", 0),
    ARR_("tasks", REQ, &EVENT_TASK_NODE, 1, 16, "an array of tasks {kind, description, due_days}"),
    END_,
};
static const schema_node EVENT_TRIGGER_NODE =
    OBJ_(NULL, 0, EVENT_TRIGGER, "an object {\"id\", \"events\", \"on\", \"trigger_type\", ...}");

/* risk (docs/templates.md "risk"): the prospective risk list's rule (docs/rules.md). */
static const schema_node RISK_LIST[] = {
    STR_("rule", REQ),
    STR_("function", 0),
    INT_("lookback_days", REQ, 1, 3650),
    INT_("threshold", 0, -1000000, 1000000),
    STR_("description", 0),
    END_,
};

static const schema_node BASE_REF[] = {STR_("id", REQ), STR_("version", REQ), END_};

static const schema_node TOP[] = {
    STR_("id", REQ),
    STR_("version", REQ),
    STR_("episode_type", REQ),
    STR_("description", 0),
    OBJ_("window", REQ, WINDOW, "an object {\"post_days\": ...}"),
    MAP_("code_lists", REQ, CODE_LISTS, 1, "an object: list name -> array of code patterns"),
    OBJ_("parameters", 0, PARAMETERS, "an object: parameter name -> integer"),
    MAP_("triggers", REQ, TRIGGERS, 1, "an object: trigger type -> {base_cents, description}"),
    OBJ_("pricing", REQ, PRICING, "an object of pricing parameters"),
    OBJ_("arrangement", REQ, ARRANGEMENT, "an object of default arrangement terms"),
    OBJ_("quality", REQ, QUALITY, "an object {\"measure\": ..., ...}"),
    OBJ_("attribution", REQ, ATTRIBUTION, "an object {\"plurality_days\": ..., \"plurality_codes\": ...}"),
    OBJ_("customizable", SCHEMA_DOTTED, CUSTOMIZABLE, "an object: parameter path -> rule"),
    ANY_("included", BY_PLUGIN), /* declarative */
    ANY_("excluded", BY_PLUGIN), /* declarative */
    ARR_("event_triggers", 0, &EVENT_TRIGGER_NODE, 1, 32, "an array of event triggers (docs/adt.md)"),
    OBJ_("risk", 0, RISK_LIST, "an object {\"rule\": \"risk.lua\", \"lookback_days\": ..., \"threshold\": ...}"),
    OBJ_("base", SCHEMA_OVERLAY, BASE_REF, "an object {\"id\": ..., \"version\": ...}"),
    ENUM_("approach", SCHEMA_OVERLAY, APPROACHES),
    STR_("aco_id", SCHEMA_OVERLAY),
    END_,
};

static const schema_node ROOT = OBJ_("", 0, TOP, "a JSON object (a template)");

const schema_node *template_schema(void) { return &ROOT; }

/* ---- cross-checks ------------------------------------------------------------------- */

static json_t *at(const json_t *root, const char *a, const char *b)
{
    return json_object_get(json_object_get(root, a), b);
}

/* An integer member, or `dflt` when it is absent or not an integer (the schema walk has
 * reported that). */
static int64_t int_or(const json_t *v, int64_t dflt)
{
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/* age bands by strictly ascending min_age; HCC factors never decreasing. */
static int check_order(const json_t *root, cara_diag *d)
{
    int bad = 0;
    char p[96];
    const json_t *bands = at(root, "pricing", "age_factors");
    for (size_t i = 1; i < json_array_size(bands); i++) {
        json_t *a = json_object_get(json_array_get(bands, i - 1), "min_age");
        json_t *b = json_object_get(json_array_get(bands, i), "min_age");
        if (json_is_integer(a) && json_is_integer(b) && json_integer_value(b) <= json_integer_value(a)) {
            snprintf(p, sizeof p, "pricing.age_factors.%zu.min_age", i);
            diag_add(d, p, "%lld is not above the previous band's %lld; the bands go by ascending "
                           "min_age (the highest band whose min_age is at most the age applies)",
                     (long long)json_integer_value(b), (long long)json_integer_value(a));
            bad++;
        }
    }
    const json_t *hcc = at(root, "pricing", "hcc_factors");
    for (size_t i = 1; i < json_array_size(hcc); i++) {
        json_t *a = json_array_get(hcc, i - 1), *b = json_array_get(hcc, i);
        if (json_is_integer(a) && json_is_integer(b) && json_integer_value(b) < json_integer_value(a)) {
            snprintf(p, sizeof p, "pricing.hcc_factors.%zu", i);
            diag_add(d, p, "%lld is below the factor %lld for one HCC fewer; expected factors "
                           "that never decrease with the HCC count",
                     (long long)json_integer_value(b), (long long)json_integer_value(a));
            bad++;
        }
    }
    return bad;
}

/* discount_min_bps <= discount_bps <= discount_max_bps. */
static int check_discount(const json_t *root, cara_diag *d)
{
    const json_t *lo = at(root, "arrangement", "discount_min_bps");
    const json_t *hi = at(root, "arrangement", "discount_max_bps");
    const json_t *v = at(root, "arrangement", "discount_bps");
    if (!json_is_integer(lo) || !json_is_integer(hi)) return 0;
    if (json_integer_value(lo) > json_integer_value(hi)) {
        diag_add(d, "arrangement.discount_min_bps", "%lld is above discount_max_bps %lld",
                 (long long)json_integer_value(lo), (long long)json_integer_value(hi));
        return 1;
    }
    if (json_is_integer(v) && (json_integer_value(v) < json_integer_value(lo) ||
                               json_integer_value(v) > json_integer_value(hi))) {
        diag_add(d, "arrangement.discount_bps", "%lld is outside discount_min_bps..discount_max_bps "
                 "(%lld to %lld)", (long long)json_integer_value(v),
                 (long long)json_integer_value(lo), (long long)json_integer_value(hi));
        return 1;
    }
    return 0;
}

/* The members the quality measure reads are present. */
static int check_quality(const json_t *root, cara_diag *d)
{
    const json_t *q = json_object_get(root, "quality");
    const char *m = json_string_value(json_object_get(q, "measure"));
    if (!m) return 0;
    int bad = 0;
    if (!strcmp(m, "codes_within_days")) {
        if (!json_object_get(q, "codes")) {
            diag_add(d, "quality.codes", "required but missing: the measure codes_within_days "
                     "counts lines with one of these codes (an array of code patterns)");
            bad++;
        }
        if (!json_object_get(q, "days")) {
            diag_add(d, "quality.days", "required but missing: the measure codes_within_days "
                     "looks from day 0 through day 0 + days (an integer from 0 to 3650)");
            bad++;
        }
    } else if (!strcmp(m, "no_admission_in_window") && !json_object_get(q, "bill_types")) {
        diag_add(d, "quality.bill_types", "required but missing: the measure no_admission_in_window "
                 "looks for institutional claims with these bill types (an array of code patterns)");
        bad++;
    }
    return bad;
}

/* attribution.plurality_codes names a code list. */
static int check_plurality(const json_t *root, cara_diag *d)
{
    const char *name = json_string_value(at(root, "attribution", "plurality_codes"));
    const json_t *lists = json_object_get(root, "code_lists");
    if (!name || !*name || !json_is_object(lists) || json_object_get(lists, name)) return 0;
    const char *names[64];
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)lists, key, v)
    {
        if (k + 1 < 64) names[k++] = key;
    }
    names[k] = NULL;
    const char *near = schema_did_you_mean(name, names);
    diag_add(d, "attribution.plurality_codes", "\"%s\" names no list of code_lists%s%s%s", name,
             near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
    return 1;
}

/* The largest factor of an array of integers (or of objects' `member`), or 10000. */
static int64_t max_factor(const json_t *arr, const char *member)
{
    int64_t best = 10000;
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        int64_t f = int_or(member ? json_object_get(e, member) : e, 0);
        if (f > best) best = f;
    }
    return best;
}

/* The largest target any episode through TEMPLATE_LAST_YEAR can get: the largest base,
 * trended, times the largest age, HCC and dual factors and the largest premium
 * (discount_min_bps), must stay within TEMPLATE_MAX_TARGET_CENTS. Computed in 128 bits,
 * stopping as soon as it is over (no rounding needed: it only bounds). */
static int check_largest_target(const json_t *root, cara_diag *d)
{
    const json_t *p = json_object_get(root, "pricing");
    int64_t base = 0;
    const char *worst = NULL, *type;
    json_t *tr;
    json_object_foreach(json_object_get(root, "triggers"), type, tr)
    {
        int64_t b = int_or(json_object_get(tr, "base_cents"), 0);
        if (b > base) {
            base = b;
            worst = type;
        }
    }
    if (!worst) return 0;
    int64_t trend = 10000 + int_or(json_object_get(p, "trend_bps"), 0);
    int64_t years = TEMPLATE_LAST_YEAR - int_or(json_object_get(p, "base_year"), TEMPLATE_LAST_YEAR);
    if (trend <= 10000 || years < 0) years = 0;
    int64_t dual = int_or(json_object_get(p, "dual_factor"), 10000);
    int64_t non_dual = int_or(json_object_get(p, "non_dual_factor"), 10000);
    int64_t factors[4] = {max_factor(json_object_get(p, "age_factors"), "factor"),
                          max_factor(json_object_get(p, "hcc_factors"), NULL),
                          dual > non_dual ? dual : non_dual,
                          10000 - int_or(at(root, "arrangement", "discount_min_bps"), 0)};
    __int128 amount = base;
    const __int128 limit = TEMPLATE_MAX_TARGET_CENTS;
    for (int64_t y = 0; y < years && amount <= limit; y++) amount = amount * trend / 10000;
    for (int i = 0; i < 4 && amount <= limit; i++) amount = amount * (factors[i] > 0 ? factors[i] : 0) / 10000;
    if (amount <= limit) return 0;
    diag_add(d, "pricing", "the largest target is above %lld cents: trigger %s's base_cents %lld, "
             "trended %lld time%s by trend_bps to %d, times the largest age, HCC and dual factors "
             "and the largest premium (discount_min_bps); lower them so a run can price and sum "
             "episodes exactly", (long long)TEMPLATE_MAX_TARGET_CENTS, worst, (long long)base,
             (long long)years, years == 1 ? "" : "s", TEMPLATE_LAST_YEAR);
    return 1;
}

/* event_triggers: known events, trigger types of "triggers", lists of "code_lists",
 * unique ids, tasks of unique kinds. */
static int check_event_triggers(const json_t *root, cara_diag *d)
{
    static const char *const EVENTS[] = {"A01", "A02", "A03", "A04", "A06", "A08", NULL};
    const json_t *arr = json_object_get(root, "event_triggers");
    const json_t *lists = json_object_get(root, "code_lists");
    const json_t *trigs = json_object_get(root, "triggers");
    int bad = 0;
    char p[128];
    size_t i;
    json_t *t;
    json_array_foreach(arr, i, t)
    {
        const char *id = json_string_value(json_object_get(t, "id"));
        for (size_t j = 0; id && j < i; j++) {
            const char *o = json_string_value(json_object_get(json_array_get(arr, j), "id"));
            if (o && !strcmp(o, id)) {
                snprintf(p, sizeof p, "event_triggers.%zu.id", i);
                diag_add(d, p, "\"%s\" is the id of event trigger %zu too; ids must be unique", id, j);
                bad++;
            }
        }
        const char *tt = json_string_value(json_object_get(t, "trigger_type"));
        if (tt && json_is_object(trigs) && !json_object_get(trigs, tt)) {
            snprintf(p, sizeof p, "event_triggers.%zu.trigger_type", i);
            diag_add(d, p, "\"%s\" is not a trigger of \"triggers\" (the claims trigger the event "
                     "predicts; its base_cents prices the provisional episode)", tt);
            bad++;
        }
        size_t k;
        json_t *e;
        json_array_foreach(json_object_get(t, "events"), k, e)
        {
            const char *ev = json_string_value(e);
            int ok = 0;
            for (int m = 0; ev && EVENTS[m]; m++) ok |= !strcmp(ev, EVENTS[m]);
            if (ev && !ok) {
                snprintf(p, sizeof p, "event_triggers.%zu.events.%zu", i, k);
                diag_add(d, p, "\"%s\" is not an event that opens episodes: expected A01, A02, A03, "
                         "A04, A06 or A08 (A11, A13 and A40 undo and merge)", ev);
                bad++;
            }
        }
        static const char *const LISTS[] = {"diagnosis_lists", "require_lists"};
        for (int l = 0; l < 2; l++)
            json_array_foreach(json_object_get(t, LISTS[l]), k, e)
            {
                const char *name = json_string_value(e);
                if (name && json_is_object(lists) && !json_object_get(lists, name)) {
                    snprintf(p, sizeof p, "event_triggers.%zu.%s.%zu", i, LISTS[l], k);
                    diag_add(d, p, "\"%s\" names no list of code_lists", name);
                    bad++;
                }
            }
        const json_t *tasks = json_object_get(t, "tasks");
        json_array_foreach(tasks, k, e)
        {
            const char *kind = json_string_value(json_object_get(e, "kind"));
            for (size_t j = 0; kind && j < k; j++) {
                const char *o = json_string_value(json_object_get(json_array_get(tasks, j), "kind"));
                if (o && !strcmp(o, kind)) {
                    snprintf(p, sizeof p, "event_triggers.%zu.tasks.%zu.kind", i, k);
                    diag_add(d, p, "\"%s\" is the kind of task %zu too; kinds must be unique", kind, j);
                    bad++;
                }
            }
        }
    }
    return bad;
}

int template_schema_check(const json_t *root, int overlay, cara_diag *d)
{
    schema_opts o = {.overlay = overlay};
    int bad = schema_check(&ROOT, root, "", &o, d);
    if (!json_is_object(root)) return bad;
    bad += check_order(root, d);
    bad += check_discount(root, d);
    bad += check_quality(root, d);
    bad += check_plurality(root, d);
    bad += check_largest_target(root, d);
    bad += check_event_triggers(root, d);
    return bad;
}
