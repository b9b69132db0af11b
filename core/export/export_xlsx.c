/* export_xlsx.c: the contracting workbook (being written). */
#include <errno.h>

#include "export.h"

int export_xlsx_write(const export_data *d, const char *path, char *err, size_t errlen)
{
    (void)d; (void)path;
    snprintf(err, errlen, "the xlsx export is not built yet");
    return -ENOSYS;
}
