/*
 * fs_unnamed.c: an unnamed temporary file in a folder (fs.h).
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs.h"
#include "util.h"

int fs_unnamed(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
#endif
    char *tmpl = util_path_join(dir, ".cara-tmp-XXXXXX");
    if (!tmpl) {
        errno = ENOMEM;
        return -1;
    }
    int fd2 = mkostemp(tmpl, O_CLOEXEC);
    if (fd2 >= 0) unlink(tmpl);
    free(tmpl);
    return fd2;
}
