/*
 * template_hist_q.c: see template_hist_q.h.
 */
#include "template_hist_q.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"

#include "contents.h"

/* Every run and snapshot that held template ?1, latest first. */
static const char SOURCES_SQL[] =
    "SELECT 'run', rc.run_id, r.started_at, rc.version, "
    " substr(rc.relpath, 1, instr(rc.relpath, '/') - 1), rc.sha256 "
    "FROM run_components rc JOIN runs r ON r.run_id = rc.run_id "
    "WHERE rc.kind = 'template' AND rc.name = ?1 AND rc.relpath IS NOT NULL "
    "  AND instr(rc.relpath, '/') > 0 "
    "UNION ALL "
    "SELECT 'snapshot', t.snapshot_id, s.activated_at, t.version, t.folder, t.sha256 "
    "FROM snapshot_templates t JOIN episode_snapshots s ON s.snapshot_id = t.snapshot_id "
    "WHERE t.template_id = ?1 "
    "ORDER BY 3 DESC, 2 DESC";

/* The top-level files of folder ?2 in run or snapshot ?1. */
static const char RUN_FILES_SQL[] =
    "SELECT substr(relpath, length(?2) + 2), sha256 FROM run_files WHERE run_id = ?1 AND "
    "substr(relpath, 1, length(?2) + 1) = ?2 || '/' AND instr(substr(relpath, length(?2) + 2), "
    "'/') = 0 ORDER BY 1";
static const char SNAP_FILES_SQL[] =
    "SELECT substr(relpath, length(?2) + 2), sha256 FROM snapshot_files WHERE snapshot_id = ?1 "
    "AND substr(relpath, 1, length(?2) + 1) = ?2 || '/' AND "
    "instr(substr(relpath, length(?2) + 2), '/') = 0 ORDER BY 1";

/* SQLite's message into err; -EIO. */
static int failed(store *s, sqlite3_stmt *st, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
    sqlite3_finalize(st);
    return -EIO;
}

int template_hist_q_sources(store *s, const char *template_id,
                            int (*fn)(const template_source_row *r, void *ud), void *ud,
                            char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(s), SOURCES_SQL, -1, &st, NULL) != SQLITE_OK)
        return failed(s, NULL, err, errlen);
    if (sqlite3_bind_text(st, 1, template_id, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        return failed(s, st, err, errlen);
    int k = 0, sr = SQLITE_DONE;
    while (k == 0 && (sr = sqlite3_step(st)) == SQLITE_ROW) {
        template_source_row r = {!strcmp(store__col(st, 0), "run"), sqlite3_column_int64(st, 1),
                                 store__col(st, 2), store__col(st, 3), store__col(st, 4), store__col(st, 5)};
        k = fn(&r, ud);
    }
    if (k == 0 && sr != SQLITE_DONE) return failed(s, st, err, errlen);
    sqlite3_finalize(st);
    return k;
}

int template_hist_q_files(store *s, int is_run, int64_t id, const char *folder,
                          int (*fn)(const char *name, const char *sha256, void *ud), void *ud,
                          char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(s), is_run ? RUN_FILES_SQL : SNAP_FILES_SQL, -1, &st,
                           NULL) != SQLITE_OK)
        return failed(s, NULL, err, errlen);
    if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
        sqlite3_bind_text(st, 2, folder, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        return failed(s, st, err, errlen);
    int k = 0, sr = SQLITE_DONE;
    while (k == 0 && (sr = sqlite3_step(st)) == SQLITE_ROW) k = fn(store__col(st, 0), store__col(st, 1), ud);
    if (k == 0 && sr != SQLITE_DONE) return failed(s, st, err, errlen);
    sqlite3_finalize(st);
    return k;
}

int template_hist_q_content(store *s, const char *sha256, char **bytes, size_t *len, char *err,
                            size_t errlen)
{
    return content_get(s, sha256, bytes, len, err, errlen);
}
