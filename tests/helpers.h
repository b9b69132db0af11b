/*
 * tests/helpers.h: small helpers shared by the Check suites (temporary folders, store
 * queries, whole files). Failures are test failures (ck_assert).
 */
#ifndef CARA_TESTS_HELPERS_H
#define CARA_TESTS_HELPERS_H

#include <jansson.h>
#include <stddef.h>

#include "store/store_conn.h"

/* Make a temporary folder "/tmp/<prefix>-XXXXXX" into dir (64 bytes). */
void th_tmpdir(char dir[64], const char *prefix);

/* th_tmpdir, then open (creating) the store dir/t.db into *db. */
void th_tmpdir_store(char dir[64], const char *prefix, store **db);

/* Remove it and what it holds. */
void th_rmdir(const char *dir);

/* The entries of folder dir besides . and .. (a check that a file left nothing). */
int th_entries(const char *dir);

/* Close *db (NULL is fine) and remove dir: the teardown of th_tmpdir_store. */
void th_store_done(char dir[64], store **db);

/* Run sql on db; a failure fails the test, naming the SQL and SQLite's message. */
void th_exec(store *db, const char *sql);

/* The first column of the first row of sql as an integer (-1 when there is no row). */
long long th_q(store *db, const char *sql);

/* ... as text into buf (256 bytes; "" for no row or NULL); returns buf. */
const char *th_qs(store *db, const char *sql, char buf[256]);

/* The contents of dir/name (NUL-terminated, malloc'ed; the caller frees). */
char *th_slurp(const char *dir, const char *name);

/* Write text to dir/name; returns the path (malloc'ed; the caller frees). */
char *th_write(const char *dir, const char *name, const char *text);

/* The SHA-256 of file path (at most 1 MiB) as sha256sum prints it, into hex. */
void th_file_sha(const char *path, char hex[65]);

/* Run "cd dir && ENV $CARA_BIN ARGS" (env may be "") with stdout and stderr captured
 * into *out and *err (replacing what they held; the caller frees them at teardown);
 * returns the exit status. */
int th_cara(const char *dir, const char *env, const char *args, char **out, char **err);

/* Run a shell command; its exit status (-1 when it did not exit). */
int th_sh(const char *cmd);
/* Set dir/episodes/TMPL/template.json's member SECTION.KEY to the integer v. */
void th_patch_template(const char *dir, const char *tmpl, const char *section, const char *key,
                       long long v);
/* The hand-worked end-to-end world of tests/fixtures/e2e in dir: a copy of the episodes
 * ($CARA_EPISODES) as dir/episodes with falls_prevention winsorized at the 90th percentile
 * and min_episodes 2 (falls prevention, functional independence), and the fixtures as
 * dir/data (not loaded). */
void th_e2e_world(const char *dir);
/* A test's scratch folder and captured output: dir (len bytes) becomes a new
 * /tmp/cara-TAG-XXXXXX folder and *out, *err NULL (setup); the folder is removed and
 * the buffers freed (teardown). */
void th_scratch_setup(char *dir, size_t len, const char *tag, char **out, char **err);
void th_scratch_teardown(const char *dir, char **out, char **err);

/* The claims of person's episode window [from, to] as the claim_lines view's SQL gives
 * them (claims with lines, each line with its service_date): the oracle of
 * episodes_q_claims, which unpacks the lines in C. A new array (the caller frees). */
json_t *th_episode_claims_sql(store *db, const char *person, const char *from, const char *to);

#endif
