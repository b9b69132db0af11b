/*
 * cmd_load.c: `cara load DIR|FILE...`: the CSV input layer, CCLF deliveries and BCDA
 * FHIR files into the store.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feeds/feeds.h"
#include "cli_cmds.h"
#include "load/load.h"
#include "base/base.h"

/* The files of one command, sorted by what loads them. */
typedef struct inputs {
    char **csv, **cclf, **fhir; /* owned strings */
    size_t n_csv, n_cclf, n_fhir, cap;
    char **cclf_name;           /* per CCLF file: "BUNDLE/MEMBER" for a bundle's member,
                                 * NULL for a file named or found (n_cclf of them) */
    size_t n_cclf_name;
    char **tmp;                 /* extracted bundle members and then their folders, removed
                                   at the end (owned) */
    size_t n_tmp;
    FILE *out, *err;
} inputs;

/* "cara load: out of memory" on in->err; returns -1. */
static int oom(const inputs *in)
{
    fprintf(in->err, "cara load: out of memory\n");
    return -1;
}

/* Append a copy of path to *v; -1 (said on in->err) when out of memory. */
static int push(const inputs *in, char ***v, size_t *n, const char *path)
{
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) return oom(in);
    *v = nv;
    if (!(nv[*n] = strdup(path))) return oom(in);
    (*n)++;
    return 0;
}

/* Append CCLF file path, called name in messages and the loads rows (NULL: its path). */
static int push_cclf(inputs *in, const char *path, const char *name)
{
    char **nv = realloc(in->cclf_name, (in->n_cclf_name + 1) * sizeof *nv);
    if (!nv) return oom(in);
    in->cclf_name = nv;
    if (push(in, &in->cclf, &in->n_cclf, path) < 0) return -1;
    nv[in->n_cclf_name] = name ? strdup(name) : NULL;
    if (name && !nv[in->n_cclf_name]) return oom(in);
    in->n_cclf_name++;
    return 0;
}

static void inputs_free(inputs *in)
{
    for (size_t i = 0; i < in->n_tmp; i++) { /* members first, then their folder */
        remove(in->tmp[i]);
        free(in->tmp[i]);
    }
    free(in->tmp);
    for (size_t i = 0; i < in->n_csv; i++) free(in->csv[i]);
    for (size_t i = 0; i < in->n_cclf; i++) free(in->cclf[i]);
    for (size_t i = 0; i < in->n_cclf_name; i++) free(in->cclf_name[i]);
    free(in->cclf_name);
    for (size_t i = 0; i < in->n_fhir; i++) free(in->fhir[i]);
    free(in->csv);
    free(in->cclf);
    free(in->fhir);
}

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* A CMS zip bundle: its CCLF members extracted to a private temporary folder (removed
 * when the command ends) and loaded as CCLF files. */
static int add_bundle(inputs *in, const char *path)
{
    const char *buf;
    size_t len;
    char err[512];
    if (util_map_file(path, &buf, &len, err, sizeof err) < 0) {
        fprintf(in->err, "%s: %s\n", path, err);
        return -1;
    }
    const char *t = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/cara-bundle-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpl)) {
        fprintf(in->err, "%s: cannot make a temporary folder in %s\n", path, t && *t ? t : "/tmp");
        util_unmap(buf, len);
        return -1;
    }
    char **members;
    size_t n;
    int rc = cclf_bundle_extract(buf, len, tmpl, 0, &members, &n, err, sizeof err);
    util_unmap(buf, len);
    if (rc < 0) {
        fprintf(in->err, "%s: %s\n", path, err);
        DIR *d = opendir(tmpl); /* what was written before the error */
        for (struct dirent *e; d && (e = readdir(d));) {
            if (e->d_name[0] == '.') continue;
            char *p = util_path_join(tmpl, e->d_name);
            if (p) remove(p);
            free(p);
        }
        if (d) closedir(d);
        rmdir(tmpl);
        return -1;
    }
    rc = 0;
    for (size_t i = 0; i < n; i++) {
        /* named after the bundle it came in: the temporary folder is gone after the load */
        char *name = rc == 0 ? util_path_join(path, base_of(members[i])) : NULL;
        if (rc == 0 && (name ? push_cclf(in, members[i], name) : oom(in)) < 0) rc = -1;
        free(name);
        if (push(in, &in->tmp, &in->n_tmp, members[i]) < 0) rc = -1;
        free(members[i]);
    }
    free(members);
    if (push(in, &in->tmp, &in->n_tmp, tmpl) < 0) rc = -1;
    if (in->out && rc == 0)
        fprintf(in->out, "%s: a CCLF bundle of %zu files\n", path, n);
    return rc;
}

/* A file named on the command line: by its name (CSV otherwise). */
static int add_file(inputs *in, const char *path)
{
    const char *b = base_of(path);
    if (load_is_cclf_name(b)) return push_cclf(in, path, NULL);
    if (cclf_bundle_name(b)) return add_bundle(in, path);
    if (load_is_fhir_name(b)) return push(in, &in->fhir, &in->n_fhir, path);
    return push(in, &in->csv, &in->n_csv, path);
}

/* A FHIR file's place in a directory's load: the files of Patients first, then of
 * Coverage, then the rest (BCDA names each file by its resource type): an
 * ExplanationOfBenefit read before its Patient is kept aside and read again. The same
 * rows load in any order. */
static int fhir_rank(const char *name)
{
    if (!load_is_fhir_name(name)) return 0;
    if (strstr(name, "Patient")) return 0;
    if (strstr(name, "Coverage")) return 1;
    return 2;
}

/* By FHIR rank, then by name (CCLF deliveries: by name, so in date order). */
static int by_name(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int r = fhir_rank(x) - fhir_rank(y);
    return r ? r : strcmp(x, y);
}

/* A directory: its input-layer CSVs in dependency order, its CCLF and FHIR files. */
static int add_dir(cli_ctx *c, inputs *in, const char *dir)
{
    size_t before = in->n_csv + in->n_cclf + in->n_fhir;
    for (int k = 0; k < LOAD_N_KINDS; k++) {
        /* the kind's name, or the Tuva Project's seed name (medical_claim_seed.csv) */
        char seed[64];
        snprintf(seed, sizeof seed, "%.*s_seed.csv", (int)strlen(load_kind_file(k)) - 4,
                 load_kind_file(k));
        const char *names[2] = {load_kind_file(k), seed};
        for (int v = 0; v < 2; v++) {
            char *path = util_path_join(dir, names[v]);
            if (!path) return oom(in);
            int rc = util_exists(path) ? push(in, &in->csv, &in->n_csv, path) : 0;
            free(path);
            if (rc < 0) return -1;
        }
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(c->err, "%s: cannot read the directory\n", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (load_is_cclf_name(e->d_name) || load_is_fhir_name(e->d_name) ||
            cclf_bundle_name(e->d_name))
            if (push(in, &names, &n, e->d_name) < 0) {
                rc = -1; /* a file left out would load the rest silently */
                break;
            }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char *path = rc == 0 ? util_path_join(dir, names[i]) : NULL;
        if (rc == 0 && (path ? add_file(in, path) : oom(in)) < 0) rc = -1;
        free(path);
        free(names[i]);
    }
    free(names);
    if (rc == 0 && in->n_csv + in->n_cclf + in->n_fhir == before) {
        fprintf(c->err, "%s: nothing to load there (expected input-layer CSV files such as "
                        "medical_claim.csv, CCLF files such as P.A1234.ACO.ZC1Y27.D270115.T1200000, "
                        "or FHIR .ndjson files)\n", dir);
        return -1;
    }
    return rc;
}

static int load_csvs(cli_ctx *c, store *s, const inputs *in, const load_opts *o)
{
    for (size_t i = 0; i < in->n_csv; i++) {
        load_result r;
        if (load_file(s, in->csv[i], o, &r) < 0) {
            fprintf(c->err, "%s: rejected (%d error%s); nothing from it was loaded\n", in->csv[i],
                    r.errors, r.errors == 1 ? "" : "s");
            return -1;
        }
        char warned[48] = ""; /* optional fields stored as absent (listed on stderr) */
        if (r.warnings)
            snprintf(warned, sizeof warned, "; %lld warning%s", (long long)r.warnings,
                     r.warnings == 1 ? "" : "s");
        if (r.skipped)
            fprintf(c->out, "%s: already loaded (sha256 %.12s...), skipped\n", in->csv[i], r.sha256);
        else if (r.rejected)
            fprintf(c->out, "%s: loaded %lld of %lld rows (%s); %lld rejected%s\n", in->csv[i],
                    (long long)(r.rows - r.rejected), (long long)r.rows, load_kind_file(r.kind),
                    (long long)r.rejected, warned);
        else
            fprintf(c->out, "%s: loaded %lld rows (%s)%s\n", in->csv[i], (long long)r.rows,
                    load_kind_file(r.kind), warned);
    }
    return 0;
}

static int run_load(cli_ctx *c, int argc, char **argv)
{
    const char *max = NULL, *rejects = NULL;
    int skip_bad = 0, strict = 0;
    const cli_opt opts[] = {{"--max-errors", &max, NULL},
                            {"--skip-bad", NULL, &skip_bad},
                            {"--strict", NULL, &strict},
                            {"--rejects", &rejects, NULL},
                            {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_load, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n == 0) return cli_usage_error(c, &cmd_load, "no file or directory given");
    /* CARA_LOAD_SERIAL=1: no write-behind thread (docs/performance.md measures both) */
    /* CARA_LOAD_WAL=1: claims through the WAL even when the store is unused (the same) */
    const char *serial = getenv("CARA_LOAD_SERIAL"), *wal = getenv("CARA_LOAD_WAL");
    load_opts o = {.max_errors = 50, .err = c->err, .strict = strict,
                   .serial_writes = serial && serial[0] && strcmp(serial, "0") != 0,
                   .no_direct = wal && wal[0] && strcmp(wal, "0") != 0};
    if (max) {
        uint64_t v;
        if (util_parse_u64(max, &v) < 0 || v == 0 || v > 100000)
            return cli_usage_error(c, &cmd_load, "--max-errors: '%s' is not a count from 1 to "
                                   "100000", max);
        o.max_errors = (int)v;
    }
    if (rejects && !skip_bad)
        return cli_usage_error(c, &cmd_load, "--rejects needs --skip-bad");
    inputs in = {.out = c->out, .err = c->err};
    int failed = 0;
    for (int i = 1; i <= n && !failed; i++)
        failed = (util_is_dir(argv[i]) ? add_dir(c, &in, argv[i]) : add_file(&in, argv[i])) < 0;
    if (failed) {
        inputs_free(&in);
        return CLI_FAIL;
    }
    feed_opts fo = {.max_errors = o.max_errors, .err = c->err, .out = c->out, .skip_bad = skip_bad,
                   .strict = strict, .no_direct = o.no_direct, .serial_writes = o.serial_writes,
                   .cclf_names = in.cclf_name};
    if (skip_bad) {
        if (!rejects) rejects = "cara-rejected.tsv";
        fo.rejects = fopen(rejects, "w");
        if (!fo.rejects) {
            fprintf(c->err, "cara load: cannot write %s\n", rejects);
            inputs_free(&in);
            return CLI_FAIL;
        }
        fputs("file\trecord\tfield\treason\trecord_text\n", fo.rejects);
        o.skip_bad = 1;
        o.rejects = fo.rejects;
    }
    store *s;
    char err[1024];
    if (store_open(c->db, STORE_CREATE, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara load: %s\n", err);
        inputs_free(&in);
        if (fo.rejects) fclose(fo.rejects);
        return CLI_FAIL;
    }
    failed = load_csvs(c, s, &in, &o) < 0;
    if (!failed && in.n_cclf) failed = load_cclf(s, in.cclf, in.n_cclf, &fo) < 0;
    if (!failed && in.n_fhir) failed = load_fhir(s, in.fhir, in.n_fhir, &fo) < 0;
    store_close(s);
    if (fo.rejects) {
        long at = ftell(fo.rejects);
        fclose(fo.rejects);
        if (at > 40) fprintf(c->out, "rejected records and their reasons: %s\n", rejects);
        else remove(rejects);
    }
    inputs_free(&in);
    return failed ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_load = {
    .name = "load",
    .summary = "validate and load claims and reference data (CSV, CCLF, BCDA FHIR)",
    .usage = "cara [--db FILE] load [--max-errors N] [--strict] [--skip-bad [--rejects FILE]] "
             "DIR|FILE...",
    .help = "Loads, by file name (docs/input-formats.md):\n"
            "  the CSV input layer   acos.csv, providers.csv, eligibility.csv, alignment.csv,\n"
            "                        arrangements.csv, participants.csv, medical_claim.csv;\n"
            "                        the Tuva Project's medical_claim and eligibility tables\n"
            "                        load as Tuva writes them (a file named on the command\n"
            "                        line may also be *_seed.csv, or any name with a header)\n"
            "  CCLF deliveries       P.A1234.ACO.ZC1Y27.D270115.T1200000 (and T. test files,\n"
            "                        ZC1R27 run-out files, any entity prefix: A, D, F, ...):\n"
            "                        CCLF0-9, A, B of the CCLF Information Packet v36, loose\n"
            "                        or in CMS's monthly zip bundle P.A1234.ACO.ZCY27.D270115.T1200000\n"
            "  BCDA FHIR             *.ndjson / *.json: Patient, Coverage and\n"
            "                        ExplanationOfBenefit resources (DSTU3 or R4; NDJSON or\n"
            "                        Bundles)\n"
            "A directory loads what it holds: CSVs in dependency order, then CCLF deliveries\n"
            "in date order, then FHIR files (Patient files first, then Coverage, then the\n"
            "rest).\n\n"
            "A CSV file, a CCLF delivery or the FHIR files load in one transaction each, or\n"
            "not at all: every error names the file, the line or record, the column or field\n"
            "and the value (FILE:LINE:COLUMN: FIELD: message), and a rejected input leaves\n"
            "the database unchanged. Files loaded before (same SHA-256) are skipped; CCLF and\n"
            "FHIR claims keep the latest version of each claim, so overlapping monthly and\n"
            "run-out deliveries load to the same claims. CSV claims apply in file order (a\n"
            "claim's rows need not be consecutive): adjustment_type_code 2 replaces a claim,\n"
            "1 cancels it. Loading stops at the first rejected input.\n\n"
            "options:\n"
            "  --max-errors N   errors listed per input (default 50)\n"
            "  --strict         a malformed optional field (a modifier, a secondary NPI or\n"
            "                   TIN, ...) is an error; by default it is a warning naming\n"
            "                   FILE:RECORD:FIELD (CSV: FILE:LINE:COLUMN: warning: FIELD:\n"
            "                   message (stored as absent)), the field is stored as absent\n"
            "                   and the claim and its money are kept; the summary line\n"
            "                   counts the warnings\n"
            "  --skip-bad       load the good rows and records and write each rejected one\n"
            "                   with its reason to the rejects file (a claim with a bad\n"
            "                   line or record is rejected whole; the store keeps the\n"
            "                   version it had); a bad header still rejects the file\n"
            "  --rejects FILE   where --skip-bad writes (default cara-rejected.tsv; TSV:\n"
            "                   file, record, field, reason, record_text)\n"
            "\n"
            "environment:\n"
            "  CARA_LOAD_SERIAL=1  claims validated and written on one thread: by default\n"
            "                   a second thread inserts them while the first validates\n"
            "                   (and a FHIR file is parsed on a third); the stored rows\n"
            "                   are the same either way\n"
            "  CARA_LOAD_WAL=1  keep the store in WAL mode: by default, claims loaded\n"
            "                   while no other process has the store open are written\n"
            "                   into the file directly (a rollback journal; other\n"
            "                   processes cannot open the store until that load ends):\n"
            "                   a CSV file always, CCLF and FHIR into an empty claims\n"
            "                   table; about a third faster, and a later file grows no\n"
            "                   WAL; the stored rows are the same either way\n",
    .run = run_load,
};
