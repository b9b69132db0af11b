/* export_fhir.c: Da Vinci ATR and VBPR (being written). */
#include <errno.h>

#include "export.h"

json_t *export_atr_bundle(const export_data *d, char *err, size_t errlen)
{
    (void)d;
    snprintf(err, errlen, "the ATR export is not built yet");
    return NULL;
}
int export_atr_ndjson(const export_data *d, FILE *f, char *err, size_t errlen)
{
    (void)d; (void)f;
    snprintf(err, errlen, "the ATR export is not built yet");
    return -ENOSYS;
}
json_t *export_vbpr_bundle(const export_data *d, char *err, size_t errlen)
{
    (void)d;
    snprintf(err, errlen, "the VBPR export is not built yet");
    return NULL;
}
