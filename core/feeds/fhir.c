/*
 * fhir.c: see fhir.h.
 */
#include "fhir.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "fhir_json.h"
#include "load_fields.h"

#define BB_VAR "https://bluebutton.cms.gov/resources/variables/"
#define BB_CS "https://bluebutton.cms.gov/resources/codesystem/"
#define SYS_NPI "http://hl7.org/fhir/sid/us-npi"
#define C4BB_CS "http://hl7.org/fhir/us/carin-bb/CodeSystem/"

static const char *const tin_systems[] = {BB_VAR "tax_num", "http://hl7.org/fhir/sid/us-ein",
                                          "urn:oid:2.16.840.1.113883.4.4",
                                          /* BFD v1's tax number careTeam member */
                                          "http://terminology.hl7.org/CodeSystem/v2-0203", NULL};
static const char *const mbi_systems[] = {"http://hl7.org/fhir/sid/us-mbi", NULL};
static const char *const icd10_systems[] = {"http://hl7.org/fhir/sid/icd-10-cm",
                                            "http://hl7.org/fhir/sid/icd-10", NULL};
/* BFD v1 writes ICD-10-PCS procedures with the ICD-10 system */
static const char *const pcs_systems[] = {"http://www.cms.gov/Medicare/Coding/ICD10",
                                          "http://hl7.org/fhir/sid/icd-10-pcs",
                                          "http://www.cms.gov/Medicare/Coding/ICD10-PCS",
                                          "http://hl7.org/fhir/sid/icd-10", NULL};
static const char *const hcpcs_systems[] = {BB_CS "hcpcs", "http://www.ama-assn.org/go/cpt",
                                            "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
                                            NULL};
static const char *const pos_systems[] = {
    BB_VAR "line_place_of_srvc_cd",
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set", NULL};
static const char *const rev_systems[] = {BB_VAR "rev_cntr", NULL};
static const char *const eob_type_systems[] = {BB_CS "eob-type", NULL};
static const char *const claim_type_systems[] = {"http://terminology.hl7.org/CodeSystem/claim-type",
                                                 "http://hl7.org/fhir/ex-claimtype", NULL};
static const char *const si_systems[] = {C4BB_CS "C4BBSupportingInfoType", NULL};

/* ---- errors and warnings ---------------------------------------------------------------- */

/* Where a message goes and what it names. */
typedef struct pctx {
    const char *rtype;    /* resourceType */
    char id[65];          /* "" until read */
    char *err;
    size_t errlen;
    fhir_resource *r;     /* its warnings */
} pctx;

__attribute__((format(printf, 3, 4))) static int fail(pctx *c, const char *path,
                                                      const char *fmt, ...)
{
    char m[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s %s: %s: %s", c->rtype, c->id[0] ? c->id : "(no id)", path, m);
    return -EINVAL;
}

/* A malformed optional field: remembered (once per path) for the caller to report. 0, or
 * -ENOMEM. */
static int vwarn(pctx *c, int kept, const char *path, const char *fmt, va_list ap)
{
    fhir_resource *r = c->r;
    for (size_t i = 0; i < r->n_warnings; i++)
        if (!strcmp(r->warnings[i].path, path)) return 0;
    fhir_warning *w = realloc(r->warnings, (r->n_warnings + 1) * sizeof *w);
    if (!w) return -ENOMEM;
    r->warnings = w;
    w += r->n_warnings++;
    char m[400];
    vsnprintf(m, sizeof m, fmt, ap);
    snprintf(w->path, sizeof w->path, "%s", path);
    int n = snprintf(w->msg, sizeof w->msg, "%.40s %.64s: %.127s: ", c->rtype, c->id, path);
    w->what = n > 0 ? (size_t)n : 0;
    snprintf(w->msg + w->what, sizeof w->msg - w->what, "%s", m);
    w->kept = kept;
    return 0;
}

__attribute__((format(printf, 3, 4))) static int warn(pctx *c, const char *path,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vwarn(c, 0, path, fmt, ap);
    va_end(ap);
    return rc;
}

__attribute__((format(printf, 3, 4))) static int warn_kept(pctx *c, const char *path,
                                                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vwarn(c, 1, path, fmt, ap);
    va_end(ap);
    return rc;
}

/* snprintf for the JSON paths of messages: only %s and %zu, the same text and the same
 * truncation (at most len - 1 bytes and a NUL), without glibc's printf machinery (the
 * paths are built for every line, before any error needs one). Returns the length the
 * whole text has. */
static int path_printf(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int path_printf(char *out, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t o = 0;
    /* put n bytes of a: the part that fits (len - 1 in all), counted whole */
#define PUTN(a, n)                                                                         \
    do {                                                                                   \
        size_t n_ = (n);                                                                   \
        if (o + 1 < len) memcpy(out + o, (a), o + n_ < len - 1 ? n_ : len - 1 - o);         \
        o += n_;                                                                           \
    } while (0)
    for (const char *f = fmt; *f;) {
        const char *pct = strchr(f, '%');
        size_t lit = pct ? (size_t)(pct - f) : strlen(f);
        PUTN(f, lit);
        f += lit;
        if (!*f) break;
        if (f[1] == 's') {
            const char *a = va_arg(ap, const char *);
            PUTN(a, strlen(a));
            f += 2;
        } else if (f[1] == 'z' && f[2] == 'u') {
            size_t v = va_arg(ap, size_t);
            char d[24];
            int k = 24;
            do d[--k] = (char)('0' + v % 10); while ((v /= 10) && k > 0);
            PUTN(d + k, (size_t)(24 - k));
            f += 3;
        } else {
            PUTN(f, 1);
            f++;
        }
    }
#undef PUTN
    if (len) out[o < len ? o : len - 1] = '\0';
    va_end(ap);
    return (int)o;
}

/* A JSON value as a message shows it: strings quoted (at most 40 characters, control
 * bytes escaped), anything else as compact JSON (cut at 40 characters). */
static void show(const fj_t *v, char *out, size_t outlen)
{
    char *text = fj_is_string(v) ? NULL : fj_dumps(v);
    const char *s = fj_is_string(v) ? fj_string_value(v) : text ? text : "?";
    size_t o = 0;
    if (fj_is_string(v)) out[o++] = '"';
    for (size_t i = 0; s[i] && o + 8 < outlen; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (i == 40) {
            o += (size_t)snprintf(out + o, outlen - o, "...");
            break;
        }
        if (ch < 32 || ch == 127) o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", ch);
        else out[o++] = (char)ch;
    }
    if (fj_is_string(v)) out[o++] = '"';
    out[o] = '\0';
    free(text);
}

static int fail_type(pctx *c, const char *path, const fj_t *v, const char *expected)
{
    char q[64];
    show(v, q, sizeof q);
    return fail(c, path, "%s is not %s", q, expected);
}

/* Check a string with feed_check (kind: enum field_kind) into out. */
static int check(pctx *c, int kind, const char *path, const char *s, char *out, size_t outlen)
{
    char msg[256];
    if (feed_check(kind, s, strlen(s), out, outlen, msg, sizeof msg) < 0)
        return fail(c, path, "%s", msg);
    return 0;
}

/* The same for an optional field: a malformed value is a warning and stored as absent
 * (out ""). 0 or -ENOMEM. */
static int soft_check(pctx *c, int kind, const char *path, const char *s, char *out, size_t outlen)
{
    char msg[256];
    if (feed_check(kind, s, strlen(s), out, outlen, msg, sizeof msg) == 0) return 0;
    out[0] = '\0';
    return warn(c, path, "%s", msg);
}

/* ---- JSON access ------------------------------------------------------------------------ */

static int streq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static int in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (!strcmp(s, *list)) return 1;
    return 0;
}

/* obj[key] as a string, NULL when absent or not a string. */
static const char *str_of(const fj_t *obj, const char *key)
{
    return fj_string_value(fj_object_get(obj, key));
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = s ? strlen(s) : 0, b = strlen(suffix);
    return s && a >= b && !strcmp(s + a - b, suffix);
}

/* The string at obj[key] (path names it): 0 with *s (NULL when absent or null), or an
 * error when it is something else. */
static int get_str(pctx *c, const fj_t *obj, const char *key, const char *path, const char **s)
{
    fj_t *v = fj_object_get(obj, key);
    *s = NULL;
    if (!v || fj_is_null(v)) return 0;
    if (!fj_is_string(v)) return fail_type(c, path, v, "a string");
    *s = fj_string_value(v);
    return 0;
}

/* The first coding of CodeableConcept cc whose system is in systems; *j its index. */
static fj_t *coding_in(const fj_t *cc, const char *const *systems, size_t *j)
{
    fj_t *codings = fj_object_get(cc, "coding"), *cd;
    size_t i;
    fj_array_foreach(codings, i, cd) {
        if (in_list(str_of(cd, "system"), systems)) {
            *j = i;
            return cd;
        }
    }
    return NULL;
}

/* The code of the coding of cc in systems as a string: 0 with *code (NULL when no such
 * coding) and its path base.coding[j].code in path (160 bytes), or an error. */
static int code_in(pctx *c, const fj_t *cc, const char *const *systems, const char *base,
                   const char **code, char *path)
{
    size_t j = 0;
    fj_t *cd = coding_in(cc, systems, &j);
    *code = NULL;
    path_printf(path, 160, "%s", base);
    if (!cd) return 0;
    path_printf(path, 160, "%s.coding[%zu].code", base, j);
    int rc = get_str(c, cd, "code", path, code);
    if (rc == 0 && !*code) return fail(c, path, "required in a %s coding", str_of(cd, "system"));
    return rc;
}

/* The code of an optional coding: as code_in, but a non-string or absent code is a
 * warning and *code NULL. 0 or -ENOMEM. */
static int soft_code_in(pctx *c, const fj_t *cc, const char *const *systems, const char *base,
                        const char **code, char *path)
{
    size_t j = 0;
    fj_t *cd = coding_in(cc, systems, &j);
    *code = NULL;
    path_printf(path, 160, "%s", base);
    if (!cd) return 0;
    path_printf(path, 160, "%s.coding[%zu].code", base, j);
    fj_t *v = fj_object_get(cd, "code");
    if (fj_is_string(v)) {
        *code = fj_string_value(v);
        return 0;
    }
    char q[64];
    show(v ? v : fj_null(), q, sizeof q);
    return warn(c, path, "%s is not a code (expected a string)", q);
}

/* An identifier (one object or an array of them) with a system in systems; *j its
 * index (0 for a single object). */
static fj_t *ident_in(const fj_t *ids, const char *const *systems, size_t *j)
{
    if (fj_is_object(ids)) {
        *j = 0;
        return in_list(str_of(ids, "system"), systems) ? (fj_t *)ids : NULL;
    }
    fj_t *id;
    size_t i;
    fj_array_foreach(ids, i, id) {
        if (in_list(str_of(id, "system"), systems)) {
            *j = i;
            return id;
        }
    }
    return NULL;
}

/* The extension of obj whose url is the BB variable var; *j its index. */
static fj_t *ext_of(const fj_t *obj, const char *var, size_t *j)
{
    fj_t *exts = fj_object_get(obj, "extension"), *e;
    size_t i, n = strlen(BB_VAR);
    fj_array_foreach(exts, i, e) {
        const char *url = str_of(e, "url");
        if (url && !strncmp(url, BB_VAR, n) && !strcmp(url + n, var)) {
            *j = i;
            return e;
        }
    }
    return NULL;
}

/* The code an extension carries (valueCoding.code, valueIdentifier.value or
 * valueString), with its path under base; NULL when it carries none. */
static const char *ext_code(const fj_t *e, const char *base, char *path, size_t pathlen)
{
    const char *s;
    if ((s = str_of(fj_object_get(e, "valueCoding"), "code")))
        path_printf(path, pathlen, "%s.valueCoding.code", base);
    else if ((s = str_of(fj_object_get(e, "valueIdentifier"), "value")))
        path_printf(path, pathlen, "%s.valueIdentifier.value", base);
    else if ((s = str_of(e, "valueString")))
        path_printf(path, pathlen, "%s.valueString", base);
    return s;
}

/*
 * A BB variable of a claim, wherever DSTU3 or R4 put it: an extension of the resource,
 * an extension of its facility, a coding of that system in supportingInfo[].code (R4),
 * information[].code (DSTU3) or type (DSTU3 writes clm_srvc_clsfctn_type_cd there). The
 * code, with its path; NULL when absent.
 */
static const char *bb_var(const fj_t *eob, const char *var, char *path, size_t pathlen)
{
    size_t j;
    char base[64], sys[128];
    fj_t *e = ext_of(eob, var, &j);
    if (e) {
        path_printf(base, sizeof base, "extension[%zu]", j);
        return ext_code(e, base, path, pathlen);
    }
    if ((e = ext_of(fj_object_get(eob, "facility"), var, &j))) {
        path_printf(base, sizeof base, "facility.extension[%zu]", j);
        return ext_code(e, base, path, pathlen);
    }
    snprintf(sys, sizeof sys, BB_VAR "%s", var);
    const char *const systems[] = {sys, NULL};
    static const char *const lists[] = {"supportingInfo", "information"};
    for (size_t l = 0; l < 2; l++) {
        fj_t *si;
        size_t i;
        fj_array_foreach(fj_object_get(eob, lists[l]), i, si) {
            fj_t *cd = coding_in(fj_object_get(si, "code"), systems, &j);
            const char *s = str_of(cd, "code");
            if (s) {
                path_printf(path, pathlen, "%s[%zu].code.coding[%zu].code", lists[l], i, j);
                return s;
            }
        }
    }
    fj_t *cd = coding_in(fj_object_get(eob, "type"), systems, &j);
    const char *s = str_of(cd, "code");
    if (s) snprintf(path, pathlen, "type.coding[%zu].code", j);
    return s;
}

/* The identifiers a Reference stands for: its own identifier, or those of the
 * contained resource "#id" it points at (R4 BB's "#provider-org"); *where names them
 * ("contained[i]" then). */
static const fj_t *ref_identifiers(const fj_t *res, const fj_t *ref, char *where,
                                     size_t wherelen)
{
    fj_t *ids = fj_object_get(ref, "identifier");
    const char *r = str_of(ref, "reference");
    if (ids || !r || r[0] != '#') return ids;
    fj_t *cr;
    size_t i;
    fj_array_foreach(fj_object_get(res, "contained"), i, cr) {
        if (streq(str_of(cr, "id"), r + 1)) {
            path_printf(where, wherelen, "contained[%zu]", i);
            return fj_object_get(cr, "identifier");
        }
    }
    return NULL;
}

/* ---- provider identifiers --------------------------------------------------------------- */

/* 1 when a coding list (a CodeableConcept's coding) has a code in codes. */
static int has_code(const fj_t *cc, const char *const *codes)
{
    fj_t *cd;
    size_t j;
    fj_array_foreach(fj_object_get(cc, "coding"), j, cd)
        if (in_list(str_of(cd, "code"), codes)) return 1;
    return 0;
}

/* An identifier is an NPI by its system (us-npi; a BB variable ..._npi_num or ..._npi,
 * e.g. R4 carrier's carr_clm_blg_npi_num) or its type (C4BB "npi", v2-0203 "NPI"). */
static int is_npi_ident(const fj_t *id)
{
    static const char *const codes[] = {"npi", "NPI", NULL};
    const char *sys = str_of(id, "system");
    if (streq(sys, SYS_NPI)) return 1;
    if (sys && !strncmp(sys, BB_VAR, strlen(BB_VAR)) &&
        (ends_with(sys, "_npi_num") || ends_with(sys, "_npi")))
        return 1;
    return has_code(fj_object_get(id, "type"), codes);
}

/* A TIN by its system (tax_num, us-ein, the SSN/EIN OID; BFD v1 writes a tax number
 * careTeam member with the v2-0203 system) or its type (v2-0203 "TAX"). */
static int is_tin_ident(const fj_t *id)
{
    static const char *const codes[] = {"TAX", "tax", NULL};
    return in_list(str_of(id, "system"), tin_systems) ||
           has_code(fj_object_get(id, "type"), codes);
}

/*
 * An optional identifier value read out of the JSON: given or not, its checked value
 * ("" when absent or malformed) and, when malformed, why; the warning is given only when
 * the value is used (soft_use), so that identifiers cara does not store are not reported.
 */
typedef struct soft {
    int given;
    char v[13];
    char path[128];
    char msg[300];
} soft;

static void soft_set(soft *s, int kind, const char *value, const char *path)
{
    s->given = 1;
    snprintf(s->path, sizeof s->path, "%s", path);
    if (!value) {
        snprintf(s->msg, sizeof s->msg, "an identifier without a value");
        return;
    }
    if (feed_check(kind, value, strlen(value), s->v, sizeof s->v, s->msg, sizeof s->msg) < 0)
        s->v[0] = '\0';
    else
        s->msg[0] = '\0';
}

/* The first identifier of ids (an object or an array; base names it) that is an NPI
 * (kind F_NPI) or a TIN (F_TIN), into *s. */
static void soft_ident(const fj_t *ids, int kind, const char *base, soft *s)
{
    int (*is)(const fj_t *) = kind == F_NPI ? is_npi_ident : is_tin_ident;
    char path[160];
    if (fj_is_object(ids)) {
        if (!is(ids)) return;
        path_printf(path, sizeof path, "%s.value", base);
        soft_set(s, kind, str_of(ids, "value"), path);
        return;
    }
    fj_t *id;
    size_t i;
    fj_array_foreach(ids, i, id) {
        if (!is(id)) continue;
        path_printf(path, sizeof path, "%s[%zu].value", base, i);
        soft_set(s, kind, str_of(id, "value"), path);
        return;
    }
}

/* The value of s into out ("" when not given or malformed, a warning then). 0 or -ENOMEM. */
static int soft_use(pctx *c, const soft *s, char *out, size_t outlen)
{
    size_t n = strlen(s->v);
    if (n >= outlen) n = outlen - 1; /* cannot happen: the check bounds the length */
    memcpy(out, s->v, n);
    out[n] = '\0';
    if (s->given && s->msg[0]) return warn(c, s->path, "%s", s->msg);
    return 0;
}

/* The NPI (kind F_NPI) or TIN of the Reference at res[key] (its identifier, or that of
 * the contained resource it points at) into *s. */
static void ref_soft(const fj_t *res, const char *key, int kind, soft *s)
{
    char where[64], base[96];
    path_printf(where, sizeof where, "%s", key);
    const fj_t *ids = ref_identifiers(res, fj_object_get(res, key), where, sizeof where);
    path_printf(base, sizeof base, "%s.identifier", where);
    soft_ident(ids, kind, base, s);
}

/* A tax_num extension of obj (base names obj) into *s. */
static void ext_tin(const fj_t *obj, const char *base, soft *s)
{
    size_t j;
    char b[96], path[128];
    fj_t *e = ext_of(obj, "tax_num", &j);
    if (!e) return;
    path_printf(b, sizeof b, "%s%sextension[%zu]", base, base[0] ? "." : "", j);
    const char *v = ext_code(e, b, path, sizeof path);
    soft_set(s, F_TIN, v, v ? path : b);
}
/* ---- typed values ----------------------------------------------------------------------- */

/* A FHIR date or dateTime (its date part) at obj[key]; left alone when absent. */
static int get_date(pctx *c, const fj_t *obj, const char *key, const char *path, cara_date *d)
{
    fj_t *v = fj_object_get(obj, key);
    if (v && !fj_is_null(v) && !fj_is_string(v))
        return fail_type(c, path, v, "a date (expected a string YYYY-MM-DD)");
    const char *s = fj_string_value(v);
    if (!s) return 0;
    size_t n = strlen(s);
    if ((n != 10 && (n < 11 || s[10] != 'T')) || date_parse(s, 10, d) < 0)
        return fail_type(c, path, fj_object_get(obj, key),
                         "a date (expected YYYY-MM-DD or a dateTime YYYY-MM-DDThh:mm:ss...)");
    return 0;
}

/* A period's start and end (obj[key] an object with start, end). */
static int get_period(pctx *c, const fj_t *obj, const char *key, cara_date *start,
                      cara_date *end)
{
    fj_t *p = fj_object_get(obj, key);
    char path[128];
    if (!p) return 0;
    path_printf(path, sizeof path, "%s.start", key);
    if (get_date(c, p, "start", path, start) < 0) return -EINVAL;
    path_printf(path, sizeof path, "%s.end", key);
    return get_date(c, p, "end", path, end);
}

static int two_digits(const char *s, int *v)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return 0;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return 1;
}

/* A FHIR instant, YYYY-MM-DDThh:mm:ss[.fff...](Z|+hh:mm|-hh:mm), as milliseconds since
 * 1970-01-01T00:00:00Z. 0 or -1. */
static int instant_ms(const char *s, int64_t *ms)
{
    size_t n = strlen(s), i = 19;
    cara_date d;
    int h, mi, se, frac = 0, fd = 0, oh, om;
    if (n < 20 || s[10] != 'T' || date_parse(s, 10, &d) < 0) return -1;
    if (!two_digits(s + 11, &h) || s[13] != ':' || !two_digits(s + 14, &mi) || s[16] != ':' ||
        !two_digits(s + 17, &se) || h > 23 || mi > 59 || se > 60)
        return -1;
    if (s[i] == '.') {
        for (i++; s[i] >= '0' && s[i] <= '9'; i++, fd++)
            if (fd < 3) frac = frac * 10 + (s[i] - '0');
        if (fd == 0) return -1;
        for (int k = fd; k < 3; k++) frac *= 10;
    }
    int64_t off = 0;
    if (s[i] == 'Z') {
        i++;
    } else if ((s[i] == '+' || s[i] == '-') && n - i == 6 && two_digits(s + i + 1, &oh) &&
               s[i + 3] == ':' && two_digits(s + i + 4, &om) && oh < 24 && om < 60) {
        off = (s[i] == '-' ? -1 : 1) * (int64_t)(oh * 60 + om);
        i += 6;
    } else {
        return -1;
    }
    if (i != n) return -1;
    *ms = ((((int64_t)d * 24 + h) * 60 + mi) * 60 + se) * 1000 + frac - off * 60000;
    return 0;
}

/*
 * A JSON number as cents, with no floating-point arithmetic on the amount. An integer
 * is exact. A real was read by jansson into the nearest double, and printing that
 * double with %.15g gives back the decimal text it was read from whenever the text had
 * at most 15 significant digits (DBL_DIG is 15: every decimal of at most 15 significant
 * digits survives text -> double -> text). An acceptable amount (at most two decimals,
 * at most 1e8 dollars, MONEY_AMOUNT_MAX_CENTS) has at most 15 significant digits, so the printed text is the
 * source's, which money_parse reads exactly; a value with more decimals prints with more
 * decimals or in exponent form and is refused.
 */
/* The cents of a JSON number's literal t that has at most 15 significant digits and a
 * value of at most two decimals, under a trillion cents: 1 with *cents, worked out on
 * the literal's digits alone. For such a literal it is what the text "%.15g" makes of
 * its double gives (15 significant digits read back as the literal's decimal value), so
 * amount_cents takes the same values either way; 0 for any other literal (zero, more
 * digits, more decimals, an exponent out of range), which amount_cents reads the long
 * way, with that way's messages. */
static int literal_cents(const char *t, int64_t *cents)
{
    const char *p = t;
    int neg = *p == '-';
    if (neg) p++;
    char m[24];             /* the significant digits */
    int nm = 0, exp10 = 0;  /* value = m x 10^exp10 */
    for (int frac = 0; *p && *p != 'e' && *p != 'E'; p++) {
        if (*p == '.') {
            frac = 1;
            continue;
        }
        if (*p < '0' || *p > '9') return 0;
        if (frac) exp10--;
        if (nm == 0 && *p == '0') continue; /* a leading zero */
        if (nm == (int)sizeof m) return 0;
        m[nm++] = *p;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        int eneg = *p == '-';
        if (*p == '-' || *p == '+') p++;
        int e = 0;
        for (; *p >= '0' && *p <= '9'; p++)
            if ((e = e * 10 + (*p - '0')) > 400) return 0;
        if (*p) return 0;
        exp10 += eneg ? -e : e;
    }
    while (nm > 0 && m[nm - 1] == '0') { /* trailing zeros into the exponent */
        nm--;
        exp10++;
    }
    if (nm == 0 || nm > 15 || exp10 + 2 < 0 || nm + exp10 + 2 > 12) return 0;
    int64_t x = 0;
    for (int i = 0; i < nm; i++) x = x * 10 + (m[i] - '0');
    for (int i = 0; i < exp10 + 2; i++) x *= 10;
    *cents = neg ? -x : x;
    return 1;
}

static int amount_cents(pctx *c, const fj_t *v, const char *path, int64_t *cents)
{
    static const int64_t max_dollars = MONEY_AMOUNT_MAX_CENTS / 100;
    char text[40];
    if (fj_is_integer(v)) {
        long long d = fj_integer_value(v);
        if (d > max_dollars || d < -max_dollars)
            return fail_type(c, path, v, "an amount of at most 100000000.00 dollars, either sign "
                                         "(docs/input-formats.md, Amounts)");
        *cents = (int64_t)d * 100;
        return 0;
    }
    if (!fj_is_real(v)) return fail_type(c, path, v, "an amount (expected a JSON number)");
    int64_t quick;
    if (literal_cents(fj_real_text(v), &quick) && quick <= max_dollars * 100 &&
        quick >= -max_dollars * 100) {
        *cents = quick;
        return 0;
    }
    snprintf(text, sizeof text, "%.15g", fj_real_value(v));
    cara_cents x;
    if (money_parse(text, strlen(text), &x) < 0)
        return fail(c, path, "\"%s\" is not an amount in dollars with at most two decimals", text);
    if (x > max_dollars * 100 || x < -max_dollars * 100)
        return fail(c, path, "\"%s\" is %s", text, money_amount_limit_text());
    *cents = x;
    return 0;
}

/* A positive integer (a sequence number) at obj[key]; *v left alone when absent. */
static int get_seq(pctx *c, const fj_t *obj, const char *key, const char *path, int64_t *v)
{
    fj_t *x = fj_object_get(obj, key);
    if (!x) return 0;
    if (!fj_is_integer(x) || fj_integer_value(x) < 1 || fj_integer_value(x) > 999999)
        return fail_type(c, path, x, "a sequence number (expected an integer from 1 to 999999)");
    *v = fj_integer_value(x);
    return 0;
}

/* obj[key] must be an array (absent: an empty one). */
static int want_array(pctx *c, const fj_t *obj, const char *key, fj_t **a)
{
    *a = fj_object_get(obj, key);
    if (*a && !fj_is_array(*a)) return fail_type(c, key, *a, "an array");
    return 0;
}

/* A 1-digit code padded to 2 digits (CCW stores some 2-digit codes as numbers). */
static void pad2(const char *s, char *out)
{
    if (s[0] >= '0' && s[0] <= '9' && s[1] == '\0') snprintf(out, 3, "0%c", s[0]);
    else snprintf(out, 3, "%s", strlen(s) > 2 ? "??" : s);
}

/* ---- ExplanationOfBenefit: type, header ------------------------------------------------- */

static const struct eob_type {
    const char *prefix;   /* id prefix before the dash */
    const char *eob_type; /* BB eob-type code */
    int type;             /* enum feed_claim_type */
} eob_types[] = {
    {"carrier", "CARRIER", FEED_PROFESSIONAL},      {"dme", "DME", FEED_DME},
    {"inpatient", "INPATIENT", FEED_INSTITUTIONAL}, {"outpatient", "OUTPATIENT", FEED_INSTITUTIONAL},
    {"snf", "SNF", FEED_INSTITUTIONAL},             {"hha", "HHA", FEED_INSTITUTIONAL},
    {"hospice", "HOSPICE", FEED_INSTITUTIONAL},
};
#define N_EOB_TYPES (sizeof eob_types / sizeof eob_types[0])

static const struct eob_type *type_by_prefix(const char *id)
{
    const char *dash = strchr(id, '-');
    for (size_t i = 0; dash && i < N_EOB_TYPES; i++)
        if (strlen(eob_types[i].prefix) == (size_t)(dash - id) &&
            !strncmp(id, eob_types[i].prefix, (size_t)(dash - id)))
            return &eob_types[i];
    return NULL;
}

/* BFD's id prefix of Part D events, a claim type cara does not price. */
static int part_d_prefix(const char *id) { return !strncmp(id, "pde-", 4); }

__attribute__((format(printf, 2, 3))) static int skip(fhir_resource *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->skip_reason, sizeof r->skip_reason, fmt, ap);
    va_end(ap);
    r->skipped = 1;
    return 0;
}

/*
 * The claim type, claim_id and key. BFD's eob-type coding and the id prefix decide (and
 * must agree); the generic claim-type coding only when neither is there (BFD writes it
 * loosely: "institutional" on DME, "professional" on HHA and on v1 outpatient). A type
 * cara does not price (Part D, ...) marks the resource skipped.
 */
static int eob_type(pctx *c, const fj_t *eob, fhir_resource *r)
{
    const struct eob_type *byp = type_by_prefix(r->id), *byc = NULL;
    const fj_t *tcc = fj_object_get(eob, "type");
    const char *code;
    int t = -1;
    char path[160];
    if (code_in(c, tcc, eob_type_systems, "type", &code, path) < 0) return -EINVAL;
    if (code) {
        for (size_t i = 0; i < N_EOB_TYPES && !byc; i++)
            if (!strcmp(eob_types[i].eob_type, code)) byc = &eob_types[i];
        if ((byp && (!byc || byc->type != byp->type)) || (byc && part_d_prefix(r->id)))
            return fail(c, path, "\"%s\" is not the claim type of the id's prefix (\"%s\")", code,
                        r->id);
        if (!byc) return skip(r, "eob-type %.60s", code);
        t = byc->type;
    } else if (byp) {
        t = byp->type;
    } else if (part_d_prefix(r->id)) {
        return skip(r, "id prefix pde- (Part D)");
    } else {
        if (code_in(c, tcc, claim_type_systems, "type", &code, path) < 0) return -EINVAL;
        if (streq(code, "institutional")) t = FEED_INSTITUTIONAL;
        else if (streq(code, "professional")) t = FEED_PROFESSIONAL;
        else if (code) return skip(r, "claim-type %.60s", code);
        else
            return fail(c, "id / type",
                        "\"%s\" names no claim type (expected an id prefix carrier-, dme-, "
                        "inpatient-, outpatient-, snf-, hha- or hospice-, or an eob-type or "
                        "claim-type coding)", r->id);
    }
    feed_claim *cl = &r->claim;
    cl->type = t;
    cl->model = FEED_REPLACE;
    snprintf(cl->claim_id, sizeof cl->claim_id, "%s", byp ? r->id + strlen(byp->prefix) + 1 : r->id);
    if (!cl->claim_id[0]) return fail(c, "id", "\"%s\" has no claim id after the prefix", r->id);
    snprintf(cl->key, sizeof cl->key, "%s", r->id);
    snprintf(cl->control_number, sizeof cl->control_number, "%s", cl->claim_id);
    return 0;
}

/* The id of a Reference "Type/X" at obj[key] into out. */
static int ref_id(pctx *c, const fj_t *obj, const char *key, const char *type, char *out,
                  size_t outlen)
{
    char path[64];
    const char *s;
    size_t n = strlen(type);
    path_printf(path, sizeof path, "%s.reference", key);
    if (get_str(c, fj_object_get(obj, key), "reference", path, &s) < 0) return -EINVAL;
    if (!s) return fail(c, path, "required, but absent");
    if (strncmp(s, type, n) || s[n] != '/' || !s[n + 1] || strlen(s + n + 1) >= outlen)
        return fail(c, path, "\"%.80s\" is not a reference %s/id (an id of 1-64 characters)", s,
                    type);
    return check(c, F_ID, path, s + n + 1, out, outlen);
}

/* status (required) and the version, meta.lastUpdated (optional: BFD's test fixtures
 * carry "IGNORED_FIELD"; a malformed one is a warning and the version unknown, 0). */
static int eob_status(pctx *c, const fj_t *eob, fhir_resource *r)
{
    const char *s;
    if (get_str(c, eob, "status", "status", &s) < 0) return -EINVAL;
    if (streq(s, "active")) r->claim.adjustment = FEED_ORIGINAL;
    else if (streq(s, "cancelled")) r->claim.adjustment = FEED_CANCEL;
    else if (!s) return fail(c, "status", "required, but absent");
    else return fail(c, "status", "\"%.40s\" is not a claim status (expected active or cancelled)", s);
    r->cancelled = r->claim.adjustment == FEED_CANCEL;
    fj_t *lu = fj_object_get(fj_object_get(eob, "meta"), "lastUpdated");
    if (!lu || fj_is_null(lu)) return 0;
    const char *v = fj_string_value(lu);
    if (v && instant_ms(v, &r->claim.version) == 0) return 0;
    char q[64];
    show(lu, q, sizeof q);
    r->claim.version = 0;
    return warn(c, "meta.lastUpdated", "%s is not an instant (expected YYYY-MM-DDThh:mm:ss[.fff] "
                "and Z or +hh:mm)", q);
}

/* A date at the start of s (YYYY-MM-DD, then the end or 'T'), else CARA_DATE_NONE. */
static cara_date date_prefix(const char *s)
{
    cara_date d;
    if (!s || strlen(s) < 10 || (s[10] && s[10] != 'T') || date_parse(s, 10, &d) < 0)
        return CARA_DATE_NONE;
    return d;
}

/* When the claim was paid (processed): BFD's NCH weekly processing date (a supportingInfo,
 * DSTU3 information, whose category carries .../nch_wkly_proc_dt, in timingDate), else payment.date, else
 * the date of meta.lastUpdated (when BFD took the claim); CARA_DATE_NONE when none is a
 * date. Never an error: the paid date only matters to interim runs (cara run --as-of). */
static void eob_paid(const fj_t *eob, feed_claim *cl)
{
    static const char proc[] = "nch_wkly_proc_dt";
    static const char *const lists[] = {"supportingInfo", "information"}; /* R4, DSTU3 */
    fj_t *si, *cd;
    size_t i, j;
    cl->paid = CARA_DATE_NONE;
    for (size_t li = 0; li < 2; li++)
        fj_array_foreach(fj_object_get(eob, lists[li]), i, si) {
            fj_array_foreach(fj_object_get(fj_object_get(si, "category"), "coding"), j, cd) {
                const char *code = str_of(cd, "code");
                size_t n = code ? strlen(code) : 0;
                if (n >= sizeof proc - 1 && !strcmp(code + n - (sizeof proc - 1), proc)) {
                    cl->paid = date_prefix(str_of(si, "timingDate"));
                    if (cl->paid != CARA_DATE_NONE) return;
                }
            }
        }
    cl->paid = date_prefix(str_of(fj_object_get(eob, "payment"), "date"));
    if (cl->paid == CARA_DATE_NONE)
        cl->paid = date_prefix(str_of(fj_object_get(eob, "meta"), "lastUpdated"));
}

static int eob_dates(pctx *c, const fj_t *eob, feed_claim *cl)
{
    if (get_period(c, eob, "billablePeriod", &cl->start, &cl->end) < 0) return -EINVAL;
    if (cl->start == CARA_DATE_NONE) return fail(c, "billablePeriod.start", "required, but absent");
    if (cl->end == CARA_DATE_NONE) return fail(c, "billablePeriod.end", "required, but absent");
    if (cl->type != FEED_INSTITUTIONAL) return 0;
    if (get_period(c, eob, "hospitalization", &cl->admission, &cl->discharge) < 0) return -EINVAL;
    fj_t *si;
    size_t i, j;
    fj_array_foreach(fj_object_get(eob, "supportingInfo"), i, si) {
        fj_t *cd = coding_in(fj_object_get(si, "category"), si_systems, &j);
        if (!streq(str_of(cd, "code"), "admissionperiod")) continue;
        char path[64];
        path_printf(path, sizeof path, "supportingInfo[%zu].timingPeriod", i);
        fj_t *p = fj_object_get(si, "timingPeriod");
        char ps[80], pe[80];
        path_printf(ps, sizeof ps, "%s.start", path);
        path_printf(pe, sizeof pe, "%s.end", path);
        if (get_date(c, p, "start", ps, &cl->admission) < 0 ||
            get_date(c, p, "end", pe, &cl->discharge) < 0)
            return -EINVAL;
    }
    return 0;
}

/* Institutional header codes: bill type (facility type + service classification +
 * frequency), discharge status, facility NPI; all optional (a malformed one is a
 * warning). */
static int eob_facility(pctx *c, const fj_t *eob, feed_claim *cl)
{
    char p1[96], p2[96], p3[96], bt[8];
    int rc = 0;
    if (cl->type != FEED_INSTITUTIONAL) return 0;
    const char *fac = bb_var(eob, "clm_fac_type_cd", p1, sizeof p1);
    const char *cls = bb_var(eob, "clm_srvc_clsfctn_type_cd", p2, sizeof p2);
    const char *freq = bb_var(eob, "clm_freq_cd", p3, sizeof p3);
    if (fac && cls && freq) {
        snprintf(bt, sizeof bt, "%.2s%.2s%.2s", fac, cls, freq);
        rc = soft_check(c, F_BILL_TYPE, p1, bt, cl->bill_type, sizeof cl->bill_type);
    } else if (fac && strlen(fac) >= 3) { /* the whole type of bill in one code */
        rc = soft_check(c, F_BILL_TYPE, p1, fac, cl->bill_type, sizeof cl->bill_type);
    } else if (!fac) { /* R4: a supportingInfo of category typeofbill with the whole code */
        fj_t *si;
        size_t i, j;
        fj_array_foreach(fj_object_get(eob, "supportingInfo"), i, si) {
            fj_t *cd = coding_in(fj_object_get(si, "category"), si_systems, &j);
            if (!streq(str_of(cd, "code"), "typeofbill")) continue;
            fj_t *codings = fj_object_get(fj_object_get(si, "code"), "coding");
            const char *v = str_of(fj_array_get(codings, 0), "code");
            if (!v) continue;
            path_printf(p1, sizeof p1, "supportingInfo[%zu].code.coding[0].code", i);
            rc = soft_check(c, F_BILL_TYPE, p1, v, cl->bill_type, sizeof cl->bill_type);
            break;
        }
    }
    if (rc < 0) return rc;
    const char *disp = bb_var(eob, "ptnt_dschrg_stus_cd", p1, sizeof p1);
    if (disp) {
        pad2(disp, bt);
        if ((rc = soft_check(c, F_DISP, p1, bt, cl->disposition, sizeof cl->disposition)) < 0)
            return rc;
    }
    static const char *const refs[] = {"organization", "facility", "provider"};
    soft s = {0};
    for (size_t i = 0; i < 3 && !s.given; i++) ref_soft(eob, refs[i], F_NPI, &s);
    return soft_use(c, &s, cl->facility_npi, sizeof cl->facility_npi);
}

/* The claim-level payment of an institutional claim (CCW CLM_PMT_AMT): payment.amount
 * (BFD v1 and v2), else a total[] of category clm_pmt_amt or C4BB paidtoprovider. */
static int eob_payment(pctx *c, const fj_t *eob, feed_claim *cl)
{
    if (cl->type != FEED_INSTITUTIONAL) return 0;
    fj_t *v = fj_object_get(fj_object_get(fj_object_get(eob, "payment"), "amount"), "value");
    if (v) {
        cl->has_claim_paid = 1;
        return amount_cents(c, v, "payment.amount.value", &cl->claim_paid_cents);
    }
    fj_t *t, *cd;
    size_t i, j;
    fj_array_foreach(fj_object_get(eob, "total"), i, t) {
        int paid = 0;
        fj_array_foreach(fj_object_get(fj_object_get(t, "category"), "coding"), j, cd) {
            const char *code = str_of(cd, "code");
            paid |= streq(code, BB_VAR "clm_pmt_amt") ||
                    (streq(str_of(cd, "system"), C4BB_CS "C4BBAdjudication") &&
                     streq(code, "paidtoprovider"));
        }
        if (!paid || !(v = fj_object_get(fj_object_get(t, "amount"), "value"))) continue;
        char path[64];
        path_printf(path, sizeof path, "total[%zu].amount.value", i);
        cl->has_claim_paid = 1;
        return amount_cents(c, v, path, &cl->claim_paid_cents);
    }
    return 0;
}

/* Medicare did not pay the claim: carrier and DME carr_clm_pmt_dnl_cd other than 1-9, A,
 * B (0 is "denied"; the CCLF5/6 CLM_CARR_PMT_DNL_CD rule), institutional a
 * clm_mdcr_non_pmt_rsn_cd (CCLF1 CLM_MDCR_NPMT_RSN_CD). */
static void eob_denial(const fj_t *eob, feed_claim *cl)
{
    char path[96];
    if (cl->type == FEED_INSTITUTIONAL) {
        const char *s = bb_var(eob, "clm_mdcr_non_pmt_rsn_cd", path, sizeof path);
        while (s && *s == ' ') s++;
        if (s && *s) {
            cl->denied = 1;
            snprintf(cl->denial_reason, sizeof cl->denial_reason, "clm_mdcr_non_pmt_rsn_cd %.20s", s);
        }
        return;
    }
    const char *s = bb_var(eob, "carr_clm_pmt_dnl_cd", path, sizeof path);
    if (!s || !*s) return;
    const char *d = s[0] == '0' && s[1] ? s + 1 : s; /* "00" is "0" */
    int paid = ((d[0] >= '1' && d[0] <= '9') || d[0] == 'A' || d[0] == 'B') && !d[1];
    if (!paid) {
        cl->denied = 1;
        snprintf(cl->denial_reason, sizeof cl->denial_reason, "carr_clm_pmt_dnl_cd %.20s", s);
    }
}

/* ---- diagnoses and procedures ----------------------------------------------------------- */

typedef struct dx_entry {
    int64_t seq;
    int principal;
    size_t index;
    char code[8];
} dx_entry;

static int cmp_dx(const void *a, const void *b)
{
    const dx_entry *x = a, *y = b;
    if (x->principal != y->principal) return y->principal - x->principal;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int is_principal(const fj_t *d)
{
    fj_t *t, *cd;
    size_t i, j;
    fj_array_foreach(fj_object_get(d, "type"), i, t)
        fj_array_foreach(fj_object_get(t, "coding"), j, cd)
            if (streq(str_of(cd, "code"), "principal")) return 1;
    return 0;
}

/* A code without its dots into out (80 bytes); a longer code is copied as is, for the
 * check to refuse. */
static void undot(const char *s, char *out)
{
    size_t o = 0;
    if (strlen(s) >= 80) {
        memcpy(out, s, 79);
        out[79] = '\0';
        return;
    }
    for (; *s; s++)
        if (*s != '.') out[o++] = *s;
    out[o] = '\0';
}

/* ICD-10 diagnoses, principal first. A malformed principal is an error, any other a
 * warning (dropped). */
static int eob_diagnoses(pctx *c, const fj_t *eob, feed_claim *cl)
{
    fj_t *arr, *d;
    size_t i, n = 0;
    int rc = 0;
    if (want_array(c, eob, "diagnosis", &arr) < 0) return -EINVAL;
    dx_entry *v = calloc(fj_array_size(arr) + 1, sizeof *v);
    if (!v) return -ENOMEM;
    fj_array_foreach(arr, i, d) {
        char base[96], path[160], cpath[160], code[80];
        const char *s;
        path_printf(base, sizeof base, "diagnosis[%zu].diagnosisCodeableConcept", i);
        if ((rc = code_in(c, fj_object_get(d, "diagnosisCodeableConcept"), icd10_systems, base,
                          &s, cpath)) < 0)
            break;
        if (!s) continue; /* ICD-9 and other systems */
        path_printf(path, sizeof path, "diagnosis[%zu].sequence", i);
        v[n].seq = (int64_t)i + 1;
        if ((rc = get_seq(c, d, "sequence", path, &v[n].seq)) < 0) break;
        undot(s, code);
        v[n].principal = is_principal(d);
        if (v[n].principal) rc = check(c, F_ICD10, cpath, code, v[n].code, sizeof v[n].code);
        else rc = soft_check(c, F_ICD10, cpath, code, v[n].code, sizeof v[n].code);
        if (rc < 0) break;
        if (!v[n].code[0]) continue;
        v[n].index = i;
        n++;
    }
    if (rc == 0) {
        qsort(v, n, sizeof *v, cmp_dx);
        for (i = 0; i < n && cl->n_dx < FEED_DX_MAX; i++)
            memcpy(cl->dx[cl->n_dx++], v[i].code, sizeof v[i].code);
    }
    free(v);
    return rc;
}

static int pcs_code(const char *s)
{
    if (strlen(s) != 7) return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z'))) return 0;
    return 1;
}

/* ICD-10-PCS procedures (optional: a malformed one is a warning, dropped). */
static int eob_procedures(pctx *c, const fj_t *eob, feed_claim *cl)
{
    fj_t *arr, *p;
    size_t i;
    int rc;
    if (want_array(c, eob, "procedure", &arr) < 0) return -EINVAL;
    fj_array_foreach(arr, i, p) {
        char base[96], path[160], code[80];
        const char *s;
        path_printf(base, sizeof base, "procedure[%zu].procedureCodeableConcept", i);
        if ((rc = soft_code_in(c, fj_object_get(p, "procedureCodeableConcept"), pcs_systems,
                               base, &s, path)) < 0)
            return rc;
        if (!s || cl->n_px >= FEED_PX_MAX) continue;
        undot(s, code);
        if (!pcs_code(code)) {
            if ((rc = warn(c, path, "\"%.40s\" is not an ICD-10-PCS code (expected 7 uppercase "
                           "letters or digits)", s)) < 0)
                return rc;
            continue;
        }
        memcpy(cl->px[cl->n_px++], code, 8);
    }
    return 0;
}

/* ---- care team -------------------------------------------------------------------------- */

/* careTeam roles by what they say about an item's rendering provider. */
enum { ROLE_OTHER = 1, ROLE_ATTENDING, ROLE_PRIMARY, ROLE_RENDERING };

typedef struct member {
    int64_t seq;
    int role;             /* the best ROLE_* of its role codings */
    int billing;          /* a role billing */
    soft npi, tin;        /* provider.identifier; tin also a tax_num extension */
    soft org;             /* BFD v1 carrier: the us-npi extension (the line's ORG_NPI_NUM) */
} member;

static void member_role(const fj_t *m, member *out)
{
    fj_t *cd;
    size_t j;
    out->role = ROLE_OTHER;
    fj_array_foreach(fj_object_get(fj_object_get(m, "role"), "coding"), j, cd) {
        const char *s = str_of(cd, "code");
        int r = streq(s, "performing") || streq(s, "rendering") ? ROLE_RENDERING
                : streq(s, "primary")                           ? ROLE_PRIMARY
                : streq(s, "attending")                         ? ROLE_ATTENDING
                                                                : ROLE_OTHER;
        if (r > out->role) out->role = r;
        out->billing |= streq(s, "billing");
    }
}

static int care_member(pctx *c, const fj_t *eob, const fj_t *m, size_t i, member *out)
{
    char base[96], path[128], where[64];
    path_printf(where, sizeof where, "careTeam[%zu].provider", i);
    const fj_t *ids =
        ref_identifiers(eob, fj_object_get(m, "provider"), where, sizeof where);
    out->seq = (int64_t)i + 1;
    path_printf(path, sizeof path, "careTeam[%zu].sequence", i);
    if (get_seq(c, m, "sequence", path, &out->seq) < 0) return -EINVAL;
    path_printf(base, sizeof base, "%s.identifier", where);
    soft_ident(ids, F_NPI, base, &out->npi);
    soft_ident(ids, F_TIN, base, &out->tin);
    path_printf(base, sizeof base, "careTeam[%zu]", i);
    if (!out->tin.given) ext_tin(m, base, &out->tin);
    fj_t *e;
    size_t j;
    fj_array_foreach(fj_object_get(m, "extension"), j, e) {
        if (!streq(str_of(e, "url"), SYS_NPI)) continue;
        path_printf(base, sizeof base, "careTeam[%zu].extension[%zu]", i, j);
        const char *v = ext_code(e, base, path, sizeof path);
        soft_set(&out->org, F_NPI, v, v ? path : base);
        break;
    }
    member_role(m, out);
    return 0;
}

/* What the lines share: the care team and the claim's own provider identifiers. */
typedef struct team_ctx {
    member *team;
    size_t n;
    const member *attending;  /* the first member of role attending with an NPI */
    soft billing;             /* provider / organization / billing member NPI */
    soft tin;                 /* provider / organization TIN, the resource's tax_num */
    soft billing_tin;         /* tin, else the provider reference's tax_num extension */
} team_ctx;

static int care_team(pctx *c, const fj_t *eob, team_ctx *t)
{
    fj_t *arr, *m;
    size_t i;
    if (want_array(c, eob, "careTeam", &arr) < 0) return -EINVAL;
    t->team = calloc(fj_array_size(arr) + 1, sizeof *t->team);
    if (!t->team) return -ENOMEM;
    fj_array_foreach(arr, i, m) {
        if (care_member(c, eob, m, i, &t->team[i]) < 0) return -EINVAL;
        t->n = i + 1;
    }
    for (i = 0; i < t->n && !t->attending; i++)
        if (t->team[i].role == ROLE_ATTENDING && t->team[i].npi.given) t->attending = &t->team[i];
    /* the billing provider: EOB.provider, else EOB.organization, else a billing member */
    ref_soft(eob, "provider", F_NPI, &t->billing);
    if (!t->billing.given) ref_soft(eob, "organization", F_NPI, &t->billing);
    for (i = 0; i < t->n && !t->billing.given; i++)
        if (t->team[i].billing && t->team[i].npi.given) t->billing = t->team[i].npi;
    static const char *const refs[] = {"provider", "organization"};
    for (i = 0; i < 2 && !t->tin.given; i++) ref_soft(eob, refs[i], F_TIN, &t->tin);
    if (!t->tin.given) ext_tin(eob, "", &t->tin);
    t->billing_tin = t->tin;
    if (!t->billing_tin.given) ext_tin(fj_object_get(eob, "provider"), "provider", &t->billing_tin);
    return 0;
}

/* The members an item links (careTeamLinkId DSTU3, careTeamSequence R4): *best the one
 * with an NPI and the best role (the first of equals), *tin_only one with a TIN and no
 * NPI (BFD v1's tax number member), *org a primary member besides a performing *best
 * (BFD v2 carrier's ORG_NPI_NUM). */
static int item_members(pctx *c, const fj_t *item, size_t i, const team_ctx *t,
                        const member **best, const member **tin_only, const member **org)
{
    const char *key = fj_object_get(item, "careTeamSequence") ? "careTeamSequence" : "careTeamLinkId";
    fj_t *links = fj_object_get(item, key), *l;
    size_t k;
    *best = *tin_only = *org = NULL;
    fj_array_foreach(links, k, l) {
        char path[96];
        path_printf(path, sizeof path, "item[%zu].%s[%zu]", i, key, k);
        size_t m = 0;
        if (!fj_is_integer(l)) return fail_type(c, path, l, "a careTeam sequence number");
        int64_t seq = fj_integer_value(l);
        while (m < t->n && t->team[m].seq != seq) m++;
        if (m == t->n) return fail(c, path, "%lld names no careTeam member", (long long)seq);
        const member *x = &t->team[m];
        if (x->npi.given && (!*best || x->role > (*best)->role)) *best = x;
        else if (!x->npi.given && x->tin.given && !*tin_only) *tin_only = x;
    }
    if (!*best || (*best)->role != ROLE_RENDERING) return 0;
    fj_array_foreach(links, k, l) {
        int64_t seq = fj_integer_value(l);
        for (size_t m = 0; m < t->n && !*org; m++)
            if (t->team[m].seq == seq && &t->team[m] != *best && t->team[m].role == ROLE_PRIMARY &&
                t->team[m].npi.given)
                *org = &t->team[m];
    }
    return 0;
}

/* ---- lines ------------------------------------------------------------------------------ */

/* Adjudication categories, by priority (a higher one wins on the same line). */
enum { AMT_NONE, AMT_PAID_C4BB, AMT_PAID_BB, AMT_ALLOWED_C4BB, AMT_ALLOWED_BB };

static int adjudication_kind(const fj_t *adj, int institutional)
{
    fj_t *cd;
    size_t j;
    int kind = AMT_NONE;
    fj_array_foreach(fj_object_get(fj_object_get(adj, "category"), "coding"), j, cd) {
        const char *code = str_of(cd, "code"), *sys = str_of(cd, "system");
        if (!code) continue;
        if (streq(code, BB_VAR "line_nch_pmt_amt") ||
            (institutional && streq(code, BB_VAR "rev_cntr_pmt_amt_amt")))
            return AMT_PAID_BB;
        if (streq(code, BB_VAR "line_alowd_chrg_amt")) return AMT_ALLOWED_BB;
        if (streq(sys, C4BB_CS "C4BBAdjudication")) {
            if (streq(code, "paidtoprovider")) kind = AMT_PAID_C4BB;
            else if (streq(code, "eligible")) kind = AMT_ALLOWED_C4BB;
        }
    }
    return kind;
}

/* Paid and allowed amounts, and whether the line was denied: its line_prcsg_ind_cd
 * (an item extension in R4, an adjudication reason in DSTU3) other than A (allowed), R
 * (reprocessed) or S (secondary payer), as CCLF5/6 CLM_PRCSG_IND_CD. */
static int line_amounts(pctx *c, const fj_t *item, size_t i, int institutional, feed_line *ln)
{
    fj_t *adj;
    size_t k, j;
    int paid_rank = AMT_NONE, allowed_rank = AMT_NONE;
    char path[96];
    const char *ind = NULL;
    fj_t *e = ext_of(item, "line_prcsg_ind_cd", &j);
    if (e) ind = ext_code(e, "", path, sizeof path);
    fj_array_foreach(fj_object_get(item, "adjudication"), k, adj) {
        fj_t *cd0 = fj_array_get(fj_object_get(fj_object_get(adj, "category"), "coding"), 0);
        if (!ind && streq(str_of(cd0, "code"), BB_VAR "line_prcsg_ind_cd"))
            ind = str_of(fj_array_get(fj_object_get(fj_object_get(adj, "reason"), "coding"), 0),
                         "code");
        int kind = adjudication_kind(adj, institutional);
        fj_t *v = fj_object_get(fj_object_get(adj, "amount"), "value");
        if (kind == AMT_NONE || !v) continue;
        int64_t cents = 0;
        path_printf(path, sizeof path, "item[%zu].adjudication[%zu].amount.value", i, k);
        if (amount_cents(c, v, path, &cents) < 0) return -EINVAL;
        if ((kind == AMT_PAID_BB || kind == AMT_PAID_C4BB) && kind > paid_rank) {
            ln->paid_cents = cents;
            paid_rank = kind;
        } else if ((kind == AMT_ALLOWED_BB || kind == AMT_ALLOWED_C4BB) && kind > allowed_rank) {
            ln->allowed_cents = cents;
            allowed_rank = kind;
        }
    }
    ln->denied = ind && *ind && !streq(ind, "A") && !streq(ind, "R") && !streq(ind, "S");
    return 0;
}

/* The HCPCS modifier codings of an item: HCPCS or CPT, or without a system (R4 BFD also
 * puts units of measure there, which are skipped). */
static int line_modifiers(pctx *c, const fj_t *item, size_t i, feed_line *ln)
{
    fj_t *mod, *cd;
    size_t k, j, m = 0;
    int rc;
    fj_array_foreach(fj_object_get(item, "modifier"), k, mod) {
        const char *s = NULL;
        char path[128];
        fj_array_foreach(fj_object_get(mod, "coding"), j, cd) {
            const char *sys = str_of(cd, "system");
            if ((!sys || in_list(sys, hcpcs_systems)) && (s = str_of(cd, "code"))) break;
        }
        if (!s || !strcmp(s, "99999") || m >= FEED_MOD_MAX) continue; /* sandbox placeholder */
        path_printf(path, sizeof path, "item[%zu].modifier[%zu].coding[%zu].code", i, k, j);
        if ((rc = soft_check(c, F_MODIFIER, path, s, ln->mods[m], sizeof ln->mods[m])) < 0)
            return rc;
        if (ln->mods[m][0]) m++;
    }
    return 0;
}

/* HCPCS, modifiers, place of service, revenue center: optional (a malformed one is a
 * warning and stored as absent). */
static int line_codes(pctx *c, const fj_t *item, size_t i, feed_line *ln)
{
    char base[96], path[160], two[3];
    const char *s;
    int rc;
    const char *svc = fj_object_get(item, "productOrService") ? "productOrService" : "service";
    path_printf(base, sizeof base, "item[%zu].%s", i, svc);
    if ((rc = soft_code_in(c, fj_object_get(item, svc), hcpcs_systems, base, &s, path)) < 0 ||
        (s && (rc = soft_check(c, F_HCPCS, path, s, ln->hcpcs, sizeof ln->hcpcs)) < 0))
        return rc;
    path_printf(base, sizeof base, "item[%zu].locationCodeableConcept", i);
    if ((rc = soft_code_in(c, fj_object_get(item, "locationCodeableConcept"), pos_systems, base,
                           &s, path)) < 0)
        return rc;
    if (s) {
        pad2(s, two);
        if ((rc = soft_check(c, F_POS, path, two, ln->pos, sizeof ln->pos)) < 0) return rc;
    }
    path_printf(base, sizeof base, "item[%zu].revenue", i);
    if ((rc = soft_code_in(c, fj_object_get(item, "revenue"), rev_systems, base, &s, path)) < 0 ||
        (s && (rc = soft_check(c, F_REVENUE, path, s, ln->revenue, sizeof ln->revenue)) < 0))
        return rc;
    return line_modifiers(c, item, i, ln);
}

static int line_dates(pctx *c, const fj_t *item, size_t i, feed_line *ln)
{
    char path[96];
    path_printf(path, sizeof path, "item[%zu].servicedDate", i);
    if (get_date(c, item, "servicedDate", path, &ln->start) < 0) return -EINVAL;
    ln->end = ln->start;
    fj_t *p = fj_object_get(item, "servicedPeriod");
    path_printf(path, sizeof path, "item[%zu].servicedPeriod.start", i);
    if (get_date(c, p, "start", path, &ln->start) < 0) return -EINVAL;
    path_printf(path, sizeof path, "item[%zu].servicedPeriod.end", i);
    return get_date(c, p, "end", path, &ln->end);
}

/*
 * A line's providers. rendering: the linked member with the best role (item_members),
 * for an institutional line without one the claim's attending. TINs: the rendering
 * member's, else the line's tax number (BFD v1 a linked tax number member, v2 an item
 * tax_num extension), else the claim's. billing: the claim's provider (team_ctx), else the
 * line's organization NPI (v1 the rendering member's us-npi extension, v2 a linked primary
 * member), else for DME the supplier (the rendering member: CCLF6 PAYTO_PRVDR_NPI_NUM).
 * The first source that gives an identifier decides; a malformed one is a warning and
 * stored as absent.
 */
static int line_providers(pctx *c, const fj_t *item, size_t i, int type, const team_ctx *t,
                          feed_line *ln)
{
    const member *best, *tin_only, *org;
    int rc;
    if (item_members(c, item, i, t, &best, &tin_only, &org) < 0) return -EINVAL;
    const member *rend = best ? best : type == FEED_INSTITUTIONAL ? t->attending : NULL;
    if (rend && (rc = soft_use(c, &rend->npi, ln->rendering_npi, sizeof ln->rendering_npi)) < 0)
        return rc;
    soft line_tin = {0};
    char base[48];
    path_printf(base, sizeof base, "item[%zu]", i);
    if (tin_only) line_tin = tin_only->tin;
    else ext_tin(item, base, &line_tin);
    const soft *rt = rend && rend->tin.given ? &rend->tin : line_tin.given ? &line_tin : &t->tin;
    const soft *bt = t->billing_tin.given ? &t->billing_tin : line_tin.given ? &line_tin : rt;
    if ((rc = soft_use(c, rt, ln->rendering_tin, sizeof ln->rendering_tin)) < 0 ||
        (rc = soft_use(c, bt, ln->billing_tin, sizeof ln->billing_tin)) < 0)
        return rc;
    const soft *bn = t->billing.given                   ? &t->billing
                     : best && best->org.given          ? &best->org
                     : org                              ? &org->npi
                     : type == FEED_DME && best         ? &best->npi
                                                        : NULL;
    return bn ? soft_use(c, bn, ln->billing_npi, sizeof ln->billing_npi) : 0;
}

static int eob_line(pctx *c, const fj_t *item, size_t i, const feed_claim *cl,
                    const team_ctx *t, feed_line *ln)
{
    char path[96];
    int rc;
    if (!fj_is_object(item)) {
        path_printf(path, sizeof path, "item[%zu]", i);
        return fail_type(c, path, item, "an item (expected an object)");
    }
    ln->start = ln->end = CARA_DATE_NONE;
    path_printf(path, sizeof path, "item[%zu].sequence", i);
    if (get_seq(c, item, "sequence", path, &ln->number) < 0) return -EINVAL;
    if (!ln->number) return fail(c, path, "required, but absent");
    if ((rc = line_codes(c, item, i, ln)) < 0) return rc;
    if (line_dates(c, item, i, ln) < 0 ||
        line_amounts(c, item, i, cl->type == FEED_INSTITUTIONAL, ln) < 0)
        return -EINVAL;
    return line_providers(c, item, i, cl->type, t, ln);
}

static int eob_lines(pctx *c, const fj_t *eob, feed_claim *cl)
{
    fj_t *arr, *item;
    team_ctx t;
    size_t i;
    memset(&t, 0, sizeof t);
    int rc = want_array(c, eob, "item", &arr);
    if (rc == 0) rc = care_team(c, eob, &t);
    if (rc == 0 && !(cl->lines = calloc(fj_array_size(arr) + 1, sizeof *cl->lines))) rc = -ENOMEM;
    fj_array_foreach(arr, i, item) {
        if (rc < 0) break;
        rc = eob_line(c, item, i, cl, &t, &cl->lines[i]);
        cl->n_lines = i + 1;
    }
    free(t.team);
    return rc;
}

static int parse_eob(pctx *c, const fj_t *eob, fhir_resource *r)
{
    feed_claim *cl = &r->claim;
    cl->start = cl->end = cl->admission = cl->discharge = CARA_DATE_NONE;
    int rc = eob_type(c, eob, r);
    if (rc < 0 || r->skipped) return rc; /* a type cara does not price: nothing more read */
    rc = ref_id(c, eob, "patient", "Patient", r->patient_id, sizeof r->patient_id);
    if (rc == 0) rc = eob_status(c, eob, r);
    if (rc == 0) eob_paid(eob, &r->claim);
    if (rc == 0) rc = eob_dates(c, eob, cl);
    if (rc == 0) rc = eob_facility(c, eob, cl);
    if (rc == 0) rc = eob_payment(c, eob, cl);
    if (rc == 0) eob_denial(eob, cl);
    if (rc == 0) rc = eob_diagnoses(c, eob, cl);
    if (rc == 0) rc = eob_procedures(c, eob, cl);
    if (rc == 0) rc = eob_lines(c, eob, cl);
    return rc;
}

/* ---- Patient ---------------------------------------------------------------------------- */

static int patient_address(const fj_t *p, feed_bene *b)
{
    fj_t *a = fj_array_get(fj_object_get(p, "address"), 0);
    const char *st = str_of(a, "state"), *zip = str_of(a, "postalCode");
    /* a USPS code only: the sandbox carries FIPS codes ("10"), which are not states */
    if (st && strlen(st) == 2 && ((st[0] | 32) >= 'a' && (st[0] | 32) <= 'z') &&
        ((st[1] | 32) >= 'a' && (st[1] | 32) <= 'z')) {
        b->state[0] = (char)(st[0] & ~32);
        b->state[1] = (char)(st[1] & ~32);
    }
    if (zip && strlen(zip) >= 5) {
        size_t k = 0;
        while (k < 5 && zip[k] >= '0' && zip[k] <= '9') k++;
        if (k == 5) memcpy(b->zip, zip, 5);
    }
    return 0;
}

/* BFD's identifier-currency marker of an identifier: on the identifier (DSTU3) or on a
 * coding of its type (R4). 1 current, -1 historic, 0 unmarked. */
static int currency_of_exts(const fj_t *obj)
{
    fj_t *e;
    size_t i;
    fj_array_foreach(fj_object_get(obj, "extension"), i, e) {
        if (!ends_with(str_of(e, "url"), "/identifier-currency")) continue;
        const char *code = str_of(fj_object_get(e, "valueCoding"), "code");
        if (streq(code, "current")) return 1;
        if (streq(code, "historic")) return -1;
    }
    return 0;
}

static int currency(const fj_t *id)
{
    int cur = currency_of_exts(id);
    fj_t *cd;
    size_t j;
    fj_array_foreach(fj_object_get(fj_object_get(id, "type"), "coding"), j, cd)
        if (!cur) cur = currency_of_exts(cd);
    return cur;
}

/* 1 when s is 1-12 digits: a test placeholder that can key a person (BFD's fixtures
 * carry "3456789"), never a mistyped MBI (an MBI has letters in positions 2, 5, 8, 9). */
static int placeholder_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 12) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

/*
 * The MBI: among the us-mbi identifiers the one BFD marks current, else the first
 * unmarked, else the first. The others that are valid MBIs are the historic ones. A
 * current value that is not an MBI but could key a person is kept with a warning.
 */
static int patient_mbi(pctx *c, const fj_t *p, fhir_resource *r)
{
    fj_t *ids = fj_object_get(p, "identifier"), *id;
    size_t i, pick = (size_t)-1;
    int best = -2;
    if (fj_is_object(ids)) { /* one identifier, not an array */
        size_t j;
        if (ident_in(ids, mbi_systems, &j)) pick = 0, best = 0;
    }
    fj_array_foreach(ids, i, id) {
        if (!in_list(str_of(id, "system"), mbi_systems)) continue;
        int cur = currency(id);
        if (cur > best) best = cur, pick = i;
    }
    if (pick == (size_t)-1) return 0;
    id = fj_is_object(ids) ? ids : fj_array_get(ids, pick);
    char path[64], msg[256];
    const char *v;
    if (fj_is_object(ids)) snprintf(path, sizeof path, "identifier.value");
    else snprintf(path, sizeof path, "identifier[%zu].value", pick);
    if (get_str(c, id, "value", path, &v) < 0) return -EINVAL;
    if (!v) return fail(c, path, "required in an MBI identifier");
    if (feed_check_mbi(v, strlen(v), r->mbi, sizeof r->mbi, msg, sizeof msg) < 0) {
        if (!placeholder_id(v)) return fail(c, path, "%s", msg);
        snprintf(r->mbi, sizeof r->mbi, "%s", v);
        int rc = warn_kept(c, path, "%s; kept as the person id as given (a test placeholder?)", msg);
        if (rc < 0) return rc;
    }
    memcpy(r->bene.person_id, r->mbi, sizeof r->bene.person_id);
    fj_array_foreach(ids, i, id) {
        const char *h = str_of(id, "value");
        char out[13];
        if (i == pick || !in_list(str_of(id, "system"), mbi_systems) || !h ||
            r->n_historic >= FHIR_HISTORIC_MAX ||
            feed_check_mbi(h, strlen(h), out, sizeof out, msg, sizeof msg) < 0 ||
            !strcmp(out, r->mbi))
            continue;
        memcpy(r->historic[r->n_historic++], out, sizeof out);
    }
    return 0;
}

static int parse_patient(pctx *c, const fj_t *p, fhir_resource *r)
{
    feed_bene *b = &r->bene;
    const char *g;
    snprintf(r->patient_id, sizeof r->patient_id, "%s", r->id);
    int rc = patient_mbi(c, p, r);
    if (rc < 0) return rc;
    if (get_str(c, p, "gender", "gender", &g) < 0) return -EINVAL;
    if (streq(g, "male") || streq(g, "female")) snprintf(b->gender, sizeof b->gender, "%s", g);
    else if (!g || streq(g, "other") || streq(g, "unknown")) snprintf(b->gender, sizeof b->gender, "unknown");
    else return fail(c, "gender", "\"%.40s\" is not a gender (expected male, female, other or unknown)", g);
    if (get_date(c, p, "birthDate", "birthDate", &b->birth) < 0 ||
        get_date(c, p, "deceasedDateTime", "deceasedDateTime", &b->death) < 0)
        return -EINVAL;
    return patient_address(p, b);
}

/* ---- Coverage --------------------------------------------------------------------------- */

/* 'A'..'D' from "Part A" .. "Part D", else 0. */
static char part_of(const char *s)
{
    if (!s || strncmp(s, "Part ", 5) || s[6]) return 0;
    return s[5] >= 'A' && s[5] <= 'D' ? s[5] : 0;
}

static char coverage_part(const fj_t *cov)
{
    fj_t *cd, *cl;
    size_t j;
    char p = part_of(str_of(fj_object_get(cov, "grouping"), "subPlan"));
    fj_array_foreach(fj_object_get(fj_object_get(cov, "type"), "coding"), j, cd)
        if (!p) p = part_of(str_of(cd, "code"));
    fj_array_foreach(fj_object_get(cov, "class"), j, cl) /* R4 */
        if (!p) p = part_of(str_of(cl, "value"));
    return p;
}

static int coverage_codes(pctx *c, const fj_t *cov, feed_bene *b)
{
    size_t j;
    char base[64], path[128];
    fj_t *e = ext_of(cov, "ms_cd", &j);
    if (e) {
        path_printf(base, sizeof base, "extension[%zu]", j);
        const char *s = ext_code(e, base, path, sizeof path);
        if (!s || !(streq(s, "10") || streq(s, "11") || streq(s, "20") || streq(s, "21") ||
                    streq(s, "31")))
            return fail(c, base, "\"%.20s\" is not a Medicare status (expected 10, 11, 20, 21 or 31)",
                        s ? s : "");
        snprintf(b->medicare_status, sizeof b->medicare_status, "%s", s);
    }
    for (int m = 12; m >= 1 && !b->dual[0]; m--) {
        char var[16];
        int v;
        snprintf(var, sizeof var, "dual_%02d", m);
        if (!(e = ext_of(cov, var, &j))) continue;
        path_printf(base, sizeof base, "extension[%zu]", j);
        const char *s = ext_code(e, base, path, sizeof path);
        if (s && strlen(s) == 2 && two_digits(s, &v)) memcpy(b->dual, s, 3);
    }
    return 0;
}

static int parse_coverage(pctx *c, const fj_t *cov, fhir_resource *r)
{
    feed_bene *b = &r->bene;
    const char *st;
    if (ref_id(c, cov, "beneficiary", "Patient", r->patient_id, sizeof r->patient_id) < 0 ||
        get_str(c, cov, "status", "status", &st) < 0 ||
        get_period(c, cov, "period", &b->enroll_start, &b->enroll_end) < 0 ||
        coverage_codes(c, cov, b) < 0)
        return -EINVAL;
    r->cancelled = streq(st, "cancelled");
    r->part = r->cancelled ? 0 : coverage_part(cov);
    return 0;
}

/* ---- one resource ----------------------------------------------------------------------- */

static int parse_json(const fj_t *root, fhir_resource *r, char *err, size_t errlen)
{
    pctx c = {"resource", "", err, errlen, r};
    const char *type, *id;
    memset(r, 0, sizeof *r);
    r->kind = FHIR_OTHER;
    r->bene.birth = r->bene.death = r->bene.enroll_start = r->bene.enroll_end = CARA_DATE_NONE;
    if (!fj_is_object(root)) return fail_type(&c, "(root)", root, "a resource (expected an object)");
    if (get_str(&c, root, "resourceType", "resourceType", &type) < 0) return -EINVAL;
    if (!type) return fail(&c, "resourceType", "required, but absent");
    c.rtype = type;
    snprintf(r->rtype, sizeof r->rtype, "%s", type);
    if (get_str(&c, root, "id", "id", &id) < 0) return -EINVAL;
    if (id) {
        snprintf(c.id, sizeof c.id, "%s", id);
        if (check(&c, F_ID, "id", id, r->id, sizeof r->id) < 0) return -EINVAL;
    }
    int (*parse)(pctx *, const fj_t *, fhir_resource *) = NULL;
    if (!strcmp(type, "ExplanationOfBenefit")) r->kind = FHIR_EOB, parse = parse_eob;
    else if (!strcmp(type, "Patient")) r->kind = FHIR_PATIENT, parse = parse_patient;
    else if (!strcmp(type, "Coverage")) r->kind = FHIR_COVERAGE, parse = parse_coverage;
    if (!parse) return 0;
    if (!id) return fail(&c, "id", "required, but absent");
    int rc = parse(&c, root, r);
    if (rc == -ENOMEM) snprintf(err, errlen, "out of memory");
    if (rc < 0) fhir_resource_clear(r);
    return rc;
}

/* Load a JSON document with the depth limit; NULL with a message (fhir_json.h: the
 * tree and the messages jansson's json_loadb would give). */
static fj_t *load(const char *buf, size_t len, char *err, size_t errlen)
{
    return fj_load(buf, len, FHIR_MAX_DEPTH, err, errlen);
}

int fhir_parse(const char *buf, size_t len, fhir_resource *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->kind = FHIR_OTHER;
    fj_t *root = load(buf, len, err, errlen);
    if (!root) return -EINVAL;
    int rc = parse_json(root, out, err, errlen);
    fj_free(root);
    return rc;
}

void fhir_resource_clear(fhir_resource *r)
{
    if (!r) return;
    free(r->claim.lines);
    free(r->warnings);
    memset(r, 0, sizeof *r);
    r->kind = FHIR_OTHER;
}

/* ---- iteration -------------------------------------------------------------------------- */

void fhir_resource_move(fhir_resource *dst, fhir_resource *src)
{
    *dst = *src;
    memset(src, 0, sizeof *src);
    src->kind = FHIR_OTHER;
}

/* Parse one resource and hand it (or its error) to fn, which may move it out; what it
 * leaves is freed. fn's return, or -ENOMEM. */
static int emit(const fj_t *res, size_t number, fhir_take_fn fn, void *ud)
{
    fhir_resource r;
    char msg[512];
    int rc = parse_json(res, &r, msg, sizeof msg);
    if (rc == -ENOMEM) return rc;
    if (rc < 0) return fn(ud, NULL, number, msg);
    rc = fn(ud, &r, number, NULL);
    fhir_resource_clear(&r);
    return rc;
}

/* The entries of a Bundle, numbered from 1. Records seen, or fn's negative return. */
static long each_entry(const fj_t *bundle, fhir_take_fn fn, void *ud)
{
    fj_t *entries = fj_object_get(bundle, "entry"), *e;
    size_t i;
    long seen = 0;
    fj_array_foreach(entries, i, e) {
        fj_t *res = fj_object_get(e, "resource");
        int rc;
        seen++;
        if (res) {
            rc = emit(res, i + 1, fn, ud);
        } else {
            char msg[160];
            snprintf(msg, sizeof msg, "Bundle %.64s: entry[%zu].resource: required, but absent",
                     str_of(bundle, "id") ? str_of(bundle, "id") : "(no id)", i);
            rc = fn(ud, NULL, i + 1, msg);
        }
        if (rc) return rc < 0 ? rc : seen;
    }
    return seen;
}

static int is_bundle(const fj_t *v) { return streq(str_of(v, "resourceType"), "Bundle"); }

static int blank(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return 0;
    return 1;
}

/* The mapping each_line gives back pages of as it reads (map NULL: none). */
typedef struct mapped {
    const char *map;
    size_t len, released;
} mapped;

/* NDJSON: one resource per line, numbered from number + 1. A file of one line that is a
 * Bundle is a Bundle (when lone_bundle). *lines (when given): the lines read, blank ones
 * too. */
static long each_line(const char *p, const char *end, size_t number, int lone_bundle,
                      size_t *lines, fhir_take_fn fn, void *ud, mapped *m)
{
    long seen = 0;
    size_t first = number;
    if (lines) *lines = 0;
    for (; p < end; number++) {
        if (lines) *lines = number - first + 1;
        if (m && (size_t)(p - m->map) >= m->released + (4u << 20)) /* every 4 MiB */
            util_release_mapped(m->map, m->len, p, &m->released);
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end, *line = p;
        p = nl ? nl + 1 : end;
        if (blank(line, e)) continue;
        char msg[512];
        int rc;
        seen++;
        if ((size_t)(e - line) > FHIR_MAX_LINE) {
            path_printf(msg, sizeof msg, "the line is longer than %zu MiB", FHIR_MAX_LINE >> 20);
            rc = fn(ud, NULL, number + 1, msg);
        } else {
            fj_t *v = load(line, (size_t)(e - line), msg, sizeof msg);
            if (!v) rc = fn(ud, NULL, number + 1, msg);
            else if (lone_bundle && is_bundle(v) && seen == 1 && blank(p, end)) {
                long n = each_entry(v, fn, ud);
                fj_free(v);
                return n;
            } else rc = emit(v, number + 1, fn, ud);
            fj_free(v);
        }
        if (rc) return rc < 0 ? rc : seen;
    }
    return seen;
}

/* The first non-blank line, trimmed, is a whole JSON object: NDJSON. */
static int looks_ndjson(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    if (p >= end) return 0;
    const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
    return e - p >= 2 && p[0] == '{' && e[-1] == '}';
}

static long each_doc(const char *buf, size_t len, fhir_take_fn fn, void *ud, mapped *m)
{
    const char *p = buf, *end = buf + len;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) p += 3; /* UTF-8 BOM */
    if (looks_ndjson(p, end)) return each_line(p, end, 0, 1, NULL, fn, ud, m);
    if (blank(p, end)) return 0;
    char msg[512];
    fj_t *doc = load(p, (size_t)(end - p), msg, sizeof msg);
    if (m) util_release_mapped(m->map, m->len, end, &m->released); /* the tree has it all */
    if (!doc) {
        int rc = fn(ud, NULL, 0, msg);
        return rc < 0 ? rc : -EINVAL;
    }
    long n;
    if (is_bundle(doc)) {
        n = each_entry(doc, fn, ud);
    } else {
        int rc = emit(doc, 1, fn, ud);
        n = rc < 0 ? rc : 1;
    }
    fj_free(doc);
    return n;
}

/* A fhir_fn called as a fhir_take_fn (it only reads the resource). */
typedef struct reading {
    fhir_fn fn;
    void *ud;
} reading;

static int read_only(void *ud, fhir_resource *r, size_t number, const char *msg)
{
    const reading *t = ud;
    return t->fn(t->ud, r, number, msg);
}

long fhir_each(const char *buf, size_t len, fhir_fn fn, void *ud)
{
    reading t = {fn, ud};
    return each_doc(buf, len, read_only, &t, NULL);
}

long fhir_each_mapped_take(const char *buf, size_t len, fhir_take_fn fn, void *ud)
{
    mapped m = {.map = buf, .len = len};
    long n = each_doc(buf, len, fn, ud, &m);
    util_release_mapped(buf, len, buf + len, &m.released);
    return n;
}

int fhir_ndjson_lines(const char *buf, size_t len, size_t *start)
{
    const char *p = buf, *end = buf + len;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) p += 3; /* UTF-8 BOM */
    *start = (size_t)(p - buf);
    if (!looks_ndjson(p, end)) return 0;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl && !blank(nl + 1, end); /* a second line: not a lone Bundle */
}

long fhir_each_ndjson_take(const char *buf, size_t from, size_t to, size_t number,
                           size_t *lines, fhir_take_fn fn, void *ud)
{
    return each_line(buf + from, buf + to, number, 0, lines, fn, ud, NULL);
}

long fhir_each_mapped(const char *buf, size_t len, fhir_fn fn, void *ud)
{
    reading t = {fn, ud};
    return fhir_each_mapped_take(buf, len, read_only, &t);
}
