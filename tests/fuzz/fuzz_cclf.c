/* tests/fuzz/fuzz_cclf.c: CCLF file names, record iteration, every field reader and the
 * loader's record converters (cclf_feed.h).
 * The first byte picks the layout. */
#include <stdint.h>
#include <string.h>

#include "feeds/cclf.h"
#include "feeds/cclf_feed.h"

static int read_all(void *ud, const char *rec, size_t number)
{
    const cclf_layout *l = ud;
    (void)number;
    char text[64];
    cara_date d;
    int64_t c;
    for (size_t i = 0; i < l->n; i++) {
        cclf_text(rec, &l->fields[i], text, sizeof text);
        cclf_date(rec, &l->fields[i], &d);
        cclf_money(rec, &l->fields[i], &c);
    }
    /* the record converters of the loader */
    feed_claim fc = {0};
    feed_line fl;
    feed_bene fb;
    cclf_error e;
    char cur[14], oscar[21], att[11], code[8];
    int seq;
    switch (l->file) {
    case '1':
        if (cclf_part_a_header(rec, &fc, cur, oscar, att, &e) == 0) cclf_part_a_key(&fc, oscar);
        break;
    case '2': cclf_part_a_line(rec, &fl, cur, &e); break;
    case '3':
    case '4': cclf_part_a_code(rec, l->file, cur, &seq, code, &e); break;
    case '5':
    case '6': cclf_part_b_line(rec, l->file, &fc, &fl, cur, &e); break;
    case '8': cclf_bene(rec, &fb, &e); break;
    default: break;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const cclf_layout *l = &cclf_layouts[data[0] % 12];
    char err[128], name[64];
    cclf_records(l, (const char *)data + 1, size - 1, read_all, (void *)l, err, sizeof err);
    size_t n = size - 1 < sizeof name - 1 ? size - 1 : sizeof name - 1;
    memcpy(name, data + 1, n);
    name[n] = '\0';
    cclf_name n2;
    cclf_name_parse(name, &n2);
    cclf_count counts[16];
    cclf_summary((const char *)data + 1, size - 1, counts, 16, err, sizeof err);
    cclf_xwalk *x;
    if (cclf_xwalk_build((const char *)data + 1, size - 1, &x, err, sizeof err) == 0) {
        cclf_xwalk_current(x, "1EG4TE5MK73");
        cclf_xwalk_free(x);
    }
    return 0;
}
