/*
 * cmd_synthdata.c: `cara synth`: write a synthetic dataset (see synthdata.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cli_cmds.h"
#include "synth/synth.h"
#include "base/base.h"

static int run_synth(cli_ctx *c, int argc, char **argv)
{
    const char *out = NULL, *n = NULL, *seed = NULL, *year = NULL, *acos = NULL, *format = NULL;
    const cli_opt opts[] = {{"--out", &out, NULL},   {"--beneficiaries", &n, NULL},
                            {"--seed", &seed, NULL}, {"--year", &year, NULL},
                            {"--acos", &acos, NULL}, {"--format", &format, NULL},
                            {NULL, NULL, NULL}};
    int np = cli_parse(c, &cmd_synth, opts, argc, argv);
    if (np == -1) return CLI_OK;
    if (np < 0) return -np;
    if (np > 0) return cli_usage_error(c, &cmd_synth, "unexpected argument '%s'", argv[1]);
    if (!out) return cli_usage_error(c, &cmd_synth, "--out DIR is required");
    if (!n) return cli_usage_error(c, &cmd_synth, "--beneficiaries N is required");
    if (!seed) return cli_usage_error(c, &cmd_synth, "--seed S is required (the same seed gives "
                                      "the same files)");
    if (!*out) return cli_usage_error(c, &cmd_synth, "--out: the directory name is empty");
    synth_opts o = {.out_dir = out, .year = 2027, .acos = 4};
    uint64_t v;
    if (util_parse_u64(n, &v) < 0 || v < 1 || v > 10000000)
        return cli_usage_error(c, &cmd_synth, "--beneficiaries: '%s' is not a count from 1 to "
                               "10000000", n);
    o.beneficiaries = (int64_t)v;
    if (util_parse_u64(seed, &o.seed) < 0)
        return cli_usage_error(c, &cmd_synth, "--seed: '%s' is not an unsigned 64-bit integer",
                               seed);
    if (year) {
        if (util_parse_u64(year, &v) < 0 || v < 2027 || v > 2036)
            return cli_usage_error(c, &cmd_synth, "--year: '%s' is not a performance year of "
                                   "the model (2027-2036)", year);
        o.year = (int)v;
    }
    if (acos) {
        if (util_parse_u64(acos, &v) < 0 || v < 2 || v > 999)
            return cli_usage_error(c, &cmd_synth, "--acos: '%s' is not a count from 2 to 999",
                                   acos);
        o.acos = (int)v;
    }
    int fmt = format ? synth_format_parse(format) : SYNTH_FMT_CSV;
    if (fmt < 0)
        return cli_usage_error(c, &cmd_synth, "--format: '%s' is not csv, cclf, fhir or all",
                               format);
    synth_counts k;
    char err[512];
    if (synth_run(&o, &k, err, sizeof err) < 0) {
        fprintf(c->err, "cara synth: %s\n", err);
        return CLI_FAIL;
    }
    fprintf(c->out, "%s/acos.csv: %lld rows\n%s/providers.csv: %lld rows\n"
                    "%s/arrangements.csv: %lld rows\n%s/eligibility.csv: %lld rows\n"
                    "%s/alignment.csv: %lld rows\n%s/medical_claim.csv: %lld rows\n",
            out, (long long)k.acos, out, (long long)k.providers, out, (long long)k.arrangements,
            out, (long long)k.eligibility, out, (long long)k.alignment, out,
            (long long)k.claim_lines);
    synth_adt_counts a;
    if (synth_adt_write(&o, &a, err, sizeof err) < 0) {
        fprintf(c->err, "cara synth: %s\n", err);
        return CLI_FAIL;
    }
    fprintf(c->out, "%s/adt.hl7: %lld messages for %lld visits (%lld ED, %lld inpatient; %lld "
                    "never sent) and %lld cancelled extra visits; %lld late, %lld duplicated, "
                    "%lld discharges cancelled, %lld people without an MBI; "
                    "%s/adt_manifest.csv: %lld rows\n",
            out, (long long)a.messages, (long long)a.visits, (long long)a.ed,
            (long long)a.inpatient, (long long)a.missing, (long long)a.cancelled,
            (long long)a.late, (long long)a.duplicated, (long long)a.discharge_cancels,
            (long long)a.unmatched, out, (long long)(a.visits + a.cancelled));
    synth_conv_counts cv;
    if (fmt & SYNTH_FMT_CCLF) {
        if (synth_cclf_convert(&o, &cv, err, sizeof err) < 0) {
            fprintf(c->err, "cara synth: %s\n", err);
            return CLI_FAIL;
        }
        fprintf(c->out, "%s/cclf: %lld claim versions; delivery 1: %lld records, delivery 2 "
                        "(run-out): %lld records (%lld versions loaded after its date); %lld "
                        "previous MBIs; eligibility.csv: %lld of %lld people\n",
                out, (long long)cv.versions, (long long)cv.records[0], (long long)cv.records[1],
                (long long)cv.late_versions, (long long)cv.prev_mbis, (long long)cv.elig_copied,
                (long long)cv.people);
    }
    if (fmt & SYNTH_FMT_FHIR) {
        if (synth_fhir_convert(&o, &cv, err, sizeof err) < 0) {
            fprintf(c->err, "cara synth: %s\n", err);
            return CLI_FAIL;
        }
        fprintf(c->out, "%s/fhir: %lld Patient, %lld Coverage, %lld ExplanationOfBenefit; "
                        "eligibility.csv: %lld of %lld people\n",
                out, (long long)cv.patients, (long long)cv.coverages, (long long)cv.eobs,
                (long long)cv.elig_copied, (long long)cv.people);
    }
    return CLI_OK;
}

const cli_command cmd_synth = {
    .name = "synth",
    .summary = "write a synthetic dataset (CSV input layer; --format cclf|fhir|all too)",
    .usage = "cara synth --out DIR --beneficiaries N --seed S [--year YYYY] [--acos K] "
             "[--format csv|cclf|fhir|all]",
    .help = "Writes acos.csv, providers.csv, arrangements.csv, participants.csv (the\n"
            "ACOs' participant TINs; every seventh joins on July 1), eligibility.csv,\n"
            "alignment.csv and medical_claim.csv: Medicare-like beneficiaries with claims\n"
            "whose rates and costs follow docs/methodology.md (falls, ED visits, fall injuries and hip\n"
            "fractures, inpatient stays, SNF, home health, PT/OT, functional dependence),\n"
            "deaths, enrollment gaps, hospice, duals, leakage to non-participating\n"
            "therapists, adjustments and cancellations. Also adt.hl7, the HL7 v2.5.1\n"
            "ADT messages (A04/A01, A03, A11, A13) the hospitals send for the ED visits\n"
            "and inpatient stays, some missing, late, duplicated or cancelled, and\n"
            "adt_manifest.csv, what happened to each visit (docs/input-formats.md,\n"
            "Synthetic ADT). The same options give byte-identical files.\n\n"
            "options:\n"
            "  --out DIR            where to write (created if missing)\n"
            "  --beneficiaries N    how many (1 to 10,000,000)\n"
            "  --seed S             the random seed (0 to 18446744073709551615)\n"
            "  --year YYYY          the performance year (default 2027; claims start on\n"
            "                       July 1 of the year before, for risk lookbacks)\n"
            "  --acos K             number of ACOs, 2 to 999, alternating global and\n"
            "                       professional track (default 4)\n"
            "  --format F           csv (default): the files above only; cclf: also DIR/cclf/,\n"
            "                       the same dataset as CMS writes it: January 15 as loose\n"
            "                       ZC{n}Y files, the September 15 run-out as a zip bundle\n"
            "                       of ZC{n}R files; CCLF0-6, 8, 9 (previous MBIs for 2% of\n"
            "                       people, HICN rows), debit/credit versions, header-paid\n"
            "                       stays, '~' fillers, denied claims and lines); fhir: also\n"
            "                       DIR/fhir/, BCDA v2 NDJSON in BFD's shapes\n"
            "                       (Patient, Coverage, ExplanationOfBenefit); all: both.\n"
            "                       Each folder loads on its own: it has copies of\n"
            "                       acos.csv, providers.csv, arrangements.csv,\n"
            "                       participants.csv and alignment.csv, and an eligibility.csv with only the\n"
            "                       people whose enrollment the feed cannot express\n\n"
            "Prints the rows written per file. Exit 0, 1 when a file cannot be written,\n"
            "2 for a usage error.\n",
    .run = run_synth,
};
