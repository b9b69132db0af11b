/*
 * adt_proc.c: see adt_proc.h. The steps of one message are in adt_proc_take; the event
 * triggers of the templates in eval_triggers (docs/adt.md "Event triggers").
 */
#include "adt_proc.h"

#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "catalog/catalog.h"
#include "engine_price.h"

struct adt_proc {
    store *s;
    adt_w *w;
    bene_reader br;
    int have_br;
    bene_data bd;
    catalog cat;
    int have_cat;
    hcc_model *hcc;
    engine_pricer *pr;
    rules_limits lim;
    rules_vm *vm;                /* events.lua of each template that has one */
    int *ev_script;              /* per catalog entry: the script, or -1 */
};

void adt_proc_now(char out[15])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 15, "%Y%m%d%H%M%S", &tm);
}

void adt_proc_close(adt_proc *p)
{
    if (!p) return;
    engine_pricer_close(p->pr);
    if (p->have_br) bene_reader_close(&p->br);
    bene_data_free(&p->bd);
    adt_w_close(p->w);
    if (p->vm) rules_vm_free(p->vm);
    free(p->ev_script);
    hcc_model_free(p->hcc);
    if (p->have_cat) catalog_free(&p->cat);
    free(p);
}

int adt_proc_refresh(adt_proc *p, char *err, size_t errlen)
{
    engine_pricer_close(p->pr);
    p->pr = NULL;
    return engine_pricer_open(&p->cat, p->hcc, p->s, &p->lim, &p->pr, err, errlen);
}

/* Load each base template's events.lua (when it has one) into the events sandbox. */
static int load_event_rules(adt_proc *p, char *err, size_t errlen)
{
    p->ev_script = malloc((p->cat.n ? p->cat.n : 1) * sizeof *p->ev_script);
    if (!p->ev_script) return -ENOMEM;
    rules_error e;
    if (rules_vm_new(&p->lim, &p->vm, err, errlen) < 0) return -ENOMEM;
    if (rules_vm_load_library_of(p->vm, p->cat.dir, &e) < 0) {
        rules_error_format(&e, err, errlen);
        return -EINVAL;
    }
    for (size_t i = 0; i < p->cat.n; i++) {
        p->ev_script[i] = -1;
        char *path = util_path_join(p->cat.v[i].dir, "events.lua");
        if (!path) return -ENOMEM;
        int rc = util_exists(path) ? rules_vm_load_file(p->vm, path, &p->ev_script[i], &e) : 0;
        free(path);
        if (rc < 0) {
            rules_error_format(&e, err, errlen);
            return -EINVAL;
        }
    }
    return 0;
}

int adt_proc_open(store *s, const char *episodes_dir, const char *plugins_dir,
                  const rules_limits *lim, adt_proc **out, char *err, size_t errlen)
{
    *out = NULL;
    adt_proc *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    p->s = s;
    if (lim) p->lim = *lim;
    int rc = catalog_open(&p->cat, episodes_dir, plugins_dir, NULL, NULL, NULL, err, errlen);
    p->have_cat = rc == 0;
    char *common = rc == 0 ? util_path_join(episodes_dir, "common") : NULL;
    if (rc == 0) rc = common ? hcc_model_load(common, &p->hcc, err, errlen) : -ENOMEM;
    free(common);
    if (rc == 0) rc = load_event_rules(p, err, errlen);
    if (rc == 0) rc = adt_proc_refresh(p, err, errlen);
    if (rc == 0) rc = adt_w_open(s, &p->w, err, errlen);
    if (rc == 0) {
        rc = bene_reader_open(&p->br, s, err, errlen);
        p->have_br = rc == 0;
    }
    if (rc == -ENOMEM) snprintf(err, errlen, "out of memory");
    if (rc < 0) {
        adt_proc_close(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* ---- small helpers -------------------------------------------------------------------- */

/* src into dst (n bytes), cut when longer. */
static void cpy(char *dst, size_t n, const char *src)
{
    size_t l = strlen(src);
    if (l >= n) l = n - 1;
    memcpy(dst, src, l);
    dst[l] = 0;
}

/* The date of an ISO date-time ("" or malformed: CARA_DATE_NONE). */
static cara_date day_of(const char *iso)
{
    cara_date d;
    return strlen(iso) >= 10 && date_parse(iso, 10, &d) == 0 ? d : CARA_DATE_NONE;
}

/* 1 when the JSON array of strings arr holds s (an absent array holds everything). */
static int in_list(const json_t *arr, const char *s)
{
    if (!arr) return 1;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *t = json_string_value(v);
        if (t && !strcmp(t, s)) return 1;
    }
    return 0;
}

/* 1 when one of the visit's diagnoses (space-separated) is in code list `name`. */
static int dx_in(const cara_template *t, const char *name, const char *dx)
{
    char path[160];
    snprintf(path, sizeof path, "code_lists.%s", name);
    const cara_codeset *set = template_host_codes(t, path);
    if (!set) return 0;
    char code[32];
    for (const char *q = dx; *q;) {
        while (*q == ' ') q++;
        size_t n = strcspn(q, " ");
        if (n && n < sizeof code) {
            memcpy(code, q, n);
            code[n] = 0;
            if (codes_match(set, code)) return 1;
        }
        q += n;
    }
    return 0;
}

/* The diagnoses of a trigger: any of diagnosis_lists (when given) and each of
 * require_lists. */
static int dx_match(const cara_template *t, const json_t *trig, const char *dx)
{
    const json_t *any = json_object_get(trig, "diagnosis_lists");
    const json_t *all = json_object_get(trig, "require_lists");
    size_t i;
    json_t *v;
    if (any) {
        int hit = 0;
        json_array_foreach(any, i, v) hit |= dx_in(t, json_string_value(v), dx);
        if (!hit) return 0;
    }
    json_array_foreach(all, i, v) if (!dx_in(t, json_string_value(v), dx)) return 0;
    return 1;
}

/* ---- events.lua --------------------------------------------------------------------- */

typedef struct rule_call {
    const adt_visit_row *v;
    const adt_event *ev;
    const char *trigger_id;
    int result;
} rule_call;

static void set_str(lua_State *L, const char *k, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

static int push_event(lua_State *L, void *ud)
{
    rule_call *c = ud;
    lua_createtable(L, 0, 12);
    set_str(L, "event", c->ev->event);
    set_str(L, "person_id", c->v->person_id);
    set_str(L, "patient_class", c->v->patient_class);
    set_str(L, "admit_time", c->v->admit_time);
    set_str(L, "discharge_time", c->v->discharge_time);
    set_str(L, "discharge_disposition", c->v->disposition);
    set_str(L, "attending_npi", c->v->attending_npi);
    set_str(L, "facility", c->v->facility);
    set_str(L, "visit_number", c->v->visit_number);
    set_str(L, "admit_reason", c->ev->admit_reason);
    lua_newtable(L); /* diagnoses: array of codes, principal first */
    int k = 1;
    for (const char *q = c->v->diagnoses; *q;) {
        while (*q == ' ') q++;
        size_t n = strcspn(q, " ");
        if (n) {
            lua_pushlstring(L, q, n);
            lua_rawseti(L, -2, k++);
        }
        q += n;
    }
    lua_setfield(L, -2, "diagnoses");
    lua_pushstring(L, c->trigger_id);
    return 2;
}

static int read_bool(lua_State *L, void *ud, char *err, size_t errlen)
{
    rule_call *c = ud;
    if (!lua_isboolean(L, -1)) {
        snprintf(err, errlen, "returned a %s (expected true to open the episode or false)",
                 luaL_typename(L, -1));
        return -1;
    }
    c->result = lua_toboolean(L, -1);
    return 0;
}

/* ---- the triggers ---------------------------------------------------------------------- */

typedef struct take_ctx {
    adt_proc *p;
    const adt_event *ev;
    adt_visit_row *v;
    int64_t message_id;
    adt_result *r;
    char *err;
    size_t errlen;
} take_ctx;

static void note(adt_result *r, const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(r->outcome);
    if (n + 3 >= sizeof r->outcome) return;
    cpy(r->outcome + n, sizeof r->outcome - n, n ? "; " : "");
    n = strlen(r->outcome);
    snprintf(r->outcome + n, sizeof r->outcome - n, fmt, a, b);
}

/* Open (or reopen) the provisional episode of trigger trig of catalog entry i. */
static int open_episode(take_ctx *c, size_t i, const json_t *trig, cara_date event_day,
                        cara_date day0)
{
    adt_proc *p = c->p;
    const cara_template *t = p->cat.v[i].tmpl;
    const char *tid = template_id(t), *trig_id = json_string_value(json_object_get(trig, "id"));
    const char *ttype = json_string_value(json_object_get(trig, "trigger_type"));
    adt_prov_row pr;
    int found = adt_w_prov_get(p->w, c->v->visit_id, tid, trig_id, &pr, c->err, c->errlen);
    if (found < 0) return found;
    if (found == 1 && strcmp(pr.status, "cancelled") != 0) return 0; /* already open */
    char d0[11];
    date_format(day0, d0);
    int64_t other;
    int rc = adt_w_prov_covering(p->w, c->v->person_id, tid, d0, c->v->visit_id, &other, c->err,
                             c->errlen);
    if (rc < 0) return rc;
    if (rc == 1) {
        note(c->r, "%s: inside an open provisional %s episode", trig_id, tid);
        return 0;
    }
    rc = bene_load(&p->br, c->v->person_id, &p->bd, c->err, c->errlen);
    if (rc < 0) return rc;
    engine_event_price ep;
    rc = engine_price_event(p->pr, &p->bd.b, p->bd.lines, p->bd.n_lines, tid, ttype, day0,
                            c->v->attending_npi, &ep, c->err, c->errlen);
    if (rc < 0) return rc;
    if (ep.exclusion) {
        note(c->r, "%s: no episode (%s on day 0)", trig_id, ep.exclusion);
        return 0;
    }
    if (found != 1) memset(&pr, 0, sizeof pr); /* new; else the cancelled one reopens */
    pr.visit_id = c->v->visit_id;
    cpy(pr.template_id, sizeof pr.template_id, tid);
    cpy(pr.trigger_id, sizeof pr.trigger_id, trig_id);
    cpy(pr.trigger_type, sizeof pr.trigger_type, ttype);
    cpy(pr.person_id, sizeof pr.person_id, c->v->person_id);
    cpy(pr.aco_id, sizeof pr.aco_id, ep.aco_id ? ep.aco_id : "");
    cpy(pr.day0, sizeof pr.day0, d0);
    date_format(ep.end, pr.end_date);
    pr.confirm_days = (int)json_integer_value(json_object_get(trig, "confirm_days"));
    cpy(pr.arrangement_id, sizeof pr.arrangement_id, ep.arrangement_id ? ep.arrangement_id : "");
    cpy(pr.npi, sizeof pr.npi, ep.npi ? ep.npi : "");
    cpy(pr.tin, sizeof pr.tin, ep.tin ? ep.tin : "");
    cpy(pr.method, sizeof pr.method, ep.method);
    snprintf(pr.status, sizeof pr.status, "provisional");
    pr.status_reason[0] = 0;
    pr.has_target = ep.has_target;
    pr.target_cents = ep.target;
    pr.message_id = c->message_id;
    rc = adt_w_prov_put(p->w, &pr, c->err, c->errlen);
    if (rc < 0) return rc;
    c->r->opened++;
    note(c->r, "opened provisional %s episode (%s)", tid, trig_id);
    size_t k;
    json_t *task;
    char ed[11];
    date_format(event_day, ed);
    json_array_foreach(json_object_get(trig, "tasks"), k, task)
    {
        char due[11], codes[512] = "";
        date_format(event_day + (cara_date)json_integer_value(json_object_get(task, "due_days")), due);
        size_t m;
        json_t *code;
        json_array_foreach(json_object_get(task, "done_codes"), m, code)
        {
            size_t n = strlen(codes);
            snprintf(codes + n, sizeof codes - n, "%s%s", n ? " " : "", json_string_value(code));
        }
        adt_task_row tr = {
            .provisional_id = pr.provisional_id,
            .kind = json_string_value(json_object_get(task, "kind")),
            .description = json_string_value(json_object_get(task, "description")),
            .person_id = pr.person_id, .aco_id = pr.aco_id, .arrangement_id = pr.arrangement_id,
            .npi = pr.npi, .tin = pr.tin, .event = c->ev->event, .event_date = ed,
            .due_date = due, .done_codes = codes,
        };
        int created;
        rc = adt_w_task_put(p->w, &tr, &created, c->err, c->errlen);
        if (rc < 0) return rc;
        c->r->tasks += created;
    }
    return 0;
}

/* Does trigger trig of entry i fire on this message and visit? 1 with the event's day and
 * day 0, 0 when not, <0 on a rule's or the store's failure. */
static int fires(take_ctx *c, size_t i, const json_t *trig, cara_date *event_day, cara_date *day0)
{
    const adt_visit_row *v = c->v;
    const char *on = json_string_value(json_object_get(trig, "on"));
    if (!in_list(json_object_get(trig, "events"), c->ev->event)) return 0;
    if (!in_list(json_object_get(trig, "patient_class"), v->patient_class)) return 0;
    int discharge = on && !strcmp(on, "discharge");
    if (discharge && strcmp(v->status, "discharged") != 0) return 0;
    *event_day = day_of(discharge ? v->discharge_time : v->admit_time);
    if (*event_day == CARA_DATE_NONE) return 0;
    if (discharge && !in_list(json_object_get(trig, "discharge_dispositions"), v->disposition)) return 0;
    if (!dx_match(c->p->cat.v[i].tmpl, trig, v->diagnoses)) return 0;
    const char *d0 = json_string_value(json_object_get(trig, "day0"));
    *day0 = *event_day + (d0 && !strcmp(d0, "next_day") ? 1 : 0);
    const char *rule = json_string_value(json_object_get(trig, "rule"));
    if (!rule) return 1;
    if (c->p->ev_script[i] < 0) {
        snprintf(c->err, c->errlen, "template %s: event trigger %s names rule %s but the template "
                 "has no events.lua", template_id(c->p->cat.v[i].tmpl),
                 json_string_value(json_object_get(trig, "id")), rule);
        return -EINVAL;
    }
    rule_call rc = {v, c->ev, json_string_value(json_object_get(trig, "id")), 0};
    rules_error e;
    if (rules_vm_invoke_read(c->p->vm, c->p->ev_script[i], rule, push_event, read_bool, &rc, &e) < 0) {
        rules_error_format(&e, c->err, c->errlen);
        return -EINVAL;
    }
    return rc.result;
}

/* Apply every base template's event triggers to the visit after this message. */
static int eval_triggers(take_ctx *c)
{
    adt_proc *p = c->p;
    if (!c->v->person_id[0] || !strcmp(c->v->status, "cancelled")) return 0;
    int admitted = !strcmp(c->v->patient_class, "I") &&
                   (!strcmp(c->ev->event, "A01") || !strcmp(c->ev->event, "A06"));
    for (size_t i = 0; i < p->cat.n; i++) {
        if (p->cat.v[i].aco_id) continue; /* an overlay prices; its base's triggers open */
        const cara_template *t = p->cat.v[i].tmpl;
        size_t k;
        json_t *trig;
        json_array_foreach(json_object_get(template_root(t), "event_triggers"), k, trig)
        {
            json_t *cancel = json_object_get(trig, "cancel_on_admission_days");
            cara_date adm = day_of(c->v->admit_time);
            if (admitted && cancel && adm != CARA_DATE_NONE) {
                char from[11], to[11], why[96];
                date_format(adm - (cara_date)json_integer_value(cancel), from);
                date_format(adm, to);
                snprintf(why, sizeof why, "admitted as an inpatient on %s", to);
                int n;
                int rc = adt_w_prov_cancel_between(p->w, c->v->person_id, template_id(t),
                                                   json_string_value(json_object_get(trig, "id")),
                                                   from, to, why, &n, c->err, c->errlen);
                if (rc < 0) return rc;
                c->r->cancelled += n;
                if (n) note(c->r, "cancelled %s (%s)", json_string_value(json_object_get(trig, "id")), why);
                continue;
            }
            cara_date ed, d0;
            int rc = fires(c, i, trig, &ed, &d0);
            if (rc == -EINVAL) { /* the template's rule failed: the message is still taken */
                log_msg(LOG_LEVEL_ERROR, "adt", "%s", c->err);
                note(c->r, "%s: events.lua failed: %s", json_string_value(json_object_get(trig, "id")),
                     c->err);
                c->err[0] = 0;
                continue;
            }
            if (rc < 0) return rc;
            if (rc == 1 && (rc = open_episode(c, i, trig, ed, d0)) < 0) return rc;
        }
    }
    return 0;
}

/* ---- the visit ------------------------------------------------------------------------- */

/* The visit after this message (v holds the stored one, or zeros for a new one). */
static void update_visit(adt_visit_row *v, const adt_event *ev, const char *person,
                         const char *unmatched, int64_t message_id)
{
    if (!v->visit_id) {
        cpy(v->facility, sizeof v->facility, ev->sending_facility);
        cpy(v->visit_number, sizeof v->visit_number, ev->visit_number);
        v->first_message = message_id;
        snprintf(v->status, sizeof v->status, "active");
    }
    v->last_message = message_id;
    if (ev->mbi[0] || !v->mbi[0]) {
        cpy(v->mbi, sizeof v->mbi, ev->mbi);
        cpy(v->person_id, sizeof v->person_id, person);
        cpy(v->unmatched_reason, sizeof v->unmatched_reason, person[0] ? "" : unmatched);
    }
    if (ev->mrn[0]) cpy(v->mrn, sizeof v->mrn, ev->mrn);
    if (ev->patient_class[0]) cpy(v->patient_class, sizeof v->patient_class, ev->patient_class);
    if (ev->attending_npi[0]) cpy(v->attending_npi, sizeof v->attending_npi, ev->attending_npi);
    if (ev->admit_time[0]) cpy(v->admit_time, sizeof v->admit_time, ev->admit_time);
    else if (!v->admit_time[0] && (!strcmp(ev->event, "A01") || !strcmp(ev->event, "A04")))
        cpy(v->admit_time, sizeof v->admit_time, ev->event_time);
    if (ev->n_dx) { /* the message's diagnoses replace the visit's, principal first */
        v->diagnoses[0] = 0;
        for (int pass = 0; pass < 2; pass++)
            for (size_t k = 0; k < ev->n_dx; k++) {
                if ((ev->dx[k].priority == 1) != (pass == 0)) continue;
                size_t n = strlen(v->diagnoses);
                if (n + strlen(ev->dx[k].code) + 2 < sizeof v->diagnoses)
                    snprintf(v->diagnoses + n, sizeof v->diagnoses - n, "%s%s", n ? " " : "",
                             ev->dx[k].code);
            }
    }
    if (ev->admit_reason[0] && !strstr(v->diagnoses, ev->admit_reason)) {
        size_t n = strlen(v->diagnoses);
        if (n + strlen(ev->admit_reason) + 2 < sizeof v->diagnoses)
            snprintf(v->diagnoses + n, sizeof v->diagnoses - n, "%s%s", n ? " " : "", ev->admit_reason);
    }
    const char *e = ev->event;
    if (!strcmp(e, "A03")) {
        snprintf(v->discharge_time, sizeof v->discharge_time, "%s",
                 ev->discharge_time[0] ? ev->discharge_time : ev->event_time);
        if (ev->discharge_disposition[0])
            cpy(v->disposition, sizeof v->disposition, ev->discharge_disposition);
    } else if (ev->discharge_time[0] && strcmp(e, "A13") != 0) {
        cpy(v->discharge_time, sizeof v->discharge_time, ev->discharge_time);
    }
    if (!strcmp(e, "A13")) {
        v->discharge_time[0] = 0;
        v->disposition[0] = 0;
    }
    if (!strcmp(e, "A11")) snprintf(v->status, sizeof v->status, "cancelled");
    else if (!strcmp(e, "A01") || !strcmp(e, "A04") || strcmp(v->status, "cancelled") != 0)
        cpy(v->status, sizeof v->status, v->discharge_time[0] ? "discharged" : "active");
}

/* The triggers of the templates that open on discharge: an A13 cancels their episodes. */
static int cancel_discharge_episodes(take_ctx *c)
{
    for (size_t i = 0; i < c->p->cat.n; i++) {
        size_t k;
        json_t *trig;
        json_array_foreach(json_object_get(template_root(c->p->cat.v[i].tmpl), "event_triggers"), k, trig)
        {
            const char *on = json_string_value(json_object_get(trig, "on"));
            if (!on || strcmp(on, "discharge")) continue;
            int n;
            int rc = adt_w_prov_cancel(c->p->w, c->v->visit_id, json_string_value(json_object_get(trig, "id")),
                                       "the discharge was cancelled (A13)", &n, c->err, c->errlen);
            if (rc < 0) return rc;
            c->r->cancelled += n;
        }
    }
    return 0;
}

/* ---- one message ------------------------------------------------------------------------ */

static int refuse(adt_proc *p, const hl7_msg *m, const char *raw, size_t len, const adt_event *ev,
                  const char *code, adt_result *r, char *err, size_t errlen)
{
    cpy(r->ack, sizeof r->ack, code);
    char loc[48] = "";
    if (r->e.segment[0])
        snprintf(loc, sizeof loc, "%s-%d", r->e.segment, r->e.field);
    char sender[260] = "";
    if (ev) snprintf(sender, sizeof sender, "%s|%s", ev->sending_app, ev->sending_facility);
    cpy(r->outcome, sizeof r->outcome, code);
    size_t n = strlen(r->outcome);
    cpy(r->outcome + n, sizeof r->outcome - n, ": ");
    cpy(r->outcome + n + 2, sizeof r->outcome - n - 2, r->e.message);
    (void)m;
    return adt_w_reject(p->w, sender, ev ? ev->control_id : "", code, r->e.code, loc, r->e.message,
                        raw, len, err, errlen);
}

/* The message's row, with the visit and the outcome. */
static int store_message(adt_proc *p, adt_message_row *mr, int64_t visit_id, const adt_result *r,
                         char *err, size_t errlen)
{
    int64_t id;
    mr->visit_id = visit_id;
    mr->outcome = r->outcome;
    return adt_w_message_put(p->w, mr, &id, err, errlen);
}

static int apply(adt_proc *p, const char *raw, size_t len, const adt_event *ev, adt_result *r,
                 char *err, size_t errlen)
{
    char sender[260];
    snprintf(sender, sizeof sender, "%s|%s", ev->sending_app, ev->sending_facility);
    int64_t id;
    int rc = adt_w_seen(p->w, sender, ev->control_id, &id, err, errlen);
    if (rc < 0) return rc;
    if (rc == 1) {
        r->duplicate = 1;
        r->message_id = id;
        snprintf(r->outcome, sizeof r->outcome, "a resend of message %lld: acknowledged, not "
                 "stored again", (long long)id);
        return 0;
    }
    char person[32] = "", unmatched[200] = "";
    if (ev->mbi[0]) {
        rc = adt_w_person_for_mbi(p->w, ev->mbi, person, sizeof person, err, errlen);
        if (rc < 0) return rc;
        if (rc == 0) snprintf(unmatched, sizeof unmatched, "MBI %s is not a beneficiary in cara's data", ev->mbi);
    } else {
        cpy(unmatched, sizeof unmatched, ev->mbi_problem);
    }
    r->matched = person[0] != 0;
    adt_message_row mr = {.sender = sender, .control_id = ev->control_id, .event = ev->event,
                          .event_time = ev->event_time, .mbi = ev->mbi, .person_id = person,
                          .outcome = "", .raw = raw, .raw_len = len};
    /* the message's row is written once, last, with what it did; its id is known now
     * (the caller's transaction holds the write lock: no other writer takes it) */
    rc = adt_w_next_message_id(p->w, &r->message_id, err, errlen);
    if (rc < 0) return rc;
    mr.message_id = r->message_id;
    if (person[0] && ev->mbi[0]) { /* events that came before the beneficiary's data */
        int n;
        rc = adt_w_rematch(p->w, ev->mbi, person, &n, err, errlen);
        if (rc < 0) return rc;
    }
    if (!strcmp(ev->event, "A40")) {
        int n;
        rc = adt_w_merge(p->w, ev->prior_mbi, ev->mbi, person, &n, err, errlen);
        if (rc < 0) return rc;
        char what[32];
        snprintf(what, sizeof what, "%d", n);
        note(r, "merged %s visit(s) of MBI %s", what, ev->prior_mbi[0] ? ev->prior_mbi : "(none)");
        return store_message(p, &mr, 0, r, err, errlen);
    }
    adt_visit_row v;
    memset(&v, 0, sizeof v);
    rc = adt_w_visit_get(p->w, ev->sending_facility, ev->visit_number, &v, err, errlen);
    if (rc < 0) return rc;
    int cancel = !strcmp(ev->event, "A11") || !strcmp(ev->event, "A13");
    if (rc == 0 && cancel) {
        note(r, "%s for visit %s, which cara has not seen: nothing to undo", ev->event, ev->visit_number);
        return store_message(p, &mr, 0, r, err, errlen);
    }
    update_visit(&v, ev, person, unmatched, r->message_id);
    rc = adt_w_visit_put(p->w, &v, err, errlen);
    if (rc < 0) return rc;
    take_ctx c = {p, ev, &v, r->message_id, r, err, errlen};
    if (!strcmp(ev->event, "A11")) {
        int n;
        rc = adt_w_prov_cancel(p->w, v.visit_id, NULL, "the visit was cancelled (A11)", &n, err, errlen);
        r->cancelled += n;
        if (rc == 0) note(r, "visit cancelled%s%s", n ? ", its provisional episodes too" : "", "");
    } else if (!strcmp(ev->event, "A13")) {
        rc = cancel_discharge_episodes(&c);
        if (rc == 0) note(r, "discharge cancelled%s%s", r->cancelled ? ", its provisional episodes too" : "", "");
    } else {
        if (!person[0]) note(r, "unmatched: %s%s", unmatched, "");
        rc = eval_triggers(&c);
    }
    if (rc < 0) return rc;
    if (!r->outcome[0]) snprintf(r->outcome, sizeof r->outcome, "visit updated");
    return store_message(p, &mr, v.visit_id, r, err, errlen);
}

int adt_proc_take(adt_proc *p, const char *raw, size_t len, const char *ack_control_id,
                  char *ack, size_t ackcap, size_t *acklen, adt_result *r, char *err,
                  size_t errlen)
{
    memset(r, 0, sizeof *r);
    snprintf(r->ack, sizeof r->ack, "AA");
    hl7_msg m;
    adt_event *ev = calloc(1, sizeof *ev);
    if (!ev) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int rc = 0, parsed = hl7_parse(raw, len, &m, &r->e) == 0;
    if (!parsed) {
        rc = refuse(p, NULL, raw, len, NULL, "AE", r, err, errlen);
    } else {
        int a = adt_from_hl7(&m, ev, &r->e);
        if (a == ADT_REJECT) rc = refuse(p, &m, raw, len, ev, "AR", r, err, errlen);
        else if (a == ADT_ERROR) rc = refuse(p, &m, raw, len, ev, "AE", r, err, errlen);
        else rc = apply(p, raw, len, ev, r, err, errlen);
    }
    if (rc == 0) {
        char now[15];
        adt_proc_now(now);
        int n = hl7_ack(parsed ? &m : NULL, raw, len, r->ack, strcmp(r->ack, "AA") ? &r->e : NULL,
                        ack_control_id, now, ack, ackcap);
        if (n < 0) {
            snprintf(err, errlen, "the acknowledgement does not fit in %zu bytes", ackcap);
            rc = -ENOMEM;
        } else {
            *acklen = (size_t)n;
        }
    }
    hl7_msg_free(&m);
    free(ev);
    return rc;
}
