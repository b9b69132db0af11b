/*
 * srv_reload.c: hot reload of the episodes folder.
 *
 * The service never runs what is being edited: it runs a validated snapshot. At start,
 * and whenever uv_fs_event reports a change under the source folder (debounced 400 ms),
 * the folder is copied to a new snapshot in the state directory and validated on the
 * thread pool: every template and overlay (catalog_open: schema, plugin, policy), every
 * rule file compiled in the sandbox (rule_set_open), the CMS-HCC tables. A good snapshot
 * becomes active (new requests and runs use it; the two before it are kept for requests
 * still reading them) and its files are kept in the store (snapshots.h: what
 * `POST /v1/templates/:id/rollback` can return to); a bad one is deleted, the active one stays, and the error is
 * logged and shown by GET /v1/status.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "store/store.h"
#include "srv_dirs.h"
#include "srv_internal.h"
#include "engine/engine.h"
#include "base/base.h"

#define DEBOUNCE_MS 400

static void snapshot_path(const srv *s, int n, char *out, size_t len)
{
    snprintf(out, len, "%s/episodes.%d", s->state_dir, n);
}

/* ---- validating a snapshot --------------------------------------------------------------- */

static int validate(const srv *s, const char *dir, char *msg)
{
    return episodes_check_dir(dir, s->plugins_dir, msg);
}

/* Keep a validated snapshot's files in the store (snapshots.h), so it can be rolled
 * back to after the folder is gone. A failure is logged: the snapshot still serves. */
static void keep(const srv *s, const char *dir, int n)
{
    store *db;
    char err[1024];
    int rc = store_open(s->db_path, 0, &db, err, sizeof err);
    if (rc == 0) {
        store_busy_timeout(db, 10000);
        rc = snapshot_record(db, dir, s->source_dir, n, NULL, err, sizeof err);
        store_close(db);
    }
    if (rc < 0) log_msg(LOG_LEVEL_WARN, "serve", "snapshot %d is not kept in the store: %s", n, err);
}

/* Copy, validate and keep snapshot number n (pool thread). */
static int build(srv *s, int n, char *msg)
{
    char dir[PATH_MAX + 32];
    snapshot_path(s, n, dir, sizeof dir);
    fs_remove_tree(dir, NULL, 0);
    if (fs_copy_tree(s->source_dir, dir, msg, 2048) < 0 || validate(s, dir, msg) < 0) {
        fs_remove_tree(dir, NULL, 0);
        return -1;
    }
    keep(s, dir, n);
    return 0;
}

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Make snapshot n active; drop the one three versions back. */
static void activate(srv *s, int n)
{
    char dir[PATH_MAX + 32], old[PATH_MAX + 32];
    snapshot_path(s, n, dir, sizeof dir);
    uv_mutex_lock(&s->lock);
    snprintf(s->active_dir, sizeof s->active_dir, "%s", dir);
    s->version = n;
    s->reload_error[0] = '\0';
    now_iso(s->reloaded_at);
    s->reload_ok_total++;
    uv_mutex_unlock(&s->lock);
    if (n > 3) {
        snapshot_path(s, n - 3, old, sizeof old);
        fs_remove_tree(old, NULL, 0);
    }
}

/* ---- watching ------------------------------------------------------------------------------ */

static void on_change(uv_fs_event_t *h, const char *name, int events, int status);

static void unwatch(srv *s)
{
    for (size_t i = 0; i < s->n_watch; i++) {
        uv_fs_event_stop(s->watch[i]);
        uv_close((uv_handle_t *)s->watch[i], (uv_close_cb)free);
    }
    free(s->watch);
    s->watch = NULL;
    s->n_watch = 0;
}

/* Watch the source folder and each folder in it (inotify is not recursive). The handles
 * are separate allocations, freed by their close callbacks. */
static void watch(srv *s)
{
    unwatch(s);
    char *dirs[256];
    size_t n = 0;
    dirs[n++] = strdup(s->source_dir);
    DIR *d = opendir(s->source_dir);
    for (struct dirent *e; d && n < 255 && (e = readdir(d));) {
        if (fs_skip_name(e->d_name)) continue;
        char *p = util_path_join(s->source_dir, e->d_name);
        if (p && util_is_dir(p)) dirs[n++] = p;
        else free(p);
    }
    if (d) closedir(d);
    uv_fs_event_t **hs = calloc(n, sizeof *hs);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uv_fs_event_t *h = hs ? malloc(sizeof *h) : NULL;
        if (h && uv_fs_event_init(s->loop, h) == 0) {
            h->data = s;
            if (uv_fs_event_start(h, on_change, dirs[i], 0) == 0) hs[k++] = h;
            else uv_close((uv_handle_t *)h, (uv_close_cb)free);
        } else {
            free(h);
        }
        free(dirs[i]);
    }
    s->watch = hs;
    s->n_watch = hs ? k : 0;
}

static void reload_start(srv *s);

static void on_debounce(uv_timer_t *t)
{
    srv *s = t->data;
    reload_start(s);
}

static void on_change(uv_fs_event_t *h, const char *name, int events, int status)
{
    (void)events;
    srv *s = h->data;
    if (status < 0 || s->stopping || (name && fs_skip_name(name))) return;
    uv_timer_start(&s->debounce, on_debounce, DEBOUNCE_MS, 0);
}

static void reload_work(uv_work_t *w)
{
    srv *s = w->data;
    s->reload_ok = build(s, s->reload_next, s->reload_msg) == 0;
}

/* Name the source folder, not the snapshot, in a message (in place). */
static void to_source_paths(const srv *s, int n, char *msg, size_t len)
{
    char snap[PATH_MAX + 32], out[4096];
    snapshot_path(s, n, snap, sizeof snap);
    size_t sl = strlen(snap), o = 0;
    for (const char *p = msg; *p && o + 1 < sizeof out;) {
        if (!strncmp(p, snap, sl)) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%s", s->source_dir);
            if (o >= sizeof out) o = sizeof out - 1;
            p += sl;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    util_strlcpy(msg, out, len);
}

static void reload_after(uv_work_t *w, int status)
{
    srv *s = w->data;
    to_source_paths(s, s->reload_next, s->reload_msg, sizeof s->reload_msg);
    s->reloading = 0;
    if (status == 0 && s->reload_ok) {
        activate(s, s->reload_next);
        log_msg(LOG_LEVEL_INFO, "serve", "episodes reloaded (version %d)", s->reload_next);
    } else {
        uv_mutex_lock(&s->lock);
        snprintf(s->reload_error, sizeof s->reload_error, "%s", s->reload_msg);
        now_iso(s->reloaded_at);
        s->reload_failed_total++;
        int v = s->version;
        uv_mutex_unlock(&s->lock);
        log_msg(LOG_LEVEL_WARN, "serve", "reload rejected, version %d stays active: %s", v,
                s->reload_msg);
    }
    if (!s->stopping) watch(s); /* folders may have come or gone */
    if (s->reload_again && !s->stopping) {
        s->reload_again = 0;
        reload_start(s);
    }
}

static void reload_start(srv *s)
{
    if (s->stopping) return;
    if (s->reloading) {
        s->reload_again = 1;
        return;
    }
    s->reloading = 1;
    uv_mutex_lock(&s->lock);
    s->reload_next = s->version + 1;
    uv_mutex_unlock(&s->lock);
    s->reload_work.data = s;
    if (uv_queue_work(s->loop, &s->reload_work, reload_work, reload_after) != 0) s->reloading = 0;
}

int srv__reload_init(srv *s, char *err, size_t errlen)
{
    char msg[2048];
    if (build(s, 1, msg) < 0) {
        snprintf(err, errlen, "the episodes folder %s is not valid: %s", s->source_dir, msg);
        return -EINVAL;
    }
    activate(s, 1);
    uv_timer_init(s->loop, &s->debounce);
    s->debounce.data = s;
    watch(s);
    return 0;
}

void srv__reload_stop(srv *s)
{
    uv_timer_stop(&s->debounce);
    uv_close((uv_handle_t *)&s->debounce, NULL);
    unwatch(s);
}
