/*
 * cmd_adt.c: `cara adt take|status|tasks|provisional|unmatched|rejects`: the hospital ADT
 * feed from the command line (docs/adt.md). `take` reads HL7 v2 messages from files (an
 * MLLP-framed capture, or messages one after another with segments on lines) and takes
 * them as the MLLP listener does, each committed before its ACK code is printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "cli_cmds.h"
#include "cli_query.h"
#include "engine/engine.h"
#include "feeds/feeds.h"
#include "store/store.h"

#define SUB(name) (argc >= 2 && !strcmp(argv[1], name))
#define TAKE_MAX_FILE (1u << 30)

/* ---- take ------------------------------------------------------------------------------- */

typedef struct take_run {
    cli_ctx *c;
    store *s;
    adt_proc *p;
    const char *path;
    size_t n, aa, ae, ar, dup;
    int failed;
} take_run;

/* One message: taken under a savepoint, committed, its ACK code printed. */
static int take_one(take_run *t, const char *msg, size_t len)
{
    char ack[4096], err[1024], ctl[32];
    size_t acklen;
    adt_result r;
    t->n++;
    snprintf(ctl, sizeof ctl, "CARACLI%zu", t->n);
    if (store_begin(t->s, err, sizeof err) < 0) {
        fprintf(t->c->err, "cara adt take: %s: message %zu: %s\n", t->path, t->n, err);
        return -EIO;
    }
    int rc = adt_proc_take(t->p, msg, len, ctl, ack, sizeof ack, &acklen, &r, err, sizeof err);
    if (rc == 0) rc = store_commit(t->s, err, sizeof err);
    if (rc < 0) {
        store_rollback(t->s);
        fprintf(t->c->err, "cara adt take: %s: message %zu: the store could not take it (AR): %s\n",
                t->path, t->n, err);
        t->ar++;
        t->failed = 1;
        return 0; /* the next messages are still taken, as the listener does */
    }
    if (r.duplicate) t->dup++;
    if (!strcmp(r.ack, "AA")) t->aa++;
    else if (!strcmp(r.ack, "AE")) t->ae++;
    else t->ar++;
    FILE *o = strcmp(r.ack, "AA") ? t->c->err : t->c->out;
    if (strcmp(r.ack, "AA"))
        fprintf(o, "%s: message %zu: %s %s\n", t->path, t->n, r.ack, r.e.message);
    else
        fprintf(o, "%s: message %zu: AA %s\n", t->path, t->n, r.outcome);
    return 0;
}

/* Messages of a file that is not MLLP-framed: each starts at a line beginning "MSH";
 * segments end with \r, \n or \r\n (made \r for the parser). */
static int take_loose(take_run *t, char *buf, size_t len)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && (buf[i] == '\r' || buf[i] == '\n' || buf[i] == ' ')) i++;
        if (i >= len) break;
        size_t start = i, end = i;
        /* the message runs to the next segment that starts with MSH */
        for (;;) {
            size_t e = end;
            while (e < len && buf[e] != '\r' && buf[e] != '\n') e++;
            size_t next = e;
            while (next < len && (buf[next] == '\r' || buf[next] == '\n')) next++;
            for (size_t k = e; k < next; k++) buf[k] = '\r';
            end = next;
            if (next >= len || (len - next >= 3 && !memcmp(buf + next, "MSH", 3))) break;
        }
        size_t mlen = end - start;
        while (mlen && buf[start + mlen - 1] == '\r') mlen--;
        int rc = take_one(t, buf + start, mlen + (start + mlen < len ? 1 : 0));
        if (rc < 0) return rc;
        i = end;
    }
    return 0;
}

static int take_framed(take_run *t, const char *buf, size_t len)
{
    mllp_reader rd;
    mllp_init(&rd, 64u << 20);
    int rc = mllp_feed(&rd, buf, len);
    const char *msg;
    size_t n;
    int k;
    while (rc == 0 && (k = mllp_next(&rd, &msg, &n)) != MLLP_NEED)
        rc = take_one(t, msg, n);
    mllp_free(&rd);
    return rc;
}

static int run_take(cli_ctx *c, int argc, char **argv)
{
    if (argc < 3) {
        fprintf(c->err, "cara adt take: give one or more files of HL7 v2 messages\n");
        return CLI_USAGE;
    }
    store *s;
    if (cli_open_store(c, STORE_CREATE, &s) < 0) return CLI_FAIL;
    char err[1024];
    adt_proc *p;
    if (adt_proc_open(s, c->episodes_dir, c->plugins_dir, NULL, &p, err, sizeof err) < 0) {
        fprintf(c->err, "cara adt take: %s\n", err);
        store_close(s);
        return CLI_FAIL;
    }
    take_run t = {.c = c, .s = s, .p = p};
    int rc = 0;
    for (int i = 2; i < argc && rc == 0; i++) {
        char *buf;
        size_t len;
        if (util_read_file(argv[i], TAKE_MAX_FILE, &buf, &len, err, sizeof err) < 0) {
            fprintf(c->err, "cara adt take: %s\n", err);
            rc = -EIO;
            break;
        }
        t.path = argv[i];
        t.n = 0;
        rc = memchr(buf, MLLP_SB, len) ? take_framed(&t, buf, len) : take_loose(&t, buf, len);
        free(buf);
    }
    fprintf(c->out, "%zu AA (%zu of them resends, stored once), %zu AE, %zu AR\n", t.aa, t.dup,
            t.ae, t.ar);
    adt_proc_close(p);
    store_close(s);
    return rc < 0 || t.failed || t.ae || t.ar ? CLI_FAIL : CLI_OK;
}

/* ---- lists ------------------------------------------------------------------------------- */

/* Print a JSON array of flat objects through the generic row printer. */
static int print_rows(cli_ctx *c, json_t *rows, int json)
{
    cli_rows pr;
    memset(&pr, 0, sizeof pr);
    cli_rows_init(&pr, c, json);
    json_t *first = json_array_get(rows, 0);
    size_t n = first ? json_object_size(first) : 0;
    const char **names = calloc(n ? n : 1, sizeof *names);
    store_cell *cells = calloc(n ? n : 1, sizeof *cells);
    char (*num)[24] = calloc(n ? n : 1, sizeof *num);
    int rc = names && cells && num ? 0 : -ENOMEM;
    const char *k;
    json_t *v;
    size_t j = 0;
    if (rc == 0 && first) {
        json_object_foreach(first, k, v) names[j++] = k;
        store_row h = {(int)n, names, NULL};
        rc = cli_rows_row(&h, &pr);
    }
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (rc < 0) break;
        for (j = 0; j < n; j++) {
            v = json_object_get(row, names[j]);
            if (json_is_integer(v)) {
                snprintf(num[j], sizeof num[j], "%lld", (long long)json_integer_value(v));
                cells[j] = (store_cell){STORE_CELL_INT, json_integer_value(v), num[j]};
            } else if (json_is_string(v)) {
                cells[j] = (store_cell){STORE_CELL_TEXT, 0, json_string_value(v)};
            } else {
                cells[j] = (store_cell){STORE_CELL_NULL, 0, NULL};
            }
        }
        store_row r = {(int)n, names, cells};
        rc = cli_rows_row(&r, &pr);
    }
    free(names);
    free(cells);
    free(num);
    if (!first && !json) fprintf(c->out, "(none)\n");
    return cli_rows_end(&pr, rc, rc == -ENOMEM ? "out of memory" : "");
}

static void today(char out[11])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static int run_list(cli_ctx *c, int argc, char **argv)
{
    const char *npi = NULL, *aco = NULL, *person = NULL, *status = NULL, *tmpl = NULL,
               *limit = NULL, *format = NULL;
    const cli_opt opts[] = {{"--npi", &npi, NULL},       {"--aco", &aco, NULL},
                            {"--person", &person, NULL}, {"--status", &status, NULL},
                            {"--template", &tmpl, NULL}, {"--limit", &limit, NULL},
                            {"--format", &format, NULL}, {NULL, NULL, NULL}};
    const char *sub = argv[1];
    int n = cli_parse(c, &cmd_adt, opts, argc - 1, argv + 1);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_adt, "unexpected argument '%s'", argv[2]);
    int json = cli_format(c, &cmd_adt, format);
    if (json < 0) return CLI_USAGE;
    uint64_t lim = 100;
    if (limit && (util_parse_u64(limit, &lim) < 0 || lim < 1 || lim > 100000))
        return cli_usage_error(c, &cmd_adt, "--limit: '%s' is not a count from 1 to 100000", limit);
    store *s;
    if (cli_open_store(c, 0, &s) < 0) return CLI_FAIL;
    char day[11], err[512];
    today(day);
    adt_filter f = {npi, aco, person, status, tmpl, 0, (int64_t)lim, day};
    json_t *out = NULL;
    int rc;
    if (!strcmp(sub, "tasks")) rc = adt_q_tasks(s, &f, &out, err, sizeof err);
    else if (!strcmp(sub, "provisional")) rc = adt_q_provisional(s, &f, &out, err, sizeof err);
    else if (!strcmp(sub, "unmatched")) rc = adt_q_unmatched(s, (int64_t)lim, &out, err, sizeof err);
    else if (!strcmp(sub, "rejects")) rc = adt_q_rejects(s, (int64_t)lim, &out, err, sizeof err);
    else {
        json_t *o;
        rc = adt_q_status(s, day, &o, err, sizeof err);
        if (rc == 0) {
            char *t = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
            if (t) fprintf(c->out, "%s\n", t);
            free(t);
            json_decref(o);
        }
    }
    store_close(s);
    if (rc < 0) {
        fprintf(c->err, "cara adt %s: %s\n", sub, err);
        return CLI_FAIL;
    }
    if (!out) return CLI_OK;
    rc = print_rows(c, out, json);
    json_decref(out);
    return rc;
}

static int run_adt(cli_ctx *c, int argc, char **argv)
{
    if (SUB("take")) {
        const cli_opt opts[] = {{NULL, NULL, NULL}};
        int n = cli_parse(c, &cmd_adt, opts, argc - 1, argv + 1);
        if (n == -1) return CLI_OK;
        if (n < 0) return -n;
        return run_take(c, n + 2, argv);
    }
    if (SUB("status") || SUB("tasks") || SUB("provisional") || SUB("unmatched") || SUB("rejects"))
        return run_list(c, argc, argv);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        const cli_opt opts[] = {{NULL, NULL, NULL}};
        return cli_parse(c, &cmd_adt, opts, argc, argv) == -1 ? CLI_OK : CLI_USAGE;
    }
    return cli_usage_error(c, &cmd_adt, "expected take, status, tasks, provisional, unmatched or "
                           "rejects");
}

const cli_command cmd_adt = {
    .name = "adt",
    .summary = "hospital ADT events: take HL7 v2 files, list care tasks and provisional episodes",
    .usage = "cara adt take FILE... | adt status | adt tasks|provisional [--npi NPI] [--aco ID]\n"
             "       [--person MBI] [--status S] [--template ID] [--limit N] [--format table|json]\n"
             "       | adt unmatched|rejects [--limit N] [--format table|json]",
    .help = "Hospitals send admit, discharge and ED events as HL7 v2 ADT messages; `cara serve\n"
            "--mllp HOST:PORT` takes them over MLLP as they happen (docs/adt.md). `take` reads\n"
            "the same messages from files (an MLLP capture, or messages one after another with\n"
            "one segment a line) and takes each as the listener does: a patient matched by\n"
            "MBI, the visit kept, the templates' event triggers opening provisional episodes\n"
            "and care tasks; it prints AA, AE or AR for each (refusals on standard error with\n"
            "the segment and field) and exits 1 when any was refused.\n"
            "\n"
            "status prints the feed's counts; tasks the care tasks (status open, done, missed\n"
            "or cancelled: a task is done when a claim carries one of its codes before it is\n"
            "due, missed when open past its due date); provisional the provisional episodes\n"
            "with their target and cost to date (status provisional, confirmed, changed,\n"
            "dropped, cancelled: the next claims-based run decides them); unmatched the visits\n"
            "of patients that match no beneficiary; rejects the messages answered AE or AR.\n",
    .run = run_adt,
};
