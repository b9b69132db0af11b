/*
 * srv_api_rollback.c: a template's stored history and its rollback over HTTP
 * (rollback.h).
 *
 *   GET  /v1/templates/:id/history    {"template_id", "history": [entries, latest first]}
 *   POST /v1/templates/:id/rollback   body {"run"?: N, "version"?: "...", "sha256"?: "..."}
 *                                     (CMS; an ACO for its own overlay) restore the files
 *                                     into the source episodes folder; the hot reload then
 *                                     validates and activates them. 200 with what was
 *                                     restored; 404 nothing matches; 422 not valid (nothing
 *                                     changed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "srv_api.h"
#include "srv_api_common.h"
#include "srv_bodies.h"
#include "srv_dirs.h"
#include "base/base.h"

/* May the role see or restore this history entry? CMS: all; an ACO: bases (see) and its
 * own overlays; a provider: bases (see). */
static int entry_allowed(const srv_req *rq, const json_t *e, int write)
{
    if (srv_is_cms(rq)) return 1;
    int overlay = !strcmp(json_string_value(json_object_get(e, "kind")), "overlay");
    const char *aco = json_string_value(json_object_get(e, "aco_id"));
    if (srv_scope_aco(rq) && overlay) return aco && !strcmp(aco, srv_scope_aco(rq));
    return !write && !overlay;
}

void api_template_history(srv_req *rq, srv_resp *rs)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : "";
    json_t *list;
    char err[1024];
    if (rollback_history(rq->db, id, &list, err, sizeof err) < 0) {
        srv_error(rs, 500, "internal", "%s", err);
        return;
    }
    json_t *shown = json_array();
    for (size_t i = 0; i < json_array_size(list); i++)
        if (entry_allowed(rq, json_array_get(list, i), 0))
            json_array_append(shown, json_array_get(list, i));
    json_decref(list);
    srv_json(rs, 200, json_pack("{s:s, s:o}", "template_id", id, "history", shown));
}

/* The aco_id of the overlay now in the source folder's `folder`, or NULL (malloc'ed). */
static char *current_aco(const char *src, const char *folder)
{
    char *dir = util_path_join(src, folder);
    char *p = dir ? util_path_join(dir, "overlay.json") : NULL;
    json_error_t je;
    json_t *o = p ? json_load_file(p, 0, &je) : NULL;
    const char *a = json_string_value(json_object_get(o, "aco_id"));
    char *r = a ? strdup(a) : NULL;
    json_decref(o);
    free(p);
    free(dir);
    return r;
}

void api_template_rollback(srv_req *rq, srv_resp *rs)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : "";
    if (!srv_is_cms(rq) && !srv_scope_aco(rq)) {
        api_forbidden(rq, rs, "rolling back a template (CMS, or an ACO for its own overlay)");
        return;
    }
    json_t *body = srv_body_object(rq, rs);
    if (!body) return;
    srv_rollback_body b;
    if (srv_body_rollback(body, id, rs, &b) < 0) {
        json_decref(body);
        return;
    }
    const char *src = rq->s ? srv_source_episodes_dir(rq->s) : NULL;
    if (!src || !rq->plugins_dir) {
        srv_error(rs, 500, "no_source", "the service has no source episodes directory to write to");
        json_decref(body);
        return;
    }
    rollback_req r = {.template_id = id, .run = b.run, .version = b.version, .sha256 = b.sha256};
    json_t *entry = NULL, *before = NULL;
    char err[4096];
    int rc = rollback_find(rq->db, &r, &entry, err, sizeof err);
    if (rc == -ENOENT) srv_error(rs, 404, "not_found", "%s", err);
    else if (rc == -EINVAL) srv_error(rs, 400, "bad_request", "%s", err);
    else if (rc < 0) srv_error(rs, 500, "internal", "%s", err);
    char *owner = rc == 0 ? current_aco(src, json_string_value(json_object_get(entry, "folder"))) : NULL;
    if (rc == 0 && (!entry_allowed(rq, entry, 1) ||
                    (srv_scope_aco(rq) && owner && strcmp(owner, srv_scope_aco(rq))))) {
        api_forbidden(rq, rs, "rolling back this template (an ACO may roll back only its own overlay)");
        rc = -EPERM;
    }
    if (rc == 0) {
        rc = rollback_apply(rq->db, entry, src, rq->plugins_dir, &before, err, sizeof err);
        if (rc == -EINVAL) srv_error(rs, 422, "unprocessable", "%s", err);
        else if (rc < 0) srv_error(rs, 500, "internal", "%s", err);
    }
    if (rc == 0) {
        char actor[128];
        api_actor(rq, actor, sizeof actor);
        json_t *after = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "folder",
                                  json_object_get(entry, "folder"), "version",
                                  json_object_get(entry, "version"), "sha256",
                                  json_object_get(entry, "sha256"), "files",
                                  json_object_get(entry, "files"), "runs",
                                  json_object_get(entry, "runs"), "snapshots",
                                  json_object_get(entry, "snapshots"));
        if (rollback_audit(rq->db, actor, id, before, after, err, sizeof err) < 0) {
            srv_error(rs, 500, "audit_failed", "template %s was rolled back but its audit row "
                      "was not written: %s", id, err);
        } else {
            json_object_set_new(after, "template_id", json_string(id));
            json_object_set_new(after, "files_sha256", json_incref(json_object_get(entry, "files_sha256")));
            json_object_set(after, "before", before);
            json_object_set_new(after, "reload", json_string("the hot reload validates and "
                                                             "activates it (GET /v1/status)"));
            srv_json(rs, 200, json_incref(after));
        }
        json_decref(after);
    }
    free(owner);
    json_decref(before);
    json_decref(entry);
    json_decref(body);
}
