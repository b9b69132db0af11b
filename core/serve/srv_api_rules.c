/*
 * srv_api_rules.c: POST /v1/rules/try, the rule sandbox: evaluate posted attribution
 * and/or savings rules against stored episodes without saving anything.
 *
 *   {"template": "falls_prevention", "attribution": "<lua source>"?,
 *    "savings": "<lua source>"?, "episodes": ["id", ...] (1..50), "run": N?}
 *   -> 200 {"run_id": N, "template": ..., "posted": ["attribution"?, "savings"?],
 *      "not_evaluated": ["winsorize", "reconcile"], "note": "...",
 *      "results": [{"episode_id",
 *        "stored": {"arrangement_id", "attribution_method", "hcc_count", "base_cents",
 *                   "trend_factor", "trend_years", "age_factor", "hcc_factor",
 *                   "dual_factor", "discount_bps", "target_cents", "quality_met"},
 *        "tried":  {"arrangement_id", "method", the same pricing fields, "quality_met"},
 *        "candidates": n, "changed": bool, "changes": ["arrangement_id", "method",
 *        "target_cents", "quality_met" that differ]}
 *      | {"episode_id", "skipped": "why"}]}
 *   -> 422 {"error": {...}, "rule_error": {"kind", "file", "line", "message"}} when a
 *      rule does not load or fails (syntax, runtime, instruction or memory cap, a result
 *      of the wrong shape), naming the episode it failed on; a posted file is named
 *      "attribution.lua (posted)" / "savings.lua (posted)".
 *
 * How: the engine's own entry point (engine_price.h), so that a try computes what a run
 * would. The template's folder of the active snapshot (with its base's for an overlay,
 * and common/: the CMS-HCC tables and the method library) is copied to a temporary
 * directory, the posted scripts are written over attribution.lua / savings.lua there,
 * and that directory is opened as a catalog of the one template and an engine_pricer
 * (its rule set, standard limits: rules_vm.h, and the arrangements of the store). Each
 * episode's beneficiary (its claim lines from the store) is priced with
 * engine_price_beneficiary in its try mode: the template's plugin builds the episode,
 * which gets, as in a run, attribute() with the candidates a run gives, then target()
 * for the arrangement the tried attribution chose (or none) and quality(); the rules see
 * the episode window's lines, and hcc_count is the one the run stored. The temporary
 * directory is removed before answering, also on errors.
 * Without "attribution" / "savings" the template's own file runs.
 *
 * Not evaluated: winsorize() and reconcile() are run-wide (every episode of a template
 * and trigger type, of an arrangement and performance year), so a try cannot answer
 * them for a few episodes; a what-if run does (`cara run --episodes DIR`, POST /v1/runs
 * with the rules in the episodes folder). Nothing is written to the store but the audit
 * row (rules.try).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "catalog/catalog.h"
#include "base/base.h"
#include "engine/engine.h"
#include "rules/rules.h"
#include "srv_api.h"
#include "srv_api_common.h"
#include "srv_bodies.h"
#include "srv_dirs.h"

#define TRY_MAX_EPISODES SRV_TRY_MAX_EPISODES
#define TRY_WALL_MS 2000    /* rules_limits.wall_ms of each rule call (enforced by the sandbox) */
#define TRY_MAX_ERROR 512   /* bytes of a tried rule's error message that are answered */

/* The pricing fields of run_episodes, in the order of the SELECT below and of ep_rec. */
static const char *const price_keys[] = {"hcc_count", "base_cents", "trend_factor", "trend_years",
                                         "age_factor", "hcc_factor", "dual_factor",
                                         "discount_bps", "target_cents", "quality_met"};
#define N_PRICE 10

/* The stored episode a try runs against. */
typedef struct stored_ep {
    char person[80], tmpl[96], aco[32], npi[16], arr[128], method[24], status[12], reason[128];
    cara_date day0;
    int64_t price[N_PRICE];
    int has_price[N_PRICE];
} stored_ep;

_Static_assert(N_PRICE == RUN_N_PRICE, "the store's price fields are the try's");

/* 1 found, 0 not found, -1 store error (its message in msg). */
static int load_stored(store *db, int64_t run_id, const char *id, stored_ep *e, char *msg,
                       size_t msglen)
{
    run_stored_episode r;
    memset(e, 0, sizeof *e);
    int f = run_record_q_episode(db, run_id, id, &r, msg, msglen);
    if (f <= 0) return f < 0 ? -1 : 0;
    util_strlcpy(e->person, r.person_id, sizeof e->person);
    util_strlcpy(e->tmpl, r.template_id, sizeof e->tmpl);
    util_strlcpy(e->aco, r.aco_id, sizeof e->aco);
    util_strlcpy(e->npi, r.npi, sizeof e->npi);
    util_strlcpy(e->arr, r.arrangement_id, sizeof e->arr);
    util_strlcpy(e->method, r.attribution_method, sizeof e->method);
    util_strlcpy(e->status, r.status, sizeof e->status);
    util_strlcpy(e->reason, r.exclusion_reason, sizeof e->reason);
    e->day0 = r.trigger_date;
    for (int i = 0; i < N_PRICE; i++) {
        e->has_price[i] = r.has_price[i];
        e->price[i] = r.price[i];
    }
    return 1;
}

static void quiet(void *ud, const char *script, const char *text) {}

/* ---- the temporary episodes directory --------------------------------------------------- */

typedef struct try_ctx {
    char tmp[PATH_MAX];            /* "" until created */
    catalog cat;                   /* the temporary directory's, one template */
    int have_cat;
    engine_pricer *pr;             /* the rule set and the arrangements (engine_price.h) */
    /* how rule files are named in errors: [0] attribution, [1] savings */
    char *tmp_path[2], *shown[2];
    const char *snap_dir;          /* the snapshot (rq->episodes_dir) */
} try_ctx;

static const char *const rule_names[2] = {"attribution.lua", "savings.lua"};

static int write_file(const char *path, const char *buf, size_t len, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = fd >= 0 && write(fd, buf, len) == (ssize_t)len ? 0 : -EIO;
    if (rc < 0) snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    if (fd >= 0 && close(fd) < 0 && rc == 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        rc = -EIO;
    }
    return rc;
}

/* Copy folder `dir` of the snapshot (by its last path component) into the temporary
 * directory. */
static int copy_folder(try_ctx *t, const char *dir, char *err, size_t errlen)
{
    const char *slash = strrchr(dir, '/');
    char *to = util_path_join(t->tmp, slash ? slash + 1 : dir);
    int rc = to ? fs_copy_tree(dir, to, err, errlen) : -ENOMEM;
    free(to);
    return rc;
}

/* ---- errors (of the temporary directory's rules) ---------------------------------------- */

/* The length of the text at p that names path `from`: the whole path, or Lua's shortened
 * form of a long chunk name ("..." and a tail of it); 0 when p names something else. */
static size_t names_path(const char *p, const char *from, size_t fl)
{
    if (!strncmp(p, from, fl)) return fl;
    if (strncmp(p, "...", 3)) return 0;
    for (size_t j = 1; j + 8 < fl; j++) /* the longest tail that follows, of 8+ characters */
        if (!strncmp(p + 3, from + j, fl - j)) return 3 + fl - j;
    return 0;
}

/* Replace every mention of path from in s (capacity cap) by to, truncating if need be. */
static void replace_all(char *s, size_t cap, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    if (!fl) return;
    char *out = malloc(cap);
    if (!out) return;
    size_t o = 0;
    for (const char *p = s; *p && o + 1 < cap;) {
        size_t m = names_path(p, from, fl);
        if (m) {
            size_t n = tl < cap - 1 - o ? tl : cap - 1 - o;
            memcpy(out + o, to, n);
            o += n;
            p += m;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    memcpy(s, out, o + 1);
    free(out);
}

/* The rule's error as a 422, with the temporary paths named as the user knows them. */
/* Cut s to at most cap bytes on a UTF-8 character boundary, marking the cut with "...". */
static void cap_text(char *s, size_t cap)
{
    size_t n = strlen(s);
    if (n <= cap) return;
    size_t k = cap - 3;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--; /* not inside a character */
    memcpy(s + k, "...", 4);
}

static void rule_error(srv_resp *rs, const try_ctx *t, const rules_error *err, const char *episode)
{
    static const char *const kinds[] = {"ok", "syntax", "runtime", "memory", "instructions",
                                        "missing", "result", "io", "time"};
    rules_error *e = malloc(sizeof *e);
    if (!e) {
        srv_error(rs, 500, "internal", "out of memory");
        return;
    }
    *e = *err;
    for (int i = 0; i < 2; i++)
        if (t->tmp_path[i] && t->shown[i]) {
            replace_all(e->file, sizeof e->file, t->tmp_path[i], t->shown[i]);
            replace_all(e->message, sizeof e->message, t->tmp_path[i], t->shown[i]);
        }
    if (t->tmp[0] && t->snap_dir) { /* anything else there (an overlay's base files) by its snapshot path */
        replace_all(e->file, sizeof e->file, t->tmp, t->snap_dir);
        replace_all(e->message, sizeof e->message, t->tmp, t->snap_dir);
    }
    cap_text(e->message, TRY_MAX_ERROR);
    const char *kind = e->kind >= 0 && e->kind <= RULES_ERR_TIME ? kinds[e->kind] : "unknown";
    char msg[1400];
    snprintf(msg, sizeof msg, "the rule failed%s%s: %s", episode ? " on episode " : "",
             episode ? episode : "", e->message);
    srv_json(rs, 422, json_pack("{s:{s:i, s:s, s:o}, s:{s:s, s:o, s:i, s:o}}", "error", "status",
                                422, "code", "rule_error", "message", api_str(msg), "rule_error",
                                "kind", kind, "file", api_str(e->file), "line", e->line,
                                "message", api_str(e->message)));
    free(e);
}

/* ---- opening ---------------------------------------------------------------------------- */

/*
 * Build the temporary episodes directory for template `tmpl` of the snapshot with the
 * posted scripts (NULL = the template's own), open it and its rule set. Returns 0; or
 * -1 with the response set (a rule that does not load is a 422).
 */
static int try_open(srv_req *rq, srv_resp *rs, try_ctx *t, const char *tmpl, json_t *posted[2])
{
    char err[4096];
    catalog snap;
    t->snap_dir = rq->episodes_dir;
    if (catalog_open(&snap, rq->episodes_dir, rq->plugins_dir, tmpl, NULL, NULL, err,
                     sizeof err) < 0) {
        srv_error(rs, 404, "not_found", "template %s: %s", tmpl, err);
        return -1;
    }
    const catalog_entry *se = &snap.v[0];
    for (int i = 0; i < 2; i++)
        t->shown[i] = posted[i] ? NULL : strdup(i == 0 ? se->attribution_path : se->savings_path);
    /* under the service's state folder, which every exit of the service removes (also a
     * stop that cannot wait for this try); else $TMPDIR */
    const char *tmpdir = srv_state_dir(rq->s);
    if (!tmpdir) tmpdir = getenv("TMPDIR");
    snprintf(t->tmp, sizeof t->tmp, "%s/cara-try.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int rc = 0;
    if (!mkdtemp(t->tmp)) {
        snprintf(err, sizeof err, "cannot create a temporary directory: %s", strerror(errno));
        t->tmp[0] = '\0';
        rc = -EIO;
    }
    /* the template's folder; an overlay's base folder; common/ (the CMS-HCC tables) */
    if (rc == 0) rc = copy_folder(t, se->dir, err, sizeof err);
    if (rc == 0 && se->overlay_path) {
        char base[PATH_MAX];
        util_strlcpy(base, se->template_path, sizeof base);
        char *slash = strrchr(base, '/');
        if (slash) *slash = '\0';
        rc = copy_folder(t, base, err, sizeof err);
    }
    char *common = util_path_join(rq->episodes_dir, "common");
    if (rc == 0 && common && util_is_dir(common)) rc = copy_folder(t, common, err, sizeof err);
    free(common);
    const char *slash = strrchr(se->dir, '/');
    char *folder = rc == 0 ? util_path_join(t->tmp, slash ? slash + 1 : se->dir) : NULL;
    for (int i = 0; i < 2 && rc == 0; i++) {
        if (!posted[i]) continue;
        char *p = folder ? util_path_join(folder, rule_names[i]) : NULL;
        rc = p ? write_file(p, json_string_value(posted[i]), json_string_length(posted[i]), err,
                            sizeof err)
               : -ENOMEM;
        free(p);
    }
    free(folder);
    catalog_free(&snap);
    if (rc < 0) {
        srv_error(rs, 500, "io", "rules/try: %s", rc == -ENOMEM ? "out of memory" : err);
        return -1;
    }
    if (catalog_open(&t->cat, t->tmp, rq->plugins_dir, tmpl, NULL, NULL, err, sizeof err) < 0) {
        srv_error(rs, 500, "internal", "rules/try: the copied template does not load: %s", err);
        return -1;
    }
    t->have_cat = 1;
    for (int i = 0; i < 2; i++) {
        t->tmp_path[i] = strdup(i == 0 ? t->cat.v[0].attribution_path : t->cat.v[0].savings_path);
        if (!t->shown[i]) {
            char name[64];
            snprintf(name, sizeof name, "%s (posted)", rule_names[i]);
            t->shown[i] = strdup(name);
        }
        if (!t->tmp_path[i] || !t->shown[i]) {
            srv_error(rs, 500, "internal", "out of memory");
            return -1;
        }
    }
    if (engine_pricer_open(&t->cat, NULL, rq->db,
                           &(rules_limits){.wall_ms = TRY_WALL_MS}, &t->pr, err, sizeof err) < 0) {
        const rules_error *re = t->pr ? engine_pricer_rule_error(t->pr) : NULL;
        if (re && re->kind != RULES_OK) rule_error(rs, t, re, NULL);
        else if (t->pr) srv_error(rs, 500, "store", "%s", err);
        else srv_error(rs, 500, "internal", "out of memory");
        return -1;
    }
    engine_pricer_set_print(t->pr, quiet, NULL);
    return 0;
}

static void try_close(try_ctx *t)
{
    engine_pricer_close(t->pr);
    if (t->have_cat) catalog_free(&t->cat);
    if (t->tmp[0]) fs_remove_tree(t->tmp, NULL, 0);
    for (int i = 0; i < 2; i++) {
        free(t->tmp_path[i]);
        free(t->shown[i]);
    }
    memset(t, 0, sizeof *t);
}

/* ---- one episode ------------------------------------------------------------------------ */

static json_t *opt_int(int has, int64_t v) { return has ? json_integer((json_int_t)v) : json_null(); }

static json_t *stored_json(const stored_ep *s)
{
    json_t *o = json_pack("{s:o, s:o}", "arrangement_id", s->arr[0] ? api_str(s->arr) : json_null(),
                          "attribution_method", api_str(s->method));
    for (int i = 0; i < N_PRICE - 1; i++)
        json_object_set_new(o, price_keys[i], opt_int(s->has_price[i], s->price[i]));
    json_object_set_new(o, "quality_met", s->has_price[N_PRICE - 1]
                                              ? json_boolean(s->price[N_PRICE - 1])
                                              : json_null());
    return o;
}

static json_t *tried_json(const engine_priced *r)
{
    json_t *o = json_pack("{s:o, s:o}", "arrangement_id",
                          r->arrangement_id ? api_str(r->arrangement_id) : json_null(), "method",
                          api_str(r->method));
    const int64_t v[N_PRICE - 1] = {r->hcc_count,  r->base,       r->trend_factor,
                                    r->trend_years, r->age_factor, r->hcc_factor,
                                    r->dual_factor, r->discount_bps, r->target};
    for (int i = 0; i < N_PRICE - 1; i++) json_object_set_new(o, price_keys[i], json_integer(v[i]));
    json_object_set_new(o, "quality_met", json_boolean(r->quality_met));
    return o;
}

/* Try one episode; 0 with a result appended, -1 with the response set. */
static int try_one(srv_req *rq, srv_resp *rs, try_ctx *t, bene_reader *br, int64_t run_id,
                   const char *id, json_t *results)
{
    const catalog_entry *ce = &t->cat.v[0];
    stored_ep s;
    char msg[256];
    int f = load_stored(rq->db, run_id, id, &s, msg, sizeof msg);
    if (f < 0) {
        srv_error(rs, 500, "store", "%s", msg);
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
    char err[4096];
    if (bene_load(br, s.person, &d, err, sizeof err) < 0) {
        bene_data_free(&d);
        srv_error(rs, 500, "store", "beneficiary %s: %s", s.person, err);
        return -1;
    }
    /* as a run prices it (engine_price.h), one episode: attribute(), then target() for its
     * arrangement, then quality(), the rules seeing the episode window's claim lines */
    engine_price_opts po = {.try_one = 1, .only_day0 = s.day0, .hcc_given = 1,
                            .hcc_count = s.has_price[0] ? s.price[0] : 0};
    int rc = engine_price_beneficiary(t->pr, &d.b, d.lines, d.n_lines, &po, err, sizeof err);
    int out = 0;
    if (rc == 0) {
        json_object_set_new(r, "skipped", json_string("the template no longer builds this "
                                                      "episode from the stored claims"));
    } else if (rc < 0) {
        const rules_error *re = engine_pricer_rule_error(t->pr);
        if (re->kind != RULES_OK) rule_error(rs, t, re, id);
        else srv_error(rs, 500, "rules", "episode %s: %s", id, err);
        out = -1;
    } else {
        engine_priced rec;
        engine_priced_get(t->pr, 0, &rec);
        const char *ta = rec.arrangement_id ? rec.arrangement_id : "";
        json_t *changes = json_array();
        if (strcmp(ta, s.arr)) json_array_append_new(changes, json_string("arrangement_id"));
        if (strcmp(rec.method, s.method)) json_array_append_new(changes, json_string("method"));
        if (!s.has_price[8] || rec.target != s.price[8])
            json_array_append_new(changes, json_string("target_cents"));
        if (!s.has_price[9] || !rec.quality_met != !s.price[9])
            json_array_append_new(changes, json_string("quality_met"));
        json_object_set_new(r, "stored", stored_json(&s));
        json_object_set_new(r, "tried", tried_json(&rec));
        json_object_set_new(r, "candidates", json_integer((json_int_t)rec.candidates));
        json_object_set_new(r, "changed", json_boolean(json_array_size(changes) > 0));
        json_object_set_new(r, "changes", changes);
    }
    bene_data_free(&d);
    return out;
}

/* ---- the handler ------------------------------------------------------------------------ */

/* The try itself; the response set. *audit_run: the run it read (0 before one is known). */
static void try_request(srv_req *rq, srv_resp *rs, json_t *body, int64_t *audit_run)
{
    srv_try_body tb;
    try_ctx t;
    memset(&t, 0, sizeof t);
    bene_reader br;
    int have_br = 0;
    if (srv_body_try(body, rs, &tb) == 0) {
        const char *tmpl = tb.template_id;
        json_t *posted[2] = {(json_t *)tb.posted[0], (json_t *)tb.posted[1]};
        json_t *eps = (json_t *)tb.episodes, *v;
        size_t i;
        int ok = 1, run = tb.run > 0;
        char runbuf[32];
        if (run) snprintf(runbuf, sizeof runbuf, "%lld", (long long)tb.run);
        int64_t run_id = 0;
        char err[4096];
        if (ok && api_pick_run_arg(rq, rs, run ? runbuf : NULL, &run_id) < 0) ok = 0;
        if (ok && try_open(rq, rs, &t, tmpl, posted) < 0) ok = 0;
        if (ok && bene_reader_open(&br, rq->db, err, sizeof err) < 0) {
            srv_error(rs, 500, "store", "%s", err);
            ok = 0;
        }
        have_br = ok;
        json_t *results = json_array();
        json_array_foreach(eps, i, v)
        {
            if (!ok) break;
            ok = try_one(rq, rs, &t, &br, run_id, json_string_value(v), results) == 0;
        }
        json_t *names = json_array();
        for (int k = 0; k < 2; k++)
            if (posted[k]) json_array_append_new(names, json_string(k ? "savings" : "attribution"));
        *audit_run = run_id;
        if (ok)
            srv_json(rs, 200, json_pack("{s:I, s:s, s:O, s:[ss], s:s, s:o}", "run_id",
                                        (json_int_t)run_id, "template", tmpl, "posted", names,
                                        "not_evaluated", "winsorize", "reconcile", "note",
                                        "winsorize() and reconcile() need every episode of the "
                                        "run; try them with a what-if run (cara run --episodes "
                                        "DIR, or POST /v1/runs)", "results", results));
        else
            json_decref(results);
        json_decref(names);
    }
    if (have_br) bene_reader_close(&br);
    try_close(&t);
}

void api_rules_try(srv_req *rq, srv_resp *rs)
{
    json_t *body = srv_body_object(rq, rs);
    int64_t run_id = 0;
    if (body) try_request(rq, rs, body, &run_id);
    /* Every try is audited, answered or refused: who, the template, the episodes, the
     * outcome. An answer that cannot be audited is not given (500). */
    json_t *tmpl = body ? json_object_get(body, "template") : NULL;
    json_t *eps = body ? json_object_get(body, "episodes") : NULL;
    json_t *names = json_array();
    for (int k = 0; k < 2 && body; k++)
        if (json_object_get(body, k ? "savings" : "attribution"))
            json_array_append_new(names, json_string(k ? "savings" : "attribution"));
    json_t *err = json_object_get(rs->json, "error");
    json_t *detail = json_pack("{s:O?, s:b, s:o, s:O?, s:i, s:O?}", "template",
                               json_is_string(tmpl) ? tmpl : NULL, "posted_rule",
                               json_array_size(names) > 0, "posted", names, "episodes",
                               json_is_array(eps) ? eps : NULL, "status", rs->status, "code",
                               json_object_get(err, "code"));
    json_object_set_new(detail, "outcome", json_string(rs->status == 200 ? "answered" : "refused"));
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)run_id);
    if (srv_audit(rq, "rules.try", "run", run_id ? id : NULL, detail) < 0 && rs->status == 200) {
        json_decref(rs->json);
        rs->json = NULL;
        srv_error(rs, 500, "audit_failed", "rules.try could not be written to the audit log; the "
                  "answer is refused");
    }
    json_decref(body);
}
