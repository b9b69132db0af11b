/* load_fhir.c: placeholder until the FHIR parser lands (not committed). */
#include <errno.h>
#include "load_feed.h"
int load_fhir(store *s, char *const *paths, size_t n, const feed_opts *o)
{
    (void)s; (void)paths; (void)n;
    fprintf(o->err, "FHIR: not yet\n");
    return -ENOSYS;
}
