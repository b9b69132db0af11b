/*
 * export_make.c: one export from the store to bytes in memory, recorded (export.h).
 * The CLI writes the bytes to a file or stdout, the HTTP API sends them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export_internal.h"

void export_output_free(export_output *o)
{
    if (!o) return;
    free(o->bytes);
    memset(o, 0, sizeof *o);
}

/* Write f into memory with fn (a FILE writer). */
static int to_memory(const export_data *d, int (*fn)(const export_data *, FILE *, char *, size_t),
                     export_output *o, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return util_fail(err, errlen, -ENOMEM, "export: out of memory");
    int rc = fn(d, f, err, errlen);
    if (fclose(f) != 0 && rc == 0) rc = util_fail(err, errlen, -ENOMEM, "export: out of memory");
    if (rc < 0) {
        free(buf);
        return rc;
    }
    o->bytes = (unsigned char *)buf;
    o->len = len;
    return 0;
}

static int json_out(json_t *doc, export_output *o, char *err, size_t errlen)
{
    if (!doc) return -EINVAL; /* err filled by the writer */
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII | EXPORT_FHIR_JSON_FLAGS);
    json_decref(doc);
    if (!s) return util_fail(err, errlen, -ENOMEM, "export: out of memory");
    size_t n = strlen(s);
    o->bytes = malloc(n + 1);
    if (!o->bytes) {
        free(s);
        return util_fail(err, errlen, -ENOMEM, "export: out of memory");
    }
    memcpy(o->bytes, s, n);
    o->bytes[n] = '\n';
    o->len = n + 1;
    free(s);
    return 0;
}

/* The workbook through a private temporary file (libxlsxwriter writes to a path). */
static int xlsx_out(const export_data *d, export_output *o, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/cara-export-XXXXXX.xlsx", tmp && tmp[0] ? tmp : "/tmp");
    int fd = mkstemps(path, 5);
    if (fd < 0) return util_fail(err, errlen, -EIO, "export: a temporary file in %s: %s",
                                 tmp && tmp[0] ? tmp : "/tmp", strerror(errno));
    close(fd);
    int rc = export_xlsx_write(d, path, err, errlen);
    char *buf = NULL;
    size_t len = 0;
    if (rc == 0) rc = util_read_file(path, (size_t)1 << 31, &buf, &len, err, errlen);
    unlink(path);
    if (rc < 0) return rc;
    o->bytes = (unsigned char *)buf;
    o->len = len;
    return 0;
}

static void file_name(const export_data *d, export_format f, export_form form, char *buf,
                      size_t len)
{
    char scope[160];
    util_strlcpy(scope, d->scope_label, sizeof scope);
    for (char *p = scope; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            *p = '-';
    const char *ext = f == EXPORT_XLSX ? "xlsx" : f == EXPORT_EPISODES ? "csv"
                      : f == EXPORT_ATR && form == EXPORT_FORM_NDJSON ? "ndjson" : "json";
    snprintf(buf, len, "cara-%s-run%" PRId64 "-%s.%s", export_format_name(f), d->run_id, scope, ext);
}

int export_make(store *s, const export_scope *sc, export_format f, export_form form,
                const char *plugins_dir, const char *created_by, export_output *o, char *err,
                size_t errlen)
{
    memset(o, 0, sizeof *o);
    export_data d;
    int rc = export_gather(s, sc, plugins_dir, &d, err, errlen);
    if (rc < 0) return rc;
    switch (f) {
    case EXPORT_EPISODES:
        rc = to_memory(&d, export_episodes_csv, o, err, errlen);
        o->content_type = "text/csv; charset=utf-8";
        break;
    case EXPORT_ATR:
        if (form == EXPORT_FORM_NDJSON) {
            rc = to_memory(&d, export_atr_ndjson, o, err, errlen);
            o->content_type = "application/fhir+ndjson";
        } else {
            rc = json_out(export_atr_bundle(&d, err, errlen), o, err, errlen);
            o->content_type = "application/fhir+json";
        }
        break;
    case EXPORT_VBPR:
        rc = json_out(export_vbpr_bundle(&d, err, errlen), o, err, errlen);
        o->content_type = "application/fhir+json";
        break;
    case EXPORT_XLSX:
        rc = xlsx_out(&d, o, err, errlen);
        o->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        break;
    default:
        rc = util_fail(err, errlen, -EINVAL, "export: unknown format");
    }
    if (rc == 0) {
        o->records = (int64_t)(f == EXPORT_ATR ? d.n_members : d.n_eps);
        if (f == EXPORT_VBPR) {
            o->records = 0;
            for (size_t i = 0; i < d.n_arrs; i++) o->records += (int64_t)d.arrs[i].n_results;
        }
        file_name(&d, f, form, o->filename, sizeof o->filename);
        o->run_id = d.run_id;
        util_strlcpy(o->scope, d.scope_label, sizeof o->scope);
        sha256_hex(o->bytes, o->len, o->sha256);
        exports_member_rec *m = NULL;
        size_t n = f == EXPORT_ATR ? d.n_members : 0;
        if (n && !(m = calloc(n, sizeof *m))) rc = util_fail(err, errlen, -ENOMEM, "export: out of memory");
        for (size_t i = 0; rc == 0 && i < n; i++) {
            const exp_member *x = &d.members[i];
            m[i] = (exports_member_rec){x->person_id, x->template_id, x->arrangement_id, x->npi,
                                        x->tin, x->start, x->end};
        }
        exports_rec r = {export_format_name(f), d.scope_label, created_by, o->sha256, d.run_id,
                         (int64_t)o->len, f == EXPORT_ATR ? d.previous_export : 0, m, n};
        if (rc == 0) rc = exports_w_record(s, &r, &o->export_id, err, errlen);
        free(m);
    }
    export_data_free(&d);
    if (rc < 0) export_output_free(o);
    return rc;
}
