/*
 * xlsx_internal.h: what the files of the contracting workbook share (export_xlsx.c,
 * export_xlsx_prices.c, export_xlsx_recon.c; docs/exports.md): the writer's state,
 * the cell helpers and where each sheet's rows and columns are, so that one sheet's
 * formulas can name another sheet's cells. Not part of the module's interface.
 *
 * Errors: the helpers record the first failure (a libxlsxwriter code with its sheet and
 * cell, or out of memory) in the writer and do nothing after it; export_xlsx_write
 * reports it once the workbook is closed.
 */
#ifndef CARA_EXPORT_XLSX_INTERNAL_H
#define CARA_EXPORT_XLSX_INTERNAL_H

#include <stdint.h>

#include <xlsxwriter.h>

#include "export.h"

/* The sheets, in the workbook's order (tests and docs name them). */
#define XLSX_SUMMARY "Summary"
#define XLSX_TERMS "Terms"
#define XLSX_PRICES "Target prices"
#define XLSX_BASELINE "Baseline"
#define XLSX_EPISODES "Episodes"
#define XLSX_PROJECTED "Projected payment"
/* ... as a formula names them */
#define XLSX_REF_SUMMARY "Summary"
#define XLSX_REF_TERMS "Terms"
#define XLSX_REF_EPISODES "Episodes"

/* Every sheet but Summary: a title on row 0, the table's header on row 1, data from row 2.
 * Summary: the run's block on rows 0-5, the header on row 7, data from row 8. */
#define XLSX_HEAD 1
#define XLSX_FIRST 2
#define XLSX_SUM_HEAD 7
#define XLSX_SUM_FIRST 8

/* Summary's columns */
enum { S_ARR, S_ACO, S_NPI, S_TIN, S_PROVIDER, S_TEMPLATE, S_VERSION, S_PERIOD, S_EPISODES,
       S_MET, S_TARGET, S_ACTUAL, S_WINS, S_GROSS, S_QUALITY, S_QADJ, S_SHARE, S_PAYMENT,
       S_CAP, S_STATUS, S_LEAKAGE, S_NCOLS };

/* Terms' columns (one row per arrangement, in d->arrs order) */
enum { T_ARR, T_ACO, T_TRACK, T_NPI, T_TIN, T_PROVIDER, T_SPECIALTY, T_TEMPLATE, T_VERSION,
       T_STATUS, T_START, T_END,
       T_DISC_BPS, T_DISC_PCT, T_DISC_KIND, T_DISC_SRC, T_DISC_MIN, T_DISC_MAX,
       T_SAV_BPS, T_SAV_PCT, T_SAV_SRC, T_LOSS_BPS, T_LOSS_PCT, T_LOSS_SRC,
       T_GAIN_BPS, T_GAIN_PCT, T_GAIN_SRC, T_SLOSS_BPS, T_SLOSS_PCT, T_SLOSS_SRC,
       T_CAP_BPS, T_MIN_EPS, T_MEASURE, T_MEASURE_DESC, T_QAS_BPS, T_QAL_BPS, T_NCOLS };

/* Episodes' columns (one row per episode, in d->eps order) */
enum { E_ID, E_PERSON, E_TEMPLATE, E_VERSION, E_TRIGGER, E_TDATE, E_EDATE, E_PERIOD, E_ACO,
       E_ARR, E_NPI, E_TIN, E_METHOD, E_TARGET, E_ACTUAL, E_WINS, E_QMET, E_STATUS, E_REASON,
       E_NCOLS };

/* One column of a table: its header and width (in characters). */
typedef struct xlsx_col {
    const char *name;
    double width;
} xlsx_col;

typedef struct xlsx {
    const export_data *d;
    lxw_workbook *wb;
    lxw_worksheet *ws;       /* the sheet being written */
    const char *sheet;       /* its name */
    lxw_error rc;            /* the first libxlsxwriter error (LXW_NO_ERROR: none) */
    int nomem;               /* an allocation failed */
    char where[160];         /* the sheet and cell of the first error */
    struct {
        lxw_format *title, *head, *money, *pct, *factor, *count, *date, *stamp;
    } f;
    size_t *res_base;        /* [i]: the results of d->arrs before arrangement i
                              * (n_arrs + 1 entries); Summary's row of arrangement i's
                              * result j is XLSX_SUM_FIRST + res_base[i] + j */
} xlsx;

/* ---- cell helpers (export_xlsx.c); each does nothing once x holds an error ---- */

/* s as text, made safe first: invalid UTF-8 replaced by U+FFFD, "_xHHHH_" escaped as
 * Excel reads it, cut to Excel's 32,767 bytes on a character boundary (control
 * characters: libxlsxwriter writes them as _xHHHH_). NULL or "": a blank cell with f. */
void xlsx__str(xlsx *x, lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f);
void xlsx__num(xlsx *x, lxw_row_t r, lxw_col_t c, double v, lxw_format *f);
/* An integer (a count, basis points, a year) with the count format. */
void xlsx__int(xlsx *x, lxw_row_t r, lxw_col_t c, int64_t v);
/* Cents as dollars, cents / 100.0, with the currency format: the cell's number is the
 * one place the workbook uses floating point (display only). */
void xlsx__cents(xlsx *x, lxw_row_t r, lxw_col_t c, int64_t cents);
/* A "YYYY-MM-DD" as an Excel date with the date format; "" blank; anything else as text. */
void xlsx__date(xlsx *x, lxw_row_t r, lxw_col_t c, const char *ymd);
/* "YYYY-MM-DDTHH:MM:SS..." as an Excel date-time; anything else as text. */
void xlsx__stamp(xlsx *x, lxw_row_t r, lxw_col_t c, const char *iso);
void xlsx__blank(xlsx *x, lxw_row_t r, lxw_col_t c, lxw_format *f);
/* A formula (printf-style, without the '=') with its cached numeric / text result. */
void xlsx__fnum(xlsx *x, lxw_row_t r, lxw_col_t c, lxw_format *f, double cached,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void xlsx__fstr(xlsx *x, lxw_row_t r, lxw_col_t c, lxw_format *f, const char *cached,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A formula's result in cents: cached cents / 100.0, currency format. */
void xlsx__fcents(xlsx *x, lxw_row_t r, lxw_col_t c, int64_t cached, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A cell's name, "B7", or with abs "$B$7" (buf of 24). */
const char *xlsx__cell(char *buf, lxw_row_t r, lxw_col_t c, int abs);
/* A column's letters, "B" (buf of 8). */
const char *xlsx__colname(char *buf, lxw_col_t c);

/* Start a sheet: add it, write its title on row 0 (unless title is NULL) and make it the
 * one the helpers write to. */
void xlsx__sheet(xlsx *x, const char *name, const char *title);
/* The header row of a table at row r, columns first.. (with the columns' widths). */
void xlsx__header(xlsx *x, lxw_row_t r, lxw_col_t first, const xlsx_col *cols, lxw_col_t n);
/* Freeze the rows above first (and freeze_cols columns), and an autofilter over the
 * table from its header row head to last (last < head + 1: the header only). */
void xlsx__table(xlsx *x, lxw_row_t head, lxw_row_t last, lxw_col_t ncols, lxw_col_t freeze_cols);
/* Record an allocation failure. */
void xlsx__oom(xlsx *x);

/* ---- lookups ---- */

/* The ACO of d (linear search; NULL when absent). */
const exp_aco *xlsx__aco(const export_data *d, const char *aco_id);
/* The share cap of the arrangement's ACO track (template's share_cap_global_bps or
 * share_cap_professional_bps), 10000 when the track or the template is unknown. */
int64_t xlsx__track_cap(const export_data *d, const exp_arrangement *a);
/* a - b, saturating at the int64 bounds. */
int64_t xlsx__sub(int64_t a, int64_t b);

/* ---- the sheets ---- */

void xlsx__summary(xlsx *x);   /* export_xlsx.c */
void xlsx__terms(xlsx *x);
void xlsx__prices(xlsx *x);    /* export_xlsx_prices.c */
void xlsx__baseline(xlsx *x);
void xlsx__episodes(xlsx *x);  /* export_xlsx_recon.c */
void xlsx__projected(xlsx *x);

#endif
