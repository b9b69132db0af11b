/*
 * srv_api_templates.c: base templates and ACO overlays over HTTP.
 *
 *   GET  /v1/templates                  {"templates": [{id, version, kind, episode_type,
 *                                        name, description, sha256, base?, approach?, aco_id?}]}
 *   GET  /v1/templates/:id              the effective template (an overlay: its base with
 *                                        the overlay applied)
 *   GET  /v1/templates/:id/rules        {"template_id", "files": {"attribution.lua": "...",
 *                                        "savings.lua": "..."}}: the active rule sources
 *   POST /v1/templates/:id/validate     body: an overlay of base :id; nothing is saved.
 *                                        200 {"valid": true, "effective": {...}} or
 *                                        422 {"valid": false, "problems": [...]}
 *   PUT  /v1/templates/:id/overlays/:aco  (CMS or that ACO) validate, then write
 *                                        <source episodes dir>/<overlay id>/overlay.json
 *                                        atomically; 201 with the stored overlay
 *
 * The catalog read is the service's validated snapshot (rq->episodes_dir); overlays are
 * written to the source directory (srv_dirs.h), which the service re-validates into the
 * next snapshot. An ACO token sees the bases and its own overlays; a provider token the
 * bases and the overlays of ACOs it has an EBRA with.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "base/base.h"
#include "srv_api.h"
#include "srv_api_common.h"
#include "srv_dirs.h"

static int open_catalog(const srv_req *rq, srv_resp *rs, catalog *cat)
{
    char err[4096];
    if (!rq->episodes_dir || !rq->plugins_dir ||
        catalog_open(cat, rq->episodes_dir, rq->plugins_dir, NULL, NULL, NULL, err, sizeof err) < 0) {
        srv_error(rs, 500, "catalog", "the templates cannot be loaded: %s",
                  rq->episodes_dir ? err : "no episodes directory");
        return -1;
    }
    return 0;
}

/* 1 when the role may see the entry (bases and overlays without an ACO: everyone). */
static int visible(const srv_req *rq, const catalog_entry *e)
{
    const char *aco = template_host_str(e->tmpl, "aco_id");
    if (!e->overlay_path || !aco || srv_is_cms(rq)) return 1;
    if (srv_scope_aco(rq)) return !strcmp(aco, srv_scope_aco(rq));
    if (!srv_scope_npi(rq)) return 0;
    /* a store error hides the overlay, as no EBRA does */
    return rq->db && ebras_q_npi_in_aco(rq->db, srv_scope_npi(rq), aco, NULL, 0) == 1;
}

static json_t *entry_json(const catalog_entry *e)
{
    const cara_template *t = e->tmpl;
    char hex[65] = "", err[256], *buf;
    size_t len;
    if (util_read_file(e->overlay_path ? e->overlay_path : e->template_path, 64u << 20, &buf, &len,
                       err, sizeof err) == 0) {
        sha256_hex(buf, len, hex);
        free(buf);
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", api_str(template_id(t)));
    json_object_set_new(o, "version", api_str(template_version(t)));
    json_object_set_new(o, "kind", json_string(e->overlay_path ? "overlay" : "base"));
    json_object_set_new(o, "episode_type", api_str(template_episode_type(t)));
    json_object_set_new(o, "name", api_str(template_name(t)));
    json_object_set_new(o, "description", api_str(template_host_str(t, "description")));
    json_object_set_new(o, "sha256", json_string(hex));
    if (e->overlay_path) {
        json_object_set_new(o, "base", json_pack("{s:o, s:o}", "id", api_str(template_host_str(t, "base.id")),
                                                 "version", api_str(template_host_str(t, "base.version"))));
        json_object_set_new(o, "approach", api_str(template_host_str(t, "approach")));
        json_object_set_new(o, "aco_id", api_str(template_host_str(t, "aco_id")));
    }
    return o;
}

void api_templates_list(srv_req *rq, srv_resp *rs)
{
    catalog cat;
    if (open_catalog(rq, rs, &cat) < 0) return;
    json_t *list = json_array();
    for (size_t i = 0; i < cat.n; i++)
        if (visible(rq, &cat.v[i])) json_array_append_new(list, entry_json(&cat.v[i]));
    catalog_free(&cat);
    srv_json(rs, 200, json_pack("{s:o}", "templates", list));
}

void api_template_get(srv_req *rq, srv_resp *rs)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : "";
    catalog cat;
    if (open_catalog(rq, rs, &cat) < 0) return;
    const catalog_entry *e = catalog_find(&cat, id);
    if (!e) srv_error(rs, 404, "not_found", "no template \"%s\" (GET /v1/templates lists them)", id);
    else if (!visible(rq, e)) api_forbidden(rq, rs, "another ACO's overlay");
    else srv_json(rs, 200, json_deep_copy(template_root(e->tmpl)));
    catalog_free(&cat);
}

/* Add file `name` at path (NULL: absent) to files as text; 0, or -1 with a 500 set. */
static int add_source(srv_resp *rs, json_t *files, const char *name, const char *path)
{
    if (!path) return 0;
    char *buf = NULL, err[512];
    size_t len = 0;
    if (util_read_file(path, 1 << 20, &buf, &len, err, sizeof err) < 0) {
        srv_error(rs, 500, "internal", "%s", err);
        return -1;
    }
    json_object_set_new(files, name, json_stringn(buf, len));
    free(buf);
    return 0;
}

void api_template_rules(srv_req *rq, srv_resp *rs)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : "";
    catalog cat;
    if (open_catalog(rq, rs, &cat) < 0) return;
    const catalog_entry *e = catalog_find(&cat, id);
    json_t *files = json_object();
    if (!e) {
        srv_error(rs, 404, "not_found", "no template \"%s\" (GET /v1/templates lists them)", id);
    } else if (!visible(rq, e)) {
        api_forbidden(rq, rs, "another ACO's overlay");
    } else if (add_source(rs, files, "attribution.lua", e->attribution_path) == 0 &&
               add_source(rs, files, "savings.lua", e->savings_path) == 0) {
        srv_json(rs, 200, json_pack("{s:s, s:O}", "template_id", id, "files", files));
    }
    json_decref(files);
    catalog_free(&cat);
}

/* Check the request body as an overlay of base `base_id`: its header, its aco_id against
 * the store's ACOs, every change against the base's policy, the effective template
 * (template_check: the schema and the base's plugin). Returns
 * the number of problems (in d), or -1 with a 404 when base_id is not a base. On 0,
 * *doc and *eff are the caller's. */
static int check_overlay(const srv_req *rq, srv_resp *rs, const catalog *cat, const char *base_id,
                         json_t **doc, overlay_info *info, cara_template **eff, cara_diag *d)
{
    const catalog_entry *base = catalog_find(cat, base_id);
    *doc = NULL;
    *eff = NULL;
    if (!base || base->overlay_path) {
        srv_error(rs, 404, "not_found", "no base template \"%s\" (an overlay changes a base "
                  "template; GET /v1/templates lists them)", base_id);
        return -1;
    }
    if (overlay_parse("overlay", rq->body, rq->body_len, doc, info, d) == 0) {
        if (strcmp(info->base_id, base_id))
            diag_add(d, "base.id", "\"%s\": this overlay is posted to base %s", info->base_id, base_id);
        else
            overlay_apply("overlay", *doc, base->tmpl, eff, d);
    }
    if (*doc && !d->n && rq->db) { /* without a store (no-db routes) it cannot be checked */
        char err[512];
        if (overlay_check_aco(rq->db, info->aco_id, d, err, sizeof err) < 0)
            diag_add(d, "aco_id", "could not be checked against the ACOs: %s", err);
    }
    if (*eff && !d->n) {
        catalog_plugin_lock();
        template_check(*eff, base->plugin->desc, 1, d);
        void *inst = NULL;
        char why[512] = "";
        if (!d->n && base->plugin->desc->instance_new(*eff, &inst, why, sizeof why) < 0)
            diag_add(d, "episode_type", "%s: %s", template_episode_type(*eff), why);
        else if (inst)
            base->plugin->desc->instance_free(inst);
        catalog_plugin_unlock();
    }
    if (d->n) {
        template_free(*eff);
        *eff = NULL;
    }
    return (int)d->n;
}

static void problems(srv_resp *rs, const cara_diag *d)
{
    json_t *list = json_array();
    for (size_t i = 0; i < d->n; i++) json_array_append_new(list, api_str(d->items[i]));
    srv_json(rs, 422, json_pack("{s:b, s:o, s:{s:i, s:s, s:s}}", "valid", 0, "problems", list,
                                "error", "status", 422, "code", "invalid_overlay", "message",
                                "the overlay is refused: see problems"));
}

void api_template_validate(srv_req *rq, srv_resp *rs)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : "";
    json_t *body = srv_body_object(rq, rs);
    if (!body) return;
    json_decref(body);
    catalog cat;
    if (open_catalog(rq, rs, &cat) < 0) return;
    json_t *doc;
    overlay_info info;
    cara_template *eff;
    cara_diag d = {0};
    int n = check_overlay(rq, rs, &cat, id, &doc, &info, &eff, &d);
    if (n > 0) problems(rs, &d);
    else if (n == 0)
        srv_json(rs, 200, json_pack("{s:b, s:O}", "valid", 1, "effective", template_root(eff)));
    template_free(eff);
    json_decref(doc);
    diag_free(&d);
    catalog_free(&cat);
}

/* ---- PUT an overlay ---------------------------------------------------------------------- */

/* The aco_id of the overlay already at path, or NULL (malloc'ed). *exists is set. */
static char *existing_aco(const char *path, int *exists)
{
    *exists = util_exists(path);
    if (!*exists) return NULL;
    json_error_t je;
    json_t *o = json_load_file(path, 0, &je);
    const char *a = json_string_value(json_object_get(o, "aco_id"));
    char *r = a ? strdup(a) : NULL;
    json_decref(o);
    return r;
}

/* The id (folder name) of another overlay of base_id by aco in the source directory src,
 * other than `id` (malloc'ed), or NULL. */
static char *other_overlay(const char *src, const char *base_id, const char *aco, const char *id)
{
    DIR *d = opendir(src);
    if (!d) return NULL;
    char *hit = NULL;
    struct dirent *de;
    while (!hit && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !strcmp(de->d_name, id)) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s/overlay.json", src, de->d_name);
        json_error_t je;
        json_t *o = json_load_file(path, 0, &je);
        const char *a = json_string_value(json_object_get(o, "aco_id"));
        const char *b = json_string_value(json_object_get(json_object_get(o, "base"), "id"));
        const char *oid = json_string_value(json_object_get(o, "id"));
        if (a && b && !strcmp(a, aco) && !strcmp(b, base_id) && (!oid || strcmp(oid, id)))
            hit = strdup(de->d_name);
        json_decref(o);
    }
    closedir(d);
    return hit;
}

/* Write text to dir/overlay.json through a temporary file and rename. 0 or -errno. */
static int write_atomic(const char *dir, const char *text, char *err, size_t errlen)
{
    char tmp[4096], dst[4096];
    snprintf(tmp, sizeof tmp, "%s/.overlay.json.XXXXXX", dir);
    snprintf(dst, sizeof dst, "%s/overlay.json", dir);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        int e = errno;
        snprintf(err, errlen, "%.900s: %s", dir, strerror(e));
        return -e;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%.900s: %s", tmp, strerror(e));
        return -e;
    }
    size_t len = strlen(text), off = 0;
    int rc = 0;
    while (off < len && rc == 0) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno != EINTR) rc = -errno;
        else if (w > 0) off += (size_t)w;
    }
    if (rc == 0 && fsync(fd) < 0) rc = -errno;
    if (close(fd) < 0 && rc == 0) rc = -errno;
    if (rc == 0 && chmod(tmp, 0644) < 0) rc = -errno;
    if (rc == 0 && rename(tmp, dst) < 0) rc = -errno;
    if (rc < 0) {
        snprintf(err, errlen, "%.900s: %s", dst, strerror(-rc));
        unlink(tmp);
    }
    return rc;
}

void api_overlay_put(srv_req *rq, srv_resp *rs)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : "";
    const char *aco = rq->n_params > 1 ? rq->params[1] : "";
    if (!srv_is_cms(rq) && !(srv_scope_aco(rq) && !strcmp(srv_scope_aco(rq), aco))) {
        api_forbidden(rq, rs, "writing this ACO's overlay (only CMS or that ACO may)");
        return;
    }
    json_t *body = srv_body_object(rq, rs);
    if (!body) return;
    json_decref(body);
    const char *src = rq->s ? srv_source_episodes_dir(rq->s) : NULL;
    if (!src) {
        srv_error(rs, 500, "no_source", "the service has no source episodes directory to write to");
        return;
    }
    catalog cat;
    if (open_catalog(rq, rs, &cat) < 0) return;
    json_t *doc;
    overlay_info info;
    cara_template *eff;
    cara_diag d = {0};
    int n = check_overlay(rq, rs, &cat, id, &doc, &info, &eff, &d);
    if (n == 0 && (!info.aco_id || strcmp(info.aco_id, aco)))
        diag_add(&d, "aco_id", "%s%s%s: an overlay PUT under /overlays/%s must name \"aco_id\": \"%s\"",
                 info.aco_id ? "\"" : "", info.aco_id ? info.aco_id : "missing",
                 info.aco_id ? "\"" : "", aco, aco);
    /* overlay_parse refused an id that breaks the template id grammar (ids.h), embedded
     * NULs included; checked again here because the id becomes a folder name */
    if (n == 0 && ids_check_template_id(info.id, strlen(info.id)) != ID_OK)
        diag_add(&d, "id", "\"%s\": %s", info.id,
                 ids_explain("template", ids_check_template_id(info.id, strlen(info.id))));
    const catalog_entry *same = n == 0 ? catalog_find(&cat, info.id) : NULL;
    if (n == 0 && !d.n && same && !same->overlay_path)
        diag_add(&d, "id", "\"%s\" is the id of a base template", info.id);
    if (n != 0 || d.n) { /* n < 0: answered (404), and info was never filled in */
        if (n >= 0) problems(rs, &d);
        goto out;
    }
    char *dir = util_path_join(src, info.id);
    char *tpath = dir ? util_path_join(dir, "template.json") : NULL;
    char *opath = dir ? util_path_join(dir, "overlay.json") : NULL;
    int exists = 0;
    char *owner = opath ? existing_aco(opath, &exists) : NULL;
    const char *snap_owner = same ? template_host_str(same->tmpl, "aco_id") : NULL;
    const char *snap_mine = catalog_overlay_of(&cat, info.base_id, aco);
    char *mine = snap_mine && strcmp(snap_mine, info.id) ? strdup(snap_mine)
                                                          : other_overlay(src, info.base_id, aco, info.id);
    if (!opath) {
        srv_error(rs, 500, "oom", "out of memory");
    } else if (util_exists(tpath)) {
        srv_error(rs, 409, "conflict", "%s holds a base template; choose another overlay id", info.id);
    } else if ((exists && (!owner || strcmp(owner, aco))) || (snap_owner && strcmp(snap_owner, aco))) {
        srv_error(rs, 409, "conflict", "overlay %s belongs to ACO %s; choose another overlay id",
                  info.id, owner ? owner : snap_owner ? snap_owner : "(none)");
    } else if (mine) {
        srv_error(rs, 409, "conflict", "ACO %s already customizes %s as %s (an ACO has one "
                  "overlay of a base): PUT %s instead", aco, info.base_id, mine, mine);
    } else {
        char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        char err[1024], hex[65] = "";
        size_t len = text ? strlen(text) : 0;
        char *file = text ? malloc(len + 2) : NULL;
        if (file) {
            memcpy(file, text, len);
            memcpy(file + len, "\n", 2);
            sha256_hex(file, len + 1, hex);
        }
        if (!file) {
            srv_error(rs, 500, "oom", "out of memory");
        } else if (write_atomic(dir, file, err, sizeof err) < 0) {
            srv_error(rs, 500, "write_failed", "the overlay could not be written: %s", err);
        } else {
            json_t *detail = json_pack("{s:o, s:o, s:o, s:s, s:b}", "aco_id", api_str(aco), "base",
                                       api_str(info.base_id), "version", api_str(info.version),
                                       "sha256", hex, "replaced", exists);
            if (srv_audit(rq, "overlay.put", "overlay", info.id, detail) < 0)
                srv_error(rs, 500, "audit_failed", "overlay %s was written but its audit row was "
                          "not", info.id);
            else
                srv_json(rs, 201, json_incref(doc));
        }
        free(file);
        free(text);
    }
    free(owner);
    free(mine);
    free(dir);
    free(tpath);
    free(opath);
out:
    template_free(eff);
    json_decref(doc);
    diag_free(&d);
    catalog_free(&cat);
}
