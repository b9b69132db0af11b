/* tests/fuzz/fuzz_hl7.c: the HL7 v2 parser, every accessor, adt_from_hl7 and hl7_ack over
 * arbitrary bytes. The ACK of anything must itself parse and echo the control id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/adt.h"
#include "feeds/hl7.h"

static adt_event ev;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    hl7_msg m;
    hl7_error e;
    char out[512];
    int parsed = hl7_parse(p, size, &m, &e) == 0;
    const char *code = "AR";
    if (parsed) {
        for (size_t i = 0; i < m.n_seg && i < 16; i++) {
            const hl7_segment *s = &m.seg[i];
            if (hl7_segment_get(&m, s->id, 1) == NULL) abort();
            hl7_segment_count(&m, s->id);
            for (int f = 1; f <= 32; f++) {
                size_t reps = hl7_repetitions(&m, s, f);
                for (int r = 0; r <= 2; r++)
                    for (int c = 0; c <= 3; c++)
                        for (int sub = 0; sub <= 1; sub++) {
                            hl7_span sp;
                            if (hl7_get(&m, s, f, r, c, sub, &sp)) {
                                if (sp.p < m.buf || sp.p + sp.len > m.buf + m.len || sp.len == 0) abort();
                                if (r > 0 && (size_t)r > reps) abort();
                                int n = hl7_text(&m, sp, out, sizeof out);
                                if (n >= 0 && (size_t)n != strlen(out)) abort();
                            }
                        }
                hl7_field_text(&m, s, f, 1, 1, out, 8);
            }
        }
        int rc = adt_from_hl7(&m, &ev, &e);
        code = rc == ADT_OK ? "AA" : rc == ADT_ERROR ? "AE" : "AR";
        if (rc == ADT_OK && (ev.event[0] != 'A' || !ev.control_id[0])) abort();
    }
    char dtm[20];
    adt_dtm(p, size, size & 1, dtm);
    static char ack[8192];
    int n = hl7_ack(parsed ? &m : NULL, p, size, code, parsed && code[1] == 'A' ? NULL : &e,
                    "CARA-1", "20240101000000", ack, sizeof ack);
    if (n < 0 || (size_t)n != strlen(ack)) abort();
    hl7_msg a;
    hl7_error ae;
    if (hl7_parse(ack, (size_t)n, &a, &ae) != 0) abort(); /* an ACK always parses */
    const hl7_segment *msh = hl7_segment_get(&a, "MSH", 1);
    if (!msh || hl7_field_text(&a, msh, 10, 1, 0, out, sizeof out) != 1 || strcmp(out, "CARA-1") != 0)
        abort();
    if (!hl7_segment_get(&a, "MSA", 1)) abort();
    hl7_msg_free(&a);
    hl7_ack(parsed ? &m : NULL, p, size, code, &e, "C", "N", ack, 64); /* short room: -1 or fits */
    hl7_msg_free(&m);
    return 0;
}
