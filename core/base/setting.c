/*
 * setting.c: see setting.h.
 */
#include "setting.h"

#include <string.h>

static const char *const NAMES[SETTING_N] = {"inpatient", "snf",  "home_health", "outpatient",
                                             "professional", "dme", "hospice",   "other"};

/* Two-digit bill type prefixes per institutional setting. */
static const struct {
    const char *prefix;
    cara_setting setting;
} BILL[] = {
    {"11", SETTING_INPATIENT},  {"41", SETTING_INPATIENT},   {"18", SETTING_SNF},
    {"21", SETTING_SNF},        {"22", SETTING_SNF},         {"32", SETTING_HOME_HEALTH},
    {"33", SETTING_HOME_HEALTH}, {"34", SETTING_HOME_HEALTH}, {"81", SETTING_HOSPICE},
    {"82", SETTING_HOSPICE},    {"12", SETTING_OUTPATIENT},  {"13", SETTING_OUTPATIENT},
    {"14", SETTING_OUTPATIENT}, {"43", SETTING_OUTPATIENT},  {"71", SETTING_OUTPATIENT},
    {"73", SETTING_OUTPATIENT}, {"74", SETTING_OUTPATIENT},  {"75", SETTING_OUTPATIENT},
    {"76", SETTING_OUTPATIENT}, {"77", SETTING_OUTPATIENT},  {"83", SETTING_OUTPATIENT},
    {"85", SETTING_OUTPATIENT},
};

cara_setting setting_of(const char *claim_type, const char *bill_type)
{
    if (!claim_type) return SETTING_OTHER;
    if (!strcmp(claim_type, "professional")) return SETTING_PROFESSIONAL;
    if (!strcmp(claim_type, "dme")) return SETTING_DME;
    if (strcmp(claim_type, "institutional") || !bill_type) return SETTING_OTHER;
    size_t n = strlen(bill_type);
    if (n == 4 && bill_type[0] == '0') bill_type++, n--;
    if (n < 2) return SETTING_OTHER;
    for (size_t i = 0; i < sizeof BILL / sizeof BILL[0]; i++)
        if (bill_type[0] == BILL[i].prefix[0] && bill_type[1] == BILL[i].prefix[1])
            return BILL[i].setting;
    return SETTING_OTHER;
}

const char *setting_name(cara_setting s)
{
    return s >= 0 && s < SETTING_N ? NAMES[s] : NAMES[SETTING_OTHER];
}
