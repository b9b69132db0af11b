/*
 * risk_list.c: see risk_list.h. The risk rules run in their own sandbox (the method
 * library, then each template's risk.lua), as the ADT path runs events.lua
 * (adt_proc.c): the same limits per call, results read inside the protected call.
 */
#include "risk_list.h"

#include <errno.h>
#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "catalog/catalog.h"
#include "engine_internal.h"
#include "rules/rules.h"

/* One template that ships a risk rule. */
typedef struct risk_tmpl {
    const catalog_entry *ce;    /* the base template */
    char *path;                 /* owned: its risk.lua */
    const char *fn;             /* the function (borrowed from the template) */
    int script;
    int64_t lookback, threshold;
    const char **overlays;      /* owned array (strings borrowed): the family's overlays */
    size_t n_overlays;
    char **open;                /* owned: persons in an open episode, sorted */
    size_t n_open, cap_open;
    size_t info;                /* its index in risk_list.tmpl */
} risk_tmpl;

typedef struct builder {
    store *s;
    const risk_list_opts *o;
    catalog cat;
    int have_cat;
    hcc_model *hcc;
    run_data rd;
    const ref_arrangement **cands;
    rules_vm *vm;
    risk_tmpl *t;
    size_t n_t;
    int *params_ref;            /* per catalog entry: the template root as a Lua table */
    bene_reader br;
    int have_br;
    bene_data bd;
    risk_list *out;
    size_t cap_rows;
    char as_of_s[11];
    char *err;
    size_t errlen;
} builder;

/* ---- the templates' risk blocks ------------------------------------------------------ */

/* The risk block of t, checked: 0 with the rule file name, the function, the lookback
 * and the threshold; 1 when t has none; -EINVAL with err naming the template. */
static int risk_block(const catalog_entry *ce, const char **rule, const char **fn,
                      int64_t *lookback, int64_t *threshold, char *err, size_t errlen)
{
    const json_t *r = json_object_get(template_root(ce->tmpl), "risk");
    if (!r) return 1;
    const char *tid = template_id(ce->tmpl);
    *rule = json_string_value(json_object_get(r, "rule"));
    *fn = json_string_value(json_object_get(r, "function"));
    if (!*fn) *fn = "score";
    const json_t *lb = json_object_get(r, "lookback_days"), *th = json_object_get(r, "threshold");
    if (!*rule || !**rule || strchr(*rule, '/') || (*rule)[0] == '.') {
        snprintf(err, errlen, "template %s: risk.rule is %s (expected the name of a Lua file "
                 "in the template's folder, e.g. \"risk.lua\")", tid, *rule ? *rule : "absent");
        return -EINVAL;
    }
    if (!json_is_integer(lb) || json_integer_value(lb) < 1 || json_integer_value(lb) > 3650) {
        snprintf(err, errlen, "template %s: risk.lookback_days must be an integer 1-3650", tid);
        return -EINVAL;
    }
    if (th && !json_is_integer(th)) {
        snprintf(err, errlen, "template %s: risk.threshold must be an integer", tid);
        return -EINVAL;
    }
    *lookback = json_integer_value(lb);
    *threshold = th ? json_integer_value(th) : 1;
    return 0;
}

static int push_params(lua_State *L)
{
    builder *b = lua_touserdata(L, 1);
    for (size_t i = 0; i < b->cat.n; i++) {
        rules_push_json(L, template_root(b->cat.v[i].tmpl));
        b->params_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    return 0;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int add_open(const char *person, void *ud)
{
    risk_tmpl *t = ud;
    if (t->n_open == t->cap_open) {
        size_t cap = t->cap_open ? t->cap_open * 2 : 256;
        char **v = realloc(t->open, cap * sizeof *v);
        if (!v) return -ENOMEM;
        t->open = v;
        t->cap_open = cap;
    }
    if (!(t->open[t->n_open] = strdup(person))) return -ENOMEM;
    t->n_open++;
    return 0;
}

static int is_open(const risk_tmpl *t, const char *person)
{
    return t->n_open && bsearch(&person, t->open, t->n_open, sizeof *t->open, cmp_str) != NULL;
}

/* Find the templates to score, load their rules, read their runs' open episodes. */
static int load_templates(builder *b)
{
    const risk_list_opts *o = b->o;
    int found = 0;
    b->t = calloc(b->cat.n ? b->cat.n : 1, sizeof *b->t);
    b->params_ref = calloc(b->cat.n ? b->cat.n : 1, sizeof *b->params_ref);
    b->out->tmpl = calloc(b->cat.n ? b->cat.n : 1, sizeof *b->out->tmpl);
    if (!b->t || !b->params_ref || !b->out->tmpl) return -ENOMEM;
    rules_error e;
    if (rules_vm_new(o->lim, &b->vm, b->err, b->errlen) < 0) return -ENOMEM;
    if (rules_vm_load_library_of(b->vm, b->cat.dir, &e) < 0) {
        rules_error_format(&e, b->err, b->errlen);
        return -EINVAL;
    }
    if (rules_vm_protected(b->vm, push_params, b, &e) < 0) {
        rules_error_format(&e, b->err, b->errlen);
        return -EINVAL;
    }
    for (size_t i = 0; i < b->cat.n; i++) {
        const catalog_entry *ce = &b->cat.v[i];
        if (ce->aco_id) continue; /* an overlay: its base's rule scores its ACO */
        const char *tid = template_id(ce->tmpl);
        if (o->template_id && strcmp(o->template_id, tid) != 0) continue;
        found = 1;
        const char *rule, *fn;
        int64_t lookback, threshold;
        int rc = risk_block(ce, &rule, &fn, &lookback, &threshold, b->err, b->errlen);
        if (rc < 0) return rc;
        if (rc == 1) {
            if (o->template_id) {
                snprintf(b->err, b->errlen, "template %s has no risk block (docs/templates.md "
                         "\"risk\"): it ships no risk rule", tid);
                return -ENOENT;
            }
            continue;
        }
        risk_tmpl *t = &b->t[b->n_t];
        t->ce = ce;
        t->fn = fn;
        t->lookback = lookback;
        t->threshold = threshold;
        t->info = b->n_t;
        b->n_t++;
        if (!(t->path = util_path_join(ce->dir, rule))) return -ENOMEM;
        if (!util_exists(t->path)) {
            snprintf(b->err, b->errlen, "template %s: risk.rule names %s, which does not exist",
                     tid, t->path);
            return -EINVAL;
        }
        if (rules_vm_load_file(b->vm, t->path, &t->script, &e) < 0) {
            rules_error_format(&e, b->err, b->errlen);
            return -EINVAL;
        }
        t->overlays = calloc(b->cat.n_overlays + 1, sizeof *t->overlays);
        if (!t->overlays) return -ENOMEM;
        for (size_t k = 0; k < b->cat.n_overlays; k++)
            if (!strcmp(b->cat.overlays[k].base_id, tid)) t->overlays[t->n_overlays++] = b->cat.overlays[k].id;
        risk_tmpl_info *info = &b->out->tmpl[b->out->n_tmpl++];
        if (!(info->template_id = strdup(tid))) return -ENOMEM;
        info->lookback_days = lookback;
        info->threshold = threshold;
        int64_t run = o->run_id;
        if (run) {
            rc = risk_q_run_done(b->s, run, b->err, b->errlen);
            if (rc < 0) return rc;
            if (rc == 0) {
                snprintf(b->err, b->errlen, "run %lld is not a finished run (cara runs lists them)",
                         (long long)run);
                return -ENOENT;
            }
        } else {
            rc = risk_q_latest_run(b->s, tid, &run, b->err, b->errlen);
            if (rc < 0) return rc;
        }
        info->run_id = run;
        if (run) {
            rc = risk_q_open_episodes(b->s, run, tid, t->overlays, b->as_of_s, add_open, t,
                                      b->err, b->errlen);
            if (rc < 0) return rc;
        }
        /* an admission the hospital ADT feed reported has opened an episode already,
         * even before a run prices it */
        rc = risk_q_open_provisional(b->s, tid, t->overlays, b->as_of_s, add_open, t, b->err,
                                     b->errlen);
        if (rc < 0) return rc;
        if (t->n_open > 1) qsort(t->open, t->n_open, sizeof *t->open, cmp_str);
    }
    if (o->template_id && !found) {
        snprintf(b->err, b->errlen, "template %s is not in the catalog (%s)", o->template_id,
                 b->cat.dir);
        return -ENOENT;
    }
    return 0;
}

/* ---- one call of a rule ------------------------------------------------------------ */

typedef struct call {
    builder *b;
    const risk_tmpl *t;
    const cara_beneficiary *bene;
    const cara_claim_line *lines;
    size_t n;
    cara_date from, as_of;
    const char *aco_id;
    int params_ref;
    int hccs[64];
    int n_hcc;
    rules_lazy_claims *claims;
    int claims_ref;       /* the claims list anchored in the registry while claims is held
                           * (a failed call's garbage collection would free it otherwise) */
    int64_t score;
    char reasons[RISK_MAX_REASONS * (RISK_MAX_REASON + 2) + 1];
} call;

static void set_s(lua_State *L, const char *k, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

static void set_i(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

static int push_call(lua_State *L, void *ud)
{
    call *c = ud;
    luaL_checkstack(L, 8, "risk rule arguments");
    rules_push_beneficiary(L, c->bene);
    rules_push_claims_lazy(L, c->lines, c->n, &c->claims);
    lua_pushvalue(L, -1);
    c->claims_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, 0, 10);
    set_i(L, "as_of", c->as_of);
    set_i(L, "from", c->from);
    set_i(L, "lookback_days", c->t->lookback);
    set_i(L, "threshold", c->t->threshold);
    set_s(L, "template_id", template_id(c->t->ce->tmpl));
    set_s(L, "aco_id", c->aco_id);
    set_i(L, "age", date_age_on(c->bene->birth, c->as_of));
    lua_createtable(L, c->n_hcc, 0);
    for (int i = 0; i < c->n_hcc; i++) {
        lua_pushinteger(L, c->hccs[i]);
        lua_rawseti(L, -2, i + 1);
    }
    rules_readonly(L, "context.hccs");
    lua_setfield(L, -2, "hccs");
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->params_ref);
    lua_setfield(L, -2, "params");
    rules_readonly(L, "context");
    return 3;
}

/* A reason is text a list can show: 1-200 bytes, no control character, no ';' (the
 * separator of the reasons column). */
static int bad_reason(const char *s, size_t n)
{
    if (n == 0 || n > RISK_MAX_REASON) return 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == ';' || s[i] == 0x7f) return 1;
    return 0;
}

static int read_result(lua_State *L, void *ud, char *err, size_t errlen)
{
    call *c = ud;
    const char *path = c->t->path, *fn = c->t->fn;
    if (!rules_plain_table(L, -1, path, fn, NULL, err, errlen)) return -1;
    lua_pushstring(L, "score");
    lua_rawget(L, -2);
    if (!lua_isinteger(L, -1)) {
        snprintf(err, errlen, "%s: %s() returned a %s for field 'score' (expected an integer: "
                 "weights are integers)", path, fn, luaL_typename(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    c->score = lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (c->score < -RISK_MAX_SCORE || c->score > RISK_MAX_SCORE) {
        snprintf(err, errlen, "%s: %s() returned score %lld (expected -%d to %d)", path, fn,
                 (long long)c->score, RISK_MAX_SCORE, RISK_MAX_SCORE);
        return -1;
    }
    c->reasons[0] = 0;
    lua_pushstring(L, "reasons");
    int t = lua_rawget(L, -2);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (!rules_plain_table(L, -1, path, fn, "reasons", err, errlen)) {
        lua_pop(L, 1);
        return -1;
    }
    size_t n = lua_rawlen(L, -1), at = 0;
    if (n > RISK_MAX_REASONS) {
        snprintf(err, errlen, "%s: %s() returned %zu reasons (at most %d)", path, fn, n,
                 RISK_MAX_REASONS);
        lua_pop(L, 1);
        return -1;
    }
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i);
        size_t len = 0;
        const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (!s || bad_reason(s, len)) {
            snprintf(err, errlen, "%s: %s() returned %s as reasons[%zu] (expected a string of "
                     "1-%d characters without ';' or control characters, e.g. "
                     "\"age:85+\")", path, fn, s ? "a bad string" : luaL_typename(L, -1), i,
                     RISK_MAX_REASON);
            lua_pop(L, 2);
            return -1;
        }
        if (at) {
            memcpy(c->reasons + at, "; ", 2);
            at += 2;
        }
        memcpy(c->reasons + at, s, len);
        at += len;
        c->reasons[at] = 0;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 0;
}

/* ---- one beneficiary ----------------------------------------------------------------- */

static int add_row(builder *b, const risk_row *r)
{
    risk_list *l = b->out;
    if (l->n == b->cap_rows) {
        size_t cap = b->cap_rows ? b->cap_rows * 2 : 1024;
        risk_row *v = realloc(l->rows, cap * sizeof *v);
        if (!v) return -ENOMEM;
        l->rows = v;
        b->cap_rows = cap;
    }
    l->rows[l->n++] = *r;
    return 0;
}

/* The specialist of a listed beneficiary (see risk_list.h). */
static const ref_arrangement *specialist(builder *b, const risk_tmpl *t, const char *over,
                                         const cara_beneficiary *bene, const cara_claim_line *lines,
                                         size_t n, cara_date as_of)
{
    const char *tid = template_id(t->ce->tmpl);
    size_t nc = engine__candidates(&b->rd, over ? over : tid, tid, bene, as_of, b->cands);
    const ref_arrangement *best = NULL;
    size_t best_n = 0;
    for (size_t i = 0; i < nc; i++) {
        const ref_arrangement *a = b->cands[i];
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            if (!strcmp(lines[j].rendering_npi, a->npi) && !strcmp(lines[j].rendering_tin, a->tin)) k++;
        if (k && (k > best_n || (k == best_n && strcmp(a->arrangement_id, best->arrangement_id) < 0))) {
            best = a;
            best_n = k;
        }
    }
    return best;
}

static int score_person(const char *person, void *ud)
{
    builder *b = ud;
    int rc = bene_load(&b->br, person, &b->bd, b->err, b->errlen);
    if (rc < 0) return rc;
    const cara_beneficiary *bene = &b->bd.b;
    cara_date as_of = b->out->as_of;
    if (bene->death != CARA_DATE_NONE && bene->death <= as_of) return 0;
    if (eligibility_exclusion(bene, as_of, as_of)) return 0;
    const char *aco = eligibility_aco_on(bene, as_of);
    if (!aco) return 0;
    /* the look-back lines: sorted by service date, so one slice */
    const cara_claim_line *all = b->bd.lines;
    size_t n = b->bd.n_lines, lo = 0, hi;
    for (hi = 0; hi < n && all[hi].service_date <= as_of; hi++) {}
    cara_date last = hi ? all[hi - 1].service_date : CARA_DATE_NONE;
    for (size_t ti = 0; ti < b->n_t; ti++) {
        risk_tmpl *t = &b->t[ti];
        risk_tmpl_info *info = &b->out->tmpl[t->info];
        if (is_open(t, person)) {
            info->open_episodes++;
            continue;
        }
        info->candidates++;
        int filtered = b->o->aco_id && strcmp(b->o->aco_id, aco) != 0;
        if (filtered) continue;
        call c;
        memset(&c, 0, offsetof(call, reasons));
        c.reasons[0] = 0;
        c.b = b;
        c.t = t;
        c.bene = bene;
        c.as_of = as_of;
        c.from = as_of - (cara_date)t->lookback + 1;
        c.aco_id = aco;
        c.claims_ref = LUA_NOREF;
        for (lo = 0; lo < hi && all[lo].service_date < c.from; lo++) {}
        c.lines = all + lo;
        c.n = hi - lo;
        /* the version that prices this beneficiary: the ACO's overlay, else the base */
        const char *over = catalog_overlay_of(&b->cat, template_id(t->ce->tmpl), aco);
        const catalog_entry *pe = over ? catalog_find(&b->cat, over) : NULL;
        c.params_ref = b->params_ref[(size_t)((pe ? pe : t->ce) - b->cat.v)];
        hcc_set hs;
        hcc_collect(b->hcc, c.lines, c.n, c.from, as_of, &hs);
        c.n_hcc = hcc_set_list(&hs, c.hccs, (int)(sizeof c.hccs / sizeof c.hccs[0]));
        if (c.n_hcc > (int)(sizeof c.hccs / sizeof c.hccs[0])) c.n_hcc = (int)(sizeof c.hccs / sizeof c.hccs[0]);
        rules_error e;
        rc = rules_vm_invoke_read(b->vm, t->script, t->fn, push_call, read_result, &c, &e);
        rules_claims_release(c.claims); /* then the list may go */
        luaL_unref(rules_vm_state(b->vm), LUA_REGISTRYINDEX, c.claims_ref);
        if (rc < 0) {
            char msg[1536];
            rules_error_format(&e, msg, sizeof msg);
            snprintf(b->err, b->errlen, "%s (scoring %s as of %s)", msg, person, b->as_of_s);
            return -EINVAL;
        }
        if (b->o->has_min_score && c.score < b->o->min_score) continue;
        const ref_arrangement *a = specialist(b, t, over, bene, c.lines, c.n, as_of);
        if (b->o->npi && (!a || strcmp(a->npi, b->o->npi) != 0)) continue;
        risk_row r = {0};
        r.aco_id = strdup(aco);
        r.person_id = strdup(person);
        r.template_id = strdup(template_id(t->ce->tmpl));
        r.reasons = strdup(c.reasons);
        r.npi = strdup(a ? a->npi : "");
        r.tin = strdup(a ? a->tin : "");
        r.arrangement_id = strdup(a ? a->arrangement_id : "");
        r.score = c.score;
        r.flagged = c.score >= t->threshold;
        r.last_claim = last;
        r.run_id = info->run_id;
        if (!r.aco_id || !r.person_id || !r.template_id || !r.reasons || !r.npi || !r.tin ||
            !r.arrangement_id || add_row(b, &r) < 0) {
            free(r.aco_id), free(r.person_id), free(r.template_id), free(r.reasons);
            free(r.npi), free(r.tin), free(r.arrangement_id);
            return -ENOMEM;
        }
    }
    return 0;
}

/* ---- the list ------------------------------------------------------------------------ */

static int cmp_row(const void *x, const void *y)
{
    const risk_row *a = x, *b = y;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    int c = strcmp(a->person_id, b->person_id);
    return c ? c : strcmp(a->template_id, b->template_id);
}

static void row_free(risk_row *r)
{
    free(r->aco_id);
    free(r->person_id);
    free(r->template_id);
    free(r->reasons);
    free(r->npi);
    free(r->tin);
    free(r->arrangement_id);
}

void risk_list_free(risk_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) row_free(&l->rows[i]);
    free(l->rows);
    for (size_t i = 0; i < l->n_tmpl; i++) free(l->tmpl[i].template_id);
    free(l->tmpl);
    memset(l, 0, sizeof *l);
}

static void builder_free(builder *b)
{
    for (size_t i = 0; i < b->n_t; i++) {
        free(b->t[i].path);
        free(b->t[i].overlays);
        for (size_t k = 0; k < b->t[i].n_open; k++) free(b->t[i].open[k]);
        free(b->t[i].open);
    }
    free(b->t);
    free(b->params_ref);
    if (b->vm) rules_vm_free(b->vm);
    if (b->have_br) bene_reader_close(&b->br);
    bene_data_free(&b->bd);
    free(b->cands);
    engine__run_data_free(&b->rd);
    hcc_model_free(b->hcc);
    if (b->have_cat) catalog_free(&b->cat);
}

int risk_list_build(store *s, const char *episodes_dir, const char *plugins_dir,
                    const risk_list_opts *o, risk_list *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    builder b;
    memset(&b, 0, sizeof b);
    b.s = s;
    b.o = o;
    b.out = out;
    b.err = err;
    b.errlen = errlen;
    int rc = 0;
    out->as_of = o->as_of;
    if (out->as_of == 0 || out->as_of == CARA_DATE_NONE) {
        rc = run_inputs_q_as_of(s, &out->as_of, err, errlen);
        if (rc == 0 && out->as_of == CARA_DATE_NONE) {
            snprintf(err, errlen, "the store holds no current claims, so there is no as-of "
                     "date: give one (--as-of YYYY-MM-DD)");
            rc = -ENODATA;
        }
    }
    if (rc == 0) {
        date_format(out->as_of, b.as_of_s);
        rc = catalog_open(&b.cat, episodes_dir, plugins_dir, NULL, NULL, NULL, err, errlen);
        b.have_cat = rc == 0;
    }
    char *common = rc == 0 ? util_path_join(episodes_dir, "common") : NULL;
    if (rc == 0) rc = common ? hcc_model_load(common, &b.hcc, err, errlen) : -ENOMEM;
    free(common);
    if (rc == 0) rc = engine__load_arrangements(s, &b.rd, err, errlen);
    if (rc == 0 && engine__families(&b.cat, &b.rd) < 0) rc = -ENOMEM;
    if (rc == 0 && !(b.cands = malloc((b.rd.n_arrs ? b.rd.n_arrs : 1) * sizeof *b.cands))) rc = -ENOMEM;
    if (rc == 0) rc = load_templates(&b);
    if (rc == 0) {
        rc = bene_reader_open(&b.br, s, err, errlen);
        b.have_br = rc == 0;
    }
    if (rc == 0 && b.n_t) rc = risk_q_persons(s, score_person, &b, err, errlen);
    if (rc == -ENOMEM) snprintf(err, errlen, "out of memory");
    builder_free(&b);
    if (rc < 0) {
        risk_list_free(out);
        return rc;
    }
    if (out->n) qsort(out->rows, out->n, sizeof *out->rows, cmp_row);
    out->total = out->n;
    if (o->limit > 0 && (size_t)o->limit < out->n) {
        for (size_t i = (size_t)o->limit; i < out->n; i++) row_free(&out->rows[i]);
        out->n = (size_t)o->limit;
    }
    for (size_t i = 0; i < out->n; i++) out->rows[i].rank = (int64_t)i + 1;
    return 0;
}

/* ---- output ---------------------------------------------------------------------------- */

json_t *risk_row_json(const risk_row *r)
{
    char d[11];
    if (r->last_claim != CARA_DATE_NONE) date_format(r->last_claim, d);
    json_t *o = json_object();
    if (!o) return NULL;
    int bad = json_object_set_new(o, "rank", json_integer(r->rank)) ||
              json_object_set_new(o, "aco_id", json_string(r->aco_id)) ||
              json_object_set_new(o, "person_id", json_string(r->person_id)) ||
              json_object_set_new(o, "template_id", json_string(r->template_id)) ||
              json_object_set_new(o, "score", json_integer(r->score)) ||
              json_object_set_new(o, "flagged", json_boolean(r->flagged)) ||
              json_object_set_new(o, "reasons", json_string(r->reasons)) ||
              json_object_set_new(o, "npi", json_string(r->npi)) ||
              json_object_set_new(o, "tin", json_string(r->tin)) ||
              json_object_set_new(o, "last_claim_date",
                                  r->last_claim != CARA_DATE_NONE ? json_string(d) : json_null()) ||
              json_object_set_new(o, "run_id", r->run_id ? json_integer(r->run_id) : json_null());
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *risk_list_json(const risk_list *l)
{
    char d[11];
    date_format(l->as_of, d);
    json_t *o = json_object(), *ts = json_array(), *rows = json_array();
    int bad = !o || !ts || !rows;
    for (size_t i = 0; !bad && i < l->n_tmpl; i++) {
        const risk_tmpl_info *t = &l->tmpl[i];
        json_t *j = json_pack("{s:s, s:o, s:I, s:I, s:I, s:I}", "template_id", t->template_id,
                              "run_id", t->run_id ? json_integer(t->run_id) : json_null(),
                              "lookback_days", (json_int_t)t->lookback_days, "threshold",
                              (json_int_t)t->threshold, "candidates", (json_int_t)t->candidates,
                              "open_episodes", (json_int_t)t->open_episodes);
        bad = !j || json_array_append_new(ts, j);
    }
    for (size_t i = 0; !bad && i < l->n; i++) {
        json_t *j = risk_row_json(&l->rows[i]);
        bad = !j || json_array_append_new(rows, j);
    }
    if (bad || json_object_set_new(o, "as_of", json_string(d)) ||
        json_object_set_new(o, "templates", ts) ||
        json_object_set_new(o, "total", json_integer((json_int_t)l->total)) ||
        json_object_set_new(o, "rows", rows)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *risk_row_csv(const risk_row *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    if (!r) fputs(RISK_LIST_COLUMNS "\n", f);
    else {
        char rank[24], score[24], run[24], d[11] = "";
        snprintf(rank, sizeof rank, "%lld", (long long)r->rank);
        snprintf(score, sizeof score, "%lld", (long long)r->score);
        snprintf(run, sizeof run, "%lld", (long long)r->run_id);
        if (r->last_claim != CARA_DATE_NONE) date_format(r->last_claim, d);
        const char *v[] = {rank, r->aco_id, r->person_id, r->template_id, score,
                           r->flagged ? "true" : "false", r->reasons, r->npi, r->tin, d,
                           r->run_id ? run : ""};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
            csv_write_field(f, v[i]);
            fputc(i + 1 < sizeof v / sizeof v[0] ? ',' : '\n', f);
        }
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
