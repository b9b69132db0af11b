/*
 * synthdata_write.c: buffered CSV output (rows assembled with memcpy, one fwrite per
 * megabyte) and the medical_claim.csv row writer, adjustments and cancellations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "synthdata_conv.h"
#include "synthdata_internal.h"

#define SY_BUF (1u << 20)

int synth__out_open(sy_out *o, const char *dir, const char *name, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    char *p = util_path_join(dir, name);
    o->f = p ? fopen(p, "w") : NULL;
    o->buf = o->f ? malloc(SY_BUF) : NULL;
    if (!o->f || !o->buf) {
        snprintf(err, errlen, "%s: cannot write: %s", p ? p : name,
                 o->f ? "out of memory" : strerror(errno));
        if (o->f) fclose(o->f);
        o->f = NULL;
        free(p);
        return -1;
    }
    o->cap = SY_BUF;
    free(p);
    return 0;
}

void synth__out_flush(sy_out *o)
{
    if (o->len) fwrite(o->buf, 1, o->len, o->f);
    o->len = 0;
}

int synth__out_close(sy_out *o)
{
    if (!o->f) return 0;
    synth__out_flush(o);
    int bad = ferror(o->f);
    if (fclose(o->f) != 0) bad = 1;
    free(o->buf);
    memset(o, 0, sizeof *o);
    return bad ? -1 : 0;
}

void synth__puts(sy_out *o, const char *s) { synth__put(o, s, strlen(s)); }

void synth__putc(sy_out *o, char c) { synth__put(o, &c, 1); }

void synth__put_int(sy_out *o, int64_t v)
{
    char buf[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do buf[sizeof buf - 1 - n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0) buf[sizeof buf - 1 - n++] = '-';
    synth__put(o, buf + sizeof buf - n, (size_t)n);
}

void synth__put_date(sy_out *o, cara_date d)
{
    if (d == CARA_DATE_NONE) return;
    char buf[11];
    date_format(d, buf);
    synth__put(o, buf, 10);
}

void synth__put_money(sy_out *o, int64_t cents)
{
    char buf[32];
    money_format(cents, buf);
    synth__puts(o, buf);
}

/* An optional text field followed by a comma. */
static void field(sy_out *o, const char *s)
{
    if (s) synth__puts(o, s);
    synth__putc(o, ',');
}

static void date_field(sy_out *o, cara_date d)
{
    synth__put_date(o, d);
    synth__putc(o, ',');
}

/* The claim's rows with adjustment code adj, amounts scaled by pct/100 and paid on
 * date paid. A header-paid institutional claim (sy_header_paid) has its whole payment
 * and allowed amount on line 1 and 0 on the others. */
static void claim_rows(sy_world *w, const sy_bene *b, const sy_claim *c, const char *id,
                       int adj, int pct, cara_date paid_on)
{
    static const char *const types[] = {"", "institutional", "professional", "dme"};
    sy_out *o = &w->claims;
    int inst = c->type == CARA_CLAIM_INSTITUTIONAL;
    int header = inst && synth__header_paid(c->bill);
    int64_t claim_paid = 0, claim_allowed = 0;
    for (int i = 0; header && i < c->n_lines; i++) {
        claim_paid += c->line[i].paid;
        claim_allowed += c->line[i].allowed;
    }
    /* the diagnoses and the adjustment code are the same on every line */
    char tail[SY_DX * 9 + 64];
    size_t tl = 0;
    memcpy(tail, ",icd-10-cm", 10);
    tl = 10;
    for (int k = 0; k < 25; k++) {
        tail[tl++] = ',';
        if (k < c->n_dx) {
            size_t n = strlen(c->dx[k]);
            memcpy(tail + tl, c->dx[k], n);
            tl += n;
        }
    }
    tail[tl++] = ',';
    tail[tl++] = (char)('0' + adj);
    tail[tl++] = ',';
    date_format(paid_on, tail + tl);
    tl += 10;
    tail[tl++] = '\n';
    for (int i = 0; i < c->n_lines; i++) {
        const sy_line *l = &c->line[i];
        field(o, id);
        synth__put_int(o, i + 1);
        synth__putc(o, ',');
        field(o, types[c->type]);
        field(o, b->mbi);
        date_field(o, c->start);
        date_field(o, c->end);
        cara_date ls = l->d, le = l->d;
        if (inst && l->d == CARA_DATE_NONE) ls = c->start, le = c->end;
        date_field(o, ls);
        date_field(o, le);
        date_field(o, c->adm);
        date_field(o, c->dis);
        field(o, c->disp);
        field(o, l->pos);
        field(o, c->bill);
        field(o, l->rev);
        field(o, l->hcpcs);
        field(o, l->mod);
        synth__put(o, ",,,,", 4); /* modifiers 2-5 */
        const sy_prov *rend = inst ? c->attending : l->rend;
        const sy_prov *bill = inst ? c->facility : l->rend;
        field(o, rend ? rend->npi : NULL);
        field(o, rend ? rend->tin : NULL);
        field(o, bill ? bill->npi : NULL);
        field(o, bill ? bill->tin : NULL);
        field(o, inst && c->facility ? c->facility->npi : NULL);
        int64_t paid = l->paid, allowed = l->allowed;
        if (header) {
            paid = i == 0 ? claim_paid : 0;
            allowed = i == 0 ? claim_allowed : 0;
        }
        synth__put_money(o, paid * pct / 100);
        synth__putc(o, ',');
        synth__put_money(o, allowed * pct / 100);
        synth__put(o, tail, tl);
        w->counts->claim_lines++;
    }
}

void synth__emit_claim(sy_world *w, const sy_bene *b, sy_claim *c)
{
    if (c->n_lines == 0) return;
    if (c->type != CARA_CLAIM_INSTITUTIONAL) { /* header dates from the lines */
        c->start = c->end = c->line[0].d;
        for (int i = 1; i < c->n_lines; i++) {
            if (c->line[i].d < c->start) c->start = c->line[i].d;
            if (c->line[i].d > c->end) c->end = c->line[i].d;
        }
    }
    if (c->type == CARA_CLAIM_INSTITUTIONAL) { /* one claim per facility and dates */
        for (int i = 0; i < w->n_inst_seen; i++)
            if (w->inst_seen[i].f == c->facility && w->inst_seen[i].s == c->start &&
                w->inst_seen[i].e == c->end)
                return;
        if (w->n_inst_seen < (int)(sizeof w->inst_seen / sizeof w->inst_seen[0]))
            w->inst_seen[w->n_inst_seen++] = (struct sy_inst_key){c->facility, c->start, c->end};
    }
    char id[24];
    snprintf(id, sizeof id, "C%010lld", (long long)++w->claim_seq);
    /* paid 10 to 40 days after the claim's thru date, a later version 20 to 90 days
     * after the one before: the IDR load dates the CCLF and FHIR forms give each version
     * (synthdata_conv.c dates the versions the same way) */
    cara_date paid = c->end + 10 + (cara_date)(sc_hash(id, 0) % 31);
    claim_rows(w, b, c, id, 0, 100, paid);
    uint64_t u = synth_rng_below(&w->rng, 1000);
    paid += 20 + (cara_date)(sc_hash(id, 1) % 71);
    if (u < 8) { /* 0.8%: a later adjustment with amounts 90-110% of the original's */
        int pct = 90 + (int)synth_rng_below(&w->rng, 20);
        claim_rows(w, b, c, id, 2, pct >= 100 ? pct + 1 : pct, paid);
    } else if (u < 12) { /* 0.4%: cancelled (the rows repeated with code 1) */
        claim_rows(w, b, c, id, 1, 100, paid);
    }
}
