/*
 * engine_hot.c: a run's episodes compacted as they are priced (engine__spill_compact,
 * engine_internal.h): what the run still reads of each goes to its hot logs (ep_hot,
 * on disk through xsort.h, read back in order or sorted), the rest to a spill file
 * (ep_spill.h), so that a run's memory holds no record per episode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine_internal.h"
#include "ep_spill.h"

void engine__leak_free(leak_rec *l)
{
    free(l->episode_id);
    free(l->aco_id);
    free(l->npi);
    free(l->tin);
}

void engine__ep_free(ep_rec *r)
{
    free(r->episode_id);
    free(r->person_id);
    free(r->aco_id);
    free(r->exclusion);
    free(r->trigger_claim);
}

/* The id pricing makes of episode (tmpl, person, day0) into buf; its length, or
 * HOT_ID_MAX or more when it does not fit (the id is then its own). */
static size_t made_id(const catalog_entry *ce, const char *person, cara_date day0,
                      char buf[HOT_ID_MAX])
{
    char day[11];
    date_format(day0, day);
    int n = snprintf(buf, HOT_ID_MAX, "%s:%s:%s", template_id(ce->tmpl), person, day);
    return n < 0 ? HOT_ID_MAX : (size_t)n;
}

const char *hot_episode_id(const ep_hot *h, char buf[HOT_ID_MAX])
{
    if (h->own_id) return h->ids;
    made_id(h->tmpl, h->ids, h->day0, buf);
    return buf;
}

/* The bytes of an id as pieces: template, ':', person, ':', day (or the whole own id). */
typedef struct id_parts {
    const char *p[5];
    char day[11];
} id_parts;

static void parts_of(const ep_hot *h, id_parts *v)
{
    if (h->own_id) {
        v->p[0] = h->ids;
        v->p[1] = v->p[2] = v->p[3] = v->p[4] = "";
        return;
    }
    date_format(h->day0, v->day);
    v->p[0] = template_id(h->tmpl->tmpl);
    v->p[1] = v->p[3] = ":";
    v->p[2] = h->ids;
    v->p[4] = v->day;
}

int hot_id_cmp(const ep_hot *a, const ep_hot *b)
{
    if (!a->own_id && !b->own_id && a->tmpl == b->tmpl) {
        /* the same template: person ':' day against person ':' day */
        const unsigned char *x = (const unsigned char *)a->ids, *y = (const unsigned char *)b->ids;
        if (x == y || !strcmp(a->ids, b->ids))
            return a->day0 == b->day0 ? 0 : a->day0 < b->day0 ? -1 : 1; /* YYYY-MM-DD */
        while (*x && *x == *y) x++, y++;
        unsigned c = *x ? *x : ':', d = *y ? *y : ':';
        if (c != d) return c < d ? -1 : 1;
        /* one person's id ends where the other's has a ':': compare on, piece by piece */
    }
    id_parts u, v;
    parts_of(a, &u);
    parts_of(b, &v);
    int i = 0, j = 0;
    const unsigned char *x = (const unsigned char *)u.p[0], *y = (const unsigned char *)v.p[0];
    for (;;) {
        while (!*x && i < 4) x = (const unsigned char *)u.p[++i];
        while (!*y && j < 4) y = (const unsigned char *)v.p[++j];
        if (*x != *y) return *x < *y ? -1 : 1;
        if (!*x) return 0;
        x++, y++;
    }
}

static const char *const STATUS[] = {NULL, "", "final", "interim", "excluded"};

const char *hot_status(unsigned char code)
{
    return code < sizeof STATUS / sizeof STATUS[0] ? STATUS[code] : NULL;
}

int hot_code(const char *status)
{
    if (!status) return 0;
    for (int i = 1; i < (int)(sizeof STATUS / sizeof STATUS[0]); i++)
        if (!strcmp(status, STATUS[i])) return i;
    return -1;
}

/* ---- the hot logs ----------------------------------------------------------------- */

/* A record read into memory: its ids follow it (and its ep_dev, in an interim run). */
static void fix_plain(void *rec, size_t len, void *ud)
{
    (void)len, (void)ud;
    ((ep_hot *)rec)->ids = (char *)rec + sizeof(ep_hot);
}

static void fix_dev(void *rec, size_t len, void *ud)
{
    (void)len, (void)ud;
    ((ep_hot *)rec)->ids = (char *)rec + sizeof(ep_hot) + sizeof(ep_dev);
}

int engine__hot_sorter(const run_data *rd, int (*cmp)(const void *, const void *, void *),
                       const char *what, xsort **out, char *err, size_t errlen)
{
    return xsort_open(out, ep_spill_default_dir(rd->spill_dir), what,
                      rd->sort_budget ? rd->sort_budget : ENGINE_SORT_BUDGET, cmp,
                      rd->lag ? fix_dev : fix_plain, NULL, err, errlen);
}

int engine__hot_put(xsort *s, const ep_hot *h, const ep_dev *dv, int lag, char *err,
                    size_t errlen)
{
    const char *person = hot_person_id(h);
    size_t a = h->own_id ? strlen(h->ids) + 1 : 0, b = strlen(person) + 1;
    size_t head = sizeof *h + (lag ? sizeof *dv : 0), len = head + a + b;
    unsigned char small[1024], *rec = len <= sizeof small ? small : malloc(len);
    if (!rec) return util_fail(err, errlen, -ENOMEM, "out of memory");
    memcpy(rec, h, sizeof *h);
    ((ep_hot *)(void *)rec)->ids = NULL; /* set where the record lies (fix_*) */
    if (lag) memcpy(rec + sizeof *h, dv, sizeof *dv);
    if (a) memcpy(rec + head, h->ids, a);
    memcpy(rec + head + a, person, b);
    int rc = xsort_put(s, rec, len, err, errlen);
    if (rec != small) free(rec);
    return rc;
}

int engine__hot_each(const run_data *rd, int (*fn)(ep_hot *h, ep_dev *dv, void *ud), void *ud,
                     char *err, size_t errlen)
{
    for (size_t i = 0; i < rd->n_hlogs; i++) {
        xsort *s = rd->hlogs[i];
        int rc = xsort_rewind(s, err, errlen);
        const void *rec;
        size_t len;
        while (rc == 0 && (rc = xsort_next(s, &rec, &len, err, errlen)) == 1) {
            ep_hot h;
            ep_dev d;
            memcpy(&h, rec, sizeof h);
            h.spill_at += rd->hlog_spill[i] << EP_SPILL_SHIFT;
            if (rd->lag) memcpy(&d, hot_dev(rec), sizeof d);
            rc = fn(&h, rd->lag ? &d : NULL, ud);
        }
        if (rc != 0) return rc;
    }
    return 0;
}

/* rd's lists of logs freed (not the logs) and emptied. */
static void hot_forget(run_data *rd)
{
    free(rd->hlogs);
    free(rd->hlog_spill);
    rd->hlogs = NULL;
    rd->hlog_spill = NULL;
    rd->n_hlogs = 0;
    rd->hlog_open = 0;
    rd->n_hot = 0;
}

void engine__hot_free(run_data *rd)
{
    for (size_t i = 0; i < rd->n_hlogs; i++) xsort_close(rd->hlogs[i]);
    hot_forget(rd);
}

/* Room for n more logs in rd's lists. 0 or -ENOMEM. */
static int hlogs_room(run_data *rd, size_t n)
{
    xsort **v = realloc(rd->hlogs, (rd->n_hlogs + n) * sizeof *v);
    if (!v) return -ENOMEM;
    rd->hlogs = v;
    uint64_t *b = realloc(rd->hlog_spill, (rd->n_hlogs + n) * sizeof *b);
    if (!b) return -ENOMEM;
    rd->hlog_spill = b;
    return 0;
}

int engine__hot_take(run_data *dst, run_data *src)
{
    if (!src->n_hlogs) return 0;
    if (hlogs_room(dst, src->n_hlogs) < 0) return -ENOMEM;
    for (size_t i = 0; i < src->n_hlogs; i++) {
        dst->hlogs[dst->n_hlogs] = src->hlogs[i];
        dst->hlog_spill[dst->n_hlogs++] = src->hlog_spill[i] + dst->n_spills;
    }
    dst->hlog_open = 0; /* its last log is src's now */
    dst->n_hot += src->n_hot;
    hot_forget(src);
    return 0;
}

/* The log rd's records go to: its last, or a new one (after a merge, or once the last
 * was read). 0, or a negative code with err. */
static int open_log(run_data *rd, char *err, size_t errlen)
{
    if (rd->hlog_open && !xsort_reading(rd->hlogs[rd->n_hlogs - 1])) return 0;
    if (hlogs_room(rd, 1) < 0) return util_fail(err, errlen, -ENOMEM, "out of memory");
    /* a log needs no more than a window's worth in memory: it is read in order */
    size_t budget = rd->sort_budget ? rd->sort_budget : ENGINE_SORT_BUDGET;
    int rc = xsort_open(&rd->hlogs[rd->n_hlogs], ep_spill_default_dir(rd->spill_dir),
                        "a run's episodes", budget < (1u << 20) ? budget : 1u << 20, NULL,
                        rd->lag ? fix_dev : fix_plain, NULL, err, errlen);
    if (rc < 0) return rc;
    rd->hlog_spill[rd->n_hlogs++] = 0;
    rd->hlog_open = 1;
    return 0;
}

/* r compacted into rd's log, its rest at spill_at. 0, or a negative code with err
 * (-EPROTO for a status that is none of the engine's). */
static int add_hot(run_data *rd, const ep_rec *r, uint64_t spill_at, int has_leaks, char *err,
                   size_t errlen)
{
    int st = hot_code(r->status), cst = hot_code(r->carried_status);
    if (st < 0 || cst < 0)
        return util_fail(err, errlen, -EPROTO, "episode %s: status \"%s\" is none of the "
                         "engine's", r->episode_id, r->status ? r->status : "");
    char made[HOT_ID_MAX];
    size_t m = r->tmpl ? made_id(r->tmpl, r->person_id, r->day0, made) : HOT_ID_MAX;
    int own = !r->tmpl || m >= HOT_ID_MAX - 1 || strcmp(made, r->episode_id) != 0;
    size_t a = own ? strlen(r->episode_id) + 1 : 0, b = strlen(r->person_id) + 1;
    char small[512], *ids = a + b <= sizeof small ? small : malloc(a + b);
    if (!ids) return util_fail(err, errlen, -ENOMEM, "out of memory");
    if (own) memcpy(ids, r->episode_id, a);
    memcpy(ids + a, r->person_id, b);
    ep_hot h;
    memset(&h, 0, sizeof h);
    h.ids = ids;
    h.own_id = (unsigned char)own;
    h.tmpl = r->tmpl;
    h.arr = r->arr;
    h.target = r->target;
    h.actual = r->actual;
    h.winsorized = r->winsorized;
    h.carried_winsorized = r->carried_winsorized;
    h.day0 = r->day0;
    h.end = r->end;
    h.status = (unsigned char)st;
    h.carried_status = (unsigned char)cst;
    memcpy(h.trigger_type, r->trigger_type, sizeof h.trigger_type);
    h.has_target = r->has_target != 0;
    h.quality_met = r->quality_met != 0;
    h.carried = r->carried != 0;
    h.open = r->open != 0;
    h.has_leaks = (unsigned char)(has_leaks != 0);
    h.spill_at = spill_at;
    ep_dev d;
    memset(&d, 0, sizeof d);
    if (rd->lag) {
        memcpy(d.developed, r->developed, sizeof r->developed);
        memcpy(d.projected, r->projected, sizeof r->projected);
    }
    int rc = open_log(rd, err, errlen);
    if (rc == 0) rc = engine__hot_put(rd->hlogs[rd->n_hlogs - 1], &h, &d, rd->lag != NULL, err, errlen);
    if (rc == 0) rd->n_hot++;
    if (ids != small) free(ids);
    return rc;
}

/* The first of the n rows (sorted by episode_id) of episode id, and their count. */
static const leak_rec *rows_of(const leak_rec *v, size_t n, const char *id, size_t *count)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v[mid].episode_id, id) < 0) lo = mid + 1;
        else hi = mid;
    }
    size_t end = lo;
    while (end < n && !strcmp(v[end].episode_id, id)) end++;
    *count = end - lo;
    return v + lo;
}

int engine__spill_compact(run_data *rd, const leak_rec *leaks, size_t n, char *err,
                          size_t errlen)
{
    int rc = 0;
    if (rd->n_eps && !rd->n_spills) {
        ep_spill **v = realloc(rd->spills, sizeof *v);
        if (!v) return util_fail(err, errlen, -ENOMEM, "out of memory");
        rd->spills = v;
        rc = ep_spill_open(&v[0], rd->spill_dir, err, errlen);
        if (rc < 0) return rc;
        rd->n_spills = 1;
    }
    ep_spill *sp = rd->n_spills ? rd->spills[rd->n_spills - 1] : NULL;
    size_t j = 0; /* own rows: the next of rd->leaks */
    for (size_t i = 0; i < rd->n_eps && rc == 0; i++) {
        const ep_rec *r = &rd->eps[i];
        const leak_rec *rows;
        size_t k = 0;
        if (leaks) {
            rows = rows_of(leaks, n, r->episode_id, &k);
        } else {
            rows = rd->leaks + j;
            while (j < rd->n_leaks && !strcmp(rd->leaks[j].episode_id, r->episode_id)) j++, k++;
        }
        int64_t at = 0;
        rc = ep_spill_put(sp, r, rows, k, &at, err, errlen);
        if (rc == 0 && (at >> EP_SPILL_SHIFT) != 0)
            rc = util_fail(err, errlen, -EFBIG, "the run's episode file passed 1 TiB");
        if (rc == 0)
            rc = add_hot(rd, r, (uint64_t)(rd->n_spills - 1) << EP_SPILL_SHIFT | (uint64_t)at,
                         k > 0, err, errlen);
    }
    if (rc == 0 && !leaks && j != rd->n_leaks)
        rc = util_fail(err, errlen, -EPROTO, "leakage of episode %s follows no episode of its "
                       "beneficiary's (the pricer's records are out of order)",
                       rd->leaks[j].episode_id);
    for (size_t i = 0; i < rd->n_eps; i++) engine__ep_free(&rd->eps[i]);
    rd->n_eps = 0;
    if (!leaks) {
        for (size_t i = 0; i < rd->n_leaks; i++) engine__leak_free(&rd->leaks[i]);
        rd->n_leaks = 0;
    }
    return rc;
}
