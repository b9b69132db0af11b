/*
 * load_kinds.c: the six files of the CSV input layer (docs/input-formats.md): their columns,
 * their checks across fields, and how their rows reach the store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_internal.h"

#define REQ 1, 1   /* required column, value required */
#define COL 1, 0   /* required column, may be empty */
#define OPT 0, 0   /* optional column */

static const char *const TRACKS[] = {"global", "professional", NULL};
static const char *const GENDERS[] = {"male", "female", "unknown", NULL};
static const char *const DUALS[] = {"", "NA", "00", "01", "02", "03", "04", "05", "06", "07", "08", NULL};
static const char *const MEDICARE_STATUS[] = {"", "10", "11", "20", "21", "31", NULL};
static const char *const FLAGS[] = {"", "0", "1", "N", "Y", "false", "true", NULL};
static const char *const CLAIM_TYPES[] = {"institutional", "professional", "dme", NULL};
/* Tuva's values; its synthetic seed labels ICD-10-CM diagnoses icd-10-pcs */
static const char *const DX_TYPES[] = {"", "icd-10-cm", "icd-9-cm", "icd-10-pcs", NULL};
static const char *const ADJUSTMENTS[] = {"", "0", "1", "2", NULL};

/* ---- helpers ---------------------------------------------------------------------- */

/* Prepare the participation reads (particip_q) the kind checks its rows with. */
static int prepare_reads(loader *ld)
{
    char e[256];
    int rc = particip_q_open(ld->s, &ld->reads, e, sizeof e);
    if (rc == 0) return 0;
    load__error(ld, 1, 0, NULL, "the store refused a statement: %s", e);
    return rc == -ENOMEM ? -ENOMEM : -EIO;
}

static void finalize_all(loader *ld)
{
    particip_q_close(ld->reads);
    ld->reads = NULL;
    orgs_w_close(ld->orgs);
    people_w_close(ld->people);
    arrangements_w_close(ld->arrs);
    claims_w_close(ld->claims);
    ld->orgs = NULL;
    ld->people = NULL;
    ld->arrs = NULL;
    ld->claims = NULL;
}

/* Open the store writers the kinds use. */
static int open_writers(loader *ld)
{
    char e[256];
    if (orgs_w_open(ld->s, &ld->orgs, e, sizeof e) < 0 ||
        people_w_open(ld->s, &ld->people, e, sizeof e) < 0 ||
        arrangements_w_open(ld->s, &ld->arrs, e, sizeof e) < 0 ||
        claims_w_open(ld->s, &ld->claims, e, sizeof e) < 0) {
        load__error(ld, 1, 0, NULL, "the store refused a statement: %s", e);
        return -ENOMEM;
    }
    return 0;
}

/* A writer's result: its refusal reported as the row's ("the store refused the row: " and
 * the store's message). 0 or -EIO. */
/* A write the claims writer ran behind (claims_w.h, write-behind) failed: reported at
 * the line it came from (a repeated claim line as the data error it is). 0 when no
 * queued write failed. */
static int queued_failed(loader *ld)
{
    size_t at;
    const char *id, *msg;
    int64_t no;
    int rc = ld->claims ? claims_w_failure(ld->claims, &at, &id, &no, &msg) : 0;
    if (!rc || ld->queued_reported) return rc;
    ld->queued_reported = 1;
    int c = ld->col_at[load__col(ld, "claim_line_number")]; /* only claims write behind */
    size_t col = c >= 0 ? (size_t)c + 1 : 0;
    if (rc == -EEXIST)
        load__error(ld, at, col, "claim_line_number", "line %lld of claim \"%s\" appears twice",
                    (long long)no, id);
    else load__error(ld, at, 0, NULL, "the store refused the row: %s", msg);
    return rc;
}

static int stored(loader *ld, int rc)
{
    if (rc >= 0) return 0;
    return queued_failed(ld) ? -EIO : (load__error(ld, ld->scan->line, 0, NULL,
                                                   "the store refused the row: %s",
                                                   store_errmsg(ld->s)), -EIO);
}

/* A read's failure (particip_q: err is SQLite's message), reported as stored() does. */
static int read_failed(loader *ld, const char *err)
{
    load__error(ld, ld->scan->line, 0, NULL, "the store refused the row: %s", err);
    return -EIO;
}

/* Spec column c's checked text; NULL when the field was empty (or is stored as absent). */
static const char *val(const loader *ld, size_t c)
{
    return ld->vals[c].empty ? NULL : ld->vals[c].text;
}

/* A required F_TEXT column as the file has it (the bytes, not the 80-byte normal form). */
static const char *raw(const loader *ld, size_t c, int *len)
{
    const csv_field *f = &ld->scan->f[ld->col_at[c]];
    *len = (int)f->len;
    return f->p;
}

/* The ACO named in column c must exist (a clear message instead of a FOREIGN KEY
 * failure). */
static int aco_known(loader *ld, size_t c)
{
    char e[256];
    int found;
    if (particip_q_aco(ld->reads, ld->vals[c].text, &found, e, sizeof e) < 0)
        return read_failed(ld, e);
    if (!found)
        load__error(ld, ld->scan->line, (size_t)ld->col_at[c] + 1, "aco_id",
                   "\"%s\" is not a known ACO (load acos.csv with it first)", ld->vals[c].text);
    return found ? 0 : -EINVAL;
}

/* ---- acos.csv ------------------------------------------------------------------------ */

static const field_spec acos_cols[] = {
    {"aco_id", F_ID, REQ, NULL, 0, 0},
    {"name", F_TEXT, REQ, NULL, 0, 0},
    {"track", F_ENUM, REQ, TRACKS, 0, 0},
};

static int acos_row(loader *ld)
{
    char e[256];
    aco_rec r = {.aco_id = val(ld, 0), .track = val(ld, 2)};
    r.name = raw(ld, 1, &r.name_len);
    return stored(ld, orgs_w_aco_put(ld->orgs, &r, e, sizeof e));
}

/* ---- providers.csv --------------------------------------------------------------------- */

static const field_spec providers_cols[] = {
    {"npi", F_NPI, REQ, NULL, 0, 0},
    {"tin", F_TIN, REQ, NULL, 0, 0},
    {"name", F_TEXT, REQ, NULL, 0, 0},
    {"specialty_code", F_SPECIALTY, COL, NULL, 0, 0},
};

static int providers_row(loader *ld)
{
    char e[256];
    provider_rec r = {.npi = val(ld, 0), .tin = val(ld, 1), .specialty_code = val(ld, 3)};
    r.name = raw(ld, 2, &r.name_len);
    return stored(ld, orgs_w_provider_put(ld->orgs, &r, e, sizeof e));
}

/* ---- eligibility.csv -------------------------------------------------------------------- */

static const field_spec eligibility_cols[] = {
    {"person_id", F_PERSON, REQ, NULL, 0, 0},
    {"enrollment_start_date", F_DATE, REQ, NULL, 0, 0},
    {"enrollment_end_date", F_DATE, COL, NULL, 0, 0},
    {"gender", F_ENUM, REQ, GENDERS, 0, 0},
    {"birth_date", F_DATE, REQ, NULL, 0, 0},
    {"death_date", F_DATE, COL, NULL, 0, 0},
    {"dual_status_code", F_CODE, COL, DUALS, 0, 0},
    {"medicare_status_code", F_CODE, COL, MEDICARE_STATUS, 0, 0},
    {"hospice_flag", F_ENUM, OPT, FLAGS, 0, 0},
    {"state", F_US_STATE, OPT, NULL, 0, 0},
    {"zip_code", F_ZIP, OPT, NULL, 0, 0},
};

static const char *const eligibility_soft[] = {"state", "zip_code", NULL};

static int eligibility_row(loader *ld)
{
    int before = ld->errors;
    load__check_order(ld, "enrollment_start_date", "enrollment_end_date");
    load__check_order(ld, "birth_date", "death_date");
    load__check_order(ld, "birth_date", "enrollment_start_date");
    if (ld->errors != before) return -EINVAL;
    field_value *dual = &ld->vals[6], *hospice = &ld->vals[8];
    if (strcmp(dual->text, "NA") == 0) dual->empty = 1;
    int h = hospice->text[0] == '1' || hospice->text[0] == 'Y' || hospice->text[0] == 't';
    char e[256];
    elig_rec r = {.person_id = val(ld, 0), .enrollment_start_date = val(ld, 1),
                  .enrollment_end_date = val(ld, 2), .gender = val(ld, 3),
                  .birth_date = val(ld, 4), .death_date = val(ld, 5),
                  .dual_status_code = val(ld, 6), .medicare_status_code = val(ld, 7),
                  .hospice_flag = h, .state = val(ld, 9), .zip_code = val(ld, 10)};
    return stored(ld, people_w_elig_put(ld->people, &r, e, sizeof e));
}

/* ---- alignment.csv ---------------------------------------------------------------------- */

static const field_spec alignment_cols[] = {
    {"person_id", F_PERSON, REQ, NULL, 0, 0},
    {"aco_id", F_ID, REQ, NULL, 0, 0},
    {"start_date", F_DATE, REQ, NULL, 0, 0},
    {"end_date", F_DATE, COL, NULL, 0, 0},
};

static int alignment_prepare(loader *ld)
{
    int rc = open_writers(ld);
    return rc ? rc : prepare_reads(ld);
}

static int alignment_row(loader *ld)
{
    int before = ld->errors;
    load__check_order(ld, "start_date", "end_date");
    if (ld->errors != before) return -EINVAL;
    int known = aco_known(ld, 1); /* -EINVAL, or -EIO when the store failed */
    if (known < 0) return known;
    char e[256];
    align_rec r = {.person_id = val(ld, 0), .aco_id = val(ld, 1), .start_date = val(ld, 2),
                   .end_date = val(ld, 3)};
    return stored(ld, people_w_align_put(ld->people, &r, e, sizeof e));
}

/*
 * After an alignment.csv: the file aligns explicitly, so the alignment a CCLF8 beneficiary
 * list gave for a performance year it covers (source 'cclf8', whole calendar years;
 * docs/input-formats.md, "Alignment from CCLF8") is removed: the result is the same
 * whichever was loaded first. One check per distinct CCLF8 year, not per row.
 */
static int alignment_end(loader *ld)
{
    char e[256];
    if (people_w_align_drop_cclf8_covered(ld->people, e, sizeof e) == 0) return 0;
    load__error(ld, 1, 0, NULL, "replacing the CCLF8 alignment: %s", store_errmsg(ld->s));
    return -EIO;
}

/* ---- arrangements.csv -------------------------------------------------------------------- */

static const field_spec arrangements_cols[] = {
    {"arrangement_id", F_ID, REQ, NULL, 0, 0},
    {"aco_id", F_ID, REQ, NULL, 0, 0},
    {"npi", F_NPI, REQ, NULL, 0, 0},
    {"tin", F_TIN, REQ, NULL, 0, 0},
    {"template_id", F_ID, REQ, NULL, 0, 0},
    {"start_date", F_DATE, REQ, NULL, 0, 0},
    {"end_date", F_DATE, COL, NULL, 0, 0},
    {"discount_bps", F_BPS, OPT, NULL, -10000, 10000},
    {"savings_share_bps", F_BPS, OPT, NULL, 0, 10000},
    {"loss_share_bps", F_BPS, OPT, NULL, 0, 10000},
    {"stop_gain_bps", F_BPS, OPT, NULL, 0, 10000},
    {"stop_loss_bps", F_BPS, OPT, NULL, 0, 10000},
};

/* The participation rules of particip.h, for rows loaded in bulk (particip_q): the
 * ACO's track and years, a registered provider, overlaps. */
static int arrangements_rules(loader *ld)
{
    const field_value *v = ld->vals;
    size_t line = ld->scan->line;
    int bad = 0;
    /* model years */
    for (int c = 5; c <= 6; c++)
        if (!v[c].empty && (strcmp(v[c].text, "2027-01-01") < 0 || strcmp(v[c].text, "2036-12-31") > 0)) {
            load__error(ld, line, (size_t)ld->col_at[c] + 1, c == 5 ? "start_date" : "end_date",
                       "%s is outside the model years of ACO LEAD (2027-01-01 to 2036-12-31)", v[c].text);
            bad = 1;
        }
    /* track and the ACO's years */
    char e[256];
    int found;
    particip_aco a;
    /* a read the store failed is reported when it happens (the message is the step's) */
    int io = particip_q_aco_terms(ld->reads, v[1].text, &found, &a, e, sizeof e) < 0;
    if (io) read_failed(ld, e);
    if (found) {
        const char *track = a.track;
        const char *list = a.eligible;
        const char *hit = strstr(list, track);
        size_t tl = strlen(track);
        if (!(hit && (hit == list || hit[-1] == ',') && (hit[tl] == '\0' || hit[tl] == ','))) {
            load__error(ld, line, (size_t)ld->col_at[1] + 1, "aco_id", "ACO %s is on the %s track; "
                       "CARA arrangements are open only to ACOs on the %s track", v[1].text, track, list);
            bad = 1;
        }
        int y = atoi(v[5].text), y1 = a.first_year, y2 = a.last_year;
        if (!bad && (y < y1 || y > y2)) {
            load__error(ld, line, (size_t)ld->col_at[5] + 1, "start_date", "%s is outside ACO %s's "
                       "performance years (%d-%d)", v[5].text, v[1].text, y1, y2);
            bad = 1;
        }
    }
    /* a registered Preferred Provider */
    int rc = particip_q_provider(ld->reads, v[2].text, v[3].text, &found, e, sizeof e);
    if (rc < 0 && !io) io = read_failed(ld, e) < 0;
    if (rc == 0 && !found) {
        load__error(ld, line, (size_t)ld->col_at[2] + 1, "npi", "%s/%s is not a Preferred Provider "
                   "(load providers.csv with it first)", v[2].text, v[3].text);
        bad = 1;
    }
    /* one ACO per template at a time (rows of this file count as they are loaded) */
    particip_ebra x;
    rc = particip_q_ebra_overlap(ld->reads, v[2].text, v[4].text, v[0].text, v[5].text,
                                 v[6].empty ? NULL : v[6].text, &found, &x, e, sizeof e);
    if (rc < 0 && !io) io = read_failed(ld, e) < 0;
    if (rc == 0 && found) {
        load__error(ld, line, (size_t)ld->col_at[0] + 1, "arrangement_id",
                   "provider %s is already in EBRA %s with ACO %s (%s to %s) for %s: a provider may "
                   "be in EBRAs with only one ACO per template at a time", v[2].text,
                   x.arrangement_id, x.aco_id, x.start_date, x.end_date, v[4].text);
        bad = 1;
    }
    if (io) return -EIO;
    return bad ? -EINVAL : 0;
}

static int arrangements_prepare(loader *ld)
{
    int rc = open_writers(ld);
    return rc ? rc : prepare_reads(ld);
}

static int arrangements_row(loader *ld)
{
    int before = ld->errors;
    load__check_order(ld, "start_date", "end_date");
    if (ld->errors != before) return -EINVAL;
    int rc = aco_known(ld, 1); /* -EINVAL, or -EIO when the store failed */
    if (rc == 0) rc = arrangements_rules(ld);
    if (rc < 0) return rc;
    char e[256];
    arrangement_rec r = {.arrangement_id = val(ld, 0), .aco_id = val(ld, 1), .npi = val(ld, 2),
                         .tin = val(ld, 3), .template_id = val(ld, 4), .start_date = val(ld, 5),
                         .end_date = val(ld, 6)};
    for (int i = 0; i < ARR_N_TERMS; i++)
        if (!ld->vals[7 + i].empty) {
            r.terms[i] = ld->vals[7 + i].num;
            r.has |= 1u << i;
        }
    return stored(ld, arrangements_w_put(ld->arrs, &r, e, sizeof e));
}

/* ---- participants.csv (an ACO's participant TINs) ---------------------------------------- */

static const field_spec participants_cols[] = {
    {"aco_id", F_ID, REQ, NULL, 0, 0},
    {"tin", F_TIN, REQ, NULL, 0, 0},
    {"start_date", F_DATE, REQ, NULL, 0, 0},
    {"end_date", F_DATE, COL, NULL, 0, 0},
};

static int participants_prepare(loader *ld)
{
    int rc = open_writers(ld);
    return rc ? rc : prepare_reads(ld);
}

static int participants_row(loader *ld)
{
    int before = ld->errors;
    load__check_order(ld, "start_date", "end_date");
    if (ld->errors != before) return -EINVAL;
    int known = aco_known(ld, 0); /* -EINVAL, or -EIO when the store failed */
    if (known < 0) return known;
    char e[256];
    const char *other;
    if (particip_q_tin_overlap(ld->reads, ld->vals[1].text, ld->vals[0].text, ld->vals[2].text,
                               val(ld, 3), &other, e, sizeof e) < 0)
        return read_failed(ld, e);
    if (other) {
        load__error(ld, ld->scan->line, (size_t)ld->col_at[1] + 1, "tin", "TIN %s is already a "
                   "participant of %s over these dates", ld->vals[1].text, other);
        return -EINVAL;
    }
    aco_tin_rec r = {.aco_id = val(ld, 0), .tin = val(ld, 1), .start_date = val(ld, 2),
                     .end_date = val(ld, 3)};
    return stored(ld, orgs_w_tin_put(ld->orgs, &r, e, sizeof e));
}

/* ---- medical_claim.csv ------------------------------------------------------------------- */

/* Spec order: claim-level fields first (they must agree across a claim's rows). */
static const field_spec claim_cols[] = {
    /* 0 */ {"claim_id", F_ID, REQ, NULL, 0, 0},
    /* 1 */ {"claim_type", F_ENUM, REQ, CLAIM_TYPES, 0, 0},
    /* 2 */ {"person_id", F_PERSON, REQ, NULL, 0, 0},
    /* 3 */ {"claim_start_date", F_DATE, REQ, NULL, 0, 0},
    /* 4 */ {"claim_end_date", F_DATE, REQ, NULL, 0, 0},
    /* 5 */ {"admission_date", F_DATE, COL, NULL, 0, 0},
    /* 6 */ {"discharge_date", F_DATE, COL, NULL, 0, 0},
    /* 7 */ {"discharge_disposition_code", F_DISP, OPT, NULL, 0, 0},
    /* 8 */ {"bill_type_code", F_TOB, COL, NULL, 0, 0},
    /* 9 */ {"facility_npi", F_NPI, OPT, NULL, 0, 0},
    /* 10 */ {"adjustment_type_code", F_ENUM, OPT, ADJUSTMENTS, 0, 0},
    /* 11 */ {"diagnosis_code_type", F_ENUM, OPT, DX_TYPES, 0, 0},
    /* 12..36 diagnosis_code_1..25 */
    {"diagnosis_code_1", F_ICD10, COL, NULL, 0, 0},  {"diagnosis_code_2", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_3", F_ICD10, OPT, NULL, 0, 0},  {"diagnosis_code_4", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_5", F_ICD10, OPT, NULL, 0, 0},  {"diagnosis_code_6", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_7", F_ICD10, OPT, NULL, 0, 0},  {"diagnosis_code_8", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_9", F_ICD10, OPT, NULL, 0, 0},  {"diagnosis_code_10", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_11", F_ICD10, OPT, NULL, 0, 0}, {"diagnosis_code_12", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_13", F_ICD10, OPT, NULL, 0, 0}, {"diagnosis_code_14", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_15", F_ICD10, OPT, NULL, 0, 0}, {"diagnosis_code_16", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_17", F_ICD10, OPT, NULL, 0, 0}, {"diagnosis_code_18", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_19", F_ICD10, OPT, NULL, 0, 0}, {"diagnosis_code_20", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_21", F_ICD10, OPT, NULL, 0, 0}, {"diagnosis_code_22", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_23", F_ICD10, OPT, NULL, 0, 0}, {"diagnosis_code_24", F_ICD10, OPT, NULL, 0, 0},
    {"diagnosis_code_25", F_ICD10, OPT, NULL, 0, 0},
    /* 37.. line-level */
    /* 37 */ {"claim_line_number", F_POSINT, REQ, NULL, 0, 0},
    /* 38 */ {"claim_line_start_date", F_DATE, COL, NULL, 0, 0},
    /* 39 */ {"claim_line_end_date", F_DATE, COL, NULL, 0, 0},
    /* 40 */ {"place_of_service_code", F_POS, COL, NULL, 0, 0},
    /* 41 */ {"revenue_center_code", F_REVENUE, COL, NULL, 0, 0},
    /* 42 */ {"hcpcs_code", F_HCPCS, COL, NULL, 0, 0},
    /* 43 */ {"hcpcs_modifier_1", F_MODIFIER, OPT, NULL, 0, 0},
    /* 44 */ {"hcpcs_modifier_2", F_MODIFIER, OPT, NULL, 0, 0},
    /* 45 */ {"hcpcs_modifier_3", F_MODIFIER, OPT, NULL, 0, 0},
    /* 46 */ {"hcpcs_modifier_4", F_MODIFIER, OPT, NULL, 0, 0},
    /* 47 */ {"hcpcs_modifier_5", F_MODIFIER, OPT, NULL, 0, 0},
    /* 48 */ {"rendering_npi", F_NPI, COL, NULL, 0, 0},
    /* 49 */ {"rendering_tin", F_TIN, COL, NULL, 0, 0},
    /* 50 */ {"billing_npi", F_NPI, COL, NULL, 0, 0},
    /* 51 */ {"billing_tin", F_TIN, COL, NULL, 0, 0},
    /* 52 */ {"paid_amount", F_MONEY, COL, NULL, 0, 0},     /* empty = 0 (Tuva) */
    /* 53 */ {"allowed_amount", F_MONEY, COL, NULL, 0, 0},
    /* 54 */ {"paid_date", F_DATE, OPT, NULL, 0, 0},        /* when the claim was paid */
};

enum {
    CC_ID = 0, CC_TYPE = 1, CC_START = 3, CC_ADMISSION = 5, CC_DISCHARGE = 6, CC_DISP = 7,
    CC_BILL = 8, CC_FACILITY = 9, CC_ADJ = 10, CC_DXTYPE = 11, CC_DX1 = 12, CC_HEADER_END = 37,
    CC_LINE = 37, CC_MOD1 = 43, CC_PAID = 52, CC_PAID_DATE = 54
};

/* A malformed value of these is a warning: the field is stored as absent, the line and
 * its money are kept (an error with --strict). */
static const char *const claim_soft[] = {
    "discharge_disposition_code", "facility_npi", "place_of_service_code",
    "revenue_center_code", "hcpcs_modifier_1", "hcpcs_modifier_2", "hcpcs_modifier_3",
    "hcpcs_modifier_4", "hcpcs_modifier_5", "rendering_npi", "rendering_tin", "billing_npi",
    "billing_tin", "diagnosis_code_2", "diagnosis_code_3", "diagnosis_code_4",
    "diagnosis_code_5", "diagnosis_code_6", "diagnosis_code_7", "diagnosis_code_8",
    "diagnosis_code_9", "diagnosis_code_10", "diagnosis_code_11", "diagnosis_code_12",
    "diagnosis_code_13", "diagnosis_code_14", "diagnosis_code_15", "diagnosis_code_16",
    "diagnosis_code_17", "diagnosis_code_18", "diagnosis_code_19", "diagnosis_code_20",
    "diagnosis_code_21", "diagnosis_code_22", "diagnosis_code_23", "diagnosis_code_24",
    "diagnosis_code_25", "paid_date", NULL};

/* The diagnoses of a row by its diagnosis_code_type: icd-9-cm codes are not read (cara
 * keeps ICD-10-CM only); under icd-10-pcs (a mislabel in Tuva's synthetic data: the codes
 * are diagnoses) a code that is not ICD-10-CM is dropped; otherwise each is checked. */
static void claims_modes(loader *ld, const csv_scan *s)
{
    int at = ld->col_at[CC_DXTYPE];
    unsigned char m = COL_CHECK;
    if (at >= 0 && (size_t)at < s->n) {
        const csv_field *f = &s->f[at];
        if (f->len == 8 && memcmp(f->p, "icd-9-cm", 8) == 0) m = COL_IGNORE;
        else if (f->len == 10 && memcmp(f->p, "icd-10-pcs", 10) == 0) m = COL_DROP;
    }
    memset(ld->mode + CC_DX1, m, 25);
}

/* Claims in file order, without --skip-bad (whose savepoints need each write's result at
 * once), are written behind on a second thread (claims_w.h): this thread scans and
 * validates while the other inserts. */
static int claims_prepare(loader *ld)
{
    memset(&ld->group, 0, sizeof ld->group);
    ld->queued_reported = 0;
    int rc = open_writers(ld);
    if (rc < 0) return rc;
    char e[256];
    /* the claims' end dates counted by the writer (claims_end), unless a savepoint per
     * claim may take one back */
    if (claims_w_bulk_begin(ld->claims, !ld->skip_bad, e, sizeof e) < 0) {
        load__error(ld, 1, 0, NULL, "%s", e);
        return -EIO;
    }
    if (ld->skip_bad || ld->grouped || !ld->write_behind) return 0;
    claims_w_expect(ld->claims, ld->map_len / 64); /* a claim line takes 64 bytes or more */
    if (claims_w_async_begin(ld->claims, e, sizeof e) < 0) {
        load__error(ld, 1, 0, NULL, "%s", e);
        return -EIO;
    }
    return 0;
}

/* After the last row: every queued write ran (a failure is reported at its line), the
 * claims' end dates claims_prepare counted are written. */
static int claims_end(loader *ld)
{
    char e[256];
    int rc = claims_w_async_end(ld->claims, e, sizeof e);
    if (rc < 0) {
        queued_failed(ld);
        return rc == -EEXIST ? -EINVAL : -EIO;
    }
    if (claims_w_bulk_end(ld->claims, e, sizeof e) < 0) {
        load__error(ld, ld->scan ? ld->scan->line : 1, 0, NULL, "%s", e);
        return -EIO;
    }
    return 0;
}

/* "A B C" of the non-empty values among texts[0..n). */
static void join_texts(const char (*texts)[80], size_t n, char *out, size_t len)
{
    size_t o = 0;
    for (size_t c = 0; c < n; c++) {
        size_t k = strlen(texts[c]);
        if (!k) continue;
        if (o + k + 2 > len) break;
        if (o) out[o++] = ' ';
        memcpy(out + o, texts[c], k);
        o += k;
    }
    out[o] = '\0';
}

/* "A B C" of the non-empty values of spec columns [from, to). */
static void join(const loader *ld, size_t from, size_t to, char *out, size_t len)
{
    size_t o = 0;
    for (size_t c = from; c < to; c++) {
        if (ld->vals[c].empty) continue;
        size_t n = strlen(ld->vals[c].text);
        if (o + n + 2 > len) break;
        if (o) out[o++] = ' ';
        memcpy(out + o, ld->vals[c].text, n);
        o += n;
    }
    out[o] = '\0';
}

static const char *adj_of(const loader *ld)
{
    return ld->vals[CC_ADJ].empty ? "0" : ld->vals[CC_ADJ].text;
}

/* A new claim (or a new version of one): delete what is stored, then insert the header
 * unless this is a cancellation. (The rows of one claim come together: the loader reads
 * a file that is not in claim order grouped by claim_id.) */
static int claim_begin(loader *ld)
{
    claim_group *g = &ld->group;
    char e[256];
    /* the previous claim is written with its lines now (claims_w_insert kept it): a
     * refusal is its own, at its first line */
    if (g->active && claims_w_flush(ld->claims, e, sizeof e) < 0) {
        if (!queued_failed(ld))
            load__error(ld, g->first_line, 0, NULL, "the store refused the row: %s", e);
        return -EIO;
    }
    memset(g, 0, sizeof *g);
    memcpy(g->claim_id, ld->vals[CC_ID].text, sizeof g->claim_id);
    g->adj[0] = adj_of(ld)[0];
    g->adj[1] = '\0';
    g->first_line = ld->scan->line;
    g->active = 1;
    for (size_t c = 1; c < CC_HEADER_END; c++) /* both buffers are 80 bytes, NUL-terminated */
        memcpy(g->header[c - 1], ld->vals[c].text, sizeof g->header[0]);
    int rc = stored(ld, claims_w_delete(ld->claims, g->claim_id, e, sizeof e));
    if (rc < 0 || g->adj[0] == '1') return rc;
    char dx[26 * 8 + 1];
    join(ld, CC_DX1, CC_DX1 + 25, dx, sizeof dx);
    claim_rec r = {.claim_id = val(ld, 0), .claim_type = val(ld, 1), .person_id = val(ld, 2),
                   .claim_start_date = val(ld, 3), .claim_end_date = val(ld, 4),
                   .admission_date = val(ld, 5), .discharge_date = val(ld, 6),
                   .discharge_disposition_code = val(ld, 7), .bill_type_code = val(ld, 8),
                   .facility_npi = val(ld, 9), .adjustment_type_code = g->adj[0] - '0',
                   .diagnosis_codes = dx, .load_id = ld->load_id,
                   .paid_date = val(ld, CC_PAID_DATE)};
    memcpy(g->paid_date, ld->vals[CC_PAID_DATE].text, sizeof g->paid_date);
    return stored(ld, claims_w_insert(ld->claims, &r, e, sizeof e));
}

/* A claim-level field a later line filled in: the stored header follows. */
static int claim_update(loader *ld)
{
    const claim_group *g = &ld->group;
    char dx[26 * 8 + 1], e[256];
    join_texts(&g->header[CC_DX1 - 1], 25, dx, sizeof dx);
    const char *adm = g->header[CC_ADMISSION - 1], *dis = g->header[CC_DISCHARGE - 1];
    claim_rec r = {.claim_id = g->claim_id, .admission_date = adm[0] ? adm : NULL, /* empty: NULL */
                   .discharge_date = dis[0] ? dis : NULL,
                   .discharge_disposition_code = g->header[CC_DISP - 1],
                   .bill_type_code = g->header[CC_BILL - 1],
                   .facility_npi = g->header[CC_FACILITY - 1], .diagnosis_codes = dx};
    return stored(ld, claims_w_fill_header(ld->claims, &r, e, sizeof e));
}

/* Claim-level fields must agree across the rows of one claim. A field left empty on a
 * line does not disagree: the claim has the value its other lines give (Tuva leaves an
 * institutional claim's admission and discharge dates empty on some lines). */
static int claim_consistent(loader *ld)
{
    claim_group *g = &ld->group;
    int ok = 1, filled = 0;
    for (size_t c = 1; c < CC_HEADER_END; c++) {
        const char *now = ld->vals[c].text;
        if (strcmp(g->header[c - 1], now) == 0 || ld->col_at[c] < 0 || !now[0]) continue;
        if (!g->header[c - 1][0]) {
            memcpy(g->header[c - 1], now, sizeof g->header[0]);
            filled = 1;
            continue;
        }
        load__error(ld, ld->scan->line, (size_t)ld->col_at[c] + 1, claim_cols[c].name,
                   "\"%s\" differs from \"%s\" on line %zu for the same claim \"%s\" (claim "
                   "fields must agree on every line of a claim)",
                   now, g->header[c - 1], g->first_line, g->claim_id);
        ok = 0;
    }
    if (!ok) return -EINVAL;
    /* the claim is paid when its last line is: the latest paid_date of its rows */
    const char *paid = ld->vals[CC_PAID_DATE].text;
    if (g->adj[0] != '1' && paid[0] && strcmp(paid, g->paid_date) > 0) {
        memcpy(g->paid_date, paid, sizeof g->paid_date);
        char e[256];
        int rc = stored(ld, claims_w_paid_date(ld->claims, g->claim_id, paid, e, sizeof e));
        if (rc < 0) return rc;
    }
    return filled && g->adj[0] != '1' ? claim_update(ld) : 0;
}

static int claims_row(loader *ld)
{
    int before = ld->errors;
    load__check_order(ld, "claim_start_date", "claim_end_date");
    load__check_order(ld, "claim_line_start_date", "claim_line_end_date");
    load__check_order(ld, "admission_date", "discharge_date");
    if (!strcmp(ld->vals[CC_TYPE].text, "institutional") && ld->vals[8].empty)
        load__error(ld, ld->scan->line, (size_t)(ld->col_at[8] >= 0 ? ld->col_at[8] : 0) + 1,
                   "bill_type_code", "required on an institutional claim (3 digits, e.g. 111)");
    if (ld->errors != before) return -EINVAL;
    claim_group *g = &ld->group;
    int rc = 0;
    claims_w_at(ld->claims, ld->scan->line);
    if (!g->active || strcmp(g->claim_id, ld->vals[CC_ID].text) || strcmp(g->adj, adj_of(ld))) {
        rc = claim_begin(ld);
        if (rc < 0) return rc;
    } else if (claim_consistent(ld) < 0) {
        return -EINVAL;
    }
    int64_t line = ld->vals[CC_LINE].num;
    for (size_t i = 0; i < g->n_seen; i++)
        if (g->seen[i] == line) {
            load__error(ld, ld->scan->line, (size_t)ld->col_at[CC_LINE] + 1, "claim_line_number",
                       "line %lld of claim \"%s\" appears twice", (long long)line, g->claim_id);
            return -EINVAL;
        }
    if (g->n_seen < sizeof g->seen / sizeof g->seen[0]) g->seen[g->n_seen++] = line;
    if (g->adj[0] == '1') return 0; /* a cancellation: its lines only repeat the claim */
    char mods[5 * 3 + 1];
    join(ld, CC_MOD1, CC_MOD1 + 5, mods, sizeof mods);
    const field_value *v = ld->vals;
    char e[256];
    claim_line_rec l = {.claim_id = val(ld, CC_ID), .claim_line_number = v[CC_LINE].num,
                        .claim_line_start_date = val(ld, 38), .claim_line_end_date = val(ld, 39),
                        .place_of_service_code = val(ld, 40), .revenue_center_code = val(ld, 41),
                        .hcpcs_code = val(ld, 42), .hcpcs_modifiers = mods,
                        .rendering_npi = val(ld, 48), .rendering_tin = val(ld, 49),
                        .billing_npi = val(ld, 50), .billing_tin = val(ld, 51),
                        .paid_cents = v[CC_PAID].empty ? 0 : v[CC_PAID].num, /* empty: 0 */
                        .allowed_cents = v[CC_PAID + 1].empty ? 0 : v[CC_PAID + 1].num};
    rc = claims_w_line(ld->claims, &l, 0, e, sizeof e);
    if (rc == 0) return 0;
    if (queued_failed(ld)) return rc == -EEXIST ? -EINVAL : -EIO;
    if (rc == -EEXIST) {
        /* past the lines remembered in g->seen */
        load__error(ld, ld->scan->line, (size_t)ld->col_at[CC_LINE] + 1, "claim_line_number",
                   "line %lld of claim \"%s\" appears twice", (long long)line, g->claim_id);
        return -EINVAL;
    }
    /* the writer's message: a refusal it makes itself (a claim's line cap) is no SQLite error */
    load__error(ld, ld->scan->line, 0, NULL, "the store refused the row: %s", e);
    return -EIO;
}

#define KIND(file, cols, soft, modes, p, r, e)                                               \
    {file, cols, sizeof cols / sizeof cols[0], soft, modes, p, r, e, finalize_all}

const kind_def load_kinds[LOAD_N_KINDS] = {
    [LOAD_ACOS] = KIND("acos.csv", acos_cols, NULL, NULL, open_writers, acos_row, NULL),
    [LOAD_PROVIDERS] = KIND("providers.csv", providers_cols, NULL, NULL, open_writers,
                            providers_row, NULL),
    [LOAD_ELIGIBILITY] = KIND("eligibility.csv", eligibility_cols, eligibility_soft, NULL,
                              open_writers, eligibility_row, NULL),
    [LOAD_ALIGNMENT] = KIND("alignment.csv", alignment_cols, NULL, NULL, alignment_prepare,
                            alignment_row, alignment_end),
    [LOAD_ARRANGEMENTS] = KIND("arrangements.csv", arrangements_cols, NULL, NULL,
                               arrangements_prepare, arrangements_row, NULL),
    [LOAD_PARTICIPANTS] = KIND("participants.csv", participants_cols, NULL, NULL,
                               participants_prepare, participants_row, NULL),
    [LOAD_MEDICAL_CLAIM] = KIND("medical_claim.csv", claim_cols, claim_soft, claims_modes,
                                claims_prepare, claims_row, claims_end),
};
