/*
 * cmd_claims.c: `cara claims`: the stored claims as cara prices them (status, what the
 * priced lines sum to, where each came from), as a table, JSON lines or CSV.
 *
 * The field names and their order are a contract read by users' scripts
 * (docs/reports.md, "cara claims"). Money is integer cents in the store and is printed
 * as dollars with two decimals by money_format(): no floating point anywhere. The
 * store is read through a read-only connection; claims are beneficiary data, so each
 * listing appends a 'phi.read' row to the audit log (audit_cli.h) through a second,
 * read-write one, and is refused when the store cannot be written.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit_cli.h"
#include "cli_cmds.h"
#include "base/base.h"
#include "store/store.h"

/* The fields CF_CLAIM_ID..CF_STATUS and CF_CONTROL_NUMBER..CF_LOAD_ID line up with the
 * columns of claims_q_list (claims_q.h); its columns CLAIMS_Q_SOURCE and
 * CLAIMS_Q_LOAD_PATH give source_file and source_record. */
enum { K_TEXT, K_INT, K_MONEY, K_BOOL };

enum {
    CF_CLAIM_ID, CF_PERSON_ID, CF_CLAIM_TYPE, CF_START, CF_END, CF_PAID, CF_ALLOWED, CF_STATUS,
    CF_SOURCE_FILE, CF_SOURCE_RECORD, CF_CONTROL_NUMBER, CF_CLAIM_KEY, CF_STATUS_REASON,
    CF_RELATED, CF_LINES, CF_DENIED_LINES, CF_CLAIM_PAID, CF_BILL_TYPE, CF_LOAD_ID, CF_PRICED, CF_N
};

/* The fields, in output order (CSV columns; JSON keys, then the *_cents integers). */
static const struct {
    const char *name;
    int kind;
} FIELDS[CF_N] = {
    [CF_CLAIM_ID] = {"claim_id", K_TEXT},
    [CF_PERSON_ID] = {"person_id", K_TEXT},
    [CF_CLAIM_TYPE] = {"claim_type", K_TEXT},
    [CF_START] = {"claim_start_date", K_TEXT},
    [CF_END] = {"claim_end_date", K_TEXT},
    [CF_PAID] = {"paid_amount", K_MONEY},
    [CF_ALLOWED] = {"allowed_amount", K_MONEY},
    [CF_STATUS] = {"status", K_TEXT},
    [CF_SOURCE_FILE] = {"source_file", K_TEXT},
    [CF_SOURCE_RECORD] = {"source_record", K_TEXT},
    [CF_CONTROL_NUMBER] = {"control_number", K_TEXT},
    [CF_CLAIM_KEY] = {"claim_key", K_TEXT},
    [CF_STATUS_REASON] = {"status_reason", K_TEXT},
    [CF_RELATED] = {"related_claim_id", K_TEXT},
    [CF_LINES] = {"lines", K_INT},
    [CF_DENIED_LINES] = {"denied_lines", K_INT},
    [CF_CLAIM_PAID] = {"claim_paid_amount", K_MONEY},
    [CF_BILL_TYPE] = {"bill_type_code", K_TEXT},
    [CF_LOAD_ID] = {"load_id", K_INT},
    [CF_PRICED] = {"priced", K_BOOL},
};

/* JSON only: the money fields again as integer cents. */
static const struct {
    const char *name;
    int field;
} CENTS[] = {{"paid_cents", CF_PAID}, {"allowed_cents", CF_ALLOWED}, {"claim_paid_cents", CF_CLAIM_PAID}};

/* The table's columns: the main fields; "source" is source_file[:source_record]. */
#define T_SOURCE CF_N
static const struct {
    const char *head;
    int field;
} TABLE[] = {{"claim_id", CF_CLAIM_ID},      {"person_id", CF_PERSON_ID},
             {"claim_type", CF_CLAIM_TYPE},  {"claim_start_date", CF_START},
             {"claim_end_date", CF_END},     {"paid_amount", CF_PAID},
             {"allowed_amount", CF_ALLOWED}, {"status", CF_STATUS},
             {"lines", CF_LINES},            {"denied_lines", CF_DENIED_LINES},
             {"source", T_SOURCE}};
#define T_N (sizeof TABLE / sizeof TABLE[0])

/* One field's value: text borrowed from the statement or the row's scratch buffer. */
typedef struct value {
    int null;
    int64_t i;     /* K_INT, K_MONEY, K_BOOL */
    const char *s; /* K_TEXT */
} value;

/* The current row; scratch holds source_file when it is cut out of claims.source. */
typedef struct row {
    value v[CF_N];
    char *scratch;
    size_t cap;
} row;

/* Fill r from a row's cells (valid during the callback). 0, or -1 when out of memory. */
static int row_read(const store_cell *k, row *r)
{
    for (int f = 0; f < CF_N; f++) {
        if (f == CF_SOURCE_FILE || f == CF_SOURCE_RECORD || f == CF_PRICED) continue;
        int col = f; /* fields and columns line up (SELECT_SQL) */
        value *v = &r->v[f];
        v->null = k[col].type == STORE_CELL_NULL;
        v->i = k[col].i;
        v->s = v->null ? NULL : k[col].text;
        if (!v->null && FIELDS[f].kind == K_TEXT && !v->s) return -1;
    }
    const char *src = k[CLAIMS_Q_SOURCE].text;
    const char *path = k[CLAIMS_Q_LOAD_PATH].text;
    value *file = &r->v[CF_SOURCE_FILE], *rec = &r->v[CF_SOURCE_RECORD];
    file->null = rec->null = 1;
    file->s = rec->s = NULL;
    if (src && *src) { /* "file:record", cut at the last ':' */
        const char *colon = strrchr(src, ':');
        size_t n = colon ? (size_t)(colon - src) : strlen(src);
        if (n + 1 > r->cap) {
            char *p = realloc(r->scratch, n + 1);
            if (!p) return -1;
            r->scratch = p;
            r->cap = n + 1;
        }
        memcpy(r->scratch, src, n);
        r->scratch[n] = '\0';
        file->s = r->scratch;
        file->null = 0;
        if (colon && colon[1]) {
            rec->s = colon + 1;
            rec->null = 0;
        }
    } else if (path) { /* CSV loads: the file the load read */
        file->s = path;
        file->null = 0;
    }
    value *priced = &r->v[CF_PRICED];
    priced->null = 0;
    priced->i = r->v[CF_STATUS].s && strcmp(r->v[CF_STATUS].s, "current") == 0;
    return 0;
}

/* A value as text for the table and CSV ("" when null); buf holds numbers. */
static const char *value_text(const value *v, int kind, char buf[32])
{
    if (v->null) return "";
    switch (kind) {
    case K_INT: snprintf(buf, 32, "%lld", (long long)v->i); return buf;
    case K_MONEY: money_format(v->i, buf); return buf;
    case K_BOOL: return v->i ? "true" : "false";
    default: return v->s;
    }
}

/* A JSON string of s; bytes that are not UTF-8 (a file path, say) become '?'. */
static json_t *json_text(const char *s)
{
    json_t *j = json_string(s);
    if (j) return j;
    char *copy = strdup(s);
    if (!copy) return NULL;
    for (unsigned char *p = (unsigned char *)copy; *p; p++)
        if (*p >= 0x80) *p = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

static json_t *value_json(const value *v, int kind)
{
    char buf[32];
    if (v->null) return json_null();
    switch (kind) {
    case K_INT: return json_integer(v->i);
    case K_MONEY: money_format(v->i, buf); return json_string(buf);
    case K_BOOL: return json_boolean(v->i);
    default: return json_text(v->s);
    }
}

static void print_json(cli_ctx *c, const row *r)
{
    json_t *o = json_object();
    for (int f = 0; f < CF_N; f++) json_object_set_new(o, FIELDS[f].name, value_json(&r->v[f], FIELDS[f].kind));
    for (size_t k = 0; k < sizeof CENTS / sizeof CENTS[0]; k++)
        json_object_set_new(o, CENTS[k].name, value_json(&r->v[CENTS[k].field], K_INT));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fprintf(c->out, "%s\n", s ? s : "{}");
    free(s);
    json_decref(o);
}


static void print_csv(cli_ctx *c, const row *r, int header)
{
    char buf[32];
    for (int f = 0; f < CF_N; f++) {
        csv_write_field(c->out, header ? FIELDS[f].name : value_text(&r->v[f], FIELDS[f].kind, buf));
        fputs(f + 1 < CF_N ? "," : "\n", c->out);
    }
}

/* The table: rows buffered so the columns can be sized. */
typedef struct table {
    char **cells; /* rows x T_N */
    size_t rows, cap, width[T_N];
} table;

static int table_add(table *t, const row *r)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **p = realloc(t->cells, cap * T_N * sizeof *p);
        if (!p) return -1;
        t->cells = p;
        t->cap = cap;
    }
    char **cells = t->cells + t->rows * T_N;
    for (size_t k = 0; k < T_N; k++) {
        char buf[32];
        const char *s;
        if (TABLE[k].field == T_SOURCE) {
            const value *file = &r->v[CF_SOURCE_FILE], *rec = &r->v[CF_SOURCE_RECORD];
            size_t n = (file->null ? 0 : strlen(file->s)) + (rec->null ? 0 : strlen(rec->s)) + 2;
            cells[k] = malloc(n);
            if (cells[k])
                snprintf(cells[k], n, "%s%s%s", file->null ? "" : file->s, rec->null ? "" : ":",
                         rec->null ? "" : rec->s);
        } else {
            s = value_text(&r->v[TABLE[k].field], FIELDS[TABLE[k].field].kind, buf);
            cells[k] = strdup(s);
        }
        if (!cells[k]) {
            while (k--) free(cells[k]);
            return -1;
        }
        if (strlen(cells[k]) > t->width[k]) t->width[k] = strlen(cells[k]);
    }
    t->rows++;
    return 0;
}

/* Print the table (money and counts right-aligned) and free it. */
static void table_flush(cli_ctx *c, table *t)
{
    for (size_t i = 0; i <= t->rows; i++)
        for (size_t k = 0; k < T_N; k++) {
            const char *s = i ? t->cells[(i - 1) * T_N + k] : TABLE[k].head;
            int f = TABLE[k].field, last = k + 1 == T_N;
            int right = f != T_SOURCE && FIELDS[f].kind != K_TEXT;
            fprintf(c->out, right ? "%*s%s" : "%-*s%s", last && !right ? 0 : (int)t->width[k], s,
                    last ? "\n" : "  ");
            if (i) free(t->cells[(i - 1) * T_N + k]);
        }
    free(t->cells);
}

enum { FMT_TABLE, FMT_JSON, FMT_CSV };

typedef struct printer {
    cli_ctx *c;
    int fmt;
    row r;
    table t;
    size_t n;
    int oom;
} printer;

/* store_row_fn of claims_q_list: print (or keep, for the table) one claim. */
static int print_claim(const store_row *sr, void *ud)
{
    printer *p = ud;
    if (!sr->cells) return 0;
    if (row_read(sr->cells, &p->r) < 0) {
        p->oom = 1;
        return -ENOMEM;
    }
    if (p->fmt == FMT_JSON) print_json(p->c, &p->r);
    else if (p->fmt == FMT_CSV) {
        if (p->n == 0) print_csv(p->c, &p->r, 1);
        print_csv(p->c, &p->r, 0);
    } else if (table_add(&p->t, &p->r) < 0) {
        p->oom = 1;
    }
    p->n++;
    return p->oom ? -ENOMEM : 0;
}

/* Read and print the claims in format fmt; *printed gets the count. CLI_OK or CLI_FAIL
 * (message printed). */
static int print_claims(cli_ctx *c, store *s, const char *person, const char *claim,
                        const char *status, int64_t limit, int fmt, long long *printed)
{
    printer *p = calloc(1, sizeof *p);
    char err[512];
    if (!p) {
        fprintf(c->err, "cara claims: out of memory\n");
        return CLI_FAIL;
    }
    p->c = c;
    p->fmt = fmt;
    for (size_t k = 0; k < T_N; k++) p->t.width[k] = strlen(TABLE[k].head);
    int got = claims_q_list(s, person, claim, status, limit, print_claim, p, err, sizeof err);
    size_t n = p->n;
    int oom = p->oom;
    free(p->r.scratch);
    *printed = (long long)n;
    if (fmt == FMT_TABLE && p->t.rows && !oom) table_flush(c, &p->t);
    else {
        for (size_t i = 0; i < p->t.rows * T_N; i++) free(p->t.cells[i]);
        free(p->t.cells);
    }
    free(p);
    if (oom) {
        fprintf(c->err, "cara claims: out of memory\n");
        return CLI_FAIL;
    }
    if (got < 0) {
        fprintf(c->err, "cara claims: %s\n", err);
        return CLI_FAIL;
    }
    if (n == 0 && fmt == FMT_TABLE) fprintf(c->err, "(no claims)\n");
    return CLI_OK;
}

static int run_claims(cli_ctx *c, int argc, char **argv)
{
    const char *person = NULL, *claim = NULL, *status = NULL, *format = NULL, *limit = NULL,
               *as = NULL;
    const cli_opt opts[] = {{"--person", &person, NULL}, {"--claim", &claim, NULL},
                            {"--status", &status, NULL}, {"--format", &format, NULL},
                            {"--limit", &limit, NULL},   {"--as", &as, NULL},
                            {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_claims, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_claims, "unexpected argument '%s'", argv[1]);
    int fmt = FMT_TABLE;
    if (format && !strcmp(format, "json")) fmt = FMT_JSON;
    else if (format && !strcmp(format, "csv")) fmt = FMT_CSV;
    else if (format && strcmp(format, "table"))
        return cli_usage_error(c, &cmd_claims, "--format must be table, json or csv (got '%s')",
                               format);
    static const char *const statuses[] = {"current", "replaced", "cancelled", "denied",
                                           "cancellation"};
    int known = !status;
    for (size_t i = 0; status && i < UTIL_ARRAY_LEN(statuses); i++) known |= !strcmp(status, statuses[i]);
    if (!known)
        return cli_usage_error(c, &cmd_claims, "--status must be current, replaced, cancelled, "
                               "denied or cancellation (got '%s')", status);
    uint64_t max = 0;
    if (limit && (util_parse_u64(limit, &max) < 0 || max == 0 || max > INT64_MAX))
        return cli_usage_error(c, &cmd_claims, "--limit: '%s' is not a count of at least 1", limit);

    store *s, *audit = NULL;
    char err[1024];
    if (store_open(c->db, STORE_READONLY, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara claims: %s\n", err);
        return CLI_FAIL;
    }
    if (audit_cli_open(c->db, &audit, err, sizeof err) < 0) {
        fprintf(c->err, "cara claims: %s\n", err);
        store_close(s);
        return CLI_FAIL;
    }
    long long printed = 0;
    int rc = print_claims(c, s, person, claim, status, limit ? (int64_t)max : -1, fmt, &printed);
    if (rc == CLI_OK) {
        json_t *f = json_object();
        const char *names[4] = {"person", "claim", "status", "limit"};
        const char *v[4] = {person, claim, status, limit};
        for (int i = 0; i < 4 && f; i++)
            if (v[i]) json_object_set_new(f, names[i], json_string(v[i]));
        if (audit_cli_phi_read(audit, audit_cli_actor(as), "claims", "claims", "", f, printed,
                               err, sizeof err) < 0) {
            fprintf(c->err, "cara claims: %s\n", err);
            rc = CLI_FAIL;
        }
    }
    store_close(audit);
    store_close(s);
    return rc;
}

const cli_command cmd_claims = {
    .name = "claims",
    .summary = "list the stored claims as cara prices them (status, priced sums, source)",
    .usage = "cara [--db FILE] claims [--person MBI] [--claim ID] [--status S] "
             "[--format table|json|csv] [--limit N] [--as WHO]",
    .help = "One row per stored claim version, ordered by person, start date and claim id:\n"
            "its status (only 'current' claims are priced), what its priced lines sum to\n"
            "(paid_amount, allowed_amount: denied lines excluded), its line counts, its\n"
            "claim-level payment, and the file and record it was loaded from. The fields are\n"
            "listed in docs/reports.md.\n\n"
            "  --person MBI       only this beneficiary's claims\n"
            "  --claim ID         the claim with this id or control number (a feed claim\n"
            "                     \"NUMBER#RECORD\" also matches NUMBER: every version of it)\n"
            "  --status S         current, replaced, cancelled, denied or cancellation\n"
            "  --limit N          at most N claims (default: all)\n"
            "  --as WHO           who reads, for the audit log (default $USER)\n\n"
            "  --format table     aligned columns of the main fields (default)\n"
            "  --format json      one JSON object per line with every field; money as\n"
            "                     dollar strings (\"1234.50\") and as integer cents\n"
            "                     (paid_cents, allowed_cents, claim_paid_cents); absent = null\n"
            "  --format csv       RFC 4180, a header row, every field, money in dollars\n\n"
            "Statuses: current (priced), replaced (a later version of the claim won),\n"
            "cancelled (voided by a cancellation record), denied (Medicare did not pay it),\n"
            "cancellation (the record that cancels another). No matching claim: exit 0,\n"
            "\"(no claims)\" on stderr for the table, nothing printed for json or csv.\n\n"
            "Claims are beneficiary data: every listing appends a phi.read row to the audit\n"
            "log (who, the filters, how many rows; never the data). A store this user\n"
            "cannot write is refused before anything is read (exit 1).\n",
    .run = run_claims,
};
