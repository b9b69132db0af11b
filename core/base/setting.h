/*
 * setting: the care setting of a claim, from its type and bill type, as cost-by-setting
 * breakdowns report it (docs/methodology.md, "Settings"): institutional claims by the
 * first two digits of the bill type (11x and 41x inpatient, including IRF and religious
 * non-medical hospitals; 18x, 21x and 22x SNF and swing beds; 32x, 33x and 34x home health;
 * 81x and 82x hospice; 12x, 13x, 14x, 43x, 71x, 73x, 74x, 75x, 76x, 77x, 83x and 85x
 * outpatient; any other bill type or none: other), professional claims professional,
 * DME claims dme. A four-digit bill type with a leading 0 ("0111") is read as its last
 * three digits. Pure.
 */
#ifndef CARA_SETTING_H
#define CARA_SETTING_H

typedef enum cara_setting {
    SETTING_INPATIENT,
    SETTING_SNF,
    SETTING_HOME_HEALTH,
    SETTING_OUTPATIENT,
    SETTING_PROFESSIONAL,
    SETTING_DME,
    SETTING_HOSPICE,
    SETTING_OTHER,
    SETTING_N
} cara_setting;

/* The setting of a claim: claim_type "institutional", "professional" or "dme" (anything
 * else: other), bill_type the claim's bill type code (NULL or "" when none). */
cara_setting setting_of(const char *claim_type, const char *bill_type);

/* The setting's name: "inpatient", "snf", "home_health", "outpatient", "professional",
 * "dme", "hospice", "other" (static; "other" for an out-of-range value). */
const char *setting_name(cara_setting s);

#endif
