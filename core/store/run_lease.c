/*
 * run_lease.c: see run_lease.h.
 */
#include "run_lease.h"
#include "store_conn.h"
#include "base/base.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

struct run_lease {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;          /* guarded by mu */
    sqlite3 *db;       /* owned: the heartbeat thread's connection */
    int64_t run_id;
};

static void host_name(char *buf, size_t len)
{
    if (gethostname(buf, len) < 0) snprintf(buf, len, "?");
    buf[len - 1] = '\0';
}

/* Renew the heartbeat of l->run_id; a failure (a busy database) waits for the next beat. */
static void beat(sqlite3 *db, int64_t run_id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "UPDATE runs SET heartbeat_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
                               "'now') WHERE run_id = ?1 AND status = 'running'",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

static void *heartbeat_main(void *arg)
{
    util_thread_name("cara-lease");
    run_lease *l = arg;
    pthread_mutex_lock(&l->mu);
    while (!l->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += RUN_LEASE_BEAT_S;
        while (!l->stop && pthread_cond_timedwait(&l->cv, &l->mu, &until) != ETIMEDOUT) {
        }
        if (l->stop) break;
        pthread_mutex_unlock(&l->mu);
        beat(l->db, l->run_id);
        pthread_mutex_lock(&l->mu);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

int run_lease_start(store *s, int64_t run_id, run_lease **out, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    const char *db_path = store_path(s);
    *out = NULL;
    char host[256];
    host_name(host, sizeof host);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "UPDATE runs SET lease_pid = ?2, lease_host = ?3, heartbeat_at = "
                               "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE run_id = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "the run's lease: %s", sqlite3_errmsg(db));
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, (int64_t)getpid());
    sqlite3_bind_text(st, 3, host, -1, SQLITE_STATIC); /* no copy: nothing to run out of */
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "the run's lease: %s", sqlite3_errmsg(db));
        return -EIO;
    }
    run_lease *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    l->run_id = run_id;
    if (sqlite3_open_v2(db_path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: the run's heartbeat connection: %s", db_path,
                 l->db ? sqlite3_errmsg(l->db) : "out of memory");
        sqlite3_close(l->db);
        free(l);
        return -EIO;
    }
    sqlite3_busy_timeout(l->db, 1000);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    if (pthread_create(&l->thread, NULL, heartbeat_main, l) != 0) {
        snprintf(err, errlen, "the run's heartbeat thread: cannot start");
        pthread_mutex_destroy(&l->mu);
        pthread_cond_destroy(&l->cv);
        sqlite3_close(l->db);
        free(l);
        return -EAGAIN;
    }
    *out = l;
    return 0;
}

void run_lease_stop(run_lease *l)
{
    if (!l) return;
    pthread_mutex_lock(&l->mu);
    l->stop = 1;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->thread, NULL);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    sqlite3_close(l->db);
    free(l);
}

/* 1 when process pid certainly does not exist on this host. */
static int pid_gone(int64_t pid)
{
    if (pid <= 0 || pid > INT32_MAX) return 1;
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* One `running` row found by run_lease_reap, with the message it gets when stale. */
typedef struct stale_run {
    int64_t id;
    char msg[768];
} stale_run;

int run_lease_reap(store *s, const char *who, int *n, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    if (n) *n = 0;
    char host[256];
    host_name(host, sizeof host);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT run_id, lease_pid, COALESCE(lease_host, ''), "
                           "COALESCE(heartbeat_at, started_at), CAST(strftime('%s', 'now') AS "
                           "INTEGER) - CAST(strftime('%s', COALESCE(heartbeat_at, started_at)) "
                           "AS INTEGER) FROM runs WHERE status = 'running' AND abandoned_at IS "
                           "NULL ORDER BY run_id",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "finding abandoned runs: %s", sqlite3_errmsg(db));
        return -EIO;
    }
    stale_run *v = NULL;
    size_t nv = 0;
    int rc = 0, sr = SQLITE_DONE;
    /* collect first, update after: no UPDATE of runs while a SELECT of runs is open */
    while (rc == 0 && (sr = sqlite3_step(st)) == SQLITE_ROW) {
        int has_pid = sqlite3_column_type(st, 1) != SQLITE_NULL;
        int64_t pid = sqlite3_column_int64(st, 1);
        const char *lhost = (const char *)sqlite3_column_text(st, 2);
        if (!lhost) lhost = ""; /* NULL also when SQLite is out of memory */
        const char *hb = (const char *)sqlite3_column_text(st, 3);
        int64_t age = sqlite3_column_int64(st, 4);
        int here = has_pid && !strcmp(lhost, host);
        int gone = here && pid_gone(pid);
        if (!gone && age <= RUN_LEASE_STALE_S) continue;
        stale_run *nvp = realloc(v, (nv + 1) * sizeof *v);
        if (!nvp) {
            snprintf(err, errlen, "out of memory");
            rc = -ENOMEM;
            break;
        }
        v = nvp;
        stale_run *r = &v[nv++];
        r->id = sqlite3_column_int64(st, 0);
        if (gone)
            snprintf(r->msg, sizeof r->msg, "abandoned: process %lld on this host stopped "
                     "without finishing the run (last heartbeat %s); found by %s",
                     (long long)pid, hb ? hb : "none", who);
        else
            snprintf(r->msg, sizeof r->msg, "abandoned: no heartbeat for %lld s (more than %d "
                     "s; last %s, process %lld%s%s); found by %s", (long long)age,
                     RUN_LEASE_STALE_S, hb ? hb : "none", (long long)pid,
                     lhost[0] ? " on host " : "", lhost, who);
    }
    if (rc == 0 && sr != SQLITE_DONE) {
        snprintf(err, errlen, "finding abandoned runs: %s", sqlite3_errmsg(db));
        rc = -EIO;
    }
    sqlite3_finalize(st);
    sqlite3_stmt *up = NULL;
    if (rc == 0 && nv &&
        sqlite3_prepare_v2(db,
                           "UPDATE runs SET status = 'failed', abandoned_at = "
                           "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), finished_at = "
                           "COALESCE(finished_at, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), "
                           "message = ?2 WHERE run_id = ?1 AND status = 'running'",
                           -1, &up, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "marking abandoned runs: %s", sqlite3_errmsg(db));
        rc = -EIO;
    }
    for (size_t i = 0; rc == 0 && i < nv; i++) {
        sqlite3_bind_int64(up, 1, v[i].id);
        sqlite3_bind_text(up, 2, v[i].msg, -1, SQLITE_STATIC);
        if (sqlite3_step(up) != SQLITE_DONE) {
            snprintf(err, errlen, "marking run %lld abandoned: %s", (long long)v[i].id,
                     sqlite3_errmsg(db));
            rc = -EIO;
        } else if (n && sqlite3_changes(db) > 0) {
            (*n)++;
        }
        sqlite3_reset(up);
    }
    sqlite3_finalize(up);
    free(v);
    return rc;
}

void run_lease_json_rows(json_t *rows)
{
    size_t i;
    json_t *row;
    if (!json_is_array(rows)) return;
    json_array_foreach(rows, i, row)
    {
        json_t *ab = json_object_get(row, "abandoned_at");
        if (ab && !json_is_null(ab)) json_object_set_new(row, "status", json_string("abandoned"));
        json_object_del(row, "lease_pid");
        json_object_del(row, "lease_host");
    }
}
