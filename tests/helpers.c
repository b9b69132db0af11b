/*
 * tests/helpers.c: see helpers.h.
 */
#include "helpers.h"

#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/fs.h"
#include "base/sha256.h"
#include "base/util.h"
#include "store/store.h"

void th_tmpdir(char dir[64], const char *prefix)
{
    snprintf(dir, 64, "/tmp/%s-XXXXXX", prefix);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

int th_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

void th_tmpdir_store(char dir[64], const char *prefix, store **db)
{
    th_tmpdir(dir, prefix);
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    ck_assert_msg(store_open(path, STORE_CREATE, db, err, sizeof err) == 0, "%s", err);
}

void th_store_done(char dir[64], store **db)
{
    store_close(*db);
    *db = NULL;
    th_rmdir(dir);
}

void th_exec(store *db, const char *sql)
{
    char err[256];
    ck_assert_msg(store_exec(db, sql, err, sizeof err) == 0, "%s: %s", sql, err);
}

void th_rmdir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

long long th_q(store *db, const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(db), sql, -1, &st, NULL), SQLITE_OK);
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

const char *th_qs(store *db, const char *sql, char buf[256])
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(db), sql, -1, &st, NULL), SQLITE_OK);
    buf[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(buf, 256, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

char *th_slurp(const char *dir, const char *name)
{
    char path[512], err[256], *buf;
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_msg(util_read_file(path, 64u << 20, &buf, &len, err, sizeof err) == 0, "%s", err);
    return buf;
}

char *th_write(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return strdup(path);
}

void th_file_sha(const char *path, char hex[65])
{
    char *buf, err[256];
    size_t len;
    ck_assert_msg(util_read_file(path, 1 << 20, &buf, &len, err, sizeof err) == 0, "%s", err);
    sha256_hex(buf, len, hex);
    free(buf);
}

int th_cara(const char *dir, const char *env, const char *args, char **out, char **err)
{
    const char *bin = getenv("CARA_BIN");
    ck_assert_msg(bin != NULL, "CARA_BIN is not set (run through make test)");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s' %s >'%s/out' 2>'%s/err' </dev/null", dir,
             env ? env : "", bin, args, dir, dir);
    int st = system(cmd);
    ck_assert(WIFEXITED(st));
    free(*out);
    free(*err);
    *out = th_slurp(dir, "out");
    *err = th_slurp(dir, "err");
    return WEXITSTATUS(st);
}

int th_sh(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void th_patch_template(const char *dir, const char *tmpl, const char *section, const char *key,
                       long long v)
{
    char path[256];
    snprintf(path, sizeof path, "%s/episodes/%s/template.json", dir, tmpl);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    ck_assert_msg(root != NULL, "%s: %s", path, je.text);
    json_object_set_new(json_object_get(root, section), key, json_integer((json_int_t)v));
    ck_assert_int_eq(json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
    json_decref(root);
}

void th_e2e_world(const char *dir)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -R '%s' '%s/episodes' && cp -R '%s/tests/fixtures/e2e' '%s/data'",
             getenv("CARA_EPISODES"), dir, getenv("CARA_SRC"), dir);
    ck_assert_int_eq(th_sh(cmd), 0);
    th_patch_template(dir, "falls_prevention", "pricing", "winsorize_percentile_bps", 9000);
    th_patch_template(dir, "falls_prevention", "arrangement", "min_episodes", 2);
    th_patch_template(dir, "functional_independence", "arrangement", "min_episodes", 2);
}

void th_scratch_setup(char *dir, size_t len, const char *tag, char **out, char **err)
{
    snprintf(dir, len, "/tmp/cara-%s-XXXXXX", tag);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    *out = *err = NULL;
}

void th_scratch_teardown(const char *dir, char **out, char **err)
{
    free(*out);
    free(*err);
    *out = *err = NULL;
    char e[600];
    ck_assert_msg(fs_remove_tree(dir, e, sizeof e) == 0, "%s", e);
}

/* The claims of an episode as the two queries through the claim_lines view gave them
 * before the lines were unpacked in C (episodes_q_claims' oracle; caller frees). */
json_t *th_episode_claims_sql(store *db, const char *person, const char *from, const char *to)
{
#define SD "(CASE WHEN c.claim_type = 'institutional' THEN COALESCE(c.admission_date, " \
           "c.claim_start_date) ELSE COALESCE(l.claim_line_start_date, c.claim_start_date) END)"
#define CC "c.claim_id, c.claim_type, c.person_id, c.claim_start_date, c.claim_end_date, "  \
           "c.admission_date, c.discharge_date, c.discharge_disposition_code, "            \
           "c.bill_type_code, c.facility_npi, c.diagnosis_codes, c.adjustment_type_code, " \
           "c.load_id, c.procedure_codes, c.status, c.status_reason, c.related_claim_id, " \
           "c.claim_key, c.control_number, c.original_control_number, c.version, "         \
           "c.paid_cents, c.allowed_cents, c.source"
    const char *b[3] = {person, from, to};
    char err[256];
    json_t *claims, *lines;
    ck_assert_int_eq(store_rows_json(db, "SELECT " CC " FROM claims c WHERE c.person_id = ?1 "
                     "AND c.status = 'current' AND EXISTS (SELECT 1 FROM claim_lines l WHERE "
                     "l.claim_id = c.claim_id AND l.denied = 0 AND " SD " BETWEEN ?2 AND ?3) "
                     "ORDER BY c.claim_start_date, c.claim_id", 3, b, &claims, err, sizeof err), 0);
    ck_assert_int_eq(store_rows_json(db, "SELECT l.*, " SD " AS service_date FROM claim_lines l "
                     "JOIN claims c ON c.claim_id = l.claim_id WHERE c.person_id = ?1 AND "
                     "c.status = 'current' AND l.denied = 0 AND " SD " BETWEEN ?2 AND ?3 ORDER "
                     "BY l.claim_id, l.claim_line_number", 3, b, &lines, err, sizeof err), 0);
#undef SD
#undef CC
    size_t i, j;
    json_t *c, *l;
    json_array_foreach(claims, i, c)
    {
        json_t *v = json_array();
        json_array_foreach(lines, j, l)
            if (json_equal(json_object_get(l, "claim_id"), json_object_get(c, "claim_id")))
                json_array_append(v, l);
        json_object_set_new(c, "lines", v);
    }
    json_decref(lines);
    return claims;
}
