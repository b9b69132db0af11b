/*
 * synthdata_adt: `cara synth` also writes DIR/adt.hl7, the HL7 v2.5.1 ADT stream the
 * hospitals of the synthetic dataset would have sent for the ED visits and inpatient
 * stays of medical_claim.csv, and DIR/adt_manifest.csv, the truth about each visit of
 * that stream (docs/input-formats.md, "Synthetic ADT").
 *
 * The stream is read back from the CSV files synth_run wrote (eligibility.csv,
 * alignment.csv, providers.csv, medical_claim.csv), so the claims stay byte for byte
 * what they were; its own randomness (times, the stream's problems) comes from a
 * xoshiro256** stream of its own seeded from the seed. The same options give the same
 * bytes.
 */
#ifndef CARA_SYNTHDATA_ADT_H
#define CARA_SYNTHDATA_ADT_H

#include <stddef.h>
#include <stdint.h>

#include "synthdata.h"

typedef struct synth_adt_counts {
    int64_t visits;           /* claim-backed visits: ED visits + inpatient stays */
    int64_t ed, inpatient;
    int64_t missing;          /* claim-backed visits never sent */
    int64_t cancelled;        /* extra visits without a claim, cancelled by A11 */
    int64_t messages;         /* messages in adt.hl7, the duplicates included */
    int64_t late;             /* messages sent hours to days after their event */
    int64_t duplicated;       /* messages sent a second time (same bytes) */
    int64_t discharge_cancels;/* discharges cancelled by A13 and sent again */
    int64_t unmatched;        /* people sent without a Medicare (MC) identifier */
} synth_adt_counts;

/*
 * Write o->out_dir/adt.hl7 and o->out_dir/adt_manifest.csv from the CSV files synth_run
 * wrote there with the same options (a temporary o->out_dir/adt.hl7.tmp is removed at
 * the end). adt.hl7: messages in the order they are sent, segments ended by "\r", each
 * message followed by one "\n" (as `mllp_send --loose --file` reads a file). Memory
 * grows with the number of messages (24 bytes each: the stream is sorted by send time)
 * and with one beneficiary's claims. 0, or a negative code with "PATH: why" in err.
 */
int synth_adt_write(const synth_opts *o, synth_adt_counts *c, char *err, size_t errlen);

#endif
