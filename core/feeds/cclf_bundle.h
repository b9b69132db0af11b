/*
 * cclf_bundle: the monthly zip bundle CMS delivers (CCLF IP v36 4.2 and Appendix C:
 * one zip named P.A1234.ACO.ZCY27.D270115.T1200000, or ZCR27 for run-out, holding the
 * ZC0-ZCB files of the month). Read with libzip from a buffer.
 */
#ifndef CARA_CCLF_BUNDLE_H
#define CARA_CCLF_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "cclf.h"

/* Limits (docs/security.md): a bundle may hold at most this many members and expand to
 * at most this many bytes in all (counted as written, whatever the zip headers say). */
#define CCLF_BUNDLE_MAX_MEMBERS 64
#define CCLF_BUNDLE_MAX_BYTES (256ull << 30)

/* 1 when base is a bundle name: {P|T}.{entity}.ACO.ZC{Y|R}{yy}.D{yymmdd}.T{hhmmssn}
 * (no file letter after ZC), optionally ending in ".zip", or any name ending in ".zip". */
int cclf_bundle_name(const char *base);

/*
 * Extract the CCLF members of the zip in buf[0..len) into the existing directory dir.
 * Every member must be a plain file whose base name is a CMS CCLF name (a member in a
 * folder is taken by its base name; "..", absolute names and duplicates are errors).
 * max_bytes caps the total written (0: CCLF_BUNDLE_MAX_BYTES). On success *paths gets
 * *n malloc'ed paths (the caller frees each and the array) and returns 0; else a
 * negative code with a message naming the member in err (files already written are
 * left for the caller to remove with the directory).
 */
int cclf_bundle_extract(const char *buf, size_t len, const char *dir, uint64_t max_bytes,
                        char ***paths, size_t *n, char *err, size_t errlen);

#endif
