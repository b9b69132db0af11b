/* tests/fuzz/fuzz_rule_calls.c: the engine's rule calls (engine_lua.c) end to end: claim
 * lines decoded from the input bound through rules_bind's lazy claims table
 * (rule_set_bind), then attribute(), target(), quality() and winsorize() called and their
 * results read by the engine's readers, over the falls_prevention template (copied from
 * $CARA_EPISODES or ../episodes, else a built-in tiny one: fuzz_files.h).
 *
 * Byte 0, bit 0 clear: the shipped rules, and the rest of the input is claim lines.
 * Bit 0 set: the rest up to the first NUL is Lua source used as both attribution.lua and
 * savings.lua (small limits), so fuzzed rules return fuzzed results to the readers; what
 * follows the NUL is claim lines. A claim line is CLAIM_BYTES bytes (see decode()). */
#include <stdint.h>

#include "catalog/catalog_set.h"
#include "engine/engine_internal.h"
#include "catalog/episode.h"
#include "fuzz_files.h"
#include "rules/rules_vm.h"
#include "catalog/template.h"

#define CLAIM_BYTES 24
#define MAX_LINES 64

static const char *const HCPCS[] = {"97161", "99213", "E0143", "1100F", "G0283", "27236", "",
                                    "97110"};
static const char *const NPIS[] = {"1234567893", "1245319599", "1003000126", ""};
static const char *const TINS[] = {"123456789", "987654321", ""};
static const char *const POS[] = {"11", "21", "23", "31", "12", ""};
static const char *const REV[] = {"0450", "0420", "0001", "0120", ""};
static const char *const BILL[] = {"111", "211", "321", "131", ""};
static const char *const TRIG[] = {"A", "B", "C", "Z"};
static const cara_icd DX[] = {"S72001A", "W19XXXA", "Z9181", "R296", "E119", "I509"};

static int32_t i16(const uint8_t *p) { return (int16_t)(p[0] | p[1] << 8); }

/* One line from CLAIM_BYTES bytes: type, dates around 2027-03-01, codes from the lists
 * above, paid and allowed amounts (int32 cents), 0-3 diagnoses. */
static void decode(const uint8_t *p, cara_claim_line *l, char (*ids)[8], size_t i)
{
    static const cara_date base = 20878; /* 2027-03-01 */
    memset(l, 0, sizeof *l);
    snprintf(ids[i], 8, "C%u", p[0] % 8);
    l->claim_id = ids[i];
    l->line_number = p[1] % 5 + 1;
    l->claim_type = p[2] % 4; /* 0 is not a type: the rules see it as given */
    l->service_date = base + i16(p + 3) % 400;
    l->line_start = l->service_date;
    l->line_end = l->service_date + p[5] % 10;
    l->claim_start = l->service_date - p[6] % 3;
    l->claim_end = l->line_end;
    l->admission = p[7] & 1 ? l->claim_start : CARA_DATE_NONE;
    l->discharge = p[7] & 2 ? l->claim_end : CARA_DATE_NONE;
    snprintf(l->bill_type, sizeof l->bill_type, "%s", BILL[p[8] % 5]);
    snprintf(l->revenue_center, sizeof l->revenue_center, "%s", REV[p[9] % 5]);
    snprintf(l->hcpcs, sizeof l->hcpcs, "%s", HCPCS[p[10] % 8]);
    snprintf(l->modifiers[0], 3, "%s", p[11] & 1 ? "GP" : "");
    snprintf(l->place_of_service, sizeof l->place_of_service, "%s", POS[p[12] % 6]);
    snprintf(l->discharge_disposition, 3, "%s", p[13] & 1 ? "01" : "");
    snprintf(l->rendering_npi, sizeof l->rendering_npi, "%s", NPIS[p[14] % 4]);
    snprintf(l->rendering_tin, sizeof l->rendering_tin, "%s", TINS[p[15] % 3]);
    snprintf(l->billing_npi, sizeof l->billing_npi, "%s", NPIS[(p[14] >> 2) % 4]);
    snprintf(l->billing_tin, sizeof l->billing_tin, "%s", TINS[(p[15] >> 2) % 3]);
    snprintf(l->facility_npi, sizeof l->facility_npi, "%s", NPIS[(p[14] >> 4) % 4]);
    l->paid = (int32_t)(p[16] | p[17] << 8 | p[18] << 16 | (uint32_t)p[19] << 24);
    l->allowed = l->paid + i16(p + 20);
    l->n_dx = p[22] % 4;
    l->dx = &DX[p[23] % 3];
}

static cara_template *tmpl;
static catalog shipped_cat, fuzz_cat;
static catalog_entry shipped_entry, fuzz_entry;
static rule_set shipped;

static void setup(void)
{
    const char *dir = fuzz_template_dir();
    char path[600], err[1024];
    snprintf(path, sizeof path, "%s/template.json", dir);
    if (template_load(path, &tmpl, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    shipped_entry.dir = (char *)dir;
    shipped_entry.tmpl = tmpl;
    snprintf(path, sizeof path, "%s/attribution.lua", dir);
    shipped_entry.attribution_path = strdup(path);
    snprintf(path, sizeof path, "%s/savings.lua", dir);
    shipped_entry.savings_path = strdup(path);
    shipped_cat.v = &shipped_entry;
    shipped_cat.n = 1;
    if (engine__rule_set_open(&shipped, &shipped_cat, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    fuzz_entry = shipped_entry;
    snprintf(path, sizeof path, "%s/fuzz.lua", fuzz_folder());
    fuzz_entry.attribution_path = fuzz_entry.savings_path = strdup(path);
    fuzz_cat.v = &fuzz_entry;
    fuzz_cat.n = 1;
}

static void calls(rule_set *rs, const cara_claim_line *lines, size_t n, const uint8_t *knobs)
{
    char err[2048];
    cara_enrollment en = {.start = 20000, .end = CARA_DATE_NONE, .dual_status = "00",
                          .medicare_status = "10"};
    cara_alignment al = {.aco_id = "A0001", .start = 20000, .end = CARA_DATE_NONE};
    cara_beneficiary b = {.struct_size = sizeof(cara_beneficiary),
                          .person_id = "1EG4TE5MK73", .gender = knobs[0] & 1 ? 'F' : 'M',
                          .birth = -7000 + knobs[1] * 10, .death = knobs[0] & 2 ? 21000 : CARA_DATE_NONE,
                          .enrollment = CARA_ARRAY_INIT(&en, 1), .alignment = CARA_ARRAY_INIT(&al, 1)};
    if (engine__rule_set_bind(rs, &b, lines, n, err, sizeof err) < 0) return;
    size_t idx[MAX_LINES];
    for (size_t i = 0; i < n; i++) idx[i] = i;
    cara_episode ep;
    memset(&ep, 0, sizeof ep);
    snprintf(ep.trigger_type, sizeof ep.trigger_type, "%s", TRIG[knobs[2] % 4]);
    ep.trigger_line = knobs[3] % n;
    ep.start = lines[ep.trigger_line].service_date;
    ep.end = ep.start + 179;
    ep.flags = knobs[0] & 2 ? CARA_EPISODE_DEATH : 0;
    ep.lines = idx;
    ep.n_lines = n;
    ref_arrangement arrs[2] = {
        {.arrangement_id = "E1", .aco_id = "A0001", .npi = "1234567893", .tin = "123456789",
         .template_id = "falls_prevention", .track = "global", .specialty = "65",
         .family = "falls_prevention", .start = 20000, .end = CARA_DATE_NONE,
         .terms = {300}, .has_terms = 1},
        {.arrangement_id = "E2", .aco_id = "A0001", .npi = "1245319599", .tin = "987654321",
         .template_id = "falls_prevention", .track = "professional", .specialty = "",
         .family = "falls_prevention", .start = 20000, .end = 22000}};
    const ref_arrangement *cands[2] = {&arrs[0], &arrs[1]};
    attribution_out ao;
    int hcc = knobs[4] % 5 - 1;
    engine__rule_attribute(rs, 0, &ep, hcc, lines, cands, knobs[5] % 3, &ao, err, sizeof err);
    ep_rec rec;
    memset(&rec, 0, sizeof rec);
    rec.has_risk = knobs[6] & 1;
    rec.risk_score = 10000;
    memcpy(rec.risk_segment, "CNA", 4);
    engine__rule_target(rs, 0, &ep, hcc, lines, ao.arr ? ao.arr : &arrs[0], &rec, err, sizeof err);
    int met;
    engine__rule_quality(rs, 0, &ep, hcc, lines, &met, err, sizeof err);
    int64_t sorted[4] = {100, 200, lines[0].paid < 0 ? 0 : lines[0].paid, INT32_MAX}, cap;
    int has_cap;
    engine__rule_winsorize(rs, 0, sorted, 4, &cap, &has_cap, err, sizeof err);
    engine__rule_set_forget(rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!tmpl) setup();
    if (size < 8) return 0;
    const uint8_t *knobs = data + 1, *p = data + 8;
    size_t left = size - 8;
    rule_set fz, *rs = &shipped;
    if (data[0] & 1) {
        const uint8_t *nul = memchr(p, 0, left);
        size_t srclen = nul ? (size_t)(nul - p) : left;
        char path[600], err[1024];
        fuzz_write("fuzz.lua", p, srclen, path, sizeof path);
        rules_limits lim = {.memory = 4u << 20, .instructions = 200000, .pattern_cost = 1000000,
                            .wall_ms = 2000, .cpu_ms = 2000};
        if (engine__rule_set_open(&fz, &fuzz_cat, &lim, err, sizeof err) < 0) return 0;
        rs = &fz;
        p += srclen + (nul != NULL);
        left -= srclen + (nul != NULL);
    }
    cara_claim_line lines[MAX_LINES];
    char ids[MAX_LINES][8];
    size_t n = 0;
    for (; n < MAX_LINES && left >= CLAIM_BYTES; n++, p += CLAIM_BYTES, left -= CLAIM_BYTES)
        decode(p, &lines[n], ids, n);
    if (n == 0) {
        static const uint8_t one[CLAIM_BYTES] = {0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 100};
        decode(one, &lines[0], ids, 0);
        n = 1;
    }
    calls(rs, lines, n, knobs);
    if (rs == &fz) engine__rule_set_close(&fz);
    return 0;
}
