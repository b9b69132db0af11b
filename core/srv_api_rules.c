/*
 * srv_api_rules.c: POST /v1/rules/try, the rule sandbox: evaluate posted attribution
 * rules against stored episodes without saving anything.
 *
 *   {"template": "falls_prevention", "attribution": "<lua source>"?, "episodes": ["id",
 *    ...] (1..50), "run": N?}
 *   -> 200 {"run_id": N, "template": ..., "results": [{"episode_id", "stored":
 *      {"arrangement_id", "attribution_method"}, "tried": {"arrangement_id", "method"},
 *      "changed": bool} | {"episode_id", "skipped": "why"}]}
 *   -> 422 {"error": {...}, "rule_error": {"kind", "file", "line", "message"}} when the
 *      rule does not load or fails (syntax, runtime, instruction or memory cap, a result
 *      of the wrong shape), naming the episode it failed on.
 *
 * How: each episode is rebuilt the way a run builds it (the beneficiary's claim lines
 * from the store, the template's plugin), then attribute() runs in a fresh sandbox with
 * the standard limits (rules.h), given the episode, claims, beneficiary, the candidates
 * a run would give (EBRAs of the template active on day 0 with an ACO the beneficiary
 * is aligned to) and the template as params. hcc_count is the one the run stored.
 * Without "attribution" the template's own attribution.lua runs.
 *
 * Only attribution is evaluated: a posted "savings" is refused with 501 (target/quality
 * need the winsorization and reconciliation context of the whole run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "bene.h"
#include "catalog.h"
#include "date.h"
#include "episode.h"
#include "rules.h"
#include "rules_bind.h"
#include "srv_api.h"
#include "srv_api_common.h"
#include "util.h"

#define TRY_MAX_EPISODES 50

/* The stored episode a try runs against. */
typedef struct stored_ep {
    char person[64], tmpl[96], aco[32], npi[16], arr[128], method[24], status[12], reason[128];
    cara_date day0;
    int hcc;
} stored_ep;

static void col(sqlite3_stmt *st, int i, char *buf, size_t len)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    util_strlcpy(buf, t ? (const char *)t : "", len);
}

/* 1 found, 0 not found, -1 store error. */
static int load_stored(sqlite3 *db, int64_t run_id, const char *id, stored_ep *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT person_id, template_id, COALESCE(aco_id, ''), "
                           "COALESCE(npi, ''), COALESCE(arrangement_id, ''), "
                           "COALESCE(attribution_method, ''), status, COALESCE(exclusion_reason, ''), "
                           "trigger_date, COALESCE(hcc_count, -1) FROM run_episodes "
                           "WHERE run_id = ?1 AND episode_id = ?2", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        col(st, 0, e->person, sizeof e->person);
        col(st, 1, e->tmpl, sizeof e->tmpl);
        col(st, 2, e->aco, sizeof e->aco);
        col(st, 3, e->npi, sizeof e->npi);
        col(st, 4, e->arr, sizeof e->arr);
        col(st, 5, e->method, sizeof e->method);
        col(st, 6, e->status, sizeof e->status);
        col(st, 7, e->reason, sizeof e->reason);
        e->day0 = store_col_date(st, 8);
        e->hcc = (int)sqlite3_column_int(st, 9);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The candidates a run gives an episode (engine.c candidates()). */
typedef struct cand_list {
    rules_candidate *v;
    char **strs;       /* owned strings the candidates point to */
    size_t n, n_strs;
} cand_list;

static void cand_free(cand_list *c)
{
    for (size_t i = 0; i < c->n_strs; i++) free(c->strs[i]);
    free(c->strs);
    free(c->v);
    memset(c, 0, sizeof *c);
}

static int aligned_to(const cara_beneficiary *b, const char *aco, cara_date d)
{
    for (uint32_t i = 0; i < b->n_alignment; i++) {
        const cara_alignment *a = &b->alignment[i];
        if (a->start <= d && (a->end == CARA_DATE_NONE || d <= a->end) && !strcmp(a->aco_id, aco))
            return 1;
    }
    return 0;
}

static int load_cands(sqlite3 *db, const char *tmpl, const cara_beneficiary *b, cara_date day0,
                      cand_list *c)
{
    memset(c, 0, sizeof *c);
    char day[11];
    date_format(day0, day);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT a.arrangement_id, a.aco_id, a.npi, a.tin, "
                           "COALESCE(p.specialty_code, ''), a.start_date, a.end_date FROM "
                           "arrangements a LEFT JOIN providers p ON p.npi = a.npi AND p.tin = a.tin "
                           "WHERE a.template_id = ?1 AND a.status IN ('active', 'ended', "
                           "'terminated') AND a.start_date <= ?2 AND (a.end_date IS NULL OR "
                           "a.end_date >= ?2) ORDER BY a.arrangement_id", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, tmpl, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!aligned_to(b, (const char *)sqlite3_column_text(st, 1), day0)) continue;
        rules_candidate *v = realloc(c->v, (c->n + 1) * sizeof *v);
        char **s = realloc(c->strs, (c->n_strs + 5) * sizeof *s);
        if (v) c->v = v;
        if (s) c->strs = s;
        if (!v || !s) break;
        const char **f[5] = {&c->v[c->n].arrangement_id, &c->v[c->n].aco_id, &c->v[c->n].npi,
                             &c->v[c->n].tin, &c->v[c->n].specialty_code};
        for (int i = 0; i < 5; i++) {
            char *x = strdup((const char *)sqlite3_column_text(st, i));
            c->strs[c->n_strs++] = x;
            *f[i] = x ? x : "";
        }
        c->v[c->n].start = store_col_date(st, 5);
        c->v[c->n].end = store_col_date(st, 6);
        c->n++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

typedef struct attr_args {
    const cara_episode *ep;
    const char *tmpl_id;
    const bene_data *d;
    const cand_list *cands;
    const cara_template *tmpl;
    int hcc;
} attr_args;

/* attribute(episode, claims, beneficiary, candidates, params) */
static int push_attr(lua_State *L, void *ud)
{
    attr_args *a = ud;
    rules_push_episode(L, a->ep, a->tmpl_id, a->d->lines, a->hcc);
    rules_push_claims(L, a->d->lines, a->d->n_lines);
    rules_push_beneficiary(L, &a->d->b);
    rules_push_candidates(L, a->cands->v, a->cands->n);
    rules_push_json(L, template_root(a->tmpl));
    return 5;
}

static void quiet(void *ud, const char *script, const char *text) {}

static void rule_error(srv_resp *rs, const rules_error *e, const char *episode)
{
    static const char *const kinds[] = {"ok", "syntax", "runtime", "memory", "instructions",
                                        "missing", "result", "io"};
    const char *kind = e->kind >= 0 && e->kind <= RULES_ERR_IO ? kinds[e->kind] : "unknown";
    char msg[1400];
    snprintf(msg, sizeof msg, "the rule failed%s%s: %s", episode ? " on episode " : "",
             episode ? episode : "", e->message);
    srv_json(rs, 422, json_pack("{s:{s:i, s:s, s:o}, s:{s:s, s:o, s:i, s:o}}", "error", "status",
                                422, "code", "rule_error", "message", api_str(msg), "rule_error",
                                "kind", kind, "file", api_str(e->file), "line", e->line,
                                "message", api_str(e->message)));
}

/* Read attribute()'s result (on top of the stack) into tried; a wrong shape is an error. */
static int read_result(lua_State *L, json_t *tried, rules_error *e)
{
    if (!lua_istable(L, -1)) {
        rules_error_set(e, RULES_ERR_RESULT, "attribute() returned a %s, not a table",
                        luaL_typename(L, -1));
        return -1;
    }
    static const char *const keys[2] = {"arrangement_id", "method"};
    for (int i = 0; i < 2; i++) {
        lua_getfield(L, -1, keys[i]);
        if (lua_type(L, -1) == LUA_TSTRING) json_object_set_new(tried, keys[i], api_str(lua_tostring(L, -1)));
        else if (lua_isnil(L, -1)) json_object_set_new(tried, keys[i], json_null());
        else {
            rules_error_set(e, RULES_ERR_RESULT, "attribute() returned a %s as %s, not a string",
                            luaL_typename(L, -1), keys[i]);
            lua_pop(L, 1);
            return -1;
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* Try one episode; 0 with a result appended, -1 with the response set. */
static int try_one(srv_req *rq, srv_resp *rs, const catalog_entry *ce, rules_vm *vm, int script,
                   bene_reader *br, int64_t run_id, const char *id, json_t *results)
{
    sqlite3 *db = store_db(rq->db);
    stored_ep s;
    int f = load_stored(db, run_id, id, &s);
    if (f < 0) {
        srv_error(rs, 500, "store", "%s", sqlite3_errmsg(db));
        return -1;
    }
    if (f == 0) {
        srv_error(rs, 404, "not_found", "run %lld has no episode \"%s\"", (long long)run_id, id);
        return -1;
    }
    if (!api_in_scope(rq, s.aco, s.npi)) {
        api_forbidden(rq, rs, id);
        return -1;
    }
    json_t *r = json_pack("{s:o}", "episode_id", api_str(id));
    json_array_append_new(results, r);
    if (strcmp(s.tmpl, template_id(ce->tmpl))) {
        json_object_set_new(r, "skipped", json_sprintf("an episode of template %s", s.tmpl));
        return 0;
    }
    if (!strcmp(s.status, "excluded")) {
        json_object_set_new(r, "skipped", json_sprintf("excluded: %s", s.reason));
        return 0;
    }
    bene_data d;
    memset(&d, 0, sizeof d);
    char err[512];
    if (bene_load(br, s.person, &d, err, sizeof err) < 0) {
        bene_data_free(&d);
        srv_error(rs, 500, "store", "beneficiary %s: %s", s.person, err);
        return -1;
    }
    episode_ctx ctx;
    episode_ctx_init(&ctx, ce->tmpl, d.lines, d.n_lines);
    int rc = ce->plugin->desc->build(ce->inst, &ctx, &d.b, d.lines, d.n_lines);
    const cara_episode *ep = NULL;
    for (size_t i = 0; rc >= 0 && !ctx.error[0] && i < ctx.n_eps && !ep; i++)
        if (ctx.eps[i]->start == s.day0 && !ctx.eps[i]->exclusion[0]) ep = ctx.eps[i];
    int out = 0;
    if (!ep) {
        json_object_set_new(r, "skipped", json_string("the template no longer builds this "
                                                      "episode from the stored claims"));
    } else {
        cand_list cands;
        rules_error e;
        memset(&e, 0, sizeof e);
        attr_args a = {ep, template_id(ce->tmpl), &d, &cands, ce->tmpl, s.hcc};
        if (load_cands(db, template_id(ce->tmpl), &d.b, s.day0, &cands) < 0) {
            srv_error(rs, 500, "store", "%s", sqlite3_errmsg(db));
            out = -1;
        } else if (rules_vm_invoke(vm, script, "attribute", push_attr, &a, 1, &e) < 0) {
            rule_error(rs, &e, id);
            out = -1;
        } else {
            json_t *tried = json_object();
            if (read_result(rules_vm_state(vm), tried, &e) < 0) {
                json_decref(tried);
                rule_error(rs, &e, id);
                out = -1;
            } else {
                const char *ta = json_string_value(json_object_get(tried, "arrangement_id"));
                const char *tm = json_string_value(json_object_get(tried, "method"));
                json_object_set_new(r, "stored", json_pack("{s:o, s:o}", "arrangement_id",
                                                           s.arr[0] ? api_str(s.arr) : json_null(),
                                                           "attribution_method", api_str(s.method)));
                json_object_set_new(r, "tried", tried);
                json_object_set_new(r, "candidates", json_integer((json_int_t)cands.n));
                json_object_set_new(r, "changed", json_boolean(strcmp(ta ? ta : "", s.arr) ||
                                                               strcmp(tm ? tm : "", s.method)));
            }
            lua_settop(rules_vm_state(vm), 0);
        }
        cand_free(&cands);
    }
    episode_ctx_free(&ctx);
    bene_data_free(&d);
    return out;
}

void api_rules_try(srv_req *rq, srv_resp *rs)
{
    json_t *body = srv_body_object(rq, rs);
    if (!body) return;
    const char *tmpl = json_string_value(json_object_get(body, "template"));
    json_t *attr = json_object_get(body, "attribution"), *eps = json_object_get(body, "episodes");
    json_t *run = json_object_get(body, "run");
    catalog cat;
    int have_cat = 0;
    rules_vm *vm = NULL;
    bene_reader br;
    int have_br = 0;
    if (!tmpl) {
        srv_error(rs, 400, "bad_request", "template: a template id (string) is required");
    } else if (attr && !json_is_string(attr)) {
        srv_error(rs, 400, "bad_request", "attribution: expected Lua source as a string");
    } else if (json_object_get(body, "savings")) {
        srv_error(rs, 501, "not_implemented", "savings: only attribution rules can be tried here "
                  "(run 'cara rules test' or a what-if run for savings rules)");
    } else if (!json_is_array(eps) || json_array_size(eps) < 1 ||
               json_array_size(eps) > TRY_MAX_EPISODES) {
        srv_error(rs, 400, "bad_request", "episodes: expected an array of 1 to %d episode ids",
                  TRY_MAX_EPISODES);
    } else if (run && (!json_is_integer(run) || json_integer_value(run) < 1)) {
        srv_error(rs, 400, "bad_request", "run: expected a run id (a positive integer)");
    } else {
        size_t i;
        json_t *v;
        int ok = 1;
        json_array_foreach(eps, i, v) ok &= json_is_string(v);
        if (!ok) srv_error(rs, 400, "bad_request", "episodes: every element must be an episode id "
                           "(string)");
        char runbuf[32];
        if (run) snprintf(runbuf, sizeof runbuf, "%lld", (long long)json_integer_value(run));
        int64_t run_id = 0;
        char err[4096];
        if (ok && api_pick_run_arg(rq, rs, run ? runbuf : NULL, &run_id) < 0) ok = 0;
        if (ok && catalog_open(&cat, rq->episodes_dir, rq->plugins_dir, tmpl, NULL, NULL, err,
                               sizeof err) < 0) {
            srv_error(rs, 404, "not_found", "template %s: %s", tmpl, err);
            ok = 0;
        }
        have_cat = ok;
        const catalog_entry *ce = ok ? &cat.v[0] : NULL;
        char *src = NULL;
        size_t len = 0;
        const char *name = "attribution.lua (posted)";
        if (ok && attr) {
            src = strdup(json_string_value(attr));
            len = json_string_length(attr);
        } else if (ok) {
            name = ce->attribution_path;
            if (util_read_file(ce->attribution_path, RULES_MAX_SOURCE, &src, &len, err, sizeof err) < 0) {
                srv_error(rs, 500, "io", "%s", err);
                ok = 0;
            }
        }
        int script = 0;
        rules_error e;
        if (ok && rules_vm_new(NULL, &vm, err, sizeof err) < 0) {
            srv_error(rs, 500, "rules", "%s", err);
            ok = 0;
        }
        if (ok) {
            rules_vm_set_print(vm, quiet, NULL);
            if (rules_vm_load(vm, name, src ? src : "", len, &script, &e) < 0) {
                rule_error(rs, &e, NULL);
                ok = 0;
            }
        }
        free(src);
        if (ok && bene_reader_open(&br, store_db(rq->db), err, sizeof err) < 0) {
            srv_error(rs, 500, "store", "%s", err);
            ok = 0;
        }
        have_br = ok;
        json_t *results = json_array();
        json_array_foreach(eps, i, v)
        {
            if (!ok) break;
            ok = try_one(rq, rs, ce, vm, script, &br, run_id, json_string_value(v), results) == 0;
        }
        if (ok) {
            char id[32];
            snprintf(id, sizeof id, "%lld", (long long)run_id);
            ok = api_audit_read(rq, rs, "rules.try", "run", id,
                                json_pack("{s:s, s:b, s:O}", "template", tmpl, "posted_rule",
                                          attr != NULL, "episodes", eps)) == 0;
        }
        if (ok)
            srv_json(rs, 200, json_pack("{s:I, s:s, s:o}", "run_id", (json_int_t)run_id, "template",
                                        tmpl, "results", results));
        else
            json_decref(results);
    }
    if (have_br) bene_reader_close(&br);
    rules_vm_free(vm);
    if (have_cat) catalog_free(&cat);
    json_decref(body);
}
