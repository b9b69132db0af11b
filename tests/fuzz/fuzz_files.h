/* tests/fuzz/fuzz_files.h: for the fuzz targets that drive loaders taking file paths:
 * one private folder per process (mkdtemp under $TMPDIR, else /tmp, removed at exit),
 * files written into it, and a fresh in-memory store. Header-only (each target is one
 * translation unit). */
#ifndef CARA_FUZZ_FILES_H
#define CARA_FUZZ_FILES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_conn.h"

static char fuzz_dir[256];

static __attribute__((unused)) void fuzz_dir_remove(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
    if (fuzz_dir[0] && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", fuzz_dir);
}

/* The private folder (created at the first call). */
static __attribute__((unused)) const char *fuzz_folder(void)
{
    if (!fuzz_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/cara-fuzz-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(fuzz_dir)) abort();
        atexit(fuzz_dir_remove);
    }
    return fuzz_dir;
}

/* Write buf[0..len) to NAME in the folder; the path into out (outlen bytes). */
static __attribute__((unused)) void fuzz_write(const char *name, const void *buf, size_t len, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s", fuzz_folder(), name);
    FILE *f = fopen(out, "wb");
    if (!f) abort();
    if (len && fwrite(buf, 1, len, f) != len) abort();
    fclose(f);
}

/* /dev/null for the loaders' error and summary output. */
static __attribute__((unused)) FILE *fuzz_null(void)
{
    static FILE *f;
    if (!f) f = fopen("/dev/null", "w");
    if (!f) abort();
    return f;
}

/* The bytes of path (malloc'ed, NUL-terminated, *len set), or NULL. */
static __attribute__((unused)) char *fuzz_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n + 4096 + 1 > cap) {
            char *b = realloc(buf, cap = 2 * cap + 8192);
            if (!b) abort();
            buf = b;
        }
        got = fread(buf + n, 1, 4096, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* A new, empty store at the newest schema (caller closes): a copy of a database migrated
 * once per process (migrating anew each time takes 30 ms, a copy 2 ms). */
static __attribute__((unused)) store *fuzz_store(void)
{
    static char tpl[300];
    store *s;
    char err[512], work[300];
    if (!tpl[0]) {
        snprintf(tpl, sizeof tpl, "%s/template.db", fuzz_folder());
        if (store_open(tpl, STORE_CREATE, &s, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            abort();
        }
        store_close(s);
    }
    snprintf(work, sizeof work, "%s/work.db", fuzz_folder());
    static const char *const sfx[] = {"-wal", "-shm", "-journal"};
    for (int i = 0; i < 3; i++) {
        char side[320];
        snprintf(side, sizeof side, "%s%s", work, sfx[i]);
        unlink(side);
    }
    size_t len;
    char *bytes = fuzz_read(tpl, &len);
    if (!bytes) abort();
    char out[320];
    fuzz_write("work.db", bytes, len, out, sizeof out);
    free(bytes);
    if (store_open(work, 0, &s, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    return s;
}

/* A built-in tiny template with rules, when the shipped falls_prevention cannot be found. */
static const char FUZZ_TINY_TEMPLATE[] =
    "{\"id\": \"falls_prevention\", \"version\": \"1\", \"episode_type\": \"falls_prevention\","
    " \"window\": {\"post_days\": 179}, \"arrangement\": {\"discount_bps\": 300}}\n";
static const char FUZZ_TINY_ATTRIBUTION[] =
    "function attribute(episode, claims, beneficiary, candidates, params)\n"
    "  local n = 0 for i = 1, #claims do n = n + (claims[i].paid_cents or 0) end\n"
    "  if #candidates > 0 and n > 0 then\n"
    "    return {arrangement_id = candidates[1].arrangement_id, method = 'trigger'} end\n"
    "  return {method = 'unattributed'} end\n";
static const char FUZZ_TINY_SAVINGS[] =
    "function target(episode, beneficiary, arrangement, params)\n"
    "  return {base_cents = 100000, trend_factor = 10000, trend_years = 1, age_factor = 10000,\n"
    "          hcc_factor = 10000, dual_factor = 10000, discount_bps = 300,\n"
    "          target_cents = 97000} end\n"
    "function quality(episode, claims, beneficiary, params) return true end\n"
    "function winsorize(actuals, params) return actuals[#actuals] end\n";

/* The folder <fuzz folder>/falls_prevention holding template.json, attribution.lua and
 * savings.lua: copies of $CARA_EPISODES/falls_prevention (else ../episodes, the
 * repository's, as make fuzz runs the targets from build-fuzz/), else the tiny ones
 * above. Made at the first call. */
static __attribute__((unused)) const char *fuzz_template_dir(void)
{
    static char dir[512];
    if (dir[0]) return dir;
    snprintf(dir, sizeof dir, "%s/falls_prevention", fuzz_folder());
    if (mkdir(dir, 0700) < 0) abort();
    const char *eps = getenv("CARA_EPISODES");
    static const char *const files[3] = {"template.json", "attribution.lua", "savings.lua"};
    const char *const tiny[3] = {FUZZ_TINY_TEMPLATE, FUZZ_TINY_ATTRIBUTION, FUZZ_TINY_SAVINGS};
    char *text[3] = {0};
    size_t len[3] = {0};
    int all = 1;
    for (int i = 0; i < 3; i++) {
        char src[512];
        snprintf(src, sizeof src, "%s/falls_prevention/%s", eps && *eps ? eps : "../episodes",
                 files[i]);
        all &= (text[i] = fuzz_read(src, &len[i])) != NULL;
    }
    for (int i = 0; i < 3; i++) {
        char out[600], name[64];
        snprintf(name, sizeof name, "falls_prevention/%s", files[i]);
        if (all) fuzz_write(name, text[i], len[i], out, sizeof out);
        else fuzz_write(name, tiny[i], strlen(tiny[i]), out, sizeof out);
        free(text[i]);
    }
    if (!all) fprintf(stderr, "fuzz: the shipped falls_prevention was not found; the tiny template is used\n");
    return dir;
}

#endif
