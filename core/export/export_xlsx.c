/*
 * export_xlsx.c: the contracting workbook (export.h, docs/exports.md): the entry
 * point and the cell helpers of xlsx_internal.h. The sheets: Summary and Terms in
 * export_xlsx_summary.c, Target prices and Baseline in export_xlsx_prices.c, Episodes
 * and Projected payment in export_xlsx_recon.c.
 *
 * Every figure is a real number with a number format, never text; a figure the reader
 * would recompute is a formula with its result cached (the run's integer figure), so a
 * reader that does not recalculate shows the run's number. The workbook is written in
 * libxlsxwriter's constant-memory mode: each sheet row by row, in order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "base/base.h"
#include "export.h"
#include "xlsx_internal.h"

#define XLSX_STR_MAX 32767   /* Excel's longest cell text, in bytes here */
#define XLSX_FORMULA_MAX 8192 /* Excel's longest formula */

/* ---- errors ------------------------------------------------------------------------------ */

void xlsx__oom(xlsx *x)
{
    x->nomem = 1;
}

static int failed(const xlsx *x)
{
    return x->rc != LXW_NO_ERROR || x->nomem;
}

static void check(xlsx *x, lxw_error rc, lxw_row_t r, lxw_col_t c)
{
    if (rc == LXW_NO_ERROR || failed(x)) return;
    char cell[24];
    x->rc = rc;
    snprintf(x->where, sizeof x->where, "sheet \"%s\", cell %s", x->sheet ? x->sheet : "",
             xlsx__cell(cell, r, c, 0));
}

/* ---- names ------------------------------------------------------------------------------- */

const char *xlsx__cell(char *buf, lxw_row_t r, lxw_col_t c, int abs)
{
    char col[8];
    xlsx__colname(col, c);
    snprintf(buf, 24, "%s%s%s%lu", abs ? "$" : "", col, abs ? "$" : "", (unsigned long)r + 1);
    return buf;
}

const char *xlsx__colname(char *buf, lxw_col_t c)
{
    char tmp[8];
    size_t n = 0;
    unsigned long v = (unsigned long)c + 1;
    while (v > 0 && n < sizeof tmp - 1) {
        tmp[n++] = (char)('A' + (v - 1) % 26);
        v = (v - 1) / 26;
    }
    for (size_t i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

/* ---- text -------------------------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at p (at most left bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    unsigned char b = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b < 0x80) return 1;
    if (b >= 0xC2 && b <= 0xDF) n = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        n = 3;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F; /* no surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (left < n) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return n;
}

static int hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* "_xHHHH_" at s: Excel would read it as the character HHHH. */
static int excel_escape_at(const char *s)
{
    return s[0] == '_' && s[1] == 'x' && hex(s[2]) && hex(s[3]) && hex(s[4]) && hex(s[5]) &&
           s[6] == '_';
}

/* s made safe for a cell (see xlsx__str): s itself when nothing changes, else a copy
 * malloc'ed into *own (NULL: out of memory). */
static const char *clean(const char *s, char **own)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    int same = n <= XLSX_STR_MAX;
    while (same && i < n) {
        size_t k = utf8_len(u + i, n - i);
        if (k == 0 || excel_escape_at(s + i)) same = 0;
        i += k ? k : 1;
    }
    *own = NULL;
    if (same) return s;
    char *out = malloc(3 * n + 1); /* an invalid byte becomes 3 bytes, "_x" 7 more per 7 */
    if (!out) return NULL;
    size_t o = 0;
    for (i = 0; i < n;) {
        size_t k = utf8_len(u + i, n - i);
        const char *piece = s + i;
        size_t plen = k;
        if (k == 0) {
            piece = "\xEF\xBF\xBD"; /* U+FFFD */
            plen = 3;
        } else if (excel_escape_at(s + i)) {
            piece = "_x005F_"; /* Excel's escape of the '_' itself */
            plen = 7;
        }
        if (o + plen > XLSX_STR_MAX) break;
        memcpy(out + o, piece, plen);
        o += plen;
        i += k ? k : 1;
    }
    out[o] = '\0';
    *own = out;
    return out;
}

void xlsx__str(xlsx *x, lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f)
{
    if (failed(x)) return;
    if (!s || !s[0]) {
        xlsx__blank(x, r, c, f);
        return;
    }
    char *own;
    const char *t = clean(s, &own);
    if (!t) {
        xlsx__oom(x);
        return;
    }
    check(x, worksheet_write_string(x->ws, r, c, t, f), r, c);
    free(own);
}

/* ---- numbers and dates ------------------------------------------------------------------- */

void xlsx__num(xlsx *x, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (failed(x)) return;
    check(x, worksheet_write_number(x->ws, r, c, v, f), r, c);
}

void xlsx__int(xlsx *x, lxw_row_t r, lxw_col_t c, int64_t v)
{
    xlsx__num(x, r, c, (double)v, x->f.count);
}

void xlsx__cents(xlsx *x, lxw_row_t r, lxw_col_t c, int64_t cents)
{
    xlsx__num(x, r, c, (double)cents / 100.0, x->f.money);
}

void xlsx__blank(xlsx *x, lxw_row_t r, lxw_col_t c, lxw_format *f)
{
    if (failed(x) || !f) return; /* a blank without a format is no cell at all */
    check(x, worksheet_write_blank(x->ws, r, c, f), r, c);
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "YYYY-MM-DD" (strict, date_parse) into dt's date; 0 or -1. */
static int parse_date(const char *s, lxw_datetime *dt)
{
    cara_date cd;
    if (!s || strlen(s) < 10 || date_parse(s, 10, &cd) < 0) return -1;
    date_to_ymd(cd, &dt->year, &dt->month, &dt->day);
    dt->hour = dt->min = 0;
    dt->sec = 0;
    return dt->year >= 1900 ? 0 : -1; /* Excel's dates start in 1900 */
}

/* "YYYY-MM-DDTHH:MM:SS" (then anything: fractions, a zone) into dt; 0 or -1. */
static int parse_stamp(const char *s, lxw_datetime *dt)
{
    int sec;
    if (parse_date(s, dt) < 0 || strlen(s) < 19 || (s[10] != 'T' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':' || digits(s + 11, 2, &dt->hour) < 0 ||
        digits(s + 14, 2, &dt->min) < 0 || digits(s + 17, 2, &sec) < 0 || dt->hour > 23 ||
        dt->min > 59 || sec > 59)
        return -1;
    dt->sec = sec;
    return 0;
}

void xlsx__date(xlsx *x, lxw_row_t r, lxw_col_t c, const char *ymd)
{
    lxw_datetime dt;
    if (failed(x)) return;
    if (!ymd || !ymd[0]) return;
    if (strlen(ymd) != 10 || parse_date(ymd, &dt) < 0) {
        xlsx__str(x, r, c, ymd, NULL);
        return;
    }
    check(x, worksheet_write_datetime(x->ws, r, c, &dt, x->f.date), r, c);
}

void xlsx__stamp(xlsx *x, lxw_row_t r, lxw_col_t c, const char *iso)
{
    lxw_datetime dt;
    if (failed(x)) return;
    if (parse_stamp(iso, &dt) < 0) {
        xlsx__str(x, r, c, iso, NULL);
        return;
    }
    check(x, worksheet_write_datetime(x->ws, r, c, &dt, x->f.stamp), r, c);
}

/* ---- formulas ---------------------------------------------------------------------------- */

/* The formula of fmt/ap into buf; 0, or -1 (recorded) when longer than Excel allows. */
static int formula(xlsx *x, lxw_row_t r, lxw_col_t c, char *buf, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, XLSX_FORMULA_MAX, fmt, ap);
    if (n < 0 || n >= XLSX_FORMULA_MAX) {
        char cell[24];
        x->rc = LXW_ERROR_PARAMETER_VALIDATION;
        snprintf(x->where, sizeof x->where, "sheet \"%s\", cell %s: a formula longer than "
                 "Excel's %d characters", x->sheet, xlsx__cell(cell, r, c, 0), XLSX_FORMULA_MAX - 1);
        return -1;
    }
    return 0;
}

void xlsx__fnum(xlsx *x, lxw_row_t r, lxw_col_t c, lxw_format *f, double cached,
                const char *fmt, ...)
{
    char buf[XLSX_FORMULA_MAX];
    va_list ap;
    if (failed(x)) return;
    va_start(ap, fmt);
    int rc = formula(x, r, c, buf, fmt, ap);
    va_end(ap);
    if (rc == 0) check(x, worksheet_write_formula_num(x->ws, r, c, buf, f, cached), r, c);
}

void xlsx__fcents(xlsx *x, lxw_row_t r, lxw_col_t c, int64_t cached, const char *fmt, ...)
{
    char buf[XLSX_FORMULA_MAX];
    va_list ap;
    if (failed(x)) return;
    va_start(ap, fmt);
    int rc = formula(x, r, c, buf, fmt, ap);
    va_end(ap);
    if (rc == 0)
        check(x, worksheet_write_formula_num(x->ws, r, c, buf, x->f.money, (double)cached / 100.0),
              r, c);
}

void xlsx__fstr(xlsx *x, lxw_row_t r, lxw_col_t c, lxw_format *f, const char *cached,
                const char *fmt, ...)
{
    char buf[XLSX_FORMULA_MAX];
    va_list ap;
    if (failed(x)) return;
    va_start(ap, fmt);
    int rc = formula(x, r, c, buf, fmt, ap);
    va_end(ap);
    if (rc == 0) check(x, worksheet_write_formula_str(x->ws, r, c, buf, f, cached), r, c);
}

/* ---- sheets and tables ------------------------------------------------------------------- */

void xlsx__sheet(xlsx *x, const char *name, const char *title)
{
    if (failed(x)) return;
    x->sheet = name;
    x->ws = workbook_add_worksheet(x->wb, name);
    if (!x->ws) {
        x->rc = LXW_ERROR_CREATING_TMPFILE; /* the likely cause in constant-memory mode */
        snprintf(x->where, sizeof x->where, "adding sheet \"%s\"", name);
        return;
    }
    if (title) xlsx__str(x, 0, 0, title, x->f.title);
}

void xlsx__header(xlsx *x, lxw_row_t r, lxw_col_t first, const xlsx_col *cols, lxw_col_t n)
{
    for (lxw_col_t i = 0; i < n && !failed(x); i++) {
        lxw_col_t c = first + i;
        check(x, worksheet_set_column(x->ws, c, c, cols[i].width, NULL), r, c);
        xlsx__str(x, r, c, cols[i].name, x->f.head);
    }
}

void xlsx__table(xlsx *x, lxw_row_t head, lxw_row_t last, lxw_col_t ncols, lxw_col_t freeze_cols)
{
    if (failed(x)) return;
    worksheet_freeze_panes(x->ws, head + 1, freeze_cols);
    if (ncols > 0)
        check(x, worksheet_autofilter(x->ws, head, 0, last > head ? last : head, ncols - 1), head, 0);
}

/* ---- lookups ----------------------------------------------------------------------------- */

const exp_aco *xlsx__aco(const export_data *d, const char *aco_id)
{
    for (size_t i = 0; i < d->n_acos; i++)
        if (strcmp(d->acos[i].aco_id, aco_id) == 0) return &d->acos[i];
    return NULL;
}

int64_t xlsx__track_cap(const export_data *d, const exp_arrangement *a)
{
    const exp_aco *aco = xlsx__aco(d, a->aco_id);
    if (!a->tmpl || !aco) return 10000;
    if (strcmp(aco->track, "global") == 0) return a->tmpl->share_cap_global_bps;
    if (strcmp(aco->track, "professional") == 0) return a->tmpl->share_cap_professional_bps;
    return 10000;
}

int64_t xlsx__sub(int64_t a, int64_t b)
{
    int64_t out;
    if (__builtin_sub_overflow(a, b, &out)) return b < 0 ? INT64_MAX : INT64_MIN;
    return out;
}

/* ---- the workbook ------------------------------------------------------------------------ */

static lxw_format *fmt(xlsx *x, const char *num, int bold, int wrap)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (!f) {
        xlsx__oom(x);
        return NULL;
    }
    if (num) format_set_num_format(f, num);
    if (bold) format_set_bold(f);
    if (wrap) format_set_text_wrap(f);
    return f;
}

static void formats(xlsx *x)
{
    x->f.title = fmt(x, NULL, 1, 0);
    if (x->f.title) format_set_font_size(x->f.title, 13);
    x->f.head = fmt(x, NULL, 1, 1);
    if (x->f.head) {
        format_set_bottom(x->f.head, LXW_BORDER_THIN);
        format_set_align(x->f.head, LXW_ALIGN_VERTICAL_TOP);
    }
    x->f.money = fmt(x, "$#,##0.00", 0, 0);
    x->f.pct = fmt(x, "0.00%", 0, 0);
    x->f.factor = fmt(x, "0.0000", 0, 0);
    x->f.count = fmt(x, "0", 0, 0);
    x->f.date = fmt(x, "yyyy-mm-dd", 0, 0);
    x->f.stamp = fmt(x, "yyyy-mm-dd hh:mm:ss", 0, 0);
}

/* The document's properties: its creation time is the export's generated_at (the
 * writer reads no clock), so the same data gives the same properties. */
static void properties(xlsx *x, char *title, size_t len)
{
    lxw_datetime dt;
    struct tm tm = {0};
    lxw_doc_properties p = {0};
    snprintf(title, len, "CARA contracting workbook, run %lld", (long long)x->d->run_id);
    p.title = title;
    p.author = "cara";
    if (parse_stamp(x->d->generated_at, &dt) == 0) {
        tm.tm_year = dt.year - 1900;
        tm.tm_mon = dt.month - 1;
        tm.tm_mday = dt.day;
        tm.tm_hour = dt.hour;
        tm.tm_min = dt.min;
        tm.tm_sec = (int)dt.sec;
        p.created = timegm(&tm);
    }
    check(x, workbook_set_properties(x->wb, &p), 0, 0);
}

/*
 * export.h. The six sheets, in order; d is only read. Errors (err names path): -EFBIG
 * when the episodes or the arrangement results do not fit a sheet's 1,048,576 rows,
 * -ENOMEM, -EIO for a libxlsxwriter error (its lxw_strerror, and the sheet and cell
 * where it happened; creating the file fails only at the end, when the workbook is
 * closed). A failed export leaves no file at path.
 */
int export_xlsx_write(const export_data *d, const char *path, char *err, size_t errlen)
{
    if (d->n_eps > (size_t)LXW_ROW_MAX - XLSX_FIRST)
        return util_fail(err, errlen, -EFBIG, "%s: %zu episodes, more than the %lu rows of the "
                         "Episodes sheet: narrow the export's scope", path, d->n_eps,
                         (unsigned long)LXW_ROW_MAX - XLSX_FIRST);
    xlsx x = {.d = d};
    x.res_base = malloc((d->n_arrs + 1) * sizeof *x.res_base);
    if (!x.res_base) return util_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
    x.res_base[0] = 0;
    for (size_t i = 0; i < d->n_arrs; i++) x.res_base[i + 1] = x.res_base[i] + d->arrs[i].n_results;
    size_t n_res = x.res_base[d->n_arrs];
    if (n_res > (size_t)LXW_ROW_MAX - XLSX_SUM_FIRST) {
        free(x.res_base);
        return util_fail(err, errlen, -EFBIG, "%s: %zu arrangement results, more than the "
                         "Summary sheet's rows: narrow the export's scope", path, n_res);
    }
    lxw_workbook_options o = {.constant_memory = LXW_TRUE};
    x.wb = workbook_new_opt(path, &o);
    if (!x.wb) {
        free(x.res_base);
        return util_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
    }
    char title[96];
    formats(&x);
    properties(&x, title, sizeof title);
    xlsx__summary(&x);
    xlsx__terms(&x);
    xlsx__prices(&x);
    xlsx__baseline(&x);
    xlsx__episodes(&x);
    xlsx__projected(&x);
    lxw_error rc = workbook_close(x.wb); /* always: it frees the workbook */
    free(x.res_base);
    if (failed(&x)) {
        unlink(path);
        if (x.nomem) return util_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
        return util_fail(err, errlen, -EIO, "%s: %s (%s)", path, lxw_strerror(x.rc), x.where);
    }
    if (rc != LXW_NO_ERROR) {
        if (rc != LXW_ERROR_CREATING_XLSX_FILE) unlink(path); /* a part written */
        return util_fail(err, errlen, -EIO, "%s: %s", path, lxw_strerror(rc));
    }
    return 0;
}
