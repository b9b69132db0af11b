/* export_fhir_common.c: the pieces the Da Vinci writers share (export_fhir_common.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "export.h"
#include "export_fhir_common.h"

void xf_b_init(xf_b *b, char *err, size_t errlen)
{
    b->bad = 0;
    b->rc = 0;
    b->err = err;
    b->errlen = errlen;
    if (err && errlen) err[0] = '\0';
}

json_t *xf_fail(xf_b *b, const char *fmt, ...)
{
    if (!b->bad && b->err && b->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->err, b->errlen, fmt, ap);
        va_end(ap);
    }
    if (!b->bad) b->rc = -EINVAL;
    b->bad = 1;
    return NULL;
}

json_t *xf_oom(xf_b *b)
{
    int first = !b->bad;
    xf_fail(b, "out of memory building the FHIR export");
    if (first) b->rc = -ENOMEM;
    return NULL;
}

/* ---- ids, references, numbers, dates ---- */

const char *xf_id(xf_b *b, char out[65], const char *prefix, const char *raw)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    out[0] = '\0';
    if (b->bad) return NULL;
    if (!raw || !*raw) {
        xf_fail(b, "an empty cara id where a FHIR id ('%s...') is made", prefix);
        return NULL;
    }
    for (const char *p = prefix; *p; p++) {
        if (n >= 64) goto long_id;
        out[n++] = *p;
    }
    for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
        unsigned char c = *p;
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                   || c == '-';
        if (keep) {
            if (n >= 64) goto long_id;
            out[n++] = (char)c;
        } else {
            if (n + 3 > 64) goto long_id;
            out[n++] = '.';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
    return out;
long_id:
    out[0] = '\0';
    xf_fail(b, "the FHIR id for '%s' would pass 64 characters", raw);
    return NULL;
}

const char *xf_refstr(char out[160], const char *type, const char *id)
{
    snprintf(out, 160, "%s/%s", type, id);
    return out;
}

json_t *xf_decimal(xf_b *b, int64_t v, int scale)
{
    static const double pow10[] = {1.0, 10.0, 100.0, 1000.0, 10000.0};
    if (b->bad) return NULL;
    if (scale < 0 || scale > 4)
        return xf_fail(b, "a FHIR decimal with %d decimals (0 to 4 are written)", scale);
    if (v > FHIR_DECIMAL_MAX || v < -FHIR_DECIMAL_MAX)
        return xf_fail(b, "the amount %lld (x 10^-%d) has more than 15 digits: a FHIR "
                         "decimal cannot be written exactly", (long long)v, scale);
    /* v and 10^scale are exact doubles and the division is correctly rounded: the double
     * nearest v / 10^scale, which %.15g writes back as that decimal (DBL_DIG is 15). */
    json_t *j = json_real((double)v / pow10[scale]);
    return j ? j : xf_oom(b);
}

json_t *xf_money(xf_b *b, int64_t cents)
{
    json_t *o = json_object();
    if (!o) return xf_oom(b);
    xf_set(b, o, "value", xf_decimal(b, cents, 2));
    xf_set(b, o, "currency", xf_str(b, "USD"));
    if (b->bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int xf_date_ok(xf_b *b, const char *what, const char *s)
{
    cara_date d;
    if (b->bad) return 0;
    if (!s || date_parse(s, strlen(s), &d) != 0) {
        xf_fail(b, "%s: '%s' is not a date (YYYY-MM-DD)", what, s ? s : "");
        return 0;
    }
    return 1;
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

int xf_instant_ok(xf_b *b, const char *what, const char *s)
{
    if (b->bad) return 0;
    size_t n = s ? strlen(s) : 0;
    int ok = n >= 20;
    if (ok) {
        char date[11];
        memcpy(date, s, 10);
        date[10] = '\0';
        cara_date d;
        ok = date_parse(date, 10, &d) == 0 && s[10] == 'T' && digits(s + 11, 2) && s[13] == ':'
             && digits(s + 14, 2) && s[16] == ':' && digits(s + 17, 2);
    }
    if (ok) {
        const char *p = s + 19;
        if (*p == '.') {
            p++;
            const char *q = p;
            while (*p >= '0' && *p <= '9') p++;
            ok = p > q;
        }
        if (ok && *p == 'Z')
            ok = p[1] == '\0';
        else if (ok && (*p == '+' || *p == '-'))
            ok = strlen(p) == 6 && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2);
        else
            ok = 0;
    }
    if (!ok) {
        xf_fail(b, "%s: '%s' is not a FHIR instant (YYYY-MM-DDThh:mm:ssZ)", what,
                  s ? s : "");
        return 0;
    }
    return 1;
}

/* ---- pieces ---- */

json_t *xf_str(xf_b *b, const char *s)
{
    if (b->bad) return NULL;
    json_t *j = json_string(s);
    if (!j) return xf_fail(b, "cannot put '%s' in the FHIR export (not UTF-8, or out of memory)", s);
    return j;
}

/* 1 when v can be put into o; else 0, v released and the failure recorded (once). */
static int can_put(xf_b *b, json_t *o, json_t *v)
{
    if (v && o && !b->bad) return 1;
    json_decref(v);
    if (!b->bad) xf_oom(b);
    return 0;
}

json_t *xf_set(xf_b *b, json_t *o, const char *key, json_t *v)
{
    if (!can_put(b, o, v)) return o;
    /* jansson releases v when the set fails */
    if (json_object_set_new(o, key, v) != 0) xf_oom(b);
    return o;
}

json_t *xf_set_s(xf_b *b, json_t *o, const char *key, const char *s)
{
    if (s && *s) xf_set(b, o, key, xf_str(b, s));
    return o;
}

json_t *xf_push(xf_b *b, json_t *o, const char *key, json_t *v)
{
    if (!can_put(b, o, v)) return o;
    json_t *a = json_object_get(o, key);
    if (!a) {
        a = json_array();
        if (!a || json_object_set_new(o, key, a) != 0) {
            json_decref(v);
            xf_oom(b);
            return o;
        }
    }
    if (json_array_append_new(a, v) != 0) xf_oom(b);
    return o;
}

/* A new object or NULL (error recorded): the start of every piece. */
static json_t *obj(xf_b *b)
{
    if (b->bad) return NULL;
    json_t *o = json_object();
    return o ? o : xf_oom(b);
}

/* o, or NULL (o released) when the builder went bad while filling it. */
static json_t *done(xf_b *b, json_t *o)
{
    if (b->bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *xf_coding(xf_b *b, const char *system, const char *code, const char *display)
{
    json_t *o = obj(b);
    xf_set_s(b, o, "system", system);
    xf_set_s(b, o, "code", code);
    xf_set_s(b, o, "display", display);
    return done(b, o);
}

json_t *xf_concept(xf_b *b, const char *system, const char *code, const char *display,
                     const char *text)
{
    json_t *o = obj(b);
    xf_push(b, o, "coding", xf_coding(b, system, code, display));
    xf_set_s(b, o, "text", text);
    return done(b, o);
}

json_t *xf_identifier(xf_b *b, const char *type_code, const char *type_display,
                        const char *system, const char *value)
{
    json_t *o = obj(b);
    xf_set_s(b, o, "use", "official");
    if (type_code)
        xf_set(b, o, "type", xf_concept(b, CS_V2_0203, type_code, type_display, NULL));
    xf_set_s(b, o, "system", system);
    xf_set_s(b, o, "value", value);
    return done(b, o);
}

json_t *xf_ref(xf_b *b, const char *type, const char *id, const char *display)
{
    char ref[160];
    json_t *o = obj(b);
    xf_set_s(b, o, "reference", xf_refstr(ref, type, id));
    xf_set_s(b, o, "display", display);
    return done(b, o);
}

json_t *xf_ext(xf_b *b, const char *url, const char *vkey, json_t *v)
{
    json_t *o = obj(b);
    if (!o) {
        json_decref(v);
        return NULL;
    }
    xf_set_s(b, o, "url", url);
    xf_set(b, o, vkey, v);
    return done(b, o);
}

json_t *xf_period(xf_b *b, const char *start, const char *end)
{
    json_t *o = obj(b);
    if (start && *start && xf_date_ok(b, "a period start", start))
        xf_set_s(b, o, "start", start);
    if (end && *end && xf_date_ok(b, "a period end", end)) xf_set_s(b, o, "end", end);
    return done(b, o);
}

json_t *xf_resource(xf_b *b, const char *type, const char *id, const char *profile,
                      const char *last_updated)
{
    json_t *o = obj(b);
    xf_set_s(b, o, "resourceType", type);
    xf_set_s(b, o, "id", id);
    if (profile || (last_updated && *last_updated)) {
        json_t *meta = obj(b);
        xf_set_s(b, meta, "lastUpdated", last_updated);
        if (profile) xf_push(b, meta, "profile", xf_str(b, profile));
        xf_set(b, o, "meta", meta);
    }
    return done(b, o);
}

json_t *xf_bundle(xf_b *b, const char *id, const char *generated_at)
{
    if (!xf_instant_ok(b, "the export's generated_at", generated_at)) return NULL;
    json_t *o = xf_resource(b, "Bundle", id, NULL, generated_at);
    xf_set_s(b, o, "type", "collection");
    xf_set_s(b, o, "timestamp", generated_at);
    xf_set(b, o, "entry", b->bad ? NULL : json_array());
    return done(b, o);
}

void xf_bundle_add(xf_b *b, json_t *bundle, json_t *resource)
{
    if (!resource || !bundle || b->bad) {
        json_decref(resource);
        if (!b->bad) xf_oom(b);
        return;
    }
    char url[256];
    snprintf(url, sizeof url, FHIR_BASE "/%s/%s",
             json_string_value(json_object_get(resource, "resourceType")),
             json_string_value(json_object_get(resource, "id")));
    json_t *e = obj(b);
    xf_set_s(b, e, "fullUrl", url);
    xf_set(b, e, "resource", resource);
    e = done(b, e);
    if (e && json_array_append_new(json_object_get(bundle, "entry"), e) != 0) xf_oom(b);
}

/* ---- key sets ---- */

void xf_keys_add(xf_b *b, xf_keys *k, const char *s)
{
    if (b->bad || !s || !*s) return;
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 16;
        void *v = realloc(k->v, cap * sizeof *k->v);
        if (!v) {
            xf_oom(b);
            return;
        }
        k->v = v;
        k->cap = cap;
    }
    snprintf(k->v[k->n++], EXP_SHORT, "%s", s);
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

void xf_keys_done(xf_keys *k)
{
    if (k->n == 0) return;
    qsort(k->v, k->n, sizeof *k->v, cmp_key);
    size_t w = 1;
    for (size_t i = 1; i < k->n; i++)
        if (strcmp(k->v[i], k->v[w - 1]) != 0) memcpy(k->v[w++], k->v[i], EXP_SHORT);
    k->n = w;
}

int xf_keys_has(const xf_keys *k, const char *s)
{
    return k->n && bsearch(s, k->v, k->n, sizeof *k->v, cmp_key) != NULL;
}

void xf_keys_free(xf_keys *k)
{
    free(k->v);
    k->v = NULL;
    k->n = k->cap = 0;
}

/* ---- the scope ---- */

static void part(char *out, size_t n, size_t *len, const char *tag, const char *v)
{
    if (!v || !*v || *len >= n) return;
    int w = snprintf(out + *len, n - *len, "%s%s-%s", *len ? "-" : "", tag, v);
    if (w > 0) *len += (size_t)w;
    if (*len >= n) *len = n - 1;
}

const char *xf_scope_key(const export_data *d, const char *aco, char *out, size_t n)
{
    size_t len = 0;
    char year[16] = "";
    out[0] = '\0';
    if (d->scope.period) snprintf(year, sizeof year, "%d", d->scope.period);
    part(out, n, &len, "aco", aco);
    part(out, n, &len, "ebra", d->scope.ebra_id);
    part(out, n, &len, "npi", d->scope.npi);
    part(out, n, &len, "tmpl", d->scope.template_id);
    part(out, n, &len, "py", year);
    if (!len) snprintf(out, n, "all");
    return out;
}

/* ---- lookups ---- */

const exp_person *xf_person(const export_data *d, const char *person_id)
{
    return export_person(d, person_id); /* d->people is sorted by person_id (export.h) */
}

const exp_aco *xf_aco(const export_data *d, const char *aco_id)
{
    for (size_t i = 0; i < d->n_acos; i++)
        if (strcmp(d->acos[i].aco_id, aco_id) == 0) return &d->acos[i];
    return NULL;
}

const exp_arrangement *xf_arr_of(const export_data *d, const char *npi, const char *tin)
{
    for (size_t i = 0; i < d->n_arrs; i++)
        if (strcmp(d->arrs[i].npi, npi) == 0 && (!tin || strcmp(d->arrs[i].tin, tin) == 0))
            return &d->arrs[i];
    return NULL;
}

/* ---- shared resources ---- */

const char *xf_aco_id(xf_b *b, char out[65], const char *aco_id)
{
    return xf_id(b, out, "aco-", aco_id);
}

const char *xf_tin_id(xf_b *b, char out[65], const char *tin)
{
    return xf_id(b, out, "tin-", tin);
}

const char *xf_npi_id(xf_b *b, char out[65], const char *npi)
{
    return xf_id(b, out, "npi-", npi);
}

json_t *xf_org_aco(xf_b *b, const export_data *d, const char *aco_id, const char *profile)
{
    char id[65], name[EXP_SHORT + 8];
    const exp_aco *a = xf_aco(d, aco_id);
    if (!xf_aco_id(b, id, aco_id)) return NULL;
    snprintf(name, sizeof name, "ACO %s", aco_id);
    json_t *o = xf_resource(b, "Organization", id, profile, NULL);
    xf_push(b, o, "identifier", xf_identifier(b, NULL, NULL, CARA_SID_ACO, aco_id));
    xf_set(b, o, "active", json_true());
    xf_push(b, o, "type", xf_concept(b, CS_ORG_TYPE, "prov", "Healthcare Provider",
                                         "Accountable Care Organization"));
    xf_set_s(b, o, "name", a && a->name && *a->name ? a->name : name);
    return done(b, o);
}

json_t *xf_org_tin(xf_b *b, const export_data *d, const char *tin, const char *profile)
{
    char id[65], name[EXP_SHORT + 8];
    (void)d;
    if (!xf_tin_id(b, id, tin)) return NULL;
    snprintf(name, sizeof name, "TIN %s", tin);
    json_t *o = xf_resource(b, "Organization", id, profile, NULL);
    xf_push(b, o, "identifier", xf_identifier(b, "TAX", "Tax ID number", SID_TIN, tin));
    xf_set(b, o, "active", json_true());
    xf_set_s(b, o, "name", name);
    return done(b, o);
}

/* {"extension":[data-absent-reason unknown]}: a name cara does not hold. */
static json_t *absent_name(xf_b *b)
{
    json_t *n = obj(b);
    xf_push(b, n, "extension", xf_ext(b, EXT_DAR, "valueCode", xf_str(b, "unknown")));
    return done(b, n);
}

json_t *xf_practitioner(xf_b *b, const export_data *d, const char *npi, const char *profile)
{
    char id[65];
    if (!xf_npi_id(b, id, npi)) return NULL;
    const exp_arrangement *a = xf_arr_of(d, npi, NULL);
    json_t *o = xf_resource(b, "Practitioner", id, profile, NULL);
    xf_push(b, o, "identifier",
              xf_identifier(b, "NPI", "National provider identifier", SID_NPI, npi));
    xf_set(b, o, "active", json_true());
    const char *full = a && a->provider_name ? a->provider_name : "";
    while (*full == ' ') full++;
    if (*full) {
        /* family: before a comma ("Lopez, Maria"), else the last word ("Maria Lopez") */
        char family[256];
        const char *comma = strchr(full, ',');
        size_t len = comma ? (size_t)(comma - full) : strlen(full);
        while (len && full[len - 1] == ' ') len--;
        const char *start = full;
        if (!comma)
            for (size_t i = 0; i < len; i++)
                if (full[i] == ' ') start = full + i + 1;
        len -= (size_t)(start - full);
        if (len >= sizeof family) len = sizeof family - 1;
        memcpy(family, start, len);
        family[len] = '\0';
        json_t *n = obj(b);
        xf_set_s(b, n, "text", full);
        xf_set_s(b, n, "family", family);
        xf_push(b, o, "name", n);
    } else {
        xf_push(b, o, "name", absent_name(b));
    }
    return done(b, o);
}
